/* fuzz_feedd_parse_binance.c - libFuzzer target: Binance frames and REST answers (see fuzz_feedd_parse.h). */
#include "fuzz_feedd_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {
		"/api/v3/depth?symbol=BTCUSDT&limit=5000",
		"/api/v3/depth?symbol=DOGEUSDT&limit=5000",
	};

	fz_init(EX_BINANCE);
	fz_run(data, size, paths, 2);
	return 0;
}
