/* venues.c - mpsim's half of the venue table: each simulated venue's
 * operations (binance.c + binance_fut.c, okx.c, bybit.c) by sim venue index. */
#include "binance.h"
#include "bybit.h"
#include "deribit.h"
#include "okx.h"
#include "sim.h"
#include "venue.h"

static int64_t
bn_last_id(const struct sim_inst *in)
{
	return in->bn_last_u;
}

static int64_t
ox_last_id(const struct sim_inst *in)
{
	return in->ox_seq;
}

static int64_t
by_last_id(const struct sim_inst *in)
{
	return in->by_u;
}

static int64_t
dr_last_id(const struct sim_inst *in)
{
	return in->dr_change_id;
}

/* Binance USD-M / COIN-M: instruments only from their own --<venue>-symbols,
 * derivatives only, 10 incoming messages a second; --replay serves their
 * recordings with depth from <api>/depth */
#define BN_FUT_ROW(ex, sp, depth) { \
		.exch = (ex), .inst_init = bn_fut_inst_init, .on_step = bn_on_step, .rest = bn_rest, \
		.ws_open = bn_ws_open, .ws_message = bn_ws_message, .broadcast = bn_broadcast, \
		.fault_answer = bn_fault_answer, .notice = bn_shutdown_notice, .notice_ms = 5000, \
		.weight_now = bn_weight_now, .flush_pending = bn_flush_pending, .px = bn_px, .qty = bn_qty, \
		.last_id = bn_last_id, .venue_sym_join = 1, .incr_streams = 3, .rx_limit = 10, \
		.server_pings = 1, .own_symbols = 1, .derivatives = 1, .derivatives_only = 1, .spec = &(sp), \
		.replay_depth = (depth), }

static const struct sim_venue venues[SIM_NVENUE] = {
	[SIM_BINANCE] = {
		.exch = EX_BINANCE, .inst_init = bn_inst_init, .on_step = bn_on_step, .rest = bn_rest,
		.ws_open = bn_ws_open, .ws_message = bn_ws_message, .broadcast = bn_broadcast,
		.fault_answer = bn_fault_answer, .notice = bn_shutdown_notice, .notice_ms = 5000,
		.weight_now = bn_weight_now, .flush_pending = bn_flush_pending, .px = bn_px, .qty = bn_qty,
		.last_id = bn_last_id, .venue_sym_join = 1, .incr_streams = 2, .rx_limit = 5,
		.server_pings = 1, .replay_depth = "/api/v3/depth", .spec = &bn_spot,
	},
	/* the futures share binance.c, with binance_fut.c's constants and extras */
	[SIM_BINANCE_USDM] = BN_FUT_ROW(EX_BINANCE_USDM, bn_usdm, "/fapi/v1/depth"),
	[SIM_BINANCE_COINM] = BN_FUT_ROW(EX_BINANCE_COINM, bn_coinm, "/dapi/v1/depth"),
	[SIM_OKX] = {
		.exch = EX_OKX, .inst_init = ox_inst_init, .on_step = ox_on_step, .housekeeping = ox_housekeeping,
		.rest = ox_rest, .ws_open = ox_ws_open, .ws_message = ox_ws_message, .broadcast = ox_broadcast,
		.fault_answer = ox_fault_answer, .notice = ox_upgrade_notice, .notice_ms = 60000,
		.px = ox_px, .qty = ox_qty, .last_id = ox_last_id, .ws_snapshots = 1, .corrupt_max = SIM_OKX_WIN, .derivatives = 1,
	},
	[SIM_BYBIT] = {
		.exch = EX_BYBIT, .inst_init = by_inst_init, .on_step = by_on_step, .rest = by_rest,
		.ws_open = by_ws_open, .ws_message = by_ws_message, .broadcast = by_broadcast,
		.fault_answer = by_fault_answer, .px = by_px, .qty = by_qty, .last_id = by_last_id, .corrupt_max = BY_WIN,
		.own_symbols = 1, .derivatives = 1,
	},
	[SIM_DERIBIT] = {
		.exch = EX_DERIBIT, .inst_init = dr_inst_init, .on_step = dr_on_step, .housekeeping = dr_housekeeping,
		.rest = dr_rest, .ws_open = dr_ws_open, .ws_message = dr_ws_message, .broadcast = dr_broadcast,
		.fault_answer = dr_fault_answer, .px = dr_px, .qty = dr_qty, .last_id = dr_last_id,
		.own_symbols = 1, .derivatives = 1,
	},
};

const struct sim_venue *
sim_ops(int venue)
{
	return venue >= 0 && venue < SIM_NVENUE ? &venues[venue] : &venues[0];
}
