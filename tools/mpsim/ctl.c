/* ctl.c - see ctl.h; also the fault injection (sim_inject). */
#include "ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log.h"
#include "replay.h"
#include "route.h"

static void
answer(struct sim_conn *c, int status, struct sb *b)
{
	http_respond(c, status, "Cache-Control: no-store\r\n", b->p ? b->p : "", b->len, 0);
}

static void
error(struct sim_conn *c, int status, const char *msg)
{
	struct sb b;

	sb_init(&b);
	sb_adds(&b, "{\"error\":");
	sb_addjs(&b, msg);
	sb_addc(&b, '}');
	answer(c, status, &b);
	sb_free(&b);
}

static void
book(struct sim_conn *c, const char *query)
{
	char v[64];
	int venue, i;
	long depth = 0;
	struct sb b;

	venue = route_qget(query, "venue", v, sizeof v) ? sim_venue_parse(v) : -1;
	if (venue < 0) {
		error(c, 400, "venue must be binance, okx, bybit, binance-usdm or binance-coinm");
		return;
	}
	if (!route_qget(query, "symbol", v, sizeof v) || (i = sim_find_inst(venue, v)) < 0) {
		error(c, 400, "unknown or missing symbol");
		return;
	}
	if (route_qget(query, "depth", v, sizeof v)) {
		char *end;
		depth = strtol(v, &end, 10);
		if (*end || depth < 1) {
			error(c, 400, "depth must be a positive integer");
			return;
		}
	}
	struct sim_inst *in = &sim.inst[i];
	sb_init(&b);
	sb_printf(&b, "{\"venue\":\"%s\",\"symbol\":\"%s\",\"update_id\":%lld,\"step\":%lld,\"paused\":%s,\"bids\":[",
	    sim_venue_name(venue), in->sym, (long long)sim_ops(venue)->last_id(in),
	    (long long)sim.steps, sim.paused ? "true" : "false");
	for (int side = 0; side < 2; side++) {
		int n = mkt_count(&in->book, side);
		if (depth && depth < n)
			n = (int)depth;
		sb_reserve(&b, (size_t)n * 40);
		for (int r = 0; r < n; r++) {
			const struct mkt_level *l = mkt_at(&in->book, side, r);
			char p[32], q[32];
			sim_ops(venue)->px(in, l->px, p);
			sim_ops(venue)->qty(in, l->qty, q);
			sb_printf(&b, "%s[\"%s\",\"%s\"]", r ? "," : "", p, q);
		}
		sb_adds(&b, side == 0 ? "],\"asks\":[" : "]}");
	}
	answer(c, 200, &b);
	sb_free(&b);
}

static void
stats(struct sim_conn *c)
{
	struct sb b;

	sb_init(&b);
	sb_printf(&b, "{\"steps\":%lld,\"paused\":%s,\"rate\":%g,\"timer_rate\":%g,\"lag_rebases\":%llu",
	    (long long)sim.steps, sim.paused ? "true" : "false", sim.rate, sim.timer_rate,
	    (unsigned long long)sim.lag_rebases);
	replay_stats(&b);
	for (int v = 0; v < SIM_NVENUE; v++) {
		struct sim_stats *s = &sim.st[v];
		int64_t w = sim_ops(v)->weight_now ? sim_ops(v)->weight_now(v) : 0;
		sb_printf(&b, ",\"%s\":{", sim_venue_name(v));
#define U(name) sb_printf(&b, "\"%s\":%llu,", #name, (unsigned long long)s->name)
		U(connections_total);
		U(connections_open);
		U(ws_frames_sent);
		U(ws_frames_received);
		U(ws_bytes_sent);
		U(rest_requests);
		sb_adds(&b, "\"rest_by_path\":{");
		for (int i = 0; i < SIM_MAX_PATHS && s->rest_by_path[i].path[0]; i++)
			sb_printf(&b, "%s\"%s\":%llu", i ? "," : "", s->rest_by_path[i].path,
			    (unsigned long long)s->rest_by_path[i].n);
		sb_printf(&b, "},\"weight_used_1m\":%lld,\"weight_used_1m_max\":%lld,", (long long)w,
		    (long long)s->weight_used_1m_max);
		U(http_429);
		U(http_418);
		U(http_5xx);
		U(http_4xx);
		sb_printf(&b, "\"banned_until_ms\":%lld,", (long long)s->banned_until_ms);
		U(bans);
		U(pings_sent);
		U(pongs_received);
		U(clients_dropped_no_pong);
		U(clients_dropped_rate);
		U(clients_dropped_slow);
		U(clients_closed_idle);
		U(clients_closed_rollover);
		U(clients_closed_fault);
		U(subscriptions);
		U(subscribe_requests);
		U(subscribe_errors);
		U(messages_dropped_stalled);
		U(http_bad_requests);
		U(ws_protocol_errors);
		U(ws_url_plain_names);
		U(heartbeats_sent);
		U(snapshots_sent);
#undef U
		sb_adds(&b, "\"faults_injected\":{");
		for (int k = 0; k < FLT_NKINDS; k++)
			sb_printf(&b, "%s\"%s\":%llu", k ? "," : "", flt_name(k), (unsigned long long)s->faults_injected[k]);
		/* increment faults wait for a subscriber; REST faults for a request */
		sb_adds(&b, "},\"faults_pending\":{");
		int first = 1;
		for (int k = 0; k < FLT_NKINDS; k++) {
			long long n = sim.rest_fault[v][k];
			for (int i = 0; i < sim.ninst; i++)
				if (sim.inst[i].venue == v)
					for (int q = 0; q < SIM_INCR_MAX; q++)
						n += sim.inst[i].fq[q][k];
			if (n > 0) {
				sb_printf(&b, "%s\"%s\":%lld", first ? "" : ",", flt_name(k), n);
				first = 0;
			}
		}
		sb_adds(&b, "}}");
	}
	sb_addc(&b, '}');
	answer(c, 200, &b);
	sb_free(&b);
}

static void
info(struct sim_conn *c)
{
	struct sb b;

	sb_init(&b);
	sb_printf(&b, "{\"seed\":%llu,\"rate\":%g,\"timer_rate\":%g,\"paused\":%s,\"steps\":%lld,"
	    "\"okx_legacy_checksum\":%s,\"okx_legacy_format\":%s,\"instruments\":[", (unsigned long long)sim.seed,
	    sim.rate, sim.timer_rate, sim.paused ? "true" : "false", (long long)sim.steps,
	    sim.okx_legacy_checksum ? "true" : "false", sim.okx_legacy_format ? "true" : "false");
	for (int i = 0; i < sim.ninst; i++) {
		struct sim_inst *in = &sim.inst[i];
		char tick[32], lot[32];
		sb_fmt_e8(in->tick_e8, 1, tick);
		sb_fmt_e8(in->lot_e8, 1, lot);
		sb_printf(&b, "%s{\"venue\":\"%s\",\"symbol\":\"%s\",\"venue_symbol\":\"%s\",\"tick\":\"%s\",\"lot\":\"%s\","
		    "\"bid_levels\":%d,\"ask_levels\":%d}", i ? "," : "", sim_venue_name(in->venue), in->sym, in->vsym,
		    tick, lot, mkt_count(&in->book, MKT_BID), mkt_count(&in->book, MKT_ASK));
	}
	sb_adds(&b, "]}");
	answer(c, 200, &b);
	sb_free(&b);
}

static int
conn_matches(const struct sim_conn *c, int venue, int inst)
{
	if (c->venue != venue || c->state != CONN_WS || c->closing || c->shutting)
		return 0;
	if (inst < 0)
		return 1;
	for (int i = 0; i < c->nsubs; i++)
		if (c->subs[i].inst == inst)
			return 1;
	return 0;
}

static int
is_incr_fault(int k)
{
	return k == FLT_GAP || k == FLT_DUP || k == FLT_REORDER || k == FLT_MALFORMED || k == FLT_TRUNCATE ||
	    k == FLT_TRUNCATE_WIRE;
}

int
sim_inject(const struct flt_spec *f, char *err, size_t errlen)
{
	int v = f->venue, inst = -1, n = f->n;
	struct sim_conn *c, *next;

	if (f->symbol[0] && (inst = sim_find_inst(v, f->symbol)) < 0) {
		snprintf(err, errlen, "unknown symbol %s on %s", f->symbol, sim_venue_name(v));
		return -1;
	}
	if ((f->kind == FLT_OKX_SEQ_RESET || f->kind == FLT_OKX_NO_SNAPSHOT || f->kind == FLT_OKX_SNAPSHOT) &&
	    !sim_ops(v)->ws_snapshots) {
		snprintf(err, errlen, "%s applies to venue okx only", flt_name(f->kind));
		return -1;
	}
	log_info("fault injected", "kind=%s venue=%s symbol=%s n=%d ms=%d", flt_name(f->kind), sim_venue_name(v),
	    f->symbol[0] ? f->symbol : "*", n, f->ms);
	if (f->kind == FLT_CORRUPT_LEVEL) {
		if (sim_ops(v)->corrupt_max && n > sim_ops(v)->corrupt_max) {
			snprintf(err, errlen, "corrupt_level on %s: n= (the rank) must be at most %d, the depth stream's window",
			    sim_venue_name(v), sim_ops(v)->corrupt_max);
			return -1;
		}
		/* one increment of the main depth stream (Binance @depth@100ms, OKX
		 * books) per instrument; n is the rank, not a count */
		for (int i = 0; i < sim.ninst; i++) {
			struct sim_inst *in = &sim.inst[i];
			if (in->venue != v || (inst >= 0 && i != inst))
				continue;
			in->fq[0][FLT_CORRUPT_LEVEL] = 1;
			in->corrupt_rank = n ? n : 3;
		}
		return 0;
	}
	if (is_incr_fault(f->kind) || f->kind == FLT_OKX_SEQ_RESET || f->kind == FLT_OKX_NO_SNAPSHOT ||
	    f->kind == FLT_OKX_SNAPSHOT) {
		for (int i = 0; i < sim.ninst; i++) {
			struct sim_inst *in = &sim.inst[i];
			if (in->venue != v || (inst >= 0 && i != inst))
				continue;
			if (f->kind == FLT_OKX_NO_SNAPSHOT)
				in->okx_nosnap = n ? n : -1;
			else if (f->kind == FLT_OKX_SNAPSHOT)
				in->okx_nosnap = 0;
			else {
				in->fq[0][f->kind] += n ? n : 1;
				/* Binance's slow depth streams are increment streams too */
				for (int s = 1; s < sim_ops(v)->incr_streams && s < SIM_INCR_MAX; s++)
					in->fq[s][f->kind] += n ? n : 1;
			}
		}
		return 0;
	}
	switch (f->kind) {
	case FLT_REST_5XX:
	case FLT_REST_429:
	case FLT_REST_418:
	case FLT_REST_SLOW:
		sim.rest_fault[v][f->kind] += n ? n : 1;
		if (f->ms)
			sim.rest_fault_ms[v][f->kind] = f->ms;
		if (f->code)
			sim.rest_fault_code[v] = f->code;
		return 0;
	case FLT_CLEAR:
		for (int i = 0; i < sim.ninst; i++) {
			memset(sim.inst[i].fq, 0, sizeof sim.inst[i].fq);
			sim.inst[i].okx_nosnap = 0;
		}
		memset(sim.rest_fault, 0, sizeof sim.rest_fault);
		for (c = sim.conns; c; c = c->next)
			c->stalled = 0;
		return 0;
	default:
		break;
	}
	/* Connection faults: every matching WebSocket now (n limits how many). */
	int done = 0;
	for (c = sim.conns; c; c = next) {
		next = c->next;
		if (!conn_matches(c, v, inst))
			continue;
		if (n && done >= n)
			break;
		done++;
		sim.st[v].faults_injected[f->kind]++;
		switch (f->kind) {
		case FLT_DISCONNECT:
			sim.st[v].clients_closed_fault++;
			conn_drop(c);
			break;
		case FLT_STALL:
			c->stalled = 1;
			break;
		case FLT_UNSTALL:
			c->stalled = 0;
			break;
		case FLT_SHUTDOWN_NOTICE:
			if (sim_ops(v)->notice)
				sim_ops(v)->notice(c, f->ms ? f->ms : (int)sim_scaled_ms(sim_ops(v)->notice_ms));
			else
				ws_close(c, 1001, "server shutdown");   /* a venue without a notice just goes */
			break;
		case FLT_ROLLOVER:
			sim.st[v].clients_closed_rollover++;
			ws_close(c, 1000, "24h connection limit");
			break;
		}
	}
	return 0;
}

static void
fault(struct sim_conn *c, const char *query)
{
	struct flt_spec f;
	char v[64], err[256];
	long x;
	char *end;

	memset(&f, 0, sizeof f);
	if (!route_qget(query, "kind", v, sizeof v) || (f.kind = flt_kind_parse(v)) < 0) {
		error(c, 400, "unknown or missing kind");
		return;
	}
	if (!route_qget(query, "venue", v, sizeof v) || (f.venue = sim_venue_parse(v)) < 0) {
		error(c, 400, "venue must be binance, okx, bybit, binance-usdm or binance-coinm");
		return;
	}
	if (route_qget(query, "symbol", v, sizeof v) && *v) {
		if (sim_find_inst(f.venue, v) < 0) {
			error(c, 400, "unknown symbol");
			return;
		}
		snprintf(f.symbol, sizeof f.symbol, "%.23s", v);
	}
	if (route_qget(query, "n", v, sizeof v)) {
		x = strtol(v, &end, 10);
		if (*end || x < 1 || x > 1000000) {
			error(c, 400, "n must be 1..1000000");
			return;
		}
		f.n = (int)x;
	}
	if (route_qget(query, "ms", v, sizeof v)) {
		x = strtol(v, &end, 10);
		if (*end || x < 0 || x > 86400000) {
			error(c, 400, "ms must be 0..86400000");
			return;
		}
		f.ms = (int)x;
	}
	if (route_qget(query, "code", v, sizeof v)) {
		x = strtol(v, &end, 10);
		if (*end || x < 500 || x > 599) {
			error(c, 400, "code must be 500..599");
			return;
		}
		f.code = (int)x;
	}
	if (sim_inject(&f, err, sizeof err) < 0) {
		error(c, 400, err);
		return;
	}
	struct sb b;
	sb_init(&b);
	sb_printf(&b, "{\"ok\":true,\"kind\":\"%s\",\"venue\":\"%s\"}", flt_name(f.kind), sim_venue_name(f.venue));
	answer(c, 200, &b);
	sb_free(&b);
}

void
ctl_request(struct sim_conn *c, const char *method, const char *path, const char *query)
{
	int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
	const char *p = path + 6;
	struct sb b;

	if (strcmp(p, "book") == 0 || strcmp(p, "stats") == 0 || strcmp(p, "info") == 0) {
		if (!get) {
			error(c, 405, "use GET");
			return;
		}
		if (p[0] == 'b')
			book(c, query);
		else if (p[0] == 's')
			stats(c);
		else
			info(c);
		return;
	}
	if (strcmp(p, "pause") == 0 || strcmp(p, "resume") == 0 || strcmp(p, "step") == 0 || strcmp(p, "fault") == 0) {
		if (!post) {
			error(c, 405, "use POST");
			return;
		}
		if (strcmp(p, "fault") == 0) {
			fault(c, query);
			return;
		}
		if (strcmp(p, "pause") == 0) {
			sim.paused = 1;
			sim_flush_pending();
		} else if (strcmp(p, "resume") == 0) {
			if (sim.paused) {
				sim.paused = 0;
				sim.clock_t0 = sim_mono_ms();
				sim.clock_steps0 = sim.steps;
			}
		} else {
			char v[32], *end;
			long n = 1;
			if (route_qget(query, "n", v, sizeof v)) {
				n = strtol(v, &end, 10);
				if (*end || n < 1 || n > 100000) {
					error(c, 400, "n must be 1..100000");
					return;
				}
			}
			sim_run_steps(n);
			if (!sim.paused)
				sim.clock_steps0 += n;
			else
				sim_flush_pending();
		}
		log_info("control", "action=%s steps=%lld", p, (long long)sim.steps);
		sb_init(&b);
		sb_printf(&b, "{\"ok\":true,\"paused\":%s,\"steps\":%lld}", sim.paused ? "true" : "false",
		    (long long)sim.steps);
		answer(c, 200, &b);
		sb_free(&b);
		return;
	}
	error(c, 404, "unknown control endpoint (book, stats, info, pause, resume, step, fault)");
}
