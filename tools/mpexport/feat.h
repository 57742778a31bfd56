/*
 * feat.h - what one sample of a book becomes: the DeepLOB row, the feature
 * vector and the price-binned heatmap.  Pure functions of the book, the
 * range of prices the last full snapshot covered, and the order flow
 * accumulated since the previous sample; no I/O.
 *
 * Conventions (also written into metadata.json):
 *  - mid = (best bid + best ask) / 2, in quote currency (double).
 *  - Distances are in basis points of mid: bid d = (mid - px) / mid * 1e4,
 *    ask d = (px - mid) / mid * 1e4 (>= 0 unless the book is crossed).
 *  - Sizes are in base units (mantissa / 10^-qty_exp).
 *  - "Known" depth: levels beyond bid_floor / ask_ceil (the outermost price the
 *    exchange snapshot covered, moved inwards when the depth limit evicted a
 *    level) are unknown until touched, so a depth band or heatmap bin that
 *    reaches beyond them is NaN, not 0.
 */
#ifndef MPX_FEAT_H
#define MPX_FEAT_H

#include <stddef.h>
#include <stdint.h>

#include "../../bookd/book.h"

#define MPX_MAX_BANDS 16
#define MPX_MAX_LEVELS 1000

struct mpx_fcfg {
	int levels;                  /* DeepLOB levels per side (and top-N features) */
	int prices_abs;              /* DeepLOB prices: 1 = absolute, 0 = bps from mid */
	int n_bands;
	double bands[MPX_MAX_BANDS]; /* depth bands in bps, ascending */
	int bins;                    /* heatmap bins per side */
	double bin_bps;              /* width of one bin */
	double px_div, qty_div;      /* mantissa / div = price / size */
};

/* Order flow accumulated between two samples (reset after each). */
struct mpx_flow {
	double bid_add, bid_rem, ask_add, ask_rem;  /* size added / removed per side */
	double ofi;                                 /* Cont-Kukanov-Stoikov L1 order-flow imbalance */
	double buy_qty, sell_qty;                   /* taker trades */
	uint64_t n_updates, n_changes, n_trades;
};

/* The book's known price range (0 = not given: the outermost level held). */
struct mpx_known {
	int64_t bid_floor, ask_ceil;
};

/* Number of feature columns and the name of column i ("spread_bps"). */
int mpx_feat_ncols(const struct mpx_fcfg *c);
const char *mpx_feat_name(const struct mpx_fcfg *c, int i, char *buf, size_t cap);
/* One line describing column i (for metadata.json). */
const char *mpx_feat_help(const struct mpx_fcfg *c, int i, char *buf, size_t cap);
/* DeepLOB columns: 4 per level (ask px, ask size, bid px, bid size). */
int mpx_deeplob_ncols(const struct mpx_fcfg *c);

/*
 * Compute one sample.  deeplob (mpx_deeplob_ncols doubles), feat
 * (mpx_feat_ncols doubles) and heat (bins x 2 doubles: [bin][0 = bid, 1 = ask])
 * may each be NULL.  Returns 0, or -1 when a side is empty (no mid: no sample).
 */
int mpx_sample(const struct mpx_fcfg *c, const struct book *b, const struct mpx_known *k,
    const struct mpx_flow *fl, double *mid, double *deeplob, double *feat, double *heat);

/* Account one delta level change before it is applied (old size from the book). */
void mpx_flow_level(struct mpx_flow *fl, const struct mpx_fcfg *c, int side, int64_t old_qty, int64_t new_qty);
/* Account the L1 order-flow imbalance of one update from the best levels before and after. */
void mpx_flow_ofi(struct mpx_flow *fl, const struct mpx_fcfg *c, const int64_t before[4], const int64_t after[4]);

#endif
