/*
 * parse_scan_ref.c - the Binance depthUpdate scanner as it was before the
 * fused level reader (parse_scan.c's sc_* functions, sc_levels and
 * scan_binance_depth_obj, parse_build.c's fast_dec / parse_dec /
 * parse_level), kept verbatim under ref_ names as the same-run baseline of
 * bench_feedd_parse_real.  It stages levels into the same parse_state and
 * emits through the live builder (parse_binance_depth), so the two differ
 * only in how they read a frame.  Not linked into any program but benchmarks.
 */
#include "parse_scan_ref.h"

#include <stdlib.h>
#include <string.h>

#include "fx.h"

struct scan {
	const char *s, *e;
};

#define NEED(x) do { if (!(x)) return PARSE_FALLBACK; } while (0)

static const uint64_t pow10_u64[19] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
	100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL,
	1000000000000ULL, 10000000000000ULL, 100000000000000ULL,
	1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL,
	1000000000000000000ULL,
};

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
		*out = (int64_t)(v * pow10_u64[d]);
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
		v *= pow10_u64[d - fdig];
	*out = (int64_t)v;
	return 1;
}

static int
ref_dec(struct parse_ctx *p, int exp, const char *s, size_t len, const char *what, int64_t *out)
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

static int
ref_level(struct parse_ctx *p, enum parse_side side, const char *px, size_t pxlen,
    const char *qty, size_t qtylen)
{
	struct parse_state *st = p->scratch;
	struct parse_lvbuf *b = &st->side[side];
	struct rec_level *l;

	if (b->n == b->cap && lvbuf_grow(b) < 0)
		return parse_fail(p, "too many levels (%u) or out of memory", b->n);
	l = &b->v[b->n];
	if (ref_dec(p, st->in->px_exp, px, pxlen, side == PS_BID ? "bid price" : "ask price", &l->px) < 0 ||
	    ref_dec(p, st->in->qty_exp, qty, qtylen, side == PS_BID ? "bid size" : "ask size", &l->qty) < 0)
		return -1;
	b->n++;
	return 0;
}


static inline void
sc_ws(struct scan *sc)
{
	while (sc->s < sc->e && (*sc->s == ' ' || *sc->s == '\n' || *sc->s == '\r' || *sc->s == '\t'))
		sc->s++;
}

static inline int
sc_ch(struct scan *sc, char c)
{
	sc_ws(sc);
	if (sc->s < sc->e && *sc->s == c) {
		sc->s++;
		return 1;
	}
	return 0;
}

/* A string of printable ASCII other than '"' and '\\'. */
static inline int
sc_str(struct scan *sc, const char **v, size_t *len)
{
	const char *q;

	if (!sc_ch(sc, '"'))
		return 0;
	for (q = sc->s; q < sc->e; q++) {
		unsigned char c = (unsigned char)*q;
		if (c == '"')
			break;
		if (c < 0x20 || c > 0x7e || c == '\\')
			return 0;
	}
	if (q == sc->e)
		return 0;
	*v = sc->s;
	*len = (size_t)(q - sc->s);
	sc->s = q + 1;
	return 1;
}

static inline int
sc_streq(const char *v, size_t len, const char *lit)
{
	size_t n = strlen(lit);
	return len == n && memcmp(v, lit, n) == 0;
}

/* -?(0|[1-9][0-9]*) with at most 18 digits, as JSON (and jansson) reads it. */
static inline int
sc_int(struct scan *sc, int64_t *out)
{
	int neg = 0, nd = 0;
	int64_t v = 0;

	sc_ws(sc);
	if (sc->s < sc->e && *sc->s == '-') {
		neg = 1;
		sc->s++;
	}
	if (sc->s >= sc->e || (unsigned)(*sc->s - '0') >= 10)
		return 0;
	if (*sc->s == '0' && sc->s + 1 < sc->e && (unsigned)(sc->s[1] - '0') < 10)
		return 0;
	while (sc->s < sc->e && (unsigned)(*sc->s - '0') < 10) {
		if (++nd > 18)
			return 0;
		v = v * 10 + (*sc->s++ - '0');
	}
	/* a fraction or exponent makes it a real: not ours */
	if (sc->s < sc->e && (*sc->s == '.' || *sc->s == 'e' || *sc->s == 'E'))
		return 0;
	*out = neg ? -v : v;
	return 1;
}

/* "key": */
static inline int
sc_key(struct scan *sc, const char **k, size_t *klen)
{
	return sc_str(sc, k, klen) && sc_ch(sc, ':');
}

/* Nothing but whitespace left. */
static inline int
sc_end(struct scan *sc)
{
	sc_ws(sc);
	return sc->s == sc->e;
}

/*
 * [ [ "px","qty" (,"str"){0,maxextra} ], ... ] into a staging side.
 * Returns 1, 0 (not ours: fall back) or -1 (a level the builder rejected;
 * also a fall back, so jansson gives the authoritative verdict).
 */
static int
sc_levels(struct scan *sc, struct parse_ctx *p, enum parse_side side, int maxextra)
{
	const char *px, *qty, *x;
	size_t pxlen, qtylen, xlen;

	if (!sc_ch(sc, '['))
		return 0;
	if (sc_ch(sc, ']'))
		return 1;
	do {
		if (!sc_ch(sc, '[') || !sc_str(sc, &px, &pxlen) || !sc_ch(sc, ',') ||
		    !sc_str(sc, &qty, &qtylen))
			return 0;
		for (int i = 0; i < maxextra && sc_ch(sc, ','); i++)
			if (!sc_str(sc, &x, &xlen))
				return 0;
		if (!sc_ch(sc, ']'))
			return 0;
		if (ref_level(p, side, px, pxlen, qty, qtylen) < 0)
			return -1;
	} while (sc_ch(sc, ','));
	return sc_ch(sc, ']');
}

/*
 * A semantic rejection (e.g. U > u) found by the shared checks happens before
 * anything is emitted: fall back so jansson gives the verdict.  A failure
 * after emitting (the consumer refused a record) must not be retried.
 */
static int
settle(struct parse_ctx *p, int rc)
{
	if (rc < 0 && ((struct parse_state *)p->scratch)->emitted == 0)
		return PARSE_FALLBACK;
	return rc;
}

/* ---- Binance ---- */

enum { BK_e = 1, BK_E = 2, BK_s = 4, BK_U = 8, BK_u = 16, BK_b = 32, BK_a = 64, BK_ALL = 127 };

/* The depthUpdate object; on success *in, E, U, u are set and levels staged. */
static int
scan_binance_depth_obj(struct scan *sc, struct parse_ctx *p, const struct inst **in,
    int64_t *E, int64_t *U, int64_t *u)
{
	unsigned seen = 0, bit;
	const char *k, *v;
	size_t klen, vlen;

	*in = NULL;
	NEED(sc_ch(sc, '{'));
	do {
		NEED(sc_key(sc, &k, &klen) && klen == 1);
		switch (k[0]) {
		case 'e':
			bit = BK_e;
			NEED(sc_str(sc, &v, &vlen) && sc_streq(v, vlen, "depthUpdate"));
			break;
		case 'E':
			bit = BK_E;
			NEED(sc_int(sc, E));
			break;
		case 's':
			bit = BK_s;
			NEED(sc_str(sc, &v, &vlen));
			NEED((*in = parse_inst(p, v, vlen)) != NULL);
			parse_levels_begin(p, *in);
			break;
		case 'U':
			bit = BK_U;
			NEED(sc_int(sc, U));
			break;
		case 'u':
			bit = BK_u;
			NEED(sc_int(sc, u));
			break;
		case 'b':
		case 'a':
			bit = k[0] == 'b' ? BK_b : BK_a;
			NEED(*in && sc_levels(sc, p, k[0] == 'b' ? PS_BID : PS_ASK, 0) == 1);
			break;
		default:
			return PARSE_FALLBACK;
		}
		NEED(!(seen & bit));
		seen |= bit;
	} while (sc_ch(sc, ','));
	NEED(sc_ch(sc, '}') && seen == BK_ALL);
	return 0;
}

int
ref_scan_binance_ws(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns,
    parse_emit_fn emit, void *ud)
{
	struct scan sc = {buf, buf + len};
	const struct inst *in;
	const char *k, *v;
	size_t klen, vlen;
	int64_t E = 0, U = 0, u = 0;

	NEED(sc_ch(&sc, '{'));
	NEED(sc_key(&sc, &k, &klen));
	if (sc_streq(k, klen, "stream")) {
		NEED(sc_str(&sc, &v, &vlen) && sc_ch(&sc, ','));
		NEED(sc_key(&sc, &k, &klen) && sc_streq(k, klen, "data"));
		NEED(scan_binance_depth_obj(&sc, p, &in, &E, &U, &u) == 0);
		NEED(sc_ch(&sc, '}'));
	} else {
		/* a raw-stream object: rescan it from the start */
		sc.s = buf;
		NEED(scan_binance_depth_obj(&sc, p, &in, &E, &U, &u) == 0);
	}
	NEED(sc_end(&sc));
	return settle(p, parse_binance_depth(p, in, E, U, u, PARSE_NO_PU, recv_ns, emit, ud));
}

