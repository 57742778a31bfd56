/*
 * deriv.h - the derivative market state of a simulated instrument, for the
 * venues that serve perpetuals and dated futures (Binance USD-M and COIN-M,
 * binance_fut.c): index, mark, funding rate, open interest and the
 * liquidation of a step; the expiry of dated contracts (okx.c, deribit_ref.c
 * use it too).
 *
 * Every value is a pure function of the book and the step count (never of
 * clients or wall time, except the funding settlement time, which is the
 * next 8 h boundary of the wall clock as on the venues): the index is the
 * book's mid, the mark the mid plus a premium of a few ticks that wanders
 * slowly, the funding rate 0.01 % plus a term following the premium, open
 * interest grows with taker buys and shrinks with taker sells, and about
 * one step in thirty liquidates a position a few ticks through the touch.
 */
#ifndef MPSIM_DERIV_H
#define MPSIM_DERIV_H

#include <stddef.h>
#include <stdint.h>

#include "sim.h"

/* Call once per step after the book moved: open interest and the step's
 * liquidation (in->dv_liq_side: 0 none, 1 BUY = a short closed, 2 SELL =
 * a long closed; dv_liq_px ticks, dv_liq_qty lots). */
void dv_step(struct sim_inst *in);
/* Starting open interest (lots). */
void dv_init(struct sim_inst *in);
/* Index and mark prices in 1e-8 units. */
int64_t dv_index_e8(const struct sim_inst *in);
int64_t dv_mark_e8(const struct sim_inst *in);
/* The funding rate in 1e-8 (10000 = 0.0001 = 0.01 %). */
int64_t dv_funding_e8(const struct sim_inst *in);
/* The next funding settlement (wall ms): the next boundary of UTC every
 * `hours` (8 unless the venue adjusted the instrument's interval). */
int64_t dv_next_funding_ms(int64_t now_ms, int hours);
/* A dated contract's expiry: 08:00 UTC of the n characters YYMMDD at s
 * (when Binance, OKX and Deribit deliver), wall ms; -1 if not a date. */
int64_t dv_expiry_ms(const char *s, size_t n);

#endif
