/*
 * venue_bybit.c - Bybit v5 in feedd (feedd/README.md, "Bybit v5").
 *
 * One link per market that has instruments (/v5/public/spot, /linear,
 * /inverse: common/bybit.h says which market a canonical name is on), and
 * more links of one market when its topics would pass Bybit's limit of
 * 21,000 characters of "args" on one public connection.  Subscriptions go
 * out once a connection is open, at most 10 args a request (the spot
 * limit; linear and inverse take more, 10 works everywhere).  Keep-alive:
 * {"op":"ping"} after ping_interval (20 s: Bybit's advice) of silence.
 * Books: orderbook.1000 (the book) and orderbook.1 (its BBO at the venue's
 * cross-depth seq, for bookd's check).  A resubscribe (book_sub) renews
 * orderbook.1000 only: orderbook.1 needs no continuity.
 * REST /v5/market/orderbook (limit <= 200 spot, <= 500 linear/inverse), one
 * lane within Bybit's public IP limit (600 requests per 5 s; we keep to half),
 * shared with /v5/market/instruments-info per instrument (feedd/meta.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bybit.h"
#include "feedd.h"

#define BY_ARGS_PER_CONN 21000   /* characters of args on one public connection */
#define BY_ARGS_PER_REQ 10       /* args in one subscribe request (spot's limit) */
#define BY_DEPTH 1000            /* orderbook depth, every market */
/* Bybit allows 500 new connections per 5 min per IP.  Every link of a feedd
 * reconnects after an outage at once, so the links are bounded at a tenth of
 * that: ten outages of all of them within 5 minutes stay inside the limit.
 * 50 links of 21,000 characters of args carry ~5,000 instruments with all
 * channels on (~200 characters each), ~37,000 with books only. */
#define BY_CONN_PER_5MIN 500
#define BY_MAX_LINKS (BY_CONN_PER_5MIN / 10)

/* A link's kind: market + BYBIT_NMARKETS * part. */
#define KIND(m, part) ((m) + BYBIT_NMARKETS * (part))
#define KIND_MARKET(k) ((k) % BYBIT_NMARKETS)
#define KIND_PART(k) ((k) / BYBIT_NMARKETS)

#define BY_TOPICS 6

/* The topics of one instrument, in subscription order; returns how many. */
static int
topics(const struct feed *f, const struct inst *in, char t[BY_TOPICS][64])
{
	int n = 0;

	if (f->ch_depth) {
		snprintf(t[n++], 64, "orderbook.%d.%s", BY_DEPTH, in->venue_symbol);
		/* the BBO check (bookd/okx_audit.h) compares these with the book at equal seq */
		if (f->ch_bbo1)
			snprintf(t[n++], 64, "orderbook.1.%s", in->venue_symbol);
	}
	if (f->ch_trades)
		snprintf(t[n++], 64, "publicTrade.%s", in->venue_symbol);
	if (f->ch_tickers)
		snprintf(t[n++], 64, "tickers.%s", in->venue_symbol);
	if (f->ch_klines)
		snprintf(t[n++], 64, "kline.%s.%s", f->kline_iv, in->venue_symbol);
	/* liquidations: derivatives only (funding, open interest and mark come with tickers) */
	if (f->ch_market && bybit_market_of(in->symbol) != BYBIT_SPOT)
		snprintf(t[n++], 64, "allLiquidation.%s", in->venue_symbol);
	return n;
}

/* Bybit's kline interval from ours ("1m" -> "1", "1h" -> "60", "1d" -> "D"). */
static int
kline_interval(const char *iv, char *out, size_t cap)
{
	static const struct { const char *ours, *theirs; } t[] = {
		{"1m", "1"}, {"3m", "3"}, {"5m", "5"}, {"15m", "15"}, {"30m", "30"}, {"1h", "60"},
		{"2h", "120"}, {"4h", "240"}, {"6h", "360"}, {"12h", "720"}, {"1d", "D"}, {"1w", "W"},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(t[i].ours, iv) == 0) {
			snprintf(out, cap, "%s", t[i].theirs);
			return 0;
		}
	return -1;
}

static int
carries(const struct link *l, const struct inst *in)
{
	return l->f->link_of && l->f->link_of[in->id] == l->idx;
}

/* The link of one (market, part), made when first needed. */
static int
link_of_kind(struct feed *f, int kind, char *err, size_t errlen)
{
	static const char ping[] = "{\"op\":\"ping\"}";
	struct link *l;

	for (int j = 0; j < f->nlinks; j++)
		if (f->link[j].kind == kind)
			return j;
	if (f->nlinks >= BY_MAX_LINKS) {
		snprintf(err, errlen, "[instruments] bybit: more than %d connections needed (%d characters of "
		    "subscription args each; Bybit allows %d new connections per 5 min per IP): fewer instruments, "
		    "or fewer [feedd.bybit] channels", BY_MAX_LINKS, BY_ARGS_PER_CONN, BY_CONN_PER_5MIN);
		return -1;
	}
	if (!(l = venue_link_add(f, err, errlen)))
		return -1;
	l->kind = kind;
	if (KIND_PART(kind))
		snprintf(l->name_buf, sizeof l->name_buf, "bybit-%s-%d", bybit_market_name(KIND_MARKET(kind)),
		    KIND_PART(kind) + 1);
	else
		snprintf(l->name_buf, sizeof l->name_buf, "bybit-%s", bybit_market_name(KIND_MARKET(kind)));
	l->name = l->name_buf;
	l->books = f->ch_depth;
	l->watch_silence = !f->ch_depth;
	l->text_ping = 1;
	l->ping_msg = ping;
	snprintf(l->path, sizeof l->path, "/v5/public/%s", bybit_market_name(KIND_MARKET(kind)));
	return f->nlinks - 1;
}

/*
 * Links: per market, the instruments in config order fill a connection up to
 * BY_ARGS_PER_CONN characters of args (quotes and commas counted), then the
 * next one.  One pass; each instrument's link is kept in f->link_of, so
 * carries() (asked per depth record) is a look-up.
 */
static int
setup(struct feed *f, uint32_t depth, char *err, size_t errlen)
{
	size_t used[BYBIT_NMARKETS] = {0};
	int part[BYBIT_NMARKETS] = {0};
	char iv[8], t[BY_TOPICS][64];

	f->snap_depth = depth ? depth : 200;
	f->ch_bbo1 = cfg_bool(f->cfg, f->sect, "bybit_bbo");
	if (f->ch_klines && kline_interval(f->kline_iv, iv, sizeof iv) < 0) {
		snprintf(err, errlen, "%s: [%s] kline_interval \"%s\": Bybit has 1m 3m 5m 15m 30m 1h 2h 4h 6h 12h 1d 1w",
		    cfg_origin(f->cfg, f->sect, "kline_interval"), f->sect, f->kline_iv);
		return -1;
	}
	if (f->ch_klines)
		snprintf(f->kline_iv, sizeof f->kline_iv, "%s", iv);
	if (!(f->link_of = malloc(((size_t)f->reg.n + 1) * sizeof *f->link_of))) {
		snprintf(err, errlen, "out of memory for %d instruments' links", f->reg.n);
		return -1;
	}
	for (int i = 0; i <= f->reg.n; i++)
		f->link_of[i] = -1;
	for (int i = 0; i < f->ninst; i++) {
		const struct inst *in = inst_get(&f->reg, f->inst_ids[i]);
		int m = (int)bybit_market_of(in->symbol), n = topics(f, in, t), j;
		size_t need = 0;

		for (int k = 0; k < n; k++)
			need += strlen(t[k]) + 3;   /* quotes and comma */
		if (used[m] && used[m] + need > BY_ARGS_PER_CONN) {
			part[m]++;
			used[m] = 0;
		}
		used[m] += need;
		if ((j = link_of_kind(f, KIND(m, part[m]), err, errlen)) < 0)
			return -1;
		f->link_of[in->id] = j;
	}
	return 0;
}

static void
send_args(struct link *l, const char *op, char (*args)[64], int n, unsigned *req)
{
	char msg[BY_ARGS_PER_REQ * 70 + 96];

	for (int i = 0; i < n; i += BY_ARGS_PER_REQ) {
		int o = snprintf(msg, sizeof msg, "{\"req_id\":\"%s%u\",\"op\":\"%s\",\"args\":[", op, (*req)++, op);
		for (int k = i; k < n && k < i + BY_ARGS_PER_REQ; k++)
			o += snprintf(msg + o, sizeof msg - (size_t)o, "%s\"%s\"", k > i ? "," : "", args[k]);
		snprintf(msg + o, sizeof msg - (size_t)o, "]}");
		ws_send(l, msg, strlen(msg));
	}
}

static void
on_open(struct link *l, struct conn *c)
{
	struct feed *f = l->f;
	char t[BY_TOPICS][64], batch[BY_ARGS_PER_REQ][64];
	unsigned req = 1;
	int nb = 0;

	(void)c;
	for (int i = 0; i < f->ninst; i++) {
		const struct inst *in = inst_get(&f->reg, f->inst_ids[i]);
		int n;
		if (!carries(l, in))
			continue;
		n = topics(f, in, t);
		for (int k = 0; k < n; k++) {
			memcpy(batch[nb++], t[k], sizeof t[k]);
			if (nb == BY_ARGS_PER_REQ) {
				send_args(l, "subscribe", batch, nb, &req);
				nb = 0;
			}
		}
	}
	if (nb)
		send_args(l, "subscribe", batch, nb, &req);
}

static int
book_sub(struct feed *f, const struct inst *in, int subscribe, char *buf, size_t cap)
{
	(void)f;
	return snprintf(buf, cap, "{\"op\":\"%s\",\"args\":[\"orderbook.%d.%s\"]}", subscribe ? "subscribe" : "unsubscribe",
	    BY_DEPTH, in->venue_symbol);
}

static int
rest_path(struct feed *f, enum rq_kind kind, const struct inst *in, uint32_t depth,
    char *buf, size_t cap, int64_t *weight, int *lane)
{
	enum bybit_market m = bybit_market_of(in->symbol);
	uint32_t max = m == BYBIT_SPOT ? 200 : 500;

	*lane = 0;
	*weight = 1;
	if (kind == RQ_META)
		return snprintf(buf, cap, "/v5/market/instruments-info?category=%s&symbol=%s", bybit_market_name(m),
		    in->venue_symbol);
	if (kind != RQ_SNAPSHOT)
		return -1;
	if (depth == 0)
		depth = f->snap_depth;
	if (depth > max)
		depth = max;
	return snprintf(buf, cap, "/v5/market/orderbook?category=%s&symbol=%s&limit=%u", bybit_market_name(m),
	    in->venue_symbol, depth);
}

static void
rest_budget(struct feed *f, struct rest *r)
{
	(void)f;
	r->nlanes = 1;
	r->lane[0].name = "ip";
	budget_init(&r->lane[0].bud, 300, (int64_t)5 * 1000000000);
	r->info_done = 1;
}

const struct feed_venue feed_venue_bybit = {
	.setup = setup,
	.on_open = on_open,
	.book_sub = book_sub,
	.rest_path = rest_path,
	.rest_budget = rest_budget,
	.weight_limit = NULL,
	.server_weight = 0,
	.deep = 0,
	.carries = carries,
};
