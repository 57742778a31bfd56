/*
 * test_binance_market.c - Binance USD-M / COIN-M derivatives market data
 * (feedd/parse_binance_fut.c): markPriceUpdate into MK_MARK then MK_FUNDING
 * (a dated contract's "r":"" gives MK_MARK only), forceOrder into
 * MK_LIQUIDATION, GET openInterest into MK_OPEN_INTEREST (USD-M also
 * oi_base), GET fundingInfo into MK_FUNDING's funding_interval_s (listed:
 * its hours, unlisted: the default 8 h, before an answer: 0), COIN-M
 * oi_quote = contracts x exchangeInfo's contractSize (USD), the all-market
 * !markPrice@arr array (carried symbols only, checked whole), exact values; bad frames and answers are counted errors with no
 * record, instruments not carried are unknown; the spot venue has none of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../feedd/parse_impl.h"
#include "../t.h"
#include "market_sink.h"

static struct inst_registry g_reg;
static struct parse_ctx g_um, g_cm, g_spot;
static uint32_t g_btc, g_eth, g_perp, g_dated, g_spot_btc;

static int
ws(struct parse_ctx *p, const char *f)
{
	g_s.n = 0;
	return parse_ws(p, f, strlen(f), 1700000000123456789LL, sink, NULL);
}

static int
rest(struct parse_ctx *p, const char *path, const char *body)
{
	g_s.n = 0;
	return parse_rest(p, path, body, strlen(body), 1700000000123456789LL, 0, sink, NULL);
}

static void
setup(void)
{
	char err[128];

	memset(&g_reg, 0, sizeof g_reg);
	g_btc = inst_add(&g_reg, EX_BINANCE_USDM, "BTC-USDT-SWAP", err, sizeof err);
	g_eth = inst_add(&g_reg, EX_BINANCE_USDM, "ETH-USDT-SWAP", err, sizeof err);
	g_perp = inst_add(&g_reg, EX_BINANCE_COINM, "BTC-USD-SWAP", err, sizeof err);
	g_dated = inst_add(&g_reg, EX_BINANCE_COINM, "BTC-USD-240927", err, sizeof err);
	g_spot_btc = inst_add(&g_reg, EX_BINANCE, "BTC-USDT", err, sizeof err);
	parse_init(&g_um, &g_reg, EX_BINANCE_USDM);
	parse_init(&g_cm, &g_reg, EX_BINANCE_COINM);
	parse_init(&g_spot, &g_reg, EX_BINANCE);
}

static void
t_mark_price(void)
{
	const struct inst *in = inst_get(&g_reg, g_btc);
	int r;

	/* the documented USD-M shape, combined-stream wrapped */
	r = ws(&g_um, "{\"stream\":\"btcusdt@markPrice@1s\",\"data\":{\"e\":\"markPriceUpdate\",\"E\":1562305380000,"
	    "\"s\":\"BTCUSDT\",\"p\":\"11794.15000000\",\"i\":\"11784.62659091\",\"P\":\"11784.25641265\","
	    "\"r\":\"0.00038167\",\"T\":1562306400000}}");
	T_EQ_I(r, 2);
	T_EQ_I(g_s.n, 2);
	T_EQ_I(g_s.m[0].h.inst, g_btc);
	T_EQ_I(g_s.m[0].h.aux, MK_MARK);
	T_EQ_I(g_s.m[0].h.exch_ns, 1562305380000000000LL);
	T_EQ_I(in->px_exp, -8);   /* the values below are at the default exponent */
	T_EQ_I(g_s.m[0].mark_px, 1179415000000LL);
	T_EQ_I(g_s.m[0].index_px, 1178462659091LL);
	T_CHECK(g_s.m[0].funding_rate == MKT_NONE && g_s.m[0].oi_contracts == MKT_NONE);
	T_EQ_I(g_s.m[1].h.aux, MK_FUNDING);
	T_EQ_I(g_s.m[1].funding_rate, 381670000000000LL);   /* 0.00038167 at 1e-18 */
	T_EQ_I(g_s.m[1].settle_ns, 1562306400000000000LL);
	T_CHECK(g_s.m[1].mark_px == MKT_NONE && g_s.m[1].next_funding_rate == MKT_NONE);
	T_EQ_I(g_s.m[1].funding_interval_s, 0);
	/* a negative rate, raw stream */
	r = ws(&g_um, "{\"e\":\"markPriceUpdate\",\"E\":1562305380000,\"s\":\"ETHUSDT\",\"p\":\"3000.1\",\"i\":\"3000\","
	    "\"P\":\"3000\",\"r\":\"-0.00010000\",\"T\":1562306400000}");
	T_EQ_I(r, 2);
	T_EQ_I(g_s.m[1].h.inst, g_eth);
	T_EQ_I(g_s.m[1].funding_rate, -100000000000000LL);
	/* COIN-M dated: no funding ("r":"", "T":0) -> the mark only */
	r = ws(&g_cm, "{\"e\":\"markPriceUpdate\",\"E\":1596095725000,\"s\":\"BTCUSD_240927\",\"p\":\"10934.62615417\","
	    "\"P\":\"10962.17178236\",\"i\":\"10933.62615417\",\"r\":\"\",\"T\":0}");
	T_EQ_I(r, 1);
	T_EQ_I(g_s.n, 1);
	T_EQ_I(g_s.m[0].h.inst, g_dated);
	T_EQ_I(g_s.m[0].h.aux, MK_MARK);
	T_EQ_I(g_s.m[0].index_px, 1093362615417LL);
	/* COIN-M perpetual */
	r = ws(&g_cm, "{\"e\":\"markPriceUpdate\",\"E\":1596095725000,\"s\":\"BTCUSD_PERP\",\"p\":\"10934.6\","
	    "\"P\":\"10962.1\",\"i\":\"10933.6\",\"r\":\"0.00010000\",\"T\":1596124800000}");
	T_EQ_I(r, 2);
	T_EQ_I(g_s.m[1].h.inst, g_perp);
}

static void
t_mark_price_bad(void)
{
	static const char *bad[] = {
		/* rate not a number */
		"{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"p\":\"1\",\"i\":\"1\",\"r\":\"x\",\"T\":1562306400000}",
		/* a rate without its settlement time */
		"{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"p\":\"1\",\"i\":\"1\",\"r\":\"0.0001\",\"T\":0}",
		/* mark missing */
		"{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"i\":\"1\",\"r\":\"0.0001\",\"T\":1562306400000}",
		/* mark as a number, not a string */
		"{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"p\":1,\"i\":\"1\",\"r\":\"0.0001\",\"T\":1}",
		/* zero mark */
		"{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"p\":\"0\",\"i\":\"1\",\"r\":\"\",\"T\":0}",
		/* E missing */
		"{\"e\":\"markPriceUpdate\",\"s\":\"BTCUSDT\",\"p\":\"1\",\"i\":\"1\",\"r\":\"\",\"T\":0}",
		/* truncated */
		"{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"p\":\"1",
		/* rate far beyond int64 at 1e-18 */
		"{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"p\":\"1\",\"i\":\"1\",\"r\":\"12345678901\",\"T\":5}",
	};
	uint64_t errs = g_um.errors;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		T_EQ_I(ws(&g_um, bad[i]), -1);
		T_EQ_I(g_s.n, 0);   /* nothing half-emitted */
	}
	T_EQ_I(g_um.errors, errs + sizeof bad / sizeof bad[0]);
	/* not carried: unknown, not an error */
	uint64_t unk = g_um.unknown;
	T_EQ_I(ws(&g_um, "{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"SOLUSDT\",\"p\":\"1\",\"i\":\"1\",\"r\":\"\",\"T\":0}"), 0);
	T_EQ_I(g_um.unknown, unk + 1);
	T_EQ_I(g_um.errors, errs + sizeof bad / sizeof bad[0]);
	/* spot has no markPriceUpdate: an unknown event there */
	unk = g_spot.unknown;
	T_EQ_I(ws(&g_spot, "{\"e\":\"markPriceUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"p\":\"1\",\"i\":\"1\",\"r\":\"\",\"T\":0}"), 0);
	T_EQ_I(g_spot.unknown, unk + 1);
	T_EQ_I(g_s.n, 0);
}

static void
t_force_order(void)
{
	uint64_t errs;
	int r;

	r = ws(&g_um, "{\"stream\":\"btcusdt@forceOrder\",\"data\":{\"e\":\"forceOrder\",\"E\":1568014460893,\"o\":{"
	    "\"s\":\"BTCUSDT\",\"S\":\"SELL\",\"o\":\"LIMIT\",\"f\":\"IOC\",\"q\":\"0.014\",\"p\":\"9910\","
	    "\"ap\":\"9910.50\",\"X\":\"FILLED\",\"l\":\"0.014\",\"z\":\"0.014\",\"T\":1568014460893}}}");
	T_EQ_I(r, 1);
	T_EQ_I(g_s.m[0].h.aux, MK_LIQUIDATION);
	T_EQ_I(g_s.m[0].h.inst, g_btc);
	T_EQ_I(g_s.m[0].liq_side, SIDE_SELL);
	T_EQ_I(g_s.m[0].liq_px, 991000000000LL);
	T_EQ_I(g_s.m[0].liq_avg_px, 991050000000LL);
	T_EQ_I(g_s.m[0].liq_qty, 1400000LL);
	T_EQ_I(g_s.m[0].h.exch_ns, 1568014460893000000LL);
	/* COIN-M with ps, BUY, no ap */
	r = ws(&g_cm, "{\"e\":\"forceOrder\",\"E\":1,\"o\":{\"s\":\"BTCUSD_PERP\",\"ps\":\"BTCUSD\",\"S\":\"BUY\","
	    "\"o\":\"LIMIT\",\"f\":\"IOC\",\"q\":\"3\",\"p\":\"60000.1\",\"X\":\"FILLED\",\"T\":1}}");
	T_EQ_I(r, 1);
	T_EQ_I(g_s.m[0].liq_side, SIDE_BUY);
	T_CHECK(g_s.m[0].liq_avg_px == MKT_NONE);
	T_EQ_I(g_s.m[0].liq_qty, 300000000LL);
	errs = g_um.errors;
	T_EQ_I(ws(&g_um, "{\"e\":\"forceOrder\",\"E\":1,\"o\":{\"s\":\"BTCUSDT\",\"S\":\"UP\",\"q\":\"1\",\"p\":\"1\"}}"), -1);
	T_EQ_I(ws(&g_um, "{\"e\":\"forceOrder\",\"E\":1,\"o\":{\"s\":\"BTCUSDT\",\"S\":\"BUY\",\"q\":\"0\",\"p\":\"1\"}}"), -1);
	T_EQ_I(ws(&g_um, "{\"e\":\"forceOrder\",\"E\":1,\"o\":[]}"), -1);
	T_EQ_I(ws(&g_um, "{\"e\":\"forceOrder\",\"E\":1}"), -1);
	T_EQ_I(ws(&g_um, "{\"e\":\"forceOrder\",\"E\":1,\"o\":{\"s\":\"BTCUSDT\",\"S\":\"BUY\",\"q\":\"-1\",\"p\":\"1\"}}"), -1);
	T_EQ_I(g_s.n, 0);
	T_EQ_I(g_um.errors, errs + 5);
}

/* The MK_FUNDING record's interval for a USD-M markPriceUpdate of sym. */
static int64_t
um_interval(const char *sym)
{
	char f[400];

	snprintf(f, sizeof f, "{\"e\":\"markPriceUpdate\",\"E\":1562305380000,\"s\":\"%s\",\"p\":\"3000.1\","
	    "\"i\":\"3000\",\"P\":\"3000\",\"r\":\"0.00010000\",\"T\":1562306400000}", sym);
	if (ws(&g_um, f) != 2 || g_s.n != 2 || g_s.m[1].h.aux != MK_FUNDING)
		return -1;
	return g_s.m[1].funding_interval_s;
}

#define MP_EL(s, p) "{\"e\":\"markPriceUpdate\",\"E\":1562305380000,\"s\":\"" s "\",\"p\":\"" p "\"," \
	"\"i\":\"3000\",\"P\":\"3000\",\"r\":\"0.00010000\",\"T\":1562306400000}"

static void
t_mark_array(void)
{
	uint64_t errs, unk;
	int r;

	/* combined stream: BTC and ETH carried, SOL not (skipped, not counted) */
	unk = g_um.unknown;
	r = ws(&g_um, "{\"stream\":\"!markPrice@arr@1s\",\"data\":[" MP_EL("BTCUSDT", "60000.5") ","
	    MP_EL("SOLUSDT", "150.1") "," MP_EL("ETHUSDT", "3000.25") "]}");
	T_EQ_I(r, 4);
	T_EQ_I(g_s.n, 4);
	T_EQ_I(g_s.m[0].h.inst, g_btc);
	T_EQ_I(g_s.m[0].h.aux, MK_MARK);
	T_EQ_I(g_s.m[0].mark_px, 6000050000000LL);
	T_EQ_I(g_s.m[1].h.aux, MK_FUNDING);
	T_EQ_I(g_s.m[1].funding_rate, 100000000000000LL);
	T_EQ_I(g_s.m[2].h.inst, g_eth);
	T_EQ_I(g_s.m[2].mark_px, 300025000000LL);
	T_EQ_I(g_um.unknown, unk);
	/* the raw stream (/ws/!markPrice@arr): the array itself */
	r = ws(&g_um, "[" MP_EL("ETHUSDT", "3001") "]");
	T_EQ_I(r, 2);
	T_EQ_I(g_s.m[0].h.inst, g_eth);
	T_EQ_I(ws(&g_um, "{\"stream\":\"!markPrice@arr\",\"data\":[]}"), 0);
	/* bad: nothing of the array emitted, counted */
	errs = g_um.errors;
	T_EQ_I(ws(&g_um, "[" MP_EL("BTCUSDT", "60000.5") "," MP_EL("ETHUSDT", "x") "]"), -1);
	T_EQ_I(g_s.n, 0);
	T_EQ_I(ws(&g_um, "[" MP_EL("BTCUSDT", "60000.5") ",7]"), -1);
	T_EQ_I(ws(&g_um, "[{\"e\":\"forceOrder\",\"s\":\"BTCUSDT\"}]"), -1);
	T_CHECK(strstr(g_um.err, "not a markPriceUpdate") != NULL);
	T_EQ_I(ws(&g_um, "{\"stream\":\"!markPrice@arr\",\"data\":[" MP_EL("BTCUSDT", "-1") "]}"), -1);
	T_EQ_I(g_s.n, 0);
	T_EQ_I(g_um.errors, errs + 4);
	/* spot has no such stream: an array is no frame of it */
	errs = g_spot.errors;
	T_EQ_I(ws(&g_spot, "[" MP_EL("BTCUSDT", "60000.5") "]"), -1);
	T_EQ_I(g_spot.errors, errs + 1);
}

static void
t_funding_info(void)
{
	uint64_t errs = g_um.errors, recs;
	int r;

	/* before any answer: unknown */
	T_EQ_I(um_interval("BTCUSDT"), 0);
	/* the documented shape: only adjusted symbols (carried or not) */
	recs = g_um.records;
	r = rest(&g_um, "/fapi/v1/fundingInfo",
	    "[{\"symbol\":\"LPTUSDT\",\"adjustedFundingRateCap\":\"0.02000000\",\"adjustedFundingRateFloor\":"
	    "\"-0.02000000\",\"fundingIntervalHours\":4,\"disclaimer\":false},{\"symbol\":\"ETHUSDT\","
	    "\"adjustedFundingRateCap\":\"0.03000000\",\"adjustedFundingRateFloor\":\"-0.03000000\","
	    "\"fundingIntervalHours\":4,\"disclaimer\":false}]");
	T_EQ_I(r, 0);
	T_EQ_I(g_s.n, 0);
	T_EQ_I(g_um.records, recs);
	T_EQ_I(g_um.errors, errs);
	T_EQ_I(um_interval("ETHUSDT"), 14400);
	T_EQ_I(um_interval("BTCUSDT"), 28800);   /* not listed: the default 8 h */
	/* bad answers: counted errors, the last good listing stays */
	T_EQ_I(rest(&g_um, "/fapi/v1/fundingInfo", "{\"code\":-1003,\"msg\":\"Too many requests.\"}"), -1);
	T_CHECK(strstr(g_um.err, "-1003") != NULL);
	T_EQ_I(rest(&g_um, "/fapi/v1/fundingInfo", "[{\"symbol\":\"ETHUSDT\"}]"), -1);
	T_CHECK(strstr(g_um.err, "fundingIntervalHours") != NULL);
	T_EQ_I(rest(&g_um, "/fapi/v1/fundingInfo", "[{\"symbol\":\"ETHUSDT\",\"fundingIntervalHours\":0}]"), -1);
	T_EQ_I(rest(&g_um, "/fapi/v1/fundingInfo", "[{\"symbol\":\"ETHUSDT\",\"fundingIntervalHours\":\"4\"}]"), -1);
	T_EQ_I(rest(&g_um, "/fapi/v1/fundingInfo", "[{\"symbol\":\"ETHUSDT\",\"fundingIntervalHours\":1},"
	    "{\"symbol\":\"ETHUSDT\",\"fundingIntervalHours\":4}]"), -1);
	T_CHECK(strstr(g_um.err, "twice") != NULL);
	T_EQ_I(rest(&g_um, "/fapi/v1/fundingInfo", "[1]"), -1);
	T_EQ_I(rest(&g_um, "/fapi/v1/fundingInfo", "[{\"symbol\":\"\",\"fundingIntervalHours\":4}]"), -1);
	T_EQ_I(rest(&g_um, "/fapi/v1/fundingInfo", "[{\"symbol\":\"ETHUSDT\",\"fundingIntervalHours\":4"), -1);
	T_EQ_I(g_s.n, 0);
	T_EQ_I(g_um.errors, errs + 8);
	T_EQ_I(um_interval("ETHUSDT"), 14400);
	/* an interval changed back: an empty listing, every symbol 8 h */
	T_EQ_I(rest(&g_um, "/fapi/v1/fundingInfo", "[]"), 0);
	T_EQ_I(um_interval("ETHUSDT"), 28800);
	/* COIN-M: its own listing, 1 h */
	T_EQ_I(rest(&g_cm, "/dapi/v1/fundingInfo", "[{\"symbol\":\"BTCUSD_PERP\",\"adjustedFundingRateCap\":"
	    "\"0.02500000\",\"adjustedFundingRateFloor\":\"-0.02500000\",\"fundingIntervalHours\":1,\"disclaimer\":false}]"), 0);
	r = ws(&g_cm, "{\"e\":\"markPriceUpdate\",\"E\":1596095725000,\"s\":\"BTCUSD_PERP\",\"p\":\"10934.6\","
	    "\"P\":\"10962.1\",\"i\":\"10933.6\",\"r\":\"0.00010000\",\"T\":1596124800000}");
	T_EQ_I(r, 2);
	T_EQ_I(g_s.m[1].funding_interval_s, 3600);
	/* the spot API has none */
	uint64_t unk = g_spot.unknown;
	T_EQ_I(rest(&g_spot, "/api/v3/fundingInfo", "[]"), 0);
	T_EQ_I(g_spot.unknown, unk + 1);
}

static void
t_open_interest(void)
{
	uint64_t errs;
	int r;

	r = rest(&g_um, "/fapi/v1/openInterest?symbol=BTCUSDT",
	    "{\"openInterest\":\"10659.509\",\"symbol\":\"BTCUSDT\",\"time\":1589437530011}");
	T_EQ_I(r, 1);
	T_EQ_I(g_s.m[0].h.aux, MK_OPEN_INTEREST);
	T_EQ_I(g_s.m[0].h.inst, g_btc);
	T_EQ_I(g_s.m[0].oi_contracts, 1065950900000LL);
	T_EQ_I(g_s.m[0].oi_base, 106595090LL);   /* at 1e-4 */
	T_CHECK(g_s.m[0].oi_quote == MKT_NONE);
	T_EQ_I(g_s.m[0].h.exch_ns, 1589437530011000000LL);
	/* COIN-M: contracts only */
	r = rest(&g_cm, "/dapi/v1/openInterest?symbol=BTCUSD_PERP",
	    "{\"symbol\":\"BTCUSD_PERP\",\"pair\":\"BTCUSD\",\"openInterest\":\"517529\",\"contractType\":\"PERPETUAL\","
	    "\"time\":1586324583051}");
	T_EQ_I(r, 1);
	T_EQ_I(g_s.m[0].h.inst, g_perp);
	T_EQ_I(g_s.m[0].oi_contracts, 51752900000000LL);
	T_CHECK(g_s.m[0].oi_base == MKT_NONE);
	T_CHECK(g_s.m[0].oi_quote == MKT_NONE);   /* no contract size known yet */
	errs = g_um.errors;
	T_EQ_I(rest(&g_um, "/fapi/v1/openInterest?symbol=BTCUSDT", "{\"code\":-1121,\"msg\":\"Invalid symbol.\"}"), -1);
	T_CHECK(strstr(g_um.err, "-1121") != NULL);
	T_EQ_I(rest(&g_um, "/fapi/v1/openInterest?symbol=BTCUSDT", "{\"openInterest\":\"x\",\"symbol\":\"BTCUSDT\",\"time\":1}"), -1);
	T_EQ_I(rest(&g_um, "/fapi/v1/openInterest?symbol=BTCUSDT", "{\"openInterest\":\"1\",\"symbol\":\"BTCUSDT\"}"), -1);
	T_EQ_I(rest(&g_um, "/fapi/v1/openInterest?symbol=BTCUSDT", "[1,2]"), -1);
	T_EQ_I(rest(&g_um, "/fapi/v1/openInterest?symbol=BTCUSDT", "{\"openInterest\":\"1"), -1);
	T_EQ_I(g_s.n, 0);
	T_EQ_I(g_um.errors, errs + 5);
	/* a symbol not carried: unknown */
	uint64_t unk = g_um.unknown;
	T_EQ_I(rest(&g_um, "/fapi/v1/openInterest?symbol=SOLUSDT", "{\"openInterest\":\"1\",\"symbol\":\"SOLUSDT\",\"time\":1}"), 0);
	T_EQ_I(g_um.unknown, unk + 1);
	/* the spot API has no openInterest */
	unk = g_spot.unknown;
	T_EQ_I(rest(&g_spot, "/api/v3/openInterest?symbol=BTCUSDT", "{\"openInterest\":\"1\",\"symbol\":\"BTCUSDT\",\"time\":1}"), 0);
	T_EQ_I(g_spot.unknown, unk + 1);
	(void)g_spot_btc;
}

static int g_rules;

/* Any record: counts REC_INSTRUMENT (exchangeInfo's) and checks each. */
static int
rules_sink(void *ud, const struct rec_hdr *h)
{
	char err[160];

	(void)ud;
	T_CHECK(rec_check(h, h->len, err, sizeof err) == 0);
	if (h->type == REC_INSTRUMENT) {
		const struct rec_instrument *r = (const void *)h;
		g_rules++;
		T_EQ_I(r->ct_val, h->inst == g_perp || h->inst == g_dated ? 10000000000LL : -1);   /* 100 at 1e-8 */
	}
	return 0;
}

#define CM_SYM(s, cs) "{\"symbol\":\"" s "\",\"pair\":\"BTCUSD\",\"contractType\":\"PERPETUAL\"," \
	"\"contractSize\":" cs ",\"contractStatus\":\"TRADING\",\"baseAsset\":\"BTC\",\"quoteAsset\":\"USD\"," \
	"\"marginAsset\":\"BTC\",\"filters\":[{\"filterType\":\"PRICE_FILTER\",\"tickSize\":\"0.1\"}," \
	"{\"filterType\":\"LOT_SIZE\",\"stepSize\":\"1\",\"minQty\":\"1\"}]}"

static int
rules_sink_any(void *ud, const struct rec_hdr *h)
{
	(void)ud;
	(void)h;
	return 0;
}

static void
t_coinm_oi_quote(void)
{
	static const char info[] = "{\"timezone\":\"UTC\",\"symbols\":[" CM_SYM("BTCUSD_PERP", "100") ","
	    CM_SYM("BTCUSD_240927", "100") "," CM_SYM("ETHUSD_PERP", "10") "]}";
	int r;

	/* exchangeInfo (feedd parses the answer it asks for the weight limit):
	 * rules of the two carried symbols, every symbol's contract size kept */
	g_rules = 0;
	r = parse_rest(&g_cm, "/dapi/v1/exchangeInfo", info, strlen(info), 1700000000123456789LL, 0, rules_sink, NULL);
	T_EQ_I(r, 2);
	T_EQ_I(g_rules, 2);
	/* 517,529 contracts of 100 USD: 51,752,900 USD, at 1e-4 */
	r = rest(&g_cm, "/dapi/v1/openInterest?symbol=BTCUSD_PERP",
	    "{\"symbol\":\"BTCUSD_PERP\",\"pair\":\"BTCUSD\",\"openInterest\":\"517529\",\"contractType\":\"PERPETUAL\","
	    "\"time\":1586324583051}");
	T_EQ_I(r, 1);
	T_EQ_I(g_s.m[0].oi_contracts, 51752900000000LL);
	T_EQ_I(g_s.m[0].oi_quote, 517529000000LL);
	T_CHECK(g_s.m[0].oi_base == MKT_NONE);   /* a coin amount would need a price */
	r = rest(&g_cm, "/dapi/v1/openInterest?symbol=BTCUSD_240927",
	    "{\"symbol\":\"BTCUSD_240927\",\"pair\":\"BTCUSD\",\"openInterest\":\"1\",\"contractType\":\"CURRENT_QUARTER\","
	    "\"time\":1586324583051}");
	T_EQ_I(r, 1);
	T_EQ_I(g_s.m[0].h.inst, g_dated);
	T_EQ_I(g_s.m[0].oi_quote, 1000000LL);   /* one contract: 100 USD */
	/* USD-M: no quote value (it would need a price) */
	T_EQ_I(rest(&g_um, "/fapi/v1/openInterest?symbol=BTCUSDT",
	    "{\"openInterest\":\"10659.509\",\"symbol\":\"BTCUSDT\",\"time\":1589437530011}"), 1);
	T_CHECK(g_s.m[0].oi_quote == MKT_NONE);
	/* an answer without contract sizes (spot, USD-M shape) keeps the sizes */
	T_EQ_I(parse_rest(&g_cm, "/dapi/v1/exchangeInfo", "{\"symbols\":[]}", 14, 1, 0, rules_sink, NULL), 0);
	T_EQ_I(rest(&g_cm, "/dapi/v1/openInterest?symbol=BTCUSD_PERP",
	    "{\"symbol\":\"BTCUSD_PERP\",\"openInterest\":\"2\",\"time\":1586324583051}"), 1);
	T_EQ_I(g_s.m[0].oi_quote, 2000000LL);
	/* a value past int64 at 1e-4 is an error, not a wrapped number */
	static const char huge[] = "{\"symbols\":[" CM_SYM("BTCUSD_PERP", "90000000000") "]}";
	uint64_t errs = g_cm.errors;
	T_EQ_I(parse_rest(&g_cm, "/dapi/v1/exchangeInfo", huge, strlen(huge), 1, 0, rules_sink_any, NULL), 1);
	T_EQ_I(rest(&g_cm, "/dapi/v1/openInterest?symbol=BTCUSD_PERP",
	    "{\"symbol\":\"BTCUSD_PERP\",\"openInterest\":\"1100000000\",\"time\":1586324583051}"), -1);
	T_CHECK(strstr(g_cm.err, "overflow") != NULL);
	T_EQ_I(g_cm.errors, errs + 1);
	T_EQ_I(g_s.n, 0);
}

int
main(void)
{
	setup();
	T_RUN(t_mark_price);
	T_RUN(t_mark_price_bad);
	T_RUN(t_force_order);
	T_RUN(t_mark_array);
	T_RUN(t_funding_info);
	T_RUN(t_open_interest);
	T_RUN(t_coinm_oi_quote);
	parse_free(&g_um);
	parse_free(&g_cm);
	parse_free(&g_spot);
	return t_done();
}
