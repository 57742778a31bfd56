/*
 * bench_common.c - costs of the foundation code on the hot path (make bench).
 *
 *   fx_parse   ns per exchange number string;  baseline: strtod on the same strings
 *   fx_format  ns per number, venue style;     baseline: snprintf("%.8f") of a double
 *   rec_check  ns per 5000x2-level snapshot;   baseline: memcpy of the same record
 *   rec_to_json ns per 5000x2-level snapshot with exchange strings;
 *              baseline: the same levels as bare mantissas (reg = NULL)
 * One JSON line each, with the baseline measured in the same run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fx.h"
#include "inst.h"
#include "rec.h"

static volatile int64_t g_sink;
static volatile double g_dsink;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *const nums[] = {
	"61737.63000000", "0.00000000", "0.01500000", "3012.47000000", "12.34567800",
	"8476.98", "30243.5", "0.0000102", "8477", "0", "0.1", "2.53410001",
};
#define NNUMS ((int)(sizeof nums / sizeof nums[0]))

static double
bench_parse(int baseline, double budget)
{
	size_t lens[NNUMS];
	long n = 0;
	double t0 = now_s(), t;

	for (int i = 0; i < NNUMS; i++)
		lens[i] = strlen(nums[i]);
	do {
		for (int rep = 0; rep < 1000; rep++)
			for (int i = 0; i < NNUMS; i++) {
				if (baseline) {
					g_dsink += strtod(nums[i], NULL);
				} else {
					int64_t v;

					fx_parse(nums[i], lens[i], -8, &v);
					g_sink += v;
				}
			}
		n += 1000L * NNUMS;
		t = now_s();
	} while (t - t0 < budget);
	return (t - t0) / (double)n * 1e9;
}

static double
bench_format(int baseline, double budget)
{
	char buf[64];
	long n = 0;
	double t0 = now_s(), t;

	do {
		for (int i = 0; i < 10000; i++) {
			int64_t v = 6173763000000LL + i;

			if (baseline)
				g_sink += snprintf(buf, sizeof buf, "%.8f", (double)v * 1e-8);
			else
				g_sink += (int64_t)fx_format(v, -8, 8, buf, sizeof buf);
		}
		n += 10000;
		t = now_s();
	} while (t - t0 < budget);
	return (t - t0) / (double)n * 1e9;
}

static void *
big_snapshot(size_t *len)
{
	size_t n = rec_snapshot_size(REC_MAX_LEVELS, REC_MAX_LEVELS);
	struct rec_snapshot *s = calloc(1, n);

	rec_hdr_init(&s->h, REC_SNAPSHOT, 1, (uint32_t)n);
	s->kind = SNAP_FULL;
	s->nchunks = 1;
	s->n_bids = s->n_asks = REC_MAX_LEVELS;
	for (int i = 0; i < 2 * REC_MAX_LEVELS; i++) {
		s->lv[i].px = 6173763000000LL + (i < REC_MAX_LEVELS ? -i : i) * 1000000LL;
		s->lv[i].qty = 12345678 + i;
	}
	*len = n;
	return s;
}

static double
bench_check(const void *rec, size_t len, int baseline, double budget)
{
	void *copy = malloc(len);
	long n = 0;
	double t0 = now_s(), t;

	do {
		for (int i = 0; i < 100; i++) {
			if (baseline) {
				memcpy(copy, rec, len);
				g_sink += ((unsigned char *)copy)[len - 1];
			} else {
				g_sink += rec_check(rec, len, NULL, 0);
			}
		}
		n += 100;
		t = now_s();
	} while (t - t0 < budget);
	free(copy);
	return (t - t0) / (double)n * 1e9;
}

static double
bench_json(const void *rec, const struct inst_registry *reg, double budget, size_t *bytes)
{
	long n = 0;
	double t0 = now_s(), t;

	do {
		char *s = rec_to_json(rec, reg, -1);

		*bytes = strlen(s);
		g_sink += (int64_t)*bytes;
		free(s);
		n++;
		t = now_s();
	} while (t - t0 < budget);
	return (t - t0) / (double)n * 1e9;
}

int
main(void)
{
	static struct inst_registry reg;   /* static: reachable to the end (allocated) */
	char err[64];
	size_t len, jb = 0, jb0 = 0;
	void *snap;
	double a, b;

	inst_add(&reg, EX_BINANCE, "BTC-USDT", err, sizeof err);
	a = bench_parse(0, 0.3);
	b = bench_parse(1, 0.3);
	printf("{\"bench\": \"fx_parse\", \"value\": %.1f, \"unit\": \"ns/number\", "
	    "\"baseline\": \"strtod\", \"baseline_value\": %.1f}\n", a, b);
	a = bench_format(0, 0.3);
	b = bench_format(1, 0.3);
	printf("{\"bench\": \"fx_format\", \"value\": %.1f, \"unit\": \"ns/number\", "
	    "\"baseline\": \"snprintf %%.8f\", \"baseline_value\": %.1f}\n", a, b);
	snap = big_snapshot(&len);
	a = bench_check(snap, len, 0, 0.3);
	b = bench_check(snap, len, 1, 0.3);
	printf("{\"bench\": \"rec_check_snapshot_5000x2\", \"value\": %.1f, \"unit\": \"ns/record\", "
	    "\"bytes\": %zu, \"baseline\": \"memcpy\", \"baseline_value\": %.1f}\n", a, len, b);
	a = bench_json(snap, &reg, 0.5, &jb);
	b = bench_json(snap, NULL, 0.5, &jb0);
	printf("{\"bench\": \"rec_to_json_snapshot_5000x2\", \"value\": %.0f, \"unit\": \"ns/record\", "
	    "\"json_bytes\": %zu, \"baseline\": \"mantissas (no registry)\", \"baseline_value\": %.0f, "
	    "\"baseline_json_bytes\": %zu}\n", a, jb, b, jb0);
	free(snap);
	return 0;
}
