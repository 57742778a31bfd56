/*
 * venue_binance.c - Binance spot in feedd: one link, the combined stream
 * /stream?streams=<sym>@depth@100ms/<sym>@trade/<sym>@bookTicker/
 * <sym>@kline_1m (subscribed by the URL, so a reconnect resubscribes by
 * construction; the server pings, lws answers).  REST /api/v3/depth weight
 * by limit: 1-100: 5, 101-500: 25, 501-1000: 50, 1001-5000: 250; the limit
 * per minute comes from /api/v3/exchangeInfo (weight 20) unless configured.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "feedd.h"

#define BINANCE_LINK 1

static void
stream_path(struct feed *f, struct link *l)
{
	const char *sep = "";

	snprintf(l->path, sizeof l->path, "/stream?streams=");
	for (int i = 0; i < f->ninst; i++) {
		const struct inst *in = inst_get(&f->reg, f->inst_ids[i]);
		char low[32];
		size_t j;

		for (j = 0; in->venue_symbol[j] && j < sizeof low - 1; j++)
			low[j] = (char)tolower((unsigned char)in->venue_symbol[j]);
		low[j] = 0;
		if (f->ch_depth) {
			venue_append(l->path, sizeof l->path, "%s%s@depth@100ms", sep, low);
			sep = "/";
		}
		if (f->ch_trades) {
			venue_append(l->path, sizeof l->path, "%s%s@trade", sep, low);
			sep = "/";
		}
		if (f->ch_tickers) {
			venue_append(l->path, sizeof l->path, "%s%s@bookTicker", sep, low);
			sep = "/";
		}
		if (f->ch_klines) {
			venue_append(l->path, sizeof l->path, "%s%s@kline_", sep, low);
			venue_append(l->path, sizeof l->path, "%s%s", f->kline_iv, "");
			sep = "/";
		}
	}
}

static int
setup(struct feed *f, uint32_t depth, char *err, size_t errlen)
{
	struct link *l;

	f->snap_depth = depth ? depth : 5000;
	l = &f->link[f->nlinks++];
	l->kind = BINANCE_LINK;
	l->name = "binance";
	l->books = f->ch_depth;
	l->watch_silence = 1;
	stream_path(f, l);
	if (strlen(l->path) >= sizeof l->path - 1) {
		/* a cut stream list would subscribe to garbage */
		snprintf(err, errlen, "[instruments] binance: too many streams for one connection URL "
		    "(%d instruments)", f->ninst);
		return -1;
	}
	return 0;
}

static int64_t
weight(uint32_t limit)
{
	return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
}

static int
rest_path(struct feed *f, enum rq_kind kind, const struct inst *in, uint32_t depth,
    char *buf, size_t cap, int64_t *w, int *lane)
{
	*lane = 0;
	*w = 1;
	if (kind == RQ_INFO) {
		*w = 20;
		return snprintf(buf, cap, "/api/v3/exchangeInfo?symbol=%s", in->venue_symbol);
	}
	if (kind != RQ_SNAPSHOT)
		return -1;
	if (depth == 0 || depth > 5000)
		depth = depth ? 5000 : f->snap_depth;
	*w = weight(depth);
	return snprintf(buf, cap, "/api/v3/depth?symbol=%s&limit=%u", in->venue_symbol, depth);
}

static void
rest_budget(struct feed *f, struct rest *r)
{
	int64_t lim = cfg_int(f->cfg, f->sect, "weight_limit");
	int64_t win = cfg_dur_ns(f->cfg, f->sect, "weight_window");

	r->venue_limit = lim ? lim : 6000;
	r->nlanes = 1;
	r->lane[0].name = "weight";
	budget_init(&r->lane[0].bud, r->venue_limit * cfg_int(f->cfg, f->sect, "weight_budget_pct") / 100, win);
	r->info_done = lim != 0;
}

const struct feed_venue feed_venue_binance = {
	.setup = setup,
	.on_open = NULL,
	.book_sub = NULL,
	.rest_path = rest_path,
	.rest_budget = rest_budget,
	.weight_limit = venue_weight_limit,
	.server_weight = 1,
	.deep = 0,
};
