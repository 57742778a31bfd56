/*
 * bench_ring.c - cross-process figures of the shared-memory ring, each next
 * to the same measurement over pipe(2) taken in the same run:
 *   - throughput with 64-byte and 1 KiB records (records/s and GB/s); the
 *     pipe baseline batches records into 64 KiB writes (its best case), and
 *     a second baseline makes one write(2) per record;
 *   - one-way wake-up latency from idle: the producer sleeps 2 ms, stamps
 *     CLOCK_MONOTONIC into a record and sends it; the consumer, asleep in
 *     ring_wait (or read(2)), measures on receipt; p50/p99/max;
 *   - CPU used by an idle consumer waiting for 2 s (getrusage).
 * Prints one JSON object per line (make bench).  Not a test: it asserts nothing.
 * Arguments (optional) pick parts: tp64 tp1k latency idle.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ring.h"

#define RING_CAP (4u << 20)
#define LAT_SAMPLES 1000
#define LAT_SLEEP_NS 2000000
#define PIPE_BUF_BYTES (64 * 1024)

static char g_dir[64];

static int64_t
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
nap(int64_t ns)
{
	struct timespec ts = {ns / 1000000000, ns % 1000000000};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void
full_write(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t k = write(fd, c, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			_exit(3);
		c += k;
		n -= (size_t)k;
	}
}

static int
full_read(int fd, void *p, size_t n)
{
	char *c = p;
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(fd, c + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

static struct ring *
open_ring(const char *path, enum ring_role role)
{
	struct ring_opts o = {RING_CAP, 0, RING_BLOCK, 1000, 0xbe7c4};
	struct ring *r;
	char err[256];

	if (ring_open(path, role, &o, &r, err, sizeof err) != RING_OK) {
		fprintf(stderr, "bench_ring: %s: %s\n", path, err);
		_exit(2);
	}
	return r;
}

/* Result of one child, sent to the parent over a pipe. */
struct result {
	double seconds;
	uint64_t records, checksum;
	double cpu_s;
	int64_t lat[LAT_SAMPLES];
	int nlat;
};

static void
send_result(int fd, const struct result *res)
{
	full_write(fd, res, sizeof *res);
}

/* ---- throughput ---- */

static void
ring_producer(const char *path, int go, uint32_t size, uint64_t n)
{
	struct ring *r = open_ring(path, RING_PRODUCER);
	unsigned char buf[1024];
	char c;

	memset(buf, 0xab, sizeof buf);
	if (read(go, &c, 1) < 0)
		_exit(2);
	for (uint64_t i = 0; i < n; i++) {
		memcpy(buf, &i, sizeof i);
		while (ring_write(r, 1, buf, size) != RING_OK)
			;
	}
	ring_close(r);
	_exit(0);
}

static void
ring_consumer(const char *path, int go, int out, uint64_t n)
{
	struct ring *r = open_ring(path, RING_CONSUMER);
	struct result res = {0};
	unsigned char buf[1024];
	struct ring_msg m;
	uint64_t cur = ring_head(r), got = 0, sum = 0;
	int64_t t0;
	char c;

	if (read(go, &c, 1) < 0)
		_exit(2);
	t0 = mono();
	while (got < n) {
		int rc = ring_next(r, &cur, &m);

		if (rc == 1) {
			uint64_t v;
			/* Use the bytes, as a real consumer would (pipe's read copies them too). */
			memcpy(buf, m.data, m.len);
			memcpy(&v, buf, sizeof v);
			sum += v;
			if ((++got & 63) == 0)
				ring_release(r, cur);
		} else if (rc == 0) {
			ring_release(r, cur);
			ring_wait(r, cur, 1000);
		} else {
			_exit(4);
		}
	}
	ring_release(r, cur);
	res.seconds = (double)(mono() - t0) / 1e9;
	res.records = got;
	res.checksum = sum;
	send_result(out, &res);
	ring_close(r);
	_exit(0);
}

/* pipe, records batched into PIPE_BUF_BYTES writes (batched = 1) or one write per record. */
static void
pipe_producer(int wfd, int go, uint32_t size, uint64_t n, int batched)
{
	static unsigned char out[PIPE_BUF_BYTES + 1024];
	unsigned char rec[1024];
	size_t fill = 0;
	char c;

	memset(rec, 0xab, sizeof rec);
	if (read(go, &c, 1) < 0)
		_exit(2);
	for (uint64_t i = 0; i < n; i++) {
		memcpy(rec, &i, sizeof i);
		if (!batched) {
			full_write(wfd, rec, size);
			continue;
		}
		memcpy(out + fill, rec, size);
		fill += size;
		if (fill + size > PIPE_BUF_BYTES) {
			full_write(wfd, out, fill);
			fill = 0;
		}
	}
	if (fill)
		full_write(wfd, out, fill);
	close(wfd);
	_exit(0);
}

static void
pipe_consumer(int rfd, int go, int out, uint32_t size, uint64_t n)
{
	static unsigned char in[PIPE_BUF_BYTES + 1024];
	struct result res = {0};
	unsigned char buf[1024];
	uint64_t got = 0, sum = 0;
	size_t have = 0, off;
	int64_t t0;
	char c;

	if (read(go, &c, 1) < 0)
		_exit(2);
	t0 = mono();
	while (got < n) {
		ssize_t k = read(rfd, in + have, PIPE_BUF_BYTES - have);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			_exit(4);
		have += (size_t)k;
		for (off = 0; off + size <= have; off += size) {
			uint64_t v;
			memcpy(buf, in + off, size);
			memcpy(&v, buf, sizeof v);
			sum += v;
			got++;
		}
		memmove(in, in + off, have - off);
		have -= off;
	}
	res.seconds = (double)(mono() - t0) / 1e9;
	res.records = got;
	res.checksum = sum;
	send_result(out, &res);
	_exit(0);
}

enum kind { K_RING, K_PIPE_BATCHED, K_PIPE_EACH };

/* Run one producer/consumer pair; the consumer's result. */
static int
run_pair(enum kind k, uint32_t size, uint64_t n, struct result *res)
{
	char path[128];
	int go[2], out[2], data[2] = {-1, -1}, st;
	pid_t pp, cp;

	snprintf(path, sizeof path, "%s/tp", g_dir);
	ring_unlink(path);
	if (pipe(go) || pipe(out) || (k != K_RING && pipe(data)))
		return -1;
	if (k == K_RING) {
		struct ring *r = open_ring(path, RING_CONSUMER);     /* create it before the race */
		ring_close(r);
	}
	if ((cp = fork()) == 0) {
		close(go[1]);
		close(out[0]);
		if (k == K_RING)
			ring_consumer(path, go[0], out[1], n);
		close(data[1]);
		pipe_consumer(data[0], go[0], out[1], size, n);
	}
	if ((pp = fork()) == 0) {
		close(go[1]);
		close(out[0]);
		if (k == K_RING)
			ring_producer(path, go[0], size, n);
		close(data[0]);
		pipe_producer(data[1], go[0], size, n, k == K_PIPE_BATCHED);
	}
	close(go[0]);
	close(out[1]);
	if (data[0] >= 0) {
		close(data[0]);
		close(data[1]);
	}
	nap(50000000);          /* both attached and waiting on `go` */
	close(go[1]);
	st = full_read(out[0], res, sizeof *res);
	close(out[0]);
	waitpid(pp, NULL, 0);
	waitpid(cp, NULL, 0);
	ring_unlink(path);
	return st;
}

/* ---- wake-up latency from idle ---- */

static void
lat_producer(enum kind k, const char *path, int wfd, int go)
{
	struct ring *r = k == K_RING ? open_ring(path, RING_PRODUCER) : NULL;
	char c;

	if (read(go, &c, 1) < 0)
		_exit(2);
	for (int i = 0; i < LAT_SAMPLES; i++) {
		int64_t t;

		nap(LAT_SLEEP_NS);
		t = mono();
		if (r) {
			while (ring_write(r, 1, &t, sizeof t) != RING_OK)
				;
		} else {
			full_write(wfd, &t, sizeof t);
		}
	}
	_exit(0);
}

static void
lat_consumer(enum kind k, const char *path, int rfd, int go, int out)
{
	struct ring *r = k == K_RING ? open_ring(path, RING_CONSUMER) : NULL;
	static struct result res;
	uint64_t cur = r ? ring_head(r) : 0;
	char c;

	if (read(go, &c, 1) < 0)
		_exit(2);
	while (res.nlat < LAT_SAMPLES) {
		int64_t t;

		if (r) {
			struct ring_msg m;
			int rc = ring_next(r, &cur, &m);

			if (rc == 0) {
				ring_wait(r, cur, -1);
				continue;
			}
			if (rc < 0)
				_exit(4);
			memcpy(&t, m.data, sizeof t);
			res.lat[res.nlat++] = mono() - t;
			ring_release(r, cur);
		} else {
			if (full_read(rfd, &t, sizeof t) < 0)
				_exit(4);
			res.lat[res.nlat++] = mono() - t;
		}
	}
	send_result(out, &res);
	_exit(0);
}

static int
run_latency(enum kind k, struct result *res)
{
	char path[128];
	int go[2], out[2], data[2], st;
	pid_t pp, cp;

	snprintf(path, sizeof path, "%s/lat", g_dir);
	ring_unlink(path);
	if (pipe(go) || pipe(out) || pipe(data))
		return -1;
	if (k == K_RING)
		ring_close(open_ring(path, RING_CONSUMER));
	if ((cp = fork()) == 0) {
		close(go[1]);
		close(out[0]);
		close(data[1]);
		lat_consumer(k, path, data[0], go[0], out[1]);
	}
	if ((pp = fork()) == 0) {
		close(go[1]);
		close(out[0]);
		close(data[0]);
		lat_producer(k, path, data[1], go[0]);
	}
	close(go[0]);
	close(out[1]);
	close(data[0]);
	close(data[1]);
	nap(50000000);
	close(go[1]);
	st = full_read(out[0], res, sizeof *res);
	close(out[0]);
	waitpid(pp, NULL, 0);
	waitpid(cp, NULL, 0);
	ring_unlink(path);
	return st;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t
pct(int64_t *v, int n, double p)
{
	int i = (int)(p * (n - 1) + 0.5);

	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

/* ---- idle consumer CPU ---- */

static double
cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	    ru.ru_stime.tv_usec / 1e6;
}

static double
run_idle(enum kind k, double seconds)
{
	char path[128];
	int out[2], data[2];
	struct result res = {0};
	pid_t cp;

	snprintf(path, sizeof path, "%s/idle%d", g_dir, (int)k);
	ring_unlink(path);
	if (pipe(out) || pipe(data))
		return -1;
	if ((cp = fork()) == 0) {
		struct ring *r = k == K_RING ? open_ring(path, RING_CONSUMER) : NULL;
		double c0 = cpu_now();
		int64_t end = mono() + (int64_t)(seconds * 1e9);

		close(out[0]);
		close(data[1]);
		if (r) {
			while (mono() < end)
				ring_wait(r, ring_head(r), (int)((end - mono()) / 1000000) + 1);
		} else {
			char c;
			/* The parent closes the pipe after `seconds`: read returns 0. */
			while (read(data[0], &c, 1) > 0)
				;
		}
		res.cpu_s = cpu_now() - c0;
		send_result(out[1], &res);
		_exit(0);
	}
	close(out[1]);
	close(data[0]);
	nap((int64_t)(seconds * 1e9));
	close(data[1]);
	if (full_read(out[0], &res, sizeof res) < 0)
		res.cpu_s = -1;
	close(out[0]);
	waitpid(cp, NULL, 0);
	ring_unlink(path);
	return res.cpu_s;
}

static void
throughput(uint32_t size, uint64_t n, uint64_t n_each)
{
	struct result r, pb, pe;
	double rr, pr, er;

	if (run_pair(K_RING, size, n, &r) || run_pair(K_PIPE_BATCHED, size, n, &pb) ||
	    run_pair(K_PIPE_EACH, size, n_each, &pe)) {
		printf("{\"bench\": \"ring_throughput_%uB\", \"error\": \"a child failed\"}\n", size);
		return;
	}
	rr = (double)r.records / r.seconds;
	pr = (double)pb.records / pb.seconds;
	er = (double)pe.records / pe.seconds;
	printf("{\"bench\": \"ring_throughput_%uB\", \"value\": %.0f, \"unit\": \"records/s\", \"gb_per_s\": %.3f,"
	    " \"records\": %" PRIu64 ", \"baseline\": \"pipe(2), records batched into 64 KiB writes\","
	    " \"baseline_value\": %.0f, \"baseline_gb_per_s\": %.3f,"
	    " \"baseline2\": \"pipe(2), one write per record\", \"baseline2_value\": %.0f}\n",
	    size, rr, rr * size / 1e9, r.records, pr, pr * size / 1e9, er);
}

static int
want(int argc, char **argv, const char *part)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], part) == 0)
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct result r, p;
	int64_t rp50, rp99, pp50, pp99;
	double ri, pi;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	snprintf(g_dir, sizeof g_dir, "/dev/shm/mpbench-ring.XXXXXX");
	if (!mkdtemp(g_dir)) {
		printf("{\"bench\": \"ring\", \"error\": \"mkdtemp: %s\"}\n", strerror(errno));
		return 1;
	}
	if (want(argc, argv, "tp64"))
		throughput(64, 20000000, 1000000);
	if (want(argc, argv, "tp1k"))
		throughput(1024, 2000000, 500000);
	if (!want(argc, argv, "latency"))
		;
	else if (run_latency(K_RING, &r) == 0 && run_latency(K_PIPE_EACH, &p) == 0) {
		qsort(r.lat, (size_t)r.nlat, sizeof r.lat[0], cmp_i64);
		qsort(p.lat, (size_t)p.nlat, sizeof p.lat[0], cmp_i64);
		rp50 = pct(r.lat, r.nlat, 0.50);
		rp99 = pct(r.lat, r.nlat, 0.99);
		pp50 = pct(p.lat, p.nlat, 0.50);
		pp99 = pct(p.lat, p.nlat, 0.99);
		printf("{\"bench\": \"ring_wakeup_p50\", \"value\": %" PRId64 ", \"unit\": \"ns\", \"samples\": %d,"
		    " \"idle_before_ns\": %d, \"baseline\": \"pipe(2) blocked in read\", \"baseline_value\": %" PRId64 "}\n",
		    rp50, r.nlat, LAT_SLEEP_NS, pp50);
		printf("{\"bench\": \"ring_wakeup_p99\", \"value\": %" PRId64 ", \"unit\": \"ns\", \"max\": %" PRId64
		    ", \"baseline\": \"pipe(2) blocked in read\", \"baseline_value\": %" PRId64 ", \"baseline_max\": %" PRId64
		    "}\n", rp99, r.lat[r.nlat - 1], pp99, p.lat[p.nlat - 1]);
	} else {
		printf("{\"bench\": \"ring_wakeup\", \"error\": \"a child failed\"}\n");
	}

	if (!want(argc, argv, "idle")) {
		rmdir(g_dir);
		return 0;
	}
	ri = run_idle(K_RING, 2.0);
	pi = run_idle(K_PIPE_EACH, 2.0);
	printf("{\"bench\": \"ring_idle_consumer_cpu\", \"value\": %.6f, \"unit\": \"cpu_s_per_s\", \"seconds\": 2,"
	    " \"baseline\": \"pipe(2) blocked in read\", \"baseline_value\": %.6f}\n", ri / 2.0, pi / 2.0);
	rmdir(g_dir);
	return 0;
}
