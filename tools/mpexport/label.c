/* label.c - labels and prior-days normalization (label.h). */
#include "label.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void
mpx_labels(const double *mid, const int32_t *seg, size_t n, const int *hor, int nh, double thr,
    int8_t *lab, float *ret)
{
	size_t t, i;
	int h;

	for (t = 0; t < n; t++) {
		for (h = 0; h < nh; h++) {
			size_t k = (size_t)hor[h];
			int8_t *l = &lab[t * (size_t)nh + (size_t)h];
			float *r = &ret[t * (size_t)nh + (size_t)h];
			double sm = 0, sp = 0, m_minus, m_plus, x;

			*l = MPX_LABEL_MISSING;
			*r = NAN;
			if (k < 1 || t + 1 < k || t + k >= n || seg[t + 1 - k] != seg[t] || seg[t + k] != seg[t])
				continue;
			/* Summed in index order so an independent implementation gets the same bits. */
			for (i = t + 1 - k; i <= t; i++)
				sm += mid[i];
			for (i = t + 1; i <= t + k; i++)
				sp += mid[i];
			m_minus = sm / (double)k;
			m_plus = sp / (double)k;
			x = (m_plus - m_minus) / m_minus;
			*r = (float)x;
			*l = x > thr ? 1 : x < -thr ? -1 : 0;
		}
	}
}

void
mpx_labels_tlob(const double *mid, const int32_t *seg, size_t n, const int *hor, int nh, int k, double thr,
    int8_t *lab, float *ret)
{
	size_t t, i, kk = (size_t)k;
	int h;

	for (t = 0; t < n; t++) {
		for (h = 0; h < nh; h++) {
			size_t hz = (size_t)hor[h];
			int8_t *l = &lab[t * (size_t)nh + (size_t)h];
			float *r = &ret[t * (size_t)nh + (size_t)h];
			double sm = 0, sp = 0, wm, wp, x;

			*l = MPX_LABEL_MISSING;
			*r = NAN;
			if (k < 1 || hz < 1 || t < kk || t + hz >= n || t + hz < kk || seg[t - kk] != seg[t] ||
			    seg[t + hz] != seg[t])
				continue;
			/* index order, as in mpx_labels */
			for (i = t - kk; i <= t; i++)
				sm += mid[i];
			for (i = t + hz - kk; i <= t + hz; i++)
				sp += mid[i];
			wm = sm / (double)(kk + 1);
			wp = sp / (double)(kk + 1);
			x = (wp - wm) / wm;
			*r = (float)x;
			*l = x > thr ? 1 : x < -thr ? -1 : 0;
		}
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
