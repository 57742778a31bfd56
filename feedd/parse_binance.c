/*
 * parse_binance.c - Binance spot frames and REST answers (jansson path), and
 * the Binance rules both paths share.
 *
 * Streams (combined {"stream","data"} or raw): depthUpdate, trade, aggTrade,
 * kline, 24hrTicker, bookTicker (no "e"), serverShutdown; control answers
 * {"result":..,"id":..} and errors {"code":..,"msg":..}.
 * REST: /api/v3/depth (snapshot); exchangeInfo -> REC_INSTRUMENT per carried symbol (filters); ping, time carry no records.
 */
#include "parse_impl.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

int
parse_binance_depth(struct parse_ctx *p, const struct inst *in, int64_t E_ms, int64_t U,
    int64_t u, int64_t pu, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	struct parse_book b = {.in = in, .recv_ns = recv_ns};

	if (U < 0 || u < U)
		return parse_fail(p, "depthUpdate ids U=%lld u=%lld: need 0 <= U <= u",
		    (long long)U, (long long)u);
	if (p->ops->depth_pu && pu == PARSE_NO_PU)
		return parse_fail(p, "depthUpdate without pu (the futures chain needs it)");
	if (p->ops->depth_pu && (pu < 0 || pu >= U))
		return parse_fail(p, "depthUpdate pu=%lld U=%lld: need 0 <= pu < U", (long long)pu, (long long)U);
	if (parse_ms_int(p, E_ms, "E", &b.exch_ns) < 0)
		return -1;
	b.first_id = U;
	b.last_id = u;
	b.prev_id = p->ops->depth_pu ? pu : -1;
	return parse_emit_delta(p, &b, emit, ud);
}

int
parse_binance_depth_rest(struct parse_ctx *p, const struct inst *in, int64_t last_update_id,
    int64_t recv_ns, uint32_t req_id, parse_emit_fn emit, void *ud)
{
	struct parse_book b = {.in = in, .recv_ns = recv_ns, .kind = SNAP_REST, .req_id = req_id};

	if (last_update_id < 0)
		return parse_fail(p, "lastUpdateId %lld is negative", (long long)last_update_id);
	b.first_id = -1;
	b.last_id = last_update_id;
	b.prev_id = -1;
	return parse_emit_snapshot(p, &b, emit, ud);
}

static const struct inst *
symbol_inst(struct parse_ctx *p, json_t *data, int *rc)
{
	const struct inst *in;
	const char *s;
	size_t len;

	*rc = -1;
	if (pj_str(p, data, "s", &s, &len) < 0)
		return NULL;
	if (!(in = parse_inst(p, s, len))) {
		*rc = parse_unknown(p, "symbol %.*s is not carried", (int)(len > 32 ? 32 : len), s);
		return NULL;
	}
	return in;
}

static int
depth_update(struct parse_ctx *p, json_t *d, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	const struct inst *in;
	int64_t E, U, u, pu = PARSE_NO_PU, T;
	int rc;

	if (!(in = symbol_inst(p, d, &rc)))
		return rc;
	if (pj_int(p, d, "E", &E) < 0 || pj_int(p, d, "U", &U) < 0 || pj_int(p, d, "u", &u) < 0)
		return -1;
	/* futures: pu (the chain) and T (transaction time, not carried) */
	if (json_object_get(d, "pu") && pj_int(p, d, "pu", &pu) < 0)
		return -1;
	if (json_object_get(d, "T") && pj_int(p, d, "T", &T) < 0)
		return -1;
	parse_levels_begin(p, in);
	if (pj_levels(p, json_object_get(d, "b"), PS_BID, "b") < 0 ||
	    pj_levels(p, json_object_get(d, "a"), PS_ASK, "a") < 0)
		return -1;
	return parse_binance_depth(p, in, E, U, u, pu, recv_ns, emit, ud);
}

static int
trade(struct parse_ctx *p, json_t *d, int agg, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	struct rec_trade t;
	const struct inst *in;
	int64_t E, T, id, f, l;
	int rc, m;

	if (!(in = symbol_inst(p, d, &rc)))
		return rc;
	memset(&t, 0, sizeof t);
	rec_hdr_init(&t.h, REC_TRADE, in->id, sizeof t);
	if (pj_int(p, d, "E", &E) < 0 || parse_ms_int(p, E, "E", &t.h.exch_ns) < 0 ||
	    pj_int(p, d, "T", &T) < 0 || parse_ms_int(p, T, "T", &t.trade_ns) < 0 ||
	    pj_px(p, in, d, "p", &t.px) < 0 || pj_qty(p, in, d, "q", &t.qty) < 0 ||
	    pj_bool(p, d, "m", &m) < 0)
		return -1;
	if (agg) {
		if (pj_int(p, d, "f", &f) < 0 || pj_int(p, d, "l", &l) < 0)
			return -1;
		if (f < 0 || l < f || l - f >= UINT32_MAX)
			return parse_fail(p, "aggTrade ids f=%lld l=%lld", (long long)f, (long long)l);
		t.h.first_id = f;
		t.h.last_id = l;
		t.count = (uint32_t)(l - f + 1);
	} else {
		if (pj_int(p, d, "t", &id) < 0)
			return -1;
		if (id < 0)
			return parse_fail(p, "trade id %lld is negative", (long long)id);
		t.h.first_id = t.h.last_id = id;
		t.count = 1;
	}
	/* m: the buyer is the maker, so the taker sold */
	t.side = m ? SIDE_SELL : SIDE_BUY;
	return parse_emit_fixed(p, &t.h, REC_TRADE, sizeof t, recv_ns, emit, ud);
}

static int
interval_secs(const char *s, size_t len, uint32_t *out)
{
	static const struct { const char *name; uint32_t s; } iv[] = {
		{"1s", 1}, {"1m", 60}, {"3m", 180}, {"5m", 300}, {"15m", 900}, {"30m", 1800},
		{"1h", 3600}, {"2h", 7200}, {"4h", 14400}, {"6h", 21600}, {"8h", 28800},
		{"12h", 43200}, {"1d", 86400}, {"3d", 259200}, {"1w", 604800}, {"1M", 2592000},
	};
	for (size_t i = 0; i < sizeof iv / sizeof iv[0]; i++)
		if (strlen(iv[i].name) == len && memcmp(iv[i].name, s, len) == 0) {
			*out = iv[i].s;
			return 0;
		}
	return -1;
}

static int
kline(struct parse_ctx *p, json_t *d, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	struct rec_kline k;
	const struct inst *in;
	json_t *kj = json_object_get(d, "k");
	int64_t E, t, T, f, L, n;
	const char *iv;
	size_t ivlen;
	int rc, x;

	if (!(in = symbol_inst(p, d, &rc)))
		return rc;
	if (!json_is_object(kj))
		return parse_fail(p, "kline: \"k\" missing or not an object");
	memset(&k, 0, sizeof k);
	rec_hdr_init(&k.h, REC_KLINE, in->id, sizeof k);
	if (pj_int(p, d, "E", &E) < 0 || parse_ms_int(p, E, "E", &k.h.exch_ns) < 0 ||
	    pj_int(p, kj, "t", &t) < 0 || parse_ms_int(p, t, "t", &k.open_ns) < 0 ||
	    pj_int(p, kj, "T", &T) < 0 || parse_ms_int(p, T, "T", &k.close_ns) < 0 ||
	    pj_str(p, kj, "i", &iv, &ivlen) < 0 ||
	    pj_int(p, kj, "f", &f) < 0 || pj_int(p, kj, "L", &L) < 0 || pj_int(p, kj, "n", &n) < 0 ||
	    pj_px(p, in, kj, "o", &k.o) < 0 || pj_px(p, in, kj, "h", &k.hi) < 0 ||
	    pj_px(p, in, kj, "l", &k.lo) < 0 || pj_px(p, in, kj, "c", &k.c) < 0 ||
	    pj_qty(p, in, kj, "v", &k.vol) < 0 || pj_px(p, in, kj, "q", &k.volq) < 0 ||
	    pj_bool(p, kj, "x", &x) < 0)
		return -1;
	if (interval_secs(iv, ivlen, &k.interval_s) < 0)
		return parse_fail(p, "kline interval \"%.*s\" unknown", (int)(ivlen > 8 ? 8 : ivlen), iv);
	/* no trade in the candle: f = L = -1 */
	k.h.first_id = f;
	k.h.last_id = L;
	k.n_trades = n < 0 ? -1 : n;
	k.closed = (uint8_t)x;
	return parse_emit_fixed(p, &k.h, REC_KLINE, sizeof k, recv_ns, emit, ud);
}

static int
ticker24(struct parse_ctx *p, json_t *d, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	struct rec_ticker t;
	const struct inst *in;
	int64_t E;
	int rc;

	if (!(in = symbol_inst(p, d, &rc)))
		return rc;
	memset(&t, 0, sizeof t);
	rec_hdr_init(&t.h, REC_TICKER, in->id, sizeof t);
	if (pj_int(p, d, "E", &E) < 0 || parse_ms_int(p, E, "E", &t.h.exch_ns) < 0 ||
	    pj_px(p, in, d, "b", &t.bid_px) < 0 || pj_qty(p, in, d, "B", &t.bid_qty) < 0 ||
	    pj_px(p, in, d, "a", &t.ask_px) < 0 || pj_qty(p, in, d, "A", &t.ask_qty) < 0 ||
	    pj_px(p, in, d, "c", &t.last_px) < 0 || pj_qty(p, in, d, "Q", &t.last_qty) < 0 ||
	    pj_px(p, in, d, "o", &t.open_24h) < 0 || pj_px(p, in, d, "h", &t.high_24h) < 0 ||
	    pj_px(p, in, d, "l", &t.low_24h) < 0 || pj_qty(p, in, d, "v", &t.vol_24h) < 0 ||
	    pj_px(p, in, d, "q", &t.volq_24h) < 0)
		return -1;
	t.have = TICK_BBO | TICK_LAST | TICK_24H;
	return parse_emit_fixed(p, &t.h, REC_TICKER, sizeof t, recv_ns, emit, ud);
}

static int
book_ticker(struct parse_ctx *p, json_t *d, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	struct rec_ticker t;
	const struct inst *in;
	int64_t u, E;
	int rc;

	if (!(in = symbol_inst(p, d, &rc)))
		return rc;
	memset(&t, 0, sizeof t);
	rec_hdr_init(&t.h, REC_TICKER, in->id, sizeof t);
	if (pj_int(p, d, "u", &u) < 0 ||
	    pj_px(p, in, d, "b", &t.bid_px) < 0 || pj_qty(p, in, d, "B", &t.bid_qty) < 0 ||
	    pj_px(p, in, d, "a", &t.ask_px) < 0 || pj_qty(p, in, d, "A", &t.ask_qty) < 0)
		return -1;
	if (u < 0)
		return parse_fail(p, "bookTicker u=%lld is negative", (long long)u);
	/* newer payloads carry an event time; older ones do not */
	if (json_object_get(d, "E") &&
	    (pj_int(p, d, "E", &E) < 0 || parse_ms_int(p, E, "E", &t.h.exch_ns) < 0))
		return -1;
	t.h.first_id = t.h.last_id = u;
	t.have = TICK_BBO;
	return parse_emit_fixed(p, &t.h, REC_TICKER, sizeof t, recv_ns, emit, ud);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* {"result":..,"id":..} or {"code":..,"msg":..,"id":..} */
static int
control_answer(struct parse_ctx *p, json_t *root)
{
	json_t *res = json_object_get(root, "result");
	json_t *code = json_object_get(root, "code"), *msg = json_object_get(root, "msg");

	if (code || msg) {
		p->notice = PN_SUB_ERROR;
		snprintf(p->err, sizeof p->err, "binance error %lld: %s",
		    (long long)json_integer_value(code),
		    json_is_string(msg) ? json_string_value(msg) : "(no message)");
		return 0;
	}
	p->notice = json_is_array(res) ? PN_LIST_RESULT : PN_SUB_ACK;
	return 0;
}

static int
dispatch_ws(struct parse_ctx *p, json_t *root, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	json_t *data = root, *st = json_object_get(root, "stream"), *ej;
	const char *stream = "", *e;

	if (json_is_array(root) && p->ops->ws_array)   /* a raw all-market stream (/ws/!markPrice@arr) */
		return p->ops->ws_array(p, root, recv_ns, emit, ud);
	if (!json_is_object(root))
		return parse_fail(p, "expected a JSON object");
	if (st || json_object_get(root, "data")) {
		data = json_object_get(root, "data");
		if (json_is_string(st) && json_is_array(data) && p->ops->ws_array)
			return p->ops->ws_array(p, data, recv_ns, emit, ud);
		if (!json_is_string(st) || !json_is_object(data))
			return parse_fail(p, "combined-stream frame needs \"stream\" (string) and \"data\" (object)");
		stream = json_string_value(st);
	} else if (json_object_get(root, "id") || json_object_get(root, "result")) {
		return control_answer(p, root);
	}
	ej = json_object_get(data, "e");
	if (!ej) {
		if (ends_with(stream, "@bookTicker") ||
		    (!*stream && json_object_get(data, "u") && json_object_get(data, "B")))
			return book_ticker(p, data, recv_ns, emit, ud);
		return parse_unknown(p, "stream \"%.40s\" without an event type", stream);
	}
	if (!json_is_string(ej))
		return parse_fail(p, "\"e\": expected a string");
	e = json_string_value(ej);
	if (strcmp(e, "depthUpdate") == 0)
		return depth_update(p, data, recv_ns, emit, ud);
	if (strcmp(e, "trade") == 0)
		return trade(p, data, 0, recv_ns, emit, ud);
	if (strcmp(e, "aggTrade") == 0)
		return trade(p, data, 1, recv_ns, emit, ud);
	if (strcmp(e, "bookTicker") == 0)   /* futures name the event; spot does not */
		return book_ticker(p, data, recv_ns, emit, ud);
	if (strcmp(e, "kline") == 0)
		return kline(p, data, recv_ns, emit, ud);
	if (strcmp(e, "24hrTicker") == 0)
		return ticker24(p, data, recv_ns, emit, ud);
	if (strcmp(e, "serverShutdown") == 0) {
		p->notice = PN_SERVER_SHUTDOWN;
		return 0;
	}
	if (p->ops->ws_event) {
		int rc = p->ops->ws_event(p, e, data, recv_ns, emit, ud);
		if (rc != PARSE_FALLBACK)
			return rc;
	}
	return parse_unknown(p, "event type \"%.40s\"", e);
}

int
parse_json_binance_ws(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns,
    parse_emit_fn emit, void *ud)
{
	json_t *root = pj_load(p, buf, len);
	int rc;

	if (!root)
		return -1;
	rc = dispatch_ws(p, root, recv_ns, emit, ud);
	json_decref(root);
	return rc;
}

/* The filter of type `type` in a symbol's "filters" array, or NULL. */
static json_t *
bn_filter(json_t *sym, const char *type)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(sym, "filters"), i, f) {
		const char *t = pj_opt(f, "filterType");
		if (t && strcmp(t, type) == 0)
			return f;
	}
	return NULL;
}

/*
 * GET exchangeInfo (spot /api/v3, and the futures' /fapi/v1, /dapi/v1: the
 * same filters): a REC_INSTRUMENT for every carried symbol of "symbols":
 * PRICE_FILTER tickSize, LOT_SIZE stepSize and minQty; COIN-M's
 * contractSize (a JSON number, USD a contract) as ct_val in the quote asset.
 * An answer without "symbols" (a rate-limit probe) carries no rules: 0.
 * The contract sizes of every listed symbol (carried or not, so that an
 * instrument mpreplay adopts later finds its own) are kept for the COIN-M
 * openInterest answers (oi_quote, parse_binance_fut.c).
 */
static void
keep_contract_sizes(struct parse_ctx *p, json_t *syms)
{
	struct parse_state *st = p->scratch;
	struct parse_symval *t;
	size_t i, n = 0;
	json_t *el;

	if (!json_array_size(syms) || !(t = calloc(json_array_size(syms), sizeof *t)))
		return;
	json_array_foreach(syms, i, el) {
		const char *sym = pj_opt(el, "symbol");
		json_t *cs = json_object_get(el, "contractSize");
		if (!sym || strlen(sym) >= sizeof t[n].sym || !json_is_integer(cs) || json_integer_value(cs) <= 0)
			continue;
		strcpy(t[n].sym, sym);
		t[n++].v = json_integer_value(cs);
	}
	if (n == 0) {   /* spot, USD-M: no contract sizes; keep what a COIN-M answer gave */
		free(t);
		return;
	}
	qsort(t, n, sizeof *t, parse_symval_cmp);
	free(st->ctsz);
	st->ctsz = t;
	st->nctsz = n;
}

static int
exchange_info(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	json_t *root = pj_load(p, buf, len), *syms, *el;
	int n = 0, rc = 0;
	size_t i;

	if (!root)
		return -1;
	syms = json_object_get(root, "symbols");
	keep_contract_sizes(p, syms);
	json_array_foreach(syms, i, el) {
		const char *sym = pj_opt(el, "symbol");
		const struct inst *in = NULL;
		json_t *pf = bn_filter(el, "PRICE_FILTER"), *lf = bn_filter(el, "LOT_SIZE");
		json_t *cs = json_object_get(el, "contractSize");
		char ctv[24] = "";
		struct parse_rules r = {
			.tick = pj_opt(pf, "tickSize"), .lot = pj_opt(lf, "stepSize"), .min_qty = pj_opt(lf, "minQty"),
		};
		if (!sym || !(in = parse_inst_listed(p, sym, strlen(sym))))
			continue;
		if (json_is_integer(cs) && json_integer_value(cs) > 0) {
			snprintf(ctv, sizeof ctv, "%lld", (long long)json_integer_value(cs));
			r.ct_val = ctv;
			r.ct_ccy = pj_opt(el, "quoteAsset");
		}
		if ((rc = parse_emit_instrument(p, in, &r, recv_ns, emit, ud)) < 0)
			break;
		n++;
	}
	json_decref(root);
	return rc < 0 ? -1 : n;
}

int
parse_json_binance_rest(struct parse_ctx *p, const char *path, const char *buf, size_t len,
    int64_t recv_ns, uint32_t req_id, parse_emit_fn emit, void *ud)
{
	const struct inst *in;
	json_t *root, *code, *msg;
	int64_t last;
	char sym[32];
	size_t al = strlen(p->ops->rest_api);
	const char *op = path + al;
	int n, rc = -1;

	if (strncmp(path, p->ops->rest_api, al) != 0)
		return parse_unknown(p, "REST path %.60s", path);
	if (strncmp(op, "exchangeInfo", 12) == 0)
		return exchange_info(p, buf, len, recv_ns, emit, ud);
	if (strncmp(op, "ping", 4) == 0 || strncmp(op, "time", 4) == 0)
		return 0;
	if (strncmp(op, "depth?", 6) != 0) {
		if (p->ops->rest_more && (rc = p->ops->rest_more(p, op, buf, len, recv_ns, emit, ud)) != PARSE_FALLBACK)
			return rc;
		return parse_unknown(p, "REST path %.60s", path);
	}
	n = parse_query_param(path, "symbol", sym, sizeof sym);
	if (n <= 0)
		return parse_fail(p, "REST path %.60s has no symbol", path);
	if (!(in = parse_inst(p, sym, (size_t)n)))
		return parse_unknown(p, "symbol %s is not carried", sym);
	if (!(root = pj_load(p, buf, len)))
		return -1;
	code = json_object_get(root, "code");
	msg = json_object_get(root, "msg");
	if (!json_is_object(root)) {
		parse_fail(p, "expected a JSON object");
	} else if (code || msg) {
		parse_fail(p, "binance error %lld: %s", (long long)json_integer_value(code),
		    json_is_string(msg) ? json_string_value(msg) : "(no message)");
	} else if (pj_int(p, root, "lastUpdateId", &last) == 0) {
		parse_levels_begin(p, in);
		if (pj_levels(p, json_object_get(root, "bids"), PS_BID, "bids") == 0 &&
		    pj_levels(p, json_object_get(root, "asks"), PS_ASK, "asks") == 0)
			rc = parse_binance_depth_rest(p, in, last, recv_ns, req_id, emit, ud);
	}
	json_decref(root);
	return rc;
}

const struct parse_venue parse_venue_binance = {
	.scan_ws = parse_scan_binance_ws,
	.json_ws = parse_json_binance_ws,
	.scan_rest_path = "/api/v3/depth?",
	.rest_api = "/api/v3/",
	.depth_pu = 0,
	.scan_rest = parse_scan_binance_depth_rest,
	.json_rest = parse_json_binance_rest,
};
