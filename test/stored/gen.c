/* gen.c - deterministic bookd-contract records for tests and benchmarks (gen.h). */
#include "gen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx.h"
#include "inst.h"

uint64_t
gen_rand(struct gen_book *b)
{
	/* xorshift64*: deterministic per seed, no libc state. */
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * 0x2545F4914F6CDD1DULL;
}

static double
unif(struct gen_book *b)
{
	return (double)(gen_rand(b) >> 11) / 9007199254740992.0;
}

static double
gauss(struct gen_book *b)
{
	double u = unif(b), v = unif(b);

	if (u < 1e-12)
		u = 1e-12;
	return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

/* Sizes look like real ones: log-normal in lots, some round numbers. */
static int64_t
rand_qty(struct gen_book *b)
{
	double units = exp(gauss(b) * 1.7 + 6.5);
	int64_t q;

	if (unif(b) < 0.15)
		units = (double)((int64_t)(units / 100 + 1) * 100);
	q = (int64_t)units;
	if (q < 1)
		q = 1;
	return q * b->lot;
}

void
gen_init(struct gen_book *b, uint32_t inst, int exch, int64_t mid, int64_t tick, int64_t lot,
    int depth, uint64_t seed, int64_t t0)
{
	int i;
	int64_t px;

	memset(b, 0, sizeof *b);
	b->inst = inst;
	b->exch = exch;
	b->tick = tick;
	b->lot = lot;
	b->depth = depth;
	b->rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	b->t_ns = t0;
	b->last_id = 1000000 + (int64_t)(gen_rand(b) % 1000000);
	b->trade_id = 5000000;
	b->bids = calloc((size_t)depth + 1, sizeof *b->bids);
	b->asks = calloc((size_t)depth + 1, sizeof *b->asks);
	px = mid - mid % tick;
	for (i = 0; i < depth; i++) {
		px -= tick * (unif(b) < 0.75 ? 1 : 1 + (int64_t)(gen_rand(b) % 4));
		b->bids[i].px = px;
		b->bids[i].qty = rand_qty(b);
	}
	px = mid - mid % tick;
	for (i = 0; i < depth; i++) {
		px += tick * (unif(b) < 0.75 ? 1 : 1 + (int64_t)(gen_rand(b) % 4));
		b->asks[i].px = px;
		b->asks[i].qty = rand_qty(b);
	}
	b->nb = b->na = depth;
}

void
gen_free(struct gen_book *b)
{
	free(b->bids);
	free(b->asks);
	b->bids = b->asks = NULL;
}

static void
stamp(struct gen_book *b, struct rec_hdr *h)
{
	h->exch_ns = b->t_ns - b->t_ns % 1000000;
	h->recv_ns = b->t_ns + 1000000 + (int64_t)(gen_rand(b) % 20000000);
	h->stage_ns[STAGE_FEED] = h->recv_ns + 20000;
	h->stage_ns[STAGE_BOOK] = h->recv_ns + 45000;
}

struct rec_snapshot *
gen_snapshot(struct gen_book *b, int kind, int reason, int topn)
{
	int nb = b->nb, na = b->na;
	struct rec_snapshot *s;
	size_t len;

	if (kind == SNAP_TOPN) {
		nb = nb < topn ? nb : topn;
		na = na < topn ? na : topn;
	}
	len = rec_snapshot_size((uint32_t)nb, (uint32_t)na);
	s = calloc(1, len);
	rec_hdr_init(&s->h, REC_SNAPSHOT, b->inst, (uint32_t)len);
	s->h.flags = REC_F_SYNCED;
	s->h.last_id = b->last_id;
	stamp(b, &s->h);
	s->kind = (uint8_t)kind;
	s->reason = (uint8_t)reason;
	s->nchunks = 1;
	s->n_bids = (uint32_t)nb;
	s->n_asks = (uint32_t)na;
	memcpy(s->lv, b->bids, (size_t)nb * sizeof *s->lv);
	memcpy(s->lv + nb, b->asks, (size_t)na * sizeof *s->lv);
	if (kind == SNAP_FULL) {
		s->bid_floor_px = b->bids[b->nb - 1].px;
		s->ask_ceil_px = b->asks[b->na - 1].px;
	}
	return s;
}

/* Level index to touch: mostly near the top, sometimes anywhere. */
static int
pick_index(struct gen_book *b, int n)
{
	int i;

	if (n <= 0)
		return 0;
	if (unif(b) < 0.75)
		i = (int)(-log(1 - unif(b)) * 12);
	else
		i = (int)(gen_rand(b) % (uint64_t)n);
	return i < n ? i : n - 1;
}

static int
has_px(const struct rec_level *lv, int n, int64_t px)
{
	int i;

	for (i = 0; i < n; i++)
		if (lv[i].px == px)
			return 1;
	return 0;
}

/* Apply one change to a side; returns 1 and the change in *out. */
static int
change_side(struct gen_book *b, int bid, struct rec_level *out, const struct rec_level *done, int ndone)
{
	struct rec_level *v = bid ? b->bids : b->asks;
	int *n = bid ? &b->nb : &b->na;
	int i = pick_index(b, *n), j;
	double r = unif(b);
	int64_t dir = bid ? -1 : 1;

	if (*n < 2)
		r = 0.9;
	if (r < 0.62) {
		if (has_px(done, ndone, v[i].px))
			return 0;
		v[i].qty = rand_qty(b);
		*out = v[i];
		return 1;
	}
	if (r < 0.81 && *n < b->depth - b->depth / 50) {
		/* The book keeps its depth: levels appear at the far end as they
		 * come into the window. */
		int64_t px = v[*n - 1].px + dir * b->tick * (1 + (int64_t)(gen_rand(b) % 3));
		if (has_px(done, ndone, px))
			return 0;
		v[*n].px = px;
		v[*n].qty = rand_qty(b);
		*out = v[*n];
		(*n)++;
		return 1;
	}
	if (r < 0.81) {
		if (has_px(done, ndone, v[i].px))
			return 0;
		out->px = v[i].px;
		out->qty = 0;
		memmove(v + i, v + i + 1, (size_t)(*n - i - 1) * sizeof *v);
		(*n)--;
		return 1;
	}
	/* Insert a level one tick beyond v[i-1] (or inside the spread at i = 0). */
	{
		int64_t px;
		if (i == 0) {
			int64_t other = bid ? b->asks[0].px : b->bids[0].px;
			px = v[0].px - dir * b->tick;
			if ((bid && px >= other) || (!bid && px <= other))
				return 0;
		} else {
			px = v[i - 1].px + dir * b->tick;
			if (px == v[i].px)
				return 0;
		}
		if (has_px(done, ndone, px) || *n >= b->depth)
			return 0;
		for (j = *n; j > i; j--)
			v[j] = v[j - 1];
		v[i].px = px;
		v[i].qty = rand_qty(b);
		(*n)++;
		*out = v[i];
		return 1;
	}
}

static int
cmp_asc(const void *a, const void *b)
{
	const struct rec_level *x = a, *y = b;

	return x->px < y->px ? -1 : x->px > y->px;
}

static int
cmp_desc(const void *a, const void *b)
{
	return cmp_asc(b, a);
}

struct rec_delta *
gen_delta(struct gen_book *b, int changes)
{
	struct rec_level bl[256], al[256];
	int nb = 0, na = 0, k, tries;
	struct rec_delta *d;
	size_t len;

	if (changes > 250)
		changes = 250;
	for (k = 0, tries = 0; k < changes && tries < changes * 4; tries++) {
		int bid = unif(b) < 0.5;
		if (bid ? change_side(b, 1, &bl[nb], bl, nb) : change_side(b, 0, &al[na], al, na)) {
			if (bid)
				nb++;
			else
				na++;
			k++;
		}
	}
	/* Venues list the changes sorted (bids descending, asks ascending). */
	qsort(bl, (size_t)nb, sizeof *bl, cmp_desc);
	qsort(al, (size_t)na, sizeof *al, cmp_asc);
	len = rec_delta_size((uint32_t)nb, (uint32_t)na);
	d = calloc(1, len);
	rec_hdr_init(&d->h, REC_DELTA, b->inst, (uint32_t)len);
	d->h.flags = REC_F_SYNCED;
	b->t_ns += 100000000;
	stamp(b, &d->h);
	d->h.prev_id = b->last_id;
	d->h.first_id = b->last_id + 1;
	b->last_id += k + (int64_t)(gen_rand(b) % (uint64_t)(2 * k + 1));
	if (b->last_id < d->h.first_id)
		b->last_id = d->h.first_id;
	d->h.last_id = b->last_id;
	d->n_bids = (uint32_t)nb;
	d->n_asks = (uint32_t)na;
	memcpy(d->lv, bl, (size_t)nb * sizeof *bl);
	memcpy(d->lv + nb, al, (size_t)na * sizeof *al);
	d->book_bids = (uint32_t)b->nb;
	d->book_asks = (uint32_t)b->na;
	if (b->nb) {
		d->best_bid_px = b->bids[0].px;
		d->best_bid_qty = b->bids[0].qty;
	}
	if (b->na) {
		d->best_ask_px = b->asks[0].px;
		d->best_ask_qty = b->asks[0].qty;
	}
	return d;
}

struct rec_trade *
gen_trade(struct gen_book *b)
{
	struct rec_trade *t = calloc(1, sizeof *t);
	int buy = unif(b) < 0.5;

	rec_hdr_init(&t->h, REC_TRADE, b->inst, sizeof *t);
	stamp(b, &t->h);
	t->h.first_id = t->h.last_id = ++b->trade_id;
	t->px = buy ? b->asks[0].px : b->bids[0].px;
	t->qty = rand_qty(b) / 4 + b->lot;
	t->trade_ns = t->h.exch_ns;
	t->side = buy ? SIDE_BUY : SIDE_SELL;
	t->count = 1;
	return t;
}

struct rec_ticker *
gen_ticker(struct gen_book *b)
{
	struct rec_ticker *t = calloc(1, sizeof *t);

	rec_hdr_init(&t->h, REC_TICKER, b->inst, sizeof *t);
	stamp(b, &t->h);
	t->h.first_id = t->h.last_id = b->last_id;
	t->have = TICK_BBO;
	t->bid_px = b->bids[0].px;
	t->bid_qty = b->bids[0].qty;
	t->ask_px = b->asks[0].px;
	t->ask_qty = b->asks[0].qty;
	return t;
}

struct rec_kline *
gen_kline(struct gen_book *b)
{
	struct rec_kline *k = calloc(1, sizeof *k);
	int64_t mid = (b->bids[0].px + b->asks[0].px) / 2;

	rec_hdr_init(&k->h, REC_KLINE, b->inst, sizeof *k);
	stamp(b, &k->h);
	k->open_ns = b->t_ns - b->t_ns % 60000000000LL;
	k->close_ns = k->open_ns + 59999000000LL;
	k->o = mid - 5 * b->tick;
	k->hi = mid + 20 * b->tick;
	k->lo = mid - 20 * b->tick;
	k->c = mid;
	k->vol = rand_qty(b) * 10;
	k->volq = 123456789;
	k->n_trades = 42;
	k->interval_s = 60;
	k->closed = unif(b) < 0.5;
	return k;
}

/* REC_MARKET of the next kind in turn (funding, open interest, mark,
 * liquidation), with negative rates and not-given fields among them. */
struct rec_market *
gen_market(struct gen_book *b)
{
	struct rec_market *m = calloc(1, sizeof *m);
	int64_t mid = (b->bids[0].px + b->asks[0].px) / 2;
	int kind = 1 + (int)(b->market_n++ % MK_KIND_MAX);

	rec_market_init(m, b->inst, (enum mkt_kind)kind);
	stamp(b, &m->h);
	switch (kind) {
	case MK_FUNDING:
		m->funding_rate = (int64_t)(gen_rand(b) % 2000000000000001ULL) - 1000000000000000LL;
		m->settle_ns = b->t_ns - b->t_ns % 28800000000000LL + 28800000000000LL;
		if (unif(b) < 0.5) {
			m->next_funding_rate = (int64_t)(gen_rand(b) % 1000000000000000ULL) - 300000000000000LL;
			m->next_settle_ns = m->settle_ns + 28800000000000LL;
			m->funding_interval_s = 28800;
		}
		break;
	case MK_OPEN_INTEREST:
		m->oi_contracts = rand_qty(b) * 1000;
		m->oi_quote = 51234567891234LL + (int64_t)(gen_rand(b) % 100000);
		break;
	case MK_MARK:
		m->index_px = mid;
		if (unif(b) < 0.7)
			m->mark_px = mid + b->tick;
		break;
	case MK_LIQUIDATION:
		m->liq_side = unif(b) < 0.5 ? SIDE_BUY : SIDE_SELL;
		m->liq_px = mid - 3 * b->tick;
		m->liq_qty = rand_qty(b) + b->lot;
		break;
	}
	return m;
}

struct rec_event *
gen_event(struct gen_book *b, uint16_t code, int64_t a, int64_t bb, const char *text)
{
	struct rec_event *e = calloc(1, sizeof *e);

	rec_hdr_init(&e->h, REC_EVENT, b ? b->inst : 0, sizeof *e);
	if (b)
		stamp(b, &e->h);
	e->code = code;
	e->severity = SEV_WARN;
	e->a = a;
	e->b = bb;
	snprintf(e->text, sizeof e->text, "%s", text ? text : "");
	return e;
}

struct rec_raw *
gen_raw(int exch, uint32_t inst, int64_t t_ns, int source, const char *path, const char *payload)
{
	size_t pl = path ? strlen(path) : 0, dl = strlen(payload);
	size_t len = rec_raw_size((uint32_t)pl, (uint32_t)dl);
	struct rec_raw *r = calloc(1, len);

	rec_hdr_init(&r->h, REC_RAW, inst, (uint32_t)len);
	r->h.aux = (uint32_t)exch;
	r->h.recv_ns = t_ns;
	r->source = (uint8_t)source;
	r->path_len = (uint16_t)pl;
	r->payload_len = (uint32_t)dl;
	if (pl)
		memcpy(r->data, path, pl);
	memcpy(r->data + pl, payload, dl);
	return r;
}

static char *
levels_json(char *p, const struct rec_level *lv, uint32_t n)
{
	char a[FX_STR_MAX], q[FX_STR_MAX];
	uint32_t i;

	*p++ = '[';
	for (i = 0; i < n; i++) {
		fx_format(lv[i].px, -8, 8, a, sizeof a);
		fx_format(lv[i].qty, -8, 8, q, sizeof q);
		p += sprintf(p, "%s[\"%s\",\"%s\"]", i ? "," : "", a, q);
	}
	*p++ = ']';
	*p = 0;
	return p;
}

char *
gen_delta_json(const struct gen_book *b, const struct rec_delta *d)
{
	char *s = malloc(256 + (size_t)(d->n_bids + d->n_asks) * 48), *p = s;

	(void)b;
	p += sprintf(p, "{\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":%lld,"
	    "\"s\":\"BTCUSDT\",\"U\":%lld,\"u\":%lld,\"b\":", (long long)(d->h.exch_ns / 1000000),
	    (long long)d->h.first_id, (long long)d->h.last_id);
	p = levels_json(p, d->lv, d->n_bids);
	p += sprintf(p, ",\"a\":");
	p = levels_json(p, d->lv + d->n_bids, d->n_asks);
	strcpy(p, "}}");
	return s;
}

char *
gen_snapshot_json(const struct gen_book *b, const struct rec_snapshot *sn)
{
	char *s = malloc(256 + (size_t)(sn->n_bids + sn->n_asks) * 48), *p = s;

	(void)b;
	p += sprintf(p, "{\"lastUpdateId\":%lld,\"bids\":", (long long)sn->h.last_id);
	p = levels_json(p, sn->lv, sn->n_bids);
	p += sprintf(p, ",\"asks\":");
	p = levels_json(p, sn->lv + sn->n_bids, sn->n_asks);
	strcpy(p, "}");
	return s;
}
