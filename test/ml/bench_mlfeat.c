/*
 * bench_mlfeat - what ml_features costs routerd ([ml] enabled): the feature
 * computation alone (routerd/mlfeat.c) and the whole body encode with and
 * without the map (route_encode_ml vs route_encode, the baseline), for a
 * 5000 x 5000 full book (orderbook.full) and a 20 x 20 top-N snapshot
 * (orderbook.snapshot, [bookd] topn default).  Each figure is the best of 5
 * timed rounds, the three kinds interleaved (the machine is shared), in us
 * per message.  The same for the requirement's images ([ml] features
 * heatmap,depth_image: routerd/mlimg.c alone, and the encode with features +
 * ml_images), and the delta flows (routerd/mlflow.c) per delta of a given
 * number of level changes, against the plain delta encode (route_encode of
 * the same REC_DELTA) as the baseline; and the market-data features
 * ([ml] features market: routerd/mlmkt.c mlm_set_record per ticker /
 * funding record) against the plain encode of the same record.
 * Prints one JSON object per line.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enc.h"
#include "mlfeat.h"
#include "mlflow.h"
#include "mlimg.h"
#include "mlive.h"
#include "mlmkt.h"
#include "route.h"

static int64_t
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct rec_snapshot *
make(unsigned char *buf, const struct inst *in, uint32_t n, int kind)
{
	struct rec_snapshot *s = (struct rec_snapshot *)buf;

	memset(s, 0, sizeof *s);
	rec_hdr_init(&s->h, REC_SNAPSHOT, in->id, (uint32_t)rec_snapshot_size(n, n));
	s->kind = (uint8_t)kind;
	s->reason = kind == SNAP_FULL ? SNAP_R_PERIODIC : SNAP_R_NONE;
	s->nchunks = 1;
	s->n_bids = s->n_asks = n;
	for (uint32_t i = 0; i < n; i++) {
		s->lv[i] = (struct rec_level){6173763000000 - (int64_t)i * 1000000, 12345678 + i * 7919};
		s->lv[n + i] = (struct rec_level){6173764000000 + (int64_t)i * 1000000, 87654321 + i * 104729};
	}
	s->h.last_id = 1;
	s->h.exch_ns = s->h.recv_ns = s->h.stage_ns[STAGE_BOOK] = 1764800000000000000LL;
	return s;
}

#define KINDS 5
/* One timed round of `what` (0 = features only, 1 = encode without, 2 = encode with, 3 = images only,
 * 4 = encode with features and images), us per message. */
static double
round_us(const struct rec_snapshot *s, const struct inst *in, int kind, int what, int iters, struct sbuf *b)
{
	struct route_msg m = {.body = RB_BOOK, .kind = kind};
	struct mlf_book mb = {s->lv, s->lv + s->n_bids, s->n_bids, s->n_asks, in->px_exp, in->qty_exp};
	double v[MLF_NMAX], heat[MLI_BINS * 2], img[MLI_LEVELS * 2];
	static volatile double sink;   /* keeps the feature loop from being optimised away */
	int64_t t0 = mono();

	for (int i = 0; i < iters; i++) {
		if (what == 0) {
			mlf_compute(MLF_G_ALL, &mb, v);
			sink += v[0];
		} else if (what == 3) {
			mli_heatmap(&mb, MLI_LEVELS, MLI_BINS, heat, NULL, NULL);
			mli_depth_image(&mb, MLI_LEVELS, img);
			sink += heat[0] + img[0];
		} else {
			unsigned g = what == 2 ? MLF_G_ALL : what == 4 ? MLF_G_ALL | MLF_G_IMAGES : 0;
			sbuf_reset(b);
			route_encode_ml(&s->h, in, &m, b, NULL, g, g);
		}
	}
	return (double)(mono() - t0) / 1e3 / iters;
}

/* Best of 5 rounds of each, the three interleaved so that they see the same load. */
static void
run(const struct rec_snapshot *s, const struct inst *in, int kind, int iters, double best[KINDS], size_t bytes[KINDS])
{
	struct sbuf b = SBUF_INIT;

	for (int w = 0; w < KINDS; w++)
		best[w] = 1e30;
	for (int round = 0; round < 5; round++)
		for (int w = 0; w < KINDS; w++) {
			double us = round_us(s, in, kind, w, iters, &b);
			if (us < best[w])
				best[w] = us;
			bytes[w] = b.len;
		}
	sbuf_free(&b);
}

/* us per encode of one record (route_encode), with append(b, v) after it
 * when append is set: n encodes timed, *best keeps the lowest round. */
static void
time_encode(const struct rec_hdr *h, const struct inst *in, const struct route_msg *m, struct sbuf *b, int n,
    int (*append)(struct sbuf *, const double *), const double *v, double *best)
{
	int64_t t0 = mono();
	double us;

	for (int i = 0; i < n; i++) {
		sbuf_reset(b);
		route_encode(h, in, m, b, NULL);
		if (append)
			append(b, v);
	}
	us = (double)(mono() - t0) / 1e3 / n;
	if (us < *best)
		*best = us;
}

/* Delta flows per delta of `nl` level changes, as routerd computes them live
 * (mlive.c: the replica of a 5000 x 5000 book, bookd's engine, lookup + apply
 * per level, then the window), against the encode of the same delta (the
 * per-delta work routerd does without them).  Best of 5 interleaved rounds, us
 * per delta. */
static void
bench_flow(const struct inst *in, const struct rec_snapshot *full, int iters)
{
	struct mlv *v = mlv_new(1, 5000, MLFL_WINDOW);
	int64_t id = full->h.last_id;

	static unsigned char buf[4096];
	static const int sizes[] = {2, 10, 50};
	struct rec_delta *d = (struct rec_delta *)buf;
	struct route_msg m = {.body = RB_BOOK, .kind = RK_DELTA};
	struct sbuf b = SBUF_INIT;
	double out[MLFL_N];
	static volatile double sink;

	if (!v)
		return;
	mlv_record(v, &full->h, in->qty_exp, out);   /* anchors the replica */
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		int nl = sizes[k];
		double best[3] = {1e30, 1e30, 1e30};

		memset(buf, 0, sizeof buf);
		rec_hdr_init(&d->h, REC_DELTA, in->id, (uint32_t)(sizeof *d + (size_t)nl * sizeof d->lv[0]));
		d->n_bids = (uint32_t)(nl / 2);
		d->n_asks = (uint32_t)(nl - nl / 2);
		/* bids at bid levels 0.., asks at ask levels 0.. of the full book */
		for (int i = 0; i < nl; i++)
			d->lv[i] = i < nl / 2 ? full->lv[i] : full->lv[full->n_bids + (i - nl / 2)];
		d->h.first_id = d->h.last_id = 2;
		d->h.prev_id = 1;
		d->h.exch_ns = d->h.recv_ns = d->h.stage_ns[STAGE_BOOK] = 1764800000000000000LL;
		for (int round = 0; round < 5; round++) {
			int64_t t0 = mono();
			for (int i = 0; i < iters; i++) {
				/* prices of the book, sizes that change every delta */
				for (int j = 0; j < nl; j++)
					d->lv[j].qty = 12345678 + (int64_t)(i & 1) * 1000 + j;
				d->h.prev_id = id;
				d->h.last_id = ++id;
				if (mlv_record(v, &d->h, in->qty_exp, out) != 1)
					return;   /* the replica must have applied it: a broken bench prints nothing */
				sink += out[3];
			}
			double us = (double)(mono() - t0) / 1e3 / iters;
			if (us < best[0])
				best[0] = us;
			time_encode(&d->h, in, &m, &b, iters / 10, NULL, NULL, &best[1]);
			time_encode(&d->h, in, &m, &b, iters / 10, enc_append_ml_flow, out, &best[2]);
		}
		printf("{\"bench\":\"ml_delta_flow\",\"levels_per_delta\":%d,\"window\":%d,\"flow_us_per_delta\":%.4f,"
		    "\"delta_encode_us_baseline\":%.3f,\"delta_encode_us_with_ml_flow\":%.3f,\"overhead_pct\":%.1f,"
		    "\"iterations\":%d}\n", nl, MLFL_WINDOW, best[0], best[1], best[2],
		    best[1] > 0 ? (best[0] + best[2] - best[1]) / best[1] * 100 : 0, iters);
	}
	mlv_free(v);
	sbuf_free(&b);
}

/* The market-data features per MARKET_DATA record: mlm_set_record (fold +
 * read) alone, the plain encode of the record (baseline) and the encode with
 * ml_features appended.  A ticker (spot and derivatives) and a funding
 * record (derivatives); best of 5 rounds, us per record. */
static void
bench_market(const struct inst *in, int iters)
{
	struct mlm_set *ms = mlm_set_new(1);
	struct rec_ticker t;
	struct rec_market mk;
	struct sbuf b = SBUF_INIT;
	double out[MLM_N];
	static volatile double sink;
	const struct {
		const char *name;
		struct rec_hdr *h;
		struct route_msg m;
	} recs[] = {
		{"ticker", &t.h, {.body = RB_TICKER, .kind = RK_TICKER}},
		{"funding_rate", &mk.h, {.body = RB_MARKET, .kind = RK_FUNDING}},
	};

	if (!ms)
		return;
	memset(&t, 0, sizeof t);
	rec_hdr_init(&t.h, REC_TICKER, in->id, sizeof t);
	t.have = TICK_BBO | TICK_LAST | TICK_24H;
	t.bid_px = 6000000000000LL, t.ask_px = 6000001000000LL, t.bid_qty = t.ask_qty = 100000000;
	t.last_px = 6000000500000LL, t.last_qty = 1000000;
	t.open_24h = 5900000000000LL, t.high_24h = 6100000000000LL, t.low_24h = 5800000000000LL;
	t.vol_24h = 123456789012LL, t.volq_24h = 7407407340720000LL;
	t.h.exch_ns = t.h.recv_ns = t.h.stage_ns[STAGE_BOOK] = 1764800000000000000LL;
	rec_market_init(&mk, in->id, MK_FUNDING);
	mk.funding_rate = 100000000000000LL;   /* 0.0001 at MKT_RATE_EXP */
	mk.settle_ns = 1764806400000000000LL;
	mk.funding_interval_s = 28800;
	mk.h.exch_ns = mk.h.recv_ns = mk.h.stage_ns[STAGE_BOOK] = 1764800000000000000LL;
	for (size_t k = 0; k < sizeof recs / sizeof recs[0]; k++) {
		double best[3] = {1e30, 1e30, 1e30};

		for (int round = 0; round < 5; round++) {
			int64_t t0 = mono();
			for (int i = 0; i < iters; i++) {
				if (mlm_set_record(ms, recs[k].h, in->px_exp, in->qty_exp, out) != 1)
					return;   /* not folded: a broken bench prints nothing */
				sink += out[1];
			}
			double us = (double)(mono() - t0) / 1e3 / iters;
			if (us < best[0])
				best[0] = us;
			time_encode(recs[k].h, in, &recs[k].m, &b, iters / 10, NULL, NULL, &best[1]);
			time_encode(recs[k].h, in, &recs[k].m, &b, iters / 10, enc_append_ml_market, out, &best[2]);
		}
		printf("{\"bench\":\"ml_market\",\"record\":\"%s\",\"features\":%d,\"features_us_per_record\":%.4f,"
		    "\"encode_us_baseline\":%.3f,\"encode_us_with_ml_features\":%.3f,\"overhead_pct\":%.1f,"
		    "\"iterations\":%d}\n", recs[k].name, MLM_N, best[0], best[1], best[2],
		    best[1] > 0 ? (best[0] + best[2] - best[1]) / best[1] * 100 : 0, iters);
	}
	mlm_set_free(ms);
	sbuf_free(&b);
}

/* The basis columns (mlbasis.h): mlm_set_record of a mark_price record of a
 * swap with the pairing to its spot book (fold + read + basis) against the
 * same set without basis (baseline), interleaved rounds, best of 5. */
static void
bench_basis(int iters)
{
	struct inst_registry reg;
	struct mlm_set *with = mlm_set_new(2), *without = mlm_set_new(2);
	struct mlb *b = NULL;
	struct rec_delta d;
	struct rec_market mk;
	double out[MLM_N], best[2] = {1e30, 1e30};
	static volatile double sink;
	char err[160];
	const struct inst *sw;

	inst_reg_init(&reg, 0);
	if (!with || !without || inst_add(&reg, EX_OKX, "BTC-USDT", err, sizeof err) != 1 ||
	    inst_add(&reg, EX_OKX, "BTC-USDT-SWAP", err, sizeof err) != 2 ||
	    !(b = mlb_new(&reg, "", 2000000000LL, err, sizeof err)))
		goto out;
	mlm_set_basis(with, b);
	sw = inst_get(&reg, 2);
	memset(&d, 0, sizeof d);
	rec_hdr_init(&d.h, REC_DELTA, 1, sizeof d);
	d.h.flags = REC_F_SYNCED;
	d.h.stage_ns[STAGE_BOOK] = 1764800000000000000LL;
	d.best_bid_px = 6000000000000LL, d.best_ask_px = 6000001000000LL;
	mlm_set_record(with, &d.h, inst_get(&reg, 1)->px_exp, inst_get(&reg, 1)->qty_exp, out);
	rec_market_init(&mk, 2, MK_MARK);
	mk.mark_px = 6000300000000LL;
	mk.h.stage_ns[STAGE_BOOK] = 1764800000001000000LL;
	for (int round = 0; round < 5; round++) {
		for (int k = 0; k < 2; k++) {
			struct mlm_set *s = k ? without : with;
			int64_t t0 = mono();
			for (int i = 0; i < iters; i++) {
				if (mlm_set_record(s, &mk.h, sw->px_exp, sw->qty_exp, out) != 1)
					goto out;   /* not folded: a broken bench prints nothing */
				sink += out[MLM_OWN + 2];
			}
			double us = (double)(mono() - t0) / 1e3 / iters;
			if (us < best[k])
				best[k] = us;
		}
	}
	mlm_set_record(with, &mk.h, sw->px_exp, sw->qty_exp, out);
	if (isnan(out[MLM_OWN + 2]))
		goto out;   /* no basis computed: the bench would time the wrong path */
	printf("{\"bench\":\"ml_market_basis\",\"record\":\"mark_price\",\"features\":%d,"
	    "\"us_per_record_with_basis\":%.4f,\"us_per_record_baseline_without\":%.4f,\"iterations\":%d}\n",
	    MLM_N, best[0], best[1], iters);
out:
	mlm_set_free(with);   /* frees b */
	mlm_set_free(without);
	inst_reg_free(&reg);
}

int
main(int argc, char **argv)
{
	static unsigned char buf[200000];
	static struct inst_registry reg;   /* static: reachable to the end (allocated) */
	const struct inst *in;
	char err[128];
	int iters = argc > 1 ? atoi(argv[1]) : 200;
	static const struct {
		const char *name;
		uint32_t levels;
		int kind, rk, scale;
	} shapes[] = {
		{"full_5000x5000", 5000, SNAP_FULL, RK_FULL, 1},
		{"snapshot_20x20", 20, SNAP_TOPN, RK_SNAPSHOT, 100},
	};

	inst_reg_free(&reg);   /* empty again (static: set up more than once) */
	inst_add(&reg, EX_BINANCE, "BTC-USDT", err, sizeof err);
	in = inst_get(&reg, 1);
	if (!in || iters < 1)
		return 2;
	for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
		const struct rec_snapshot *s = make(buf, in, shapes[k].levels, shapes[k].kind);
		int n = iters * shapes[k].scale;
		double t[KINDS];
		size_t by[KINDS];

		run(s, in, shapes[k].rk, n, t, by);
		printf("{\"bench\":\"ml_features\",\"shape\":\"%s\",\"features\":%d,\"features_us\":%.2f,"
		    "\"encode_us_baseline\":%.2f,\"encode_us_with_features\":%.2f,\"encode_overhead_pct\":%.1f,"
		    "\"bytes_baseline\":%zu,\"bytes_with_features\":%zu,\"iterations\":%d}\n",
		    shapes[k].name, MLF_NMAX, t[0], t[1], t[2], t[1] > 0 ? (t[2] - t[1]) / t[1] * 100 : 0, by[1], by[2], n);
		printf("{\"bench\":\"ml_images\",\"shape\":\"%s\",\"heatmap\":\"%dx%d\",\"depth_image\":%d,"
		    "\"images_us\":%.2f,\"encode_us_baseline\":%.2f,\"encode_us_with_features_and_images\":%.2f,"
		    "\"encode_overhead_pct\":%.1f,\"bytes_baseline\":%zu,\"bytes_with_features_and_images\":%zu,"
		    "\"iterations\":%d}\n", shapes[k].name, MLI_LEVELS, MLI_BINS, MLI_LEVELS, t[3], t[1], t[4],
		    t[1] > 0 ? (t[4] - t[1]) / t[1] * 100 : 0, by[1], by[4], n);
	}
	bench_flow(in, make(buf, in, 5000, SNAP_FULL), iters * 1000);
	bench_market(in, iters * 1000);
	bench_basis(iters * 1000);
	return 0;
}
