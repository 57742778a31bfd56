/*
 * binance_fut.c - Binance USD-M (fstream/fapi) and COIN-M (dstream/dapi)
 * futures: what they add to binance.c, whose streams and REST they share.
 *
 *  - instruments: canonical BTC-USDT-SWAP (USD-M BTCUSDT), BTC-USD-SWAP
 *    (COIN-M BTCUSD_PERP), dated BTC-USD-240927 (BTCUSD_240927); COIN-M
 *    sizes are whole contracts;
 *  - exchangeInfo entries of futures (contractType, deliveryDate, filters);
 *  - REST <api>/openInterest?symbol= (weight 1) and <api>/premiumIndex
 *    (mark, index, last funding rate, next funding time; weight 1, COIN-M
 *    answers an array, USD-M an object with symbol=, else an array);
 *  - REST <api>/fundingInfo (weight 0): as on the venues, only the
 *    perpetuals whose funding cap, floor or interval was adjusted: here
 *    every perpetual but BTC's and ETH's, BNB's at 8 h (an adjusted cap
 *    only), the others at 4 h; BTC and ETH keep the default 8 h unlisted.
 *    The settlement times (markPrice T, premiumIndex nextFundingTime) follow
 *    each one's interval;
 *  - streams <sym>@markPrice (3 s) and <sym>@markPrice@1s
 *    (markPriceUpdate: mark p, index i, estimated settle P, funding r, next
 *    funding T; a dated contract has r "" and T 0), the all-market
 *    !markPrice@arr (3 s) and !markPrice@arr@1s (an array of every
 *    instrument's markPriceUpdate, carried by the venue's first instrument's
 *    subscriptions and sent on its step) and <sym>@forceOrder
 *    (a liquidation's order, at most one per step).
 * The values come from deriv.c.
 */
#include <stdio.h>
#include <string.h>

#include "binance.h"
#include "deriv.h"
#include "emit.h"
#include "instid.h"
#include "route.h"
#include "venue.h"

#define BN_PERPETUAL_DELIVERY 4133404800000LL   /* what Binance gives perpetuals (2100-12-25) */

int
bn_fut_depth_weight(long limit)
{
	static const long lim[] = {5, 10, 20, 50, 100, 500, 1000};
	static const int w[] = {2, 2, 2, 2, 5, 10, 20};

	for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++)
		if (limit == lim[i])
			return w[i];
	return -1;
}

void
bn_fut_inst_init(struct sim_inst *in)
{
	char *dash;

	bn_inst_init(in);
	/* setup.c joined base and "USDT-SWAP": the venue's own id instead */
	if ((dash = strchr(in->quote, '-')) != NULL)
		*dash = 0;
	if (venue_symbol(venue_get(sim_ops(in->venue)->exch), in->sym, in->vsym, sizeof in->vsym) < 0)
		snprintf(in->vsym, sizeof in->vsym, "%s%s", in->base, in->quote);
	for (size_t i = 0; i < sizeof in->lsym; i++) {
		char ch = in->vsym[i];
		in->lsym[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
		if (ch == 0)
			break;
	}
	if (bn_spec(in->venue)->pair_field)
		in->lot_e8 = in->min_qty_e8 = 100000000;   /* COIN-M: whole contracts */
	in->bn_slow[0].pu = in->bn_slow[1].pu = in->bn_last_u;
	dv_init(in);
}

static int
is_perpetual(const struct sim_inst *in)
{
	return instid_is_swap(in->sym);
}

/* The funding interval in hours (0: a dated contract, no funding) and
 * whether fundingInfo lists it (the venue lists adjusted ones only). */
static int
funding_hours(const struct sim_inst *in, int *listed)
{
	int major = strcmp(in->base, "BTC") == 0 || strcmp(in->base, "ETH") == 0;

	*listed = is_perpetual(in) && !major;
	if (!is_perpetual(in))
		return 0;
	return major || strcmp(in->base, "BNB") == 0 ? 8 : 4;
}

static long long
next_funding(const struct sim_inst *in, int64_t now)
{
	int listed, h = funding_hours(in, &listed);

	return h ? (long long)dv_next_funding_ms(now, h) : 0LL;
}

/* Digits after the point of a 1e-8 unit (0.01 -> 2). */
static int
decimals(int64_t unit_e8)
{
	int d = 8;

	while (d > 0 && unit_e8 % 10 == 0) {
		unit_e8 /= 10;
		d--;
	}
	return d;
}

/* A dated contract's delivery: 08:00 UTC of its YYMMDD. */
static long long
delivery_ms(const struct sim_inst *in)
{
	const char *d = strrchr(in->sym, '-');
	int64_t ms;

	if (is_perpetual(in) || d == NULL || (ms = dv_expiry_ms(d + 1, strlen(d + 1))) < 0)
		return BN_PERPETUAL_DELIVERY;
	return (long long)ms;
}

static void
fut_symbol_info(struct sb *b, const struct sim_inst *in)
{
	char tick[32], lot[32], minq[32];
	int coinm = bn_spec(in->venue)->pair_field;

	sb_fmt_e8(in->tick_e8, 1, tick);
	sb_fmt_e8(in->lot_e8, 1, lot);
	sb_fmt_e8(in->min_qty_e8, 1, minq);
	sb_printf(b, "{\"symbol\":\"%s\",\"pair\":\"%s%s\",\"contractType\":\"%s\",\"deliveryDate\":%lld,"
	    "\"onboardDate\":1569398400000,\"%s\":\"TRADING\",", in->vsym, in->base, in->quote,
	    is_perpetual(in) ? "PERPETUAL" : "CURRENT_QUARTER", delivery_ms(in), coinm ? "contractStatus" : "status");
	if (coinm)
		sb_printf(b, "\"contractSize\":%d,", strcmp(in->base, "BTC") == 0 ? 100 : 10);
	sb_printf(b, "\"maintMarginPercent\":\"2.5000\",\"requiredMarginPercent\":\"5.0000\",\"baseAsset\":\"%s\","
	    "\"quoteAsset\":\"%s\",\"marginAsset\":\"%s\",\"pricePrecision\":%d,\"quantityPrecision\":%d,"
	    "\"baseAssetPrecision\":8,\"quotePrecision\":8,\"underlyingType\":\"COIN\",\"underlyingSubType\":[],"
	    "\"settlePlan\":0,\"triggerProtect\":\"0.0500\",\"filters\":["
	    "{\"filterType\":\"PRICE_FILTER\",\"minPrice\":\"%s\",\"maxPrice\":\"4529764\",\"tickSize\":\"%s\"},"
	    "{\"filterType\":\"LOT_SIZE\",\"minQty\":\"%s\",\"maxQty\":\"1000\",\"stepSize\":\"%s\"},"
	    "{\"filterType\":\"MARKET_LOT_SIZE\",\"minQty\":\"%s\",\"maxQty\":\"120\",\"stepSize\":\"%s\"},"
	    "{\"filterType\":\"MAX_NUM_ORDERS\",\"limit\":200},{\"filterType\":\"MAX_NUM_ALGO_ORDERS\",\"limit\":10},"
	    "{\"filterType\":\"PERCENT_PRICE\",\"multiplierUp\":\"1.0500\",\"multiplierDown\":\"0.9500\","
	    "\"multiplierDecimal\":\"4\"}],\"orderTypes\":[\"LIMIT\",\"MARKET\",\"STOP\",\"STOP_MARKET\","
	    "\"TAKE_PROFIT\",\"TAKE_PROFIT_MARKET\",\"TRAILING_STOP_MARKET\"],\"timeInForce\":[\"GTC\",\"IOC\","
	    "\"FOK\",\"GTX\"],\"liquidationFee\":\"0.012500\",\"marketTakeBound\":\"0.05\"}",
	    in->base, in->quote, coinm ? in->base : in->quote, decimals(in->tick_e8), decimals(in->lot_e8),
	    tick, tick, minq, lot, minq, lot);
}

/* ---- REST ---- */

/* The instrument of ?symbol=, or -1 with the error answered (missing: -1102,
 * unknown: -1121), as Binance words them. */
static int
symbol_param(struct sim_conn *c, const char *query, int delay_ms)
{
	char v[64];
	int i;

	if (!route_qget(query, "symbol", v, sizeof v) || !*v) {
		bn_error(c, 400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.", delay_ms);
		return -1;
	}
	if ((i = sim_find_inst(c->venue, v)) < 0)
		bn_error(c, 400, -1121, "Invalid symbol.", delay_ms);
	return i;
}

static void
open_interest(struct sim_conn *c, const char *query, int delay_ms)
{
	char oi[32];
	struct sb b;
	int i;

	if (bn_charge(c, 1, delay_ms) || (i = symbol_param(c, query, delay_ms)) < 0)
		return;
	struct sim_inst *in = &sim.inst[i];
	bn_qty(in, in->dv_oi, oi);
	sb_init(&b);
	if (bn_spec(c->venue)->pair_field)
		sb_printf(&b, "{\"symbol\":\"%s\",\"pair\":\"%s%s\",\"openInterest\":\"%s\",\"contractType\":\"%s\","
		    "\"time\":%lld}", in->vsym, in->base, in->quote, oi, is_perpetual(in) ? "PERPETUAL" : "CURRENT_QUARTER",
		    (long long)sim_wall_ms());
	else
		sb_printf(&b, "{\"openInterest\":\"%s\",\"symbol\":\"%s\",\"time\":%lld}", oi, in->vsym,
		    (long long)sim_wall_ms());
	bn_answer(c, 200, NULL, b.p, b.len, delay_ms);
	sb_free(&b);
}

static void
premium_entry(struct sb *b, const struct sim_inst *in)
{
	char mark[32], idx[32], rate[32] = "";
	int64_t now = sim_wall_ms();

	sb_fmt_e8(dv_mark_e8(in), 0, mark);
	sb_fmt_e8(dv_index_e8(in), 0, idx);
	if (is_perpetual(in))
		sb_fmt_e8(dv_funding_e8(in), 0, rate);
	sb_printf(b, "{\"symbol\":\"%s\",", in->vsym);
	if (bn_spec(in->venue)->pair_field)
		sb_printf(b, "\"pair\":\"%s%s\",", in->base, in->quote);
	sb_printf(b, "\"markPrice\":\"%s\",\"indexPrice\":\"%s\",\"estimatedSettlePrice\":\"%s\",\"lastFundingRate\":"
	    "\"%s\",\"interestRate\":\"%s\",\"nextFundingTime\":%lld,\"time\":%lld}", mark, idx, idx, rate,
	    is_perpetual(in) ? "0.00010000" : "", next_funding(in, now), (long long)now);
}

static void
premium_index(struct sim_conn *c, const char *query, int delay_ms)
{
	char v[64];
	int one = -1, coinm = bn_spec(c->venue)->pair_field, first = 1;
	struct sb b;

	if (route_qget(query, "symbol", v, sizeof v) && *v) {
		if ((one = sim_find_inst(c->venue, v)) < 0) {
			bn_error(c, 400, -1121, "Invalid symbol.", delay_ms);
			return;
		}
	}
	/* COIN-M: 10 without a symbol */
	if (bn_charge(c, coinm && one < 0 ? 10 : 1, delay_ms))
		return;
	sb_init(&b);
	if (one >= 0 && !coinm) {
		premium_entry(&b, &sim.inst[one]);
	} else {
		sb_addc(&b, '[');
		for (int i = 0; i < sim.ninst; i++) {
			if (sim.inst[i].venue != c->venue || (one >= 0 && i != one))
				continue;
			if (!first)
				sb_addc(&b, ',');
			first = 0;
			premium_entry(&b, &sim.inst[i]);
		}
		sb_addc(&b, ']');
	}
	bn_answer(c, 200, NULL, b.p, b.len, delay_ms);
	sb_free(&b);
}

/* GET <api>/fundingInfo: the adjusted perpetuals of the venue. */
static void
funding_info(struct sim_conn *c, int delay_ms)
{
	struct sb b;
	int first = 1;

	if (bn_charge(c, 0, delay_ms))
		return;
	sb_init(&b);
	sb_addc(&b, '[');
	for (int i = 0; i < sim.ninst; i++) {
		const struct sim_inst *in = &sim.inst[i];
		int listed, h;
		if (in->venue != c->venue)
			continue;
		h = funding_hours(in, &listed);
		if (!listed)
			continue;
		sb_printf(&b, "%s{\"symbol\":\"%s\",\"adjustedFundingRateCap\":\"%s\",\"adjustedFundingRateFloor\":\"-%s\","
		    "\"fundingIntervalHours\":%d,\"disclaimer\":false}", first ? "" : ",", in->vsym,
		    h == 8 ? "0.02000000" : "0.03000000", h == 8 ? "0.02000000" : "0.03000000", h);
		first = 0;
	}
	sb_addc(&b, ']');
	bn_answer(c, 200, NULL, b.p, b.len, delay_ms);
	sb_free(&b);
}

static int
fut_rest(struct sim_conn *c, const char *ep, const char *query, int delay_ms)
{
	if (strcmp(ep, "fundingInfo") == 0)
		funding_info(c, delay_ms);
	else if (strcmp(ep, "openInterest") == 0)
		open_interest(c, query, delay_ms);
	else if (strcmp(ep, "premiumIndex") == 0)
		premium_index(c, query, delay_ms);
	else
		return 0;
	return 1;
}

/* ---- streams ---- */

static int
fut_stream(const char *rest, struct sim_sub *s)
{
	if (strcmp(rest, "markPrice") == 0 || strcmp(rest, "markPrice@3s") == 0)
		s->kind = BK_MARK, s->param = 30;
	else if (strcmp(rest, "markPrice@1s") == 0)
		s->kind = BK_MARK, s->param = 10;
	else if (strcmp(rest, "forceOrder") == 0)
		s->kind = BK_FORCE;
	else
		return -1;
	return 0;
}

/* The venue's first instrument (the all-market streams' carrier), or -1. */
static int
first_inst(int venue)
{
	for (int i = 0; i < sim.ninst; i++)
		if (sim.inst[i].venue == venue)
			return i;
	return -1;
}

static int
fut_stream_all(int venue, const char *name, struct sim_sub *s)
{
	if (strcmp(name, "!markPrice@arr") == 0)
		s->kind = BK_MARK_ARR, s->param = 30;
	else if (strcmp(name, "!markPrice@arr@1s") == 0)
		s->kind = BK_MARK_ARR, s->param = 10;
	else
		return -1;
	s->inst = first_inst(venue);
	return s->inst < 0 ? -1 : 0;
}

/* One markPriceUpdate object appended to b. */
static void
mark_obj(struct sb *b, const struct sim_inst *in, int64_t now)
{
	char mark[32], idx[32], rate[32] = "";

	sb_fmt_e8(dv_mark_e8(in), 0, mark);
	sb_fmt_e8(dv_index_e8(in), 0, idx);
	if (is_perpetual(in))
		sb_fmt_e8(dv_funding_e8(in), 0, rate);
	if (bn_spec(in->venue)->pair_field)
		sb_printf(b, "{\"e\":\"markPriceUpdate\",\"E\":%lld,\"s\":\"%s\",\"p\":\"%s\",\"P\":\"%s\",\"i\":\"%s\","
		    "\"r\":\"%s\",\"T\":%lld}", (long long)now, in->vsym, mark, idx, idx, rate, next_funding(in, now));
	else
		sb_printf(b, "{\"e\":\"markPriceUpdate\",\"E\":%lld,\"s\":\"%s\",\"p\":\"%s\",\"i\":\"%s\",\"P\":\"%s\","
		    "\"r\":\"%s\",\"T\":%lld}", (long long)now, in->vsym, mark, idx, idx, rate, next_funding(in, now));
}

static void
mark_price(struct sim_inst *in, struct sb *b, int every)
{
	if (!emit_wanted(in, BK_MARK, every))
		return;
	sb_reset(b);
	mark_obj(b, in, sim_wall_ms());
	emit_broadcast(in, BK_MARK, every, b->p, b->len, EMIT_NORMAL);
}

/* !markPrice@arr[@1s] on the step of the venue's first instrument: every
 * instrument of the venue, in order. */
static void
mark_array(struct sim_inst *in, struct sb *b, int every)
{
	int64_t now = sim_wall_ms();
	int first = 1;

	if (!emit_wanted(in, BK_MARK_ARR, every))
		return;
	sb_reset(b);
	sb_addc(b, '[');
	for (int i = 0; i < sim.ninst; i++) {
		if (sim.inst[i].venue != in->venue)
			continue;
		if (!first)
			sb_addc(b, ',');
		first = 0;
		mark_obj(b, &sim.inst[i], now);
	}
	sb_addc(b, ']');
	emit_broadcast(in, BK_MARK_ARR, every, b->p, b->len, EMIT_NORMAL);
}

static void
force_order(struct sim_inst *in, struct sb *b)
{
	char px[32], q[32];
	int64_t now = sim_wall_ms();

	if (!in->dv_liq_side || !emit_wanted(in, BK_FORCE, 0))
		return;
	bn_px(in, in->dv_liq_px, px);
	bn_qty(in, in->dv_liq_qty, q);
	sb_reset(b);
	sb_printf(b, "{\"e\":\"forceOrder\",\"E\":%lld,\"o\":{\"s\":\"%s\"", (long long)now, in->vsym);
	if (bn_spec(in->venue)->pair_field)
		sb_printf(b, ",\"ps\":\"%s%s\"", in->base, in->quote);
	/* filled in full at its own price: ap = p, l = z = q */
	sb_printf(b, ",\"S\":\"%s\",\"o\":\"LIMIT\",\"f\":\"IOC\",\"q\":\"%s\",\"p\":\"%s\",\"ap\":\"%s\","
	    "\"X\":\"FILLED\",\"l\":\"%s\",\"z\":\"%s\",\"T\":%lld}}", in->dv_liq_side == 2 ? "SELL" : "BUY", q, px, px,
	    q, q, (long long)now - 1);
	emit_broadcast(in, BK_FORCE, 0, b->p, b->len, EMIT_NORMAL);
}

static void
fut_step(struct sim_inst *in, struct sb *b)
{
	dv_step(in);
	if (in->book.step % 10 == 0)
		mark_price(in, b, 10);
	if (in->book.step % 30 == 0)
		mark_price(in, b, 30);
	if (&sim.inst[first_inst(in->venue)] == in) {
		if (in->book.step % 10 == 0)
			mark_array(in, b, 10);
		if (in->book.step % 30 == 0)
			mark_array(in, b, 30);
	}
	force_order(in, b);
}

#define FUT_ORDER_LIMITS \
	"{\"rateLimitType\":\"ORDERS\",\"interval\":\"MINUTE\",\"intervalNum\":1,\"limit\":1200}," \
	"{\"rateLimitType\":\"ORDERS\",\"interval\":\"SECOND\",\"intervalNum\":10,\"limit\":300}"

/* USD-M routes its streams by path since 2025 (/public: depth, bookTicker;
 * /market: the others; /private: user data) and clients use the routed
 * paths (ccxt 4.5 opens /public/ws/0 for depth); the plain /ws stays. */
static const char *const usdm_routes[] = {"/public", "/market", "/private", NULL};

const struct bn_spec bn_usdm = {
	.api = "/fapi/v1", .weight_limit = 2400, .info_weight = 1, .futures = 1,
	.slow = {{500, "depth@500ms", NULL}, {250, "depth", NULL}}, .order_limits = FUT_ORDER_LIMITS, .symbol_info = fut_symbol_info,
	.rest_more = fut_rest, .stream_more = fut_stream, .stream_all = fut_stream_all,
	.ws_routes = usdm_routes,
	.step_more = fut_step,
};

const struct bn_spec bn_coinm = {
	.api = "/dapi/v1", .weight_limit = 2400, .info_weight = 1, .futures = 1, .pair_field = 1,
	.slow = {{500, "depth@500ms", NULL}, {250, "depth", NULL}}, .order_limits = FUT_ORDER_LIMITS, .symbol_info = fut_symbol_info,
	.rest_more = fut_rest, .stream_more = fut_stream, .stream_all = fut_stream_all,
	.step_more = fut_step,
};
