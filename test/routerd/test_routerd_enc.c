/* test_routerd_enc - routerd's JSON encoders and routing table, no NATS. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "enc.h"
#include "route.h"
#include "t.h"

static struct inst_registry reg;
static const struct inst *bn, *ok;
static unsigned char buf[1 << 16];

static void
setup(void)
{
	char err[128];

	inst_reg_free(&reg);   /* empty again (static: set up more than once) */
	inst_add(&reg, EX_BINANCE, "BTC-USDT", err, sizeof err);
	inst_add(&reg, EX_OKX, "ETH-USDT", err, sizeof err);
	bn = inst_get(&reg, 1);
	ok = inst_get(&reg, 2);
}

/* A Binance delta: U=101 u=105, book id before = 100, two bid changes (one
 * removal), one ask change.  Times: exch 1.000 s, recv 1.002 s, book 1.003 s
 * after 2024-08-09T00:00:00Z. */
static struct rec_delta *
bn_delta(void)
{
	struct rec_delta *d = (struct rec_delta *)buf;
	int64_t t0 = 1723161600LL * 1000000000;

	memset(buf, 0, sizeof buf);
	rec_hdr_init(&d->h, REC_DELTA, bn->id, (uint32_t)rec_delta_size(2, 1));
	d->h.flags = REC_F_SYNCED;
	d->h.first_id = 101;
	d->h.last_id = 105;
	d->h.prev_id = 100;
	d->h.exch_ns = t0 + 1000000000;
	d->h.recv_ns = t0 + 1002000000;
	d->h.stage_ns[STAGE_BOOK] = t0 + 1003000500;
	d->n_bids = 2;
	d->n_asks = 1;
	d->book_bids = 5000;
	d->book_asks = 4999;
	d->best_bid_px = 6173763000000;   /* 61737.63 */
	d->best_bid_qty = 50000000;       /* 0.5 */
	d->best_ask_px = 6173764000000;
	d->best_ask_qty = 12345000;
	d->lv[0] = (struct rec_level){6173763000000, 50000000};
	d->lv[1] = (struct rec_level){6173700000000, 0};
	d->lv[2] = (struct rec_level){6173764000000, 12345000};
	return d;
}

static char *
encode(const struct rec_hdr *h, const struct inst *in, int body, int *valid)
{
	struct sbuf b = SBUF_INIT;
	struct route_msg m;

	memset(&m, 0, sizeof m);
	m.body = body;
	T_EQ_I(route_encode(h, in, &m, &b, valid), 0);
	return sbuf_take(&b);
}

static void
t_delta_golden(void)
{
	int valid = 0;
	char *s = encode(&bn_delta()->h, bn, RB_BOOK, &valid);

	T_EQ_S(s, "{\"exchange_name\":\"binance\",\"symbol_name\":\"BTC-USDT\",\"update_type\":\"update\","
	    "\"last_update_id\":105,\"first_update_id\":101,\"prev_update_id\":100,\"sequence_id\":null,"
	    "\"bids\":[{\"price\":\"61737.63000000\",\"quantity\":\"0.50000000\"}],"
	    "\"asks\":[{\"price\":\"61737.64000000\",\"quantity\":\"0.12345000\"}],\"depth_levels\":9999,"
	    "\"bid_changes\":[{\"price\":\"61737.63000000\",\"quantity\":\"0.50000000\"},"
	    "{\"price\":\"61737.00000000\",\"quantity\":\"0.00000000\"}],"
	    "\"ask_changes\":[{\"price\":\"61737.64000000\",\"quantity\":\"0.12345000\"}],"
	    "\"removed_bids\":[\"61737.00000000\"],\"removed_asks\":[],\"checksum\":null,\"is_valid\":true,"
	    "\"validation_errors\":[],\"timestamp\":\"2024-08-09T00:00:01.000000Z\","
	    "\"collected_at\":\"2024-08-09T00:00:01.002000Z\",\"processed_at\":\"2024-08-09T00:00:01.003000Z\"}");
	T_EQ_I(valid, 1);
	free(s);
}

static void
t_pure_delta_golden(void)
{
	char *s = encode(&bn_delta()->h, bn, RB_PURE_DELTA, NULL);

	T_EQ_S(s, "{\"exchange_name\":\"binance\",\"symbol_name\":\"BTC-USDT\",\"update_id\":105,"
	    "\"prev_update_id\":100,\"bid_updates\":[{\"price\":\"61737.63000000\",\"quantity\":\"0.50000000\"},"
	    "{\"price\":\"61737.00000000\",\"quantity\":\"0.00000000\"}],"
	    "\"ask_updates\":[{\"price\":\"61737.64000000\",\"quantity\":\"0.12345000\"}],"
	    "\"total_bid_changes\":2,\"total_ask_changes\":1,\"timestamp\":\"2024-08-09T00:00:01.000000Z\","
	    "\"collected_at\":\"2024-08-09T00:00:01.002000Z\"}");
	free(s);
}

static void
t_crossed_is_invalid(void)
{
	struct rec_delta *d = bn_delta();
	json_t *o;
	int valid = 1;
	char *s;

	d->best_ask_px = d->best_bid_px;   /* bid >= ask */
	s = encode(&d->h, bn, RB_BOOK, &valid);
	T_EQ_I(valid, 0);
	o = json_loads(s, 0, NULL);
	T_CHECK(o != NULL);
	T_CHECK(json_is_false(json_object_get(o, "is_valid")));
	T_EQ_I(json_array_size(json_object_get(o, "validation_errors")), 1);
	T_CHECK(strstr(json_string_value(json_array_get(json_object_get(o, "validation_errors"), 0)),
	    "crossed") != NULL);
	json_decref(o);
	free(s);
	/* bookd's own verdict counts too */
	d = bn_delta();
	d->h.flags |= REC_F_INVALID;
	s = encode(&d->h, bn, RB_BOOK, &valid);
	T_EQ_I(valid, 0);
	free(s);
}

static struct rec_snapshot *
okx_snap(int reason, uint32_t n)
{
	struct rec_snapshot *sn = (struct rec_snapshot *)buf;

	memset(buf, 0, sizeof buf);
	rec_hdr_init(&sn->h, REC_SNAPSHOT, ok->id, (uint32_t)rec_snapshot_size(n, n));
	sn->h.last_id = 987654;
	sn->h.recv_ns = 1723161600LL * 1000000000;
	sn->kind = SNAP_FULL;
	sn->reason = (uint8_t)reason;
	sn->nchunks = 1;
	sn->n_bids = sn->n_asks = n;
	sn->checksum = -12345;
	for (uint32_t i = 0; i < n; i++) {
		sn->lv[i] = (struct rec_level){(int64_t)(3000 - i) * 100000000 + 50000000, 100000000};
		sn->lv[n + i] = (struct rec_level){(int64_t)(3001 + i) * 100000000, 250000000};
	}
	return sn;
}

static void
t_snapshot_fields(void)
{
	char *s = encode(&okx_snap(SNAP_R_SYNC, 3)->h, ok, RB_BOOK, NULL);
	json_t *o = json_loads(s, 0, NULL), *bids;

	T_CHECK(o != NULL);
	T_EQ_S(json_string_value(json_object_get(o, "exchange_name")), "okx");
	T_EQ_S(json_string_value(json_object_get(o, "symbol_name")), "ETH-USDT");
	T_EQ_S(json_string_value(json_object_get(o, "update_type")), "snapshot");
	T_EQ_I(json_integer_value(json_object_get(o, "sequence_id")), 987654);
	T_EQ_I(json_integer_value(json_object_get(o, "last_update_id")), 987654);
	T_CHECK(json_is_null(json_object_get(o, "prev_update_id")));
	T_CHECK(json_is_null(json_object_get(o, "bid_changes")));
	T_EQ_I(json_integer_value(json_object_get(o, "checksum")), -12345);
	T_EQ_I(json_integer_value(json_object_get(o, "depth_levels")), 6);
	bids = json_object_get(o, "bids");
	T_EQ_I(json_array_size(bids), 3);
	/* OKX style: trimmed decimals, best first */
	T_EQ_S(json_string_value(json_object_get(json_array_get(bids, 0), "price")), "3000.5");
	T_EQ_S(json_string_value(json_object_get(json_array_get(bids, 2), "price")), "2998.5");
	T_EQ_S(json_string_value(json_object_get(json_array_get(json_object_get(o, "asks"), 0), "quantity")), "2.5");
	/* no exchange time: timestamp falls back to the receive time */
	T_EQ_S(json_string_value(json_object_get(o, "timestamp")), "2024-08-09T00:00:00.000000Z");
	json_decref(o);
	free(s);
	s = encode(&okx_snap(SNAP_R_PERIODIC, 1)->h, ok, RB_BOOK, NULL);
	T_CHECK(strstr(s, "\"update_type\":\"full_refresh\"") != NULL);
	free(s);
}

/* What is known (issue 10): the exact range, the exact levels counted from
 * the message's levels, deep_as_of, and checksum null when OKX sent 0. */
static void
t_snapshot_exact_golden(void)
{
	struct rec_snapshot *sn = okx_snap(SNAP_R_PERIODIC, 3);
	char *s;

	sn->checksum = 0;                                   /* OKX since June 2026 */
	sn->h.first_id = sn->h.prev_id = 987654;            /* whatever bookd set: not published */
	sn->h.stage_ns[STAGE_BOOK] = sn->h.recv_ns + 1000;
	sn->bid_floor_px = 299950000000;                    /* 2999.5: bids 3000.5 and 2999.5 exact */
	sn->ask_ceil_px = 0;                                /* no ask known exactly */
	sn->deep_refresh_ns = sn->h.recv_ns - 1500000000;   /* books-full 1.5 s before */
	s = encode(&sn->h, ok, RB_BOOK, NULL);
	T_EQ_S(s, "{\"exchange_name\":\"okx\",\"symbol_name\":\"ETH-USDT\",\"update_type\":\"full_refresh\","
	    "\"last_update_id\":987654,\"first_update_id\":null,\"prev_update_id\":null,\"sequence_id\":987654,"
	    "\"bids\":[{\"price\":\"3000.5\",\"quantity\":\"1\"},{\"price\":\"2999.5\",\"quantity\":\"1\"},"
	    "{\"price\":\"2998.5\",\"quantity\":\"1\"}],\"asks\":[{\"price\":\"3001\",\"quantity\":\"2.5\"},"
	    "{\"price\":\"3002\",\"quantity\":\"2.5\"},{\"price\":\"3003\",\"quantity\":\"2.5\"}],\"depth_levels\":6,"
	    "\"bid_changes\":null,\"ask_changes\":null,\"removed_bids\":null,\"removed_asks\":null,"
	    "\"checksum\":null,\"bid_exact_floor\":\"2999.5\",\"ask_exact_ceil\":null,"
	    "\"exact_levels\":{\"bids\":2,\"asks\":0},\"deep_as_of\":\"2024-08-08T23:59:58.500000Z\","
	    "\"is_valid\":true,\"validation_errors\":[],\"timestamp\":\"2024-08-09T00:00:00.000000Z\","
	    "\"collected_at\":\"2024-08-09T00:00:00.000000Z\",\"processed_at\":\"2024-08-09T00:00:00.000001Z\"}");
	free(s);
	/* both bounds beyond the message's levels (a top-N snapshot of an exact book) */
	sn = okx_snap(SNAP_R_PERIODIC, 3);
	sn->kind = SNAP_TOPN;
	sn->bid_floor_px = 100000000;
	sn->ask_ceil_px = 900000000000;
	s = encode(&sn->h, ok, RB_BOOK, NULL);
	T_CHECK(strstr(s, "\"checksum\":-12345,\"bid_exact_floor\":\"1\",\"ask_exact_ceil\":\"9000\","
	    "\"exact_levels\":{\"bids\":3,\"asks\":3},\"deep_as_of\":null,") != NULL);
	free(s);
	/* an update carries none of them; its checksum is null when 0 */
	s = encode(&bn_delta()->h, bn, RB_BOOK, NULL);
	T_CHECK(strstr(s, "exact") == NULL && strstr(s, "deep_as_of") == NULL);
	free(s);
}

static void
t_okx_delta_checksum_null_when_0(void)
{
	struct rec_delta *d = bn_delta();
	char *s;

	d->h.inst = ok->id;
	s = encode(&d->h, ok, RB_BOOK, NULL);
	T_CHECK(strstr(s, "\"checksum\":null,") != NULL);
	free(s);
	d->h.aux = (uint32_t)-1881014294;
	s = encode(&d->h, ok, RB_BOOK, NULL);
	T_CHECK(strstr(s, "\"checksum\":-1881014294,") != NULL);
	free(s);
}

/* validation_errors: "<check>: <values>" */
static void
t_validation_strings(void)
{
	struct rec_delta *d = bn_delta();
	char *s;

	d->best_ask_px = 6173762000000;
	s = encode(&d->h, bn, RB_BOOK, NULL);
	T_CHECK(strstr(s, "\"validation_errors\":[\"crossed: bid 61737.63000000 >= ask 61737.62000000\"]") != NULL);
	free(s);
	d = bn_delta();
	d->h.flags |= REC_F_INVALID | REC_F_Q_TS_SKEW | REC_F_Q_DEPTH;
	d->h.recv_ns = d->h.exch_ns + 12500000000LL;
	s = encode(&d->h, bn, RB_BOOK, NULL);
	T_CHECK(strstr(s, "\"is_valid\":false,\"validation_errors\":[\"ts_skew: exchange time "
	    "2024-08-09T00:00:01.000000Z, received 2024-08-09T00:00:13.500000Z (12500 ms apart)\","
	    "\"depth: exact levels below bookd's completeness threshold (book holds 5000 bid, 4999 ask)\"]") != NULL);
	free(s);
	d = bn_delta();
	d->h.flags |= REC_F_INVALID | REC_F_Q_TS_BACKWARDS;
	s = encode(&d->h, bn, RB_BOOK, NULL);
	T_CHECK(strstr(s, "[\"ts_backwards: exchange time 2024-08-09T00:00:01.000000Z is before the previous update's\"]"));
	free(s);
	d = bn_delta();
	d->h.flags |= REC_F_INVALID;
	s = encode(&d->h, bn, RB_BOOK, NULL);
	T_CHECK(strstr(s, "[\"quality: failed a check in bookd (see orderbook.event)\"]"));
	free(s);
}

/* A 5000-level book encodes to valid JSON below 1 MB (the server default). */
static void
t_full_5000_size(void)
{
	static unsigned char big[200000];
	struct rec_snapshot *sn = (struct rec_snapshot *)big;
	struct sbuf b = SBUF_INIT;
	struct route_msg m = {.body = RB_BOOK};
	json_t *o;

	rec_hdr_init(&sn->h, REC_SNAPSHOT, bn->id, (uint32_t)rec_snapshot_size(5000, 5000));
	sn->kind = SNAP_FULL;
	sn->nchunks = 1;
	sn->n_bids = sn->n_asks = 5000;
	for (uint32_t i = 0; i < 5000; i++) {
		sn->lv[i] = (struct rec_level){6173763000000 - (int64_t)i * 1000000, 123456789};
		sn->lv[5000 + i] = (struct rec_level){6173764000000 + (int64_t)i * 1000000, 987654321};
	}
	T_EQ_I(route_encode(&sn->h, bn, &m, &b, NULL), 0);
	T_CHECK(b.len < 1000000);
	T_CHECK(b.len > 5000 * 2 * 40);
	o = json_loadb(b.p, b.len, 0, NULL);
	T_CHECK(o != NULL);
	T_EQ_I(json_array_size(json_object_get(o, "asks")), 5000);
	json_decref(o);
	sbuf_free(&b);
}

static void
t_repeated_price_last_wins(void)
{
	struct rec_delta *d = bn_delta();
	char *s;

	/* set 61737.00 then remove it in the same update: both changes in
	 * order, and the price is removed in the end */
	d->lv[0] = (struct rec_level){6173700000000, 70000000};
	s = encode(&d->h, bn, RB_BOOK, NULL);
	T_CHECK(strstr(s, "\"bid_changes\":[{\"price\":\"61737.00000000\",\"quantity\":\"0.70000000\"},"
	    "{\"price\":\"61737.00000000\",\"quantity\":\"0.00000000\"}]") != NULL);
	T_CHECK(strstr(s, "\"removed_bids\":[\"61737.00000000\"]") != NULL);
	free(s);
	/* removed, then set again: not in removed_bids */
	d = bn_delta();
	d->lv[0] = (struct rec_level){6173700000000, 0};
	d->lv[1] = (struct rec_level){6173700000000, 70000000};
	s = encode(&d->h, bn, RB_BOOK, NULL);
	T_CHECK(strstr(s, "\"removed_bids\":[]") != NULL);
	free(s);
}

static void
t_route_table(void)
{
	struct route_opts o = {ROUTE_LEGACY_ALL, 1, 1};
	struct route_msg m[ROUTE_MAX_MSGS], m2[ROUTE_MAX_MSGS];
	struct rec_delta *d = bn_delta();
	char why[128];
	int n;

	n = route_plan(&d->h, bn, &o, m, why, sizeof why);
	T_EQ_I(n, 3);
	T_EQ_S(m[0].subject, "orderbook.delta.binance.btc-usdt");
	T_CHECK(strncmp(m[0].msg_id, "binance.btc-usdt.delta.105.", 27) == 0);
	T_EQ_S(m[1].subject, "orderbook.pure_delta.binance.btc-usdt");
	T_CHECK(strncmp(m[1].msg_id, "binance.btc-usdt.pure_delta.105.", 32) == 0);
	T_EQ_S(m[2].subject, "orderbook.update.binance.btc-usdt");
	T_CHECK(strncmp(m[2].msg_id, "binance.btc-usdt.update.delta.105.", 34) == 0);
	T_EQ_I(route_kind_stream(m[2].kind), RS_DELTA);
	/* the same record always gets the same ids (a re-publish is de-duplicated) */
	T_EQ_I(route_plan(&d->h, bn, &o, m2, why, sizeof why), 3);
	T_EQ_S(m2[0].msg_id, m[0].msg_id);
	/* the same update emitted again by bookd (a new epoch) is a new message */
	d->h.stage_ns[STAGE_BOOK] += 1000;
	route_plan(&d->h, bn, &o, m2, why, sizeof why);
	T_CHECK(strcmp(m2[0].msg_id, m[0].msg_id) != 0);

	/* no changes (OKX heartbeat): no pure delta, and a Msg-Id of its own */
	d->n_bids = d->n_asks = 0;
	d->h.len = (uint32_t)rec_delta_size(0, 0);
	d->h.prev_id = d->h.last_id;
	d->h.flags |= REC_F_HEARTBEAT;
	o.legacy = ROUTE_LEGACY_NONE;
	n = route_plan(&d->h, bn, &o, m2, why, sizeof why);
	T_EQ_I(n, 1);
	T_CHECK(strcmp(m2[0].msg_id, m[0].msg_id) != 0);

	/* full: orderbook.full (+ legacy copy); top-N off means nothing */
	o.legacy = ROUTE_LEGACY_ALL;
	n = route_plan(&okx_snap(SNAP_R_SYNC, 2)->h, ok, &o, m, why, sizeof why);
	T_EQ_I(n, 2);
	T_EQ_S(m[0].subject, "orderbook.full.okx.eth-usdt");
	T_EQ_I(route_kind_stream(m[0].kind), RS_FULL);
	T_EQ_S(m[1].subject, "orderbook.update.okx.eth-usdt");
	T_CHECK(strncmp(m[1].msg_id, "okx.eth-usdt.update.full.987654.", 32) == 0);
	o.legacy = ROUTE_LEGACY_DELTAS;
	T_EQ_I(route_plan(&okx_snap(SNAP_R_SYNC, 2)->h, ok, &o, m, why, sizeof why), 1);
	((struct rec_snapshot *)buf)->kind = SNAP_TOPN;
	o.topn = 0;
	T_EQ_I(route_plan(&((struct rec_snapshot *)buf)->h, ok, &o, m, why, sizeof why), 0);
	o.topn = 1;
	T_EQ_I(route_plan(&((struct rec_snapshot *)buf)->h, ok, &o, m, why, sizeof why), 1);
	T_EQ_S(m[0].subject, "orderbook.snapshot.okx.eth-usdt");
	/* a chunked snapshot is refused with a reason, not half-published */
	((struct rec_snapshot *)buf)->nchunks = 2;
	T_EQ_I(route_plan(&((struct rec_snapshot *)buf)->h, ok, &o, m, why, sizeof why), -1);
	T_CHECK(strstr(why, "chunk") != NULL);
}

static void
t_market_and_events(void)
{
	struct route_opts o = {ROUTE_LEGACY_ALL, 1, 1};
	struct route_msg m[ROUTE_MAX_MSGS];
	struct rec_kline k;
	struct rec_trade t;
	struct rec_event e;
	char why[128], *s;
	json_t *j;

	memset(&t, 0, sizeof t);
	rec_hdr_init(&t.h, REC_TRADE, bn->id, sizeof t);
	t.h.first_id = t.h.last_id = 3141592;
	t.px = 6173763000000;
	t.qty = 1000;
	t.side = SIDE_SELL;
	t.count = 1;
	T_EQ_I(route_plan(&t.h, bn, &o, m, why, sizeof why), 1);
	T_EQ_S(m[0].subject, "market.binance.btc-usdt.trade");
	T_EQ_S(m[0].msg_id, "binance.btc-usdt.trade.3141592");
	s = encode(&t.h, bn, RB_TRADE, NULL);
	T_CHECK(strstr(s, "\"trade_id\":\"3141592\",\"price\":\"61737.63000000\",\"quantity\":\"0.00001000\","
	    "\"side\":\"sell\"") != NULL);
	free(s);

	memset(&k, 0, sizeof k);
	rec_hdr_init(&k.h, REC_KLINE, ok->id, sizeof k);
	k.interval_s = 60;
	k.n_trades = -1;
	T_EQ_I(route_plan(&k.h, ok, &o, m, why, sizeof why), 1);
	T_EQ_S(m[0].subject, "market.okx.eth-usdt.kline.1m");
	s = encode(&k.h, ok, RB_KLINE, NULL);
	T_CHECK(strstr(s, "\"interval\":\"1m\"") && strstr(s, "\"trade_count\":null"));
	free(s);

	memset(&e, 0, sizeof e);
	rec_hdr_init(&e.h, REC_EVENT, 0, sizeof e);
	e.code = EV_DISCONNECTED;
	e.severity = SEV_ERROR;
	snprintf(e.text, sizeof e.text, "closed \"by\" peer\n");
	T_EQ_I(route_plan(&e.h, NULL, &o, m, why, sizeof why), 1);
	T_EQ_S(m[0].subject, "orderbook.event.all.all");
	s = encode(&e.h, NULL, RB_EVENT, NULL);
	j = json_loads(s, 0, NULL);
	T_CHECK(j != NULL);
	T_CHECK(json_is_null(json_object_get(j, "exchange_name")));
	T_EQ_S(json_string_value(json_object_get(j, "event")), "disconnected");
	T_EQ_S(json_string_value(json_object_get(j, "severity")), "error");
	T_EQ_S(json_string_value(json_object_get(j, "message")), "closed \"by\" peer\n");
	json_decref(j);
	free(s);

	/* issue 14 defect 8: a venue-wide event (a parse error of a frame that
	 * named no instrument) is routed and encoded with its venue */
	e.code = EV_PARSE_ERROR;
	e.severity = SEV_WARN;
	e.exch = EX_OKX;
	snprintf(e.text, sizeof e.text, "not JSON");
	T_EQ_I(route_plan(&e.h, NULL, &o, m, why, sizeof why), 1);
	T_EQ_S(m[0].subject, "orderbook.event.okx.all");
	T_CHECK(strncmp(m[0].msg_id, "okx.all.event.parse_error.", 26) == 0);
	s = encode(&e.h, NULL, RB_EVENT, NULL);
	j = json_loads(s, 0, NULL);
	T_CHECK(j != NULL);
	T_EQ_S(json_string_value(json_object_get(j, "exchange_name")), "okx");
	T_CHECK(json_is_null(json_object_get(j, "symbol_name")));
	T_EQ_S(json_string_value(json_object_get(j, "event")), "parse_error");
	json_decref(j);
	free(s);

	/* non-event records must name a known instrument */
	T_EQ_I(route_plan(&t.h, NULL, &o, m, why, sizeof why), -1);

	route_ring_loss(101, 7, &m[0]);
	T_EQ_S(m[0].subject, "orderbook.event.all.all");
	T_EQ_S(m[0].msg_id, "all.all.event.ring_loss.101.7");
}

/* REC_MARKET: the four subjects, golden bodies, not-given values as null,
 * distinct Msg-Ids for distinct updates and the same one on a re-publish. */
static void
t_derivatives_market(void)
{
	struct route_opts o = {ROUTE_LEGACY_NONE, 1, 1};
	struct route_msg m[ROUTE_MAX_MSGS], m2[ROUTE_MAX_MSGS];
	const struct inst *sw;
	struct rec_market r;
	char why[128], err[128], *s;
	int64_t t0 = 1723161600LL * 1000000000;

	sw = inst_get(&reg, inst_add(&reg, EX_OKX, "BTC-USDT-SWAP", err, sizeof err));
	T_CHECK(sw != NULL);
	if (!sw)
		return;
	rec_market_init(&r, sw->id, MK_FUNDING);
	r.h.exch_ns = t0;
	r.h.recv_ns = t0 + 2000000;
	r.h.stage_ns[STAGE_BOOK] = t0 + 3000000;
	r.funding_rate = -55603110445000LL;       /* -0.000055603110445 */
	r.next_funding_rate = 100000000000000LL;  /* 0.0001 */
	r.settle_ns = t0 + 8 * 3600000000000LL;
	r.funding_interval_s = 28800;
	T_EQ_I(route_plan(&r.h, sw, &o, m, why, sizeof why), 1);
	T_EQ_S(m[0].subject, "market.okx.btc-usdt-swap.funding_rate");
	T_CHECK(strncmp(m[0].msg_id, "okx.btc-usdt-swap.funding_rate.1723161600000000000.", 51) == 0);
	T_EQ_I(route_kind_stream(m[0].kind), RS_DATA);
	s = encode(&r.h, sw, RB_MARKET, NULL);
	T_EQ_S(s, "{\"exchange_name\":\"okx\",\"symbol_name\":\"BTC-USDT-SWAP\","
	    "\"funding_rate\":\"-0.000055603110445\",\"next_funding_rate\":\"0.0001\","
	    "\"funding_time\":\"2024-08-09T08:00:00.000000Z\",\"next_funding_time\":null,"
	    "\"funding_interval_s\":28800,\"timestamp\":\"2024-08-09T00:00:00.000000Z\","
	    "\"collected_at\":\"2024-08-09T00:00:00.002000Z\",\"processed_at\":\"2024-08-09T00:00:00.003000Z\"}");
	free(s);
	T_EQ_I(route_plan(&r.h, sw, &o, m2, why, sizeof why), 1);
	T_EQ_S(m2[0].msg_id, m[0].msg_id);
	r.funding_rate++;
	T_EQ_I(route_plan(&r.h, sw, &o, m2, why, sizeof why), 1);
	T_CHECK(strcmp(m2[0].msg_id, m[0].msg_id) != 0);

	rec_market_init(&r, sw->id, MK_OPEN_INTEREST);
	r.h.exch_ns = t0;
	r.oi_contracts = 123456700000000LL;       /* 1234567 contracts */
	r.oi_base = 123456700;                    /* 12345.67 BTC */
	T_EQ_I(route_plan(&r.h, sw, &o, m, why, sizeof why), 1);
	T_EQ_S(m[0].subject, "market.okx.btc-usdt-swap.open_interest");
	s = encode(&r.h, sw, RB_MARKET, NULL);
	T_CHECK(strstr(s, "\"open_interest\":\"1234567\",\"open_interest_base\":\"12345.67\","
	    "\"open_interest_value\":null,\"timestamp\"") != NULL);
	free(s);

	rec_market_init(&r, sw->id, MK_MARK);
	r.h.exch_ns = t0;
	r.index_px = 6123450000000LL;
	T_EQ_I(route_plan(&r.h, sw, &o, m, why, sizeof why), 1);
	T_EQ_S(m[0].subject, "market.okx.btc-usdt-swap.mark_price");
	s = encode(&r.h, sw, RB_MARKET, NULL);
	T_CHECK(strstr(s, "\"mark_price\":null,\"index_price\":\"61234.5\",") != NULL);
	free(s);

	rec_market_init(&r, bn->id, MK_LIQUIDATION);
	r.h.exch_ns = t0;
	r.liq_side = SIDE_SELL;
	r.liq_px = 6100000000000LL;
	r.liq_qty = 1000000;
	T_EQ_I(route_plan(&r.h, bn, &o, m, why, sizeof why), 1);
	T_EQ_S(m[0].subject, "market.binance.btc-usdt.liquidation");
	s = encode(&r.h, bn, RB_MARKET, NULL);
	T_CHECK(strstr(s, "\"side\":\"sell\",\"price\":\"61000.00000000\",\"quantity\":\"0.01000000\","
	    "\"average_price\":null,") != NULL);
	free(s);
	r.h.aux = 0;
	T_EQ_I(route_plan(&r.h, bn, &o, m, why, sizeof why), -1);
	/* the MARKET_DATA stream carries every market-data subject */
	int found = 0;
	for (int i = 0; route_streams[RS_DATA].subjects[i]; i++)
		found += strcmp(route_streams[RS_DATA].subjects[i], "market.*.*.mark_price") == 0 ||
		    strcmp(route_streams[RS_DATA].subjects[i], "market.*.*.liquidation") == 0 ||
		    strcmp(route_streams[RS_DATA].subjects[i], "market.*.*.funding_rate") == 0 ||
		    strcmp(route_streams[RS_DATA].subjects[i], "market.*.*.open_interest") == 0;
	T_EQ_I(found, 4);
}

static void
t_time_and_interval(void)
{
	char b[40], iv[16];

	T_EQ_S(enc_time_str(0, b, sizeof b), "1970-01-01T00:00:00.000000Z");
	T_EQ_S(enc_time_str(1723161253937085768LL, b, sizeof b), "2024-08-08T23:54:13.937085Z");
	T_EQ_S(enc_interval(60, iv, sizeof iv), "1m");
	T_EQ_S(enc_interval(3600, iv, sizeof iv), "1h");
	T_EQ_S(enc_interval(86400, iv, sizeof iv), "1d");
	T_EQ_S(enc_interval(90, iv, sizeof iv), "90s");
}

int
main(void)
{
	setup();
	T_RUN(t_delta_golden);
	T_RUN(t_pure_delta_golden);
	T_RUN(t_crossed_is_invalid);
	T_RUN(t_snapshot_fields);
	T_RUN(t_snapshot_exact_golden);
	T_RUN(t_okx_delta_checksum_null_when_0);
	T_RUN(t_validation_strings);
	T_RUN(t_full_5000_size);
	T_RUN(t_repeated_price_last_wins);
	T_RUN(t_route_table);
	T_RUN(t_market_and_events);
	T_RUN(t_derivatives_market);
	T_RUN(t_time_and_interval);
	return t_done();
}
