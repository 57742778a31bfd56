/* test_rec.c - records: build, check, describe as JSON, round trip; malformations; layout description. */
#include <jansson.h>
#include <stdlib.h>

#include "inst.h"
#include "rec.h"
#include "rec_desc.h"
#include "../t.h"

static struct inst_registry reg;

static void
setup_registry(void)
{
	char err[128];

	inst_reg_free(&reg);   /* empty again (static: set up more than once) */
	inst_add(&reg, EX_BINANCE, "BTC-USDT", err, sizeof err);    /* 1 */
	inst_add(&reg, EX_OKX, "BTC-USDT", err, sizeof err);        /* 2 */
}

/* ---- builders: each returns a malloc'd record of exactly its length ---- */

static void *
mk_delta(uint32_t nb, uint32_t na, uint32_t inst)
{
	size_t n = rec_delta_size(nb, na);
	struct rec_delta *d = calloc(1, n);

	rec_hdr_init(&d->h, REC_DELTA, inst, (uint32_t)n);
	d->h.first_id = 100;
	d->h.last_id = 105;
	d->h.exch_ns = 1723161253937000000LL;
	d->h.recv_ns = 1723161253937085768LL;
	d->n_bids = nb;
	d->n_asks = na;
	for (uint32_t i = 0; i < nb + na; i++) {
		d->lv[i].px = 6173763000000LL + (int64_t)i * 1000000;
		d->lv[i].qty = (int64_t)i * 100000000;
	}
	d->best_bid_px = 6173763000000LL;
	return d;
}

static void *
mk_snapshot(uint32_t nb, uint32_t na, uint32_t inst)
{
	size_t n = rec_snapshot_size(nb, na);
	struct rec_snapshot *s = calloc(1, n);

	rec_hdr_init(&s->h, REC_SNAPSHOT, inst, (uint32_t)n);
	s->h.last_id = 424242;
	s->kind = SNAP_REST;
	s->reason = SNAP_R_SYNC;
	s->nchunks = 1;
	s->n_bids = nb;
	s->n_asks = na;
	s->checksum = -12345;
	for (uint32_t i = 0; i < nb + na; i++) {
		s->lv[i].px = 847698000000LL - (int64_t)i;
		s->lv[i].qty = 1020;
	}
	return s;
}

static void *
mk_fixed(uint16_t type, uint32_t inst)
{
	size_t n = rec_fixed_size(type);
	struct rec_hdr *h = calloc(1, n);

	rec_hdr_init(h, type, inst, (uint32_t)n);
	switch (type) {
	case REC_TRADE: {
		struct rec_trade *t = (void *)h;

		t->px = 6173763000000LL;
		t->qty = 1500000;
		t->side = SIDE_SELL;
		t->count = 1;
		break;
	}
	case REC_TICKER: {
		struct rec_ticker *t = (void *)h;

		t->have = TICK_BBO | TICK_24H;
		t->bid_px = 100;
		t->ask_px = 200;
		break;
	}
	case REC_KLINE: {
		struct rec_kline *k = (void *)h;

		k->interval_s = 60;
		k->closed = 1;
		k->n_trades = -1;
		break;
	}
	case REC_CONTROL: {
		struct rec_control *c = (void *)h;

		c->op = CTL_SNAPSHOT;
		c->req_id = 7;
		c->depth = 5000;
		snprintf(c->reason, sizeof c->reason, "gap at 12");
		break;
	}
	case REC_EVENT: {
		struct rec_event *e = (void *)h;

		e->code = EV_GAP;
		e->severity = SEV_WARN;
		e->a = 10;
		e->b = 12;
		snprintf(e->text, sizeof e->text, "expected \"10\"\ngot 12");
		break;
	}
	}
	return h;
}

static void *
mk_raw(const char *path, const char *payload, size_t plen, int source)
{
	size_t pl = strlen(path), n = rec_raw_size((uint32_t)pl, (uint32_t)plen);
	struct rec_raw *r = calloc(1, n);

	rec_hdr_init(&r->h, REC_RAW, 0, (uint32_t)n);
	r->h.aux = EX_BINANCE;
	r->source = (uint8_t)source;
	r->path_len = (uint16_t)pl;
	r->payload_len = (uint32_t)plen;
	memcpy(r->data, path, pl);
	memcpy(r->data + pl, payload, plen);
	return r;
}

static size_t
rlen(const void *rec)
{
	return ((const struct rec_hdr *)rec)->len;
}

/* Check, JSON, and a round trip through an unaligned byte buffer. */
static json_t *
check_all(const void *rec, int max_levels)
{
	size_t n = rlen(rec);
	unsigned char *buf = malloc(n + 1);
	char err[256] = "";
	json_t *j = NULL;
	char *s;

	memcpy(buf + 1, rec, n);
	if (rec_check(buf + 1, n, err, sizeof err) != 0) {
		fprintf(stderr, "  rec_check: %s\n", err);
		T_CHECK(!"record accepted");
	}
	T_CHECK(memcmp(buf + 1, rec, n) == 0);
	s = rec_to_json(rec, &reg, max_levels);
	T_CHECK(s != NULL);
	if (s) {
		json_error_t je;

		j = json_loads(s, JSON_ALLOW_NUL, &je);
		if (!j)
			fprintf(stderr, "  bad JSON (%s): %.300s\n", je.text, s);
		T_CHECK(j != NULL);
		free(s);
	}
	free(buf);
	return j;
}

static const char *
jstr(json_t *j, const char *k)
{
	return json_string_value(json_object_get(j, k));
}

static void
t_every_type(void)
{
	void *r;
	json_t *j;

	setup_registry();
	r = mk_delta(2, 3, 1);
	j = check_all(r, -1);
	T_EQ_S(jstr(j, "type"), "delta");
	T_EQ_S(jstr(j, "exchange"), "binance");
	T_EQ_S(jstr(j, "symbol"), "BTC-USDT");
	T_EQ_I(json_integer_value(json_object_get(j, "recv_ns")), 1723161253937085768LL);
	T_EQ_I(json_integer_value(json_object_get(j, "prev_id")), -1);
	T_EQ_I(json_array_size(json_object_get(j, "bids")), 2);
	T_EQ_I(json_array_size(json_object_get(j, "asks")), 3);
	T_EQ_S(json_string_value(json_array_get(json_array_get(json_object_get(j, "bids"), 0), 0)), "61737.63000000");
	T_EQ_S(json_string_value(json_array_get(json_array_get(json_object_get(j, "asks"), 0), 1)), "2.00000000");
	T_CHECK(json_is_false(json_object_get(j, "levels_truncated")));
	json_decref(j);
	free(r);

	r = mk_snapshot(REC_MAX_LEVELS, REC_MAX_LEVELS, 2);
	j = check_all(r, 10);
	T_EQ_S(jstr(j, "kind"), "rest");
	T_EQ_S(jstr(j, "reason"), "sync");
	T_EQ_S(jstr(j, "exchange"), "okx");
	T_EQ_I(json_array_size(json_object_get(j, "bids")), 10);
	T_EQ_I(json_integer_value(json_object_get(j, "n_bids")), REC_MAX_LEVELS);
	T_EQ_I(json_integer_value(json_object_get(j, "checksum")), -12345);
	T_EQ_S(json_string_value(json_array_get(json_array_get(json_object_get(j, "bids"), 0), 0)), "8476.98");
	T_EQ_S(json_string_value(json_array_get(json_array_get(json_object_get(j, "bids"), 0), 1)), "0.0000102");
	T_CHECK(json_is_true(json_object_get(j, "levels_truncated")));
	json_decref(j);
	free(r);

	r = mk_fixed(REC_TRADE, 1);
	j = check_all(r, -1);
	T_EQ_S(jstr(j, "px"), "61737.63000000");
	T_EQ_S(jstr(j, "qty"), "0.01500000");
	T_EQ_S(jstr(j, "side"), "sell");
	json_decref(j);
	free(r);

	r = mk_fixed(REC_TICKER, 0);    /* no instrument: mantissas */
	j = check_all(r, -1);
	T_EQ_I(json_integer_value(json_object_get(j, "bid_px")), 100);
	T_CHECK(json_object_get(j, "last_px") == NULL);     /* group not present */
	T_CHECK(json_object_get(j, "vol_24h") != NULL);
	json_decref(j);
	free(r);

	r = mk_fixed(REC_KLINE, 2);
	j = check_all(r, -1);
	T_CHECK(json_is_true(json_object_get(j, "closed")));
	T_EQ_I(json_integer_value(json_object_get(j, "n_trades")), -1);
	json_decref(j);
	free(r);

	r = mk_fixed(REC_CONTROL, 1);
	j = check_all(r, -1);
	T_EQ_S(jstr(j, "op"), "snapshot");
	T_EQ_S(jstr(j, "reason"), "gap at 12");
	json_decref(j);
	free(r);

	r = mk_fixed(REC_EVENT, 1);
	j = check_all(r, -1);
	T_EQ_S(jstr(j, "code"), "gap");
	T_EQ_S(jstr(j, "severity"), "warn");
	T_EQ_S(jstr(j, "text"), "expected \"10\"\ngot 12");
	json_decref(j);
	free(r);

	/* a venue-wide event (no instrument) names its venue */
	r = mk_fixed(REC_EVENT, 0);
	((struct rec_event *)r)->code = EV_PARSE_ERROR;
	((struct rec_event *)r)->exch = EX_BINANCE;
	j = check_all(r, -1);
	T_EQ_S(jstr(j, "code"), "parse_error");
	T_EQ_S(jstr(j, "exchange"), "binance");
	json_decref(j);
	free(r);

	r = mk_raw("/api/v3/depth?symbol=BTCUSDT&limit=5000", "{\"lastUpdateId\":1}", 18, RAW_REST);
	j = check_all(r, -1);
	T_EQ_S(jstr(j, "source"), "rest");
	T_EQ_S(jstr(j, "exchange"), "binance");
	T_EQ_S(jstr(j, "path"), "/api/v3/depth?symbol=BTCUSDT&limit=5000");
	T_EQ_S(jstr(j, "payload"), "{\"lastUpdateId\":1}");
	T_CHECK(json_is_false(json_object_get(j, "truncated")));
	json_decref(j);
	free(r);
}

static void
t_raw_truncation_and_escapes(void)
{
	char big[10000];
	void *r;
	json_t *j;

	setup_registry();
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)(i % 7 == 0 ? '"' : i % 11 == 0 ? '\0' : 'a' + i % 26);
	r = mk_raw("", big, sizeof big, RAW_WS);
	j = check_all(r, -1);
	T_CHECK(json_is_true(json_object_get(j, "truncated")));
	T_EQ_I(json_integer_value(json_object_get(j, "payload_len")), sizeof big);
	T_EQ_I(json_string_length(json_object_get(j, "payload")), 4096);
	T_CHECK(json_string_length(json_object_get(j, "payload")) == 4096 &&
	    memcmp(json_string_value(json_object_get(j, "payload")), big, 4096) == 0);
	json_decref(j);
	free(r);
}

static void
t_sizes(void)
{
	T_EQ_I(rec_delta_size(0, 0), sizeof(struct rec_delta));
	T_EQ_I(rec_delta_size(1, 2), sizeof(struct rec_delta) + 48);
	T_EQ_I(rec_snapshot_size(5000, 5000), sizeof(struct rec_snapshot) + 160000);
	T_EQ_I(rec_raw_size(0, 1), sizeof(struct rec_raw) + 8);
	T_EQ_I(rec_raw_size(3, 5), sizeof(struct rec_raw) + 8);
	T_EQ_I(rec_raw_size(3, 6), sizeof(struct rec_raw) + 16);
	for (uint16_t t = 1; t <= REC_TYPE_MAX; t++) {
		T_CHECK(rec_fixed_size(t) > 0 && rec_fixed_size(t) % 8 == 0);
		T_CHECK(strcmp(rec_type_name(t), "unknown") != 0);
	}
	T_EQ_I(rec_fixed_size(0), 0);
	T_EQ_I(rec_fixed_size(REC_TYPE_MAX + 1), 0);
	T_EQ_S(rec_type_name(99), "unknown");
	T_EQ_S(ev_code_name(EV_NATS_LOSS), "nats_loss");
	T_EQ_S(ctl_op_name(CTL_DEEP), "deep");
	T_EQ_S(snap_kind_name(SNAP_TOPN), "topn");
	T_EQ_S(snap_kind_name(SNAP_TOP), "top");
	T_EQ_S(ev_code_name(EV_TOP_MISMATCH), "top_mismatch");
	T_EQ_S(ev_code_name(EV_WINDOW_DISCREPANCY), "window_discrepancy");
	struct rec_hdr h;
	memset(&h, 0x55, sizeof h);
	rec_hdr_init(&h, REC_TRADE, 3, 120);
	T_CHECK(h.type == REC_TRADE && h.inst == 3 && h.len == 120 && h.flags == 0 && h.aux == 0);
	T_CHECK(h.first_id == -1 && h.last_id == -1 && h.prev_id == -1 && h.recv_ns == 0 && h.stage_ns[3] == 0);
}

/* rec_check on a malformed copy must fail and say why (the why checked by a word). */
static int
rejects(const void *rec, size_t len, const char *word)
{
	unsigned char *buf = malloc(len ? len : 1);
	char err[256] = "";
	int r;

	memcpy(buf, rec, len);
	r = rec_check(buf, len, err, sizeof err);
	free(buf);
	if (r == 0) {
		fprintf(stderr, "  accepted a record that should fail (%s)\n", word);
		return 0;
	}
	if (!strstr(err, word)) {
		fprintf(stderr, "  error \"%s\" does not mention \"%s\"\n", err, word);
		return 0;
	}
	return 1;
}

static void
t_malformations(void)
{
	struct rec_delta *d = mk_delta(2, 2, 1);
	struct rec_snapshot *s = mk_snapshot(1, 1, 1);
	struct rec_trade *tr = mk_fixed(REC_TRADE, 1);
	struct rec_ticker *tk = mk_fixed(REC_TICKER, 1);
	struct rec_kline *kl = mk_fixed(REC_KLINE, 1);
	struct rec_control *ct = mk_fixed(REC_CONTROL, 1);
	struct rec_event *ev = mk_fixed(REC_EVENT, 1);
	struct rec_raw *rw = mk_raw("/x", "{}", 2, RAW_REST);
	unsigned char big[512];
	size_t n;

	/* header-level */
	T_CHECK(rejects(d, 10, "shorter than its header"));
	T_CHECK(rec_check(NULL, 0, NULL, 0) == -1);
	d->h.type = 0;
	T_CHECK(rejects(d, rlen(d), "unknown record type"));
	d->h.type = REC_TYPE_MAX + 1;
	T_CHECK(rejects(d, rlen(d), "unknown record type"));
	d->h.type = REC_DELTA;
	T_CHECK(rejects(d, rlen(d) - 8, "header len"));
	d->h.inst = INST_LIMIT + 1;
	T_CHECK(rejects(d, rlen(d), "instrument id"));
	d->h.inst = 1;
	/* delta counts */
	n = rlen(d);
	d->n_bids = 3;
	T_CHECK(rejects(d, n, "need"));
	d->n_bids = 1;
	T_CHECK(rejects(d, n, "need"));
	d->n_bids = REC_MAX_LEVELS + 1;
	T_CHECK(rejects(d, n, "per side"));
	d->n_bids = 0xffffffffu;
	d->n_asks = 0xffffffffu;
	T_CHECK(rejects(d, n, "per side"));
	d->n_bids = d->n_asks = 2;
	d->h.len = (uint32_t)sizeof(struct rec_hdr);
	T_CHECK(rejects(d, sizeof(struct rec_hdr), "shorter than its fixed part"));
	d->h.len = (uint32_t)n;
	T_EQ_I(rec_check(d, n, NULL, 0), 0);
	/* snapshot enums and chunks */
	n = rlen(s);
	s->kind = 0;
	T_CHECK(rejects(s, n, "kind"));
	s->kind = SNAP_TOP + 1;
	T_CHECK(rejects(s, n, "kind"));
	s->kind = SNAP_FULL;
	s->reason = SNAP_R_PERIODIC + 1;
	T_CHECK(rejects(s, n, "reason"));
	s->reason = 0;
	s->nchunks = 0;
	T_CHECK(rejects(s, n, "chunk"));
	s->nchunks = 2;
	s->chunk = 2;
	T_CHECK(rejects(s, n, "chunk"));
	s->chunk = 1;
	s->n_asks = REC_MAX_LEVELS + 1;
	T_CHECK(rejects(s, n, "per side"));
	s->n_asks = 2;
	T_CHECK(rejects(s, n, "need"));
	s->n_asks = 1;
	T_EQ_I(rec_check(s, n, NULL, 0), 0);
	/* fixed-size types: exact length, enums */
	memset(big, 0, sizeof big);
	memcpy(big, tr, rlen(tr));
	((struct rec_hdr *)big)->len = (uint32_t)rlen(tr) + 8;
	T_CHECK(rejects(big, rlen(tr) + 8, "exactly"));
	tr->side = SIDE_SELL + 1;
	T_CHECK(rejects(tr, rlen(tr), "side"));
	tk->have = 0x8;
	T_CHECK(rejects(tk, rlen(tk), "have"));
	kl->closed = 2;
	T_CHECK(rejects(kl, rlen(kl), "closed"));
	ct->op = 0;
	T_CHECK(rejects(ct, rlen(ct), "op"));
	ct->op = CTL_RECONNECT + 1;
	T_CHECK(rejects(ct, rlen(ct), "op"));
	ct->op = CTL_DEEP;
	memset(ct->reason, 'x', sizeof ct->reason);
	T_CHECK(rejects(ct, rlen(ct), "NUL"));
	ev->code = 99;
	T_CHECK(rejects(ev, rlen(ev), "code"));
	ev->code = EV_SYNCED;
	ev->severity = SEV_CRITICAL + 1;
	T_CHECK(rejects(ev, rlen(ev), "severity"));
	ev->severity = SEV_INFO;
	ev->exch = 200;
	T_CHECK(rejects(ev, rlen(ev), "unknown exchange"));
	ev->exch = EX_OKX;
	T_CHECK(rec_check(ev, rlen(ev), NULL, 0) == 0);
	memset(ev->text, 'y', sizeof ev->text);
	T_CHECK(rejects(ev, rlen(ev), "NUL"));
	/* raw */
	n = rlen(rw);
	rw->source = 0;
	T_CHECK(rejects(rw, n, "source"));
	rw->source = RAW_WS;
	T_CHECK(rejects(rw, n, "path"));
	rw->source = RAW_REST;
	rw->h.aux = EX_END;
	T_CHECK(rejects(rw, n, "exchange"));
	rw->h.aux = EX_OKX;
	rw->payload_len = 100;
	T_CHECK(rejects(rw, n, "need"));
	rw->payload_len = 2;
	rw->data[1] = 0;
	T_CHECK(rejects(rw, n, "NUL"));
	rw->data[1] = 'x';
	T_EQ_I(rec_check(rw, n, NULL, 0), 0);

	free(d);
	free(s);
	free(tr);
	free(tk);
	free(kl);
	free(ct);
	free(ev);
	free(rw);
}

/* The description covers every struct exactly: any field added to rec.h and
 * not described here changes sizeof and breaks the sum, any hole shows. */
static void
t_description_covers_layout(void)
{
	static const char *const expect[] = {
		"rec_hdr", "rec_level", "rec_delta", "rec_snapshot", "rec_trade",
		"rec_ticker", "rec_kline", "rec_control", "rec_event", "rec_raw", "rec_market", "rec_instrument",
	};
	int n;
	const struct rec_desc_struct *d = rec_desc(&n);

	T_EQ_I(n, (int)(sizeof expect / sizeof expect[0]));
	for (int i = 0; i < n; i++) {
		size_t sum = 0, end = 0;
		int found = 0;

		for (size_t k = 0; k < sizeof expect / sizeof expect[0]; k++)
			found |= strcmp(expect[k], d[i].name) == 0;
		T_CHECK(found);
		T_CHECK(d[i].size % 8 == 0);
		for (int f = 0; f < d[i].nf; f++) {
			if (d[i].f[f].off != end) {
				fprintf(stderr, "  %s.%s at %zu, expected %zu (hole or overlap)\n",
				    d[i].name, d[i].f[f].name, d[i].f[f].off, end);
				T_CHECK(!"fields contiguous and in order");
			}
			T_CHECK(d[i].f[f].size > 0);
			end = d[i].f[f].off + d[i].f[f].size;
			sum += d[i].f[f].size;
		}
		if (sum != d[i].size)
			fprintf(stderr, "  %s: described %zu bytes of %zu\n", d[i].name, sum, d[i].size);
		T_EQ_I(sum, d[i].size);
		if (d[i].tail) {
			T_EQ_I(d[i].tail_off, d[i].size);
			T_CHECK(d[i].tail_elem > 0);
		}
	}
	/* the fixed sizes the code uses are the described ones */
	for (int i = 0; i < n; i++) {
		if (strcmp(d[i].name, "rec_delta") == 0)
			T_EQ_I(d[i].size, rec_fixed_size(REC_DELTA));
		if (strcmp(d[i].name, "rec_raw") == 0)
			T_EQ_I(d[i].size, rec_fixed_size(REC_RAW));
		if (strcmp(d[i].name, "rec_hdr") == 0)
			T_EQ_I(d[i].size, sizeof(struct rec_hdr));
	}
}

/* REC_MARKET: every kind checks and prints with its own fields only; a field
 * of another kind, a missing required field, bad sides and prices are refused. */
static void
t_market(void)
{
	struct rec_market m, bad;
	json_t *j;

	setup_registry();
	rec_market_init(&m, 2, MK_FUNDING);
	T_CHECK(m.h.type == REC_MARKET && m.h.len == sizeof m && m.h.aux == MK_FUNDING);
	T_CHECK(m.mark_px == MKT_NONE && m.oi_quote == MKT_NONE && m.liq_side == 0);
	T_CHECK(rejects(&m, sizeof m, "no funding_rate"));
	m.funding_rate = -55603110445LL;        /* -0.000000055603110445 at -18 */
	m.settle_ns = 1723190400000000000LL;
	m.funding_interval_s = 28800;
	j = check_all(&m, -1);
	T_EQ_S(jstr(j, "type"), "market");
	T_EQ_S(jstr(j, "kind"), "funding");
	T_EQ_S(jstr(j, "funding_rate"), "-0.000000055603110445");
	T_CHECK(json_object_get(j, "next_funding_rate") == NULL);   /* not given: left out */
	T_CHECK(json_object_get(j, "mark_px") == NULL);
	T_EQ_I(json_integer_value(json_object_get(j, "settle_ns")), 1723190400000000000LL);
	T_EQ_I(json_integer_value(json_object_get(j, "funding_interval_s")), 28800);
	json_decref(j);
	bad = m;
	bad.mark_px = 1;
	T_CHECK(rejects(&bad, sizeof bad, "belongs to mark"));
	bad = m;
	bad.liq_side = SIDE_BUY;
	T_CHECK(rejects(&bad, sizeof bad, "liq_side"));
	bad = m;
	bad.h.aux = 0;
	T_CHECK(rejects(&bad, sizeof bad, "unknown kind"));
	bad.h.aux = MK_KIND_MAX + 1;
	T_CHECK(rejects(&bad, sizeof bad, "unknown kind"));
	T_CHECK(rejects(&m, sizeof m - 8, "header len"));

	rec_market_init(&m, 2, MK_MARK);
	T_CHECK(rejects(&m, sizeof m, "neither"));
	m.index_px = 6123450000000LL;           /* 61234.5 at -8 */
	j = check_all(&m, -1);
	T_EQ_S(jstr(j, "kind"), "mark");
	T_EQ_S(jstr(j, "index_px"), "61234.5");
	T_CHECK(json_object_get(j, "mark_px") == NULL);
	json_decref(j);
	m.mark_px = 0;
	T_CHECK(rejects(&m, sizeof m, "price <= 0"));
	bad = m;
	bad.mark_px = 1;
	bad.funding_interval_s = 1;
	T_CHECK(rejects(&bad, sizeof bad, "funding_interval_s"));

	rec_market_init(&m, 2, MK_OPEN_INTEREST);
	T_CHECK(rejects(&m, sizeof m, "none of"));
	m.oi_contracts = 123400000000LL;        /* 1234 contracts */
	m.oi_quote = 51234567891234LL;          /* 5123456789.1234 at -4 */
	j = check_all(&m, -1);
	T_EQ_S(jstr(j, "kind"), "open_interest");
	T_EQ_S(jstr(j, "oi_contracts"), "1234");
	T_EQ_S(jstr(j, "oi_quote"), "5123456789.1234");
	T_CHECK(json_object_get(j, "oi_base") == NULL);
	json_decref(j);
	m.oi_base = -1;
	T_CHECK(rejects(&m, sizeof m, "negative"));

	rec_market_init(&m, 1, MK_LIQUIDATION);
	m.liq_px = 6100000000000LL;
	m.liq_qty = 1000000;
	T_CHECK(rejects(&m, sizeof m, "neither buy nor sell"));
	m.liq_side = SIDE_SELL;
	j = check_all(&m, -1);
	T_EQ_S(jstr(j, "kind"), "liquidation");
	T_EQ_S(jstr(j, "liq_side"), "sell");
	T_EQ_S(jstr(j, "liq_px"), "61000.00000000");
	T_EQ_S(jstr(j, "liq_qty"), "0.01000000");
	json_decref(j);
	m.liq_qty = MKT_NONE;
	T_CHECK(rejects(&m, sizeof m, "price and size"));
	T_EQ_S(mkt_kind_name(MK_OPEN_INTEREST), "open_interest");
	T_EQ_S(mkt_kind_name(9), "unknown");
}

static void
t_schema_hash(void)
{
	int n;
	const struct rec_desc_struct *d = rec_desc(&n);
	struct rec_desc_struct copy[16];
	struct rec_desc_field fields[64];
	uint64_t base = rec_schema_hash();

	T_CHECK(base != 0);
	T_EQ_U(rec_schema_hash(), base);
	T_EQ_U(rec_desc_hash(d, n), base);
	T_CHECK(n <= 16 && d[2].nf <= 64);
	memcpy(copy, d, (size_t)n * sizeof *d);
	memcpy(fields, d[2].f, (size_t)d[2].nf * sizeof *fields);
	copy[2].f = fields;
	T_EQ_U(rec_desc_hash(copy, n), base);
	fields[1].name = "n_bidz";
	T_CHECK(rec_desc_hash(copy, n) != base);
	fields[1].name = d[2].f[1].name;
	fields[1].off += 8;
	T_CHECK(rec_desc_hash(copy, n) != base);
	fields[1].off -= 8;
	fields[1].size = 8;
	T_CHECK(rec_desc_hash(copy, n) != base);
	fields[1].size = d[2].f[1].size;
	copy[2].size += 8;
	T_CHECK(rec_desc_hash(copy, n) != base);
	copy[2].size -= 8;
	copy[2].tail_elem = 24;
	T_CHECK(rec_desc_hash(copy, n) != base);
	copy[2].tail_elem = d[2].tail_elem;
	copy[2].nf--;
	T_CHECK(rec_desc_hash(copy, n) != base);
	copy[2].nf++;
	T_EQ_U(rec_desc_hash(copy, n), base);
	T_CHECK(rec_desc_hash(copy, n - 1) != base);
}

int
main(void)
{
	T_RUN(t_every_type);
	T_RUN(t_raw_truncation_and_escapes);
	T_RUN(t_market);
	T_RUN(t_sizes);
	T_RUN(t_malformations);
	T_RUN(t_description_covers_layout);
	T_RUN(t_schema_hash);
	return t_done();
}
