/* okx_crc.c - see okx_crc.h. */
#include "okx_crc.h"

#include <string.h>

#include "fx.h"

static uint32_t g_table[256];
static int g_table_ready;

static void
table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		g_table[i] = c;
	}
	g_table_ready = 1;
}

uint32_t
okx_crc32(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t c = 0xFFFFFFFFu;

	if (!g_table_ready)
		table_init();
	for (size_t i = 0; i < len; i++)
		c = g_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

/* Append "px:qty" of one level, with a ':' before it unless first. */
static int
put_level(const struct inst *in, const struct rec_level *l, char *buf, size_t cap, size_t *o)
{
	char px[FX_STR_MAX], qty[FX_STR_MAX];
	size_t np = inst_fmt_px(in, l->px, px, sizeof px);
	size_t nq = inst_fmt_qty(in, l->qty, qty, sizeof qty);
	size_t need = (*o ? 1 : 0) + np + 1 + nq;

	if (!np || !nq || *o + need + 1 > cap)
		return -1;
	if (*o)
		buf[(*o)++] = ':';
	memcpy(buf + *o, px, np);
	*o += np;
	buf[(*o)++] = ':';
	memcpy(buf + *o, qty, nq);
	*o += nq;
	buf[*o] = '\0';
	return 0;
}

size_t
okx_crc_string(const struct book *b, const struct inst *in, char *buf, size_t cap)
{
	size_t o = 0;

	if (cap)
		buf[0] = '\0';
	for (uint32_t i = 0; i < OKX_CRC_LEVELS; i++) {
		const struct rec_level *bid = book_level(b, BOOK_BID, i);
		const struct rec_level *ask = book_level(b, BOOK_ASK, i);
		if (!bid && !ask)
			break;
		if (bid && put_level(in, bid, buf, cap, &o) < 0)
			return 0;
		if (ask && put_level(in, ask, buf, cap, &o) < 0)
			return 0;
	}
	return o;
}

int32_t
okx_crc_book(const struct book *b, const struct inst *in)
{
	char s[4096];
	size_t n = okx_crc_string(b, in, s, sizeof s);

	return (int32_t)okx_crc32(s, n);
}
