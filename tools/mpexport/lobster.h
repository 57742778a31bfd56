/*
 * lobster.h - the LOBSTER research format (message file + orderbook file)
 * from mpexport's rebuilt L2 book.
 *
 * LOBSTER (lobsterdata.com, "Output structure") writes per book a message
 * file (time in seconds after midnight, event type, order id, size, price x
 * 10000, direction) and an orderbook file whose row k is the book after
 * message k (ask px 1, ask size 1, bid px 1, bid size 1, ... for L levels;
 * empty levels ask 9999999999 / bid -9999999999 with size 0).
 *
 * Our data is L2 (price levels, no orders), so each level change becomes one
 * message with order id 0:
 *   size grows (a new level or a larger one)  -> type 1 submission, size = growth
 *   size shrinks but stays > 0                -> type 2 cancellation, size = decrease
 *   level removed                             -> type 3 deletion, size = old size
 *   a trade (taker buy/sell)                  -> type 4 execution, direction of the
 *                                                resting side, book row unchanged
 * Direction: 1 bid (buy limit order), -1 ask.  An execution at L2 also shows
 * up as a reduction in the next depth update (type 2/3): the two are not
 * matched.  Within one exchange update (100 ms batch) the reductions are
 * written before the growths, so no intermediate row is crossed; all rows of
 * one update carry its time.  Like LOBSTER, only events that change the book
 * within the L levels are messages (deeper changes are counted).  After each
 * update the mirror book the rows come from is compared with the export's
 * and re-copied if the depth limit evicted differently in this order.
 *
 * Files never cross a gap: one pair per sync epoch and UTC day (LOBSTER times
 * are seconds after midnight), named like LOBSTER's
 *   <TICKER>_<YYYY-MM-DD>_<first ms>_<last ms>_message_<L>.csv
 * in <out>/lobster/.  Prices are the instrument's mantissas rescaled to
 * x 10000 exactly; a price that is not a multiple of 0.0001 fails the export
 * (never rounded).  Sizes are the size mantissas (units of 10^qty_exp).
 */
#ifndef MPX_LOBSTER_H
#define MPX_LOBSTER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../../bookd/book.h"
#include "inst.h"
#include "rec.h"

struct mpx_lob;

/* Remove the .csv files an earlier export left in <out>/lobster/. */
void mpx_lob_clear(const char *out);
/* Create <out>/lobster/ (old .csv files there are removed).  NULL with err. */
struct mpx_lob *mpx_lob_open(const char *out, const struct inst *in, int levels, uint32_t max_levels,
    char *err, size_t errlen);
/* A new sync epoch starts from book b (the rebuilt book after its anchor). */
void mpx_lob_anchor(struct mpx_lob *l, const struct book *b, uint64_t epoch);
/* A delta the export applied and verified; b is the book after it.  Writes
 * rows when t is inside the range ([from, to) is the caller's test). */
void mpx_lob_delta(struct mpx_lob *l, int64_t t, const struct rec_delta *d, const struct book *b, int write);
/* A trade at t in the current epoch: held until the book up to t is confirmed. */
void mpx_lob_trade(struct mpx_lob *l, int64_t t, const struct rec_trade *tr, int write);
/* Everything before t is confirmed: write held trades with time < t. */
void mpx_lob_confirm(struct mpx_lob *l, int64_t t);
/* The epoch broke: held trades are dropped (counted) and the file pair ends. */
void mpx_lob_break(struct mpx_lob *l);
/* Close the open pair; 0, or -1 with err (a write failed, an inexact price). */
int mpx_lob_close(struct mpx_lob *l, char *err, size_t errlen);
/* The "lobster" object of metadata.json (files, mapping, counters). */
json_t *mpx_lob_meta(const struct mpx_lob *l);
void mpx_lob_free(struct mpx_lob *l);

#endif
