/*
 * gen_store - writes a local store holding one book (binance BTC-USDT) that
 * follows the bookd output contract, plus a plain-text dump of exactly what
 * was written, so a test can rebuild the book independently (ref.py).
 *
 *   gen_store --root DIR --dump FILE [--seed N] [--start NS] [--updates N]
 *             [--step-ms MS] [--depth N] [--diverge-at NS --diverge-seed N]
 *             [--gaps 1] [--full-every N] [--topn-every N] [--tick MANTISSA]
 *
 * The book lives on a price grid (tick 0.5, lot 0.00001); every update
 * changes a few levels near the top (size changes, removals, new levels,
 * some inside the spread so the mid moves).  With --gaps 1 it also writes an
 * announced gap (a delta is lost, EV_GAP + EV_RESYNC, then a RESYNC full
 * snapshot after a pause) and an unannounced continuity break.
 * --diverge-at: from the first update at or after that time the random
 * stream is reseeded, so two stores made with different --diverge-seed are
 * identical before it and different after it.
 *
 * Dump lines (mantissas at exponent -8):
 *   D t first last prev heartbeat nb na px qty ...   (bids then asks)
 *   S t kind reason last_id bid_floor ask_ceil nb na px qty ...
 *   N t last_id                                       (a top-N snapshot)
 *   T t side qty
 *   E t code a b
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inst.h"
#include "log.h"
#include "rec.h"
#include "../../stored/store.h"
#include "../../stored/store_write.h"

#define G 6000                 /* grid points */
static int64_t TICK = 50000000LL;  /* 0.5 at exponent -8: 300 levels reach about 30 bps (--tick) */
#define LOT 1000LL             /* 0.00001 */
#define BASE 6000000000000LL   /* 60000.00 */

static int64_t bq[G], aq[G];
static uint64_t rng;
static struct store_writer *w;
static FILE *dump;
static uint64_t seq = 1;
static int64_t last_id = 5000000;
static int64_t tnow;

static uint64_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static double
unif(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static int64_t
rqty(void)
{
	return (int64_t)(1 + rnd() % 5000) * LOT;
}

static int bbi = -1, bai = G, nbid, nask;   /* best indexes and level counts, kept by setq() */

static int
best_bid(void)
{
	return bbi;
}

static int
best_ask(void)
{
	return bai;
}

static int
count(const int64_t *q)
{
	return q == bq ? nbid : nask;
}

static void
setq(int64_t *q, int i, int64_t v)
{
	int *n = q == bq ? &nbid : &nask;

	if (!q[i] && v)
		(*n)++;
	if (q[i] && !v)
		(*n)--;
	q[i] = v;
	if (q == bq) {
		if (v && i > bbi)
			bbi = i;
		while (bbi >= 0 && !bq[bbi])
			bbi--;
	} else {
		if (v && i < bai)
			bai = i;
		while (bai < G && !aq[bai])
			bai++;
	}
}

static void
put(void *rec)
{
	const struct rec_hdr *h = rec;
	char err[512];

	if (store_writer_add(w, 0x5151, seq++, EX_BINANCE, rec, h->len, err, sizeof err) != STORE_W_OK) {
		fprintf(stderr, "gen_store: add: %s\n", err);
		exit(1);
	}
}

static void
stamp(struct rec_hdr *h)
{
	h->recv_ns = tnow;
	h->exch_ns = tnow - 5000000;
	h->stage_ns[STAGE_FEED] = tnow + 10000;
	h->stage_ns[STAGE_BOOK] = tnow + 20000;
}

static void
snapshot(int kind, int reason, int topn)
{
	int nb = count(bq), na = count(aq), i, k;
	struct rec_snapshot *s;
	size_t len;

	if (kind == SNAP_TOPN) {
		nb = nb < topn ? nb : topn;
		na = na < topn ? na : topn;
	}
	len = rec_snapshot_size((uint32_t)nb, (uint32_t)na);
	s = calloc(1, len);
	rec_hdr_init(&s->h, REC_SNAPSHOT, 1, (uint32_t)len);
	s->h.flags = REC_F_SYNCED;
	s->h.last_id = last_id;
	stamp(&s->h);
	s->kind = (uint8_t)kind;
	s->reason = (uint8_t)reason;
	s->nchunks = 1;
	s->n_bids = (uint32_t)nb;
	s->n_asks = (uint32_t)na;
	for (i = G - 1, k = 0; i >= 0 && k < nb; i--)
		if (bq[i]) {
			s->lv[k].px = BASE + i * TICK;
			s->lv[k++].qty = bq[i];
		}
	for (i = 0; i < G && k < nb + na; i++)
		if (aq[i]) {
			s->lv[k].px = BASE + i * TICK;
			s->lv[k++].qty = aq[i];
		}
	if (kind == SNAP_FULL) {
		/* The snapshot covered exactly the levels it lists. */
		s->bid_floor_px = s->lv[nb - 1].px;
		s->ask_ceil_px = s->lv[nb + na - 1].px;
	}
	put(s);
	if (kind == SNAP_TOPN)
		fprintf(dump, "N %" PRId64 " %" PRId64 "\n", tnow, last_id);
	if (kind == SNAP_FULL) {
		fprintf(dump, "S %" PRId64 " %d %d %" PRId64 " %" PRId64 " %" PRId64 " %d %d", tnow, kind, reason,
		    last_id, s->bid_floor_px, s->ask_ceil_px, nb, na);
		for (k = 0; k < nb + na; k++)
			fprintf(dump, " %" PRId64 " %" PRId64, s->lv[k].px, s->lv[k].qty);
		fputc('\n', dump);
	}
	free(s);
}

static void
event(uint16_t code, int64_t a, int64_t b, const char *text)
{
	struct rec_event e;

	memset(&e, 0, sizeof e);
	rec_hdr_init(&e.h, REC_EVENT, 1, sizeof e);
	stamp(&e.h);
	e.code = code;
	e.severity = SEV_WARN;
	e.a = a;
	e.b = b;
	snprintf(e.text, sizeof e.text, "%s", text);
	put(&e);
	fprintf(dump, "E %" PRId64 " %d %" PRId64 " %" PRId64 "\n", tnow, code, a, b);
}

static void
trade(void)
{
	struct rec_trade t;

	memset(&t, 0, sizeof t);
	rec_hdr_init(&t.h, REC_TRADE, 1, sizeof t);
	stamp(&t.h);
	t.px = BASE + best_bid() * TICK;
	t.qty = rqty();
	t.side = (uint8_t)(1 + rnd() % 2);
	t.count = 1;
	t.trade_ns = tnow;
	put(&t);
	fprintf(dump, "T %" PRId64 " %d %" PRId64 "\n", tnow, t.side, t.qty);
}

/* Pick one change; returns 0 if nothing suitable this time. */
static int
change(int bid, int64_t *px, int64_t *qty, const int64_t *done, int ndone)
{
	int bb = best_bid(), ba = best_ask(), i, k, dist = (int)(unif() * unif() * 40);
	int64_t *q = bid ? bq : aq;
	double r = unif();

	if (bid) {
		i = bb - dist;
		if (r < 0.2 && ba - bb > 1)
			i = bb + 1 + (int)(rnd() % (uint64_t)(ba - bb - 1)); /* inside the spread */
	} else {
		i = ba + dist;
		if (r < 0.2 && ba - bb > 1)
			i = ba - 1 - (int)(rnd() % (uint64_t)(ba - bb - 1));
	}
	if (i < 0 || i >= G)
		return 0;
	for (k = 0; k < ndone; k++)
		if (done[k] == BASE + i * TICK)
			return 0;
	if (q[i] && r > 0.2 && r < 0.45 && count(q) > 20) {
		setq(q, i, 0);
	} else {
		if (!q[i] && (r >= 0.2 && r < 0.45))
			return 0;
		setq(q, i, rqty());
	}
	*px = BASE + i * TICK;
	*qty = q[i];
	return 1;
}

/* Apply and (unless lost) write one update. */
static void
update(int write, int heartbeat)
{
	struct rec_level lv[64], b[32], a[32];
	int64_t dpx[64];
	int nb = 0, na = 0, want = heartbeat ? 0 : 1 + (int)(rnd() % 6), tries = 0, k;
	struct rec_delta *d;
	size_t len;
	int64_t prev = last_id;

	while (nb + na < want && tries++ < 50) {
		int bid = rnd() % 2;
		int64_t px, qty;
		if (!change(bid, &px, &qty, dpx, nb + na))
			continue;
		dpx[nb + na] = px;
		if (bid) {
			b[nb].px = px;
			b[nb++].qty = qty;
		} else {
			a[na].px = px;
			a[na++].qty = qty;
		}
	}
	if (!heartbeat)
		last_id += 1 + (int64_t)(rnd() % 3);
	if (!write)
		return;
	memcpy(lv, b, (size_t)nb * sizeof *lv);
	memcpy(lv + nb, a, (size_t)na * sizeof *lv);
	len = rec_delta_size((uint32_t)nb, (uint32_t)na);
	d = calloc(1, len);
	rec_hdr_init(&d->h, REC_DELTA, 1, (uint32_t)len);
	d->h.flags = REC_F_SYNCED | (heartbeat ? REC_F_HEARTBEAT : 0);
	d->h.first_id = heartbeat ? last_id : prev + 1;
	d->h.last_id = last_id;
	d->h.prev_id = prev;
	stamp(&d->h);
	d->n_bids = (uint32_t)nb;
	d->n_asks = (uint32_t)na;
	d->book_bids = (uint32_t)count(bq);
	d->book_asks = (uint32_t)count(aq);
	d->best_bid_px = BASE + best_bid() * TICK;
	d->best_bid_qty = bq[best_bid()];
	d->best_ask_px = BASE + best_ask() * TICK;
	d->best_ask_qty = aq[best_ask()];
	memcpy(d->lv, lv, (size_t)(nb + na) * sizeof *lv);
	put(d);
	fprintf(dump, "D %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %d %d %d", tnow, d->h.first_id,
	    d->h.last_id, d->h.prev_id, heartbeat, nb, na);
	for (k = 0; k < nb + na; k++)
		fprintf(dump, " %" PRId64 " %" PRId64, lv[k].px, lv[k].qty);
	fputc('\n', dump);
	free(d);
}

int
main(int argc, char **argv)
{
	const char *root = NULL, *dumpf = NULL;
	uint64_t seed = 1, dseed = 0;
	int64_t start = 1763596800000000000LL; /* 2025-11-20T00:00:00Z */
	int64_t step = 1000000000LL, diverge = -1;
	long updates = 1000, u;
	int depth = 300, gaps = 0, full_every = 200, topn_every = 25, i, diverged = 0;
	static struct inst_registry reg;   /* static: reachable to the end (allocated) */
	struct store_writer_opts wo;
	char err[512];

	for (i = 1; i + 1 < argc; i += 2) {
		const char *a = argv[i], *v = argv[i + 1];
		if (!strcmp(a, "--root"))
			root = v;
		else if (!strcmp(a, "--dump"))
			dumpf = v;
		else if (!strcmp(a, "--seed"))
			seed = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--start"))
			start = strtoll(v, NULL, 10);
		else if (!strcmp(a, "--updates"))
			updates = strtol(v, NULL, 10);
		else if (!strcmp(a, "--step-ms"))
			step = (int64_t)(strtod(v, NULL) * 1e6);
		else if (!strcmp(a, "--depth"))
			depth = atoi(v);
		else if (!strcmp(a, "--diverge-at"))
			diverge = strtoll(v, NULL, 10);
		else if (!strcmp(a, "--diverge-seed"))
			dseed = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--gaps"))
			gaps = atoi(v);
		else if (!strcmp(a, "--full-every"))
			full_every = atoi(v);
		else if (!strcmp(a, "--topn-every"))
			topn_every = atoi(v);
		else if (!strcmp(a, "--tick"))
			TICK = strtoll(v, NULL, 10);
		else {
			fprintf(stderr, "gen_store: unknown option %s\n", a);
			return 2;
		}
	}
	if (!root || !dumpf || depth < 30 || depth > G / 2 - 100) {
		fprintf(stderr, "usage: gen_store --root DIR --dump FILE [options] (depth 30..%d)\n", G / 2 - 100);
		return 2;
	}
	log_init("gen_store");
	inst_reg_free(&reg);   /* empty again (static: set up more than once) */
	if (!inst_add(&reg, EX_BINANCE, "BTC-USDT", err, sizeof err)) {
		fprintf(stderr, "gen_store: %s\n", err);
		return 1;
	}
	memset(&wo, 0, sizeof wo);
	wo.root = root;
	wo.reg = &reg;
	wo.zstd_level = 1;
	w = store_writer_open(&wo, err, sizeof err);
	dump = fopen(dumpf, "w");
	if (!w || !dump) {
		fprintf(stderr, "gen_store: open: %s\n", w ? dumpf : err);
		return 1;
	}
	rng = seed * 0x9E3779B97F4A7C15ULL + 7;
	for (i = 0; i < depth; i++) {
		setq(bq, G / 2 - 1 - i - (int)(i / 4), rqty());
		setq(aq, G / 2 + 1 + i + (int)(i / 5), rqty());
	}
	tnow = start;
	snapshot(SNAP_FULL, SNAP_R_SYNC, 0);
	for (u = 1; u <= updates; u++) {
		tnow += step / 2 + (int64_t)(rnd() % (uint64_t)step);
		if (diverge >= 0 && !diverged && tnow >= diverge) {
			diverged = 1;
			rng = dseed * 0x9E3779B97F4A7C15ULL + 11;
		}
		if (gaps && u == updates / 3) {
			/* An announced gap: one update lost, bookd says so and resyncs. */
			update(0, 0);
			tnow += step;
			event(EV_GAP, last_id, last_id + 3, "gap");
			event(EV_RESYNC, 0, 0, "sequence gap");
			for (i = 0; i < 5; i++)
				update(0, 0);
			tnow += 7 * step;
			snapshot(SNAP_FULL, SNAP_R_RESYNC, 0);
			continue;
		}
		if (gaps && u == 2 * updates / 3) {
			/* An unannounced break (e.g. records lost in storage): deltas continue. */
			update(0, 0);
			continue;
		}
		if (gaps && u == 2 * updates / 3 + 10) {
			snapshot(SNAP_FULL, SNAP_R_RESYNC, 0);
			continue;
		}
		if (u % 37 == 0)
			update(1, 1);
		else
			update(1, 0);
		if (rnd() % 3 == 0)
			trade();
		if (full_every && u % full_every == 0)
			snapshot(SNAP_FULL, SNAP_R_PERIODIC, 0);
		if (topn_every && u % topn_every == 0)
			snapshot(SNAP_TOPN, SNAP_R_PERIODIC, 20);
	}
	if (store_writer_close(w, err, sizeof err) < 0) {
		fprintf(stderr, "gen_store: close: %s\n", err);
		return 1;
	}
	if (fclose(dump) != 0) {
		perror("gen_store: dump");
		return 1;
	}
	return 0;
}
