/* mlbasis.c - derivative basis against a separate spot book (mlbasis.h). */
#include "mlbasis.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instid.h"
#include "venue.h"

static const struct {
	const char *name, *help;
} cols[MLB_N] = {
	{"bs_spot_mid", "mid of the paired spot book as of this record ([ml] basis_spot; NaN: none, not synced, stale)"},
	{"bs_spot_age_ms", "how long before this record (bookd's stamps) the spot book last changed"},
	{"bs_mark_basis_bps", "1e4 * (mark - spot mid) / spot mid"},
	{"bs_mid_basis_bps", "1e4 * (derivative book mid - spot mid) / spot mid"},
	{"bs_mark_basis_ann", "(mark - spot mid) / spot mid * 365 d / time to expiry (dated futures; NaN otherwise)"},
};

/* One book's top as of one key instant. */
struct top {
	int64_t key;          /* the instant (mlb_key) of the last record folded in */
	int64_t at;           /* the instant of the last book data (a delta or snapshot; not an event) */
	int64_t bid, ask;     /* mantissas at px_exp; 0 = side empty */
	int8_t px_exp;
	uint8_t synced;
};

struct binst {
	struct top h[MLB_HIST];  /* ring: the final state of each of the last key instants */
	uint32_t nh, head;       /* entries held; index of the newest */
	uint32_t spot;           /* reference of this instrument (0 = none) */
	int64_t expiry_ns;
	uint8_t tracked;
};

struct mlb {
	uint32_t n;
	int64_t max_age;
	uint64_t late;
	struct binst *v;         /* [n + 1], index = id */
};

static int64_t
days_from_civil(int y, int m, int d)
{
	/* H. Hinnant's algorithm: days since 1970-01-01 of a proleptic Gregorian date */
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int64_t)era * 146097 + doe - 719468;
}

int64_t
mlb_expiry_ns(const char *symbol)
{
	const char *d1 = strchr(symbol, '-'), *d2 = d1 ? strchr(d1 + 1, '-') : NULL;
	int y, m, d, i;

	if (!d2 || strlen(d2 + 1) != 6)
		return 0;
	for (i = 1; i <= 6; i++)
		if (d2[i] < '0' || d2[i] > '9')
			return 0;
	y = 2000 + (d2[1] - '0') * 10 + (d2[2] - '0');
	m = (d2[3] - '0') * 10 + (d2[4] - '0');
	d = (d2[5] - '0') * 10 + (d2[6] - '0');
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	return (days_from_civil(y, m, d) * 86400 + 8 * 3600) * 1000000000LL;
}

static int
is_future_or_swap(const char *sym)
{
	int dashes = 0;

	for (const char *p = sym; *p; p++)
		dashes += *p == '-';
	return dashes == 2 && instid_is_derivative(sym);
}

/* The default reference: the underlying on the venue's spot venue, or for a
 * USD quote the USDT, then USDC spot of the base. */
static uint32_t
default_spot(const struct inst_registry *reg, const struct inst *in)
{
	const struct venue *v = venue_get(in->exch);
	char u[32], c[40];
	const struct inst *s;
	size_t n;

	if (!v || !v->spot_venue || !is_future_or_swap(in->symbol) || !(n = instid_underlying(in->symbol, u, sizeof u)))
		return 0;
	if ((s = inst_find(reg, v->spot_venue, u)) && !instid_is_derivative(s->symbol))
		return s->id;
	if (n > 4 && !strcmp(u + n - 4, "-USD")) {
		static const char *const q[] = {"USDT", "USDC"};
		for (size_t i = 0; i < 2; i++) {
			snprintf(c, sizeof c, "%.*s-%s", (int)(n - 4), u, q[i]);
			if ((s = inst_find(reg, v->spot_venue, c)) && !instid_is_derivative(s->symbol))
				return s->id;
		}
	}
	return 0;
}

/* "venue:SYMBOL" (len bytes, trimmed) -> the instrument, or NULL with why. */
static const struct inst *
parse_ref(const struct inst_registry *reg, const char *p, size_t len, const char *item, char *why, size_t whylen)
{
	char buf[64];
	char *colon;
	int ex;
	const struct inst *in;

	if (len >= sizeof buf || !(colon = memchr(p, ':', len))) {
		snprintf(why, whylen, "'%s': expected venue:SYMBOL=venue:SYMBOL or venue:SYMBOL=none", item);
		return NULL;
	}
	memcpy(buf, p, len);
	buf[len] = 0;
	buf[colon - p] = 0;
	if ((ex = exch_parse(buf)) == EX_NONE) {
		snprintf(why, whylen, "'%s': unknown venue %s (one of %s)", item, buf, venue_names());
		return NULL;
	}
	if (!(in = inst_find(reg, ex, buf + (colon - p) + 1)))
		snprintf(why, whylen, "'%s': %s:%s is not a configured instrument ([instruments] %s)", item, buf,
		    buf + (colon - p) + 1, buf);
	return in;
}

static void
trim(const char **p, size_t *n)
{
	while (*n && (**p == ' ' || **p == '\t'))
		(*p)++, (*n)--;
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
		(*n)--;
}

static int
apply_spec(struct mlb *b, const struct inst_registry *reg, const char *spec, char *why, size_t whylen)
{
	const char *p = spec;

	while (p && *p) {
		size_t k = strcspn(p, ","), ln, rn;
		const char *l, *r, *eq;
		const struct inst *d, *s = NULL;
		char item[128];

		snprintf(item, sizeof item, "%.*s", (int)k, p);
		p += k + (p[k] == ',');
		l = item;
		ln = strlen(item);
		trim(&l, &ln);
		if (!ln)
			continue;
		if (!(eq = memchr(l, '=', ln))) {
			snprintf(why, whylen, "'%s': expected venue:SYMBOL=venue:SYMBOL or venue:SYMBOL=none", item);
			return -1;
		}
		r = eq + 1;
		rn = ln - (size_t)(r - l);
		ln = (size_t)(eq - l);
		trim(&l, &ln);
		trim(&r, &rn);
		if (!(d = parse_ref(reg, l, ln, item, why, whylen)))
			return -1;
		if (!instid_is_derivative(d->symbol)) {
			snprintf(why, whylen, "'%s': %s is not a derivative (a spot book has no basis)", item, d->symbol);
			return -1;
		}
		if (!(rn == 4 && !strncmp(r, "none", 4))) {
			if (!(s = parse_ref(reg, r, rn, item, why, whylen)))
				return -1;
			if (instid_is_derivative(s->symbol)) {
				snprintf(why, whylen, "'%s': the reference %s is not a spot book", item, s->symbol);
				return -1;
			}
		}
		b->v[d->id].spot = s ? s->id : 0;
	}
	return 0;
}

struct mlb *
mlb_new(const struct inst_registry *reg, const char *spec, int64_t max_age_ns, char *why, size_t whylen)
{
	struct mlb *b;

	if (!reg || reg->n < 1 || !(b = calloc(1, sizeof *b))) {
		snprintf(why, whylen, "no instruments, or out of memory");
		return NULL;
	}
	b->n = (uint32_t)reg->n;
	b->max_age = max_age_ns;
	if (!(b->v = calloc((size_t)b->n + 1, sizeof *b->v))) {
		snprintf(why, whylen, "out of memory");
		free(b);
		return NULL;
	}
	for (uint32_t i = 1; i <= b->n; i++) {
		const struct inst *in = inst_get(reg, i);
		if (in) {
			b->v[i].spot = default_spot(reg, in);
			b->v[i].expiry_ns = mlb_expiry_ns(in->symbol);
		}
	}
	if (apply_spec(b, reg, spec, why, whylen) < 0) {
		mlb_free(b);
		return NULL;
	}
	for (uint32_t i = 1; i <= b->n; i++)
		if (b->v[i].spot)
			b->v[i].tracked = b->v[b->v[i].spot].tracked = 1;
	return b;
}

void
mlb_free(struct mlb *b)
{
	if (!b)
		return;
	free(b->v);
	free(b);
}

uint32_t
mlb_spot_of(const struct mlb *b, uint32_t inst)
{
	return inst >= 1 && inst <= b->n ? b->v[inst].spot : 0;
}

int
mlb_tracks(const struct mlb *b, uint32_t inst)
{
	return inst >= 1 && inst <= b->n && b->v[inst].tracked;
}

int64_t
mlb_key(const struct rec_hdr *rec)
{
	return rec->stage_ns[STAGE_BOOK] ? rec->stage_ns[STAGE_BOOK] : rec->recv_ns;
}

/* The new state after one record into t; 0 if the record is not about the book. */
static int
next_state(const struct rec_hdr *rec, int px_exp, struct top *t)
{
	switch (rec->type) {
	case REC_DELTA: {
		const struct rec_delta *d = (const struct rec_delta *)rec;
		if (rec->len < sizeof *d)
			return 0;
		t->bid = d->best_bid_px, t->ask = d->best_ask_px;
		break;
	}
	case REC_SNAPSHOT: {
		const struct rec_snapshot *s = (const struct rec_snapshot *)rec;
		/* a full book's best levels are in its first chunk; a top-N is one record */
		if (rec->len < sizeof *s || !(s->kind == SNAP_TOPN || (s->kind == SNAP_FULL && s->chunk == 0)))
			return 0;
		t->bid = s->n_bids ? s->lv[0].px : 0;
		t->ask = s->n_asks ? s->lv[s->n_bids].px : 0;
		break;
	}
	case REC_EVENT:
		if (rec->len < sizeof(struct rec_event) || !ev_breaks_book(((const struct rec_event *)rec)->code))
			return 0;
		t->synced = 0;
		t->key = mlb_key(rec);
		return 1;
	default:
		return 0;
	}
	t->synced = (rec->flags & REC_F_SYNCED) != 0;
	t->px_exp = (int8_t)px_exp;
	t->key = t->at = mlb_key(rec);
	return 1;
}

int
mlb_fold(struct mlb *b, uint32_t inst, const struct rec_hdr *rec, int px_exp)
{
	struct binst *s;
	struct top t;

	if (!mlb_tracks(b, inst))
		return 0;
	s = &b->v[inst];
	if (s->nh)
		t = s->h[s->head];
	else
		memset(&t, 0, sizeof t);
	if (!next_state(rec, px_exp, &t))
		return 0;
	/* a later record of the same instant replaces that instant's state */
	if (!s->nh || s->h[s->head].key != t.key) {
		s->head = (s->head + 1) % MLB_HIST;
		if (s->nh < MLB_HIST)
			s->nh++;
	}
	s->h[s->head] = t;
	return 1;
}

void
mlb_gap(struct mlb *b)
{
	for (uint32_t i = 1; i <= b->n; i++)
		if (b->v[i].nh)
			b->v[i].h[b->v[i].head].synced = 0;
}

/* The newest state of s with key < t (NULL: none kept). */
static const struct top *
as_of(const struct binst *s, int64_t t)
{
	for (uint32_t k = 0; k < s->nh; k++) {
		const struct top *e = &s->h[(s->head + MLB_HIST - k) % MLB_HIST];
		if (e->key < t)
			return e;
	}
	return NULL;
}

static int
usable(const struct top *e, int64_t t, int64_t max_age)
{
	return e && e->synced && e->bid > 0 && e->ask > 0 && e->bid < e->ask && e->at <= t && t - e->at <= max_age;
}

/* 10^k for 0 <= k <= 38 in 128 bits (exponents are int8, |difference| far smaller) */
static __int128
p10(int k)
{
	__int128 v = 1;

	while (k-- > 0)
		v *= 10;
	return v;
}

void
mlb_read(struct mlb *b, uint32_t inst, const struct rec_hdr *rec, int has_mark, int64_t mark, int px_exp,
    double *out)
{
	const struct binst *d = inst >= 1 && inst <= b->n ? &b->v[inst] : NULL;
	const struct top *sp, *own;
	int64_t t = mlb_key(rec);
	__int128 s2, m2, d2;
	int e;

	for (int i = 0; i < MLB_N; i++)
		out[i] = NAN;
	if (!d || !d->spot)
		return;
	sp = as_of(&b->v[d->spot], t);
	if (!sp) {
		if (b->v[d->spot].nh)
			b->late++;   /* every kept instant is at or after t: keys out of ring order */
		return;
	}
	if (sp->at)
		out[1] = (double)(t - sp->at) / 1e6;
	if (!usable(sp, t, b->max_age))
		return;
	out[0] = (double)((__int128)sp->bid + sp->ask) / pow(10.0, -sp->px_exp) * 0.5;
	/* both prices at the finer exponent e, exactly */
	e = sp->px_exp < px_exp ? sp->px_exp : px_exp;
	s2 = ((__int128)sp->bid + sp->ask) * p10(sp->px_exp - e);
	if (has_mark) {
		m2 = 2 * (__int128)mark * p10(px_exp - e);
		out[2] = 1e4 * (double)(m2 - s2) / (double)s2;
		if (d->expiry_ns > t)
			out[4] = (double)(m2 - s2) / (double)s2 * (365.0 * 86400e9 / (double)(d->expiry_ns - t));
	}
	own = d->nh ? &d->h[d->head] : NULL;
	/* its own records are in the order of its stream: the newest state, this instant included */
	if (usable(own, t, b->max_age)) {
		int ed = own->px_exp;
		int e2 = e < ed ? e : ed;
		__int128 s2b = s2 * p10(e - e2);

		d2 = ((__int128)own->bid + own->ask) * p10(ed - e2);
		out[3] = 1e4 * (double)(d2 - s2b) / (double)s2b;
	}
}

uint64_t
mlb_late(const struct mlb *b)
{
	return b->late;
}

const char *
mlb_name(int i)
{
	return i >= 0 && i < MLB_N ? cols[i].name : "?";
}

const char *
mlb_help(int i)
{
	return i >= 0 && i < MLB_N ? cols[i].help : "?";
}
