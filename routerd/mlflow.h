/*
 * mlflow.h - the requirement's "incremental features from pure deltas"
 * (shared/seed-digest.md): bid/ask flow, net flow, flow ratio and update
 * counts over a sliding window of the last W deltas (default 100), as book
 * state defines them, for live (routerd) and offline (mpexport) alike.
 *
 * One delta's flow per side is the summed quantity change of its level
 * updates: sum (new size - size in the book before the delta), a removal
 * counting minus the size it removed and a new level its whole size.  Over
 * the window (the last W deltas of the current sync epoch; mlfl_reset at an
 * anchor; a refresh merge, rec_delta_is_merge in rec.h, is no market flow:
 * callers apply it to their book and give it to neither mlfl_level nor
 * mlfl_end):
 *   bid_flow, ask_flow   the summed flows, base units
 *   net_flow             bid_flow - ask_flow
 *   flow_ratio           (B - A) / (|B| + |A|), 0 when both are 0
 *   bid_updates, ask_updates   level updates per side in the window
 *   window_deltas        deltas in the window (W once it is full)
 * B and A are exact integer sums of mantissas (__int128, kept incrementally:
 * integers do not drift); each output is one correctly rounded operation on
 * them, so the same deltas give bit-identical doubles in any process.
 *
 * tools/mpflow computes the same quantities from the published decimal
 * messages, where "before" is the last size that consumer saw (flow.h).
 */
#ifndef MP_ROUTERD_MLFLOW_H
#define MP_ROUTERD_MLFLOW_H

#include <stdint.h>

#define MLFL_WINDOW 100
#define MLFL_MAX_WINDOW 100000
#define MLFL_N 7      /* output columns */

struct mlfl_slot {
	__int128 bid, ask;        /* summed size changes, mantissas */
	uint32_t nb, na;
	uint32_t pad[2];
};

struct mlfl {
	int window;
	struct mlfl_slot *ring;
	uint64_t n;               /* deltas closed in this epoch */
	struct mlfl_slot cur;     /* the delta being accumulated */
	struct mlfl_slot sum;     /* over the window */
};

/* 0, or -1 (window out of 1..MLFL_MAX_WINDOW, out of memory). */
int mlfl_init(struct mlfl *f, int window);
void mlfl_free(struct mlfl *f);
/* A new epoch: the window empties. */
void mlfl_reset(struct mlfl *f);
/* One level update of the current delta (side 0 = bid, 1 = ask). */
void mlfl_level(struct mlfl *f, int side, int64_t old_qty, int64_t new_qty);
/* Close the current delta (it enters the window, the oldest leaves). */
void mlfl_end(struct mlfl *f);
/* The window's features into out[MLFL_N], sizes at 10^qty_exp. */
void mlfl_read(const struct mlfl *f, int qty_exp, double *out);
/* The refresh-merge rule (rec_delta_is_merge) as a consumer of the published
 * OrderBookDelta sees it: update_id == prev_update_id > 0 with at least one
 * change (the message has no first id: a merge's equals both; a legacy OKX
 * frame has ids 0).  1 = a merge: apply its sizes, leave it out of the flows. */
int mlfl_msg_is_merge(int64_t update_id, int64_t prev_update_id, uint64_t changes);
/* Name and definition of column i. */
const char *mlfl_name(int i);
const char *mlfl_help(int i);

#endif
