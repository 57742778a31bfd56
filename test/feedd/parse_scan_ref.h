/*
 * parse_scan_ref.h - the Binance depthUpdate scanner before the fused level
 * reader (parse_scan_ref.c), the same-run baseline of bench_feedd_parse_real.
 */
#ifndef MP_TEST_PARSE_SCAN_REF_H
#define MP_TEST_PARSE_SCAN_REF_H

#include "../../feedd/parse_impl.h"

/* parse_scan_binance_ws's contract, read the old way.  The caller resets
 * ((struct parse_state *)p->scratch)->emitted first, as parse_ws does. */
int ref_scan_binance_ws(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns,
    parse_emit_fn emit, void *ud);

#endif
