/*
 * chdb_http - TEST ONLY: a minimal ClickHouse HTTP interface over libchdb
 * (a modern ClickHouse engine as a C library, from npm), so the sink's HTTP
 * path can be tested against the modern schema (DateTime64, codecs,
 * LowCardinality, insert_deduplication_token) on a machine that can only
 * install Debian's ClickHouse 18.16.
 *
 * What it speaks: HTTP/1.1 POST/GET on 127.0.0.1:PORT, one request per
 * connection (Connection: close, so a client's idle connection never blocks
 * another);
 * ?query=... (plus the body appended, as ClickHouse does), any other URL
 * parameter is a setting (passed as SETTINGS on INSERT); a body with
 * Content-Encoding zstd or gzip; "INSERT ... FORMAT F" + body goes through
 * chdb_stream_insert (binary-safe).  Errors: HTTP 500, the engine's text, and
 * X-ClickHouse-Exception-Code.  One request at a time.  Not a server to run
 * anything but tests on.
 *
 *   chdb_http --lib PATH/libchdb.so --path DATADIR --port N
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

typedef void *conn_t;
typedef void *result_t;
typedef void *istream_t;

static struct {
	conn_t *(*connect)(int, char **);
	result_t (*query_n)(conn_t, const char *, size_t, const char *, size_t);
	const char *(*result_error)(result_t);
	char *(*result_buffer)(result_t);
	size_t (*result_length)(result_t);
	void (*destroy_result)(result_t);
	istream_t (*stream_insert)(conn_t, const char *, const char *);
	int (*stream_append)(istream_t, const void *, size_t);
	result_t (*stream_done)(istream_t);
	const char *(*stream_insert_error)(istream_t);
	void (*destroy_insert)(istream_t);
	void (*signals)(int);
} C;

static conn_t conn;
static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

struct buf {
	char *p;
	size_t len, cap;
};

static void
put(struct buf *b, const void *v, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 4096;
		while (nc < b->len + n + 1)
			nc *= 2;
		b->p = realloc(b->p, nc);
		b->cap = nc;
	}
	memcpy(b->p + b->len, v, n);
	b->len += n;
	b->p[b->len] = 0;
}

static int
hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

static void
urldecode(const char *s, size_t n, struct buf *out)
{
	size_t i;

	out->len = 0;
	put(out, "", 0);
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%' && i + 2 < n + 0 + 1 && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		}
		put(out, &c, 1);
	}
}

static int
decode_body(const char *enc, struct buf *in, struct buf *out)
{
	out->len = 0;
	if (!enc || !*enc) {
		put(out, in->p ? in->p : "", in->len);
		return 0;
	}
	if (!strcasecmp(enc, "zstd")) {
		ZSTD_DCtx *d = ZSTD_createDCtx();
		ZSTD_inBuffer ib = { in->p, in->len, 0 };
		char tmp[1 << 16];
		size_t rc = 1;
		while (ib.pos < ib.size && rc) {
			ZSTD_outBuffer ob = { tmp, sizeof tmp, 0 };
			rc = ZSTD_decompressStream(d, &ob, &ib);
			if (ZSTD_isError(rc)) {
				ZSTD_freeDCtx(d);
				return -1;
			}
			put(out, tmp, ob.pos);
		}
		ZSTD_freeDCtx(d);
		return 0;
	}
	if (!strcasecmp(enc, "gzip")) {
		z_stream z;
		char tmp[1 << 16];
		int rc;
		memset(&z, 0, sizeof z);
		if (inflateInit2(&z, 31) != Z_OK)
			return -1;
		z.next_in = (Bytef *)in->p;
		z.avail_in = (uInt)in->len;
		do {
			z.next_out = (Bytef *)tmp;
			z.avail_out = sizeof tmp;
			rc = inflate(&z, Z_NO_FLUSH);
			if (rc != Z_OK && rc != Z_STREAM_END) {
				inflateEnd(&z);
				return -1;
			}
			put(out, tmp, sizeof tmp - z.avail_out);
		} while (rc != Z_STREAM_END);
		inflateEnd(&z);
		return 0;
	}
	return -1;
}

static void
reply(int fd, int status, const char *body, size_t len, const char *exc_code)
{
	char hdr[512];
	int n = snprintf(hdr, sizeof hdr, "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\n"
	    "Content-Type: text/tab-separated-values; charset=UTF-8\r\n"
	    "X-ClickHouse-Server-Display-Name: chdb-http-test\r\n%s%s%sConnection: close\r\n\r\n",
	    status, status == 200 ? "OK" : "Error", len, exc_code ? "X-ClickHouse-Exception-Code: " : "",
	    exc_code ? exc_code : "", exc_code ? "\r\n" : "");
	if (write(fd, hdr, (size_t)n) < 0 || (len && write(fd, body, len) < 0))
		return;
}

static void
reply_error(int fd, const char *msg)
{
	char code[16] = "1000";
	const char *c = strstr(msg, "Code: ");

	if (c)
		snprintf(code, sizeof code, "%d", atoi(c + 6));
	reply(fd, 500, msg, strlen(msg), code);
}

/* Execute one request: query text, settings (k=v&...), decoded body. */
static void
execute(int fd, const char *query, const char *settings, struct buf *body)
{
	const char *f = NULL, *p;
	char *q;

	/* INSERT ... FORMAT X with a body: stream it in (binary-safe). */
	if (!strncasecmp(query, "INSERT", 6) && body->len && (p = strcasestr(query, " FORMAT "))) {
		char fmt[64], *ins;
		istream_t st;
		result_t r;
		const char *e;
		sscanf(p + 8, "%63s", fmt);
		ins = malloc(strlen(query) + strlen(settings) + 32);
		memcpy(ins, query, (size_t)(p - query));
		ins[p - query] = 0;
		if (*settings) {
			strcat(ins, " SETTINGS ");
			strcat(ins, settings);
		}
		st = C.stream_insert(conn, ins, fmt);
		free(ins);
		e = C.stream_insert_error(st);
		if (!e && C.stream_append(st, body->p, body->len) != 0)
			e = C.stream_insert_error(st);
		if (e) {
			reply_error(fd, e);
			C.destroy_insert(st);
			return;
		}
		r = C.stream_done(st);
		e = r ? C.result_error(r) : "Code: 1000. no result";
		if (e)
			reply_error(fd, e);
		else
			reply(fd, 200, "", 0, NULL);
		if (r)
			C.destroy_result(r);
		C.destroy_insert(st);
		return;
	}
	/* Otherwise the body continues the query text. */
	q = malloc(strlen(query) + body->len + 2);
	strcpy(q, query);
	if (body->len) {
		strcat(q, "\n");
		memcpy(q + strlen(q), body->p, body->len + 1);
	}
	if (!strcasestr(q, " FORMAT "))
		f = "TabSeparated";
	{
		result_t r = C.query_n(conn, q, strlen(q), f ? f : "", f ? strlen(f) : 0);
		const char *e = r ? C.result_error(r) : "Code: 1000. no result";
		if (e)
			reply_error(fd, e);
		else
			reply(fd, 200, C.result_buffer(r), C.result_length(r), NULL);
		if (r)
			C.destroy_result(r);
	}
	free(q);
}

/* Serve one request and close. */
static void
serve(int fd)
{
	struct buf in = { 0 }, body = { 0 }, dec = { 0 }, query = { 0 }, settings = { 0 }, tmp = { 0 };
	char chunk[65536];

	for (;;) {
		char *eoh, method[16], target[1 << 16], enc[32] = "";
		size_t hlen, clen = 0;
		const char *h, *qs;
		ssize_t n;

		while (!(in.p && (eoh = strstr(in.p, "\r\n\r\n")))) {
			n = read(fd, chunk, sizeof chunk);
			if (n <= 0)
				goto done;
			put(&in, chunk, (size_t)n);
		}
		hlen = (size_t)(eoh - in.p) + 4;
		if (sscanf(in.p, "%15s %65535s", method, target) != 2)
			goto done;
		for (h = in.p; h && h < eoh; h = strstr(h, "\r\n")) {
			h += 2;
			if (!strncasecmp(h, "Content-Length:", 15))
				clen = (size_t)strtoull(h + 15, NULL, 10);
			else if (!strncasecmp(h, "Content-Encoding:", 17))
				sscanf(h + 17, " %31[^\r\n ]", enc);
			else if (!strncasecmp(h, "Transfer-Encoding:", 18)) {
				reply(fd, 411, "chunked bodies are not supported here\n", 38, "1000");
				goto done;
			}
		}
		while (in.len < hlen + clen) {
			n = read(fd, chunk, sizeof chunk);
			if (n <= 0)
				goto done;
			put(&in, chunk, (size_t)n);
		}
		body.len = 0;
		put(&body, in.p + hlen, clen);
		/* URL parameters: query=..., the rest are settings. */
		query.len = settings.len = 0;
		put(&query, "", 0);
		put(&settings, "", 0);
		qs = strchr(target, '?');
		while (qs && *qs) {
			const char *kv = qs + 1, *amp = strchr(kv, '&'), *eq;
			size_t kvlen = amp ? (size_t)(amp - kv) : strlen(kv);
			eq = memchr(kv, '=', kvlen);
			if (eq) {
				urldecode(eq + 1, kvlen - (size_t)(eq + 1 - kv), &tmp);
				if ((size_t)(eq - kv) == 5 && !strncmp(kv, "query", 5))
					put(&query, tmp.p, tmp.len);
				else if (!((size_t)(eq - kv) == 8 && !strncmp(kv, "database", 8))) {
					if (settings.len)
						put(&settings, ", ", 2);
					put(&settings, kv, (size_t)(eq - kv));
					put(&settings, " = '", 4);
					put(&settings, tmp.p, tmp.len);
					put(&settings, "'", 1);
				}
			}
			qs = amp;
		}
		if (decode_body(enc, &body, &dec) < 0) {
			reply_error(fd, "Code: 89. DB::Exception: Cannot decode the request body");
		} else if (!strcmp(target, "/ping")) {
			reply(fd, 200, "Ok.\n", 4, NULL);
		} else {
			execute(fd, query.p, settings.p, &dec);
		}
		break;
	}
done:
	free(in.p);
	free(body.p);
	free(dec.p);
	free(query.p);
	free(settings.p);
	free(tmp.p);
	close(fd);
}

#define SYM(field, name) do { *(void **)&C.field = dlsym(lib, name); \
	if (!C.field) { fprintf(stderr, "chdb_http: %s missing in the library\n", name); return 1; } } while (0)

int
main(int argc, char **argv)
{
	const char *libpath = NULL, *path = NULL;
	char patharg[1100], *cargv[4];
	struct sockaddr_in sa;
	struct sigaction act;
	void *lib;
	int port = 0, i, ls, one = 1;
	conn_t *cp;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--lib"))
			libpath = argv[i + 1];
		else if (!strcmp(argv[i], "--path"))
			path = argv[i + 1];
		else if (!strcmp(argv[i], "--port"))
			port = atoi(argv[i + 1]);
	}
	if (!libpath || !path || port <= 0) {
		fprintf(stderr, "usage: chdb_http --lib libchdb.so --path DATADIR --port N\n");
		return 2;
	}
	lib = dlopen(libpath, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "chdb_http: %s\n", dlerror());
		return 1;
	}
	SYM(connect, "chdb_connect");
	SYM(query_n, "chdb_query_n");
	SYM(result_error, "chdb_result_error");
	SYM(result_buffer, "chdb_result_buffer");
	SYM(result_length, "chdb_result_length");
	SYM(destroy_result, "chdb_destroy_query_result");
	SYM(stream_insert, "chdb_stream_insert");
	SYM(stream_append, "chdb_stream_append");
	SYM(stream_done, "chdb_stream_done");
	SYM(stream_insert_error, "chdb_stream_insert_error");
	SYM(destroy_insert, "chdb_destroy_insert_stream");
	SYM(signals, "chdb_set_signal_handlers_enabled");
	C.signals(0);
	snprintf(patharg, sizeof patharg, "--path=%s", path);
	cargv[0] = "chdb_http";
	cargv[1] = patharg;
	/* The daemon batches itself; keep inserts synchronous as on a server it configures. */
	cargv[2] = "--async_insert=0";
	cargv[3] = NULL;
	cp = C.connect(3, cargv);
	if (!cp || !*cp) {
		fprintf(stderr, "chdb_http: cannot open the engine at %s\n", path);
		return 1;
	}
	conn = *cp;
	memset(&act, 0, sizeof act);
	act.sa_handler = on_term;
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	signal(SIGPIPE, SIG_IGN);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 16) < 0) {
		fprintf(stderr, "chdb_http: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(errno));
		return 1;
	}
	fprintf(stderr, "chdb_http: listening on 127.0.0.1:%d\n", port);
	while (!stop) {
		int fd = accept(ls, NULL, NULL);
		if (fd < 0)
			continue;
		serve(fd);
	}
	close(ls);
	/* Process exit reaps the engine's threads (chdb.h: skipping shutdown is safe). */
	_exit(0);
}
