/* test_inst.c - the instrument registry: ids, venue names, string styles. */
#include "fx.h"
#include "inst.h"

#include <stdio.h>
#include <string.h>
#include "../t.h"

static void
t_ids_and_names(void)
{
	struct inst_registry r = {0};
	char err[128];
	const struct inst *in;

	T_EQ_I(inst_add(&r, EX_BINANCE, "BTC-USDT", err, sizeof err), 1);
	T_EQ_I(inst_add(&r, EX_BINANCE, "eth-usdt", err, sizeof err), 2);
	T_EQ_I(inst_add(&r, EX_OKX, "BTC-USDT", err, sizeof err), 3);
	in = inst_get(&r, 1);
	T_CHECK(in != NULL);
	if (in) {
		T_EQ_S(in->symbol, "BTC-USDT");
		T_EQ_S(in->venue_symbol, "BTCUSDT");
		T_EQ_S(in->lower, "btc-usdt");
		T_EQ_I(in->px_exp, -8);
		T_EQ_I(in->qty_exp, -8);
		T_EQ_I(in->px_dec, 8);
		T_EQ_I(in->exch, EX_BINANCE);
	}
	in = inst_get(&r, 2);
	T_CHECK(in && strcmp(in->symbol, "ETH-USDT") == 0 && strcmp(in->lower, "eth-usdt") == 0);
	in = inst_get(&r, 3);
	T_CHECK(in && strcmp(in->venue_symbol, "BTC-USDT") == 0 && in->px_dec == FX_TRIM && in->exch == EX_OKX);
	T_CHECK(inst_get(&r, 0) == NULL);
	T_CHECK(inst_get(&r, 4) == NULL);
	T_CHECK(inst_get(NULL, 1) == NULL);
	T_EQ_I(inst_find(&r, EX_BINANCE, "btcusdt")->id, 1);
	T_EQ_I(inst_find(&r, EX_BINANCE, "ETH-USDT")->id, 2);
	T_EQ_I(inst_find(&r, EX_OKX, "btc-usdt")->id, 3);
	T_CHECK(inst_find(&r, EX_OKX, "ETH-USDT") == NULL);
	T_EQ_S(exch_name(EX_OKX), "okx");
	T_EQ_S(exch_name(9), "?");
	T_EQ_I(exch_parse("Binance"), EX_BINANCE);
	T_EQ_I(exch_parse("deribit"), EX_DERIBIT);
	T_EQ_I(venue_lookup("deribit"), EX_DERIBIT);
	T_EQ_I(exch_parse("kraken"), EX_NONE);
	T_EQ_I(exch_parse("bybit"), EX_BYBIT);
	T_EQ_I(exch_parse("binance-usdm"), EX_BINANCE_USDM);
	T_EQ_I(EX_DERIBIT, 6);
	{
		char canon[32];
		uint32_t id;

		T_CHECK(venue_ready(EX_END, err, sizeof err) == NULL && strstr(err, "unknown exchange"));
		/* Deribit: canonical names, the venue's own refused (one dash) */
		T_CHECK(inst_add(&r, EX_DERIBIT, "BTC-PERPETUAL", err, sizeof err) == 0 && strstr(err, "BTC-USD-SWAP"));
		id = inst_add(&r, EX_DERIBIT, "BTC-USD-SWAP", err, sizeof err);
		T_CHECK(id && strcmp(inst_get(&r, id)->venue_symbol, "BTC-PERPETUAL") == 0);
		id = inst_add(&r, EX_DERIBIT, "BTC-USD-240927", err, sizeof err);
		T_CHECK(id && strcmp(inst_get(&r, id)->venue_symbol, "BTC-27SEP24") == 0);
		id = inst_add(&r, EX_DERIBIT, "BTC-240927-60000-C", err, sizeof err);
		T_CHECK(id && strcmp(inst_get(&r, id)->venue_symbol, "BTC-27SEP24-60000-C") == 0);
		id = inst_add(&r, EX_DERIBIT, "ETH-USD-240105", err, sizeof err);   /* no leading zero */
		T_CHECK(id && strcmp(inst_get(&r, id)->venue_symbol, "ETH-5JAN24") == 0);
		id = inst_add(&r, EX_DERIBIT, "BTC-USDC-SWAP", err, sizeof err);
		T_CHECK(id && strcmp(inst_get(&r, id)->venue_symbol, "BTC_USDC-PERPETUAL") == 0);
		T_CHECK(inst_add(&r, EX_DERIBIT, "BTC-USD-241327", err, sizeof err) == 0);   /* month 13 */
		T_CHECK(inst_add(&r, EX_DERIBIT, "BTC-240927-60000-X", err, sizeof err) == 0);
		T_CHECK(venue_canon_of(venue_get(EX_DERIBIT), "BTC-27SEP24-60000-P", 19, canon, sizeof canon) == 0 &&
		    strcmp(canon, "BTC-240927-60000-P") == 0);
		T_CHECK(venue_canon_of(venue_get(EX_DERIBIT), "ETH-PERPETUAL", 13, canon, sizeof canon) == 0 &&
		    strcmp(canon, "ETH-USD-SWAP") == 0);
		T_CHECK(venue_canon_of(venue_get(EX_DERIBIT), "BTC-05JAN24", 11, canon, sizeof canon) == -1);
		T_CHECK(venue_canon_of(venue_get(EX_DERIBIT), "BTC-27SEP24", 11, canon, sizeof canon) == 0 &&
		    strcmp(canon, "BTC-USD-240927") == 0);
		id = inst_add(&r, EX_BYBIT, "BTC-USDT-SWAP", err, sizeof err);   /* Bybit linear: BTCUSDT */
		T_CHECK(id && strcmp(inst_get(&r, id)->venue_symbol, "BTCUSDT") == 0);
		id = inst_add(&r, EX_BINANCE_COINM, "btc-usd-swap", err, sizeof err);
		T_CHECK(id && strcmp(inst_get(&r, id)->venue_symbol, "BTCUSD_PERP") == 0);
		T_CHECK(inst_add(&r, EX_BINANCE_USDM, "BTC-USDT", err, sizeof err) == 0);   /* no kind */
		T_CHECK(venue_canon_of(venue_get(EX_BINANCE_COINM), "ETHUSD_240927", 13, canon, sizeof canon) == 0 &&
		    strcmp(canon, "ETH-USD-240927") == 0);
		T_CHECK(venue_canon_of(venue_get(EX_BINANCE), "1000SATSFDUSD", 13, canon, sizeof canon) == 0 &&
		    strcmp(canon, "1000SATS-FDUSD") == 0);
		T_CHECK(venue_canon_of(venue_get(EX_BINANCE_USDM), "BTCUSDT", 7, canon, sizeof canon) == 0 &&
		    strcmp(canon, "BTC-USDT-SWAP") == 0);
		T_CHECK(venue_canon_of(venue_get(EX_BINANCE_COINM), "BTCUSD", 6, canon, sizeof canon) < 0);
	}
	inst_reg_free(&r);
}

static void
t_bad_adds(void)
{
	struct inst_registry r = {0};
	char err[128] = "";

	T_EQ_I(inst_add(&r, EX_NONE, "BTC-USDT", err, sizeof err), 0);
	T_CHECK(strstr(err, "exchange") != NULL);
	T_EQ_I(inst_add(&r, EX_BINANCE, "BTCUSDT", err, sizeof err), 0);
	T_CHECK(strstr(err, "BASE-QUOTE") != NULL);
	T_EQ_I(inst_add(&r, EX_BINANCE, "BTC-", err, sizeof err), 0);
	T_EQ_I(inst_add(&r, EX_BINANCE, "-USDT", err, sizeof err), 0);
	T_EQ_I(inst_add(&r, EX_BINANCE, "BTC-US-DT", err, sizeof err), 0);
	T_EQ_I(inst_add(&r, EX_BINANCE, "BTC USDT", err, sizeof err), 0);
	T_EQ_I(inst_add(&r, EX_BINANCE, "", err, sizeof err), 0);
	T_EQ_I(inst_add(&r, EX_BINANCE, "AAAAAAAAAAAAAAAAAAAA-USDT", err, sizeof err), 0);
	T_EQ_I(r.n, 0);
	T_EQ_I(inst_add(&r, EX_OKX, "BTC-USDT", err, sizeof err), 1);
	T_EQ_I(inst_add(&r, EX_OKX, "btc-usdt", err, sizeof err), 0);
	T_CHECK(strstr(err, "twice") != NULL);
	for (int i = 1; i < INST_DEFAULT_MAX; i++) {
		char sym[24];

		snprintf(sym, sizeof sym, "C%d-USDT", i);
		T_EQ_I(inst_add(&r, EX_BINANCE, sym, err, sizeof err), i + 1);
	}
	T_EQ_I(inst_add(&r, EX_BINANCE, "LAST-USDT", err, sizeof err), 0);
	T_CHECK(strstr(err, "too many") != NULL && strstr(err, "1024") && strstr(err, "max_instruments"));
	inst_reg_free(&r);
	T_EQ_I(r.n, 0);
	T_CHECK(r.v == NULL);
}

/* The registry grows past any old fixed size, keeps every id and name, stops
 * at its max, and copies deeply. */
static void
t_growth(void)
{
	struct inst_registry r, c;
	char err[160], sym[24];
	int ok = 1;

	inst_reg_init(&r, 3000);
	for (int i = 0; i < 3000; i++) {
		snprintf(sym, sizeof sym, "G%d-USDT", i);
		ok &= inst_add(&r, i % 2 ? EX_OKX : EX_BINANCE, sym, err, sizeof err) == (uint32_t)i + 1;
	}
	T_CHECK(ok);
	T_EQ_I(r.n, 3000);
	T_CHECK(r.cap >= 3000 && r.cap <= 3000);   /* doubling is clamped at max */
	T_EQ_I(inst_add(&r, EX_BINANCE, "X-USDT", err, sizeof err), 0);
	T_CHECK(strstr(err, "at most 3000") != NULL);
	ok = 1;
	for (int i = 0; i < 3000; i++) {
		const struct inst *in = inst_get(&r, (uint32_t)i + 1);

		snprintf(sym, sizeof sym, "G%d-USDT", i);
		ok &= in && in->id == (uint32_t)i + 1 && strcmp(in->symbol, sym) == 0 &&
		    in->exch == (i % 2 ? EX_OKX : EX_BINANCE) && inst_find(&r, in->exch, sym) == in;
	}
	T_CHECK(ok);
	T_CHECK(inst_get(&r, 3001) == NULL);
	T_CHECK(inst_find(&r, EX_OKX, "G0-USDT") == NULL);   /* G0 is binance's */
	T_EQ_I(inst_reg_copy(&c, &r), 0);
	T_EQ_I(c.n, 3000);
	T_CHECK(c.v != r.v && memcmp(c.v, r.v, 3000 * sizeof *c.v) == 0);
	inst_reg_free(&r);
	T_CHECK(strcmp(inst_get(&c, 2999)->symbol, "G2998-USDT") == 0);   /* the copy outlives r */
	inst_reg_free(&c);

	/* reserved room: adding never moves the table (mpreplay holds pointers) */
	inst_reg_init(&r, 100);
	T_EQ_I(inst_reg_reserve(&r, 100), 0);
	T_EQ_I(inst_add(&r, EX_BINANCE, "A-USDT", err, sizeof err), 1);
	{
		const struct inst *first = inst_get(&r, 1);

		ok = 1;
		for (int i = 1; i < 100; i++) {
			snprintf(sym, sizeof sym, "R%d-USDT", i);
			ok &= inst_add(&r, EX_BINANCE, sym, err, sizeof err) == (uint32_t)i + 1;
		}
		T_CHECK(ok && inst_get(&r, 1) == first);
	}
	inst_reg_free(&r);
}

/* The hash index answers as the scan (inst_find_linear) at 1, 10, 100, 1000,
 * 3000 instruments: canonical and venue names in any case, names of the
 * other venue, missing names, after a copy, a reserve, a reset of n and a
 * table filled directly (stored's segment registries). */
static int
index_agrees(const struct inst_registry *r, int upto)
{
	static const int ex[] = {EX_BINANCE, EX_OKX};
	char sym[40];
	int bad = 0;

	for (int i = 0; i < upto + 5; i++)
		for (int e = 0; e < 2; e++) {
			const char *forms[] = {"G%d-USDT", "g%d-usdt", "G%dUSDT", "g%dUsdt", "G%d-USDC", "G%d"};
			for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
				snprintf(sym, sizeof sym, forms[f], i);
				bad += inst_find(r, ex[e], sym) != inst_find_linear(r, ex[e], sym);
			}
		}
	bad += inst_find(r, EX_OKX, "") != inst_find_linear(r, EX_OKX, "");
	bad += inst_find(r, EX_OKX, "G1-USDT-AND-A-NAME-LONGER-THAN-ANY-FIELD") != NULL;
	return bad;
}

static void
t_index_matches_scan(void)
{
	static const int counts[] = {1, 10, 100, 1000, 3000};
	struct inst_registry r, c;
	char err[128], sym[32];

	for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
		int n = counts[k];

		inst_reg_init(&r, 4000);
		for (int i = 0; i < n; i++) {
			snprintf(sym, sizeof sym, "G%d-USDT", i);
			T_CHECK(inst_add(&r, i % 3 ? EX_OKX : EX_BINANCE, sym, err, sizeof err) != 0);
		}
		T_EQ_I(index_agrees(&r, n), 0);
		/* found through the index, not by the fallback scan */
		T_CHECK(r.ix != NULL);
		T_EQ_I(inst_reg_copy(&c, &r), 0);
		T_EQ_I(index_agrees(&c, n), 0);
		inst_reg_free(&c);
		inst_reg_free(&r);
	}
	/* reserve, then add: still indexed and equal */
	inst_reg_init(&r, 500);
	T_EQ_I(inst_reg_reserve(&r, 500), 0);
	for (int i = 0; i < 500; i++) {
		snprintf(sym, sizeof sym, "G%d-USDT", i);
		inst_add(&r, i % 2 ? EX_OKX : EX_BINANCE, sym, err, sizeof err);
	}
	T_EQ_I(index_agrees(&r, 500), 0);
	/* n reset to 0 (mpreplay, mpctl on a config error), then other names */
	r.n = 0;
	T_CHECK(inst_find(&r, EX_OKX, "G1-USDT") == NULL);
	T_EQ_I(inst_add(&r, EX_OKX, "Z-USDT", err, sizeof err), 1);
	T_CHECK(inst_find(&r, EX_OKX, "G1-USDT") == NULL);
	T_EQ_I(inst_find(&r, EX_OKX, "z-usdt")->id, 1);
	T_EQ_I(index_agrees(&r, 10), 0);
	inst_reg_free(&r);
	/* filled directly, as stored reads a segment header: the scan answers */
	inst_reg_init(&r, 100);
	for (int i = 0; i < 3; i++) {
		snprintf(sym, sizeof sym, "G%d-USDT", i);
		inst_add(&r, EX_BINANCE, sym, err, sizeof err);
	}
	snprintf(r.v[1].symbol, sizeof r.v[1].symbol, "W-USDT");
	snprintf(r.v[1].venue_symbol, sizeof r.v[1].venue_symbol, "WUSDT");
	r.n = 2;
	T_EQ_I(inst_find(&r, EX_BINANCE, "wusdt")->id, 2);
	T_CHECK(inst_find(&r, EX_BINANCE, "G2-USDT") == NULL);
	inst_reg_free(&r);
}

static void
t_formats(void)
{
	struct inst_registry r = {0};
	char err[128], buf[FX_STR_MAX];

	inst_add(&r, EX_BINANCE, "BTC-USDT", err, sizeof err);
	inst_add(&r, EX_OKX, "BTC-USDT", err, sizeof err);
	inst_fmt_px(inst_get(&r, 1), 6173763000000LL, buf, sizeof buf);
	T_EQ_S(buf, "61737.63000000");
	inst_fmt_qty(inst_get(&r, 1), 0, buf, sizeof buf);
	T_EQ_S(buf, "0.00000000");
	inst_fmt_px(inst_get(&r, 2), 3024350000000LL, buf, sizeof buf);
	T_EQ_S(buf, "30243.5");
	inst_fmt_qty(inst_get(&r, 2), 1020, buf, sizeof buf);
	T_EQ_S(buf, "0.0000102");
	inst_reg_free(&r);
}

int
main(void)
{
	T_RUN(t_ids_and_names);
	T_RUN(t_bad_adds);
	T_RUN(t_growth);
	T_RUN(t_index_matches_scan);
	T_RUN(t_formats);
	return t_done();
}
