/*
 * djson.c - a small exact JSON reader (djson.h; feedd's parse_deribit.c, mpctl's heat.c):
 * one pass over a frame into a flat array of tokens that point into the
 * frame's text, so numbers keep their exact digits (jansson turns them into
 * doubles, which cannot carry a price like 0.1 or 60000.05 exactly).
 *
 * It checks the whole JSON grammar (RFC 8259: strings with valid escapes and
 * no control characters, numbers -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?, the
 * literals, nesting at most DJ_DEPTH), and nothing but whitespace after the
 * value.  Strings are not unescaped: a caller comparing a key or a name with
 * escapes in it simply does not find it (which the venue never sends).
 * Duplicate keys: the first wins.  The token array grows with the frame and
 * is kept (parse_free releases it).
 */
#include "djson.h"

#include <stdlib.h>
#include <string.h>

#define DJ_DEPTH 64

static int
dj_push(struct dj *d, enum dj_type t, const char *s, const char *base)
{
	if (d->n == d->cap) {
		uint32_t cap = d->cap ? d->cap * 2 : 1024;
		struct dj_tok *v = realloc(d->t, (size_t)cap * sizeof *v);
		if (!v)
			return -1;
		d->t = v;
		d->cap = cap;
	}
	d->t[d->n].type = (uint8_t)t;
	d->t[d->n].off = (uint32_t)(s - base);
	d->t[d->n].len = 0;
	d->t[d->n].size = 0;
	d->t[d->n].next = 0;
	return (int)d->n++;
}

static int
hexd(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* s at the opening quote: the end of the string (past the closing quote), or NULL. */
static const char *
scan_str(const char *s, const char *e)
{
	for (s++; s < e; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"')
			return s + 1;
		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			if (++s >= e)
				return NULL;
			if (*s == 'u') {
				if (e - s < 5 || !hexd(s[1]) || !hexd(s[2]) || !hexd(s[3]) || !hexd(s[4]))
					return NULL;
				s += 4;
			} else if (!strchr("\"\\/bfnrt", *s)) {
				return NULL;
			}
		}
	}
	return NULL;
}

static const char *
scan_num(const char *s, const char *e)
{
	if (s < e && *s == '-')
		s++;
	if (s >= e || *s < '0' || *s > '9')
		return NULL;
	if (*s == '0')
		s++;
	else
		while (s < e && *s >= '0' && *s <= '9')
			s++;
	if (s < e && *s == '.') {
		if (++s >= e || *s < '0' || *s > '9')
			return NULL;
		while (s < e && *s >= '0' && *s <= '9')
			s++;
	}
	if (s < e && (*s == 'e' || *s == 'E')) {
		s++;
		if (s < e && (*s == '+' || *s == '-'))
			s++;
		if (s >= e || *s < '0' || *s > '9')
			return NULL;
		while (s < e && *s >= '0' && *s <= '9')
			s++;
	}
	return s;
}

static const char *
skip_ws(const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++;
	return s;
}

int
dj_parse(struct dj *d, const char *buf, size_t len)
{
	const char *s = buf, *e = buf + len, *q;
	int stack[DJ_DEPTH], depth = 0, want_key = 0, tk;

	d->n = 0;
	d->buf = buf;
	if (len >= UINT32_MAX)
		return -1;
	for (;;) {
		/* a value (or, in an object, a key and its colon then a value) */
		s = skip_ws(s, e);
		if (s >= e)
			return -1;
		if (want_key) {
			if (*s != '"' || !(q = scan_str(s, e)) || (tk = dj_push(d, DJ_STR, s + 1, buf)) < 0)
				return -1;
			d->t[tk].len = (uint32_t)(q - s - 2);
			d->t[tk].next = d->n;
			d->t[stack[depth - 1]].size++;
			s = skip_ws(q, e);
			if (s >= e || *s != ':')
				return -1;
			s = skip_ws(s + 1, e);
			if (s >= e)
				return -1;
			want_key = 0;
		} else if (depth) {
			d->t[stack[depth - 1]].size += d->t[stack[depth - 1]].type == DJ_ARR;
		}
		if (*s == '{' || *s == '[') {
			if (depth == DJ_DEPTH || (tk = dj_push(d, *s == '{' ? DJ_OBJ : DJ_ARR, s, buf)) < 0)
				return -1;
			stack[depth++] = tk;
			s = skip_ws(s + 1, e);
			if (s < e && (*s == '}' || *s == ']')) {
				if ((*s == '}') != (d->t[tk].type == DJ_OBJ))
					return -1;
				d->t[tk].len = (uint32_t)(s + 1 - buf) - d->t[tk].off;
				d->t[tk].next = d->n;
				depth--;
				s++;
				goto after_value;
			}
			want_key = d->t[tk].type == DJ_OBJ;
			continue;
		}
		if (*s == '"') {
			if (!(q = scan_str(s, e)) || (tk = dj_push(d, DJ_STR, s + 1, buf)) < 0)
				return -1;
			d->t[tk].len = (uint32_t)(q - s - 2);
		} else if (*s == '-' || (*s >= '0' && *s <= '9')) {
			if (!(q = scan_num(s, e)) || (tk = dj_push(d, DJ_NUM, s, buf)) < 0)
				return -1;
			d->t[tk].len = (uint32_t)(q - s);
		} else {
			static const struct { const char *w; enum dj_type t; } lit[] = {
				{"true", DJ_TRUE}, {"false", DJ_FALSE}, {"null", DJ_NULL},
			};
			size_t i;
			for (i = 0; i < 3; i++)
				if ((size_t)(e - s) >= strlen(lit[i].w) && memcmp(s, lit[i].w, strlen(lit[i].w)) == 0)
					break;
			if (i == 3 || (tk = dj_push(d, lit[i].t, s, buf)) < 0)
				return -1;
			q = s + strlen(lit[i].w);
			d->t[tk].len = (uint32_t)(q - s);
		}
		d->t[tk].next = d->n;
		s = q;
after_value:
		/* close what ends here, then a comma or the end */
		for (;;) {
			s = skip_ws(s, e);
			if (depth == 0)
				return s == e ? 0 : -1;
			if (s >= e)
				return -1;
			if (*s == ',') {
				s++;
				want_key = d->t[stack[depth - 1]].type == DJ_OBJ;
				break;
			}
			if (*s != (d->t[stack[depth - 1]].type == DJ_OBJ ? '}' : ']'))
				return -1;
			tk = stack[--depth];
			d->t[tk].len = (uint32_t)(s + 1 - buf) - d->t[tk].off;
			d->t[tk].next = d->n;
			s++;
		}
	}
}

void
dj_free(struct dj *d)
{
	free(d->t);
	d->t = NULL;
	d->n = d->cap = 0;
}

int
dj_get(const struct dj *d, int obj, const char *key)
{
	size_t kl = strlen(key);

	if (obj < 0 || d->t[obj].type != DJ_OBJ)
		return -1;
	for (uint32_t i = (uint32_t)obj + 1, k = 0; k < d->t[obj].size; k++) {
		const struct dj_tok *t = &d->t[i];
		uint32_t v = t->next;
		if (t->len == kl && memcmp(d->buf + t->off, key, kl) == 0)
			return (int)v;
		i = d->t[v].next;
	}
	return -1;
}

int
dj_child(const struct dj *d, int arr, uint32_t idx)
{
	uint32_t i;

	if (arr < 0 || d->t[arr].type != DJ_ARR || idx >= d->t[arr].size)
		return -1;
	i = (uint32_t)arr + 1;
	while (idx--)
		i = d->t[i].next;
	return (int)i;
}

int
dj_is(const struct dj *d, int t, const char *lit)
{
	size_t n = strlen(lit);

	return t >= 0 && d->t[t].type == DJ_STR && d->t[t].len == n && memcmp(d->buf + d->t[t].off, lit, n) == 0;
}

int
dj_int(const struct dj *d, int t, int64_t *out)
{
	const char *s;
	uint32_t n, i = 0;
	int neg = 0;
	int64_t v = 0;

	if (t < 0 || d->t[t].type != DJ_NUM)
		return -1;
	s = d->buf + d->t[t].off;
	n = d->t[t].len;
	if (s[0] == '-')
		neg = i = 1;
	if (n - i == 0 || n - i > 18)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = neg ? -v : v;
	return 0;
}
