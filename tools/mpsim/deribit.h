/*
 * deribit.h - the Deribit venue: JSON-RPC over WebSocket on /ws/api/v2
 * (public/subscribe and public/unsubscribe of book.{instrument}.{raw|100ms},
 * trades.{instrument}.{raw|100ms}, ticker.{instrument}.{raw|100ms};
 * public/set_heartbeat, whose test_request heartbeats must be answered with
 * public/test within the interval or the connection is closed; public/test),
 * and REST GET /api/v2/public/get_order_book, get_instruments (currency=,
 * kind=, expired=; deribit_ref.c), get_currencies, get_time, test.  Instruments come from --deribit-symbols in canonical form
 * (BTC-USD-SWAP, BTC-USD-240927, BTC-240927-60000-C; common/deribit.h).
 *
 * Prices and amounts are JSON numbers (trimmed decimals), as Deribit writes
 * them.  The book channel is the whole book: a snapshot (type snapshot,
 * change_id, entries ["new", price, amount]) on every subscribe, then one
 * change per step with changes (type change, change_id up by a random step,
 * prev_change_id = the previous change_id; "new" / "change" / "delete").
 * REST get_order_book answers carry the same change_id.  Each notification
 * is wrapped per connection with the channel name it subscribed.  Tickers of
 * perpetuals move funding_8h / current_funding, and every ticker open
 * interest, mark and index price, every 5 steps.
 */
#ifndef MPSIM_DERIBIT_H
#define MPSIM_DERIBIT_H

#include <stddef.h>
#include <stdint.h>

#include "sim.h"

enum { DR_BOOK = 1, DR_TRADES, DR_TICKER };

void dr_inst_init(struct sim_inst *in);
void dr_on_step(struct sim_inst *in);
void dr_housekeeping(void);
void dr_rest(struct sim_conn *c, const char *method, const char *path, const char *query, int delay_ms);
int dr_ws_open(struct sim_conn *c, const char *path, const char *query, struct sb *why);
void dr_ws_message(struct sim_conn *c, const char *data, size_t len);
void dr_broadcast(struct sim_inst *in, int kind, int param, const char *p, size_t n, int mode);
void dr_fault_answer(struct sim_conn *c, int status, int retry_after_ms, int delay_ms);
/* deribit_ref.c: the get_instruments result (a JSON array) for a query
 * (currency= a settlement currency or "any", kind=, expired=), with the
 * terms read from the canonical names; -1 and *err for a bad parameter. */
int dr_instruments_json(struct sb *b, const char *query, const char **err);
/* deribit_ref.c: the get_currencies result: the settlement currencies. */
void dr_currencies_json(struct sb *b);
/* Deribit numbers: trimmed decimals. */
int dr_px(const struct sim_inst *in, int64_t ticks, char *out);
int dr_qty(const struct sim_inst *in, int64_t lots, char *out);

#endif
