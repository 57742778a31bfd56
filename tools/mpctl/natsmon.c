/*
 * natsmon.c - everything mpctl does with NATS, off the supervision thread:
 *
 *  - publish alerts to system.alert.<rule> (core publish: JetStream captures
 *    the subject if routerd made a stream for it; nats.c buffers while
 *    reconnecting);
 *  - the stream monitor: every stream_interval, each JetStream stream's
 *    messages, bytes, consumers, last message time, and its backlog (the
 *    largest num_pending of its consumers);
 *  - the live page's depth chart: keep the latest orderbook.snapshot /
 *    orderbook.full message of every book (raw bytes, parsed only when the
 *    page asks), i.e. mpctl is one more consumer of the published data.
 *
 * The connection retries forever, so mpctl does not care whether the
 * embedded nats-server is up yet.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <nats/nats.h>

#include "log.h"
#include "mpctl.h"
#include "natsc.h"
#include "url_safe.h"

#define BOOKS_MAX 32
#define BOOK_MSG_MAX (8 << 20)

struct book_msg {
	char exchange[24];
	char symbol[32];      /* as in the subject: btc-usdt */
	char *data;
	int len;
	int64_t at_ns;
	int full;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_t thr;
static int running, quit, connected;
static natsConnection *nc;
static natsSubscription *sub_snap, *sub_full;
static struct stream_info streams[16];
static int nstreams;
static struct book_msg books[BOOKS_MAX];
static int64_t stream_interval_ns;
static char url[256];

static void
on_disconnected(natsConnection *c, void *ud)
{
	(void)c;
	(void)ud;
	pthread_mutex_lock(&mu);
	connected = 0;
	pthread_mutex_unlock(&mu);
}

static void
on_connected(natsConnection *c, void *ud)
{
	(void)c;
	(void)ud;
	pthread_mutex_lock(&mu);
	connected = 1;
	pthread_mutex_unlock(&mu);
}

/* orderbook.snapshot.<exchange>.<symbol> */
static void
on_book(natsConnection *c, natsSubscription *s, natsMsg *msg, void *ud)
{
	const char *subj = natsMsg_GetSubject(msg), *p, *q;
	char ex[24], sym[32];
	int len = natsMsg_GetDataLength(msg), i, slot = -1, oldest = 0;
	char *copy;

	(void)c;
	(void)s;
	p = strchr(subj, '.');
	p = p ? strchr(p + 1, '.') : NULL;
	q = p ? strchr(p + 1, '.') : NULL;
	if (!p || !q || len <= 0 || len > BOOK_MSG_MAX || (size_t)(q - p - 1) >= sizeof ex) {
		natsMsg_Destroy(msg);
		return;
	}
	snprintf(ex, sizeof ex, "%.*s", (int)(q - p - 1), p + 1);
	snprintf(sym, sizeof sym, "%s", q + 1);
	if (!(copy = malloc((size_t)len + 1))) {
		natsMsg_Destroy(msg);
		return;
	}
	memcpy(copy, natsMsg_GetData(msg), (size_t)len);
	copy[len] = 0;
	pthread_mutex_lock(&mu);
	for (i = 0; i < BOOKS_MAX; i++) {
		/* the latest full book and the latest snapshot are kept apart: the page draws the full depth */
		if (books[i].data && strcmp(books[i].exchange, ex) == 0 && strcasecmp(books[i].symbol, sym) == 0 &&
		    books[i].full == (ud != NULL)) {
			slot = i;
			break;
		}
		if (!books[i].data && slot < 0)
			slot = i;
		if (books[i].at_ns < books[oldest].at_ns)
			oldest = i;
	}
	if (slot < 0)
		slot = oldest;
	free(books[slot].data);
	snprintf(books[slot].exchange, sizeof books[slot].exchange, "%s", ex);
	snprintf(books[slot].symbol, sizeof books[slot].symbol, "%s", sym);
	books[slot].data = copy;
	books[slot].len = len;
	books[slot].at_ns = now_ns();
	books[slot].full = ud != NULL;
	pthread_mutex_unlock(&mu);
	heat_add(ex, sym, natsMsg_GetData(msg), (size_t)len, ud != NULL, now_ns());
	natsMsg_Destroy(msg);
}

static void
poll_streams(void)
{
	jsStreamInfoList *sl = NULL;
	jsConsumerInfoList *cl = NULL;
	jsErrCode jerr = 0;
	jsOptions o;
	jsCtx *js = NULL;
	struct stream_info tmp[16];
	int n = 0, i, k;

	if (natsConnection_JetStream(&js, nc, NULL) != NATS_OK)
		return;
	jsOptions_Init(&o);
	o.Wait = 2000;
	if (js_Streams(&sl, js, &o, &jerr) == NATS_OK && sl) {
		for (i = 0; i < sl->Count && n < 16; i++) {
			jsStreamInfo *si = sl->List[i];
			memset(&tmp[n], 0, sizeof tmp[n]);
			snprintf(tmp[n].name, sizeof tmp[n].name, "%s", si->Config && si->Config->Name ? si->Config->Name : "?");
			tmp[n].msgs = si->State.Msgs;
			tmp[n].bytes = si->State.Bytes;
			tmp[n].consumers = si->State.Consumers;
			tmp[n].last_ns = si->State.LastTime;
			cl = NULL;
			if (si->State.Consumers > 0 && js_Consumers(&cl, js, tmp[n].name, &o, &jerr) == NATS_OK && cl) {
				for (k = 0; k < cl->Count; k++)
					if (cl->List[k]->NumPending > tmp[n].backlog)
						tmp[n].backlog = cl->List[k]->NumPending;
				jsConsumerInfoList_Destroy(cl);
			}
			n++;
		}
		jsStreamInfoList_Destroy(sl);
	}
	jsCtx_Destroy(js);
	pthread_mutex_lock(&mu);
	memcpy(streams, tmp, sizeof tmp[0] * (size_t)n);
	nstreams = n;
	pthread_mutex_unlock(&mu);
}

static void *
run(void *arg)
{
	struct timespec ts;
	int up;

	(void)arg;
	pthread_mutex_lock(&mu);
	while (!quit) {
		up = connected;
		pthread_mutex_unlock(&mu);
		if (up)
			poll_streams();
		pthread_mutex_lock(&mu);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += stream_interval_ns / 1000000000LL;
		ts.tv_nsec += stream_interval_ns % 1000000000LL;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (!quit)
			pthread_cond_timedwait(&cv, &mu, &ts);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

int
natsmon_start(struct ctl *c)
{
	natsOptions *o = NULL;
	natsStatus s;
	char err[512], ub[sizeof url];

	snprintf(url, sizeof url, "%s", c->nats_url);
	stream_interval_ns = cfg_dur_ns(c->cfg, "mpctl", "stream_interval");
	/* The same servers, credentials and TLS as routerd (routerd/natsc.h);
	 * then ours: keep trying a server that is not up yet, once a second. */
	if (natsc_options(c->cfg, "mpctl", NULL, &o, err, sizeof err) != 0) {
		log_warn("cannot set up the NATS client: alerts are logged only", "err=%s", log_q(err));
		return -1;
	}
	if (natsOptions_SetReconnectWait(o, 1000) != NATS_OK ||
	    natsOptions_SetRetryOnFailedConnect(o, true, on_connected, NULL) != NATS_OK ||
	    natsOptions_SetDisconnectedCB(o, on_disconnected, NULL) != NATS_OK ||
	    natsOptions_SetReconnectedCB(o, on_connected, NULL) != NATS_OK) {
		log_warn("cannot set up the NATS client: alerts are logged only", "err=%s",
		    log_q(nats_GetLastError(NULL)));
		natsOptions_Destroy(o);
		return -1;
	}
	s = natsConnection_Connect(&nc, o);
	natsOptions_Destroy(o);
	if (s == NATS_OK) {
		pthread_mutex_lock(&mu);
		connected = 1;
		pthread_mutex_unlock(&mu);
	} else if (s != NATS_NOT_YET_CONNECTED) {
		log_warn("cannot connect to NATS: alerts are logged only", "url=%s err=%s",
		    log_q(url_safe(url, ub, sizeof ub)), log_q(natsStatus_GetText(s)));
		nc = NULL;
		return -1;
	}
	natsConnection_Subscribe(&sub_snap, nc, "orderbook.snapshot.*.*", on_book, NULL);
	natsConnection_Subscribe(&sub_full, nc, "orderbook.full.*.*", on_book, (void *)1);
	if (pthread_create(&thr, NULL, run, NULL) == 0)
		running = 1;
	log_info("NATS monitor started", "url=%s", log_q(url_safe(url, ub, sizeof ub)));
	return 0;
}

void
natsmon_stop(void)
{
	int i;

	if (running) {
		pthread_mutex_lock(&mu);
		quit = 1;
		pthread_cond_signal(&cv);
		pthread_mutex_unlock(&mu);
		pthread_join(thr, NULL);
		running = 0;
	}
	if (nc) {
		/* Deliver the alerts still buffered (e.g. "resolved" at shutdown). */
		natsConnection_FlushTimeout(nc, 1000);
		natsSubscription_Destroy(sub_snap);
		natsSubscription_Destroy(sub_full);
		natsConnection_Destroy(nc);
		nc = NULL;
		nats_Close();
	}
	for (i = 0; i < BOOKS_MAX; i++) {
		free(books[i].data);
		books[i].data = NULL;
	}
	heat_free();
}

void
natsmon_publish_alert(const char *subject, const char *json)
{
	natsStatus s;

	if (!nc)
		return;
	s = natsConnection_PublishString(nc, subject, json);
	if (s != NATS_OK)
		log_warn("cannot publish alert", "subject=%s err=%s", subject, log_q(natsStatus_GetText(s)));
}

int
natsmon_streams(struct stream_info *out, int max, int *conn)
{
	int n;

	pthread_mutex_lock(&mu);
	n = nstreams < max ? nstreams : max;
	memcpy(out, streams, sizeof *out * (size_t)n);
	*conn = connected;
	pthread_mutex_unlock(&mu);
	return n;
}

/* [[price, quantity], ...] from the seed's [{price, quantity}] (or pairs). */
static json_t *
levels(json_t *side, int max)
{
	json_t *out = json_array(), *lv, *p, *q;
	size_t i;

	json_array_foreach(side, i, lv) {
		if ((int)i >= max)
			break;
		if (json_is_object(lv)) {
			p = json_object_get(lv, "price");
			q = json_object_get(lv, "quantity");
		} else {
			p = json_array_get(lv, 0);
			q = json_array_get(lv, 1);
		}
		if (!p || !q)
			continue;
		json_array_append_new(out, json_pack("[OO]", p, q));
	}
	return out;
}

json_t *
natsmon_book(const char *exchange, const char *symbol, int max, int full)
{
	json_t *j, *o;
	char *copy = NULL;
	int64_t at = 0;
	int len = 0, i, best = -1;

	pthread_mutex_lock(&mu);
	for (i = 0; i < BOOKS_MAX; i++)
		if (books[i].data && strcasecmp(books[i].exchange, exchange) == 0 &&
		    strcasecmp(books[i].symbol, symbol) == 0 && (!full || books[i].full) &&
		    (best < 0 || books[i].at_ns > books[best].at_ns))
			best = i;
	if (best >= 0 && (copy = malloc((size_t)books[best].len))) {
		memcpy(copy, books[best].data, (size_t)books[best].len);
		len = books[best].len;
		at = books[best].at_ns;
	}
	pthread_mutex_unlock(&mu);
	if (!copy)
		return NULL;
	j = json_loadb(copy, (size_t)len, 0, NULL);
	free(copy);
	if (!j)
		return NULL;
	o = json_pack("{s:s,s:s,s:O?,s:O?,s:O?,s:I,s:O?,s:O?,s:o,s:o}", "exchange", exchange, "symbol", symbol,
	    "timestamp", json_object_get(j, "timestamp"), "update_type", json_object_get(j, "update_type"),
	    "depth_levels", json_object_get(j, "depth_levels"), "received_ms", (json_int_t)(at / 1000000),
	    "bid_exact_floor", json_object_get(j, "bid_exact_floor"), "ask_exact_ceil", json_object_get(j, "ask_exact_ceil"),
	    "bids", levels(json_object_get(j, "bids"), max), "asks", levels(json_object_get(j, "asks"), max));
	json_decref(j);
	return o;
}
