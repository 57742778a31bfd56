/* fuzz_feedd_parse_bybit.c - libFuzzer target: Bybit frames and REST answers
 * (see fuzz_feedd_parse.h).  The first input byte picks the market path the
 * frame came on (spot, linear, inverse, none), as feedd's links would. */
#include "fuzz_feedd_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {
		"/v5/market/orderbook?category=linear&symbol=BTCUSDT&limit=500",
		"/v5/market/orderbook?category=spot&symbol=BTCUSDT&limit=200",
		"/v5/market/orderbook?category=inverse&symbol=BTCUSD&limit=500",
	};
	static const char *const ws[] = {"/v5/public/spot", "/v5/public/linear", "/v5/public/inverse", NULL};

	fz_init(EX_BYBIT);
	if (size == 0)
		return 0;
	fz_p.ws_path = ws[data[0] & 3];
	fz_run(data + 1, size - 1, paths, 3);
	return 0;
}
