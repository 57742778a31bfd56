/*
 * bench_venue_real.c - parse + apply per venue on the real recordings
 * (../shared/data/): every depth frame of the Binance spot file (venue
 * binance) and of the USD-M file (venue binance-usdm, depthUpdate with pu)
 * through the live parser (parse_ws, scanner first) and into a book
 * (book_apply_id), in one run so the two figures sit side by side.  ns per
 * level update, the best of REPS passes over all frames.  The recordings are
 * read at run time; a missing one is an error line.
 *
 * Bybit has no recording here: its figure is synthetic, the spot file's
 * depth frames rewritten (before timing) as Bybit orderbook.1000 deltas with
 * the same levels (topic, type, ts, data.s/b/a/u/seq, cts), parsed on the
 * spot path - the same level content in Bybit's wire format, through its
 * parser (jansson only, no scanner yet).
 *
 * Deribit likewise (synthetic): the spot file's depth frames as Deribit
 * book.ETH-PERPETUAL.100ms change notifications with the same levels, the
 * price and size strings written as JSON numbers (["change"|"delete", px,
 * amount]), change_id / prev_change_id chained, through parse_deribit.c's
 * exact JSON reader.  The spot and Bybit lines of the same run are its
 * baselines.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../bookd/book.h"
#include "../../feedd/parse_impl.h"
#include "log.h"

enum { REPS = 15, MAXLV = 20000 };

struct frame {
	char *buf;
	size_t len;
};

struct run {
	struct book *book;
	uint64_t levels;
};

static int64_t
ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
apply(void *ud, const struct rec_hdr *h)
{
	struct run *r = ud;
	const struct rec_delta *d = (const void *)h;

	if (h->type != REC_DELTA)
		return 0;
	for (uint32_t i = 0; i < d->n_bids + d->n_asks; i++)
		book_apply_id(r->book, i < d->n_bids ? BOOK_BID : BOOK_ASK, d->lv[i].px, d->lv[i].qty, h->last_id);
	r->levels += d->n_bids + d->n_asks;
	return 0;
}

/* A Binance depthUpdate (raw or combined-stream) as a Bybit orderbook delta
 * with update id u: malloc'd, or NULL. */
static char *
as_bybit(const char *buf, size_t len, int64_t u, size_t *out_len)
{
	json_t *root = json_loadb(buf, len, 0, NULL), *d, *o, *data;
	char *s = NULL;

	d = json_object_get(root, "data") ? json_object_get(root, "data") : root;
	if (json_is_object(d) && json_is_array(json_object_get(d, "b")) && json_is_array(json_object_get(d, "a"))) {
		json_int_t E = json_integer_value(json_object_get(d, "E"));
		o = json_object();
		data = json_object();
		json_object_set_new(o, "topic", json_string("orderbook.1000.ETHUSDT"));
		json_object_set_new(o, "type", json_string("delta"));
		json_object_set_new(o, "ts", json_integer(E));
		json_object_set_new(data, "s", json_string("ETHUSDT"));
		json_object_set(data, "b", json_object_get(d, "b"));
		json_object_set(data, "a", json_object_get(d, "a"));
		json_object_set_new(data, "u", json_integer(u));
		json_object_set_new(data, "seq", json_integer(u * 7));
		json_object_set_new(o, "data", data);
		json_object_set_new(o, "cts", json_integer(E));
		s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
	}
	json_decref(root);
	if (s)
		*out_len = strlen(s);
	return s;
}

/* One side of a Binance depthUpdate as Deribit entries, numbers unquoted. */
static int
dr_side(FILE *o, json_t *arr)
{
	json_t *lv;
	size_t i;

	fputc('[', o);
	json_array_foreach(arr, i, lv) {
		const char *px = json_string_value(json_array_get(lv, 0)), *q = json_string_value(json_array_get(lv, 1));
		if (!px || !q)
			return -1;
		fprintf(o, "%s[\"%s\",%s,%s]", i ? "," : "", strspn(q, "0.") == strlen(q) ? "delete" : "change", px, q);
	}
	fputc(']', o);
	return 0;
}

/* A Binance depthUpdate as a Deribit book change with change_id u: malloc'd, or NULL. */
static char *
as_deribit(const char *buf, size_t len, int64_t u, size_t *out_len)
{
	json_t *root = json_loadb(buf, len, 0, NULL), *d;
	char *s = NULL;
	size_t n = 0;
	FILE *o;
	int bad;

	d = json_object_get(root, "data") ? json_object_get(root, "data") : root;
	if (!json_is_object(d) || !(o = open_memstream(&s, &n))) {
		json_decref(root);
		return NULL;
	}
	fprintf(o, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":\"book.ETH-PERPETUAL.100ms\","
	    "\"data\":{\"type\":\"change\",\"timestamp\":%lld,\"prev_change_id\":%lld,\"instrument_name\":\"ETH-PERPETUAL\","
	    "\"change_id\":%lld,\"bids\":", (long long)json_integer_value(json_object_get(d, "E")), (long long)u * 3,
	    (long long)u * 3 + 3);
	bad = dr_side(o, json_object_get(d, "b"));
	fputs(",\"asks\":", o);
	bad |= dr_side(o, json_object_get(d, "a"));
	fputs("}}}", o);
	fclose(o);
	json_decref(root);
	if (bad) {
		free(s);
		return NULL;
	}
	*out_len = n;
	return s;
}

/* The venue's frame from a Binance depthUpdate (NULL: the frame as it is). */
typedef char *(*rewrite_fn)(const char *buf, size_t len, int64_t u, size_t *out_len);

static void
bench(const char *name, const char *file, int exch, const char *canon, rewrite_fn rewrite, const char *ws_path)
{
	char path[4096], cmd[4200], err[160], *line = NULL;
	const char *root = getenv("MP_ROOT");
	static struct inst_registry reg;
	struct parse_ctx p;
	struct frame *fr = NULL;
	size_t nf = 0, cap = 0, lcap = 0;
	ssize_t n;
	int64_t best = INT64_MAX;
	uint64_t levels = 0, slow;
	FILE *f;

	snprintf(path, sizeof path, "%s/../shared/data/%s", root ? root : ".", file);
	inst_reg_free(&reg);   /* empty again (static: set up more than once) */
	if (!inst_add(&reg, exch, canon, err, sizeof err) || parse_init(&p, &reg, exch) < 0) {
		printf("{\"bench\": \"%s\", \"error\": \"setup: %s\"}\n", name, err);
		return;
	}
	snprintf(cmd, sizeof cmd, "zstd -dc -- '%s' 2>/dev/null", path);
	if (!(f = popen(cmd, "r"))) {
		printf("{\"bench\": \"%s\", \"error\": \"cannot run zstd\"}\n", name);
		return;
	}
	while ((n = getline(&line, &lcap, f)) >= 0) {
		char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
		char *sp3 = sp2 ? strchr(sp2 + 1, ' ') : NULL;

		if (!sp3 || strncmp(sp2 + 1, "ws ", 3) != 0 || !strstr(sp3, "\"depthUpdate\""))
			continue;
		if (nf == cap && !(fr = realloc(fr, (cap = cap ? 2 * cap : 1024) * sizeof *fr)))
			exit(1);
		fr[nf].len = (size_t)n - (size_t)(sp3 + 1 - line) - 1;
		if (rewrite)
			fr[nf].buf = rewrite(sp3 + 1, fr[nf].len, (int64_t)nf + 1, &fr[nf].len);
		else
			fr[nf].buf = strndup(sp3 + 1, fr[nf].len);
		if (fr[nf].buf)
			nf++;
	}
	free(line);
	if (pclose(f) != 0 || nf == 0) {
		printf("{\"bench\": \"%s\", \"error\": \"%s: missing or unreadable (the real recordings live in "
		    "../shared/data/)\"}\n", name, path);
		parse_free(&p);
		return;
	}
	p.ws_path = ws_path;
	slow = p.slow_path;
	for (int rep = 0; rep < REPS; rep++) {
		struct run r = {book_new(MAXLV), 0};
		int64_t t0 = ns(), dt;

		for (size_t i = 0; i < nf; i++)
			parse_ws(&p, fr[i].buf, fr[i].len, 1, apply, &r);
		dt = ns() - t0;
		if (dt < best)
			best = dt;
		levels = r.levels;
		book_free(r.book);
	}
	printf("{\"bench\": \"%s\", \"value\": %.1f, \"unit\": \"ns/level update\", \"what\": \"parse_ws + "
	    "book_apply_id\", \"frames\": %zu, \"level_updates\": %llu, \"slow_path_frames\": %llu, "
	    "\"parse_errors\": %llu}\n", name, (double)best / (double)levels, nf, (unsigned long long)levels,
	    (unsigned long long)((p.slow_path - slow) / REPS), (unsigned long long)p.errors);
	for (size_t i = 0; i < nf; i++)
		free(fr[i].buf);
	free(fr);
	parse_free(&p);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: bench_venue_real\n"
		    "Parse + apply, ns per level update, of every depth frame of the real recordings\n"
		    "$MP_ROOT/../shared/data/binance-spot-ethusdt-20240808.cap.zst (binance) and\n"
		    "binance-usdm-ethusdt-20240808.cap.zst (binance-usdm), in one run; one JSON line each.\n"
		    "Bybit (synthetic): the spot file's depth frames rewritten as Bybit orderbook deltas\n"
		    "with the same levels, through the Bybit parser; Deribit (synthetic) likewise as\n"
		    "book change notifications with JSON numbers, through the Deribit parser.\n");
		return 0;
	}
	log_set_level(LOG_ERROR);
	bench("venue_parse_apply_real_binance_spot", "binance-spot-ethusdt-20240808.cap.zst", EX_BINANCE, "ETH-USDT",
	    NULL, NULL);
	bench("venue_parse_apply_real_binance_usdm", "binance-usdm-ethusdt-20240808.cap.zst", EX_BINANCE_USDM,
	    "ETH-USDT-SWAP", NULL, NULL);
	bench("venue_parse_apply_synthetic_bybit_spot", "binance-spot-ethusdt-20240808.cap.zst", EX_BYBIT, "ETH-USDT",
	    as_bybit, "/v5/public/spot");
	bench("venue_parse_apply_synthetic_deribit_perpetual", "binance-spot-ethusdt-20240808.cap.zst", EX_DERIBIT,
	    "ETH-USD-SWAP", as_deribit, NULL);
	return 0;
}
