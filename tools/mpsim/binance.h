/*
 * binance.h - the Binance spot venue: REST (/api/v3/exchangeInfo, depth,
 * ping, time) with the request-weight budget, and WebSocket streams on /ws
 * and /stream (depth, depth@100ms, depthN, trade, aggTrade, bookTicker,
 * kline_1m) with SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS/SET_PROPERTY/
 * GET_PROPERTY.  Message layouts are documented in tools/mpsim/README.md.
 */
#ifndef MPSIM_BINANCE_H
#define MPSIM_BINANCE_H

#include <stddef.h>

#include "sim.h"

enum { BK_DEPTH100 = 1, BK_DEPTH1000, BK_TRADE, BK_AGGTRADE, BK_BOOKTICKER, BK_KLINE, BK_PDEPTH100, BK_PDEPTH1000 };

void bn_inst_init(struct sim_inst *in);
void bn_on_step(struct sim_inst *in);
void bn_rest(struct sim_conn *c, const char *method, const char *path, const char *query, int delay_ms);
int bn_ws_open(struct sim_conn *c, const char *path, const char *query, struct sb *why);
void bn_ws_message(struct sim_conn *c, const char *data, size_t len);
void bn_broadcast(struct sim_inst *in, int kind, int param, const char *p, size_t n, int mode);
/* Send the @depth (1000 ms) events of a partial second now, so that a
 * paused market is fully visible on every depth stream. */
void bn_flush_pending(void);
/* serverShutdown event, then close after ms. */
void bn_shutdown_notice(struct sim_conn *c, int ms);
/* An injected REST failure (rest_429/418/5xx) in Binance's style. */
void bn_fault_answer(struct sim_conn *c, int status, int retry_after_ms, int delay_ms);
/* Current weight in this window (for stats). */
int64_t bn_weight_now(void);
/* Binance strings for a price (ticks) / quantity (lots): 8 fixed decimals. */
int bn_px(const struct sim_inst *in, int64_t ticks, char *out);
int bn_qty(const struct sim_inst *in, int64_t lots, char *out);

#endif
