/*
 * venue_deribit.c - Deribit in feedd (feedd/README.md, "Deribit").
 *
 * One link on /ws/api/v2 carries every instrument.  Once it is open:
 * public/set_heartbeat (interval 10 s: the venue then sends test_request
 * heartbeats, which the parser answers with public/test through PN_REPLY),
 * then public/subscribe of book.{instrument}.100ms, trades.{instrument}.100ms
 * and ticker.{instrument}.100ms, at most DR_CH_PER_REQ channels a request.
 * (The raw interval needs an authorised connection on the real venue; both
 * carry change_id / prev_change_id.)  Keep-alive: public/test after
 * ping_interval of silence, whose answer (id DERIBIT_TEST_ID) is the pong.
 * A resync unsubscribes and subscribes the book again: Deribit sends a new
 * snapshot on every subscribe.  The klines channel is not carried (ignored
 * when listed).  REST public/get_order_book (depth up to
 * 10000) is there for a snapshot by hand; bookd does not ask for one.
 */
#include <stdio.h>
#include <string.h>

#include "deribit.h"
#include "feedd.h"
#include "log.h"

#define DR_CH_PER_REQ 32   /* channels in one public/subscribe request */
#define DR_MAX_DEPTH 10000 /* get_order_book depth limit */

/* The channels of one instrument; returns how many. */
static int
channels(const struct feed *f, const struct inst *in, char c[3][64])
{
	int n = 0;

	if (f->ch_depth)
		snprintf(c[n++], 64, "book.%s.100ms", in->venue_symbol);
	if (f->ch_trades)
		snprintf(c[n++], 64, "trades.%s.100ms", in->venue_symbol);
	if (f->ch_tickers || f->ch_market)
		snprintf(c[n++], 64, "ticker.%s.100ms", in->venue_symbol);
	return n;
}

static int
setup(struct feed *f, uint32_t depth, char *err, size_t errlen)
{
	static const char ping[] = "{\"jsonrpc\":\"2.0\",\"id\":9000,\"method\":\"public/test\",\"params\":{}}";
	struct link *l = &f->link[0];

	_Static_assert(DERIBIT_TEST_ID == 9000, "the keep-alive's id is the parser's pong id");
	(void)err;
	(void)errlen;
	if (f->ch_klines) {
		/* in the default channel list: not an error, but said once */
		log_info("deribit: klines are not carried (chart.trades is not subscribed)", "section=%s", f->sect);
		f->ch_klines = 0;
	}
	f->snap_depth = depth ? (depth > DR_MAX_DEPTH ? DR_MAX_DEPTH : depth) : 1000;
	l->kind = 0;
	l->name = "deribit";
	l->books = f->ch_depth;
	l->watch_silence = !f->ch_depth;
	l->text_ping = 1;
	l->ping_msg = ping;
	snprintf(l->path, sizeof l->path, "/ws/api/v2");
	f->nlinks = 1;
	return 0;
}

static void
send_channels(struct link *l, const char *method, char (*c)[64], int n, unsigned *id)
{
	char msg[DR_CH_PER_REQ * 70 + 128];
	int o = snprintf(msg, sizeof msg, "{\"jsonrpc\":\"2.0\",\"id\":%u,\"method\":\"%s\",\"params\":{\"channels\":[", (*id)++,
	    method);

	for (int k = 0; k < n; k++)
		o += snprintf(msg + o, sizeof msg - (size_t)o, "%s\"%s\"", k ? "," : "", c[k]);
	snprintf(msg + o, sizeof msg - (size_t)o, "]}}");
	ws_send(l, msg, strlen(msg));
}

static void
on_open(struct link *l, struct conn *c)
{
	static const char hb[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"public/set_heartbeat\",\"params\":{\"interval\":10}}";
	struct feed *f = l->f;
	char t[3][64], batch[DR_CH_PER_REQ][64];
	unsigned id = 2;
	int nb = 0;

	(void)c;
	ws_send(l, hb, strlen(hb));
	for (int i = 0; i < f->ninst; i++) {
		const struct inst *in = inst_get(&f->reg, f->inst_ids[i]);
		int n = channels(f, in, t);
		for (int k = 0; k < n; k++) {
			memcpy(batch[nb++], t[k], sizeof t[k]);
			if (nb == DR_CH_PER_REQ) {
				send_channels(l, "public/subscribe", batch, nb, &id);
				nb = 0;
			}
		}
	}
	if (nb)
		send_channels(l, "public/subscribe", batch, nb, &id);
}

static int
book_sub(struct feed *f, const struct inst *in, int subscribe, char *buf, size_t cap)
{
	(void)f;
	return snprintf(buf, cap, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"public/%s\",\"params\":{\"channels\":"
	    "[\"book.%s.100ms\"]}}", subscribe ? 3 : 4, subscribe ? "subscribe" : "unsubscribe", in->venue_symbol);
}

static int
rest_path(struct feed *f, enum rq_kind kind, const struct inst *in, uint32_t depth,
    char *buf, size_t cap, int64_t *weight, int *lane)
{
	*lane = 0;
	*weight = 1;
	if (kind != RQ_SNAPSHOT)
		return -1;
	if (depth == 0)
		depth = f->snap_depth;
	if (depth > DR_MAX_DEPTH)
		depth = DR_MAX_DEPTH;
	return snprintf(buf, cap, "/api/v2/public/get_order_book?instrument_name=%s&depth=%u", in->venue_symbol, depth);
}

static void
rest_budget(struct feed *f, struct rest *r)
{
	(void)f;
	/* public requests: 20 a second sustained per connection; half of it */
	r->nlanes = 1;
	r->lane[0].name = "public";
	budget_init(&r->lane[0].bud, 10, (int64_t)1000000000);
	r->info_done = 1;
}

const struct feed_venue feed_venue_deribit = {
	.setup = setup,
	.on_open = on_open,
	.book_sub = book_sub,
	.rest_path = rest_path,
	.rest_budget = rest_budget,
	.weight_limit = NULL,
	.server_weight = 0,
	.deep = 0,
	.carries = NULL,
};
