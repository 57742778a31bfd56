/*
 * ch_schema.c - the ClickHouse tables and the RowBinary row of each record.
 *
 * Two DDL flavours, one wire format.  Modern servers (>= 22.2) get the
 * requirement's orderbook_full_depth exactly (DateTime64(3) times,
 * MergeTree, PARTITION BY toYYYYMM(timestamp), ORDER BY (exchange_name,
 * symbol_name, timestamp)) and compact tables with codecs, deduplicated per
 * INSERT by insert_deduplication_token (non_replicated_deduplication_window).
 * Legacy servers (Debian's 18.16) lack DateTime64, codecs and the token:
 * there times are Int64 (the same bytes RowBinary sends for DateTime64) and
 * the engine is ReplacingMergeTree on a natural key, so a re-sent row
 * collapses on merge or with FINAL.
 *
 * Codecs follow research/clickhouse-nats.md section 1 (measured on 26.7):
 * DoubleDelta for millisecond exchange times and update ids (near-constant
 * stride), Delta+ZSTD for nanosecond receive times, ZSTD(3) for price and
 * size arrays (the changes of one update are not sorted, so Delta does not
 * help them; a full book's ladder is, so bids_full/asks_full text is ZSTD(3)),
 * LowCardinality for exchange/symbol (0.005 B/row).  Prices and sizes are
 * Decimal64(8): exact for the venues' 8-decimal strings, and the same Int64
 * mantissa the records carry at the default exponent -8.
 *
 * Derivatives market data (REC_MARKET, one table per kind): rates are
 * Decimal128(18), the record's mantissa at MKT_RATE_EXP unchanged (a
 * Decimal64(18) would cap |rate| below 1 by its precision); open-interest
 * values Decimal128(4) at MKT_VALUE_EXP; a value the venue did not give
 * (MKT_NONE) is NULL.
 */
#include "ch_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx.h"
#include "store.h"

struct col {
	const char *name;
	const char *modern;     /* type and codec on a modern server */
	const char *legacy;     /* type on 18.16 */
};

struct table {
	const char *name;
	const struct col *cols;
	const char *columns;    /* "(a, b, ...)" for INSERT */
	const char *engine_modern;
	const char *engine_legacy;
};

#define DT3 "DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1))"
#define DT9 "DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1))"
#define LC "LowCardinality(String)"
#define DEC "Decimal64(8) CODEC(ZSTD(1))"
#define DECA "Array(Decimal64(8)) CODEC(ZSTD(3))"
#define IDC "Int64 CODEC(DoubleDelta, ZSTD(1))"

static const struct col full_cols[] = {
	{"exchange_name", "String", "String"},
	{"symbol_name", "String", "String"},
	{"update_type", "Enum8('snapshot' = 1, 'update' = 2)", "Enum8('snapshot' = 1, 'update' = 2)"},
	{"last_update_id", "UInt64", "UInt64"},
	{"first_update_id", "Nullable(UInt64)", "Nullable(UInt64)"},
	{"prev_update_id", "Nullable(UInt64)", "Nullable(UInt64)"},
	{"bids_top20", "String", "String"},
	{"asks_top20", "String", "String"},
	{"bids_full", "String CODEC(ZSTD(3))", "String"},
	{"asks_full", "String CODEC(ZSTD(3))", "String"},
	{"depth_levels", "UInt16", "UInt16"},
	{"checksum", "Nullable(Int32)", "Nullable(Int32)"},
	{"timestamp", "DateTime64(3)", "Int64"},
	{"collected_at", "DateTime64(3) DEFAULT now64()", "Int64"},
	/* what is known (issue 10), as on orderbook.full: null / 0 on update rows */
	{"bid_exact_floor", "Nullable(String)", "Nullable(String)"},
	{"ask_exact_ceil", "Nullable(String)", "Nullable(String)"},
	{"exact_levels_bids", "UInt32", "UInt32"},
	{"exact_levels_asks", "UInt32", "UInt32"},
	{"deep_as_of", "Nullable(DateTime64(3))", "Nullable(Int64)"},
	{NULL, NULL, NULL},
};

static const struct col delta_cols[] = {
	{"exchange", LC, "String"},
	{"symbol", LC, "String"},
	{"exch_time", DT3, "Int64"},
	{"recv_time", DT9, "Int64"},
	{"first_update_id", IDC, "Int64"},
	{"last_update_id", IDC, "Int64"},
	{"prev_update_id", IDC, "Int64"},
	{"flags", "UInt16 CODEC(ZSTD(1))", "UInt16"},
	{"checksum", "Int32 CODEC(ZSTD(1))", "Int32"},
	{"bid_px", DECA, "Array(Decimal64(8))"},
	{"bid_qty", DECA, "Array(Decimal64(8))"},
	{"ask_px", DECA, "Array(Decimal64(8))"},
	{"ask_qty", DECA, "Array(Decimal64(8))"},
	{"book_bids", "UInt16 CODEC(ZSTD(1))", "UInt16"},
	{"book_asks", "UInt16 CODEC(ZSTD(1))", "UInt16"},
	{"best_bid_px", DEC, "Decimal64(8)"},
	{"best_bid_qty", DEC, "Decimal64(8)"},
	{"best_ask_px", DEC, "Decimal64(8)"},
	{"best_ask_qty", DEC, "Decimal64(8)"},
	{"feed_time", DT9, "Int64"},
	{"book_time", DT9, "Int64"},
	{"store_time", DT9, "Int64"},
	{NULL, NULL, NULL},
};

static const struct col trade_cols[] = {
	{"exchange", LC, "String"},
	{"symbol", LC, "String"},
	{"trade_time", DT3, "Int64"},
	{"recv_time", DT9, "Int64"},
	{"trade_id", IDC, "Int64"},
	{"price", DEC, "Decimal64(8)"},
	{"qty", DEC, "Decimal64(8)"},
	{"side", "Enum8('unknown' = 0, 'buy' = 1, 'sell' = 2)", "Enum8('unknown' = 0, 'buy' = 1, 'sell' = 2)"},
	{"count", "UInt32 CODEC(ZSTD(1))", "UInt32"},
	{NULL, NULL, NULL},
};

static const struct col ticker_cols[] = {
	{"exchange", LC, "String"},
	{"symbol", LC, "String"},
	{"exch_time", DT3, "Int64"},
	{"recv_time", DT9, "Int64"},
	{"update_id", IDC, "Int64"},
	{"have", "UInt8", "UInt8"},
	{"bid_px", DEC, "Decimal64(8)"},
	{"bid_qty", DEC, "Decimal64(8)"},
	{"ask_px", DEC, "Decimal64(8)"},
	{"ask_qty", DEC, "Decimal64(8)"},
	{"last_px", DEC, "Decimal64(8)"},
	{"last_qty", DEC, "Decimal64(8)"},
	{"open_24h", DEC, "Decimal64(8)"},
	{"high_24h", DEC, "Decimal64(8)"},
	{"low_24h", DEC, "Decimal64(8)"},
	{"vol_24h", DEC, "Decimal64(8)"},
	{"volq_24h", DEC, "Decimal64(8)"},
	{NULL, NULL, NULL},
};

static const struct col kline_cols[] = {
	{"exchange", LC, "String"},
	{"symbol", LC, "String"},
	{"open_time", DT3, "Int64"},
	{"close_time", DT3, "Int64"},
	{"recv_time", DT9, "Int64"},
	{"interval_s", "UInt32", "UInt32"},
	{"open", DEC, "Decimal64(8)"},
	{"high", DEC, "Decimal64(8)"},
	{"low", DEC, "Decimal64(8)"},
	{"close", DEC, "Decimal64(8)"},
	{"volume", DEC, "Decimal64(8)"},
	{"quote_volume", DEC, "Decimal64(8)"},
	{"trades", "Int64", "Int64"},
	{"closed", "UInt8", "UInt8"},
	{NULL, NULL, NULL},
};

static const struct col event_cols[] = {
	{"exchange", LC, "String"},
	{"symbol", LC, "String"},
	{"time", DT9, "Int64"},
	{"code", "UInt16", "UInt16"},
	{"event", LC, "String"},
	{"severity", "Enum8('info' = 0, 'warn' = 1, 'error' = 2, 'critical' = 3)",
	    "Enum8('info' = 0, 'warn' = 1, 'error' = 2, 'critical' = 3)"},
	{"a", "Int64", "Int64"},
	{"b", "Int64", "Int64"},
	{"aux", "UInt32", "UInt32"},
	{"text", "String CODEC(ZSTD(1))", "String"},
	{NULL, NULL, NULL},
};

static const struct col funding_cols[] = {
	{"exchange", LC, "String"},
	{"symbol", LC, "String"},
	{"exch_time", DT3, "Int64"},
	{"recv_time", DT9, "Int64"},
	{"funding_rate", "Decimal128(18) CODEC(ZSTD(1))", "Decimal128(18)"},
	{"next_funding_rate", "Nullable(Decimal128(18))", "Nullable(Decimal128(18))"},
	{"funding_time", "Nullable(DateTime64(3, 'UTC'))", "Nullable(Int64)"},
	{"next_funding_time", "Nullable(DateTime64(3, 'UTC'))", "Nullable(Int64)"},
	{"funding_interval_s", "UInt32", "UInt32"},
	{NULL, NULL, NULL},
};

static const struct col oi_cols[] = {
	{"exchange", LC, "String"},
	{"symbol", LC, "String"},
	{"exch_time", DT3, "Int64"},
	{"recv_time", DT9, "Int64"},
	{"open_interest", "Nullable(Decimal64(8))", "Nullable(Decimal64(8))"},
	{"open_interest_base", "Nullable(Decimal128(4))", "Nullable(Decimal128(4))"},
	{"open_interest_value", "Nullable(Decimal128(4))", "Nullable(Decimal128(4))"},
	{NULL, NULL, NULL},
};

static const struct col mark_cols[] = {
	{"exchange", LC, "String"},
	{"symbol", LC, "String"},
	{"exch_time", DT3, "Int64"},
	{"recv_time", DT9, "Int64"},
	{"mark_price", "Nullable(Decimal64(8))", "Nullable(Decimal64(8))"},
	{"index_price", "Nullable(Decimal64(8))", "Nullable(Decimal64(8))"},
	{NULL, NULL, NULL},
};

static const struct col liq_cols[] = {
	{"exchange", LC, "String"},
	{"symbol", LC, "String"},
	{"exch_time", DT3, "Int64"},
	{"recv_time", DT9, "Int64"},
	{"side", "Enum8('buy' = 1, 'sell' = 2)", "Enum8('buy' = 1, 'sell' = 2)"},
	{"price", DEC, "Decimal64(8)"},
	{"qty", DEC, "Decimal64(8)"},
	{"avg_price", "Nullable(Decimal64(8))", "Nullable(Decimal64(8))"},
	{NULL, NULL, NULL},
};

#define DEDUP "SETTINGS non_replicated_deduplication_window = 10000"
#define PART_L(col) "PARTITION BY toYYYYMM(toDateTime(intDiv(" col ", 1000000000))) "
#define PART_L3(col) "PARTITION BY toYYYYMM(toDateTime(intDiv(" col ", 1000))) "

static const struct table tables[CH_T_MAX] = {
	{"orderbook_full_depth", full_cols,
	    "(exchange_name, symbol_name, update_type, last_update_id, first_update_id, prev_update_id, "
	    "bids_top20, asks_top20, bids_full, asks_full, depth_levels, checksum, timestamp, collected_at, "
	    "bid_exact_floor, ask_exact_ceil, exact_levels_bids, exact_levels_asks, deep_as_of)",
	    "MergeTree() PARTITION BY toYYYYMM(timestamp) ORDER BY (exchange_name, symbol_name, timestamp) " DEDUP,
	    "ReplacingMergeTree() " PART_L3("timestamp")
	    "ORDER BY (exchange_name, symbol_name, timestamp, update_type, last_update_id)"},
	{"orderbook_deltas", delta_cols,
	    "(exchange, symbol, exch_time, recv_time, first_update_id, last_update_id, prev_update_id, flags, "
	    "checksum, bid_px, bid_qty, ask_px, ask_qty, book_bids, book_asks, best_bid_px, best_bid_qty, "
	    "best_ask_px, best_ask_qty, feed_time, book_time, store_time)",
	    "MergeTree() PARTITION BY toYYYYMM(recv_time) ORDER BY (exchange, symbol, recv_time, last_update_id) " DEDUP,
	    /* prev_update_id too: OKX's deep-book merge is a second delta at the same id. */
	    "ReplacingMergeTree() " PART_L("recv_time")
	    "ORDER BY (exchange, symbol, recv_time, last_update_id, prev_update_id)"},
	{"trades", trade_cols,
	    "(exchange, symbol, trade_time, recv_time, trade_id, price, qty, side, count)",
	    "MergeTree() PARTITION BY toYYYYMM(trade_time) ORDER BY (exchange, symbol, trade_time, trade_id) " DEDUP,
	    "ReplacingMergeTree() " PART_L3("trade_time") "ORDER BY (exchange, symbol, trade_time, trade_id)"},
	{"tickers", ticker_cols,
	    "(exchange, symbol, exch_time, recv_time, update_id, have, bid_px, bid_qty, ask_px, ask_qty, "
	    "last_px, last_qty, open_24h, high_24h, low_24h, vol_24h, volq_24h)",
	    "MergeTree() PARTITION BY toYYYYMM(recv_time) ORDER BY (exchange, symbol, recv_time) " DEDUP,
	    "ReplacingMergeTree() " PART_L("recv_time") "ORDER BY (exchange, symbol, recv_time, update_id)"},
	{"klines", kline_cols,
	    "(exchange, symbol, open_time, close_time, recv_time, interval_s, open, high, low, close, volume, "
	    "quote_volume, trades, closed)",
	    "MergeTree() PARTITION BY toYYYYMM(open_time) ORDER BY (exchange, symbol, interval_s, open_time, recv_time) " DEDUP,
	    "ReplacingMergeTree() " PART_L3("open_time") "ORDER BY (exchange, symbol, interval_s, open_time, recv_time)"},
	{"book_events", event_cols,
	    "(exchange, symbol, time, code, event, severity, a, b, aux, text)",
	    "MergeTree() PARTITION BY toYYYYMM(time) ORDER BY (exchange, symbol, time, code) " DEDUP,
	    "ReplacingMergeTree() " PART_L("time") "ORDER BY (exchange, symbol, time, code, a, b)"},
	{"funding_rates", funding_cols,
	    "(exchange, symbol, exch_time, recv_time, funding_rate, next_funding_rate, funding_time, "
	    "next_funding_time, funding_interval_s)",
	    "MergeTree() PARTITION BY toYYYYMM(recv_time) ORDER BY (exchange, symbol, recv_time) " DEDUP,
	    "ReplacingMergeTree() " PART_L("recv_time") "ORDER BY (exchange, symbol, recv_time)"},
	{"open_interest", oi_cols,
	    "(exchange, symbol, exch_time, recv_time, open_interest, open_interest_base, open_interest_value)",
	    "MergeTree() PARTITION BY toYYYYMM(recv_time) ORDER BY (exchange, symbol, recv_time) " DEDUP,
	    "ReplacingMergeTree() " PART_L("recv_time") "ORDER BY (exchange, symbol, recv_time)"},
	/* mark and index may come in separate updates at the same receive time
	 * (OKX mark-price and index-tickers): the legacy key keeps both */
	{"mark_prices", mark_cols,
	    "(exchange, symbol, exch_time, recv_time, mark_price, index_price)",
	    "MergeTree() PARTITION BY toYYYYMM(recv_time) ORDER BY (exchange, symbol, recv_time) " DEDUP,
	    "ReplacingMergeTree() " PART_L("recv_time") "ORDER BY (exchange, symbol, recv_time, exch_time)"},
	{"liquidations", liq_cols,
	    "(exchange, symbol, exch_time, recv_time, side, price, qty, avg_price)",
	    "MergeTree() PARTITION BY toYYYYMM(recv_time) ORDER BY (exchange, symbol, recv_time) " DEDUP,
	    "ReplacingMergeTree() " PART_L("recv_time") "ORDER BY (exchange, symbol, recv_time, price, qty)"},
};

const char *
ch_table_name(int t)
{
	return t >= 0 && t < CH_T_MAX ? tables[t].name : "?";
}

const char *
ch_table_columns(int t)
{
	return tables[t].columns;
}

char *
ch_table_ddl(int t, int mode, const char *db)
{
	const struct table *tb = &tables[t];
	size_t cap = 8192, len;
	char *s = malloc(cap);
	int i;

	if (!s)
		return NULL;
	len = (size_t)snprintf(s, cap, "CREATE TABLE IF NOT EXISTS %s.%s (", db, tb->name);
	for (i = 0; tb->cols[i].name; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s%s %s", i ? ", " : "", tb->cols[i].name,
		    mode == CH_MODERN ? tb->cols[i].modern : tb->cols[i].legacy);
	snprintf(s + len, cap - len, ") ENGINE = %s", mode == CH_MODERN ? tb->engine_modern : tb->engine_legacy);
	return s;
}

/* ---- rows ---- */

/* A mantissa at exponent exp as a Decimal64(8) value (exact unless it cannot be). */
static int64_t
dec8(struct ch_enc *e, int64_t v, int exp)
{
	static const int64_t p10[] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	    1000000000LL, 10000000000LL };
	int d = exp + 8;

	if (d == 0)
		return v;
	if (d > 0 && d <= 10)
		return v * p10[d];
	if (d < 0 && -d <= 10) {
		if (v % p10[-d])
			e->st.scale_errors++;
		return v / p10[-d];
	}
	e->st.scale_errors++;
	return 0;
}

static int
px_exp(const struct inst *in)
{
	return in ? in->px_exp : FX_DEFAULT_EXP;
}

static int
qty_exp(const struct inst *in)
{
	return in ? in->qty_exp : FX_DEFAULT_EXP;
}

static int64_t
ms(int64_t ns)
{
	return ns / 1000000;
}

static void
levels_json(struct ch_buf *b, const struct inst *in, const struct rec_level *lv, uint32_t n)
{
	char px[FX_STR_MAX], q[FX_STR_MAX];
	struct ch_buf tmp = { 0 };
	uint32_t i;

	ch_put(&tmp, "[", 1);
	for (i = 0; i < n; i++) {
		if (in) {
			inst_fmt_px(in, lv[i].px, px, sizeof px);
			inst_fmt_qty(in, lv[i].qty, q, sizeof q);
		} else {
			fx_format(lv[i].px, FX_DEFAULT_EXP, FX_TRIM, px, sizeof px);
			fx_format(lv[i].qty, FX_DEFAULT_EXP, FX_TRIM, q, sizeof q);
		}
		if (i)
			ch_put(&tmp, ",", 1);
		ch_put(&tmp, "[\"", 2);
		ch_put(&tmp, px, strlen(px));
		ch_put(&tmp, "\",\"", 3);
		ch_put(&tmp, q, strlen(q));
		ch_put(&tmp, "\"]", 2);
	}
	ch_put(&tmp, "]", 1);
	if (tmp.oom)
		b->oom = 1;
	ch_str(b, (const char *)tmp.p, tmp.len);
	ch_buf_free(&tmp);
}

static void
nullable_id(struct ch_buf *b, int64_t id)
{
	if (id < 0) {
		ch_u8(b, 1);
		return;
	}
	ch_u8(b, 0);
	ch_u64(b, (uint64_t)id);
}

static void
nullable_px(struct ch_buf *b, const struct inst *in, int64_t px)
{
	char s[FX_STR_MAX];

	if (px <= 0) {
		ch_u8(b, 1);
		return;
	}
	if (in)
		inst_fmt_px(in, px, s, sizeof s);
	else
		fx_format(px, FX_DEFAULT_EXP, FX_TRIM, s, sizeof s);
	ch_u8(b, 0);
	ch_cstr(b, s);
}

/*
 * One orderbook_full_depth row: a full book (s != NULL) or an update (s ==
 * NULL, full_depth_updates; bids/asks = its changes).  The columns mean what
 * orderbook.full's fields mean (routerd/README.md): first_update_id and
 * prev_update_id null on full books; depth_levels = levels present, both
 * sides together (the book's levels after an update); checksum null when
 * the venue sent none or 0; the exact range and deep_as_of of a full book.
 */
static void
full_row(struct ch_enc *e, const char *exchange, const char *symbol, const struct rec_snapshot *s,
    const struct rec_hdr *h, const struct inst *in, const struct rec_level *bids, uint32_t nb,
    const struct rec_level *asks, uint32_t na, uint64_t depth, int32_t checksum)
{
	struct ch_buf *b = &e->t[CH_T_FULL_DEPTH];
	int update = s == NULL;
	uint32_t eb = 0, ea = 0;

	ch_cstr(b, exchange);
	ch_cstr(b, symbol);
	ch_u8(b, update ? 2 : 1);
	ch_u64(b, h->last_id < 0 ? 0 : (uint64_t)h->last_id);
	nullable_id(b, update ? h->first_id : -1);
	nullable_id(b, update ? h->prev_id : -1);
	levels_json(b, in, bids, nb < 20 ? nb : 20);
	levels_json(b, in, asks, na < 20 ? na : 20);
	if (update) {
		/* An update row: the changes are the top20 columns; no full book. */
		ch_cstr(b, "");
		ch_cstr(b, "");
	} else {
		levels_json(b, in, bids, nb);
		levels_json(b, in, asks, na);
	}
	ch_u16(b, (uint16_t)(depth > 65535 ? 65535 : depth));
	if (checksum != 0 && in && venue_get(in->exch) && (venue_get(in->exch)->flags & VF_CHECKSUM)) {
		ch_u8(b, 0);
		ch_i32(b, checksum);
	} else {
		ch_u8(b, 1);
	}
	ch_i64(b, ms(h->exch_ns ? h->exch_ns : h->recv_ns));
	ch_i64(b, ms(h->recv_ns));
	if (s)
		rec_snapshot_exact(s, &eb, &ea);
	nullable_px(b, in, s ? s->bid_floor_px : 0);
	nullable_px(b, in, s ? s->ask_ceil_px : 0);
	ch_u32(b, eb);
	ch_u32(b, ea);
	if (s && s->deep_refresh_ns > 0) {
		ch_u8(b, 0);
		ch_i64(b, ms(s->deep_refresh_ns));
	} else {
		ch_u8(b, 1);
	}
	b->rows++;
	e->st.rows[CH_T_FULL_DEPTH]++;
}

static void
dec_array(struct ch_enc *e, struct ch_buf *b, const struct rec_level *lv, uint32_t n, int px, int exp)
{
	uint32_t i;

	ch_leb(b, n);
	for (i = 0; i < n; i++)
		ch_i64(b, dec8(e, px ? lv[i].px : lv[i].qty, exp));
}

static void
delta_row(struct ch_enc *e, const struct rec_delta *d, const char *exchange, const char *symbol,
    const struct inst *in)
{
	struct ch_buf *b = &e->t[CH_T_DELTAS];
	const struct rec_level *bids = d->lv, *asks = d->lv + d->n_bids;
	int pe = px_exp(in), qe = qty_exp(in);

	ch_cstr(b, exchange);
	ch_cstr(b, symbol);
	ch_i64(b, ms(d->h.exch_ns));
	ch_i64(b, d->h.recv_ns);
	ch_i64(b, d->h.first_id);
	ch_i64(b, d->h.last_id);
	ch_i64(b, d->h.prev_id);
	ch_u16(b, d->h.flags);
	ch_i32(b, (int32_t)d->h.aux);
	dec_array(e, b, bids, d->n_bids, 1, pe);
	dec_array(e, b, bids, d->n_bids, 0, qe);
	dec_array(e, b, asks, d->n_asks, 1, pe);
	dec_array(e, b, asks, d->n_asks, 0, qe);
	ch_u16(b, (uint16_t)(d->book_bids > 65535 ? 65535 : d->book_bids));
	ch_u16(b, (uint16_t)(d->book_asks > 65535 ? 65535 : d->book_asks));
	ch_i64(b, dec8(e, d->best_bid_px, pe));
	ch_i64(b, dec8(e, d->best_bid_qty, qe));
	ch_i64(b, dec8(e, d->best_ask_px, pe));
	ch_i64(b, dec8(e, d->best_ask_qty, qe));
	ch_i64(b, d->h.stage_ns[STAGE_FEED]);
	ch_i64(b, d->h.stage_ns[STAGE_BOOK]);
	ch_i64(b, d->h.stage_ns[STAGE_STORE]);
	b->rows++;
	e->st.rows[CH_T_DELTAS]++;
	if (e->full_depth_updates)
		full_row(e, exchange, symbol, NULL, &d->h, in, bids, d->n_bids, asks, d->n_asks,
		    (uint64_t)d->book_bids + d->book_asks, (int32_t)d->h.aux);
}

static void
trade_row(struct ch_enc *e, const struct rec_trade *t, const char *exchange, const char *symbol,
    const struct inst *in)
{
	struct ch_buf *b = &e->t[CH_T_TRADES];

	ch_cstr(b, exchange);
	ch_cstr(b, symbol);
	ch_i64(b, ms(t->trade_ns ? t->trade_ns : t->h.exch_ns));
	ch_i64(b, t->h.recv_ns);
	ch_i64(b, t->h.last_id);
	ch_i64(b, dec8(e, t->px, px_exp(in)));
	ch_i64(b, dec8(e, t->qty, qty_exp(in)));
	ch_u8(b, t->side);
	ch_u32(b, t->count);
	b->rows++;
	e->st.rows[CH_T_TRADES]++;
}

static void
ticker_row(struct ch_enc *e, const struct rec_ticker *t, const char *exchange, const char *symbol,
    const struct inst *in)
{
	struct ch_buf *b = &e->t[CH_T_TICKERS];
	int pe = px_exp(in), qe = qty_exp(in);

	ch_cstr(b, exchange);
	ch_cstr(b, symbol);
	ch_i64(b, ms(t->h.exch_ns));
	ch_i64(b, t->h.recv_ns);
	ch_i64(b, t->h.last_id);
	ch_u8(b, (uint8_t)t->have);
	ch_i64(b, dec8(e, t->bid_px, pe));
	ch_i64(b, dec8(e, t->bid_qty, qe));
	ch_i64(b, dec8(e, t->ask_px, pe));
	ch_i64(b, dec8(e, t->ask_qty, qe));
	ch_i64(b, dec8(e, t->last_px, pe));
	ch_i64(b, dec8(e, t->last_qty, qe));
	ch_i64(b, dec8(e, t->open_24h, pe));
	ch_i64(b, dec8(e, t->high_24h, pe));
	ch_i64(b, dec8(e, t->low_24h, pe));
	ch_i64(b, dec8(e, t->vol_24h, qe));
	ch_i64(b, dec8(e, t->volq_24h, pe));
	b->rows++;
	e->st.rows[CH_T_TICKERS]++;
}

static void
kline_row(struct ch_enc *e, const struct rec_kline *k, const char *exchange, const char *symbol,
    const struct inst *in)
{
	struct ch_buf *b = &e->t[CH_T_KLINES];
	int pe = px_exp(in), qe = qty_exp(in);

	ch_cstr(b, exchange);
	ch_cstr(b, symbol);
	ch_i64(b, ms(k->open_ns));
	ch_i64(b, ms(k->close_ns));
	ch_i64(b, k->h.recv_ns);
	ch_u32(b, k->interval_s);
	ch_i64(b, dec8(e, k->o, pe));
	ch_i64(b, dec8(e, k->hi, pe));
	ch_i64(b, dec8(e, k->lo, pe));
	ch_i64(b, dec8(e, k->c, pe));
	ch_i64(b, dec8(e, k->vol, qe));
	ch_i64(b, dec8(e, k->volq, pe));
	ch_i64(b, k->n_trades);
	ch_u8(b, k->closed);
	b->rows++;
	e->st.rows[CH_T_KLINES]++;
}

static void
event_row(struct ch_enc *e, const struct rec_event *ev, const char *exchange, const char *symbol)
{
	struct ch_buf *b = &e->t[CH_T_EVENTS];

	/* venue-wide events live in the _sys stream; the record names the venue */
	if (ev->exch != EX_NONE && strcmp(exchange, "_sys") == 0)
		exchange = exch_name(ev->exch);
	ch_cstr(b, exchange);
	ch_cstr(b, symbol);
	ch_i64(b, store_rec_time(&ev->h));
	ch_u16(b, ev->code);
	ch_cstr(b, ev_code_name(ev->code));
	ch_u8(b, ev->severity);
	ch_i64(b, ev->a);
	ch_i64(b, ev->b);
	ch_u32(b, ev->h.aux);
	ch_cstr(b, ev->text);
	b->rows++;
	e->st.rows[CH_T_EVENTS]++;
}

/* Decimal128: the int64 mantissa sign-extended to 16 little-endian bytes. */
static void
ch_dec128(struct ch_buf *b, int64_t v)
{
	ch_i64(b, v);
	ch_i64(b, v < 0 ? -1 : 0);
}

/* Nullable(...): a null-flag byte, then the value only when not null. */
static void
null_dec8(struct ch_enc *e, struct ch_buf *b, int64_t v, int exp)
{
	ch_u8(b, v == MKT_NONE);
	if (v != MKT_NONE)
		ch_i64(b, dec8(e, v, exp));
}

static void
null_dec128(struct ch_buf *b, int64_t v)
{
	ch_u8(b, v == MKT_NONE);
	if (v != MKT_NONE)
		ch_dec128(b, v);
}

static void
null_ms(struct ch_buf *b, int64_t ns)
{
	ch_u8(b, ns == MKT_NONE);
	if (ns != MKT_NONE)
		ch_i64(b, ms(ns));
}

static void
market_row(struct ch_enc *e, const struct rec_market *m, const char *exchange, const char *symbol,
    const struct inst *in)
{
	static const int table_of[MK_KIND_MAX + 1] = {
		[MK_FUNDING] = CH_T_FUNDING, [MK_OPEN_INTEREST] = CH_T_OPEN_INTEREST,
		[MK_MARK] = CH_T_MARK, [MK_LIQUIDATION] = CH_T_LIQUIDATIONS,
	};
	int pe = px_exp(in), qe = qty_exp(in), t;
	struct ch_buf *b;

	if (m->h.aux < 1 || m->h.aux > MK_KIND_MAX) {   /* rec_check refuses it; counted anyway */
		e->st.skipped++;
		return;
	}
	t = table_of[m->h.aux];
	b = &e->t[t];
	ch_cstr(b, exchange);
	ch_cstr(b, symbol);
	ch_i64(b, ms(m->h.exch_ns));
	ch_i64(b, m->h.recv_ns);
	switch (m->h.aux) {
	case MK_FUNDING:
		ch_dec128(b, m->funding_rate);
		null_dec128(b, m->next_funding_rate);
		null_ms(b, m->settle_ns);
		null_ms(b, m->next_settle_ns);
		ch_u32(b, m->funding_interval_s);
		break;
	case MK_OPEN_INTEREST:
		null_dec8(e, b, m->oi_contracts, qe);
		null_dec128(b, m->oi_base);
		null_dec128(b, m->oi_quote);
		break;
	case MK_MARK:
		null_dec8(e, b, m->mark_px, pe);
		null_dec8(e, b, m->index_px, pe);
		break;
	case MK_LIQUIDATION:
		ch_u8(b, m->liq_side);
		ch_i64(b, dec8(e, m->liq_px, pe));
		ch_i64(b, dec8(e, m->liq_qty, qe));
		null_dec8(e, b, m->liq_avg_px, pe);
		break;
	}
	b->rows++;
	e->st.rows[t]++;
}

void
ch_encode(struct ch_enc *e, const struct rec_hdr *h, const char *exchange, const char *symbol,
    const struct inst *in)
{
	switch (h->type) {
	case REC_DELTA:
		delta_row(e, (const struct rec_delta *)h, exchange, symbol, in);
		return;
	case REC_SNAPSHOT: {
		const struct rec_snapshot *s = (const struct rec_snapshot *)h;
		if (s->kind != SNAP_FULL) {
			e->st.skipped++;
			return;
		}
		full_row(e, exchange, symbol, s, h, in, s->lv, s->n_bids, s->lv + s->n_bids, s->n_asks,
		    (uint64_t)s->n_bids + s->n_asks, s->checksum);
		return;
	}
	case REC_TRADE:
		trade_row(e, (const struct rec_trade *)h, exchange, symbol, in);
		return;
	case REC_TICKER:
		ticker_row(e, (const struct rec_ticker *)h, exchange, symbol, in);
		return;
	case REC_KLINE:
		kline_row(e, (const struct rec_kline *)h, exchange, symbol, in);
		return;
	case REC_EVENT:
		event_row(e, (const struct rec_event *)h, exchange, symbol);
		return;
	case REC_MARKET:
		market_row(e, (const struct rec_market *)h, exchange, symbol, in);
		return;
	default:
		e->st.skipped++;
		return;
	}
}
