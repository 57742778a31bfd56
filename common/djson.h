/*
 * djson.h - a small exact JSON reader: one pass over a text into a flat
 * array of tokens that point into it, so numbers and decimal strings keep
 * their exact digits (jansson turns numbers into doubles) and nothing is
 * allocated per value (the token array grows with the text and is kept for
 * the next one: dj_free releases it).
 *
 * The whole grammar is checked (RFC 8259 strings with valid escapes and no
 * control characters, numbers, literals, nesting at most 64, nothing but
 * whitespace after the value).  Strings are not unescaped: a caller comparing
 * a key or a name with escapes in it simply does not find it.  Duplicate
 * keys: the first wins.  Used by feedd (Deribit frames, parse_deribit.c) and
 * mpctl (book messages for the heatmap, heat.c).
 */
#ifndef MP_DJSON_H
#define MP_DJSON_H
#include <stddef.h>
#include <stdint.h>

enum dj_type { DJ_OBJ = 1, DJ_ARR, DJ_STR, DJ_NUM, DJ_TRUE, DJ_FALSE, DJ_NULL };
struct dj_tok {
	uint8_t type;         /* enum dj_type */
	uint32_t off, len;    /* text in the frame (strings: inside the quotes, raw) */
	uint32_t size;        /* objects: keys; arrays: items */
	uint32_t next;        /* the token after this value and everything in it */
};
struct dj {
	const char *buf;
	struct dj_tok *t;     /* t[0] is the frame's value; a key's value follows it */
	uint32_t n, cap;
};
/* Tokenise buf (the whole grammar is checked): 0, or -1 if it is not one JSON value. */
int dj_parse(struct dj *d, const char *buf, size_t len);
void dj_free(struct dj *d);
/* The value of key in object obj / item idx of array arr, or -1 (also when
 * obj / arr is -1 or not an object / array, so lookups chain). */
int dj_get(const struct dj *d, int obj, const char *key);
int dj_child(const struct dj *d, int arr, uint32_t idx);
/* Token t is the string lit. */
int dj_is(const struct dj *d, int t, const char *lit);
/* Token t is an integer (at most 18 digits): 0, else -1. */
int dj_int(const struct dj *d, int t, int64_t *out);

#endif
