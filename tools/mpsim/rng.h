/*
 * rng.h - xoshiro256** seeded by splitmix64: a fast generator whose output
 * depends only on the seed, so every book state the simulator produces is a
 * function of --seed and the step count, never of client timing.
 */
#ifndef MPSIM_RNG_H
#define MPSIM_RNG_H

#include <math.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
};

static inline uint64_t
rng_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void
rng_seed(struct rng *r, uint64_t seed)
{
	uint64_t x = seed;

	for (int i = 0; i < 4; i++)
		r->s[i] = rng_splitmix(&x);
}

static inline uint64_t
rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s, res = rng_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return res;
}

/* Uniform in [0, n). */
static inline uint64_t
rng_below(struct rng *r, uint64_t n)
{
	return n ? rng_next(r) % n : 0;
}

/* Uniform in (0, 1]. */
static inline double
rng_unit(struct rng *r)
{
	return ((double)(rng_next(r) >> 11) + 1.0) / 9007199254740992.0;
}

/* Exponential with the given mean. */
static inline double
rng_exp(struct rng *r, double mean)
{
	return -log(rng_unit(r)) * mean;
}

#endif
