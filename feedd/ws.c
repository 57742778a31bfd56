/*
 * ws.c - the venue's WebSocket links on libwebsockets, on the feed's libuv
 * loop (a foreign loop: lws installs no signal handlers; we own SIGTERM).
 *
 * A link must always be up.  Its connection (struct conn) is replaced when
 * it fails (reconnect after an exponential backoff with jitter), when it is
 * too old or the venue announces a shutdown (roll-over: the new connection
 * is opened first and the old one dropped when the new one is open), when a
 * depth stream of one instrument goes silent (watchdog), or when an OKX ping
 * is not answered.  After every (re)connect of a link carrying books, every
 * instrument gets EV_CONNECTED (bookd resyncs on it); a lost connection gives
 * EV_DISCONNECTED.
 *
 * Pings: lws answers the server's ping frames (Binance, every 20 s) with
 * pongs itself.  OKX wants a text "ping" after silence and answers "pong".
 *
 * Connections are freed lazily (ws_tick), only once lws has said it is done
 * with them (LWS_CALLBACK_WSI_DESTROY, or a connect that returned NULL).
 */
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "feedd.h"
#include "log.h"
#include "pipe.h"

#define RX_MAX (32u << 20)

static void link_connect(struct link *l);

static const uint32_t g_no_retry[] = {1000};
static const lws_retry_bo_t g_policy = {
	.retry_ms_table = g_no_retry,
	.retry_ms_table_count = 1,
	.conceal_count = 0,
	/* we watch liveness ourselves; keep lws's own idle pings out of the
	 * venues' message budgets (Binance: 5 incoming messages/s) */
	.secs_since_valid_ping = 60000,
	.secs_since_valid_hangup = 65000,
	.jitter_percent = 0,
};

/*
 * Close a connection.  lws closes politely (close frame, flush), which a
 * venue that stopped reading or answering stretches to its own timeouts; for
 * a connection we gave up on (hard) shutting the socket down makes lws see
 * the end at once.  lws still owns and closes the fd.
 */
static void
kill_conn(struct conn *c, const char *why, int hard)
{
	if (c->killing || c->state == CS_GONE)
		return;
	c->killing = 1;
	if (!c->why[0])
		snprintf(c->why, sizeof c->why, "%s", why);
	if (!c->wsi)
		return;
	if (hard) {
		lws_sockfd_type fd = lws_get_socket_fd(c->wsi);
		if (fd >= 0)
			shutdown(fd, SHUT_RDWR);
	}
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static void
link_event_up(struct link *l)
{
	struct feed *f = l->f;

	if (l->books)
		out_event_link(l, EV_CONNECTED, SEV_INFO, (int64_t)l->connects, 0, "%s%s", f->ws_url, l->path);
	else
		out_event(f, 0, EV_SUBSCRIBED, SEV_INFO, 0, 1, 0, "%s link up: %s%s", l->name, f->ws_url, l->path);
}

static void
link_event_down(struct link *l, const char *why)
{
	struct feed *f = l->f;

	if (l->books)
		out_event_link(l, EV_DISCONNECTED, SEV_WARN, (int64_t)l->losses, 0, "%s", why);
	else
		out_event(f, 0, EV_SUBSCRIBED, SEV_WARN, 0, 0, 0, "%s link down: %s", l->name, why);
}

static void
on_retry(uv_timer_t *t)
{
	struct link *l = t->data;

	l->retry_armed = 0;
	if (!l->f->stopping && !l->cur)
		link_connect(l);
}

static void
schedule_reconnect(struct link *l)
{
	int64_t d = backoff_next(&l->bo);

	if (l->f->stopping)
		return;
	l->retry_armed = 1;
	l->retry_at = mono_ns() + d;
	log_info("reconnect scheduled", "exchange=%s link=%s in_ms=%lld attempt=%u", l->f->ex, l->name,
	    (long long)(d / 1000000), l->bo.attempts);
	uv_timer_start(&l->retry, on_retry, (uint64_t)(d / 1000000), 0);
}

/* lws says the connection is over (error, close, or destroyed). */
static void
conn_lost(struct conn *c, const char *why)
{
	struct link *l = c->l;
	struct feed *f = l->f;
	int was_open = c->state == CS_OPEN;
	int64_t mono = mono_ns();

	if (c->state == CS_GONE)
		return;
	c->state = CS_GONE;
	if (!c->why[0])
		snprintf(c->why, sizeof c->why, "%s", why);
	if (was_open) {
		metric_inc(f->mt.disconnects, 1);
		metric_set(f->mt.links_up, *f->mt.links_up - 1);
	}
	if (c == l->old) {
		l->old = NULL;
		log_info("connection retired", "exchange=%s link=%s conn=%llu why=%s", f->ex, l->name,
		    (unsigned long long)c->serial, log_q(c->why));
		return;
	}
	if (c != l->cur)
		return;
	if (l->old && l->old->state == CS_OPEN && !l->old->retiring) {
		/* the replacement failed: keep the old one and try again later */
		l->cur = l->old;
		l->old = NULL;
		l->retry_at = mono + backoff_next(&l->bo);
		log_warn("roll-over connection failed: keeping the old one", "exchange=%s link=%s why=%s",
		    f->ex, l->name, log_q(c->why));
		return;
	}
	l->cur = NULL;
	if (was_open) {
		l->losses++;
		if (mono - c->t_open >= f->backoff_reset_ns)
			backoff_reset(&l->bo);
		link_event_down(l, c->why);
	} else {
		log_warn("connection failed", "exchange=%s link=%s why=%s", f->ex, l->name, log_q(c->why));
	}
	schedule_reconnect(l);
}

static int
txq_push(struct conn *c, const char *msg, size_t len)
{
	char *b;

	if (c->txn == FEED_TXQ)
		return -1;
	b = malloc(LWS_PRE + len);
	if (!b)
		return -1;
	memcpy(b + LWS_PRE, msg, len);
	c->txq[c->txn] = b;
	c->txlen[c->txn++] = len;
	return 0;
}

int
ws_send(struct link *l, const char *msg, size_t len)
{
	struct conn *c = l->cur;

	if (!c || c->state != CS_OPEN || c->killing || !c->wsi)
		return -1;
	if (txq_push(c, msg, len) < 0) {
		log_warn("send queue full", "exchange=%s link=%s", l->f->ex, l->name);
		return -1;
	}
	lws_callback_on_writable(c->wsi);
	return 0;
}

static void
on_open(struct conn *c)
{
	struct link *l = c->l;
	struct feed *f = l->f;
	int64_t mono = mono_ns();

	c->state = CS_OPEN;
	c->t_open = c->t_rx = c->t_tx = mono;
	l->connects++;
	metric_inc(f->mt.connects, 1);
	metric_set(f->mt.links_up, *f->mt.links_up + 1);
	if (c != l->cur) {
		kill_conn(c, "not the link's current connection", 0);
		return;
	}
	log_info("connected", "exchange=%s link=%s conn=%llu url=%s", f->ex, l->name,
	    (unsigned long long)c->serial, log_q(f->ws_url));
	if (l->old) {
		l->old->retiring = 1;
		kill_conn(l->old, "rolled over to a new connection", 0);
	}
	l->rollover_pending = 0;
	for (int i = 0; i <= f->reg.n; i++)
		l->depth_rx[i] = 0;
	link_event_up(l);
	if (f->ops->on_open)
		f->ops->on_open(l, c);
}

static void
on_frame(struct conn *c, const char *buf, size_t len)
{
	struct link *l = c->l;
	struct feed *f = l->f;
	int64_t recv_ns = now_ns();
	uint64_t slow = f->parser.slow_path, unk = f->parser.unknown;
	int rc;

	c->t_rx = mono_ns();
	c->t_ping = 0;
	metric_inc(f->mt.frames, 1);
	if (c->retiring || c != l->cur) {
		metric_inc(f->mt.retired_frames, 1);
		return;
	}
	out_raw(f, recv_ns, RAW_WS, l->path, buf, len);
	f->parser.ws_path = l->path;
	rc = parse_ws(&f->parser, buf, len, recv_ns, out_record, f);
	if (f->parser.slow_path != slow)
		metric_inc(f->mt.slow_path, 1);
	if (rc < 0) {
		metric_inc(f->mt.parse_errors, 1);
		out_bad_frame(f, "malformed frame", f->parser.err, buf, len);
		/* the instrument when the frame named one before it went wrong */
		out_event(f, f->parser.inst, EV_PARSE_ERROR, SEV_WARN, 0, (int64_t)len, 0, "%s", f->parser.err);
		return;
	}
	if (f->parser.unknown != unk) {
		metric_inc(f->mt.unknown, 1);
		out_bad_frame(f, "unexpected frame", f->parser.err, buf, len);
	}
	switch (f->parser.notice) {
	case PN_PONG:
		metric_inc(f->mt.pongs, 1);
		break;
	case PN_SERVER_SHUTDOWN:
		ws_rollover(l, "venue announced a server shutdown");
		break;
	case PN_UPGRADE_NOTICE:
		ws_rollover(l, "venue announced a service upgrade (64008)");
		break;
	case PN_SUB_ERROR:
		out_event(f, 0, EV_SUBSCRIBED, SEV_ERROR, 0, 0, 0, "%s", f->parser.err);
		break;
	case PN_REPLY:
		if (ws_send(l, f->parser.reply, strlen(f->parser.reply)) < 0)
			log_warn("venue's request not answered: connection not open", "exchange=%s link=%s", f->ex, l->name);
		break;
	case PN_SUB_ACK:
		log_debug("subscription acknowledged", "exchange=%s link=%s", f->ex, l->name);
		break;
	default:
		break;
	}
}

static int
rx_append(struct conn *c, const char *in, size_t len)
{
	if (c->rxlen + len + 1 > RX_MAX)
		return -1;
	if (c->rxlen + len + 1 > c->rxcap) {
		size_t ncap = c->rxcap ? c->rxcap : 65536;
		char *nb;
		while (ncap < c->rxlen + len + 1)
			ncap *= 2;
		if (!(nb = realloc(c->rx, ncap)))
			return -1;
		c->rx = nb;
		c->rxcap = ncap;
	}
	memcpy(c->rx + c->rxlen, in, len);
	c->rxlen += len;
	return 0;
}

/* lws hands a message over in pieces (fragments, and chunks of its rx
 * buffer); the parser wants whole frames. */
static void
on_rx(struct conn *c, struct lws *wsi, const char *in, size_t len)
{
	if (!c->in_msg) {
		c->in_msg = 1;
		c->rxlen = 0;
		c->rx_overflow = 0;
	}
	if (!c->rx_overflow && rx_append(c, in, len) < 0)
		c->rx_overflow = 1;
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) != 0)
		return;
	c->in_msg = 0;
	if (c->rx_overflow) {
		struct feed *f = c->l->f;
		metric_inc(f->mt.parse_errors, 1);
		out_event(f, 0, EV_PARSE_ERROR, SEV_WARN, 0, 0, 0, "frame larger than %u bytes dropped", RX_MAX);
		return;
	}
	c->rx[c->rxlen] = 0;
	on_frame(c, c->rx, c->rxlen);
}

static int
on_writeable(struct conn *c, struct lws *wsi)
{
	if (c->killing)
		return -1;
	if (c->txn) {
		char *b = c->txq[0];
		size_t len = c->txlen[0];
		int n = lws_write(wsi, (unsigned char *)b + LWS_PRE, len, LWS_WRITE_TEXT);
		c->t_tx = mono_ns();
		free(b);
		memmove(c->txq, c->txq + 1, (size_t)(c->txn - 1) * sizeof c->txq[0]);
		memmove(c->txlen, c->txlen + 1, (size_t)(c->txn - 1) * sizeof c->txlen[0]);
		c->txn--;
		if (n < (int)len) {
			snprintf(c->why, sizeof c->why, "write failed");
			return -1;
		}
		if (c->txn)
			lws_callback_on_writable(wsi);
	}
	return 0;
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct conn *c = wsi ? lws_get_opaque_user_data(wsi) : NULL;

	(void)user;
	if (!c)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		on_open(c);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		on_rx(c, wsi, in, len);
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return on_writeable(c, wsi);
	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		c->t_rx = mono_ns();
		break;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (len >= 2 && !c->why[0]) {
			const unsigned char *p = in;
			snprintf(c->why, sizeof c->why, "venue closed the connection: code %u %.*s",
			    (unsigned)(p[0] << 8 | p[1]), (int)(len - 2 > 80 ? 80 : len - 2), (const char *)in + 2);
		}
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (!c->why[0])
			snprintf(c->why, sizeof c->why, "connect failed: %.100s", in ? (const char *)in : "unknown");
		conn_lost(c, "connect failed");
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		conn_lost(c, "connection closed");
		break;
	case LWS_CALLBACK_WSI_DESTROY:
		conn_lost(c, "connection destroyed");
		c->wsi = NULL;
		c->wsi_gone = 1;
		lws_set_opaque_user_data(wsi, NULL);
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols g_protocols[] = {
	{"feedd", callback, 0, 65536, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

struct url {
	int tls;
	char host[200];
	int port;
};

static int
parse_url(const char *u, struct url *o)
{
	const char *h, *colon, *slash;
	size_t hl;

	o->tls = strncmp(u, "wss://", 6) == 0;
	h = u + (o->tls ? 6 : 5);
	slash = strchr(h, '/');
	colon = strchr(h, ':');
	if (slash && colon > slash)
		colon = NULL;
	hl = colon ? (size_t)(colon - h) : slash ? (size_t)(slash - h) : strlen(h);
	if (hl == 0 || hl >= sizeof o->host)
		return -1;
	memcpy(o->host, h, hl);
	o->host[hl] = 0;
	o->port = colon ? atoi(colon + 1) : o->tls ? 443 : 80;
	return o->port > 0 && o->port < 65536 ? 0 : -1;
}

static void
link_connect(struct link *l)
{
	struct feed *f = l->f;
	struct lws_client_connect_info i;
	struct conn *c;
	struct url u;
	char hosthdr[220];

	if (f->stopping || !f->lws)
		return;
	if (parse_url(f->ws_url, &u) < 0) {
		log_error("bad ws_url", "exchange=%s url=%s", f->ex, log_q(f->ws_url));
		return;
	}
	c = calloc(1, sizeof *c);
	if (!c) {
		schedule_reconnect(l);
		return;
	}
	c->l = l;
	c->state = CS_CONNECTING;
	c->serial = ++f->conn_serial;
	c->t_start = mono_ns();
	c->next_all = f->conns;
	f->conns = c;
	l->cur = c;
	if ((u.tls && u.port == 443) || (!u.tls && u.port == 80))
		snprintf(hosthdr, sizeof hosthdr, "%s", u.host);
	else
		snprintf(hosthdr, sizeof hosthdr, "%s:%d", u.host, u.port);
	memset(&i, 0, sizeof i);
	i.context = f->lws;
	i.address = u.host;
	i.port = u.port;
	i.ssl_connection = u.tls ? LCCSCF_USE_SSL : 0;
	i.path = l->path;
	i.host = hosthdr;
	i.origin = hosthdr;
	i.protocol = NULL;
	i.local_protocol_name = "feedd";
	i.pwsi = &c->wsi;
	i.opaque_user_data = c;
	i.retry_and_idle_policy = &g_policy;
	log_info("connecting", "exchange=%s link=%s conn=%llu url=%s", f->ex, l->name,
	    (unsigned long long)c->serial, log_q(f->ws_url));
	if (!lws_client_connect_via_info(&i)) {
		/* failed before any wsi callback could tell us (or after it did) */
		c->wsi = NULL;
		c->wsi_gone = 1;
		conn_lost(c, "connect failed at once");
	}
}

void
ws_rollover(struct link *l, const char *why)
{
	struct feed *f = l->f;

	if (f->stopping)
		return;
	if (!l->cur || l->cur->state != CS_OPEN) {
		l->rollover_pending = 1;
		return;
	}
	if (l->old)
		return;   /* one already under way */
	l->rollovers++;
	metric_inc(f->mt.rollovers, 1);
	if (l->books)
		out_event_link(l, EV_ROLLOVER, SEV_INFO, 0, 0, "%s: %s", l->name, why);
	else
		out_event(f, 0, EV_ROLLOVER, SEV_INFO, 0, 0, 0, "%s: %s", l->name, why);
	l->old = l->cur;
	l->cur = NULL;
	link_connect(l);
}

void
ws_reconnect_all(struct feed *f, const char *why)
{
	for (int i = 0; i < f->nlinks; i++)
		if (f->link[i].cur)
			kill_conn(f->link[i].cur, why, 0);
}

static void
watch_link(struct link *l, int64_t mono)
{
	struct feed *f = l->f;
	struct conn *c = l->cur;

	if (!c || c->killing)
		return;
	if (c->state == CS_CONNECTING) {
		if (mono - c->t_start > f->connect_ns)
			kill_conn(c, "connect timeout", 1);
		return;
	}
	if (c->state != CS_OPEN)
		return;
	if (l->books) {
		for (int i = 0; i < f->ninst; i++) {
			uint32_t id = f->inst_ids[i];
			if (!venue_link_carries(l, id))
				continue;
			int64_t last = l->depth_rx[id] > c->t_open ? l->depth_rx[id] : c->t_open;
			if (mono - last > f->stale_ns) {
				l->stale++;
				metric_inc(f->mt.stale, 1);
				out_event(f, id, EV_STALE, SEV_WARN, 0, (mono - last) / 1000000, 0,
				    "%s: no depth data for %lld ms", l->name, (long long)((mono - last) / 1000000));
				kill_conn(c, "depth stream silent (watchdog)", 1);
				return;
			}
		}
	}
	if (!l->books && l->watch_silence && mono - c->t_rx > f->stale_ns) {
		/* no depth stream to watch: the connection as a whole must not go quiet */
		l->stale++;
		metric_inc(f->mt.stale, 1);
		out_event(f, 0, EV_STALE, SEV_WARN, 0, (mono - c->t_rx) / 1000000, 0, "%s: no frame for %lld ms",
		    l->name, (long long)((mono - c->t_rx) / 1000000));
		kill_conn(c, "connection silent (watchdog)", 1);
		return;
	}
	if (l->text_ping) {
		if (c->t_ping && mono - c->t_ping > f->pong_ns) {
			l->stale++;
			metric_inc(f->mt.stale, 1);
			out_event(f, 0, EV_STALE, SEV_WARN, 0, (mono - c->t_rx) / 1000000, 0,
			    "%s: ping not answered", l->name);
			kill_conn(c, "ping not answered", 1);
			return;
		}
		/* ping after silence either way: OKX closes a connection that
		 * has not heard from the client for 30 s (4004) even while it
		 * pushes data itself */
		if (!c->t_ping && (mono - c->t_rx >= f->ping_ns || mono - c->t_tx >= f->ping_ns) &&
		    ws_send(l, l->ping_msg ? l->ping_msg : "ping", strlen(l->ping_msg ? l->ping_msg : "ping")) == 0) {
			c->t_ping = mono;
			metric_inc(f->mt.pings, 1);
		}
	}
	if ((mono - c->t_open >= f->conn_age_ns || l->rollover_pending) && !l->old && mono >= l->retry_at)
		ws_rollover(l, l->rollover_pending ? "notice received while connecting" : "connection age limit");
}

static void
reap(struct feed *f)
{
	struct conn **pp = &f->conns;

	while (*pp) {
		struct conn *c = *pp;
		if (c->state == CS_GONE && c->wsi_gone) {
			*pp = c->next_all;
			for (int i = 0; i < c->txn; i++)
				free(c->txq[i]);
			free(c->rx);
			free(c);
		} else {
			pp = &c->next_all;
		}
	}
}

void
ws_tick(struct feed *f, int64_t mono)
{
	for (int i = 0; i < f->nlinks; i++)
		watch_link(&f->link[i], mono);
	reap(f);
}

static void
lws_logger(int level, const char *line)
{
	char buf[256];
	size_t n;

	snprintf(buf, sizeof buf, "%s", line);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = 0;
	log_line(level & LLL_ERR ? LOG_ERROR : LOG_WARN, "libwebsockets", "line=%s", log_q(buf));
}

int
ws_start(struct feed *f, char *err, size_t errlen)
{
	struct lws_context_creation_info info;
	void *loops[1] = {f->loop};
	int64_t rmin = cfg_dur_ns(f->cfg, f->sect, "reconnect_min");
	int64_t rmax = cfg_dur_ns(f->cfg, f->sect, "reconnect_max");
	int jitter = (int)cfg_int(f->cfg, f->sect, "reconnect_jitter_pct");

	lws_set_log_level(LLL_ERR | LLL_WARN, lws_logger);
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = g_protocols;
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
	    LWS_SERVER_OPTION_UV_NO_SIGSEGV_SIGFPE_SPIN;
	info.foreign_loops = loops;
	info.pcontext = &f->lws;
	info.fd_limit_per_thread = 64;
	info.timeout_secs = (unsigned)(f->connect_ns / 1000000000 + 1);
	info.connect_timeout_secs = info.timeout_secs;
	info.retry_and_idle_policy = &g_policy;
	info.client_ssl_ca_filepath = f->ca_file;
	f->lws = lws_create_context(&info);
	if (!f->lws) {
		snprintf(err, errlen, "libwebsockets context (is libwebsockets-evlib-uv installed?)");
		return -1;
	}
	for (int i = 0; i < f->nlinks; i++) {
		struct link *l = &f->link[i];
		backoff_init(&l->bo, rmin, rmax, jitter, (uint64_t)now_ns() ^ ((uint64_t)getpid() << 16) ^ (uint64_t)i);
		uv_timer_init(f->loop, &l->retry);
		l->retry.data = l;
		link_connect(l);
	}
	return 0;
}

void
ws_stop(struct feed *f)
{
	f->stopping = 1;
	for (int i = 0; i < f->nlinks; i++) {
		struct link *l = &f->link[i];
		uv_timer_stop(&l->retry);
		uv_close((uv_handle_t *)&l->retry, NULL);
		if (l->cur && l->cur->state == CS_OPEN)
			link_event_down(l, "feedd stopping");
		if (l->cur)
			l->cur->state = CS_GONE;
		if (l->old)
			l->old->state = CS_GONE;
	}
	if (f->lws)
		lws_context_destroy(f->lws);
}

void
ws_free(struct feed *f)
{
	while (f->conns) {
		struct conn *c = f->conns;
		f->conns = c->next_all;
		for (int i = 0; i < c->txn; i++)
			free(c->txq[i]);
		free(c->rx);
		free(c);
	}
}
