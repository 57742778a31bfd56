/*
 * venue_binance.c - Binance in feedd, spot and (with other constants, the
 * struct binance_spec of each row) the USD-M and COIN-M futures: the
 * instruments spread over links of at most streams_per_link streams (the
 * venue takes 1024 a connection), an instrument's streams on one link, each
 * link the combined stream /stream?streams=<sym>@depth@100ms/<sym>@trade/
 * <sym>@bookTicker/<sym>@kline_1m (subscribed by the URL - the streams past
 * BN_URL_MAX by SUBSCRIBE once open - so a reconnect resubscribes by
 * construction; the server pings, lws answers).  A link's loss or silence
 * resyncs only the books it carries (carries()).
 * Spot REST /api/v3/depth weight by limit: 1-100: 5, 101-500: 25,
 * 501-1000: 50, 1001-5000: 250; the limit per minute comes from
 * /api/v3/exchangeInfo (weight 20) unless configured.
 * Futures (/fapi/v1, /dapi/v1): depth limits 5, 10, 20, 50, 100, 500, 1000
 * with weights 2, 2, 2, 2, 5, 10, 20; aggTrade for trades; exchangeInfo
 * (weight 1, no symbol filter); 2400 weight a minute by default.  With the
 * market channel they also subscribe <sym>@markPrice@1s (mark, index,
 * funding) and <sym>@forceOrder (liquidations), and open interest comes from
 * GET <api>/openInterest?symbol= (weight 1), a market request (RQ_MARKET)
 * that rest.c polls every market_poll_interval; the funding intervals from
 * GET <api>/fundingInfo (USD-M weight 0; COIN-M's documents none: 1), a
 * venue-wide one (RQ_VENUE_MARKET), at most once a minute.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "feedd.h"
#include "log.h"

#define BINANCE_LINK 1

/* What differs between Binance's markets. */
struct binance_spec {
	const char *api;             /* REST prefix "/api/v3" */
	const char *trade_stream;    /* "@trade" / "@aggTrade" */
	uint32_t max_depth;          /* largest depth limit */
	int futures;                 /* futures limits and weights (else spot's) */
	int64_t default_limit;       /* weight a minute before exchangeInfo says */
	int64_t info_weight;
	int info_by_symbol;          /* exchangeInfo?symbol= exists */
	int meta;                    /* RQ_META: the instrument's filters from exchangeInfo?symbol=
	                              * (the futures' exchangeInfo has the same filters, parsed
	                              * alike, but lists every symbol: not asked yet) */
	int market;                  /* derivatives: markPrice, forceOrder, openInterest, fundingInfo */
	int64_t funding_info_weight;
};

static const struct binance_spec *
spec(const struct feed *f)
{
	return f->ops->spec;
}

/*
 * libwebsockets (4.1) writes the request line of the client handshake into a
 * 2048-byte buffer and cuts a longer path without a word, which the venue
 * then refuses (or worse, subscribes to a cut stream name).  So the URL
 * carries the streams that fit in BN_URL_MAX, and on_open subscribes the
 * others with {"method":"SUBSCRIBE"} (Binance takes up to 1024 streams per
 * connection; a reconnect opens again, so it resubscribes by construction).
 */
#define BN_URL_MAX 1900
/* one SUBSCRIBE message: well inside the venue's frame limit, few messages
 * (Binance allows 5 incoming messages a second) */
#define BN_SUB_MAX 8000

/* The stream kinds of every instrument, in order; returns how many. */
static int
kinds(const struct feed *f, const char *kind[6])
{
	int nk = 0;

	if (f->ch_depth)
		kind[nk++] = "@depth@100ms";
	if (f->ch_trades)
		kind[nk++] = spec(f)->trade_stream;
	if (f->ch_tickers)
		kind[nk++] = "@bookTicker";
	if (f->ch_klines)
		kind[nk++] = "@kline_";
	if (f->ch_market && spec(f)->market) {
		kind[nk++] = "@markPrice@1s";
		kind[nk++] = "@forceOrder";
	}
	return nk;
}

/* Stream k of link l (instrument-major), in buf; 0 past the link's last. */
static int
stream_name(const struct feed *f, const struct link *l, int k, char *buf, size_t cap)
{
	const char *kind[6];
	int nk = kinds(f, kind);
	char low[32];
	const struct inst *in;
	size_t j;

	if (nk == 0 || k / nk >= l->count)
		return 0;
	in = inst_get(&f->reg, f->inst_ids[l->first + k / nk]);
	for (j = 0; in->venue_symbol[j] && j < sizeof low - 1; j++)
		low[j] = (char)tolower((unsigned char)in->venue_symbol[j]);
	low[j] = 0;
	snprintf(buf, cap, "%s%s%s", low, kind[k % nk], strcmp(kind[k % nk], "@kline_") == 0 ? f->kline_iv : "");
	return 1;
}

/* The URL takes streams 0 .. n-1 of the link; returns n. */
static int
stream_path(struct feed *f, struct link *l)
{
	char st[64];
	int k;

	snprintf(l->path, sizeof l->path, "/stream?streams=");
	for (k = 0; stream_name(f, l, k, st, sizeof st); k++) {
		size_t n = strlen(l->path);
		if (n + 1 + strlen(st) >= BN_URL_MAX)
			break;
		snprintf(l->path + n, sizeof l->path - n, "%s%s", k ? "/" : "", st);
	}
	return k;
}

/* SUBSCRIBE the streams the URL had no room for: at most streams_per_link
 * (1024) of ~30 bytes in BN_SUB_MAX messages is 4 messages, inside the
 * venue's 5 incoming messages a second per connection. */
static void
on_open(struct link *l, struct conn *c)
{
	struct feed *f = l->f;
	char msg[BN_SUB_MAX + 128], st[64];
	int k = stream_path(f, l), n = 0, id = 1;
	size_t len = 0;

	(void)c;
	for (;; k++) {
		int more = stream_name(f, l, k, st, sizeof st);
		if (n && (!more || len + strlen(st) + 8 > BN_SUB_MAX)) {
			len += (size_t)snprintf(msg + len, sizeof msg - len, "],\"id\":%d}", id++);
			if (ws_send(l, msg, len) < 0)
				log_warn("subscribe not sent", "exchange=%s link=%s streams=%d", f->ex, l->name, n);
			n = 0;
		}
		if (!more)
			break;
		if (n == 0)
			len = (size_t)snprintf(msg, sizeof msg, "{\"method\":\"SUBSCRIBE\",\"params\":[");
		len += (size_t)snprintf(msg + len, sizeof msg - len, "%s\"%s\"", n ? "," : "", st);
		n++;
	}
}

/* How many instruments one link takes: all their streams within
 * streams_per_link.  -1 with err when one instrument's streams do not fit. */
int
binance_per_link(int streams_per_link, int streams_per_inst, char *err, size_t errlen)
{
	if (streams_per_inst <= 0)
		return 1;
	if (streams_per_link < streams_per_inst) {
		snprintf(err, errlen, "streams_per_link = %d is less than the %d streams of one instrument "
		    "(its channels)", streams_per_link, streams_per_inst);
		return -1;
	}
	return streams_per_link / streams_per_inst;
}

static int
setup(struct feed *f, uint32_t depth, char *err, size_t errlen)
{
	const char *kind[6];
	char why[160];
	int per = binance_per_link((int)cfg_int(f->cfg, f->sect, "streams_per_link"), kinds(f, kind), why, sizeof why);

	f->snap_depth = depth ? (depth > spec(f)->max_depth ? spec(f)->max_depth : depth) : spec(f)->max_depth;
	if (per < 0) {
		snprintf(err, errlen, "%s: [%s] %s", cfg_origin(f->cfg, f->sect, "streams_per_link"), f->sect, why);
		return -1;
	}
	for (int first = 0; first < f->ninst; first += per) {
		struct link *l = venue_link_add(f, err, errlen);

		if (!l)
			return -1;
		l->kind = BINANCE_LINK;
		l->first = first;
		l->count = f->ninst - first < per ? f->ninst - first : per;
		if (first == 0 && l->count == f->ninst) {
			l->name = "binance";   /* one link: the name it always had */
		} else {
			snprintf(l->name_buf, sizeof l->name_buf, "binance-%d", first / per + 1);
			l->name = l->name_buf;
		}
		l->books = f->ch_depth;
		l->watch_silence = 1;
		stream_path(f, l);
	}
	return 0;
}

/* Link l carries the instruments inst_ids[first .. first+count); the ids
 * ascend (registry order), so a binary search: this runs per depth record. */
static int
carries(const struct link *l, const struct inst *in)
{
	const struct feed *f = l->f;
	int lo = l->first, hi = l->first + l->count;

	if (hi > f->ninst)
		hi = f->ninst;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (f->inst_ids[mid] == in->id)
			return 1;
		if (f->inst_ids[mid] < in->id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int64_t
weight(const struct binance_spec *sp, uint32_t *limit)
{
	if (sp->futures) {
		/* only these limits exist: the next one up */
		static const uint32_t lim[] = {5, 10, 20, 50, 100, 500, 1000};
		static const int64_t w[] = {2, 2, 2, 2, 5, 10, 20};
		size_t i = 0;

		while (i + 1 < sizeof lim / sizeof lim[0] && lim[i] < *limit)
			i++;
		*limit = lim[i];
		return w[i];
	}
	return *limit <= 100 ? 5 : *limit <= 500 ? 25 : *limit <= 1000 ? 50 : 250;
}

static int
rest_path(struct feed *f, enum rq_kind kind, const struct inst *in, uint32_t depth,
    char *buf, size_t cap, int64_t *w, int *lane)
{
	const struct binance_spec *sp = spec(f);

	*lane = 0;
	*w = 1;
	if (kind == RQ_INFO) {
		*w = sp->info_weight;
		if (!sp->info_by_symbol)
			return snprintf(buf, cap, "%s/exchangeInfo", sp->api);
		return snprintf(buf, cap, "%s/exchangeInfo?symbol=%s", sp->api, in->venue_symbol);
	}
	if (kind == RQ_META) {
		if (!sp->meta)
			return -1;
		*w = sp->info_weight;
		return snprintf(buf, cap, "%s/exchangeInfo?symbol=%s", sp->api, in->venue_symbol);
	}
	if (kind == RQ_MARKET && sp->market)
		return snprintf(buf, cap, "%s/openInterest?symbol=%s", sp->api, in->venue_symbol);
	if (kind == RQ_VENUE_MARKET && sp->market) {
		*w = sp->funding_info_weight;
		return snprintf(buf, cap, "%s/fundingInfo", sp->api);
	}
	if (kind != RQ_SNAPSHOT)
		return -1;
	if (depth == 0 || depth > sp->max_depth)
		depth = depth ? sp->max_depth : f->snap_depth;
	*w = weight(sp, &depth);
	return snprintf(buf, cap, "%s/depth?symbol=%s&limit=%u", sp->api, in->venue_symbol, depth);
}

static void
rest_budget(struct feed *f, struct rest *r)
{
	int64_t lim = cfg_int(f->cfg, f->sect, "weight_limit");
	int64_t win = cfg_dur_ns(f->cfg, f->sect, "weight_window");

	r->venue_limit = lim ? lim : spec(f)->default_limit;
	r->nlanes = 1;
	r->lane[0].name = "weight";
	budget_init(&r->lane[0].bud, r->venue_limit * cfg_int(f->cfg, f->sect, "weight_budget_pct") / 100, win);
	r->info_done = lim != 0;
}

static const struct binance_spec spot = {
	.api = "/api/v3", .trade_stream = "@trade", .max_depth = 5000, .futures = 0,
	.default_limit = 6000, .info_weight = 20, .info_by_symbol = 1, .meta = 1,
};
static const struct binance_spec usdm = {
	.api = "/fapi/v1", .trade_stream = "@aggTrade", .max_depth = 1000, .futures = 1,
	.default_limit = 2400, .info_weight = 1, .info_by_symbol = 0, .market = 1, .funding_info_weight = 0,
};
static const struct binance_spec coinm = {
	.api = "/dapi/v1", .trade_stream = "@aggTrade", .max_depth = 1000, .futures = 1,
	.default_limit = 2400, .info_weight = 1, .info_by_symbol = 0, .market = 1, .funding_info_weight = 1,
};

/* info_rules: the futures' exchangeInfo (asked for the weight limit) lists
 * every symbol's filters and contract size; spot's asks one symbol */
#define BINANCE_ROW(sp, rules) { \
	.setup = setup, .on_open = on_open, .book_sub = NULL, .rest_path = rest_path, \
	.rest_budget = rest_budget, .weight_limit = venue_weight_limit, .server_weight = 1, .deep = 0, \
	.spec = &(sp), .carries = carries, .info_rules = (rules), }

const struct feed_venue feed_venue_binance = BINANCE_ROW(spot, 0);
const struct feed_venue feed_venue_binance_usdm = BINANCE_ROW(usdm, 1);
const struct feed_venue feed_venue_binance_coinm = BINANCE_ROW(coinm, 1);
