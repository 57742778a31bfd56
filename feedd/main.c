/*
 * feedd - one venue's market data into the pipeline.
 *
 *   bin/feedd --exchange binance|okx|binance-usdm|binance-coinm|bybit|deribit [-c CONF] [--set feedd.binance.ws_url=...]
 *
 * Connects to the venue's WebSocket streams (libwebsockets on libuv),
 * parses every frame into records (parse.h) written to feed.<exchange>,
 * copies every frame and REST answer to raw.<exchange> and optionally a
 * capture file, and serves bookd's requests from ctl.<exchange>: REST
 * snapshots within the venue's request budget, OKX resubscribes and deep
 * books, reconnects.  See feedd.h for the parts; [feedd.<exchange>] in the
 * config for every setting.
 */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "feedd.h"
#include "jitter.h"
#include "log.h"
#include "pipe.h"

static const char usage[] =
    "usage: feedd --exchange binance|okx|binance-usdm|binance-coinm|bybit|deribit [--capture-file FILE] [options]\n"
    "\n"
    "Connects to one venue (Binance spot, OKX, Binance USD-M or COIN-M futures), writes its depth updates, trades,\n"
    "tickers and klines as records to the ring feed.<exchange>, every raw frame to\n"
    "raw.<exchange> (and to a capture file when asked), and answers bookd's snapshot\n"
    "requests from ctl.<exchange> within the venue's REST budget.\n"
    "\n"
    "Options:\n"
    "  --exchange NAME         binance, okx, binance-usdm, binance-coinm, bybit or deribit (required)\n"
    "  --capture-file FILE     append every frame to FILE in the capture format\n"
    "                          (<recv_ns> <exchange> ws|rest:<path> <payload>);\n"
    "                          the same as --set feedd.<exchange>.capture_file=FILE\n"
    "Settings live in [feedd.<exchange>] (see below); endpoints default to the real\n"
    "venue, e.g. --set feedd.binance.ws_url=ws://127.0.0.1:9000 for mpsim.\n";

static struct feed g_feed;

static void
on_close_noop(uv_handle_t *h)
{
	(void)h;
}

static void
shutdown_feed(struct feed *f, const char *why)
{
	if (f->stopping)
		return;
	log_info("stopping", "exchange=%s why=%s", f->ex, log_q(why));
	ws_stop(f);
	rest_stop(f);
	ctl_stop(f);
	uv_timer_stop(&f->tick);
	uv_close((uv_handle_t *)&f->tick, on_close_noop);
	uv_signal_stop(&f->sigterm);
	uv_signal_stop(&f->sigint);
	uv_close((uv_handle_t *)&f->sigterm, on_close_noop);
	uv_close((uv_handle_t *)&f->sigint, on_close_noop);
}

static void
on_signal(uv_signal_t *s, int sig)
{
	shutdown_feed(s->data, sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void
deep_schedule(struct feed *f, int64_t mono)
{
	if (!f->ops->deep || f->deep_ns == 0)
		return;
	for (int i = 0; i < f->ninst; i++) {
		uint32_t id = f->inst_ids[i];
		if (mono < f->deep_next[id])
			continue;
		f->deep_next[id] = mono + jitter10(&f->deep_rng, f->deep_ns);
		if (!rest_pending(f, RQ_DEEP, id))
			rest_submit(f, RQ_DEEP, id, 0, f->deep_depth);
	}
}

static void
on_tick(uv_timer_t *t)
{
	struct feed *f = t->data;
	int64_t mono = mono_ns();

	if (f->stopping)
		return;
	ws_tick(f, mono);
	rest_tick(f, mono);
	deep_schedule(f, mono);
	if (mono - f->last_hb >= 1000000000) {
		f->last_hb = mono;
		ring_heartbeat(f->feed_ring);
		if (f->raw_ring)
			ring_heartbeat(f->raw_ring);
		if (f->m)
			metrics_heartbeat(f->m);
	}
}

static int
settings(struct feed *f, char *err, size_t errlen)
{
	struct cfg *c = f->cfg;
	const char *s = f->sect;

	f->capture = cfg_bool(c, s, "capture");
	f->ca_file = *cfg_str(c, s, "ca_file") ? cfg_str(c, s, "ca_file") : NULL;
	f->ping_ns = cfg_dur_ns(c, s, "ping_interval");
	f->pong_ns = cfg_dur_ns(c, s, "pong_timeout");
	f->stale_ns = cfg_dur_ns(c, s, "stale_after");
	if (f->stale_ns == 0)
		f->stale_ns = f->venue->stale_s * (int64_t)1000000000;
	f->connect_ns = cfg_dur_ns(c, s, "connect_timeout");
	f->conn_age_ns = cfg_dur_ns(c, s, "max_conn_age");
	f->backoff_reset_ns = cfg_dur_ns(c, s, "backoff_reset");
	f->rest_timeout_ns = cfg_dur_ns(c, s, "rest_timeout");
	f->queue_timeout_ns = cfg_dur_ns(c, s, "rest_queue_timeout");
	f->deep_ns = cfg_dur_ns(c, s, "deep_interval");
	f->meta_interval_ns = cfg_dur_ns(c, s, "instrument_interval");
	f->meta_retry_ns = cfg_dur_ns(c, s, "instrument_retry");
	f->deep_depth = (uint32_t)cfg_int(c, s, "deep_depth");
	f->market_poll_ns = cfg_dur_ns(c, s, "market_poll_interval");
	if (cfg_dur_ns(c, s, "reconnect_max") < cfg_dur_ns(c, s, "reconnect_min")) {
		snprintf(err, errlen, "%s: [%s] reconnect_max is smaller than reconnect_min",
		    cfg_origin(c, s, "reconnect_max"), s);
		return -1;
	}
	return venue_setup(f, err, errlen);
}

static int
instruments(struct feed *f, char *err, size_t errlen)
{
	char perr[256];

	if (pipe_instruments(f->cfg, &f->reg, perr, sizeof perr) != 0) {
		snprintf(err, errlen, "%s", perr);
		return -1;
	}
	f->inst_ids = malloc((size_t)(f->reg.n ? f->reg.n : 1) * sizeof *f->inst_ids);
	f->deep_next = calloc((size_t)f->reg.n + 1, sizeof *f->deep_next);
	f->meta_next = calloc((size_t)f->reg.n + 1, sizeof *f->meta_next);
	f->meta = calloc((size_t)f->reg.n + 1, sizeof *f->meta);
	if (!f->inst_ids || !f->deep_next || !f->meta_next || !f->meta) {
		snprintf(err, errlen, "out of memory for %d instruments", f->reg.n);
		return -1;
	}
	for (int i = 0; i < f->reg.n; i++)
		if (f->reg.v[i].exch == f->exch)
			f->inst_ids[f->ninst++] = f->reg.v[i].id;
	if (f->ninst == 0) {
		snprintf(err, errlen, "[instruments] %s: no instruments for this exchange", f->ex);
		return -1;
	}
	if (parse_init(&f->parser, &f->reg, f->exch) != 0) {
		snprintf(err, errlen, "parser: %s", f->parser.err);
		return -1;
	}
	return 0;
}

/* Our own options, before the standard ones are parsed. */
static int
own_options(int *argcp, char **argv, const char **exchange, const char **capf)
{
	int o = 1;

	for (int i = 1; i < *argcp; i++) {
		if ((strcmp(argv[i], "--exchange") == 0 || strcmp(argv[i], "--capture-file") == 0) && i + 1 < *argcp) {
			*(argv[i][2] == 'e' ? exchange : capf) = argv[i + 1];
			i++;
		} else if (strncmp(argv[i], "--exchange=", 11) == 0) {
			*exchange = argv[i] + 11;
		} else if (strncmp(argv[i], "--capture-file=", 15) == 0) {
			*capf = argv[i] + 15;
		} else {
			argv[o++] = argv[i];
		}
	}
	argv[o] = NULL;
	*argcp = o;
	return 0;
}

int
main(int argc, char **argv)
{
	struct feed *f = &g_feed;
	const char *exchange = NULL, *capf = NULL;
	char err[512], setbuf[600];
	char logname[48];
	char *args[128];
	int n = 0;
	uv_loop_t loop;

	/* --capture-file becomes a --set so the config machinery validates it */
	own_options(&argc, argv, &exchange, &capf);
	for (int i = 0; i < argc && n < 120; i++)
		args[n++] = argv[i];
	if (capf && exchange) {
		snprintf(setbuf, sizeof setbuf, "feedd.%s.capture_file=%s", exchange, capf);
		args[n++] = (char *)"--set";
		args[n++] = setbuf;
	}
	args[n] = NULL;
	f->cfg = daemon_start("feedd", usage, &n, args);
	if (n > 1) {
		fprintf(stderr, "feedd: unexpected argument %s\n%s", args[1], usage);
		return 2;
	}
	if (exchange && exch_parse(exchange) == EX_NONE && venue_lookup(exchange) != EX_NONE) {
		venue_ready(venue_lookup(exchange), err, sizeof err);
		fprintf(stderr, "feedd: --exchange %s: %s\n", exchange, err);
		return 2;
	}
	if (!exchange || (f->exch = exch_parse(exchange)) == EX_NONE) {
		fprintf(stderr, "feedd: --exchange NAME is required (one of %s)\n%s", venue_names(), usage);
		return 2;
	}
	if (!(f->ops = venue_ops(f->exch, err, sizeof err))) {
		fprintf(stderr, "feedd: --exchange %s: %s\n", exchange, err);
		return 2;
	}
	f->venue = venue_get(f->exch);
	f->ex = exch_name(f->exch);
	snprintf(f->sect, sizeof f->sect, "feedd.%s", f->ex);
	snprintf(logname, sizeof logname, "feedd-%s", f->ex);
	log_init(logname);
	if (instruments(f, err, sizeof err) < 0 || settings(f, err, sizeof err) < 0) {
		fprintf(stderr, "feedd: %s\n", err);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		log_error("curl_global_init failed", NULL);
		return 1;
	}
	uv_loop_init(&loop);
	f->loop = &loop;
	if (out_open(f, err, sizeof err) < 0 || ctl_start(f, err, sizeof err) < 0 ||
	    rest_start(f, err, sizeof err) < 0) {
		log_error("cannot start", "exchange=%s err=%s", f->ex, log_q(err));
		return 1;
	}
	meta_start(f);
	uv_timer_init(&loop, &f->tick);
	f->tick.data = f;
	uv_timer_start(&f->tick, on_tick, 200, 200);
	uv_signal_init(&loop, &f->sigterm);
	uv_signal_init(&loop, &f->sigint);
	f->sigterm.data = f->sigint.data = f;
	uv_signal_start(&f->sigterm, on_signal, SIGTERM);
	uv_signal_start(&f->sigint, on_signal, SIGINT);
	if (f->deep_ns < 0 && f->exch == EX_OKX) {
		/* auto: as fast as the books-full lane allows (feedd/README.md) */
		f->deep_ns = budget_poll_interval(cfg_int(f->cfg, f->sect, "okx_full_rate"),
		    cfg_dur_ns(f->cfg, f->sect, "okx_rate_window"), f->ninst, 1, 1000000000LL);
		log_info("deep_interval auto", "exchange=%s instruments=%d interval_ms=%lld", f->ex, f->ninst,
		    (long long)(f->deep_ns / 1000000));
	} else if (f->deep_ns < 0) {
		f->deep_ns = 0;
	}
	f->deep_rng = (uint64_t)mono_ns() | 1;
	/* the first poll of each instrument spread over one interval */
	for (int i = 0; i < f->ninst; i++)
		f->deep_next[f->inst_ids[i]] = mono_ns() + (f->deep_ns ? f->deep_ns * (i + 1) / f->ninst : 0);
	if (ws_start(f, err, sizeof err) < 0) {
		log_error("cannot start", "exchange=%s err=%s", f->ex, log_q(err));
		return 1;
	}
	log_info("started", "exchange=%s instruments=%d ws=%s rest=%s capture=%d links=%d", f->ex, f->ninst,
	    log_q(f->ws_url), log_q(f->rest_url), f->capture, f->nlinks);
	daemon_ready();
	uv_run(&loop, UV_RUN_DEFAULT);
	ws_free(f);
	out_close(f);
	parse_free(&f->parser);
	venue_free(f);
	free(f->inst_ids);
	free(f->deep_next);
	free(f->meta_next);
	free(f->meta);
	inst_reg_free(&f->reg);
	if (uv_loop_close(&loop) != 0)
		log_warn("event loop closed with handles still open", NULL);
	curl_global_cleanup();
	cfg_free(f->cfg);
	log_info("stopped", "exchange=%s", f->ex);
	return 0;
}
