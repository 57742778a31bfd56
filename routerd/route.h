/*
 * route.h - which subjects a record is published to, with which body and
 * which Nats-Msg-Id.  route.c holds the single table (documented in
 * routerd/README.md):
 *
 *   record                     subject                               body
 *   SNAPSHOT kind FULL         orderbook.full.<ex>.<sym>             EnhancedOrderBook ("snapshot" on
 *                                                                    sync/resync, "full_refresh" periodic)
 *   SNAPSHOT kind TOPN         orderbook.snapshot.<ex>.<sym>         EnhancedOrderBook ("snapshot")
 *   DELTA                      orderbook.delta.<ex>.<sym>            EnhancedOrderBook ("update")
 *   DELTA with changes         orderbook.pure_delta.<ex>.<sym>       OrderBookDelta
 *   FULL, TOPN, DELTA          orderbook.update.<ex>.<sym>           the same EnhancedOrderBook (legacy)
 *   TRADE                      market.<ex>.<sym>.trade               trade
 *   TICKER                     market.<ex>.<sym>.ticker              ticker
 *   KLINE                      market.<ex>.<sym>.kline.<interval>    kline
 *   MARKET MK_FUNDING          market.<ex>.<sym>.funding_rate        funding_rate
 *   MARKET MK_OPEN_INTEREST    market.<ex>.<sym>.open_interest       open_interest
 *   MARKET MK_MARK             market.<ex>.<sym>.mark_price          mark_price (mark and index)
 *   MARKET MK_LIQUIDATION      market.<ex>.<sym>.liquidation         liquidation
 *   EVENT                      orderbook.event.<ex>.<sym>            event (all.all without instrument)
 *   ring gap frame             orderbook.event.all.all               event "ring_loss"
 *
 * Nats-Msg-Id = "<ex>.<sym>.<kind>.<sequence>", a pure function of the
 * record, so a re-publish (after a NATS outage or a routerd restart) is
 * dropped by the stream's duplicate window instead of stored twice.
 */
#ifndef MP_ROUTERD_ROUTE_H
#define MP_ROUTERD_ROUTE_H

#include <stdint.h>

#include "inst.h"
#include "rec.h"
#include "sbuf.h"

enum route_kind {
	RK_FULL = 0,
	RK_SNAPSHOT,
	RK_DELTA,
	RK_PURE_DELTA,
	RK_UPDATE,
	RK_TRADE,
	RK_TICKER,
	RK_KLINE,
	RK_EVENT,
	RK_FUNDING,
	RK_OPEN_INTEREST,
	RK_MARK_PRICE,
	RK_LIQUIDATION,
	RK_N
};

/* The streams routerd creates (index = enum route_stream). */
enum route_stream { RS_FULL = 0, RS_DELTA, RS_TRADES, RS_DATA, RS_EVENTS, RS_N };

struct route_stream_def {
	const char *name;          /* "ORDERBOOK_FULL" */
	const char *cfg_prefix;    /* "full": [nats] full_max_msgs, ... */
	const char *subjects[7];   /* NULL-terminated */
};
extern const struct route_stream_def route_streams[RS_N];

/* Kind name as used in Msg-Ids, metrics and mpsub ("full", "pure_delta", ...). */
const char *route_kind_name(int kind);
/* The stream a kind's subject belongs to. */
int route_kind_stream(int kind);

enum route_legacy { ROUTE_LEGACY_NONE = 0, ROUTE_LEGACY_DELTAS = 1, ROUTE_LEGACY_ALL = 2 };
struct route_opts {
	int legacy;        /* enum route_legacy */
	int pure_delta;    /* publish pure deltas */
	int topn;          /* publish top-N snapshots */
};

#define ROUTE_MAX_MSGS 4
#define ROUTE_SUBJ_MAX 96
#define ROUTE_ID_MAX 128

enum route_body { RB_BOOK = 1, RB_PURE_DELTA, RB_TRADE, RB_TICKER, RB_KLINE, RB_EVENT, RB_MARKET };

struct route_msg {
	int kind;                  /* enum route_kind */
	int body;                  /* enum route_body */
	char subject[ROUTE_SUBJ_MAX];
	char msg_id[ROUTE_ID_MAX];
};

/*
 * Plan the messages of one record (checked with rec_check; in = its
 * instrument, NULL only for events without one).  Returns how many (0 =
 * nothing to publish, e.g. a control or raw record, or a top-N snapshot when
 * they are off), or -1 with why filled (e.g. a chunked snapshot).
 */
int route_plan(const struct rec_hdr *rec, const struct inst *in, const struct route_opts *o,
    struct route_msg out[ROUTE_MAX_MSGS], char *why, size_t whylen);
/* Encode the body of a planned message; returns 0, or -1 on allocation failure. */
int route_encode(const struct rec_hdr *rec, const struct inst *in, const struct route_msg *m,
    struct sbuf *b, int *valid);
/* The same; ml_groups (MLF_G_* of mlfeat.h, 0 = none) adds ml_features to
 * the orderbook.full and orderbook.snapshot bodies ([ml] in routerd/README.md). */
int route_encode_ml(const struct rec_hdr *rec, const struct inst *in, const struct route_msg *m,
    struct sbuf *b, int *valid, unsigned ml_full, unsigned ml_snapshot);
/* The message for a ring gap frame. */
void route_ring_loss(uint64_t first_seq, uint64_t count, struct route_msg *m);

#endif
