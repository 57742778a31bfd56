/* mlimg.c - the requirement's heatmap and depth image (mlimg.h). */
#include "mlimg.h"

#include <math.h>
#include <string.h>

typedef __int128 i128;

static uint32_t
take(uint32_t n, int levels)
{
	return n < (uint32_t)levels ? n : (uint32_t)levels;
}

int
mli_heatmap(const struct mlf_book *b, int levels, int bins, double *heat, double *lo, double *hi)
{
	/* exact per-bin sums: a bin may hold up to 2 x 5000 levels of int64 mantissas */
	i128 acc[MLI_MAX_BINS][2];   /* 32 KiB of stack at most */
	uint32_t nb, na, i;
	int64_t plo, phi;
	i128 w;
	double qd;
	int k;

	if (!b->n_bids || !b->n_asks || levels < 1 || levels > MLI_MAX_LEVELS || bins < 1 || bins > MLI_MAX_BINS)
		return -1;
	nb = take(b->n_bids, levels);
	na = take(b->n_asks, levels);
	plo = b->bids[nb - 1].px;
	phi = b->asks[na - 1].px;
	if (phi <= plo)
		return -1;
	w = (i128)phi - plo;
	memset(acc, 0, (size_t)bins * sizeof acc[0]);
	for (int side = 0; side < 2; side++) {
		const struct rec_level *lv = side ? b->asks : b->bids;
		uint32_t n = side ? na : nb;
		for (i = 0; i < n; i++) {
			i128 j = ((i128)lv[i].px - plo) * bins / w;   /* >= 0 operands: floor */
			if ((i128)lv[i].px < plo)
				j = 0;                                  /* crossed: below the range */
			if (j >= bins)
				j = bins - 1;                           /* p = hi (or above, crossed) */
			acc[(int)j][side] += lv[i].qty;
		}
	}
	qd = pow(10.0, -b->qty_exp);   /* exact: 10^k is a double for k <= 22 */
	for (k = 0; k < bins; k++) {
		heat[2 * k] = (double)acc[k][0] / qd;
		heat[2 * k + 1] = (double)acc[k][1] / qd;
	}
	if (lo || hi) {
		double pd = pow(10.0, -b->px_exp);
		if (lo)
			*lo = (double)plo / pd;
		if (hi)
			*hi = (double)phi / pd;
	}
	return 0;
}

int
mli_depth_image(const struct mlf_book *b, int levels, double *img)
{
	uint32_t nb, na, i;
	int64_t qmax = 0;

	if (!b->n_bids || !b->n_asks || levels < 1 || levels > MLI_MAX_LEVELS)
		return -1;
	nb = take(b->n_bids, levels);
	na = take(b->n_asks, levels);
	for (i = 0; i < nb; i++)
		if (b->bids[i].qty > qmax)
			qmax = b->bids[i].qty;
	for (i = 0; i < na; i++)
		if (b->asks[i].qty > qmax)
			qmax = b->asks[i].qty;
	for (i = 0; i < (uint32_t)levels; i++) {
		/* qmax = 0 only for a record of zero sizes: all 0, not NaN */
		img[2 * i] = i < nb && qmax ? (double)b->bids[i].qty / (double)qmax : 0.0;
		img[2 * i + 1] = i < na && qmax ? (double)b->asks[i].qty / (double)qmax : 0.0;
	}
	return 0;
}
