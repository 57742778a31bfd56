/*
 * bench_ch URL LABEL - ClickHouse insert throughput of the sink's encoder and
 * HTTP client against the server at URL (started by bench_clickhouse.sh):
 * orderbook_deltas rows/s with 50,000-row RowBinary INSERTs, for each body
 * encoding the server takes, next to the encoder alone (the baseline: how
 * fast rows are produced before any network or server work).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen.h"
#include "inst.h"
#include "log.h"
#include "../../stored/ch_int.h"

#define ROWS 200000
#define BATCH 50000

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static struct inst_registry reg;   /* static: reachable to the end (allocated) */
	struct gen_book b;
	struct ch_enc e;
	struct ch_http *h;
	struct rec_delta **d;
	const char *resp, *encs[3] = { "none", "gzip", "zstd" };
	char err[512], q[512], ver[64], *ddl;
	double t0, t_enc;
	int i, k, retry, mode;
	uint64_t levels = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_ch URL LABEL\n");
		return 2;
	}
	log_init("bench_ch");
	inst_add(&reg, EX_BINANCE, "BTC-USDT", err, sizeof err);
	gen_init(&b, 1, EX_BINANCE, 9000000000000LL, 1000000, 1000, 5000, 9, 1763949600000000000LL);
	d = calloc(ROWS, sizeof *d);
	for (i = 0; i < ROWS; i++) {
		d[i] = gen_delta(&b, 8 + (int)(gen_rand(&b) % 40));
		levels += d[i]->n_bids + d[i]->n_asks;
	}
	h = ch_http_new(argv[1], "default", "", 60000);
	if (ch_http_query(h, "SELECT version()", NULL, NULL, 0, NULL, &resp, &retry, err, sizeof err) < 0) {
		printf("{\"bench\": \"clickhouse_insert_%s\", \"error\": \"%s\"}\n", argv[2], err);
		return 0;
	}
	snprintf(ver, sizeof ver, "%.*s", (int)strcspn(resp, "\n"), resp);
	mode = atoi(ver) >= 23 ? CH_MODERN : CH_LEGACY;
	ch_http_query(h, "CREATE DATABASE IF NOT EXISTS mpbench", NULL, NULL, 0, NULL, &resp, &retry, err, sizeof err);
	ch_http_query(h, "DROP TABLE IF EXISTS mpbench.orderbook_deltas", NULL, NULL, 0, NULL, &resp, &retry, err, sizeof err);
	ddl = ch_table_ddl(CH_T_DELTAS, mode, "mpbench");
	if (ch_http_query(h, ddl, NULL, NULL, 0, NULL, &resp, &retry, err, sizeof err) < 0) {
		printf("{\"bench\": \"clickhouse_insert_%s\", \"error\": \"%s\"}\n", argv[2], err);
		return 0;
	}
	free(ddl);

	/* Baseline: encoding alone. */
	memset(&e, 0, sizeof e);
	t0 = now_s();
	for (i = 0; i < ROWS; i++) {
		if (i % BATCH == 0)
			ch_buf_reset(&e.t[CH_T_DELTAS]);
		ch_encode(&e, &d[i]->h, "binance", "BTC-USDT", &reg.v[0]);
	}
	t_enc = now_s() - t0;

	snprintf(q, sizeof q, "INSERT INTO mpbench.orderbook_deltas %s FORMAT RowBinary", ch_table_columns(CH_T_DELTAS));
	for (k = 0; k < 3; k++) {
		const char *enc = strcmp(encs[k], "none") ? encs[k] : NULL;
		double t_send = 0;
		size_t body = 0;
		int ok = 1;
		if (mode == CH_LEGACY && enc && !strcmp(enc, "zstd"))
			continue;   /* 18.16 takes gzip and deflate only */
		t0 = now_s();
		for (i = 0; i < ROWS && ok; i += BATCH) {
			int j;
			ch_buf_reset(&e.t[CH_T_DELTAS]);
			for (j = i; j < i + BATCH && j < ROWS; j++)
				ch_encode(&e, &d[j]->h, "binance", "BTC-USDT", &reg.v[0]);
			body += e.t[CH_T_DELTAS].len;
			if (ch_http_query(h, q, mode == CH_MODERN ? "&async_insert=0" : NULL, e.t[CH_T_DELTAS].p,
			    e.t[CH_T_DELTAS].len, enc, &resp, &retry, err, sizeof err) < 0) {
				printf("{\"bench\": \"clickhouse_insert_%s\", \"error\": \"%s\"}\n", argv[2], err);
				ok = 0;
			}
		}
		t_send = now_s() - t0;
		if (ok)
			printf("{\"bench\": \"clickhouse_insert_%s_%s\", \"value\": %.0f, \"unit\": \"rows/s\", "
			    "\"level_updates_per_s\": %.0f, \"baseline_encode_rows_per_s\": %.0f, \"rows\": %d, "
			    "\"rows_per_insert\": %d, \"rowbinary_bytes_per_row\": %.1f, \"table\": \"orderbook_deltas\", "
			    "\"server\": \"%s\"}\n", argv[2], encs[k], ROWS / t_send, (double)levels / t_send,
			    ROWS / t_enc, ROWS, BATCH, (double)body / ROWS, ver);
	}
	/* On disk: bytes per row and per level update after the server's compression. */
	if (ch_http_query(h, "OPTIMIZE TABLE mpbench.orderbook_deltas FINAL", NULL, NULL, 0, NULL, &resp, &retry,
	    err, sizeof err) == 0 &&
	    ch_http_query(h, "SELECT sum(bytes_on_disk), sum(rows) FROM system.parts WHERE database = 'mpbench' "
	    "AND table = 'orderbook_deltas' AND active", NULL, NULL, 0, NULL, &resp, &retry, err, sizeof err) == 0) {
		double bytes = 0, rows = 0;
		sscanf(resp, "%lf\t%lf", &bytes, &rows);
		if (rows > 0)
			printf("{\"bench\": \"clickhouse_bytes_per_level_update_%s\", \"value\": %.3f, \"unit\": \"B/level\", "
			    "\"bytes_per_row\": %.1f, \"rows\": %.0f, \"baseline_rowbinary_bytes_per_level\": %.3f}\n",
			    argv[2], bytes / (rows / ROWS * (double)levels), bytes / rows, rows,
			    (double)e.t[CH_T_DELTAS].len / (double)BATCH * ROWS / (double)levels);
	}
	ch_http_query(h, "DROP DATABASE mpbench", NULL, NULL, 0, NULL, &resp, &retry, err, sizeof err);
	for (i = 0; i < ROWS; i++)
		free(d[i]);
	free(d);
	gen_free(&b);
	ch_http_free(h);
	for (k = 0; k < CH_T_MAX; k++)
		ch_buf_free(&e.t[k]);
	return 0;
}
