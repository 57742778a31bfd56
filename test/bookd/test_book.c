/*
 * test_book.c - the book engine against a deliberately naive reference model
 * (an unsorted array searched linearly, with the same depth-limit policy
 * written the obvious way), on random update streams: several seeds, both
 * sides, removals of absent levels, inserts into a full side.
 */
#include <stdlib.h>

#include "../t.h"
#include "../../bookd/book.h"

/* ---- reference model ---- */
struct ref {
	struct rec_level lv[2][6000];
	uint32_t n[2];
	uint32_t max;
};

static int
ref_better(int side, int64_t a, int64_t b)
{
	return side == BOOK_BID ? a > b : a < b;
}

static int
ref_apply(struct ref *r, int side, int64_t px, int64_t qty)
{
	struct rec_level *lv = r->lv[side];
	uint32_t n = r->n[side], worst = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (lv[i].px != px)
			continue;
		if (qty) {
			lv[i].qty = qty;
			return BOOK_UPDATED;
		}
		lv[i] = lv[n - 1];
		r->n[side]--;
		return BOOK_REMOVED;
	}
	if (!qty)
		return BOOK_ABSENT;
	if (n < r->max) {
		lv[n].px = px;
		lv[n].qty = qty;
		r->n[side]++;
		return BOOK_INSERTED;
	}
	for (uint32_t i = 1; i < n; i++)
		if (ref_better(side, lv[worst].px, lv[i].px))
			worst = i;
	if (!ref_better(side, px, lv[worst].px))
		return BOOK_DROPPED;
	lv[worst].px = px;
	lv[worst].qty = qty;
	return BOOK_EVICTED;
}

static int
ref_cmp_desc(const void *a, const void *b)
{
	int64_t x = ((const struct rec_level *)a)->px, y = ((const struct rec_level *)b)->px;
	return (x < y) - (x > y);
}

static int
ref_cmp_asc(const void *a, const void *b)
{
	return -ref_cmp_desc(a, b);
}

/* 0 when the book holds exactly the reference's levels in best-first order. */
static int
ref_same(struct ref *r, const struct book *b)
{
	static struct rec_level tmp[6000];

	for (int s = 0; s < 2; s++) {
		uint32_t n = r->n[s];
		memcpy(tmp, r->lv[s], n * sizeof tmp[0]);
		qsort(tmp, n, sizeof tmp[0], s == BOOK_BID ? ref_cmp_desc : ref_cmp_asc);
		if (book_count(b, s) != n)
			return 1;
		for (uint32_t i = 0; i < n; i++) {
			const struct rec_level *l = book_level(b, s, i);
			if (l->px != tmp[i].px || l->qty != tmp[i].qty)
				return 1;
		}
	}
	return 0;
}

static uint64_t g_rng;

static uint64_t
rnd(void)
{
	g_rng ^= g_rng << 13;
	g_rng ^= g_rng >> 7;
	g_rng ^= g_rng << 17;
	return g_rng;
}

/* A stream with most changes near the touch, some deep, removals (a third of
 * them of absent levels) and a drifting mid so sides cross the old touch. */
static void
run_random(uint64_t seed, uint32_t max_levels, int steps, int range)
{
	static struct ref r;
	struct book *b = book_new(max_levels);
	int64_t mid = 1000000;
	int bad = 0;

	g_rng = seed * 2654435761u + 1;
	memset(&r, 0, sizeof r);
	r.max = max_levels;
	T_CHECK(b != NULL);
	if (!b)
		return;
	for (int i = 0; i < steps && !bad; i++) {
		int side = (int)(rnd() & 1);
		uint64_t u = rnd();
		int64_t dist = (u % 8 < 6) ? (int64_t)(rnd() % 20) : (int64_t)(rnd() % (uint64_t)range);
		int64_t px = side == BOOK_BID ? mid - 1 - dist : mid + 1 + dist;
		int64_t qty = (rnd() % 4 == 0) ? 0 : (int64_t)(rnd() % 100000) + 1;
		int got, want;

		if (px <= 0)
			px = 1;
		if (i % 500 == 499)
			mid += (int64_t)(rnd() % 21) - 10;
		want = ref_apply(&r, side, px, qty);
		got = book_apply(b, side, px, qty);
		if (got != want) {
			fprintf(stderr, "  seed %llu step %d: apply %s px %lld qty %lld: got %d want %d\n",
			    (unsigned long long)seed, i, book_side_name(side), (long long)px, (long long)qty, got, want);
			bad = 1;
		}
		if ((i % 97 == 0 || i == steps - 1) && ref_same(&r, b)) {
			fprintf(stderr, "  seed %llu step %d: book differs from the model\n", (unsigned long long)seed, i);
			bad = 1;
		}
	}
	T_CHECK(!bad);
	T_CHECK(ref_same(&r, b) == 0);
	book_free(b);
}

static void
t_property_small_book(void)
{
	/* max 40 levels: the depth limit is hit all the time */
	for (uint64_t seed = 1; seed <= 6; seed++)
		run_random(seed, 40, 20000, 120);
}

static void
t_property_5000_levels(void)
{
	for (uint64_t seed = 11; seed <= 13; seed++)
		run_random(seed, 5000, 30000, 9000);
}

static void
t_apply_results(void)
{
	struct book *b = book_new(3);
	int64_t px, qty;

	T_EQ_I(book_apply(b, BOOK_BID, 100, 5), BOOK_INSERTED);
	T_EQ_I(book_apply(b, BOOK_BID, 101, 6), BOOK_INSERTED);
	T_EQ_I(book_apply(b, BOOK_BID, 100, 7), BOOK_UPDATED);
	T_EQ_I(book_apply(b, BOOK_BID, 99, 0), BOOK_ABSENT);
	T_EQ_I(book_apply(b, BOOK_BID, 98, 1), BOOK_INSERTED);
	T_EQ_I(book_apply(b, BOOK_BID, 97, 1), BOOK_DROPPED);   /* full, worse than all */
	T_EQ_I(book_apply(b, BOOK_BID, 102, 1), BOOK_EVICTED);  /* full, 98 goes */
	T_EQ_I(book_count(b, BOOK_BID), 3);
	T_EQ_U(b->truncated[BOOK_BID], 2);
	T_CHECK(book_best(b, BOOK_BID, &px, &qty) == 1 && px == 102 && qty == 1);
	T_CHECK(book_find(b, BOOK_BID, 98, &qty) == 0);
	T_CHECK(book_find(b, BOOK_BID, 100, &qty) == 1 && qty == 7);
	T_EQ_I(book_apply(b, BOOK_BID, 0, 1), BOOK_EINVAL);
	T_EQ_I(book_apply(b, BOOK_BID, 5, -1), BOOK_EINVAL);
	T_EQ_I(book_apply(b, 7, 5, 1), BOOK_EINVAL);
	T_EQ_I(book_apply(b, BOOK_ASK, 110, 1), BOOK_INSERTED);
	T_EQ_I(book_apply(b, BOOK_ASK, 105, 1), BOOK_INSERTED);
	T_CHECK(book_best(b, BOOK_ASK, &px, &qty) == 1 && px == 105);
	T_EQ_I(book_crossed(b), 0);
	T_EQ_I(book_apply(b, BOOK_ASK, 101, 1), BOOK_INSERTED);
	T_EQ_I(book_crossed(b), 1);
	T_EQ_I(book_apply(b, BOOK_ASK, 101, 0), BOOK_REMOVED);
	T_EQ_I(book_apply(b, BOOK_ASK, 105, 0), BOOK_REMOVED);
	T_EQ_I(book_apply(b, BOOK_ASK, 110, 0), BOOK_REMOVED);
	T_CHECK(book_best(b, BOOK_ASK, &px, &qty) == 0 && px == 0 && qty == 0);
	book_clear(b);
	T_EQ_I(book_count(b, BOOK_BID), 0);
	book_free(b);
}

static void
t_set_side(void)
{
	struct book *b = book_new(4), *c = book_new(4);
	struct rec_level best_first[] = {{105, 1}, {104, 2}, {103, 0}, {102, 3}, {101, 4}, {100, 5}};
	struct rec_level asks_shuffled[] = {{110, 1}, {108, 2}, {109, 3}};
	struct rec_level dup[] = {{110, 1}, {108, 2}, {110, 3}};
	struct rec_level out[8];
	uint32_t skipped, n;
	char why[200];

	T_EQ_I(book_set_side(b, BOOK_BID, best_first, 6, &skipped), 0);
	T_EQ_I(skipped, 1);
	T_EQ_I(book_count(b, BOOK_BID), 4);            /* best 4 of 5 kept */
	T_EQ_U(b->truncated[BOOK_BID], 1);
	T_EQ_I(book_level(b, BOOK_BID, 0)->px, 105);
	T_EQ_I(book_level(b, BOOK_BID, 3)->px, 101);
	T_CHECK(book_level(b, BOOK_BID, 4) == NULL);
	T_EQ_I(book_set_side(b, BOOK_ASK, asks_shuffled, 3, NULL), 0);
	n = book_copy_top(b, BOOK_ASK, 8, out);
	T_EQ_I(n, 3);
	T_CHECK(out[0].px == 108 && out[1].px == 109 && out[2].px == 110 && out[1].qty == 3);
	T_EQ_I(book_copy_top(b, BOOK_BID, 2, out), 2);
	T_CHECK(out[0].px == 105 && out[1].px == 104);

	/* compare: equal, then one quantity differs */
	T_EQ_I(book_set_side(c, BOOK_BID, best_first, 6, NULL), 0);
	T_EQ_I(book_set_side(c, BOOK_ASK, asks_shuffled, 3, NULL), 0);
	T_EQ_I(book_cmp(b, c, 0, why, sizeof why), 0);
	book_apply(c, BOOK_ASK, 110, 9);
	T_EQ_I(book_cmp(b, c, 2, why, sizeof why), 0);   /* only the top 2 compared */
	T_EQ_I(book_cmp(b, c, 0, why, sizeof why), 1);
	T_CHECK(strstr(why, "ask level 2") != NULL);

	/* invalid snapshots leave the side empty */
	T_EQ_I(book_set_side(b, BOOK_ASK, dup, 3, NULL), BOOK_EINVAL);
	T_EQ_I(book_count(b, BOOK_ASK), 0);
	T_CHECK(book_mem(b) >= 2 * 4 * sizeof(struct rec_level));
	book_free(b);
	book_free(c);
}

int
main(void)
{
	T_RUN(t_apply_results);
	T_RUN(t_set_side);
	T_RUN(t_property_small_book);
	T_RUN(t_property_5000_levels);
	return t_done();
}
