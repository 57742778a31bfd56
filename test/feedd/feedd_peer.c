/*
 * feedd_peer - a bookd stand-in for feedd's tests: consumes feed.<exchange>
 * (and raw.<exchange> with --raw), checks and counts every record, and
 * produces REC_CONTROL requests on ctl.<exchange> from commands read on a
 * FIFO.  Its counters are written as one JSON object to --stats FILE
 * (atomically, every 100 ms and at exit) for the shell tests to assert on.
 *
 *   feedd_peer -c CONF --exchange binance --stats FILE [--cmd FIFO] [--raw]
 *
 * Commands (one per line on the FIFO):
 *   chain INST DEPTH COUNT    COUNT snapshot requests, each sent when the
 *                             previous one was answered (snapshot or failure)
 *   burst INST DEPTH COUNT    COUNT snapshot requests at once
 *   deep INST DEPTH | resubscribe INST | reconnect
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "cfg_schemas.h"
#include "log.h"
#include "pipe.h"
#include "rec.h"
#include "ring.h"

#define MAXREQ 65536
#define NCODE 64

static volatile sig_atomic_t g_stop;

static struct {
	uint64_t records, bad, seq_errors, gaps, lost;
	uint64_t by_type[REC_TYPE_MAX + 1];
	uint64_t snap_kind[6];
	uint64_t ev[NCODE];
	/* per instrument id 0 .. g_imax, allocated from [system] max_instruments */
	uint64_t *inst_delta, *inst_trade, *inst_ticker, *inst_kline, *inst_snap_ws;
	uint64_t heartbeats, stage_missing;
	uint64_t id_gaps, id_dups, id_resets;   /* venue sequence breaks seen in deltas */
	int64_t *last_id;
	uint64_t sent, ok, failed, dup_answers;
	uint64_t snap_bids_max, snap_asks_max;
	/* the last REST snapshot answer, all its chunks (a named test checks it) */
	int64_t rest_last_id;
	uint64_t rest_inst, rest_bids, rest_asks, rest_chunks, rest_nchunks;
	uint64_t raw, raw_ws, raw_rest, raw_bad;
	int64_t last_fail_status;
	uint64_t rate_limited_ms_max;
	uint64_t ev_wrong_exchange;     /* events not naming the ring's venue */
	uint64_t parse_error_named;     /* parse errors naming an instrument */
} S;
static int g_exch;                      /* enum exch_id of --exchange */

static uint8_t g_req[MAXREQ];   /* 0 never sent, 1 sent, 2 snapshot, 3 failed */
static uint32_t g_next_req = 1;

struct chain {
	uint32_t inst, depth, left, waiting;   /* waiting = req_id in flight */
};
static struct chain *g_chain;          /* per instrument id 0 .. g_imax */
static int g_imax;

static struct ring *g_ctl;

static void
on_sig(int s)
{
	(void)s;
	g_stop = 1;
}

static void
send_ctl(uint16_t op, uint32_t inst, uint32_t depth, uint32_t req_id)
{
	struct rec_control c;

	memset(&c, 0, sizeof c);
	rec_hdr_init(&c.h, REC_CONTROL, inst, sizeof c);
	c.op = op;
	c.req_id = req_id;
	c.depth = depth;
	snprintf(c.reason, sizeof c.reason, "feedd_peer");
	if (ring_write(g_ctl, REC_CONTROL, &c, sizeof c) != RING_OK)
		fprintf(stderr, "feedd_peer: ctl ring write failed\n");
	if (op == CTL_SNAPSHOT && req_id < MAXREQ) {
		g_req[req_id] = 1;
		S.sent++;
	}
}

static uint32_t
new_req(void)
{
	uint32_t id = g_next_req++;

	if (g_next_req >= MAXREQ)
		g_next_req = 1;
	return id;
}

static void
chain_step(uint32_t inst)
{
	struct chain *ch = &g_chain[inst];

	if (ch->waiting || !ch->left)
		return;
	ch->left--;
	ch->waiting = new_req();
	send_ctl(CTL_SNAPSHOT, inst, ch->depth, ch->waiting);
}

static void
answered(uint32_t req_id, int ok)
{
	if (req_id == 0 || req_id >= MAXREQ)
		return;
	if (g_req[req_id] == 2 || g_req[req_id] == 3)
		S.dup_answers++;
	else if (g_req[req_id] == 1) {
		if (ok)
			S.ok++;
		else
			S.failed++;
	}
	g_req[req_id] = ok ? 2 : 3;
	for (int i = 0; i <= g_imax; i++)
		if (g_chain[i].waiting == req_id) {
			g_chain[i].waiting = 0;
			chain_step((uint32_t)i);
		}
}

static void
command(char *line)
{
	unsigned inst = 0, depth = 0, count = 0;
	char op[32];

	if (sscanf(line, "%31s %u %u %u", op, &inst, &depth, &count) < 1)
		return;
	if (inst > (uint32_t)g_imax)
		return;
	if (strcmp(op, "chain") == 0) {
		g_chain[inst].inst = inst;
		g_chain[inst].depth = depth;
		g_chain[inst].left += count;
		chain_step(inst);
	} else if (strcmp(op, "burst") == 0) {
		for (unsigned i = 0; i < count; i++)
			send_ctl(CTL_SNAPSHOT, inst, depth, new_req());
	} else if (strcmp(op, "deep") == 0) {
		send_ctl(CTL_DEEP, inst, depth, 0);
	} else if (strcmp(op, "resubscribe") == 0) {
		send_ctl(CTL_RESUBSCRIBE, inst, 0, new_req());
	} else if (strcmp(op, "reconnect") == 0) {
		send_ctl(CTL_RECONNECT, 0, 0, 0);
	} else {
		fprintf(stderr, "feedd_peer: unknown command %s\n", op);
	}
}

static void
handle_feed(const struct ring_msg *m)
{
	const struct rec_hdr *h = m->data;
	char err[160];

	if (m->type == RING_T_GAP) {
		const struct ring_gap *g = m->data;
		S.gaps++;
		S.lost += g->count;
		return;
	}
	if (rec_check(m->data, m->len, err, sizeof err) != 0 || h->type != m->type) {
		S.bad++;
		fprintf(stderr, "feedd_peer: bad record: %s\n", err);
		return;
	}
	S.records++;
	S.by_type[h->type]++;
	if (h->stage_ns[STAGE_FEED] == 0 || h->recv_ns == 0)
		S.stage_missing++;
	if (h->inst > (uint32_t)g_imax)
		return;
	switch (h->type) {
	case REC_DELTA:
		/* feedd must forward the venue's sequence as it is: breaks are
		 * bookd's to see (Binance U == last u + 1; OKX prev == last seq) */
		if (S.last_id[h->inst]) {
			int64_t last = S.last_id[h->inst];
			if (h->prev_id == -1 ? h->first_id > last + 1 : h->prev_id != last)
				S.id_gaps++;
			else if (h->prev_id == -1 && h->last_id <= last)
				S.id_dups++;
			else if (h->prev_id != -1 && h->last_id < h->prev_id)
				S.id_resets++;
		}
		if (h->prev_id != -1 || h->last_id > S.last_id[h->inst])
			S.last_id[h->inst] = h->last_id;
		S.inst_delta[h->inst]++;
		if (h->flags & REC_F_HEARTBEAT)
			S.heartbeats++;
		break;
	case REC_TRADE:
		S.inst_trade[h->inst]++;
		break;
	case REC_TICKER:
		S.inst_ticker[h->inst]++;
		break;
	case REC_KLINE:
		S.inst_kline[h->inst]++;
		break;
	case REC_SNAPSHOT: {
		const struct rec_snapshot *s = m->data;
		if (s->kind < 6)
			S.snap_kind[s->kind]++;
		if (s->kind == SNAP_WS) {
			S.inst_snap_ws[h->inst]++;
			S.last_id[h->inst] = h->last_id;
		}
		if (s->chunk == 0 && s->kind == SNAP_REST)
			answered(s->req_id, 1);
		if (s->kind == SNAP_REST) {
			if (s->chunk == 0) {
				S.rest_bids = S.rest_asks = 0;
				S.rest_inst = h->inst;
				S.rest_last_id = h->last_id;
				S.rest_chunks = 0;
				S.rest_nchunks = s->nchunks;
			}
			S.rest_chunks++;
			S.rest_bids += s->n_bids;
			S.rest_asks += s->n_asks;
		}
		if (s->n_bids > S.snap_bids_max)
			S.snap_bids_max = s->n_bids;
		if (s->n_asks > S.snap_asks_max)
			S.snap_asks_max = s->n_asks;
		break;
	}
	case REC_EVENT: {
		const struct rec_event *e = m->data;
		if (e->code < NCODE)
			S.ev[e->code]++;
		if (e->exch != g_exch)
			S.ev_wrong_exchange++;
		if (e->code == EV_PARSE_ERROR && e->h.inst != 0)
			S.parse_error_named++;
		if (e->code == EV_SNAPSHOT_FAILED) {
			S.last_fail_status = e->a;
			answered(e->h.aux, 0);
		}
		if (e->code == EV_RATE_LIMITED && (uint64_t)e->a > S.rate_limited_ms_max)
			S.rate_limited_ms_max = (uint64_t)e->a;
		break;
	}
	default:
		break;
	}
}

static void
handle_raw(const struct ring_msg *m)
{
	const struct rec_raw *r = m->data;
	char err[160];

	if (m->type == RING_T_GAP)
		return;
	if (rec_check(m->data, m->len, err, sizeof err) != 0 || r->h.type != REC_RAW) {
		S.raw_bad++;
		return;
	}
	S.raw++;
	if (r->source == RAW_WS)
		S.raw_ws++;
	else
		S.raw_rest++;
}

static void
write_stats(const char *path)
{
	char tmp[512];
	FILE *fp;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (!(fp = fopen(tmp, "w")))
		return;
	fprintf(fp, "{\"records\":%llu,\"bad\":%llu,\"seq_errors\":%llu,\"gaps\":%llu,\"lost\":%llu,"
	    "\"stage_missing\":%llu,\"heartbeats\":%llu,\"id_gaps\":%llu,\"id_dups\":%llu,\"id_resets\":%llu",
	    (unsigned long long)S.records, (unsigned long long)S.bad, (unsigned long long)S.seq_errors,
	    (unsigned long long)S.gaps, (unsigned long long)S.lost, (unsigned long long)S.stage_missing,
	    (unsigned long long)S.heartbeats, (unsigned long long)S.id_gaps, (unsigned long long)S.id_dups,
	    (unsigned long long)S.id_resets);
	for (int t = 1; t <= REC_TYPE_MAX; t++)
		fprintf(fp, ",\"%s\":%llu", rec_type_name((uint16_t)t), (unsigned long long)S.by_type[t]);
	for (int k = 1; k < 6; k++)
		fprintf(fp, ",\"snap_%s\":%llu", snap_kind_name((uint8_t)k), (unsigned long long)S.snap_kind[k]);
	for (int c = 1; c < NCODE; c++)
		if (strcmp(ev_code_name((uint16_t)c), "unknown") != 0 && strcmp(ev_code_name((uint16_t)c), "?") != 0)
			fprintf(fp, ",\"ev_%s\":%llu", ev_code_name((uint16_t)c), (unsigned long long)S.ev[c]);
	for (int i = 1; i <= g_imax; i++) {
		if (!S.inst_delta[i] && !S.inst_trade[i] && !S.inst_ticker[i] && !S.inst_kline[i] && !S.inst_snap_ws[i])
			continue;
		fprintf(fp, ",\"delta_%d\":%llu,\"trade_%d\":%llu,\"ticker_%d\":%llu,\"kline_%d\":%llu,\"snap_ws_%d\":%llu",
		    i, (unsigned long long)S.inst_delta[i], i, (unsigned long long)S.inst_trade[i],
		    i, (unsigned long long)S.inst_ticker[i], i, (unsigned long long)S.inst_kline[i],
		    i, (unsigned long long)S.inst_snap_ws[i]);
	}
	fprintf(fp, ",\"sent\":%llu,\"ok\":%llu,\"failed\":%llu,\"dup_answers\":%llu,\"last_fail_status\":%lld,"
	    "\"snap_bids_max\":%llu,\"snap_asks_max\":%llu,\"rate_limited_ms_max\":%llu,"
	    "\"rest_inst\":%llu,\"rest_last_id\":%lld,\"rest_bids\":%llu,\"rest_asks\":%llu,"
	    "\"rest_chunks\":%llu,\"rest_nchunks\":%llu,\"raw\":%llu,\"raw_ws\":%llu,\"raw_rest\":%llu,\"raw_bad\":%llu,"
	    "\"ev_wrong_exchange\":%llu,\"parse_error_named\":%llu}\n",
	    (unsigned long long)S.sent, (unsigned long long)S.ok, (unsigned long long)S.failed,
	    (unsigned long long)S.dup_answers, (long long)S.last_fail_status,
	    (unsigned long long)S.snap_bids_max, (unsigned long long)S.snap_asks_max,
	    (unsigned long long)S.rate_limited_ms_max,
	    (unsigned long long)S.rest_inst, (long long)S.rest_last_id, (unsigned long long)S.rest_bids,
	    (unsigned long long)S.rest_asks, (unsigned long long)S.rest_chunks,
	    (unsigned long long)S.rest_nchunks,
	    (unsigned long long)S.raw, (unsigned long long)S.raw_ws, (unsigned long long)S.raw_rest,
	    (unsigned long long)S.raw_bad, (unsigned long long)S.ev_wrong_exchange,
	    (unsigned long long)S.parse_error_named);
	fclose(fp);
	rename(tmp, path);
}

static int
drain(struct ring *r, uint64_t *cur, uint64_t *last_seq, void (*fn)(const struct ring_msg *))
{
	struct ring_msg m;
	int n = 0, rc;

	while ((rc = ring_next(r, cur, &m)) == 1) {
		if (*last_seq && m.seq != *last_seq + 1 && m.type != RING_T_GAP)
			S.seq_errors++;
		*last_seq = m.type == RING_T_GAP ? m.seq : m.seq;
		fn(&m);
		n++;
	}
	if (n)
		ring_release(r, *cur);
	if (rc < 0)
		S.seq_errors++;
	return n;
}

int
main(int argc, char **argv)
{
	struct cfg_cli cli;
	struct cfg *cfg;
	struct ring *feed = NULL, *raw = NULL;
	const char *exchange = NULL, *stats = NULL, *cmd = NULL;
	char err[512], name[32], line[512];
	uint64_t fcur, rcur = 0, fseq = 0, rseq = 0;
	int n, want_raw = 0, cfd = -1;
	size_t llen = 0;
	int64_t last_write = 0;

	n = cfg_cli_parse(argc, argv, &cli, err, sizeof err);
	if (n < 0) {
		fprintf(stderr, "feedd_peer: %s\n", err);
		return 2;
	}
	for (int i = 1; i < n; i++) {
		if (strcmp(argv[i], "--exchange") == 0 && i + 1 < n)
			exchange = argv[++i];
		else if (strcmp(argv[i], "--stats") == 0 && i + 1 < n)
			stats = argv[++i];
		else if (strcmp(argv[i], "--cmd") == 0 && i + 1 < n)
			cmd = argv[++i];
		else if (strcmp(argv[i], "--raw") == 0)
			want_raw = 1;
		else {
			fprintf(stderr, "usage: feedd_peer -c CONF --exchange X --stats FILE [--cmd FIFO] [--raw]\n");
			return 2;
		}
	}
	if (cli.help || !exchange || !stats) {
		fprintf(stderr, "usage: feedd_peer -c CONF --exchange X --stats FILE [--cmd FIFO] [--raw]\n");
		return cli.help ? 0 : 2;
	}
	log_init("feedd_peer");
	g_exch = exch_parse(exchange);
	cfg = cfg_load(cli.conf, cfg_all_schemas, cli.sets, cli.nsets, err, sizeof err);
	if (!cfg) {
		fprintf(stderr, "feedd_peer: %s\n", err);
		return 2;
	}
	g_imax = (int)cfg_int(cfg, "system", "max_instruments");
	S.inst_delta = calloc((size_t)g_imax + 1, sizeof *S.inst_delta);
	S.inst_trade = calloc((size_t)g_imax + 1, sizeof *S.inst_trade);
	S.inst_ticker = calloc((size_t)g_imax + 1, sizeof *S.inst_ticker);
	S.inst_kline = calloc((size_t)g_imax + 1, sizeof *S.inst_kline);
	S.inst_snap_ws = calloc((size_t)g_imax + 1, sizeof *S.inst_snap_ws);
	S.last_id = calloc((size_t)g_imax + 1, sizeof *S.last_id);
	g_chain = calloc((size_t)g_imax + 1, sizeof *g_chain);
	if (!S.inst_delta || !S.inst_trade || !S.inst_ticker || !S.inst_kline || !S.inst_snap_ws || !S.last_id ||
	    !g_chain) {
		fprintf(stderr, "feedd_peer: out of memory\n");
		return 1;
	}
	snprintf(name, sizeof name, "feed.%s", exchange);
	if (pipe_ring_open(cfg, name, RING_CONSUMER, &feed, err, sizeof err) != 0) {
		fprintf(stderr, "feedd_peer: %s: %s\n", name, err);
		return 1;
	}
	snprintf(name, sizeof name, "ctl.%s", exchange);
	if (pipe_ring_open(cfg, name, RING_PRODUCER, &g_ctl, err, sizeof err) != 0) {
		fprintf(stderr, "feedd_peer: %s: %s\n", name, err);
		return 1;
	}
	if (want_raw) {
		snprintf(name, sizeof name, "raw.%s", exchange);
		if (pipe_ring_open(cfg, name, RING_CONSUMER, &raw, err, sizeof err) != 0) {
			fprintf(stderr, "feedd_peer: %s: %s\n", name, err);
			return 1;
		}
		rcur = ring_head(raw);
	}
	if (cmd && (cfd = open(cmd, O_RDWR | O_NONBLOCK)) < 0) {
		fprintf(stderr, "feedd_peer: %s: %s\n", cmd, strerror(errno));
		return 1;
	}
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	fcur = ring_head(feed);
	while (!g_stop) {
		int64_t now = mono_ns();
		drain(feed, &fcur, &fseq, handle_feed);
		if (raw)
			drain(raw, &rcur, &rseq, handle_raw);
		if (cfd >= 0) {
			ssize_t r = read(cfd, line + llen, sizeof line - 1 - llen);
			if (r > 0) {
				char *nl;
				llen += (size_t)r;
				line[llen] = 0;
				while ((nl = strchr(line, '\n'))) {
					*nl = 0;
					command(line);
					llen -= (size_t)(nl + 1 - line);
					memmove(line, nl + 1, llen + 1);
				}
				if (llen == sizeof line - 1)
					llen = 0;
			}
		}
		if (now - last_write > 100000000) {
			write_stats(stats);
			ring_heartbeat(feed);
			ring_heartbeat(g_ctl);
			last_write = now;
		}
		ring_wait(feed, fcur, 20);
	}
	drain(feed, &fcur, &fseq, handle_feed);
	write_stats(stats);
	ring_close(feed);
	ring_close(g_ctl);
	if (raw)
		ring_close(raw);
	cfg_free(cfg);
	return 0;
}
