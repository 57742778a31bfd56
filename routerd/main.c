/*
 * routerd - book.router ring -> NATS JetStream.
 *
 * Reads bookd's records from the book.router ring, turns each into the
 * requirement's JSON messages (route.c decides subjects, enc.c writes the
 * bodies), publishes them asynchronously with a deterministic Nats-Msg-Id,
 * and releases a ring record only when every message made from it was
 * acknowledged by the server (pub.c).  So a routerd killed at any moment
 * resumes at the first record whose messages were not all stored, and the
 * streams' duplicate window drops what is published twice.  See README.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "daemon.h"
#include "enc.h"
#include "kick.h"
#include "lat.h"
#include "log.h"
#include "metrics.h"
#include "mlfeat.h"
#include "mlive.h"
#include "mlmkt.h"
#include "natsc.h"
#include "pipe.h"
#include "pub.h"
#include "rec.h"
#include "ring.h"
#include "ring_recover.h"
#include "route.h"
#include "sbuf.h"

static const char usage[] =
    "usage: routerd [-c CONF] [--set SECTION.KEY=VALUE]... [--log-level LEVEL]\n"
    "\n"
    "Consumes the book.router ring (bookd's deltas, snapshots, trades, tickers,\n"
    "klines and events) and publishes them to NATS JetStream as the JSON messages\n"
    "and subjects of routerd/README.md.  On start it creates or updates the streams\n"
    "ORDERBOOK_FULL, ORDERBOOK_DELTA, MARKET_TRADES, MARKET_DATA and SYSTEM_EVENTS\n"
    "with the [nats] limits.  A ring record is released only once all its messages\n"
    "were acknowledged; NATS outages pause publishing and everything unacknowledged\n"
    "is published again with the same Nats-Msg-Id.  With [ml] enabled = true the\n"
    "orderbook.full (and orderbook.snapshot) bodies carry ml_features, the book\n"
    "features of routerd/mlfeat.h; [ml] features may add heatmap and depth_image\n"
    "(ml_images, routerd/mlimg.h) and delta_flow (ml_flow on orderbook.delta and\n"
    "pure_delta, routerd/mlive.h) and market (ml_features on the MARKET_DATA messages:\n"
    "ticker, kline, funding, open interest, mark/index features, routerd/mlmkt.h, and\n"
    "the basis of each derivative against its spot book, routerd/mlbasis.h:\n"
    "[ml] basis_spot, basis_max_age).\n"
    "Keys: [routerd], [nats] and [ml].\n";

struct router {
	const struct cfg *cfg;
	struct inst_registry reg;
	struct ring *ring;
	struct metrics *met;
	natsConnection *nc;
	jsCtx *js;
	struct natsc_state st;
	struct pub *pub;
	struct kick *kick;        /* [nats] flush_on_drain: writes a drained batch at once (kick.h), NULL = off */
	int unflushed;            /* published since the last kick */
	struct route_opts ro;
	unsigned ml_full, ml_snap;   /* MLF_G_* groups in ml_features, 0 = none */
	struct mlv *mlv;             /* [ml] features delta_flow: the book replicas (mlive.h), NULL = off */
	struct mlm_set *mkt;         /* [ml] features market: per-instrument market state (mlmkt.h), NULL = off */
	struct sbuf body;
	uint64_t last_seq;        /* ring seq of the last frame seen, 0 = none yet */
	/* metrics */
	_Atomic uint64_t *m_records[REC_TYPE_MAX + 1];
	_Atomic uint64_t *m_msgs[RK_N];
	_Atomic uint64_t *m_bytes, *m_acks, *m_dups, *m_nacks, *m_repub, *m_recov, *m_puberr;
	_Atomic uint64_t *m_ring_lost, *m_ring_gaps, *m_bad, *m_route_err, *m_invalid, *m_seq_err, *m_corrupt;
	_Atomic uint64_t *m_published, *m_reconnects, *m_flushes, *m_flush_err;
	uint64_t last_flushes, last_flush_err;
	_Atomic int64_t *g_outstanding, *g_lag, *g_connected;
	uint64_t last_reconnects;
	struct metric_hist *h_ack[RK_N], *h_enc[RK_N];
	struct lat lat;
	struct pub_stats last;
	/* route statistics for the periodic log line */
	uint64_t n_msgs[RK_N], n_bad, n_route_err, n_invalid, n_lost;
};

static void
on_ack(void *ud, int tag, int64_t ack_ns, const struct lat_stamps *ls, int64_t pub_rt, int64_t ack_rt)
{
	struct router *r = ud;

	if (tag >= 0 && tag < RK_N)
		metric_observe(r->h_ack[tag], ack_ns);
	lat_observe(&r->lat, ls, pub_rt, ack_rt);
}

static void
metrics_setup(struct router *r)
{
	char lb[64];

	for (int t = 1; t <= REC_TYPE_MAX; t++) {
		snprintf(lb, sizeof lb, "type=\"%s\"", rec_type_name((uint16_t)t));
		r->m_records[t] = metrics_counter(r->met, "mp_router_records_total", lb,
		    "records read from book.router, by type");
	}
	for (int k = 0; k < RK_N; k++) {
		snprintf(lb, sizeof lb, "route=\"%s\"", route_kind_name(k));
		r->m_msgs[k] = metrics_counter(r->met, "mp_router_route_messages_total", lb,
		    "messages published (first attempts), by route (the requirement's route statistics)");
		r->h_ack[k] = metrics_hist(r->met, "mp_router_ack_latency_seconds", lb,
		    "publish-to-ack latency of JetStream publishes");
	}
	for (int k = 0; k < RK_N; k++) {
		snprintf(lb, sizeof lb, "route=\"%s\"", route_kind_name(k));
		r->h_enc[k] = metrics_hist(r->met, "mp_router_encode_seconds", lb,
		    "time to encode one message body (a full book's is the largest)");
	}
	lat_setup(&r->lat, r->met);
	r->m_published = metrics_counter(r->met, "mp_router_published_total", "",
	    "messages published (first attempts)");
	r->m_reconnects = metrics_counter(r->met, "mp_router_reconnects_total", "", "NATS reconnects");
	r->m_flushes = metrics_counter(r->met, "mp_router_flushes_total", "",
	    "client buffer writes asked for once book.router was drained ([nats] flush_on_drain)");
	r->m_flush_err = metrics_counter(r->met, "mp_router_flush_errors_total", "",
	    "those writes that failed or whose PONG timed out (the publishes are covered by ack timeouts)");
	r->g_connected = metrics_gauge(r->met, "mp_router_nats_connected", "", "connected to NATS (0/1)");
	r->m_bytes = metrics_counter(r->met, "mp_router_bytes_total", "", "payload bytes published");
	r->m_acks = metrics_counter(r->met, "mp_router_acked_total", "", "positive JetStream acks");
	r->m_dups = metrics_counter(r->met, "mp_router_duplicates_total", "",
	    "acks saying the stream already had the message (re-publish de-duplicated)");
	r->m_nacks = metrics_counter(r->met, "mp_router_nacks_total", "", "negative acks and ack timeouts");
	r->m_repub = metrics_counter(r->met, "mp_router_republished_total", "",
	    "messages published again after a failure");
	r->m_recov = metrics_counter(r->met, "mp_router_recoveries_total", "", "publish recovery rounds");
	r->m_puberr = metrics_counter(r->met, "mp_router_publish_errors_total", "",
	    "publish calls that failed (retried) or messages the server refused (dropped, logged)");
	r->m_ring_lost = metrics_counter(r->met, "mp_router_ring_lost_records_total", "",
	    "records lost on book.router: dropped by bookd because routerd was behind, or lost to corruption");
	r->m_corrupt = metrics_counter(r->met, "mp_router_ring_corrupt_total", "",
	    "corrupt book.router frames resynchronised past");
	r->m_ring_gaps = metrics_counter(r->met, "mp_router_ring_gaps_total", "", "ring gap frames seen");
	r->m_bad = metrics_counter(r->met, "mp_router_bad_records_total", "",
	    "ring records that failed validation (skipped, logged)");
	r->m_route_err = metrics_counter(r->met, "mp_router_route_errors_total", "",
	    "records that could not be routed (unknown instrument, chunked snapshot)");
	r->m_invalid = metrics_counter(r->met, "mp_router_invalid_books_total", "",
	    "book messages published with is_valid=false");
	r->m_seq_err = metrics_counter(r->met, "mp_router_ring_seq_errors_total", "",
	    "ring sequence jumps not explained by a gap frame");
	r->g_outstanding = metrics_gauge(r->met, "mp_router_pending", "",
	    "messages in flight (published, not yet acknowledged)");
	r->g_lag = metrics_gauge(r->met, "mp_router_ring_lag_bytes", "", "book.router bytes not yet released");
}

static void
metrics_sync(struct router *r)
{
	struct pub_stats s;
	struct ring_stat rs;

	pub_stats(r->pub, &s);
	uint64_t rc = atomic_load(&r->st.reconnects);

	metric_inc(r->m_published, s.published - r->last.published);
	metric_inc(r->m_reconnects, rc - r->last_reconnects);
	r->last_reconnects = rc;
	if (r->kick) {
		uint64_t f, e;

		kick_stats(r->kick, &f, &e);
		metric_inc(r->m_flushes, f - r->last_flushes);
		metric_inc(r->m_flush_err, e - r->last_flush_err);
		r->last_flushes = f;
		r->last_flush_err = e;
	}
	metric_set(r->g_connected, r->nc && !atomic_load(&r->st.disconnected) && !atomic_load(&r->st.closed));
	metric_inc(r->m_bytes, s.bytes - r->last.bytes);
	metric_inc(r->m_acks, s.acked - r->last.acked);
	metric_inc(r->m_dups, s.duplicates - r->last.duplicates);
	metric_inc(r->m_nacks, s.nacks - r->last.nacks);
	metric_inc(r->m_repub, s.republished - r->last.republished);
	metric_inc(r->m_recov, s.recoveries - r->last.recoveries);
	metric_inc(r->m_puberr, s.pub_errors - r->last.pub_errors);
	r->last = s;
	metric_set(r->g_outstanding, pub_outstanding(r->pub));
	ring_stat(r->ring, &rs);
	metric_set(r->g_lag, (int64_t)(rs.tail - rs.head));
}

static void
log_stats(struct router *r)
{
	struct pub_stats s;

	pub_stats(r->pub, &s);
	log_info("route stats", "full=%llu snapshot=%llu delta=%llu pure_delta=%llu update=%llu trade=%llu "
	    "ticker=%llu kline=%llu event=%llu errors=%llu invalid=%llu bad_records=%llu ring_lost=%llu "
	    "acked=%llu duplicates=%llu republished=%llu outstanding=%d late_republished=%llu reordered=%llu",
	    (unsigned long long)r->n_msgs[RK_FULL], (unsigned long long)r->n_msgs[RK_SNAPSHOT],
	    (unsigned long long)r->n_msgs[RK_DELTA], (unsigned long long)r->n_msgs[RK_PURE_DELTA],
	    (unsigned long long)r->n_msgs[RK_UPDATE], (unsigned long long)r->n_msgs[RK_TRADE],
	    (unsigned long long)r->n_msgs[RK_TICKER], (unsigned long long)r->n_msgs[RK_KLINE],
	    (unsigned long long)r->n_msgs[RK_EVENT], (unsigned long long)r->n_route_err,
	    (unsigned long long)r->n_invalid, (unsigned long long)r->n_bad, (unsigned long long)r->n_lost,
	    (unsigned long long)s.acked, (unsigned long long)s.duplicates,
	    (unsigned long long)s.republished, pub_outstanding(r->pub),
	    (unsigned long long)s.late_republished, (unsigned long long)s.reordered);
	if (r->mkt)
		log_info("ml market stats", "malformed=%llu basis_late=%llu", (unsigned long long)mlm_set_ignored(r->mkt),
		    (unsigned long long)mlm_set_basis_late(r->mkt));
}

static int
send_one(struct router *r, const struct route_msg *m, const struct lat_stamps *ls)
{
	if (pub_send(r->pub, m->subject, m->msg_id, r->body.p, (int)r->body.len, m->kind, ls) < 0) {
		log_error("out of memory publishing", "subject=%s", log_q(m->subject));
		return -1;
	}
	r->n_msgs[m->kind]++;
	r->unflushed = 1;
	metric_inc(r->m_msgs[m->kind], 1);
	return 0;
}

static int
handle_gap(struct router *r, const struct ring_msg *m)
{
	struct ring_gap g;
	struct route_msg rm;

	if (m->len < sizeof g) {
		r->n_bad++;
		metric_inc(r->m_bad, 1);
		log_error("ring gap frame too short", "len=%u", (unsigned)m->len);
		return 0;
	}
	memcpy(&g, m->data, sizeof g);
	r->n_lost += g.count;
	if (r->mlv)
		mlv_gap(r->mlv);   /* records were lost: no replica is known any more */
	if (r->mkt)
		mlm_set_gap(r->mkt);   /* nor any book the basis is against */
	metric_inc(r->m_ring_lost, g.count);
	metric_inc(r->m_ring_gaps, 1);
	log_warn(m->flags & RING_F_RESYNC ? "book.router lost records to corruption; publishing a ring_loss event" :
	    "book.router lost records (routerd was behind); publishing a ring_loss event",
	    "first_seq=%llu count=%llu", (unsigned long long)g.first_seq, (unsigned long long)g.count);
	route_ring_loss(g.first_seq, g.count, &rm);
	sbuf_reset(&r->body);
	enc_ring_loss(&r->body, g.first_seq, g.count, now_ns());
	if (r->body.oom)
		return -1;
	return send_one(r, &rm, NULL);
}

static int
handle_record(struct router *r, const struct ring_msg *m)
{
	const struct rec_hdr *h = m->data;
	const struct inst *in;
	struct route_msg rm[ROUTE_MAX_MSGS];
	struct lat_stamps ls;
	char err[256];
	int n, prev_body = 0, have_flow, have_mkt;
	double flow[MLFL_N], mkt[MLM_N];

	if (rec_check(m->data, m->len, err, sizeof err) < 0) {
		r->n_bad++;
		metric_inc(r->m_bad, 1);
		log_error("bad record on book.router, skipped", "seq=%llu why=%s", (unsigned long long)m->seq,
		    log_q(err));
		return 0;
	}
	if (h->type <= REC_TYPE_MAX)
		metric_inc(r->m_records[h->type], 1);
	in = h->inst ? inst_get(&r->reg, h->inst) : NULL;
	if (in && h->type == REC_INSTRUMENT) {
		/* the venue's rules: what open interest in contracts is in base
		 * units (enc_market.c); not published */
		inst_set_rules(&r->reg.v[in->id - 1], (const struct rec_instrument *)h);
		return 0;
	}
	n = route_plan(h, in, &r->ro, rm, err, sizeof err);
	if (n < 0) {
		r->n_route_err++;
		metric_inc(r->m_route_err, 1);
		log_error("record not routed", "seq=%llu type=%s why=%s", (unsigned long long)m->seq,
		    rec_type_name(h->type), log_q(err));
		return 0;
	}
	/* the delta flows after this delta, once per record (the replica must see every record) */
	have_flow = r->mlv && in && mlv_record(r->mlv, h, in->qty_exp, flow);
	/* the market-data features after this record, folded once like the flows */
	have_mkt = r->mkt && in && mlm_set_record(r->mkt, h, in->px_exp, in->qty_exp, mkt);
	lat_stamps_of(h, &ls);
	for (int i = 0; i < n; i++) {
		int valid = 1;

		/* The legacy copy carries the same body: encode once. */
		if (rm[i].body != prev_body) {
			int64_t t0 = mono_ns();

			sbuf_reset(&r->body);
			if (route_encode_ml(h, in, &rm[i], &r->body, &valid, r->ml_full, r->ml_snap) < 0)
				return -1;
			if (have_flow && (rm[i].body == RB_BOOK || rm[i].body == RB_PURE_DELTA) &&
			    enc_append_ml_flow(&r->body, flow) < 0)
				return -1;
			if (have_mkt && (rm[i].body == RB_TICKER || rm[i].body == RB_KLINE || rm[i].body == RB_MARKET) &&
			    enc_append_ml_market(&r->body, mkt) < 0)
				return -1;
			metric_observe(r->h_enc[rm[i].kind], mono_ns() - t0);
			prev_body = rm[i].body;
			if (!valid) {
				r->n_invalid++;
				metric_inc(r->m_invalid, 1);
			}
		}
		if (send_one(r, &rm[i], &ls) < 0)
			return -1;
	}
	return 0;
}

static int
handle(struct router *r, const struct ring_msg *m)
{
	if (m->type == RING_T_GAP) {
		struct ring_gap g;

		if (m->len >= sizeof g) {
			memcpy(&g, m->data, sizeof g);
			if (r->last_seq && g.first_seq != r->last_seq + 1) {
				metric_inc(r->m_seq_err, 1);
				log_error("ring sequence jump", "expected=%llu got=%llu",
				    (unsigned long long)r->last_seq + 1, (unsigned long long)g.first_seq);
			}
		}
		r->last_seq = m->seq;
		return handle_gap(r, m);
	}
	if (r->last_seq && m->seq != r->last_seq + 1) {
		metric_inc(r->m_seq_err, 1);
		log_error("ring sequence jump not explained by a gap frame", "expected=%llu got=%llu",
		    (unsigned long long)r->last_seq + 1, (unsigned long long)m->seq);
	}
	r->last_seq = m->seq;
	return handle_record(r, m);
}

/* What was published since the last kick goes out now (kick.h). */
static void
flush_batch(struct router *r)
{
	if (r->kick && r->unflushed) {
		kick_now(r->kick);
		r->unflushed = 0;
	}
}

static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* Connect and set up the streams, retrying until it works or we are told to stop. */
static int
nats_setup(struct router *r)
{
	int wait_ms = 250;
	char err[512];
	jsOptions jo;
	jsErrCode jerr;

	while (!daemon_stop) {
		if (!r->nc && natsc_connect(r->cfg, NULL, &r->st, &r->nc, err, sizeof err) < 0) {
			log_warn("nats connect failed, retrying", "why=%s retry_ms=%d", log_q(err), wait_ms);
			goto again;
		}
		if (!r->js) {
			pub_js_options(r->pub, &jo);
			if (natsConnection_JetStream(&r->js, r->nc, &jo) != NATS_OK) {
				log_error("jetstream context failed", "why=%s", log_q(nats_GetLastError(NULL)));
				return -1;
			}
			pub_set_js(r->pub, r->js);
		}
		if (cfg_bool(r->cfg, "nats", "streams_create") &&
		    natsc_streams_ensure(r->js, r->cfg, err, sizeof err) < 0) {
			log_warn("stream setup failed, retrying", "why=%s retry_ms=%d", log_q(err), wait_ms);
			goto again;
		}
		(void)jerr;
		return 0;
again:
		/* keep the consumer role: an idle holder is taken over after 5 s */
		ring_heartbeat(r->ring);
		sleep_ms(wait_ms);
		wait_ms = wait_ms * 2 > 2000 ? 2000 : wait_ms * 2;
	}
	return -1;
}

static void
check_payload(struct router *r)
{
	int64_t mp = natsConnection_GetMaxPayload(r->nc);
	/* A 5000x2-level book: ~52 bytes a level plus the envelope. */
	int64_t need = (int64_t)REC_MAX_LEVELS * 2 * 60 + 4096;

	if (mp < need)
		log_warn("server max_payload may be too small for 5000-level books", "max_payload=%lld need=%lld",
		    (long long)mp, (long long)need);
	else
		log_info("nats connected", "max_payload=%lld", (long long)mp);
}

static int
route_opts_from_cfg(const struct cfg *c, struct route_opts *o)
{
	const char *l = cfg_str(c, "routerd", "legacy_update");

	if (strcmp(l, "all") == 0)
		o->legacy = ROUTE_LEGACY_ALL;
	else if (strcmp(l, "deltas") == 0)
		o->legacy = ROUTE_LEGACY_DELTAS;
	else if (strcmp(l, "none") == 0)
		o->legacy = ROUTE_LEGACY_NONE;
	else {
		fprintf(stderr, "routerd: config error: %s: [routerd] legacy_update = \"%s\": expected all, deltas "
		    "or none\n", cfg_origin(c, "routerd", "legacy_update"), l);
		return -1;
	}
	o->pure_delta = cfg_bool(c, "routerd", "pure_delta");
	o->topn = cfg_bool(c, "routerd", "publish_topn");
	return 0;
}

/* [ml]: which feature groups go into ml_features (0 = off). */
static int
ml_from_cfg(const struct cfg *c, struct router *r)
{
	char why[160];
	unsigned g;

	if (!cfg_bool(c, "ml", "enabled"))
		return 0;
	if (mlf_parse_groups(cfg_str(c, "ml", "features"), &g, why, sizeof why) < 0) {
		fprintf(stderr, "routerd: config error: %s: [ml] features: %s\n", cfg_origin(c, "ml", "features"), why);
		return -1;
	}
	r->ml_full = g;
	r->ml_snap = cfg_bool(c, "ml", "snapshot") ? g : 0;
	if ((g & MLF_G_DFLOW) &&
	    !(r->mlv = mlv_new((uint32_t)r->reg.n, (uint32_t)cfg_int(c, "bookd", "max_levels"), MLFL_WINDOW))) {
		fprintf(stderr, "routerd: out of memory for [ml] features delta_flow\n");
		return -1;
	}
	if ((g & MLF_G_MARKET) && !(r->mkt = mlm_set_new((uint32_t)r->reg.n))) {
		fprintf(stderr, "routerd: out of memory for [ml] features market\n");
		return -1;
	}
	if (g & MLF_G_MARKET) {
		/* the bs_* columns: each derivative against its spot book (mlbasis.h) */
		struct mlb *b = mlb_new(&r->reg, cfg_str(c, "ml", "basis_spot"), cfg_dur_ns(c, "ml", "basis_max_age"),
		    why, sizeof why);

		if (!b) {
			fprintf(stderr, "routerd: config error: %s: [ml] basis_spot: %s\n", cfg_origin(c, "ml", "basis_spot"),
			    why);
			return -1;
		}
		for (int i = 1; i <= r->reg.n; i++)
			if (mlb_spot_of(b, (uint32_t)i)) {
				const struct inst *d = inst_get(&r->reg, (uint32_t)i), *sp = inst_get(&r->reg, mlb_spot_of(b, (uint32_t)i));
				log_info("basis pairing", "exchange=%s symbol=%s spot_exchange=%s spot_symbol=%s",
				    exch_name(d->exch), d->symbol, exch_name(sp->exch), sp->symbol);
			}
		mlm_set_basis(r->mkt, b);
	}
	return 0;
}

/* Stop: publish nothing new, wait for what is in flight (bounded), release. */
static void
drain(struct router *r)
{
	int64_t end = mono_ns() + cfg_dur_ns(r->cfg, "routerd", "ack_timeout");
	uint64_t pos;

	while (pub_outstanding(r->pub) > 0 && mono_ns() < end && !pub_recovering(r->pub)) {
		if (pub_poll(r->pub, 50, &pos))
			ring_release(r->ring, pos);
	}
	if (pub_poll(r->pub, 0, &pos))
		ring_release(r->ring, pos);
	if (pub_outstanding(r->pub) > 0)
		log_warn("stopping with unacknowledged messages; they are re-published on restart",
		    "outstanding=%d", pub_outstanding(r->pub));
}

int
main(int argc, char **argv)
{
	struct router r;
	struct pub_cfg pc;
	struct cfg *c;
	char err[512], prefix[256];
	uint64_t cursor, pos;
	int64_t next_hb = 0, next_stats, stats_every;
	int rc, failed = 0;

	c = daemon_start("routerd", usage, &argc, argv);
	if (argc > 1) {
		fprintf(stderr, "routerd: unexpected argument \"%s\"\n%s", argv[1], usage);
		return 2;
	}
	daemon_signals();
	memset(&r, 0, sizeof r);
	r.cfg = c;
	if (pipe_instruments(c, &r.reg, err, sizeof err) < 0) {
		fprintf(stderr, "routerd: config error: %s\n", err);
		return 2;
	}
	if (route_opts_from_cfg(c, &r.ro) < 0 || ml_from_cfg(c, &r) < 0)
		return 2;
	pc.max_inflight = (int)cfg_int(c, "routerd", "max_inflight");
	pc.ack_timeout_ns = cfg_dur_ns(c, "routerd", "ack_timeout");
	pc.retry_max_wait_ns = cfg_dur_ns(c, "routerd", "retry_max_wait");
	pc.dup_window_ns = cfg_dur_ns(c, "nats", "duplicate_window");
	r.pub = pub_new(NULL, &r.st, &pc);
	if (!r.pub) {
		log_error("out of memory", NULL);
		return 1;
	}
	pub_on_ack(r.pub, on_ack, &r);
	r.met = metrics_open_books(pipe_prefix(c, prefix, sizeof prefix), "routerd", r.reg.n, err, sizeof err);
	if (!r.met) {
		log_error("metrics unavailable", "why=%s", log_q(err));
		return 1;
	}
	metrics_setup(&r);
	rc = pipe_ring_open(c, "book.router", RING_CONSUMER, &r.ring, err, sizeof err);
	if (rc != RING_OK) {
		log_error("cannot open book.router", "why=%s", log_q(err));
		return 1;
	}
	if (nats_setup(&r) < 0) {
		failed = !daemon_stop;
		goto out;
	}
	check_payload(&r);
	if (cfg_bool(c, "nats", "flush_on_drain") && !cfg_bool(c, "nats", "send_asap") &&
	    !(r.kick = kick_new(r.nc, 1000)))
		log_warn("no flush thread; publishes wait for the client's flusher (about 1 ms)", "why=%s",
		    log_q(strerror(errno)));
	cursor = ring_head(r.ring);
	{
		struct ring_stat rs;

		ring_stat(r.ring, &rs);
		log_info("routing", "ring=book.router resume_pos=%llu pending_bytes=%llu max_inflight=%d "
		    "legacy_update=%s ml_features=%s", (unsigned long long)cursor,
		    (unsigned long long)(rs.tail - rs.head), pc.max_inflight, cfg_str(c, "routerd", "legacy_update"),
		    r.ml_full ? cfg_str(c, "ml", "features") : "off");
	}
	daemon_ready();
	stats_every = cfg_dur_ns(c, "routerd", "stats_interval");
	next_stats = mono_ns() + stats_every;

	while (!daemon_stop) {
		struct ring_msg m;
		int64_t now = mono_ns();

		if (pub_poll(r.pub, 0, &pos))
			ring_release(r.ring, pos);
		if (atomic_load(&r.st.closed)) {
			log_error("nats connection closed for good; exiting so the launcher restarts us", NULL);
			break;
		}
		if (now >= next_hb) {
			ring_heartbeat(r.ring);
			metrics_heartbeat(r.met);
			metrics_sync(&r);
			next_hb = now + 1000000000;
		}
		if (stats_every > 0 && now >= next_stats) {
			log_stats(&r);
			next_stats = now + stats_every;
		}
		if (!pub_room(r.pub, ROUTE_MAX_MSGS)) {
			flush_batch(&r);
			/* Wait for acks (or recovery progress). */
			if (pub_poll(r.pub, 20, &pos))
				ring_release(r.ring, pos);
			else if (pub_recovering(r.pub))
				sleep_ms(5);
			continue;
		}
		/* ring_next: 1 = a record, 0 = nothing yet, < 0 = corrupt */
		rc = ring_next(r.ring, &cursor, &m);
		if (rc > 0) {
			if (handle(&r, &m) < 0)
				break;
			pub_mark(r.pub, cursor);
			continue;
		}
		if (rc == 0) {
			flush_batch(&r);
			/* Acks are stamped as they arrive (pub.h); waking up for them
			 * only moves the ring's release, so there is no need to poll
			 * them every millisecond (1000 wake-ups a second whenever a
			 * message is in flight, which is nearly always). */
			ring_wait(r.ring, cursor, pub_outstanding(r.pub) ? 10 : 200);
			continue;
		}
		/* Corruption before the committed tail: skip it (the loss follows as a
		 * gap, published as ring_loss like any other) instead of exiting and
		 * being restarted into the same frame until the launcher gives up. */
		if (rc == RING_ECORRUPT && ring_recover(r.ring, &cursor) == RING_OK) {
			metric_inc(r.m_corrupt, 1);
			pub_mark(r.pub, cursor);
			continue;
		}
		log_error("book.router is corrupt; stopping (mpring shows why)", "pos=%llu why=%s",
		    (unsigned long long)cursor, ring_strerror(rc));
		break;
	}
	drain(&r);
	metrics_sync(&r);
	log_stats(&r);
out:
	/* Close first so no ack races the teardown, then take back what the
	 * client still holds; pub_free runs once the client's threads are gone. */
	if (r.nc)
		natsConnection_Close(r.nc);
	kick_free(r.kick);   /* after Close: a flush waiting for its PONG ends */
	pub_reclaim(r.pub);
	if (r.js)
		jsCtx_Destroy(r.js);
	natsConnection_Destroy(r.nc);
	nats_CloseAndWait(2000);
	pub_free(r.pub);
	sbuf_free(&r.body);
	mlv_free(r.mlv);
	mlm_set_free(r.mkt);
	inst_reg_free(&r.reg);
	ring_close(r.ring);
	metrics_close(r.met);
	cfg_free(c);
	return failed || !daemon_stop ? 1 : 0;
}
