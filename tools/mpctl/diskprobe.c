/*
 * diskprobe.c - the disk write capacity of the data directory, for the
 * requirement's "disk write > 100 MB/s": a quiet demo writes a trickle, which
 * says nothing about what the disk can take, so mpctl measures it itself.
 * [mpctl] disk_probe_size bytes (default 64 MiB) are written in 1 MiB
 * writes to <data_dir>/.mpctl-diskprobe and made durable with fdatasync; the
 * rate is size / (time of the writes + fdatasync).  The file is removed at
 * once.  Once shortly after start, then every disk_probe_interval, on a
 * thread of its own so that supervision never waits for the disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mpctl.h"

#define CHUNK (1u << 20)

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int running;
static int64_t next_mono;          /* 0 = first probe not scheduled yet */
static struct diskprobe_result last;
static char path[PATH_MAX];
static int64_t size;

static void *
probe_thread(void *arg)
{
	struct diskprobe_result r;
	unsigned char *buf = malloc(CHUNK);
	int64_t t0, left = size;
	int fd;

	(void)arg;
	memset(&r, 0, sizeof r);
	r.bytes = size;
	r.at_ns = now_ns();
	if (!buf) {
		snprintf(r.error, sizeof r.error, "out of memory");
		goto out;
	}
	/* not zeros: a file system that compresses or dedups would flatter the disk */
	for (unsigned i = 0; i < CHUNK; i++)
		buf[i] = (unsigned char)(i * 2654435761u >> 13);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(r.error, sizeof r.error, "open %.200s: %s", path, strerror(errno));
		goto out;
	}
	t0 = mono_ns();
	while (left > 0) {
		size_t n = left < CHUNK ? (size_t)left : CHUNK;
		ssize_t w = write(fd, buf, n);
		if (w <= 0) {
			snprintf(r.error, sizeof r.error, "write: %s", w < 0 ? strerror(errno) : "short write");
			break;
		}
		left -= w;
	}
	if (!r.error[0] && fdatasync(fd) != 0)
		snprintf(r.error, sizeof r.error, "fdatasync: %s", strerror(errno));
	r.seconds = (double)(mono_ns() - t0) / 1e9;
	close(fd);
	unlink(path);
	if (!r.error[0] && r.seconds > 0)
		r.bytes_per_s = (double)size / r.seconds;
out:
	free(buf);
	if (r.error[0])
		log_warn("disk write probe failed", "path=%s err=%s", log_q(path), log_q(r.error));
	else
		log_info("disk write probe", "path=%s bytes=%lld seconds=%.3f mb_per_s=%.1f", log_q(path),
		    (long long)size, r.seconds, r.bytes_per_s / 1e6);
	pthread_mutex_lock(&mu);
	r.done = 1;
	last = r;
	running = 0;
	pthread_mutex_unlock(&mu);
	return NULL;
}

void
diskprobe_tick(struct ctl *c)
{
	int64_t now = c->tick_mono;
	pthread_attr_t at;
	pthread_t th;

	int64_t want = cfg_size(c->cfg, "mpctl", "disk_probe_size");

	if (want <= 0)
		return;
	pthread_mutex_lock(&mu);
	if (running || (next_mono && now < next_mono)) {
		pthread_mutex_unlock(&mu);
		return;
	}
	if (!next_mono) {
		/* let start-up settle first: the daemons open their files now */
		next_mono = now + 2000000000LL;
		pthread_mutex_unlock(&mu);
		return;
	}
	next_mono = now + cfg_dur_ns(c->cfg, "mpctl", "disk_probe_interval");
	/* path and size are read by the thread: set only while none runs */
	snprintf(path, sizeof path, "%s/.mpctl-diskprobe", c->data_dir);
	size = want;
	running = 1;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &at, probe_thread, NULL) != 0) {
		running = 0;
		snprintf(last.error, sizeof last.error, "cannot start the probe thread");
	}
	pthread_attr_destroy(&at);
	pthread_mutex_unlock(&mu);
}

void
diskprobe_get(struct diskprobe_result *out)
{
	pthread_mutex_lock(&mu);
	*out = last;
	out->running = running;
	pthread_mutex_unlock(&mu);
}
