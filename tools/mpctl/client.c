/* client.c - one HTTP/1.0 request to a running supervisor over its unix socket. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "mpctl.h"

/* Returns 0 with *status and the body in out, or -1 if nobody listens. */
int
client_cmd(struct ctl *c, const char *method, const char *path, struct sbuf *out, int *status)
{
	struct sockaddr_un sa;
	char buf[65536], *body;
	struct sbuf resp = SBUF_INIT;
	int fd, len;
	ssize_t n;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(c->sock_path) >= sizeof sa.sun_path)
		return -1;
	memcpy(sa.sun_path, c->sock_path, strlen(c->sock_path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	len = snprintf(buf, sizeof buf, "%s %s HTTP/1.0\r\nHost: mpctl\r\n\r\n", method, path);
	if (write(fd, buf, (size_t)len) != len) {
		close(fd);
		return -1;
	}
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 10000) <= 0)
			break;
		n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sbuf_put(&resp, buf, (size_t)n);
	}
	close(fd);
	if (!resp.p || sscanf(resp.p, "HTTP/1.%*d %d", status) != 1) {
		sbuf_free(&resp);
		return -1;
	}
	body = strstr(resp.p, "\r\n\r\n");
	if (body)
		sbuf_puts(out, body + 4);
	sbuf_free(&resp);
	return 0;
}
