/*
 * okx.h - the OKX v5 venue: REST (/api/v5/public/instruments,
 * /api/v5/market/books with seqId, /api/v5/market/books-full) with their
 * rate limits, and WebSocket /ws/v5/public (books, books5, bbo-tbt, trades,
 * tickers; for derivative instIds funding-rate, open-interest, mark-price,
 * index-tickers) and /ws/v5/business (candle1m) with subscribe/unsubscribe/error
 * events, text ping/pong, the 30 s idle close and the 64008 notice.
 *
 * books is a 400-level window: an update carries every change inside the
 * window and, for a level pushed out of the top 400 by others entering, an
 * explicit delete (size "0"), and levels entering the window as inserts, so
 * a client applying updates holds exactly the simulator's top 400.  (Real
 * OKX leaves this undocumented; this is the simulator's choice.)
 */
#ifndef MPSIM_OKX_H
#define MPSIM_OKX_H

#include <stddef.h>
#include <stdint.h>

#include "sim.h"

enum { OK_BOOKS = 1, OK_BOOKS5, OK_BBO, OK_TRADES, OK_TICKERS, OK_CANDLE1M,
	OK_FUNDING, OK_OI, OK_MARK, OK_INDEX };   /* the last four: okx_market.c */

void ox_inst_init(struct sim_inst *in);
void ox_on_step(struct sim_inst *in);
/* Heartbeat updates for books idle ~60 s (scaled). */
void ox_housekeeping(void);
void ox_rest(struct sim_conn *c, const char *method, const char *path, const char *query, int delay_ms);
int ox_ws_open(struct sim_conn *c, const char *path, const char *query, struct sb *why);
void ox_ws_message(struct sim_conn *c, const char *data, size_t len);
void ox_broadcast(struct sim_inst *in, int kind, int param, const char *p, size_t n, int mode);
/* An injected REST failure (rest_429/418/5xx) in OKX's style. */
void ox_fault_answer(struct sim_conn *c, int status, int retry_after_ms, int delay_ms);
/* 64008 notice, then close after ms. */
void ox_upgrade_notice(struct sim_conn *c, int ms);
/* OKX strings: trimmed decimals. */
int ox_px(const struct sim_inst *in, int64_t ticks, char *out);
int ox_qty(const struct sim_inst *in, int64_t lots, char *out);
/* CRC32 (IEEE, as zlib) of the top-25 interleaved "bid:ask" string, signed. */
int32_t ox_checksum(const struct sim_inst *in);
uint32_t ox_crc32(const void *p, size_t n);

/* ---- derivatives market data (okx_market.c) ---- */
/* An OKX instId of 3+ segments (BTC-USDT-SWAP, BTC-USD-240927, options). */
int ox_is_derivative(const struct sim_inst *in);
int ox_is_swap(const struct sim_inst *in);
/* Its index name ("BTC-USDT" for BTC-USDT-SWAP), "" for spot. */
void ox_index_name(const struct sim_inst *in, char *buf, size_t cap);
/* The instrument index-tickers of this index is pushed for (the first
 * derivative on it), or -1. */
int ox_index_owner(const char *index);
/* A derivative's contract as /api/v5/public/instruments lists it: linear
 * (USDT/USDC margined) contracts are worth ct_val of the base coin (BTC
 * 0.01, ETH 0.1, others 1), inverse (USD) ones ct_val USD (BTC 100, others
 * 10), settled in the base coin.  ct_val is a decimal string. */
struct ox_contract {
	int inverse;
	char ct_val[16], ct_ccy[16], settle[16];
};
void ox_contract_of(const struct sim_inst *in, struct ox_contract *ct);
/* After a book step: mark-price, index-tickers, open-interest, funding-rate. */
void ox_market_step(struct sim_inst *in, struct sb *b);

#endif
