/* test_mpexport.c - mpexport's parts: the .npy writer, features of a small
 * book worked out by hand, order flow, labels, prior-days statistics, and the
 * engine on hand-made stores with bad input (a book that disagrees with
 * bookd, a corrupted store block, an invalid level, chunked snapshots), and
 * the basis against a spot stream (spot.c) equal to the live computation. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inst.h"
#include "log.h"
#include "rec.h"
#include "../../stored/store.h"
#include "../../stored/store_write.h"
#include "../../tools/mpexport/export.h"
#include "../../tools/mpexport/feat.h"
#include "../../tools/mpexport/label.h"
#include "../../tools/mpexport/npy.h"
#include "../../tools/mpexport/req.h"
#include "../../routerd/mlmkt.h"
#include "../t.h"


#define E8 100000000LL
#define S_NS 1000000000LL
#define T0 1763596800000000000LL

static char base[128];

static int
near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * (fabs(a) + fabs(b) + 1);
}

/* ---- npy ---- */

static void
t_npy_header(void)
{
	char buf[512];
	uint64_t sh[2] = { 3, 40 }, one[1] = { 5 };
	size_t n = mpx_npy_header(buf, sizeof buf, "<f4", 2, sh, 0);
	const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 40), }";

	T_EQ_I(n % 64, 0);
	T_CHECK(n > 0 && !memcmp(buf, "\x93NUMPY\x01\x00", 8));
	T_EQ_I((unsigned char)buf[8] | (unsigned char)buf[9] << 8, (int)n - 10);
	T_CHECK(!memcmp(buf + 10, dict, strlen(dict)));
	T_CHECK(buf[n - 1] == '\n' && buf[n - 2] == ' ');
	n = mpx_npy_header(buf, sizeof buf, "<i8", 1, one, 0);
	buf[n - 1] = 0;
	T_CHECK(strstr(buf + 10, "'shape': (5,), }") != NULL);
	/* A fixed total pads, and a header that does not fit is refused. */
	T_EQ_I(mpx_npy_header(buf, sizeof buf, "<i8", 1, one, 192), 192);
	T_EQ_I(mpx_npy_header(buf, sizeof buf, "<i8", 1, one, 32), 0);
}

static void
t_npy_roundtrip(void)
{
	struct mpx_npy n;
	char path[256], err[256], hdr[512];
	uint64_t in[1] = { 3 };
	float rows[6] = { 1, 2, 3, 4, 5, 6 }, back[6];
	FILE *f;
	size_t hl;

	snprintf(path, sizeof path, "%s/a.npy", base);
	T_EQ_I(mpx_npy_open(&n, path, "<f4", 2, in, err, sizeof err), 0);
	hl = n.hdr_len;
	T_EQ_I(mpx_npy_append(&n, rows, 1), 0);
	T_EQ_I(mpx_npy_append(&n, rows + 3, 1), 0);
	T_EQ_I(mpx_npy_close(&n, err, sizeof err), 0);
	f = fopen(path, "rb");
	T_CHECK(f != NULL);
	if (!f)
		return;
	T_EQ_I(fread(hdr, 1, hl, f), hl);
	T_EQ_I(fread(back, 4, 6, f), 6);
	T_EQ_I(fgetc(f), EOF);
	fclose(f);
	hdr[hl - 1] = 0;
	/* the shape was rewritten in place with the final row count */
	T_CHECK(strstr(hdr + 10, "'shape': (2, 3), }") != NULL);
	T_CHECK(!memcmp(back, rows, sizeof rows));
	/* the reserved header is the same length as the final one */
	T_EQ_I(hl % 64, 0);
}

static void
t_npy_write_error(void)
{
	struct mpx_npy n;
	char err[256] = "";
	uint64_t in[1] = { 1024 };
	static float big[1024 * 64];
	int i;

	/* /dev/full: every write fails with ENOSPC; close must say so. */
	if (access("/dev/full", W_OK) != 0)
		return;
	T_EQ_I(mpx_npy_open(&n, "/dev/full", "<f4", 2, in, err, sizeof err), 0);
	for (i = 0; i < 64; i++)
		mpx_npy_append(&n, big, 64);
	T_EQ_I(mpx_npy_close(&n, err, sizeof err), -1);
	T_CHECK(strstr(err, "write failed") != NULL);
	T_EQ_I(mpx_npy_open(&n, "/nonexistent-dir/x.npy", "<f4", 2, in, err, sizeof err), -1);
	T_CHECK(strstr(err, "/nonexistent-dir/x.npy") != NULL);
}

/* ---- features ---- */

static struct book *
small_book(void)
{
	struct book *b = book_new(100);
	struct rec_level bids[2] = { { 99 * E8, 1 * E8 }, { 98 * E8, 2 * E8 } };
	struct rec_level asks[2] = { { 101 * E8, 3 * E8 }, { 103 * E8, 4 * E8 } };

	book_set_side(b, BOOK_BID, bids, 2, NULL);
	book_set_side(b, BOOK_ASK, asks, 2, NULL);
	return b;
}

static void
t_feat_small_book(void)
{
	struct mpx_fcfg c = { 0 };
	struct mpx_known k = { 98 * E8, 103 * E8 };
	struct mpx_flow fl = { 0 };
	struct book *b = small_book();
	double mid, dl[12], ft[64], heat[8];
	char name[64];
	int nb, base_tail;

	c.levels = 3;
	c.n_bands = 3;
	c.bands[0] = 50;
	c.bands[1] = 150;
	c.bands[2] = 250;
	c.bins = 4;
	c.bin_bps = 80;
	c.px_div = 1e8;
	c.qty_div = 1e8;
	T_EQ_I(mpx_deeplob_ncols(&c), 12);
	T_EQ_I(mpx_sample(&c, b, &k, &fl, &mid, dl, ft, heat), 0);
	T_CHECK(near(mid, 100));
	/* DeepLOB order: ask px, ask size, bid px, bid size; prices in bps from mid */
	T_CHECK(near(dl[0], 100) && near(dl[1], 3) && near(dl[2], -100) && near(dl[3], 1));
	T_CHECK(near(dl[4], 300) && near(dl[5], 4) && near(dl[6], -200) && near(dl[7], 2));
	T_CHECK(isnan(dl[8]) && dl[9] == 0 && isnan(dl[10]) && dl[11] == 0);
	T_EQ_S(mpx_feat_name(&c, 0, name, sizeof name), "mid");
	T_EQ_S(mpx_feat_name(&c, 2, name, sizeof name), "spread_bps");
	T_EQ_S(mpx_feat_name(&c, 7, name, sizeof name), "bid_depth_150bps");
	T_EQ_S(mpx_feat_name(&c, 11, name, sizeof name), "ask_depth_250bps");
	T_CHECK(near(ft[1], 2) && near(ft[2], 200));
	T_CHECK(near(ft[3], -50));              /* microprice 99.5 */
	T_CHECK(near(ft[4], -0.5));             /* (1 - 3) / 4 */
	T_CHECK(near(ft[5], (3.0 - 7) / 10));   /* top 3 levels: all of them */
	/* bid levels at 100 and 200 bps, known to 200 bps; asks at 100, 300, known to 300 */
	T_CHECK(ft[6] == 0 && near(ft[7], 1) && isnan(ft[8]));
	T_CHECK(ft[9] == 0 && near(ft[10], 3) && near(ft[11], 3));
	nb = 6 + 2 * c.n_bands;
	base_tail = nb;
	T_EQ_S(mpx_feat_name(&c, base_tail, name, sizeof name), "bid_qty_total");
	T_CHECK(near(ft[nb + 0], 3) && near(ft[nb + 1], 7) && ft[nb + 2] == 2 && ft[nb + 3] == 2);
	T_CHECK(near(ft[nb + 4], 200) && near(ft[nb + 5], 300));
	T_CHECK(near(ft[nb + 6], 1) && near(ft[nb + 7], 1));
	T_EQ_I(mpx_feat_ncols(&c), nb + 20);
	/* heatmap [bin][side], 80 bps bins: a bin reaching past the known range is NaN */
	T_CHECK(heat[0] == 0 && near(heat[2], 1) && isnan(heat[4]) && isnan(heat[6]));
	T_CHECK(heat[1] == 0 && near(heat[3], 3) && heat[5] == 0 && isnan(heat[7]));
	/* without a known range the deepest level held bounds it */
	k.bid_floor = k.ask_ceil = 0;
	mpx_sample(&c, b, &k, &fl, &mid, NULL, ft, heat);
	T_CHECK(isnan(ft[8]));                  /* 250 bps > 200 bps of the deepest bid */
	/* one side empty: no sample */
	book_apply(b, BOOK_ASK, 101 * E8, 0);
	book_apply(b, BOOK_ASK, 103 * E8, 0);
	T_EQ_I(mpx_sample(&c, b, &k, &fl, &mid, dl, ft, heat), -1);
	book_free(b);
}

static void
t_flow(void)
{
	struct mpx_fcfg c = { 0 };
	struct mpx_flow fl = { 0 };
	int64_t before[4] = { 99 * E8, 1 * E8, 101 * E8, 3 * E8 };
	int64_t up[4] = { 995 * E8 / 10, 2 * E8, 101 * E8, 3 * E8 };
	int64_t askdown[4] = { 99 * E8, 1 * E8, 100 * E8, 5 * E8 };

	c.qty_div = 1e8;
	mpx_flow_level(&fl, &c, BOOK_BID, 1 * E8, 3 * E8);
	mpx_flow_level(&fl, &c, BOOK_BID, 2 * E8, 0);
	mpx_flow_level(&fl, &c, BOOK_ASK, 0, 5 * E8);
	T_CHECK(near(fl.bid_add, 2) && near(fl.bid_rem, 2) && near(fl.ask_add, 5) && fl.ask_rem == 0);
	T_EQ_I(fl.n_changes, 3);
	/* OFI: a higher bid adds its size; an unchanged ask adds nothing */
	mpx_flow_ofi(&fl, &c, before, up);
	T_CHECK(near(fl.ofi, 2));
	/* a lower ask subtracts its new size */
	fl.ofi = 0;
	mpx_flow_ofi(&fl, &c, before, askdown);
	T_CHECK(near(fl.ofi, (1.0 - 1) - 5));
}

/* ---- labels and normalization ---- */

static void
t_labels(void)
{
	double mid[6] = { 100, 100, 100, 101, 101, 101 };
	int32_t one[6] = { 1, 1, 1, 1, 1, 1 }, two[6] = { 1, 1, 1, 2, 2, 2 };
	int hor[2] = { 1, 2 };
	int8_t lab[12];
	float ret[12];

	mpx_labels(mid, one, 6, hor, 2, 0.001, lab, ret);
	T_EQ_I(lab[0 * 2 + 0], 0);
	T_EQ_I(lab[2 * 2 + 0], 1);              /* 100 -> 101 */
	T_CHECK(near(ret[2 * 2 + 0], 0.01));
	T_EQ_I(lab[5 * 2 + 0], MPX_LABEL_MISSING);  /* no future row */
	T_CHECK(isnan(ret[5 * 2 + 0]));
	T_EQ_I(lab[0 * 2 + 1], MPX_LABEL_MISSING);  /* k = 2 needs a past row */
	T_EQ_I(lab[1 * 2 + 1], 1);              /* (100+101)/2 vs 100 */
	T_EQ_I(lab[4 * 2 + 1], MPX_LABEL_MISSING);
	/* down */
	mid[4] = 99;
	mid[5] = 99;
	mpx_labels(mid, one, 6, hor, 2, 0.001, lab, ret);
	T_EQ_I(lab[3 * 2 + 0], -1);
	/* never across a segment boundary */
	mpx_labels(mid, two, 6, hor, 2, 0.001, lab, ret);
	T_EQ_I(lab[2 * 2 + 0], MPX_LABEL_MISSING);
	T_EQ_I(lab[3 * 2 + 0], -1);
	T_EQ_I(lab[3 * 2 + 1], MPX_LABEL_MISSING);
}

static void
t_norm_prior_only(void)
{
	struct mpx_norm nm;
	double r[2], mean[2], sd[2];
	int i;

	mpx_norm_init(&nm, 2);
	T_EQ_I(mpx_norm_stats(&nm, 10, 2, mean, sd), 0);
	for (i = 0; i < 4; i++) {
		r[0] = i;                       /* day 10: 0 1 2 3 */
		r[1] = 7;                       /* constant: std 1 */
		mpx_norm_add(&nm, 10, r);
	}
	r[0] = 10;
	r[1] = NAN;                             /* left out of its column */
	mpx_norm_add(&nm, 11, r);
	T_EQ_I(mpx_norm_stats(&nm, 10, 2, mean, sd), 0);     /* day 10 has no prior day */
	T_EQ_I(mpx_norm_stats(&nm, 12, 2, mean, sd), 5);
	T_CHECK(near(mean[0], 16.0 / 5));
	T_CHECK(near(sd[0], sqrt((3.2 * 3.2 + 2.2 * 2.2 + 1.2 * 1.2 + 0.2 * 0.2 + 6.8 * 6.8) / 5)));
	T_CHECK(near(mean[1], 7) && sd[1] == 1);
	/* data of day 12 itself (and later) never changes day 12's statistics */
	r[0] = 1000;
	r[1] = 1000;
	mpx_norm_add(&nm, 12, r);
	mpx_norm_add(&nm, 13, r);
	T_EQ_I(mpx_norm_stats(&nm, 12, 2, mean, sd), 5);
	T_CHECK(near(mean[0], 16.0 / 5) && near(mean[1], 7));
	/* only the last ndays calendar days count */
	T_EQ_I(mpx_norm_stats(&nm, 12, 1, mean, sd), 1);
	T_CHECK(near(mean[0], 10));
	T_CHECK(near(mean[1], 0) && sd[1] == 1);   /* no values in that window */
	mpx_norm_free(&nm);
}

/* ---- the engine on hand-made stores ---- */

static struct inst_registry reg;
static struct store_writer *w;
static uint64_t seq;
static int64_t lastid;
static int64_t bidq = 1 * E8;

static void
wput(const void *rec)
{
	char err[256];

	if (store_writer_add(w, 0x77, ++seq, EX_BINANCE, rec, ((const struct rec_hdr *)rec)->len, err,
	    sizeof err) != STORE_W_OK)
		fprintf(stderr, "add: %s\n", err);
}

static int
wopen(const char *name, char *root, size_t cap)
{
	struct store_writer_opts o = { 0 };
	char err[256];

	snprintf(root, cap, "%s/%s", base, name);
	o.root = root;
	o.reg = &reg;
	o.zstd_level = 1;
	seq = 0;
	lastid = 100;
	bidq = 1 * E8;
	w = store_writer_open(&o, err, sizeof err);
	if (!w)
		fprintf(stderr, "writer: %s\n", err);
	return w ? 0 : -1;
}

static void
wcommit(void)
{
	char err[256];

	if (store_writer_commit(w, err, sizeof err) < 0)
		fprintf(stderr, "commit: %s\n", err);
}

/* A full snapshot of bids 99, 98 / asks 101, 103 (bid size bidq), in nchunks records. */
static void
put_full(int64_t t, int reason, int nchunks)
{
	struct rec_level lv[4] = { { 99 * E8, 0 }, { 98 * E8, 2 * E8 }, { 101 * E8, 3 * E8 }, { 103 * E8, 4 * E8 } };
	int c;

	lv[0].qty = bidq;
	for (c = 0; c < nchunks; c++) {
		/* chunk 0: the bids; chunk 1: the asks */
		uint32_t nb = nchunks == 1 ? 2 : c == 0 ? 2 : 0, na = nchunks == 1 ? 2 : c == 0 ? 0 : 2;
		size_t len = rec_snapshot_size(nb, na);
		struct rec_snapshot *s = calloc(1, len);
		rec_hdr_init(&s->h, REC_SNAPSHOT, 1, (uint32_t)len);
		s->h.flags = REC_F_SYNCED;
		s->h.last_id = lastid;
		s->h.recv_ns = t;
		s->kind = SNAP_FULL;
		s->reason = (uint8_t)reason;
		s->chunk = (uint16_t)c;
		s->nchunks = (uint16_t)nchunks;
		s->n_bids = nb;
		s->n_asks = na;
		memcpy(s->lv, nchunks == 1 || c == 0 ? lv : lv + 2, (nb + na) * sizeof *lv);
		s->bid_floor_px = 98 * E8;
		s->ask_ceil_px = 103 * E8;
		wput(s);
		free(s);
	}
}

/* A delta changing the best bid's size; bad_best = 1 writes wrong bookd fields, px0 a zero price. */
static void
put_delta(int64_t t, int bad_best, int px0)
{
	size_t len = rec_delta_size(1, 0);
	struct rec_delta *d = calloc(1, len);

	bidq += E8 / 100;
	rec_hdr_init(&d->h, REC_DELTA, 1, (uint32_t)len);
	d->h.flags = REC_F_SYNCED;
	d->h.prev_id = lastid;
	d->h.first_id = lastid + 1;
	d->h.last_id = ++lastid;
	d->h.recv_ns = t;
	d->n_bids = 1;
	d->lv[0].px = px0 ? 0 : 99 * E8;
	d->lv[0].qty = bidq;
	d->book_bids = 2;
	d->book_asks = 2;
	d->best_bid_px = 99 * E8;
	d->best_bid_qty = bad_best ? bidq + 1 : bidq;
	d->best_ask_px = 101 * E8;
	d->best_ask_qty = 3 * E8;
	wput(d);
	free(d);
}

static json_t *
run_export(const char *root, const char *out, char *err, size_t errlen)
{
	struct mpx_opts o;
	struct mpx_summary s;
	char path[600];

	memset(&o, 0, sizeof o);
	o.root = root;
	o.exchange = "binance";
	o.symbol = "BTC-USDT";
	o.out = out;
	o.from = T0;
	o.to = T0 + 3600 * S_NS;
	o.what = MPX_W_DEEPLOB | MPX_W_FEATURES | MPX_W_LABELS;
	o.window = 2;
	o.f.levels = 2;
	o.f.n_bands = 1;
	o.f.bands[0] = 150;
	o.f.bins = 4;
	o.f.bin_bps = 80;
	o.n_hor = 1;
	o.hor[0] = 1;
	o.threshold_bps = 1;
	o.warmup_ns = 60 * S_NS;
	o.max_levels = 5000;
	o.progress = 0;
	if (mpx_export(&o, &s, err, errlen) < 0)
		return NULL;
	snprintf(path, sizeof path, "%s/metadata.json", out);
	return json_load_file(path, 0, NULL);
}

static const char *
gap_reason(json_t *m, size_t i)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(m, "gaps"), i), "reason"));
}

static json_int_t
count(json_t *m, const char *k)
{
	return json_integer_value(json_object_get(json_object_get(m, "counts"), k));
}

static void
t_engine_mismatch_and_chunks(void)
{
	char root[300], out[300], err[512] = "";
	json_t *m;
	int i;

	if (wopen("mm", root, sizeof root) < 0)
		return;
	put_full(T0, SNAP_R_SYNC, 2);           /* chunked: bids, then asks */
	for (i = 1; i <= 5; i++)
		put_delta(T0 + i * S_NS, 0, 0);
	put_delta(T0 + 6 * S_NS, 1, 0);         /* bookd says another best bid size */
	for (i = 7; i <= 9; i++)
		put_delta(T0 + i * S_NS, 0, 0);
	put_full(T0 + 10 * S_NS, SNAP_R_RESYNC, 1);
	for (i = 11; i <= 13; i++)
		put_delta(T0 + i * S_NS, 0, 0);
	store_writer_close(w, err, sizeof err);
	snprintf(out, sizeof out, "%s/mm.out", base);
	m = run_export(root, out, err, sizeof err);
	T_CHECK(m != NULL);
	if (!m) {
		fprintf(stderr, "export: %s\n", err);
		return;
	}
	/* 5 samples, the mismatch breaks the epoch from the last good update (5 s) to the resync (10 s) */
	T_EQ_I(json_integer_value(json_object_get(m, "samples")), 5 + 3);
	T_EQ_I(count(m, "book_mismatch"), 1);
	T_EQ_I(count(m, "unanchored"), 3);
	T_EQ_I(count(m, "epochs"), 2);
	T_EQ_S(gap_reason(m, 0), "book_mismatch");
	T_EQ_I(json_integer_value(json_object_get(json_array_get(json_object_get(m, "gaps"), 0), "from_ns")),
	    T0 + 5 * S_NS);
	T_EQ_I(json_integer_value(json_object_get(json_array_get(json_object_get(m, "gaps"), 0), "to_ns")),
	    T0 + 10 * S_NS);
	T_EQ_S(gap_reason(m, 1), "end_of_data");
	T_EQ_I(json_array_size(json_object_get(m, "segments")), 2);
	json_decref(m);
}

static void
t_engine_invalid_level(void)
{
	char root[300], out[300], err[512] = "";
	json_t *m;

	if (wopen("inv", root, sizeof root) < 0)
		return;
	put_full(T0, SNAP_R_SYNC, 1);
	put_delta(T0 + 1 * S_NS, 0, 0);
	put_delta(T0 + 2 * S_NS, 0, 1);         /* price 0 */
	put_delta(T0 + 3 * S_NS, 0, 0);
	store_writer_close(w, err, sizeof err);
	snprintf(out, sizeof out, "%s/inv.out", base);
	m = run_export(root, out, err, sizeof err);
	T_CHECK(m != NULL);
	if (!m)
		return;
	T_EQ_I(count(m, "bad_levels"), 1);
	T_EQ_S(gap_reason(m, 0), "invalid_level");
	T_EQ_I(json_integer_value(json_object_get(m, "samples")), 1);
	json_decref(m);
}

static void
t_engine_corrupt_block(void)
{
	char root[300], out[300], err[512] = "", path[600];
	struct store_block_hdr bh;
	struct store_seg_hdr sh;
	uint64_t off;
	json_t *m;
	FILE *f;
	int i, b;

	if (wopen("cor", root, sizeof root) < 0)
		return;
	put_full(T0, SNAP_R_SYNC, 1);
	for (b = 0; b < 3; b++) {               /* three blocks of 4 deltas */
		for (i = 1; i <= 4; i++)
			put_delta(T0 + (b * 4 + i) * S_NS, 0, 0);
		wcommit();
	}
	store_writer_close(w, err, sizeof err);
	/* flip a byte in the compressed data of block 1 */
	snprintf(path, sizeof path, "%s/binance/BTC-USDT/20251120T00.seg", root);
	f = fopen(path, "r+b");
	T_CHECK(f != NULL);
	if (!f)
		return;
	T_EQ_I(fread(&sh, sizeof sh, 1, f), 1);
	off = sh.hdr_len;
	fseek(f, (long)off, SEEK_SET);
	T_EQ_I(fread(&bh, sizeof bh, 1, f), 1);
	off += bh.hdr_len + bh.comp_len;
	fseek(f, (long)off, SEEK_SET);
	T_EQ_I(fread(&bh, sizeof bh, 1, f), 1);
	fseek(f, (long)(off + bh.hdr_len + bh.comp_len / 2), SEEK_SET);
	i = fgetc(f);
	fseek(f, (long)(off + bh.hdr_len + bh.comp_len / 2), SEEK_SET);
	fputc(i ^ 0x5a, f);
	fclose(f);
	snprintf(out, sizeof out, "%s/cor.out", base);
	m = run_export(root, out, err, sizeof err);
	T_CHECK(m != NULL);
	if (!m)
		return;
	T_EQ_I(count(m, "store_faults"), 1);
	T_EQ_S(gap_reason(m, 0), "store_corrupt");
	T_EQ_I(json_integer_value(json_object_get(m, "samples")), 4);
	T_EQ_I(count(m, "unanchored"), 4);
	json_decref(m);
}

static void
t_engine_no_data(void)
{
	char root[300], out[300], err[512] = "";

	snprintf(root, sizeof root, "%s/empty", base);
	mkdir(root, 0755);
	snprintf(out, sizeof out, "%s/empty.out", base);
	T_CHECK(run_export(root, out, err, sizeof err) == NULL);
	T_CHECK(strstr(err, "no records") != NULL);
}

/* marketupdates.npy (f8 [M, MLM_N], format 1.0) into a malloc'd array; the row count, or -1. */
static long
read_rows(const char *path, double **rows)
{
	FILE *f = fopen(path, "rb");
	unsigned char h[10];
	long n = -1, end;
	size_t hl;

	*rows = NULL;
	if (!f)
		return -1;
	if (fread(h, 1, 10, f) == 10 && !memcmp(h, "\x93NUMPY\x01", 7)) {
		hl = (size_t)h[8] | (size_t)h[9] << 8;
		fseek(f, 0, SEEK_END);
		end = ftell(f);
		n = (end - 10 - (long)hl) / (long)(MLM_N * sizeof(double));
		*rows = malloc((size_t)(n > 0 ? n : 1) * MLM_N * sizeof(double));
		fseek(f, 10 + (long)hl, SEEK_SET);
		if (!*rows || fread(*rows, MLM_N * sizeof(double), (size_t)n, f) != (size_t)n)
			n = -1;
	}
	fclose(f);
	return n;
}

/* The basis offline (mpexport --what market: the derivative's stream with the
 * spot stream folded up to each record's bookd stamp, tools/mpexport/spot.c)
 * equals routerd's set fed the same records in ring order, bit for bit, with
 * many records sharing a stamp across the two streams; a [ml] basis_spot
 * naming an instrument the segment does not hold fails the export with the key. */
static void
t_engine_basis(void)
{
	enum { N = 1500 };
	static union { struct rec_hdr h; struct rec_delta d; struct rec_market m; } q[N];
	struct inst_registry r2;
	struct store_writer_opts wo = { 0 };
	struct mlm_set *live;
	struct mlb *b;
	static double want[N][MLM_N];
	double *rows = NULL;
	int nwant = 0, numbers = 0, i;
	long n;
	char root[300], out[300], path[400], err[512] = "";
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	int64_t key = T0 + S_NS;
	struct mpx_opts o;
	struct mpx_summary sum;

	inst_reg_init(&r2, 0);
	T_CHECK(inst_add(&r2, EX_BINANCE, "BTC-USDT", err, sizeof err) == 1);
	T_CHECK(inst_add(&r2, EX_BINANCE_USDM, "BTC-USDT-SWAP", err, sizeof err) == 2);
	for (i = 0; i < N; i++) {
		unsigned k;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		k = (unsigned)(x % 10);
		if (x % 3 == 0)
			key += (int64_t)((x >> 33) % (300 * 1000000ULL));   /* 0-300 ms; otherwise the same instant */
		if (k < 5) {
			rec_hdr_init(&q[i].h, REC_DELTA, k < 3 ? 1 : 2, sizeof q[i].d);
			q[i].h.flags = REC_F_SYNCED;
			q[i].d.best_bid_px = 6000000 * E8 + (int64_t)((x >> 20) % 1000) * E8 / 100;
			q[i].d.best_ask_px = q[i].d.best_bid_px + E8 / 100;
		} else {
			rec_market_init(&q[i].m, 2, MK_MARK);
			q[i].m.mark_px = 6000000 * E8 + (int64_t)((x >> 24) % 2000) * E8 / 100;
		}
		q[i].h.stage_ns[STAGE_BOOK] = key;
		q[i].h.recv_ns = key - 1000;
		q[i].h.exch_ns = key - 5000;
	}
	/* live: one set, the records in ring order */
	live = mlm_set_new(2);
	b = mlb_new(&r2, "", 1 * S_NS, err, sizeof err);
	T_CHECK(live && b);
	if (!live || !b)
		return;
	mlm_set_basis(live, b);
	for (i = 0; i < N; i++) {
		const struct inst *in = inst_get(&r2, q[i].h.inst);
		if (mlm_set_record(live, &q[i].h, in->px_exp, in->qty_exp, want[nwant]) == 1 && q[i].h.inst == 2) {
			numbers += !isnan(want[nwant][MLM_OWN + 2]);
			nwant++;
		}
	}
	mlm_set_free(live);
	/* the store: one stream per instrument */
	snprintf(root, sizeof root, "%s/basis", base);
	wo.root = root;
	wo.reg = &r2;
	wo.zstd_level = 1;
	seq = 0;
	if (!(w = store_writer_open(&wo, err, sizeof err))) {
		t_fail(__FILE__, __LINE__, err);
		return;
	}
	for (i = 0; i < N; i++)
		wput(&q[i]);
	store_writer_close(w, err, sizeof err);
	memset(&o, 0, sizeof o);
	o.root = root;
	o.exchange = "binance-usdm";
	o.symbol = "BTC-USDT-SWAP";
	snprintf(out, sizeof out, "%s/basis.out", base);
	o.out = out;
	o.from = T0;
	o.to = T0 + 3600 * S_NS;
	o.what = MPX_W_MARKET;
	o.window = 2;
	o.f.levels = 2;
	o.f.n_bands = 1;
	o.f.bands[0] = 150;
	o.f.bins = 4;
	o.f.bin_bps = 80;
	o.n_hor = 1;
	o.hor[0] = 1;
	o.threshold_bps = 1;
	o.req_levels = 100, o.req_bins = 200, o.flow_window = 100;
	o.stack_len = 10, o.stack_stride = 1, o.stack_ns = S_NS;
	o.warmup_ns = 60 * S_NS;
	o.max_levels = 5000;
	o.basis_spot = "";
	o.basis_max_age_ns = 1 * S_NS;
	T_CHECK(mpx_export(&o, &sum, err, sizeof err) == 0);
	snprintf(path, sizeof path, "%s/marketupdates.npy", out);
	n = read_rows(path, &rows);
	T_EQ_I(n, nwant);
	for (i = 0; rows && i < n && i < nwant; i++)
		if (memcmp(rows + (size_t)i * MLM_N, want[i], sizeof want[i]) != 0) {
			fprintf(stderr, "  row %d: bs_mark_basis_bps offline %.17g live %.17g\n", i,
			    rows[(size_t)i * MLM_N + MLM_OWN + 2], want[i][MLM_OWN + 2]);
			t_fail(__FILE__, __LINE__, "offline row differs from live");
			break;
		}
	free(rows);
	T_CHECK(nwant > 300 && numbers > nwant / 2 && numbers < nwant);
	/* the pairing names an instrument the store's table does not hold */
	o.basis_spot = "binance-usdm:BTC-USDT-SWAP=okx:BTC-USDT";
	err[0] = 0;
	T_CHECK(mpx_export(&o, &sum, err, sizeof err) < 0);
	T_CHECK(strstr(err, "[ml] basis_spot") != NULL && strstr(err, "okx:BTC-USDT is not a configured") != NULL);
	inst_reg_free(&r2);
}

int
main(void)
{
	char err[256];

	log_init("test_mpexport");
	log_set_level(LOG_ERROR);
	snprintf(base, sizeof base, "/tmp/test_mpexport.XXXXXX");
	if (!mkdtemp(base)) {
		perror("mkdtemp");
		return 1;
	}
	inst_reg_free(&reg);   /* empty again (static: set up more than once) */
	inst_add(&reg, EX_BINANCE, "BTC-USDT", err, sizeof err);
	T_RUN(t_npy_header);
	T_RUN(t_npy_roundtrip);
	T_RUN(t_npy_write_error);
	T_RUN(t_feat_small_book);
	T_RUN(t_flow);
	T_RUN(t_labels);
	T_RUN(t_norm_prior_only);
	T_RUN(t_engine_mismatch_and_chunks);
	T_RUN(t_engine_invalid_level);
	T_RUN(t_engine_corrupt_block);
	T_RUN(t_engine_no_data);
	T_RUN(t_engine_basis);
	{
		char cmd[200];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
		if (system(cmd) != 0)
			fprintf(stderr, "cleanup failed\n");
	}
	return t_done();
}
