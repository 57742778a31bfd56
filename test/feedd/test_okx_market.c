/*
 * test_okx_market.c - OKX derivatives market data (feedd/okx_market.h):
 * funding-rate, open-interest, mark-price, index-tickers and
 * liquidation-orders pushes into REC_MARKET, exact values, "" as not given,
 * bad values as counted errors; the channels each instrument type gets and
 * the subscription list.
 */
#include <stdlib.h>
#include <string.h>

#include "../../feedd/okx_market.h"
#include "../../feedd/parse_impl.h"
#include "../t.h"
#include "market_sink.h"

static struct inst_registry g_reg;
static struct parse_ctx g_p;
static uint32_t g_spot, g_swap, g_inv, g_fut;

static int
ws(const char *f)
{
	g_s.n = 0;
	return parse_ws(&g_p, f, strlen(f), 1700000000123456789LL, sink, NULL);
}

static void
setup(void)
{
	char err[128];

	inst_reg_free(&g_reg);   /* empty again (static: set up more than once) */
	g_spot = inst_add(&g_reg, EX_OKX, "BTC-USDT", err, sizeof err);
	g_swap = inst_add(&g_reg, EX_OKX, "BTC-USDT-SWAP", err, sizeof err);
	g_inv = inst_add(&g_reg, EX_OKX, "BTC-USD-SWAP", err, sizeof err);
	g_fut = inst_add(&g_reg, EX_OKX, "BTC-USD-240927", err, sizeof err);
	parse_init(&g_p, &g_reg, EX_OKX);
}

static void
t_funding(void)
{
	int r;

	/* the shape of OKX's documented push, nextFundingRate "" (not given) */
	r = ws("{\"arg\":{\"channel\":\"funding-rate\",\"instId\":\"BTC-USD-SWAP\"},\"data\":[{\"formulaType\":"
	    "\"noRate\",\"fundingRate\":\"-0.0001875391284828\",\"fundingTime\":\"1700726400000\",\"impactValue\":"
	    "\"\",\"instId\":\"BTC-USD-SWAP\",\"instType\":\"SWAP\",\"interestRate\":\"\",\"maxFundingRate\":"
	    "\"0.00375\",\"method\":\"current_period\",\"minFundingRate\":\"-0.00375\",\"nextFundingRate\":\"\","
	    "\"nextFundingTime\":\"1700755200000\",\"premium\":\"0.0001233824646391\",\"settFundingRate\":"
	    "\"0.0001699799259033\",\"settState\":\"settled\",\"ts\":\"1700724675402\"}]}");
	T_EQ_I(r, 1);
	T_EQ_I(g_s.n, 1);
	T_EQ_I(g_s.m[0].h.inst, g_inv);
	T_EQ_I(g_s.m[0].h.aux, MK_FUNDING);
	T_EQ_I(g_s.m[0].funding_rate, -187539128482800LL);
	T_CHECK(g_s.m[0].next_funding_rate == MKT_NONE);
	T_EQ_I(g_s.m[0].settle_ns, 1700726400000000000LL);
	T_EQ_I(g_s.m[0].next_settle_ns, 1700755200000000000LL);
	T_EQ_I(g_s.m[0].funding_interval_s, 28800);
	T_EQ_I(g_s.m[0].h.exch_ns, 1700724675402000000LL);
	T_EQ_I(g_s.m[0].h.recv_ns, 1700000000123456789LL);
	/* a predicted rate when given */
	r = ws("{\"arg\":{\"channel\":\"funding-rate\",\"instId\":\"BTC-USDT-SWAP\"},\"data\":[{\"instId\":"
	    "\"BTC-USDT-SWAP\",\"fundingRate\":\"0.0001\",\"nextFundingRate\":\"0.00012\",\"fundingTime\":"
	    "\"1700726400000\",\"nextFundingTime\":\"1700755200000\",\"ts\":\"1700724675402\"}]}");
	T_EQ_I(r, 1);
	T_EQ_I(g_s.m[0].next_funding_rate, 120000000000000LL);
	/* bad values: an error naming the key, no record */
	uint64_t errs = g_p.errors;
	T_EQ_I(ws("{\"arg\":{\"channel\":\"funding-rate\",\"instId\":\"BTC-USDT-SWAP\"},\"data\":[{\"fundingRate\":"
	    "\"0.0x1\",\"ts\":\"1\"}]}"), -1);
	T_CHECK(strstr(g_p.err, "fundingRate") != NULL);
	T_EQ_I(ws("{\"arg\":{\"channel\":\"funding-rate\",\"instId\":\"BTC-USDT-SWAP\"},\"data\":[{\"ts\":\"1\"}]}"), -1);
	T_CHECK(strstr(g_p.err, "fundingRate") != NULL);
	T_EQ_I(g_p.errors, errs + 2);
	T_EQ_I(g_s.n, 0);
	/* an instrument not carried is unknown, not an error */
	T_EQ_I(ws("{\"arg\":{\"channel\":\"funding-rate\",\"instId\":\"ETH-USDT-SWAP\"},\"data\":[{\"instId\":"
	    "\"ETH-USDT-SWAP\",\"fundingRate\":\"0.0001\",\"ts\":\"1\"}]}"), 0);
}

static void
t_oi_mark_index(void)
{
	int r;

	r = ws("{\"arg\":{\"channel\":\"open-interest\",\"instId\":\"BTC-USDT-SWAP\"},\"data\":[{\"instId\":"
	    "\"BTC-USDT-SWAP\",\"instType\":\"SWAP\",\"oi\":\"2216113.01\",\"oiCcy\":\"22161.1301\",\"oiUsd\":"
	    "\"1434745893.123456\",\"ts\":\"1700724675402\"}]}");
	T_EQ_I(r, 1);
	T_EQ_I(g_s.m[0].h.aux, MK_OPEN_INTEREST);
	T_EQ_I(g_s.m[0].oi_contracts, 221611301000000LL);       /* at qty_exp -8 */
	T_EQ_I(g_s.m[0].oi_base, 221611301LL);                  /* at -4 */
	T_EQ_I(g_s.m[0].oi_quote, 14347458931235LL);            /* rounded half up to -4 */
	r = ws("{\"arg\":{\"channel\":\"mark-price\",\"instId\":\"BTC-USD-240927\"},\"data\":[{\"instType\":"
	    "\"FUTURES\",\"instId\":\"BTC-USD-240927\",\"markPx\":\"64123.4\",\"ts\":\"1597026383085\"}]}");
	T_EQ_I(r, 1);
	T_EQ_I(g_s.m[0].h.inst, g_fut);
	T_EQ_I(g_s.m[0].h.aux, MK_MARK);
	T_EQ_I(g_s.m[0].mark_px, 6412340000000LL);
	T_CHECK(g_s.m[0].index_px == MKT_NONE);
	/* one index update for every derivative on it: BTC-USD-SWAP and
	 * BTC-USD-240927 share BTC-USD; the spot BTC-USDT is not "on" an index */
	r = ws("{\"arg\":{\"channel\":\"index-tickers\",\"instId\":\"BTC-USD\"},\"data\":[{\"instId\":\"BTC-USD\","
	    "\"idxPx\":\"64100.5\",\"high24h\":\"1\",\"low24h\":\"1\",\"open24h\":\"1\",\"sodUtc0\":\"1\","
	    "\"sodUtc8\":\"1\",\"ts\":\"1597026383085\"}]}");
	T_EQ_I(r, 2);
	T_EQ_I(g_s.m[0].h.inst, g_inv);
	T_EQ_I(g_s.m[1].h.inst, g_fut);
	T_EQ_I(g_s.m[1].index_px, 6410050000000LL);
	T_CHECK(g_s.m[1].mark_px == MKT_NONE);
	r = ws("{\"arg\":{\"channel\":\"index-tickers\",\"instId\":\"BTC-USDT\"},\"data\":[{\"instId\":\"BTC-USDT\","
	    "\"idxPx\":\"64100.5\",\"ts\":\"1597026383085\"}]}");
	T_EQ_I(r, 1);
	T_EQ_I(g_s.m[0].h.inst, g_swap);
	/* a mark price of 0 or a negative open interest is refused by rec_check */
	T_EQ_I(ws("{\"arg\":{\"channel\":\"mark-price\",\"instId\":\"BTC-USD-240927\"},\"data\":[{\"instId\":"
	    "\"BTC-USD-240927\",\"markPx\":\"0\",\"ts\":\"1\"}]}"), -1);
	T_EQ_I(ws("{\"arg\":{\"channel\":\"open-interest\",\"instId\":\"BTC-USDT-SWAP\"},\"data\":[{\"instId\":"
	    "\"BTC-USDT-SWAP\",\"oi\":\"-1\",\"ts\":\"1\"}]}"), -1);
	T_EQ_I(ws("{\"arg\":{\"channel\":\"open-interest\",\"instId\":\"BTC-USDT-SWAP\"},\"data\":[{\"instId\":"
	    "\"BTC-USDT-SWAP\",\"oi\":\"\",\"ts\":\"1\"}]}"), -1);
	T_CHECK(strstr(g_p.err, "none of") != NULL);
}

static void
t_liquidation(void)
{
	int r = ws("{\"arg\":{\"channel\":\"liquidation-orders\",\"instType\":\"SWAP\"},\"data\":[{\"details\":[{"
	    "\"bkLoss\":\"0\",\"bkPx\":\"61000.1\",\"ccy\":\"\",\"posSide\":\"long\",\"side\":\"sell\",\"sz\":\"13\","
	    "\"ts\":\"1692266434010\"}],\"instFamily\":\"BTC-USDT\",\"instId\":\"BTC-USDT-SWAP\",\"instType\":"
	    "\"SWAP\",\"uly\":\"BTC-USDT\"}]}");

	T_EQ_I(r, 1);
	T_EQ_I(g_s.m[0].h.aux, MK_LIQUIDATION);
	T_EQ_I(g_s.m[0].liq_side, SIDE_SELL);
	T_EQ_I(g_s.m[0].liq_px, 6100010000000LL);
	T_EQ_I(g_s.m[0].liq_qty, 1300000000LL);
	T_EQ_I(g_s.m[0].h.exch_ns, 1692266434010000000LL);
	/* of an instrument not carried: skipped */
	T_EQ_I(ws("{\"arg\":{\"channel\":\"liquidation-orders\",\"instType\":\"SWAP\"},\"data\":[{\"details\":[],"
	    "\"instId\":\"XRP-USDT-SWAP\"}]}"), 0);
	/* an unknown side is refused */
	T_EQ_I(ws("{\"arg\":{\"channel\":\"liquidation-orders\",\"instType\":\"SWAP\"},\"data\":[{\"details\":[{"
	    "\"bkPx\":\"1\",\"side\":\"up\",\"sz\":\"1\",\"ts\":\"1\"}],\"instId\":\"BTC-USDT-SWAP\"}]}"), -1);
}

static void
t_channels_and_subscription(void)
{
	char buf[2048] = "", small[60] = "";
	uint32_t ids[] = {g_spot, g_swap, g_inv, g_fut};
	int first = 1;

	T_EQ_I(okx_market_channels(inst_get(&g_reg, g_spot)), 0);
	T_EQ_I(okx_market_channels(inst_get(&g_reg, g_swap)), OKXM_FUNDING | OKXM_OI | OKXM_MARK | OKXM_INDEX);
	T_EQ_I(okx_market_channels(inst_get(&g_reg, g_fut)), OKXM_OI | OKXM_MARK | OKXM_INDEX);
	T_EQ_I(okx_market_sub_args(&g_reg, ids, 4, buf, sizeof buf, &first), 0);
	T_EQ_S(buf,
	    "{\"channel\":\"funding-rate\",\"instId\":\"BTC-USDT-SWAP\"},"
	    "{\"channel\":\"open-interest\",\"instId\":\"BTC-USDT-SWAP\"},"
	    "{\"channel\":\"mark-price\",\"instId\":\"BTC-USDT-SWAP\"},"
	    "{\"channel\":\"index-tickers\",\"instId\":\"BTC-USDT\"},"
	    "{\"channel\":\"funding-rate\",\"instId\":\"BTC-USD-SWAP\"},"
	    "{\"channel\":\"open-interest\",\"instId\":\"BTC-USD-SWAP\"},"
	    "{\"channel\":\"mark-price\",\"instId\":\"BTC-USD-SWAP\"},"
	    "{\"channel\":\"index-tickers\",\"instId\":\"BTC-USD\"},"
	    "{\"channel\":\"open-interest\",\"instId\":\"BTC-USD-240927\"},"
	    "{\"channel\":\"mark-price\",\"instId\":\"BTC-USD-240927\"}");
	T_EQ_I(first, 0);
	/* too small: -1 and no half-written item */
	first = 1;
	T_EQ_I(okx_market_sub_args(&g_reg, ids, 4, small, sizeof small, &first), -1);
	T_CHECK(strlen(small) == 0 || small[strlen(small) - 1] == '}');
}

int
main(void)
{
	setup();
	T_RUN(t_funding);
	T_RUN(t_oi_mark_index);
	T_RUN(t_liquidation);
	T_RUN(t_channels_and_subscription);
	parse_free(&g_p);
	return t_done();
}
