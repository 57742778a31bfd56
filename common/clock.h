/*
 * clock.h - the two clocks of the system, in ns.
 *  now_ns():  CLOCK_REALTIME - what records carry (exchange, receive and
 *             stage times) and what humans read.
 *  mono_ns(): CLOCK_MONOTONIC - heartbeats, timeouts and intervals; the same
 *             clock in every process of the machine, so ages compare across
 *             processes.
 */
#ifndef MP_CLOCK_H
#define MP_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#endif
