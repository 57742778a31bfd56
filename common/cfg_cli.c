/* cfg_cli.c - the standard command-line options of every program (cfg.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "cfg.h"

/*
 * Match argv[*i] against a long option taking a value, in either form
 * "--opt VALUE" or "--opt=VALUE".  Returns 1 and *val when it matched, 0 when
 * it is another option, -1 when the value is missing.
 */
static int
opt_value(int argc, char **argv, int *i, const char *opt, const char **val)
{
	size_t n = strlen(opt);
	const char *a = argv[*i];

	if (strncmp(a, opt, n) != 0)
		return 0;
	if (a[n] == '=') {
		*val = a + n + 1;
		return **val ? 1 : -1;
	}
	if (a[n] != 0)
		return 0;
	if (*i + 1 >= argc || !argv[*i + 1])
		return -1;
	*val = argv[++*i];
	return 1;
}

int
cfg_cli_parse(int argc, char **argv, struct cfg_cli *cli, char *err, size_t errlen)
{
	int out = 1, i, r, rest = 0;
	const char *v;

	memset(cli, 0, sizeof *cli);
	if (argc < 1)
		return 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (rest || a[0] != '-') {
			argv[out++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			/* everything after is the program's own, "--" included */
			rest = 1;
			argv[out++] = argv[i];
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			cli->help = 1;
			continue;
		}
		if (strcmp(a, "-c") == 0) {
			if (i + 1 >= argc || !argv[i + 1] || !*argv[i + 1])
				return err_set(err, errlen, "-c needs a file");
			cli->conf = argv[++i];
			continue;
		}
		if (a[1] == 'c' && a[2]) {
			cli->conf = a + 2;      /* -cFILE */
			continue;
		}
		if ((r = opt_value(argc, argv, &i, "--config", &v)) != 0) {
			if (r < 0)
				return err_set(err, errlen, "--config needs a file");
			cli->conf = v;
			continue;
		}
		if ((r = opt_value(argc, argv, &i, "--set", &v)) != 0) {
			const char *eq;

			if (r < 0)
				return err_set(err, errlen, "--set needs SECTION.KEY=VALUE");
			eq = strchr(v, '=');
			if (!eq || !memchr(v, '.', (size_t)(eq - v)))
				return err_set(err, errlen, "--set %s: expected SECTION.KEY=VALUE", v);
			if (cli->nsets >= (int)(sizeof cli->sets / sizeof cli->sets[0]))
				return err_set(err, errlen, "too many --set options (at most %d)",
				    (int)(sizeof cli->sets / sizeof cli->sets[0]));
			cli->sets[cli->nsets++] = (char *)v;
			continue;
		}
		if ((r = opt_value(argc, argv, &i, "--log-level", &v)) != 0) {
			if (r < 0)
				return err_set(err, errlen, "--log-level needs debug, info, warn or error");
			cli->log_level = v;
			continue;
		}
		/* not ours: the program's own option */
		argv[out++] = argv[i];
	}
	argv[out] = NULL;
	return out;
}
