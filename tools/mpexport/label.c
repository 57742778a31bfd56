/* label.c - labels and prior-days normalization (label.h). */
#include "label.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * One label from the mean of rows t-back .. t (past) and of rows t+f0 .. t+f1
 * (future), when rows t-back .. t+f1 exist and share t's segment; both
 * methods are this with their windows.  Summed in index order so that an
 * independent implementation gets the same bits.
 */
static void
label_one(const double *mid, const int32_t *seg, size_t n, size_t t, size_t back, int64_t f0, size_t f1,
    double thr, int8_t *l, float *r)
{
	double sm = 0, sp = 0, past, fut, x;
	int64_t i;

	*l = MPX_LABEL_MISSING;
	*r = NAN;
	if (t < back || t + f1 >= n || (int64_t)t + f0 < 0 || seg[t - back] != seg[t] || seg[t + f1] != seg[t])
		return;
	for (i = (int64_t)(t - back); i <= (int64_t)t; i++)
		sm += mid[i];
	for (i = (int64_t)t + f0; i <= (int64_t)(t + f1); i++)
		sp += mid[i];
	past = sm / (double)(back + 1);
	fut = sp / (double)((int64_t)f1 - f0 + 1);
	x = (fut - past) / past;
	*r = (float)x;
	*l = x > thr ? 1 : x < -thr ? -1 : 0;
}

void
mpx_labels(const double *mid, const int32_t *seg, size_t n, const int *hor, int nh, double thr,
    int8_t *lab, float *ret)
{
	size_t t;
	int h;

	for (t = 0; t < n; t++)
		for (h = 0; h < nh; h++) {
			size_t k = (size_t)hor[h], at = t * (size_t)nh + (size_t)h;
			if (k < 1) {
				lab[at] = MPX_LABEL_MISSING;
				ret[at] = NAN;
				continue;
			}
			/* DeepLOB: rows t-k+1 .. t and t+1 .. t+k */
			label_one(mid, seg, n, t, k - 1, 1, k, thr, &lab[at], &ret[at]);
		}
}

void
mpx_labels_tlob(const double *mid, const int32_t *seg, size_t n, const int *hor, int nh, int k, double thr,
    int8_t *lab, float *ret)
{
	size_t t;
	int h;

	for (t = 0; t < n; t++)
		for (h = 0; h < nh; h++) {
			size_t at = t * (size_t)nh + (size_t)h;
			if (k < 1 || hor[h] < 1) {
				lab[at] = MPX_LABEL_MISSING;
				ret[at] = NAN;
				continue;
			}
			/* TLOB: rows t-k .. t and t+h-k .. t+h */
			label_one(mid, seg, n, t, (size_t)k, (int64_t)hor[h] - k, (size_t)hor[h], thr, &lab[at], &ret[at]);
		}
}

void
mpx_wel_add(struct mpx_wel *w, double x)
{
	double d;

	if (isnan(x))
		return;
	w->n += 1;
	d = x - w->mean;
	w->mean += d / w->n;
	w->m2 += d * (x - w->mean);
}

void
mpx_norm_init(struct mpx_norm *nm, int ncols)
{
	memset(nm, 0, sizeof *nm);
	nm->ncols = ncols;
}

void
mpx_norm_free(struct mpx_norm *nm)
{
	free(nm->day);
	free(nm->rows);
	free(nm->acc);
	memset(nm, 0, sizeof *nm);
}

static int
day_slot(struct mpx_norm *nm, int64_t day)
{
	int i;

	/* Samples come in time order: the day is nearly always the last one. */
	for (i = nm->ndays - 1; i >= 0; i--)
		if (nm->day[i] == day)
			return i;
	if (nm->ndays == nm->cap) {
		int cap = nm->cap ? nm->cap * 2 : 16;
		int64_t *d = realloc(nm->day, (size_t)cap * sizeof *d);
		uint64_t *r;
		struct mpx_wel *a;

		if (!d)
			return -1;
		nm->day = d;
		r = realloc(nm->rows, (size_t)cap * sizeof *r);
		if (!r)
			return -1;
		nm->rows = r;
		a = realloc(nm->acc, (size_t)cap * (size_t)nm->ncols * sizeof *a);
		if (!a)
			return -1;
		nm->acc = a;
		nm->cap = cap;
	}
	/* Keep days ascending (an out-of-order day is rare: clock steps). */
	for (i = nm->ndays; i > 0 && nm->day[i - 1] > day; i--) {
		nm->day[i] = nm->day[i - 1];
		nm->rows[i] = nm->rows[i - 1];
		memcpy(&nm->acc[(size_t)i * (size_t)nm->ncols], &nm->acc[(size_t)(i - 1) * (size_t)nm->ncols],
		    (size_t)nm->ncols * sizeof *nm->acc);
	}
	nm->day[i] = day;
	nm->rows[i] = 0;
	memset(&nm->acc[(size_t)i * (size_t)nm->ncols], 0, (size_t)nm->ncols * sizeof *nm->acc);
	nm->ndays++;
	return i;
}

int
mpx_norm_add(struct mpx_norm *nm, int64_t day, const double *row)
{
	int s = day_slot(nm, day), j;
	struct mpx_wel *a;

	if (s < 0)
		return -1;
	nm->rows[s]++;
	a = &nm->acc[(size_t)s * (size_t)nm->ncols];
	for (j = 0; j < nm->ncols; j++)
		mpx_wel_add(&a[j], row[j]);
	return 0;
}

uint64_t
mpx_norm_stats(const struct mpx_norm *nm, int64_t day, int ndays, double *mean, double *std)
{
	uint64_t rows = 0;
	int i, j;

	for (j = 0; j < nm->ncols; j++) {
		struct mpx_wel t = { 0, 0, 0 };
		for (i = 0; i < nm->ndays; i++) {
			const struct mpx_wel *a;
			double n, d;
			if (nm->day[i] < day - ndays || nm->day[i] >= day)
				continue;
			a = &nm->acc[(size_t)i * (size_t)nm->ncols + (size_t)j];
			if (a->n == 0)
				continue;
			/* Chan et al.: merge two partial (n, mean, M2). */
			n = t.n + a->n;
			d = a->mean - t.mean;
			t.m2 += a->m2 + d * d * t.n * a->n / n;
			t.mean += d * a->n / n;
			t.n = n;
		}
		mean[j] = t.n > 0 ? t.mean : 0;
		std[j] = t.n > 0 ? sqrt(t.m2 / t.n) : 1;
		if (!(std[j] > 1e-12))
			std[j] = 1;
	}
	for (i = 0; i < nm->ndays; i++)
		if (nm->day[i] >= day - ndays && nm->day[i] < day)
			rows += nm->rows[i];
	return rows;
}
