/*
 * venue.h - the venue table: what every process needs to know about an
 * exchange market (a "venue"), so that shared code asks the table instead of
 * testing which exchange it is.
 *
 * A venue has a fixed id (enum exch_id, carried in records, store files and
 * capture files, so the numbers never change), a name used everywhere outside
 * the process (records' JSON, NATS subjects, store directories, ClickHouse,
 * capture files, config sections: feedd.<name>, [instruments] <name>, rings
 * feed.<name>/raw.<name>/ctl.<name>), its real default endpoints, how it
 * prints prices and sizes, and how a canonical instrument name maps to the
 * venue's own id.
 *
 * Code that differs per venue lives in per-process operation tables chosen by
 * the id: feedd/venues.c (links, parsers, REST), bookd/sync_venues.c (sequence
 * rules), tools/mpsim/venues.c (the simulator).  A row here with
 * implemented == 0 (planned venues) has no operations: selecting it is a
 * clear error ("venue bybit is not implemented yet"), never a crash.
 *
 * How to add a venue: give it a row in venue.c and a line in VENUE_CFG below
 * (its [instruments] key, feedd section and rings), write
 * feedd/parse_<name>.c (+ feedd/venue_<name>.c), bookd/sync_<name>.c and
 * tools/mpsim/<name>.c, and add one line to each of the three per-process
 * tables.  Nothing else changes.
 */
#ifndef MP_VENUE_H
#define MP_VENUE_H

#include <stddef.h>
#include <stdint.h>

/* Fixed ids: part of the record and store formats. */
enum exch_id {
	EX_NONE = 0,
	EX_BINANCE = 1,        /* Binance spot */
	EX_OKX = 2,            /* OKX (spot; other instId kinds by name) */
	EX_BINANCE_USDM = 3,   /* Binance USD-M futures (fstream/fapi) */
	EX_BINANCE_COINM = 4,  /* Binance COIN-M futures (dstream/dapi) */
	EX_BYBIT = 5,          /* Bybit v5: spot, linear, inverse (the market by WS path) */
	EX_DERIBIT = 6,        /* Deribit: perpetuals, futures, options (JSON-RPC over WS) */
	EX_END = 7             /* one past the last id */
};

/*
 * The venues built into this system, in id order: config name, default
 * [instruments] list, help.  Expanded into the config tables
 * (common/cfg_keys_*.c), so the [instruments] keys, the feedd.* sections and
 * the ring.* sections follow this list.  Only implemented venues are listed.
 */
#define VENUE_CFG(X) \
	X("binance", "BTC-USDT, ETH-USDT", "Binance spot symbols in canonical form (BASE-QUOTE)") \
	X("okx", "BTC-USDT, ETH-USDT", "OKX spot instruments (BASE-QUOTE)") \
	X("binance-usdm", "", "Binance USD-M futures: BTC-USDT-SWAP (perpetual, venue BTCUSDT) or " \
	    "BTC-USDT-240927 (dated, BTCUSDT_240927)") \
	X("binance-coinm", "", "Binance COIN-M futures: BTC-USD-SWAP (perpetual, venue BTCUSD_PERP) or " \
	    "BTC-USD-240927 (dated, BTCUSD_240927)") \
	X("bybit", "", "Bybit instruments: BTC-USDT spot, BTC-USDT-SWAP linear and BTC-USD-SWAP inverse perpetuals, BTC-USDT-241227 dated") \
	X("deribit", "", "Deribit instruments: BTC-USD-SWAP (BTC-PERPETUAL), BTC-USD-240927 (BTC-27SEP24), " \
	    "BTC-240927-60000-C (option BTC-27SEP24-60000-C)")

/* ", binance, okx" from its third character: the feedd.* section names (a CFG_SECTION list). */
#define VENUE_SECT_ITEM_(n, d, h) ", " n
#define VENUE_SECTIONS (&VENUE_CFG(VENUE_SECT_ITEM_)[2])
/* The per-venue rings, "feed.binance, raw.binance, ctl.binance, feed.okx, ..." */
#define VENUE_RING_ITEM_(n, d, h) "feed." n ", raw." n ", ctl." n ", "
#define VENUE_RINGS VENUE_CFG(VENUE_RING_ITEM_)

/* How the venue names an instrument, from the canonical name. */
enum venue_sym {
	VS_SAME = 0,     /* the canonical name itself (OKX instIds) */
	VS_JOIN,         /* the dashes removed: BTC-USDT -> BTCUSDT (Binance spot) */
	VS_BINANCE_FAPI, /* BTC-USDT-SWAP -> BTCUSDT, BTC-USDT-240927 -> BTCUSDT_240927 */
	VS_BINANCE_DAPI, /* BTC-USD-SWAP -> BTCUSD_PERP, BTC-USD-240927 -> BTCUSD_240927 */
	VS_BYBIT,        /* BTC-USDT, BTC-USDT-SWAP -> BTCUSDT, BTC-USDC-SWAP -> BTCPERP, BTC-USD-SWAP -> BTCUSD,
	                  * BTC-USDT-241227 -> BTCUSDT-27DEC24, BTC-USDC-241227 -> BTC-27DEC24, BTC-USD-241227 -> BTCUSDZ24 */
	VS_DERIBIT,      /* BTC-USD-SWAP -> BTC-PERPETUAL, BTC-USD-240927 -> BTC-27SEP24,
	                  * BTC-240927-60000-C -> BTC-27SEP24-60000-C (common/deribit.h) */
};

/* Flags of a venue row. */
#define VF_SEQUENCE  0x01  /* the venue's update id is a sequence of frames (sequence_id in JSON) */
#define VF_CHECKSUM  0x02  /* frames carry a book checksum worth passing on */
#define VF_WS_PATH   0x04  /* the WebSocket path picks the market (Bybit): feedd captures
                            * "ws:<path>" and tells the parser (parse_ctx.ws_path) */

struct venue {
	int id;                  /* enum exch_id */
	const char *name;        /* "binance-usdm" */
	const char *title;       /* "Binance USD-M futures", for messages and docs */
	int implemented;         /* 0: a planned venue without code yet */
	const char *ws_url;      /* default [feedd.<name>] ws_url (the real endpoint) */
	const char *rest_url;    /* default rest_url */
	int8_t px_dec, qty_dec;  /* string style: fixed decimals, or FX_TRIM (fx.h) */
	enum venue_sym sym;      /* canonical -> venue id */
	int min_dash, max_dash;  /* dashes a canonical name may have */
	const char *sym_hint;    /* "BASE-QUOTE like BTC-USDT", shown when a name is refused */
	int64_t stale_s;         /* default stale_after: no depth data for this long = stale */
	uint32_t ws_levels;      /* levels of the WebSocket book (0 = the whole book) */
	unsigned flags;          /* VF_* */
	uint8_t spot_venue;      /* enum exch_id whose spot books are this venue's derivatives' default
	                          * basis reference ([ml] basis_spot, routerd/mlbasis.h); 0 = none */
	const char *stream;      /* the depth stream, for export metadata */
	const char *batching;    /* what one update is, for export metadata */
};

/* The row of an id (implemented or planned), or NULL if no venue has it. */
const struct venue *venue_get(int exch);
/* The row of an implemented venue, or NULL with err filled ("unknown
 * exchange x (one of binance, okx)" / "venue bybit is not implemented yet"). */
const struct venue *venue_ready(int exch, char *err, size_t errlen);
/* Implemented venues in id order: *it starts at 0; NULL at the end. */
const struct venue *venue_next(int *it);
/* "binance, okx" - the implemented names, for messages. */
const char *venue_names(void);

const char *exch_name(int exch);            /* "binance", "okx", ... (planned ones too) or "?" */
int exch_parse(const char *name);           /* EX_* of an implemented venue, or EX_NONE */
int venue_lookup(const char *name);         /* EX_* of any row, planned ones too (for messages) */

/* Canonical name (checked, upper case) -> the venue's own id.  0, or -1 with
 * err filled saying what was expected. */
int venue_canon(const struct venue *v, const char *in, char *canon, size_t ccap, char *err, size_t errlen);
int venue_symbol(const struct venue *v, const char *canon, char *out, size_t cap);
/* The reverse: the venue's id (BTCUSD_PERP) -> the canonical name
 * (BTC-USD-SWAP), for tools that meet instruments they were not told of.
 * Joined spot names are split at a known quote asset (USDT, USDC, FDUSD,
 * BUSD, TUSD, BTC, ETH, BNB, EUR, TRY, ...).  0, or -1 if it cannot tell.
 * Bybit (VS_BYBIT): the id alone does not say the market, so this takes the
 * canonical name its parser made (common/bybit.h bybit_canon_of) and checks it. */
int venue_canon_of(const struct venue *v, const char *vsym, size_t len, char *out, size_t cap);
/* A joined name split at a known quote: "BTCUSDT" -> "BTC-USDT", with sfx
 * "BTC-USDT-<sfx>".  0, or -1 if no quote asset ends it. */
int venue_split_joined(const char *s, size_t n, const char *sfx, char *out, size_t cap);

#endif
