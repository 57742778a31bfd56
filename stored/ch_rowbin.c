/* ch_rowbin.c - RowBinary encoding: little-endian fixed widths, LEB128 lengths. */
#include "ch_int.h"
#include "leb128.h"

#include <stdlib.h>
#include <string.h>

void
ch_buf_reset(struct ch_buf *b)
{
	b->len = 0;
	b->rows = 0;
	b->oom = 0;
}

void
ch_buf_free(struct ch_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

void
ch_put(struct ch_buf *b, const void *v, size_t n)
{
	if (b->oom || n == 0)
		return;
	if (b->len + n > b->cap) {
		size_t nc = b->cap ? b->cap : 65536;
		void *p;
		while (nc < b->len + n)
			nc *= 2;
		p = realloc(b->p, nc);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = nc;
	}
	memcpy(b->p + b->len, v, n);
	b->len += n;
}

/* The host is little-endian (rec.h refuses to build otherwise), as RowBinary is. */
void ch_u8(struct ch_buf *b, uint8_t v) { ch_put(b, &v, 1); }
void ch_u16(struct ch_buf *b, uint16_t v) { ch_put(b, &v, 2); }
void ch_u32(struct ch_buf *b, uint32_t v) { ch_put(b, &v, 4); }
void ch_i32(struct ch_buf *b, int32_t v) { ch_put(b, &v, 4); }
void ch_i64(struct ch_buf *b, int64_t v) { ch_put(b, &v, 8); }
void ch_u64(struct ch_buf *b, uint64_t v) { ch_put(b, &v, 8); }

void
ch_leb(struct ch_buf *b, uint64_t v)
{
	unsigned char tmp[LEB128_MAX];

	ch_put(b, tmp, leb128_put(v, tmp));
}

void
ch_str(struct ch_buf *b, const char *s, size_t n)
{
	ch_leb(b, n);
	ch_put(b, s, n);
}

void
ch_cstr(struct ch_buf *b, const char *s)
{
	ch_str(b, s, strlen(s));
}
