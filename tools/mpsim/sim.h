/*
 * sim.h - mpsim's shared state: instruments, connections, counters, and the
 * driver functions every part calls.
 *
 * One libuv loop runs everything.  The market advances in steps of 100 ms of
 * simulated time (--rate scales how fast steps happen in real time); after
 * each step every instrument's venue layer (binance.c, binance_fut.c, okx.c,
 * bybit.c) turns the
 * step's changes into that venue's messages and fans them out to the
 * WebSocket connections (http.c) subscribed to them.  Protocol timers (pings,
 * idle closes, bans, rate-limit windows, the 24 h roll-over) run on real time
 * divided by --timer-rate.
 */
#ifndef MPSIM_SIM_H
#define MPSIM_SIM_H

#include <stdint.h>
#include <uv.h>

#include "buf.h"
#include "fault.h"
#include "market.h"

struct ssl_st;

/* Simulated venues: indexes of sim.st and the listeners; each maps to its
 * exchange id and its operations through the table in venues.c. */
enum { SIM_BINANCE = 0, SIM_OKX = 1, SIM_BYBIT = 2, SIM_BINANCE_USDM = 3, SIM_BINANCE_COINM = 4, SIM_DERIBIT = 5,
       SIM_NVENUE = 6 };

struct sim_conn;
struct sim_inst;
struct sb;

/* What one simulated venue does its own way (tools/mpsim/<venue>.c). */
struct sim_venue {
	int exch;                 /* enum exch_id (venue.h): the name comes from there */
	void (*inst_init)(struct sim_inst *in);
	void (*on_step)(struct sim_inst *in);
	void (*housekeeping)(void);                  /* every loop tick; NULL = none */
	void (*rest)(struct sim_conn *c, const char *method, const char *path, const char *query, int delay_ms);
	int (*ws_open)(struct sim_conn *c, const char *path, const char *query, struct sb *why);
	void (*ws_message)(struct sim_conn *c, const char *data, size_t len);
	void (*broadcast)(struct sim_inst *in, int kind, int param, const char *p, size_t n, int mode);
	void (*fault_answer)(struct sim_conn *c, int status, int retry_after_ms, int delay_ms);
	/* the venue's "going away" notice (Binance serverShutdown, OKX 64008),
	 * default lead time notice_ms */
	void (*notice)(struct sim_conn *c, int ms);
	int notice_ms;
	int64_t (*weight_now)(int venue);            /* REST weight used this minute; NULL = 0 */
	void (*flush_pending)(void);                 /* on pause/step; NULL = none */
	int (*px)(const struct sim_inst *in, int64_t ticks, char *out);
	int (*qty)(const struct sim_inst *in, int64_t lots, char *out);
	int64_t (*last_id)(const struct sim_inst *in);   /* the book's update id for /_sim/book */
	int venue_sym_join;       /* venue symbol without the dash, lower-case stream names (Binance) */
	int incr_streams;         /* increment streams sharing the increment faults (SIM_INCR_MAX):
	                           * Binance spot 2 (@depth@100ms, @depth), futures 3 (@depth@100ms,
	                           * @depth@500ms, @depth 250 ms); 0 = 1 */
	int ws_snapshots;         /* the OKX-only faults (seq reset, snapshot) apply */
	int corrupt_max;          /* corrupt_level's highest rank: the depth stream's window (0 = none) */
	int rx_limit;             /* more incoming messages a second drop the client (Binance 5, futures 10; <= 15) */
	int server_pings;         /* the server pings and closes after 24 h; else idle close */
	const char *replay_depth; /* --replay can serve this venue: its REST depth path
	                           * ("/api/v3/depth"), answered from the recording; NULL = never */
	int derivatives;          /* serves OKX-style derivative instIds (BTC-USDT-SWAP; instid.h) */
	int own_symbols;          /* instruments only from --<venue>-symbols, not --symbols (Bybit) */
	int derivatives_only;     /* refuses spot pairs (Binance USD-M, COIN-M) */
	const void *spec;         /* the venue file's own constants (one file serving several venues) */
};
/* The operations of a sim venue index (never NULL for 0..SIM_NVENUE-1). */
const struct sim_venue *sim_ops(int venue);

#define SIM_OKX_WIN 400         /* OKX books window */
#define SIM_INCR_MAX 3          /* increment streams of one instrument (sim_venue.incr_streams) */
#define SIM_MAX_SUBS 1024       /* Binance limit per connection */
#define SIM_MAX_PATHS 24

/* Per-venue counters served by GET /_sim/stats. */
struct sim_stats {
	uint64_t connections_total, connections_open;
	uint64_t ws_frames_sent, ws_frames_received, ws_bytes_sent;
	uint64_t rest_requests;
	struct {
		char path[48];
		uint64_t n;
	} rest_by_path[SIM_MAX_PATHS];
	int64_t weight_used_1m_max;
	uint64_t http_429, http_418, http_5xx, http_4xx;
	int64_t banned_until_ms;    /* wall clock, 0 = never banned */
	uint64_t bans;
	uint64_t pings_sent, pongs_received;
	uint64_t clients_dropped_no_pong, clients_dropped_rate, clients_dropped_slow;
	uint64_t clients_closed_idle, clients_closed_rollover, clients_closed_fault;
	uint64_t subscriptions, subscribe_requests, subscribe_errors;
	uint64_t messages_dropped_stalled;
	uint64_t http_bad_requests, ws_protocol_errors;
	uint64_t ws_url_plain_names; /* Binance /ws/<name> names without '@' (listen keys, ccxt's /ws/0) */
	uint64_t heartbeats_sent, snapshots_sent;
	uint64_t faults_injected[FLT_NKINDS];
};

/* One subscription of one connection. */
struct sim_sub {
	int inst;      /* index into sim.inst */
	int kind;      /* venue-specific stream kind */
	int param;     /* e.g. partial depth levels */
	char name[64]; /* the venue's stream/channel name as subscribed */
};

/* A held increment (reorder fault). */
struct sim_held {
	int active, kind;
	struct sb msg;
};

struct sim_inst {
	int venue;
	char sym[24];    /* canonical "BTC-USDT" */
	char vsym[24];   /* venue symbol: "BTCUSDT" / "BTC-USDT" */
	char lsym[24];   /* Binance stream form "btcusdt" */
	char base[12], quote[12];
	int64_t tick_e8, lot_e8, min_qty_e8;
	struct mkt_book book;
	/* pending increment faults, [0] = main stream (depth@100ms, books),
	 * [1], [2] = Binance's slow depth streams (bn_spec.slow: spot @depth
	 * 1000 ms; futures @depth@500ms, @depth 250 ms) */
	int fq[SIM_INCR_MAX][FLT_NKINDS];
	struct sim_held held[SIM_INCR_MAX];
	int okx_nosnap;          /* books subscriptions left without snapshot (-1 = all) */
	int corrupt_rank;        /* corrupt_level pending (fq[0]): rank of the bid to falsify, 1 = best */
	/* trade statistics for tickers and klines */
	int64_t last_px, last_qty, open_px, high_px, low_px;
	int64_t vol_lots;
	double vol_quote;
	int64_t k_start_ms, k_o, k_h, k_l, k_c, k_first_trade, k_last_trade, k_n;
	int64_t k_vol, k_taker_vol;
	double k_quote, k_taker_quote;
	/* Binance */
	int64_t bn_last_u, bn_trade_id, bn_agg_id;
	/* each slow depth stream's changes since its last event: U of the first
	 * step in it (0 = none yet), the u of its last event (futures pu) */
	struct sim_bn_slow {
		struct mkt_change *agg;
		int n, cap;
		int64_t first_U, pu;
	} bn_slow[SIM_INCR_MAX - 1];
	int64_t bn_bt[4];        /* last bookTicker sent: bid px, qty, ask px, qty */
	/* derivative state (deriv.c): open interest (lots), the liquidation of
	 * the step (side 0 = none) */
	int64_t dv_oi, dv_liq_px, dv_liq_qty;
	int dv_liq_side;
	/* OKX */
	int64_t ox_seq, ox_trade_id;
	struct mkt_level ox_win[2][SIM_OKX_WIN];
	int ox_nwin[2];
	int64_t ox_last_pub_ms;  /* monotonic ms of the last books push */
	int64_t ox_top5[2][5][2], ox_bbo[4];
	int ox_bbo_changed, ox_traded;
	int64_t ox_oi_lots;      /* open interest, contracts (lots): okx_market.c */
	/* Bybit (bybit.c): market, orderbook u and seq, the worst price of the
	 * published top 1000 per side (0 = none), trade id, open interest (lots) */
	int by_market;
	int64_t by_u, by_seq, by_bound[2], by_trade_id, by_oi;
	int64_t by_u1;          /* Bybit orderbook.1's own u */
	/* Deribit (deribit.c): book change_id, trade_seq, open interest (lots) */
	int64_t dr_change_id, dr_trade_seq, dr_oi;
};

/* Connection state (http.c owns the I/O; the venue layers own subs). */
enum { CONN_HTTP = 0, CONN_WS = 1 };
/* WebSocket endpoint kinds. */
enum { WS_BN_RAW = 1, WS_BN_COMBINED, WS_OKX_PUBLIC, WS_OKX_BUSINESS };

struct sim_conn {
	uv_tcp_t tcp;
	uv_timer_t timer;        /* delayed REST answers */
	int handles_open;
	struct sim_conn *next, *prev;
	int venue;
	uint64_t id;
	char connid[12];
	char peer[64];
	int state;
	int closing;             /* no more I/O: close requested */
	int shutting;            /* close frame queued, waiting for writes */
	struct sb in;            /* plaintext input */
	struct ssl_st *ssl;      /* TLS session (--tls and a handshake came), or NULL */
	int tls_checked;         /* first byte seen: TLS or plain decided */
	struct sb raw;           /* ciphertext input (TLS) */
	/* HTTP */
	int busy;                /* a delayed answer is pending */
	struct sb pending;
	int pending_close;
	/* WebSocket */
	int ws_kind;
	struct sb frag;
	int frag_op;
	int64_t t_open, t_rx, t_tx;     /* monotonic ms */
	int64_t t_next_ping;
	int64_t ping_sent[4];           /* payload ids of unanswered pings (0 = none) */
	int64_t ping_oldest;            /* monotonic ms of the oldest unanswered ping, 0 = none */
	int64_t rx_times[16];           /* rx_limit + 1 (<= 15) arrival times */
	int rx_idx;
	int stalled;
	int64_t close_at;               /* scheduled close (shutdown notice), 0 = none */
	/* venue heartbeats the client asked for (Deribit set_heartbeat), monotonic ms:
	 * interval (0 = off), next test_request, when the unanswered one expires (0 = none) */
	int64_t hb_iv_ms, hb_next_ms, hb_due_ms;
	struct sim_sub *subs;
	int nsubs, capsubs;
};

struct sim_pending_fault {
	struct flt_spec spec;
	int64_t due_ms;   /* monotonic */
	int done;
};

struct sim {
	uv_loop_t *loop;
	uint64_t seed;
	double rate, timer_rate;
	double volatility;               /* daily relative volatility of the fair price */
	double drift;                    /* relative trend of the fair price per hour */
	double deep_churn;               /* mean deep level changes per step and book */
	int okx_legacy_checksum;
	int okx_legacy_format;           /* OKX books as in 2021-2022: checksum, no seqId/prevSeqId */
	int paused;
	int64_t steps;
	int64_t clock_t0, clock_steps0;  /* step `clock_steps0` was due at monotonic ms clock_t0 */
	int64_t start_ms;                /* monotonic ms at start */
	uint64_t lag_rebases;
	struct sim_inst *inst;
	int ninst;
	struct sim_conn *conns;
	uint64_t next_conn_id;
	struct sim_stats st[SIM_NVENUE];
	struct sim_pending_fault *pf;
	int npf;
	/* venue REST fault state */
	int rest_fault[SIM_NVENUE][FLT_NKINDS];
	int rest_fault_ms[SIM_NVENUE][FLT_NKINDS];
	int rest_fault_code[SIM_NVENUE];
	/* Binance weight windows, per sim venue (spot, USD-M, COIN-M each have one) */
	int64_t bn_win_idx[SIM_NVENUE], bn_weight[SIM_NVENUE], bn_429_in_win[SIM_NVENUE];
	int64_t bn_ban_until[SIM_NVENUE];  /* monotonic ms */
	/* OKX REST windows: books, books-full, instruments */
	int64_t ox_win_idx[3], ox_win_n[3];
	int max_write_queue;
	int64_t conn_life_ms;            /* Binance connection lifetime, 0 = 24 h scaled */
	const char *venue_symbols[SIM_NVENUE];  /* a venue's own --<venue>-symbols list (NULL = --symbols) */
};

extern struct sim sim;

/* Clocks: monotonic ms (timers) and wall-clock ms (message timestamps). */
int64_t sim_mono_ms(void);
int64_t sim_wall_ms(void);
/* A protocol duration in real ms after --timer-rate scaling (at least 1). */
int64_t sim_scaled_ms(double real_ms);
/* Look an instrument up by venue and symbol in any accepted spelling
 * ("BTC-USDT", "BTCUSDT", "btcusdt"); -1 if unknown. */
int sim_find_inst(int venue, const char *sym);
const char *sim_venue_name(int venue);
/* Every venue's held messages out now (pause, single steps). */
void sim_flush_pending(void);
int sim_venue_parse(const char *s);
/* Add one instrument (symbol like "BTC-USDT") on a venue; -1 on a bad symbol. */
int sim_add_inst(const char *sym, int venue, int levels);
/* Every symbol of a comma-separated list on both venues, Binance first. */
int sim_setup_instruments(const char *symbols, int levels);
void sim_free_instruments(void);
/* Run n steps now (used by the step timer and POST /_sim/step). */
void sim_run_steps(int64_t n);
/* Trade and candle statistics shared by both venues' tickers and klines. */
void sim_note_trade(struct sim_inst *in, int64_t px, int64_t qty, int taker_buy, int64_t first_id, int64_t last_id);
/* Start a new 1-minute candle if the current one is over (wall clock). */
void sim_kline_roll(struct sim_inst *in);
/* Inject a fault now; returns 0 or -1 with a message in err. */
int sim_inject(const struct flt_spec *f, char *err, size_t errlen);

#endif
