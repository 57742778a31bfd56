/* fx.c - exact fixed-point parse/format; see fx.h.  No floating point. */
#include "fx.h"

#include <stdint.h>
#include <string.h>


static const uint64_t pow10_u64[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL,
};

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int
fx_parse_ex(const char *s, size_t len, int exp, int64_t *out, int *decimals)
{
	size_t i = 0, int_start, int_end, frac_start, frac_end;
	long e = 0, shift;
	int eneg = 0;
	size_t nsig, first_sig, keep, k;
	uint64_t v = 0;

	if (exp < -18 || exp > 0)
		return FX_ERANGE;
	if (!s || len == 0)
		return FX_EEMPTY;
	if (s[0] == '-' || s[0] == '+')
		return FX_ENEG;

	int_start = i;
	while (i < len && is_digit(s[i]))
		i++;
	int_end = i;
	frac_start = frac_end = i;
	if (i < len && s[i] == '.') {
		i++;
		frac_start = i;
		while (i < len && is_digit(s[i]))
			i++;
		frac_end = i;
	}
	if (int_end == int_start && frac_end == frac_start)
		return FX_ESYNTAX;      /* no digit at all: "", ".", "e5" */
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t estart;

		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		estart = i;
		while (i < len && is_digit(s[i])) {
			/* Beyond len + 40 the answer no longer depends on the
			 * exponent (out of range or inexact), so it is clamped
			 * there instead of overflowing. */
			if (e <= (long)len + 40)
				e = e * 10 + (s[i] - '0');
			i++;
		}
		if (i == estart)
			return FX_ESYNTAX;
		if (eneg)
			e = -e;
	}
	if (i != len)
		return FX_ESYNTAX;      /* trailing junk, spaces, NUL, second '.' */

	/*
	 * The digits D = int digits then frac digits; value = D * 10^(e - nfrac),
	 * so the mantissa at exp is D * 10^shift with shift = e - nfrac - exp.
	 * Work on the digit string directly so nothing overflows before we know
	 * the answer fits.
	 */
	size_t nint = int_end - int_start, nfrac = frac_end - frac_start;
	size_t ndig = nint + nfrac;
#define DIG(j) ((j) < nint ? s[int_start + (j)] : s[frac_start + (j) - nint])
	first_sig = 0;
	while (first_sig < ndig && DIG(first_sig) == '0')
		first_sig++;
	nsig = ndig - first_sig;
	shift = e - (long)nfrac - (long)exp;
	if (nsig == 0) {
		v = 0;  /* zero is exact at any exponent */
	} else {
		keep = nsig;
		if (shift < 0) {
			/* The last -shift digits must be zeros, else not exact. */
			size_t drop = (size_t)-shift;

			if (drop > nsig) {
				return FX_EPREC;    /* there is a non-zero digit among them */
			}
			for (k = ndig - drop; k < ndig; k++)
				if (DIG(k) != '0')
					return FX_EPREC;
			keep = nsig - drop;
			shift = 0;
		}
		for (k = first_sig; k < first_sig + keep; k++) {
			uint64_t d = (uint64_t)(DIG(k) - '0');

			if (v > ((uint64_t)INT64_MAX - d) / 10)
				return FX_ERANGE;
			v = v * 10 + d;
		}
		if (v != 0 && shift > 0) {
			if (shift > 18 || v > (uint64_t)INT64_MAX / pow10_u64[shift])
				return FX_ERANGE;
			v *= pow10_u64[shift];
		}
	}
#undef DIG
	*out = (int64_t)v;
	if (decimals)
		*decimals = (int)nfrac;
	return FX_OK;
}

int
fx_parse(const char *s, size_t len, int exp, int64_t *out)
{
	return fx_parse_ex(s, len, exp, out, NULL);
}

int
fx_parse_signed(const char *s, size_t len, int exp, int64_t *out)
{
	int64_t v;
	int neg = len > 0 && s && s[0] == '-', rc;

	if (len > 0 && s && s[0] == '+')
		return FX_ESYNTAX;
	rc = fx_parse(neg ? s + 1 : s, neg ? len - 1 : len, exp, &v);
	if (rc == FX_ENEG)
		return FX_ESYNTAX;      /* "--1", "-+1" */
	if (rc != FX_OK)
		return rc;
	*out = neg ? -v : v;    /* |v| <= INT64_MAX, so -v cannot overflow */
	return FX_OK;
}

int
fx_parse_round(const char *s, size_t len, int exp, int64_t *out)
{
	size_t start, dot, i;
	int neg, rc;
	int64_t v;

	rc = fx_parse_signed(s, len, exp, out);
	if (rc != FX_EPREC)
		return rc;
	/* Only plain "d.ddd" reaches here rounded: with an exponent part the
	 * digits to cut are not where they are written, and no venue sends
	 * aggregates that way, so it stays an exactness error. */
	neg = s[0] == '-';
	start = neg ? 1 : 0;
	for (dot = start; dot < len && s[dot] != '.'; dot++)
		if (!is_digit(s[dot]))
			return FX_EPREC;
	for (i = dot + 1; i < len; i++)
		if (!is_digit(s[i]))
			return FX_EPREC;
	/* keep -exp decimals (with exp 0 also drop the '.'), round on the next digit */
	{
		size_t keep_end = dot + (exp == 0 ? 0 : 1 + (size_t)-exp);

		v = 0;          /* ".5" at exponent 0 keeps no digit */
		if (keep_end > start && (rc = fx_parse(s + start, keep_end - start, exp, &v)) != FX_OK)
			return rc;
		if (s[dot + 1 + (size_t)-exp] >= '5') {
			if (v == INT64_MAX)
				return FX_ERANGE;
			v++;
		}
	}
	*out = neg ? -v : v;
	return FX_OK;
}

/*
 * `decimals` is a minimum: a value with more significant decimals than asked
 * for is still printed exactly (formatting never rounds).
 */
size_t
fx_format(int64_t v, int exp, int decimals, char *buf, size_t cap)
{
	char tmp[FX_STR_MAX];
	char fracd[20];
	size_t n = 0, nd, k;
	uint64_t u, ip, fp;
	int scale = -exp, keep;

	if (cap > 0)
		buf[0] = 0;
	if (exp < -18 || exp > 0 || (decimals != FX_TRIM && (decimals < 0 || decimals > scale)))
		return 0;
	u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	ip = u / pow10_u64[scale];
	fp = u % pow10_u64[scale];
	if (v < 0)
		tmp[n++] = '-';
	/* integer part */
	{
		char rev[20];
		size_t r = 0;

		do {
			rev[r++] = (char)('0' + ip % 10);
			ip /= 10;
		} while (ip);
		while (r)
			tmp[n++] = rev[--r];
	}
	/* fraction digits, zero-padded to the full scale */
	for (k = (size_t)scale; k > 0; k--) {
		fracd[k - 1] = (char)('0' + fp % 10);
		fp /= 10;
	}
	keep = scale;
	while (keep > 0 && fracd[keep - 1] == '0')
		keep--;
	if (decimals != FX_TRIM && keep < decimals)
		keep = decimals;
	if (keep > 0) {
		tmp[n++] = '.';
		memcpy(tmp + n, fracd, (size_t)keep);
		n += (size_t)keep;
	}
	nd = n;
	if (nd + 1 > cap)
		return 0;
	memcpy(buf, tmp, nd);
	buf[nd] = 0;
	return nd;
}

const char *
fx_strerror(int err)
{
	switch (err) {
	case FX_OK: return "ok";
	case FX_EEMPTY: return "empty number";
	case FX_ESYNTAX: return "not a plain decimal number";
	case FX_ENEG: return "signed number (prices and sizes have no sign)";
	case FX_ERANGE: return "number out of range at this exponent";
	case FX_EPREC: return "more decimals than the instrument's exponent holds";
	}
	return "unknown fixed-point error";
}
