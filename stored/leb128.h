/*
 * leb128.h - unsigned LEB128 (7 bits a byte, high bit = more), the varint of
 * both the store's column codec and ClickHouse RowBinary string lengths.
 */
#ifndef MP_STORED_LEB128_H
#define MP_STORED_LEB128_H

#include <stddef.h>
#include <stdint.h>

#define LEB128_MAX 10

/* Encode v into out (LEB128_MAX bytes of room); returns the length. */
static inline size_t
leb128_put(uint64_t v, unsigned char out[LEB128_MAX])
{
	size_t n = 0;

	do {
		out[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			out[n] |= 0x80;
		n++;
	} while (v);
	return n;
}

#endif
