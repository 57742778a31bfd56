/*
 * parse_binance_fut.c - Binance USD-M (fstream/fapi) and COIN-M
 * (dstream/dapi) futures frames.  The wire format is Binance's (the spot
 * parsers of parse_binance.c and parse_scan.c read both); what differs is
 * that depthUpdate must carry pu (the previous event's u, kept as the
 * delta's prev_id for bookd's chain rule, bookd/sync_binance_fut.c), "T"
 * (transaction time) beside "E", bookTicker naming its event, and the REST
 * prefix (/fapi/v1/, /dapi/v1/; depth answers carry E and T too).
 *
 * Derivatives market data (REC_MARKET, rec.h), jansson path:
 *  - markPriceUpdate (@markPrice, @markPrice@1s): MK_MARK (mark p, index
 *    i), then MK_FUNDING (rate r, settlement T, funding_interval_s from the
 *    last fundingInfo answer, 0 before one) unless r is "" (a dated
 *    contract: no funding);
 *  - GET <api>/fundingInfo (feedd asks it at most once a minute,
 *    RQ_VENUE_MARKET): no record; the venue lists only the symbols whose
 *    funding was adjusted (fundingIntervalHours), the others settle every
 *    8 h (the default), so after an answer every perpetual's interval is
 *    known.  A replay of the capture gives the same records, since the
 *    answer is in it;
 *  - !markPrice@arr[@1s] (every symbol's markPriceUpdate in one array):
 *    each element of a carried symbol as above, the others skipped (the
 *    array lists the whole venue; mpreplay does not adopt them); the whole
 *    array is checked before anything of it is emitted;
 *  - forceOrder: MK_LIQUIDATION from its order o (side S, price p, average
 *    price ap, quantity q);
 *  - GET <api>/openInterest?symbol= (polled by feedd, RQ_MARKET):
 *    MK_OPEN_INTEREST, oi_contracts (USD-M base units, COIN-M contracts;
 *    USD-M also oi_base; COIN-M also oi_quote, the USD value: contracts x
 *    contractSize, exact, once an exchangeInfo answer gave the size - each
 *    contract is worth a fixed amount of USD.  USD-M's value in USDT would
 *    need a price (openInterest x mark is no fixed-point identity and the
 *    mark is another stream's): left unset).
 * A bad field is a parse error (counted, EV_PARSE_ERROR), never a record.
 */
#include "parse_impl.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx.h"

/* The instrument a frame names under key; NULL with *rc = -1 (bad) or
 * parse_unknown's 0 (not carried). */
static const struct inst *
inst_of(struct parse_ctx *p, json_t *d, const char *key, int *rc)
{
	const struct inst *in;
	const char *s;
	size_t len;

	*rc = -1;
	if (pj_str(p, d, key, &s, &len) < 0)
		return NULL;
	if (!(in = parse_inst(p, s, len))) {
		*rc = parse_unknown(p, "symbol %.*s is not carried", (int)(len > 32 ? 32 : len), s);
		return NULL;
	}
	p->inst = in->id;
	return in;
}

static int
emit_market(struct parse_ctx *p, struct rec_market *m, int64_t exch_ns, int64_t recv_ns, parse_emit_fn emit,
    void *ud)
{
	m->h.exch_ns = exch_ns;
	return parse_emit_fixed(p, &m->h, REC_MARKET, sizeof *m, recv_ns, emit, ud);
}

/* A decimal string at a fixed exponent (rates exact, values rounded). */
static int
fixed_str(struct parse_ctx *p, json_t *d, const char *key, int exp, int round, int64_t *out)
{
	const char *s;
	size_t len;
	int rc;

	if (pj_str(p, d, key, &s, &len) < 0)
		return -1;
	rc = round ? fx_parse_round(s, len, exp, out) : fx_parse_signed(s, len, exp, out);
	if (rc != FX_OK)
		return parse_fail(p, "\"%s\" \"%.40s\": %s", key, s, fx_strerror(rc));
	return 0;
}

#define BN_FUND_DEFAULT_S (8 * 3600)     /* not listed by fundingInfo: the default interval */

/* The funding interval of in (s) as the last fundingInfo answer says it,
 * 0 before one. */
static uint32_t
fund_interval(const struct parse_ctx *p, const struct inst *in)
{
	const struct parse_state *st = p->scratch;
	const struct parse_symval *hit;

	if (!st->fund_known)
		return 0;
	hit = parse_sym_find(st->fund, st->nfund, in->venue_symbol);
	return hit ? (uint32_t)hit->v : BN_FUND_DEFAULT_S;
}

/*
 * GET fundingInfo: [{"symbol","adjustedFundingRateCap","adjustedFundingRateFloor",
 * "fundingIntervalHours","disclaimer"}, ...] of every adjusted symbol of the
 * venue (carried or not: the listing is kept whole, so an instrument
 * added later - mpreplay adopting one - finds its entry).  The whole answer
 * is checked before it replaces the last one: a bad one keeps the old.
 * 0 records, or -1.
 */
static int
funding_info(struct parse_ctx *p, const char *buf, size_t len)
{
	struct parse_state *st = p->scratch;
	json_t *root, *el;
	struct parse_symval *t = NULL;
	size_t i, n;
	int rc = -1;

	if (!(root = pj_load(p, buf, len)))
		return -1;
	if (!json_is_array(root)) {
		json_t *code = json_object_get(root, "code"), *msg = json_object_get(root, "msg");
		if (code)
			parse_fail(p, "binance error %lld: %s", (long long)json_integer_value(code),
			    json_is_string(msg) ? json_string_value(msg) : "(no message)");
		else
			parse_fail(p, "fundingInfo: expected a JSON array");
		goto out;
	}
	n = json_array_size(root);
	if (n && !(t = calloc(n, sizeof *t))) {
		parse_fail(p, "out of memory");
		goto out;
	}
	json_array_foreach(root, i, el) {
		const char *s;
		size_t sl;
		int64_t h;
		if (!json_is_object(el)) {
			parse_fail(p, "fundingInfo: element %zu is not an object", i);
			goto out;
		}
		if (pj_str(p, el, "symbol", &s, &sl) < 0 || pj_int(p, el, "fundingIntervalHours", &h) < 0)
			goto out;
		if (sl == 0 || sl >= sizeof t[i].sym) {
			parse_fail(p, "fundingInfo: symbol \"%.40s\" empty or too long", s);
			goto out;
		}
		/* the venue's intervals are whole hours of at most a day (1, 4, 8) */
		if (h <= 0 || h > 24) {
			parse_fail(p, "fundingInfo: %.*s fundingIntervalHours %lld out of 1..24", (int)sl, s, (long long)h);
			goto out;
		}
		memcpy(t[i].sym, s, sl);
		t[i].sym[sl] = 0;
		t[i].v = h * 3600;
	}
	if (n)
		qsort(t, n, sizeof *t, parse_symval_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(t[i - 1].sym, t[i].sym) == 0) {
			parse_fail(p, "fundingInfo: %s listed twice", t[i].sym);
			goto out;
		}
	free(st->fund);
	st->fund = t;
	st->nfund = n;
	st->fund_known = 1;
	t = NULL;
	rc = 0;
out:
	free(t);
	json_decref(root);
	return rc;
}

static int
mark_price(struct parse_ctx *p, json_t *d, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	const struct inst *in;
	struct rec_market m;
	int64_t E, exch_ns, T;
	const char *r;
	size_t rlen;
	int rc;

	if (!(in = inst_of(p, d, "s", &rc)))
		return rc;
	if (pj_int(p, d, "E", &E) < 0 || parse_ms_int(p, E, "E", &exch_ns) < 0)
		return -1;
	rec_market_init(&m, in->id, MK_MARK);
	if (pj_px(p, in, d, "p", &m.mark_px) < 0 || pj_px(p, in, d, "i", &m.index_px) < 0)
		return -1;
	if (m.mark_px <= 0 || m.index_px <= 0)
		return parse_fail(p, "markPriceUpdate: mark and index must be > 0");
	/* check the whole frame before emitting any of it */
	if (pj_str(p, d, "r", &r, &rlen) < 0 || pj_int(p, d, "T", &T) < 0)
		return -1;
	struct rec_market f;
	rec_market_init(&f, in->id, MK_FUNDING);
	if (rlen) {
		if (fixed_str(p, d, "r", MKT_RATE_EXP, 0, &f.funding_rate) < 0)
			return -1;
		if (T <= 0)
			return parse_fail(p, "markPriceUpdate: funding rate without a next funding time T");
		if (parse_ms_int(p, T, "T", &f.settle_ns) < 0)
			return -1;
		f.funding_interval_s = fund_interval(p, in);
	}
	if (emit_market(p, &m, exch_ns, recv_ns, emit, ud) < 0)
		return -1;
	if (!rlen)
		return 1;   /* a dated contract: "r":"", "T":0 */
	if (emit_market(p, &f, exch_ns, recv_ns, emit, ud) < 0)
		return -1;
	return 2;
}

static int
force_order(struct parse_ctx *p, json_t *root, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	json_t *o = json_object_get(root, "o");
	const struct inst *in;
	struct rec_market m;
	int64_t E, exch_ns;
	const char *side;
	size_t slen;
	int rc;

	if (!json_is_object(o))
		return parse_fail(p, "forceOrder: \"o\" must be an object");
	if (!(in = inst_of(p, o, "s", &rc)))
		return rc;
	if (pj_int(p, root, "E", &E) < 0 || parse_ms_int(p, E, "E", &exch_ns) < 0)
		return -1;
	rec_market_init(&m, in->id, MK_LIQUIDATION);
	if (pj_str(p, o, "S", &side, &slen) < 0)
		return -1;
	if (slen == 3 && memcmp(side, "BUY", 3) == 0)
		m.liq_side = SIDE_BUY;
	else if (slen == 4 && memcmp(side, "SELL", 4) == 0)
		m.liq_side = SIDE_SELL;
	else
		return parse_fail(p, "forceOrder: side \"%.8s\" is not BUY or SELL", side);
	if (pj_px(p, in, o, "p", &m.liq_px) < 0 || pj_qty(p, in, o, "q", &m.liq_qty) < 0)
		return -1;
	if (json_object_get(o, "ap") && pj_px(p, in, o, "ap", &m.liq_avg_px) < 0)
		return -1;
	if (m.liq_qty <= 0 || m.liq_px <= 0)
		return parse_fail(p, "forceOrder: price and quantity must be > 0");
	if (m.liq_avg_px == 0)
		m.liq_avg_px = MKT_NONE;   /* "0" until something filled */
	return emit_market(p, &m, exch_ns, recv_ns, emit, ud);
}

static int
fut_event(struct parse_ctx *p, const char *e, json_t *data, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	if (strcmp(e, "markPriceUpdate") == 0)
		return mark_price(p, data, recv_ns, emit, ud);
	if (strcmp(e, "forceOrder") == 0)
		return force_order(p, data, recv_ns, emit, ud);
	return PARSE_FALLBACK;
}

static int
dry_emit(void *ud, const struct rec_hdr *rec)
{
	(void)ud;
	(void)rec;
	return 0;
}

/* Every markPriceUpdate of a carried symbol in arr; pass 0 only checks
 * (nothing emitted, counters put back), pass 1 emits. */
static int
mark_array_pass(struct parse_ctx *p, json_t *arr, int64_t recv_ns, parse_emit_fn emit, void *ud, int pass)
{
	struct parse_state *st = p->scratch;
	uint64_t records = p->records;
	uint32_t emitted = st->emitted;
	json_t *el;
	size_t i;
	int n = 0;

	json_array_foreach(arr, i, el) {
		const char *e = pj_opt(el, "e"), *s = pj_opt(el, "s");
		int rc;
		if (!json_is_object(el) || !e || !s)
			return parse_fail(p, "event array: element %zu is not an event with \"e\" and \"s\"", i);
		if (strcmp(e, "markPriceUpdate") != 0)
			return parse_fail(p, "event array: element %zu is a \"%.32s\", not a markPriceUpdate", i, e);
		if (!parse_inst_listed(p, s, strlen(s)))
			continue;
		rc = mark_price(p, el, recv_ns, pass ? emit : dry_emit, ud);
		if (rc < 0)
			return -1;
		n += rc;
	}
	if (!pass) {
		p->records = records;
		st->emitted = emitted;
	}
	return n;
}

static int
mark_array(struct parse_ctx *p, json_t *arr, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	if (mark_array_pass(p, arr, recv_ns, emit, ud, 0) < 0)
		return -1;
	return mark_array_pass(p, arr, recv_ns, emit, ud, 1);
}

/* openInterest answer; base = USD-M, whose openInterest is in base units
 * (so it is oi_base too). */
static int
open_interest(struct parse_ctx *p, const char *op, const char *buf, size_t len, int64_t recv_ns,
    parse_emit_fn emit, void *ud, int base)
{
	json_t *root, *code;
	const struct inst *in;
	struct rec_market m;
	int64_t t, exch_ns = 0;
	int rc = -1;

	if (strcmp(op, "fundingInfo") == 0 || strncmp(op, "fundingInfo?", 12) == 0)
		return funding_info(p, buf, len);
	if (strncmp(op, "openInterest?", 13) != 0)
		return PARSE_FALLBACK;
	if (!(root = pj_load(p, buf, len)))
		return -1;
	code = json_object_get(root, "code");
	if (!json_is_object(root)) {
		parse_fail(p, "openInterest: expected a JSON object");
	} else if (code) {
		json_t *msg = json_object_get(root, "msg");
		parse_fail(p, "binance error %lld: %s", (long long)json_integer_value(code),
		    json_is_string(msg) ? json_string_value(msg) : "(no message)");
	} else if ((in = inst_of(p, root, "symbol", &rc)) != NULL) {
		rec_market_init(&m, in->id, MK_OPEN_INTEREST);
		rc = -1;
		const struct parse_symval *cs = base ? NULL :
		    parse_sym_find(((struct parse_state *)p->scratch)->ctsz, ((struct parse_state *)p->scratch)->nctsz,
		    in->venue_symbol);
		int64_t n4 = 0;
		if (pj_qty(p, in, root, "openInterest", &m.oi_contracts) < 0 ||
		    (base && fixed_str(p, root, "openInterest", MKT_VALUE_EXP, 1, &m.oi_base) < 0) ||
		    (cs && fixed_str(p, root, "openInterest", MKT_VALUE_EXP, 0, &n4) < 0) ||
		    pj_int(p, root, "time", &t) < 0 || parse_ms_int(p, t, "time", &exch_ns) < 0)
			;
		else if (m.oi_contracts < 0)
			parse_fail(p, "openInterest: negative");
		else if (cs && __builtin_mul_overflow(n4, cs->v, &m.oi_quote))
			parse_fail(p, "openInterest: %lld contracts of %lld USD overflow", (long long)(n4 / 10000),
			    (long long)cs->v);
		else
			rc = emit_market(p, &m, exch_ns, recv_ns, emit, ud);
	}
	json_decref(root);
	return rc;
}

static int
usdm_rest(struct parse_ctx *p, const char *op, const char *buf, size_t len, int64_t recv_ns, parse_emit_fn emit,
    void *ud)
{
	return open_interest(p, op, buf, len, recv_ns, emit, ud, 1);
}

static int
coinm_rest(struct parse_ctx *p, const char *op, const char *buf, size_t len, int64_t recv_ns, parse_emit_fn emit,
    void *ud)
{
	return open_interest(p, op, buf, len, recv_ns, emit, ud, 0);
}

const struct parse_venue parse_venue_binance_usdm = {
	.scan_ws = parse_scan_binance_ws,
	.json_ws = parse_json_binance_ws,
	.scan_rest_path = "/fapi/v1/depth?",
	.scan_rest = parse_scan_binance_depth_rest,
	.json_rest = parse_json_binance_rest,
	.rest_api = "/fapi/v1/",
	.depth_pu = 1,
	.ws_event = fut_event,
	.rest_more = usdm_rest,
	.ws_array = mark_array,
};

const struct parse_venue parse_venue_binance_coinm = {
	.scan_ws = parse_scan_binance_ws,
	.json_ws = parse_json_binance_ws,
	.scan_rest_path = "/dapi/v1/depth?",
	.scan_rest = parse_scan_binance_depth_rest,
	.json_rest = parse_json_binance_rest,
	.rest_api = "/dapi/v1/",
	.depth_pu = 1,
	.ws_event = fut_event,
	.rest_more = coinm_rest,
	.ws_array = mark_array,
};
