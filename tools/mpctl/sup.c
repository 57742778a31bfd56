/*
 * sup.c - the supervisor: one poll() loop that starts the children in order,
 * waits for their readiness, restarts the dead ones with backoff, gives up on
 * a child that dies too often, and stops everything in reverse order.
 *
 * Lessons applied (research/rings-supervision-libs-style.md section 2):
 * signals arrive through a signalfd and are handled in the loop, never in a
 * handler; every child is a session leader (setsid) so it cannot signal us
 * and we can signal its whole process group; readiness comes from a pipe the
 * child writes "ready\n" to (s6 notification-fd), or for nats-server from its
 * port accepting; a restart waits at least backoff_min, doubling on each death
 * unless the child had been ready for backoff_reset (s6's rule); N deaths in
 * T seconds mark the child failed (s6-permafailon, Erlang MaxR/MaxT); exit
 * codes in fatal_exit_codes are never retried (runit/systemd's "config
 * error").  A given-up child is tried again every failed_retry_interval
 * (one attempt each time, alert kept) so that a dependency that comes back
 * late, such as nats-server, is not left dead for good.  Stopping sends SIGTERM+SIGCONT to the group, waits stop_timeout,
 * then SIGKILLs the group, one child at a time in reverse start order.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mpctl.h"

extern char **environ;

static int sig_fd = -1;
static int state_dirty;

const char *
proc_state_name(enum proc_state s)
{
	switch (s) {
	case PS_STOPPED: return "stopped";
	case PS_STARTING: return "starting";
	case PS_READY: return "ready";
	case PS_BACKOFF: return "backoff";
	case PS_STOPPING: return "stopping";
	case PS_FAILED: return "failed";
	}
	return "?";
}

struct child *
sup_find(struct ctl *c, const char *name)
{
	int i;

	for (i = 0; i < c->nch; i++)
		if (strcmp(c->ch[i].name, name) == 0)
			return &c->ch[i];
	return NULL;
}

static void
set_state(struct child *ch, enum proc_state s)
{
	ch->state = s;
	state_dirty = 1;
}

/* The environment of a child: ours, minus a stale MP_READY_FD, plus its own. */
static char **
child_env(const struct child *ch, char *ready, char *pname)
{
	char **env;
	int n = 0, i, j = 0;

	while (environ[n])
		n++;
	if (!(env = calloc((size_t)n + 3, sizeof *env)))
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "MP_READY_FD=", 12) != 0 && strncmp(environ[i], "MP_PROCESS=", 11) != 0)
			env[j++] = environ[i];
	if (ch->ready == READY_FD)
		env[j++] = ready;
	env[j++] = pname;
	env[j] = NULL;
	return env;
}

/* Spawn one child: a new session, stdin /dev/null, stdout+stderr appended to
 * <log_dir>/<name>.log, readiness pipe on fd 3, nothing else inherited. */
static int
spawn(struct ctl *c, struct child *ch)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, defs;
	char logpath[PATH_MAX + 40], ready[] = "MP_READY_FD=3", pname[64];
	char **env;
	int pfd[2] = {-1, -1}, logfd, rc;
	pid_t pid;

	snprintf(logpath, sizeof logpath, "%s/%s.log", c->log_dir, ch->name);
	logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (logfd < 0) {
		log_error("cannot open child log", "process=%s path=%s err=%s", ch->name, log_q(logpath),
		    log_q(strerror(errno)));
		return -1;
	}
	if (ch->ready == READY_FD && pipe2(pfd, O_CLOEXEC) != 0) {
		close(logfd);
		return -1;
	}
	snprintf(pname, sizeof pname, "MP_PROCESS=%s", ch->name);
	if (!(env = child_env(ch, ready, pname))) {
		close(logfd);
		if (pfd[0] >= 0) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, logfd, 1);
	posix_spawn_file_actions_adddup2(&fa, logfd, 2);
	if (pfd[1] >= 0)
		posix_spawn_file_actions_adddup2(&fa, pfd[1], 3);
	/* Whatever else we hold (sockets, locks, nats.c's fds) stays with us. */
	posix_spawn_file_actions_addclosefrom_np(&fa, pfd[1] >= 0 ? 4 : 3);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&defs);
	sigaddset(&defs, SIGTERM);
	sigaddset(&defs, SIGINT);
	sigaddset(&defs, SIGHUP);
	sigaddset(&defs, SIGCHLD);
	sigaddset(&defs, SIGPIPE);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &defs);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	{
		/* A marker line in the child's log, so restarts are visible there. */
		char line[256];
		int len = snprintf(line, sizeof line, "---- mpctl: starting %s (restart %u) ----\n",
		    ch->name, ch->restarts);
		if (write(logfd, line, (size_t)len) < 0)
			log_warn("cannot write child log", "process=%s", ch->name);
	}
	rc = posix_spawn(&pid, ch->prog, &fa, &at, ch->argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(env);
	close(logfd);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (rc != 0) {
		if (pfd[0] >= 0)
			close(pfd[0]);
		log_error("cannot start process", "process=%s prog=%s err=%s", ch->name, log_q(ch->prog),
		    log_q(strerror(rc)));
		snprintf(ch->last_exit, sizeof ch->last_exit, "spawn failed: %s", strerror(rc));
		return -1;
	}
	if (pfd[0] >= 0)
		fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	ch->pid = pid;
	ch->ready_fd = pfd[0];
	ch->start_ns = now_ns();
	ch->start_mono = mono_ns();
	ch->ready_mono = 0;
	ch->probe_mono = ch->start_mono;
	ch->killed = 0;
	ch->ready_timed_out = 0;
	ch->cpu_ticks_prev = 0;
	ch->cpu_mono_prev = 0;
	ch->wbytes_prev = 0;
	set_state(ch, PS_STARTING);
	log_info("process started", "process=%s pid=%d restarts=%u", ch->name, (int)pid, ch->restarts);
	return 0;
}

static int
is_fatal_code(struct ctl *c, int code)
{
	const char *items[32];
	int n, i;

	n = cfg_list(c->cfg, "mpctl", "fatal_exit_codes", items, 32);
	for (i = 0; i < n && i < 32; i++)
		if (atoi(items[i]) == code)
			return 1;
	return 0;
}

static unsigned
deaths_within(const struct child *ch, int64_t now, int64_t window)
{
	unsigned i, n = 0, have = ch->ndeaths < CTL_DEATH_HIST ? ch->ndeaths : CTL_DEATH_HIST;

	for (i = 0; i < have; i++)
		if (now - ch->deaths[i] <= window)
			n++;
	return n;
}

static void
start_backoff(struct ctl *c, struct child *ch, int64_t now)
{
	int64_t lo = cfg_dur_ns(c->cfg, "mpctl", "backoff_min");
	int64_t hi = cfg_dur_ns(c->cfg, "mpctl", "backoff_max");
	int64_t delay = lo;
	unsigned i;

	for (i = 0; i < ch->backoff_exp && delay < hi; i++)
		delay *= 2;
	if (delay > hi)
		delay = hi;
	/* Up to 10 % jitter, always upwards so backoff_min stays a floor. */
	delay += (int64_t)((double)delay * 0.1 * ((double)rand() / RAND_MAX));
	ch->backoff_exp++;
	ch->next_mono = now + delay;
	set_state(ch, PS_BACKOFF);
	log_info("restart scheduled", "process=%s delay_ms=%lld", ch->name, (long long)(delay / 1000000));
}

static void
fail_child(struct ctl *c, struct child *ch, const char *why, int64_t now)
{
	int64_t retry = cfg_dur_ns(c->cfg, "mpctl", "failed_retry_interval");

	snprintf(ch->fail_reason, sizeof ch->fail_reason, "%s", why);
	ch->retry_mono = retry > 0 ? now + retry : 0;
	set_state(ch, PS_FAILED);
	log_error(ch->retrying ? "retry failed, giving up again" : "giving up on process",
	    "process=%s reason=%s last_exit=%s retry_in_ms=%lld", ch->name, log_q(why), log_q(ch->last_exit),
	    (long long)(retry > 0 ? retry / 1000000 : -1));
	ch->retrying = 0;
}

/* A death that was not asked for: restart with backoff, or give up. */
static void
count_death(struct ctl *c, struct child *ch, int code, int64_t now)
{
	int64_t window = cfg_dur_ns(c->cfg, "mpctl", "intensity_window");
	unsigned limit = (unsigned)cfg_int(c->cfg, "mpctl", "intensity_max"), n;
	char why[128];

	ch->deaths[ch->ndeaths % CTL_DEATH_HIST] = now;
	ch->ndeaths++;
	if (code >= 0 && is_fatal_code(c, code)) {
		snprintf(why, sizeof why, "exit code %d is fatal (configuration error?): see log/%s.log",
		    code, ch->name);
		fail_child(c, ch, why, now);
		return;
	}
	if (ch->retrying) {
		/* The slow retry of a given-up child died before it was ready:
		 * back to failed with the same reason, next try in an interval. */
		snprintf(why, sizeof why, "%s", ch->fail_reason);
		fail_child(c, ch, why, now);
		return;
	}
	n = deaths_within(ch, now, window);
	if (n >= limit) {
		snprintf(why, sizeof why, "%u deaths within %llds", n, (long long)(window / 1000000000LL));
		fail_child(c, ch, why, now);
		return;
	}
	/* s6's rule: a child that had been ready long enough starts over. */
	if (ch->ready_mono && now - ch->ready_mono >= cfg_dur_ns(c->cfg, "mpctl", "backoff_reset"))
		ch->backoff_exp = 0;
	start_backoff(c, ch, now);
}

/* posix_spawn itself failed (last_exit says why): a death like any other. */
static void
spawn_failed(struct ctl *c, struct child *ch)
{
	ch->last_exit_ns = now_ns();
	if (c->stopping_all)
		set_state(ch, PS_STOPPED);
	else
		count_death(c, ch, -1, mono_ns());
}

static void
on_exit_status(struct ctl *c, struct child *ch, int status)
{
	int64_t now = mono_ns();
	int code = -1;

	if (WIFEXITED(status)) {
		code = WEXITSTATUS(status);
		snprintf(ch->last_exit, sizeof ch->last_exit, "exit %d", code);
	} else if (WIFSIGNALED(status)) {
		snprintf(ch->last_exit, sizeof ch->last_exit, "signal %d (%s)%s", WTERMSIG(status),
		    strsignal(WTERMSIG(status)), WCOREDUMP(status) ? ", core dumped" : "");
	} else
		snprintf(ch->last_exit, sizeof ch->last_exit, "status 0x%x", status);
	ch->last_exit_ns = now_ns();
	if (ch->ready_fd >= 0) {
		close(ch->ready_fd);
		ch->ready_fd = -1;
	}
	log_line(ch->state == PS_STOPPING ? LOG_INFO : LOG_WARN, "process exited", "process=%s pid=%d how=%s up_ms=%lld",
	    ch->name, (int)ch->pid, log_q(ch->last_exit), (long long)((now - ch->start_mono) / 1000000));
	ch->pid = 0;

	if (ch->state == PS_STOPPING) {
		if (ch->restart_after_stop && !c->stopping_all) {
			ch->restart_after_stop = 0;
			ch->restarts++;
			if (spawn(c, ch) != 0)
				spawn_failed(c, ch);
		} else
			set_state(ch, PS_STOPPED);
		return;
	}
	if (c->stopping_all) {
		set_state(ch, PS_STOPPED);
		return;
	}
	count_death(c, ch, code, now);
}

static void
reap(struct ctl *c)
{
	int status, i;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < c->nch; i++)
			if (c->ch[i].pid == pid) {
				on_exit_status(c, &c->ch[i], status);
				break;
			}
	}
}

static void
signal_group(struct child *ch, int sig)
{
	if (ch->pid <= 0)
		return;
	/* The child is a session (and group) leader: reach its helpers too. */
	if (kill(-ch->pid, sig) != 0)
		kill(ch->pid, sig);
}

static void
begin_stop(struct ctl *c, struct child *ch)
{
	signal_group(ch, SIGTERM);
	signal_group(ch, SIGCONT);
	ch->next_mono = mono_ns() + cfg_dur_ns(c->cfg, "mpctl", "stop_timeout");
	ch->killed = 0;
	set_state(ch, PS_STOPPING);
	log_info("stopping process", "process=%s pid=%d", ch->name, (int)ch->pid);
}

int
sup_restart(struct ctl *c, const char *name, char *err, size_t errlen)
{
	struct child *ch = sup_find(c, name);

	if (!ch) {
		snprintf(err, errlen, "no process named %s", name);
		return -1;
	}
	if (c->stopping_all) {
		snprintf(err, errlen, "stopping: no restarts");
		return -1;
	}
	log_info("restart requested", "process=%s state=%s", ch->name, proc_state_name(ch->state));
	if (ch->pid > 0) {
		if (ch->state != PS_STOPPING)
			begin_stop(c, ch);
		ch->restart_after_stop = 1;
		return 0;
	}
	/* Not running (backoff, failed, stopped): an operator restart forgives the past. */
	ch->ndeaths = 0;
	ch->backoff_exp = 0;
	ch->fail_reason[0] = 0;
	ch->retry_mono = 0;
	ch->retrying = 0;
	ch->restarts++;
	if (spawn(c, ch) != 0)
		spawn_failed(c, ch);
	return 0;
}

void
sup_request_stop(struct ctl *c)
{
	if (c->stopping_all)
		return;
	log_info("stopping all processes", "count=%d", c->nch);
	c->stopping_all = 1;
	c->starting_all = 0;
	c->stop_index = c->nch - 1;
}

/* One step of the reverse-order stop; returns 1 when everything is down. */
static int
stop_step(struct ctl *c, int64_t now)
{
	struct child *ch;

	while (c->stop_index >= 0) {
		ch = &c->ch[c->stop_index];
		if (ch->pid <= 0) {
			if (ch->state != PS_FAILED)
				set_state(ch, PS_STOPPED);
			c->stop_index--;
			continue;
		}
		if (ch->state != PS_STOPPING)
			begin_stop(c, ch);
		else if (!ch->killed && now >= ch->next_mono) {
			log_warn("process did not stop in time: SIGKILL", "process=%s pid=%d", ch->name, (int)ch->pid);
			signal_group(ch, SIGKILL);
			ch->killed = 1;
		}
		return 0;
	}
	return 1;
}

/* Does the port accept?  Non-blocking, at most 100 ms: a listener whose
 * backlog is full drops the SYN, and a blocking connect would then stall the
 * whole supervisor (and its control socket) through the SYN retries. */
static int
tcp_probe(int port)
{
	struct sockaddr_in sa;
	struct pollfd p;
	int fd, ok = 0, e = 0;
	socklen_t el = sizeof e;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return 0;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
		ok = 1;
	else if (errno == EINPROGRESS) {
		p.fd = fd;
		p.events = POLLOUT;
		p.revents = 0;
		ok = poll(&p, 1, 100) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) == 0 && e == 0;
	}
	close(fd);
	return ok;
}

static void
mark_ready(struct child *ch, int64_t now)
{
	ch->ready_mono = now;
	set_state(ch, PS_READY);
	log_info("process ready", "process=%s pid=%d after_ms=%lld", ch->name, (int)ch->pid,
	    (long long)((now - ch->start_mono) / 1000000));
	if (ch->retrying) {
		/* Up again after it was given up: the process_failed alert resolves.
		 * Its past deaths stay counted, so a relapse fails it again soon. */
		log_info("given-up process is up again", "process=%s was=%s", ch->name, log_q(ch->fail_reason));
		ch->retrying = 0;
		ch->fail_reason[0] = 0;
	}
}

static void
read_ready(struct child *ch, int64_t now)
{
	char buf[64];
	ssize_t n = read(ch->ready_fd, buf, sizeof buf - 1);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		buf[n] = 0;
		if (strstr(buf, "ready") && ch->state == PS_STARTING)
			mark_ready(ch, now);
		return;
	}
	/* EOF: the child closed its end (after "ready", or without ever saying it). */
	close(ch->ready_fd);
	ch->ready_fd = -1;
}

/* Timers: backoff expiry, stop deadlines, readiness probes and timeouts, start-up order. */
static void
timers(struct ctl *c, int64_t now, int notify_fd)
{
	int64_t rt = cfg_dur_ns(c->cfg, "mpctl", "ready_timeout");
	struct child *ch;
	int i;

	for (i = 0; i < c->nch; i++) {
		ch = &c->ch[i];
		if (ch->state == PS_BACKOFF && now >= ch->next_mono && !c->stopping_all) {
			ch->restarts++;
			if (spawn(c, ch) != 0) {
				spawn_failed(c, ch);
				continue;
			}
		}
		if (ch->state == PS_FAILED && ch->retry_mono && now >= ch->retry_mono && !c->stopping_all) {
			log_warn("retrying given-up process", "process=%s reason=%s", ch->name, log_q(ch->fail_reason));
			ch->retry_mono = 0;
			ch->retrying = 1;
			ch->restarts++;
			if (spawn(c, ch) != 0) {
				spawn_failed(c, ch);
				continue;
			}
		}
		if (ch->state == PS_STARTING && ch->ready == READY_TCP && now >= ch->probe_mono) {
			ch->probe_mono = now + 100000000LL;
			if (tcp_probe(ch->ready_port))
				mark_ready(ch, now);
		}
		if (ch->state == PS_STARTING && !ch->ready_timed_out && now - ch->start_mono > rt) {
			ch->ready_timed_out = 1;
			log_warn("process not ready in time", "process=%s pid=%d timeout_ms=%lld", ch->name,
			    (int)ch->pid, (long long)(rt / 1000000));
		}
		if (ch->state == PS_STOPPING && !c->stopping_all && !ch->killed && now >= ch->next_mono) {
			log_warn("process did not stop in time: SIGKILL", "process=%s pid=%d", ch->name, (int)ch->pid);
			signal_group(ch, SIGKILL);
			ch->killed = 1;
		}
	}
	/* Start-up: the next child starts when the previous one is ready (or
	 * failed, or out of time), so consumers exist before their producers. */
	while (c->starting_all) {
		if (c->startup_next >= c->nch) {
			c->starting_all = 0;
			log_info("all processes started", "count=%d", c->nch);
			if (notify_fd >= 0 && write(notify_fd, "ok\n", 3) < 0)
				log_warn("cannot notify the starting command", NULL);
			break;
		}
		ch = &c->ch[c->startup_next];
		if (ch->state == PS_STOPPED && ch->start_mono == 0) {
			if (spawn(c, ch) != 0)
				spawn_failed(c, ch);
			break;
		}
		if (ch->state == PS_READY || ch->state == PS_FAILED || now - ch->start_mono > rt ||
		    ch->ready_timed_out) {
			c->startup_next++;
			continue;
		}
		break;
	}
}

static int64_t
next_deadline(struct ctl *c, int64_t now, int64_t tick_at)
{
	int64_t t = tick_at;
	int i;

	for (i = 0; i < c->nch; i++) {
		const struct child *ch = &c->ch[i];
		if ((ch->state == PS_BACKOFF || ch->state == PS_STOPPING) && ch->next_mono < t)
			t = ch->next_mono;
		if (ch->state == PS_FAILED && ch->retry_mono && ch->retry_mono < t)
			t = ch->retry_mono;
		if (ch->state == PS_STARTING) {
			if (ch->ready == READY_TCP && ch->probe_mono < t)
				t = ch->probe_mono;
			if (!ch->ready_timed_out) {
				int64_t rt = ch->start_mono + cfg_dur_ns(c->cfg, "mpctl", "ready_timeout") + 1;
				if (rt < t)
					t = rt;
			}
		}
	}
	if (http_next_deadline() < t)
		t = http_next_deadline() + 1;   /* just past it: http_handle drops at now > deadline */
	if (c->stopping_all || c->starting_all)
		if (now + 100000000LL < t)
			t = now + 100000000LL;
	return t;
}

/* Children append to their logs (O_APPEND), so truncating a log in place
 * is safe: the next line lands at offset 0.  The old content is kept as
 * NAME.log.1 (copy + truncate, as logrotate's copytruncate does). */
static void
rotate_logs(struct ctl *c)
{
	int64_t max = cfg_size(c->cfg, "mpctl", "log_max_size");
	char path[PATH_MAX + 40], old[PATH_MAX + 48];
	struct stat st;
	int i, in, out;
	off_t off;

	if (max <= 0)
		return;
	for (i = 0; i < c->nch; i++) {
		snprintf(path, sizeof path, "%s/%s.log", c->log_dir, c->ch[i].name);
		if (stat(path, &st) != 0 || st.st_size <= max)
			continue;
		snprintf(old, sizeof old, "%s.1", path);
		in = open(path, O_RDONLY | O_CLOEXEC);
		out = open(old, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
		off = 0;
		if (in >= 0 && out >= 0)
			while (off < st.st_size && copy_file_range(in, &off, out, NULL, (size_t)(st.st_size - off), 0) > 0)
				;
		if (in >= 0)
			close(in);
		if (out >= 0)
			close(out);
		if (truncate(path, 0) == 0)
			log_info("child log rotated", "process=%s bytes=%lld kept=%s", c->ch[i].name,
			    (long long)st.st_size, log_q(old));
	}
}

/* The status twin on disk (s6's supervise/status, runit's stat): written by
 * temp file + rename, for readers that do not want to talk to the socket. */
static void
write_status(struct ctl *c)
{
	char path[PATH_MAX + 32], tmp[PATH_MAX + 32];
	json_t *j = report_status(c);
	FILE *f;
	int i;

	snprintf(path, sizeof path, "%s/status.json", c->run_dir);
	snprintf(tmp, sizeof tmp, "%s/status.json.new", c->run_dir);
	if (j && json_dump_file(j, tmp, JSON_INDENT(1)) == 0)
		rename(tmp, path);
	json_decref(j);
	/* Children pids: a later mpctl stops orphans a killed mpctl left behind. */
	snprintf(path, sizeof path, "%s/children", c->run_dir);
	snprintf(tmp, sizeof tmp, "%s/children.new", c->run_dir);
	if ((f = fopen(tmp, "w"))) {
		for (i = 0; i < c->nch; i++)
			if (c->ch[i].pid > 0)
				fprintf(f, "%s %d %lld\n", c->ch[i].name, (int)c->ch[i].pid,
				    (long long)c->ch[i].start_ns);
		if (fclose(f) == 0)
			rename(tmp, path);
	}
}

static int
setup_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* Blocked before any thread exists, so nats.c's threads inherit the mask. */
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return sig_fd < 0 ? -1 : 0;
}

static void
handle_signals(struct ctl *c)
{
	struct signalfd_siginfo si;

	while (read(sig_fd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			break;   /* reaped below */
		case SIGTERM:
		case SIGINT:
			log_info("signal received", "signal=%s", strsignal((int)si.ssi_signo));
			sup_request_stop(c);
			break;
		case SIGHUP:
			log_info("SIGHUP ignored (use mpctl restart NAME)", NULL);
			break;
		}
	}
	reap(c);
}

int
sup_run(struct ctl *c, int notify_fd)
{
	struct pollfd pfd[CTL_MAX_CHILDREN + 80];
	int idx_ready[CTL_MAX_CHILDREN];
	int64_t now, tick_at, interval, deadline;
	int n, nhttp, i, timeout_ms;
	char err[512];

	if (setup_signals() != 0) {
		log_error("cannot set up signals", "err=%s", log_q(strerror(errno)));
		return 1;
	}
	srand((unsigned)getpid() ^ (unsigned)mono_ns());
	if (http_listen(c, err, sizeof err) != 0) {
		log_error("cannot listen", "err=%s", log_q(err));
		if (notify_fd >= 0)
			dprintf(notify_fd, "fail 1 %s\n", err);
		return 1;
	}
	if (c->nats_url[0])
		natsmon_start(c);
	c->starting_all = 1;
	c->startup_next = 0;
	interval = cfg_dur_ns(c->cfg, "mpctl", "metrics_interval");
	tick_at = mono_ns();
	log_info("supervisor running", "prefix=%s data_dir=%s processes=%d http_port=%d pid=%d", log_q(c->prefix),
	    log_q(c->data_dir), c->nch, (int)cfg_int(c->cfg, "mpctl", "http_port"), (int)getpid());

	for (;;) {
		now = mono_ns();
		if (c->stopping_all && stop_step(c, now))
			break;
		timers(c, now, notify_fd);
		if (now >= tick_at) {
			collect_tick(c);
			c->nstreams = natsmon_streams(c->streams, 16, &c->nats_connected);
			alerts_eval(c);
			rotate_logs(c);
			write_status(c);
			state_dirty = 0;
			tick_at = now + interval;
		} else if (state_dirty) {
			write_status(c);
			state_dirty = 0;
		}

		n = 0;
		pfd[n].fd = sig_fd;
		pfd[n++].events = POLLIN;
		for (i = 0; i < c->nch; i++) {
			idx_ready[i] = -1;
			if (c->ch[i].ready_fd >= 0) {
				idx_ready[i] = n;
				pfd[n].fd = c->ch[i].ready_fd;
				pfd[n++].events = POLLIN;
			}
		}
		nhttp = http_pollfds(c, &pfd[n], (int)(sizeof pfd / sizeof pfd[0]) - n);
		deadline = next_deadline(c, now, tick_at);
		timeout_ms = deadline <= now ? 0 : (int)((deadline - now + 999999) / 1000000);
		if (poll(pfd, (nfds_t)(n + nhttp), timeout_ms) < 0 && errno != EINTR) {
			log_error("poll failed", "err=%s", log_q(strerror(errno)));
			break;
		}
		now = mono_ns();
		if (pfd[0].revents)
			handle_signals(c);
		for (i = 0; i < c->nch; i++)
			if (idx_ready[i] >= 0 && pfd[idx_ready[i]].revents && c->ch[i].ready_fd == pfd[idx_ready[i]].fd)
				read_ready(&c->ch[i], now);
		http_handle(c, &pfd[n], nhttp);
		if (c->exit_now)
			sup_request_stop(c);
	}
	log_info("all processes stopped", NULL);
	write_status(c);
	natsmon_stop();
	http_close_all(c);
	alerts_free(c);
	collect_free(c);
	close(sig_fd);
	return 0;
}
