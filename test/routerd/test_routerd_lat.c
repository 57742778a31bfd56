/* test_routerd_lat.c - routerd/lat.c: which records count in which class, and
 * the per-stage histograms add up to the whole (receive -> ack). */
#include <string.h>
#include <unistd.h>

#include "lat.h"
#include "t.h"

static char prefix[64];

static struct rec_hdr
hdr(uint16_t type, uint16_t flags, int64_t recv, int64_t feed, int64_t book)
{
	struct rec_hdr h;

	memset(&h, 0, sizeof h);
	h.type = type;
	h.flags = flags;
	h.recv_ns = recv;
	h.stage_ns[STAGE_FEED] = feed;
	h.stage_ns[STAGE_BOOK] = book;
	return h;
}

static void
t_classes(void)
{
	struct lat_stamps s;
	struct rec_hdr h;

	h = hdr(REC_DELTA, REC_F_SYNCED, 100, 200, 300);
	lat_stamps_of(&h, &s);
	T_EQ_I(s.cls, LAT_STEADY);
	T_EQ_I(s.recv_ns, 100);
	T_EQ_I(s.feed_ns, 200);
	T_EQ_I(s.book_ns, 300);
	h = hdr(REC_DELTA, REC_F_SYNCED | REC_F_BUFFERED, 100, 200, 300);
	lat_stamps_of(&h, &s);
	T_EQ_I(s.cls, LAT_SYNC);
	h = hdr(REC_TRADE, 0, 100, 200, 300);
	lat_stamps_of(&h, &s);
	T_EQ_I(s.cls, LAT_STEADY);
	h = hdr(REC_TICKER, 0, 100, 200, 300);
	lat_stamps_of(&h, &s);
	T_EQ_I(s.cls, LAT_STEADY);
	/* a snapshot's recv_ns is its last update's: not a start */
	h = hdr(REC_SNAPSHOT, REC_F_SYNCED, 100, 200, 300);
	lat_stamps_of(&h, &s);
	T_EQ_I(s.cls, LAT_SNAPSHOT);
	T_EQ_I(s.recv_ns, 0);
	T_EQ_I(s.feed_ns, 0);
	T_EQ_I(s.book_ns, 300);
	/* a refresh splice's delta: bookd's own, no feedd stamp */
	h = hdr(REC_DELTA, REC_F_SYNCED, 100, 0, 300);
	lat_stamps_of(&h, &s);
	T_EQ_I(s.cls, LAT_SNAPSHOT);
	T_EQ_I(s.recv_ns, 0);
	h = hdr(REC_EVENT, 0, 100, 200, 300);
	lat_stamps_of(&h, &s);
	T_EQ_I(s.cls, LAT_NONE);
	h = hdr(REC_TRADE, 0, 0, 200, 300);     /* never received: nothing to measure from */
	lat_stamps_of(&h, &s);
	T_EQ_I(s.cls, LAT_NONE);
	T_EQ_S(lat_stage_name(LAT_WHOLE), "whole");
	T_EQ_S(lat_class_name(LAT_SYNC), "sync");
	T_EQ_S(lat_class_name(99), "?");
}

static int64_t
hsum(const struct metric_hist *h)
{
	return atomic_load(&h->sum);
}

static void
t_stages_add_up(void)
{
	char err[256] = "";
	struct metrics *m = metrics_open(prefix, "routerd", err, sizeof err);
	struct lat l;
	struct lat_stamps s;
	struct rec_hdr h;
	int64_t stages = 0;

	T_CHECK(m != NULL);
	if (!m)
		return;
	lat_setup(&l, m);
	/* no receive/feed stages for snapshots */
	T_CHECK(l.h[LAT_SNAPSHOT][LAT_RECV_FEED] == NULL && l.h[LAT_SNAPSHOT][LAT_FEED_BOOK] == NULL);
	for (int i = 0; i < 100; i++) {
		int64_t t = 1000000000LL * 1700000000 + i * 1000000LL;

		/* 5 us in feedd, 100 us + i to bookd, 300 us to publish, 1 ms + 10 i to the ack */
		h = hdr(REC_DELTA, REC_F_SYNCED, t, t + 5000, t + 105000 + i);
		lat_stamps_of(&h, &s);
		lat_observe(&l, &s, t + 405000 + i, t + 1405000 + 11 * i);
	}
	h = hdr(REC_DELTA, REC_F_SYNCED | REC_F_BUFFERED, 1000, 2000, 900000000);
	lat_stamps_of(&h, &s);
	lat_observe(&l, &s, 900100000, 900200000);
	h = hdr(REC_SNAPSHOT, REC_F_SYNCED, 1000, 2000, 5000000);
	lat_stamps_of(&h, &s);
	lat_observe(&l, &s, 6000000, 7000000);

	T_EQ_U(atomic_load(&l.h[LAT_STEADY][LAT_WHOLE]->count), 100);
	for (int st = 0; st < LAT_WHOLE; st++) {
		T_EQ_U(atomic_load(&l.h[LAT_STEADY][st]->count), 100);
		stages += hsum(l.h[LAT_STEADY][st]);
		/* the whole is at least every stage, message by message */
		T_CHECK(atomic_load(&l.h[LAT_STEADY][LAT_WHOLE]->max) >= atomic_load(&l.h[LAT_STEADY][st]->max));
	}
	T_EQ_I(stages, hsum(l.h[LAT_STEADY][LAT_WHOLE]));
	T_EQ_I(atomic_load(&l.h[LAT_STEADY][LAT_RECV_FEED]->max), 5000);
	T_EQ_I(atomic_load(&l.h[LAT_STEADY][LAT_PUBLISH_ACK]->max), 1000000 + 10 * 99);
	T_EQ_I(atomic_load(&l.h[LAT_STEADY][LAT_WHOLE]->max), 1405000 + 11 * 99);
	/* the buffered delta went to its own class, and the receive -> ack
	 * histogram has both; the snapshot is timed from bookd */
	T_EQ_U(atomic_load(&l.h[LAT_SYNC][LAT_WHOLE]->count), 1);
	T_EQ_I(atomic_load(&l.h[LAT_SYNC][LAT_WHOLE]->max), 900200000 - 1000);
	T_EQ_U(atomic_load(&l.whole_recv->count), 101);
	T_EQ_U(atomic_load(&l.h[LAT_SNAPSHOT][LAT_WHOLE]->count), 1);
	T_EQ_I(atomic_load(&l.h[LAT_SNAPSHOT][LAT_WHOLE]->max), 2000000);
	T_EQ_I(atomic_load(&l.h[LAT_SNAPSHOT][LAT_BOOK_PUBLISH]->max), 1000000);
	metrics_close(m);
}

int
main(void)
{
	char p[256];

	snprintf(prefix, sizeof prefix, "mptest-lat-%d", (int)getpid());
	T_RUN(t_classes);
	T_RUN(t_stages_add_up);
	snprintf(p, sizeof p, "/dev/shm/%s/metrics.routerd", prefix);
	unlink(p);
	snprintf(p, sizeof p, "/dev/shm/%s", prefix);
	rmdir(p);
	return t_done();
}
