/*
 * parse_okx.c - OKX v5 frames and REST answers (jansson path), and the OKX
 * rules both paths share.
 *
 * Pushes {"arg":{"channel","instId"},["action",]"data":[...]}: books,
 * books-l2-tbt, books50-l2-tbt (deltas / WS snapshots), books5 and bbo-tbt
 * (SNAP_TOP: the venue's top levels at a seqId), trades, trades-all, tickers, candle*; the
 * derivatives market channels are in parse_okx_market.c.
 * Events {"event":...}: subscribe/unsubscribe acks, errors, notices (64008).
 * Legacy books frames (2021-2022: checksum, no seqId/prevSeqId) are
 * accepted with ids 0 and REC_F_NOSEQ.  Text "pong".  REST: /api/v5/market/books (SNAP_REST), books-full
 * (SNAP_DEEP); public/time and public/instruments carry no records.
 */
#include "okx_market.h"
#include "parse_impl.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

int
parse_okx_book(struct parse_ctx *p, const struct inst *in, int snapshot, int legacy, int64_t ts_ns,
    int64_t checksum, int64_t prev_seq, int64_t seq, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	struct parse_state *st = p->scratch;
	struct parse_book b = {.in = in, .recv_ns = recv_ns, .exch_ns = ts_ns};

	if (legacy) {
		/* 2021-2022 format: no ids at all, the checksum is the chain */
		b.flags |= REC_F_NOSEQ;
		prev_seq = snapshot ? -1 : 0;
		seq = 0;
	}
	if (seq < 0 || prev_seq < -1)
		return parse_fail(p, "seqId %lld / prevSeqId %lld out of range",
		    (long long)seq, (long long)prev_seq);
	if (checksum < INT32_MIN || checksum > INT32_MAX)
		return parse_fail(p, "checksum %lld is not a 32-bit integer", (long long)checksum);
	b.first_id = b.last_id = seq;
	b.prev_id = prev_seq;
	b.checksum = (int32_t)checksum;
	if (snapshot) {
		b.kind = SNAP_WS;
		return parse_emit_snapshot(p, &b, emit, ud);
	}
	if (!legacy && st->side[PS_BID].n == 0 && st->side[PS_ASK].n == 0 && prev_seq == seq)
		b.flags |= REC_F_HEARTBEAT;
	return parse_emit_delta(p, &b, emit, ud);
}

/* The data element of a book push or a REST book answer: levels staged, fields read. */
/* need_seq: a books push, whose ids are required unless it is a legacy frame
 * (checksum present, seqId and prevSeqId both absent: *legacy = 1). */
static int
book_fields(struct parse_ctx *p, const struct inst *in, json_t *el, int need_seq,
    int64_t *ts_ns, int64_t *checksum, int64_t *prev, int64_t *seq, int *legacy)
{
	const char *ts;
	size_t tslen;

	if (!json_is_object(el))
		return parse_fail(p, "data element: expected an object");
	parse_levels_begin(p, in);
	if (pj_levels(p, json_object_get(el, "asks"), PS_ASK, "asks") < 0 ||
	    pj_levels(p, json_object_get(el, "bids"), PS_BID, "bids") < 0 ||
	    pj_str(p, el, "ts", &ts, &tslen) < 0 || parse_ms_str(p, ts, tslen, "ts", ts_ns) < 0)
		return -1;
	*checksum = 0;
	*prev = -1;
	*seq = -1;
	*legacy = 0;
	if (json_object_get(el, "checksum") && pj_int(p, el, "checksum", checksum) < 0)
		return -1;
	if (need_seq && json_object_get(el, "checksum") && !json_object_get(el, "prevSeqId") &&
	    !json_object_get(el, "seqId")) {
		*legacy = 1;
	} else if (need_seq) {
		if (pj_int(p, el, "prevSeqId", prev) < 0 || pj_int(p, el, "seqId", seq) < 0)
			return -1;
	} else if (json_object_get(el, "seqId") && pj_int(p, el, "seqId", seq) < 0) {
		return -1;
	}
	return 0;
}

static int
books(struct parse_ctx *p, const struct inst *in, json_t *root, json_t *data, int64_t recv_ns,
    parse_emit_fn emit, void *ud)
{
	json_t *act = json_object_get(root, "action"), *el;
	int64_t ts_ns, checksum, prev, seq;
	int snapshot, legacy, rc, total = 0;
	size_t i;

	if (!json_is_string(act))
		return parse_fail(p, "book push without \"action\"");
	if (strcmp(json_string_value(act), "snapshot") == 0)
		snapshot = 1;
	else if (strcmp(json_string_value(act), "update") == 0)
		snapshot = 0;
	else
		return parse_fail(p, "book push with action \"%.20s\"", json_string_value(act));
	json_array_foreach(data, i, el) {
		if (book_fields(p, in, el, 1, &ts_ns, &checksum, &prev, &seq, &legacy) < 0)
			return -1;
		rc = parse_okx_book(p, in, snapshot, legacy, ts_ns, checksum, prev, seq, recv_ns, emit, ud);
		if (rc < 0)
			return -1;
		total += rc;
	}
	return total;
}

/*
 * books5 / bbo-tbt: the venue's top 5 / top 1 levels a side at its seqId
 * (the same id space as books), as a SNAP_TOP snapshot for bookd's top-N
 * audit (bookd/okx_audit.c).  Without seqId (the 2021-2022 format) there is
 * nothing to compare it with: counted as not carried, as an unknown channel.
 * More than 5 levels a side is not what these channels send: refused,
 * so a wrong channel name cannot grow into a book.
 */
static int
top(struct parse_ctx *p, const struct inst *in, json_t *data, int64_t recv_ns,
    parse_emit_fn emit, void *ud)
{
	struct parse_state *st = p->scratch;
	int64_t ts_ns, checksum, prev, seq;
	json_t *el;
	size_t i;
	int total = 0, legacy, rc;

	json_array_foreach(data, i, el) {
		struct parse_book b = {.in = in, .recv_ns = recv_ns, .kind = SNAP_TOP};
		if (book_fields(p, in, el, 0, &ts_ns, &checksum, &prev, &seq, &legacy) < 0)
			return -1;
		if (seq < 0)   /* 2021-2022 pushes: nothing to compare with, not an error */
			return parse_unknown(p, "books5/bbo-tbt without \"seqId\"");
		if (st->side[PS_BID].n > 5 || st->side[PS_ASK].n > 5)
			return parse_fail(p, "books5/bbo-tbt with %u bids / %u asks: more than 5",
			    st->side[PS_BID].n, st->side[PS_ASK].n);
		b.exch_ns = ts_ns;
		b.first_id = b.last_id = seq;
		b.prev_id = -1;
		if ((rc = parse_emit_snapshot(p, &b, emit, ud)) < 0)
			return -1;
		total += rc;
	}
	return total;
}

static int
trades(struct parse_ctx *p, const struct inst *in, json_t *data, int64_t recv_ns,
    parse_emit_fn emit, void *ud)
{
	struct rec_trade t;
	const char *s, *ts, *side;
	size_t len, tslen, sidelen;
	int64_t id, count;
	json_t *el;
	size_t i;
	int total = 0;

	json_array_foreach(data, i, el) {
		if (!json_is_object(el))
			return parse_fail(p, "trade: expected an object");
		memset(&t, 0, sizeof t);
		rec_hdr_init(&t.h, REC_TRADE, in->id, sizeof t);
		if (pj_str(p, el, "tradeId", &s, &len) < 0 || parse_id_str(p, s, len, "tradeId", &id) < 0 ||
		    pj_px(p, in, el, "px", &t.px) < 0 || pj_qty(p, in, el, "sz", &t.qty) < 0 ||
		    pj_str(p, el, "side", &side, &sidelen) < 0 ||
		    pj_str(p, el, "ts", &ts, &tslen) < 0 || parse_ms_str(p, ts, tslen, "ts", &t.trade_ns) < 0)
			return -1;
		count = 1;
		if (json_object_get(el, "count")) {
			if (pj_str(p, el, "count", &s, &len) < 0 ||
			    parse_id_str(p, s, len, "count", &count) < 0)
				return -1;
			if (count < 1 || count > UINT32_MAX)
				return parse_fail(p, "trade count %lld", (long long)count);
		}
		if (strcmp(side, "buy") == 0)
			t.side = SIDE_BUY;
		else if (strcmp(side, "sell") == 0)
			t.side = SIDE_SELL;
		else
			return parse_fail(p, "trade side \"%.10s\"", side);
		t.h.first_id = t.h.last_id = id;
		t.h.exch_ns = t.trade_ns;
		t.count = (uint32_t)count;
		if (parse_emit_fixed(p, &t.h, REC_TRADE, sizeof t, recv_ns, emit, ud) < 0)
			return -1;
		total++;
	}
	return total;
}

/* An optional decimal field: "" means the venue has no value (e.g. no asks). */
static int
opt_dec(struct parse_ctx *p, const struct inst *in, json_t *el, const char *key, int px,
    int64_t *out, int *present)
{
	json_t *v = json_object_get(el, key);

	*out = 0;
	if (!v || (json_is_string(v) && json_string_length(v) == 0)) {
		*present = 0;
		return 0;
	}
	return px ? pj_px(p, in, el, key, out) : pj_qty(p, in, el, key, out);
}

static int
tickers(struct parse_ctx *p, const struct inst *in, json_t *data, int64_t recv_ns,
    parse_emit_fn emit, void *ud)
{
	struct rec_ticker t;
	const char *ts;
	size_t tslen;
	json_t *el;
	size_t i;
	int total = 0;

	json_array_foreach(data, i, el) {
		int bbo_ok = 1, last_ok = 1, h24_ok = 1;
		if (!json_is_object(el))
			return parse_fail(p, "ticker: expected an object");
		memset(&t, 0, sizeof t);
		rec_hdr_init(&t.h, REC_TICKER, in->id, sizeof t);
		if (pj_str(p, el, "ts", &ts, &tslen) < 0 || parse_ms_str(p, ts, tslen, "ts", &t.h.exch_ns) < 0 ||
		    opt_dec(p, in, el, "bidPx", 1, &t.bid_px, &bbo_ok) < 0 ||
		    opt_dec(p, in, el, "bidSz", 0, &t.bid_qty, &bbo_ok) < 0 ||
		    opt_dec(p, in, el, "askPx", 1, &t.ask_px, &bbo_ok) < 0 ||
		    opt_dec(p, in, el, "askSz", 0, &t.ask_qty, &bbo_ok) < 0 ||
		    opt_dec(p, in, el, "last", 1, &t.last_px, &last_ok) < 0 ||
		    opt_dec(p, in, el, "lastSz", 0, &t.last_qty, &last_ok) < 0 ||
		    opt_dec(p, in, el, "open24h", 1, &t.open_24h, &h24_ok) < 0 ||
		    opt_dec(p, in, el, "high24h", 1, &t.high_24h, &h24_ok) < 0 ||
		    opt_dec(p, in, el, "low24h", 1, &t.low_24h, &h24_ok) < 0 ||
		    opt_dec(p, in, el, "vol24h", 0, &t.vol_24h, &h24_ok) < 0 ||
		    opt_dec(p, in, el, "volCcy24h", 1, &t.volq_24h, &h24_ok) < 0)
			return -1;
		t.have = (bbo_ok ? TICK_BBO : 0) | (last_ok ? TICK_LAST : 0) | (h24_ok ? TICK_24H : 0);
		if (parse_emit_fixed(p, &t.h, REC_TICKER, sizeof t, recv_ns, emit, ud) < 0)
			return -1;
		total++;
	}
	return total;
}

static int
candle_secs(const char *ch, uint32_t *out)
{
	static const struct { const char *name; uint32_t s; } iv[] = {
		{"1s", 1}, {"1m", 60}, {"3m", 180}, {"5m", 300}, {"15m", 900}, {"30m", 1800},
		{"1H", 3600}, {"2H", 7200}, {"4H", 14400}, {"6H", 21600}, {"12H", 43200},
		{"1D", 86400}, {"2D", 172800}, {"3D", 259200}, {"5D", 432000}, {"1W", 604800},
		{"1M", 2592000}, {"3M", 7776000},
	};
	char name[16];
	size_t n;

	snprintf(name, sizeof name, "%s", ch + 6);   /* after "candle" */
	n = strlen(name);
	if (n > 3 && strcmp(name + n - 3, "utc") == 0)
		name[n - 3] = 0;
	for (size_t i = 0; i < sizeof iv / sizeof iv[0]; i++)
		if (strcmp(iv[i].name, name) == 0) {
			*out = iv[i].s;
			return 0;
		}
	return -1;
}

static int
candles(struct parse_ctx *p, const struct inst *in, const char *ch, json_t *data, int64_t recv_ns,
    parse_emit_fn emit, void *ud)
{
	struct rec_kline k;
	uint32_t secs;
	json_t *el;
	size_t i;
	int total = 0;

	if (candle_secs(ch, &secs) < 0)
		return parse_unknown(p, "channel %.40s", ch);
	json_array_foreach(data, i, el) {
		const char *f[9];
		size_t fl[9];
		int64_t confirm;
		if (!json_is_array(el) || json_array_size(el) < 9)
			return parse_fail(p, "candle: expected an array of 9 strings");
		for (int j = 0; j < 9; j++) {
			json_t *v = json_array_get(el, (size_t)j);
			if (!json_is_string(v))
				return parse_fail(p, "candle field %d: expected a string", j);
			f[j] = json_string_value(v);
			fl[j] = json_string_length(v);
		}
		memset(&k, 0, sizeof k);
		rec_hdr_init(&k.h, REC_KLINE, in->id, sizeof k);
		if (parse_ms_str(p, f[0], fl[0], "candle ts", &k.open_ns) < 0 ||
		    parse_px(p, in, f[1], fl[1], "open", &k.o) < 0 ||
		    parse_px(p, in, f[2], fl[2], "high", &k.hi) < 0 ||
		    parse_px(p, in, f[3], fl[3], "low", &k.lo) < 0 ||
		    parse_px(p, in, f[4], fl[4], "close", &k.c) < 0 ||
		    parse_qty(p, in, f[5], fl[5], "vol", &k.vol) < 0 ||
		    parse_px(p, in, f[6], fl[6], "volCcy", &k.volq) < 0 ||
		    parse_id_str(p, f[8], fl[8], "confirm", &confirm) < 0)
			return -1;
		if (confirm > 1)
			return parse_fail(p, "candle confirm %lld", (long long)confirm);
		/* the same convention as Binance: close time is the candle's last ms */
		k.close_ns = k.open_ns + (int64_t)secs * 1000000000 - 1000000;
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

static int
event(struct parse_ctx *p, json_t *root, const char *ev)
{
	json_t *code = json_object_get(root, "code"), *msg = json_object_get(root, "msg");
	const char *cs = json_is_string(code) ? json_string_value(code) : "";
	const char *ms = json_is_string(msg) ? json_string_value(msg) : "";

	if (strcmp(ev, "subscribe") == 0 || strcmp(ev, "unsubscribe") == 0) {
		p->notice = PN_SUB_ACK;
		return 0;
	}
	if (strcmp(ev, "error") == 0) {
		p->notice = PN_SUB_ERROR;
		snprintf(p->err, sizeof p->err, "okx error %.12s: %.120s", cs, ms);
		return 0;
	}
	if (strcmp(ev, "notice") == 0) {
		snprintf(p->err, sizeof p->err, "okx notice %.12s: %.120s", cs, ms);
		if (strcmp(cs, "64008") == 0)
			p->notice = PN_UPGRADE_NOTICE;
		else
			p->unknown++;
		return 0;
	}
	if (strcmp(ev, "channel-conn-count") == 0 || strcmp(ev, "login") == 0)
		return 0;
	return parse_unknown(p, "event \"%.40s\"", ev);
}

static int
dispatch_ws(struct parse_ctx *p, json_t *root, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	json_t *ev = json_object_get(root, "event"), *arg, *data, *cj, *ij;
	const struct inst *in;
	const char *ch, *id;

	if (!json_is_object(root))
		return parse_fail(p, "expected a JSON object");
	if (ev) {
		if (!json_is_string(ev))
			return parse_fail(p, "\"event\": expected a string");
		return event(p, root, json_string_value(ev));
	}
	arg = json_object_get(root, "arg");
	data = json_object_get(root, "data");
	if (!json_is_object(arg) || !json_is_array(data))
		return parse_fail(p, "push needs \"arg\" (object) and \"data\" (array)");
	cj = json_object_get(arg, "channel");
	/* derivatives market data first: index-tickers names an index and
	 * liquidation-orders an instType, not a carried instId */
	if (json_is_string(cj)) {
		int rc = parse_okx_market(p, json_string_value(cj), arg, data, recv_ns, emit, ud);

		if (rc != PARSE_NOT_MARKET)
			return rc;
	}
	ij = json_object_get(arg, "instId");
	if (!json_is_string(cj) || !json_is_string(ij))
		return parse_fail(p, "\"arg\" needs \"channel\" and \"instId\" strings");
	ch = json_string_value(cj);
	id = json_string_value(ij);
	if (!(in = parse_inst(p, id, json_string_length(ij))))
		return parse_unknown(p, "instrument %.32s is not carried", id);
	if (strcmp(ch, "books") == 0 || strcmp(ch, "books-l2-tbt") == 0 ||
	    strcmp(ch, "books50-l2-tbt") == 0)
		return books(p, in, root, data, recv_ns, emit, ud);
	if (strcmp(ch, "books5") == 0 || strcmp(ch, "bbo-tbt") == 0)
		return top(p, in, data, recv_ns, emit, ud);
	if (strcmp(ch, "trades") == 0 || strcmp(ch, "trades-all") == 0)
		return trades(p, in, data, recv_ns, emit, ud);
	if (strcmp(ch, "tickers") == 0)
		return tickers(p, in, data, recv_ns, emit, ud);
	if (strncmp(ch, "candle", 6) == 0)
		return candles(p, in, ch, data, recv_ns, emit, ud);
	return parse_unknown(p, "channel %.40s", ch);
}

int
parse_json_okx_ws(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns,
    parse_emit_fn emit, void *ud)
{
	json_t *root;
	int rc;

	if (len == 4 && memcmp(buf, "pong", 4) == 0) {
		p->notice = PN_PONG;
		return 0;
	}
	if (!(root = pj_load(p, buf, len)))
		return -1;
	rc = dispatch_ws(p, root, recv_ns, emit, ud);
	json_decref(root);
	return rc;
}

/* {"code":"0","data":[...]}: the data array, or NULL with p->err. */
static json_t *
okx_data(struct parse_ctx *p, json_t *root)
{
	json_t *code = json_object_get(root, "code"), *data = json_object_get(root, "data");

	if (!json_is_object(root) || !json_is_string(code)) {
		parse_fail(p, "expected {\"code\":..,\"data\":[..]}");
		return NULL;
	}
	if (strcmp(json_string_value(code), "0") != 0) {
		json_t *msg = json_object_get(root, "msg");
		parse_fail(p, "okx error %.12s: %.120s", json_string_value(code),
		    json_is_string(msg) ? json_string_value(msg) : "");
		return NULL;
	}
	if (!json_is_array(data)) {
		parse_fail(p, "\"data\" must be an array");
		return NULL;
	}
	return data;
}

/* GET /api/v5/public/instruments: a REC_INSTRUMENT for every carried instId
 * (tickSz, lotSz, minSz; ctVal, ctMult, ctValCcy on SWAP/FUTURES/OPTION,
 * "" on SPOT). */
static int
instruments(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	json_t *root = pj_load(p, buf, len), *data, *el;
	int n = 0;
	size_t i;

	if (!root)
		return -1;
	if (!(data = okx_data(p, root))) {
		json_decref(root);
		return -1;
	}
	json_array_foreach(data, i, el) {
		const char *id = pj_opt(el, "instId");
		const struct inst *in = id ? parse_inst_listed(p, id, strlen(id)) : NULL;
		struct parse_rules r = {
			.tick = pj_opt(el, "tickSz"), .lot = pj_opt(el, "lotSz"), .min_qty = pj_opt(el, "minSz"),
			.ct_val = pj_opt(el, "ctVal"), .ct_mult = pj_opt(el, "ctMult"), .ct_ccy = pj_opt(el, "ctValCcy"),
		};
		if (!in)
			continue;
		if (parse_emit_instrument(p, in, &r, recv_ns, emit, ud) < 0) {
			json_decref(root);
			return -1;
		}
		n++;
	}
	json_decref(root);
	return n ? n : parse_unknown(p, "instruments answer names no carried instrument");
}

int
parse_json_okx_rest(struct parse_ctx *p, const char *path, const char *buf, size_t len,
    int64_t recv_ns, uint32_t req_id, parse_emit_fn emit, void *ud)
{
	struct parse_book b = {.recv_ns = recv_ns, .req_id = req_id};
	int64_t checksum;
	const struct inst *in;
	json_t *root, *code, *data;
	char id[32];
	int n, rc = -1, deep, legacy;

	if (strncmp(path, "/api/v5/public/instruments?", 27) == 0)
		return instruments(p, buf, len, recv_ns, emit, ud);
	if (strncmp(path, "/api/v5/public/", 15) == 0)
		return 0;
	if (strncmp(path, "/api/v5/market/books?", 21) == 0)
		deep = 0;
	else if (strncmp(path, "/api/v5/market/books-full?", 26) == 0)
		deep = 1;
	else
		return parse_unknown(p, "REST path %.60s", path);
	n = parse_query_param(path, "instId", id, sizeof id);
	if (n <= 0)
		return parse_fail(p, "REST path %.60s has no instId", path);
	if (!(in = parse_inst(p, id, (size_t)n)))
		return parse_unknown(p, "instrument %s is not carried", id);
	if (!(root = pj_load(p, buf, len)))
		return -1;
	code = json_object_get(root, "code");
	data = json_object_get(root, "data");
	if (!json_is_object(root) || !json_is_string(code)) {
		parse_fail(p, "expected {\"code\":..,\"data\":[..]}");
	} else if (strcmp(json_string_value(code), "0") != 0) {
		json_t *msg = json_object_get(root, "msg");
		parse_fail(p, "okx error %.12s: %.120s", json_string_value(code),
		    json_is_string(msg) ? json_string_value(msg) : "");
	} else if (!json_is_array(data) || json_array_size(data) != 1) {
		parse_fail(p, "expected one book in \"data\"");
	} else if (book_fields(p, in, json_array_get(data, 0), 0, &b.exch_ns, &checksum,
	    &b.prev_id, &b.last_id, &legacy) == 0) {
		b.in = in;
		b.first_id = deep ? -1 : b.last_id;
		b.prev_id = -1;
		b.kind = deep ? SNAP_DEEP : SNAP_REST;
		b.deep_refresh_ns = deep ? b.exch_ns : 0;
		rc = parse_emit_snapshot(p, &b, emit, ud);
	}
	json_decref(root);
	return rc;
}

const struct parse_venue parse_venue_okx = {
	.scan_ws = parse_scan_okx_ws,
	.json_ws = parse_json_okx_ws,
	.json_rest = parse_json_okx_rest,
};
