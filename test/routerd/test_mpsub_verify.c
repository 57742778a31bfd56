/* test_mpsub_verify - mpsub's book rebuilder: continuity, epochs, comparison. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"
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
	T_EQ_I(vb.st.mismatches, 1);
	T_CHECK(strstr(vb.st.first_mismatch, "bid level 1") != NULL);
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
	return t_done();
}
