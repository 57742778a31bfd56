/*
 * splice.h - the Binance periodic deep refresh: a limit=5000 REST snapshot
 * of a book that is already synced, spliced into it exactly, and audited.
 *
 * Every deep_refresh_interval (+-10 % jitter) a synced Binance book sends
 * CTL_SNAPSHOT with CTL_F_REFRESH; feedd sends it only when its weight budget
 * keeps room for resyncs (else EV_SNAPSHOT_FAILED: refresh_refused).  The
 * answer (lastUpdateId L; in mpreplay any REST snapshot reaching a synced
 * book) is spliced:
 *
 *   - Range: bids [the refresh's lowest bid, +inf), asks (-inf, its highest
 *     ask].  Levels outside it are not touched.
 *   - A price changed by an applied update with id > L keeps its local value
 *     (a removal after L stays removed).  The change log (struct bk_log, a
 *     bounded ring of (side, px, id) of every level change applied while
 *     synced) says which: removed levels keep no id in the book.
 *   - Every other price takes the refresh's value: insert, replace or remove.
 *     The changes go out as deltas at the book's id, then a SNAP_FULL
 *     (SNAP_R_PERIODIC) with the new exact range.
 *   - Exact range after: floor = min(old, refresh's lowest bid), ceiling =
 *     max(old, its highest ask), then moved inwards by any max_levels eviction.
 *   - Audit: a price inside the PREVIOUS exact range, not changed after L,
 *     whose local value differs from the refresh is a refresh discrepancy: the
 *     book was wrong.  All are counted (refresh_discrepancies), one
 *     EV_REFRESH_DISCREPANCY names the first (price, both quantities), and the
 *     book resyncs instead of taking the splice.
 *   - L beyond the book's id: held (one at a time, a newer one replaces it)
 *     until the stream reaches L, dropped (refresh_hold_timeouts) after
 *     refresh_hold_timeout.  L older than the log's floor (the log overflowed,
 *     or L precedes the sync): dropped (refresh_too_old).
 */
#ifndef MP_BOOKD_SPLICE_H
#define MP_BOOKD_SPLICE_H

#include "sync.h"

/*
 * The change log costs what the book's change rate needs, not a fixed 2 MiB:
 * it starts empty, doubles on demand (SP_LOG_MIN .. SP_LOG_CAP entries, 32
 * bytes each with the scratch), lets go of changes beyond its last SP_LOG_MIN
 * that are older than keep_s (the
 * snapshot timeout plus the hold timeout plus SP_KEEP_SLACK_S: a refresh
 * answered in time and held as long as allowed still finds all it needs), and
 * gives memory back once it is mostly empty (sp_tick).  Letting go moves the
 * floor, so a refresh older than what is kept is dropped as refresh_too_old,
 * never spliced on partial knowledge.
 */
#define SP_LOG_CAP 65536
#define SP_LOG_MIN 256
#define SP_KEEP_SLACK_S 30

/* Set up the log of a Binance keeper (others keep none; nothing is
 * allocated before the first change); 0 or -1. */
int sp_init(struct bk *k);
void sp_free(struct bk *k);
/* A snapshot with id floor was installed (edge_px set): the log restarts,
 * and its exact levels are what an early refresh measures decay against. */
void sp_reset(struct bk *k, int64_t floor);
/* The log is full: grow it (0), or -1 when it is at max or out of memory. */
int sp_grow(struct bk *k);

/* Record one level change applied to the synced book at now (the hot path). */
static inline void
sp_note(struct bk *k, int side, int64_t px, int64_t id, int64_t now)
{
	struct bk_log *g = &k->log;
	struct bk_change *c;
	uint32_t t = (uint32_t)(now / 1000000000);

	if (!g->max)
		return;
	/* the oldest change is past keeping: let it go (a small log keeps its
	 * last SP_LOG_MIN changes whatever their age: a quiet book costs 8 KiB,
	 * and its refreshes find what they need however long it was quiet) */
	if (g->n > SP_LOG_MIN && (int32_t)(t - g->e[g->head].t) > (int32_t)g->keep_s) {
		g->floor = g->e[g->head].id;
		g->head = (g->head + 1) % g->cap;
		g->n--;
	}
	if (g->n == g->cap && sp_grow(k) < 0) {
		if (g->n == 0)
			return;    /* nothing could be allocated: sp_grow moved the floor */
		/* full: the oldest goes, and refreshes older than it cannot be spliced */
		g->floor = g->e[g->head].id;
		g->head = (g->head + 1) % g->cap;
		g->n--;
	}
	c = &g->e[(g->head + g->n++) % g->cap];
	c->px = px;
	c->id = id;
	c->side = side;
	c->t = t;
}

/* The book became synced at now: schedule the first refresh. */
void sp_synced(struct bk *k, int64_t now);
/* The book left sync: an outstanding request and a held refresh are dropped. */
void sp_unsync(struct bk *k);
/* A REST snapshot reached the synced book: 1 if it was taken as a refresh
 * (spliced, held or dropped and counted), 0 if it is not one. */
int sp_answer(struct bk *k, const struct rec_snapshot *s, int64_t now);
/* EV_SNAPSHOT_FAILED for req_id: 1 if it was the refresh request. */
int sp_failed(struct bk *k, uint32_t req_id);
/* After an applied delta: splice a held refresh the stream has reached. */
void sp_after_apply(struct bk *k, int64_t now);
/* Timers: the next refresh request, its timeout, the hold timeout. */
void sp_tick(struct bk *k, int64_t now);

#endif
