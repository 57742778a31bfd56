/*
 * parse_deribit.c - Deribit JSON-RPC over WebSocket (/ws/api/v2) and its
 * public/get_order_book answers (feedd/README.md, "Deribit").
 *
 * Deribit writes prices and amounts as JSON numbers, so frames go through
 * the exact reader (common/djson.c): each number's text goes to parse_px /
 * parse_qty as it was sent, never through a double.
 *
 *  {"method":"subscription","params":{"channel":C,"data":D}}
 *   book.{instrument}.{raw|100ms}  D.type snapshot -> REC_SNAPSHOT SNAP_WS,
 *                     change -> REC_DELTA; first_id = last_id = change_id,
 *                     prev_id = prev_change_id (snapshot: -1); exch_ns =
 *                     timestamp.  Entries ["new"|"change"|"delete", price,
 *                     amount]; delete -> size 0 whatever amount says.
 *   trades.{instrument}.{interval}  REC_TRADE per element: first_id =
 *                     last_id = trade_seq (per instrument), direction buy/sell.
 *   ticker.{instrument}.{interval}  REC_TICKER (best_bid/ask -> TICK_BBO when
 *                     both prices are > 0, last_price -> TICK_LAST), then
 *                     REC_MARKET MK_FUNDING (funding_8h, interval 8 h; only
 *                     perpetuals send it), MK_OPEN_INTEREST (open_interest:
 *                     USD for inverse perpetuals and futures -> oi_quote,
 *                     the base coin for options and linear -> oi_base),
 *                     MK_MARK (mark_price, index_price).  null = absent.
 *  {"method":"heartbeat","params":{"type":"test_request"}}  PN_REPLY with a
 *                     public/test request (the venue closes the connection
 *                     otherwise); type heartbeat: nothing.
 *  {"id":..,"result":..}  subscribe / set_heartbeat -> PN_SUB_ACK; a
 *                     public/test answer ({"version":..}) -> PN_PONG.
 *  {"id":..,"error":{..}}  PN_SUB_ERROR with the venue's message.
 *  REST /api/v2/public/get_order_book?instrument_name=..  result: bids /
 *                     asks [[price, amount], ...], change_id -> SNAP_REST.
 */
#include "parse_impl.h"

#include <stdio.h>
#include <string.h>

#include "deribit.h"
#include "fx.h"

static struct dj *
dj_of(struct parse_ctx *p)
{
	return &((struct parse_state *)p->scratch)->dj;
}

static const char *
txt(const struct dj *d, int t)
{
	return d->buf + d->t[t].off;
}

/* The instrument a Deribit name names (adopted under its canonical name by
 * tools that follow a capture), or NULL. */
static const struct inst *
dr_inst(struct parse_ctx *p, const char *s, size_t n)
{
	const struct inst *in = parse_inst(p, s, n);
	char canon[40];

	if (!in && p->adopt && deribit_canon_of(s, n, canon, sizeof canon) == 0)
		in = p->adopt(p->adopt_ud, p->exch, canon, strlen(canon));
	if (in)
		p->inst = in->id;
	return in;
}

/* A number field's text as a price / size: 1, 0 if absent or null, -1 if bad. */
static int
num(struct parse_ctx *p, const struct inst *in, int obj, const char *key, int px, int64_t *out)
{
	const struct dj *d = dj_of(p);
	int t = dj_get(d, obj, key);

	if (t < 0 || d->t[t].type == DJ_NULL)
		return 0;
	if (d->t[t].type != DJ_NUM)
		return parse_fail(p, "\"%s\": expected a number", key);
	if ((px ? parse_px(p, in, txt(d, t), d->t[t].len, key, out) : parse_qty(p, in, txt(d, t), d->t[t].len, key, out)) < 0)
		return -1;
	return 1;
}

/* A signed or aggregate number at exponent exp (rounded): 1, 0 if absent, -1. */
static int
num_round(struct parse_ctx *p, int obj, const char *key, int exp, int signed_, int64_t *out)
{
	const struct dj *d = dj_of(p);
	int t = dj_get(d, obj, key), e;

	if (t < 0 || d->t[t].type == DJ_NULL)
		return 0;
	if (d->t[t].type != DJ_NUM)
		return parse_fail(p, "\"%s\": expected a number", key);
	e = fx_parse_round(txt(d, t), d->t[t].len, exp, out);
	if (e == 0 && !signed_ && *out < 0)
		e = FX_ENEG;
	if (e != 0)
		/* the token is not NUL-terminated: print at most its own length */
		return parse_fail(p, "%s \"%.*s\": %s", key, (int)(d->t[t].len < 24 ? d->t[t].len : 24), txt(d, t),
		    fx_strerror(e));
	return 1;
}

static int
need_int(struct parse_ctx *p, int obj, const char *key, int64_t *out)
{
	if (dj_int(dj_of(p), dj_get(dj_of(p), obj, key), out) < 0)
		return parse_fail(p, "\"%s\": expected an integer", key);
	return 0;
}

/* Stage one side: WS entries [action, price, amount], REST [price, amount]. */
static int
side(struct parse_ctx *p, int arr, enum parse_side s, int ws, const char *what)
{
	const struct dj *d = dj_of(p);

	if (arr < 0 || d->t[arr].type != DJ_ARR)
		return parse_fail(p, "\"%s\": expected an array", what);
	for (uint32_t i = 0, e = (uint32_t)arr + 1; i < d->t[arr].size; i++, e = d->t[e].next) {
		int a, px, q, del = 0;
		if (d->t[e].type != DJ_ARR || d->t[e].size != (uint32_t)(2 + ws))
			return parse_fail(p, "%s[%u]: expected [%sprice, amount]", what, i, ws ? "action, " : "");
		a = ws ? dj_child(d, (int)e, 0) : -1;
		px = dj_child(d, (int)e, (uint32_t)ws);
		q = dj_child(d, (int)e, (uint32_t)ws + 1);
		if (d->t[px].type != DJ_NUM || d->t[q].type != DJ_NUM)
			return parse_fail(p, "%s[%u]: price and amount must be numbers", what, i);
		if (ws) {
			if (dj_is(d, a, "delete"))
				del = 1;
			else if (!dj_is(d, a, "new") && !dj_is(d, a, "change"))
				return parse_fail(p, "%s[%u]: action must be new, change or delete", what, i);
		}
		if (parse_level(p, s, txt(d, px), d->t[px].len, del ? "0" : txt(d, q), del ? 1 : d->t[q].len) < 0)
			return -1;
	}
	return 0;
}

static int
book(struct parse_ctx *p, const struct inst *in, int data, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	const struct dj *d = dj_of(p);
	struct parse_book b = {.in = in, .recv_ns = recv_ns, .kind = SNAP_WS};
	int type = dj_get(d, data, "type");
	int64_t ts, id, prev;

	if (need_int(p, data, "timestamp", &ts) < 0 || parse_ms_int(p, ts, "timestamp", &b.exch_ns) < 0 ||
	    need_int(p, data, "change_id", &id) < 0)
		return -1;
	if (id < 1)
		return parse_fail(p, "book: change_id %lld", (long long)id);
	parse_levels_begin(p, in);
	if (side(p, dj_get(d, data, "bids"), PS_BID, 1, "bids") < 0 || side(p, dj_get(d, data, "asks"), PS_ASK, 1, "asks") < 0)
		return -1;
	b.first_id = b.last_id = id;
	if (dj_is(d, type, "snapshot")) {
		b.prev_id = -1;
		return parse_emit_snapshot(p, &b, emit, ud);
	}
	if (!dj_is(d, type, "change"))
		return parse_fail(p, "book: type must be snapshot or change");
	if (need_int(p, data, "prev_change_id", &prev) < 0)
		return -1;
	if (prev >= id)
		return parse_fail(p, "book: prev_change_id %lld not before change_id %lld", (long long)prev, (long long)id);
	b.prev_id = prev;
	return parse_emit_delta(p, &b, emit, ud);
}

static int
trades(struct parse_ctx *p, const struct inst *in, int data, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	const struct dj *d = dj_of(p);
	struct rec_trade t;
	int total = 0;

	if (d->t[data].type != DJ_ARR)
		return parse_fail(p, "trades: \"data\" must be an array");
	for (uint32_t i = 0, e = (uint32_t)data + 1; i < d->t[data].size; i++, e = d->t[e].next) {
		int dir = dj_get(d, (int)e, "direction");
		int64_t ts, seq;
		memset(&t, 0, sizeof t);
		rec_hdr_init(&t.h, REC_TRADE, in->id, sizeof t);
		if (d->t[e].type != DJ_OBJ)
			return parse_fail(p, "trades: expected an object");
		if (need_int(p, (int)e, "timestamp", &ts) < 0 || parse_ms_int(p, ts, "timestamp", &t.trade_ns) < 0 ||
		    need_int(p, (int)e, "trade_seq", &seq) < 0)
			return -1;
		if (num(p, in, (int)e, "price", 1, &t.px) != 1 || num(p, in, (int)e, "amount", 0, &t.qty) != 1)
			return p->err[0] ? -1 : parse_fail(p, "trades: price and amount are required");
		if (dj_is(d, dir, "buy"))
			t.side = SIDE_BUY;
		else if (dj_is(d, dir, "sell"))
			t.side = SIDE_SELL;
		else
			return parse_fail(p, "trades: direction must be buy or sell");
		t.h.first_id = t.h.last_id = seq;
		t.h.exch_ns = t.trade_ns;
		t.count = 1;
		if (parse_emit_fixed(p, &t.h, REC_TRADE, sizeof t, recv_ns, emit, ud) < 0)
			return -1;
		total++;
	}
	return total;
}

static int
ticker(struct parse_ctx *p, const struct inst *in, int data, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	struct rec_ticker t;
	struct rec_market m;
	int64_t ts, exch_ns;
	int r[4], total = 0, kind = deribit_kind_of(in->symbol);

	if (dj_of(p)->t[data].type != DJ_OBJ)
		return parse_fail(p, "ticker: \"data\" must be an object");
	if (need_int(p, data, "timestamp", &ts) < 0 || parse_ms_int(p, ts, "timestamp", &exch_ns) < 0)
		return -1;
	memset(&t, 0, sizeof t);
	rec_hdr_init(&t.h, REC_TICKER, in->id, sizeof t);
	t.h.exch_ns = exch_ns;
	if ((r[0] = num(p, in, data, "best_bid_price", 1, &t.bid_px)) < 0 ||
	    (r[1] = num(p, in, data, "best_bid_amount", 0, &t.bid_qty)) < 0 ||
	    (r[2] = num(p, in, data, "best_ask_price", 1, &t.ask_px)) < 0 ||
	    (r[3] = num(p, in, data, "best_ask_amount", 0, &t.ask_qty)) < 0)
		return -1;
	/* an empty side is sent as price 0 */
	if (r[0] && r[1] && r[2] && r[3] && t.bid_px > 0 && t.ask_px > 0)
		t.have |= TICK_BBO;
	if ((r[0] = num(p, in, data, "last_price", 1, &t.last_px)) < 0)
		return -1;
	if (r[0] && t.last_px > 0)
		t.have |= TICK_LAST;
	if (t.have) {
		if (parse_emit_fixed(p, &t.h, REC_TICKER, sizeof t, recv_ns, emit, ud) < 0)
			return -1;
		total++;
	}
	rec_market_init(&m, in->id, MK_FUNDING);
	if ((r[0] = num_round(p, data, "funding_8h", MKT_RATE_EXP, 1, &m.funding_rate)) < 0)
		return -1;
	if (r[0]) {
		m.funding_interval_s = 8 * 3600;
		if (parse_emit_market(p, &m, exch_ns, recv_ns, emit, ud) < 0)
			return -1;
		total++;
	}
	rec_market_init(&m, in->id, MK_OPEN_INTEREST);
	/* inverse contracts count USD; options (and linear ones) the coin */
	if ((r[0] = num_round(p, data, "open_interest", MKT_VALUE_EXP, 0,
	    kind == DERIBIT_OPTION || strchr(in->venue_symbol, '_') ? &m.oi_base : &m.oi_quote)) < 0)
		return -1;
	if (r[0]) {
		if (parse_emit_market(p, &m, exch_ns, recv_ns, emit, ud) < 0)
			return -1;
		total++;
	}
	rec_market_init(&m, in->id, MK_MARK);
	if ((r[0] = num(p, in, data, "mark_price", 1, &m.mark_px)) < 0 || (r[1] = num(p, in, data, "index_price", 1, &m.index_px)) < 0)
		return -1;
	if (!r[0])
		m.mark_px = MKT_NONE;
	if (!r[1])
		m.index_px = MKT_NONE;
	if (r[0] || r[1]) {
		if (parse_emit_market(p, &m, exch_ns, recv_ns, emit, ud) < 0)
			return -1;
		total++;
	}
	return total;
}

static int
subscription(struct parse_ctx *p, int params, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	const struct dj *d = dj_of(p);
	int ch = dj_get(d, params, "channel"), data = dj_get(d, params, "data");
	const char *c, *dot, *last;
	const struct inst *in;
	size_t n;

	if (ch < 0 || d->t[ch].type != DJ_STR || data < 0)
		return parse_fail(p, "subscription without channel or data");
	c = txt(d, ch);
	n = d->t[ch].len;
	dot = memchr(c, '.', n);
	last = dot ? memchr(dot + 1, '.', n - (size_t)(dot + 1 - c)) : NULL;
	if (!last)
		return parse_unknown(p, "channel %.*s", (int)(n < 60 ? n : 60), c);
	if (!(in = dr_inst(p, dot + 1, (size_t)(last - dot - 1))))
		return parse_unknown(p, "instrument %.*s is not carried", (int)(last - dot - 1 < 40 ? last - dot - 1 : 40), dot + 1);
	if (dot - c == 4 && memcmp(c, "book", 4) == 0)
		return d->t[data].type == DJ_OBJ ? book(p, in, data, recv_ns, emit, ud) :
		    parse_fail(p, "book: \"data\" must be an object");
	if (dot - c == 6 && memcmp(c, "trades", 6) == 0)
		return trades(p, in, data, recv_ns, emit, ud);
	if (dot - c == 6 && memcmp(c, "ticker", 6) == 0)
		return ticker(p, in, data, recv_ns, emit, ud);
	return parse_unknown(p, "channel %.*s", (int)(n < 60 ? n : 60), c);
}

static int
json_ws(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	struct dj *d = dj_of(p);
	int method, params, err;

	if (dj_parse(d, buf, len) < 0)
		return parse_fail(p, "not valid JSON");
	if (d->t[0].type != DJ_OBJ)
		return parse_fail(p, "expected a JSON object");
	method = dj_get(d, 0, "method");
	params = dj_get(d, 0, "params");
	if (dj_is(d, method, "subscription"))
		return subscription(p, params, recv_ns, emit, ud);
	if (dj_is(d, method, "heartbeat")) {
		if (dj_is(d, dj_get(d, params, "type"), "test_request")) {
			p->notice = PN_REPLY;
			snprintf(p->reply, sizeof p->reply, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"public/test\",\"params\":{}}",
			    DERIBIT_TEST_ID);
		}
		return 0;
	}
	if (method >= 0)
		return parse_unknown(p, "method %.*s", (int)(d->t[method].len < 40 ? d->t[method].len : 40), txt(d, method));
	if ((err = dj_get(d, 0, "error")) >= 0) {
		int msg = dj_get(d, err, "message");
		p->notice = PN_SUB_ERROR;
		snprintf(p->err, sizeof p->err, "deribit refused a request: %.*s", msg >= 0 ? (int)(d->t[msg].len < 120 ? d->t[msg].len : 120) : 0,
		    msg >= 0 ? txt(d, msg) : "");
		return 0;
	}
	if (dj_get(d, 0, "result") >= 0) {
		int64_t id = 0;
		dj_int(d, dj_get(d, 0, "id"), &id);
		p->notice = id == DERIBIT_TEST_ID ? PN_PONG : PN_SUB_ACK;
		return 0;
	}
	return parse_unknown(p, "frame without method, result or error");
}

static int
json_rest(struct parse_ctx *p, const char *path, const char *buf, size_t len, int64_t recv_ns, uint32_t req_id,
    parse_emit_fn emit, void *ud)
{
	static const char pre[] = "/api/v2/public/get_order_book?";
	struct parse_book b = {.recv_ns = recv_ns, .req_id = req_id, .kind = SNAP_REST, .prev_id = -1};
	struct dj *d = dj_of(p);
	char name[40];
	int n, res, err;
	int64_t ts;

	if (strncmp(path, pre, sizeof pre - 1) != 0)
		return strncmp(path, "/api/v2/", 8) == 0 ? 0 : parse_unknown(p, "REST path %.60s", path);
	if ((n = parse_query_param(path, "instrument_name", name, sizeof name)) <= 0)
		return parse_fail(p, "REST path %.60s needs instrument_name", path);
	if (!(b.in = dr_inst(p, name, (size_t)n)))
		return parse_unknown(p, "instrument %s is not carried", name);
	if (dj_parse(d, buf, len) < 0)
		return parse_fail(p, "not valid JSON");
	if ((err = dj_get(d, 0, "error")) >= 0) {
		int msg = dj_get(d, err, "message");
		return parse_fail(p, "deribit error: %.*s", msg >= 0 ? (int)(d->t[msg].len < 120 ? d->t[msg].len : 120) : 0,
		    msg >= 0 ? txt(d, msg) : "");
	}
	if ((res = dj_get(d, 0, "result")) < 0 || d->t[res].type != DJ_OBJ)
		return parse_fail(p, "expected {\"result\":{..}}");
	if (need_int(p, res, "timestamp", &ts) < 0 || parse_ms_int(p, ts, "timestamp", &b.exch_ns) < 0 ||
	    need_int(p, res, "change_id", &b.last_id) < 0)
		return -1;
	parse_levels_begin(p, b.in);
	if (side(p, dj_get(d, res, "bids"), PS_BID, 0, "bids") < 0 || side(p, dj_get(d, res, "asks"), PS_ASK, 0, "asks") < 0)
		return -1;
	b.first_id = b.last_id;
	return parse_emit_snapshot(p, &b, emit, ud);
}

const struct parse_venue parse_venue_deribit = {
	.scan_ws = NULL,
	.json_ws = json_ws,
	.json_rest = json_rest,
};
