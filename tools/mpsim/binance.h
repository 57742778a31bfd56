/*
 * binance.h - the Binance venues: spot (binance.c) and, with the constants
 * and extra endpoints of binance_fut.c, USD-M (fstream/fapi) and COIN-M
 * (dstream/dapi) futures.  REST <api>/exchangeInfo, depth, ping, time with
 * the request-weight budget (one window per venue), and WebSocket streams
 * on /ws and /stream (depth@100ms, the slow depth stream, trade, aggTrade,
 * bookTicker, kline_1m; spot also depthN; futures also markPrice and
 * forceOrder) with SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS/SET_PROPERTY/
 * GET_PROPERTY.  Every function takes the market from the instrument's or
 * the connection's sim venue (bn_spec).  Message layouts are documented in
 * tools/mpsim/README.md.
 */
#ifndef MPSIM_BINANCE_H
#define MPSIM_BINANCE_H

#include <stddef.h>

#include "sim.h"

enum { BK_DEPTH100 = 1, BK_DEPTH1000, BK_TRADE, BK_AGGTRADE, BK_BOOKTICKER, BK_KLINE, BK_PDEPTH100, BK_PDEPTH1000,
	BK_MARK, BK_FORCE, BK_MARK_ARR, BK_DEPTH_SLOW2 };

/* What differs between Binance's markets (sim_venue.spec of their rows). */
struct bn_spec {
	const char *api;          /* REST prefix: "/api/v3", "/fapi/v1", "/dapi/v1" */
	int weight_limit;         /* REQUEST_WEIGHT a minute */
	int info_weight;          /* exchangeInfo's weight */
	int futures;              /* futures shapes: depthUpdate with T and pu, named bookTicker,
	                           * aggTrade without M, depth limits 5..1000 with their weights,
	                           * prices and sizes at tick/lot precision, no depthN streams */
	int pair_field;           /* COIN-M: the pair "ps" in events, symbol/pair in depth answers */
	/* the slow depth streams (BK_DEPTH1000, BK_DEPTH_SLOW2; increment
	 * streams 1, 2): spot @depth (1000 ms); futures @depth@500ms and @depth
	 * (250 ms, the futures' default; at 100 ms steps an event after 3, 2,
	 * 3, 2 ... steps: the 250 ms boundaries) */
	struct bn_slow_spec {
		int period_ms;            /* 0 = unused */
		const char *name;         /* the name after '@' ... */
		const char *alias;        /* ... and another spelling of it, or NULL */
	} slow[2];
	const char *order_limits; /* exchangeInfo's rateLimits after REQUEST_WEIGHT */
	/* WebSocket paths may start with one of these routes (USD-M's
	 * /public, /market, /private: "/public/ws/<s>", "/market/stream?..."),
	 * NULL-terminated; NULL = none.  Which streams a route carries is not
	 * enforced: every route serves every stream. */
	const char *const *ws_routes;
	/* exchangeInfo's entry of one instrument */
	void (*symbol_info)(struct sb *b, const struct sim_inst *in);
	/* REST endpoints beyond depth/exchangeInfo/ping/time (ep = the path after
	 * "<api>/"): 1 if answered; NULL = none */
	int (*rest_more)(struct sim_conn *c, const char *ep, const char *query, int delay_ms);
	/* stream kinds beyond the common ones (rest = the name after '@'): 0 and
	 * s->kind/param set if known; NULL = none */
	int (*stream_more)(const char *rest, struct sim_sub *s);
	/* all-market streams ("!markPrice@arr"): 0 and s->inst (the venue's
	 * first instrument, which carries the subscription), kind, param set if
	 * known; NULL = none */
	int (*stream_all)(int venue, const char *name, struct sim_sub *s);
	/* per-step output after depth, trades and bookTicker; NULL = none */
	void (*step_more)(struct sim_inst *in, struct sb *b);
};
extern const struct bn_spec bn_spot, bn_usdm, bn_coinm;
const struct bn_spec *bn_spec(int venue);

void bn_inst_init(struct sim_inst *in);
void bn_on_step(struct sim_inst *in);
void bn_rest(struct sim_conn *c, const char *method, const char *path, const char *query, int delay_ms);
int bn_ws_open(struct sim_conn *c, const char *path, const char *query, struct sb *why);
void bn_ws_message(struct sim_conn *c, const char *data, size_t len);
void bn_broadcast(struct sim_inst *in, int kind, int param, const char *p, size_t n, int mode);
/* Send the slow depth events (@depth, @depth@500ms) of a partial period
 * now, so that a paused market is fully visible on every depth stream. */
void bn_flush_pending(void);
/* serverShutdown event, then close after ms. */
void bn_shutdown_notice(struct sim_conn *c, int ms);
/* An injected REST failure (rest_429/418/5xx) in Binance's style. */
void bn_fault_answer(struct sim_conn *c, int status, int retry_after_ms, int delay_ms);
/* Current weight in this window of a venue (for stats). */
int64_t bn_weight_now(int venue);
/* Binance strings for a price (ticks) / quantity (lots): spot 8 fixed
 * decimals, futures the tick's / lot's decimals. */
int bn_px(const struct sim_inst *in, int64_t ticks, char *out);
int bn_qty(const struct sim_inst *in, int64_t lots, char *out);

/* For binance_fut.c: an answer with X-MBX-USED-WEIGHT-1M (counted by
 * status), a {"code","msg"} error, and charging weight (1 if refused: the
 * 429/418 answer is sent). */
void bn_answer(struct sim_conn *c, int status, const char *extra, const char *body, size_t len, int delay_ms);
void bn_error(struct sim_conn *c, int status, int code, const char *msg, int delay_ms);
int bn_charge(struct sim_conn *c, int weight, int delay_ms);
/* binance_fut.c: a futures depth limit's weight, -1 for a limit that does
 * not exist (valid: 5, 10, 20, 50, 100, 500, 1000). */
int bn_fut_depth_weight(long limit);
/* binance_fut.c: the futures' inst_init (venue symbol, lot of COIN-M). */
void bn_fut_inst_init(struct sim_inst *in);

#endif
