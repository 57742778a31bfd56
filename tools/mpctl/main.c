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
    "                    /metrics, /health and the live page on 127.0.0.1:[mpctl] http_port.\n"
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

/* flock a file and write our pid in it; -1 with the holder's pid in *holder. */
static int
take_lock(const char *path, int *holder)
{
	char buf[32];
	int fd, len;
	ssize_t n;

	*holder = 0;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		n = read(fd, buf, sizeof buf - 1);
		if (n > 0) {
			buf[n] = 0;
			*holder = atoi(buf);
		}
		close(fd);
		return -1;
	}
	len = snprintf(buf, sizeof buf, "%d\n", (int)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)len, 0) != len)
		log_warn("cannot write the lock file", "path=%s", log_q(path));
	return fd;   /* kept open (and locked) until we exit */
}

static int
lock_instance(struct ctl *c, char *err, size_t errlen)
{
	char p1[PATH_MAX + 16], p2[PATH_MAX];
	int holder;

	snprintf(p1, sizeof p1, "%s/mpctl.lock", c->run_dir);
	if (take_lock(p1, &holder) < 0) {
		snprintf(err, errlen, "another mpctl (pid %d) runs the instance of data dir %.300s", holder, c->data_dir);
		return -1;
	}
	if (ring_path(p2, sizeof p2, c->prefix, "mpctl.lock") != 0 || take_lock(p2, &holder) < 0) {
		snprintf(err, errlen, "another mpctl (pid %d) runs ring prefix %s (/dev/shm/%s)", holder, c->prefix,
		    c->prefix);
		return -1;
	}
	return 0;
}

/* Start time of a process as CLOCK_REALTIME seconds, from /proc (0 = gone). */
static double
proc_start_s(int pid, int *session)
{
	char path[64], buf[1024], *p;
	unsigned long long st = 0;
	static double btime;
	char state;
	FILE *f;
	size_t n;

	if (!btime && (f = fopen("/proc/stat", "r"))) {
		while (fgets(buf, sizeof buf, f))
			if (strncmp(buf, "btime ", 6) == 0)
				btime = atof(buf + 6);
		fclose(f);
	}
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if (!(f = fopen(path, "r")))
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	if (!(p = strrchr(buf, ')')))
		return 0;
	/* 3 state 4 ppid 5 pgrp 6 session ... 22 starttime; a zombie is gone */
	if (sscanf(p + 2, "%c %*d %*d %d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
	    &state, session, &st) != 3 || state == 'Z' || state == 'X')
		return 0;
	return btime + (double)st / (double)sysconf(_SC_CLK_TCK);
}

/* A supervisor killed with SIGKILL leaves its children running (they are
 * session leaders).  We hold the lock now, so those are orphans: stop them
 * (last started first) before starting new ones that would fight over the
 * rings. */
static void
stop_orphans(struct ctl *c)
{
	char path[PATH_MAX + 16], name[64];
	struct { int pid; char name[64]; } o[64];
	long long start_ns;
	int n = 0, i, pid, sess;
	double st;
	FILE *f;
	int64_t deadline;

	snprintf(path, sizeof path, "%s/children", c->run_dir);
	if (!(f = fopen(path, "r")))
		return;
	while (n < 64 && fscanf(f, "%63s %d %lld", name, &pid, &start_ns) == 3) {
		st = proc_start_s(pid, &sess);
		if (st == 0 || sess != pid || st - (double)start_ns / 1e9 > 3 || (double)start_ns / 1e9 - st > 3)
			continue;
		o[n].pid = pid;
		snprintf(o[n].name, sizeof o[n].name, "%s", name);
		n++;
	}
	fclose(f);
	for (i = n - 1; i >= 0; i--) {
		log_warn("stopping a process left behind by a previous mpctl", "process=%s pid=%d", o[i].name, o[i].pid);
		kill(-o[i].pid, SIGTERM);
		kill(-o[i].pid, SIGCONT);
		deadline = ctl_mono_ns() + cfg_dur_ns(c->cfg, "mpctl", "stop_timeout");
		while (proc_start_s(o[i].pid, &sess) > 0 && ctl_mono_ns() < deadline)
			usleep(50000);
		if (proc_start_s(o[i].pid, &sess) > 0)
			kill(-o[i].pid, SIGKILL);
	}
	unlink(path);
}

static int
create_ring(struct ctl *c, const char *name, char *err, size_t errlen)
{
	struct ring *r;
	int rc = pipe_ring_open(c->cfg, name, RING_PRODUCER, &r, err, errlen);

	if (rc != 0)
		return -1;
	ring_close(r);
	return 0;
}

/* Rings exist before any process starts, with the sizes and policies of the
 * config.  An existing ring is kept (consumers resume where they were);
 * one of another layout is re-created; one of another capacity only if it
 * is empty, since re-creating it would throw unread records away. */
static int
prepare_rings(struct ctl *c, char *err, size_t errlen)
{
	char names[CTL_MAX_RINGS][32], path[PATH_MAX], e2[256];
	struct ring_opts o;
	struct ring_stat st;
	int n, i, rc;

	n = pipe_ring_names(c->cfg, names, CTL_MAX_RINGS);
	for (i = 0; i < n && i < CTL_MAX_RINGS; i++) {
		if (ring_path(path, sizeof path, c->prefix, names[i]) != 0 ||
		    pipe_ring_opts(c->cfg, names[i], &o, err, errlen) != 0) {
			if (!err[0])
				snprintf(err, errlen, "ring %s: bad path", names[i]);
			return -1;
		}
		rc = ring_stat_path(path, &st, e2, sizeof e2);
		if (rc == RING_ENOENT || (rc != 0 && access(path, F_OK) != 0)) {
			log_info("creating ring", "ring=%s capacity=%llu policy=%s", names[i],
			    (unsigned long long)o.capacity, o.policy == RING_DROP ? "drop" : "block");
		} else if (rc == RING_EBADHDR || (rc == 0 && o.schema_hash && st.schema_hash != o.schema_hash)) {
			log_warn("re-creating a ring of another layout or record schema", "ring=%s why=%s", names[i],
			    log_q(rc ? e2 : "schema hash differs"));
			ring_unlink(path);
		} else if (rc != 0) {
			snprintf(err, errlen, "ring %s: %s", names[i], e2);
			return -1;
		} else if (st.capacity != o.capacity) {
			if (st.tail != st.head) {
				snprintf(err, errlen, "ring %s holds %llu unread bytes at capacity %llu, the config wants %llu: "
				    "let it drain with the old config or remove %.300s", names[i],
				    (unsigned long long)(st.tail - st.head), (unsigned long long)st.capacity,
				    (unsigned long long)o.capacity, path);
				return -1;
			}
			log_info("re-creating an empty ring at its new capacity", "ring=%s capacity=%llu", names[i],
			    (unsigned long long)o.capacity);
			ring_unlink(path);
		} else
			continue;
		if (create_ring(c, names[i], err, errlen) != 0)
			return -1;
	}
	return 0;
}

static void
fmt_dur(double s, char *buf, size_t cap)
{
	long t = (long)s;

	if (s < 0)
		snprintf(buf, cap, "-");
	else if (t < 60)
		snprintf(buf, cap, "%lds", t);
	else if (t < 3600)
		snprintf(buf, cap, "%ldm%02lds", t / 60, t % 60);
	else if (t < 86400)
		snprintf(buf, cap, "%ldh%02ldm", t / 3600, t / 60 % 60);
	else
		snprintf(buf, cap, "%ldd%02ldh", t / 86400, t / 3600 % 24);
}

static void
print_status(json_t *j)
{
	json_t *inst = json_object_get(j, "instance"), *a, *p;
	char up[32];
	size_t i;

	fmt_dur(json_number_value(json_object_get(inst, "uptime_s")), up, sizeof up);
	printf("instance %s  pid %d  up %s  %s  http://127.0.0.1:%d/\n",
	    json_string_value(json_object_get(inst, "prefix")), (int)json_integer_value(json_object_get(inst, "pid")),
	    up, json_string_value(json_object_get(inst, "state")),
	    (int)json_integer_value(json_object_get(inst, "http_port")));
	printf("%-16s %7s  %-9s %8s %8s  %6s %8s  %s\n", "PROCESS", "PID", "STATE", "UPTIME", "RESTARTS", "CPU%",
	    "RSS(MB)", "LAST EXIT");
	a = json_object_get(j, "processes");
	json_array_foreach(a, i, p) {
		const char *le = json_string_value(json_object_get(p, "last_exit"));
		const char *fr = json_string_value(json_object_get(p, "fail_reason"));
		json_t *u = json_object_get(p, "uptime_s");
		fmt_dur(json_is_number(u) ? json_number_value(u) : -1, up, sizeof up);
		printf("%-16s %7d  %-9s %8s %8d  %6.1f %8.1f  %s%s%s\n", json_string_value(json_object_get(p, "name")),
		    (int)json_integer_value(json_object_get(p, "pid")), json_string_value(json_object_get(p, "state")), up,
		    (int)json_integer_value(json_object_get(p, "restarts")),
		    json_number_value(json_object_get(p, "cpu_ratio")) * 100,
		    (double)json_integer_value(json_object_get(p, "rss_bytes")) / 1048576.0,
		    le && *le ? le : "-", fr ? "; " : "", fr ? fr : "");
	}
	a = json_object_get(j, "connections");
	if (json_array_size(a)) {
		printf("%-16s %-14s %-6s %10s\n", "CONNECTION", "PROCESS", "STATE", "RECONNECTS");
		json_array_foreach(a, i, p) {
			char cn[64];
			const char *ex = json_string_value(json_object_get(p, "exchange"));
			snprintf(cn, sizeof cn, "%s%s%s", ex && *ex ? ex : "", ex && *ex ? " " : "",
			    json_string_value(json_object_get(p, "conn")));
			printf("%-16s %-14s %-6s %10lld\n", cn, json_string_value(json_object_get(p, "process")),
			    json_is_true(json_object_get(p, "connected")) ? "up" : "DOWN",
			    (long long)json_integer_value(json_object_get(p, "reconnects")));
		}
	}
	printf("%-16s %12s %14s %6s %10s %12s\n", "RING", "LAG(records)", "LAG(bytes)", "FILL", "DROPPED", "WRITTEN");
	a = json_object_get(j, "rings");
	json_array_foreach(a, i, p) {
		if (!json_is_true(json_object_get(p, "present"))) {
			printf("%-16s %12s\n", json_string_value(json_object_get(p, "name")), "(absent)");
			continue;
		}
		printf("%-16s %12lld %14lld %5.1f%% %10lld %12lld\n", json_string_value(json_object_get(p, "name")),
		    (long long)json_integer_value(json_object_get(p, "lag_records")),
		    (long long)json_integer_value(json_object_get(p, "lag_bytes")),
		    json_number_value(json_object_get(p, "fill")) * 100,
		    (long long)json_integer_value(json_object_get(p, "dropped")),
		    (long long)json_integer_value(json_object_get(p, "written")));
	}
	a = json_object_get(j, "alerts");
	json_array_foreach(a, i, p)
		printf("ALERT %s [%s] %s\n", json_string_value(json_object_get(p, "rule")),
		    json_string_value(json_object_get(p, "severity")), json_string_value(json_object_get(p, "message")));
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
	print_status(j);
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
	deadline = ctl_mono_ns() + (int64_t)(c->nch + 1) * cfg_dur_ns(c->cfg, "mpctl", "stop_timeout") +
	    30000000000LL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && ctl_mono_ns() < deadline) {
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
wait_started(struct ctl *c, int fd)
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
	close(fd);
	if (strncmp(buf, "ok", 2) == 0) {
		cmd_status(c, 0);
		return 0;
	}
	if (strncmp(buf, "fail ", 5) == 0) {
		char *code_end;
		long code = strtol(buf + 5, &code_end, 10);
		fprintf(stderr, "mpctl: %s", code_end + (*code_end == ' '));
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
	if (alerts_init(c, err, sizeof err) != 0) {
		fprintf(stderr, "mpctl: config error: %s\n", err);
		return 2;
	}
	if (mkdir_p(c->run_dir, 0700) != 0 || mkdir_p(c->log_dir, 0700) != 0) {
		fprintf(stderr, "mpctl: cannot create %s: %s\n", c->data_dir, strerror(errno));
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
			return wait_started(c, pfd[0]);
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
	if (lock_instance(c, err, sizeof err) != 0) {
		log_error("already running", "err=%s", log_q(err));
		if (notify >= 0)
			dprintf(notify, "fail %d %s\n", CTL_EXIT_RUNNING, err);
		else
			fprintf(stderr, "mpctl: %s\n", err);
		return CTL_EXIT_RUNNING;
	}
	c->started_ns = ctl_real_ns();
	c->started_mono = ctl_mono_ns();
	stop_orphans(c);
	if (prepare_rings(c, err, sizeof err) != 0) {
		log_error("cannot prepare the rings", "err=%s", log_q(err));
		if (notify >= 0)
			dprintf(notify, "fail 1 %s\n", err);
		else
			fprintf(stderr, "mpctl: %s\n", err);
		return 1;
	}
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
	if (cli.help || n < 2) {
		fputs(usage, cli.help ? stdout : stderr);
		if (!cli.help)
			return 2;
		fputs("\nCommon options:\n"
		    "  -c FILE                 config file (INI); without it, built-in defaults\n"
		    "  --set SECTION.KEY=VALUE override one config value (repeatable)\n"
		    "  --log-level LEVEL       debug, info, warn or error\n"
		    "  -h, --help              this text\n"
		    "\nConfiguration keys (all processes share one file):\n", stdout);
		cfg_print_reference(cfg_all_schemas, stdout);
		return 0;
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
	c->cfg = cfg_load(cli.conf, cfg_all_schemas, cli.sets, cli.nsets, err, sizeof err);
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
