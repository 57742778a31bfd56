/*
 * mlimg.h - the requirement's "order book as image" (shared/seed-digest.md,
 * deep-learning preparation), exactly as it defines them:
 *
 *  - the price-grid heatmap: the best `levels` levels per side (default 100)
 *    placed on `bins` price bins (default 200) over the price range those
 *    levels span, [price bin, bid/ask];
 *  - the depth x 2 image: the sizes of the best `levels` levels per side,
 *    normalised by the largest of them.
 *
 * These are not mpexport's heatmap.npy / stack.npy (bins of fixed bps width
 * around mid, tools/mpexport/feat.h): those stay; these are named apart
 * (reqheatmap, depthimage, reqstack).
 *
 * Definitions (mantissas, best level first, Lb = min(levels, n_bids),
 * La = min(levels, n_asks), qd = 10^-qty_exp):
 *   lo = pb[Lb-1] (the deepest bid taken), hi = pa[La-1] (the deepest ask)
 *   bin(p) = floor((p - lo) * bins / (hi - lo)), p = hi in the last bin
 *            (clamped to 0 .. bins-1: a crossed book keeps every level)
 *   heat[bin][0] = sum of qb_i / qd with bin(pb_i) = bin, i < Lb
 *   heat[bin][1] = the same for the asks (i < La)
 *   qmax = max(qb_i, i < Lb; qa_i, i < La)
 *   img[i][0] = qb_i / qmax (0 for i >= Lb), img[i][1] = qa_i / qmax
 * Every bin index and sum is exact integer arithmetic (__int128), every
 * value one correctly rounded division: the same book gives bit-identical
 * doubles in routerd (live) and mpexport (offline).
 *
 * Input: struct mlf_book (mlfeat.h).  Pure functions, no allocation.
 */
#ifndef MP_ROUTERD_MLIMG_H
#define MP_ROUTERD_MLIMG_H

#include "mlfeat.h"

#define MLI_LEVELS 100     /* the requirement's defaults */
#define MLI_BINS 200
#define MLI_MAX_LEVELS 5000
#define MLI_MAX_BINS 1000

/* The heatmap into heat[bins * 2] ([bin][0 = bid, 1 = ask], base units) and
 * its price range in quote currency (lo, hi may be NULL).  0, or -1 when a
 * side is empty, levels or bins out of range, or hi <= lo (no range). */
int mli_heatmap(const struct mlf_book *b, int levels, int bins, double *heat, double *lo, double *hi);

/* The depth image into img[levels * 2] ([level][0 = bid, 1 = ask], 0..1).
 * 0, or -1 when a side is empty or levels is out of range. */
int mli_depth_image(const struct mlf_book *b, int levels, double *img);

#endif
