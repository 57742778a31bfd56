/*
 * store_codec.c - the column transform of STORE_CODEC_COLS blocks.
 *
 * zstd alone sees records as 16-byte (price, size) pairs of mostly random
 * low bits, interleaved with 88-byte headers of absolute nanosecond times.
 * Before zstd, the records of a block are split into columns whose values are
 * small and alike (measured: make bench, bench_store):
 *   T  the type of each record (1 byte); REC_MARKET records are written as
 *      REC_TYPE_MAX + kind so that each kind has its own previous record
 *      (funding, open interest, mark and liquidation records interleave and
 *      fill different fields: against each other every lane would change)
 *   F  fixed parts as varints: header ids against the previous record
 *      of the same type (continuous deltas give 0), times against the
 *      exchange time / receive time of the same record, every other 8-byte
 *      lane against the same lane of the previous record of that type; each
 *      value's trailing decimal zeros are split off (mantissas at exponent -8
 *      with a 0.01 tick end in six zeros)
 *   P  level prices: each against the previous price of its side (the first
 *      against the record's best price or the previous record's first),
 *      ZP the trailing decimal zeros of that difference (1 byte)
 *   Z  level sizes' trailing decimal zeros (1 byte), Q the rest as a varint
 *   R  everything else byte for byte (raw payloads)
 * Layout: varint count of columns (6), varint length of each, the columns.
 * Decoding checks every length against the buffers: a block is input from
 * a file, so a damaged one is an error, never a crash.
 */
#include "leb128.h"
#include "store_acm.h"
#include "store_num.h"
#include "store_pred.h"
#include "store_seg.h"

#include <stdlib.h>
#include <string.h>

/* C_O (STORE_CODEC_COLS2 only): the snapshot edit ops, see snap_enc. */
enum { C_T, C_F, C_P, C_ZP, C_Z, C_Q, C_R, C_O, C_N };
#define C_N_COLS 7      /* the columns of STORE_CODEC_COLS */

struct col {
	unsigned char *p;
	size_t len, cap;
};

/*
 * Where the encoder's values go: columns (COLS, COLS2: varints and bytes,
 * zstd'd by the writer) or, for STORE_CODEC_AC, the range coder with the
 * context models of store_acm.h; raw payload bytes go to column R in both.
 */
struct enc {
	struct col c[C_N];
	struct acm *m;          /* NULL: columns */
	struct ac_enc e;
	int gen;                /* acm_new's: 1 for STORE_CODEC_AC2 */
};

static int
col_put(struct col *c, const void *v, size_t n)
{
	if (c->len + n > c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 4096;
		void *p;
		while (nc < c->len + n)
			nc *= 2;
		p = realloc(c->p, nc);
		if (!p)
			return -1;
		c->p = p;
		c->cap = nc;
	}
	memcpy(c->p + c->len, v, n);
	c->len += n;
	return 0;
}

static int
col_varint(struct col *c, uint64_t v)
{
	unsigned char tmp[LEB128_MAX];

	return col_put(c, tmp, leb128_put(v, tmp));
}

static int64_t
wsub(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}

static int64_t
wadd(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* One value of F: zigzag(m) * 19 + tz. */
static int
put_f(struct col *c, int64_t v)
{
	int64_t m;
	uint8_t tz;
	uint64_t z;

	split10(v, &m, &tz);
	z = zz(m);
	/* m = 0 only with tz = 0, so the codes 1..18 are free: 1 escapes a
	 * value too large for the packing, written raw after it. */
	if (z > (UINT64_MAX - 18) / 19)
		return col_varint(c, 1) < 0 || col_varint(c, zz(v)) < 0 ? -1 : 0;
	return col_varint(c, z * 19 + tz);
}

/* The previous record of each slot (a type, or a REC_MARKET kind), as decoded lanes. */
#define SLOTS (REC_TYPE_MAX + MK_KIND_MAX + 1)
struct prev {
	int64_t lane[SLOTS][64];
	int64_t first_px[SLOTS][2];
};

static uint8_t
slot_of(const struct rec_hdr *h)
{
	if (h->type == REC_MARKET && h->aux >= 1 && h->aux <= MK_KIND_MAX)
		return (uint8_t)(REC_TYPE_MAX + h->aux);
	return (uint8_t)h->type;
}

static uint16_t
slot_type(uint8_t slot)
{
	return slot > REC_TYPE_MAX ? REC_MARKET : slot;
}

#define HDR_LANES ((int)(sizeof(struct rec_hdr) / 8))

#define p10 store_p10

/* Header lane i of record lanes l as the value written (against prev p). */
static int64_t
hdr_enc(int i, const int64_t *l, const int64_t *p)
{
	switch (i) {
	case 2:  /* first_id: against the previous last_id */
		return wsub(l[2], p[3]);
	case 3:  /* last_id: against this first_id */
		return wsub(l[3], l[2]);
	case 4:  /* prev_id: against the previous last_id (0 when continuous) */
		return wsub(l[4], p[3]);
	case 5:  /* exch_ns */
		return wsub(l[5], p[5]);
	case 6:  /* recv_ns: against exch_ns when there is one */
		return l[5] ? wsub(l[6], l[5]) : wsub(l[6], p[6]);
	case 7: case 8: case 9:  /* stage_ns: 0 stays 0, else against recv_ns */
		return l[i] ? wadd(wsub(l[i], l[6]), 1) : 0;
	default:  /* includes stage_ns[STAGE_STORE]: one stamp for the whole block */
		return wsub(l[i], p[i]);
	}
}

static int64_t
hdr_dec(int i, int64_t v, const int64_t *l, const int64_t *p)
{
	switch (i) {
	case 2:
		return wadd(v, p[3]);
	case 3:
		return wadd(v, l[2]);
	case 4:
		return wadd(v, p[3]);
	case 5:
		return wadd(v, p[5]);
	case 6:
		return l[5] ? wadd(v, l[5]) : wadd(v, p[6]);
	case 7: case 8: case 9:
		return v ? wadd(wsub(v, 1), l[6]) : 0;
	default:
		return wadd(v, p[i]);
	}
}

/* Where the level arrays start and the best prices of a record (for deltas). */
static void
levels_of(const unsigned char *r, uint16_t type, uint32_t *nb, uint32_t *na, int64_t ref[2],
    const struct prev *pv)
{
	if (type == REC_DELTA) {
		const struct rec_delta *d = (const struct rec_delta *)r;
		*nb = d->n_bids;
		*na = d->n_asks;
		ref[0] = d->best_bid_px;
		ref[1] = d->best_ask_px;
	} else {
		const struct rec_snapshot *s = (const struct rec_snapshot *)r;
		*nb = s->n_bids;
		*na = s->n_asks;
		ref[0] = pv->first_px[type][0];
		ref[1] = pv->first_px[type][1];
	}
}

/*
 * Codec 5 codes three lanes of a delta after its levels, against what the
 * block's book then says: the best sizes (the size last coded at the best
 * price: bookd's best level is mostly one the delta just set or one the book
 * holds) and the level counts (the previous delta's plus the levels the sizes
 * added minus removed).  Measured on the spot recording: the best sizes cost
 * 11 KB of 265 as lanes against the previous delta.
 */
#define LANE_BOOK ((int)(offsetof(struct rec_delta, book_bids) / 8))
#define LANE_BBQ ((int)(offsetof(struct rec_delta, best_bid_qty) / 8))
#define LANE_BAQ ((int)(offsetof(struct rec_delta, best_ask_qty) / 8))
#define LANE_BBP ((int)(offsetof(struct rec_delta, best_bid_px) / 8))
#define LANE_BAP ((int)(offsetof(struct rec_delta, best_ask_px) / 8))
_Static_assert(offsetof(struct rec_delta, book_asks) == offsetof(struct rec_delta, book_bids) + 4,
    "book_bids|book_asks share a lane");

static int
late_lane(int gen, uint16_t type, int i)
{
	return gen && type == REC_DELTA && (i == LANE_BOOK || i == LANE_BBQ || i == LANE_BAQ);
}

/* The prediction of late lane i of record lanes l (prev p). */
static int64_t
late_pred(struct acm *m, int i, const int64_t *l, const int64_t *p)
{
	if (i == LANE_BOOK) {
		uint32_t b = (uint32_t)p[i] + (uint32_t)acm_net(m, 0);
		uint32_t a = (uint32_t)((uint64_t)p[i] >> 32) + (uint32_t)acm_net(m, 1);
		return (int64_t)((uint64_t)a << 32 | b);
	}
	if (i == LANE_BBQ)
		return l[LANE_BBP] ? acm_book_qty(m, 0, l[LANE_BBP]) : 0;
	return l[LANE_BAP] ? acm_book_qty(m, 1, l[LANE_BAP]) : 0;
}

/* a before b in side order (bids: the higher price first). */
static int
before_px(int side, int64_t a, int64_t b)
{
	return side ? a < b : a > b;
}

/* A size: columns Z (decimal zeros) and Q, or the size model. */
static int
qty_put(struct enc *x, int side, int kind, int64_t px, int64_t qty)
{
	int64_t q;
	uint8_t tz;

	if (x->m)
		return acm_put_qty(x->m, &x->e, side, kind, px, qty);
	split10(qty, &q, &tz);
	return col_put(&x->c[C_Z], &tz, 1) < 0 || col_varint(&x->c[C_Q], zz(q)) < 0 ? -1 : 0;
}

/* One level, absolute: the price against ref (then ref = the price), the
 * size.  kind (ACM_PX_*) is the price's context in the size model. */
static int
lv_put(struct enc *x, int side, int kind, const struct rec_level *lv, int64_t *ref)
{
	int64_t m, step = wsub(lv->px, *ref);
	uint8_t tzp;

	*ref = lv->px;
	if (x->m) {
		if (acm_put_px(x->m, &x->e, side, kind, step) < 0)
			return -1;
	} else {
		split10(step, &m, &tzp);
		if (col_varint(&x->c[C_P], zz(m)) < 0 || col_put(&x->c[C_ZP], &tzp, 1) < 0)
			return -1;
	}
	return qty_put(x, side, kind, lv->px, lv->qty);
}

/*
 * A snapshot side against its prediction pr[0..m): one varint per edit in
 * C_O, (copies << 2) | op, where copies is the run of predicted levels taken
 * as they are before the op and op is
 *   SE_QTY   the next predicted price with a new size (C_Z/C_Q)
 *   SE_SKIP  the next predicted level is not in the snapshot
 *   SE_NEW   a level not predicted (C_P/C_ZP/C_Z/C_Q)
 *   SE_END   the side ends after the copies
 * A top-N snapshot a second after the last one is mostly copies.
 */
enum { SE_QTY, SE_SKIP, SE_NEW, SE_END };

static int
op_put(struct enc *x, int side, uint64_t copies, int op)
{
	if (copies > (UINT64_MAX >> 2))
		return -1;
	if (x->m)
		return acm_put_op(x->m, &x->e, side, copies << 2 | (uint64_t)op);
	return col_varint(&x->c[C_O], copies << 2 | (uint64_t)op);
}

static int
snap_enc(struct enc *x, int side, const struct rec_level *lv, uint32_t n, const struct rec_level *pr,
    uint32_t m, int64_t *ref)
{
	uint32_t i = 0, j = 0;
	uint64_t run = 0;

	while (j < n) {
		if (i < m && pr[i].px == lv[j].px) {
			if (pr[i].qty == lv[j].qty) {
				run++;
			} else {
				if (op_put(x, side, run, SE_QTY) < 0 || qty_put(x, side, ACM_PX_SNAP, lv[j].px, lv[j].qty) < 0)
					return -1;
				run = 0;
			}
			*ref = lv[j].px;
			i++;
			j++;
		} else if (i < m && before_px(side, pr[i].px, lv[j].px)) {
			if (op_put(x, side, run, SE_SKIP) < 0)
				return -1;
			run = 0;
			i++;
		} else {
			if (op_put(x, side, run, SE_NEW) < 0 || lv_put(x, side, ACM_PX_SNAP, &lv[j], ref) < 0)
				return -1;
			run = 0;
			j++;
		}
	}
	return op_put(x, side, run, SE_END);
}

/* The columns back to back behind their count and lengths. */
static int
cols_join(struct col *const *cols, int ncols, void **out, size_t *out_len)
{
	struct col o = { 0 };
	int i;

	if (col_varint(&o, (uint64_t)ncols) < 0)
		goto fail;
	for (i = 0; i < ncols; i++)
		if (col_varint(&o, cols[i]->len) < 0)
			goto fail;
	for (i = 0; i < ncols; i++)
		if (cols[i]->len && col_put(&o, cols[i]->p, cols[i]->len) < 0)
			goto fail;
	*out = o.p;
	*out_len = o.len;
	return 0;
fail:
	free(o.p);
	return -1;
}

int
store_codec_encode(int codec, const void *recs, size_t len, uint32_t n, void **out, size_t *out_len)
{
	struct enc x;
	struct col *c = x.c;
	struct prev *pv = calloc(1, sizeof *pv);
	struct store_pred pred;
	const unsigned char *base = recs;
	size_t off = 0;
	uint32_t k;
	int i, rc = -1, ncols = codec == STORE_CODEC_COLS ? C_N_COLS : C_N;
	int is_ac = codec == STORE_CODEC_AC || codec == STORE_CODEC_AC2;
	int predict = codec == STORE_CODEC_COLS2 || is_ac;

	memset(&x, 0, sizeof x);
	store_pred_init(&pred);
	if (!pv || (codec != STORE_CODEC_COLS && codec != STORE_CODEC_COLS2 && !is_ac))
		goto out;
	if (is_ac) {
		x.gen = codec == STORE_CODEC_AC2;
		if (!(x.m = acm_new(x.gen)))
			goto out;
		ac_enc_init(&x.e, x.gen);
	}
	for (k = 0; k < n; k++) {
		struct rec_hdr h;
		size_t fixed;
		int64_t l[64];
		int nl;
		uint8_t t;

		if (len - off < sizeof h)
			goto out;
		memcpy(&h, base + off, sizeof h);
		fixed = rec_fixed_size(h.type);
		if (!fixed || fixed % 8 || fixed > sizeof l || h.len < fixed || h.len > len - off)
			goto out;
		nl = (int)(fixed / 8);
		memcpy(l, base + off, fixed);
		t = slot_of(&h);
		if (x.m ? acm_put_slot(x.m, &x.e, t) < 0 : col_put(&c[C_T], &t, 1) < 0)
			goto out;
		for (i = 0; i < nl; i++) {
			int64_t v = i < HDR_LANES ? hdr_enc(i, l, pv->lane[t]) : wsub(l[i], pv->lane[t][i]);
			if (late_lane(x.gen, h.type, i))
				continue;
			if (x.m ? acm_put_lane(x.m, &x.e, t, i, v, l[i], pv->lane[t][i]) < 0 : put_f(&c[C_F], v) < 0)
				goto out;
		}
		if (h.type == REC_DELTA || h.type == REC_SNAPSHOT) {
			const struct rec_level *lv = (const struct rec_level *)(base + off + fixed);
			uint32_t nb, na, j;
			int64_t ref[2];
			levels_of(base + off, h.type, &nb, &na, ref, pv);
			if (fixed + ((size_t)nb + na) * sizeof *lv != h.len)
				goto out;
			if (nb)
				pv->first_px[t][0] = lv[0].px;
			if (na)
				pv->first_px[t][1] = lv[nb].px;
			if (predict && h.type == REC_SNAPSHOT) {
				for (int s = 0; s < 2; s++) {
					const struct rec_level *pr, *sl = s ? lv + nb : lv;
					uint32_t m, sn = s ? na : nb;
					if (store_pred_side(&pred, s, &pr, &m) < 0 ||
					    snap_enc(&x, s, sl, sn, pr, m, &ref[s]) < 0 ||
					    store_pred_snapshot(&pred, s, sl, sn) < 0)
						goto out;
				}
			} else {
				if (x.gen)
					acm_net_reset(x.m);
				for (j = 0; j < nb + na; j++) {
					int s = j >= nb;
					int kind = j == 0 || j == nb ? ACM_PX_FIRST : ACM_PX_NEXT;
					if (lv_put(&x, s, kind, &lv[j], &ref[s]) < 0)
						goto out;
				}
				for (i = 0; i < nl; i++) {
					int64_t pr;
					if (!late_lane(x.gen, h.type, i))
						continue;
					pr = late_pred(x.m, i, l, pv->lane[t]);
					if (acm_put_lane(x.m, &x.e, t, i, wsub(l[i], pr), l[i], pr) < 0)
						goto out;
				}
				if (predict && (store_pred_delta(&pred, 0, lv, nb) < 0 ||
				    store_pred_delta(&pred, 1, lv + nb, na) < 0))
					goto out;
			}
		} else if (h.len > fixed && col_put(&c[C_R], base + off + fixed, h.len - fixed) < 0) {
			goto out;
		}
		memcpy(pv->lane[t], l, fixed);
		off += h.len;
	}
	if (off != len)
		goto out;
	if (x.m) {
		/* STORE_CODEC_AC: the coded stream, then the raw bytes. */
		struct col ac, *two[2] = { &ac, &c[C_R] };
		if (ac_enc_finish(&x.e) < 0)
			goto out;
		ac.p = x.e.p;
		ac.len = x.e.len;
		rc = cols_join(two, 2, out, out_len);
	} else {
		struct col *all[C_N];
		for (i = 0; i < C_N; i++)
			all[i] = &c[i];
		rc = cols_join(all, ncols, out, out_len);
	}
out:
	for (i = 0; i < C_N; i++)
		free(c[i].p);
	free(x.e.p);
	acm_free(x.m);
	store_pred_free(&pred);
	free(pv);
	return rc;
}

struct rd {
	const unsigned char *p;
	size_t len, pos;
};

static int
rd_varint(struct rd *r, uint64_t *v)
{
	uint64_t x = 0;
	int shift = 0;

	while (r->pos < r->len && shift < 64) {
		unsigned char b = r->p[r->pos++];
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

static int
get_f(struct rd *r, int64_t *out)
{
	uint64_t v;

	if (rd_varint(r, &v) < 0)
		return -1;
	if (v == 1) {
		if (rd_varint(r, &v) < 0)
			return -1;
		*out = unzz(v);
		return 0;
	}
	if (v > 1 && v < 19)
		return -1;
	*out = (int64_t)((uint64_t)unzz(v / 19) * (uint64_t)p10[v % 19]);
	return 0;
}

/* Where the decoder's values come from (struct enc's inverse). */
struct dec {
	struct rd c[C_N];
	struct acm *m;          /* NULL: columns */
	struct ac_dec d;
	int gen;
};

static int
qty_get(struct dec *x, int side, int kind, int64_t px, int64_t *qty)
{
	struct rd *c = x->c;
	uint64_t v;
	uint8_t tz;

	if (x->m)
		return acm_get_qty(x->m, &x->d, side, kind, px, qty);
	if (c[C_Z].pos >= c[C_Z].len || rd_varint(&c[C_Q], &v) < 0)
		return -1;
	tz = c[C_Z].p[c[C_Z].pos++];
	if (tz > 18)
		return -1;
	*qty = (int64_t)((uint64_t)unzz(v) * (uint64_t)p10[tz]);
	return 0;
}

static int
lv_get(struct dec *x, int side, int kind, struct rec_level *lv, int64_t *ref)
{
	struct rd *c = x->c;
	int64_t step;
	uint64_t v;
	uint8_t tz;

	if (x->m) {
		if (acm_get_px(x->m, &x->d, side, kind, &step) < 0)
			return -1;
	} else {
		if (rd_varint(&c[C_P], &v) < 0 || c[C_ZP].pos >= c[C_ZP].len)
			return -1;
		tz = c[C_ZP].p[c[C_ZP].pos++];
		if (tz > 18)
			return -1;
		step = (int64_t)((uint64_t)unzz(v) * (uint64_t)p10[tz]);
	}
	lv->px = wadd(step, *ref);
	*ref = lv->px;
	return qty_get(x, side, kind, lv->px, &lv->qty);
}

/* The inverse of snap_enc; every count is checked against n and m. */
static int
snap_dec(struct dec *x, int side, struct rec_level *lv, uint32_t n, const struct rec_level *pr, uint32_t m,
    int64_t *ref)
{
	uint32_t i = 0, j = 0;

	for (;;) {
		uint64_t v, run;
		int op;
		if (x->m ? acm_get_op(x->m, &x->d, side, &v) < 0 : rd_varint(&x->c[C_O], &v) < 0)
			return -1;
		run = v >> 2;
		op = (int)(v & 3);
		if (run > m - i || run > n - j)
			return -1;
		if (run) {
			memcpy(&lv[j], &pr[i], (size_t)run * sizeof *lv);
			i += (uint32_t)run;
			j += (uint32_t)run;
			*ref = lv[j - 1].px;
		}
		switch (op) {
		case SE_QTY:
			if (i >= m || j >= n)
				return -1;
			lv[j].px = pr[i++].px;
			*ref = lv[j].px;
			if (qty_get(x, side, ACM_PX_SNAP, lv[j].px, &lv[j].qty) < 0)
				return -1;
			j++;
			break;
		case SE_SKIP:
			if (i >= m)
				return -1;
			i++;
			break;
		case SE_NEW:
			if (j >= n || lv_get(x, side, ACM_PX_SNAP, &lv[j++], ref) < 0)
				return -1;
			break;
		default:
			return j == n ? 0 : -1;
		}
	}
}

/* The column layout: count, lengths, columns; 0 or -1. */
static int
cols_split(const void *in, size_t in_len, struct rd *c, int ncols)
{
	struct rd top = { in, in_len, 0 };
	uint64_t v, nc;
	size_t at;
	int i;

	if (rd_varint(&top, &nc) < 0 || nc != (uint64_t)ncols)
		return -1;
	for (i = 0; i < ncols; i++) {
		if (rd_varint(&top, &v) < 0 || v > in_len)
			return -1;
		c[i].len = (size_t)v;
	}
	at = top.pos;
	for (i = 0; i < ncols; i++) {
		if (c[i].len > in_len - at)
			return -1;
		c[i].p = (const unsigned char *)in + at;
		c[i].pos = 0;
		at += c[i].len;
	}
	return at == in_len ? 0 : -1;
}

int
store_codec_decode(int codec, const void *in, size_t in_len, void *out, size_t raw_len, uint32_t n,
    const char **why)
{
	struct dec x;
	struct rd *c = x.c;
	struct prev *pv;
	struct store_pred pred;
	unsigned char *o = out;
	size_t off = 0;
	uint32_t k;
	int i, rc = -1, ncols = codec == STORE_CODEC_COLS ? C_N_COLS : C_N;
	int is_ac = codec == STORE_CODEC_AC || codec == STORE_CODEC_AC2, gen = codec == STORE_CODEC_AC2;
	int predict = codec == STORE_CODEC_COLS2 || is_ac;

	*why = "bad column layout";
	memset(&x, 0, sizeof x);
	x.gen = gen;
	if (codec != STORE_CODEC_COLS && codec != STORE_CODEC_COLS2 && !is_ac)
		return -1;
	if (is_ac) {
		struct rd two[2];
		if (cols_split(in, in_len, two, 2) < 0)
			return -1;
		c[C_R] = two[1];
		ac_dec_init(&x.d, two[0].p, two[0].len, gen);
		ncols = 0;      /* no column but R to check at the end */
	} else if (cols_split(in, in_len, c, ncols) < 0) {
		return -1;
	}
	pv = calloc(1, sizeof *pv);
	if (!pv || (is_ac && !(x.m = acm_new(gen)))) {
		free(pv);
		*why = "out of memory";
		return -1;
	}
	store_pred_init(&pred);
	*why = "column data does not decode";
	for (k = 0; k < n; k++) {
		int64_t l[64];
		uint16_t type;
		uint8_t slot;
		size_t fixed;
		uint32_t rlen;
		int nl;

		if (x.m) {
			if (acm_get_slot(x.m, &x.d, &slot) < 0)
				goto out;
		} else {
			if (c[C_T].pos >= c[C_T].len)
				goto out;
			slot = c[C_T].p[c[C_T].pos++];
		}
		if (slot == 0 || slot >= SLOTS)
			goto out;
		type = slot_type(slot);
		fixed = rec_fixed_size(type);
		if (!fixed || fixed % 8 || fixed > sizeof l || fixed > raw_len - off)
			goto out;
		nl = (int)(fixed / 8);
		for (i = 0; i < nl; i++) {
			int64_t fv;
			int abs = 0;
			if (late_lane(gen, type, i)) {
				l[i] = 0;       /* after the levels */
				continue;
			}
			if (x.m ? acm_get_lane(x.m, &x.d, slot, i, pv->lane[slot][i], &fv, &abs) < 0 :
			    get_f(&c[C_F], &fv) < 0)
				goto out;
			if (abs)
				l[i] = fv;
			else
				l[i] = i < HDR_LANES ? hdr_dec(i, fv, l, pv->lane[slot]) : wadd(fv, pv->lane[slot][i]);
		}
		memcpy(o + off, l, fixed);
		memcpy(&rlen, (const char *)l + offsetof(struct rec_hdr, len), sizeof rlen);
		if (((const struct rec_hdr *)(const void *)l)->type != type || rlen < fixed || rlen > raw_len - off)
			goto out;
		if (type == REC_DELTA || type == REC_SNAPSHOT) {
			struct rec_level *lv = (struct rec_level *)(o + off + fixed);
			uint32_t nb, na, j;
			int64_t ref[2];
			levels_of(o + off, type, &nb, &na, ref, pv);
			if ((uint64_t)fixed + ((uint64_t)nb + na) * sizeof *lv != rlen)
				goto out;
			if (predict && type == REC_SNAPSHOT) {
				for (int s = 0; s < 2; s++) {
					const struct rec_level *pr;
					struct rec_level *sl = s ? lv + nb : lv;
					uint32_t m, sn = s ? na : nb;
					if (store_pred_side(&pred, s, &pr, &m) < 0) {
						*why = "out of memory";
						goto out;
					}
					if (snap_dec(&x, s, sl, sn, pr, m, &ref[s]) < 0)
						goto out;
					if (store_pred_snapshot(&pred, s, sl, sn) < 0) {
						*why = "out of memory";
						goto out;
					}
				}
			} else {
				if (gen)
					acm_net_reset(x.m);
				for (j = 0; j < nb + na; j++) {
					int s = j >= nb;
					int kind = j == 0 || j == nb ? ACM_PX_FIRST : ACM_PX_NEXT;
					if (lv_get(&x, s, kind, &lv[j], &ref[s]) < 0)
						goto out;
				}
				for (i = 0; i < nl; i++) {
					int64_t fv, pr;
					int abs;
					if (!late_lane(gen, type, i))
						continue;
					pr = late_pred(x.m, i, l, pv->lane[slot]);
					if (acm_get_lane(x.m, &x.d, slot, i, pr, &fv, &abs) < 0)
						goto out;
					l[i] = abs ? fv : wadd(fv, pr);
					memcpy(o + off + (size_t)i * 8, &l[i], 8);
				}
				if (predict && (store_pred_delta(&pred, 0, lv, nb) < 0 ||
				    store_pred_delta(&pred, 1, lv + nb, na) < 0)) {
					*why = "out of memory";
					goto out;
				}
			}
			if (nb)
				pv->first_px[type][0] = lv[0].px;
			if (na)
				pv->first_px[type][1] = lv[nb].px;
		} else if (rlen > fixed) {
			if (rlen - fixed > c[C_R].len - c[C_R].pos)
				goto out;
			memcpy(o + off + fixed, c[C_R].p + c[C_R].pos, rlen - fixed);
			c[C_R].pos += rlen - fixed;
		}
		if (slot_of((const struct rec_hdr *)(const void *)l) != slot)
			goto out;   /* a kind slot whose record says another kind: damaged */
		memcpy(pv->lane[slot], l, fixed);
		off += rlen;
	}
	if (off != raw_len || c[C_R].pos != c[C_R].len || (x.m && x.d.err))
		goto out;
	for (i = 0; i < ncols; i++)
		if (c[i].pos != c[i].len)
			goto out;
	rc = 0;
out:
	store_pred_free(&pred);
	acm_free(x.m);
	free(pv);
	return rc;
}
