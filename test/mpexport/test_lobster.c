/* test_lobster.c - the LOBSTER writer (tools/mpexport/lobster.h) on books
 * worked out by hand: units (price x 10000 from a -2 exponent, size
 * mantissas), LOBSTER's empty-level sentinels, reductions before growths (no
 * crossed row), changes deeper than the written levels, trades held until
 * confirmed and dropped at a break, one file pair per epoch and UTC day. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inst.h"
#include "log.h"
#include "rec.h"
#include "../../tools/mpexport/lobster.h"
#include "../t.h"

#define DAY 86400000000000LL
#define T0 (20000LL * DAY)           /* 2024-10-04T00:00:00Z */
#define SEC 1000000000LL

static char base[128];
static struct inst in;

/* A delta of nb bid then na ask levels (px, qty pairs at the instrument's exponents). */
static struct rec_delta *
delta(int nb, int na, const int64_t *v)
{
	struct rec_delta *d = calloc(1, sizeof *d + (size_t)(nb + na) * sizeof(struct rec_level));
	int i;

	d->n_bids = (uint32_t)nb;
	d->n_asks = (uint32_t)na;
	for (i = 0; i < nb + na; i++) {
		d->lv[i].px = v[2 * i];
		d->lv[i].qty = v[2 * i + 1];
	}
	return d;
}

static void
apply(struct book *b, const struct rec_delta *d)
{
	uint32_t i;

	for (i = 0; i < d->n_bids + d->n_asks; i++)
		book_apply(b, i < d->n_bids ? BOOK_BID : BOOK_ASK, d->lv[i].px, d->lv[i].qty);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[8192];
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* Equal strings; on a difference both are printed whole (T_EQ_S would cut them). */
static int
same(const char *got, const char *want)
{
	if (got && !strcmp(got, want))
		return 1;
	fprintf(stderr, "  got:\n%s\n  want:\n%s\n", got ? got : "(null)", want);
	return 0;
}

static const char *
file_of(json_t *meta, size_t i, const char *kind, char *path, size_t cap, const char *dir)
{
	json_t *f = json_array_get(json_object_get(meta, "files"), i);

	snprintf(path, cap, "%s/lobster/%s", dir, f ? json_string_value(json_object_get(f, kind)) : "none");
	return path;
}

/* A writer in base/name with the book b set to bids/asks and anchored (epoch 1); NULL if it failed. */
static struct mpx_lob *
start(char *dir, size_t cap, const char *name, const struct inst *i, int levels, struct book *b,
    const struct rec_level *bids, uint32_t nb, const struct rec_level *asks, uint32_t na)
{
	char err[512];
	struct mpx_lob *l;

	snprintf(dir, cap, "%s/%s", base, name);
	mkdir(dir, 0755);
	book_set_side(b, BOOK_BID, bids, nb, NULL);
	book_set_side(b, BOOK_ASK, asks, na, NULL);
	l = mpx_lob_open(dir, i, levels, 100, err, sizeof err);
	if (l)
		mpx_lob_anchor(l, b, 1);
	else
		fprintf(stderr, "  %s\n", err);
	return l;
}

static void
t_units_sentinels_order(void)
{
	char dir[200], err[512], path[400];
	struct rec_level bids[1] = { { 5999900, 2000 } };   /* 59999.00 x 2.000 at exponents -2 / -3 */
	struct rec_level asks[1] = { { 6000000, 1000 } };
	struct book *b = book_new(100);
	struct mpx_lob *l;
	struct rec_trade tr;
	json_t *meta;
	struct rec_delta *d;
	/* the bid rises to 60000.50 (above the old ask) while 59999 shrinks, the ask 60000.00 goes and
	 * 60001.00 comes: reductions first (in record order), then growths, so no row is crossed */
	const int64_t v1[] = { 6000050, 500, 5999900, 1000, 6000000, 0, 6000100, 700 };

	l = start(dir, sizeof dir, "u", &in, 2, b, bids, 1, asks, 1);
	T_CHECK(l != NULL);
	if (!l) {
		book_free(b);
		return;
	}
	d = delta(2, 2, v1);
	apply(b, d);
	mpx_lob_delta(l, T0 + 3600 * SEC + 5, d, b, 1);
	memset(&tr, 0, sizeof tr);
	tr.px = 6000050;
	tr.qty = 100;
	tr.side = SIDE_SELL;                    /* a taker sell executes the resting bid: direction 1 */
	mpx_lob_trade(l, T0 + 3601 * SEC, &tr, 1);
	mpx_lob_confirm(l, T0 + 3601 * SEC);    /* not yet: held until a later record confirms */
	mpx_lob_confirm(l, T0 + 3602 * SEC);
	T_EQ_I(mpx_lob_close(l, err, sizeof err), 0);
	meta = mpx_lob_meta(l);
	/* price x 10000 = mantissa x 100 at exponent -2; sizes are the mantissas */
	T_CHECK(same(slurp(file_of(meta, 0, "message", path, sizeof path, dir)),
	    "3600.000000005,2,0,1000,599990000,1\n"
	    "3600.000000005,3,0,1000,600000000,-1\n"
	    "3600.000000005,1,0,500,600005000,1\n"
	    "3600.000000005,1,0,700,600010000,-1\n"
	    "3601.000000000,4,0,100,600005000,1\n"));
	T_CHECK(same(slurp(file_of(meta, 0, "orderbook", path, sizeof path, dir)),
	    "600000000,1000,599990000,1000,9999999999,0,-9999999999,0\n"
	    "9999999999,0,599990000,1000,9999999999,0,-9999999999,0\n"
	    "9999999999,0,600005000,500,9999999999,0,599990000,1000\n"
	    "600010000,700,600005000,500,9999999999,0,599990000,1000\n"
	    "600010000,700,600005000,500,9999999999,0,599990000,1000\n"));
	T_CHECK(same(json_string_value(json_object_get(json_array_get(json_object_get(meta, "files"), 0), "message")),
	    "BTCUSDT_2024-10-04_3600000_3601000_message_2.csv"));
	T_EQ_I(json_integer_value(json_object_get(json_object_get(meta, "counts"), "executions")), 1);
	json_decref(meta);
	free(d);
	mpx_lob_free(l);
	book_free(b);
}

static void
t_deep_trades_days(void)
{
	char dir[200], err[512], path[400];
	struct rec_level bids[3] = { { 5999900, 2000 }, { 5999800, 1500 }, { 5999700, 900 } };
	struct rec_level asks[1] = { { 6000000, 1000 } };
	struct book *b = book_new(100);
	struct mpx_lob *l;
	struct rec_trade tr;
	struct rec_delta *d1, *d2;
	json_t *meta, *c;
	const int64_t deep[] = { 5999700, 800 };        /* level 3 of bids: not in a 2-level file */
	const int64_t top[] = { 5999900, 2100 };

	l = start(dir, sizeof dir, "d", &in, 2, b, bids, 3, asks, 1);
	T_CHECK(l != NULL);
	if (!l) {
		book_free(b);
		return;
	}
	d1 = delta(1, 0, deep);
	d2 = delta(1, 0, top);
	apply(b, d1);
	mpx_lob_delta(l, T0 + DAY - SEC, d1, b, 1);     /* deeper than 2 levels: counted, not written */
	apply(b, d2);
	mpx_lob_delta(l, T0 + DAY - SEC, d2, b, 1);     /* day 1 */
	memset(&tr, 0, sizeof tr);
	tr.px = 6000000;
	tr.qty = 5;
	tr.side = SIDE_BUY;
	mpx_lob_trade(l, T0 + DAY - 1, &tr, 1);
	mpx_lob_confirm(l, T0 + DAY + SEC);             /* the trade row is still day 1 */
	d2->lv[0].qty = 2200;
	apply(b, d2);
	mpx_lob_delta(l, T0 + DAY + SEC, d2, b, 1);     /* day 2: a second file */
	mpx_lob_trade(l, T0 + DAY + 2 * SEC, &tr, 1);
	mpx_lob_break(l);                                /* the held trade is dropped, the file ends */
	mpx_lob_anchor(l, b, 2);
	d2->lv[0].qty = 2300;
	apply(b, d2);
	mpx_lob_delta(l, T0 + DAY + 9 * SEC, d2, b, 1); /* epoch 2: a third file */
	T_EQ_I(mpx_lob_close(l, err, sizeof err), 0);
	meta = mpx_lob_meta(l);
	c = json_object_get(meta, "counts");
	T_EQ_I(json_array_size(json_object_get(meta, "files")), 3);
	T_EQ_I(json_integer_value(json_object_get(c, "outside_levels")), 1);
	T_EQ_I(json_integer_value(json_object_get(c, "trades_dropped_in_gaps")), 1);
	T_EQ_I(json_integer_value(json_object_get(c, "executions")), 1);
	T_CHECK(same(slurp(file_of(meta, 0, "message", path, sizeof path, dir)),
	    "86399.000000000,1,0,100,599990000,1\n86399.999999999,4,0,5,600000000,-1\n"));
	T_CHECK(same(slurp(file_of(meta, 1, "message", path, sizeof path, dir)),
	    "1.000000000,1,0,100,599990000,1\n"));
	T_CHECK(same(json_string_value(json_object_get(json_array_get(json_object_get(meta, "files"), 1), "date")),
	    "2024-10-05"));
	T_EQ_I(json_integer_value(json_object_get(json_array_get(json_object_get(meta, "files"), 2), "epoch")), 2);
	json_decref(meta);
	free(d1);
	free(d2);
	mpx_lob_free(l);
	book_free(b);
}

static void
t_inexact_price_fails(void)
{
	char dir[200], err[512];
	struct inst fine = in;
	struct rec_level bids[1] = { { 599990001, 2000 } };     /* 59999.0001 at -4: exact */
	struct rec_level asks[1] = { { 6000000001LL, 1000 } };  /* 60000.00001 at -5: not x 10000 */
	struct book *b = book_new(10);
	struct mpx_lob *l;
	const int64_t v[] = { 6000000001LL, 900 };
	struct rec_delta *d = delta(0, 1, v);

	fine.px_exp = -5;
	l = start(dir, sizeof dir, "x", &fine, 1, b, bids, 1, asks, 1);
	T_CHECK(l != NULL);
	if (!l) {
		book_free(b);
		return;
	}
	apply(b, d);
	mpx_lob_delta(l, T0 + SEC, d, b, 1);
	T_EQ_I(mpx_lob_close(l, err, sizeof err), -1);
	T_CHECK(strstr(err, "not a multiple of 0.0001") != NULL);
	free(d);
	mpx_lob_free(l);
	book_free(b);
}

int
main(void)
{
	char err[256];
	static struct inst_registry reg;   /* static: reachable to the end (allocated) */

	log_init("test_lobster");
	log_set_level(LOG_ERROR);
	snprintf(base, sizeof base, "/tmp/test_lobster.XXXXXX");
	if (!mkdtemp(base)) {
		perror("mkdtemp");
		return 1;
	}
	inst_reg_free(&reg);   /* empty again (static: set up more than once) */
	inst_add(&reg, EX_BINANCE, "BTC-USDT", err, sizeof err);
	in = reg.v[0];
	in.px_exp = -2;
	in.qty_exp = -3;
	T_RUN(t_units_sentinels_order);
	T_RUN(t_deep_trades_days);
	T_RUN(t_inexact_price_fails);
	{
		char cmd[200];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
		if (system(cmd) != 0)
			fprintf(stderr, "cleanup failed\n");
	}
	return t_done();
}
