/* test_store_codec.c - the column codecs of store blocks: every record
 * sequence round-trips byte for byte under STORE_CODEC_COLS,
 * STORE_CODEC_COLS2 (predicted snapshots: unsorted, duplicated, chunked,
 * empty sides included), STORE_CODEC_AC and STORE_CODEC_AC2 (range-coded),
 * COLS2 is smaller where snapshots repeat the book, AC smaller than COLS2
 * and AC2 smaller than AC, blocks and
 * version-2 segments of the older codecs stay readable next to new ones (a
 * store written by the old code path, made here), a segment of an unknown
 * version is refused naming it, and damaged columns give an error, never a
 * crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <zstd.h>

#include "gen.h"
#include "inst.h"
#include "log.h"
#include "../../stored/store.h"
#include "../../stored/store_seg.h"
#include "../../stored/store_write.h"
#include "../t.h"

#define T0 1763949600000000000LL

struct blk {
	unsigned char *p;
	size_t len;
	uint32_t n;
};

static void
blk_add(struct blk *b, const void *rec)
{
	const struct rec_hdr *h = rec;

	b->p = realloc(b->p, b->len + h->len);
	memcpy(b->p + b->len, rec, h->len);
	b->len += h->len;
	b->n++;
}

static void
blk_add_free(struct blk *b, void *rec)
{
	blk_add(b, rec);
	free(rec);
}

/* A snapshot from explicit levels (any order, any duplicates). */
static void *
snap_of(int kind, const struct rec_level *bids, uint32_t nb, const struct rec_level *asks, uint32_t na, int64_t id)
{
	size_t len = rec_snapshot_size(nb, na);
	struct rec_snapshot *s = calloc(1, len);

	rec_hdr_init(&s->h, REC_SNAPSHOT, 1, (uint32_t)len);
	s->h.last_id = id;
	s->h.recv_ns = T0 + id;
	s->kind = (uint8_t)kind;
	s->nchunks = 1;
	s->n_bids = nb;
	s->n_asks = na;
	if (nb)
		memcpy(s->lv, bids, nb * sizeof *bids);
	if (na)
		memcpy(s->lv + nb, asks, na * sizeof *asks);
	return s;
}

/* The sequence: a deep book with full and top-N snapshots between deltas,
 * then hand-made snapshots the prediction must not rely on being sane. */
static void
build(struct blk *b)
{
	struct gen_book g;
	struct rec_level odd[6] = { { 500, 1 }, { 900, 2 }, { 500, 3 }, { 700, 0 }, { -5, 4 }, { 900, 2 } };

	gen_init(&g, 1, EX_BINANCE, 9000000000000LL, 1000000, 1000, 2000, 7, T0);
	blk_add_free(b, gen_snapshot(&g, SNAP_FULL, SNAP_R_SYNC, 0));
	for (int i = 1; i <= 400; i++) {
		blk_add_free(b, gen_delta(&g, 1 + i % 40));
		if (i % 10 == 0)
			blk_add_free(b, gen_snapshot(&g, SNAP_TOPN, SNAP_R_PERIODIC, 100));
		if (i % 150 == 0)
			blk_add_free(b, gen_snapshot(&g, SNAP_FULL, SNAP_R_PERIODIC, 0));
		if (i % 57 == 0)
			blk_add_free(b, gen_trade(&g));
	}
	blk_add_free(b, snap_of(SNAP_TOPN, odd, 6, odd, 6, 1));
	blk_add_free(b, snap_of(SNAP_TOPN, odd + 2, 4, NULL, 0, 2));
	blk_add_free(b, snap_of(SNAP_REST, NULL, 0, odd, 3, 3));
	blk_add_free(b, snap_of(SNAP_FULL, NULL, 0, NULL, 0, 4));
	blk_add_free(b, gen_delta(&g, 30));
	blk_add_free(b, snap_of(SNAP_TOPN, odd, 5, odd + 1, 5, 5));
	blk_add_free(b, gen_snapshot(&g, SNAP_FULL, SNAP_R_PERIODIC, 0));
	gen_free(&g);
}

static size_t
zsize(const void *p, size_t n)
{
	size_t cap = ZSTD_compressBound(n), r;
	void *z = malloc(cap);

	r = ZSTD_compress(z, cap, p, n, 6);
	free(z);
	return ZSTD_isError(r) ? 0 : r;
}

static size_t
roundtrip(int codec, const struct blk *b, void **cols, size_t *cl)
{
	const char *why = "";
	void *back = malloc(b->len);
	int ok;

	T_EQ_I(store_codec_encode(codec, b->p, b->len, b->n, cols, cl), 0);
	T_EQ_I(store_codec_decode(codec, *cols, *cl, back, b->len, b->n, &why), 0);
	ok = memcmp(back, b->p, b->len) == 0;
	if (!ok)
		fprintf(stderr, "codec %d: decoded records differ (%s)\n", codec, why);
	T_CHECK(ok);
	free(back);
	return zsize(*cols, *cl);
}

static void
t_roundtrip_all_codecs(void)
{
	struct blk b = { 0 };
	void *c2, *c3, *c4, *c5;
	size_t l2, l3, l4, l5, z2, z3, z4, z5;
	const char *why;
	void *back;

	build(&b);
	z2 = roundtrip(STORE_CODEC_COLS, &b, &c2, &l2);
	z3 = roundtrip(STORE_CODEC_COLS2, &b, &c3, &l3);
	z4 = roundtrip(STORE_CODEC_AC, &b, &c4, &l4);
	z5 = roundtrip(STORE_CODEC_AC2, &b, &c5, &l5);
	printf("# %u records, %zu bytes: cols %zu, cols2 %zu, ac %zu, ac2 %zu bytes after zstd 6\n", b.n, b.len,
	    z2, z3, z4, z5);
	/* 40 top-N snapshots a few deltas apart: COLS2 codes them as edits */
	T_CHECK(z3 > 0 && z3 < z2);
	/* the same values with context models instead of varints + zstd */
	T_CHECK(z4 > 0 && z4 < z3);
	/* counted probabilities learn a block's distributions sooner */
	T_CHECK(z5 > 0 && z5 < z4);
	/* the codecs are told apart: a COLS2 block is not a COLS block, an AC
	 * block not a COLS2 one (nor the reverse) */
	back = malloc(b.len);
	T_CHECK(store_codec_decode(STORE_CODEC_COLS, c3, l3, back, b.len, b.n, &why) < 0);
	T_CHECK(store_codec_decode(STORE_CODEC_COLS2, c4, l4, back, b.len, b.n, &why) < 0);
	T_CHECK(store_codec_decode(STORE_CODEC_AC, c3, l3, back, b.len, b.n, &why) < 0);
	T_CHECK(store_codec_decode(STORE_CODEC_AC2, c4, l4, back, b.len, b.n, &why) < 0);
	T_CHECK(store_codec_decode(STORE_CODEC_AC, c5, l5, back, b.len, b.n, &why) < 0);
	T_CHECK(store_codec_decode(99, c3, l3, back, b.len, b.n, &why) < 0);
	free(back);
	free(c2);
	free(c3);
	free(c4);
	free(c5);
	free(b.p);
}

/* Random records of every layout the AC models treat apart: packed counter
 * lanes, sizes that repeat, change by repeated amounts or go to zero, prices
 * far apart and negative, extreme values: byte for byte back. */
static void
t_ac_random(void)
{
	uint64_t rng = 99;
	int bad = 0;

	for (int round = 0; round < 80; round++) {
		int codec = round < 40 ? STORE_CODEC_AC : STORE_CODEC_AC2;
		struct blk b = { 0 };
		void *c;
		size_t cl;
		unsigned char *back;
		const char *why = "";
		for (int i = 0; i < 60; i++) {
			uint32_t nb, na;
			struct rec_delta *d;
			size_t len;
			rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
			nb = (uint32_t)(rng >> 60);
			na = (uint32_t)(rng >> 56) & 15;
			len = rec_delta_size(nb, na);
			d = calloc(1, len);
			rec_hdr_init(&d->h, REC_DELTA, 1, (uint32_t)len);
			d->h.first_id = (int64_t)(rng >> 3);
			d->h.last_id = d->h.first_id + (int64_t)(rng & 7);
			d->h.exch_ns = round % 40 == 0 ? INT64_MAX : (int64_t)(rng >> 1);
			d->h.recv_ns = (int64_t)rng;
			d->n_bids = nb;
			d->n_asks = na;
			d->book_bids = (uint32_t)(rng >> 40);
			d->best_ask_qty = round % 40 == 1 ? INT64_MIN : (int64_t)(rng % 1000);
			for (uint32_t j = 0; j < nb + na; j++) {
				rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
				d->lv[j].px = round % 40 == 2 ? (int64_t)rng : (int64_t)(rng >> 50) - 5000;
				d->lv[j].qty = (rng & 3) == 0 ? 0 : (rng & 3) == 1 ? 20000 * (int64_t)((rng >> 8) & 3) :
				    round % 40 == 3 ? (int64_t)rng : (int64_t)(rng >> 40);
			}
			blk_add_free(&b, d);
		}
		if (store_codec_encode(codec, b.p, b.len, b.n, &c, &cl) < 0) {
			bad++;
			free(b.p);
			continue;
		}
		back = malloc(b.len);
		if (store_codec_decode(codec, c, cl, back, b.len, b.n, &why) < 0 ||
		    memcmp(back, b.p, b.len) != 0) {
			fprintf(stderr, "round %d: %s\n", round, why);
			bad++;
		}
		free(back);
		free(c);
		free(b.p);
	}
	T_EQ_I(bad, 0);
}

/* Damaged COLS2 columns: every truncation point of the first bytes and
 * random byte changes decode to an error or to records, never a crash (the
 * sanitizer build runs this). */
static void
t_damaged_columns(void)
{
	static const int codecs[3] = { STORE_CODEC_COLS2, STORE_CODEC_AC, STORE_CODEC_AC2 };
	struct blk b = { 0 };

	build(&b);
	for (int k = 0; k < 3; k++) {
		void *c, *back, *d;
		size_t cl, i;
		uint64_t rng = 12345;
		int errors = 0;
		const char *why;
		T_EQ_I(store_codec_encode(codecs[k], b.p, b.len, b.n, &c, &cl), 0);
		back = malloc(b.len);
		d = malloc(cl);
		/* An AC block decodes as far as its records' lengths allow even
		 * when damaged (adaptive bits cost little input), so each try
		 * costs a whole decode: fewer of them (fuzz_store does more). */
		for (i = 0; i < cl && i < 4000; i += k ? 37 : 7)
			errors += store_codec_decode(codecs[k], c, i, back, b.len, b.n, &why) < 0;
		for (i = 0; i < (k ? 400u : 3000u); i++) {
			size_t at;
			memcpy(d, c, cl);
			rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
			at = (size_t)(rng >> 33) % cl;
			((unsigned char *)d)[at] ^= (unsigned char)(1u + (rng >> 20) % 255);
			errors += store_codec_decode(codecs[k], d, cl, back, b.len, b.n, &why) < 0;
		}
		printf("# codec %d: %d of the damaged blocks refused\n", codecs[k], errors);
		fflush(stdout);
		T_CHECK(errors > 0);
		free(d);
		free(back);
		free(c);
	}
	free(b.p);
}

/* Block codecs and the version of every segment under dir: bit c of *codecs
 * per segment version (index 2, 3, 4). */
static void
seg_codecs(const char *dir, unsigned codecs[5], int *segs)
{
	DIR *dp = opendir(dir);
	struct dirent *de;

	*segs = 0;
	while (dp && (de = readdir(dp))) {
		char path[512], err[512];
		struct store_seg sg;
		struct store_block_hdr bh;
		uint64_t off;
		size_t n = strlen(de->d_name);
		if (n < 4 || strcmp(de->d_name + n - 4, ".seg") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (store_seg_open(&sg, path, err, sizeof err) < 0) {
			fprintf(stderr, "%s\n", err);
			continue;
		}
		(*segs)++;
		while (store_seg_next_block(&sg, &bh, &off, NULL, NULL) == 1)
			if (sg.hdr.version < 5)
				codecs[sg.hdr.version] |= 1u << bh.codec;
		store_seg_close(&sg);
	}
	if (dp)
		closedir(dp);
}

#define LATE 1000

/* A stream written by the old code path (codecs 2 and 3: version-2
 * segments), then appended to by the codec-4 writer: it continues the old
 * segment with blocks that segment's version admits (codec 3), starts the
 * next hour as a version-3 segment of codec-4 blocks; then the default
 * writer (codec 5) continues that version-3 segment with codec 4 and starts
 * the hour after as a version-4 segment of codec-5 blocks, and the reader
 * returns every record of all of them. */
static void
t_old_blocks_readable(void)
{
	static struct inst_registry reg;
	char root[128], err[512], cmd[300], dir[200];
	struct store_writer_opts o = { 0 };
	struct store_writer *w;
	struct store_query q = { 0 };
	struct store_reader *r;
	const struct rec_hdr *h;
	struct rec_trade late;
	struct blk b = { 0 };
	size_t off = 0;
	uint32_t k = 0, same = 0;
	unsigned codecs[5] = { 0 };
	int made, segs;

	/* A fresh directory: a run killed before its rm -rf (an ASan abort) left
	 * /tmp/test_store_codec.<pid> behind, and a later run with that pid again
	 * appended to its store and counted its records too. */
	snprintf(root, sizeof root, "/tmp/test_store_codec.XXXXXX");
	made = mkdtemp(root) != NULL;
	T_CHECK(made);
	if (!made)
		return;
	inst_add(&reg, EX_BINANCE, "BTC-USDT", err, sizeof err);
	build(&b);
	memset(&late, 0, sizeof late);
	rec_hdr_init(&late.h, REC_TRADE, 1, sizeof late);
	o.root = root;
	o.reg = &reg;
	o.zstd_level = 3;
	for (int pass = 0; pass < 4; pass++) {
		static const int pc[4] = { STORE_CODEC_COLS, STORE_CODEC_COLS2, STORE_CODEC_AC, 0 };
		o.codec = pc[pass];
		w = store_writer_open(&o, err, sizeof err);
		T_CHECK(w != NULL);
		if (!w)
			break;
		for (; pass < 3 && off < b.len; k++) {
			const struct rec_hdr *rh = (const void *)(b.p + off);
			if (k == (pass + 1) * b.n / 3)
				break;
			T_EQ_I(store_writer_add(w, 0x2222, k + 1, EX_NONE, rh, rh->len, err, sizeof err), STORE_W_OK);
			off += rh->len;
		}
		/* the next hour: enough trades (128 KiB) that codec 4 is kept
		 * over codec 3 (a small block is coded both ways); pass 3 the
		 * same hour again (codec 4: the segment's version), then the
		 * hour after (codec 5) */
		for (int t = pass == 3 ? LATE : 0; pass >= 2 && t < (pass == 3 ? 3 * LATE : LATE); t++) {
			late.h.first_id = late.h.last_id = 7 + t;
			late.h.recv_ns = t < 2 * LATE ? T0 + 2 * 3600000000000LL + t * 1000000LL :
			    T0 + 3 * 3600000000000LL + (t - 2 * LATE) * 1000000LL;
			late.px = 12345 + (t * 7919) % 13;
			late.qty = 6 + t % 5;
			T_EQ_I(store_writer_add(w, 0x2222, k + 1 + (uint64_t)t, EX_NONE, &late.h, late.h.len, err,
			    sizeof err), STORE_W_OK);
		}
		T_EQ_I(store_writer_close(w, err, sizeof err), 0);
	}
	snprintf(dir, sizeof dir, "%s/binance/BTC-USDT", root);
	seg_codecs(dir, codecs, &segs);
	T_EQ_I(segs, 3);
	/* the old segment: codecs 2 and 3 only, also what the new writer added */
	T_EQ_U(codecs[2], 1u << STORE_CODEC_COLS | 1u << STORE_CODEC_COLS2);
	T_EQ_U(codecs[3], 1u << STORE_CODEC_AC);
	T_EQ_U(codecs[4], 1u << STORE_CODEC_AC2);
	r = store_reader_open(root, &q, NULL, NULL, err, sizeof err);
	T_CHECK(r != NULL);
	off = 0;
	k = 0;
	while (r && store_reader_next(r, &h, NULL) == 1) {
		struct rec_hdr want;
		if (off == b.len) {
			const struct rec_trade *t = (const void *)h;
			uint32_t i = k - b.n;
			same += h->type == REC_TRADE && h->last_id == 7 + (int64_t)i &&
			    t->px == 12345 + (int64_t)((i * 7919) % 13) && t->qty == 6 + (int64_t)(i % 5);
			k++;
			continue;
		}
		memcpy(&want, b.p + off, sizeof want);
		if (h->len == want.len && memcmp((const char *)h + sizeof want, b.p + off + sizeof want,
		    want.len - sizeof want) == 0)
			same++;
		off += want.len;
		k++;
	}
	T_EQ_U(k, b.n + 3 * LATE);
	T_EQ_U(same, b.n + 3 * LATE);
	if (r)
		store_reader_close(r);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", root);
	free(b.p);
}

/* A segment of a version this build does not know is refused, and the
 * message names the version (not a misread, not a generic error). */
static void
t_unknown_version_refused(void)
{
	static struct inst_registry reg;
	char path[64], err[512], want[80];
	struct store_seg_hdr hd;
	struct store_seg sg;
	unsigned char buf[sizeof hd + sizeof(struct store_inst_disk)];
	FILE *fp;
	int fd, rc;

	inst_add(&reg, EX_BINANCE, "BTC-USDT", err, sizeof err);
	memset(buf, 0, sizeof buf);
	memset(&hd, 0, sizeof hd);
	hd.magic = STORE_SEG_MAGIC;
	hd.version = STORE_VERSION + 1;
	hd.hdr_len = sizeof buf;
	hd.schema_hash = rec_schema_hash();
	hd.kind = STORE_K_BOOK;
	hd.n_inst = 1;
	memcpy(buf, &hd, sizeof hd);
	hd.hdr_crc = store_crc32c(0, buf, sizeof buf);
	memcpy(buf, &hd, sizeof hd);
	snprintf(path, sizeof path, "/tmp/test_store_codec.XXXXXX");
	fd = mkstemp(path);
	T_CHECK(fd >= 0);
	if (fd < 0)
		return;
	fp = fdopen(fd, "w");
	T_CHECK(fp && fwrite(buf, 1, sizeof buf, fp) == sizeof buf);
	if (fp)
		fclose(fp);
	rc = store_seg_open(&sg, path, err, sizeof err);
	T_EQ_I(rc, -1);
	if (rc == 0)
		store_seg_close(&sg);
	printf("# %s\n", err);
	snprintf(want, sizeof want, "segment version %d, this build reads versions 2 to %d", STORE_VERSION + 1,
	    STORE_VERSION);
	T_CHECK(strstr(err, want) != NULL);
	unlink(path);
}

int
main(void)
{
	log_init("test_store_codec");
	log_set_level(LOG_ERROR);
	T_RUN(t_roundtrip_all_codecs);
	T_RUN(t_ac_random);
	T_RUN(t_damaged_columns);
	T_RUN(t_old_blocks_readable);
	T_RUN(t_unknown_version_refused);
	return t_done();
}
