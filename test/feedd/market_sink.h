/*
 * market_sink.h - for the REC_MARKET parser tests (test_okx_market.c,
 * test_binance_market.c): a parse_emit_fn that checks every record with
 * rec_check and keeps up to SINK_MAX REC_MARKET records in g_s.  Include
 * after t.h, in one test file.
 */
#ifndef MP_TEST_MARKET_SINK_H
#define MP_TEST_MARKET_SINK_H

#include <string.h>

#include "../../common/rec.h"

#define SINK_MAX 16

static struct {
	int n;
	struct rec_market m[SINK_MAX];
} g_s;

static int
sink(void *ud, const struct rec_hdr *h)
{
	char err[160];

	(void)ud;
	if (rec_check(h, h->len, err, sizeof err) != 0) {
		fprintf(stderr, "  rec_check: %s\n", err);
		t_fail(__FILE__, __LINE__, "emitted record fails rec_check");
	}
	if (g_s.n >= SINK_MAX || h->type != REC_MARKET)
		return -1;
	memcpy(&g_s.m[g_s.n++], h, sizeof g_s.m[0]);
	return 0;
}

#endif
