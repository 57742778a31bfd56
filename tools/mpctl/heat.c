/*
 * heat.c - the live page's rolling time x price heatmap of resting size.
 *
 * Every book message mpctl receives from NATS (orderbook.full and
 * orderbook.snapshot, natsmon.c) becomes one frame: its levels, parsed back
 * from the exact decimal strings into mantissas at FX_DEFAULT_EXP, go
 * through routerd/mlimg.c's mli_heatmap, the requirement's heatmap code that
 * routerd publishes as ml_images and mpexport writes as reqheatmap.npy (best
 * 100 levels per side, 200 price bins over their range).  A frame of a top-N
 * snapshot covers only its N levels: the frame says which it was.  The last
 * HEAT_FRAMES frames per book are kept; /api/heatmap serves them.
 *
 * Bad input (not JSON, a level that is not an exact decimal, an empty side):
 * no frame, counted per book (bad_messages), never a crash.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fx.h"
#include "mpctl.h"
#include "../../routerd/mlimg.h"

#define HEAT_BOOKS 32
#define HEAT_FRAMES 180

struct heat_frame {
	int64_t t_ms;
	double lo, hi;
	int full, levels;          /* from orderbook.full; levels per side taken (<= 100) */
	float v[MLI_BINS * 2];     /* [bin][0 = bid, 1 = ask] */
};

struct heat_book {
	char ex[24], sym[32];
	struct heat_frame *fr;     /* ring of HEAT_FRAMES */
	uint64_t n, bad;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct heat_book hb[HEAT_BOOKS];

/* The best MLI_LEVELS levels of a side ([{price, quantity}] or [[p, q]]) as mantissas. */
static int
side_levels(json_t *side, struct rec_level *out, uint32_t *n)
{
	json_t *lv, *p, *q;
	size_t i;

	*n = 0;
	json_array_foreach(side, i, lv) {
		if (i >= MLI_LEVELS)
			break;
		p = json_is_object(lv) ? json_object_get(lv, "price") : json_array_get(lv, 0);
		q = json_is_object(lv) ? json_object_get(lv, "quantity") : json_array_get(lv, 1);
		if (!json_is_string(p) || !json_is_string(q) ||
		    fx_parse(json_string_value(p), json_string_length(p), FX_DEFAULT_EXP, &out[*n].px) != FX_OK ||
		    fx_parse(json_string_value(q), json_string_length(q), FX_DEFAULT_EXP, &out[*n].qty) != FX_OK)
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

void
heat_add(const char *ex, const char *sym, const char *body, size_t len, int full, int64_t now_ns)
{
	static struct rec_level lv[2][MLI_LEVELS];
	struct mlf_book b = {lv[0], lv[1], 0, 0, FX_DEFAULT_EXP, FX_DEFAULT_EXP};
	double heat[MLI_BINS * 2], lo, hi;
	json_t *j = json_loadb(body, len, 0, NULL);
	struct heat_book *k;
	int ok;

	/* called on the NATS thread only (one message at a time): lv may be static */
	ok = j && side_levels(json_object_get(j, "bids"), lv[0], &b.n_bids) == 0 &&
	    side_levels(json_object_get(j, "asks"), lv[1], &b.n_asks) == 0 &&
	    mli_heatmap(&b, MLI_LEVELS, MLI_BINS, heat, &lo, &hi) == 0;
	json_decref(j);
	pthread_mutex_lock(&mu);
	k = book_slot(ex, sym);
	if (k && !ok)
		k->bad++;
	if (k && ok) {
		struct heat_frame *f = &k->fr[k->n % HEAT_FRAMES];
		f->t_ms = now_ns / 1000000;
		f->lo = lo;
		f->hi = hi;
		f->full = full;
		f->levels = (int)(b.n_bids > b.n_asks ? b.n_bids : b.n_asks);
		for (int i = 0; i < MLI_BINS * 2; i++)
			f->v[i] = (float)heat[i];
		k->n++;
	}
	pthread_mutex_unlock(&mu);
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
			json_array_append_new(frames, json_pack("{s:I,s:s,s:i,s:f,s:f,s:o,s:o}", "t_ms", (json_int_t)f->t_ms,
			    "source", f->full ? "full" : "snapshot", "levels", f->levels, "price_lo", f->lo, "price_hi", f->hi,
			    "bid", side_json(f->v), "ask", side_json(f->v + 1)));
		}
		o = json_pack("{s:s,s:s,s:i,s:i,s:s,s:I,s:I,s:o}", "exchange", ex, "symbol", sym, "levels", MLI_LEVELS,
		    "bins", MLI_BINS, "code", "routerd/mlimg.c mli_heatmap (the requirement's heatmap)", "frames_total",
		    (json_int_t)k->n, "bad_messages", (json_int_t)k->bad, "frames", frames);
		break;
	}
	pthread_mutex_unlock(&mu);
	return o;
}

void
heat_free(void)
{
	pthread_mutex_lock(&mu);
	for (int b = 0; b < HEAT_BOOKS; b++) {
		free(hb[b].fr);
		memset(&hb[b], 0, sizeof hb[b]);
	}
	pthread_mutex_unlock(&mu);
}
