/* fuzz_feedd_parse_okx.c - libFuzzer target: OKX frames and REST answers (see fuzz_feedd_parse.h). */
#include "fuzz_feedd_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {
		"/api/v5/market/books?instId=BTC-USDT&sz=400",
		"/api/v5/market/books-full?instId=ETH-USDT&sz=5000",
	};

	fz_init(EX_OKX);
	fz_run(data, size, paths, 2);
	return 0;
}
