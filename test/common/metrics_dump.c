/*
 * metrics_dump.c - test helper: print a process's shared-memory metrics file
 * (common/metrics.h) as "name{labels} value" lines, counters and gauges only,
 * so shell tests can check a daemon's figures without running mpctl.
 * Usage: metrics_dump FILE     (exit 1 if it cannot be read)
 */
#include <stdio.h>
#include <stdlib.h>

#include "metrics.h"

int
main(int argc, char **argv)
{
	struct metric_view *v;
	char err[256];
	int32_t pid;
	int64_t hb;
	int n;

	if (argc != 2) {
		fprintf(stderr, "usage: metrics_dump FILE\n");
		return 2;
	}
	if ((n = metrics_read_all(argv[1], &v, &pid, &hb, err, sizeof err)) < 0) {
		fprintf(stderr, "metrics_dump: %s\n", err);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		if (v[i].kind == METRIC_COUNTER)
			printf("%s{%s} %llu\n", v[i].name, v[i].labels, (unsigned long long)v[i].counter);
		else if (v[i].kind == METRIC_GAUGE)
			printf("%s{%s} %lld\n", v[i].name, v[i].labels, (long long)v[i].gauge);
	}
	free(v);
	return 0;
}
