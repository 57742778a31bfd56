/*
 * rest.c - REST requests (snapshots, OKX deep books, Binance exchangeInfo)
 * with libcurl's multi interface driven by the feed's libuv loop, each
 * request started only when its lane's budget allows it (budget.h).
 *
 * curl on libuv follows curl's docs/examples/multi-uv.c: one uv_poll_t per
 * socket curl tells us about (stopped and closed on CURL_POLL_REMOVE, before
 * curl can close the fd), one uv_timer_t for curl's single timeout (curl is
 * never called from inside its own timer callback: the uv timer defers it).
 *
 * Venue answers: 429/418 block the lane for Retry-After seconds (a ban must
 * never follow: nothing is sent before it ends); X-MBX-USED-WEIGHT-1M
 * reserves weight other clients of the IP used; OKX 50011/50013 pause the
 * lane for a window.  A failed snapshot is reported as EV_SNAPSHOT_FAILED
 * (aux = req_id) and bookd decides when to ask again.
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "feedd.h"
#include "log.h"
#include "pipe.h"

#define BODY_MAX (64u << 20)

struct sockctx {
	uv_poll_t poll;
	curl_socket_t fd;
	struct rest *r;
};

static void pump(struct rest *r);

static void
free_sockctx(uv_handle_t *h)
{
	free(h->data);
}

static void
check_done(struct rest *r);

static void
on_poll(uv_poll_t *h, int status, int events)
{
	struct sockctx *sc = h->data;
	int flags = 0, running;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	else {
		if (events & UV_READABLE)
			flags |= CURL_CSELECT_IN;
		if (events & UV_WRITABLE)
			flags |= CURL_CSELECT_OUT;
	}
	curl_multi_socket_action(sc->r->multi, sc->fd, flags, &running);
	check_done(sc->r);
}

static int
on_socket(CURL *e, curl_socket_t s, int action, void *userp, void *socketp)
{
	struct rest *r = userp;
	struct sockctx *sc = socketp;
	int ev = 0;

	(void)e;
	if (action == CURL_POLL_REMOVE) {
		if (sc) {
			uv_poll_stop(&sc->poll);
			uv_close((uv_handle_t *)&sc->poll, free_sockctx);
			curl_multi_assign(r->multi, s, NULL);
		}
		return 0;
	}
	if (!sc) {
		sc = calloc(1, sizeof *sc);
		if (!sc)
			return -1;
		sc->fd = s;
		sc->r = r;
		if (uv_poll_init_socket(r->f->loop, &sc->poll, s) != 0) {
			free(sc);
			return -1;
		}
		sc->poll.data = sc;
		curl_multi_assign(r->multi, s, sc);
	}
	if (action == CURL_POLL_IN || action == CURL_POLL_INOUT)
		ev |= UV_READABLE;
	if (action == CURL_POLL_OUT || action == CURL_POLL_INOUT)
		ev |= UV_WRITABLE;
	uv_poll_start(&sc->poll, ev, on_poll);
	return 0;
}

static void
on_curl_timer(uv_timer_t *t)
{
	struct rest *r = t->data;
	int running;

	curl_multi_socket_action(r->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(r);
}

static int
on_timer_change(CURLM *m, long timeout_ms, void *userp)
{
	struct rest *r = userp;

	(void)m;
	if (timeout_ms < 0)
		uv_timer_stop(&r->curl_timer);
	else
		uv_timer_start(&r->curl_timer, on_curl_timer, (uint64_t)timeout_ms, 0);
	return 0;
}

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
	struct rest_req *q = ud;
	size_t len = size * n;

	if (q->len + len + 1 > BODY_MAX)
		return 0;
	if (q->len + len + 1 > q->cap) {
		size_t ncap = q->cap ? q->cap : 65536;
		char *nb;
		while (ncap < q->len + len + 1)
			ncap *= 2;
		if (!(nb = realloc(q->body, ncap)))
			return 0;
		q->body = nb;
		q->cap = ncap;
	}
	memcpy(q->body + q->len, p, len);
	q->len += len;
	q->body[q->len] = 0;
	return len;
}

static int64_t
header_num(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);
	int64_t v = 0;
	size_t i;

	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return -1;
	for (i = n + 1; i < len && line[i] == ' '; i++)
		;
	if (i == len || line[i] < '0' || line[i] > '9')
		return -1;
	for (; i < len && line[i] >= '0' && line[i] <= '9' && v < INT64_MAX / 10 - 10; i++)
		v = v * 10 + (line[i] - '0');
	return v;
}

static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
	struct rest_req *q = ud;
	size_t len = size * n;
	int64_t v;

	if ((v = header_num(p, len, "Retry-After")) >= 0)
		q->retry_after_s = v;
	else if ((v = header_num(p, len, "X-MBX-USED-WEIGHT-1M")) >= 0)
		q->used_weight = v;
	return len;
}

static void
req_free(struct rest_req *q)
{
	free(q->body);
	free(q);
}

/* A request that ends without a book.  `counts` = 0 for a snapshot request
 * replaced by a newer one for the same book before it was sent: the book's
 * need is still being served, so it is no failed snapshot. */
static void
fail_req(struct rest *r, struct rest_req *q, long status, const char *why, int counts)
{
	struct feed *f = r->f;

	r->failed++;
	metric_inc(f->mt.rest_failed, 1);
	if (q->kind == RQ_SNAPSHOT && counts)
		metric_inc(f->mt.snap_failed, 1);
	if (q->kind == RQ_INFO) {
		log_warn("exchangeInfo failed: keeping the default weight limit", "status=%ld why=%s", status, log_q(why));
		return;
	}
	if (q->kind == RQ_META) {
		meta_answer(f, q->inst, 0, status, why);
		return;
	}
	if (q->kind == RQ_MARKET || q->kind == RQ_VENUE_MARKET) {
		/* no book waits for it (the next round asks again): counted
		 * (mp_feed_rest_failed_total), logged, no book event */
		log_warn("market request failed", "exchange=%s path=%s status=%ld why=%s", f->ex, q->path, status,
		    log_q(why));
		return;
	}
	out_event(f, q->inst, EV_SNAPSHOT_FAILED, SEV_WARN, q->req_id, status, 0, "%s %s: %s",
	    q->kind == RQ_DEEP ? "deep" : "snapshot", status ? "failed" : "not answered", why);
}

static void
fail(struct rest *r, struct rest_req *q, long status, const char *why)
{
	fail_req(r, q, status, why, 1);
}

static void
rate_limited(struct rest *r, struct rest_req *q, long status, int64_t wait_ms, const char *why)
{
	struct feed *f = r->f;
	struct rest_lane *ln = &r->lane[q->lane];

	r->rate_limited++;
	metric_inc(f->mt.rate_limited, 1);
	budget_block(&ln->bud, mono_ns() + wait_ms * 1000000);
	out_event(f, q->inst, EV_RATE_LIMITED, status == 418 ? SEV_ERROR : SEV_WARN, q->req_id, wait_ms, status,
	    "%s: REST paused %lld ms", why, (long long)wait_ms);
}

static void
finish(struct rest *r, struct rest_req *q, CURLcode res, long status)
{
	struct feed *f = r->f;
	struct rest_lane *ln = &r->lane[q->lane];
	int64_t recv_ns = now_ns(), mono = mono_ns();
	int rc;

	if (q->used_weight >= 0 && f->ops->server_weight) {
		budget_server_used(&ln->bud, mono, q->used_weight);
		metric_set(f->mt.weight_used, q->used_weight);
	}
	if (res != CURLE_OK) {
		fail(r, q, 0, *q->errbuf ? q->errbuf : curl_easy_strerror(res));
		return;
	}
	if (q->len)
		out_raw(f, recv_ns, RAW_REST, q->path, q->body, q->len);
	if (status == 429 || status == 418) {
		/* without Retry-After (OKX), one whole window */
		int64_t ms = q->retry_after_s >= 0 ? q->retry_after_s * 1000 : ln->bud.window_ns / 1000000;
		rate_limited(r, q, status, ms, status == 418 ? "IP banned (418)" : "rate limited (429)");
		fail(r, q, status, "rate limited");
		return;
	}
	if (status != 200) {
		char why[96];
		snprintf(why, sizeof why, "HTTP %ld %.60s", status, q->body ? q->body : "");
		fail(r, q, status, why);
		return;
	}
	if (q->kind == RQ_INFO) {
		int64_t lim = f->ops->weight_limit ? f->ops->weight_limit(q->body, q->len) : 0;
		r->info_done = 1;
		if (lim > 0) {
			r->venue_limit = lim;
			budget_set_limit(&ln->bud, lim * cfg_int(f->cfg, f->sect, "weight_budget_pct") / 100);
			metric_set(f->mt.weight_limit, ln->bud.limit);
			log_info("weight limit from exchangeInfo", "exchange=%s limit=%lld budget=%lld",
			    f->ex, (long long)lim, (long long)ln->bud.limit);
		}
		if (f->ops->info_rules) {
			/* the same answer has every instrument's rules: records as from a meta answer */
			rc = parse_rest(&f->parser, q->path, q->body ? q->body : "", q->len, recv_ns, 0, out_record, f);
			if (rc < 0) {
				metric_inc(f->mt.parse_errors, 1);
				metric_inc(f->mt.meta_failed, 1);
				out_bad_frame(f, "malformed REST answer", f->parser.err, q->body ? q->body : "", q->len);
			} else {
				metric_inc(f->mt.meta_ok, rc > 0);
				log_info("instrument rules from exchangeInfo", "exchange=%s instruments=%d", f->ex, rc);
			}
		}
		return;
	}
	rc = parse_rest(&f->parser, q->path, q->body ? q->body : "", q->len, recv_ns, q->req_id, out_record, f);
	if (rc > 0) {
		r->ok++;
		metric_inc(f->mt.rest_ok, 1);
		if (q->kind == RQ_SNAPSHOT)
			metric_inc(f->mt.snap_ok, 1);
		if (q->kind == RQ_META)
			meta_answer(f, q->inst, 1, status, NULL);
		return;
	}
	if (q->kind == RQ_VENUE_MARKET && rc == 0) {
		/* well-formed; what it said is the parser's state (fundingInfo) */
		r->ok++;
		metric_inc(f->mt.rest_ok, 1);
		return;
	}
	if (q->kind == RQ_META && rc == 0) {
		/* well-formed, but the instrument is not in it */
		fail(r, q, status, *f->parser.err ? f->parser.err : "the answer does not list the instrument");
		return;
	}
	if (rc < 0 && (strstr(f->parser.err, "error 50011") || strstr(f->parser.err, "error 50013"))) {
		rate_limited(r, q, status, ln->bud.window_ns / 1000000, f->parser.err);
		fail(r, q, status, f->parser.err);
		return;
	}
	metric_inc(f->mt.parse_errors, 1);
	out_bad_frame(f, "malformed REST answer", rc < 0 ? f->parser.err : "no records", q->body ? q->body : "", q->len);
	if (rc < 0 && q->kind != RQ_META)   /* instrument rules are no book input: no event for bookd */
		out_event(f, q->kind == RQ_VENUE_MARKET ? f->parser.inst : q->inst, EV_PARSE_ERROR, SEV_WARN, 0, 0, 0,
		    "%s", f->parser.err);
	fail(r, q, status, rc < 0 ? f->parser.err : q->kind == RQ_MARKET ? "answer carried no record" :
	    "answer carried no book");
}

static void
check_done(struct rest *r)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(r->multi, &left))) {
		struct rest_req *q = NULL;
		long status = 0;
		CURLcode res;

		if (m->msg != CURLMSG_DONE)
			continue;
		res = m->data.result;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&q);
		curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
		curl_multi_remove_handle(r->multi, m->easy_handle);
		curl_easy_cleanup(m->easy_handle);
		r->inflight--;
		if (q) {
			struct rest_req **pp;
			for (pp = &r->flight; *pp; pp = &(*pp)->next)
				if (*pp == q) {
					*pp = q->next;
					break;
				}
			q->easy = NULL;
			finish(r, q, res, status);
			req_free(q);
		}
	}
	pump(r);
}

static int
start(struct rest *r, struct rest_req *q)
{
	struct feed *f = r->f;
	char url[600];
	CURL *e = curl_easy_init();

	if (!e)
		return -1;
	snprintf(url, sizeof url, "%s%s", f->rest_url, q->path);
	q->retry_after_s = -1;
	q->used_weight = -1;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, q);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, q);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, q);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, q->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(f->rest_timeout_ns / 1000000));
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(f->connect_ns / 1000000));
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "marketprism-feedd/1");
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	if (f->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, f->ca_file);
	q->easy = e;
	q->started_ns = mono_ns();
	if (curl_multi_add_handle(r->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		q->easy = NULL;
		return -1;
	}
	q->next = r->flight;
	r->flight = q;
	r->inflight++;
	r->started++;
	log_debug("rest request", "exchange=%s path=%s req_id=%u weight=%lld", f->ex, q->path, q->req_id,
	    (long long)q->weight);
	return 0;
}

static void
on_pump_timer(uv_timer_t *t)
{
	struct rest *r = t->data;

	r->pump_armed = 0;
	pump(r);
}

static void
pump(struct rest *r)
{
	struct feed *f = r->f;
	int64_t mono = mono_ns(), next = -1;
	int queued = 0;

	for (int li = 0; li < r->nlanes; li++) {
		struct rest_lane *ln = &r->lane[li];
		while (ln->head) {
			struct rest_req *q = ln->head;
			int64_t w;
			if (q->kind != RQ_INFO && mono - q->queued_ns > f->queue_timeout_ns) {
				ln->head = q->next;
				ln->queued--;
				r->expired++;
				fail(r, q, 0, "no budget within rest_queue_timeout");
				req_free(q);
				continue;
			}
			if (r->inflight >= r->max_inflight)
				break;
			w = budget_wait(&ln->bud, mono, q->weight);
			if (w < 0) {
				ln->head = q->next;
				ln->queued--;
				fail(r, q, 0, "request weight exceeds the whole budget");
				req_free(q);
				continue;
			}
			if (w > 0) {
				if (next < 0 || w < next)
					next = w;
				break;
			}
			ln->head = q->next;
			ln->queued--;
			budget_spend(&ln->bud, mono, q->weight);
			if (start(r, q) < 0) {
				fail(r, q, 0, "could not start the request");
				req_free(q);
			}
		}
		if (!ln->head)
			ln->tail = NULL;
		queued += ln->queued;
	}
	metric_set(f->mt.rest_queued, queued);
	if (r->nlanes)
		metric_set(f->mt.weight_used, budget_used(&r->lane[0].bud, mono));
	if (next > 0) {
		/* wake when the budget allows the first waiting request */
		uv_timer_start(&r->pump_timer, on_pump_timer, (uint64_t)(next + 999999) / 1000000, 0);
		r->pump_armed = 1;
	}
}

int
rest_pending(struct feed *f, enum rq_kind kind, uint32_t inst)
{
	struct rest *r = &f->rest;

	for (int li = 0; li < r->nlanes; li++)
		for (struct rest_req *q = r->lane[li].head; q; q = q->next)
			if (q->kind == kind && q->inst == inst)
				return 1;
	for (struct rest_req *q = r->flight; q; q = q->next)
		if (q->kind == kind && q->inst == inst)
			return 1;
	return 0;
}

void
rest_submit(struct feed *f, enum rq_kind kind, uint32_t inst, uint32_t req_id, uint32_t depth)
{
	struct rest *r = &f->rest;
	const struct inst *in = inst_get(&f->reg, inst);
	struct rest_req *q, **pp;
	struct rest_lane *ln;

	if (!in)
		return;
	q = calloc(1, sizeof *q);
	if (!q) {
		log_error("out of memory for a REST request", NULL);
		return;
	}
	q->f = f;
	q->kind = kind;
	q->inst = inst;
	q->req_id = req_id;
	q->depth = depth;
	q->queued_ns = mono_ns();
	if (f->ops->rest_path(f, kind, in, depth, q->path, sizeof q->path, &q->weight, &q->lane) < 0) {
		free(q);
		return;
	}
	ln = &r->lane[q->lane];
	/* one waiting request per (kind, instrument): the newest wins */
	for (pp = &ln->head; *pp; pp = &(*pp)->next) {
		struct rest_req *o = *pp;
		if (o->kind == kind && o->inst == inst) {
			if (kind != RQ_SNAPSHOT) {
				free(q);
				return;
			}
			*pp = o->next;
			ln->queued--;
			r->superseded++;
			fail_req(r, o, 0, "superseded by a newer request", 0);
			req_free(o);
			break;
		}
	}
	ln->tail = NULL;
	for (pp = &ln->head; *pp; pp = &(*pp)->next)
		ln->tail = *pp;
	if (ln->tail)
		ln->tail->next = q;
	else
		ln->head = q;
	ln->tail = q;
	ln->queued++;
	pump(r);
}

/*
 * Market requests (RQ_MARKET, the venue's rest_path says which): a round over
 * the instruments every market_poll_interval, each queued only if it leaves
 * one snapshot's weight per instrument in the window (as deep refreshes do),
 * so polling never takes the weight a resync needs; a request left out waits
 * for the next round (mp_feed_market_skipped_total).  They queue behind
 * each other (at most max_inflight at once), so a snapshot asked for
 * during a round waits for at most a round's weight-1 requests.  A venue-wide
 * market request (RQ_VENUE_MARKET: Binance futures fundingInfo, a listing of
 * every adjusted instrument) goes with a round at most once a minute: what
 * it says changes seldom, and the venue limits it apart (USD-M: 500 per
 * 5 minutes per IP, with fundingRate).
 */
#define VENUE_MARKET_MIN_NS (60 * (int64_t)1000000000)

/* Queue market request `kind` for instrument id if the venue has one, none
 * is pending and the budget spares it: 1 sent, 0 not (-1 left out for budget,
 * counted). */
static int
market_submit(struct feed *f, enum rq_kind kind, uint32_t id, int64_t mono)
{
	struct rest *r = &f->rest;
	const struct inst *in = inst_get(&f->reg, id);
	char path[256];
	int64_t w, snap_w;
	int lane, snap_lane;

	if (!in || f->ops->rest_path(f, kind, in, 0, path, sizeof path, &w, &lane) < 0 || rest_pending(f, kind, id))
		return 0;
	if (f->ops->rest_path(f, RQ_SNAPSHOT, in, 0, path, sizeof path, &snap_w, &snap_lane) < 0)
		snap_w = w;
	if (!budget_spare(&r->lane[lane].bud, mono, w, snap_w * f->ninst)) {
		metric_inc(f->mt.market_skipped, 1);
		return -1;
	}
	metric_inc(f->mt.market_sent, 1);
	rest_submit(f, kind, id, 0, 0);
	return 1;
}

static void
market_poll(struct feed *f, int64_t mono)
{
	if (!f->ch_market || f->market_poll_ns <= 0 || mono < f->market_next)
		return;
	f->market_next = mono + f->market_poll_ns;
	for (int i = 0; i < f->ninst; i++)
		market_submit(f, RQ_MARKET, f->inst_ids[i], mono);
	/* the venue-wide one, keyed by the first instrument (one at a time) */
	if (f->ninst > 0 && mono >= f->venue_market_next && market_submit(f, RQ_VENUE_MARKET, f->inst_ids[0], mono) > 0)
		f->venue_market_next = mono + (f->market_poll_ns > VENUE_MARKET_MIN_NS ? f->market_poll_ns :
		    VENUE_MARKET_MIN_NS);
}

void
rest_tick(struct feed *f, int64_t mono)
{
	struct rest *r = &f->rest;

	if (!r->multi)
		return;
	market_poll(f, mono);
	/* exchangeInfo failed: ask again now and then (the default limit
	 * stays in force meanwhile) */
	if (!r->info_done && mono >= r->info_retry && !rest_pending(f, RQ_INFO, f->inst_ids[0])) {
		r->info_retry = mono + 30 * (int64_t)1000000000;
		rest_submit(f, RQ_INFO, f->inst_ids[0], 0, 0);
	}
	meta_tick(f, mono);
	/* requests waiting past their deadline are failed by pump() */
	if (!r->pump_armed)
		pump(r);
}

void
rest_submit_refresh(struct feed *f, uint32_t inst, uint32_t req_id, uint32_t depth)
{
	struct rest *r = &f->rest;
	const struct inst *in = inst_get(&f->reg, inst);
	char path[256];
	int64_t w;
	int lane;

	if (!in || f->ops->rest_path(f, RQ_SNAPSHOT, in, depth, path, sizeof path, &w, &lane) < 0)
		return;
	/* anything queued or a full pipe means requests are waiting already */
	if (r->lane[lane].head || r->inflight >= r->max_inflight ||
	    !budget_spare(&r->lane[lane].bud, mono_ns(), w, w * f->ninst)) {
		metric_inc(f->mt.refresh_skipped, 1);
		out_event(f, inst, EV_SNAPSHOT_FAILED, SEV_INFO, req_id, 0, 0,
		    "deep refresh skipped: the weight budget is kept for resyncs");
		return;
	}
	/* what refreshes cost, apart from resyncs (make bench: binance_refresh_cost) */
	metric_inc(f->mt.refresh_sent, 1);
	metric_inc(f->mt.refresh_weight, (uint64_t)w);
	rest_submit(f, RQ_SNAPSHOT, inst, req_id, depth);
}

int
rest_start(struct feed *f, char *err, size_t errlen)
{
	struct rest *r = &f->rest;

	r->f = f;
	r->max_inflight = 4;
	f->ops->rest_budget(f, r);
	metric_set(f->mt.weight_limit, r->lane[0].bud.limit);
	if (!(r->multi = curl_multi_init())) {
		snprintf(err, errlen, "curl_multi_init failed");
		return -1;
	}
	uv_timer_init(f->loop, &r->curl_timer);
	uv_timer_init(f->loop, &r->pump_timer);
	r->curl_timer.data = r->pump_timer.data = r;
	curl_multi_setopt(r->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(r->multi, CURLMOPT_SOCKETDATA, r);
	curl_multi_setopt(r->multi, CURLMOPT_TIMERFUNCTION, on_timer_change);
	curl_multi_setopt(r->multi, CURLMOPT_TIMERDATA, r);
	r->info_retry = 0;   /* rest_tick asks for exchangeInfo at once */
	return 0;
}

void
rest_stop(struct feed *f)
{
	struct rest *r = &f->rest;
	if (!r->multi)
		return;
	for (int li = 0; li < r->nlanes; li++) {
		struct rest_req *q = r->lane[li].head, *n;
		for (; q; q = n) {
			n = q->next;
			req_free(q);
		}
		r->lane[li].head = r->lane[li].tail = NULL;
	}
	while (r->flight) {
		struct rest_req *q = r->flight;
		r->flight = q->next;
		curl_multi_remove_handle(r->multi, q->easy);
		curl_easy_cleanup(q->easy);
		req_free(q);
	}
	curl_multi_cleanup(r->multi);
	r->multi = NULL;
	uv_timer_stop(&r->curl_timer);
	uv_timer_stop(&r->pump_timer);
	uv_close((uv_handle_t *)&r->curl_timer, NULL);
	uv_close((uv_handle_t *)&r->pump_timer, NULL);
}
