/* test_fx.c - fixed-point parse/format: exchange strings, hostile input, round trips. */
#include <stdint.h>
#include <stdlib.h>

#include "fx.h"
#include "../t.h"

static int
parse(const char *s, int exp, int64_t *v)
{
	return fx_parse(s, strlen(s), exp, v);
}

/* parse then format with the given style must give s back byte for byte */
static int
roundtrip(const char *s, int exp, int style)
{
	int64_t v = -1;
	char buf[FX_STR_MAX];

	if (parse(s, exp, &v) != FX_OK)
		return 0;
	if (fx_format(v, exp, style, buf, sizeof buf) == 0)
		return 0;
	return strcmp(buf, s) == 0;
}

static void
t_binance_strings(void)
{
	int64_t v = 0;
	int dec = -1;

	T_EQ_I(fx_parse_ex("61737.63000000", 14, -8, &v, &dec), FX_OK);
	T_EQ_I(v, 6173763000000LL);
	T_EQ_I(dec, 8);
	T_CHECK(roundtrip("61737.63000000", -8, 8));
	T_CHECK(roundtrip("0.00000000", -8, 8));
	T_EQ_I(parse("0.00000000", -8, &v), FX_OK);
	T_EQ_I(v, 0);
	T_EQ_I(parse("92233720368.54775807", -8, &v), FX_OK);
	T_EQ_I(v, INT64_MAX);
	T_CHECK(roundtrip("92233720368.54775807", -8, 8));
	T_EQ_I(parse("92233720368.54775808", -8, &v), FX_ERANGE);
	T_CHECK(roundtrip("0.00100000", -8, 8));
	T_CHECK(roundtrip("3000.01000000", -8, 8));
}

static void
t_okx_strings(void)
{
	int64_t v = 0;
	int dec = -1;

	T_CHECK(roundtrip("8476.98", -8, FX_TRIM));
	T_CHECK(roundtrip("30243.5", -8, FX_TRIM));
	T_CHECK(roundtrip("0.0000102", -8, FX_TRIM));
	T_CHECK(roundtrip("8477", -8, FX_TRIM));
	T_CHECK(roundtrip("0", -8, FX_TRIM));
	T_EQ_I(fx_parse_ex("30243.5", 7, -8, &v, &dec), FX_OK);
	T_EQ_I(v, 3024350000000LL);
	T_EQ_I(dec, 1);
	T_EQ_I(fx_parse_ex("8477", 4, -8, &v, &dec), FX_OK);
	T_EQ_I(dec, 0);
	/* other exponents */
	T_EQ_I(parse("1.5", -1, &v), FX_OK);
	T_EQ_I(v, 15);
	T_EQ_I(parse("12", 0, &v), FX_OK);
	T_EQ_I(v, 12);
	T_CHECK(roundtrip("0.000000000000000001", -18, FX_TRIM));
	T_CHECK(roundtrip("9.223372036854775807", -18, FX_TRIM));
}

static void
t_exponent_notation(void)
{
	int64_t v = 0;
	int dec = -1;

	T_EQ_I(fx_parse_ex("6.022e-5", 8, -8, &v, &dec), FX_OK);
	T_EQ_I(v, 6022);
	T_EQ_I(dec, 3);
	T_EQ_I(parse("1E3", -8, &v), FX_OK);
	T_EQ_I(v, 100000000000LL);
	T_EQ_I(parse("1e+2", 0, &v), FX_OK);
	T_EQ_I(v, 100);
	T_EQ_I(parse("1e-8", -8, &v), FX_OK);
	T_EQ_I(v, 1);
	T_EQ_I(parse("1e-9", -8, &v), FX_EPREC);
	T_EQ_I(parse("10e-9", -8, &v), FX_OK);
	T_EQ_I(v, 1);
	T_EQ_I(parse("1e400", -8, &v), FX_ERANGE);
	T_EQ_I(parse("0e400", -8, &v), FX_OK);
	T_EQ_I(v, 0);
	T_EQ_I(parse("1e-400", -8, &v), FX_EPREC);
	T_EQ_I(parse("1e99999999999999999999999", -8, &v), FX_ERANGE);
	T_EQ_I(parse("1e-99999999999999999999999", -8, &v), FX_EPREC);
	T_EQ_I(parse("0.0000000000000000000000000000001e31", 0, &v), FX_OK);
	T_EQ_I(v, 1);
	T_EQ_I(parse("100000000000000000000000000000e-30", -8, &v), FX_OK);    /* 1e29 * 1e-30 */
	T_EQ_I(v, 10000000);
	T_EQ_I(parse("1e", -8, &v), FX_ESYNTAX);
	T_EQ_I(parse("1e+", -8, &v), FX_ESYNTAX);
	T_EQ_I(parse("e5", -8, &v), FX_ESYNTAX);
	T_EQ_I(parse("1e5.0", -8, &v), FX_ESYNTAX);
}

static void
t_hostile_strings(void)
{
	int64_t v = 777;

	T_EQ_I(fx_parse("", 0, -8, &v), FX_EEMPTY);
	T_EQ_I(parse(".", -8, &v), FX_ESYNTAX);
	T_EQ_I(parse("-1", -8, &v), FX_ENEG);
	T_EQ_I(parse("+1", -8, &v), FX_ENEG);
	T_EQ_I(parse("-0", -8, &v), FX_ENEG);
	T_EQ_I(parse("123456789012345678901234567890", -8, &v), FX_ERANGE);
	T_EQ_I(parse("123456789012345678901234567890", 0, &v), FX_ERANGE);
	T_EQ_I(parse(" 1", -8, &v), FX_ESYNTAX);
	T_EQ_I(parse("1 ", -8, &v), FX_ESYNTAX);
	T_EQ_I(parse("1 2", -8, &v), FX_ESYNTAX);
	T_EQ_I(fx_parse("1\0" "2", 3, -8, &v), FX_ESYNTAX);
	T_EQ_I(parse("0x10", -8, &v), FX_ESYNTAX);
	T_EQ_I(parse("1..2", -8, &v), FX_ESYNTAX);
	T_EQ_I(parse("1.2.3", -8, &v), FX_ESYNTAX);
	T_EQ_I(parse("inf", -8, &v), FX_ESYNTAX);
	T_EQ_I(parse("nan", -8, &v), FX_ESYNTAX);
	T_EQ_I(parse("NaN", -8, &v), FX_ESYNTAX);
	T_EQ_I(parse("1,5", -8, &v), FX_ESYNTAX);
	T_EQ_I(parse("0.000000001", -8, &v), FX_EPREC);
	T_EQ_I(parse("1.5", 0, &v), FX_EPREC);
	T_EQ_I(v, 777);             /* untouched on every error */
	/* thirty trailing zeros are exact, however many */
	T_EQ_I(parse("1.000000000000000000000000000000", -8, &v), FX_OK);
	T_EQ_I(v, 100000000);
	T_EQ_I(parse("0.000000000000000000000000000000", -8, &v), FX_OK);
	T_EQ_I(v, 0);
	T_EQ_I(parse("000000000000000000000000000001", -8, &v), FX_OK);
	T_EQ_I(v, 100000000);
	/* a bare fraction or integer dot */
	T_EQ_I(parse(".5", -8, &v), FX_OK);
	T_EQ_I(v, 50000000);
	T_EQ_I(parse("5.", -8, &v), FX_OK);
	T_EQ_I(v, 500000000);
	/* bad exponent argument */
	T_EQ_I(parse("1", -19, &v), FX_ERANGE);
	T_EQ_I(parse("1", 1, &v), FX_ERANGE);
	T_CHECK(fx_strerror(FX_EPREC)[0] != 0);
	T_CHECK(strcmp(fx_strerror(FX_EPREC), fx_strerror(FX_ERANGE)) != 0);
}

static void
t_format(void)
{
	char buf[FX_STR_MAX];

	T_EQ_I(fx_format(INT64_MIN, -8, FX_TRIM, buf, sizeof buf), 21);
	T_EQ_S(buf, "-92233720368.54775808");
	T_EQ_I(fx_format(-5, -2, 2, buf, sizeof buf), 5);
	T_EQ_S(buf, "-0.05");
	T_EQ_I(fx_format(0, 0, 0, buf, sizeof buf), 1);
	T_EQ_S(buf, "0");
	T_EQ_I(fx_format(120, -2, FX_TRIM, buf, sizeof buf), 3);
	T_EQ_S(buf, "1.2");
	/* never rounds: more significant decimals than asked are still printed */
	fx_format(123, -4, 2, buf, sizeof buf);
	T_EQ_S(buf, "0.0123");
	/* cap too small: 0 and an empty string */
	T_EQ_I(fx_format(12345, -2, 2, buf, 6), 0);
	T_EQ_S(buf, "");
	T_EQ_I(fx_format(12345, -2, 2, buf, 7), 6);
	T_EQ_S(buf, "123.45");
	/* bad style or exponent */
	T_EQ_I(fx_format(1, -2, 3, buf, sizeof buf), 0);
	T_EQ_I(fx_format(1, 1, 0, buf, sizeof buf), 0);
	T_EQ_I(fx_format(1, -19, 0, buf, sizeof buf), 0);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Any mantissa at any exponent and style: format then parse is the identity,
 * and the reported decimals match what was printed. */
static void
t_property_roundtrip(void)
{
	int bad = 0;

	for (int i = 0; i < 200000; i++) {
		int exp = -(int)(next() % 19);
		int64_t v = (int64_t)(next() >> (next() % 64));
		int style = (next() & 1) ? FX_TRIM : (int)(next() % (unsigned)(-exp + 1));
		char buf[FX_STR_MAX];
		int64_t back = -1;
		int dec = -1;
		size_t n;

		if (v < 0)
			v = -(v + 1);
		n = fx_format(v, exp, style, buf, sizeof buf);
		if (n == 0 || fx_parse_ex(buf, n, exp, &back, &dec) != FX_OK || back != v) {
			if (bad++ < 5)
				fprintf(stderr, "  round trip failed: v=%" PRId64 " exp=%d style=%d s=%s back=%" PRId64 "\n",
				    v, exp, style, buf, back);
			continue;
		}
		const char *dot = strchr(buf, '.');

		if (dec != (dot ? (int)(n - (size_t)(dot - buf) - 1) : 0))
			bad++;
	}
	T_EQ_I(bad, 0);
}

/* Signed rates and rounded aggregates (REC_MARKET). */
static void
t_signed_and_round(void)
{
	int64_t v = 7;

	T_EQ_I(fx_parse_signed("-0.0000055603110445", 19, -18, &v), FX_OK);
	T_EQ_I(v, -5560311044500LL);
	T_EQ_I(fx_parse_signed("0.0001", 6, -18, &v), FX_OK);
	T_EQ_I(v, 100000000000000LL);
	T_EQ_I(fx_parse_signed("-0", 2, -8, &v), FX_OK);
	T_EQ_I(v, 0);
	v = 7;
	T_EQ_I(fx_parse_signed("+1", 2, -8, &v), FX_ESYNTAX);
	T_EQ_I(fx_parse_signed("--1", 3, -8, &v), FX_ESYNTAX);
	T_EQ_I(fx_parse_signed("-", 1, -8, &v), FX_EEMPTY);
	T_EQ_I(fx_parse_signed("0.123", 5, -2, &v), FX_EPREC);
	T_EQ_I(v, 7);
	T_EQ_I(fx_parse_round("3162906093.27885", 16, -4, &v), FX_OK);
	T_EQ_I(v, 31629060932789LL);
	T_EQ_I(fx_parse_round("3162906093.27884", 16, -4, &v), FX_OK);
	T_EQ_I(v, 31629060932788LL);
	T_EQ_I(fx_parse_round("-1.00005", 8, -4, &v), FX_OK);
	T_EQ_I(v, -10001);
	T_EQ_I(fx_parse_round("12.5", 4, 0, &v), FX_OK);
	T_EQ_I(v, 13);
	T_EQ_I(fx_parse_round(".5", 2, 0, &v), FX_OK);
	T_EQ_I(v, 1);
	T_EQ_I(fx_parse_round("1.2", 3, -4, &v), FX_OK);   /* exact stays exact */
	T_EQ_I(v, 12000);
	v = 7;
	T_EQ_I(fx_parse_round("1.23456e2", 9, -2, &v), FX_EPREC);
	T_EQ_I(fx_parse_round("99999999999999999999.5", 22, -4, &v), FX_ERANGE);
	T_EQ_I(fx_parse_round("922337203685477.58075", 21, -4, &v), FX_ERANGE);
	T_EQ_I(fx_parse_round("1.2x345", 7, -4, &v), FX_ESYNTAX);
	T_EQ_I(v, 7);
}

int
main(void)
{
	T_RUN(t_binance_strings);
	T_RUN(t_okx_strings);
	T_RUN(t_exponent_notation);
	T_RUN(t_hostile_strings);
	T_RUN(t_format);
	T_RUN(t_property_roundtrip);
	T_RUN(t_signed_and_round);
	return t_done();
}
