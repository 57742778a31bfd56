/*
 * collect_find.c - finding metrics in what collect.c copied out this tick.
 *
 * At 60 books the tick's table (c->mv) holds thousands of slots, and
 * /health, the alerts, loss and criteria ask for metrics by name hundreds of
 * times per tick, most of them as `for (i = 0; collect_find(.., i); i++)`
 * loops over every match.  A scan of the whole table per call made each such
 * loop quadratic (the profile of mpctl at 60 books: strcmp first).  So:
 *
 *  - a hash index by name (open addressing over the distinct names; each
 *    name chains its slots in table order), extended lazily to whatever was
 *    appended since the last look-up and cleared by collect_index_reset
 *    whenever the table is refilled;
 *  - a cursor: the last match of the last query, so that asking for the
 *    (nth + 1)-th match of the same query goes on from there.
 *
 * The answers are exactly those of collect_find_linear (the scan it
 * replaces, kept as the reference the unit test and the bench compare with):
 * the same slot for every (process, name, labels, nth).
 */
#include <stdlib.h>
#include <string.h>

#include "mpctl.h"

struct name_slot {
	int first, last;           /* c->mv indexes of the name's first / last slot; first < 0: empty */
};

struct mv_index {
	struct name_slot *tab;     /* nb entries, nb a power of two */
	int nb, nnames;
	int *next;                 /* per c->mv entry: the next slot of the same name, -1 */
	int ncap;
	int n;                     /* c->mv[0 .. n - 1] are indexed */
	uint64_t gen;              /* bumped when the table is refilled */
	struct {                   /* the last query's last match */
		uint64_t gen;
		int nth, pos, any_process, any_labels;
		char process[32], name[64], labels[256];
	} cur;
};

int
labels_get(const char *labels, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key);
	const char *p = labels, *e;

	while (p && *p) {
		while (*p == ',' || *p == ' ')
			p++;
		if (strncmp(p, key, kl) == 0 && p[kl] == '=' && p[kl + 1] == '"') {
			p += kl + 2;
			for (e = p; *e && *e != '"'; e++)
				if (*e == '\\' && e[1])
					e++;
			snprintf(out, cap, "%.*s", (int)(e - p), p);
			return 0;
		}
		/* skip this pair */
		p = strchr(p, '"');
		if (!p)
			break;
		for (p++; *p && *p != '"'; p++)
			if (*p == '\\' && p[1])
				p++;
		if (*p)
			p++;
	}
	if (cap)
		out[0] = 0;
	return -1;
}

/* Every k="v" pair of sub is in labels. */
static int
labels_match(const char *labels, const char *sub)
{
	char key[64], want[128], have[128];
	const char *p = sub, *eq, *q;

	while (p && *p) {
		while (*p == ',' || *p == ' ')
			p++;
		if (!*p)
			break;
		eq = strchr(p, '=');
		if (!eq || eq[1] != '"')
			return 0;
		snprintf(key, sizeof key, "%.*s", (int)(eq - p), p);
		q = strchr(eq + 2, '"');
		if (!q)
			return 0;
		snprintf(want, sizeof want, "%.*s", (int)(q - eq - 2), eq + 2);
		if (labels_get(labels, key, have, sizeof have) != 0 || strcmp(have, want) != 0)
			return 0;
		p = q + 1;
	}
	return 1;
}

static const char *pick_name(const struct ctl *c, struct mv_index *x, const char *process, const char *alts);

/* The filters beyond the name. */
static int
slot_ok(const struct mview *m, const char *process, const char *labels_sub)
{
	if (process && strcmp(m->process, process) != 0)
		return 0;
	return !labels_sub || labels_match(m->v.labels, labels_sub);
}

const struct mview *
collect_find_linear(const struct ctl *c, const char *process, const char *name, const char *labels_sub, int nth)
{
	int i;

	if (strchr(name, '|'))
		name = pick_name(c, NULL, process, name);
	for (i = 0; i < c->nmv; i++) {
		const struct mview *m = &c->mv[i];
		if (strcmp(m->v.name, name) != 0)
			continue;
		if (!slot_ok(m, process, labels_sub))
			continue;
		if (nth-- == 0)
			return m;
	}
	return NULL;
}

/* FNV-1a of the name (as the slot holds it: at most 63 characters). */
static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (int i = 0; s[i] && i < 63; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* The table entry of name: its own, or the empty one where it would go
 * (NULL before the first slot: no table yet). */
static struct name_slot *
name_lookup(const struct ctl *c, const struct mv_index *x, const char *name)
{
	uint32_t i;

	if (!x->nb)
		return NULL;
	i = name_hash(name) & (uint32_t)(x->nb - 1);
	while (x->tab[i].first >= 0 && strcmp(c->mv[x->tab[i].first].v.name, name) != 0)
		i = (i + 1) & (uint32_t)(x->nb - 1);
	return &x->tab[i];
}

/* Slot i at the end of its name's chain (the table has room). */
static void
index_one(const struct ctl *c, struct mv_index *x, int i)
{
	struct name_slot *s = name_lookup(c, x, c->mv[i].v.name);

	x->next[i] = -1;
	if (s->first < 0) {
		s->first = i;
		x->nnames++;
	} else
		x->next[s->last] = i;
	s->last = i;
}

/* Index c->mv[x->n .. nmv - 1]; -1 out of memory (the index is then unusable). */
static int
index_sync(const struct ctl *c, struct mv_index *x)
{
	if (c->nmv < x->n)          /* refilled without a reset: start over */
		collect_index_reset(c);
	if (c->nmv > x->ncap) {
		int cap = c->nmv * 2;
		int *nn = realloc(x->next, (size_t)cap * sizeof *nn);
		if (!nn)
			return -1;
		x->next = nn;
		x->ncap = cap;
	}
	for (; x->n < c->nmv; x->n++) {
		if ((x->nnames + 1) * 2 > x->nb) {   /* keep the table at most half full */
			int nb = x->nb ? x->nb * 2 : 256;
			struct name_slot *nt = malloc((size_t)nb * sizeof *nt);
			int k = x->n;

			if (!nt)
				return -1;
			for (int i = 0; i < nb; i++)
				nt[i].first = nt[i].last = -1;
			free(x->tab);
			x->tab = nt;
			x->nb = nb;
			/* re-add the slots indexed so far: the chains come out the same */
			x->nnames = 0;
			x->n = 0;
			x->gen++;
			for (; x->n < k; x->n++)
				index_one(c, x, x->n);
		}
		index_one(c, x, x->n);
	}
	return 0;
}

void
collect_index_reset(const struct ctl *c)
{
	struct mv_index *x = c->mvi;

	if (!x)
		return;
	for (int i = 0; i < x->nb; i++)
		x->tab[i].first = x->tab[i].last = -1;
	x->nnames = 0;
	x->n = 0;
	x->gen++;
}

void
collect_index_free(struct ctl *c)
{
	if (!c->mvi)
		return;
	free(c->mvi->tab);
	free(c->mvi->next);
	free(c->mvi);
	c->mvi = NULL;
}

/* Does the cursor hold this query?  (Strings compared, not pointers: callers
 * build labels in reused buffers.) */
static int
cursor_is(const struct mv_index *x, const char *process, const char *name, const char *labels_sub)
{
	return x->cur.gen == x->gen && strcmp(x->cur.name, name) == 0 &&
	    (process ? !x->cur.any_process && strcmp(x->cur.process, process) == 0 : x->cur.any_process) &&
	    (labels_sub ? !x->cur.any_labels && strcmp(x->cur.labels, labels_sub) == 0 : x->cur.any_labels);
}

static void
cursor_set(struct mv_index *x, const char *process, const char *name, const char *labels_sub, int nth, int pos)
{
	/* a query the cursor's buffers cannot hold exactly is not remembered */
	if (strlen(name) >= sizeof x->cur.name || (process && strlen(process) >= sizeof x->cur.process) ||
	    (labels_sub && strlen(labels_sub) >= sizeof x->cur.labels)) {
		x->cur.gen = x->gen - 1;
		return;
	}
	strcpy(x->cur.name, name);
	strcpy(x->cur.process, process ? process : "");
	strcpy(x->cur.labels, labels_sub ? labels_sub : "");
	x->cur.any_process = !process;
	x->cur.any_labels = !labels_sub;
	x->cur.nth = nth;
	x->cur.pos = pos;
	x->cur.gen = x->gen;
}

/* The nth match of one name (no aliases); remember: move the cursor. */
static const struct mview *
indexed_find(const struct ctl *c, struct mv_index *x, const char *process, const char *name,
    const char *labels_sub, int nth, int remember)
{
	const struct name_slot *s;
	int p, k = nth;

	if (nth < 0)
		return NULL;
	if (cursor_is(x, process, name, labels_sub) && nth >= x->cur.nth) {
		if (nth == x->cur.nth)
			return &c->mv[x->cur.pos];
		p = x->next[x->cur.pos];
		k = nth - x->cur.nth - 1;
	} else {
		s = name_lookup(c, x, name);
		p = s ? s->first : -1;
	}
	for (; p >= 0; p = x->next[p]) {
		if (!slot_ok(&c->mv[p], process, labels_sub))
			continue;
		if (k-- == 0) {
			if (remember)
				cursor_set(x, process, name, labels_sub, nth, p);
			return &c->mv[p];
		}
	}
	return NULL;
}

/* The index, up to date with c->mv; NULL when it cannot be had (no memory). */
static struct mv_index *
index_get(const struct ctl *c)
{
	struct ctl *w = (struct ctl *)c;   /* the index is a cache beside the table, not part of its value */

	if (!w->mvi && !(w->mvi = calloc(1, sizeof *w->mvi)))
		return NULL;
	if (index_sync(c, w->mvi) < 0) {
		collect_index_free(w);
		return NULL;
	}
	return w->mvi;
}

/* The first alternative some slot carries (process may be NULL), else the first. */
static const char *
pick_name(const struct ctl *c, struct mv_index *x, const char *process, const char *alts)
{
	static char buf[4][64];
	static int k;
	const char *p = alts, *e;
	char *out = buf[k++ % 4];

	for (;;) {
		e = strchr(p, '|');
		snprintf(out, 64, "%.*s", e ? (int)(e - p) : (int)strlen(p), p);
		if (!e || (x ? indexed_find(c, x, process, out, NULL, 0, 0) : collect_find_linear(c, process, out, NULL, 0)))
			break;
		p = e + 1;
	}
	if (!(x ? indexed_find(c, x, process, out, NULL, 0, 0) : collect_find_linear(c, process, out, NULL, 0)))
		snprintf(out, 64, "%.*s", strchr(alts, '|') ? (int)(strchr(alts, '|') - alts) : (int)strlen(alts), alts);
	return out;
}

const char *
collect_name(const struct ctl *c, const char *process, const char *alts)
{
	return pick_name(c, index_get(c), process, alts);
}

const struct mview *
collect_find(const struct ctl *c, const char *process, const char *name, const char *labels_sub, int nth)
{
	struct mv_index *x = index_get(c);

	if (!x)
		return collect_find_linear(c, process, name, labels_sub, nth);
	if (strchr(name, '|'))
		name = pick_name(c, x, process, name);
	return indexed_find(c, x, process, name, labels_sub, nth, 1);
}
