/*
 * bybit.h - the Bybit v5 venue: WebSocket /v5/public/spot, /linear and
 * /inverse (orderbook.1000, publicTrade, tickers, kline.<interval>, allLiquidation;
 * {"op":"subscribe"} with at most 10 args a request on spot, {"op":"ping"}
 * answered per market), REST /v5/market/orderbook, /instruments-info and
 * /time.  The market of an instrument comes from its canonical name
 * (common/bybit.h): BTC-USDT spot, BTC-USDT-SWAP linear, BTC-USD-SWAP inverse.
 *
 * orderbook.1000 is the top 1000 levels a side: a snapshot on every
 * subscribe, then one delta per step with changes (u + 1 each, seq up by a
 * random step): every change inside the window, and for levels entering or
 * leaving it (the window's edge moved) an insert or a delete, so a client
 * applying the deltas holds exactly the simulator's top 1000.  REST
 * orderbook answers carry the same u (the real venue documents u per depth
 * stream; here REST and WS share it); seq is one sequence across depths
 * and REST: every answer and push shows the book at its seq.
 * orderbook.1 (snapshots only, as the venue): the top level a side with its
 * own u, on subscribe and after every orderbook.1000 delta, at that delta's
 * seq.  corrupt_level: the next orderbook.1000 delta carries the n-th best
 * bid with one lot more; REST, orderbook.1 and /_sim/book keep the true
 * value, u and seq run on.  Tickers (linear and inverse) move
 * the funding rate, open interest and mark price every 5 steps;
 * allLiquidation (linear and inverse) sends a liquidation every 40 steps,
 * sides alternating, a few lots a tick or two off the touch.
 */
#ifndef MPSIM_BYBIT_H
#define MPSIM_BYBIT_H

#include <stddef.h>
#include <stdint.h>

#include "sim.h"

enum { BY_BOOK = 1, BY_TRADES, BY_TICKERS, BY_KLINE, BY_LIQ, BY_BBO };
#define BY_WIN 1000            /* orderbook.1000 */
#define WS_BY_BASE 100         /* sim_conn.ws_kind = WS_BY_BASE + market */

void by_inst_init(struct sim_inst *in);
void by_on_step(struct sim_inst *in);
void by_rest(struct sim_conn *c, const char *method, const char *path, const char *query, int delay_ms);
int by_ws_open(struct sim_conn *c, const char *path, const char *query, struct sb *why);
void by_ws_message(struct sim_conn *c, const char *data, size_t len);
void by_broadcast(struct sim_inst *in, int kind, int param, const char *p, size_t n, int mode);
void by_fault_answer(struct sim_conn *c, int status, int retry_after_ms, int delay_ms);
/* Bybit strings: trimmed decimals. */
int by_px(const struct sim_inst *in, int64_t ticks, char *out);
int by_qty(const struct sim_inst *in, int64_t lots, char *out);

#endif
