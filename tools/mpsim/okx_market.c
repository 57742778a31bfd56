/*
 * okx_market.c - OKX derivatives market data in the simulator (okx.h):
 * funding-rate (SWAP instIds only), open-interest, mark-price (SWAP,
 * FUTURES, OPTION instIds) and index-tickers (by index: the instId's first
 * two segments, BTC-USDT for BTC-USDT-SWAP), in OKX's push shapes.
 *
 * Values move plausibly and are pure functions of the book and the step:
 * the index is the book's mid, the mark the mid plus a premium of a few
 * ticks that wanders; the funding rate follows the premium (OKX's rate is
 * driven by it), signed, 16 decimals as OKX prints; open interest grows with
 * traded contracts and shrinks now and then.  Pushes: mark and index every
 * 5 steps (500 ms), open interest every 30 (3 s, OKX: "every 3 s when
 * changed"), funding every 50 (OKX: 30-90 s; faster so tests see it).
 */
#include "okx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "instid.h"

int
ox_is_derivative(const struct sim_inst *in)
{
	return in->venue == SIM_OKX && instid_is_derivative(in->vsym);
}

int
ox_is_swap(const struct sim_inst *in)
{
	return in->venue == SIM_OKX && instid_is_swap(in->vsym);
}

/* "BTC-USDT-SWAP" -> "BTC-USDT"; "" for spot. */
void
ox_index_name(const struct sim_inst *in, char *buf, size_t cap)
{
	buf[0] = 0;
	if (in->venue == SIM_OKX)
		instid_underlying(in->vsym, buf, cap);
}

int
ox_index_owner(const char *index)
{
	char idx[24];

	for (int i = 0; i < sim.ninst; i++) {
		ox_index_name(&sim.inst[i], idx, sizeof idx);
		if (idx[0] && strcmp(idx, index) == 0)
			return i;
	}
	return -1;
}

/* The premium in ticks at this step: a slow wave between about -3 and +5. */
static int64_t
premium_ticks(const struct sim_inst *in)
{
	int64_t s = in->book.step / 50;

	return 1 + (s % 9) - 4 + ((s / 9) % 2);
}

void
ox_market_step(struct sim_inst *in, struct sb *b)
{
	const struct mkt_level *bb = mkt_at(&in->book, MKT_BID, 0), *ba = mkt_at(&in->book, MKT_ASK, 0);
	int64_t step = in->book.step, now = sim_wall_ms(), mid;
	char px[32], idx[24];

	if (!ox_is_derivative(in) || !bb || !ba)
		return;
	mid = (bb->px + ba->px) / 2;
	for (int i = 0; i < in->book.nfill; i++)
		in->ox_oi_lots += in->book.fill[i].qty;
	if (step % 5 == 0 && emit_wanted(in, OK_MARK, 0)) {
		ox_px(in, mid + premium_ticks(in), px);
		sb_reset(b);
		sb_printf(b, "{\"arg\":{\"channel\":\"mark-price\",\"instId\":\"%s\"},\"data\":[{\"instType\":\"%s\","
		    "\"instId\":\"%s\",\"markPx\":\"%s\",\"ts\":\"%lld\"}]}", in->vsym, ox_is_swap(in) ? "SWAP" : "FUTURES",
		    in->vsym, px, (long long)now);
		emit_broadcast(in, OK_MARK, 0, b->p, b->len, EMIT_NORMAL);
	}
	ox_index_name(in, idx, sizeof idx);
	if (step % 5 == 0 && emit_wanted(in, OK_INDEX, 0)) {
		ox_px(in, mid, px);
		sb_reset(b);
		sb_printf(b, "{\"arg\":{\"channel\":\"index-tickers\",\"instId\":\"%s\"},\"data\":[{\"instId\":\"%s\","
		    "\"idxPx\":\"%s\",\"high24h\":\"%s\",\"low24h\":\"%s\",\"open24h\":\"%s\",\"sodUtc0\":\"%s\","
		    "\"sodUtc8\":\"%s\",\"ts\":\"%lld\"}]}", idx, idx, px, px, px, px, px, px, (long long)now);
		emit_broadcast(in, OK_INDEX, 0, b->p, b->len, EMIT_NORMAL);
	}
	if (step % 30 == 0 && emit_wanted(in, OK_OI, 0)) {
		char oi[32];
		/* contracts * ctVal: base units (linear) or USD (inverse), as listed
		 * by /api/v5/public/instruments (ox_contract_of) */
		struct ox_contract ct;
		double mpx = (double)(mid * in->tick_e8) / 1e8, n = (double)(in->ox_oi_lots * in->lot_e8) / 1e8, ccy, usd;

		ox_contract_of(in, &ct);
		if (ct.inverse) {
			usd = n * atof(ct.ct_val);
			ccy = mpx > 0 ? usd / mpx : 0;
		} else {
			ccy = n * atof(ct.ct_val);
			usd = ccy * mpx;
		}

		if (step % 300 == 0)
			in->ox_oi_lots -= in->ox_oi_lots / 20;   /* positions close too */
		ox_qty(in, in->ox_oi_lots, oi);
		sb_reset(b);
		sb_printf(b, "{\"arg\":{\"channel\":\"open-interest\",\"instId\":\"%s\"},\"data\":[{\"instType\":\"%s\","
		    "\"instId\":\"%s\",\"oi\":\"%s\",\"oiCcy\":\"%.6f\",\"oiUsd\":\"%.6f\",\"ts\":\"%lld\"}]}",
		    in->vsym, ox_is_swap(in) ? "SWAP" : "FUTURES", in->vsym, oi, ccy, usd, (long long)now);
		emit_broadcast(in, OK_OI, 0, b->p, b->len, EMIT_NORMAL);
	}
	if (step % 50 == 0 && ox_is_swap(in) && emit_wanted(in, OK_FUNDING, 0)) {
		/* rate = premium / index, clamped to OKX's +-0.375% cap, 16 decimals */
		long long e16 = (long long)((double)premium_ticks(in) / (double)mid * 1e16);
		long long cap = 37500000000000LL, a;
		int64_t t8h = 8LL * 3600 * 1000, next = now - now % t8h + t8h;

		if (e16 > cap)
			e16 = cap;
		if (e16 < -cap)
			e16 = -cap;
		a = e16 < 0 ? -e16 : e16;
		sb_reset(b);
		sb_printf(b, "{\"arg\":{\"channel\":\"funding-rate\",\"instId\":\"%s\"},\"data\":[{\"formulaType\":"
		    "\"noRate\",\"fundingRate\":\"%s%lld.%016lld\",\"fundingTime\":\"%lld\",\"impactValue\":\"\","
		    "\"instId\":\"%s\",\"instType\":\"SWAP\",\"interestRate\":\"\",\"maxFundingRate\":\"0.00375\","
		    "\"method\":\"current_period\",\"minFundingRate\":\"-0.00375\",\"nextFundingRate\":\"\","
		    "\"nextFundingTime\":\"%lld\",\"premium\":\"0\",\"settFundingRate\":\"0\",\"settState\":\"settled\","
		    "\"ts\":\"%lld\"}]}", in->vsym, e16 < 0 ? "-" : "", a / 10000000000000000LL,
		    a % 10000000000000000LL, (long long)next, in->vsym, (long long)(next + t8h), (long long)now);
		emit_broadcast(in, OK_FUNDING, 0, b->p, b->len, EMIT_NORMAL);
	}
}
