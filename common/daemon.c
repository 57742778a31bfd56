/* daemon.c - see daemon.h. */
#include "daemon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg_schemas.h"
#include "pipe.h"
#include "log.h"

volatile sig_atomic_t daemon_stop;

static void
on_stop(int sig)
{
	(void)sig;
	daemon_stop = 1;
}

void
daemon_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void
daemon_ready(void)
{
	static int done;
	const char *s = getenv("MP_READY_FD");
	char *end;
	long fd;

	if (done || !s || !*s)
		return;
	done = 1;
	fd = strtol(s, &end, 10);
	if (*end || fd < 0 || fd > 65535) {
		log_warn("ignoring bad MP_READY_FD", "value=%s", log_q(s));
		return;
	}
	if (write((int)fd, "ready\n", 6) != 6)
		log_warn("could not signal readiness", "fd=%ld", fd);
	close((int)fd);
	unsetenv("MP_READY_FD");
}

void
daemon_help(const char *usage)
{
	fputs(usage, stdout);
	fputs("\nCommon options:\n"
	    "  -c FILE                 config file (INI); without it, built-in defaults\n"
	    "  --set SECTION.KEY=VALUE override one config value (repeatable)\n"
	    "  --log-level LEVEL       debug, info, warn or error\n"
	    "  -h, --help              this text\n"
	    "\nConfiguration keys (all processes share one file):\n", stdout);
	cfg_print_reference(cfg_all_schemas, stdout);
}

struct cfg *
daemon_start(const char *name, const char *usage, int *argcp, char **argv)
{
	struct cfg_cli cli;
	struct cfg *c;
	char err[512];
	int n, lvl;

	log_init(name);
	n = cfg_cli_parse(*argcp, argv, &cli, err, sizeof err);
	if (n < 0) {
		fprintf(stderr, "%s: %s\n%s", name, err, usage);
		exit(2);
	}
	*argcp = n;
	if (cli.help) {
		daemon_help(usage);
		exit(0);
	}
	c = pipe_cfg_load(cli.conf, cli.sets, cli.nsets, err, sizeof err);
	if (!c) {
		fprintf(stderr, "%s: config error: %s\n", name, err);
		exit(2);
	}
	lvl = log_level_parse(cli.log_level ? cli.log_level : cfg_str(c, "system", "log_level"));
	if (lvl < 0) {
		fprintf(stderr, "%s: bad log level (use debug, info, warn or error)\n", name);
		exit(2);
	}
	log_set_level((enum log_level)lvl);
	return c;
}
