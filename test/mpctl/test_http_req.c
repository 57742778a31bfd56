/* test_http_req.c - mpctl's HTTP request check: complete, incomplete, garbage. */
#include <string.h>

#include "http_req.h"
#include "../t.h"

static int
chk(const char *s)
{
	return http_req_check(s, strlen(s));
}

static void
t_complete(void)
{
	T_EQ_I(chk("GET / HTTP/1.0\r\n\r\n"), 1);
	T_EQ_I(chk("GET /health HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n"), 1);
	T_EQ_I(chk("POST /ctl/restart?name=bookd HTTP/1.0\nHost: mpctl\n\n"), 1);
	T_EQ_I(chk("HEAD /metrics HTTP/1.1\r\nUser-Agent: a\tb\r\n\r\n"), 1);
}

static void
t_incomplete(void)
{
	/* every prefix of a good request is "not yet" */
	const char *r = "GET /api/book?exchange=okx HTTP/1.1\r\nHost: x\r\n\r\n";
	char buf[128];
	size_t n, len = strlen(r);

	for (n = 0; n < len; n++) {
		memcpy(buf, r, n);
		buf[n] = 0;
		if (http_req_check(buf, n) != 0) {
			T_CHECK(!"a prefix was not 'incomplete'");
			break;
		}
	}
	T_EQ_I(chk("GET / HTTP/1.1\r\n"), 0);   /* the flood of defect 1: held until the deadline */
}

static void
t_garbage(void)
{
	static const char tls[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";

	T_EQ_I(http_req_check(tls, sizeof tls - 1), -1);
	T_EQ_I(http_req_check("\0\1\2\3", 4), -1);
	T_EQ_I(chk("get / HTTP/1.0\r\n\r\n"), -1);              /* methods are upper case */
	T_EQ_I(chk("GET /health\r\n\r\n"), -1);                 /* HTTP/0.9: no version */
	T_EQ_I(chk("GET  / HTTP/1.0\r\n\r\n"), -1);             /* empty target */
	T_EQ_I(chk("GET / HTTP/2.0\r\n\r\n"), -1);
	T_EQ_I(chk("GET / HTTP/1.x\r\n\r\n"), -1);
	T_EQ_I(chk("GET / HTTP/1.1 \r\n\r\n"), -1);
	T_EQ_I(chk("ABCDEFGHIJKLMNOPQ / HTTP/1.0\r\n\r\n"), -1); /* a 17-letter method */
	T_EQ_I(chk("GET / HTTP/1.1\r\nHost: a\x01" "b\r\n\r\n"), -1);
	T_EQ_I(chk("GET / HTTP/1.1\r\nX: \x7f\r\n"), -1);        /* caught before the end */
	T_EQ_I(chk("SSH-2.0-OpenSSH_9.2\r\n"), -1);
}

int
main(void)
{
	T_RUN(t_complete);
	T_RUN(t_incomplete);
	T_RUN(t_garbage);
	return t_done();
}
