/*
 * fault.h - fault kinds and the --faults grammar.
 *
 *   SPEC  := ITEM { "," ITEM }
 *   ITEM  := KIND "@" VENUE { ":" OPT }
 *   OPT   := SYMBOL | "after=" DUR | "n=" N | "ms=" MS | "code=" HTTPCODE
 *            (corrupt_level: n= is the RANK from the touch, default 3, not a count)
 *   DUR   := number [ "ms" | "s" ]      (real time after start; plain = s)
 *
 * e.g. "gap@binance:BTC-USDT:after=2s,disconnect@okx:after=5s:n=1",
 * "corrupt_level@okx:BTC-USDT:n=3" (KIND corrupt_level, both venues).
 * The control endpoint POST /_sim/fault?kind=K&venue=V[&symbol=S][&n=N][&ms=MS][&code=C]
 * fills the same struct.
 */
#ifndef MPSIM_FAULT_H
#define MPSIM_FAULT_H

#include <stddef.h>
#include <stdint.h>

enum flt_kind {
	FLT_GAP = 0,        /* drop the next increment */
	FLT_DUP,            /* send the next increment twice */
	FLT_REORDER,        /* swap the next two increments */
	FLT_MALFORMED,      /* an extra frame of invalid JSON */
	FLT_TRUNCATE,       /* the next increment's JSON cut in half (valid WS frame) */
	FLT_TRUNCATE_WIRE,  /* a WS frame cut short on the wire, then the TCP close */
	FLT_DISCONNECT,     /* close matching sockets abruptly (no close frame) */
	FLT_STALL,          /* stop sending on matching sockets, keep them open */
	FLT_UNSTALL,        /* end a stall */
	FLT_REST_5XX,       /* next REST answers fail with 5xx (code=, default 503) */
	FLT_REST_429,       /* next REST answers are 429 (Retry-After from ms=, default 1000) */
	FLT_REST_418,       /* next REST answers are 418 (Retry-After from ms=, default 5000) */
	FLT_REST_SLOW,      /* next REST answers delayed by ms= (default 2000) */
	FLT_OKX_SEQ_RESET,  /* next OKX books update resets seqId below prevSeqId */
	FLT_OKX_NO_SNAPSHOT,/* next books subscriptions get no snapshot (n, default all) */
	FLT_OKX_SNAPSHOT,   /* back to sending the initial snapshot */
	FLT_SHUTDOWN_NOTICE,/* Binance serverShutdown / OKX 64008, close ms= later */
	FLT_ROLLOVER,       /* close as the 24 h limit would */
	FLT_CORRUPT_LEVEL,  /* the next depth increment silently carries a wrong quantity for the
	                     * n-th best bid (n=RANK, default 3); book, REST, books5 stay true */
	FLT_CLEAR,          /* forget every pending fault */
	FLT_NKINDS
};

struct flt_spec {
	int kind;
	int venue;        /* SIM_BINANCE / SIM_OKX */
	char symbol[24];  /* "" = every instrument of the venue */
	int n;            /* 0 = default for the kind */
	int ms;           /* 0 = default */
	int code;         /* HTTP code for rest_5xx */
	int64_t after_ms; /* --faults only */
};

const char *flt_name(int kind);
int flt_kind_parse(const char *s);
/* Parse one ITEM; returns 0 or -1 with err filled. */
int flt_parse_item(const char *item, struct flt_spec *out, char *err, size_t errlen);

#endif
