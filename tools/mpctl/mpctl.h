/*
 * mpctl.h - the launcher's internal contract, shared by its files only.
 *
 * One supervisor process per ring prefix (and data dir) owns the process
 * table.  Its single thread runs a poll() loop over a signalfd, the
 * readiness pipes, the HTTP listeners and their connections; a second thread
 * (natsmon.c) talks to NATS so that a slow server never stalls supervision.
 *
 *   main.c     command line: start / stop / status / health / restart
 *   setup.c    before supervising: locks, orphans of a killed mpctl, rings
 *   sup.c      the loop, spawning, reaping, backoff, intensity limit, stop
 *   procs.c    which children to run, with which argv (from config)
 *   collect.c  samples metrics files, ring headers and /proc each tick
 *   collect_find.c finds metrics in what was sampled (index by name)
 *   report.c   /health and status JSON, Prometheus text
 *   alerts.c   the alert rules
 *   series.c   sliding windows over counters (alerts, loss, criteria)
 *   loss.c     per-book incremental loss from bookd's id-based counts
 *   criteria.c the requirements' success criteria, measured
 *   diskprobe.c the data dir's write capacity (a probe thread)
 *   http.c     the tiny HTTP/1.0 server (TCP loopback + unix control socket)
 *   http_req.c is this the start of an HTTP/1.x request? (http_req.h)
 *   natsmon.c  alert publishing, stream monitor, book snapshots for the page
 *   heat.c     the page's rolling time x price heatmap (routerd/mlimg.c frames)
 *   client.c   the commands that talk to a running supervisor, status tables
 */
#ifndef MP_MPCTL_H
#define MP_MPCTL_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "cfg.h"
#include "clock.h"
#include "metrics.h"
#include "ring.h"
#include "sbuf.h"

#define CTL_MAX_CHILDREN 16
#define CTL_MAX_ARGS 160
#define CTL_DEATH_HIST 64
#define CTL_MAX_RINGS 32
#define CTL_EXIT_RUNNING 100    /* another supervisor holds the prefix (s6 style) */
#define CTL_EXIT_NOTRUNNING 3   /* client: no supervisor to talk to */

enum ready_kind { READY_FD = 1, READY_TCP = 2 };

enum proc_state {
	PS_STOPPED = 0,   /* not started yet, or stopped on purpose */
	PS_STARTING,      /* spawned, not ready yet */
	PS_READY,         /* said it is ready */
	PS_BACKOFF,       /* died; waiting for the restart delay */
	PS_STOPPING,      /* SIGTERM sent, waiting for it to exit */
	PS_FAILED,        /* given up (intensity limit or fatal exit code) */
};
const char *proc_state_name(enum proc_state s);

struct child {
	char name[32];               /* feedd.binance, bookd, nats-server, ... */
	char prog[PATH_MAX];
	char *argv[CTL_MAX_ARGS];    /* argv[0] = prog; owned (strdup) */
	int argc;
	enum ready_kind ready;
	int ready_port;              /* READY_TCP */

	enum proc_state state;
	pid_t pid;
	int ready_fd;                /* read end of the readiness pipe, -1 */
	int64_t start_ns;            /* CLOCK_REALTIME of the last spawn */
	int64_t start_mono, ready_mono;
	int64_t next_mono;           /* BACKOFF: when to start; STOPPING: when to SIGKILL */
	int64_t probe_mono;          /* READY_TCP: next probe */
	int killed;                  /* SIGKILL sent */
	int restart_after_stop;      /* operator restart in progress */
	int ready_timed_out;
	unsigned restarts;           /* spawns after the first */
	unsigned backoff_exp;        /* consecutive unhealthy deaths */
	int64_t deaths[CTL_DEATH_HIST];
	unsigned ndeaths;            /* total deaths (deaths[] is a ring) */
	char last_exit[64];          /* "exit 1", "signal 9 (Killed)", "" */
	int64_t last_exit_ns;
	char fail_reason[128];
	int64_t retry_mono;          /* FAILED: when to try it again (failed_retry_interval), 0 = never */
	int retrying;                /* started by that retry, not ready yet: still alerted as failed */

	/* /proc samples (collect.c) */
	uint64_t cpu_ticks, cpu_ticks_prev;
	int64_t cpu_mono_prev;
	double cpu_ratio;
	int64_t rss_bytes;
	int64_t anon_bytes;          /* RssAnon: private memory */
	int open_fds;
	int threads;
	uint64_t wbytes, wbytes_prev;
	double wbytes_rate;
};

/* One metric slot of one process, as the last tick saw it. */
struct mview {
	char process[32];
	struct metric_view v;
};

/* A JetStream stream's state, filled by natsmon.c. */
struct stream_info {
	char name[64];
	uint64_t msgs, bytes, backlog;
	int64_t consumers;
	int64_t last_ns;
};

struct alert_state;
struct mv_index;

struct ctl {
	struct cfg *cfg;
	const char *conf_path;       /* absolute, or NULL */
	char *const *sets;
	int nsets;
	const char *log_level;
	char prefix[128];
	char data_dir[PATH_MAX - 64];
	char run_dir[PATH_MAX];      /* <data_dir>/run: lock, socket, status */
	char log_dir[PATH_MAX];
	char sock_path[108];
	char bin_dir[PATH_MAX];
	char nats_url[256];          /* "" = no NATS */
	int64_t started_ns, started_mono;

	struct child ch[CTL_MAX_CHILDREN];
	int nch;
	int startup_next;            /* start-up: index of the next child to start */
	int starting_all;            /* start-up in progress */
	int stopping_all;            /* stop in progress: index of the child being stopped */
	int stop_index;
	int exit_now;

	/* collection (collect.c) */
	struct mview *mv;
	int nmv, mvcap;
	struct mv_index *mvi;        /* collect_find.c's index of mv by name (a cache) */
	char ring_names[CTL_MAX_RINGS][32];
	struct ring_stat rings[CTL_MAX_RINGS];      /* as the ring headers say (lag = written - read) */
	struct ring_stat ring_since[CTL_MAX_RINGS]; /* the counters since this instance started */
	struct ring_stat ring_base[CTL_MAX_RINGS];  /* the headers when it started (setup_new_instance) */
	int ring_base_ok[CTL_MAX_RINGS];
	int ring_ok[CTL_MAX_RINGS];
	int nrings;
	struct { char process[32]; int32_t pid; int64_t hb_ns; } mfile[CTL_MAX_CHILDREN + 4];
	int nmfile;
	int64_t tick_mono;
	double store_wrate;
	int64_t shm_bytes;           /* what /dev/shm/<prefix> holds */          /* stored's mp_store_bytes_written_total per second, -1 = none */

	/* streams (copied from natsmon under its lock each tick) */
	struct stream_info streams[16];
	int nstreams;
	int nats_connected;

	struct alert_state *alerts;
};

/* sup.c */
int sup_run(struct ctl *c, int notify_fd);
void sup_request_stop(struct ctl *c);
int sup_restart(struct ctl *c, const char *name, char *err, size_t errlen);
struct child *sup_find(struct ctl *c, const char *name);

/* procs.c */
int procs_build(struct ctl *c, char *err, size_t errlen);
void procs_free(struct ctl *c);
/* The value of a key if some schema declares it, else NULL (lets mpctl read
 * keys other parts own, such as [nats] url, without aborting). */
const char *procs_opt_str(const struct cfg *cfg, const char *section, const char *key);

/* collect.c */
void collect_tick(struct ctl *c);
void collect_free(struct ctl *c);

/* collect_find.c: look-ups in the tick's table through a hash index by name
 * (built on demand, extended to slots appended since; collect_index_reset
 * when the table is refilled from 0, collect_index_free at the end). */
/* Find a metric (process may be NULL = any; labels_sub: every k="v" in it must
 * be present in the slot's labels; NULL = any).  Returns the i-th match.
 * name may list aliases: "mp_book_updates_total|mp_book_input_total". */
const struct mview *collect_find(const struct ctl *c, const char *process, const char *name,
    const char *labels_sub, int nth);
/* The first of "name1|name2|..." some process exports (else name1): the
 * daemons' own spellings of a METRICS.md metric are accepted as aliases. */
const char *collect_name(const struct ctl *c, const char *process, const char *alts);
/* collect_find's answer by a scan of the whole table: the reference the
 * index must agree with (test_collect_find, bench_collect_find). */
const struct mview *collect_find_linear(const struct ctl *c, const char *process, const char *name,
    const char *labels_sub, int nth);
void collect_index_reset(const struct ctl *c);
void collect_index_free(struct ctl *c);
/* When bookd's applied count for these labels last changed (CLOCK_REALTIME
 * ns, 0 = not seen moving yet). */
int64_t collect_last_change(const char *labels);
/* Value of a label in a label string ('exchange="okx",symbol="BTC-USDT"'). */
int labels_get(const char *labels, const char *key, char *out, size_t cap);

/* series.c: sliding windows over cumulative values (one sample per key per tick) */
struct series;
struct series_set {
	struct series *s;
	int n, cap;
	int64_t window;
};
void series_init(struct series_set *ss, int64_t window_ns, int64_t interval_ns);
void series_free(struct series_set *ss);
/* Sample v for key at now; its increase over the window. */
double series_delta(struct series_set *ss, const char *key, int64_t now, double v);
/* The increase the last series_delta of key returned, and the time it spans. */
double series_last(struct series_set *ss, const char *key, double *span_s);

/* loss.c: incremental loss per book from bookd's id-based counts (loss_tick once per tick) */
struct loss_fig {
	char exchange[16], symbol[32];
	int have;                      /* bookd exports the book's counts */
	double expected, received, missing, late;   /* since this instance started */
	double w_expected, w_missing;  /* over the [alerts] window */
	double w_span_s;               /* how much of the window the samples cover yet */
};
void loss_tick(struct ctl *c);
const struct loss_fig *loss_book(const char *exchange, const char *symbol);
const struct loss_fig *loss_get(int i);
const struct loss_fig *loss_total(void);
double loss_window_s(const struct ctl *c);
/* {expected, received, missing, late, data_loss_rate, window: {...}} or null */
json_t *loss_json(const struct ctl *c, const struct loss_fig *f);

/* diskprobe.c: write capacity of the data dir ([mpctl] disk_probe_size, disk_probe_interval) */
struct diskprobe_result {
	int done, running;
	int64_t at_ns, bytes;
	double seconds, bytes_per_s;
	char error[256];
};
void diskprobe_tick(struct ctl *c);   /* starts a probe when one is due (thread) */
void diskprobe_get(struct diskprobe_result *out);

/* criteria.c: the requirement's success criteria, measured (/health "criteria") */
void criteria_tick(struct ctl *c);
/* worst_depth: the smallest depth completeness of any book (-1 = none) */
json_t *criteria_json(struct ctl *c, double worst_known);
/* Up time / observed time of one connection gauge (process, labels); -1 = not observed yet */
double criteria_conn_stability(const char *process, const char *labels);

/* report.c */
json_t *report_health(struct ctl *c);
/* Sum of every counter/gauge matching (process NULL = any; name may list aliases a|b); 0 if none */
int report_sum(const struct ctl *c, const char *process, const char *name, const char *labels, double *out);
/* Every histogram matching, merged into *out; returns its count. */
uint64_t report_hist(const struct ctl *c, const char *process, const char *name, const char *labels,
    struct metric_view *out);
json_t *report_status(struct ctl *c);
void report_prometheus(struct ctl *c, struct sbuf *b);

/* alerts.c */
int alerts_init(struct ctl *c, char *err, size_t errlen);
void alerts_eval(struct ctl *c);
json_t *alerts_json(struct ctl *c);
json_t *alerts_requirements(struct ctl *c);
void alerts_prometheus(struct ctl *c, struct sbuf *b);
void alerts_free(struct ctl *c);

/* http.c */
/* [mpctl] http_bind is an IPv4 address (else -1 with err: a config error). */
int http_check_config(const struct cfg *cfg, char *err, size_t errlen);
int http_listen(struct ctl *c, char *err, size_t errlen);
int http_pollfds(struct ctl *c, void *pfd /* struct pollfd[] */, int max);
void http_handle(struct ctl *c, const void *pfd, int n);
void http_close_all(struct ctl *c);
/* The earliest connection deadline (CLOCK_MONOTONIC ns), INT64_MAX if none. */
int64_t http_next_deadline(void);
/* mpctl's own HTTP counters (connections, bad requests, timeouts, evictions). */
void http_prometheus(struct sbuf *b);

/* natsmon.c */
int natsmon_start(struct ctl *c);
void natsmon_stop(void);
void natsmon_publish_alert(const char *subject, const char *json);
int natsmon_streams(struct stream_info *out, int max, int *connected);
/* Latest book message of (exchange, symbol) as JSON for the page, or NULL:
 * full = 0 the newest of orderbook.snapshot / orderbook.full, 1 the latest
 * orderbook.full (with its exact range, bid_exact_floor / ask_exact_ceil). */
json_t *natsmon_book(const char *exchange, const char *symbol, int levels, int full);

/* heat.c: one heatmap frame per book message (NATS thread); the frames as JSON or NULL. */
void heat_add(const char *exchange, const char *symbol, const char *body, size_t len, int full, int64_t now_ns);
json_t *heat_json(const char *exchange, const char *symbol);
void heat_free(void);

/* page.c */
extern const char page_html[];
extern const unsigned page_html_len;

/* client.c */
int client_cmd(struct ctl *c, const char *method, const char *path, struct sbuf *out, int *status);
/* Print a status document (report_status) as tables. */
void client_print_status(json_t *status);

/* setup.c */
/* Lock <data_dir>/run/mpctl.lock and /dev/shm/<prefix>/mpctl.lock (held until
 * exit).  0; -1 when another mpctl holds one; -2 when a lock file cannot be
 * opened at all (err says which and why). */
int setup_lock(struct ctl *c, char *err, size_t errlen);
/* /dev/shm/<prefix> and <data_dir>/run: created 0700, ours, not writable by
 * others (else an error); read bits for others are removed. */
int setup_private_dirs(struct ctl *c, char *err, size_t errlen);
/* Warn when a credential ([nats] password/token, [clickhouse] password) is
 * given with --set, or the config file holding one is readable by others. */
void setup_check_secrets(struct ctl *c);
/* Stop children a killed supervisor left running (from <run_dir>/children). */
void setup_stop_orphans(struct ctl *c);
/* Create missing rings; re-create those of another layout, or of another
 * capacity when empty. */
int setup_rings(struct ctl *c, char *err, size_t errlen);
/* A new instance starts counting from zero: remove the metrics files earlier
 * runs left in /dev/shm/<prefix> (no process of ours runs yet) and note the
 * ring counters, which collect.c reports relative to these. */
void setup_new_instance(struct ctl *c);

#endif
