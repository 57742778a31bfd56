/*
 * cfg_keys_routerd.c - configuration keys of routerd: [routerd], [nats], [ml].
 *
 * [ml] is the optional ml_features map of orderbook.full / orderbook.snapshot
 * (routerd/mlfeat.h; mpexport --what mlfeatures computes the same).
 *
 * [nats] is the connection and the JetStream streams (also read by mpsub and
 * the routerd tests); the stream limits default to the requirement's table
 * (shared/seed-digest.md): ORDERBOOK_FULL 1e6 msgs / 1 GiB / 24 h / 10
 * consumers, ORDERBOOK_DELTA 1e7 / 2 GiB / 1 h / 20, MARKET_TRADES 5e6 /
 * 1 GiB / 24 h / 15, MARKET_DATA 2e6 / 512 MiB / 24 h / 10, all replicas 1.
 */
#include "cfg_schemas.h"

#define GiB ((int64_t)1 << 30)
#define STREAM_KEYS(pfx, msgs, bytes, age, cons, what) \
	{"nats", pfx "_max_msgs", CFG_INT, msgs, -1, (int64_t)1 << 40, \
	    what ": most messages kept (-1 = unlimited)"}, \
	{"nats", pfx "_max_bytes", CFG_SIZE, bytes, 0, (int64_t)1 << 44, \
	    what ": most bytes kept (0 = unlimited)"}, \
	{"nats", pfx "_max_age", CFG_DUR, age, 0, 0, \
	    what ": oldest message kept (0 = forever; >= the duplicate window)"}, \
	{"nats", pfx "_max_consumers", CFG_INT, cons, -1, 100000, \
	    what ": most consumers (-1 = unlimited)"}, \
	{"nats", pfx "_replicas", CFG_INT, "1", 1, 5, what ": replicas (1 on a single server)"}

const struct cfg_key cfg_keys_routerd[] = {
	{"nats", "url", CFG_STR, "nats://127.0.0.1:4222", 0, 0,
	    "NATS server URL(s), comma-separated (tls:// for TLS); nats://HOST:PORT, port 1..65535",
	    cfg_check_nats_url},
	{"nats", "name", CFG_STR, "marketprism-routerd", 0, 0, "connection name shown by the server"},
	{"nats", "credentials", CFG_STR, "", 0, 0,
	    "NATS .creds file (user JWT + NKey seed) for a production server; empty = none"},
	{"nats", "nkey", CFG_STR, "", 0, 0, "NKey public key (U...) for NKey authentication"},
	{"nats", "nkey_seed", CFG_STR, "", 0, 0, "file holding the seed of that NKey"},
	{"nats", "user", CFG_STR, "", 0, 0, "user name (user/password authentication)"},
	{"nats", "password", CFG_STR, "", 0, 0, "password (prefer a credentials file)"},
	{"nats", "token", CFG_STR, "", 0, 0, "authentication token"},
	{"nats", "tls", CFG_BOOL, "false", 0, 0, "require TLS even for nats:// URLs"},
	{"nats", "tls_ca", CFG_STR, "", 0, 0, "CA bundle (PEM) that signs the server certificate"},
	{"nats", "tls_cert", CFG_STR, "", 0, 0, "client certificate (PEM) for mutual TLS"},
	{"nats", "tls_key", CFG_STR, "", 0, 0, "client private key (PEM) for mutual TLS"},
	{"nats", "tls_hostname", CFG_STR, "", 0, 0, "expected server name in its certificate"},
	{"nats", "tls_ciphers", CFG_STR, "", 0, 0, "OpenSSL cipher list for TLS 1.2 (empty = library default)"},
	{"nats", "connect_timeout", CFG_DUR, "2s", 100000000, 60000000000, "TCP/TLS connect timeout"},
	{"nats", "reconnect_wait", CFG_DUR, "250ms", 10000000, 60000000000,
	    "pause between reconnect attempts (the client retries forever)"},
	{"nats", "send_asap", CFG_BOOL, "false", 0, 0,
	    "write every publish to the socket at once: about 0.5 ms off the median publish -> ack, but more "
	    "CPU and a longer tail on a busy machine (false: the client library's flusher thread gathers writes "
	    "for about 1 ms; routerd/README.md \"Latency\")"},
	{"nats", "flush_on_drain", CFG_BOOL, "false", 0, 0,
	    "with send_asap = false: once routerd has drained book.router, write what it published at once, "
	    "in one write from a helper thread (a PING with it, at most one outstanding), instead of after the "
	    "flusher thread's 1 ms: about 0.8 ms off the median publish -> ack, but up to 3x routerd's CPU at "
	    "high message rates (routerd/kick.h, routerd/README.md \"Latency\")"},
	{"nats", "reconnect_buf", CFG_SIZE, "64MiB", 0, (int64_t)1 << 31,
	    "client buffer for publishes made while reconnecting"},
	{"nats", "streams_create", CFG_BOOL, "true", 0, 0,
	    "create or update the streams on start (false: they must exist)"},
	{"nats", "storage", CFG_STR, "file", 0, 0, "stream storage: file or memory", cfg_check_storage},
	{"nats", "duplicate_window", CFG_DUR, "2m", 100000000, (int64_t)24 * 3600 * 1000000000,
	    "JetStream de-duplication window by Nats-Msg-Id (re-publishes within it are dropped)"},
	{"nats", "max_msg_size", CFG_SIZE, "0", 0, (int64_t)64 << 20,
	    "largest message a stream accepts (0 = the server's max_payload)"},
	STREAM_KEYS("full", "1000000", "1GiB", "24h", "10", "ORDERBOOK_FULL"),
	STREAM_KEYS("delta", "10000000", "2GiB", "1h", "20", "ORDERBOOK_DELTA"),
	STREAM_KEYS("trades", "5000000", "1GiB", "24h", "15", "MARKET_TRADES"),
	STREAM_KEYS("data", "2000000", "512MiB", "24h", "10", "MARKET_DATA"),
	STREAM_KEYS("events", "1000000", "256MiB", "168h", "10",
	    "SYSTEM_EVENTS (orderbook.event.*.*, system.alert.*)"),

	{"routerd", "max_inflight", CFG_INT, "512", 4, 65536,
	    "most messages published and not yet acknowledged"},
	{"routerd", "ack_timeout", CFG_DUR, "5s", 100000000, 600000000000,
	    "a message not acknowledged after this is published again (same Nats-Msg-Id)"},
	{"routerd", "retry_max_wait", CFG_DUR, "2s", 10000000, 60000000000,
	    "longest back-off between re-publish rounds while NATS is failing"},
	{"routerd", "legacy_update", CFG_STR, "all", 0, 0,
	    "what orderbook.update.<ex>.<sym> receives: all (every book message), deltas, or none",
	    cfg_check_legacy_update},
	{"routerd", "pure_delta", CFG_BOOL, "true", 0, 0,
	    "publish orderbook.pure_delta.<ex>.<sym> for deltas with changes"},
	{"routerd", "publish_topn", CFG_BOOL, "true", 0, 0,
	    "publish top-N snapshots to orderbook.snapshot.<ex>.<sym>"},
	{"routerd", "stats_interval", CFG_DUR, "10s", 0, 0,
	    "log route statistics this often (0 = never)"},
	{"ml", "enabled", CFG_BOOL, "false", 0, 0,
	    "add ml_features (routerd/mlfeat.h) to orderbook.full and orderbook.snapshot messages"},
	{"ml", "features", CFG_STR, "price,volume,micro,liquidity", 0, 0,
	    "feature groups in ml_features: comma list of price, volume, micro, liquidity, all (= the four); "
	    "heatmap, depth_image add the requirement's images (ml_images, routerd/mlimg.h); delta_flow adds ml_flow "
	    "(delta flows over the last 100 deltas, routerd/mlive.h) to orderbook.delta and pure_delta; market adds "
	    "ml_features (ticker, kline, funding, open interest, mark/index features, routerd/mlmkt.h) to the "
	    "MARKET_DATA messages",
	    cfg_check_ml_features},
	{"ml", "snapshot", CFG_BOOL, "true", 0, 0,
	    "also on orderbook.snapshot (computed on the record's top-N levels, not the full book)"},
	{"ml", "basis_spot", CFG_STR, "", 0, 0,
	    "with market: the spot book each derivative's bs_* basis features are against, overriding the default "
	    "(the underlying's spot on the venue's spot venue, e.g. okx BTC-USDT-SWAP -> okx BTC-USDT, binance-usdm -> "
	    "binance; USD-quoted: the USDT, then USDC spot): comma list of venue:SYMBOL=venue:SYMBOL or "
	    "venue:SYMBOL=none (routerd/mlbasis.h)",
	    cfg_check_ml_basis_spot},
	{"ml", "basis_max_age", CFG_DUR, "2s", 0, 0,
	    "the bs_* basis features are null when the spot (or the derivative's) book last changed longer than this "
	    "before the record (bookd's stamps), or is not in sync"},
	{0},
};
