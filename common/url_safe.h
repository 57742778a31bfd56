/*
 * url_safe.h - a URL as it may be logged or shown: the user information of
 * "scheme://user:password@host" (or "token@host") is replaced by "***", in
 * each URL of a comma-separated list ([nats] url).
 * Everything else is kept, so the text still says which server it was.
 *
 *   char b[512];
 *   log_info("connected", "url=%s", log_q(url_safe(url, b, sizeof b)));
 */
#ifndef MP_URL_SAFE_H
#define MP_URL_SAFE_H

#include <stddef.h>

/* Writes the redacted form of url into buf (truncated to cap - 1) and
 * returns buf. */
const char *url_safe(const char *url, char *buf, size_t cap);

#endif
