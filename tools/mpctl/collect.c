/*
 * collect.c - once per tick, copy out everything /health, /metrics and the
 * alerts look at: every process's metrics file in the ring prefix
 * directory, every ring header, and /proc of every child.  Reads only: a
 * reader never disturbs the pipeline (metrics and rings are mapped read-only
 * by metrics_read and ring_stat_path).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mpctl.h"
#include "pipe.h"
#include "rec.h"

static long clk_tck;
/* collect_metrics' read buffer, kept for the life of mpctl and grown to the
 * largest file (a fresh multi-MiB malloc per tick is an mmap, and page
 * faults on every slot copied, every tick) */
static struct metric_view *g_tmp;
static int g_tmp_cap;

/* Every slot of one file into g_tmp (grown when full); the count or -1. */
static int
read_file_metrics(const char *path, int32_t *pid, int64_t *hb, char *err, size_t errlen)
{
	for (;;) {
		int n = g_tmp_cap ? metrics_read(path, g_tmp, g_tmp_cap, pid, hb, err, errlen) : 0;
		int cap = g_tmp_cap ? g_tmp_cap * 2 : 4096;
		struct metric_view *nt;

		if (n < 0 || (g_tmp_cap && n < g_tmp_cap))
			return n;
		nt = realloc(g_tmp, (size_t)cap * sizeof *nt);
		if (!nt)
			return n;   /* what fitted */
		g_tmp = nt;
		g_tmp_cap = cap;
	}
}

static void
collect_metrics(struct ctl *c)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], err[256];
	struct metric_view *tmp;
	struct dirent *de;
	int32_t pid;
	int64_t hb;
	DIR *d;
	int n, i;

	c->nmv = 0;
	collect_index_reset(c);
	c->nmfile = 0;
	snprintf(dir, sizeof dir, "/dev/shm/%s", c->prefix);
	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "metrics.", 8) != 0 || !de->d_name[8] || strlen(de->d_name + 8) >= 32)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		/* files are sized by their books: the buffer grows to fit */
		n = read_file_metrics(path, &pid, &hb, err, sizeof err);
		tmp = g_tmp;
		if (n < 0) {
			log_debug("cannot read metrics file", "path=%s err=%s", log_q(path), log_q(err));
			continue;
		}
		if (c->nmfile < (int)(sizeof c->mfile / sizeof c->mfile[0])) {
			snprintf(c->mfile[c->nmfile].process, sizeof c->mfile[0].process, "%s", de->d_name + 8);
			c->mfile[c->nmfile].pid = pid;
			c->mfile[c->nmfile].hb_ns = hb;
			c->nmfile++;
		}
		if (c->nmv + n > c->mvcap) {
			int cap = (c->nmv + n) * 2;
			struct mview *nv = realloc(c->mv, sizeof *nv * (size_t)cap);
			if (!nv)
				break;
			c->mv = nv;
			c->mvcap = cap;
		}
		for (i = 0; i < n; i++) {
			snprintf(c->mv[c->nmv].process, sizeof c->mv[0].process, "%s", de->d_name + 8);
			c->mv[c->nmv].v = tmp[i];
			c->nmv++;
		}
	}
	closedir(d);
}

/* Memory the instance's /dev/shm files really hold (rings, metrics), counted
 * once however many processes map them. */
static void
collect_shm(struct ctl *c)
{
	char dir[PATH_MAX], path[PATH_MAX + 300];
	struct dirent *de;
	struct stat st;
	DIR *d;

	c->shm_bytes = 0;
	snprintf(dir, sizeof dir, "/dev/shm/%s", c->prefix);
	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
			if (stat(path, &st) == 0)
				c->shm_bytes += (int64_t)st.st_blocks * 512;
		}
	closedir(d);
}

/* The ring's counters since the instance started: the header's minus those
 * it had then (a ring re-created since, of another generation, from 0). */
static void
since_start(struct ctl *c, int i)
{
	const struct ring_stat *r = &c->rings[i];
	struct ring_stat *b = &c->ring_base[i], *s = &c->ring_since[i];

	if (c->ring_base_ok[i] && (b->generation != r->generation || b->written > r->written)) {
		memset(b, 0, sizeof *b);
		c->ring_base_ok[i] = 0;
	}
	*s = *r;
	if (!c->ring_base_ok[i])
		return;
	s->written -= b->written;
	s->written_bytes -= b->written_bytes;
	s->read = r->read >= b->read ? r->read - b->read : 0;
	s->dropped = r->dropped >= b->dropped ? r->dropped - b->dropped : 0;
	s->full_events = r->full_events >= b->full_events ? r->full_events - b->full_events : 0;
	s->torn = r->torn >= b->torn ? r->torn - b->torn : 0;
	s->gaps = r->gaps >= b->gaps ? r->gaps - b->gaps : 0;
	s->corrupt = r->corrupt >= b->corrupt ? r->corrupt - b->corrupt : 0;
	s->corrupt_bytes = r->corrupt_bytes >= b->corrupt_bytes ? r->corrupt_bytes - b->corrupt_bytes : 0;
	s->corrupt_lost = r->corrupt_lost >= b->corrupt_lost ? r->corrupt_lost - b->corrupt_lost : 0;
}

static void
collect_rings(struct ctl *c)
{
	char path[PATH_MAX], err[256];
	int i;

	if (c->nrings == 0)
		c->nrings = pipe_ring_names(c->cfg, c->ring_names, CTL_MAX_RINGS);
	if (c->nrings > CTL_MAX_RINGS)
		c->nrings = CTL_MAX_RINGS;
	for (i = 0; i < c->nrings; i++) {
		c->ring_ok[i] = 0;
		if (ring_path(path, sizeof path, c->prefix, c->ring_names[i]) != 0)
			continue;
		if (ring_stat_path(path, &c->rings[i], err, sizeof err) == 0)
			c->ring_ok[i] = 1;
		else
			continue;
		since_start(c, i);
	}
}

static int
read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, cap - 1, f);
	buf[n] = 0;
	fclose(f);
	return (int)n;
}

static void
collect_proc(struct child *ch, int64_t now)
{
	char path[64], buf[4096], *p;
	unsigned long long ut, st;
	struct dirent *de;
	DIR *d;
	int n;

	if (ch->pid <= 0) {
		ch->cpu_ratio = 0;
		ch->rss_bytes = 0;
		ch->anon_bytes = 0;
		ch->open_fds = 0;
		ch->threads = 0;
		ch->wbytes_rate = 0;
		return;
	}
	snprintf(path, sizeof path, "/proc/%d/stat", (int)ch->pid);
	if (read_file(path, buf, sizeof buf) > 0 && (p = strrchr(buf, ')'))) {
		/* fields after ") ": state(3) ... utime(14) stime(15) ... num_threads(20) */
		long th = 0;
		if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %ld",
		    &ut, &st, &th) == 3) {
			ch->cpu_ticks = ut + st;
			ch->threads = (int)th;
			if (ch->cpu_mono_prev && now > ch->cpu_mono_prev && ch->cpu_ticks >= ch->cpu_ticks_prev)
				ch->cpu_ratio = (double)(ch->cpu_ticks - ch->cpu_ticks_prev) / (double)clk_tck /
				    ((double)(now - ch->cpu_mono_prev) / 1e9);
			ch->cpu_ticks_prev = ch->cpu_ticks;
		}
	}
	snprintf(path, sizeof path, "/proc/%d/status", (int)ch->pid);
	if (read_file(path, buf, sizeof buf) > 0) {
		if ((p = strstr(buf, "VmRSS:")))
			ch->rss_bytes = strtoll(p + 6, NULL, 10) * 1024;
		/* private memory: VmRSS also counts the ring pages it maps */
		if ((p = strstr(buf, "RssAnon:")))
			ch->anon_bytes = strtoll(p + 8, NULL, 10) * 1024;
	}
	snprintf(path, sizeof path, "/proc/%d/io", (int)ch->pid);
	if (read_file(path, buf, sizeof buf) > 0 && (p = strstr(buf, "\nwrite_bytes:"))) {
		ch->wbytes = strtoull(p + 13, NULL, 10);
		if (ch->cpu_mono_prev && now > ch->cpu_mono_prev && ch->wbytes >= ch->wbytes_prev)
			ch->wbytes_rate = (double)(ch->wbytes - ch->wbytes_prev) / ((double)(now - ch->cpu_mono_prev) / 1e9);
		ch->wbytes_prev = ch->wbytes;
	}
	snprintf(path, sizeof path, "/proc/%d/fd", (int)ch->pid);
	n = 0;
	if ((d = opendir(path))) {
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				n++;
		closedir(d);
	}
	ch->open_fds = n;
	ch->cpu_mono_prev = now;
}

/* When each book's applied-update count last moved (CLOCK_REALTIME ns), for
 * a last-update age when bookd exports no timestamp of its own. */
static struct { char labels[128]; uint64_t v; int64_t at; } moved[64];
static int nmoved;

static void
track_updates(struct ctl *c)
{
	const struct mview *m;
	int i, k;

	for (i = 0; (m = collect_find(c, "bookd", "mp_book_applied_total|mp_book_updates_total", NULL, i)); i++) {
		for (k = 0; k < nmoved; k++)
			if (strcmp(moved[k].labels, m->v.labels) == 0)
				break;
		if (k == nmoved) {
			if (nmoved == 64)
				continue;
			snprintf(moved[k].labels, sizeof moved[k].labels, "%s", m->v.labels);
			moved[k].v = m->v.counter;
			moved[k].at = 0;   /* unknown until it moves */
			nmoved++;
			continue;
		}
		if (m->v.counter != moved[k].v) {
			moved[k].v = m->v.counter;
			moved[k].at = now_ns();
		}
	}
}

/* stored's own byte counter as a rate: what it wrote to its segments, which
 * /proc's write_bytes only shows once the page cache is written back.  Taken
 * over the last 16 ticks, since stored writes in blocks, not every tick. */
static void
track_store_rate(struct ctl *c)
{
	static uint64_t v[16];
	static int64_t t[16];
	static int n, head;
	const struct mview *m = collect_find(c, "stored", "mp_store_bytes_written_total", NULL, 0);
	int oldest;

	if (!m) {
		c->store_wrate = -1;
		n = 0;
		return;
	}
	if (n > 0 && m->v.counter < v[(head + 15) % 16])
		n = 0;   /* stored's counters were reset */
	v[head] = m->v.counter;
	t[head] = c->tick_mono;
	head = (head + 1) % 16;
	if (n < 16)
		n++;
	oldest = (head - n + 16) % 16;
	c->store_wrate = n > 1 && c->tick_mono > t[oldest] ?
	    (double)(m->v.counter - v[oldest]) / ((double)(c->tick_mono - t[oldest]) / 1e9) : 0;
}

int64_t
collect_last_change(const char *labels)
{
	int k;

	for (k = 0; k < nmoved; k++)
		if (strcmp(moved[k].labels, labels) == 0)
			return moved[k].at;
	return 0;
}

/*
 * Latency probes.  Records carry their exchange time, receive time and the
 * time each stage handled them, so mpctl can measure exchange->receive (on
 * feed.<exchange>) and receive->book emitted (on book.store) itself, as a
 * read-only inspector (RING_INSPECT: it never moves the consumer's head),
 * sampling every record it gets to within a budget per tick.  Exported as
 * mp_ctl_exchange_latency_seconds / mp_ctl_process_latency_seconds; the
 * daemons' own histograms, when they exist, take precedence (aliases).
 */
#define PROBE_MAX 4
#define PROBE_BUDGET 50000

struct probe {
	char ring[32];
	char labels[64];
	const char *name;
	int stage;              /* -1: recv - exch; else stage_ns[stage] - recv */
	struct ring *r;
	uint64_t cursor;
	unsigned char *buf;
	size_t cap;
	struct metric_view v;
};
static struct probe probes[PROBE_MAX];
static int nprobes;

static void
probe_add(const char *ring, const char *labels, const char *name, int stage)
{
	struct probe *p;

	if (nprobes >= PROBE_MAX)
		return;
	p = &probes[nprobes++];
	memset(p, 0, sizeof *p);
	snprintf(p->ring, sizeof p->ring, "%s", ring);
	snprintf(p->labels, sizeof p->labels, "%s", labels);
	p->name = name;
	p->stage = stage;
	snprintf(p->v.name, sizeof p->v.name, "%s", name);
	snprintf(p->v.labels, sizeof p->v.labels, "%s", labels);
	snprintf(p->v.help, sizeof p->v.help, "%s", stage < 0 ?
	    "exchange time -> receive time of depth updates, sampled by mpctl from feed.<exchange>" :
	    "receive time -> bookd emitted, of applied updates, sampled by mpctl from book.store");
	p->v.kind = METRIC_HIST;
}

static void
observe(struct metric_view *v, int64_t ns)
{
	v->hist.bucket[metrics_bucket_of(ns)]++;
	v->hist.count++;
	if (ns > v->hist.max)
		v->hist.max = ns;
	/* saturate: a venue with a bad clock (or a replay of old frames) gives
	 * latencies of years, and a sum that wraps would turn the mean negative */
	v->hist.sum = ns > INT64_MAX - v->hist.sum ? INT64_MAX : v->hist.sum + ns;
}

static void
probe_close(struct probe *p)
{
	if (p->r)
		ring_close(p->r);
	p->r = NULL;
	free(p->buf);
	p->buf = NULL;
}

static void
probe_run(struct ctl *c, struct probe *p)
{
	char path[PATH_MAX], err[256];
	struct ring_stat st;
	struct ring_msg m;
	int n, got, lapped;

	if (!p->r) {
		if (ring_path(path, sizeof path, c->prefix, p->ring) != 0 ||
		    ring_open(path, RING_INSPECT, NULL, &p->r, err, sizeof err) != 0) {
			p->r = NULL;
			return;
		}
		ring_stat(p->r, &st);
		p->cap = st.max_record ? st.max_record : 65536;
		if (!(p->buf = malloc(p->cap))) {
			probe_close(p);
			return;
		}
		p->cursor = st.tail;   /* from now on */
	}
	for (n = 0; n < PROBE_BUDGET; n++) {
		got = ring_peek_copy(p->r, &p->cursor, &m, p->buf, p->cap, &lapped);
		if (got == 0)
			return;
		if (got < 0) {
			/* overwritten under us (or a record we cannot hold): skip to the end */
			ring_stat(p->r, &st);
			p->cursor = st.tail;
			return;
		}
		if (m.type == REC_DELTA && m.len >= sizeof(struct rec_hdr)) {
			const struct rec_hdr *h = m.data;
			int64_t from = p->stage < 0 ? h->exch_ns : h->recv_ns;
			int64_t to = p->stage < 0 ? h->recv_ns : h->stage_ns[p->stage];
			if (from > 0 && to >= from)
				observe(&p->v, to - from);
		}
	}
	/* more than the budget behind: sample from the end next time */
	ring_stat(p->r, &st);
	p->cursor = st.tail;
}

static void
collect_probes(struct ctl *c)
{
	char ring[32], labels[64];
	int i;

	if (nprobes == 0) {
		for (i = 0; i < c->nrings; i++)
			if (strncmp(c->ring_names[i], "feed.", 5) == 0) {
				snprintf(ring, sizeof ring, "%s", c->ring_names[i]);
				snprintf(labels, sizeof labels, "exchange=\"%s\"", c->ring_names[i] + 5);
				probe_add(ring, labels, "mp_ctl_exchange_latency_seconds", -1);
			}
		probe_add("book.store", "", "mp_ctl_process_latency_seconds", STAGE_BOOK);
	}
	for (i = 0; i < nprobes; i++) {
		probe_run(c, &probes[i]);
		if (c->nmv + 1 > c->mvcap) {
			int cap = (c->nmv + 1) * 2;
			struct mview *nv = realloc(c->mv, sizeof *nv * (size_t)cap);
			if (!nv)
				return;
			c->mv = nv;
			c->mvcap = cap;
		}
		snprintf(c->mv[c->nmv].process, sizeof c->mv[0].process, "mpctl");
		c->mv[c->nmv].v = probes[i].v;
		c->nmv++;
	}
}

void
collect_tick(struct ctl *c)
{
	int64_t now = mono_ns();
	int i;

	if (!clk_tck)
		clk_tck = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
	c->tick_mono = now;
	collect_metrics(c);
	track_updates(c);
	track_store_rate(c);
	collect_rings(c);
	collect_shm(c);
	collect_probes(c);
	for (i = 0; i < c->nch; i++)
		collect_proc(&c->ch[i], now);
	/* figures over windows, from what was just collected */
	loss_tick(c);
	criteria_tick(c);
}

void
collect_free(struct ctl *c)
{
	int i;

	for (i = 0; i < nprobes; i++)
		probe_close(&probes[i]);
	nprobes = 0;
	collect_index_free(c);
	free(c->mv);
	c->mv = NULL;
	c->nmv = c->mvcap = 0;
}
