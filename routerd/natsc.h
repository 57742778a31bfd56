/*
 * natsc.h - the NATS side of routerd, shared with mpsub, mpctl and the benchmarks:
 * a connection configured from [nats] (URL list, credentials/NKey/user/
 * token, TLS with CA, client certificate and expected host name, reconnect
 * forever with a large reconnect buffer) and the JetStream streams of
 * route.h created or updated with the [nats] limits.
 */
#ifndef MP_ROUTERD_NATSC_H
#define MP_ROUTERD_NATSC_H

#include <stdatomic.h>
#include <stddef.h>

#include <nats/nats.h>

#include "cfg.h"

/* Connection state the client's threads report (read by the main thread). */
struct natsc_state {
	atomic_int disconnected;    /* 1 between a disconnect and the reconnect */
	atomic_int reconnected;     /* set on every reconnect; the reader clears it */
	atomic_int closed;          /* the connection gave up (should not happen: reconnect is forever) */
	atomic_uint_fast64_t disconnects;
	atomic_uint_fast64_t reconnects;
};

/*
 * The client options of the [nats] settings (servers, name, timeouts,
 * reconnect forever, credentials/NKey/user/token, TLS), for a caller that
 * adds options of its own before connecting (mpctl's monitor).  Returns 0
 * and *out (the caller destroys it), or -1 with err filled.
 */
int natsc_options(const struct cfg *c, const char *name, struct natsc_state *st, natsOptions **out,
    char *err, size_t errlen);

/*
 * Connect with the [nats] settings.  `name` overrides [nats] name when not
 * NULL; st (may be NULL) receives connection events.  Returns 0 and *out,
 * or -1 with err filled (the caller retries).
 */
int natsc_connect(const struct cfg *c, const char *name, struct natsc_state *st,
    natsConnection **out, char *err, size_t errlen);

/* Tear the nats.c library down, waiting up to ms for its threads: 0, or -1
 * when they were still running (stderr says so).  After -1 the process must
 * leave with _exit(): nats.c 3.4's exit-time destructor frees the library
 * under threads that still use it (fixed upstream in nats.c PR #1020), a
 * crash at exit seen under load.  Flush what must reach a file before. */
int natsc_library_close(int ms);

/* Fill sc for stream i of route_streams[] from the config (the subjects
 * array lives in route.c). */
int natsc_stream_config(const struct cfg *c, int i, jsStreamConfig *sc, char *err, size_t errlen);

/* Create every stream, or update it to the configured limits if it exists.
 * Returns 0, or -1 with err naming the stream and the server's reason. */
int natsc_streams_ensure(jsCtx *js, const struct cfg *c, char *err, size_t errlen);

#endif
