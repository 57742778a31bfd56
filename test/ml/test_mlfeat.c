/*
 * test_mlfeat.c - routerd/mlfeat.c, the book features of ml_features and
 * mpexport's mlfeatures.npy: group parsing (and agreement with the config
 * check), empty sides, subsets, determinism, the exact depth-band edge.
 *
 *   test_mlfeat                 the unit cases
 *   test_mlfeat --dump FILE     print the features of the book in FILE
 *                               ("px_exp qty_exp", then "b|a PX QTY" best
 *                               first) as "name %.17g" lines, for
 *                               mlfeat_ref.py (an independent computation),
 *                               then the requirement's heatmap (100 levels,
 *                               200 bins) and depth image (mlimg.h)
 *   test_mlfeat --flow FILE     the delta flows (mlflow.h, window 100) after
 *                               each delta of FILE ("qty_exp", then "b|a PX
 *                               QTY" level updates, "d" closing a delta),
 *                               one line of MLFL_N %.17g values per delta
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cfg_schemas.h"
#include "mlfeat.h"
#include "mlflow.h"
#include "mlimg.h"
#include "mlive.h"
#include "route.h"
#include "t.h"

static int
find(unsigned g, const char *name)
{
	for (int i = 0; i < mlf_count(g); i++)
		if (!strcmp(mlf_name(g, i), name))
			return i;
	return -1;
}

/* bid 9999.00 / ask 10001.00 (mid 10000), the 10 bps edges exactly on a level */
static const struct rec_level bids[] = {
	{999900, 150000000}, {999500, 200000000}, {999000, 50000000}, {998999, 70000000},
};
static const struct rec_level asks[] = {
	{1000100, 100000000}, {1000500, 30000000}, {1001000, 40000000}, {1001001, 60000000}, {1010000, 5},
};
static const struct mlf_book book = {bids, asks, 4, 5, -2, -8};

static void
t_groups(void)
{
	static const char *const good[] = {"price", "volume,micro", " liquidity , price ", "all",
	    "all,heatmap,depth_image,delta_flow", "delta_flow"};
	static const char *const bad[] = {"", "prices", "price,,x", ",", "volume;micro"};
	char why[160];
	unsigned g;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		T_EQ_I(mlf_parse_groups(good[i], &g, why, sizeof why), 0);
		T_EQ_I(cfg_check_ml_features(good[i], 0, why, sizeof why), 0);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int a = mlf_parse_groups(bad[i], &g, why, sizeof why) < 0;
		int b = cfg_check_ml_features(bad[i], 0, why, sizeof why) < 0;
		T_CHECK(b);
		/* ",": the config check refuses it; the parser finds no group either */
		T_EQ_I(a, b);
	}
	T_EQ_I(mlf_parse_groups("all", &g, why, sizeof why), 0);
	T_EQ_U(g, MLF_G_ALL);
	T_EQ_I(mlf_count(MLF_G_ALL), MLF_NMAX);
	T_EQ_I(mlf_count(MLF_G_PRICE) + mlf_count(MLF_G_VOLUME) + mlf_count(MLF_G_MICRO) + mlf_count(MLF_G_LIQ),
	    MLF_NMAX);
	T_EQ_S(mlf_group_name(MLF_G_ALL, find(MLF_G_ALL, "spread_bps")), "price");
	T_EQ_S(mlf_group_name(MLF_G_ALL, find(MLF_G_ALL, "bid_depth_10bps")), "liquidity");
}

static void
t_empty_side(void)
{
	struct mlf_book b = book;
	double v[MLF_NMAX];

	b.n_asks = 0;
	T_EQ_I(mlf_compute(MLF_G_ALL, &b, v), -1);
	b = book;
	b.n_bids = 0;
	T_EQ_I(mlf_compute(MLF_G_ALL, &b, v), -1);
}

/* A subset is the same values as the full set's columns of that name. */
static void
t_subset(void)
{
	double all[MLF_NMAX], sub[MLF_NMAX];
	unsigned g = MLF_G_VOLUME | MLF_G_LIQ;

	T_EQ_I(mlf_compute(MLF_G_ALL, &book, all), 0);
	T_EQ_I(mlf_compute(g, &book, sub), 0);
	for (int i = 0; i < mlf_count(g); i++)
		T_CHECK(memcmp(&sub[i], &all[find(MLF_G_ALL, mlf_name(g, i))], sizeof(double)) == 0);
}

static void
t_values(void)
{
	double v[MLF_NMAX], w[MLF_NMAX];

	T_EQ_I(mlf_compute(MLF_G_ALL, &book, v), 0);
	T_CHECK(v[find(MLF_G_ALL, "mid")] == 10000.0);
	T_CHECK(v[find(MLF_G_ALL, "spread")] == 2.0);
	T_CHECK(v[find(MLF_G_ALL, "spread_bps")] == 2.0);
	T_CHECK(v[find(MLF_G_ALL, "bid_levels")] == 4 && v[find(MLF_G_ALL, "ask_levels")] == 5);
	/* the level exactly 10 bps from mid is inside, the next tick outside */
	T_CHECK(v[find(MLF_G_ALL, "bid_depth_10bps")] == 4.0);
	T_CHECK(v[find(MLF_G_ALL, "ask_depth_10bps")] == 1.7);
	T_CHECK(v[find(MLF_G_ALL, "bid_volume")] == 4.7);
	T_CHECK(v[find(MLF_G_ALL, "imbalance_l1")] == 0.2);
	/* same input, same bits */
	T_EQ_I(mlf_compute(MLF_G_ALL, &book, w), 0);
	T_CHECK(memcmp(v, w, sizeof v) == 0);
}

/* routerd's ml_features map: the library's doubles, bit for bit after a JSON
 * round trip; only on the full / snapshot bodies it is asked for. */
static void
t_enc_ml(void)
{
	static unsigned char big[200000];
	struct rec_snapshot *sn = (struct rec_snapshot *)big;
	static struct inst_registry reg;   /* static: reachable to the end (allocated) */
	const struct inst *in;
	struct route_msg m = {.body = RB_BOOK, .kind = RK_FULL};
	struct sbuf b = SBUF_INIT;
	struct mlf_book mb;
	double v[MLF_NMAX];
	char err[128];
	json_t *o, *f;
	unsigned g = MLF_G_PRICE | MLF_G_MICRO;

	inst_reg_free(&reg);   /* empty again (static: set up more than once) */
	inst_add(&reg, EX_BINANCE, "BTC-USDT", err, sizeof err);
	in = inst_get(&reg, 1);
	T_CHECK(in != NULL);
	if (!in)
		return;
	rec_hdr_init(&sn->h, REC_SNAPSHOT, in->id, (uint32_t)rec_snapshot_size(5000, 4000));
	sn->kind = SNAP_FULL;
	sn->nchunks = 1;
	sn->n_bids = 5000;
	sn->n_asks = 4000;
	for (uint32_t i = 0; i < 5000; i++)
		sn->lv[i] = (struct rec_level){6173763000000 - (int64_t)i * 1000000, 123456789 + i * 7919};
	for (uint32_t i = 0; i < 4000; i++)
		sn->lv[5000 + i] = (struct rec_level){6173764000000 + (int64_t)i * 3000000, 987654321 - i * 104729};
	mb = (struct mlf_book){sn->lv, sn->lv + 5000, 5000, 4000, in->px_exp, in->qty_exp};
	T_EQ_I(mlf_compute(g, &mb, v), 0);

	T_EQ_I(route_encode_ml(&sn->h, in, &m, &b, NULL, g, 0), 0);
	o = json_loadb(b.p, b.len, 0, NULL);
	T_CHECK(o != NULL);
	f = json_object_get(o, "ml_features");
	T_CHECK(json_is_object(f));
	T_EQ_I(json_object_size(f), mlf_count(g));
	for (int i = 0; i < mlf_count(g); i++) {
		double x = json_number_value(json_object_get(f, mlf_name(g, i)));
		T_CHECK(memcmp(&x, &v[i], sizeof x) == 0);
	}
	json_decref(o);

	/* not asked for: no key at all (the default output is unchanged) */
	sbuf_reset(&b);
	T_EQ_I(route_encode_ml(&sn->h, in, &m, &b, NULL, 0, g), 0);
	T_CHECK(memmem(b.p, b.len, "ml_features", 11) == NULL);
	m.kind = RK_SNAPSHOT;
	sbuf_reset(&b);
	T_EQ_I(route_encode_ml(&sn->h, in, &m, &b, NULL, g, 0), 0);
	T_CHECK(memmem(b.p, b.len, "ml_features", 11) == NULL);
	sbuf_reset(&b);
	T_EQ_I(route_encode_ml(&sn->h, in, &m, &b, NULL, 0, g), 0);
	T_CHECK(memmem(b.p, b.len, "\"ml_features\":{", 15) != NULL);

	/* an empty side: null */
	sn->n_asks = 0;
	sn->h.len = (uint32_t)rec_snapshot_size(5000, 0);
	m.kind = RK_FULL;
	sbuf_reset(&b);
	T_EQ_I(route_encode_ml(&sn->h, in, &m, &b, NULL, g, g), 0);
	o = json_loadb(b.p, b.len, 0, NULL);
	T_CHECK(o && json_is_null(json_object_get(o, "ml_features")) && json_object_get(o, "ml_features"));
	json_decref(o);
	sbuf_free(&b);
}

/* The live replica (mlive.c): anchor, flows against the book, a break, a
 * heartbeat, a refresh merge, re-anchoring by a sync full book. */
static void
t_live_flow(void)
{
	static unsigned char sb[4096], db[1024];
	struct rec_snapshot *sn = (struct rec_snapshot *)sb;
	struct rec_delta *d = (struct rec_delta *)db;
	struct mlv *v = mlv_new(4, 5000, 2);
	double out[MLFL_N];

	T_CHECK(v != NULL);
	memset(sb, 0, sizeof sb);
	rec_hdr_init(&sn->h, REC_SNAPSHOT, 1, (uint32_t)rec_snapshot_size(2, 1));
	sn->kind = SNAP_FULL;
	sn->reason = SNAP_R_SYNC;
	sn->nchunks = 1;
	sn->n_bids = 2;
	sn->n_asks = 1;
	sn->lv[0] = (struct rec_level){100, 50};
	sn->lv[1] = (struct rec_level){99, 20};
	sn->lv[2] = (struct rec_level){101, 30};
	sn->h.last_id = 10;
	/* before any full book: nothing */
	memset(db, 0, sizeof db);
	rec_hdr_init(&d->h, REC_DELTA, 1, (uint32_t)(sizeof *d + 2 * sizeof d->lv[0]));
	d->n_bids = 1;
	d->n_asks = 1;
	d->lv[0] = (struct rec_level){100, 80};   /* bid 50 -> 80: +30 */
	d->lv[1] = (struct rec_level){101, 0};    /* ask 30 removed: -30 */
	d->h.prev_id = 10;
	d->h.last_id = 11;
	T_EQ_I(mlv_record(v, &d->h, -1, out), 0);
	T_EQ_I(mlv_record(v, &sn->h, -1, out), 0);
	T_EQ_I(mlv_record(v, &d->h, -1, out), 1);
	T_CHECK(out[0] == 3.0 && out[1] == -3.0 && out[2] == 6.0 && out[3] == 1.0 && out[4] == 1 && out[5] == 1 &&
	    out[6] == 1);
	/* a refresh merge (first = last = prev = the book id): the replica takes
	 * bid 99 20 -> 22 and a new deep ask, the window does not move */
	d->h.first_id = d->h.prev_id = 11;
	d->lv[0] = (struct rec_level){99, 22};
	d->lv[1] = (struct rec_level){150, 9};
	T_CHECK(rec_delta_is_merge(d));
	T_EQ_I(mlv_record(v, &d->h, -1, out), 1);
	T_CHECK(out[0] == 3.0 && out[1] == -3.0 && out[4] == 1 && out[5] == 1 && out[6] == 1);
	/* a bid change measured against the merged size, a new ask level (its
	 * whole size); window 2 */
	d->h.first_id = -1;
	d->lv[0] = (struct rec_level){99, 25};    /* 22 -> 25: +3 (not +5) */
	d->lv[1] = (struct rec_level){102, 40};   /* +40 */
	d->h.prev_id = 11;
	d->h.last_id = 12;
	T_CHECK(!rec_delta_is_merge(d));
	T_EQ_I(mlv_record(v, &d->h, -1, out), 1);
	T_CHECK(out[0] == 3.3 && out[1] == 1.0 && out[4] == 2 && out[5] == 2 && out[6] == 2);
	/* an OKX heartbeat: the id moves, the window does not */
	d->n_bids = d->n_asks = 0;
	d->h.flags = REC_F_HEARTBEAT;
	d->h.len = (uint32_t)sizeof *d;
	d->h.prev_id = 12;
	d->h.last_id = 13;
	T_EQ_I(mlv_record(v, &d->h, -1, out), 0);
	/* a delta that does not follow: the epoch ends */
	d->h.flags = 0;
	d->n_bids = 1;
	d->h.len = (uint32_t)(sizeof *d + sizeof d->lv[0]);
	d->lv[0] = (struct rec_level){100, 1};
	d->h.prev_id = 20;
	d->h.last_id = 21;
	T_EQ_I(mlv_record(v, &d->h, -1, out), 0);
	T_EQ_U(mlv_breaks(v), 1);
	d->h.prev_id = 13;
	d->h.last_id = 14;
	T_EQ_I(mlv_record(v, &d->h, -1, out), 0);    /* still no epoch */
	/* a periodic full book anchors again; the window starts empty */
	sn->reason = SNAP_R_PERIODIC;
	sn->h.last_id = 30;
	T_EQ_I(mlv_record(v, &sn->h, -1, out), 0);
	d->lv[0] = (struct rec_level){100, 40};   /* 50 -> 40: -10 */
	d->h.prev_id = 30;
	d->h.last_id = 31;
	T_EQ_I(mlv_record(v, &d->h, -1, out), 1);
	T_CHECK(out[0] == -1.0 && out[1] == 0.0 && out[3] == -1.0 && out[6] == 1);
	/* a ring gap ends every epoch */
	mlv_gap(v);
	d->h.prev_id = 31;
	d->h.last_id = 32;
	T_EQ_I(mlv_record(v, &d->h, -1, out), 0);
	/* an instrument id out of range: ignored */
	d->h.inst = 9;
	T_EQ_I(mlv_record(v, &d->h, -1, out), 0);
	mlv_free(v);
}

static int
dump(const char *path)
{
	FILE *f = fopen(path, "r");
	static struct rec_level lv[2][20000];
	struct mlf_book b = {lv[0], lv[1], 0, 0, 0, 0};
	uint32_t *n[2] = {&b.n_bids, &b.n_asks};
	double v[MLF_NMAX];
	char side;
	long long px, qty;

	if (!f || fscanf(f, "%d %d", &b.px_exp, &b.qty_exp) != 2) {
		fprintf(stderr, "test_mlfeat: cannot read %s\n", path);
		return 2;
	}
	while (fscanf(f, " %c %lld %lld", &side, &px, &qty) == 3) {
		int s = side == 'a';
		if (*n[s] >= 20000)
			return 2;
		lv[s][*n[s]].px = px;
		lv[s][(*n[s])++].qty = qty;
	}
	fclose(f);
	if (mlf_compute(MLF_G_ALL, &b, v) < 0) {
		printf("empty\n");
		return 0;
	}
	for (int i = 0; i < MLF_NMAX; i++)
		printf("%s %.17g\n", mlf_name(MLF_G_ALL, i), v[i]);
	{
		static double heat[MLI_BINS * 2], img[MLI_LEVELS * 2];
		double lo, hi;
		if (mli_heatmap(&b, MLI_LEVELS, MLI_BINS, heat, &lo, &hi) < 0 || mli_depth_image(&b, MLI_LEVELS, img) < 0) {
			printf("no_image\n");
			return 0;
		}
		printf("heat_lo %.17g\nheat_hi %.17g\n", lo, hi);
		for (int i = 0; i < MLI_BINS; i++)
			printf("heat_b_%d %.17g\nheat_a_%d %.17g\n", i, heat[2 * i], i, heat[2 * i + 1]);
		for (int i = 0; i < MLI_LEVELS; i++)
			printf("img_b_%d %.17g\nimg_a_%d %.17g\n", i, img[2 * i], i, img[2 * i + 1]);
	}
	return 0;
}

/* The harness keeps the book (prices -> sizes, linear search): the library is given old and new size. */
static int
flow_dump(const char *path)
{
	static struct rec_level lv[2][4096];
	uint32_t n[2] = {0, 0};
	FILE *f = fopen(path, "r");
	struct mlfl fl;
	double out[MLFL_N];
	int qe;
	char c;

	if (!f || fscanf(f, "%d", &qe) != 1 || mlfl_init(&fl, MLFL_WINDOW) < 0) {
		fprintf(stderr, "test_mlfeat: cannot read %s\n", path);
		return 2;
	}
	while (fscanf(f, " %c", &c) == 1) {
		long long px, qty;
		int s = c == 'a';
		uint32_t i;
		if (c == 'd') {
			mlfl_end(&fl);
			mlfl_read(&fl, qe, out);
			for (i = 0; i < MLFL_N; i++)
				printf("%s%.17g", i ? " " : "", out[i]);
			printf("\n");
			continue;
		}
		if (fscanf(f, "%lld %lld", &px, &qty) != 2)
			return 2;
		for (i = 0; i < n[s] && lv[s][i].px != px; i++)
			;
		if (i == n[s]) {
			if (n[s] == 4096)
				return 2;
			lv[s][n[s]++] = (struct rec_level){px, 0};
		}
		mlfl_level(&fl, s, lv[s][i].qty, qty);
		lv[s][i].qty = qty;
	}
	fclose(f);
	mlfl_free(&fl);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--dump"))
		return dump(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "--flow"))
		return flow_dump(argv[2]);
	T_RUN(t_groups);
	T_RUN(t_empty_side);
	T_RUN(t_subset);
	T_RUN(t_values);
	T_RUN(t_enc_ml);
	T_RUN(t_live_flow);
	return t_done();
}
