/* bybit.c - see bybit.h. */
#include "bybit.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/bybit.h"
#include "emit.h"
#include "http.h"
#include "log.h"
#include "route.h"
#include "venue.h"

int
by_px(const struct sim_inst *in, int64_t ticks, char *out)
{
	return sb_fmt_e8(ticks * in->tick_e8, 1, out);
}

int
by_qty(const struct sim_inst *in, int64_t lots, char *out)
{
	return sb_fmt_e8(lots * in->lot_e8, 1, out);
}

static void
level(struct sb *b, const struct sim_inst *in, int64_t px, int64_t qty, int *first)
{
	char p[32], q[32];

	by_px(in, px, p);
	by_qty(in, qty, q);
	sb_printf(b, "%s[\"%s\",\"%s\"]", *first ? "" : ",", p, q);
	*first = 0;
}

/* The worst price of the top BY_WIN of a side (0 = empty side). */
static int64_t
bound(const struct sim_inst *in, int side)
{
	int n = mkt_count(&in->book, side);
	const struct mkt_level *l;

	if (n == 0)
		return 0;
	l = mkt_at(&in->book, side, (n < BY_WIN ? n : BY_WIN) - 1);
	return l->px;
}

/* px at or inside the window whose worst price is b. */
static int
inside(int side, int64_t px, int64_t b)
{
	return b != 0 && (side == MKT_BID ? px >= b : px <= b);
}

void
by_inst_init(struct sim_inst *in)
{
	in->by_market = (int)bybit_market_of(in->sym);
	if (venue_symbol(venue_get(EX_BYBIT), in->sym, in->vsym, sizeof in->vsym) < 0)
		snprintf(in->vsym, sizeof in->vsym, "%s%s", in->base, in->quote);
	/* inverse contracts are whole USD contracts */
	if (in->by_market == BYBIT_INVERSE)
		in->lot_e8 = in->min_qty_e8 = 100000000;
	in->by_u = 1 + (int64_t)(mkt_rand(&in->book) % 5000000);
	in->by_u1 = 1 + (int64_t)(mkt_rand(&in->book) % 5000000);
	in->by_seq = 1000000000LL + (int64_t)(mkt_rand(&in->book) % 9000000000ULL);
	in->by_trade_id = 2290000000000000000LL + (int64_t)(mkt_rand(&in->book) % 1000000000ULL);
	in->by_oi = 50000 + (int64_t)(mkt_rand(&in->book) % 50000);
	for (int s = 0; s < 2; s++)
		in->by_bound[s] = bound(in, s);
}

/* ---- fan-out ---- */

void
by_broadcast(struct sim_inst *in, int kind, int param, const char *p, size_t n, int mode)
{
	(void)param;
	emit_fanout(in, kind, p, n, mode);
}

/* ---- orderbook ---- */

static void
book_head(struct sb *b, const struct sim_inst *in, int depth, const char *type)
{
	sb_reset(b);
	sb_printf(b, "{\"topic\":\"orderbook.%d.%s\",\"type\":\"%s\",\"ts\":%lld,\"data\":{\"s\":\"%s\",\"b\":[",
	    depth, in->vsym, type, (long long)sim_wall_ms(), in->vsym);
}

/* u: the depth stream's own; seq: the one sequence of every depth and REST */
static void
book_tail(struct sb *b, const struct sim_inst *in, int64_t u)
{
	sb_printf(b, "],\"u\":%lld,\"seq\":%lld},\"cts\":%lld}", (long long)u, (long long)in->by_seq,
	    (long long)sim_wall_ms());
}

/* The top `depth` levels of both sides as "b":[..],"a":[..] contents. */
static void
top_levels(struct sb *b, const struct sim_inst *in, int depth)
{
	for (int side = 0; side < 2; side++) {
		int first = 1;
		if (side == MKT_ASK)
			sb_adds(b, "],\"a\":[");
		for (int r = 0; r < depth; r++) {
			const struct mkt_level *l = mkt_at(&in->book, side, r);
			if (!l)
				break;
			level(b, in, l->px, l->qty, &first);
		}
	}
}

static void
send_snapshot(struct sim_conn *c, struct sim_inst *in)
{
	struct sb b;

	sb_init(&b);
	book_head(&b, in, BY_WIN, "snapshot");
	top_levels(&b, in, BY_WIN);
	book_tail(&b, in, in->by_u);
	ws_send_text(c, b.p, b.len);
	sim.st[SIM_BYBIT].snapshots_sent++;
	sb_free(&b);
}

/* orderbook.1: the best level a side at the current seq (snapshots only) */
static void
bbo_frame(struct sb *b, struct sim_inst *in)
{
	book_head(b, in, 1, "snapshot");
	top_levels(b, in, 1);
	book_tail(b, in, in->by_u1);
}

/* 1 when px is among the step's changes of side. */
static int
changed(const struct mkt_book *bk, int side, int64_t px)
{
	for (int i = 0; i < bk->nchg; i++)
		if (bk->chg[i].side == side && bk->chg[i].px == px)
			return 1;
	return 0;
}

/*
 * One side of the step's delta: the window was every level at or inside b0,
 * now at or inside b1.  Changed levels inside either window go out with
 * their new size (0 when outside the new one); unchanged levels between
 * the two edges enter (the window grew) or leave (it shrank).
 */
static int
side_delta(struct sb *b, const struct sim_inst *in, int side, int64_t b0, int64_t b1, int64_t cpx, int64_t cqty)
{
	const struct mkt_book *bk = &in->book;
	int first = 1, n = 0, cnt = mkt_count(bk, side);

	for (int i = 0; i < bk->nchg; i++) {
		const struct mkt_change *ch = &bk->chg[i];
		if (ch->side != side || (!inside(side, ch->px, b0) && !inside(side, ch->px, b1)))
			continue;
		if (cpx && ch->px == cpx)
			continue;   /* goes out below, corrupted */
		level(b, in, ch->px, inside(side, ch->px, b1) ? ch->qty : 0, &first);
		n++;
	}
	/* corrupt_level: the bid at cpx with the wrong size, changed or not */
	if (cpx) {
		level(b, in, cpx, cqty, &first);
		n++;
	}
	for (int r = 0; r < cnt; r++) {
		const struct mkt_level *l = mkt_at(bk, side, r);
		int in0 = inside(side, l->px, b0), in1 = inside(side, l->px, b1);
		if (!in0 && !in1)
			break;    /* best first: everything further out is outside both */
		if (in0 == in1 || changed(bk, side, l->px) || (cpx && l->px == cpx))
			continue;
		level(b, in, l->px, in1 ? l->qty : 0, &first);
		n++;
	}
	return n;
}

static int
delta_frame(struct sb *b, const struct sim_inst *in, const int64_t b1[2], int64_t cpx, int64_t cqty)
{
	int n;

	book_head(b, in, BY_WIN, "delta");
	n = side_delta(b, in, MKT_BID, in->by_bound[MKT_BID], b1[MKT_BID], cpx, cqty);
	sb_adds(b, "],\"a\":[");
	n += side_delta(b, in, MKT_ASK, in->by_bound[MKT_ASK], b1[MKT_ASK], 0, 0);
	return n;
}

/* 1 when an orderbook.1000 delta went out (u and seq moved) */
static int
book_step(struct sim_inst *in)
{
	static struct sb b;
	int64_t b1[2] = {bound(in, MKT_BID), bound(in, MKT_ASK)}, cpx = 0, cqty = 0;
	int n = delta_frame(&b, in, b1, 0, 0);

	if (n > 0 && emit_wanted(in, BY_BOOK, 0) && emit_corrupt_pick(in, &cpx, &cqty))
		delta_frame(&b, in, b1, cpx, cqty);   /* rides on a delta that goes out anyway */
	in->by_bound[0] = b1[0];
	in->by_bound[1] = b1[1];
	if (n == 0)
		return 0;
	in->by_u++;
	in->by_seq += 1 + (int64_t)(mkt_rand(&in->book) % 7);
	book_tail(&b, in, in->by_u);
	if (emit_wanted(in, BY_BOOK, 0))
		emit_incr(in, 0, BY_BOOK, b.p, b.len);
	else
		emit_incr_unheard(in, 0);
	return 1;
}

/* ---- trades, tickers, klines ---- */

static void
trades(struct sim_inst *in)
{
	static struct sb b;
	const struct mkt_book *bk = &in->book;
	int first = 1;

	sb_reset(&b);
	sb_printf(&b, "{\"topic\":\"publicTrade.%s\",\"type\":\"snapshot\",\"ts\":%lld,\"data\":[", in->vsym,
	    (long long)sim_wall_ms());
	for (int i = 0; i < bk->nfill; i++) {
		const struct mkt_fill *f = &bk->fill[i];
		char p[32], q[32];
		in->by_trade_id++;
		sim_note_trade(in, f->px, f->qty, f->taker_buy, in->by_trade_id, in->by_trade_id);
		in->by_oi += f->taker_buy ? f->qty : -f->qty / 2;
		if (in->by_oi < 1000)
			in->by_oi = 1000;
		by_px(in, f->px, p);
		by_qty(in, f->qty, q);
		sb_printf(&b, "%s{\"T\":%lld,\"s\":\"%s\",\"S\":\"%s\",\"v\":\"%s\",\"p\":\"%s\",\"L\":\"%s\",\"i\":\"%lld\","
		    "\"BT\":false}", first ? "" : ",", (long long)sim_wall_ms(), in->vsym, f->taker_buy ? "Buy" : "Sell", q, p,
		    f->taker_buy ? "PlusTick" : "MinusTick", (long long)in->by_trade_id);
		first = 0;
	}
	sb_adds(&b, "]}");
	if (bk->nfill && emit_wanted(in, BY_TRADES, 0))
		emit_broadcast(in, BY_TRADES, 0, b.p, b.len, EMIT_NORMAL);
}

/* Funding moves slowly around 0.01 % with the step, so it changes between
 * tickers; the mark is the mid, the index a tick or two off it. */
static void
ticker(struct sb *b, struct sim_inst *in, const char *type)
{
	const struct mkt_level *bb = mkt_at(&in->book, MKT_BID, 0), *ba = mkt_at(&in->book, MKT_ASK, 0);
	char bp[32], bs[32], ap[32], as[32], last[32], hi[32], lo[32], op[32], mark[32], idx[32], oi[32], vol[32];
	int64_t mid = bb && ba ? (bb->px + ba->px) / 2 : in->last_px, now = sim_wall_ms();
	int64_t next = (now / 28800000 + 1) * 28800000;
	double fr = 0.0001 + 0.00005 * sin((double)in->book.step / 600.0);

	by_px(in, bb ? bb->px : 0, bp);
	by_qty(in, bb ? bb->qty : 0, bs);
	by_px(in, ba ? ba->px : 0, ap);
	by_qty(in, ba ? ba->qty : 0, as);
	by_px(in, in->last_px ? in->last_px : mid, last);
	by_px(in, in->high_px ? in->high_px : mid, hi);
	by_px(in, in->low_px ? in->low_px : mid, lo);
	by_px(in, in->open_px ? in->open_px : mid, op);
	by_px(in, mid, mark);
	by_px(in, mid + (in->book.step / 50) % 3 - 1, idx);
	by_qty(in, in->by_oi, oi);
	by_qty(in, in->vol_lots, vol);
	sb_reset(b);
	sb_printf(b, "{\"topic\":\"tickers.%s\",\"type\":\"%s\",\"data\":{\"symbol\":\"%s\",\"lastPrice\":\"%s\","
	    "\"prevPrice24h\":\"%s\",\"highPrice24h\":\"%s\",\"lowPrice24h\":\"%s\",\"volume24h\":\"%s\",\"turnover24h\":\"%.4f\"",
	    in->vsym, type, in->vsym, last, op, hi, lo, vol, in->vol_quote);
	if (in->by_market != BYBIT_SPOT)
		sb_printf(b, ",\"markPrice\":\"%s\",\"indexPrice\":\"%s\",\"openInterest\":\"%s\",\"openInterestValue\":\"%.2f\","
		    "\"nextFundingTime\":\"%lld\",\"fundingRate\":\"%.6f\",\"fundingIntervalHour\":\"8\",\"bid1Price\":\"%s\","
		    "\"bid1Size\":\"%s\",\"ask1Price\":\"%s\",\"ask1Size\":\"%s\"", mark, idx, oi,
		    (double)in->by_oi * (double)in->lot_e8 / 1e8 * (double)(mid * in->tick_e8) / 1e8, (long long)next, fr,
		    bp, bs, ap, as);
	sb_printf(b, "},\"cs\":%lld,\"ts\":%lld}", (long long)in->by_seq, (long long)now);
}

static void
kline(struct sb *b, struct sim_inst *in)
{
	char o[32], h[32], l[32], c[32], v[32];

	by_px(in, in->k_o, o);
	by_px(in, in->k_h, h);
	by_px(in, in->k_l, l);
	by_px(in, in->k_c, c);
	by_qty(in, in->k_vol, v);
	sb_reset(b);
	sb_printf(b, "{\"topic\":\"kline.1.%s\",\"data\":[{\"start\":%lld,\"end\":%lld,\"interval\":\"1\",\"open\":\"%s\","
	    "\"close\":\"%s\",\"high\":\"%s\",\"low\":\"%s\",\"volume\":\"%s\",\"turnover\":\"%.4f\",\"confirm\":%s,"
	    "\"timestamp\":%lld}],\"ts\":%lld,\"type\":\"snapshot\"}", in->vsym, (long long)in->k_start_ms,
	    (long long)in->k_start_ms + 59999, o, c, h, l, v, in->k_quote,
	    sim_wall_ms() >= in->k_start_ms + 60000 ? "true" : "false", (long long)sim_wall_ms(), (long long)sim_wall_ms());
}

/* A liquidation near the touch (S: the liquidated position's side, Bybit's
 * meaning: Buy = a long was closed, by selling below the bid). */
static void
liquidation(struct sb *b, struct sim_inst *in)
{
	const struct mkt_level *bb = mkt_at(&in->book, MKT_BID, 0), *ba = mkt_at(&in->book, MKT_ASK, 0);
	int longs = (in->book.step / 40) % 2 == 0;
	int64_t now = sim_wall_ms();
	char px[32], v[32];

	if (!bb || !ba)
		return;
	by_px(in, longs ? bb->px - 2 : ba->px + 2, px);
	by_qty(in, 1 + (in->book.step / 40) % 7, v);
	sb_reset(b);
	sb_printf(b, "{\"topic\":\"allLiquidation.%s\",\"type\":\"snapshot\",\"ts\":%lld,\"data\":[{\"T\":%lld,"
	    "\"s\":\"%s\",\"S\":\"%s\",\"v\":\"%s\",\"p\":\"%s\"}]}", in->vsym, (long long)now, (long long)now - 3, in->vsym,
	    longs ? "Buy" : "Sell", v, px);
}

void
by_on_step(struct sim_inst *in)
{
	static struct sb b;

	if (book_step(in) && emit_wanted(in, BY_BBO, 0)) {
		in->by_u1++;
		bbo_frame(&b, in);
		emit_broadcast(in, BY_BBO, 0, b.p, b.len, EMIT_NORMAL);
	}
	trades(in);
	if (in->book.step % 5 == 0) {
		if (in->last_px && emit_wanted(in, BY_TICKERS, 0)) {
			ticker(&b, in, in->by_market == BYBIT_SPOT ? "snapshot" : "delta");
			emit_broadcast(in, BY_TICKERS, 0, b.p, b.len, EMIT_NORMAL);
		}
		if (in->k_o && emit_wanted(in, BY_KLINE, 0)) {
			kline(&b, in);
			emit_broadcast(in, BY_KLINE, 0, b.p, b.len, EMIT_NORMAL);
		}
		sim_kline_roll(in);
	}
	if (in->book.step % 40 == 0 && in->by_market != BYBIT_SPOT && emit_wanted(in, BY_LIQ, 0)) {
		liquidation(&b, in);
		emit_broadcast(in, BY_LIQ, 0, b.p, b.len, EMIT_NORMAL);
	}
}

/* ---- REST ---- */

/* result: JSON text of rlen bytes (an sb's contents are not NUL-terminated) */
static void
answer_n(struct sim_conn *c, int status, int code, const char *msg, const char *result, size_t rlen, int delay_ms)
{
	struct sb b;

	if (status == 429)
		sim.st[SIM_BYBIT].http_429++;
	else if (status >= 500)
		sim.st[SIM_BYBIT].http_5xx++;
	else if (status >= 400)
		sim.st[SIM_BYBIT].http_4xx++;
	sb_init(&b);
	sb_printf(&b, "{\"retCode\":%d,\"retMsg\":", code);
	sb_addjs(&b, msg);
	sb_adds(&b, ",\"result\":");
	sb_add(&b, result, rlen);
	sb_printf(&b, ",\"retExtInfo\":{},\"time\":%lld}", (long long)sim_wall_ms());
	http_respond(c, status, NULL, b.p, b.len, delay_ms);
	sb_free(&b);
}

static void
answer(struct sim_conn *c, int status, int code, const char *msg, const char *result, int delay_ms)
{
	answer_n(c, status, code, msg, result, strlen(result), delay_ms);
}

/* The market of a category= parameter, or -1 (answered). */
static int
category(struct sim_conn *c, const char *query, int delay_ms)
{
	char v[16];

	if (route_qget(query, "category", v, sizeof v))
		for (int m = 0; m < BYBIT_NMARKETS; m++)
			if (strcmp(v, bybit_market_name((enum bybit_market)m)) == 0)
				return m;
	answer(c, 200, 10001, "Illegal category", "{}", delay_ms);
	return -1;
}

/* An instrument by market and venue symbol (BTCUSDT is spot and linear). */
static int
find(int market, const char *vsym)
{
	for (int i = 0; i < sim.ninst; i++)
		if (sim.inst[i].venue == SIM_BYBIT && sim.inst[i].by_market == market && strcmp(sim.inst[i].vsym, vsym) == 0)
			return i;
	return -1;
}

static void
rest_book(struct sim_conn *c, const char *query, int delay_ms)
{
	char sym[32], lim[16], *end;
	int m, i;
	long n = 1;
	struct sb b;

	if ((m = category(c, query, delay_ms)) < 0)
		return;
	if (!route_qget(query, "symbol", sym, sizeof sym) || (i = find(m, sym)) < 0) {
		answer(c, 200, 10001, "The requested symbol is invalid.", "{}", delay_ms);
		return;
	}
	if (route_qget(query, "limit", lim, sizeof lim) && *lim) {
		n = strtol(lim, &end, 10);
		if (*end || n < 1 || n > (m == BYBIT_SPOT ? 200 : 500)) {
			answer(c, 200, 10001, "params error: limit", "{}", delay_ms);
			return;
		}
	}
	struct sim_inst *in = &sim.inst[i];
	sb_init(&b);
	sb_printf(&b, "{\"s\":\"%s\",\"b\":[", in->vsym);
	top_levels(&b, in, (int)n);
	sb_printf(&b, "],\"ts\":%lld,\"u\":%lld,\"seq\":%lld,\"cts\":%lld}", (long long)sim_wall_ms(), (long long)in->by_u,
	    (long long)in->by_seq, (long long)sim_wall_ms());
	answer_n(c, 200, 0, "OK", b.p, b.len, delay_ms);
	sb_free(&b);
}

static void
rest_instruments(struct sim_conn *c, const char *query, int delay_ms)
{
	int m, first = 1;
	char sym[32];
	struct sb b;
	int have = route_qget(query, "symbol", sym, sizeof sym) != NULL;
	char cat[16];

	/* options are a real category (clients list it at start: ccxt asks it
	 * per base coin) but are not simulated: an empty list, not an error */
	if (route_qget(query, "category", cat, sizeof cat) && strcmp(cat, "option") == 0) {
		answer(c, 200, 0, "OK", "{\"category\":\"option\",\"list\":[],\"nextPageCursor\":\"\"}", delay_ms);
		return;
	}
	if ((m = category(c, query, delay_ms)) < 0)
		return;
	sb_init(&b);
	sb_printf(&b, "{\"category\":\"%s\",\"list\":[", bybit_market_name((enum bybit_market)m));
	for (int i = 0; i < sim.ninst; i++) {
		struct sim_inst *in = &sim.inst[i];
		char tick[32], lot[32], minq[32];
		if (in->venue != SIM_BYBIT || in->by_market != m || (have && strcmp(sym, in->vsym) != 0))
			continue;
		sb_fmt_e8(in->tick_e8, 1, tick);
		sb_fmt_e8(in->lot_e8, 1, lot);
		sb_fmt_e8(in->min_qty_e8, 1, minq);
		sb_printf(&b, "%s{\"symbol\":\"%s\",\"contractType\":\"%s\",\"status\":\"Trading\",\"baseCoin\":\"%s\","
		    "\"quoteCoin\":\"%.*s\",\"priceFilter\":{\"tickSize\":\"%s\"},\"lotSizeFilter\":{\"qtyStep\":\"%s\","
		    "\"basePrecision\":\"%s\",\"minOrderQty\":\"%s\"}}", first ? "" : ",", in->vsym,
		    m == BYBIT_SPOT ? "" : m == BYBIT_LINEAR ? "LinearPerpetual" : "InversePerpetual", in->base,
		    (int)strcspn(in->quote, "-"), in->quote,
		    tick, lot, lot, minq);
		first = 0;
	}
	sb_adds(&b, "],\"nextPageCursor\":\"\"}");
	answer_n(c, 200, 0, "OK", b.p, b.len, delay_ms);
	sb_free(&b);
}

void
by_rest(struct sim_conn *c, const char *method, const char *path, const char *query, int delay_ms)
{
	if (strcmp(method, "GET") != 0)
		answer(c, 405, 10004, "Method not allowed on this simulated endpoint.", "{}", delay_ms);
	else if (strcmp(path, "/v5/market/orderbook") == 0)
		rest_book(c, query, delay_ms);
	else if (strcmp(path, "/v5/market/instruments-info") == 0)
		rest_instruments(c, query, delay_ms);
	else if (strcmp(path, "/v5/market/time") == 0) {
		char r[96];
		snprintf(r, sizeof r, "{\"timeSecond\":\"%lld\",\"timeNano\":\"%lld000000\"}", (long long)sim_wall_ms() / 1000,
		    (long long)sim_wall_ms());
		answer(c, 200, 0, "OK", r, delay_ms);
	} else
		answer(c, 404, 10001, "Unknown endpoint (mpsim serves /v5/market/orderbook, instruments-info, time).", "{}",
		    delay_ms);
}

void
by_fault_answer(struct sim_conn *c, int status, int retry_after_ms, int delay_ms)
{
	(void)retry_after_ms;
	if (status == 429 || status == 418)
		answer(c, status == 418 ? 403 : 429, 10006, "Too many visits!", "{}", delay_ms);
	else
		answer(c, status, 10016, "Internal system error.", "{}", delay_ms);
}

/* ---- WebSocket ---- */

int
by_ws_open(struct sim_conn *c, const char *path, const char *query, struct sb *why)
{
	int m = bybit_market_of_path(path);

	(void)query;
	if (m < 0) {
		sb_adds(why, "{\"success\":false,\"ret_msg\":\"use /v5/public/spot, /v5/public/linear or /v5/public/inverse\"}");
		return 404;
	}
	c->ws_kind = WS_BY_BASE + m;
	return 0;
}

static void
op_answer(struct sim_conn *c, const char *op, const char *req_id, int ok, const char *msg)
{
	struct sb b;

	if (!ok)
		sim.st[SIM_BYBIT].subscribe_errors++;
	sb_init(&b);
	sb_printf(&b, "{\"success\":%s,\"ret_msg\":", ok ? "true" : "false");
	sb_addjs(&b, msg);
	sb_printf(&b, ",\"conn_id\":\"%s\",\"req_id\":", c->connid);
	sb_addjs(&b, req_id ? req_id : "");
	sb_adds(&b, ",\"op\":");
	sb_addjs(&b, op);
	sb_addc(&b, '}');
	ws_send_text(c, b.p, b.len);
	sb_free(&b);
}

/* topic -> (kind, instrument) on this connection's market; -1 if not served. */
static int
topic(struct sim_conn *c, const char *t, int *inst)
{
	static const struct { const char *pre; int kind; } k[] = {
		{"orderbook.1000.", BY_BOOK}, {"orderbook.1.", BY_BBO}, {"publicTrade.", BY_TRADES}, {"tickers.", BY_TICKERS},
		{"kline.1.", BY_KLINE},
		{"allLiquidation.", BY_LIQ},
	};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
		if (strncmp(t, k[i].pre, strlen(k[i].pre)) == 0) {
			/* liquidations are a derivatives stream: spot refuses the topic */
			if (k[i].kind == BY_LIQ && c->ws_kind - WS_BY_BASE == BYBIT_SPOT)
				return -1;
			*inst = find(c->ws_kind - WS_BY_BASE, t + strlen(k[i].pre));
			return *inst >= 0 ? k[i].kind : -1;
		}
	return -1;
}

static void
subscribe(struct sim_conn *c, const char *op, const char *req_id, json_t *args)
{
	int sub = strcmp(op, "subscribe") == 0, inst[64], kind[64];
	size_t n = json_array_size(args), i;
	char msg[160];

	if (!json_is_array(args) || n == 0) {
		op_answer(c, op, req_id, 0, "args is empty");
		return;
	}
	if (c->ws_kind == WS_BY_BASE + BYBIT_SPOT && n > 10) {
		op_answer(c, op, req_id, 0, "args size >10");
		return;
	}
	if (n > 64) {
		op_answer(c, op, req_id, 0, "args size >64 (mpsim)");
		return;
	}
	/* all or nothing, as the venue answers one request once */
	for (i = 0; i < n; i++) {
		const char *t = json_string_value(json_array_get(args, i));
		if (!t || (kind[i] = topic(c, t, &inst[i])) < 0) {
			snprintf(msg, sizeof msg, "Invalid symbol :[%.60s]", t ? t : "");
			op_answer(c, op, req_id, 0, msg);
			return;
		}
	}
	for (i = 0; i < n; i++) {
		if (!sub) {
			emit_sub_del(c, inst[i], kind[i]);
			continue;
		}
		int r = emit_sub_add(c, inst[i], kind[i], json_string_value(json_array_get(args, i)));
		if (r < 0) {
			op_answer(c, op, req_id, 0, "internal error");
			return;
		}
	}
	op_answer(c, op, req_id, 1, "");
	for (i = 0; sub && i < n; i++) {
		struct sim_inst *in = &sim.inst[inst[i]];
		if (kind[i] == BY_BOOK)
			send_snapshot(c, in);
		else if (kind[i] == BY_BBO) {
			struct sb b;
			sb_init(&b);
			bbo_frame(&b, in);
			ws_send_text(c, b.p, b.len);
			sb_free(&b);
		}
		else if (kind[i] == BY_TICKERS && in->last_px) {
			struct sb b;
			sb_init(&b);
			ticker(&b, in, "snapshot");
			ws_send_text(c, b.p, b.len);
			sb_free(&b);
		}
	}
}

void
by_ws_message(struct sim_conn *c, const char *data, size_t len)
{
	json_t *j = json_loadb(data, len, 0, NULL);
	const char *op = json_string_value(json_object_get(j, "op"));
	json_t *rid = json_object_get(j, "req_id");
	const char *req_id = json_string_value(rid);
	char num[24];

	/* a number is echoed as a string, as the venue does (ccxt sends its
	 * unsubscribe req_id as a number and matches the answer's "3") */
	if (json_is_integer(rid)) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(rid));
		req_id = num;
	}

	sim.st[SIM_BYBIT].subscribe_requests++;
	if (!json_is_object(j) || !op) {
		op_answer(c, "", NULL, 0, "Invalid request: expected {\"op\":...}");
	} else if (strcmp(op, "ping") == 0) {
		sim.st[SIM_BYBIT].pongs_received++;   /* the client's keep-alive */
		if (c->ws_kind == WS_BY_BASE + BYBIT_SPOT) {
			char b[160];
			int n = snprintf(b, sizeof b, "{\"req_id\":\"%.40s\",\"op\":\"pong\",\"args\":[\"%lld\"],\"conn_id\":\"%s\"}",
			    req_id ? req_id : "", (long long)sim_wall_ms(), c->connid);
			ws_send_text(c, b, (size_t)n);
		} else {
			op_answer(c, "ping", req_id, 1, "pong");
		}
	} else if (strcmp(op, "subscribe") == 0 || strcmp(op, "unsubscribe") == 0) {
		subscribe(c, op, req_id, json_object_get(j, "args"));
	} else {
		op_answer(c, op, req_id, 0, "error:handler not found");
	}
	json_decref(j);
}
