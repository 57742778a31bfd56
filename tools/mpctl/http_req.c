/* http_req.c - request validation for mpctl's HTTP server; see http_req.h. */
#include "http_req.h"

#include <string.h>

/*
 * Can in[0..n) be the start of an HTTP request?  1 = the request line is
 * complete and well formed, 0 = so far so good, -1 = never will be: a method
 * of 1..16 upper-case letters, a space, a target of visible ASCII, a space,
 * "HTTP/1." and a digit, then CRLF or LF.  Garbage fails within its first
 * bytes, so it is answered at once instead of holding a slot.
 */
static int
reqline_check(const char *in, size_t n)
{
	static const char ver[] = "HTTP/1.";
	size_t i = 0, m = 0, t = 0, v = 0;

	for (; i < n && in[i] >= 'A' && in[i] <= 'Z'; i++)
		if (++m > 16)
			return -1;
	if (i == n)
		return 0;
	if (m == 0 || in[i++] != ' ')
		return -1;
	for (; i < n && in[i] > ' ' && in[i] < 0x7f; i++)
		t++;
	if (i == n)
		return 0;
	if (t == 0 || in[i++] != ' ')
		return -1;
	for (; i < n && v < sizeof ver - 1; i++, v++)
		if (in[i] != ver[v])
			return -1;
	if (i == n)
		return 0;
	if (in[i] < '0' || in[i] > '9')
		return -1;
	if (++i == n)
		return 0;
	if (in[i] == '\r' && ++i == n)
		return 0;
	return in[i] == '\n' ? 1 : -1;
}

/* Header bytes after the request line: no control characters but CR, LF, TAB. */
static int
headers_ok(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)p[i] < 0x20 && p[i] != '\r' && p[i] != '\n' && p[i] != '\t') || p[i] == 0x7f)
			return 0;
	return 1;
}

int
http_req_check(const char *in, size_t n)
{
	int rl = reqline_check(in, n);

	if (rl <= 0)
		return rl;
	if (!headers_ok(in, n))
		return -1;
	return strstr(in, "\r\n\r\n") || strstr(in, "\n\n") ? 1 : 0;
}
