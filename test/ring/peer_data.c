/* peer_data.c - see peer_data.h. */
#include "peer_data.h"

#include <string.h>

uint64_t
peer_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint32_t
peer_size(uint64_t seq, uint32_t max)
{
	uint64_t h = peer_mix(seq);
	uint32_t hi = max < PEER_MIN ? PEER_MIN : max;
	uint32_t small = hi < 128 ? hi : 128;

	if ((h & 15) == 0)
		return PEER_MIN + (uint32_t)((h >> 8) % (hi - PEER_MIN + 1));
	return PEER_MIN + (uint32_t)((h >> 8) % (small - PEER_MIN + 1));
}

static uint64_t
word(uint64_t seq, size_t i)
{
	return i == 0 ? seq : seq * 0x9e3779b97f4a7c15ULL + i * 0x2545f4914f6cdd1dULL;
}

void
peer_fill(uint64_t seq, void *buf, uint32_t len)
{
	unsigned char *b = buf;
	size_t i, n = len / 8;

	for (i = 0; i < n; i++) {
		uint64_t w = word(seq, i);
		memcpy(b + i * 8, &w, 8);
	}
	if (len % 8) {
		uint64_t w = word(seq, n);
		memcpy(b + n * 8, &w, len % 8);
	}
}

size_t
peer_check(uint64_t seq, const void *buf, uint32_t len)
{
	const unsigned char *b = buf;
	size_t i, n = len / 8;

	for (i = 0; i < n; i++) {
		uint64_t w = word(seq, i), got;
		memcpy(&got, b + i * 8, 8);
		if (got != w)
			return i * 8 + 1;
	}
	if (len % 8) {
		uint64_t w = word(seq, n);
		if (memcmp(b + n * 8, &w, len % 8) != 0)
			return n * 8 + 1;
	}
	return 0;
}
