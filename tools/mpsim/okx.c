/* okx.c - see okx.h. */
#include "instid.h"
#include "okx.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deriv.h"
#include "emit.h"
#include "http.h"
#include "log.h"
#include "route.h"

int
ox_px(const struct sim_inst *in, int64_t ticks, char *out)
{
	return sb_fmt_e8(ticks * in->tick_e8, 1, out);
}

int
ox_qty(const struct sim_inst *in, int64_t lots, char *out)
{
	return sb_fmt_e8(lots * in->lot_e8, 1, out);
}

/* Number of orders at a level: a fixed function of the level, so it never
 * changes without the size changing. */
static int
norders(int64_t px, int64_t qty)
{
	return 1 + (int)((uint64_t)(px * 31 + qty) % 9);
}

static void
add_level(struct sb *b, const struct sim_inst *in, int64_t px, int64_t qty, int full)
{
	char *o;

	sb_reserve(b, 80);
	o = b->p + b->len;
	*o++ = '[';
	*o++ = '"';
	o += ox_px(in, px, o);
	if (qty == 0) {
		memcpy(o, "\",\"0\",\"0\",\"0\"]", 14);
		o += 14;
	} else {
		*o++ = '"';
		*o++ = ',';
		*o++ = '"';
		o += ox_qty(in, qty, o);
		if (full)
			o += sprintf(o, "\",\"%d\"]", norders(px, qty));
		else
			o += sprintf(o, "\",\"0\",\"%d\"]", norders(px, qty));
	}
	b->len = (size_t)(o - b->p);
}

uint32_t
ox_crc32(const void *p, size_t n)
{
	static uint32_t tab[256];
	const unsigned char *s = p;
	uint32_t c = 0xffffffffu;

	if (tab[1] == 0) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t v = i;
			for (int k = 0; k < 8; k++)
				v = v & 1 ? 0xedb88320u ^ (v >> 1) : v >> 1;
			tab[i] = v;
		}
	}
	for (size_t i = 0; i < n; i++)
		c = tab[(c ^ s[i]) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

int32_t
ox_checksum(const struct sim_inst *in)
{
	char buf[25 * 2 * 70], p[32], q[32];
	size_t o = 0;

	for (int r = 0; r < 25; r++) {
		for (int side = 0; side < 2; side++) {
			if (r >= in->ox_nwin[side])
				continue;
			const struct mkt_level *l = &in->ox_win[side][r];
			ox_px(in, l->px, p);
			ox_qty(in, l->qty, q);
			o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s:%s", o ? ":" : "", p, q);
		}
	}
	return (int32_t)ox_crc32(buf, o);
}

/* Load the book's top 400 into dst (best first). */
static int
top_window(const struct sim_inst *in, int side, struct mkt_level *dst)
{
	int n = 0;

	for (; n < SIM_OKX_WIN; n++) {
		const struct mkt_level *l = mkt_at(&in->book, side, n);
		if (l == NULL)
			break;
		dst[n] = *l;
	}
	return n;
}

void
ox_inst_init(struct sim_inst *in)
{
	in->ox_seq = 1000000000LL + (int64_t)(mkt_rand(&in->book) % 9000000000ULL);
	in->ox_trade_id = 500000000LL + (int64_t)(mkt_rand(&in->book) % 100000000ULL);
	for (int side = 0; side < 2; side++)
		in->ox_nwin[side] = top_window(in, side, in->ox_win[side]);
	in->ox_last_pub_ms = sim_mono_ms();
}

/* ---- fan-out ---- */

void
ox_broadcast(struct sim_inst *in, int kind, int param, const char *p, size_t n, int mode)
{
	(void)param;
	emit_fanout(in, kind, p, n, mode);
}

/* ---- books ---- */

static int
better(int side, int64_t a, int64_t b)
{
	return side == MKT_BID ? a > b : a < b;
}

/* Diff the published window against the book's top 400, append the changes
 * to out[side] and make the book's top 400 the new window.  cpx != 0
 * (corrupt_level): the bid at cpx goes out with quantity cqty, changed or
 * not, while the window keeps the true one (REST and books5 stay true). */
static int
window_diff(struct sim_inst *in, struct sb out[2], int fmt, int64_t cpx, int64_t cqty)
{
	static struct mkt_level nw[SIM_OKX_WIN];
	int total = 0;

	for (int side = 0; side < 2; side++) {
		struct mkt_level *old = in->ox_win[side];
		int no = in->ox_nwin[side], nn = top_window(in, side, nw), i = 0, j = 0, cnt = 0;

		sb_reset(&out[side]);
		while (i < no || j < nn) {
			int64_t px, qty;
			if (j >= nn || (i < no && better(side, old[i].px, nw[j].px))) {
				px = old[i++].px;
				qty = 0;
			} else if (i >= no || better(side, nw[j].px, old[i].px)) {
				px = nw[j].px;
				qty = nw[j++].qty;
			} else {
				px = nw[j].px;
				qty = nw[j].qty;
				int same = old[i].qty == qty && !(side == MKT_BID && px == cpx);
				i++;
				j++;
				if (same)
					continue;
			}
			if (side == MKT_BID && cpx && px == cpx && qty)
				qty = cqty;
			if (fmt) {
				if (cnt)
					sb_addc(&out[side], ',');
				add_level(&out[side], in, px, qty, 0);
			}
			cnt++;
		}
		memcpy(old, nw, (size_t)nn * sizeof *nw);
		in->ox_nwin[side] = nn;
		total += cnt;
	}
	return total;
}

/* 1 when the book's top 400 differs from the published window (an increment is due). */
static int
window_changes(const struct sim_inst *in)
{
	for (int side = 0; side < 2; side++) {
		int n = 0;
		for (; n < SIM_OKX_WIN; n++) {
			const struct mkt_level *l = mkt_at(&in->book, side, n);
			if (l == NULL)
				break;
			if (n >= in->ox_nwin[side] || in->ox_win[side][n].px != l->px || in->ox_win[side][n].qty != l->qty)
				return 1;
		}
		if (n != in->ox_nwin[side])
			return 1;
	}
	return 0;
}

static void
books_msg(struct sb *b, struct sim_inst *in, const char *action, const char *asks, size_t alen,
    const char *bids, size_t blen, int64_t prev, int64_t seq)
{
	sb_reset(b);
	sb_printf(b, "{\"arg\":{\"channel\":\"books\",\"instId\":\"%s\"},\"action\":\"%s\",\"data\":[{\"asks\":[",
	    in->vsym, action);
	sb_add(b, asks, alen);
	sb_adds(b, "],\"bids\":[");
	sb_add(b, bids, blen);
	sb_printf(b, "],\"ts\":\"%lld\",\"checksum\":%d", (long long)sim_wall_ms(),
	    sim.okx_legacy_checksum ? (int)ox_checksum(in) : 0);
	if (sim.okx_legacy_format)
		sb_adds(b, "}]}");   /* 2021-2022: no ids, the checksum is the chain */
	else
		sb_printf(b, ",\"prevSeqId\":%lld,\"seqId\":%lld}]}", (long long)prev, (long long)seq);
}

static void
send_snapshot(struct sim_conn *c, struct sim_inst *in)
{
	struct sb side[2], b;

	for (int s = 0; s < 2; s++) {
		sb_init(&side[s]);
		for (int r = 0; r < in->ox_nwin[s]; r++) {
			if (r)
				sb_addc(&side[s], ',');
			add_level(&side[s], in, in->ox_win[s][r].px, in->ox_win[s][r].qty, 0);
		}
	}
	sb_init(&b);
	books_msg(&b, in, "snapshot", side[1].p, side[1].len, side[0].p, side[0].len, -1, in->ox_seq);
	ws_send_text(c, b.p, b.len);
	sim.st[SIM_OKX].snapshots_sent++;
	sb_free(&b);
	sb_free(&side[0]);
	sb_free(&side[1]);
}

static void
small_book(struct sb *b, struct sim_inst *in, const char *channel, int depth, int with_inst)
{
	sb_reset(b);
	sb_printf(b, "{\"arg\":{\"channel\":\"%s\",\"instId\":\"%s\"},\"data\":[{\"asks\":[", channel, in->vsym);
	for (int side = 1; side >= 0; side--) {
		for (int r = 0; r < depth; r++) {
			const struct mkt_level *l = mkt_at(&in->book, side, r);
			if (l == NULL)
				break;
			if (r)
				sb_addc(b, ',');
			add_level(b, in, l->px, l->qty, 0);
		}
		sb_adds(b, side == 1 ? "],\"bids\":[" : "]");
	}
	if (with_inst)
		sb_printf(b, ",\"instId\":\"%s\"", in->vsym);
	sb_printf(b, ",\"ts\":\"%lld\",\"seqId\":%lld}]}", (long long)sim_wall_ms(), (long long)in->ox_seq);
}

static void
ticker(struct sb *b, struct sim_inst *in)
{
	const struct mkt_level *bb = mkt_at(&in->book, MKT_BID, 0), *ba = mkt_at(&in->book, MKT_ASK, 0);
	char last[32], lsz[32], ap[32], as[32], bp[32], bs[32], o[32], h[32], l[32], vol[32];

	ox_px(in, in->last_px, last);
	ox_qty(in, in->last_qty, lsz);
	ox_px(in, ba->px, ap);
	ox_qty(in, ba->qty, as);
	ox_px(in, bb->px, bp);
	ox_qty(in, bb->qty, bs);
	ox_px(in, in->open_px, o);
	ox_px(in, in->high_px, h);
	ox_px(in, in->low_px, l);
	ox_qty(in, in->vol_lots, vol);
	sb_reset(b);
	sb_printf(b, "{\"arg\":{\"channel\":\"tickers\",\"instId\":\"%s\"},\"data\":[{\"instType\":\"SPOT\","
	    "\"instId\":\"%s\",\"last\":\"%s\",\"lastSz\":\"%s\",\"askPx\":\"%s\",\"askSz\":\"%s\",\"bidPx\":\"%s\","
	    "\"bidSz\":\"%s\",\"open24h\":\"%s\",\"high24h\":\"%s\",\"low24h\":\"%s\",\"volCcy24h\":\"%.4f\","
	    "\"vol24h\":\"%s\",\"sodUtc0\":\"%s\",\"sodUtc8\":\"%s\",\"ts\":\"%lld\"}]}",
	    in->vsym, in->vsym, last, lsz, ap, as, bp, bs, o, h, l, in->vol_quote, vol, o, o, (long long)sim_wall_ms());
}

static void
candle(struct sb *b, struct sim_inst *in)
{
	char o[32], h[32], l[32], c[32], v[32];
	int closed = sim_wall_ms() >= in->k_start_ms + 60000;

	ox_px(in, in->k_o, o);
	ox_px(in, in->k_h, h);
	ox_px(in, in->k_l, l);
	ox_px(in, in->k_c, c);
	ox_qty(in, in->k_vol, v);
	sb_reset(b);
	sb_printf(b, "{\"arg\":{\"channel\":\"candle1m\",\"instId\":\"%s\"},\"data\":[[\"%lld\",\"%s\",\"%s\",\"%s\","
	    "\"%s\",\"%s\",\"%.4f\",\"%.4f\",\"%d\"]]}", in->vsym, (long long)in->k_start_ms, o, h, l, c, v,
	    in->k_quote, in->k_quote, closed);
}

void
ox_on_step(struct sim_inst *in)
{
	static struct sb b, side[2];
	struct mkt_book *bk = &in->book;
	int bbo_changed = 0;

	int want_books = emit_wanted(in, OK_BOOKS, 0);
	int64_t cpx = 0, cqty = 0;

	/* corrupt_level rides on an increment that goes out anyway (no extra seqId) */
	if (in->fq[0][FLT_CORRUPT_LEVEL] > 0 && want_books && window_changes(in) && !emit_corrupt_pick(in, &cpx, &cqty))
		cpx = 0;
	if (window_diff(in, side, want_books, cpx, cqty) > 0) {
		int64_t prev = in->ox_seq;
		in->ox_seq += 1 + (int64_t)(mkt_rand(bk) % 16);
		if (in->fq[0][FLT_OKX_SEQ_RESET] > 0) {
			/* Maintenance reset: seqId drops below prevSeqId, then counts on from there. */
			in->fq[0][FLT_OKX_SEQ_RESET]--;
			sim.st[SIM_OKX].faults_injected[FLT_OKX_SEQ_RESET]++;
			in->ox_seq = 1 + prev % 1000;
			log_info("fault applied", "kind=okx_seq_reset symbol=%s prev=%lld seq=%lld", in->sym,
			    (long long)prev, (long long)in->ox_seq);
		}
		if (want_books) {
			books_msg(&b, in, "update", side[1].p ? side[1].p : "", side[1].len, side[0].p ? side[0].p : "",
			    side[0].len, prev, in->ox_seq);
			emit_incr(in, 0, OK_BOOKS, b.p, b.len);
		} else {
			emit_incr_unheard(in, 0);
		}
		in->ox_last_pub_ms = sim_mono_ms();
	}

	/* books5 / bbo-tbt: pushed when their levels changed */
	int t5 = 0;
	for (int s = 0; s < 2; s++)
		for (int r = 0; r < 5; r++) {
			const struct mkt_level *l = mkt_at(bk, s, r);
			if (l->px != in->ox_top5[s][r][0] || l->qty != in->ox_top5[s][r][1]) {
				t5 = 1;
				if (r == 0)
					bbo_changed = 1;
				in->ox_top5[s][r][0] = l->px;
				in->ox_top5[s][r][1] = l->qty;
			}
		}
	if (t5 && emit_wanted(in, OK_BOOKS5, 0)) {
		small_book(&b, in, "books5", 5, 1);
		emit_broadcast(in, OK_BOOKS5, 0, b.p, b.len, EMIT_NORMAL);
	}
	if (bbo_changed && emit_wanted(in, OK_BBO, 0)) {
		small_book(&b, in, "bbo-tbt", 1, 0);
		emit_broadcast(in, OK_BBO, 0, b.p, b.len, EMIT_NORMAL);
	}

	for (int i = 0; i < bk->nfill; i++) {
		const struct mkt_fill *f = &bk->fill[i];
		int64_t first = in->ox_trade_id + 1;
		in->ox_trade_id += f->makers;
		sim_note_trade(in, f->px, f->qty, f->taker_buy, first, in->ox_trade_id);
		if (emit_wanted(in, OK_TRADES, 0)) {
			char p[32], q[32];
			ox_px(in, f->px, p);
			ox_qty(in, f->qty, q);
			sb_reset(&b);
			sb_printf(&b, "{\"arg\":{\"channel\":\"trades\",\"instId\":\"%s\"},\"data\":[{\"instId\":\"%s\","
			    "\"tradeId\":\"%lld\",\"px\":\"%s\",\"sz\":\"%s\",\"side\":\"%s\",\"ts\":\"%lld\",\"count\":\"%d\","
			    "\"source\":\"0\",\"seqId\":%lld}]}", in->vsym, in->vsym, (long long)in->ox_trade_id, p, q,
			    f->taker_buy ? "buy" : "sell", (long long)sim_wall_ms(), f->makers, (long long)in->ox_seq);
			emit_broadcast(in, OK_TRADES, 0, b.p, b.len, EMIT_NORMAL);
		}
	}
	if ((bk->nfill > 0 || bbo_changed) && in->last_px && emit_wanted(in, OK_TICKERS, 0)) {
		ticker(&b, in);
		emit_broadcast(in, OK_TICKERS, 0, b.p, b.len, EMIT_NORMAL);
	}
	ox_market_step(in, &b);
	if (bk->step % 5 == 0) {
		if (in->k_o && emit_wanted(in, OK_CANDLE1M, 0)) {
			candle(&b, in);
			emit_broadcast(in, OK_CANDLE1M, 0, b.p, b.len, EMIT_NORMAL);
		}
		sim_kline_roll(in);
	}
}

void
ox_housekeeping(void)
{
	static struct sb b;
	int64_t now = sim_mono_ms(), quiet = sim_scaled_ms(60000);

	for (int i = 0; i < sim.ninst; i++) {
		struct sim_inst *in = &sim.inst[i];
		if (in->venue != SIM_OKX || now - in->ox_last_pub_ms < quiet)
			continue;
		/* No change for ~60 s: an empty update with prevSeqId == seqId. */
		in->ox_last_pub_ms = now;
		if (!emit_wanted(in, OK_BOOKS, 0))
			continue;
		books_msg(&b, in, "update", "", 0, "", 0, in->ox_seq, in->ox_seq);
		emit_broadcast(in, OK_BOOKS, 0, b.p, b.len, EMIT_NORMAL);
		sim.st[SIM_OKX].heartbeats_sent++;
	}
}

/* ---- REST ---- */

static void
ox_answer(struct sim_conn *c, int status, const char *body, size_t len, int delay_ms)
{
	if (status == 429)
		sim.st[SIM_OKX].http_429++;
	else if (status == 418)
		sim.st[SIM_OKX].http_418++;
	else if (status >= 500)
		sim.st[SIM_OKX].http_5xx++;
	else if (status >= 400)
		sim.st[SIM_OKX].http_4xx++;
	http_respond(c, status, NULL, body, len, delay_ms);
}

static void
ox_error(struct sim_conn *c, int status, const char *code, const char *msg, int delay_ms)
{
	struct sb b;

	sb_init(&b);
	sb_printf(&b, "{\"code\":\"%s\",\"msg\":", code);
	sb_addjs(&b, msg);
	sb_adds(&b, ",\"data\":[]}");
	ox_answer(c, status, b.p, b.len, delay_ms);
	sb_free(&b);
}

/* Fixed 2 s windows (scaled) per endpoint; 1 if refused. */
static int
limited(struct sim_conn *c, int which, int limit, int delay_ms)
{
	int64_t idx = (sim_mono_ms() - sim.start_ms) / sim_scaled_ms(2000);

	if (idx != sim.ox_win_idx[which]) {
		sim.ox_win_idx[which] = idx;
		sim.ox_win_n[which] = 0;
	}
	if (++sim.ox_win_n[which] > limit) {
		ox_error(c, 429, "50011", "Too Many Requests", delay_ms);
		return 1;
	}
	return 0;
}

static int
inst_param(struct sim_conn *c, const char *query, int delay_ms)
{
	char v[64];
	int i;

	if (!route_qget(query, "instId", v, sizeof v) || !*v) {
		ox_error(c, 400, "50014", "Parameter instId can not be empty.", delay_ms);
		return -1;
	}
	i = sim_find_inst(SIM_OKX, v);
	if (i < 0 || strcmp(sim.inst[i].vsym, v) != 0) {
		ox_error(c, 400, "51001", "Instrument ID does not exist.", delay_ms);
		return -1;
	}
	return i;
}

static int
sz_param(struct sim_conn *c, const char *query, int max, int delay_ms)
{
	char v[32], *end;
	long sz = 1;

	if (route_qget(query, "sz", v, sizeof v) && *v) {
		sz = strtol(v, &end, 10);
		if (*end || sz < 1 || sz > max) {
			ox_error(c, 400, "51000", "Parameter sz error", delay_ms);
			return -1;
		}
	}
	return (int)sz;
}

static void
rest_books(struct sim_conn *c, const char *query, int full, int delay_ms)
{
	int i, sz;
	struct sb b;

	if (limited(c, full ? 1 : 0, full ? 10 : 40, delay_ms))
		return;
	if ((i = inst_param(c, query, delay_ms)) < 0 || (sz = sz_param(c, query, full ? 5000 : 400, delay_ms)) < 0)
		return;
	struct sim_inst *in = &sim.inst[i];
	sb_init(&b);
	sb_reserve(&b, (size_t)sz * 80);
	sb_adds(&b, "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"asks\":[");
	for (int side = 1; side >= 0; side--) {
		for (int r = 0; r < sz; r++) {
			const struct mkt_level *l;
			if (full)
				l = mkt_at(&in->book, side, r);
			else
				l = r < in->ox_nwin[side] ? &in->ox_win[side][r] : NULL;
			if (l == NULL)
				break;
			if (r)
				sb_addc(&b, ',');
			add_level(&b, in, l->px, l->qty, full);
		}
		sb_adds(&b, side == 1 ? "],\"bids\":[" : "]");
	}
	if (full)
		sb_printf(&b, ",\"ts\":\"%lld\"}]}", (long long)sim_wall_ms());
	else
		sb_printf(&b, ",\"ts\":\"%lld\",\"seqId\":%lld}]}", (long long)sim_wall_ms(), (long long)in->ox_seq);
	ox_answer(c, 200, b.p, b.len, delay_ms);
	sb_free(&b);
}

void
ox_contract_of(const struct sim_inst *in, struct ox_contract *ct)
{
	char quote[16];
	int btc = strcmp(in->base, "BTC") == 0, eth = strcmp(in->base, "ETH") == 0;

	snprintf(quote, sizeof quote, "%.*s", (int)strcspn(in->quote, "-"), in->quote);
	ct->inverse = strcmp(quote, "USD") == 0;
	snprintf(ct->ct_val, sizeof ct->ct_val, "%s", ct->inverse ? (btc ? "100" : "10") : (btc ? "0.01" : eth ? "0.1" : "1"));
	snprintf(ct->ct_ccy, sizeof ct->ct_ccy, "%s", ct->inverse ? "USD" : in->base);
	snprintf(ct->settle, sizeof ct->settle, "%s", ct->inverse ? in->base : quote);
}

/* The contract fields of an instruments entry ("" for spot). */
static void
contract_fields(const struct sim_inst *in, char *uly, size_t ucap, char *out, size_t cap)
{
	struct ox_contract ct;

	if (!instid_is_derivative(in->vsym)) {
		snprintf(out, cap, "\"settleCcy\":\"\",\"ctVal\":\"\",\"ctMult\":\"\",\"ctValCcy\":\"\",\"ctType\":\"\"");
		return;
	}
	instid_underlying(in->vsym, uly, ucap);
	ox_contract_of(in, &ct);
	snprintf(out, cap, "\"settleCcy\":\"%s\",\"ctVal\":\"%s\",\"ctMult\":\"1\",\"ctValCcy\":\"%s\",\"ctType\":\"%s\"",
	    ct.settle, ct.ct_val, ct.ct_ccy, ct.inverse ? "inverse" : "linear");
}

/* A dated instrument's expiry ("BTC-USD-261225" and options: the third
 * segment, YYMMDD, at 08:00 UTC, when OKX delivers) in ms into out; "" for
 * others.  Clients name the contract by it (ccxt: BTC/USD:BTC-261225). */
static void
exp_time(const char *id, char *out, size_t cap)
{
	const char *d = strchr(id, '-');
	int64_t ms;

	out[0] = 0;
	if (!instid_is_derivative(id) || instid_is_swap(id) || !d || !(d = strchr(d + 1, '-')) ||
	    (ms = dv_expiry_ms(d + 1, strcspn(d + 1, "-"))) < 0)
		return;
	snprintf(out, cap, "%lld", (long long)ms);
}

static void
instruments(struct sim_conn *c, const char *query, int delay_ms)
{
	char type[32], id[64];
	struct sb b;
	int first = 1, have_id;

	if (limited(c, 2, 20, delay_ms))
		return;
	if (!route_qget(query, "instType", type, sizeof type) || !*type) {
		ox_error(c, 400, "50014", "Parameter instType can not be empty.", delay_ms);
		return;
	}
	/* The venue's instrument kinds; a kind the simulated market has none of
	 * answers an empty list, as the venue would (ccxt's loadMarkets asks
	 * for all of them). */
	if (strcmp(type, "SPOT") != 0 && strcmp(type, "MARGIN") != 0 && strcmp(type, "SWAP") != 0 &&
	    strcmp(type, "FUTURES") != 0 && strcmp(type, "OPTION") != 0) {
		ox_error(c, 400, "51000", "Parameter instType error", delay_ms);
		return;
	}
	if (strcmp(type, "OPTION") == 0 && !route_qget(query, "uly", id, sizeof id) &&
	    !route_qget(query, "instFamily", id, sizeof id)) {
		ox_error(c, 400, "50014", "Parameter instFamily can not be empty.", delay_ms);
		return;
	}
	have_id = route_qget(query, "instId", id, sizeof id) != NULL;
	sb_init(&b);
	sb_adds(&b, "{\"code\":\"0\",\"msg\":\"\",\"data\":[");
	for (int i = 0; i < sim.ninst; i++) {
		struct sim_inst *in = &sim.inst[i];
		char tick[32], lot[32], minsz[32], uly[32] = "", ct[128] = "", exp[24];
		if (in->venue != SIM_OKX || strcmp(instid_type(in->vsym), type) != 0 ||
		    (have_id && strcmp(id, in->vsym) != 0))
			continue;
		sb_fmt_e8(in->tick_e8, 1, tick);
		sb_fmt_e8(in->lot_e8, 1, lot);
		sb_fmt_e8(in->min_qty_e8, 1, minsz);
		contract_fields(in, uly, sizeof uly, ct, sizeof ct);
		exp_time(in->vsym, exp, sizeof exp);
		if (!first)
			sb_addc(&b, ',');
		first = 0;
		sb_printf(&b, "{\"instType\":\"%s\",\"instId\":\"%s\",\"instIdCode\":%d,\"uly\":\"%s\",\"instFamily\":\"%s\","
		    "\"baseCcy\":\"%s\",\"quoteCcy\":\"%s\",%s,"
		    "\"optType\":\"\",\"stk\":\"\",\"listTime\":\"1548133413000\",\"expTime\":\"%s\",\"lever\":\"10\","
		    "\"tickSz\":\"%s\",\"lotSz\":\"%s\",\"minSz\":\"%s\",\"alias\":\"\",\"state\":\"live\","
		    "\"ruleType\":\"normal\",\"maxLmtSz\":\"9999999999\",\"maxMktSz\":\"1000000\","
		    "\"maxLmtAmt\":\"20000000\",\"maxMktAmt\":\"1000000\",\"maxTwapSz\":\"9999999999\","
		    "\"maxIcebergSz\":\"9999999999\",\"maxTriggerSz\":\"9999999999\",\"maxStopSz\":\"1000000\"}",
		    type, in->vsym, 10000 + i, uly, uly, instid_is_derivative(in->vsym) ? "" : in->base,
		    instid_is_derivative(in->vsym) ? "" : in->quote, ct, exp, tick, lot, minsz);
	}
	sb_adds(&b, "]}");
	ox_answer(c, 200, b.p, b.len, delay_ms);
	sb_free(&b);
}

void
ox_rest(struct sim_conn *c, const char *method, const char *path, const char *query, int delay_ms)
{
	if (strcmp(method, "GET") != 0)
		ox_error(c, 405, "50000", "Method not allowed on this simulated endpoint.", delay_ms);
	else if (strcmp(path, "/api/v5/market/books") == 0)
		rest_books(c, query, 0, delay_ms);
	else if (strcmp(path, "/api/v5/market/books-full") == 0)
		rest_books(c, query, 1, delay_ms);
	else if (strcmp(path, "/api/v5/public/instruments") == 0)
		instruments(c, query, delay_ms);
	else if (strcmp(path, "/api/v5/public/time") == 0) {
		char b[96];
		int n = snprintf(b, sizeof b, "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"ts\":\"%lld\"}]}",
		    (long long)sim_wall_ms());
		ox_answer(c, 200, b, (size_t)n, delay_ms);
	} else
		ox_error(c, 404, "50000", "Unknown endpoint (mpsim serves market/books, market/books-full, "
		    "public/instruments, public/time).", delay_ms);
}

/* ---- WebSocket ---- */

int
ox_ws_open(struct sim_conn *c, const char *path, const char *query, struct sb *why)
{
	(void)query;
	if (strcmp(path, "/ws/v5/public") == 0)
		c->ws_kind = WS_OKX_PUBLIC;
	else if (strcmp(path, "/ws/v5/business") == 0)
		c->ws_kind = WS_OKX_BUSINESS;
	else {
		sb_adds(why, "{\"code\":\"60018\",\"msg\":\"Wrong URL: use /ws/v5/public or /ws/v5/business\"}");
		return 404;
	}
	return 0;
}

static void
event_error(struct sim_conn *c, const char *id, const char *code, const char *msg)
{
	struct sb b;

	sim.st[SIM_OKX].subscribe_errors++;
	sb_init(&b);
	sb_adds(&b, "{");
	if (id) {
		sb_adds(&b, "\"id\":");
		sb_addjs(&b, id);
		sb_addc(&b, ',');
	}
	sb_printf(&b, "\"event\":\"error\",\"code\":\"%s\",\"msg\":", code);
	sb_addjs(&b, msg);
	sb_printf(&b, ",\"connId\":\"%s\"}", c->connid);
	ws_send_text(c, b.p, b.len);
	sb_free(&b);
}

static int
channel_kind(const char *ch, int *business)
{
	static const struct {
		const char *name;
		int kind, business;
	} t[] = {
		{"books", OK_BOOKS, 0}, {"books5", OK_BOOKS5, 0}, {"bbo-tbt", OK_BBO, 0},
		{"trades", OK_TRADES, 0}, {"tickers", OK_TICKERS, 0}, {"candle1m", OK_CANDLE1M, 1},
		{"funding-rate", OK_FUNDING, 0}, {"open-interest", OK_OI, 0}, {"mark-price", OK_MARK, 0},
		{"index-tickers", OK_INDEX, 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(ch, t[i].name) == 0) {
			*business = t[i].business;
			return t[i].kind;
		}
	return -1;
}

static void
sub_arg(struct sim_conn *c, const char *id, json_t *arg, int subscribe)
{
	const char *ch = json_string_value(json_object_get(arg, "channel"));
	const char *iid = json_string_value(json_object_get(arg, "instId"));
	char msg[320];
	int business = 0, kind, inst;

	if (ch == NULL) {
		event_error(c, id, "60012", "Invalid request: channel is required");
		return;
	}
	kind = channel_kind(ch, &business);
	if (kind < 0 && (strcmp(ch, "books-l2-tbt") == 0 || strcmp(ch, "books50-l2-tbt") == 0)) {
		event_error(c, id, "64003", "Your trading fee tier doesn't meet the requirement to access this channel");
		return;
	}
	if (kind < 0 && strncmp(ch, "candle", 6) == 0 && c->ws_kind == WS_OKX_PUBLIC) {
		event_error(c, id, "64001", "This channel has been migrated to the '/business' URL. Please subscribe using the new URL.");
		return;
	}
	if (kind == OK_INDEX)   /* instId names an index: pushed for the first derivative on it */
		inst = iid ? ox_index_owner(iid) : -1;
	else
		inst = iid ? sim_find_inst(SIM_OKX, iid) : -1;
	/* derivative-only channels on a spot instId, funding on a non-swap: as OKX, 60018 */
	if (inst >= 0 && ((kind == OK_MARK || kind == OK_OI) && !ox_is_derivative(&sim.inst[inst])))
		inst = -1;
	if (inst >= 0 && kind == OK_FUNDING && !ox_is_swap(&sim.inst[inst]))
		inst = -1;
	if (kind < 0 || inst < 0 || (kind != OK_INDEX && strcmp(sim.inst[inst].vsym, iid) != 0)) {
		snprintf(msg, sizeof msg, "Wrong URL or channel:%.40s,instId:%.40s doesn't exist. Please use the correct URL, "
		    "channel and parameters referring to API document.", ch, iid ? iid : "");
		event_error(c, id, "60018", msg);
		return;
	}
	if (business && c->ws_kind == WS_OKX_PUBLIC) {
		event_error(c, id, "64001", "This channel has been migrated to the '/business' URL. Please subscribe using the new URL.");
		return;
	}
	if (!business && c->ws_kind == WS_OKX_BUSINESS) {
		event_error(c, id, "64002", "This channel is not supported by business URL. Please use \"/public\" URL.");
		return;
	}
	int found = -1;
	for (int i = 0; i < c->nsubs; i++)
		if (c->subs[i].inst == inst && c->subs[i].kind == kind)
			found = i;
	if (subscribe && found < 0) {
		if (c->nsubs == c->capsubs) {
			int cap = c->capsubs ? c->capsubs * 2 : 8;
			struct sim_sub *n = realloc(c->subs, (size_t)cap * sizeof *n);
			if (n == NULL) {
				event_error(c, id, "64007", "Internal error");
				return;
			}
			c->subs = n;
			c->capsubs = cap;
		}
		struct sim_sub *s = &c->subs[c->nsubs++];
		s->inst = inst;
		s->kind = kind;
		s->param = 0;
		snprintf(s->name, sizeof s->name, "%s", ch);
		sim.st[SIM_OKX].subscriptions++;
	} else if (!subscribe && found >= 0) {
		c->subs[found] = c->subs[--c->nsubs];
		sim.st[SIM_OKX].subscriptions--;
	}
	struct sb b;
	sb_init(&b);
	sb_adds(&b, "{");
	if (id) {
		sb_adds(&b, "\"id\":");
		sb_addjs(&b, id);
		sb_addc(&b, ',');
	}
	sb_printf(&b, "\"event\":\"%s\",\"arg\":{\"channel\":\"%s\",\"instId\":\"%s\"},\"connId\":\"%s\"}",
	    subscribe ? "subscribe" : "unsubscribe", ch, kind == OK_INDEX ? iid : sim.inst[inst].vsym, c->connid);
	ws_send_text(c, b.p, b.len);
	sb_free(&b);
	if (subscribe && kind == OK_BOOKS) {
		struct sim_inst *in = &sim.inst[inst];
		if (in->okx_nosnap != 0) {
			if (in->okx_nosnap > 0)
				in->okx_nosnap--;
			sim.st[SIM_OKX].faults_injected[FLT_OKX_NO_SNAPSHOT]++;
		} else {
			send_snapshot(c, in);
		}
	}
}

void
ox_ws_message(struct sim_conn *c, const char *data, size_t len)
{
	json_t *j, *args, *jid, *arg;
	const char *op, *id = NULL;
	char msg[300];
	size_t k;

	if (len == 4 && memcmp(data, "ping", 4) == 0) {
		ws_send_text(c, "pong", 4);
		return;
	}
	j = json_loadb(data, len, 0, NULL);
	if (!json_is_object(j)) {
		snprintf(msg, sizeof msg, "Invalid request: %.*s", (int)(len < 200 ? len : 200), data);
		event_error(c, NULL, "60012", msg);
		json_decref(j);
		return;
	}
	jid = json_object_get(j, "id");
	if (json_is_string(jid))
		id = json_string_value(jid);
	op = json_string_value(json_object_get(j, "op"));
	args = json_object_get(j, "args");
	sim.st[SIM_OKX].subscribe_requests++;
	if (op == NULL) {
		snprintf(msg, sizeof msg, "Invalid request: %.*s", (int)(len < 200 ? len : 200), data);
		event_error(c, id, "60012", msg);
	} else if (strcmp(op, "subscribe") == 0 || strcmp(op, "unsubscribe") == 0) {
		if (!json_is_array(args) || json_array_size(args) == 0) {
			snprintf(msg, sizeof msg, "Invalid request: %.*s", (int)(len < 200 ? len : 200), data);
			event_error(c, id, "60012", msg);
		} else {
			json_array_foreach(args, k, arg) {
				if (!json_is_object(arg)) {
					event_error(c, id, "60012", "Invalid request: args must be objects");
					continue;
				}
				sub_arg(c, id, arg, op[0] == 's');
			}
		}
	} else {
		snprintf(msg, sizeof msg, "Invalid op: op: %.60s", op);
		event_error(c, id, "60019", msg);
	}
	json_decref(j);
}

void
ox_upgrade_notice(struct sim_conn *c, int ms)
{
	char b[200];
	int n = snprintf(b, sizeof b, "{\"event\":\"notice\",\"code\":\"64008\",\"msg\":\"The connection will soon be "
	    "closed for a service upgrade. Please reconnect.\",\"connId\":\"%s\"}", c->connid);

	ws_send_text(c, b, (size_t)n);
	c->close_at = sim_mono_ms() + (ms > 0 ? ms : 1);
}

void
ox_fault_answer(struct sim_conn *c, int status, int retry_after_ms, int delay_ms)
{
	(void)retry_after_ms;
	if (status == 429)
		ox_error(c, 429, "50011", "Too Many Requests", delay_ms);
	else if (status == 418)
		ox_error(c, 418, "50011", "Rate limit reached. Please refer to API documentation and throttle requests "
		    "accordingly.", delay_ms);
	else
		ox_error(c, status, "50001", "Service temporarily unavailable. Please try again later.", delay_ms);
}
