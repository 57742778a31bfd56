/*
 * venue_okx.c - OKX in feedd: link /ws/v5/public (books, trades, tickers, and
 * for derivative instIds the market channels of okx_market.h) and
 * /ws/v5/business (candle1m), subscribed with {"op":"subscribe"} once open,
 * kept alive with a text "ping" after silence.  REST /api/v5/market/books
 * (sz <= 400) and books-full (sz <= 5000), each with its own request-count
 * limit (lanes 0 and 1); /api/v5/public/instruments per instrument for its
 * rules (lane 2, feedd/meta.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feedd.h"
#include "log.h"
#include "instid.h"
#include "okx_market.h"

enum { OKX_PUBLIC = 1, OKX_BUSINESS = 2 };

static int
setup(struct feed *f, uint32_t depth, char *err, size_t errlen)
{
	struct link *l;
	int market = 0;

	(void)err;
	(void)errlen;
	f->snap_depth = depth ? (depth > 400 ? 400 : depth) : 400;
	f->ch_books5 = cfg_bool(f->cfg, f->sect, "okx_books5");
	f->ch_bbo_tbt = cfg_bool(f->cfg, f->sect, "okx_bbo_tbt");
	/* market data rides the public link, only for derivative instIds */
	for (int i = 0; f->ch_market && i < f->ninst; i++)
		market |= okx_market_channels(inst_get(&f->reg, f->inst_ids[i])) != 0;
	if (f->ch_depth || f->ch_trades || f->ch_tickers || market) {
		l = &f->link[f->nlinks++];
		l->kind = OKX_PUBLIC;
		l->name = "okx-public";
		l->books = f->ch_depth;
		l->text_ping = 1;
		snprintf(l->path, sizeof l->path, "/ws/v5/public");
	}
	if (f->ch_klines) {
		l = &f->link[f->nlinks++];
		l->kind = OKX_BUSINESS;
		l->name = "okx-business";
		l->text_ping = 1;
		snprintf(l->path, sizeof l->path, "/ws/v5/business");
	}
	return 0;
}

/*
 * The subscription, in messages of at most OKX_SUB_MAX bytes: OKX takes up
 * to 64 KB of channels a request and 480 requests an hour a connection, so
 * 16 KB messages (~350 channels) keep a thousand instruments to a dozen
 * messages a connect, and no channel is cut off a full buffer.
 */
#define OKX_SUB_MAX 16384

struct sub_msg {
	struct link *l;
	char buf[OKX_SUB_MAX + 64];
	size_t len;
	int n, sent;
};

static void
sub_flush(struct sub_msg *m)
{
	if (m->n == 0)
		return;
	m->len += (size_t)snprintf(m->buf + m->len, sizeof m->buf - m->len, "]}");
	if (ws_send(m->l, m->buf, m->len) < 0)
		log_warn("subscribe not sent", "exchange=okx link=%s channels=%d", m->l->name, m->n);
	m->sent++;
	m->n = 0;
	m->len = 0;
}

/* One {"channel":...,"instId":...} object (text of len bytes). */
static void
sub_obj(struct sub_msg *m, const char *obj, size_t len)
{
	if (m->n && m->len + len + 4 > OKX_SUB_MAX)
		sub_flush(m);
	if (m->n == 0)
		m->len = (size_t)snprintf(m->buf, sizeof m->buf, "{\"id\":\"sub%u-%d\",\"op\":\"subscribe\",\"args\":[",
		    (unsigned)(m->l->connects % 100000), m->sent);
	if (m->len + len + 4 > sizeof m->buf)
		return;   /* one object larger than a message: cannot be (names are < 24 bytes) */
	m->len += (size_t)snprintf(m->buf + m->len, sizeof m->buf - m->len, "%s%.*s", m->n ? "," : "", (int)len, obj);
	m->n++;
}

static void
arg(struct sub_msg *m, const char *channel, const char *inst)
{
	char obj[128];
	int n = snprintf(obj, sizeof obj, "{\"channel\":\"%s\",\"instId\":\"%s\"}", channel, inst);

	if (n > 0 && (size_t)n < sizeof obj)
		sub_obj(m, obj, (size_t)n);
}

static void
on_open(struct link *l, struct conn *c)
{
	struct feed *f = l->f;
	struct sub_msg *m = calloc(1, sizeof *m);
	char ch[24];

	(void)c;
	if (!m) {
		log_error("out of memory for the subscription", "exchange=okx link=%s", l->name);
		return;
	}
	m->l = l;
	for (int i = 0; i < f->ninst; i++) {
		const struct inst *in = inst_get(&f->reg, f->inst_ids[i]);
		if (l->kind == OKX_PUBLIC) {
			if (f->ch_depth)
				arg(m, "books", in->venue_symbol);
			/* the top-N audit (bookd/okx_audit.c) compares these with books */
			if (f->ch_depth && f->ch_books5)
				arg(m, "books5", in->venue_symbol);
			if (f->ch_depth && f->ch_bbo_tbt)
				arg(m, "bbo-tbt", in->venue_symbol);
			if (f->ch_trades)
				arg(m, "trades", in->venue_symbol);
			if (f->ch_tickers)
				arg(m, "tickers", in->venue_symbol);
		} else {
			snprintf(ch, sizeof ch, "candle%s", f->kline_iv);
			arg(m, ch, in->venue_symbol);
		}
	}
	if (l->kind == OKX_PUBLIC && f->ch_market) {
		/* the market channels as one list (one index subscription per
		 * underlying), then into messages object by object */
		size_t cap = (size_t)f->ninst * 512 + 64;
		char *all = malloc(cap);
		int first = 1;

		if (all) {
			all[0] = 0;
			if (okx_market_sub_args(&f->reg, f->inst_ids, f->ninst, all, cap, &first) < 0)
				log_error("okx market-data subscription does not fit; the channels that did not fit are "
				    "not subscribed", "instruments=%d", f->ninst);
			for (const char *p = all, *e; (p = strchr(p, '{')) && (e = strchr(p, '}')); p = e + 1)
				sub_obj(m, p, (size_t)(e - p + 1));
			free(all);
		} else {
			log_error("out of memory for the market-data subscription", "instruments=%d", f->ninst);
		}
	}
	sub_flush(m);
	free(m);
}

static int
book_sub(struct feed *f, const struct inst *in, int subscribe, char *buf, size_t cap)
{
	(void)f;
	return snprintf(buf, cap, "{\"op\":\"%s\",\"args\":[{\"channel\":\"books\",\"instId\":\"%s\"}]}",
	    subscribe ? "subscribe" : "unsubscribe", in->venue_symbol);
}

static int
rest_path(struct feed *f, enum rq_kind kind, const struct inst *in, uint32_t depth,
    char *buf, size_t cap, int64_t *weight, int *lane)
{
	*lane = 0;
	*weight = 1;
	if (kind == RQ_SNAPSHOT) {
		if (depth == 0 || depth > 400)
			depth = depth ? 400 : f->snap_depth;
		return snprintf(buf, cap, "/api/v5/market/books?instId=%s&sz=%u", in->venue_symbol, depth);
	}
	if (kind == RQ_META) {
		/* the instrument's rules (tickSz, lotSz, ctVal, ...): its own lane,
		 * the venue allows 20 requests per 2 s per instType */
		*lane = 2;
		return snprintf(buf, cap, "/api/v5/public/instruments?instType=%s&instId=%s", instid_type(in->venue_symbol),
		    in->venue_symbol);
	}
	if (kind == RQ_DEEP) {
		*lane = 1;
		if (depth == 0 || depth > 5000)
			depth = f->deep_depth;
		return snprintf(buf, cap, "/api/v5/market/books-full?instId=%s&sz=%u", in->venue_symbol, depth);
	}
	return -1;
}

static void
rest_budget(struct feed *f, struct rest *r)
{
	int64_t win = cfg_dur_ns(f->cfg, f->sect, "okx_rate_window");

	r->nlanes = 3;
	r->lane[0].name = "books";
	r->lane[1].name = "books-full";
	r->lane[2].name = "instruments";
	budget_init(&r->lane[0].bud, cfg_int(f->cfg, f->sect, "okx_books_rate"), win);
	budget_init(&r->lane[1].bud, cfg_int(f->cfg, f->sect, "okx_full_rate"), win);
	/* half the venue's 20 per 2 s: other clients of the IP ask too */
	budget_init(&r->lane[2].bud, 10, win);
	r->info_done = 1;
}

const struct feed_venue feed_venue_okx = {
	.setup = setup,
	.on_open = on_open,
	.book_sub = book_sub,
	.rest_path = rest_path,
	.rest_budget = rest_budget,
	.weight_limit = NULL,
	.server_weight = 0,
	.deep = 1,
};
