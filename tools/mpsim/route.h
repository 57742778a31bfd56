/*
 * route.h - what http.c calls when a request or message arrives; implemented
 * in route.c, which dispatches to the control API (ctl.c) and the venues
 * (binance.c, okx.c).
 */
#ifndef MPSIM_ROUTE_H
#define MPSIM_ROUTE_H

#include <stddef.h>

#include "sim.h"

/* A plain HTTP request; must answer with http_respond(). */
void route_request(struct sim_conn *c, const char *method, const char *path, const char *query);
/* A WebSocket upgrade request: 0 to accept (subscriptions from the URL set
 * up), or an HTTP status to refuse with (body in why). */
int route_ws_open(struct sim_conn *c, const char *path, const char *query, struct sb *why);
/* Called right after the 101 answer went out. */
void route_ws_ready(struct sim_conn *c);
/* A complete text or binary message from the client. */
void route_ws_message(struct sim_conn *c, int op, const char *data, size_t len);
/* The connection is going away (subscriptions are released here). */
void route_closed(struct sim_conn *c);

/* Query-string helper: percent-decoded value of key, or NULL if absent. */
const char *route_qget(const char *query, const char *key, char *buf, size_t cap);

#endif
