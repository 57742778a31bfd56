/* fuzz_feedd_parse_deribit.c - libFuzzer target: Deribit JSON-RPC frames and
 * get_order_book answers through the exact JSON reader (common/djson.c);
 * see fuzz_feedd_parse.h.  There is no jansson path to compare with: the
 * target checks every record passes rec_check and nothing crashes. */
#include "fuzz_feedd_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {
		"/api/v2/public/get_order_book?instrument_name=BTC-PERPETUAL&depth=1000",
		"/api/v2/public/get_order_book?instrument_name=BTC-27SEP24-60000-C&depth=20",
	};

	fz_init(EX_DERIBIT);
	fz_run(data, size, paths, 2);
	return 0;
}
