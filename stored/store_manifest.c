/*
 * store_manifest.c - the per-stream manifest (store.h "Manifest"): which
 * segments were sealed, with their size, blocks and records, so a sealed
 * segment that is later short or gone is an error with the records lost,
 * not an "incomplete tail".
 *
 * One text line per event, appended and fdatasync'd:
 *   sealed 20261204T18.seg bytes=4590112 blocks=2 records=105783 crc=1a2b3c4d
 *   reopened 20261204T18.seg crc=...        (stored continues it within its hour)
 *   lost 20261204T18.seg records=34846 of=105783 crc=...   (stored found it damaged)
 * crc is crc32c of the line up to " crc=".  A line that does not verify is
 * counted (bad_lines); an unterminated last line is a seal cut short
 * (torn_last): ignored by readers, cut off by the next append.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST "MANIFEST"
#define LINE_MAX_LEN 256

static int
seg_slot(struct store_manifest *m, const char *name)
{
	void *p;
	int i;

	for (i = 0; i < m->n_seg; i++)
		if (strcmp(m->seg[i].name, name) == 0)
			return i;
	if (!(p = realloc(m->seg, (size_t)(m->n_seg + 1) * sizeof *m->seg)))
		return -1;
	m->seg = p;
	memset(&m->seg[m->n_seg], 0, sizeof *m->seg);
	snprintf(m->seg[m->n_seg].name, sizeof m->seg[m->n_seg].name, "%s", name);
	return m->n_seg++;
}

static int
parse_line(struct store_manifest *m, char *line)
{
	char kind[16], name[64], *c = strstr(line, " crc=");
	unsigned long long a = 0, b = 0, d = 0;
	unsigned crc;
	int i;

	if (!c || sscanf(c, " crc=%8x", &crc) != 1 || store_crc32c(0, line, (size_t)(c - line)) != crc)
		return -1;
	*c = 0;
	if (sscanf(line, "%15s %63s", kind, name) != 2 || store_hour_parse(name) < 0)
		return -1;
	if (strcmp(kind, "sealed") == 0) {
		if (sscanf(line, "%*s %*s bytes=%llu blocks=%llu records=%llu", &a, &b, &d) != 3 ||
		    (i = seg_slot(m, name)) < 0)
			return -1;
		m->seg[i].sealed = 1;
		m->seg[i].bytes = a;
		m->seg[i].blocks = (uint32_t)b;
		m->seg[i].records = d;
	} else if (strcmp(kind, "reopened") == 0) {
		if ((i = seg_slot(m, name)) < 0)
			return -1;
		m->seg[i].sealed = 0;
	} else if (strcmp(kind, "lost") == 0) {
		void *p;
		if (sscanf(line, "%*s %*s records=%llu of=%llu", &a, &b) != 2)
			return -1;
		if (!(p = realloc(m->loss, (size_t)(m->n_loss + 1) * sizeof *m->loss)))
			return -1;
		m->loss = p;
		snprintf(m->loss[m->n_loss].name, sizeof m->loss[m->n_loss].name, "%s", name);
		m->loss[m->n_loss].lost = a;
		m->loss[m->n_loss].of = b;
		m->n_loss++;
	} else {
		return -1;
	}
	return 0;
}

int
store_manifest_load(const char *dir, struct store_manifest *m, char *err, size_t errlen)
{
	char path[1100], line[LINE_MAX_LEN + 2];
	FILE *f;

	memset(m, 0, sizeof *m);
	snprintf(path, sizeof path, "%s/%s", dir, MANIFEST);
	if (!(f = fopen(path, "r"))) {
		if (errno == ENOENT)
			return 0;       /* a stream written before manifests existed, or never sealed */
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	m->present = 1;
	while (fgets(line, sizeof line, f)) {
		size_t n = strlen(line);
		if (n == 0 || line[n - 1] != '\n') {
			if (feof(f))
				m->torn_last = 1;
			else
				m->bad_lines++;          /* longer than any line we write */
			/* skip the rest of an overlong line */
			while (!feof(f) && n && line[n - 1] != '\n' && fgets(line, sizeof line, f))
				n = strlen(line);
			continue;
		}
		line[n - 1] = 0;
		if (parse_line(m, line) < 0)
			m->bad_lines++;
	}
	fclose(f);
	return 0;
}

void
store_manifest_free(struct store_manifest *m)
{
	free(m->seg);
	free(m->loss);
	memset(m, 0, sizeof *m);
}

const struct store_manifest_seg *
store_manifest_find(const struct store_manifest *m, const char *name)
{
	int i;

	for (i = 0; i < m->n_seg; i++)
		if (strcmp(m->seg[i].name, name) == 0)
			return &m->seg[i];
	return NULL;
}

int
store_manifest_check(const struct store_manifest_seg *e, const struct store_seg_info *info, uint64_t *lost)
{
	uint64_t have = info ? info->n_records : 0;

	*lost = 0;
	if (!e || !e->sealed)
		return 0;
	if (info && info->sealed && info->size == e->bytes && have == e->records && !info->bad_blocks)
		return 0;
	*lost = e->records > have ? e->records - have : 0;
	return 1;
}

/* Append one line (with its crc) and make it durable.  An unterminated last
 * line is an append a crash cut short (its fdatasync never returned, so the
 * seal it describes was never relied on): it is cut off first. */
static int
append(const char *dir, const char *text, char *err, size_t errlen)
{
	char path[1100], line[LINE_MAX_LEN + 32], tailbuf[LINE_MAX_LEN * 2];
	struct stat st;
	int fd, n, fresh;
	ssize_t k;

	snprintf(path, sizeof path, "%s/%s", dir, MANIFEST);
	fresh = stat(path, &st) != 0;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_size > 0) {
		off_t from = st.st_size > (off_t)sizeof tailbuf ? st.st_size - (off_t)sizeof tailbuf : 0, cut = 0;
		k = pread(fd, tailbuf, (size_t)(st.st_size - from), from);
		if (k > 0 && tailbuf[k - 1] != '\n') {
			for (ssize_t i = k - 1; i >= 0; i--)
				if (tailbuf[i] == '\n') {
					cut = from + i + 1;
					break;
				}
			if (ftruncate(fd, cut) < 0) {
				snprintf(err, errlen, "%s: cannot cut a torn line: %s", path, strerror(errno));
				close(fd);
				return -1;
			}
			st.st_size = cut;
		}
	}
	n = snprintf(line, sizeof line, "%s crc=%08x\n", text, store_crc32c(0, text, strlen(text)));
	k = pwrite(fd, line, (size_t)n, st.st_size);
	if (k != n || fdatasync(fd) < 0) {
		/* Say why: a full disk fails the write itself (k < 0, ENOSPC) or
		 * lands part of the line; the part is cut back so the next append
		 * starts on a line boundary (it would cut a torn line anyway). */
		if (k >= 0 && k < n)
			snprintf(err, errlen, "%s: short write (%zd of %d bytes; the disk is full?)", path, k, n);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (k > 0 && k < n && ftruncate(fd, st.st_size) < 0) {
			/* best effort: the error above is what the caller reports */
		}
		close(fd);
		return -1;
	}
	close(fd);
	if (fresh) {
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	return 0;
}

int
store_manifest_sealed(const char *dir, const char *name, uint64_t bytes, uint32_t blocks, uint64_t records,
    char *err, size_t errlen)
{
	char t[LINE_MAX_LEN];

	snprintf(t, sizeof t, "sealed %s bytes=%" PRIu64 " blocks=%u records=%" PRIu64, name, bytes, blocks, records);
	return append(dir, t, err, errlen);
}

int
store_manifest_reopened(const char *dir, const char *name, char *err, size_t errlen)
{
	char t[LINE_MAX_LEN];

	snprintf(t, sizeof t, "reopened %s", name);
	return append(dir, t, err, errlen);
}

int
store_manifest_lost(const char *dir, const char *name, uint64_t lost, uint64_t of, char *err, size_t errlen)
{
	char t[LINE_MAX_LEN];

	snprintf(t, sizeof t, "lost %s records=%" PRIu64 " of=%" PRIu64, name, lost, of);
	return append(dir, t, err, errlen);
}
