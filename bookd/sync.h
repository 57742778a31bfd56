/*
 * sync.h - one instrument's book keeper: the book, its sync state machine,
 * quality checks, BBO cross-check and outputs.  Pure with respect to time and
 * I/O: every call gets `now` from the caller, input records are handed in,
 * and everything the keeper decides comes out through a struct bk_sink
 * (output records for book.router/book.store, control requests for
 * ctl.<exchange>).  bookd wires the sink to rings; mpreplay and the tests
 * wire it to counters and arrays, so every branch is testable without rings.
 *
 * Binance (research/protocols.md 1.6).  Deltas are buffered from the first
 * one; a CTL_SNAPSHOT (limit binance_snapshot_depth) is sent once something is
 * buffered.  The snapshot (last_id L) replaces the book; buffered u <= L are
 * dropped; the first kept must have U <= L+1 <= u (else the snapshot is older
 * than the buffer: a new one is requested, the buffer is kept); after that
 * every delta needs U == previous u + 1 (u <= id: stale, ignored and counted;
 * anything else: EV_GAP and resync, buffering continues from that delta).
 *
 * OKX (2.5, 2.6).  Continuity is prevSeqId == id of the book (heartbeats and
 * sequence resets pass, gaps fail).  Mode is chosen by what the venue sends
 * after each (re)subscribe: a WS snapshot with levels -> WS mode (it replaces
 * the book at once; a gap -> CTL_RESUBSCRIBE, updates ignored until the next
 * snapshot); an update first or an empty snapshot -> REST-seeded mode
 * (buffer, CTL_SNAPSHOT sz okx_snapshot_depth, drop seqId <= S, the first kept
 * must have prevSeqId <= S < seqId).  A non-zero checksum is verified after
 * every frame (EV_CHECKSUM_FAIL + resync on mismatch).  Legacy frames
 * (REC_F_NOSEQ, the 2021-2022 format without seqId/prevSeqId): a legacy WS
 * snapshot starts a legacy book, whose continuity is the checksum of every
 * update alone (a legacy update without one, or one on a sequenced book, is
 * a gap); legacy updates before a snapshot wait for one (WS mode, no REST
 * seeding: they carry no id to place them).  SNAP_DEEP levels
 * beyond the okx_ws_depth-th level replace the book's deep levels; the change
 * goes out as a delta whose first_id == last_id == prev_id == the book id, so
 * the continuity rule still holds; a SNAP_FULL (SNAP_R_PERIODIC) follows with
 * the new covered range and deep_refresh_ns.
 *
 * Bybit (feedd/README.md "Bybit v5", sync_bybit.c).  Every subscribe brings a
 * WS snapshot (u), which replaces the book in any state (mid-stream too: the
 * venue's restart, u = 1 or not); then u must step by one (u <= the book's:
 * duplicate, ignored; u == 1 on a book past 1, or any other u: gap ->
 * CTL_RESUBSCRIBE, deltas ignored until the next snapshot).  The book is the
 * venue's top 1000 a side, exact in that range.  Audited against
 * orderbook.1 and REST at equal seq (the records' xseq; okx_audit.h).
 *
 * Deribit (feedd/README.md "Deribit", sync_deribit.c).  As Bybit, a WS
 * snapshot (change_id) on every subscribe replaces the book in any state;
 * then a change needs prev_change_id == the book's change_id (change_id <=
 * the book's: duplicate, ignored; else gap -> CTL_RESUBSCRIBE); an empty
 * change on the chain is a heartbeat.  The book is the whole book, exact
 * outwards too until max_levels drops a level (bk_edge_whole).
 *
 * Chunked venue snapshots (snap_join.c), any venue: the nchunks records of a
 * book larger than one record are joined before a rule sees the snapshot.
 *
 * Outputs: see the bookd output contract (design in bookd/main.c's header).
 * A resync request is subject to a per-book exponential backoff
 * (resync_backoff_min .. max), so a storm of gaps cannot burn the venue's
 * request budget.
 */
#ifndef MP_BOOKD_SYNC_H
#define MP_BOOKD_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "book.h"
#include "inst.h"
#include "rec.h"

struct cfg;
struct oa_state;

/* Settings shared by all keepers of one process ([bookd] keys). */
struct bk_cfg {
	uint32_t max_levels, topn /* snapshot_levels */, expected_levels, min_depth_pct;
	uint32_t binance_depth, okx_depth, okx_ws_depth;
	int okx_deep, crossed_resync, bbo_check;
	int64_t full_interval_ns, snapshot_interval_ns;
	int64_t backoff_min_ns, backoff_max_ns, backoff_reset_ns, snapshot_timeout_ns;
	int64_t max_skew_ns, event_interval_ns;
	int64_t refresh_interval_ns, refresh_hold_ns;   /* Binance deep refresh (splice.h) */
	int64_t okx_audit_ns;    /* OKX REST window audit interval (okx_audit.h), 0 = off */
	int64_t bybit_audit_ns;  /* Bybit REST window audit interval (okx_audit.h), 0 = off */
	int64_t asof_max_age_ns; /* as-of levels count as known while their merge is this young (0 = never) */
	size_t buffer_max;
	uint16_t out_flags;      /* OR-ed into every output record (REC_F_REPLAY offline) */
	uint32_t req_seq;        /* last request id used (shared so ids are unique per process) */
};

/* Built-in defaults (the same as the config defaults). */
void bk_cfg_defaults(struct bk_cfg *c);
/* From [bookd] of a loaded config. */
void bk_cfg_load(struct bk_cfg *c, const struct cfg *cfg);

struct bk_sink {
	void *ud;
	/* one output record (delta, snapshot, event, passed-through record);
	 * valid only during the call */
	void (*record)(void *ud, const struct rec_hdr *rec);
	/* one request for ctl.<exchange> */
	void (*control)(void *ud, const struct rec_control *ctl);
};

enum bk_state {
	BK_WAIT = 0,        /* no usable snapshot: requesting / waiting, deltas buffered */
	BK_HAVE_SNAP = 1,   /* snapshot installed, waiting for the first delta that continues it */
	BK_SYNCED = 2,
};

enum bk_okx_mode { OKX_MODE_UNKNOWN = 0, OKX_MODE_WS = 1, OKX_MODE_REST = 2 };

/* Verdict of a venue's sequence rule on one delta. */
enum sync_verdict { SV_APPLY = 0, SV_STALE = 1, SV_GAP = 2, SV_TOO_OLD = 3 };

/* enum qual_check indexes (see rec.h) plus the BBO slot, for event pacing. */
#define BK_PACE_SLOTS 8
#define BK_PACE_BBO 6        /* slot of EV_BBO_MISMATCH */

struct bk_stats {
	uint64_t frames;          /* input records for this book */
	uint64_t applied;         /* deltas applied to a synced book (heartbeats included) */
	uint64_t heartbeats;      /* OKX empty updates with prevSeqId == seqId */
	uint64_t seq_resets;      /* OKX seqId < prevSeqId, accepted */
	uint64_t stale;           /* deltas older than the book or the snapshot: ignored */
	uint64_t gaps;
	uint64_t resyncs;         /* resyncs started (gap, reconnect, checksum, quality, ring loss) */
	uint64_t syncs;           /* times the book became synced */
	uint64_t snap_requests, snap_answers, snap_ignored, snap_too_old, snap_bad, req_timeouts;
	uint64_t resubscribes, deep_requests, deep_merges, deep_ignored;
	uint64_t buffered, buffer_dropped, unsynced_ignored;
	uint64_t checksum_ok, checksum_failed;
	uint64_t bbo_agree, bbo_disagree, bbo_nc;
	uint64_t crossed, bad_level, ts_backwards, ts_skew, depth_low;
	uint64_t truncated;       /* levels dropped by max_levels */
	uint64_t out_records, out_deltas, out_snapshots, out_events;
	/* loss accounting from the venue's ids (sync_loss.c says what the unit
	 * is: Binance update ids, OKX frames); expected = received + missing */
	uint64_t upd_expected, upd_received, upd_missing, upd_late;
	/* Binance deep refresh (splice.h) */
	uint64_t refresh_requests;      /* CTL_SNAPSHOT + CTL_F_REFRESH sent */
	uint64_t refresh_refused;       /* feedd had no budget to spare (EV_SNAPSHOT_FAILED) */
	uint64_t refreshes;             /* refreshes spliced in */
	uint64_t refresh_held;          /* refreshes ahead of the stream, held until it reached them */
	uint64_t refresh_too_old;       /* older than the change log: dropped */
	uint64_t refresh_hold_timeouts; /* the stream did not reach the refresh in time: dropped */
	uint64_t refresh_dropped;       /* held refresh lost to a resync / replaced / invalid */
	uint64_t refresh_discrepancies; /* levels that differed inside the exact range (then resync) */
	/* OKX and Bybit audits (okx_audit.h) */
	uint64_t top_agree, top_disagree, top_nc;       /* books5 / bbo-tbt / orderbook.1 against the book */
	uint64_t window_requests, window_refused;       /* REST window audits asked / skipped by feedd */
	uint64_t window_agree, window_nc;               /* REST windows equal / not comparable */
	uint64_t window_discrepancies;                  /* levels that differed (then resync) */
};

/* splice.c: the changes applied since the log floor, per level. */
struct bk_change {
	int64_t px, id;
	int32_t side;
	uint32_t t;               /* when it was noted: seconds of the keeper's clock */
};
struct bk_log {
	struct bk_change *e;      /* ring of cap entries, grown on demand (splice.h) */
	int64_t *scratch;         /* cap prices, for splicing */
	uint32_t cap, head, n;
	uint32_t max;             /* the most cap may grow to; 0 = not kept (OKX) */
	uint32_t keep_s;          /* changes older than this are let go */
	int64_t floor;            /* every change with id > floor is in the log */
};

/* sync_loss.c: where the venue's id stream was last seen (independent of sync state). */
struct bk_loss {
	int have;                 /* an id was seen since start / the chain restarted */
	int64_t last;             /* Binance: last u; OKX: last seqId */
};

struct bk_bbo {
	int64_t id, bid_px, bid_qty, ask_px, ask_qty;
};
#define BK_BBO_HIST 64
#define BK_OKX_SEEN 16       /* OKX updates remembered to recognise one sent again */

struct bk;

/* snap_join.c: a chunked venue snapshot being joined. */
struct bk_join {
	struct rec_snapshot *s;   /* header of chunk 0, then the bids so far (cap bytes) */
	size_t cap;
	struct rec_level *asks;   /* the asks so far */
	size_t na, acap;
	uint16_t next;            /* the chunk expected next */
};

/*
 * What one venue's sync rule does its own way (bookd/sync_<venue>.c), chosen
 * by exchange id in sync_venues.c.  Hooks left NULL take the default, which
 * is the Binance spot behaviour: REST-seeded, no checksum, nothing on connect.
 */
struct bk_venue {
	/* The sequence rule: the first delta after a REST snapshot (book
	 * snap_id) and every later one (book id). */
	enum sync_verdict (*first)(struct bk *k, const struct rec_hdr *d);
	enum sync_verdict (*next)(struct bk *k, const struct rec_hdr *d);
	/* Continuity is prev_id == the book's id (OKX prevSeqId, futures pu),
	 * not first_id == id + 1: what a gap event reports as expected/got. */
	int chain_prev;
	/* [bookd] depth of the REST snapshot requested. */
	uint32_t (*snap_depth)(const struct bk_cfg *c);
	/* Which request a book that wants one sends now: CTL_SNAPSHOT,
	 * CTL_RESUBSCRIBE, or 0 = not yet.  NULL: a snapshot once something is
	 * buffered to continue it. */
	uint16_t (*request_op)(struct bk *k, int64_t now);
	/* A gap with the venue's own explanation: emits EV_GAP and returns 1,
	 * or 0 for the generic event. */
	int (*gap_event)(struct bk *k, const struct rec_delta *d);
	/* After a delta's levels were applied: venue checks (heartbeat, sequence
	 * reset, checksum); -1 with k->fail_why set = resync. */
	int (*applied)(struct bk *k, const struct rec_delta *d, int *heartbeat, int64_t now);
	/* The book just became synced (OKX: ask for the deep levels). */
	void (*synced)(struct bk *k, int64_t now);
	/* A delta on an unsynced book before it is buffered: 1 = consumed. */
	int (*unsynced_delta)(struct bk *k, const struct rec_delta *d, int64_t now);
	/* A REST snapshot is about to be installed. */
	void (*rest_snapshot)(struct bk *k);
	/* The venue (re)connected / a request timed out / a tick while waiting. */
	void (*connected)(struct bk *k, int64_t now);
	void (*timed_out)(struct bk *k);
	void (*wait_tick)(struct bk *k, int64_t now);
	/* WS snapshots (SNAP_WS) and deep snapshots (SNAP_DEEP); NULL = ignored. */
	void (*ws_snapshot)(struct bk *k, const struct rec_snapshot *s, int64_t now);
	void (*deep_snapshot)(struct bk *k, const struct rec_snapshot *s, int64_t now);
	/* Loss accounting of one delta (sync_loss.c says the unit). */
	void (*loss)(struct bk *k, const struct rec_delta *d);
	/* The book is only as deep as the WS book unless deep levels are merged
	 * ([bookd] okx_deep): expected levels for the depth check. */
	uint32_t (*expected_levels)(const struct bk *k);
	int bbo_check;            /* bookTicker u = update id: cross-check the book (bbo.c) */
	int splice;               /* REST answers on a synced book are deep refreshes (splice.c) */
	int seq_audits;           /* top-N pushes and REST answers carry an id that places them
	                           * against the book: audit the book against them (okx_audit.h) */
	int audit_xseq;           /* that id is the records' xseq (Bybit seq, rec.h), not last_id
	                           * (OKX seqId is the book's own id) */
	/* The REST window audit's interval and depth ([bookd] keys); needed with seq_audits. */
	int64_t (*audit_interval)(const struct bk_cfg *c);
	uint32_t (*audit_depth)(const struct bk_cfg *c);
};
extern const struct bk_venue bk_venue_binance, bk_venue_okx, bk_venue_binance_fut;
extern const struct bk_venue bk_venue_bybit, bk_venue_deribit;
/* The sync rule of a venue, or NULL if bookd has none. */
const struct bk_venue *bk_venue_get(int exch);

struct bk {
	const struct inst *in;
	const struct bk_venue *ops;
	struct bk_cfg *cfg;
	const struct bk_sink *sink;
	struct book *book;
	enum bk_state state;
	enum bk_okx_mode okx_mode;
	int okx_legacy;           /* OKX: the book came from a legacy (REC_F_NOSEQ) WS snapshot */
	int32_t okx_checksum;     /* OKX: the checksum the venue sent for the book's id (0 = none) */
	int ever_synced;          /* first full snapshot of this process: reason SYNC, later RESYNC */
	int connected;            /* feedd said the venue is connected (assumed at start) */
	int64_t id;               /* book update id: snapshot L / seqId, then last applied */
	int64_t aid;              /* the audit id the book stands at (bk_audit_id of the snapshot /
	                           * last applied update; = id unless the venue has audit_xseq);
	                           * the book's per-level ids are audit ids too */
	int64_t snap_id;          /* id of the snapshot installed (BK_HAVE_SNAP) */
	int64_t synced_ns;        /* when it became synced */
	int64_t edge_px[2];       /* outermost price the snapshot covered, per side (0 = none) */
	int64_t deep_refresh_ns;  /* OKX: when deep levels were last merged (feedd's receive time) */
	int64_t deep_merged_ns;   /* the same on the keeper's clock (`now`), 0 = none since sync */
	int64_t deep_wait_until;  /* deep levels asked for at sync: depth is not judged before the
	                           * first merge until then (0 = none asked; set by the venue's hook) */
	int64_t last_exch_ns, last_recv_ns;
	int64_t now;              /* time of the call being handled */
	int64_t grace_until;      /* OKX: after a (re)connect, wait this long for the venue's own snapshot */
	const char *fail_why;     /* why bk_apply last refused the book */
	int64_t last_full_ns, last_topn_ns;
	/* the instrument's rules, as feedd last sent them (REC_INSTRUMENT; h.type
	 * 0 = none yet): passed on when they come and written again before every
	 * SNAP_FULL, so each consumer and each store hour has them */
	struct rec_instrument rules;
	/* snapshot requests */
	int want_req;             /* a request is due (sent when allowed) */
	uint32_t req_id;          /* outstanding request, 0 = none */
	uint16_t req_op;
	int64_t req_sent_ns, next_req_ns;
	uint32_t req_attempts;
	/* buffered deltas: copies, back to back, [buf_head, buf_len) */
	unsigned char *buf;
	size_t buf_head, buf_len, buf_cap;
	uint32_t buf_count;
	/* quality */
	int depth_low;
	int64_t pace_ns[BK_PACE_SLOTS];
	uint64_t pace_suppressed[BK_PACE_SLOTS];
	/* BBO cross-check (Binance bookTicker) */
	struct bk_bbo bbo_hist[BK_BBO_HIST];
	uint32_t bbo_hist_n, bbo_hist_next;
	struct bk_bbo bbo_pend[BK_BBO_HIST];
	uint32_t bbo_pend_head, bbo_pend_n;
	/* OKX: (prevSeqId, seqId) of the last BK_OKX_SEEN updates accepted, so
	 * one the venue sends again is dropped as a duplicate, not taken for a gap */
	int64_t okx_seen[BK_OKX_SEEN][2];
	uint32_t okx_seen_n, okx_seen_next;
	/* output scratch */
	void *out;
	size_t out_cap;
	struct rec_level *lv_tmp; /* 4 * max_levels scratch levels (deep merge changes) */
	struct bk_loss loss;
	/* Binance deep refresh (splice.c) */
	struct bk_log log;
	uint32_t refresh_req_id;  /* outstanding refresh request, 0 = none */
	int64_t refresh_sent_ns, next_refresh_ns;
	struct rec_snapshot *held;/* a refresh ahead of the stream (malloc'd copy) */
	int64_t held_ns;
	uint64_t rng;             /* jitter */
	struct oa_state *oa;      /* audits (okx_audit.c) of a seq_audits venue, else NULL */
	struct bk_join join;      /* chunked venue snapshot (snap_join.c) */
	uint64_t trunc_mark[2];   /* book->truncated before the last install (bk_edge_whole) */
	struct bk_stats st;
};

/* The id a book record is placed by in the audits (okx_audit.h): its xseq
 * for a venue with audit_xseq (0 = none), else its last_id. */
int64_t bk_audit_id(const struct bk *k, const struct rec_hdr *r);

/* Set up a keeper; 0 or -1 (ENOMEM). */
int bk_init(struct bk *k, const struct inst *in, struct bk_cfg *cfg, const struct bk_sink *sink);
void bk_free(struct bk *k);

/* The process (re)started: emit EV_RESTARTED and start syncing. */
void bk_start(struct bk *k, int64_t now);
/* One record from feed.<exchange> for this instrument (already rec_check'ed). */
void bk_input(struct bk *k, const struct rec_hdr *rec, int64_t now);
/* A venue-wide event (inst 0) from feed.<exchange>: act on it without passing it through. */
void bk_venue_event(struct bk *k, const struct rec_event *ev, int64_t now);
/* Records of this venue were lost in the feed ring: EV_RING_LOSS and resync. */
void bk_ring_loss(struct bk *k, uint64_t first_seq, uint64_t count, int64_t now);
/* Timers: request retries and timeouts, periodic full and top-N snapshots. */
void bk_tick(struct bk *k, int64_t now);
/* Drop sync and ask for a new snapshot (EV_RESYNC with why). */
void bk_resync(struct bk *k, const char *why, int64_t now);

/* ---- venue rules (sync_binance.c, sync_okx.c): pure functions ---- */
/* First delta after a snapshot with id snap (Binance L / OKX S). */
enum sync_verdict sb_first(const struct rec_hdr *d, int64_t snap);
enum sync_verdict so_first(const struct rec_hdr *d, int64_t snap);
/* Any later delta, book id `id`. */
enum sync_verdict sb_next(const struct rec_hdr *d, int64_t id);
enum sync_verdict so_next(const struct rec_hdr *d, int64_t id);
/* Deribit: a change after a book at change_id id (prev_change_id chain). */
enum sync_verdict sd_next(const struct rec_hdr *d, int64_t id);
/* Bybit: the first delta after a REST snapshot at u = snap, and later ones. */
enum sync_verdict sy_first(const struct rec_hdr *d, int64_t snap);
enum sync_verdict sy_next(const struct rec_hdr *d, int64_t id);
/* OKX, a later delta for book k: so_next, except that an update already
 * accepted (same prevSeqId and seqId) is SV_STALE (a duplicate). */
enum sync_verdict so_continue(struct bk *k, const struct rec_hdr *d);
/* OKX, the first delta after a REST snapshot: so_first, remembering it too. */
enum sync_verdict so_begin(struct bk *k, const struct rec_hdr *d);
/* OKX: handle a WS snapshot, a deep snapshot, and verify a checksum. */
void so_ws_snapshot(struct bk *k, const struct rec_snapshot *s, int64_t now);
void so_deep(struct bk *k, const struct rec_snapshot *s, int64_t now);
/* 0 if the book matches the checksum sent (or none was sent), -1 after a mismatch
 * (event emitted, counted; the caller resyncs). */
int so_verify(struct bk *k, int32_t sent, int64_t now);

/* The default loss rule (Binance update ids, sync_loss.c) and OKX's (frames). */
void bk_loss_binance(struct bk *k, const struct rec_delta *d);
void bk_loss_okx(struct bk *k, const struct rec_delta *d);

/* ---- loss accounting (sync_loss.c) ---- */
/* Count one delta from the feed (any sync state) into upd_*. */
void bk_loss_delta(struct bk *k, const struct rec_delta *d);
/* The chain restarts (OKX: new subscription) / continues from id (OKX WS snapshot). */
void bk_loss_reset_chain(struct bk *k);
void bk_loss_chain_at(struct bk *k, int64_t id);

/* ---- venues whose subscribe brings a WS snapshot (sync_ws.c: Bybit, Deribit) ---- */
uint16_t bk_ws_request_op(struct bk *k, int64_t now);
void bk_ws_snapshot(struct bk *k, const struct rec_snapshot *s, int64_t now);
int bk_ws_unsynced_delta(struct bk *k, const struct rec_delta *d, int64_t now);
void bk_ws_connected(struct bk *k, int64_t now);
void bk_ws_wait_tick(struct bk *k, int64_t now);

/* ---- chunked snapshots (snap_join.c) ---- */
/* One chunk of a snapshot with nchunks > 1: the joined snapshot (nchunks 1,
 * valid until the next call) once the last chunk is in, else NULL. */
const struct rec_snapshot *bk_join_chunk(struct bk *k, const struct rec_snapshot *s);
void bk_join_free(struct bk *k);

/* ---- internals shared by sync*.c, quality.c, bbo.c ---- */
/* The keeper's output scratch, at least len bytes (NULL on ENOMEM). */
void *bk_out_space(struct bk *k, size_t len);
/* Stamp (flags, stage time) and hand one built record to the sink. */
void bk_emit(struct bk *k, struct rec_hdr *rec);
void bk_event(struct bk *k, uint16_t code, uint8_t sev, uint32_t aux, int64_t a, int64_t b,
    const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* Install a snapshot record's levels as the whole book; 0, or -1 if invalid. */
int bk_install(struct bk *k, const struct rec_snapshot *s, int64_t now);
/* The book just became synced at id: full snapshot + EV_SYNCED. */
void bk_synced(struct bk *k, int64_t now);
/* Apply a delta to the synced book and emit it; -1 if the book became
 * untrustworthy (the caller resyncs; nothing was emitted). */
int bk_apply(struct bk *k, const struct rec_delta *d, int64_t now);
void bk_request(struct bk *k, uint16_t op, int64_t now);
/* Hand one REC_CONTROL (op, CTL_F_* flags) to the sink. */
void bk_send_control(struct bk *k, uint16_t op, uint16_t flags, uint32_t req_id, uint32_t depth, const char *reason);
/* Send the request the book needs if one is due and the backoff allows it. */
void bk_maybe_request(struct bk *k, int64_t now);
/* Leave sync without an event (the book waits for a new snapshot). */
void bk_unsync(struct bk *k);
void bk_buffer_clear(struct bk *k);
/* Emit a full (SNAP_FULL) or top-N (SNAP_TOPN) snapshot of the book. */
void bk_emit_snapshot(struct bk *k, uint8_t kind, uint8_t reason, int64_t now);
/* Emit level changes made outside the venue's stream (OKX deep merge, a
 * spliced refresh) as deltas at the book's id (first == last == prev), at most
 * REC_MAX_LEVELS per side per record; times from s. */
void bk_emit_changes(struct bk *k, const struct rec_snapshot *s, const struct rec_level *bids, uint32_t nb,
    const struct rec_level *asks, uint32_t na);
/* Move the exact bound of side inwards to px (never outwards). */
void bk_edge_narrow(struct bk *k, int side, int64_t px);
/* For a venue whose stream keeps the whole book it sends (Bybit's window,
 * Deribit's full book): every held level is exact, so the bound of each side
 * is its worst held level - unless max_levels dropped a level since the
 * snapshot was installed, after which the side keeps the narrowed bound. */
void bk_edge_whole(struct bk *k);

/* quality.c: checks of an applied delta against the book; returns a mask of
 * (1 << enum qual_check) that failed.  quality_report counts them and emits
 * the (paced) events. */
unsigned quality_check(struct bk *k, const struct rec_delta *d);
void quality_report(struct bk *k, unsigned mask, const struct rec_delta *d, int64_t now);
/* Emit EV_VALIDATION for check (paced per book and check). */
void quality_fail(struct bk *k, int check, int64_t a, int64_t b, const char *what, int64_t now);
const char *quality_name(int check);
/* Levels of one side inside the exact range (edge_px: every bid at or above
 * edge_px[BOOK_BID], every ask at or below edge_px[BOOK_ASK]; 0 = none). */
uint32_t bk_exact_levels(const struct bk *k, int side);
/* Levels of one side held outside the exact range that are "as of" a deep
 * merge (OKX books-full) no older than asof_max_age at k->now; 0 when there
 * was none since sync, it is older, or asof_max_age is 0.  Held levels that
 * are neither exact nor as-of are unknown. */
uint32_t bk_asof_levels(const struct bk *k, int side);
/* The REC_F_Q_* flags of a mask of failed checks (what consumers can name). */
uint16_t quality_flags(unsigned mask);

/* bbo.c: Binance bookTicker cross-check. */
void bbo_ticker(struct bk *k, const struct rec_ticker *t, int64_t now);
void bbo_after_apply(struct bk *k, int64_t now);
void bbo_reset(struct bk *k);

#endif
