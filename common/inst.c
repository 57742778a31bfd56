/* inst.c - the instrument registry; see inst.h. */
#include "inst.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fx.h"
#include "rec.h"

#define SYM_MAX 23      /* fits the 24-byte name fields with the NUL */

void
inst_reg_init(struct inst_registry *r, int max)
{
	memset(r, 0, sizeof *r);
	r->max = max;
}

/*
 * The index: open addressing over ids (0 = empty), two keys per instrument
 * (its canonical and its venue name, folded to lower case, with the
 * exchange), at most a quarter full.  It covers v[0 .. n - 1] of the v it
 * was built for; inst_find checks that before trusting it.
 */
struct inst_index {
	const struct inst *v;
	int n;
	uint32_t mask;
	uint32_t *slot;
};

static uint32_t
key_hash(int exch, const char *s)
{
	uint32_t h = 2166136261u ^ (uint32_t)(exch & 0xff);

	h *= 16777619u;
	for (; *s; s++)
		h = (h ^ (uint32_t)tolower((unsigned char)*s)) * 16777619u;
	return h;
}

static void
ix_put(struct inst_index *x, int exch, const char *name, uint32_t id)
{
	uint32_t i = key_hash(exch, name) & x->mask;

	while (x->slot[i])
		i = (i + 1) & x->mask;
	x->slot[i] = id;
}

static void
ix_drop(struct inst_registry *r)
{
	if (r->ix) {
		free(r->ix->slot);
		free(r->ix);
		r->ix = NULL;
	}
}

/* The index of v[0 .. n - 1] with room for want instruments; -1 out of
 * memory (no index then: inst_find scans). */
static int
ix_build(struct inst_registry *r, int want)
{
	uint32_t size = 64;
	struct inst_index *x;

	ix_drop(r);
	while (size < (uint32_t)want * 8u)   /* 2 keys an instrument, a quarter full */
		size *= 2;
	if (!(x = calloc(1, sizeof *x)) || !(x->slot = calloc(size, sizeof *x->slot))) {
		free(x);
		return -1;
	}
	x->mask = size - 1;
	for (int i = 0; i < r->n; i++) {
		ix_put(x, r->v[i].exch, r->v[i].symbol, r->v[i].id);
		if (strcasecmp(r->v[i].symbol, r->v[i].venue_symbol) != 0)
			ix_put(x, r->v[i].exch, r->v[i].venue_symbol, r->v[i].id);
	}
	x->v = r->v;
	x->n = r->n;
	r->ix = x;
	return 0;
}

static int
ix_valid(const struct inst_registry *r)
{
	return r->ix && r->ix->v == r->v && r->ix->n == r->n;
}

void
inst_reg_free(struct inst_registry *r)
{
	if (!r)
		return;
	ix_drop(r);
	free(r->v);
	inst_reg_init(r, r->max);
}

int
inst_reg_copy(struct inst_registry *dst, const struct inst_registry *src)
{
	inst_reg_init(dst, src->max);
	if (src->n <= 0)
		return 0;
	dst->v = malloc((size_t)src->n * sizeof *dst->v);
	if (!dst->v)
		return -1;
	memcpy(dst->v, src->v, (size_t)src->n * sizeof *dst->v);
	dst->n = dst->cap = src->n;
	(void)ix_build(dst, dst->n);   /* without one (no memory) look-ups scan */
	return 0;
}

int
inst_reg_reserve(struct inst_registry *r, int n)
{
	struct inst *nv;

	if (n <= r->cap)
		return 0;
	nv = realloc(r->v, (size_t)n * sizeof *nv);
	if (!nv)
		return -1;
	r->v = nv;
	r->cap = n;
	(void)ix_build(r, n);          /* room for all n: adding never rebuilds */
	return 0;
}

/* Room for one more: the table doubles, so adding n instruments copies O(n). */
static int
grow(struct inst_registry *r, char *err, size_t errlen)
{
	int max = r->max > 0 ? r->max : INST_DEFAULT_MAX;
	int ncap;
	struct inst *nv;

	if (r->n < 0 || r->n >= max) {
		snprintf(err, errlen, "too many instruments (at most %d: [system] max_instruments)", max);
		return -1;
	}
	if (r->n < r->cap)
		return 0;
	ncap = r->cap ? r->cap * 2 : 16;
	if (ncap > max)
		ncap = max;
	nv = realloc(r->v, (size_t)ncap * sizeof *nv);
	if (!nv) {
		snprintf(err, errlen, "out of memory for %d instruments", ncap);
		return -1;
	}
	r->v = nv;
	r->cap = ncap;
	return 0;
}

uint32_t
inst_add(struct inst_registry *r, int exch, const char *symbol, char *err, size_t errlen)
{
	char canon[SYM_MAX + 1];
	const struct venue *v = venue_ready(exch, err, errlen);
	struct inst *in;
	size_t i;

	if (!v)
		return 0;
	if (!symbol) {
		snprintf(err, errlen, "no symbol");
		return 0;
	}
	if (venue_canon(v, symbol, canon, sizeof canon, err, errlen) < 0)
		return 0;
	if (inst_find(r, exch, canon)) {
		snprintf(err, errlen, "%s %s listed twice", exch_name(exch), canon);
		return 0;
	}
	if (grow(r, err, errlen) < 0)
		return 0;
	in = &r->v[r->n];
	memset(in, 0, sizeof *in);
	in->id = (uint32_t)r->n + 1;
	in->exch = (uint8_t)exch;
	in->px_exp = FX_DEFAULT_EXP;
	in->qty_exp = FX_DEFAULT_EXP;
	memcpy(in->symbol, canon, strlen(canon) + 1);
	for (i = 0; canon[i]; i++)
		in->lower[i] = (char)tolower((unsigned char)canon[i]);
	in->lower[i] = 0;
	if (venue_symbol(v, canon, in->venue_symbol, sizeof in->venue_symbol) < 0) {
		snprintf(err, errlen, "symbol \"%s\": expected %s", canon, v->sym_hint);
		return 0;
	}
	in->px_dec = v->px_dec;
	in->qty_dec = v->qty_dec;
	/* index it: rebuilt when it does not describe v as it was (moved,
	 * reset, filled directly) or would pass a quarter full */
	if (!(r->ix && r->ix->v == r->v && r->ix->n == r->n && (uint32_t)(r->n + 1) * 8u <= r->ix->mask + 1u))
		(void)ix_build(r, r->cap > 2 * (r->n + 1) ? r->cap : 2 * (r->n + 1));
	r->n++;
	if (r->ix && r->ix->v == r->v && r->ix->n == r->n - 1) {
		ix_put(r->ix, in->exch, in->symbol, in->id);
		if (strcasecmp(in->symbol, in->venue_symbol) != 0)
			ix_put(r->ix, in->exch, in->venue_symbol, in->id);
		r->ix->n = r->n;
	}
	return in->id;
}

const struct inst *
inst_get(const struct inst_registry *r, uint32_t id)
{
	if (!r || id == 0 || r->n <= 0 || id > (uint32_t)r->n)
		return NULL;
	return &r->v[id - 1];
}

const struct inst *
inst_find(const struct inst_registry *r, int exch, const char *symbol)
{
	if (!r || !symbol)
		return NULL;
	if (ix_valid(r)) {
		/* every id whose name hashes here; the lowest that matches, as the scan */
		const struct inst *best = NULL;
		uint32_t k = key_hash(exch, symbol) & r->ix->mask, id;

		while ((id = r->ix->slot[k])) {
			const struct inst *in = &r->v[id - 1];

			if (in->exch == exch && (!best || in->id < best->id) &&
			    (strcasecmp(in->symbol, symbol) == 0 || strcasecmp(in->venue_symbol, symbol) == 0))
				best = in;
			k = (k + 1) & r->ix->mask;
		}
		return best;
	}
	return inst_find_linear(r, exch, symbol);
}

const struct inst *
inst_find_linear(const struct inst_registry *r, int exch, const char *symbol)
{
	int i;

	if (!r || !symbol)
		return NULL;
	for (i = 0; i < r->n; i++) {
		const struct inst *in = &r->v[i];

		if (in->exch != exch)
			continue;
		if (strcasecmp(in->symbol, symbol) == 0 || strcasecmp(in->venue_symbol, symbol) == 0)
			return in;
	}
	return NULL;
}

size_t
inst_fmt_px(const struct inst *in, int64_t v, char *buf, size_t cap)
{
	return fx_format(v, in->px_exp, in->px_dec, buf, cap);
}

size_t
inst_fmt_qty(const struct inst *in, int64_t v, char *buf, size_t cap)
{
	return fx_format(v, in->qty_exp, in->qty_dec, buf, cap);
}

void
inst_set_rules(struct inst *in, const struct rec_instrument *r)
{
	in->tick = r->tick;
	in->lot = r->lot;
	in->min_qty = r->min_qty;
	in->ct_val = r->ct_val;
	in->ct_mult = r->ct_mult;
	memcpy(in->ct_ccy, r->ct_ccy, sizeof in->ct_ccy);
	in->ct_ccy[sizeof in->ct_ccy - 1] = 0;
}

int
inst_contracts_to_base(const struct inst *in, int64_t contracts, int exp, int64_t *out)
{
	size_t bl = strcspn(in->symbol, "-");
	__int128 v;
	int shift;

	/* only a contract worth a fixed amount of the base currency converts
	 * without a price (inverse contracts are worth a fixed quote amount) */
	if (in->ct_val <= 0 || contracts < 0 || strlen(in->ct_ccy) != bl || strncasecmp(in->ct_ccy, in->symbol, bl) != 0)
		return -1;
	v = (__int128)contracts * in->ct_val;
	if (in->ct_mult > 0)
		v = v * in->ct_mult / 100000000;   /* ct_mult is at REC_CT_EXP too */
	/* v is at qty_exp + REC_CT_EXP; bring it to exp (rounding half up) */
	shift = in->qty_exp + REC_CT_EXP - exp;
	for (; shift > 0; shift--) {
		if (v > (__int128)INT64_MAX)
			return -1;
		v *= 10;
	}
	for (; shift < 0; shift++)
		v = (v + (shift == -1 ? 5 : 0)) / 10;
	if (v > (__int128)INT64_MAX)
		return -1;
	*out = (int64_t)v;
	return 0;
}
