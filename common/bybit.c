/* bybit.c - Bybit markets by name and path; see bybit.h. */
#include "bybit.h"

#include <stdio.h>
#include <string.h>

#include "venue.h"

static const char *const names[BYBIT_NMARKETS] = {"spot", "linear", "inverse"};

enum bybit_market
bybit_market_of(const char *canon)
{
	const char *d1 = strchr(canon, '-'), *d2 = d1 ? strchr(d1 + 1, '-') : NULL;

	if (!d2)
		return BYBIT_SPOT;
	/* inverse contracts are margined in the base coin and quoted in USD */
	if (d2 - d1 - 1 == 3 && strncmp(d1 + 1, "USD", 3) == 0)
		return BYBIT_INVERSE;
	return BYBIT_LINEAR;
}

const char *
bybit_market_name(enum bybit_market m)
{
	return (unsigned)m < BYBIT_NMARKETS ? names[m] : "?";
}

int
bybit_market_of_path(const char *path)
{
	static const char pre[] = "/v5/public/";
	size_t n;

	if (!path || strncmp(path, pre, sizeof pre - 1) != 0)
		return -1;
	path += sizeof pre - 1;
	n = strcspn(path, "?");
	for (int m = 0; m < BYBIT_NMARKETS; m++)
		if (strlen(names[m]) == n && strncmp(path, names[m], n) == 0)
			return m;
	return -1;
}

/* "27DEC24" -> "241227"; -1 if not a date. */
static int
yymmdd(const char *s, size_t n, char *out)
{
	static const char mon[] = "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC";

	if (n != 7 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[5] < '0' || s[5] > '9' || s[6] < '0' || s[6] > '9')
		return -1;
	for (int m = 0; m < 12; m++)
		if (strncmp(s + 2, mon + 3 * m, 3) == 0) {
			out[0] = s[5];
			out[1] = s[6];
			out[2] = (char)('0' + (m + 1) / 10);
			out[3] = (char)('0' + (m + 1) % 10);
			out[4] = s[0];
			out[5] = s[1];
			out[6] = 0;
			return 0;
		}
	return -1;
}

int
bybit_canon_of(enum bybit_market m, const char *vsym, size_t len, char *out, size_t cap)
{
	const struct venue *v = venue_get(EX_BYBIT);
	const char *dash = memchr(vsym, '-', len);
	char date[8], back[32];
	int rc = -1;

	if (len == 0 || len >= 32)
		return -1;
	if (m == BYBIT_SPOT) {
		rc = dash ? -1 : venue_split_joined(vsym, len, NULL, out, cap);
	} else if (m == BYBIT_INVERSE) {
		rc = !dash && len > 3 && strncmp(vsym + len - 3, "USD", 3) == 0 ?
		    (snprintf(out, cap, "%.*s-USD-SWAP", (int)(len - 3), vsym) < (int)cap ? 0 : -1) : -1;
	} else if (dash) {
		size_t bl = (size_t)(dash - vsym);
		if (yymmdd(dash + 1, len - bl - 1, date) == 0) {
			/* BTC-27DEC24 is USDC; BTCUSDT-27DEC24 names its quote */
			rc = venue_split_joined(vsym, bl, date, out, cap);
			if (rc < 0)
				rc = snprintf(out, cap, "%.*s-USDC-%s", (int)bl, vsym, date) < (int)cap ? 0 : -1;
		}
	} else if (len > 4 && strncmp(vsym + len - 4, "PERP", 4) == 0) {
		rc = snprintf(out, cap, "%.*s-USDC-SWAP", (int)(len - 4), vsym) < (int)cap ? 0 : -1;
	} else {
		rc = venue_split_joined(vsym, len, "SWAP", out, cap);
	}
	/* only a name that maps back to the same venue id on the same market */
	if (rc < 0 || !v || venue_symbol(v, out, back, sizeof back) < 0 || strlen(back) != len ||
	    strncmp(back, vsym, len) != 0 || bybit_market_of(out) != m)
		return -1;
	return 0;
}
