/*
 * test_book_real.c - the engine on the two real Binance recordings
 * (../shared/data/, parsed by feedd's parser; see real_cap.h), update by
 * update against the previous engine (book_ref_sorted.c): the same result
 * for every level update, the same best levels after every frame, the same
 * whole book every 64 frames and at the end, the structure's invariants, and
 * at the end every level's update id equal to the id of the last update that
 * set that price (or the snapshot's), worked out independently here.
 * A missing recording is a failure.
 */
#include <stdlib.h>

#include "../t.h"
#include "../../bookd/book.h"
#include "book_ref_sorted.h"
#include "real_cap.h"

static int
same_book(const struct book *b, const struct ref_book *r, uint32_t depth)
{
	for (int s = 0; s < 2; s++) {
		uint32_t n = book_count(b, s);
		struct book_iter it;

		if (n != ref_book_count(r, s))
			return 0;
		book_iter_begin(b, s, &it);
		for (uint32_t i = 0; i < n && (!depth || i < depth); i++) {
			const struct rec_level *x = book_iter_next(&it, NULL), *y = ref_book_level(r, s, i);
			if (!x || x->px != y->px || x->qty != y->qty)
				return 0;
		}
	}
	return 1;
}

/* last id per (side, px): updates sorted by side, px, then order */
struct touch {
	int32_t side;
	int64_t px, id;
	size_t order;
};

static int
cmp_touch(const void *a, const void *b)
{
	const struct touch *x = a, *y = b;

	if (x->side != y->side)
		return x->side - y->side;
	if (x->px != y->px)
		return (x->px > y->px) - (x->px < y->px);
	return (x->order > y->order) - (x->order < y->order);
}

/* The id the level (side, px) must carry: that of the last update with
 * qty > 0 there (a later removal would have removed the level), or the
 * snapshot's. */
static int64_t
expected_id(const struct touch *t, size_t n, int side, int64_t px, int64_t snap_id)
{
	size_t lo = 0, hi = n;

	/* first entry > (side, px) */
	while (lo < hi) {
		size_t m = (lo + hi) / 2;
		if (t[m].side < side || (t[m].side == side && t[m].px <= px))
			lo = m + 1;
		else
			hi = m;
	}
	if (lo > 0 && t[lo - 1].side == side && t[lo - 1].px == px)
		return t[lo - 1].id;
	return snap_id;
}

static void
replay(const char *file)
{
	char path[4096], err[256];
	struct rc_cap c;
	struct book *b;
	struct ref_book *r;
	struct touch *t;
	size_t f = 0, nt = 0, bad_frame = (size_t)-1, bad_upd = (size_t)-1;
	int id_bad = 0;

	rc_data_path(file, path, sizeof path);
	if (rc_load(&c, path, err, sizeof err) < 0) {
		t_fail(__FILE__, __LINE__, err);
		return;
	}
	b = book_new(5000);
	r = ref_book_new(5000);
	T_CHECK(b && r);
	T_EQ_I(book_set_side_id(b, BOOK_BID, c.snap, c.snap_nb, NULL, c.snap_id), 0);
	T_EQ_I(book_set_side_id(b, BOOK_ASK, c.snap + c.snap_nb, c.snap_na, NULL, c.snap_id), 0);
	ref_book_set_side(r, BOOK_BID, c.snap, c.snap_nb, NULL);
	ref_book_set_side(r, BOOK_ASK, c.snap + c.snap_nb, c.snap_na, NULL);
	for (size_t i = 0; i < c.nu; i++) {
		const struct rc_upd *u = &c.u[i];
		int got = book_apply_id(b, u->side, u->px, u->qty, u->id);
		int want = ref_book_apply(r, u->side, u->px, u->qty);
		if (got != want && bad_upd == (size_t)-1)
			bad_upd = i;
		if (i + 1 == c.frame_end[f]) {
			if (!same_book(b, r, (f % 64 == 0) ? 0 : 1) && bad_frame == (size_t)-1)
				bad_frame = f;
			if (f % 64 == 0 && book_check(b, err, sizeof err)) {
				fprintf(stderr, "  frame %zu: %s\n", f, err);
				bad_frame = f;
			}
			f++;
		}
	}
	if (bad_upd != (size_t)-1)
		fprintf(stderr, "  %s: update %zu: results differ from the old engine\n", file, bad_upd);
	if (bad_frame != (size_t)-1)
		fprintf(stderr, "  %s: frame %zu: book differs from the old engine\n", file, bad_frame);
	T_CHECK(bad_upd == (size_t)-1);
	T_CHECK(bad_frame == (size_t)-1);
	T_EQ_U(f, c.nframes);
	T_CHECK(same_book(b, r, 0));
	T_CHECK(book_check(b, err, sizeof err) == 0);

	/* ids, from the updates alone */
	t = malloc(c.nu * sizeof *t);
	T_CHECK(t != NULL);
	if (t) {
		for (size_t i = 0; i < c.nu; i++)
			if (c.u[i].qty > 0) {
				t[nt].side = c.u[i].side;
				t[nt].px = c.u[i].px;
				t[nt].id = c.u[i].id;
				t[nt].order = i;
				nt++;
			}
		qsort(t, nt, sizeof *t, cmp_touch);
		for (int s = 0; s < 2 && !id_bad; s++) {
			struct book_iter it;
			const struct rec_level *l;
			int64_t id;
			for (book_iter_begin(b, s, &it); (l = book_iter_next(&it, &id));) {
				int64_t want = expected_id(t, nt, s, l->px, c.snap_id);
				if (id != want) {
					fprintf(stderr, "  %s: %s %lld: id %lld, want %lld\n", file, book_side_name(s),
					    (long long)l->px, (long long)id, (long long)want);
					id_bad = 1;
					break;
				}
			}
		}
		T_CHECK(!id_bad);
		free(t);
	}
	printf("# %s: %zu frames, %zu level updates, final %u bids %u asks\n", file, c.nframes, c.nu,
	    book_count(b, BOOK_BID), book_count(b, BOOK_ASK));
	book_free(b);
	ref_book_free(r);
	rc_free(&c);
}

static void
t_real_spot_vs_old_engine(void)
{
	replay("binance-spot-ethusdt-20240808.cap.zst");
}

static void
t_real_usdm_vs_old_engine(void)
{
	replay("binance-usdm-ethusdt-20240808.cap.zst");
}

int
main(void)
{
	T_RUN(t_real_spot_vs_old_engine);
	T_RUN(t_real_usdm_vs_old_engine);
	return t_done();
}
