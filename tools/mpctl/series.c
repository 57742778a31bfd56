/*
 * series.c - sliding windows over cumulative values (counters), shared by
 * the alert rules, the loss figures and the criteria: each key keeps the
 * samples of the last `window` (plus one at or before its start), so the
 * increase over the window is the newest value minus the oldest kept.
 * A value lower than the previous one means the counter was reset (a
 * metrics file re-created): the history restarts from it.
 *
 * Sample once per tick and key only (the ring holds window/interval + 3
 * samples); readers between ticks use series_last.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpctl.h"

#define SERIES_MAX 512

struct series {
	char key[200];
	int n, head, cap;
	int64_t *t;
	double *v;
	double last_delta;
};

void
series_init(struct series_set *ss, int64_t window_ns, int64_t interval_ns)
{
	memset(ss, 0, sizeof *ss);
	ss->window = window_ns;
	ss->cap = (int)(window_ns / (interval_ns > 0 ? interval_ns : 1)) + 3;
}

void
series_free(struct series_set *ss)
{
	for (int i = 0; i < ss->n; i++) {
		free(ss->s[i].t);
		free(ss->s[i].v);
	}
	free(ss->s);
	ss->s = NULL;
	ss->n = 0;
}

static struct series *
find(struct series_set *ss, const char *key, int create)
{
	struct series *s, *ns;

	for (int i = 0; i < ss->n; i++)
		if (strcmp(ss->s[i].key, key) == 0)
			return &ss->s[i];
	if (!create || ss->n >= SERIES_MAX || !(ns = realloc(ss->s, sizeof *ns * (size_t)(ss->n + 1))))
		return NULL;
	ss->s = ns;
	s = &ss->s[ss->n];
	memset(s, 0, sizeof *s);
	snprintf(s->key, sizeof s->key, "%s", key);
	s->cap = ss->cap;
	s->t = calloc((size_t)s->cap, sizeof *s->t);
	s->v = calloc((size_t)s->cap, sizeof *s->v);
	if (!s->t || !s->v) {
		free(s->t);
		free(s->v);
		return NULL;
	}
	ss->n++;
	return s;
}

double
series_delta(struct series_set *ss, const char *key, int64_t now, double v)
{
	struct series *s = find(ss, key, 1);
	int oldest;

	if (!s)
		return 0;
	if (s->n > 0 && v < s->v[(s->head + s->cap - 1) % s->cap])
		s->n = 0;   /* reset */
	/* drop samples older than the window, keeping one at or before its start */
	while (s->n >= 2) {
		int second = (s->head - s->n + 1 + s->cap) % s->cap;
		if (now - s->t[second] >= ss->window)
			s->n--;
		else
			break;
	}
	if (s->n == s->cap)
		s->n--;
	s->t[s->head] = now;
	s->v[s->head] = v;
	s->head = (s->head + 1) % s->cap;
	s->n++;
	oldest = (s->head - s->n + s->cap) % s->cap;
	s->last_delta = v - s->v[oldest];
	return s->last_delta;
}

double
series_last(struct series_set *ss, const char *key, double *span_s)
{
	struct series *s = find(ss, key, 0);
	int oldest, newest;

	if (span_s)
		*span_s = 0;
	if (!s || s->n == 0)
		return 0;
	oldest = (s->head - s->n + s->cap) % s->cap;
	newest = (s->head + s->cap - 1) % s->cap;
	if (span_s)
		*span_s = (double)(s->t[newest] - s->t[oldest]) / 1e9;
	return s->last_delta;
}
