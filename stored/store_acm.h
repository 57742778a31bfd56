/*
 * store_acm.h - the context models of STORE_CODEC_AC and _AC2 (internal to
 * store_codec.c): which adaptive distribution each value of a block is coded
 * with, on the range coder of store_ac.h.
 *
 * The column transform (store_codec.c) decides what the values are; this
 * module decides how they are coded:
 *   slot    the record's type/kind, given the previous record's
 *   lane    a fixed 8-byte lane of a record, per (slot, lane): either its
 *           difference from the previous record of the slot (decimal
 *           trailing zeros apart), or, chosen per value by the encoder with
 *           an adaptive flag, its two 32-bit halves against theirs (lanes
 *           that pack two counters, n_bids|n_asks, len|aux, change by
 *           multiples of 2^32 as one 64-bit number)
 *   price   a level's step from the previous price, per side, first/other
 *           level of a delta or a snapshot level, and the previous step's size
 *   size    a level's size against the book of the block: the encoder picks
 *           one of zero / a recently seen size (move-to-front rank) / the
 *           previous size at that price plus a recently seen change / a
 *           literal / the previous size plus a literal change (a Binance
 *           level is mostly re-quoted by one order of a size seen before)
 *   op      a snapshot edit op (store_codec.c snap_enc)
 * The encoder and the decoder update every model the same way from values
 * already coded, so the block is self-contained (no state across blocks).
 *
 * Contract: functions returning int give 0, or -1 when out of memory (the
 * encoder) or when the input is damaged (the decoder; d->err is then set or
 * the value was out of range).  Values returned by a decoder after d->err
 * are garbage and callers stop.
 */
#ifndef MP_STORE_ACM_H
#define MP_STORE_ACM_H

#include <stdint.h>

#include "store_ac.h"

struct acm;

/* gen 0: the models of STORE_CODEC_AC (codec 4, frozen: its bytes must keep
 * their meaning); 1: STORE_CODEC_AC2 (codec 5: counted probabilities, see
 * ac_enc_init, and the sizes' per-level history form). */
struct acm *acm_new(int gen);
void acm_free(struct acm *m);

/* Price kinds (the price context). */
enum { ACM_PX_FIRST, ACM_PX_NEXT, ACM_PX_SNAP, ACM_PX_KINDS };

int acm_put_slot(struct acm *m, struct ac_enc *e, uint8_t slot);
int acm_get_slot(struct acm *m, struct ac_dec *d, uint8_t *slot);
/* Lane `lane` of a record of `slot`: diff is the value the column transform
 * gives (a difference), cur and prev the lane and the previous record's. */
int acm_put_lane(struct acm *m, struct ac_enc *e, uint8_t slot, int lane, int64_t diff, int64_t cur,
    int64_t prev);
/* *v is the difference (*abs = 0) or already the lane (*abs = 1). */
int acm_get_lane(struct acm *m, struct ac_dec *d, uint8_t slot, int lane, int64_t prev, int64_t *v,
    int *abs);
/* A price step px - ref. */
int acm_put_px(struct acm *m, struct ac_enc *e, int side, int kind, int64_t step);
int acm_get_px(struct acm *m, struct ac_dec *d, int side, int kind, int64_t *step);
/* The size at px (the price already coded); kind as for the price (a
 * snapshot's changed size: ACM_PX_SNAP). */
int acm_put_qty(struct acm *m, struct ac_enc *e, int side, int kind, int64_t px, int64_t qty);
int acm_get_qty(struct acm *m, struct ac_dec *d, int side, int kind, int64_t px, int64_t *qty);
/* The size last coded at px (0: none), and the levels the sizes coded since
 * acm_net_reset added (size from 0) minus removed (to 0), per side: what
 * the block's book predicts a delta's resulting best sizes and level counts
 * to be (codec 5 codes them after the levels, against these). */
int64_t acm_book_qty(struct acm *m, int side, int64_t px);
void acm_net_reset(struct acm *m);
int64_t acm_net(const struct acm *m, int side);
int acm_put_op(struct acm *m, struct ac_enc *e, int side, uint64_t v);
int acm_get_op(struct acm *m, struct ac_dec *d, int side, uint64_t *v);

#endif
