/* cfg_keys_feedd.c - configuration keys of feedd: [feedd.*] (one section per venue: feedd.binance, feedd.okx). */
#include "cfg_schemas.h"
#include "venue.h"

#define S 1000000000LL
#define MS 1000000LL

const struct cfg_key cfg_keys_feedd[] = {
	/* the venues of common/inst.c (test_pipe checks the two lists agree) */
	{"feedd.*", "", CFG_SECTION, VENUE_SECTIONS, 0, 0, "one section per exchange"},
	/* endpoints */
	{"feedd.*", "ws_url", CFG_STR, "", 0, 0,
	    "WebSocket base URL, ws:// or wss:// with no path (empty = the venue's real one: "
	    "wss://stream.binance.com:9443, wss://ws.okx.com:8443)"},
	{"feedd.*", "rest_url", CFG_STR, "", 0, 0,
	    "REST base URL, http:// or https:// with no path (empty = https://api.binance.com, "
	    "https://openapi.okx.com)"},
	{"feedd.*", "ca_file", CFG_STR, "", 0, 0,
	    "PEM file of the CAs to trust for wss:// and https:// (empty = the system store)"},
	/* what to subscribe */
	{"feedd.*", "channels", CFG_LIST, "depth, trades, tickers, klines, market", 0, 0,
	    "streams per instrument: depth (Binance <sym>@depth@100ms, OKX books), trades (@trade, trades), "
	    "tickers (@bookTicker, tickers), klines (@kline_1m, candle1m), market (derivatives market data: "
	    "OKX funding-rate, open-interest, mark-price, index-tickers for SWAP/FUTURES/OPTION instIds; "
	    "Binance futures @markPrice@1s, @forceOrder and openInterest by market_poll_interval; "
	    "nothing for spot instruments)"},
	{"feedd.*", "okx_books5", CFG_BOOL, "true", 0, 0,
	    "OKX: with depth, also subscribe books5; bookd compares its top 5 with the book at the same seqId"},
	{"feedd.*", "okx_bbo_tbt", CFG_BOOL, "false", 0, 0,
	    "OKX: with depth, also subscribe bbo-tbt (top 1, every 10 ms); compared as books5 is"},
	{"feedd.*", "bybit_bbo", CFG_BOOL, "true", 0, 0,
	    "Bybit: with depth, also subscribe orderbook.1 (its BBO, every 10 ms on change); bookd compares it with the book at the same seq (up to ~100 small pushes a second per instrument into the feed ring and capture)"},
	{"feedd.*", "kline_interval", CFG_STR, "1m", 0, 0,
	    "candle interval of the klines channel, in the venue's spelling (Binance 1m, OKX 1m / 1H)"},
	/* capture */
	{"feedd.*", "capture", CFG_BOOL, "true", 0, 0,
	    "write every received frame and REST answer, untouched, to raw.<exchange>"},
	{"feedd.*", "capture_file", CFG_STR, "", 0, 0,
	    "also append them to this file, one per line: <recv_ns> <exchange> ws|rest:<path> <payload> "
	    "(empty = off)"},
	/* REST snapshots and budgets */
	{"feedd.*", "snapshot_depth", CFG_INT, "0", 0, 5000,
	    "levels of a REST snapshot when the request does not say (0 = the venue maximum: Binance 5000, OKX 400)"},
	{"feedd.*", "streams_per_link", CFG_INT, "1024", 1, 1024,
	    "Binance: most streams on one WebSocket link (the venue takes 1024 a connection); the "
	    "instruments spread over as many links as needed, each instrument's streams on one link"},
	{"feedd.*", "weight_limit", CFG_INT, "0", 0, 1000000,
	    "Binance REQUEST_WEIGHT per weight_window (0 = read it from GET /api/v3/exchangeInfo, 6000 until then)"},
	{"feedd.*", "weight_window", CFG_DUR, "1m", 100 * MS, 3600 * S,
	    "Binance: the window the weight limit applies to (1m on the real venue)"},
	{"feedd.*", "weight_budget_pct", CFG_INT, "80", 1, 100,
	    "Binance: share of the weight limit feedd may use (the rest is left to other clients on the IP)"},
	{"feedd.*", "okx_books_rate", CFG_INT, "20", 1, 40,
	    "OKX: GET /api/v5/market/books requests per okx_rate_window (venue limit 40 per 2 s)"},
	{"feedd.*", "okx_full_rate", CFG_INT, "5", 1, 10,
	    "OKX: GET /api/v5/market/books-full requests per okx_rate_window (venue limit 10 per 2 s)"},
	{"feedd.*", "okx_rate_window", CFG_DUR, "2s", 10 * MS, 3600 * S,
	    "OKX: the window of the REST rate limits (2 s on the real venue)"},
	{"feedd.*", "deep_interval", CFG_DUR, "auto", -1, 86400 * S,
	    "OKX: fetch books-full (levels 401-5000) for each instrument this often, +-10 % jitter "
	    "(auto = the fastest okx_full_rate allows for the instruments with one request per window kept "
	    "for on-request fetches, at least 1 s: feedd/README.md; 0 = only on request)"},
	{"feedd.*", "deep_depth", CFG_INT, "5000", 1, 5000, "OKX: sz= of the books-full request"},
	{"feedd.*", "instrument_interval", CFG_DUR, "1h", 0, 7 * 86400 * S,
	    "ask the venue's instrument endpoint for each instrument's tick, lot and contract value at start "
	    "and this often after (OKX /api/v5/public/instruments, Bybit /v5/market/instruments-info, Binance "
	    "spot exchangeInfo; REC_INSTRUMENT); 0 = never (they stay unknown)"},
	{"feedd.*", "instrument_retry", CFG_DUR, "60s", 100 * MS, 86400 * S,
	    "ask again this long after a failed instrument-endpoint request"},
	{"feedd.*", "market_poll_interval", CFG_DUR, "10s", 0, 86400 * S,
	    "with the market channel, poll market data that has no stream this often per instrument "
	    "(Binance USD-M / COIN-M: GET openInterest, weight 1), only while the weight budget keeps one "
	    "snapshot per book for resyncs (0 = never)"},
	{"feedd.*", "rest_timeout", CFG_DUR, "15s", 100 * MS, 600 * S,
	    "a REST request not answered within this fails (EV_SNAPSHOT_FAILED)"},
	{"feedd.*", "rest_queue_timeout", CFG_DUR, "60s", 100 * MS, 3600 * S,
	    "a snapshot request still waiting for budget after this fails (bookd asks again)"},
	/* connection health */
	{"feedd.*", "ping_interval", CFG_DUR, "20s", 100 * MS, 29 * S,
	    "OKX: send a text ping after this much silence on a connection (the venue drops it after 30 s)"},
	{"feedd.*", "pong_timeout", CFG_DUR, "10s", 100 * MS, 600 * S,
	    "OKX: reconnect when a ping is not answered within this"},
	{"feedd.*", "stale_after", CFG_DUR, "0", 0, 3600 * S,
	    "silence watchdog: a depth stream of one instrument silent this long means a stalled "
	    "connection (EV_STALE, reconnect); 0 = the venue default: Binance 30s, OKX 90s (OKX sends "
	    "a heartbeat update only after ~60 s without changes)"},
	{"feedd.*", "connect_timeout", CFG_DUR, "10s", 100 * MS, 600 * S,
	    "a WebSocket not open (and subscribed) within this is abandoned and retried"},
	{"feedd.*", "reconnect_min", CFG_DUR, "1s", 10 * MS, 3600 * S,
	    "first reconnect delay; doubles per failed attempt"},
	{"feedd.*", "reconnect_max", CFG_DUR, "60s", 10 * MS, 3600 * S, "longest reconnect delay"},
	{"feedd.*", "reconnect_jitter_pct", CFG_INT, "25", 0, 100,
	    "random extra of up to this share of each reconnect delay"},
	{"feedd.*", "backoff_reset", CFG_DUR, "60s", 10 * MS, 86400 * S,
	    "a connection that stayed up this long resets the reconnect delay to reconnect_min"},
	{"feedd.*", "max_conn_age", CFG_DUR, "23h", 1 * S, 48 * 3600 * S,
	    "roll a connection over (new one first, then drop the old) after this; Binance cuts at 24 h"},
	{0},
};
