/*
 * jitter.h - a periodic interval +-10 % at random, so timers of many books
 * or instruments started together drift apart and a venue never sees them
 * as one burst (bookd's Binance refresh and OKX REST audit, feedd's OKX deep
 * polling).  xorshift64 on a caller-owned state (any non-zero seed): cheap,
 * deterministic for tests, not for anything that needs real randomness.
 */
#ifndef MP_JITTER_H
#define MP_JITTER_H

#include <stdint.h>

/* interval - 10 % .. interval + 10 %, advancing *state. */
static inline int64_t
jitter10(uint64_t *state, int64_t interval)
{
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return interval - interval / 10 + (int64_t)((x >> 11) % (uint64_t)(interval / 5 + 1));
}

#endif
