/*
 * store_acm.c - the context models of STORE_CODEC_AC (store_acm.h).
 */
#include "store_acm.h"
#include "store_num.h"

#include <stdlib.h>
#include <string.h>

#define ACM_SLOTS 16            /* > REC_TYPE_MAX + MK_KIND_MAX (store_codec.c checks) */
#define ACM_LANES 64
#define MTF_N 256               /* recently seen sizes / size changes kept */
#define PX_BUCKETS 8

/* What a size is coded as. */
enum { Q_ZERO, Q_DICT, Q_DDICT, Q_LIT, Q_DLIT, Q_HIST, Q_SELS };
/* Q_HIST (codec 5): one of the sizes this price held before its current
 * one (move-to-front, QH_N kept per level): a level is often re-quoted by
 * the order that left it, or returns to a size after an order comes and goes
 * (measured on the spot recording: 6,600 of 43,000 sizes that were neither a
 * recent size nor a recent change are one of the level's last 8). */
#define QH_N 8

struct lane_m {
	uint16_t mode;          /* P(halves) */
	struct ac_int tz, mant, lo, hi;
};

#define MTF_HASH 4096
struct mtf {
	int64_t v[MTF_N];
	int n;
	uint16_t in[MTF_HASH];  /* entries per hash of the value: most sizes are new,
	                         * and a 0 here spares their search of the list */
};

struct qent {
	int64_t px, qty;
	uint8_t used, side, nh;
	int64_t hist[QH_N];     /* codec 5: the sizes before qty, newest first */
};

struct acm {
	struct ac_int slot[ACM_SLOTS];
	/* The big contexts are made on first use: a block of trades never
	 * touches a price model, and a 5 s block of 90 records would spend more
	 * on initialising models than on coding. */
	struct lane_m *lane[ACM_SLOTS][ACM_LANES];
	struct ac_wint *px[2][ACM_PX_KINDS][PX_BUCKETS];
	struct ac_int px_tz[2];
	int px_prev[2];
	struct ac_int op[2];
	/* sizes */
	struct ac_int sel[2][2][ACM_PX_KINDS][Q_SELS], lit_tz[2];
	struct ac_wint rank[2][2], *lit_m[2][19];
	struct ac_int hrank[2][2];
	int64_t net[2];         /* levels added minus removed per side since acm_net_reset */
	int prev_sel[2];
	uint8_t prev_slot;
	int g;                  /* model generation: 0 codec 4, 1 codec 5 */
	struct mtf sizes, changes;
	struct qent *map;       /* (side, price) -> the last size coded there */
	uint32_t map_cap, map_n;
};

struct acm *
acm_new(int gen)
{
	struct acm *m = calloc(1, sizeof *m);

	if (!m)
		return NULL;
	m->g = gen;
	ac_int_init(m->slot, ACM_SLOTS, gen);
	ac_int_init(m->px_tz, 2, gen);
	ac_int_init(m->op, 2, gen);
	ac_int_init(&m->sel[0][0][0][0], sizeof m->sel / sizeof m->sel[0][0][0][0], gen);
	ac_wint_init(&m->rank[0][0], 4, gen);
	ac_int_init(m->lit_tz, 2, gen);
	ac_int_init(&m->hrank[0][0], sizeof m->hrank / sizeof m->hrank[0][0], gen);
	return m;
}

void
acm_free(struct acm *m)
{
	if (!m)
		return;
	for (int i = 0; i < ACM_SLOTS; i++)
		for (int j = 0; j < ACM_LANES; j++)
			free(m->lane[i][j]);
	for (int i = 0; i < 2; i++) {
		for (int k = 0; k < ACM_PX_KINDS; k++)
			for (int j = 0; j < PX_BUCKETS; j++)
				free(m->px[i][k][j]);
		for (int j = 0; j < 19; j++)
			free(m->lit_m[i][j]);
	}
	free(m->map);
	free(m);
}

/* ---- slots and lanes ---- */

int
acm_put_slot(struct acm *m, struct ac_enc *e, uint8_t slot)
{
	if (slot >= ACM_SLOTS)
		return -1;
	ac_put_int(e, &m->slot[m->prev_slot], slot);
	m->prev_slot = slot;
	return 0;
}

int
acm_get_slot(struct acm *m, struct ac_dec *d, uint8_t *slot)
{
	uint64_t v = ac_get_int(d, &m->slot[m->prev_slot]);

	if (d->err || v >= ACM_SLOTS)
		return -1;
	*slot = m->prev_slot = (uint8_t)v;
	return 0;
}

/* A wide context, made on first use (NULL: out of memory). */
static struct ac_wint *
wide(struct acm *m, struct ac_wint **w)
{
	if (!*w && (*w = malloc(sizeof **w)))
		ac_wint_init(*w, 1, m->g);
	return *w;
}

/* The models of a lane, made when it is first coded. */
static struct lane_m *
lanes_of(struct acm *m, uint8_t slot, int lane)
{
	struct lane_m *l;

	if (slot >= ACM_SLOTS || lane < 0 || lane >= ACM_LANES)
		return NULL;
	if (!(l = m->lane[slot][lane])) {
		if (!(l = malloc(sizeof *l)))
			return NULL;
		l->mode = ac_prob_init(m->g);
		ac_int_init(&l->tz, 4, m->g);
		m->lane[slot][lane] = l;
	}
	return l;
}

static int64_t
half_diff(int64_t cur, int64_t prev, int shift)
{
	return (int32_t)(uint32_t)((uint32_t)((uint64_t)cur >> shift) - (uint32_t)((uint64_t)prev >> shift));
}

int
acm_put_lane(struct acm *m, struct ac_enc *e, uint8_t slot, int lane, int64_t diff, int64_t cur,
    int64_t prev)
{
	struct lane_m *l = lanes_of(m, slot, lane);
	int64_t mant, lo, hi;
	uint8_t tz;
	int halves;

	if (!l)
		return -1;
	split10(diff, &mant, &tz);
	lo = half_diff(cur, prev, 0);
	hi = half_diff(cur, prev, 32);
	/* Halves when they are clearly shorter (two counters in one lane). */
	halves = ac_bits(zz(lo)) + ac_bits(zz(hi)) + 4 < ac_bits(zz(mant)) + (tz ? 3 : 0);
	ac_put_bit(e, &l->mode, halves);
	if (halves) {
		ac_put_int(e, &l->lo, zz(lo));
		ac_put_int(e, &l->hi, zz(hi));
	} else {
		ac_put_int(e, &l->tz, (uint64_t)tz);
		ac_put_int(e, &l->mant, zz(mant));
	}
	return 0;
}

int
acm_get_lane(struct acm *m, struct ac_dec *d, uint8_t slot, int lane, int64_t prev, int64_t *v, int *abs)
{
	struct lane_m *l = lanes_of(m, slot, lane);

	if (!l)
		return -1;
	*abs = ac_get_bit(d, &l->mode);
	if (*abs) {
		uint32_t lo = (uint32_t)prev + (uint32_t)unzz(ac_get_int(d, &l->lo));
		uint32_t hi = (uint32_t)((uint64_t)prev >> 32) + (uint32_t)unzz(ac_get_int(d, &l->hi));
		*v = (int64_t)((uint64_t)hi << 32 | lo);
	} else {
		uint64_t tz = ac_get_int(d, &l->tz);
		if (tz > 18)
			return -1;
		*v = join10(unzz(ac_get_int(d, &l->mant)), (unsigned)tz);
	}
	return d->err ? -1 : 0;
}

/* ---- prices and ops ---- */

int
acm_put_px(struct acm *m, struct ac_enc *e, int side, int kind, int64_t step)
{
	struct ac_wint *w = wide(m, &m->px[side][kind][m->px_prev[side]]);
	int64_t mant;
	uint8_t tz;
	int b;

	if (!w)
		return -1;
	split10(step, &mant, &tz);
	ac_put_int(e, &m->px_tz[side], (uint64_t)tz);
	ac_put_wint(e, w, zz(mant));
	b = ac_bits(zz(mant));
	m->px_prev[side] = b < PX_BUCKETS ? b : PX_BUCKETS - 1;
	return 0;
}

int
acm_get_px(struct acm *m, struct ac_dec *d, int side, int kind, int64_t *step)
{
	struct ac_wint *w = wide(m, &m->px[side][kind][m->px_prev[side]]);
	uint64_t tz = ac_get_int(d, &m->px_tz[side]), v;
	int b;

	if (tz > 18 || !w)
		return -1;
	v = ac_get_wint(d, w);
	b = ac_bits(v);
	m->px_prev[side] = b < PX_BUCKETS ? b : PX_BUCKETS - 1;
	*step = join10(unzz(v), (unsigned)tz);
	return d->err ? -1 : 0;
}

int
acm_put_op(struct acm *m, struct ac_enc *e, int side, uint64_t v)
{
	ac_put_int(e, &m->op[side], v);
	return 0;
}

int
acm_get_op(struct acm *m, struct ac_dec *d, int side, uint64_t *v)
{
	*v = ac_get_int(d, &m->op[side]);
	return d->err ? -1 : 0;
}

/* ---- sizes ---- */

static uint32_t
map_hash(int64_t px, int side, uint32_t cap)
{
	uint64_t h = ((uint64_t)px ^ (uint64_t)side << 63) * 0x9e3779b97f4a7c15ULL;

	return (uint32_t)(h >> 32) & (cap - 1);
}

static struct qent *
map_slot(struct acm *m, int64_t px, int side)
{
	uint32_t i = map_hash(px, side, m->map_cap);

	while (m->map[i].used && (m->map[i].px != px || m->map[i].side != side))
		i = (i + 1) & (m->map_cap - 1);
	return &m->map[i];
}

/* The entry of (side, px), made when missing (NULL: out of memory). */
static struct qent *
map_ent(struct acm *m, int64_t px, int side)
{
	struct qent *q;

	if ((uint64_t)(m->map_n + 1) * 2 > m->map_cap) {
		uint32_t oc = m->map_cap, nc = oc ? oc * 2 : 1024;
		struct qent *old = m->map, *nm;
		if (nc < oc)
			return NULL;
		nm = calloc(nc, sizeof *nm);
		if (!nm)
			return NULL;
		m->map = nm;
		m->map_cap = nc;
		for (uint32_t i = 0; i < oc; i++)
			if (old[i].used)
				*map_slot(m, old[i].px, old[i].side) = old[i];
		free(old);
	}
	q = map_slot(m, px, side);
	if (!q->used) {
		q->used = 1;
		q->px = px;
		q->side = (uint8_t)side;
		m->map_n++;
	}
	return q;
}

/* The entry of (side, px) or NULL. */
static struct qent *
map_find(struct acm *m, int64_t px, int side)
{
	struct qent *q;

	if (!m->map_cap)
		return NULL;
	q = map_slot(m, px, side);
	return q->used ? q : NULL;
}

static int64_t
map_get(struct acm *m, int64_t px, int side)
{
	const struct qent *q = map_find(m, px, side);

	return q ? q->qty : 0;
}

static int
hist_find(const struct qent *q, int64_t v)
{
	if (q)
		for (int i = 0; i < q->nh; i++)
			if (q->hist[i] == v)
				return i;
	return -1;
}

/* qty replaces old at q: old to the front of the history, qty out of it. */
static void
hist_move(struct qent *q, int64_t old, int64_t qty)
{
	int at = hist_find(q, qty);

	if (at >= 0) {
		memmove(&q->hist[at], &q->hist[at + 1], (size_t)(q->nh - at - 1) * sizeof q->hist[0]);
		q->nh--;
	}
	if (!old || old == qty)
		return;
	at = hist_find(q, old);
	if (at < 0)
		at = q->nh < QH_N ? q->nh++ : QH_N - 1;
	memmove(&q->hist[1], &q->hist[0], (size_t)at * sizeof q->hist[0]);
	q->hist[0] = old;
}

static int
map_set(struct acm *m, int64_t px, int side, int64_t qty)
{
	struct qent *q = map_ent(m, px, side);

	if (!q)
		return -1;
	if (m->g)
		hist_move(q, q->qty, qty);
	q->qty = qty;
	return 0;
}


static unsigned
mtf_hash(int64_t v)
{
	return (unsigned)(((uint64_t)v * 0x9e3779b97f4a7c15ULL) >> 52);
}

static int
mtf_find(const struct mtf *t, int64_t v)
{
	if (!t->in[mtf_hash(v)])
		return -1;
	for (int i = 0; i < t->n; i++)
		if (t->v[i] == v)
			return i;
	return -1;
}

/* v to the front (from position at, or new when at < 0). */
static void
mtf_use(struct mtf *t, int at, int64_t v)
{
	if (at < 0) {
		if (t->n == MTF_N)
			t->in[mtf_hash(t->v[MTF_N - 1])]--;
		at = t->n < MTF_N ? t->n++ : MTF_N - 1;
		t->in[mtf_hash(v)]++;
	}
	memmove(&t->v[1], &t->v[0], (size_t)at * sizeof t->v[0]);
	t->v[0] = v;
}

/* Rough bits of each form, for the encoder's pick. */
static int
lit_cost(int64_t v)
{
	int64_t mant;
	uint8_t tz;

	split10(v, &mant, &tz);
	return 3 + ac_bits(zz(mant));
}

static int
rank_cost(int r)
{
	return 2 + 2 * ac_bits((uint64_t)r + 1);
}

static int
put_lit(struct acm *m, struct ac_enc *e, int k, int64_t v)
{
	struct ac_wint *w;
	int64_t mant;
	uint8_t tz;

	split10(v, &mant, &tz);
	if (!(w = wide(m, &m->lit_m[k][tz])))
		return -1;
	ac_put_int(e, &m->lit_tz[k], (uint64_t)tz);
	ac_put_wint(e, w, zz(mant));
	return 0;
}

static int
get_lit(struct acm *m, struct ac_dec *d, int k, int64_t *v)
{
	uint64_t tz = ac_get_int(d, &m->lit_tz[k]);
	struct ac_wint *w;

	if (tz > 18 || !(w = wide(m, &m->lit_m[k][tz])))
		return -1;
	*v = join10(unzz(ac_get_wint(d, w)), (unsigned)tz);
	return d->err ? -1 : 0;
}

/* After a size: the book, the move-to-front lists, the previous pick. */
static int
qty_done(struct acm *m, int side, int64_t px, int64_t old, int64_t qty, int sel)
{
	m->net[side] += (qty != 0) - (old != 0);
	if (qty) {
		mtf_use(&m->sizes, mtf_find(&m->sizes, qty), qty);
		if (old) {
			int64_t ch = (int64_t)((uint64_t)qty - (uint64_t)old);
			mtf_use(&m->changes, mtf_find(&m->changes, ch), ch);
		}
	}
	m->prev_sel[side] = sel;
	return map_set(m, px, side, qty);
}

int
acm_put_qty(struct acm *m, struct ac_enc *e, int side, int kind, int64_t px, int64_t qty)
{
	int64_t old = map_get(m, px, side), ch = (int64_t)((uint64_t)qty - (uint64_t)old);
	int has = old != 0, sel, best, r = -1, rc = -1, rh = -1;
	const struct qent *qe = m->g ? map_find(m, px, side) : NULL;   /* codec 4: no history */

	if (!qty) {
		sel = Q_ZERO;
	} else {
		sel = Q_LIT;
		best = lit_cost(qty);
		if ((rh = hist_find(qe, qty)) >= 0)
			sel = Q_HIST, best = 1 + ac_bits((uint64_t)rh + 1);
		r = mtf_find(&m->sizes, qty);
		if (r >= 0 && (sel == Q_HIST ? rank_cost(r) < best : rank_cost(r) <= best))
			sel = Q_DICT, best = rank_cost(r);
		if (has) {
			int rc2 = mtf_find(&m->changes, ch);
			if (rc2 >= 0 && rank_cost(rc2) < best)
				sel = Q_DDICT, best = rank_cost(rc2), rc = rc2;
			if (lit_cost(ch) + 1 < best)
				sel = Q_DLIT;
		}
	}
	ac_put_int(e, &m->sel[side][has][kind][m->prev_sel[side]], (uint64_t)sel);
	switch (sel) {
	case Q_DICT:
		ac_put_wint(e, &m->rank[0][has], (uint64_t)r);
		break;
	case Q_DDICT:
		ac_put_wint(e, &m->rank[1][has], (uint64_t)rc);
		break;
	case Q_LIT:
		if (put_lit(m, e, 0, qty) < 0)
			return -1;
		break;
	case Q_DLIT:
		if (put_lit(m, e, 1, ch) < 0)
			return -1;
		break;
	case Q_HIST:
		ac_put_int(e, &m->hrank[has][side], (uint64_t)rh);
		break;
	}
	return qty_done(m, side, px, old, qty, sel);
}

int
acm_get_qty(struct acm *m, struct ac_dec *d, int side, int kind, int64_t px, int64_t *qty)
{
	int64_t old = map_get(m, px, side), v;
	int has = old != 0;
	const struct qent *qe = m->g ? map_find(m, px, side) : NULL;
	uint64_t sel = ac_get_int(d, &m->sel[side][has][kind][m->prev_sel[side]]), r;

	if (d->err)
		return -1;
	switch (sel) {
	case Q_ZERO:
		*qty = 0;
		break;
	case Q_DICT:
		r = ac_get_wint(d, &m->rank[0][has]);
		if (r >= (uint64_t)m->sizes.n)
			return -1;
		*qty = m->sizes.v[r];
		break;
	case Q_DDICT:
		r = ac_get_wint(d, &m->rank[1][has]);
		if (!has || r >= (uint64_t)m->changes.n)
			return -1;
		*qty = (int64_t)((uint64_t)old + (uint64_t)m->changes.v[r]);
		break;
	case Q_LIT:
		if (get_lit(m, d, 0, qty) < 0)
			return -1;
		break;
	case Q_DLIT:
		if (!has || get_lit(m, d, 1, &v) < 0)
			return -1;
		*qty = (int64_t)((uint64_t)old + (uint64_t)v);
		break;
	case Q_HIST:
		r = ac_get_int(d, &m->hrank[has][side]);
		if (!qe || r >= qe->nh)
			return -1;
		*qty = qe->hist[r];
		break;
	default:
		return -1;
	}
	if (d->err)
		return -1;
	/* A non-zero form that decodes to 0 is not what the encoder writes. */
	if (sel != Q_ZERO && !*qty)
		return -1;
	return qty_done(m, side, px, old, *qty, (int)sel);
}

/* ---- what the book of the block predicts (codec 5's late delta lanes) ---- */

int64_t
acm_book_qty(struct acm *m, int side, int64_t px)
{
	return map_get(m, px, side);
}

void
acm_net_reset(struct acm *m)
{
	m->net[0] = m->net[1] = 0;
}

int64_t
acm_net(const struct acm *m, int side)
{
	return m->net[side];
}
