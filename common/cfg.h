/*
 * cfg.h - configuration: INI files (inih) checked against a schema.
 *
 * Every key a program understands is declared in a struct cfg_key table with
 * its type, default, bounds and one line of help.  cfg_load() reads the file,
 * applies --set overrides, and rejects anything wrong with a message that
 * names the file, line, section and key:
 *     conf/demo.ini:12: [ring] capacity = "abc": expected a size like 64MiB
 *     conf/demo.ini:3: [feedd.binance] ws_ur: unknown key (did you mean ws_url?)
 * Sections may be patterns ending in ".*" ("feedd.*" covers feedd.binance,
 * feedd.okx).  Sections no loaded schema declares are rejected too, so a typo
 * in a section name is caught; programs pass every schema of the system (see
 * cfg_schemas.h) so one file configures all processes.  A pattern whose
 * concrete names are a closed set (one section per exchange, per ring) says
 * so with a CFG_SECTION entry listing them, so [feedd.binanse] is an unknown
 * section too ("did you mean [feedd.binance]?").
 *
 * A key may name a check function for what its type cannot say (one of a set
 * of words, a power of two, a URL); its complaint is reported like a type
 * error, with file, line, section and key.  Defaults are checked the same way.
 *
 * A file given to cfg_load that sets nothing (empty, or only comments) is an
 * error: it is almost always the wrong file, and built-in defaults include the
 * shared default ring prefix.  No file at all (path NULL) means defaults.
 *
 * --set SECTION.KEY=VALUE: the key is after the last dot, so
 * "feedd.binance.ws_url=ws://127.0.0.1:9000" works.
 *
 * Types: string, int (decimal, bounds inclusive), bool (true/false/yes/no/
 * on/off/1/0), duration (number + ns|us|ms|s|m|h, stored as ns), size
 * (number + B|KiB|MiB|GiB|KB|MB|GB, stored as bytes), list (comma-separated
 * strings, whitespace trimmed).  A line may be of any length (a long list on
 * one line), and a list key may also be given on several lines of one file:
 * the lines add up in order (any other key set twice in a file is an error).
 * A value in double quotes has them removed (x = "" is empty, x = " a " keeps
 * its spaces); a ";" after whitespace starts a comment.
 */
#ifndef MP_CFG_H
#define MP_CFG_H

#include <stddef.h>
#include <stdint.h>

/* CFG_SECTION is not a key: {"feedd.*", "", CFG_SECTION, "binance, okx", 0, 0,
 * help} says the only concrete sections of the pattern are feedd.binance and
 * feedd.okx (def lists what replaces the '*'). */
enum cfg_type { CFG_STR = 1, CFG_INT, CFG_BOOL, CFG_DUR, CFG_SIZE, CFG_LIST, CFG_SECTION };

/* A value check beyond the type: text as written (quotes removed), v the
 * parsed number (INT, BOOL, DUR, SIZE; 0 otherwise).  0 if fine, else -1 with
 * why saying what was expected ("expected block or drop"). */
typedef int (*cfg_check_fn)(const char *text, int64_t v, char *why, size_t whylen);

struct cfg_key {
	const char *section;   /* "ring", "feedd.*" */
	const char *key;
	enum cfg_type type;
	const char *def;       /* default as text (NULL = required) */
	int64_t min, max;      /* bounds for INT/DUR/SIZE (both 0 = unbounded) */
	const char *help;
	cfg_check_fn check;    /* NULL = the type and bounds say everything */
};

struct cfg;

/*
 * Load path (NULL = no file: defaults only) with `schemas` (a NULL-terminated
 * array of key tables, each ending with a {0} entry) and overrides
 * ("section.key=value" strings).  Returns a config, or NULL with err filled.
 */
struct cfg *cfg_load(const char *path, const struct cfg_key *const *schemas,
    char *const *sets, int nsets, char *err, size_t errlen);
void cfg_free(struct cfg *c);

/* Getters.  The section is the concrete name ("feedd.binance").  Asking for a
 * key no schema declares is a programming error: it logs and aborts. */
const char *cfg_str(const struct cfg *c, const char *section, const char *key);
int64_t cfg_int(const struct cfg *c, const char *section, const char *key);
int cfg_bool(const struct cfg *c, const char *section, const char *key);
int64_t cfg_dur_ns(const struct cfg *c, const char *section, const char *key);
int64_t cfg_size(const struct cfg *c, const char *section, const char *key);
/* List items: returns the count, fills up to max pointers (valid while c
 * lives); items NULL with max 0 just counts. */
int cfg_list(const struct cfg *c, const char *section, const char *key, const char **items, int max);
/* Concrete sections present in the file matching a pattern ("feedd.*"). */
int cfg_sections(const struct cfg *c, const char *pattern, const char **names, int max);
/* Where a value came from: "default", "conf/x.ini:12", "--set". */
const char *cfg_origin(const struct cfg *c, const char *section, const char *key);
const char *cfg_path(const struct cfg *c);

/* Print every key of the schemas with type, default and help (for --help and
 * the README's config reference). */
void cfg_print_reference(const struct cfg_key *const *schemas, void *file /* FILE* */);

/* Standard options of every program: -c CONF, --set S.K=V (repeatable),
 * --log-level L, -h/--help.  Removes the options it recognises from argv
 * (keeping the order of the rest, argv[new argc] = NULL) and returns the new
 * argc, or -1 with err filled (e.g. "-c needs a file").  Pointers in *cli
 * point into argv. */
struct cfg_cli {
	const char *conf;
	char *sets[64];
	int nsets;
	int help;
	const char *log_level;
};
int cfg_cli_parse(int argc, char **argv, struct cfg_cli *cli, char *err, size_t errlen);

#endif
