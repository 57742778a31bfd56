/*
 * pub.h - JetStream async publishing with a bounded number in flight, and
 * the bookkeeping that lets routerd release a ring record only once every
 * message made from it has been acknowledged.
 *
 * Messages are kept in a FIFO of slots in publish order.  nats.c calls the
 * ack handler on its own threads; the handler only queues (msg, result) under
 * a mutex, and the owning thread applies the results in pub_poll(), so all
 * state here belongs to one thread.  A slot may carry a ring position: when
 * it and every slot before it are acknowledged, pub_poll() reports that
 * position as releasable.
 *
 * Failures.  Any negative ack, an ack timeout, a publish call that fails, or a
 * disconnect puts the publisher in recovery.  (The ack timeout is timed here,
 * from the oldest slot in flight: the client's per-publish MaxWait would cost
 * a timer entry and a timeout message for every message published.)  In
 * recovery no new messages are accepted; once connected again it takes every
 * unacknowledged message back from the client
 * (js_PublishAsyncGetPendingList) and publishes them again in their
 * original order, with their original Nats-Msg-Id, so the stream's duplicate
 * window drops the ones the server had already stored.  New messages are
 * accepted again only once a round is acknowledged in full, so a new message
 * never overtakes an older one in the stream (JetStream leader elections
 * answer some publishes "no responders" and store the next ones).  Rounds
 * that fail back off exponentially up to retry_max_wait.  A message re-sent
 * later than the duplicate window after its first publish is logged and
 * counted (late_republished): the stream may then hold it twice.  One window
 * is left: a message lost with a dying JetStream leader while newer ones,
 * sent before any failure was known, are stored by the next leader.  When
 * the copy is then stored (not a duplicate) after an acknowledged newer
 * message of the same subject, it is logged and counted (reordered).
 */
#ifndef MP_ROUTERD_PUB_H
#define MP_ROUTERD_PUB_H

#include <stdint.h>

#include <nats/nats.h>

#include "lat.h"
#include "natsc.h"

struct pub_cfg {
	int max_inflight;          /* messages published and not yet acknowledged */
	int64_t ack_timeout_ns;
	int64_t retry_max_wait_ns;
	int64_t dup_window_ns;     /* the streams' duplicate window (0 = unknown) */
};

struct pub_stats {
	uint64_t published;        /* first publishes */
	uint64_t bytes;            /* payload bytes of first publishes */
	uint64_t acked;            /* positive acks (duplicates included) */
	uint64_t duplicates;       /* acks with duplicate = true */
	uint64_t nacks;            /* negative acks and timeouts */
	uint64_t republished;      /* publishes of a message after a failure */
	uint64_t recoveries;       /* recovery rounds started */
	uint64_t pub_errors;       /* publish calls that failed */
	uint64_t late_republished; /* re-published after the duplicate window: may be stored twice */
	uint64_t reordered;        /* re-publishes stored after a newer message of their subject */
};

struct pub;

/* One publisher on js (the connection's state in st).  NULL on ENOMEM. */
struct pub *pub_new(jsCtx *js, struct natsc_state *st, const struct pub_cfg *cfg);
/* Take every unacknowledged message back from the client library (before
 * destroying the JetStream context at exit). */
void pub_reclaim(struct pub *p);
/* Destroys every message still held.  Call after nats_CloseAndWait(), when
 * no ack handler can run any more. */
void pub_free(struct pub *p);
/* The jsOptions to create js with (ack handler and closure filled in). */
void pub_js_options(struct pub *p, jsOptions *o);
/* After pub_new with a placeholder: set the JetStream context. */
void pub_set_js(struct pub *p, jsCtx *js);

/* Room for n more messages right now (not in recovery, under max_inflight). */
int pub_room(const struct pub *p, int n);
/*
 * Publish one message (data is copied) with its Nats-Msg-Id.  tag is the
 * caller's label for latency accounting (e.g. the route kind); ls (NULL =
 * none) the record's stamps, handed back on the ack (lat.h).  Returns 0 (the
 * message is owned by the publisher from now on, even if the publish itself
 * failed: it will be retried), or -1 on allocation failure.
 */
int pub_send(struct pub *p, const char *subject, const char *msg_id, const char *data, int len,
    int tag, const struct lat_stamps *ls);
/* Ring position to report once everything published so far is acknowledged
 * (reported at the next pub_poll if nothing is outstanding). */
void pub_mark(struct pub *p, uint64_t pos);
/*
 * Apply queued acks, run recovery and timeouts.  Returns 1 and *pos when a
 * new ring position became releasable, else 0.  Waits up to timeout_ms for
 * an ack when there is nothing to do (0 = do not wait).
 */
int pub_poll(struct pub *p, int timeout_ms, uint64_t *pos);
/* Messages published and not yet acknowledged (including held failures). */
int pub_outstanding(const struct pub *p);
int pub_recovering(const struct pub *p);
void pub_stats(const struct pub *p, struct pub_stats *s);

/* Latency observer: called on every positive ack with the tag, the
 * publish-to-ack latency of the last attempt (CLOCK_MONOTONIC), the stamps
 * given to pub_send, and the CLOCK_REALTIME times of the first publish and
 * of the ack (taken in the client's ack handler, so a main loop busy
 * elsewhere does not add to it). */
typedef void (*pub_ack_fn)(void *ud, int tag, int64_t ack_ns, const struct lat_stamps *ls, int64_t pub_rt,
    int64_t ack_rt);
void pub_on_ack(struct pub *p, pub_ack_fn fn, void *ud);

#endif
