/*
 * report.c - what a tick collected, as the status JSON, the /health JSON and
 * Prometheus text.  The names are METRICS.md's; a metric a daemon does not
 * export (yet) shows as null in JSON and is simply absent in /metrics.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfg_schemas.h"
#include "fx.h"
#include "inst.h"
#include "pipe.h"
#include "rec.h"
#include "mpctl.h"
#include "url_safe.h"

static void
iso_time(int64_t ns, char *buf, size_t cap)
{
	time_t s = (time_t)(ns / 1000000000LL);
	struct tm tm;
	char ymd[32];

	gmtime_r(&s, &tm);
	strftime(ymd, sizeof ymd, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, cap, "%.24s.%03dZ", ymd, (int)(ns / 1000000 % 1000));
}

static json_t *
json_time(int64_t ns)
{
	char buf[40];

	if (ns <= 0)
		return json_null();
	iso_time(ns, buf, sizeof buf);
	return json_string(buf);
}

static json_t *
num_or_null(int have, double v)
{
	return have && isfinite(v) ? json_real(v) : json_null();
}

/* Sum of every counter/gauge matching (process, name, labels). */
static int
sum_metric(const struct ctl *c, const char *process, const char *name, const char *labels, double *out)
{
	const struct mview *m;
	int i, found = 0;
	double s = 0;

	for (i = 0; (m = collect_find(c, process, name, labels, i)); i++) {
		s += m->v.kind == METRIC_COUNTER ? (double)m->v.counter : (double)m->v.gauge;
		found = 1;
	}
	*out = s;
	return found;
}

/* Every histogram matching, merged into one view.  Returns its count. */
static uint64_t
merge_hist(const struct ctl *c, const char *process, const char *name, const char *labels, struct metric_view *out)
{
	const struct mview *m;
	int i, b;

	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "%s", name);
	out->kind = METRIC_HIST;
	for (i = 0; (m = collect_find(c, process, name, labels, i)); i++) {
		if (m->v.kind != METRIC_HIST)
			continue;
		out->hist.count += m->v.hist.count;
		out->hist.sum += m->v.hist.sum;
		if (m->v.hist.max > out->hist.max)
			out->hist.max = m->v.hist.max;
		for (b = 0; b < METRICS_HBUCKETS; b++)
			out->hist.bucket[b] += m->v.hist.bucket[b];
	}
	return out->hist.count;
}

/* The two above for loss.c and criteria.c (mpctl.h). */
int
report_sum(const struct ctl *c, const char *process, const char *name, const char *labels, double *out)
{
	return sum_metric(c, process, name, labels, out);
}

uint64_t
report_hist(const struct ctl *c, const char *process, const char *name, const char *labels, struct metric_view *out)
{
	return merge_hist(c, process, name, labels, out);
}

static json_t *
quantiles_ms(const struct ctl *c, const char *process, const char *name, const char *labels)
{
	struct metric_view v;
	uint64_t n = merge_hist(c, process, name, labels, &v);

	if (n == 0)
		return json_null();
	return json_pack("{s:f,s:f,s:f,s:f,s:f,s:I}", "p50", metrics_quantile(&v, 0.50) / 1e6,
	    "p95", metrics_quantile(&v, 0.95) / 1e6, "p99", metrics_quantile(&v, 0.99) / 1e6,
	    "max", (double)v.hist.max / 1e6, "mean", (double)v.hist.sum / (double)n / 1e6, "count", (json_int_t)n);
}

static json_t *
ratio(double num, double den)
{
	return den > 0 ? json_real(num / den) : json_null();
}

static int
child_running(const struct ctl *c, const char *name)
{
	int i;

	for (i = 0; i < c->nch; i++)
		if (strcmp(c->ch[i].name, name) == 0)
			return c->ch[i].pid > 0 && c->ch[i].state == PS_READY;
	return 0;
}

static json_t *
process_json(const struct ctl *c, const struct child *ch, int64_t now_mono)
{
	json_t *o;
	int k;

	o = json_pack("{s:s,s:i,s:s,s:o,s:b,s:i,s:s,s:o,s:o}",
	    "name", ch->name, "pid", (int)ch->pid, "state", proc_state_name(ch->state),
	    "uptime_s", ch->pid > 0 ? json_real((double)(now_mono - ch->start_mono) / 1e9) : json_null(),
	    "ready", ch->state == PS_READY, "restarts", (int)ch->restarts,
	    "last_exit", ch->last_exit, "last_exit_at", json_time(ch->last_exit_ns),
	    "started_at", ch->pid > 0 ? json_time(ch->start_ns) : json_null());
	if (!o)
		return NULL;
	if (ch->fail_reason[0])
		json_object_set_new(o, "fail_reason", json_string(ch->fail_reason));
	if (ch->state == PS_FAILED && ch->retry_mono)
		json_object_set_new(o, "retry_in_s", json_real((double)(ch->retry_mono - now_mono) / 1e9));
	json_object_set_new(o, "retrying", json_boolean(ch->retrying));
	json_object_set_new(o, "cpu_ratio", json_real(ch->cpu_ratio));
	json_object_set_new(o, "rss_bytes", json_integer(ch->rss_bytes));
	json_object_set_new(o, "private_bytes", json_integer(ch->anon_bytes));
	json_object_set_new(o, "open_fds", json_integer(ch->open_fds));
	json_object_set_new(o, "threads", json_integer(ch->threads));
	json_object_set_new(o, "disk_write_bytes_per_s", json_real(ch->wbytes_rate));
	for (k = 0; k < c->nmfile; k++)
		if (strcmp(c->mfile[k].process, ch->name) == 0 && c->mfile[k].hb_ns > 0)
			json_object_set_new(o, "metrics_heartbeat_age_s",
			    json_real((double)(now_mono - c->mfile[k].hb_ns) / 1e9));
	return o;
}

static json_t *
rings_json(const struct ctl *c, int64_t now_mono)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < c->nrings; i++) {
		const struct ring_stat *r = &c->rings[i], *sn = &c->ring_since[i];
		json_t *o;
		if (!c->ring_ok[i]) {
			json_array_append_new(a, json_pack("{s:s,s:b}", "name", c->ring_names[i], "present", 0));
			continue;
		}
		/* lag from the header; counters since this instance started */
		o = json_pack("{s:s,s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s}",
		    "name", c->ring_names[i], "present", 1,
		    "lag_bytes", (json_int_t)(r->tail - r->head),
		    "lag_records", (json_int_t)(r->written - r->read),
		    "capacity", (json_int_t)r->capacity, "written", (json_int_t)sn->written,
		    "read", (json_int_t)sn->read, "dropped", (json_int_t)sn->dropped,
		    "full_events", (json_int_t)sn->full_events, "torn", (json_int_t)sn->torn,
		    "policy", r->policy == RING_DROP ? "drop" : "block");
		if (!o)
			continue;
		json_object_set_new(o, "corrupt", json_integer((json_int_t)sn->corrupt));
		json_object_set_new(o, "corrupt_lost", json_integer((json_int_t)sn->corrupt_lost));
		json_object_set_new(o, "lifetime", json_pack("{s:I,s:I,s:I,s:I}", "written", (json_int_t)r->written,
		    "dropped", (json_int_t)r->dropped, "torn", (json_int_t)r->torn, "corrupt", (json_int_t)r->corrupt));
		json_object_set_new(o, "fill", json_real(r->capacity ? (double)(r->tail - r->head) / (double)r->capacity : 0));
		json_object_set_new(o, "producer_pid", json_integer(r->producer_pid));
		json_object_set_new(o, "consumer_pid", json_integer(r->consumer_pid));
		json_object_set_new(o, "producer_hb_age_s",
		    r->producer_hb_ns ? json_real((double)(now_mono - r->producer_hb_ns) / 1e9) : json_null());
		json_object_set_new(o, "consumer_hb_age_s",
		    r->consumer_hb_ns ? json_real((double)(now_mono - r->consumer_hb_ns) / 1e9) : json_null());
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *connections_json(struct ctl *c);

static const char *
instance_state(const struct ctl *c)
{
	if (c->stopping_all)
		return "stopping";
	if (c->starting_all)
		return "starting";
	return "running";
}

json_t *
report_status(struct ctl *c)
{
	int64_t now_mono = mono_ns();
	json_t *o, *procs;
	char ub[sizeof c->nats_url];   /* the URL without a password */
	int i;

	procs = json_array();
	for (i = 0; i < c->nch; i++)
		json_array_append_new(procs, process_json(c, &c->ch[i], now_mono));
	o = json_pack("{s:{s:s,s:s,s:i,s:o,s:f,s:i,s:s,s:s},s:o,s:o}",
	    "instance", "prefix", c->prefix, "data_dir", c->data_dir, "pid", (int)getpid(),
	    "started_at", json_time(c->started_ns), "uptime_s", (double)(now_mono - c->started_mono) / 1e9,
	    "http_port", (int)cfg_int(c->cfg, "mpctl", "http_port"), "nats_url", url_safe(c->nats_url, ub, sizeof ub),
	    "state", instance_state(c),
	    "processes", procs, "rings", rings_json(c, now_mono));
	if (o) {
		/* every count in status, /health and /metrics starts here (setup_new_instance) */
		json_object_set_new(json_object_get(o, "instance"), "counters_since", json_time(c->started_ns));
		json_object_set_new(json_object_get(o, "instance"), "http_bind",
		    json_string(cfg_str(c->cfg, "mpctl", "http_bind")));
		/* so `mpctl status` can say when the exchanges are unreachable */
		json_object_set_new(o, "connections", connections_json(c));
		json_object_set_new(o, "alerts", alerts_json(c));
	}
	return o;
}

static double worst_depth = -1;   /* exact levels only */
static double worst_known = -1;   /* exact + fresh as-of: what the criterion judges */

/* One of bookd's rule gauges (mp_book_tick_mantissa, ...: the venue's
 * REC_INSTRUMENT) as a decimal string at exponent exp; null when unknown. */
static json_t *
rule_json(struct ctl *c, const char *metric, const char *lab, int exp)
{
	char s[FX_STR_MAX];
	double v;

	if (!sum_metric(c, "bookd", metric, lab, &v) || v <= 0 || v > 9e15 ||
	    fx_format((int64_t)v, exp, FX_TRIM, s, sizeof s) == 0)
		return json_null();
	return json_string(s);
}

/* The instruments of the config, for their exponents (built once: the
 * config does not change under a running mpctl). */
static const struct inst *
config_inst(struct ctl *c, int exch, const char *sym)
{
	static struct inst_registry reg;
	static int built;
	char err[160];

	if (!built) {
		built = 1;
		if (pipe_instruments(c->cfg, &reg, err, sizeof err) < 0)
			reg.n = 0;
	}
	return inst_find(&reg, exch, sym);
}

/* Books: the ones bookd reports, else the configured ones (with no data). */
static json_t *
books_json(struct ctl *c, int64_t now_real)
{
	const struct venue *ve;
	int vit;
	const char **syms;
	json_t *a = json_array();
	int live = child_running(c, "bookd");
	int i, n;

	for (vit = 0; (ve = venue_next(&vit)); ) {
		n = cfg_list(c->cfg, "instruments", ve->name, NULL, 0);
		if (!n || !(syms = malloc((size_t)n * sizeof *syms)))
			continue;
		cfg_list(c->cfg, "instruments", ve->name, syms, n);
		for (i = 0; i < n; i++) {
			char lab[160], labs[200];
			double synced, lb, la, eb = 0, ea = 0, tgt, last, upd, lost, gaps, rs, crossed, vf, cok, cfail, bok, bbad;
			double tok, tbad, tnc, ab = 0, aa = 0, asof;
			int have_s, have_lb, have_la, have_eb, have_ea, have_t, have_last;
			json_t *o;

			snprintf(lab, sizeof lab, "exchange=\"%s\",symbol=\"%s\"", ve->name, syms[i]);
			have_s = sum_metric(c, "bookd", "mp_book_synced", lab, &synced);
			snprintf(labs, sizeof labs, "%s,side=\"bid\"", lab);
			have_lb = sum_metric(c, "bookd", "mp_book_levels", labs, &lb) ||
			    sum_metric(c, "bookd", "mp_book_levels_bid", lab, &lb);
			snprintf(labs, sizeof labs, "%s,side=\"ask\"", lab);
			have_la = sum_metric(c, "bookd", "mp_book_levels", labs, &la) ||
			    sum_metric(c, "bookd", "mp_book_levels_ask", lab, &la);
			/* completeness counts the exact levels (bookd/README.md "Exact
			 * range"): levels held outside it are not known to be the venue's */
			have_eb = sum_metric(c, "bookd", "mp_book_exact_levels_bid", lab, &eb);
			have_ea = sum_metric(c, "bookd", "mp_book_exact_levels_ask", lab, &ea);
			if (!have_eb || !have_ea) {
				have_eb = have_lb;
				have_ea = have_la;
				eb = lb;
				ea = la;
			}
			have_t = sum_metric(c, "bookd", "mp_book_depth_target_levels", lab, &tgt);
			if (!have_t && have_s) {
				/* bookd's config says what a complete book is */
				tgt = (double)cfg_int(c->cfg, "bookd", "expected_levels");
				if (tgt <= 0)
					tgt = (double)cfg_int(c->cfg, "bookd", "max_levels");
				have_t = 1;
			}
			sum_metric(c, "bookd", "mp_book_updates_total|mp_book_input_total", lab, &upd);
			have_last = sum_metric(c, "bookd", "mp_book_last_update_ns", lab, &last) && last > 0;
			if (!have_last && have_s) {
				/* no timestamp exported: when did the applied count last move? */
				last = (double)collect_last_change(lab);
				have_last = last > 0;
			}
			sum_metric(c, "bookd", "mp_book_lost_updates_total", lab, &lost);
			sum_metric(c, "bookd", "mp_book_gaps_total", lab, &gaps);
			sum_metric(c, "bookd", "mp_book_resyncs_total", lab, &rs);
			sum_metric(c, "bookd", "mp_book_crossed_total", lab, &crossed);
			sum_metric(c, "bookd", "mp_book_validation_failures_total", lab, &vf);
			sum_metric(c, "bookd", "mp_book_checksum_ok_total", lab, &cok);
			sum_metric(c, "bookd", "mp_book_checksum_fail_total|mp_book_checksum_failed_total", lab, &cfail);
			sum_metric(c, "bookd", "mp_book_bbo_agree_total", lab, &bok);
			sum_metric(c, "bookd", "mp_book_bbo_disagree_total", lab, &bbad);
			o = json_pack("{s:s,s:s,s:b,s:b,s:{s:o,s:o},s:o,s:o,s:o}",
			    "exchange", ve->name, "symbol", syms[i],
			    "synced", live && have_s && synced > 0, "data", have_s,
			    "levels", "bid", have_lb ? json_integer((json_int_t)lb) : json_null(),
			    "ask", have_la ? json_integer((json_int_t)la) : json_null(),
			    "depth_target", have_t ? json_integer((json_int_t)tgt) : json_null(),
			    "depth_completeness", num_or_null(have_t && tgt > 0 && have_eb && have_ea,
			        (eb < ea ? eb : ea) / (tgt > 0 ? tgt : 1)),
			    "last_update_age_s", num_or_null(have_last, (double)(now_real - (int64_t)last) / 1e9));
			if (!o)
				continue;
			if (have_t && tgt > 0 && have_eb && have_ea) {
				double comp = (eb < ea ? eb : ea) / tgt;
				if (worst_depth < 0 || comp < worst_depth)
					worst_depth = comp;
			}
			{
				/* the venue's rules for the book (feedd/meta.c), null until known */
				const struct inst *ci = config_inst(c, ve->id, syms[i]);
				int pe = ci ? ci->px_exp : -8, qe = ci ? ci->qty_exp : -8;
				json_object_set_new(o, "tick_size", rule_json(c, "mp_book_tick_mantissa", lab, pe));
				json_object_set_new(o, "lot_size", rule_json(c, "mp_book_lot_mantissa", lab, qe));
				json_object_set_new(o, "contract_value", rule_json(c, "mp_book_ct_val_mantissa", lab, REC_CT_EXP));
			}
			json_object_set_new(o, "updates", json_integer((json_int_t)upd));
			json_object_set_new(o, "lost_updates", json_integer((json_int_t)lost));
			json_object_set_new(o, "loss", loss_json(c, loss_book(ve->name, syms[i])));
			json_object_set_new(o, "gaps", json_integer((json_int_t)gaps));
			json_object_set_new(o, "resyncs", json_integer((json_int_t)rs));
			if (sum_metric(c, "bookd", "mp_book_syncs_total", lab, &rs))
				json_object_set_new(o, "syncs", json_integer((json_int_t)rs));
			json_object_set_new(o, "crossed", json_integer((json_int_t)crossed));
			json_object_set_new(o, "validation_failures", json_integer((json_int_t)vf));
			json_object_set_new(o, "checksum", json_pack("{s:I,s:I,s:o}", "ok", (json_int_t)cok,
			    "fail", (json_int_t)cfail, "pass_rate", ratio(cok, cok + cfail)));
			json_object_set_new(o, "bbo", json_pack("{s:I,s:I,s:o}", "agree", (json_int_t)bok,
			    "disagree", (json_int_t)bbad, "agreement", ratio(bok, bok + bbad)));
			if (have_eb && have_ea)
				json_object_set_new(o, "exact_levels", json_pack("{s:I,s:I}", "bid", (json_int_t)eb,
				    "ask", (json_int_t)ea));
			/* OKX books-full levels outside the exact range, as of deep_as_of
			 * while it is no older than [bookd] asof_max_age (bookd/README.md
			 * "Depth completeness"); known depth = exact + those */
			if (sum_metric(c, "bookd", "mp_book_asof_levels_bid", lab, &ab) &&
			    sum_metric(c, "bookd", "mp_book_asof_levels_ask", lab, &aa)) {
				json_object_set_new(o, "asof_levels", json_pack("{s:I,s:I}", "bid", (json_int_t)ab,
				    "ask", (json_int_t)aa));
			}
			if (sum_metric(c, "bookd", "mp_book_deep_as_of_ns", lab, &asof))
				json_object_set_new(o, "deep_as_of", asof > 0 ? json_time((int64_t)asof) : json_null());
			if (have_t && tgt > 0 && have_eb && have_ea) {
				double kb = eb + ab, ka = ea + aa, known = (kb < ka ? kb : ka) / tgt;
				json_object_set_new(o, "depth_known", json_real(known));
				if (worst_known < 0 || known < worst_known)
					worst_known = known;
			} else {
				json_object_set_new(o, "depth_known", json_null());
			}
			/* OKX and Bybit audits (bookd/okx_audit.h): books5 / bbo-tbt /
			 * orderbook.1 at the same seqId / seq, as the bookTicker check;
			 * the REST window at its seqId / seq */
			if (sum_metric(c, "bookd", "mp_book_top_agree_total", lab, &tok)) {
				sum_metric(c, "bookd", "mp_book_top_disagree_total", lab, &tbad);
				sum_metric(c, "bookd", "mp_book_top_not_comparable_total", lab, &tnc);
				json_object_set_new(o, "top5", json_pack("{s:I,s:I,s:I,s:o}", "agree", (json_int_t)tok,
				    "disagree", (json_int_t)tbad, "not_comparable", (json_int_t)tnc,
				    "agreement", ratio(tok, tok + tbad)));
				sum_metric(c, "bookd", "mp_book_window_agree_total", lab, &tok);
				sum_metric(c, "bookd", "mp_book_window_discrepancies_total", lab, &tbad);
				sum_metric(c, "bookd", "mp_book_window_not_comparable_total", lab, &tnc);
				json_object_set_new(o, "window", json_pack("{s:I,s:I,s:I}", "agree", (json_int_t)tok,
				    "discrepancies", (json_int_t)tbad, "not_comparable", (json_int_t)tnc));
			}
			/* Binance deep refresh (bookd/splice.h): 0 discrepancies on a correct book */
			if (sum_metric(c, "bookd", "mp_book_refreshes_total", lab, &rs))
				json_object_set_new(o, "refreshes", json_integer((json_int_t)rs));
			if (sum_metric(c, "bookd", "mp_book_refresh_discrepancies_total", lab, &rs))
				json_object_set_new(o, "refresh_discrepancies", json_integer((json_int_t)rs));
			json_object_set_new(o, "processing_latency_ms",
			    quantiles_ms(c, "bookd", "mp_book_process_latency_seconds", lab));
			json_array_append_new(a, o);
		}
		free(syms);
	}
	return a;
}

static json_t *
connections_json(struct ctl *c)
{
	json_t *a = json_array();
	const struct mview *m;
	char ex[32], conn[32], proc[48], lab[128];
	double rc, st;
	int i;

	for (i = 0; (m = collect_find(c, NULL, "mp_feed_connected|mp_feed_links_up", NULL, i)); i++) {
		labels_get(m->v.labels, "exchange", ex, sizeof ex);
		snprintf(proc, sizeof proc, "feedd.%s", ex);
		if (labels_get(m->v.labels, "conn", conn, sizeof conn) == 0)
			snprintf(lab, sizeof lab, "exchange=\"%s\",conn=\"%s\"", ex, conn);
		else {
			/* feedd's own spelling: one gauge of open links per venue */
			snprintf(conn, sizeof conn, "ws");
			snprintf(lab, sizeof lab, "exchange=\"%s\"", ex);
		}
		if (!sum_metric(c, m->process, "mp_feed_reconnects_total|mp_feed_disconnects_total", lab, &rc))
			rc = 0;
		st = criteria_conn_stability(m->process, m->v.labels);
		json_array_append_new(a, json_pack("{s:s,s:s,s:b,s:I,s:s,s:o}", "exchange", ex, "conn", conn,
		    "connected", child_running(c, proc) && m->v.gauge > 0, "reconnects", (json_int_t)rc,
		    "process", m->process, "stability", st >= 0 ? json_real(st) : json_null()));
	}
	if (collect_find(c, "routerd", "mp_router_nats_connected", NULL, 0)) {
		double up = 0, rcn = 0;
		sum_metric(c, "routerd", "mp_router_nats_connected", NULL, &up);
		sum_metric(c, "routerd", "mp_router_reconnects_total", NULL, &rcn);
		json_array_append_new(a, json_pack("{s:s,s:s,s:b,s:I,s:s}", "exchange", "", "conn", "nats",
		    "connected", child_running(c, "routerd") && up > 0, "reconnects", (json_int_t)rcn,
		    "process", "routerd"));
	}
	return a;
}

static const struct ring_stat *
ring_by_name(const struct ctl *c, const char *name)
{
	int i;

	for (i = 0; i < c->nrings; i++)
		if (c->ring_ok[i] && strcmp(c->ring_names[i], name) == 0)
			return &c->rings[i];
	return NULL;
}

static json_t *
sinks_json(struct ctl *c)
{
	const struct ring_stat *r;
	json_t *a = json_array(), *o;
	const struct mview *m;
	char sink[32];
	double pend;
	int i;

	r = ring_by_name(c, "book.router");
	o = json_pack("{s:s,s:o,s:o,s:b}", "name", "nats",
	    "lag_records", r ? json_integer((json_int_t)(r->written - r->read)) : json_null(),
	    "pending", sum_metric(c, "routerd", "mp_router_pending", NULL, &pend) ? json_integer((json_int_t)pend) : json_null(),
	    "up", child_running(c, "routerd"));
	json_array_append_new(a, o);
	r = ring_by_name(c, "book.store");
	{
		/* stored says whether it can write (mp_store_local_up; absent = yes). */
		double up = 1, errs = 0;
		int have = sum_metric(c, "stored", "mp_store_local_up", NULL, &up);

		sum_metric(c, "stored", "mp_store_write_errors_total", NULL, &errs);
		json_array_append_new(a, json_pack("{s:s,s:o,s:b,s:b,s:I}", "name", "local",
		    "lag_records", r ? json_integer((json_int_t)(r->written - r->read)) : json_null(),
		    "up", child_running(c, "stored") && (!have || up > 0), "writable", !have || up > 0,
		    "write_errors", (json_int_t)errs));
	}
	for (i = 0; (m = collect_find(c, "stored", "mp_store_sink_lag_records", NULL, i)); i++) {
		double up = 1;
		char lab[64];
		labels_get(m->v.labels, "sink", sink, sizeof sink);
		snprintf(lab, sizeof lab, "sink=\"%s\"", sink);
		sum_metric(c, "stored", "mp_store_sink_up", lab, &up);
		json_array_append_new(a, json_pack("{s:s,s:I,s:b}", "name", sink,
		    "lag_records", (json_int_t)m->v.gauge, "up", child_running(c, "stored") && up > 0));
	}
	if (i == 0 && (m = collect_find(c, "stored", "mp_ch_up", NULL, 0))) {
		/* stored's ClickHouse sink says how old its newest shipped block is */
		double lag_ns = 0;
		int have = sum_metric(c, "stored", "mp_ch_lag_ns", NULL, &lag_ns);
		json_array_append_new(a, json_pack("{s:s,s:n,s:o,s:b}", "name", "clickhouse", "lag_records",
		    "lag_s", have ? json_real(lag_ns / 1e9) : json_null(),
		    "up", child_running(c, "stored") && m->v.gauge > 0));
	}
	return a;
}

static json_t *
streams_json(struct ctl *c)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < c->nstreams; i++)
		json_array_append_new(a, json_pack("{s:s,s:I,s:I,s:I,s:I,s:o}", "name", c->streams[i].name,
		    "messages", (json_int_t)c->streams[i].msgs, "bytes", (json_int_t)c->streams[i].bytes,
		    "consumers", (json_int_t)c->streams[i].consumers, "backlog", (json_int_t)c->streams[i].backlog,
		    "last_message_at", json_time(c->streams[i].last_ns)));
	return a;
}

/*
 * routerd's per-stage latency (routerd/lat.h): {class: {stage: quantiles}}
 * from mp_router_stage_latency_seconds{stage,class}, cumulative since
 * routerd's metrics file was created.  The names are routerd's metric
 * contract (METRICS.md); a stage a class does not keep is left out.
 */
static json_t *
latency_stages_json(const struct ctl *c)
{
	static const char *const classes[] = {"steady", "sync", "snapshot"};
	static const char *const stages[] = {"recv_feed", "feed_book", "book_publish", "publish_ack", "whole"};
	json_t *o = json_object();
	char lab[96];

	for (size_t i = 0; i < sizeof classes / sizeof *classes; i++) {
		json_t *cl = json_object();

		for (size_t j = 0; j < sizeof stages / sizeof *stages; j++) {
			snprintf(lab, sizeof lab, "stage=\"%s\",class=\"%s\"", stages[j], classes[i]);
			if (!collect_find(c, "routerd", "mp_router_stage_latency_seconds", lab, 0))
				continue;
			json_object_set_new(cl, stages[j],
			    quantiles_ms(c, "routerd", "mp_router_stage_latency_seconds", lab));
		}
		json_object_set_new(o, classes[i], cl);
	}
	return o;
}

/* The requirement document's metrics, cumulative since the processes'
 * metrics files were created (the alerts use sliding windows instead). */
static json_t *
requirements_json(struct ctl *c)
{
	const struct venue *ve;
	int vit;
	json_t *o = json_object(), *snap = json_object(), *lat = json_object(), *conn = json_object();
	double ok, bad, upd, crossed, cok, cfail, drops = 0, rss = 0, cpu = 0, v;
	char lab[64];
	int i;

	for (vit = 0; (ve = venue_next(&vit)); ) {
		double up, rc;
		char proc[32];
		snprintf(lab, sizeof lab, "exchange=\"%s\"", ve->name);
		snprintf(proc, sizeof proc, "feedd.%s", ve->name);
		if (sum_metric(c, NULL, "mp_feed_snapshots_ok_total", lab, &ok) |
		    sum_metric(c, NULL, "mp_feed_snapshots_failed_total", lab, &bad))
			json_object_set_new(snap, ve->name, json_pack("{s:o,s:I,s:I}", "rate", ratio(ok, ok + bad),
			    "ok", (json_int_t)ok, "failed", (json_int_t)bad));
		json_object_set_new(lat, ve->name, quantiles_ms(c, NULL, "mp_feed_exchange_latency_seconds|mp_ctl_exchange_latency_seconds", lab));
		if (sum_metric(c, NULL, "mp_feed_connected|mp_feed_links_up", lab, &up)) {
			sum_metric(c, NULL, "mp_feed_reconnects_total|mp_feed_disconnects_total", lab, &rc);
			json_object_set_new(conn, ve->name, json_pack("{s:b,s:I}", "connected",
			    child_running(c, proc) && up > 0, "reconnects", (json_int_t)rc));
		}
	}
	json_object_set_new(o, "snapshot_success_rate", snap);
	json_object_set_new(o, "latency_exchange_to_receive_ms", lat);
	json_object_set_new(o, "latency_receive_to_publish_ms",
	    quantiles_ms(c, "routerd", "mp_router_publish_latency_seconds", NULL));
	json_object_set_new(o, "latency_stages_ms", latency_stages_json(c));
	json_object_set_new(o, "latency_receive_to_stored_ms",
	    quantiles_ms(c, "stored", "mp_store_latency_seconds", NULL));
	json_object_set_new(o, "store_commit_latency_ms", quantiles_ms(c, "stored", "mp_store_commit_ns", NULL));
	json_object_set_new(o, "processing_latency_ms",
	    quantiles_ms(c, NULL, "mp_book_process_latency_seconds|mp_ctl_process_latency_seconds", NULL));
	sum_metric(c, "bookd", "mp_book_updates_total|mp_book_input_total", NULL, &upd);
	{
		/* missing / expected updates by the venue's ids (loss.c); ring drops apart */
		const struct loss_fig *lt = loss_total();
		json_object_set_new(o, "data_loss_rate", lt->have ? ratio(lt->missing, lt->expected) : json_null());
		json_object_set_new(o, "data_loss_rate_window", lt->have ? ratio(lt->w_missing, lt->w_expected) : json_null());
		json_object_set_new(o, "data_loss_window_s", json_real(loss_window_s(c)));
		json_object_set_new(o, "updates_expected", json_integer((json_int_t)lt->expected));
		json_object_set_new(o, "updates_missing", json_integer((json_int_t)lt->missing));
	}
	for (i = 0; i < c->nrings; i++)
		if (c->ring_ok[i] && (strncmp(c->ring_names[i], "feed.", 5) == 0 || strncmp(c->ring_names[i], "book.", 5) == 0))
			drops += (double)c->ring_since[i].dropped;
	json_object_set_new(o, "ring_records_dropped", json_integer((json_int_t)drops));
	json_object_set_new(o, "connection_stability", conn);
	sum_metric(c, "bookd", "mp_book_crossed_total", NULL, &crossed);
	json_object_set_new(o, "price_consistency", upd > 0 ? json_real(1.0 - crossed / upd) : json_null());
	json_object_set_new(o, "depth_completeness_min", worst_depth >= 0 ? json_real(worst_depth) : json_null());
	json_object_set_new(o, "depth_known_min", worst_known >= 0 ? json_real(worst_known) : json_null());
	sum_metric(c, "bookd", "mp_book_checksum_ok_total", NULL, &cok);
	sum_metric(c, "bookd", "mp_book_checksum_fail_total|mp_book_checksum_failed_total", NULL, &cfail);
	json_object_set_new(o, "checksum_pass_rate", ratio(cok, cok + cfail));
	for (i = 0; i < c->nch; i++) {
		rss += (double)c->ch[i].anon_bytes;
		cpu += c->ch[i].cpu_ratio;
	}
	/* private memory of every process plus the shared rings, counted once */
	json_object_set_new(o, "memory_bytes", json_integer((json_int_t)rss + c->shm_bytes));
	json_object_set_new(o, "memory_private_bytes", json_integer((json_int_t)rss));
	json_object_set_new(o, "memory_shared_bytes", json_integer(c->shm_bytes));
	json_object_set_new(o, "cpu_ratio", json_real(cpu));
	{
		struct child *st = sup_find(c, "stored");
		json_object_set_new(o, "disk_write_bytes_per_s", c->store_wrate >= 0 ? json_real(c->store_wrate) :
		    st ? json_real(st->wbytes_rate) : json_null());
		json_object_set_new(o, "store_bytes_written",
		    sum_metric(c, "stored", "mp_store_bytes_written_total", NULL, &v) ? json_integer((json_int_t)v) : json_null());
	}
	return o;
}

json_t *
report_health(struct ctl *c)
{
	int64_t now_real = now_ns();
	json_t *o = report_status(c), *alerts, *books;
	const char *status = "ok";
	size_t i;
	int k;

	if (!o)
		return NULL;
	worst_depth = worst_known = -1;
	books = books_json(c, now_real);
	alerts = json_object_get(o, "alerts");
	for (k = 0; k < c->nch; k++)
		if (c->ch[k].state != PS_READY)
			status = "degraded";
	for (k = 0; k < c->nch; k++)
		if (c->ch[k].state == PS_FAILED || c->ch[k].retrying)   /* failed until a retry is ready */
			status = "failed";
	for (i = 0; i < json_array_size(books); i++)
		if (!json_is_true(json_object_get(json_array_get(books, i), "synced")) && strcmp(status, "ok") == 0)
			status = "degraded";
	for (i = 0; i < json_array_size(alerts); i++) {
		const char *sev = json_string_value(json_object_get(json_array_get(alerts, i), "severity"));
		if (sev && (strcmp(sev, "critical") == 0 || strcmp(sev, "error") == 0) && strcmp(status, "ok") == 0)
			status = "degraded";
	}
	json_object_set_new(o, "status", json_string(status));
	json_object_set_new(o, "time", json_time(now_real));
	json_object_set_new(o, "books", books);
	json_object_set_new(o, "sinks", sinks_json(c));
	json_object_set_new(o, "streams", streams_json(c));
	json_object_set_new(o, "requirements", requirements_json(c));
	json_object_set_new(o, "criteria", criteria_json(c, worst_known));
	return o;
}

/* ---- Prometheus text exposition (version 0.0.4) ---- */

static int
cmp_view(const void *a, const void *b)
{
	const struct mview *x = *(const struct mview *const *)a, *y = *(const struct mview *const *)b;
	int r = strcmp(x->v.name, y->v.name);

	if (r)
		return r;
	r = strcmp(x->process, y->process);
	return r ? r : strcmp(x->v.labels, y->v.labels);
}

static int
safe_labels(const char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '{' || *s == '}')
			return 0;
	return 1;
}

static void
put_labels(struct sbuf *b, const char *labels, const char *process, const char *extra)
{
	sbuf_putc(b, '{');
	if (labels && *labels) {
		sbuf_puts(b, labels);
		sbuf_putc(b, ',');
	}
	sbuf_printf(b, "process=\"%s\"", process);
	if (extra)
		sbuf_printf(b, ",%s", extra);
	sbuf_putc(b, '}');
}

static void
put_hist(struct sbuf *b, const struct mview *m)
{
	int secs = strlen(m->v.name) > 8 && strcmp(m->v.name + strlen(m->v.name) - 8, "_seconds") == 0;
	uint64_t cum = 0;
	char le[48];
	int i;

	for (i = 0; i < METRICS_HBUCKETS; i++) {
		cum += m->v.hist.bucket[i];
		if (i == METRICS_HBUCKETS - 1)
			snprintf(le, sizeof le, "le=\"+Inf\"");
		else if (secs)
			snprintf(le, sizeof le, "le=\"%.9g\"", (double)metrics_bucket_le(i) / 1e9);
		else
			snprintf(le, sizeof le, "le=\"%lld\"", (long long)metrics_bucket_le(i));
		sbuf_printf(b, "%s_bucket", m->v.name);
		put_labels(b, m->v.labels, m->process, le);
		sbuf_printf(b, " %llu\n", (unsigned long long)cum);
	}
	sbuf_printf(b, "%s_sum", m->v.name);
	put_labels(b, m->v.labels, m->process, NULL);
	if (secs)
		sbuf_printf(b, " %.9g\n", (double)m->v.hist.sum / 1e9);
	else
		sbuf_printf(b, " %lld\n", (long long)m->v.hist.sum);
	sbuf_printf(b, "%s_count", m->v.name);
	put_labels(b, m->v.labels, m->process, NULL);
	sbuf_printf(b, " %llu\n", (unsigned long long)m->v.hist.count);
}

static void
head(struct sbuf *b, const char *name, const char *type, const char *help)
{
	sbuf_printf(b, "# HELP %s ", name);
	/* HELP text escapes backslash and newline (exposition format 0.0.4) */
	for (; *help; help++)
		if (*help == '\\')
			sbuf_puts(b, "\\\\");
		else if (*help == '\n')
			sbuf_puts(b, "\\n");
		else
			sbuf_putc(b, *help);
	sbuf_printf(b, "\n# TYPE %s %s\n", name, type);
}

static void
own_metrics(struct ctl *c, struct sbuf *b)
{
	int64_t now_mono = mono_ns();
	static const char *states[] = {"stopped", "starting", "ready", "backoff", "stopping", "failed"};
	int i, s;

#define PER_CHILD(NAME, TYPE, HELP, FMT, EXPR) do { \
	head(b, NAME, TYPE, HELP); \
	for (i = 0; i < c->nch; i++) \
		sbuf_printf(b, NAME "{process=\"%s\"} " FMT "\n", c->ch[i].name, EXPR); \
} while (0)
	PER_CHILD("mp_ctl_process_up", "gauge", "1 when the process runs and said it is ready", "%d",
	    c->ch[i].state == PS_READY ? 1 : 0);
	head(b, "mp_ctl_process_state", "gauge", "1 for the supervisor's current state of the process");
	for (i = 0; i < c->nch; i++)
		for (s = 0; s < 6; s++)
			sbuf_printf(b, "mp_ctl_process_state{process=\"%s\",state=\"%s\"} %d\n", c->ch[i].name,
			    states[s], (int)c->ch[i].state == s);
	PER_CHILD("mp_ctl_process_restarts_total", "counter", "restarts by the supervisor", "%u", c->ch[i].restarts);
	PER_CHILD("mp_ctl_process_uptime_seconds", "gauge", "seconds since the last start (0 when down)", "%.3f",
	    c->ch[i].pid > 0 ? (double)(now_mono - c->ch[i].start_mono) / 1e9 : 0.0);
	PER_CHILD("mp_proc_cpu_ratio", "gauge", "CPU used over the last interval (1 = one core)", "%.4f",
	    c->ch[i].cpu_ratio);
	PER_CHILD("mp_proc_resident_memory_bytes", "gauge", "resident set size (VmRSS)", "%lld",
	    (long long)c->ch[i].rss_bytes);
	PER_CHILD("mp_proc_private_memory_bytes", "gauge", "private resident memory (RssAnon; VmRSS also counts "
	    "the shared ring pages)", "%lld", (long long)c->ch[i].anon_bytes);
	PER_CHILD("mp_proc_open_fds", "gauge", "open file descriptors", "%d", c->ch[i].open_fds);
	PER_CHILD("mp_proc_threads", "gauge", "threads", "%d", c->ch[i].threads);
	PER_CHILD("mp_proc_disk_write_bytes_total", "counter", "bytes the process caused to be written to storage "
	    "(/proc/PID/io write_bytes, since its start)", "%llu", (unsigned long long)c->ch[i].wbytes);
	PER_CHILD("mp_proc_disk_write_bytes_per_second", "gauge", "rate of write_bytes over the last interval",
	    "%.1f", c->ch[i].wbytes_rate);
#undef PER_CHILD
	http_prometheus(b);
	head(b, "mp_shm_bytes", "gauge", "memory held by /dev/shm/<prefix> (rings and metrics files), counted once");
	sbuf_printf(b, "mp_shm_bytes %lld\n", (long long)c->shm_bytes);
	head(b, "mp_metrics_heartbeat_age_seconds", "gauge", "age of the process's metrics heartbeat");
	for (i = 0; i < c->nmfile; i++)
		if (c->mfile[i].hb_ns > 0)
			sbuf_printf(b, "mp_metrics_heartbeat_age_seconds{process=\"%s\"} %.3f\n", c->mfile[i].process,
			    (double)(now_mono - c->mfile[i].hb_ns) / 1e9);

#define PER_RING(NAME, TYPE, HELP, FMT, EXPR) do { \
	head(b, NAME, TYPE, HELP); \
	for (i = 0; i < c->nrings; i++) \
		if (c->ring_ok[i]) \
			sbuf_printf(b, NAME "{ring=\"%s\"} " FMT "\n", c->ring_names[i], EXPR); \
} while (0)
	PER_RING("mp_ring_lag_bytes", "gauge", "bytes written and not yet released by the consumer", "%llu",
	    (unsigned long long)(c->rings[i].tail - c->rings[i].head));
	PER_RING("mp_ring_lag_records", "gauge", "records written and not yet read", "%llu",
	    (unsigned long long)(c->rings[i].written - c->rings[i].read));
	PER_RING("mp_ring_capacity_bytes", "gauge", "size of the data area", "%llu",
	    (unsigned long long)c->rings[i].capacity);
	PER_RING("mp_ring_written_total", "counter", "records written", "%llu", (unsigned long long)c->ring_since[i].written);
	PER_RING("mp_ring_written_bytes_total", "counter", "bytes written", "%llu",
	    (unsigned long long)c->ring_since[i].written_bytes);
	PER_RING("mp_ring_read_total", "counter", "records read", "%llu", (unsigned long long)c->ring_since[i].read);
	PER_RING("mp_ring_dropped_total", "counter", "records dropped because the ring was full (drop policy)", "%llu",
	    (unsigned long long)c->ring_since[i].dropped);
	PER_RING("mp_ring_full_events_total", "counter", "times the producer found the ring full", "%llu",
	    (unsigned long long)c->ring_since[i].full_events);
	PER_RING("mp_ring_torn_total", "counter", "half-written records of killed producers skipped", "%llu",
	    (unsigned long long)c->ring_since[i].torn);
	PER_RING("mp_ring_corrupt_total", "counter", "corrupt frames the consumer resynchronised past", "%llu",
	    (unsigned long long)c->ring_since[i].corrupt);
	PER_RING("mp_ring_corrupt_lost_total", "counter", "records lost with the corrupt frames", "%llu",
	    (unsigned long long)c->ring_since[i].corrupt_lost);
	PER_RING("mp_ring_producer_heartbeat_age_seconds", "gauge", "age of the producer heartbeat (-1 = never)",
	    "%.3f", c->rings[i].producer_hb_ns ? (double)(now_mono - c->rings[i].producer_hb_ns) / 1e9 : -1.0);
	PER_RING("mp_ring_consumer_heartbeat_age_seconds", "gauge", "age of the consumer heartbeat (-1 = never)",
	    "%.3f", c->rings[i].consumer_hb_ns ? (double)(now_mono - c->rings[i].consumer_hb_ns) / 1e9 : -1.0);
#undef PER_RING

	if (c->nstreams) {
#define PER_STREAM(NAME, HELP, EXPR) do { \
	head(b, NAME, "gauge", HELP); \
	for (i = 0; i < c->nstreams; i++) \
		sbuf_printf(b, NAME "{stream=\"%s\"} %llu\n", c->streams[i].name, (unsigned long long)(EXPR)); \
} while (0)
		PER_STREAM("mp_stream_messages", "messages held by the JetStream stream", c->streams[i].msgs);
		PER_STREAM("mp_stream_bytes", "bytes held by the stream", c->streams[i].bytes);
		PER_STREAM("mp_stream_consumers", "consumers of the stream", c->streams[i].consumers);
		PER_STREAM("mp_stream_backlog_messages", "largest num_pending of the stream's consumers",
		    c->streams[i].backlog);
#undef PER_STREAM
	}
	alerts_prometheus(c, b);
}

void
report_prometheus(struct ctl *c, struct sbuf *b)
{
	const struct mview **v;
	const char *last = "";
	int i, n = 0;

	own_metrics(c, b);
	if (!(v = malloc(sizeof *v * (size_t)(c->nmv ? c->nmv : 1))))
		return;
	for (i = 0; i < c->nmv; i++)
		if (c->mv[i].v.name[0] && safe_labels(c->mv[i].v.labels) && c->mv[i].v.kind >= METRIC_COUNTER &&
		    c->mv[i].v.kind <= METRIC_HIST)
			v[n++] = &c->mv[i];
	qsort(v, (size_t)n, sizeof *v, cmp_view);
	for (i = 0; i < n; i++) {
		const struct mview *m = v[i];
		if (strcmp(m->v.name, last) != 0) {
			/* One HELP/TYPE per name, even when several processes export it. */
			head(b, m->v.name, m->v.kind == METRIC_COUNTER ? "counter" : m->v.kind == METRIC_GAUGE ?
			    "gauge" : "histogram", m->v.help[0] ? m->v.help : "(no help)");
			last = m->v.name;
		}
		if (m->v.kind == METRIC_HIST) {
			put_hist(b, m);
			continue;
		}
		sbuf_puts(b, m->v.name);
		put_labels(b, m->v.labels, m->process, NULL);
		if (m->v.kind == METRIC_COUNTER)
			sbuf_printf(b, " %llu\n", (unsigned long long)m->v.counter);
		else
			sbuf_printf(b, " %lld\n", (long long)m->v.gauge);
	}
	/* The largest value of each histogram, as a gauge family of its own
	 * (<name>_max): a Prometheus histogram has no place for it, and a tail
	 * is judged by its max as much as by its p99. */
	last = "";
	for (i = 0; i < n; i++) {
		const struct mview *m = v[i];
		char nm[80];

		if (m->v.kind != METRIC_HIST)
			continue;
		snprintf(nm, sizeof nm, "%s_max", m->v.name);
		if (strcmp(m->v.name, last) != 0) {
			head(b, nm, "gauge", "largest value observed by the histogram of the same name");
			last = m->v.name;
		}
		sbuf_puts(b, nm);
		put_labels(b, m->v.labels, m->process, NULL);
		if (strlen(m->v.name) > 8 && strcmp(m->v.name + strlen(m->v.name) - 8, "_seconds") == 0)
			sbuf_printf(b, " %.9g\n", (double)m->v.hist.max / 1e9);
		else
			sbuf_printf(b, " %lld\n", (long long)m->v.hist.max);
	}
	free(v);
}
