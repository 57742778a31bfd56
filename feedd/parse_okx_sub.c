/* sub_okx_market.c - which OKX market-data channels an instrument gets; see okx_market.h. */
#include "okx_market.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instid.h"

unsigned
okx_market_channels(const struct inst *in)
{
	if (!in || in->exch != EX_OKX || !instid_is_derivative(in->venue_symbol))
		return 0;
	if (instid_is_swap(in->venue_symbol))
		return OKXM_FUNDING | OKXM_OI | OKXM_MARK | OKXM_INDEX;
	return OKXM_OI | OKXM_MARK | OKXM_INDEX;   /* dated futures, options: no funding */
}

size_t
okx_market_index(const struct inst *in, char *buf, size_t cap)
{
	if (!okx_market_channels(in))
		return 0;
	return instid_underlying(in->venue_symbol, buf, cap);
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
	char idx[24], (*seen)[24] = malloc((size_t)(n > 0 ? n : 1) * sizeof *seen);
	int nseen = 0;

	if (!seen)
		return -1;
	for (int i = 0; i < n; i++) {
		const struct inst *in = inst_get(reg, ids[i]);
		unsigned ch = okx_market_channels(in);
		int dup = 0;

		if (!ch)
			continue;
		if ((ch & OKXM_FUNDING) && arg(buf, cap, first, "funding-rate", in->venue_symbol) < 0)
			goto fail;
		if ((ch & OKXM_OI) && arg(buf, cap, first, "open-interest", in->venue_symbol) < 0)
			goto fail;
		if ((ch & OKXM_MARK) && arg(buf, cap, first, "mark-price", in->venue_symbol) < 0)
			goto fail;
		if (!(ch & OKXM_INDEX) || okx_market_index(in, idx, sizeof idx) == 0)
			continue;
		/* one index subscription per underlying (BTC-USD-SWAP and BTC-USD-240927 share BTC-USD) */
		for (int k = 0; k < nseen; k++)
			dup |= strcmp(seen[k], idx) == 0;
		if (dup)
			continue;
		memcpy(seen[nseen++], idx, sizeof idx);   /* at most one per instrument */
		if (arg(buf, cap, first, "index-tickers", idx) < 0)
			goto fail;
	}
	free(seen);
	return 0;
fail:
	free(seen);
	return -1;
}
