/*
 * parse_build.c - the one place that turns extracted fields into records.
 * Both the scanner and the jansson path call these, so every semantic rule
 * (scaling, id ranges, level limits, layout) exists exactly once.
 */
#include "parse_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fx.h"

const uint64_t parse_pow10[19] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
	100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL,
	1000000000000ULL, 10000000000000ULL, 100000000000000ULL,
	1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL,
	1000000000000000000ULL,
};

int
parse_fail(struct parse_ctx *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof p->err, fmt, ap);
	va_end(ap);
	return -1;
}

int
parse_unknown(struct parse_ctx *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof p->err, fmt, ap);
	va_end(ap);
	p->unknown++;
	return 0;
}

/*
 * Plain "digits[.digits]" with at most 18 significant digits at the
 * exponent: exact in uint64 without overflow checks.  Returns 1 with *out,
 * or 0 to let fx_parse decide (it owns every unusual form and every error
 * message, so the fast path never changes a result, only its cost).
 */
static int
fast_dec(const char *s, size_t len, int exp, int64_t *out)
{
	size_t i = 0, idig = 0, fdig;
	unsigned d = (unsigned)-exp;
	uint64_t v = 0;

	if (exp > 0 || exp < -18)
		return 0;
	while (i < len && s[i] == '0')
		i++;
	for (; i < len && (unsigned)(s[i] - '0') < 10; i++, idig++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (i == 0 || idig > 18)
		return 0;
	if (i == len) {
		if (idig + d > 18)
			return 0;
		*out = (int64_t)(v * parse_pow10[d]);
		return 1;
	}
	if (s[i] != '.' || i + 1 == len)
		return 0;
	i++;
	if (idig + d > 18)
		return 0;
	for (fdig = 0; i < len && (unsigned)(s[i] - '0') < 10; i++, fdig++) {
		if (fdig < d)
			v = v * 10 + (uint64_t)(s[i] - '0');
		else if (s[i] != '0')
			return 0;     /* more precision than the exponent: fx says why */
	}
	if (i != len)
		return 0;
	if (fdig < d)
		v *= parse_pow10[d - fdig];
	*out = (int64_t)v;
	return 1;
}

static int
parse_dec(struct parse_ctx *p, int exp, const char *s, size_t len, const char *what, int64_t *out)
{
	int rc;

	if (fast_dec(s, len, exp, out))
		return 0;
	rc = fx_parse(s, len, exp, out);
	if (rc != FX_OK)
		return parse_fail(p, "%s \"%.*s\": %s", what, (int)(len > 40 ? 40 : len), s,
		    fx_strerror(rc));
	return 0;
}

int
parse_px(struct parse_ctx *p, const struct inst *in, const char *s, size_t len,
    const char *what, int64_t *out)
{
	return parse_dec(p, in->px_exp, s, len, what, out);
}

int
parse_qty(struct parse_ctx *p, const struct inst *in, const char *s, size_t len,
    const char *what, int64_t *out)
{
	return parse_dec(p, in->qty_exp, s, len, what, out);
}

int
parse_id_str(struct parse_ctx *p, const char *s, size_t len, const char *what, int64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 18)
		return parse_fail(p, "%s \"%.*s\": expected 1-18 digits", what,
		    (int)(len > 40 ? 40 : len), s);
	for (size_t i = 0; i < len; i++) {
		if ((unsigned)(s[i] - '0') >= 10)
			return parse_fail(p, "%s \"%.*s\": expected digits", what,
			    (int)(len > 40 ? 40 : len), s);
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = (int64_t)v;
	return 0;
}

#define MS_MAX (INT64_MAX / 1000000)

int
parse_ms_int(struct parse_ctx *p, int64_t ms, const char *what, int64_t *out_ns)
{
	if (ms < 0 || ms > MS_MAX)
		return parse_fail(p, "%s %lld: not a time in ms", what, (long long)ms);
	*out_ns = ms * 1000000;
	return 0;
}

int
parse_ms_str(struct parse_ctx *p, const char *s, size_t len, const char *what, int64_t *out_ns)
{
	int64_t ms;

	if (parse_id_str(p, s, len, what, &ms) < 0)
		return -1;
	return parse_ms_int(p, ms, what, out_ns);
}

void
parse_levels_begin(struct parse_ctx *p, const struct inst *in)
{
	struct parse_state *st = p->scratch;

	st->side[0].n = st->side[1].n = 0;
	st->in = in;
}

static int
lvbuf_grow(struct parse_lvbuf *b)
{
	uint32_t ncap = b->cap ? b->cap * 2 : 1024;
	struct rec_level *nv;

	if (ncap > 4 * 1024 * 1024)
		return -1;
	nv = realloc(b->v, (size_t)ncap * sizeof *nv);
	if (!nv)
		return -1;
	b->v = nv;
	b->cap = ncap;
	return 0;
}

int
parse_level(struct parse_ctx *p, enum parse_side side, const char *px, size_t pxlen,
    const char *qty, size_t qtylen)
{
	struct parse_state *st = p->scratch;
	struct parse_lvbuf *b = &st->side[side];
	struct rec_level *l;

	if (b->n == b->cap && lvbuf_grow(b) < 0)
		return parse_fail(p, "too many levels (%u) or out of memory", b->n);
	l = &b->v[b->n];
	if (parse_px(p, st->in, px, pxlen, side == PS_BID ? "bid price" : "ask price", &l->px) < 0 ||
	    parse_qty(p, st->in, qty, qtylen, side == PS_BID ? "bid size" : "ask size", &l->qty) < 0)
		return -1;
	b->n++;
	return 0;
}

static void *
rec_buf(struct parse_ctx *p, size_t size)
{
	struct parse_state *st = p->scratch;
	size_t ncap;
	uint8_t *nb;

	if (size <= st->rec_cap)
		return st->rec;
	ncap = st->rec_cap ? st->rec_cap : 4096;
	while (ncap < size)
		ncap *= 2;
	nb = realloc(st->rec, ncap);
	if (!nb)
		return NULL;
	st->rec = nb;
	st->rec_cap = ncap;
	return nb;
}

static int
do_emit(struct parse_ctx *p, const struct rec_hdr *h, parse_emit_fn emit, void *ud)
{
	if (emit && emit(ud, h) != 0)
		return parse_fail(p, "the consumer of the records refused one");
	p->records++;
	((struct parse_state *)p->scratch)->emitted++;
	return 0;
}

static void
fill_hdr(struct rec_hdr *h, uint16_t type, size_t size, const struct parse_book *b)
{
	rec_hdr_init(h, type, b->in->id, (uint32_t)size);
	h->flags = b->flags;
	h->first_id = b->first_id;
	h->last_id = b->last_id;
	h->prev_id = b->prev_id;
	h->exch_ns = b->exch_ns;
	h->recv_ns = b->recv_ns;
}

int
parse_emit_delta(struct parse_ctx *p, const struct parse_book *b, parse_emit_fn emit, void *ud)
{
	struct parse_state *st = p->scratch;
	uint32_t nb = st->side[PS_BID].n, na = st->side[PS_ASK].n;
	struct rec_delta *d;
	size_t size;

	if (nb > REC_MAX_LEVELS || na > REC_MAX_LEVELS)
		return parse_fail(p, "update with %u bids and %u asks: more than %d a side",
		    nb, na, REC_MAX_LEVELS);
	size = rec_delta_size(nb, na);
	if (!(d = rec_buf(p, size)))
		return parse_fail(p, "out of memory for a %zu-byte record", size);
	memset(d, 0, size);
	fill_hdr(&d->h, REC_DELTA, size, b);
	d->h.aux = (uint32_t)b->checksum;
	d->xseq = b->xseq;
	d->n_bids = nb;
	d->n_asks = na;
	/* An empty side has no buffer yet (NULL), and memcpy from NULL is UB even for 0 bytes. */
	if (nb)
		memcpy(d->lv, st->side[PS_BID].v, (size_t)nb * sizeof d->lv[0]);
	if (na)
		memcpy(d->lv + nb, st->side[PS_ASK].v, (size_t)na * sizeof d->lv[0]);
	if (do_emit(p, &d->h, emit, ud) < 0)
		return -1;
	return 1;
}

int
parse_emit_snapshot(struct parse_ctx *p, const struct parse_book *b, parse_emit_fn emit, void *ud)
{
	struct parse_state *st = p->scratch;
	const struct parse_lvbuf *bids = &st->side[PS_BID], *asks = &st->side[PS_ASK];
	uint32_t nmax = bids->n > asks->n ? bids->n : asks->n;
	uint32_t nchunks = nmax ? (nmax + REC_MAX_LEVELS - 1) / REC_MAX_LEVELS : 1;
	int64_t floor_px = bids->n ? bids->v[bids->n - 1].px : 0;
	int64_t ceil_px = asks->n ? asks->v[asks->n - 1].px : 0;

	/* Chunks carry snapshots beyond REC_MAX_LEVELS, but no book keeps more
	 * than [bookd] max_levels allows (50000): a larger answer is hostile or
	 * broken, and refusing it here keeps 350 chunks of a 50 MB body off
	 * the ring. */
	if (nmax > PARSE_SNAPSHOT_MAX_LEVELS)
		return parse_fail(p, "snapshot of %u levels a side: more than %d", nmax, PARSE_SNAPSHOT_MAX_LEVELS);
	for (uint32_t c = 0; c < nchunks; c++) {
		uint32_t b0 = c * REC_MAX_LEVELS, a0 = b0;
		uint32_t nb = bids->n > b0 ? bids->n - b0 : 0;
		uint32_t na = asks->n > a0 ? asks->n - a0 : 0;
		struct rec_snapshot *s;
		size_t size;

		if (nb > REC_MAX_LEVELS)
			nb = REC_MAX_LEVELS;
		if (na > REC_MAX_LEVELS)
			na = REC_MAX_LEVELS;
		size = rec_snapshot_size(nb, na);
		if (!(s = rec_buf(p, size)))
			return parse_fail(p, "out of memory for a %zu-byte record", size);
		memset(s, 0, size);
		fill_hdr(&s->h, REC_SNAPSHOT, size, b);
		s->kind = b->kind;
		s->reason = SNAP_R_NONE;
		s->chunk = (uint16_t)c;
		s->nchunks = (uint16_t)nchunks;
		s->n_bids = nb;
		s->n_asks = na;
		s->req_id = b->req_id;
		s->checksum = b->checksum;
		s->bid_floor_px = floor_px;
		s->ask_ceil_px = ceil_px;
		s->deep_refresh_ns = b->deep_refresh_ns;
		s->xseq = b->xseq;
		if (nb)
			memcpy(s->lv, bids->v + b0, (size_t)nb * sizeof s->lv[0]);
		if (na)
			memcpy(s->lv + nb, asks->v + a0, (size_t)na * sizeof s->lv[0]);
		if (do_emit(p, &s->h, emit, ud) < 0)
			return -1;
	}
	return (int)nchunks;
}

int
parse_emit_fixed(struct parse_ctx *p, struct rec_hdr *h, uint16_t type, size_t size,
    int64_t recv_ns, parse_emit_fn emit, void *ud)
{
	h->type = type;
	h->len = (uint32_t)size;
	h->recv_ns = recv_ns;
	if (do_emit(p, h, emit, ud) < 0)
		return -1;
	return 1;
}

int
parse_emit_market(struct parse_ctx *p, struct rec_market *m, int64_t exch_ns, int64_t recv_ns, parse_emit_fn emit,
    void *ud)
{
	char why[160];

	m->h.exch_ns = exch_ns;
	m->h.type = REC_MARKET;
	m->h.len = (uint32_t)sizeof *m;
	/* what leaves feedd passes rec_check: a venue's value the record cannot
	 * hold (a mark price of 0, a negative open interest) is this frame's
	 * parse error, counted, not a record the next process refuses */
	if (rec_check(&m->h, sizeof *m, why, sizeof why) != 0)
		return parse_fail(p, "%s", why);
	return parse_emit_fixed(p, &m->h, REC_MARKET, sizeof *m, recv_ns, emit, ud);
}

static const struct inst *
lookup(struct parse_ctx *p, const char *sym, size_t len, int adopt)
{
	const struct inst_registry *r = p->reg;
	const struct inst *in = NULL;
	char tmp[32];

	for (int i = 0; i < r->n && !in; i++)
		if (r->v[i].exch == p->exch && strlen(r->v[i].venue_symbol) == len &&
		    memcmp(r->v[i].venue_symbol, sym, len) == 0)
			in = &r->v[i];
	if (!in && len > 0 && len < sizeof tmp) {
		memcpy(tmp, sym, len);
		tmp[len] = 0;
		in = inst_find(r, p->exch, tmp);
	}
	if (!in && adopt && p->adopt && len > 0)
		in = p->adopt(p->adopt_ud, p->exch, sym, len);
	/* remembered so that an error later in the frame can name it */
	if (in)
		p->inst = in->id;
	return in;
}

const struct inst *
parse_inst(struct parse_ctx *p, const char *sym, size_t len)
{
	return lookup(p, sym, len, 1);
}

const struct inst *
parse_inst_listed(struct parse_ctx *p, const char *sym, size_t len)
{
	return lookup(p, sym, len, 0);
}

int
parse_query_param(const char *path, const char *key, char *buf, size_t cap)
{
	const char *q = strchr(path, '?');
	size_t klen = strlen(key);

	while (q) {
		const char *v, *end;
		q++;
		if (strncmp(q, key, klen) == 0 && q[klen] == '=') {
			v = q + klen + 1;
			end = strchr(v, '&');
			if (!end)
				end = v + strlen(v);
			if ((size_t)(end - v) >= cap)
				return -1;
			memcpy(buf, v, (size_t)(end - v));
			buf[end - v] = 0;
			return (int)(end - v);
		}
		q = strchr(q, '&');
	}
	return -1;
}
