/* fuzz_feedd_parse_binance_fut.c - libFuzzer target: Binance USD-M futures frames (depthUpdate with
 * pu and T, bookTicker with "e") and /fapi/v1 REST answers (see fuzz_feedd_parse.h). */
#include "fuzz_feedd_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {
		"/fapi/v1/depth?symbol=ETHUSDT&limit=1000",
		"/fapi/v1/depth?symbol=BTCUSDT&limit=1000",
	};

	fz_init(EX_BINANCE_USDM);
	fz_run(data, size, paths, 2);
	return 0;
}
