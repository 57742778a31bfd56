/*
 * fx.h - exact fixed-point decimals for prices and quantities.
 *
 * A value is an int64 mantissa m with a per-instrument decimal exponent e
 * (value = m * 10^e, e <= 0; the default is -8, which covers every spot price
 * and size Binance and OKX publish).  Never a double: parsing and formatting
 * are exact, and formatting with the instrument's string style gives back the
 * exchange's own string byte for byte (Binance "61737.63000000" has a fixed 8
 * decimals; OKX "30243.5" trims trailing zeros).
 *
 * Accepted input: optional digits, optional '.', optional digits (at least one
 * digit in all), optional exponent part ("6.022e-5", "1E3").  Rejected, with a
 * distinct error: empty, a sign (prices and sizes are never negative; "-0" is
 * rejected too), any other character, a value that does not fit int64 at that
 * exponent (FX_ERANGE), more significant decimals than the exponent holds
 * (FX_EPREC; trailing zeros beyond it are fine: "1.000000000000" is exact).
 */
#ifndef MP_FX_H
#define MP_FX_H

#include <stddef.h>
#include <stdint.h>

#define FX_TRIM (-1)     /* format style: no trailing zeros, no '.' for integers */
#define FX_DEFAULT_EXP (-8)
#define FX_STR_MAX 48    /* enough for any int64 at any exponent in [-18, 0] */

enum fx_err {
	FX_OK = 0,
	FX_EEMPTY = -1,  /* empty string */
	FX_ESYNTAX = -2, /* not a plain decimal */
	FX_ENEG = -3,    /* has a sign */
	FX_ERANGE = -4,  /* does not fit int64 at this exponent */
	FX_EPREC = -5,   /* more decimals than the exponent holds: not exact */
};

/* Parse s[0..len) at exponent exp (-18..0).  *out is untouched on error. */
int fx_parse(const char *s, size_t len, int exp, int64_t *out);
/* Same, and also reports how many decimals were written (before any exponent
 * part), which tells whether the instrument's format style reproduces s. */
int fx_parse_ex(const char *s, size_t len, int exp, int64_t *out, int *decimals);
/* Signed values (funding rates): an optional leading '-', then as fx_parse.
 * "-0" is 0.  A '+' is a syntax error. */
int fx_parse_signed(const char *s, size_t len, int exp, int64_t *out);
/* As fx_parse_signed, but more decimals than exp holds are rounded half away
 * from zero instead of FX_EPREC (plain "d.ddd" only; with an exponent part an
 * inexact value stays FX_EPREC).  For aggregates such as open-interest values,
 * never for prices or book sizes, which must be exact. */
int fx_parse_round(const char *s, size_t len, int exp, int64_t *out);
/* Format v (mantissa at exponent exp) with `decimals` fixed decimals
 * (0..-exp) or FX_TRIM.  Always NUL-terminates; returns the length, or 0 if
 * cap is too small (use FX_STR_MAX). Negative v gets a '-' (never from parse). */
size_t fx_format(int64_t v, int exp, int decimals, char *buf, size_t cap);
const char *fx_strerror(int err);

#endif
