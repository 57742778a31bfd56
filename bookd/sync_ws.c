/*
 * sync_ws.c - the parts of a sync rule shared by venues whose every
 * subscribe brings a WS snapshot of the book, which is then the truth
 * (Bybit, Deribit; sync.h): their bk_venue rows point here.
 *
 * A snapshot replaces the book whatever state it is in (mid-stream: the
 * venue reset its stream, counted seq_resets).  A delta before any snapshot
 * has nothing to place it on: ignored (unsynced_ignored) and a resubscribe is
 * due, except on a REST-seeded book, which looks for its continuation.
 * After a (re)connect the venue's own snapshot is on its way: the book waits
 * a third of snapshot_timeout before asking for one (CTL_RESUBSCRIBE).
 */
#include "sync.h"

#include "log.h"

uint16_t
bk_ws_request_op(struct bk *k, int64_t now)
{
	return now < k->grace_until ? 0 : CTL_RESUBSCRIBE;
}

void
bk_ws_snapshot(struct bk *k, const struct rec_snapshot *s, int64_t now)
{
	if (k->state == BK_SYNCED) {
		k->st.seq_resets++;
		log_info("WS snapshot on a synced book: the venue reset its stream", "exchange=%s symbol=%s id=%lld book=%lld",
		    exch_name(k->in->exch), k->in->symbol, (long long)s->h.last_id, (long long)k->id);
	}
	k->st.snap_answers++;
	k->req_id = 0;
	bk_buffer_clear(k);
	bk_loss_chain_at(k, s->h.last_id);
	if (bk_install(k, s, now) < 0) {
		if (k->state == BK_SYNCED)
			bk_resync(k, "invalid WS snapshot", now);
		else {
			bk_unsync(k);
			bk_maybe_request(k, now);
		}
		return;
	}
	bk_synced(k, now);
}

int
bk_ws_unsynced_delta(struct bk *k, const struct rec_delta *d, int64_t now)
{
	(void)d;
	if (k->state == BK_HAVE_SNAP)
		return 0;
	k->st.unsynced_ignored++;
	k->want_req = 1;
	bk_maybe_request(k, now);
	return 1;
}

void
bk_ws_connected(struct bk *k, int64_t now)
{
	bk_loss_reset_chain(k);
	k->grace_until = now + k->cfg->snapshot_timeout_ns / 3;
}

void
bk_ws_wait_tick(struct bk *k, int64_t now)
{
	if (now >= k->grace_until)
		k->want_req = 1;
}
