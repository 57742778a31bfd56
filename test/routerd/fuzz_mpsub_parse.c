/* fuzz_mpsub_parse - mpsub's parser of routerd JSON (outside input from NATS)
 * and the rebuilder behind it.  The input is up to MAX_MSGS messages, one a
 * line; each is parsed as a full book and as an update, and what parses is
 * fed to one rebuilder, so sequences (a full book, then its updates) reach
 * the verifier's ordering, gap and comparison logic.  The rebuilder is new
 * for every input: an input reproduces alone, and full books queued ahead of
 * the book by earlier inputs cannot pile up and slow every later run. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"
#include "vparse.h"

#define MAX_MSGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct vbook vb;
	char ex[16], sym[24];
	struct vmsg *m;

	if (vbook_init(&vb, "binance", "BTC-USDT", 64) != 0)
		abort();
	for (int n = 0; p < end && n < MAX_MSGS; n++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		for (int full = 0; full < 2; full++)
			if (vparse_book(p, len, full, NULL, ex, sym, &m) == 0)
				vbook_push(&vb, m);
		vbook_process(&vb, INT64_MAX);
		p += len + 1;
	}
	vbook_free(&vb);
	return 0;
}
