/*
 * backoff.h - reconnect delays: exponential from min to max, plus a random
 * jitter of up to jitter_pct percent, so many clients that lost the venue at
 * the same moment do not come back in lockstep.  Pure logic.
 */
#ifndef MP_FEEDD_BACKOFF_H
#define MP_FEEDD_BACKOFF_H

#include <stdint.h>

struct backoff {
	int64_t min_ns, max_ns;
	int jitter_pct;
	uint32_t attempts;   /* delays handed out since the last reset */
	uint64_t rng;
};

void backoff_init(struct backoff *b, int64_t min_ns, int64_t max_ns, int jitter_pct, uint64_t seed);
/* The delay before the next attempt (and count the attempt). */
int64_t backoff_next(struct backoff *b);
/* A connection proved healthy: the next delay is min again. */
void backoff_reset(struct backoff *b);

#endif
