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

static void
arg(char *buf, size_t cap, int *first, const char *channel, const char *inst)
{
	size_t n = strlen(buf);

	snprintf(buf + n, cap - n, "%s{\"channel\":\"%s\",\"instId\":\"%s\"}", *first ? "" : ",", channel, inst);
	*first = 0;
}

static void
on_open(struct link *l, struct conn *c)
{
	struct feed *f = l->f;
	char msg[16384], ch[24];
	int first = 1;

	(void)c;
	snprintf(msg, sizeof msg, "{\"id\":\"sub%u\",\"op\":\"subscribe\",\"args\":[", (unsigned)(l->connects % 100000));
	for (int i = 0; i < f->ninst; i++) {
		const struct inst *in = inst_get(&f->reg, f->inst_ids[i]);
		if (l->kind == OKX_PUBLIC) {
			if (f->ch_depth)
				arg(msg, sizeof msg, &first, "books", in->venue_symbol);
			/* the top-N audit (bookd/okx_audit.c) compares these with books */
			if (f->ch_depth && f->ch_books5)
				arg(msg, sizeof msg, &first, "books5", in->venue_symbol);
			if (f->ch_depth && f->ch_bbo_tbt)
				arg(msg, sizeof msg, &first, "bbo-tbt", in->venue_symbol);
			if (f->ch_trades)
				arg(msg, sizeof msg, &first, "trades", in->venue_symbol);
			if (f->ch_tickers)
				arg(msg, sizeof msg, &first, "tickers", in->venue_symbol);
		} else {
			snprintf(ch, sizeof ch, "candle%s", f->kline_iv);
			arg(msg, sizeof msg, &first, ch, in->venue_symbol);
		}
	}
	if (l->kind == OKX_PUBLIC && f->ch_market &&
	    okx_market_sub_args(&f->reg, f->inst_ids, f->ninst, msg, sizeof msg - 3, &first) < 0)
		log_error("okx market-data subscription does not fit one message; the channels that did not "
		    "fit are not subscribed", "instruments=%d", f->ninst);
	strncat(msg, "]}", sizeof msg - strlen(msg) - 1);
	ws_send(l, msg, strlen(msg));
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
