/*
 * criteria.c - the requirement's success criteria (seed-digest "Success
 * criteria"), checked by the system itself: /health "criteria" lists each
 * one with its target, the value measured and pass (true / false, or null
 * while it cannot be measured yet).  What is measured, and over what span,
 * is in each entry's "how" and in tools/mpctl/METRICS.md.  Counts are those
 * of this instance (a new `mpctl start` starts them at zero).
 *
 * criteria_tick (once per tick) keeps what needs history: time each feed
 * connection was up, applied updates and CPU time over the [alerts] window,
 * and starts the disk write probe when it is due.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mpctl.h"

/* connected time per connection gauge (exchange, conn) */
#define CONN_MAX 16
static struct {
	char process[32], labels[128];
	int64_t observed_ns, up_ns;
} conns[CONN_MAX];
static int nconns;
static int64_t last_tick;
static struct series_set ser;
static int ser_ready;
static double thr_delta, thr_span, cpu_delta, cpu_span;
static int thr_have;   /* bookd exports its applied count */

static int
child_ready(struct ctl *c, const char *name)
{
	struct child *ch = sup_find(c, name);

	return ch && ch->pid > 0 && ch->state == PS_READY;
}

static void
track_connections(struct ctl *c, int64_t dt)
{
	const struct mview *m;
	int i, k;

	for (i = 0; (m = collect_find(c, NULL, "mp_feed_connected|mp_feed_links_up", NULL, i)); i++) {
		for (k = 0; k < nconns; k++)
			if (strcmp(conns[k].process, m->process) == 0 && strcmp(conns[k].labels, m->v.labels) == 0)
				break;
		if (k == nconns) {
			if (nconns == CONN_MAX)
				continue;
			snprintf(conns[k].process, sizeof conns[k].process, "%s", m->process);
			snprintf(conns[k].labels, sizeof conns[k].labels, "%s", m->v.labels);
			nconns++;
			continue;   /* time counts from the first tick that saw it */
		}
		conns[k].observed_ns += dt;
		if (child_ready(c, m->process) && m->v.gauge > 0)
			conns[k].up_ns += dt;
	}
}

double
criteria_conn_stability(const char *process, const char *labels)
{
	for (int k = 0; k < nconns; k++)
		if (strcmp(conns[k].process, process) == 0 && strcmp(conns[k].labels, labels) == 0)
			return conns[k].observed_ns > 0 ? (double)conns[k].up_ns / (double)conns[k].observed_ns : -1;
	return -1;
}

void
criteria_tick(struct ctl *c)
{
	int64_t now = c->tick_mono, dt = last_tick ? now - last_tick : 0;
	double applied = 0, ticks = 0;
	long hz = sysconf(_SC_CLK_TCK);

	if (!ser_ready) {
		series_init(&ser, cfg_dur_ns(c->cfg, "alerts", "window"), cfg_dur_ns(c->cfg, "mpctl", "metrics_interval"));
		ser_ready = 1;
	}
	last_tick = now;
	track_connections(c, dt);
	thr_have = report_sum(c, "bookd", "mp_book_applied_total", NULL, &applied);
	thr_delta = series_delta(&ser, "applied", now, applied);
	series_last(&ser, "applied", &thr_span);
	for (int i = 0; i < c->nch; i++)
		ticks += (double)c->ch[i].cpu_ticks;
	cpu_delta = series_delta(&ser, "cpu", now, ticks / (double)(hz > 0 ? hz : 100));
	series_last(&ser, "cpu", &cpu_span);
	diskprobe_tick(c);
}

/* One criterion.  op is "<", ">" or ">="; have = 0 when not measurable
 * (value null, pass null); target NAN = the requirements give no number. */
static void
add(json_t *a, const char *name, const char *op, double target, int have, double value, const char *unit,
    const char *how)
{
	json_t *o = json_object();
	int pass;

	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "op", isnan(target) ? json_null() : json_string(op));
	json_object_set_new(o, "target", isnan(target) ? json_null() : json_real(target));
	json_object_set_new(o, "value", have && isfinite(value) ? json_real(value) : json_null());
	if (!have || !isfinite(value) || isnan(target))
		json_object_set_new(o, "pass", json_null());
	else {
		pass = op[0] == '<' ? value < target : op[1] == '=' ? value >= target : value > target;
		json_object_set_new(o, "pass", json_boolean(pass));
	}
	json_object_set_new(o, "unit", json_string(unit));
	json_object_set_new(o, "how", json_string(how));
	json_array_append_new(a, o);
}

static int
p95_ms(struct ctl *c, const char *process, const char *name, double *out)
{
	struct metric_view v;

	if (report_hist(c, process, name, NULL, &v) == 0)
		return 0;
	*out = metrics_quantile(&v, 0.95) / 1e6;
	return 1;
}

json_t *
criteria_json(struct ctl *c, double worst_known)
{
	const struct loss_fig *lt = loss_total();
	json_t *a = json_array();
	struct diskprobe_result dp;
	double ok = 0, bad = 0, v = 0, applied = 0, crossed = 0, tsb = 0, tss = 0, cok = 0, cfail = 0;
	double in = 0, wr = 0, mem = 0, up = 0, obs = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char how[512];
	int have;

	report_sum(c, NULL, "mp_feed_snapshots_ok_total", NULL, &ok);
	report_sum(c, NULL, "mp_feed_snapshots_failed_total", NULL, &bad);
	add(a, "snapshot_success_rate", ">", 0.99, ok + bad > 0, ok / (ok + bad), "ratio",
	    "book snapshot requests answered with a usable book / all that ended (superseded ones not counted); "
	    "other REST calls are not counted");

	add(a, "incremental_loss_rate", "<", 0.001, lt->have && lt->expected > 0, lt->missing / lt->expected, "ratio",
	    "missing / expected updates of every book by the venue's ids (Binance update ids, OKX frames), "
	    "since this instance started");

	have = p95_ms(c, NULL, "mp_feed_exchange_latency_seconds|mp_ctl_exchange_latency_seconds", &v);
	add(a, "acquisition_latency_p95_ms", "<", 100, have, v, "ms",
	    "p95 of exchange time -> receive time of depth updates, every venue, since this instance started");

	have = p95_ms(c, NULL, "mp_book_process_latency_seconds|mp_ctl_process_latency_seconds", &v);
	add(a, "processing_latency_p95_ms", "<", 50, have, v, "ms",
	    "p95 of receive time -> book emitted of applied updates, since this instance started");

	snprintf(how, sizeof how, "depth update records applied to synced books per second, over the last %.0f s "
	    "(this much covered yet: %.0f s); a quiet market does not reach it", loss_window_s(c), thr_span);
	add(a, "throughput_updates_per_s", ">", 1000, thr_have && thr_span >= 1, thr_delta / thr_span, "updates/s", how);

	mem = c->shm_bytes;
	for (int i = 0; i < c->nch; i++)
		mem += (double)c->ch[i].anon_bytes;
	add(a, "memory_bytes", "<", 2e9, c->nch > 0, mem, "bytes",
	    "private memory (RssAnon) of every process + /dev/shm/<prefix> counted once; 2 GB = 2e9 bytes");

	snprintf(how, sizeof how, "CPU time of every process / (time x %ld online CPUs), over the last %.0f s "
	    "(covered: %.0f s)", ncpu > 0 ? ncpu : 1, loss_window_s(c), cpu_span);
	add(a, "cpu_ratio", "<", 0.5, cpu_span >= 1, cpu_delta / cpu_span / (double)(ncpu > 0 ? ncpu : 1), "ratio", how);

	diskprobe_get(&dp);
	snprintf(how, sizeof how, "write capacity of data_dir: %lld bytes written and fdatasync'ed by a probe "
	    "(%s)%s%.200s", (long long)dp.bytes, dp.done ? "last run shown" : dp.running ? "running" : "not run yet",
	    dp.error[0] ? "; failed: " : "", dp.error);
	add(a, "disk_write_bytes_per_s", ">", 1e8, dp.done && !dp.error[0], dp.bytes_per_s, "bytes/s", how);

	have = report_sum(c, "stored", "mp_store_bytes_in_total", NULL, &in) &&
	    report_sum(c, "stored", "mp_store_bytes_written_total", NULL, &wr) && in > 0;
	add(a, "storage_compression", ">", 0.70, have, 1 - wr / in, "ratio",
	    "1 - bytes written to store segments / record bytes stored, since this instance started");

	report_sum(c, "bookd", "mp_book_applied_total", NULL, &applied);
	report_sum(c, "bookd", "mp_book_crossed_total", NULL, &crossed);
	add(a, "price_consistency", ">=", 1.0, applied > 0, 1 - crossed / applied, "ratio",
	    "1 - updates that left a book crossed (best bid >= best ask) / updates applied");

	add(a, "depth_completeness", ">", 0.95, worst_known >= 0, worst_known, "ratio",
	    "the worst book's known depth: min(exact + as-of bid levels, exact + as-of ask levels) / levels it "
	    "should hold; as-of = OKX books-full levels outside the exact range while their merge is at most "
	    "[bookd] asof_max_age old; unknown levels (outside the exact range, no fresh merge) count as missing");

	report_sum(c, "bookd", "mp_book_checksum_ok_total", NULL, &cok);
	report_sum(c, "bookd", "mp_book_checksum_fail_total|mp_book_checksum_failed_total", NULL, &cfail);
	add(a, "checksum_pass_rate", ">", 0.99, cok + cfail > 0, cok / (cok + cfail), "ratio",
	    "venue checksums (OKX CRC32) that matched the book / checked; null while no venue sends one");

	report_sum(c, "bookd", "mp_book_ts_backwards_total", NULL, &tsb);
	report_sum(c, "bookd", "mp_book_ts_skew_total", NULL, &tss);
	add(a, "timestamp_sanity", ">=", 1.0, applied > 0, 1 - (tsb + tss) / applied, "ratio",
	    "1 - updates whose exchange time went backwards or was far from the receive time / updates applied");

	for (int k = 0; k < nconns; k++) {
		up += (double)conns[k].up_ns;
		obs += (double)conns[k].observed_ns;
	}
	add(a, "connection_stability", ">", NAN, obs > 0, up / obs, "ratio",
	    "time the venue connections were up / time observed, every connection, since this instance started "
	    "(the requirements name no number)");
	return a;
}
