/*
 * cfg_check.c - value checks the key tables name (cfg_schemas.h), so every
 * program refuses the same bad value at load time with file, line, section
 * and key, not only the one program that happens to use it later.
 */
#include "cfg_schemas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "log.h"

#define RING_MIN_CAPACITY (64 << 10)   /* ring.h: capacity >= 64 KiB */

/* text is one of the words of the NULL-terminated list (case as written). */
static int
one_of(const char *text, const char *const *words, char *why, size_t whylen)
{
	char list[160] = "";
	size_t n = 0;

	for (int i = 0; words[i]; i++) {
		if (strcmp(text, words[i]) == 0)
			return 0;
		n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i == 0 ? "" : words[i + 1] ? ", " : " or ",
		    words[i]);
		if (n >= sizeof list)
			n = sizeof list - 1;
	}
	return err_set(why, whylen, "expected %s", list);
}

int
cfg_prefix_ok(const char *p)
{
	if (!*p || strcmp(p, ".") == 0 || strcmp(p, "..") == 0 || strlen(p) > 64)
		return 0;
	for (; *p; p++)
		if (*p == '/' || (unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			return 0;
	return 1;
}

int
cfg_check_prefix(const char *text, int64_t v, char *why, size_t whylen)
{
	(void)v;
	if (!*text || cfg_prefix_ok(text))
		return 0;
	return err_set(why, whylen, "expected one directory name under /dev/shm (printable, at most 64 "
	    "characters, no '/', not . or ..)");
}

int
cfg_check_log_level(const char *text, int64_t v, char *why, size_t whylen)
{
	(void)v;
	if (log_level_parse(text) >= 0)
		return 0;
	return err_set(why, whylen, "expected debug, info, warn or error");
}

int
cfg_check_ring_capacity(const char *text, int64_t v, char *why, size_t whylen)
{
	(void)text;
	if (v == 0 || (v >= RING_MIN_CAPACITY && (v & (v - 1)) == 0))
		return 0;
	return err_set(why, whylen, "expected 0 (built-in) or a power of two of at least 64KiB");
}

int
cfg_check_ring_policy(const char *text, int64_t v, char *why, size_t whylen)
{
	static const char *const w[] = {"block", "drop", NULL};

	(void)v;
	return *text ? one_of(text, w, why, whylen) : 0;
}

int
cfg_check_severity(const char *text, int64_t v, char *why, size_t whylen)
{
	static const char *const w[] = {"info", "warning", "error", "critical", NULL};

	(void)v;
	return one_of(text, w, why, whylen);
}

int
cfg_check_storage(const char *text, int64_t v, char *why, size_t whylen)
{
	static const char *const w[] = {"file", "memory", NULL};

	(void)v;
	return one_of(text, w, why, whylen);
}

int
cfg_check_legacy_update(const char *text, int64_t v, char *why, size_t whylen)
{
	static const char *const w[] = {"all", "deltas", "none", NULL};

	(void)v;
	return one_of(text, w, why, whylen);
}

/* "venue:SYMBOL": a venue name, ':', a symbol, no spaces inside */
static int
basis_ref_ok(const char *p, size_t n)
{
	const char *c = memchr(p, ':', n);

	if (!c || c == p || c + 1 == p + n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] == ' ' || p[i] == '\t' || p[i] == '=' || (p + i != c && p[i] == ':'))
			return 0;
	return 1;
}

int
cfg_check_ml_basis_spot(const char *text, int64_t v, char *why, size_t whylen)
{
	const char *p = text;

	(void)v;
	while (*p) {
		size_t k = strcspn(p, ","), a = 0, b = k;
		const char *eq;

		while (a < b && (p[a] == ' ' || p[a] == '\t'))
			a++;
		while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
			b--;
		if (b > a) {
			size_t l = 0, r = 0;
			const char *rs = NULL;

			if ((eq = memchr(p + a, '=', b - a))) {
				l = (size_t)(eq - (p + a));
				rs = eq + 1;
				r = (size_t)(p + b - rs);
				while (l && (p[a + l - 1] == ' ' || p[a + l - 1] == '\t'))
					l--;
				while (r && (*rs == ' ' || *rs == '\t'))
					rs++, r--;
			}
			if (!eq || !basis_ref_ok(p + a, l) ||
			    !((r == 4 && !strncmp(rs, "none", 4)) || basis_ref_ok(rs, r))) {
				snprintf(why, whylen, "'%.*s': expected venue:SYMBOL=venue:SYMBOL or venue:SYMBOL=none",
				    (int)(b - a), p + a);
				return -1;
			}
		}
		p += k + (p[k] == ',');
	}
	return 0;
}

int
cfg_check_ml_features(const char *text, int64_t v, char *why, size_t whylen)
{
	static const char *const w[] = {"price", "volume", "micro", "liquidity", "all", "heatmap", "depth_image", "delta_flow",
	    "market", NULL};
	char item[32];
	const char *p = text;
	int n = 0;

	(void)v;
	while (*p) {
		size_t k = strcspn(p, ","), a = 0, b = k;

		while (a < b && (p[a] == ' ' || p[a] == '\t'))
			a++;
		while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
			b--;
		snprintf(item, sizeof item, "%.*s", (int)(b - a), p + a);
		if (one_of(item, w, why, whylen) < 0)
			return -1;
		n++;
		p += k;
		if (*p == ',')
			p++;
	}
	if (!n) {
		snprintf(why, whylen, "empty: name at least one of price, volume, micro, liquidity, all, heatmap, "
		    "depth_image, delta_flow, market");
		return -1;
	}
	return 0;
}

int
cfg_check_ch_schema(const char *text, int64_t v, char *why, size_t whylen)
{
	static const char *const w[] = {"auto", "modern", "legacy", NULL};

	(void)v;
	return one_of(text, w, why, whylen);
}

int
cfg_check_ch_compression(const char *text, int64_t v, char *why, size_t whylen)
{
	static const char *const w[] = {"auto", "zstd", "gzip", "none", NULL};

	(void)v;
	return one_of(text, w, why, whylen);
}

/*
 * One server of a NATS URL list: [nats|tls|ws|wss]://[user[:pass]@]host[:port],
 * the port 1..65535 when given (nats.c assumes 4222 without one).  nats.c
 * itself accepts nats://h:99999 and fails only at connect time, far from the
 * config line.
 */
static int
nats_server_ok(const char *s, size_t n, char *why, size_t whylen)
{
	static const char *const schemes[] = {"nats://", "tls://", "ws://", "wss://"};
	const char *p = NULL, *end = s + n, *at, *colon, *host;
	char item[256];

	snprintf(item, sizeof item, "%.*s", (int)(n < 200 ? n : 200), s);
	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (n > strlen(schemes[i]) && strncasecmp(s, schemes[i], strlen(schemes[i])) == 0)
			p = s + strlen(schemes[i]);
	if (!p)
		return err_set(why, whylen, "%s: expected nats://HOST:PORT (or tls://, ws://, wss://)", item);
	at = memchr(p, '@', (size_t)(end - p));
	host = at ? at + 1 : p;
	/* the port is after the last ':' that follows an IPv6 literal's ']' */
	colon = NULL;
	for (const char *q = host; q < end; q++)
		if (*q == ':')
			colon = q;
		else if (*q == ']')
			colon = NULL;
	if ((colon ? colon : end) == host)
		return err_set(why, whylen, "%s: no host", item);
	if (colon) {
		long port = 0;
		const char *q = colon + 1;

		if (q == end)
			return err_set(why, whylen, "%s: empty port", item);
		for (; q < end && *q != '/'; q++) {
			if (*q < '0' || *q > '9' || port > 65535)
				return err_set(why, whylen, "%s: port is not a number 1..65535", item);
			port = port * 10 + (*q - '0');
		}
		if (port < 1 || port > 65535)
			return err_set(why, whylen, "%s: port is not a number 1..65535", item);
	}
	return 0;
}

int
cfg_check_nats_url(const char *text, int64_t v, char *why, size_t whylen)
{
	const char *p = text;

	(void)v;
	/* the same separators routerd splits at (natsc.c) */
	while (*p) {
		size_t n;

		p += strspn(p, ", \t");
		n = strcspn(p, ", \t");
		if (n && nats_server_ok(p, n, why, whylen) < 0)
			return -1;
		p += n;
	}
	return 0;
}
