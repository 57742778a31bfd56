/* export.c - store -> rebuilt book -> samples -> .npy files (export.h). */
#include "export.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "label.h"
#include "lobster.h"
#include "split.h"
#include "log.h"
#include "meta.h"
#include "npy.h"
#include "pipe.h"
#include "rec.h"
#include "../../stored/store.h"
#include "spot.h"
#include "../../routerd/mlfeat.h"
#include "req.h"

#define DAY_NS 86400000000000LL
/* How far past --to the reader looks for the record that confirms the book up to --to. */
#define TAIL_NS (3600LL * 1000000000LL)

/* Output files (npy[] slots). */
enum {
	F_TS, F_IDS, F_MID, F_SEG, F_DEEPLOB, F_WIN, F_X, F_FEAT, F_HEAT, F_STACK, F_STACK_TS, F_MLFEAT,
	F_N
};

struct st {
	const struct mpx_opts *o;
	struct mpx_fcfg fc;
	const struct inst *inst;      /* &inst_copy once known (the reader's table is freed with it) */
	struct inst inst_copy;
	struct book *bk, *tmp;
	struct mpx_known known;
	int in_epoch;
	uint64_t epoch_no;
	int64_t book_id;
	int64_t last_good_t;
	int64_t te;                   /* monotonic record time */
	int64_t start;                /* first time read */
	int stop;

	/* snapshot chunk assembly */
	struct rec_level *cb, *ca;
	uint32_t cnb, cna;
	int chunk_next;
	int64_t chunk_id;

	/* gaps */
	int gap_open;
	struct mpx_gap cur_gap;
	struct mpx_gap *gaps;
	size_t n_gaps, cap_gaps;
	int corrupt_pending;
	char corrupt_what[128];

	/* sampling */
	int64_t next_g, next_sg;
	int64_t last_upd_t;
	uint64_t last_upd_epoch;
	struct mpx_flow flow;
	int ndl, nft, ncol;
	double *raw;                  /* ndl + nft raw values of the sample */
	double *heat_d;
	float *rowf, *heatf;
	/* mlfeatures: the book's sides copied out for routerd/mlfeat.c */
	struct rec_level *ml_lv[2];
	size_t ml_cap[2];
	double ml_row[MLF_NMAX];
	struct mpx_req *req;          /* the requirement's artefacts (req.h), NULL = none asked for */
	struct mpx_spot *spot;        /* market: the basis against the paired spot stream (spot.h) */

	/* outputs */
	struct mpx_npy npy[F_N];
	uint64_t rows;
	int32_t out_seg;
	uint64_t last_row_epoch;
	int dropped_since;
	uint64_t run;                 /* consecutive rows in the current output segment */
	float *ring;                  /* last T DeepLOB rows (materialize) */
	float *xbuf;                  /* one materialized window or stack, contiguous */
	double *mids;
	int32_t *segids;
	size_t cap_rows;
	struct mpx_segment *segs;
	size_t n_segs, cap_segs;

	/* stacks */
	float *sframes;
	uint64_t s_run, s_epoch;
	int s_dropped;
	uint64_t stack_windows;

	/* normalization */
	struct mpx_norm norm;
	int64_t norm_day;
	uint64_t norm_rows;           /* prior samples behind the current day's stats */
	double *nmean, *nstd;
	struct mpx_norm_day *ndays;
	size_t n_ndays, cap_ndays;

	struct mpx_counts c;

	/* LOBSTER files, opened at the first anchor (the instrument is known then) */
	struct mpx_lob *lob;
	int lob_failed;
	char lob_err[1500];

	/* progress */
	uint64_t total_est;
	int64_t t_begin, t_last_progress;
	int progress_shown;
};

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int
grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

/* ---- gaps ---- */

static void
gap_open(struct st *s, int64_t from, const char *reason, const char *detail)
{
	if (s->gap_open)
		return;
	s->gap_open = 1;
	memset(&s->cur_gap, 0, sizeof s->cur_gap);
	s->cur_gap.from = from;
	snprintf(s->cur_gap.reason, sizeof s->cur_gap.reason, "%s", reason);
	snprintf(s->cur_gap.detail, sizeof s->cur_gap.detail, "%s", detail ? detail : "");
}

static void
gap_close(struct st *s, int64_t to)
{
	if (!s->gap_open)
		return;
	s->gap_open = 0;
	s->cur_gap.to = to;
	/* Only what meets the exported range is listed, clipped to it. */
	if (s->cur_gap.to <= s->o->from || s->cur_gap.from >= s->o->to)
		return;
	if (s->cur_gap.from < s->o->from)
		s->cur_gap.from = s->o->from;
	if (s->cur_gap.to > s->o->to)
		s->cur_gap.to = s->o->to;
	if (grow((void **)&s->gaps, &s->cap_gaps, s->n_gaps + 1, sizeof *s->gaps) < 0)
		return;
	s->gaps[s->n_gaps++] = s->cur_gap;
}

/* The book can no longer be trusted from the last record that confirmed it. */
static void
epoch_break(struct st *s, int64_t t, const char *reason, const char *detail)
{
	if (s->lob)
		mpx_lob_break(s->lob);
	if (s->in_epoch) {
		s->in_epoch = 0;
		s->c.breaks++;
		gap_open(s, s->last_good_t, reason, detail);
	} else {
		gap_open(s, t, reason, detail);
	}
}

/* ---- outputs ---- */

static int
out_open(struct st *s, int f, const char *name, const char *descr, int ndim, const uint64_t *inner,
    char *err, size_t errlen)
{
	char path[1200];

	snprintf(path, sizeof path, "%s/%s", s->o->out, name);
	return mpx_npy_open(&s->npy[f], path, descr, ndim, inner, err, errlen);
}

static int
outputs_open(struct st *s, char *err, size_t errlen)
{
	const struct mpx_opts *o = s->o;
	uint64_t in[3];
	int rc = 0;

	rc |= out_open(s, F_TS, "timestamps.npy", "<i8", 1, NULL, err, errlen);
	rc |= out_open(s, F_IDS, "ids.npy", "<i8", 1, NULL, err, errlen);
	rc |= out_open(s, F_MID, "mid.npy", "<f8", 1, NULL, err, errlen);
	rc |= out_open(s, F_SEG, "segment.npy", "<i4", 1, NULL, err, errlen);
	if (!rc && (o->what & MPX_W_DEEPLOB)) {
		in[0] = (uint64_t)s->ndl;
		rc |= out_open(s, F_DEEPLOB, "deeplob.npy", "<f4", 2, in, err, errlen);
		rc |= out_open(s, F_WIN, "deeplob_windows.npy", "<i8", 1, NULL, err, errlen);
		if (o->materialize) {
			in[0] = (uint64_t)o->window;
			in[1] = (uint64_t)s->ndl;
			rc |= out_open(s, F_X, "deeplob_x.npy", "<f4", 3, in, err, errlen);
		}
	}
	if (!rc && (o->what & MPX_W_FEATURES)) {
		in[0] = (uint64_t)s->nft;
		rc |= out_open(s, F_FEAT, "features.npy", "<f4", 2, in, err, errlen);
	}
	if (!rc && (o->what & MPX_W_MLFEAT)) {
		in[0] = (uint64_t)mlf_count(o->ml_groups);
		rc |= out_open(s, F_MLFEAT, "mlfeatures.npy", "<f8", 2, in, err, errlen);
	}
	if (!rc && (o->what & MPX_W_HEATMAP)) {
		in[0] = (uint64_t)o->f.bins;
		in[1] = 2;
		rc |= out_open(s, F_HEAT, "heatmap.npy", "<f4", 3, in, err, errlen);
	}
	if (!rc && (o->what & MPX_W_STACK)) {
		in[0] = (uint64_t)o->stack_len;
		in[1] = (uint64_t)o->f.bins;
		in[2] = 2;
		rc |= out_open(s, F_STACK, "stack.npy", "<f4", 4, in, err, errlen);
		rc |= out_open(s, F_STACK_TS, "stack_timestamps.npy", "<i8", 1, NULL, err, errlen);
	}
	return rc ? -1 : 0;
}

static int
outputs_close(struct st *s, char *err, size_t errlen)
{
	int f, rc = 0;
	char e[512];

	for (f = 0; f < F_N; f++) {
		if (mpx_npy_close(&s->npy[f], e, sizeof e) < 0 && !rc) {
			snprintf(err, errlen, "%s", e);
			rc = -1;
		}
	}
	return rc;
}

static int
write_labels(struct st *s, char *err, size_t errlen)
{
	const struct mpx_opts *o = s->o;
	size_t n = (size_t)s->rows, i;
	int8_t *lab = malloc(n * (size_t)o->n_hor + 1);
	float *ret = malloc((n * (size_t)o->n_hor + 1) * sizeof *ret);
	struct mpx_npy a, b;
	uint64_t in[1] = { (uint64_t)o->n_hor };
	char path[1200];
	int rc = 0, h;

	if (!lab || !ret) {
		snprintf(err, errlen, "labels: out of memory");
		free(lab);
		free(ret);
		return -1;
	}
	if (o->smooth)
		mpx_labels_tlob(s->mids, s->segids, n, o->hor, o->n_hor, o->smooth, o->threshold_bps / 1e4, lab, ret);
	else
		mpx_labels(s->mids, s->segids, n, o->hor, o->n_hor, o->threshold_bps / 1e4, lab, ret);
	for (i = 0; i < n; i++)
		for (h = 0; h < o->n_hor; h++) {
			int8_t v = lab[i * (size_t)o->n_hor + (size_t)h];
			s->c.label_counts[h][v == MPX_LABEL_MISSING ? 3 : v + 1]++;
		}
	snprintf(path, sizeof path, "%s/labels.npy", o->out);
	if (mpx_npy_open(&a, path, "|i1", 2, in, err, errlen) < 0) {
		rc = -1;
	} else {
		mpx_npy_append(&a, lab, n);
		rc = mpx_npy_close(&a, err, errlen);
	}
	snprintf(path, sizeof path, "%s/label_returns.npy", o->out);
	if (!rc && mpx_npy_open(&b, path, "<f4", 2, in, err, errlen) < 0) {
		rc = -1;
	} else if (!rc) {
		mpx_npy_append(&b, ret, n);
		rc = mpx_npy_close(&b, err, errlen);
	}
	free(lab);
	free(ret);
	return rc;
}

/* ---- normalization ---- */

/* Stats for the day of t; 0 when the day cannot be normalized. */
static int
norm_ready(struct st *s, int64_t day)
{
	struct mpx_norm_day *nd;

	if (s->o->norm == MPX_NORM_NONE)
		return 1;
	if (s->n_ndays && s->norm_day == day)
		return s->norm_rows > 0;
	s->norm_day = day;
	s->norm_rows = mpx_norm_stats(&s->norm, day, s->o->norm_days, s->nmean, s->nstd);
	if (grow((void **)&s->ndays, &s->cap_ndays, s->n_ndays + 1, sizeof *s->ndays) < 0)
		return 0;
	nd = &s->ndays[s->n_ndays++];
	memset(nd, 0, sizeof *nd);
	nd->day = day;
	nd->prior_rows = s->norm_rows;
	nd->mean = malloc((size_t)s->ncol * sizeof *nd->mean);
	nd->std = malloc((size_t)s->ncol * sizeof *nd->std);
	if (nd->mean && nd->std) {
		memcpy(nd->mean, s->nmean, (size_t)s->ncol * sizeof *nd->mean);
		memcpy(nd->std, s->nstd, (size_t)s->ncol * sizeof *nd->std);
	}
	return s->norm_rows > 0;
}

/* ---- samples ---- */

/*
 * The features routerd puts into ml_features, of the rebuilt book: both
 * sides copied out best first (the input routerd has in a full snapshot
 * record) and given to the same function.  A row of NaN only if a copy
 * cannot be allocated (counted as oom) - never for a book with a mid.
 */
static void
ml_row(struct st *s)
{
	struct mlf_book mb;
	int n = mlf_count(s->o->ml_groups), side, j;

	for (side = 0; side < 2; side++) {
		size_t need = book_count(s->bk, side) + 1;
		if (grow((void **)&s->ml_lv[side], &s->ml_cap[side], need, sizeof *s->ml_lv[side]) < 0)
			goto fail;
	}
	mb.bids = s->ml_lv[BOOK_BID];
	mb.asks = s->ml_lv[BOOK_ASK];
	mb.n_bids = book_copy_range(s->bk, BOOK_BID, 0, book_count(s->bk, BOOK_BID), s->ml_lv[BOOK_BID], NULL);
	mb.n_asks = book_copy_range(s->bk, BOOK_ASK, 0, book_count(s->bk, BOOK_ASK), s->ml_lv[BOOK_ASK], NULL);
	mb.px_exp = s->inst->px_exp;
	mb.qty_exp = s->inst->qty_exp;
	if (mlf_compute(s->o->ml_groups, &mb, s->ml_row) == 0)
		return;
fail:
	s->c.oom++;
	for (j = 0; j < n; j++)
		s->ml_row[j] = NAN;
}

static void
flow_reset(struct st *s)
{
	memset(&s->flow, 0, sizeof s->flow);
}

static void
segment_note(struct st *s, int64_t t, int newseg)
{
	struct mpx_segment *g;

	if (newseg) {
		if (grow((void **)&s->segs, &s->cap_segs, s->n_segs + 1, sizeof *s->segs) < 0)
			return;
		g = &s->segs[s->n_segs++];
		g->first_row = s->rows;
		g->rows = 0;
		g->t0 = t;
	}
	if (s->n_segs) {
		g = &s->segs[s->n_segs - 1];
		g->rows++;
		g->t1 = t;
	}
}

static void
emit_sample(struct st *s, int64_t t)
{
	const struct mpx_opts *o = s->o;
	int in_range = t >= o->from && t < o->to;
	int want_heat = in_range && (o->what & MPX_W_HEATMAP);
	double mid;
	int j, newseg;
	int64_t day;

	/* The full-depth scan is the expensive part: skip it when nothing needs it. */
	if (mpx_sample(&s->fc, s->bk, &s->known, &s->flow, &mid, s->raw,
	    (o->what & MPX_W_FEATURES) ? s->raw + s->ndl : NULL, want_heat ? s->heat_d : NULL) < 0) {
		s->c.empty_side++;
		s->dropped_since = 1;
		flow_reset(s);
		return;
	}
	day = floor_div(t, DAY_NS);
	if (o->norm != MPX_NORM_NONE && mpx_norm_add(&s->norm, day, s->raw) < 0)
		s->c.oom++;
	if (!in_range) {
		s->c.prior_samples++;
		flow_reset(s);
		return;
	}
	if (!norm_ready(s, day)) {
		if (s->n_ndays)
			s->ndays[s->n_ndays - 1].dropped++;
		s->c.dropped_no_stats++;
		s->dropped_since = 1;
		flow_reset(s);
		return;
	}
	if (s->rows + 1 > s->cap_rows) {
		size_t c1 = s->cap_rows, c2 = s->cap_rows;
		if (grow((void **)&s->mids, &c1, s->rows + 1, sizeof *s->mids) < 0 ||
		    grow((void **)&s->segids, &c2, s->rows + 1, sizeof *s->segids) < 0) {
			s->c.oom++;
			flow_reset(s);
			return;
		}
		s->cap_rows = c1 < c2 ? c1 : c2;
	}
	newseg = s->rows == 0 || s->dropped_since || s->last_row_epoch != s->epoch_no;
	if (newseg) {
		s->out_seg++;
		s->run = 0;
	}
	segment_note(s, t, newseg);
	s->dropped_since = 0;
	s->last_row_epoch = s->epoch_no;
	s->run++;
	if (s->fc.px_div > 0 && book_crossed(s->bk))
		s->c.crossed_samples++;

	/* normalize in place: raw -> (raw - mean) / std */
	if (o->norm != MPX_NORM_NONE)
		for (j = 0; j < s->ncol; j++)
			s->raw[j] = (s->raw[j] - s->nmean[j]) / s->nstd[j];
	mpx_npy_append(&s->npy[F_TS], &t, 1);
	mpx_npy_append(&s->npy[F_IDS], &s->book_id, 1);
	mpx_npy_append(&s->npy[F_MID], &mid, 1);
	mpx_npy_append(&s->npy[F_SEG], &s->out_seg, 1);
	s->mids[s->rows] = mid;
	s->segids[s->rows] = s->out_seg;
	if (o->what & MPX_W_DEEPLOB) {
		for (j = 0; j < s->ndl; j++)
			s->rowf[j] = (float)s->raw[j];
		mpx_npy_append(&s->npy[F_DEEPLOB], s->rowf, 1);
		if (o->materialize)
			memcpy(s->ring + (s->run - 1) % (uint64_t)o->window * (uint64_t)s->ndl, s->rowf,
			    (size_t)s->ndl * sizeof *s->rowf);
		if (s->run >= (uint64_t)o->window) {
			int64_t r = (int64_t)s->rows;
			mpx_npy_append(&s->npy[F_WIN], &r, 1);
			if (o->materialize) {
				uint64_t k;
				float *x = s->xbuf;
				for (k = s->run - (uint64_t)o->window; k < s->run; k++, x += s->ndl)
					memcpy(x, s->ring + k % (uint64_t)o->window * (uint64_t)s->ndl,
					    (size_t)s->ndl * sizeof *x);
				mpx_npy_append(&s->npy[F_X], s->xbuf, 1);
			}
		}
	}
	if (o->what & MPX_W_FEATURES) {
		for (j = 0; j < s->nft; j++)
			s->rowf[j] = (float)s->raw[s->ndl + j];
		mpx_npy_append(&s->npy[F_FEAT], s->rowf, 1);
	}
	if (want_heat) {
		for (j = 0; j < o->f.bins * 2; j++)
			s->heatf[j] = (float)s->heat_d[j];
		mpx_npy_append(&s->npy[F_HEAT], s->heatf, 1);
	}
	if (o->what & MPX_W_MLFEAT) {
		ml_row(s);
		mpx_npy_append(&s->npy[F_MLFEAT], s->ml_row, 1);
	}
	if (s->req)
		mpx_req_row(s->req, s->bk, s->inst, t);
	s->rows++;
	flow_reset(s);
}

static void
emit_stack(struct st *s, int64_t t)
{
	const struct mpx_opts *o = s->o;
	size_t fsz = (size_t)o->f.bins * 2;
	double mid;
	uint64_t k;
	int j;
	float *fr;

	if (t < o->from || t >= o->to)
		return;
	if (s->req)
		mpx_req_stack(s->req, s->bk, s->inst, t);
	if (!(o->what & MPX_W_STACK))
		return;
	if (mpx_sample(&s->fc, s->bk, &s->known, &s->flow, &mid, NULL, NULL, s->heat_d) < 0) {
		s->s_dropped = 1;
		return;
	}
	if (s->s_dropped || s->s_epoch != s->epoch_no)
		s->s_run = 0;
	s->s_dropped = 0;
	s->s_epoch = s->epoch_no;
	fr = s->sframes + s->s_run % (uint64_t)o->stack_len * fsz;
	for (j = 0; j < (int)fsz; j++)
		fr[j] = (float)s->heat_d[j];
	s->s_run++;
	if (s->s_run < (uint64_t)o->stack_len || (s->s_run - (uint64_t)o->stack_len) % (uint64_t)o->stack_stride)
		return;
	fr = s->xbuf;
	for (k = s->s_run - (uint64_t)o->stack_len; k < s->s_run; k++, fr += fsz)
		memcpy(fr, s->sframes + k % (uint64_t)o->stack_len * fsz, fsz * sizeof *fr);
	mpx_npy_append(&s->npy[F_STACK], s->xbuf, 1);
	mpx_npy_append(&s->npy[F_STACK_TS], &t, 1);
	s->stack_windows++;
}

/* Everything before t is confirmed: take the grid samples that fall before it. */
static void
confirm(struct st *s, int64_t t)
{
	const struct mpx_opts *o = s->o;
	int64_t lim = t < o->to ? t : o->to;

	if (s->lob)
		mpx_lob_confirm(s->lob, lim);
	if (o->sample_ns)
		for (; s->next_g < lim; s->next_g += o->sample_ns)
			emit_sample(s, s->next_g);
	if ((o->what & (MPX_W_STACK | MPX_W_REQSTACK)) && o->stack_ns)
		for (; s->next_sg < lim; s->next_sg += o->stack_ns)
			emit_stack(s, s->next_sg);
}

static int64_t
grid_ceil(int64_t t, int64_t step)
{
	return step ? -floor_div(-t, step) * step : t;
}

static void
anchor(struct st *s, int64_t t, const struct rec_snapshot *sn)
{
	struct book *x = s->bk;

	s->bk = s->tmp;
	s->tmp = x;
	s->book_id = sn->h.last_id;
	s->known.bid_floor = sn->bid_floor_px;
	s->known.ask_ceil = sn->ask_ceil_px;
	s->in_epoch = 1;
	s->epoch_no++;
	s->c.epochs++;
	s->last_good_t = t;
	s->next_g = grid_ceil(t, s->o->sample_ns);
	s->next_sg = grid_ceil(t, s->o->stack_ns);
	flow_reset(s);
	if (s->req)
		mpx_req_anchor(s->req);
	gap_close(s, t);
	if ((s->o->what & MPX_W_LOBSTER) && !s->lob && !s->lob_failed && s->inst) {
		s->lob = mpx_lob_open(s->o->out, s->inst, s->fc.levels, s->o->max_levels, s->lob_err,
		    sizeof s->lob_err);
		s->lob_failed = !s->lob;
	}
	if (s->lob)
		mpx_lob_anchor(s->lob, s->bk, s->epoch_no);
}

/* ---- records ---- */

static void
best4(const struct book *b, int64_t v[4])
{
	book_best(b, BOOK_BID, &v[0], &v[1]);
	book_best(b, BOOK_ASK, &v[2], &v[3]);
}

/* A level fell off a full side: the known range ends at the deepest level now held. */
static void
shrink_known(struct st *s, int side)
{
	uint32_t n = book_count(s->bk, side);
	int64_t w;

	if (!n)
		return;
	w = book_level(s->bk, side, n - 1)->px;
	if (side == BOOK_BID) {
		if (!s->known.bid_floor || s->known.bid_floor < w)
			s->known.bid_floor = w;
	} else {
		if (!s->known.ask_ceil || s->known.ask_ceil > w)
			s->known.ask_ceil = w;
	}
}

static void
on_delta(struct st *s, const struct rec_delta *d, int64_t t)
{
	int64_t before[4], after[4];
	uint32_t i, n = d->n_bids + d->n_asks;
	int hb = (d->h.flags & REC_F_HEARTBEAT) && n == 0;
	/* a refresh merge stays out of the delta flows (deltaflow.npy), as live
	 * (routerd/mlive.h): the book takes it, the flow window does not */
	int merge = rec_delta_is_merge(d);
	char det[160];

	s->c.deltas++;
	if (!s->in_epoch) {
		s->c.unanchored++;
		return;
	}
	if (d->h.prev_id != s->book_id) {
		snprintf(det, sizeof det, "delta prev_id %" PRId64 " after update id %" PRId64 " (first %" PRId64
		    " last %" PRId64 ")", d->h.prev_id, s->book_id, d->h.first_id, d->h.last_id);
		epoch_break(s, t, "continuity_break", det);
		return;
	}
	confirm(s, t);
	best4(s->bk, before);
	for (i = 0; i < n; i++) {
		int side = i < d->n_bids ? BOOK_BID : BOOK_ASK;
		int64_t old = 0;
		int r;

		book_find(s->bk, side, d->lv[i].px, &old);
		r = book_apply(s->bk, side, d->lv[i].px, d->lv[i].qty);
		if (r == BOOK_EINVAL) {
			s->c.bad_levels++;
			snprintf(det, sizeof det, "%s level px %" PRId64 " qty %" PRId64 " in update %" PRId64,
			    book_side_name(side), d->lv[i].px, d->lv[i].qty, d->h.last_id);
			epoch_break(s, t, "invalid_level", det);
			return;
		}
		if (r == BOOK_DROPPED || r == BOOK_EVICTED)
			shrink_known(s, side);
		mpx_flow_level(&s->flow, &s->fc, side, old, r == BOOK_DROPPED ? old : d->lv[i].qty);
		if (s->req && !merge)
			mpx_req_level(s->req, side, old, r == BOOK_DROPPED ? old : d->lv[i].qty);
	}
	best4(s->bk, after);
	/* bookd wrote the book it held after this update: ours must be the same. */
	if ((d->h.flags & REC_F_SYNCED) && !hb &&
	    (after[0] != d->best_bid_px || after[1] != d->best_bid_qty || after[2] != d->best_ask_px ||
	    after[3] != d->best_ask_qty || book_count(s->bk, BOOK_BID) != d->book_bids ||
	    book_count(s->bk, BOOK_ASK) != d->book_asks)) {
		s->c.book_mismatch++;
		snprintf(det, sizeof det, "update %" PRId64 ": rebuilt best %" PRId64 "/%" PRId64 " levels %u/%u, "
		    "bookd %" PRId64 "/%" PRId64 " levels %u/%u", d->h.last_id, after[0], after[2],
		    book_count(s->bk, BOOK_BID), book_count(s->bk, BOOK_ASK), d->best_bid_px, d->best_ask_px,
		    d->book_bids, d->book_asks);
		epoch_break(s, t, "book_mismatch", det);
		return;
	}
	s->book_id = d->h.last_id;
	s->last_good_t = t;
	if (s->lob)
		mpx_lob_delta(s->lob, t, d, s->bk, t >= s->o->from);
	if (hb) {
		s->c.heartbeats++;
		return;
	}
	mpx_flow_ofi(&s->flow, &s->fc, before, after);
	s->flow.n_updates++;
	if (s->req && !merge)
		mpx_req_delta_end(s->req);
	s->c.applied++;
	if (t >= s->o->from && s->last_upd_t && s->last_upd_epoch == s->epoch_no) {
		int64_t ms = (t - s->last_upd_t) / 1000000;
		s->c.dt_hist[ms < MPX_DT_BUCKETS - 1 ? ms : MPX_DT_BUCKETS - 1]++;
		s->c.dt_sum_ns += (double)(t - s->last_upd_t);
		s->c.dt_n++;
	}
	s->last_upd_t = t;
	s->last_upd_epoch = s->epoch_no;
	if (!s->o->sample_ns)
		emit_sample(s, t);
}

/* A complete SNAP_FULL is in s->tmp (levels) with sn's header. */
static void
on_full(struct st *s, const struct rec_snapshot *sn, int64_t t)
{
	char det[200];

	s->c.snap_full++;
	if (sn->reason == SNAP_R_SYNC || sn->reason == SNAP_R_RESYNC) {
		if (s->in_epoch) {
			snprintf(det, sizeof det, "%s snapshot at update %" PRId64 " while in sync at %" PRId64,
			    sn->reason == SNAP_R_SYNC ? "sync" : "resync", sn->h.last_id, s->book_id);
			epoch_break(s, t, "resync", det);
		}
		anchor(s, t, sn);
		return;
	}
	if (!s->in_epoch) {
		s->c.periodic_anchors++;
		anchor(s, t, sn);
		return;
	}
	if (sn->h.last_id != s->book_id) {
		snprintf(det, sizeof det, "full snapshot at update %" PRId64 " after update %" PRId64,
		    sn->h.last_id, s->book_id);
		epoch_break(s, t, "continuity_break", det);
		anchor(s, t, sn);
		return;
	}
	s->c.periodic_checked++;
	if (book_cmp(s->bk, s->tmp, 0, det, sizeof det) != 0) {
		s->c.periodic_mismatch++;
		epoch_break(s, t, "snapshot_mismatch", det);
		anchor(s, t, sn);
		return;
	}
	confirm(s, t);
	s->known.bid_floor = sn->bid_floor_px;
	s->known.ask_ceil = sn->ask_ceil_px;
	s->last_good_t = t;
}

static void
on_topn(struct st *s, const struct rec_snapshot *sn, int64_t t)
{
	uint32_t i;
	char det[200];

	s->c.snap_topn++;
	if (!s->in_epoch || sn->h.last_id < 0)
		return;
	if (sn->h.last_id != s->book_id) {
		snprintf(det, sizeof det, "top-N snapshot at update %" PRId64 " after update %" PRId64,
		    sn->h.last_id, s->book_id);
		epoch_break(s, t, "continuity_break", det);
		return;
	}
	s->c.topn_checked++;
	for (i = 0; i < sn->n_bids + sn->n_asks; i++) {
		int side = i < sn->n_bids ? BOOK_BID : BOOK_ASK;
		uint32_t k = side == BOOK_BID ? i : i - sn->n_bids;
		const struct rec_level *l = book_level(s->bk, side, k);
		if (!l || l->px != sn->lv[i].px || l->qty != sn->lv[i].qty) {
			s->c.topn_mismatch++;
			snprintf(det, sizeof det, "top-N %s level %u at update %" PRId64 ": snapshot %" PRId64 " x %" PRId64
			    ", rebuilt %" PRId64 " x %" PRId64, book_side_name(side), k, sn->h.last_id, sn->lv[i].px,
			    sn->lv[i].qty, l ? l->px : 0, l ? l->qty : 0);
			epoch_break(s, t, "topn_mismatch", det);
			return;
		}
	}
	confirm(s, t);
	s->last_good_t = t;
}

/* Assemble (possibly chunked) SNAP_FULL levels into s->tmp; 1 when complete. */
static int
full_collect(struct st *s, const struct rec_snapshot *sn)
{
	uint32_t skipped = 0;

	if (sn->chunk == 0) {
		s->cnb = s->cna = 0;
		s->chunk_next = 0;
		s->chunk_id = sn->h.last_id;
	}
	if (sn->chunk != s->chunk_next || sn->h.last_id != s->chunk_id || sn->nchunks == 0) {
		s->c.bad_chunks++;
		s->chunk_next = -1;
		return 0;
	}
	if (s->cnb + sn->n_bids > REC_MAX_LEVELS * 4 || s->cna + sn->n_asks > REC_MAX_LEVELS * 4) {
		s->c.bad_chunks++;
		s->chunk_next = -1;
		return 0;
	}
	memcpy(s->cb + s->cnb, sn->lv, sn->n_bids * sizeof *s->cb);
	memcpy(s->ca + s->cna, sn->lv + sn->n_bids, sn->n_asks * sizeof *s->ca);
	s->cnb += sn->n_bids;
	s->cna += sn->n_asks;
	s->chunk_next++;
	if (s->chunk_next < sn->nchunks)
		return 0;
	s->chunk_next = 0;
	if (book_set_side(s->tmp, BOOK_BID, s->cb, s->cnb, &skipped) != 0 ||
	    book_set_side(s->tmp, BOOK_ASK, s->ca, s->cna, &skipped) != 0) {
		s->c.bad_snapshots++;
		return 0;
	}
	return 1;
}

static void
on_event(struct st *s, const struct rec_event *e, int64_t t)
{
	char det[200];

	s->c.events++;
	if (e->code == EV_GAP)
		s->c.gap_events++;
	if (!ev_breaks_book(e->code))
		return;
	if (e->code == EV_GAP)
		snprintf(det, sizeof det, "expected %" PRId64 " got %" PRId64, e->a, e->b);
	else if (e->code == EV_RING_LOSS || e->code == EV_NATS_LOSS)
		snprintf(det, sizeof det, "%" PRId64 " records lost %s", e->b, e->text);
	else
		snprintf(det, sizeof det, "%s", e->text);
	{
		char reason[48];
		snprintf(reason, sizeof reason, "event:%s", ev_code_name(e->code));
		epoch_break(s, t, reason, det);
	}
}

static void
on_trade(struct st *s, const struct rec_trade *tr, int64_t t)
{
	double q = (double)tr->qty / s->fc.qty_div;

	s->c.trades++;
	if (!s->in_epoch)
		return;
	if (s->lob)
		mpx_lob_trade(s->lob, t, tr, t >= s->o->from);
	if (tr->side == SIDE_BUY)
		s->flow.buy_qty += q;
	else if (tr->side == SIDE_SELL)
		s->flow.sell_qty += q;
	s->flow.n_trades++;
}

/* Does this record (at or after --to) confirm the book, or end the export? */
static void
on_tail(struct st *s, const struct rec_hdr *h)
{
	int relevant = 0, confirms = 0;

	if (h->type == REC_DELTA) {
		relevant = 1;
		confirms = s->in_epoch && h->prev_id == s->book_id;
	} else if (h->type == REC_SNAPSHOT) {
		const struct rec_snapshot *sn = (const void *)h;
		if (sn->kind == SNAP_FULL || sn->kind == SNAP_TOPN) {
			relevant = 1;
			confirms = s->in_epoch && sn->h.last_id == s->book_id &&
			    !(sn->kind == SNAP_FULL && (sn->reason == SNAP_R_SYNC || sn->reason == SNAP_R_RESYNC));
		}
	} else if (h->type == REC_EVENT) {
		relevant = ev_breaks_book(((const struct rec_event *)h)->code);
	}
	if (!relevant)
		return;
	if (confirms)
		confirm(s, s->o->to);
	else if (s->in_epoch)
		epoch_break(s, s->o->to, "end_of_range", "the first record after the range broke continuity");
	s->stop = 1;
}

static void
on_record(struct st *s, const struct rec_hdr *h)
{
	/*
	 * The sampling clock is feedd's receive time.  Records without one
	 * (bookd's own events) happen "now": the store's fallback times (the
	 * exchange's clock, or when stored wrote the block, seconds later) would
	 * drag the monotonic clock away from the data.
	 */
	int64_t t = h->recv_ns > 0 ? h->recv_ns : s->te;

	/* Instrument rules are re-sent by bookd before every full book with the
	 * time feedd fetched them: they describe the instrument, not a moment of
	 * the book, so they never move (or regress) the sampling clock. */
	if (h->type == REC_INSTRUMENT)
		t = s->te;

	s->c.records++;
	if (t < s->te) {
		s->c.time_regressions++;
		t = s->te;
	}
	s->te = t;
	if (s->corrupt_pending) {
		s->corrupt_pending = 0;
		epoch_break(s, t, "store_corrupt", s->corrupt_what);
	}
	if (t >= s->o->to) {
		on_tail(s, h);
		return;
	}
	switch (h->type) {
	case REC_DELTA:
		on_delta(s, (const struct rec_delta *)h, t);
		break;
	case REC_SNAPSHOT: {
		const struct rec_snapshot *sn = (const void *)h;
		if (sn->kind == SNAP_FULL) {
			if (full_collect(s, sn))
				on_full(s, sn, t);
		} else if (sn->kind == SNAP_TOPN) {
			on_topn(s, sn, t);
		} else {
			s->c.other++;
		}
		break;
	}
	case REC_EVENT:
		on_event(s, (const struct rec_event *)h, t);
		break;
	case REC_TRADE:
		on_trade(s, (const struct rec_trade *)h, t);
		break;
	case REC_TICKER:
	case REC_KLINE:
	case REC_MARKET:
		if (s->req)
			mpx_req_market(s->req, h, s->inst);
		else
			s->c.other++;
		break;
	default:
		s->c.other++;
		break;
	}
}

static void
on_fault(const struct store_fault *f, void *arg)
{
	struct st *s = arg;

	if (f->tail)
		return;
	s->c.store_faults++;
	s->corrupt_pending = 1;
	snprintf(s->corrupt_what, sizeof s->corrupt_what, "%s at offset %" PRIu64, f->what, f->off);
	log_warn("corrupted store block skipped", "path=%s offset=%" PRIu64 " what=%s", log_q(f->path), f->off,
	    log_q(f->what));
}

/* ---- progress ---- */

static uint64_t
estimate_records(const struct mpx_opts *o, int64_t start, int64_t end)
{
	struct store_stream *ss;
	struct store_seg_info *info;
	char err[256], path[1200];
	uint64_t total = 0;
	int n, i, j;

	n = store_streams(o->root, &ss, err, sizeof err);
	if (n < 0)
		return 0;
	info = malloc(sizeof *info);
	for (i = 0; info && i < n; i++) {
		if (ss[i].kind != STORE_K_BOOK || strcasecmp(ss[i].exchange, o->exchange) != 0)
			continue;
		for (j = 0; j < ss[i].n_seg; j++) {
			const struct inst *in;
			struct inst_registry reg;
			int64_t h = store_hour_parse(ss[i].seg[j]);
			if (h < 0 || h + 3600LL * 1000000000LL <= start || h >= end)
				continue;
			snprintf(path, sizeof path, "%s/%s", ss[i].dir, ss[i].seg[j]);
			if (store_seg_scan(path, 0, info, NULL, NULL, err, sizeof err) < 0 ||
			    store_seg_reg(path, &reg, err, sizeof err) < 0)
				continue;
			in = inst_find(&reg, exch_parse(o->exchange), o->symbol);
			if (in && !strcasecmp(in->symbol, ss[i].symbol))
				total += info->n_records;
			inst_reg_free(&reg);
		}
	}
	free(info);
	store_streams_free(ss, n);
	return total;
}

static void
progress(struct st *s, int final)
{
	int64_t now = mono_ns(), el = now - s->t_begin;
	double pct, rate;

	if (s->o->progress == 0 || (s->o->progress < 0 && el < 2000000000LL && !s->progress_shown))
		return;
	if (!final && now - s->t_last_progress < 1000000000LL)
		return;
	if (final && !s->progress_shown)
		return;
	s->t_last_progress = now;
	s->progress_shown = 1;
	pct = s->total_est ? 100.0 * (double)s->c.records / (double)s->total_est : 0;
	if (pct > 100)
		pct = 100;
	rate = el > 0 ? (double)s->c.records / ((double)el / 1e9) : 0;
	fprintf(stderr, "mpexport: %s/%s %5.1f%% records %" PRIu64 "/%" PRIu64 " %.0f rec/s, %" PRIu64
	    " samples, %zu gaps%s\n", s->o->exchange, s->o->symbol, final ? 100.0 : pct, s->c.records,
	    s->total_est, rate, s->rows, s->n_gaps, final ? " (done)" : "");
}

/* ---- driver ---- */

static int
mkdir_p(const char *dir)
{
	char tmp[1024];
	char *p;

	snprintf(tmp, sizeof tmp, "%s", dir);
	for (p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	}
	return mkdir(tmp, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* Remove what an earlier export into the same directory left, so every file
 * there belongs to this run (metadata.json, written last, marks it complete). */
static void
clear_old(const char *dir)
{
	static const char *const names[] = {
		"metadata.json", "timestamps.npy", "ids.npy", "mid.npy", "segment.npy", "deeplob.npy",
		"deeplob_windows.npy", "deeplob_x.npy", "features.npy", "heatmap.npy", "stack.npy",
		"stack_timestamps.npy", "labels.npy", "label_returns.npy",
	};
	char path[1200];
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (unlink(path) < 0 && errno != ENOENT)
			log_warn("cannot remove an old output", "path=%s error=%s", log_q(path), log_q(strerror(errno)));
	}
	mpx_lob_clear(dir);
}

static void
st_free(struct st *s)
{
	size_t i;

	book_free(s->bk);
	book_free(s->tmp);
	free(s->cb);
	free(s->ca);
	free(s->gaps);
	free(s->raw);
	free(s->ml_lv[0]);
	free(s->ml_lv[1]);
	free(s->heat_d);
	free(s->rowf);
	free(s->heatf);
	free(s->ring);
	free(s->xbuf);
	free(s->mids);
	free(s->segids);
	free(s->segs);
	free(s->sframes);
	free(s->nmean);
	free(s->nstd);
	for (i = 0; i < s->n_ndays; i++) {
		free(s->ndays[i].mean);
		free(s->ndays[i].std);
	}
	free(s->ndays);
	mpx_norm_free(&s->norm);
	mpx_lob_free(s->lob);
}

static int
st_alloc(struct st *s)
{
	const struct mpx_opts *o = s->o;
	int rowmax = s->ndl > s->nft ? s->ndl : s->nft;
	size_t xn;

	s->bk = book_new(o->max_levels);
	s->tmp = book_new(o->max_levels);
	s->cb = malloc(REC_MAX_LEVELS * 4 * sizeof *s->cb);
	s->ca = malloc(REC_MAX_LEVELS * 4 * sizeof *s->ca);
	s->raw = calloc((size_t)s->ncol, sizeof *s->raw);
	s->heat_d = calloc((size_t)o->f.bins * 2, sizeof *s->heat_d);
	s->heatf = calloc((size_t)o->f.bins * 2, sizeof *s->heatf);
	s->rowf = calloc((size_t)rowmax, sizeof *s->rowf);
	s->nmean = calloc((size_t)s->ncol, sizeof *s->nmean);
	s->nstd = calloc((size_t)s->ncol, sizeof *s->nstd);
	if (o->materialize)
		s->ring = calloc((size_t)o->window * (size_t)s->ndl, sizeof *s->ring);
	if (o->what & MPX_W_STACK)
		s->sframes = calloc((size_t)o->stack_len * (size_t)o->f.bins * 2, sizeof *s->sframes);
	xn = o->materialize ? (size_t)o->window * (size_t)s->ndl : 0;
	if ((o->what & MPX_W_STACK) && (size_t)o->stack_len * (size_t)o->f.bins * 2 > xn)
		xn = (size_t)o->stack_len * (size_t)o->f.bins * 2;
	s->xbuf = calloc(xn + 1, sizeof *s->xbuf);
	mpx_norm_init(&s->norm, s->ncol);
	return s->bk && s->tmp && s->xbuf && s->cb && s->ca && s->raw && s->heat_d && s->heatf && s->rowf && s->nmean &&
	    s->nstd && (!o->materialize || s->ring) && (!(o->what & MPX_W_STACK) || s->sframes) ? 0 : -1;
}

int
mpx_export(const struct mpx_opts *o, struct mpx_summary *sum, char *err, size_t errlen)
{
	struct st s;
	struct store_query q = { 0 };
	struct store_reader *r;
	struct store_reader_stats rs;
	const struct rec_hdr *h;
	struct store_pos pos;
	struct mpx_meta m;
	struct mpx_split sp;
	int rc = 0, n = 0;

	memset(&s, 0, sizeof s);
	memset(&sp, 0, sizeof sp);
	memset(sum, 0, sizeof *sum);
	s.o = o;
	s.fc = o->f;
	s.ndl = mpx_deeplob_ncols(&s.fc);
	s.nft = mpx_feat_ncols(&s.fc);
	s.ncol = s.ndl + s.nft;
	s.t_begin = mono_ns();
	if (o->to <= o->from) {
		snprintf(err, errlen, "--to must be after --from");
		return -1;
	}
	if (st_alloc(&s) < 0) {
		snprintf(err, errlen, "out of memory");
		st_free(&s);
		return -1;
	}
	if (mkdir_p(o->out) < 0) {
		snprintf(err, errlen, "%s: %s", o->out, strerror(errno));
		st_free(&s);
		return -1;
	}
	clear_old(o->out);
	s.start = o->from - o->warmup_ns;
	if (o->norm != MPX_NORM_NONE) {
		int64_t d0 = floor_div(o->from, DAY_NS) - o->norm_days;
		if (d0 * DAY_NS < s.start)
			s.start = d0 * DAY_NS;
	}
	if (s.start < 0)
		s.start = 0;
	s.te = s.start;
	gap_open(&s, s.start, "not_synced", "no full snapshot of the book yet (read started mid-epoch or the book was not synced)");
	if (outputs_open(&s, err, errlen) < 0) {
		outputs_close(&s, err + strlen(err), 0);
		st_free(&s);
		return -1;
	}
	if (o->what & MPX_W_REQ) {
		struct mpx_req_cfg rc0 = {
			.what = o->what & MPX_W_REQ, .levels = o->req_levels, .bins = o->req_bins,
			.flow_window = o->flow_window, .stack_len = o->stack_len, .stack_stride = o->stack_stride,
			.stack_ns = o->stack_ns, .ml_groups = o->ml_groups,
		};
		s.req = mpx_req_open(o->out, &rc0, err, errlen);
		if (!s.req) {
			outputs_close(&s, err + strlen(err), 0);
			st_free(&s);
			return -1;
		}
	}
	s.total_est = estimate_records(o, s.start, o->to + TAIL_NS);
	q.exchange = o->exchange;
	q.symbol = o->symbol;
	q.from_ns = s.start;
	q.to_ns = o->to + TAIL_NS;
	q.verify_data = 1;
	r = store_reader_open(o->root, &q, on_fault, &s, err, errlen);
	if (!r) {
		outputs_close(&s, err + strlen(err), 0);
		st_free(&s);
		return -1;
	}
	while (!s.stop && (n = store_reader_next(r, &h, &pos)) == 1) {
		if (pos.inst && (!s.inst || pos.inst->px_exp != s.inst_copy.px_exp ||
		    pos.inst->qty_exp != s.inst_copy.qty_exp)) {
			if (s.inst)
				log_warn("instrument scaling changed", "exchange=%s symbol=%s px_exp=%d qty_exp=%d",
				    o->exchange, log_q(o->symbol), pos.inst->px_exp, pos.inst->qty_exp);
			s.inst_copy = *pos.inst;
			s.inst = &s.inst_copy;
			s.fc.px_div = pow(10.0, -pos.inst->px_exp);
			s.fc.qty_div = pow(10.0, -pos.inst->qty_exp);
		}
		if (!s.inst)
			continue;
		if ((o->what & MPX_W_MARKET) && !s.spot) {
			/* the pairing routerd makes, from the segment's instrument table */
			s.spot = mpx_spot_open(o->root, pos.reg, pos.inst ? pos.inst : s.inst, o->basis_spot,
			    o->basis_max_age_ns, s.start, o->to + TAIL_NS, err, errlen);
			if (!s.spot) {
				rc = -1;
				break;
			}
			mpx_req_set_basis(s.req, mpx_spot_basis(s.spot), mpx_spot_ref(s.spot), o->basis_max_age_ns);
		}
		if (s.spot) {
			/* as routerd: every spot record bookd stamped before this one, then this one's own book */
			if (mpx_spot_before(s.spot, mlb_key(h), err, errlen) < 0) {
				rc = -1;
				break;
			}
			mlb_fold(mpx_spot_basis(s.spot), h->inst, h, s.inst->px_exp);
		}
		on_record(&s, h);
		if ((s.c.records & 4095) == 0)
			progress(&s, 0);
	}
	if (!rc && !s.stop && n < 0) {
		snprintf(err, errlen, "reading the store: %s", store_reader_error(r));
		rc = -1;
	}
	store_reader_stats(r, &rs);
	store_reader_close(r);
	if (!s.stop) {
		/* The data ended before --to: nothing after the last confirmed record is known. */
		epoch_break(&s, s.te, "end_of_data", "the store holds no record of this book after this time");
	}
	gap_close(&s, o->to);
	s.c.bad_blocks = rs.bad_blocks;
	s.c.bad_records = rs.bad_records;
	if (s.spot)
		s.c.spot_records = mpx_spot_records(s.spot);
	if (!s.inst && !rc) {
		snprintf(err, errlen, "no records of %s %s in %s between the warm-up start and --to", o->exchange,
		    o->symbol, o->root);
		rc = -1;
	}
	if (outputs_close(&s, err, errlen) < 0)
		rc = -1;
	if (s.req && mpx_req_close(s.req, rc ? err + strlen(err) : err, rc ? 0 : errlen) < 0)
		rc = -1;
	if (!rc && s.lob_failed) {
		snprintf(err, errlen, "%s", s.lob_err);
		rc = -1;
	}
	if (!rc && s.lob && mpx_lob_close(s.lob, err, errlen) < 0)
		rc = -1;
	if (!rc && (o->what & MPX_W_LABELS) && write_labels(&s, err, errlen) < 0)
		rc = -1;
	if (!rc && o->n_split && mpx_split_compute(&sp, o->out, s.rows, o->split,
	    (o->what & MPX_W_DEEPLOB) ? s.ndl : 0, (o->what & MPX_W_FEATURES) ? s.nft : 0, err, errlen) < 0)
		rc = -1;
	progress(&s, 1);
	if (!rc) {
		memset(&m, 0, sizeof m);
		m.o = o;
		m.fc = &s.fc;
		m.inst = s.inst;
		m.start = s.start;
		m.rows = s.rows;
		m.windows = s.npy[F_WIN].shape[0];
		m.stack_windows = s.stack_windows;
		m.gaps = s.gaps;
		m.n_gaps = s.n_gaps;
		m.segs = s.segs;
		m.n_segs = s.n_segs;
		m.ndays = s.ndays;
		m.n_ndays = s.n_ndays;
		m.ndl = s.ndl;
		m.nft = s.nft;
		m.c = &s.c;
		m.lob = s.lob;
		m.split = o->n_split ? &sp : NULL;
		m.req = s.req;
		m.seconds = (double)(mono_ns() - s.t_begin) / 1e9;
		if (mpx_meta_write(&m, err, errlen) < 0)
			rc = -1;
	}
	sum->records = s.c.records;
	sum->deltas = s.c.deltas;
	sum->samples = s.rows;
	sum->windows = s.npy[F_WIN].shape[0];
	sum->gaps = s.n_gaps;
	sum->stack_windows = s.stack_windows;
	sum->seconds = (double)(mono_ns() - s.t_begin) / 1e9;
	mpx_split_free(&sp);
	mpx_req_free(s.req);
	mpx_spot_close(s.spot);
	st_free(&s);
	return rc;
}
