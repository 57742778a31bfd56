/* book.c - see book.h. */
#include "book.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Both sides are kept ascending in a "key" so one search serves both: the key
 * is px for bids and -px for asks (prices are > 0, so negation is exact), and
 * the best level has the largest key, at the end.
 */
static inline int64_t
key(int64_t px, int side)
{
	return side == BOOK_BID ? px : -px;
}

/* A leaf under this many levels is merged with or refilled from a neighbour. */
#define LEAF_MIN (BOOK_LEAF * 3 / 8)
/* A snapshot fills leaves to this, so the first inserts do not split them all. */
#define LEAF_FILL (BOOK_LEAF * 3 / 4)

/*
 * Searches are branch-free bisections (the comparison feeds a conditional
 * move, not a jump): on real books the next change's depth is random, so a
 * branchy search mispredicts about every other step, which costs more than
 * the comparisons themselves.
 */

/* First index p in [0, n] with lo[p] > k (n >= 1). */
static inline uint32_t
upper_bound(const int64_t *lo, uint32_t n, int64_t k)
{
	uint32_t a = 0;

	/* the answer is in [a, a + n] */
	while (n > 1) {
		uint32_t half = n / 2;
		a = lo[a + half - 1] <= k ? a + half : a;
		n -= half;
	}
	return a + (lo[a] <= k);
}

/* First index i in [0, n] of a leaf's keys with key[i] >= k. */
static inline uint32_t
leaf_search(const int64_t *kv, uint32_t n, int64_t k)
{
	uint32_t a = 0;

	if (n == 0)
		return 0;
	while (n > 1) {
		uint32_t half = n / 2;
		a = kv[a + half - 1] < k ? a + half : a;
		n -= half;
	}
	return a + (kv[a] < k);
}

/* The directory entry whose leaf holds (or would hold) key k: the best leaf
 * first (most changes are at the touch), then the leaf of the side's last
 * change (a frame's levels come in price order, often a few per leaf: on
 * the real spot recording this took the mean from 41 to 38 ns), else a
 * bisection of the rest. */
static inline uint32_t
find_leaf(const struct book_tree *s, int64_t k)
{
	uint32_t last = s->nleaf - 1, p, h = s->hint;

	if (k >= s->lo[last])
		return last;
	if (h < last && s->lo[h] <= k && k < s->lo[h + 1])
		return h;
	p = last ? upper_bound(s->lo, last, k) : 0;
	return p ? p - 1 : 0;
}

/* ---- leaves and the directory ---- */

static uint32_t
pool_take(struct book_tree *s)
{
	return s->free_leaf[--s->nfree];
}

static void
pool_give(struct book_tree *s, struct book_leaf *l)
{
	s->free_leaf[s->nfree++] = (uint32_t)(l - s->pool);
}

/* Open directory slot j (entries j.. move up one). */
static void
dir_open(struct book_tree *s, uint32_t j)
{
	uint32_t m = s->nleaf - j;

	memmove(s->lo + j + 1, s->lo + j, m * sizeof *s->lo);
	memmove(s->cnt + j + 1, s->cnt + j, m * sizeof *s->cnt);
	memmove(s->leaf + j + 1, s->leaf + j, m * sizeof *s->leaf);
	s->nleaf++;
}

/* Close directory slot j (its leaf must have been given back). */
static void
dir_close(struct book_tree *s, uint32_t j)
{
	uint32_t m = s->nleaf - j - 1;

	memmove(s->lo + j, s->lo + j + 1, m * sizeof *s->lo);
	memmove(s->cnt + j, s->cnt + j + 1, m * sizeof *s->cnt);
	memmove(s->leaf + j, s->leaf + j + 1, m * sizeof *s->leaf);
	s->nleaf--;
}

/* Move levels [from, from + m) of leaf x to position to of leaf y. */
static inline void
lv_move(struct book_leaf *y, uint32_t to, const struct book_leaf *x, uint32_t from, uint32_t m)
{
	memmove(y->key + to, x->key + from, m * sizeof *y->key);
	memmove(y->lv + to, x->lv + from, m * sizeof *y->lv);
	memmove(y->id + to, x->id + from, m * sizeof *y->id);
}

/* Split the full leaf j in two halves; the upper half becomes entry j + 1. */
static void
leaf_split(struct book_tree *s, uint32_t j)
{
	struct book_leaf *x = s->leaf[j], *y = &s->pool[pool_take(s)];
	uint32_t half = s->cnt[j] / 2, rest = s->cnt[j] - half;

	lv_move(y, 0, x, half, rest);
	dir_open(s, j + 1);
	s->leaf[j + 1] = y;
	s->cnt[j + 1] = rest;
	s->lo[j + 1] = y->key[0];
	s->cnt[j] = half;
}

/*
 * Leaf j fell under LEAF_MIN: merge it with a neighbour when both fit in
 * LEAF_FILL (so the next inserts do not split it again),
 * otherwise even the two out.  Either way every leaf but a lone one keeps at
 * least LEAF_MIN levels, which bounds the pool.
 */
static void
leaf_underflow(struct book_tree *s, uint32_t j)
{
	uint32_t a, c, na, nc, tot;
	struct book_leaf *x, *y;

	if (s->nleaf == 1)
		return;
	if (s->cnt[j] == 0) {
		pool_give(s, s->leaf[j]);
		dir_close(s, j);
		return;
	}
	/* a, c: the left and right leaves of the pair */
	a = j > 0 ? j - 1 : j;
	c = a + 1;
	x = s->leaf[a];
	y = s->leaf[c];
	na = s->cnt[a];
	nc = s->cnt[c];
	tot = na + nc;
	if (tot <= LEAF_FILL) {
		lv_move(x, na, y, 0, nc);
		s->cnt[a] = tot;
		pool_give(s, y);
		dir_close(s, c);
		return;
	}
	if (na < nc) {
		/* move the first (nc - na) / 2 levels of y to the end of x */
		uint32_t m = (nc - na) / 2;
		lv_move(x, na, y, 0, m);
		lv_move(y, 0, y, m, nc - m);
		s->cnt[a] = na + m;
		s->cnt[c] = nc - m;
	} else {
		/* move the last (na - nc) / 2 levels of x to the front of y */
		uint32_t m = (na - nc) / 2;
		lv_move(y, m, y, 0, nc);
		lv_move(y, 0, x, na - m, m);
		s->cnt[a] = na - m;
		s->cnt[c] = nc + m;
	}
	s->lo[c] = y->key[0];
}

/* Remove level i of directory entry j. */
static void
remove_at(struct book_tree *s, uint32_t j, uint32_t i)
{
	struct book_leaf *l = s->leaf[j];
	uint32_t c = s->cnt[j] - 1;

	lv_move(l, i, l, i + 1, c - i);
	s->cnt[j] = c;
	s->n--;
	s->gen++;
	if (i == 0 && c > 0)
		s->lo[j] = l->key[0];
	if (c < LEAF_MIN)
		leaf_underflow(s, j);
}

/* Insert (px, qty, id) at level i of directory entry j (splitting a full leaf). */
static void
insert_at(struct book_tree *s, uint32_t j, uint32_t i, int side, int64_t px, int64_t qty, int64_t id)
{
	struct book_leaf *l;
	uint32_t c;

	if (s->cnt[j] == BOOK_LEAF) {
		leaf_split(s, j);
		if (i > s->cnt[j]) {
			i -= s->cnt[j];
			j++;
		}
	}
	l = s->leaf[j];
	c = s->cnt[j];
	lv_move(l, i + 1, l, i, c - i);
	l->key[i] = key(px, side);
	l->lv[i].px = px;
	l->lv[i].qty = qty;
	l->id[i] = id;
	s->cnt[j] = c + 1;
	s->n++;
	s->gen++;
	if (i == 0)
		s->lo[j] = key(px, side);
}

/* ---- life cycle ---- */

static void
side_reset(struct book_tree *s)
{
	s->n = 0;
	s->gen++;
	s->nfree = 0;
	/* hand out low pool indexes first: pages of leaves never used stay untouched */
	for (uint32_t i = s->cap_leaves; i-- > 1;)
		s->free_leaf[s->nfree++] = i;
	s->nleaf = 1;
	s->leaf[0] = &s->pool[0];
	s->cnt[0] = 0;
	s->lo[0] = INT64_MIN;
}

static int
side_alloc(struct book_tree *s, uint32_t max_levels)
{
	/* leaves of >= LEAF_MIN levels, one lone leaf, and one transient
	 * during a split of the leaf an eviction is about to shrink */
	uint32_t cap = max_levels / LEAF_MIN + 3;

	s->cap_leaves = cap;
	s->lo = malloc((size_t)cap * sizeof *s->lo);
	s->cnt = malloc((size_t)cap * sizeof *s->cnt);
	s->leaf = malloc((size_t)cap * sizeof *s->leaf);
	s->free_leaf = malloc((size_t)cap * sizeof *s->free_leaf);
	s->cur = calloc(1, sizeof *s->cur);
	s->pool = malloc((size_t)cap * sizeof *s->pool);
	if (!s->lo || !s->cnt || !s->leaf || !s->free_leaf || !s->cur || !s->pool)
		return -1;
	side_reset(s);
	return 0;
}

static void
side_release(struct book_tree *s)
{
	free(s->lo);
	free(s->cnt);
	free(s->leaf);
	free(s->free_leaf);
	free(s->cur);
	free(s->pool);
}

struct book *
book_new(uint32_t max_levels)
{
	struct book *b;

	if (max_levels == 0)
		return NULL;
	b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	b->max_levels = max_levels;
	if (side_alloc(&b->s[0], max_levels) < 0 || side_alloc(&b->s[1], max_levels) < 0) {
		book_free(b);
		return NULL;
	}
	return b;
}

void
book_free(struct book *b)
{
	if (!b)
		return;
	side_release(&b->s[0]);
	side_release(&b->s[1]);
	free(b);
}

void
book_clear(struct book *b)
{
	side_reset(&b->s[0]);
	side_reset(&b->s[1]);
}

/* ---- snapshots ---- */

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

/*
 * Fill an empty side with the m non-zero levels of lv[0..n), which are in
 * ascending key order (worst first) or, with rev, descending (best first, as
 * snapshots list them): LEAF_FILL per leaf, the last leaves evened out so
 * none is under LEAF_MIN.
 */
static void
side_fill(struct book_tree *s, const struct rec_level *lv, uint32_t n, int rev, uint32_t m, int side,
    int64_t id)
{
	uint32_t nl = (m + LEAF_FILL - 1) / LEAF_FILL, o = 0;

	if (nl == 0)
		return;
	for (uint32_t j = 0; j < nl; j++) {
		/* spread m over nl leaves as evenly as possible */
		uint32_t c = m / nl + (j < m % nl);
		struct book_leaf *l = j == 0 ? s->leaf[0] : &s->pool[pool_take(s)];

		for (uint32_t i = 0; i < c; i++) {
			const struct rec_level *v;
			do
				v = &lv[rev ? n - 1 - o++ : o++];
			while (v->qty == 0);
			l->key[i] = key(v->px, side);
			l->lv[i] = *v;
			l->id[i] = id;
		}
		s->leaf[j] = l;
		s->cnt[j] = c;
		s->lo[j] = l->key[0];
	}
	s->nleaf = nl;
	s->n = m;
	s->gen++;
}

/* 1 when the non-zero levels of lv[0..n) strictly ascend in key (asc) or
 * strictly descend (*rev = 1); 0 otherwise (unordered, or a price twice). */
static int
monotone(const struct rec_level *lv, uint32_t n, int side, int *rev)
{
	int asc = 1, desc = 1, have = 0;
	int64_t prev = 0;

	for (uint32_t i = 0; i < n && (asc || desc); i++) {
		int64_t k;
		if (lv[i].qty == 0)
			continue;
		k = key(lv[i].px, side);
		if (have && prev >= k)
			asc = 0;
		if (have && prev <= k)
			desc = 0;
		prev = k;
		have = 1;
	}
	*rev = !asc;
	return asc || desc;
}

int
book_set_side_id(struct book *b, int side, const struct rec_level *lv, uint32_t n, uint32_t *skipped,
    int64_t id)
{
	struct rec_level *tmp;
	uint32_t m = 0, skip = 0, keep;
	int rev;

	if (side != BOOK_BID && side != BOOK_ASK)
		return BOOK_EINVAL;
	side_reset(&b->s[side]);
	if (skipped)
		*skipped = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (lv[i].px <= 0 || lv[i].qty < 0)
			return BOOK_EINVAL;
		skip += lv[i].qty == 0;
	}
	m = n - skip;
	if (skipped)
		*skipped = skip;
	/* the usual snapshot, in order and within max_levels: straight in */
	if (m <= b->max_levels && monotone(lv, n, side, &rev)) {
		side_fill(&b->s[side], lv, n, rev, m, side, id);
		return 0;
	}
	/* otherwise sort a temporary copy and keep the best max_levels */
	tmp = malloc((size_t)(m ? m : 1) * sizeof *tmp);
	if (!tmp) {
		if (skipped)
			*skipped = 0;
		return BOOK_EINVAL;
	}
	m = 0;
	for (uint32_t i = 0; i < n; i++)
		if (lv[i].qty != 0)
			tmp[m++] = lv[i];
	if (sort_levels(tmp, m, side) < 0) {
		free(tmp);
		if (skipped)
			*skipped = 0;
		return BOOK_EINVAL;
	}
	keep = m < b->max_levels ? m : b->max_levels;
	b->truncated[side] += m - keep;
	side_fill(&b->s[side], tmp + (m - keep), keep, 0, keep, side, id);
	free(tmp);
	return 0;
}

int
book_set_side(struct book *b, int side, const struct rec_level *lv, uint32_t n, uint32_t *skipped)
{
	return book_set_side_id(b, side, lv, n, skipped, 0);
}

/* ---- updates ---- */

int
book_apply_id(struct book *b, int side, int64_t px, int64_t qty, int64_t id)
{
	struct book_tree *s;
	struct book_leaf *l;
	uint32_t j, i, c;
	int64_t k;

	if ((side != BOOK_BID && side != BOOK_ASK) || px <= 0 || qty < 0)
		return BOOK_EINVAL;
	s = &b->s[side];
	k = key(px, side);
	j = find_leaf(s, k);
	s->hint = j;
	l = s->leaf[j];
	c = s->cnt[j];
	i = leaf_search(l->key, c, k);
	if (i < c && l->key[i] == k) {
		if (qty != 0) {
			l->lv[i].qty = qty;
			l->id[i] = id;
			return BOOK_UPDATED;
		}
		remove_at(s, j, i);
		return BOOK_REMOVED;
	}
	if (qty == 0)
		return BOOK_ABSENT;
	if (s->n == b->max_levels) {
		b->truncated[side]++;
		/* worse than every level (it would go first in leaf 0): not kept */
		if (j == 0 && i == 0)
			return BOOK_DROPPED;
		/* drop the worst level; the leaves may merge, so look again */
		remove_at(s, 0, 0);
		j = find_leaf(s, k);
		i = leaf_search(s->leaf[j]->key, s->cnt[j], k);
		insert_at(s, j, i, side, px, qty, id);
		return BOOK_EVICTED;
	}
	insert_at(s, j, i, side, px, qty, id);
	return BOOK_INSERTED;
}

int
book_apply(struct book *b, int side, int64_t px, int64_t qty)
{
	return book_apply_id(b, side, px, qty, 0);
}

/* ---- reading ---- */

const struct rec_level *
book_level_slow(const struct book *b, int side, uint32_t i)
{
	const struct book_tree *s = &b->s[side];
	struct book_cursor *cu = s->cur;
	uint32_t j, r;

	if (i >= s->n)
		return NULL;
	/* the worst leaf (book_level(b, side, n - 1) is a common question) */
	if (i >= s->n - s->cnt[0])
		return &s->leaf[0]->lv[s->n - 1 - i];
	/* from the cursor when it is still valid and not past i, else from the best */
	if (cu->gen == s->gen && cu->rank <= i && cu->leaf < s->nleaf) {
		j = cu->leaf;
		r = cu->rank;
	} else {
		j = s->nleaf - 1;
		r = 0;
	}
	while (i >= r + s->cnt[j]) {
		r += s->cnt[j];
		j--;
	}
	cu->gen = s->gen;
	cu->leaf = j;
	cu->rank = r;
	return &s->leaf[j]->lv[s->cnt[j] - 1 - (i - r)];
}

int
book_best(const struct book *b, int side, int64_t *px, int64_t *qty)
{
	const struct rec_level *l = book_level(b, side, 0);

	*px = l ? l->px : 0;
	*qty = l ? l->qty : 0;
	return l != NULL;
}

int
book_find_id(const struct book *b, int side, int64_t px, int64_t *qty, int64_t *id)
{
	const struct book_tree *s;
	const struct book_leaf *l;
	uint32_t j, i;
	int64_t k;

	if (side != BOOK_BID && side != BOOK_ASK)
		return 0;
	s = &b->s[side];
	k = key(px, side);
	j = find_leaf(s, k);
	l = s->leaf[j];
	i = leaf_search(l->key, s->cnt[j], k);
	if (i < s->cnt[j] && l->key[i] == k) {
		*qty = l->lv[i].qty;
		if (id)
			*id = l->id[i];
		return 1;
	}
	return 0;
}

uint32_t
book_count_from(const struct book *b, int side, int64_t px)
{
	const struct book_tree *s;
	uint32_t j, i, n = 0;
	int64_t k;

	if ((side != BOOK_BID && side != BOOK_ASK) || b->s[side].n == 0)
		return 0;
	s = &b->s[side];
	k = key(px, side);
	j = find_leaf(s, k);
	i = leaf_search(s->leaf[j]->key, s->cnt[j], k);   /* levels of leaf j worse than px */
	/* sum the whole leaves on the shorter side of j: one pass over the
	 * directory's counts, no level is read */
	if (j < s->nleaf / 2) {
		for (uint32_t w = 0; w < j; w++)
			n += s->cnt[w];
		return s->n - n - i;
	}
	for (uint32_t w = j + 1; w < s->nleaf; w++)
		n += s->cnt[w];
	return n + s->cnt[j] - i;
}

int
book_find(const struct book *b, int side, int64_t px, int64_t *qty)
{
	return book_find_id(b, side, px, qty, NULL);
}

void
book_iter_begin(const struct book *b, int side, struct book_iter *it)
{
	it->s = &b->s[side];
	it->leaf = it->s->nleaf - 1;
	it->pos = it->s->cnt[it->leaf];
}

const struct rec_level *
book_iter_next(struct book_iter *it, int64_t *id)
{
	const struct book_tree *s = it->s;

	while (it->pos == 0) {
		if (it->leaf == 0)
			return NULL;
		it->leaf--;
		it->pos = s->cnt[it->leaf];
	}
	it->pos--;
	if (id)
		*id = s->leaf[it->leaf]->id[it->pos];
	return &s->leaf[it->leaf]->lv[it->pos];
}

/* The leaf holding rank `from` (0 = the best) and how many of its levels
 * are at or worse than that rank; walks from the best leaf. */
static inline uint32_t
rank_leaf(const struct book_tree *s, uint32_t from, uint32_t *pos)
{
	uint32_t j = s->nleaf - 1, r = 0;

	while (from >= r + s->cnt[j]) {
		r += s->cnt[j];
		j--;
	}
	*pos = s->cnt[j] - (from - r);
	return j;
}

uint32_t
book_copy_range(const struct book *b, int side, uint32_t from, uint32_t max, struct rec_level *out,
    int64_t *ids)
{
	const struct book_tree *s = &b->s[side];
	struct rec_level *dst = out, *stop;
	uint32_t j, pos, n;

	if (from >= s->n || max == 0)
		return 0;
	n = s->n - from < max ? s->n - from : max;
	stop = out + n;
	j = rank_leaf(s, from, &pos);
	/* levels: each leaf backwards (its best level last), leaves from the best */
	for (;;) {
		const struct rec_level *src = s->leaf[j]->lv + pos;
		size_t m = (size_t)(stop - dst) < pos ? (size_t)(stop - dst) : pos;
		const struct rec_level *end = src - m;

		while (src - end >= 2) {
			dst[0] = src[-1];
			dst[1] = src[-2];
			dst += 2;
			src -= 2;
		}
		if (src != end)
			*dst++ = *--src;
		if (dst == stop)
			break;
		pos = s->cnt[--j];
	}
	if (ids) {
		/* the ids in a second walk, so the usual copy (no ids) stays a plain one */
		int64_t *d = ids, *dstop = ids + n;
		j = rank_leaf(s, from, &pos);
		for (;;) {
			const int64_t *src = s->leaf[j]->id + pos;
			size_t m = (size_t)(dstop - d) < pos ? (size_t)(dstop - d) : pos;
			for (size_t t = 0; t < m; t++)
				*d++ = *--src;
			if (d == dstop)
				break;
			pos = s->cnt[--j];
		}
	}
	return n;
}

uint32_t
book_copy_top(const struct book *b, int side, uint32_t max, struct rec_level *out)
{
	return book_copy_range(b, side, 0, max, out, NULL);
}

int
book_crossed(const struct book *b)
{
	const struct rec_level *bid = book_level(b, BOOK_BID, 0), *ask = book_level(b, BOOK_ASK, 0);

	return bid && ask && bid->px >= ask->px;
}

int
book_cmp(const struct book *a, const struct book *b, uint32_t depth, char *why, size_t cap)
{
	for (int s = 0; s < 2; s++) {
		uint32_t na = book_count(a, s), nb = book_count(b, s);
		uint32_t lim = depth ? depth : (na > nb ? na : nb);
		struct book_iter ia, ib;

		book_iter_begin(a, s, &ia);
		book_iter_begin(b, s, &ib);
		for (uint32_t i = 0; i < lim; i++) {
			const struct rec_level *x = book_iter_next(&ia, NULL), *y = book_iter_next(&ib, NULL);
			if (!x && !y)
				break;
			if (x && y && x->px == y->px && x->qty == y->qty)
				continue;
			if (why && cap)
				snprintf(why, cap, "%s level %u: %s%lld qty %lld vs %s%lld qty %lld",
				    book_side_name(s), i, x ? "px " : "(none)", x ? (long long)x->px : 0LL,
				    x ? (long long)x->qty : 0LL, y ? "px " : "(none)",
				    y ? (long long)y->px : 0LL, y ? (long long)y->qty : 0LL);
			return 1;
		}
	}
	return 0;
}

int
book_check(const struct book *b, char *why, size_t cap)
{
	for (int side = 0; side < 2; side++) {
		const struct book_tree *s = &b->s[side];
		uint32_t total = 0;
		int64_t prev = INT64_MIN;
		int first = 1;

#define FAIL(...) do { if (why && cap) snprintf(why, cap, __VA_ARGS__); return 1; } while (0)
		if (s->nleaf == 0 || s->nleaf > s->cap_leaves)
			FAIL("%s: %u leaves (pool %u)", book_side_name(side), s->nleaf, s->cap_leaves);
		if (s->nleaf + s->nfree != s->cap_leaves)
			FAIL("%s: %u leaves + %u free != pool %u", book_side_name(side), s->nleaf, s->nfree,
			    s->cap_leaves);
		for (uint32_t j = 0; j < s->nleaf; j++) {
			const struct book_leaf *l = s->leaf[j];
			uint32_t c = s->cnt[j];
			if (c > BOOK_LEAF || (s->nleaf > 1 && c < LEAF_MIN))
				FAIL("%s leaf %u: %u levels (min %d, max %d)", book_side_name(side), j, c, LEAF_MIN,
				    BOOK_LEAF);
			if (c && s->lo[j] != l->key[0])
				FAIL("%s leaf %u: bound %lld, first key %lld", book_side_name(side), j,
				    (long long)s->lo[j], (long long)l->key[0]);
			for (uint32_t i = 0; i < c; i++) {
				if (l->key[i] != key(l->lv[i].px, side) || l->lv[i].px <= 0 || l->lv[i].qty <= 0)
					FAIL("%s leaf %u level %u: key %lld px %lld qty %lld", book_side_name(side), j,
					    i, (long long)l->key[i], (long long)l->lv[i].px, (long long)l->lv[i].qty);
				if (!first && l->key[i] <= prev)
					FAIL("%s leaf %u level %u: out of order", book_side_name(side), j, i);
				prev = l->key[i];
				first = 0;
			}
			total += c;
		}
		if (total != s->n || s->n > b->max_levels)
			FAIL("%s: %u levels in leaves, count %u, max %u", book_side_name(side), total, s->n,
			    b->max_levels);
#undef FAIL
	}
	return 0;
}

size_t
book_mem(const struct book *b)
{
	size_t m = sizeof *b;

	for (int s = 0; s < 2; s++) {
		const struct book_tree *sd = &b->s[s];
		m += (size_t)sd->cap_leaves * (sizeof *sd->lo + sizeof *sd->cnt + sizeof *sd->leaf +
		    sizeof *sd->free_leaf) + sizeof *sd->cur + (size_t)sd->nleaf * sizeof(struct book_leaf);
	}
	return m;
}

const char *
book_side_name(int side)
{
	return side == BOOK_BID ? "bid" : side == BOOK_ASK ? "ask" : "?";
}
