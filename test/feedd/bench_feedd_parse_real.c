/*
 * bench_feedd_parse_real.c - the parser on the real recording's depth frames
 * (../shared/data/binance-spot-ethusdt-20240808.cap.zst): every depthUpdate
 * frame through the scanner (parse_scan_binance_ws: scan, stage, lay out the
 * delta record), next to the scanner as it was before the fused level reader
 * (parse_scan_ref.c) in the same run.  Before timing, both must give
 * byte-identical records for every frame.
 *
 * Each frame keeps the least time it took over REPS passes (the two readers
 * alternate within a pass), so a pass preempted by other work on the machine
 * does not count its preemption.  One JSON line: ns per level update.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../bookd/real_cap.h"
#include "log.h"
#include "parse_scan_ref.h"

enum { REPS = 25 };

typedef int (*scan_fn)(struct parse_ctx *, const char *, size_t, int64_t, parse_emit_fn, void *);

struct frame {
	const char *buf;
	size_t len;
	int64_t recv_ns;
	uint32_t levels;
	uint64_t hash;          /* FNV-1a of the records the live scanner emitted */
};

static int64_t
ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
hash_emit(void *ud, const struct rec_hdr *h)
{
	uint64_t *x = ud;
	const unsigned char *b = (const unsigned char *)h;

	for (uint32_t i = 0; i < h->len; i++)
		*x = (*x ^ b[i]) * 1099511628211ULL;
	return 0;
}

static volatile uint64_t g_sink;

static int
touch_emit(void *ud, const struct rec_hdr *h)
{
	(void)ud;
	g_sink += h->len + (uint64_t)h->last_id;
	return 0;
}

static int
run_one(struct parse_ctx *p, scan_fn fn, const struct frame *f, parse_emit_fn emit, void *ud)
{
	((struct parse_state *)p->scratch)->emitted = 0;
	p->err[0] = 0;
	return fn(p, f->buf, f->len, f->recv_ns, emit, ud);
}

static void
fail(const char *msg)
{
	printf("{\"bench\": \"feedd_parse_real_spot\", \"error\": \"%s\"}\n", msg);
	exit(1);
}

int
main(int argc, char **argv)
{
	char path[4096], err[256];
	struct rc_cap c;
	struct parse_ctx p;
	struct frame *fr;
	size_t nf = 0, nlev = 0;
	int64_t *best_new, *best_old, sum_new = 0, sum_old = 0;

	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: bench_feedd_parse_real\n"
		    "The scanner on every depth frame of $MP_ROOT/../shared/data/\n"
		    "binance-spot-ethusdt-20240808.cap.zst, ns per level update, next to the\n"
		    "scanner before the fused level reader (same run); one JSON line.\n");
		return 0;
	}
	log_set_level(LOG_ERROR);
	rc_data_path("binance-spot-ethusdt-20240808.cap.zst", path, sizeof path);
	if (rc_load(&c, path, err, sizeof err) < 0)
		fail(err);
	if (!(fr = calloc(c.nlines, sizeof *fr)) || parse_init(&p, &c.reg, EX_BINANCE) < 0)
		fail("out of memory");
	for (size_t i = 0; i < c.nlines; i++) {
		char *src, *payload;
		size_t plen;
		int64_t recv_ns;
		struct frame *f = &fr[nf];
		struct parse_state *st = p.scratch;
		uint64_t h_old = 14695981039346656037ULL;

		/* rc_split writes NULs into the line: the lines are not used again */
		if (rc_split(c.line[i], c.len[i], &recv_ns, &src, &payload, &plen) < 0 ||
		    strcmp(src, "ws") != 0 || !strstr(payload, "\"depthUpdate\""))
			continue;
		f->buf = payload;
		f->len = plen;
		f->recv_ns = recv_ns;
		f->hash = 14695981039346656037ULL;
		if (run_one(&p, parse_scan_binance_ws, f, hash_emit, &f->hash) != 1)
			fail("the scanner refused a depth frame of the recording");
		f->levels = st->side[0].n + st->side[1].n;
		if (run_one(&p, ref_scan_binance_ws, f, hash_emit, &h_old) != 1 || h_old != f->hash)
			fail("the scanner and its baseline disagree on a depth frame");
		nlev += f->levels;
		nf++;
	}
	best_new = malloc(nf * sizeof *best_new);
	best_old = malloc(nf * sizeof *best_old);
	if (!best_new || !best_old)
		fail("out of memory");
	for (size_t i = 0; i < nf; i++)
		best_new[i] = best_old[i] = INT64_MAX;
	for (int rep = 0; rep < REPS; rep++)
		for (size_t i = 0; i < nf; i++)
			for (int k = 0; k < 2; k++) {
				int old = (k ^ rep) & 1;
				int64_t t0 = ns(), dt;
				run_one(&p, old ? ref_scan_binance_ws : parse_scan_binance_ws, &fr[i],
				    touch_emit, NULL);
				dt = ns() - t0;
				if (old && dt < best_old[i])
					best_old[i] = dt;
				if (!old && dt < best_new[i])
					best_new[i] = dt;
			}
	for (size_t i = 0; i < nf; i++) {
		sum_new += best_new[i];
		sum_old += best_old[i];
	}
	printf("{\"bench\": \"feedd_parse_real_spot\", \"value\": %.1f, \"unit\": \"ns/level update\", "
	    "\"baseline_old_scanner\": %.1f, \"ratio\": %.3f, \"frames\": %zu, \"level_updates\": %zu, "
	    "\"identical_records\": true}\n", (double)sum_new / (double)nlev, (double)sum_old / (double)nlev,
	    (double)sum_new / (double)sum_old, nf, nlev);
	free(best_new);
	free(best_old);
	free(fr);
	parse_free(&p);
	rc_free(&c);
	return 0;
}
