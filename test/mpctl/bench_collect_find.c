/*
 * bench_collect_find.c - mpctl's metric look-up at 10 / 100 / 1000
 * instruments (make bench): a tick's table shaped like bookd's (BOOK_NAMES
 * metrics per book, labelled exchange/symbol, plus a few per process), and
 * the callers' loop `for (i = 0; collect_find(c, "bookd", name, NULL, i); i++)`
 * summing one metric over every book (report.c's sum_metric, loss.c,
 * alerts.c).  value: ns per such sum through the index (collect_find);
 * baseline: the same sums by the scan it replaced (collect_find_linear), in
 * the same run.  One JSON line per instrument count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mpctl.h"

#define BOOK_NAMES 37

static volatile uint64_t g_sink;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
add(struct ctl *c, const char *process, const char *name, const char *labels)
{
	if (c->nmv == c->mvcap) {
		c->mvcap = c->mvcap ? c->mvcap * 2 : 1024;
		if (!(c->mv = realloc(c->mv, (size_t)c->mvcap * sizeof *c->mv)))
			exit(1);
	}
	memset(&c->mv[c->nmv], 0, sizeof c->mv[0]);
	snprintf(c->mv[c->nmv].process, sizeof c->mv[0].process, "%s", process);
	snprintf(c->mv[c->nmv].v.name, sizeof c->mv[0].v.name, "%s", name);
	snprintf(c->mv[c->nmv].v.labels, sizeof c->mv[0].v.labels, "%s", labels);
	c->mv[c->nmv].v.counter = 1;
	c->nmv++;
}

/* ns per sum of one metric over every book. */
static double
run(struct ctl *c, int linear, int books)
{
	const struct mview *(*find)(const struct ctl *, const char *, const char *, const char *, int) =
	    linear ? collect_find_linear : collect_find;
	char name[64];
	long sums = 0;
	double t0 = now_s(), t;

	do {
		const struct mview *m;
		uint64_t s = 0;
		int i;

		snprintf(name, sizeof name, "mp_book_metric_%ld_total", sums % BOOK_NAMES);
		for (i = 0; (m = find(c, "bookd", name, NULL, i)); i++)
			s += m->v.counter;
		if (i != books)
			exit(2);   /* a wrong answer is no figure */
		g_sink += s;
		sums++;
		t = now_s();
	} while (t - t0 < 0.3 && sums < 2000000);
	return (t - t0) * 1e9 / (double)sums;
}

int
main(int argc, char **argv)
{
	static const int counts[] = {10, 100, 1000};

	(void)argv;
	if (argc > 1) {
		printf("usage: bench_collect_find (no arguments): JSON lines, index vs scan at 10/100/1000 instruments\n");
		return 0;
	}
	for (size_t n = 0; n < sizeof counts / sizeof counts[0]; n++) {
		struct ctl *c = calloc(1, sizeof *c);
		char name[64], lab[128];
		double idx, lin;

		if (!c)
			return 1;
		for (int b = 0; b < counts[n]; b++)
			for (int k = 0; k < BOOK_NAMES; k++) {
				snprintf(name, sizeof name, "mp_book_metric_%d_total", k);
				snprintf(lab, sizeof lab, "exchange=\"okx\",symbol=\"S%d-USDT\"", b);
				add(c, "bookd", name, lab);
				/* the other daemons' per-book metrics */
				snprintf(name, sizeof name, "mp_other_%d_total", k % 8);
				add(c, k % 2 ? "routerd" : "stored", name, lab);
			}
		idx = run(c, 0, counts[n]);
		lin = run(c, 1, counts[n]);
		printf("{\"bench\": \"mpctl_collect_find_sum\", \"instruments\": %d, \"slots\": %d, \"value\": %.0f, "
		    "\"unit\": \"ns per sum of one metric over every book\", \"baseline\": %.0f, "
		    "\"baseline_what\": \"collect_find_linear (the scan before the index)\", \"speedup\": %.1f}\n",
		    counts[n], c->nmv, idx, lin, lin / idx);
		collect_index_free(c);
		free(c->mv);
		free(c);
	}
	return 0;
}
