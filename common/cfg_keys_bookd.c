/* cfg_keys_bookd.c - configuration keys of bookd (and mpreplay, which runs the same book code): [bookd]. */
#include "cfg_schemas.h"

#define S 1000000000LL

const struct cfg_key cfg_keys_bookd[] = {
	{"bookd", "max_levels", CFG_INT, "5000", 1, 50000,
	    "levels kept per side per book; an insert into a full side drops the worst level"},
	{"bookd", "full_interval", CFG_DUR, "60s", 1000000, 86400 * S,
	    "a full snapshot of every synced book this often (besides one on every sync)"},
	{"bookd", "snapshot_interval", CFG_DUR, "1s", 1000000, 3600 * S,
	    "a top-N snapshot of every synced book this often"},
	{"bookd", "snapshot_levels", CFG_INT, "100", 1, 5000,
	    "levels per side in the top-N snapshot (orderbook.snapshot; 100 covers a 100-level heatmap)"},
	{"bookd", "binance_snapshot_depth", CFG_INT, "5000", 1, 5000,
	    "limit= of the Binance REST snapshot bookd asks feedd for (weight 250 above 1000)"},
	{"bookd", "okx_snapshot_depth", CFG_INT, "400", 1, 400,
	    "sz= of the OKX REST snapshot in REST-seeded mode (GET /api/v5/market/books)"},
	{"bookd", "okx_ws_depth", CFG_INT, "400", 1, 5000,
	    "levels per side the OKX books channel maintains; books-full levels beyond it are merged in"},
	{"bookd", "okx_deep", CFG_BOOL, "true", 0, 0,
	    "ask feedd for the OKX books-full depth (CTL_DEEP) after every OKX sync"},
	{"bookd", "deep_refresh_interval", CFG_DUR, "60s", 0, 86400 * S,
	    "Binance: a limit=binance_snapshot_depth refresh of every synced book this often (+-10 % jitter), "
	    "spliced in and audited (0 = off; bookd/README.md has the weight arithmetic)"},
	{"bookd", "refresh_hold_timeout", CFG_DUR, "10s", 1000000, 3600 * S,
	    "a refresh whose lastUpdateId the stream has not reached is dropped (counted) after this"},
	{"bookd", "okx_audit_interval", CFG_DUR, "5s", 0, 86400 * S,
	    "OKX: a GET /api/v5/market/books (sz=okx_snapshot_depth) of every synced book this often (+-10 % "
	    "jitter), compared with the book at its seqId; a difference resyncs (0 = off; bookd/README.md)"},
	{"bookd", "bybit_audit_interval", CFG_DUR, "10s", 0, 86400 * S,
	    "Bybit: a GET /v5/market/orderbook (limit=200) of every synced book this often (+-10 % jitter), "
	    "compared with the book at its seq; a difference resyncs (0 = off; bookd/README.md)"},
	{"bookd", "resync_backoff_min", CFG_DUR, "1s", 0, 3600 * S,
	    "wait after a snapshot request before the next one for the same book (doubles per request)"},
	{"bookd", "resync_backoff_max", CFG_DUR, "60s", 0, 3600 * S,
	    "longest wait between snapshot requests for one book"},
	{"bookd", "resync_backoff_reset", CFG_DUR, "60s", 0, 86400 * S,
	    "a book in sync this long has its snapshot backoff reset to resync_backoff_min"},
	{"bookd", "snapshot_timeout", CFG_DUR, "15s", 100000000, 3600 * S,
	    "a snapshot (or OKX resubscribe) not answered within this is requested again"},
	{"bookd", "buffer_max", CFG_SIZE, "32MiB", 65536, (int64_t)1 << 32,
	    "updates buffered per book while waiting for a snapshot; the oldest are dropped beyond it"},
	{"bookd", "max_clock_skew", CFG_DUR, "10s", 1000000, 86400 * S,
	    "quality: exchange time further than this from receive time is a validation failure"},
	{"bookd", "expected_levels", CFG_INT, "0", 0, 50000,
	    "quality: levels per side a complete book holds (0 = max_levels)"},
	{"bookd", "min_depth_pct", CFG_INT, "95", 0, 100,
	    "quality: known depth ((exact + fresh as-of levels) / expected_levels, per side: unknown levels "
	    "outside the exact range count as missing) below this percentage is a failure and an event (0 = off)"},
	{"bookd", "asof_max_age", CFG_DUR, "10s", 0, 86400 * S,
	    "OKX: books-full levels outside the exact range count as known (as-of) while the last merge is at "
	    "most this old (5 x the 1-2 s auto deep_interval); older they are unknown (0 = never known)"},
	{"bookd", "crossed_resync", CFG_BOOL, "true", 0, 0,
	    "quality: resync a book whose best bid >= best ask (turn off for auction phases)"},
	{"bookd", "event_interval", CFG_DUR, "1s", 0, 3600 * S,
	    "repeated validation / BBO events of one check and book at most this often (all are counted)"},
	{"bookd", "bbo_check", CFG_BOOL, "true", 0, 0,
	    "compare Binance bookTicker with the book at the same update id"},
	{"bookd", "batch", CFG_INT, "256", 1, 65536,
	    "input records handled per ring before timers run and input is released"},
	{0},
};
