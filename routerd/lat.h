/*
 * lat.h - where routerd's receive -> JetStream ack time goes: per-stage
 * latency histograms of every published message, by class.
 *
 * Stages (CLOCK_REALTIME stamps; the first three come with the record):
 *   recv_feed     recv_ns -> stage_ns[STAGE_FEED]   feedd: parse, write feed.<exchange>
 *   feed_book     STAGE_FEED -> stage_ns[STAGE_BOOK] feed ring wait: bookd's wake-up and what it
 *                                                    did before reading the record (bookd stamps
 *                                                    on read; bookd/README.md "Loop")
 *   book_publish  STAGE_BOOK -> first publish       bookd apply and emit, book.router wait,
 *                                                    encode, queue in routerd
 *   publish_ack   first publish -> ack               NATS write, JetStream store, ack back
 *   whole         recv_ns -> ack (snapshot class: STAGE_BOOK -> ack)
 *
 * Classes (which records count where):
 *   steady    deltas bookd applied to a synced book as they came, trades,
 *             tickers, klines: the live path's latency;
 *   sync      deltas bookd applied from its sync buffer (REC_F_BUFFERED):
 *             received while the book was not in sync, so they waited for a
 *             snapshot; kept apart so they do not hide the steady tail;
 *   snapshot  what bookd makes itself rather than from one received update:
 *             full and top-N books (periodic, or a sync's), and the deltas
 *             of a REST refresh splice (bookd deltas without a feedd stamp).
 *             Their recv_ns (the last update's, or the REST answer's, which
 *             bookd may hold) is no start: only the book_publish,
 *             publish_ack and whole (from STAGE_BOOK) stages.
 * Events and ring_loss messages are not counted.  Each message counts
 * once: a delta's delta, pure_delta and update copies are three messages.
 */
#ifndef MP_ROUTERD_LAT_H
#define MP_ROUTERD_LAT_H

#include <stdint.h>

#include "metrics.h"
#include "rec.h"

enum lat_class { LAT_STEADY = 0, LAT_SYNC, LAT_SNAPSHOT, LAT_NCLASS, LAT_NONE = 255 };
enum lat_stage { LAT_RECV_FEED = 0, LAT_FEED_BOOK, LAT_BOOK_PUBLISH, LAT_PUBLISH_ACK, LAT_WHOLE, LAT_NSTAGE };

/* What a message carries from its record to its ack. */
struct lat_stamps {
	int64_t recv_ns, feed_ns, book_ns;     /* 0 = not stamped */
	uint8_t cls;                           /* enum lat_class, LAT_NONE = not counted */
};

/* The class and stamps of a record (cls = LAT_NONE for what is not counted). */
void lat_stamps_of(const struct rec_hdr *h, struct lat_stamps *out);

struct lat {
	struct metric_hist *h[LAT_NCLASS][LAT_NSTAGE];   /* NULL: stage not kept for the class */
	struct metric_hist *whole_recv;  /* mp_router_publish_latency_seconds: whole, steady + sync */
};

/* Register mp_router_stage_latency_seconds{stage,class} (and the receive ->
 * ack histogram) in m. */
void lat_setup(struct lat *l, struct metrics *m);
/* One acknowledged message: first published at pub_ns, acked at ack_ns
 * (CLOCK_REALTIME).  A stage with a missing stamp is not observed. */
void lat_observe(struct lat *l, const struct lat_stamps *s, int64_t pub_ns, int64_t ack_ns);

const char *lat_stage_name(int stage);
const char *lat_class_name(int cls);

#endif
