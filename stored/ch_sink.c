/* ch_sink.c - follow the local store into ClickHouse (see ch.h). */
#include "ch.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ch_int.h"
#include "clock.h"
#include "log.h"
#include "store_seg.h"
#include "url_safe.h"

#define MAX_FOL 80

/* A position in one stream: the next block to ship is at `off` in segment
 * `seg` (0 = the segment's first block; "" = the stream's first segment). */
struct spos {
	char seg[32];
	uint64_t off;
};

struct fol {
	char exchange[16], symbol[24], dir[1024];
	int kind;
	struct spos pos;            /* committed: shipped up to here */
	struct spos end;            /* the batch in flight ends here */
	struct spos intent_end;     /* from the cursor file: rebuild up to here */
	int has_intent;
	/* walking */
	struct store_seg seg;
	int open;
	struct spos at;             /* position of the walk */
};

struct ch_sink {
	pthread_t th;
	atomic_int stop;
	char root[1024], cursor[1100];
	char url[512], db[128], user[128], password[256];
	char schema[16], compression[16];
	int mode;
	const char *enc;
	long batch_rows;
	int64_t batch_ns, retry_max_ns, timeout_ns;
	int create;
	struct ch_http *http;
	struct ch_enc enc_state;
	struct fol f[MAX_FOL];
	int n_fol;
	uint64_t batch_seq;
	void *buf, *cbuf;
	size_t cap, ccap;
	_Atomic uint64_t *m_rows[CH_T_MAX], *m_inserts, *m_errors, *m_bytes, *m_bad_blocks;
	_Atomic int64_t *g_up, *g_lag, *g_lag_records, *g_sink_up;
	int64_t lag_checked;
	int64_t last_written_ns;
};

/* Sleep up to ns, waking early when asked to stop. */
static void
nap(struct ch_sink *s, int64_t ns)
{
	while (ns > 0 && !atomic_load(&s->stop)) {
		int64_t step = ns < 50000000 ? ns : 50000000;
		struct timespec ts = { 0, (long)step };
		nanosleep(&ts, NULL);
		ns -= step;
	}
}

static int
pos_cmp(const struct spos *a, const struct spos *b)
{
	int c = strcmp(a->seg, b->seg);

	if (c)
		return c;
	return a->off < b->off ? -1 : a->off > b->off;
}

/* ---- the cursor file ---- */

static int
cursor_save(struct ch_sink *s, int with_intent)
{
	char tmp[1200];
	FILE *fp;
	int i, fd, rc = 0;

	snprintf(tmp, sizeof tmp, "%s.tmp", s->cursor);
	fp = fopen(tmp, "w");
	if (!fp)
		return -1;
	fprintf(fp, "mpch-cursor 1\nbatch %llu\n", (unsigned long long)s->batch_seq);
	for (i = 0; i < s->n_fol; i++) {
		struct fol *f = &s->f[i];
		fprintf(fp, "pos %s %s %s %llu\n", f->exchange, f->symbol, f->pos.seg[0] ? f->pos.seg : "-",
		    (unsigned long long)f->pos.off);
		if (with_intent)
			fprintf(fp, "intent %s %s %s %llu\n", f->exchange, f->symbol,
			    f->end.seg[0] ? f->end.seg : "-", (unsigned long long)f->end.off);
	}
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0)
		rc = -1;
	if (fclose(fp) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, s->cursor) != 0)
		rc = -1;
	if (rc == 0) {
		/* The rename itself must survive a crash too. */
		char dir[1100], *sl;
		snprintf(dir, sizeof dir, "%s", s->cursor);
		sl = strrchr(dir, '/');
		if (sl) {
			*sl = 0;
			fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd >= 0) {
				fsync(fd);
				close(fd);
			}
		}
	}
	return rc;
}

static struct fol *
fol_find(struct ch_sink *s, const char *ex, const char *sym)
{
	int i;

	for (i = 0; i < s->n_fol; i++)
		if (!strcmp(s->f[i].exchange, ex) && !strcmp(s->f[i].symbol, sym))
			return &s->f[i];
	return NULL;
}

/* Add streams that appeared since the last look (new instruments, first raw). */
static void
discover(struct ch_sink *s)
{
	struct store_stream *v;
	char err[256];
	int n, i;

	n = store_streams(s->root, &v, err, sizeof err);
	for (i = 0; i < n; i++) {
		struct fol *f;
		if (fol_find(s, v[i].exchange, v[i].symbol) || s->n_fol >= MAX_FOL)
			continue;
		/* Keep the streams sorted: a batch rebuilt after a restart must
		 * encode its rows in the same order to get the same token. */
		{
			int j = s->n_fol;
			while (j > 0 && (strcmp(s->f[j - 1].exchange, v[i].exchange) > 0 ||
			    (!strcmp(s->f[j - 1].exchange, v[i].exchange) && strcmp(s->f[j - 1].symbol, v[i].symbol) > 0)))
				j--;
			if (j < s->n_fol) {
				/* An open walk holds no pointers into itself, so moving is fine. */
				memmove(&s->f[j + 1], &s->f[j], (size_t)(s->n_fol - j) * sizeof s->f[0]);
			}
			s->n_fol++;
			f = &s->f[j];
		}
		memset(f, 0, sizeof f[0]);
		snprintf(f->exchange, sizeof f->exchange, "%s", v[i].exchange);
		snprintf(f->symbol, sizeof f->symbol, "%s", v[i].symbol);
		snprintf(f->dir, sizeof f->dir, "%s", v[i].dir);
		f->kind = v[i].kind;
	}
	store_streams_free(v, n > 0 ? n : 0);
}

static int
cursor_load(struct ch_sink *s)
{
	FILE *fp = fopen(s->cursor, "r");
	char line[512], ex[32], sym[32], seg[32];
	unsigned long long off, seq;

	if (!fp)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof line, fp)) {
		struct fol *f;
		if (sscanf(line, "batch %llu", &seq) == 1) {
			s->batch_seq = seq;
			continue;
		}
		if (sscanf(line, "pos %31s %31s %31s %llu", ex, sym, seg, &off) == 4) {
			f = fol_find(s, ex, sym);
			if (!f)
				continue;
			snprintf(f->pos.seg, sizeof f->pos.seg, "%s", strcmp(seg, "-") ? seg : "");
			f->pos.off = off;
		} else if (sscanf(line, "intent %31s %31s %31s %llu", ex, sym, seg, &off) == 4) {
			f = fol_find(s, ex, sym);
			if (!f)
				continue;
			snprintf(f->intent_end.seg, sizeof f->intent_end.seg, "%s", strcmp(seg, "-") ? seg : "");
			f->intent_end.off = off;
			f->has_intent = 1;
		}
	}
	fclose(fp);
	return 0;
}

/* ---- walking a stream ---- */

static void
fol_close(struct fol *f)
{
	if (f->open)
		store_seg_close(&f->seg);
	f->open = 0;
}

/* The name of the first segment of the stream after `after` (empty = the first). */
static int
next_seg_name(struct fol *f, const char *after, char *out, size_t cap)
{
	struct store_stream *v;
	char err[256], root[1100], *sl;
	int n, i, j, found = 0;

	/* f->dir is <root>/<exchange>/<symbol>. */
	snprintf(root, sizeof root, "%s", f->dir);
	sl = strrchr(root, '/');
	if (sl)
		*sl = 0;
	sl = strrchr(root, '/');
	if (sl)
		*sl = 0;
	n = store_streams(root, &v, err, sizeof err);
	for (i = 0; i < n && !found; i++) {
		if (strcmp(v[i].dir, f->dir))
			continue;
		for (j = 0; j < v[i].n_seg; j++) {
			char name[32];
			snprintf(name, sizeof name, "%s", v[i].seg[j]);
			if (strcmp(name, after) > 0) {
				snprintf(out, cap, "%s", name);
				found = 1;
				break;
			}
		}
	}
	store_streams_free(v, n > 0 ? n : 0);
	return found;
}

/* Open the walk at position p. */
static int
fol_seek(struct fol *f, const struct spos *p)
{
	char path[1100], err[512];

	fol_close(f);
	f->at = *p;
	if (!f->at.seg[0]) {
		if (!next_seg_name(f, "", f->at.seg, sizeof f->at.seg))
			return 0;
		f->at.off = 0;
	}
	snprintf(path, sizeof path, "%s/%s", f->dir, f->at.seg);
	if (store_seg_open(&f->seg, path, err, sizeof err) < 0) {
		log_warn("clickhouse sink: cannot open segment", "err=%s", log_q(err));
		return -1;
	}
	f->open = 1;
	if (f->at.off < f->seg.hdr.hdr_len)
		f->at.off = f->seg.hdr.hdr_len;
	f->seg.off = f->at.off;
	if (f->seg.sealed)
		while (f->seg.idx_pos < f->seg.n_idx && f->seg.idx[f->seg.idx_pos].off < f->at.off)
			f->seg.idx_pos++;
	return 0;
}

static void
sink_fault(const struct store_fault *ft, void *arg)
{
	(void)arg;
	if (!ft->tail)
		log_warn("clickhouse sink: damaged block skipped (mpstore verify reports it)",
		    "path=%s off=%llu what=%s", log_q(ft->path), (unsigned long long)ft->off, log_q(ft->what));
}

/* The next block of the stream, up to `limit` (NULL = as far as there is):
 * 1 with bh and off filled (f->at moves past it), 0 = nothing more. */
static int
fol_next(struct ch_sink *s, struct fol *f, const struct spos *limit, struct store_block_hdr *bh, uint64_t *off)
{
	int tries;

	for (tries = 0; tries < 4; tries++) {
		char next[32];
		if (!f->open) {
			int rc = fol_seek(f, &f->at);
			if (rc < 0 && f->at.seg[0] && next_seg_name(f, f->at.seg, next, sizeof next)) {
				/* The segment is gone or unreadable (retention, damage):
				 * what it held cannot be shipped any more; go on. */
				log_error("clickhouse sink: skipping a segment it cannot read", "stream=%s/%s segment=%s",
				    f->exchange, f->symbol, f->at.seg);
				snprintf(f->at.seg, sizeof f->at.seg, "%s", next);
				f->at.off = 0;
				continue;
			}
			if (rc < 0 || !f->open)
				return 0;
		}
		if (limit && pos_cmp(&f->at, limit) >= 0)
			return 0;
		if (store_seg_next_block(&f->seg, bh, off, sink_fault, s) == 1) {
			f->at.off = *off + sizeof *bh + bh->comp_len;
			return 1;
		}
		if (f->seg.tail)
			return 0;   /* a block being written: later */
		if (store_seg_refresh(&f->seg) == 1)
			continue;
		if (!next_seg_name(f, f->at.seg, next, sizeof next))
			return 0;
		fol_close(f);
		snprintf(f->at.seg, sizeof f->at.seg, "%s", next);
		f->at.off = 0;
	}
	return 0;
}

/* ---- batches ---- */

static int
table_full(struct ch_sink *s)
{
	int t;

	for (t = 0; t < CH_T_MAX; t++)
		if ((long)s->enc_state.t[t].rows >= s->batch_rows || s->enc_state.t[t].len > (256u << 20))
			return 1;
	return 0;
}

/* Gather blocks from every stream: from pos up to the intent (rebuild) or
 * as far as the store goes and the batch allows.  Returns the row count. */
static uint64_t
gather(struct ch_sink *s, int rebuild)
{
	uint64_t rows = 0;
	int i, t;

	for (t = 0; t < CH_T_MAX; t++)
		ch_buf_reset(&s->enc_state.t[t]);
	for (i = 0; i < s->n_fol; i++) {
		struct fol *f = &s->f[i];
		struct store_block_hdr bh;
		uint64_t off;

		if (pos_cmp(&f->at, &f->pos) != 0 || !f->open) {
			fol_close(f);
			f->at = f->pos;
		}
		f->end = f->pos;
		if (rebuild && !f->has_intent)
			continue;
		while ((rebuild || !table_full(s)) &&
		    fol_next(s, f, rebuild ? &f->intent_end : NULL, &bh, &off) == 1) {
			const char *why = NULL;
			char rerr[256];
			uint32_t bad, k;
			size_t p = 0;

			/* Raw frames are not shipped: a raw block without events
			 * needs no decompressing. */
			if (f->kind == STORE_K_RAW && !bh.count[REC_EVENT]) {
				f->end = f->at;
				continue;
			}
			if (store_block_read(&f->seg, &bh, off, &s->buf, &s->cap, &s->cbuf, &s->ccap, &why) < 0 ||
			    store_block_records_ok(s->buf, bh.raw_len, bh.n_records, &bad, rerr, sizeof rerr) < 0) {
				log_warn("clickhouse sink: damaged block skipped", "path=%s off=%llu what=%s",
				    log_q(f->seg.path), (unsigned long long)off, log_q(why ? why : rerr));
				metric_inc(s->m_bad_blocks, 1);
				f->end = f->at;
				continue;
			}
			for (k = 0; k < bh.n_records; k++) {
				const struct rec_hdr *h = (const struct rec_hdr *)((const char *)s->buf + p);
				const char *sym = f->kind == STORE_K_BOOK ? f->symbol : "";
				const struct inst *in = store_reg_find(&f->seg.reg, h->inst);
				if (in && f->kind != STORE_K_BOOK)
					sym = in->symbol;
				ch_encode(&s->enc_state, h, f->exchange, sym, in);
				p += h->len;
			}
			if (bh.written_ns > s->last_written_ns)
				s->last_written_ns = bh.written_ns;
			f->end = f->at;
		}
	}
	for (t = 0; t < CH_T_MAX; t++)
		rows += s->enc_state.t[t].rows;
	return rows;
}

static int
advanced(struct ch_sink *s)
{
	int i;

	for (i = 0; i < s->n_fol; i++)
		if (pos_cmp(&s->f[i].end, &s->f[i].pos) != 0)
			return 1;
	return 0;
}

/* A name for the batch's extent: the same blocks give the same token. */
static uint64_t
extent_hash(struct ch_sink *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char line[256];
	int i;
	size_t k;

	for (i = 0; i < s->n_fol; i++) {
		struct fol *f = &s->f[i];
		if (!pos_cmp(&f->pos, &f->end))
			continue;
		snprintf(line, sizeof line, "%s/%s:%s@%llu-%s@%llu;", f->exchange, f->symbol, f->pos.seg,
		    (unsigned long long)f->pos.off, f->end.seg, (unsigned long long)f->end.off);
		for (k = 0; line[k]; k++) {
			h ^= (unsigned char)line[k];
			h *= 0x100000001b3ULL;
		}
	}
	return h;
}

/* Records the store holds beyond the shipped position (block headers only). */
static uint64_t
stream_lag(struct fol *f)
{
	struct spos p = f->pos;
	uint64_t n = 0;
	int segs = 0;

	for (;;) {
		struct store_seg seg;
		struct store_block_hdr bh;
		char path[1100], err[256], next[32];
		uint64_t off;

		if (!p.seg[0] && !next_seg_name(f, "", p.seg, sizeof p.seg))
			return n;
		snprintf(path, sizeof path, "%s/%s", f->dir, p.seg);
		if (store_seg_open(&seg, path, err, sizeof err) < 0)
			return n;
		if (p.off > seg.off)
			seg.off = p.off;
		if (seg.sealed)
			while (seg.idx_pos < seg.n_idx && seg.idx[seg.idx_pos].off < p.off)
				seg.idx_pos++;
		while (store_seg_next_block(&seg, &bh, &off, NULL, NULL) == 1)
			n += bh.n_records;
		store_seg_close(&seg);
		if (++segs > 10000 || !next_seg_name(f, p.seg, next, sizeof next))
			return n;
		snprintf(p.seg, sizeof p.seg, "%s", next);
		p.off = 0;
	}
}

/* mpctl's view of the sink: records not yet in ClickHouse, and up or not
 * (at most once a second: it walks block headers). */
static void
update_lag(struct ch_sink *s, int up)
{
	uint64_t n = 0;
	int i;

	metric_set(s->g_sink_up, up);
	if (mono_ns() - s->lag_checked < 1000000000LL)
		return;
	s->lag_checked = mono_ns();
	for (i = 0; i < s->n_fol; i++)
		if (s->f[i].kind == STORE_K_BOOK)
			n += stream_lag(&s->f[i]);
	metric_set(s->g_lag_records, (int64_t)n);
}

/* Send every table of the batch until all succeeded (or stop). */
static int
send_batch(struct ch_sink *s)
{
	int sent[CH_T_MAX] = { 0 }, t, all;
	int64_t backoff = 250000000;
	uint64_t ext = extent_hash(s);

	for (;;) {
		all = 1;
		for (t = 0; t < CH_T_MAX; t++) {
			struct ch_buf *b = &s->enc_state.t[t];
			char query[1024], extra[256], err[512];
			const char *resp;
			int retry;

			if (!b->rows || sent[t])
				continue;
			if (b->oom) {
				log_error("clickhouse sink: out of memory building a batch", NULL);
				return -1;
			}
			snprintf(query, sizeof query, "INSERT INTO %s.%s %s FORMAT RowBinary", s->db,
			    ch_table_name(t), ch_table_columns(t));
			if (s->mode == CH_MODERN)
				/* Same extent and bytes => same token: a resend is dropped
				 * by the server (non_replicated_deduplication_window). */
				snprintf(extra, sizeof extra, "&insert_deduplication_token=%s-%016llx-%08x"
				    "&async_insert=0", ch_table_name(t), (unsigned long long)ext,
				    store_crc32c(0, b->p, b->len));
			else
				extra[0] = 0;
			if (ch_http_query(s->http, query, extra, b->p, b->len, s->enc, &resp, &retry, err,
			    sizeof err) == 0) {
				sent[t] = 1;
				metric_inc(s->m_rows[t], b->rows);
				metric_inc(s->m_inserts, 1);
				metric_inc(s->m_bytes, b->len);
				continue;
			}
			all = 0;
			metric_inc(s->m_errors, 1);
			metric_set(s->g_up, 0);
			log_warn("clickhouse insert failed; will retry the same batch", "table=%s rows=%llu err=%s%s",
			    ch_table_name(t), (unsigned long long)b->rows, log_q(err),
			    retry ? "" : " (the server refuses it: check the schema)");
			break;
		}
		if (all) {
			metric_set(s->g_up, 1);
			return 0;
		}
		if (atomic_load(&s->stop))
			return -1;
		update_lag(s, 0);
		nap(s, backoff);
		backoff *= 2;
		if (backoff > s->retry_max_ns)
			backoff = s->retry_max_ns;
	}
}

/* ---- server set-up ---- */

static int
setup(struct ch_sink *s)
{
	char err[512], q[256], ub[512];
	const char *resp;
	int retry, major = 0, minor = 0, t;

	if (ch_http_query(s->http, "SELECT version()", NULL, NULL, 0, NULL, &resp, &retry, err, sizeof err) < 0) {
		log_warn("clickhouse not reachable; retrying", "url=%s err=%s", log_q(url_safe(s->url, ub, sizeof ub)),
		    log_q(err));
		return -1;
	}
	sscanf(resp, "%d.%d", &major, &minor);
	{
		char *nl = strchr(resp, '\n');
		if (nl)
			*nl = 0;    /* resp is the client's own buffer */
	}
	if (!strcmp(s->schema, "modern"))
		s->mode = CH_MODERN;
	else if (!strcmp(s->schema, "legacy"))
		s->mode = CH_LEGACY;
	else
		/* insert_deduplication_token arrived in 22.2 (research §1.8). */
		s->mode = major > 22 || (major == 22 && minor >= 2) ? CH_MODERN : CH_LEGACY;
	if (!strcmp(s->compression, "auto"))
		/* Content-Encoding: zstd since ~21.1; 18.16 takes only gzip/deflate. */
		s->enc = s->mode == CH_MODERN ? "zstd" : "gzip";
	else if (!strcmp(s->compression, "none"))
		s->enc = NULL;
	else
		s->enc = s->compression;
	log_info("clickhouse connected", "url=%s version=%s schema=%s body=%s", log_q(url_safe(s->url, ub, sizeof ub)),
	    log_q(resp),
	    s->mode == CH_MODERN ? "modern" : "legacy", s->enc ? s->enc : "plain");
	if (!s->create)
		return 0;
	snprintf(q, sizeof q, "CREATE DATABASE IF NOT EXISTS %s", s->db);
	if (ch_http_query(s->http, q, NULL, NULL, 0, NULL, &resp, &retry, err, sizeof err) < 0) {
		log_error("clickhouse: cannot create the database", "err=%s", log_q(err));
		return -1;
	}
	for (t = 0; t < CH_T_MAX; t++) {
		char *ddl = ch_table_ddl(t, s->mode, s->db);
		int rc = ddl ? ch_http_query(s->http, ddl, NULL, NULL, 0, NULL, &resp, &retry, err, sizeof err) : -1;
		free(ddl);
		if (rc < 0) {
			log_error("clickhouse: cannot create a table", "table=%s err=%s", ch_table_name(t), log_q(err));
			return -1;
		}
	}
	return 0;
}

static void
commit_positions(struct ch_sink *s)
{
	int i;

	for (i = 0; i < s->n_fol; i++) {
		s->f[i].pos = s->f[i].end;
		s->f[i].has_intent = 0;
	}
	s->batch_seq++;
	while (cursor_save(s, 0) < 0 && !atomic_load(&s->stop)) {
		log_error("clickhouse sink: cannot write the cursor", "path=%s err=%s", log_q(s->cursor),
		    log_q(strerror(errno)));
		nap(s, 1000000000);
	}
}

static void *
sink_main(void *arg)
{
	struct ch_sink *s = arg;
	int64_t backoff = 250000000, last_send = 0;
	int i, rebuild = 0;

	while (!atomic_load(&s->stop) && setup(s) < 0) {
		nap(s, backoff);
		backoff = backoff * 2 > s->retry_max_ns ? s->retry_max_ns : backoff * 2;
	}
	discover(s);
	if (cursor_load(s) < 0)
		log_error("clickhouse sink: cannot read the cursor; starting from the beginning",
		    "path=%s", log_q(s->cursor));
	for (i = 0; i < s->n_fol; i++)
		rebuild |= s->f[i].has_intent;
	if (rebuild)
		log_info("clickhouse sink: resending the batch in flight before the restart", "batch=%llu",
		    (unsigned long long)s->batch_seq);
	while (!atomic_load(&s->stop)) {
		uint64_t rows;
		int64_t wait;

		if (!rebuild) {
			/* About one INSERT per table per batch_interval. */
			wait = s->batch_ns - (mono_ns() - last_send);
			if (wait > 0)
				nap(s, wait);
			if (atomic_load(&s->stop))
				break;
			discover(s);
		}
		rows = gather(s, rebuild);
		if (!advanced(s)) {
			update_lag(s, 1);
			last_send = mono_ns();
			rebuild = 0;
			continue;
		}
		if (rows) {
			if (!rebuild && cursor_save(s, 1) < 0) {
				log_error("clickhouse sink: cannot write the intent", "err=%s", log_q(strerror(errno)));
				nap(s, 1000000000);
				continue;
			}
			if (send_batch(s) < 0)
				break;
		}
		commit_positions(s);
		update_lag(s, 1);
		rebuild = 0;
		last_send = mono_ns();
		if (s->last_written_ns)
			metric_set(s->g_lag, now_ns() - s->last_written_ns);
	}
	for (i = 0; i < s->n_fol; i++)
		fol_close(&s->f[i]);
	return NULL;
}

struct ch_sink *
ch_sink_start(const struct cfg *c, const char *store_root, struct metrics *m, char *err, size_t errlen)
{
	struct ch_sink *s = calloc(1, sizeof *s);
	const char *cur;
	int t;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(s->root, sizeof s->root, "%s", store_root);
	snprintf(s->url, sizeof s->url, "%s", cfg_str(c, "clickhouse", "url"));
	snprintf(s->db, sizeof s->db, "%s", cfg_str(c, "clickhouse", "database"));
	snprintf(s->user, sizeof s->user, "%s", cfg_str(c, "clickhouse", "user"));
	snprintf(s->password, sizeof s->password, "%s", cfg_str(c, "clickhouse", "password"));
	snprintf(s->schema, sizeof s->schema, "%s", cfg_str(c, "clickhouse", "schema"));
	snprintf(s->compression, sizeof s->compression, "%s", cfg_str(c, "clickhouse", "compression"));
	if (strcmp(s->schema, "auto") && strcmp(s->schema, "modern") && strcmp(s->schema, "legacy")) {
		snprintf(err, errlen, "[clickhouse] schema = \"%s\": expected auto, modern or legacy", s->schema);
		free(s);
		return NULL;
	}
	if (strcmp(s->compression, "auto") && strcmp(s->compression, "zstd") && strcmp(s->compression, "gzip") &&
	    strcmp(s->compression, "none")) {
		snprintf(err, errlen, "[clickhouse] compression = \"%s\": expected auto, zstd, gzip or none",
		    s->compression);
		free(s);
		return NULL;
	}
	if (strspn(s->db, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(s->db) ||
	    !*s->db) {
		snprintf(err, errlen, "[clickhouse] database = \"%s\": letters, digits and _ only", s->db);
		free(s);
		return NULL;
	}
	if (strncmp(s->url, "http://", 7) && strncmp(s->url, "https://", 8)) {
		snprintf(err, errlen, "[clickhouse] url = \"%s\": expected http://HOST:PORT or https://...", s->url);
		free(s);
		return NULL;
	}
	s->batch_rows = (long)cfg_int(c, "clickhouse", "batch_rows");
	s->batch_ns = cfg_dur_ns(c, "clickhouse", "batch_interval");
	s->retry_max_ns = cfg_dur_ns(c, "clickhouse", "retry_max");
	s->timeout_ns = cfg_dur_ns(c, "clickhouse", "timeout");
	s->create = cfg_bool(c, "clickhouse", "create_tables");
	s->enc_state.full_depth_updates = cfg_bool(c, "clickhouse", "full_depth_updates");
	cur = cfg_str(c, "clickhouse", "cursor");
	if (*cur)
		snprintf(s->cursor, sizeof s->cursor, "%s", cur);
	else
		snprintf(s->cursor, sizeof s->cursor, "%s/clickhouse.cursor", store_root);
	s->http = ch_http_new(s->url, s->user, s->password, (long)(s->timeout_ns / 1000000));
	if (!s->http) {
		snprintf(err, errlen, "cannot set up libcurl");
		free(s);
		return NULL;
	}
	for (t = 0; t < CH_T_MAX; t++) {
		char labels[64];
		snprintf(labels, sizeof labels, "table=\"%s\"", ch_table_name(t));
		s->m_rows[t] = metrics_counter(m, "mp_ch_rows_total", labels, "rows inserted into ClickHouse");
	}
	s->m_inserts = metrics_counter(m, "mp_ch_inserts_total", "", "successful INSERT requests");
	s->m_errors = metrics_counter(m, "mp_ch_errors_total", "", "failed requests (retried)");
	s->m_bytes = metrics_counter(m, "mp_ch_bytes_total", "", "RowBinary bytes inserted (before compression)");
	s->m_bad_blocks = metrics_counter(m, "mp_ch_bad_blocks_total", "", "damaged store blocks skipped");
	s->g_up = metrics_gauge(m, "mp_ch_up", "", "1 when the last request succeeded");
	s->g_lag = metrics_gauge(m, "mp_ch_lag_ns", "", "age of the newest shipped block");
	s->g_lag_records = metrics_gauge(m, "mp_store_sink_lag_records", "sink=\"clickhouse\"",
	    "book records in the local store not yet in ClickHouse");
	s->g_sink_up = metrics_gauge(m, "mp_store_sink_up", "sink=\"clickhouse\"",
	    "1 when the last ClickHouse request succeeded");
	if (pthread_create(&s->th, NULL, sink_main, s) != 0) {
		snprintf(err, errlen, "cannot start the sink thread");
		ch_http_free(s->http);
		free(s);
		return NULL;
	}
	return s;
}

void
ch_sink_stop(struct ch_sink *s)
{
	int t;

	if (!s)
		return;
	atomic_store(&s->stop, 1);
	pthread_join(s->th, NULL);
	for (t = 0; t < CH_T_MAX; t++)
		ch_buf_free(&s->enc_state.t[t]);
	ch_http_free(s->http);
	free(s->buf);
	free(s->cbuf);
	free(s);
}
