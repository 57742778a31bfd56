/* req.c - the requirement's deep-learning artefacts (req.h). */
#include "req.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meta.h"
#include "npy.h"
#include "../../routerd/mlfeat.h"
#include "../../routerd/mlflow.h"
#include "../../routerd/mlimg.h"
#include "../../routerd/mlmkt.h"

enum { O_HEAT, O_RANGE, O_IMG, O_FLOW, O_MKT, O_MKTU, O_MKTU_K, O_STACK, O_STACK_F, O_STACK_TS, O_N };

struct mpx_req {
	struct mpx_req_cfg c;
	struct mpx_npy npy[O_N];
	struct mlfl flow;
	struct mlm mkt;
	int mkt_init;
	struct mlb *basis;           /* the spot pairing's state (spot.h; not owned), NULL = none */
	const char *basis_ref;       /* "bybit:BTC-USDT", NULL = no reference */
	double last_basis[MLB_N];    /* the basis columns of the last market record */
	int64_t last_basis_key;
	int64_t basis_max_age;
	struct rec_level *lv[2];     /* the book's sides, best first */
	size_t cap[2];
	double *heat, *img;
	double mlf[MLF_NMAX];
	/* stacks: the last stack_len frames (ring) */
	float *frames;
	double *ffeat;
	float *sx;
	double *sf;
	uint64_t run, stacks, mkt_updates;
	int nfeat;
};

static int
out_open(struct mpx_req *r, const char *dir, int o, const char *name, const char *descr, int ndim,
    const uint64_t *inner, char *err, size_t errlen)
{
	char path[1200];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return mpx_npy_open(&r->npy[o], path, descr, ndim, inner, err, errlen);
}

struct mpx_req *
mpx_req_open(const char *dir, const struct mpx_req_cfg *c, char *err, size_t errlen)
{
	struct mpx_req *r = calloc(1, sizeof *r);
	size_t fsz = (size_t)c->bins * 2;
	uint64_t in[3];
	int rc = 0;

	if (!r || c->levels < 1 || c->levels > MLI_MAX_LEVELS || c->bins < 1 || c->bins > MLI_MAX_BINS ||
	    mlfl_init(&r->flow, c->flow_window) < 0) {
		snprintf(err, errlen, "requirement artefacts: levels 1..%d, bins 1..%d, flow window 1..%d, or out of "
		    "memory", MLI_MAX_LEVELS, MLI_MAX_BINS, MLFL_MAX_WINDOW);
		free(r);
		return NULL;
	}
	r->c = *c;
	r->nfeat = mlf_count(c->ml_groups);
	r->heat = calloc(fsz, sizeof *r->heat);
	r->img = calloc((size_t)c->levels * 2, sizeof *r->img);
	if (c->what & MPX_W_REQSTACK) {
		r->frames = calloc((size_t)c->stack_len * fsz, sizeof *r->frames);
		r->ffeat = calloc((size_t)c->stack_len * (size_t)r->nfeat, sizeof *r->ffeat);
		r->sx = calloc((size_t)c->stack_len * fsz, sizeof *r->sx);
		r->sf = calloc((size_t)c->stack_len * (size_t)r->nfeat, sizeof *r->sf);
	}
	if (!r->heat || !r->img || ((c->what & MPX_W_REQSTACK) && (!r->frames || !r->ffeat || !r->sx || !r->sf))) {
		snprintf(err, errlen, "requirement artefacts: out of memory");
		mpx_req_free(r);
		return NULL;
	}
	if (c->what & MPX_W_REQHEAT) {
		in[0] = (uint64_t)c->bins, in[1] = 2;
		rc |= out_open(r, dir, O_HEAT, "reqheatmap.npy", "<f8", 3, in, err, errlen);
		in[0] = 2;
		rc |= out_open(r, dir, O_RANGE, "reqheatmap_range.npy", "<f8", 2, in, err, errlen);
	}
	if (!rc && (c->what & MPX_W_DEPTHIMG)) {
		in[0] = (uint64_t)c->levels, in[1] = 2;
		rc |= out_open(r, dir, O_IMG, "depthimage.npy", "<f8", 3, in, err, errlen);
	}
	if (!rc && (c->what & MPX_W_DFLOW)) {
		in[0] = MLFL_N;
		rc |= out_open(r, dir, O_FLOW, "deltaflow.npy", "<f8", 2, in, err, errlen);
	}
	if (!rc && (c->what & MPX_W_MARKET)) {
		in[0] = MLM_N;
		rc |= out_open(r, dir, O_MKT, "market.npy", "<f8", 2, in, err, errlen);
		rc |= out_open(r, dir, O_MKTU, "marketupdates.npy", "<f8", 2, in, err, errlen);
		in[0] = 3;
		rc |= out_open(r, dir, O_MKTU_K, "marketupdates_keys.npy", "<i8", 2, in, err, errlen);
	}
	if (!rc && (c->what & MPX_W_REQSTACK)) {
		in[0] = (uint64_t)c->stack_len, in[1] = (uint64_t)c->bins, in[2] = 2;
		rc |= out_open(r, dir, O_STACK, "reqstack.npy", "<f4", 4, in, err, errlen);
		in[1] = (uint64_t)r->nfeat;
		rc |= out_open(r, dir, O_STACK_F, "reqstack_features.npy", "<f8", 3, in, err, errlen);
		rc |= out_open(r, dir, O_STACK_TS, "reqstack_timestamps.npy", "<i8", 1, NULL, err, errlen);
	}
	if (rc) {
		mpx_req_free(r);
		return NULL;
	}
	return r;
}

void
mpx_req_anchor(struct mpx_req *r)
{
	mlfl_reset(&r->flow);
	r->run = 0;
}

void
mpx_req_level(struct mpx_req *r, int side, int64_t old_qty, int64_t new_qty)
{
	mlfl_level(&r->flow, side, old_qty, new_qty);
}

void
mpx_req_delta_end(struct mpx_req *r)
{
	mlfl_end(&r->flow);
}

void
mpx_req_market(struct mpx_req *r, const struct rec_hdr *h, const struct inst *in)
{
	double v[MLM_N];
	int64_t key[3];

	if (!r->mkt_init) {
		mlm_init(&r->mkt, in->px_exp, in->qty_exp);
		r->mkt_init = 1;
	}
	/* mlm_record: the call routerd makes per record (mlm_set_record), so a row here is the
	 * "ml_features" of that record's live message */
	mlm_record(&r->mkt, h, v);
	if (r->basis) {
		mlm_basis(&r->mkt, r->basis, h, v);
		memcpy(r->last_basis, v + MLM_OWN, sizeof r->last_basis);
		r->last_basis_key = mlb_key(h);
	}
	if (!(r->c.what & MPX_W_MARKET))
		return;
	key[0] = h->recv_ns, key[1] = h->exch_ns, key[2] = (int64_t)h->type << 8 | (h->type == REC_MARKET ? h->aux : 0);
	mpx_npy_append(&r->npy[O_MKTU], v, 1);
	mpx_npy_append(&r->npy[O_MKTU_K], key, 1);
	r->mkt_updates++;
}

/* The best max levels of each side (all: max = 0) into r->lv, as routerd has them in a record. */
static int
sides(struct mpx_req *r, const struct book *bk, const struct inst *in, uint32_t max, struct mlf_book *mb)
{
	uint32_t n[2];

	for (int s = 0; s < 2; s++) {
		n[s] = book_count(bk, s);
		if (max && n[s] > max)
			n[s] = max;
		if (n[s] + 1 > r->cap[s]) {
			void *p = realloc(r->lv[s], (n[s] + 1) * sizeof *r->lv[s]);
			if (!p)
				return -1;
			r->lv[s] = p;
			r->cap[s] = n[s] + 1;
		}
		n[s] = book_copy_top(bk, s, n[s], r->lv[s]);
	}
	mb->bids = r->lv[BOOK_BID];
	mb->asks = r->lv[BOOK_ASK];
	mb->n_bids = n[BOOK_BID];
	mb->n_asks = n[BOOK_ASK];
	mb->px_exp = in->px_exp;
	mb->qty_exp = in->qty_exp;
	return 0;
}

static void
fill_nan(double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		v[i] = NAN;
}

void
mpx_req_set_basis(struct mpx_req *r, struct mlb *b, const char *ref, int64_t max_age_ns)
{
	if (!r)
		return;
	r->basis = b;
	r->basis_ref = ref;
	r->basis_max_age = max_age_ns;
}

void
mpx_req_row(struct mpx_req *r, const struct book *bk, const struct inst *in, int64_t t)
{
	struct mlf_book mb;
	double range[2], v[MLM_N > MLFL_N ? MLM_N : MLFL_N];
	int ok;

	if (r->c.what & (MPX_W_REQHEAT | MPX_W_DEPTHIMG)) {
		/* the images read only the best `levels` levels: copy no more */
		ok = sides(r, bk, in, (uint32_t)r->c.levels, &mb) == 0;
		if (r->c.what & MPX_W_REQHEAT) {
			if (!ok || mli_heatmap(&mb, r->c.levels, r->c.bins, r->heat, &range[0], &range[1]) < 0) {
				fill_nan(r->heat, (size_t)r->c.bins * 2);
				range[0] = range[1] = NAN;
			}
			mpx_npy_append(&r->npy[O_HEAT], r->heat, 1);
			mpx_npy_append(&r->npy[O_RANGE], range, 1);
		}
		if (r->c.what & MPX_W_DEPTHIMG) {
			if (!ok || mli_depth_image(&mb, r->c.levels, r->img) < 0)
				fill_nan(r->img, (size_t)r->c.levels * 2);
			mpx_npy_append(&r->npy[O_IMG], r->img, 1);
		}
	}
	if (r->c.what & MPX_W_DFLOW) {
		mlfl_read(&r->flow, in->qty_exp, v);
		mpx_npy_append(&r->npy[O_FLOW], v, 1);
	}
	if (r->c.what & MPX_W_MARKET) {
		if (r->mkt_init)
			mlm_read(&r->mkt, v);
		else
			fill_nan(v, MLM_N);
		/* the basis of the last market record, while it is no older than the spot book may be */
		if (r->mkt_init && r->basis && t - r->last_basis_key <= r->basis_max_age)
			memcpy(v + MLM_OWN, r->last_basis, sizeof r->last_basis);
		mpx_npy_append(&r->npy[O_MKT], v, 1);
	}
}

void
mpx_req_stack(struct mpx_req *r, const struct book *bk, const struct inst *in, int64_t t)
{
	size_t fsz = (size_t)r->c.bins * 2, nf = (size_t)r->nfeat;
	struct mlf_book mb;
	uint64_t k, L = (uint64_t)r->c.stack_len;
	float *fr;
	int j;

	if (!(r->c.what & MPX_W_REQSTACK))
		return;
	/* a frame needs the heatmap (best levels) and the features (the whole book, as ml_features) */
	if (!bk || sides(r, bk, in, 0, &mb) < 0 || mli_heatmap(&mb, r->c.levels, r->c.bins, r->heat, NULL, NULL) < 0 ||
	    mlf_compute(r->c.ml_groups, &mb, r->mlf) < 0) {
		r->run = 0;    /* a stack never spans a frame without a book */
		return;
	}
	fr = r->frames + r->run % L * fsz;
	for (j = 0; j < (int)fsz; j++)
		fr[j] = (float)r->heat[j];
	memcpy(r->ffeat + r->run % L * nf, r->mlf, nf * sizeof *r->mlf);
	r->run++;
	if (r->run < L || (r->run - L) % (uint64_t)r->c.stack_stride)
		return;
	for (k = r->run - L; k < r->run; k++) {
		memcpy(r->sx + (k - (r->run - L)) * fsz, r->frames + k % L * fsz, fsz * sizeof *r->sx);
		memcpy(r->sf + (k - (r->run - L)) * nf, r->ffeat + k % L * nf, nf * sizeof *r->sf);
	}
	mpx_npy_append(&r->npy[O_STACK], r->sx, 1);
	mpx_npy_append(&r->npy[O_STACK_F], r->sf, 1);
	mpx_npy_append(&r->npy[O_STACK_TS], &t, 1);
	r->stacks++;
}

int
mpx_req_close(struct mpx_req *r, char *err, size_t errlen)
{
	char e[512];
	int rc = 0;

	for (int o = 0; o < O_N; o++)
		if (mpx_npy_close(&r->npy[o], e, sizeof e) < 0 && !rc) {
			snprintf(err, errlen, "%s", e);
			rc = -1;
		}
	return rc;
}

static json_t *
names(const char *(*name)(int), const char *(*help)(int), int n)
{
	json_t *o = json_object();

	for (int i = 0; i < n; i++)
		json_object_set_new(o, name(i), json_string(help(i)));
	return o;
}

void
mpx_req_meta(const struct mpx_req *r, json_t *root, json_t *files, uint64_t rows)
{
	const struct mpx_req_cfg *c = &r->c;
	json_t *j = json_object(), *cols;
	uint64_t sh[4] = {rows, 0, 0, 0};

	json_object_set_new(j, "code", json_string("routerd/mlimg.c, mlflow.c, mlmkt.c, mlfeat.c: the code routerd "
	    "uses live; the same book gives bit-identical float64 values"));
	if (c->what & (MPX_W_REQHEAT | MPX_W_REQSTACK)) {
		sh[1] = (uint64_t)c->bins, sh[2] = 2;
		if (c->what & MPX_W_REQHEAT) {
			mpx_meta_add_file(files, "reqheatmap.npy", "<f8", 3, sh, "the requirement's heatmap per sample: "
			    "[sample, price bin, side]");
			sh[1] = 2;
			mpx_meta_add_file(files, "reqheatmap_range.npy", "<f8", 2, sh, "its price range [sample, (lo, hi)]");
		}
		json_object_set_new(j, "heatmap", json_pack("{s:i,s:i,s:s,s:s}", "levels", c->levels, "bins", c->bins,
		    "layout", "[.., price bin, side]: side 0 = bids, 1 = asks; base units, not normalized",
		    "definition", "lo = price of the deepest of the best `levels` bids, hi = of the deepest of the "
		    "best `levels` asks; level p goes to bin floor((p - lo) * bins / (hi - lo)) (p = hi in the last "
		    "bin); a bin holds the summed size of its levels. NaN row: a side empty (routerd/mlimg.h)"));
	}
	if (c->what & MPX_W_DEPTHIMG) {
		sh[1] = (uint64_t)c->levels, sh[2] = 2;
		mpx_meta_add_file(files, "depthimage.npy", "<f8", 3, sh, "the depth x 2 image: [sample, level, side]");
		json_object_set_new(j, "depth_image", json_pack("{s:i,s:s}", "levels", c->levels, "definition",
		    "img[i][0] = size of bid level i / qmax, img[i][1] = of ask level i; qmax = the largest size among "
		    "the best `levels` levels of both sides; 0 beyond a side's depth"));
	}
	if (c->what & MPX_W_DFLOW) {
		sh[1] = MLFL_N;
		mpx_meta_add_file(files, "deltaflow.npy", "<f8", 2, sh, "delta flows over the last W deltas per sample");
		cols = names(mlfl_name, mlfl_help, MLFL_N);
		json_object_set_new(j, "delta_flow", json_pack("{s:i,s:o,s:s}", "window", c->flow_window, "columns", cols,
		    "definition", "per applied delta and side, the flow is sum(new size - size in the book before); "
		    "the window holds the last W applied deltas of the sync epoch; a refresh merge (first = last = prev id) "
		    "changes the book but is not in the window (routerd/mlflow.h)"));
	}
	if (c->what & MPX_W_MARKET) {
		sh[1] = MLM_N;
		mpx_meta_add_file(files, "market.npy", "<f8", 2, sh, "market-data features as of the sample");
		cols = names(mlm_name, mlm_help, MLM_N);
		json_object_set_new(j, "market", json_pack("{s:o,s:s,s:s,s:o,s:I,s:s}", "columns", cols, "sources",
		    "the instrument's tickers (last value of each group), closed klines and derivatives market "
		    "records (funding, mark/index, open interest) in the store; bs_*: its book and the paired spot "
		    "book's stream, ordered by bookd's stamps (routerd/mlbasis.h)",
		    "missing", "NaN until the source has been seen (routerd/mlmkt.h); spot books have no mk_* values; "
		    "bs_* NaN without a spot reference, or while the spot (or the derivative's) book is not in sync or "
		    "older than basis_max_age_ns; in market.npy the bs_* of the last market record, NaN once that is "
		    "older than basis_max_age_ns",
		    "basis_spot", r->basis_ref ? json_string(r->basis_ref) : json_null(),
		    "basis_max_age_ns", (json_int_t)r->basis_max_age,
		    "basis", "bs_mark_basis_bps = 1e4 (mark - spot mid) / spot mid, bs_mid_basis_bps = 1e4 (mid - spot mid) / "
		    "spot mid, the spot book as of the newest bookd instant before the record"));
		sh[0] = r->mkt_updates;
		mpx_meta_add_file(files, "marketupdates.npy", "<f8", 2, sh, "market-data features after each "
		    "ticker / kline / market record, in store order: the ml_features of that record's MARKET_DATA "
		    "message with [ml] features = market");
		sh[1] = 3;
		mpx_meta_add_file(files, "marketupdates_keys.npy", "<i8", 2, sh, "per marketupdates row: receive "
		    "time ns, exchange time ns (0 = none), record type << 8 | market kind (common/rec.h)");
	}
	if (c->what & MPX_W_REQSTACK) {
		sh[0] = r->stacks, sh[1] = (uint64_t)c->stack_len, sh[2] = (uint64_t)c->bins, sh[3] = 2;
		mpx_meta_add_file(files, "reqstack.npy", "<f4", 4, sh, "stacks of requirement heatmaps [stack, time, "
		    "price bin, side]");
		sh[2] = (uint64_t)r->nfeat;
		mpx_meta_add_file(files, "reqstack_features.npy", "<f8", 3, sh, "ml_features of each frame's book "
		    "[stack, time, feature]");
		mpx_meta_add_file(files, "reqstack_timestamps.npy", "<i8", 1, sh, "time of each stack's last frame");
		cols = json_array();
		for (int i = 0; i < r->nfeat; i++)
			json_array_append_new(cols, json_string(mlf_name(c->ml_groups, i)));
		json_object_set_new(j, "stack", json_pack("{s:i,s:I,s:i,s:o,s:s}", "frames", c->stack_len,
		    "interval_ns", (json_int_t)c->stack_ns, "stride", c->stack_stride, "frame_features", cols,
		    "frame", "the book at each multiple of interval_ns; a stack never spans a gap or a new epoch"));
	}
	json_object_set_new(root, "requirement_artefacts", j);
}

void
mpx_req_free(struct mpx_req *r)
{
	if (!r)
		return;
	mlfl_free(&r->flow);
	free(r->lv[0]);
	free(r->lv[1]);
	free(r->heat);
	free(r->img);
	free(r->frames);
	free(r->ffeat);
	free(r->sx);
	free(r->sf);
	free(r);
}
