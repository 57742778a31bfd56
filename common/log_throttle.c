/* log_throttle.c - see log_throttle.h. */
#include "log_throttle.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"

int
log_throttle(struct log_throttle *t, const char *key, uint64_t *held)
{
	int64_t now = mono_ns();

	if (!key)
		key = "";
	t->total++;
	if (t->total > 1 && now < t->next_ns && strncmp(t->key, key, sizeof t->key - 1) == 0) {
		t->held++;
		return 0;
	}
	*held = t->held;
	t->held = 0;
	t->next_ns = now + t->every_ns;
	snprintf(t->key, sizeof t->key, "%s", key);
	return 1;
}

uint64_t
log_throttle_end(struct log_throttle *t)
{
	uint64_t n = t->total;

	t->total = t->held = 0;
	t->next_ns = 0;
	t->key[0] = 0;
	return n;
}
