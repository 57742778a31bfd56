/* market.c - see market.h for the model. */
#include "market.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

static void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (q == NULL) {
		log_error("out of memory", "bytes=%zu", n);
		abort();
	}
	return q;
}

/* Sort key: ascending along the array for both sides (best has the largest key). */
static inline int64_t
key(int side, int64_t px)
{
	return side == MKT_BID ? px : -px;
}

/* Index of px, or -(insertion index) - 1. */
static int
find(const struct mkt_side *s, int side, int64_t px)
{
	int lo = 0, hi = s->n - 1;
	int64_t k = key(side, px);

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		int64_t mk = key(side, s->lv[mid].px);
		if (mk == k)
			return mid;
		if (mk < k)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -lo - 1;
}

static void
touch(struct mkt_book *b, int side, int64_t px, int64_t was)
{
	if (b->ntouch == b->touchcap) {
		b->touchcap = b->touchcap ? b->touchcap * 2 : 64;
		b->touch = xrealloc(b->touch, (size_t)b->touchcap * sizeof *b->touch);
	}
	b->touch[b->ntouch].side = side;
	b->touch[b->ntouch].px = px;
	b->touch[b->ntouch].qty = 0;
	b->touch[b->ntouch].was = was;
	b->touch[b->ntouch].seq = b->ntouch;
	b->ntouch++;
}

static void
set_level(struct mkt_book *b, int side, int64_t px, int64_t qty)
{
	struct mkt_side *s = &b->s[side];
	int i = find(s, side, px);
	int64_t was = i >= 0 ? s->lv[i].qty : 0;

	if (qty <= 0) {
		if (i < 0)
			return;
		memmove(&s->lv[i], &s->lv[i + 1], (size_t)(s->n - i - 1) * sizeof *s->lv);
		s->n--;
	} else if (i >= 0) {
		if (s->lv[i].qty == qty)
			return;
		s->lv[i].qty = qty;
	} else {
		i = -i - 1;
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 8192;
			s->lv = xrealloc(s->lv, (size_t)s->cap * sizeof *s->lv);
		}
		memmove(&s->lv[i + 1], &s->lv[i], (size_t)(s->n - i) * sizeof *s->lv);
		s->lv[i].px = px;
		s->lv[i].qty = qty;
		s->n++;
	}
	touch(b, side, px, was);
}

const struct mkt_level *
mkt_at(const struct mkt_book *b, int side, int rank)
{
	const struct mkt_side *s = &b->s[side];

	if (rank < 0 || rank >= s->n)
		return NULL;
	return &s->lv[s->n - 1 - rank];
}

int
mkt_count(const struct mkt_book *b, int side)
{
	return b->s[side].n;
}

int64_t
mkt_qty(const struct mkt_book *b, int side, int64_t px)
{
	int i = find(&b->s[side], side, px);

	return i >= 0 ? b->s[side].lv[i].qty : 0;
}

uint64_t
mkt_rand(struct mkt_book *b)
{
	return rng_next(&b->rng);
}

/* Size of a fresh level at rank r: log-normal-ish, larger deeper, rare walls. */
static int64_t
rand_qty(struct mkt_book *b, int r)
{
	double q = (double)b->p.qty_unit * (0.05 + rng_exp(&b->rng, 1.0)) * (1.0 + r / 800.0);

	if (rng_below(&b->rng, 100) == 0)
		q *= 10 + (double)rng_below(&b->rng, 30);
	return q < 1 ? 1 : (int64_t)q;
}

static double
rand_normal(struct mkt_book *b)
{
	double u1 = rng_unit(&b->rng), u2 = rng_unit(&b->rng);

	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

int
mkt_init(struct mkt_book *b, const struct mkt_params *p, uint64_t seed)
{
	memset(b, 0, sizeof *b);
	b->p = *p;
	rng_seed(&b->rng, seed);
	int64_t bid = p->mid - (int64_t)rng_below(&b->rng, 2);
	int64_t ask = bid + 1 + (int64_t)rng_below(&b->rng, 2);

	for (int side = 0; side < 2; side++) {
		struct mkt_side *s = &b->s[side];
		int dir = side == MKT_BID ? -1 : 1;
		int64_t px = side == MKT_BID ? bid : ask;

		s->cap = p->levels * 2;
		s->lv = xrealloc(NULL, (size_t)s->cap * sizeof *s->lv);
		s->n = p->levels;
		for (int r = 0; r < p->levels; r++) {
			if (px < 1)
				return -1;
			s->lv[p->levels - 1 - r].px = px;
			s->lv[p->levels - 1 - r].qty = rand_qty(b, r);
			/* Mostly adjacent ticks near the touch, sparser deeper. */
			px += dir * (1 + (int64_t)rng_exp(&b->rng, r / p->gap_div));
		}
	}
	b->fair = (bid + ask) / 2.0;
	return 0;
}

void
mkt_free(struct mkt_book *b)
{
	free(b->s[0].lv);
	free(b->s[1].lv);
	free(b->chg);
	free(b->fill);
	free(b->touch);
	memset(b, 0, sizeof *b);
}

static int
near_rank(struct mkt_book *b, int n)
{
	int r;

	if (rng_below(&b->rng, 100) < 4)
		return (int)rng_below(&b->rng, (uint64_t)n);
	r = (int)rng_exp(&b->rng, 10.0);
	return r < n ? r : n - 1;
}

/* A rank for deep churn: log-uniform over [0, n), so every decade of depth
 * gets a similar share, as in the real books (README "Market model"). */
static int
deep_rank(struct mkt_book *b, int n)
{
	int r = (int)exp(rng_unit(&b->rng) * log((double)n)) - 1;

	return r < 0 ? 0 : r < n ? r : n - 1;
}

static void
do_modify(struct mkt_book *b, int side, int r)
{
	const struct mkt_level *l = mkt_at(b, side, r);
	int64_t q;

	if (l == NULL)
		return;
	if (rng_below(&b->rng, 3) == 0)
		q = rand_qty(b, r);
	else
		q = (int64_t)((double)l->qty * (0.3 + 1.4 * rng_unit(&b->rng)));
	if (q < 1)
		q = 1;
	if (q == l->qty)
		q++;
	set_level(b, side, l->px, q);
}

static void
do_insert(struct mkt_book *b, int side, int r)
{
	const struct mkt_side *s = &b->s[side];
	int dir = side == MKT_BID ? -1 : 1;

	/* Find a free price between rank r and the next worse level. */
	for (int tries = 0; tries < 8 && r < s->n; tries++, r++) {
		const struct mkt_level *a = mkt_at(b, side, r), *c = mkt_at(b, side, r + 1);
		int64_t px;

		if (c == NULL) {
			px = a->px + dir * (1 + (int64_t)rng_below(&b->rng, 5));
		} else {
			int64_t gap = a->px > c->px ? a->px - c->px : c->px - a->px;
			if (gap <= 1)
				continue;
			px = a->px + dir * (1 + (int64_t)rng_below(&b->rng, (uint64_t)(gap - 1)));
		}
		if (px < 1)
			return;
		set_level(b, side, px, rand_qty(b, r + 1));
		return;
	}
	do_modify(b, side, near_rank(b, s->n));
}

static void
add_fill(struct mkt_book *b, int64_t px, int64_t qty, int taker_buy)
{
	struct mkt_fill *fl;

	if (b->nfill == b->fillcap) {
		b->fillcap = b->fillcap ? b->fillcap * 2 : 16;
		b->fill = xrealloc(b->fill, (size_t)b->fillcap * sizeof *b->fill);
	}
	fl = &b->fill[b->nfill++];
	fl->px = px;
	fl->qty = qty;
	fl->taker_buy = taker_buy;
	fl->order = 0;
	fl->makers = 1 + (int)rng_below(&b->rng, 3);
	if (fl->makers > qty)
		fl->makers = (int)qty;
}

static void
do_trade(struct mkt_book *b, int taker_buy)
{
	int side = taker_buy ? MKT_ASK : MKT_BID;
	const struct mkt_level *top = mkt_at(b, side, 0);
	double f = rng_unit(&b->rng);
	int64_t rem = (int64_t)((double)top->qty * (0.02 + 1.6 * f * f));

	if (rem < 1)
		rem = 1;
	for (int k = 0; k < 4 && rem > 0 && b->s[side].n > b->p.min_levels; k++) {
		const struct mkt_level *l = mkt_at(b, side, 0);
		int64_t px = l->px, q = l->qty, take = rem < q ? rem : q;

		add_fill(b, px, take, taker_buy);
		set_level(b, side, px, q - take);
		rem -= take;
	}
}

/* A quote improving the touch from inside the spread. */
static void
do_improve(struct mkt_book *b)
{
	int64_t bid = mkt_at(b, MKT_BID, 0)->px, ask = mkt_at(b, MKT_ASK, 0)->px;
	int64_t spread = ask - bid, step;
	int side;

	if (spread <= 1)
		return;
	side = rng_unit(&b->rng) < 0.5 + b->momentum * 0.3 ? MKT_BID : MKT_ASK;
	step = 1 + (int64_t)rng_below(&b->rng, (uint64_t)(spread - 1 < 3 ? spread - 1 : 3));
	set_level(b, side, side == MKT_BID ? bid + step : ask - step, rand_qty(b, 0));
}

static int
cmp_touch(const void *pa, const void *pb)
{
	const struct mkt_change *a = pa, *c = pb;

	if (a->side != c->side)
		return a->side - c->side;
	/* best first: bids by descending price, asks ascending */
	int64_t ka = -key(a->side, a->px), kc = -key(c->side, c->px);
	if (ka != kc)
		return ka < kc ? -1 : 1;
	return a->seq < c->seq ? -1 : a->seq > c->seq;   /* the first touch of a level first */
}

static void
finish_changes(struct mkt_book *b)
{
	b->nchg = 0;
	if (b->ntouch == 0)
		return;
	qsort(b->touch, (size_t)b->ntouch, sizeof *b->touch, cmp_touch);
	if (b->chgcap < b->ntouch) {
		b->chgcap = b->ntouch * 2;
		b->chg = xrealloc(b->chg, (size_t)b->chgcap * sizeof *b->chg);
	}
	for (int i = 0; i < b->ntouch; i++) {
		struct mkt_change *t = &b->touch[i];
		if (b->nchg && b->chg[b->nchg - 1].side == t->side && b->chg[b->nchg - 1].px == t->px)
			continue;
		b->chg[b->nchg] = *t;
		b->chg[b->nchg].qty = mkt_qty(b, t->side, t->px);
		b->nchg++;
	}
}

/* Take out the levels the fair price crossed on one side and refill the
 * ticks the other side gained.  side: the side being crossed. */
static void
follow_fair(struct mkt_book *b, int side, int64_t lim)
{
	int other = !side, dir = side == MKT_ASK ? 1 : -1, k = 0;
	const struct mkt_level *l;
	int64_t from;

	/* crossed: asks below lim (fair went up) or bids above lim (fair went down) */
	while (b->s[side].n > b->p.min_levels && (l = mkt_at(b, side, 0)) != NULL &&
	    (side == MKT_ASK ? l->px < lim : l->px > lim)) {
		int64_t px = l->px, q = l->qty;
		if (k++ < 3)
			add_fill(b, px, q, side == MKT_ASK);
		set_level(b, side, px, 0);
	}
	/* the other side's touch moves up to just behind lim */
	l = mkt_at(b, other, 0);
	from = l->px;
	int64_t to = lim - dir;      /* the best price the other side may now quote */
	const struct mkt_level *cross = mkt_at(b, side, 0);

	/* never through what is left of the crossed side (it stops at min_levels) */
	if (other == MKT_BID && to >= cross->px)
		to = cross->px - 1;
	if (other == MKT_ASK && to <= cross->px)
		to = cross->px + 1;
	int n = 0;
	for (int64_t px = to; (other == MKT_BID ? px > from : px < from) && n < 1000; px -= (other == MKT_BID ? 1 : -1), n++) {
		if (px < 1)
			break;
		/* the new touch always; behind it sparser with distance, as quotes arrive */
		if (n == 0 || rng_unit(&b->rng) < 1.0 / (1.0 + n / 15.0))
			set_level(b, other, px, rand_qty(b, n / 4));
	}
}

/* Keep the density profile: look at a window of 64 levels and thin it when
 * it is more than twice as dense as the profile (1 + r/gap_div ticks between
 * levels at rank r), or add levels when it is less than half as dense.  A
 * long trend otherwise leaves the side it refilled dense far from the touch. */
static void
reshape(struct mkt_book *b, int side)
{
	struct mkt_side *s = &b->s[side];
	const int w = 64;
	int n = s->n, r0, hi, lo, wpos, ndel = 0;
	double expect, span, pdel;

	if (n < w + 200)
		return;
	if (rng_next(&b->rng) & 1)
		r0 = (int)rng_below(&b->rng, (uint64_t)(n - w - 1));
	else
		r0 = (int)rng_exp(&b->rng, 300.0);
	if (r0 > n - w - 1)
		r0 = n - w - 1;
	span = (double)llabs(mkt_at(b, side, r0)->px - mkt_at(b, side, r0 + w)->px);
	expect = w * (1.0 + (r0 + w / 2.0) / b->p.gap_div);
	if (span > 2 * expect) {
		for (int k = 0; k < 4; k++)
			do_insert(b, side, r0 + (int)rng_below(&b->rng, (uint64_t)w));
		return;
	}
	if (span * 2 >= expect)
		return;
	pdel = 1.0 - span / expect;
	hi = n - 1 - r0;
	lo = hi - (w - 1);
	wpos = hi;
	for (int i = hi - 1; i >= lo; i--) {
		if (s->n - ndel > b->p.min_levels + 4 && rng_unit(&b->rng) < pdel) {
			touch(b, side, s->lv[i].px, s->lv[i].qty);
			ndel++;
			continue;
		}
		s->lv[--wpos] = s->lv[i];
	}
	if (ndel == 0)
		return;
	/* kept levels are in [wpos, hi], the hole is [lo, wpos): close it */
	memmove(s->lv + lo, s->lv + wpos, (size_t)(n - wpos) * sizeof *s->lv);
	s->n -= ndel;
}

static void
keep_count(struct mkt_book *b, int side)
{
	struct mkt_side *s = &b->s[side];
	int dir = side == MKT_BID ? -1 : 1;

	if (s->n > b->p.levels + 300) {
		/* drop the worst levels in one batch (index 0 is the worst) */
		int cut = s->n - b->p.levels;
		for (int i = 0; i < cut; i++)
			touch(b, side, s->lv[i].px, s->lv[i].qty);
		memmove(s->lv, s->lv + cut, (size_t)(s->n - cut) * sizeof *s->lv);
		s->n -= cut;
	} else if (s->n < b->p.levels - 300) {
		int add = b->p.levels - s->n, r = s->n;
		int64_t px = s->lv[0].px;
		if (s->n + add > s->cap) {
			s->cap = (s->n + add) * 2;
			s->lv = xrealloc(s->lv, (size_t)s->cap * sizeof *s->lv);
		}
		memmove(s->lv + add, s->lv, (size_t)s->n * sizeof *s->lv);
		for (int i = add - 1; i >= 0; i--, r++) {
			px += dir * (1 + (int64_t)rng_exp(&b->rng, r / b->p.gap_div));
			if (px < 1) {
				/* no room below: close the hole we opened */
				memmove(s->lv, s->lv + i + 1, (size_t)(s->n + add - i - 1) * sizeof *s->lv);
				add -= i + 1;
				break;
			}
			s->lv[i].px = px;
			s->lv[i].qty = rand_qty(b, r);
			touch(b, side, px, 0);
		}
		s->n += add;
	}
}

void
mkt_step(struct mkt_book *b)
{
	int nev, ndeep;

	b->step++;
	b->ntouch = 0;
	b->nfill = 0;
	b->momentum = 0.98 * b->momentum + (rng_unit(&b->rng) - 0.5) * 0.2;
	if (b->momentum > 0.9)
		b->momentum = 0.9;
	if (b->momentum < -0.9)
		b->momentum = -0.9;
	if (b->p.sigma > 0 || b->p.drift != 0) {
		int64_t bid, ask;
		b->fair += rand_normal(b) * b->p.sigma + b->p.drift;
		bid = (int64_t)floor(b->fair - 0.5);
		ask = (int64_t)ceil(b->fair + 0.5);
		if (ask <= bid)
			ask = bid + 1;
		if (mkt_at(b, MKT_ASK, 0)->px < ask)
			follow_fair(b, MKT_ASK, ask);
		if (mkt_at(b, MKT_BID, 0)->px > bid)
			follow_fair(b, MKT_BID, bid);
		if (b->fair < 2)
			b->fair = 2;
	}
	nev = 1 + (int)rng_below(&b->rng, 8);
	if (rng_below(&b->rng, 10) == 0)
		nev += (int)rng_below(&b->rng, 25);
	/* deep churn: uniform count in 0..2*mean, so its mean is deep_churn */
	ndeep = b->p.deep_churn > 0 ? (int)rng_below(&b->rng, (uint64_t)(2 * b->p.deep_churn + 1.5)) : 0;
	for (int e = 0; e < nev + ndeep; e++) {
		int side = (int)(rng_next(&b->rng) & 1), n = b->s[side].n;
		int roll = (int)rng_below(&b->rng, 100), pins = 22, pdel = 22;
		int r = e < nev ? near_rank(b, n) : deep_rank(b, n);

		if (n < b->p.levels - 100) {
			pins = 50;
			pdel = 5;
		} else if (n > b->p.levels + 100) {
			pins = 5;
			pdel = 40;
		}
		if (roll < pins)
			do_insert(b, side, r);
		else if (roll < pins + pdel && n > b->p.min_levels + 4)
			set_level(b, side, mkt_at(b, side, r)->px, 0);
		else
			do_modify(b, side, r);
	}
	if (rng_below(&b->rng, 100) < 35)
		do_trade(b, rng_unit(&b->rng) < 0.5 + b->momentum * 0.3);
	if (rng_below(&b->rng, 100) < 60)
		do_improve(b);
	reshape(b, MKT_BID);
	reshape(b, MKT_ASK);
	keep_count(b, MKT_BID);
	keep_count(b, MKT_ASK);
	finish_changes(b);
}
