/* ch_http.c - ClickHouse's HTTP interface through libcurl, with compressed bodies. */
#include "ch_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <zlib.h>
#include <zstd.h>

struct ch_http {
	CURL *curl;
	char *url;
	char user[128], password[256];
	long timeout_ms;
	struct ch_buf resp, body;
	char exc_code[32];
};

static size_t
on_data(char *p, size_t sz, size_t n, void *arg)
{
	struct ch_http *h = arg;

	/* Keep at most 64 KiB of an answer: enough for any error text. */
	if (h->resp.len < 65536)
		ch_put(&h->resp, p, sz * n);
	return sz * n;
}

static size_t
on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct ch_http *h = arg;
	size_t len = sz * n;
	static const char key[] = "x-clickhouse-exception-code:";

	/* Servers since 2020 flag an error here even when the status is 200. */
	if (len > sizeof key - 1 && !strncasecmp(p, key, sizeof key - 1)) {
		size_t k = sizeof key - 1, o = 0;
		while (k < len && (p[k] == ' ' || p[k] == '\t'))
			k++;
		while (k < len && o + 1 < sizeof h->exc_code && p[k] != '\r' && p[k] != '\n')
			h->exc_code[o++] = p[k++];
		h->exc_code[o] = 0;
	}
	return len;
}

struct ch_http *
ch_http_new(const char *url, const char *user, const char *password, long timeout_ms)
{
	static int inited;
	struct ch_http *h;

	if (!inited) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		inited = 1;
	}
	h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->curl = curl_easy_init();
	h->url = strdup(url);
	if (!h->curl || !h->url) {
		ch_http_free(h);
		return NULL;
	}
	/* The base URL without a trailing slash. */
	while (*h->url && h->url[strlen(h->url) - 1] == '/')
		h->url[strlen(h->url) - 1] = 0;
	snprintf(h->user, sizeof h->user, "%s", user ? user : "");
	snprintf(h->password, sizeof h->password, "%s", password ? password : "");
	h->timeout_ms = timeout_ms;
	return h;
}

void
ch_http_free(struct ch_http *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	free(h->url);
	ch_buf_free(&h->resp);
	ch_buf_free(&h->body);
	free(h);
}

static int
gzip_body(struct ch_buf *out, const void *in, size_t len)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof z);
	/* windowBits 15 + 16: a gzip wrapper, which every ClickHouse accepts. */
	if (deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	ch_buf_reset(out);
	ch_put(out, "", 0);
	if (out->cap < deflateBound(&z, len) + 64) {
		void *p = realloc(out->p, deflateBound(&z, len) + 64);
		if (!p) {
			deflateEnd(&z);
			return -1;
		}
		out->p = p;
		out->cap = deflateBound(&z, len) + 64;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out->p;
	z.avail_out = (uInt)out->cap;
	rc = deflate(&z, Z_FINISH);
	out->len = z.total_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

static int
zstd_body(struct ch_buf *out, const void *in, size_t len)
{
	size_t bound = ZSTD_compressBound(len), n;

	ch_buf_reset(out);
	if (out->cap < bound) {
		void *p = realloc(out->p, bound);
		if (!p)
			return -1;
		out->p = p;
		out->cap = bound;
	}
	n = ZSTD_compress(out->p, out->cap, in, len, 3);
	if (ZSTD_isError(n))
		return -1;
	out->len = n;
	return 0;
}

int
ch_http_query(struct ch_http *h, const char *query, const char *extra, const void *body,
    size_t len, const char *encoding, const char **resp, int *retry, char *err, size_t errlen)
{
	struct curl_slist *hdrs = NULL;
	char *q, *url, hb[512];
	const void *send = body;
	size_t send_len = len, ul;
	long status = 0;
	CURLcode rc;
	int ret = -1;

	*retry = 1;
	ch_buf_reset(&h->resp);
	h->exc_code[0] = 0;
	if (body && encoding && *encoding) {
		int c = !strcmp(encoding, "zstd") ? zstd_body(&h->body, body, len) :
		    !strcmp(encoding, "gzip") ? gzip_body(&h->body, body, len) : -2;
		if (c == -2) {
			snprintf(err, errlen, "unknown body encoding %s", encoding);
			*retry = 0;
			return -1;
		}
		if (c < 0) {
			snprintf(err, errlen, "cannot compress the body (%s)", encoding);
			return -1;
		}
		send = h->body.p;
		send_len = h->body.len;
	}
	q = curl_easy_escape(h->curl, query, 0);
	if (!q) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ul = strlen(h->url) + strlen(q) + (extra ? strlen(extra) : 0) + 32;
	url = malloc(ul);
	if (!url) {
		curl_free(q);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(url, ul, "%s/?query=%s%s", h->url, q, extra ? extra : "");
	curl_free(q);
	curl_easy_reset(h->curl);
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, send ? send : "");
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(send ? send_len : 0));
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, h->timeout_ms < 5000 ? h->timeout_ms : 5000L);
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	/* No "Expect: 100-continue" round trip before big bodies. */
	hdrs = curl_slist_append(hdrs, "Expect:");
	hdrs = curl_slist_append(hdrs, "Content-Type: application/octet-stream");
	if (*h->user) {
		snprintf(hb, sizeof hb, "X-ClickHouse-User: %s", h->user);
		hdrs = curl_slist_append(hdrs, hb);
	}
	if (*h->password) {
		snprintf(hb, sizeof hb, "X-ClickHouse-Key: %s", h->password);
		hdrs = curl_slist_append(hdrs, hb);
	}
	if (send != body) {
		snprintf(hb, sizeof hb, "Content-Encoding: %s", encoding);
		hdrs = curl_slist_append(hdrs, hb);
	}
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdrs);
	rc = curl_easy_perform(h->curl);
	ch_put(&h->resp, "", 1);   /* NUL-terminate */
	h->resp.len--;
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status / 100 == 2 && !h->exc_code[0]) {
		ret = 0;
		goto out;
	}
	{
		/* The first line of the server's text says what went wrong. */
		char first[400];
		size_t k = 0;
		const char *r = h->resp.p ? (const char *)h->resp.p : "";
		while (r[k] && r[k] != '\n' && k + 1 < sizeof first) {
			first[k] = r[k];
			k++;
		}
		first[k] = 0;
		snprintf(err, errlen, "HTTP %ld%s%s: %s", status, h->exc_code[0] ? " exception " : "",
		    h->exc_code, first);
	}
	/* 4xx: the request itself is wrong (schema, data); repeating it cannot help. */
	*retry = !(status >= 400 && status < 500 && status != 408 && status != 429);
out:
	*resp = h->resp.p ? (const char *)h->resp.p : "";
	curl_slist_free_all(hdrs);
	free(url);
	return ret;
}
