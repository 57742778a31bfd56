/*
 * rec.h - every fixed-layout record the pipeline carries.  The single source
 * of truth: rings, the local store, replay and export all use these structs.
 *
 * Rules of the layout
 *  - Little-endian, naturally aligned, every struct a multiple of 8 bytes, no
 *    implicit padding (rec_desc.c describes every field; a unit test proves the
 *    description covers each struct exactly, and rec_schema_hash() hashes the
 *    description, so any layout change changes the hash and rings/stores of
 *    the old layout are refused).
 *  - Prices and sizes are int64 mantissas at the instrument's exponents
 *    (inst.h, fx.h).  Never double.
 *  - Every record starts with struct rec_hdr; hdr.len is the whole record's
 *    length in bytes (header, fixed part and trailing array).
 *  - Variable parts are trailing arrays whose counts are in the fixed part;
 *    rec_check() verifies counts against hdr.len before anything reads them.
 *
 * Sequence ids
 *  Binance depth: first_id = U, last_id = u, prev_id = -1.
 *  OKX books:     first_id = last_id = seqId, prev_id = prevSeqId (-1 on a
 *                 snapshot).  -1 always means "none"; 0 is a real id.
 *  Bybit books:   first_id = last_id = u of the depth stream (orderbook.1000;
 *                 REST: its own u), prev_id = u - 1 on a delta (-1 on a
 *                 snapshot).  u counts one depth stream only, so the venue's
 *                 cross-depth sequence `seq` (the matching engine's version:
 *                 orderbook.1, orderbook.1000 and REST /v5/market/orderbook
 *                 at equal seq show the same book) is carried apart, in
 *                 xseq of REC_DELTA and REC_SNAPSHOT.  bookd audits the
 *                 book against orderbook.1 and REST at equal xseq
 *                 (bookd/okx_audit.h) and stamps its own deltas and books
 *                 with the xseq they stand at.
 *  xseq:          0 = none (every other venue; Bybit's seq starts above 0).
 *  Binance bookTicker: first_id = last_id = u.  Trades: first_id = last_id =
 *  trade id.  REST snapshots: last_id = lastUpdateId / seqId.
 */
#ifndef MP_REC_H
#define MP_REC_H

#include <stddef.h>
#include <stdint.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "records are little-endian; this build target is not"
#endif

#define REC_MAX_LEVELS 5000    /* per side, per snapshot record */

enum rec_type {
	REC_DELTA = 1,     /* level changes of one exchange update (feedd) / applied update (bookd) */
	REC_SNAPSHOT = 2,  /* a book: REST/WS snapshot from feedd, full or top-N from bookd */
	REC_TRADE = 3,
	REC_TICKER = 4,    /* best bid/offer and/or 24h ticker */
	REC_KLINE = 5,
	REC_CONTROL = 6,   /* bookd -> feedd requests (ctl.<exchange>) */
	REC_EVENT = 7,     /* connection, sync, quality and loss events */
	REC_RAW = 8,       /* an exchange frame exactly as received */
	REC_MARKET = 9,    /* derivatives market data: funding, open interest, mark/index, liquidation */
	REC_INSTRUMENT = 10, /* an instrument's trading rules from the venue (tick, lot, contract value) */
	REC_TYPE_MAX = 10,
};

/* Pipeline stages that stamp stage_ns[] (CLOCK_REALTIME ns, 0 = not yet). */
enum rec_stage {
	STAGE_FEED = 0,    /* feedd wrote it to feed.<exchange> */
	STAGE_BOOK = 1,    /* bookd read it / emitted the derived record */
	STAGE_ROUTE = 2,   /* routerd got the JetStream ack */
	STAGE_STORE = 3,   /* stored made it durable */
	REC_STAGES = 4,
};

/* hdr.flags */
#define REC_F_SYNCED   0x0001  /* bookd: the book was in sync when this was emitted */
#define REC_F_REPLAY   0x0002  /* produced by offline replay, not live */
#define REC_F_INVALID  0x0004  /* failed a quality check (see the event that follows) */
#define REC_F_HEARTBEAT 0x0008 /* OKX empty update with prevSeqId == seqId */
#define REC_F_NOSEQ    0x0010  /* OKX legacy frame (2021-2022 format): no seqId/prevSeqId
                                * (ids 0); its checksum is the only continuity check */
/* With REC_F_INVALID on a bookd delta: which quality checks failed (bookd/quality.c) */
#define REC_F_Q_CROSSED      0x0020
#define REC_F_Q_TS_BACKWARDS 0x0040
#define REC_F_Q_TS_SKEW      0x0080
#define REC_F_Q_DEPTH        0x0100
/* bookd delta: applied from the sync buffer, i.e. received while the book was
 * not in sync (its latency is the sync's, counted apart by routerd) */
#define REC_F_BUFFERED       0x0200

struct rec_hdr {
	uint16_t type;          /* enum rec_type */
	uint16_t flags;         /* REC_F_* */
	uint32_t inst;          /* instrument id (inst.h); 0 = not instrument-specific */
	uint32_t len;           /* total bytes of this record */
	uint32_t aux;           /* type-specific small value (documented per type) */
	int64_t first_id;
	int64_t last_id;
	int64_t prev_id;
	int64_t exch_ns;        /* exchange event time, ns since the epoch (0 = unknown) */
	int64_t recv_ns;        /* when feedd received the frame (CLOCK_REALTIME ns) */
	int64_t stage_ns[REC_STAGES];
};

struct rec_level {
	int64_t px;
	int64_t qty;            /* absolute size at px; 0 = level removed */
};

/*
 * REC_DELTA.  From feedd: one exchange update's changes.  From bookd: an
 * applied update, with the resulting top of book and level counts filled.
 * lv[] holds n_bids bid changes then n_asks ask changes, in exchange order.
 * hdr.aux: OKX checksum as sent (uint32 of the int32), 0 otherwise.
 */
struct rec_delta {
	struct rec_hdr h;
	uint32_t n_bids;
	uint32_t n_asks;
	uint32_t book_bids;     /* bookd: levels per side after applying (0 from feedd) */
	uint32_t book_asks;
	int64_t best_bid_px;    /* bookd: resulting best levels (0 when the side is empty) */
	int64_t best_bid_qty;
	int64_t best_ask_px;
	int64_t best_ask_qty;
	int64_t xseq;           /* cross-depth sequence (Bybit seq; "Sequence ids"), 0 = none */
	struct rec_level lv[];
};

enum snap_kind {
	SNAP_REST = 1,    /* feedd: REST answer (Binance /depth, OKX /books) */
	SNAP_WS = 2,      /* feedd: OKX action:"snapshot" */
	SNAP_DEEP = 3,    /* feedd: OKX /books-full (levels beyond the WS window) */
	SNAP_FULL = 4,    /* bookd: every level of the book */
	SNAP_TOPN = 5,    /* bookd: the top N levels per side */
	SNAP_TOP = 6,     /* feedd: OKX books5 (5 levels a side) / bbo-tbt (1), last_id = seqId;
	                   * Bybit orderbook.1 (1 a side), last_id = its u, xseq = seq;
	                   * bookd compares it with the book at that id (bookd/okx_audit.c) */
};
enum snap_reason { SNAP_R_NONE = 0, SNAP_R_SYNC = 1, SNAP_R_RESYNC = 2, SNAP_R_PERIODIC = 3 };

/*
 * REC_SNAPSHOT.  lv[] holds n_bids bids (best first, descending) then n_asks
 * asks (best first, ascending).  A book larger than one record is sent as
 * nchunks records with chunk = 0..nchunks-1 (same ids); with 5000 levels per
 * side one record (160 KiB of levels) is the normal case.
 * bid_floor_px / ask_ceil_px: the exact range (bookd/README.md "Exact range").
 * bid_floor_px is bid_exact_floor: every bid at or above it is
 * sequence-verified (set by a snapshot or a spliced refresh, moved inwards by
 * max_levels eviction); ask_ceil_px is ask_exact_ceil, every ask at or below
 * it.  0 = none.  Levels outside are "as of" deep_refresh_ns (OKX levels
 * merged from books-full beyond the WS window) or unknown.
 */
struct rec_snapshot {
	struct rec_hdr h;
	uint8_t kind;           /* enum snap_kind */
	uint8_t reason;         /* enum snap_reason */
	uint16_t chunk;
	uint16_t nchunks;
	uint16_t pad0;
	uint32_t n_bids;
	uint32_t n_asks;
	uint32_t req_id;        /* the REC_CONTROL request this answers (0 = unsolicited) */
	int32_t checksum;       /* OKX checksum as sent, 0 otherwise (bookd: the one sent for this id) */
	int64_t bid_floor_px;
	int64_t ask_ceil_px;
	int64_t deep_refresh_ns;/* OKX: when levels beyond the WS window were last refreshed */
	int64_t xseq;           /* cross-depth sequence (Bybit seq; "Sequence ids"), 0 = none;
	                         * bookd: the xseq of the update the book stands at */
	struct rec_level lv[];
};

enum trade_side { SIDE_UNKNOWN = 0, SIDE_BUY = 1, SIDE_SELL = 2 };  /* taker side */

/* REC_TRADE.  first_id = last_id = trade id (OKX: the last id of the aggregation). */
struct rec_trade {
	struct rec_hdr h;
	int64_t px;
	int64_t qty;
	int64_t trade_ns;       /* trade time */
	uint8_t side;           /* enum trade_side, taker */
	uint8_t pad0[3];
	uint32_t count;         /* trades aggregated (OKX count; 1 for Binance) */
};

/* REC_TICKER.  `have` says which groups are present. */
#define TICK_BBO  0x1   /* bid/ask px+qty (Binance bookTicker: last_id = u) */
#define TICK_LAST 0x2   /* last trade px+qty */
#define TICK_24H  0x4   /* open/high/low/vol/vol_quote over 24 h */
struct rec_ticker {
	struct rec_hdr h;
	uint32_t have;
	uint32_t pad0;
	int64_t bid_px, bid_qty, ask_px, ask_qty;
	int64_t last_px, last_qty;
	int64_t open_24h, high_24h, low_24h;
	int64_t vol_24h;        /* base volume, qty_exp */
	int64_t volq_24h;       /* quote volume, px_exp (may overflow-cap: see fx.h) */
};

/* REC_KLINE.  Volumes: vol at qty_exp, volq at px_exp. */
struct rec_kline {
	struct rec_hdr h;
	int64_t open_ns;
	int64_t close_ns;
	int64_t o, hi, lo, c;
	int64_t vol;
	int64_t volq;
	int64_t n_trades;       /* -1 if the venue does not say */
	uint32_t interval_s;    /* 60 for 1m */
	uint8_t closed;         /* 1 when the candle is final */
	uint8_t pad0[3];
};

enum ctl_op {
	CTL_SNAPSHOT = 1,     /* fetch a REST snapshot for inst at `depth` (answer: REC_SNAPSHOT with req_id) */
	CTL_RESUBSCRIBE = 2,  /* drop and re-subscribe the inst's book channel (OKX WS snapshot mode) */
	CTL_DEEP = 3,         /* fetch the deep book (OKX books-full) now */
	CTL_RECONNECT = 4,    /* reconnect the venue's market-data connection */
};
/* CTL_SNAPSHOT only: a periodic deep refresh of a synced book, not a resync:
 * feedd sends it only when the budget keeps room for resyncs, else answers
 * EV_SNAPSHOT_FAILED at once (bookd tries again at the next interval). */
#define CTL_F_REFRESH 0x1
/* REC_CONTROL (ctl.<exchange>). */
struct rec_control {
	struct rec_hdr h;
	uint16_t op;            /* enum ctl_op */
	uint16_t flags;         /* CTL_F_* */
	uint32_t req_id;        /* chosen by bookd, echoed in the answer */
	uint32_t depth;         /* levels wanted (e.g. 5000) */
	uint32_t pad1;
	char reason[48];        /* NUL-terminated, for logs */
};

enum ev_code {
	EV_CONNECTED = 1,       /* feedd: connection up (text: url) */
	EV_DISCONNECTED = 2,    /* feedd: connection lost (text: why) */
	EV_SUBSCRIBED = 3,
	EV_SNAPSHOT_FAILED = 4, /* feedd: REST snapshot failed (aux = req_id, a = HTTP status) */
	EV_RATE_LIMITED = 5,    /* feedd: 429/418 or budget wait (a = retry-after ms) */
	EV_PARSE_ERROR = 6,     /* feedd: a frame could not be parsed (text: why) */
	EV_STALE = 7,           /* feedd: a stream went silent (a = silence ms) */
	EV_ROLLOVER = 8,        /* feedd: planned reconnect (24 h, serverShutdown, 64008) */
	EV_SYNCED = 20,         /* bookd: book in sync (a = snapshot id, b = levels) */
	EV_GAP = 21,            /* bookd: sequence gap (a = expected id, b = got id) */
	EV_RESYNC = 22,         /* bookd: resync started (text: why) */
	EV_VALIDATION = 23,     /* bookd: quality check failed (aux = enum qual_check) */
	EV_CHECKSUM_FAIL = 24,  /* bookd: OKX CRC32 mismatch (a = sent, b = computed) */
	EV_BBO_MISMATCH = 25,   /* bookd: bookTicker disagrees with the book */
	EV_REFRESH_DISCREPANCY = 26, /* bookd: a deep refresh differs from the book inside its exact
	                         * range (a = price, b = refresh qty; text: both values, count) */
	EV_TOP_MISMATCH = 27,   /* bookd: OKX books5 / bbo-tbt differs from the book at the same seqId
	                         * (a = seqId, b = levels compared; text: first differing level) */
	EV_WINDOW_DISCREPANCY = 28, /* bookd: OKX REST /books window differs from the book at its seqId
	                         * (a = price, b = REST qty; text: both values, count) */
	EV_RING_LOSS = 30,      /* a consumer saw a ring gap record (a = first lost ring seq, b = count) */
	EV_RESTARTED = 31,      /* a daemon restarted and resumed (text: what it did) */
	EV_NATS_LOSS = 32,      /* routerd: messages lost beyond ring capacity (b = count) */
};
enum ev_severity { SEV_INFO = 0, SEV_WARN = 1, SEV_ERROR = 2, SEV_CRITICAL = 3 };
/* EV_VALIDATION hdr.aux: which bookd quality check failed (bookd/quality.c). */
enum qual_check {
	QUAL_CROSSED = 1,       /* best bid >= best ask (a = bid px, b = ask px) */
	QUAL_LEVEL = 2,         /* price <= 0 or negative / zero quantity where a level must be positive */
	QUAL_TS_BACKWARDS = 3,  /* exchange time went backwards (a = previous, b = this) */
	QUAL_TS_SKEW = 4,       /* exchange time far from receive time (a = exch_ns, b = recv_ns) */
	QUAL_DEPTH = 5,         /* depth completeness below threshold (a = exact levels of the worse side, b = expected) */
};

/* REC_EVENT. */
struct rec_event {
	struct rec_hdr h;
	uint16_t code;          /* enum ev_code */
	uint8_t severity;       /* enum ev_severity */
	uint8_t exch;           /* enum exch_id of the venue it concerns (EX_NONE = none); the
	                         * only name of the venue when inst is 0 (venue-wide events) */
	uint8_t pad0[4];
	int64_t a;
	int64_t b;
	char text[104];         /* NUL-terminated */
};

/*
 * REC_MARKET - derivatives market data.  hdr.aux = enum mkt_kind.
 *
 * One record carries one kind.  A venue frame that gives several kinds is
 * written as one record per kind, in the enum's order, with the same exch_ns
 * and recv_ns (Binance markPrice: MK_MARK with mark and index, then
 * MK_FUNDING with the rate and its settlement time; Bybit tickers: up to
 * MK_FUNDING, MK_OPEN_INTEREST, MK_MARK).  Spot instruments have none.
 *
 * Every int64 field a record does not fill - the fields of the other kinds,
 * and fields of its own kind the venue did not give - is MKT_NONE.  Use
 * rec_market_init(), which sets them all, then fill what the frame gives.
 * Ids: hdr.first_id/last_id/prev_id are -1 (no venue sequence), exch_ns is
 * the venue's event time (OKX ts, Binance E, Bybit ts), 0 if none.
 *
 * Exponents (value = mantissa * 10^exp):
 *   rates       MKT_RATE_EXP (-18), signed: exact for every decimal rate the
 *               venues print (OKX gives up to 16-18 decimals); |rate| < 9.2
 *               (funding caps are well under 1).
 *   prices      the instrument's px_exp (mark_px, index_px, liq_px), > 0.
 *   contracts   the instrument's qty_exp (oi_contracts, liq_qty): the unit of
 *               the instrument's book sizes (OKX SWAP/FUTURES: contracts;
 *               Binance USD-M: base units).
 *   values      MKT_VALUE_EXP (-4), >= 0: oi_base (base currency) and
 *               oi_quote (quote/settlement currency, e.g. USD).  A fixed,
 *               coarse exponent because these are aggregates that overflow
 *               int64 at -8 (1e13 PEPE of open interest = 1e21 at -8; at -4
 *               the limit is 9.2e14 units).  Parsers round half away from
 *               zero to it (fx_parse_round); a venue string beyond the range
 *               is a parse error, never a wrapped value.
 *   times       ns since the epoch; intervals in seconds.
 *
 * Field by kind, with the venue fields they come from:
 *  MK_FUNDING       funding_rate (required): the rate of the next settlement,
 *                     at settle_ns.  Binance markPrice r; OKX funding-rate
 *                     fundingRate; Bybit tickers fundingRate; Deribit
 *                     ticker funding_8h (current_funding is not a forecast).
 *                   settle_ns: when funding_rate is settled ("next funding
 *                     time": Binance T, OKX fundingTime, Bybit nextFundingTime).
 *                   next_funding_rate: the predicted rate of the settlement
 *                     after that (OKX nextFundingRate), MKT_NONE when not
 *                     given (OKX sends "" in some settlement modes).
 *                   next_settle_ns: its time (OKX nextFundingTime), or MKT_NONE.
 *                   funding_interval_s: seconds between settlements if known
 *                     (OKX nextFundingTime - fundingTime; Binance
 *                     /fapi/v1/fundingInfo; Bybit fundingIntervalHour), 0 = unknown.
 *  MK_OPEN_INTEREST at least one of oi_contracts / oi_base / oi_quote.
 *                   oi_contracts (qty_exp): OKX oi; Binance openInterest
 *                     (USD-M: base units = contracts; COIN-M: contracts);
 *                     Bybit openInterest.
 *                   oi_base (MKT_VALUE_EXP): OKX oiCcy; Binance USD-M
 *                     openInterest (also oi_contracts).
 *                   oi_quote (MKT_VALUE_EXP): OKX oiUsd; Bybit
 *                     openInterestValue; Binance openInterestHist
 *                     sumOpenInterestValue; Deribit open_interest (USD, inverse).
 *  MK_MARK          at least one of mark_px / index_px (px_exp).
 *                     Binance markPrice p / i; OKX mark-price markPx (mark
 *                     only) and index-tickers idxPx (index only: OKX indexes
 *                     are per underlying, e.g. BTC-USD, so one index update
 *                     gives a record for every carried instrument on it);
 *                     Bybit markPrice / indexPrice; Deribit mark_price /
 *                     index_price.
 *  MK_LIQUIDATION   liq_side (enum trade_side, required BUY or SELL): the side
 *                     of the liquidation order (SELL = a long was closed).
 *                     liq_px (required): the order's price (Binance forceOrder
 *                     o.p, OKX liquidation-orders bkPx); liq_avg_px: its average
 *                     fill price if given (Binance o.ap), else MKT_NONE.
 *                     liq_qty (required, qty_exp, > 0): size (Binance o.q,
 *                     OKX sz in contracts).
 */
enum mkt_kind {
	MK_FUNDING = 1,
	MK_OPEN_INTEREST = 2,
	MK_MARK = 3,           /* mark and/or index price */
	MK_LIQUIDATION = 4,
	MK_KIND_MAX = 4,
};
#define MKT_NONE INT64_MIN     /* "not given" in every int64 field of rec_market */
#define MKT_RATE_EXP (-18)
#define MKT_VALUE_EXP (-4)

struct rec_market {
	struct rec_hdr h;
	/* MK_FUNDING */
	int64_t funding_rate;       /* MKT_RATE_EXP, signed */
	int64_t next_funding_rate;  /* MKT_RATE_EXP, signed; predicted */
	int64_t settle_ns;
	int64_t next_settle_ns;
	/* MK_MARK */
	int64_t mark_px;            /* px_exp */
	int64_t index_px;           /* px_exp */
	/* MK_OPEN_INTEREST */
	int64_t oi_contracts;       /* qty_exp */
	int64_t oi_base;            /* MKT_VALUE_EXP */
	int64_t oi_quote;           /* MKT_VALUE_EXP */
	/* MK_LIQUIDATION */
	int64_t liq_px;             /* px_exp */
	int64_t liq_avg_px;         /* px_exp */
	int64_t liq_qty;            /* qty_exp */
	uint32_t funding_interval_s;/* MK_FUNDING; 0 = unknown (uint32: no MKT_NONE) */
	uint8_t liq_side;           /* MK_LIQUIDATION: enum trade_side; 0 otherwise */
	uint8_t pad0[3];
};

/*
 * REC_INSTRUMENT - one instrument's trading rules as its venue's instrument
 * endpoint gives them (OKX /api/v5/public/instruments, Bybit
 * /v5/market/instruments-info, Binance exchangeInfo filters).  feedd writes
 * one when an answer comes (at start, then every instrument_interval) and
 * again before it acts on a bookd request for the instrument (so a restarted
 * bookd gets it); bookd keeps the latest per book, passes it on and writes
 * it again before every SNAP_FULL (so a restarted routerd and every store
 * hour have it).  Readers copy the fields into their struct inst (inst.h).
 * hdr: ids -1, exch_ns 0, recv_ns when the answer came, aux 0.
 * Every int64 field is >= 0; 0 = the venue did not say (unknown).
 *   tick     price step (OKX tickSz, Bybit priceFilter.tickSize, Binance
 *            PRICE_FILTER tickSize), the instrument's px_exp
 *   lot      size step (OKX lotSz, Bybit lotSizeFilter.qtyStep or spot
 *            basePrecision, Binance LOT_SIZE stepSize), qty_exp
 *   min_qty  smallest order size (OKX minSz, Bybit minOrderQty, Binance
 *            LOT_SIZE minQty), qty_exp
 *   ct_val   what one unit of the book's sizes is worth, in ct_ccy, at
 *            REC_CT_EXP: OKX SWAP/FUTURES ctVal (BTC-USDT-SWAP 0.01 BTC,
 *            BTC-USD-SWAP 100 USD); Bybit linear 1 base coin, inverse 1 USD
 *            (the venue's contract units); Binance COIN-M contractSize (USD).
 *            0 on spot (sizes are the base currency) and when unknown.
 *   ct_mult  contract multiplier (OKX ctMult), REC_CT_EXP; 0 = none given.
 *   ct_ccy   currency of ct_val ("BTC", "USD"), NUL-terminated; "" = none.
 */
#define REC_CT_EXP (-8)
struct rec_instrument {
	struct rec_hdr h;
	int64_t tick;
	int64_t lot;
	int64_t min_qty;
	int64_t ct_val;
	int64_t ct_mult;
	char ct_ccy[16];
};

enum raw_source { RAW_WS = 1, RAW_REST = 2 };
/*
 * REC_RAW.  data[] = path (path_len bytes, no NUL; empty for WS) then the
 * payload (payload_len bytes) exactly as received.  The capture-file line
 * is "<recv_ns> <exchange> ws|rest:<path> <payload>" (design.md section 6).
 * hdr.aux = enum exch_id (the instrument may be 0 for combined frames).
 */
struct rec_raw {
	struct rec_hdr h;
	uint8_t source;         /* enum raw_source */
	uint8_t pad0;
	uint16_t path_len;
	uint32_t payload_len;
	char data[];
};

/* Total sizes (rounded up to 8 bytes). */
size_t rec_delta_size(uint32_t n_bids, uint32_t n_asks);
size_t rec_snapshot_size(uint32_t n_bids, uint32_t n_asks);
/* How many of a snapshot record's bids are at or above bid_floor_px and asks
 * at or below ask_ceil_px: its levels inside the exact range (a bound of 0 =
 * none: 0 levels of that side). */
void rec_snapshot_exact(const struct rec_snapshot *s, uint32_t *bids, uint32_t *asks);
size_t rec_raw_size(uint32_t path_len, uint32_t payload_len);
/* 1 if a bookd delta is a refresh merge, not a venue update: levels a REST
 * refresh changed (OKX books-full deep levels, a Binance spliced refresh)
 * that bookd sends as a delta with first_id == last_id == prev_id == the
 * book id (bookd/sync.h).  No venue update has that shape: a heartbeat has
 * no levels, a legacy OKX frame (REC_F_NOSEQ, ids 0) has the flag.  Market
 * flow (routerd/mlflow.h) leaves merges out; the book still takes them. */
int rec_delta_is_merge(const struct rec_delta *d);
/* Fixed size of a type (the struct without its trailing array); 0 if unknown. */
size_t rec_fixed_size(uint16_t type);

/* Zero *h and set type, inst, len; prev/first/last ids = -1. */
void rec_hdr_init(struct rec_hdr *h, uint16_t type, uint32_t inst, uint32_t len);
/* A REC_MARKET of this kind with every int64 field MKT_NONE, the header as
 * rec_hdr_init, funding_interval_s and liq_side 0. */
void rec_market_init(struct rec_market *m, uint32_t inst, enum mkt_kind kind);

/*
 * Check that buf[0..len) is a well-formed record: known type, hdr.len == len,
 * counts consistent with the length, per-side counts <= REC_MAX_LEVELS,
 * NUL-terminated strings, known enum values.  Everything read from a ring or
 * a file passes here first.  Returns 0, or -1 with err filled.
 */
int rec_check(const void *buf, size_t len, char *err, size_t errlen);

const char *rec_type_name(uint16_t type);   /* "delta", ... or "unknown" */
const char *ev_code_name(uint16_t code);
/* 1 for an event after which the instrument's book is not known to be the
 * venue's any more (gap, resync, checksum failure, ring or NATS loss): the
 * rule mpexport's epochs and the basis features (routerd/mlbasis.c) share. */
int ev_breaks_book(uint16_t code);
const char *ctl_op_name(uint16_t op);
const char *snap_kind_name(uint8_t kind);
/* "funding", "open_interest", "mark", "liquidation" or "unknown". */
const char *mkt_kind_name(uint32_t kind);

/* A hash of every record layout (names, sizes, offsets of every field) and the
 * record-format version; stored in ring headers and store segments. */
uint64_t rec_schema_hash(void);

/* Describe the record as one JSON object (no newline) into a malloc'd string,
 * prices as the instrument's strings when reg knows the instrument, else as
 * mantissas.  At most max_levels levels per side are listed (-1 = all).
 * Returns NULL only on allocation failure; call rec_check first. */
struct inst_registry;
char *rec_to_json(const void *rec, const struct inst_registry *reg, int max_levels);

#endif
