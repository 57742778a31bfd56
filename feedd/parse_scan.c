/*
 * parse_scan.c - the strict scanner for the hot frame shapes:
 *   Binance {"stream":..,"data":{"e":"depthUpdate",...}} (or the raw object),
 *   Binance GET /api/v3/depth answers,
 *   OKX {"arg":{"channel":"books",...},"action":..,"data":[{...}]}.
 *
 * It accepts only a subset of JSON it can check completely in one pass
 * without allocating: strings of printable ASCII without escapes, integers
 * without fraction or exponent (at most 18 digits), the expected keys each
 * at most once and nothing else.  Anything else - an unknown key, a
 * duplicate, an escape, a key order that needs the instrument before it is
 * known, trailing garbage - returns PARSE_FALLBACK before anything is emitted,
 * and the jansson path decides.  So whenever both accept a frame they must
 * produce the same records, which the fuzz targets check.
 */
#include "parse_impl.h"

#include <string.h>

struct scan {
	const char *s, *e;
};

#define NEED(x) do { if (!(x)) return PARSE_FALLBACK; } while (0)

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

/* 8 bytes at q are all ASCII digits: their value (little-endian load, the
 * first digit most significant), else -1.  Branch-free digit test: a byte is
 * a digit when its high nibble is 3 and adding 6 does not carry out of the
 * low nibble. */
static inline int64_t
sc_digits8(const char *q)
{
	uint64_t x;

	memcpy(&x, q, 8);
	if (((x & 0xF0F0F0F0F0F0F0F0ULL) | (((x + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) !=
	    0x3333333333333333ULL)
		return -1;
	x -= 0x3030303030303030ULL;
	x = x * 10 + (x >> 8);
	x = (((x & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
	    (((x >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >> 32;
	return (int64_t)x;
}

/*
 * The hot form of a level's price or size: "digits[.digits]" read in the
 * same pass that looks for its closing quote, at d = -exponent decimals.
 * *qp points at the opening quote.  Accepts exactly the strings of digits
 * and one '.' that fast_dec (parse_build.c) accepts, with its value, and
 * moves *qp past the closing quote; for anything else (a sign, an exponent,
 * too many digits, more precision than d, any other character, the end of
 * the buffer) it returns 0 and the caller reads the level the generic way,
 * so unusual forms and every error keep their one owner (fx_parse).
 */
static inline int
sc_fast_dec(const char **qp, const char *e, unsigned d, int64_t *out)
{
	const char *q = *qp + 1, *start = q;
	unsigned idig = 0, fdig = 0;
	uint64_t v = 0;
	int64_t f8;

	while (q < e && *q == '0')
		q++;
	for (; q < e && (unsigned)(*q - '0') < 10; q++, idig++)
		v = v * 10 + (uint64_t)(*q - '0');
	/* idig + d <= 18: exact in uint64 (as fast_dec) */
	if (q == start || q >= e || idig + d > 18)
		return 0;
	if (*q == '"') {
		*out = (int64_t)(v * parse_pow10[d]);
		*qp = q + 1;
		return 1;
	}
	if (*q != '.')
		return 0;
	q++;
	/* the common case: exactly d == 8 decimals, then the quote */
	if (d == 8 && e - q > 8 && q[8] == '"' && (f8 = sc_digits8(q)) >= 0) {
		*out = (int64_t)(v * 100000000ULL + (uint64_t)f8);
		*qp = q + 9;
		return 1;
	}
	for (; q < e && (unsigned)(*q - '0') < 10; q++, fdig++) {
		if (fdig < d)
			v = v * 10 + (uint64_t)(*q - '0');
		else if (*q != '0')
			return 0;
	}
	/* "1." (no fraction digit) is fast_dec's reject too */
	if (fdig == 0 || q >= e || *q != '"')
		return 0;
	if (fdig < d)
		v *= parse_pow10[d - fdig];
	*out = (int64_t)v;
	*qp = q + 1;
	return 1;
}

/*
 * One level ["px","qty" in the hot form straight into the staging side:
 * 1 (sc->s is past the qty's closing quote), or 0 with sc->s unchanged (the
 * caller reads the level the generic way).
 */
static inline int
sc_level_fast(struct scan *sc, struct parse_lvbuf *b, int dpx, int dqty)
{
	const char *q = sc->s;
	int64_t px, qty;

	if (dpx < 0 || dqty < 0 || b->n == b->cap || q + 1 >= sc->e || q[0] != '[' || q[1] != '"')
		return 0;
	q++;
	if (!sc_fast_dec(&q, sc->e, (unsigned)dpx, &px) || q + 1 >= sc->e || q[0] != ',' || q[1] != '"')
		return 0;
	q++;
	if (!sc_fast_dec(&q, sc->e, (unsigned)dqty, &qty))
		return 0;
	b->v[b->n].px = px;
	b->v[b->n].qty = qty;
	b->n++;
	sc->s = q;
	return 1;
}

/*
 * [ [ "px","qty" (,"str"){0,maxextra} ], ... ] into a staging side.
 * Returns 1, 0 (not ours: fall back) or -1 (a level the builder rejected;
 * also a fall back, so jansson gives the authoritative verdict).
 * A level in the hot form (no whitespace inside, plain decimals) is read by
 * sc_level_fast in one pass; any other goes through sc_str and parse_level.
 */
static int
sc_levels(struct scan *sc, struct parse_ctx *p, enum parse_side side, int maxextra)
{
	struct parse_state *st = p->scratch;
	struct parse_lvbuf *b = &st->side[side];
	const char *px, *qty, *x;
	size_t pxlen, qtylen, xlen;
	/* decimals of the fast path, or -1: the exponent is outside it */
	int dpx = st->in->px_exp <= 0 && st->in->px_exp >= -18 ? -st->in->px_exp : -1;
	int dqty = st->in->qty_exp <= 0 && st->in->qty_exp >= -18 ? -st->in->qty_exp : -1;

	if (!sc_ch(sc, '['))
		return 0;
	if (sc_ch(sc, ']'))
		return 1;
	do {
		sc_ws(sc);
		if (sc_level_fast(sc, b, dpx, dqty)) {
			for (int i = 0; i < maxextra && sc_ch(sc, ','); i++)
				if (!sc_str(sc, &x, &xlen))
					return 0;
			if (!sc_ch(sc, ']'))
				return 0;
			continue;
		}
		if (!sc_ch(sc, '[') || !sc_str(sc, &px, &pxlen) || !sc_ch(sc, ',') ||
		    !sc_str(sc, &qty, &qtylen))
			return 0;
		for (int i = 0; i < maxextra && sc_ch(sc, ','); i++)
			if (!sc_str(sc, &x, &xlen))
				return 0;
		if (!sc_ch(sc, ']'))
			return 0;
		if (parse_level(p, side, px, pxlen, qty, qtylen) < 0)
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

enum { BK_e = 1, BK_E = 2, BK_s = 4, BK_U = 8, BK_u = 16, BK_b = 32, BK_a = 64, BK_ALL = 127,
	BK_T = 128, BK_pu = 256 };

/* The depthUpdate object; on success *in, E, U, u (and pu of futures, else
 * PARSE_NO_PU) are set and levels staged.  T (futures transaction time) is
 * read and not carried, as on the jansson path. */
static int
scan_binance_depth_obj(struct scan *sc, struct parse_ctx *p, const struct inst **in,
    int64_t *E, int64_t *U, int64_t *u, int64_t *pu)
{
	unsigned seen = 0, bit;
	const char *k, *v;
	size_t klen, vlen;
	int64_t T;

	*in = NULL;
	*pu = PARSE_NO_PU;
	NEED(sc_ch(sc, '{'));
	do {
		NEED(sc_key(sc, &k, &klen) && (klen == 1 || (klen == 2 && k[0] == 'p' && k[1] == 'u')));
		if (klen == 2) {
			bit = BK_pu;
			NEED(sc_int(sc, pu));
			NEED(!(seen & bit));
			seen |= bit;
			continue;
		}
		switch (k[0]) {
		case 'e':
			bit = BK_e;
			NEED(sc_str(sc, &v, &vlen) && sc_streq(v, vlen, "depthUpdate"));
			break;
		case 'E':
			bit = BK_E;
			NEED(sc_int(sc, E));
			break;
		case 'T':
			bit = BK_T;
			NEED(sc_int(sc, &T));
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
	NEED(sc_ch(sc, '}') && (seen & BK_ALL) == BK_ALL);
	return 0;
}

int
parse_scan_binance_ws(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns,
    parse_emit_fn emit, void *ud)
{
	struct scan sc = {buf, buf + len};
	const struct inst *in;
	const char *k, *v;
	size_t klen, vlen;
	int64_t E = 0, U = 0, u = 0, pu = PARSE_NO_PU;

	NEED(sc_ch(&sc, '{'));
	NEED(sc_key(&sc, &k, &klen));
	if (sc_streq(k, klen, "stream")) {
		NEED(sc_str(&sc, &v, &vlen) && sc_ch(&sc, ','));
		NEED(sc_key(&sc, &k, &klen) && sc_streq(k, klen, "data"));
		NEED(scan_binance_depth_obj(&sc, p, &in, &E, &U, &u, &pu) == 0);
		NEED(sc_ch(&sc, '}'));
	} else {
		/* a raw-stream object: rescan it from the start */
		sc.s = buf;
		NEED(scan_binance_depth_obj(&sc, p, &in, &E, &U, &u, &pu) == 0);
	}
	NEED(sc_end(&sc));
	return settle(p, parse_binance_depth(p, in, E, U, u, pu, recv_ns, emit, ud));
}

int
parse_scan_binance_depth_rest(struct parse_ctx *p, const struct inst *in, const char *buf,
    size_t len, int64_t recv_ns, uint32_t req_id, parse_emit_fn emit, void *ud)
{
	struct scan sc = {buf, buf + len};
	unsigned seen = 0, bit;
	const char *k;
	size_t klen;
	int64_t last = 0;

	parse_levels_begin(p, in);
	NEED(sc_ch(&sc, '{'));
	do {
		NEED(sc_key(&sc, &k, &klen));
		if (sc_streq(k, klen, "lastUpdateId")) {
			bit = 1;
			NEED(sc_int(&sc, &last));
		} else if (sc_streq(k, klen, "E") || sc_streq(k, klen, "T")) {
			/* futures: event and transaction time, not carried */
			int64_t t;
			bit = k[0] == 'E' ? 8 : 16;
			NEED(sc_int(&sc, &t));
		} else if (sc_streq(k, klen, "bids") || sc_streq(k, klen, "asks")) {
			bit = k[0] == 'b' ? 2 : 4;
			NEED(sc_levels(&sc, p, k[0] == 'b' ? PS_BID : PS_ASK, 0) == 1);
		} else {
			return PARSE_FALLBACK;
		}
		NEED(!(seen & bit));
		seen |= bit;
	} while (sc_ch(&sc, ','));
	NEED(sc_ch(&sc, '}') && (seen & 7) == 7 && sc_end(&sc));
	return settle(p, parse_binance_depth_rest(p, in, last, recv_ns, req_id, emit, ud));
}

/* ---- OKX ---- */

enum { OK_asks = 1, OK_bids = 2, OK_ts = 4, OK_checksum = 8, OK_prev = 16, OK_seq = 32 };

int
parse_scan_okx_ws(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns,
    parse_emit_fn emit, void *ud)
{
	struct scan sc = {buf, buf + len};
	const struct inst *in = NULL;
	const char *k, *v, *ts = NULL;
	size_t klen, vlen, tslen = 0;
	unsigned top = 0, seen = 0, bit;
	int snapshot = -1;
	int64_t checksum = 0, prev = 0, seq = 0, ts_ns;

	NEED(sc_ch(&sc, '{'));
	do {
		NEED(sc_key(&sc, &k, &klen));
		if (sc_streq(k, klen, "arg")) {
			unsigned aseen = 0;
			const char *ch = NULL, *id = NULL;
			size_t chlen = 0, idlen = 0;
			NEED(!(top & 1));
			top |= 1;
			NEED(sc_ch(&sc, '{'));
			do {
				NEED(sc_key(&sc, &k, &klen));
				if (sc_streq(k, klen, "channel")) {
					NEED(!(aseen & 1) && sc_str(&sc, &ch, &chlen));
					aseen |= 1;
				} else if (sc_streq(k, klen, "instId")) {
					NEED(!(aseen & 2) && sc_str(&sc, &id, &idlen));
					aseen |= 2;
				} else {
					return PARSE_FALLBACK;
				}
			} while (sc_ch(&sc, ','));
			NEED(sc_ch(&sc, '}') && aseen == 3);
			NEED(sc_streq(ch, chlen, "books") || sc_streq(ch, chlen, "books-l2-tbt") ||
			    sc_streq(ch, chlen, "books50-l2-tbt"));
			NEED((in = parse_inst(p, id, idlen)) != NULL);
		} else if (sc_streq(k, klen, "action")) {
			NEED(!(top & 2));
			top |= 2;
			NEED(sc_str(&sc, &v, &vlen));
			if (sc_streq(v, vlen, "snapshot"))
				snapshot = 1;
			else if (sc_streq(v, vlen, "update"))
				snapshot = 0;
			else
				return PARSE_FALLBACK;
		} else if (sc_streq(k, klen, "data")) {
			NEED(!(top & 4) && in);
			top |= 4;
			parse_levels_begin(p, in);
			NEED(sc_ch(&sc, '[') && sc_ch(&sc, '{'));
			do {
				NEED(sc_key(&sc, &k, &klen));
				if (sc_streq(k, klen, "asks") || sc_streq(k, klen, "bids")) {
					bit = k[0] == 'a' ? OK_asks : OK_bids;
					NEED(!(seen & bit));
					NEED(sc_levels(&sc, p, k[0] == 'a' ? PS_ASK : PS_BID, 2) == 1);
				} else if (sc_streq(k, klen, "ts")) {
					bit = OK_ts;
					NEED(sc_str(&sc, &ts, &tslen));
				} else if (sc_streq(k, klen, "checksum")) {
					bit = OK_checksum;
					NEED(sc_int(&sc, &checksum));
				} else if (sc_streq(k, klen, "prevSeqId")) {
					bit = OK_prev;
					NEED(sc_int(&sc, &prev));
				} else if (sc_streq(k, klen, "seqId")) {
					bit = OK_seq;
					NEED(sc_int(&sc, &seq));
				} else {
					return PARSE_FALLBACK;
				}
				NEED(!(seen & bit));
				seen |= bit;
			} while (sc_ch(&sc, ','));
			NEED(sc_ch(&sc, '}') && sc_ch(&sc, ']'));
			/* every key, or the legacy set (checksum, no seqId/prevSeqId) */
			NEED((seen | OK_checksum) == 63 || seen == (OK_asks | OK_bids | OK_ts | OK_checksum));
		} else {
			return PARSE_FALLBACK;
		}
	} while (sc_ch(&sc, ','));
	NEED(sc_ch(&sc, '}') && sc_end(&sc) && top == 7);
	if (parse_ms_str(p, ts, tslen, "ts", &ts_ns) < 0)
		return PARSE_FALLBACK;
	return settle(p, parse_okx_book(p, in, snapshot, !(seen & OK_seq), ts_ns, checksum, prev, seq, recv_ns, emit, ud));
}
