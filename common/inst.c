/* inst.c - the instrument registry; see inst.h. */
#include "inst.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fx.h"

#define SYM_MAX 23      /* fits the 24-byte name fields with the NUL */

const char *
exch_name(int exch)
{
	switch (exch) {
	case EX_BINANCE: return "binance";
	case EX_OKX: return "okx";
	}
	return "?";
}

int
exch_parse(const char *name)
{
	if (!name)
		return EX_NONE;
	if (strcasecmp(name, "binance") == 0)
		return EX_BINANCE;
	if (strcasecmp(name, "okx") == 0)
		return EX_OKX;
	return EX_NONE;
}

/*
 * Canonical form: BASE-QUOTE, letters and digits, upper case, one '-'.  OKX
 * names other instrument types with more segments (BTC-USD-220527 futures,
 * UNI-USD-SWAP perpetuals, BTC-USD-220527-30000-C options): up to
 * OKX_MAX_DASH dashes there, none empty.
 */
#define OKX_MAX_DASH 4

static int
canon_symbol(int exch, const char *in, char *out, char *err, size_t errlen)
{
	size_t n = strlen(in), i, ndash = 0, max_dash = exch == EX_OKX ? OKX_MAX_DASH : 1;
	int empty = 0;

	if (n == 0 || n > SYM_MAX) {
		snprintf(err, errlen, "symbol \"%.40s\": expected BASE-QUOTE of 1..%d characters", in, SYM_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '-') {
			ndash++;
			if (i == 0 || i == n - 1 || in[i - 1] == '-')
				empty = 1;
		} else if (!isalnum(c)) {
			snprintf(err, errlen, "symbol \"%.40s\": expected BASE-QUOTE (letters and digits around one '-')", in);
			return -1;
		}
		out[i] = (char)toupper(c);
	}
	out[n] = 0;
	if (ndash < 1 || ndash > max_dash || empty) {
		snprintf(err, errlen, "symbol \"%.40s\": expected BASE-QUOTE like BTC-USDT%s", in,
		    exch == EX_OKX ? " (or an OKX instId like BTC-USD-220527, UNI-USD-SWAP)" : "");
		return -1;
	}
	return 0;
}

uint32_t
inst_add(struct inst_registry *r, int exch, const char *symbol, char *err, size_t errlen)
{
	char canon[SYM_MAX + 1];
	struct inst *in;
	size_t i, o;

	if (exch != EX_BINANCE && exch != EX_OKX) {
		snprintf(err, errlen, "unknown exchange %d", exch);
		return 0;
	}
	if (!symbol) {
		snprintf(err, errlen, "no symbol");
		return 0;
	}
	if (canon_symbol(exch, symbol, canon, err, errlen) < 0)
		return 0;
	if (inst_find(r, exch, canon)) {
		snprintf(err, errlen, "%s %s listed twice", exch_name(exch), canon);
		return 0;
	}
	if (r->n < 0 || r->n >= INST_MAX) {
		snprintf(err, errlen, "too many instruments (at most %d)", INST_MAX);
		return 0;
	}
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
	if (exch == EX_BINANCE) {
		/* Binance names spot pairs without the dash and prints 8 fixed decimals. */
		for (i = o = 0; canon[i]; i++)
			if (canon[i] != '-')
				in->venue_symbol[o++] = canon[i];
		in->venue_symbol[o] = 0;
		in->px_dec = 8;
		in->qty_dec = 8;
	} else {
		memcpy(in->venue_symbol, canon, strlen(canon) + 1);
		in->px_dec = FX_TRIM;
		in->qty_dec = FX_TRIM;
	}
	r->n++;
	return in->id;
}

const struct inst *
inst_get(const struct inst_registry *r, uint32_t id)
{
	if (!r || id == 0 || r->n <= 0 || id > (uint32_t)r->n || id > INST_MAX)
		return NULL;
	return &r->v[id - 1];
}

const struct inst *
inst_find(const struct inst_registry *r, int exch, const char *symbol)
{
	int i;

	if (!r || !symbol)
		return NULL;
	for (i = 0; i < r->n && i < INST_MAX; i++) {
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
