/*
 * mpctl - the launcher and supervisor of one MarketPrism instance.
 *
 *   mpctl [-c CONF] [--set S.K=V]... COMMAND
 *
 * `start` takes the instance's locks, stops orphans a killed mpctl left
 * behind, creates the rings, then runs the supervisor (sup.c) in the
 * foreground or, with -d, in the background (the command returns once
 * start-up is over).  The other commands talk to that supervisor through
 * <data_dir>/run/mpctl.sock, so they need the same config (and --set
 * overrides of data_dir) to find it.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfg_schemas.h"
#include "daemon.h"
#include "log.h"
#include "mpctl.h"
#include "pipe.h"

static const char usage[] =
    "usage: mpctl [-c CONF] [--set SECTION.KEY=VALUE]... [--log-level L] COMMAND\n"
    "\n"
    "Launcher and supervisor of one MarketPrism instance (one per ring prefix).\n"
    "\n"
    "Commands:\n"
    "  start [-d]        create the rings, start [mpsim], [nats-server], stored, routerd, bookd\n"
    "                    and one feedd per exchange in that order (each after the previous one\n"
    "                    is ready), restart any that dies (backoff, intensity limit), serve\n"
    "                    /metrics, /health and the live page on [mpctl] http_bind:http_port\n"
    "                    (127.0.0.1:9410).\n"
    "                    Foreground by default (Ctrl-C or SIGTERM stops everything);\n"
    "                    -d: run in the background and return once start-up is over\n"
    "                    (its log: <data_dir>/log/mpctl.log).\n"
    "  stop              stop every process in reverse order (SIGTERM, stop_timeout, SIGKILL)\n"
    "                    and wait until the supervisor has exited\n"
    "  status [--json]   each process (pid, state, uptime, restarts, last exit reason) and\n"
    "                    each ring (lag, drops); --json for scripts\n"
    "  health            the /health JSON (books, connections, rings, sinks, streams,\n"
    "                    requirement metrics, alerts); exit 0 if status is ok, 1 otherwise\n"
    "  restart NAME      restart one process now (also revives a given-up one)\n"
    "\n"
    "The -c, --set and --log-level options are passed down to every process mpctl starts.\n"
    "Files: <data_dir>/run/{mpctl.lock,mpctl.sock,status.json,children},\n"
    "       <data_dir>/log/<process>.log (each child's stdout and stderr).\n"
    "Exit status: 0 ok, 1 failure, 2 usage or config error, 3 not running,\n"
    "             100 another mpctl already runs this instance.\n";

static int
mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX], *p;

	snprintf(buf, sizeof buf, "%s", path);
	for (p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			if (mkdir(buf, mode) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(buf, mode) != 0 && errno != EEXIST ? -1 : 0;
}

static int
setup_paths(struct ctl *c, char *err, size_t errlen)
{
	const char *dd = cfg_str(c->cfg, "system", "data_dir");
	const char *bd = cfg_str(c->cfg, "mpctl", "bin_dir");
	char cwd[PATH_MAX], exe[PATH_MAX];
	ssize_t n;

	pipe_prefix(c->cfg, c->prefix, sizeof c->prefix);
	if (dd[0] == '/')
		snprintf(c->data_dir, sizeof c->data_dir, "%s", dd);
	else if (getcwd(cwd, sizeof cwd)) {
		if (snprintf(c->data_dir, sizeof c->data_dir, "%s/%s", cwd, dd) >= (int)sizeof c->data_dir) {
			snprintf(err, errlen, "[system] data_dir: path too long");
			return -1;
		}
	} else {
		snprintf(err, errlen, "getcwd: %s", strerror(errno));
		return -1;
	}
	snprintf(c->run_dir, sizeof c->run_dir, "%s/run", c->data_dir);
	snprintf(c->log_dir, sizeof c->log_dir, "%s/log", c->data_dir);
	if (snprintf(c->sock_path, sizeof c->sock_path, "%s/mpctl.sock", c->run_dir) >= (int)sizeof c->sock_path) {
		snprintf(err, errlen, "[system] data_dir %.300s is too long for a unix socket path (max ~95 bytes)",
		    c->data_dir);
		return -1;
	}
	if (bd[0]) {
		snprintf(c->bin_dir, sizeof c->bin_dir, "%s", bd);
	} else {
		n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (n <= 0) {
			snprintf(err, errlen, "cannot find my own directory; set [mpctl] bin_dir");
			return -1;
		}
		exe[n] = 0;
		snprintf(c->bin_dir, sizeof c->bin_dir, "%s", dirname(exe));
	}
	return 0;
}

static int
not_running(struct ctl *c)
{
	fprintf(stderr, "mpctl: not running (ring prefix %s, data dir %s)\n", c->prefix, c->data_dir);
	return CTL_EXIT_NOTRUNNING;
}

static int
cmd_status(struct ctl *c, int as_json)
{
	struct sbuf b = SBUF_INIT;
	json_t *j;
	int st;

	if (client_cmd(c, "GET", "/api/status", &b, &st) != 0) {
		sbuf_free(&b);
		return not_running(c);
	}
	if (as_json) {
		fputs(b.p ? b.p : "", stdout);
		putchar('\n');
		sbuf_free(&b);
		return st == 200 ? 0 : 1;
	}
	j = b.p ? json_loads(b.p, 0, NULL) : NULL;
	sbuf_free(&b);
	if (!j) {
		fprintf(stderr, "mpctl: bad answer from the supervisor\n");
		return 1;
	}
	client_print_status(j);
	json_decref(j);
	return 0;
}

static int
cmd_health(struct ctl *c)
{
	struct sbuf b = SBUF_INIT;
	json_t *j;
	int st, rc;

	if (client_cmd(c, "GET", "/health", &b, &st) != 0) {
		sbuf_free(&b);
		return not_running(c);
	}
	fputs(b.p ? b.p : "", stdout);
	putchar('\n');
	j = b.p ? json_loads(b.p, 0, NULL) : NULL;
	rc = j && json_string_value(json_object_get(j, "status")) &&
	    strcmp(json_string_value(json_object_get(j, "status")), "ok") == 0 ? 0 : 1;
	json_decref(j);
	sbuf_free(&b);
	return rc;
}

static int
cmd_restart(struct ctl *c, const char *name)
{
	struct sbuf b = SBUF_INIT;
	char path[128];
	json_t *j;
	int st;

	snprintf(path, sizeof path, "/ctl/restart?name=%s", name);
	if (client_cmd(c, "POST", path, &b, &st) != 0) {
		sbuf_free(&b);
		return not_running(c);
	}
	j = b.p ? json_loads(b.p, 0, NULL) : NULL;
	printf("%s: %s\n", name, j ? json_string_value(json_object_get(j, "message")) : "?");
	json_decref(j);
	sbuf_free(&b);
	return st == 202 ? 0 : 1;
}

static int
cmd_stop(struct ctl *c)
{
	struct sbuf b = SBUF_INIT;
	char path[PATH_MAX + 16];
	int64_t deadline;
	int st, fd;

	if (client_cmd(c, "POST", "/ctl/stop", &b, &st) != 0) {
		sbuf_free(&b);
		return not_running(c);
	}
	sbuf_free(&b);
	/* Done when the supervisor's lock is free, i.e. it has exited. */
	snprintf(path, sizeof path, "%s/mpctl.lock", c->run_dir);
	deadline = mono_ns() + (int64_t)(c->nch + 1) * cfg_dur_ns(c->cfg, "mpctl", "stop_timeout") +
	    30000000000LL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && mono_ns() < deadline) {
		if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
			close(fd);
			printf("stopped\n");
			return 0;
		}
		usleep(100000);
	}
	if (fd >= 0)
		close(fd);
	fprintf(stderr, "mpctl: the supervisor did not exit in time\n");
	return 1;
}

/* Wait for the background supervisor's "ok" (or "fail ...") line. */
static int
wait_started(struct ctl *c, int fd, pid_t pid)
{
	char buf[1024];
	size_t len = 0;
	ssize_t n;

	while (len < sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		len += (size_t)n;
		buf[len] = 0;
		if (strchr(buf, '\n'))
			break;
	}
	buf[len] = 0;
	buf[strcspn(buf, "\n")] = 0;   /* the first line is the answer */
	close(fd);
	if (strncmp(buf, "ok", 2) == 0) {
		cmd_status(c, 0);
		return 0;
	}
	/* A failed supervisor is gone (and its instance locks free) before we
	 * return, so that an immediate retry is not told "another mpctl runs". */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (strncmp(buf, "fail ", 5) == 0) {
		char *code_end;
		long code = strtol(buf + 5, &code_end, 10);
		fprintf(stderr, "mpctl: %s\n", code_end + (*code_end == ' '));
		return code > 0 ? (int)code : 1;
	}
	fprintf(stderr, "mpctl: the supervisor exited during start-up; see %s/mpctl.log\n", c->log_dir);
	return 1;
}

static int
cmd_start(struct ctl *c, int background)
{
	char err[768];
	int notify = -1, pfd[2], rc, code = 1;
	pid_t pid;

	/* Config mistakes are reported here, before anything is started or forked. */
	if (alerts_init(c, err, sizeof err) != 0 || http_check_config(c->cfg, err, sizeof err) != 0) {
		fprintf(stderr, "mpctl: config error: %s\n", err);
		return 2;
	}
	if (mkdir_p(c->run_dir, 0700) != 0 || mkdir_p(c->log_dir, 0700) != 0) {
		fprintf(stderr, "mpctl: cannot create %s: %s\n", c->data_dir, strerror(errno));
		return 1;
	}
	if (setup_private_dirs(c, err, sizeof err) != 0) {
		fprintf(stderr, "mpctl: %s\n", err);
		return 1;
	}
	if (background) {
		char logp[PATH_MAX + 16];
		int fd;

		if (pipe2(pfd, O_CLOEXEC) != 0)
			return 1;
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid > 0) {
			close(pfd[1]);
			return wait_started(c, pfd[0], pid);
		}
		close(pfd[0]);
		notify = pfd[1];
		setsid();
		snprintf(logp, sizeof logp, "%s/mpctl.log", c->log_dir);
		if ((fd = open("/dev/null", O_RDONLY)) >= 0) {
			dup2(fd, 0);
			close(fd);
		}
		if ((fd = open(logp, O_WRONLY | O_CREAT | O_APPEND, 0640)) >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
	}
	if ((rc = setup_lock(c, err, sizeof err)) != 0) {
		/* a held lock is another instance (100); a lock that cannot be
		 * opened is a failure of this one, not a reason to say "running" */
		int lrc = rc == -1 ? CTL_EXIT_RUNNING : 1;

		log_error(rc == -1 ? "already running" : "cannot take the instance lock", "err=%s", log_q(err));
		if (notify >= 0)
			dprintf(notify, "fail %d %s\n", lrc, err);
		else
			fprintf(stderr, "mpctl: %s\n", err);
		return lrc;
	}
	c->started_ns = now_ns();
	c->started_mono = mono_ns();
	setup_check_secrets(c);
	setup_stop_orphans(c);
	if (setup_rings(c, err, sizeof err) != 0) {
		log_error("cannot prepare the rings", "err=%s", log_q(err));
		if (notify >= 0)
			dprintf(notify, "fail 1 %s\n", err);
		else
			fprintf(stderr, "mpctl: %s\n", err);
		return 1;
	}
	setup_new_instance(c);
	rc = sup_run(c, notify);
	if (notify >= 0) {
		if (rc != 0)
			dprintf(notify, "fail %d supervisor ended early (see %s/mpctl.log)\n", rc, c->log_dir);
		close(notify);
	}
	code = rc;
	return code;
}

int
main(int argc, char **argv)
{
	struct cfg_cli cli;
	struct ctl *c;
	char err[768], conf_abs[PATH_MAX];
	const char *cmd;
	int n, lvl, rc, i, background = 0, as_json = 0;

	log_init("mpctl");
	n = cfg_cli_parse(argc, argv, &cli, err, sizeof err);
	if (n < 0) {
		fprintf(stderr, "mpctl: %s\n%s", err, usage);
		return 2;
	}
	if (cli.help) {
		daemon_help(usage);
		return 0;
	}
	if (n < 2) {
		fputs(usage, stderr);
		return 2;
	}
	cmd = argv[1];
	for (i = 2; i < n; i++) {
		if (strcmp(cmd, "start") == 0 && strcmp(argv[i], "-d") == 0)
			background = 1;
		else if (strcmp(cmd, "status") == 0 && strcmp(argv[i], "--json") == 0)
			as_json = 1;
		else if (strcmp(cmd, "restart") == 0 && i == 2)
			;
		else {
			fprintf(stderr, "mpctl: %s: unexpected argument %s\n%s", cmd, argv[i], usage);
			return 2;
		}
	}
	if (!(c = calloc(1, sizeof *c)))
		return 1;
	rc = 2;
	c->cfg = pipe_cfg_load(cli.conf, cli.sets, cli.nsets, err, sizeof err);
	if (!c->cfg) {
		fprintf(stderr, "mpctl: config error: %s\n", err);
		goto out;
	}
	lvl = log_level_parse(cli.log_level ? cli.log_level : cfg_str(c->cfg, "system", "log_level"));
	if (lvl < 0) {
		fprintf(stderr, "mpctl: bad log level (use debug, info, warn or error)\n");
		goto out;
	}
	log_set_level((enum log_level)lvl);
	if (cli.conf) {
		if (!realpath(cli.conf, conf_abs)) {
			fprintf(stderr, "mpctl: %s: %s\n", cli.conf, strerror(errno));
			goto out;
		}
		c->conf_path = conf_abs;
	}
	c->sets = cli.sets;
	c->nsets = cli.nsets;
	c->log_level = cli.log_level;
	if (setup_paths(c, err, sizeof err) != 0) {
		fprintf(stderr, "mpctl: %s\n", err);
		goto out;
	}
	/* Only start needs every program; the other commands just talk to it. */
	if (procs_build(c, err, sizeof err) != 0 && strcmp(cmd, "start") == 0) {
		fprintf(stderr, "mpctl: %s\n", err);
		goto out;
	}
	if (strcmp(cmd, "start") == 0)
		rc = cmd_start(c, background);
	else if (strcmp(cmd, "stop") == 0)
		rc = cmd_stop(c);
	else if (strcmp(cmd, "status") == 0)
		rc = cmd_status(c, as_json);
	else if (strcmp(cmd, "health") == 0)
		rc = cmd_health(c);
	else if (strcmp(cmd, "restart") == 0) {
		if (n != 3) {
			fprintf(stderr, "mpctl: restart needs a process name\n");
			rc = 2;
		} else
			rc = cmd_restart(c, argv[2]);
	} else {
		fprintf(stderr, "mpctl: unknown command %s\n%s", cmd, usage);
		rc = 2;
	}
out:
	alerts_free(c);
	procs_free(c);
	if (c->cfg)
		cfg_free(c->cfg);
	free(c);
	return rc;
}
