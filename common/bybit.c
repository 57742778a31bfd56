/* bybit.c - Bybit markets by name and path; see bybit.h. */
#include "bybit.h"

#include <string.h>

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
