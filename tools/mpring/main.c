/*
 * mpring - the ring inspector: list rings, show a ring's header, positions,
 * lag, rates, counters and heartbeats, and decode or follow its records.
 * Strictly read-only (RING_INSPECT maps the file PROT_READ), so it is safe
 * to point at a live pipeline.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "daemon.h"
#include "log.h"
#include "mpring.h"
#include "pipe.h"
#include "rec.h"
#include "sbuf.h"

static const char usage[] =
    "usage: mpring [options] COMMAND [ARG]\n"
    "Inspect the shared-memory rings, read-only: it never moves a ring's head\n"
    "and never writes to a ring file.\n"
    "\n"
    "Commands:\n"
    "  list [DIR]      rings in DIR (a path, or a prefix name under /dev/shm); without DIR,\n"
    "                  every directory under /dev/shm that holds rings (with -c or --set:\n"
    "                  the config's prefix only)\n"
    "  stat RING       header, positions, lag in bytes and records, rates sampled over\n"
    "                  --interval, counters, heartbeat ages, producer/consumer pids and\n"
    "                  whether they are alive; corruption the consumer resynchronised\n"
    "                  past, and a check of the unread frames (names the first bad one)\n"
    "  dump RING       decode the records buffered between the head and the tail\n"
    "  tail RING       follow records as they are committed, from the tail; reports being\n"
    "                  lapped by the producer and resumes at the tail\n"
    "\n"
    "RING is a path, or a ring name (feed.binance, book.store, ...) under the ring\n"
    "prefix: [system] ring_prefix of the config, default mp-<user>.\n"
    "\n"
    "Options:\n"
    "  --json          one JSON object per line (records, rings, or the stat)\n"
    "  -n N            dump/tail: at most N records (gap records count)\n"
    "  --interval MS   stat: sample the rates over MS milliseconds (default 500, 0 = none)\n"
    "  --for SECONDS   tail: stop after SECONDS (default: until SIGINT/SIGTERM)\n"
    "  --levels N      book levels per side shown when decoding (default 5, -1 = all)\n"
    "  --hex N         bytes shown in hex for records that do not decode (default 64)\n"
    "\n"
    "Exit status: 0 ok; 1 the ring could not be read (missing, another layout or\n"
    "schema, corrupt, re-created while followed); 2 usage.\n";

static struct cfg *g_cfg;

static int
usage_error(const char *fmt, const char *arg)
{
	cfg_free(g_cfg);
	g_cfg = NULL;
	fprintf(stderr, "mpring: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage);
	return 2;
}

static int
parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static const char *
policy_name(uint32_t p)
{
	return p == RING_DROP ? "drop" : p == RING_BLOCK ? "block" : "?";
}

static double
hb_age(int64_t hb, int64_t now)
{
	return hb ? (double)(now - hb) / 1e9 : -1;
}

static uint64_t
sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* Is this file a ring?  Only the magic: the full check is ring_open's. */
static int
has_magic(const char *path)
{
	uint64_t magic = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &magic, sizeof magic, 0) != (ssize_t)sizeof magic)
		magic = 0;
	close(fd);
	return magic == RING_MAGIC;
}

static void
print_error_line(const struct mpring_opts *o, const char *path, const char *err)
{
	if (o->json) {
		struct sbuf b = SBUF_INIT;
		char *s;

		sbuf_puts(&b, "{\"path\":");
		sbuf_json_str(&b, path, strlen(path));
		sbuf_puts(&b, ",\"error\":");
		sbuf_json_str(&b, err, strlen(err));
		sbuf_putc(&b, '}');
		if ((s = sbuf_take(&b))) {
			puts(s);
			free(s);
		}
	} else {
		printf("%-40s error: %s\n", path, err);
	}
}

static void
list_one(const char *path, const struct mpring_opts *o, int *header)
{
	struct ring_stat st;
	char err[256], why[200];
	int64_t now = mono_ns();
	int pa, ca;

	if (ring_stat_path(path, &st, err, sizeof err) != RING_OK) {
		print_error_line(o, path, err);
		return;
	}
	pa = st.producer_pid && ring_pid_alive(st.producer_pid);
	ca = st.consumer_pid && ring_pid_alive(st.consumer_pid);
	if (o->json) {
		struct sbuf b = SBUF_INIT;
		char *s;

		sbuf_puts(&b, "{\"path\":");
		sbuf_json_str(&b, path, strlen(path));
		sbuf_puts(&b, ",\"name\":");
		sbuf_json_str(&b, st.name, strlen(st.name));
		sbuf_printf(&b, ",\"capacity\":%" PRIu64 ",\"policy\":\"%s\",\"lag_bytes\":%" PRIu64
		    ",\"lag_records\":%" PRIu64 ",\"written\":%" PRIu64 ",\"read\":%" PRIu64 ",\"dropped\":%" PRIu64
		    ",\"producer_pid\":%d,\"producer_alive\":%s,\"producer_hb_age_s\":%.3f"
		    ",\"consumer_pid\":%d,\"consumer_alive\":%s,\"consumer_hb_age_s\":%.3f,\"schema_ok\":%s}",
		    st.capacity, policy_name(st.policy), sub0(st.tail, st.head), sub0(st.written, st.read),
		    st.written, st.read, st.dropped, (int)st.producer_pid, pa ? "true" : "false",
		    hb_age(st.producer_hb_ns, now), (int)st.consumer_pid, ca ? "true" : "false",
		    hb_age(st.consumer_hb_ns, now), mpring_schema_ok(&st, why, sizeof why) ? "true" : "false");
		if ((s = sbuf_take(&b))) {
			puts(s);
			free(s);
		}
		return;
	}
	if (!*header) {
		printf("%-40s %10s %6s %12s %10s %12s %10s %12s %12s\n", "RING", "CAPACITY", "POLICY", "LAG_BYTES",
		    "LAG_RECS", "WRITTEN", "DROPPED", "PRODUCER", "CONSUMER");
		*header = 1;
	}
	printf("%-40s %10" PRIu64 " %6s %12" PRIu64 " %10" PRIu64 " %12" PRIu64 " %10" PRIu64 " %7d/%-4s %7d/%-4s%s\n",
	    path, st.capacity, policy_name(st.policy), sub0(st.tail, st.head), sub0(st.written, st.read), st.written,
	    st.dropped, (int)st.producer_pid, pa ? "up" : "down", (int)st.consumer_pid, ca ? "up" : "down",
	    mpring_schema_ok(&st, why, sizeof why) ? "" : "  (other schema)");
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Rings in one directory, sorted by name; returns how many. */
static int
list_dir(const char *dir, const struct mpring_opts *o, int *header)
{
	char *names[4096], path[1024];
	struct dirent *de;
	int n = 0, rings = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while ((de = readdir(d)) && n < (int)(sizeof names / sizeof names[0])) {
		if (de->d_name[0] == '.')
			continue;
		if ((names[n] = strdup(de->d_name)))
			n++;
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof names[0], cmp_str);
	for (int i = 0; i < n; i++) {
		struct stat sb;

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		free(names[i]);
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || !has_magic(path))
			continue;
		list_one(path, o, header);
		rings++;
	}
	return rings;
}

static int
cmd_list(const char *arg, const char *prefix, const struct mpring_opts *o)
{
	char dir[1024];
	int header = 0, total = 0;

	if (arg || prefix) {
		const char *a = arg ? arg : prefix;

		if (strchr(a, '/'))
			snprintf(dir, sizeof dir, "%s", a);
		else
			snprintf(dir, sizeof dir, "/dev/shm/%s", a);
		if ((total = list_dir(dir, o, &header)) < 0) {
			fprintf(stderr, "mpring: %s: %s\n", dir, strerror(errno));
			return 1;
		}
	} else {
		struct dirent *de;
		DIR *d = opendir("/dev/shm");

		if (!d) {
			fprintf(stderr, "mpring: /dev/shm: %s\n", strerror(errno));
			return 1;
		}
		while ((de = readdir(d))) {
			struct stat sb;

			if (de->d_name[0] == '.')
				continue;
			snprintf(dir, sizeof dir, "/dev/shm/%s", de->d_name);
			if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode)) {
				int k = list_dir(dir, o, &header);
				if (k > 0)
					total += k;
			}
		}
		closedir(d);
	}
	if (!o->json && total == 0)
		printf("no rings found\n");
	return 0;
}

static void
iso_time(int64_t ns, char *buf, size_t cap)
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !daemon_stop)
		;
}

static void
print_side(const char *role, int32_t pid, int alive, int64_t hb, int64_t now, uint32_t attaches)
{
	char age[48];

	if (hb)
		snprintf(age, sizeof age, "%.1f s ago", hb_age(hb, now));
	else
		snprintf(age, sizeof age, "never");
	printf("%-10s pid %d %s, heartbeat %s, attaches %u\n", role, (int)pid,
	    pid ? (alive ? "alive" : "DEAD") : "(none)", age, attaches);
}

/* Walk the unread frames from head to tail as the consumer will, so stat
 * names the frame a consumer's log complains about: 0 all valid, 1 corrupt
 * (*at, why), 2 not checked to the end (lapped, or a record too big). */
static int
check_frames(struct ring *r, const struct ring_stat *st, uint64_t *n, uint64_t *at, char *why, size_t cap)
{
	static unsigned char buf[1 << 20];
	struct ring_msg m;
	uint64_t cursor = st->head;
	int lapped = 0, got = 0;

	*n = 0;
	while (cursor < st->tail && (got = ring_peek_copy(r, &cursor, &m, buf, sizeof buf, &lapped)) == 1)
		++*n;
	*at = cursor;
	if (cursor >= st->tail || got == 0)
		return 0;
	snprintf(why, cap, "%s", lapped ? "lapped by the producer while checked" : ring_errmsg(r));
	return lapped || got == RING_ETOOBIG ? 2 : 1;
}

static int
cmd_stat(struct ring *r, const char *path, const struct mpring_opts *o)
{
	struct ring_stat a, st;
	char created[40], why[200], fwhy[200] = "";
	double dt = 0, wr = 0, wb = 0, rr = 0, dr = 0;
	int64_t t0, now;
	int pa, ca, sok, fck;
	uint64_t fn, fat;

	ring_stat(r, &a);
	t0 = mono_ns();
	if (o->interval_ms > 0)
		sleep_ms(o->interval_ms);
	ring_stat(r, &st);
	now = mono_ns();
	if (o->interval_ms > 0) {
		dt = (double)(now - t0) / 1e9;
		wr = (double)(st.written - a.written) / dt;
		wb = (double)(st.written_bytes - a.written_bytes) / dt;
		rr = (double)(st.read - a.read) / dt;
		dr = (double)(st.dropped - a.dropped) / dt;
	}
	pa = st.producer_pid && ring_pid_alive(st.producer_pid);
	ca = st.consumer_pid && ring_pid_alive(st.consumer_pid);
	sok = mpring_schema_ok(&st, why, sizeof why);
	iso_time(st.created_ns, created, sizeof created);
	fck = check_frames(r, &st, &fn, &fat, fwhy, sizeof fwhy);
	if (o->json) {
		struct sbuf b = SBUF_INIT;
		char *s;

		sbuf_puts(&b, "{\"path\":");
		sbuf_json_str(&b, path, strlen(path));
		sbuf_puts(&b, ",\"name\":");
		sbuf_json_str(&b, st.name, strlen(st.name));
		sbuf_printf(&b, ",\"layout_version\":%u,\"schema_hash\":\"0x%016" PRIx64 "\",\"schema_ok\":%s",
		    st.layout_version, st.schema_hash, sok ? "true" : "false");
		if (!sok) {
			sbuf_puts(&b, ",\"schema_error\":");
			sbuf_json_str(&b, why, strlen(why));
		}
		sbuf_printf(&b, ",\"capacity\":%" PRIu64 ",\"max_record\":%u,\"policy\":\"%s\",\"generation\":%u"
		    ",\"creator_pid\":%d,\"created_ns\":%" PRId64 ",\"created\":\"%s\"",
		    st.capacity, st.max_record, policy_name(st.policy), st.generation, (int)st.creator_pid,
		    st.created_ns, created);
		sbuf_printf(&b, ",\"head\":%" PRIu64 ",\"tail\":%" PRIu64 ",\"lag_bytes\":%" PRIu64
		    ",\"lag_records\":%" PRIu64 ",\"lag_seqs\":%" PRIu64 ",\"last_seq\":%" PRIu64 ",\"read_seq\":%" PRIu64
		    ",\"pending_gap\":%" PRIu64, st.head, st.tail, sub0(st.tail, st.head), sub0(st.written, st.read),
		    sub0(st.last_seq, st.read_seq), st.last_seq, st.read_seq, st.pending_gap);
		sbuf_printf(&b, ",\"written\":%" PRIu64 ",\"written_bytes\":%" PRIu64 ",\"read\":%" PRIu64
		    ",\"dropped\":%" PRIu64 ",\"full_events\":%" PRIu64 ",\"gaps\":%" PRIu64 ",\"torn\":%" PRIu64,
		    st.written, st.written_bytes, st.read, st.dropped, st.full_events, st.gaps, st.torn);
		sbuf_printf(&b, ",\"corrupt\":%" PRIu64 ",\"corrupt_pos\":%" PRIu64 ",\"corrupt_bytes\":%" PRIu64
		    ",\"corrupt_lost\":%" PRIu64 ",\"frames\":{\"checked\":%" PRIu64 ",\"state\":\"%s\"", st.corrupt,
		    st.corrupt_pos, st.corrupt_bytes, st.corrupt_lost, fn,
		    fck == 0 ? "ok" : fck == 1 ? "corrupt" : "unchecked");
		if (fck) {
			sbuf_printf(&b, ",\"pos\":%" PRIu64 ",\"why\":", fat);
			sbuf_json_str(&b, fwhy, strlen(fwhy));
		}
		sbuf_puts(&b, "}");
		sbuf_printf(&b, ",\"rates\":{\"interval_s\":%.3f,\"write_rps\":%.1f,\"write_Bps\":%.1f"
		    ",\"read_rps\":%.1f,\"drop_rps\":%.1f}", dt, wr, wb, rr, dr);
		sbuf_printf(&b, ",\"producer\":{\"pid\":%d,\"alive\":%s,\"hb_age_s\":%.3f,\"attaches\":%u}"
		    ",\"consumer\":{\"pid\":%d,\"alive\":%s,\"hb_age_s\":%.3f,\"attaches\":%u}}",
		    (int)st.producer_pid, pa ? "true" : "false", hb_age(st.producer_hb_ns, now), st.producer_attaches,
		    (int)st.consumer_pid, ca ? "true" : "false", hb_age(st.consumer_hb_ns, now), st.consumer_attaches);
		if (!(s = sbuf_take(&b)))
			return 1;
		puts(s);
		free(s);
		return 0;
	}
	printf("ring       %s (%s)\n", path, st.name);
	printf("layout     version %u, schema 0x%016" PRIx64 " %s, generation %u\n", st.layout_version,
	    st.schema_hash, sok ? "(matches this build)" : "(DIFFERS from this build)", st.generation);
	if (!sok)
		printf("           %s\n", why);
	printf("created    %s by pid %d\n", created, (int)st.creator_pid);
	printf("size       capacity %" PRIu64 " bytes, max_record %u, policy %s\n", st.capacity, st.max_record,
	    policy_name(st.policy));
	printf("positions  head %" PRIu64 ", tail %" PRIu64 ": lag %" PRIu64 " bytes (%.1f%%), %" PRIu64 " records\n",
	    st.head, st.tail, sub0(st.tail, st.head), 100.0 * (double)sub0(st.tail, st.head) / (double)st.capacity,
	    sub0(st.written, st.read));
	printf("seqs       last %" PRIu64 ", last released %" PRIu64 ", pending gap %" PRIu64 "\n", st.last_seq,
	    st.read_seq, st.pending_gap);
	printf("counters   written %" PRIu64 " (%" PRIu64 " bytes), read %" PRIu64 ", dropped %" PRIu64
	    ", full %" PRIu64 ", gaps %" PRIu64 ", torn %" PRIu64 "\n", st.written, st.written_bytes, st.read,
	    st.dropped, st.full_events, st.gaps, st.torn);
	if (st.corrupt)
		printf("corrupt    %" PRIu64 " resynchronised by the consumer, last at position %" PRIu64 ": %" PRIu64
		    " bytes skipped, %" PRIu64 " records lost\n", st.corrupt, st.corrupt_pos, st.corrupt_bytes,
		    st.corrupt_lost);
	if (fck == 0)
		printf("frames     %" PRIu64 " unread, all valid\n", fn);
	else
		printf("frames     %s at position %" PRIu64 " after %" PRIu64 " valid: %s\n",
		    fck == 1 ? "CORRUPT" : "not checked past", fat, fn, fwhy);
	if (o->interval_ms > 0)
		printf("rates      write %.1f rec/s (%.1f KB/s), read %.1f rec/s, drop %.1f rec/s over %.2f s\n", wr,
		    wb / 1e3, rr, dr, dt);
	print_side("producer", st.producer_pid, pa, st.producer_hb_ns, now, st.producer_attaches);
	print_side("consumer", st.consumer_pid, ca, st.consumer_hb_ns, now, st.consumer_attaches);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct inst_registry reg;
	struct mpring_opts o = {.limit = -1, .interval_ms = 500, .levels = 5, .hex = 64};
	const char *cmd = NULL, *arg = NULL, *prefix = NULL;
	char pbuf[128], path[1024], err[512];
	struct cfg *c;
	struct ring *r;
	int64_t v;
	int rc, has_conf = 0;

	/* list without DIR looks at the config's prefix only when one was chosen. */
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "-c", 2) == 0 || strncmp(argv[i], "--config", 8) == 0 ||
		    strncmp(argv[i], "--set", 5) == 0)
			has_conf = 1;
	c = g_cfg = daemon_start("mpring", usage, &argc, argv);
	daemon_signals();
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;

		if (strcmp(a, "--json") == 0) {
			o.json = 1;
		} else if (strcmp(a, "-n") == 0 && more) {
			if (parse_int(argv[++i], 0, INT64_MAX, &o.limit) < 0)
				return usage_error("-n %s: expected a count", argv[i]);
		} else if (strcmp(a, "--interval") == 0 && more) {
			if (parse_int(argv[++i], 0, 600000, &v) < 0)
				return usage_error("--interval %s: expected milliseconds", argv[i]);
			o.interval_ms = (int)v;
		} else if (strcmp(a, "--for") == 0 && more) {
			char *end;
			o.for_s = strtod(argv[++i], &end);
			if (*end || o.for_s < 0)
				return usage_error("--for %s: expected seconds", argv[i]);
		} else if (strcmp(a, "--levels") == 0 && more) {
			if (parse_int(argv[++i], -1, REC_MAX_LEVELS, &v) < 0)
				return usage_error("--levels %s: expected -1..5000", argv[i]);
			o.levels = (int)v;
		} else if (strcmp(a, "--hex") == 0 && more) {
			if (parse_int(argv[++i], 0, 1 << 20, &v) < 0)
				return usage_error("--hex %s: expected a byte count", argv[i]);
			o.hex = (int)v;
		} else if (a[0] == '-' && a[1]) {
			return usage_error("unknown option or missing value: %s", a);
		} else if (!cmd) {
			cmd = a;
		} else if (!arg) {
			arg = a;
		} else {
			return usage_error("unexpected argument: %s", a);
		}
	}
	if (!cmd)
		return usage_error("%s", "a command is needed");
	if (!(prefix = pipe_prefix(c, pbuf, sizeof pbuf))) {
		fprintf(stderr, "mpring: [system] ring_prefix is not a directory name\n");
		cfg_free(c);
		return 2;
	}
	if (pipe_instruments(c, &reg, err, sizeof err) == 0)
		o.reg = &reg;
	else
		log_warn("instruments not loaded; prices shown as mantissas", "error=%s", log_q(err));
	if (strcmp(cmd, "list") == 0) {
		rc = cmd_list(arg, has_conf ? prefix : NULL, &o);
		cfg_free(c);
		return rc;
	}
	if (strcmp(cmd, "stat") && strcmp(cmd, "dump") && strcmp(cmd, "tail"))
		return usage_error("unknown command %s", cmd);
	if (!arg)
		return usage_error("%s needs a RING (a path or a ring name)", cmd);
	if (strchr(arg, '/'))
		snprintf(path, sizeof path, "%s", arg);
	else
		snprintf(path, sizeof path, "/dev/shm/%s/%s", prefix, arg);
	rc = ring_open(path, RING_INSPECT, NULL, &r, err, sizeof err);
	if (rc != RING_OK) {
		fprintf(stderr, "mpring: %s: %s\n", path, err);
		cfg_free(c);
		return 1;
	}
	if (strcmp(cmd, "stat") == 0)
		rc = cmd_stat(r, path, &o);
	else if (strcmp(cmd, "dump") == 0)
		rc = mpring_dump(r, path, &o);
	else
		rc = mpring_tail(r, path, &o);
	ring_close(r);
	cfg_free(c);
	return rc;
}
