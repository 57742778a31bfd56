/*
 * book.h - the order-book engine: one instrument's bids and asks as exact
 * fixed-point levels, each with the id of the last update that changed it.
 * No rings, no config, no allocation per update (every leaf comes from a
 * pool allocated at book_new; only book_set_side with levels out of order or
 * more than max_levels sorts a temporary copy): bookd, mpreplay, mpsub and
 * mpexport link bookd/book*.o as they are.
 *
 * Structure.  Each side is a two-level B+tree: an ordered directory of
 * leaves, each leaf a small sorted array of up to BOOK_LEAF levels (px, qty
 * as int64 mantissas at the instrument's exponents, the level's update id,
 * and a search key: px for bids, -px for asks).  Leaves and the levels in
 * them are ordered WORST first, BEST last (bids ascending by price, asks
 * descending), so the best level is the last entry of the last leaf: O(1).
 * A lookup tries the best leaf, then the leaf of the side's previous change
 * (a frame lists its levels in price order, often several in one leaf), then
 * bisects the directory's leaf bounds, then the leaf's dense keys; the
 * bisections are branch-free.  An insert or removal moves at most one leaf
 * (BOOK_LEAF entries) instead of the whole side.  A full leaf splits in two;
 * a leaf under 3/8 full is merged with a neighbour (when both fit in 3/4 of
 * a leaf) or evened out with it, so a side of n levels holds at most
 * n / (3 BOOK_LEAF / 8) + 1 leaves; a pool of that many is allocated at
 * book_new (untouched until used) and nothing is allocated after.
 *
 * Depth limit.  A side holds at most max_levels levels: the best ones.  An
 * insert into a full side drops the worst level (or the new one, if it is the
 * worst); book_apply says which, and each drop is counted in truncated[side].
 * The dropped level is not known any more: callers that publish the book's
 * "known" range (bookd's bid_floor_px / ask_ceil_px) move it inwards.
 *
 * Update ids.  Every level carries the id of the last update that set it:
 * book_apply_id's id (book_apply: 0), or the snapshot's id for the levels of
 * book_set_side_id (book_set_side: 0).  A quantity update rewrites the id
 * even when the quantity is unchanged (the update touched the level).  A
 * removed level keeps no id (the engine holds no tombstones).
 *
 * Reading without copying.  book_level(b, side, i), i = 0 the best, returns a
 * pointer into the leaf: O(1) in the best and worst leaves, O(1) amortised
 * when i walks a side in order (a per-side cursor remembers the last leaf
 * reached), O(leaves) for a random rank.  A whole side or a range is read
 * faster with book_copy_range() or an iterator (struct book_iter), which also
 * yield the ids.  Pointers stay valid until the next change to that side.
 *
 * Threads: a book is used by one thread at a time (book_level moves the
 * side's cursor even through a const book).
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

/* Levels per leaf: one insert or removal moves at most this many entries. */
#define BOOK_LEAF 32

struct book_leaf {
	/* three arrays, each in level order (worst first, best last): the
	 * search reads only key[] (px for bids, -px for asks, ascending), dense,
	 * so it stays in L1 for a whole side of a real book; lv[] is what
	 * readers get pointers into and snapshots copy, as dense as the old
	 * sorted array was */
	int64_t key[BOOK_LEAF];
	struct rec_level lv[BOOK_LEAF];
	int64_t id[BOOK_LEAF];            /* update id per level */
};

/* Where book_level's last walk ended, valid while gen is the side's. */
struct book_cursor {
	uint64_t gen;
	uint32_t leaf;      /* directory index */
	uint32_t rank;      /* levels in the leaves better than it */
};

struct book_tree {
	uint32_t n;                 /* levels */
	uint32_t nleaf;             /* directory entries (>= 1; leaf 0 may be empty when n == 0) */
	uint64_t gen;               /* bumped by every insert or removal */
	uint32_t hint;              /* directory entry of the last change (updates of a
	                             * frame come in price order, often in one leaf) */
	int64_t *lo;                /* per directory entry: key of its worst level */
	uint32_t *cnt;              /* per directory entry: levels in it */
	struct book_leaf **leaf;    /* per directory entry: the leaf */
	struct book_cursor *cur;    /* book_level's cursor (mutable through const) */
	struct book_leaf *pool;     /* cap_leaves leaves */
	uint32_t *free_leaf;        /* stack of unused pool indexes */
	uint32_t nfree, cap_leaves;
};

struct book {
	struct book_tree s[2];
	uint32_t max_levels;    /* per side */
	uint64_t truncated[2];  /* levels dropped by the depth limit, per side */
};

/* A book holding at most max_levels (>= 1) levels per side; NULL on ENOMEM. */
struct book *book_new(uint32_t max_levels);
void book_free(struct book *b);
/* Empty both sides (memory is kept). */
void book_clear(struct book *b);

/*
 * Replace one side with n levels in any order (a snapshot), every level's
 * update id set to `id`: levels with qty 0 are skipped (a snapshot never
 * lists empty levels; counted in *skipped if not NULL), the rest are sorted,
 * and if there are more than max_levels the best max_levels are kept (the
 * rest counted in truncated).  Returns 0, or BOOK_EINVAL (a price <= 0, a
 * negative quantity or the same price twice) with the side left empty.
 */
int book_set_side_id(struct book *b, int side, const struct rec_level *lv, uint32_t n, uint32_t *skipped,
    int64_t id);
/* book_set_side_id with id 0. */
int book_set_side(struct book *b, int side, const struct rec_level *lv, uint32_t n, uint32_t *skipped);

/* Set the absolute quantity at px (qty 0 removes the level); a level kept or
 * inserted gets update id `id`.  Returns an enum book_result. */
int book_apply_id(struct book *b, int side, int64_t px, int64_t qty, int64_t id);
/* book_apply_id with id 0. */
int book_apply(struct book *b, int side, int64_t px, int64_t qty);

/* Levels on a side. */
static inline uint32_t
book_count(const struct book *b, int side)
{
	return b->s[side].n;
}

const struct rec_level *book_level_slow(const struct book *b, int side, uint32_t i);

/* Level i from the best (i = 0 is the best), or NULL past the end. */
static inline const struct rec_level *
book_level(const struct book *b, int side, uint32_t i)
{
	const struct book_tree *s = &b->s[side];
	uint32_t j = s->nleaf - 1, c = s->cnt[j];

	if (i < c)
		return &s->leaf[j]->lv[c - 1 - i];
	return i < s->n ? book_level_slow(b, side, i) : NULL;
}

/* Best level into *px and *qty: 1, or 0 (both set to 0) when the side is empty. */
int book_best(const struct book *b, int side, int64_t *px, int64_t *qty);
/* Quantity at px: 1 and *qty, or 0 if the book holds no level there. */
int book_find(const struct book *b, int side, int64_t px, int64_t *qty);
/* The same with the level's update id (id may be NULL). */
int book_find_id(const struct book *b, int side, int64_t px, int64_t *qty, int64_t *id);
/* Levels of side at px or better (bids >= px, asks <= px): O(leaves) over
 * the directory's counts, without reading levels. */
uint32_t book_count_from(const struct book *b, int side, int64_t px);
/* Copy up to max levels, best first (the order of REC_SNAPSHOT), into out;
 * returns how many. */
uint32_t book_copy_top(const struct book *b, int side, uint32_t max, struct rec_level *out);
/* Levels of ranks [from, from + max) (0 = the best), best first, into out
 * and their update ids into ids (if not NULL); returns how many. */
uint32_t book_copy_range(const struct book *b, int side, uint32_t from, uint32_t max, struct rec_level *out,
    int64_t *ids);
/* 1 when both sides are non-empty and best bid >= best ask. */
int book_crossed(const struct book *b);

/*
 * Walking a side, best first, with the ids:
 *     struct book_iter it;
 *     const struct rec_level *l;
 *     int64_t id;
 *     for (book_iter_begin(b, side, &it); (l = book_iter_next(&it, &id)); )
 *         ...
 * Valid until the next change to that side.
 */
struct book_iter {
	const struct book_tree *s;
	uint32_t leaf;      /* directory index of the next level */
	uint32_t pos;       /* levels of that leaf not yet returned */
};
void book_iter_begin(const struct book *b, int side, struct book_iter *it);
/* The next level (and its id into *id, if not NULL), or NULL at the end. */
const struct rec_level *book_iter_next(struct book_iter *it, int64_t *id);

/*
 * Compare the best `depth` levels per side (0 = all levels) of two books.
 * Returns 0 when equal, else 1 with the first difference described in why
 * ("bid level 17: px 6170000000000 qty 5 vs px ... qty ...").
 */
int book_cmp(const struct book *a, const struct book *b, uint32_t depth, char *why, size_t cap);

/* The structure's invariants (order, keys, leaf fill, counts, pool): 0, or 1
 * with the first violation in why.  For tests and fuzzers; O(levels). */
int book_check(const struct book *b, char *why, size_t cap);

/* Bytes this book occupies now: the struct, both directories and the leaves
 * in use (pool leaves never used are allocated but not touched). */
size_t book_mem(const struct book *b);

/* "bid" / "ask". */
const char *book_side_name(int side);

#endif
