/*
 * book_ref_sorted.c - the pre-B+tree engine (bookd/book.c as of commit
 * 0617626), renamed; see book_ref_sorted.h.  Only the names changed.
 */
#include "book_ref_sorted.h"

#include <stdlib.h>
#include <string.h>

#include "../../bookd/book.h"   /* enum book_side, enum book_result */

static inline int64_t
key(int64_t px, int side)
{
	return side == BOOK_BID ? px : -px;
}

/*
 * First index i in [0, n] with key(lv[i]) >= k.  Gallops from the best end
 * (1, 2, 4, ... levels in), then bisects the bracket found, so a price d
 * levels from the touch costs about 2 log2(d) comparisons.
 */
static inline uint32_t
search(const struct rec_level *lv, uint32_t n, int64_t k, int side)
{
	uint32_t lo = 0, hi = n, step = 1;

	while (step <= hi) {
		uint32_t p = hi - step;
		if (key(lv[p].px, side) >= k) {
			hi = p;
			step <<= 1;
		} else {
			lo = p + 1;
			break;
		}
	}
	while (lo < hi) {
		uint32_t m = lo + (hi - lo) / 2;
		if (key(lv[m].px, side) < k)
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

struct ref_book *
ref_book_new(uint32_t max_levels)
{
	struct ref_book *b;

	if (max_levels == 0)
		return NULL;
	b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	b->max_levels = max_levels;
	for (int s = 0; s < 2; s++) {
		b->s[s].lv = malloc((size_t)max_levels * sizeof(struct rec_level));
		if (!b->s[s].lv) {
			ref_book_free(b);
			return NULL;
		}
	}
	return b;
}

void
ref_book_free(struct ref_book *b)
{
	if (!b)
		return;
	free(b->s[0].lv);
	free(b->s[1].lv);
	free(b);
}

static int g_sort_side;

static int
cmp_key(const void *pa, const void *pb)
{
	int64_t a = key(((const struct rec_level *)pa)->px, g_sort_side);
	int64_t b = key(((const struct rec_level *)pb)->px, g_sort_side);

	return (a > b) - (a < b);
}

/* Sort lv[0..n) ascending by key; 0, or -1 if a price repeats. */
static int
sort_levels(struct rec_level *lv, uint32_t n, int side)
{
	int asc = 1, desc = 1;

	for (uint32_t i = 1; i < n && (asc || desc); i++) {
		int64_t a = key(lv[i - 1].px, side), c = key(lv[i].px, side);
		if (a >= c)
			asc = 0;
		if (a <= c)
			desc = 0;
	}
	if (asc)
		return 0;
	if (desc) {
		/* the usual case: a snapshot lists the best level first */
		for (uint32_t i = 0, j = n - 1; i < j; i++, j--) {
			struct rec_level t = lv[i];
			lv[i] = lv[j];
			lv[j] = t;
		}
		return 0;
	}
	g_sort_side = side;
	qsort(lv, n, sizeof *lv, cmp_key);
	for (uint32_t i = 1; i < n; i++)
		if (lv[i - 1].px == lv[i].px)
			return -1;
	return 0;
}

int
ref_book_set_side(struct ref_book *b, int side, const struct rec_level *lv, uint32_t n, uint32_t *skipped)
{
	struct ref_side *a;
	struct rec_level *dst, *tmp = NULL;
	uint32_t m = 0, skip = 0;

	if (side != BOOK_BID && side != BOOK_ASK)
		return BOOK_EINVAL;
	a = &b->s[side];
	a->n = 0;
	if (skipped)
		*skipped = 0;
	for (uint32_t i = 0; i < n; i++)
		if (lv[i].px <= 0 || lv[i].qty < 0)
			return BOOK_EINVAL;
	/* more levels than room: sort a temporary copy and keep the best */
	dst = a->lv;
	if (n > b->max_levels) {
		tmp = malloc((size_t)n * sizeof *tmp);
		if (!tmp)
			return BOOK_EINVAL;
		dst = tmp;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (lv[i].qty == 0) {
			skip++;
			continue;
		}
		dst[m++] = lv[i];
	}
	if (sort_levels(dst, m, side) < 0) {
		free(tmp);
		return BOOK_EINVAL;
	}
	if (tmp) {
		uint32_t keep = m < b->max_levels ? m : b->max_levels;
		memcpy(a->lv, tmp + (m - keep), (size_t)keep * sizeof *tmp);
		b->truncated[side] += m - keep;
		m = keep;
		free(tmp);
	}
	a->n = m;
	if (skipped)
		*skipped = skip;
	return 0;
}

int
ref_book_apply(struct ref_book *b, int side, int64_t px, int64_t qty)
{
	struct ref_side *a;
	struct rec_level *lv;
	uint32_t i, n;

	if ((side != BOOK_BID && side != BOOK_ASK) || px <= 0 || qty < 0)
		return BOOK_EINVAL;
	a = &b->s[side];
	lv = a->lv;
	n = a->n;
	i = search(lv, n, key(px, side), side);
	if (i < n && lv[i].px == px) {
		if (qty != 0) {
			lv[i].qty = qty;
			return BOOK_UPDATED;
		}
		memmove(lv + i, lv + i + 1, (size_t)(n - i - 1) * sizeof *lv);
		a->n = n - 1;
		return BOOK_REMOVED;
	}
	if (qty == 0)
		return BOOK_ABSENT;
	if (n == b->max_levels) {
		b->truncated[side]++;
		if (i == 0)
			return BOOK_DROPPED;
		/* levels [0, i) are worse than px: shift them out at the worst end */
		memmove(lv, lv + 1, (size_t)(i - 1) * sizeof *lv);
		lv[i - 1].px = px;
		lv[i - 1].qty = qty;
		return BOOK_EVICTED;
	}
	memmove(lv + i + 1, lv + i, (size_t)(n - i) * sizeof *lv);
	lv[i].px = px;
	lv[i].qty = qty;
	a->n = n + 1;
	return BOOK_INSERTED;
}

