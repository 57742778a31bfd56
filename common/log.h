/*
 * log.h - one structured line format for every program.
 *
 * A line is:
 *   2026-11-24T02:46:44.123456Z INFO feedd[1234] msg="connected" exchange=binance url=ws://...
 * i.e. UTC timestamp with microseconds, level, process name and pid, the quoted
 * message, then key=value pairs formatted by the caller.  Lines go to stderr
 * (the launcher captures them) with one write(2) each, so lines from several
 * processes sharing a file never interleave mid-line.
 *
 * Values that may contain spaces or quotes must be passed through log_q(),
 * which returns a quoted, escaped copy in a small thread-local rotating buffer.
 */
#ifndef MP_LOG_H
#define MP_LOG_H

#include <stdarg.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 };

/* Set the process name shown on every line (default "mp"). */
void log_init(const char *process);
/* Lines below this level are not written.  Default LOG_INFO. */
void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
/* Parse "debug", "info", "warn", "error"; returns -1 on anything else. */
int log_level_parse(const char *s);

/* Write one line.  kvfmt may be NULL or a printf format of key=value pairs. */
void log_line(enum log_level lvl, const char *msg, const char *kvfmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vline(enum log_level lvl, const char *msg, const char *kvfmt, va_list ap);

/* Quote and escape s for use as a value: abc -> "abc", a"b -> "a\"b".
 * Returns a pointer into one of 8 rotating thread-local buffers of 512 bytes
 * (longer values are cut with "..."), valid until 8 more calls. */
const char *log_q(const char *s);

#define log_debug(msg, ...) log_line(LOG_DEBUG, msg, __VA_ARGS__)
#define log_info(msg, ...) log_line(LOG_INFO, msg, __VA_ARGS__)
#define log_warn(msg, ...) log_line(LOG_WARN, msg, __VA_ARGS__)
#define log_error(msg, ...) log_line(LOG_ERROR, msg, __VA_ARGS__)

#endif
