/*
 * sbuf.h - a tiny growable string buffer for writers of JSON and text.
 *
 *   struct sbuf b = SBUF_INIT;
 *   sbuf_puts(&b, "{\"a\":"); sbuf_json_str(&b, s, len); sbuf_putc(&b, '}');
 *   char *out = sbuf_take(&b);     // malloc'd, NUL-terminated; NULL if any
 *                                  // allocation failed along the way
 *
 * An allocation failure is sticky (b.oom): later appends do nothing, and
 * sbuf_take() returns NULL, so callers check once at the end.
 */
#ifndef MP_SBUF_H
#define MP_SBUF_H

#include <stddef.h>

struct sbuf {
	char *p;        /* NUL-terminated while len < cap */
	size_t len;
	size_t cap;
	int oom;
};
#define SBUF_INIT {NULL, 0, 0, 0}

void sbuf_put(struct sbuf *b, const void *s, size_t n);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_putc(struct sbuf *b, char c);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s[0..n) as a quoted JSON string: quotes, backslashes and control
 * bytes escaped (\n, \t, \u00XX); valid UTF-8 is copied, any other byte
 * is written as \u00XX (its Latin-1 reading), so the output is always valid JSON. */
void sbuf_json_str(struct sbuf *b, const char *s, size_t n);
/* Empty it, keeping the memory. */
void sbuf_reset(struct sbuf *b);
/* Hand the string over (the buffer is empty afterwards); NULL after an allocation failure. */
char *sbuf_take(struct sbuf *b);
void sbuf_free(struct sbuf *b);

#endif
