/*
 * bench_routerd - routerd's publishing path against the server's own limits.
 *
 *   bench_routerd NATS_URL
 *
 * For two message shapes (a Binance-like delta with 10+10 level changes, and
 * a 5000-level-per-side full book) it measures, on the same server:
 *   - routerd: records encoded by enc.c and published through pub.c (bounded
 *     async JetStream publishing, the code routerd runs) -> msg/s, MB/s,
 *     publish-to-ack p50/p99;
 *   - baseline "js_opaque": the same-size payloads published by a minimal
 *     nats.c async JetStream loop (same MaxPending, no encoding);
 *   - baseline "core": the same payloads with plain core-NATS publishes
 *     (no persistence, no acks): the server's ceiling.
 * Prints one JSON object per line.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg.h"
#include "cfg_schemas.h"
#include "enc.h"
#include "log.h"
#include "natsc.h"
#include "pipe.h"
#include "pub.h"
#include "route.h"

#define INFLIGHT 512

static int64_t *lat;
static size_t nlat;

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct(double p)
{
	if (!nlat)
		return 0;
	qsort(lat, nlat, sizeof *lat, cmp64);
	return (double)lat[(size_t)(p * (double)(nlat - 1))] / 1000.0;
}

static void
on_ack(void *ud, int tag, int64_t ack_ns, const struct lat_stamps *ls, int64_t pub_rt, int64_t ack_rt)
{
	(void)ud;
	(void)tag;
	(void)ls;
	(void)pub_rt;
	(void)ack_rt;
	lat[nlat++] = ack_ns;
}

/* Build the record of a shape into buf; returns the record. */
static struct rec_hdr *
make_rec(unsigned char *buf, const struct inst *in, int full, int64_t id)
{
	if (full) {
		struct rec_snapshot *s = (struct rec_snapshot *)buf;

		memset(s, 0, sizeof *s);
		rec_hdr_init(&s->h, REC_SNAPSHOT, in->id, (uint32_t)rec_snapshot_size(5000, 5000));
		s->kind = SNAP_FULL;
		s->reason = SNAP_R_PERIODIC;
		s->nchunks = 1;
		s->n_bids = s->n_asks = 5000;
		for (int i = 0; i < 5000; i++) {
			s->lv[i] = (struct rec_level){6173763000000 - (int64_t)i * 1000000, 12345678 + i};
			s->lv[5000 + i] = (struct rec_level){6173764000000 + (int64_t)i * 1000000, 87654321 + i};
		}
		s->h.last_id = id;
		s->h.exch_ns = s->h.recv_ns = s->h.stage_ns[STAGE_BOOK] = now_ns() + id;
		return &s->h;
	}
	struct rec_delta *d = (struct rec_delta *)buf;

	memset(d, 0, sizeof *d);
	rec_hdr_init(&d->h, REC_DELTA, in->id, (uint32_t)rec_delta_size(10, 10));
	d->n_bids = d->n_asks = 10;
	for (int i = 0; i < 20; i++)
		d->lv[i] = (struct rec_level){6173763000000 + (i < 10 ? -1 : 1) * (int64_t)(i + 1) * 1000000,
		    i % 4 ? 12345678 * i : 0};
	d->book_bids = d->book_asks = 5000;
	d->best_bid_px = 6173763000000;
	d->best_bid_qty = 100000000;
	d->best_ask_px = 6173764000000;
	d->best_ask_qty = 200000000;
	d->h.first_id = id * 10;
	d->h.last_id = id * 10 + 9;
	d->h.prev_id = id * 10 - 1;
	d->h.exch_ns = d->h.recv_ns = d->h.stage_ns[STAGE_BOOK] = now_ns();
	return &d->h;
}

struct result {
	double msg_s, mb_s, p50_us, p99_us, enc_us;
	size_t bytes;
};

/* routerd's path: encode every record and publish it through pub.c. */
static int
run_routerd(natsConnection *nc, const struct inst *in, int full, int n, int64_t id0, struct result *r)
{
	static unsigned char buf[200000];
	struct pub_cfg pc = {INFLIGHT, 10000000000LL, 2000000000LL};
	struct natsc_state st;
	struct sbuf b = SBUF_INIT;
	struct route_opts ro = {ROUTE_LEGACY_NONE, 0, 1};
	struct pub *p;
	jsOptions jo;
	jsCtx *js;
	uint64_t pos;
	int64_t t0, t1;
	size_t bytes = 0;

	memset(&st, 0, sizeof st);
	p = pub_new(NULL, &st, &pc);
	pub_js_options(p, &jo);
	if (natsConnection_JetStream(&js, nc, &jo) != NATS_OK)
		return -1;
	pub_set_js(p, js);
	pub_on_ack(p, on_ack, NULL);
	nlat = 0;
	t0 = mono_ns();
	for (int i = 0; i < n; i++) {
		struct route_msg m[ROUTE_MAX_MSGS];
		struct rec_hdr *h = make_rec(buf, in, full, id0 + i);
		char why[64];
		int k = route_plan(h, in, &ro, m, why, sizeof why);

		while (!pub_room(p, k))
			pub_poll(p, 5, &pos);
		sbuf_reset(&b);
		route_encode(h, in, &m[0], &b, NULL);
		bytes += b.len;
		pub_send(p, m[0].subject, m[0].msg_id, b.p, (int)b.len, m[0].kind, NULL);
		pub_mark(p, (uint64_t)i + 1);
		pub_poll(p, 0, &pos);
	}
	while (pub_outstanding(p) > 0)
		pub_poll(p, 5, &pos);
	t1 = mono_ns();
	r->msg_s = n / ((double)(t1 - t0) / 1e9);
	r->mb_s = (double)bytes / 1e6 / ((double)(t1 - t0) / 1e9);
	r->bytes = bytes / (size_t)n;
	r->p50_us = pct(0.50);
	r->p99_us = pct(0.99);
	jsCtx_Destroy(js);
	pub_free(p);
	/* encoding alone, for the share of the time it takes */
	t0 = mono_ns();
	for (int i = 0; i < n; i++) {
		struct route_msg m = {.body = RB_BOOK};
		struct rec_hdr *h = make_rec(buf, in, full, id0 + i);

		sbuf_reset(&b);
		route_encode(h, in, &m, &b, NULL);
	}
	r->enc_us = (double)(mono_ns() - t0) / 1e3 / n;
	sbuf_free(&b);
	return 0;
}

/* Baseline: same-size opaque payloads, minimal nats.c async JetStream loop. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t *sent_at;
static int acked;

static void
js_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
	const char *id = NULL;

	(void)js;
	(void)pa;
	(void)pae;
	(void)closure;
	if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK && id) {
		long k = strtol(strrchr(id, '.') + 1, NULL, 10) % 1000000;

		pthread_mutex_lock(&mu);
		lat[nlat++] = mono_ns() - sent_at[k];
		acked++;
		pthread_mutex_unlock(&mu);
	}
	natsMsg_Destroy(msg);
}

static int
run_js_opaque(natsConnection *nc, const char *subj, size_t size, int n, const char *tag, struct result *r)
{
	char *payload = malloc(size), id[96];
	jsOptions jo;
	jsPubOptions po;
	jsCtx *js;
	int64_t t0, t1;

	memset(payload, 'x', size);
	jsOptions_Init(&jo);
	jo.PublishAsync.MaxPending = INFLIGHT;
	jo.PublishAsync.AckHandler = js_ack;
	jo.PublishAsync.StallWait = 10000;
	if (natsConnection_JetStream(&js, nc, &jo) != NATS_OK)
		return -1;
	nlat = 0;
	acked = 0;
	t0 = mono_ns();
	for (int i = 0; i < n; i++) {
		natsMsg *m = NULL;

		snprintf(id, sizeof id, "bench.%s.%d", tag, i);
		natsMsg_Create(&m, subj, NULL, payload, (int)size);
		natsMsgHeader_Set(m, "Nats-Msg-Id", id);
		jsPubOptions_Init(&po);
		pthread_mutex_lock(&mu);
		sent_at[i % 1000000] = mono_ns();
		pthread_mutex_unlock(&mu);
		if (js_PublishMsgAsync(js, &m, &po) != NATS_OK)
			natsMsg_Destroy(m);
	}
	jsPubOptions_Init(&po);
	po.MaxWait = 60000;
	js_PublishAsyncComplete(js, &po);
	t1 = mono_ns();
	r->msg_s = n / ((double)(t1 - t0) / 1e9);
	r->mb_s = (double)size * n / 1e6 / ((double)(t1 - t0) / 1e9);
	r->bytes = size;
	pthread_mutex_lock(&mu);
	r->p50_us = pct(0.50);
	r->p99_us = pct(0.99);
	pthread_mutex_unlock(&mu);
	jsCtx_Destroy(js);
	free(payload);
	return 0;
}

static void
run_core(natsConnection *nc, size_t size, int n, struct result *r)
{
	char *payload = malloc(size);
	int64_t t0, t1;

	memset(payload, 'x', size);
	t0 = mono_ns();
	for (int i = 0; i < n; i++)
		natsConnection_Publish(nc, "bench.core.none", payload, (int)size);
	natsConnection_FlushTimeout(nc, 60000);
	t1 = mono_ns();
	r->msg_s = n / ((double)(t1 - t0) / 1e9);
	r->mb_s = (double)size * n / 1e6 / ((double)(t1 - t0) / 1e9);
	r->bytes = size;
	free(payload);
}

static void
print(const char *name, const struct result *rt, const struct result *js, const struct result *core, int n)
{
	printf("{\"bench\": \"%s\", \"value\": %.0f, \"unit\": \"msg/s\", \"mb_s\": %.1f, \"msg_bytes\": %zu, "
	    "\"ack_p50_us\": %.0f, \"ack_p99_us\": %.0f, \"encode_us\": %.1f, \"messages\": %d, "
	    "\"baseline_js_opaque_msg_s\": %.0f, \"baseline_js_opaque_mb_s\": %.1f, "
	    "\"baseline_js_opaque_ack_p50_us\": %.0f, \"baseline_js_opaque_ack_p99_us\": %.0f, "
	    "\"baseline_core_msg_s\": %.0f, \"baseline_core_mb_s\": %.1f}\n",
	    name, rt->msg_s, rt->mb_s, rt->bytes, rt->p50_us, rt->p99_us, rt->enc_us, n, js->msg_s, js->mb_s, js->p50_us,
	    js->p99_us, core->msg_s, core->mb_s);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	char err[512], *sets[2];
	char url[256];
	static struct inst_registry reg;   /* static: reachable to the end (allocated) */
	struct cfg *c;
	natsConnection *nc;
	jsCtx *js;
	struct result rt, jso, core;
	int nd = argc > 2 ? atoi(argv[2]) : 20000, nf = argc > 3 ? atoi(argv[3]) : 100;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_routerd NATS_URL [DELTAS [FULLS]]\n");
		return 2;
	}
	snprintf(url, sizeof url, "nats.url=%s", argv[1]);
	sets[0] = url;
	log_init("bench_routerd");
	log_set_level(LOG_WARN);
	c = cfg_load(NULL, cfg_all_schemas, sets, 1, err, sizeof err);
	if (!c || pipe_instruments(c, &reg, err, sizeof err) < 0) {
		fprintf(stderr, "bench_routerd: %s\n", err);
		return 1;
	}
	if (natsc_connect(c, "bench_routerd", NULL, &nc, err, sizeof err) < 0) {
		fprintf(stderr, "bench_routerd: %s\n", err);
		return 1;
	}
	natsConnection_JetStream(&js, nc, NULL);
	if (natsc_streams_ensure(js, c, err, sizeof err) < 0) {
		fprintf(stderr, "bench_routerd: %s\n", err);
		return 1;
	}
	jsCtx_Destroy(js);
	lat = calloc(1000000, sizeof *lat);
	sent_at = calloc(1000000, sizeof *sent_at);

	run_routerd(nc, &reg.v[0], 0, nd, 1000, &rt);
	run_js_opaque(nc, "orderbook.delta.bench.opaque", rt.bytes, nd, "d", &jso);
	run_core(nc, rt.bytes, nd, &core);
	print("routerd_publish_delta", &rt, &jso, &core, nd);

	run_routerd(nc, &reg.v[1], 1, nf, 1000, &rt);
	run_js_opaque(nc, "orderbook.full.bench.opaque", rt.bytes, nf, "f", &jso);
	run_core(nc, rt.bytes, nf, &core);
	print("routerd_publish_full5000", &rt, &jso, &core, nf);

	natsConnection_Destroy(nc);
	nats_CloseAndWait(2000);
	cfg_free(c);
	free(lat);
	free(sent_at);
	return 0;
}
