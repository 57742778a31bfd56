/*
 * fuzz_rec.c - rec_check then rec_to_json on arbitrary bytes.  Nothing may
 * crash or read past the buffer (ASan), and every record rec_check accepts
 * must turn into JSON that a strict parser (jansson) accepts.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inst.h"
#include "rec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct inst_registry reg;

static void
json_ok(const void *rec, const struct inst_registry *r, int max_levels)
{
	char *s = rec_to_json(rec, r, max_levels);
	json_error_t je;
	json_t *j;

	if (!s)
		abort();
	j = json_loads(s, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &je);
	if (!j || !json_is_object(j) || !json_is_string(json_object_get(j, "type")))
		abort();
	json_decref(j);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	void *buf;

	if (reg.n == 0) {
		inst_add(&reg, EX_BINANCE, "BTC-USDT", err, sizeof err);
		inst_add(&reg, EX_OKX, "BTC-USDT", err, sizeof err);
	}
	/* an exact-size heap copy, so any read past the end is caught */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (rec_check(buf, size, err, sizeof err) == 0) {
		json_ok(buf, &reg, -1);
		json_ok(buf, &reg, 2);
		json_ok(buf, NULL, 0);
	} else if (!memchr(err, 0, sizeof err)) {
		abort();
	}
	free(buf);
	return 0;
}
