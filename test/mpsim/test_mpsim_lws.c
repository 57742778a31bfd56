/*
 * test_mpsim_lws.c - interoperability of mpsim with libwebsockets, the client
 * library feedd uses: a Binance combined stream and an OKX books subscription
 * through lws, answering pings the way lws does by itself, with the messages
 * checked by jansson (contiguous U/u, snapshot then prevSeqId == seqId chain),
 * and the same Binance stream over wss:// (mpsim --tls, its self-signed
 * certificate as the CA).  Starts $BIN/mpsim itself.
 */
#include <jansson.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../t.h"

static int bport, oport;
static pid_t sim_pid;

struct client {
	const char *name;
	const char *sub;       /* text to send once established, or NULL */
	char buf[1 << 20];
	size_t len;
	int established, closed, error, sent;
	int msgs, bad_json;
	/* Binance */
	long long last_u;
	int depth_events, depth_breaks;
	/* OKX */
	long long seq;
	int snapshots, updates, seq_breaks, acks;
};

static char cert_path[256];
static struct client bn = {.name = "binance"}, bs = {.name = "binance-tls"}, ox = {.name = "okx",
	.sub = "{\"op\":\"subscribe\",\"args\":[{\"channel\":\"books\",\"instId\":\"BTC-USDT\"}]}"};

static void
on_message(struct client *c)
{
	json_t *j = json_loadb(c->buf, c->len, 0, NULL), *d;

	c->msgs++;
	if (j == NULL) {
		c->bad_json++;
		return;
	}
	if ((c == &bn || c == &bs) && (d = json_object_get(j, "data")) != NULL &&
	    strcmp(json_string_value(json_object_get(d, "e")) ? json_string_value(json_object_get(d, "e")) : "", "depthUpdate") == 0) {
		long long U = json_integer_value(json_object_get(d, "U")), u = json_integer_value(json_object_get(d, "u"));
		if (c->last_u && U != c->last_u + 1)
			c->depth_breaks++;
		c->last_u = u;
		c->depth_events++;
	} else if (c == &ox) {
		const char *ev = json_string_value(json_object_get(j, "event"));
		const char *action = json_string_value(json_object_get(j, "action"));
		if (ev && strcmp(ev, "subscribe") == 0)
			c->acks++;
		if (action) {
			d = json_array_get(json_object_get(j, "data"), 0);
			long long prev = json_integer_value(json_object_get(d, "prevSeqId"));
			long long seq = json_integer_value(json_object_get(d, "seqId"));
			if (strcmp(action, "snapshot") == 0) {
				c->snapshots++;
				if (json_array_size(json_object_get(d, "bids")) != 400)
					c->seq_breaks++;
			} else {
				c->updates++;
				if (prev != c->seq)
					c->seq_breaks++;
			}
			c->seq = seq;
		}
	}
	json_decref(j);
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct client *c = lws_get_opaque_user_data(wsi);

	(void)user;
	if (c == NULL)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->established = 1;
		if (c->sub)
			lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (c->sub && !c->sent) {
			unsigned char b[LWS_PRE + 256];
			size_t n = strlen(c->sub);
			memcpy(b + LWS_PRE, c->sub, n);
			lws_write(wsi, b + LWS_PRE, n, LWS_WRITE_TEXT);
			c->sent = 1;
		}
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (c->len + len > sizeof c->buf) {
			c->error = 1;
			return -1;
		}
		memcpy(c->buf + c->len, in, len);
		c->len += len;
		if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
			on_message(c);
			c->len = 0;
		}
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		c->error = 1;
		fprintf(stderr, "%s: connection error: %s\n", c->name, in ? (const char *)in : "?");
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		c->closed = 1;
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
	{"mpsim-test", callback, 0, 1 << 16, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

static int
start_sim(void)
{
	const char *bin = getenv("BIN") ? getenv("BIN") : "bin";
	char exe[512], line[256], dir[] = "/tmp/mpsim-lws-XXXXXX";
	int fds[2];

	snprintf(exe, sizeof exe, "%s/mpsim", bin);
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cert_path, sizeof cert_path, "%s/cert.pem", dir);
	if (pipe(fds) < 0)
		return -1;
	sim_pid = fork();
	if (sim_pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execl(exe, exe, "--binance-port", "0", "--okx-port", "0", "--rate", "10", "--timer-rate", "20",
		    "--log-level", "warn", "--tls", "--tls-cert-out", cert_path, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	FILE *f = fdopen(fds[0], "r");
	if (f == NULL || fgets(line, sizeof line, f) == NULL || sscanf(line, "mpsim ready binance=%d okx=%d", &bport, &oport) != 2)
		return -1;
	return 0;
}

static struct lws *
dial(struct lws_context *ctx, struct client *c, int port, const char *path, int ssl)
{
	struct lws_client_connect_info ci;

	memset(&ci, 0, sizeof ci);
	ci.context = ctx;
	ci.address = "127.0.0.1";
	ci.port = port;
	ci.path = path;
	ci.host = "127.0.0.1";
	ci.origin = "127.0.0.1";
	ci.protocol = NULL;
	ci.ietf_version_or_minus_one = -1;
	ci.ssl_connection = ssl ? LCCSCF_USE_SSL : 0;
	ci.opaque_user_data = c;
	return lws_client_connect_via_info(&ci);
}

static struct lws_context *ctx;

static void
t_lws_interop(void)
{
	struct lws_context_creation_info info;

	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.client_ssl_ca_filepath = cert_path;
	lws_set_log_level(LLL_ERR, NULL);
	ctx = lws_create_context(&info);
	T_CHECK(ctx != NULL);
	if (ctx == NULL)
		return;
	T_CHECK(dial(ctx, &bn, bport, "/stream?streams=btcusdt@depth@100ms/btcusdt@trade", 0) != NULL);
	T_CHECK(dial(ctx, &ox, oport, "/ws/v5/public", 0) != NULL);
	T_CHECK(dial(ctx, &bs, bport, "/stream?streams=ethusdt@depth@100ms", 1) != NULL);
	/* 5 s: several server pings (1 s apart at --timer-rate 20, pong deadline 3 s), which lws answers by itself */
	time_t end = time(NULL) + 6;
	while (time(NULL) < end && !bn.error && !ox.error && !bs.error)
		lws_service(ctx, 10);
	T_CHECK(bn.established && ox.established);
	T_CHECK(!bn.closed && !ox.closed && !bn.error && !ox.error);
	T_EQ_I(bn.bad_json + ox.bad_json, 0);
	T_CHECK(bn.depth_events > 50);
	T_EQ_I(bn.depth_breaks, 0);
	T_EQ_I(ox.acks, 1);
	T_EQ_I(ox.snapshots, 1);
	T_CHECK(ox.updates > 50);
	T_EQ_I(ox.seq_breaks, 0);
	T_CHECK(bs.established && !bs.closed && !bs.error);
	T_CHECK(bs.depth_events > 50);
	T_EQ_I(bs.depth_breaks + bs.bad_json, 0);
	lws_context_destroy(ctx);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (start_sim() < 0) {
		printf("not ok t_lws_interop - cannot start mpsim\n");
		return 1;
	}
	T_RUN(t_lws_interop);
	kill(sim_pid, SIGTERM);
	waitpid(sim_pid, NULL, 0);
	unlink(cert_path);
	*strrchr(cert_path, '/') = 0;
	rmdir(cert_path);
	return t_done();
}
