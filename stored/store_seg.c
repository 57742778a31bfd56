/* store_seg.c - open a segment, walk and read its blocks (see store_seg.h). */
#include "store_seg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

static int
pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

const struct inst *
store_reg_find(const struct inst_registry *reg, uint32_t id)
{
	int i;

	/* ids are positions (inst.h), so this is the answer; any other
	 * table a segment may hold is searched */
	if (id >= 1 && id <= (uint32_t)reg->n && reg->v[id - 1].id == id)
		return &reg->v[id - 1];
	for (i = 0; i < reg->n; i++)
		if (reg->v[i].id == id)
			return &reg->v[i];
	return NULL;
}

static void
fault(store_fault_fn fn, void *arg, const char *path, uint64_t off, uint32_t blk,
    const char *what, int tail)
{
	struct store_fault f = { path, off, blk, what, tail };

	if (fn)
		fn(&f, arg);
}

/* Load the index when the file ends with a valid tail; any doubt = unsealed. */
static void
load_index(struct store_seg *s)
{
	struct store_idx_tail t;
	struct store_idx_hdr ih;
	size_t bytes;

	if (s->size < s->hdr.hdr_len + sizeof ih + sizeof t)
		return;
	if (pread_full(s->fd, &t, sizeof t, s->size - sizeof t) < 0 || t.magic != STORE_END_MAGIC)
		return;
	if (store_crc32c(0, &t, 12) != t.crc || t.idx_off < s->hdr.hdr_len)
		return;
	bytes = (size_t)t.n * sizeof(struct store_idx_ent);
	if (t.idx_off + sizeof ih + bytes + sizeof t != s->size)
		return;
	if (pread_full(s->fd, &ih, sizeof ih, t.idx_off) < 0 || ih.magic != STORE_IDX_MAGIC || ih.n != t.n)
		return;
	s->idx = malloc(bytes ? bytes : 1);
	if (!s->idx)
		return;
	if (pread_full(s->fd, s->idx, bytes, t.idx_off + sizeof ih) < 0 ||
	    store_crc32c(0, s->idx, bytes) != ih.crc) {
		free(s->idx);
		s->idx = NULL;
		return;
	}
	s->n_idx = t.n;
	s->idx_off = t.idx_off;
	s->sealed = 1;
}

int
store_seg_open(struct store_seg *s, const char *path, char *err, size_t errlen)
{
	struct store_inst_disk *d;
	struct stat st;
	char *buf = NULL;
	uint32_t crc;
	int i;

	memset(s, 0, sizeof *s);
	snprintf(s->path, sizeof s->path, "%s", path);
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(s->fd, &st) < 0 || pread_full(s->fd, &s->hdr, sizeof s->hdr, 0) < 0) {
		snprintf(err, errlen, "%s: cannot read the segment header", path);
		goto fail;
	}
	s->size = (uint64_t)st.st_size;
	if (s->hdr.magic != STORE_SEG_MAGIC) {
		snprintf(err, errlen, "%s: not a store segment (bad magic)", path);
		goto fail;
	}
	if (s->hdr.version < STORE_VERSION_MIN || s->hdr.version > STORE_VERSION) {
		snprintf(err, errlen, "%s: segment version %u, this build reads versions %u to %u", path,
		    s->hdr.version, STORE_VERSION_MIN, STORE_VERSION);
		goto fail;
	}
	if (s->hdr.hdr_len < sizeof s->hdr || s->hdr.hdr_len > STORE_SEG_HDR_MAX ||
	    s->hdr.hdr_len != sizeof s->hdr + s->hdr.n_inst * sizeof(struct store_inst_disk) ||
	    s->hdr.hdr_len > s->size) {
		snprintf(err, errlen, "%s: bad segment header length", path);
		goto fail;
	}
	buf = malloc(s->hdr.hdr_len);
	if (!buf || pread_full(s->fd, buf, s->hdr.hdr_len, 0) < 0) {
		snprintf(err, errlen, "%s: cannot read the segment header", path);
		goto fail;
	}
	crc = s->hdr.hdr_crc;
	((struct store_seg_hdr *)buf)->hdr_crc = 0;
	if (store_crc32c(0, buf, s->hdr.hdr_len) != crc) {
		snprintf(err, errlen, "%s: segment header crc mismatch", path);
		goto fail;
	}
	if (s->hdr.schema_hash != rec_schema_hash()) {
		snprintf(err, errlen, "%s: record schema %016llx, this build uses %016llx", path,
		    (unsigned long long)s->hdr.schema_hash, (unsigned long long)rec_schema_hash());
		goto fail;
	}
	s->hdr.exchange[sizeof s->hdr.exchange - 1] = 0;
	s->hdr.symbol[sizeof s->hdr.symbol - 1] = 0;
	d = (struct store_inst_disk *)(buf + sizeof s->hdr);
	inst_reg_init(&s->reg, INST_LIMIT);
	if (s->hdr.n_inst && !(s->reg.v = malloc(s->hdr.n_inst * sizeof *s->reg.v))) {
		snprintf(err, errlen, "%s: out of memory for %u instruments", path, (unsigned)s->hdr.n_inst);
		goto fail;
	}
	for (i = 0; i < s->hdr.n_inst; i++)
		store_inst_from_disk(&d[i], &s->reg.v[i]);
	s->reg.n = s->reg.cap = s->hdr.n_inst;
	free(buf);
	s->off = s->hdr.hdr_len;
	s->data_end = s->hdr.hdr_len;
	load_index(s);
	return 0;
fail:
	free(buf);
	close(s->fd);
	s->fd = -1;
	inst_reg_free(&s->reg);
	return -1;
}

int
store_seg_refresh(struct store_seg *s)
{
	struct stat st;

	if (s->sealed)
		return 0;
	if (fstat(s->fd, &st) < 0)
		return -1;
	if ((uint64_t)st.st_size != s->size) {
		s->size = (uint64_t)st.st_size;
		s->tail = 0;
		/* The writer seals a segment when its hour is over. */
		load_index(s);
		if (s->sealed) {
			/* Continue after the blocks already walked. */
			while (s->idx_pos < s->n_idx && s->idx[s->idx_pos].off < s->off)
				s->idx_pos++;
		}
		return 1;
	}
	return 0;
}

void
store_seg_close(struct store_seg *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->idx);
	s->idx = NULL;
	inst_reg_free(&s->reg);
}

int
store_block_hdr_ok(const struct store_block_hdr *bh, const char **why)
{
	struct store_block_hdr c;

	if (bh->magic != STORE_BLOCK_MAGIC)
		return *why = "bad block magic", -1;
	c = *bh;
	c.hdr_crc = 0;
	if (store_crc32c(0, &c, sizeof c) != bh->hdr_crc)
		return *why = "block header crc mismatch", -1;
	if (bh->hdr_len != sizeof *bh)
		return *why = "bad block header length", -1;
	if (bh->codec < STORE_CODEC_ZSTD || bh->codec > STORE_CODEC_MAX)
		return *why = "unknown block codec", -1;
	if (bh->raw_len > STORE_MAX_RAW || bh->comp_len > STORE_MAX_RAW)
		return *why = "block larger than the limit", -1;
	if (bh->schema_hash != rec_schema_hash())
		return *why = "block of another record schema", -1;
	return 0;
}

/* Search forward from `from` for a header that verifies (after a corrupted
 * one).  Returns its offset, or 0 if there is none. */
static uint64_t
resync(struct store_seg *s, uint64_t from)
{
	enum { CH = 1 << 16 };
	unsigned char *buf = malloc(CH + sizeof(struct store_block_hdr));
	uint64_t off = from, found = 0;
	const uint32_t magic = STORE_BLOCK_MAGIC;
	const char *why;

	if (!buf)
		return 0;
	while (off + sizeof(struct store_block_hdr) <= s->size && !found) {
		size_t want = CH + sizeof(struct store_block_hdr), i;
		if (off + want > s->size)
			want = (size_t)(s->size - off);
		if (pread_full(s->fd, buf, want, off) < 0)
			break;
		for (i = 0; i + sizeof(struct store_block_hdr) <= want; i++) {
			struct store_block_hdr bh;
			if (memcmp(buf + i, &magic, 4) != 0)
				continue;
			memcpy(&bh, buf + i, sizeof bh);
			if (store_block_hdr_ok(&bh, &why) == 0 &&
			    off + i + sizeof bh + bh.comp_len <= s->size) {
				found = off + i;
				break;
			}
		}
		off += CH;
	}
	free(buf);
	return found;
}

int
store_seg_next_block(struct store_seg *s, struct store_block_hdr *bh, uint64_t *off,
    store_fault_fn fn, void *arg)
{
	const char *why;

	if (s->sealed) {
		while (s->idx_pos < s->n_idx) {
			const struct store_idx_ent *e = &s->idx[s->idx_pos++];
			if (e->off + sizeof *bh > s->idx_off ||
			    pread_full(s->fd, bh, sizeof *bh, e->off) < 0) {
				fault(fn, arg, s->path, e->off, s->idx_pos - 1, "index points outside the data", 0);
				continue;
			}
			if (store_block_hdr_ok(bh, &why) < 0) {
				fault(fn, arg, s->path, e->off, s->idx_pos - 1, why, 0);
				continue;
			}
			if (bh->comp_len != e->comp_len || e->off + sizeof *bh + bh->comp_len > s->idx_off) {
				fault(fn, arg, s->path, e->off, bh->block_no, "block disagrees with the index", 0);
				continue;
			}
			*off = e->off;
			s->data_end = e->off + sizeof *bh + bh->comp_len;
			return 1;
		}
		return 0;
	}
	for (;;) {
		uint32_t magic;
		uint64_t at = s->off, next;

		if (at >= s->size)
			return 0;
		if (at + sizeof *bh > s->size) {
			if (at + 4 <= s->size && pread_full(s->fd, &magic, 4, at) == 0 &&
			    magic == STORE_IDX_MAGIC)
				return 0;
			s->tail = 1;
			fault(fn, arg, s->path, at, UINT32_MAX, "incomplete block header at the end", 1);
			return 0;
		}
		if (pread_full(s->fd, bh, sizeof *bh, at) < 0)
			return 0;
		if (bh->magic == STORE_IDX_MAGIC) {
			/* An index whose tail did not verify: a seal cut short. */
			s->tail = 1;
			fault(fn, arg, s->path, at, UINT32_MAX, "incomplete index at the end", 1);
			return 0;
		}
		if (store_block_hdr_ok(bh, &why) == 0 && at + sizeof *bh + bh->comp_len <= s->size) {
			s->off = at + sizeof *bh + bh->comp_len;
			s->data_end = s->off;
			*off = at;
			return 1;
		}
		next = resync(s, at + 1);
		if (!next && bh->magic == STORE_BLOCK_MAGIC && bh->comp_len <= STORE_MAX_RAW &&
		    at + sizeof *bh + bh->comp_len == s->size) {
			/* A whole block whose header does not verify: damage, not a
			 * torn write (that leaves fewer bytes).  Keep it. */
			fault(fn, arg, s->path, at, UINT32_MAX, why, 0);
			s->off = s->data_end = s->size;
			return 0;
		}
		if (!next) {
			/* s->off stays: a follower retries once the writer
			 * has finished this block (store_seg_refresh). */
			s->tail = 1;
			fault(fn, arg, s->path, at, UINT32_MAX,
			    store_block_hdr_ok(bh, &why) == 0 ? "block cut short at the end" : why, 1);
			return 0;
		}
		fault(fn, arg, s->path, at, UINT32_MAX, why ? why : "bad block header", 0);
		s->off = next;
	}
}

static int
grow(void **buf, size_t *cap, size_t want)
{
	void *p;

	if (*cap >= want)
		return 0;
	p = realloc(*buf, want);
	if (!p)
		return -1;
	*buf = p;
	*cap = want;
	return 0;
}

int
store_block_read(struct store_seg *s, const struct store_block_hdr *bh, uint64_t off,
    void **buf, size_t *cap, void **cbuf, size_t *ccap, const char **why)
{
	size_t n;

	if (grow(cbuf, ccap, bh->comp_len + 1) < 0 || grow(buf, cap, bh->raw_len + 1) < 0)
		return *why = "out of memory", -1;
	if (pread_full(s->fd, *cbuf, bh->comp_len, off + sizeof *bh) < 0)
		return *why = "cannot read block data", -1;
	if (store_crc32c(0, *cbuf, bh->comp_len) != bh->data_crc)
		return *why = "block data crc mismatch", -1;
	if (bh->codec >= STORE_CODEC_COLS && bh->codec <= STORE_CODEC_MAX) {
		unsigned long long cl = ZSTD_getFrameContentSize(*cbuf, bh->comp_len);
		void *cols;
		int rc;
		/* Columns are never much larger than the records they hold. */
		if (cl == ZSTD_CONTENTSIZE_UNKNOWN || cl == ZSTD_CONTENTSIZE_ERROR ||
		    cl > (unsigned long long)bh->raw_len * 2 + 4096)
			return *why = "block does not decompress", -1;
		cols = malloc(cl ? cl : 1);
		if (!cols)
			return *why = "out of memory", -1;
		n = ZSTD_decompress(cols, cl, *cbuf, bh->comp_len);
		if (ZSTD_isError(n) || n != cl) {
			free(cols);
			return *why = "block does not decompress", -1;
		}
		rc = store_codec_decode(bh->codec, cols, n, *buf, bh->raw_len, bh->n_records, why);
		free(cols);
		return rc;
	}
	n = ZSTD_decompress(*buf, bh->raw_len, *cbuf, bh->comp_len);
	if (ZSTD_isError(n))
		return *why = "block does not decompress", -1;
	if (n != bh->raw_len)
		return *why = "block decompresses to the wrong length", -1;
	return 0;
}

int
store_block_records_ok(const void *buf, size_t len, uint32_t n_records, uint32_t *bad,
    char *err, size_t errlen)
{
	const char *p = buf;
	size_t off = 0;
	uint32_t i;

	for (i = 0; i < n_records; i++) {
		struct rec_hdr h;
		if (len - off < sizeof h) {
			*bad = i;
			snprintf(err, errlen, "record %u: block ends inside it", i);
			return -1;
		}
		memcpy(&h, p + off, sizeof h);
		if (h.len < sizeof h || h.len > len - off || h.len % 8) {
			*bad = i;
			snprintf(err, errlen, "record %u: bad length %u", i, h.len);
			return -1;
		}
		if (rec_check(p + off, h.len, err, errlen) < 0) {
			*bad = i;
			return -1;
		}
		off += h.len;
	}
	if (off != len) {
		*bad = n_records;
		snprintf(err, errlen, "%zu bytes after the last record", len - off);
		return -1;
	}
	return 0;
}
