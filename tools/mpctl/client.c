/*
 * client.c - the commands' side: one HTTP/1.0 request to a running
 * supervisor over its unix socket, and the human form of its status.
 */
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
		if (poll(&p, 1, 30000) <= 0)
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

static void
fmt_dur(double s, char *buf, size_t cap)
{
	long t = (long)s;

	if (s < 0)
		snprintf(buf, cap, "-");
	else if (t < 60)
		snprintf(buf, cap, "%lds", t);
	else if (t < 3600)
		snprintf(buf, cap, "%ldm%02lds", t / 60, t % 60);
	else if (t < 86400)
		snprintf(buf, cap, "%ldh%02ldm", t / 3600, t / 60 % 60);
	else
		snprintf(buf, cap, "%ldd%02ldh", t / 86400, t / 3600 % 24);
}

void
client_print_status(json_t *j)
{
	json_t *inst = json_object_get(j, "instance"), *a, *p;
	char up[32];
	size_t i;

	fmt_dur(json_number_value(json_object_get(inst, "uptime_s")), up, sizeof up);
	printf("instance %s  pid %d  up %s  %s  http://%s:%d/\n",
	    json_string_value(json_object_get(inst, "prefix")), (int)json_integer_value(json_object_get(inst, "pid")),
	    up, json_string_value(json_object_get(inst, "state")),
	    json_is_string(json_object_get(inst, "http_bind")) ? json_string_value(json_object_get(inst, "http_bind")) :
	    "127.0.0.1",
	    (int)json_integer_value(json_object_get(inst, "http_port")));
	printf("%-16s %7s  %-9s %8s %8s  %6s %8s  %s\n", "PROCESS", "PID", "STATE", "UPTIME", "RESTARTS", "CPU%",
	    "RSS(MB)", "LAST EXIT");
	a = json_object_get(j, "processes");
	json_array_foreach(a, i, p) {
		const char *le = json_string_value(json_object_get(p, "last_exit"));
		const char *fr = json_string_value(json_object_get(p, "fail_reason"));
		json_t *u = json_object_get(p, "uptime_s"), *rt = json_object_get(p, "retry_in_s");
		char retry[48] = "";
		if (json_is_number(rt))
			snprintf(retry, sizeof retry, "; retry in %.0fs", json_number_value(rt));
		else if (json_is_true(json_object_get(p, "retrying")))
			snprintf(retry, sizeof retry, "; retrying");
		fmt_dur(json_is_number(u) ? json_number_value(u) : -1, up, sizeof up);
		printf("%-16s %7d  %-9s %8s %8d  %6.1f %8.1f  %s%s%s%s\n", json_string_value(json_object_get(p, "name")),
		    (int)json_integer_value(json_object_get(p, "pid")), json_string_value(json_object_get(p, "state")), up,
		    (int)json_integer_value(json_object_get(p, "restarts")),
		    json_number_value(json_object_get(p, "cpu_ratio")) * 100,
		    (double)json_integer_value(json_object_get(p, "rss_bytes")) / 1048576.0,
		    le && *le ? le : "-", fr ? "; " : "", fr ? fr : "", retry);
	}
	a = json_object_get(j, "connections");
	if (json_array_size(a)) {
		printf("%-16s %-14s %-6s %10s\n", "CONNECTION", "PROCESS", "STATE", "RECONNECTS");
		json_array_foreach(a, i, p) {
			char cn[64];
			const char *ex = json_string_value(json_object_get(p, "exchange"));
			snprintf(cn, sizeof cn, "%s%s%s", ex && *ex ? ex : "", ex && *ex ? " " : "",
			    json_string_value(json_object_get(p, "conn")));
			printf("%-16s %-14s %-6s %10lld\n", cn, json_string_value(json_object_get(p, "process")),
			    json_is_true(json_object_get(p, "connected")) ? "up" : "DOWN",
			    (long long)json_integer_value(json_object_get(p, "reconnects")));
		}
	}
	printf("%-16s %12s %14s %6s %10s %12s\n", "RING", "LAG(records)", "LAG(bytes)", "FILL", "DROPPED", "WRITTEN");
	a = json_object_get(j, "rings");
	json_array_foreach(a, i, p) {
		if (!json_is_true(json_object_get(p, "present"))) {
			printf("%-16s %12s\n", json_string_value(json_object_get(p, "name")), "(absent)");
			continue;
		}
		printf("%-16s %12lld %14lld %5.1f%% %10lld %12lld\n", json_string_value(json_object_get(p, "name")),
		    (long long)json_integer_value(json_object_get(p, "lag_records")),
		    (long long)json_integer_value(json_object_get(p, "lag_bytes")),
		    json_number_value(json_object_get(p, "fill")) * 100,
		    (long long)json_integer_value(json_object_get(p, "dropped")),
		    (long long)json_integer_value(json_object_get(p, "written")));
	}
	a = json_object_get(j, "alerts");
	json_array_foreach(a, i, p)
		printf("ALERT %s [%s] %s\n", json_string_value(json_object_get(p, "rule")),
		    json_string_value(json_object_get(p, "severity")), json_string_value(json_object_get(p, "message")));
}
