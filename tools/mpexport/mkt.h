/*
 * mkt.h - market-data features of a derivatives book (REC_MARKET records in
 * its store stream), one row per sample: market.npy float64 [N, MPX_MKT_COLS].
 *
 * Each value is the last one the venue sent at or before the sample (no
 * look-ahead), NaN until the first arrives:
 *   funding_rate     the rate of the next settlement (a fraction, 0.0001 = 1 bp)
 *   mark_px, index_px
 *   basis_mark_bps   (mark - index) / index * 1e4
 *   basis_mid_bps    (book mid - index) / index * 1e4: the perpetual's or
 *                    future's own mid against the venue's spot index of the
 *                    same base/quote
 *   open_interest    contracts
 *   oi_change        open interest now minus at the previous sample (NaN at
 *                    the first sample with one and after a gap)
 */
#ifndef MPX_MKT_H
#define MPX_MKT_H

#include "rec.h"

#define MPX_MKT_COLS 7

struct mpx_mkt {
	double px_div, qty_div;      /* mantissa / div = price / size */
	double funding, mark, index, oi;
	double prev_oi;              /* at the previous sample, NaN = none */
};

void mpx_mkt_init(struct mpx_mkt *m, double px_div, double qty_div);
void mpx_mkt_on(struct mpx_mkt *m, const struct rec_market *r);
/* The row for a sample with book mid `mid`. */
void mpx_mkt_row(struct mpx_mkt *m, double mid, double out[MPX_MKT_COLS]);
/* After a gap: the change is not measured across it. */
void mpx_mkt_break(struct mpx_mkt *m);
const char *mpx_mkt_col(int i);

#endif
