/*
 * sync_binance.c - Binance spot diff-depth sequence rules
 * (research/protocols.md 1.6; the procedure is in sync.h).
 * A delta carries U = first_id and u = last_id.
 */
#include "sync.h"

/*
 * First delta after a snapshot with lastUpdateId L: drop u <= L; the first
 * kept must satisfy U <= L+1 <= u.  U == L+1 (L not inside [U;u]) is the
 * common case in real recordings and is accepted: the current docs' step 5
 * sentence is an editorial slip (protocols.md 1.6, open point 6).
 */
enum sync_verdict
sb_first(const struct rec_hdr *d, int64_t snap)
{
	if (d->last_id <= snap)
		return SV_STALE;
	if (d->first_id <= snap + 1)
		return SV_APPLY;   /* straddles or starts right after the snapshot */
	return SV_TOO_OLD;         /* the snapshot is older than the stream */
}

/*
 * Later deltas: U must be exactly the book's id + 1.  u <= id (a duplicate or
 * an older event arriving late) is ignored; anything else - a hole (U > id+1)
 * or an overlap (U <= id < u) - breaks the chain.
 */
enum sync_verdict
sb_next(const struct rec_hdr *d, int64_t id)
{
	if (d->last_id <= id)
		return SV_STALE;
	if (d->first_id == id + 1)
		return SV_APPLY;
	return SV_GAP;
}

static enum sync_verdict
first(struct bk *k, const struct rec_hdr *d)
{
	return sb_first(d, k->snap_id);
}

static enum sync_verdict
next(struct bk *k, const struct rec_hdr *d)
{
	return sb_next(d, k->id);
}

static uint32_t
snap_depth(const struct bk_cfg *c)
{
	return c->binance_depth;
}

/* Everything else is the default: REST-seeded, no checksum; bookTicker
 * carries the update id, so the book is cross-checked; REST answers on a
 * synced book are deep refreshes. */
const struct bk_venue bk_venue_binance = {
	.first = first,
	.next = next,
	.chain_prev = 0,
	.snap_depth = snap_depth,
	.loss = bk_loss_binance,
	.bbo_check = 1,
	.splice = 1,
};
