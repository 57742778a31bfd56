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

void
inst_reg_free(struct inst_registry *r)
{
	if (!r)
		return;
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
	r->n++;
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
