/* backoff.c - exponential backoff with jitter; see backoff.h. */
#include "backoff.h"

void
backoff_init(struct backoff *b, int64_t min_ns, int64_t max_ns, int jitter_pct, uint64_t seed)
{
	b->min_ns = min_ns > 0 ? min_ns : 1;
	b->max_ns = max_ns > b->min_ns ? max_ns : b->min_ns;
	b->jitter_pct = jitter_pct < 0 ? 0 : jitter_pct > 100 ? 100 : jitter_pct;
	b->attempts = 0;
	b->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

static uint64_t
next_rand(struct backoff *b)
{
	/* xorshift64*: plenty for spreading reconnects */
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * 2685821657736338717ULL;
}

int64_t
backoff_next(struct backoff *b)
{
	int64_t d = b->min_ns;

	for (uint32_t i = 0; i < b->attempts && d < b->max_ns; i++)
		d *= 2;
	if (d > b->max_ns)
		d = b->max_ns;
	if (b->attempts < 64)
		b->attempts++;
	if (b->jitter_pct)
		d += (int64_t)(next_rand(b) % (uint64_t)(d / 100 * b->jitter_pct + 1));
	return d;
}

void
backoff_reset(struct backoff *b)
{
	b->attempts = 0;
}
