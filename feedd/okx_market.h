/*
 * okx_market.h - OKX derivatives market data: which channels an instrument
 * gets, and their pushes -> REC_MARKET (rec.h).
 *
 * Channels on /ws/v5/public, by instrument type (the instId's shape, inst.h):
 *   SWAP     BTC-USDT-SWAP    funding-rate, open-interest, mark-price, index-tickers
 *   FUTURES  BTC-USD-240927   open-interest, mark-price, index-tickers
 *   OPTION   BTC-USD-240927-60000-C  open-interest, mark-price, index-tickers
 *   SPOT     BTC-USDT         none (OKX has no such data for spot)
 * index-tickers is subscribed by index (the underlying, BTC-USDT for
 * BTC-USDT-SWAP), once per index, and an update gives one MK_MARK record
 * (index_px only) for every carried derivative on that index.  mark-price
 * gives MK_MARK with mark_px only.  liquidation-orders (per instType) is
 * parsed when a connection subscribes it (MK_LIQUIDATION per detail of a
 * carried instrument); feedd does not subscribe it by default.
 *
 * Sizes: open interest "oi" and liquidation "sz" are contracts, the unit of
 * the instrument's book sizes, so no contract value (ctVal) is needed for
 * them; "oiCcy" (base) and "oiUsd" (USD) come as the venue computed them.
 */
#ifndef MP_FEEDD_OKX_MARKET_H
#define MP_FEEDD_OKX_MARKET_H

#include <stddef.h>

#include "inst.h"
#include "parse.h"

#define OKXM_FUNDING  0x1
#define OKXM_OI       0x2
#define OKXM_MARK     0x4
#define OKXM_INDEX    0x8

/* The OKXM_* channels of an OKX instrument (0 for spot and other venues). */
unsigned okx_market_channels(const struct inst *in);
/* The index (underlying) of a derivative instId into buf ("BTC-USDT-SWAP" ->
 * "BTC-USDT"); 0 if in is not an OKX derivative. */
size_t okx_market_index(const struct inst *in, char *buf, size_t cap);

/*
 * Append the subscribe args for the market channels of every OKX derivative
 * in ids[0..n) to buf (a JSON args list being built: ",{...}" items, *first
 * cleared after the first).  Returns 0, or -1 when buf is too small (nothing
 * half-written is sent: the caller refuses the subscription).
 */
int okx_market_sub_args(const struct inst_registry *reg, const uint32_t *ids, int n, char *buf,
    size_t cap, int *first);

/* A push of a market channel ("funding-rate", "open-interest", "mark-price",
 * "index-tickers", "liquidation-orders"): records emitted (>= 0), -1 with
 * p->err, or PARSE_NOT_MARKET when the channel is none of them.  arg and
 * data are the frame's jansson objects (json_t *). */
#define PARSE_NOT_MARKET (-3)
int parse_okx_market(struct parse_ctx *p, const char *channel, void *arg, void *data, int64_t recv_ns,
    parse_emit_fn emit, void *ud);

#endif
