/* rec.c - record sizes, validation and names; see rec.h.  JSON is in rec_json.c. */
#include "err.h"
#include "rec.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "inst.h"
#include "rec_desc.h"

static size_t
round8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

size_t
rec_delta_size(uint32_t n_bids, uint32_t n_asks)
{
	return sizeof(struct rec_delta) + ((size_t)n_bids + n_asks) * sizeof(struct rec_level);
}

size_t
rec_snapshot_size(uint32_t n_bids, uint32_t n_asks)
{
	return sizeof(struct rec_snapshot) + ((size_t)n_bids + n_asks) * sizeof(struct rec_level);
}

size_t
rec_raw_size(uint32_t path_len, uint32_t payload_len)
{
	return round8(sizeof(struct rec_raw) + (size_t)path_len + payload_len);
}

size_t
rec_fixed_size(uint16_t type)
{
	switch (type) {
	case REC_DELTA: return sizeof(struct rec_delta);
	case REC_SNAPSHOT: return sizeof(struct rec_snapshot);
	case REC_TRADE: return sizeof(struct rec_trade);
	case REC_TICKER: return sizeof(struct rec_ticker);
	case REC_KLINE: return sizeof(struct rec_kline);
	case REC_CONTROL: return sizeof(struct rec_control);
	case REC_EVENT: return sizeof(struct rec_event);
	case REC_RAW: return sizeof(struct rec_raw);
	case REC_MARKET: return sizeof(struct rec_market);
	case REC_INSTRUMENT: return sizeof(struct rec_instrument);
	}
	return 0;
}

void
rec_snapshot_exact(const struct rec_snapshot *s, uint32_t *bids, uint32_t *asks)
{
	const struct rec_level *b = s->lv, *a = s->lv + s->n_bids;
	uint32_t nb = 0, na = 0;

	/* levels are best first, so the exact ones are a prefix of each side */
	if (s->bid_floor_px > 0)
		while (nb < s->n_bids && b[nb].px >= s->bid_floor_px)
			nb++;
	if (s->ask_ceil_px > 0)
		while (na < s->n_asks && a[na].px <= s->ask_ceil_px)
			na++;
	*bids = nb;
	*asks = na;
}

int
rec_delta_is_merge(const struct rec_delta *d)
{
	return d->n_bids + d->n_asks > 0 && !(d->h.flags & REC_F_NOSEQ) && d->h.first_id == d->h.last_id &&
	    d->h.prev_id == d->h.last_id;
}

void
rec_hdr_init(struct rec_hdr *h, uint16_t type, uint32_t inst, uint32_t len)
{
	memset(h, 0, sizeof *h);
	h->type = type;
	h->inst = inst;
	h->len = len;
	h->first_id = -1;
	h->last_id = -1;
	h->prev_id = -1;
}

void
rec_market_init(struct rec_market *m, uint32_t inst, enum mkt_kind kind)
{
	rec_hdr_init(&m->h, REC_MARKET, inst, sizeof *m);
	m->h.aux = (uint32_t)kind;
	m->funding_rate = m->next_funding_rate = MKT_NONE;
	m->settle_ns = m->next_settle_ns = MKT_NONE;
	m->mark_px = m->index_px = MKT_NONE;
	m->oi_contracts = m->oi_base = m->oi_quote = MKT_NONE;
	m->liq_px = m->liq_avg_px = m->liq_qty = MKT_NONE;
	m->funding_interval_s = 0;
	m->liq_side = 0;
	memset(m->pad0, 0, sizeof m->pad0);
}

/* The fields of each kind, so that a record filling another kind's field
 * (a parser mixing kinds up) is refused rather than published half-wrong. */
struct mkt_field {
	const char *name;
	size_t off;
	uint8_t kind;
};
#define MKF(f, k) {#f, offsetof(struct rec_market, f), k}
static const struct mkt_field mkt_fields[] = {
	MKF(funding_rate, MK_FUNDING), MKF(next_funding_rate, MK_FUNDING),
	MKF(settle_ns, MK_FUNDING), MKF(next_settle_ns, MK_FUNDING),
	MKF(mark_px, MK_MARK), MKF(index_px, MK_MARK),
	MKF(oi_contracts, MK_OPEN_INTEREST), MKF(oi_base, MK_OPEN_INTEREST),
	MKF(oi_quote, MK_OPEN_INTEREST),
	MKF(liq_px, MK_LIQUIDATION), MKF(liq_avg_px, MK_LIQUIDATION), MKF(liq_qty, MK_LIQUIDATION),
};

static int64_t
mkt_get(const struct rec_market *m, size_t off)
{
	int64_t v;

	memcpy(&v, (const char *)m + off, sizeof v);
	return v;
}

static int
market_check(const struct rec_market *m, char *err, size_t errlen)
{
	uint32_t k = m->h.aux;
	const char *kn = mkt_kind_name(k);

	if (k < MK_FUNDING || k > MK_KIND_MAX)
		return err_set(err, errlen, "market: unknown kind %u in aux", (unsigned)k);
	for (size_t i = 0; i < sizeof mkt_fields / sizeof mkt_fields[0]; i++)
		if (mkt_fields[i].kind != k && mkt_get(m, mkt_fields[i].off) != MKT_NONE)
			return err_set(err, errlen, "market %s: field %s belongs to %s", kn, mkt_fields[i].name,
			    mkt_kind_name(mkt_fields[i].kind));
	if (k != MK_FUNDING && m->funding_interval_s != 0)
		return err_set(err, errlen, "market %s: funding_interval_s set", kn);
	if (k != MK_LIQUIDATION && m->liq_side != 0)
		return err_set(err, errlen, "market %s: liq_side set", kn);
	switch (k) {
	case MK_FUNDING:
		if (m->funding_rate == MKT_NONE)
			return err_set(err, errlen, "market funding: no funding_rate");
		break;
	case MK_OPEN_INTEREST:
		if (m->oi_contracts == MKT_NONE && m->oi_base == MKT_NONE && m->oi_quote == MKT_NONE)
			return err_set(err, errlen, "market open_interest: none of oi_contracts, oi_base, oi_quote");
		if ((m->oi_contracts != MKT_NONE && m->oi_contracts < 0) ||
		    (m->oi_base != MKT_NONE && m->oi_base < 0) || (m->oi_quote != MKT_NONE && m->oi_quote < 0))
			return err_set(err, errlen, "market open_interest: negative value");
		break;
	case MK_MARK:
		if (m->mark_px == MKT_NONE && m->index_px == MKT_NONE)
			return err_set(err, errlen, "market mark: neither mark_px nor index_px");
		if ((m->mark_px != MKT_NONE && m->mark_px <= 0) || (m->index_px != MKT_NONE && m->index_px <= 0))
			return err_set(err, errlen, "market mark: price <= 0");
		break;
	case MK_LIQUIDATION:
		if (m->liq_side != SIDE_BUY && m->liq_side != SIDE_SELL)
			return err_set(err, errlen, "market liquidation: side %u is neither buy nor sell",
			    (unsigned)m->liq_side);
		if (m->liq_px == MKT_NONE || m->liq_px <= 0 || m->liq_qty == MKT_NONE || m->liq_qty <= 0)
			return err_set(err, errlen, "market liquidation: price and size must be given and > 0");
		if (m->liq_avg_px != MKT_NONE && m->liq_avg_px <= 0)
			return err_set(err, errlen, "market liquidation: liq_avg_px <= 0");
		break;
	}
	return 0;
}

static int
has_nul(const char *s, size_t n)
{
	return memchr(s, 0, n) != NULL;
}

static int
ev_code_known(uint16_t code)
{
	return strcmp(ev_code_name(code), "unknown") != 0;
}

/*
 * Every read goes through memcpy into a local struct: buffers from files and
 * fuzzers need not be aligned, and nothing past len is ever touched (the
 * fixed part is copied only after len was checked against its size).
 */
int
rec_check(const void *buf, size_t len, char *err, size_t errlen)
{
	const unsigned char *p = buf;
	struct rec_hdr h;
	size_t fixed, want;
	const char *tn;

	if (!buf || len < sizeof h)
		return err_set(err, errlen, "record of %zu bytes is shorter than its header (%zu)", len, sizeof h);
	memcpy(&h, p, sizeof h);
	fixed = rec_fixed_size(h.type);
	if (fixed == 0)
		return err_set(err, errlen, "unknown record type %u", (unsigned)h.type);
	tn = rec_type_name(h.type);
	if (h.len != len)
		return err_set(err, errlen, "%s: header len %u but the record has %zu bytes", tn, (unsigned)h.len, len);
	if (len < fixed)
		return err_set(err, errlen, "%s: %zu bytes is shorter than its fixed part (%zu)", tn, len, fixed);
	/* The config's registry is not known here: each reader checks the id
	 * against its own; this catches what no config can make. */
	if (h.inst > INST_LIMIT)
		return err_set(err, errlen, "%s: instrument id %u out of range (max %d)", tn, (unsigned)h.inst, INST_LIMIT);

	switch (h.type) {
	case REC_DELTA: {
		struct rec_delta d;

		memcpy(&d, p, sizeof d);
		if (d.n_bids > REC_MAX_LEVELS || d.n_asks > REC_MAX_LEVELS)
			return err_set(err, errlen, "delta: %u bids / %u asks, more than %d per side",
			    (unsigned)d.n_bids, (unsigned)d.n_asks, REC_MAX_LEVELS);
		want = rec_delta_size(d.n_bids, d.n_asks);
		if (want != len)
			return err_set(err, errlen, "delta: %u bids + %u asks need %zu bytes, record has %zu",
			    (unsigned)d.n_bids, (unsigned)d.n_asks, want, len);
		return 0;
	}
	case REC_SNAPSHOT: {
		struct rec_snapshot s;

		memcpy(&s, p, sizeof s);
		if (s.kind < SNAP_REST || s.kind > SNAP_TOP)
			return err_set(err, errlen, "snapshot: unknown kind %u", (unsigned)s.kind);
		if (s.reason > SNAP_R_PERIODIC)
			return err_set(err, errlen, "snapshot: unknown reason %u", (unsigned)s.reason);
		if (s.nchunks == 0 || s.chunk >= s.nchunks)
			return err_set(err, errlen, "snapshot: chunk %u of %u (need nchunks >= 1, chunk < nchunks)",
			    (unsigned)s.chunk, (unsigned)s.nchunks);
		if (s.n_bids > REC_MAX_LEVELS || s.n_asks > REC_MAX_LEVELS)
			return err_set(err, errlen, "snapshot: %u bids / %u asks, more than %d per side",
			    (unsigned)s.n_bids, (unsigned)s.n_asks, REC_MAX_LEVELS);
		want = rec_snapshot_size(s.n_bids, s.n_asks);
		if (want != len)
			return err_set(err, errlen, "snapshot: %u bids + %u asks need %zu bytes, record has %zu",
			    (unsigned)s.n_bids, (unsigned)s.n_asks, want, len);
		return 0;
	}
	case REC_TRADE: {
		struct rec_trade t;

		if (len != sizeof t)
			break;
		memcpy(&t, p, sizeof t);
		if (t.side > SIDE_SELL)
			return err_set(err, errlen, "trade: unknown side %u", (unsigned)t.side);
		return 0;
	}
	case REC_TICKER: {
		struct rec_ticker t;

		if (len != sizeof t)
			break;
		memcpy(&t, p, sizeof t);
		if (t.have & ~(uint32_t)(TICK_BBO | TICK_LAST | TICK_24H))
			return err_set(err, errlen, "ticker: unknown 'have' bits 0x%x", (unsigned)t.have);
		return 0;
	}
	case REC_KLINE: {
		struct rec_kline k;

		if (len != sizeof k)
			break;
		memcpy(&k, p, sizeof k);
		if (k.closed > 1)
			return err_set(err, errlen, "kline: closed must be 0 or 1, not %u", (unsigned)k.closed);
		return 0;
	}
	case REC_CONTROL: {
		struct rec_control c;

		if (len != sizeof c)
			break;
		memcpy(&c, p, sizeof c);
		if (c.op < CTL_SNAPSHOT || c.op > CTL_RECONNECT)
			return err_set(err, errlen, "control: unknown op %u", (unsigned)c.op);
		if (!has_nul(c.reason, sizeof c.reason))
			return err_set(err, errlen, "control: reason is not NUL-terminated");
		return 0;
	}
	case REC_EVENT: {
		struct rec_event e;

		if (len != sizeof e)
			break;
		memcpy(&e, p, sizeof e);
		if (!ev_code_known(e.code))
			return err_set(err, errlen, "event: unknown code %u", (unsigned)e.code);
		if (e.severity > SEV_CRITICAL)
			return err_set(err, errlen, "event: unknown severity %u", (unsigned)e.severity);
		if (e.exch != EX_NONE && (!venue_get(e.exch) || !venue_get(e.exch)->implemented))
			return err_set(err, errlen, "event: unknown exchange %u", (unsigned)e.exch);
		if (!has_nul(e.text, sizeof e.text))
			return err_set(err, errlen, "event: text is not NUL-terminated");
		return 0;
	}
	case REC_RAW: {
		struct rec_raw r;

		memcpy(&r, p, sizeof r);
		if (r.source != RAW_WS && r.source != RAW_REST)
			return err_set(err, errlen, "raw: unknown source %u", (unsigned)r.source);
		if (h.aux != EX_NONE && (!venue_get(h.aux) || !venue_get(h.aux)->implemented))
			return err_set(err, errlen, "raw: unknown exchange %u in aux", (unsigned)h.aux);
		if (r.source == RAW_WS && r.path_len != 0)
			return err_set(err, errlen, "raw: a WebSocket frame with a %u-byte path", (unsigned)r.path_len);
		want = rec_raw_size(r.path_len, r.payload_len);
		if (want != len)
			return err_set(err, errlen, "raw: path %u + payload %u bytes need %zu bytes, record has %zu",
			    (unsigned)r.path_len, (unsigned)r.payload_len, want, len);
		if (has_nul((const char *)p + sizeof r, r.path_len))
			return err_set(err, errlen, "raw: NUL byte inside the path");
		return 0;
	}
	case REC_MARKET: {
		struct rec_market m;

		if (len != sizeof m)
			break;
		memcpy(&m, p, sizeof m);
		return market_check(&m, err, errlen);
	}
	case REC_INSTRUMENT: {
		struct rec_instrument r;

		if (len != sizeof r)
			break;
		memcpy(&r, p, sizeof r);
		if (r.tick < 0 || r.lot < 0 || r.min_qty < 0 || r.ct_val < 0 || r.ct_mult < 0)
			return err_set(err, errlen, "instrument: negative tick, lot, min_qty, ct_val or ct_mult");
		if (!memchr(r.ct_ccy, 0, sizeof r.ct_ccy))
			return err_set(err, errlen, "instrument: ct_ccy is not NUL-terminated");
		return 0;
	}
	}
	return err_set(err, errlen, "%s: record has %zu bytes, the type has exactly %zu", tn, len, fixed);
}

const char *
rec_type_name(uint16_t type)
{
	static const char *const names[] = {
		NULL, "delta", "snapshot", "trade", "ticker", "kline", "control", "event", "raw", "market",
		"instrument",
	};

	if (type >= 1 && type <= REC_TYPE_MAX)
		return names[type];
	return "unknown";
}

int
ev_breaks_book(uint16_t code)
{
	return code == EV_GAP || code == EV_RESYNC || code == EV_CHECKSUM_FAIL || code == EV_RING_LOSS ||
	    code == EV_NATS_LOSS;
}

const char *
ev_code_name(uint16_t code)
{
	switch (code) {
	case EV_CONNECTED: return "connected";
	case EV_DISCONNECTED: return "disconnected";
	case EV_SUBSCRIBED: return "subscribed";
	case EV_SNAPSHOT_FAILED: return "snapshot_failed";
	case EV_RATE_LIMITED: return "rate_limited";
	case EV_PARSE_ERROR: return "parse_error";
	case EV_STALE: return "stale";
	case EV_ROLLOVER: return "rollover";
	case EV_SYNCED: return "synced";
	case EV_GAP: return "gap";
	case EV_RESYNC: return "resync";
	case EV_VALIDATION: return "validation";
	case EV_CHECKSUM_FAIL: return "checksum_fail";
	case EV_BBO_MISMATCH: return "bbo_mismatch";
	case EV_REFRESH_DISCREPANCY: return "refresh_discrepancy";
	case EV_TOP_MISMATCH: return "top_mismatch";
	case EV_WINDOW_DISCREPANCY: return "window_discrepancy";
	case EV_RING_LOSS: return "ring_loss";
	case EV_RESTARTED: return "restarted";
	case EV_NATS_LOSS: return "nats_loss";
	}
	return "unknown";
}

const char *
ctl_op_name(uint16_t op)
{
	switch (op) {
	case CTL_SNAPSHOT: return "snapshot";
	case CTL_RESUBSCRIBE: return "resubscribe";
	case CTL_DEEP: return "deep";
	case CTL_RECONNECT: return "reconnect";
	}
	return "unknown";
}

const char *
snap_kind_name(uint8_t kind)
{
	switch (kind) {
	case SNAP_REST: return "rest";
	case SNAP_WS: return "ws";
	case SNAP_DEEP: return "deep";
	case SNAP_FULL: return "full";
	case SNAP_TOPN: return "topn";
	case SNAP_TOP: return "top";
	}
	return "unknown";
}

const char *
mkt_kind_name(uint32_t kind)
{
	switch (kind) {
	case MK_FUNDING: return "funding";
	case MK_OPEN_INTEREST: return "open_interest";
	case MK_MARK: return "mark";
	case MK_LIQUIDATION: return "liquidation";
	}
	return "unknown";
}

uint64_t
rec_schema_hash(void)
{
	static uint64_t cached;
	uint64_t h = __atomic_load_n(&cached, __ATOMIC_RELAXED);
	int n;

	if (h == 0) {
		const struct rec_desc_struct *d = rec_desc(&n);

		h = rec_desc_hash(d, n);
		__atomic_store_n(&cached, h, __ATOMIC_RELAXED);
	}
	return h;
}
