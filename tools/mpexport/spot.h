/*
 * spot.h - the spot book a derivative's basis is against (routerd/mlbasis.h),
 * read from its own store stream beside the derivative's.
 *
 * The store keeps one stream per instrument, so the order of records across
 * the two is not stored; bookd's stamp (mlb_key) gives it.  Before each
 * derivative record with key t, mpx_spot_before folds every spot record with
 * key < t into the basis state, in its stream's order: the state routerd holds
 * for that record (the newest spot instant before t).  The derivative's own
 * book records are folded by the caller (mlb_fold on mpx_spot_basis).
 */
#ifndef MPX_SPOT_H
#define MPX_SPOT_H

#include <stddef.h>
#include <stdint.h>

#include "inst.h"
#include "../../routerd/mlbasis.h"

struct mpx_spot;

/* The pairing of deriv in reg (the segment's instrument table) by spec
 * ([ml] basis_spot) and, if it has a reference, a reader of that stream over
 * [from, to).  NULL with err: a spec error, no store, out of memory. */
struct mpx_spot *mpx_spot_open(const char *root, const struct inst_registry *reg, const struct inst *deriv,
    const char *spec, int64_t max_age_ns, int64_t from, int64_t to, char *err, size_t errlen);
struct mlb *mpx_spot_basis(struct mpx_spot *p);
/* "bybit:BTC-USDT", or NULL when the derivative has no reference. */
const char *mpx_spot_ref(const struct mpx_spot *p);
/* Fold the spot records with key < t.  0, or -1 when the spot stream could not be read (err). */
int mpx_spot_before(struct mpx_spot *p, int64_t t, char *err, size_t errlen);
/* Spot records folded. */
uint64_t mpx_spot_records(const struct mpx_spot *p);
void mpx_spot_close(struct mpx_spot *p);

#endif
