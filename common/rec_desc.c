/* rec_desc.c - the field-by-field description of rec.h and its hash. */
#include "rec_desc.h"

#include <string.h>

#include "rec.h"

#define FLD(st, m) {#m, offsetof(struct st, m), sizeof(((struct st *)0)->m)}
#define DESC(st, fields) \
	{#st, sizeof(struct st), fields, (int)(sizeof fields / sizeof fields[0]), NULL, 0, 0}
#define DESCT(st, fields, tail, tailtype) \
	{#st, sizeof(struct st), fields, (int)(sizeof fields / sizeof fields[0]), #tail, \
	    offsetof(struct st, tail), sizeof(tailtype)}

static const struct rec_desc_field f_hdr[] = {
	FLD(rec_hdr, type), FLD(rec_hdr, flags), FLD(rec_hdr, inst), FLD(rec_hdr, len),
	FLD(rec_hdr, aux), FLD(rec_hdr, first_id), FLD(rec_hdr, last_id), FLD(rec_hdr, prev_id),
	FLD(rec_hdr, exch_ns), FLD(rec_hdr, recv_ns), FLD(rec_hdr, stage_ns),
};
static const struct rec_desc_field f_level[] = {
	FLD(rec_level, px), FLD(rec_level, qty),
};
static const struct rec_desc_field f_delta[] = {
	FLD(rec_delta, h), FLD(rec_delta, n_bids), FLD(rec_delta, n_asks),
	FLD(rec_delta, book_bids), FLD(rec_delta, book_asks),
	FLD(rec_delta, best_bid_px), FLD(rec_delta, best_bid_qty),
	FLD(rec_delta, best_ask_px), FLD(rec_delta, best_ask_qty), FLD(rec_delta, xseq),
};
static const struct rec_desc_field f_snapshot[] = {
	FLD(rec_snapshot, h), FLD(rec_snapshot, kind), FLD(rec_snapshot, reason),
	FLD(rec_snapshot, chunk), FLD(rec_snapshot, nchunks), FLD(rec_snapshot, pad0),
	FLD(rec_snapshot, n_bids), FLD(rec_snapshot, n_asks), FLD(rec_snapshot, req_id),
	FLD(rec_snapshot, checksum), FLD(rec_snapshot, bid_floor_px),
	FLD(rec_snapshot, ask_ceil_px), FLD(rec_snapshot, deep_refresh_ns), FLD(rec_snapshot, xseq),
};
static const struct rec_desc_field f_trade[] = {
	FLD(rec_trade, h), FLD(rec_trade, px), FLD(rec_trade, qty), FLD(rec_trade, trade_ns),
	FLD(rec_trade, side), FLD(rec_trade, pad0), FLD(rec_trade, count),
};
static const struct rec_desc_field f_ticker[] = {
	FLD(rec_ticker, h), FLD(rec_ticker, have), FLD(rec_ticker, pad0),
	FLD(rec_ticker, bid_px), FLD(rec_ticker, bid_qty), FLD(rec_ticker, ask_px),
	FLD(rec_ticker, ask_qty), FLD(rec_ticker, last_px), FLD(rec_ticker, last_qty),
	FLD(rec_ticker, open_24h), FLD(rec_ticker, high_24h), FLD(rec_ticker, low_24h),
	FLD(rec_ticker, vol_24h), FLD(rec_ticker, volq_24h),
};
static const struct rec_desc_field f_kline[] = {
	FLD(rec_kline, h), FLD(rec_kline, open_ns), FLD(rec_kline, close_ns),
	FLD(rec_kline, o), FLD(rec_kline, hi), FLD(rec_kline, lo), FLD(rec_kline, c),
	FLD(rec_kline, vol), FLD(rec_kline, volq), FLD(rec_kline, n_trades),
	FLD(rec_kline, interval_s), FLD(rec_kline, closed), FLD(rec_kline, pad0),
};
static const struct rec_desc_field f_control[] = {
	FLD(rec_control, h), FLD(rec_control, op), FLD(rec_control, flags),
	FLD(rec_control, req_id), FLD(rec_control, depth), FLD(rec_control, pad1),
	FLD(rec_control, reason),
};
static const struct rec_desc_field f_event[] = {
	FLD(rec_event, h), FLD(rec_event, code), FLD(rec_event, severity),
	FLD(rec_event, exch), FLD(rec_event, pad0), FLD(rec_event, a), FLD(rec_event, b), FLD(rec_event, text),
};
static const struct rec_desc_field f_raw[] = {
	FLD(rec_raw, h), FLD(rec_raw, source), FLD(rec_raw, pad0),
	FLD(rec_raw, path_len), FLD(rec_raw, payload_len),
};

static const struct rec_desc_field f_market[] = {
	FLD(rec_market, h), FLD(rec_market, funding_rate), FLD(rec_market, next_funding_rate),
	FLD(rec_market, settle_ns), FLD(rec_market, next_settle_ns),
	FLD(rec_market, mark_px), FLD(rec_market, index_px),
	FLD(rec_market, oi_contracts), FLD(rec_market, oi_base), FLD(rec_market, oi_quote),
	FLD(rec_market, liq_px), FLD(rec_market, liq_avg_px), FLD(rec_market, liq_qty),
	FLD(rec_market, funding_interval_s), FLD(rec_market, liq_side), FLD(rec_market, pad0),
};

static const struct rec_desc_field f_instrument[] = {
	FLD(rec_instrument, h), FLD(rec_instrument, tick), FLD(rec_instrument, lot),
	FLD(rec_instrument, min_qty), FLD(rec_instrument, ct_val), FLD(rec_instrument, ct_mult),
	FLD(rec_instrument, ct_ccy),
};

static const struct rec_desc_struct g_desc[] = {
	DESC(rec_hdr, f_hdr),
	DESC(rec_level, f_level),
	DESCT(rec_delta, f_delta, lv, struct rec_level),
	DESCT(rec_snapshot, f_snapshot, lv, struct rec_level),
	DESC(rec_trade, f_trade),
	DESC(rec_ticker, f_ticker),
	DESC(rec_kline, f_kline),
	DESC(rec_control, f_control),
	DESC(rec_event, f_event),
	DESCT(rec_raw, f_raw, data, char),
	DESC(rec_market, f_market),
	DESC(rec_instrument, f_instrument),
};

/* The trailing arrays must start right at the end of their struct, or the
 * size helpers and the description would disagree with the compiler. */
_Static_assert(offsetof(struct rec_delta, lv) == sizeof(struct rec_delta), "rec_delta tail");
_Static_assert(offsetof(struct rec_snapshot, lv) == sizeof(struct rec_snapshot), "rec_snapshot tail");
_Static_assert(offsetof(struct rec_raw, data) == sizeof(struct rec_raw), "rec_raw tail");

const struct rec_desc_struct *
rec_desc(int *n)
{
	*n = (int)(sizeof g_desc / sizeof g_desc[0]);
	return g_desc;
}

#define FNV_OFF 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t
fnv_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--) {
		h ^= *b++;
		h *= FNV_PRIME;
	}
	return h;
}

/* Integers as 8 little-endian bytes, strings with their NUL, so that
 * ("ab","c") and ("a","bc") hash differently. */
static uint64_t
fnv_u64(uint64_t h, uint64_t v)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	return fnv_bytes(h, b, 8);
}

static uint64_t
fnv_str(uint64_t h, const char *s)
{
	return fnv_bytes(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

uint64_t
rec_desc_hash(const struct rec_desc_struct *d, int n)
{
	uint64_t h = FNV_OFF;

	h = fnv_u64(h, REC_FORMAT_VERSION);
	h = fnv_u64(h, (uint64_t)n);
	for (int i = 0; i < n; i++) {
		h = fnv_str(h, d[i].name);
		h = fnv_u64(h, d[i].size);
		h = fnv_u64(h, (uint64_t)d[i].nf);
		for (int j = 0; j < d[i].nf; j++) {
			h = fnv_str(h, d[i].f[j].name);
			h = fnv_u64(h, d[i].f[j].off);
			h = fnv_u64(h, d[i].f[j].size);
		}
		h = fnv_str(h, d[i].tail);
		h = fnv_u64(h, d[i].tail_off);
		h = fnv_u64(h, d[i].tail ? d[i].tail_elem : 0);
	}
	return h;
}
