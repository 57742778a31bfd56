/*
 * bench_keeper.h - what the keeper benchmarks (bench_splice.c,
 * bench_okx_top5.c) share: the thread's CPU time (the machine is shared:
 * wall time would measure preemption), a sink that only counts output
 * bytes, and the sort of samples for quantiles.  Header-only, static
 * inline: each bench is one program.
 */
#ifndef MP_TEST_BENCH_KEEPER_H
#define MP_TEST_BENCH_KEEPER_H

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "rec.h"

static inline int64_t
bench_cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* bk_sink.record: ud is a uint64_t byte count. */
static inline void
bench_sink_bytes(void *ud, const struct rec_hdr *rec)
{
	(*(uint64_t *)ud) += rec->len;
}

static inline int
bench_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Sort t[0..n) ascending (for p50 = t[n / 2], p99 = t[n * 99 / 100]). */
static inline void
bench_sort(int64_t *t, int n)
{
	qsort(t, (size_t)n, sizeof *t, bench_cmp_i64);
}

#endif
