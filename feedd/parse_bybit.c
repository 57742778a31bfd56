/*
 * parse_bybit.c - Bybit v5 public WebSocket frames and REST answers
 * (feedd/README.md, "Bybit v5"), jansson only: no scanner fast path yet.
 *
 * One venue symbol names instruments of different markets (BTCUSDT is the
 * spot pair BTC-USDT and the linear perpetual BTC-USDT-SWAP), and frames do
 * not say their market: the WebSocket path they came on does
 * (parse_ctx.ws_path), REST answers by their category= parameter.
 *
 *  orderbook.{depth}.{symbol}  type snapshot -> REC_SNAPSHOT SNAP_WS, delta ->
 *                     REC_DELTA; both first_id = last_id = u, prev_id = u - 1
 *                     (u counts frames of that depth stream by one); exch_ns =
 *                     ts; xseq = seq (the cross-depth matching version that
 *                     places depths and REST against each other; 0 if absent).
 *  orderbook.1.{symbol}  snapshots only (the venue sends no deltas on depth 1):
 *                     REC_SNAPSHOT SNAP_TOP (at most 1 level a side), last_id
 *                     = its own u, xseq = seq (required: without it the push
 *                     cannot be placed, counted unknown), for bookd's BBO
 *                     check at equal seq (bookd/okx_audit.h).
 *  publicTrade.{symbol}  REC_TRADE per element: T, S (Buy/Sell), v, p, i
 *                     (spot: digits; derivatives: a UUID, carried as a 63-bit
 *                     FNV-1a hash so that equal ids stay equal).
 *  tickers.{symbol}   snapshot or delta (only the changed fields): REC_TICKER
 *                     with the groups present (bid1/ask1 = TICK_BBO, lastPrice =
 *                     TICK_LAST with last_qty 0, 24 h fields = TICK_24H), then
 *                     REC_MARKET MK_FUNDING (fundingRate, nextFundingTime,
 *                     fundingIntervalHour), MK_OPEN_INTEREST (openInterest,
 *                     openInterestValue), MK_MARK (markPrice, indexPrice),
 *                     each only when the frame has its fields.
 *  kline.{interval}.{symbol}  REC_KLINE per element.
 *  allLiquidation.{symbol}  REC_MARKET MK_LIQUIDATION per element (T, S, v, p;
 *                     S is the liquidated position's side: Buy -> SELL order).
 *  {"op":...} answers  subscribe -> PN_SUB_ACK / PN_SUB_ERROR, ping/pong -> PN_PONG.
 *  REST /v5/market/orderbook  SNAP_REST at u, xseq = seq (0 if absent).
 *  REST /v5/market/instruments-info  REC_INSTRUMENT per carried symbol.
 *  Other /v5/market/ paths: ignored.
 */
#include "parse_impl.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "bybit.h"
#include "fx.h"

/* The carried instrument of venue symbol sym on market m. */
static const struct inst *
by_inst_opt(struct parse_ctx *p, int m, const char *sym, size_t len, int adopt)
{
	const struct inst_registry *r = p->reg;

	for (int i = 0; i < r->n; i++) {
		const struct inst *in = &r->v[i];
		if (in->exch == p->exch && strlen(in->venue_symbol) == len && memcmp(in->venue_symbol, sym, len) == 0 &&
		    (int)bybit_market_of(in->symbol) == m) {
			p->inst = in->id;
			return in;
		}
	}
	/* a tool that follows every instrument of a capture (mpreplay) adds it
	 * under its canonical name, which the market decides */
	if (adopt && p->adopt && m >= 0) {
		char canon[32];
		const struct inst *in;
		if (bybit_canon_of((enum bybit_market)m, sym, len, canon, sizeof canon) == 0 &&
		    (in = p->adopt(p->adopt_ud, p->exch, canon, strlen(canon))) != NULL) {
			p->inst = in->id;
			return in;
		}
	}
	return NULL;
}

static const struct inst *
by_inst(struct parse_ctx *p, int m, const char *sym, size_t len)
{
	return by_inst_opt(p, m, sym, len, 1);
}

/* The market of the frames being parsed: the link's path, spot without one. */
static int
ws_market(struct parse_ctx *p)
{
	return p->ws_path ? bybit_market_of_path(p->ws_path) : BYBIT_SPOT;
}

static int
opt_str(json_t *obj, const char *key, const char **s, size_t *len)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v) || json_string_length(v) == 0)
		return 0;
	*s = json_string_value(v);
	*len = json_string_length(v);
	return 1;
}

static int
levels(struct parse_ctx *p, const struct inst *in, json_t *data)
{
	parse_levels_begin(p, in);
	if (pj_levels(p, json_object_get(data, "b"), PS_BID, "b") < 0 ||
	    pj_levels(p, json_object_get(data, "a"), PS_ASK, "a") < 0)
		return -1;
	return 0;
}

static int
orderbook(struct parse_ctx *p, const struct inst *in, const char *topic, json_t *root, json_t *data, int64_t recv_ns,
    parse_emit_fn emit, void *ud)
{
	struct parse_book b = {.in = in, .recv_ns = recv_ns, .kind = SNAP_WS};
	const char *type;
	size_t tlen;
	int64_t ts, u, seq = 0;
	int top = strncmp(topic, "orderbook.1.", 12) == 0;   /* depth 1: the BBO check's stream */

	if (!json_is_object(data))
		return parse_fail(p, "orderbook: \"data\" must be an object");
	if (pj_str(p, root, "type", &type, &tlen) < 0 || pj_int(p, root, "ts", &ts) < 0 ||
	    parse_ms_int(p, ts, "ts", &b.exch_ns) < 0 || pj_int(p, data, "u", &u) < 0)
		return -1;
	if (json_object_get(data, "seq") && pj_int(p, data, "seq", &seq) < 0)
		return -1;
	if (u < 1)
		return parse_fail(p, "orderbook: u %lld (ids start at 1)", (long long)u);
	if (seq < 0)
		return parse_fail(p, "orderbook: seq %lld", (long long)seq);
	if (levels(p, in, data) < 0)
		return -1;
	b.first_id = b.last_id = u;
	b.xseq = seq;
	if (top) {
		struct parse_state *st = p->scratch;
		if (strcmp(type, "snapshot") != 0)
			return parse_fail(p, "orderbook.1: type \"%.16s\" (depth 1 sends snapshots only)", type);
		if (seq == 0)
			return parse_unknown(p, "orderbook.1 without \"seq\"");
		if (st->side[PS_BID].n > 1 || st->side[PS_ASK].n > 1)
			return parse_fail(p, "orderbook.1 with %u bids / %u asks: more than 1", st->side[PS_BID].n,
			    st->side[PS_ASK].n);
		b.kind = SNAP_TOP;
		b.prev_id = -1;
		return parse_emit_snapshot(p, &b, emit, ud);
	}
	if (strcmp(type, "snapshot") == 0) {
		b.prev_id = -1;
		return parse_emit_snapshot(p, &b, emit, ud);
	}
	if (strcmp(type, "delta") != 0)
		return parse_fail(p, "orderbook: type \"%.16s\"", type);
	b.prev_id = u - 1;
	return parse_emit_delta(p, &b, emit, ud);
}

/* Trade ids: digits as they are; anything else (UUIDs) hashed, 63 bits. */
static int64_t
trade_id(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL, v = 0;
	size_t i;

	for (i = 0; i < n && i < 18 && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (i == n && n > 0)
		return (int64_t)v;
	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return (int64_t)(h & 0x7fffffffffffffffULL);
}

static int
trades(struct parse_ctx *p, const struct inst *in, json_t *data, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	struct rec_trade t;
	json_t *el;
	size_t i, sl, il;
	const char *side, *id;
	int64_t T;
	int total = 0;

	if (!json_is_array(data))
		return parse_fail(p, "publicTrade: \"data\" must be an array");
	json_array_foreach(data, i, el) {
		if (!json_is_object(el))
			return parse_fail(p, "publicTrade: expected an object");
		memset(&t, 0, sizeof t);
		rec_hdr_init(&t.h, REC_TRADE, in->id, sizeof t);
		if (pj_int(p, el, "T", &T) < 0 || parse_ms_int(p, T, "T", &t.trade_ns) < 0 ||
		    pj_str(p, el, "S", &side, &sl) < 0 || pj_str(p, el, "i", &id, &il) < 0 ||
		    pj_px(p, in, el, "p", &t.px) < 0 || pj_qty(p, in, el, "v", &t.qty) < 0)
			return -1;
		if (strcmp(side, "Buy") == 0)
			t.side = SIDE_BUY;
		else if (strcmp(side, "Sell") == 0)
			t.side = SIDE_SELL;
		else
			return parse_fail(p, "trade side \"%.10s\"", side);
		t.h.first_id = t.h.last_id = trade_id(id, il);
		t.h.exch_ns = t.trade_ns;
		t.count = 1;
		if (parse_emit_fixed(p, &t.h, REC_TRADE, sizeof t, recv_ns, emit, ud) < 0)
			return -1;
		total++;
	}
	return total;
}

/* A decimal field of a ticker if present: 1, 0 if absent, -1 if bad. */
static int
tk_dec(struct parse_ctx *p, const struct inst *in, json_t *d, const char *key, int px, int64_t *out)
{
	const char *s;
	size_t n;

	if (!opt_str(d, key, &s, &n))
		return 0;
	if ((px ? parse_px(p, in, s, n, key, out) : parse_qty(p, in, s, n, key, out)) < 0)
		return -1;
	return 1;
}

static int
tk_rounded(struct parse_ctx *p, json_t *d, const char *key, int exp, int signed_, int64_t *out)
{
	const char *s;
	size_t n;
	int e;

	if (!opt_str(d, key, &s, &n))
		return 0;
	e = signed_ ? fx_parse_signed(s, n, exp, out) : fx_parse_round(s, n, exp, out);
	if (e == 0 && !signed_ && *out < 0)
		e = FX_ENEG;
	if (e != 0)
		return parse_fail(p, "%s \"%.24s\": %s", key, s, fx_strerror(e));
	return 1;
}

static int
tk_ms(struct parse_ctx *p, json_t *d, const char *key, int64_t *out)
{
	const char *s;
	size_t n;

	if (!opt_str(d, key, &s, &n))
		return 0;
	return parse_ms_str(p, s, n, key, out) < 0 ? -1 : 1;
}

static int
tickers(struct parse_ctx *p, const struct inst *in, json_t *root, json_t *d, int64_t recv_ns,
    parse_emit_fn emit, void *ud)
{
	struct rec_ticker t;
	struct rec_market m;
	int64_t ts, exch_ns, hours = 0;
	int r[8], total = 0;

	if (!json_is_object(d))
		return parse_fail(p, "tickers: \"data\" must be an object");
	if (pj_int(p, root, "ts", &ts) < 0 || parse_ms_int(p, ts, "ts", &exch_ns) < 0)
		return -1;
	memset(&t, 0, sizeof t);
	rec_hdr_init(&t.h, REC_TICKER, in->id, sizeof t);
	t.h.exch_ns = exch_ns;
	if ((r[0] = tk_dec(p, in, d, "bid1Price", 1, &t.bid_px)) < 0 || (r[1] = tk_dec(p, in, d, "bid1Size", 0, &t.bid_qty)) < 0 ||
	    (r[2] = tk_dec(p, in, d, "ask1Price", 1, &t.ask_px)) < 0 || (r[3] = tk_dec(p, in, d, "ask1Size", 0, &t.ask_qty)) < 0)
		return -1;
	if (r[0] && r[1] && r[2] && r[3])
		t.have |= TICK_BBO;
	if ((r[4] = tk_dec(p, in, d, "lastPrice", 1, &t.last_px)) < 0)
		return -1;
	if (r[4])
		t.have |= TICK_LAST;
	if ((r[0] = tk_dec(p, in, d, "prevPrice24h", 1, &t.open_24h)) < 0 ||
	    (r[1] = tk_dec(p, in, d, "highPrice24h", 1, &t.high_24h)) < 0 ||
	    (r[2] = tk_dec(p, in, d, "lowPrice24h", 1, &t.low_24h)) < 0 ||
	    (r[3] = tk_dec(p, in, d, "volume24h", 0, &t.vol_24h)) < 0 ||
	    (r[5] = tk_dec(p, in, d, "turnover24h", 1, &t.volq_24h)) < 0)
		return -1;
	if (r[0] && r[1] && r[2] && r[3] && r[5])
		t.have |= TICK_24H;
	if (t.have) {
		if (parse_emit_fixed(p, &t.h, REC_TICKER, sizeof t, recv_ns, emit, ud) < 0)
			return -1;
		total++;
	}
	/* derivatives: one record per kind, in mkt_kind order (rec.h) */
	rec_market_init(&m, in->id, MK_FUNDING);
	if ((r[0] = tk_rounded(p, d, "fundingRate", MKT_RATE_EXP, 1, &m.funding_rate)) < 0 ||
	    tk_ms(p, d, "nextFundingTime", &m.settle_ns) < 0)
		return -1;
	if (json_object_get(d, "fundingIntervalHour")) {
		const char *s;
		size_t n;
		if (pj_str(p, d, "fundingIntervalHour", &s, &n) < 0 || parse_id_str(p, s, n, "fundingIntervalHour", &hours) < 0)
			return -1;
		if (hours > 24 * 7)
			return parse_fail(p, "fundingIntervalHour %lld", (long long)hours);
		m.funding_interval_s = (uint32_t)(hours * 3600);
	}
	if (r[0]) {
		if (parse_emit_market(p, &m, exch_ns, recv_ns, emit, ud) < 0)
			return -1;
		total++;
	}
	rec_market_init(&m, in->id, MK_OPEN_INTEREST);
	if ((r[0] = tk_dec(p, in, d, "openInterest", 0, &m.oi_contracts)) < 0 ||
	    (r[1] = tk_rounded(p, d, "openInterestValue", MKT_VALUE_EXP, 0, &m.oi_quote)) < 0)
		return -1;
	if (r[0] || r[1]) {
		if (parse_emit_market(p, &m, exch_ns, recv_ns, emit, ud) < 0)
			return -1;
		total++;
	}
	rec_market_init(&m, in->id, MK_MARK);
	if ((r[0] = tk_dec(p, in, d, "markPrice", 1, &m.mark_px)) < 0 ||
	    (r[1] = tk_dec(p, in, d, "indexPrice", 1, &m.index_px)) < 0)
		return -1;
	if (r[0] || r[1]) {
		if (parse_emit_market(p, &m, exch_ns, recv_ns, emit, ud) < 0)
			return -1;
		total++;
	}
	return total;
}

/*
 * allLiquidation.{symbol} (linear, inverse): data [{T, s, S, v, p}], one
 * MK_LIQUIDATION per element.  S is the side of the liquidated position
 * ("When you receive a Buy update, this means that a long position has been
 * liquidated"), so the liquidation order is the other side: Buy -> SELL.
 * v in the book's size unit (contracts), p the bankruptcy price.
 */
static int
liquidations(struct parse_ctx *p, const struct inst *in, json_t *data, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	struct rec_market m;
	json_t *el;
	size_t i, sl;
	const char *side;
	int64_t T, exch_ns;
	int total = 0;

	if (!json_is_array(data))
		return parse_fail(p, "allLiquidation: \"data\" must be an array");
	json_array_foreach(data, i, el) {
		if (!json_is_object(el))
			return parse_fail(p, "allLiquidation: expected an object");
		rec_market_init(&m, in->id, MK_LIQUIDATION);
		if (pj_int(p, el, "T", &T) < 0 || parse_ms_int(p, T, "T", &exch_ns) < 0 || pj_str(p, el, "S", &side, &sl) < 0 ||
		    pj_px(p, in, el, "p", &m.liq_px) < 0 || pj_qty(p, in, el, "v", &m.liq_qty) < 0)
			return -1;
		if (strcmp(side, "Buy") == 0)
			m.liq_side = SIDE_SELL;
		else if (strcmp(side, "Sell") == 0)
			m.liq_side = SIDE_BUY;
		else
			return parse_fail(p, "allLiquidation: side \"%.10s\"", side);
		if (m.liq_px <= 0 || m.liq_qty <= 0)
			return parse_fail(p, "allLiquidation: price and size must be positive");
		if (parse_emit_market(p, &m, exch_ns, recv_ns, emit, ud) < 0)
			return -1;
		total++;
	}
	return total;
}

static int
kline_secs(const char *iv, uint32_t *out)
{
	static const struct { const char *name; uint32_t s; } t[] = {
		{"1", 60}, {"3", 180}, {"5", 300}, {"15", 900}, {"30", 1800}, {"60", 3600}, {"120", 7200},
		{"240", 14400}, {"360", 21600}, {"720", 43200}, {"D", 86400}, {"W", 604800},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(t[i].name, iv) == 0) {
			*out = t[i].s;
			return 0;
		}
	return -1;
}

static int
klines(struct parse_ctx *p, const struct inst *in, const char *iv, json_t *data, int64_t recv_ns,
    parse_emit_fn emit, void *ud)
{
	struct rec_kline k;
	uint32_t secs;
	json_t *el;
	size_t i;
	int64_t start, end;
	int confirm, total = 0;

	if (kline_secs(iv, &secs) < 0)
		return parse_unknown(p, "kline interval %.8s", iv);
	if (!json_is_array(data))
		return parse_fail(p, "kline: \"data\" must be an array");
	json_array_foreach(data, i, el) {
		if (!json_is_object(el))
			return parse_fail(p, "kline: expected an object");
		memset(&k, 0, sizeof k);
		rec_hdr_init(&k.h, REC_KLINE, in->id, sizeof k);
		if (pj_int(p, el, "start", &start) < 0 || parse_ms_int(p, start, "start", &k.open_ns) < 0 ||
		    pj_int(p, el, "end", &end) < 0 || parse_ms_int(p, end, "end", &k.close_ns) < 0 ||
		    pj_px(p, in, el, "open", &k.o) < 0 || pj_px(p, in, el, "high", &k.hi) < 0 ||
		    pj_px(p, in, el, "low", &k.lo) < 0 || pj_px(p, in, el, "close", &k.c) < 0 ||
		    pj_qty(p, in, el, "volume", &k.vol) < 0 || pj_px(p, in, el, "turnover", &k.volq) < 0 ||
		    pj_bool(p, el, "confirm", &confirm) < 0)
			return -1;
		if (k.close_ns < k.open_ns)
			return parse_fail(p, "kline: end before start");
		k.h.exch_ns = k.open_ns;
		k.interval_s = secs;
		k.n_trades = -1;
		k.closed = (uint8_t)confirm;
		if (parse_emit_fixed(p, &k.h, REC_KLINE, sizeof k, recv_ns, emit, ud) < 0)
			return -1;
		total++;
	}
	return total;
}

/* {"op":...} answers. */
static int
op_answer(struct parse_ctx *p, json_t *root, const char *op)
{
	json_t *ok = json_object_get(root, "success"), *msg = json_object_get(root, "ret_msg");
	const char *ms = json_is_string(msg) ? json_string_value(msg) : "";

	if (strcmp(op, "pong") == 0 || (strcmp(op, "ping") == 0 && json_is_true(ok))) {
		p->notice = PN_PONG;
		return 0;
	}
	if (strcmp(op, "subscribe") == 0 || strcmp(op, "unsubscribe") == 0 || strcmp(op, "ping") == 0) {
		if (json_is_true(ok)) {
			p->notice = PN_SUB_ACK;
			return 0;
		}
		p->notice = PN_SUB_ERROR;
		snprintf(p->err, sizeof p->err, "bybit %.12s refused: %.120s", op, ms);
		return 0;
	}
	return parse_unknown(p, "op \"%.20s\"", op);
}

static int
dispatch_ws(struct parse_ctx *p, json_t *root, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	json_t *op = json_object_get(root, "op"), *topic = json_object_get(root, "topic"), *data;
	const char *t, *dot, *sym;
	const struct inst *in;
	char ch[16], iv[8];
	int m = ws_market(p);

	if (!json_is_object(root))
		return parse_fail(p, "expected a JSON object");
	if (op) {
		if (!json_is_string(op))
			return parse_fail(p, "\"op\": expected a string");
		return op_answer(p, root, json_string_value(op));
	}
	if (!json_is_string(topic))
		return parse_fail(p, "push without \"topic\"");
	if (m < 0)
		return parse_fail(p, "WebSocket path %.40s is not a Bybit public market", p->ws_path);
	t = json_string_value(topic);
	dot = strchr(t, '.');
	sym = strrchr(t, '.');
	if (!dot || (size_t)(dot - t) >= sizeof ch)
		return parse_unknown(p, "topic %.40s", t);
	snprintf(ch, sizeof ch, "%.*s", (int)(dot - t), t);
	sym++;
	data = json_object_get(root, "data");
	if (!(in = by_inst(p, m, sym, strlen(sym))))
		return parse_unknown(p, "instrument %.32s (%s) is not carried", sym, bybit_market_name((enum bybit_market)m));
	if (strcmp(ch, "orderbook") == 0)
		return orderbook(p, in, t, root, data, recv_ns, emit, ud);
	if (strcmp(ch, "publicTrade") == 0)
		return trades(p, in, data, recv_ns, emit, ud);
	if (strcmp(ch, "tickers") == 0)
		return tickers(p, in, root, data, recv_ns, emit, ud);
	if (strcmp(ch, "allLiquidation") == 0)
		return liquidations(p, in, data, recv_ns, emit, ud);
	if (strcmp(ch, "kline") == 0) {
		if (sym - dot - 2 <= 0 || (size_t)(sym - dot - 2) >= sizeof iv)
			return parse_fail(p, "kline topic %.40s", t);
		snprintf(iv, sizeof iv, "%.*s", (int)(sym - dot - 2), dot + 1);
		return klines(p, in, iv, data, recv_ns, emit, ud);
	}
	return parse_unknown(p, "topic %.40s", t);
}

static int
json_ws(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	json_t *root;
	int rc;

	if (!(root = pj_load(p, buf, len)))
		return -1;
	rc = dispatch_ws(p, root, recv_ns, emit, ud);
	json_decref(root);
	return rc;
}

/* The market of a REST path's category= parameter, or -1. */
static int
rest_market(const char *path)
{
	char cat[16];

	if (parse_query_param(path, "category", cat, sizeof cat) > 0)
		for (int i = 0; i < BYBIT_NMARKETS; i++)
			if (strcmp(cat, bybit_market_name((enum bybit_market)i)) == 0)
				return i;
	return -1;
}

/* {"retCode":0,"result":{..}}: the result object, or NULL with p->err. */
static json_t *
rest_result(struct parse_ctx *p, json_t *root)
{
	json_t *code = json_object_get(root, "retCode"), *res = json_object_get(root, "result");

	if (!json_is_object(root) || !json_is_integer(code)) {
		parse_fail(p, "expected {\"retCode\":..,\"result\":{..}}");
		return NULL;
	}
	if (json_integer_value(code) != 0) {
		json_t *msg = json_object_get(root, "retMsg");
		parse_fail(p, "bybit error %lld: %.120s", (long long)json_integer_value(code),
		    json_is_string(msg) ? json_string_value(msg) : "");
		return NULL;
	}
	if (!json_is_object(res)) {
		parse_fail(p, "\"result\" must be an object");
		return NULL;
	}
	return res;
}

/*
 * GET /v5/market/instruments-info: a REC_INSTRUMENT for every carried
 * symbol of the category: priceFilter.tickSize; lotSizeFilter.qtyStep
 * (linear, inverse) or basePrecision (spot, which has no qtyStep) and
 * minOrderQty.  Bybit's contract units are fixed by the market, not sent:
 * a linear contract is 1 base coin, an inverse one 1 USD (the quote coin).
 */
static int
instruments(struct parse_ctx *p, int m, const char *buf, size_t len, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	json_t *root = pj_load(p, buf, len), *res, *list, *el;
	int n = 0, rc = 0;
	size_t i;

	if (!root)
		return -1;
	if (!(res = rest_result(p, root)) || !json_is_array(list = json_object_get(res, "list"))) {
		if (res)
			parse_fail(p, "\"result.list\" must be an array");
		json_decref(root);
		return -1;
	}
	json_array_foreach(list, i, el) {
		const char *sym = pj_opt(el, "symbol");
		json_t *pf = json_object_get(el, "priceFilter"), *lf = json_object_get(el, "lotSizeFilter");
		/* a list may name every symbol of the market: not adopted */
		const struct inst *in = sym ? by_inst_opt(p, m, sym, strlen(sym), 0) : NULL;
		struct parse_rules r = {
			.tick = pj_opt(pf, "tickSize"),
			.lot = m == BYBIT_SPOT ? pj_opt(lf, "basePrecision") : pj_opt(lf, "qtyStep"),
			.min_qty = pj_opt(lf, "minOrderQty"),
		};
		if (!in)
			continue;
		if (m != BYBIT_SPOT) {
			r.ct_val = "1";
			r.ct_ccy = pj_opt(el, m == BYBIT_LINEAR ? "baseCoin" : "quoteCoin");
		}
		if ((rc = parse_emit_instrument(p, in, &r, recv_ns, emit, ud)) < 0)
			break;
		n++;
	}
	json_decref(root);
	if (rc < 0)
		return -1;
	return n ? n : parse_unknown(p, "instruments-info names no carried symbol");
}

static int
json_rest(struct parse_ctx *p, const char *path, const char *buf, size_t len, int64_t recv_ns, uint32_t req_id,
    parse_emit_fn emit, void *ud)
{
	struct parse_book b = {.recv_ns = recv_ns, .req_id = req_id, .kind = SNAP_REST};
	char sym[32];
	const struct inst *in = NULL;
	json_t *root, *res;
	int n, m = rest_market(path), rc = -1;
	int64_t ts;

	if (strncmp(path, "/v5/market/instruments-info?", 28) == 0) {
		if (m < 0)
			return parse_fail(p, "REST path %.60s needs category (spot, linear, inverse)", path);
		return instruments(p, m, buf, len, recv_ns, emit, ud);
	}
	if (strncmp(path, "/v5/market/orderbook?", 21) != 0)
		return strncmp(path, "/v5/market/", 11) == 0 ? 0 : parse_unknown(p, "REST path %.60s", path);
	n = parse_query_param(path, "symbol", sym, sizeof sym);
	if (n <= 0 || m < 0)
		return parse_fail(p, "REST path %.60s needs category (spot, linear, inverse) and symbol", path);
	if (!(in = by_inst(p, m, sym, (size_t)n)))
		return parse_unknown(p, "instrument %s (%s) is not carried", sym, bybit_market_name((enum bybit_market)m));
	if (!(root = pj_load(p, buf, len)))
		return -1;
	if ((res = rest_result(p, root)) && levels(p, in, res) == 0 && pj_int(p, res, "u", &b.last_id) == 0 &&
	    pj_int(p, res, "ts", &ts) == 0 && parse_ms_int(p, ts, "ts", &b.exch_ns) == 0 &&
	    (!json_object_get(res, "seq") || pj_int(p, res, "seq", &b.xseq) == 0)) {
		b.in = in;
		if (b.xseq < 0) {
			json_decref(root);
			return parse_fail(p, "orderbook answer: seq %lld", (long long)b.xseq);
		}
		b.first_id = b.last_id;
		b.prev_id = -1;
		rc = parse_emit_snapshot(p, &b, emit, ud);
	}
	json_decref(root);
	return rc;
}

const struct parse_venue parse_venue_bybit = {
	.scan_ws = NULL,
	.json_ws = json_ws,
	.json_rest = json_rest,
};
