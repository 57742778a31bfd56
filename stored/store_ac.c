/*
 * store_ac.c - binary adaptive range coder and integer model (store_ac.h).
 */
#include "store_ac.h"

#include <stdlib.h>
#include <string.h>

#define PROB_ONE (1u << AC_PROB_BITS)
#define PROB_INIT (PROB_ONE / 2)
#define MOVE_BITS 4             /* adaptation rate: 1/16 of the gap per bit (measured: 1/32 and 1/8 store more) */
#define TOP (1u << 24)

/* Counted probabilities (codec 5): a 12-bit probability above a 4-bit count
 * of the bits seen.  The first bits of a context move it by 1/2, 1/2, 1/4,
 * ... down to 1/2^CNT_LIMIT (cnt_shift; measured best of the few tried): a block's models start from nothing, and a fixed
 * slow rate spends its first few dozen bits of every context near 1/2. */
#define CNT_PBITS 12
#define CNT_ONE (1u << CNT_PBITS)
#define CNT_LIMIT 4
static const uint8_t cnt_shift[16] = { 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4 };

static inline uint16_t
cnt_update(uint16_t s, int bit)
{
	unsigned p = s >> 4, n = s & 15u, sh = cnt_shift[n];

	if (sh > CNT_LIMIT)
		sh = CNT_LIMIT;
	if (!bit)
		p += (CNT_ONE - p) >> sh;
	else
		p -= p >> sh;
	return (uint16_t)(p << 4 | (n < 15 ? n + 1 : 15));
}

uint16_t
ac_prob_init(int adapt)
{
	return adapt ? (uint16_t)((CNT_ONE / 2) << 4) : (uint16_t)PROB_INIT;
}

static void
out_byte(struct ac_enc *e, unsigned char b)
{
	if (e->len == e->cap) {
		size_t nc = e->cap ? e->cap * 2 : 4096;
		unsigned char *p = realloc(e->p, nc);
		if (!p) {
			e->err = 1;
			return;
		}
		e->p = p;
		e->cap = nc;
	}
	e->p[e->len++] = b;
}

/* A carry into bytes already decided is held back in cache/cache_size. */
static void
shift_low(struct ac_enc *e)
{
	if ((uint32_t)e->low < 0xff000000u || (e->low >> 32) != 0) {
		unsigned char carry = (unsigned char)(e->low >> 32);
		unsigned char temp = e->cache;
		do {
			out_byte(e, (unsigned char)(temp + carry));
			temp = 0xff;
		} while (--e->cache_size != 0);
		e->cache = (uint8_t)(e->low >> 24);
	}
	e->cache_size++;
	e->low = (e->low & 0x00ffffffu) << 8;
}

void
ac_enc_init(struct ac_enc *e, int adapt)
{
	memset(e, 0, sizeof *e);
	e->adapt = adapt;
	e->range = 0xffffffffu;
	e->cache_size = 1;
}

int
ac_enc_finish(struct ac_enc *e)
{
	for (int i = 0; i < 5; i++)
		shift_low(e);
	return e->err ? -1 : 0;
}

void
ac_dec_init(struct ac_dec *d, const void *p, size_t len, int adapt)
{
	memset(d, 0, sizeof *d);
	d->adapt = adapt;
	d->p = p;
	d->len = len;
	d->range = 0xffffffffu;
	for (int i = 0; i < 5; i++)
		d->code = d->code << 8 | (d->pos < len ? d->p[d->pos] : 0), d->pos++;
	if (len < 5)
		d->err = 1;
}

/* A loop, as the encoder's: a probability near 0 or 1 in 12 bits can leave
 * the range below 2^16, which one byte does not bring back above TOP (codec
 * 4's 11-bit probabilities never go that far, so it never loops twice). */
static void
dec_norm(struct ac_dec *d)
{
	while (d->range < TOP) {
		d->range <<= 8;
		/* The encoder's flush writes 4 bytes past the last decided one, so a
		 * valid stream is never read beyond its end. */
		if (d->pos < d->len)
			d->code = d->code << 8 | d->p[d->pos];
		else
			d->code <<= 8, d->err = 1;
		d->pos++;
	}
}

/* Every probability of n contexts at 1/2 (the structs are uint16_t only). */
static void
probs_init(uint16_t *p, size_t k, int adapt)
{
	uint16_t v = ac_prob_init(adapt);

	for (size_t i = 0; i < k; i++)
		p[i] = v;
}

void
ac_int_init(struct ac_int *m, size_t n, int adapt)
{
	probs_init((uint16_t *)(void *)m, n * (sizeof *m / sizeof(uint16_t)), adapt);
}

/* Where a bit splits the range, and a probability after its bit (codec 4's
 * fixed rate, or codec 5's counted one). */
static inline uint32_t
bound_of(int adapt, uint32_t range, uint16_t prob)
{
	return adapt ? (range >> CNT_PBITS) * (uint32_t)(prob >> 4) : (range >> AC_PROB_BITS) * prob;
}

static inline uint16_t
prob_after(int adapt, uint16_t prob, int bit)
{
	if (adapt)
		return cnt_update(prob, bit);
	if (bit)
		return (uint16_t)(prob - (prob >> MOVE_BITS));
	return (uint16_t)(prob + ((PROB_ONE - prob) >> MOVE_BITS));
}

void
ac_put_bit(struct ac_enc *e, uint16_t *prob, int bit)
{
	uint32_t bound = bound_of(e->adapt, e->range, *prob);

	if (!bit) {
		e->range = bound;
	} else {
		e->low += bound;
		e->range -= bound;
	}
	*prob = prob_after(e->adapt, *prob, bit);
	while (e->range < TOP) {
		e->range <<= 8;
		shift_low(e);
	}
}

/* One decoder body, made twice by the compiler with adapt a constant: with
 * adapt a run-time value inside it, decoding took 40 % longer (bench_codec,
 * 870 vs 620 ns per level update on the spot recording's 5 s blocks). */
static inline __attribute__((always_inline)) int
get_bit_as(struct ac_dec *d, uint16_t *prob, const int adapt)
{
	uint32_t bound = bound_of(adapt, d->range, *prob);
	int bit;

	if (d->code < bound) {
		d->range = bound;
		*prob = prob_after(adapt, *prob, 0);
		bit = 0;
	} else {
		d->code -= bound;
		d->range -= bound;
		*prob = prob_after(adapt, *prob, 1);
		bit = 1;
	}
	dec_norm(d);
	return bit;
}

int
ac_get_bit(struct ac_dec *d, uint16_t *prob)
{
	return d->adapt ? get_bit_as(d, prob, 1) : get_bit_as(d, prob, 0);
}

static void
put_direct(struct ac_enc *e, uint64_t v, int n)
{
	while (n-- > 0) {
		e->range >>= 1;
		if ((v >> n) & 1)
			e->low += e->range;
		while (e->range < TOP) {
			e->range <<= 8;
			shift_low(e);
		}
	}
}

static uint64_t
get_direct(struct ac_dec *d, int n)
{
	uint64_t v = 0;

	while (n-- > 0) {
		d->range >>= 1;
		if (d->code >= d->range) {
			d->code -= d->range;
			v = v << 1 | 1;
		} else {
			v <<= 1;
		}
		dec_norm(d);
	}
	return v;
}

int
ac_bits(uint64_t v)
{
	return v ? 64 - __builtin_clzll(v) : 0;
}

/* The integer model with `kmax` bits below the top one modelled for lengths
 * below nbmax (row stride `stride` in hi), the rest direct. */
static void
put_core(struct ac_enc *e, uint16_t *nbp, uint16_t *hi, int stride, int kmax, int nbmax, uint64_t v)
{
	int nb = ac_bits(v), k, rest;
	unsigned idx = 1;

	for (int i = 6; i >= 0; i--) {
		int b = (nb >> i) & 1;
		ac_put_bit(e, &nbp[idx], b);
		idx = idx << 1 | (unsigned)b;
	}
	if (nb < 2)
		return;
	k = nb >= nbmax ? 0 : nb - 1 < kmax ? nb - 1 : kmax;
	rest = nb - 1 - k;
	idx = 1;
	for (int i = 0; i < k; i++) {
		int b = (int)((v >> (nb - 2 - i)) & 1);
		ac_put_bit(e, &hi[nb * stride + (int)idx], b);
		idx = idx << 1 | (unsigned)b;
	}
	put_direct(e, v, rest);
}

static uint64_t
get_core(struct ac_dec *d, uint16_t *nbp, uint16_t *hi, int stride, int kmax, int nbmax)
{
	unsigned idx = 1;
	int nb, k, rest;
	uint64_t v;

	for (int i = 0; i < 7; i++)
		idx = idx << 1 | (unsigned)ac_get_bit(d, &nbp[idx]);
	nb = (int)(idx - 128);
	if (nb > 64) {
		d->err = 1;
		return 0;
	}
	if (nb < 2)
		return (uint64_t)nb;
	k = nb >= nbmax ? 0 : nb - 1 < kmax ? nb - 1 : kmax;
	rest = nb - 1 - k;
	idx = 1;
	for (int i = 0; i < k; i++)
		idx = idx << 1 | (unsigned)ac_get_bit(d, &hi[nb * stride + (int)idx]);
	/* idx is now the top bit and the k modelled ones */
	v = idx;
	return v << rest | get_direct(d, rest);
}

void
ac_put_int(struct ac_enc *e, struct ac_int *m, uint64_t v)
{
	put_core(e, m->nb, &m->hi[0][0], 1 << AC_HI_BITS, AC_HI_BITS, 65, v);
}

uint64_t
ac_get_int(struct ac_dec *d, struct ac_int *m)
{
	return get_core(d, m->nb, &m->hi[0][0], 1 << AC_HI_BITS, AC_HI_BITS, 65);
}

void
ac_wint_init(struct ac_wint *m, size_t n, int adapt)
{
	probs_init((uint16_t *)(void *)m, n * (sizeof *m / sizeof(uint16_t)), adapt);
}

void
ac_put_wint(struct ac_enc *e, struct ac_wint *m, uint64_t v)
{
	put_core(e, m->nb, &m->hi[0][0], 1 << AC_WIDE_BITS, AC_WIDE_BITS, AC_WIDE_NB, v);
}

uint64_t
ac_get_wint(struct ac_dec *d, struct ac_wint *m)
{
	return get_core(d, m->nb, &m->hi[0][0], 1 << AC_WIDE_BITS, AC_WIDE_BITS, AC_WIDE_NB);
}
