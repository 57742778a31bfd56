/* buf.c - see buf.h. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

void
sb_init(struct sb *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
}

void
sb_free(struct sb *b)
{
	free(b->p);
	sb_init(b);
}

void
sb_reset(struct sb *b)
{
	b->len = 0;
}

void
sb_reserve(struct sb *b, size_t extra)
{
	size_t need = b->len + extra + 1, cap = b->cap ? b->cap : 256;
	char *np;

	if (need <= b->cap)
		return;
	while (cap < need)
		cap *= 2;
	np = realloc(b->p, cap);
	if (np == NULL) {
		/* A simulator that cannot build its messages has nothing useful left to do. */
		log_error("out of memory", "bytes=%zu", cap);
		abort();
	}
	b->p = np;
	b->cap = cap;
}

void
sb_add(struct sb *b, const void *s, size_t n)
{
	sb_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void
sb_adds(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

void
sb_addc(struct sb *b, char c)
{
	sb_reserve(b, 1);
	b->p[b->len++] = c;
}

void
sb_addi(struct sb *b, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof tmp, "%lld", (long long)v);

	sb_add(b, tmp, (size_t)n);
}

void
sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
sb_addjs(struct sb *b, const char *s)
{
	sb_addc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			sb_addc(b, '\\');
			sb_addc(b, (char)c);
		} else if (c < 0x20) {
			sb_printf(b, "\\u%04x", c);
		} else {
			sb_addc(b, (char)c);
		}
	}
	sb_addc(b, '"');
}

const char *
sb_cstr(struct sb *b)
{
	sb_reserve(b, 1);
	b->p[b->len] = 0;
	return b->p;
}

int
sb_fmt_e8(int64_t v, int trim, char *out)
{
	/* by hand: this runs for every level of every message, and printf was
	 * most of mpsim's CPU time */
	uint64_t ip = (uint64_t)v / 100000000u, fp = (uint64_t)v % 100000000u;
	char tmp[24];
	int n = 0, o = 0;

	do {
		tmp[n++] = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip);
	while (n)
		out[o++] = tmp[--n];
	if (trim && fp == 0) {
		out[o] = 0;
		return o;
	}
	out[o++] = '.';
	for (int k = 7; k >= 0; k--) {
		out[o + k] = (char)('0' + fp % 10);
		fp /= 10;
	}
	o += 8;
	if (trim)
		while (out[o - 1] == '0')
			o--;
	out[o] = 0;
	return o;
}

int
sb_parse_e8(const char *s, int64_t *out)
{
	int64_t ip = 0, fp = 0;
	int nd = 0, nf = 0;

	for (; *s >= '0' && *s <= '9'; s++, nd++) {
		if (ip > (INT64_MAX / 100000000 - 9) / 10)
			return -1;
		ip = ip * 10 + (*s - '0');
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, nf++) {
			if (nf >= 8) {
				if (*s != '0')
					return -1;
				continue;
			}
			fp = fp * 10 + (*s - '0');
		}
	}
	if (*s || nd + nf == 0)
		return -1;
	for (int i = nf; i < 8; i++)
		fp *= 10;
	*out = ip * 100000000 + fp;
	return 0;
}
