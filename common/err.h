/*
 * err.h - the error-buffer convention: functions that can fail take
 * (char *err, size_t errlen) and fill it with one human sentence naming what
 * was wrong (file, key, value...).  err_set does that and returns -1, so a
 * failure path reads `return err_set(err, errlen, "...: %s", why);`.
 */
#ifndef MP_ERR_H
#define MP_ERR_H

#include <stddef.h>

/* Format into err (if err && errlen) and return -1. */
int err_set(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
