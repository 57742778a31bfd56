/*
 * setup.c - what `mpctl start` does before supervising: take the instance's
 * locks, stop the orphans a killed supervisor left behind, create the
 * rings with the sizes and policies of the config, and start the new
 * instance's counts at zero.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mpctl.h"
#include "pipe.h"

/* flock a file and write our pid in it.  -1 with the holder's pid in *holder
 * when another process holds it; -2 with errno set when the file cannot be
 * opened at all (a missing directory is not a held lock). */
static int
take_lock(const char *path, int *holder)
{
	char buf[32];
	int fd, len;
	ssize_t n;

	*holder = 0;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -2;
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

int
setup_lock(struct ctl *c, char *err, size_t errlen)
{
	char p1[PATH_MAX + 16], p2[PATH_MAX];
	int holder, r;

	snprintf(p1, sizeof p1, "%s/mpctl.lock", c->run_dir);
	if ((r = take_lock(p1, &holder)) < 0) {
		if (r == -2)
			snprintf(err, errlen, "cannot open the lock file %.300s: %s", p1, strerror(errno));
		else
			snprintf(err, errlen, "another mpctl (pid %d) runs the instance of data dir %.300s", holder,
			    c->data_dir);
		return r;
	}
	if (ring_path(p2, sizeof p2, c->prefix, "mpctl.lock") != 0) {
		snprintf(err, errlen, "ring prefix %s: cannot make the directory /dev/shm/%s: %s", c->prefix,
		    c->prefix, strerror(errno));
		return -2;
	}
	if ((r = take_lock(p2, &holder)) < 0) {
		if (r == -2)
			snprintf(err, errlen, "cannot open the lock file %.300s: %s", p2, strerror(errno));
		else
			snprintf(err, errlen, "another mpctl (pid %d) runs ring prefix %s (/dev/shm/%s)", holder,
			    c->prefix, c->prefix);
		return r;
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
void
setup_stop_orphans(struct ctl *c)
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
		deadline = mono_ns() + cfg_dur_ns(c->cfg, "mpctl", "stop_timeout");
		while (proc_start_s(o[i].pid, &sess) > 0 && mono_ns() < deadline)
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
 * one of another layout is re-created; one of another capacity, policy or
 * record limit only if it is empty, since re-creating it would throw unread
 * records away. */
int
setup_rings(struct ctl *c, char *err, size_t errlen)
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
		} else if (st.capacity != o.capacity || st.policy != o.policy || st.max_record != o.max_record) {
			/* ring_open refuses a ring whose size, policy or record limit
			 * differs from the config, so the daemons could not attach. */
			if (st.tail != st.head) {
				snprintf(err, errlen, "ring %s holds %llu unread bytes at capacity %llu policy %s, the config "
				    "wants capacity %llu policy %s: let it drain with the old config or remove %.300s", names[i],
				    (unsigned long long)(st.tail - st.head), (unsigned long long)st.capacity,
				    st.policy == RING_DROP ? "drop" : "block", (unsigned long long)o.capacity,
				    o.policy == RING_DROP ? "drop" : "block", path);
				return -1;
			}
			log_info("re-creating an empty ring with its new settings", "ring=%s capacity=%llu policy=%s",
			    names[i], (unsigned long long)o.capacity, o.policy == RING_DROP ? "drop" : "block");
			ring_unlink(path);
		} else
			continue;
		if (create_ring(c, names[i], err, errlen) != 0)
			return -1;
	}
	return 0;
}

void
setup_new_instance(struct ctl *c)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], err[256];
	struct dirent *de;
	int n = 0, i;
	DIR *d;

	snprintf(dir, sizeof dir, "/dev/shm/%s", c->prefix);
	if ((d = opendir(dir))) {
		while ((de = readdir(d)))
			if (strncmp(de->d_name, "metrics.", 8) == 0) {
				snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
				if (unlink(path) == 0)
					n++;
				else
					log_warn("cannot remove an old metrics file", "path=%s err=%s", log_q(path),
					    log_q(strerror(errno)));
			}
		closedir(d);
	}
	if (n)
		log_info("counters start at zero: metrics files of earlier runs removed", "files=%d", n);
	/* a disk probe cut short by the previous instance's exit (diskprobe.c) */
	snprintf(path, sizeof path, "%s/.mpctl-diskprobe", c->data_dir);
	unlink(path);
	c->nrings = pipe_ring_names(c->cfg, c->ring_names, CTL_MAX_RINGS);
	if (c->nrings > CTL_MAX_RINGS)
		c->nrings = CTL_MAX_RINGS;
	for (i = 0; i < c->nrings; i++) {
		c->ring_base_ok[i] = ring_path(path, sizeof path, c->prefix, c->ring_names[i]) == 0 &&
		    ring_stat_path(path, &c->ring_base[i], err, sizeof err) == 0;
	}
}

/* A directory only we may write to: ours, not a symlink, no write bit for
 * group or others.  Read bits for others are taken away (ring contents are
 * the instance's data); a directory others could write to is refused, since
 * files planted in it (rings, locks, the control socket) cannot be trusted. */
static int
private_dir(const char *dir, const char *what, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(dir, &st) != 0) {
		snprintf(err, errlen, "%s %.300s: %s", what, dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		snprintf(err, errlen, "%s %.300s is %s (owner uid %d, mode %04o): others could plant or change files "
		    "in it; remove it, or check its contents and chmod 0700", what, dir,
		    !S_ISDIR(st.st_mode) ? "not a directory" : st.st_uid != geteuid() ? "not ours" : "writable by others",
		    (int)st.st_uid, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	if ((st.st_mode & 077) && chmod(dir, 0700) != 0) {
		snprintf(err, errlen, "%s %.300s: chmod 0700: %s", what, dir, strerror(errno));
		return -1;
	}
	if (st.st_mode & 077)
		log_warn("directory was readable by others: now 0700", "dir=%s mode=%04o", log_q(dir),
		    (unsigned)(st.st_mode & 07777));
	return 0;
}

int
setup_private_dirs(struct ctl *c, char *err, size_t errlen)
{
	char p[PATH_MAX];

	if (ring_path(p, sizeof p, c->prefix, "mpctl.lock") != 0) {
		snprintf(err, errlen, "ring directory /dev/shm/%s: %s", c->prefix, strerror(errno));
		return -1;
	}
	*strrchr(p, '/') = 0;
	if (private_dir(p, "ring directory", err, errlen) != 0)
		return -1;
	return private_dir(c->run_dir, "run directory", err, errlen);
}

/* Where credentials are readable by every user of the host, say so (once,
 * at start; the values themselves are never logged).  A group-readable file
 * is fine (the unit installs it 0640 for the service group). */
void
setup_check_secrets(struct ctl *c)
{
	static const char *const keys[][2] = {
		{"nats", "password"}, {"nats", "token"}, {"clickhouse", "password"},
	};
	struct stat st;
	const char *v;
	char pre[64];
	size_t k;
	int i, any = 0;

	for (k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		v = procs_opt_str(c->cfg, keys[k][0], keys[k][1]);
		if (!v || !*v)
			continue;
		any = 1;
		snprintf(pre, sizeof pre, "%s.%s=", keys[k][0], keys[k][1]);
		for (i = 0; i < c->nsets; i++)
			if (strncmp(c->sets[i], pre, strlen(pre)) == 0)
				log_warn("a credential is on the command line, which every user of the host can read "
				    "(ps, /proc/PID/cmdline) and mpctl passes to every child: put it in the config file "
				    "(mode 0600)", "key=%s.%s", keys[k][0], keys[k][1]);
	}
	if (any && c->conf_path && stat(c->conf_path, &st) == 0 && (st.st_mode & 004))
		log_warn("the config file holds credentials and others can read it: chmod 0600", "path=%s mode=%04o",
		    log_q(c->conf_path), (unsigned)(st.st_mode & 07777));
}
