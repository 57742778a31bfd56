/*
 * http.c - a deliberately small HTTP/1.0 server inside the supervisor loop.
 *
 * Two listeners: TCP on 127.0.0.1:[mpctl] http_port (read-only: the page,
 * /metrics, /health, /api/...) and the unix socket <data_dir>/run/mpctl.sock
 * (mode 0600; the same plus POST /ctl/restart and /ctl/stop), so only the
 * owner of the instance can control it.  One request per connection, no
 * keep-alive, requests up to 8 KiB, a connection is closed after 30 s: the
 * clients are a browser, Prometheus and the mpctl command itself.
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

#include "log.h"
#include "mpctl.h"

#define HC_MAX 32
#define HC_IN 8192

struct hconn {
	int fd;
	int is_unix;
	size_t inlen;
	char in[HC_IN];
	char *out;
	size_t outlen, outoff;
	int64_t deadline;
};

static int lfd_tcp = -1, lfd_unix = -1;
static struct hconn conns[HC_MAX];
static int nconns;
/* what each pollfd handed out stands for: -1 tcp listener, -2 unix listener, i = conns[i] */
static int pmap[HC_MAX + 2];

static int
listen_tcp(int port, char *err, size_t errlen)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 64) != 0)
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "127.0.0.1:%d ([mpctl] http_port): %s", port, strerror(errno));
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

	if ((lfd_unix = listen_unix(c->sock_path, err, errlen)) < 0)
		return -1;
	if (port > 0 && (lfd_tcp = listen_tcp(port, err, errlen)) < 0) {
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
	if (lfd_tcp >= 0 && n < max && nconns < HC_MAX) {
		pmap[n] = -1;
		pfd[n].fd = lfd_tcp;
		pfd[n++].events = POLLIN;
	}
	if (lfd_unix >= 0 && n < max && nconns < HC_MAX) {
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
	    status == 409 ? "Conflict" : "Internal Server Error";
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
			j = natsmon_book(ex, sym, (int)cfg_int(c->cfg, "mpctl", "page_levels"));
			if (j)
				respond_json(h, 200, j);
			else
				respond_json(h, 404, json_pack("{s:s,s:s,s:s}", "exchange", ex, "symbol", sym,
				    "message", c->nats_url[0] ? "no snapshot received yet" : "no NATS configured"));
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
	close(conns[i].fd);
	free(conns[i].out);
	conns[i] = conns[--nconns];
}

static void
accept_on(int lfd, int is_unix)
{
	int fd;

	while (nconns < HC_MAX && (fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		memset(&conns[nconns], 0, sizeof conns[0]);
		conns[nconns].fd = fd;
		conns[nconns].is_unix = is_unix;
		conns[nconns].deadline = mono_ns() + 30000000000LL;
		nconns++;
	}
}

void
http_handle(struct ctl *c, const void *pv, int n)
{
	const struct pollfd *pfd = pv;
	int64_t now = mono_ns();
	char gone[HC_MAX] = {0};
	int i, k;
	ssize_t r;

	for (k = 0; k < n; k++) {
		if (!pfd[k].revents)
			continue;
		if (pmap[k] == -1) {
			accept_on(lfd_tcp, 0);
			continue;
		}
		if (pmap[k] == -2) {
			accept_on(lfd_unix, 1);
			continue;
		}
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
		if (strstr(conns[i].in, "\r\n\r\n") || strstr(conns[i].in, "\n\n"))
			route(c, &conns[i]);
		else if (conns[i].inlen >= HC_IN - 1)
			respond_msg(&conns[i], 400, "request too large");
	}
	for (i = nconns - 1; i >= 0; i--)
		if (gone[i] || now > conns[i].deadline)
			drop_conn(i);
}
