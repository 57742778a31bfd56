/*
 * store_pred.h - the book a column block predicts snapshots from (internal
 * to store_codec.c, codec STORE_CODEC_COLS2).
 *
 * A stored book stream carries periodic snapshots (bookd's top-N every
 * second, a full one every minute) between the deltas that already say
 * almost everything about them.  The encoder and the decoder both keep, per
 * side, the levels of the last snapshot of the block (plus the deeper levels
 * known before it) and the delta levels since; a snapshot is then coded as
 * its differences from that prediction.  The prediction is only a guess: both
 * sides compute it the same deterministic way from records already coded, so
 * any record sequence (unsorted, duplicated, chunked) still round-trips.
 *
 * Contract: store_pred_side() returns the predicted side (side order: bids
 * descending, asks ascending; qty 0 levels dropped); it stays valid until the
 * next call on the same struct.  Memory grows with the block's levels only.
 * Every function returns 0, or -1 when out of memory.
 */
#ifndef MP_STORE_PRED_H
#define MP_STORE_PRED_H

#include <stdint.h>

#include "rec.h"

struct pred_lv {
	int64_t px, qty;
	uint64_t seq;          /* arrival order: the last change of a price wins */
};

struct pred_buf {
	void *p;
	uint32_t n, cap;
};

struct store_pred {
	struct pred_buf snap[2];   /* struct rec_level: the model after the last snapshot */
	struct pred_buf pend[2];   /* struct pred_lv: delta levels since */
	struct pred_buf out;       /* struct rec_level: the prediction handed out */
	struct pred_buf tmp;       /* scratch */
	uint64_t seq;
};

void store_pred_init(struct store_pred *p);
void store_pred_free(struct store_pred *p);
/* Delta levels of one side, in record order. */
int store_pred_delta(struct store_pred *p, int side, const struct rec_level *lv, uint32_t n);
/* The predicted side: *lv, *n (valid until the next call). */
int store_pred_side(struct store_pred *p, int side, const struct rec_level **lv, uint32_t *n);
/* A snapshot side was coded: its levels become the model, followed by the
 * predicted levels beyond its last one (a top-N snapshot says nothing about
 * deeper levels); the side's pending deltas are cleared. */
int store_pred_snapshot(struct store_pred *p, int side, const struct rec_level *lv, uint32_t n);

#endif
