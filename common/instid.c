/* instid.c - OKX-style instrument id shapes; see instid.h. */
#include "instid.h"

#include <string.h>

int
instid_is_derivative(const char *id)
{
	const char *d1 = strchr(id, '-');

	return d1 && strchr(d1 + 1, '-') != NULL;
}

int
instid_is_swap(const char *id)
{
	size_t n = strlen(id);

	return instid_is_derivative(id) && n > 5 && strcmp(id + n - 5, "-SWAP") == 0;
}

size_t
instid_underlying(const char *id, char *buf, size_t cap)
{
	const char *d1 = strchr(id, '-'), *d2 = d1 ? strchr(d1 + 1, '-') : NULL;
	size_t n;

	if (!d2 || (n = (size_t)(d2 - id)) + 1 > cap)
		return 0;
	memcpy(buf, id, n);
	buf[n] = 0;
	return n;
}

const char *
instid_type(const char *id)
{
	int dashes = 0;

	for (const char *p = id; *p; p++)
		dashes += *p == '-';
	if (!instid_is_derivative(id))
		return "SPOT";
	if (instid_is_swap(id))
		return "SWAP";
	return dashes >= 4 ? "OPTION" : "FUTURES";
}
