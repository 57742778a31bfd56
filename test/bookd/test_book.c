/*
 * test_book.c - the book engine against a deliberately naive reference model
 * (an unsorted array searched linearly, with the same depth-limit policy
 * written the obvious way, keeping each level's update id), on random update
 * streams: several seeds, both sides, removals of absent levels, inserts into
 * a full side, deep churn spread uniformly over 5000 levels, evictions at
 * max_levels, snapshots replacing a side mid-stream.  Every level is read
 * back through each reading path (book_level in order and at random ranks,
 * the iterator, book_copy_range in chunks, book_find_id), ids included, and
 * the engine's own invariants (book_check) are verified along the way.
 */
#include <stdlib.h>

#include "../t.h"
#include "../../bookd/book.h"

/* ---- reference model ---- */
struct ref {
	struct rec_level lv[2][6000];
	int64_t id[2][6000];
	uint32_t n[2];
	uint32_t max;
};

static int
ref_better(int side, int64_t a, int64_t b)
{
	return side == BOOK_BID ? a > b : a < b;
}

static int
ref_apply(struct ref *r, int side, int64_t px, int64_t qty, int64_t id)
{
	struct rec_level *lv = r->lv[side];
	int64_t *ids = r->id[side];
	uint32_t n = r->n[side], worst = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (lv[i].px != px)
			continue;
		if (qty) {
			lv[i].qty = qty;
			ids[i] = id;
			return BOOK_UPDATED;
		}
		lv[i] = lv[n - 1];
		ids[i] = ids[n - 1];
		r->n[side]--;
		return BOOK_REMOVED;
	}
	if (!qty)
		return BOOK_ABSENT;
	if (n < r->max) {
		lv[n].px = px;
		lv[n].qty = qty;
		ids[n] = id;
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
	ids[worst] = id;
	return BOOK_EVICTED;
}

/* A snapshot replacing one side: the best r->max of the levels, all with id. */
static void
ref_set_side(struct ref *r, int side, const struct rec_level *lv, uint32_t n, int64_t id)
{
	r->n[side] = 0;
	for (uint32_t i = 0; i < n; i++)
		if (lv[i].qty)
			ref_apply(r, side, lv[i].px, lv[i].qty, id);
}

struct lvid {
	struct rec_level l;
	int64_t id;
};

static int
ref_cmp_desc(const void *a, const void *b)
{
	int64_t x = ((const struct lvid *)a)->l.px, y = ((const struct lvid *)b)->l.px;
	return (x < y) - (x > y);
}

static int
ref_cmp_asc(const void *a, const void *b)
{
	return -ref_cmp_desc(a, b);
}

static int
lv_eq(const struct rec_level *l, const struct lvid *w)
{
	return l && l->px == w->l.px && l->qty == w->l.qty;
}

/*
 * 0 when the book holds exactly the reference's levels in best-first order,
 * with the same ids, through every reading path; else 1 with why printed.
 * `salt` varies the random ranks and chunk sizes between calls.
 */
static int
ref_same(struct ref *r, const struct book *b, uint64_t salt)
{
	static struct lvid want[6000];
	static struct rec_level out[6000];
	static int64_t ids[6000];
	char why[256];

	if (book_check(b, why, sizeof why)) {
		fprintf(stderr, "  book_check: %s\n", why);
		return 1;
	}
	for (int s = 0; s < 2; s++) {
		uint32_t n = r->n[s];
		struct book_iter it;
		const struct rec_level *l;
		int64_t id, qty;

		for (uint32_t i = 0; i < n; i++) {
			want[i].l = r->lv[s][i];
			want[i].id = r->id[s][i];
		}
		qsort(want, n, sizeof want[0], s == BOOK_BID ? ref_cmp_desc : ref_cmp_asc);
		if (book_count(b, s) != n) {
			fprintf(stderr, "  %s: %u levels, model %u\n", book_side_name(s), book_count(b, s), n);
			return 1;
		}
		/* book_level in order (the cursor's forward walk) */
		for (uint32_t i = 0; i < n; i++)
			if (!lv_eq(book_level(b, s, i), &want[i])) {
				fprintf(stderr, "  %s book_level %u differs\n", book_side_name(s), i);
				return 1;
			}
		if (book_level(b, s, n) != NULL)
			return 1;
		/* at random ranks (the cursor moving backwards, restarts) */
		for (int t = 0; t < 64 && n; t++) {
			uint32_t i = (uint32_t)((salt * 6364136223846793005ull + (uint64_t)t * 1442695040888963407ull) >> 33) % n;
			if (!lv_eq(book_level(b, s, i), &want[i])) {
				fprintf(stderr, "  %s book_level at random rank %u differs\n", book_side_name(s), i);
				return 1;
			}
		}
		/* the iterator, with ids */
		book_iter_begin(b, s, &it);
		for (uint32_t i = 0; i < n; i++) {
			l = book_iter_next(&it, &id);
			if (!lv_eq(l, &want[i]) || id != want[i].id) {
				fprintf(stderr, "  %s iterator level %u differs (id %lld, model %lld)\n", book_side_name(s),
				    i, (long long)id, (long long)want[i].id);
				return 1;
			}
		}
		if (book_iter_next(&it, &id) != NULL)
			return 1;
		/* book_copy_range in chunks of varying size, with ids */
		for (uint32_t from = 0, step = 1 + (uint32_t)(salt % 97); from < n + 3; from += step) {
			uint32_t got = book_copy_range(b, s, from, step, out, ids);
			uint32_t exp = from >= n ? 0 : (n - from < step ? n - from : step);
			if (got != exp) {
				fprintf(stderr, "  %s copy_range(%u, %u): %u levels, want %u\n", book_side_name(s), from,
				    step, got, exp);
				return 1;
			}
			for (uint32_t i = 0; i < got; i++)
				if (!lv_eq(&out[i], &want[from + i]) || ids[i] != want[from + i].id) {
					fprintf(stderr, "  %s copy_range level %u differs\n", book_side_name(s), from + i);
					return 1;
				}
		}
		/* book_count_from beyond both ends */
		if (n && (book_count_from(b, s, s == BOOK_BID ? want[0].l.px + 1 : want[0].l.px - 1) != 0 ||
		    book_count_from(b, s, s == BOOK_BID ? want[n - 1].l.px - 1 : want[n - 1].l.px + 1) != n)) {
			fprintf(stderr, "  %s count_from beyond the ends differs\n", book_side_name(s));
			return 1;
		}
		/* book_find_id on every level, and between levels */
		for (uint32_t i = 0; i < n; i++) {
			if (book_find_id(b, s, want[i].l.px, &qty, &id) != 1 || qty != want[i].l.qty || id != want[i].id) {
				fprintf(stderr, "  %s find_id px %lld differs\n", book_side_name(s), (long long)want[i].l.px);
				return 1;
			}
			/* book_count_from at a level: it and every better one */
			if (book_count_from(b, s, want[i].l.px) != i + 1) {
				fprintf(stderr, "  %s count_from px %lld: %u, want %u\n", book_side_name(s),
				    (long long)want[i].l.px, book_count_from(b, s, want[i].l.px), i + 1);
				return 1;
			}
			if (i + 1 < n && want[i + 1].l.px - want[i].l.px != 1 && want[i].l.px - want[i + 1].l.px != 1) {
				int64_t gap = s == BOOK_BID ? want[i].l.px - 1 : want[i].l.px + 1;
				if (book_count_from(b, s, gap) != i + 1) {
					fprintf(stderr, "  %s count_from gap px %lld differs\n", book_side_name(s), (long long)gap);
					return 1;
				}
				if (book_find(b, s, gap, &qty) != 0) {
					fprintf(stderr, "  %s find px %lld: found a level that is not there\n",
					    book_side_name(s), (long long)gap);
					return 1;
				}
			}
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

struct mix {
	uint32_t max_levels;
	int steps;
	int range;        /* prices within mid +- range */
	int near_pct;     /* % of changes within 20 levels of the touch; the rest uniform over range */
	int zero_pct;     /* % of changes that are removals (some of absent levels) */
	int snap_every;   /* a snapshot replaces a random side every N steps (0 = never) */
};

/* Counts of what the engine answered over a run (to prove a mix exercised
 * what it is meant to). */
static uint64_t g_res[8];

/* A random stream on the mix, with a drifting mid so sides cross the old
 * touch; every change's id is its step number. */
static void
run_random(uint64_t seed, const struct mix *m)
{
	static struct ref r;
	static struct rec_level snap[6000];
	struct book *b = book_new(m->max_levels);
	int64_t mid = 1000000;
	uint64_t trunc = 0;
	int bad = 0;

	g_rng = seed * 2654435761u + 1;
	memset(&r, 0, sizeof r);
	r.max = m->max_levels;
	T_CHECK(b != NULL);
	if (!b)
		return;
	for (int i = 0; i < m->steps && !bad; i++) {
		int side = (int)(rnd() & 1);
		int64_t dist = (int)(rnd() % 100) < m->near_pct ? (int64_t)(rnd() % 20) :
		    (int64_t)(rnd() % (uint64_t)m->range);
		int64_t px = side == BOOK_BID ? mid - 1 - dist : mid + 1 + dist;
		int64_t qty = (int)(rnd() % 100) < m->zero_pct ? 0 : (int64_t)(rnd() % 100000) + 1;
		int64_t id = 1000 + i;
		int got, want;

		if (px <= 0)
			px = 1;
		if (i % 500 == 499)
			mid += (int64_t)(rnd() % 21) - 10;
		if (m->snap_every && i % m->snap_every == m->snap_every - 1) {
			/* a snapshot of up to 1.2 x max_levels levels around mid, best first */
			uint32_t n = 0, want_n = (uint32_t)(rnd() % (m->max_levels + m->max_levels / 5 + 1));
			for (int64_t d = 0; n < want_n && n < 6000 && d < 4 * (int64_t)m->range; d++)
				if (rnd() % 2) {
					snap[n].px = side == BOOK_BID ? mid - 1 - d : mid + 1 + d;
					snap[n++].qty = (int64_t)(rnd() % 1000) + (rnd() % 50 ? 1 : 0);
				}
			if (snap[0].px <= 0)
				n = 0;
			for (uint32_t k = 0; k < n; k++)
				if (snap[k].px <= 0)
					n = k;
			ref_set_side(&r, side, snap, n, id);
			if (book_set_side_id(b, side, snap, n, NULL, id) != 0) {
				fprintf(stderr, "  seed %llu step %d: book_set_side_id failed\n", (unsigned long long)seed, i);
				bad = 1;
			}
			continue;
		}
		want = ref_apply(&r, side, px, qty, id);
		got = book_apply_id(b, side, px, qty, id);
		if (got >= 0 && got < 8)
			g_res[got]++;
		trunc += got == BOOK_DROPPED || got == BOOK_EVICTED;
		if (got != want) {
			fprintf(stderr, "  seed %llu step %d: apply %s px %lld qty %lld: got %d want %d\n",
			    (unsigned long long)seed, i, book_side_name(side), (long long)px, (long long)qty, got, want);
			bad = 1;
		}
		if ((i % 997 == 0 || i == m->steps - 1) && ref_same(&r, b, (uint64_t)i)) {
			fprintf(stderr, "  seed %llu step %d: book differs from the model\n", (unsigned long long)seed, i);
			bad = 1;
		}
		if (i % 97 == 0 && book_check(b, NULL, 0)) {
			fprintf(stderr, "  seed %llu step %d: book_check failed\n", (unsigned long long)seed, i);
			bad = 1;
		}
	}
	T_CHECK(!bad);
	T_CHECK(ref_same(&r, b, 7) == 0);
	/* every drop counted (snapshots larger than max_levels add theirs) */
	if (m->snap_every)
		T_CHECK(b->truncated[0] + b->truncated[1] >= trunc);
	else
		T_EQ_U(b->truncated[0] + b->truncated[1], trunc);
	book_free(b);
}

static void
t_property_small_book(void)
{
	/* max 40 levels: the depth limit is hit all the time */
	struct mix m = { 40, 20000, 120, 75, 25, 0 };

	memset(g_res, 0, sizeof g_res);
	for (uint64_t seed = 1; seed <= 6; seed++)
		run_random(seed, &m);
	T_CHECK(g_res[BOOK_DROPPED] > 100 && g_res[BOOK_EVICTED] > 100);
}

static void
t_property_5000_levels(void)
{
	struct mix m = { 5000, 30000, 9000, 75, 25, 0 };

	for (uint64_t seed = 11; seed <= 13; seed++)
		run_random(seed, &m);
}

/* Deep churn: 5000 levels a side, changes uniform over the whole depth,
 * inserts and removals balanced so the side stays near 5000 (leaves split,
 * merge and even out all the time) */
static void
t_property_deep_churn(void)
{
	struct mix m = { 6000, 60000, 10000, 0, 50, 0 };

	memset(g_res, 0, sizeof g_res);
	for (uint64_t seed = 21; seed <= 23; seed++)
		run_random(seed, &m);
	T_CHECK(g_res[BOOK_INSERTED] > 30000 && g_res[BOOK_REMOVED] > 30000 && g_res[BOOK_UPDATED] > 10000);
}

/* Deep churn into a full 5000-level side: evictions and drops at max_levels
 * while the changes land anywhere */
static void
t_property_evictions_5000(void)
{
	struct mix m = { 5000, 60000, 9000, 10, 20, 0 };

	memset(g_res, 0, sizeof g_res);
	for (uint64_t seed = 31; seed <= 32; seed++)
		run_random(seed, &m);
	T_CHECK(g_res[BOOK_EVICTED] > 1000 && g_res[BOOK_DROPPED] > 1000);
}

/* Snapshots (book_set_side_id, some larger than max_levels) replacing a side
 * in the middle of a stream: every level takes the snapshot's id */
static void
t_property_snapshots(void)
{
	struct mix m1 = { 5000, 30000, 6000, 50, 30, 3001 };
	struct mix m2 = { 200, 20000, 400, 50, 30, 1501 };

	for (uint64_t seed = 41; seed <= 42; seed++) {
		run_random(seed, &m1);
		run_random(seed, &m2);
	}
}

/* Ids by hand: set, update, update to the same quantity, removal and re-insert */
static void
t_level_ids(void)
{
	struct book *b = book_new(10);
	struct rec_level snap[] = {{105, 1}, {104, 2}, {103, 3}};
	int64_t qty = 0, id = 0;

	T_EQ_I(book_set_side_id(b, BOOK_BID, snap, 3, NULL, 50), 0);
	T_CHECK(book_find_id(b, BOOK_BID, 104, &qty, &id) == 1 && qty == 2 && id == 50);
	T_EQ_I(book_apply_id(b, BOOK_BID, 104, 7, 51), BOOK_UPDATED);
	T_CHECK(book_find_id(b, BOOK_BID, 104, &qty, &id) == 1 && qty == 7 && id == 51);
	T_EQ_I(book_apply_id(b, BOOK_BID, 104, 7, 52), BOOK_UPDATED);   /* same qty: touched */
	T_CHECK(book_find_id(b, BOOK_BID, 104, &qty, &id) == 1 && id == 52);
	T_EQ_I(book_apply_id(b, BOOK_BID, 103, 0, 53), BOOK_REMOVED);
	T_CHECK(book_find_id(b, BOOK_BID, 103, &qty, &id) == 0);
	T_EQ_I(book_apply_id(b, BOOK_BID, 103, 4, 54), BOOK_INSERTED);
	T_CHECK(book_find_id(b, BOOK_BID, 103, &qty, &id) == 1 && qty == 4 && id == 54);
	T_CHECK(book_find_id(b, BOOK_BID, 105, &qty, NULL) == 1 && qty == 1);
	T_EQ_I(book_apply(b, BOOK_BID, 105, 9), BOOK_UPDATED);         /* book_apply: id 0 */
	T_CHECK(book_find_id(b, BOOK_BID, 105, &qty, &id) == 1 && id == 0);
	T_EQ_I(book_set_side(b, BOOK_BID, snap, 3, NULL), 0);          /* book_set_side: id 0 */
	T_CHECK(book_find_id(b, BOOK_BID, 104, &qty, &id) == 1 && id == 0);
	T_CHECK(book_find_id(b, 5, 104, &qty, &id) == 0);
	book_free(b);
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

	/* worst first (ascending bids) goes in as well */
	{
		struct rec_level asc[] = {{100, 1}, {101, 0}, {102, 2}, {103, 3}};
		T_EQ_I(book_set_side(c, BOOK_BID, asc, 4, &skipped), 0);
		T_EQ_I(skipped, 1);
		T_EQ_I(book_count(c, BOOK_BID), 3);
		T_CHECK(book_level(c, BOOK_BID, 0)->px == 103 && book_level(c, BOOK_BID, 2)->px == 100);
		T_CHECK(book_check(c, why, sizeof why) == 0);
	}

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
	T_RUN(t_level_ids);
	T_RUN(t_property_small_book);
	T_RUN(t_property_5000_levels);
	T_RUN(t_property_deep_churn);
	T_RUN(t_property_evictions_5000);
	T_RUN(t_property_snapshots);
	return t_done();
}
