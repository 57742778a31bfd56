/*
 * bench_inst.c - inst_find at 10 / 100 / 1000 instruments (make bench): the
 * look-up feedd's parsers make per frame (parse_build.c, by the venue's own
 * name, any case).  value: ns per look-up through the registry's hash index
 * (inst_find); baseline: the scan it replaced (inst_find_linear), same run,
 * same names: every instrument by its venue name on the second of two
 * venues (so the scan passes the first venue's instruments too), plus one
 * missing name in ten.  One JSON line per instrument count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inst.h"

static volatile uintptr_t g_sink;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double
run(const struct inst_registry *r, int linear, char (*names)[24], int nnames)
{
	long n = 0;
	double t0 = now_s(), t;

	do {
		for (int i = 0; i < nnames; i++)
			g_sink += (uintptr_t)(linear ? inst_find_linear(r, EX_OKX, names[i]) : inst_find(r, EX_OKX, names[i]));
		n += nnames;
		t = now_s();
	} while (t - t0 < 0.3);
	return (t - t0) * 1e9 / (double)n;
}

int
main(int argc, char **argv)
{
	static const int counts[] = {10, 100, 1000};

	(void)argv;
	if (argc > 1) {
		printf("usage: bench_inst (no arguments): JSON lines, inst_find index vs scan at 10/100/1000 instruments\n");
		return 0;
	}
	for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
		int n = counts[k], nnames = 0;
		struct inst_registry r;
		char err[160], sym[32], (*names)[24] = malloc((size_t)(n + n / 10 + 1) * sizeof *names);
		double idx, lin;

		if (!names)
			return 1;
		inst_reg_init(&r, 2 * n + 10);
		for (int e = 0; e < 2; e++)
			for (int i = 0; i < n; i++) {
				snprintf(sym, sizeof sym, "I%d-USDT", i);
				if (!inst_add(&r, e ? EX_OKX : EX_BINANCE, sym, err, sizeof err)) {
					fprintf(stderr, "bench_inst: %s\n", err);
					return 1;
				}
			}
		for (int i = 0; i < n; i++) {
			snprintf(names[nnames++], 24, "i%d-usdt", i);
			if (i % 10 == 0)
				snprintf(names[nnames++], 24, "X%d-USDT", i);   /* not listed */
		}
		idx = run(&r, 0, names, nnames);
		lin = run(&r, 1, names, nnames);
		printf("{\"bench\": \"inst_find\", \"instruments\": %d, \"registry\": %d, \"value\": %.1f, "
		    "\"unit\": \"ns per look-up\", \"baseline\": %.1f, \"baseline_what\": \"inst_find_linear (the scan "
		    "before the index)\", \"speedup\": %.1f}\n", n, r.n, idx, lin, lin / idx);
		inst_reg_free(&r);
		free(names);
	}
	return 0;
}
