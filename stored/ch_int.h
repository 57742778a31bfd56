/*
 * ch_int.h - internals of the ClickHouse sink (ch.h): RowBinary buffers,
 * the table schemas and row encoders, and the HTTP client.
 */
#ifndef MP_CH_INT_H
#define MP_CH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "inst.h"
#include "rec.h"

/* ---- RowBinary (ch_rowbin.c) ---- */

struct ch_buf {
	unsigned char *p;
	size_t len, cap;
	uint64_t rows;
	int oom;                /* an append failed: the buffer is unusable */
};

void ch_buf_reset(struct ch_buf *b);
void ch_buf_free(struct ch_buf *b);
void ch_put(struct ch_buf *b, const void *v, size_t n);
void ch_u8(struct ch_buf *b, uint8_t v);
void ch_u16(struct ch_buf *b, uint16_t v);
void ch_u32(struct ch_buf *b, uint32_t v);
void ch_i32(struct ch_buf *b, int32_t v);
void ch_i64(struct ch_buf *b, int64_t v);
void ch_u64(struct ch_buf *b, uint64_t v);
void ch_leb(struct ch_buf *b, uint64_t v);
void ch_str(struct ch_buf *b, const char *s, size_t n);
void ch_cstr(struct ch_buf *b, const char *s);

/* ---- tables (ch_schema.c) ---- */

enum ch_table_id {
	CH_T_FULL_DEPTH = 0,    /* orderbook_full_depth: the requirement's table */
	CH_T_DELTAS,            /* orderbook_deltas: one row per applied update, arrays */
	CH_T_TRADES,
	CH_T_TICKERS,
	CH_T_KLINES,
	CH_T_EVENTS,            /* book_events */
	CH_T_FUNDING,           /* funding_rates: REC_MARKET MK_FUNDING */
	CH_T_OPEN_INTEREST,     /* open_interest: MK_OPEN_INTEREST */
	CH_T_MARK,              /* mark_prices: MK_MARK (mark and/or index) */
	CH_T_LIQUIDATIONS,      /* liquidations: MK_LIQUIDATION */
	CH_T_MAX,
};

enum ch_mode { CH_MODERN = 1, CH_LEGACY = 2 };

const char *ch_table_name(int t);
/* "CREATE TABLE IF NOT EXISTS <db>.<table> (...)" for a mode, malloc'd. */
char *ch_table_ddl(int t, int mode, const char *db);
/* The column list for INSERT: "(a, b, c)". */
const char *ch_table_columns(int t);

struct ch_enc_stats {
	uint64_t rows[CH_T_MAX];
	uint64_t skipped;       /* records not shipped (raw frames, control) */
	uint64_t scale_errors;  /* a value that Decimal64(8) cannot hold exactly (sent rounded) */
};

struct ch_enc {
	int full_depth_updates;
	struct ch_buf t[CH_T_MAX];
	struct ch_enc_stats st;
};

/* Append the rows one record makes (0..2 rows in up to 2 tables).  stream
 * exchange/symbol name the book; reg/in give exact strings and exponents. */
void ch_encode(struct ch_enc *e, const struct rec_hdr *h, const char *exchange, const char *symbol,
    const struct inst *in);

/* ---- HTTP (ch_http.c) ---- */

struct ch_http;

struct ch_http *ch_http_new(const char *url, const char *user, const char *password, long timeout_ms);
void ch_http_free(struct ch_http *h);
/*
 * POST a query (URL parameter) with an optional body, encoded with
 * `encoding` ("zstd", "gzip" or NULL).  extra: more URL parameters
 * ("&a=b...", already escaped) or NULL.  Returns 0 on success (2xx and no
 * X-ClickHouse-Exception-Code), else -1 with err ("HTTP 500: Code: 60 ...")
 * and *retry = 1 when trying again later may succeed (transport error,
 * 5xx, timeouts), 0 when it cannot (4xx: bad data or schema).
 * The answer's body is in *resp (valid until the next call).
 */
int ch_http_query(struct ch_http *h, const char *query, const char *extra, const void *body,
    size_t len, const char *encoding, const char **resp, int *retry, char *err, size_t errlen);

#endif
