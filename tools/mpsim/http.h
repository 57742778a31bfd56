/*
 * http.h - the small HTTP/1.1 + RFC 6455 WebSocket server mpsim serves both
 * venues with.  Written on libuv directly (not libwebsockets) because fault
 * injection needs byte-level control: frames cut short, stalls without a
 * close, exact close codes, ping/pong accounting.
 *
 * HTTP: keep-alive, one request at a time per connection (answers stay in
 * order; a delayed answer holds the following requests back), headers up to
 * 16 KiB, bodies up to 1 MiB (read and ignored).  WebSocket: masked client
 * frames required, fragmentation, messages up to 1 MiB, ping answered with
 * pong, close echoed.  The routing callbacks are in route.h.
 */
#ifndef MPSIM_HTTP_H
#define MPSIM_HTTP_H

#include <stddef.h>

#include "sim.h"

enum { WS_OP_CONT = 0, WS_OP_TEXT = 1, WS_OP_BIN = 2, WS_OP_CLOSE = 8, WS_OP_PING = 9, WS_OP_PONG = 10 };

/* Listen on bind:port (0 = any free port) for a venue; *bound gets the port. */
int http_listen(int venue, const char *bind, int port, int *bound);
/* Answer the current request.  hdrs: extra header lines, each ending in
 * "\r\n", or NULL.  If delay_ms > 0 the answer is sent that much later. */
void http_respond(struct sim_conn *c, int status, const char *hdrs, const char *body, size_t len, int delay_ms);
/* Send one WebSocket message made of up to three pieces (for wrapping a
 * shared payload without copying it first).  Dropped (and counted) while
 * the connection is stalled or closing. */
void ws_send3(struct sim_conn *c, int op, const char *a, size_t alen, const char *b, size_t blen,
    const char *d, size_t dlen);
void ws_send_text(struct sim_conn *c, const char *s, size_t n);
/* Bytes straight onto the socket, no framing (truncated-frame fault). */
void ws_send_raw(struct sim_conn *c, const void *p, size_t n);
/* Close frame with code and reason, then close once it is written. */
void ws_close(struct sim_conn *c, int code, const char *reason);
/* Close the socket once everything queued is written, without a close frame. */
void conn_end(struct sim_conn *c);
/* Close the socket now, without a close frame. */
void conn_drop(struct sim_conn *c);
/* Ping/pong, rate, idle and scheduled-close checks for every connection;
 * called from the housekeeping timer. */
void http_housekeeping(void);
/* Wrap an already connected stream socket as a connection of a venue, without
 * reading from it (tests and fuzzing feed input with http_feed()). */
struct sim_conn *http_adopt(int venue, int fd);
/* Process bytes as if they had been read from the connection. */
void http_feed(struct sim_conn *c, const void *p, size_t n);
/* Bytes queued for writing on a connection. */
size_t conn_queued(const struct sim_conn *c);

#endif
