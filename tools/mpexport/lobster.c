/* lobster.c - LOBSTER message + orderbook files from the rebuilt book (lobster.h). */
#include "lobster.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DAY_NS ((int64_t)86400000000000LL)
/* LOBSTER's dummy prices for an empty level. */
#define LOB_ASK_NONE ((int64_t)9999999999LL)
#define LOB_BID_NONE ((int64_t)-9999999999LL)

enum { T_SUBMIT = 1, T_CANCEL = 2, T_DELETE = 3, T_EXEC = 4 };

struct held {
	int64_t t, px, qty;
	int dir;
};

struct mpx_lob {
	char dir[1100];
	char ticker[32];
	int levels;
	int64_t px_mul, px_div;        /* price x 10000 = mantissa * px_mul / px_div (one of them is 1) */
	double size_unit;
	struct book *bk;               /* the mirror the intermediate rows are read from */
	int64_t *cur, *prev;           /* orderbook rows: this one and the last one written */
	uint64_t epoch;

	/* the open file pair */
	FILE *fm, *fo;
	char tm[1200], to[1200];
	uint64_t f_epoch;
	int64_t f_day, f_first, f_last;
	uint64_t f_rows;
	uint64_t n_files;

	struct held *held;
	size_t n_held, cap_held;

	json_t *files;
	uint64_t n_type[5];
	uint64_t mirror_visible;
	uint64_t outside_levels, unchanged, dropped_levels, trades_dropped, trades_unknown_side, mirror_resyncs, inexact;
	int failed;
	char err[1500];
};

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void
fail(struct mpx_lob *l, const char *fmt, const char *a, int64_t v)
{
	if (l->failed)
		return;
	l->failed = 1;
	snprintf(l->err, sizeof l->err, fmt, a, v);
}

void
mpx_lob_clear(const char *out)
{
	char dir[1100];
	DIR *d;
	struct dirent *e;
	char path[1400];

	snprintf(dir, sizeof dir, "%s/lobster", out);
	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if ((n > 4 && !strcmp(e->d_name + n - 4, ".csv")) || (n > 9 && !strcmp(e->d_name + n - 9, ".csv.part"))) {
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			unlink(path);
		}
	}
	closedir(d);
}

struct mpx_lob *
mpx_lob_open(const char *out, const struct inst *in, int levels, uint32_t max_levels, char *err, size_t errlen)
{
	struct mpx_lob *l = calloc(1, sizeof *l);
	const char *p;
	size_t k = 0;
	int e;

	if (!l || !(l->bk = book_new(max_levels)) || !(l->files = json_array()) ||
	    !(l->cur = calloc((size_t)levels * 4, sizeof *l->cur)) || !(l->prev = calloc((size_t)levels * 4,
	    sizeof *l->prev))) {
		snprintf(err, errlen, "lobster: out of memory");
		mpx_lob_free(l);
		return NULL;
	}
	snprintf(l->dir, sizeof l->dir, "%s/lobster", out);
	if (mkdir(l->dir, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", l->dir, strerror(errno));
		mpx_lob_free(l);
		return NULL;
	}
	mpx_lob_clear(out);
	/* LOBSTER tickers have no separator: BTC-USDT -> BTCUSDT */
	for (p = in->symbol; *p && k + 1 < sizeof l->ticker; p++)
		if (*p != '-' && *p != '/')
			l->ticker[k++] = *p;
	l->levels = levels;
	l->px_mul = l->px_div = 1;
	/* price x 10000 = mantissa * 10^(px_exp + 4) */
	for (e = in->px_exp + 4; e > 0; e--)
		l->px_mul *= 10;
	for (e = in->px_exp + 4; e < 0; e++)
		l->px_div *= 10;
	l->size_unit = 1;
	for (e = in->qty_exp; e < 0; e++)
		l->size_unit /= 10;
	for (e = in->qty_exp; e > 0; e--)
		l->size_unit *= 10;
	return l;
}

static int64_t
lob_px(struct mpx_lob *l, int64_t m)
{
	if (m % l->px_div) {
		l->inexact++;
		fail(l, "lobster: %s price mantissa %" PRId64 " is not a multiple of 0.0001: LOBSTER's integer "
		    "price x 10000 cannot carry it (not rounded)", l->ticker, m);
	}
	return m / l->px_div * l->px_mul;
}

/* dst := src (level values; the ids are not needed here).  The engine has no
 * contiguous side any more, so the levels go through a scratch copy. */
static void
copy_book(struct mpx_lob *l, struct book *dst, const struct book *src)
{
	int side;

	for (side = BOOK_BID; side <= BOOK_ASK; side++) {
		uint32_t n = book_count(src, side);
		struct rec_level *lv = n ? malloc((size_t)n * sizeof *lv) : NULL;

		if (n && !lv) {
			fail(l, "lobster: %s: out of memory copying a book side of %" PRId64 " levels", l->ticker, (int64_t)n);
			return;
		}
		n = book_copy_range(src, side, 0, n, lv, NULL);
		book_set_side(dst, side, lv, n, NULL);
		free(lv);
	}
}

static void
file_close(struct mpx_lob *l)
{
	char date[16], base[160], pm[1400], po[1400];
	struct tm tm;
	time_t secs;
	int bad;
	json_t *f;

	if (!l->fm && !l->fo)
		return;
	bad = (l->fm && (ferror(l->fm) | fclose(l->fm))) | (l->fo && (ferror(l->fo) | fclose(l->fo)));
	l->fm = l->fo = NULL;
	if (bad) {
		fail(l, "lobster: writing %s failed (%" PRId64 ")", l->tm, (int64_t)errno);
		return;
	}
	secs = (time_t)(l->f_day * 86400);
	gmtime_r(&secs, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	snprintf(base, sizeof base, "%s_%s_%" PRId64 "_%" PRId64, l->ticker, date,
	    (l->f_first - l->f_day * DAY_NS) / 1000000, (l->f_last - l->f_day * DAY_NS + 999999) / 1000000);
	snprintf(pm, sizeof pm, "%s/%s_message_%d.csv", l->dir, base, l->levels);
	snprintf(po, sizeof po, "%s/%s_orderbook_%d.csv", l->dir, base, l->levels);
	if (rename(l->tm, pm) < 0 || rename(l->to, po) < 0) {
		fail(l, "lobster: renaming %s failed (%" PRId64 ")", l->tm, (int64_t)errno);
		return;
	}
	f = json_object();
	json_object_set_new(f, "message", json_string(strrchr(pm, '/') + 1));
	json_object_set_new(f, "orderbook", json_string(strrchr(po, '/') + 1));
	json_object_set_new(f, "date", json_string(date));
	json_object_set_new(f, "epoch", json_integer((json_int_t)l->f_epoch));
	json_object_set_new(f, "rows", json_integer((json_int_t)l->f_rows));
	json_object_set_new(f, "first_ns", json_integer(l->f_first));
	json_object_set_new(f, "last_ns", json_integer(l->f_last));
	json_array_append_new(l->files, f);
}

static int
file_for(struct mpx_lob *l, int64_t t)
{
	int64_t day = floor_div(t, DAY_NS);

	if (l->fm && l->f_epoch == l->epoch && l->f_day == day)
		return 0;
	file_close(l);
	if (l->failed)
		return -1;
	snprintf(l->tm, sizeof l->tm, "%s/.open_message.csv.part", l->dir);
	snprintf(l->to, sizeof l->to, "%s/.open_orderbook.csv.part", l->dir);
	l->fm = fopen(l->tm, "w");
	l->fo = fopen(l->to, "w");
	if (!l->fm || !l->fo) {
		fail(l, "lobster: cannot create %s (%" PRId64 ")", l->tm, (int64_t)errno);
		if (l->fm)
			fclose(l->fm);
		if (l->fo)
			fclose(l->fo);
		l->fm = l->fo = NULL;
		return -1;
	}
	l->f_epoch = l->epoch;
	l->f_day = day;
	l->f_first = t;
	l->f_rows = 0;
	l->n_files++;
	return 0;
}

/* The mirror's top levels in LOBSTER's layout and units. */
static void
book_row(struct mpx_lob *l, int64_t *r)
{
	int i;

	for (i = 0; i < l->levels; i++) {
		const struct rec_level *a = book_level(l->bk, BOOK_ASK, (uint32_t)i);
		const struct rec_level *b = book_level(l->bk, BOOK_BID, (uint32_t)i);
		r[4 * i] = a ? lob_px(l, a->px) : LOB_ASK_NONE;
		r[4 * i + 1] = a ? a->qty : 0;
		r[4 * i + 2] = b ? lob_px(l, b->px) : LOB_BID_NONE;
		r[4 * i + 3] = b ? b->qty : 0;
	}
}

/*
 * One message and the mirror book after it.  Like LOBSTER, only events that
 * change the book within the requested levels are written: a level change
 * deeper than that (the row stays the same) is counted, not written.
 */
static void
row(struct mpx_lob *l, int64_t t, int type, int64_t size, int64_t px, int dir)
{
	size_t nb = (size_t)l->levels * 4 * sizeof *l->cur;
	int64_t s, *x;
	int i;

	if (l->failed)
		return;
	book_row(l, l->cur);
	if (type != T_EXEC && !memcmp(l->cur, l->prev, nb)) {
		l->outside_levels++;
		return;
	}
	if (file_for(l, t) < 0)
		return;
	s = t - l->f_day * DAY_NS;
	fprintf(l->fm, "%" PRId64 ".%09" PRId64 ",%d,0,%" PRId64 ",%" PRId64 ",%d\n", s / 1000000000,
	    s % 1000000000, type, size, lob_px(l, px), dir);
	for (i = 0; i < l->levels * 4; i++)
		fprintf(l->fo, "%s%" PRId64, i ? "," : "", l->cur[i]);
	fputc('\n', l->fo);
	x = l->prev;
	l->prev = l->cur;
	l->cur = x;
	l->f_rows++;
	l->f_last = t;
	l->n_type[type]++;
}

void
mpx_lob_anchor(struct mpx_lob *l, const struct book *b, uint64_t epoch)
{
	copy_book(l, l->bk, b);
	l->epoch = epoch;
	l->n_held = 0;
	book_row(l, l->prev);
}

void
mpx_lob_delta(struct mpx_lob *l, int64_t t, const struct rec_delta *d, const struct book *b, int write)
{
	uint32_t n = d->n_bids + d->n_asks, i;
	int pass;
	char why[200];

	/* pass 0: reductions and removals, pass 1: growths (no crossed intermediate book) */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			int side = i < d->n_bids ? BOOK_BID : BOOK_ASK;
			int dir = side == BOOK_BID ? 1 : -1;
			int64_t px = d->lv[i].px, q = d->lv[i].qty, old = 0;
			int r;

			book_find(l->bk, side, px, &old);
			if (pass == 0 && q == old) {
				l->unchanged++;
				continue;
			}
			/* pass 1 also sees the levels pass 0 already brought to their size (q == old) */
			if (pass == 0 ? q > old : q <= old)
				continue;
			r = book_apply(l->bk, side, px, q);
			if (r == BOOK_DROPPED || r == BOOK_EINVAL) {
				l->dropped_levels++;
				continue;
			}
			if (write)
				row(l, t, q > old ? T_SUBMIT : q == 0 ? T_DELETE : T_CANCEL, q > old ? q - old : q == 0 ?
				    old : old - q, px, dir);
		}
	}
	/*
	 * On a side at the depth limit an insert evicts the worst level, so
	 * applying reductions first can keep a deep level the export's book (in
	 * record order) evicted: follow the export's book.  Only a difference
	 * within the written levels would show in the files; it is counted apart.
	 */
	if (book_cmp(l->bk, b, 0, why, sizeof why) != 0) {
		if (book_cmp(l->bk, b, (uint32_t)l->levels, why, sizeof why) != 0)
			l->mirror_visible++;
		else
			l->mirror_resyncs++;
		copy_book(l, l->bk, b);
	}
	/* before --from nothing is written: the next written row compares with this book */
	if (!write)
		book_row(l, l->prev);
}

void
mpx_lob_trade(struct mpx_lob *l, int64_t t, const struct rec_trade *tr, int write)
{
	struct held *h;

	if (!write)
		return;
	if (tr->side != SIDE_BUY && tr->side != SIDE_SELL) {
		l->trades_unknown_side++;
		return;
	}
	if (l->n_held == l->cap_held) {
		size_t c = l->cap_held ? l->cap_held * 2 : 64;
		struct held *p = realloc(l->held, c * sizeof *p);
		if (!p) {
			l->trades_dropped++;
			fail(l, "lobster: %s out of memory holding trades (%" PRId64 ")", l->ticker, 0);
			return;
		}
		l->held = p;
		l->cap_held = c;
	}
	h = &l->held[l->n_held++];
	h->t = t;
	h->px = tr->px;
	h->qty = tr->qty;
	/* a taker buy executes a resting sell limit order: direction -1 */
	h->dir = tr->side == SIDE_BUY ? -1 : 1;
}

void
mpx_lob_confirm(struct mpx_lob *l, int64_t t)
{
	size_t i, k;

	for (i = 0; i < l->n_held && l->held[i].t < t; i++)
		row(l, l->held[i].t, T_EXEC, l->held[i].qty, l->held[i].px, l->held[i].dir);
	for (k = 0; i < l->n_held; i++, k++)
		l->held[k] = l->held[i];
	l->n_held = k;
}

void
mpx_lob_break(struct mpx_lob *l)
{
	l->trades_dropped += l->n_held;
	l->n_held = 0;
	file_close(l);
}

int
mpx_lob_close(struct mpx_lob *l, char *err, size_t errlen)
{
	l->trades_dropped += l->n_held;
	l->n_held = 0;
	file_close(l);
	if (l->failed) {
		snprintf(err, errlen, "%s", l->err);
		return -1;
	}
	return 0;
}

json_t *
mpx_lob_meta(const struct mpx_lob *l)
{
	json_t *o = json_object(), *m = json_object(), *c = json_object();

	json_object_set_new(o, "directory", json_string("lobster"));
	json_object_set_new(o, "ticker", json_string(l->ticker));
	json_object_set_new(o, "levels", json_integer(l->levels));
	json_object_set_new(o, "message_columns", json_pack("[ssssss]", "time", "type", "order_id", "size",
	    "price", "direction"));
	json_object_set_new(o, "orderbook_columns", json_string("ask_price_i, ask_size_i, bid_price_i, "
	    "bid_size_i for i = 1..levels"));
	json_object_set_new(o, "time", json_string("seconds after UTC midnight of the file's date, 9 decimals "
	    "(ns); the export's clock (feedd receive time, made monotonic), as timestamps.npy"));
	json_object_set_new(o, "price_scale", json_integer(10000));
	json_object_set_new(o, "size_unit", json_real(l->size_unit));
	json_object_set_new(o, "size", json_string("integer size mantissa: base units = size * size_unit"));
	json_object_set_new(o, "empty_level", json_string("ask price 9999999999, bid price -9999999999, size 0"));
	json_object_set_new(m, "1", json_string("submission: a new level or a larger size (size = growth)"));
	json_object_set_new(m, "2", json_string("cancellation: a smaller size, level kept (size = decrease; "
	    "L2 cannot tell a cancel from an execution)"));
	json_object_set_new(m, "3", json_string("deletion: the level removed (size = its old size)"));
	json_object_set_new(m, "4", json_string("execution: one trade from the trade stream, direction of "
	    "the resting side, book row unchanged; the depth feed shows the same volume again as a later "
	    "type 2/3"));
	json_object_set_new(m, "order_id", json_string("always 0: L2 data has no orders"));
	json_object_set_new(m, "order_within_update", json_string("the changes of one exchange update are "
	    "written reductions first, then growths, all at the update's time"));
	json_object_set_new(o, "mapping", m);
	json_object_set_new(o, "messages_rule", json_string("as LOBSTER: only events that change the book "
	    "within the requested levels are written (a change deeper than that is counted in "
	    "counts.outside_levels); every trade is written"));
	json_object_set_new(o, "files_rule", json_string("one message/orderbook pair per sync epoch and UTC "
	    "day: a file never spans a gap; row k of the orderbook file is the book after message k"));
	json_object_set_new(o, "files", json_deep_copy(l->files));
#define C(k, v) json_object_set_new(c, k, json_integer((json_int_t)(v)))
	C("submissions", l->n_type[T_SUBMIT]);
	C("cancellations", l->n_type[T_CANCEL]);
	C("deletions", l->n_type[T_DELETE]);
	C("executions", l->n_type[T_EXEC]);
	C("outside_levels", l->outside_levels);
	C("unchanged_levels", l->unchanged);
	C("dropped_levels", l->dropped_levels);
	C("trades_dropped_in_gaps", l->trades_dropped);
	C("trades_unknown_side", l->trades_unknown_side);
	C("mirror_resyncs", l->mirror_resyncs);
	C("mirror_visible_resyncs", l->mirror_visible);
	C("inexact_prices", l->inexact);
	C("files", l->n_files);
#undef C
	json_object_set_new(o, "counts", c);
	return o;
}

void
mpx_lob_free(struct mpx_lob *l)
{
	if (!l)
		return;
	if (l->fm)
		fclose(l->fm);
	if (l->fo)
		fclose(l->fo);
	book_free(l->bk);
	free(l->cur);
	free(l->prev);
	free(l->held);
	json_decref(l->files);
	free(l);
}
