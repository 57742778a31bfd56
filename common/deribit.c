/* deribit.c - Deribit names; see deribit.h. */
#include "deribit.h"

#include <stdio.h>
#include <string.h>

static const char mon[] = "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC";

static int
alnum_part(const char *s, size_t n)
{
	if (n == 0 || n > 12)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/* "240927" -> "27SEP24" (day without a leading zero); -1 if not a date. */
static int
date_out(const char *s, size_t n, char *out, size_t cap)
{
	int mm, dd, w;

	if (n != 6 || strspn(s, "0123456789") < 6)
		return -1;
	mm = (s[2] - '0') * 10 + (s[3] - '0');
	dd = (s[4] - '0') * 10 + (s[5] - '0');
	if (mm < 1 || mm > 12 || dd < 1 || dd > 31)
		return -1;
	w = snprintf(out, cap, "%d%.3s%.2s", dd, mon + 3 * (mm - 1), s);
	return w < 0 || (size_t)w >= cap ? -1 : 0;
}

/* "27SEP24" / "5JAN24" -> "240927"; -1 if not a date. */
static int
date_in(const char *s, size_t n, char *out)
{
	size_t d = 0;
	int dd = 0;

	while (d < n && d < 2 && s[d] >= '0' && s[d] <= '9')
		dd = dd * 10 + (s[d++] - '0');
	if (d == 0 || n != d + 5 || dd < 1 || dd > 31 || (d == 2 && s[0] == '0') ||
	    s[d + 3] < '0' || s[d + 3] > '9' || s[d + 4] < '0' || s[d + 4] > '9')
		return -1;
	for (int m = 0; m < 12; m++)
		if (memcmp(s + d, mon + 3 * m, 3) == 0) {
			out[0] = s[d + 3];
			out[1] = s[d + 4];
			out[2] = (char)('0' + (m + 1) / 10);
			out[3] = (char)('0' + (m + 1) % 10);
			out[4] = (char)('0' + dd / 10);
			out[5] = (char)('0' + dd % 10);
			out[6] = 0;
			return 0;
		}
	return -1;
}

/* Split canon at '-' into at most 4 parts; the count, or -1. */
static int
parts(const char *s, size_t len, const char *p[4], size_t n[4])
{
	int k = 0;
	const char *e = s + len;

	while (s <= e) {
		const char *d = memchr(s, '-', (size_t)(e - s));
		if (k == 4)
			return -1;
		p[k] = s;
		n[k] = d ? (size_t)(d - s) : (size_t)(e - s);
		k++;
		if (!d)
			break;
		s = d + 1;
	}
	return k;
}

int
deribit_kind_of(const char *canon)
{
	const char *p[4];
	size_t n[4];
	int k = parts(canon, strlen(canon), p, n);

	if (k == 3 && n[2] == 4 && memcmp(p[2], "SWAP", 4) == 0)
		return DERIBIT_PERPETUAL;
	if (k == 3)
		return DERIBIT_FUTURE;
	if (k == 4)
		return DERIBIT_OPTION;
	return -1;
}

int
deribit_symbol(const char *canon, char *out, size_t cap)
{
	const char *p[4];
	size_t n[4];
	char date[12];
	int k = parts(canon, strlen(canon), p, n), w;

	for (int i = 0; i < k; i++)
		if (!alnum_part(p[i], n[i]))
			return -1;
	if (k == 3 && n[2] == 4 && memcmp(p[2], "SWAP", 4) == 0) {
		/* USD perpetuals are inverse (BTC-PERPETUAL), others linear (BTC_USDC-PERPETUAL) */
		if (n[1] == 3 && memcmp(p[1], "USD", 3) == 0)
			w = snprintf(out, cap, "%.*s-PERPETUAL", (int)n[0], p[0]);
		else
			w = snprintf(out, cap, "%.*s_%.*s-PERPETUAL", (int)n[0], p[0], (int)n[1], p[1]);
	} else if (k == 3) {
		if (n[1] != 3 || memcmp(p[1], "USD", 3) != 0 || date_out(p[2], n[2], date, sizeof date) < 0)
			return -1;
		w = snprintf(out, cap, "%.*s-%s", (int)n[0], p[0], date);
	} else if (k == 4) {
		if (date_out(p[1], n[1], date, sizeof date) < 0 || n[3] != 1 || (p[3][0] != 'C' && p[3][0] != 'P') ||
		    strspn(p[2], "0123456789") < n[2])
			return -1;
		w = snprintf(out, cap, "%.*s-%s-%.*s-%c", (int)n[0], p[0], date, (int)n[2], p[2], p[3][0]);
	} else {
		return -1;
	}
	return w < 0 || (size_t)w >= cap ? -1 : 0;
}

int
deribit_canon_of(const char *vsym, size_t len, char *out, size_t cap)
{
	const char *p[4], *us;
	size_t n[4];
	char date[8], back[40];
	int k, w = -1;

	if (len == 0 || len >= 40)
		return -1;
	k = parts(vsym, len, p, n);
	if (k == 2 && n[1] == 9 && memcmp(p[1], "PERPETUAL", 9) == 0) {
		us = memchr(p[0], '_', n[0]);
		if (us)
			w = snprintf(out, cap, "%.*s-%.*s-SWAP", (int)(us - p[0]), p[0], (int)(n[0] - (size_t)(us - p[0]) - 1),
			    us + 1);
		else
			w = snprintf(out, cap, "%.*s-USD-SWAP", (int)n[0], p[0]);
	} else if (k == 2 && date_in(p[1], n[1], date) == 0) {
		w = snprintf(out, cap, "%.*s-USD-%s", (int)n[0], p[0], date);
	} else if (k == 4 && date_in(p[1], n[1], date) == 0) {
		w = snprintf(out, cap, "%.*s-%s-%.*s-%.*s", (int)n[0], p[0], date, (int)n[2], p[2], (int)n[3], p[3]);
	}
	if (w < 0 || (size_t)w >= cap)
		return -1;
	/* only a name that maps back to the same venue id */
	if (deribit_symbol(out, back, sizeof back) < 0 || strlen(back) != len || memcmp(back, vsym, len) != 0)
		return -1;
	return 0;
}
