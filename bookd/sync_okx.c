/*
 * sync_okx.c - OKX books channel rules (research/protocols.md 2.5-2.8):
 * seqId/prevSeqId continuity, WS snapshots, REST seeding, CRC32, and the
 * books-full deep levels beyond the WS window.  A delta carries
 * first_id = last_id = seqId and prev_id = prevSeqId (legacy frames,
 * REC_F_NOSEQ: 0 and 0, continuity by checksum only).
 */
#include "sync.h"

#include <string.h>

#include "log.h"
#include "okx_crc.h"

/*
 * REST-seeded mode: after a snapshot with seqId S, drop seqId <= S; the first
 * kept must satisfy prevSeqId <= S < seqId ("not all snapshot seqIds appear
 * in the stream", so a range, not equality).  prevSeqId > S means the
 * snapshot is older than the stream.
 */
enum sync_verdict
so_first(const struct rec_hdr *d, int64_t snap)
{
	if (d->last_id <= snap)
		return SV_STALE;
	if (d->prev_id <= snap)
		return SV_APPLY;
	return SV_TOO_OLD;
}

/*
 * The only continuity test is identity: prevSeqId == the book's seqId.  It
 * accepts heartbeats (prevSeqId == seqId, no levels) and sequence resets
 * (seqId < prevSeqId) and rejects gaps.  Never compare magnitudes: steps are
 * not 1, and a reset goes down.
 */
enum sync_verdict
so_next(const struct rec_hdr *d, int64_t id)
{
	return d->prev_id == id ? SV_APPLY : SV_GAP;
}

/*
 * A break in the chain may be the venue sending an update again (seen live:
 * "expected 2154876658, got 2154876647" with the update of seqId 2154876658
 * repeated).  Identity again, not magnitude: the exact (prevSeqId, seqId)
 * pair must be one accepted recently; a seqId seen with another prevSeqId
 * stays a gap.
 */
static void
seen_add(struct bk *k, const struct rec_hdr *d)
{
	k->okx_seen[k->okx_seen_next][0] = d->prev_id;
	k->okx_seen[k->okx_seen_next][1] = d->last_id;
	k->okx_seen_next = (k->okx_seen_next + 1) % BK_OKX_SEEN;
	if (k->okx_seen_n < BK_OKX_SEEN)
		k->okx_seen_n++;
}

enum sync_verdict
so_begin(struct bk *k, const struct rec_hdr *d)
{
	enum sync_verdict v = so_first(d, k->snap_id);

	if (v == SV_APPLY)
		seen_add(k, d);
	return v;
}

enum sync_verdict
so_continue(struct bk *k, const struct rec_hdr *d)
{
	enum sync_verdict v;
	uint32_t i;

	if ((d->flags & REC_F_NOSEQ) || k->okx_legacy) {
		/* legacy: no ids, so the checksum (verified after applying, in
		 * bk_apply) is the whole chain; one without a checksum, or a mix
		 * of legacy and sequenced frames, cannot be placed */
		if ((d->flags & REC_F_NOSEQ) && k->okx_legacy && d->aux != 0)
			return SV_APPLY;
		return SV_GAP;
	}
	v = so_next(d, k->id);

	if (v == SV_APPLY) {
		seen_add(k, d);
		return v;
	}
	for (i = 0; i < k->okx_seen_n; i++)
		if (k->okx_seen[i][0] == d->prev_id && k->okx_seen[i][1] == d->last_id) {
			log_debug("duplicate update dropped", "symbol=%s seqId=%lld prevSeqId=%lld book=%lld",
			    k->in->symbol, (long long)d->last_id, (long long)d->prev_id, (long long)k->id);
			return SV_STALE;
		}
	return v;
}

int
so_verify(struct bk *k, int32_t sent, int64_t now)
{
	int32_t got = okx_crc_book(k->book, k->in);

	(void)now;
	if (got == sent) {
		k->st.checksum_ok++;
		return 0;
	}
	k->st.checksum_failed++;
	bk_event(k, EV_CHECKSUM_FAIL, SEV_ERROR, 0, sent, got,
	    "checksum mismatch at seqId %lld: sent %d, book gives %d", (long long)k->id, (int)sent, (int)got);
	return -1;
}

void
so_ws_snapshot(struct bk *k, const struct rec_snapshot *s, int64_t now)
{
	if (s->n_bids + s->n_asks == 0) {
		/* REST-seeded mode announces itself with an empty "snapshot"
		 * (protocols.md 2.6 Mode B: ignore the first event) */
		k->st.snap_ignored++;
		if (k->state != BK_SYNCED) {
			k->okx_mode = OKX_MODE_REST;
			if (k->req_id && k->req_op == CTL_RESUBSCRIBE)
				k->req_id = 0;
			k->want_req = 1;
			bk_maybe_request(k, now);
		}
		return;
	}
	k->okx_mode = OKX_MODE_WS;
	k->okx_legacy = (s->h.flags & REC_F_NOSEQ) != 0;
	k->st.snap_answers++;
	k->req_id = 0;
	/* updates buffered so far belong before this snapshot */
	bk_buffer_clear(k);
	if (bk_install(k, s, now) < 0) {
		if (k->state == BK_SYNCED)
			bk_resync(k, "invalid WS snapshot", now);
		else {
			bk_unsync(k);
			bk_maybe_request(k, now);
		}
		return;
	}
	if (s->checksum != 0 && so_verify(k, s->checksum, now) < 0) {
		bk_resync(k, "checksum mismatch on WS snapshot", now);
		return;
	}
	bk_synced(k, now);
}

/* 1 when a is a better price than b on side. */
static int
better(int side, int64_t a, int64_t b)
{
	return side == BOOK_BID ? a > b : a < b;
}

/* The deep levels of one side as changes: removals first (so inserts never
 * push the side over max_levels), then new and changed levels. */
static uint32_t
deep_changes(struct bk *k, int side, const struct rec_level *nv, uint32_t nn, struct rec_level *out)
{
	const struct book *b = k->book;
	uint32_t cnt = book_count(b, side), ws = k->cfg->okx_ws_depth, keep, o = 0;
	int64_t boundary;
	uint32_t j0 = 0, lim, i, j;

	if (cnt == 0)
		return 0;
	keep = cnt < ws ? cnt : ws;           /* levels the WS channel maintains */
	boundary = book_level(b, side, keep - 1)->px;
	while (j0 < nn && !better(side, boundary, nv[j0].px))
		j0++;                         /* deep levels inside the WS window: WS wins */
	lim = k->cfg->max_levels - keep;
	if (nn - j0 < lim)
		lim = nn - j0;
	/* pass 1: held deep levels the new deep book does not have */
	for (i = keep, j = j0; i < cnt; i++) {
		int64_t px = book_level(b, side, i)->px;
		while (j < j0 + lim && better(side, nv[j].px, px))
			j++;
		if (j >= j0 + lim || nv[j].px != px) {
			out[o].px = px;
			out[o++].qty = 0;
		}
	}
	/* pass 2: new and changed levels, found by walking the held deep levels
	 * beside them (both best first; nv[j0..] is worse than every level in
	 * the WS window, so a match can only be at rank >= keep).  A lookup per
	 * level (book_find) was two thirds of a 5000-level merge's CPU, and
	 * while a merge runs every venue's records wait in the feed rings
	 * (bench_okx_deep, bookd/README.md "Loop"). */
	for (i = keep, j = j0; j < j0 + lim; j++) {
		const struct rec_level *l = NULL;
		if (nv[j].qty <= 0)
			continue;
		while (i < cnt && better(side, (l = book_level(b, side, i))->px, nv[j].px))
			i++;
		if (i < cnt && l->px == nv[j].px && l->qty == nv[j].qty)
			continue;
		out[o++] = nv[j];
	}
	return o;
}

/* The exact range of side narrows to the WS window's worst level if one of
 * the deep changes ch[0..n) (all beyond the window) lies inside it. */
static void
deep_narrow(struct bk *k, int side, const struct rec_level *ch, uint32_t n)
{
	int64_t e = k->edge_px[side];
	uint32_t cnt = book_count(k->book, side), ws = k->cfg->okx_ws_depth;

	if (e == 0 || cnt == 0)
		return;
	for (uint32_t i = 0; i < n; i++)
		if (side == BOOK_BID ? ch[i].px >= e : ch[i].px <= e) {
			bk_edge_narrow(k, side, book_level(k->book, side, (cnt < ws ? cnt : ws) - 1)->px);
			return;
		}
}

/* 1 when lv[0..n) is strictly best-first. */
static int
best_first(int side, const struct rec_level *lv, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++)
		if (!better(side, lv[i - 1].px, lv[i].px))
			return 0;
	return 1;
}

void
so_deep(struct bk *k, const struct rec_snapshot *s, int64_t now)
{
	const struct rec_level *nb = s->lv, *na = s->lv + s->n_bids;
	struct rec_level *cb = k->lv_tmp, *ca;
	uint32_t ncb, nca;

	if (k->state != BK_SYNCED || s->nchunks > 1 || !best_first(BOOK_BID, nb, s->n_bids) ||
	    !best_first(BOOK_ASK, na, s->n_asks)) {
		/* no seqId to place it: only a synced book can take deep levels */
		k->st.deep_ignored++;
		return;
	}
	ncb = deep_changes(k, BOOK_BID, nb, s->n_bids, cb);
	ca = cb + ncb;
	nca = deep_changes(k, BOOK_ASK, na, s->n_asks, ca);
	/* deep levels are "as of" deep_refresh_ns, not sequence-verified: the
	 * exact range never widens to them, and narrows to the WS window if the
	 * merge changed a level inside it */
	deep_narrow(k, BOOK_BID, cb, ncb);
	deep_narrow(k, BOOK_ASK, ca, nca);
	for (uint32_t i = 0; i < ncb + nca; i++) {
		int side = i < ncb ? BOOK_BID : BOOK_ASK;
		/* the level's id is the book's id at the merge: what the stream
		 * had reached when the venue's deep book was taken in */
		int r = book_apply_id(k->book, side, cb[i].px, cb[i].qty, k->id);
		if (r == BOOK_DROPPED || r == BOOK_EVICTED) {
			uint32_t c = book_count(k->book, side);
			bk_edge_narrow(k, side, book_level(k->book, side, c - 1)->px);
		}
	}
	k->deep_refresh_ns = s->h.recv_ns ? s->h.recv_ns : now;
	k->deep_merged_ns = now ? now : 1;
	k->st.deep_merges++;
	bk_emit_changes(k, s, cb, ncb, ca, nca);
	/* the covered range moved: consumers learn it (and deep_refresh_ns)
	 * from a full snapshot at the same id, which also counts as the
	 * periodic one */
	bk_emit_snapshot(k, SNAP_FULL, SNAP_R_PERIODIC, now);
	k->last_full_ns = now;
	log_debug("deep levels merged", "symbol=%s changes_bid=%u changes_ask=%u levels_bid=%u levels_ask=%u",
	    k->in->symbol, ncb, nca, book_count(k->book, BOOK_BID), book_count(k->book, BOOK_ASK));
}

/* ---- the OKX row of the sync table ---- */

static uint32_t
snap_depth(const struct bk_cfg *c)
{
	return c->okx_depth;
}

static int64_t
audit_interval(const struct bk_cfg *c)
{
	return c->okx_audit_ns;
}

static uint16_t
request_op(struct bk *k, int64_t now)
{
	/* after a (re)subscribe the venue may send its own snapshot: wait */
	if (k->okx_mode == OKX_MODE_UNKNOWN && now < k->grace_until)
		return 0;
	return k->okx_mode == OKX_MODE_REST ? CTL_SNAPSHOT : CTL_RESUBSCRIBE;
}

static int
gap_event(struct bk *k, const struct rec_delta *d)
{
	if (!(d->h.flags & REC_F_NOSEQ) && !k->okx_legacy)
		return 0;
	bk_event(k, EV_GAP, SEV_WARN, 0, k->id, d->h.prev_id, "%s",
	    !(d->h.flags & REC_F_NOSEQ) ? "sequenced update on a legacy (no seqId) book" :
	    !k->okx_legacy ? "legacy (no seqId) update on a sequenced book" :
	    "legacy (no seqId) update without a checksum: continuity unknown");
	return 1;
}

static int
applied(struct bk *k, const struct rec_delta *d, int *hb, int64_t now)
{
	if (d->n_bids + d->n_asks == 0 && d->h.prev_id == d->h.last_id && !(d->h.flags & REC_F_NOSEQ)) {
		*hb = 1;
		k->st.heartbeats++;
	}
	if (d->h.last_id < d->h.prev_id)
		k->st.seq_resets++;
	if (d->h.aux != 0 && so_verify(k, (int32_t)d->h.aux, now) < 0) {
		k->fail_why = "checksum mismatch";
		return -1;
	}
	k->okx_checksum = (int32_t)d->h.aux;
	return 0;
}

static void
synced(struct bk *k, int64_t now)
{
	uint32_t depth = k->cfg->max_levels < REC_MAX_LEVELS ? k->cfg->max_levels : REC_MAX_LEVELS;

	if (!k->cfg->okx_deep)
		return;
	k->st.deep_requests++;
	/* the depth check waits for the answer (or asof_max_age) rather than
	 * fire on every sync at 400 / 5000 */
	k->deep_wait_until = now + k->cfg->asof_max_age_ns;
	bk_send_control(k, CTL_DEEP, 0, 0, depth, "deep levels after sync");
}

static int
unsynced_delta(struct bk *k, const struct rec_delta *d, int64_t now)
{
	if (d->h.flags & REC_F_NOSEQ) {
		/* a legacy update carries no id a REST snapshot could be placed
		 * by: only the venue's WS snapshot starts a legacy book */
		k->st.unsynced_ignored++;
		if (k->okx_mode == OKX_MODE_UNKNOWN || k->okx_mode == OKX_MODE_REST) {
			k->okx_mode = OKX_MODE_WS;
			if (k->req_id && k->req_op == CTL_SNAPSHOT)
				k->req_id = 0;
		}
		k->want_req = 1;
		bk_maybe_request(k, now);
		return 1;
	}
	if (k->okx_mode == OKX_MODE_UNKNOWN) {
		/* an update before any snapshot: the venue does not send one */
		k->okx_mode = OKX_MODE_REST;
		k->want_req = 1;
		if (k->req_id && k->req_op == CTL_RESUBSCRIBE)
			k->req_id = 0;
		log_info("okx sends no initial snapshot: REST-seeded sync", "symbol=%s", k->in->symbol);
	}
	return 0;
}

static void
rest_snapshot(struct bk *k)
{
	k->okx_mode = OKX_MODE_REST;
	k->okx_legacy = 0;
}

static void
connected(struct bk *k, int64_t now)
{
	bk_loss_reset_chain(k);   /* a new subscription: no frame count across it */
	/* a fresh subscription: the venue sends its own snapshot (WS mode) or
	 * only updates (REST mode); give it a moment */
	k->okx_mode = OKX_MODE_UNKNOWN;
	k->grace_until = now + k->cfg->snapshot_timeout_ns / 3;
}

static void
timed_out(struct bk *k)
{
	if (k->req_op == CTL_RESUBSCRIBE)
		k->okx_mode = OKX_MODE_REST;   /* no WS snapshot came: seed from REST instead */
}

static void
wait_tick(struct bk *k, int64_t now)
{
	if (k->okx_mode == OKX_MODE_UNKNOWN && now >= k->grace_until)
		k->want_req = 1;
}

static uint32_t
expected_levels(const struct bk *k)
{
	const struct bk_cfg *c = k->cfg;

	/* without books-full merges the book is the WS window */
	if (!c->okx_deep)
		return c->okx_ws_depth < c->max_levels ? c->okx_ws_depth : c->max_levels;
	return c->max_levels;
}

const struct bk_venue bk_venue_okx = {
	.first = so_begin,
	.next = so_continue,
	.chain_prev = 1,
	.snap_depth = snap_depth,
	.request_op = request_op,
	.gap_event = gap_event,
	.applied = applied,
	.synced = synced,
	.unsynced_delta = unsynced_delta,
	.rest_snapshot = rest_snapshot,
	.connected = connected,
	.timed_out = timed_out,
	.wait_tick = wait_tick,
	.ws_snapshot = so_ws_snapshot,
	.deep_snapshot = so_deep,
	.loss = bk_loss_okx,
	.expected_levels = expected_levels,
	.bbo_check = 0,
	.splice = 0,
	.seq_audits = 1,
	.audit_xseq = 0,
	.audit_interval = audit_interval,
	.audit_depth = snap_depth,
};
