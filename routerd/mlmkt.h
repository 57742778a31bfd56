/*
 * mlmkt.h - the requirement's market-data features (the ml_market_features
 * consumer of shared/seed-digest.md) from the non-book records of one
 * instrument: REC_TICKER and REC_KLINE today.
 *
 * State per instrument: the last ticker groups seen and the last closed
 * candle.  mlm_update folds one record in; mlm_read gives every feature,
 * NaN for one whose source has not been seen yet.  Each feature is at most
 * three IEEE double operations on exact mantissas (definitions in the
 * table in mlmkt.c, listed by mlm_help), so live and offline agree.
 *
 * Hook for the derivatives records (funding, open interest, basis): a new
 * source is one row of the sources[] table in mlmkt.c (record type -> fold
 * function) plus its columns in cols[]; nothing here reads them yet.
 */
#ifndef MP_ROUTERD_MLMKT_H
#define MP_ROUTERD_MLMKT_H

#include <stdint.h>

#include "rec.h"

#define MLM_N 12

struct mlm {
	int px_exp, qty_exp;
	struct rec_ticker tk;      /* the last value of each TICK_* group seen */
	uint32_t tk_have;
	struct rec_kline kl;       /* the last closed candle */
	int kl_have;
	uint64_t ignored;          /* records of another type or a malformed one (counted) */
};

void mlm_init(struct mlm *m, int px_exp, int qty_exp);
/* Fold one record in.  1 if it changed a feature, 0 if not a source
 * (another type, an open candle), -1 for a malformed record (counted). */
int mlm_update(struct mlm *m, const struct rec_hdr *rec);
/* Every feature into out[MLM_N] (NaN = source not seen). */
void mlm_read(const struct mlm *m, double *out);
const char *mlm_name(int i);
const char *mlm_help(int i);

#endif
