/*
 * parse_okx_market.c - OKX funding-rate, open-interest, mark-price,
 * index-tickers and liquidation-orders pushes -> REC_MARKET (okx_market.h).
 *
 * "" in any optional field means "not given" (OKX sends nextFundingRate ""
 * in some settlement modes): the record field stays MKT_NONE.  Rates are
 * exact at MKT_RATE_EXP (signed); oiCcy / oiUsd are rounded to MKT_VALUE_EXP
 * (aggregates, rec.h); prices and contract sizes are exact at the
 * instrument's exponents, as on its book.
 */
#include "okx_market.h"
#include "parse_impl.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "fx.h"

/* An optional string field: 1 = present and non-empty, 0 = absent or "", -1 = not a string. */
static int
opt_str(struct parse_ctx *p, json_t *el, const char *key, const char **s, size_t *len)
{
	json_t *v = json_object_get(el, key);

	if (!v || (json_is_string(v) && json_string_length(v) == 0))
		return 0;
	if (!json_is_string(v))
		return parse_fail(p, "\"%s\": expected a string", key);
	*s = json_string_value(v);
	*len = json_string_length(v);
	return 1;
}

/* A fixed-exponent field (rates, values): exact (round = 0) or rounded. */
static int
opt_fixed(struct parse_ctx *p, json_t *el, const char *key, int exp, int round, int64_t *out)
{
	const char *s;
	size_t len;
	int rc = opt_str(p, el, key, &s, &len);

	if (rc <= 0)
		return rc;
	rc = round ? fx_parse_round(s, len, exp, out) : fx_parse_signed(s, len, exp, out);
	if (rc != FX_OK)
		return parse_fail(p, "\"%s\" \"%.40s\": %s", key, s, fx_strerror(rc));
	return 1;
}

static int
opt_ms(struct parse_ctx *p, json_t *el, const char *key, int64_t *out_ns)
{
	const char *s;
	size_t len;
	int rc = opt_str(p, el, key, &s, &len);

	if (rc <= 0)
		return rc;
	return parse_ms_str(p, s, len, key, out_ns) < 0 ? -1 : 1;
}

static int
opt_inst_dec(struct parse_ctx *p, const struct inst *in, json_t *el, const char *key, int px, int64_t *out)
{
	const char *s;
	size_t len;
	int rc = opt_str(p, el, key, &s, &len);

	if (rc <= 0)
		return rc;
	rc = px ? parse_px(p, in, s, len, key, out) : parse_qty(p, in, s, len, key, out);
	return rc < 0 ? -1 : 1;
}

/* The instrument a data element names (its instId, else the arg's). */
static const struct inst *
elem_inst(struct parse_ctx *p, json_t *el, json_t *arg)
{
	json_t *id = json_object_get(el, "instId");

	if (!json_is_string(id))
		id = json_object_get(arg, "instId");
	if (!json_is_string(id))
		return NULL;
	return parse_inst(p, json_string_value(id), json_string_length(id));
}

static int
emit_market(struct parse_ctx *p, struct rec_market *m, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	/* parse_emit_market checks the record (rec_check) before it leaves */
	return parse_emit_market(p, m, m->h.exch_ns, recv_ns, emit, ud);
}

static int
elem_ts(struct parse_ctx *p, json_t *el, int64_t *ns)
{
	int rc = opt_ms(p, el, "ts", ns);

	if (rc == 0)
		return parse_fail(p, "market push without \"ts\"");
	return rc < 0 ? -1 : 0;
}

static int
funding(struct parse_ctx *p, const struct inst *in, json_t *el, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	struct rec_market m;
	int rc;

	rec_market_init(&m, in->id, MK_FUNDING);
	if (elem_ts(p, el, &m.h.exch_ns) < 0)
		return -1;
	if ((rc = opt_fixed(p, el, "fundingRate", MKT_RATE_EXP, 0, &m.funding_rate)) <= 0)
		return rc < 0 ? -1 : parse_fail(p, "funding-rate push without \"fundingRate\"");
	if (opt_fixed(p, el, "nextFundingRate", MKT_RATE_EXP, 0, &m.next_funding_rate) < 0 ||
	    opt_ms(p, el, "fundingTime", &m.settle_ns) < 0 ||
	    opt_ms(p, el, "nextFundingTime", &m.next_settle_ns) < 0)
		return -1;
	if (m.settle_ns != MKT_NONE && m.next_settle_ns != MKT_NONE && m.next_settle_ns > m.settle_ns &&
	    (m.next_settle_ns - m.settle_ns) / 1000000000 <= UINT32_MAX)
		m.funding_interval_s = (uint32_t)((m.next_settle_ns - m.settle_ns) / 1000000000);
	return emit_market(p, &m, recv_ns, emit, ud);
}

static int
open_interest(struct parse_ctx *p, const struct inst *in, json_t *el, int64_t recv_ns, parse_emit_fn emit,
    void *ud)
{
	struct rec_market m;

	rec_market_init(&m, in->id, MK_OPEN_INTEREST);
	if (elem_ts(p, el, &m.h.exch_ns) < 0 || opt_inst_dec(p, in, el, "oi", 0, &m.oi_contracts) < 0 ||
	    opt_fixed(p, el, "oiCcy", MKT_VALUE_EXP, 1, &m.oi_base) < 0 ||
	    opt_fixed(p, el, "oiUsd", MKT_VALUE_EXP, 1, &m.oi_quote) < 0)
		return -1;
	return emit_market(p, &m, recv_ns, emit, ud);
}

static int
mark(struct parse_ctx *p, const struct inst *in, json_t *el, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	struct rec_market m;

	rec_market_init(&m, in->id, MK_MARK);
	if (elem_ts(p, el, &m.h.exch_ns) < 0 || opt_inst_dec(p, in, el, "markPx", 1, &m.mark_px) < 0)
		return -1;
	return emit_market(p, &m, recv_ns, emit, ud);
}

/* index-tickers names an index: one record per carried derivative on it. */
static int
index_tickers(struct parse_ctx *p, json_t *el, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	json_t *id = json_object_get(el, "instId");
	int64_t ts;
	char idx[24];
	int total = 0;

	if (!json_is_string(id))
		return parse_fail(p, "index-tickers element without \"instId\"");
	if (elem_ts(p, el, &ts) < 0)
		return -1;
	for (int i = 0; i < p->reg->n; i++) {
		const struct inst *in = &p->reg->v[i];
		struct rec_market m;

		if (okx_market_index(in, idx, sizeof idx) == 0 || strcmp(idx, json_string_value(id)) != 0)
			continue;
		rec_market_init(&m, in->id, MK_MARK);
		m.h.exch_ns = ts;
		p->inst = in->id;
		if (opt_inst_dec(p, in, el, "idxPx", 1, &m.index_px) < 0 || emit_market(p, &m, recv_ns, emit, ud) < 0)
			return -1;
		total++;
	}
	if (total == 0)
		return parse_unknown(p, "index %.24s: no carried instrument on it", json_string_value(id));
	return total;
}

/* liquidation-orders: {instId, details:[{side, sz, bkPx, ts}, ...]} */
static int
liquidations(struct parse_ctx *p, json_t *arg, json_t *el, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	const struct inst *in = elem_inst(p, el, arg);
	json_t *det = json_object_get(el, "details"), *d;
	size_t i;
	int total = 0;

	if (!in)
		return parse_unknown(p, "liquidation of an instrument not carried");
	if (!json_is_array(det))
		return parse_fail(p, "liquidation-orders element without \"details\"");
	json_array_foreach(det, i, d) {
		struct rec_market m;
		const char *side;
		size_t sl;

		if (!json_is_object(d))
			return parse_fail(p, "liquidation detail: expected an object");
		rec_market_init(&m, in->id, MK_LIQUIDATION);
		if (elem_ts(p, d, &m.h.exch_ns) < 0 || opt_str(p, d, "side", &side, &sl) < 0 ||
		    opt_inst_dec(p, in, d, "bkPx", 1, &m.liq_px) < 0 || opt_inst_dec(p, in, d, "sz", 0, &m.liq_qty) < 0)
			return -1;
		if (json_is_string(json_object_get(d, "side")))
			m.liq_side = strcmp(side, "buy") == 0 ? SIDE_BUY : strcmp(side, "sell") == 0 ? SIDE_SELL : 0;
		if (emit_market(p, &m, recv_ns, emit, ud) < 0)
			return -1;
		total++;
	}
	return total;
}

int
parse_okx_market(struct parse_ctx *p, const char *ch, void *argp, void *datap, int64_t recv_ns,
    parse_emit_fn emit, void *ud)
{
	json_t *arg = argp, *data = datap, *el;
	int (*per_inst)(struct parse_ctx *, const struct inst *, json_t *, int64_t, parse_emit_fn, void *) = NULL;
	int kind, total = 0, rc;
	size_t i;

	if (strcmp(ch, "funding-rate") == 0)
		kind = 1, per_inst = funding;
	else if (strcmp(ch, "open-interest") == 0)
		kind = 1, per_inst = open_interest;
	else if (strcmp(ch, "mark-price") == 0)
		kind = 1, per_inst = mark;
	else if (strcmp(ch, "index-tickers") == 0)
		kind = 2;
	else if (strcmp(ch, "liquidation-orders") == 0)
		kind = 3;
	else
		return PARSE_NOT_MARKET;
	if (kind == 1) {
		/* the channel names a carried derivative (a spot instId has no such data) */
		const struct inst *in = elem_inst(p, NULL, arg);   /* jansson: get on NULL is NULL */

		if (!in || !okx_market_channels(in))
			return parse_unknown(p, "%s of an instrument not carried as a derivative", ch);
	}
	json_array_foreach(data, i, el) {
		if (!json_is_object(el))
			return parse_fail(p, "%s: expected an object", ch);
		if (kind == 1) {
			const struct inst *in = elem_inst(p, el, arg);

			if (!in)
				return parse_unknown(p, "%s of an instrument not carried", ch);
			p->inst = in->id;
			rc = per_inst(p, in, el, recv_ns, emit, ud);
		} else if (kind == 2) {
			rc = index_tickers(p, el, recv_ns, emit, ud);
		} else {
			rc = liquidations(p, arg, el, recv_ns, emit, ud);
		}
		if (rc < 0)
			return -1;
		total += rc;
	}
	return total;
}
