/*
 * sync_binance_fut.c - Binance USD-M and COIN-M futures diff-depth rules
 * ("How to manage a local order book correctly", derivatives docs; not the
 * spot rule of sync_binance.c).  A delta carries U = first_id, u = last_id
 * and pu = prev_id (the u of the event before it on the venue).
 *
 * REST /fapi/v1/depth or /dapi/v1/depth limit=1000 gives lastUpdateId L.
 * Buffered events with u < L are dropped; the first kept must have
 * U <= L <= u; after it every event needs pu == the previous event's u
 * (u <= the book's id: a duplicate or a late one, ignored and counted;
 * anything else is a gap and a resync).  The venue sends no heartbeats and
 * never resets its ids; bookTicker u is in the same id space (BBO check).
 * Loss is counted in events: a pu that is not the last u seen is one lost
 * stretch of unknown size (counted as 1).
 */
#include "sync.h"

static enum sync_verdict
first(struct bk *k, const struct rec_hdr *d)
{
	int64_t L = k->snap_id;

	if (d->last_id < L)
		return SV_STALE;
	if (d->first_id <= L)
		return SV_APPLY;   /* U <= L <= u */
	return SV_TOO_OLD;         /* the snapshot is older than the stream */
}

static enum sync_verdict
next(struct bk *k, const struct rec_hdr *d)
{
	if (d->last_id <= k->id)
		return SV_STALE;
	if (d->prev_id == k->id)
		return SV_APPLY;
	return SV_GAP;
}

/* The docs' limit: 1000 is the largest the futures REST depth serves. */
static uint32_t
snap_depth(const struct bk_cfg *c)
{
	(void)c;
	return 1000;
}

static void
loss(struct bk *k, const struct rec_delta *dl)
{
	const struct rec_hdr *d = &dl->h;
	struct bk_stats *st = &k->st;

	if (d->last_id < d->first_id)
		return;   /* not a range the venue sends: count nothing */
	if (k->loss.have && d->prev_id != k->loss.last) {
		if (d->last_id <= k->loss.last) {
			st->upd_late++;
			return;
		}
		st->upd_missing++;
	}
	st->upd_received++;
	bk_loss_chain_at(k, d->last_id);
}

const struct bk_venue bk_venue_binance_fut = {
	.first = first,
	.next = next,
	.chain_prev = 1,
	.snap_depth = snap_depth,
	.loss = loss,
	.bbo_check = 1,
	.splice = 0,   /* the refresh splice needs spot's contiguous U..u ids */
};
