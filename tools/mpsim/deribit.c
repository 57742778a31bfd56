/* deribit.c - see deribit.h. */
#include "deribit.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/deribit.h"
#include "emit.h"
#include "http.h"
#include "log.h"
#include "route.h"
#include "venue.h"

#define DR_MIN_HB_S 10         /* set_heartbeat's smallest interval */

int
dr_px(const struct sim_inst *in, int64_t ticks, char *out)
{
	return sb_fmt_e8(ticks * in->tick_e8, 1, out);
}

int
dr_qty(const struct sim_inst *in, int64_t lots, char *out)
{
	return sb_fmt_e8(lots * in->lot_e8, 1, out);
}

void
dr_inst_init(struct sim_inst *in)
{
	if (venue_symbol(venue_get(EX_DERIBIT), in->sym, in->vsym, sizeof in->vsym) < 0)
		snprintf(in->vsym, sizeof in->vsym, "%s", in->sym);
	in->dr_change_id = 10000000 + (int64_t)(mkt_rand(&in->book) % 90000000);
	in->dr_trade_seq = 1 + (int64_t)(mkt_rand(&in->book) % 1000000);
	in->dr_oi = 50000 + (int64_t)(mkt_rand(&in->book) % 50000);
}

/* ---- fan-out: each connection gets the channel name it subscribed ---- */

void
dr_broadcast(struct sim_inst *in, int kind, int param, const char *p, size_t n, int mode)
{
	int idx = (int)(in - sim.inst);
	struct sim_conn *c, *next;

	(void)param;
	for (c = sim.conns; c; c = next) {
		next = c->next;
		if (c->venue != SIM_DERIBIT || c->state != CONN_WS || c->closing)
			continue;
		for (int i = 0; i < c->nsubs; i++) {
			struct sim_sub *s = &c->subs[i];
			char pre[128];
			int pl;
			if (s->inst != idx || s->kind != kind)
				continue;
			pl = snprintf(pre, sizeof pre, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":\"%s\","
			    "\"data\":", s->name);
			if (mode == EMIT_TRUNC_WIRE) {
				/* announce the whole frame, deliver half of it, hang up */
				size_t tot = (size_t)pl + n + 2;
				unsigned char h[10] = {0x81, 127};
				for (int k = 0; k < 8; k++)
					h[2 + k] = (unsigned char)((uint64_t)tot >> (56 - 8 * k));
				ws_send_raw(c, h, 10);
				ws_send_raw(c, pre, (size_t)pl);
				ws_send_raw(c, p, n / 2);
				conn_end(c);
				break;
			}
			ws_send3(c, WS_OP_TEXT, pre, (size_t)pl, p, n, "}}", 2);
		}
	}
}

/* ---- book ---- */

static void
entry(struct sb *b, const struct sim_inst *in, const char *action, int64_t px, int64_t qty, int *first)
{
	char p[32], q[32];

	dr_px(in, px, p);
	dr_qty(in, qty, q);
	if (action)
		sb_printf(b, "%s[\"%s\",%s,%s]", *first ? "" : ",", action, p, q);
	else
		sb_printf(b, "%s[%s,%s]", *first ? "" : ",", p, q);
	*first = 0;
}

/* Every level of both sides (depth 0 = all) as "bids":[..],"asks":[..]. */
static void
levels(struct sb *b, const struct sim_inst *in, int depth, const char *action)
{
	for (int side = 0; side < 2; side++) {
		int first = 1, n = mkt_count(&in->book, side);
		if (depth && depth < n)
			n = depth;
		sb_adds(b, side == MKT_BID ? "\"bids\":[" : "],\"asks\":[");
		sb_reserve(b, (size_t)n * 32);
		for (int r = 0; r < n; r++) {
			const struct mkt_level *l = mkt_at(&in->book, side, r);
			entry(b, in, action, l->px, l->qty, &first);
		}
	}
	sb_addc(b, ']');
}

static void
send_snapshot(struct sim_conn *c, struct sim_inst *in, const char *channel)
{
	struct sb b;

	sb_init(&b);
	sb_printf(&b, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":\"%s\",\"data\":{"
	    "\"type\":\"snapshot\",\"timestamp\":%lld,\"instrument_name\":\"%s\",\"change_id\":%lld,", channel,
	    (long long)sim_wall_ms(), in->vsym, (long long)in->dr_change_id);
	levels(&b, in, 0, "new");
	sb_adds(&b, "}}}");
	ws_send_text(c, b.p, b.len);
	sim.st[SIM_DERIBIT].snapshots_sent++;
	sb_free(&b);
}

static const char *
action(const struct mkt_change *ch)
{
	return ch->qty == 0 ? "delete" : ch->was ? "change" : "new";
}

static void
book_step(struct sim_inst *in)
{
	static struct sb b;
	const struct mkt_book *bk = &in->book;
	int64_t prev = in->dr_change_id, cpx = 0, cqty = 0;
	int corrupt = 0;

	if (bk->nchg == 0)
		return;
	in->dr_change_id += 1 + (int64_t)(mkt_rand(&in->book) % 5);
	if (emit_wanted(in, DR_BOOK, 0))
		corrupt = emit_corrupt_pick(in, &cpx, &cqty);
	sb_reset(&b);
	sb_printf(&b, "{\"type\":\"change\",\"timestamp\":%lld,\"prev_change_id\":%lld,\"instrument_name\":\"%s\","
	    "\"change_id\":%lld,", (long long)sim_wall_ms(), (long long)prev, in->vsym, (long long)in->dr_change_id);
	for (int side = 0; side < 2; side++) {
		int first = 1;
		sb_adds(&b, side == MKT_BID ? "\"bids\":[" : "],\"asks\":[");
		for (int i = 0; i < bk->nchg; i++) {
			const struct mkt_change *ch = &bk->chg[i];
			if (ch->side != side)
				continue;
			if (corrupt && side == MKT_BID && ch->px == cpx) {
				entry(&b, in, "change", cpx, cqty, &first);
				corrupt = 0;
				continue;
			}
			entry(&b, in, action(ch), ch->px, ch->qty, &first);
		}
		if (corrupt && side == MKT_BID)
			entry(&b, in, "change", cpx, cqty, &first);
	}
	sb_adds(&b, "]}");
	if (emit_wanted(in, DR_BOOK, 0))
		emit_incr(in, 0, DR_BOOK, b.p, b.len);
	else
		emit_incr_unheard(in, 0);
}

/* ---- trades, tickers ---- */

static void
trades(struct sim_inst *in)
{
	static struct sb b;
	const struct mkt_book *bk = &in->book;
	int first = 1;

	if (bk->nfill == 0)
		return;
	sb_reset(&b);
	sb_addc(&b, '[');
	for (int i = 0; i < bk->nfill; i++) {
		const struct mkt_fill *f = &bk->fill[i];
		char p[32], q[32];
		in->dr_trade_seq++;
		sim_note_trade(in, f->px, f->qty, f->taker_buy, in->dr_trade_seq, in->dr_trade_seq);
		in->dr_oi += f->taker_buy ? f->qty : -f->qty / 2;
		if (in->dr_oi < 1000)
			in->dr_oi = 1000;
		dr_px(in, f->px, p);
		dr_qty(in, f->qty, q);
		sb_printf(&b, "%s{\"trade_seq\":%lld,\"trade_id\":\"%lld\",\"timestamp\":%lld,\"tick_direction\":%d,"
		    "\"price\":%s,\"mark_price\":%s,\"index_price\":%s,\"instrument_name\":\"%s\",\"direction\":\"%s\","
		    "\"amount\":%s}", first ? "" : ",", (long long)in->dr_trade_seq, (long long)in->dr_trade_seq + 300000000,
		    (long long)sim_wall_ms(), f->taker_buy ? 0 : 2, p, p, p, in->vsym, f->taker_buy ? "buy" : "sell", q);
		first = 0;
	}
	sb_addc(&b, ']');
	if (emit_wanted(in, DR_TRADES, 0))
		emit_broadcast(in, DR_TRADES, 0, b.p, b.len, EMIT_NORMAL);
}

/* The ticker's data object.  Funding moves slowly around 0.01 % per 8 h
 * with the step; the mark is the mid, the index a tick or two off it. */
static void
ticker(struct sb *b, struct sim_inst *in)
{
	const struct mkt_level *bb = mkt_at(&in->book, MKT_BID, 0), *ba = mkt_at(&in->book, MKT_ASK, 0);
	char bp[32], bs[32], ap[32], as[32], last[32], mark[32], idx[32], oi[32], hi[32], lo[32];
	int64_t mid = bb && ba ? (bb->px + ba->px) / 2 : in->last_px;
	double f8 = 0.0001 + 0.00005 * sin((double)in->book.step / 600.0);

	dr_px(in, bb ? bb->px : 0, bp);
	dr_qty(in, bb ? bb->qty : 0, bs);
	dr_px(in, ba ? ba->px : 0, ap);
	dr_qty(in, ba ? ba->qty : 0, as);
	dr_px(in, in->last_px ? in->last_px : mid, last);
	dr_px(in, mid, mark);
	dr_px(in, mid + (in->book.step / 50) % 3 - 1, idx);
	dr_qty(in, in->dr_oi, oi);
	dr_px(in, in->high_px ? in->high_px : mid, hi);
	dr_px(in, in->low_px ? in->low_px : mid, lo);
	sb_reset(b);
	sb_printf(b, "{\"timestamp\":%lld,\"instrument_name\":\"%s\",\"state\":\"open\",\"best_bid_price\":%s,"
	    "\"best_bid_amount\":%s,\"best_ask_price\":%s,\"best_ask_amount\":%s,\"last_price\":%s,\"mark_price\":%s,"
	    "\"index_price\":%s,\"open_interest\":%s,\"min_price\":%s,\"max_price\":%s,\"stats\":{\"high\":%s,\"low\":%s,"
	    "\"volume\":%.4f,\"price_change\":null}", (long long)sim_wall_ms(), in->vsym, bp, bs, ap, as, last, mark, idx, oi,
	    lo, hi, hi, lo, (double)in->vol_lots * (double)in->lot_e8 / 1e8);
	if (deribit_kind_of(in->sym) == DERIBIT_PERPETUAL)
		sb_printf(b, ",\"funding_8h\":%.8f,\"current_funding\":%.8f,\"interest_value\":%.6f", f8, f8 / 8, f8 * 3);
	else if (deribit_kind_of(in->sym) == DERIBIT_OPTION)
		sb_adds(b, ",\"mark_iv\":55.2,\"bid_iv\":54.1,\"ask_iv\":56.3,\"underlying_price\":60000,"
		    "\"underlying_index\":\"index_price\",\"greeks\":{\"delta\":0.5,\"gamma\":0.0001,\"vega\":50,\"theta\":-30,\"rho\":10}");
	sb_addc(b, '}');
}

void
dr_on_step(struct sim_inst *in)
{
	static struct sb b;

	book_step(in);
	trades(in);
	if (in->book.step % 5 == 0 && in->last_px && emit_wanted(in, DR_TICKER, 0)) {
		ticker(&b, in);
		emit_broadcast(in, DR_TICKER, 0, b.p, b.len, EMIT_NORMAL);
	}
	if (in->book.step % 5 == 0)
		sim_kline_roll(in);
}

/* ---- JSON-RPC answers ---- */

static void
rpc_head(struct sb *b, json_t *id)
{
	char *s = id ? json_dumps(id, JSON_ENCODE_ANY) : NULL;

	sb_printf(b, "{\"jsonrpc\":\"2.0\",\"id\":%s,", s ? s : "null");
	free(s);
}

static void
rpc_tail(struct sb *b)
{
	int64_t us = sim_wall_ms() * 1000;

	sb_printf(b, ",\"usIn\":%lld,\"usOut\":%lld,\"usDiff\":40,\"testnet\":false}", (long long)us, (long long)us + 40);
}

static void
ws_result(struct sim_conn *c, json_t *id, const char *result, size_t rlen)
{
	struct sb b;

	sb_init(&b);
	rpc_head(&b, id);
	sb_adds(&b, "\"result\":");
	sb_add(&b, result, rlen);
	rpc_tail(&b);
	ws_send_text(c, b.p, b.len);
	sb_free(&b);
}

static void
error_body(struct sb *b, json_t *id, int code, const char *msg)
{
	rpc_head(b, id);
	sb_printf(b, "\"error\":{\"code\":%d,\"message\":", code);
	sb_addjs(b, msg);
	sb_addc(b, '}');
	rpc_tail(b);
}

static void
ws_error(struct sim_conn *c, json_t *id, int code, const char *msg)
{
	struct sb b;

	sim.st[SIM_DERIBIT].subscribe_errors++;
	sb_init(&b);
	error_body(&b, id, code, msg);
	ws_send_text(c, b.p, b.len);
	sb_free(&b);
}

/* ---- REST ---- */

static void
rest_answer(struct sim_conn *c, int status, const char *result, size_t rlen, int delay_ms)
{
	struct sb b;

	sb_init(&b);
	rpc_head(&b, NULL);
	sb_adds(&b, "\"result\":");
	sb_add(&b, result, rlen);
	rpc_tail(&b);
	http_respond(c, status, NULL, b.p, b.len, delay_ms);
	sb_free(&b);
}

static void
rest_error(struct sim_conn *c, int status, int code, const char *msg, int delay_ms)
{
	struct sb b;

	if (status == 429)
		sim.st[SIM_DERIBIT].http_429++;
	else if (status >= 500)
		sim.st[SIM_DERIBIT].http_5xx++;
	else if (status >= 400)
		sim.st[SIM_DERIBIT].http_4xx++;
	sb_init(&b);
	error_body(&b, NULL, code, msg);
	http_respond(c, status, NULL, b.p, b.len, delay_ms);
	sb_free(&b);
}

static int
find(const char *vsym)
{
	for (int i = 0; i < sim.ninst; i++)
		if (sim.inst[i].venue == SIM_DERIBIT && strcmp(sim.inst[i].vsym, vsym) == 0)
			return i;
	return -1;
}

static void
rest_book(struct sim_conn *c, const char *query, int delay_ms)
{
	char sym[40], dep[16], *end;
	long depth = 20;
	int i;
	struct sb b;

	if (!route_qget(query, "instrument_name", sym, sizeof sym) || (i = find(sym)) < 0) {
		rest_error(c, 400, 10004, "instrument_not_found", delay_ms);
		return;
	}
	if (route_qget(query, "depth", dep, sizeof dep) && *dep) {
		depth = strtol(dep, &end, 10);
		if (*end || depth < 1 || depth > 10000) {
			rest_error(c, 400, -32602, "Invalid params: depth", delay_ms);
			return;
		}
	}
	struct sim_inst *in = &sim.inst[i];
	sb_init(&b);
	sb_printf(&b, "{\"timestamp\":%lld,\"state\":\"open\",\"instrument_name\":\"%s\",\"change_id\":%lld,",
	    (long long)sim_wall_ms(), in->vsym, (long long)in->dr_change_id);
	levels(&b, in, (int)depth, NULL);
	sb_addc(&b, '}');
	rest_answer(c, 200, b.p, b.len, delay_ms);
	sb_free(&b);
}

static void
rest_instruments(struct sim_conn *c, const char *query, int delay_ms)
{
	struct sb b;
	const char *err = NULL;

	sb_init(&b);
	if (dr_instruments_json(&b, query, &err) < 0)
		rest_error(c, 400, -32602, err, delay_ms);
	else
		rest_answer(c, 200, b.p, b.len, delay_ms);
	sb_free(&b);
}

static void
rest_currencies(struct sim_conn *c, int delay_ms)
{
	struct sb b;

	sb_init(&b);
	dr_currencies_json(&b);
	rest_answer(c, 200, b.p, b.len, delay_ms);
	sb_free(&b);
}

void
dr_rest(struct sim_conn *c, const char *method, const char *path, const char *query, int delay_ms)
{
	char r[32];

	if (strcmp(method, "GET") != 0)
		rest_error(c, 405, 11050, "bad_request: GET only on this simulated endpoint", delay_ms);
	else if (strcmp(path, "/api/v2/public/get_order_book") == 0)
		rest_book(c, query, delay_ms);
	else if (strcmp(path, "/api/v2/public/get_instruments") == 0)
		rest_instruments(c, query, delay_ms);
	else if (strcmp(path, "/api/v2/public/get_currencies") == 0)
		rest_currencies(c, delay_ms);
	else if (strcmp(path, "/api/v2/public/get_time") == 0) {
		int n = snprintf(r, sizeof r, "%lld", (long long)sim_wall_ms());
		rest_answer(c, 200, r, (size_t)n, delay_ms);
	} else if (strcmp(path, "/api/v2/public/test") == 0)
		rest_answer(c, 200, "{\"version\":\"1.2.26\"}", 20, delay_ms);
	else
		rest_error(c, 404, 11050, "bad_request: mpsim serves public/get_order_book, get_instruments, get_currencies, get_time, test",
		    delay_ms);
}

void
dr_fault_answer(struct sim_conn *c, int status, int retry_after_ms, int delay_ms)
{
	(void)retry_after_ms;
	if (status == 429 || status == 418)
		rest_error(c, 429, 10028, "too_many_requests", delay_ms);
	else
		rest_error(c, status, 11094, "internal_server_error", delay_ms);
}

/* ---- WebSocket ---- */

int
dr_ws_open(struct sim_conn *c, const char *path, const char *query, struct sb *why)
{
	(void)query;
	if (strcmp(path, "/ws/api/v2") != 0 && strcmp(path, "/ws/api/v2/") != 0) {
		sb_adds(why, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":11050,\"message\":\"use /ws/api/v2\"}}");
		return 404;
	}
	c->hb_iv_ms = c->hb_next_ms = c->hb_due_ms = 0;
	return 0;
}

/* channel -> (kind, instrument); -1 if not served. */
static int
channel(const char *ch, int *inst)
{
	static const struct { const char *pre; int kind; } k[] = {
		{"book.", DR_BOOK}, {"trades.", DR_TRADES}, {"ticker.", DR_TICKER},
	};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		size_t pl = strlen(k[i].pre);
		const char *iv;
		char name[40];
		if (strncmp(ch, k[i].pre, pl) != 0 || !(iv = strrchr(ch + pl, '.')) || (size_t)(iv - ch - (long)pl) >= sizeof name)
			continue;
		if (strcmp(iv, ".raw") != 0 && strcmp(iv, ".100ms") != 0)
			return -1;
		snprintf(name, sizeof name, "%.*s", (int)(iv - ch - (long)pl), ch + pl);
		*inst = find(name);
		return *inst >= 0 ? k[i].kind : -1;
	}
	return -1;
}

static void
subscribe(struct sim_conn *c, json_t *id, int sub, json_t *chans)
{
	size_t n = json_array_size(chans), i;
	int inst[256], kind[256];
	char msg[160];
	struct sb b;

	if (!json_is_array(chans) || n == 0 || n > 256) {
		ws_error(c, id, -32602, "Invalid params: channels (1..256 names)");
		return;
	}
	/* all or nothing: an unknown channel refuses the request */
	for (i = 0; i < n; i++) {
		const char *t = json_string_value(json_array_get(chans, i));
		if (!t || (kind[i] = channel(t, &inst[i])) < 0) {
			snprintf(msg, sizeof msg, "Invalid params: channel %.60s", t ? t : "");
			ws_error(c, id, -32602, msg);
			return;
		}
	}
	sb_init(&b);
	sb_addc(&b, '[');
	for (i = 0; i < n; i++) {
		const char *t = json_string_value(json_array_get(chans, i));
		if (sub && emit_sub_add(c, inst[i], kind[i], t) < 0) {
			ws_error(c, id, 11094, "internal_server_error");
			sb_free(&b);
			return;
		}
		if (!sub)
			emit_sub_del(c, inst[i], kind[i]);
		sb_printf(&b, "%s", i ? "," : "");
		sb_addjs(&b, t);
	}
	sb_addc(&b, ']');
	ws_result(c, id, b.p, b.len);
	sb_free(&b);
	for (i = 0; sub && i < n; i++) {
		struct sim_inst *in = &sim.inst[inst[i]];
		const char *t = json_string_value(json_array_get(chans, i));
		if (kind[i] == DR_BOOK)
			send_snapshot(c, in, t);
		else if (kind[i] == DR_TICKER && in->last_px) {
			struct sb tb;
			sb_init(&tb);
			ticker(&tb, in);
			sb_reset(&b);
			sb_printf(&b, "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":\"%s\",\"data\":", t);
			sb_add(&b, tb.p, tb.len);
			sb_adds(&b, "}}");
			ws_send_text(c, b.p, b.len);
			sb_free(&tb);
		}
	}
	sb_free(&b);
}

void
dr_ws_message(struct sim_conn *c, const char *data, size_t len)
{
	json_t *j = json_loadb(data, len, 0, NULL);
	json_t *id = json_object_get(j, "id"), *params = json_object_get(j, "params");
	const char *m = json_string_value(json_object_get(j, "method"));

	sim.st[SIM_DERIBIT].subscribe_requests++;
	if (!json_is_object(j) || !m) {
		ws_error(c, id, -32600, "Invalid Request: expected {\"jsonrpc\":\"2.0\",\"method\":...}");
	} else if (strcmp(m, "public/test") == 0) {
		sim.st[SIM_DERIBIT].pongs_received++;   /* the client's answer or keep-alive */
		c->hb_due_ms = 0;
		ws_result(c, id, "{\"version\":\"1.2.26\"}", 20);
	} else if (strcmp(m, "public/set_heartbeat") == 0) {
		json_int_t iv = json_integer_value(json_object_get(params, "interval"));
		if (iv < DR_MIN_HB_S || iv > 3600) {
			ws_error(c, id, -32602, "Invalid params: interval must be 10..3600");
		} else {
			c->hb_iv_ms = sim_scaled_ms((double)iv * 1000);
			c->hb_next_ms = sim_mono_ms() + c->hb_iv_ms;
			ws_result(c, id, "\"ok\"", 4);
		}
	} else if (strcmp(m, "public/disable_heartbeat") == 0) {
		c->hb_iv_ms = c->hb_due_ms = 0;
		ws_result(c, id, "\"ok\"", 4);
	} else if (strcmp(m, "public/subscribe") == 0 || strcmp(m, "public/unsubscribe") == 0) {
		subscribe(c, id, strcmp(m, "public/subscribe") == 0, json_object_get(params, "channels"));
	} else if (strcmp(m, "public/get_time") == 0) {
		char r[32];
		int n = snprintf(r, sizeof r, "%lld", (long long)sim_wall_ms());
		ws_result(c, id, r, (size_t)n);
	} else {
		ws_error(c, id, -32601, "Method not found");
	}
	json_decref(j);
}

/* Heartbeats: a test_request each interval; one not answered by the next
 * closes the connection, as the venue does. */
void
dr_housekeeping(void)
{
	static const char tr[] = "{\"jsonrpc\":\"2.0\",\"method\":\"heartbeat\",\"params\":{\"type\":\"test_request\"}}";
	int64_t now = sim_mono_ms();
	struct sim_conn *c, *next;

	for (c = sim.conns; c; c = next) {
		next = c->next;
		if (c->venue != SIM_DERIBIT || c->state != CONN_WS || c->closing || c->shutting || !c->hb_iv_ms || c->stalled)
			continue;
		if (c->hb_due_ms && now >= c->hb_due_ms) {
			sim.st[SIM_DERIBIT].clients_dropped_no_pong++;
			log_info("client did not answer test_request, closed", "conn=%llu peer=%s", (unsigned long long)c->id,
			    c->peer);
			ws_close(c, 1000, "heartbeat test_request not answered");
			continue;
		}
		if (now >= c->hb_next_ms) {
			ws_send_text(c, tr, sizeof tr - 1);
			sim.st[SIM_DERIBIT].heartbeats_sent++;
			if (!c->hb_due_ms)
				c->hb_due_ms = now + c->hb_iv_ms;
			c->hb_next_ms = now + c->hb_iv_ms;
		}
	}
}
