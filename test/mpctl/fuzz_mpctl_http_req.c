/* fuzz_mpctl_http_req.c - mpctl's HTTP request check on any bytes, fed in
 * pieces as reads deliver them: never out of bounds, and once a prefix is
 * garbage (-1) or complete (1) the server stops reading, so only prefixes
 * that were "incomplete" (0) may be extended. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	size_t n;
	int rc = 0;

	if (!buf)
		return 0;
	for (n = 0; n <= size && rc == 0; n += 1 + n / 4) {
		memcpy(buf, data, n);
		buf[n] = 0;
		rc = http_req_check(buf, n);
		if (rc < -1 || rc > 1)
			abort();
	}
	free(buf);
	return 0;
}
