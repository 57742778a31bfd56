/* store_fmt.c - store format helpers: crc32c, record time, hour names, times. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Static_assert(sizeof(struct store_inst_disk) == 104, "store_inst_disk layout");
_Static_assert(sizeof(struct store_seg_hdr) == 96, "store_seg_hdr layout");
_Static_assert(sizeof(struct store_block_hdr) == 168, "store_block_hdr layout");
_Static_assert(sizeof(struct store_idx_hdr) == 16, "store_idx_hdr layout");
_Static_assert(sizeof(struct store_idx_ent) == 48, "store_idx_ent layout");
_Static_assert(sizeof(struct store_idx_tail) == 32, "store_idx_tail layout");

#define HOUR_NS (3600LL * 1000000000LL)

/* crc32c (Castagnoli), software slicing-by-8, with the SSE4.2 instruction
 * when the CPU has it (the store checksums every block it writes and reads). */
static uint32_t crc_tab[8][256];
static int crc_init_done;
static int crc_hw;

static void
crc_init(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c & 1) ? (c >> 1) ^ 0x82f63b78U : c >> 1;
		crc_tab[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (j = 1; j < 8; j++)
			crc_tab[j][i] = (crc_tab[j - 1][i] >> 8) ^ crc_tab[0][crc_tab[j - 1][i] & 0xff];
#if defined(__x86_64__)
	crc_hw = __builtin_cpu_supports("sse4.2");
#endif
	crc_init_done = 1;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t
crc_sse42(uint32_t crc, const unsigned char *p, size_t len)
{
	uint64_t c = crc;

	while (len >= 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		c = __builtin_ia32_crc32di(c, v);
		p += 8;
		len -= 8;
	}
	while (len--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	return (uint32_t)c;
}
#endif

uint32_t
store_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	if (!crc_init_done)
		crc_init();
	crc = ~crc;
#if defined(__x86_64__)
	if (crc_hw)
		return ~crc_sse42(crc, p, len);
#endif
	while (len >= 8) {
		uint32_t lo, hi;
		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
		lo ^= crc;
		crc = crc_tab[7][lo & 0xff] ^ crc_tab[6][(lo >> 8) & 0xff] ^
		    crc_tab[5][(lo >> 16) & 0xff] ^ crc_tab[4][lo >> 24] ^
		    crc_tab[3][hi & 0xff] ^ crc_tab[2][(hi >> 8) & 0xff] ^
		    crc_tab[1][(hi >> 16) & 0xff] ^ crc_tab[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = (crc >> 8) ^ crc_tab[0][(crc ^ *p++) & 0xff];
	return ~crc;
}

int64_t
store_rec_time(const struct rec_hdr *h)
{
	if (h->recv_ns > 0)
		return h->recv_ns;
	if (h->exch_ns > 0)
		return h->exch_ns;
	return h->stage_ns[STAGE_STORE];
}

int64_t
store_hour_start(int64_t t_ns)
{
	if (t_ns < 0)
		return 0;
	return t_ns - t_ns % HOUR_NS;
}

void
store_hour_name(int64_t t_ns, char *buf, size_t cap)
{
	time_t s = (time_t)(store_hour_start(t_ns) / 1000000000LL);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(buf, cap, "%04d%02d%02dT%02d", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour);
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int64_t
store_hour_parse(const char *name)
{
	unsigned y, mo, d, h;
	int n = 0;

	if (sscanf(name, "%4u%2u%2uT%2u%n", &y, &mo, &d, &h, &n) != 4 || n != 11)
		return -1;
	if (name[n] && strcmp(name + n, ".seg") != 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || y < 1970)
		return -1;
	return (days_from_civil(y, mo, d) * 24 + h) * HOUR_NS;
}

int64_t
store_time_parse(const char *s)
{
	unsigned y, mo, d, h = 0, mi = 0, sec = 0;
	int64_t frac = 0, scale = 100000000;
	const char *p;
	char *end;
	int n = 0;

	if (!s || !*s)
		return -1;
	if (strspn(s, "0123456789") == strlen(s)) {
		long long v = strtoll(s, &end, 10);
		return *end ? -1 : v;
	}
	if (sscanf(s, "%4u-%2u-%2u%n", &y, &mo, &d, &n) != 3)
		return -1;
	p = s + n;
	if (*p == 'T' || *p == ' ') {
		if (sscanf(p + 1, "%2u:%2u%n", &h, &mi, &n) != 2)
			return -1;
		p += 1 + n;
		if (*p == ':') {
			if (sscanf(p + 1, "%2u%n", &sec, &n) != 1)
				return -1;
			p += 1 + n;
			if (*p == '.') {
				for (p++; *p >= '0' && *p <= '9'; p++) {
					frac += (*p - '0') * scale;
					scale /= 10;
				}
			}
		}
	}
	if (*p == 'Z')
		p++;
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970)
		return -1;
	return ((days_from_civil(y, mo, d) * 24 + h) * 3600 + mi * 60 + sec) * 1000000000LL + frac;
}

void
store_time_fmt(int64_t t_ns, char *buf, size_t cap)
{
	time_t s = (time_t)(t_ns / 1000000000LL);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    (long long)(t_ns % 1000000000LL));
}

static uint64_t
fnv1a(uint64_t hsh, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len--) {
		hsh ^= *p++;
		hsh *= 0x100000001b3ULL;
	}
	return hsh;
}

uint64_t
store_rec_digest(const struct rec_hdr *h)
{
	struct rec_hdr c = *h;
	uint64_t x;

	c.stage_ns[STAGE_STORE] = 0;
	x = fnv1a(0xcbf29ce484222325ULL, &c, sizeof c);
	x = fnv1a(x, (const char *)h + sizeof c, h->len - sizeof c);
	/* Finalise (splitmix) so sums of many hashes stay well spread. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void
store_inst_to_disk(const struct inst *in, struct store_inst_disk *d)
{
	memset(d, 0, sizeof *d);
	d->id = in->id;
	d->exch = in->exch;
	d->px_exp = in->px_exp;
	d->qty_exp = in->qty_exp;
	d->px_dec = in->px_dec;
	d->qty_dec = in->qty_dec;
	memcpy(d->symbol, in->symbol, sizeof d->symbol);
	memcpy(d->venue_symbol, in->venue_symbol, sizeof d->venue_symbol);
	memcpy(d->lower, in->lower, sizeof d->lower);
	d->symbol[sizeof d->symbol - 1] = 0;
	d->venue_symbol[sizeof d->venue_symbol - 1] = 0;
	d->lower[sizeof d->lower - 1] = 0;
	d->tick = in->tick;
	d->lot = in->lot;
}

void
store_inst_from_disk(const struct store_inst_disk *d, struct inst *in)
{
	memset(in, 0, sizeof *in);
	in->id = d->id;
	in->exch = d->exch;
	in->px_exp = d->px_exp;
	in->qty_exp = d->qty_exp;
	in->px_dec = d->px_dec;
	in->qty_dec = d->qty_dec;
	memcpy(in->symbol, d->symbol, sizeof in->symbol);
	memcpy(in->venue_symbol, d->venue_symbol, sizeof in->venue_symbol);
	memcpy(in->lower, d->lower, sizeof in->lower);
	in->symbol[sizeof in->symbol - 1] = 0;
	in->venue_symbol[sizeof in->venue_symbol - 1] = 0;
	in->lower[sizeof in->lower - 1] = 0;
	in->tick = d->tick;
	in->lot = d->lot;
}
