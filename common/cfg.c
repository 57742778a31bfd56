/*
 * cfg.c - the INI loader checked against key tables; see cfg.h.
 *
 * inih does the lexing.  It is fed through a line reader of ours so that we
 * know the line number of every value (the Debian build of inih does not pass
 * it), see section headers that have no keys (inih only reports key lines),
 * and refuse lines longer than inih's line buffer instead of letting it split
 * them silently.  Multi-line values are turned off: an indented line is an
 * ordinary key line, and a key given twice is an error, not a continuation.
 */
#include "err.h"
#include "cfg.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fx.h"
#include "log.h"

struct val {
	char *text;             /* as written (NULL: required key not given) */
	int64_t i;              /* INT, BOOL, DUR (ns), SIZE (bytes) */
	char **items;           /* LIST */
	int nitems;
	char origin[288];       /* "default", "--set" or "<path>:<line>" */
};

struct entry {
	char *section;
	const struct cfg_key *k;
	int line;               /* 0 = --set */
	struct val v;
};

struct sect {
	char *name;
	int line;               /* 0 = --set */
};

struct cfg {
	char *path;
	const struct cfg_key *const *schemas;
	struct entry *e;
	int ne, ecap;
	struct sect *s;
	int ns, scap;
	const struct cfg_key **keys;    /* every schema key, flattened */
	struct val *defs;               /* their parsed defaults */
	int nkeys;
};

/* ---- small helpers ---- */

static char *
xstrdup(const char *s)
{
	return strdup(s ? s : "");
}

/* "feedd.*" matches "feedd.binance" (not "feedd." or "feedd"); other
 * patterns match themselves only. */
static int
sect_match(const char *pattern, const char *name)
{
	size_t n = strlen(pattern);

	if (n >= 2 && pattern[n - 1] == '*' && pattern[n - 2] == '.')
		return strncmp(pattern, name, n - 1) == 0 && strlen(name) > n - 1;
	return strcmp(pattern, name) == 0;
}

static int
levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[128];

	if (la > 120 || lb > 120)
		return 1000;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];

		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

static int
close_enough(const char *given, int dist)
{
	int lim = (int)strlen(given) / 3;

	return dist <= (lim > 2 ? lim : 2);
}

static const char *
type_name(enum cfg_type t)
{
	switch (t) {
	case CFG_STR: return "string";
	case CFG_INT: return "int";
	case CFG_BOOL: return "bool";
	case CFG_DUR: return "duration";
	case CFG_SIZE: return "size";
	case CFG_LIST: return "list";
	case CFG_SECTION: return "sections";
	}
	return "?";
}

/* The largest unit that shows v exactly. */
static void
fmt_size(int64_t v, char *buf, size_t cap)
{
	static const struct { const char *u; int64_t m; } u[] = {
		{"GiB", 1LL << 30}, {"MiB", 1LL << 20}, {"KiB", 1LL << 10},
	};
	for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
		if (v != 0 && v % u[i].m == 0) {
			snprintf(buf, cap, "%lld%s", (long long)(v / u[i].m), u[i].u);
			return;
		}
	snprintf(buf, cap, "%lldB", (long long)v);
}

static void
fmt_dur(int64_t v, char *buf, size_t cap)
{
	static const struct { const char *u; int64_t m; } u[] = {
		{"h", 3600000000000LL}, {"m", 60000000000LL}, {"s", 1000000000LL},
		{"ms", 1000000LL}, {"us", 1000LL},
	};
	for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
		if (v != 0 && v % u[i].m == 0) {
			snprintf(buf, cap, "%lld%s", (long long)(v / u[i].m), u[i].u);
			return;
		}
	snprintf(buf, cap, "%lldns", (long long)v);
}

static void
fmt_bound(const struct cfg_key *k, int64_t v, char *buf, size_t cap)
{
	if (k->type == CFG_SIZE)
		fmt_size(v, buf, cap);
	else if (k->type == CFG_DUR)
		fmt_dur(v, buf, cap);
	else
		snprintf(buf, cap, "%lld", (long long)v);
}

/* ---- typed parsing ---- */

static int
parse_int(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!*s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || end == s || s[0] == ' ' || s[0] == '\t')
		return -1;
	*out = v;
	return 0;
}

static int
parse_bool(const char *s, int64_t *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};

	for (int i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/*
 * "<number><unit>" with an optional space between, the number a plain
 * decimal that may have a fraction ("1.5s"), the result exact: 1.5ns or
 * 0.5B are errors, not rounded.  A bare number is accepted only when
 * bare_ok (sizes: bytes) or when it is 0.
 */
struct unit {
	const char *name;
	int64_t mult;
};

static int
parse_scaled(const char *s, const struct unit *units, int nunits, int bare_ok, int64_t *out)
{
	size_t n = 0, ulen;
	const char *u;
	int64_t m, mult = 0;
	__int128 t;

	while (s[n] && ((s[n] >= '0' && s[n] <= '9') || s[n] == '.'))
		n++;
	if (n == 0)
		return -1;
	/* the number as a mantissa at 1e-9 */
	if (fx_parse(s, n, -9, &m) != FX_OK)
		return -1;
	u = s + n;
	while (*u == ' ' || *u == '\t')
		u++;
	ulen = strlen(u);
	if (ulen == 0) {
		if (!bare_ok && m != 0)
			return -1;
		mult = 1;
	} else {
		for (int i = 0; i < nunits; i++)
			if (strcasecmp(u, units[i].name) == 0)
				mult = units[i].mult;
		if (mult == 0)
			return -1;
	}
	t = (__int128)m * mult;
	if (t % 1000000000 != 0)
		return -1;
	t /= 1000000000;
	if (t > INT64_MAX)
		return -1;
	*out = (int64_t)t;
	return 0;
}

static const struct unit dur_units[] = {
	{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000LL},
	{"m", 60000000000LL}, {"h", 3600000000000LL},
};
static const struct unit size_units[] = {
	{"B", 1}, {"KiB", 1LL << 10}, {"MiB", 1LL << 20}, {"GiB", 1LL << 30}, {"TiB", 1LL << 40},
	{"KB", 1000}, {"MB", 1000000}, {"GB", 1000000000LL},
};

static void
val_clear(struct val *v)
{
	free(v->text);
	if (v->items)
		free(v->items[0]);
	free(v->items);
	memset(v, 0, sizeof *v);
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = 0;
	return s;
}

/* Split "a, b ,c" into items (one allocation for the text, one for the
 * pointers).  Empty items other than an entirely empty list are errors. */
static int
parse_list(const char *text, struct val *v, char *why, size_t whylen)
{
	char *copy = xstrdup(text), *p, *item;
	int n = 1, i = 0;

	if (!copy)
		return err_set(why, whylen, "out of memory");
	for (p = copy; *p; p++)
		n += *p == ',';
	v->items = calloc((size_t)n + 1, sizeof *v->items);
	if (!v->items) {
		free(copy);
		return err_set(why, whylen, "out of memory");
	}
	if (*trim(copy) == 0) {
		/* keep copy owned through items[0] even when empty */
		v->items[0] = copy;
		v->nitems = 0;
		return 0;
	}
	p = copy;
	for (;;) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = 0;
		item = trim(p);
		if (!*item) {
			free(v->items);
			v->items = NULL;
			free(copy);
			return err_set(why, whylen, "expected a comma-separated list without empty items");
		}
		v->items[i++] = item;
		if (!comma)
			break;
		p = comma + 1;
	}
	/* items[0] must be the start of the allocation for val_clear */
	if (v->items[0] != copy) {
		memmove(copy, v->items[0], strlen(v->items[0]) + 1);
		v->items[0] = copy;
	}
	v->nitems = i;
	return 0;
}

/* Parse text as key k into v; on error why says what was expected. */
static int
parse_value(const struct cfg_key *k, const char *text, struct val *v, char *why, size_t whylen)
{
	char lo[32], hi[32];
	int bounded = (k->min != 0 || k->max != 0) &&
	    (k->type == CFG_INT || k->type == CFG_DUR || k->type == CFG_SIZE);

	memset(v, 0, sizeof *v);
	v->text = xstrdup(text);
	if (!v->text)
		return err_set(why, whylen, "out of memory");
	switch (k->type) {
	case CFG_STR:
		break;
	case CFG_LIST:
		if (parse_list(text, v, why, whylen) < 0)
			goto fail;
		break;
	case CFG_BOOL:
		if (parse_bool(text, &v->i) < 0) {
			err_set(why, whylen, "expected true or false (also yes/no, on/off, 1/0)");
			goto fail;
		}
		break;
	case CFG_INT:
		if (parse_int(text, &v->i) < 0) {
			err_set(why, whylen, "expected an integer");
			goto fail;
		}
		break;
	case CFG_DUR:
		/* a duration key with min -1 takes "auto" (-1: the program computes it) */
		if (k->min == -1 && strcmp(text, "auto") == 0) {
			v->i = -1;
			break;
		}
		if (parse_scaled(text, dur_units, (int)(sizeof dur_units / sizeof dur_units[0]), 0, &v->i) < 0) {
			err_set(why, whylen, "expected a duration like 500ms (units ns, us, ms, s, m, h)");
			goto fail;
		}
		break;
	case CFG_SIZE:
		if (parse_scaled(text, size_units, (int)(sizeof size_units / sizeof size_units[0]), 1, &v->i) < 0) {
			err_set(why, whylen, "expected a size like 64MiB (units B, KiB, MiB, GiB, TiB, KB, MB, GB)");
			goto fail;
		}
		break;
	default:
		err_set(why, whylen, "key has unknown type %d", (int)k->type);
		goto fail;
	}
	if (bounded && (v->i < k->min || v->i > k->max)) {
		fmt_bound(k, k->min, lo, sizeof lo);
		fmt_bound(k, k->max, hi, sizeof hi);
		err_set(why, whylen, "expected %s between %s and %s", k->type == CFG_INT ? "an integer" :
		    k->type == CFG_DUR ? "a duration" : "a size", lo, hi);
		goto fail;
	}
	if (k->check && k->check(text, v->i, why, whylen) < 0)
		goto fail;
	return 0;
fail:
	val_clear(v);
	return -1;
}

/* ---- schema lookups ---- */

static int
key_index(const struct cfg *c, const char *section, const char *key)
{
	for (int i = 0; i < c->nkeys; i++)
		if (c->keys[i]->type != CFG_SECTION && strcmp(c->keys[i]->key, key) == 0 &&
		    sect_match(c->keys[i]->section, section))
			return i;
	return -1;
}

/* The CFG_SECTION entry of a pattern, if its names are a closed set. */
static const struct cfg_key *
sect_rule(const struct cfg *c, const char *pattern)
{
	for (int i = 0; i < c->nkeys; i++)
		if (c->keys[i]->type == CFG_SECTION && strcmp(c->keys[i]->section, pattern) == 0)
			return c->keys[i];
	return NULL;
}

/* 1 when name is "x.<one of the names>" for the rule of pattern "x.*" (the
 * names are a comma-separated list in rule->def). */
static int
rule_allows(const struct cfg_key *rule, const char *name)
{
	const char *rest = name + strlen(rule->section) - 1, *p = rule->def ? rule->def : "";

	while (*p) {
		size_t n;

		while (*p == ' ' || *p == ',')
			p++;
		n = strcspn(p, ", ");
		if (n && strlen(rest) == n && strncmp(rest, p, n) == 0)
			return 1;
		p += n;
	}
	return 0;
}

static int
section_known(const struct cfg *c, const char *section)
{
	for (int i = 0; i < c->nkeys; i++) {
		const struct cfg_key *rule;

		if (!sect_match(c->keys[i]->section, section))
			continue;
		rule = sect_rule(c, c->keys[i]->section);
		if (!rule || rule_allows(rule, section))
			return 1;
	}
	return 0;
}

/* Closest declared key of that section, for "did you mean". */
static const char *
suggest_key(const struct cfg *c, const char *section, const char *key)
{
	const char *best = NULL;
	int bd = 1000;

	for (int i = 0; i < c->nkeys; i++) {
		if (c->keys[i]->type == CFG_SECTION || !sect_match(c->keys[i]->section, section))
			continue;
		int d = levenshtein(key, c->keys[i]->key);

		if (d < bd) {
			bd = d;
			best = c->keys[i]->key;
		}
	}
	return best && close_enough(key, bd) ? best : NULL;
}

static void
consider(const char *section, const char *cand, int *bd, char *buf, size_t cap)
{
	int d = levenshtein(section, cand);

	if (d < *bd) {
		*bd = d;
		snprintf(buf, cap, "%s", cand);
	}
}

/* Closest declared section; a pattern "x.*" is compared as "x.<rest of name>",
 * or as each of its names when they are a closed set. */
static const char *
suggest_section(const struct cfg *c, const char *section, char *buf, size_t cap)
{
	int bd = 1000;

	buf[0] = 0;
	for (int i = 0; i < c->nkeys; i++) {
		const char *pat = c->keys[i]->section;
		size_t n = strlen(pat);
		const struct cfg_key *rule = c->keys[i]->type == CFG_SECTION ? c->keys[i] : NULL;
		char cand[128];

		if (rule) {
			const char *p = rule->def ? rule->def : "";

			while (*p) {
				size_t ln;

				while (*p == ' ' || *p == ',')
					p++;
				ln = strcspn(p, ", ");
				if (ln) {
					snprintf(cand, sizeof cand, "%.*s%.*s", (int)(n - 1), pat, (int)ln, p);
					consider(section, cand, &bd, buf, cap);
				}
				p += ln;
			}
			continue;
		}
		if (sect_rule(c, pat))
			continue;       /* its names were offered above */
		if (n >= 2 && pat[n - 1] == '*' && pat[n - 2] == '.') {
			const char *dot = strchr(section, '.');

			snprintf(cand, sizeof cand, "%.*s%s", (int)(n - 1), pat,
			    dot && dot[1] ? dot + 1 : "NAME");
		} else {
			snprintf(cand, sizeof cand, "%s", pat);
		}
		consider(section, cand, &bd, buf, cap);
	}
	return buf[0] && close_enough(section, bd) ? buf : NULL;
}

/* ---- building the config ---- */

static struct entry *
find_entry(const struct cfg *c, const char *section, const char *key)
{
	for (int i = 0; i < c->ne; i++)
		if (strcmp(c->e[i].k->key, key) == 0 && strcmp(c->e[i].section, section) == 0)
			return &c->e[i];
	return NULL;
}

static struct sect *
find_sect(const struct cfg *c, const char *name)
{
	for (int i = 0; i < c->ns; i++)
		if (strcmp(c->s[i].name, name) == 0)
			return &c->s[i];
	return NULL;
}

/* Where something happened, for messages: "file:12" or "--set a.b=c". */
struct where {
	const char *path;
	int line;
	const char *set;        /* the --set argument, or NULL */
};

static void
where_str(const struct where *w, char *buf, size_t cap)
{
	if (w->set)
		snprintf(buf, cap, "--set %s", w->set);
	else
		snprintf(buf, cap, "%s:%d", w->path, w->line);
}

static int
add_section(struct cfg *c, const char *name, const struct where *w, char *err, size_t errlen)
{
	char at[300], sug[128];
	const char *s;

	if (find_sect(c, name))
		return 0;
	where_str(w, at, sizeof at);
	if (!section_known(c, name)) {
		s = suggest_section(c, name, sug, sizeof sug);
		if (s)
			return err_set(err, errlen, "%s: [%s]: unknown section (did you mean [%s]?)", at, name, s);
		return err_set(err, errlen, "%s: [%s]: unknown section", at, name);
	}
	if (c->ns == c->scap) {
		int ncap = c->scap ? c->scap * 2 : 16;
		struct sect *ns = realloc(c->s, (size_t)ncap * sizeof *ns);

		if (!ns)
			return err_set(err, errlen, "out of memory");
		c->s = ns;
		c->scap = ncap;
	}
	c->s[c->ns].name = xstrdup(name);
	if (!c->s[c->ns].name)
		return err_set(err, errlen, "out of memory");
	c->s[c->ns].line = w->line;
	c->ns++;
	return 0;
}

static int
set_value(struct cfg *c, const char *section, const char *key, const char *text,
    const struct where *w, char *err, size_t errlen)
{
	char at[300], why[200];
	const char *sug;
	struct entry *e;
	struct val v;
	int ki;

	where_str(w, at, sizeof at);
	if (!*section)
		return err_set(err, errlen, "%s: %s: key outside any [section]", at, key);
	if (add_section(c, section, w, err, errlen) < 0)
		return -1;
	ki = key_index(c, section, key);
	if (ki < 0) {
		sug = suggest_key(c, section, key);
		if (sug)
			return err_set(err, errlen, "%s: [%s] %s: unknown key (did you mean %s?)", at, section, key, sug);
		return err_set(err, errlen, "%s: [%s] %s: unknown key", at, section, key);
	}
	/* One pair of surrounding double quotes is not part of the value, so
	 * `x = ""` is empty and `x = " a "` keeps its spaces.  (A ';' after
	 * whitespace starts a comment even inside quotes: inih strips it.) */
	size_t tl = strlen(text);
	char unq[1024];

	if (tl >= 2 && text[0] == '"' && text[tl - 1] == '"' && tl - 2 < sizeof unq) {
		memcpy(unq, text + 1, tl - 2);
		unq[tl - 2] = 0;
		text = unq;
	}
	if (parse_value(c->keys[ki], text, &v, why, sizeof why) < 0)
		return err_set(err, errlen, "%s: [%s] %s = \"%s\": %s", at, section, key, text, why);
	if (w->set)
		snprintf(v.origin, sizeof v.origin, "--set");
	else
		snprintf(v.origin, sizeof v.origin, "%.270s:%d", w->path, w->line);
	e = find_entry(c, section, key);
	if (e) {
		/* A list may go on over several lines of the file: the lines add
		 * up, in order. */
		if (!w->set && e->line > 0 && e->k->type == CFG_LIST && e->v.text) {
			size_t n = strlen(e->v.text) + strlen(text) + 3;
			char *all = malloc(n);
			struct val v2;

			val_clear(&v);
			if (!all)
				return err_set(err, errlen, "out of memory");
			snprintf(all, n, "%s, %s", e->v.text, text);
			if (parse_value(c->keys[ki], all, &v2, why, sizeof why) < 0) {
				free(all);
				return err_set(err, errlen, "%s: [%s] %s: with the earlier lines: %s", at, section, key, why);
			}
			free(all);
			snprintf(v2.origin, sizeof v2.origin, "%s", e->v.origin);
			val_clear(&e->v);
			e->v = v2;
			return 0;
		}
		/* A file says each thing once; --set overrides (the last one wins). */
		if (!w->set && e->line > 0) {
			val_clear(&v);
			return err_set(err, errlen, "%s: [%s] %s: set twice (first at line %d)", at, section, key, e->line);
		}
		val_clear(&e->v);
		e->v = v;
		e->line = w->line;
		return 0;
	}
	if (c->ne == c->ecap) {
		int ncap = c->ecap ? c->ecap * 2 : 32;
		struct entry *ne = realloc(c->e, (size_t)ncap * sizeof *ne);

		if (!ne) {
			val_clear(&v);
			return err_set(err, errlen, "out of memory");
		}
		c->e = ne;
		c->ecap = ncap;
	}
	e = &c->e[c->ne];
	e->section = xstrdup(section);
	if (!e->section) {
		val_clear(&v);
		return err_set(err, errlen, "out of memory");
	}
	e->k = c->keys[ki];
	e->line = w->line;
	e->v = v;
	c->ne++;
	return 0;
}

/* ---- the inih side ---- */

struct parse_ctx {
	struct cfg *c;
	const char *buf;        /* whole file */
	size_t len, pos;
	int line;
	char *err;
	size_t errlen;
	int failed;
	char section[128];      /* the current [section], for lines we parse ourselves */
};

/*
 * A line longer than inih's buffer (INI_MAX_LINE, 200 in Debian's build; a
 * 300-instrument list is ~3 KB) is parsed here with inih's rules - comment
 * lines, "key = value" or "key: value", an inline ';' after whitespace
 * starts a comment, both sides trimmed - and inih gets an empty line in its
 * place, so its line numbers stay right.  0, or -1 with p->err.
 */
static int
long_line(struct parse_ctx *p, const char *s, size_t n)
{
	struct where w = {p->c->path, p->line, NULL};
	char *line = malloc(n + 1), *k, *v, *eq, *e;
	int rc;

	if (!line)
		return err_set(p->err, p->errlen, "out of memory");
	memcpy(line, s, n);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	line[n] = 0;
	k = line;
	while (*k == ' ' || *k == '\t')
		k++;
	if (*k == ';' || *k == '#' || !*k) {
		free(line);
		return 0;
	}
	if (*k == '[') {
		free(line);
		return err_set(p->err, p->errlen, "%s:%d: section name too long", p->c->path, p->line);
	}
	eq = k + strcspn(k, "=:");
	if (!*eq) {
		free(line);
		return err_set(p->err, p->errlen, "%s:%d: syntax error: expected [section], key = value or a comment",
		    p->c->path, p->line);
	}
	*eq = 0;
	v = eq + 1;
	for (e = v; *e; e++)
		if (*e == ';' && e > v && (e[-1] == ' ' || e[-1] == '\t')) {
			*e = 0;
			break;
		}
	rc = set_value(p->c, p->section, trim(k), trim(v), &w, p->err, p->errlen);
	free(line);
	return rc;
}

static char *
reader(char *str, int num, void *stream)
{
	struct parse_ctx *p = stream;
	const char *s, *nl;
	size_t n, room;

	if (p->failed || p->pos >= p->len || num < 4)
		return NULL;
	s = p->buf + p->pos;
	nl = memchr(s, '\n', p->len - p->pos);
	n = nl ? (size_t)(nl - s) + 1 : p->len - p->pos;
	p->pos += n;
	p->line++;
	if (memchr(s, 0, n)) {
		p->failed = 1;
		err_set(p->err, p->errlen, "%s:%d: NUL byte in the line", p->c->path, p->line);
		return NULL;
	}
	room = (size_t)num - 3;     /* inih needs room for "\r\n\0" */
	if (n > room) {
		if (long_line(p, s, n) < 0) {
			p->failed = 1;
			return NULL;
		}
		snprintf(str, (size_t)num, "\n");
		return str;
	}
	memcpy(str, s, n);
	str[n] = 0;
	/* Section headers: inih reports only keys, we want empty sections too. */
	{
		const char *q = str, *end;
		struct where w = {p->c->path, p->line, NULL};
		char name[128];

		if (p->line == 1 && strncmp(q, "\xef\xbb\xbf", 3) == 0)
			q += 3;         /* a UTF-8 BOM, which inih skips too */
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '[' && (end = strchr(q, ']')) != NULL) {
			size_t ln = (size_t)(end - q - 1);

			if (ln >= sizeof name) {
				p->failed = 1;
				err_set(p->err, p->errlen, "%s:%d: section name too long", p->c->path, p->line);
				return NULL;
			}
			memcpy(name, q + 1, ln);
			name[ln] = 0;
			if (add_section(p->c, trim(name), &w, p->err, p->errlen) < 0) {
				p->failed = 1;
				return NULL;
			}
			snprintf(p->section, sizeof p->section, "%s", trim(name));
		}
	}
	return str;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *p = user;
	struct where w = {p->c->path, p->line, NULL};

	if (p->failed)
		return 0;
	if (set_value(p->c, section, name, value ? value : "", &w, p->err, p->errlen) < 0) {
		p->failed = 1;
		return 0;
	}
	return 1;
}

static int
read_file(const char *path, char **out, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (!f)
		return err_set(err, errlen, "%s: cannot open: %s", path, strerror(errno));
	for (;;) {
		if (n + 4096 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			if (cap > (64u << 20)) {
				fclose(f);
				free(buf);
				return err_set(err, errlen, "%s: larger than 64 MiB, not a config file", path);
			}
			nb = realloc(buf, cap);
			if (!nb) {
				fclose(f);
				free(buf);
				return err_set(err, errlen, "out of memory");
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		free(buf);
		return err_set(err, errlen, "%s: read error: %s", path, strerror(e));
	}
	fclose(f);
	*out = buf;
	*len = n;
	return 0;
}

static int
parse_file(struct cfg *c, char *err, size_t errlen)
{
	struct parse_ctx p = {0};
	bool ml = ini_allow_multiline, stop = ini_stop_on_first_error;
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (read_file(c->path, &buf, &len, err, errlen) < 0)
		return -1;
	p.c = c;
	p.buf = buf;
	p.len = len;
	p.err = err;
	p.errlen = errlen;
	ini_allow_multiline = false;
	ini_stop_on_first_error = true;
	r = ini_parse_stream(reader, &p, handler, &p);
	ini_allow_multiline = ml;
	ini_stop_on_first_error = stop;
	free(buf);
	if (p.failed)
		return -1;
	if (r > 0)
		return err_set(err, errlen, "%s:%d: syntax error: expected [section], key = value or a comment", c->path, r);
	if (r < 0)
		return err_set(err, errlen, "%s: could not be parsed (%d)", c->path, r);
	/* An empty file is almost always the wrong file (or a failed copy);
	 * running on defaults would share the default ring prefix with
	 * whatever else runs there. */
	if (c->ns == 0 && c->ne == 0)
		return err_set(err, errlen, "%s:1: the file sets nothing (it is empty or only comments); "
		    "give a config with at least one [section], or no -c for the built-in defaults",
		    c->path);
	return 0;
}

/* "a.b.key=value": the key is after the last dot before the '='. */
static int
apply_set(struct cfg *c, const char *arg, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '='), *dot;
	char sect[128], key[128];
	struct where w = {"--set", 0, arg};

	if (!eq)
		return err_set(err, errlen, "--set %s: expected SECTION.KEY=VALUE", arg);
	for (dot = eq; dot > arg && dot[-1] != '.'; dot--)
		;
	if (dot == arg || dot - 1 == arg || dot == eq)
		return err_set(err, errlen, "--set %s: expected SECTION.KEY=VALUE", arg);
	if ((size_t)(dot - 1 - arg) >= sizeof sect || (size_t)(eq - dot) >= sizeof key)
		return err_set(err, errlen, "--set %s: section or key too long", arg);
	memcpy(sect, arg, (size_t)(dot - 1 - arg));
	sect[dot - 1 - arg] = 0;
	memcpy(key, dot, (size_t)(eq - dot));
	key[eq - dot] = 0;
	return set_value(c, sect, key, eq + 1, &w, err, errlen);
}

static int
load_schema(struct cfg *c, const struct cfg_key *const *schemas, char *err, size_t errlen)
{
	int n = 0, i = 0;
	char why[200];

	for (const struct cfg_key *const *t = schemas; t && *t; t++)
		for (const struct cfg_key *k = *t; k->section; k++)
			n++;
	c->keys = calloc((size_t)n + 1, sizeof *c->keys);
	c->defs = calloc((size_t)n + 1, sizeof *c->defs);
	if (!c->keys || !c->defs)
		return err_set(err, errlen, "out of memory");
	for (const struct cfg_key *const *t = schemas; t && *t; t++)
		for (const struct cfg_key *k = *t; k->section; k++) {
			c->keys[i] = k;
			c->nkeys = i + 1;
			if (k->type == CFG_SECTION) {
				/* a list of names, not a value: nothing to parse */
				i++;
				continue;
			}
			if (k->def && parse_value(k, k->def, &c->defs[i], why, sizeof why) < 0)
				return err_set(err, errlen, "schema: default of [%s] %s = \"%s\" is invalid: %s",
				    k->section, k->key, k->def, why);
			snprintf(c->defs[i].origin, sizeof c->defs[i].origin, "default");
			i++;
		}
	return 0;
}

/* Required keys (no default) must be set in every section they apply to:
 * fixed sections always, pattern sections for each one present. */
static int
check_required(struct cfg *c, char *err, size_t errlen)
{
	for (int i = 0; i < c->nkeys; i++) {
		const struct cfg_key *k = c->keys[i];
		size_t n = strlen(k->section);
		int pattern = n >= 2 && k->section[n - 1] == '*';

		if (k->def || k->type == CFG_SECTION)
			continue;
		if (!pattern) {
			if (!find_entry(c, k->section, k->key))
				return err_set(err, errlen, "%s: [%s] %s: required key missing (%s)",
				    c->path ? c->path : "config", k->section, k->key, k->help ? k->help : "");
			continue;
		}
		for (int s = 0; s < c->ns; s++)
			if (sect_match(k->section, c->s[s].name) && !find_entry(c, c->s[s].name, k->key))
				return err_set(err, errlen, "%s: [%s] %s: required key missing (%s)",
				    c->path ? c->path : "config", c->s[s].name, k->key, k->help ? k->help : "");
	}
	return 0;
}

struct cfg *
cfg_load(const char *path, const struct cfg_key *const *schemas,
    char *const *sets, int nsets, char *err, size_t errlen)
{
	struct cfg *c = calloc(1, sizeof *c);

	if (!c) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	c->schemas = schemas;
	if (load_schema(c, schemas, err, errlen) < 0)
		goto fail;
	if (path) {
		c->path = xstrdup(path);
		if (!c->path || parse_file(c, err, errlen) < 0)
			goto fail;
	}
	for (int i = 0; i < nsets; i++)
		if (apply_set(c, sets[i], err, errlen) < 0)
			goto fail;
	if (check_required(c, err, errlen) < 0)
		goto fail;
	return c;
fail:
	cfg_free(c);
	return NULL;
}

void
cfg_free(struct cfg *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->ne; i++) {
		free(c->e[i].section);
		val_clear(&c->e[i].v);
	}
	for (int i = 0; i < c->ns; i++)
		free(c->s[i].name);
	for (int i = 0; i < c->nkeys; i++)
		val_clear(&c->defs[i]);
	free(c->e);
	free(c->s);
	free(c->keys);
	free(c->defs);
	free(c->path);
	free(c);
}

/* ---- getters ---- */

static const struct val *
lookup(const struct cfg *c, const char *section, const char *key, const struct cfg_key **kp)
{
	const struct entry *e = find_entry(c, section, key);
	int ki;

	if (e) {
		*kp = e->k;
		return &e->v;
	}
	ki = key_index(c, section, key);
	if (ki < 0) {
		/* A program asking for a key nobody declared is a bug, not a config error. */
		log_error("config key not declared in any schema", "section=%s key=%s",
		    log_q(section), log_q(key));
		abort();
	}
	*kp = c->keys[ki];
	return &c->defs[ki];
}

static void
want_type(const struct cfg_key *k, const char *section, int ok)
{
	if (!ok) {
		log_error("config key read with the wrong type", "section=%s key=%s type=%s",
		    log_q(section), log_q(k->key), type_name(k->type));
		abort();
	}
}

const char *
cfg_str(const struct cfg *c, const char *section, const char *key)
{
	const struct cfg_key *k;
	const struct val *v = lookup(c, section, key, &k);

	return v->text ? v->text : "";
}

int64_t
cfg_int(const struct cfg *c, const char *section, const char *key)
{
	const struct cfg_key *k;
	const struct val *v = lookup(c, section, key, &k);

	want_type(k, section, k->type != CFG_STR && k->type != CFG_LIST);
	return v->i;
}

int
cfg_bool(const struct cfg *c, const char *section, const char *key)
{
	const struct cfg_key *k;
	const struct val *v = lookup(c, section, key, &k);

	want_type(k, section, k->type == CFG_BOOL);
	return v->i != 0;
}

int64_t
cfg_dur_ns(const struct cfg *c, const char *section, const char *key)
{
	const struct cfg_key *k;
	const struct val *v = lookup(c, section, key, &k);

	want_type(k, section, k->type == CFG_DUR);
	return v->i;
}

int64_t
cfg_size(const struct cfg *c, const char *section, const char *key)
{
	const struct cfg_key *k;
	const struct val *v = lookup(c, section, key, &k);

	want_type(k, section, k->type == CFG_SIZE);
	return v->i;
}

int
cfg_list(const struct cfg *c, const char *section, const char *key, const char **items, int max)
{
	const struct cfg_key *k;
	const struct val *v = lookup(c, section, key, &k);

	want_type(k, section, k->type == CFG_LIST);
	for (int i = 0; i < v->nitems && i < max; i++)
		items[i] = v->items[i];
	return v->nitems;
}

int
cfg_sections(const struct cfg *c, const char *pattern, const char **names, int max)
{
	int n = 0;

	for (int i = 0; i < c->ns; i++)
		if (sect_match(pattern, c->s[i].name)) {
			if (n < max)
				names[n] = c->s[i].name;
			n++;
		}
	return n < max ? n : max;
}

const char *
cfg_origin(const struct cfg *c, const char *section, const char *key)
{
	const struct cfg_key *k;
	const struct val *v = lookup(c, section, key, &k);

	return v->origin[0] ? v->origin : "default";
}

const char *
cfg_path(const struct cfg *c)
{
	return c->path;
}

void
cfg_print_reference(const struct cfg_key *const *schemas, void *file)
{
	FILE *f = file;

	for (const struct cfg_key *const *t = schemas; t && *t; t++)
		for (const struct cfg_key *k = *t; k->section; k++) {
			char lo[32], hi[32], def[80];

			if (k->type == CFG_SECTION) {
				fprintf(f, "  [%s] sections: %s\n      %s\n", k->section, k->def ? k->def : "",
				    k->help ? k->help : "");
				continue;
			}
			if (!k->def)
				snprintf(def, sizeof def, "(required)");
			else if (!*k->def)
				snprintf(def, sizeof def, "\"\"");
			else
				snprintf(def, sizeof def, "%s", k->def);
			fprintf(f, "  [%s] %s = %s  (%s", k->section, k->key, def, type_name(k->type));
			if (k->min != 0 || k->max != 0) {
				fmt_bound(k, k->min, lo, sizeof lo);
				fmt_bound(k, k->max, hi, sizeof hi);
				if (k->type == CFG_DUR && k->min == -1)
					fprintf(f, ", auto or 0ns..%s", hi);
				else
					fprintf(f, ", %s..%s", lo, hi);
			}
			fprintf(f, ")\n      %s\n", k->help ? k->help : "");
		}
}
