/*
 * follow.c - mpring dump and tail: read records with ring_peek_copy (a copy
 * validated against the producer afterwards, so a frame overwritten while
 * being read is reported as "lapped", never shown) and print them decoded.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "daemon.h"
#include "log.h"
#include "mpring.h"
#include "pipe.h"
#include "rec.h"
#include "sbuf.h"

int
mpring_schema_ok(const struct ring_stat *st, char *why, size_t cap)
{
	uint64_t mine = rec_schema_hash();

	if (st->schema_hash == mine)
		return 1;
	snprintf(why, cap, "record schema hash 0x%016" PRIx64 " differs from this mpring's 0x%016" PRIx64
	    " (built from another rec.h)", st->schema_hash, mine);
	return 0;
}

static void
put_hex(struct sbuf *b, const unsigned char *p, size_t n)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		sbuf_putc(b, d[p[i] >> 4]);
		sbuf_putc(b, d[p[i] & 15]);
	}
}

static void
print_record(const struct ring_msg *m, const struct mpring_opts *o, int decode)
{
	struct sbuf b = SBUF_INIT;
	char why[200], *js = NULL, *line;
	int known = m->type >= 1 && m->type <= REC_TYPE_MAX;

	if (m->type == RING_T_GAP) {
		struct ring_gap g;

		memcpy(&g, m->data, sizeof g);
		if (o->json)
			sbuf_printf(&b, "{\"seq\":%" PRIu64 ",\"pos\":%" PRIu64 ",\"type\":\"gap\",\"first_seq\":%" PRIu64
			    ",\"count\":%" PRIu64 "}", m->seq, m->pos, g.first_seq, g.count);
		else
			sbuf_printf(&b, "seq=%" PRIu64 " pos=%" PRIu64 " gap first_seq=%" PRIu64 " count=%" PRIu64
			    " (records lost by the producer)", m->seq, m->pos, g.first_seq, g.count);
		goto out;
	}
	why[0] = 0;
	if (!decode)
		snprintf(why, sizeof why, "not decoded: the ring's record schema differs");
	else if (rec_check(m->data, m->len, why, sizeof why) == 0)
		js = rec_to_json(m->data, o->reg, o->levels);
	if (o->json) {
		sbuf_printf(&b, "{\"seq\":%" PRIu64 ",\"pos\":%" PRIu64 ",\"type\":", m->seq, m->pos);
		if (known)
			sbuf_printf(&b, "\"%s\"", rec_type_name(m->type));
		else
			sbuf_printf(&b, "%u", m->type);
		sbuf_printf(&b, ",\"len\":%" PRIu32 ",\"flags\":%u", m->len, m->flags);
		if (js) {
			sbuf_puts(&b, ",\"rec\":");
			sbuf_puts(&b, js);
		} else {
			sbuf_puts(&b, ",\"error\":");
			sbuf_json_str(&b, why, strlen(why));
			sbuf_puts(&b, ",\"hex\":\"");
			put_hex(&b, m->data, m->len < (uint32_t)o->hex ? m->len : (size_t)o->hex);
			sbuf_putc(&b, '"');
		}
		sbuf_putc(&b, '}');
	} else {
		sbuf_printf(&b, "seq=%" PRIu64 " pos=%" PRIu64 " type=", m->seq, m->pos);
		if (known)
			sbuf_puts(&b, rec_type_name(m->type));
		else
			sbuf_printf(&b, "0x%04x", m->type);
		sbuf_printf(&b, " len=%" PRIu32 " ", m->len);
		if (js) {
			sbuf_puts(&b, js);
		} else {
			sbuf_printf(&b, "(undecoded: %s) ", why);
			put_hex(&b, m->data, m->len < (uint32_t)o->hex ? m->len : (size_t)o->hex);
			if (m->len > (uint32_t)o->hex)
				sbuf_puts(&b, "...");
		}
	}
out:
	free(js);
	if ((line = sbuf_take(&b))) {
		puts(line);
		free(line);
	} else {
		log_error("out of memory formatting a record", "seq=%" PRIu64, m->seq);
	}
}

static void
print_problem(const struct mpring_opts *o, const char *kind, uint64_t pos, const char *msg, uint64_t resume)
{
	struct sbuf b = SBUF_INIT;
	char *line;

	if (o->json) {
		sbuf_printf(&b, "{\"%s\":true,\"pos\":%" PRIu64, kind, pos);
		if (resume)
			sbuf_printf(&b, ",\"resume_pos\":%" PRIu64 ",\"skipped_bytes\":%" PRIu64, resume, resume - pos);
		sbuf_puts(&b, ",\"message\":");
		sbuf_json_str(&b, msg, strlen(msg));
		sbuf_putc(&b, '}');
	} else {
		sbuf_printf(&b, "# %s at pos %" PRIu64 ": %s", kind, pos, msg);
		if (resume)
			sbuf_printf(&b, "; resuming at %" PRIu64 " (%" PRIu64 " bytes skipped)", resume, resume - pos);
	}
	if ((line = sbuf_take(&b))) {
		puts(line);
		free(line);
	}
}

static int
decodable(const struct ring_stat *st, const char *path)
{
	char why[200];

	if (mpring_schema_ok(st, why, sizeof why))
		return 1;
	fprintf(stderr, "mpring: %s: %s; records are shown undecoded\n", path, why);
	return 0;
}

int
mpring_dump(struct ring *r, const char *path, const struct mpring_opts *o)
{
	struct ring_stat st;
	struct ring_msg m;
	uint64_t cursor, end, n = 0;
	unsigned char *buf;
	int decode, lapped, rc = 0;

	ring_stat(r, &st);
	decode = decodable(&st, path);
	if (!(buf = malloc(st.max_record ? st.max_record : 1))) {
		fprintf(stderr, "mpring: out of memory\n");
		return 1;
	}
	cursor = st.head;
	/* The stored tail lags the frames of a producer killed before publishing
	 * it; then read on while frames are there, at most one capacity. */
	end = st.tail >= st.head ? st.tail : st.head + st.capacity;
	while (cursor < end && (o->limit < 0 || (int64_t)n < o->limit)) {
		int got = ring_peek_copy(r, &cursor, &m, buf, st.max_record, &lapped);

		if (got == 1) {
			print_record(&m, o, decode);
			n++;
		} else if (got == 0) {
			break;
		} else if (lapped) {
			print_problem(o, "lapped", cursor, "the producer overwrote the rest while it was read", 0);
			break;
		} else {
			print_problem(o, "corrupt", cursor, ring_errmsg(r), 0);
			rc = 1;
			break;
		}
	}
	if (!o->json)
		printf("# %" PRIu64 " record(s) between head %" PRIu64 " and tail %" PRIu64 "\n", n, st.head, st.tail);
	free(buf);
	return rc;
}

static ino_t
inode_of(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? sb.st_ino : 0;
}

int
mpring_tail(struct ring *r, const char *path, const struct mpring_opts *o)
{
	struct ring_stat st;
	struct ring_msg m;
	uint64_t cursor, n = 0;
	unsigned char *buf = NULL;
	int64_t start = mono_ns(), last_check = start;
	ino_t ino = inode_of(path);
	int decode, lapped, rc = 0;

	ring_stat(r, &st);
	decode = decodable(&st, path);
	if (!(buf = malloc(st.max_record ? st.max_record : 1))) {
		fprintf(stderr, "mpring: out of memory\n");
		return 1;
	}
	cursor = st.tail;
	while (!daemon_stop && (o->limit < 0 || (int64_t)n < o->limit)) {
		int got = ring_peek_copy(r, &cursor, &m, buf, st.max_record, &lapped);
		int64_t now;

		if (got == 1) {
			print_record(&m, o, decode);
			n++;
			continue;
		}
		if (got < 0 && lapped) {
			ring_stat(r, &st);
			print_problem(o, "lapped", cursor, "fell behind the producer", st.tail);
			cursor = st.tail;
			continue;
		}
		if (got < 0) {
			print_problem(o, "corrupt", cursor, ring_errmsg(r), 0);
			rc = 1;
			break;
		}
		fflush(stdout);
		now = mono_ns();
		if (o->for_s > 0 && (double)(now - start) / 1e9 >= o->for_s)
			break;
		if (now - last_check > 1000000000LL) {
			/* The launcher re-creates a ring by unlinking it: our mapping would go quiet forever. */
			last_check = now;
			if (inode_of(path) != ino) {
				print_problem(o, "recreated", cursor, "the ring file was replaced; stop and run again", 0);
				rc = 1;
				break;
			}
		}
		ring_wait(r, cursor, 100);
	}
	fflush(stdout);
	free(buf);
	return rc;
}
