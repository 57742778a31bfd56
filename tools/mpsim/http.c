/* http.c - see http.h. */
#include "http.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "route.h"
#include "tls.h"

#define HDR_MAX (16 * 1024)
#define BODY_MAX (1024 * 1024)
#define WS_MSG_MAX (1024 * 1024)

struct listener {
	uv_tcp_t tcp;
	int venue;
};

struct wreq {
	uv_write_t req;
	size_t len;
	char data[];
};

static const char *
status_text(int s)
{
	switch (s) {
	case 101: return "Switching Protocols";
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 418: return "I'm a teapot";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Status";
	}
}

size_t
conn_queued(const struct sim_conn *c)
{
	return c->tcp.write_queue_size;
}

static void
on_handle_closed(uv_handle_t *h)
{
	struct sim_conn *c = h->data;

	if (--c->handles_open > 0)
		return;
	sb_free(&c->in);
	sb_free(&c->raw);
	tls_free(c->ssl);
	sb_free(&c->pending);
	sb_free(&c->frag);
	free(c->subs);
	free(c);
}

void
conn_drop(struct sim_conn *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	if (c->prev)
		c->prev->next = c->next;
	else
		sim.conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
	route_closed(c);
	if (sim.st[c->venue].connections_open > 0)
		sim.st[c->venue].connections_open--;
	log_debug("connection closed", "venue=%s conn=%llu peer=%s", sim_venue_name(c->venue),
	    (unsigned long long)c->id, c->peer);
	uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
	uv_close((uv_handle_t *)&c->timer, on_handle_closed);
}

static void
on_written(uv_write_t *req, int status)
{
	(void)status;
	free(req);
}

/* Bytes onto the socket as they are (ciphertext for TLS connections). */
static void
raw_write(struct sim_conn *c, const void *const *p, const size_t *n, int np)
{
	size_t tot = 0, o = 0;
	struct wreq *w;
	uv_buf_t b;

	if (c->closing)
		return;
	for (int i = 0; i < np; i++)
		tot += n[i];
	if (tot == 0)
		return;
	w = malloc(sizeof *w + tot);
	if (w == NULL) {
		log_error("out of memory", "bytes=%zu", tot);
		abort();
	}
	for (int i = 0; i < np; i++) {
		if (n[i])
			memcpy(w->data + o, p[i], n[i]);
		o += n[i];
	}
	w->len = tot;
	b = uv_buf_init(w->data, (unsigned)tot);
	if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0) {
		free(w);
		conn_drop(c);
	}
}

static void
write_sb(struct sim_conn *c, const struct sb *b)
{
	const void *p[1] = {b->p};
	size_t n[1] = {b->len};

	raw_write(c, p, n, 1);
}

static void
write_pieces(struct sim_conn *c, const void *const *p, const size_t *n, int np)
{
	struct sb plain, out;

	if (c->ssl == NULL) {
		raw_write(c, p, n, np);
		return;
	}
	if (c->closing)
		return;
	sb_init(&plain);
	sb_init(&out);
	for (int i = 0; i < np; i++)
		if (n[i])
			sb_add(&plain, p[i], n[i]);
	if (tls_output(c->ssl, plain.p, plain.len, &out) < 0) {
		sb_free(&plain);
		sb_free(&out);
		conn_drop(c);
		return;
	}
	write_sb(c, &out);
	sb_free(&plain);
	sb_free(&out);
}

static void
on_shutdown(uv_shutdown_t *req, int status)
{
	struct sim_conn *c = req->data;

	(void)status;
	free(req);
	conn_drop(c);
}

void
conn_end(struct sim_conn *c)
{
	uv_shutdown_t *req;

	if (c->closing || c->shutting)
		return;
	c->shutting = 1;
	if (c->ssl) {
		struct sb out;
		sb_init(&out);
		tls_close(c->ssl, &out);
		write_sb(c, &out);
		sb_free(&out);
	}
	req = malloc(sizeof *req);
	if (req == NULL) {
		conn_drop(c);
		return;
	}
	req->data = c;
	if (uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown) != 0) {
		free(req);
		conn_drop(c);
	}
}

static void
send_response(struct sim_conn *c, const char *data, size_t len, int close)
{
	const void *p[1] = {data};
	size_t n[1] = {len};

	write_pieces(c, p, n, 1);
	if (close)
		conn_end(c);
}

static void process_input(struct sim_conn *c);

static void
on_delay(uv_timer_t *t)
{
	struct sim_conn *c = t->data;

	if (c->closing || !c->busy)
		return;
	c->busy = 0;
	send_response(c, c->pending.p, c->pending.len, c->pending_close);
	sb_reset(&c->pending);
	process_input(c);
}

/* Set per request by process_input: whether to close after the answer. */
static int g_close_after;

void
http_respond(struct sim_conn *c, int status, const char *hdrs, const char *body, size_t len, int delay_ms)
{
	struct sb *r = &c->pending;

	sb_reset(r);
	sb_printf(r, "HTTP/1.1 %d %s\r\nContent-Type: application/json;charset=UTF-8\r\n"
	    "Content-Length: %zu\r\nServer: mpsim\r\n%s%s\r\n",
	    status, status_text(status), len, g_close_after ? "Connection: close\r\n" : "", hdrs ? hdrs : "");
	sb_add(r, body, len);
	if (delay_ms > 0) {
		c->busy = 1;
		c->pending_close = g_close_after;
		uv_timer_start(&c->timer, on_delay, (uint64_t)delay_ms, 0);
		return;
	}
	send_response(c, r->p, r->len, g_close_after);
	sb_reset(r);
}

static void
consume(struct sb *b, size_t n)
{
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

static void
plain_error(struct sim_conn *c, int status, const char *msg)
{
	char body[256];
	int n = snprintf(body, sizeof body, "{\"code\":-1,\"msg\":\"%s\"}", msg);

	sim.st[c->venue].http_bad_requests++;
	log_info("bad HTTP request", "venue=%s conn=%llu peer=%s status=%d why=%s", sim_venue_name(c->venue),
	    (unsigned long long)c->id, c->peer, status, log_q(msg));
	g_close_after = 1;
	http_respond(c, status, NULL, body, (size_t)n, 0);
}

static int
ws_accept_key(const char *key, char out[64])
{
	unsigned char dg[SHA_DIGEST_LENGTH];
	char cat[128];
	int n = snprintf(cat, sizeof cat, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);

	if (n <= 0 || (size_t)n >= sizeof cat)
		return -1;
	SHA1((const unsigned char *)cat, (size_t)n, dg);
	EVP_EncodeBlock((unsigned char *)out, dg, SHA_DIGEST_LENGTH);
	return 0;
}

/* Parse and handle one HTTP request; 1 if one was handled, 0 if more input is needed. */
static int
handle_http(struct sim_conn *c)
{
	char *end = memmem(c->in.p, c->in.len, "\r\n\r\n", 4);
	char hdr[HDR_MAX + 1], *line, *save = NULL, *method, *target, *version, *query;
	const char *upgrade = NULL, *wskey = NULL, *wsver = NULL, *connection = NULL;
	size_t hlen, clen = 0;

	if (end == NULL) {
		if (c->in.len > HDR_MAX)
			plain_error(c, 431, "request headers too large");
		return 0;
	}
	hlen = (size_t)(end - c->in.p) + 4;
	if (hlen > HDR_MAX) {
		plain_error(c, 431, "request headers too large");
		return 0;
	}
	memcpy(hdr, c->in.p, hlen);
	hdr[hlen] = 0;
	line = strtok_r(hdr, "\r\n", &save);
	method = line;
	target = line ? strchr(line, ' ') : NULL;
	if (target)
		*target++ = 0;
	version = target ? strchr(target, ' ') : NULL;
	if (version)
		*version++ = 0;
	if (method == NULL || target == NULL || version == NULL || strncmp(version, "HTTP/1.", 7) != 0) {
		plain_error(c, 400, "bad request line");
		return 0;
	}
	g_close_after = strcmp(version, "HTTP/1.0") == 0;
	while ((line = strtok_r(NULL, "\r\n", &save)) != NULL) {
		char *colon = strchr(line, ':'), *v;
		if (colon == NULL)
			continue;
		*colon = 0;
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		if (strcasecmp(line, "content-length") == 0)
			clen = (size_t)strtoull(v, NULL, 10);
		else if (strcasecmp(line, "upgrade") == 0)
			upgrade = v;
		else if (strcasecmp(line, "connection") == 0)
			connection = v;
		else if (strcasecmp(line, "sec-websocket-key") == 0)
			wskey = v;
		else if (strcasecmp(line, "sec-websocket-version") == 0)
			wsver = v;
	}
	if (connection && strcasestr(connection, "close"))
		g_close_after = 1;
	if (connection && strcasestr(connection, "keep-alive"))
		g_close_after = 0;
	if (clen > BODY_MAX) {
		plain_error(c, 413, "body too large");
		return 0;
	}
	if (c->in.len < hlen + clen)
		return 0;
	consume(&c->in, hlen + clen);
	query = strchr(target, '?');
	if (query)
		*query++ = 0;
	else
		query = "";

	if (upgrade && strcasestr(upgrade, "websocket")) {
		struct sb why;
		char acc[64];
		int st;

		if (strcmp(method, "GET") != 0 || wskey == NULL || wsver == NULL || strcmp(wsver, "13") != 0 ||
		    ws_accept_key(wskey, acc) < 0) {
			plain_error(c, 400, "bad websocket upgrade");
			return 0;
		}
		sb_init(&why);
		st = route_ws_open(c, target, query, &why);
		if (st != 0) {
			g_close_after = 1;
			http_respond(c, st, NULL, why.p ? why.p : "", why.len, 0);
			sb_free(&why);
			return 0;
		}
		sb_free(&why);
		char resp[256];
		int n = snprintf(resp, sizeof resp, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", acc);
		send_response(c, resp, (size_t)n, 0);
		c->state = CONN_WS;
		c->t_rx = c->t_tx = c->t_open = sim_mono_ms();
		route_ws_ready(c);
		return 1;
	}
	route_request(c, method, target, query);
	return 1;
}

static void
count_rx(struct sim_conn *c)
{
	int64_t now = sim_mono_ms();

	c->t_rx = now;
	int lim = sim_ops(c->venue)->rx_limit;
	if (!lim)
		return;
	/* Binance: at most rx_limit incoming messages (data, ping, pong) per
	 * second (spot 5, futures 10): the (lim+1)-th within a second drops. */
	int64_t oldest = c->rx_times[c->rx_idx];
	c->rx_times[c->rx_idx] = now;
	c->rx_idx = (c->rx_idx + 1) % (lim + 1);
	if (oldest && now - oldest < 1000) {
		sim.st[c->venue].clients_dropped_rate++;
		log_info("client over the messages/s limit dropped", "conn=%llu peer=%s limit=%d",
		    (unsigned long long)c->id, c->peer, lim);
		ws_close(c, 1008, "Too many messages");
	}
}

static void
on_pong(struct sim_conn *c, const char *p, size_t n)
{
	char buf[32];
	int64_t id;

	sim.st[c->venue].pongs_received++;
	if (n == 0 || n >= sizeof buf)
		return;
	memcpy(buf, p, n);
	buf[n] = 0;
	id = strtoll(buf, NULL, 10);
	for (int i = 0; i < 4; i++) {
		if (c->ping_sent[i] && c->ping_sent[i] == id) {
			/* Answering a ping answers every older one too. */
			memset(c->ping_sent, 0, sizeof c->ping_sent);
			c->ping_oldest = 0;
			return;
		}
	}
}

/* A client broke RFC 6455: count it, say why, close with that code. */
static void
ws_violation(struct sim_conn *c, int code, const char *why)
{
	sim.st[c->venue].ws_protocol_errors++;
	log_info("websocket protocol error", "venue=%s conn=%llu peer=%s code=%d why=%s", sim_venue_name(c->venue),
	    (unsigned long long)c->id, c->peer, code, log_q(why));
	ws_close(c, code, why);
}

/* Parse one WebSocket frame; 1 if one was consumed, 0 if more input is needed. */
static int
handle_ws(struct sim_conn *c)
{
	unsigned char *b = (unsigned char *)c->in.p;
	size_t have = c->in.len, hl = 2;
	uint64_t plen;
	int fin, op;

	if (have < 2)
		return 0;
	fin = b[0] & 0x80;
	op = b[0] & 0x0f;
	plen = b[1] & 0x7f;
	if (b[0] & 0x70) {
		ws_violation(c, 1002, "reserved bits set");
		return 0;
	}
	if (!(b[1] & 0x80)) {
		ws_violation(c, 1002, "client frames must be masked");
		return 0;
	}
	if (plen == 126) {
		if (have < 4)
			return 0;
		plen = (uint64_t)b[2] << 8 | b[3];
		hl = 4;
	} else if (plen == 127) {
		if (have < 10)
			return 0;
		plen = 0;
		for (int i = 0; i < 8; i++)
			plen = plen << 8 | b[2 + i];
		hl = 10;
	}
	if (plen > WS_MSG_MAX) {
		ws_violation(c, 1009, "message too big");
		return 0;
	}
	if (have < hl + 4 + plen)
		return 0;
	unsigned char *mask = b + hl, *pl = b + hl + 4;
	for (uint64_t i = 0; i < plen; i++)
		pl[i] ^= mask[i & 3];
	sim.st[c->venue].ws_frames_received++;
	if (op >= 8 && (!fin || plen > 125)) {
		ws_violation(c, 1002, "bad control frame");
		return 0;
	}
	switch (op) {
	case WS_OP_CONT:
		if (c->frag_op == 0) {
			ws_violation(c, 1002, "unexpected continuation");
			return 0;
		}
		if (c->frag.len + plen > WS_MSG_MAX) {
			ws_violation(c, 1009, "message too big");
			return 0;
		}
		sb_add(&c->frag, pl, plen);
		if (fin) {
			int fop = c->frag_op;
			c->frag_op = 0;
			count_rx(c);
			if (!c->shutting && !c->closing)
				route_ws_message(c, fop, c->frag.p, c->frag.len);
			sb_reset(&c->frag);
		}
		break;
	case WS_OP_TEXT:
	case WS_OP_BIN:
		if (c->frag_op != 0) {
			ws_violation(c, 1002, "expected continuation");
			return 0;
		}
		if (!fin) {
			c->frag_op = op;
			sb_reset(&c->frag);
			sb_add(&c->frag, pl, plen);
			break;
		}
		count_rx(c);
		if (!c->shutting && !c->closing)
			route_ws_message(c, op, (const char *)pl, plen);
		break;
	case WS_OP_CLOSE: {
		int code = plen >= 2 ? (pl[0] << 8 | pl[1]) : 1000;
		consume(&c->in, hl + 4 + plen);
		ws_close(c, code == 1005 || code == 1006 ? 1000 : code, "");
		return 0;
	}
	case WS_OP_PING:
		count_rx(c);
		if (!c->shutting && !c->closing)
			ws_send3(c, WS_OP_PONG, (const char *)pl, plen, NULL, 0, NULL, 0);
		break;
	case WS_OP_PONG:
		count_rx(c);
		on_pong(c, (const char *)pl, plen);
		break;
	default:
		ws_violation(c, 1002, "unknown opcode");
		return 0;
	}
	if (!c->closing)
		consume(&c->in, hl + 4 + plen);
	return 1;
}

static void
process_input(struct sim_conn *c)
{
	while (!c->closing && !c->busy && c->in.len > 0) {
		if (c->state == CONN_HTTP) {
			if (c->shutting || !handle_http(c))
				break;
		} else {
			if (c->shutting) {
				/* Only the client's close reply matters now. */
				sb_reset(&c->in);
				break;
			}
			if (!handle_ws(c))
				break;
		}
	}
}

static void
on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct sim_conn *c = h->data;

	struct sb *dst = tls_enabled() && (c->ssl || !c->tls_checked) ? &c->raw : &c->in;

	(void)suggested;
	sb_reserve(dst, 65536);
	buf->base = dst->p + dst->len;
	buf->len = 65536;
}

static void
on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct sim_conn *c = s->data;

	(void)buf;
	if (n < 0) {
		conn_drop(c);
		return;
	}
	if (c->closing)
		return;
	if (tls_enabled() && (c->ssl || !c->tls_checked)) {
		c->raw.len += (size_t)n;
		if (!c->tls_checked && c->raw.len > 0) {
			c->tls_checked = 1;
			if ((unsigned char)c->raw.p[0] == 0x16) {
				c->ssl = tls_new();
				if (c->ssl == NULL) {
					conn_drop(c);
					return;
				}
			} else {
				/* plain HTTP on a TLS-enabled port */
				sb_add(&c->in, c->raw.p, c->raw.len);
				sb_reset(&c->raw);
			}
		}
		if (c->ssl) {
			struct sb out;
			int rc;
			sb_init(&out);
			rc = tls_input(c->ssl, c->raw.p, c->raw.len, &c->in, &out);
			sb_reset(&c->raw);
			write_sb(c, &out);
			sb_free(&out);
			if (rc < 0) {
				conn_drop(c);
				return;
			}
		}
	} else {
		c->in.len += (size_t)n;
	}
	process_input(c);
	/* A client that keeps sending while its answers are held back (rest_slow)
	 * or with frames we never complete must not grow us without bound. */
	if (!c->closing && c->in.len > 4 * WS_MSG_MAX) {
		log_warn("client input over 4 MiB unprocessed, dropped", "conn=%llu peer=%s", (unsigned long long)c->id, c->peer);
		conn_drop(c);
	}
}

/* Bookkeeping shared by accepted and adopted connections. */
static void
conn_register(struct sim_conn *c, int venue)
{
	struct sockaddr_storage ss;
	int sl = sizeof ss;

	c->venue = venue;
	c->id = ++sim.next_conn_id;
	snprintf(c->connid, sizeof c->connid, "%08llx", (unsigned long long)(c->id * 2654435761u) & 0xffffffffu);
	snprintf(c->peer, sizeof c->peer, "?");
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &sl) == 0) {
		char ip[48] = "?";
		int port = 0;
		if (ss.ss_family == AF_INET) {
			uv_ip4_name((struct sockaddr_in *)&ss, ip, sizeof ip);
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			uv_ip6_name((struct sockaddr_in6 *)&ss, ip, sizeof ip);
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		}
		snprintf(c->peer, sizeof c->peer, "%s:%d", ip, port);
	}
	c->next = sim.conns;
	if (sim.conns)
		sim.conns->prev = c;
	sim.conns = c;
	sim.st[c->venue].connections_total++;
	sim.st[c->venue].connections_open++;
	c->t_open = c->t_rx = c->t_tx = sim_mono_ms();
}

static struct sim_conn *
conn_new(void)
{
	struct sim_conn *c = calloc(1, sizeof *c);

	if (c == NULL)
		return NULL;
	uv_tcp_init(sim.loop, &c->tcp);
	uv_timer_init(sim.loop, &c->timer);
	c->tcp.data = c->timer.data = c;
	c->handles_open = 2;
	return c;
}

static void
conn_discard(struct sim_conn *c)
{
	c->closing = 1;
	uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
	uv_close((uv_handle_t *)&c->timer, on_handle_closed);
}

static void
on_connection(uv_stream_t *server, int status)
{
	struct listener *l = server->data;
	struct sim_conn *c;

	if (status < 0 || (c = conn_new()) == NULL)
		return;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
		conn_discard(c);
		return;
	}
	uv_tcp_nodelay(&c->tcp, 1);
	conn_register(c, l->venue);
	uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

struct sim_conn *
http_adopt(int venue, int fd)
{
	struct sim_conn *c = conn_new();

	if (c == NULL)
		return NULL;
	if (uv_tcp_open(&c->tcp, fd) != 0) {
		conn_discard(c);
		return NULL;
	}
	conn_register(c, venue);
	return c;
}

void
http_feed(struct sim_conn *c, const void *p, size_t n)
{
	if (c->closing)
		return;
	sb_add(&c->in, p, n);
	process_input(c);
}

int
http_listen(int venue, const char *bind, int port, int *bound)
{
	struct listener *l = calloc(1, sizeof *l);
	struct sockaddr_storage ss;
	int sl = sizeof ss, rc;

	if (l == NULL)
		return -1;
	l->venue = venue;
	uv_tcp_init(sim.loop, &l->tcp);
	l->tcp.data = l;
	if (strchr(bind, ':'))
		rc = uv_ip6_addr(bind, port, (struct sockaddr_in6 *)&ss);
	else
		rc = uv_ip4_addr(bind, port, (struct sockaddr_in *)&ss);
	if (rc != 0) {
		log_error("bad bind address", "addr=%s", log_q(bind));
		return -1;
	}
	rc = uv_tcp_bind(&l->tcp, (struct sockaddr *)&ss, 0);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&l->tcp, 128, on_connection);
	if (rc != 0) {
		log_error("cannot listen", "venue=%s addr=%s port=%d err=%s", sim_venue_name(venue), bind, port,
		    log_q(uv_strerror(rc)));
		return -1;
	}
	uv_tcp_getsockname(&l->tcp, (struct sockaddr *)&ss, &sl);
	*bound = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
	    : ((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

void
ws_send3(struct sim_conn *c, int op, const char *a, size_t alen, const char *b, size_t blen,
    const char *d, size_t dlen)
{
	unsigned char h[10];
	size_t len = alen + blen + dlen, hl;
	const void *p[4];
	size_t n[4];

	if (c->closing || c->shutting || c->state != CONN_WS)
		return;
	if (c->stalled) {
		sim.st[c->venue].messages_dropped_stalled++;
		return;
	}
	if (conn_queued(c) > (size_t)sim.max_write_queue) {
		sim.st[c->venue].clients_dropped_slow++;
		log_warn("slow client dropped", "venue=%s conn=%llu queued=%zu", sim_venue_name(c->venue),
		    (unsigned long long)c->id, conn_queued(c));
		conn_drop(c);
		return;
	}
	h[0] = (unsigned char)(0x80 | op);
	if (len < 126) {
		h[1] = (unsigned char)len;
		hl = 2;
	} else if (len < 65536) {
		h[1] = 126;
		h[2] = (unsigned char)(len >> 8);
		h[3] = (unsigned char)len;
		hl = 4;
	} else {
		h[1] = 127;
		for (int i = 0; i < 8; i++)
			h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
		hl = 10;
	}
	p[0] = h;
	n[0] = hl;
	p[1] = a;
	n[1] = alen;
	p[2] = b;
	n[2] = blen;
	p[3] = d;
	n[3] = dlen;
	write_pieces(c, p, n, 4);
	sim.st[c->venue].ws_frames_sent++;
	sim.st[c->venue].ws_bytes_sent += hl + len;
	if (op < 8)
		c->t_tx = sim_mono_ms();
}

void
ws_send_text(struct sim_conn *c, const char *s, size_t n)
{
	ws_send3(c, WS_OP_TEXT, s, n, NULL, 0, NULL, 0);
}

void
ws_send_raw(struct sim_conn *c, const void *p, size_t n)
{
	const void *pp[1] = {p};
	size_t nn[1] = {n};

	if (c->closing || c->shutting)
		return;
	write_pieces(c, pp, nn, 1);
}

void
ws_close(struct sim_conn *c, int code, const char *reason)
{
	char b[128];
	size_t rl = strlen(reason);

	if (c->closing || c->shutting)
		return;
	if (c->state == CONN_WS) {
		if (rl > 120)
			rl = 120;
		b[0] = (char)(code >> 8);
		b[1] = (char)code;
		memcpy(b + 2, reason, rl);
		c->stalled = 0;  /* a close always goes out */
		ws_send3(c, WS_OP_CLOSE, b, rl + 2, NULL, 0, NULL, 0);
	}
	conn_end(c);
}

void
http_housekeeping(void)
{
	int64_t now = sim_mono_ms();
	int64_t ping_iv = sim_scaled_ms(20000), pong_to = sim_scaled_ms(60000);
	int64_t idle = sim_scaled_ms(30000);
	int64_t life = sim.conn_life_ms ? sim.conn_life_ms : sim_scaled_ms(86400000.0);
	struct sim_conn *c, *next;

	/* Never ping more than once a second: a client's pongs count against
	 * the 5 messages/s rule, so faster pings would make obeying it impossible. */
	if (ping_iv < 1000)
		ping_iv = 1000;
	if (pong_to < 3 * ping_iv)
		pong_to = 3 * ping_iv;
	for (c = sim.conns; c; c = next) {
		next = c->next;
		if (c->state != CONN_WS || c->closing || c->shutting)
			continue;
		if (c->close_at && now >= c->close_at) {
			sim.st[c->venue].clients_closed_fault++;
			ws_close(c, 1001, "server shutdown");
			continue;
		}
		if (sim_ops(c->venue)->server_pings) {
			if (now - c->t_open >= life) {
				sim.st[c->venue].clients_closed_rollover++;
				ws_close(c, 1000, "24h connection limit");
				continue;
			}
			if (c->ping_oldest && now - c->ping_oldest > pong_to) {
				sim.st[c->venue].clients_dropped_no_pong++;
				log_info("client did not answer pings, dropped", "conn=%llu peer=%s",
				    (unsigned long long)c->id, c->peer);
				ws_close(c, 1008, "pong timeout");
				continue;
			}
			if (c->stalled)
				continue;
			if (c->t_next_ping == 0)
				c->t_next_ping = c->t_open + ping_iv;
			if (now >= c->t_next_ping) {
				char pl[24];
				int64_t id = sim_wall_ms();
				int n;
				for (int i = 0; i < 4; i++)
					if (c->ping_sent[i] == id)
						id++;
				n = snprintf(pl, sizeof pl, "%lld", (long long)id);
				memmove(&c->ping_sent[1], &c->ping_sent[0], 3 * sizeof c->ping_sent[0]);
				c->ping_sent[0] = id;
				if (c->ping_oldest == 0)
					c->ping_oldest = now;
				ws_send3(c, WS_OP_PING, pl, (size_t)n, NULL, 0, NULL, 0);
				sim.st[c->venue].pings_sent++;
				c->t_next_ping = now + ping_iv;
			}
		} else {
			int64_t last = c->t_rx > c->t_tx ? c->t_rx : c->t_tx;
			if (now - last > idle) {
				sim.st[c->venue].clients_closed_idle++;
				ws_close(c, 4004, "No data received in 30s.");
			}
		}
	}
}
