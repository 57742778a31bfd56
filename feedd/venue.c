/*
 * venue.c - what differs between Binance and OKX: endpoints, the links and
 * what they subscribe, REST paths and their weights, exchangeInfo limits.
 *
 * Binance: one link, the combined stream /stream?streams=<sym>@depth@100ms/
 *   <sym>@trade/<sym>@bookTicker/<sym>@kline_1m (subscribed by the URL, so a
 *   reconnect resubscribes by construction; the streams beyond what fits a
 *   URL by SUBSCRIBE once open, see BN_URL_MAX).  REST /api/v3/depth weight by
 *   limit: 1-100: 5, 101-500: 25, 501-1000: 50, 1001-5000: 250.
 * OKX: link /ws/v5/public (books, trades, tickers) and /ws/v5/business
 *   (candle1m), subscribed with {"op":"subscribe"} once open.  REST
 *   /api/v5/market/books (sz <= 400) and books-full (sz <= 5000), each with
 *   its own request-count limit (lanes 0 and 1).
 */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "feedd.h"
#include "log.h"

static int
url_ok(const char *u, const char *s1, const char *s2)
{
	return strncmp(u, s1, strlen(s1)) == 0 || strncmp(u, s2, strlen(s2)) == 0;
}

static void
trim_slash(char *s)
{
	size_t n = strlen(s);

	while (n && s[n - 1] == '/')
		s[--n] = 0;
}

static int
channels(struct feed *f, char *err, size_t errlen)
{
	const char *v[8];
	int n = cfg_list(f->cfg, f->sect, "channels", v, 8);

	for (int i = 0; i < n && i < 8; i++) {
		if (strcmp(v[i], "depth") == 0)
			f->ch_depth = 1;
		else if (strcmp(v[i], "trades") == 0)
			f->ch_trades = 1;
		else if (strcmp(v[i], "tickers") == 0)
			f->ch_tickers = 1;
		else if (strcmp(v[i], "klines") == 0)
			f->ch_klines = 1;
		else {
			snprintf(err, errlen, "%s: [%s] channels: \"%s\" is not one of depth, trades, tickers, klines",
			    cfg_origin(f->cfg, f->sect, "channels"), f->sect, v[i]);
			return -1;
		}
	}
	return 0;
}

/*
 * libwebsockets (4.1) writes the request line of the client handshake into a
 * 2048-byte buffer and cuts a longer path without a word, which the venue
 * then refuses (or worse, subscribes to a cut stream name).  So the URL
 * carries the streams that fit in BN_URL_MAX, and venue_on_open subscribes the
 * others with {"method":"SUBSCRIBE"} (Binance takes up to 1024 streams per
 * connection; a reconnect opens again, so it resubscribes by construction).
 */
#define BN_URL_MAX 1900
/* one SUBSCRIBE message: well inside the venue's frame limit, few messages
 * (Binance allows 5 incoming messages a second) */
#define BN_SUB_MAX 8000

/* The k-th stream of the link (instrument-major, then depth, trade,
 * bookTicker, kline), into buf; 0 when k is past the last one. */
static int
binance_stream(const struct feed *f, int k, char *buf, size_t cap)
{
	const char *kind[4];
	int nk = 0;
	char low[32];
	const struct inst *in;
	size_t j;

	if (f->ch_depth)
		kind[nk++] = "@depth@100ms";
	if (f->ch_trades)
		kind[nk++] = "@trade";
	if (f->ch_tickers)
		kind[nk++] = "@bookTicker";
	if (f->ch_klines)
		kind[nk++] = "@kline_";
	if (nk == 0 || k / nk >= f->ninst)
		return 0;
	in = inst_get(&f->reg, f->inst_ids[k / nk]);
	for (j = 0; in->venue_symbol[j] && j < sizeof low - 1; j++)
		low[j] = (char)tolower((unsigned char)in->venue_symbol[j]);
	low[j] = 0;
	snprintf(buf, cap, "%s%s%s", low, kind[k % nk], strcmp(kind[k % nk], "@kline_") == 0 ? f->kline_iv : "");
	return 1;
}

/* The URL takes streams 0 .. n-1; returns n. */
static int
binance_path(struct feed *f, struct link *l)
{
	char st[64];
	int k;

	snprintf(l->path, sizeof l->path, "/stream?streams=");
	for (k = 0; binance_stream(f, k, st, sizeof st); k++) {
		size_t n = strlen(l->path);
		if (n + 1 + strlen(st) >= BN_URL_MAX)
			break;
		snprintf(l->path + n, sizeof l->path - n, "%s%s", k ? "/" : "", st);
	}
	return k;
}

/* SUBSCRIBE the streams the URL had no room for. */
static void
binance_on_open(struct link *l)
{
	struct feed *f = l->f;
	char msg[BN_SUB_MAX + 128], st[64];
	int k = binance_path(f, l), n = 0, id = 1;
	size_t len = 0;

	for (;; k++) {
		int more = binance_stream(f, k, st, sizeof st);
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

int
venue_setup(struct feed *f, char *err, size_t errlen)
{
	const char *ws = cfg_str(f->cfg, f->sect, "ws_url");
	const char *rest = cfg_str(f->cfg, f->sect, "rest_url");
	const char *kiv = cfg_str(f->cfg, f->sect, "kline_interval");
	int64_t depth = cfg_int(f->cfg, f->sect, "snapshot_depth");
	struct link *l;

	snprintf(f->ws_url, sizeof f->ws_url, "%s", *ws ? ws :
	    f->exch == EX_BINANCE ? "wss://stream.binance.com:9443" : "wss://ws.okx.com:8443");
	snprintf(f->rest_url, sizeof f->rest_url, "%s", *rest ? rest :
	    f->exch == EX_BINANCE ? "https://api.binance.com" : "https://openapi.okx.com");
	trim_slash(f->ws_url);
	trim_slash(f->rest_url);
	if (!url_ok(f->ws_url, "ws://", "wss://")) {
		snprintf(err, errlen, "%s: [%s] ws_url \"%s\": expected ws://host[:port] or wss://host[:port]",
		    cfg_origin(f->cfg, f->sect, "ws_url"), f->sect, f->ws_url);
		return -1;
	}
	if (!url_ok(f->rest_url, "http://", "https://")) {
		snprintf(err, errlen, "%s: [%s] rest_url \"%s\": expected http(s)://host[:port]",
		    cfg_origin(f->cfg, f->sect, "rest_url"), f->sect, f->rest_url);
		return -1;
	}
	if (strlen(kiv) == 0 || strlen(kiv) > 4) {
		snprintf(err, errlen, "%s: [%s] kline_interval \"%s\": expected e.g. 1m",
		    cfg_origin(f->cfg, f->sect, "kline_interval"), f->sect, kiv);
		return -1;
	}
	snprintf(f->kline_iv, sizeof f->kline_iv, "%s", kiv);
	if (channels(f, err, errlen) < 0)
		return -1;
	if (f->exch == EX_BINANCE) {
		f->snap_depth = depth ? (uint32_t)depth : 5000;
		l = &f->link[f->nlinks++];
		l->kind = LK_BINANCE;
		l->name = "binance";
		l->books = f->ch_depth;
		if (binance_path(f, l) == 0) {
			snprintf(err, errlen, "[instruments] binance: no stream to subscribe");
			return -1;
		}
	} else {
		f->snap_depth = depth ? (uint32_t)(depth > 400 ? 400 : depth) : 400;
		if (f->ch_depth || f->ch_trades || f->ch_tickers) {
			l = &f->link[f->nlinks++];
			l->kind = LK_OKX_PUBLIC;
			l->name = "okx-public";
			l->books = f->ch_depth;
			snprintf(l->path, sizeof l->path, "/ws/v5/public");
		}
		if (f->ch_klines) {
			l = &f->link[f->nlinks++];
			l->kind = LK_OKX_BUSINESS;
			l->name = "okx-business";
			snprintf(l->path, sizeof l->path, "/ws/v5/business");
		}
	}
	if (f->nlinks == 0) {
		snprintf(err, errlen, "[%s] channels: nothing to subscribe", f->sect);
		return -1;
	}
	for (int i = 0; i < f->nlinks; i++) {
		f->link[i].f = f;
		f->link[i].idx = i;
	}
	return 0;
}

static void
okx_arg(char *buf, size_t cap, int *first, const char *channel, const char *inst)
{
	size_t n = strlen(buf);

	snprintf(buf + n, cap - n, "%s{\"channel\":\"%s\",\"instId\":\"%s\"}", *first ? "" : ",", channel, inst);
	*first = 0;
}

void
venue_on_open(struct link *l, struct conn *c)
{
	struct feed *f = l->f;
	char msg[16384], ch[24];
	int first = 1;

	(void)c;
	if (l->kind == LK_BINANCE) {
		binance_on_open(l);
		return;
	}
	snprintf(msg, sizeof msg, "{\"id\":\"sub%u\",\"op\":\"subscribe\",\"args\":[", (unsigned)(l->connects % 100000));
	for (int i = 0; i < f->ninst; i++) {
		const struct inst *in = inst_get(&f->reg, f->inst_ids[i]);
		if (l->kind == LK_OKX_PUBLIC) {
			if (f->ch_depth)
				okx_arg(msg, sizeof msg, &first, "books", in->venue_symbol);
			if (f->ch_trades)
				okx_arg(msg, sizeof msg, &first, "trades", in->venue_symbol);
			if (f->ch_tickers)
				okx_arg(msg, sizeof msg, &first, "tickers", in->venue_symbol);
		} else {
			snprintf(ch, sizeof ch, "candle%s", f->kline_iv);
			okx_arg(msg, sizeof msg, &first, ch, in->venue_symbol);
		}
	}
	strncat(msg, "]}", sizeof msg - strlen(msg) - 1);
	ws_send(l, msg, strlen(msg));
}

int
venue_book_sub(struct feed *f, const struct inst *in, int subscribe, char *buf, size_t cap)
{
	(void)f;
	return snprintf(buf, cap, "{\"op\":\"%s\",\"args\":[{\"channel\":\"books\",\"instId\":\"%s\"}]}",
	    subscribe ? "subscribe" : "unsubscribe", in->venue_symbol);
}

static int64_t
binance_weight(uint32_t limit)
{
	return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
}

int
venue_rest_path(struct feed *f, enum rq_kind kind, const struct inst *in, uint32_t depth,
    char *buf, size_t cap, int64_t *weight, int *lane)
{
	*lane = 0;
	*weight = 1;
	if (f->exch == EX_BINANCE) {
		if (kind == RQ_INFO) {
			*weight = 20;
			return snprintf(buf, cap, "/api/v3/exchangeInfo?symbol=%s", in->venue_symbol);
		}
		if (kind != RQ_SNAPSHOT)
			return -1;
		if (depth == 0 || depth > 5000)
			depth = depth ? 5000 : f->snap_depth;
		*weight = binance_weight(depth);
		return snprintf(buf, cap, "/api/v3/depth?symbol=%s&limit=%u", in->venue_symbol, depth);
	}
	if (kind == RQ_SNAPSHOT) {
		if (depth == 0 || depth > 400)
			depth = depth ? 400 : f->snap_depth;
		return snprintf(buf, cap, "/api/v5/market/books?instId=%s&sz=%u", in->venue_symbol, depth);
	}
	if (kind == RQ_DEEP) {
		*lane = 1;
		if (depth == 0 || depth > 5000)
			depth = f->deep_depth;
		return snprintf(buf, cap, "/api/v5/market/books-full?instId=%s&sz=%u", in->venue_symbol, depth);
	}
	return -1;
}

int64_t
venue_weight_limit(const char *body, size_t len)
{
	json_t *root = json_loadb(body, len, 0, NULL), *rl, *e;
	int64_t limit = 0;
	size_t i;

	if (!root)
		return 0;
	rl = json_object_get(root, "rateLimits");
	json_array_foreach(rl, i, e) {
		const char *t = json_string_value(json_object_get(e, "rateLimitType"));
		const char *iv = json_string_value(json_object_get(e, "interval"));
		json_int_t num = json_integer_value(json_object_get(e, "intervalNum"));
		json_int_t lim = json_integer_value(json_object_get(e, "limit"));
		if (t && iv && strcmp(t, "REQUEST_WEIGHT") == 0 && strcmp(iv, "MINUTE") == 0 && num == 1 && lim > 0)
			limit = lim;
	}
	json_decref(root);
	return limit;
}
