/*
 * parse.h - exchange frames and REST answers -> records (rec.h).
 *
 * Used by feedd (live) and by tools/mpreplay (offline, from capture files), so
 * a replay goes through exactly the code the live system runs.  The parser
 * never allocates per frame on the hot shapes (Binance depthUpdate, OKX books);
 * anything it does not fully understand goes to the jansson path.
 *
 * Each produced record is handed to emit() and is only valid during that call
 * (it lives in the parser's scratch buffer).  hdr.recv_ns is set from recv_ns;
 * stage_ns[] is left 0 (feedd stamps STAGE_FEED when it writes the ring).
 */
#ifndef MP_FEEDD_PARSE_H
#define MP_FEEDD_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "inst.h"
#include "rec.h"

typedef int (*parse_emit_fn)(void *ud, const struct rec_hdr *rec);

/* What a non-data frame asked of the connection (set in parse_ctx.notice). */
enum parse_notice {
	PN_NONE = 0,
	PN_SUB_ACK,          /* subscribe/unsubscribe acknowledged */
	PN_SUB_ERROR,        /* the venue refused a request (text in err) */
	PN_PONG,             /* OKX text "pong" */
	PN_SERVER_SHUTDOWN,  /* Binance serverShutdown */
	PN_UPGRADE_NOTICE,   /* OKX 64008 */
	PN_LIST_RESULT,      /* Binance LIST_SUBSCRIPTIONS answer */
	PN_REPLY,            /* the venue asked for an answer: send parse_ctx.reply on the
	                      * connection (Deribit test_request -> public/test) */
};

struct parse_venue;

struct parse_ctx {
	const struct inst_registry *reg;
	int exch;                /* enum exch_id */
	const struct parse_venue *ops; /* the venue's parsers (parse_impl.h) */
	enum parse_notice notice;/* set by the last call */
	char err[160];           /* why the last call failed or what the venue said */
	char reply[128];         /* PN_REPLY: the message to send back */
	uint32_t inst;           /* instrument the last call's frame named, once known (0 = not
	                          * known), so a parse error can name it */
	/* Optional: an instrument the registry does not carry was named by a
	 * frame; return it once added (tools that adopt every instrument of a
	 * capture, mpreplay), or NULL (the frame counts as unknown). */
	const struct inst *(*adopt)(void *ud, int exch, const char *sym, size_t len);
	void *adopt_ud;
	const char *ws_path;     /* WebSocket path the next frames came on, for venues whose path
	                          * picks the market (VF_WS_PATH, Bybit): feedd sets it per link,
	                          * mpreplay from "ws:<path>"; NULL = the venue's default market */
	/* counters (cumulative) */
	uint64_t frames, records, errors, unknown, slow_path;
	/* scratch owned by the parser (parse_init/parse_free) */
	void *scratch;
	size_t scratch_cap;
};

int parse_init(struct parse_ctx *p, const struct inst_registry *reg, int exch);
void parse_free(struct parse_ctx *p);

/* One WebSocket text frame.  Returns records emitted (>= 0), or -1 with
 * p->err set (malformed: the caller counts it and emits EV_PARSE_ERROR). */
int parse_ws(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns,
    parse_emit_fn emit, void *ud);
/* One REST answer body for path-and-query `path` (e.g.
 * "/api/v3/depth?symbol=BTCUSDT&limit=5000"); req_id is copied into the
 * snapshot.  Same return convention. */
int parse_rest(struct parse_ctx *p, const char *path, const char *body, size_t len,
    int64_t recv_ns, uint32_t req_id, parse_emit_fn emit, void *ud);

#endif
