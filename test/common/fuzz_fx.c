/*
 * fuzz_fx.c - fx_parse on arbitrary strings at every exponent.  Whenever it
 * succeeds, formatting the value (trimmed, and with the decimals the input
 * had) and parsing that again must give the same mantissa; and any int64
 * formatted must parse back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
roundtrip(int64_t v, int exp, int style)
{
	char buf[FX_STR_MAX];
	int64_t back = -1;
	size_t n = fx_format(v, exp, style, buf, sizeof buf);

	if (n == 0 || n != strlen(buf))
		abort();
	if (fx_parse(buf, n, exp, &back) != FX_OK || back != v)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int exp, dec = -1, r;
	int64_t v = -1, raw;
	char *s;

	if (size < 1)
		return 0;
	exp = -(int)(data[0] % 19);
	/* an exact-size heap copy: no NUL terminator to lean on */
	s = malloc(size - 1 ? size - 1 : 1);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	r = fx_parse_ex(s, size - 1, exp, &v, &dec);
	if (r == FX_OK) {
		if (v < 0 || dec < 0)
			abort();
		roundtrip(v, exp, FX_TRIM);
		if (dec <= -exp)
			roundtrip(v, exp, dec);
	} else if (r != FX_EEMPTY && r != FX_ESYNTAX && r != FX_ENEG && r != FX_ERANGE && r != FX_EPREC) {
		abort();
	}
	free(s);
	/* the bytes as a mantissa: any non-negative int64 survives format+parse */
	if (size >= 9) {
		memcpy(&raw, data + 1, 8);
		if (raw < 0)
			raw = -(raw + 1);
		roundtrip(raw, exp, FX_TRIM);
		roundtrip(raw, exp, -exp);
	}
	return 0;
}
