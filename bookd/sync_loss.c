/*
 * sync_loss.c - loss accounting of one book from the venue's own ids, the
 * requirement's "incremental loss" (missing updates / expected updates).
 *
 * It follows the stream as it arrives, whatever the book's sync state, with
 * its own high-water id (struct bk_loss), so a gap is sized by the ids even
 * while the book waits for a snapshot.  expected = received + missing.
 *
 * Binance: a depth event covers the update ids [U, u], u - U + 1 updates.
 *   The first event after bookd starts counts u - U + 1 received.  Later:
 *   u <= last seen u: late or duplicate (not counted again); else the ids
 *   past the last seen u are received, and U > last u + 1 means
 *   U - (last u + 1) ids missing.  The ids run on across reconnects, so
 *   updates sent while the connection was down count as missing too.
 * OKX (and Deribit: prev_change_id chains change_id the same way): updates
 *   carry no count of their own (seqId steps are not 1), so the
 *   unit is the frame: a frame whose prevSeqId is the last seqId seen is one
 *   received update; one whose prevSeqId is another id is received and
 *   counts ONE missing frame (a lower bound: how many were lost is not
 *   knowable); one with the last seqId again, or an older seqId that is no
 *   sequence reset (seqId >= its prevSeqId), is late or duplicate.  Heartbeats (prevSeqId == seqId, no
 *   levels) are not updates.  A WS snapshot or a new subscription restarts
 *   the chain, as what was missed while unsubscribed cannot be counted.
 *   Legacy frames (REC_F_NOSEQ) have no ids: each is one received update
 *   and none can be counted missing.
 */
#include "sync.h"

void
bk_loss_reset_chain(struct bk *k)
{
	k->loss.have = 0;
}

void
bk_loss_chain_at(struct bk *k, int64_t id)
{
	k->loss.have = 1;
	k->loss.last = id;
}

void
bk_loss_binance(struct bk *k, const struct rec_delta *dl)
{
	const struct rec_hdr *d = &dl->h;
	struct bk_stats *st = &k->st;
	int64_t from = d->first_id;

	if (d->last_id < d->first_id)
		return;   /* not a range the venue sends: rec_check lets it through, count nothing */
	/* differences in uint64_t: of two int64 a > b, (uint64_t)a - b is exact
	 * (ids from a ring are input: no signed overflow on any value) */
	if (k->loss.have) {
		if (d->last_id <= k->loss.last) {
			st->upd_late++;
			return;
		}
		if (from > k->loss.last)
			st->upd_missing += (uint64_t)from - (uint64_t)k->loss.last - 1;
		else
			from = k->loss.last + 1;   /* an overlap: only the new ids (last < last_id: no overflow) */
	}
	st->upd_received += (uint64_t)d->last_id - (uint64_t)from + 1;
	k->loss.have = 1;
	k->loss.last = d->last_id;
}

void
bk_loss_okx(struct bk *k, const struct rec_delta *d)
{
	struct bk_stats *st = &k->st;
	const struct rec_hdr *h = &d->h;

	if (h->flags & REC_F_NOSEQ) {
		/* legacy frame: no ids, so no loss can be sized (a checksum
		 * mismatch says one happened) */
		st->upd_received++;
		return;
	}
	if (h->prev_id == h->last_id && d->n_bids + d->n_asks == 0) {
		/* a heartbeat: no update; it still says where the chain is */
		if (!k->loss.have || h->prev_id == k->loss.last)
			bk_loss_chain_at(k, h->last_id);
		return;
	}
	if (k->loss.have && h->prev_id != k->loss.last) {
		/* the same seqId again, or an older one that is no reset */
		if (h->last_id == k->loss.last || (h->last_id < k->loss.last && h->last_id >= h->prev_id)) {
			st->upd_late++;
			return;
		}
		st->upd_missing++;
	}
	st->upd_received++;
	bk_loss_chain_at(k, h->last_id);
}

void
bk_loss_delta(struct bk *k, const struct rec_delta *d)
{
	k->ops->loss(k, d);
	k->st.upd_expected = k->st.upd_received + k->st.upd_missing;
}
