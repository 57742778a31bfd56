/* url_safe.c - URLs without their passwords, for logs and status; see url_safe.h. */
#include "url_safe.h"

#include <string.h>

static void
put(char *buf, size_t cap, size_t *n, const char *s, size_t len)
{
	while (len-- && *n + 1 < cap)
		buf[(*n)++] = *s++;
	buf[*n] = 0;
}

const char *
url_safe(const char *url, char *buf, size_t cap)
{
	const char *p = url, *end, *auth, *at, *sep;
	size_t n = 0;

	if (!cap)
		return buf;
	buf[0] = 0;
	while (*p) {
		end = p + strcspn(p, ",");
		sep = strstr(p, "://");
		auth = sep && sep < end ? sep + 3 : p;
		/* userinfo ends at the last '@' before the path */
		at = NULL;
		for (const char *q = auth; q < end && *q != '/' && *q != '?' && *q != '#'; q++)
			if (*q == '@')
				at = q;
		if (at) {
			/* the user name too: [nats] user counts as a credential */
			put(buf, cap, &n, p, (size_t)(auth - p));
			put(buf, cap, &n, "***", 3);
			put(buf, cap, &n, at, (size_t)(end - at));
		} else
			put(buf, cap, &n, p, (size_t)(end - p));
		if (!*end)
			break;
		put(buf, cap, &n, ",", 1);
		p = end + 1;
	}
	return buf;
}
