/*
 * book.h - the order-book engine: one instrument's bids and asks as exact
 * fixed-point levels.  No rings, no config, no allocation per update (only
 * book_set_side with more levels than max_levels sorts a temporary copy):
 * bookd, mpreplay, mpsub and mpexport link bookd/book*.o as they are.
 *
 * Structure.  Each side is one sorted array of struct rec_level (px, qty;
 * int64 mantissas at the instrument's exponents) with the BEST level at the
 * END: bids ascending by price, asks descending by price.  Nearly every
 * exchange update touches the first few levels, so an insert or delete there
 * moves only a few entries, and the search for a price gallops from the best
 * end (O(log d), d = distance from the touch; O(log n) in the worst case).
 * Both arrays are allocated once at book_new() with room for max_levels.
 *
 * Depth limit.  A side holds at most max_levels levels: the best ones.  An
 * insert into a full side drops the worst level (or the new one, if it is the
 * worst); book_apply says which, and each drop is counted in truncated[side].
 * The dropped level is not known any more: callers that publish the book's
 * "known" range (bookd's bid_floor_px / ask_ceil_px) move it inwards.
 *
 * Reading without copying.  book_level(b, side, i) is O(1) with i = 0 the
 * best; book_side_raw() hands out the array itself (worst first, best last).
 * Pointers stay valid until the next change to that side.
 *
 * Threads: a book is used by one thread at a time.
 */
#ifndef MP_BOOKD_BOOK_H
#define MP_BOOKD_BOOK_H

#include <stddef.h>
#include <stdint.h>

#include "rec.h"

enum book_side { BOOK_BID = 0, BOOK_ASK = 1 };

/* What book_apply did. */
enum book_result {
	BOOK_INSERTED = 1,   /* new price level */
	BOOK_UPDATED = 2,    /* existing level, new quantity */
	BOOK_REMOVED = 3,    /* qty 0 removed an existing level */
	BOOK_ABSENT = 4,     /* qty 0 for a level the book does not hold (normal on both venues) */
	BOOK_DROPPED = 5,    /* side full and the new level was the worst: not kept */
	BOOK_EVICTED = 6,    /* inserted, and the side's worst level was dropped to make room */
	BOOK_EINVAL = -1,    /* px <= 0, qty < 0 or bad side: the book is unchanged */
};

struct book_side_arr {
	struct rec_level *lv;   /* n levels, worst first, best last */
	uint32_t n;
};

struct book {
	struct book_side_arr s[2];
	uint32_t max_levels;    /* per side */
	uint64_t truncated[2];  /* levels dropped by the depth limit, per side */
};

/* A book holding at most max_levels (>= 1) levels per side; NULL on ENOMEM. */
struct book *book_new(uint32_t max_levels);
void book_free(struct book *b);
/* Empty both sides (memory is kept). */
void book_clear(struct book *b);

/*
 * Replace one side with n levels in any order (a snapshot): levels with
 * qty 0 are skipped (a snapshot never lists empty levels; counted in
 * *skipped if not NULL), the rest are sorted, and if there are more than
 * max_levels the best max_levels are kept (the rest counted in truncated).
 * Returns 0, or BOOK_EINVAL (a price <= 0, a negative quantity or the same
 * price twice) with the side left empty.
 */
int book_set_side(struct book *b, int side, const struct rec_level *lv, uint32_t n, uint32_t *skipped);

/* Set the absolute quantity at px (qty 0 removes the level).  Returns an
 * enum book_result. */
int book_apply(struct book *b, int side, int64_t px, int64_t qty);

/* Levels on a side. */
static inline uint32_t
book_count(const struct book *b, int side)
{
	return b->s[side].n;
}

/* Level i from the best (i = 0 is the best), or NULL past the end. */
static inline const struct rec_level *
book_level(const struct book *b, int side, uint32_t i)
{
	const struct book_side_arr *a = &b->s[side];

	return i < a->n ? &a->lv[a->n - 1 - i] : NULL;
}

/* Best level into *px and *qty: 1, or 0 (both set to 0) when the side is empty. */
int book_best(const struct book *b, int side, int64_t *px, int64_t *qty);
/* Quantity at px: 1 and *qty, or 0 if the book holds no level there. */
int book_find(const struct book *b, int side, int64_t px, int64_t *qty);
/* The side's array itself: *n levels, worst first, best last. */
const struct rec_level *book_side_raw(const struct book *b, int side, uint32_t *n);
/* Copy up to max levels, best first (the order of REC_SNAPSHOT), into out;
 * returns how many. */
uint32_t book_copy_top(const struct book *b, int side, uint32_t max, struct rec_level *out);
/* 1 when both sides are non-empty and best bid >= best ask. */
int book_crossed(const struct book *b);

/*
 * Compare the best `depth` levels per side (0 = all levels) of two books.
 * Returns 0 when equal, else 1 with the first difference described in why
 * ("bid level 17: px 6170000000000 qty 5 vs px ... qty ...").
 */
int book_cmp(const struct book *a, const struct book *b, uint32_t depth, char *why, size_t cap);

/* Bytes this book occupies (struct plus both arrays). */
size_t book_mem(const struct book *b);

/* "bid" / "ask". */
const char *book_side_name(int side);

#endif
