/* fuzz_mpsub_parse - mpsub's parser of routerd JSON (outside input from NATS):
 * any bytes, as a full book and as an update; a parsed message is then fed
 * to a rebuilder so the verifier sees whatever the parser lets through. */
#include <stdint.h>
#include <stdlib.h>

#include "verify.h"
#include "vparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vbook vb;
	static int init;
	char ex[16], sym[24];
	struct vmsg *m;

	if (!init) {
		vbook_init(&vb, "binance", "BTC-USDT", 64);
		init = 1;
	}
	for (int full = 0; full < 2; full++) {
		if (vparse_book((const char *)data, size, full, NULL, ex, sym, &m) == 0) {
			vbook_push(&vb, m);
			vbook_process(&vb, INT64_MAX);
		}
	}
	return 0;
}
