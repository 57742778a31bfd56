/*
 * bench_okx_deep.c - the cost of one OKX books-full merge (bookd/sync_okx.c
 * so_deep): the record bookd handles longest on the live path (issue 12:
 * bookd's mp_bookd_loop_seconds{phase="snapshot"}), and while it runs every
 * venue's records wait in the feed rings.  Measured through the keeper as
 * bookd runs it: bk_input of a SNAP_DEEP record of DEEP levels a side on a
 * synced WS-mode book (400 levels a side from the WS channel, then the first
 * merge to DEEP), each merge changing every 20th deep level's size and, on
 * every other merge, leaving out every 97th level (the book drops and takes
 * them back), so each merge has a few hundred changes as the real books-full
 * polls do.  The output (the changes as a delta, a full book) goes to a sink
 * that only counts bytes.  JSON lines, CPU ns of the thread per merge, p50
 * and p99 over ITER merges, and the output bytes per merge.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bookd/sync.h"
#include "bench_keeper.h"
#include "inst.h"
#include "log.h"

#define WS 400
#define DEEP 5000
#define ITER 300

static void
sink_control(void *ud, const struct rec_control *c)
{
	(void)ud;
	(void)c;
}

static int64_t
bid_px(int i)
{
	return (1000000 - i) * 100000LL;
}

static int64_t
ask_px(int i)
{
	return (1000001 + i) * 100000LL;
}

/* A SNAP_DEEP record for merge m into s (room for DEEP a side). */
static void
deep_rec(struct rec_snapshot *s, const struct inst *in, int m)
{
	uint32_t nb = 0, na = 0;
	struct rec_level bids[DEEP], asks[DEEP];

	for (int i = 0; i < DEEP; i++) {
		int64_t q = (1 + i % 7) * 100000000LL + (i % 20 == m % 20 ? m : 0);
		if (i >= WS && m % 2 && i % 97 == 0)
			continue;
		bids[nb].px = bid_px(i);
		bids[nb++].qty = q;
		asks[na].px = ask_px(i);
		asks[na++].qty = q;
	}
	memset(s, 0, rec_snapshot_size(DEEP, DEEP));
	rec_hdr_init(&s->h, REC_SNAPSHOT, in->id, (uint32_t)rec_snapshot_size(nb, na));
	s->h.recv_ns = 1000000000000LL + m;
	s->kind = SNAP_DEEP;
	s->nchunks = 1;
	s->n_bids = nb;
	s->n_asks = na;
	memcpy(s->lv, bids, nb * sizeof *bids);
	memcpy(s->lv + nb, asks, na * sizeof *asks);
}

/* A synced WS-mode OKX keeper at seqId 10 with WS levels a side; 0 or -1. */
static int
keeper(struct bk *k, const struct inst *in, struct bk_cfg *cfg, const struct bk_sink *sink, int64_t now)
{
	struct rec_snapshot *s = calloc(1, rec_snapshot_size(WS, WS));

	if (!s || bk_init(k, in, cfg, sink) < 0) {
		free(s);
		return -1;
	}
	bk_start(k, now);
	rec_hdr_init(&s->h, REC_SNAPSHOT, in->id, (uint32_t)rec_snapshot_size(WS, WS));
	s->h.last_id = 10;
	s->kind = SNAP_WS;
	s->nchunks = 1;
	s->n_bids = s->n_asks = WS;
	for (int i = 0; i < WS; i++) {
		s->lv[i].px = bid_px(i);
		s->lv[i].qty = (1 + i % 7) * 100000000LL;
		s->lv[WS + i].px = ask_px(i);
		s->lv[WS + i].qty = (1 + i % 7) * 100000000LL;
	}
	bk_input(k, &s->h, now);
	free(s);
	return k->state == BK_SYNCED ? 0 : -1;
}

int
main(int argc, char **argv)
{
	static struct inst_registry reg;
	static struct bk k;
	static int64_t t[ITER];
	struct bk_cfg cfg;
	uint64_t bytes = 0, b0;
	struct bk_sink sink = {&bytes, bench_sink_bytes, sink_control};
	const struct inst *in;
	struct rec_snapshot *s;
	char err[160];
	int64_t now = 1000000000000LL;

	if (argc > 1) {
		printf("usage: bench_okx_deep\n  JSON lines: CPU ns per OKX books-full merge of %d levels a side "
		    "into a synced book (bookd/sync_okx.c so_deep)\n", DEEP);
		return strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}
	log_set_level(LOG_ERROR);
	in = inst_get(&reg, inst_add(&reg, EX_OKX, "BTC-USDT", err, sizeof err));
	bk_cfg_defaults(&cfg);
	cfg.okx_audit_ns = 0;    /* no REST window requests */
	s = malloc(rec_snapshot_size(DEEP, DEEP));
	if (!in || !s || keeper(&k, in, &cfg, &sink, now) < 0) {
		printf("{\"bench\": \"okx_deep_setup\", \"error\": \"keeper not synced\"}\n");
		return 1;
	}
	deep_rec(s, in, 0);
	bk_input(&k, &s->h, now);     /* the first merge fills the deep levels */
	b0 = bytes;
	for (int m = 1; m <= ITER; m++) {
		int64_t t0;
		deep_rec(s, in, m);
		t0 = bench_cpu_ns();
		bk_input(&k, &s->h, now);
		t[m - 1] = bench_cpu_ns() - t0;
	}
	if (k.state != BK_SYNCED || k.st.deep_merges != ITER + 1 || book_count(k.book, BOOK_BID) != DEEP) {
		printf("{\"bench\": \"okx_deep\", \"error\": \"merges not applied (%llu merges, %u bids)\"}\n",
		    (unsigned long long)k.st.deep_merges, book_count(k.book, BOOK_BID));
		return 1;
	}
	bench_sort(t, ITER);
	printf("{\"bench\": \"okx_deep_merge_p50\", \"value\": %.1f, \"unit\": \"us\", \"what\": \"CPU per books-full "
	    "merge of %d levels a side into a synced %d-level book, with its output (changes + full book)\"}\n",
	    t[ITER / 2] / 1e3, DEEP, DEEP);
	printf("{\"bench\": \"okx_deep_merge_p99\", \"value\": %.1f, \"unit\": \"us\"}\n", t[ITER * 99 / 100] / 1e3);
	printf("{\"bench\": \"okx_deep_merge_out_bytes\", \"value\": %llu, \"unit\": \"bytes\"}\n",
	    (unsigned long long)((bytes - b0) / ITER));
	bk_free(&k);
	free(s);
	return 0;
}
