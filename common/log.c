/* log.c - see log.h for the line format. */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char g_proc[32] = "mp";
static enum log_level g_level = LOG_INFO;
static const char *const g_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

void
log_init(const char *process)
{
	snprintf(g_proc, sizeof g_proc, "%s", process ? process : "mp");
}

void
log_set_level(enum log_level lvl)
{
	g_level = lvl;
}

enum log_level
log_get_level(void)
{
	return g_level;
}

int
log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (s && strcasecmp(s, g_names[i]) == 0)
			return i;
	if (s && strcasecmp(s, "warning") == 0)
		return LOG_WARN;
	return -1;
}

const char *
log_q(const char *s)
{
	static __thread char bufs[8][512];
	static __thread unsigned next;
	char *b = bufs[next++ & 7];
	size_t o = 0, cap = sizeof bufs[0];

	b[o++] = '"';
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (o + 8 >= cap) {
			memcpy(b + o, "...", 3);
			o += 3;
			break;
		}
		if (c == '"' || c == '\\') {
			b[o++] = '\\';
			b[o++] = (char)c;
		} else if (c == '\n') {
			b[o++] = '\\';
			b[o++] = 'n';
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(b + o, cap - o, "\\x%02x", c);
		} else {
			b[o++] = (char)c;
		}
	}
	b[o++] = '"';
	b[o] = 0;
	return b;
}

void
log_vline(enum log_level lvl, const char *msg, const char *kvfmt, va_list ap)
{
	char line[2048];
	struct timespec ts;
	struct tm tm;
	size_t n;
	int saved = errno;

	if (lvl < g_level)
		return;
	if ((unsigned)lvl > LOG_ERROR)
		lvl = LOG_ERROR;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(line + n, sizeof line - n, ".%06ldZ %s %s[%d] msg=%s",
	    ts.tv_nsec / 1000, g_names[lvl], g_proc, (int)getpid(), log_q(msg));
	if (kvfmt && *kvfmt && n < sizeof line - 2) {
		line[n++] = ' ';
		int k = vsnprintf(line + n, sizeof line - n, kvfmt, ap);
		if (k > 0)
			n += (size_t)k;
	}
	if (n > sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	/* One write so concurrent writers never interleave inside a line. */
	if (write(STDERR_FILENO, line, n) < 0) {
		/* Nowhere left to report it. */
	}
	errno = saved;
}

void
log_line(enum log_level lvl, const char *msg, const char *kvfmt, ...)
{
	va_list ap;

	va_start(ap, kvfmt);
	log_vline(lvl, msg, kvfmt, ap);
	va_end(ap);
}
