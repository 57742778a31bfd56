/*
 * fuzz_book.c - libFuzzer target for the book engine alone: the input is a
 * max_levels byte and then 4-byte operations (side, price near or far from a
 * moving mid, quantity or removal, now and then a snapshot of the other
 * engine's side), run on bookd/book.c and on the previous engine
 * (book_ref_sorted.c, the model).  Every apply must return what the model
 * returns; after every operation the best levels, and at the end every
 * level, must agree, and book_check must pass.  Any violation traps.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../bookd/book.h"
#include "book_ref_sorted.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same(const struct book *b, const struct ref_book *r, uint32_t depth)
{
	for (int s = 0; s < 2; s++) {
		struct book_iter it;
		uint32_t n = book_count(b, s);

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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rec_level snap[6000];
	struct book *b;
	struct ref_book *r;
	uint32_t max;
	int64_t mid = 100000;

	if (size < 1)
		return 0;
	max = 1 + data[0] % 200 * 8;   /* 1 .. 1593 levels a side */
	b = book_new(max);
	r = ref_book_new(max);
	if (!b || !r)
		abort();
	for (size_t o = 1; o + 4 <= size; o += 4) {
		const uint8_t *op = data + o;
		int side = op[0] & 1;
		int64_t d = (op[0] & 2) ? op[1] % 32 : (int64_t)(op[1] | (op[2] & 15) << 8);
		int64_t px = side == BOOK_BID ? mid - 1 - d : mid + 1 + d;
		int64_t qty = (op[3] & 3) == 0 ? 0 : op[3];

		if ((op[0] & 0xfc) == 0xfc) {
			/* a snapshot: the model's other side, as a venue would list it */
			int os = !side;
			uint32_t n = ref_book_count(r, os);
			for (uint32_t i = 0; i < n; i++)
				snap[i] = *ref_book_level(r, os, i);
			if (book_set_side_id(b, os, snap, n, NULL, (int64_t)o) != 0 ||
			    ref_book_set_side(r, os, snap, n, NULL) != 0)
				__builtin_trap();
			continue;
		}
		if ((op[0] & 0xf0) == 0xf0)
			mid += (op[2] >> 4) - 8;
		if (book_apply_id(b, side, px, qty, (int64_t)o) != ref_book_apply(r, side, px, qty))
			__builtin_trap();
		if (!same(b, r, 3))
			__builtin_trap();
		if (qty) {
			int64_t q, id;
			if (book_find_id(b, side, px, &q, &id) == 1 && (q != qty || id != (int64_t)o))
				__builtin_trap();
		}
	}
	if (!same(b, r, 0) || book_check(b, NULL, 0))
		__builtin_trap();
	book_free(b);
	ref_book_free(r);
	return 0;
}
