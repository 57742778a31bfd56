/* rec_json.c - rec_to_json(): one record as one JSON object (see rec.h). */
#include <inttypes.h>
#include <string.h>

#include "fx.h"
#include "inst.h"
#include "rec.h"
#include "sbuf.h"

/* Raw payloads are shown up to this many bytes, then "truncated": true. */
#define REC_JSON_RAW_MAX 4096

static const char *
snap_reason_name(uint8_t r)
{
	static const char *const n[] = {"none", "sync", "resync", "periodic"};

	return r <= SNAP_R_PERIODIC ? n[r] : "unknown";
}

static const char *
side_name(uint8_t s)
{
	static const char *const n[] = {"unknown", "buy", "sell"};

	return s <= SIDE_SELL ? n[s] : "unknown";
}

static const char *
sev_name(uint8_t s)
{
	static const char *const n[] = {"info", "warn", "error", "critical"};

	return s <= SEV_CRITICAL ? n[s] : "unknown";
}

/* An int64 in decimal without printf (levels are the bulk of a snapshot). */
static void
put_i64(struct sbuf *b, int64_t v)
{
	char tmp[24];
	size_t i = sizeof tmp;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	sbuf_put(b, tmp + i, sizeof tmp - i);
}

/* A price (px = 1) or size as the venue's string when the instrument is
 * known, else the bare mantissa. */
static void
put_num(struct sbuf *b, const struct inst *in, int px, int64_t v)
{
	char s[FX_STR_MAX + 2];
	size_t n;

	if (in && (n = px ? inst_fmt_px(in, v, s + 1, sizeof s - 2) : inst_fmt_qty(in, v, s + 1, sizeof s - 2)) > 0) {
		s[0] = '"';
		s[n + 1] = '"';
		sbuf_put(b, s, n + 2);
	} else {
		put_i64(b, v);
	}
}

static void
put_kv(struct sbuf *b, const struct inst *in, int px, const char *key, int64_t v)
{
	sbuf_printf(b, ",\"%s\":", key);
	put_num(b, in, px, v);
}

/* REC_MARKET fields: MKT_NONE ("not given") is left out of the object. */
static void
put_opt(struct sbuf *b, const struct inst *in, int px, const char *key, int64_t v)
{
	if (v != MKT_NONE)
		put_kv(b, in, px, key, v);
}

static void
put_int(struct sbuf *b, const char *key, int64_t v)
{
	if (v != MKT_NONE)
		sbuf_printf(b, ",\"%s\":%" PRId64, key, v);
}

/* A value at a fixed exponent (rates, open-interest values) as a trimmed string. */
static void
put_fixed(struct sbuf *b, const char *key, int64_t v, int exp)
{
	char s[FX_STR_MAX];

	if (v != MKT_NONE && fx_format(v, exp, FX_TRIM, s, sizeof s) > 0)
		sbuf_printf(b, ",\"%s\":\"%s\"", key, s);
}

static void
put_levels(struct sbuf *b, const struct inst *in, const char *key, const unsigned char *lv,
    uint32_t n, int max_levels, int *truncated)
{
	uint32_t shown = n;

	if (max_levels >= 0 && (uint32_t)max_levels < n) {
		shown = (uint32_t)max_levels;
		*truncated = 1;
	}
	sbuf_printf(b, ",\"%s\":[", key);
	for (uint32_t i = 0; i < shown; i++) {
		struct rec_level l;

		memcpy(&l, lv + (size_t)i * sizeof l, sizeof l);
		if (i)
			sbuf_putc(b, ',');
		sbuf_putc(b, '[');
		put_num(b, in, 1, l.px);
		sbuf_putc(b, ',');
		put_num(b, in, 0, l.qty);
		sbuf_putc(b, ']');
	}
	sbuf_putc(b, ']');
}

/* The text of a fixed char array up to its NUL (or its end). */
static void
put_text(struct sbuf *b, const char *key, const char *s, size_t cap)
{
	const char *z = memchr(s, 0, cap);

	sbuf_printf(b, ",\"%s\":", key);
	sbuf_json_str(b, s, z ? (size_t)(z - s) : cap);
}

/*
 * Level counts are clamped to what hdr.len holds, so even a record that did
 * not pass rec_check is never read past its length.
 */
static uint32_t
clamp_levels(uint32_t len, size_t fixed, uint32_t *nb, uint32_t *na)
{
	size_t room = len > fixed ? (len - fixed) / sizeof(struct rec_level) : 0;

	if (*nb > room)
		*nb = (uint32_t)room;
	if (*na > room - *nb)
		*na = (uint32_t)(room - *nb);
	return *nb + *na;
}

char *
rec_to_json(const void *rec, const struct inst_registry *reg, int max_levels)
{
	const unsigned char *p = rec;
	struct sbuf b = SBUF_INIT;
	const struct inst *in;
	struct rec_hdr h;
	int trunc = 0;

	memcpy(&h, p, sizeof h);
	in = inst_get(reg, h.inst);
	sbuf_printf(&b, "{\"type\":\"%s\",\"inst\":%" PRIu32, rec_type_name(h.type), h.inst);
	if (in) {
		sbuf_printf(&b, ",\"exchange\":\"%s\",\"symbol\":", exch_name(in->exch));
		sbuf_json_str(&b, in->symbol, strlen(in->symbol));
	}
	sbuf_printf(&b, ",\"len\":%" PRIu32 ",\"flags\":%u,\"aux\":%" PRIu32
	    ",\"first_id\":%" PRId64 ",\"last_id\":%" PRId64 ",\"prev_id\":%" PRId64
	    ",\"exch_ns\":%" PRId64 ",\"recv_ns\":%" PRId64 ",\"stage_ns\":[%" PRId64 ",%" PRId64
	    ",%" PRId64 ",%" PRId64 "]",
	    h.len, (unsigned)h.flags, h.aux, h.first_id, h.last_id, h.prev_id, h.exch_ns, h.recv_ns,
	    h.stage_ns[0], h.stage_ns[1], h.stage_ns[2], h.stage_ns[3]);

	switch (h.type) {
	case REC_DELTA: {
		struct rec_delta d;
		uint32_t nb, na;

		if (h.len < sizeof d)
			break;
		memcpy(&d, p, sizeof d);
		nb = d.n_bids;
		na = d.n_asks;
		clamp_levels(h.len, sizeof d, &nb, &na);
		sbuf_printf(&b, ",\"n_bids\":%" PRIu32 ",\"n_asks\":%" PRIu32 ",\"book_bids\":%" PRIu32
		    ",\"book_asks\":%" PRIu32, d.n_bids, d.n_asks, d.book_bids, d.book_asks);
		put_kv(&b, in, 1, "best_bid_px", d.best_bid_px);
		put_kv(&b, in, 0, "best_bid_qty", d.best_bid_qty);
		put_kv(&b, in, 1, "best_ask_px", d.best_ask_px);
		put_kv(&b, in, 0, "best_ask_qty", d.best_ask_qty);
		if (d.xseq)
			sbuf_printf(&b, ",\"xseq\":%" PRId64, d.xseq);
		put_levels(&b, in, "bids", p + sizeof d, nb, max_levels, &trunc);
		put_levels(&b, in, "asks", p + sizeof d + (size_t)nb * sizeof(struct rec_level), na,
		    max_levels, &trunc);
		sbuf_printf(&b, ",\"levels_truncated\":%s", trunc ? "true" : "false");
		break;
	}
	case REC_SNAPSHOT: {
		struct rec_snapshot s;
		uint32_t nb, na;

		if (h.len < sizeof s)
			break;
		memcpy(&s, p, sizeof s);
		nb = s.n_bids;
		na = s.n_asks;
		clamp_levels(h.len, sizeof s, &nb, &na);
		sbuf_printf(&b, ",\"kind\":\"%s\",\"reason\":\"%s\",\"chunk\":%u,\"nchunks\":%u"
		    ",\"n_bids\":%" PRIu32 ",\"n_asks\":%" PRIu32 ",\"req_id\":%" PRIu32 ",\"checksum\":%" PRId32,
		    snap_kind_name(s.kind), snap_reason_name(s.reason), (unsigned)s.chunk,
		    (unsigned)s.nchunks, s.n_bids, s.n_asks, s.req_id, s.checksum);
		put_kv(&b, in, 1, "bid_floor_px", s.bid_floor_px);
		put_kv(&b, in, 1, "ask_ceil_px", s.ask_ceil_px);
		sbuf_printf(&b, ",\"deep_refresh_ns\":%" PRId64, s.deep_refresh_ns);
		if (s.xseq)
			sbuf_printf(&b, ",\"xseq\":%" PRId64, s.xseq);
		put_levels(&b, in, "bids", p + sizeof s, nb, max_levels, &trunc);
		put_levels(&b, in, "asks", p + sizeof s + (size_t)nb * sizeof(struct rec_level), na,
		    max_levels, &trunc);
		sbuf_printf(&b, ",\"levels_truncated\":%s", trunc ? "true" : "false");
		break;
	}
	case REC_TRADE: {
		struct rec_trade t;

		if (h.len < sizeof t)
			break;
		memcpy(&t, p, sizeof t);
		put_kv(&b, in, 1, "px", t.px);
		put_kv(&b, in, 0, "qty", t.qty);
		sbuf_printf(&b, ",\"trade_ns\":%" PRId64 ",\"side\":\"%s\",\"count\":%" PRIu32,
		    t.trade_ns, side_name(t.side), t.count);
		break;
	}
	case REC_TICKER: {
		struct rec_ticker t;

		if (h.len < sizeof t)
			break;
		memcpy(&t, p, sizeof t);
		sbuf_printf(&b, ",\"have\":%" PRIu32, t.have);
		if (t.have & TICK_BBO) {
			put_kv(&b, in, 1, "bid_px", t.bid_px);
			put_kv(&b, in, 0, "bid_qty", t.bid_qty);
			put_kv(&b, in, 1, "ask_px", t.ask_px);
			put_kv(&b, in, 0, "ask_qty", t.ask_qty);
		}
		if (t.have & TICK_LAST) {
			put_kv(&b, in, 1, "last_px", t.last_px);
			put_kv(&b, in, 0, "last_qty", t.last_qty);
		}
		if (t.have & TICK_24H) {
			put_kv(&b, in, 1, "open_24h", t.open_24h);
			put_kv(&b, in, 1, "high_24h", t.high_24h);
			put_kv(&b, in, 1, "low_24h", t.low_24h);
			put_kv(&b, in, 0, "vol_24h", t.vol_24h);
			put_kv(&b, in, 1, "volq_24h", t.volq_24h);
		}
		break;
	}
	case REC_KLINE: {
		struct rec_kline k;

		if (h.len < sizeof k)
			break;
		memcpy(&k, p, sizeof k);
		sbuf_printf(&b, ",\"open_ns\":%" PRId64 ",\"close_ns\":%" PRId64 ",\"interval_s\":%" PRIu32,
		    k.open_ns, k.close_ns, k.interval_s);
		put_kv(&b, in, 1, "o", k.o);
		put_kv(&b, in, 1, "hi", k.hi);
		put_kv(&b, in, 1, "lo", k.lo);
		put_kv(&b, in, 1, "c", k.c);
		put_kv(&b, in, 0, "vol", k.vol);
		put_kv(&b, in, 1, "volq", k.volq);
		sbuf_printf(&b, ",\"n_trades\":%" PRId64 ",\"closed\":%s", k.n_trades,
		    k.closed ? "true" : "false");
		break;
	}
	case REC_MARKET: {
		struct rec_market m;

		if (h.len < sizeof m)
			break;
		memcpy(&m, p, sizeof m);
		sbuf_printf(&b, ",\"kind\":\"%s\"", mkt_kind_name(m.h.aux));
		put_fixed(&b, "funding_rate", m.funding_rate, MKT_RATE_EXP);
		put_fixed(&b, "next_funding_rate", m.next_funding_rate, MKT_RATE_EXP);
		put_int(&b, "settle_ns", m.settle_ns);
		put_int(&b, "next_settle_ns", m.next_settle_ns);
		if (m.funding_interval_s)
			sbuf_printf(&b, ",\"funding_interval_s\":%" PRIu32, m.funding_interval_s);
		put_opt(&b, in, 1, "mark_px", m.mark_px);
		put_opt(&b, in, 1, "index_px", m.index_px);
		put_opt(&b, in, 0, "oi_contracts", m.oi_contracts);
		put_fixed(&b, "oi_base", m.oi_base, MKT_VALUE_EXP);
		put_fixed(&b, "oi_quote", m.oi_quote, MKT_VALUE_EXP);
		if (m.h.aux == MK_LIQUIDATION)
			sbuf_printf(&b, ",\"liq_side\":\"%s\"", side_name(m.liq_side));
		put_opt(&b, in, 1, "liq_px", m.liq_px);
		put_opt(&b, in, 1, "liq_avg_px", m.liq_avg_px);
		put_opt(&b, in, 0, "liq_qty", m.liq_qty);
		break;
	}
	case REC_INSTRUMENT: {
		struct rec_instrument r;

		if (h.len < sizeof r)
			break;
		memcpy(&r, p, sizeof r);
		/* 0 = unknown: left out */
		if (r.tick)
			put_kv(&b, in, 1, "tick", r.tick);
		if (r.lot)
			put_kv(&b, in, 0, "lot", r.lot);
		if (r.min_qty)
			put_kv(&b, in, 0, "min_qty", r.min_qty);
		if (r.ct_val)
			put_fixed(&b, "ct_val", r.ct_val, REC_CT_EXP);
		if (r.ct_mult)
			put_fixed(&b, "ct_mult", r.ct_mult, REC_CT_EXP);
		put_text(&b, "ct_ccy", r.ct_ccy, sizeof r.ct_ccy);
		break;
	}
	case REC_CONTROL: {
		struct rec_control c;

		if (h.len < sizeof c)
			break;
		memcpy(&c, p, sizeof c);
		sbuf_printf(&b, ",\"op\":\"%s\",\"req_id\":%" PRIu32 ",\"depth\":%" PRIu32,
		    ctl_op_name(c.op), c.req_id, c.depth);
		put_text(&b, "reason", c.reason, sizeof c.reason);
		break;
	}
	case REC_EVENT: {
		struct rec_event e;

		if (h.len < sizeof e)
			break;
		memcpy(&e, p, sizeof e);
		/* a venue-wide event names its venue only here */
		if (!in && e.exch)
			sbuf_printf(&b, ",\"exchange\":\"%s\"", exch_name(e.exch));
		sbuf_printf(&b, ",\"code\":\"%s\",\"code_num\":%u,\"severity\":\"%s\",\"a\":%" PRId64
		    ",\"b\":%" PRId64, ev_code_name(e.code), (unsigned)e.code, sev_name(e.severity), e.a, e.b);
		put_text(&b, "text", e.text, sizeof e.text);
		break;
	}
	case REC_RAW: {
		struct rec_raw r;
		size_t room, path, pay;

		if (h.len < sizeof r)
			break;
		memcpy(&r, p, sizeof r);
		room = h.len - sizeof r;
		path = r.path_len < room ? r.path_len : room;
		pay = r.payload_len < room - path ? r.payload_len : room - path;
		/* Combined frames carry no instrument; the venue is in aux. */
		if (!in && h.aux)
			sbuf_printf(&b, ",\"exchange\":\"%s\"", exch_name((int)h.aux));
		sbuf_printf(&b, ",\"source\":\"%s\",\"path\":",
		    r.source == RAW_WS ? "ws" : r.source == RAW_REST ? "rest" : "unknown");
		sbuf_json_str(&b, (const char *)p + sizeof r, path);
		sbuf_printf(&b, ",\"payload_len\":%" PRIu32 ",\"truncated\":%s,\"payload\":", r.payload_len,
		    pay > REC_JSON_RAW_MAX ? "true" : "false");
		sbuf_json_str(&b, (const char *)p + sizeof r + path, pay > REC_JSON_RAW_MAX ? REC_JSON_RAW_MAX : pay);
		break;
	}
	}
	sbuf_putc(&b, '}');
	return sbuf_take(&b);
}
