/*
 * label.h - mid-price movement labels (DeepLOB / FI-2010 style) and the
 * prior-days z-score normalization.  Both are written so that nothing after
 * a sample's own time can change what is computed for it, except the label
 * itself (which is the future by definition, and is marked missing when the
 * future it needs is not in the export).
 */
#ifndef MPX_LABEL_H
#define MPX_LABEL_H

#include <stddef.h>
#include <stdint.h>

#define MPX_LABEL_MISSING (-128)

/*
 * Labels for n samples with mids mid[] and segment ids seg[] (rows of one
 * segment are consecutive samples with no gap between them).  For row t and
 * horizon k:
 *   m_minus = mean(mid[t-k+1 .. t]), m_plus = mean(mid[t+1 .. t+k]),
 *   l = (m_plus - m_minus) / m_minus,
 *   label = +1 if l > thr, -1 if l < -thr, else 0,
 * when rows t-k+1 .. t+k all exist and share t's segment; otherwise the label
 * is MPX_LABEL_MISSING and the return NaN.  lab and ret are [n][nh] row-major.
 */
void mpx_labels(const double *mid, const int32_t *seg, size_t n, const int *hor, int nh, double thr,
    int8_t *lab, float *ret);

/*
 * TLOB labels (Berti & Kasneci 2025, "TLOB: a novel transformer model with
 * dual attention for price trend prediction with limit order book data"):
 * the smoothing window k is separate from the horizon h.  For row t:
 *   w_minus = mean(mid[t-k .. t]), w_plus = mean(mid[t+h-k .. t+h])  (k+1 rows each),
 *   l = (w_plus - w_minus) / w_minus, thresholded as above,
 * when rows t-k .. t+h all exist and share t's segment (else missing / NaN).
 * The formula is the one of the open implementation nagarx/feature-extractor-
 * MBO-LOB (src/labeling/tlob.rs); it was not checked against the paper's text.
 */
void mpx_labels_tlob(const double *mid, const int32_t *seg, size_t n, const int *hor, int nh, int k, double thr,
    int8_t *lab, float *ret);

/* Running mean and squared deviations of one column (Welford / Chan). */
struct mpx_wel {
	double n, mean, m2;
};

/* Add one value (a NaN is left out). */
void mpx_wel_add(struct mpx_wel *w, double x);

/* Per-UTC-day statistics of ncols columns. */
struct mpx_norm {
	int ncols;
	int ndays, cap;
	int64_t *day;            /* day numbers (ns / 86400e9), ascending */
	uint64_t *rows;          /* samples per day */
	struct mpx_wel *acc;     /* [ndays][ncols] */
};

void mpx_norm_init(struct mpx_norm *nm, int ncols);
void mpx_norm_free(struct mpx_norm *nm);
/* Add one sample of day `day` (NaN values are left out of their column). 0 or -1 (ENOMEM). */
int mpx_norm_add(struct mpx_norm *nm, int64_t day, const double *row);
/*
 * Statistics for normalizing day `day`: every sample of days day-ndays ..
 * day-1 (calendar days; days without data add nothing).  Fills mean[] and
 * std[] (population std; 1 where a column has no values or std <= 1e-12,
 * mean 0 where it has no values) and returns the number of samples used
 * (0 = no prior data: the day cannot be normalized).
 */
uint64_t mpx_norm_stats(const struct mpx_norm *nm, int64_t day, int ndays, double *mean, double *std);

#endif
