/*
 * alerts.c - the requirement's alert rules, evaluated every tick over a
 * sliding window of the collected counters:
 *
 *   data_loss        missing updates > data_loss of expected updates, by the venue's
 *                    ids (per book, loss.c); per ring: its drops > data_loss of its records
 *   latency_high     p95 of a stage's latency > latency_high (exchange->receive per
 *                    exchange, processing, receive->publish, receive->stored)
 *   checksum_fail    failed OKX checksums > checksum_fail of checks     (per book)
 *   connection_lost  an exchange/NATS connection (or its process) down longer than connection_lost
 *   stream_backlog   a JetStream consumer or the router ring holds > stream_backlog messages
 *   process_failed   a child was given up (restart-intensity limit or fatal exit code)
 *
 * An alert is an instance of a rule with labels.  Changes (firing,
 * resolved) are logged and published to <subject_prefix>.<rule>; a firing
 * alert is published again every `repeat`.  Counters are differenced against
 * the oldest sample inside the window, so a daemon restart (metrics files
 * survive restarts) does not fake a burst.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inst.h"
#include "log.h"
#include "mpctl.h"

#define AL_MAX 128

enum { R_DATA_LOSS, R_LATENCY, R_CHECKSUM, R_CONN, R_BACKLOG, R_PROC, R_RING_CORRUPT, R_STORE_WRITE, R_N };
static const char *rule_names[R_N] = {
	"data_loss", "latency_high", "checksum_fail", "connection_lost", "stream_backlog", "process_failed",
	"ring_corrupt", "store_write_failed",
};

struct alert {
	int rule;
	char labels[160];       /* 'exchange="okx"' */
	int firing;
	int seen;               /* the condition held this tick */
	int64_t since_ns;       /* CLOCK_REALTIME when it started firing */
	int64_t down_mono;      /* connection_lost: when the condition began */
	int64_t pub_mono;       /* last publish */
	double value, threshold;
	char msg[200];
};

struct alert_state {
	int enabled;
	int64_t window, repeat, conn_grace;
	double loss_max, cks_max;
	int64_t lat_max_ns;
	int64_t backlog_max;
	char sev[R_N][16];
	char subject_prefix[128];
	struct alert al[AL_MAX];
	int nal;
	struct series_set ser;
};

/* "0.1%", "0.001" -> 0.001 */
static int
parse_share(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s)
		return -1;
	while (*end == ' ')
		end++;
	if (*end == '%') {
		v /= 100;
		end++;
	}
	if (*end || !isfinite(v) || v < 0 || v > 1)
		return -1;
	*out = v;
	return 0;
}

static int
valid_sev(const char *s)
{
	return !strcmp(s, "info") || !strcmp(s, "warning") || !strcmp(s, "error") || !strcmp(s, "critical");
}

int
alerts_init(struct ctl *c, char *err, size_t errlen)
{
	struct alert_state *a;
	char key[64];
	int r;

	if (!(a = calloc(1, sizeof *a))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->alerts = a;
	series_init(&a->ser, cfg_dur_ns(c->cfg, "alerts", "window"), cfg_dur_ns(c->cfg, "mpctl", "metrics_interval"));
	a->enabled = cfg_bool(c->cfg, "alerts", "enabled");
	a->window = cfg_dur_ns(c->cfg, "alerts", "window");
	a->repeat = cfg_dur_ns(c->cfg, "alerts", "repeat");
	a->conn_grace = cfg_dur_ns(c->cfg, "alerts", "connection_lost");
	a->lat_max_ns = cfg_dur_ns(c->cfg, "alerts", "latency_high");
	a->backlog_max = cfg_int(c->cfg, "alerts", "stream_backlog");
	snprintf(a->subject_prefix, sizeof a->subject_prefix, "%s", cfg_str(c->cfg, "alerts", "subject_prefix"));
	if (parse_share(cfg_str(c->cfg, "alerts", "data_loss"), &a->loss_max) != 0) {
		snprintf(err, errlen, "%s: [alerts] data_loss = \"%s\": expected a share like 0.1%% or 0.001",
		    cfg_origin(c->cfg, "alerts", "data_loss"), cfg_str(c->cfg, "alerts", "data_loss"));
		return -1;
	}
	if (parse_share(cfg_str(c->cfg, "alerts", "checksum_fail"), &a->cks_max) != 0) {
		snprintf(err, errlen, "%s: [alerts] checksum_fail = \"%s\": expected a share like 1%% or 0.01",
		    cfg_origin(c->cfg, "alerts", "checksum_fail"), cfg_str(c->cfg, "alerts", "checksum_fail"));
		return -1;
	}
	for (r = 0; r < R_N; r++) {
		snprintf(key, sizeof key, "%s_severity", rule_names[r]);
		snprintf(a->sev[r], sizeof a->sev[r], "%s", cfg_str(c->cfg, "alerts", key));
		if (!valid_sev(a->sev[r])) {
			snprintf(err, errlen, "%s: [alerts] %s = \"%s\": expected info, warning, error or critical",
			    cfg_origin(c->cfg, "alerts", key), key, a->sev[r]);
			return -1;
		}
	}
	return 0;
}

void
alerts_free(struct ctl *c)
{
	struct alert_state *a = c->alerts;

	if (!a)
		return;
	series_free(&a->ser);
	free(a);
	c->alerts = NULL;
}

/* The increase of `key`'s cumulative value v over the window (series.c). */
static double
window_delta(struct ctl *c, const char *key, double v)
{
	return series_delta(&c->alerts->ser, key, c->tick_mono, v);
}

static double
metric_sum(struct ctl *c, const char *process, const char *name, const char *labels)
{
	const struct mview *m;
	double s = 0;
	int i;

	for (i = 0; (m = collect_find(c, process, name, labels, i)); i++)
		s += m->v.kind == METRIC_COUNTER ? (double)m->v.counter : (double)m->v.gauge;
	return s;
}

/* The doubling a histogram bucket lies in: 0 (<= 1 us), 1..HOCTAVES, then
 * +Inf.  The alert windows keep one series per doubling, not per bucket:
 * a p95 to compare with a threshold needs no finer grain, and four times
 * the series would outgrow the series table. */
#define WIN_N (METRICS_HOCTAVES + 2)

static int
win_of(int b)
{
	if (b == 0)
		return 0;
	if (b >= METRICS_HBUCKETS - 1)
		return WIN_N - 1;
	return (b - 1) / METRICS_HSUB + 1;
}

/* p95 of the histogram(s) over the window; -1 if no observations. */
static double
window_p95(struct ctl *c, const char *process, const char *name, const char *labels, const char *tag)
{
	struct metric_view w;
	const struct mview *m;
	char key[200];
	double cum[WIN_N] = {0}, win[WIN_N], cnt = 0, d;
	int i, b;

	for (i = 0; (m = collect_find(c, process, name, labels, i)); i++) {
		if (m->v.kind != METRIC_HIST)
			continue;
		for (b = 0; b < METRICS_HBUCKETS; b++)
			cum[win_of(b)] += (double)m->v.hist.bucket[b];
		cnt += (double)m->v.hist.count;
	}
	for (b = 0; b < WIN_N; b++) {
		snprintf(key, sizeof key, "%s|%s|b%d", name, tag, b);
		d = window_delta(c, key, cum[b]);
		win[b] = d > 0 ? d : 0;
	}
	/* Each doubling's count goes into every one of its buckets: the buckets
	 * of a doubling are equally wide, so the quantile interpolates linearly
	 * across the doubling (the counts are scaled alike, which a quantile
	 * does not see). */
	memset(&w, 0, sizeof w);
	w.kind = METRIC_HIST;
	for (b = 0; b < METRICS_HBUCKETS; b++) {
		w.hist.bucket[b] = (uint64_t)win[win_of(b)];
		w.hist.count += w.hist.bucket[b];
	}
	snprintf(key, sizeof key, "%s|%s|n", name, tag);
	window_delta(c, key, cnt);
	if (w.hist.count == 0)
		return -1;
	return metrics_quantile(&w, 0.95);
}

static struct alert *
get_alert(struct alert_state *a, int rule, const char *labels)
{
	int i;

	for (i = 0; i < a->nal; i++)
		if (a->al[i].rule == rule && strcmp(a->al[i].labels, labels) == 0)
			return &a->al[i];
	if (a->nal >= AL_MAX)
		return NULL;
	memset(&a->al[a->nal], 0, sizeof a->al[0]);
	a->al[a->nal].rule = rule;
	snprintf(a->al[a->nal].labels, sizeof a->al[0].labels, "%s", labels);
	return &a->al[a->nal++];
}

static json_t *
labels_json(const char *labels)
{
	json_t *o = json_object();
	const char *p = labels, *eq, *q;
	char k[64], v[128];

	while (p && *p) {
		while (*p == ',')
			p++;
		if (!(eq = strchr(p, '=')) || eq[1] != '"' || !(q = strchr(eq + 2, '"')))
			break;
		snprintf(k, sizeof k, "%.*s", (int)(eq - p), p);
		snprintf(v, sizeof v, "%.*s", (int)(q - eq - 2), eq + 2);
		json_object_set_new(o, k, json_string(v));
		p = q + 1;
	}
	return o;
}

static json_t *
alert_json(struct ctl *c, const struct alert *al, const char *state)
{
	struct alert_state *a = c->alerts;
	char ts[40];
	json_t *o;
	time_t s = (time_t)(al->since_ns / 1000000000LL);
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	o = json_pack("{s:s,s:s,s:s,s:f,s:f,s:o,s:s,s:s,s:s}", "rule", rule_names[al->rule],
	    "severity", a->sev[al->rule], "state", state, "value", isfinite(al->value) ? al->value : 0.0,
	    "threshold", al->threshold, "labels", labels_json(al->labels), "message", al->msg, "since", ts,
	    "instance", c->prefix);
	return o;
}

static void
publish(struct ctl *c, struct alert *al, const char *state)
{
	struct alert_state *a = c->alerts;
	char subject[200];
	json_t *o = alert_json(c, al, state);
	char *s;

	al->pub_mono = c->tick_mono;
	if (!o)
		return;
	json_object_set_new(o, "timestamp", json_integer((json_int_t)(now_ns() / 1000000)));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!s)
		return;
	snprintf(subject, sizeof subject, "%s.%s", a->subject_prefix, rule_names[al->rule]);
	if (c->nats_url[0])
		natsmon_publish_alert(subject, s);
	free(s);
}

/* The condition of (rule, labels) holds (or not) this tick. */
static void
condition(struct ctl *c, int rule, const char *labels, int holds, double value, double threshold, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static void
condition(struct ctl *c, int rule, const char *labels, int holds, double value, double threshold, const char *fmt, ...)
{
	struct alert *al = get_alert(c->alerts, rule, labels);
	va_list ap;

	if (!al)
		return;
	al->seen = 1;
	al->value = value;
	al->threshold = threshold;
	if (holds) {
		va_start(ap, fmt);
		vsnprintf(al->msg, sizeof al->msg, fmt, ap);
		va_end(ap);
	}
	if (holds && !al->firing) {
		al->firing = 1;
		al->since_ns = now_ns();
		log_line(strcmp(c->alerts->sev[rule], "critical") == 0 || strcmp(c->alerts->sev[rule], "error") == 0 ?
		    LOG_ERROR : LOG_WARN, "alert firing", "rule=%s severity=%s labels=%s value=%g threshold=%g message=%s",
		    rule_names[rule], c->alerts->sev[rule], log_q(labels), value, threshold, log_q(al->msg));
		publish(c, al, "firing");
	} else if (!holds && al->firing) {
		al->firing = 0;
		log_info("alert resolved", "rule=%s labels=%s value=%g", rule_names[rule], log_q(labels), value);
		publish(c, al, "resolved");
	} else if (holds && c->tick_mono - al->pub_mono >= c->alerts->repeat)
		publish(c, al, "firing");
}

static const struct ring_stat *
ring_named(struct ctl *c, const char *name)
{
	int i;

	for (i = 0; i < c->nrings; i++)
		if (c->ring_ok[i] && strcmp(c->ring_names[i], name) == 0)
			return &c->rings[i];
	return NULL;
}

static void
eval_loss(struct ctl *c)
{
	struct alert_state *a = c->alerts;
	const struct loss_fig *f;
	char lab[160], key[128];
	double share;
	int i;

	/* Per book: missing / expected updates by the venue's ids (loss.c). */
	for (i = 0; (f = loss_get(i)); i++) {
		if (!f->have)
			continue;
		snprintf(lab, sizeof lab, "exchange=\"%s\",symbol=\"%s\"", f->exchange, f->symbol);
		share = f->w_expected > 0 ? f->w_missing / f->w_expected : 0;
		condition(c, R_DATA_LOSS, lab, f->w_missing > 0 && share > a->loss_max, share, a->loss_max,
		    "%s %s: %.0f of %.0f updates missing in the last %llds (%.3f%%)", f->exchange, f->symbol,
		    f->w_missing, f->w_expected, (long long)(a->window / 1000000000LL), share * 100);
	}
	/* Every ring on its own: feed.* (bookd resyncs; the ids above count
	 * what it cost), book.* (what routerd and stored get), raw.* (the
	 * capture), ctl.* (bookd's requests). */
	for (i = 0; i < c->nrings; i++) {
		double wr, dr;
		if (!c->ring_ok[i])
			continue;
		snprintf(key, sizeof key, "wr|%s", c->ring_names[i]);
		wr = window_delta(c, key, (double)c->ring_since[i].written);
		snprintf(key, sizeof key, "drop|%s", c->ring_names[i]);
		dr = window_delta(c, key, (double)c->ring_since[i].dropped);
		snprintf(lab, sizeof lab, "ring=\"%s\"", c->ring_names[i]);
		share = wr + dr > 0 ? dr / (wr + dr) : 0;
		condition(c, R_DATA_LOSS, lab, dr > 0 && share > a->loss_max, share, a->loss_max,
		    "ring %s dropped %.0f of %.0f records in the last %llds", c->ring_names[i], dr, wr + dr,
		    (long long)(a->window / 1000000000LL));
	}
}

static void
eval_latency(struct ctl *c)
{
	struct alert_state *a = c->alerts;
	const struct venue *ve;
	int vit;
	double thr = (double)a->lat_max_ns, p;
	char lab[64];


	for (vit = 0; (ve = venue_next(&vit)); ) {
		snprintf(lab, sizeof lab, "exchange=\"%s\"", ve->name);
		if (!collect_find(c, NULL, "mp_feed_exchange_latency_seconds|mp_ctl_exchange_latency_seconds", lab, 0))
			continue;
		p = window_p95(c, NULL, "mp_feed_exchange_latency_seconds|mp_ctl_exchange_latency_seconds", lab,
		    ve->name);
		snprintf(lab, sizeof lab, "exchange=\"%s\",stage=\"exchange_receive\"", ve->name);
		condition(c, R_LATENCY, lab, p > thr, p / 1e6, thr / 1e6,
		    "%s exchange->receive p95 %.1f ms over %.0f ms", ve->name, p / 1e6, thr / 1e6);
	}
	/* The later stages, each against the same threshold. */
	static const struct { const char *proc, *name, *stage; } st[] = {
		{NULL, "mp_book_process_latency_seconds|mp_ctl_process_latency_seconds", "processing"},
		{"routerd", "mp_router_publish_latency_seconds", "receive_publish"},
		{"stored", "mp_store_latency_seconds", "receive_stored"},
	};
	for (int e = 0; e < (int)(sizeof st / sizeof st[0]); e++) {
		if (!collect_find(c, st[e].proc, st[e].name, NULL, 0))
			continue;
		p = window_p95(c, st[e].proc, st[e].name, NULL, st[e].stage);
		snprintf(lab, sizeof lab, "stage=\"%s\"", st[e].stage);
		condition(c, R_LATENCY, lab, p > thr, p / 1e6, thr / 1e6,
		    "%s p95 %.1f ms over %.0f ms", st[e].stage, p / 1e6, thr / 1e6);
	}
}

static void
eval_checksum(struct ctl *c)
{
	struct alert_state *a = c->alerts;
	const struct mview *m;
	char ex[32], sym[32], lab[128], key[200];
	double ok, bad, share;
	int i;

	for (i = 0; (m = collect_find(c, "bookd", "mp_book_checksum_fail_total|mp_book_checksum_failed_total", NULL, i)); i++) {
		labels_get(m->v.labels, "exchange", ex, sizeof ex);
		labels_get(m->v.labels, "symbol", sym, sizeof sym);
		snprintf(lab, sizeof lab, "exchange=\"%s\",symbol=\"%s\"", ex, sym);
		snprintf(key, sizeof key, "cfail|%s", lab);
		bad = window_delta(c, key, (double)m->v.counter);
		snprintf(key, sizeof key, "cok|%s", lab);
		ok = window_delta(c, key, metric_sum(c, "bookd", "mp_book_checksum_ok_total", lab));
		share = ok + bad > 0 ? bad / (ok + bad) : 0;
		condition(c, R_CHECKSUM, lab, bad > 0 && share > a->cks_max, share, a->cks_max,
		    "%s %s: %.0f of %.0f checksums failed (%.2f%%)", ex, sym, bad, ok + bad, share * 100);
	}
}

static void
conn_condition(struct ctl *c, const char *labels, int down, const char *what)
{
	struct alert_state *a = c->alerts;
	struct alert *al = get_alert(a, R_CONN, labels);
	double secs;

	if (!al)
		return;
	if (!down)
		al->down_mono = 0;
	else if (!al->down_mono)
		al->down_mono = c->tick_mono;
	secs = down ? (double)(c->tick_mono - al->down_mono) / 1e9 : 0;
	condition(c, R_CONN, labels, down && c->tick_mono - al->down_mono >= a->conn_grace, secs,
	    (double)a->conn_grace / 1e9, "%s down for %.0f s", what, secs);
}

static void
eval_conn(struct ctl *c)
{
	const struct mview *m;
	struct child *ch;
	char ex[32], conn[32], lab[128], what[96], proc[48];
	int i, running;

	for (i = 0; (m = collect_find(c, NULL, "mp_feed_connected|mp_feed_links_up", NULL, i)); i++) {
		labels_get(m->v.labels, "exchange", ex, sizeof ex);
		if (labels_get(m->v.labels, "conn", conn, sizeof conn) != 0)
			snprintf(conn, sizeof conn, "ws");   /* feedd's mp_feed_links_up */
		snprintf(proc, sizeof proc, "feedd.%s", ex);
		ch = sup_find(c, proc);
		running = ch && ch->state == PS_READY;
		snprintf(lab, sizeof lab, "exchange=\"%s\",conn=\"%s\"", ex, conn);
		snprintf(what, sizeof what, "%s %s connection", ex, conn);
		conn_condition(c, lab, !running || m->v.gauge <= 0, what);
	}
	/* A feedd that is not running has no connection at all, metrics or not. */
	for (i = 0; i < c->nch; i++) {
		ch = &c->ch[i];
		if (strncmp(ch->name, "feedd.", 6) != 0 || c->starting_all)
			continue;
		snprintf(lab, sizeof lab, "exchange=\"%s\",process=\"%s\"", ch->name + 6, ch->name);
		snprintf(what, sizeof what, "%s (process %s)", ch->name + 6, proc_state_name(ch->state));
		conn_condition(c, lab, ch->state != PS_READY, what);
	}
	if ((m = collect_find(c, "routerd", "mp_router_nats_connected", NULL, 0))) {
		ch = sup_find(c, "routerd");
		conn_condition(c, "conn=\"nats\"", !(ch && ch->state == PS_READY) || m->v.gauge <= 0,
		    "routerd NATS connection");
	}
}

static void
eval_backlog(struct ctl *c)
{
	struct alert_state *a = c->alerts;
	const struct ring_stat *r;
	char lab[96];
	int i;

	for (i = 0; i < c->nstreams; i++) {
		snprintf(lab, sizeof lab, "stream=\"%s\"", c->streams[i].name);
		condition(c, R_BACKLOG, lab, c->streams[i].backlog > (uint64_t)a->backlog_max, (double)c->streams[i].backlog,
		    (double)a->backlog_max, "stream %s: a consumer is %llu messages behind", c->streams[i].name,
		    (unsigned long long)c->streams[i].backlog);
	}
	if ((r = ring_named(c, "book.router"))) {
		uint64_t lag = r->written - r->read;
		condition(c, R_BACKLOG, "ring=\"book.router\"", lag > (uint64_t)a->backlog_max, (double)lag,
		    (double)a->backlog_max, "%llu messages wait in book.router for routerd", (unsigned long long)lag);
	}
}

static void
eval_proc(struct ctl *c)
{
	char lab[64];
	int i;

	for (i = 0; i < c->nch; i++) {
		snprintf(lab, sizeof lab, "process=\"%s\"", c->ch[i].name);
		/* A slow retry of a given-up child keeps the alert until it is ready. */
		int failed = c->ch[i].state == PS_FAILED || c->ch[i].retrying;
		condition(c, R_PROC, lab, failed, failed, 1,
		    "%s given up: %s (last exit: %s)", c->ch[i].name, c->ch[i].fail_reason, c->ch[i].last_exit);
	}
}

/* A consumer resynchronised past corrupt frames (ring header counter, see
 * ring.h "Corruption") within the window: someone writes into the rings. */
static void
eval_ring_corrupt(struct ctl *c)
{
	char lab[96], key[128];
	double d;
	int i;

	for (i = 0; i < c->nrings; i++) {
		if (!c->ring_ok[i])
			continue;
		snprintf(key, sizeof key, "corrupt|%s", c->ring_names[i]);
		d = window_delta(c, key, (double)c->rings[i].corrupt);
		snprintf(lab, sizeof lab, "ring=\"%s\"", c->ring_names[i]);
		condition(c, R_RING_CORRUPT, lab, d > 0, d, 0,
		    "ring %s: %.0f corrupt frame(s) skipped in the last %llds, last at position %llu (%llu records lost since this instance started)",
		    c->ring_names[i], d, (long long)(c->alerts->window / 1000000000LL),
		    (unsigned long long)c->rings[i].corrupt_pos, (unsigned long long)c->ring_since[i].corrupt_lost);
	}
}

/* stored cannot write the local store (disk full, read-only, I/O error):
 * its gauge mp_store_local_up is 0 from the first failed write or commit
 * to the next successful commit.  Nothing is lost meanwhile (the ring holds
 * the backlog), but nothing becomes durable either. */
static void
eval_store_write(struct ctl *c)
{
	const struct mview *m = collect_find(c, "stored", "mp_store_local_up", NULL, 0);
	struct child *ch = sup_find(c, "stored");
	double errs = 0;

	if (!m || !ch || ch->state != PS_READY)
		return;
	errs = metric_sum(c, "stored", "mp_store_write_errors_total", NULL);
	condition(c, R_STORE_WRITE, "sink=\"local\"", m->v.gauge <= 0, errs, 0,
	    "stored cannot write the local store (%.0f failed writes/commits so far; the ring holds the backlog)", errs);
}

void
alerts_eval(struct ctl *c)
{
	struct alert_state *a = c->alerts;
	int i;

	if (!a || !a->enabled)
		return;
	for (i = 0; i < a->nal; i++)
		a->al[i].seen = 0;
	eval_loss(c);
	eval_latency(c);
	eval_checksum(c);
	eval_conn(c);
	eval_backlog(c);
	eval_proc(c);
	eval_ring_corrupt(c);
	eval_store_write(c);
	/* An alert whose subject vanished (a stream deleted, ...) resolves. */
	for (i = 0; i < a->nal; i++)
		if (!a->al[i].seen && a->al[i].firing) {
			a->al[i].firing = 0;
			log_info("alert resolved", "rule=%s labels=%s", rule_names[a->al[i].rule], log_q(a->al[i].labels));
			publish(c, &a->al[i], "resolved");
		}
}

json_t *
alerts_json(struct ctl *c)
{
	struct alert_state *a = c->alerts;
	json_t *arr = json_array();
	int i;

	if (!a)
		return arr;
	for (i = 0; i < a->nal; i++)
		if (a->al[i].firing)
			json_array_append_new(arr, alert_json(c, &a->al[i], "firing"));
	return arr;
}

void
alerts_prometheus(struct ctl *c, struct sbuf *b)
{
	struct alert_state *a = c->alerts;
	int i;

	if (!a)
		return;
	sbuf_puts(b, "# HELP mp_alert_firing 1 while the alert rule fires for these labels\n"
	    "# TYPE mp_alert_firing gauge\n");
	for (i = 0; i < a->nal; i++)
		sbuf_printf(b, "mp_alert_firing{rule=\"%s\",severity=\"%s\"%s%s} %d\n", rule_names[a->al[i].rule],
		    a->sev[a->al[i].rule], a->al[i].labels[0] ? "," : "", a->al[i].labels, a->al[i].firing);
}
