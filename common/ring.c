/*
 * ring.c - creating, attaching, validating and recovering rings (see ring.h);
 * the data path is in ring_io.c, sleeping and waking in ring_wait.c.
 *
 * Everything read from the shared file is untrusted: the header is read with
 * pread into a private copy, validated field by field, and only the copy is
 * used afterwards (capacity, mask, max_record), so a process that scribbles
 * over the header later cannot make us read outside the mapping.
 */
#include "ring_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "log.h"

static int
is_pow2(uint64_t v)
{
	return v && (v & (v - 1)) == 0;
}

static uint64_t
record_limit(uint64_t capacity)
{
	return capacity / 4 < RING_MAX_RECORD ? capacity / 4 : RING_MAX_RECORD;
}

static uint64_t
eff_max_record(const struct ring_opts *o)
{
	return o->max_record ? o->max_record : record_limit(o->capacity);
}

int
ring_path(char *buf, size_t cap, const char *prefix, const char *name)
{
	char dir[256];
	int n;

	if (!prefix || !name || !*prefix || !*name || strchr(prefix, '/') || strchr(name, '/') ||
	    strcmp(prefix, "..") == 0 || strcmp(name, "..") == 0 || strcmp(prefix, ".") == 0 ||
	    strcmp(name, ".") == 0) {
		errno = EINVAL;
		return RING_ESYS;
	}
	n = snprintf(dir, sizeof dir, "/dev/shm/%s", prefix);
	if (n < 0 || (size_t)n >= sizeof dir) {
		errno = ENAMETOOLONG;
		return RING_ESYS;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return RING_ESYS;
	n = snprintf(buf, cap, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= cap) {
		errno = ENAMETOOLONG;
		return RING_ESYS;
	}
	return RING_OK;
}

int
ring_unlink(const char *path)
{
	if (unlink(path) != 0)
		return errno == ENOENT ? RING_ENOENT : RING_ESYS;
	return RING_OK;
}

const char *
ring_strerror(int err)
{
	switch (err) {
	case RING_OK: return "ok";
	case RING_EAGAIN: return "ring full (timed out waiting for room)";
	case RING_EDROPPED: return "ring full (record dropped)";
	case RING_ETOOBIG: return "record larger than the ring's max_record";
	case RING_ENOENT: return "no such ring";
	case RING_EBADHDR: return "not a ring of this layout/schema/size";
	case RING_ESYS: return "system call failed";
	case RING_ECORRUPT: return "corrupt frame";
	case RING_EBUSY: return "role held by another live process";
	default: return "unknown ring error";
	}
}

const char *
ring_name(const struct ring *r)
{
	return r->name;
}

const char *
ring_errmsg(const struct ring *r)
{
	return r->errmsg;
}

static void
basename_of(const char *path, char *out, size_t cap)
{
	const char *s = strrchr(path, '/');

	snprintf(out, cap, "%s", s ? s + 1 : path);
}

/* Build a fresh ring in a temporary file and link it into place, so no reader
 * ever sees a half-initialised file; EEXIST means another process won. */
static int
create_file(const char *path, const struct ring_opts *o, char *err, size_t errlen)
{
	char tmp[300];
	struct ring_shm_hdr *h;
	unsigned char *base;
	uint64_t size = RING_DATA_OFF + o->capacity;
	int fd, rc, e;

	if (!is_pow2(o->capacity) || o->capacity < RING_MIN_CAP || o->capacity > RING_MAX_CAP)
		return err_set(err, errlen, "capacity %" PRIu64 " must be a power of two between 64 KiB and 1 TiB",
		    o->capacity), RING_EBADHDR;
	if (eff_max_record(o) > record_limit(o->capacity))
		return err_set(err, errlen, "max_record %" PRIu64 " exceeds capacity/4 or 1 GiB (%" PRIu64 ")",
		    eff_max_record(o), record_limit(o->capacity)), RING_EBADHDR;
	if (o->policy != RING_BLOCK && o->policy != RING_DROP)
		return err_set(err, errlen, "policy %u is neither block (0) nor drop (1)", o->policy), RING_EBADHDR;
	if (snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof tmp)
		return err_set(err, errlen, "path too long: %s", path), RING_ESYS;
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		/* Left by a crashed process that had our pid: nobody else uses this name. */
		unlink(tmp);
		fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	}
	if (fd < 0)
		return err_set(err, errlen, "create %s: %s", tmp, strerror(errno)), RING_ESYS;
	/* Allocate now so that a full /dev/shm is an error here, not a SIGBUS later. */
	if ((rc = posix_fallocate(fd, 0, (off_t)size)) != 0) {
		unlink(tmp);
		close(fd);
		errno = rc;
		return err_set(err, errlen, "allocate %" PRIu64 " bytes for %s: %s", size, path,
		    strerror(rc)), RING_ESYS;
	}
	base = mmap(NULL, RING_DATA_OFF, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		e = errno;
		unlink(tmp);
		close(fd);
		errno = e;
		return err_set(err, errlen, "mmap %s: %s", tmp, strerror(e)), RING_ESYS;
	}
	h = (struct ring_shm_hdr *)(void *)base;
	h->layout_version = RING_LAYOUT_VERSION;
	h->hdr_size = RING_HDR_SIZE;
	h->hot_off = RING_HOT_OFF;
	h->slot_size = RING_SLOT;
	h->data_off = RING_DATA_OFF;
	h->capacity = o->capacity;
	h->schema_hash = o->schema_hash;
	h->max_record = (uint32_t)eff_max_record(o);
	h->policy = o->policy;
	h->creator_pid = (int32_t)getpid();
	h->created_ns = now_ns();
	h->generation = (uint32_t)(h->created_ns / 1000) | 1;
	h->frame_hdr = RING_FRAME_HDR;
	h->align = RING_ALIGN;
	basename_of(path, h->name, sizeof h->name);
	/* Pairs with the acquire load in read_header(): all of the above is visible first. */
	atomic_store_explicit(&h->magic, RING_MAGIC, memory_order_release);
	munmap(base, RING_DATA_OFF);
	rc = link(tmp, path);
	e = errno;
	unlink(tmp);
	close(fd);
	if (rc != 0 && e != EEXIST) {
		errno = e;
		return err_set(err, errlen, "link %s: %s", path, strerror(e)), RING_ESYS;
	}
	return RING_OK;
}

/* Validate a private copy of the header; opts (may be NULL) is what the caller expects. */
static int
check_header(const struct ring_shm_hdr *h, uint64_t fsize, const struct ring_opts *o,
    char *err, size_t errlen)
{
	uint64_t magic = atomic_load_explicit(&h->magic, memory_order_acquire);

	if (magic == 0)
		return err_set(err, errlen, "ring header not initialised (magic is 0)"), RING_EBADHDR;
	if (magic != RING_MAGIC)
		return err_set(err, errlen, "not a ring (magic 0x%016" PRIx64 ", expected 0x%016" PRIx64 ")",
		    magic, (uint64_t)RING_MAGIC), RING_EBADHDR;
	if (h->layout_version != RING_LAYOUT_VERSION)
		return err_set(err, errlen, "ring layout version %u, this program understands %u",
		    h->layout_version, RING_LAYOUT_VERSION), RING_EBADHDR;
	if (h->hdr_size != RING_HDR_SIZE || h->hot_off != RING_HOT_OFF || h->slot_size != RING_SLOT ||
	    h->data_off != RING_DATA_OFF || h->frame_hdr != RING_FRAME_HDR || h->align != RING_ALIGN)
		return err_set(err, errlen, "ring layout fields differ (hdr_size %u hot_off %u slot %u data_off %" PRIu64
		    " frame_hdr %u align %u)", h->hdr_size, h->hot_off, h->slot_size, h->data_off,
		    h->frame_hdr, h->align), RING_EBADHDR;
	if (!is_pow2(h->capacity) || h->capacity < RING_MIN_ATTACH || h->capacity > RING_MAX_CAP)
		return err_set(err, errlen, "ring capacity %" PRIu64 " is not a power of two in [4 KiB, 1 TiB]",
		    h->capacity), RING_EBADHDR;
	if (fsize < RING_DATA_OFF + h->capacity)
		return err_set(err, errlen, "ring file is %" PRIu64 " bytes, its header needs %" PRIu64,
		    fsize, RING_DATA_OFF + h->capacity), RING_EBADHDR;
	if (h->max_record == 0 || h->max_record > record_limit(h->capacity))
		return err_set(err, errlen, "ring max_record %u is not in [1, %" PRIu64 "]",
		    h->max_record, record_limit(h->capacity)), RING_EBADHDR;
	if (h->policy != RING_BLOCK && h->policy != RING_DROP)
		return err_set(err, errlen, "ring policy %u is neither block nor drop", h->policy), RING_EBADHDR;
	if (!o)
		return RING_OK;
	if (h->schema_hash != o->schema_hash)
		return err_set(err, errlen, "ring record schema hash 0x%016" PRIx64
		    " differs from this program's 0x%016" PRIx64 " (built from another rec.h)",
		    h->schema_hash, o->schema_hash), RING_EBADHDR;
	if (h->capacity != o->capacity)
		return err_set(err, errlen, "ring capacity %" PRIu64 " differs from the configured %" PRIu64,
		    h->capacity, o->capacity), RING_EBADHDR;
	if (h->max_record != eff_max_record(o))
		return err_set(err, errlen, "ring max_record %u differs from the configured %" PRIu64,
		    h->max_record, eff_max_record(o)), RING_EBADHDR;
	if (h->policy != o->policy)
		return err_set(err, errlen, "ring policy %s differs from the configured %s",
		    h->policy == RING_DROP ? "drop" : "block", o->policy == RING_DROP ? "drop" : "block"), RING_EBADHDR;
	return RING_OK;
}

/* A zombie still answers kill(pid, 0); it holds nothing. */
static int
pid_alive(int32_t pid)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;

	if (pid <= 0)
		return 0;
	if (kill(pid, 0) != 0 && errno == ESRCH)
		return 0;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 1;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return !(p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'));
}

/* Take the producer or consumer role: refuse while another live process with
 * a recent heartbeat holds it, otherwise claim it with a CAS so that of two
 * processes racing for a dead role exactly one wins. */
static int
take_role(struct ring *r, char *err, size_t errlen)
{
	_Atomic int32_t *pidp;
	_Atomic int64_t *hbp;
	_Atomic uint32_t *att;
	int32_t old, me = (int32_t)getpid();
	int64_t hb;

	if (r->role == RING_PRODUCER) {
		pidp = &r->hot->prod.p.pid;
		hbp = &r->hot->prod.p.hb_ns;
		att = &r->hot->prod.p.attaches;
	} else {
		pidp = &r->hot->cons.c.pid;
		hbp = &r->hot->cons.c.hb_ns;
		att = &r->hot->cons.c.attaches;
	}
	old = atomic_load_explicit(pidp, memory_order_acquire);
	hb = atomic_load_explicit(hbp, memory_order_relaxed);
	if (old != 0 && old != me && pid_alive(old) && hb != 0 && mono_ns() - hb < RING_LIVE_NS)
		return err_set(err, errlen, "%s role of %s is held by live pid %d (heartbeat %.1fs ago)",
		    r->role == RING_PRODUCER ? "producer" : "consumer", r->name, (int)old,
		    (double)(mono_ns() - hb) / 1e9), RING_EBUSY;
	if (!atomic_compare_exchange_strong_explicit(pidp, &old, me, memory_order_acq_rel, memory_order_acquire))
		return err_set(err, errlen, "%s role of %s was just taken by pid %d",
		    r->role == RING_PRODUCER ? "producer" : "consumer", r->name, (int)old), RING_EBUSY;
	atomic_store_explicit(hbp, mono_ns(), memory_order_relaxed);
	atomic_fetch_add_explicit(att, 1, memory_order_relaxed);
	return RING_OK;
}

static int
corrupt(struct ring *r, char *err, size_t errlen, const char *fmt, uint64_t pos, int64_t v)
{
	char what[120];

	snprintf(what, sizeof what, fmt, v);
	snprintf(r->errmsg, sizeof r->errmsg, "%s at position %" PRIu64, what, pos);
	return err_set(err, errlen, "%s: %s", r->name, r->errmsg), RING_ECORRUPT;
}

/*
 * A (re)starting producer: the stored tail may lag the truth by the frames a
 * killed predecessor committed but did not publish, and the frame at the true
 * end may be claimed but never committed.  Walk committed frames from the
 * stored tail checking their seqs, then turn a claimed frame into RING_T_TORN
 * (zeroing the header after it first, since its writer may have died before
 * doing so, and stale bytes from the last lap lie there).
 */
static int
recover_producer(struct ring *r, char *err, size_t errlen)
{
	struct ring_prod_line *p = &r->hot->prod.p;
	uint64_t pos = atomic_load_explicit(&p->tail, memory_order_acquire);
	uint64_t head = atomic_load_explicit(&r->hot->cons.c.head, memory_order_acquire);
	uint64_t seq = atomic_load_explicit(&p->last_seq, memory_order_relaxed);
	uint64_t gfirst = atomic_load_explicit(&p->gap_first, memory_order_relaxed);
	uint64_t gcount = atomic_load_explicit(&p->gap_count, memory_order_relaxed);
	uint64_t walked = 0;
	int first = 1;

	if ((pos | head) & (RING_ALIGN - 1))
		return corrupt(r, err, errlen, "misaligned tail/head (%" PRId64 ")", pos, (int64_t)head);
	if (head > pos + r->cap || pos > head + r->cap)
		return corrupt(r, err, errlen, "head %" PRId64 " and tail more than a capacity apart", pos,
		    (int64_t)head);
	/* Seqs are 64-bit counters that never come near 2^62 honestly. */
	if (seq >= (uint64_t)1 << 62 || gcount >= (uint64_t)1 << 62)
		return corrupt(r, err, errlen, "last_seq or pending gap out of range (%" PRId64 ")", pos,
		    (int64_t)(seq | gcount));
	/* Killed between publishing a gap frame's seq and clearing the pending gap. */
	if (gcount && gfirst + gcount == seq)
		gcount = 0;
	if (gcount && gfirst != seq + 1)
		return corrupt(r, err, errlen, "pending gap starts at seq %" PRId64 ", not after last_seq", pos,
		    (int64_t)gfirst);
	for (;;) {
		struct ring_frame *f = ring_frame_at(r, pos);
		uint64_t off = pos & r->mask;
		int32_t len = atomic_load_explicit(&f->len, memory_order_acquire);
		uint64_t fs, alen = len < 0 ? (uint64_t)-(int64_t)len : (uint64_t)len;

		if (len == 0)
			break;
		fs = ring_fsize(alen);
		if (alen < RING_FRAME_HDR || off + fs > r->cap)
			return corrupt(r, err, errlen, "frame length %" PRId64 " out of bounds", pos, len);
		if (f->type != RING_T_PAD && alen - RING_FRAME_HDR > r->max_record)
			return corrupt(r, err, errlen, "frame length %" PRId64 " exceeds max_record", pos, len);
		if (f->type == RING_T_PAD && off + alen != r->cap)
			return corrupt(r, err, errlen, "padding of %" PRId64 " bytes does not end the area", pos, len);
		if (pos + fs + RING_FRAME_HDR > head + r->cap)
			return corrupt(r, err, errlen, "frame of %" PRId64 " bytes beyond the consumer's head", pos, len);
		if (++walked > r->cap / RING_ALIGN)
			return corrupt(r, err, errlen, "frame chain longer than the ring (%" PRId64 ")", pos,
			    (int64_t)walked);
		if (len < 0) {
			struct ring_frame *next = ring_frame_at(r, pos + fs);

			atomic_store_explicit(&next->len, 0, memory_order_relaxed);
			next->type = 0;
			next->flags = 0;
			next->seq = 0;
			f->type = RING_T_TORN;
			atomic_store_explicit(&f->len, (int32_t)alen, memory_order_release);
			atomic_fetch_add_explicit(&p->torn, 1, memory_order_relaxed);
			pos += fs;
			break;
		}
		if (f->type == RING_T_GAP) {
			struct ring_gap g;

			if (alen != RING_GAP_FRAME)
				return corrupt(r, err, errlen, "gap frame of length %" PRId64, pos, len);
			memcpy(&g, (const unsigned char *)f + RING_FRAME_HDR, sizeof g);
			if (g.count == 0 || f->seq != g.first_seq + g.count ||
			    !(g.first_seq == seq + 1 || (first && f->seq == seq)))
				return corrupt(r, err, errlen, "gap frame seq %" PRId64 " does not follow", pos,
				    (int64_t)f->seq);
			if (f->seq != seq)
				atomic_fetch_add_explicit(&p->gaps, 1, memory_order_relaxed);
			seq = f->seq;
			if (gcount && gfirst == g.first_seq)
				gcount = 0;
			first = 0;
		} else if (f->type != RING_T_PAD && f->type != RING_T_TORN) {
			/* The first frame may have had its seq published without its
			 * tail (killed between the two stores): not counted again. */
			if (f->seq == seq + 1) {
				atomic_fetch_add_explicit(&p->written, 1, memory_order_relaxed);
				atomic_fetch_add_explicit(&p->written_bytes, alen - RING_FRAME_HDR, memory_order_relaxed);
			} else if (!(first && f->seq == seq)) {
				return corrupt(r, err, errlen, "frame seq %" PRId64 " does not follow last_seq", pos,
				    (int64_t)f->seq);
			}
			seq = f->seq;
			first = 0;
		}
		pos += fs;
	}
	atomic_store_explicit(&p->gap_count, gcount, memory_order_relaxed);
	atomic_store_explicit(&p->last_seq, seq, memory_order_relaxed);
	atomic_store_explicit(&p->tail, pos, memory_order_release);
	if (atomic_load_explicit(&p->intent, memory_order_relaxed) < pos + RING_FRAME_HDR)
		atomic_store_explicit(&p->intent, pos + RING_FRAME_HDR, memory_order_relaxed);
	atomic_store_explicit(&r->hot->pbell.b.waiting, 0, memory_order_relaxed);

	r->tail = pos;
	r->head_cache = head;
	r->intent = atomic_load_explicit(&p->intent, memory_order_relaxed);
	r->last_seq = seq;
	r->gap_first = gfirst;
	r->gap_count = gcount;
	r->written = atomic_load_explicit(&p->written, memory_order_relaxed);
	r->written_bytes = atomic_load_explicit(&p->written_bytes, memory_order_relaxed);
	r->dropped = atomic_load_explicit(&p->dropped, memory_order_relaxed);
	r->full_events = atomic_load_explicit(&p->full_events, memory_order_relaxed);
	r->gaps = atomic_load_explicit(&p->gaps, memory_order_relaxed);
	return RING_OK;
}

/* A (re)starting consumer resumes at the stored head, expecting read_seq + 1. */
static int
attach_consumer(struct ring *r, char *err, size_t errlen)
{
	struct ring_cons_line *c = &r->hot->cons.c;
	uint64_t head = atomic_load_explicit(&c->head, memory_order_acquire);
	uint64_t tail = atomic_load_explicit(&r->hot->prod.p.tail, memory_order_acquire);

	if (head & (RING_ALIGN - 1))
		return corrupt(r, err, errlen, "misaligned head (%" PRId64 ")", head, (int64_t)head);
	/* The stored tail may lag the true one by a frame a killed producer never published. */
	if (head > tail + r->cap || tail > head + r->cap)
		return corrupt(r, err, errlen, "tail %" PRId64 " and head more than a capacity apart", head,
		    (int64_t)tail);
	atomic_store_explicit(&r->hot->cbell.b.waiting, 0, memory_order_relaxed);
	r->head = head;
	r->read = atomic_load_explicit(&c->read, memory_order_relaxed);
	r->read_seq = atomic_load_explicit(&c->read_seq, memory_order_relaxed);
	r->chk_end = r->run_end = head;
	r->chk_seq = r->run_seq = r->read_seq;
	r->chk_soft = 1;
	r->run_count = 0;
	return RING_OK;
}

static int
map_ring(struct ring *r, const char *path, enum ring_role role, const struct ring_opts *opts,
    char *err, size_t errlen)
{
	struct ring_shm_hdr h;
	struct stat st;
	ssize_t n;
	int rc;

	r->fd = open(path, (role == RING_INSPECT ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (r->fd < 0)
		return err_set(err, errlen, "open %s: %s", path,
		    strerror(errno)), errno == ENOENT ? RING_ENOENT : RING_ESYS;
	if (fstat(r->fd, &st) != 0)
		return err_set(err, errlen, "stat %s: %s", path, strerror(errno)), RING_ESYS;
	if (!S_ISREG(st.st_mode))
		return err_set(err, errlen, "%s is not a regular file", path), RING_EBADHDR;
	if ((uint64_t)st.st_size < RING_DATA_OFF)
		return err_set(err, errlen, "%s: %lld bytes is too small to be a ring", path,
		    (long long)st.st_size), RING_EBADHDR;
	n = pread(r->fd, &h, sizeof h, 0);
	if (n != (ssize_t)sizeof h)
		return err_set(err, errlen, "read %s: %s", path, n < 0 ? strerror(errno) : "short read"), RING_ESYS;
	if ((rc = check_header(&h, (uint64_t)st.st_size, opts, err, errlen)) != RING_OK)
		return rc;
	r->cap = h.capacity;
	r->mask = h.capacity - 1;
	r->max_record = h.max_record;
	r->policy = h.policy;
	r->schema_hash = h.schema_hash;
	r->map_len = RING_DATA_OFF + h.capacity;
	r->base = mmap(NULL, r->map_len, role == RING_INSPECT ? PROT_READ : PROT_READ | PROT_WRITE,
	    MAP_SHARED, r->fd, 0);
	if (r->base == MAP_FAILED) {
		r->base = NULL;
		return err_set(err, errlen, "mmap %s: %s", path, strerror(errno)), RING_ESYS;
	}
	r->hdr = (struct ring_shm_hdr *)(void *)r->base;
	r->hot = (struct ring_hot *)(void *)(r->base + RING_HOT_OFF);
	r->data = r->base + RING_DATA_OFF;
	return RING_OK;
}

int
ring_open(const char *path, enum ring_role role, const struct ring_opts *opts,
    struct ring **out, char *err, size_t errlen)
{
	struct ring *r;
	int rc;

	*out = NULL;
	if (err && errlen)
		err[0] = 0;
	if (role != RING_PRODUCER && role != RING_CONSUMER && role != RING_INSPECT)
		return err_set(err, errlen, "bad role %d", (int)role), RING_ESYS;
	if (!path || strlen(path) >= sizeof r->path)
		return err_set(err, errlen, "ring path missing or too long"), RING_ESYS;
	if (!(r = calloc(1, sizeof *r)))
		return err_set(err, errlen, "out of memory"), RING_ESYS;
	r->fd = -1;
	r->role = role;
	snprintf(r->path, sizeof r->path, "%s", path);
	basename_of(path, r->name, sizeof r->name);
	r->block_timeout_ms = opts && opts->block_timeout_ms ? opts->block_timeout_ms : 100;

	if (opts && role != RING_INSPECT && access(path, F_OK) != 0 && errno == ENOENT) {
		if ((rc = create_file(path, opts, err, errlen)) != RING_OK)
			goto out;
	}
	if ((rc = map_ring(r, path, role, opts, err, errlen)) != RING_OK)
		goto out;
	if (role != RING_INSPECT) {
		if ((rc = take_role(r, err, errlen)) != RING_OK)
			goto out;
		rc = role == RING_PRODUCER ? recover_producer(r, err, errlen) : attach_consumer(r, err, errlen);
		if (rc != RING_OK) {
			int32_t me = (int32_t)getpid();
			atomic_compare_exchange_strong(role == RING_PRODUCER ? &r->hot->prod.p.pid :
			    &r->hot->cons.c.pid, &me, 0);
			goto out;
		}
	}
	*out = r;
	return RING_OK;
out:
	{
		int e = errno;
		if (r->base)
			munmap(r->base, r->map_len);
		if (r->fd >= 0)
			close(r->fd);
		free(r);
		errno = e;
	}
	return rc;
}

void
ring_close(struct ring *r)
{
	int32_t me = (int32_t)getpid();

	if (!r)
		return;
	/* Give the role back so a successor need not wait for our heartbeat to age. */
	if (r->role == RING_PRODUCER)
		atomic_compare_exchange_strong(&r->hot->prod.p.pid, &me, 0);
	else if (r->role == RING_CONSUMER)
		atomic_compare_exchange_strong(&r->hot->cons.c.pid, &me, 0);
	munmap(r->base, r->map_len);
	close(r->fd);
	free(r);
}

int
ring_heartbeat(struct ring *r)
{
	_Atomic int32_t *pidp;
	_Atomic int64_t *hbp;
	int32_t me = (int32_t)getpid(), holder;

	if (r->role == RING_PRODUCER) {
		pidp = &r->hot->prod.p.pid;
		hbp = &r->hot->prod.p.hb_ns;
	} else if (r->role == RING_CONSUMER) {
		pidp = &r->hot->cons.c.pid;
		hbp = &r->hot->cons.c.hb_ns;
	} else {
		return RING_OK;
	}
	holder = atomic_load_explicit(pidp, memory_order_relaxed);
	if (holder != me && holder != 0) {
		/* Someone took the role over while we were silent too long: never
		 * take it back (two writers would corrupt the ring); say so once. */
		if (!r->lost_role)
			log_error("ring role taken over by another process", "ring=%s role=%s pid=%d",
			    r->name, r->role == RING_PRODUCER ? "producer" : "consumer", (int)holder);
		r->lost_role = 1;
		return RING_EBUSY;
	}
	atomic_store_explicit(pidp, me, memory_order_relaxed);
	atomic_store_explicit(hbp, mono_ns(), memory_order_relaxed);
	return RING_OK;
}

uint64_t
ring_head(const struct ring *r)
{
	if (r->role == RING_CONSUMER)
		return r->head;
	return atomic_load_explicit(&r->hot->cons.c.head, memory_order_acquire);
}

void
ring_stat(const struct ring *r, struct ring_stat *st)
{
	const struct ring_prod_line *p = &r->hot->prod.p;
	const struct ring_cons_line *c = &r->hot->cons.c;

	memset(st, 0, sizeof *st);
	memcpy(st->name, r->hdr->name, sizeof st->name - 1);
	st->name[sizeof st->name - 1] = 0;
	if (!st->name[0])
		snprintf(st->name, sizeof st->name, "%s", r->name);
	st->layout_version = r->hdr->layout_version;
	st->schema_hash = r->schema_hash;
	st->capacity = r->cap;
	st->max_record = r->max_record;
	st->policy = r->policy;
	st->generation = r->hdr->generation;
	st->creator_pid = r->hdr->creator_pid;
	st->created_ns = r->hdr->created_ns;
	/* Head first: then tail >= head unless a producer died with an unpublished frame. */
	st->head = atomic_load_explicit(&c->head, memory_order_acquire);
	st->read = atomic_load_explicit(&c->read, memory_order_relaxed);
	st->tail = atomic_load_explicit(&p->tail, memory_order_acquire);
	st->last_seq = atomic_load_explicit(&p->last_seq, memory_order_relaxed);
	st->written = atomic_load_explicit(&p->written, memory_order_relaxed);
	st->written_bytes = atomic_load_explicit(&p->written_bytes, memory_order_relaxed);
	st->dropped = atomic_load_explicit(&p->dropped, memory_order_relaxed);
	st->full_events = atomic_load_explicit(&p->full_events, memory_order_relaxed);
	st->torn = atomic_load_explicit(&p->torn, memory_order_relaxed);
	st->gaps = atomic_load_explicit(&p->gaps, memory_order_relaxed);
	st->producer_pid = atomic_load_explicit(&p->pid, memory_order_relaxed);
	st->consumer_pid = atomic_load_explicit(&c->pid, memory_order_relaxed);
	st->producer_hb_ns = atomic_load_explicit(&p->hb_ns, memory_order_relaxed);
	st->consumer_hb_ns = atomic_load_explicit(&c->hb_ns, memory_order_relaxed);
	st->producer_attaches = atomic_load_explicit(&p->attaches, memory_order_relaxed);
	st->consumer_attaches = atomic_load_explicit(&c->attaches, memory_order_relaxed);
	st->read_seq = atomic_load_explicit(&c->read_seq, memory_order_relaxed);
	st->pending_gap = atomic_load_explicit(&p->gap_count, memory_order_relaxed);
	st->corrupt = atomic_load_explicit(&c->corrupt, memory_order_relaxed);
	st->corrupt_pos = atomic_load_explicit(&c->corrupt_pos, memory_order_relaxed);
	st->corrupt_bytes = atomic_load_explicit(&c->corrupt_bytes, memory_order_relaxed);
	st->corrupt_lost = atomic_load_explicit(&c->corrupt_lost, memory_order_relaxed);
}

int
ring_stat_path(const char *path, struct ring_stat *st, char *err, size_t errlen)
{
	struct ring *r;
	int rc;

	if ((rc = ring_open(path, RING_INSPECT, NULL, &r, err, errlen)) != RING_OK)
		return rc;
	ring_stat(r, st);
	ring_close(r);
	return RING_OK;
}

int
ring_pid_alive(int32_t pid)
{
	return pid_alive(pid);
}
