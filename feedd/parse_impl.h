/*
 * parse_impl.h - internals shared by the parser's files (parse*.c), the
 * differential fuzz targets and the parse benchmark.  Not for other modules:
 * they use parse.h.
 *
 * Two paths produce records:
 *  - the scanner (parse_scan.c): strict, allocation-free, for the hot shapes
 *    (Binance depthUpdate and REST /depth, OKX books push).  It either
 *    understands the whole frame or gives up (PARSE_FALLBACK) without having
 *    emitted anything;
 *  - the jansson path (parse_binance.c, parse_okx.c): everything.
 * Both extract the same fields and hand them to one builder (parse_build.c),
 * which does every semantic check and lays out the records, so the two paths
 * cannot disagree on meaning; the fuzz targets prove they agree on syntax.
 */
#ifndef MP_FEEDD_PARSE_IMPL_H
#define MP_FEEDD_PARSE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"

#define PARSE_FALLBACK (-2)   /* scanner: not a shape it fully understands */
#define PARSE_SNAPSHOT_MAX_LEVELS 50000  /* a side: the bound of [bookd] max_levels */

enum parse_mode {
	PARSE_AUTO = 0,       /* scanner, then jansson for what it gives up on */
	PARSE_SCAN_ONLY = 1,  /* scanner only: PARSE_FALLBACK when it gives up */
	PARSE_JSON_ONLY = 2,  /* jansson only */
};

/* Staging array of levels of one side (grown, never shrunk). */
struct parse_lvbuf {
	struct rec_level *v;
	uint32_t n, cap;
};

enum parse_side { PS_BID = 0, PS_ASK = 1 };

/* ---- exact JSON: common/djson.h (tokens pointing into the frame) ---- */
#include "djson.h"

/* The parser's private state (parse_ctx.scratch). */
struct parse_state {
	struct parse_lvbuf side[2];
	uint8_t *rec;         /* the record being emitted */
	size_t rec_cap;
	const struct inst *in;/* instrument of the levels being staged */
	uint32_t emitted;     /* records emitted by the current call */
	struct dj dj;         /* exact JSON tokens (Deribit) */
	/* Binance futures, sorted by symbol (parse_sym_find):
	 *  - fund: the last GET fundingInfo answer (parse_binance_fut.c), the
	 *    symbols it lists with their funding interval (s); fund_known once
	 *    one was read (the others then have the default 8 h);
	 *  - ctsz: the last exchangeInfo answer listing contractSize (COIN-M,
	 *    parse_binance.c), every symbol's contract value in USD. */
	struct parse_symval *fund, *ctsz;
	size_t nfund, nctsz;
	int fund_known;
};

/* A venue symbol's value in a table the parser keeps between frames. */
struct parse_symval {
	char sym[32];
	int64_t v;
};
/* qsort / bsearch order of parse_symval (by sym). */
int parse_symval_cmp(const void *a, const void *b);
/* The entry of sym in t[0..n) (sorted), or NULL. */
const struct parse_symval *parse_sym_find(const struct parse_symval *t, size_t n, const char *sym);

/* ---- builder (parse_build.c) ---- */

/* 10^0 .. 10^18 */
extern const uint64_t parse_pow10[19];

/* Parse a price / size string of instrument `in` into *out: 0, or -1 with
 * p->err set (names `what`).  The fast path handles plain decimals and
 * defers everything else to fx_parse, so the result is always fx_parse's. */
int parse_px(struct parse_ctx *p, const struct inst *in, const char *s, size_t len,
    const char *what, int64_t *out);
int parse_qty(struct parse_ctx *p, const struct inst *in, const char *s, size_t len,
    const char *what, int64_t *out);
/* Decimal without fx (ids in strings, e.g. OKX tradeId): digits only. */
int parse_id_str(struct parse_ctx *p, const char *s, size_t len, const char *what, int64_t *out);
/* Milliseconds since the epoch (integer or digit string) -> ns. */
int parse_ms_int(struct parse_ctx *p, int64_t ms, const char *what, int64_t *out_ns);
int parse_ms_str(struct parse_ctx *p, const char *s, size_t len, const char *what, int64_t *out_ns);

/* Start staging levels for instrument `in` (clears both sides). */
void parse_levels_begin(struct parse_ctx *p, const struct inst *in);
/* Append one level (px, qty strings) to a side: 0 or -1 with p->err. */
int parse_level(struct parse_ctx *p, enum parse_side side, const char *px, size_t pxlen,
    const char *qty, size_t qtylen);

/* Common fields of a book record. */
struct parse_book {
	const struct inst *in;
	int64_t first_id, last_id, prev_id;
	int64_t exch_ns, recv_ns;
	uint16_t flags;
	int32_t checksum;       /* OKX, as sent */
	int64_t xseq;           /* cross-depth sequence (Bybit seq), 0 = none (rec.h) */
	/* snapshots only */
	uint8_t kind;           /* enum snap_kind */
	uint32_t req_id;
	int64_t deep_refresh_ns;
};

/* Emit the staged levels as one REC_DELTA / as REC_SNAPSHOT record(s)
 * (chunked when a side exceeds REC_MAX_LEVELS).  Returns records emitted,
 * or -1 with p->err. */
int parse_emit_delta(struct parse_ctx *p, const struct parse_book *b, parse_emit_fn emit, void *ud);
int parse_emit_snapshot(struct parse_ctx *p, const struct parse_book *b, parse_emit_fn emit, void *ud);
/* Emit a fixed-size record prepared by the caller (trade, ticker, kline):
 * sets hdr.len/type/recv_ns.  Returns 1 or -1. */
int parse_emit_fixed(struct parse_ctx *p, struct rec_hdr *h, uint16_t type, size_t size,
    int64_t recv_ns, parse_emit_fn emit, void *ud);
/* parse_emit_fixed of a REC_MARKET prepared by rec_market_init, at exch_ns. */
int parse_emit_market(struct parse_ctx *p, struct rec_market *m, int64_t exch_ns, int64_t recv_ns, parse_emit_fn emit,
    void *ud);

/* An instrument's rules as the venue's strings (NULL or "" = not given),
 * parsed exactly into one REC_INSTRUMENT (parse_inst.c): tick at px_exp,
 * lot and min_qty at qty_exp, ct_val and ct_mult at REC_CT_EXP.  Returns 1,
 * or -1 with p->err (a value not exact at its exponent, a long ct_ccy). */
struct parse_rules {
	const char *tick, *lot, *min_qty, *ct_val, *ct_mult, *ct_ccy;
};
int parse_emit_instrument(struct parse_ctx *p, const struct inst *in, const struct parse_rules *r, int64_t recv_ns,
    parse_emit_fn emit, void *ud);

/* printf into p->err; returns -1 (for "return parse_fail(...)"). */
int parse_fail(struct parse_ctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A frame that is well-formed but not something we carry: counts it as
 * unknown, describes it in p->err, returns 0. */
int parse_unknown(struct parse_ctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Instrument by the venue's symbol (exact first, then any case); NULL if not
 * carried. */
const struct inst *parse_inst(struct parse_ctx *p, const char *sym, size_t len);
/* The same without adopting (parse_ctx.adopt): for lists that may name every
 * instrument of the venue (instrument endpoints), which a tool following
 * what frames name (mpreplay) must not adopt. */
const struct inst *parse_inst_listed(struct parse_ctx *p, const char *sym, size_t len);

/* ---- venue semantics shared by both paths ---- */
/* Binance depthUpdate after its levels are staged: checks ids, emits.  pu
 * is the futures field (the previous event's u) or PARSE_NO_PU; a venue
 * whose rule needs it (parse_venue.depth_pu) refuses a frame without it,
 * spot ignores it. */
#define PARSE_NO_PU INT64_MIN
int parse_binance_depth(struct parse_ctx *p, const struct inst *in, int64_t E_ms, int64_t U,
    int64_t u, int64_t pu, int64_t recv_ns, parse_emit_fn emit, void *ud);
/* Binance GET /api/v3/depth answer after its levels are staged. */
int parse_binance_depth_rest(struct parse_ctx *p, const struct inst *in, int64_t last_update_id,
    int64_t recv_ns, uint32_t req_id, parse_emit_fn emit, void *ud);
/* OKX books / books-l2-tbt / books50-l2-tbt push element after its levels
 * are staged; snapshot = action "snapshot"; legacy = a 2021-2022 frame
 * (checksum, no seqId/prevSeqId): ids 0, REC_F_NOSEQ, prev_seq/seq ignored. */
int parse_okx_book(struct parse_ctx *p, const struct inst *in, int snapshot, int legacy, int64_t ts_ns,
    int64_t checksum, int64_t prev_seq, int64_t seq, int64_t recv_ns, parse_emit_fn emit, void *ud);

/* ---- jansson helpers (parse_json.c) ---- */
struct json_t;
/* Parse buf as one JSON value (duplicate keys rejected); NULL with p->err. */
struct json_t *pj_load(struct parse_ctx *p, const char *buf, size_t len);
/* Field getters: 0, or -1 with p->err naming the key (missing or wrong type). */
int pj_str(struct parse_ctx *p, struct json_t *obj, const char *key, const char **s, size_t *len);
int pj_int(struct parse_ctx *p, struct json_t *obj, const char *key, int64_t *v);
int pj_bool(struct parse_ctx *p, struct json_t *obj, const char *key, int *v);
/* A non-empty string field, or NULL (missing, not a string, ""). */
const char *pj_opt(struct json_t *obj, const char *key);
/* Decimal string fields of an instrument. */
int pj_px(struct parse_ctx *p, const struct inst *in, struct json_t *obj, const char *key, int64_t *v);
int pj_qty(struct parse_ctx *p, const struct inst *in, struct json_t *obj, const char *key, int64_t *v);
/* Stage an array of [px, qty, ...] levels (each an array of >= 2 items whose
 * first two are strings) into a side. */
int pj_levels(struct parse_ctx *p, struct json_t *arr, enum parse_side side, const char *what);

/* ---- the two paths ---- */
int parse_scan_binance_ws(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns,
    parse_emit_fn emit, void *ud);
int parse_scan_binance_depth_rest(struct parse_ctx *p, const struct inst *in, const char *buf,
    size_t len, int64_t recv_ns, uint32_t req_id, parse_emit_fn emit, void *ud);
int parse_scan_okx_ws(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns,
    parse_emit_fn emit, void *ud);
int parse_json_binance_ws(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns,
    parse_emit_fn emit, void *ud);
int parse_json_binance_rest(struct parse_ctx *p, const char *path, const char *buf, size_t len,
    int64_t recv_ns, uint32_t req_id, parse_emit_fn emit, void *ud);
int parse_json_okx_ws(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns,
    parse_emit_fn emit, void *ud);
int parse_json_okx_rest(struct parse_ctx *p, const char *path, const char *buf, size_t len,
    int64_t recv_ns, uint32_t req_id, parse_emit_fn emit, void *ud);

/* What a venue's parser file provides (parse_<venue>.c), chosen by exchange
 * id in parse.c.  scan_ws / scan_rest may be NULL (no fast path). */
struct parse_venue {
	int (*scan_ws)(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns,
	    parse_emit_fn emit, void *ud);
	int (*json_ws)(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns,
	    parse_emit_fn emit, void *ud);
	/* REST answers whose path starts with scan_rest_path ("/api/v3/depth?")
	 * for the instrument of its symbol= parameter go to scan_rest first */
	const char *scan_rest_path;
	/* Binance family: the REST API prefix ("/api/v3/", "/fapi/v1/") and
	 * whether depthUpdate carries pu (futures: it must) */
	const char *rest_api;
	int depth_pu;
	int (*scan_rest)(struct parse_ctx *p, const struct inst *in, const char *buf,
	    size_t len, int64_t recv_ns, uint32_t req_id, parse_emit_fn emit, void *ud);
	int (*json_rest)(struct parse_ctx *p, const char *path, const char *buf, size_t len,
	    int64_t recv_ns, uint32_t req_id, parse_emit_fn emit, void *ud);
	/* Binance family, jansson path: events beyond spot's (futures
	 * markPriceUpdate, forceOrder; data = the event object) and REST
	 * answers beyond depth (op = the path after rest_api, e.g.
	 * "openInterest?symbol=BTCUSDT").  PARSE_FALLBACK = not the venue's
	 * (counted unknown); NULL = none. */
	int (*ws_event)(struct parse_ctx *p, const char *e, struct json_t *data, int64_t recv_ns,
	    parse_emit_fn emit, void *ud);
	int (*rest_more)(struct parse_ctx *p, const char *op, const char *buf, size_t len, int64_t recv_ns,
	    parse_emit_fn emit, void *ud);
	/* Binance family: a frame whose payload is an array of events (the
	 * futures' all-market !markPrice@arr); NULL = none (counted unknown) */
	int (*ws_array)(struct parse_ctx *p, struct json_t *arr, int64_t recv_ns, parse_emit_fn emit, void *ud);
};
extern const struct parse_venue parse_venue_binance, parse_venue_okx;
extern const struct parse_venue parse_venue_binance_usdm, parse_venue_binance_coinm;
extern const struct parse_venue parse_venue_bybit;   /* parse_bybit.c (jansson only) */
extern const struct parse_venue parse_venue_deribit; /* parse_deribit.c (exact JSON, common/djson.c) */

/* parse_ws / parse_rest with the path forced (tests, fuzzing, benchmarks). */
int parse_ws_mode(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns,
    enum parse_mode mode, parse_emit_fn emit, void *ud);
int parse_rest_mode(struct parse_ctx *p, const char *path, const char *body, size_t len,
    int64_t recv_ns, uint32_t req_id, enum parse_mode mode, parse_emit_fn emit, void *ud);

/* The value of query parameter `key` in path ("...?a=1&symbol=X"): copies it
 * into buf and returns its length, or -1 if absent or too long. */
int parse_query_param(const char *path, const char *key, char *buf, size_t cap);

#endif
