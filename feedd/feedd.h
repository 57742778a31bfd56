/*
 * feedd.h - the feedd process: one venue's WebSocket links (ws.c), its REST
 * requests within budget (rest.c), its outputs (out.c: feed ring, raw ring,
 * capture file, events, metrics), the requests from bookd (ctl.c) and the
 * venue specifics (venue.c).  Everything runs on one libuv loop; only the ctl
 * reader has its own thread (it blocks on the ctl ring and hands requests
 * over through a locked queue and a uv_async).
 */
#ifndef MP_FEEDD_H
#define MP_FEEDD_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <uv.h>

#include "backoff.h"
#include "budget.h"
#include "cfg.h"
#include "inst.h"
#include "metrics.h"
#include "parse.h"
#include "rec.h"
#include "ring.h"

/* Links beyond one per instrument (OKX's public and business links);
 * Binance and Bybit need at most one per instrument, so venue_setup()
 * allocates FEED_MAX_LINKS + instruments links (each venue keeps its own,
 * smaller bound from the venue's limits: Bybit's BY_MAX_LINKS). */
#define FEED_MAX_LINKS 6
#define FEED_TXQ 32
#define FEED_KINDS 64          /* distinct malformed/unknown kinds logged with a sample */

struct feed;
struct link;

enum conn_state { CS_CONNECTING = 1, CS_OPEN = 2, CS_GONE = 3 };

/* One WebSocket connection (a link has one, two during a roll-over). */
struct conn {
	struct link *l;
	struct conn *next_all;        /* every conn of the feed, for reaping */
	struct lws *wsi;
	enum conn_state state;
	int wsi_gone;                 /* lws is done with it (WSI_DESTROY or connect failed) */
	int killing;                  /* we asked lws to close it */
	int retiring;                 /* replaced by a newer conn: frames are ignored */
	uint64_t serial;
	int64_t t_start, t_open, t_rx, t_tx, t_ping;   /* CLOCK_MONOTONIC ns; t_ping 0 = no ping out */
	char why[120];                /* why it closed */
	char *rx;
	size_t rxlen, rxcap;
	int in_msg, rx_overflow;
	char *txq[FEED_TXQ];
	size_t txlen[FEED_TXQ];
	int txn;
};

/* A logical stream of the venue that must always be up (reconnected). */
struct link {
	struct feed *f;
	int idx;
	int kind;                     /* the venue's own link kind (feedd/venue_<venue>.c) */
	const char *name;             /* "binance", "binance-2", "okx-public", "okx-business" */
	char name_buf[24];            /* for a name made at setup */
	int books;                    /* carries depth: connects/losses are per-instrument events */
	int text_ping;                /* keep alive with a text "ping" after silence (OKX); else
	                               * the server pings and lws answers */
	int watch_silence;            /* without books: the connection as a whole must not go quiet */
	const char *ping_msg;         /* text_ping's message (NULL = "ping"; Bybit {"op":"ping"}) */
	char path[8192];              /* WebSocket path (and query) */
	struct conn *cur;             /* the live conn, or the one connecting */
	struct conn *old;             /* the one being replaced during a roll-over */
	struct backoff bo;
	uv_timer_t retry;
	int retry_armed;
	int64_t retry_at;
	int rollover_pending;         /* roll over once cur is open (notice came while connecting) */
	int64_t *depth_rx;            /* last depth record per instrument id (mono ns), reg.n + 1 */
	int first, count;             /* Binance: the link carries inst_ids[first .. first+count) */
	uint64_t connects, losses, rollovers, stale;
};

/* RQ_MARKET: derivatives market data over REST (Binance futures open
 * interest), polled every market_poll_interval per instrument, only with
 * budget to spare (rest.c); a failure is logged and counted, no book event.
 * RQ_VENUE_MARKET: the same for one answer about every instrument of the
 * venue (Binance futures fundingInfo), asked with the first round and then
 * at most once a minute; its answer may carry no record (state the parser
 * keeps for later frames). */
enum rq_kind { RQ_SNAPSHOT = 1, RQ_DEEP = 2, RQ_INFO = 3, RQ_MARKET = 4,
	RQ_META = 5 /* instrument rules (meta.c) */, RQ_VENUE_MARKET = 6 };

/* One REST request, queued then in flight. */
struct rest_req {
	struct rest_req *next;
	struct feed *f;
	enum rq_kind kind;
	int lane;
	uint32_t req_id;
	uint32_t inst;
	uint32_t depth;
	int64_t weight;
	char path[256];
	int64_t queued_ns, started_ns;    /* mono */
	void *easy;                   /* CURL * while in flight */
	char *body;
	size_t len, cap;
	int64_t retry_after_s;        /* from the answer's Retry-After, -1 = none */
	int64_t used_weight;          /* from X-MBX-USED-WEIGHT-1M, -1 = none */
	char errbuf[256];
};

#define REST_LANES 3
struct rest_lane {
	const char *name;
	struct budget bud;
	struct rest_req *head, *tail;     /* waiting for budget */
	int queued;
};

struct rest {
	struct feed *f;
	void *multi;                  /* CURLM * */
	uv_timer_t curl_timer;        /* curl's single timeout */
	uv_timer_t pump_timer;        /* the next time budget allows a request */
	int pump_armed;
	int nlanes;
	struct rest_lane lane[REST_LANES];
	struct rest_req *flight;      /* started, not finished */
	int inflight, max_inflight;
	int64_t venue_limit;          /* Binance REQUEST_WEIGHT per window (exchangeInfo) */
	int info_done;
	int64_t info_retry;           /* mono: when to ask exchangeInfo again */
	uint64_t started, ok, failed, rate_limited, superseded, expired;
};

/* Requests from bookd, handed from the ctl thread to the loop. */
struct ctl_queue {
	pthread_mutex_t mu;
	struct rec_control v[256];
	int n;
	uint64_t lost;                /* queue full */
};

struct feed_metrics {
	_Atomic uint64_t *frames, *bytes, *records, *parse_errors, *unknown, *slow_path;
	_Atomic uint64_t *feed_drops, *raw_drops, *events, *connects, *disconnects, *rollovers, *stale;
	_Atomic uint64_t *pings, *pongs, *rest_ok, *rest_failed, *rate_limited, *ctl_requests, *ctl_ignored;
	_Atomic uint64_t *refresh_skipped;   /* deep refreshes not sent: budget kept for resyncs */
	_Atomic uint64_t *refresh_sent;      /* deep refreshes sent (queued for the venue) */
	_Atomic uint64_t *refresh_weight;    /* request weight those refreshes cost */
	_Atomic uint64_t *market_sent, *market_skipped;   /* RQ_MARKET polls sent / left out for budget */
	_Atomic uint64_t *retired_frames, *capture_errors;
	_Atomic uint64_t *snap_ok, *snap_failed;   /* book snapshot requests only (RQ_SNAPSHOT) */
	_Atomic uint64_t *meta_ok, *meta_failed;   /* instrument-rules requests (RQ_META, meta.c) */
	_Atomic int64_t *weight_used, *weight_limit, *rest_queued, *links_up;
};

struct feed_venue;

struct feed {
	struct cfg *cfg;
	int exch;
	const struct venue *venue;    /* the venue table's row (venue.h) */
	const struct feed_venue *ops; /* what this venue does its own way (below) */
	const char *ex;               /* "binance" / "okx" */
	char sect[32];                /* "feedd.binance" */
	struct inst_registry reg;
	int ninst;
	uint32_t *inst_ids;           /* this venue's instruments (ninst, allocated) */
	struct parse_ctx parser;
	uv_loop_t *loop;
	uv_timer_t tick;
	uv_signal_t sigterm, sigint;
	uv_async_t ctl_async;
	struct lws_context *lws;
	int stopping;
	/* settings */
	char ws_url[256], rest_url[256];
	const char *ca_file;          /* NULL = the system store */
	int ch_depth, ch_trades, ch_tickers, ch_klines;
	int ch_market;           /* derivatives market data (okx_market.h); no-op for spot */
	int ch_books5, ch_bbo_tbt;    /* OKX: top-N audit channels next to books (okx_books5, okx_bbo_tbt) */
	int ch_bbo1;                  /* Bybit: orderbook.1 next to orderbook.1000 (bybit_bbo) */
	char kline_iv[8];
	int capture;
	int64_t ping_ns, pong_ns, stale_ns, connect_ns, conn_age_ns, backoff_reset_ns;
	int64_t rest_timeout_ns, queue_timeout_ns, deep_ns;
	int64_t market_poll_ns;       /* market_poll_interval (0 = off); RQ_MARKET where the venue has it */
	int64_t market_next;          /* mono ns of the next market poll round */
	int64_t venue_market_next;    /* mono ns from which RQ_VENUE_MARKET may be asked again */
	uint32_t snap_depth, deep_depth;
	/* links */
	struct link *link;            /* maxlinks allocated by venue_setup, nlinks used */
	int nlinks, maxlinks;
	int *link_of;                 /* inst id -> index of the link carrying it, for venues that
	                               * split instruments by their own rule (Bybit); NULL otherwise.
	                               * Allocated by the venue's setup, freed by venue_free. */
	struct conn *conns;           /* every conn not yet freed */
	uint64_t conn_serial;
	/* rest */
	struct rest rest;
	int64_t *deep_next;           /* per instrument id, reg.n + 1 */
	/* instrument rules (meta.c) */
	int64_t meta_interval_ns, meta_retry_ns;   /* instrument_interval (0 = never ask), instrument_retry */
	int64_t *meta_next;                        /* per instrument id, reg.n + 1: mono when to ask next; -1 = never */
	struct rec_instrument *meta;               /* per instrument id, reg.n + 1: the last rules written
	                                            * (h.type 0 = none yet) */
	uint64_t deep_rng;            /* deep_interval jitter */
	/* outputs */
	struct ring *feed_ring, *raw_ring, *ctl_ring;
	FILE *capf;
	struct metrics *m;
	struct feed_metrics mt;
	uint32_t kind_hash[FEED_KINDS];
	int nkinds;
	/* ctl thread */
	pthread_t ctl_thread;
	int ctl_thread_up;
	volatile int ctl_stop;
	struct ctl_queue cq;
	int64_t last_hb;
};

/* ---- out.c ---- */
int out_open(struct feed *f, char *err, size_t errlen);
void out_close(struct feed *f);
/* parse_emit_fn: stamp STAGE_FEED and write to feed.<exchange>. */
int out_record(void *ud, const struct rec_hdr *rec);
/* A frame or REST answer as received: REC_RAW to raw.<exchange> and a capture line. */
void out_raw(struct feed *f, int64_t recv_ns, int source, const char *path, const char *payload, size_t len);
/* REC_EVENT to feed.<exchange>, and a log line (info/warn/error by severity). */
void out_event(struct feed *f, uint32_t inst, uint16_t code, uint8_t sev, uint32_t aux, int64_t a, int64_t b,
    const char *fmt, ...) __attribute__((format(printf, 8, 9)));
/* The same event for every instrument of the venue. */
void out_event_all(struct feed *f, uint16_t code, uint8_t sev, int64_t a, int64_t b,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* The same event for every instrument a link carries (feed_venue.carries). */
void out_event_link(struct link *l, uint16_t code, uint8_t sev, int64_t a, int64_t b,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Log a malformed/unknown frame the first time its kind is seen (with a sample). */
void out_bad_frame(struct feed *f, const char *what, const char *why, const char *buf, size_t len);
void out_metrics_init(struct feed *f);

/* ---- venue.c, venue_<venue>.c ---- */
/*
 * What one venue does its own way in feedd, in feedd/venue_<venue>.c, chosen
 * by exchange id in venue.c (the per-process half of the venue table).
 */
struct feed_venue {
	/* Links and what they subscribe (from f->ch_*, the instruments, the
	 * settings); f->snap_depth from depth ([snapshot_depth], 0 = default). */
	int (*setup)(struct feed *f, uint32_t depth, char *err, size_t errlen);
	/* Messages once a link's connection is open (subscribe); NULL when the
	 * URL subscribes. */
	void (*on_open)(struct link *l, struct conn *c);
	/* Subscribe / unsubscribe one book on a link with books
	 * (CTL_RESUBSCRIBE); NULL when the venue has no WS snapshot to resync by. */
	int (*book_sub)(struct feed *f, const struct inst *in, int subscribe, char *buf, size_t cap);
	/* REST path and weight/lane of a request kind; -1 if the venue has none. */
	int (*rest_path)(struct feed *f, enum rq_kind kind, const struct inst *in, uint32_t depth,
	    char *buf, size_t cap, int64_t *weight, int *lane);
	/* REST lanes and their budgets from [feedd.<venue>]. */
	void (*rest_budget)(struct feed *f, struct rest *r);
	/* RQ_INFO answer -> request-weight limit per window (0 if absent); NULL
	 * when the venue has no such request. */
	int64_t (*weight_limit)(const char *body, size_t len);
	int server_weight;  /* answers report the weight used (X-MBX-USED-WEIGHT): follow it */
	int info_rules;     /* the RQ_INFO answer lists every instrument's rules (Binance futures
	                     * exchangeInfo): also parsed as an answer (REC_INSTRUMENT, COIN-M
	                     * contract sizes), so no RQ_META request is needed for them */
	int deep;           /* RQ_DEEP exists (CTL_DEEP, deep_interval) */
	const void *spec;   /* the venue file's own constants (one file serving several venues) */
	/* Whether a link carries an instrument (Bybit: a link per market);
	 * NULL = every link carries every instrument. */
	int (*carries)(const struct link *l, const struct inst *in);
};
extern const struct feed_venue feed_venue_binance, feed_venue_okx;
extern const struct feed_venue feed_venue_binance_usdm, feed_venue_binance_coinm;
extern const struct feed_venue feed_venue_bybit;
extern const struct feed_venue feed_venue_deribit;

/* The venue's operations, or NULL with err filled. */
const struct feed_venue *venue_ops(int exch, char *err, size_t errlen);
/* Defaults and settings of the venue from config; links set up. */
int venue_setup(struct feed *f, char *err, size_t errlen);
/* The next unused link (for a venue's setup), or NULL with err when all
 * maxlinks are taken. */
struct link *venue_link_add(struct feed *f, char *err, size_t errlen);
/* What venue_setup allocated. */
void venue_free(struct feed *f);
/* Binance: instruments on one link when each has streams_per_inst streams
 * and a link takes streams_per_link; -1 with err if one does not fit. */
int binance_per_link(int streams_per_link, int streams_per_inst, char *err, size_t errlen);
/* Append fmt (two strings) to buf (for building stream lists). */
void venue_append(char *buf, size_t cap, const char *fmt, const char *a, const char *b);
/* Whether link l carries instrument id inst (feed_venue.carries). */
int venue_link_carries(const struct link *l, uint32_t inst);
/* Binance-style exchangeInfo answer -> REQUEST_WEIGHT limit per minute (0 if absent). */
int64_t venue_weight_limit(const char *body, size_t len);

/* ---- ws.c ---- */
int ws_start(struct feed *f, char *err, size_t errlen);
void ws_stop(struct feed *f);
/* After the loop has drained: free what is left. */
void ws_free(struct feed *f);
void ws_tick(struct feed *f, int64_t mono);
/* Close and reconnect every link (CTL_RECONNECT). */
void ws_reconnect_all(struct feed *f, const char *why);
/* Queue a text message on a link's open conn; -1 if it is not open. */
int ws_send(struct link *l, const char *msg, size_t len);
/* Plan a roll-over of the link that conn belongs to. */
void ws_rollover(struct link *l, const char *why);

/* ---- rest.c ---- */
int rest_start(struct feed *f, char *err, size_t errlen);
void rest_stop(struct feed *f);
/* Queue a request; an older queued request of the same kind for the same
 * instrument is superseded (answered EV_SNAPSHOT_FAILED). */
void rest_submit(struct feed *f, enum rq_kind kind, uint32_t inst, uint32_t req_id, uint32_t depth);
/* A deep refresh (CTL_F_REFRESH): submitted only if it starts at once and
 * leaves one snapshot's weight per instrument of this feedd in the window,
 * else EV_SNAPSHOT_FAILED (aux = req_id) at once. */
void rest_submit_refresh(struct feed *f, uint32_t inst, uint32_t req_id, uint32_t depth);
void rest_tick(struct feed *f, int64_t mono);
int rest_pending(struct feed *f, enum rq_kind kind, uint32_t inst);

/* ---- meta.c ---- */
/* Plan the first RQ_META of every instrument (after rest_start). */
void meta_start(struct feed *f);
/* Submit the RQ_META requests that are due. */
void meta_tick(struct feed *f, int64_t mono);
/* An RQ_META answer: ok = the answer gave the instrument's rules (written
 * already by the parser), else a failure (counted, logged, asked again). */
void meta_answer(struct feed *f, uint32_t inst, int ok, long status, const char *why);
/* out_record saw a REC_INSTRUMENT: keep it. */
void meta_seen(struct feed *f, const struct rec_hdr *rec);
/* Write the instrument's last rules again (before acting on a bookd request). */
void meta_resend(struct feed *f, uint32_t inst);

/* ---- ctl.c ---- */
int ctl_start(struct feed *f, char *err, size_t errlen);
void ctl_stop(struct feed *f);
/* On the loop: act on the queued requests. */
void ctl_drain(struct feed *f);

#endif
