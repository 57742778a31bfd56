/*
 * stored_feeder - a test producer standing in for bookd and feedd: writes a
 * realistic stream of bookd-contract records into book.store and raw frames
 * into raw.<exchange>, then prints what it wrote as one JSON object (records
 * and an order-free digest per book and per raw stream) for the tests to
 * compare with what the store holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "gen.h"
#include "log.h"
#include "pipe.h"
#include "ring.h"
#include "../../stored/store.h"

static const char usage[] =
    "usage: stored_feeder [-c CONF] [options]\n"
    "  --deltas N            deltas per book (default 2000)\n"
    "  --depth D             levels per side (default 1000)\n"
    "  --seed S              generator seed (default 1)\n"
    "  --rate R              deltas per second over all books (default 0 = as fast as the ring takes)\n"
    "  --raw                 also write each delta's exchange JSON to raw.<exchange>\n"
    "  --markets             also write REC_MARKET records (every 70 deltas, the four kinds in turn)\n"
    "  --gap-recorded K      drop book 1's K-th delta and emit EV_GAP before the next\n"
    "  --gap-unexplained K   drop book 1's K-th delta silently\n"
    "  --start NS            time of the first record (default: now - the run's span)\n";

struct book {
	struct gen_book g;
	const struct inst *in;
	uint64_t records, deltas, snapshots, digest;
};

static struct ring *book_ring, *raw_ring[3];
static uint64_t written_book, written_raw[3];
static uint64_t raw_digest[3], raw_records[3];

static void
put(struct ring *r, const void *rec)
{
	const struct rec_hdr *h = rec;
	int rc;

	while ((rc = ring_write(r, h->type, rec, h->len)) == RING_EAGAIN && !daemon_stop)
		;
	if (rc != RING_OK && rc != RING_EDROPPED) {
		fprintf(stderr, "stored_feeder: ring_write: %s\n", ring_strerror(rc));
		exit(1);
	}
}

static void
emit(struct book *b, void *rec)
{
	const struct rec_hdr *h = rec;

	put(book_ring, rec);
	written_book++;
	b->records++;
	b->digest += store_rec_digest(h);
	if (h->type == REC_DELTA)
		b->deltas++;
	if (h->type == REC_SNAPSHOT)
		b->snapshots++;
	free(rec);
}

static void
emit_raw(struct book *b, const struct rec_delta *d)
{
	char *js = gen_delta_json(&b->g, d);
	struct rec_raw *r = gen_raw(b->in->exch, b->in->id, d->h.recv_ns, RAW_WS, NULL, js);
	int ex = b->in->exch;

	free(js);
	put(raw_ring[ex], r);
	written_raw[ex]++;
	raw_records[ex]++;
	raw_digest[ex] += store_rec_digest(&r->h);
	free(r);
}

int
main(int argc, char **argv)
{
	struct cfg *c = daemon_start("stored_feeder", usage, &argc, argv);
	static struct inst_registry reg;   /* static: reachable to the end (allocated) */
	struct book *books;
	char err[512];
	long deltas = 2000, depth = 1000, gap_rec = -1, gap_unx = -1;
	unsigned long long seed = 1;
	double rate = 0;
	int raw = 0, markets = 0, i, nb;
	long k;
	int64_t start = 0, t_begin;

	daemon_signals();
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--raw")) {
			raw = 1;
			continue;
		}
		if (!strcmp(a, "--markets")) {
			markets = 1;
			continue;
		}
		if (!v) {
			fprintf(stderr, "stored_feeder: %s needs a value\n%s", a, usage);
			return 2;
		}
		if (!strcmp(a, "--deltas"))
			deltas = atol(v);
		else if (!strcmp(a, "--depth"))
			depth = atol(v);
		else if (!strcmp(a, "--seed"))
			seed = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--rate"))
			rate = atof(v);
		else if (!strcmp(a, "--gap-recorded"))
			gap_rec = atol(v);
		else if (!strcmp(a, "--gap-unexplained"))
			gap_unx = atol(v);
		else if (!strcmp(a, "--start"))
			start = strtoll(v, NULL, 10);
		else {
			fprintf(stderr, "stored_feeder: unknown option %s\n%s", a, usage);
			return 2;
		}
		i++;
	}
	if (depth < 20 || depth > REC_MAX_LEVELS) {
		fprintf(stderr, "stored_feeder: --depth must be 20..%d\n", REC_MAX_LEVELS);
		return 2;
	}
	if (pipe_instruments(c, &reg, err, sizeof err) < 0) {
		fprintf(stderr, "stored_feeder: %s\n", err);
		return 2;
	}
	if (pipe_ring_open(c, "book.store", RING_PRODUCER, &book_ring, err, sizeof err) != RING_OK) {
		fprintf(stderr, "stored_feeder: book.store: %s\n", err);
		return 1;
	}
	nb = reg.n;
	books = calloc((size_t)nb, sizeof *books);
	if (!start)
		start = now_ns() - (int64_t)deltas * 100000000LL - 60000000000LL;
	for (i = 0; i < nb; i++) {
		books[i].in = &reg.v[i];
		gen_init(&books[i].g, reg.v[i].id, reg.v[i].exch,
		    reg.v[i].symbol[0] == 'B' ? 9000000000000LL : 300000000000LL, 1000000, 1000,
		    (int)depth, seed * 100 + (uint64_t)i, start + i * 7000000LL);
		if (raw && !raw_ring[reg.v[i].exch]) {
			char name[32];
			snprintf(name, sizeof name, "raw.%s", exch_name(reg.v[i].exch));
			if (pipe_ring_open(c, name, RING_PRODUCER, &raw_ring[reg.v[i].exch], err, sizeof err) != RING_OK) {
				fprintf(stderr, "stored_feeder: %s: %s\n", name, err);
				return 1;
			}
		}
		emit(&books[i], gen_event(&books[i].g, EV_SYNCED, books[i].g.last_id, depth, "synced"));
		emit(&books[i], gen_snapshot(&books[i].g, SNAP_FULL, SNAP_R_SYNC, 0));
	}
	t_begin = mono_ns();
	for (k = 1; k <= deltas && !daemon_stop; k++) {
		for (i = 0; i < nb; i++) {
			struct book *b = &books[i];
			struct rec_delta *d = gen_delta(&b->g, 8 + (int)(gen_rand(&b->g) % 40));
			if (i == 0 && (k == gap_rec || k == gap_unx)) {
				free(d);   /* lost on the way */
				if (k == gap_rec)
					emit(b, gen_event(&b->g, EV_GAP, b->g.last_id, b->g.last_id + 1, "injected"));
				continue;
			}
			if (raw)
				emit_raw(b, d);
			emit(b, d);
			if (k % 10 == 0)
				emit(b, gen_trade(&b->g));
			if (k % 50 == 0)
				emit(b, gen_ticker(&b->g));
			if (k % 600 == 0)
				emit(b, gen_kline(&b->g));
			if (markets && k % 70 == 0)
				emit(b, gen_market(&b->g));
			if (k % 100 == 0)
				emit(b, gen_snapshot(&b->g, SNAP_TOPN, SNAP_R_PERIODIC, 20));
			if (k % 3000 == 0)
				emit(b, gen_snapshot(&b->g, SNAP_FULL, SNAP_R_PERIODIC, 0));
		}
		if (rate > 0) {
			int64_t due = t_begin + (int64_t)((double)(k * nb) / rate * 1e9), now = mono_ns();
			if (due > now) {
				struct timespec ts = { (time_t)((due - now) / 1000000000), (long)((due - now) % 1000000000) };
				nanosleep(&ts, NULL);
			}
		}
	}
	printf("{\"book_store_written\": %llu, \"books\": [", (unsigned long long)written_book);
	for (i = 0; i < nb; i++) {
		printf("%s{\"exchange\": \"%s\", \"symbol\": \"%s\", \"records\": %llu, \"deltas\": %llu, "
		    "\"snapshots\": %llu, \"digest\": \"%016llx\"}", i ? ", " : "", exch_name(books[i].in->exch),
		    books[i].in->symbol, (unsigned long long)books[i].records,
		    (unsigned long long)books[i].deltas, (unsigned long long)books[i].snapshots,
		    (unsigned long long)books[i].digest);
		gen_free(&books[i].g);
	}
	printf("], \"raw\": [");
	for (i = 1, nb = 0; i <= 2; i++) {
		if (!raw_ring[i])
			continue;
		printf("%s{\"exchange\": \"%s\", \"records\": %llu, \"digest\": \"%016llx\"}", nb++ ? ", " : "",
		    exch_name(i), (unsigned long long)raw_records[i], (unsigned long long)raw_digest[i]);
		ring_close(raw_ring[i]);
	}
	printf("]}\n");
	free(books);
	ring_close(book_ring);
	cfg_free(c);
	return 0;
}
