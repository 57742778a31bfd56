/*
 * bench_splice.c - the cost of one Binance deep refresh: a 5000-level-per-side
 * refresh spliced into a synced 5000-level book (bookd/splice.h), through the
 * keeper as bookd runs it (bk_input of the REST snapshot: validation, the
 * touched set from the change log, the merge walk, the output deltas and the
 * SNAP_FULL that follows), next to a baseline: replacing both sides with
 * book_set_side (what a resync's install costs, without its outputs).
 * 500 updates after L touch the book, so the touched set is not empty.
 * JSON lines, microseconds of the thread's CPU time (the machine is shared:
 * wall time would measure preemption), p50 and p99 over ITER runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../bookd/sync.h"
#include "bench_keeper.h"
#include "inst.h"
#include "log.h"

#define LEVELS 5000
#define ITER 300
#define NTOUCH 500

static void
report(const char *name, int64_t *t, int n, const char *what)
{
	bench_sort(t, n);
	printf("{\"bench\": \"%s_p50\", \"value\": %.1f, \"unit\": \"us\", \"what\": \"%s\"}\n", name,
	    (double)t[n / 2] / 1e3, what);
	printf("{\"bench\": \"%s_p99\", \"value\": %.1f, \"unit\": \"us\", \"what\": \"%s\"}\n", name,
	    (double)t[n * 99 / 100] / 1e3, what);
}

static struct rec_snapshot *
mk_snapshot(const struct inst *in, int64_t id)
{
	size_t len = rec_snapshot_size(LEVELS, LEVELS);
	struct rec_snapshot *s = calloc(1, len);

	rec_hdr_init(&s->h, REC_SNAPSHOT, in->id, (uint32_t)len);
	s->h.last_id = id;
	s->kind = SNAP_REST;
	s->nchunks = 1;
	s->n_bids = s->n_asks = LEVELS;
	for (int i = 0; i < LEVELS; i++) {
		s->lv[i].px = (1000000 - i) * 100000LL;                 /* bids, best first */
		s->lv[i].qty = (1 + i % 7) * 100000000LL;
		s->lv[LEVELS + i].px = (1000001 + i) * 100000LL;        /* asks, best first */
		s->lv[LEVELS + i].qty = (1 + i % 5) * 100000000LL;
	}
	return s;
}

int
main(void)
{
	static struct inst_registry reg;
	static struct bk k;
	struct bk_cfg cfg;
	uint64_t bytes = 0;
	struct bk_sink sink = {&bytes, bench_sink_bytes, NULL};
	const struct inst *in;
	struct rec_snapshot *s;
	struct rec_delta *d;
	static int64_t t_splice[ITER], t_base[ITER];
	struct book *b;
	char err[160];
	int64_t now = 1000000000000LL;

	log_set_level(LOG_ERROR);
	in = inst_get(&reg, inst_add(&reg, EX_BINANCE, "BTC-USDT", err, sizeof err));
	bk_cfg_defaults(&cfg);
	cfg.refresh_interval_ns = 0;          /* no requests: the refreshes are handed in */
	if (!in || bk_init(&k, in, &cfg, &sink) < 0)
		return 1;
	bk_start(&k, now);
	/* sync at 1000: one buffered update, then the snapshot */
	d = calloc(1, rec_delta_size(1, 0));
	rec_hdr_init(&d->h, REC_DELTA, in->id, (uint32_t)rec_delta_size(1, 0));
	d->n_bids = 1;
	d->h.first_id = 1000;
	d->h.last_id = 1001;
	d->lv[0].px = 1000000 * 100000LL;
	d->lv[0].qty = 3 * 100000000LL;
	bk_input(&k, &d->h, now);
	s = mk_snapshot(in, 1000);
	bk_input(&k, &s->h, now);
	/* updates after L = 1000 touch NTOUCH levels near the top */
	for (int i = 1; i < NTOUCH; i++) {
		d->h.first_id = d->h.last_id = 1001 + i;
		d->lv[0].px = (1000000 - i) * 100000LL;
		d->lv[0].qty = 9 * 100000000LL;
		bk_input(&k, &d->h, now);
	}
	if (k.state != BK_SYNCED || book_count(k.book, BOOK_BID) != LEVELS) {
		printf("{\"bench\": \"splice_setup\", \"error\": \"book not synced with %d levels\"}\n", LEVELS);
		return 1;
	}
	for (int i = 0; i < ITER; i++) {
		int64_t t0 = bench_cpu_ns();
		bk_input(&k, &s->h, now);
		t_splice[i] = bench_cpu_ns() - t0;
	}
	if (k.st.refreshes != ITER || k.st.refresh_discrepancies) {
		printf("{\"bench\": \"splice\", \"error\": \"refreshes %llu discrepancies %llu\"}\n",
		    (unsigned long long)k.st.refreshes, (unsigned long long)k.st.refresh_discrepancies);
		return 1;
	}
	b = book_new(LEVELS);
	for (int i = 0; i < ITER; i++) {
		int64_t t0 = bench_cpu_ns();
		book_set_side(b, BOOK_BID, s->lv, LEVELS, NULL);
		book_set_side(b, BOOK_ASK, s->lv + LEVELS, LEVELS, NULL);
		t_base[i] = bench_cpu_ns() - t0;
	}
	report("refresh_splice_5000", t_splice, ITER,
	    "one 5000+5000-level refresh spliced into a synced 5000+5000-level book, 500 levels touched after L, with its SNAP_FULL output");
	report("refresh_baseline_set_side_5000", t_base, ITER,
	    "baseline: both sides replaced with book_set_side (5000 levels each)");
	book_free(b);
	bk_free(&k);
	free(s);
	free(d);
	return 0;
}
