/* binance.c - see binance.h. */
#include "binance.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "http.h"
#include "log.h"
#include "route.h"

const struct bn_spec *
bn_spec(int venue)
{
	return sim_ops(venue)->spec;
}

/* v (1e-8 units) with as many decimals as unit (1e-8 units) has: the
 * futures print prices and sizes at their tick's and lot's precision
 * ("2681.62", "1.165", COIN-M contracts "517"). */
static int
fmt_unit(int64_t v, int64_t unit, char *out)
{
	int n = sb_fmt_e8(v, 0, out), drop = 0;

	while (drop < 8 && unit % 10 == 0) {
		unit /= 10;
		drop++;
	}
	n -= drop == 8 ? 9 : drop;
	out[n] = 0;
	return n;
}

int
bn_px(const struct sim_inst *in, int64_t ticks, char *out)
{
	if (bn_spec(in->venue)->futures)
		return fmt_unit(ticks * in->tick_e8, in->tick_e8, out);
	return sb_fmt_e8(ticks * in->tick_e8, 0, out);
}

int
bn_qty(const struct sim_inst *in, int64_t lots, char *out)
{
	if (bn_spec(in->venue)->futures)
		return fmt_unit(lots * in->lot_e8, in->lot_e8, out);
	return sb_fmt_e8(lots * in->lot_e8, 0, out);
}

static void
add_pq(struct sb *b, const struct sim_inst *in, int64_t px, int64_t qty)
{
	char *o;

	sb_reserve(b, 72);
	o = b->p + b->len;
	*o++ = '[';
	*o++ = '"';
	o += bn_px(in, px, o);
	*o++ = '"';
	*o++ = ',';
	*o++ = '"';
	o += bn_qty(in, qty, o);
	*o++ = '"';
	*o++ = ']';
	b->len = (size_t)(o - b->p);
}

void
bn_inst_init(struct sim_inst *in)
{
	/* Real ids are around 5e10; start somewhere in that region. */
	in->bn_last_u = 40000000000LL + (int64_t)(mkt_rand(&in->book) % 10000000000ULL);
	in->bn_trade_id = 3000000000LL + (int64_t)(mkt_rand(&in->book) % 1000000000ULL);
	in->bn_agg_id = in->bn_trade_id / 2;
}

/* ---- stream names ---- */

/* The slow depth stream (0, 1) of the name after '@', or -1. */
static int
slow_of(const struct bn_spec *sp, const char *rest)
{
	for (int j = 0; j < 2; j++)
		if (sp->slow[j].period_ms && (strcmp(rest, sp->slow[j].name) == 0 ||
		    (sp->slow[j].alias && strcmp(rest, sp->slow[j].alias) == 0)))
			return j;
	return -1;
}

static int
parse_stream(int venue, const char *name, struct sim_sub *s)
{
	const struct bn_spec *sp = bn_spec(venue);
	const char *at = strchr(name, '@');
	char sym[32];
	const char *rest;

	if (name[0] == '!' && sp->stream_all && strlen(name) < sizeof s->name && sp->stream_all(venue, name, s) == 0) {
		snprintf(s->name, sizeof s->name, "%s", name);
		return 0;
	}
	if (at == NULL || (size_t)(at - name) >= sizeof sym || strlen(name) >= sizeof s->name)
		return -1;
	memcpy(sym, name, (size_t)(at - name));
	sym[at - name] = 0;
	for (const char *p = sym; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			return -1;  /* stream names are lowercase */
	s->inst = sim_find_inst(venue, sym);
	if (s->inst < 0)
		return -1;
	rest = at + 1;
	s->param = 0;
	if (sp->stream_more && sp->stream_more(rest, s) == 0)
		;
	else if (slow_of(sp, rest) >= 0)
		s->kind = slow_of(sp, rest) ? BK_DEPTH_SLOW2 : BK_DEPTH1000;
	else if (strcmp(rest, "depth@100ms") == 0)
		s->kind = BK_DEPTH100;
	else if (strcmp(rest, "trade") == 0)
		s->kind = BK_TRADE;
	else if (strcmp(rest, "aggTrade") == 0)
		s->kind = BK_AGGTRADE;
	else if (strcmp(rest, "bookTicker") == 0)
		s->kind = BK_BOOKTICKER;
	else if (strcmp(rest, "kline_1m") == 0)
		s->kind = BK_KLINE;
	else if (strncmp(rest, "depth", 5) == 0 && !sp->futures) {
		char *end;
		long lv = strtol(rest + 5, &end, 10);
		if (lv != 5 && lv != 10 && lv != 20)
			return -1;
		s->param = (int)lv;
		if (*end == 0 || strcmp(end, "@1000ms") == 0)
			s->kind = BK_PDEPTH1000;
		else if (strcmp(end, "@100ms") == 0)
			s->kind = BK_PDEPTH100;
		else
			return -1;
	} else
		return -1;
	snprintf(s->name, sizeof s->name, "%s", name);
	return 0;
}

static int
find_sub(const struct sim_conn *c, const char *name)
{
	for (int i = 0; i < c->nsubs; i++)
		if (strcmp(c->subs[i].name, name) == 0)
			return i;
	return -1;
}

static int
add_sub(struct sim_conn *c, const struct sim_sub *s)
{
	if (find_sub(c, s->name) >= 0)
		return 0;
	if (c->nsubs >= SIM_MAX_SUBS)
		return -1;
	if (c->nsubs == c->capsubs) {
		int cap = c->capsubs ? c->capsubs * 2 : 8;
		struct sim_sub *n = realloc(c->subs, (size_t)cap * sizeof *n);
		if (n == NULL)
			return -1;
		c->subs = n;
		c->capsubs = cap;
	}
	c->subs[c->nsubs++] = *s;
	sim.st[c->venue].subscriptions++;
	return 0;
}

static void
del_sub(struct sim_conn *c, int i)
{
	c->subs[i] = c->subs[--c->nsubs];
	sim.st[c->venue].subscriptions--;
}

/* ---- fan-out ---- */

void
bn_broadcast(struct sim_inst *in, int kind, int param, const char *p, size_t n, int mode)
{
	int idx = (int)(in - sim.inst);
	struct sim_conn *c, *next;

	for (c = sim.conns; c; c = next) {
		next = c->next;
		if (c->venue != in->venue || c->state != CONN_WS || c->closing)
			continue;
		for (int i = 0; i < c->nsubs; i++) {
			struct sim_sub *s = &c->subs[i];
			char pre[96];
			int pl = 0;
			if (s->inst != idx || s->kind != kind || (param && s->param != param))
				continue;
			if (c->ws_kind == WS_BN_COMBINED)
				pl = snprintf(pre, sizeof pre, "{\"stream\":\"%s\",\"data\":", s->name);
			if (mode == EMIT_TRUNC_WIRE) {
				/* Announce the whole frame, deliver half of it, hang up. */
				size_t tot = (size_t)pl + n + (pl ? 1 : 0);
				unsigned char h[10] = {0x81, 127};
				for (int k = 0; k < 8; k++)
					h[2 + k] = (unsigned char)((uint64_t)tot >> (56 - 8 * k));
				ws_send_raw(c, h, 10);
				if (pl)
					ws_send_raw(c, pre, (size_t)pl);
				ws_send_raw(c, p, n / 2);
				conn_end(c);
				break;
			}
			ws_send3(c, WS_OP_TEXT, pre, (size_t)pl, p, n, "}", pl ? 1 : 0);
		}
	}
}

/* ---- per-step output ---- */

/* The COIN-M pair field: ,"ps":"BTCUSD" (nothing elsewhere). */
static void
add_pair(struct sb *b, const struct sim_inst *in)
{
	if (bn_spec(in->venue)->pair_field)
		sb_printf(b, ",\"ps\":\"%s%s\"", in->base, in->quote);
}

/* A depthUpdate; pu (the previous event's u) only on the futures, which
 * also carry T (transaction time) and COIN-M's ps. */
static void
depth_payload(struct sb *b, struct sim_inst *in, int64_t U, int64_t u, int64_t pu, const struct mkt_change *chg,
    int nchg)
{
	int64_t now = sim_wall_ms();
	int first;

	sb_reset(b);
	if (bn_spec(in->venue)->futures) {
		sb_printf(b, "{\"e\":\"depthUpdate\",\"E\":%lld,\"T\":%lld,\"s\":\"%s\"", (long long)now,
		    (long long)now - 1, in->vsym);
		add_pair(b, in);
		sb_printf(b, ",\"U\":%lld,\"u\":%lld,\"pu\":%lld,\"b\":[", (long long)U, (long long)u, (long long)pu);
	} else {
		sb_printf(b, "{\"e\":\"depthUpdate\",\"E\":%lld,\"s\":\"%s\",\"U\":%lld,\"u\":%lld,\"b\":[",
		    (long long)now, in->vsym, (long long)U, (long long)u);
	}
	first = 1;
	for (int i = 0; i < nchg; i++) {
		if (chg[i].side != MKT_BID)
			continue;
		if (!first)
			sb_addc(b, ',');
		first = 0;
		add_pq(b, in, chg[i].px, chg[i].qty);
	}
	sb_adds(b, "],\"a\":[");
	first = 1;
	for (int i = 0; i < nchg; i++) {
		if (chg[i].side != MKT_ASK)
			continue;
		if (!first)
			sb_addc(b, ',');
		first = 0;
		add_pq(b, in, chg[i].px, chg[i].qty);
	}
	sb_adds(b, "]}");
}

/* corrupt_level: the step's changes with the bid at cpx set to cqty (the
 * change replaced if the step has one, else added), the ids unchanged. */
static void
corrupt_payload(struct sb *b, struct sim_inst *in, int64_t U, int64_t u, int64_t pu, const struct mkt_book *bk,
    int64_t cpx, int64_t cqty)
{
	static struct mkt_change *c;
	static int cap;
	int n = 0, found = 0;

	if (bk->nchg + 1 > cap) {
		struct mkt_change *nc = realloc(c, (size_t)(bk->nchg + 1) * 2 * sizeof *nc);
		if (nc == NULL) {
			log_error("out of memory", NULL);
			abort();
		}
		c = nc;
		cap = (bk->nchg + 1) * 2;
	}
	for (int i = 0; i < bk->nchg; i++) {
		c[n] = bk->chg[i];
		if (c[n].side == MKT_BID && c[n].px == cpx) {
			c[n].qty = cqty;
			found = 1;
		}
		n++;
	}
	if (!found)
		c[n++] = (struct mkt_change){.px = cpx, .qty = cqty, .side = MKT_BID};
	depth_payload(b, in, U, u, pu, c, n);
}

static int
cmp_chg(const void *pa, const void *pb)
{
	const struct mkt_change *a = pa, *b = pb;

	if (a->side != b->side)
		return a->side - b->side;
	if (a->px == b->px)
		return 0;
	/* best first */
	return a->side == MKT_BID ? (a->px > b->px ? -1 : 1) : (a->px < b->px ? -1 : 1);
}

/* Slow depth stream j's event: every level its period changed, at the
 * final quantity (increment stream 1 + j). */
static void
flush_slow(struct sim_inst *in, int j, struct sb *b)
{
	struct sim_bn_slow *sl = &in->bn_slow[j];
	int n = 0, kind = j ? BK_DEPTH_SLOW2 : BK_DEPTH1000;

	if (sl->n == 0)
		return;
	if (!emit_wanted(in, kind, 0)) {
		emit_incr_unheard(in, 1 + j);
		sl->pu = in->bn_last_u;
		sl->n = 0;
		sl->first_U = 0;
		return;
	}
	qsort(sl->agg, (size_t)sl->n, sizeof *sl->agg, cmp_chg);
	for (int i = 0; i < sl->n; i++) {
		if (n && sl->agg[n - 1].side == sl->agg[i].side && sl->agg[n - 1].px == sl->agg[i].px)
			continue;
		sl->agg[n] = sl->agg[i];
		/* the book now holds the final quantity of the whole period */
		sl->agg[n].qty = mkt_qty(&in->book, sl->agg[i].side, sl->agg[i].px);
		n++;
	}
	depth_payload(b, in, sl->first_U, in->bn_last_u, sl->pu, sl->agg, n);
	sl->pu = in->bn_last_u;
	emit_incr(in, 1 + j, kind, b->p, b->len);
	sl->n = 0;
	sl->first_U = 0;
}

/* A step's changes into slow stream j's period. */
static void
slow_add(struct sim_inst *in, int j, const struct mkt_book *bk, int64_t U)
{
	struct sim_bn_slow *sl = &in->bn_slow[j];

	if (sl->n + bk->nchg > sl->cap) {
		int cap = (sl->n + bk->nchg) * 2;
		struct mkt_change *na = realloc(sl->agg, (size_t)cap * sizeof *na);
		if (na == NULL) {
			log_error("out of memory", NULL);
			abort();
		}
		sl->agg = na;
		sl->cap = cap;
	}
	memcpy(sl->agg + sl->n, bk->chg, (size_t)bk->nchg * sizeof *bk->chg);
	sl->n += bk->nchg;
	if (sl->first_U == 0)
		sl->first_U = U;
}

/* Whether step ends a period of period_ms (100 ms steps): its 100 ms
 * crosses a multiple of the period. */
static int
slow_due(int64_t step, int period_ms)
{
	return step > 0 && step * 100 / period_ms != (step - 1) * 100 / period_ms;
}

void
bn_flush_pending(void)
{
	static struct sb b;

	for (int i = 0; i < sim.ninst; i++)
		if (sim_ops(sim.inst[i].venue)->flush_pending == bn_flush_pending)
			for (int j = 0; j < 2; j++)
				if (bn_spec(sim.inst[i].venue)->slow[j].period_ms)
					flush_slow(&sim.inst[i], j, &b);
}

static void
partial_depth(struct sim_inst *in, struct sb *b, int kind)
{
	static const int lv[3] = {5, 10, 20};

	for (int k = 0; k < 3; k++) {
		if (!emit_wanted(in, kind, lv[k]))
			continue;
		sb_reset(b);
		sb_printf(b, "{\"lastUpdateId\":%lld,\"bids\":[", (long long)in->bn_last_u);
		for (int side = 0; side < 2; side++) {
			for (int r = 0; r < lv[k]; r++) {
				const struct mkt_level *l = mkt_at(&in->book, side, r);
				if (l == NULL)
					break;
				if (r)
					sb_addc(b, ',');
				add_pq(b, in, l->px, l->qty);
			}
			sb_adds(b, side == 0 ? "],\"asks\":[" : "]}");
		}
		emit_broadcast(in, kind, lv[k], b->p, b->len, EMIT_NORMAL);
	}
}

static void
kline(struct sim_inst *in, struct sb *b)
{
	int64_t now = sim_wall_ms();
	int closed = now >= in->k_start_ms + 60000;
	char o[32], h[32], l[32], c[32], v[32], V[32];

	bn_px(in, in->k_o, o);
	bn_px(in, in->k_h, h);
	bn_px(in, in->k_l, l);
	bn_px(in, in->k_c, c);
	bn_qty(in, in->k_vol, v);
	bn_qty(in, in->k_taker_vol, V);
	sb_reset(b);
	sb_printf(b, "{\"e\":\"kline\",\"E\":%lld,\"s\":\"%s\",\"k\":{\"t\":%lld,\"T\":%lld,\"s\":\"%s\",\"i\":\"1m\","
	    "\"f\":%lld,\"L\":%lld,\"o\":\"%s\",\"c\":\"%s\",\"h\":\"%s\",\"l\":\"%s\",\"v\":\"%s\",\"n\":%lld,"
	    "\"x\":%s,\"q\":\"%.8f\",\"V\":\"%s\",\"Q\":\"%.8f\",\"B\":\"0\"}}",
	    (long long)now, in->vsym, (long long)in->k_start_ms, (long long)(in->k_start_ms + 59999), in->vsym,
	    (long long)(in->k_n ? in->k_first_trade : -1), (long long)(in->k_n ? in->k_last_trade : -1),
	    o, c, h, l, v, (long long)in->k_n, closed ? "true" : "false", in->k_quote, V, in->k_taker_quote);
	emit_broadcast(in, BK_KLINE, 0, b->p, b->len, EMIT_NORMAL);
}

void
bn_on_step(struct sim_inst *in)
{
	static struct sb b;
	struct mkt_book *bk = &in->book;
	const struct bn_spec *sp = bn_spec(in->venue);
	int64_t now = sim_wall_ms();

	if (bk->nchg > 0) {
		int64_t nids = bk->nfill, U, pu = in->bn_last_u;
		for (int i = 0; i < bk->nchg; i++)
			nids += 1 + (int64_t)(mkt_rand(bk) % 3);
		U = in->bn_last_u + 1;
		in->bn_last_u += nids;
		/* nobody listening: nothing to format */
		if (emit_wanted(in, BK_DEPTH100, 0)) {
			int64_t cpx, cqty;
			if (emit_corrupt_pick(in, &cpx, &cqty))
				corrupt_payload(&b, in, U, in->bn_last_u, pu, bk, cpx, cqty);
			else
				depth_payload(&b, in, U, in->bn_last_u, pu, bk->chg, bk->nchg);
			emit_incr(in, 0, BK_DEPTH100, b.p, b.len);
		} else {
			emit_incr_unheard(in, 0);
		}
		for (int j = 0; j < 2; j++)
			if (sp->slow[j].period_ms)
				slow_add(in, j, bk, U);
	}
	for (int j = 0; j < 2; j++)
		if (sp->slow[j].period_ms && slow_due((int64_t)bk->step, sp->slow[j].period_ms))
			flush_slow(in, j, &b);

	for (int i = 0; i < bk->nfill; i++) {
		const struct mkt_fill *f = &bk->fill[i];
		char p[32], q[32];
		int64_t first = in->bn_trade_id + 1, left = f->qty;
		/* One trade per maker order, one aggTrade for the price level. */
		for (int m = 0; m < f->makers; m++) {
			int64_t tq = m == f->makers - 1 ? left : left / (f->makers - m);
			if (tq < 1)
				tq = 1;
			left -= tq;
			in->bn_trade_id++;
			if (emit_wanted(in, BK_TRADE, 0)) {
				bn_px(in, f->px, p);
				bn_qty(in, tq, q);
				sb_reset(&b);
				if (sp->futures)
					/* as the USD-M recording has it (no "M"; X the order type) */
					sb_printf(&b, "{\"e\":\"trade\",\"E\":%lld,\"T\":%lld,\"s\":\"%s\",\"t\":%lld,\"p\":\"%s\","
					    "\"q\":\"%s\",\"X\":\"MARKET\",\"m\":%s}", (long long)now, (long long)now, in->vsym,
					    (long long)in->bn_trade_id, p, q, f->taker_buy ? "false" : "true");
				else
					sb_printf(&b, "{\"e\":\"trade\",\"E\":%lld,\"s\":\"%s\",\"t\":%lld,\"p\":\"%s\",\"q\":\"%s\","
					    "\"T\":%lld,\"m\":%s,\"M\":true}", (long long)now, in->vsym, (long long)in->bn_trade_id,
					    p, q, (long long)now, f->taker_buy ? "false" : "true");
				emit_broadcast(in, BK_TRADE, 0, b.p, b.len, EMIT_NORMAL);
			}
		}
		in->bn_agg_id++;
		sim_note_trade(in, f->px, f->qty, f->taker_buy, first, in->bn_trade_id);
		if (emit_wanted(in, BK_AGGTRADE, 0)) {
			bn_px(in, f->px, p);
			bn_qty(in, f->qty, q);
			sb_reset(&b);
			/* the futures' aggTrade has no "M" */
			sb_printf(&b, "{\"e\":\"aggTrade\",\"E\":%lld,\"s\":\"%s\",\"a\":%lld,\"p\":\"%s\",\"q\":\"%s\","
			    "\"f\":%lld,\"l\":%lld,\"T\":%lld,\"m\":%s%s}", (long long)now, in->vsym,
			    (long long)in->bn_agg_id, p, q, (long long)first, (long long)in->bn_trade_id, (long long)now,
			    f->taker_buy ? "false" : "true", sp->futures ? "" : ",\"M\":true");
			emit_broadcast(in, BK_AGGTRADE, 0, b.p, b.len, EMIT_NORMAL);
		}
	}

	const struct mkt_level *bb = mkt_at(bk, MKT_BID, 0), *ba = mkt_at(bk, MKT_ASK, 0);
	if (bb->px != in->bn_bt[0] || bb->qty != in->bn_bt[1] || ba->px != in->bn_bt[2] || ba->qty != in->bn_bt[3]) {
		in->bn_bt[0] = bb->px;
		in->bn_bt[1] = bb->qty;
		in->bn_bt[2] = ba->px;
		in->bn_bt[3] = ba->qty;
		if (emit_wanted(in, BK_BOOKTICKER, 0)) {
			char bp[32], bq[32], ap[32], aq[32];
			bn_px(in, bb->px, bp);
			bn_qty(in, bb->qty, bq);
			bn_px(in, ba->px, ap);
			bn_qty(in, ba->qty, aq);
			sb_reset(&b);
			if (sp->futures) {
				/* futures: named event, T and E after the quotes; COIN-M's ps */
				sb_printf(&b, "{\"e\":\"bookTicker\",\"u\":%lld,\"s\":\"%s\"", (long long)in->bn_last_u, in->vsym);
				add_pair(&b, in);
				sb_printf(&b, ",\"b\":\"%s\",\"B\":\"%s\",\"a\":\"%s\",\"A\":\"%s\",\"T\":%lld,\"E\":%lld}", bp,
				    bq, ap, aq, (long long)now - 1, (long long)now);
			} else {
				sb_printf(&b, "{\"u\":%lld,\"s\":\"%s\",\"b\":\"%s\",\"B\":\"%s\",\"a\":\"%s\",\"A\":\"%s\"}",
				    (long long)in->bn_last_u, in->vsym, bp, bq, ap, aq);
			}
			emit_broadcast(in, BK_BOOKTICKER, 0, b.p, b.len, EMIT_NORMAL);
		}
	}
	partial_depth(in, &b, BK_PDEPTH100);
	if (bk->step % 10 == 0)
		partial_depth(in, &b, BK_PDEPTH1000);
	if (bk->step % 20 == 0) {
		if (emit_wanted(in, BK_KLINE, 0))
			kline(in, &b);
		sim_kline_roll(in);
	}
	if (sp->step_more)
		sp->step_more(in, &b);
}

/* ---- REST ---- */

void
bn_answer(struct sim_conn *c, int status, const char *extra, const char *body, size_t len, int delay_ms)
{
	char hdrs[256];
	struct sim_stats *st = &sim.st[c->venue];

	snprintf(hdrs, sizeof hdrs, "X-MBX-USED-WEIGHT-1M: %lld\r\n%s", (long long)bn_weight_now(c->venue),
	    extra ? extra : "");
	if (status == 429)
		st->http_429++;
	else if (status == 418)
		st->http_418++;
	else if (status >= 500)
		st->http_5xx++;
	else if (status >= 400)
		st->http_4xx++;
	http_respond(c, status, hdrs, body, len, delay_ms);
}

void
bn_error(struct sim_conn *c, int status, int code, const char *msg, int delay_ms)
{
	struct sb b;

	sb_init(&b);
	sb_printf(&b, "{\"code\":%d,\"msg\":", code);
	sb_addjs(&b, msg);
	sb_addc(&b, '}');
	bn_answer(c, status, NULL, b.p, b.len, delay_ms);
	sb_free(&b);
}

static void
weight_window(int v)
{
	int64_t win = sim_scaled_ms(60000), idx = (sim_mono_ms() - sim.start_ms) / win;

	if (idx != sim.bn_win_idx[v]) {
		sim.bn_win_idx[v] = idx;
		sim.bn_weight[v] = 0;
		sim.bn_429_in_win[v] = 0;
	}
}

int64_t
bn_weight_now(int venue)
{
	weight_window(venue);
	return sim.bn_weight[venue];
}

static int64_t
ceil_s(int64_t ms)
{
	return ms <= 0 ? 1 : (ms + 999) / 1000;
}

int
bn_charge(struct sim_conn *c, int weight, int delay_ms)
{
	int64_t now = sim_mono_ms(), win = sim_scaled_ms(60000);
	int v = c->venue, limit = bn_spec(v)->weight_limit;
	struct sim_stats *st = &sim.st[v];
	char hdr[64];

	weight_window(v);
	if (now < sim.bn_ban_until[v]) {
		struct sb b;
		snprintf(hdr, sizeof hdr, "Retry-After: %lld\r\n", (long long)ceil_s(sim.bn_ban_until[v] - now));
		sb_init(&b);
		sb_printf(&b, "{\"code\":-1003,\"msg\":\"Way too much request weight used; IP banned until %lld. "
		    "Please use WebSocket Streams for live updates to avoid bans.\"}",
		    (long long)st->banned_until_ms);
		bn_answer(c, 418, hdr, b.p, b.len, delay_ms);
		sb_free(&b);
		return 1;
	}
	if (sim.bn_weight[v] + weight > limit) {
		if (sim.bn_429_in_win[v]) {
			/* Kept going after a 429: ban, 2 minutes doubling up to 3 days (scaled). */
			int64_t dur = 120000;
			for (uint64_t i = 0; i < st->bans && dur < 259200000; i++)
				dur *= 2;
			if (dur > 259200000)
				dur = 259200000;
			dur = sim_scaled_ms((double)dur);
			st->bans++;
			sim.bn_ban_until[v] = now + dur;
			st->banned_until_ms = sim_wall_ms() + dur;
			log_warn("binance ban", "venue=%s duration_ms=%lld", sim_venue_name(v), (long long)dur);
			snprintf(hdr, sizeof hdr, "Retry-After: %lld\r\n", (long long)ceil_s(dur));
			struct sb b;
			sb_init(&b);
			sb_printf(&b, "{\"code\":-1003,\"msg\":\"Way too much request weight used; IP banned until %lld. "
			    "Please use WebSocket Streams for live updates to avoid bans.\"}",
			    (long long)st->banned_until_ms);
			bn_answer(c, 418, hdr, b.p, b.len, delay_ms);
			sb_free(&b);
			return 1;
		}
		sim.bn_429_in_win[v] = 1;
		sim.bn_weight[v] += weight;
		if (sim.bn_weight[v] > st->weight_used_1m_max)
			st->weight_used_1m_max = sim.bn_weight[v];
		snprintf(hdr, sizeof hdr, "Retry-After: %lld\r\n",
		    (long long)ceil_s(sim.start_ms + (sim.bn_win_idx[v] + 1) * win - now));
		struct sb b;
		sb_init(&b);
		sb_printf(&b, "{\"code\":-1003,\"msg\":\"Too much request weight used; current limit is %d request "
		    "weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.\"}",
		    limit);
		bn_answer(c, 429, hdr, b.p, b.len, delay_ms);
		sb_free(&b);
		return 1;
	}
	sim.bn_weight[v] += weight;
	if (sim.bn_weight[v] > st->weight_used_1m_max)
		st->weight_used_1m_max = sim.bn_weight[v];
	return 0;
}

static void
spot_symbol_info(struct sb *b, const struct sim_inst *in)
{
	char tick[32], lot[32], minq[32];

	sb_fmt_e8(in->tick_e8, 0, tick);
	sb_fmt_e8(in->lot_e8, 0, lot);
	sb_fmt_e8(in->min_qty_e8, 0, minq);
	sb_printf(b, "{\"symbol\":\"%s\",\"status\":\"TRADING\",\"baseAsset\":\"%s\",\"baseAssetPrecision\":8,"
	    "\"quoteAsset\":\"%s\",\"quotePrecision\":8,\"quoteAssetPrecision\":8,\"baseCommissionPrecision\":8,"
	    "\"quoteCommissionPrecision\":8,\"orderTypes\":[\"LIMIT\",\"LIMIT_MAKER\",\"MARKET\",\"STOP_LOSS_LIMIT\","
	    "\"TAKE_PROFIT_LIMIT\"],\"icebergAllowed\":true,\"ocoAllowed\":true,\"otoAllowed\":true,"
	    "\"quoteOrderQtyMarketAllowed\":true,\"allowTrailingStop\":true,\"cancelReplaceAllowed\":true,"
	    "\"isSpotTradingAllowed\":true,\"isMarginTradingAllowed\":true,\"filters\":["
	    "{\"filterType\":\"PRICE_FILTER\",\"minPrice\":\"%s\",\"maxPrice\":\"1000000.00000000\",\"tickSize\":\"%s\"},"
	    "{\"filterType\":\"LOT_SIZE\",\"minQty\":\"%s\",\"maxQty\":\"9000.00000000\",\"stepSize\":\"%s\"},"
	    "{\"filterType\":\"MARKET_LOT_SIZE\",\"minQty\":\"0.00000000\",\"maxQty\":\"100.00000000\",\"stepSize\":\"0.00000000\"},"
	    "{\"filterType\":\"NOTIONAL\",\"minNotional\":\"5.00000000\",\"applyMinToMarket\":true,"
	    "\"maxNotional\":\"9000000.00000000\",\"applyMaxToMarket\":false,\"avgPriceMins\":5}],"
	    "\"permissions\":[],\"permissionSets\":[[\"SPOT\",\"MARGIN\"]],\"defaultSelfTradePreventionMode\":\"EXPIRE_MAKER\","
	    "\"allowedSelfTradePreventionModes\":[\"EXPIRE_TAKER\",\"EXPIRE_MAKER\",\"EXPIRE_BOTH\"]}",
	    in->vsym, in->base, in->quote, tick, tick, minq, lot);
}

static void
exchange_info(struct sim_conn *c, const char *query, int delay_ms)
{
	char v[512];
	struct sb b;
	int want[64] = {0}, any = 0, first = 1;
	const struct bn_spec *sp = bn_spec(c->venue);

	if (route_qget(query, "symbol", v, sizeof v)) {
		int i = sim_find_inst(c->venue, v);
		if (i < 0) {
			bn_error(c, 400, -1121, "Invalid symbol.", delay_ms);
			return;
		}
		want[i] = any = 1;
	} else if (route_qget(query, "symbols", v, sizeof v)) {
		json_t *arr = json_loads(v, 0, NULL);
		size_t k;
		json_t *it;
		if (!json_is_array(arr)) {
			json_decref(arr);
			bn_error(c, 400, -1100, "Illegal characters found in parameter 'symbols'.", delay_ms);
			return;
		}
		json_array_foreach(arr, k, it) {
			int i = json_is_string(it) ? sim_find_inst(c->venue, json_string_value(it)) : -1;
			if (i < 0 || i >= 64) {
				json_decref(arr);
				bn_error(c, 400, -1121, "Invalid symbol.", delay_ms);
				return;
			}
			want[i] = any = 1;
		}
		json_decref(arr);
	}
	sb_init(&b);
	sb_printf(&b, "{\"timezone\":\"UTC\",\"serverTime\":%lld,\"rateLimits\":["
	    "{\"rateLimitType\":\"REQUEST_WEIGHT\",\"interval\":\"MINUTE\",\"intervalNum\":1,\"limit\":%d},%s],"
	    "\"exchangeFilters\":[],%s\"symbols\":[", (long long)sim_wall_ms(), sp->weight_limit, sp->order_limits,
	    sp->futures ? "\"assets\":[]," : "");
	for (int i = 0; i < sim.ninst; i++) {
		if (sim.inst[i].venue != c->venue || (any && (i >= 64 || !want[i])))
			continue;
		if (!first)
			sb_addc(&b, ',');
		first = 0;
		sp->symbol_info(&b, &sim.inst[i]);
	}
	sb_adds(&b, "]}");
	bn_answer(c, 200, NULL, b.p, b.len, delay_ms);
	sb_free(&b);
}

static void
depth(struct sim_conn *c, const char *query, int delay_ms)
{
	char v[64];
	long limit = 100;
	int i, weight;
	struct sb b;
	const struct bn_spec *sp = bn_spec(c->venue);

	if (!route_qget(query, "symbol", v, sizeof v) || !*v) {
		bn_error(c, 400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.", delay_ms);
		return;
	}
	i = sim_find_inst(c->venue, v);
	if (sp->futures)
		limit = 500;
	if (route_qget(query, "limit", v, sizeof v)) {
		char *end;
		limit = strtol(v, &end, 10);
		if (end == v || *end || limit < 1) {
			bn_error(c, 400, -1100, "Illegal characters found in parameter 'limit'; legal range is '1-5000'.", delay_ms);
			return;
		}
		if (limit > 5000)
			limit = 5000;
	}
	weight = sp->futures ? bn_fut_depth_weight(limit) : limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
	if (weight < 0) {
		bn_error(c, 400, -1130, "Invalid data sent for a parameter: limit (valid: 5, 10, 20, 50, 100, 500, 1000).",
		    delay_ms);
		return;
	}
	if (bn_charge(c, weight, delay_ms))
		return;
	if (i < 0) {
		bn_error(c, 400, -1121, "Invalid symbol.", delay_ms);
		return;
	}
	struct sim_inst *in = &sim.inst[i];
	sb_init(&b);
	sb_reserve(&b, (size_t)limit * 70);
	sb_printf(&b, "{\"lastUpdateId\":%lld", (long long)in->bn_last_u);
	if (sp->pair_field)
		sb_printf(&b, ",\"symbol\":\"%s\",\"pair\":\"%s%s\"", in->vsym, in->base, in->quote);
	if (sp->futures)
		sb_printf(&b, ",\"E\":%lld,\"T\":%lld", (long long)sim_wall_ms(), (long long)sim_wall_ms() - 1);
	sb_adds(&b, ",\"bids\":[");
	for (int side = 0; side < 2; side++) {
		for (int r = 0; r < limit; r++) {
			const struct mkt_level *l = mkt_at(&in->book, side, r);
			if (l == NULL)
				break;
			if (r)
				sb_addc(&b, ',');
			add_pq(&b, in, l->px, l->qty);
		}
		sb_adds(&b, side == 0 ? "],\"asks\":[" : "]}");
	}
	bn_answer(c, 200, NULL, b.p, b.len, delay_ms);
	sb_free(&b);
}

void
bn_rest(struct sim_conn *c, const char *method, const char *path, const char *query, int delay_ms)
{
	if (strcmp(method, "GET") != 0) {
		bn_error(c, 405, -1000, "Method not allowed on this simulated endpoint.", delay_ms);
		return;
	}
	const struct bn_spec *sp = bn_spec(c->venue);
	size_t al = strlen(sp->api);
	const char *ep = strncmp(path, sp->api, al) == 0 && path[al] == '/' ? path + al + 1 : "";
	char msg[160];

	if (strcmp(ep, "depth") == 0) {
		depth(c, query, delay_ms);
	} else if (strcmp(ep, "exchangeInfo") == 0) {
		if (!bn_charge(c, sp->info_weight, delay_ms))
			exchange_info(c, query, delay_ms);
	} else if (strcmp(ep, "ping") == 0) {
		if (!bn_charge(c, 1, delay_ms))
			bn_answer(c, 200, NULL, "{}", 2, delay_ms);
	} else if (strcmp(ep, "time") == 0) {
		if (!bn_charge(c, 1, delay_ms)) {
			char b[64];
			int n = snprintf(b, sizeof b, "{\"serverTime\":%lld}", (long long)sim_wall_ms());
			bn_answer(c, 200, NULL, b, (size_t)n, delay_ms);
		}
	} else if (!(*ep && sp->rest_more && sp->rest_more(c, ep, query, delay_ms))) {
		snprintf(msg, sizeof msg, "Unknown endpoint (mpsim serves %s/depth, exchangeInfo, ping, time%s).", sp->api,
		    sp->rest_more ? ", openInterest, premiumIndex, fundingInfo" : "");
		bn_error(c, 404, -1000, msg, delay_ms);
	}
}

/* ---- WebSocket ---- */

int
bn_ws_open(struct sim_conn *c, const char *path, const char *query, struct sb *why)
{
	char list[8192];
	const char *streams = NULL;
	const struct bn_spec *sp = bn_spec(c->venue);

	for (const char *const *r = sp->ws_routes; r && *r; r++) {
		size_t n = strlen(*r);
		if (strncmp(path, *r, n) == 0 && path[n] == '/') {
			path += n;
			break;
		}
	}
	if (strcmp(path, "/ws") == 0 || strncmp(path, "/ws/", 4) == 0) {
		c->ws_kind = WS_BN_RAW;
		streams = path[3] ? path + 4 : "";
	} else if (strcmp(path, "/stream") == 0 || strcmp(path, "/stream/") == 0) {
		c->ws_kind = WS_BN_COMBINED;
		streams = route_qget(query, "streams", list, sizeof list);
		if (streams == NULL)
			streams = "";
	} else {
		sb_adds(why, "{\"code\":-1,\"msg\":\"unknown WebSocket path; use /ws/<stream> or /stream?streams=\"}");
		return 404;
	}
	if (streams != list) {
		snprintf(list, sizeof list, "%s", streams);
		streams = list;
	}
	char *save = NULL;
	for (char *t = strtok_r(list, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		struct sim_sub s;
		if (strchr(t, '@') == NULL) {
			/* Not a market stream: the live server takes such a name as a
			 * user-data listen key and keeps the connection, which clients
			 * rely on (ccxt opens /ws/0 and subscribes later).  User data is
			 * not simulated, so the name carries nothing. */
			sim.st[c->venue].ws_url_plain_names++;
			continue;
		}
		if (parse_stream(c->venue, t, &s) < 0) {
			sb_printf(why, "{\"code\":2,\"msg\":\"Invalid request: unknown stream '%.64s'\"}", t);
			for (int i = c->nsubs - 1; i >= 0; i--)
				del_sub(c, i);
			return 400;
		}
		if (add_sub(c, &s) < 0) {
			sb_adds(why, "{\"code\":2,\"msg\":\"Invalid request: too many streams (max 1024)\"}");
			for (int i = c->nsubs - 1; i >= 0; i--)
				del_sub(c, i);
			return 400;
		}
	}
	return 0;
}

static void
reply(struct sim_conn *c, const char *result, json_t *id)
{
	char *ids = id ? json_dumps(id, JSON_ENCODE_ANY) : NULL;
	struct sb b;

	sb_init(&b);
	sb_printf(&b, "{\"result\":%s,\"id\":%s}", result, ids ? ids : "null");
	ws_send_text(c, b.p, b.len);
	sb_free(&b);
	free(ids);
}

static void
reply_error(struct sim_conn *c, int code, const char *msg, json_t *id)
{
	char *ids = id ? json_dumps(id, JSON_ENCODE_ANY) : NULL;
	struct sb b;

	sim.st[c->venue].subscribe_errors++;
	sb_init(&b);
	sb_printf(&b, "{\"error\":{\"code\":%d,\"msg\":", code);
	sb_addjs(&b, msg);
	sb_printf(&b, "},\"id\":%s}", ids ? ids : "null");
	ws_send_text(c, b.p, b.len);
	sb_free(&b);
	free(ids);
}

static int
id_ok(json_t *id)
{
	if (id == NULL || json_is_null(id))
		return 1;
	if (json_is_integer(id))
		return 1;
	if (json_is_string(id)) {
		const char *s = json_string_value(id);
		if (strlen(s) > 36)
			return 0;
		for (; *s; s++)
			if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '-' || *s == '_'))
				return 0;
		return 1;
	}
	return 0;
}

void
bn_ws_message(struct sim_conn *c, const char *data, size_t len)
{
	json_error_t err;
	json_t *j = json_loadb(data, len, 0, &err), *id, *m, *params;
	const char *method;
	char msg[256];

	if (j == NULL || !json_is_object(j)) {
		snprintf(msg, sizeof msg, "Invalid JSON: expected value at line %d column %d", err.line > 0 ? err.line : 1,
		    err.column > 0 ? err.column : 1);
		reply_error(c, 3, msg, NULL);
		json_decref(j);
		return;
	}
	id = json_object_get(j, "id");
	if (!id_ok(id)) {
		reply_error(c, 2, "Invalid request: request ID must be an unsigned integer or a string of up to 36 characters", NULL);
		goto out;
	}
	m = json_object_get(j, "method");
	if (!json_is_string(m)) {
		reply_error(c, 2, "Invalid request: missing field `method`", id);
		goto out;
	}
	method = json_string_value(m);
	params = json_object_get(j, "params");
	sim.st[c->venue].subscribe_requests++;
	if (strcmp(method, "SUBSCRIBE") == 0 || strcmp(method, "UNSUBSCRIBE") == 0) {
		int sub = method[0] == 'S';
		size_t k;
		json_t *it;
		if (!json_is_array(params)) {
			reply_error(c, 2, "Invalid request: invalid type: expected a sequence of stream names for `params`", id);
			goto out;
		}
		json_array_foreach(params, k, it) {
			struct sim_sub s;
			if (!json_is_string(it) || parse_stream(c->venue, json_string_value(it), &s) < 0) {
				snprintf(msg, sizeof msg, "Invalid request: unknown stream '%.64s'",
				    json_is_string(it) ? json_string_value(it) : "?");
				reply_error(c, 2, msg, id);
				goto out;
			}
		}
		json_array_foreach(params, k, it) {
			struct sim_sub s;
			parse_stream(c->venue, json_string_value(it), &s);
			if (sub) {
				if (add_sub(c, &s) < 0) {
					reply_error(c, 2, "Invalid request: too many streams (max 1024)", id);
					goto out;
				}
			} else {
				int i = find_sub(c, s.name);
				if (i >= 0)
					del_sub(c, i);
			}
		}
		reply(c, "null", id);
	} else if (strcmp(method, "LIST_SUBSCRIPTIONS") == 0) {
		struct sb b;
		sb_init(&b);
		sb_addc(&b, '[');
		for (int i = 0; i < c->nsubs; i++) {
			if (i)
				sb_addc(&b, ',');
			sb_addjs(&b, c->subs[i].name);
		}
		sb_addc(&b, ']');
		reply(c, sb_cstr(&b), id);
		sb_free(&b);
	} else if (strcmp(method, "SET_PROPERTY") == 0) {
		json_t *p0 = json_array_get(params, 0), *p1 = json_array_get(params, 1);
		if (!json_is_string(p0) || strcmp(json_string_value(p0), "combined") != 0) {
			reply_error(c, 0, "Unknown property", id);
		} else if (!json_is_boolean(p1)) {
			reply_error(c, 1, "Invalid value type: expected Boolean", id);
		} else {
			c->ws_kind = json_is_true(p1) ? WS_BN_COMBINED : WS_BN_RAW;
			reply(c, "null", id);
		}
	} else if (strcmp(method, "GET_PROPERTY") == 0) {
		json_t *p0 = json_array_get(params, 0);
		if (!json_is_string(p0) || strcmp(json_string_value(p0), "combined") != 0)
			reply_error(c, 0, "Unknown property", id);
		else
			reply(c, c->ws_kind == WS_BN_COMBINED ? "true" : "false", id);
	} else {
		snprintf(msg, sizeof msg, "Invalid request: unknown variant `%.40s`, expected one of `SUBSCRIBE`, "
		    "`UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`", method);
		reply_error(c, 2, msg, id);
	}
out:
	json_decref(j);
}

void
bn_shutdown_notice(struct sim_conn *c, int ms)
{
	char b[160];
	int n;

	if (c->ws_kind == WS_BN_COMBINED)
		n = snprintf(b, sizeof b, "{\"stream\":\"!serverShutdown\",\"data\":{\"e\":\"serverShutdown\",\"E\":%lld}}",
		    (long long)sim_wall_ms());
	else
		n = snprintf(b, sizeof b, "{\"e\":\"serverShutdown\",\"E\":%lld}", (long long)sim_wall_ms());
	ws_send_text(c, b, (size_t)n);
	c->close_at = sim_mono_ms() + (ms > 0 ? ms : 1);
}

void
bn_fault_answer(struct sim_conn *c, int status, int retry_after_ms, int delay_ms)
{
	char hdr[64] = "";

	if (status == 429 || status == 418)
		snprintf(hdr, sizeof hdr, "Retry-After: %lld\r\n", (long long)ceil_s(retry_after_ms));
	if (status == 429) {
		char body[256];
		int n = snprintf(body, sizeof body, "{\"code\":-1003,\"msg\":\"Too much request weight used; current limit "
		    "is %d request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the "
		    "API.\"}", bn_spec(c->venue)->weight_limit);
		bn_answer(c, status, hdr, body, (size_t)n, delay_ms);
	} else if (status == 418) {
		static const char body[] = "{\"code\":-1003,\"msg\":\"Way too much request weight used; IP banned "
		    "(injected). Please use WebSocket Streams for live updates to avoid bans.\"}";
		bn_answer(c, 418, hdr, body, sizeof body - 1, delay_ms);
	}
	else
		bn_error(c, status, -1001, "Internal error; unable to process your request. Please try again.", delay_ms);
}

const struct bn_spec bn_spot = {
	.api = "/api/v3", .weight_limit = 6000, .info_weight = 20, .slow = {{1000, "depth", "depth@1000ms"}}, .symbol_info = spot_symbol_info,
	.order_limits = "{\"rateLimitType\":\"ORDERS\",\"interval\":\"SECOND\",\"intervalNum\":10,\"limit\":100},"
	    "{\"rateLimitType\":\"ORDERS\",\"interval\":\"DAY\",\"intervalNum\":1,\"limit\":200000},"
	    "{\"rateLimitType\":\"RAW_REQUESTS\",\"interval\":\"MINUTE\",\"intervalNum\":5,\"limit\":300000}",
};
