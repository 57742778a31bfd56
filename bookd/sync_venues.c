/* sync_venues.c - the sync rule of each venue by exchange id (the bookd half
 * of the venue table, venue.h). */
#include "sync.h"

static const struct bk_venue *const rules[EX_END] = {
	[EX_BINANCE] = &bk_venue_binance,
	[EX_OKX] = &bk_venue_okx,
	[EX_BINANCE_USDM] = &bk_venue_binance_fut,
	[EX_BINANCE_COINM] = &bk_venue_binance_fut,
	[EX_BYBIT] = &bk_venue_bybit,
	[EX_DERIBIT] = &bk_venue_deribit,
};

const struct bk_venue *
bk_venue_get(int exch)
{
	if (exch <= EX_NONE || exch >= EX_END || !venue_get(exch) || !venue_get(exch)->implemented)
		return NULL;
	return rules[exch];
}
