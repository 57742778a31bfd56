/*
 * verify.h - mpsub's book rebuilder and checker, independent of NATS.
 *
 * Input: the messages of one book from orderbook.full (full books) and
 * orderbook.delta (updates), each queue in its stream's order.  The two
 * streams are consumed separately, so their interleaving is not known; the
 * rebuilder orders them by update ids with the universal continuity rule of
 * the bookd contract:
 *
 *   delta.prev_update_id == last_update_id of the previous delta or of the
 *   full book the epoch started from.
 *
 * A full book whose last_update_id equals the rebuilt book's id is compared
 * with it level by level and then adopted.  A difference is judged by the
 * book's next delta in stream order: bookd's refresh merges are deltas at
 * the book's id (prev == last) produced just before a full book at that id,
 * and the delta consumer may read one well after the full book, so a
 * same-id delta produced no later than the full book is applied and the two
 * are compared again; any other next delta makes it a mismatch (counted,
 * the first one's detail kept).  No next delta yet: the full book waits.  A full
 * book with update_type "snapshot" that continues where no delta leads is a
 * new sync epoch (bookd resynced): adopted, counted as a resync.  A delta
 * that does not continue the book and is not explained by a full book is a
 * gap: counted, and the book waits for the next full book.
 *
 * Epochs are told apart by bookd's time, not by ids alone.  Update ids can
 * repeat: a venue may reset its sequence (OKX), bookd may resync to a
 * snapshot at the very id the book already had, and streams that hold
 * several runs against a simulator with a fixed seed (the demo) see the
 * same ids again in every run.  Every message carries processed_at, bookd's
 * clock when it produced the record, and bookd produces an epoch's snapshot
 * before the epoch's first delta.  So, when both times are known (pt > 0):
 *   - a "snapshot" full book is never compared with the rebuilt book: it
 *     replaces it (a resync) once the next delta is not older than it;
 *   - a delta or periodic full book older than the epoch the rebuilt book is
 *     in belongs to an earlier epoch: counted (stale / unverified), never
 *     applied or compared;
 *   - a delta chains only from a full book that is not newer than it.
 * Without times (pt 0) the rules fall back to ids alone.
 *
 * The rebuilt book has bookd's depth limit (the same engine, the same
 * max_levels), so levels bookd evicted are evicted here too.  Comparison
 * covers the best verify_levels levels per side (0 = every level the full
 * book lists): OKX levels beyond its 400-level WebSocket window come from
 * REST merges that no delta describes, so they cannot be verified from the
 * stream.
 */
#ifndef MP_MPSUB_VERIFY_H
#define MP_MPSUB_VERIFY_H

#include <stdint.h>

#include "book.h"
#include "rec.h"

/* One parsed message.  For a full book, lv = bids (best first) then asks;
 * for a delta, lv = bid changes then ask changes (qty 0 = removed). */
struct vmsg {
	struct vmsg *next;
	int is_full;
	int new_epoch;          /* full book with update_type "snapshot" */
	int64_t last, prev;     /* prev: -1 for full books */
	int64_t t;              /* when it was received (caller's clock) */
	int64_t pt;             /* processed_at: bookd's time, us since 1970 (0 = unknown) */
	uint32_t nb, na;
	struct rec_level lv[];
};

struct vstats {
	uint64_t fulls, deltas;         /* messages seen */
	uint64_t applied;               /* deltas applied */
	uint64_t verified;              /* full books equal to the rebuilt book */
	uint64_t mismatches;            /* full books that differ */
	uint64_t unverified;            /* full books that arrived after the book moved past them */
	uint64_t gaps;                  /* continuity breaks not explained by a resync */
	uint64_t resyncs;               /* new epochs started by a "snapshot" full book */
	uint64_t stale;                 /* deltas at or before the book's id (duplicates),
	                                 * or older than the book's epoch */
	uint64_t skipped;               /* deltas before the first full book */
	uint64_t late_merges;           /* same-id deltas read after their full book differed */
	char first_mismatch[320];       /* book update id, side, rank, price, both sizes */
	char first_unverified[160];
};

struct vbook {
	char exchange[16];
	char symbol[24];
	struct book *b;
	int synced;
	int64_t id;                     /* update id of the rebuilt book */
	int64_t epoch_pt;               /* pt of the full book last adopted (0 = unknown) */
	struct vmsg *fh, *ft;           /* queued full books */
	struct vmsg *dh, *dt;           /* queued deltas */
	uint32_t verify_levels;         /* 0 = all */
	int64_t adopt_id;               /* id of the full book last adopted */
	uint64_t since_adopt;           /* deltas applied since */
	struct vstats st;
};

/* A book rebuilder holding at most max_levels per side (bookd's max_levels). */
int vbook_init(struct vbook *vb, const char *exchange, const char *symbol, uint32_t max_levels);
void vbook_free(struct vbook *vb);
/* Queue a message (ownership passes to vb; allocate with vmsg_new). */
void vbook_push(struct vbook *vb, struct vmsg *m);
struct vmsg *vmsg_new(uint32_t nb, uint32_t na);
/* Apply everything queued that can be decided now, using only deltas
 * received at or before `horizon` (INT64_MAX = all): the caller holds fresh
 * deltas back until the full books published before them have surely been
 * read.  Full books ahead of the rebuilt book stay queued for deltas to
 * reach them. */
void vbook_process(struct vbook *vb, int64_t horizon);

#endif
