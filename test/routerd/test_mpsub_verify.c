/* test_mpsub_verify - mpsub's book rebuilder: continuity, epochs, comparison. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"
#include "vparse.h"
#include "t.h"

/* full book at id: bids 100..(100-n+1), asks 101.., qty = q */
static struct vmsg *
full(int64_t id, int new_epoch, uint32_t n, int64_t q)
{
	struct vmsg *m = vmsg_new(n, n);

	m->is_full = 1;
	m->new_epoch = new_epoch;
	m->last = id;
	for (uint32_t i = 0; i < n; i++) {
		m->lv[i] = (struct rec_level){100 - (int64_t)i, q};
		m->lv[n + i] = (struct rec_level){101 + (int64_t)i, q};
	}
	return m;
}

/* delta prev -> last setting bid px to qty */
static struct vmsg *
delta(int64_t prev, int64_t last, int64_t px, int64_t qty)
{
	struct vmsg *m = vmsg_new(1, 0);

	m->prev = prev;
	m->last = last;
	m->lv[0] = (struct rec_level){px, qty};
	return m;
}

/* the full book matching full(id, .., n, q) after bid px was set to qty */
static struct vmsg *
full_with(int64_t id, uint32_t n, int64_t q, int64_t px, int64_t qty)
{
	struct vmsg *m = full(id, 0, n, q);

	for (uint32_t i = 0; i < n; i++)
		if (m->lv[i].px == px)
			m->lv[i].qty = qty;
	return m;
}

/* A delta at the book's id (bookd's deep merge / refresh splice) followed by
 * the full book at that id: the full book is compared after the delta. */
static void
t_same_id_delta_before_full(void)
{
	struct vbook vb;
	struct vmsg *f;

	vbook_init(&vb, "binance", "BTC-USDT", 100);
	vbook_push(&vb, full(10, 1, 5, 7));
	vbook_push(&vb, delta(10, 11, 99, 1));
	f = full_with(11, 5, 7, 99, 1);
	f->lv[2].qty = 9;   /* px 98, set by the same-id delta */
	vbook_push(&vb, f);
	vbook_push(&vb, delta(11, 11, 98, 9));
	vbook_process(&vb, INT64_MAX);
	T_EQ_I(vb.st.mismatches, 0);
	T_EQ_I(vb.st.verified, 1);
	T_EQ_I(vb.st.applied, 2);
	T_EQ_I(vb.st.gaps, 0);
	vbook_free(&vb);
}

static void
t_in_order(void)
{
	struct vbook vb;

	vbook_init(&vb, "binance", "BTC-USDT", 100);
	vbook_push(&vb, full(10, 1, 5, 7));
	vbook_push(&vb, delta(10, 12, 99, 3));
	vbook_push(&vb, delta(12, 15, 98, 4));
	vbook_process(&vb, INT64_MAX);
	T_EQ_I(vb.st.applied, 2);
	T_EQ_I(vb.id, 15);
	T_EQ_I(vb.synced, 1);
	/* the next full book, at 15, equals the rebuilt one */
	struct vmsg *f = full_with(15, 5, 7, 99, 3);
	f->lv[2].qty = 4;   /* px 98 */
	vbook_push(&vb, f);
	vbook_process(&vb, INT64_MAX);
	T_EQ_I(vb.st.verified, 1);
	T_EQ_I(vb.st.mismatches, 0);
	T_EQ_I(vb.st.gaps, 0);
	vbook_free(&vb);
}

/* Full books and deltas come from two consumers: a full book that shows up
 * before the deltas leading to it waits for them. */
static void
t_full_ahead_waits(void)
{
	struct vbook vb;

	vbook_init(&vb, "okx", "ETH-USDT", 100);
	vbook_push(&vb, full(10, 1, 5, 7));
	vbook_push(&vb, full_with(11, 5, 7, 99, 1));
	vbook_process(&vb, INT64_MAX);
	T_EQ_I(vb.st.verified, 0);
	vbook_push(&vb, delta(10, 11, 99, 1));
	vbook_process(&vb, INT64_MAX);
	T_EQ_I(vb.st.verified, 1);
	T_EQ_I(vb.st.mismatches, 0);
	vbook_free(&vb);
}

static void
t_mismatch_detected(void)
{
	struct vbook vb;

	vbook_init(&vb, "okx", "ETH-USDT", 100);
	vbook_push(&vb, full(10, 1, 5, 7));
	vbook_push(&vb, delta(10, 11, 99, 1));
	vbook_push(&vb, full_with(11, 5, 7, 99, 2));   /* says 2, rebuilt says 1 */
	vbook_process(&vb, INT64_MAX);
	/* a refresh merge at 11 may still follow on the delta stream: the
	 * next delta decides */
	T_EQ_I(vb.st.mismatches, 0);
	T_EQ_I(vb.st.verified, 0);
	vbook_push(&vb, delta(11, 12, 97, 3));
	vbook_process(&vb, INT64_MAX);
	T_EQ_I(vb.st.mismatches, 1);
	T_EQ_I(vb.st.applied, 2);
	T_EQ_I(vb.id, 12);
	/* the detail names the rank, the price and both sizes there */
	T_CHECK(strstr(vb.st.first_mismatch, "update 11 bid level 1 price 99: full size 2, rebuilt size 1") != NULL);
	vbook_free(&vb);
}

static void
t_gap_and_recovery(void)
{
	struct vbook vb;

	vbook_init(&vb, "binance", "BTC-USDT", 100);
	vbook_push(&vb, full(10, 1, 5, 7));
	vbook_push(&vb, delta(10, 11, 99, 1));
	vbook_push(&vb, delta(12, 13, 99, 2));   /* 11 -> 12 missing */
	vbook_push(&vb, delta(13, 14, 99, 3));
	vbook_process(&vb, INT64_MAX);
	T_EQ_I(vb.st.gaps, 1);
	T_EQ_I(vb.synced, 0);
	/* a later periodic full book re-syncs the rebuilder */
	vbook_push(&vb, full(20, 0, 5, 7));
	vbook_push(&vb, delta(20, 21, 98, 9));
	vbook_process(&vb, INT64_MAX);
	T_EQ_I(vb.synced, 1);
	T_EQ_I(vb.id, 21);
	T_EQ_I(vb.st.gaps, 1);
	vbook_free(&vb);
}

/* bookd resynced: a "snapshot" full book starts a new epoch, even with a
 * lower id (OKX sequence reset); not a gap. */
static void
t_resync_epoch(void)
{
	struct vbook vb;

	vbook_init(&vb, "okx", "BTC-USDT", 100);
	vbook_push(&vb, full(500, 1, 5, 7));
	vbook_push(&vb, delta(500, 501, 99, 1));
	vbook_push(&vb, full(30, 1, 5, 8));
	vbook_push(&vb, delta(30, 31, 99, 2));
	vbook_process(&vb, INT64_MAX);
	T_EQ_I(vb.st.resyncs, 1);
	T_EQ_I(vb.st.gaps, 0);
	T_EQ_I(vb.st.applied, 2);
	T_EQ_I(vb.id, 31);
	vbook_free(&vb);
}

static void
t_duplicate_delta_is_stale(void)
{
	struct vbook vb;

	vbook_init(&vb, "binance", "BTC-USDT", 100);
	vbook_push(&vb, full(10, 1, 5, 7));
	vbook_push(&vb, delta(10, 11, 99, 1));
	vbook_push(&vb, delta(10, 11, 99, 1));
	vbook_push(&vb, delta(11, 12, 99, 2));
	vbook_process(&vb, INT64_MAX);
	T_EQ_I(vb.st.stale, 1);
	T_EQ_I(vb.st.gaps, 0);
	T_EQ_I(vb.st.applied, 2);
	vbook_free(&vb);
}

/* Levels the rebuilt book holds beyond the full book's last one (bookd's
 * depth limit dropped them) are not a mismatch. */
static void
t_deeper_rebuilt_book_ok(void)
{
	struct vbook vb;

	vbook_init(&vb, "binance", "BTC-USDT", 100);
	vbook_push(&vb, full(10, 1, 5, 7));
	vbook_push(&vb, delta(10, 11, 101, 5));   /* a better bid pushes the worst out at bookd */
	struct vmsg *f = full(11, 0, 5, 7);
	memmove(&f->lv[1], &f->lv[0], 4 * sizeof f->lv[0]);
	f->lv[0] = (struct rec_level){101, 5};
	vbook_push(&vb, f);
	vbook_process(&vb, INT64_MAX);
	T_EQ_I(vb.st.verified, 1);
	T_EQ_I(vb.st.mismatches, 0);
	vbook_free(&vb);
}

/* deltas newer than the horizon wait (their full book may still come) */
static void
t_horizon_holds_fresh_deltas(void)
{
	struct vbook vb;
	struct vmsg *d;

	vbook_init(&vb, "binance", "BTC-USDT", 100);
	vbook_push(&vb, full(10, 1, 5, 7));
	d = delta(10, 11, 99, 1);
	d->t = 100;
	vbook_push(&vb, d);
	d = delta(11, 12, 99, 2);
	d->t = 200;
	vbook_push(&vb, d);
	vbook_process(&vb, 150);
	T_EQ_I(vb.id, 11);
	/* the full book at 11 shows up late: still verified */
	vbook_push(&vb, full_with(11, 5, 7, 99, 1));
	vbook_process(&vb, 250);
	T_EQ_I(vb.st.verified, 1);
	T_EQ_I(vb.st.unverified, 0);
	T_EQ_I(vb.id, 12);
	vbook_free(&vb);
}

/* m with bookd's processed_at set to pt (us) */
static struct vmsg *
at(int64_t pt, struct vmsg *m)
{
	m->pt = pt;
	return m;
}

/* Defect 9: streams holding two demo runs.  mpsim restarts with the same
 * seed, so run 2 goes through the same update ids as run 1, but bookd's book
 * at a given id differs between the runs (it synced at another point, so its
 * deep levels differ).  The full-book stream is read ahead of the delta
 * stream: run 2's snapshot at id 11 sits queued while run 1's deltas bring
 * the rebuilt book to 11.  By ids alone the two are compared (a false
 * mismatch); by bookd's times the snapshot is a later epoch and waits. */
static void
t_two_runs_same_ids(void)
{
	struct vbook vb;

	vbook_init(&vb, "binance", "BTC-USDT", 100);
	vbook_push(&vb, at(1000, full(10, 1, 5, 7)));           /* run 1 */
	vbook_push(&vb, at(2000, full(11, 1, 5, 8)));           /* run 2, same id range */
	struct vmsg *c = at(2002, full_with(12, 5, 8, 97, 3));  /* run 2's periodic full */
	vbook_push(&vb, c);
	vbook_process(&vb, INT64_MAX);
	vbook_push(&vb, at(1001, delta(10, 11, 99, 1)));
	vbook_push(&vb, at(1002, delta(11, 12, 98, 2)));
	vbook_push(&vb, at(1003, delta(12, 13, 97, 9)));
	vbook_process(&vb, INT64_MAX);
	T_EQ_I(vb.st.mismatches, 0);
	T_EQ_I(vb.id, 13);
	vbook_push(&vb, at(2001, delta(11, 12, 97, 3)));
	vbook_process(&vb, INT64_MAX);
	T_EQ_I(vb.st.mismatches, 0);
	T_EQ_I(vb.st.resyncs, 1);
	T_EQ_I(vb.st.gaps, 0);
	T_EQ_I(vb.st.verified, 1);      /* run 2's periodic full against run 2's book */
	T_EQ_I(vb.st.applied, 4);
	T_EQ_I(vb.id, 12);
	vbook_free(&vb);
}

/* The same, when the delta stream no longer holds run 1 (deltas are kept 1 h,
 * full books 24 h): run 1's full books must not become run 2's base, even
 * where their ids equal a run-2 delta's prev_update_id. */
static void
t_old_run_fulls_without_deltas(void)
{
	struct vbook vb;

	vbook_init(&vb, "binance", "ETH-USDT", 100);
	vbook_push(&vb, at(100, full(10, 1, 5, 7)));            /* run 1: fulls only */
	vbook_push(&vb, at(103, full(12, 0, 5, 7)));
	vbook_push(&vb, at(105, full(14, 0, 5, 7)));
	vbook_push(&vb, at(200, full(11, 1, 5, 8)));            /* run 2 */
	vbook_push(&vb, at(201, delta(11, 12, 99, 1)));
	vbook_push(&vb, at(202, delta(12, 13, 98, 2)));
	struct vmsg *f = at(203, full_with(13, 5, 8, 99, 1));
	f->lv[2].qty = 2;   /* px 98 */
	vbook_push(&vb, f);
	vbook_process(&vb, INT64_MAX);
	T_EQ_I(vb.st.mismatches, 0);
	T_EQ_I(vb.st.verified, 1);
	T_EQ_I(vb.st.gaps, 0);
	T_EQ_I(vb.st.applied, 2);
	T_EQ_I(vb.id, 13);
	vbook_free(&vb);
}

/* bookd resyncs (or restarts) to a snapshot at the id the book already has,
 * with other deep levels: a new epoch, adopted, not a mismatch. */
static void
t_resync_at_same_id(void)
{
	struct vbook vb;

	vbook_init(&vb, "okx", "BTC-USDT", 100);
	vbook_push(&vb, at(100, full(10, 1, 5, 7)));
	vbook_push(&vb, at(101, delta(10, 11, 99, 1)));
	vbook_push(&vb, at(200, full(11, 1, 6, 7)));     /* one level deeper: differs */
	vbook_process(&vb, INT64_MAX);
	T_EQ_I(vb.st.mismatches, 0);
	T_EQ_I(vb.st.resyncs, 0);       /* nothing after it yet: it waits */
	vbook_push(&vb, at(201, delta(11, 12, 95, 4)));
	vbook_process(&vb, INT64_MAX);
	T_EQ_I(vb.st.mismatches, 0);
	T_EQ_I(vb.st.resyncs, 1);
	T_EQ_I(vb.st.gaps, 0);
	T_EQ_I(vb.id, 12);
	T_EQ_I(book_count(vb.b, BOOK_BID), 6);
	vbook_free(&vb);
}

/* A delta produced before the epoch the book is in is never applied, even
 * when its ids would chain; a periodic full of an earlier epoch is never
 * compared. */
static void
t_earlier_epoch_ignored(void)
{
	struct vbook vb;

	vbook_init(&vb, "okx", "ETH-USDT", 100);
	vbook_push(&vb, at(500, full(20, 1, 5, 7)));
	vbook_push(&vb, at(501, delta(20, 21, 99, 1)));
	vbook_process(&vb, INT64_MAX);
	vbook_push(&vb, at(300, delta(21, 22, 99, 5)));          /* an older run's */
	vbook_push(&vb, at(301, full_with(21, 5, 9, 99, 5)));     /* an older run's */
	vbook_push(&vb, at(502, delta(21, 22, 98, 2)));
	vbook_process(&vb, INT64_MAX);
	T_EQ_I(vb.st.stale, 1);
	T_EQ_I(vb.st.unverified, 1);
	T_EQ_I(vb.st.mismatches, 0);
	T_EQ_I(vb.st.applied, 2);
	T_EQ_I(vb.id, 22);
	T_EQ_I(book_level(vb.b, BOOK_BID, 1)->qty, 1);
	/* a real difference inside the epoch is still a mismatch */
	struct vmsg *f = at(503, full_with(22, 5, 7, 99, 1));
	vbook_push(&vb, f);         /* lacks the change at 98 */
	vbook_push(&vb, at(504, delta(22, 23, 97, 4)));
	vbook_process(&vb, INT64_MAX);
	T_EQ_I(vb.st.mismatches, 1);
	vbook_free(&vb);
}

/* processed_at is parsed exactly; a message without it still parses (pt 0) */
static void
t_parse_processed_at(void)
{
	static const char body[] =
	    "{\"exchange_name\":\"binance\",\"symbol_name\":\"BTC-USDT\",\"update_type\":\"snapshot\","
	    "\"last_update_id\":7,\"prev_update_id\":null,\"bids\":[{\"price\":\"1.5\",\"quantity\":\"2\"}],"
	    "\"asks\":[],\"processed_at\":\"2026-12-04T18:40:01.000123Z\"}";
	static const char nobody[] =
	    "{\"exchange_name\":\"binance\",\"symbol_name\":\"BTC-USDT\",\"update_type\":\"update\","
	    "\"last_update_id\":8,\"prev_update_id\":7,\"bid_changes\":[],\"ask_changes\":[],"
	    "\"processed_at\":\"yesterday\"}";
	char ex[16], sym[24];
	struct vmsg *m;

	T_EQ_I(vparse_book(body, sizeof body - 1, 1, NULL, ex, sym, &m), 0);
	T_EQ_I(m->pt, 1796409601000123LL);
	T_EQ_I(m->new_epoch, 1);
	free(m);
	T_EQ_I(vparse_book(nobody, sizeof nobody - 1, 0, NULL, ex, sym, &m), 0);
	T_EQ_I(m->pt, 0);
	T_EQ_I(m->prev, 7);
	free(m);
}

/* The e2e failure under load: a Binance refresh splice at 11 (a merge delta
 * at the book's id, then the full book at 11) where the full book is read
 * and past the hold while the merge, published first, is read later on the
 * other consumer (beyond the horizon).  Receive times said "no merge": the
 * full book was compared without it, a false mismatch.  Now the full book's
 * verdict waits for the next delta, and the merge is applied before it is
 * compared again.  A merge bookd produced after the full book is not. */
static void
t_merge_read_after_full(void)
{
	struct vbook vb;
	struct vmsg *f, *d;

	vbook_init(&vb, "binance", "ETH-USDT", 100);
	vbook_push(&vb, at(100, full(10, 1, 5, 7)));
	vbook_push(&vb, at(101, delta(10, 11, 99, 1)));
	vbook_process(&vb, INT64_MAX);
	f = at(102, full_with(11, 5, 7, 99, 1));
	f->lv[3].qty = 6;        /* px 97, set by the merge */
	f->t = 1000;
	vbook_push(&vb, f);
	vbook_process(&vb, 1200);
	T_EQ_I(vb.st.mismatches, 0);
	T_EQ_I(vb.st.verified, 0);
	d = at(102, delta(11, 11, 97, 6));   /* produced with the full book */
	d->t = 1400;                         /* read 400 ms after it */
	vbook_push(&vb, d);
	vbook_process(&vb, 1300);            /* the merge is beyond the horizon */
	T_EQ_I(vb.st.mismatches, 0);
	T_EQ_I(vb.st.verified, 1);
	T_EQ_I(vb.st.late_merges, 1);
	T_EQ_I(vb.st.applied, 2);
	T_EQ_I(book_level(vb.b, BOOK_BID, 3)->qty, 6);
	/* a same-id delta bookd produced after the full book does not excuse it */
	f = at(200, full_with(11, 5, 7, 99, 1));   /* lacks 97 = 6 */
	f->t = 2000;
	vbook_push(&vb, f);
	d = at(201, delta(11, 11, 96, 2));
	d->t = 2000;
	vbook_push(&vb, d);
	vbook_process(&vb, INT64_MAX);
	T_EQ_I(vb.st.mismatches, 1);
	T_CHECK(strstr(vb.st.first_mismatch, "bid level 3 price 97: full size 7, rebuilt size 6") != NULL);
	T_EQ_I(vb.st.applied, 3);
	vbook_free(&vb);
}

int
main(void)
{
	T_RUN(t_in_order);
	T_RUN(t_full_ahead_waits);
	T_RUN(t_mismatch_detected);
	T_RUN(t_gap_and_recovery);
	T_RUN(t_resync_epoch);
	T_RUN(t_duplicate_delta_is_stale);
	T_RUN(t_deeper_rebuilt_book_ok);
	T_RUN(t_horizon_holds_fresh_deltas);
	T_RUN(t_two_runs_same_ids);
	T_RUN(t_old_run_fulls_without_deltas);
	T_RUN(t_resync_at_same_id);
	T_RUN(t_earlier_epoch_ignored);
	T_RUN(t_parse_processed_at);
	T_RUN(t_same_id_delta_before_full);
	T_RUN(t_merge_read_after_full);
	return t_done();
}
