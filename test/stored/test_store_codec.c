/* test_store_codec.c - the column codecs of store blocks: every record
 * sequence round-trips byte for byte under STORE_CODEC_COLS and
 * STORE_CODEC_COLS2 (predicted snapshots: unsorted, duplicated, chunked,
 * empty sides included), COLS2 is smaller where snapshots repeat the book,
 * blocks of the older codec stay readable next to new ones, and damaged
 * columns give an error, never a crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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
t_roundtrip_both_codecs(void)
{
	struct blk b = { 0 };
	void *c2, *c3;
	size_t l2, l3, z2, z3;
	const char *why;
	void *back;

	build(&b);
	z2 = roundtrip(STORE_CODEC_COLS, &b, &c2, &l2);
	z3 = roundtrip(STORE_CODEC_COLS2, &b, &c3, &l3);
	printf("# %u records, %zu bytes: cols %zu, cols2 %zu bytes after zstd 6\n", b.n, b.len, z2, z3);
	/* 40 top-N snapshots a few deltas apart: COLS2 codes them as edits */
	T_CHECK(z3 > 0 && z3 < z2);
	/* the codecs are told apart: a COLS2 block is not a COLS block */
	back = malloc(b.len);
	T_CHECK(store_codec_decode(STORE_CODEC_COLS, c3, l3, back, b.len, b.n, &why) < 0);
	T_CHECK(store_codec_decode(99, c3, l3, back, b.len, b.n, &why) < 0);
	free(back);
	free(c2);
	free(c3);
	free(b.p);
}

/* Damaged COLS2 columns: every truncation point of the first bytes and
 * random byte changes decode to an error or to records, never a crash (the
 * sanitizer build runs this). */
static void
t_damaged_columns(void)
{
	struct blk b = { 0 };
	void *c, *back, *d;
	size_t cl, i;
	uint64_t rng = 12345;
	int errors = 0;
	const char *why;

	build(&b);
	T_EQ_I(store_codec_encode(STORE_CODEC_COLS2, b.p, b.len, b.n, &c, &cl), 0);
	back = malloc(b.len);
	d = malloc(cl);
	for (i = 0; i < cl && i < 4000; i += 7)
		errors += store_codec_decode(STORE_CODEC_COLS2, c, i, back, b.len, b.n, &why) < 0;
	for (i = 0; i < 3000; i++) {
		size_t at;
		memcpy(d, c, cl);
		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		at = (size_t)(rng >> 33) % cl;
		((unsigned char *)d)[at] ^= (unsigned char)(1u + (rng >> 20) % 255);
		errors += store_codec_decode(STORE_CODEC_COLS2, d, cl, back, b.len, b.n, &why) < 0;
	}
	printf("# %d of the damaged blocks refused\n", errors);
	T_CHECK(errors > 0);
	free(d);
	free(back);
	free(c);
	free(b.p);
}

/* A stream written with the old codec, then appended to with the new one:
 * the reader returns every record of both. */
static void
t_old_blocks_readable(void)
{
	static struct inst_registry reg;
	char root[128], err[512], cmd[200];
	struct store_writer_opts o = { 0 };
	struct store_writer *w;
	struct store_query q = { 0 };
	struct store_reader *r;
	const struct rec_hdr *h;
	struct blk b = { 0 };
	size_t off = 0;
	uint32_t k = 0, same = 0;
	int made;

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
	o.root = root;
	o.reg = &reg;
	o.zstd_level = 3;
	for (int pass = 0; pass < 2; pass++) {
		o.codec = pass ? STORE_CODEC_COLS2 : STORE_CODEC_COLS;
		w = store_writer_open(&o, err, sizeof err);
		T_CHECK(w != NULL);
		if (!w)
			break;
		for (; off < b.len; k++) {
			const struct rec_hdr *rh = (const void *)(b.p + off);
			if (pass == 0 && k == b.n / 2)
				break;
			T_EQ_I(store_writer_add(w, 0x2222, k + 1, EX_NONE, rh, rh->len, err, sizeof err), STORE_W_OK);
			off += rh->len;
		}
		T_EQ_I(store_writer_close(w, err, sizeof err), 0);
	}
	r = store_reader_open(root, &q, NULL, NULL, err, sizeof err);
	T_CHECK(r != NULL);
	off = 0;
	k = 0;
	while (r && store_reader_next(r, &h, NULL) == 1 && off < b.len) {
		struct rec_hdr want;
		memcpy(&want, b.p + off, sizeof want);
		if (h->len == want.len && memcmp((const char *)h + sizeof want, b.p + off + sizeof want,
		    want.len - sizeof want) == 0)
			same++;
		off += want.len;
		k++;
	}
	T_EQ_U(k, b.n);
	T_EQ_U(same, b.n);
	if (r)
		store_reader_close(r);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", root);
	free(b.p);
}

int
main(void)
{
	log_init("test_store_codec");
	log_set_level(LOG_ERROR);
	T_RUN(t_roundtrip_both_codecs);
	T_RUN(t_damaged_columns);
	T_RUN(t_old_blocks_readable);
	return t_done();
}
