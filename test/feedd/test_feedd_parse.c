/*
 * test_feedd_parse.c - the frame parsers (feedd/parse.h): every channel of
 * both venues into the right records, control frames into notices, bad
 * frames into counted errors, and the scanner agreeing with jansson.
 */
#include <stdlib.h>
#include <string.h>

#include "../../feedd/parse_impl.h"
#include "bybit.h"
#include "fx.h"
/* t.h's T_RUN is one line with an if/else, which gcc 12 flags */
#include "../t.h"

/* Long frames as T_EQ_I arguments overflow its message buffer: go through a variable. */
#define WS_EQ(p, f, n) do { int r_ = ws(p, f); T_EQ_I(r_, n); } while (0)

#define SINK_MAX 16

struct sink {
	int n;
	size_t len[SINK_MAX];
	uint8_t *rec[SINK_MAX];
	int refuse;               /* refuse the record with this index + 1 */
};

static int
sink_emit(void *ud, const struct rec_hdr *h)
{
	struct sink *s = ud;
	char err[160];

	if (s->refuse && s->n + 1 == s->refuse)
		return -1;
	if (s->n >= SINK_MAX)
		return -1;
	if (rec_check(h, h->len, err, sizeof err) != 0) {
		fprintf(stderr, "  rec_check: %s\n", err);
		t_fail(__FILE__, __LINE__, "emitted record fails rec_check");
	}
	s->rec[s->n] = malloc(h->len);
	memcpy(s->rec[s->n], h, h->len);
	s->len[s->n++] = h->len;
	return 0;
}

static void
sink_clear(struct sink *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->rec[i]);
	memset(s, 0, sizeof *s);
}

static struct inst_registry g_reg;
static struct parse_ctx g_bn, g_ok, g_um, g_cm, g_by, g_dr;
static struct sink g_s, g_s2;

static void
setup(void)
{
	char err[128];

	inst_reg_free(&g_reg);   /* empty again (static: set up more than once) */
	inst_add(&g_reg, EX_BINANCE, "BTC-USDT", err, sizeof err);
	inst_add(&g_reg, EX_BINANCE, "ETH-USDT", err, sizeof err);
	inst_add(&g_reg, EX_OKX, "BTC-USDT", err, sizeof err);
	inst_add(&g_reg, EX_OKX, "ETH-USDT", err, sizeof err);
	inst_add(&g_reg, EX_BINANCE_USDM, "ETH-USDT-SWAP", err, sizeof err);
	inst_add(&g_reg, EX_BINANCE_COINM, "BTC-USD-SWAP", err, sizeof err);
	inst_add(&g_reg, EX_BINANCE_COINM, "BTC-USD-240927", err, sizeof err);
	parse_init(&g_bn, &g_reg, EX_BINANCE);
	parse_init(&g_ok, &g_reg, EX_OKX);
	parse_init(&g_um, &g_reg, EX_BINANCE_USDM);
	parse_init(&g_cm, &g_reg, EX_BINANCE_COINM);
	inst_add(&g_reg, EX_BYBIT, "BTC-USDT", err, sizeof err);
	inst_add(&g_reg, EX_BYBIT, "BTC-USDT-SWAP", err, sizeof err);
	inst_add(&g_reg, EX_BYBIT, "BTC-USD-SWAP", err, sizeof err);
	parse_init(&g_by, &g_reg, EX_BYBIT);
	inst_add(&g_reg, EX_DERIBIT, "BTC-USD-SWAP", err, sizeof err);
	inst_add(&g_reg, EX_DERIBIT, "BTC-240927-60000-C", err, sizeof err);
	parse_init(&g_dr, &g_reg, EX_DERIBIT);
}

static int
ws(struct parse_ctx *p, const char *f)
{
	sink_clear(&g_s);
	return parse_ws(p, f, strlen(f), 1700000000123456789LL, sink_emit, &g_s);
}

/* The same frame through the scanner only and jansson only: same records. */
static int
agree(struct parse_ctx *p, const char *f, int expect_scanned)
{
	int a, b, same;

	sink_clear(&g_s);
	sink_clear(&g_s2);
	a = parse_ws_mode(p, f, strlen(f), 5, PARSE_SCAN_ONLY, sink_emit, &g_s);
	b = parse_ws_mode(p, f, strlen(f), 5, PARSE_JSON_ONLY, sink_emit, &g_s2);
	if (expect_scanned != (a != PARSE_FALLBACK))
		return 0;
	if (a == PARSE_FALLBACK)
		return 1;
	same = a == b && g_s.n == g_s2.n;
	for (int i = 0; same && i < g_s.n; i++)
		same = g_s.len[i] == g_s2.len[i] && memcmp(g_s.rec[i], g_s2.rec[i], g_s.len[i]) == 0;
	return same;
}

#define BN_DEPTH "{\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1672515782136," \
	"\"s\":\"BTCUSDT\",\"U\":157,\"u\":160,\"b\":[[\"16850.12000000\",\"1.50000000\"],[\"16850.11000000\",\"0.00000000\"]]," \
	"\"a\":[[\"16851.00000000\",\"100.00000000\"]]}}"

static void
t_binance_depth(void)
{
	const struct rec_delta *d;
	uint64_t slow = g_bn.slow_path;

	WS_EQ(&g_bn, BN_DEPTH, 1);
	T_EQ_U(g_bn.slow_path, slow);          /* the scanner took it */
	T_EQ_I(g_s.n, 1);
	d = (const void *)g_s.rec[0];
	T_EQ_I(d->h.type, REC_DELTA);
	T_EQ_I(d->h.inst, 1);
	T_EQ_I(d->h.first_id, 157);
	T_EQ_I(d->h.last_id, 160);
	T_EQ_I(d->h.prev_id, -1);
	T_EQ_I(d->h.exch_ns, 1672515782136000000LL);
	T_EQ_I(d->h.recv_ns, 1700000000123456789LL);
	T_EQ_I(d->h.stage_ns[STAGE_FEED], 0);
	T_EQ_I(d->n_bids, 2);
	T_EQ_I(d->n_asks, 1);
	T_EQ_I(d->lv[0].px, 1685012000000LL);
	T_EQ_I(d->lv[0].qty, 150000000);
	T_EQ_I(d->lv[1].qty, 0);
	T_EQ_I(d->lv[2].px, 1685100000000LL);
	T_EQ_I(d->lv[2].qty, 10000000000LL);
	T_CHECK(agree(&g_bn, BN_DEPTH, 1));
	/* raw stream form, whitespace, empty side */
	T_CHECK(agree(&g_bn, " {\"e\":\"depthUpdate\",\"E\":1,\"s\":\"ETHUSDT\",\"U\":5,\"u\":5,\"b\":[],\n"
	    "\"a\":[ [\"0.35380000\" , \"3027.00000000\"] ] } ", 1));
	WS_EQ(&g_bn, "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"ETHUSDT\",\"U\":5,\"u\":5,\"b\":[],\"a\":[]}", 1);
	T_EQ_I(g_s.rec[0] ? ((struct rec_hdr *)g_s.rec[0])->inst : 0, 2);
}

static void
t_binance_depth_fallbacks(void)
{
	uint64_t slow;

	/* the scanner gives up (key order, escape, unknown key, real number)
	 * and jansson still produces the record */
	T_CHECK(agree(&g_bn, "{\"e\":\"depthUpdate\",\"b\":[[\"1\",\"2\"]],\"E\":1,\"s\":\"BTCUSDT\",\"U\":5,\"u\":6,\"a\":[]}", 0));
	slow = g_bn.slow_path;
	WS_EQ(&g_bn, "{\"e\":\"depthUpdate\",\"b\":[[\"1\",\"2\"]],\"E\":1,\"s\":\"BTCUSDT\",\"U\":5,\"u\":6,\"a\":[]}", 1);
	WS_EQ(&g_bn, "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTC\\u0055SDT\",\"U\":5,\"u\":6,\"b\":[],\"a\":[]}", 1);
	WS_EQ(&g_bn, "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"U\":5,\"u\":6,\"b\":[],\"a\":[],\"x\":1}", 1);
	T_EQ_I(g_bn.slow_path, slow + 3);
	/* a duplicate key is refused by both */
	WS_EQ(&g_bn, "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"U\":5,\"u\":6,\"u\":7,\"b\":[],\"a\":[]}", -1);
	WS_EQ(&g_bn, "{\"e\":\"depthUpdate\",\"E\":1.5,\"s\":\"BTCUSDT\",\"U\":5,\"u\":6,\"b\":[],\"a\":[]}", -1);
	T_CHECK(strstr(g_bn.err, "\"E\"") != NULL);
}

static void
t_binance_bad_frames(void)
{
	uint64_t errs = g_bn.errors, unk = g_bn.unknown;

	WS_EQ(&g_bn, "{\"stream\":\"btcusdt@depth\",\"data\":{\"e\":\"depthUpd", -1);
	T_CHECK(strstr(g_bn.err, "invalid JSON") != NULL);
	WS_EQ(&g_bn, "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"U\":9,\"u\":6,\"b\":[],\"a\":[]}", -1);
	T_CHECK(strstr(g_bn.err, "U=9") != NULL);
	WS_EQ(&g_bn, "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"U\":5,\"u\":6,\"b\":[[\"1.2.3\",\"1\"]],\"a\":[]}", -1);
	T_CHECK(strstr(g_bn.err, "bid price") != NULL);
	WS_EQ(&g_bn, "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"U\":5,\"u\":6,\"b\":[[\"1\",\"-1\"]],\"a\":[]}", -1);
	WS_EQ(&g_bn, "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"U\":5,\"u\":6,\"b\":[[\"1\"]],\"a\":[]}", -1);
	WS_EQ(&g_bn, "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"U\":5,\"u\":6,\"b\":[],\"a\":[]} x", -1);
	WS_EQ(&g_bn, "[1,2]", -1);
	WS_EQ(&g_bn, "", -1);
	T_EQ_I(g_bn.errors, errs + 8);
	T_EQ_I(g_s.n, 0);
	/* well-formed but not ours: counted apart, no error */
	WS_EQ(&g_bn, "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"DOGEUSDT\",\"U\":5,\"u\":6,\"b\":[],\"a\":[]}", 0);
	WS_EQ(&g_bn, "{\"stream\":\"btcusdt@avgPrice\",\"data\":{\"e\":\"avgPrice\",\"s\":\"BTCUSDT\"}}", 0);
	T_EQ_I(g_bn.unknown, unk + 2);
	T_EQ_I(g_bn.errors, errs + 8);
}

static void
t_binance_other_channels(void)
{
	const struct rec_trade *t;
	const struct rec_ticker *k;
	const struct rec_kline *kl;

	WS_EQ(&g_bn, "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1672515782136,\"s\":\"BTCUSDT\","
	    "\"t\":12345,\"p\":\"16850.12000000\",\"q\":\"0.00100000\",\"T\":1672515782135,\"m\":true,\"M\":true}}", 1);
	t = (const void *)g_s.rec[0];
	T_CHECK(t && t->h.type == REC_TRADE && t->h.first_id == 12345 && t->h.last_id == 12345);
	T_CHECK(t && t->side == SIDE_SELL && t->px == 1685012000000LL && t->qty == 100000 && t->count == 1);
	T_CHECK(t && t->trade_ns == 1672515782135000000LL);
	WS_EQ(&g_bn, "{\"e\":\"aggTrade\",\"E\":1,\"s\":\"BTCUSDT\",\"a\":7,\"p\":\"1\",\"q\":\"2\",\"f\":100,"
	    "\"l\":104,\"T\":1,\"m\":false,\"M\":true}", 1);
	t = (const void *)g_s.rec[0];
	T_CHECK(t && t->count == 5 && t->side == SIDE_BUY && t->h.first_id == 100 && t->h.last_id == 104);
	WS_EQ(&g_bn, "{\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":400900217,\"s\":\"BTCUSDT\","
	    "\"b\":\"25.35190000\",\"B\":\"31.21000000\",\"a\":\"25.36520000\",\"A\":\"40.66000000\"}}", 1);
	k = (const void *)g_s.rec[0];
	T_CHECK(k && k->h.type == REC_TICKER && k->have == TICK_BBO && k->h.last_id == 400900217);
	T_CHECK(k && k->bid_px == 2535190000LL && k->ask_qty == 4066000000LL);
	WS_EQ(&g_bn, "{\"stream\":\"btcusdt@kline_1m\",\"data\":{\"e\":\"kline\",\"E\":1672515782136,\"s\":\"BTCUSDT\","
	    "\"k\":{\"t\":1672515780000,\"T\":1672515839999,\"s\":\"BTCUSDT\",\"i\":\"1m\",\"f\":100,\"L\":200,"
	    "\"o\":\"0.00100000\",\"c\":\"0.00200000\",\"h\":\"0.00250000\",\"l\":\"0.00150000\",\"v\":\"1000.00000000\","
	    "\"n\":100,\"x\":false,\"q\":\"1.00000000\",\"V\":\"500\",\"Q\":\"0.500\",\"B\":\"123456\"}}}", 1);
	kl = (const void *)g_s.rec[0];
	T_CHECK(kl && kl->h.type == REC_KLINE && kl->interval_s == 60 && kl->closed == 0 && kl->n_trades == 100);
	T_CHECK(kl && kl->open_ns == 1672515780000000000LL && kl->hi == 250000 && kl->volq == 100000000);
	WS_EQ(&g_bn, "{\"stream\":\"btcusdt@ticker\",\"data\":{\"e\":\"24hrTicker\",\"E\":1,\"s\":\"BTCUSDT\","
	    "\"p\":\"0\",\"P\":\"0\",\"w\":\"0\",\"x\":\"0\",\"c\":\"3\",\"Q\":\"4\",\"b\":\"1\",\"B\":\"2\",\"a\":\"5\",\"A\":\"6\","
	    "\"o\":\"7\",\"h\":\"8\",\"l\":\"9\",\"v\":\"10\",\"q\":\"11\",\"O\":0,\"C\":1,\"F\":0,\"L\":18150,\"n\":18151}}", 1);
	k = (const void *)g_s.rec[0];
	T_CHECK(k && k->have == (TICK_BBO | TICK_LAST | TICK_24H) && k->last_px == 300000000 && k->volq_24h == 1100000000);
}

static void
t_binance_control(void)
{
	WS_EQ(&g_bn, "{\"result\":null,\"id\":1}", 0);
	T_EQ_I(g_bn.notice, PN_SUB_ACK);
	WS_EQ(&g_bn, "{\"result\":[\"btcusdt@depth@100ms\"],\"id\":3}", 0);
	T_EQ_I(g_bn.notice, PN_LIST_RESULT);
	WS_EQ(&g_bn, "{\"code\":2,\"msg\":\"Invalid request: unknown variant\",\"id\":4}", 0);
	T_EQ_I(g_bn.notice, PN_SUB_ERROR);
	T_CHECK(strstr(g_bn.err, "Invalid request") != NULL);
	WS_EQ(&g_bn, "{\"stream\":\"!serverShutdown\",\"data\":{\"e\":\"serverShutdown\",\"E\":1}}", 0);
	T_EQ_I(g_bn.notice, PN_SERVER_SHUTDOWN);
	WS_EQ(&g_bn, BN_DEPTH, 1);
	T_EQ_I(g_bn.notice, PN_NONE);
}

static void
t_binance_rest(void)
{
	const char *path = "/api/v3/depth?symbol=BTCUSDT&limit=5000";
	const char *body = "{\"lastUpdateId\":1027024,\"bids\":[[\"4.00000000\",\"431.00000000\"],"
	    "[\"3.90000000\",\"1.00000000\"]],\"asks\":[[\"4.00000200\",\"12.00000000\"]]}";
	const struct rec_snapshot *s;
	uint64_t slow = g_bn.slow_path;
	int a, b;

	sink_clear(&g_s);
	T_EQ_I(parse_rest(&g_bn, path, body, strlen(body), 9, 77, sink_emit, &g_s), 1);
	T_EQ_U(g_bn.slow_path, slow);
	s = (const void *)g_s.rec[0];
	T_CHECK(s && s->h.type == REC_SNAPSHOT && s->kind == SNAP_REST && s->req_id == 77);
	T_CHECK(s && s->h.last_id == 1027024 && s->n_bids == 2 && s->n_asks == 1 && s->nchunks == 1);
	T_CHECK(s && s->bid_floor_px == 390000000 && s->ask_ceil_px == 400000200);
	T_CHECK(s && s->lv[2].qty == 1200000000);
	sink_clear(&g_s2);
	b = parse_rest_mode(&g_bn, path, body, strlen(body), 9, 77, PARSE_JSON_ONLY, sink_emit, &g_s2);
	T_EQ_I(b, 1);
	T_CHECK(g_s2.n == 1 && g_s2.len[0] == g_s.len[0] && memcmp(g_s.rec[0], g_s2.rec[0], g_s.len[0]) == 0);
	sink_clear(&g_s);
	a = parse_rest(&g_bn, path, "{\"code\":-1003,\"msg\":\"Too much request weight used\"}", 51, 9, 78,
	    sink_emit, &g_s);
	T_EQ_I(a, -1);
	T_CHECK(strstr(g_bn.err, "-1003") != NULL);
	T_EQ_I(parse_rest(&g_bn, "/api/v3/exchangeInfo", "{}", 2, 9, 0, sink_emit, &g_s), 0);
}

static void
t_snapshot_chunks(void)
{
	size_t cap = 16 + 6001 * 40 + 64, o;
	char *body = malloc(cap);
	const struct rec_snapshot *s;

	o = (size_t)snprintf(body, cap, "{\"lastUpdateId\":5,\"bids\":[");
	for (int i = 0; i < 6000; i++)
		o += (size_t)snprintf(body + o, cap - o, "%s[\"%d.00000000\",\"1.00000000\"]", i ? "," : "", 100000 - i);
	o += (size_t)snprintf(body + o, cap - o, "],\"asks\":[[\"100001.00000000\",\"2.00000000\"]]}");
	sink_clear(&g_s);
	T_EQ_I(parse_rest(&g_bn, "/api/v3/depth?symbol=BTCUSDT&limit=5000", body, o, 9, 3, sink_emit, &g_s), 2);
	s = (const void *)g_s.rec[0];
	T_CHECK(s && s->chunk == 0 && s->nchunks == 2 && s->n_bids == 5000 && s->n_asks == 1);
	T_CHECK(s && s->bid_floor_px == 9400100000000LL);
	s = (const void *)g_s.rec[1];
	T_CHECK(s && s->chunk == 1 && s->nchunks == 2 && s->n_bids == 1000 && s->n_asks == 0);
	T_CHECK(s && s->lv[0].px == 9500000000000LL);
	free(body);
}

#define OKX_SNAP "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"snapshot\",\"data\":[{" \
	"\"asks\":[[\"8476.98\",\"415\",\"0\",\"13\"],[\"8477\",\"7\",\"0\",\"2\"]],\"bids\":[[\"8476.97\",\"256\",\"0\",\"12\"]]," \
	"\"ts\":\"1597026383085\",\"checksum\":-855196043,\"prevSeqId\":-1,\"seqId\":123456}]}"

static void
t_okx_books(void)
{
	const struct rec_snapshot *s;
	const struct rec_delta *d;
	uint64_t slow = g_ok.slow_path;

	WS_EQ(&g_ok, OKX_SNAP, 1);
	s = (const void *)g_s.rec[0];
	T_CHECK(s && s->h.type == REC_SNAPSHOT && s->kind == SNAP_WS && s->h.inst == 3);
	T_CHECK(s && s->h.first_id == 123456 && s->h.last_id == 123456 && s->h.prev_id == -1);
	T_CHECK(s && s->checksum == -855196043 && s->n_bids == 1 && s->n_asks == 2);
	T_CHECK(s && s->lv[0].px == 847697000000LL && s->lv[1].px == 847698000000LL && s->lv[2].qty == 700000000);
	T_CHECK(s && s->h.exch_ns == 1597026383085000000LL);
	T_CHECK(agree(&g_ok, OKX_SNAP, 1));
	slow = g_ok.slow_path;
	WS_EQ(&g_ok, "{\"arg\":{\"channel\":\"books\",\"instId\":\"ETH-USDT\"},\"action\":\"update\",\"data\":[{"
	    "\"asks\":[],\"bids\":[[\"3000.1\",\"0\",\"0\",\"0\"]],\"ts\":\"1\",\"checksum\":0,\"prevSeqId\":10,\"seqId\":15}]}", 1);
	d = (const void *)g_s.rec[0];
	T_CHECK(d && d->h.type == REC_DELTA && d->h.inst == 4 && d->h.prev_id == 10 && d->h.last_id == 15);
	T_CHECK(d && d->h.first_id == 15 && d->n_bids == 1 && d->n_asks == 0 && d->lv[0].qty == 0 && d->h.flags == 0);
	/* heartbeat: empty, prevSeqId == seqId */
	WS_EQ(&g_ok, "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\",\"data\":[{"
	    "\"asks\":[],\"bids\":[],\"ts\":\"1\",\"checksum\":0,\"prevSeqId\":15,\"seqId\":15}]}", 1);
	d = (const void *)g_s.rec[0];
	T_CHECK(d && d->h.flags == REC_F_HEARTBEAT);
	/* sequence reset: seqId < prevSeqId is data, not an error */
	WS_EQ(&g_ok, "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\",\"data\":[{"
	    "\"asks\":[[\"1\",\"1\",\"0\",\"1\"]],\"bids\":[],\"ts\":\"1\",\"checksum\":0,\"prevSeqId\":15,\"seqId\":3}]}", 1);
	T_EQ_U(g_ok.slow_path, slow);
	/* order the scanner does not take: data before arg */
	T_CHECK(agree(&g_ok, "{\"action\":\"update\",\"data\":[{\"asks\":[],\"bids\":[],\"ts\":\"1\",\"checksum\":0,"
	    "\"prevSeqId\":15,\"seqId\":15}],\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"}}", 0));
	WS_EQ(&g_ok, "{\"action\":\"update\",\"data\":[{\"asks\":[],\"bids\":[],\"ts\":\"1\",\"checksum\":0,"
	    "\"prevSeqId\":15,\"seqId\":15}],\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"}}", 1);
	/* bad ones */
	WS_EQ(&g_ok, "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\",\"data\":[{"
	    "\"asks\":[],\"bids\":[],\"ts\":\"x1\",\"checksum\":0,\"prevSeqId\":15,\"seqId\":15}]}", -1);
	WS_EQ(&g_ok, "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\",\"data\":[{"
	    "\"asks\":[],\"bids\":[],\"ts\":\"1\",\"checksum\":0,\"prevSeqId\":-7,\"seqId\":15}]}", -1);
	WS_EQ(&g_ok, "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\",\"data\":[{"
	    "\"asks\":[],\"bids\":[],\"ts\":\"1\",\"checksum\":0,\"seqId\":15}]}", -1);
}

/* Legacy frames (2021-2022, e.g. cryptofeed's real OKX sample): checksum
 * present, seqId/prevSeqId absent, instIds of every instrument type. */
#define OKX_LEGACY_SNAP "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USD-220527\"},\"action\":\"snapshot\"," \
	"\"data\":[{\"asks\":[[\"3366.8\",\"9\",\"10\",\"3\"],[\"3368\",\"8\",\"3\",\"4\"]]," \
	"\"bids\":[[\"3366.1\",\"7\",\"0\",\"3\"],[\"3366\",\"6\",\"3\",\"4\"]],\"ts\":\"1597026383085\",\"checksum\":-1881014294}]}"
#define OKX_LEGACY_UPD "{\"arg\":{\"channel\":\"books\",\"instId\":\"UNI-USD-SWAP\"},\"action\":\"update\"," \
	"\"data\":[{\"asks\":[[\"3372\",\"8\",\"0\",\"1\"]],\"bids\":[[\"3366\",\"0\",\"0\",\"0\"]]," \
	"\"ts\":\"1597026383086\",\"checksum\":831078360}]}"

static void
t_okx_legacy_books(void)
{
	static struct inst_registry reg;   /* static: reachable to the end (allocated) */
	struct parse_ctx p;
	const struct rec_snapshot *s;
	const struct rec_delta *d;
	char err[128];

	inst_reg_free(&reg);   /* empty again (static: set up more than once) */
	T_CHECK(inst_add(&reg, EX_OKX, "BTC-USDT", err, sizeof err) == 1);
	T_CHECK(inst_add(&reg, EX_OKX, "BTC-USD-220527", err, sizeof err) == 2);
	T_CHECK(inst_add(&reg, EX_OKX, "uni-usd-swap", err, sizeof err) == 3);
	T_CHECK(inst_add(&reg, EX_BINANCE, "BTC-USD-220527", err, sizeof err) == 0);   /* not a Binance name */
	T_CHECK(inst_add(&reg, EX_OKX, "BTC--USD", err, sizeof err) == 0);
	parse_init(&p, &reg, EX_OKX);
	WS_EQ(&p, OKX_LEGACY_SNAP, 1);
	s = (const void *)g_s.rec[0];
	T_CHECK(s && s->kind == SNAP_WS && s->h.inst == 2 && s->h.flags == REC_F_NOSEQ);
	T_CHECK(s && s->h.first_id == 0 && s->h.last_id == 0 && s->h.prev_id == -1);
	T_CHECK(s && s->checksum == -1881014294 && s->n_bids == 2 && s->n_asks == 2);
	T_CHECK(agree(&p, OKX_LEGACY_SNAP, 1));
	WS_EQ(&p, OKX_LEGACY_UPD, 1);
	d = (const void *)g_s.rec[0];
	T_CHECK(d && d->h.type == REC_DELTA && d->h.inst == 3 && d->h.flags == REC_F_NOSEQ);
	T_CHECK(d && d->h.first_id == 0 && d->h.last_id == 0 && d->h.prev_id == 0);
	T_CHECK(d && (int32_t)d->h.aux == 831078360 && d->n_bids == 1 && d->n_asks == 1);
	T_CHECK(agree(&p, OKX_LEGACY_UPD, 1));
	/* an empty legacy update is no seqId heartbeat, only its checksum */
	WS_EQ(&p, "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\",\"data\":[{"
	    "\"asks\":[],\"bids\":[],\"ts\":\"1\",\"checksum\":5}]}", 1);
	d = (const void *)g_s.rec[0];
	T_CHECK(d && d->h.flags == REC_F_NOSEQ && d->h.aux == 5);
	/* the jansson path (key order the scanner does not take) agrees */
	WS_EQ(&p, "{\"data\":[{\"checksum\":5,\"asks\":[],\"bids\":[],\"ts\":\"1\"}],\"action\":\"update\","
	    "\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"}}", 1);
	d = (const void *)g_s.rec[0];
	T_CHECK(d && d->h.flags == REC_F_NOSEQ && d->h.aux == 5 && d->h.prev_id == 0);
	/* half a legacy frame is refused: one id without the other, or no checksum */
	WS_EQ(&p, "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\",\"data\":[{"
	    "\"asks\":[],\"bids\":[],\"ts\":\"1\",\"checksum\":5,\"seqId\":15}]}", -1);
	T_CHECK(strstr(p.err, "prevSeqId") != NULL);
	WS_EQ(&p, "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\",\"data\":[{"
	    "\"asks\":[],\"bids\":[],\"ts\":\"1\",\"checksum\":5,\"prevSeqId\":15}]}", -1);
	WS_EQ(&p, "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\",\"data\":[{"
	    "\"asks\":[],\"bids\":[],\"ts\":\"1\"}]}", -1);
	parse_free(&p);
}

static void
t_okx_other_channels(void)
{
	const struct rec_trade *t;
	const struct rec_ticker *k;
	const struct rec_kline *kl;
	const struct rec_snapshot *sn;

	WS_EQ(&g_ok, "{\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},\"data\":[{\"instId\":\"BTC-USDT\","
	    "\"tradeId\":\"1040968613\",\"px\":\"64040.2\",\"sz\":\"0.00240857\",\"side\":\"buy\",\"ts\":\"1786538760218\","
	    "\"count\":\"2\",\"source\":\"0\",\"seqId\":79706765242}]}", 1);
	t = (const void *)g_s.rec[0];
	T_CHECK(t && t->h.type == REC_TRADE && t->h.last_id == 1040968613 && t->side == SIDE_BUY && t->count == 2);
	T_CHECK(t && t->px == 6404020000000LL && t->qty == 240857 && t->trade_ns == 1786538760218000000LL);
	WS_EQ(&g_ok, "{\"arg\":{\"channel\":\"tickers\",\"instId\":\"BTC-USDT\"},\"data\":[{\"instType\":\"SPOT\","
	    "\"instId\":\"BTC-USDT\",\"last\":\"9999.99\",\"lastSz\":\"0.1\",\"askPx\":\"9999.99\",\"askSz\":\"11\","
	    "\"bidPx\":\"8888.88\",\"bidSz\":\"5\",\"open24h\":\"9000\",\"high24h\":\"10000\",\"low24h\":\"8888.88\","
	    "\"volCcy24h\":\"2222\",\"vol24h\":\"2222\",\"sodUtc0\":\"2222\",\"sodUtc8\":\"2222\",\"ts\":\"1597026383085\"}]}", 1);
	k = (const void *)g_s.rec[0];
	T_CHECK(k && k->have == (TICK_BBO | TICK_LAST | TICK_24H) && k->bid_px == 888888000000LL && k->ask_qty == 1100000000);
	WS_EQ(&g_ok, "{\"arg\":{\"channel\":\"candle1m\",\"instId\":\"BTC-USDT\"},\"data\":[[\"1597026360000\","
	    "\"8533.02\",\"8553.74\",\"8527.17\",\"8548.26\",\"45247\",\"529.5858061\",\"529.58\",\"1\"]]}", 1);
	kl = (const void *)g_s.rec[0];
	T_CHECK(kl && kl->interval_s == 60 && kl->closed == 1 && kl->c == 854826000000LL && kl->n_trades == -1);
	T_CHECK(kl && kl->close_ns == 1597026419999000000LL);
	WS_EQ(&g_ok, "{\"arg\":{\"channel\":\"bbo-tbt\",\"instId\":\"BTC-USDT\"},\"data\":[{\"asks\":[[\"2\",\"3\",\"0\",\"1\"]],"
	    "\"bids\":[[\"1\",\"4\",\"0\",\"1\"]],\"ts\":\"5\",\"seqId\":6}]}", 1);
	/* books5 / bbo-tbt: the venue's top levels at its seqId, for bookd's top-N audit */
	sn = (const void *)g_s.rec[0];
	T_CHECK(sn && sn->h.type == REC_SNAPSHOT && sn->kind == SNAP_TOP && sn->n_bids == 1 && sn->n_asks == 1 &&
	    sn->lv[0].px == 100000000 && sn->lv[1].qty == 300000000 && sn->h.last_id == 6);
	WS_EQ(&g_ok, "{\"arg\":{\"channel\":\"books5\",\"instId\":\"BTC-USDT\"},\"data\":[{\"asks\":[[\"2\",\"3\",\"0\",\"1\"],"
	    "[\"2.1\",\"1\",\"0\",\"1\"]],\"bids\":[[\"1\",\"4\",\"0\",\"1\"]],\"instId\":\"BTC-USDT\",\"ts\":\"5\",\"seqId\":7}]}", 1);
	sn = (const void *)g_s.rec[0];
	T_CHECK(sn && sn->kind == SNAP_TOP && sn->n_bids == 1 && sn->n_asks == 2 && sn->lv[2].px == 210000000 &&
	    sn->h.last_id == 7);
	/* no seqId: nothing to compare it with */
	WS_EQ(&g_ok, "{\"arg\":{\"channel\":\"books5\",\"instId\":\"BTC-USDT\"},\"data\":[{\"asks\":[],"
	    "\"bids\":[],\"ts\":\"5\"}]}", 0);
}

static void
t_okx_control(void)
{
	uint64_t unk = g_ok.unknown;

	WS_EQ(&g_ok, "pong", 0);
	T_EQ_I(g_ok.notice, PN_PONG);
	WS_EQ(&g_ok, "{\"event\":\"subscribe\",\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"connId\":\"a4d3ae55\"}", 0);
	T_EQ_I(g_ok.notice, PN_SUB_ACK);
	WS_EQ(&g_ok, "{\"event\":\"error\",\"code\":\"60012\",\"msg\":\"Invalid request\",\"connId\":\"a4d3ae55\"}", 0);
	T_EQ_I(g_ok.notice, PN_SUB_ERROR);
	T_CHECK(strstr(g_ok.err, "60012") != NULL);
	WS_EQ(&g_ok, "{\"event\":\"notice\",\"code\":\"64008\",\"msg\":\"The connection will soon be closed for a service upgrade.\",\"connId\":\"a4d3ae55\"}", 0);
	T_EQ_I(g_ok.notice, PN_UPGRADE_NOTICE);
	WS_EQ(&g_ok, "{\"arg\":{\"channel\":\"funding-rate\",\"instId\":\"BTC-USDT\"},\"data\":[]}", 0);
	T_EQ_I(g_ok.unknown, unk + 1);
}

static void
t_okx_rest(void)
{
	const char *b1 = "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"asks\":[[\"41006.8\",\"0.60038921\",\"0\",\"1\"]],"
	    "\"bids\":[[\"41006.3\",\"0.30178218\",\"0\",\"2\"]],\"ts\":\"1629966436396\",\"seqId\":987}]}";
	const char *b2 = "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"asks\":[[\"41006.8\",\"0.6\",\"1\"],[\"41007\",\"1\",\"2\"]],"
	    "\"bids\":[[\"41006.3\",\"0.3\",\"2\"]],\"ts\":\"1629966436000\"}]}";
	const char *b3 = "{\"code\":\"50011\",\"msg\":\"Rate limit reached\",\"data\":[]}";
	const struct rec_snapshot *s;

	sink_clear(&g_s);
	T_EQ_I(parse_rest(&g_ok, "/api/v5/market/books?instId=BTC-USDT&sz=400", b1, strlen(b1), 1, 11, sink_emit, &g_s), 1);
	s = (const void *)g_s.rec[0];
	T_CHECK(s && s->kind == SNAP_REST && s->req_id == 11 && s->h.last_id == 987 && s->n_bids == 1 && s->n_asks == 1);
	sink_clear(&g_s);
	T_EQ_I(parse_rest(&g_ok, "/api/v5/market/books-full?instId=ETH-USDT&sz=5000", b2, strlen(b2), 1, 12, sink_emit, &g_s), 1);
	s = (const void *)g_s.rec[0];
	T_CHECK(s && s->kind == SNAP_DEEP && s->h.inst == 4 && s->h.last_id == -1 && s->n_asks == 2);
	T_CHECK(s && s->deep_refresh_ns == 1629966436000000000LL && s->ask_ceil_px == 4100700000000LL);
	sink_clear(&g_s);
	T_EQ_I(parse_rest(&g_ok, "/api/v5/market/books?instId=BTC-USDT&sz=400", b3, strlen(b3), 1, 13, sink_emit, &g_s), -1);
	T_CHECK(strstr(g_ok.err, "50011") != NULL);
}

static void
t_emit_refused(void)
{
	sink_clear(&g_s);
	g_s.refuse = 1;
	T_EQ_I(parse_ws(&g_bn, BN_DEPTH, strlen(BN_DEPTH), 1, sink_emit, &g_s), -1);
	T_EQ_I(g_s.n, 0);
	g_s.refuse = 0;
}

/* ---- hostile input (issue 14): every parser, every path ---- */

/* One frame shape of each parser; "%s" is where the bid level's price and
 * size go (as raw JSON text), "%s" again is an extra member of the object
 * ("" or ",\"x\":..."). */
struct shape {
	const char *name;
	struct parse_ctx *p;
	const char *path;       /* REST path, NULL = a WebSocket frame */
	const char *fmt;        /* printf: level, extra */
	int scans;              /* the scanner takes the plain shape */
};

static struct shape g_shapes[] = {
	{"binance_ws", &g_bn, NULL, "{\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1,"
	    "\"s\":\"BTCUSDT\",\"U\":5,\"u\":6,\"b\":[%s],\"a\":[]%s}}", 1},
	{"binance_rest", &g_bn, "/api/v3/depth?symbol=BTCUSDT&limit=5000",
	    "{\"lastUpdateId\":5,\"bids\":[%s],\"asks\":[]%s}", 1},
	{"okx_ws", &g_ok, NULL, "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"update\","
	    "\"data\":[{\"asks\":[],\"bids\":[%s],\"ts\":\"1\",\"checksum\":0,\"prevSeqId\":10,\"seqId\":15%s}]}", 1},
	{"okx_rest", &g_ok, "/api/v5/market/books?instId=BTC-USDT&sz=400",
	    "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"asks\":[],\"bids\":[%s],\"ts\":\"1\",\"seqId\":987%s}]}", 0},
};

/* Parse buf as shape sh in mode; -1 expected: no record, the error counter
 * up by one, p->err containing want.  Returns 1 if all of that held. */
static int
refused(const struct shape *sh, const char *buf, size_t len, enum parse_mode mode, const char *want)
{
	uint64_t errs = sh->p->errors, recs = sh->p->records;
	int r;

	sink_clear(&g_s);
	r = sh->path ? parse_rest_mode(sh->p, sh->path, buf, len, 1, 1, mode, sink_emit, &g_s)
	    : parse_ws_mode(sh->p, buf, len, 1, mode, sink_emit, &g_s);
	if (mode == PARSE_SCAN_ONLY && r == PARSE_FALLBACK)
		return 1;   /* the scanner gave up without emitting: jansson decides */
	if (r != -1 || g_s.n != 0 || sh->p->records != recs || sh->p->errors != errs + 1 ||
	    !strstr(sh->p->err, want)) {
		fprintf(stderr, "  %s mode %d: rc %d, %d records, errors +%llu, err \"%s\" (want \"%s\")\n", sh->name,
		    (int)mode, r, g_s.n, (unsigned long long)(sh->p->errors - errs), sh->p->err, want);
		return 0;
	}
	return 1;
}

static char *
frame(const struct shape *sh, const char *level, const char *extra, size_t *len)
{
	size_t cap = strlen(sh->fmt) + strlen(level) + strlen(extra) + 1;
	char *b = malloc(cap);

	*len = (size_t)snprintf(b, cap, sh->fmt, level, extra);
	return b;
}

/* Each hostile value in each parser through each path: refused precisely. */
static void
t_hostile_values(void)
{
	char digits[420];
	struct { const char *level, *want; } cases[] = {
		{NULL, "bid price"},                    /* a 400-digit price, filled below */
		{"[\"NaN\",\"1\"]", "bid price"},
		{"[\"1\",\"nan\"]", "bid size"},
		{"[\"Infinity\",\"1\"]", "bid price"},
		{"[NaN,\"1\"]", "invalid JSON"},        /* not JSON at all */
		{"[\"1\",\"-1\"]", "bid size"},         /* a negative quantity */
		{"[\"1\",\"-0.5\"]", "bid size"},
		{"[\"-100\",\"1\"]", "bid price"},
		{"[\"1e400\",\"1\"]", "bid price"},
	};
	const enum parse_mode modes[] = {PARSE_AUTO, PARSE_SCAN_ONLY, PARSE_JSON_ONLY};

	snprintf(digits, sizeof digits, "[\"1%0399d\",\"1\"]", 0);
	cases[0].level = digits;
	for (size_t i = 0; i < sizeof g_shapes / sizeof g_shapes[0]; i++) {
		const struct shape *sh = &g_shapes[i];
		size_t len;
		char *b = frame(sh, "[\"1\",\"1\"]", "", &len);
		int r;

		/* the shape itself is good, or the cases prove nothing */
		sink_clear(&g_s);
		r = sh->path ? parse_rest(sh->p, sh->path, b, len, 1, 1, sink_emit, &g_s) : parse_ws(sh->p, b, len, 1, sink_emit, &g_s);
		if (r != 1)
			fprintf(stderr, "  %s: good shape refused: %s\n", sh->name, sh->p->err);
		T_EQ_I(r, 1);
		free(b);
		for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
			for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
				b = frame(sh, cases[c].level, "", &len);
				T_CHECK(refused(sh, b, len, modes[m], cases[c].want));
				free(b);
			}
	}
}

/* Nesting 100000 deep, as the whole frame and inside a good one. */
static void
t_hostile_nesting(void)
{
	enum { DEPTH = 100000 };
	char *deep = malloc(2 * DEPTH + 16), *extra = malloc(2 * DEPTH + 16);
	size_t o = 0;

	for (int i = 0; i < DEPTH; i++)
		deep[o++] = '[';
	for (int i = 0; i < DEPTH; i++)
		deep[o++] = ']';
	deep[o] = 0;
	snprintf(extra, 2 * DEPTH + 16, ",\"x\":%s", deep);
	for (size_t i = 0; i < sizeof g_shapes / sizeof g_shapes[0]; i++) {
		const struct shape *sh = &g_shapes[i];
		size_t len;
		char *b = frame(sh, "[\"1\",\"1\"]", extra, &len);

		T_CHECK(refused(sh, deep, o, PARSE_AUTO, "invalid JSON"));
		T_CHECK(refused(sh, deep, o, PARSE_SCAN_ONLY, "invalid JSON"));
		T_CHECK(refused(sh, deep, o, PARSE_JSON_ONLY, "invalid JSON"));
		T_CHECK(refused(sh, b, len, PARSE_AUTO, "invalid JSON"));
		T_CHECK(refused(sh, b, len, PARSE_JSON_ONLY, "invalid JSON"));
		free(b);
		/* the nesting as the level list itself */
		b = frame(sh, deep, "", &len);
		T_CHECK(refused(sh, b, len, PARSE_AUTO, "invalid JSON"));
		free(b);
	}
	free(deep);
	free(extra);
}

/* A 50 MB frame: 1.6 million bid levels.  An update holds at most 5000 a
 * side; a snapshot at most 50000 (bookd's largest max_levels). */
static void
t_hostile_50mb(void)
{
	const size_t target = 50u << 20;
	const char *lv = "[\"1.00000000\",\"1.00000000\"],";
	size_t n = target / strlen(lv), o = 0;
	char *levels = malloc(n * strlen(lv) + 1);

	for (size_t i = 0; i < n; i++) {
		memcpy(levels + o, lv, strlen(lv));
		o += strlen(lv);
	}
	levels[o - 1] = 0;      /* drop the last comma */
	for (size_t i = 0; i < sizeof g_shapes / sizeof g_shapes[0]; i++) {
		const struct shape *sh = &g_shapes[i];
		size_t len;
		char *b = frame(sh, levels, "", &len);
		const char *want = sh->path ? "levels a side" : "more than 5000 a side";

		T_CHECK(len >= target);
		T_CHECK(refused(sh, b, len, PARSE_AUTO, want));
		T_CHECK(refused(sh, b, len, PARSE_JSON_ONLY, want));
		free(b);
	}
	free(levels);
}

/* Duplicate prices in a snapshot: the parsers pass levels on as sent (bookd
 * refuses the book, see test_sync t_quality_crossed_and_bad_level); a frame
 * repeating a key is refused by both paths. */
static void
t_hostile_duplicate_keys(void)
{
	for (size_t i = 0; i < sizeof g_shapes / sizeof g_shapes[0]; i++) {
		const struct shape *sh = &g_shapes[i];
		size_t len;
		char *b = frame(sh, "[\"1\",\"1\"]", sh->path ? (sh->p == &g_bn ? ",\"lastUpdateId\":6" : ",\"seqId\":988")
		    : (sh->p == &g_bn ? ",\"u\":7" : ",\"seqId\":16"), &len);

		T_CHECK(refused(sh, b, len, PARSE_AUTO, "duplicate"));
		T_CHECK(refused(sh, b, len, PARSE_SCAN_ONLY, "duplicate"));
		free(b);
	}
}

/* Decimal strings at the edges of the fast paths (parse_build.c fast_dec,
 * parse_scan.c sc_fast_dec and its 8-digit block). */
static const char *g_decimals[] = {
	"0", "1", "00", "0.1", "61737.63000000", "0.00000001", "0.000000001", "0.000000010",
	"92233720368.54775807", "92233720368.54775808", "9999999999.99999999", "1.", ".5", "1e3",
	"1.2.3", "", "-1", "+1", "12345678901234567890", "0000000000000000000001", "1.0000000000000000000",
	"184467440737.09551616", "5", "3027.00000000", "0.0000102", "8476.98", "1.1234567:", "1.12345/78",
	"1.123456789", "1.12345678 ", "1.1234567\\u0030", "1.00000000000", "0012.50000000", "1.1234567",
	"9999999999", "99999999999", "2683.8000000a", "\\u00312.5",
};

/* The fast decimal path must never disagree with fx_parse. */
static void
t_fast_decimal_matches_fx(void)
{
	const char **v = g_decimals;
	struct parse_ctx *p = &g_bn;
	const struct inst *in = inst_get(&g_reg, 1);

	for (size_t i = 0; i < sizeof g_decimals / sizeof g_decimals[0]; i++) {
		int64_t a = -77, b = -77;
		int ra = parse_px(p, in, v[i], strlen(v[i]), "x", &a);
		int rb = fx_parse(v[i], strlen(v[i]), in->px_exp, &b);
		if ((ra == 0) != (rb == FX_OK) || (ra == 0 && a != b)) {
			fprintf(stderr, "  \"%s\": fast %d/%lld fx %d/%lld\n", v[i], ra, (long long)a, rb, (long long)b);
			t_fail(__FILE__, __LINE__, "fast decimal path disagrees with fx_parse");
		}
	}
}

/*
 * The scanner's fused level reader (parse_scan.c sc_fast_dec, with its
 * 8-digit block) against jansson's path: each value as a price and as a size
 * of a depthUpdate; whatever fx_parse accepts the scanner accepts with
 * byte-identical records, whatever it refuses the scanner leaves to jansson,
 * which refuses it; an escaped value is always left to jansson.
 */
static void
t_fused_levels_match_json(void)
{
	const char **v = g_decimals;
	char f[512];

	for (size_t i = 0; i < sizeof g_decimals / sizeof g_decimals[0]; i++)
		for (int as_qty = 0; as_qty < 2; as_qty++) {
			int64_t x;
			int a, b, valid, escaped, same, ok;
			/* a level before and after, so a refused value cannot hide at an edge */
			snprintf(f, sizeof f, "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"ETHUSDT\",\"U\":5,\"u\":6,"
			    "\"b\":[[\"1.5\",\"2\"],[\"%s\",\"%s\"],[\"1.25\",\"3\"]],\"a\":[]}",
			    as_qty ? "1.75" : v[i], as_qty ? v[i] : "1.75");
			escaped = strchr(v[i], '\\') != NULL;
			valid = fx_parse(v[i], strlen(v[i]), FX_DEFAULT_EXP, &x) == FX_OK;
			sink_clear(&g_s);
			sink_clear(&g_s2);
			a = parse_ws_mode(&g_bn, f, strlen(f), 5, PARSE_SCAN_ONLY, sink_emit, &g_s);
			b = parse_ws_mode(&g_bn, f, strlen(f), 5, PARSE_JSON_ONLY, sink_emit, &g_s2);
			same = a == b && g_s.n == g_s2.n;
			for (int k = 0; same && k < g_s.n; k++)
				same = g_s.len[k] == g_s2.len[k] && memcmp(g_s.rec[k], g_s2.rec[k], g_s.len[k]) == 0;
			/* an escape is never the scanner's (jansson decodes it) */
			ok = escaped ? a == PARSE_FALLBACK : valid ? a == 1 && same : a == PARSE_FALLBACK && b < 1;
			if (!ok) {
				fprintf(stderr, "  \"%s\" as %s: scan %d json %d same %d\n", v[i],
				    as_qty ? "size" : "price", a, b, same);
				t_fail(__FILE__, __LINE__, "fused level reader disagrees with jansson");
			}
		}
}

/* A frame of the real USD-M recording (../shared/data), levels cut short. */
#define UM_DEPTH "{\"stream\":\"ethusdt@depth@0ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1723161256303," \
	"\"T\":1723161256302,\"s\":\"ETHUSDT\",\"U\":5123107832349,\"u\":5123107837896,\"pu\":5123107832175," \
	"\"b\":[[\"200.00\",\"10.229\"],[\"2681.13\",\"0.000\"]],\"a\":[[\"2681.63\",\"73.077\"]]}}"

static void
t_binance_futures(void)
{
	const struct rec_delta *d;
	const struct rec_snapshot *s;
	const struct rec_ticker *t;
	uint64_t slow = g_um.slow_path;
	const char *rest = "{\"lastUpdateId\":5123107856276,\"E\":1723161256567,\"T\":1723161256561,"
	    "\"bids\":[[\"2681.62\",\"16.969\"]],\"asks\":[[\"2681.63\",\"1.5\"]]}";

	/* depthUpdate with pu and T: the scanner takes it, jansson agrees byte for byte */
	WS_EQ(&g_um, UM_DEPTH, 1);
	T_EQ_U(g_um.slow_path, slow);
	d = (const void *)g_s.rec[0];
	T_CHECK(d && d->h.inst == 5 && d->h.first_id == 5123107832349LL && d->h.last_id == 5123107837896LL);
	T_CHECK(d && d->h.prev_id == 5123107832175LL);
	T_CHECK(d && d->h.exch_ns == 1723161256303000000LL);
	T_CHECK(agree(&g_um, UM_DEPTH, 1));
	/* COIN-M venue ids: BTCUSD_PERP, BTCUSD_240927 */
	T_CHECK(agree(&g_cm, "{\"e\":\"depthUpdate\",\"E\":1,\"T\":1,\"s\":\"BTCUSD_PERP\",\"U\":10,\"u\":12,"
	    "\"pu\":9,\"b\":[[\"60000.1\",\"3\"]],\"a\":[]}", 1));
	WS_EQ(&g_cm, "{\"e\":\"depthUpdate\",\"E\":1,\"T\":1,\"s\":\"BTCUSD_240927\",\"U\":10,\"u\":12,"
	    "\"pu\":9,\"b\":[],\"a\":[]}", 1);
	T_EQ_I(g_s.rec[0] ? ((struct rec_hdr *)g_s.rec[0])->inst : 0, 7);
	/* the chain needs pu: without it (or pu >= U) the frame is refused on both paths */
	WS_EQ(&g_um, "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"ETHUSDT\",\"U\":5,\"u\":6,\"b\":[],\"a\":[]}", -1);
	T_CHECK(strstr(g_um.err, "without pu") != NULL);
	WS_EQ(&g_um, "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"ETHUSDT\",\"U\":5,\"u\":6,\"pu\":5,\"b\":[],\"a\":[]}", -1);
	/* spot ignores a pu it has no use for */
	WS_EQ(&g_bn, "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"ETHUSDT\",\"U\":5,\"u\":6,\"pu\":4,\"b\":[],\"a\":[]}", 1);
	T_EQ_I(g_s.rec[0] ? ((struct rec_hdr *)g_s.rec[0])->prev_id : 0, -1);
	/* bookTicker names its event on futures; trade and aggTrade as spot */
	WS_EQ(&g_um, "{\"stream\":\"ethusdt@bookTicker\",\"data\":{\"e\":\"bookTicker\",\"u\":5123107838717,"
	    "\"s\":\"ETHUSDT\",\"b\":\"2681.62\",\"B\":\"1.165\",\"a\":\"2681.63\",\"A\":\"73.077\","
	    "\"T\":1723161256310,\"E\":1723161256311}}", 1);
	t = (const void *)g_s.rec[0];
	T_CHECK(t && t->h.type == REC_TICKER && t->h.last_id == 5123107838717LL && (t->have & TICK_BBO));
	WS_EQ(&g_um, "{\"stream\":\"ethusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":1723161256560,"
	    "\"T\":1723161256560,\"s\":\"ETHUSDT\",\"t\":4308068523,\"p\":\"2681.62\",\"q\":\"1.000\","
	    "\"X\":\"MARKET\",\"m\":true}}", 1);
	WS_EQ(&g_um, "{\"e\":\"aggTrade\",\"E\":1,\"a\":5,\"s\":\"ETHUSDT\",\"p\":\"2681.62\",\"q\":\"1\","
	    "\"f\":10,\"l\":12,\"T\":1,\"m\":false}", 1);
	/* REST /fapi/v1/depth (E, T beside lastUpdateId): scanner and jansson agree */
	sink_clear(&g_s);
	sink_clear(&g_s2);
	T_EQ_I(parse_rest_mode(&g_um, "/fapi/v1/depth?symbol=ETHUSDT&limit=1000", rest, strlen(rest), 5, 3,
	    PARSE_SCAN_ONLY, sink_emit, &g_s), 1);
	T_EQ_I(parse_rest_mode(&g_um, "/fapi/v1/depth?symbol=ETHUSDT&limit=1000", rest, strlen(rest), 5, 3,
	    PARSE_JSON_ONLY, sink_emit, &g_s2), 1);
	T_CHECK(g_s.n == 1 && g_s2.n == 1 && g_s.len[0] == g_s2.len[0] &&
	    memcmp(g_s.rec[0], g_s2.rec[0], g_s.len[0]) == 0);
	s = (const void *)g_s.rec[0];
	T_CHECK(s && s->h.last_id == 5123107856276LL && s->kind == SNAP_REST && s->req_id == 3);
	/* a spot path on a futures parser is not its depth */
	sink_clear(&g_s);
	T_EQ_I(parse_rest(&g_um, "/api/v3/depth?symbol=ETHUSDT&limit=5", rest, strlen(rest), 5, 3, sink_emit, &g_s), 0);
	T_EQ_I(g_s.n, 0);
	/* COIN-M REST */
	sink_clear(&g_s);
	T_EQ_I(parse_rest(&g_cm, "/dapi/v1/depth?symbol=BTCUSD_PERP&limit=1000", rest, strlen(rest), 5, 3,
	    sink_emit, &g_s), 1);
}

/* ---------------- Bybit ---------------- */

/* Bybit names both ways (common/venue.c VS_BYBIT, common/bybit.c). */
static void
t_bybit_names(void)
{
	static const struct { const char *canon, *vsym; int market; } t[] = {
		{"BTC-USDT", "BTCUSDT", BYBIT_SPOT}, {"BTC-USDT-SWAP", "BTCUSDT", BYBIT_LINEAR},
		{"ETH-USDC-SWAP", "ETHPERP", BYBIT_LINEAR}, {"BTC-USDT-241227", "BTCUSDT-27DEC24", BYBIT_LINEAR},
		{"BTC-USDC-250328", "BTC-28MAR25", BYBIT_LINEAR}, {"BTC-USD-SWAP", "BTCUSD", BYBIT_INVERSE},
	};
	const struct venue *v = venue_get(EX_BYBIT);
	char out[32];

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		T_EQ_I(venue_symbol(v, t[i].canon, out, sizeof out), 0);
		T_EQ_S(out, t[i].vsym);
		T_EQ_I((int)bybit_market_of(t[i].canon), t[i].market);
		T_EQ_I(bybit_canon_of((enum bybit_market)t[i].market, t[i].vsym, strlen(t[i].vsym), out, sizeof out), 0);
		T_EQ_S(out, t[i].canon);
	}
	T_EQ_I(venue_symbol(v, "BTC-USD-241227", out, sizeof out), 0);
	T_EQ_S(out, "BTCUSDZ24");
	/* month-code futures carry no day: no canonical name from them */
	T_EQ_I(bybit_canon_of(BYBIT_INVERSE, "BTCUSDZ24", 9, out, sizeof out), -1);
	T_EQ_I(bybit_canon_of(BYBIT_SPOT, "BTCPERP", 7, out, sizeof out), -1);
	T_EQ_I(bybit_market_of_path("/v5/public/inverse"), BYBIT_INVERSE);
	T_EQ_I(bybit_market_of_path("/v5/public/option"), -1);
}

#define BY_SNAP "{\"topic\":\"orderbook.1000.BTCUSDT\",\"type\":\"snapshot\",\"ts\":1672304484978,\"data\":{\"s\":\"BTCUSDT\"," \
    "\"b\":[[\"16493.50\",\"0.006\"],[\"16493.00\",\"0.100\"]],\"a\":[[\"16611.00\",\"0.029\"]],\"u\":18521288,\"seq\":7961638724},\"cts\":1672304484976}"
#define BY_DELTA "{\"topic\":\"orderbook.1000.BTCUSDT\",\"type\":\"delta\",\"ts\":1672304484999,\"data\":{\"s\":\"BTCUSDT\"," \
    "\"b\":[[\"16493.50\",\"0\"]],\"a\":[],\"u\":18521289,\"seq\":7961638725},\"cts\":1672304484976}"

static uint32_t
by_id(const char *canon)
{
	const struct inst *in = inst_find(&g_reg, EX_BYBIT, canon);

	return in ? in->id : 0;
}

static void
t_bybit_orderbook(void)
{
	const struct rec_snapshot *s;
	const struct rec_delta *d;

	g_by.ws_path = "/v5/public/linear";
	WS_EQ(&g_by, BY_SNAP, 1);
	s = (const void *)g_s.rec[0];
	T_EQ_I(s->h.type, REC_SNAPSHOT);
	T_EQ_I(s->kind, SNAP_WS);
	T_EQ_I(s->h.inst, by_id("BTC-USDT-SWAP"));       /* BTCUSDT on /linear is the perpetual */
	T_EQ_I(s->h.last_id, 18521288);
	T_EQ_I(s->n_bids, 2);
	T_EQ_I(s->n_asks, 1);
	T_EQ_I(s->lv[0].px, 1649350000000LL);
	T_EQ_I(s->lv[1].qty, 10000000);
	T_EQ_I(s->h.exch_ns, 1672304484978000000LL);
	T_EQ_I(s->xseq, 7961638724LL);                   /* the cross-depth seq, past 32 bits */
	WS_EQ(&g_by, BY_DELTA, 1);
	d = (const void *)g_s.rec[0];
	T_EQ_I(d->h.type, REC_DELTA);
	T_CHECK(d->h.first_id == 18521289 && d->h.last_id == 18521289 && d->h.prev_id == 18521288);
	T_EQ_I(d->xseq, 7961638725LL);
	T_EQ_I(d->n_bids, 1);
	T_EQ_I(d->lv[0].qty, 0);
	g_by.ws_path = "/v5/public/spot";
	WS_EQ(&g_by, BY_SNAP, 1);
	T_EQ_I(((const struct rec_hdr *)g_s.rec[0])->inst, by_id("BTC-USDT"));   /* and on /spot the pair */
	g_by.ws_path = NULL;                                  /* no path: the default market, spot */
	WS_EQ(&g_by, BY_SNAP, 1);
	T_EQ_I(((const struct rec_hdr *)g_s.rec[0])->inst, by_id("BTC-USDT"));
	g_by.ws_path = "/v5/public/inverse";                  /* BTCUSDT is not an inverse contract */
	uint64_t unk = g_by.unknown;
	WS_EQ(&g_by, BY_SNAP, 0);
	T_EQ_U(g_by.unknown, unk + 1);
}

/* orderbook.1: the BBO at seq, for bookd's check (SNAP_TOP, its own u). */
static void
t_bybit_orderbook1(void)
{
	const struct rec_snapshot *s;
	uint64_t errs, unk;

	g_by.ws_path = "/v5/public/linear";
	WS_EQ(&g_by, "{\"topic\":\"orderbook.1.BTCUSDT\",\"type\":\"snapshot\",\"ts\":1672304484980,\"data\":{\"s\":"
	    "\"BTCUSDT\",\"b\":[[\"16493.50\",\"0.006\"]],\"a\":[[\"16611.00\",\"0.029\"]],\"u\":3021,\"seq\":7961638724},"
	    "\"cts\":1672304484976}", 1);
	s = (const void *)g_s.rec[0];
	T_CHECK(s->h.type == REC_SNAPSHOT && s->kind == SNAP_TOP && s->h.inst == by_id("BTC-USDT-SWAP"));
	T_CHECK(s->h.last_id == 3021 && s->xseq == 7961638724LL && s->n_bids == 1 && s->n_asks == 1);
	T_EQ_I(s->lv[1].px, 1661100000000LL);
	/* an empty side is a side without levels, not an error */
	WS_EQ(&g_by, "{\"topic\":\"orderbook.1.BTCUSDT\",\"type\":\"snapshot\",\"ts\":1,\"data\":{\"b\":[],"
	    "\"a\":[[\"16611.00\",\"0.029\"]],\"u\":3022,\"seq\":7961638730}}", 1);
	T_EQ_I(((const struct rec_snapshot *)g_s.rec[0])->n_bids, 0);
	errs = g_by.errors;
	unk = g_by.unknown;
	/* depth 1 sends snapshots only; at most one level a side; a seq is needed to place it */
	WS_EQ(&g_by, "{\"topic\":\"orderbook.1.BTCUSDT\",\"type\":\"delta\",\"ts\":1,\"data\":{\"b\":[],\"a\":[],"
	    "\"u\":5,\"seq\":9}}", -1);
	T_CHECK(strstr(g_by.err, "snapshots only") != NULL);
	WS_EQ(&g_by, "{\"topic\":\"orderbook.1.BTCUSDT\",\"type\":\"snapshot\",\"ts\":1,\"data\":{\"b\":[[\"2\",\"1\"],"
	    "[\"1\",\"1\"]],\"a\":[],\"u\":5,\"seq\":9}}", -1);
	WS_EQ(&g_by, "{\"topic\":\"orderbook.1.BTCUSDT\",\"type\":\"snapshot\",\"ts\":1,\"data\":{\"b\":[],\"a\":[],"
	    "\"u\":5,\"seq\":-9}}", -1);
	T_EQ_U(g_by.errors, errs + 3);
	WS_EQ(&g_by, "{\"topic\":\"orderbook.1.BTCUSDT\",\"type\":\"snapshot\",\"ts\":1,\"data\":{\"b\":[],\"a\":[],"
	    "\"u\":5}}", 0);
	T_EQ_U(g_by.unknown, unk + 1);
	/* orderbook.1000 without seq: still a book record, xseq 0 (none) */
	WS_EQ(&g_by, "{\"topic\":\"orderbook.1000.BTCUSDT\",\"type\":\"delta\",\"ts\":1,\"data\":{\"b\":[],\"a\":[],"
	    "\"u\":5}}", 1);
	T_EQ_I(((const struct rec_delta *)g_s.rec[0])->xseq, 0);
}

static void
t_bybit_bad_frames(void)
{
	uint64_t errs = g_by.errors;

	g_by.ws_path = "/v5/public/linear";
	WS_EQ(&g_by, "{\"topic\":\"orderbook.1000.BTCUSDT\",\"type\":\"delta\",\"ts\":1,\"data\":{\"b\":[],\"a\":[]}}", -1);
	T_CHECK(strstr(g_by.err, "\"u\"") != NULL);
	WS_EQ(&g_by, "{\"topic\":\"orderbook.1000.BTCUSDT\",\"type\":\"other\",\"ts\":1,\"data\":{\"b\":[],\"a\":[],\"u\":5}}", -1);
	WS_EQ(&g_by, "{\"topic\":\"orderbook.1000.BTCUSDT\",\"type\":\"delta\",\"ts\":1,\"data\":{\"b\":[[\"-1\",\"1\"]],\"a\":[],\"u\":5}}", -1);
	WS_EQ(&g_by, "{\"topic\":\"orderbook.1000.BTCUSDT\",\"type\":\"delta\",\"ts\":1,\"data\":{\"b\":[],\"a\":[],\"u\":0}}", -1);
	WS_EQ(&g_by, "{\"type\":\"delta\"}", -1);
	WS_EQ(&g_by, "[1,2]", -1);
	g_by.ws_path = "/v5/public/option";
	WS_EQ(&g_by, BY_DELTA, -1);
	T_EQ_U(g_by.errors, errs + 7);
	g_by.ws_path = "/v5/public/linear";
	WS_EQ(&g_by, "{\"topic\":\"liquidation.BTCUSDT\",\"type\":\"snapshot\",\"ts\":1,\"data\":{}}", 0);
}

/* allLiquidation: S is the liquidated position's side; the record has the order's. */
static void
t_bybit_liquidations(void)
{
	const struct rec_market *m;

	g_by.ws_path = "/v5/public/linear";
	WS_EQ(&g_by, "{\"topic\":\"allLiquidation.BTCUSDT\",\"type\":\"snapshot\",\"ts\":1739502303204,\"data\":["
	    "{\"T\":1739502302929,\"s\":\"BTCUSDT\",\"S\":\"Buy\",\"v\":\"0.250\",\"p\":\"96012.30\"},"
	    "{\"T\":1739502302931,\"s\":\"BTCUSDT\",\"S\":\"Sell\",\"v\":\"1.5\",\"p\":\"96100\"}]}", 2);
	m = (const void *)g_s.rec[0];
	T_CHECK(m->h.type == REC_MARKET && m->h.aux == MK_LIQUIDATION && m->h.inst == by_id("BTC-USDT-SWAP"));
	T_EQ_I(m->liq_side, SIDE_SELL);            /* a long was closed: a sell order */
	T_EQ_I(m->liq_px, 9601230000000LL);
	T_EQ_I(m->liq_qty, 25000000);
	T_EQ_I(m->liq_avg_px, MKT_NONE);
	T_EQ_I(m->h.exch_ns, 1739502302929000000LL);
	m = (const void *)g_s.rec[1];
	T_EQ_I(m->liq_side, SIDE_BUY);
	T_EQ_I(m->funding_rate, MKT_NONE);
	/* refused: unknown side, zero size, no data array */
	WS_EQ(&g_by, "{\"topic\":\"allLiquidation.BTCUSDT\",\"ts\":1,\"data\":[{\"T\":1,\"S\":\"Up\",\"v\":\"1\",\"p\":\"1\"}]}", -1);
	WS_EQ(&g_by, "{\"topic\":\"allLiquidation.BTCUSDT\",\"ts\":1,\"data\":[{\"T\":1,\"S\":\"Buy\",\"v\":\"0\",\"p\":\"1\"}]}", -1);
	WS_EQ(&g_by, "{\"topic\":\"allLiquidation.BTCUSDT\",\"ts\":1,\"data\":{}}", -1);
	g_by.ws_path = NULL;
}

static void
t_bybit_tickers(void)
{
	const struct rec_ticker *t;
	const struct rec_market *m;

	g_by.ws_path = "/v5/public/linear";
	WS_EQ(&g_by, "{\"topic\":\"tickers.BTCUSDT\",\"type\":\"snapshot\",\"data\":{\"symbol\":\"BTCUSDT\",\"lastPrice\":\"17216.00\","
	    "\"prevPrice24h\":\"16926.50\",\"highPrice24h\":\"17281.50\",\"lowPrice24h\":\"16915.00\",\"markPrice\":\"17217.33\","
	    "\"indexPrice\":\"17227.36\",\"openInterest\":\"68744.761\",\"openInterestValue\":\"1183601235.91\","
	    "\"turnover24h\":\"1570383121.943499\",\"volume24h\":\"91705.276\",\"nextFundingTime\":\"1673280000000\","
	    "\"fundingRate\":\"-0.000212\",\"fundingIntervalHour\":\"8\",\"bid1Price\":\"17215.50\",\"bid1Size\":\"84.489\","
	    "\"ask1Price\":\"17216.00\",\"ask1Size\":\"83.020\"},\"cs\":24987956059,\"ts\":1673272861686}", 4);
	t = (const void *)g_s.rec[0];
	T_EQ_I(t->h.type, REC_TICKER);
	T_EQ_I(t->have, TICK_BBO | TICK_LAST | TICK_24H);
	T_EQ_I(t->bid_px, 1721550000000LL);
	T_EQ_I(t->open_24h, 1692650000000LL);
	m = (const void *)g_s.rec[1];
	T_CHECK(m->h.type == REC_MARKET && m->h.aux == MK_FUNDING);
	T_EQ_I(m->funding_rate, -212000000000000LL);
	T_EQ_I(m->settle_ns, 1673280000000000000LL);
	T_EQ_U(m->funding_interval_s, 28800);
	T_EQ_I(m->mark_px, MKT_NONE);
	T_EQ_I(m->h.exch_ns, 1673272861686000000LL);
	m = (const void *)g_s.rec[2];
	T_CHECK(m->h.aux == MK_OPEN_INTEREST && m->oi_contracts == 6874476100000LL && m->oi_quote == 11836012359100LL);
	T_EQ_I(m->oi_base, MKT_NONE);
	m = (const void *)g_s.rec[3];
	T_CHECK(m->h.aux == MK_MARK && m->mark_px == 1721733000000LL && m->index_px == 1722736000000LL);
	/* an inverse delta with two fields: no ticker groups, funding (no time) and open interest */
	g_by.ws_path = "/v5/public/inverse";
	WS_EQ(&g_by, "{\"topic\":\"tickers.BTCUSD\",\"type\":\"delta\",\"data\":{\"symbol\":\"BTCUSD\",\"fundingRate\":\"0.0001\","
	    "\"openInterest\":\"123456\"},\"cs\":1,\"ts\":1673272861686}", 2);
	m = (const void *)g_s.rec[0];
	T_CHECK(m->h.aux == MK_FUNDING && m->h.inst == by_id("BTC-USD-SWAP") && m->funding_rate == 100000000000000LL);
	T_EQ_I(m->settle_ns, MKT_NONE);
	T_EQ_I(((const struct rec_market *)g_s.rec[1])->h.aux, MK_OPEN_INTEREST);
	/* a spot ticker: no derivatives records */
	g_by.ws_path = "/v5/public/spot";
	WS_EQ(&g_by, "{\"topic\":\"tickers.BTCUSDT\",\"ts\":1673853746003,\"type\":\"snapshot\",\"cs\":2588407389,\"data\":{"
	    "\"symbol\":\"BTCUSDT\",\"lastPrice\":\"21109.77\",\"highPrice24h\":\"21426.99\",\"lowPrice24h\":\"20575\","
	    "\"prevPrice24h\":\"20704.93\",\"volume24h\":\"6780.866843\",\"turnover24h\":\"141946527.22907118\","
	    "\"price24hPcnt\":\"0.0196\",\"usdIndexPrice\":\"21120.2400136\"}}", 1);
	T_EQ_I(((const struct rec_ticker *)g_s.rec[0])->have, TICK_LAST | TICK_24H);
	g_by.ws_path = "/v5/public/linear";
	WS_EQ(&g_by, "{\"topic\":\"tickers.BTCUSDT\",\"type\":\"delta\",\"data\":{\"fundingRate\":\"x\"},\"ts\":1}", -1);
}

static void
t_bybit_trades_klines(void)
{
	const struct rec_trade *t;
	const struct rec_kline *k;

	g_by.ws_path = "/v5/public/linear";
	WS_EQ(&g_by, "{\"topic\":\"publicTrade.BTCUSDT\",\"type\":\"snapshot\",\"ts\":1672304486868,\"data\":[{\"T\":1672304486865,"
	    "\"s\":\"BTCUSDT\",\"S\":\"Buy\",\"v\":\"0.001\",\"p\":\"16578.50\",\"L\":\"PlusTick\","
	    "\"i\":\"20f43950-d8dd-5b31-9112-a178eb6023af\",\"BT\":false},{\"T\":1672304486866,\"s\":\"BTCUSDT\",\"S\":\"Sell\","
	    "\"v\":\"0.002\",\"p\":\"16578.00\",\"L\":\"MinusTick\",\"i\":\"4412\",\"BT\":false}]}", 2);
	t = (const void *)g_s.rec[0];
	T_CHECK(t->side == SIDE_BUY && t->px == 1657850000000LL && t->qty == 100000 && t->h.first_id > 0);
	T_EQ_I(t->trade_ns, 1672304486865000000LL);
	t = (const void *)g_s.rec[1];
	T_CHECK(t->side == SIDE_SELL && t->h.first_id == 4412);
	WS_EQ(&g_by, "{\"topic\":\"kline.1.BTCUSDT\",\"data\":[{\"start\":1672324800000,\"end\":1672324859999,\"interval\":\"1\","
	    "\"open\":\"16649.5\",\"close\":\"16677\",\"high\":\"16677\",\"low\":\"16608\",\"volume\":\"2.081\",\"turnover\":\"34666.4005\","
	    "\"confirm\":true,\"timestamp\":1672324988882}],\"ts\":1672324988882,\"type\":\"snapshot\"}", 1);
	k = (const void *)g_s.rec[0];
	T_CHECK(k->interval_s == 60 && k->closed == 1 && k->c == 1667700000000LL && k->vol == 208100000);
	T_EQ_I(k->close_ns, 1672324859999000000LL);
	WS_EQ(&g_by, "{\"topic\":\"kline.7.BTCUSDT\",\"data\":[],\"ts\":1,\"type\":\"snapshot\"}", 0);
	WS_EQ(&g_by, "{\"topic\":\"publicTrade.BTCUSDT\",\"data\":[{\"T\":1,\"S\":\"Both\",\"v\":\"1\",\"p\":\"1\",\"i\":\"1\"}]}", -1);
}

static void
t_bybit_control(void)
{
	g_by.ws_path = "/v5/public/linear";
	WS_EQ(&g_by, "{\"success\":true,\"ret_msg\":\"pong\",\"conn_id\":\"465772b1\",\"op\":\"ping\"}", 0);
	T_EQ_I(g_by.notice, PN_PONG);
	g_by.ws_path = "/v5/public/spot";
	WS_EQ(&g_by, "{\"req_id\":\"\",\"op\":\"pong\",\"args\":[\"1675418560633\"],\"conn_id\":\"cfcb\"}", 0);
	T_EQ_I(g_by.notice, PN_PONG);
	WS_EQ(&g_by, "{\"success\":true,\"ret_msg\":\"subscribe\",\"conn_id\":\"2324d9\",\"req_id\":\"subscribe1\",\"op\":\"subscribe\"}", 0);
	T_EQ_I(g_by.notice, PN_SUB_ACK);
	WS_EQ(&g_by, "{\"success\":false,\"ret_msg\":\"error:handler not found\",\"conn_id\":\"2324d9\",\"op\":\"subscribe\"}", 0);
	T_EQ_I(g_by.notice, PN_SUB_ERROR);
	T_CHECK(strstr(g_by.err, "handler not found") != NULL);
}

static void
t_bybit_rest(void)
{
	const char *body = "{\"retCode\":0,\"retMsg\":\"OK\",\"result\":{\"s\":\"BTCUSD\",\"a\":[[\"65557.7\",\"16606\"]],"
	    "\"b\":[[\"65485.5\",\"47081\"],[\"65485\",\"1\"]],\"ts\":1716863719031,\"u\":230704,\"seq\":1432604333,"
	    "\"cts\":1716863718905},\"retExtInfo\":{},\"time\":1716863719382}";
	const struct rec_snapshot *s;

	sink_clear(&g_s);
	T_EQ_I(parse_rest(&g_by, "/v5/market/orderbook?category=inverse&symbol=BTCUSD&limit=500", body, strlen(body), 9, 31,
	    sink_emit, &g_s), 1);
	s = (const void *)g_s.rec[0];
	T_CHECK(s->kind == SNAP_REST && s->h.inst == by_id("BTC-USD-SWAP") && s->h.last_id == 230704 && s->req_id == 31);
	T_CHECK(s->n_bids == 2 && s->n_asks == 1 && s->lv[2].qty == 1660600000000LL);
	T_EQ_I(s->xseq, 1432604333);                      /* placed against the WS book by seq, not u */
	sink_clear(&g_s);
	body = "{\"retCode\":10006,\"retMsg\":\"Too many visits!\",\"result\":{}}";
	T_EQ_I(parse_rest(&g_by, "/v5/market/orderbook?category=linear&symbol=BTCUSDT&limit=500", body, strlen(body), 9, 32,
	    sink_emit, &g_s), -1);
	T_CHECK(strstr(g_by.err, "10006") != NULL);
	T_EQ_I(parse_rest(&g_by, "/v5/market/orderbook?symbol=BTCUSDT", body, strlen(body), 9, 33, sink_emit, &g_s), -1);
	T_EQ_I(parse_rest(&g_by, "/v5/market/instruments-info?category=linear", "{}", 2, 9, 0, sink_emit, &g_s), -1);
}

/* ---------------- Deribit (parse_deribit.c, common/djson.c) ---------------- */
#define DR_SUB(ch, data) "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":\"" ch "\",\"data\":" data "}}"
#define DR_SNAP DR_SUB("book.BTC-PERPETUAL.100ms", "{\"type\":\"snapshot\",\"timestamp\":1554373962454,\"instrument_name\":" \
    "\"BTC-PERPETUAL\",\"change_id\":297217,\"bids\":[[\"new\",5042.34,30],[\"new\",5041.94,0.1]],\"asks\":[[\"new\",5042.64,40]]}")

static uint32_t
dr_id(const char *canon)
{
	const struct inst *in = inst_find(&g_reg, EX_DERIBIT, canon);

	return in ? in->id : 0;
}

/* Numbers are read from their text: 0.1 and 5041.94 exactly (a double
 * cannot hold either), exponents as fx_parse reads them. */
static void
t_deribit_book(void)
{
	const struct rec_snapshot *s;
	const struct rec_delta *d;

	WS_EQ(&g_dr, DR_SNAP, 1);
	s = (const void *)g_s.rec[0];
	T_EQ_I(s->h.type, REC_SNAPSHOT);
	T_EQ_I(s->kind, SNAP_WS);
	T_EQ_I(s->h.inst, dr_id("BTC-USD-SWAP"));
	T_EQ_I(s->h.last_id, 297217);
	T_EQ_I(s->h.prev_id, -1);
	T_EQ_I(s->n_bids, 2);
	T_EQ_I(s->n_asks, 1);
	T_EQ_I(s->lv[0].px, 504234000000LL);
	T_EQ_I(s->lv[0].qty, 3000000000LL);
	T_EQ_I(s->lv[1].px, 504194000000LL);
	T_EQ_I(s->lv[1].qty, 10000000);
	T_EQ_I(s->h.exch_ns, 1554373962454000000LL);
	WS_EQ(&g_dr, DR_SUB("book.BTC-PERPETUAL.raw", "{\"type\":\"change\",\"timestamp\":1554373911330,\"prev_change_id\":297217,"
	    "\"instrument_name\":\"BTC-PERPETUAL\",\"change_id\":297218,\"bids\":[[\"delete\",5041.94,0],[\"change\",5042.34,1E1]],"
	    "\"asks\":[[\"new\",5043.3,4.0e-1],[\"delete\",5042.64,40]]}"), 1);
	d = (const void *)g_s.rec[0];
	T_EQ_I(d->h.type, REC_DELTA);
	T_EQ_I(d->h.first_id, 297218);
	T_EQ_I(d->h.last_id, 297218);
	T_EQ_I(d->h.prev_id, 297217);
	T_EQ_I(d->n_bids, 2);
	T_EQ_I(d->n_asks, 2);
	T_EQ_I(d->lv[0].qty, 0);
	T_EQ_I(d->lv[1].qty, 1000000000LL);
	T_EQ_I(d->lv[2].px, 504330000000LL);
	T_EQ_I(d->lv[2].qty, 40000000);
	T_EQ_I(d->lv[3].qty, 0);              /* delete: size 0 whatever amount says */
	/* an option, by its Deribit name */
	WS_EQ(&g_dr, DR_SUB("book.BTC-27SEP24-60000-C.100ms", "{\"type\":\"snapshot\",\"timestamp\":1,\"instrument_name\":"
	    "\"BTC-27SEP24-60000-C\",\"change_id\":5,\"bids\":[[\"new\",0.0125,12.5]],\"asks\":[]}"), 1);
	s = (const void *)g_s.rec[0];
	T_EQ_I(s->h.inst, dr_id("BTC-240927-60000-C"));
	T_EQ_I(s->lv[0].px, 1250000);
}

static void
t_deribit_bad_frames(void)
{
	static const char *const bad[] = {
		"{\"jsonrpc\":\"2.0\",\"method\":\"subscription\"",                               /* cut short */
		"{\"a\":1} x",                                                                     /* trailing garbage */
		"{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":-}", "{\"a\":1e}", "{\"a\":\"\\x\"}", "{\"a\":\"\x01\"}",
		"{\"a\":[1,]}", "{\"a\" 1}", "{\"a\":tru}", "[1,2]",
		DR_SUB("book.BTC-PERPETUAL.100ms", "{\"type\":\"change\",\"timestamp\":1,\"change_id\":9,\"bids\":[],\"asks\":[]}"),
		DR_SUB("book.BTC-PERPETUAL.100ms", "{\"type\":\"change\",\"timestamp\":1,\"prev_change_id\":9,\"change_id\":9,"
		    "\"bids\":[],\"asks\":[]}"),
		DR_SUB("book.BTC-PERPETUAL.100ms", "{\"type\":\"other\",\"timestamp\":1,\"change_id\":9,\"bids\":[],\"asks\":[]}"),
		DR_SUB("book.BTC-PERPETUAL.100ms", "{\"type\":\"snapshot\",\"timestamp\":1,\"change_id\":9,\"bids\":[[\"add\",1,1]],"
		    "\"asks\":[]}"),
		DR_SUB("book.BTC-PERPETUAL.100ms", "{\"type\":\"snapshot\",\"timestamp\":1,\"change_id\":9,\"bids\":[[\"new\",\"1\",1]],"
		    "\"asks\":[]}"),
		DR_SUB("book.BTC-PERPETUAL.100ms", "{\"type\":\"snapshot\",\"timestamp\":1,\"change_id\":9,\"bids\":[[1,1]],\"asks\":[]}"),
		DR_SUB("book.BTC-PERPETUAL.100ms", "{\"type\":\"snapshot\",\"timestamp\":1,\"change_id\":9,\"bids\":[[\"new\",-1,1]],"
		    "\"asks\":[]}"),
		DR_SUB("book.BTC-PERPETUAL.100ms", "{\"type\":\"snapshot\",\"timestamp\":1,\"change_id\":9,\"bids\":[[\"new\",1.000000001,1]],"
		    "\"asks\":[]}"),                                                              /* more decimals than -8 holds */
		DR_SUB("book.BTC-PERPETUAL.100ms", "{\"type\":\"snapshot\",\"timestamp\":1,\"change_id\":0,\"bids\":[],\"asks\":[]}"),
		DR_SUB("book.BTC-PERPETUAL.100ms", "[]"),
		DR_SUB("trades.BTC-PERPETUAL.100ms", "[{\"trade_seq\":1,\"timestamp\":1,\"price\":1,\"amount\":1,\"direction\":\"up\"}]"),
		DR_SUB("ticker.BTC-PERPETUAL.100ms", "{\"timestamp\":1,\"mark_price\":\"5\"}"),
		"{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{}}",
	};
	char deep[200];
	uint64_t errs = g_dr.errors, unk = g_dr.unknown;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int r = ws(&g_dr, bad[i]);
		if (r != -1)
			fprintf(stderr, "  frame %zu: %d\n", i, r);
		T_EQ_I(r, -1);
		T_EQ_I(g_s.n, 0);
	}
	/* nesting deeper than the reader takes */
	memset(deep, '[', sizeof deep - 1);
	deep[sizeof deep - 1] = 0;
	WS_EQ(&g_dr, deep, -1);
	T_EQ_U(g_dr.errors, errs + sizeof bad / sizeof bad[0] + 1);
	/* well-formed, not ours: unknown, not an error */
	WS_EQ(&g_dr, DR_SUB("book.ETH-PERPETUAL.100ms", "{\"type\":\"snapshot\",\"timestamp\":1,\"change_id\":9,\"bids\":[],"
	    "\"asks\":[]}"), 0);
	WS_EQ(&g_dr, DR_SUB("deribit_price_index.btc_usd", "{\"price\":1}"), 0);
	WS_EQ(&g_dr, "{\"jsonrpc\":\"2.0\",\"method\":\"announcements\",\"params\":{}}", 0);
	T_EQ_U(g_dr.unknown, unk + 3);
	T_EQ_U(g_dr.errors, errs + sizeof bad / sizeof bad[0] + 1);
}

static void
t_deribit_ticker_trades(void)
{
	const struct rec_ticker *t;
	const struct rec_market *m;
	const struct rec_trade *tr;

	WS_EQ(&g_dr, DR_SUB("ticker.BTC-PERPETUAL.100ms", "{\"timestamp\":1623060194301,\"instrument_name\":\"BTC-PERPETUAL\","
	    "\"best_bid_price\":36443,\"best_bid_amount\":5000,\"best_ask_price\":36443.5,\"best_ask_amount\":8690,"
	    "\"last_price\":36443.5,\"mark_price\":36446.51,\"index_price\":36441.64,\"open_interest\":502097590,"
	    "\"funding_8h\":-0.00000335,\"current_funding\":0,\"settlement_price\":36300.41,\"stats\":{\"volume\":1.2}}"), 4);
	t = (const void *)g_s.rec[0];
	T_EQ_I(t->h.type, REC_TICKER);
	T_CHECK(t->have == (TICK_BBO | TICK_LAST));
	T_EQ_I(t->ask_px, 3644350000000LL);
	m = (const void *)g_s.rec[1];
	T_EQ_I(m->h.type, REC_MARKET);
	T_EQ_I(m->h.aux, MK_FUNDING);
	T_EQ_I(m->funding_rate, -3350000000000LL);      /* -0.00000335 at 1e-18 */
	T_EQ_U(m->funding_interval_s, 28800);
	m = (const void *)g_s.rec[2];
	T_EQ_I(m->h.aux, MK_OPEN_INTEREST);
	T_EQ_I(m->oi_quote, 5020975900000LL);            /* USD, at 1e-4 */
	T_EQ_I(m->oi_base, MKT_NONE);
	m = (const void *)g_s.rec[3];
	T_EQ_I(m->h.aux, MK_MARK);
	T_EQ_I(m->mark_px, 3644651000000LL);
	/* an option: no funding, open interest in the coin; an empty side (price 0) is no BBO, null is absent */
	WS_EQ(&g_dr, DR_SUB("ticker.BTC-27SEP24-60000-C.100ms", "{\"timestamp\":1,\"best_bid_price\":0,\"best_bid_amount\":0,"
	    "\"best_ask_price\":0.013,\"best_ask_amount\":2,\"last_price\":null,\"mark_price\":0.0121,\"index_price\":60100.5,"
	    "\"open_interest\":12.5,\"greeks\":{\"delta\":0.5}}"), 2);
	m = (const void *)g_s.rec[0];
	T_EQ_I(m->h.aux, MK_OPEN_INTEREST);
	T_EQ_I(m->oi_base, 125000);
	T_EQ_I(m->oi_quote, MKT_NONE);
	WS_EQ(&g_dr, DR_SUB("trades.BTC-PERPETUAL.100ms", "[{\"trade_seq\":30289432,\"trade_id\":\"48079254\",\"timestamp\":"
	    "1590484156350,\"tick_direction\":0,\"price\":8950,\"mark_price\":8948.9,\"instrument_name\":\"BTC-PERPETUAL\","
	    "\"index_price\":8955.88,\"direction\":\"sell\",\"amount\":10},{\"trade_seq\":30289433,\"trade_id\":\"48079255\","
	    "\"timestamp\":1590484156351,\"price\":8950.5,\"instrument_name\":\"BTC-PERPETUAL\",\"direction\":\"buy\",\"amount\":20}]"), 2);
	tr = (const void *)g_s.rec[1];
	T_EQ_I(tr->h.type, REC_TRADE);
	T_EQ_I(tr->h.last_id, 30289433);
	T_EQ_I(tr->side, SIDE_BUY);
	T_EQ_I(tr->px, 895050000000LL);
}

static void
t_deribit_control(void)
{
	WS_EQ(&g_dr, "{\"jsonrpc\":\"2.0\",\"method\":\"heartbeat\",\"params\":{\"type\":\"test_request\"}}", 0);
	T_EQ_I(g_dr.notice, PN_REPLY);
	T_CHECK(strstr(g_dr.reply, "\"public/test\"") && strstr(g_dr.reply, "\"id\":9000"));
	WS_EQ(&g_dr, "{\"jsonrpc\":\"2.0\",\"method\":\"heartbeat\",\"params\":{\"type\":\"heartbeat\"}}", 0);
	T_EQ_I(g_dr.notice, PN_NONE);
	WS_EQ(&g_dr, "{\"jsonrpc\":\"2.0\",\"id\":9000,\"result\":{\"version\":\"1.2.26\"}}", 0);
	T_EQ_I(g_dr.notice, PN_PONG);
	WS_EQ(&g_dr, "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":[\"book.BTC-PERPETUAL.100ms\"]}", 0);
	T_EQ_I(g_dr.notice, PN_SUB_ACK);
	WS_EQ(&g_dr, "{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":-32602,\"message\":\"Invalid params\"}}", 0);
	T_EQ_I(g_dr.notice, PN_SUB_ERROR);
	T_CHECK(strstr(g_dr.err, "Invalid params") != NULL);
}

static void
t_deribit_rest(void)
{
	static const char body[] = "{\"jsonrpc\":\"2.0\",\"result\":{\"timestamp\":1550757626706,\"state\":\"open\","
	    "\"change_id\":3005,\"bids\":[[3955.75,30.0],[3940.75,102020.0]],\"asks\":[[3956.25,3000.5]],"
	    "\"instrument_name\":\"BTC-PERPETUAL\"},\"usIn\":1,\"usOut\":2,\"usDiff\":1,\"testnet\":false}";
	const struct rec_snapshot *s;
	int r;

	sink_clear(&g_s);
	r = parse_rest(&g_dr, "/api/v2/public/get_order_book?instrument_name=BTC-PERPETUAL&depth=1000", body, strlen(body),
	    5, 77, sink_emit, &g_s);
	T_EQ_I(r, 1);
	s = (const void *)g_s.rec[0];
	T_EQ_I(s->kind, SNAP_REST);
	T_EQ_I(s->req_id, 77);
	T_EQ_I(s->h.last_id, 3005);
	T_EQ_I(s->n_bids, 2);
	T_EQ_I(s->lv[2].qty, 300050000000LL);
	sink_clear(&g_s);
	r = parse_rest(&g_dr, "/api/v2/public/get_order_book?instrument_name=BTC-PERPETUAL", "{\"jsonrpc\":\"2.0\","
	    "\"error\":{\"code\":10028,\"message\":\"too_many_requests\"}}", 70, 5, 78, sink_emit, &g_s);
	T_EQ_I(r, -1);
	T_CHECK(strstr(g_dr.err, "too_many_requests") != NULL);
}

int
main(void)
{
	setup();
	T_RUN(t_binance_futures);
	T_RUN(t_binance_depth);
	T_RUN(t_binance_depth_fallbacks);
	T_RUN(t_binance_bad_frames);
	T_RUN(t_binance_other_channels);
	T_RUN(t_binance_control);
	T_RUN(t_binance_rest);
	T_RUN(t_snapshot_chunks);
	T_RUN(t_okx_books);
	T_RUN(t_okx_legacy_books);
	T_RUN(t_okx_other_channels);
	T_RUN(t_okx_control);
	T_RUN(t_okx_rest);
	T_RUN(t_emit_refused);
	T_RUN(t_fast_decimal_matches_fx);
	T_RUN(t_fused_levels_match_json);
	T_RUN(t_hostile_values);
	T_RUN(t_hostile_nesting);
	T_RUN(t_hostile_50mb);
	T_RUN(t_hostile_duplicate_keys);
	T_RUN(t_bybit_names);
	T_RUN(t_bybit_orderbook);
	T_RUN(t_bybit_orderbook1);
	T_RUN(t_bybit_bad_frames);
	T_RUN(t_bybit_tickers);
	T_RUN(t_bybit_liquidations);
	T_RUN(t_bybit_trades_klines);
	T_RUN(t_bybit_control);
	T_RUN(t_bybit_rest);
	T_RUN(t_deribit_book);
	T_RUN(t_deribit_bad_frames);
	T_RUN(t_deribit_ticker_trades);
	T_RUN(t_deribit_control);
	T_RUN(t_deribit_rest);
	sink_clear(&g_s);
	sink_clear(&g_s2);
	parse_free(&g_bn);
	parse_free(&g_dr);
	parse_free(&g_ok);
	parse_free(&g_um);
	parse_free(&g_cm);
	parse_free(&g_by);
	return t_done();
}
