/*
 * log_throttle.h - one log line per trouble, not one per attempt.
 *
 * A daemon that retries a failing operation (a full disk, a refused
 * connection) would log the same line on every retry.  A throttle lets the
 * first line through, then at most one line per interval carrying how many
 * were held back since the previous one, and a line with a different key
 * (another error text) through at once.  When the trouble ends the caller
 * logs one "recovered" line with log_throttle_end()'s count, so the total
 * number of failures is never lost, only the repetition.
 *
 *   static struct log_throttle t = LOG_THROTTLE_INIT(10 * 1000000000LL);
 *   uint64_t held;
 *   if (log_throttle(&t, err, &held))
 *       log_error("commit failed", "err=%s repeats_held_back=%llu", log_q(err), held);
 *
 * Not thread-safe: one throttle per thread of use.
 */
#ifndef MP_LOG_THROTTLE_H
#define MP_LOG_THROTTLE_H

#include <stdint.h>

struct log_throttle {
	int64_t every_ns;       /* at most one line per this interval (same key) */
	int64_t next_ns;        /* CLOCK_MONOTONIC: the next line may go out then */
	uint64_t held;          /* lines held back since the last one written */
	uint64_t total;         /* occurrences since the trouble began (written or not) */
	char key[128];          /* what the last written line was about */
};

#define LOG_THROTTLE_INIT(every) { (every), 0, 0, 0, "" }

/* 1 = write the line now (*held = lines held back since the previous one),
 * 0 = hold it back (counted).  key may be NULL (all lines alike). */
int log_throttle(struct log_throttle *t, const char *key, uint64_t *held);
/* The trouble is over: returns how many times it occurred in all (0 if it
 * never did, so the caller logs "recovered" only after a failure) and resets. */
uint64_t log_throttle_end(struct log_throttle *t);

#endif
