/* test_metrics.c - shared-memory metrics: register/find across reopen, counts, quantiles, corrupt files. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "metrics.h"
#include "../t.h"

static char prefix[64], path[256];

static struct metric_view views[METRICS_SLOTS_BASE + 8];

static const struct metric_view *
find_view(int n, const char *name, const char *labels)
{
	for (int i = 0; i < n; i++)
		if (strcmp(views[i].name, name) == 0 && strcmp(views[i].labels, labels) == 0)
			return &views[i];
	return NULL;
}

static void
t_register_and_reopen(void)
{
	char err[256] = "";
	struct metrics *m = metrics_open(prefix, "unit", err, sizeof err);
	_Atomic uint64_t *c1, *c2;
	_Atomic int64_t *g;
	struct metric_hist *h;
	int32_t pid = 0;
	int64_t hb = 0;
	int n;

	T_CHECK(m != NULL);
	if (!m) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	c1 = metrics_counter(m, "mp_test_frames_total", "exchange=\"binance\"", "frames");
	c2 = metrics_counter(m, "mp_test_frames_total", "exchange=\"okx\"", "frames");
	g = metrics_gauge(m, "mp_test_lag_bytes", "", "lag");
	h = metrics_hist(m, "mp_test_latency_ns", "", "latency");
	T_CHECK(c1 != c2);
	T_CHECK(metrics_counter(m, "mp_test_frames_total", "exchange=\"binance\"", "frames") == c1);
	metric_inc(c1, 5);
	metric_inc(c2, 1);
	metric_set(g, -42);
	metric_observe(h, 1500);
	metrics_heartbeat(m);
	/* a second writer on the same file is refused */
	T_CHECK(metrics_open(prefix, "unit", err, sizeof err) == NULL);
	T_CHECK(strstr(err, "another live process") != NULL);
	metrics_close(m);

	/* a restarted process finds its slots and keeps counting */
	m = metrics_open(prefix, "unit", err, sizeof err);
	T_CHECK(m != NULL);
	if (!m)
		return;
	c1 = metrics_counter(m, "mp_test_frames_total", "exchange=\"binance\"", "frames");
	T_EQ_U(atomic_load(c1), 5);
	metric_inc(c1, 2);
	h = metrics_hist(m, "mp_test_latency_ns", "", "latency");
	T_EQ_U(atomic_load(&h->count), 1);

	n = metrics_read(path, views, METRICS_SLOTS_BASE, &pid, &hb, err, sizeof err);
	T_EQ_I(n, 4);
	T_EQ_I(pid, getpid());
	T_CHECK(hb > 0);
	const struct metric_view *v = find_view(n, "mp_test_frames_total", "exchange=\"binance\"");
	T_CHECK(v && v->kind == METRIC_COUNTER && v->counter == 7 && strcmp(v->help, "frames") == 0);
	v = find_view(n, "mp_test_frames_total", "exchange=\"okx\"");
	T_CHECK(v && v->counter == 1);
	v = find_view(n, "mp_test_lag_bytes", "");
	T_CHECK(v && v->kind == METRIC_GAUGE && v->gauge == -42);
	v = find_view(n, "mp_test_latency_ns", "");
	T_CHECK(v && v->kind == METRIC_HIST && v->hist.count == 1 && v->hist.sum == 1500 && v->hist.bucket[2] == 1 && v->hist.max == 1500);

	/* same name, other kind: refused, and the counter is not disturbed */
	_Atomic int64_t *bad = metrics_gauge(m, "mp_test_frames_total", "exchange=\"binance\"", "x");
	T_CHECK(bad != NULL && (void *)bad != (void *)c1);
	metric_set(bad, 99);
	T_EQ_U(atomic_load(c1), 7);
	/* invalid names get a dummy, not a slot */
	T_CHECK(metrics_counter(m, "bad name", "", "") != NULL);
	T_CHECK(metrics_counter(NULL, "mp_x", "", "") != NULL);
	T_EQ_I(metrics_read(path, views, METRICS_SLOTS_BASE, NULL, NULL, err, sizeof err), 4);
	metrics_close(m);
}

static void
t_buckets_and_quantiles(void)
{
	struct metric_hist h;
	struct metric_view v;

	/* the bounds: <= 1 us, then 1.25, 1.5, 1.75, 2 us and so on per doubling */
	T_EQ_I(metrics_bucket_le(0), 1000);
	T_EQ_I(metrics_bucket_le(1), 1250);
	T_EQ_I(metrics_bucket_le(4), 2000);
	T_EQ_I(metrics_bucket_le(5), 2500);
	T_EQ_I(metrics_bucket_le(4 * 10), 1024000);             /* 1.024 ms: the powers of two stay bounds */
	T_EQ_I(metrics_bucket_le(METRICS_HBUCKETS - 2), 1000LL << METRICS_HOCTAVES);
	T_CHECK(metrics_bucket_le(METRICS_HBUCKETS - 1) == INT64_MAX);
	for (int i = 1; i < METRICS_HBUCKETS; i++) {
		T_CHECK(metrics_bucket_le(i) > metrics_bucket_le(i - 1));
		/* every bound is in its own bucket, the next value in the next one */
		if (i < METRICS_HBUCKETS - 1) {
			T_EQ_I(metrics_bucket_of(metrics_bucket_le(i)), i);
			T_EQ_I(metrics_bucket_of(metrics_bucket_le(i) + 1), i + 1);
		}
	}

	memset(&h, 0, sizeof h);
	metric_observe(&h, -5);
	metric_observe(&h, 0);
	metric_observe(&h, 1000);
	metric_observe(&h, 1001);
	metric_observe(&h, 1250);
	metric_observe(&h, 1251);
	metric_observe(&h, 2001);
	metric_observe(&h, INT64_MAX);
	T_EQ_U(h.bucket[0], 3);
	T_EQ_U(h.bucket[1], 2);
	T_EQ_U(h.bucket[2], 1);
	T_EQ_U(h.bucket[5], 1);
	T_EQ_U(h.bucket[METRICS_HBUCKETS - 1], 1);
	T_EQ_U(h.count, 8);
	T_CHECK(h.max == INT64_MAX);

	memset(&v, 0, sizeof v);
	v.kind = METRIC_HIST;
	T_CHECK(metrics_quantile(&v, 0.5) == 0);      /* empty */
	v.hist.bucket[0] = 90;              /* 90 x <= 1 us */
	v.hist.bucket[4 * 16 + 1] = 10;     /* 10 x in (65.536 ms, 81.92 ms] */
	double p50 = metrics_quantile(&v, 0.5), p99 = metrics_quantile(&v, 0.99);
	T_CHECK(p50 > 0 && p50 <= 1000);
	T_CHECK(p99 > 65536000.0 && p99 <= 81920000.0);
	T_CHECK(metrics_quantile(&v, 0.95) < p99);
	T_CHECK(metrics_quantile(&v, 1.0) == 81920000.0);
	/* with the writer's max known, no quantile lies above it */
	v.hist.max = 70000000;
	T_CHECK(metrics_quantile(&v, 1.0) == 70000000.0);
	T_CHECK(metrics_quantile(&v, 0.99) <= 70000000.0 && metrics_quantile(&v, 0.99) > 65536000.0);
	v.hist.max = 0;

	/* 1000 values 1..1000 us: the interpolated quantiles are within 5 % */
	memset(&h, 0, sizeof h);
	for (int i = 1; i <= 1000; i++)
		metric_observe(&h, (int64_t)i * 1000);
	memset(&v, 0, sizeof v);
	v.kind = METRIC_HIST;
	for (int b = 0; b < METRICS_HBUCKETS; b++)
		v.hist.bucket[b] = h.bucket[b];
	v.hist.max = h.max;
	T_CHECK(h.max == 1000000);
	{
		const double q[] = {0.5, 0.95, 0.99};
		for (int i = 0; i < 3; i++) {
			double got = metrics_quantile(&v, q[i]), want = q[i] * 1e6;
			T_CHECK(got > want * 0.95 && got < want * 1.05);
		}
	}

	memset(&v.hist, 0, sizeof v.hist);
	v.hist.bucket[METRICS_HBUCKETS - 1] = 3;    /* the +Inf bucket answers its lower bound */
	T_CHECK(metrics_quantile(&v, 0.5) == (double)(1000LL << METRICS_HOCTAVES));
	v.kind = METRIC_COUNTER;
	T_CHECK(metrics_quantile(&v, 0.5) == 0);
}

static void
t_table_full(void)
{
	char err[256] = "", name[64];
	struct metrics *m = metrics_open(prefix, "full", err, sizeof err);
	char fpath[300];
	int n;

	T_CHECK(m != NULL);
	if (!m)
		return;
	for (int i = 0; i < METRICS_SLOTS_BASE; i++) {
		snprintf(name, sizeof name, "mp_m%d", i);
		metric_inc(metrics_counter(m, name, "", ""), (uint64_t)i);
	}
	_Atomic uint64_t *extra = metrics_counter(m, "mp_one_too_many", "", "");
	T_CHECK(extra != NULL);
	metric_inc(extra, 1);
	snprintf(fpath, sizeof fpath, "/dev/shm/%s/metrics.full", prefix);
	n = metrics_read(fpath, views, METRICS_SLOTS_BASE + 8, NULL, NULL, err, sizeof err);
	T_EQ_I(n, METRICS_SLOTS_BASE);
	T_CHECK(find_view(n, "mp_one_too_many", "") == NULL);
	T_CHECK(find_view(n, "mp_m511", "") && find_view(n, "mp_m511", "")->counter == 511);
	/* max limits what is copied */
	T_EQ_I(metrics_read(fpath, views, 10, NULL, NULL, err, sizeof err), 10);
	metrics_close(m);
	unlink(fpath);
}

/* A file sized by its books: every book's metrics fit past the base table,
 * found again by name+labels on reopen (values kept), made anew when the
 * number of books changes; metrics_read_all sizes its buffer to the file. */
static void
t_sized_by_books(void)
{
	char err[256] = "", name[64], labels[64], fpath[300];
	struct metric_view *all = NULL;
	const int books = 200, total = METRICS_SLOTS_BASE + books * METRICS_SLOTS_PER_BOOK;
	struct metrics *m = metrics_open_books(prefix, "books", books, err, sizeof err);
	int ok = 1, n;

	T_CHECK(m != NULL);
	if (!m)
		return;
	snprintf(fpath, sizeof fpath, "/dev/shm/%s/metrics.books", prefix);
	for (int i = 0; i < total; i++) {
		snprintf(name, sizeof name, "mp_b%d", i % 97);
		snprintf(labels, sizeof labels, "book=\"%d\"", i / 97);
		metric_inc(metrics_counter(m, name, labels, ""), (uint64_t)i);
	}
	/* the same name+labels again is the same slot, whatever else is there */
	for (int i = 0; i < total; i += 101) {
		snprintf(name, sizeof name, "mp_b%d", i % 97);
		snprintf(labels, sizeof labels, "book=\"%d\"", i / 97);
		ok &= *metrics_counter(m, name, labels, "") == (uint64_t)i;
	}
	T_CHECK(ok);
	T_CHECK(metrics_counter(m, "mp_over", "", "") != NULL);   /* the table is full: a dummy */
	n = metrics_read_all(fpath, &all, NULL, NULL, err, sizeof err);
	T_EQ_I(n, total);
	snprintf(name, sizeof name, "mp_b%d", (total - 1) % 97);
	T_CHECK(all && strcmp(all[total - 1].name, name) == 0 && all[total - 1].counter == (uint64_t)total - 1);
	free(all);
	metrics_close(m);
	m = metrics_open_books(prefix, "books", books, err, sizeof err);   /* a restart: values kept */
	T_CHECK(m && *metrics_counter(m, "mp_b5", "book=\"3\"", "") == 3 * 97 + 5);
	metrics_close(m);
	m = metrics_open_books(prefix, "books", books + 1, err, sizeof err);   /* another size: anew */
	T_CHECK(m && *metrics_counter(m, "mp_b5", "book=\"3\"", "") == 0);
	metrics_close(m);
	T_CHECK(metrics_open_books(prefix, "books", -1, err, sizeof err) == NULL);
	unlink(fpath);
}

static int
write_file(const char *p, const void *data, size_t len)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, data, len) == (ssize_t)len;
	close(fd);
	return ok ? 0 : -1;
}

static void
t_reader_on_corrupt_files(void)
{
	char err[256], bad[300];
	unsigned char *buf;
	size_t size;
	int fd;

	snprintf(bad, sizeof bad, "/dev/shm/%s/metrics.bad", prefix);
	err[0] = 0;
	T_EQ_I(metrics_read("/dev/shm/nonexistent-dir-x/metrics.y", views, 4, NULL, NULL, err, sizeof err), -1);
	T_CHECK(strstr(err, "No such file") != NULL);
	T_EQ_I(write_file(bad, "hello", 5), 0);
	T_EQ_I(metrics_read(bad, views, 4, NULL, NULL, err, sizeof err), -1);
	T_CHECK(strstr(err, "smaller") != NULL);

	/* a good file, then damaged copies of it */
	fd = open(path, O_RDONLY);
	size = (size_t)lseek(fd, 0, SEEK_END);
	buf = malloc(size);
	T_CHECK(fd >= 0 && buf && pread(fd, buf, size, 0) == (ssize_t)size);
	close(fd);
	T_EQ_I(write_file(bad, buf, size), 0);
	T_EQ_I(metrics_read(bad, views, METRICS_SLOTS_BASE, NULL, NULL, err, sizeof err), 4);

	T_EQ_I(write_file(bad, buf, size - 100), 0);             /* truncated */
	T_EQ_I(metrics_read(bad, views, METRICS_SLOTS_BASE, NULL, NULL, err, sizeof err), -1);
	T_CHECK(strstr(err, "size") != NULL);

	buf[0] ^= 0xff;                                         /* bad magic */
	T_EQ_I(write_file(bad, buf, size), 0);
	T_EQ_I(metrics_read(bad, views, METRICS_SLOTS_BASE, NULL, NULL, err, sizeof err), -1);
	T_CHECK(strstr(err, "magic") != NULL);
	buf[0] ^= 0xff;

	buf[8] ^= 0x01;                                         /* the layout version */
	T_EQ_I(write_file(bad, buf, size), 0);
	T_EQ_I(metrics_read(bad, views, METRICS_SLOTS_BASE, NULL, NULL, err, sizeof err), -1);
	T_CHECK(strstr(err, "version") != NULL);
	buf[8] ^= 0x01;

	buf[20] ^= 0x01;                                        /* nslots: the size no longer matches */
	T_EQ_I(write_file(bad, buf, size), 0);
	T_EQ_I(metrics_read(bad, views, METRICS_SLOTS_BASE, NULL, NULL, err, sizeof err), -1);
	T_CHECK(strstr(err, "size") != NULL);
	buf[20] ^= 0x01;

	buf[12] ^= 0x01;                                        /* slot_size */
	T_EQ_I(write_file(bad, buf, size), 0);
	T_EQ_I(metrics_read(bad, views, METRICS_SLOTS_BASE, NULL, NULL, err, sizeof err), -1);
	T_CHECK(strstr(err, "layout") != NULL);
	buf[12] ^= 0x01;

	/* a slot with a scribbled kind is skipped; unterminated names are cut */
	T_EQ_I(buf[4096], 1);                                   /* slot 0 (after the header page) is READY */
	buf[4096 + 4] = 99;                                     /* its kind */
	memset(buf + 4096 + 8, 'A', 64 + 128 + 128);            /* its name, labels, help */
	T_EQ_I(write_file(bad, buf, size), 0);
	int n = metrics_read(bad, views, METRICS_SLOTS_BASE, NULL, NULL, err, sizeof err);
	T_EQ_I(n, 3);
	buf[4096 + 4] = METRIC_COUNTER;
	T_EQ_I(write_file(bad, buf, size), 0);
	n = metrics_read(bad, views, METRICS_SLOTS_BASE, NULL, NULL, err, sizeof err);
	T_EQ_I(n, 4);
	T_CHECK(n > 0 && strlen(views[0].name) == 63 && strlen(views[0].labels) == 127);
	free(buf);
	unlink(bad);
}

/* A writer finding a file of another layout starts over instead of trusting it. */
static void
t_writer_recreates_bad_file(void)
{
	char err[256], p[300];
	struct metrics *m;

	snprintf(p, sizeof p, "/dev/shm/%s/metrics.junk", prefix);
	T_EQ_I(write_file(p, "not a metrics file at all", 25), 0);
	m = metrics_open(prefix, "junk", err, sizeof err);
	T_CHECK(m != NULL);
	metric_inc(metrics_counter(m, "mp_after", "", ""), 3);
	T_EQ_I(metrics_read(p, views, 4, NULL, NULL, err, sizeof err), 1);
	metrics_close(m);
	unlink(p);
}

int
main(void)
{
	char dir[128];

	snprintf(prefix, sizeof prefix, "mptest-metrics-%d", (int)getpid());
	snprintf(path, sizeof path, "/dev/shm/%s/metrics.unit", prefix);
	T_RUN(t_register_and_reopen);
	T_RUN(t_buckets_and_quantiles);
	T_RUN(t_table_full);
	T_RUN(t_reader_on_corrupt_files);
	T_RUN(t_sized_by_books);
	T_RUN(t_writer_recreates_bad_file);
	unlink(path);
	snprintf(dir, sizeof dir, "/dev/shm/%s", prefix);
	rmdir(dir);
	return t_done();
}
