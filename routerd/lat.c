/* lat.c - per-stage latency histograms of published messages; see lat.h. */
#include "lat.h"

#include <stdio.h>
#include <string.h>

static const char *const stage_names[LAT_NSTAGE] = {
	"recv_feed", "feed_book", "book_publish", "publish_ack", "whole",
};
static const char *const class_names[LAT_NCLASS] = { "steady", "sync", "snapshot" };

const char *
lat_stage_name(int stage)
{
	return stage >= 0 && stage < LAT_NSTAGE ? stage_names[stage] : "?";
}

const char *
lat_class_name(int cls)
{
	return cls >= 0 && cls < LAT_NCLASS ? class_names[cls] : "?";
}

void
lat_stamps_of(const struct rec_hdr *h, struct lat_stamps *out)
{
	memset(out, 0, sizeof *out);
	out->recv_ns = h->recv_ns;
	out->feed_ns = h->stage_ns[STAGE_FEED];
	out->book_ns = h->stage_ns[STAGE_BOOK];
	switch (h->type) {
	case REC_DELTA:
		out->cls = h->flags & REC_F_BUFFERED ? LAT_SYNC : LAT_STEADY;
		/* no feedd stamp: bookd made it from a REST refresh (the levels
		 * the stream never described), not from a received update */
		if (!out->feed_ns)
			goto made_by_bookd;
		break;
	case REC_TRADE:
	case REC_TICKER:
	case REC_KLINE:
		out->cls = LAT_STEADY;
		break;
	case REC_SNAPSHOT:
made_by_bookd:
		out->cls = LAT_SNAPSHOT;
		out->recv_ns = out->feed_ns = 0;   /* the last update's times: no start */
		break;
	default:
		out->cls = LAT_NONE;
		break;
	}
	if (out->cls != LAT_SNAPSHOT && out->cls != LAT_NONE && out->recv_ns <= 0)
		out->cls = LAT_NONE;               /* nothing to measure from */
}

void
lat_setup(struct lat *l, struct metrics *m)
{
	char lb[96];

	memset(l, 0, sizeof *l);
	for (int c = 0; c < LAT_NCLASS; c++)
		for (int s = 0; s < LAT_NSTAGE; s++) {
			if (c == LAT_SNAPSHOT && (s == LAT_RECV_FEED || s == LAT_FEED_BOOK))
				continue;
			snprintf(lb, sizeof lb, "stage=\"%s\",class=\"%s\"", stage_names[s], class_names[c]);
			l->h[c][s] = metrics_hist(m, "mp_router_stage_latency_seconds", lb,
			    "time per stage of published messages (routerd/lat.h: stages and classes)");
		}
	l->whole_recv = metrics_hist(m, "mp_router_publish_latency_seconds", "",
	    "feedd receive -> JetStream ack of messages made from a received frame (steady + sync)");
}

static void
obs(struct metric_hist *h, int64_t from, int64_t to)
{
	if (h && from > 0 && to > 0)
		metric_observe(h, to - from);
}

void
lat_observe(struct lat *l, const struct lat_stamps *s, int64_t pub_ns, int64_t ack_ns)
{
	struct metric_hist **h;

	if (s->cls >= LAT_NCLASS)
		return;
	h = l->h[s->cls];
	obs(h[LAT_RECV_FEED], s->recv_ns, s->feed_ns);
	obs(h[LAT_FEED_BOOK], s->feed_ns, s->book_ns);
	obs(h[LAT_BOOK_PUBLISH], s->book_ns, pub_ns);
	obs(h[LAT_PUBLISH_ACK], pub_ns, ack_ns);
	if (s->cls == LAT_SNAPSHOT) {
		obs(h[LAT_WHOLE], s->book_ns, ack_ns);
		return;
	}
	obs(h[LAT_WHOLE], s->recv_ns, ack_ns);
	obs(l->whole_recv, s->recv_ns, ack_ns);
}
