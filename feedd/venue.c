/*
 * venue.c - the settings every venue shares (endpoints, channels) and the
 * choice of the venue's own operations (feedd/venue_<venue>.c) by exchange id.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "feedd.h"
#include "log.h"

/* The venues feedd can run, by exchange id (the venue table, venue.h). */
static const struct feed_venue *const ops[EX_END] = {
	[EX_BINANCE] = &feed_venue_binance,
	[EX_OKX] = &feed_venue_okx,
	[EX_BINANCE_USDM] = &feed_venue_binance_usdm,
	[EX_BINANCE_COINM] = &feed_venue_binance_coinm,
	[EX_BYBIT] = &feed_venue_bybit,
	[EX_DERIBIT] = &feed_venue_deribit,
};

const struct feed_venue *
venue_ops(int exch, char *err, size_t errlen)
{
	if (!venue_ready(exch, err, errlen))
		return NULL;
	if (!ops[exch]) {
		snprintf(err, errlen, "feedd has no code for venue %s", exch_name(exch));
		return NULL;
	}
	return ops[exch];
}

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
		else if (strcmp(v[i], "market") == 0)
			f->ch_market = 1;
		else {
			snprintf(err, errlen, "%s: [%s] channels: \"%s\" is not one of depth, trades, tickers, "
			    "klines, market",
			    cfg_origin(f->cfg, f->sect, "channels"), f->sect, v[i]);
			return -1;
		}
	}
	return 0;
}

void
venue_append(char *buf, size_t cap, const char *fmt, const char *a, const char *b)
{
	size_t n = strlen(buf);

	snprintf(buf + n, cap - n, fmt, a, b);
}

int
venue_setup(struct feed *f, char *err, size_t errlen)
{
	const char *ws = cfg_str(f->cfg, f->sect, "ws_url");
	const char *rest = cfg_str(f->cfg, f->sect, "rest_url");
	const char *kiv = cfg_str(f->cfg, f->sect, "kline_interval");
	int64_t depth = cfg_int(f->cfg, f->sect, "snapshot_depth");

	snprintf(f->ws_url, sizeof f->ws_url, "%s", *ws ? ws : f->venue->ws_url);
	snprintf(f->rest_url, sizeof f->rest_url, "%s", *rest ? rest : f->venue->rest_url);
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
	f->maxlinks = FEED_MAX_LINKS + f->ninst;
	f->link = calloc((size_t)f->maxlinks, sizeof *f->link);
	if (!f->link) {
		snprintf(err, errlen, "out of memory for %d links", f->maxlinks);
		return -1;
	}
	if (f->ops->setup(f, (uint32_t)depth, err, errlen) < 0)
		return -1;
	if (f->nlinks == 0) {
		snprintf(err, errlen, "[%s] channels: nothing to subscribe", f->sect);
		return -1;
	}
	for (int i = 0; i < f->nlinks; i++) {
		f->link[i].f = f;
		f->link[i].idx = i;
		f->link[i].depth_rx = calloc((size_t)f->reg.n + 1, sizeof *f->link[i].depth_rx);
		if (!f->link[i].depth_rx) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

struct link *
venue_link_add(struct feed *f, char *err, size_t errlen)
{
	if (f->nlinks >= f->maxlinks) {
		snprintf(err, errlen, "[instruments] %s: more than %d connections needed", f->ex, f->maxlinks);
		return NULL;
	}
	return &f->link[f->nlinks++];
}

void
venue_free(struct feed *f)
{
	for (int i = 0; f->link && i < f->nlinks; i++)
		free(f->link[i].depth_rx);
	free(f->link);
	f->link = NULL;
	f->nlinks = f->maxlinks = 0;
	free(f->link_of);
	f->link_of = NULL;
}

int
venue_link_carries(const struct link *l, uint32_t inst)
{
	const struct feed *f = l->f;
	const struct inst *in = inst_get(&f->reg, inst);

	return in && (!f->ops->carries || f->ops->carries(l, in));
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
