/*
 * bench_okx_top5.c - the cost of the OKX books5 audit's top history
 * (bookd/okx_audit.h): after every applied update the keeper copies its top
 * 5 a side into a ring of OA_HIST entries.  Measured per update through the
 * keeper as bookd runs it (bk_input of a 2-level OKX update on a synced
 * 400 + 400-level WS-mode book: sequence rule, apply, quality checks, the
 * output delta), with the history (as bookd runs) and, as the same-run
 * baseline, the same keeper with its audit state freed (k->oa == NULL: no
 * history).  Samples alternate between the two so that load on the shared
 * machine hits both alike.  JSON lines, ns of the thread's CPU time per
 * update (a sample is BATCH updates), p50 and p99 over ITER samples, and the
 * p50 difference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../bookd/okx_audit.h"
#include "../../bookd/sync.h"
#include "bench_keeper.h"
#include "inst.h"
#include "log.h"

#define LEVELS 400
#define ITER 400
#define BATCH 1000

static void
sink_control(void *ud, const struct rec_control *c)
{
	(void)ud;
	(void)c;
}

static double
report(const char *name, int64_t *t, int n, const char *what)
{
	double p50;

	bench_sort(t, n);
	p50 = (double)t[n / 2] / BATCH;
	printf("{\"bench\": \"%s_p50\", \"value\": %.1f, \"unit\": \"ns\", \"what\": \"%s\"}\n", name, p50, what);
	printf("{\"bench\": \"%s_p99\", \"value\": %.1f, \"unit\": \"ns\", \"what\": \"%s\"}\n", name,
	    (double)t[n * 99 / 100] / BATCH, what);
	return p50;
}

/* A synced WS-mode OKX keeper at seqId 10 with LEVELS a side; 0 or -1. */
static int
keeper(struct bk *k, const struct inst *in, struct bk_cfg *cfg, const struct bk_sink *sink, int64_t now)
{
	size_t len = rec_snapshot_size(LEVELS, LEVELS);
	struct rec_snapshot *s = calloc(1, len);

	if (!s || bk_init(k, in, cfg, sink) < 0) {
		free(s);
		return -1;
	}
	bk_start(k, now);
	rec_hdr_init(&s->h, REC_SNAPSHOT, in->id, (uint32_t)len);
	s->h.last_id = 10;
	s->kind = SNAP_WS;
	s->nchunks = 1;
	s->n_bids = s->n_asks = LEVELS;
	for (int i = 0; i < LEVELS; i++) {
		s->lv[i].px = (1000000 - i) * 100000LL;
		s->lv[i].qty = (1 + i % 7) * 100000000LL;
		s->lv[LEVELS + i].px = (1000001 + i) * 100000LL;
		s->lv[LEVELS + i].qty = (1 + i % 5) * 100000000LL;
	}
	bk_input(k, &s->h, now);
	free(s);
	return k->state == BK_SYNCED ? 0 : -1;
}

/* BATCH updates to k, each a bid and an ask near the top; CPU ns. */
static int64_t
batch(struct bk *k, struct rec_delta *d, int64_t now)
{
	int64_t t0 = bench_cpu_ns();

	for (int i = 0; i < BATCH; i++) {
		d->h.prev_id = k->id;
		d->h.first_id = d->h.last_id = k->id + 1;
		d->lv[0].px = (1000000 - (int64_t)(d->h.last_id % 8)) * 100000LL;
		d->lv[0].qty = (1 + d->h.last_id % 9) * 100000000LL;
		d->lv[1].px = (1000001 + (int64_t)(d->h.last_id % 6)) * 100000LL;
		d->lv[1].qty = (2 + d->h.last_id % 5) * 100000000LL;
		bk_input(k, &d->h, now);
	}
	return bench_cpu_ns() - t0;
}

int
main(int argc, char **argv)
{
	static struct inst_registry reg;
	static struct bk with, without;
	static int64_t t_with[ITER], t_without[ITER];
	struct bk_cfg cfg;
	uint64_t bytes = 0;
	struct bk_sink sink = {&bytes, bench_sink_bytes, sink_control};
	const struct inst *in;
	struct rec_delta *d;
	char err[160];
	int64_t now = 1000000000000LL;
	double a, b;

	if (argc > 1) {
		printf("usage: bench_okx_top5\n  JSON lines: ns per OKX update applied with and without the books5 "
		    "top history (bookd/okx_audit.h)\n");
		return strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}
	log_set_level(LOG_ERROR);
	in = inst_get(&reg, inst_add(&reg, EX_OKX, "BTC-USDT", err, sizeof err));
	bk_cfg_defaults(&cfg);
	cfg.okx_deep = 0;        /* no deep requests or as-of levels: the WS book alone */
	cfg.okx_audit_ns = 0;    /* no REST window requests */
	if (!in || keeper(&with, in, &cfg, &sink, now) < 0 || keeper(&without, in, &cfg, &sink, now) < 0) {
		printf("{\"bench\": \"okx_top5_setup\", \"error\": \"keeper not synced\"}\n");
		return 1;
	}
	oa_free(&without);       /* the baseline: no audit state, so no history */
	d = calloc(1, rec_delta_size(1, 1));
	if (!d)
		return 1;
	rec_hdr_init(&d->h, REC_DELTA, in->id, (uint32_t)rec_delta_size(1, 1));
	d->n_bids = d->n_asks = 1;
	for (int i = 0; i < ITER; i++) {
		t_with[i] = batch(&with, d, now);
		t_without[i] = batch(&without, d, now);
	}
	if (with.state != BK_SYNCED || without.state != BK_SYNCED ||
	    with.st.applied != (uint64_t)ITER * BATCH || without.st.applied != (uint64_t)ITER * BATCH) {
		printf("{\"bench\": \"okx_top5\", \"error\": \"not every update applied (%llu, %llu)\"}\n",
		    (unsigned long long)with.st.applied, (unsigned long long)without.st.applied);
		return 1;
	}
	a = report("okx_update_with_top5_history", t_with, ITER,
	    "one 2-level OKX update through the keeper on a synced 400+400-level book, top-5 history kept (as bookd runs)");
	b = report("okx_update_baseline_no_history", t_without, ITER,
	    "baseline, same run: the same keeper and updates with the audit state freed (no top-5 history)");
	printf("{\"bench\": \"okx_top5_history_cost_p50\", \"value\": %.1f, \"unit\": \"ns\", \"what\": "
	    "\"p50 difference per update: the cost of remembering the top 5 a side\"}\n", a - b);
	bk_free(&with);
	bk_free(&without);
	free(d);
	return 0;
}
