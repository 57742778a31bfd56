/* pipe.c - ring names, sizes, policies and the instrument registry from config; see pipe.h. */
#include "err.h"
#include "pipe.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfg_schemas.h"
#include "rec.h"

#define MIB (1ULL << 20)
#define MAX_RECORD_CAP (16u << 20)      /* a 5000x2-level snapshot is ~160 KiB */

/* Returns NULL when [system] ring_prefix is not a usable directory name. */
const char *
pipe_prefix(const struct cfg *c, char *buf, size_t cap)
{
	const char *p = cfg_str(c, "system", "ring_prefix");

	if (*p) {
		snprintf(buf, cap, "%s", p);
	} else {
		/* Per user, so two people (or a test and a live system under
		 * different accounts) never share rings by accident. */
		struct passwd *pw = getpwuid(geteuid());
		const char *user = pw && pw->pw_name && *pw->pw_name ? pw->pw_name : NULL;

		if (user)
			snprintf(buf, cap, "mp-%s", user);
		else
			snprintf(buf, cap, "mp-%u", (unsigned)geteuid());
	}
	/* a configured prefix was checked at load; a user name may still be odd */
	return cfg_prefix_ok(buf) ? buf : NULL;
}

struct builtin {
	const char *pattern;    /* "feed.*" or an exact name */
	uint64_t capacity;
	uint32_t policy;
};

static const struct builtin builtins[] = {
	{"feed.*", 64 * MIB, RING_DROP},
	{"raw.*", 64 * MIB, RING_DROP},
	{"ctl.*", 1 * MIB, RING_DROP},
	{"book.router", 64 * MIB, RING_DROP},
	{"book.store", 512 * MIB, RING_BLOCK},
};

static const struct builtin *
find_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
		const char *p = builtins[i].pattern;
		size_t n = strlen(p);

		if (p[n - 1] == '*') {
			if (strncmp(p, name, n - 1) == 0 && name[n - 1] && exch_parse(name + n - 1) != EX_NONE)
				return &builtins[i];
		} else if (strcmp(p, name) == 0) {
			return &builtins[i];
		}
	}
	return NULL;
}

int
pipe_ring_opts(const struct cfg *c, const char *name, struct ring_opts *o, char *err, size_t errlen)
{
	const struct builtin *b = find_builtin(name);
	char sect[80];
	int64_t cap;
	const char *pol;

	memset(o, 0, sizeof *o);
	if (!b)
		return err_set(err, errlen, "ring %s: not a ring of this system (feed.<exchange>, raw.<exchange>, "
		    "ctl.<exchange>, book.router, book.store)", name);
	if (snprintf(sect, sizeof sect, "ring.%s", name) >= (int)sizeof sect)
		return err_set(err, errlen, "ring %s: name too long", name);
	o->capacity = b->capacity;
	o->policy = b->policy;
	/* capacity and policy were checked at load (cfg_check_ring_*) */
	cap = cfg_size(c, sect, "capacity");
	if (cap != 0)
		o->capacity = (uint64_t)cap;
	pol = cfg_str(c, sect, "policy");
	if (strcmp(pol, "block") == 0)
		o->policy = RING_BLOCK;
	else if (strcmp(pol, "drop") == 0)
		o->policy = RING_DROP;
	o->max_record = o->capacity / 4 > MAX_RECORD_CAP ? MAX_RECORD_CAP : (uint32_t)(o->capacity / 4);
	o->block_timeout_ms = 0;
	o->schema_hash = rec_schema_hash();
	return 0;
}

int
pipe_ring_open(const struct cfg *c, const char *name, enum ring_role role,
    struct ring **out, char *err, size_t errlen)
{
	char prefix[128], path[512];
	struct ring_opts o;

	if (!pipe_prefix(c, prefix, sizeof prefix))
		return err_set(err, errlen, "[system] ring_prefix = \"%s\": expected a directory name (no '/')",
		    cfg_str(c, "system", "ring_prefix")), RING_ESYS;
	if (pipe_ring_opts(c, name, &o, err, errlen) < 0)
		return RING_EBADHDR;
	if (ring_path(path, sizeof path, prefix, name) < 0)
		return err_set(err, errlen, "ring %s: cannot make /dev/shm/%s", name, prefix), RING_ESYS;
	/* The inspector must never create a ring, only look at one. */
	return ring_open(path, role, role == RING_INSPECT ? NULL : &o, out, err, errlen);
}

static int
add_exchange(const struct cfg *c, int exch, struct inst_registry *reg, char *err, size_t errlen)
{
	const char *ename = exch_name(exch);
	char why[160];
	int n = cfg_list(c, "instruments", ename, NULL, 0);
	const char **items;

	if (n == 0)
		return 0;
	if (n > reg->max - reg->n)
		return err_set(err, errlen, "%s: [instruments] %s: %d instruments, more than [system] max_instruments "
		    "= %d leaves (%d taken before it)", cfg_origin(c, "instruments", ename), ename, n, reg->max, reg->n);
	items = malloc((size_t)n * sizeof *items);
	if (!items)
		return err_set(err, errlen, "out of memory");
	cfg_list(c, "instruments", ename, items, n);
	for (int i = 0; i < n; i++)
		if (inst_add(reg, exch, items[i], why, sizeof why) == 0) {
			free(items);
			return err_set(err, errlen, "%s: [instruments] %s: %s",
			    cfg_origin(c, "instruments", ename), ename, why);
		}
	free(items);
	return 0;
}

/* "[instruments] binance, okx are all empty (binance: conf/x.ini:3, okx:
 * default): nothing to collect" - where each came from. */
static int
all_empty(const struct cfg *c, char *err, size_t errlen)
{
	char where[256] = "";
	const char *at = "default";
	const struct venue *v;
	int it = 0;

	while ((v = venue_next(&it))) {
		const char *o = cfg_origin(c, "instruments", v->name);

		snprintf(where + strlen(where), sizeof where - strlen(where), "%s%s: %s", where[0] ? ", " : "",
		    v->name, o);
		if (strcmp(o, "default") != 0)
			at = o;   /* the last one set names the place to fix */
	}
	return err_set(err, errlen, "%s: [instruments] %s are all empty (%s): nothing to collect", at,
	    venue_names(), where);
}

int
pipe_instruments(const struct cfg *c, struct inst_registry *reg, char *err, size_t errlen)
{
	const struct venue *v;
	int it = 0;

	inst_reg_init(reg, (int)cfg_int(c, "system", "max_instruments"));
	/* Ids follow config order, exchange by exchange in venue id order, so
	 * every process agrees. */
	while ((v = venue_next(&it)))
		if (add_exchange(c, v->id, reg, err, errlen) < 0) {
			inst_reg_free(reg);
			return -1;
		}
	return 0;
}

int
pipe_ring_names(const struct cfg *c, char names[][32], int max)
{
	static const char *const per_exch[] = {"feed", "raw", "ctl"};
	const struct venue *v;
	int n = 0, it = 0;

	/* A venue with no instruments has no feedd, hence no rings. */
	while ((v = venue_next(&it))) {
		const char *items[1];

		if (cfg_list(c, "instruments", v->name, items, 1) == 0)
			continue;
		for (size_t k = 0; k < sizeof per_exch / sizeof per_exch[0]; k++)
			if (n < max)
				snprintf(names[n++], 32, "%s.%s", per_exch[k], v->name);
	}
	if (n < max)
		snprintf(names[n++], 32, "book.router");
	if (n < max)
		snprintf(names[n++], 32, "book.store");
	return n;
}


struct cfg *
pipe_cfg_load(const char *path, char *const *sets, int nsets, char *err, size_t errlen)
{
	struct cfg *c = cfg_load(path, cfg_all_schemas, sets, nsets, err, errlen);
	struct inst_registry reg;
	int rc;

	if (!c)
		return NULL;
	rc = pipe_instruments(c, &reg, err, errlen);
	if (rc == 0) {
		if (reg.n == 0)
			rc = all_empty(c, err, errlen);
		inst_reg_free(&reg);
	}
	if (rc < 0) {
		cfg_free(c);
		return NULL;
	}
	return c;
}
