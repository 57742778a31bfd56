/*
 * split.h - chronological train / validation / test splits of the exported
 * rows, and normalization statistics computed from the training split only
 * (TLOB-style: the model never sees statistics of later data).
 *
 * The rows are split in time order by fractions of the row count:
 * train = [0, floor(f0 * N)), val = the next floor(f1 * N) rows, test = the
 * rest.  The statistics are read back from the float32 files as written
 * (deeplob.npy, features.npy), so they are exactly what a reader of the files
 * would compute: per column mean and population std over the training rows,
 * NaN values left out.  The arrays themselves are not changed; a window (and
 * its label horizon) belongs to a split only if all its rows are inside it.
 */
#ifndef MPX_SPLIT_H
#define MPX_SPLIT_H

#include <stddef.h>
#include <stdint.h>

struct mpx_split_part {
	uint64_t first_row, rows;
	int64_t t0, t1;              /* times of the first and last row (0 when empty) */
};

struct mpx_split {
	double frac[3];
	struct mpx_split_part part[3];   /* train, val, test */
	int ndl, nft;                    /* columns with statistics (0 = file not written) */
	double *dl_mean, *dl_std, *ft_mean, *ft_std;
	uint64_t *dl_n, *ft_n;           /* values behind each column's statistics */
};

/*
 * Split n rows of the export in dir by frac[3] and compute the training
 * statistics of dir/deeplob.npy (ndl columns, 0 = none) and dir/features.npy
 * (nft columns, 0 = none).  0, or -1 with err.
 */
int mpx_split_compute(struct mpx_split *sp, const char *dir, uint64_t n, const double frac[3], int ndl, int nft,
    char *err, size_t errlen);
void mpx_split_free(struct mpx_split *sp);

#endif
