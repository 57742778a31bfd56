/*
 * book_ref_sorted.h - the book engine as it was before the B+tree (one sorted
 * array per side, best level at the end, galloping search from the best end,
 * memmove on insert/remove), kept verbatim under ref_ names as the same-run
 * baseline of bench_book / bench_book_real and as a second model for the
 * replay test.  Not linked into any program but tests and benchmarks.
 */
#ifndef MP_TEST_BOOK_REF_SORTED_H
#define MP_TEST_BOOK_REF_SORTED_H

#include <stdint.h>

#include "rec.h"

struct ref_side {
	struct rec_level *lv;   /* n levels, worst first, best last */
	uint32_t n;
};

struct ref_book {
	struct ref_side s[2];
	uint32_t max_levels;
	uint64_t truncated[2];
};

struct ref_book *ref_book_new(uint32_t max_levels);
void ref_book_free(struct ref_book *b);
/* book_set_side's contract (book.h), on the old layout. */
int ref_book_set_side(struct ref_book *b, int side, const struct rec_level *lv, uint32_t n, uint32_t *skipped);
/* book_apply's contract; returns an enum book_result. */
int ref_book_apply(struct ref_book *b, int side, int64_t px, int64_t qty);

static inline uint32_t
ref_book_count(const struct ref_book *b, int side)
{
	return b->s[side].n;
}

/* Level i from the best, or NULL past the end. */
static inline const struct rec_level *
ref_book_level(const struct ref_book *b, int side, uint32_t i)
{
	return i < b->s[side].n ? &b->s[side].lv[b->s[side].n - 1 - i] : NULL;
}

#endif
