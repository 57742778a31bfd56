/*
 * test_mlbasis.c - routerd/mlbasis.c, the bs_* columns of the market-data
 * features: the definition on fixed numbers worked out by hand (prices at two
 * different exponents), the strict "before this instant" rule, the
 * not-synced, gap-event, crossed, empty, stale and ring-gap branches, dated
 * futures' annualised basis, the default pairing per venue and the
 * [ml] basis_spot overrides and their errors, and that the live order (one
 * interleaved record sequence, mlm_set_record) and the offline one (two
 * streams merged by bookd's stamps, as mpexport does) give the same bits.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_schemas.h"
#include "inst.h"
#include "mlbasis.h"
#include "mlmkt.h"
#include "venue.h"
#include "t.h"

#define MS 1000000LL
#define B(i) (MLM_OWN + (i))   /* column of basis value i in a features row */

enum { C_MID, C_AGE, C_MARK, C_DMID, C_ANN };

/* okx BTC-USDT (spot, prices at 10^-2) id 1, okx BTC-USDT-SWAP (10^-1) id 2,
 * okx BTC-USD-240927 (10^-1) id 3 */
static void
reg3(struct inst_registry *r)
{
	char err[160];

	inst_reg_init(r, 0);
	T_CHECK(inst_add(r, EX_OKX, "BTC-USDT", err, sizeof err) == 1);
	T_CHECK(inst_add(r, EX_OKX, "BTC-USDT-SWAP", err, sizeof err) == 2);
	T_CHECK(inst_add(r, EX_OKX, "BTC-USD-240927", err, sizeof err) == 3);
	r->v[0].px_exp = -2;
	r->v[1].px_exp = -1;
	r->v[2].px_exp = -1;
}

static struct rec_delta
delta(uint32_t inst, int64_t key, int64_t bid, int64_t ask, int synced)
{
	struct rec_delta d;

	memset(&d, 0, sizeof d);
	rec_hdr_init(&d.h, REC_DELTA, inst, sizeof d);
	d.h.stage_ns[STAGE_BOOK] = key;
	d.h.recv_ns = key - 1000;
	d.h.flags = synced ? REC_F_SYNCED : 0;
	d.best_bid_px = bid;
	d.best_ask_px = ask;
	return d;
}

static struct rec_market
mark(uint32_t inst, int64_t key, int64_t px)
{
	struct rec_market m;

	rec_market_init(&m, inst, MK_MARK);
	m.h.stage_ns[STAGE_BOOK] = key;
	m.h.recv_ns = key - 1000;
	m.mark_px = px;
	return m;
}

static struct rec_event
event(uint32_t inst, int64_t key, uint16_t code)
{
	struct rec_event e;

	memset(&e, 0, sizeof e);
	rec_hdr_init(&e.h, REC_EVENT, inst, sizeof e);
	e.h.stage_ns[STAGE_BOOK] = key;
	e.code = code;
	return e;
}

static struct mlm_set *
set_of(const struct inst_registry *r, const char *spec, int64_t max_age)
{
	struct mlm_set *s = mlm_set_new((uint32_t)r->n);
	char why[256];
	struct mlb *b = mlb_new(r, spec, max_age, why, sizeof why);

	T_CHECK(s && b);
	if (s && b)
		mlm_set_basis(s, b);
	return s;
}

/* feed a record to the set as routerd does (the instrument's exponents) */
static int
feed(struct mlm_set *s, const struct inst_registry *r, const void *rec, double *out)
{
	const struct rec_hdr *h = rec;
	const struct inst *in = inst_get(r, h->inst);

	return mlm_set_record(s, h, in->px_exp, in->qty_exp, out);
}

/* The definition, by hand: spot 49999.99 / 50000.01 (mid 50000), the swap's
 * book 50005.0 / 50007.0 (mid 50006), mark 50010.0:
 *   mark basis = 1e4 * 10 / 50000 = 2 bps exactly (2 * 500100 * 10 - 10000000 = 2000 at 10^-2),
 *   mid basis  = 1e4 * 6 / 50000 = 1.2 bps, spot mid 50000, age 1 ms. */
static void
t_definition(void)
{
	struct inst_registry r;
	struct mlm_set *s;
	struct rec_delta sp, dd;
	struct rec_market mk;
	double v[MLM_N];

	reg3(&r);
	s = set_of(&r, "", 2000 * MS);
	sp = delta(1, 1000 * MS, 4999999, 5000001, 1);
	dd = delta(2, 1000 * MS + 500, 500050, 500070, 1);
	mk = mark(2, 1001 * MS, 500100);
	T_EQ_I(feed(s, &r, &sp, v), 0);   /* book records make no message */
	T_EQ_I(feed(s, &r, &dd, v), 0);
	T_EQ_I(feed(s, &r, &mk, v), 1);
	T_CHECK(v[B(C_MID)] == 50000.0);
	T_CHECK(v[B(C_AGE)] == 1.0);
	T_CHECK(v[B(C_MARK)] == 2.0);
	T_CHECK(fabs(v[B(C_DMID)] - 1.2) < 1e-12);
	T_CHECK(isnan(v[B(C_ANN)]));          /* a perpetual has no expiry */
	T_CHECK(v[13] == 50010.0);            /* mk_mark_px, the own columns unchanged */
	/* a spot instrument's own market records carry no basis */
	{
		struct rec_market sm = mark(1, 1002 * MS, 5000000);
		T_EQ_I(feed(s, &r, &sm, v), 1);
		for (int i = 0; i < MLB_N; i++)
			T_CHECK(isnan(v[B(i)]));
	}
	/* mark below the spot mid: negative; 49990.0 -> -2 bps */
	mk = mark(2, 1003 * MS, 499900);
	feed(s, &r, &mk, v);
	T_CHECK(v[B(C_MARK)] == -2.0);
	mlm_set_free(s);
	inst_reg_free(&r);
}

/* The spot state is the one before the record's instant: a spot record bookd
 * stamped in the same instant is not used (the store cannot order it). */
static void
t_strictly_before(void)
{
	struct inst_registry r;
	struct mlm_set *s;
	struct rec_delta a, b;
	struct rec_market mk;
	double v[MLM_N];

	reg3(&r);
	s = set_of(&r, NULL, 2000 * MS);
	a = delta(1, 1000 * MS, 4999999, 5000001, 1);   /* mid 50000 */
	b = delta(1, 1010 * MS, 5000999, 5001001, 1);   /* mid 50010 */
	feed(s, &r, &a, v);
	feed(s, &r, &b, v);
	mk = mark(2, 1010 * MS, 500100);
	feed(s, &r, &mk, v);
	T_CHECK(v[B(C_MID)] == 50000.0);
	T_CHECK(v[B(C_AGE)] == 10.0);
	mk = mark(2, 1010 * MS + 1, 500100);
	feed(s, &r, &mk, v);
	T_CHECK(v[B(C_MID)] == 50010.0);
	T_CHECK(v[B(C_MARK)] == 0.0);
	T_CHECK(isnan(v[B(C_DMID)]));   /* the swap's own book never seen */
	mlm_set_free(s);
	inst_reg_free(&r);
}

/* Not in sync, a gap event, a crossed or one-sided book, stale, a ring gap:
 * the values are NaN (the age stays known), and come back with the book. */
static void
t_unusable(void)
{
	struct inst_registry r;
	struct mlm_set *s;
	struct rec_delta d;
	struct rec_event e;
	struct rec_market mk;
	double v[MLM_N];
	int64_t t = 1000 * MS;

	reg3(&r);
	s = set_of(&r, "", 100 * MS);
	mk = mark(2, t, 500100);
	feed(s, &r, &mk, v);
	for (int i = 0; i < MLB_N; i++)   /* no spot state yet: everything NaN, the age too */
		T_CHECK(isnan(v[B(i)]));
#define CASE(rec, expect_age)                                              \
	do {                                                                \
		t += 10 * MS;                                               \
		feed(s, &r, &(rec), v);                                     \
		mk = mark(2, t + MS, 500100);                               \
		feed(s, &r, &mk, v);                                        \
		T_CHECK(isnan(v[B(C_MID)]) && isnan(v[B(C_MARK)]));         \
		T_CHECK(v[B(C_AGE)] == (expect_age));                       \
	} while (0)
	d = delta(1, t + 10 * MS, 4999999, 5000001, 0);          /* not synced */
	CASE(d, 1.0);
	d = delta(1, t + 10 * MS, 5000001, 4999999, 1);          /* crossed */
	CASE(d, 1.0);
	d = delta(1, t + 10 * MS, 0, 5000001, 1);                /* no bid */
	CASE(d, 1.0);
	d = delta(1, t + 10 * MS, 4999999, 5000001, 1);          /* good, then a gap event */
	t += 10 * MS;
	feed(s, &r, &d, v);
	mk = mark(2, t + MS, 500100);
	feed(s, &r, &mk, v);
	T_CHECK(v[B(C_MARK)] == 2.0);
	e = event(1, t + 10 * MS, EV_GAP);
	CASE(e, 11.0);   /* the age is since the last book data, not since the event */
	e = event(1, t + 10 * MS, EV_VALIDATION);                 /* not book-breaking: still unsynced from the gap */
	t += 10 * MS;
	feed(s, &r, &e, v);
	d = delta(1, t + 10 * MS, 4999999, 5000001, 1);          /* synced again */
	t += 10 * MS;
	feed(s, &r, &d, v);
	mk = mark(2, t + 100 * MS, 500100);                      /* exactly max age: still current */
	feed(s, &r, &mk, v);
	T_CHECK(v[B(C_MARK)] == 2.0 && v[B(C_AGE)] == 100.0);
	mk = mark(2, t + 100 * MS + 1, 500100);                  /* 1 ns older: stale */
	feed(s, &r, &mk, v);
	T_CHECK(isnan(v[B(C_MARK)]) && isnan(v[B(C_MID)]) && v[B(C_AGE)] > 100.0);
	d = delta(1, t + 200 * MS, 4999999, 5000001, 1);
	feed(s, &r, &d, v);
	mlm_set_gap(s);                                          /* records lost on the ring */
	mk = mark(2, t + 201 * MS, 500100);
	feed(s, &r, &mk, v);
	T_CHECK(isnan(v[B(C_MARK)]) && v[B(C_AGE)] == 1.0);
	/* the derivative's own book unsynced: its mid basis NaN, the mark basis stays */
	d = delta(1, t + 300 * MS, 4999999, 5000001, 1);
	feed(s, &r, &d, v);
	d = delta(2, t + 300 * MS, 500050, 500070, 0);
	feed(s, &r, &d, v);
	mk = mark(2, t + 301 * MS, 500100);
	feed(s, &r, &mk, v);
	T_CHECK(v[B(C_MARK)] == 2.0 && isnan(v[B(C_DMID)]));
#undef CASE
	mlm_set_free(s);
	inst_reg_free(&r);
}

/* Dated futures: expiry from the name at 08:00 UTC; one year before it the
 * annualised basis is the plain fraction. */
static void
t_dated(void)
{
	struct inst_registry r;
	struct mlm_set *s;
	struct rec_delta d;
	struct rec_market mk;
	double v[MLM_N];
	int64_t exp = 1727424000LL * 1000000000LL;   /* 2024-09-27T08:00:00Z (date -d) */
	int64_t year = 365LL * 86400 * 1000000000LL;

	T_EQ_I(mlb_expiry_ns("BTC-USD-240927"), exp);
	T_EQ_I(mlb_expiry_ns("BTC-USDT-SWAP"), 0);
	T_EQ_I(mlb_expiry_ns("BTC-USDT"), 0);
	T_EQ_I(mlb_expiry_ns("BTC-USD-241327"), 0);
	reg3(&r);
	s = set_of(&r, "", 2000 * MS);   /* BTC-USD-240927 -> BTC-USDT (no BTC-USD spot) */
	d = delta(1, exp - year - MS, 4999999, 5000001, 1);
	feed(s, &r, &d, v);
	mk = mark(3, exp - year, 500100);
	feed(s, &r, &mk, v);
	T_CHECK(v[B(C_MARK)] == 2.0);
	T_CHECK(v[B(C_ANN)] == 2000.0 / 10000000.0);
	mk = mark(3, exp - year / 2, 500100);   /* half a year left: twice */
	d = delta(1, exp - year / 2 - MS, 4999999, 5000001, 1);
	feed(s, &r, &d, v);
	feed(s, &r, &mk, v);
	T_CHECK(fabs(v[B(C_ANN)] - 4e-4) < 1e-15);
	d = delta(1, exp + MS, 4999999, 5000001, 1);   /* after expiry: none */
	feed(s, &r, &d, v);
	mk = mark(3, exp + 2 * MS, 500100);
	feed(s, &r, &mk, v);
	T_CHECK(v[B(C_MARK)] == 2.0 && isnan(v[B(C_ANN)]));
	mlm_set_free(s);
	inst_reg_free(&r);
}

static uint32_t
spot_of(const struct inst_registry *r, const char *spec, int ex, const char *sym, char *why, size_t wl)
{
	struct mlb *b = mlb_new(r, spec, MS, why, wl);
	const struct inst *in = inst_find(r, ex, sym);
	uint32_t s;

	if (!b)
		return UINT32_MAX;
	s = in ? mlb_spot_of(b, in->id) : UINT32_MAX;
	mlb_free(b);
	return s;
}

static void
t_pairing(void)
{
	struct inst_registry r;
	char err[160], why[256];
	static const char *const good[] = {"", "okx:BTC-USD-SWAP=okx:BTC-USDT", " okx:BTC-USD-SWAP = none , ",
	    "bybit:BTC-USDT-SWAP=binance:BTC-USDT"};
	static const char *const bad[] = {"okx:BTC-USD-SWAP", "okx=BTC", "okx:BTC-USD-SWAP=", ":X=okx:Y",
	    "okx:A:B=none"};

	inst_reg_init(&r, 0);
	T_CHECK(inst_add(&r, EX_BINANCE, "BTC-USDT", err, sizeof err) == 1);
	T_CHECK(inst_add(&r, EX_OKX, "BTC-USDT", err, sizeof err) == 2);
	T_CHECK(inst_add(&r, EX_OKX, "ETH-USDT", err, sizeof err) == 3);
	T_CHECK(inst_add(&r, EX_OKX, "BTC-USDT-SWAP", err, sizeof err) == 4);
	T_CHECK(inst_add(&r, EX_OKX, "BTC-USD-SWAP", err, sizeof err) == 5);
	T_CHECK(inst_add(&r, EX_BINANCE_USDM, "BTC-USDT-SWAP", err, sizeof err) == 6);
	T_CHECK(inst_add(&r, EX_BINANCE_COINM, "BTC-USD-SWAP", err, sizeof err) == 7);
	T_CHECK(inst_add(&r, EX_DERIBIT, "BTC-USD-SWAP", err, sizeof err) == 8);
	T_CHECK(inst_add(&r, EX_BYBIT, "BTC-USDT-SWAP", err, sizeof err) == 9);
	T_CHECK(inst_add(&r, EX_OKX, "ETH-USDT-SWAP", err, sizeof err) == 10);
	/* defaults */
	T_EQ_U(spot_of(&r, "", EX_OKX, "BTC-USDT-SWAP", why, sizeof why), 2);
	T_EQ_U(spot_of(&r, "", EX_OKX, "ETH-USDT-SWAP", why, sizeof why), 3);
	T_EQ_U(spot_of(&r, "", EX_OKX, "BTC-USD-SWAP", why, sizeof why), 2);          /* inverse: the USDT spot */
	T_EQ_U(spot_of(&r, "", EX_BINANCE_USDM, "BTC-USDT-SWAP", why, sizeof why), 1); /* -> binance spot */
	T_EQ_U(spot_of(&r, "", EX_BINANCE_COINM, "BTC-USD-SWAP", why, sizeof why), 1);
	T_EQ_U(spot_of(&r, "", EX_DERIBIT, "BTC-USD-SWAP", why, sizeof why), 0);       /* no spot venue */
	T_EQ_U(spot_of(&r, "", EX_BYBIT, "BTC-USDT-SWAP", why, sizeof why), 0);        /* no bybit spot configured */
	T_EQ_U(spot_of(&r, "", EX_OKX, "BTC-USDT", why, sizeof why), 0);               /* a spot book has none */
	/* overrides */
	T_EQ_U(spot_of(&r, "okx:BTC-USD-SWAP=none", EX_OKX, "BTC-USD-SWAP", why, sizeof why), 0);
	T_EQ_U(spot_of(&r, "okx:BTC-USD-SWAP=none", EX_OKX, "BTC-USDT-SWAP", why, sizeof why), 2);
	T_EQ_U(spot_of(&r, " bybit:BTC-USDT-SWAP = binance:BTCUSDT ,deribit:BTC-USD-SWAP=okx:BTC-USDT", EX_BYBIT,
	    "BTC-USDT-SWAP", why, sizeof why), 1);
	T_EQ_U(spot_of(&r, "okx:btc-usdt-swap=binance:BTC-USDT", EX_OKX, "BTC-USDT-SWAP", why, sizeof why), 1);
	/* errors name the item */
	T_EQ_U(spot_of(&r, "okx:SOL-USDT-SWAP=okx:BTC-USDT", EX_OKX, "BTC-USDT-SWAP", why, sizeof why), UINT32_MAX);
	T_CHECK(strstr(why, "okx:SOL-USDT-SWAP is not a configured instrument") != NULL);
	T_EQ_U(spot_of(&r, "okx:BTC-USDT=okx:ETH-USDT", EX_OKX, "BTC-USDT-SWAP", why, sizeof why), UINT32_MAX);
	T_CHECK(strstr(why, "not a derivative") != NULL);
	T_EQ_U(spot_of(&r, "okx:BTC-USDT-SWAP=okx:BTC-USD-SWAP", EX_OKX, "BTC-USDT-SWAP", why, sizeof why), UINT32_MAX);
	T_CHECK(strstr(why, "not a spot book") != NULL);
	T_EQ_U(spot_of(&r, "kraken:BTC-USDT-SWAP=none", EX_OKX, "BTC-USDT-SWAP", why, sizeof why), UINT32_MAX);
	T_CHECK(strstr(why, "unknown venue kraken") != NULL);
	T_EQ_U(spot_of(&r, "okx:BTC-USDT-SWAP", EX_OKX, "BTC-USDT-SWAP", why, sizeof why), UINT32_MAX);
	T_CHECK(strstr(why, "expected venue:SYMBOL=venue:SYMBOL") != NULL);
	/* the config check (load time) takes and refuses the same shapes */
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		T_EQ_I(cfg_check_ml_basis_spot(good[i], 0, why, sizeof why), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		T_EQ_I(cfg_check_ml_basis_spot(bad[i], 0, why, sizeof why), -1);
		T_CHECK(strstr(why, "expected venue:SYMBOL=venue:SYMBOL") != NULL);
	}
	inst_reg_free(&r);
}

/* A derivative record older than every spot instant kept (keys out of ring
 * order): NaN and counted, never a later spot state. */
static void
t_late(void)
{
	struct inst_registry r;
	char why[160];
	struct mlb *b;
	struct rec_delta d;
	struct rec_market mk;
	double v[MLB_N];

	reg3(&r);
	b = mlb_new(&r, "", 1000 * MS, why, sizeof why);
	for (int i = 0; i < MLB_HIST + 2; i++) {
		d = delta(1, (2000 + i) * MS, 4999999, 5000001, 1);
		mlb_fold(b, 1, &d.h, -2);
	}
	mk = mark(2, 2001 * MS, 500100);
	mlb_read(b, 2, &mk.h, 1, 500100, -1, v);
	T_CHECK(isnan(v[C_MARK]) && isnan(v[C_AGE]));
	T_EQ_U(mlb_late(b), 1);
	mk = mark(2, (2000 + MLB_HIST) * MS, 500100);   /* inside the kept instants */
	mlb_read(b, 2, &mk.h, 1, 500100, -1, v);
	T_CHECK(v[C_MARK] == 2.0 && v[C_AGE] == 1.0);
	mlb_free(b);
	inst_reg_free(&r);
}

/* Live (one interleaved sequence through mlm_set_record) against offline
 * (the derivative's records in order, the spot stream folded up to each
 * record's instant, as tools/mpexport/spot.c does): the same bits, with many
 * records sharing bookd instants. */
static void
t_live_equals_offline(void)
{
	enum { N = 4000 };
	struct inst_registry r;
	struct mlm_set *s;
	struct mlb *ob;
	struct mlm om;
	static union { struct rec_hdr h; struct rec_delta d; struct rec_market m; struct rec_event e; } seq[N];
	double live[N][MLM_N], off[MLM_N];
	int is_src[N], spot_next = 0, compared = 0, numbers = 0;
	char why[160];
	uint64_t x = 88172645463325252ULL;
	int64_t key = 1000 * MS;

	reg3(&r);
	for (int i = 0; i < N; i++) {
		unsigned k;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		k = (unsigned)(x % 100);
		if (x % 3 == 0)
			key += (int64_t)(x >> 40) % (40 * MS);   /* a third of the records move the clock */
		if (k < 45)
			seq[i].d = delta(1, key, 4999000 + (int64_t)(x >> 20) % 500, 5000600 + (int64_t)(x >> 30) % 500,
			    (x >> 50) % 25 != 0);
		else if (k < 65)
			seq[i].d = delta(2, key, 499900 + (int64_t)(x >> 20) % 50, 500100 + (int64_t)(x >> 30) % 50, 1);
		else if (k < 67)
			seq[i].e = event(1, key, EV_RESYNC);
		else
			seq[i].m = mark(2, key, 499950 + (int64_t)(x >> 20) % 200);
	}
	s = set_of(&r, "", 60 * MS);
	for (int i = 0; i < N; i++)
		is_src[i] = feed(s, &r, &seq[i], live[i]);
	ob = mlb_new(&r, "", 60 * MS, why, sizeof why);
	mlm_init(&om, inst_get(&r, 2)->px_exp, inst_get(&r, 2)->qty_exp);
	for (int i = 0; i < N; i++) {
		const struct rec_hdr *h = &seq[i].h;

		if (h->inst != 2)
			continue;
		/* the spot stream up to (not including) this record's instant */
		while (spot_next < N && (seq[spot_next].h.inst != 1 || mlb_key(&seq[spot_next].h) < mlb_key(h))) {
			if (seq[spot_next].h.inst == 1)
				mlb_fold(ob, 1, &seq[spot_next].h, -2);
			spot_next++;
		}
		mlb_fold(ob, 2, h, -1);
		if (!mlm_is_source(h->type))
			continue;
		mlm_record(&om, h, off);
		mlm_basis(&om, ob, h, off);
		T_CHECK(is_src[i]);
		if (memcmp(off, live[i], sizeof off) != 0) {
			t_fail(__FILE__, __LINE__, "live and offline rows differ");
			break;
		}
		compared++;
		numbers += !isnan(off[B(C_MARK)]) && !isnan(off[B(C_DMID)]);
	}
	printf("# %d rows compared, %d with both basis values\n", compared, numbers);
	T_CHECK(compared > 1000 && numbers > 300 && numbers < compared);
	mlb_free(ob);
	mlm_set_free(s);
	inst_reg_free(&r);
}

int
main(void)
{
	T_RUN(t_definition);
	T_RUN(t_strictly_before);
	T_RUN(t_unusable);
	T_RUN(t_dated);
	T_RUN(t_pairing);
	T_RUN(t_late);
	T_RUN(t_live_equals_offline);
	return t_done();
}
