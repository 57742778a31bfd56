/* cfg_keys_stored.c - configuration keys of stored: [stored], [clickhouse]. */
#include "cfg_schemas.h"

#define SEC 1000000000LL

const struct cfg_key cfg_keys_stored[] = {
	{"stored", "dir", CFG_STR, "", 0, 0,
	    "store root (segments per exchange/symbol/UTC hour); empty = <data_dir>/store"},
	{"stored", "commit_interval", CFG_DUR, "5s", 10000000, 300 * SEC,
	    "how often pending blocks are compressed, written and fsynced; ring positions "
	    "are released only after that, so a longer interval risks nothing but lag "
	    "(measured: 5 s blocks store 4.2 B per level update, 1 s blocks 5.4 B)"},
	{"stored", "block_bytes", CFG_SIZE, "8MiB", 65536, 128 << 20,
	    "a stream's block is written early once it holds this many bytes of records"},
	{"stored", "max_pending", CFG_SIZE, "256MiB", 1 << 20, (int64_t)4 << 30,
	    "commit at once when this many bytes are waiting (whatever commit_interval says)"},
	{"stored", "zstd_level", CFG_INT, "6", 1, 19,
	    "zstd level of the blocks (measured: make bench, bench_store)"},
	{"stored", "raw", CFG_BOOL, "true", 0, 0,
	    "store the raw frames from raw.<exchange> (replay and audit)"},

	{"clickhouse", "url", CFG_STR, "", 0, 0,
	    "ClickHouse HTTP interface, e.g. http://127.0.0.1:8123; empty = sink disabled "
	    "(the local store is the embedded default)"},
	{"clickhouse", "database", CFG_STR, "marketprism", 0, 0, "database (created on start)"},
	{"clickhouse", "user", CFG_STR, "default", 0, 0, "user (X-ClickHouse-User)"},
	{"clickhouse", "password", CFG_STR, "", 0, 0, "password (X-ClickHouse-Key)"},
	{"clickhouse", "schema", CFG_STR, "auto", 0, 0,
	    "auto (by server version), modern (>= 22.2: DateTime64, codecs, dedup tokens) or "
	    "legacy (18.16-era: Int64 times, ReplacingMergeTree, no codecs)", cfg_check_ch_schema},
	{"clickhouse", "compression", CFG_STR, "auto", 0, 0,
	    "request body encoding: auto (zstd on modern servers, gzip on legacy), zstd, gzip or none",
	    cfg_check_ch_compression},
	{"clickhouse", "batch_rows", CFG_INT, "50000", 100, 1000000,
	    "most rows per table in one INSERT"},
	{"clickhouse", "batch_interval", CFG_DUR, "1s", 10000000, 600 * SEC,
	    "send what has gathered at least this often (about one INSERT per table per second)"},
	{"clickhouse", "timeout", CFG_DUR, "30s", SEC, 600 * SEC, "HTTP request timeout"},
	{"clickhouse", "retry_max", CFG_DUR, "30s", 100000000, 3600 * SEC,
	    "longest pause between retries while the server is down (backoff from 250 ms)"},
	{"clickhouse", "create_tables", CFG_BOOL, "true", 0, 0,
	    "CREATE DATABASE/TABLE IF NOT EXISTS on start"},
	{"clickhouse", "full_depth_updates", CFG_BOOL, "false", 0, 0,
	    "also write every delta to orderbook_full_depth as update_type 'update' "
	    "(the deltas table holds them compactly either way)"},
	{"clickhouse", "cursor", CFG_STR, "", 0, 0,
	    "file remembering how far the sink shipped; empty = <store dir>/clickhouse.cursor"},
	{0},
};
