/*
 * store_num.h - the integer transforms the block codecs share (internal to
 * store_codec.c and store_acm.c): zigzag, decimal trailing zeros.
 */
#ifndef MP_STORE_NUM_H
#define MP_STORE_NUM_H

#include <stdint.h>

static const int64_t store_p10[19] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
	100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
	1000000000000000000LL };

static inline uint64_t
zz(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t
unzz(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* v as (v / 10^tz, tz): the mantissa's decimal zeros cost almost nothing
 * (mantissas at exponent -8 with a 0.01 tick end in six zeros). */
static inline void
split10(int64_t v, int64_t *m, uint8_t *tz)
{
	*tz = 0;
	while (v && *tz < 18 && v % 10 == 0) {
		v /= 10;
		(*tz)++;
	}
	*m = v;
}

/* m * 10^tz, wrapping (tz <= 18, checked by the callers). */
static inline int64_t
join10(int64_t m, unsigned tz)
{
	return (int64_t)((uint64_t)m * (uint64_t)store_p10[tz]);
}

#endif
