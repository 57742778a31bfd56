/*
 * sync_bybit.c - Bybit v5 orderbook.{depth}.{symbol} rules (feedd/README.md,
 * "Bybit v5"; the procedure is in sync.h).  A delta carries first_id =
 * last_id = u and prev_id = u - 1; a WS snapshot last_id = u.
 *
 * The venue sends a snapshot on every subscribe (and again, "u": 1 or not,
 * when its service restarts): a snapshot replaces the book whatever state it
 * is in.  After it, each delta must have u == the book's u + 1; u <= the
 * book's u is a duplicate or late (ignored, counted stale); anything else is
 * a gap -> CTL_RESUBSCRIBE, deltas ignored until the new snapshot (the
 * snapshot handling is shared with Deribit: sync_ws.c).  A delta
 * with u == 1 on a book past 1 is the stream restarting without its
 * snapshot: a gap too.
 *
 * The exact range follows the window: every held level (up to 1000 a side)
 * is the venue's own after each delta, so the range moves out and in with it.
 *
 * REST /v5/market/orderbook: an answer installs a REST-seeded book at its
 * u; the first delta kept must be u + 1 (u <= it: stale; beyond: too old).
 * That holds only where the REST book shares the WS stream's u (mpsim; the
 * venue documents u per depth stream, REST stops at 200/500 levels), so
 * bookd never asks for one to sync: a lost book is resubscribed.
 *
 * Audits (okx_audit.h, shared with OKX through seq_audits): seq, the
 * matching engine's version across depths, is carried as the records' xseq
 * (rec.h), so orderbook.1 pushes (SNAP_TOP) and REST answers at a seq are
 * compared with the book at that seq (audit_xseq): the BBO check and the
 * REST window audit, every bybit_audit_interval, limit=200 (REST's spot
 * maximum; the audit judges only levels inside the answer's span).  A REST
 * answer on a synced book is an audit, never a reinstall.
 */
#include "sync.h"

#define BY_WS_DEPTH 1000   /* the depth feedd subscribes (orderbook.1000) */

enum sync_verdict
sy_first(const struct rec_hdr *d, int64_t snap)
{
	if (d->last_id <= snap)
		return SV_STALE;
	return d->first_id == snap + 1 ? SV_APPLY : SV_TOO_OLD;
}

enum sync_verdict
sy_next(const struct rec_hdr *d, int64_t id)
{
	if (d->last_id == 1 && id > 1)
		return SV_GAP;        /* restarted without a snapshot */
	if (d->last_id <= id)
		return SV_STALE;      /* a duplicate, or late */
	return d->first_id == id + 1 ? SV_APPLY : SV_GAP;
}

static enum sync_verdict
first(struct bk *k, const struct rec_hdr *d)
{
	return sy_first(d, k->snap_id);
}

static enum sync_verdict
next(struct bk *k, const struct rec_hdr *d)
{
	return sy_next(d, k->id);
}

static uint32_t
snap_depth(const struct bk_cfg *c)
{
	(void)c;
	return 200;   /* the spot REST maximum; only asked for by hand */
}

/* The exact range: the venue's book is its top 1000, kept whole by the
 * deltas (a level leaving the window is deleted, one entering inserted), so
 * every level held is exact and the range follows the window both ways.
 * (The default rule only narrows it, from the snapshot's edge.) */
static int
applied(struct bk *k, const struct rec_delta *d, int *heartbeat, int64_t now)
{
	(void)d;
	(void)heartbeat;
	(void)now;
	/* a book cut by max_levels below 1000 stays as the default narrowed it */
	if (k->cfg->max_levels >= BY_WS_DEPTH)
		bk_edge_whole(k);
	return 0;
}

static int64_t
audit_interval(const struct bk_cfg *c)
{
	return c->bybit_audit_ns;
}

static uint32_t
expected_levels(const struct bk *k)
{
	return k->cfg->max_levels < BY_WS_DEPTH ? k->cfg->max_levels : BY_WS_DEPTH;
}

const struct bk_venue bk_venue_bybit = {
	.first = first,
	.next = next,
	.chain_prev = 0,
	.snap_depth = snap_depth,
	.request_op = bk_ws_request_op,
	.applied = applied,
	.unsynced_delta = bk_ws_unsynced_delta,
	.connected = bk_ws_connected,
	.wait_tick = bk_ws_wait_tick,
	.ws_snapshot = bk_ws_snapshot,
	.loss = bk_loss_binance,
	.expected_levels = expected_levels,
	.bbo_check = 0,
	.splice = 0,
	.seq_audits = 1,
	.audit_xseq = 1,
	.audit_interval = audit_interval,
	.audit_depth = snap_depth,
};
