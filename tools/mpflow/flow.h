/*
 * flow.h - the requirement's "incremental features from pure deltas" and its
 * "simple flow-trend predictor", as a consumer computes them from
 * OrderBookDelta messages alone (orderbook.pure_delta.<ex>.<sym>).
 *
 * Per delta and side, the flow is the summed quantity change of its updates:
 * new quantity - the last quantity this consumer saw at that price (0 for a
 * price it has not seen: a level first seen counts its whole size; quantity
 * 0 = removed, so a removal counts minus the last size seen).  Over a
 * sliding window of the last W deltas (default 100):
 *   bid_flow, ask_flow   sums of the per-delta flows
 *   net_flow             bid_flow - ask_flow
 *   flow_ratio           net_flow / (|bid_flow| + |ask_flow|), 0 when both are 0
 *   bid_updates, ask_updates   level updates per side in the window
 * Prediction: "up" if flow_ratio > threshold, "down" if < -threshold, else
 * "flat" (only once the window is full).  Pure state, no I/O.
 */
#ifndef MP_FLOW_H
#define MP_FLOW_H

#include <stddef.h>
#include <stdint.h>

#define FLOW_MAX_WINDOW 100000
#define FLOW_KEY 32

struct flow_slot {
	double bid, ask;
	uint32_t nb, na;
};

struct flow_level {
	char px[FLOW_KEY];    /* the decimal price as published ("" = free) */
	double qty;
};

struct flow {
	int window;
	double threshold;
	struct flow_slot *ring;
	uint64_t n;               /* deltas seen */
	struct flow_level *tab[2];   /* last quantity per price, per side (open addressing) */
	size_t cap, used[2];
	uint64_t resets;          /* a price table filled up and was cleared (counted) */
	struct flow_slot cur;     /* the delta being accumulated */
};

struct flow_out {
	double bid_flow, ask_flow, net_flow, flow_ratio;
	uint64_t bid_updates, ask_updates;
	int full;                 /* the window holds W deltas */
	const char *prediction;   /* "up", "down", "flat", or NULL before the window is full */
};

/* 0, or -1 (window out of 1..FLOW_MAX_WINDOW, out of memory). */
int flow_init(struct flow *f, int window, double threshold);
void flow_free(struct flow *f);
/* One level update of the current delta (side 0 = bid, 1 = ask); -1 for a
 * price string too long or not a number (the update is not counted). */
int flow_update(struct flow *f, int side, const char *px, double qty);
/* Close the current delta and read the window. */
void flow_end_delta(struct flow *f, struct flow_out *o);

#endif
