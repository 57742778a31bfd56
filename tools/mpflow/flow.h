/*
 * flow.h - the requirement's "incremental features from pure deltas" and its
 * "simple flow-trend predictor", as a consumer computes them from
 * OrderBookDelta messages alone (orderbook.pure_delta.<ex>.<sym>).
 *
 * The window is routerd's own (routerd/mlflow.h: the same exact integer sums
 * and the same rounding as the live ml_flow and mpexport's deltaflow.npy),
 * and so is the rule that leaves refresh merges out (mlfl_msg_is_merge).
 * What differs is "the size before": routerd measures a change against its
 * replica of the book, this consumer against the last size it saw at that
 * price (0 for a price it has not seen: a level first seen counts its whole
 * size; quantity 0 = removed counts minus the last size seen).  So once both
 * windows hold the same W deltas, bid_updates, ask_updates and window_deltas
 * equal ml_flow's; the flows equal them wherever every level in the window
 * had been seen before.
 *
 * Per delta and side, the flow is the summed size change of its updates.
 * Over a sliding window of the last W deltas (default 100):
 *   bid_flow, ask_flow   sums of the per-delta flows (base units)
 *   net_flow             bid_flow - ask_flow
 *   flow_ratio           net_flow / (|bid_flow| + |ask_flow|), 0 when both are 0
 *   bid_updates, ask_updates   level updates per side in the window
 * A refresh merge (flow_merge) sets the sizes it carries, so later changes
 * at those prices are measured against them, but adds no flow, no update
 * and no delta.  Prediction: "up" if flow_ratio > threshold, "down" if <
 * -threshold, else "flat" (only once the window is full).  Pure state, no I/O.
 */
#ifndef MP_FLOW_H
#define MP_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "../../routerd/mlflow.h"

#define FLOW_MAX_WINDOW MLFL_MAX_WINDOW

struct flow_level {
	int64_t px;           /* price mantissa (0 = free slot) */
	int64_t qty;          /* the last size seen, mantissa */
};

struct flow {
	double threshold;
	int px_exp, qty_exp;      /* the instrument's exponents (inst.h) */
	struct mlfl win;          /* the window (routerd/mlflow.h) */
	struct flow_level *tab[2];   /* last size per price, per side (open addressing) */
	size_t cap, used[2];
	uint64_t resets;          /* a price table filled up and was cleared (counted) */
	uint64_t merges;          /* refresh merges applied outside the window */
};

struct flow_out {
	double bid_flow, ask_flow, net_flow, flow_ratio;
	uint64_t bid_updates, ask_updates, window_deltas;
	int full;                 /* the window holds W deltas */
	const char *prediction;   /* "up", "down", "flat", or NULL before the window is full */
};

/* 0, or -1 (window out of 1..FLOW_MAX_WINDOW, exponents out of -18..0, out of memory). */
int flow_init(struct flow *f, int window, double threshold, int px_exp, int qty_exp);
void flow_free(struct flow *f);
/* One level update of the current delta (side 0 = bid, 1 = ask), price and
 * size as the message's decimal strings; -1 for a string that is not an
 * exact decimal at the instrument's exponent (the update is not counted). */
int flow_update(struct flow *f, int side, const char *px, const char *qty);
/* One level of a refresh merge: its size is remembered, nothing counted; -1 as above. */
int flow_merge(struct flow *f, int side, const char *px, const char *qty);
/* Close the current delta (it enters the window) and read the window. */
void flow_end_delta(struct flow *f, struct flow_out *o);

#endif
