/*
 * okx_audit.h - integrity without a checksum: two audits of a synced book
 * against what the venue itself says at the same id, for the venues whose
 * row in the venue table sets seq_audits (sync.h): OKX (research/protocols.md
 * 2.1, 2.3, 2.8; the id is seqId, the book's own) and Bybit (the id is seq,
 * the cross-depth sequence carried as the records' xseq: audit_xseq;
 * orderbook.1 is its top-N, 1 level a side).  "seqId" below is that audit
 * id (bk_audit_id; k->aid for the book, and the book's per-level ids).
 * Both are counted in bk_stats and a
 * disagreement is an event and a resync; comparisons that cannot be made are
 * counted as not comparable, never taken as agreement.
 *
 * Top-N (books5: top 5 a side; bbo-tbt: top 1).  feedd turns each push into
 * a SNAP_TOP snapshot (last_id = seqId).  The keeper remembers its top 5 a
 * side after each of the last OA_HIST applied updates (the snapshot it
 * synced at, and the updates buffered while a REST snapshot seeded it, too).  A push for a seqId
 * in that history is compared level by level (the levels the push lists);
 * one for a seqId ahead of the book waits (up to OA_PEND) until the book
 * reaches or passes it; no entry with that exact seqId is not comparable
 * (top_not_comparable).  Equal: top_agree; different: top_disagree, one
 * EV_TOP_MISMATCH (seqId, the first differing level, both values) and a
 * resync.  A sequence reset drops what waits (not comparable).
 *
 * REST window (OKX GET /api/v5/market/books, Bybit /v5/market/orderbook; its
 * seqId S).  Every audit_interval (the venue row's: okx_audit_interval,
 * bybit_audit_interval) a synced book asks feedd for audit_depth levels
 * (okx_snapshot_depth; Bybit 200) with CTL_F_REFRESH (feedd keeps room for
 * resyncs, else EV_SNAPSHOT_FAILED).  A Bybit book whose last update had no
 * seq (xseq 0) asks for none, and pushes or answers without one are not
 * comparable.  An
 * S ahead of the book is held until the stream reaches it
 * (refresh_hold_timeout, else not comparable).  Then, inside the exact range
 * and the price span the answer covers (its whole side if it listed fewer
 * than it was asked for):
 *   - S == book id: every level must be equal both ways;
 *   - S < book id: every book level whose last change has an id <= S (it has
 *     not changed since S) must be in the answer with the same quantity;
 *     answer levels the book lacks are not judged (they may have been
 *     removed after S).
 * A difference is a window discrepancy (counted per level), one
 * EV_WINDOW_DISCREPANCY and a resync; none: window_agree; no level judged
 * at all (every one changed after S, or S precedes the sync): not comparable.  A sequence reset
 * between the request and the comparison: not comparable.  In mpreplay an
 * unsolicited REST line reaching a synced OKX book is audited the same way.
 */
#ifndef MP_BOOKD_OKX_AUDIT_H
#define MP_BOOKD_OKX_AUDIT_H

#include "sync.h"

#define OA_HIST 64    /* applied updates whose top 5 is remembered */
#define OA_PEND 16    /* top-N pushes ahead of the book waiting for it */
#define OA_TOP 5      /* levels a side remembered (books5) */

/* State for an OKX keeper (others keep none, k->oa == NULL); 0 or -1 (ENOMEM). */
int oa_init(struct bk *k);
void oa_free(struct bk *k);
/* The book was replaced or left sync: history, waiting pushes, a held answer dropped. */
void oa_reset(struct bk *k);
/* After the book reached a new id (sync or applied update): remember its
 * top; with compare, settle waiting pushes and a held answer it reached
 * (which may resync the book). */
void oa_after_apply(struct bk *k, int compare, int64_t now);
/* A SNAP_TOP (books5 / bbo-tbt) for this book. */
void oa_top(struct bk *k, const struct rec_snapshot *s, int64_t now);
/* A REST snapshot reached the synced book: 1 if taken as a window audit. */
int oa_answer(struct bk *k, const struct rec_snapshot *s, int64_t now);
/* EV_SNAPSHOT_FAILED for req_id: 1 if it was the audit's request. */
int oa_failed(struct bk *k, uint32_t req_id);
/* Timers of a synced book: the next audit request, its timeout, the hold timeout. */
void oa_tick(struct bk *k, int64_t now);

#endif
