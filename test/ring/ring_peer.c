/*
 * ring_peer.c - one side of a ring in its own process, for the multi-process
 * ring tests (test/ring/ring_mp.sh) and the inspector test.
 *
 * The producer writes records whose size and bytes follow from their seq
 * (peer_data.h), then an END record; the consumer verifies every record
 * (seq continuity, gap arithmetic, content) and prints one summary line.
 * Both can be told to die with SIGKILL at a precise point, so the kill tests
 * are deterministic.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "peer_data.h"
#include "rec.h"
#include "ring.h"

#define PEER_END 0x0101         /* the producer's last record: empty payload */

static const char usage[] =
    "usage: ring_peer produce|consume PATH [options]\n"
    "  --count N        produce: write seqs up to N, then an END record (default 1000)\n"
    "  --cap BYTES      capacity when the ring is created (default 1048576)\n"
    "  --max N          largest payload, also the ring's max_record (default 2000)\n"
    "  --policy P       block or drop (default block)\n"
    "  --schema N       schema hash (default 0x5eed; \"rec\" = this build's rec_schema_hash())\n"
    "  --trades         produce REC_TRADE records (trade id = seq) instead of test payloads\n"
    "  --timeout-ms N   producer: block_timeout_ms (default 100)\n"
    "  --kill-at SEQ    produce: SIGKILL itself after claiming SEQ's frame, half-filled\n"
    "  --die-after SEQ  consume: once released past SEQ, read 3 more records, then SIGKILL\n"
    "  --state FILE     consume: after each release, persist the last released seq\n"
    "  --batch N        consume: release every N records (default 64)\n"
    "  --slow-us US     produce: sleep US per record; consume: sleep US every 64 records\n"
    "  --idle-ms MS     consume: fail after MS without any record (default 20000)\n";

struct peer_opts {
	uint64_t count, kill_at, die_after, cap, schema;
	uint32_t max, batch, slow_us, timeout_ms;
	int idle_ms, trades;
	enum ring_policy policy;
	const char *state;
};

static void
die(const char *what, const char *detail)
{
	printf("error %s: %s\n", what, detail);
	fflush(stdout);
	exit(1);
}

static void
sleep_us(uint32_t us)
{
	struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static long
sleeps(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_nvcsw;
}

static struct ring *
open_ring(const char *path, enum ring_role role, const struct peer_opts *o)
{
	struct ring_opts ro = {o->cap, o->max, o->policy, o->timeout_ms, o->schema};
	struct ring *r;
	char err[256];
	int rc;

	if ((rc = ring_open(path, role, &ro, &r, err, sizeof err)) != RING_OK)
		die("ring_open", err);
	return r;
}

/* A valid trade record (rec_check passes) whose trade id is the ring seq. */
static void
fill_trade(uint64_t seq, void *p)
{
	struct rec_trade t;

	memset(&t, 0, sizeof t);
	rec_hdr_init(&t.h, REC_TRADE, 1, sizeof t);
	t.h.first_id = t.h.last_id = (int64_t)seq;
	t.px = (int64_t)seq * 100;
	t.qty = 100000000;
	t.trade_ns = 1700000000000000000LL + (int64_t)seq;
	t.side = SIDE_BUY;
	t.count = 1;
	memcpy(p, &t, sizeof t);
}

static int
produce(const char *path, const struct peer_opts *o)
{
	struct ring *r = open_ring(path, RING_PRODUCER, o);
	struct ring_stat st;
	uint64_t next, start, dropped = 0, eagain = 0, pending = 0;
	int err;

	ring_stat(r, &st);
	/* A restarted producer continues the stream where the ring says it ended:
	 * `next` is the seq the next attempt consumes if it is dropped; if it
	 * fits while a gap is pending, the gap frame takes `next` and the record
	 * next + 1. */
	pending = st.pending_gap;
	next = start = st.last_seq + 1 + pending;
	for (;;) {
		uint64_t seq = pending ? next + 1 : next;
		uint32_t len;
		void *p;

		if (seq > o->count)
			break;
		len = o->trades ? (uint32_t)sizeof(struct rec_trade) : peer_size(seq, o->max);
		if (!(p = ring_reserve(r, len, &err))) {
			if (err == RING_EDROPPED) {
				dropped++;
				pending++;
				next++;
				continue;
			}
			if (err == RING_EAGAIN) {
				eagain++;
				continue;
			}
			die("ring_reserve", ring_strerror(err));
		}
		if (seq == o->kill_at) {
			peer_fill(seq, p, len / 2);
			fflush(stdout);
			raise(SIGKILL);
		}
		if (o->trades) {
			fill_trade(seq, p);
			ring_commit(r, REC_TRADE, len);
		} else {
			peer_fill(seq, p, len);
			ring_commit(r, PEER_TYPE, len);
		}
		next = seq + 1;
		pending = 0;
		if (o->slow_us)
			sleep_us(o->slow_us);
		if ((next & 0xffff) == 0)
			ring_heartbeat(r);
	}
	/* END: retried until it fits, which also flushes a pending gap. */
	for (;;) {
		int rc = ring_write(r, PEER_END, NULL, 0);

		if (rc == RING_OK)
			break;
		if (rc == RING_EDROPPED)
			dropped++;
		else if (rc == RING_EAGAIN)
			eagain++;
		else
			die("ring_write", ring_strerror(rc));
		sleep_us(1000);
	}
	ring_stat(r, &st);
	printf("producer start_seq=%" PRIu64 " last_seq=%" PRIu64 " dropped_here=%" PRIu64 " eagain=%" PRIu64
	    " ring_dropped=%" PRIu64 " ring_written=%" PRIu64 " torn=%" PRIu64 " gaps=%" PRIu64
	    " full_events=%" PRIu64 " attaches=%u sleeps=%ld wraps=%" PRIu64 "\n", start, st.last_seq, dropped,
	    eagain, st.dropped, st.written, st.torn, st.gaps, st.full_events, st.producer_attaches, sleeps(),
	    st.tail / st.capacity);
	ring_close(r);
	return 0;
}

static void
persist(const char *state, uint64_t seq)
{
	char tmp[512];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp", state);
	if (!(f = fopen(tmp, "w")))
		die("persist", strerror(errno));
	fprintf(f, "%" PRIu64 "\n", seq);
	if (fclose(f) != 0 || rename(tmp, state) != 0)
		die("persist", strerror(errno));
}

static int
consume(const char *path, const struct peer_opts *o)
{
	struct ring *r = open_ring(path, RING_CONSUMER, o);
	struct ring_stat st;
	struct ring_msg m;
	uint64_t cursor, prev, first = 0, last_released = 0, records = 0, gaps = 0, lost = 0;
	uint64_t resume, unreleased = 0, extra = 0, last_seen = 0;
	char why[160];
	int rc, dying = 0;

	ring_stat(r, &st);
	resume = st.read_seq;
	prev = resume;
	cursor = ring_head(r);
	for (;;) {
		rc = ring_next(r, &cursor, &m);
		if (rc < 0)
			die("ring_next", ring_errmsg(r));
		if (rc == 0) {
			if (unreleased && !dying) {
				ring_release(r, cursor);
				last_released = last_seen;
				unreleased = 0;
				if (o->state)
					persist(o->state, last_released);
			}
			rc = ring_wait(r, cursor, o->idle_ms);
			if (rc == 0)
				die("ring_wait", "no record for idle-ms");
			continue;
		}
		if (!first)
			first = m.type == RING_T_GAP ? ((const struct ring_gap *)m.data)->first_seq : m.seq;
		if (m.type == RING_T_GAP) {
			struct ring_gap g;

			memcpy(&g, m.data, sizeof g);
			if (g.first_seq != prev + 1 || m.seq != g.first_seq + g.count) {
				snprintf(why, sizeof why, "gap {%" PRIu64 ",%" PRIu64 "} seq %" PRIu64 " after %" PRIu64,
				    g.first_seq, g.count, m.seq, prev);
				die("verify", why);
			}
			gaps++;
			lost += g.count;
		} else {
			if (m.seq != prev + 1) {
				snprintf(why, sizeof why, "seq %" PRIu64 " after %" PRIu64, m.seq, prev);
				die("verify", why);
			}
			if (m.type == PEER_TYPE) {
				size_t bad;

				if (m.len != peer_size(m.seq, o->max)) {
					snprintf(why, sizeof why, "seq %" PRIu64 " has %u bytes, expected %u", m.seq,
					    m.len, peer_size(m.seq, o->max));
					die("verify", why);
				}
				if ((bad = peer_check(m.seq, m.data, m.len)) != 0) {
					snprintf(why, sizeof why, "seq %" PRIu64 " content differs at byte %zu", m.seq,
					    bad - 1);
					die("verify", why);
				}
				records++;
			} else if (m.type == REC_TRADE) {
				struct rec_trade t;

				if (m.len != sizeof t || rec_check(m.data, m.len, why, sizeof why) != 0)
					die("verify", "bad trade record");
				memcpy(&t, m.data, sizeof t);
				if (t.h.first_id != (int64_t)m.seq)
					die("verify", "trade id is not the seq");
				records++;
			} else if (m.type != PEER_END) {
				snprintf(why, sizeof why, "seq %" PRIu64 " has type %u", m.seq, m.type);
				die("verify", why);
			}
		}
		prev = last_seen = m.seq;
		if (dying) {
			if (++extra == 3) {
				fflush(stdout);
				raise(SIGKILL);
			}
			continue;
		}
		if (++unreleased >= o->batch || m.type == PEER_END) {
			ring_release(r, cursor);
			last_released = m.seq;
			unreleased = 0;
			if (o->state)
				persist(o->state, last_released);
			if (o->die_after && last_released >= o->die_after)
				dying = 1;
		}
		if (m.type == PEER_END)
			break;
		if (o->slow_us && (records & 63) == 0)
			sleep_us(o->slow_us);
		if ((records & 0xffff) == 0)
			ring_heartbeat(r);
	}
	ring_stat(r, &st);
	printf("consumer first=%" PRIu64 " resume_read_seq=%" PRIu64 " last=%" PRIu64 " records=%" PRIu64
	    " gaps=%" PRIu64 " lost=%" PRIu64 " read=%" PRIu64 " attaches=%u sleeps=%ld end=1\n", first, resume,
	    prev, records, gaps, lost, st.read, st.consumer_attaches, sleeps());
	ring_close(r);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"count", required_argument, NULL, 'n'}, {"cap", required_argument, NULL, 'c'},
		{"max", required_argument, NULL, 'm'}, {"policy", required_argument, NULL, 'p'},
		{"schema", required_argument, NULL, 's'}, {"kill-at", required_argument, NULL, 'k'},
		{"die-after", required_argument, NULL, 'd'}, {"state", required_argument, NULL, 'f'},
		{"batch", required_argument, NULL, 'b'}, {"slow-us", required_argument, NULL, 'u'},
		{"idle-ms", required_argument, NULL, 'i'}, {"timeout-ms", required_argument, NULL, 't'},
		{"trades", no_argument, NULL, 'T'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	struct peer_opts o = {.count = 1000, .cap = 1 << 20, .schema = 0x5eed, .max = 2000, .batch = 64,
		.idle_ms = 20000, .policy = RING_BLOCK, .timeout_ms = 100};
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': o.count = strtoull(optarg, NULL, 0); break;
		case 'c': o.cap = strtoull(optarg, NULL, 0); break;
		case 'm': o.max = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'p':
			if (strcmp(optarg, "block") && strcmp(optarg, "drop"))
				die("--policy", "block or drop");
			o.policy = strcmp(optarg, "drop") == 0 ? RING_DROP : RING_BLOCK;
			break;
		case 's': o.schema = strcmp(optarg, "rec") == 0 ? rec_schema_hash() : strtoull(optarg, NULL, 0); break;
		case 'T': o.trades = 1; break;
		case 'k': o.kill_at = strtoull(optarg, NULL, 0); break;
		case 'd': o.die_after = strtoull(optarg, NULL, 0); break;
		case 'f': o.state = optarg; break;
		case 'b': o.batch = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'u': o.slow_us = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'i': o.idle_ms = atoi(optarg); break;
		case 't': o.timeout_ms = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind + 2 != argc || o.batch == 0 || o.max < PEER_MIN) {
		fputs(usage, stderr);
		return 2;
	}
	if (strcmp(argv[optind], "produce") == 0)
		return produce(argv[optind + 1], &o);
	if (strcmp(argv[optind], "consume") == 0)
		return consume(argv[optind + 1], &o);
	fputs(usage, stderr);
	return 2;
}
