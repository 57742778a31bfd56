/*
 * main.c - bookd: one process keeping every configured book.
 *
 * Reads feed.<exchange> (feedd's records) with ring_wait_many, hands each
 * record to its instrument's keeper (sync.h), writes what the keepers emit to
 * book.router (RING_DROP: never stall on a slow router; the ring's gap frame
 * tells routerd what it lost) and book.store (RING_BLOCK: waits), and sends
 * the keepers' requests to ctl.<exchange>.
 *
 * Output contract (book.router and book.store carry the same records):
 *  - REC_DELTA for every update applied to a synced book; hdr.prev_id = the
 *    book's id just before (the snapshot's id for the first one), so within
 *    one sync epoch delta.prev_id == last_id of the previous delta or of the
 *    snapshot.  lv[] = the changes as received; book_* and best_* = the book
 *    after; REC_F_SYNCED (| REC_F_HEARTBEAT, | REC_F_INVALID with REC_F_Q_*).  OKX deep-level
 *    merges are deltas with first_id == last_id == prev_id.
 *  - REC_SNAPSHOT SNAP_FULL on every sync (SNAP_R_SYNC first, SNAP_R_RESYNC
 *    later: a new epoch) and every full_interval (SNAP_R_PERIODIC); SNAP_TOPN
 *    every snapshot_interval.
 *  - REC_EVENT: EV_SYNCED, EV_GAP, EV_RESYNC, EV_VALIDATION, EV_CHECKSUM_FAIL,
 *    EV_BBO_MISMATCH, EV_RING_LOSS, EV_RESTARTED, and feedd's events.
 *  - REC_TRADE, REC_TICKER, REC_KLINE, REC_MARKET passed through (stage stamped).
 *  - REC_INSTRUMENT passed through, kept per book and written again before
 *    every SNAP_FULL (the rules reach a restarted consumer and every store hour).
 *
 * Input is released as it is processed: after a restart every book is
 * unsynced and resyncs (EV_RESTARTED says so).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "daemon.h"
#include "inst.h"
#include "log.h"
#include "metrics.h"
#include "pipe.h"
#include "rec.h"
#include "ring.h"
#include "ring_recover.h"
#include "sync.h"

static const char usage[] =
    "usage: bookd [-c CONF] [--set SECTION.KEY=VALUE]... [--log-level LEVEL]\n"
    "\n"
    "Keeps the order book of every instrument in [instruments]: reads feed.<exchange>,\n"
    "syncs each book (Binance snapshot + diff depth, OKX seqId chain), checks it, and\n"
    "writes deltas, snapshots and events to book.router and book.store; asks feedd for\n"
    "snapshots through ctl.<exchange>.  Settings: the [bookd] keys below.\n";

struct feedin {
	int exch;
	struct ring *feed, *ctl;
	uint64_t cursor;
};

/* Counters of one book exported to metrics (name, offset in bk_stats). */
struct stat_metric {
	const char *name, *help;
	size_t off;
};

#define SM(field, name, help) {name, help, offsetof(struct bk_stats, field)}
static const struct stat_metric g_stat_metrics[] = {
	SM(frames, "mp_book_input_total", "records from feedd for this book"),
	SM(applied, "mp_book_applied_total", "updates applied to the synced book"),
	SM(stale, "mp_book_stale_total", "updates older than the book, ignored"),
	SM(gaps, "mp_book_gaps_total", "sequence gaps"),
	SM(resyncs, "mp_book_resyncs_total", "resyncs started"),
	SM(syncs, "mp_book_syncs_total", "times the book became synced"),
	SM(snap_requests, "mp_book_snapshot_requests_total", "snapshot requests sent to feedd"),
	SM(snap_too_old, "mp_book_snapshot_too_old_total", "snapshots older than the buffered stream"),
	SM(req_timeouts, "mp_book_request_timeouts_total", "requests not answered in time"),
	SM(buffer_dropped, "mp_book_buffer_dropped_total", "buffered updates dropped (buffer_max)"),
	SM(checksum_ok, "mp_book_checksum_ok_total", "OKX checksums verified"),
	SM(checksum_failed, "mp_book_checksum_failed_total", "OKX checksum mismatches"),
	SM(bbo_agree, "mp_book_bbo_agree_total", "bookTicker agrees with the book"),
	SM(bbo_disagree, "mp_book_bbo_disagree_total", "bookTicker disagrees with the book"),
	SM(bbo_nc, "mp_book_bbo_not_comparable_total", "bookTicker not comparable with the book"),
	SM(crossed, "mp_book_crossed_total", "crossed book detected"),
	SM(bad_level, "mp_book_bad_level_total", "levels with price <= 0 or bad quantity"),
	SM(ts_backwards, "mp_book_ts_backwards_total", "exchange time went backwards"),
	SM(ts_skew, "mp_book_ts_skew_total", "exchange time far from receive time"),
	SM(depth_low, "mp_book_depth_low_total", "depth completeness fell below threshold"),
	SM(deep_merges, "mp_book_deep_merges_total", "OKX books-full merges"),
	/* Binance deep refresh (splice.h) */
	SM(refresh_requests, "mp_book_refresh_requests_total", "Binance deep refreshes asked of feedd"),
	SM(refresh_refused, "mp_book_refresh_refused_total", "deep refreshes feedd skipped to keep budget for resyncs"),
	SM(refreshes, "mp_book_refreshes_total", "deep refreshes spliced into the synced book"),
	SM(refresh_held, "mp_book_refresh_held_total", "deep refreshes ahead of the stream, held until it reached them"),
	SM(refresh_too_old, "mp_book_refresh_too_old_total", "deep refreshes older than the change log, dropped"),
	SM(refresh_hold_timeouts, "mp_book_refresh_hold_timeouts_total",
	    "held deep refreshes the stream did not reach within refresh_hold_timeout, dropped"),
	SM(refresh_dropped, "mp_book_refresh_dropped_total", "deep refreshes dropped (unusable, replaced, or lost to a resync)"),
	SM(refresh_discrepancies, "mp_book_refresh_discrepancies_total",
	    "levels inside the exact range a refresh contradicted (each episode resyncs the book)"),
	/* OKX and Bybit audits (okx_audit.h) */
	SM(top_agree, "mp_book_top_agree_total",
	    "OKX books5/bbo-tbt, Bybit orderbook.1 agrees with the book at its seqId/seq"),
	SM(top_disagree, "mp_book_top_disagree_total",
	    "OKX books5/bbo-tbt, Bybit orderbook.1 disagrees with the book (each resyncs)"),
	SM(top_nc, "mp_book_top_not_comparable_total",
	    "OKX books5/bbo-tbt, Bybit orderbook.1 at a seqId/seq the book did not stand at"),
	SM(window_requests, "mp_book_window_requests_total", "OKX/Bybit REST window audits asked of feedd"),
	SM(window_refused, "mp_book_window_refused_total", "OKX/Bybit REST window audits feedd skipped to keep budget"),
	SM(window_agree, "mp_book_window_agree_total", "OKX/Bybit REST windows equal to the book at their seqId/seq"),
	SM(window_nc, "mp_book_window_not_comparable_total", "OKX/Bybit REST windows that could not be compared"),
	SM(window_discrepancies, "mp_book_window_discrepancies_total",
	    "levels an OKX/Bybit REST window contradicted (each episode resyncs the book)"),
	SM(out_records, "mp_book_out_records_total", "records emitted"),
	/* loss accounting (bookd/sync_loss.c): Binance in update ids, OKX in frames */
	SM(upd_expected, "mp_book_expected_updates_total", "updates the venue's ids say were sent (received + lost)"),
	SM(upd_received, "mp_book_received_updates_total", "updates received (Binance: u - U + 1 per event; OKX: frames)"),
	SM(upd_missing, "mp_book_lost_updates_total", "updates missing by the ids (Binance: U - (last u + 1); OKX: 1 per broken prevSeqId)"),
	SM(upd_late, "mp_book_late_updates_total", "updates already counted (duplicates, late or out of order)"),
};
#define N_STAT_METRICS (sizeof g_stat_metrics / sizeof g_stat_metrics[0])

struct book_metrics {
	_Atomic uint64_t *c[N_STAT_METRICS];
	uint64_t last[N_STAT_METRICS];
	_Atomic int64_t *synced, *levels_bid, *levels_ask, *exact_bid, *exact_ask;
	_Atomic int64_t *tick, *lot, *ct_val;   /* the venue's rules (REC_INSTRUMENT), 0 = unknown */
	_Atomic int64_t *asof_bid, *asof_ask, *deep_as_of;
};

/* Where the loop's time goes (issue 12: what holds a record in the feed
 * ring for milliseconds): one histogram per phase, mp_bookd_loop_seconds. */
enum loop_phase {
	LP_DELTA,       /* handling one delta record (apply, checks, emit) */
	LP_SNAPSHOT,    /* one snapshot record (sync, OKX deep merge, refresh splice) */
	LP_OTHER,       /* one other record (trade, ticker, event, ...) */
	LP_TIMERS,      /* one slice of the books' timers (periodic snapshots, audits) */
	LP_HEARTBEAT,   /* the once-a-second heartbeat and metrics export */
	LP_WAKE,        /* first record after a sleep: feedd's commit -> bookd read it */
	LP_N
};
static const char *const g_phase_names[LP_N] = {"delta", "snapshot", "other", "timers", "heartbeat", "wake"};
/* The long, rare phases also get the thread's CPU time
 * (mp_bookd_loop_cpu_seconds): wall time minus it is time bookd lost its CPU
 * mid-phase.  Not per delta: a thread clock read is a system call. */
#define LP_CPU_TIMED(p) ((p) == LP_SNAPSHOT || (p) == LP_TIMERS || (p) == LP_HEARTBEAT)

/* A timer slice ends once it has run this long and input is waiting; the
 * books not ticked yet go first in the next pass.  A periodic full book of
 * 5000 x 2 levels is 160 KB built and written to two rings, so a
 * full_interval that falls due for many books in one pass (books that synced
 * together) would otherwise hold every venue's records behind all of them. */
#define TICK_SLICE_NS 200000

struct bookd {
	struct cfg *cfg;
	struct inst_registry reg;
	struct bk_cfg bc;
	struct bk *books;                 /* reg.n, allocated at setup */
	struct book_metrics *bm;          /* one per book */
	int nbooks;
	int *by_id;                       /* instrument id (0 .. reg.n) -> index in books, -1 */
	struct feedin v[EX_END];
	int nv;
	struct ring *router, *store;
	struct metrics *m;
	_Atomic uint64_t *m_router_drops, *m_store_waits, *m_bad_input, *m_unknown_inst, *m_ctl_drops;
	uint64_t router_drops, store_waits, bad_input, unknown_inst, ctl_drops, store_lost;
	int64_t last_bad_log, last_store_log;
	struct metric_hist *m_loop[LP_N];  /* NULL without metrics */
	struct metric_hist *m_loop_cpu[LP_N];   /* LP_CPU_TIMED phases only */
	int tick_next;                     /* the book the next timer slice starts with */
};

static void
observe(struct bookd *d, enum loop_phase p, int64_t ns)
{
	if (d->m_loop[p] && ns >= 0)
		metric_observe(d->m_loop[p], ns);
}

/* The thread's CPU time (ns), 0 when a phase is not CPU-timed or without metrics. */
static int64_t
phase_cpu(const struct bookd *d, enum loop_phase p)
{
	struct timespec t;

	if (!d->m_loop_cpu[p] || clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) < 0)
		return 0;
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void
observe_cpu(struct bookd *d, enum loop_phase p, int64_t cpu0)
{
	int64_t c = cpu0 ? phase_cpu(d, p) : 0;

	if (c >= cpu0 && cpu0)
		metric_observe(d->m_loop_cpu[p], c - cpu0);
}

static void
count(_Atomic uint64_t *m, uint64_t *local)
{
	(*local)++;
	if (m)
		metric_inc(m, 1);
}

static void
write_out(struct bookd *d, const struct rec_hdr *rec)
{
	int r = ring_write(d->router, rec->type, rec, rec->len);
	int waited = 0;
	int64_t now;

	if (r == RING_EDROPPED)
		count(d->m_router_drops, &d->router_drops);
	else if (r != RING_OK)
		log_error("book.router write failed", "err=%s len=%u", ring_strerror(r), rec->len);
	/* book.store must not lose anything: wait (stored may be restarting) */
	while ((r = ring_write(d->store, rec->type, rec, rec->len)) == RING_EAGAIN && !daemon_stop) {
		if (!waited++) {
			count(d->m_store_waits, &d->store_waits);
			log_warn("book.store full: waiting for stored", NULL);
		}
		/* each try waits up to the ring's block timeout; stay visibly
		 * alive to the supervisor while stored catches up */
		if (waited % 10 == 0) {
			ring_heartbeat(d->store);
			ring_heartbeat(d->router);
			if (d->m)
				metrics_heartbeat(d->m);
		}
	}
	if (r == RING_OK || r == RING_EAGAIN)
		return;
	/* only when book.store was configured to drop, or a record is too big */
	d->store_lost++;
	now = now_ns();
	if (now - d->last_store_log > 1000000000LL) {
		d->last_store_log = now;
		log_error("book.store write failed", "err=%s len=%u lost_total=%" PRIu64, ring_strerror(r),
		    rec->len, d->store_lost);
	}
}

static void
sink_record(void *ud, const struct rec_hdr *rec)
{
	write_out(ud, rec);
}

static void
sink_control(void *ud, const struct rec_control *c)
{
	struct bookd *d = ud;
	const struct inst *in = inst_get(&d->reg, c->h.inst);

	for (int i = 0; in && i < d->nv; i++) {
		if (d->v[i].exch != in->exch)
			continue;
		if (ring_write(d->v[i].ctl, REC_CONTROL, c, sizeof *c) != RING_OK) {
			/* the request times out and is sent again */
			count(d->m_ctl_drops, &d->ctl_drops);
			log_warn("ctl ring full: request dropped", "exchange=%s", exch_name(in->exch));
		}
	}
}

static const struct bk_sink *
the_sink(struct bookd *d)
{
	static struct bk_sink s;

	s.ud = d;
	s.record = sink_record;
	s.control = sink_control;
	return &s;
}

static int
open_ring(struct bookd *d, const char *name, enum ring_role role, struct ring **r)
{
	char err[256];
	int e = pipe_ring_open(d->cfg, name, role, r, err, sizeof err);

	if (e != RING_OK) {
		log_error("cannot open ring", "ring=%s err=%s", name, log_q(err));
		return -1;
	}
	return 0;
}

static void
setup_metrics(struct bookd *d)
{
	char prefix[128], err[256], labels[128];

	if (!pipe_prefix(d->cfg, prefix, sizeof prefix))
		return;
	d->m = metrics_open_books(prefix, "bookd", d->nbooks, err, sizeof err);
	if (!d->m) {
		log_warn("metrics unavailable", "err=%s", log_q(err));
		return;
	}
	d->m_router_drops = metrics_counter(d->m, "mp_bookd_router_drops_total", "", "records book.router dropped (ring full)");
	d->m_store_waits = metrics_counter(d->m, "mp_bookd_store_waits_total", "", "times book.store was full and bookd waited");
	d->m_bad_input = metrics_counter(d->m, "mp_bookd_bad_input_total", "", "feed ring records that failed rec_check");
	d->m_unknown_inst = metrics_counter(d->m, "mp_bookd_unknown_inst_total", "", "feed records for instruments bookd does not keep");
	d->m_ctl_drops = metrics_counter(d->m, "mp_bookd_ctl_drops_total", "", "requests lost because ctl.<exchange> was full");
	for (int p = 0; p < LP_N; p++) {
		snprintf(labels, sizeof labels, "phase=\"%s\"", g_phase_names[p]);
		d->m_loop[p] = metrics_hist(d->m, "mp_bookd_loop_seconds", labels,
		    "time per phase of bookd's loop: a record's handling by kind, a timer slice, the heartbeat; "
		    "wake = feedd's commit to bookd's read of the first record after a sleep");
		if (LP_CPU_TIMED(p))
			d->m_loop_cpu[p] = metrics_hist(d->m, "mp_bookd_loop_cpu_seconds", labels,
			    "bookd's CPU time per snapshot record, timer slice and heartbeat (wall minus it: preempted)");
	}
	for (int i = 0; i < d->nbooks; i++) {
		const struct inst *in = d->books[i].in;
		snprintf(labels, sizeof labels, "exchange=\"%s\",symbol=\"%s\"", exch_name(in->exch), in->symbol);
		for (size_t j = 0; j < N_STAT_METRICS; j++)
			d->bm[i].c[j] = metrics_counter(d->m, g_stat_metrics[j].name, labels, g_stat_metrics[j].help);
		d->bm[i].synced = metrics_gauge(d->m, "mp_book_synced", labels, "1 while the book is in sync");
		d->bm[i].levels_bid = metrics_gauge(d->m, "mp_book_levels_bid", labels, "bid levels held");
		d->bm[i].levels_ask = metrics_gauge(d->m, "mp_book_levels_ask", labels, "ask levels held");
		d->bm[i].exact_bid = metrics_gauge(d->m, "mp_book_exact_levels_bid", labels,
		    "bid levels inside the exact range (what depth completeness counts)");
		d->bm[i].exact_ask = metrics_gauge(d->m, "mp_book_exact_levels_ask", labels,
		    "ask levels inside the exact range");
		d->bm[i].tick = metrics_gauge(d->m, "mp_book_tick_mantissa", labels,
		    "the venue's price tick as a mantissa at the instrument's price exponent (0 = unknown)");
		d->bm[i].lot = metrics_gauge(d->m, "mp_book_lot_mantissa", labels,
		    "the venue's size step as a mantissa at the instrument's size exponent (0 = unknown)");
		d->bm[i].ct_val = metrics_gauge(d->m, "mp_book_ct_val_mantissa", labels,
		    "one unit of the book's sizes in its contract currency, mantissa at exponent -8 (0 = none)");
		d->bm[i].asof_bid = metrics_gauge(d->m, "mp_book_asof_levels_bid", labels,
		    "bid levels outside the exact range as of a deep merge no older than asof_max_age (OKX)");
		d->bm[i].asof_ask = metrics_gauge(d->m, "mp_book_asof_levels_ask", labels,
		    "ask levels outside the exact range as of a fresh deep merge (OKX)");
		d->bm[i].deep_as_of = metrics_gauge(d->m, "mp_book_deep_as_of_ns", labels,
		    "receive time (ns since the epoch) of the books-full the deep levels are as of, 0 = none (OKX)");
	}
}

static void
update_metrics(struct bookd *d)
{
	if (!d->m)
		return;
	for (int i = 0; i < d->nbooks; i++) {
		const struct bk *k = &d->books[i];
		struct book_metrics *bm = &d->bm[i];
		for (size_t j = 0; j < N_STAT_METRICS; j++) {
			uint64_t v = *(const uint64_t *)((const char *)&k->st + g_stat_metrics[j].off);
			if (bm->c[j] && v > bm->last[j])
				metric_inc(bm->c[j], v - bm->last[j]);
			bm->last[j] = v;
		}
		metric_set(bm->synced, k->state == BK_SYNCED);
		metric_set(bm->levels_bid, book_count(k->book, BOOK_BID));
		metric_set(bm->levels_ask, book_count(k->book, BOOK_ASK));
		/* 0 while unsynced: nothing is verified then */
		metric_set(bm->exact_bid, k->state == BK_SYNCED ? (int64_t)bk_exact_levels(k, BOOK_BID) : 0);
		metric_set(bm->exact_ask, k->state == BK_SYNCED ? (int64_t)bk_exact_levels(k, BOOK_ASK) : 0);
		metric_set(bm->tick, k->rules.tick);
		metric_set(bm->lot, k->rules.lot);
		metric_set(bm->ct_val, k->rules.ct_val);
		metric_set(bm->asof_bid, k->state == BK_SYNCED ? (int64_t)bk_asof_levels(k, BOOK_BID) : 0);
		metric_set(bm->asof_ask, k->state == BK_SYNCED ? (int64_t)bk_asof_levels(k, BOOK_ASK) : 0);
		metric_set(bm->deep_as_of, k->state == BK_SYNCED ? k->deep_refresh_ns : 0);
	}
	metrics_heartbeat(d->m);
}

static int
setup(struct bookd *d)
{
	char err[256], name[32];
	int have[EX_END] = {0};

	if (pipe_instruments(d->cfg, &d->reg, err, sizeof err) < 0) {
		log_error("bad instruments", "err=%s", log_q(err));
		return -1;
	}
	bk_cfg_load(&d->bc, d->cfg);
	/* request ids unique across restarts, so a late answer to the previous
	 * process's request is never taken for ours */
	d->bc.req_seq = (uint32_t)(now_ns() / 1000000) * 1000u;
	d->books = calloc((size_t)d->reg.n, sizeof *d->books);
	d->bm = calloc((size_t)d->reg.n, sizeof *d->bm);
	d->by_id = malloc(((size_t)d->reg.n + 1) * sizeof *d->by_id);
	if (!d->books || !d->bm || !d->by_id) {
		log_error("out of memory", "books=%d", d->reg.n);
		return -1;
	}
	for (int i = 0; i <= d->reg.n; i++)
		d->by_id[i] = -1;
	for (int i = 0; i < d->reg.n; i++) {
		const struct inst *in = &d->reg.v[i];
		if (bk_init(&d->books[d->nbooks], in, &d->bc, the_sink(d)) < 0) {
			log_error("out of memory", NULL);
			return -1;
		}
		d->by_id[in->id] = d->nbooks++;
		have[in->exch] = 1;
	}
	if (open_ring(d, "book.router", RING_PRODUCER, &d->router) < 0 ||
	    open_ring(d, "book.store", RING_PRODUCER, &d->store) < 0)
		return -1;
	for (int x = EX_NONE + 1; x < EX_END; x++) {
		struct feedin *v;
		if (!have[x])
			continue;
		v = &d->v[d->nv++];
		v->exch = x;
		snprintf(name, sizeof name, "feed.%s", exch_name(x));
		if (open_ring(d, name, RING_CONSUMER, &v->feed) < 0)
			return -1;
		v->cursor = ring_head(v->feed);
		snprintf(name, sizeof name, "ctl.%s", exch_name(x));
		if (open_ring(d, name, RING_PRODUCER, &v->ctl) < 0)
			return -1;
	}
	setup_metrics(d);
	return 0;
}

static void
bad_input(struct bookd *d, const struct feedin *v, const char *why, int64_t now)
{
	count(d->m_bad_input, &d->bad_input);
	if (now - d->last_bad_log > 1000000000LL) {
		d->last_bad_log = now;
		log_error("bad record on feed ring", "exchange=%s why=%s total=%" PRIu64,
		    exch_name(v->exch), log_q(why), d->bad_input);
	}
}

static void
handle(struct bookd *d, struct feedin *v, const struct ring_msg *m, int64_t now)
{
	const struct rec_hdr *h = m->data;
	char err[160];
	int idx;

	if (m->type == RING_T_GAP) {
		struct ring_gap g;
		if (m->len < sizeof g) {
			bad_input(d, v, "short gap frame", now);
			return;
		}
		memcpy(&g, m->data, sizeof g);
		log_warn("feed ring lost records", "exchange=%s first=%" PRIu64 " count=%" PRIu64,
		    exch_name(v->exch), g.first_seq, g.count);
		for (int i = 0; i < d->nbooks; i++)
			if (d->books[i].in->exch == v->exch)
				bk_ring_loss(&d->books[i], g.first_seq, g.count, now);
		return;
	}
	if (rec_check(m->data, m->len, err, sizeof err) < 0) {
		bad_input(d, v, err, now);
		return;
	}
	if (h->inst == 0) {
		/* venue-wide: pass it on once, then let every book of the venue act */
		if (h->type == REC_EVENT) {
			struct rec_event ev;
			memcpy(&ev, h, sizeof ev);
			ev.h.stage_ns[STAGE_BOOK] = now;
			/* the ring it came on names the venue, whatever the producer said */
			ev.exch = (uint8_t)v->exch;
			write_out(d, &ev.h);
			for (int i = 0; i < d->nbooks; i++)
				if (d->books[i].in->exch == v->exch)
					bk_venue_event(&d->books[i], &ev, now);
		} else {
			count(d->m_unknown_inst, &d->unknown_inst);
		}
		return;
	}
	idx = h->inst <= (uint32_t)d->reg.n ? d->by_id[h->inst] : -1;
	if (idx < 0 || d->books[idx].in->exch != v->exch) {
		count(d->m_unknown_inst, &d->unknown_inst);
		return;
	}
	bk_input(&d->books[idx], h, now);
}

static enum loop_phase
phase_of(const struct ring_msg *m)
{
	uint16_t t = m->type == RING_T_GAP || m->len < sizeof(struct rec_hdr) ? 0 :
	    ((const struct rec_hdr *)m->data)->type;

	return t == REC_DELTA ? LP_DELTA : t == REC_SNAPSHOT ? LP_SNAPSHOT : LP_OTHER;
}

/* feedd's commit stamp of a record, 0 when it has none (gap frame, short) */
static int64_t
feed_stamp(const struct ring_msg *m)
{
	if (m->type == RING_T_GAP || m->len < sizeof(struct rec_hdr))
		return 0;
	return ((const struct rec_hdr *)m->data)->stage_ns[STAGE_FEED];
}

/* 1 when a feed ring has a record bookd has not read */
static int
input_waiting(struct bookd *d)
{
	for (int i = 0; i < d->nv; i++)
		if (ring_wait(d->v[i].feed, d->v[i].cursor, 0) == 1)
			return 1;
	return 0;
}

/* One slice of the books' timers, round robin from where the last slice
 * stopped, so a slice cut short starves no book (TICK_SLICE_NS). */
static void
tick_books(struct bookd *d)
{
	int64_t start = now_ns(), now = start, cpu0 = phase_cpu(d, LP_TIMERS);

	for (int n = 0; n < d->nbooks; n++) {
		bk_tick(&d->books[d->tick_next], now);
		d->tick_next = (d->tick_next + 1) % d->nbooks;
		now = now_ns();
		if (now - start >= TICK_SLICE_NS && n + 1 < d->nbooks && input_waiting(d))
			break;
	}
	observe(d, LP_TIMERS, now - start);
	observe_cpu(d, LP_TIMERS, cpu0);
}

static void
heartbeat(struct bookd *d)
{
	ring_heartbeat(d->router);
	ring_heartbeat(d->store);
	for (int i = 0; i < d->nv; i++) {
		ring_heartbeat(d->v[i].feed);
		ring_heartbeat(d->v[i].ctl);
	}
	update_metrics(d);
}

static int
run(struct bookd *d)
{
	int batch = (int)cfg_int(d->cfg, "bookd", "batch");
	int64_t last_hb = 0, last_corrupt = 0;
	int woke = 0;   /* the last pass slept: its first record times the wake-up */
	/* one feed ring per venue (d->v[EX_END]): sized by the venue table, not
	 * by the two venues it started with (a third one overran these) */
	struct ring *rs[EX_END];
	uint64_t cur[EX_END];
	_Static_assert(EX_END <= 16, "ring_wait_many waits on 16 rings at most");

	for (int i = 0; i < d->nbooks; i++)
		bk_start(&d->books[i], now_ns());
	heartbeat(d);
	daemon_ready();
	log_info("running", "books=%d venues=%d", d->nbooks, d->nv);
	while (!daemon_stop) {
		int64_t now = now_ns();
		int got = 0;

		for (int i = 0; i < d->nv; i++) {
			struct feedin *v = &d->v[i];
			struct ring_msg m;
			int n, r = 0;

			for (n = 0; n < batch; n++) {
				/* 1 = a record; the ring itself proves seq continuity */
				r = ring_next(v->feed, &v->cursor, &m);
				if (r != 1)
					break;
				/* stamped as read: a time taken once per pass would
				 * date a record read late in the pass (after another
				 * venue's batch, or a wait on book.store) before feedd
				 * wrote it, and move bookd's time into routerd's stage */
				enum loop_phase ph = phase_of(&m);
				int64_t cpu0 = phase_cpu(d, ph), t0 = now_ns();
				if (woke) {
					int64_t f = feed_stamp(&m);
					if (f > 0)
						observe(d, LP_WAKE, t0 - f);
					woke = 0;
				}
				handle(d, v, &m, t0);
				observe(d, ph, now_ns() - t0);
				observe_cpu(d, ph, cpu0);
				got++;
			}
			/* Corruption: skip it; the loss comes back as a gap (books resync). */
			if (r == RING_ECORRUPT && ring_recover(v->feed, &v->cursor) == RING_OK) {
				n = 1;          /* release the skipped bytes */
				got++;
			} else if (r == RING_ECORRUPT && now - last_corrupt > 1000000000LL) {
				last_corrupt = now;
				log_error("feed ring frame cannot be valid: stuck (see mpring)", "exchange=%s why=%s",
				    exch_name(v->exch), log_q(ring_errmsg(v->feed)));
			}
			if (n)
				ring_release(v->feed, v->cursor);
		}
		/* the feed rings were read first; timers run in slices */
		tick_books(d);
		now = now_ns();
		if (now - last_hb >= 1000000000LL) {
			int64_t cpu0 = phase_cpu(d, LP_HEARTBEAT);
			last_hb = now;
			heartbeat(d);
			observe(d, LP_HEARTBEAT, now_ns() - now);
			observe_cpu(d, LP_HEARTBEAT, cpu0);
		}
		if (!got) {
			for (int i = 0; i < d->nv; i++) {
				rs[i] = d->v[i].feed;
				cur[i] = d->v[i].cursor;
			}
			if (d->nv)
				woke = ring_wait_many(rs, cur, d->nv, 100) == 1;
			else
				usleep(100000);
		}
	}
	log_info("stopping", NULL);
	heartbeat(d);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct bookd d;
	int rc;

	d.cfg = daemon_start("bookd", usage, &argc, argv);
	if (argc > 1) {
		fprintf(stderr, "bookd: unexpected argument %s\n%s", argv[1], usage);
		return 2;
	}
	daemon_signals();
	if (setup(&d) < 0)
		return 1;
	rc = run(&d);
	for (int i = 0; i < d.nbooks; i++)
		bk_free(&d.books[i]);
	free(d.books);
	free(d.bm);
	free(d.by_id);
	inst_reg_free(&d.reg);
	for (int i = 0; i < d.nv; i++) {
		ring_close(d.v[i].feed);
		ring_close(d.v[i].ctl);
	}
	ring_close(d.router);
	ring_close(d.store);
	if (d.m)
		metrics_close(d.m);
	cfg_free(d.cfg);
	return rc;
}
