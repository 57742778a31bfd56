/* test_store.c - the local store: round trip, time ranges, restart without
 * duplicates, torn tail recovery, corrupted blocks, the gap ledger. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gen.h"
#include "inst.h"
#include "log.h"
#include "../../stored/store.h"
#include "../../stored/store_write.h"
#include "../t.h"


#define T0 1763949600000000000LL   /* 2025-11-24T02:00:00Z */
#define HOUR 3600000000000LL
#define RING_A 0x1111

static char root[256], base[64];
static struct inst_registry reg;

static void
fresh_root(const char *name)
{
	char cmd[600];

	snprintf(root, sizeof root, "%s/%s", base, name);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "rm failed\n");
}

static struct store_writer *
wopen(void)
{
	struct store_writer_opts o = { root, &reg, 3, 0 };
	char err[512];
	struct store_writer *w = store_writer_open(&o, err, sizeof err);

	if (!w)
		fprintf(stderr, "store_writer_open: %s\n", err);
	return w;
}

struct faults {
	int n, tail;
	char what[256];
};

static void
on_fault(const struct store_fault *f, void *arg)
{
	struct faults *fs = arg;

	if (f->tail)
		fs->tail++;
	else
		fs->n++;
	snprintf(fs->what, sizeof fs->what, "%s", f->what);
}

/* Read every record of a query into a malloc'd array of copies. */
static int
read_all(const struct store_query *q, void ***out, struct faults *fs, struct store_reader_stats *st)
{
	char err[512];
	struct store_reader *r = store_reader_open(root, q, on_fault, fs, err, sizeof err);
	const struct rec_hdr *h;
	void **v = NULL;
	int n = 0;

	if (!r)
		return -1;
	while (store_reader_next(r, &h, NULL) == 1) {
		v = realloc(v, (size_t)(n + 1) * sizeof *v);
		v[n] = malloc(h->len);
		memcpy(v[n], h, h->len);
		n++;
	}
	if (st)
		store_reader_stats(r, st);
	store_reader_close(r);
	*out = v;
	return n;
}

static void
free_all(void **v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Equal except the store stamp, which must be set. */
static int
same_rec(const void *a, const void *b)
{
	const struct rec_hdr *ha = a, *hb = b;
	char *x, *y;
	int eq;

	if (ha->len != hb->len || !hb->stage_ns[STAGE_STORE])
		return 0;
	x = malloc(ha->len);
	y = malloc(hb->len);
	memcpy(x, a, ha->len);
	memcpy(y, b, hb->len);
	((struct rec_hdr *)x)->stage_ns[STAGE_STORE] = 0;
	((struct rec_hdr *)y)->stage_ns[STAGE_STORE] = 0;
	eq = memcmp(x, y, ha->len) == 0;
	free(x);
	free(y);
	return eq;
}

static void
t_roundtrip_every_type(void)
{
	struct gen_book b;
	struct store_writer *w;
	void *recs[16], **got = NULL;
	struct store_query q = { 0 };
	struct rec_control *c;
	char err[512];
	int n = 0, i, k;

	fresh_root("rt");
	gen_init(&b, 1, EX_BINANCE, 9000000000000LL, 1000000, 1000, 5000, 1, T0);
	recs[n++] = gen_snapshot(&b, SNAP_FULL, SNAP_R_SYNC, 0);
	recs[n++] = gen_delta(&b, 20);
	recs[n++] = gen_snapshot(&b, SNAP_TOPN, SNAP_R_PERIODIC, 20);
	recs[n++] = gen_trade(&b);
	recs[n++] = gen_ticker(&b);
	recs[n++] = gen_kline(&b);
	for (int mk = 0; mk < MK_KIND_MAX; mk++)
		recs[n++] = gen_market(&b);
	recs[n++] = gen_event(&b, EV_SYNCED, 1, 5000, "synced");
	c = calloc(1, sizeof *c);
	rec_hdr_init(&c->h, REC_CONTROL, 1, sizeof *c);
	c->h.recv_ns = b.t_ns;
	c->op = CTL_SNAPSHOT;
	c->req_id = 7;
	c->depth = 5000;
	snprintf(c->reason, sizeof c->reason, "test");
	recs[n++] = c;
	recs[n++] = gen_raw(EX_BINANCE, 1, b.t_ns, RAW_REST, "/api/v3/depth?symbol=BTCUSDT&limit=5000",
	    "{\"lastUpdateId\":1}");
	recs[n++] = gen_raw(EX_OKX, 0, b.t_ns, RAW_WS, NULL, "{\"event\":\"subscribe\"}");
	w = wopen();
	T_CHECK(w != NULL);
	if (!w)
		return;
	for (i = 0; i < n; i++) {
		const struct rec_hdr *h = recs[i];
		T_EQ_I(rec_check(h, h->len, err, sizeof err), 0);
		T_EQ_I(store_writer_add(w, RING_A, (uint64_t)i + 1, EX_NONE, h, h->len, err, sizeof err), STORE_W_OK);
	}
	T_EQ_I(store_writer_close(w, err, sizeof err), 0);

	q.with_raw = 1;
	k = read_all(&q, &got, &(struct faults){ 0 }, NULL);
	T_EQ_I(k, n);
	/* Book stream first (binance/BTC-USDT), then binance/_raw, then okx/_raw. */
	for (i = 0; i < 12 && i < k; i++)
		T_CHECK(same_rec(recs[i], got[i]));
	if (k == n) {
		T_CHECK(same_rec(recs[12], got[12]));
		T_CHECK(same_rec(recs[13], got[13]));
	}
	free_all(got, k);

	/* Type filter: only deltas. */
	memset(&q, 0, sizeof q);
	q.types = 1u << REC_DELTA;
	k = read_all(&q, &got, &(struct faults){ 0 }, NULL);
	T_EQ_I(k, 1);
	if (k == 1)
		T_CHECK(same_rec(recs[1], got[0]));
	free_all(got, k);
	/* Symbol by venue name. */
	memset(&q, 0, sizeof q);
	q.exchange = "binance";
	q.symbol = "btcusdt";
	k = read_all(&q, &got, &(struct faults){ 0 }, NULL);
	T_EQ_I(k, 12);
	free_all(got, k);
	/* Market data by type: the four kinds, each byte for byte (the codec
	 * keeps a previous record per kind). */
	memset(&q, 0, sizeof q);
	q.types = 1u << REC_MARKET;
	k = read_all(&q, &got, &(struct faults){ 0 }, NULL);
	T_EQ_I(k, MK_KIND_MAX);
	for (i = 0; i < MK_KIND_MAX && i < k; i++)
		T_CHECK(same_rec(recs[6 + i], got[i]));
	free_all(got, k);
	for (i = 0; i < n; i++)
		free(recs[i]);
	gen_free(&b);
}

static void
t_time_range_and_segments(void)
{
	struct gen_book b;
	struct store_writer *w;
	struct store_stream *ss;
	struct store_query q = { 0 };
	struct store_reader_stats st;
	void **got;
	char err[512];
	int i, k, ns, in_range = 0;
	int64_t from = T0 + HOUR - 600000000000LL, to = T0 + HOUR + 600000000000LL;

	fresh_root("tr");
	gen_init(&b, 1, EX_BINANCE, 9000000000000LL, 1000000, 1000, 200, 2, T0);
	w = wopen();
	if (!w)
		return;
	/* 2 h of deltas, one every 100 ms of book time, blocks every 60 s. */
	for (i = 0; i < 71000; i++) {
		struct rec_delta *d = gen_delta(&b, 3);
		int64_t t = store_rec_time(&d->h);
		if (t >= from && t < to)
			in_range++;
		T_EQ_I(store_writer_add(w, RING_A, (uint64_t)i + 1, EX_NONE, d, d->h.len, err, sizeof err), STORE_W_OK);
		if (i % 600 == 599)
			T_EQ_I(store_writer_commit(w, err, sizeof err), 0);
		free(d);
	}
	T_EQ_I(store_writer_close(w, err, sizeof err), 0);
	ns = store_streams(root, &ss, err, sizeof err);
	T_EQ_I(ns, 1);
	if (ns == 1) {
		T_EQ_I(ss[0].n_seg, 2);
		T_EQ_S(ss[0].seg[0], "20251124T02.seg");
	}
	store_streams_free(ss, ns);
	q.from_ns = from;
	q.to_ns = to;
	k = read_all(&q, &got, &(struct faults){ 0 }, &st);
	T_EQ_I(k, in_range);
	T_CHECK(st.blocks_skipped >= 90);
	for (i = 0; i < k; i++) {
		int64_t t = store_rec_time(got[i]);
		T_CHECK(t >= from && t < to);
		if (i)
			T_EQ_I(((struct rec_hdr *)got[i])->prev_id, ((struct rec_hdr *)got[i - 1])->last_id);
	}
	free_all(got, k);
	gen_free(&b);
}

/* A child writes and commits, then dies without closing: its blocks are
 * durable and a new writer must skip what it already holds. */
static void
t_restart_no_duplicates(void)
{
	struct gen_book b;
	struct store_writer *w;
	struct store_writer_stats ws;
	struct store_query q = { 0 };
	struct rec_delta *d[150];
	void **got;
	char err[512];
	pid_t pid;
	int i, k, status = 0, ok = 0, dup = 0;

	fresh_root("rs");
	gen_init(&b, 1, EX_BINANCE, 9000000000000LL, 1000000, 1000, 300, 3, T0);
	for (i = 0; i < 150; i++)
		d[i] = gen_delta(&b, 10);
	pid = fork();
	if (pid == 0) {
		w = wopen();
		for (i = 0; i < 100 && w; i++) {
			store_writer_add(w, RING_A, (uint64_t)i + 1, EX_NONE, d[i], d[i]->h.len, err, sizeof err);
			if (i == 59)
				store_writer_commit(w, err, sizeof err);
		}
		/* 60..99 pending, never committed: lost with the process, but
		 * still in the ring (not released), so re-read below. */
		_exit(0);
	}
	waitpid(pid, &status, 0);
	w = wopen();
	if (!w)
		return;
	for (i = 0; i < 150; i++) {
		int rc = store_writer_add(w, RING_A, (uint64_t)i + 1, EX_NONE, d[i], d[i]->h.len, err, sizeof err);
		ok += rc == STORE_W_OK;
		dup += rc == STORE_W_DUP;
	}
	T_EQ_I(dup, 60);
	T_EQ_I(ok, 90);
	store_writer_stats(w, &ws);
	T_EQ_U(ws.recovered_streams, 1);
	T_EQ_U(store_writer_last_seq(w, RING_A), 60);
	T_EQ_I(store_writer_close(w, err, sizeof err), 0);
	k = read_all(&q, &got, &(struct faults){ 0 }, NULL);
	T_EQ_I(k, 150);
	for (i = 0; i < k && i < 150; i++)
		T_CHECK(same_rec(d[i], got[i]));
	free_all(got, k);
	for (i = 0; i < 150; i++)
		free(d[i]);
	gen_free(&b);
}

static char *
only_segment(void)
{
	static char path[1200];
	struct store_stream *ss;
	char err[256];
	int n = store_streams(root, &ss, err, sizeof err);

	path[0] = 0;
	if (n >= 1 && ss[0].n_seg >= 1)
		snprintf(path, sizeof path, "%s/%s", ss[0].dir, ss[0].seg[ss[0].n_seg - 1]);
	store_streams_free(ss, n);
	return path;
}

static void
t_torn_tail_recovered(void)
{
	struct gen_book b;
	struct store_writer *w;
	struct store_writer_stats ws;
	struct store_query q = { 0 };
	struct store_seg_info info;
	struct faults fs = { 0 };
	struct stat st;
	void **got;
	char err[512], *path, junk[3000];
	pid_t pid;
	int i, k, fd, status;
	off_t good;

	fresh_root("tt");
	gen_init(&b, 1, EX_BINANCE, 9000000000000LL, 1000000, 1000, 300, 4, T0);
	pid = fork();
	if (pid == 0) {
		w = wopen();
		for (i = 0; i < 50 && w; i++) {
			struct rec_delta *d = gen_delta(&b, 10);
			store_writer_add(w, RING_A, (uint64_t)i + 1, EX_NONE, d, d->h.len, err, sizeof err);
			if (i % 10 == 9)
				store_writer_commit(w, err, sizeof err);
			free(d);
		}
		_exit(0);
	}
	waitpid(pid, &status, 0);
	path = only_segment();
	T_CHECK(stat(path, &st) == 0);
	good = st.st_size;
	/* A block cut short: a copy of the segment's first block header and half its data. */
	fd = open(path, O_RDWR);
	T_CHECK(fd >= 0);
	if (fd < 0)
		return;
	{
		struct store_seg_hdr sh;
		T_EQ_I(pread(fd, &sh, sizeof sh, 0), (long)sizeof sh);
		T_EQ_I(pread(fd, junk, sizeof junk, sh.hdr_len), (long)sizeof junk);
		T_EQ_I(pwrite(fd, junk, 200, good), 200L);
	}
	close(fd);
	T_EQ_I(store_seg_scan(path, 1, &info, on_fault, &fs, err, sizeof err), 0);
	T_EQ_I(info.torn_tail, 1);
	T_EQ_I(fs.tail, 1);
	T_EQ_I(info.n_records, 50);
	w = wopen();
	if (!w)
		return;
	store_writer_stats(w, &ws);
	T_EQ_U(ws.torn_tails, 1);
	T_EQ_U(ws.torn_bytes, 200);
	T_EQ_I(store_writer_close(w, err, sizeof err), 0);
	T_CHECK(stat(path, &st) == 0);
	k = read_all(&q, &got, &fs, NULL);
	T_EQ_I(k, 50);
	for (i = 1; i < k; i++)
		T_EQ_I(((struct rec_hdr *)got[i])->prev_id, ((struct rec_hdr *)got[i - 1])->last_id);
	free_all(got, k);
	memset(&fs, 0, sizeof fs);
	T_EQ_I(store_seg_scan(path, 1, &info, on_fault, &fs, err, sizeof err), 0);
	T_EQ_I(info.torn_tail, 0);
	T_EQ_I(fs.n + fs.tail, 0);
	gen_free(&b);
}

static void
corrupt_at(const char *path, off_t off)
{
	int fd = open(path, O_RDWR);
	unsigned char c;

	if (fd < 0)
		return;
	if (pread(fd, &c, 1, off) == 1) {
		c ^= 0x5a;
		if (pwrite(fd, &c, 1, off) != 1)
			fprintf(stderr, "pwrite failed\n");
	}
	close(fd);
}

static void
t_corrupted_block_reported(void)
{
	struct gen_book b;
	struct store_writer *w;
	struct store_query q = { 0 };
	struct store_seg_info info;
	struct store_reader_stats rs;
	struct faults fs = { 0 };
	struct store_block_hdr bh;
	void **got;
	char err[512], *path;
	uint64_t off;
	int i, k, fd, sealed;

	for (sealed = 1; sealed >= 0; sealed--) {
		fresh_root(sealed ? "cb" : "cb2");
		gen_init(&b, 1, EX_BINANCE, 9000000000000LL, 1000000, 1000, 300, 5, T0);
		if (fork() == 0) {
			w = wopen();
			for (i = 0; i < 50 && w; i++) {
				struct rec_delta *d = gen_delta(&b, 10);
				store_writer_add(w, RING_A, (uint64_t)i + 1, EX_NONE, d, d->h.len, err, sizeof err);
				if (i % 10 == 9)
					store_writer_commit(w, err, sizeof err);
				free(d);
			}
			if (sealed)
				store_writer_close(w, err, sizeof err);
			_exit(0);
		}
		wait(NULL);
		path = only_segment();
		fd = open(path, O_RDONLY);
		{
			struct store_seg_hdr sh;
			T_EQ_I(pread(fd, &sh, sizeof sh, 0), (long)sizeof sh);
			off = sh.hdr_len;
			/* Second block: flip a data byte (sealed) or a header byte (unsealed). */
			T_EQ_I(pread(fd, &bh, sizeof bh, off), (long)sizeof bh);
			off += sizeof bh + bh.comp_len;
		}
		close(fd);
		corrupt_at(path, (off_t)(sealed ? off + sizeof bh + 10 : off + 20));
		memset(&fs, 0, sizeof fs);
		T_EQ_I(store_seg_scan(path, 1, &info, on_fault, &fs, err, sizeof err), 0);
		T_EQ_I(info.sealed, sealed);
		T_EQ_I(fs.n, 1);
		T_EQ_S(fs.what, sealed ? "block data crc mismatch" : "block header crc mismatch");
		T_EQ_I(info.n_records, sealed ? 40 : 40);
		memset(&fs, 0, sizeof fs);
		k = read_all(&q, &got, &fs, &rs);
		T_EQ_I(k, 40);
		T_EQ_I(fs.n, 1);
		T_EQ_U(rs.bad_blocks, sealed ? 1 : 0);
		free_all(got, k);
		/* The writer keeps a damaged block in the middle (never cuts acknowledged data). */
		w = wopen();
		if (w) {
			struct store_writer_stats ws;
			store_writer_stats(w, &ws);
			T_EQ_U(ws.torn_tails, 0);
			store_writer_close(w, err, sizeof err);
		}
		memset(&fs, 0, sizeof fs);
		k = read_all(&q, &got, &fs, &rs);
		T_EQ_I(k, 40);
		free_all(got, k);
		gen_free(&b);
	}
}

/* A newest segment whose header is damaged is moved aside, never written over. */
static void
t_damaged_segment_set_aside(void)
{
	struct gen_book b;
	struct store_writer *w;
	struct store_query q = { 0 };
	char err[512], path[1200], cmd[1400];
	void **got;
	int i, k;

	fresh_root("ds");
	gen_init(&b, 1, EX_BINANCE, 9000000000000LL, 1000000, 1000, 300, 7, T0);
	w = wopen();
	if (!w)
		return;
	for (i = 0; i < 20; i++) {
		struct rec_delta *d = gen_delta(&b, 5);
		store_writer_add(w, RING_A, (uint64_t)i + 1, EX_NONE, d, d->h.len, err, sizeof err);
		free(d);
	}
	T_EQ_I(store_writer_close(w, err, sizeof err), 0);
	snprintf(path, sizeof path, "%s", only_segment());
	corrupt_at(path, 40);   /* inside the segment header: its crc fails */
	w = wopen();
	if (!w)
		return;
	for (i = 20; i < 30; i++) {
		struct rec_delta *d = gen_delta(&b, 5);
		T_EQ_I(store_writer_add(w, RING_A, (uint64_t)i + 1, EX_NONE, d, d->h.len, err, sizeof err), STORE_W_OK);
		free(d);
	}
	T_EQ_I(store_writer_close(w, err, sizeof err), 0);
	k = read_all(&q, &got, &(struct faults){ 0 }, NULL);
	T_EQ_I(k, 10);
	free_all(got, k);
	snprintf(cmd, sizeof cmd, "ls '%s'.bad-* >/dev/null 2>&1", path);
	T_EQ_I(system(cmd), 0);
	gen_free(&b);
}

static void
t_gap_ledger(void)
{
	struct gen_book b;
	struct store_check c;
	struct store_gap g;
	struct rec_delta *d;
	struct rec_snapshot *s;
	struct rec_event *e;
	int i, gaps = 0;

	gen_init(&b, 1, EX_BINANCE, 9000000000000LL, 1000000, 1000, 300, 6, T0);
	store_check_init(&c);
	/* Deltas before any sync snapshot: unanchored, not gaps. */
	for (i = 0; i < 3; i++) {
		d = gen_delta(&b, 5);
		gaps += store_check_rec(&c, &d->h, &g);
		free(d);
	}
	s = gen_snapshot(&b, SNAP_FULL, SNAP_R_SYNC, 0);
	gaps += store_check_rec(&c, &s->h, &g);
	free(s);
	for (i = 0; i < 10; i++) {
		d = gen_delta(&b, 5);
		gaps += store_check_rec(&c, &d->h, &g);
		free(d);
	}
	T_EQ_I(gaps, 0);
	/* A recorded gap: EV_GAP, then a delta that does not continue. */
	d = gen_delta(&b, 5);
	free(d);
	e = gen_event(&b, EV_GAP, b.last_id, b.last_id + 50, "gap");
	T_EQ_I(store_check_rec(&c, &e->h, &g), 0);
	free(e);
	d = gen_delta(&b, 5);
	T_EQ_I(store_check_rec(&c, &d->h, &g), 1);
	T_EQ_I(g.recorded, 1);
	T_EQ_I(g.ev_code, EV_GAP);
	T_EQ_I(g.got_prev, d->h.prev_id);
	free(d);
	/* An unexplained gap: a delta lost with no event. */
	d = gen_delta(&b, 5);
	free(d);
	d = gen_delta(&b, 5);
	T_EQ_I(store_check_rec(&c, &d->h, &g), 1);
	T_EQ_I(g.recorded, 0);
	free(d);
	/* A resync starts a new epoch: no gap across it. */
	for (i = 0; i < 5; i++)
		free(gen_delta(&b, 5));
	s = gen_snapshot(&b, SNAP_FULL, SNAP_R_RESYNC, 0);
	T_EQ_I(store_check_rec(&c, &s->h, &g), 0);
	free(s);
	d = gen_delta(&b, 5);
	T_EQ_I(store_check_rec(&c, &d->h, &g), 0);
	free(d);
	/* A skipped corrupted block explains the next break. */
	free(gen_delta(&b, 5));
	store_check_corrupt(&c);
	d = gen_delta(&b, 5);
	T_EQ_I(store_check_rec(&c, &d->h, &g), 1);
	T_EQ_I(g.recorded, 1);
	free(d);
	T_EQ_U(c.unanchored, 3);
	T_EQ_U(c.epochs, 2);
	T_EQ_U(c.gaps_recorded, 2);
	T_EQ_U(c.gaps_unexplained, 1);
	T_EQ_U(c.gap_events, 1);
	T_EQ_U(c.deltas, 17);
	gen_free(&b);
}

static void
t_time_parse(void)
{
	char buf[64];

	T_EQ_I(store_time_parse("2025-11-24T02:00:00Z"), T0);
	T_EQ_I(store_time_parse("2025-11-24T02:00:00.5Z"), T0 + 500000000);
	T_EQ_I(store_time_parse("2025-11-24"), T0 - 2 * HOUR);
	T_EQ_I(store_time_parse("1763949600000000000"), T0);
	T_EQ_I(store_time_parse("2025-13-01"), -1);
	T_EQ_I(store_time_parse("yesterday"), -1);
	T_EQ_I(store_hour_parse("20251124T02.seg"), T0);
	T_EQ_I(store_hour_parse("20251124T02.segx"), -1);
	store_hour_name(T0 + 3599999999999LL, buf, sizeof buf);
	T_EQ_S(buf, "20251124T02");
	store_time_fmt(T0 + 1, buf, sizeof buf);
	T_EQ_S(buf, "2025-11-24T02:00:00.000000001Z");
	T_EQ_U(store_crc32c(0, "123456789", 9), 0xe3069283U);
}

/* The manifest (store.h): last word per segment, "lost" lines kept, a torn
 * last line ignored, a line with a bad crc counted, and the check. */
static void
t_manifest(void)
{
	struct store_manifest m;
	struct store_seg_info info;
	const struct store_manifest_seg *e;
	char dir[300], path[400], err[256];
	uint64_t lost;
	FILE *f;

	snprintf(dir, sizeof dir, "%s/manifest", base);
	mkdir(dir, 0755);
	T_EQ_I(store_manifest_load(dir, &m, err, sizeof err), 0);
	T_EQ_I(m.present, 0);
	T_EQ_I(store_manifest_sealed(dir, "20251124T02.seg", 1000, 3, 300, err, sizeof err), 0);
	T_EQ_I(store_manifest_sealed(dir, "20251124T03.seg", 2000, 4, 400, err, sizeof err), 0);
	T_EQ_I(store_manifest_reopened(dir, "20251124T03.seg", err, sizeof err), 0);
	T_EQ_I(store_manifest_lost(dir, "20251124T01.seg", 7, 70, err, sizeof err), 0);
	snprintf(path, sizeof path, "%s/MANIFEST", dir);
	f = fopen(path, "a");
	fputs("sealed 20251124T04.seg bytes=1 blocks=1 records=999 crc=00000000\n", f);   /* bad crc */
	fputs("sealed 20251124T05.seg bytes=5", f);                                       /* torn */
	fclose(f);
	T_EQ_I(store_manifest_load(dir, &m, err, sizeof err), 0);
	T_EQ_I(m.present, 1);
	T_EQ_I(m.bad_lines, 1);
	T_EQ_I(m.torn_last, 1);
	T_EQ_I(m.n_loss, 1);
	T_EQ_U(m.loss[0].lost, 7);
	T_EQ_U(m.loss[0].of, 70);
	e = store_manifest_find(&m, "20251124T02.seg");
	T_CHECK(e && e->sealed && e->bytes == 1000 && e->blocks == 3 && e->records == 300);
	e = store_manifest_find(&m, "20251124T03.seg");
	T_CHECK(e && !e->sealed);                       /* reopened: a torn tail there is no loss */
	T_CHECK(!store_manifest_find(&m, "20251124T04.seg") && !store_manifest_find(&m, "20251124T05.seg"));
	/* The check: intact, short, missing, unsealed. */
	e = store_manifest_find(&m, "20251124T02.seg");
	memset(&info, 0, sizeof info);
	info.sealed = 1;
	info.size = 1000;
	info.n_records = 300;
	T_EQ_I(store_manifest_check(e, &info, &lost), 0);
	info.size = 600;
	info.n_records = 180;
	info.sealed = 0;
	T_EQ_I(store_manifest_check(e, &info, &lost), 1);
	T_EQ_U(lost, 120);
	T_EQ_I(store_manifest_check(e, NULL, &lost), 1);
	T_EQ_U(lost, 300);
	T_EQ_I(store_manifest_check(store_manifest_find(&m, "20251124T03.seg"), NULL, &lost), 0);
	store_manifest_free(&m);
	/* The next append cuts the torn line off (it never completed). */
	T_EQ_I(store_manifest_sealed(dir, "20251124T06.seg", 6, 1, 6, err, sizeof err), 0);
	T_EQ_I(store_manifest_load(dir, &m, err, sizeof err), 0);
	T_EQ_I(m.bad_lines, 1);
	T_EQ_I(m.torn_last, 0);
	T_CHECK(store_manifest_find(&m, "20251124T06.seg") != NULL);
	T_CHECK(store_manifest_find(&m, "20251124T02.seg") != NULL);
	store_manifest_free(&m);
}

/*
 * Every sealed line in a stream's manifest names a segment that is there and
 * agrees with it (what mpstore verify checks).  The crash state of
 * stored_crash.sh's intermittent "no_corruption" failure: the hour's
 * segment is done (sealed at the roll-over, or unsealed after a kill -9) and
 * stored restarts with the next hour's record first; the writer seals the
 * old segment then, and once wrote that seal as "19700101T00.seg".
 */
static void
manifest_agrees(const char *dir, int want_sealed)
{
	struct store_manifest m;
	char err[512], path[1200];
	int i, sealed = 0;

	T_EQ_I(store_manifest_load(dir, &m, err, sizeof err), 0);
	T_EQ_I(m.bad_lines, 0);
	for (i = 0; i < m.n_seg; i++) {
		struct store_seg_info info;
		uint64_t lost = 0;

		if (!m.seg[i].sealed)
			continue;
		sealed++;
		snprintf(path, sizeof path, "%s/%s", dir, m.seg[i].name);
		if (access(path, F_OK) != 0) {
			fprintf(stderr, "  manifest says sealed, no such file: %s\n", m.seg[i].name);
			T_CHECK(!"sealed segment in the manifest is missing");
			continue;
		}
		T_EQ_I(store_seg_scan(path, 0, &info, NULL, NULL, err, sizeof err), 0);
		T_EQ_I(store_manifest_check(&m.seg[i], &info, &lost), 0);
		T_EQ_U(lost, 0);
	}
	T_EQ_I(sealed, want_sealed);
	store_manifest_free(&m);
}

static void
t_restart_into_next_hour_seals_old(void)
{
	struct gen_book b;
	struct store_writer *w;
	struct store_query q = { 0 };
	struct stat st;
	char err[512], dir[600], path[700];
	void **got;
	int i, k, sealed;

	for (sealed = 1; sealed >= 0; sealed--) {
		fresh_root(sealed ? "nh" : "nh2");
		gen_init(&b, 1, EX_BINANCE, 9000000000000LL, 1000000, 1000, 300, 9, T0 + HOUR - 3000000000LL);
		/* Hour T0: 20 records, durable; then a clean seal or a kill -9 (no seal). */
		if (fork() == 0) {
			w = wopen();
			for (i = 0; i < 20 && w; i++) {
				struct rec_delta *d = gen_delta(&b, 5);
				store_writer_add(w, RING_A, (uint64_t)i + 1, EX_NONE, d, d->h.len, err, sizeof err);
				free(d);
			}
			if (w && store_writer_commit(w, err, sizeof err) == 0 && sealed)
				store_writer_close(w, err, sizeof err);
			_exit(0);
		}
		wait(NULL);
		/* The restart: its first record is of the next hour. */
		b.t_ns = T0 + HOUR + 1000000000LL;
		w = wopen();
		if (!w)
			return;
		for (i = 20; i < 30; i++) {
			struct rec_delta *d = gen_delta(&b, 5);
			T_EQ_I(store_writer_add(w, RING_A, (uint64_t)i + 1, EX_NONE, d, d->h.len, err, sizeof err),
			    STORE_W_OK);
			free(d);
		}
		T_EQ_I(store_writer_close(w, err, sizeof err), 0);
		snprintf(dir, sizeof dir, "%s/binance/BTC-USDT", root);
		snprintf(path, sizeof path, "%s/19700101T00.seg", dir);
		T_CHECK(stat(path, &st) != 0);
		manifest_agrees(dir, 2);   /* hour T0 and the next one, both there and whole */
		k = read_all(&q, &got, &(struct faults){ 0 }, NULL);
		T_EQ_I(k, 30);
		free_all(got, k);
		gen_free(&b);
	}
}

/* A kill -9 while a segment is being created leaves only its temporary
 * ("<name>.seg.new", header not yet durable): not a segment, never listed,
 * overwritten by the next create; nothing is set aside as damaged. */
static void
t_create_crash_leaves_temporary(void)
{
	struct gen_book b;
	struct store_writer *w;
	struct store_query q = { 0 };
	char err[512], dir[600], name[32], tmp[700], cmd[800];
	void **got;
	int i, k, fd;

	fresh_root("cc");
	gen_init(&b, 1, EX_BINANCE, 9000000000000LL, 1000000, 1000, 300, 11, T0 + HOUR - 2000000000LL);
	w = wopen();
	if (!w)
		return;
	for (i = 0; i < 10; i++) {
		struct rec_delta *d = gen_delta(&b, 5);
		T_EQ_I(store_writer_add(w, RING_A, (uint64_t)i + 1, EX_NONE, d, d->h.len, err, sizeof err), STORE_W_OK);
		free(d);
	}
	T_EQ_I(store_writer_close(w, err, sizeof err), 0);
	/* The next hour's create cut short: a few bytes of header under the temporary name. */
	snprintf(dir, sizeof dir, "%s/binance/BTC-USDT", root);
	store_hour_name(T0 + HOUR, name, sizeof name);
	snprintf(tmp, sizeof tmp, "%s/%s.seg.new", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	T_CHECK(fd >= 0 && write(fd, "MPSG", 4) == 4);
	if (fd >= 0)
		close(fd);
	T_CHECK(strstr(only_segment(), "T02.seg") != NULL);   /* not listed as a segment */
	w = wopen();
	if (!w)
		return;
	b.t_ns = T0 + HOUR + 1000000000LL;
	for (i = 10; i < 20; i++) {
		struct rec_delta *d = gen_delta(&b, 5);
		T_EQ_I(store_writer_add(w, RING_A, (uint64_t)i + 1, EX_NONE, d, d->h.len, err, sizeof err), STORE_W_OK);
		free(d);
	}
	T_EQ_I(store_writer_close(w, err, sizeof err), 0);
	T_CHECK(access(tmp, F_OK) != 0);                      /* the temporary is gone */
	snprintf(cmd, sizeof cmd, "ls '%s'/*.bad-* >/dev/null 2>&1", dir);
	T_CHECK(system(cmd) != 0);                            /* nothing set aside */
	manifest_agrees(dir, 2);
	k = read_all(&q, &got, &(struct faults){ 0 }, NULL);
	T_EQ_I(k, 20);
	free_all(got, k);
	gen_free(&b);
}

int
main(void)
{
	char err[256];

	snprintf(base, sizeof base, "/tmp/test_store.XXXXXX");
	if (!mkdtemp(base))
		return 1;
	log_init("test_store");
	log_set_level(LOG_ERROR);
	inst_add(&reg, EX_BINANCE, "BTC-USDT", err, sizeof err);
	inst_add(&reg, EX_BINANCE, "ETH-USDT", err, sizeof err);
	inst_add(&reg, EX_OKX, "BTC-USDT", err, sizeof err);
	T_RUN(t_time_parse);
	T_RUN(t_roundtrip_every_type);
	T_RUN(t_time_range_and_segments);
	T_RUN(t_restart_no_duplicates);
	T_RUN(t_torn_tail_recovered);
	T_RUN(t_corrupted_block_reported);
	T_RUN(t_damaged_segment_set_aside);
	T_RUN(t_gap_ledger);
	T_RUN(t_manifest);
	T_RUN(t_restart_into_next_hour_seals_old);
	T_RUN(t_create_crash_leaves_temporary);
	snprintf(err, sizeof err, "rm -rf '%s'", base);
	if (system(err) != 0)
		fprintf(stderr, "cannot remove %s\n", base);
	return t_done();
}
