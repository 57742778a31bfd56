/*
 * metrics.h - counters, gauges and histograms kept in shared memory, so that
 * mpctl (and the inspector) read every process's figures without asking it,
 * and the figures survive the process being restarted.
 *
 * One file per process: /dev/shm/<prefix>/metrics.<process> (mode 0600), a
 * header plus a table of slots sized when the file is made: METRICS_SLOTS_BASE
 * plus METRICS_SLOTS_PER_BOOK for each book the process keeps (the header
 * says how many; readers take it from there).  A slot has a Prometheus
 * name ("mp_feed_frames_total"), a label string ('exchange="binance"'), a kind
 * and its value(s).  Registration (metrics_counter() etc.) happens at start-up
 * and finds an existing slot of the same name+labels, so a restarted process
 * keeps counting where it stopped (a restart with another number of books
 * makes the file anew).  The writer finds a name+labels through a hash index
 * of its own, so registering n metrics costs O(n), not O(n^2).  Updates are
 * relaxed atomics: one writer process per file, any number of readers.
 *
 * Histograms have fixed log-linear buckets (METRICS_HBUCKETS; for latencies
 * in ns: <= 1 us, then 4 per doubling, 1.25/1.5/1.75/2 us * 2^k, up to 268 s,
 * then +Inf), a count, a sum and the largest value; readers compute
 * quantiles.  Four buckets a doubling keep an interpolated p99 within a few
 * per cent where the old 1 us * 2^i buckets could be off by half (a 1.1 ms
 * and a 2 ms tail looked the same); the powers of two are still bounds, so
 * a query on le="0.004096" means what it meant.
 */
#ifndef MP_METRICS_H
#define MP_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* bookd registers ~37 metrics a book; a slot is ~600 bytes, and only the
 * slots in use are ever touched (the file is sparse). */
#define METRICS_SLOTS_BASE 4096
#define METRICS_SLOTS_PER_BOOK 48
#define METRICS_HSUB 4          /* buckets per doubling */
#define METRICS_HOCTAVES 28     /* doublings above 1 us covered (to 2^28 us = 268 s) */
#define METRICS_HBUCKETS (2 + METRICS_HSUB * METRICS_HOCTAVES)  /* <= 1 us, ..., +Inf */
#define METRICS_MAGIC 0x5352544d5250554dULL

enum metric_kind { METRIC_COUNTER = 1, METRIC_GAUGE = 2, METRIC_HIST = 3 };

struct metric_hist {
	_Atomic uint64_t count;
	_Atomic int64_t sum;
	_Atomic int64_t max;            /* largest value observed (0 = none yet) */
	_Atomic uint64_t bucket[METRICS_HBUCKETS];
};

/* Upper bound of bucket i (< METRICS_HBUCKETS - 1; the last one is +Inf). */
int64_t metrics_bucket_le(int i);
/* The bucket a value falls in: the first i with value <= metrics_bucket_le(i). */
int metrics_bucket_of(int64_t value);

struct metrics;

/* Open or create the file for `process` under the ring prefix directory,
 * with room for METRICS_SLOTS_BASE metrics ... */
struct metrics *metrics_open(const char *prefix, const char *process, char *err, size_t errlen);
/* ... and METRICS_SLOTS_PER_BOOK more for each of `books` books. */
struct metrics *metrics_open_books(const char *prefix, const char *process, int books, char *err, size_t errlen);
void metrics_close(struct metrics *m);

/* Register (or find) a metric; the pointer stays valid until metrics_close.
 * help is one line for Prometheus # HELP.  Never returns NULL: when the table is
 * full, the name is not [A-Za-z0-9_:]{1,63}, the name is registered with another
 * kind, or m is NULL, a private dummy slot is returned (and an error logged). */
_Atomic uint64_t *metrics_counter(struct metrics *m, const char *name, const char *labels, const char *help);
_Atomic int64_t *metrics_gauge(struct metrics *m, const char *name, const char *labels, const char *help);
struct metric_hist *metrics_hist(struct metrics *m, const char *name, const char *labels, const char *help);

static inline void
metric_inc(_Atomic uint64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}
static inline void
metric_set(_Atomic int64_t *g, int64_t v)
{
	atomic_store_explicit(g, v, memory_order_relaxed);
}
void metric_observe(struct metric_hist *h, int64_t value);

/* Stamp the process heartbeat and pid in the header (about once a second). */
void metrics_heartbeat(struct metrics *m);

/* ---- readers (mpctl, tests) ---- */
struct metric_view {
	char name[64];
	char labels[128];
	char help[128];
	int kind;
	uint64_t counter;
	int64_t gauge;
	struct { uint64_t count; int64_t sum; int64_t max; uint64_t bucket[METRICS_HBUCKETS]; } hist;
};
/* Map a process's metrics file read-only and copy every slot out.  Returns the
 * number of slots (<= max), or -1 with err.  *pid and *hb_ns describe the writer. */
int metrics_read(const char *path, struct metric_view *out, int max, int32_t *pid, int64_t *hb_ns,
    char *err, size_t errlen);
/* The same into *out, allocated to fit every slot (free() it; NULL when 0
 * or -1 is returned). */
int metrics_read_all(const char *path, struct metric_view **out, int32_t *pid, int64_t *hb_ns,
    char *err, size_t errlen);
/* Quantile (0..1) of a histogram view, interpolated inside its bucket (ns). */
double metrics_quantile(const struct metric_view *v, double q);

#endif
