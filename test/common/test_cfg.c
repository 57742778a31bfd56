/* test_cfg.c - the config loader: types, patterns, overrides, origins and every error message shape. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cfg.h"
#include "../t.h"

static const struct cfg_key keys_svc[] = {
	{"svc", "name", CFG_STR, "x", 0, 0, "a name"},
	{"svc", "count", CFG_INT, "3", 1, 10, "how many"},
	{"svc", "offset", CFG_INT, "-5", 0, 0, "unbounded"},
	{"svc", "on", CFG_BOOL, "false", 0, 0, "a flag"},
	{"svc", "wait", CFG_DUR, "500ms", 1000000, 3600000000000LL, "a wait"},
	{"svc", "buf", CFG_SIZE, "64KiB", 1024, 1LL << 30, "a buffer"},
	{"svc", "syms", CFG_LIST, "a, b", 0, 0, "a list"},
	{"svc", "poll", CFG_DUR, "auto", -1, 3600000000000LL, "a duration or auto (min -1)"},
	{0},
};
static const struct cfg_key keys_feed[] = {
	{"feed.*", "ws_url", CFG_STR, "wss://example.com/ws", 0, 0, "where to connect"},
	{"feed.*", "depth", CFG_INT, "5000", 1, 5000, "levels"},
	{0},
};
static const struct cfg_key *const schemas[] = {keys_svc, keys_feed, NULL};

static const struct cfg_key keys_req[] = {
	{"must", "token", CFG_STR, NULL, 0, 0, "a required key"},
	{"opt.*", "id", CFG_INT, NULL, 0, 0, "required per section"},
	{0},
};
static const struct cfg_key *const schemas_req[] = {keys_req, NULL};

static const struct cfg_key keys_baddef[] = {
	{"x", "n", CFG_INT, "lots", 0, 0, "a broken default"},
	{0},
};
static const struct cfg_key *const schemas_baddef[] = {keys_baddef, NULL};

static int
check_even(const char *text, int64_t v, char *why, size_t whylen)
{
	(void)text;
	if (v % 2 == 0)
		return 0;
	snprintf(why, whylen, "expected an even number");
	return -1;
}

static int
check_word(const char *text, int64_t v, char *why, size_t whylen)
{
	(void)v;
	if (strcmp(text, "yes") == 0 || strcmp(text, "no") == 0)
		return 0;
	snprintf(why, whylen, "expected yes or no");
	return -1;
}

/* a pattern with a closed set of names, keys with checks */
static const struct cfg_key keys_closed[] = {
	{"venue.*", "", CFG_SECTION, "alpha, beta", 0, 0, "one section per venue"},
	{"venue.*", "depth", CFG_INT, "4", 1, 10, "an even depth", check_even},
	{"venue.*", "mode", CFG_STR, "yes", 0, 0, "yes or no", check_word},
	{"open.*", "x", CFG_INT, "1", 0, 0, "an open pattern"},
	{0},
};
static const struct cfg_key *const schemas_closed[] = {keys_closed, NULL};

static const struct cfg_key keys_badcheck[] = {
	{"x", "n", CFG_INT, "3", 0, 0, "a default its check refuses", check_even},
	{0},
};
static const struct cfg_key *const schemas_badcheck[] = {keys_badcheck, NULL};

static char dir[64];
static char path[128];

static const char *
write_conf(const char *text)
{
	FILE *f;

	snprintf(path, sizeof path, "%s/t.ini", dir);
	f = fopen(path, "w");
	if (!f)
		return path;
	fputs(text, f);
	fclose(f);
	return path;
}

/* Load text with sets; expect failure whose message equals want (with
 * "P" standing for the file path). */
static int
fails_with(const char *text, char **sets, int nsets, const char *want)
{
	char err[512] = "", exp[512];
	struct cfg *c;
	const char *p = text ? write_conf(text) : NULL;

	c = cfg_load(p, schemas, sets, nsets, err, sizeof err);
	if (c) {
		cfg_free(c);
		fprintf(stderr, "  accepted, expected: %s\n", want);
		return 0;
	}
	if (strncmp(want, "P:", 2) == 0 || strncmp(want, "P: ", 3) == 0)
		snprintf(exp, sizeof exp, "%s%s", path, want + 1);
	else
		snprintf(exp, sizeof exp, "%s", want);
	if (strcmp(err, exp) != 0) {
		fprintf(stderr, "  got:  %s\n  want: %s\n", err, exp);
		return 0;
	}
	return 1;
}

static void
t_defaults(void)
{
	char err[256];
	const char *items[4];
	struct cfg *c = cfg_load(NULL, schemas, NULL, 0, err, sizeof err);

	T_CHECK(c != NULL);
	if (!c)
		return;
	T_EQ_S(cfg_str(c, "svc", "name"), "x");
	T_EQ_I(cfg_int(c, "svc", "count"), 3);
	T_EQ_I(cfg_int(c, "svc", "offset"), -5);
	T_EQ_I(cfg_bool(c, "svc", "on"), 0);
	T_EQ_I(cfg_dur_ns(c, "svc", "wait"), 500000000);
	T_EQ_I(cfg_size(c, "svc", "buf"), 65536);
	T_EQ_I(cfg_list(c, "svc", "syms", items, 4), 2);
	T_EQ_S(items[0], "a");
	T_EQ_S(items[1], "b");
	T_EQ_S(cfg_origin(c, "svc", "count"), "default");
	/* a pattern section nobody wrote still has its defaults */
	T_EQ_S(cfg_str(c, "feed.okx", "ws_url"), "wss://example.com/ws");
	T_EQ_I(cfg_sections(c, "feed.*", items, 4), 0);
	T_CHECK(cfg_path(c) == NULL);
	cfg_free(c);
}

static void
t_file_values_and_patterns(void)
{
	char err[256] = "";
	const char *items[8];
	struct cfg *c;

	write_conf("; a comment\n"
	    "# another\n"
	    "[svc]\n"
	    "name = hello world ; inline comment\n"
	    "count=7\n"
	    "  on = Yes\n"
	    "wait = 1.5s\n"
	    "buf = 1.5 KiB\n"
	    "syms =  BTC-USDT , ETH-USDT,SOL-USDT  \n"
	    "\n"
	    "[feed.binance]\n"
	    "ws_url = ws://127.0.0.1:9000/stream?x=1;y=2\n"
	    "[feed.okx]\n"
	    "[ feed.empty ]\n");
	c = cfg_load(path, schemas, NULL, 0, err, sizeof err);
	if (!c)
		fprintf(stderr, "  %s\n", err);
	T_CHECK(c != NULL);
	if (!c)
		return;
	T_EQ_S(cfg_str(c, "svc", "name"), "hello world");
	T_EQ_I(cfg_int(c, "svc", "count"), 7);
	T_EQ_I(cfg_bool(c, "svc", "on"), 1);
	T_EQ_I(cfg_dur_ns(c, "svc", "wait"), 1500000000);
	T_EQ_I(cfg_size(c, "svc", "buf"), 1536);
	T_EQ_I(cfg_list(c, "svc", "syms", items, 2), 3);     /* count beyond max */
	T_EQ_S(items[0], "BTC-USDT");
	T_EQ_S(items[1], "ETH-USDT");
	T_EQ_I(cfg_list(c, "svc", "syms", items, 8), 3);
	T_EQ_S(items[2], "SOL-USDT");
	T_EQ_S(cfg_str(c, "feed.binance", "ws_url"), "ws://127.0.0.1:9000/stream?x=1;y=2");
	T_EQ_S(cfg_str(c, "feed.okx", "ws_url"), "wss://example.com/ws");
	T_EQ_I(cfg_int(c, "feed.okx", "depth"), 5000);
	T_EQ_I(cfg_sections(c, "feed.*", items, 8), 3);
	T_EQ_S(items[0], "feed.binance");
	T_EQ_S(items[1], "feed.okx");
	T_EQ_S(items[2], "feed.empty");
	T_EQ_I(cfg_sections(c, "feed.*", items, 1), 1);
	T_EQ_I(cfg_sections(c, "svc", items, 8), 1);
	T_EQ_I(cfg_sections(c, "svc.*", items, 8), 0);
	char want[200];
	snprintf(want, sizeof want, "%s:5", path);
	T_EQ_S(cfg_origin(c, "svc", "count"), want);
	T_EQ_S(cfg_origin(c, "svc", "offset"), "default");
	T_EQ_S(cfg_path(c), path);
	cfg_free(c);
}

/* A UTF-8 BOM, quoted values, an empty section found through the BOM. */
static void
t_bom_and_quotes(void)
{
	char err[256] = "";
	const char *items[4];
	struct cfg *c;

	write_conf("\xef\xbb\xbf[feed.first]\n[svc]\nname = \"  spaced;kept  \"\nsyms = \"\"\n");
	c = cfg_load(path, schemas, NULL, 0, err, sizeof err);
	if (!c)
		fprintf(stderr, "  %s\n", err);
	T_CHECK(c != NULL);
	if (!c)
		return;
	T_EQ_S(cfg_str(c, "svc", "name"), "  spaced;kept  ");
	T_EQ_I(cfg_list(c, "svc", "syms", items, 4), 0);
	T_EQ_I(cfg_sections(c, "feed.*", items, 4), 1);
	cfg_free(c);
}

static void
t_units_and_bools(void)
{
	static const struct { const char *text; int64_t want; } durs[] = {
		{"1ms", 1000000}, {"100 ms", 100000000}, {"1h", 3600000000000LL}, {"1m", 60000000000LL},
		{"1500us", 1500000}, {"0.001s", 1000000}, {"1S", 1000000000},
	}, sizes[] = {
		{"1024", 1024}, {"64MiB", 64LL << 20}, {"1GiB", 1LL << 30}, {"2KB", 2000},
		{"1mb", 1000000}, {"0.5 GiB", 1LL << 29}, {"1024B", 1024},
	};
	static const char *const yes[] = {"true", "yes", "on", "1", "TRUE"};
	static const char *const no[] = {"false", "no", "off", "0", "Off"};
	char set[64], err[256];
	char *sets[1] = {set};

	for (size_t i = 0; i < sizeof durs / sizeof durs[0]; i++) {
		snprintf(set, sizeof set, "svc.wait=%s", durs[i].text);
		struct cfg *c = cfg_load(NULL, schemas, sets, 1, err, sizeof err);

		if (!c)
			fprintf(stderr, "  %s\n", err);
		T_CHECK(c != NULL);
		if (c) {
			T_EQ_I(cfg_dur_ns(c, "svc", "wait"), durs[i].want);
			T_EQ_S(cfg_str(c, "svc", "wait"), durs[i].text);
			cfg_free(c);
		}
	}
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		snprintf(set, sizeof set, "svc.buf=%s", sizes[i].text);
		struct cfg *c = cfg_load(NULL, schemas, sets, 1, err, sizeof err);

		T_CHECK(c != NULL);
		if (c) {
			T_EQ_I(cfg_size(c, "svc", "buf"), sizes[i].want);
			cfg_free(c);
		}
	}
	for (int i = 0; i < 5; i++) {
		struct cfg *c;

		snprintf(set, sizeof set, "svc.on=%s", yes[i]);
		c = cfg_load(NULL, schemas, sets, 1, err, sizeof err);
		T_CHECK(c && cfg_bool(c, "svc", "on") == 1);
		cfg_free(c);
		snprintf(set, sizeof set, "svc.on=%s", no[i]);
		c = cfg_load(NULL, schemas, sets, 1, err, sizeof err);
		T_CHECK(c && cfg_bool(c, "svc", "on") == 0);
		cfg_free(c);
	}
}

static void
t_overrides(void)
{
	char err[256] = "";
	char *sets[] = {
		"svc.count=9", "feed.binance.ws_url=ws://127.0.0.1:9000/a=b", "feed.bybit.depth=10",
		"svc.syms=", "svc.count=8",
	};
	const char *items[4];
	struct cfg *c;

	write_conf("[svc]\ncount = 2\n[feed.binance]\nws_url = wss://real\n");
	c = cfg_load(path, schemas, sets, 5, err, sizeof err);
	if (!c)
		fprintf(stderr, "  %s\n", err);
	T_CHECK(c != NULL);
	if (!c)
		return;
	T_EQ_I(cfg_int(c, "svc", "count"), 8);          /* the last --set wins */
	T_EQ_S(cfg_origin(c, "svc", "count"), "--set");
	T_EQ_S(cfg_str(c, "feed.binance", "ws_url"), "ws://127.0.0.1:9000/a=b");
	T_EQ_I(cfg_int(c, "feed.bybit", "depth"), 10);
	T_EQ_I(cfg_sections(c, "feed.*", items, 4), 2);
	T_EQ_I(cfg_list(c, "svc", "syms", items, 4), 0);   /* an empty list */
	cfg_free(c);
}

static void
t_error_messages(void)
{
	char *s1[] = {"svc.count=abc"};
	char *s2[] = {"nodot=1"};
	char *s3[] = {"svc.cuont=1"};
	char *s4[] = {"svc.count"};
	char *s5[] = {"svx.count=1"};

	T_CHECK(fails_with("[svc]\ncount = abc\n", NULL, 0, "P:2: [svc] count = \"abc\": expected an integer"));
	T_CHECK(fails_with("[svc]\ncount = 11\n", NULL, 0,
	    "P:2: [svc] count = \"11\": expected an integer between 1 and 10"));
	T_CHECK(fails_with("[svc]\ncount = 0\n", NULL, 0,
	    "P:2: [svc] count = \"0\": expected an integer between 1 and 10"));
	T_CHECK(fails_with("[svc]\ncount = 99999999999999999999\n", NULL, 0,
	    "P:2: [svc] count = \"99999999999999999999\": expected an integer"));
	T_CHECK(fails_with("[svc]\nbuf = abc\n", NULL, 0,
	    "P:2: [svc] buf = \"abc\": expected a size like 64MiB (units B, KiB, MiB, GiB, TiB, KB, MB, GB)"));
	T_CHECK(fails_with("[svc]\nbuf = 64XB\n", NULL, 0,
	    "P:2: [svc] buf = \"64XB\": expected a size like 64MiB (units B, KiB, MiB, GiB, TiB, KB, MB, GB)"));
	T_CHECK(fails_with("[svc]\nbuf = 2GiB\n", NULL, 0,
	    "P:2: [svc] buf = \"2GiB\": expected a size between 1KiB and 1GiB"));
	T_CHECK(fails_with("[svc]\nbuf = 0.3B\n", NULL, 0,
	    "P:2: [svc] buf = \"0.3B\": expected a size like 64MiB (units B, KiB, MiB, GiB, TiB, KB, MB, GB)"));
	T_CHECK(fails_with("[svc]\nwait = 10\n", NULL, 0,
	    "P:2: [svc] wait = \"10\": expected a duration like 500ms (units ns, us, ms, s, m, h)"));
	T_CHECK(fails_with("[svc]\nwait = 1.5ns\n", NULL, 0,
	    "P:2: [svc] wait = \"1.5ns\": expected a duration like 500ms (units ns, us, ms, s, m, h)"));
	T_CHECK(fails_with("[svc]\nwait = -1s\n", NULL, 0,
	    "P:2: [svc] wait = \"-1s\": expected a duration like 500ms (units ns, us, ms, s, m, h)"));
	T_CHECK(fails_with("[svc]\nwait = 2h\n", NULL, 0,
	    "P:2: [svc] wait = \"2h\": expected a duration between 1ms and 1h"));
	T_CHECK(fails_with("[svc]\non = maybe\n", NULL, 0,
	    "P:2: [svc] on = \"maybe\": expected true or false (also yes/no, on/off, 1/0)"));
	T_CHECK(fails_with("[svc]\nsyms = a,,b\n", NULL, 0,
	    "P:2: [svc] syms = \"a,,b\": expected a comma-separated list without empty items"));
	T_CHECK(fails_with("[svc]\n\ncuont = 1\n", NULL, 0, "P:3: [svc] cuont: unknown key (did you mean count?)"));
	T_CHECK(fails_with("[feed.okx]\nws_ur = x\n", NULL, 0,
	    "P:2: [feed.okx] ws_ur: unknown key (did you mean ws_url?)"));
	T_CHECK(fails_with("[svc]\nzzzzzzzzzz = 1\n", NULL, 0, "P:2: [svc] zzzzzzzzzz: unknown key"));
	T_CHECK(fails_with("[svx]\ncount = 1\n", NULL, 0, "P:1: [svx]: unknown section (did you mean [svc]?)"));
	T_CHECK(fails_with("[svc]\n[fed.binance]\n", NULL, 0,
	    "P:2: [fed.binance]: unknown section (did you mean [feed.binance]?)"));
	T_CHECK(fails_with("[feed]\n", NULL, 0, "P:1: [feed]: unknown section"));
	T_CHECK(fails_with("[completely_else]\n", NULL, 0, "P:1: [completely_else]: unknown section"));
	T_CHECK(fails_with("count = 1\n", NULL, 0, "P:1: count: key outside any [section]"));
	T_CHECK(fails_with("[svc]\ncount = 1\ncount = 2\n", NULL, 0, "P:3: [svc] count: set twice (first at line 2)"));
	T_CHECK(fails_with("[svc]\nthis is not a key\n", NULL, 0,
	    "P:2: syntax error: expected [section], key = value or a comment"));
	T_CHECK(fails_with("[svc\n", NULL, 0, "P:1: syntax error: expected [section], key = value or a comment"));
	{
		/* a long line is parsed (past inih's buffer) with the same checks */
		char longline[400];

		memset(longline, 'a', sizeof longline);
		memcpy(longline, "[svc]\ncount = ", 14);
		memcpy(longline + sizeof longline - 2, "\n", 2);
		char e2[512] = "";
		struct cfg *lc = cfg_load(write_conf(longline), schemas, NULL, 0, e2, sizeof e2);

		T_CHECK(lc == NULL && strstr(e2, ":2: [svc] count = \"aaaa") && strstr(e2, "expected an integer"));
		cfg_free(lc);
		memcpy(longline, "[svc]\nnoeq a ", 14);
		T_CHECK(fails_with(longline, NULL, 0, "P:2: syntax error: expected [section], key = value or a comment"));
	}
	T_CHECK(fails_with(NULL, s1, 1, "--set svc.count=abc: [svc] count = \"abc\": expected an integer"));
	T_CHECK(fails_with(NULL, s2, 1, "--set nodot=1: expected SECTION.KEY=VALUE"));
	T_CHECK(fails_with(NULL, s3, 1, "--set svc.cuont=1: [svc] cuont: unknown key (did you mean count?)"));
	T_CHECK(fails_with(NULL, s4, 1, "--set svc.count: expected SECTION.KEY=VALUE"));
	T_CHECK(fails_with(NULL, s5, 1, "--set svx.count=1: [svx]: unknown section (did you mean [svc]?)"));
	{
		char err[256] = "";
		struct cfg *c = cfg_load("/nonexistent/x.ini", schemas, NULL, 0, err, sizeof err);

		T_CHECK(c == NULL);
		T_EQ_S(err, "/nonexistent/x.ini: cannot open: No such file or directory");
	}
}

static void
t_required_and_schema_errors(void)
{
	char err[256] = "";
	char *sets[] = {"must.token=abc", "opt.one.id=4"};
	struct cfg *c;

	c = cfg_load(NULL, schemas_req, NULL, 0, err, sizeof err);
	T_CHECK(c == NULL);
	T_EQ_S(err, "config: [must] token: required key missing (a required key)");
	c = cfg_load(NULL, schemas_req, sets, 1, err, sizeof err);
	T_CHECK(c != NULL);
	cfg_free(c);
	write_conf("[must]\ntoken = t\n[opt.two]\n");
	c = cfg_load(path, schemas_req, sets, 2, err, sizeof err);
	T_CHECK(c == NULL);
	char want[256];
	snprintf(want, sizeof want, "%s: [opt.two] id: required key missing (required per section)", path);
	T_EQ_S(err, want);
	c = cfg_load(NULL, schemas_baddef, NULL, 0, err, sizeof err);
	T_CHECK(c == NULL);
	T_EQ_S(err, "schema: default of [x] n = \"lots\" is invalid: expected an integer");
}

/* Reading an undeclared key or with the wrong type is a bug: the process aborts. */
static int
aborts(int which)
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		char err[64];
		struct cfg *c = cfg_load(NULL, schemas, NULL, 0, err, sizeof err);

		if (!freopen("/dev/null", "w", stderr))
			_exit(3);
		if (which == 0)
			cfg_str(c, "svc", "nope");
		else if (which == 1)
			cfg_int(c, "svc", "name");
		else
			cfg_size(c, "svc", "wait");
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

static void
t_programming_errors_abort(void)
{
	T_CHECK(aborts(0));
	T_CHECK(aborts(1));
	T_CHECK(aborts(2));
}

static void
t_cli(void)
{
	char *argv[] = {"prog", "-c", "conf/x.ini", "--set", "a.b=c", "pos1", "--own", "--set=d.e=f",
		"--log-level", "debug", "-h", "pos2", NULL};
	int argc = 12;
	struct cfg_cli cli;
	char err[128] = "";

	T_EQ_I(cfg_cli_parse(argc, argv, &cli, err, sizeof err), 4);
	T_EQ_S(cli.conf, "conf/x.ini");
	T_EQ_I(cli.nsets, 2);
	T_EQ_S(cli.sets[0], "a.b=c");
	T_EQ_S(cli.sets[1], "d.e=f");
	T_EQ_S(cli.log_level, "debug");
	T_EQ_I(cli.help, 1);
	T_EQ_S(argv[0], "prog");
	T_EQ_S(argv[1], "pos1");
	T_EQ_S(argv[2], "--own");
	T_EQ_S(argv[3], "pos2");
	T_CHECK(argv[4] == NULL);

	char *a2[] = {"prog", "--config=y.ini", "--", "-c", "z", NULL};
	T_EQ_I(cfg_cli_parse(5, a2, &cli, err, sizeof err), 4);
	T_EQ_S(cli.conf, "y.ini");
	T_EQ_S(a2[1], "--");
	T_EQ_S(a2[2], "-c");

	char *a3[] = {"prog", "-c", NULL};
	T_EQ_I(cfg_cli_parse(2, a3, &cli, err, sizeof err), -1);
	T_EQ_S(err, "-c needs a file");
	char *a4[] = {"prog", "--set", NULL};
	T_EQ_I(cfg_cli_parse(2, a4, &cli, err, sizeof err), -1);
	T_EQ_S(err, "--set needs SECTION.KEY=VALUE");
	char *a5[] = {"prog", "--set", "nodot=1", NULL};
	T_EQ_I(cfg_cli_parse(3, a5, &cli, err, sizeof err), -1);
	T_EQ_S(err, "--set nodot=1: expected SECTION.KEY=VALUE");
	char *a6[] = {"prog", "--log-level", NULL};
	T_EQ_I(cfg_cli_parse(2, a6, &cli, err, sizeof err), -1);
	T_CHECK(strstr(err, "--log-level") != NULL);
	char *a7[] = {"prog", "-cfile.ini", NULL};
	T_EQ_I(cfg_cli_parse(2, a7, &cli, err, sizeof err), 1);
	T_EQ_S(cli.conf, "file.ini");
}

/* Load text against schemas_closed; expect want ("P" = the path). */
static int
closed_fails(const char *text, const char *want)
{
	char err[512] = "", exp[512];
	struct cfg *c = cfg_load(write_conf(text), schemas_closed, NULL, 0, err, sizeof err);

	if (c) {
		cfg_free(c);
		fprintf(stderr, "  accepted, expected: %s\n", want);
		return 0;
	}
	snprintf(exp, sizeof exp, "%s%s", path, want + 1);
	if (strcmp(err, exp) != 0) {
		fprintf(stderr, "  got:  %s\n  want: %s\n", err, exp);
		return 0;
	}
	return 1;
}

/* Issue 14 defect 6: misspelt instance sections, value checks, empty files. */
static void
t_closed_sections_and_checks(void)
{
	char err[512] = "";
	char *sets[] = {"venue.beta.depth=5"};
	const char *names[4];
	struct cfg *c;

	c = cfg_load(write_conf("[venue.alpha]\ndepth = 6\n[venue.beta]\nmode = no\n[open.anything]\n"),
	    schemas_closed, NULL, 0, err, sizeof err);
	if (!c)
		fprintf(stderr, "  %s\n", err);
	T_CHECK(c != NULL);
	if (c) {
		T_EQ_I(cfg_int(c, "venue.alpha", "depth"), 6);
		T_EQ_S(cfg_str(c, "venue.beta", "mode"), "no");
		T_EQ_I(cfg_sections(c, "venue.*", names, 4), 2);
		cfg_free(c);
	}
	T_CHECK(closed_fails("[venue.alpah]\n", "P:1: [venue.alpah]: unknown section (did you mean [venue.alpha]?)"));
	T_CHECK(closed_fails("\n[venue.bta]\ndepth = 2\n", "P:2: [venue.bta]: unknown section (did you mean [venue.beta]?)"));
	T_CHECK(closed_fails("[venue.zzzzzzzzzzzz]\n", "P:1: [venue.zzzzzzzzzzzz]: unknown section (did you mean [open.zzzzzzzzzzzz]?)"));
	T_CHECK(closed_fails("[venue.alpha]\ndepth = 3\n", "P:2: [venue.alpha] depth = \"3\": expected an even number"));
	T_CHECK(closed_fails("[venue.alpha]\nmode = \"maybe\"\n", "P:2: [venue.alpha] mode = \"maybe\": expected yes or no"));
	/* the type and bounds are checked before the check function */
	T_CHECK(closed_fails("[venue.alpha]\ndepth = 12\n", "P:2: [venue.alpha] depth = \"12\": expected an integer between 1 and 10"));
	/* --set goes through the same checks */
	c = cfg_load(NULL, schemas_closed, sets, 1, err, sizeof err);
	T_CHECK(c == NULL);
	T_EQ_S(err, "--set venue.beta.depth=5: [venue.beta] depth = \"5\": expected an even number");
	cfg_free(c);
	/* an empty or comments-only file sets nothing: refused, naming the file */
	T_CHECK(closed_fails("", "P:1: the file sets nothing (it is empty or only comments); give a config with "
	    "at least one [section], or no -c for the built-in defaults"));
	T_CHECK(closed_fails("; nothing\n  # here\n\n", "P:1: the file sets nothing (it is empty or only comments); "
	    "give a config with at least one [section], or no -c for the built-in defaults"));
	/* a default its own check refuses is a schema bug */
	c = cfg_load(NULL, schemas_badcheck, NULL, 0, err, sizeof err);
	T_CHECK(c == NULL);
	T_EQ_S(err, "schema: default of [x] n = \"3\" is invalid: expected an even number");
	cfg_free(c);
}

static void
t_reference(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cfg_print_reference(schemas, f);
	fclose(f);
	T_CHECK(buf && strstr(buf, "[svc] count = 3  (int, 1..10)\n      how many\n") != NULL);
	T_CHECK(buf && strstr(buf, "[svc] wait = 500ms  (duration, 1ms..1h)") != NULL);
	T_CHECK(buf && strstr(buf, "[svc] buf = 64KiB  (size, 1KiB..1GiB)") != NULL);
	T_CHECK(buf && strstr(buf, "[feed.*] ws_url = wss://example.com/ws  (string)") != NULL);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	cfg_print_reference(schemas_closed, f);
	fclose(f);
	T_CHECK(buf && strstr(buf, "  [venue.*] sections: alpha, beta\n      one section per venue\n") != NULL);
	free(buf);
}

/* A CFG_DUR key with min -1 takes "auto" (-1); others do not, and no negative duration passes. */
static void
t_dur_auto(void)
{
	char err[256], set[64];
	char *sets[1] = {set};
	struct cfg *c = cfg_load(NULL, schemas, NULL, 0, err, sizeof err);

	T_CHECK(c != NULL);
	if (c) {
		T_EQ_I(cfg_dur_ns(c, "svc", "poll"), -1);
		cfg_free(c);
	}
	snprintf(set, sizeof set, "svc.poll=2s");
	c = cfg_load(NULL, schemas, sets, 1, err, sizeof err);
	T_CHECK(c != NULL);
	if (c) {
		T_EQ_I(cfg_dur_ns(c, "svc", "poll"), 2000000000LL);
		cfg_free(c);
	}
	snprintf(set, sizeof set, "svc.wait=auto");
	T_CHECK(cfg_load(NULL, schemas, sets, 1, err, sizeof err) == NULL);
	T_CHECK(strstr(err, "wait") != NULL);
	snprintf(set, sizeof set, "svc.poll=-1ns");
	T_CHECK(cfg_load(NULL, schemas, sets, 1, err, sizeof err) == NULL);
}

/* A list key may go on over several lines:
 * the lines add up in order; other keys still may not be set twice. */
static void
t_list_over_lines(void)
{
	char err[256] = "";
	const char *items[8];
	struct cfg *c;

	write_conf("[svc]\nsyms = BTC-USDT, ETH-USDT\nname = x\nsyms = SOL-USDT\nsyms = XRP-USDT,ADA-USDT\n");
	c = cfg_load(path, schemas, NULL, 0, err, sizeof err);
	if (!c)
		fprintf(stderr, "  %s\n", err);
	T_CHECK(c != NULL);
	if (!c)
		return;
	T_EQ_I(cfg_list(c, "svc", "syms", items, 8), 5);
	T_EQ_S(items[0], "BTC-USDT");
	T_EQ_S(items[2], "SOL-USDT");
	T_EQ_S(items[4], "ADA-USDT");
	T_CHECK(strstr(cfg_origin(c, "svc", "syms"), ":2") != NULL);   /* where the list starts */
	cfg_free(c);
	T_CHECK(fails_with("[svc]\nsyms = a\nsyms = b,,c\n", NULL, 0,
	    "P:3: [svc] syms = \"b,,c\": expected a comma-separated list without empty items"));
}

/* A 300-item list on one line (~3 KB, far past inih's 200-byte line), a long
 * comment, an inline comment and the lines after it (numbered right), and the
 * same list over two lines. */
static void
t_long_lines(void)
{
	static char text[16384];
	char err[256] = "";
	static const char *items[400];
	size_t n = 0;
	struct cfg *c;
	int ok = 1;

	n += (size_t)snprintf(text + n, sizeof text - n, "; %0300d\n[svc]\nsyms = ", 0);
	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%sS%d-USDT", i ? ", " : "", i);
	n += (size_t)snprintf(text + n, sizeof text - n, " ; three hundred\nname = after\ncount = 2\ncount = 3\n");
	write_conf(text);
	c = cfg_load(path, schemas, NULL, 0, err, sizeof err);
	if (!c)
		fprintf(stderr, "  %s\n", err);
	T_CHECK(c == NULL && strstr(err, ":6: [svc] count: set twice (first at line 5)"));   /* lines still counted */
	cfg_free(c);
	n -= strlen("count = 3\n");
	text[n] = 0;
	write_conf(text);
	c = cfg_load(path, schemas, NULL, 0, err, sizeof err);
	T_CHECK(c != NULL);
	if (!c) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	T_EQ_I(cfg_list(c, "svc", "syms", items, 400), 300);
	for (int i = 0; i < 300; i++) {
		char want[24];

		snprintf(want, sizeof want, "S%d-USDT", i);
		ok &= strcmp(items[i], want) == 0;
	}
	T_CHECK(ok);
	T_EQ_S(cfg_str(c, "svc", "name"), "after");
	T_CHECK(strstr(cfg_origin(c, "svc", "syms"), ":3") != NULL);
	cfg_free(c);
	/* split over lines: the long line and a short one add up */
	write_conf("[svc]\nsyms = A-USDT, B-USDT, C-USDT, D-USDT, E-USDT, F-USDT, G-USDT, H-USDT, I-USDT, J-USDT, "
	    "K-USDT, L-USDT, M-USDT, N-USDT, O-USDT, P-USDT, Q-USDT, R-USDT, S-USDT, T-USDT, U-USDT, V-USDT, W-USDT, "
	    "X-USDT, Y-USDT, Z-USDT\nsyms = LAST-USDT\n");
	c = cfg_load(path, schemas, NULL, 0, err, sizeof err);
	T_CHECK(c && cfg_list(c, "svc", "syms", NULL, 0) == 27);
	if (c)
		T_EQ_S((cfg_list(c, "svc", "syms", items, 400), items[26]), "LAST-USDT");
	cfg_free(c);
}

int
main(void)
{
	snprintf(dir, sizeof dir, "/tmp/mpcfgtest.XXXXXX");
	if (!mkdtemp(dir)) {
		printf("not ok setup - mkdtemp failed\n");
		return 1;
	}
	T_RUN(t_defaults);
	T_RUN(t_dur_auto);
	T_RUN(t_list_over_lines);
	T_RUN(t_long_lines);
	T_RUN(t_file_values_and_patterns);
	T_RUN(t_bom_and_quotes);
	T_RUN(t_units_and_bools);
	T_RUN(t_overrides);
	T_RUN(t_error_messages);
	T_RUN(t_required_and_schema_errors);
	T_RUN(t_programming_errors_abort);
	T_RUN(t_cli);
	T_RUN(t_closed_sections_and_checks);
	T_RUN(t_reference);
	unlink(path);
	rmdir(dir);
	return t_done();
}
