/*
 * enc.h - pipeline records -> the requirement's JSON messages.
 *
 * Field names and types are the interface consumers read (shared/
 * seed-digest.md): EnhancedOrderBook for snapshots and updates, OrderBookDelta
 * for pure deltas, plus trade, ticker, kline and event messages.  Every
 * message type has a JSON Schema in routerd/schema/ and the tests validate
 * every published message against it.
 *
 * Conventions
 *  - prices and quantities are exact decimal strings in the venue's own style
 *    (inst_fmt_px / inst_fmt_qty), never JSON numbers;
 *  - ids are JSON integers, null when the venue has none (-1 in records);
 *  - times are ISO-8601 UTC with microseconds and a trailing Z;
 *  - the output is a pure function of the record (processed_at is the time
 *    bookd stamped, not the time of encoding), so a re-publish after a
 *    restart is byte-identical to the first attempt.
 *
 * The encoders append to an sbuf (common/sbuf.h); an allocation failure is
 * sticky in the sbuf and reported by the caller.  Records must have passed
 * rec_check() first.
 */
#ifndef MP_ROUTERD_ENC_H
#define MP_ROUTERD_ENC_H

#include <stddef.h>
#include <stdint.h>

#include "inst.h"
#include "rec.h"
#include "sbuf.h"

/* update_type values of EnhancedOrderBook. */
#define ENC_UT_SNAPSHOT "snapshot"
#define ENC_UT_UPDATE "update"
#define ENC_UT_FULL_REFRESH "full_refresh"

/* Append "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" (quoted) for ns since the epoch. */
void enc_time(struct sbuf *b, int64_t ns);
/* Format ns as ISO-8601 into buf (>= 32 bytes); returns buf. */
char *enc_time_str(int64_t ns, char *buf, size_t cap);

/* The update_type a snapshot record gets (full: "snapshot" on (re)sync,
 * "full_refresh" on the periodic one; top-N: "snapshot"). */
const char *enc_snapshot_update_type(const struct rec_snapshot *s);

/*
 * EnhancedOrderBook from a REC_SNAPSHOT (bids/asks = the levels of the
 * record) or a REC_DELTA (bids/asks = the best level per side after the
 * update; bid_changes/ask_changes/removed_bids/removed_asks = the update).
 * *valid (may be NULL) receives is_valid.
 */
void enc_book(struct sbuf *b, const struct rec_hdr *rec, const struct inst *in, int *valid);
/* The same, and for a REC_SNAPSHOT with ml_groups != 0 (MLF_G_* of
 * mlfeat.h) the requirement's optional "ml_features" map: every feature of
 * those groups computed from the record's levels, each a JSON number printed
 * with %.17g (it reads back as the same double), or null when a side is
 * empty. */
void enc_book_ml(struct sbuf *b, const struct rec_hdr *rec, const struct inst *in, int *valid,
    unsigned ml_groups);
/* Only the map's value ({...} or null) for a snapshot record. */
void enc_ml_features(struct sbuf *b, const struct rec_snapshot *s, const struct inst *in, unsigned ml_groups);
/* The "ml_images" object for ml_groups & MLF_G_IMAGES: {"heatmap": {levels,
 * bins, price_lo, price_hi, bid[bins], ask[bins]} | null, "depth_image":
 * {levels, bid[levels], ask[levels]} | null} (routerd/mlimg.h, %.17g). */
void enc_ml_images(struct sbuf *b, const struct rec_snapshot *s, const struct inst *in, unsigned ml_groups);
/* Append ,"ml_flow":{bid_flow, ..., window_deltas} (MLFL_N doubles, mlflow.h, %.17g)
 * to an encoded JSON object (b ends with '}'); 0, or -1 if b is not one. */
int enc_append_ml_flow(struct sbuf *b, const double *flow);
/* Append ,"ml_features":{tk_last, ..., mk_oi_change} (MLM_N doubles, mlmkt.h, %.17g;
 * NaN, a source not seen yet, as null) to an encoded market-data message; 0, or -1. */
int enc_append_ml_market(struct sbuf *b, const double *v);
/* OrderBookDelta (pure delta) from a REC_DELTA. */
void enc_pure_delta(struct sbuf *b, const struct rec_delta *d, const struct inst *in);
void enc_trade(struct sbuf *b, const struct rec_trade *t, const struct inst *in);
void enc_ticker(struct sbuf *b, const struct rec_ticker *t, const struct inst *in);
void enc_kline(struct sbuf *b, const struct rec_kline *k, const struct inst *in);
/* A REC_MARKET as its kind's message (enc_market.c): funding_rate,
 * open_interest, mark_price or liquidation; values not given are null. */
void enc_market(struct sbuf *b, const struct rec_market *m, const struct inst *in);
/* An event record; in may be NULL (not instrument-specific). */
void enc_event(struct sbuf *b, const struct rec_event *e, const struct inst *in);
/* The event routerd publishes for a ring gap frame: `count` records (ring
 * seqs first_seq..) that bookd dropped because routerd was behind. */
void enc_ring_loss(struct sbuf *b, uint64_t first_seq, uint64_t count, int64_t now_ns);

/* Kline interval name: 60 -> "1m", 3600 -> "1h", 90 -> "90s". */
const char *enc_interval(uint32_t interval_s, char *buf, size_t cap);

#endif
