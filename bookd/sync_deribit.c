/*
 * sync_deribit.c - Deribit book.{instrument}.{interval} rules
 * (feedd/README.md, "Deribit"; the procedure is in sync.h).  A change
 * carries first_id = last_id = change_id and prev_id = prev_change_id; a
 * WS snapshot last_id = change_id.
 *
 * Every subscribe brings a snapshot, which replaces the book whatever state
 * it is in (the venue may send a new one mid-stream: a reset).  After it each
 * change must have prev_change_id == the book's change_id.  change_id <= the
 * book's is a duplicate or late (ignored, counted stale); any other
 * prev_change_id is a gap -> CTL_RESUBSCRIBE (feedd unsubscribes and
 * subscribes the book, which brings a new snapshot), changes ignored until
 * it comes (the snapshot handling is shared with Bybit: sync_ws.c).  A
 * change without levels that continues the chain is a
 * heartbeat (the 100ms interval sends them for quiet books).
 *
 * The WS book is the whole book, so the exact range is everything held,
 * outwards as well as inwards (bk_edge_whole), until max_levels drops a
 * level; from then on it only narrows (the default rule).  REST
 * public/get_order_book answers share change_id with the stream: one
 * installs a REST-seeded book whose first change must have prev_change_id
 * == its change_id; bookd does not ask for one (a lost book is resubscribed).
 */
#include "sync.h"

enum sync_verdict
sd_next(const struct rec_hdr *d, int64_t id)
{
	if (d->last_id <= id)
		return SV_STALE;      /* a duplicate, or late */
	return d->prev_id == id ? SV_APPLY : SV_GAP;
}

static enum sync_verdict
first(struct bk *k, const struct rec_hdr *d)
{
	enum sync_verdict v = sd_next(d, k->snap_id);

	return v == SV_GAP ? SV_TOO_OLD : v;
}

static enum sync_verdict
next(struct bk *k, const struct rec_hdr *d)
{
	return sd_next(d, k->id);
}

static uint32_t
snap_depth(const struct bk_cfg *c)
{
	return c->max_levels < 10000 ? c->max_levels : 10000;   /* get_order_book's limit */
}

static int
applied(struct bk *k, const struct rec_delta *d, int *heartbeat, int64_t now)
{
	(void)now;
	if (d->n_bids + d->n_asks == 0) {
		*heartbeat = 1;
		k->st.heartbeats++;
	}
	/* the stream is the whole book: what it adds further out is exact too */
	bk_edge_whole(k);
	return 0;
}

const struct bk_venue bk_venue_deribit = {
	.first = first,
	.next = next,
	.chain_prev = 1,
	.snap_depth = snap_depth,
	.request_op = bk_ws_request_op,
	.applied = applied,
	.unsynced_delta = bk_ws_unsynced_delta,
	.connected = bk_ws_connected,
	.wait_tick = bk_ws_wait_tick,
	.ws_snapshot = bk_ws_snapshot,
	.loss = bk_loss_okx,
	.bbo_check = 0,
	.splice = 0,
};
