/*
 * mpctl_child - a stand-in daemon for the mpctl tests.  The tests link it
 * under the names of the real daemons (stored, routerd, bookd, feedd, mpsim)
 * in a directory given to mpctl as [mpctl] bin_dir, so mpctl starts it with
 * exactly the command line and environment a real daemon gets.
 *
 * Its behaviour is steered by files in $MPCHILD_DIR (NAME = $MP_PROCESS,
 * e.g. feedd.binance):
 *   NAME.fail      exit at once with the code written in it (before ready)
 *   NAME.noready   never signal readiness
 *   NAME.hang      ignore SIGTERM (the launcher must SIGKILL)
 *   NAME.metrics   lines "counter|gauge NAME LABELS VALUE" or
 *                  "hist NAME LABELS VALUE_NS COUNT", re-read every 100 ms:
 *                  the metric is set to VALUE / observed until COUNT values
 *   NAME.publish   a NATS url: publish an orderbook.snapshot message per book
 *                  (every 0.5 s) and an orderbook.full of 300 levels a side
 *                  with an exact range (every 1 s)
 *                  of [instruments] every 500 ms (for the live page test)
 *   NAME.produce   "RING COUNT": write COUNT records into RING as its producer
 *                  (nobody reads them in these tests: ring lag, backlog alert)
 *   NAME.subscribe "URL SUBJECT FILE": append every message on SUBJECT to FILE
 *   NAME.spam      N: write N log lines of 100 bytes at start (log rotation)
 *   NAME.deltas    "RING COUNT EXCH_NS BOOK_NS": write COUNT REC_DELTA records,
 *                  5 per 100 ms, with recv - exch = EXCH_NS and
 *                  stage_ns[STAGE_BOOK] - recv = BOOK_NS (mpctl's latency probes)
 * and it appends "start NAME PID", "ready NAME PID", "term NAME PID" lines
 * to $MPCHILD_DIR/events (one write each, O_APPEND: the file is the order in
 * which things happened) and writes its argv to NAME.argv.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nats/nats.h>

#include "daemon.h"
#include "log.h"
#include "metrics.h"
#include "pipe.h"
#include "rec.h"

static const char *dir, *name;

static void
event(const char *what)
{
	char path[1024], line[256];
	int fd, n;

	snprintf(path, sizeof path, "%s/events", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0)
		return;
	n = snprintf(line, sizeof line, "%s %s %d\n", what, name, (int)getpid());
	if (write(fd, line, (size_t)n) != n)
		log_warn("short write", NULL);
	close(fd);
}

static int
has(const char *suffix, char *buf, size_t cap)
{
	char path[1024];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "%s/%s.%s", dir, name, suffix);
	if (!(f = fopen(path, "r")))
		return 0;
	n = buf ? fread(buf, 1, cap - 1, f) : 0;
	if (buf)
		buf[n] = 0;
	fclose(f);
	return 1;
}

struct hist_done {
	char key[300];
	long long done;
};

static void
apply_metrics(struct metrics *m, struct hist_done *hd, int *nhd)
{
	char path[1024], line[512], kind[16], mname[64], labels[200], key[300];
	long long v, cnt;
	FILE *f;
	int i, k;

	snprintf(path, sizeof path, "%s/%s.metrics", dir, name);
	if (!(f = fopen(path, "r")))
		return;
	while (fgets(line, sizeof line, f)) {
		cnt = 0;
		k = sscanf(line, "%15s %63s %199s %lld %lld", kind, mname, labels, &v, &cnt);
		if (k < 4)
			continue;
		if (strcmp(labels, "-") == 0)
			labels[0] = 0;
		if (strcmp(kind, "counter") == 0)
			atomic_store_explicit(metrics_counter(m, mname, labels, "test"), (uint64_t)v, memory_order_relaxed);
		else if (strcmp(kind, "gauge") == 0)
			metric_set(metrics_gauge(m, mname, labels, "test"), v);
		else if (strcmp(kind, "hist") == 0 && k == 5) {
			struct metric_hist *h = metrics_hist(m, mname, labels, "test");
			snprintf(key, sizeof key, "%s{%s}%lld", mname, labels, v);
			for (i = 0; i < *nhd; i++)
				if (strcmp(hd[i].key, key) == 0)
					break;
			if (i == *nhd) {
				if (*nhd >= 64)
					continue;
				snprintf(hd[i].key, sizeof hd[i].key, "%s", key);
				hd[i].done = 0;
				(*nhd)++;
			}
			for (; hd[i].done < cnt; hd[i].done++)
				metric_observe(h, v);
		}
	}
	fclose(f);
}

static void
produce(const struct cfg *c, const char *spec)
{
	char ring[64], err[256], payload[64];
	struct ring *r;
	long n, i;

	if (sscanf(spec, "%63s %ld", ring, &n) != 2)
		return;
	if (pipe_ring_open(c, ring, RING_PRODUCER, &r, err, sizeof err) != 0) {
		log_error("cannot open ring", "ring=%s err=%s", ring, log_q(err));
		return;
	}
	memset(payload, 'x', sizeof payload);
	for (i = 0; i < n; i++)
		if (ring_write(r, 7, payload, sizeof payload) != RING_OK)
			break;
	log_info("produced", "ring=%s records=%ld", ring, i);
	ring_close(r);
}

struct deltas {
	struct ring *r;
	long left;
	int64_t exch_ns, book_ns;
};

static void
deltas_open(const struct cfg *c, const char *spec, struct deltas *d)
{
	char ring[64], err[256];

	if (sscanf(spec, "%63s %ld %lld %lld", ring, &d->left, (long long *)&d->exch_ns, (long long *)&d->book_ns) != 4 ||
	    pipe_ring_open(c, ring, RING_PRODUCER, &d->r, err, sizeof err) != 0) {
		log_error("bad deltas spec or ring", "spec=%s", log_q(spec));
		d->r = NULL;
	}
}

static void
deltas_step(struct deltas *d)
{
	struct rec_delta rd;
	int i;

	for (i = 0; i < 5 && d->r && d->left > 0; i++, d->left--) {
		memset(&rd, 0, sizeof rd);
		rd.h.type = REC_DELTA;
		rd.h.len = sizeof rd;
		rd.h.first_id = rd.h.last_id = rd.h.prev_id = -1;
		rd.h.recv_ns = now_ns();
		rd.h.exch_ns = rd.h.recv_ns - d->exch_ns;
		rd.h.stage_ns[STAGE_BOOK] = rd.h.recv_ns + d->book_ns;
		ring_write(d->r, REC_DELTA, &rd, sizeof rd);
	}
}

static FILE *sub_out;

static void
on_msg(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *ud)
{
	(void)nc;
	(void)sub;
	(void)ud;
	fprintf(sub_out, "%s %.*s\n", natsMsg_GetSubject(msg), natsMsg_GetDataLength(msg), natsMsg_GetData(msg));
	fflush(sub_out);
	natsMsg_Destroy(msg);
}

/* An orderbook.full of FULL_LEVELS levels a side, the exact range ending at
 * level FULL_EXACT of each side (the page test shades it). */
#define FULL_LEVELS 300
#define FULL_EXACT 199
static void
publish_full(natsConnection *nc, const char *ex, const char *sym, const char *lower, double mid)
{
	static char body[65536];
	char subj[128];
	int k, len;

	snprintf(subj, sizeof subj, "orderbook.full.%s.%s", ex, lower);
	len = snprintf(body, sizeof body, "{\"exchange_name\":\"%s\",\"symbol_name\":\"%s\","
	    "\"update_type\":\"full_refresh\",\"depth_levels\":%d,\"timestamp\":\"2026-01-01T00:00:00.000Z\","
	    "\"bid_exact_floor\":\"%.2f\",\"ask_exact_ceil\":\"%.2f\",\"bids\":[", ex, sym, 2 * FULL_LEVELS,
	    mid - 0.5 - FULL_EXACT, mid + 0.5 + FULL_EXACT);
	for (k = 0; k < FULL_LEVELS; k++)
		len += snprintf(body + len, sizeof body - (size_t)len, "%s{\"price\":\"%.2f\",\"quantity\":\"%.3f\"}",
		    k ? "," : "", mid - 0.5 - k, 1.0 + (k % 7) * 0.25);
	len += snprintf(body + len, sizeof body - (size_t)len, "],\"asks\":[");
	for (k = 0; k < FULL_LEVELS; k++)
		len += snprintf(body + len, sizeof body - (size_t)len, "%s{\"price\":\"%.2f\",\"quantity\":\"%.3f\"}",
		    k ? "," : "", mid + 0.5 + k, 0.5 + (k % 5) * 0.5);
	len += snprintf(body + len, sizeof body - (size_t)len, "]}");
	natsConnection_Publish(nc, subj, body, len);
}

static void
publish_books(natsConnection *nc, const struct cfg *c, long tick)
{
	const char *ex[] = {"binance", "okx"}, *syms[16];
	char subj[128], lower[32], body[4096];
	int e, i, n, k, len;
	double mid;

	for (e = 0; e < 2; e++) {
		n = cfg_list(c, "instruments", ex[e], syms, 16);
		for (i = 0; i < n && i < 16; i++) {
			for (k = 0; syms[i][k] && k < 31; k++)
				lower[k] = (char)(syms[i][k] >= 'A' && syms[i][k] <= 'Z' ? syms[i][k] + 32 : syms[i][k]);
			lower[k] = 0;
			snprintf(subj, sizeof subj, "orderbook.snapshot.%s.%s", ex[e], lower);
			mid = 50000.0 + (double)(tick % 10);
			len = snprintf(body, sizeof body, "{\"exchange_name\":\"%s\",\"symbol_name\":\"%s\","
			    "\"update_type\":\"snapshot\",\"depth_levels\":20,\"timestamp\":\"2026-01-01T00:00:00.000Z\","
			    "\"bids\":[", ex[e], syms[i]);
			for (k = 0; k < 20; k++)
				len += snprintf(body + len, sizeof body - (size_t)len, "%s{\"price\":\"%.2f\",\"quantity\":\"%.3f\"}",
				    k ? "," : "", mid - 0.5 - k, 1.0 + k * 0.5);
			len += snprintf(body + len, sizeof body - (size_t)len, "],\"asks\":[");
			for (k = 0; k < 20; k++)
				len += snprintf(body + len, sizeof body - (size_t)len, "%s{\"price\":\"%.2f\",\"quantity\":\"%.3f\"}",
				    k ? "," : "", mid + 0.5 + k, 1.0 + k * 0.4);
			len += snprintf(body + len, sizeof body - (size_t)len, "]}");
			natsConnection_Publish(nc, subj, body, len);
			if (tick % 10 == 0)
				publish_full(nc, ex[e], syms[i], lower, mid);
		}
	}
}

int
main(int argc, char **argv)
{
	static struct hist_done hd[64];
	char buf[256], prefix[128], err[256], path[1024];
	struct metrics *m;
	natsConnection *nc = NULL, *snc = NULL;
	natsSubscription *sub = NULL;
	struct deltas dl = {0};
	struct cfg *c;
	int i, nhd = 0, hang, ready = 0;
	long tick = 0;
	FILE *f;

	dir = getenv("MPCHILD_DIR");
	name = getenv("MP_PROCESS");
	if (!name)
		name = argv[0];
	/* The command line exactly as the launcher gave it, before parsing. */
	snprintf(path, sizeof path, "%s/%s.argv", dir ? dir : ".", name);
	if (dir && (f = fopen(path, "w"))) {
		for (i = 0; i < argc; i++)
			fprintf(f, "%s\n", argv[i]);
		fclose(f);
	}
	c = daemon_start(name, "usage: mpctl_child [--exchange X] (a stand-in daemon for tests)\n", &argc, argv);
	if (!dir) {
		fprintf(stderr, "MPCHILD_DIR not set\n");
		return 1;
	}
	daemon_signals();
	event("start");
	if (has("fail", buf, sizeof buf)) {
		log_error("failing on purpose", "code=%d", atoi(buf));
		cfg_free(c);
		return atoi(buf);
	}
	hang = has("hang", NULL, 0);
	if (hang)
		signal(SIGTERM, SIG_IGN);
	pipe_prefix(c, prefix, sizeof prefix);
	m = metrics_open(prefix, name, err, sizeof err);
	if (!m) {
		log_error("metrics_open failed", "err=%s", log_q(err));
		return 1;
	}
	if (has("publish", buf, sizeof buf)) {
		buf[strcspn(buf, "\n")] = 0;
		if (natsConnection_ConnectTo(&nc, buf) != NATS_OK)
			nc = NULL;
	}
	if (has("spam", buf, sizeof buf))
		for (i = atoi(buf); i > 0; i--)
			log_info("spam", "line=%08d pad=%s", i, "................................................");
	if (has("produce", buf, sizeof buf))
		produce(c, buf);
	if (has("deltas", buf, sizeof buf))
		deltas_open(c, buf, &dl);
	if (has("subscribe", buf, sizeof buf)) {
		char url[128], subject[128], out[512];
		if (sscanf(buf, "%127s %127s %511s", url, subject, out) == 3 && (sub_out = fopen(out, "a")) &&
		    natsConnection_ConnectTo(&snc, url) == NATS_OK)
			natsConnection_Subscribe(&sub, snc, subject, on_msg, NULL);
	}
	while (!daemon_stop) {
		if (!ready && !has("noready", NULL, 0)) {
			event("ready");
			daemon_ready();
			ready = 1;
		}
		apply_metrics(m, hd, &nhd);
		deltas_step(&dl);
		metrics_heartbeat(m);
		if (nc && tick % 5 == 0)
			publish_books(nc, c, tick);
		tick++;
		usleep(100000);
	}
	event("term");
	if (dl.r)
		ring_close(dl.r);
	if (nc)
		natsConnection_Destroy(nc);
	if (sub)
		natsSubscription_Destroy(sub);
	if (snc)
		natsConnection_Destroy(snc);
	metrics_close(m);
	cfg_free(c);
	return 0;
}
