/* split.c - chronological splits and training-split statistics (split.h). */
#include "split.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "label.h"

/* Open an .npy file written by npy.c (version 1.0) at its first data byte. */
static FILE *
npy_data(const char *path, char *err, size_t errlen)
{
	unsigned char h[10];
	FILE *f = fopen(path, "rb");

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fread(h, 1, 10, f) != 10 || memcmp(h, "\x93NUMPY\x01\x00", 8) != 0 ||
	    fseek(f, 10 + (long)(h[8] | h[9] << 8), SEEK_SET) != 0) {
		snprintf(err, errlen, "%s: not a version 1.0 .npy file", path);
		fclose(f);
		return NULL;
	}
	return f;
}

/* Mean and population std of the first rows of a float32 [N, ncols] file. */
static int
col_stats(const char *path, uint64_t rows, int ncols, double *mean, double *std, uint64_t *cnt, char *err,
    size_t errlen)
{
	struct mpx_wel *w = calloc((size_t)ncols, sizeof *w);
	float *row = malloc((size_t)ncols * sizeof *row);
	FILE *f = w && row ? npy_data(path, err, errlen) : NULL;
	uint64_t r;
	int j, rc = 0;

	if (!f) {
		if (!w || !row)
			snprintf(err, errlen, "split statistics: out of memory");
		free(w);
		free(row);
		return -1;
	}
	for (r = 0; r < rows; r++) {
		if (fread(row, sizeof *row, (size_t)ncols, f) != (size_t)ncols) {
			snprintf(err, errlen, "%s: shorter than %llu rows", path, (unsigned long long)rows);
			rc = -1;
			break;
		}
		for (j = 0; j < ncols; j++)
			mpx_wel_add(&w[j], row[j]);
	}
	for (j = 0; j < ncols; j++) {
		cnt[j] = (uint64_t)w[j].n;
		mean[j] = w[j].n > 0 ? w[j].mean : NAN;
		std[j] = w[j].n > 0 ? sqrt(w[j].m2 / w[j].n) : NAN;
	}
	fclose(f);
	free(w);
	free(row);
	return rc;
}

static int64_t
ts_at(const char *dir, uint64_t row)
{
	char path[1200], err[16];
	int64_t t = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/timestamps.npy", dir);
	f = npy_data(path, err, sizeof err);
	if (!f)
		return 0;
	if (fseek(f, (long)(row * sizeof t), SEEK_CUR) != 0 || fread(&t, sizeof t, 1, f) != 1)
		t = 0;
	fclose(f);
	return t;
}

int
mpx_split_compute(struct mpx_split *sp, const char *dir, uint64_t n, const double frac[3], int ndl, int nft,
    char *err, size_t errlen)
{
	char path[1200];
	uint64_t at = 0;
	int k;

	memset(sp, 0, sizeof *sp);
	for (k = 0; k < 3; k++) {
		uint64_t rows = k < 2 ? (uint64_t)floor(frac[k] * (double)n) : n - at;
		sp->frac[k] = frac[k];
		sp->part[k].first_row = at;
		sp->part[k].rows = rows;
		if (rows) {
			sp->part[k].t0 = ts_at(dir, at);
			sp->part[k].t1 = ts_at(dir, at + rows - 1);
		}
		at += rows;
	}
	sp->ndl = ndl;
	sp->nft = nft;
	sp->dl_mean = calloc((size_t)ndl + 1, sizeof(double));
	sp->dl_std = calloc((size_t)ndl + 1, sizeof(double));
	sp->dl_n = calloc((size_t)ndl + 1, sizeof(uint64_t));
	sp->ft_mean = calloc((size_t)nft + 1, sizeof(double));
	sp->ft_std = calloc((size_t)nft + 1, sizeof(double));
	sp->ft_n = calloc((size_t)nft + 1, sizeof(uint64_t));
	if (!sp->dl_mean || !sp->dl_std || !sp->dl_n || !sp->ft_mean || !sp->ft_std || !sp->ft_n) {
		snprintf(err, errlen, "split statistics: out of memory");
		return -1;
	}
	snprintf(path, sizeof path, "%s/deeplob.npy", dir);
	if (ndl && col_stats(path, sp->part[0].rows, ndl, sp->dl_mean, sp->dl_std, sp->dl_n, err, errlen) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/features.npy", dir);
	if (nft && col_stats(path, sp->part[0].rows, nft, sp->ft_mean, sp->ft_std, sp->ft_n, err, errlen) < 0)
		return -1;
	return 0;
}

void
mpx_split_free(struct mpx_split *sp)
{
	free(sp->dl_mean);
	free(sp->dl_std);
	free(sp->dl_n);
	free(sp->ft_mean);
	free(sp->ft_std);
	free(sp->ft_n);
	memset(sp, 0, sizeof *sp);
}
