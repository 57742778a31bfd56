/*
 * kick.h - write the NATS client's buffered publishes now, from a helper
 * thread, when routerd has nothing more to publish for the moment.
 *
 * nats.c has two write paths.  By default a publish only fills the client's
 * buffer and wakes its flusher thread, which then waits 1 ms "to gather more"
 * before it writes: that millisecond is most of the median publish -> ack.
 * With send_asap every publish is written in the publishing thread: a system
 * call and a server wake-up per message, and on a busy machine the main loop
 * loses its CPU at each of them (routerd/README.md "Latency").
 *
 * kick_now() sits between the two.  routerd's main loop calls it when it has
 * drained book.router (or must wait for acks), so the whole batch it just
 * published is written at once, in one write.  The helper thread calls
 * natsConnection_FlushTimeout(), the only public call that writes the buffer
 * in place; it sends a PING with it and waits for the PONG.  Kicks that come
 * while that PING is out are gathered into the next flush: at most one PING is
 * outstanding, so under load the flushes batch by themselves, and what is
 * published meanwhile still goes out with the library's flusher at the latest.
 * A kick that finds the buffer empty (the flusher or an in-place write of a
 * large message was first) sends nothing.
 * A failed flush (disconnected, timed out) is only counted: the publisher's
 * own ack timeouts and recovery (pub.h) handle the messages.
 */
#ifndef MP_ROUTERD_KICK_H
#define MP_ROUTERD_KICK_H

#include <stdint.h>

#include <nats/nats.h>

struct kick;

/* Start the helper thread on nc; timeout_ms bounds one flush's wait for its
 * PONG.  NULL on failure (errno set). */
struct kick *kick_new(natsConnection *nc, int64_t timeout_ms);
/* Ask for a flush (never blocks on the network; cheap when one is pending). */
void kick_now(struct kick *k);
/* Flushes done (kicks that found something to write) and flushes that
 * returned an error, so far. */
void kick_stats(struct kick *k, uint64_t *flushes, uint64_t *errors);
/* Stop and join the thread (after natsConnection_Close, which ends a flush
 * waiting for its PONG).  NULL is ignored. */
void kick_free(struct kick *k);

#endif
