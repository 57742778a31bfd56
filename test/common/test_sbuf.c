/* test_sbuf.c - the growable string buffer and its JSON string escaping. */
#include <stdlib.h>

#include "sbuf.h"
#include "../t.h"

static void
t_append_and_take(void)
{
	struct sbuf b = SBUF_INIT;
	char *s;

	sbuf_puts(&b, "a");
	sbuf_putc(&b, 'b');
	sbuf_printf(&b, "%d-%s", 42, "x");
	for (int i = 0; i < 1000; i++)
		sbuf_putc(&b, 'z');
	T_EQ_I(b.len, 1006);
	s = sbuf_take(&b);
	T_CHECK(s && strncmp(s, "ab42-xzz", 8) == 0 && strlen(s) == 1006);
	T_EQ_I(b.len, 0);
	free(s);
	s = sbuf_take(&b);          /* empty buffer gives "" */
	T_EQ_S(s, "");
	free(s);
	sbuf_puts(&b, "q");
	sbuf_reset(&b);
	T_EQ_I(b.len, 0);
	sbuf_free(&b);
}

static void
t_json_escapes(void)
{
	struct sbuf b = SBUF_INIT;
	const char in[] = "q\"b\\n\n\t\x01\x7f" "\xc3\xa9" "\xff" "\xe2\x82" "z";
	char *s;

	sbuf_json_str(&b, in, sizeof in - 1);
	s = sbuf_take(&b);
	/* é stays UTF-8; the stray 0xff and the cut 3-byte sequence are escaped */
	T_EQ_S(s, "\"q\\\"b\\\\n\\n\\t\\u0001\\u007f\xc3\xa9\\u00ff\\u00e2\\u0082z\"");
	free(s);
	sbuf_json_str(&b, "\xed\xa0\x80", 3);    /* a surrogate is not UTF-8 */
	s = sbuf_take(&b);
	T_EQ_S(s, "\"\\u00ed\\u00a0\\u0080\"");
	free(s);
}

int
main(void)
{
	T_RUN(t_append_and_take);
	T_RUN(t_json_escapes);
	return t_done();
}
