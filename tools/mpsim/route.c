/* route.c - see route.h. */
#include "route.h"

#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "http.h"
#include "log.h"
#include "replay.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

const char *
route_qget(const char *query, const char *key, char *buf, size_t cap)
{
	size_t kl = strlen(key);
	const char *p = query;

	while (p && *p) {
		const char *amp = strchr(p, '&'), *end = amp ? amp : p + strlen(p);
		if ((size_t)(end - p) >= kl && strncmp(p, key, kl) == 0 && (p[kl] == '=' || p + kl == end)) {
			const char *v = p[kl] == '=' ? p + kl + 1 : end;
			size_t o = 0;
			while (v < end && o + 1 < cap) {
				if (*v == '%' && end - v >= 3 && hexval(v[1]) >= 0 && hexval(v[2]) >= 0) {
					buf[o++] = (char)(hexval(v[1]) * 16 + hexval(v[2]));
					v += 3;
				} else {
					buf[o++] = *v == '+' ? ' ' : *v;
					v++;
				}
			}
			buf[o] = 0;
			return buf;
		}
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

static void
count_path(struct sim_stats *st, const char *path)
{
	int i;

	for (i = 0; i < SIM_MAX_PATHS && st->rest_by_path[i].path[0]; i++)
		if (strcmp(st->rest_by_path[i].path, path) == 0)
			break;
	if (i == SIM_MAX_PATHS) {
		i = SIM_MAX_PATHS - 1;  /* the last slot collects everything else */
		snprintf(st->rest_by_path[i].path, sizeof st->rest_by_path[i].path, "(other)");
	} else if (!st->rest_by_path[i].path[0]) {
		snprintf(st->rest_by_path[i].path, sizeof st->rest_by_path[i].path, "%s", path);
	}
	st->rest_by_path[i].n++;
}

/* A pending injected REST fault: consume it; returns its kind or -1. */
static int
take_rest_fault(int v, int kind)
{
	if (sim.rest_fault[v][kind] <= 0)
		return 0;
	sim.rest_fault[v][kind]--;
	sim.st[v].faults_injected[kind]++;
	log_info("fault applied", "kind=%s venue=%s", flt_name(kind), sim_venue_name(v));
	return 1;
}

void
route_request(struct sim_conn *c, const char *method, const char *path, const char *query)
{
	int v = c->venue, delay = 0, ms;

	if (strncmp(path, "/_sim/", 6) == 0) {
		ctl_request(c, method, path, query);
		return;
	}
	sim.st[v].rest_requests++;
	count_path(&sim.st[v], path);
	if (take_rest_fault(v, FLT_REST_SLOW))
		delay = sim.rest_fault_ms[v][FLT_REST_SLOW] > 0 ? sim.rest_fault_ms[v][FLT_REST_SLOW] : 2000;
	if (take_rest_fault(v, FLT_REST_5XX)) {
		int code = sim.rest_fault_code[v] ? sim.rest_fault_code[v] : 503;
		sim_ops(v)->fault_answer(c, code, 0, delay);
		return;
	}
	if (take_rest_fault(v, FLT_REST_429)) {
		ms = sim.rest_fault_ms[v][FLT_REST_429] > 0 ? sim.rest_fault_ms[v][FLT_REST_429] : 1000;
		sim_ops(v)->fault_answer(c, 429, ms, delay);
		return;
	}
	if (take_rest_fault(v, FLT_REST_418)) {
		ms = sim.rest_fault_ms[v][FLT_REST_418] > 0 ? sim.rest_fault_ms[v][FLT_REST_418] : 5000;
		sim_ops(v)->fault_answer(c, 418, ms, delay);
		return;
	}
	if (replay_serves(v) && replay_rest(c, method, path, query, delay))
		return;
	sim_ops(v)->rest(c, method, path, query, delay);
}

int
route_ws_open(struct sim_conn *c, const char *path, const char *query, struct sb *why)
{
	if (replay_serves(c->venue))
		return replay_ws_open(c, path, query, why);
	return sim_ops(c->venue)->ws_open(c, path, query, why);
}

void
route_ws_ready(struct sim_conn *c)
{
	log_debug("websocket open", "venue=%s conn=%llu peer=%s subs=%d", sim_venue_name(c->venue),
	    (unsigned long long)c->id, c->peer, c->nsubs);
	if (replay_serves(c->venue))
		replay_ws_ready(c);
}

void
route_ws_message(struct sim_conn *c, int op, const char *data, size_t len)
{
	if (op != WS_OP_TEXT)
		return;
	sim_ops(c->venue)->ws_message(c, data, len);
}

void
route_closed(struct sim_conn *c)
{
	struct sim_stats *st = &sim.st[c->venue];

	replay_closed(c);

	st->subscriptions = st->subscriptions >= (uint64_t)c->nsubs ? st->subscriptions - (uint64_t)c->nsubs : 0;
	c->nsubs = 0;
}
