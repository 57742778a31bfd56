/*
 * stored - consumes book.store (RING_BLOCK) and raw.<exchange> (RING_DROP)
 * and makes every record durable in the local store (store.h); ring
 * positions are released only after the blocks holding them are fsynced.
 * With [clickhouse] url set, a sink thread follows the store into ClickHouse
 * (ch.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg_schemas.h"
#include "ch.h"
#include "daemon.h"
#include "log.h"
#include "log_throttle.h"
#include "metrics.h"
#include "pipe.h"
#include "rec.h"
#include "ring.h"
#include "ring_recover.h"
#include "store.h"
#include "store_write.h"

#define MAX_RINGS 4
#define BATCH 4096          /* records from one ring before looking at the others */

static const char usage[] =
    "usage: stored [-c CONF] [--set SECTION.KEY=VALUE] [--log-level L]\n"
    "\n"
    "Consumes book.store and raw.<exchange> and writes them to the local store\n"
    "(<data_dir>/store, see stored/README.md), fsyncing every block before the\n"
    "ring positions are released.  With [clickhouse] url set, also ships the\n"
    "store to ClickHouse.  Stops cleanly on SIGTERM/SIGINT (segments sealed).\n";

struct src {
	struct ring *r;
	char name[32];
	int exch_hint;           /* exchange of records without an instrument */
	uint64_t ring_id;
	uint64_t cur;            /* next frame to read */
	uint64_t done;           /* end of the last frame handed to the writer */
	int broken;
	int64_t broken_ns;
	_Atomic uint64_t *m_records, *m_loss, *m_bad, *m_corrupt;
};

static struct {
	struct cfg *cfg;
	struct inst_registry reg;
	struct store_writer *w;
	struct src src[MAX_RINGS];
	int n_src;
	struct metrics *m;
	_Atomic uint64_t *m_dups, *m_commits, *m_commit_err, *m_blocks, *m_raw, *m_comp, *m_write_err;
	_Atomic int64_t *g_pending, *g_local_up;
	/* Write trouble (disk full, read-only, I/O error): mp_store_local_up is 0
	 * while either is set; the log says it once per interval, with counts. */
	int add_failing, commit_failing;
	struct log_throttle thr_add, thr_commit;
	struct metric_hist *h_commit, *h_latency;
	uint64_t bad_logged;
	long fault_after_sync;   /* test fault injection: MP_FAULT=stored_exit_after_sync:N */
	long commits;
	uint64_t dups;
} S;

static void
add_synth(struct src *s, uint64_t seq, uint32_t inst, uint16_t code, int64_t a, int64_t b,
    const char *text)
{
	struct rec_event e;
	char err[256];

	memset(&e, 0, sizeof e);
	rec_hdr_init(&e.h, REC_EVENT, inst, sizeof e);
	e.h.recv_ns = now_ns();
	e.code = code;
	e.severity = SEV_ERROR;
	e.a = a;
	e.b = b;
	snprintf(e.text, sizeof e.text, "%s", text);
	if (store_writer_add(S.w, s->ring_id, seq, s->exch_hint, &e, sizeof e, err, sizeof err) == STORE_W_ERR)
		log_error("cannot store an event", "ring=%s err=%s", s->name, log_q(err));
}

/* A gap frame: the ring dropped records.  Recorded in the store so the loss
 * is never silent: in the exchange's raw stream, or (book.store) in every
 * book stream, so a continuity break after it reads as recorded. */
static void
on_gap(struct src *s, const struct ring_msg *m)
{
	struct ring_gap g;
	char text[104];
	int i;

	memcpy(&g, m->data, sizeof g);
	metric_inc(s->m_loss, g.count);
	log_warn("ring lost records", "ring=%s first_seq=%llu count=%llu", s->name,
	    (unsigned long long)g.first_seq, (unsigned long long)g.count);
	snprintf(text, sizeof text, "%s: %llu records %s", s->name, (unsigned long long)g.count,
	    m->flags & RING_F_RESYNC ? "lost to ring corruption" : "dropped (ring full)");
	if (s->exch_hint != EX_NONE) {
		add_synth(s, m->seq, 0, EV_RING_LOSS, (int64_t)g.first_seq, (int64_t)g.count, text);
		return;
	}
	for (i = 0; i < S.reg.n; i++)
		add_synth(s, m->seq, S.reg.v[i].id, EV_RING_LOSS, (int64_t)g.first_seq,
		    (int64_t)g.count, text);
}

static void
on_bad(struct src *s, const struct ring_msg *m, const char *why)
{
	char text[104];

	metric_inc(s->m_bad, 1);
	if (S.bad_logged++ < 100 || S.bad_logged % 10000 == 0)
		log_error("bad record from ring (recorded as an event, not stored)",
		    "ring=%s seq=%llu type=%u len=%u why=%s count=%llu", s->name,
		    (unsigned long long)m->seq, m->type, m->len, log_q(why),
		    (unsigned long long)S.bad_logged);
	snprintf(text, sizeof text, "stored: bad record seq %llu from %s: %s",
	    (unsigned long long)m->seq, s->name, why);
	add_synth(s, m->seq, 0, EV_VALIDATION, (int64_t)m->seq, m->type, text);
}

/* The local sink is up while the store can be written. */
static void
write_state(void)
{
	metric_set(S.g_local_up, !S.add_failing && !S.commit_failing);
}

static int
handle(struct src *s, const struct ring_msg *m)
{
	char err[256];
	const struct rec_hdr *h = m->data;
	int rc;

	if (m->type == RING_T_GAP) {
		on_gap(s, m);
		return 0;
	}
	if (rec_check(m->data, m->len, err, sizeof err) < 0) {
		on_bad(s, m, err);
		return 0;
	}
	if (h->type != m->type) {
		on_bad(s, m, "frame type differs from the record type");
		return 0;
	}
	rc = store_writer_add(S.w, s->ring_id, m->seq, s->exch_hint, m->data, m->len, err, sizeof err);
	if (rc == STORE_W_ERR) {
		uint64_t held;

		metric_inc(S.m_write_err, 1);
		S.add_failing = 1;
		write_state();
		if (log_throttle(&S.thr_add, err, &held))
			log_error("cannot add a record to the store; reading paused, retrying", "ring=%s err=%s "
			    "repeats_held_back=%llu", s->name, log_q(err), (unsigned long long)held);
		return -1;
	}
	if (S.add_failing) {
		S.add_failing = 0;
		write_state();
		log_info("the store takes records again", "ring=%s failed_adds=%llu", s->name,
		    (unsigned long long)log_throttle_end(&S.thr_add));
	}
	if (h->recv_ns > 0 && rc == STORE_W_OK && !(h->flags & REC_F_REPLAY))
		metric_observe(S.h_latency, now_ns() - h->recv_ns);
	if (rc == STORE_W_DUP) {
		if (!S.dups++)
			log_info("skipping records already durable before the restart", "ring=%s seq=%llu",
			    s->name, (unsigned long long)m->seq);
		metric_inc(S.m_dups, 1);
	}
	else
		metric_inc(s->m_records, 1);
	return 0;
}

static int
commit(void)
{
	struct store_writer_stats before, after;
	char err[512];
	int64_t t0 = mono_ns();
	int i;

	store_writer_stats(S.w, &before);
	if (store_writer_commit(S.w, err, sizeof err) < 0) {
		uint64_t held;

		metric_inc(S.m_commit_err, 1);
		metric_inc(S.m_write_err, 1);
		S.commit_failing = 1;
		write_state();
		if (log_throttle(&S.thr_commit, err, &held))
			log_error("commit failed; ring positions kept, will retry", "err=%s repeats_held_back=%llu",
			    log_q(err), (unsigned long long)held);
		return -1;
	}
	if (S.commit_failing) {
		S.commit_failing = 0;
		write_state();
		log_info("commits succeed again; the backlog drains", "failed_commits=%llu",
		    (unsigned long long)log_throttle_end(&S.thr_commit));
	}
	metric_observe(S.h_commit, mono_ns() - t0);
	store_writer_stats(S.w, &after);
	if (S.fault_after_sync && after.blocks > before.blocks && ++S.commits == S.fault_after_sync) {
		/* Durable but not released: the restart must skip these records. */
		log_warn("fault injection: exiting after fsync, before releasing the rings", "commits=%ld", S.commits);
		_exit(99);
	}
	metric_inc(S.m_commits, 1);
	metric_inc(S.m_blocks, after.blocks - before.blocks);
	metric_inc(S.m_raw, after.bytes_raw - before.bytes_raw);
	metric_inc(S.m_comp, after.bytes_comp - before.bytes_comp);
	/* Durable: now, and only now, the rings may reuse the space. */
	for (i = 0; i < S.n_src; i++)
		if (S.src[i].r && S.src[i].done > ring_head(S.src[i].r))
			ring_release(S.src[i].r, S.src[i].done);
	metric_set(S.g_pending, 0);
	return 0;
}

static int
open_src(const char *name, int exch_hint)
{
	struct src *s = &S.src[S.n_src];
	struct ring_stat st;
	char err[512], labels[64];

	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name);
	s->exch_hint = exch_hint;
	if (pipe_ring_open(S.cfg, name, RING_CONSUMER, &s->r, err, sizeof err) != RING_OK) {
		log_error("cannot open ring", "ring=%s err=%s", name, log_q(err));
		return -1;
	}
	ring_stat(s->r, &st);
	s->ring_id = (uint64_t)st.created_ns;
	s->cur = s->done = ring_head(s->r);
	snprintf(labels, sizeof labels, "ring=\"%s\"", name);
	s->m_records = metrics_counter(S.m, "mp_store_records_total", labels, "records made durable");
	s->m_loss = metrics_counter(S.m, "mp_store_ring_lost_total", labels,
	    "records the ring dropped before stored read them (gap frames)");
	s->m_bad = metrics_counter(S.m, "mp_store_bad_records_total", labels,
	    "records that failed rec_check (recorded as events, not stored)");
	s->m_corrupt = metrics_counter(S.m, "mp_store_ring_corrupt_total", labels,
	    "corrupt ring frames resynchronised past (the records lost are in mp_store_ring_lost_total)");
	log_info("ring attached", "ring=%s head=%llu last_durable_seq=%llu", name,
	    (unsigned long long)s->cur, (unsigned long long)store_writer_last_seq(S.w, s->ring_id));
	S.n_src++;
	return 0;
}

int
main(int argc, char **argv)
{
	struct store_writer_opts wo;
	struct store_writer_stats ws;
	char root[PATH_MAX], prefix[128], err[512];
	const char *dir;
	struct ch_sink *ch = NULL;
	int64_t interval, last_commit, last_hb = 0, last_fail = 0;
	size_t max_pending;
	int i, rc = 0;

	S.cfg = daemon_start("stored", usage, &argc, argv);
	if (argc > 1) {
		fprintf(stderr, "stored: unexpected argument '%s'\n%s", argv[1], usage);
		return 2;
	}
	daemon_signals();
	{
		const char *f = getenv("MP_FAULT");
		if (f && !strncmp(f, "stored_exit_after_sync:", 23))
			S.fault_after_sync = atol(f + 23);
	}
	if (pipe_instruments(S.cfg, &S.reg, err, sizeof err) < 0) {
		log_error("bad instruments", "err=%s", log_q(err));
		return 2;
	}
	dir = cfg_str(S.cfg, "stored", "dir");
	if (*dir)
		snprintf(root, sizeof root, "%s", dir);
	else
		snprintf(root, sizeof root, "%s/store", cfg_str(S.cfg, "system", "data_dir"));
	if (!pipe_prefix(S.cfg, prefix, sizeof prefix)) {
		log_error("bad [system] ring_prefix", NULL);
		return 2;
	}
	S.m = metrics_open_books(prefix, "stored", S.reg.n, err, sizeof err);
	if (!S.m) {
		log_error("cannot open metrics", "err=%s", log_q(err));
		return 1;
	}
	S.m_dups = metrics_counter(S.m, "mp_store_duplicates_total", "",
	    "records already durable before a restart (skipped, released)");
	S.m_commits = metrics_counter(S.m, "mp_store_commits_total", "", "group commits (write + fdatasync)");
	S.m_commit_err = metrics_counter(S.m, "mp_store_commit_errors_total", "", "failed commits (retried)");
	S.m_blocks = metrics_counter(S.m, "mp_store_blocks_total", "", "blocks written");
	S.m_raw = metrics_counter(S.m, "mp_store_bytes_in_total", "", "record bytes stored (uncompressed)");
	S.m_comp = metrics_counter(S.m, "mp_store_bytes_written_total", "", "bytes written to segments");
	S.g_pending = metrics_gauge(S.m, "mp_store_pending_bytes", "", "record bytes not yet durable");
	S.m_write_err = metrics_counter(S.m, "mp_store_write_errors_total", "",
	    "failed record adds and commits (disk full, read-only, I/O error; retried, nothing lost)");
	S.g_local_up = metrics_gauge(S.m, "mp_store_local_up", "",
	    "1 while the local store can be written, 0 from a failed write or commit to the next success");
	S.thr_add = (struct log_throttle)LOG_THROTTLE_INIT(10 * 1000000000LL);
	S.thr_commit = (struct log_throttle)LOG_THROTTLE_INIT(10 * 1000000000LL);
	write_state();
	S.h_commit = metrics_hist(S.m, "mp_store_commit_ns", "", "commit latency (compress, write, fdatasync)");
	S.h_latency = metrics_hist(S.m, "mp_store_latency_seconds", "",
	    "receive (feedd) to stored taking the record off its ring, ns; durability adds up to "
	    "commit_interval (group commit)");

	memset(&wo, 0, sizeof wo);
	wo.root = root;
	wo.reg = &S.reg;
	wo.zstd_level = (int)cfg_int(S.cfg, "stored", "zstd_level");
	wo.block_max = (size_t)cfg_size(S.cfg, "stored", "block_bytes");
	S.w = store_writer_open(&wo, err, sizeof err);
	if (!S.w) {
		log_error("cannot open the store", "root=%s err=%s", log_q(root), log_q(err));
		return 1;
	}
	store_writer_stats(S.w, &ws);
	log_line(ws.lost_segments ? LOG_ERROR : LOG_INFO, "store open", "root=%s streams=%llu torn_tails=%llu "
	    "torn_bytes=%llu lost_sealed_segments=%llu lost_records=%llu", log_q(root),
	    (unsigned long long)ws.recovered_streams, (unsigned long long)ws.torn_tails,
	    (unsigned long long)ws.torn_bytes, (unsigned long long)ws.lost_segments,
	    (unsigned long long)ws.lost_records);

	/* The sink only reads the store, which is recovered by now. */
	if (*cfg_str(S.cfg, "clickhouse", "url")) {
		ch = ch_sink_start(S.cfg, root, S.m, err, sizeof err);
		if (!ch) {
			log_error("cannot start the ClickHouse sink", "err=%s", log_q(err));
			store_writer_close(S.w, NULL, 0);
			return 2;
		}
	}
	if (open_src("book.store", EX_NONE) < 0) {
		ch_sink_stop(ch);
		store_writer_close(S.w, NULL, 0);
		return 1;
	}
	if (cfg_bool(S.cfg, "stored", "raw")) {
		int seen[3] = { 0 };
		for (i = 0; i < S.reg.n; i++) {
			char name[32];
			int ex = S.reg.v[i].exch;
			if (ex <= 0 || ex > 2 || seen[ex]++)
				continue;
			snprintf(name, sizeof name, "raw.%s", exch_name(ex));
			if (open_src(name, ex) < 0) {
				ch_sink_stop(ch);
				store_writer_close(S.w, NULL, 0);
				return 1;
			}
		}
	}
	daemon_ready();

	interval = cfg_dur_ns(S.cfg, "stored", "commit_interval");
	max_pending = (size_t)cfg_size(S.cfg, "stored", "max_pending");
	last_commit = mono_ns();
	while (!daemon_stop) {
		int got = 0, stalled = 0;
		int64_t now;

		/* Back-pressure: with max_pending waiting (the disk refuses
		 * commits), read nothing more; the rings hold the rest. */
		if (store_writer_pending(S.w) >= max_pending)
			stalled = 1;
		for (i = 0; i < S.n_src && !stalled; i++) {
			struct src *s = &S.src[i];
			struct ring_msg m;
			int n = 0, r = 0;
			uint64_t bad_at;

			if (s->broken) {
				if (mono_ns() - s->broken_ns < 5000000000LL)
					continue;
				s->broken = 0;   /* look again: the producer may have repaired it */
			}
			while (n < BATCH && (r = ring_next(s->r, &s->cur, &m)) == 1) {
				if (handle(s, &m) < 0) {
					/* Cannot store it: do not pass it; re-read after a commit. */
					s->cur = m.pos;
					stalled = 1;
					break;
				}
				s->done = s->cur;
				n++;
			}
			bad_at = s->cur;
			if (r == RING_ECORRUPT && ring_recover(s->r, &s->cur) == RING_OK) {
				/* The skipped bytes hold nothing to store: release them with the
				 * next commit, so a full blocking ring frees its producer even
				 * before the gap (which needs the next record) is known. */
				metric_inc(s->m_corrupt, 1);
				if (s->done == bad_at)
					s->done = s->cur;
				r = 0;
			}
			if (r < 0) {
				log_error("ring frame cannot be valid; pausing this ring", "ring=%s pos=%llu err=%s",
				    s->name, (unsigned long long)s->cur, ring_strerror(r));
				s->broken = 1;
				s->broken_ns = mono_ns();
			}
			got += n;
		}
		now = mono_ns();
		metric_set(S.g_pending, (int64_t)store_writer_pending(S.w));
		/* A failed commit is retried once a second at most, not in a loop. */
		if (now - last_commit >= interval ||
		    (store_writer_pending(S.w) >= max_pending && now - last_fail >= 1000000000LL)) {
			if (commit() == 0)
				last_commit = now;
			else
				last_fail = last_commit = now;
		}
		if (now - last_hb >= 1000000000LL) {
			for (i = 0; i < S.n_src; i++)
				ring_heartbeat(S.src[i].r);
			metrics_heartbeat(S.m);
			last_hb = now;
		}
		if (stalled) {
			struct timespec ts = { 0, 100000000 };
			nanosleep(&ts, NULL);
		} else if (!got) {
			struct ring *rs[MAX_RINGS];
			uint64_t cur[MAX_RINGS];
			int64_t left = interval - (mono_ns() - last_commit);
			int ms = (int)(left / 1000000);
			for (i = 0; i < S.n_src; i++) {
				rs[i] = S.src[i].r;
				cur[i] = S.src[i].cur;
			}
			if (ms < 1)
				ms = 1;
			if (ms > 1000)
				ms = 1000;
			ring_wait_many(rs, cur, S.n_src, ms);
		}
	}
	log_info("stopping", "duplicates_skipped=%llu", (unsigned long long)S.dups);
	if (ch)
		ch_sink_stop(ch);
	if (commit() < 0)
		rc = 1;
	if (store_writer_close(S.w, err, sizeof err) < 0) {
		log_error("closing the store failed", "err=%s", log_q(err));
		rc = 1;
	}
	for (i = 0; i < S.n_src; i++)
		ring_close(S.src[i].r);
	metrics_close(S.m);
	cfg_free(S.cfg);
	return rc;
}
