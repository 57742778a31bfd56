/* test_url_safe.c - URLs lose their user and password before they are logged or shown. */
#include "url_safe.h"
#include "../t.h"

static const char *
safe(const char *u)
{
	static char b[256];

	return url_safe(u, b, sizeof b);
}

static void
t_password_hidden(void)
{
	T_EQ_S(safe("nats://alice:s3cret@10.0.0.1:4222"), "nats://***@10.0.0.1:4222");
	T_EQ_S(safe("http://default:pw@ch:8123/?database=x"), "http://***@ch:8123/?database=x");
	T_EQ_S(safe("nats://tok3n@host:4222"), "nats://***@host:4222");          /* a token alone */
	T_EQ_S(safe("nats://u:p@w:d@host:4222"), "nats://***@host:4222");      /* '@' in the password */
}

static void
t_others_unchanged(void)
{
	T_EQ_S(safe("nats://127.0.0.1:4222"), "nats://127.0.0.1:4222");
	T_EQ_S(safe("http://h:8123/path@x?q=a@b"), "http://h:8123/path@x?q=a@b");  /* '@' past the host */
	T_EQ_S(safe(""), "");
	T_EQ_S(safe("127.0.0.1:4222"), "127.0.0.1:4222");
}

static void
t_lists(void)
{
	T_EQ_S(safe("nats://a:1@h1:4222,nats://h2:4222,nats://b:2@h3:4222"),
	    "nats://***@h1:4222,nats://h2:4222,nats://***@h3:4222");
}

static void
t_truncated(void)
{
	char b[12];

	T_EQ_S(url_safe("nats://a:secret@host:4222", b, sizeof b), "nats://***@");
	T_EQ_S(url_safe("nats://a:secret@host:4222", b, 1), "");
}

int
main(void)
{
	T_RUN(t_password_hidden);
	T_RUN(t_others_unchanged);
	T_RUN(t_lists);
	T_RUN(t_truncated);
	return t_done();
}
