/*
 * http.c - a deliberately small HTTP/1.0 server inside the supervisor loop.
 *
 * Two listeners: TCP on [mpctl] http_bind (127.0.0.1):http_port (read-only: the page,
 * /metrics, /health, /api/...) and the unix socket <data_dir>/run/mpctl.sock
 * (mode 0600; the same plus POST /ctl/restart and /ctl/stop), so only the
 * owner of the instance can control it.  One request per connection, no
 * keep-alive, requests up to 8 KiB: the clients are a browser, Prometheus and
 * the mpctl command itself.
 *
 * Nobody on the host can lock the owner out (issue 14, defect 1):
 *  - the control socket has its own connection slots (HC_MAX_UNIX), never
 *    shared with the TCP port (HC_MAX_TCP);
 *  - a request must be complete within [mpctl] http_header_timeout of its
 *    connection (else 408 and close); writing the answer gets HC_WRITE_NS;
 *  - bytes that cannot start an HTTP request (binary garbage, a malformed
 *    request line) are answered 400 at once and the connection closed;
 *  - when a listener's slots are full, a new connection evicts the oldest one
 *    of that listener that has not finished its request (else the oldest
 *    one), so new clients are never refused while idle ones sit there.
 * Each of these is counted (mp_ctl_http_*_total).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "http_req.h"
#include "log.h"
#include "mpctl.h"
#include "rec.h"

#define HC_MAX_TCP 32
#define HC_MAX_UNIX 8
#define HC_MAX (HC_MAX_TCP + HC_MAX_UNIX)
#define HC_IN 8192
#define HC_WRITE_NS 30000000000LL   /* a reader gets this long to take the answer */

struct hconn {
	int fd;
	int is_unix;
	size_t inlen;
	char in[HC_IN];
	char *out;
	size_t outlen, outoff;
	int64_t born;       /* accept time: the oldest is evicted first */
	int64_t deadline;
};

static int lfd_tcp = -1, lfd_unix = -1;
static struct hconn conns[HC_MAX];
static int nconns;
static int nkind[2];                 /* open connections per listener: [0] tcp, [1] unix */
static int64_t header_timeout_ns;
/* what each pollfd handed out stands for: -1 tcp listener, -2 unix listener, i = conns[i] */
static int pmap[HC_MAX + 2];
/* counters (mp_ctl_http_*_total), per listener */
static uint64_t n_accepted[2], n_bad[2], n_timeout[2], n_evicted[2];

int
http_check_config(const struct cfg *cfg, char *err, size_t errlen)
{
	struct in_addr a;
	const char *b = cfg_str(cfg, "mpctl", "http_bind");

	if (inet_pton(AF_INET, b, &a) != 1) {
		snprintf(err, errlen, "[mpctl] http_bind = %.100s: not an IPv4 address (127.0.0.1 = loopback only)", b);
		return -1;
	}
	return 0;
}

static int
listen_tcp(const char *addr, int port, char *err, size_t errlen)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		errno = EINVAL;
		fd = -1;
		goto fail;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 64) != 0)
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "%.64s:%d ([mpctl] http_bind, http_port): %s", addr, port, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int
listen_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa.sun_path) {
		snprintf(err, errlen, "control socket path too long (%zu bytes, max %zu): %s; use a shorter "
		    "[system] data_dir", strlen(path), sizeof sa.sun_path - 1, path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	unlink(path);   /* we hold the instance lock: any socket there is stale */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || chmod(path, 0600) != 0 ||
	    listen(fd, 16) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int
http_listen(struct ctl *c, char *err, size_t errlen)
{
	int port = (int)cfg_int(c->cfg, "mpctl", "http_port");

	header_timeout_ns = cfg_dur_ns(c->cfg, "mpctl", "http_header_timeout");
	if ((lfd_unix = listen_unix(c->sock_path, err, errlen)) < 0)
		return -1;
	if (port > 0 && (lfd_tcp = listen_tcp(cfg_str(c->cfg, "mpctl", "http_bind"), port, err, errlen)) < 0) {
		close(lfd_unix);
		unlink(c->sock_path);
		lfd_unix = -1;
		return -1;
	}
	return 0;
}

void
http_close_all(struct ctl *c)
{
	int i;

	for (i = 0; i < nconns; i++) {
		close(conns[i].fd);
		free(conns[i].out);
	}
	nconns = 0;
	nkind[0] = nkind[1] = 0;
	if (lfd_tcp >= 0)
		close(lfd_tcp);
	if (lfd_unix >= 0) {
		close(lfd_unix);
		unlink(c->sock_path);
	}
	lfd_tcp = lfd_unix = -1;
}

int
http_pollfds(struct ctl *c, void *pv, int max)
{
	struct pollfd *pfd = pv;
	int n = 0, i;

	(void)c;
	/* The listeners are always polled: a full listener evicts (accept_on). */
	if (lfd_tcp >= 0 && n < max) {
		pmap[n] = -1;
		pfd[n].fd = lfd_tcp;
		pfd[n++].events = POLLIN;
	}
	if (lfd_unix >= 0 && n < max) {
		pmap[n] = -2;
		pfd[n].fd = lfd_unix;
		pfd[n++].events = POLLIN;
	}
	for (i = 0; i < nconns && n < max; i++) {
		pmap[n] = i;
		pfd[n].fd = conns[i].fd;
		pfd[n++].events = conns[i].out ? POLLOUT : POLLIN;
	}
	return n;
}

static void
respond(struct hconn *h, int status, const char *ctype, const char *body, size_t len)
{
	const char *reason = status == 200 ? "OK" : status == 202 ? "Accepted" : status == 400 ? "Bad Request" :
	    status == 403 ? "Forbidden" : status == 404 ? "Not Found" : status == 405 ? "Method Not Allowed" :
	    status == 408 ? "Request Timeout" : status == 409 ? "Conflict" : "Internal Server Error";
	struct sbuf b = SBUF_INIT;
	size_t total;

	sbuf_printf(&b, "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "Cache-Control: no-store\r\nConnection: close\r\n\r\n", status, reason, ctype, len);
	sbuf_put(&b, body, len);
	total = b.len;
	h->out = sbuf_take(&b);
	/* out of memory: no answer; the idle deadline closes the connection */
	h->outlen = h->out ? total : 0;
	h->outoff = 0;
	h->deadline = mono_ns() + HC_WRITE_NS;
}

static void
respond_json(struct hconn *h, int status, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_INDENT(1) | JSON_REAL_PRECISION(6)) : NULL;

	json_decref(j);
	if (!s) {
		respond(h, 500, "text/plain", "out of memory\n", 14);
		return;
	}
	respond(h, status, "application/json", s, strlen(s));
	free(s);
}

static void
respond_msg(struct hconn *h, int status, const char *msg)
{
	respond_json(h, status, json_pack("{s:b,s:s}", "ok", status < 300, "message", msg));
}

/* Value of a query parameter (no %-decoding beyond %2D/%2E, which browsers do not produce here). */
static int
query_get(const char *query, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key);
	const char *p = query, *e;

	while (p && *p) {
		e = strchr(p, '&');
		if (!e)
			e = p + strlen(p);
		if ((size_t)(e - p) > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			snprintf(out, cap, "%.*s", (int)(e - p - (long)kl - 1), p + kl + 1);
			return 0;
		}
		p = *e ? e + 1 : e;
	}
	return -1;
}

static void
route(struct ctl *c, struct hconn *h)
{
	char method[8], target[1024], path[1024], name[64], ex[32], sym[32], err[256];
	char *q;

	if (sscanf(h->in, "%7s %1023s", method, target) != 2) {
		respond_msg(h, 400, "bad request line");
		return;
	}
	snprintf(path, sizeof path, "%s", target);
	q = strchr(path, '?');
	if (q)
		*q++ = 0;
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
		if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0)
			respond(h, 200, "text/html; charset=utf-8", page_html, page_html_len);
		else if (strcmp(path, "/metrics") == 0) {
			struct sbuf b = SBUF_INIT;
			char *s;
			report_prometheus(c, &b);
			s = sbuf_take(&b);
			if (s)
				respond(h, 200, "text/plain; version=0.0.4; charset=utf-8", s, strlen(s));
			else
				respond(h, 500, "text/plain", "out of memory\n", 14);
			free(s);
		} else if (strcmp(path, "/health") == 0)
			respond_json(h, 200, report_health(c));
		else if (strcmp(path, "/api/status") == 0)
			respond_json(h, 200, report_status(c));
		else if (strcmp(path, "/api/book") == 0) {
			json_t *j;
			if (!q || query_get(q, "exchange", ex, sizeof ex) || query_get(q, "symbol", sym, sizeof sym)) {
				respond_msg(h, 400, "need ?exchange=...&symbol=...");
				return;
			}
			/* &depth=full: the latest orderbook.full, every level (the page's full-depth chart) */
			int full = query_get(q, "depth", name, sizeof name) == 0 && strcmp(name, "full") == 0;
			j = natsmon_book(ex, sym, full ? REC_MAX_LEVELS : (int)cfg_int(c->cfg, "mpctl", "page_levels"), full);
			if (j)
				respond_json(h, 200, j);
			else
				respond_json(h, 404, json_pack("{s:s,s:s,s:s}", "exchange", ex, "symbol", sym,
				    "message", c->nats_url[0] ? "no snapshot received yet" : "no NATS configured"));
		} else if (strcmp(path, "/api/heatmap") == 0) {
			json_t *j;
			if (!q || query_get(q, "exchange", ex, sizeof ex) || query_get(q, "symbol", sym, sizeof sym)) {
				respond_msg(h, 400, "need ?exchange=...&symbol=...");
				return;
			}
			j = heat_json(ex, sym);
			if (j)
				respond_json(h, 200, j);
			else
				respond_json(h, 404, json_pack("{s:s,s:s,s:s}", "exchange", ex, "symbol", sym,
				    "message", "no book message received yet"));
		} else
			respond_msg(h, 404, "not found");
		return;
	}
	if (strcmp(method, "POST") != 0) {
		respond_msg(h, 405, "method not allowed");
		return;
	}
	if (!h->is_unix) {
		/* Control only through the owner's unix socket, never over TCP. */
		respond_msg(h, 403, "control requests are accepted on the unix socket only");
		return;
	}
	if (strcmp(path, "/ctl/stop") == 0) {
		c->exit_now = 1;
		respond_msg(h, 202, "stopping");
	} else if (strcmp(path, "/ctl/restart") == 0) {
		if (!q || query_get(q, "name", name, sizeof name)) {
			respond_msg(h, 400, "need ?name=PROCESS");
			return;
		}
		if (sup_restart(c, name, err, sizeof err) != 0)
			respond_msg(h, sup_find(c, name) ? 409 : 404, err);
		else
			respond_msg(h, 202, "restarting");
	} else
		respond_msg(h, 404, "not found");
}

static void
drop_conn(int i)
{
	nkind[conns[i].is_unix]--;
	close(conns[i].fd);
	free(conns[i].out);
	conns[i] = conns[--nconns];
}

/* The connection a full listener gives up for a new one: the oldest that
 * has not sent a whole request yet, else the oldest. */
static int
victim(int is_unix)
{
	int i, best = -1, best_reading = -1;

	for (i = 0; i < nconns; i++) {
		if (conns[i].is_unix != is_unix)
			continue;
		if (best < 0 || conns[i].born < conns[best].born)
			best = i;
		if (!conns[i].out && (best_reading < 0 || conns[i].born < conns[best_reading].born))
			best_reading = i;
	}
	return best_reading >= 0 ? best_reading : best;
}

static void
accept_on(int lfd, int is_unix)
{
	int cap = is_unix ? HC_MAX_UNIX : HC_MAX_TCP, fd, v;
	int64_t now = mono_ns();

	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		n_accepted[is_unix]++;
		if (nkind[is_unix] >= cap && (v = victim(is_unix)) >= 0) {
			n_evicted[is_unix]++;
			drop_conn(v);
		}
		memset(&conns[nconns], 0, sizeof conns[0]);
		conns[nconns].fd = fd;
		conns[nconns].is_unix = is_unix;
		conns[nconns].born = now;
		conns[nconns].deadline = now + header_timeout_ns;
		nconns++;
		nkind[is_unix]++;
	}
}

static void
on_input(struct ctl *c, struct hconn *h)
{
	int rc = http_req_check(h->in, h->inlen);

	if (rc < 0) {
		n_bad[h->is_unix]++;
		respond_msg(h, 400, "not an HTTP/1.x request");
	} else if (rc > 0)
		route(c, h);
	else if (h->inlen >= HC_IN - 1) {
		n_bad[h->is_unix]++;
		respond_msg(h, 400, "request too large");
	}
}

/* A request not complete in time: one non-blocking 408 (it fits the socket
 * buffer of any client that reads at all), then close. */
static void
time_out(struct hconn *h)
{
	static const char msg[] = "HTTP/1.0 408 Request Timeout\r\nContent-Type: text/plain\r\nContent-Length: 25\r\n"
	    "Connection: close\r\n\r\nrequest not sent in time\n";

	n_timeout[h->is_unix]++;
	if (send(h->fd, msg, sizeof msg - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* the peer is gone or not reading: it is closed either way */
	}
}

void
http_handle(struct ctl *c, const void *pv, int n)
{
	const struct pollfd *pfd = pv;
	int64_t now;
	char gone[HC_MAX] = {0};
	int i, k;
	ssize_t r;

	/* Listeners last: accepting may evict, which moves conns[] entries. */
	for (k = 0; k < n; k++) {
		if (!pfd[k].revents || pmap[k] < 0)
			continue;
		i = pmap[k];
		if (i >= nconns || conns[i].fd != pfd[k].fd)
			continue;
		if (conns[i].out) {
			r = write(conns[i].fd, conns[i].out + conns[i].outoff, conns[i].outlen - conns[i].outoff);
			if (r > 0)
				conns[i].outoff += (size_t)r;
			if ((r < 0 && errno != EAGAIN) || conns[i].outoff >= conns[i].outlen)
				gone[i] = 1;
			continue;
		}
		r = read(conns[i].fd, conns[i].in + conns[i].inlen, HC_IN - 1 - conns[i].inlen);
		if (r <= 0) {
			if (r == 0 || errno != EAGAIN)
				gone[i] = 1;
			continue;
		}
		conns[i].inlen += (size_t)r;
		conns[i].in[conns[i].inlen] = 0;
		on_input(c, &conns[i]);
	}
	now = mono_ns();
	for (i = nconns - 1; i >= 0; i--) {
		if (!gone[i] && now > conns[i].deadline && !conns[i].out)
			time_out(&conns[i]);
		if (gone[i] || now > conns[i].deadline)
			drop_conn(i);
	}
	for (k = 0; k < n; k++)
		if (pfd[k].revents && pmap[k] < 0)
			accept_on(pmap[k] == -1 ? lfd_tcp : lfd_unix, pmap[k] == -2);
}

int64_t
http_next_deadline(void)
{
	int64_t t = INT64_MAX;
	int i;

	for (i = 0; i < nconns; i++)
		if (conns[i].deadline < t)
			t = conns[i].deadline;
	return t;
}

void
http_prometheus(struct sbuf *b)
{
	static const char *const lst[2] = {"tcp", "unix"};
	static const struct {
		const char *name, *help;
		const uint64_t *v;
	} m[] = {
		{"mp_ctl_http_connections_total", "connections accepted by mpctl's HTTP server", n_accepted},
		{"mp_ctl_http_bad_requests_total", "connections answered 400: not an HTTP/1.x request, or too large",
		    n_bad},
		{"mp_ctl_http_timeouts_total", "connections closed because the request was not complete within "
		    "[mpctl] http_header_timeout", n_timeout},
		{"mp_ctl_http_evicted_total", "connections closed to make room for a new one (the listener's slots "
		    "were full)", n_evicted},
	};
	size_t i;
	int l;

	for (i = 0; i < sizeof m / sizeof m[0]; i++) {
		sbuf_printf(b, "# HELP %s %s\n# TYPE %s counter\n", m[i].name, m[i].help, m[i].name);
		for (l = 0; l < 2; l++)
			sbuf_printf(b, "%s{listener=\"%s\"} %llu\n", m[i].name, lst[l], (unsigned long long)m[i].v[l]);
	}
}
