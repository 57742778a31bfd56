/*
 * metrics.c - counters, gauges and histograms in a shared-memory file; see
 * metrics.h.
 *
 * File layout: struct mfile_hdr (one 4 KiB page) then hdr.nslots slots of
 * struct mslot (METRICS_SLOTS_BASE + METRICS_SLOTS_PER_BOOK a book).  A slot is claimed by its writer: name, labels, help and kind
 * are filled first, then `state` is set to SLOT_READY with a release store,
 * so a reader that sees SLOT_READY (acquire) sees a complete slot.  The magic
 * is written last at creation for the same reason.  Values are relaxed
 * atomics: each is a figure in its own right, no reader needs two of them to
 * agree at one instant.
 */
#include "err.h"
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* 2: log-linear buckets and a max per histogram; 3: 4096 slots, a used mark;
 * 4: the slot count is the file's own (sized by books), readers take it from the header */
#define METRICS_VERSION 4
#define SLOT_FREE 0
#define SLOT_READY 1

struct mfile_hdr {
	_Atomic uint64_t magic;
	uint32_t version;
	uint32_t hdr_size;
	uint32_t slot_size;
	uint32_t nslots;
	uint32_t hbuckets;
	_Atomic int32_t pid;
	_Atomic int64_t hb_ns;          /* CLOCK_MONOTONIC, like the rings' heartbeats */
	int64_t created_ns;             /* CLOCK_REALTIME */
	char process[64];
	/* Slots are claimed in order and never released, so [0, used) holds
	 * every slot ever claimed: readers and registration stop there instead
	 * of walking (and faulting in) the whole table. */
	_Atomic uint32_t used;
	char pad[4096 - 8 - 5 * 4 - 4 - 8 - 8 - 64 - 4];
};

struct mslot {
	_Atomic uint32_t state;
	uint32_t kind;
	char name[64];
	char labels[128];
	char help[128];
	union {
		_Atomic uint64_t counter;
		_Atomic int64_t gauge;
		struct metric_hist hist;
	} v;
};

_Static_assert(sizeof(struct mfile_hdr) == 4096, "metrics header is one page");
_Static_assert(sizeof(struct mslot) % 8 == 0, "slots keep 8-byte alignment");

#define MFILE_SIZE(n) (sizeof(struct mfile_hdr) + (size_t)(n) * sizeof(struct mslot))
/* readers refuse a header claiming more (a scribbled count): 16M slots is ~10 GB */
#define NSLOTS_LIMIT (1u << 24)

struct metrics {
	int fd;
	struct mfile_hdr *h;
	struct mslot *slots;
	uint32_t nslots;
	size_t size;
	/* name+labels -> slot + 1 (0 = empty), open addressing; the writer's
	 * own, rebuilt from the file at open */
	uint32_t *index;
	uint32_t index_mask;
	char path[512];
	int full_logged;
	struct mslot dummy[3];          /* handed out when the table is full */
};

/* For metrics_*(NULL, ...): programs and tools may run without a file. */
static struct mslot g_dummy[3];

static int64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
name_ok(const char *s)
{
	if (!s || !*s || strlen(s) >= 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    *s == '_' || *s == ':'))
			return 0;
	return 1;
}

/* Header checks shared by the writer (reuse or re-create) and the reader;
 * nslots 0 = whatever the header says (a reader). */
static const char *
hdr_problem(const struct mfile_hdr *h, size_t size, uint32_t nslots)
{
	if (size < sizeof *h)
		return "file smaller than the metrics header";
	if (atomic_load_explicit(&h->magic, memory_order_acquire) != METRICS_MAGIC)
		return "bad magic (not a metrics file, or still being created)";
	if (h->version != METRICS_VERSION)
		return "metrics layout version differs";
	if (h->hdr_size != sizeof *h || h->slot_size != sizeof(struct mslot) ||
	    h->nslots == 0 || h->nslots > NSLOTS_LIMIT || (nslots && h->nslots != nslots) ||
	    h->hbuckets != METRICS_HBUCKETS)
		return "metrics layout sizes differ";
	if (size != MFILE_SIZE(h->nslots))
		return "file size does not match the layout";
	return NULL;
}

static uint32_t
slot_hash(const char *name, const char *labels)
{
	uint32_t h = 2166136261u;      /* FNV-1a over name, a 0, labels */

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	h = (h ^ 0) * 16777619u;
	for (; *labels; labels++)
		h = (h ^ (uint8_t)*labels) * 16777619u;
	return h;
}

/* Where name+labels sits in the index: its entry, or the empty one to take. */
static uint32_t *
index_at(struct metrics *m, const char *name, const char *labels)
{
	uint32_t i = slot_hash(name, labels) & m->index_mask;

	for (;; i = (i + 1) & m->index_mask) {
		uint32_t e = m->index[i];

		if (e == 0)
			return &m->index[i];
		if (strcmp(m->slots[e - 1].name, name) == 0 && strcmp(m->slots[e - 1].labels, labels) == 0)
			return &m->index[i];
	}
}

/* The index at twice the slots (at most half full, so probes stay short),
 * from every READY slot in [0, used). */
static int
index_build(struct metrics *m)
{
	uint32_t n = 1, used = atomic_load_explicit(&m->h->used, memory_order_relaxed);

	while (n < 2 * m->nslots)
		n <<= 1;
	m->index = calloc(n, sizeof *m->index);
	if (!m->index)
		return -1;
	m->index_mask = n - 1;
	for (uint32_t i = 0; i < used && i < m->nslots; i++) {
		struct mslot *s = &m->slots[i];
		uint32_t *e;

		if (atomic_load_explicit(&s->state, memory_order_acquire) != SLOT_READY)
			continue;
		s->name[sizeof s->name - 1] = 0;
		s->labels[sizeof s->labels - 1] = 0;
		e = index_at(m, s->name, s->labels);
		if (*e == 0)
			*e = i + 1;
	}
	return 0;
}

struct metrics *
metrics_open(const char *prefix, const char *process, char *err, size_t errlen)
{
	return metrics_open_books(prefix, process, 0, err, errlen);
}

struct metrics *
metrics_open_books(const char *prefix, const char *process, int books, char *err, size_t errlen)
{
	uint32_t nslots;
	size_t size;
	struct metrics *m;
	struct stat st;
	char dir[300];
	const char *why;
	void *map;

	if (!prefix || !*prefix || strchr(prefix, '/') || !process || !*process || strchr(process, '/')) {
		err_set(err, errlen, "metrics: bad prefix or process name");
		return NULL;
	}
	if (books < 0 || (uint64_t)books * METRICS_SLOTS_PER_BOOK + METRICS_SLOTS_BASE > NSLOTS_LIMIT) {
		err_set(err, errlen, "metrics: %d books is more than a metrics file takes", books);
		return NULL;
	}
	nslots = METRICS_SLOTS_BASE + (uint32_t)books * METRICS_SLOTS_PER_BOOK;
	size = MFILE_SIZE(nslots);
	m = calloc(1, sizeof *m);
	if (!m) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	m->fd = -1;
	m->nslots = nslots;
	snprintf(dir, sizeof dir, "/dev/shm/%s", prefix);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		err_set(err, errlen, "metrics: mkdir %s: %s", dir, strerror(errno));
		goto fail;
	}
	if (snprintf(m->path, sizeof m->path, "%s/metrics.%s", dir, process) >= (int)sizeof m->path) {
		err_set(err, errlen, "metrics: path too long");
		goto fail;
	}
	m->fd = open(m->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (m->fd < 0) {
		err_set(err, errlen, "metrics: open %s: %s", m->path, strerror(errno));
		goto fail;
	}
	/* One writer per file: a second live instance would double-count. */
	if (flock(m->fd, LOCK_EX | LOCK_NB) < 0) {
		err_set(err, errlen, "metrics: %s is held by another live process", m->path);
		goto fail;
	}
	if (fstat(m->fd, &st) < 0) {
		err_set(err, errlen, "metrics: stat %s: %s", m->path, strerror(errno));
		goto fail;
	}
	if (st.st_size != 0 && (size_t)st.st_size != size) {
		log_warn("metrics file has another size, re-creating it", "path=%s size=%lld",
		    log_q(m->path), (long long)st.st_size);
		if (ftruncate(m->fd, 0) < 0) {
			err_set(err, errlen, "metrics: truncate %s: %s", m->path, strerror(errno));
			goto fail;
		}
		st.st_size = 0;
	}
	if (st.st_size == 0 && ftruncate(m->fd, (off_t)size) < 0) {
		err_set(err, errlen, "metrics: size %s: %s", m->path, strerror(errno));
		goto fail;
	}
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (map == MAP_FAILED) {
		err_set(err, errlen, "metrics: mmap %s: %s", m->path, strerror(errno));
		goto fail;
	}
	m->h = map;
	m->size = size;
	m->slots = (struct mslot *)((char *)map + sizeof(struct mfile_hdr));
	why = hdr_problem(m->h, size, nslots);
	if (why) {
		/* New, or left by another layout: start from zero (the figures
		 * of an incompatible file cannot be carried over anyway). */
		if (atomic_load_explicit(&m->h->magic, memory_order_relaxed) != 0)
			log_warn("re-creating metrics file", "path=%s why=%s", log_q(m->path), log_q(why));
		atomic_store_explicit(&m->h->magic, 0, memory_order_release);
		/* Zero by punching the file back to a hole, not by memset: a
		 * memset would make every page of the table resident. */
		if (ftruncate(m->fd, 0) < 0 || ftruncate(m->fd, (off_t)size) < 0) {
			err_set(err, errlen, "metrics: reset %s: %s", m->path, strerror(errno));
			goto fail;
		}
		m->h->version = METRICS_VERSION;
		m->h->hdr_size = sizeof(struct mfile_hdr);
		m->h->slot_size = sizeof(struct mslot);
		m->h->nslots = nslots;
		m->h->hbuckets = METRICS_HBUCKETS;
		m->h->created_ns = clock_ns(CLOCK_REALTIME);
		snprintf(m->h->process, sizeof m->h->process, "%s", process);
		atomic_store_explicit(&m->h->magic, METRICS_MAGIC, memory_order_release);
	}
	/* Slots of a killed writer may have been half-claimed; a slot is only
	 * ever READY after it was complete, so nothing to repair. */
	if (index_build(m) < 0) {
		err_set(err, errlen, "out of memory");
		goto fail;
	}
	metrics_heartbeat(m);
	return m;
fail:
	metrics_close(m);
	return NULL;
}

void
metrics_close(struct metrics *m)
{
	if (!m)
		return;
	if (m->h)
		munmap(m->h, m->size);
	if (m->fd >= 0)
		close(m->fd);
	free(m->index);
	free(m);
}

static struct mslot *
dummy(struct metrics *m, int kind)
{
	struct mslot *d = m ? &m->dummy[kind - 1] : &g_dummy[kind - 1];

	d->kind = (uint32_t)kind;
	return d;
}

static struct mslot *
reg(struct metrics *m, int kind, const char *name, const char *labels, const char *help)
{
	struct mslot *s = NULL;
	uint32_t *e, used;

	if (!labels)
		labels = "";
	if (!m)
		return dummy(NULL, kind);
	if (!name_ok(name) || strlen(labels) >= sizeof s->labels) {
		log_error("bad metric name or labels", "name=%s labels=%s", log_q(name ? name : ""), log_q(labels));
		return dummy(m, kind);
	}
	e = index_at(m, name, labels);
	if (*e) {
		s = &m->slots[*e - 1];
		if (s->kind != (uint32_t)kind) {
			log_error("metric registered with another kind", "name=%s labels=%s",
			    log_q(name), log_q(labels));
			return dummy(m, kind);
		}
		return s;
	}
	used = atomic_load_explicit(&m->h->used, memory_order_relaxed);
	if (used < m->nslots) {
		s = &m->slots[used];
	} else {
		/* full: a slot a killed writer left half-claimed, if any (rare,
		 * so a scan) */
		for (uint32_t i = 0; i < m->nslots && !s; i++)
			if (atomic_load_explicit(&m->slots[i].state, memory_order_acquire) != SLOT_READY)
				s = &m->slots[i];
	}
	if (!s) {
		if (!m->full_logged++)
			log_error("metrics table full; further metrics are not recorded", "max=%u name=%s",
			    (unsigned)m->nslots, log_q(name));
		return dummy(m, kind);
	}
	memset(&s->v, 0, sizeof s->v);
	s->kind = (uint32_t)kind;
	snprintf(s->name, sizeof s->name, "%s", name);
	snprintf(s->labels, sizeof s->labels, "%s", labels);
	snprintf(s->help, sizeof s->help, "%s", help ? help : "");
	atomic_store_explicit(&s->state, SLOT_READY, memory_order_release);
	if ((uint32_t)(s - m->slots) >= used)
		atomic_store_explicit(&m->h->used, (uint32_t)(s - m->slots) + 1, memory_order_release);
	*e = (uint32_t)(s - m->slots) + 1;
	return s;
}

_Atomic uint64_t *
metrics_counter(struct metrics *m, const char *name, const char *labels, const char *help)
{
	return &reg(m, METRIC_COUNTER, name, labels, help)->v.counter;
}

_Atomic int64_t *
metrics_gauge(struct metrics *m, const char *name, const char *labels, const char *help)
{
	return &reg(m, METRIC_GAUGE, name, labels, help)->v.gauge;
}

struct metric_hist *
metrics_hist(struct metrics *m, const char *name, const char *labels, const char *help)
{
	return &reg(m, METRIC_HIST, name, labels, help)->v.hist;
}

int64_t
metrics_bucket_le(int i)
{
	int o, sub;

	if (i <= 0)
		return 1000;
	if (i >= METRICS_HBUCKETS - 1)
		return INT64_MAX;
	o = (i - 1) / METRICS_HSUB;
	sub = (i - 1) % METRICS_HSUB;
	/* 1000 ns * 2^o * (SUB + 1 + sub) / SUB: exact integers for SUB = 4 */
	return ((int64_t)1000 << o) * (METRICS_HSUB + 1 + sub) / METRICS_HSUB;
}

int
metrics_bucket_of(int64_t value)
{
	int lo = 0, hi = METRICS_HBUCKETS - 1;

	/* the first bucket whose bound is >= value; the last (+Inf) takes the rest */
	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (value <= metrics_bucket_le(mid))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

void
metric_observe(struct metric_hist *h, int64_t value)
{
	int64_t m = atomic_load_explicit(&h->max, memory_order_relaxed);

	atomic_fetch_add_explicit(&h->bucket[metrics_bucket_of(value)], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum, value, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
	/* one writer per file: the loop runs once unless a restart raced us */
	while (value > m && !atomic_compare_exchange_weak_explicit(&h->max, &m, value, memory_order_relaxed,
	    memory_order_relaxed))
		;
}

void
metrics_heartbeat(struct metrics *m)
{
	if (!m || !m->h)
		return;
	atomic_store_explicit(&m->h->pid, (int32_t)getpid(), memory_order_relaxed);
	atomic_store_explicit(&m->h->hb_ns, clock_ns(CLOCK_MONOTONIC), memory_order_relaxed);
}

int
metrics_read(const char *path, struct metric_view *out, int max, int32_t *pid, int64_t *hb_ns,
    char *err, size_t errlen)
{
	struct stat st;
	const struct mfile_hdr *h;
	const struct mslot *slots;
	const char *why;
	void *map;
	int fd, n = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, errlen, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		close(fd);
		return err_set(err, errlen, "%s: stat: %s", path, strerror(errno));
	}
	if ((size_t)st.st_size < sizeof *h) {
		close(fd);
		return err_set(err, errlen, "%s: file smaller than the metrics header", path);
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return err_set(err, errlen, "%s: mmap: %s", path, strerror(errno));
	h = map;
	why = hdr_problem(h, (size_t)st.st_size, 0);
	if (why) {
		munmap(map, (size_t)st.st_size);
		return err_set(err, errlen, "%s: %s", path, why);
	}
	if (pid)
		*pid = atomic_load_explicit(&((struct mfile_hdr *)h)->pid, memory_order_relaxed);
	if (hb_ns)
		*hb_ns = atomic_load_explicit(&((struct mfile_hdr *)h)->hb_ns, memory_order_relaxed);
	slots = (const struct mslot *)((const char *)map + sizeof *h);
	uint32_t used = atomic_load_explicit(&((struct mfile_hdr *)h)->used, memory_order_acquire);
	for (uint32_t i = 0; i < used && i < h->nslots && n < max; i++) {
		struct mslot *s = (struct mslot *)&slots[i];
		struct metric_view *v = &out[n];

		if (atomic_load_explicit(&s->state, memory_order_acquire) != SLOT_READY)
			continue;
		if (s->kind < METRIC_COUNTER || s->kind > METRIC_HIST)
			continue;       /* a writer bug or a scribbled file: not a figure */
		memset(v, 0, sizeof *v);
		/* The file may be scribbled on: copy bounded, terminate ourselves. */
		memcpy(v->name, s->name, sizeof v->name - 1);
		memcpy(v->labels, s->labels, sizeof v->labels - 1);
		memcpy(v->help, s->help, sizeof v->help - 1);
		v->kind = (int)s->kind;
		switch (s->kind) {
		case METRIC_COUNTER:
			v->counter = atomic_load_explicit(&s->v.counter, memory_order_relaxed);
			break;
		case METRIC_GAUGE:
			v->gauge = atomic_load_explicit(&s->v.gauge, memory_order_relaxed);
			break;
		case METRIC_HIST:
			v->hist.count = atomic_load_explicit(&s->v.hist.count, memory_order_relaxed);
			v->hist.sum = atomic_load_explicit(&s->v.hist.sum, memory_order_relaxed);
			v->hist.max = atomic_load_explicit(&s->v.hist.max, memory_order_relaxed);
			for (int b = 0; b < METRICS_HBUCKETS; b++)
				v->hist.bucket[b] = atomic_load_explicit(&s->v.hist.bucket[b], memory_order_relaxed);
			break;
		}
		n++;
	}
	munmap(map, (size_t)st.st_size);
	return n;
}

int
metrics_read_all(const char *path, struct metric_view **out, int32_t *pid, int64_t *hb_ns,
    char *err, size_t errlen)
{
	struct mfile_hdr h;
	int fd = open(path, O_RDONLY | O_CLOEXEC), n, want;

	*out = NULL;
	if (fd < 0)
		return err_set(err, errlen, "%s: %s", path, strerror(errno));
	if (pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h) {
		close(fd);
		return err_set(err, errlen, "%s: file smaller than the metrics header", path);
	}
	close(fd);
	/* the used mark only grows: room for what it says now, and a few the
	 * writer may add meanwhile (metrics_read stops at max) */
	want = (int)(h.used < NSLOTS_LIMIT ? h.used : NSLOTS_LIMIT) + 64;
	*out = malloc((size_t)want * sizeof **out);
	if (!*out)
		return err_set(err, errlen, "out of memory");
	n = metrics_read(path, *out, want, pid, hb_ns, err, errlen);
	if (n <= 0) {
		free(*out);
		*out = NULL;
	}
	return n;
}

/*
 * Linear interpolation inside the bucket holding the q-th observation; the
 * +Inf bucket has no upper bound, so its lower bound is the answer there.
 * The bucket counts (not hist.count) are the population, because a reader
 * may catch count and buckets a moment apart.
 */
double
metrics_quantile(const struct metric_view *v, double q)
{
	uint64_t total = 0, cum = 0;
	double rank;

	if (v->kind != METRIC_HIST)
		return 0;
	for (int i = 0; i < METRICS_HBUCKETS; i++)
		total += v->hist.bucket[i];
	if (total == 0)
		return 0;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	rank = q * (double)total;
	for (int i = 0; i < METRICS_HBUCKETS; i++) {
		uint64_t c = v->hist.bucket[i];
		double lo = i == 0 ? 0 : (double)metrics_bucket_le(i - 1);
		double hi = (double)metrics_bucket_le(i);

		if (c == 0 || (double)(cum + c) < rank) {
			cum += c;
			continue;
		}
		if (i == METRICS_HBUCKETS - 1)
			return lo;
		/* never above the largest value seen (when the writer keeps one) */
		if (v->hist.max > 0 && hi > (double)v->hist.max)
			hi = (double)v->hist.max > lo ? (double)v->hist.max : lo;
		return lo + (hi - lo) * ((rank - (double)cum) / (double)c);
	}
	return (double)metrics_bucket_le(METRICS_HBUCKETS - 2);
}
