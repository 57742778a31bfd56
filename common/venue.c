/* venue.c - the venue table; see venue.h. */
#include "venue.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "deribit.h"
#include "fx.h"

/* Indexed by id.  Planned venues keep their names (so records and files
 * naming them can still be printed) but have implemented = 0. */
static const struct venue venues[EX_END] = {
	[EX_BINANCE] = {
		.id = EX_BINANCE, .spot_venue = EX_BINANCE, .name = "binance", .title = "Binance spot", .implemented = 1,
		.ws_url = "wss://stream.binance.com:9443", .rest_url = "https://api.binance.com",
		/* Binance prints 8 fixed decimals */
		.px_dec = 8, .qty_dec = 8, .sym = VS_JOIN, .min_dash = 1, .max_dash = 1,
		.sym_hint = "BASE-QUOTE like BTC-USDT", .stale_s = 30, .ws_levels = 0, .flags = 0,
		.stream = "<symbol>@depth@100ms",
		.batching = "Binance sends the changes of each 100 ms as one update (U..u), so one 'update' "
		    "step is one 100 ms batch, not one order event",
	},
	[EX_OKX] = {
		.id = EX_OKX, .spot_venue = EX_OKX, .name = "okx", .title = "OKX", .implemented = 1,
		.ws_url = "wss://ws.okx.com:8443", .rest_url = "https://openapi.okx.com",
		/* OKX strings carry no trailing zeros */
		.px_dec = FX_TRIM, .qty_dec = FX_TRIM, .sym = VS_SAME, .min_dash = 1, .max_dash = 4,
		.sym_hint = "BASE-QUOTE like BTC-USDT (or an OKX instId like BTC-USD-220527, UNI-USD-SWAP)",
		/* books of quiet instruments can be silent for a minute (heartbeats aside) */
		.stale_s = 90, .ws_levels = 400, .flags = VF_SEQUENCE | VF_CHECKSUM,
		.stream = "books (400 levels)",
		.batching = "OKX books pushes the changes of about 100 ms as one update (seqId); empty "
		    "heartbeat updates are not samples; levels beyond 400 come from books-full refreshes",
	},
	/* Binance futures print the decimals of each symbol's tick (exchangeInfo
	 * pricePrecision), which the table cannot know: trimmed strings */
	[EX_BINANCE_USDM] = {
		.id = EX_BINANCE_USDM, .spot_venue = EX_BINANCE, .name = "binance-usdm", .title = "Binance USD-M futures", .implemented = 1,
		.ws_url = "wss://fstream.binance.com", .rest_url = "https://fapi.binance.com",
		.px_dec = FX_TRIM, .qty_dec = FX_TRIM, .sym = VS_BINANCE_FAPI, .min_dash = 2, .max_dash = 2,
		.sym_hint = "BASE-QUOTE-SWAP (perpetual, BTC-USDT-SWAP = BTCUSDT) or BASE-QUOTE-YYMMDD "
		    "(dated, BTC-USDT-240927 = BTCUSDT_240927)",
		.stale_s = 30, .ws_levels = 0, .flags = 0,
		.stream = "<symbol>@depth@100ms (U, u, pu)",
		.batching = "Binance futures send the changes of each 100 ms as one update (U..u, pu = the "
		    "previous update's u), so one 'update' step is one 100 ms batch",
	},
	[EX_BINANCE_COINM] = {
		.id = EX_BINANCE_COINM, .spot_venue = EX_BINANCE, .name = "binance-coinm", .title = "Binance COIN-M futures", .implemented = 1,
		.ws_url = "wss://dstream.binance.com", .rest_url = "https://dapi.binance.com",
		.px_dec = FX_TRIM, .qty_dec = FX_TRIM, .sym = VS_BINANCE_DAPI, .min_dash = 2, .max_dash = 2,
		.sym_hint = "BASE-QUOTE-SWAP (perpetual, BTC-USD-SWAP = BTCUSD_PERP) or BASE-QUOTE-YYMMDD "
		    "(dated, BTC-USD-240927 = BTCUSD_240927)",
		.stale_s = 30, .ws_levels = 0, .flags = 0,
		.stream = "<symbol>@depth@100ms (U, u, pu)",
		.batching = "Binance futures send the changes of each 100 ms as one update (U..u, pu = the "
		    "previous update's u), so one 'update' step is one 100 ms batch",
	},
	[EX_BYBIT] = {
		.id = EX_BYBIT, .spot_venue = EX_BYBIT, .name = "bybit", .title = "Bybit v5", .implemented = 1,
		.ws_url = "wss://stream.bybit.com", .rest_url = "https://api.bybit.com",
		/* Bybit prints each instrument's own decimals; trimmed is what we can print */
		.px_dec = FX_TRIM, .qty_dec = FX_TRIM, .sym = VS_BYBIT, .min_dash = 1, .max_dash = 2,
		.sym_hint = "BTC-USDT (spot), BTC-USDT-SWAP / BTC-USD-SWAP (perpetuals) or BTC-USDT-241227 (dated)",
		.stale_s = 30, .ws_levels = 1000, .flags = VF_SEQUENCE | VF_WS_PATH,
		.stream = "orderbook.1000.<symbol> (spot, linear, inverse)",
		.batching = "Bybit pushes the changes of about 200 ms of the top 1000 levels as one delta (u + 1 "
		    "each); levels leaving the top 1000 are deleted, so the book is the top 1000",
	},
	[EX_DERIBIT] = {
		/* no spot books here: its derivatives have no default basis reference (spot_venue 0) */
		.id = EX_DERIBIT, .name = "deribit", .title = "Deribit", .implemented = 1,
		.ws_url = "wss://www.deribit.com", .rest_url = "https://www.deribit.com",
		/* Deribit sends JSON numbers, written without trailing zeros */
		.px_dec = FX_TRIM, .qty_dec = FX_TRIM, .sym = VS_DERIBIT, .min_dash = 2, .max_dash = 3,
		.sym_hint = "BTC-USD-SWAP (BTC-PERPETUAL), BTC-USD-240927 (future BTC-27SEP24) or "
		    "BTC-240927-60000-C (option BTC-27SEP24-60000-C)",
		/* options can be quiet for minutes; the channel has no heartbeat of its own */
		.stale_s = 120, .ws_levels = 0, .flags = VF_SEQUENCE,
		.stream = "book.<instrument>.raw (change_id, prev_change_id)",
		.batching = "Deribit's raw book channel sends each change of the book as it happens (change_id, "
		    "prev_change_id = the previous notification's change_id)",
	},
};

const struct venue *
venue_get(int exch)
{
	if (exch <= EX_NONE || exch >= EX_END || !venues[exch].name)
		return NULL;
	return &venues[exch];
}

const char *
venue_names(void)
{
	static char buf[256];

	if (!buf[0]) {
		int it = 0;
		const struct venue *v;

		while ((v = venue_next(&it)))
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", buf[0] ? ", " : "", v->name);
	}
	return buf;
}

const struct venue *
venue_ready(int exch, char *err, size_t errlen)
{
	const struct venue *v = venue_get(exch);

	if (!v) {
		snprintf(err, errlen, "unknown exchange id %d (one of %s)", exch, venue_names());
		return NULL;
	}
	if (!v->implemented) {
		snprintf(err, errlen, "venue %s (%s) is not implemented yet (one of %s)", v->name, v->title,
		    venue_names());
		return NULL;
	}
	return v;
}

const struct venue *
venue_next(int *it)
{
	while (*it + 1 < EX_END) {
		const struct venue *v = &venues[++*it];

		if (v->name && v->implemented)
			return v;
	}
	return NULL;
}

const char *
exch_name(int exch)
{
	const struct venue *v = venue_get(exch);

	return v ? v->name : "?";
}

int
venue_lookup(const char *name)
{
	if (!name)
		return EX_NONE;
	for (int i = EX_NONE + 1; i < EX_END; i++)
		if (venues[i].name && strcasecmp(name, venues[i].name) == 0)
			return i;
	return EX_NONE;
}

int
exch_parse(const char *name)
{
	int id = venue_lookup(name);

	return id != EX_NONE && venues[id].implemented ? id : EX_NONE;
}

int
venue_canon(const struct venue *v, const char *in, char *canon, size_t ccap, char *err, size_t errlen)
{
	size_t n = strlen(in), i;
	int ndash = 0, empty = 0;

	if (n == 0 || n >= ccap) {
		snprintf(err, errlen, "symbol \"%.40s\": expected %s, of 1..%zu characters", in, v->sym_hint, ccap - 1);
		return -1;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '-') {
			ndash++;
			if (i == 0 || i == n - 1 || in[i - 1] == '-')
				empty = 1;
		} else if (!isalnum(c)) {
			snprintf(err, errlen, "symbol \"%.40s\": expected %s (letters and digits around '-')", in,
			    v->sym_hint);
			return -1;
		}
		canon[i] = (char)toupper(c);
	}
	canon[n] = 0;
	if (ndash < v->min_dash || ndash > v->max_dash || empty) {
		snprintf(err, errlen, "symbol \"%.40s\": expected %s", in, v->sym_hint);
		return -1;
	}
	return 0;
}

/* BASE-QUOTE-SUFFIX (Binance futures): the parts, or -1. */
static int
split3(const char *canon, char *bq, size_t cap, const char **suffix)
{
	const char *d1 = strchr(canon, '-'), *d2 = d1 ? strchr(d1 + 1, '-') : NULL;
	size_t o = 0;

	if (!d2 || strchr(d2 + 1, '-'))
		return -1;
	/* SWAP, or a delivery date YYMMDD */
	if (strcmp(d2 + 1, "SWAP") != 0 && (strlen(d2 + 1) != 6 || strspn(d2 + 1, "0123456789") != 6))
		return -1;
	for (const char *p = canon; p < d2 && o + 1 < cap; p++)
		if (*p != '-')
			bq[o++] = *p;
	bq[o] = 0;
	*suffix = d2 + 1;
	return 0;
}

/* Bybit's names (VS_BYBIT in venue.h).  Dated futures: YYMMDD -> DDMONYY
 * (linear USDT "BTCUSDT-27DEC24", USDC "BTC-27DEC24"), inverse month-code
 * contracts (BTCUSDZ24: F G H J K M N Q U V X Z for January..December). */
static int
bybit_symbol(const char *canon, char *out, size_t cap)
{
	static const char *const mon[12] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
	    "NOV", "DEC"};
	static const char code[] = "FGHJKMNQUVXZ";
	char base[16], quote[16];
	const char *d1 = strchr(canon, '-'), *d2 = d1 ? strchr(d1 + 1, '-') : NULL, *sfx;
	int n, mm;

	if (!d1 || (size_t)(d1 - canon) >= sizeof base)
		return -1;
	snprintf(base, sizeof base, "%.*s", (int)(d1 - canon), canon);
	if (!d2) {
		n = snprintf(out, cap, "%s%s", base, d1 + 1);
		return n < 0 || (size_t)n >= cap ? -1 : 0;
	}
	if ((size_t)(d2 - d1 - 1) >= sizeof quote || strchr(d2 + 1, '-'))
		return -1;
	snprintf(quote, sizeof quote, "%.*s", (int)(d2 - d1 - 1), d1 + 1);
	sfx = d2 + 1;
	if (strcmp(sfx, "SWAP") == 0)
		n = strcmp(quote, "USDC") == 0 ? snprintf(out, cap, "%sPERP", base) : snprintf(out, cap, "%s%s", base, quote);
	else {
		if (strlen(sfx) != 6 || strspn(sfx, "0123456789") != 6)
			return -1;
		mm = (sfx[2] - '0') * 10 + (sfx[3] - '0');
		if (mm < 1 || mm > 12)
			return -1;
		if (strcmp(quote, "USD") == 0)
			n = snprintf(out, cap, "%sUSD%c%.2s", base, code[mm - 1], sfx);
		else if (strcmp(quote, "USDC") == 0)
			n = snprintf(out, cap, "%s-%.2s%s%.2s", base, sfx + 4, mon[mm - 1], sfx);
		else
			n = snprintf(out, cap, "%s%s-%.2s%s%.2s", base, quote, sfx + 4, mon[mm - 1], sfx);
	}
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int
venue_symbol(const struct venue *v, const char *canon, char *out, size_t cap)
{
	char bq[32];
	const char *sfx;
	size_t o = 0;
	int n;

	switch (v->sym) {
	case VS_SAME:
		n = snprintf(out, cap, "%s", canon);
		return n < 0 || (size_t)n >= cap ? -1 : 0;
	case VS_JOIN:
		for (size_t i = 0; canon[i]; i++)
			if (canon[i] != '-') {
				if (o + 1 >= cap)
					return -1;
				out[o++] = canon[i];
			}
		out[o] = 0;
		return 0;
	case VS_BINANCE_FAPI:
	case VS_BINANCE_DAPI:
		if (split3(canon, bq, sizeof bq, &sfx) < 0)
			return -1;
		if (strcmp(sfx, "SWAP") == 0)
			n = snprintf(out, cap, "%s%s", bq, v->sym == VS_BINANCE_DAPI ? "_PERP" : "");
		else
			n = snprintf(out, cap, "%s_%s", bq, sfx);
		return n < 0 || (size_t)n >= cap ? -1 : 0;
	case VS_BYBIT:
		return bybit_symbol(canon, out, cap);
	case VS_DERIBIT:
		return deribit_symbol(canon, out, cap);
	}
	return -1;
}

/* Quote assets of joined names, longest first so USDT wins over USD. */
static const char *const quotes[] = {
	"FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDP", "DAI", "BTC", "ETH", "BNB", "EUR", "TRY", "BRL",
	"JPY", "GBP", "AUD", "USD",
};

/* "BTCUSDT" -> "BTC-USDT" (suffix sfx appended when not NULL). */
int
venue_split_joined(const char *s, size_t n, const char *sfx, char *out, size_t cap)
{
	for (size_t q = 0; q < sizeof quotes / sizeof quotes[0]; q++) {
		size_t m = strlen(quotes[q]);
		int w;

		if (n <= m || strncasecmp(s + n - m, quotes[q], m) != 0)
			continue;
		w = snprintf(out, cap, "%.*s-%s%s%s", (int)(n - m), s, quotes[q], sfx ? "-" : "", sfx ? sfx : "");
		if (w < 0 || (size_t)w >= cap)
			return -1;
		for (char *p = out; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		return 0;
	}
	return -1;
}

int
venue_canon_of(const struct venue *v, const char *vsym, size_t len, char *out, size_t cap)
{
	const char *us = memchr(vsym, '_', len);
	char chk[32], err[160], back[32];
	int rc;

	switch (v->sym) {
	case VS_BYBIT:
		/* BTCUSDT is spot and linear: only the market tells, so the parser
		 * maps it (bybit_canon_of) and hands over the canonical name */
		if (len == 0 || len >= cap || len >= sizeof chk)
			return -1;
		memcpy(out, vsym, len);
		out[len] = 0;
		return venue_canon(v, out, chk, sizeof chk, err, sizeof err) < 0 ? -1 : 0;
	case VS_DERIBIT:
		rc = deribit_canon_of(vsym, len, out, cap);
		break;
	case VS_SAME:
		if (len == 0 || len >= cap)
			return -1;
		memcpy(out, vsym, len);
		out[len] = 0;
		rc = 0;
		break;
	case VS_JOIN:
		rc = us ? -1 : venue_split_joined(vsym, len, NULL, out, cap);
		break;
	case VS_BINANCE_FAPI:
	case VS_BINANCE_DAPI: {
		/* BTCUSDT (fapi perpetual), BTCUSD_PERP (dapi perpetual), X_YYMMDD (dated) */
		char sfx[16];
		size_t bl = us ? (size_t)(us - vsym) : len;

		if (!us && v->sym == VS_BINANCE_DAPI)
			return -1;
		if (us && len - bl - 1 < sizeof sfx)
			snprintf(sfx, sizeof sfx, "%.*s", (int)(len - bl - 1), us + 1);
		else if (us)
			return -1;
		else
			snprintf(sfx, sizeof sfx, "SWAP");
		if (strcasecmp(sfx, "PERP") == 0)
			snprintf(sfx, sizeof sfx, "SWAP");
		rc = venue_split_joined(vsym, bl, sfx, out, cap);
		break;
	}
	default:
		rc = -1;
	}
	/* only a name that maps back to the same venue id */
	if (rc < 0 || venue_canon(v, out, chk, sizeof chk, err, sizeof err) < 0 ||
	    venue_symbol(v, chk, back, sizeof back) < 0 || strlen(back) != len || strncasecmp(back, vsym, len) != 0)
		return -1;
	return 0;
}
