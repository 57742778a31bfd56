/* sub_okx_market.c - which OKX market-data channels an instrument gets; see okx_market.h. */
#include "okx_market.h"

#include <stdio.h>
#include <string.h>

/* Segments of an instId: BTC-USDT 2, BTC-USDT-SWAP 3, BTC-USD-240927 3, options 5. */
static int
segments(const char *s)
{
	int n = 1;

	for (; *s; s++)
		n += *s == '-';
	return n;
}

unsigned
okx_market_channels(const struct inst *in)
{
	size_t n;

	if (!in || in->exch != EX_OKX || segments(in->venue_symbol) < 3)
		return 0;
	n = strlen(in->venue_symbol);
	if (n > 5 && strcmp(in->venue_symbol + n - 5, "-SWAP") == 0)
		return OKXM_FUNDING | OKXM_OI | OKXM_MARK | OKXM_INDEX;
	return OKXM_OI | OKXM_MARK | OKXM_INDEX;   /* dated futures, options: no funding */
}

size_t
okx_market_index(const struct inst *in, char *buf, size_t cap)
{
	const char *s, *d1, *d2;
	size_t n;

	if (!okx_market_channels(in))
		return 0;
	s = in->venue_symbol;
	d1 = strchr(s, '-');
	d2 = d1 ? strchr(d1 + 1, '-') : NULL;
	if (!d2 || (n = (size_t)(d2 - s)) + 1 > cap)
		return 0;
	memcpy(buf, s, n);
	buf[n] = 0;
	return n;
}

static int
arg(char *buf, size_t cap, int *first, const char *channel, const char *id)
{
	size_t n = strlen(buf);
	int w = snprintf(buf + n, cap - n, "%s{\"channel\":\"%s\",\"instId\":\"%s\"}", *first ? "" : ",",
	    channel, id);

	if (w < 0 || (size_t)w >= cap - n) {
		buf[n] = 0;
		return -1;
	}
	*first = 0;
	return 0;
}

int
okx_market_sub_args(const struct inst_registry *reg, const uint32_t *ids, int n, char *buf,
    size_t cap, int *first)
{
	char idx[24], seen[INST_MAX][24];
	int nseen = 0;

	for (int i = 0; i < n; i++) {
		const struct inst *in = inst_get(reg, ids[i]);
		unsigned ch = okx_market_channels(in);
		int dup = 0;

		if (!ch)
			continue;
		if ((ch & OKXM_FUNDING) && arg(buf, cap, first, "funding-rate", in->venue_symbol) < 0)
			return -1;
		if ((ch & OKXM_OI) && arg(buf, cap, first, "open-interest", in->venue_symbol) < 0)
			return -1;
		if ((ch & OKXM_MARK) && arg(buf, cap, first, "mark-price", in->venue_symbol) < 0)
			return -1;
		if (!(ch & OKXM_INDEX) || okx_market_index(in, idx, sizeof idx) == 0)
			continue;
		/* one index subscription per underlying (BTC-USD-SWAP and BTC-USD-240927 share BTC-USD) */
		for (int k = 0; k < nseen; k++)
			dup |= strcmp(seen[k], idx) == 0;
		if (dup)
			continue;
		if (nseen < (int)(sizeof seen / sizeof seen[0]))
			memcpy(seen[nseen++], idx, sizeof idx);
		if (arg(buf, cap, first, "index-tickers", idx) < 0)
			return -1;
	}
	return 0;
}
