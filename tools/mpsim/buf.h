/*
 * buf.h - growable byte buffers for building JSON and HTTP text, plus the
 * decimal formatting both venues need.
 *
 * mpsim builds every message once and fans it out, so the buffer is the only
 * string type it uses.  Allocation failure is fatal (the simulator cannot
 * serve a partial message), so callers never check for it.
 */
#ifndef MPSIM_BUF_H
#define MPSIM_BUF_H

#include <stddef.h>
#include <stdint.h>

struct sb {
	char *p;
	size_t len, cap;
};

void sb_init(struct sb *b);
void sb_free(struct sb *b);
void sb_reset(struct sb *b);
void sb_reserve(struct sb *b, size_t extra);
void sb_add(struct sb *b, const void *s, size_t n);
void sb_adds(struct sb *b, const char *s);
void sb_addc(struct sb *b, char c);
void sb_addi(struct sb *b, int64_t v);
void sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal with quotes and escapes. */
void sb_addjs(struct sb *b, const char *s);
/* NUL-terminate without changing len (for C string use). */
const char *sb_cstr(struct sb *b);

/*
 * Format v * 10^-8 as a decimal: with exactly 8 decimals (Binance style,
 * "61737.63000000") when trim is 0, or without trailing zeros and without
 * a bare '.' (OKX style, "30243.5", "8477") when trim is 1.  v >= 0.
 * out needs 32 bytes; returns the length.
 */
int sb_fmt_e8(int64_t v, int trim, char *out);
/* Parse a non-negative decimal with at most 8 decimals into units of 1e-8.
 * Returns 0 on success, -1 on anything else. */
int sb_parse_e8(const char *s, int64_t *out);

#endif
