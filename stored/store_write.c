/* store_write.c - the store writer: pending blocks, group commit, recovery. */
#include "store_write.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <zstd.h>

#include "log.h"
#include "store_seg.h"

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* streams: one per book plus raw and sys ones (STREAMS_EXTRA), sized from the registry */
#define STREAMS_EXTRA 8
#define MAX_RINGS 8

struct ring_mark {
	uint64_t ring_id;
	uint64_t last_seq;
};

struct wstream {
	int used;
	int kind;                   /* enum store_kind */
	int exch;
	uint32_t inst;              /* registry id (book streams) */
	char exchange[16];
	char symbol[24];
	char dir[600];
	/* the open segment */
	int fd;
	int64_t seg_hour;
	uint64_t seg_end;           /* end of the last durable block */
	uint32_t block_no;
	int max_codec;              /* the newest codec its version admits (a continued
	                             * version-2 segment stays readable by version-2 readers) */
	struct store_idx_ent *idx;
	uint32_t n_idx, cap_idx;
	int dirty;                  /* written since the last fdatasync */
	/* the newest existing segment found at start-up (not yet opened) */
	int64_t old_hour;
	/* durable ring positions */
	struct ring_mark marks[MAX_RINGS];
	int n_marks;
	/* the pending block */
	char *buf;
	size_t len, cap;
	uint32_t n;
	uint32_t count[STORE_TYPES];
	int64_t min_ns, max_ns, first_id, last_id;
	uint64_t ring_id, first_seq, last_seq;
	/* blocks written but not yet synced: their marks apply after the sync */
	struct ring_mark unsynced[MAX_RINGS];
	int n_unsynced;
};

struct store_writer {
	char root[512];
	struct inst_registry reg;
	int level;
	int codec;              /* enum store_codec of new blocks */
	size_t block_max;
	ZSTD_CCtx *cctx;
	void *cbuf[2];          /* compressed blocks: the one kept, and a try in another codec */
	size_t ccap[2];
	int cbuf_slot;
	struct wstream *s;      /* ns: the registry's books + STREAMS_EXTRA */
	int ns;
	int *by_inst;           /* instrument id (< nby) -> book stream index + 1, 0 = none yet */
	int nby;
	struct store_writer_stats st;
};

static int
mkdirs(const char *path)
{
	char tmp[700], *p;

	snprintf(tmp, sizeof tmp, "%s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

static void
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static void
mark_set(struct ring_mark *m, int *n, uint64_t ring_id, uint64_t seq)
{
	int i;

	for (i = 0; i < *n; i++) {
		if (m[i].ring_id == ring_id) {
			if (seq > m[i].last_seq)
				m[i].last_seq = seq;
			return;
		}
	}
	if (*n == MAX_RINGS) {
		/* Forget the oldest ring: it was re-created long ago. */
		memmove(m, m + 1, (MAX_RINGS - 1) * sizeof *m);
		(*n)--;
	}
	m[*n].ring_id = ring_id;
	m[*n].last_seq = seq;
	(*n)++;
}

static uint64_t
mark_get(const struct ring_mark *m, int n, uint64_t ring_id)
{
	int i;

	for (i = 0; i < n; i++)
		if (m[i].ring_id == ring_id)
			return m[i].last_seq;
	return 0;
}

static int
idx_push(struct wstream *s, const struct store_idx_ent *e)
{
	if (s->n_idx == s->cap_idx) {
		uint32_t nc = s->cap_idx ? s->cap_idx * 2 : 256;
		void *p = realloc(s->idx, nc * sizeof *s->idx);
		if (!p)
			return -1;
		s->idx = p;
		s->cap_idx = nc;
	}
	s->idx[s->n_idx++] = *e;
	return 0;
}

static void
seg_fault_log(const struct store_fault *f, void *arg)
{
	struct store_writer *w = arg;

	if (!f->tail)
		w->st.bad_blocks_seen++;
	log_warn(f->tail ? "segment tail incomplete" : "segment block does not verify",
	    "path=%s off=%llu what=%s", log_q(f->path), (unsigned long long)f->off, log_q(f->what));
}

/*
 * Recover one segment (the newest of a stream): walk its blocks, learn the
 * ring marks, and cut a torn tail.  A block that fails verification in the
 * middle is kept (a reader reports it); only bytes after the last block that
 * verifies are cut, so an acknowledged block is never removed.
 */
/*
 * A segment its stream's manifest says was sealed, but that is now short,
 * unsealed or damaged: data was lost after it was durable.  Never cut or
 * continue it (that would hide the loss): log the records lost, write a
 * "lost" line that mpstore verify keeps reporting, and move the file aside.
 * Returns 1 when that happened, 0 when the segment agrees with the manifest
 * (or is not sealed per it), -1 on error.
 */
static int
sealed_but_damaged(struct store_writer *w, struct wstream *s, const char *path, const struct store_seg_info *info,
    char *err, size_t errlen)
{
	struct store_manifest m;
	const struct store_manifest_seg *e;
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char moved[760];
	uint64_t lost;
	int rc;

	if (store_manifest_load(s->dir, &m, err, errlen) < 0)
		return -1;
	e = store_manifest_find(&m, name);
	if (!store_manifest_check(e, info, &lost)) {
		store_manifest_free(&m);
		return 0;
	}
	w->st.lost_segments++;
	w->st.lost_records += lost;
	log_error("a sealed segment lost data; setting it aside (mpstore verify reports it)", "path=%s "
	    "records_sealed=%llu records_found=%llu records_lost=%llu bytes_sealed=%llu bytes_found=%llu", log_q(path),
	    (unsigned long long)e->records, (unsigned long long)info->n_records, (unsigned long long)lost,
	    (unsigned long long)e->bytes, (unsigned long long)info->size);
	/* "lost" stays reported; "reopened" frees the name for a fresh segment. */
	rc = store_manifest_lost(s->dir, name, lost, e->records, err, errlen);
	if (rc == 0)
		rc = store_manifest_reopened(s->dir, name, err, errlen);
	store_manifest_free(&m);
	if (rc < 0)
		return -1;
	snprintf(moved, sizeof moved, "%s.bad-%lld", path, (long long)now_ns());
	if (rename(path, moved) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 1;
}

static int
recover_segment(struct store_writer *w, struct wstream *s, const char *path, int keep_open,
    int *found_blocks, char *err, size_t errlen)
{
	struct store_seg seg;
	struct store_block_hdr bh;
	struct store_seg_info info;
	uint64_t off, end;
	int fd, rc;

	*found_blocks = 0;
	/* First against the manifest: a sealed segment is never cut or continued. */
	if (store_seg_scan(path, 0, &info, NULL, NULL, err, errlen) == 0 &&
	    (rc = sealed_but_damaged(w, s, path, &info, err, errlen)) != 0)
		return rc < 0 ? -1 : 1;
	if (store_seg_open(&seg, path, err, errlen) < 0)
		return -1;
	while (store_seg_next_block(&seg, &bh, &off, seg_fault_log, w) == 1) {
		struct store_idx_ent e = { off, bh.min_ns, bh.max_ns, bh.first_id, bh.last_id,
		    bh.n_records, bh.comp_len };
		(*found_blocks)++;
		if (bh.ring_id)
			mark_set(s->marks, &s->n_marks, bh.ring_id, bh.ring_last_seq);
		if (keep_open && idx_push(s, &e) < 0) {
			store_seg_close(&seg);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (bh.block_no + 1 > s->block_no)
			s->block_no = bh.block_no + 1;
	}
	end = seg.sealed ? seg.idx_off : seg.data_end;
	if (seg.tail || seg.sealed) {
		if (!keep_open && seg.sealed) {
			store_seg_close(&seg);
			return 0;
		}
		if (seg.sealed) {
			/* Continued within its hour: the index is cut off, so say first
			 * that this segment is open again (else it reads as lost data). */
			const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
			if (store_manifest_reopened(s->dir, name, err, errlen) < 0) {
				store_seg_close(&seg);
				return -1;
			}
		}
		if (seg.tail) {
			struct store_block_hdr th;
			const char *why;
			char recs[32] = "unknown";

			/* The torn block's header says how many records it held, when
			 * it was written whole; they were never acknowledged (no
			 * fsync), so the ring still has them and they are re-read. */
			if (seg.size - end >= sizeof th && pread(seg.fd, &th, sizeof th, (off_t)end) == (ssize_t)sizeof th &&
			    store_block_hdr_ok(&th, &why) == 0)
				snprintf(recs, sizeof recs, "%u", th.n_records);
			w->st.torn_tails++;
			w->st.torn_bytes += seg.size - end;
			log_warn("truncating the torn tail of the open segment (never acknowledged: the records are "
			    "read again from the ring)", "path=%s at=%llu bytes=%llu records=%s blocks_kept=%d",
			    log_q(path), (unsigned long long)end, (unsigned long long)(seg.size - end), recs, *found_blocks);
		}
	}
	store_seg_close(&seg);
	if (!keep_open && !seg.tail)
		return 0;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (ftruncate(fd, (off_t)end) < 0 || fdatasync(fd) < 0) {
		snprintf(err, errlen, "%s: cannot truncate: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (keep_open) {
		s->fd = fd;
		s->seg_end = end;
		s->max_codec = store_version_codec(seg.hdr.version);
	} else {
		close(fd);
	}
	return 0;
}

/* Find the stream's newest segment, recover it, remember its hour. */
static int
recover_stream(struct store_writer *w, struct wstream *s, char *err, size_t errlen)
{
	struct store_stream *v = NULL;
	int n, i, j, blocks, rc;

	s->old_hour = -1;
	n = store_streams(w->root, &v, err, errlen);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].exchange, s->exchange) || strcmp(v[i].symbol, s->symbol))
			continue;
		/* Walk back until a segment with blocks tells us the ring marks. */
		for (j = v[i].n_seg - 1; j >= 0; j--) {
			char path[1200];
			snprintf(path, sizeof path, "%s/%s", v[i].dir, v[i].seg[j]);
			/* The newest segment is the one to continue even if it is
			 * damaged: open_segment() then moves it aside, never over it. */
			if (j == v[i].n_seg - 1)
				s->old_hour = store_hour_parse(v[i].seg[j]);
			rc = recover_segment(w, s, path, 0, &blocks, err, errlen);
			if (rc < 0) {
				log_warn("cannot recover segment", "path=%s err=%s", log_q(path), log_q(err));
				continue;
			}
			if (rc == 1) {
				/* A damaged sealed segment, set aside: nothing to continue there. */
				if (j == v[i].n_seg - 1)
					s->old_hour = -1;
				continue;
			}
			if (blocks)
				break;
		}
		w->st.recovered_streams++;
	}
	store_streams_free(v, n);
	return 0;
}

static struct wstream *
stream_for(struct store_writer *w, const struct rec_hdr *h, int exch_hint, char *err, size_t errlen)
{
	const struct inst *in = NULL;
	int kind, exch, i;
	uint32_t inst = 0;
	struct wstream *s, *fr = NULL;

	if (h->type == REC_RAW) {
		kind = STORE_K_RAW;
		exch = (int)h->aux;
		if (h->inst && (in = store_reg_find(&w->reg, h->inst)))
			exch = in->exch;
		if (!venue_get(exch))
			exch = exch_hint;
		if (exch == EX_NONE)
			kind = STORE_K_SYS;
	} else if (h->inst && (in = store_reg_find(&w->reg, h->inst))) {
		kind = STORE_K_BOOK;
		exch = in->exch;
		inst = in->id;
	} else if (exch_hint != EX_NONE) {
		kind = STORE_K_RAW;
		exch = exch_hint;
	} else {
		kind = STORE_K_SYS;
		exch = EX_NONE;
	}
	if (kind == STORE_K_SYS)
		exch = EX_NONE;
	/* a book's stream by its id: this runs per record, over as many
	 * streams as books */
	if (kind == STORE_K_BOOK && inst < (uint32_t)w->nby && w->by_inst[inst])
		return &w->s[w->by_inst[inst] - 1];
	for (i = 0; i < w->ns; i++) {
		s = &w->s[i];
		if (!s->used) {
			if (!fr)
				fr = s;
			continue;
		}
		if (s->kind == kind && s->exch == exch && s->inst == inst)
			return s;
	}
	if (!fr) {
		snprintf(err, errlen, "too many streams");
		return NULL;
	}
	s = fr;
	memset(s, 0, sizeof *s);
	s->used = 1;
	s->kind = kind;
	s->exch = exch;
	s->inst = inst;
	s->fd = -1;
	s->seg_hour = -1;
	s->min_ns = s->max_ns = 0;
	s->first_id = s->last_id = -1;
	if (kind == STORE_K_SYS) {
		snprintf(s->exchange, sizeof s->exchange, "_sys");
		snprintf(s->symbol, sizeof s->symbol, "_sys");
	} else {
		snprintf(s->exchange, sizeof s->exchange, "%s", venue_get(exch) ? exch_name(exch) : "unknown");
		snprintf(s->symbol, sizeof s->symbol, "%s", kind == STORE_K_RAW ? "_raw" : in->symbol);
	}
	snprintf(s->dir, sizeof s->dir, "%s/%s/%s", w->root, s->exchange, s->symbol);
	if (recover_stream(w, s, err, errlen) < 0) {
		s->used = 0;
		return NULL;
	}
	if (kind == STORE_K_BOOK && inst < (uint32_t)w->nby)
		w->by_inst[inst] = (int)(s - w->s) + 1;
	return s;
}

static int
write_all(int fd, const struct iovec *iov, int n, uint64_t off)
{
	struct iovec v[4];
	size_t total = 0;
	int i;

	memcpy(v, iov, (size_t)n * sizeof *v);
	for (i = 0; i < n; i++)
		total += v[i].iov_len;
	while (total > 0) {
		ssize_t k = pwritev(fd, v, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		total -= (size_t)k;
		off += (uint64_t)k;
		while (n > 0 && (size_t)k >= v[0].iov_len) {
			k -= (ssize_t)v[0].iov_len;
			memmove(v, v + 1, (size_t)(n - 1) * sizeof *v);
			n--;
		}
		if (n > 0 && k > 0) {
			v[0].iov_base = (char *)v[0].iov_base + k;
			v[0].iov_len -= (size_t)k;
		}
	}
	return 0;
}

static int seal_segment(struct store_writer *w, struct wstream *s, char *err, size_t errlen);

/*
 * Create a segment file holding its header, durable, at `path`; the fd, or
 * -1 with err.  The header is written and fdatasync'd under a temporary name
 * ("<path>.new", which store_streams does not list) and only then linked in
 * place: a kill -9 between the create and the header's fdatasync leaves a
 * leftover temporary (truncated by the next attempt), never an empty or
 * half-written segment the restart would have to set aside as damaged.
 * link() rather than rename(): a segment already at `path` is never
 * replaced, it is moved aside (kept for mpstore to report).
 */
static int
create_segment_file(const char *path, const void *hdr, size_t hl, char *err, size_t errlen)
{
	char tmp[720], dir[720], *slash;
	struct iovec v = { (void *)hdr, hl };
	int fd, rc;

	snprintf(tmp, sizeof tmp, "%s.new", path);
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (write_all(fd, &v, 1, 0) < 0 || fdatasync(fd) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	rc = link(tmp, path);
	if (rc < 0 && errno == EEXIST) {
		/* Never write over a segment: keep whatever is there beside it. */
		char moved[760];
		snprintf(moved, sizeof moved, "%s.bad-%lld", path, (long long)now_ns());
		log_error("segment exists where a new one is due; moving it aside", "path=%s to=%s",
		    log_q(path), log_q(moved));
		rc = rename(path, moved) == 0 ? link(tmp, path) : -1;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	unlink(tmp);
	snprintf(dir, sizeof dir, "%s", path);
	if ((slash = strrchr(dir, '/')))
		*slash = 0;
	sync_dir(dir);
	return fd;
fail:
	close(fd);
	unlink(tmp);
	return -1;
}


/* Create the segment for `hour` (or reopen the stream's newest if it is that hour or later). */
static int
open_segment(struct store_writer *w, struct wstream *s, int64_t hour, char *err, size_t errlen)
{
	char name[32], path[700];
	struct store_seg_hdr *h;
	struct store_inst_disk *d;
	size_t hl;
	char *buf;
	int i, fd, blocks, rc;

	if (s->old_hour >= 0 && s->old_hour >= hour) {
		/* Continue the newest segment (a restart within its hour). */
		store_hour_name(s->old_hour, name, sizeof name);
		snprintf(path, sizeof path, "%s/%s.seg", s->dir, name);
		s->n_idx = 0;
		s->block_no = 0;
		rc = recover_segment(w, s, path, 1, &blocks, err, errlen);
		if (rc == 0) {
			s->seg_hour = s->old_hour;
			s->old_hour = -1;
			return 0;
		}
		if (rc == 1) {
			/* Sealed, then damaged: set aside; a fresh file takes its name. */
			hour = s->old_hour;
			s->old_hour = -1;
			goto create;
		}
		/* A newest segment we cannot even open is left for mpstore to
		 * report; start a fresh one beside it. */
		log_warn("cannot continue segment; starting a new file", "path=%s err=%s",
		    log_q(path), log_q(err));
		snprintf(path, sizeof path, "%s/%s.seg", s->dir, name);
		char moved[760];
		snprintf(moved, sizeof moved, "%s.bad-%lld", path, (long long)now_ns());
		if (rename(path, moved) < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		hour = s->old_hour;
		s->old_hour = -1;
	}
	if (s->old_hour >= 0) {
		/* The newest segment from before is over: seal it (index) so
		 * readers need not walk it.  seal_segment() names the manifest
		 * line after s->seg_hour, so it must be this segment's hour (it
		 * was -1 here once: a restart whose first record was of a later
		 * hour sealed "19700101T00.seg", which verify then called a
		 * sealed segment missing with all its records lost). */
		store_hour_name(s->old_hour, name, sizeof name);
		snprintf(path, sizeof path, "%s/%s.seg", s->dir, name);
		s->n_idx = 0;
		s->block_no = 0;
		if (recover_segment(w, s, path, 1, &blocks, err, errlen) == 0) {
			s->seg_hour = s->old_hour;
			if (seal_segment(w, s, err, errlen) < 0)
				return -1;
		}
		s->old_hour = -1;
	}
create:
	if (mkdirs(s->dir) < 0) {
		snprintf(err, errlen, "%s: %s", s->dir, strerror(errno));
		return -1;
	}
	store_hour_name(hour, name, sizeof name);
	snprintf(path, sizeof path, "%s/%s.seg", s->dir, name);
	hl = sizeof *h + (size_t)w->reg.n * sizeof *d;
	buf = calloc(1, hl);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	h = (struct store_seg_hdr *)buf;
	h->magic = STORE_SEG_MAGIC;
	h->version = store_codec_version(w->codec);
	h->hdr_len = (uint32_t)hl;
	h->schema_hash = rec_schema_hash();
	h->hour_ns = hour;
	h->created_ns = now_ns();
	h->kind = (uint8_t)s->kind;
	h->exch = (uint8_t)s->exch;
	h->n_inst = (uint16_t)w->reg.n;
	h->stream_inst = s->inst;
	snprintf(h->exchange, sizeof h->exchange, "%s", s->exchange);
	snprintf(h->symbol, sizeof h->symbol, "%s", s->symbol);
	d = (struct store_inst_disk *)(buf + sizeof *h);
	for (i = 0; i < w->reg.n; i++)
		store_inst_to_disk(&w->reg.v[i], &d[i]);
	h->hdr_crc = store_crc32c(0, buf, hl);
	fd = create_segment_file(path, buf, hl, err, errlen);
	if (fd < 0) {
		free(buf);
		return -1;
	}
	free(buf);
	s->fd = fd;
	s->seg_hour = hour;
	s->seg_end = hl;
	s->max_codec = store_version_codec(store_codec_version(w->codec));
	s->block_no = 0;
	s->n_idx = 0;
	w->st.segments++;
	return 0;
}

/* Append the pending block to the open segment (not synced yet). */
#define SMALL_BLOCK (64u << 10)

/* The pending block of s in codec (the plain codec if a record does not fit
 * the columns) into w->cbuf[slot]: *clen bytes, *used the codec it got. */
static int
compress_as(struct store_writer *w, struct wstream *s, int codec, int slot, size_t *clen, int *used,
    char *err, size_t errlen)
{
	size_t bound, cols_len = 0, src_len, n;
	void *cols = NULL;
	const void *src;

	if (store_codec_encode(codec, s->buf, s->len, s->n, &cols, &cols_len) < 0) {
		codec = STORE_CODEC_ZSTD;
		cols = NULL;
	}
	src = cols ? cols : s->buf;
	src_len = cols ? cols_len : s->len;
	bound = ZSTD_compressBound(src_len);
	if (w->ccap[slot] < bound) {
		void *p = realloc(w->cbuf[slot], bound);
		if (!p) {
			free(cols);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		w->cbuf[slot] = p;
		w->ccap[slot] = bound;
	}
	n = ZSTD_compressCCtx(w->cctx, w->cbuf[slot], w->ccap[slot], src, src_len, w->level);
	free(cols);
	if (ZSTD_isError(n)) {
		snprintf(err, errlen, "zstd: %s", ZSTD_getErrorName(n));
		return -1;
	}
	*clen = n;
	*used = codec;
	return 0;
}

static int
write_block(struct store_writer *w, struct wstream *s, int64_t now, char *err, size_t errlen)
{
	struct store_block_hdr bh;
	struct store_idx_ent e;
	struct iovec v[2];
	size_t clen, off;
	void *cbuf;
	int codec;

	if (!s->n)
		return 0;
	/* Stamp the store stage in every record: the time the block is sealed. */
	for (off = 0; off < s->len;) {
		struct rec_hdr *h = (struct rec_hdr *)(s->buf + off);
		h->stage_ns[STAGE_STORE] = now;
		off += h->len;
	}
	codec = w->codec < s->max_codec ? w->codec : s->max_codec;
	if (compress_as(w, s, codec, w->cbuf_slot, &clen, &codec, err, errlen) < 0)
		return -1;
	/* Codec 4's models start afresh in every block and need some records to
	 * learn: below SMALL_BLOCK bytes codec 3 is often smaller (10 deltas a
	 * block: 7 % smaller, bench_store 10), so a small block is coded both
	 * ways and the smaller kept (small blocks are cheap to code twice). */
	if (codec >= STORE_CODEC_AC && s->len < SMALL_BLOCK) {
		size_t clen3;
		int codec3;
		if (compress_as(w, s, STORE_CODEC_COLS2, !w->cbuf_slot, &clen3, &codec3, err, errlen) < 0)
			return -1;
		if (clen3 < clen) {
			w->cbuf_slot = !w->cbuf_slot;
			clen = clen3;
			codec = codec3;
		}
	}
	cbuf = w->cbuf[w->cbuf_slot];
	memset(&bh, 0, sizeof bh);
	bh.magic = STORE_BLOCK_MAGIC;
	bh.hdr_len = sizeof bh;
	bh.codec = (uint8_t)codec;
	bh.schema_hash = rec_schema_hash();
	bh.n_records = s->n;
	bh.raw_len = (uint32_t)s->len;
	bh.comp_len = (uint32_t)clen;
	bh.data_crc = store_crc32c(0, cbuf, clen);
	bh.min_ns = s->min_ns;
	bh.max_ns = s->max_ns;
	bh.first_id = s->first_id;
	bh.last_id = s->last_id;
	bh.ring_id = s->ring_id;
	bh.ring_first_seq = s->first_seq;
	bh.ring_last_seq = s->last_seq;
	bh.written_ns = now;
	memcpy(bh.count, s->count, sizeof bh.count);
	bh.block_no = s->block_no;
	bh.hdr_crc = store_crc32c(0, &bh, sizeof bh);
	v[0].iov_base = &bh;
	v[0].iov_len = sizeof bh;
	v[1].iov_base = cbuf;
	v[1].iov_len = clen;
	if (write_all(s->fd, v, 2, s->seg_end) < 0) {
		snprintf(err, errlen, "%s/%s: write: %s", s->exchange, s->symbol, strerror(errno));
		/* Cut back whatever part of the block landed. */
		if (ftruncate(s->fd, (off_t)s->seg_end) < 0)
			log_error("cannot cut back a failed write", "stream=%s/%s err=%s",
			    s->exchange, s->symbol, log_q(strerror(errno)));
		return -1;
	}
	e.off = s->seg_end;
	e.min_ns = bh.min_ns;
	e.max_ns = bh.max_ns;
	e.first_id = bh.first_id;
	e.last_id = bh.last_id;
	e.n_records = bh.n_records;
	e.comp_len = bh.comp_len;
	if (idx_push(s, &e) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->seg_end += sizeof bh + clen;
	s->block_no++;
	s->dirty = 1;
	if (s->ring_id)
		mark_set(s->unsynced, &s->n_unsynced, s->ring_id, s->last_seq);
	w->st.blocks++;
	w->st.bytes_raw += s->len;
	w->st.bytes_comp += sizeof bh + clen;
	/* The block is in the file: start an empty one. */
	s->len = 0;
	s->n = 0;
	memset(s->count, 0, sizeof s->count);
	s->min_ns = s->max_ns = 0;
	s->first_id = s->last_id = -1;
	s->ring_id = s->first_seq = s->last_seq = 0;
	return 0;
}

static int
sync_stream(struct store_writer *w, struct wstream *s, char *err, size_t errlen)
{
	int i;

	if (!s->dirty)
		return 0;
	if (fdatasync(s->fd) < 0) {
		snprintf(err, errlen, "%s/%s: fdatasync: %s", s->exchange, s->symbol, strerror(errno));
		return -1;
	}
	s->dirty = 0;
	w->st.syncs++;
	for (i = 0; i < s->n_unsynced; i++)
		mark_set(s->marks, &s->n_marks, s->unsynced[i].ring_id, s->unsynced[i].last_seq);
	s->n_unsynced = 0;
	return 0;
}

/* Write the index and close the segment. */
static int
seal_segment(struct store_writer *w, struct wstream *s, char *err, size_t errlen)
{
	struct store_idx_hdr ih;
	struct store_idx_tail t;
	struct iovec v[3];
	size_t bytes = (size_t)s->n_idx * sizeof *s->idx;

	if (s->fd < 0)
		return 0;
	if (s->seg_hour < 0) {
		/* The manifest line would name another file than this one. */
		snprintf(err, errlen, "%s/%s: sealing a segment whose hour is unknown", s->exchange, s->symbol);
		return -1;
	}
	if (sync_stream(w, s, err, errlen) < 0)
		return -1;
	memset(&ih, 0, sizeof ih);
	ih.magic = STORE_IDX_MAGIC;
	ih.n = s->n_idx;
	ih.crc = store_crc32c(0, s->idx, bytes);
	memset(&t, 0, sizeof t);
	t.idx_off = s->seg_end;
	t.n = s->n_idx;
	t.crc = store_crc32c(0, &t, 12);
	t.magic = STORE_END_MAGIC;
	v[0].iov_base = &ih;
	v[0].iov_len = sizeof ih;
	v[1].iov_base = s->idx;
	v[1].iov_len = bytes;
	v[2].iov_base = &t;
	v[2].iov_len = sizeof t;
	if (write_all(s->fd, v, 3, s->seg_end) < 0 || fdatasync(s->fd) < 0) {
		snprintf(err, errlen, "%s/%s: cannot write the index: %s", s->exchange, s->symbol,
		    strerror(errno));
		return -1;
	}
	/* After the index is durable: from now on a reader knows this segment's
	 * size and records even if its end is cut off (store.h "Manifest"). */
	{
		char name[40];
		uint64_t records = 0;
		uint32_t i;

		for (i = 0; i < s->n_idx; i++)
			records += s->idx[i].n_records;
		store_hour_name(s->seg_hour, name, sizeof name - 4);
		strcat(name, ".seg");
		if (store_manifest_sealed(s->dir, name, s->seg_end + sizeof ih + bytes + sizeof t, s->n_idx, records,
		    err, errlen) < 0)
			return -1;
	}
	close(s->fd);
	s->fd = -1;
	s->n_idx = 0;
	s->seg_hour = -1;
	return 0;
}

/* w->reg becomes a copy of reg, and the stream table grows to match (new
 * streams zeroed; existing ones keep their place). */
static int
take_reg(struct store_writer *w, const struct inst_registry *reg, char *err, size_t errlen)
{
	struct inst_registry nr;
	int ns = reg->n + STREAMS_EXTRA;

	if (inst_reg_copy(&nr, reg) < 0)
		return snprintf(err, errlen, "out of memory for %d instruments", reg->n), -1;
	if (ns > w->ns) {
		struct wstream *s = realloc(w->s, (size_t)ns * sizeof *s);

		if (!s) {
			inst_reg_free(&nr);
			return snprintf(err, errlen, "out of memory for %d streams", ns), -1;
		}
		memset(s + w->ns, 0, (size_t)(ns - w->ns) * sizeof *s);
		w->s = s;
		w->ns = ns;
	}
	if (reg->n + 1 > w->nby) {
		int *bi = realloc(w->by_inst, ((size_t)reg->n + 1) * sizeof *bi);

		if (!bi) {
			inst_reg_free(&nr);
			return snprintf(err, errlen, "out of memory for %d streams", ns), -1;
		}
		memset(bi + w->nby, 0, (size_t)(reg->n + 1 - w->nby) * sizeof *bi);
		w->by_inst = bi;
		w->nby = reg->n + 1;
	}
	inst_reg_free(&w->reg);
	w->reg = nr;
	return 0;
}

int
store_writer_set_reg(struct store_writer *w, const struct inst_registry *reg, char *err, size_t errlen)
{
	return take_reg(w, reg, err, errlen);
}

struct store_writer *
store_writer_open(const struct store_writer_opts *o, char *err, size_t errlen)
{
	struct store_writer *w = calloc(1, sizeof *w);
	struct store_stream *v = NULL;
	int n, i;

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(w->root, sizeof w->root, "%s", o->root);
	if (take_reg(w, o->reg, err, errlen) < 0) {
		free(w);
		return NULL;
	}
	w->level = o->zstd_level ? o->zstd_level : 3;
	w->codec = o->codec ? o->codec : STORE_CODEC_AC2;
	if (w->codec < STORE_CODEC_ZSTD || w->codec > STORE_CODEC_MAX) {
		snprintf(err, errlen, "unknown store codec %d", o->codec);
		inst_reg_free(&w->reg);
		free(w->s);
		free(w->by_inst);
		free(w);
		return NULL;
	}
	w->block_max = o->block_max ? o->block_max : (4u << 20);
	w->cctx = ZSTD_createCCtx();
	if (!w->cctx || mkdirs(w->root) < 0) {
		snprintf(err, errlen, "%s: %s", w->root, w->cctx ? strerror(errno) : "zstd context");
		ZSTD_freeCCtx(w->cctx);
		inst_reg_free(&w->reg);
		free(w->s);
		free(w->by_inst);
		free(w);
		return NULL;
	}
	/* Recover every stream now (not lazily), so a torn tail is reported at
	 * start and the ring marks are known before the first record. */
	n = store_streams(w->root, &v, err, errlen);
	if (n < 0) {
		ZSTD_freeCCtx(w->cctx);
		inst_reg_free(&w->reg);
		free(w->s);
		free(w->by_inst);
		free(w);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		struct rec_hdr fake;
		int exch = exch_parse(v[i].exchange);
		const struct inst *in = NULL;
		int j;

		memset(&fake, 0, sizeof fake);
		if (v[i].kind == STORE_K_BOOK) {
			for (j = 0; j < w->reg.n; j++)
				if (w->reg.v[j].exch == exch && !strcmp(w->reg.v[j].symbol, v[i].symbol))
					in = &w->reg.v[j];
			if (!in)
				continue;   /* an instrument no longer configured: leave it */
			fake.type = REC_DELTA;
			fake.inst = in->id;
		} else {
			fake.type = REC_EVENT;
		}
		if (!stream_for(w, &fake, v[i].kind == STORE_K_SYS ? EX_NONE : exch, err, errlen)) {
			store_streams_free(v, n);
			store_writer_close(w, NULL, 0);
			return NULL;
		}
	}
	store_streams_free(v, n);
	return w;
}

int
store_writer_add(struct store_writer *w, uint64_t ring_id, uint64_t seq, int exch_hint,
    const void *rec, uint32_t len, char *err, size_t errlen)
{
	const struct rec_hdr *h = rec;
	struct wstream *s;
	int64_t t = store_rec_time(h), hour;

	s = stream_for(w, h, exch_hint, err, errlen);
	if (!s)
		return STORE_W_ERR;
	if (ring_id && seq && seq <= mark_get(s->marks, s->n_marks, ring_id)) {
		w->st.dups++;
		return STORE_W_DUP;
	}
	if (t <= 0)
		t = now_ns();
	hour = store_hour_start(t);
	if (s->fd >= 0 && hour > s->seg_hour) {
		/* A new hour: finish the old segment first (its last block durable). */
		if (write_block(w, s, now_ns(), err, errlen) < 0 || seal_segment(w, s, err, errlen) < 0)
			return STORE_W_ERR;
	}
	if (s->fd < 0 && open_segment(w, s, hour, err, errlen) < 0)
		return STORE_W_ERR;
	/* One ring per block, so the block's seq range means one thing. */
	if (s->n && s->ring_id != ring_id && write_block(w, s, now_ns(), err, errlen) < 0)
		return STORE_W_ERR;
	if (s->len + len > s->cap) {
		size_t nc = s->cap ? s->cap : 65536;
		void *p;
		while (nc < s->len + len)
			nc *= 2;
		p = realloc(s->buf, nc);
		if (!p) {
			snprintf(err, errlen, "out of memory");
			return STORE_W_ERR;
		}
		s->buf = p;
		s->cap = nc;
	}
	memcpy(s->buf + s->len, rec, len);
	s->len += len;
	if (!s->n) {
		s->ring_id = ring_id;
		s->first_seq = seq;
		s->min_ns = s->max_ns = t;
	}
	s->n++;
	s->last_seq = seq;
	if (t < s->min_ns)
		s->min_ns = t;
	if (t > s->max_ns)
		s->max_ns = t;
	if (h->type <= REC_TYPE_MAX)
		s->count[h->type]++;
	if (h->type == REC_DELTA || h->type == REC_SNAPSHOT) {
		if (s->first_id < 0)
			s->first_id = h->last_id;
		s->last_id = h->last_id;
	}
	w->st.records++;
	if (s->len >= w->block_max && write_block(w, s, now_ns(), err, errlen) < 0)
		return STORE_W_ERR;
	return STORE_W_OK;
}

int
store_writer_commit(struct store_writer *w, char *err, size_t errlen)
{
	int64_t now = now_ns();
	int i, rc = 0;

	for (i = 0; i < w->ns; i++) {
		struct wstream *s = &w->s[i];
		if (!s->used || s->fd < 0)
			continue;
		if (write_block(w, s, now, err, errlen) < 0)
			rc = -1;
	}
	for (i = 0; i < w->ns; i++) {
		struct wstream *s = &w->s[i];
		if (!s->used || s->fd < 0)
			continue;
		if (sync_stream(w, s, err, errlen) < 0)
			rc = -1;
	}
	if (rc == 0) {
		w->st.commits++;
		w->st.last_commit_ns = now;
	}
	return rc;
}

size_t
store_writer_pending(const struct store_writer *w)
{
	size_t n = 0;
	int i;

	for (i = 0; i < w->ns; i++)
		if (w->s[i].used)
			n += w->s[i].len;
	return n;
}

void
store_writer_stats(const struct store_writer *w, struct store_writer_stats *st)
{
	*st = w->st;
}

uint64_t
store_writer_last_seq(const struct store_writer *w, uint64_t ring_id)
{
	uint64_t m = 0, v;
	int i;

	for (i = 0; i < w->ns; i++) {
		if (!w->s[i].used)
			continue;
		v = mark_get(w->s[i].marks, w->s[i].n_marks, ring_id);
		if (v > m)
			m = v;
	}
	return m;
}

int
store_writer_close(struct store_writer *w, char *err, size_t errlen)
{
	char e2[256];
	int i, rc = 0;

	if (!w)
		return 0;
	if (!err) {
		err = e2;
		errlen = sizeof e2;
	}
	if (store_writer_commit(w, err, errlen) < 0)
		rc = -1;
	for (i = 0; i < w->ns; i++) {
		struct wstream *s = &w->s[i];
		if (!s->used)
			continue;
		if (rc == 0 && seal_segment(w, s, err, errlen) < 0)
			rc = -1;
		if (s->fd >= 0)
			close(s->fd);
		free(s->buf);
		free(s->idx);
	}
	ZSTD_freeCCtx(w->cctx);
	free(w->cbuf[0]);
	free(w->cbuf[1]);
	inst_reg_free(&w->reg);
	free(w->s);
	free(w->by_inst);
	free(w);
	return rc;
}
