/*
 * store_ac.h - the entropy stage of STORE_CODEC_AC and _AC2 blocks (internal to
 * store_codec.c): a binary adaptive range coder (the LZMA construction:
 * 11-bit probabilities, carry propagation through a cached byte) and an
 * adaptive integer model on top of it.
 *
 * Why not zstd alone: zstd codes bytes order-0 within a block and finds
 * repeats by position; the column values of a book stream are small integers
 * whose distribution depends on what they are (the lane of a record header,
 * the side of a price step, whether a size repeats one seen before).  An
 * integer model per such context learns each distribution separately
 * (measured in test/stored/bench_store_real.sh).
 *
 * An integer v is coded as its bit length (0..64, a 7-bit binary tree of
 * adaptive probabilities), then the two (ac_wint: six) bits below its top
 * bit under the same context and length, then the remaining low bits at
 * probability 1/2 (they are noise in every column measured).
 *
 * Contract: the encoder appends to a growing buffer and reports only out of
 * memory; the decoder never reads past its input: bytes beyond it read as 0
 * and set err, and every caller checks err (a damaged block is an error,
 * never a crash or a loop: the decoder consumes at least one bit per call).
 */
#ifndef MP_STORE_AC_H
#define MP_STORE_AC_H

#include <stddef.h>
#include <stdint.h>

#define AC_PROB_BITS 11
#define AC_HI_BITS 2

struct ac_enc {
	unsigned char *p;
	size_t len, cap;
	uint64_t low;
	uint32_t range;
	uint8_t cache;
	uint64_t cache_size;
	int err;                /* out of memory */
	int adapt;              /* counted probabilities (codec 5), see ac_prob_init */
};

struct ac_dec {
	const unsigned char *p;
	size_t len, pos;
	uint32_t range, code;
	int err;                /* read past the input */
	int adapt;
};

/* One context of the integer model. */
struct ac_int {
	uint16_t nb[128];                       /* bit length: binary tree nodes 1..127 */
	uint16_t hi[65][1 << AC_HI_BITS];       /* the bits below the top one, by length */
};

/* The same with AC_WIDE_BITS bits below the top one modelled, for lengths
 * below AC_WIDE_NB (no bit direct): price steps and size literals, whose
 * distributions within a length are far from flat (measured). */
#define AC_WIDE_BITS 6
#define AC_WIDE_NB 25
struct ac_wint {
	uint16_t nb[128];
	uint16_t hi[AC_WIDE_NB][1 << AC_WIDE_BITS];
};

/* adapt 0: 11-bit probabilities moving 1/16 per bit (codec 4); 1: 12-bit
 * probabilities with a count in their low 4 bits, moving 1/2, 1/2, 1/4, ... to
 * 1/16 as a context sees its first bits (codec 5).  Every probability of a
 * coder must have been initialised with the same adapt. */
void ac_enc_init(struct ac_enc *e, int adapt);
/* Flush; 0, or -1 if any append failed.  e->p (malloc'd) holds e->len bytes. */
int ac_enc_finish(struct ac_enc *e);
void ac_dec_init(struct ac_dec *d, const void *p, size_t len, int adapt);

/* The initial value of one probability (P = 1/2). */
uint16_t ac_prob_init(int adapt);
void ac_int_init(struct ac_int *m, size_t n, int adapt);
void ac_put_bit(struct ac_enc *e, uint16_t *prob, int bit);
int ac_get_bit(struct ac_dec *d, uint16_t *prob);
void ac_put_int(struct ac_enc *e, struct ac_int *m, uint64_t v);
uint64_t ac_get_int(struct ac_dec *d, struct ac_int *m);
void ac_wint_init(struct ac_wint *m, size_t n, int adapt);
void ac_put_wint(struct ac_enc *e, struct ac_wint *m, uint64_t v);
uint64_t ac_get_wint(struct ac_dec *d, struct ac_wint *m);
/* The number of bits of v (0 for 0): the model's length symbol. */
int ac_bits(uint64_t v);

#endif
