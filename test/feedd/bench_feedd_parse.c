/*
 * bench_feedd_parse.c - frame parse cost per venue and shape, scanner vs
 * jansson side by side (make bench).
 *
 * Shapes: Binance depthUpdate frames of realistic size (combined stream,
 * 8-decimal strings), Binance 5000-level REST snapshots, OKX books updates,
 * OKX 400-level WS snapshots and 5000-level books-full answers.  For each:
 *   - "auto": what feedd runs (scanner, jansson only for what it gives up on),
 *   - "jansson": the whole jansson path (load + walk + build records),
 *   - "json_loadb": jansson's parse alone (load + free), i.e. its share.
 * One JSON line per (shape, path): ns per level, frames/s, MB/s; every line
 * carries the jansson path's figure measured in the same run as baseline.
 *
 * Last, the whole path the issue sets a target for (120 ns per level): raw
 * Binance depth frame -> parse -> every level applied to a 5000-level book
 * (bookd's engine, bookd/book.h), next to the same with the jansson path.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../bookd/book.h"
#include "../../feedd/parse_impl.h"

static volatile int64_t g_sink;

static int
emit_touch(void *ud, const struct rec_hdr *h)
{
	(void)ud;
	g_sink += h->len + h->last_id;
	return 0;
}

/* Thread CPU time: on a machine shared with other work, wall time would
 * measure the other work too. */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct shape {
	const char *name;
	struct parse_ctx *p;
	const char *rest_path;  /* NULL = a WS frame */
	char **frames;
	size_t *lens;
	int nframes;
	int levels;             /* per frame, both sides */
};

enum { PATH_AUTO, PATH_JSON, PATH_LOAD };

/* Seconds per frame over about `budget` seconds. */
static double
run(const struct shape *s, int path, double budget)
{
	long iters = 0;
	double t0 = now_s(), t;

	do {
		for (int i = 0; i < s->nframes; i++) {
			if (path == PATH_LOAD) {
				json_t *j = json_loadb(s->frames[i], s->lens[i], JSON_REJECT_DUPLICATES, NULL);
				g_sink += j != NULL;
				json_decref(j);
			} else if (s->rest_path) {
				if (parse_rest_mode(s->p, s->rest_path, s->frames[i], s->lens[i], 1, 1,
				    path == PATH_AUTO ? PARSE_AUTO : PARSE_JSON_ONLY, emit_touch, NULL) < 1)
					abort();
			} else if (parse_ws_mode(s->p, s->frames[i], s->lens[i], 1,
			    path == PATH_AUTO ? PARSE_AUTO : PARSE_JSON_ONLY, emit_touch, NULL) < 1) {
				fprintf(stderr, "bench frame refused: %s\n", s->p->err);
				abort();
			}
		}
		iters += s->nframes;
		t = now_s();
	} while (t - t0 < budget);
	return (t - t0) / (double)iters;
}

static uint64_t g_rng = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	g_rng ^= g_rng << 13;
	g_rng ^= g_rng >> 7;
	g_rng ^= g_rng << 17;
	return g_rng;
}

/* A price / size string: Binance 8 fixed decimals, OKX trimmed. */
static int
fmt_num(char *b, size_t cap, int64_t mant, int okx)
{
	int n = snprintf(b, cap, "%lld.%08lld", (long long)(mant / 100000000), (long long)(mant % 100000000));

	if (okx) {
		while (b[n - 1] == '0')
			n--;
		if (b[n - 1] == '.')
			n--;
		b[n] = 0;
	}
	return n;
}

struct sbuf_ {
	char *b;
	size_t n, cap;
};

static void
put(struct sbuf_ *s, const char *str)
{
	size_t l = strlen(str);

	if (s->n + l + 1 > s->cap) {
		s->cap = (s->n + l + 1) * 2;
		s->b = realloc(s->b, s->cap);
	}
	memcpy(s->b + s->n, str, l + 1);
	s->n += l;
}

/* n levels a side around 61737.63, quantities of realistic magnitudes. */
static int g_mono_levels;   /* snapshots: one level per tick, no repeated price */

static void
levels(struct sbuf_ *s, const char *key, int n, int bid, int okx, int deep)
{
	char px[48], q[48], lv[160];

	put(s, "\"");
	put(s, key);
	put(s, "\":[");
	for (int i = 0; i < n; i++) {
		int64_t step = g_mono_levels ? 1 : 1 + (int64_t)(rnd() % 3);
		int64_t p = 6173763000000LL + (bid ? -1 : 1) * (int64_t)(i + 1) * 1000000 * step;
		int64_t qty = (int64_t)(rnd() % 300000000);
		if (rnd() % 8 == 0 && !g_mono_levels)
			qty = 0;
		if (qty == 0 && g_mono_levels)
			qty = 1;
		fmt_num(px, sizeof px, p, okx);
		fmt_num(q, sizeof q, qty, okx);
		if (okx && deep)
			snprintf(lv, sizeof lv, "%s[\"%s\",\"%s\",\"%d\"]", i ? "," : "", px, q, (int)(rnd() % 20));
		else if (okx)
			snprintf(lv, sizeof lv, "%s[\"%s\",\"%s\",\"0\",\"%d\"]", i ? "," : "", px, q, (int)(rnd() % 20));
		else
			snprintf(lv, sizeof lv, "%s[\"%s\",\"%s\"]", i ? "," : "", px, q);
		put(s, lv);
	}
	put(s, "]");
}

static char *
binance_depth(int nb, int na, int64_t U, size_t *len)
{
	struct sbuf_ s = {0};
	char h[256];

	snprintf(h, sizeof h, "{\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1723161253937,"
	    "\"s\":\"BTCUSDT\",\"U\":%lld,\"u\":%lld,", (long long)U, (long long)(U + 40));
	put(&s, h);
	levels(&s, "b", nb, 1, 0, 0);
	put(&s, ",");
	levels(&s, "a", na, 0, 0, 0);
	put(&s, "}}");
	*len = s.n;
	return s.b;
}

static char *
binance_rest(int n, size_t *len)
{
	struct sbuf_ s = {0};

	g_mono_levels = 1;
	put(&s, "{\"lastUpdateId\":35346513512,");
	levels(&s, "bids", n, 1, 0, 0);
	put(&s, ",");
	levels(&s, "asks", n, 0, 0, 0);
	put(&s, "}");
	g_mono_levels = 0;
	*len = s.n;
	return s.b;
}

static char *
okx_books(int nb, int na, int snapshot, int64_t seq, size_t *len)
{
	struct sbuf_ s = {0};
	char t[200];

	snprintf(t, sizeof t, "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"%s\",\"data\":[{",
	    snapshot ? "snapshot" : "update");
	put(&s, t);
	levels(&s, "asks", na, 0, 1, 0);
	put(&s, ",");
	levels(&s, "bids", nb, 1, 1, 0);
	snprintf(t, sizeof t, ",\"ts\":\"1723161253937\",\"checksum\":0,\"prevSeqId\":%lld,\"seqId\":%lld}]}",
	    snapshot ? -1LL : (long long)seq - 7, (long long)seq);
	put(&s, t);
	*len = s.n;
	return s.b;
}

static char *
okx_full(int n, size_t *len)
{
	struct sbuf_ s = {0};

	put(&s, "{\"code\":\"0\",\"msg\":\"\",\"data\":[{");
	levels(&s, "asks", n, 0, 1, 1);
	put(&s, ",");
	levels(&s, "bids", n, 1, 1, 1);
	put(&s, ",\"ts\":\"1723161253000\"}]}");
	*len = s.n;
	return s.b;
}

static void
report(const struct shape *s)
{
	static const char *const pname[] = {"auto", "jansson", "json_loadb"};
	double budget = getenv("BENCH_SECONDS") ? atof(getenv("BENCH_SECONDS")) : 0.6;
	double spf[3];
	size_t bytes = 0;

	for (int i = 0; i < s->nframes; i++)
		bytes += s->lens[i];
	for (int path = 0; path < 3; path++)
		spf[path] = run(s, path, budget);
	for (int path = 0; path < 3; path++) {
		double fps = 1.0 / spf[path];
		printf("{\"bench\": \"feedd_parse_%s_%s\", \"value\": %.1f, \"unit\": \"ns/level\", "
		    "\"frames_per_s\": %.0f, \"mb_per_s\": %.1f, \"levels_per_frame\": %d, \"bytes_per_frame\": %zu, "
		    "\"baseline\": \"jansson path\", \"baseline_ns_per_level\": %.1f, \"speedup\": %.2f, "
		    "\"jansson_parse_share_of_jansson_path\": %.2f, \"clock\": \"thread cpu time\"}\n",
		    s->name, pname[path], spf[path] * 1e9 / s->levels, fps,
		    fps * (double)bytes / s->nframes / 1e6, s->levels, bytes / (size_t)s->nframes,
		    spf[PATH_JSON] * 1e9 / s->levels, spf[PATH_JSON] / spf[path],
		    spf[PATH_LOAD] / spf[PATH_JSON]);
	}
	fflush(stdout);
}

static int
emit_seed(void *ud, const struct rec_hdr *h)
{
	const struct rec_snapshot *sn = (const void *)h;

	if (h->type != REC_SNAPSHOT)
		return -1;
	if (book_set_side(ud, BOOK_BID, sn->lv, sn->n_bids, NULL) != 0 ||
	    book_set_side(ud, BOOK_ASK, sn->lv + sn->n_bids, sn->n_asks, NULL) != 0)
		return -1;
	return 0;
}

static int
emit_apply(void *ud, const struct rec_hdr *h)
{
	const struct rec_delta *d = (const void *)h;
	uint32_t i;

	if (h->type != REC_DELTA)
		return 0;
	for (i = 0; i < d->n_bids; i++)
		g_sink += book_apply(ud, BOOK_BID, d->lv[i].px, d->lv[i].qty);
	for (; i < d->n_bids + d->n_asks; i++)
		g_sink += book_apply(ud, BOOK_ASK, d->lv[i].px, d->lv[i].qty);
	return 0;
}

/* Raw frame -> records -> book, per level, over `budget` seconds. */
static double
run_path(struct parse_ctx *p, struct book *b, char **fr, size_t *ln, int nf, enum parse_mode mode,
    double budget)
{
	long iters = 0;
	double t0 = now_s(), t;

	do {
		for (int i = 0; i < nf; i++)
			if (parse_ws_mode(p, fr[i], ln[i], 1, mode, emit_apply, b) < 1)
				abort();
		iters += nf;
		t = now_s();
	} while (t - t0 < budget);
	return (t - t0) / (double)iters;
}

static void
path_bench(struct parse_ctx *p)
{
	double budget = getenv("BENCH_SECONDS") ? atof(getenv("BENCH_SECONDS")) : 0.6;
	enum { NF = 64 };
	char *fr[NF], *snap;
	size_t ln[NF], slen;
	struct book *b = book_new(5000);
	double fast, slow;

	snap = binance_rest(5000, &slen);
	if (!b || parse_rest(p, "/api/v3/depth?symbol=BTCUSDT&limit=5000", snap, slen, 1, 1, emit_seed, b) != 1)
		abort();
	for (int i = 0; i < NF; i++)
		fr[i] = binance_depth(30, 30, 2000000 + i * 41, &ln[i]);
	fast = run_path(p, b, fr, ln, NF, PARSE_AUTO, budget) * 1e9 / 60;
	slow = run_path(p, b, fr, ln, NF, PARSE_JSON_ONLY, budget) * 1e9 / 60;
	printf("{\"bench\": \"feedd_path_binance_depth60_to_book\", \"value\": %.1f, \"unit\": \"ns/level\", "
	    "\"target_ns_per_level\": 120, \"book_levels_per_side\": %u, "
	    "\"baseline\": \"same path with the jansson parser\", \"baseline_ns_per_level\": %.1f, \"speedup\": %.2f, "
	    "\"clock\": \"thread cpu time\"}\n",
	    fast, book_count(b, BOOK_BID), slow, slow / fast);
	fflush(stdout);
	for (int i = 0; i < NF; i++)
		free(fr[i]);
	free(snap);
	book_free(b);
}

int
main(void)
{
	static struct inst_registry reg;
	static struct parse_ctx bn, ok;
	char err[128];
	enum { NF = 64 };
	char *fr[NF];
	size_t ln[NF];
	struct shape s;

	inst_add(&reg, EX_BINANCE, "BTC-USDT", err, sizeof err);
	inst_add(&reg, EX_OKX, "BTC-USDT", err, sizeof err);
	if (parse_init(&bn, &reg, EX_BINANCE) || parse_init(&ok, &reg, EX_OKX))
		return 1;

	for (int i = 0; i < NF; i++)
		fr[i] = binance_depth(30, 30, 1000000 + i * 41, &ln[i]);
	s = (struct shape){"binance_depth60", &bn, NULL, fr, ln, NF, 60};
	report(&s);
	for (int i = 0; i < NF; i++)
		free(fr[i]);

	fr[0] = binance_rest(5000, &ln[0]);
	s = (struct shape){"binance_rest5000", &bn, "/api/v3/depth?symbol=BTCUSDT&limit=5000", fr, ln, 1, 10000};
	report(&s);
	free(fr[0]);

	for (int i = 0; i < NF; i++)
		fr[i] = okx_books(20, 20, 0, 5000000 + i * 7, &ln[i]);
	s = (struct shape){"okx_books40", &ok, NULL, fr, ln, NF, 40};
	report(&s);
	for (int i = 0; i < NF; i++)
		free(fr[i]);

	fr[0] = okx_books(400, 400, 1, 123456, &ln[0]);
	s = (struct shape){"okx_snapshot800", &ok, NULL, fr, ln, 1, 800};
	report(&s);
	free(fr[0]);

	fr[0] = okx_full(5000, &ln[0]);
	s = (struct shape){"okx_full10000", &ok, "/api/v5/market/books-full?instId=BTC-USDT&sz=5000", fr, ln, 1, 10000};
	report(&s);
	free(fr[0]);

	path_bench(&bn);

	parse_free(&bn);
	parse_free(&ok);
	return 0;
}
