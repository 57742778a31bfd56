/*
 * bench_mlfeat - what ml_features costs routerd ([ml] enabled): the feature
 * computation alone (routerd/mlfeat.c) and the whole body encode with and
 * without the map (route_encode_ml vs route_encode, the baseline), for a
 * 5000 x 5000 full book (orderbook.full) and a 20 x 20 top-N snapshot
 * (orderbook.snapshot, [bookd] topn default).  Each figure is the best of 5
 * timed rounds, the three kinds interleaved (the machine is shared), in us
 * per message.
 * Prints one JSON object per line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mlfeat.h"
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

/* One timed round of `what` (0 = features only, 1 = encode without, 2 = encode with), us per message. */
static double
round_us(const struct rec_snapshot *s, const struct inst *in, int kind, int what, int iters, struct sbuf *b)
{
	struct route_msg m = {.body = RB_BOOK, .kind = kind};
	struct mlf_book mb = {s->lv, s->lv + s->n_bids, s->n_bids, s->n_asks, in->px_exp, in->qty_exp};
	double v[MLF_NMAX];
	static volatile double sink;   /* keeps the feature loop from being optimised away */
	int64_t t0 = mono();

	for (int i = 0; i < iters; i++) {
		if (what == 0) {
			mlf_compute(MLF_G_ALL, &mb, v);
			sink += v[0];
		} else {
			sbuf_reset(b);
			route_encode_ml(&s->h, in, &m, b, NULL, what == 2 ? MLF_G_ALL : 0, what == 2 ? MLF_G_ALL : 0);
		}
	}
	return (double)(mono() - t0) / 1e3 / iters;
}

/* Best of 5 rounds of each, the three interleaved so that they see the same load. */
static void
run(const struct rec_snapshot *s, const struct inst *in, int kind, int iters, double best[3], size_t bytes[3])
{
	struct sbuf b = SBUF_INIT;

	best[0] = best[1] = best[2] = 1e30;
	for (int round = 0; round < 5; round++)
		for (int w = 0; w < 3; w++) {
			double us = round_us(s, in, kind, w, iters, &b);
			if (us < best[w])
				best[w] = us;
			bytes[w] = b.len;
		}
	sbuf_free(&b);
}

int
main(int argc, char **argv)
{
	static unsigned char buf[200000];
	struct inst_registry reg;
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

	memset(&reg, 0, sizeof reg);
	inst_add(&reg, EX_BINANCE, "BTC-USDT", err, sizeof err);
	in = inst_get(&reg, 1);
	if (!in || iters < 1)
		return 2;
	for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
		const struct rec_snapshot *s = make(buf, in, shapes[k].levels, shapes[k].kind);
		int n = iters * shapes[k].scale;
		double t[3];
		size_t by[3];

		run(s, in, shapes[k].rk, n, t, by);
		printf("{\"bench\":\"ml_features\",\"shape\":\"%s\",\"features\":%d,\"features_us\":%.2f,"
		    "\"encode_us_baseline\":%.2f,\"encode_us_with_features\":%.2f,\"encode_overhead_pct\":%.1f,"
		    "\"bytes_baseline\":%zu,\"bytes_with_features\":%zu,\"iterations\":%d}\n",
		    shapes[k].name, MLF_NMAX, t[0], t[1], t[2], t[1] > 0 ? (t[2] - t[1]) / t[1] * 100 : 0, by[1], by[2], n);
	}
	return 0;
}
