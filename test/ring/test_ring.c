/*
 * test_ring.c - unit tests of common/ring*.c in one process (plus forked
 * children where a second process is the point: role ownership, waking).
 * Multi-process streaming, kills and restarts are in ring_mp.sh.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../t.h"
#include "fuzz_image.h"
#include "peer_data.h"
#include "ring.h"

#define CAP (64 * 1024)
#define SCHEMA 0xabcdef12345ULL

static char g_dir[64];
static char g_path[128];
static int g_n;

/* A fresh path for every case, so cases do not see each other's rings. */
static const char *
fresh(void)
{
	snprintf(g_path, sizeof g_path, "%s/r%d", g_dir, ++g_n);
	return g_path;
}

static struct ring_opts
opts(enum ring_policy pol)
{
	struct ring_opts o = {CAP, 0, pol, 10, SCHEMA};
	return o;
}

static struct ring *
open_role(const char *path, enum ring_role role, const struct ring_opts *o)
{
	struct ring *r = NULL;
	char err[256];
	int rc = ring_open(path, role, o, &r, err, sizeof err);

	/* Every caller expects success: a failure fails the case even where it bails out. */
	if (rc != RING_OK) {
		fprintf(stderr, "  ring_open %s: %d %s\n", path, rc, err);
		T_CHECK(rc == RING_OK);
	}
	return r;
}

/* Map the ring file read-write behind the library's back, to corrupt it. */
static unsigned char *
raw_map(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *p;
	int fd = open(path, O_RDWR);

	if (fd < 0 || fstat(fd, &st) != 0)
		return NULL;
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	*len = (size_t)st.st_size;
	return p == MAP_FAILED ? NULL : p;
}

#define DATA_OFF 8192
#define HOT_OFF 4096

static uint64_t
write_n(struct ring *p, uint64_t seq, int n, uint32_t max)
{
	unsigned char buf[4096];

	for (int i = 0; i < n; i++, seq++) {
		uint32_t len = peer_size(seq, max);
		peer_fill(seq, buf, len);
		if (ring_write(p, PEER_TYPE, buf, len) != RING_OK)
			break;
	}
	return seq;
}

/* Read and release everything; verify content against the seq; returns count or -1. */
static int
drain(struct ring *c, uint64_t *expect, uint32_t max)
{
	struct ring_msg m;
	uint64_t cur = ring_head(c);
	int n = 0, rc;

	while ((rc = ring_next(c, &cur, &m)) == 1) {
		if (m.seq != *expect || m.type != PEER_TYPE || m.len != peer_size(m.seq, max) ||
		    peer_check(m.seq, m.data, m.len) != 0) {
			fprintf(stderr, "  drain: seq %" PRIu64 " expected %" PRIu64 " len %u\n", m.seq, *expect, m.len);
			return -1;
		}
		(*expect)++;
		n++;
	}
	if (rc != 0) {
		fprintf(stderr, "  drain: ring_next %d %s\n", rc, ring_errmsg(c));
		return -1;
	}
	ring_release(c, cur);
	return n;
}

static void
t_path(void)
{
	char buf[256], pre[64];
	struct stat st;

	snprintf(pre, sizeof pre, "%s", g_dir + strlen("/dev/shm/"));
	T_EQ_I(ring_path(buf, sizeof buf, pre, "sub"), RING_OK);
	snprintf(pre, sizeof pre, "%s-p", g_dir + strlen("/dev/shm/"));
	T_EQ_I(ring_path(buf, sizeof buf, pre, "feed.binance"), RING_OK);
	T_CHECK(strncmp(buf, "/dev/shm/", 9) == 0 && strstr(buf, "/feed.binance") != NULL);
	*strrchr(buf, '/') = 0;
	T_EQ_I(stat(buf, &st), 0);
	T_EQ_I(st.st_mode & 0777, 0700);
	rmdir(buf);
	T_EQ_I(ring_path(buf, sizeof buf, "a/b", "x"), RING_ESYS);
	T_EQ_I(ring_path(buf, sizeof buf, "ok", "../x"), RING_ESYS);
	T_EQ_I(ring_path(buf, sizeof buf, "..", "x"), RING_ESYS);
	T_EQ_I(ring_path(buf, 10, "ok", "x"), RING_ESYS);
}

static void
t_create_attach(void)
{
	const char *path = fresh();
	struct ring_opts o = opts(RING_BLOCK), o2;
	struct ring *p, *c, *i, *x = NULL;
	struct ring_stat st;
	struct stat fst;
	char err[256];

	T_EQ_I(ring_open(path, RING_CONSUMER, NULL, &x, err, sizeof err), RING_ENOENT);
	T_CHECK(x == NULL);
	T_EQ_I(ring_open(path, RING_INSPECT, &o, &x, err, sizeof err), RING_ENOENT);
	T_CHECK((p = open_role(path, RING_PRODUCER, &o)) != NULL);
	T_EQ_I(stat(path, &fst), 0);
	T_EQ_I(fst.st_mode & 0777, 0600);
	T_EQ_I(fst.st_size, 8192 + CAP);
	T_CHECK((c = open_role(path, RING_CONSUMER, &o)) != NULL);
	T_CHECK((i = open_role(path, RING_INSPECT, NULL)) != NULL);
	if (!p || !c || !i)
		return;
	ring_stat(i, &st);
	T_EQ_U(st.capacity, CAP);
	T_EQ_U(st.max_record, CAP / 4);
	T_EQ_U(st.schema_hash, SCHEMA);
	T_EQ_I(st.layout_version, RING_LAYOUT_VERSION);
	T_EQ_I(st.creator_pid, getpid());
	T_EQ_I(st.producer_pid, getpid());
	T_EQ_I(st.consumer_pid, getpid());
	T_EQ_U(st.producer_attaches, 1);
	T_EQ_U(st.consumer_attaches, 1);
	T_CHECK(st.created_ns > 1700000000LL * 1000000000LL);
	T_CHECK(st.generation != 0);
	T_EQ_S(st.name, strrchr(path, '/') + 1);
	T_EQ_S(ring_name(p), strrchr(path, '/') + 1);

	/* Mismatches are refused with the reason. */
	o2 = o;
	o2.schema_hash = SCHEMA + 1;
	T_EQ_I(ring_open(path, RING_CONSUMER, &o2, &x, err, sizeof err), RING_EBADHDR);
	T_CHECK(strstr(err, "schema hash") != NULL);
	o2 = o;
	o2.capacity = CAP * 2;
	T_EQ_I(ring_open(path, RING_CONSUMER, &o2, &x, err, sizeof err), RING_EBADHDR);
	T_CHECK(strstr(err, "capacity") != NULL);
	o2 = o;
	o2.policy = RING_DROP;
	T_EQ_I(ring_open(path, RING_CONSUMER, &o2, &x, err, sizeof err), RING_EBADHDR);
	T_CHECK(strstr(err, "policy") != NULL);
	o2 = o;
	o2.max_record = 100;
	T_EQ_I(ring_open(path, RING_CONSUMER, &o2, &x, err, sizeof err), RING_EBADHDR);
	T_CHECK(strstr(err, "max_record") != NULL);
	ring_close(p);
	ring_close(c);
	ring_close(i);
	T_EQ_I(ring_unlink(path), RING_OK);
	T_EQ_I(ring_unlink(path), RING_ENOENT);

	/* Bad creation options. */
	o2 = o;
	o2.capacity = CAP + 4096;
	T_EQ_I(ring_open(path, RING_PRODUCER, &o2, &x, err, sizeof err), RING_EBADHDR);
	T_CHECK(strstr(err, "power of two") != NULL);
	o2.capacity = 4096;
	T_EQ_I(ring_open(path, RING_PRODUCER, &o2, &x, err, sizeof err), RING_EBADHDR);
	o2 = o;
	o2.max_record = CAP / 2;
	T_EQ_I(ring_open(path, RING_PRODUCER, &o2, &x, err, sizeof err), RING_EBADHDR);
	T_CHECK(access(path, F_OK) != 0);
}

/* Corrupt one header field and check the refusal names it. */
static void
expect_badhdr(const char *path, size_t off, const void *val, size_t n, const char *needle)
{
	struct ring *x = NULL;
	char err[256], saved[16];
	size_t len;
	unsigned char *m = raw_map(path, &len);

	T_CHECK(m != NULL);
	if (!m)
		return;
	memcpy(saved, m + off, n);
	memcpy(m + off, val, n);
	T_EQ_I(ring_open(path, RING_CONSUMER, NULL, &x, err, sizeof err), RING_EBADHDR);
	T_EQ_I(ring_open(path, RING_INSPECT, NULL, &x, err, sizeof err), RING_EBADHDR);
	if (!strstr(err, needle)) {
		fprintf(stderr, "  error \"%s\" lacks \"%s\"\n", err, needle);
		T_CHECK(strstr(err, needle) != NULL);
	}
	memcpy(m + off, saved, n);
	munmap(m, len);
}

static void
t_bad_header(void)
{
	const char *path = fresh();
	struct ring_opts o = opts(RING_BLOCK);
	struct ring *p = open_role(path, RING_PRODUCER, &o), *x = NULL;
	uint64_t zero = 0, junk = 0x1122334455667788ULL, cap3 = 3 * 4096, huge = (uint64_t)1 << 41;
	uint32_t ver = RING_LAYOUT_VERSION + 1, pol = 7, maxr = CAP;
	char err[256];
	int fd;

	T_CHECK(p != NULL);
	if (!p)
		return;
	ring_close(p);
	expect_badhdr(path, 0, &junk, 8, "not a ring");
	expect_badhdr(path, 0, &zero, 8, "not initialised");
	expect_badhdr(path, 8, &ver, 4, "layout version");
	expect_badhdr(path, 12, &pol, 4, "layout fields");
	expect_badhdr(path, 32, &cap3, 8, "power of two");
	expect_badhdr(path, 32, &huge, 8, "power of two");
	expect_badhdr(path, 48, &maxr, 4, "max_record");
	expect_badhdr(path, 52, &pol, 4, "policy");
	/* A capacity larger than the file would map beyond its end (SIGBUS). */
	cap3 = CAP * 2;
	expect_badhdr(path, 32, &cap3, 8, "bytes");
	/* Intact again: it opens. */
	T_CHECK((p = open_role(path, RING_CONSUMER, NULL)) != NULL);
	ring_close(p);
	/* Truncated file. */
	fd = open(path, O_RDWR);
	T_EQ_I(ftruncate(fd, 5000), 0);
	close(fd);
	T_EQ_I(ring_open(path, RING_CONSUMER, NULL, &x, err, sizeof err), RING_EBADHDR);
	T_CHECK(strstr(err, "too small") != NULL);
	fd = open(path, O_RDWR);
	T_EQ_I(ftruncate(fd, 8192 + CAP / 2), 0);
	close(fd);
	T_EQ_I(ring_open(path, RING_CONSUMER, NULL, &x, err, sizeof err), RING_EBADHDR);
	T_CHECK(strstr(err, "bytes") != NULL);
	ring_unlink(path);
	/* A directory is not a ring. */
	T_EQ_I(ring_open(g_dir, RING_INSPECT, NULL, &x, err, sizeof err), RING_EBADHDR);
}

static void
t_write_read_wrap(void)
{
	const char *path = fresh();
	struct ring_opts o = {CAP, 0, RING_BLOCK, 1, SCHEMA};
	struct ring *p = open_role(path, RING_PRODUCER, &o), *c = open_role(path, RING_CONSUMER, &o);
	struct ring_stat st;
	uint64_t seq = 1, expect = 1;
	int total = 0, rounds = 0, n;

	T_CHECK(p && c);
	if (!p || !c)
		return;
	/* Fill until full, drain, repeat: many wraps with padding at each. */
	while (rounds++ < 200) {
		uint64_t before = seq;
		seq = write_n(p, seq, 1000, 2000);
		T_CHECK(seq > before);
		n = drain(c, &expect, 2000);
		T_EQ_I(n, (int)(seq - before));
		if (n < 0)
			break;
		total += n;
	}
	ring_stat(c, &st);
	T_EQ_U(st.written, (uint64_t)total);
	T_EQ_U(st.read, (uint64_t)total);
	T_EQ_U(st.last_seq, seq - 1);
	T_EQ_U(st.read_seq, seq - 1);
	T_EQ_U(st.head, st.tail);
	T_CHECK(st.tail > 100 * (uint64_t)CAP);     /* wrapped many times */
	T_EQ_U(st.dropped, 0);
	T_CHECK(st.full_events > 0);
	/* Records of every size in 0..200 bytes, one at a time: exact round trips. */
	for (uint32_t len = 0; len <= 200; len++) {
		unsigned char buf[256], exp[256];
		struct ring_msg m;
		uint64_t cur = ring_head(c);

		memset(exp, (int)len, sizeof exp);
		T_EQ_I(ring_write(p, 7, exp, len), RING_OK);
		T_EQ_I(ring_next(c, &cur, &m), 1);
		T_EQ_U(m.len, len);
		T_EQ_U(m.type, 7);
		T_EQ_U(m.seq, seq++);
		T_CHECK(m.len == 0 || memcmp(m.data, exp, len) == 0);
		T_EQ_U(cur - m.pos, (16 + len + 15) / 16 * 16);
		T_EQ_I(ring_next(c, &cur, &m), 0);
		ring_release(c, cur);
		(void)buf;
	}
	T_EQ_I(ring_write(p, 0xff00, "x", 1), RING_ESYS);
	ring_close(p);
	ring_close(c);
	ring_unlink(path);
}

static void
t_max_record(void)
{
	const char *path = fresh();
	struct ring_opts o = opts(RING_BLOCK);
	struct ring *p, *c;
	static unsigned char big[CAP / 4 + 16];
	struct ring_msg m;
	uint64_t cur;
	int err;

	o.max_record = 5000;
	p = open_role(path, RING_PRODUCER, &o);
	c = open_role(path, RING_CONSUMER, &o);
	T_CHECK(p && c);
	if (!p || !c)
		return;
	memset(big, 0x5a, sizeof big);
	T_EQ_I(ring_write(p, 1, big, 5000), RING_OK);
	T_EQ_I(ring_write(p, 1, big, 5001), RING_ETOOBIG);
	T_CHECK(ring_reserve(p, 5001, &err) == NULL);
	T_EQ_I(err, RING_ETOOBIG);
	cur = ring_head(c);
	T_EQ_I(ring_next(c, &cur, &m), 1);
	T_EQ_U(m.len, 5000);
	T_EQ_I(ring_next(c, &cur, &m), 0);
	ring_release(c, cur);
	ring_close(p);
	ring_close(c);
	ring_unlink(path);

	/* Default max_record = capacity/4: the largest fits, one more byte does not. */
	path = fresh();
	o = opts(RING_BLOCK);
	p = open_role(path, RING_PRODUCER, &o);
	c = open_role(path, RING_CONSUMER, &o);
	if (!p || !c)
		return;
	for (int i = 0; i < 20; i++) {
		T_EQ_I(ring_write(p, 1, big, CAP / 4), RING_OK);
		cur = ring_head(c);
		T_EQ_I(ring_next(c, &cur, &m), 1);
		T_EQ_U(m.len, CAP / 4);
		T_CHECK(memcmp(m.data, big, CAP / 4) == 0);
		ring_release(c, cur);
	}
	T_EQ_I(ring_write(p, 1, big, CAP / 4 + 1), RING_ETOOBIG);
	ring_close(p);
	ring_close(c);
	ring_unlink(path);
}

static void
t_reserve_commit(void)
{
	const char *path = fresh();
	struct ring_opts o = opts(RING_BLOCK);
	struct ring *p = open_role(path, RING_PRODUCER, &o), *c = open_role(path, RING_CONSUMER, &o);
	struct ring_msg m;
	uint64_t cur;
	unsigned char *d;
	int err;

	if (!p || !c) {
		T_CHECK(0);
		return;
	}
	d = ring_reserve(p, 100, &err);
	T_CHECK(d != NULL);
	T_EQ_I(err, RING_OK);
	T_CHECK(ring_reserve(p, 10, &err) == NULL);     /* one reservation at a time */
	if (!d)
		return;
	cur = ring_head(c);
	T_EQ_I(ring_next(c, &cur, &m), 0);              /* claimed, not committed */
	memcpy(d, "hello world", 11);
	ring_commit(p, 3, 11);
	T_EQ_I(ring_next(c, &cur, &m), 1);
	T_EQ_U(m.len, 11);
	T_EQ_U(m.type, 3);
	T_EQ_U(m.seq, 1);
	T_CHECK(memcmp(m.data, "hello world", 11) == 0);
	T_EQ_U(cur, 32);
	ring_release(c, cur);
	T_EQ_I(ring_write(p, 3, "z", 1), RING_OK);
	cur = ring_head(c);
	T_EQ_I(ring_next(c, &cur, &m), 1);
	T_EQ_U(m.seq, 2);
	ring_close(p);
	ring_close(c);
	ring_unlink(path);
}

static void
t_block_full(void)
{
	const char *path = fresh();
	struct ring_opts o = opts(RING_BLOCK);
	struct ring *p = open_role(path, RING_PRODUCER, &o), *c = open_role(path, RING_CONSUMER, &o);
	struct ring_stat st;
	unsigned char buf[1000];
	uint64_t expect = 1;
	int ok = 0, rc;

	if (!p || !c) {
		T_CHECK(0);
		return;
	}
	memset(buf, 1, sizeof buf);
	while ((rc = ring_write(p, PEER_TYPE, buf, 0)) == RING_OK)
		ok++;
	T_EQ_I(rc, RING_EAGAIN);
	ring_stat(p, &st);
	T_EQ_U(st.written, (uint64_t)ok);
	T_EQ_U(st.full_events, 1);
	T_EQ_U(st.dropped, 0);
	/* Exactly full: capacity minus the zeroed header kept free. */
	T_EQ_U((uint64_t)ok * 16, CAP - 16);
	T_EQ_I(ring_write(p, PEER_TYPE, buf, 0), RING_EAGAIN);
	{
		struct ring_msg m;
		uint64_t cur = ring_head(c);
		int n = 0;
		while (ring_next(c, &cur, &m) == 1) {
			T_CHECK(m.seq == expect);
			expect++;
			n++;
		}
		T_EQ_I(n, ok);
		ring_release(c, cur);
	}
	T_EQ_I(ring_write(p, PEER_TYPE, buf, 100), RING_OK);
	ring_close(p);
	ring_close(c);
	ring_unlink(path);
}

static void
t_drop_gap(void)
{
	const char *path = fresh();
	struct ring_opts o = opts(RING_DROP);
	struct ring *p = open_role(path, RING_PRODUCER, &o), *c = open_role(path, RING_CONSUMER, &o);
	struct ring_stat st;
	struct ring_msg m;
	unsigned char buf[1000];
	uint64_t cur, ok = 0, drops = 0, expect = 1;
	int rc;

	if (!p || !c) {
		T_CHECK(0);
		return;
	}
	memset(buf, 2, sizeof buf);
	while ((rc = ring_write(p, PEER_TYPE, buf, 500)) == RING_OK)
		ok++;
	T_EQ_I(rc, RING_EDROPPED);
	drops = 1;
	for (int i = 0; i < 9; i++)
		drops += ring_write(p, PEER_TYPE, buf, 500) == RING_EDROPPED;
	T_EQ_U(drops, 10);
	ring_stat(p, &st);
	T_EQ_U(st.dropped, 10);
	T_EQ_U(st.pending_gap, 10);
	T_EQ_U(st.full_events, 10);
	T_EQ_U(st.last_seq, ok);
	/* Drain, then one record: a gap frame {ok+1, 10} with seq ok+11, then the record ok+12. */
	cur = ring_head(c);
	while ((rc = ring_next(c, &cur, &m)) == 1)
		T_EQ_U(m.seq, expect++);
	T_EQ_I(rc, 0);
	ring_release(c, cur);
	T_EQ_I(ring_write(p, PEER_TYPE, buf, 500), RING_OK);
	T_EQ_I(ring_next(c, &cur, &m), 1);
	T_EQ_U(m.type, RING_T_GAP);
	T_EQ_U(m.len, sizeof(struct ring_gap));
	if (m.type == RING_T_GAP) {
		struct ring_gap g;
		memcpy(&g, m.data, sizeof g);
		T_EQ_U(g.first_seq, ok + 1);
		T_EQ_U(g.count, 10);
		T_EQ_U(m.seq, ok + 11);
	}
	T_EQ_I(ring_next(c, &cur, &m), 1);
	T_EQ_U(m.type, PEER_TYPE);
	T_EQ_U(m.seq, ok + 12);
	ring_release(c, cur);
	ring_stat(p, &st);
	T_EQ_U(st.gaps, 1);
	T_EQ_U(st.pending_gap, 0);
	T_EQ_U(st.read, ok + 1);
	T_EQ_U(st.read_seq, ok + 12);
	ring_close(p);
	ring_close(c);
	ring_unlink(path);
}

static void
t_torn(void)
{
	const char *path = fresh();
	struct ring_opts o = opts(RING_BLOCK);
	struct ring *p = open_role(path, RING_PRODUCER, &o), *c = open_role(path, RING_CONSUMER, &o);
	struct ring_stat st;
	struct ring_msg m;
	unsigned char buf[64];
	uint64_t cur, seq = 1;
	int err, n = 0;

	if (!p || !c) {
		T_CHECK(0);
		return;
	}
	/* One lap of equal 48-byte frames, consumed: every 48 bytes an old
	 * committed header now lies in wait for a producer that forgets to zero. */
	memset(buf, 3, sizeof buf);
	for (int i = 0; i < 3 * CAP / 48; i++) {
		if (ring_write(p, PEER_TYPE, buf, 32) != RING_OK) {
			cur = ring_head(c);
			while (ring_next(c, &cur, &m) == 1)
				seq = m.seq + 1;
			ring_release(c, cur);
			i--;
		}
	}
	cur = ring_head(c);
	while (ring_next(c, &cur, &m) == 1)
		seq = m.seq + 1;
	ring_release(c, cur);
	/* Claim a frame and die: the handle is dropped without commit (the
	 * library's close does nothing to the frame, like SIGKILL). */
	T_CHECK(ring_reserve(p, 32, &err) != NULL);
	ring_close(p);
	T_EQ_I(ring_next(c, &cur, &m), 0);              /* claimed: nothing yet */
	p = open_role(path, RING_PRODUCER, &o);
	if (!p)
		return;
	ring_stat(p, &st);
	T_EQ_U(st.torn, 1);
	T_EQ_U(st.producer_attaches, 2);
	T_EQ_U(st.last_seq, seq - 1);
	/* The torn frame is skipped, the stale header after it is not read. */
	T_EQ_I(ring_next(c, &cur, &m), 0);
	T_EQ_I(ring_write(p, PEER_TYPE, "abc", 3), RING_OK);
	while (ring_next(c, &cur, &m) == 1) {
		T_EQ_U(m.seq, seq);                     /* the torn record's seq is reused */
		T_EQ_U(m.len, 3);
		n++;
	}
	T_EQ_I(n, 1);
	ring_release(c, cur);

	/* Claim at the very end of the area (after padding) and die. */
	for (;;) {
		uint64_t off;

		ring_stat(p, &st);
		off = st.tail & (CAP - 1);
		if (off >= CAP - 64)
			break;
		T_EQ_I(ring_write(p, PEER_TYPE, buf, off < CAP - 256 ? 32 : 0), RING_OK);
		cur = ring_head(c);
		while (ring_next(c, &cur, &m) == 1)
			;
		ring_release(c, cur);
	}
	T_CHECK(ring_reserve(p, 100, &err) != NULL);
	ring_close(p);
	p = open_role(path, RING_PRODUCER, &o);
	if (!p)
		return;
	ring_stat(p, &st);
	T_EQ_U(st.torn, 2);
	T_EQ_I(ring_next(c, &cur, &m), 0);
	T_EQ_I(ring_write(p, PEER_TYPE, "defg", 4), RING_OK);
	T_EQ_I(ring_next(c, &cur, &m), 1);
	T_EQ_U(m.len, 4);
	T_EQ_U(m.seq, st.last_seq + 1);
	ring_release(c, cur);
	ring_close(p);
	ring_close(c);
	ring_unlink(path);
}

/* Producer died after committing but before publishing its tail: the
 * restarted producer finds the true end by walking committed frames. */
static void
t_unpublished_tail(void)
{
	const char *path = fresh();
	struct ring_opts o = opts(RING_BLOCK);
	struct ring *p = open_role(path, RING_PRODUCER, &o), *c;
	struct ring_stat st;
	struct ring_msg m;
	unsigned char *raw;
	size_t len;
	uint64_t tail0, cur, seq = 0;

	if (!p) {
		T_CHECK(0);
		return;
	}
	T_EQ_I(ring_write(p, PEER_TYPE, "one", 3), RING_OK);
	ring_stat(p, &st);
	tail0 = st.tail;
	T_EQ_I(ring_write(p, PEER_TYPE, "two", 3), RING_OK);
	T_EQ_I(ring_write(p, PEER_TYPE, "three", 5), RING_OK);
	ring_close(p);
	raw = raw_map(path, &len);
	if (!raw)
		return;
	memcpy(raw + HOT_OFF, &tail0, 8);               /* tail back to after "one" */
	seq = 1;
	memcpy(raw + HOT_OFF + 16, &seq, 8);            /* last_seq back to 1 */
	munmap(raw, len);
	p = open_role(path, RING_PRODUCER, &o);
	c = open_role(path, RING_CONSUMER, &o);
	if (!p || !c)
		return;
	ring_stat(p, &st);
	T_EQ_U(st.last_seq, 3);
	T_EQ_I(ring_write(p, PEER_TYPE, "four", 4), RING_OK);
	cur = ring_head(c);
	seq = 0;
	while (ring_next(c, &cur, &m) == 1)
		T_EQ_U(m.seq, ++seq);
	T_EQ_U(seq, 4);
	ring_close(p);
	ring_close(c);

	/* Killed after publishing last_seq but before the tail: not counted twice. */
	p = open_role(path, RING_PRODUCER, &o);
	if (!p || !(raw = raw_map(path, &len)))
		return;
	ring_stat(p, &st);
	tail0 = st.tail;
	T_EQ_I(ring_write(p, PEER_TYPE, "five", 4), RING_OK);
	ring_close(p);
	memcpy(raw + HOT_OFF, &tail0, 8);
	munmap(raw, len);
	p = open_role(path, RING_PRODUCER, &o);
	c = open_role(path, RING_CONSUMER, &o);
	if (!p || !c)
		return;
	ring_stat(p, &st);
	T_EQ_U(st.last_seq, 5);
	T_EQ_U(st.tail, tail0 + 32);
	T_EQ_I(ring_write(p, PEER_TYPE, "six", 3), RING_OK);
	cur = ring_head(c);
	seq = 0;
	while (ring_next(c, &cur, &m) == 1)
		T_EQ_U(m.seq, ++seq);
	T_EQ_U(seq, 6);
	ring_close(p);
	ring_close(c);
	ring_unlink(path);
}

/* Producer died after committing a gap frame and a record but before
 * publishing anything: the restarted producer must see that the pending gap
 * was already written, or it would write it twice. */
static void
t_gap_recovery(void)
{
	const char *path = fresh();
	struct ring_opts o = opts(RING_DROP);
	struct ring *p = open_role(path, RING_PRODUCER, &o), *c = open_role(path, RING_CONSUMER, &o);
	struct ring_stat st;
	struct ring_msg m;
	unsigned char buf[1000], saved[128], *raw;
	uint64_t cur;
	size_t len;
	int n = 0, gaps = 0;

	if (!p || !c || !(raw = raw_map(path, &len))) {
		T_CHECK(0);
		return;
	}
	memset(buf, 4, sizeof buf);
	while (ring_write(p, PEER_TYPE, buf, 900) == RING_OK)
		;
	T_EQ_I(ring_write(p, PEER_TYPE, buf, 900), RING_EDROPPED);
	cur = ring_head(c);
	while (ring_next(c, &cur, &m) == 1)
		n++;
	ring_release(c, cur);
	memcpy(saved, raw + HOT_OFF, sizeof saved);     /* tail, last_seq, pending gap of 2 */
	T_EQ_I(ring_write(p, PEER_TYPE, buf, 10), RING_OK);
	ring_close(p);
	memcpy(raw + HOT_OFF, saved, sizeof saved);     /* as if it died before publishing */
	p = open_role(path, RING_PRODUCER, &o);
	if (!p)
		return;
	ring_stat(p, &st);
	T_EQ_U(st.pending_gap, 0);
	T_EQ_U(st.last_seq, (uint64_t)n + 4);
	T_EQ_I(ring_write(p, PEER_TYPE, buf, 20), RING_OK);
	n = 0;
	while (ring_next(c, &cur, &m) == 1) {
		gaps += m.type == RING_T_GAP;
		n++;
	}
	T_EQ_I(gaps, 1);
	T_EQ_I(n, 3);
	T_EQ_I(ring_next(c, &cur, &m), 0);
	ring_release(c, cur);

	/* Killed after publishing the gap frame's seq, before clearing the
	 * pending gap and publishing the tail. */
	T_EQ_I(ring_write(p, PEER_TYPE, buf, 900), RING_OK);
	while (ring_write(p, PEER_TYPE, buf, 900) == RING_OK)
		;
	while (ring_next(c, &cur, &m) == 1)
		;
	ring_release(c, cur);
	memcpy(saved, raw + HOT_OFF, sizeof saved);
	T_EQ_I(ring_write(p, PEER_TYPE, buf, 10), RING_OK);      /* gap frame, then this */
	{
		uint64_t gapseq;

		ring_stat(p, &st);
		gapseq = st.last_seq - 1;
		ring_close(p);
		memcpy(raw + HOT_OFF, saved, sizeof saved);
		memcpy(raw + HOT_OFF + 16, &gapseq, 8);         /* last_seq = the gap frame's */
	}
	p = open_role(path, RING_PRODUCER, &o);
	if (!p)
		return;
	ring_stat(p, &st);
	T_EQ_U(st.pending_gap, 0);
	T_EQ_I(ring_write(p, PEER_TYPE, buf, 20), RING_OK);
	n = gaps = 0;
	while (ring_next(c, &cur, &m) == 1) {
		gaps += m.type == RING_T_GAP;
		n++;
	}
	T_EQ_I(gaps, 1);
	T_EQ_I(n, 3);
	T_EQ_I(ring_next(c, &cur, &m), 0);
	munmap(raw, len);
	ring_close(p);
	ring_close(c);
	ring_unlink(path);
}

static void
t_corrupt_frames(void)
{
	struct {
		const char *what;
		size_t off;       /* within the 2nd frame (which starts at data + 32) */
		uint64_t val;
		int n;
	} cases[] = {
		{"huge length", 0, 0x7fffffff, 4},
		{"short length", 0, 5, 4},
		{"length past the end", 0, CAP, 4},
		{"pad not at end", 4, 0xffff, 2},
		{"gap of wrong length", 4, 0xfffe, 2},
		{"seq jump", 8, 99, 8},
		{"seq zero", 8, 0, 8},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		const char *path = fresh();
		struct ring_opts o = opts(RING_BLOCK);
		struct ring *p = open_role(path, RING_PRODUCER, &o), *c = open_role(path, RING_CONSUMER, &o), *i;
		struct ring_msg m;
		unsigned char *raw, buf[64];
		size_t len;
		uint64_t cur;
		int lapped, rc;

		if (!p || !c) {
			T_CHECK(0);
			return;
		}
		for (int j = 0; j < 3; j++)
			T_EQ_I(ring_write(p, PEER_TYPE, "0123456789", 10), RING_OK);
		raw = raw_map(path, &len);
		if (!raw)
			return;
		memcpy(raw + DATA_OFF + 32 + cases[k].off, &cases[k].val, (size_t)cases[k].n);
		cur = ring_head(c);
		T_EQ_I(ring_next(c, &cur, &m), 1);
		rc = ring_next(c, &cur, &m);
		if (rc != RING_ECORRUPT)
			fprintf(stderr, "  case %s: rc %d\n", cases[k].what, rc);
		T_EQ_I(rc, RING_ECORRUPT);
		T_EQ_U(cur, 32);
		T_CHECK(strstr(ring_errmsg(c), "position 32") != NULL);
		/* The inspector reports it too, through its copying path. */
		i = open_role(path, RING_INSPECT, NULL);
		if (i) {
			cur = 32;
			rc = ring_peek_copy(i, &cur, &m, buf, sizeof buf, &lapped);
			if (cases[k].off != 8 || cases[k].val == 0)
				T_EQ_I(rc, RING_ECORRUPT);
			T_EQ_I(lapped, 0);
			ring_close(i);
		}
		munmap(raw, len);
		ring_close(p);
		ring_close(c);
		ring_unlink(path);
	}
}

/*
 * Read what the consumer can get (at most `budget` steps), resynchronising
 * past corruption the way the daemons do.  Checks the accounting: every seq
 * from *expect on arrives once, as a record or inside a gap, in order.
 * Returns the records read, or -1 (a hang shows as seqs missing in *expect).
 */
static int
read_resync(struct ring *c, uint64_t *cur, uint64_t *expect, uint64_t *lost, int *resyncs, int budget)
{
	struct ring_msg m;
	struct ring_gap g;
	uint64_t skipped;
	int n = 0, rc;

	while (budget-- > 0) {
		rc = ring_next(c, cur, &m);
		if (rc == 0)
			break;
		if (rc == RING_ECORRUPT) {
			if (ring_resync(c, cur, &skipped) != RING_OK) {
				fprintf(stderr, "  ring_resync failed: %s\n", ring_errmsg(c));
				return -1;
			}
			(*resyncs)++;
			continue;
		}
		if (rc != 1) {
			fprintf(stderr, "  ring_next %d\n", rc);
			return -1;
		}
		if (m.type == RING_T_GAP) {
			memcpy(&g, m.data, sizeof g);
			if (!(m.flags & RING_F_RESYNC) || g.first_seq != *expect || g.count == 0 ||
			    m.seq != g.first_seq + g.count - 1) {
				fprintf(stderr, "  gap {%" PRIu64 ", %" PRIu64 "} seq %" PRIu64 " flags %x, expected %" PRIu64 "\n",
				    g.first_seq, g.count, m.seq, m.flags, *expect);
				return -1;
			}
			*lost += g.count;
			*expect += g.count;
			continue;
		}
		if (m.seq != *expect) {
			fprintf(stderr, "  record seq %" PRIu64 " expected %" PRIu64 "\n", m.seq, *expect);
			return -1;
		}
		(*expect)++;
		n++;
	}
	ring_release(c, *cur);
	return n;
}

/* Issue 14.2: a frame length of 0 or < 0 before the committed tail used to
 * read as "nothing yet" for ever.  Now it is reported, counted and skipped
 * with a gap of exactly the records lost. */
static void
t_corrupt_resync(void)
{
	static const struct { const char *what; int32_t len; int frames; } cases[] = {
		{"zero length", 0, 1},
		{"negative length", -48, 1},
		{"zero length over 3 frames", 0, 3},
		{"everything up to the tail", 0, 100},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		const char *path = fresh();
		struct ring_opts o = opts(RING_BLOCK);
		struct ring *p = open_role(path, RING_PRODUCER, &o), *c = open_role(path, RING_CONSUMER, &o), *i;
		struct ring_stat st;
		struct ring_msg m;
		unsigned char *raw, buf[64];
		size_t len;
		uint64_t cur, expect = 1, lost = 0, seq, bad_pos = 0;
		int resyncs = 0, n, lapped;

		if (!p || !c) {
			T_CHECK(0);
			return;
		}
		/* 40 records of 10 bytes (32-byte frames); the consumer takes 5. */
		for (int j = 0; j < 40; j++)
			T_EQ_I(ring_write(p, PEER_TYPE, "0123456789", 10), RING_OK);
		cur = ring_head(c);
		T_EQ_I(read_resync(c, &cur, &expect, &lost, &resyncs, 5), 5);
		if (!(raw = raw_map(path, &len)))
			return;
		/* Wipe the headers of frames 10.. (seq 10 starts at 9 * 32). */
		for (int j = 0; j < cases[k].frames && 9 + j < 40; j++) {
			int32_t v = cases[k].len;
			memcpy(raw + DATA_OFF + (9 + j) * 32, &v, 4);
		}
		bad_pos = 9 * 32;
		cur = ring_head(c);
		/* Before the fix: 0 here, with 35 records pending. */
		n = 0;
		while (n < 10 && ring_next(c, &cur, &m) == 1)
			n++;
		T_EQ_I(n, 4);
		T_EQ_I(ring_next(c, &cur, &m), RING_ECORRUPT);
		T_EQ_U(cur, bad_pos);
		T_CHECK(strstr(ring_errmsg(c), "before the committed tail") != NULL);
		/* The inspector sees the same, instead of 0 records with bytes pending. */
		if ((i = open_role(path, RING_INSPECT, NULL))) {
			seq = bad_pos;
			T_EQ_I(ring_peek_copy(i, &seq, &m, buf, sizeof buf, &lapped), RING_ECORRUPT);
			T_EQ_I(lapped, 0);
			ring_close(i);
		}
		/* ring_wait must not say "nothing" there either (it would sleep on it). */
		T_EQ_I(ring_wait(c, cur, 0), 1);
		cur = ring_head(c);
		expect = 6;
		n = read_resync(c, &cur, &expect, &lost, &resyncs, 200);
		if (cases[k].frames >= 31) {
			/* Nothing valid up to the tail: the gap comes with the next record. */
			T_EQ_I(n, 4);
			T_EQ_U(expect, 10);
			T_EQ_U(cur, 40 * 32);
			T_EQ_I(ring_write(p, PEER_TYPE, "0123456789", 10), RING_OK);
			T_EQ_I(read_resync(c, &cur, &expect, &lost, &resyncs, 200), 1);
			T_EQ_U(expect, 42);
			T_EQ_U(lost, 31);
		} else {
			T_EQ_I(n, 35 - cases[k].frames);
			T_EQ_U(expect, 41);
			T_EQ_U(lost, (uint64_t)cases[k].frames);
		}
		T_EQ_I(resyncs, 1);
		ring_stat(c, &st);
		T_EQ_U(st.corrupt, 1);
		T_EQ_U(st.corrupt_pos, bad_pos);
		T_EQ_U(st.corrupt_lost, lost);
		T_EQ_U(st.corrupt_bytes, (uint64_t)(cases[k].frames >= 31 ? 31 : cases[k].frames) * 32);
		T_EQ_U(st.head, st.tail);       /* everything released: a blocking producer is free again */
		if (k == 0) {
			/* A consumer restarted after the resync goes on where it released. */
			ring_close(c);
			c = open_role(path, RING_CONSUMER, &o);
			T_EQ_I(ring_write(p, PEER_TYPE, "0123456789", 10), RING_OK);
			cur = ring_head(c);
			T_EQ_I(read_resync(c, &cur, &expect, &lost, &resyncs, 10), 1);
			T_EQ_I(resyncs, 1);
		}
		munmap(raw, len);
		ring_close(p);
		ring_close(c);
		ring_unlink(path);
	}
}

/* Two damaged spots read past, then a release somewhere other than where
 * reading got to: the release walk steps over both skipped ranges. */
static void
t_resync_release_walk(void)
{
	const char *path = fresh();
	struct ring_opts o = opts(RING_BLOCK);
	struct ring *p = open_role(path, RING_PRODUCER, &o), *c = open_role(path, RING_CONSUMER, &o);
	struct ring_stat st;
	struct ring_msg m;
	unsigned char *raw;
	size_t len;
	uint64_t cur, mid = 0, skipped;
	int32_t zero = 0;
	int rc, n = 0;

	if (!p || !c || !(raw = raw_map(path, &len))) {
		T_CHECK(0);
		return;
	}
	for (int j = 0; j < 40; j++)
		T_EQ_I(ring_write(p, PEER_TYPE, "0123456789", 10), RING_OK);
	memcpy(raw + DATA_OFF + 9 * 32, &zero, 4);      /* seq 10 */
	memcpy(raw + DATA_OFF + 19 * 32, &zero, 4);     /* seq 20 */
	cur = ring_head(c);
	while ((rc = ring_next(c, &cur, &m)) != 0) {
		if (rc == RING_ECORRUPT) {
			T_EQ_I(ring_resync(c, &cur, &skipped), RING_OK);
			T_EQ_U(skipped, 32);
			continue;
		}
		T_EQ_I(rc, 1);
		if (m.type != RING_T_GAP && m.seq == 30)
			mid = cur;
		n++;
	}
	T_EQ_I(n, 38 + 2);                              /* 38 records, 2 gaps of 1 */
	ring_release(c, mid);
	ring_stat(c, &st);
	T_EQ_U(st.head, 30 * 32);
	T_EQ_U(st.read, 28);
	T_EQ_U(st.read_seq, 30);
	ring_release(c, cur);
	ring_stat(c, &st);
	T_EQ_U(st.head, st.tail);
	T_EQ_U(st.corrupt, 2);
	T_EQ_U(st.corrupt_lost, 2);
	munmap(raw, len);
	ring_close(p);
	ring_close(c);
	ring_unlink(path);
}

/* Garbage with a positive length at the committed tail is "not yet
 * written", not a record, and not a reason to spin in ring_wait. */
static void
t_garbage_at_tail(void)
{
	const char *path = fresh();
	struct ring_opts o = opts(RING_BLOCK);
	struct ring *p = open_role(path, RING_PRODUCER, &o), *c = open_role(path, RING_CONSUMER, &o);
	struct ring_msg m;
	unsigned char *raw;
	size_t len;
	uint64_t cur, expect = 1, lost = 0;
	int resyncs = 0;
	int32_t v = 0x1234567;

	if (!p || !c || !(raw = raw_map(path, &len))) {
		T_CHECK(0);
		return;
	}
	for (int j = 0; j < 3; j++)
		T_EQ_I(ring_write(p, PEER_TYPE, "0123456789", 10), RING_OK);
	memcpy(raw + DATA_OFF + 3 * 32, &v, 4);
	cur = ring_head(c);
	T_EQ_I(read_resync(c, &cur, &expect, &lost, &resyncs, 10), 3);
	T_EQ_I(ring_next(c, &cur, &m), 0);
	T_EQ_I(ring_wait(c, cur, 20), 0);
	T_EQ_I(ring_write(p, PEER_TYPE, "0123456789", 10), RING_OK);   /* the producer writes over it */
	T_EQ_I(read_resync(c, &cur, &expect, &lost, &resyncs, 10), 1);
	T_EQ_U(lost, 0);
	T_EQ_I(resyncs, 0);
	munmap(raw, len);
	ring_close(p);
	ring_close(c);
	ring_unlink(path);
}

/* Random bytes anywhere in the unread area (and past the tail): the consumer
 * never hangs or crashes, and every seq is accounted for exactly. */
static void
t_corrupt_random(void)
{
	/* Fixed by default (a failure reproduces); RING_CORRUPT_SEED explores others. */
	const char *env = getenv("RING_CORRUPT_SEED");
	uint64_t x = env ? strtoull(env, NULL, 0) | 1 : 0x9e3779b97f4a7c15ULL;
	int hit = 0;

	for (int k = 0; k < 300; k++) {
		const char *path = fresh();
		struct ring_opts o = opts(k % 2 ? RING_DROP : RING_BLOCK);
		struct ring *p = open_role(path, RING_PRODUCER, &o), *c = open_role(path, RING_CONSUMER, &o);
		struct ring_stat st;
		unsigned char *raw;
		size_t len, off, n;
		uint64_t cur, expect = 1, lost = 0, seq;
		int resyncs = 0, got;

		if (!p || !c || !(raw = raw_map(path, &len))) {
			T_CHECK(0);
			return;
		}
		/* Fill most of the ring (and wrap on odd rounds), read a part. */
		seq = write_n(p, 1, 200, 700);
		cur = ring_head(c);
		if (read_resync(c, &cur, &expect, &lost, &resyncs, 1000) < 0)
			T_CHECK(!"clean read failed");
		seq = write_n(p, seq, 40 + k % 50, 700);
		ring_stat(p, &st);
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		off = (size_t)(st.head + x % (st.tail - st.head + 1)) & (CAP - 1);
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		n = 1 + x % (k % 3 == 0 ? 64 : 4096);
		for (size_t b = 0; b < n; b++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			raw[DATA_OFF + ((off + b) & (CAP - 1))] = (unsigned char)(k % 5 == 0 ? 0 : x >> 32);
		}
		got = read_resync(c, &cur, &expect, &lost, &resyncs, 2000);
		T_CHECK(got >= 0);
		/* A resync that reached the tail reports its gap with the next record. */
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		T_EQ_I(ring_write(p, PEER_TYPE, "x", 1), RING_OK);
		T_CHECK(read_resync(c, &cur, &expect, &lost, &resyncs, 2000) >= 1);
		T_EQ_U(expect, seq + 1);
		ring_stat(c, &st);
		T_EQ_U(st.corrupt, (uint64_t)resyncs);
		T_EQ_U(st.corrupt_lost, lost);
		hit += resyncs > 0;
		munmap(raw, len);
		ring_close(p);
		ring_close(c);
		ring_unlink(path);
	}
	/* The cases must exercise the resync, not only payload bytes. */
	T_CHECK(hit > 100);
}

static void
t_corrupt_positions(void)
{
	const char *path = fresh();
	struct ring_opts o = opts(RING_BLOCK);
	struct ring *p = open_role(path, RING_PRODUCER, &o), *x = NULL;
	unsigned char *raw;
	char err[256];
	size_t len;
	uint64_t v;

	if (!p) {
		T_CHECK(0);
		return;
	}
	T_EQ_I(ring_write(p, PEER_TYPE, "x", 1), RING_OK);
	ring_close(p);
	if (!(raw = raw_map(path, &len)))
		return;
	v = 7;                                          /* misaligned head */
	memcpy(raw + HOT_OFF + 128, &v, 8);
	T_EQ_I(ring_open(path, RING_CONSUMER, &o, &x, err, sizeof err), RING_ECORRUPT);
	T_CHECK(strstr(err, "misaligned") != NULL);
	T_EQ_I(ring_open(path, RING_PRODUCER, &o, &x, err, sizeof err), RING_ECORRUPT);
	v = (uint64_t)CAP * 4;                          /* head far beyond the tail */
	memcpy(raw + HOT_OFF + 128, &v, 8);
	T_EQ_I(ring_open(path, RING_CONSUMER, &o, &x, err, sizeof err), RING_ECORRUPT);
	T_CHECK(strstr(err, "capacity apart") != NULL);
	v = 0;
	memcpy(raw + HOT_OFF + 128, &v, 8);
	T_CHECK((x = open_role(path, RING_CONSUMER, &o)) != NULL);
	ring_close(x);
	munmap(raw, len);
	ring_unlink(path);
}

static void
t_consumer_resume(void)
{
	const char *path = fresh();
	struct ring_opts o = opts(RING_BLOCK);
	struct ring *p = open_role(path, RING_PRODUCER, &o), *c = open_role(path, RING_CONSUMER, &o);
	struct ring_stat st;
	struct ring_msg m;
	uint64_t cur, mid = 0;

	if (!p || !c) {
		T_CHECK(0);
		return;
	}
	for (int i = 0; i < 10; i++)
		T_EQ_I(ring_write(p, PEER_TYPE, &i, sizeof i), RING_OK);
	cur = ring_head(c);
	for (int i = 0; i < 7; i++) {
		T_EQ_I(ring_next(c, &cur, &m), 1);
		if (i == 3)
			mid = cur;
	}
	ring_release(c, mid);                           /* released 4, read 7 */
	ring_stat(c, &st);
	T_EQ_U(st.read, 4);
	T_EQ_U(st.read_seq, 4);
	ring_close(c);
	c = open_role(path, RING_CONSUMER, &o);
	if (!c)
		return;
	ring_stat(c, &st);
	T_EQ_U(st.consumer_attaches, 2);
	cur = ring_head(c);
	T_EQ_U(cur, mid);
	T_EQ_I(ring_next(c, &cur, &m), 1);
	T_EQ_U(m.seq, 5);
	T_EQ_I(*(const int *)m.data, 4);
	/* Release in the middle of a read run: counted by walking. */
	T_EQ_I(ring_next(c, &cur, &m), 1);
	mid = cur;
	T_EQ_I(ring_next(c, &cur, &m), 1);
	ring_release(c, mid);
	ring_stat(c, &st);
	T_EQ_U(st.read, 6);
	T_EQ_U(st.read_seq, 6);
	ring_close(p);
	ring_close(c);
	ring_unlink(path);
}

static void
t_peek(void)
{
	const char *path = fresh();
	struct ring_opts o = opts(RING_BLOCK);
	struct ring *p = open_role(path, RING_PRODUCER, &o), *c = open_role(path, RING_CONSUMER, &o), *i;
	struct ring_stat st;
	struct ring_msg m;
	unsigned char buf[4096];
	uint64_t cur, icur, head0;
	int lapped, n;

	if (!p || !c || !(i = open_role(path, RING_INSPECT, NULL))) {
		T_CHECK(0);
		return;
	}
	for (int k = 0; k < 5; k++)
		T_EQ_I(ring_write(p, PEER_TYPE, "peekaboo", 8), RING_OK);
	head0 = ring_head(i);
	icur = head0;
	n = 0;
	while (ring_peek_copy(i, &icur, &m, buf, sizeof buf, &lapped) == 1) {
		T_EQ_U(m.seq, (uint64_t)++n);
		T_CHECK(m.len == 8 && memcmp(buf, "peekaboo", 8) == 0);
		T_CHECK(m.data == buf);
	}
	T_EQ_I(n, 5);
	T_EQ_I(lapped, 0);
	ring_stat(i, &st);
	T_EQ_U(st.head, head0);                         /* the inspector never moves the head */
	T_EQ_U(ring_head(c), head0);
	T_EQ_I(ring_peek_copy(i, &icur, &m, buf, 4, &lapped), 0);
	T_EQ_I(ring_write(p, PEER_TYPE, "too long for 4", 14), RING_OK);
	T_EQ_I(ring_peek_copy(i, &icur, &m, buf, 4, &lapped), RING_ETOOBIG);
	/* Keep the inspector at the old position while the ring laps it. */
	icur = head0;
	for (int lap = 0; lap < 4; lap++) {
		T_EQ_U(write_n(p, 100, 200, 1000), 300);
		cur = ring_head(c);
		while (ring_next(c, &cur, &m) == 1)
			;
		ring_release(c, cur);
	}
	T_EQ_I(ring_peek_copy(i, &icur, &m, buf, sizeof buf, &lapped), RING_ECORRUPT);
	T_EQ_I(lapped, 1);
	/* Behind nothing: an inspector starting at the head reads what is buffered. */
	T_EQ_I(ring_write(p, PEER_TYPE, "fresh", 5), RING_OK);
	icur = ring_head(i);
	T_EQ_I(ring_peek_copy(i, &icur, &m, buf, sizeof buf, &lapped), 1);
	T_CHECK(m.len == 5 && memcmp(buf, "fresh", 5) == 0);
	ring_close(i);
	ring_close(p);
	ring_close(c);
	ring_unlink(path);
}

static void
t_busy_role(void)
{
	const char *path = fresh();
	struct ring_opts o = opts(RING_BLOCK);
	struct ring *x = NULL, *p = open_role(path, RING_PRODUCER, &o);
	struct ring_stat st;
	char err[256], b;
	int go[2], done[2], status;
	pid_t kid;

	if (!p || pipe(go) != 0 || pipe(done) != 0) {
		T_CHECK(0);
		return;
	}
	ring_close(p);
	kid = fork();
	if (kid == 0) {
		struct ring *k = open_role(path, RING_CONSUMER, &o);
		close(go[0]);
		close(done[1]);
		if (write(go[1], k ? "y" : "n", 1) != 1)
			_exit(3);
		if (read(done[0], &b, 1) < 0)
			_exit(3);
		_exit(0);       /* dies holding the role, without ring_close */
	}
	close(go[1]);
	close(done[0]);
	T_EQ_I(read(go[0], &b, 1), 1);
	T_EQ_I(b, 'y');
	T_EQ_I(ring_open(path, RING_CONSUMER, &o, &x, err, sizeof err), RING_EBUSY);
	T_CHECK(strstr(err, "live pid") != NULL);
	T_EQ_I(ring_open(path, RING_INSPECT, NULL, &x, err, sizeof err), RING_OK);   /* inspecting is fine */
	ring_close(x);
	/* The child exits: a zombie (not yet reaped) holds nothing either. */
	T_EQ_I(write(done[1], "x", 1), 1);
	{
		struct timespec ts = {0, 50000000};
		siginfo_t si;
		memset(&si, 0, sizeof si);
		T_EQ_I(waitid(P_PID, (id_t)kid, &si, WEXITED | WNOWAIT), 0);
		(void)ts;
	}
	x = open_role(path, RING_CONSUMER, &o);
	T_CHECK(x != NULL);
	if (x) {
		ring_stat(x, &st);
		T_EQ_I(st.consumer_pid, getpid());
		T_EQ_U(st.consumer_attaches, 2);
		ring_close(x);
	}
	waitpid(kid, &status, 0);
	T_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* A live pid with a stale heartbeat does not hold the role either. */
	{
		unsigned char *raw;
		size_t len;
		int32_t ppid = (int32_t)getppid();
		int64_t old = 1;
		if ((raw = raw_map(path, &len))) {
			memcpy(raw + HOT_OFF + 128 + 32, &ppid, 4);
			memcpy(raw + HOT_OFF + 128 + 24, &old, 8);
			x = open_role(path, RING_CONSUMER, &o);
			T_CHECK(x != NULL);
			if (x) {
				int32_t holder;

				T_EQ_I(ring_heartbeat(x), RING_OK);
				/* Taken over behind our back: the heartbeat says so, steals nothing. */
				memcpy(raw + HOT_OFF + 128 + 32, &ppid, 4);
				T_EQ_I(ring_heartbeat(x), RING_EBUSY);
				memcpy(&holder, raw + HOT_OFF + 128 + 32, 4);
				T_EQ_I(holder, ppid);
				ring_close(x);
				memcpy(&holder, raw + HOT_OFF + 128 + 32, 4);
				T_EQ_I(holder, ppid);           /* close does not release a role it lost */
			}
			munmap(raw, len);
		}
	}
	close(go[0]);
	close(done[1]);
	ring_unlink(path);
}

static void
t_wait_wake(void)
{
	const char *path = fresh(), *paths[3];
	char pbuf[3][128];
	struct ring_opts o = opts(RING_BLOCK);
	struct ring *c = open_role(path, RING_CONSUMER, &o), *cs[3];
	struct ring_msg m;
	uint64_t cur, curs[3];
	int status, rc;
	pid_t kid;

	if (!c) {
		T_CHECK(0);
		return;
	}
	cur = ring_head(c);
	T_EQ_I(ring_wait(c, cur, 0), 0);
	T_EQ_I(ring_wait(c, cur, 20), 0);               /* times out, nothing there */
	kid = fork();
	if (kid == 0) {
		struct ring *p = open_role(path, RING_PRODUCER, &o);
		struct timespec ts = {0, 30000000};
		nanosleep(&ts, NULL);   /* let the parent fall asleep first */
		_exit(p && ring_write(p, PEER_TYPE, "wake", 4) == RING_OK ? 0 : 1);
	}
	rc = ring_wait(c, cur, 10000);
	T_EQ_I(rc, 1);
	T_EQ_I(ring_next(c, &cur, &m), 1);
	T_CHECK(m.len == 4 && memcmp(m.data, "wake", 4) == 0);
	ring_release(c, cur);
	waitpid(kid, &status, 0);
	T_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ring_close(c);
	ring_unlink(path);

	/* Three rings, data arrives on the third. */
	for (int k = 0; k < 3; k++) {
		snprintf(pbuf[k], sizeof pbuf[k], "%s", fresh());
		paths[k] = pbuf[k];
		cs[k] = open_role(paths[k], RING_CONSUMER, &o);
		if (!cs[k]) {
			T_CHECK(0);
			return;
		}
		curs[k] = ring_head(cs[k]);
	}
	T_EQ_I(ring_wait_many(cs, curs, 3, 20), 0);
	kid = fork();
	if (kid == 0) {
		struct ring *p = open_role(paths[2], RING_PRODUCER, &o);
		struct timespec ts = {0, 30000000};
		nanosleep(&ts, NULL);
		_exit(p && ring_write(p, PEER_TYPE, "third", 5) == RING_OK ? 0 : 1);
	}
	T_EQ_I(ring_wait_many(cs, curs, 3, 10000), 1);
	T_EQ_I(ring_next(cs[0], &curs[0], &m), 0);
	T_EQ_I(ring_next(cs[2], &curs[2], &m), 1);
	T_EQ_U(m.len, 5);
	waitpid(kid, &status, 0);
	T_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	T_EQ_I(ring_wait_many(cs, curs, 17, 0), -1);
	for (int k = 0; k < 3; k++) {
		ring_close(cs[k]);
		ring_unlink(paths[k]);
	}
}

static void
busy_us(int us)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000 < us);
}

/* Ping-pong between two processes over two rings: every record finds the
 * other side asleep or falling asleep, the racy moment of the doorbell
 * protocol (the voluntary context switches logged show how often a side
 * really slept).  A lost wake-up stalls a round until the 30 s timeout
 * (long, so that a loaded machine's scheduling delay is never taken for
 * one): with the doorbell bump removed this case fails within 20000 rounds. */
static void
t_pingpong(void)
{
	char ping[128], pong[128];
	struct ring_opts o = opts(RING_BLOCK);
	struct ring *tx, *rx;
	struct ring_msg m;
	uint64_t cur;
	int status, rounds = 20000, stalls = 0;
	pid_t kid;

	snprintf(ping, sizeof ping, "%s", fresh());
	snprintf(pong, sizeof pong, "%s", fresh());
	tx = open_role(ping, RING_PRODUCER, &o);
	rx = open_role(pong, RING_CONSUMER, &o);
	if (!tx || !rx)
		return;
	kid = fork();
	if (kid == 0) {
		struct ring *krx = NULL, *ktx = NULL;
		char err[256];
		uint64_t kc;

		if (ring_open(ping, RING_CONSUMER, &o, &krx, err, sizeof err) != RING_OK ||
		    ring_open(pong, RING_PRODUCER, &o, &ktx, err, sizeof err) != RING_OK)
			_exit(2);
		kc = ring_head(krx);
		for (int i = 0; i < rounds; i++) {
			while (ring_next(krx, &kc, &m) != 1)
				if (ring_wait(krx, kc, 30000) == 0)
					_exit(3);
			ring_release(krx, kc);
			busy_us(i % 13);        /* around the consumer's spin-then-sleep edge */
			if (ring_write(ktx, PEER_TYPE, m.data, m.len) != RING_OK)
				_exit(4);
		}
		_exit(0);
	}
	cur = ring_head(rx);
	for (int i = 0; i < rounds && !stalls; i++) {
		busy_us(i % 7);
		T_EQ_I(ring_write(tx, PEER_TYPE, &i, sizeof i), RING_OK);
		while (ring_next(rx, &cur, &m) != 1)
			if (ring_wait(rx, cur, 30000) == 0) {
				stalls++;
				break;
			}
		if (!stalls)
			T_EQ_I(*(const int *)m.data, i);
		ring_release(rx, cur);
	}
	T_EQ_I(stalls, 0);
	{
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr, "  pingpong: %d rounds, %ld voluntary context switches\n", rounds, ru.ru_nvcsw);
	}
	if (stalls)
		kill(kid, SIGKILL);
	waitpid(kid, &status, 0);
	T_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ring_close(tx);
	ring_close(rx);
	ring_unlink(ping);
	ring_unlink(pong);
}

/* A blocked producer (ring full, RING_BLOCK) is woken by the consumer's release. */
static void
t_block_wake(void)
{
	const char *path = fresh();
	struct ring_opts o = opts(RING_BLOCK);
	struct ring *p, *c;
	struct ring_stat st;
	unsigned char buf[1024];
	int status, go[2];
	pid_t kid;
	char b;

	p = open_role(path, RING_PRODUCER, &o);
	if (!p || pipe(go) != 0) {
		T_CHECK(0);
		return;
	}
	memset(buf, 9, sizeof buf);
	while (ring_write(p, PEER_TYPE, buf, 1000) == RING_OK)
		;
	ring_close(p);
	o.block_timeout_ms = 20000;
	kid = fork();
	if (kid == 0) {
		struct ring *k = open_role(path, RING_PRODUCER, &o);
		close(go[0]);
		if (!k || write(go[1], "y", 1) != 1)
			_exit(2);
		/* Full: this sleeps until the parent releases. */
		_exit(ring_write(k, PEER_TYPE, buf, 1000) == RING_OK ? 0 : 1);
	}
	close(go[1]);
	T_EQ_I(read(go[0], &b, 1), 1);
	close(go[0]);
	c = open_role(path, RING_CONSUMER, &o);
	if (c) {
		struct ring_msg m;
		uint64_t cur = ring_head(c);
		struct timespec ts = {0, 1000000};

		/* Release only once the child's write has found the ring full
		 * (its full event is counted before it sleeps), so the wake-up
		 * is really tested however late the child is scheduled. */
		for (int i = 0; i < 20000; i++) {
			ring_stat(c, &st);
			if (st.full_events >= 2)
				break;
			nanosleep(&ts, NULL);
		}
		T_CHECK(st.full_events >= 2);
		T_EQ_I(ring_next(c, &cur, &m), 1);
		ring_release(c, cur);
	}
	waitpid(kid, &status, 0);
	T_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (c)
		ring_close(c);
	ring_unlink(path);
}

/* The fuzzer's seeds (test/ring/mkseeds.py) are valid rings: every one
 * attaches in each role, reads to its end without a corrupt frame, and a
 * producer can continue it. */
static void
t_fuzz_seeds(void)
{
	const char *root = getenv("MP_ROOT");
	char dir[512], file[1024], path[64], err[256];
	struct dirent *de;
	int seeds = 0;
	DIR *d;

	snprintf(dir, sizeof dir, "%s/test/fuzz/corpus/fuzz_ring_attach", root ? root : ".");
	if (!(d = opendir(dir))) {
		T_CHECK(!"corpus directory missing");
		return;
	}
	while ((de = readdir(d))) {
		static uint8_t in[1 << 17];
		struct ring_opts o = {4096, 1024, 0, 1, 0x5eed};
		struct ring *r;
		struct ring_msg m;
		struct ring_stat st;
		uint64_t cur;
		size_t n;
		FILE *f;
		int fd, rc, recs = 0;

		if (strncmp(de->d_name, "seed_", 5) != 0)
			continue;
		snprintf(file, sizeof file, "%s/%s", dir, de->d_name);
		if (!(f = fopen(file, "rb")))
			continue;
		n = fread(in, 1, sizeof in, f);
		fclose(f);
		if ((fd = fuzz_image_file(in, n, path, sizeof path)) < 0)
			continue;
		seeds++;
		rc = ring_open(path, RING_INSPECT, NULL, &r, err, sizeof err);
		if (rc != RING_OK) {
			fprintf(stderr, "  %s: %s\n", de->d_name, err);
			T_EQ_I(rc, RING_OK);
			close(fd);
			continue;
		}
		ring_stat(r, &st);
		o.policy = st.policy;
		cur = ring_head(r);
		while ((rc = ring_next(r, &cur, &m)) == 1)
			recs++;
		if (rc != 0)
			fprintf(stderr, "  %s: %s\n", de->d_name, ring_errmsg(r));
		T_EQ_I(rc, 0);
		T_CHECK(recs > 0);
		ring_close(r);
		T_EQ_I(ring_open(path, RING_CONSUMER, &o, &r, err, sizeof err), RING_OK);
		if (r)
			ring_close(r);
		rc = ring_open(path, RING_PRODUCER, &o, &r, err, sizeof err);
		if (rc != RING_OK)
			fprintf(stderr, "  %s: %s\n", de->d_name, err);
		T_EQ_I(rc, RING_OK);
		if (rc == RING_OK) {
			T_EQ_I(ring_write(r, 1, "more", 4), RING_OK);
			ring_close(r);
		}
		close(fd);
	}
	closedir(d);
	T_CHECK(seeds >= 6);
}

int
main(void)
{
	int rc;

	snprintf(g_dir, sizeof g_dir, "/dev/shm/mptest-ring.XXXXXX");
	if (!mkdtemp(g_dir)) {
		printf("not ok setup - mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	T_RUN(t_path);
	T_RUN(t_create_attach);
	T_RUN(t_bad_header);
	T_RUN(t_write_read_wrap);
	T_RUN(t_max_record);
	T_RUN(t_reserve_commit);
	T_RUN(t_block_full);
	T_RUN(t_drop_gap);
	T_RUN(t_torn);
	T_RUN(t_unpublished_tail);
	T_RUN(t_gap_recovery);
	T_RUN(t_corrupt_frames);
	T_RUN(t_corrupt_positions);
	T_RUN(t_corrupt_resync);
	T_RUN(t_garbage_at_tail);
	T_RUN(t_resync_release_walk);
	T_RUN(t_corrupt_random);
	T_RUN(t_consumer_resume);
	T_RUN(t_peek);
	T_RUN(t_busy_role);
	T_RUN(t_wait_wake);
	T_RUN(t_block_wake);
	T_RUN(t_pingpong);
	T_RUN(t_fuzz_seeds);
	rc = t_done();
	{
		char cmd[256];
		snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s-p'", g_dir, g_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cleanup of %s failed\n", g_dir);
	}
	return rc;
}
