/*
 * heat.c - the live page's rolling time x price heatmap of resting size.
 *
 * Every book message mpctl receives from NATS (orderbook.full and
 * orderbook.snapshot, natsmon.c) becomes one frame of the requirement's
 * heatmap, computed by routerd/mlimg.c's mli_heatmap (the code routerd
 * publishes as ml_images and mpexport writes as reqheatmap.npy: 200 price
 * bins over the price range of the levels taken), but over the whole book:
 * `levels` = every level of the side, so the range is the book's own,
 * deepest bid to deepest ask (full depth), not the best 100.
 *
 *  - orderbook.full: every level of the book; the frame's source is "full".
 *  - orderbook.snapshot (the top N, about every second): its N levels per
 *    side, then the last full book's levels beyond them (bids below the
 *    snapshot's deepest bid, asks above its deepest ask), so each frame still
 *    spans the full depth.  Source "snapshot+full", with deep_age_ms = how
 *    old those deep levels are.  Before the first full book of the book
 *    the frame has only the N levels (source "snapshot").
 *
 * Levels are parsed back from the exact decimal strings into mantissas at
 * FX_DEFAULT_EXP (at most MLI_MAX_LEVELS per side).  The last HEAT_FRAMES
 * frames per book are kept; /api/heatmap serves them.
 *
 * Messages are read with common/djson.h (the whole grammar checked, strings
 * taken raw: a level written with escapes is not an exact decimal).
 * Bad input (not JSON, a level that is not an exact decimal, an empty side):
 * no frame, counted per book (bad_messages), never a crash.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "djson.h"
#include "fx.h"
#include "mpctl.h"
#include "../../routerd/mlimg.h"

#define HEAT_BOOKS 32
#define HEAT_FRAMES 180

enum { SRC_SNAP, SRC_FULL, SRC_SPLICED };
static const char *const src_name[] = {"snapshot", "full", "snapshot+full"};

struct heat_frame {
	int64_t t_ms, deep_ms;     /* deep_ms: time of the full book the deep levels came from (SRC_SPLICED) */
	double lo, hi;
	int src, levels;           /* SRC_*; levels per side taken (the longer side) */
	float v[MLI_BINS * 2];     /* [bin][0 = bid, 1 = ask] */
};

struct heat_book {
	char ex[24], sym[32];
	struct heat_frame *fr;     /* ring of HEAT_FRAMES */
	uint64_t n, bad;
	struct rec_level *deep[2]; /* the last full book's sides (MLI_MAX_LEVELS each), NULL before one */
	uint32_t n_deep[2];
	int64_t deep_ms;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t parse_mu = PTHREAD_MUTEX_INITIALIZER;   /* heat_add's static buffers */
static struct heat_book hb[HEAT_BOOKS];
static struct dj g_dj;        /* heat_add's tokens, kept between messages (under parse_mu) */

/* The best MLI_MAX_LEVELS levels of a side ([{price, quantity}] or [[p, q]])
 * as mantissas; side is the array's token (anything else: no levels). */
static int
side_levels(const struct dj *d, int side, struct rec_level *out, uint32_t *n)
{
	uint32_t i, lv;

	*n = 0;
	if (side < 0 || d->t[side].type != DJ_ARR)
		return 0;
	for (i = 0, lv = (uint32_t)side + 1; i < d->t[side].size && i < MLI_MAX_LEVELS; i++, lv = d->t[lv].next) {
		int obj = d->t[lv].type == DJ_OBJ;
		int p = obj ? dj_get(d, (int)lv, "price") : dj_child(d, (int)lv, 0);
		int q = obj ? dj_get(d, (int)lv, "quantity") : dj_child(d, (int)lv, 1);

		if (p < 0 || q < 0 || d->t[p].type != DJ_STR || d->t[q].type != DJ_STR ||
		    fx_parse(d->buf + d->t[p].off, d->t[p].len, FX_DEFAULT_EXP, &out[*n].px) != FX_OK ||
		    fx_parse(d->buf + d->t[q].off, d->t[q].len, FX_DEFAULT_EXP, &out[*n].qty) != FX_OK)
			return -1;
		(*n)++;
	}
	return 0;
}

static struct heat_book *
book_slot(const char *ex, const char *sym)
{
	int i, free_i = -1;

	for (i = 0; i < HEAT_BOOKS; i++) {
		if (hb[i].fr && !strcasecmp(hb[i].ex, ex) && !strcasecmp(hb[i].sym, sym))
			return &hb[i];
		if (!hb[i].fr && free_i < 0)
			free_i = i;
	}
	if (free_i < 0 || !(hb[free_i].fr = calloc(HEAT_FRAMES, sizeof *hb[free_i].fr)))
		return NULL;
	snprintf(hb[free_i].ex, sizeof hb[free_i].ex, "%s", ex);
	snprintf(hb[free_i].sym, sizeof hb[free_i].sym, "%s", sym);
	return &hb[free_i];
}

/* Append to a snapshot side (n levels, best first) the levels of the last
 * full book that lie beyond its deepest one (side 0: lower bids, 1: higher asks). */
static void
splice(struct rec_level *lv, uint32_t *n, const struct rec_level *deep, uint32_t nd, int side)
{
	uint32_t i = 0;

	if (!*n)
		return;
	while (i < nd && (side == 0 ? deep[i].px >= lv[*n - 1].px : deep[i].px <= lv[*n - 1].px))
		i++;
	for (; i < nd && *n < MLI_MAX_LEVELS; i++)
		lv[(*n)++] = deep[i];
}

/* Keep a full book's sides as the deep levels of the frames that follow. */
static void
keep_deep(struct heat_book *k, struct rec_level (*lv)[MLI_MAX_LEVELS], const uint32_t *n, int64_t now_ms)
{
	for (int s = 0; s < 2; s++) {
		if (!k->deep[s] && !(k->deep[s] = malloc(MLI_MAX_LEVELS * sizeof *k->deep[s]))) {
			k->n_deep[0] = k->n_deep[1] = 0;   /* out of memory: frames stay top-N only */
			return;
		}
		memcpy(k->deep[s], lv[s], n[s] * sizeof *lv[s]);
		k->n_deep[s] = n[s];
	}
	k->deep_ms = now_ms;
}

void
heat_add(const char *ex, const char *sym, const char *body, size_t len, int full, int64_t now_ns)
{
	static struct rec_level lv[2][MLI_MAX_LEVELS];
	struct mlf_book b = {lv[0], lv[1], 0, 0, FX_DEFAULT_EXP, FX_DEFAULT_EXP};
	double heat[MLI_BINS * 2], lo, hi;
	struct heat_book *k;
	int ok, src = full ? SRC_FULL : SRC_SNAP, levels;

	/* A book without a slot (HEAT_BOOKS taken) gets no frame: not parsed at
	 * all.  Slots are only released by heat_free, after the NATS threads. */
	pthread_mutex_lock(&mu);
	k = book_slot(ex, sym);
	pthread_mutex_unlock(&mu);
	if (!k)
		return;
	/* nats.c delivers each subscription on its own thread (snapshots and
	 * full books at once): lv and the token array are static, so one
	 * message at a time (parse_mu, taken before mu).  djson.h, not jansson:
	 * one pass, nothing allocated per level (a full book is 10,000 levels;
	 * the DOM's allocations were most of mpctl's CPU at 60 books) */
	pthread_mutex_lock(&parse_mu);
	ok = dj_parse(&g_dj, body, len) == 0 && side_levels(&g_dj, dj_get(&g_dj, 0, "bids"), lv[0], &b.n_bids) == 0 &&
	    side_levels(&g_dj, dj_get(&g_dj, 0, "asks"), lv[1], &b.n_asks) == 0 && b.n_bids && b.n_asks;
	pthread_mutex_lock(&mu);
	if (k && ok && full) {
		uint32_t n[2] = {b.n_bids, b.n_asks};
		keep_deep(k, lv, n, now_ns / 1000000);
	} else if (k && ok && k->n_deep[0] && k->n_deep[1]) {
		splice(lv[0], &b.n_bids, k->deep[0], k->n_deep[0], 0);
		splice(lv[1], &b.n_asks, k->deep[1], k->n_deep[1], 1);
		src = SRC_SPLICED;
	}
	/* every level of both sides: the heatmap's range is the book's whole price range */
	levels = (int)(b.n_bids > b.n_asks ? b.n_bids : b.n_asks);
	ok = ok && mli_heatmap(&b, levels, MLI_BINS, heat, &lo, &hi) == 0;
	if (k && !ok)
		k->bad++;
	if (k && ok) {
		struct heat_frame *f = &k->fr[k->n % HEAT_FRAMES];
		f->t_ms = now_ns / 1000000;
		f->deep_ms = src == SRC_SPLICED ? k->deep_ms : 0;
		f->lo = lo;
		f->hi = hi;
		f->src = src;
		f->levels = levels;
		for (int i = 0; i < MLI_BINS * 2; i++)
			f->v[i] = (float)heat[i];
		k->n++;
	}
	pthread_mutex_unlock(&mu);
	pthread_mutex_unlock(&parse_mu);
}

static json_t *
side_json(const float *v)
{
	json_t *a = json_array();

	for (int i = 0; i < MLI_BINS; i++)
		json_array_append_new(a, json_real(v[2 * i]));
	return a;
}

json_t *
heat_json(const char *ex, const char *sym)
{
	json_t *o = NULL, *frames;
	uint64_t i, from;

	pthread_mutex_lock(&mu);
	for (int b = 0; b < HEAT_BOOKS; b++) {
		struct heat_book *k = &hb[b];
		if (!k->fr || strcasecmp(k->ex, ex) || strcasecmp(k->sym, sym))
			continue;
		frames = json_array();
		from = k->n > HEAT_FRAMES ? k->n - HEAT_FRAMES : 0;
		for (i = from; i < k->n; i++) {
			const struct heat_frame *f = &k->fr[i % HEAT_FRAMES];
			json_t *fo = json_pack("{s:I,s:s,s:i,s:f,s:f,s:o,s:o}", "t_ms", (json_int_t)f->t_ms,
			    "source", src_name[f->src], "levels", f->levels, "price_lo", f->lo, "price_hi", f->hi,
			    "bid", side_json(f->v), "ask", side_json(f->v + 1));
			if (fo && f->src == SRC_SPLICED)
				json_object_set_new(fo, "deep_age_ms", json_integer((json_int_t)(f->t_ms - f->deep_ms)));
			json_array_append_new(frames, fo);
		}
		o = json_pack("{s:s,s:s,s:s,s:i,s:s,s:I,s:I,s:o}", "exchange", ex, "symbol", sym, "levels", "all",
		    "bins", MLI_BINS, "code", "routerd/mlimg.c mli_heatmap (the requirement's heatmap) over every level of "
		    "the book: 200 bins from the deepest bid to the deepest ask", "frames_total",
		    (json_int_t)k->n, "bad_messages", (json_int_t)k->bad, "frames", frames);
		break;
	}
	pthread_mutex_unlock(&mu);
	return o;
}

void
heat_free(void)
{
	pthread_mutex_lock(&parse_mu);
	pthread_mutex_lock(&mu);
	for (int b = 0; b < HEAT_BOOKS; b++) {
		free(hb[b].fr);
		free(hb[b].deep[0]);
		free(hb[b].deep[1]);
		memset(&hb[b], 0, sizeof hb[b]);
	}
	dj_free(&g_dj);
	pthread_mutex_unlock(&mu);
	pthread_mutex_unlock(&parse_mu);
}
