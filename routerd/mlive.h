/*
 * mlive.h - the delta flows (mlflow.h) live in routerd: a replica of each
 * book, kept from bookd's records on book.router, gives the size before each
 * level change, as mpexport's rebuilt book does offline.
 *
 * The replica follows mpexport's epoch rules (tools/mpexport/export.h): a
 * SNAP_FULL anchors when none is open, a SYNC or RESYNC one always starts a
 * new epoch (the window empties); a delta applies only when its prev_id is
 * the replica's update id, else the epoch ends until the next full book; a
 * ring gap ends every epoch.  Levels go through bookd's own engine
 * (bookd/book.c) with [bookd] max_levels, so a level the depth limit drops
 * counts no change, exactly as offline.  OKX empty heartbeats do not enter
 * the window.  A refresh merge (rec_delta_is_merge: an OKX books-full deep
 * merge, a Binance spliced refresh) is applied to the replica but does not
 * enter the window either: it is a REST view of far levels, not market
 * flow, and its id is the previous delta's.  routerd folds each ring record
 * in exactly once (a failed send ends the process; the next one starts with
 * empty replicas), so there is no "record seen again" to recognise: the
 * update id cannot tell one, a merge repeats the id of the delta before it.
 *
 * The window after a delta equals mpexport's deltaflow.npy row of the same
 * update id whenever both hold W deltas (window_deltas = W): both are the
 * same W deltas measured against the same book.  Before that the live
 * window may be shorter (routerd started or re-anchored later).
 */
#ifndef MP_ROUTERD_MLIVE_H
#define MP_ROUTERD_MLIVE_H

#include <stdint.h>

#include "mlflow.h"
#include "rec.h"

struct mlv;

/* For instrument ids 1..max_inst.  NULL on bad arguments or out of memory. */
struct mlv *mlv_new(uint32_t max_inst, uint32_t max_levels, int window);
void mlv_free(struct mlv *v);
/* Fold one book.router record in.  For a delta applied in an epoch, out
 * (MLFL_N doubles) gets the window after it (after a merge: unchanged) and
 * 1 is returned; 0 otherwise (not a delta, no epoch, a heartbeat). */
int mlv_record(struct mlv *v, const struct rec_hdr *rec, int qty_exp, double *out);
/* Records were lost (a ring gap): every epoch ends. */
void mlv_gap(struct mlv *v);
/* Counters: deltas that broke continuity, levels the engine refused. */
uint64_t mlv_breaks(const struct mlv *v);

#endif
