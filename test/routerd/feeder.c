/*
 * routerd_feeder - writes a synthetic stream of bookd-contract records into
 * book.router, so routerd can be tested without feedd and bookd.
 *
 * Per instrument it keeps a real book (bookd/book.h) and emits what bookd
 * would: EV_SYNCED + SNAP_FULL (reason sync) first, then deltas whose prev_id
 * is the book's id before applying them (Binance: U..u ranges; OKX: seqIds
 * with heartbeats), a SNAP_FULL every --full-every deltas (periodic), a
 * SNAP_TOPN every --topn-every deltas, trades, tickers and klines between,
 * and optionally one resync (EV_GAP, EV_RESYNC, SNAP_FULL reason resync
 * with a jump in ids and a changed book: a new sync epoch).
 *
 * It prints one JSON object with what it wrote (per instrument and type),
 * so a test can derive the expected subjects independently of routerd.
 * With --hold-after N --hold-file F it stops after N delta rounds, says so on
 * stderr, and goes on only once F exists (removing it, so the next hold waits
 * for a new one): a test can then change the world (freeze a server) knowing
 * that the rest of the records come after it.
 * Without --allow-drop it waits for room in the ring instead of letting
 * the RING_DROP policy drop records; with it, drops are counted.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "book.h"
#include "daemon.h"
#include "inst.h"
#include "log.h"
#include "pipe.h"
#include "rec.h"
#include "ring.h"

static const char usage[] =
    "usage: routerd_feeder [-c CONF] [--set S.K=V] [options]\n"
    "  --deltas N        deltas per instrument (default 200)\n"
    "  --depth N         levels per side of each book (default 200)\n"
    "  --full-every N    periodic full snapshot every N deltas (default 50, 0 = never)\n"
    "  --topn-every N    top-N snapshot every N deltas (default 25, 0 = never)\n"
    "  --topn N          levels per side of top-N snapshots (default 20)\n"
    "  --resync-at N     resync each book once after N deltas (default 0 = never)\n"
    "  --trades-every N  one trade every N deltas (default 3), tickers and klines every 10\n"
    "  --seed N          random seed (default 1)\n"
    "  --rate N          records per second (default 0 = as fast as the ring takes them)\n"
    "  --allow-drop      write even when the ring is full (RING_DROP drops, counted)\n"
    "  --start-id N      first update id (default 1000); use a different one per run\n"
    "  --hold-after N    after N delta rounds, print \"held\" on stderr and wait until\n"
    "                    the file given by --hold-file exists, then remove it and go on\n"
    "                    (a test changes the world in between, certain that records are\n"
    "                    still to come); up to 8 times\n"
    "  --hold-file PATH  the file --hold-after waits for\n";

struct ibook {
	const struct inst *in;
	struct book *b;
	int64_t id;             /* the book's update id */
	int64_t mid;            /* price grid centre (mantissa) */
	int64_t tick;
	int deltas;
	uint64_t trade_id;
	/* what was written */
	uint64_t n_delta, n_delta_changes, n_heartbeat, n_full, n_full_sync, n_full_periodic, n_topn;
	uint64_t n_trade, n_ticker, n_kline, n_event;
};

static struct ring *ring;
static int allow_drop, rate;
#define HOLD_MAX 8
static int hold_after[HOLD_MAX], n_hold;
static const char *hold_file;
static uint64_t dropped, written, written_bytes;
static uint64_t rng_state = 1;
static unsigned char *buf;
static struct rec_level *tmp;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int64_t
clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
stamp(struct rec_hdr *h)
{
	int64_t t = clock_ns();

	h->exch_ns = t - 3000000;
	h->recv_ns = t - 1000000;
	h->stage_ns[STAGE_FEED] = t - 500000;
	h->stage_ns[STAGE_BOOK] = t;
}

static void
emit(struct rec_hdr *h)
{
	int rc;

	if (!allow_drop) {
		/* Wait for room rather than let the drop policy lose it. */
		for (;;) {
			struct ring_stat st;

			ring_stat(ring, &st);
			if (st.capacity - (st.tail - st.head) > (uint64_t)h->len + 4096 + RING_FRAME_HDR * 4)
				break;
			struct timespec ts = {0, 1000000};
			nanosleep(&ts, NULL);
		}
	}
	if (rate > 0) {
		struct timespec ts = {0, 1000000000L / rate};
		nanosleep(&ts, NULL);
	}
	rc = ring_write(ring, h->type, h, h->len);
	if (rc == RING_EDROPPED) {
		dropped++;
		return;
	}
	if (rc != RING_OK) {
		fprintf(stderr, "routerd_feeder: ring_write: %s\n", ring_strerror(rc));
		exit(1);
	}
	written++;
	written_bytes += h->len;
}

static void
event(struct ibook *ib, uint16_t code, int64_t a, int64_t b, const char *text)
{
	struct rec_event e;

	memset(&e, 0, sizeof e);
	rec_hdr_init(&e.h, REC_EVENT, ib->in->id, sizeof e);
	e.code = code;
	e.severity = code == EV_SYNCED ? SEV_INFO : SEV_WARN;
	e.a = a;
	e.b = b;
	snprintf(e.text, sizeof e.text, "%s", text);
	stamp(&e.h);
	emit(&e.h);
	ib->n_event++;
}

static void
snapshot(struct ibook *ib, int kind, int reason, uint32_t topn)
{
	struct rec_snapshot *s = (struct rec_snapshot *)buf;
	uint32_t nb, na, lim = kind == SNAP_TOPN ? topn : REC_MAX_LEVELS;

	nb = book_copy_top(ib->b, BOOK_BID, lim, tmp);
	na = book_copy_top(ib->b, BOOK_ASK, lim, tmp + nb);
	memset(s, 0, sizeof *s);
	rec_hdr_init(&s->h, REC_SNAPSHOT, ib->in->id, (uint32_t)rec_snapshot_size(nb, na));
	s->h.flags = REC_F_SYNCED;
	s->h.last_id = ib->id;
	s->kind = (uint8_t)kind;
	s->reason = (uint8_t)reason;
	s->nchunks = 1;
	s->n_bids = nb;
	s->n_asks = na;
	s->checksum = ib->in->exch == EX_OKX ? (int32_t)(ib->id * 2654435761u) : 0;
	s->bid_floor_px = nb ? tmp[nb - 1].px : 0;
	s->ask_ceil_px = na ? tmp[nb + na - 1].px : 0;
	memcpy(s->lv, tmp, (size_t)(nb + na) * sizeof *tmp);
	stamp(&s->h);
	emit(&s->h);
	if (kind == SNAP_TOPN) {
		ib->n_topn++;
	} else {
		ib->n_full++;
		if (reason == SNAP_R_PERIODIC)
			ib->n_full_periodic++;
		else
			ib->n_full_sync++;
	}
}

/* A fresh book of `depth` levels per side around mid. */
static void
seed_book(struct ibook *ib, uint32_t depth)
{
	struct rec_level *lv = tmp;

	for (uint32_t i = 0; i < depth; i++) {
		lv[i].px = ib->mid - (int64_t)(i + 1) * ib->tick;
		lv[i].qty = (int64_t)(1 + rnd() % 1000) * 1000000;
	}
	book_set_side(ib->b, BOOK_BID, lv, depth, NULL);
	for (uint32_t i = 0; i < depth; i++) {
		lv[i].px = ib->mid + (int64_t)(i + 1) * ib->tick;
		lv[i].qty = (int64_t)(1 + rnd() % 1000) * 1000000;
	}
	book_set_side(ib->b, BOOK_ASK, lv, depth, NULL);
}

static void
delta(struct ibook *ib)
{
	struct rec_delta *d = (struct rec_delta *)buf;
	int okx = ib->in->exch == EX_OKX;
	int heartbeat = okx && rnd() % 20 == 0;
	uint32_t nb = heartbeat ? 0 : (uint32_t)(rnd() % 4), na = heartbeat ? 0 : (uint32_t)(rnd() % 4);
	int64_t prev = ib->id, bp, bq, ap, aq;

	if (!heartbeat && nb + na == 0)
		nb = 1;
	memset(d, 0, sizeof *d);
	rec_hdr_init(&d->h, REC_DELTA, ib->in->id, (uint32_t)rec_delta_size(nb, na));
	for (uint32_t i = 0; i < nb + na; i++) {
		int side = i < nb ? BOOK_BID : BOOK_ASK;
		int64_t k = 1 + (int64_t)(rnd() % 40), px;
		int dup;

		/* exchanges never list a price twice in one side of an update */
		do {
			px = side == BOOK_BID ? ib->mid - k * ib->tick : ib->mid + k * ib->tick;
			dup = 0;
			for (uint32_t j = side == BOOK_BID ? 0 : nb; j < i; j++)
				dup |= d->lv[j].px == px;
			k++;
		} while (dup);
		int64_t qty = rnd() % 5 == 0 ? 0 : (int64_t)(1 + rnd() % 1000) * 1000000;

		/* never remove the last level of a side */
		if (qty == 0 && book_count(ib->b, side) < 2)
			qty = 1000000;
		d->lv[i].px = px;
		d->lv[i].qty = qty;
		book_apply(ib->b, side, px, qty);
	}
	d->n_bids = nb;
	d->n_asks = na;
	if (heartbeat) {
		d->h.first_id = d->h.last_id = ib->id;
		d->h.flags |= REC_F_HEARTBEAT;
		ib->n_heartbeat++;
	} else if (okx) {
		ib->id += 1 + (int64_t)(rnd() % 3);
		d->h.first_id = d->h.last_id = ib->id;
	} else {
		d->h.first_id = ib->id + 1;
		ib->id += 1 + (int64_t)(rnd() % 5);
		d->h.last_id = ib->id;
	}
	d->h.prev_id = prev;
	d->h.flags |= REC_F_SYNCED;
	d->h.aux = okx ? (uint32_t)(ib->id * 40503u) : 0;
	d->book_bids = book_count(ib->b, BOOK_BID);
	d->book_asks = book_count(ib->b, BOOK_ASK);
	book_best(ib->b, BOOK_BID, &bp, &bq);
	book_best(ib->b, BOOK_ASK, &ap, &aq);
	d->best_bid_px = bp;
	d->best_bid_qty = bq;
	d->best_ask_px = ap;
	d->best_ask_qty = aq;
	stamp(&d->h);
	emit(&d->h);
	ib->n_delta++;
	if (nb + na)
		ib->n_delta_changes++;
	ib->deltas++;
}

static void
trade(struct ibook *ib)
{
	struct rec_trade t;

	memset(&t, 0, sizeof t);
	rec_hdr_init(&t.h, REC_TRADE, ib->in->id, sizeof t);
	t.h.first_id = t.h.last_id = (int64_t)++ib->trade_id;
	t.px = ib->mid + ib->tick;
	t.qty = (int64_t)(1 + rnd() % 100) * 100000;
	t.side = rnd() % 2 ? SIDE_BUY : SIDE_SELL;
	t.count = 1;
	stamp(&t.h);
	t.trade_ns = t.h.exch_ns;
	emit(&t.h);
	ib->n_trade++;
}

static void
ticker(struct ibook *ib)
{
	struct rec_ticker t;
	int64_t bp, bq, ap, aq;

	memset(&t, 0, sizeof t);
	rec_hdr_init(&t.h, REC_TICKER, ib->in->id, sizeof t);
	book_best(ib->b, BOOK_BID, &bp, &bq);
	book_best(ib->b, BOOK_ASK, &ap, &aq);
	t.h.last_id = ib->id;
	t.have = TICK_BBO | (ib->in->exch == EX_OKX ? TICK_LAST | TICK_24H : 0);
	t.bid_px = bp;
	t.bid_qty = bq;
	t.ask_px = ap;
	t.ask_qty = aq;
	t.last_px = ib->mid;
	t.last_qty = 100000;
	t.open_24h = ib->mid - 100 * ib->tick;
	t.high_24h = ib->mid + 200 * ib->tick;
	t.low_24h = ib->mid - 300 * ib->tick;
	t.vol_24h = 123456789000;
	t.volq_24h = 987654321000;
	stamp(&t.h);
	emit(&t.h);
	ib->n_ticker++;
}

static void
kline(struct ibook *ib)
{
	struct rec_kline k;

	memset(&k, 0, sizeof k);
	rec_hdr_init(&k.h, REC_KLINE, ib->in->id, sizeof k);
	stamp(&k.h);
	k.open_ns = k.h.exch_ns / 60000000000 * 60000000000;
	k.close_ns = k.open_ns + 59999000000;
	k.o = ib->mid;
	k.hi = ib->mid + 5 * ib->tick;
	k.lo = ib->mid - 5 * ib->tick;
	k.c = ib->mid + ib->tick;
	k.vol = 5000000000;
	k.volq = 300000000000;
	k.n_trades = ib->in->exch == EX_OKX ? -1 : 42;
	k.interval_s = 60;
	k.closed = 0;
	emit(&k.h);
	ib->n_kline++;
}

static void
resync(struct ibook *ib, uint32_t depth)
{
	int64_t old = ib->id;

	event(ib, EV_GAP, ib->id + 1, ib->id + 50, "synthetic gap");
	event(ib, EV_RESYNC, 0, 0, "gap: fetching a new snapshot");
	ib->id += 100;
	/* The new snapshot is not the old book plus deltas: a new epoch. */
	seed_book(ib, depth);
	event(ib, EV_SYNCED, ib->id, (int64_t)depth * 2, "resynced");
	snapshot(ib, SNAP_FULL, SNAP_R_RESYNC, 0);
	(void)old;
}

/* Wait (polling, the test has no other channel to us) until hold_file exists. */
static void
hold(int k)
{
	fprintf(stderr, "routerd_feeder: held after %d delta rounds (%llu records)\n", k,
	    (unsigned long long)written);
	fflush(stderr);
	while (access(hold_file, F_OK) != 0) {
		struct timespec ts = {0, 10000000};

		nanosleep(&ts, NULL);
	}
	if (unlink(hold_file) != 0) {
		fprintf(stderr, "routerd_feeder: %s: %s\n", hold_file, strerror(errno));
		exit(1);
	}
	fprintf(stderr, "routerd_feeder: going on after %d delta rounds\n", k);
	fflush(stderr);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"deltas", 1, NULL, 'n'}, {"depth", 1, NULL, 'd'}, {"full-every", 1, NULL, 'f'},
		{"topn-every", 1, NULL, 't'}, {"topn", 1, NULL, 'T'}, {"resync-at", 1, NULL, 'r'},
		{"trades-every", 1, NULL, 'x'}, {"seed", 1, NULL, 's'}, {"rate", 1, NULL, 'R'},
		{"allow-drop", 0, NULL, 'D'}, {"start-id", 1, NULL, 'i'}, {"hold-after", 1, NULL, 'H'},
		{"hold-file", 1, NULL, 'F'}, {0},
	};
	static struct inst_registry reg;   /* static: reachable to the end (allocated) */
	struct ibook *ib;
	struct cfg *c;
	char err[512];
	int n_deltas = 200, depth = 200, full_every = 50, topn_every = 25, topn = 20, resync_at = 0;
	int trades_every = 3, opt, rc, ni;
	int64_t start_id = 1000;

	c = daemon_start("routerd_feeder", usage, &argc, argv);
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'n': n_deltas = atoi(optarg); break;
		case 'd': depth = atoi(optarg); break;
		case 'f': full_every = atoi(optarg); break;
		case 't': topn_every = atoi(optarg); break;
		case 'T': topn = atoi(optarg); break;
		case 'r': resync_at = atoi(optarg); break;
		case 'x': trades_every = atoi(optarg); break;
		case 's': rng_state = strtoull(optarg, NULL, 10) | 1; break;
		case 'R': rate = atoi(optarg); break;
		case 'D': allow_drop = 1; break;
		case 'i': start_id = strtoll(optarg, NULL, 10); break;
		case 'H':
			if (n_hold == HOLD_MAX || (hold_after[n_hold] = atoi(optarg)) < 1) {
				fputs(usage, stderr);
				return 2;
			}
			n_hold++;
			break;
		case 'F': hold_file = optarg; break;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (depth < 1 || depth > REC_MAX_LEVELS || trades_every < 1 ||
	    (n_hold > 0) != (hold_file != NULL)) {
		fputs(usage, stderr);
		return 2;
	}
	if (pipe_instruments(c, &reg, err, sizeof err) < 0) {
		fprintf(stderr, "routerd_feeder: %s\n", err);
		return 2;
	}
	rc = pipe_ring_open(c, "book.router", RING_PRODUCER, &ring, err, sizeof err);
	if (rc != RING_OK) {
		fprintf(stderr, "routerd_feeder: book.router: %s\n", err);
		return 1;
	}
	buf = malloc(rec_snapshot_size(REC_MAX_LEVELS, REC_MAX_LEVELS));
	tmp = malloc(sizeof *tmp * 2 * REC_MAX_LEVELS);
	if (!buf || !tmp)
		return 1;
	ni = reg.n;
	ib = calloc((size_t)(ni ? ni : 1), sizeof *ib);
	if (!ib) {
		fprintf(stderr, "feeder: out of memory\n");
		return 1;
	}
	for (int i = 0; i < ni; i++) {
		memset(&ib[i], 0, sizeof ib[i]);
		ib[i].in = &reg.v[i];
		ib[i].b = book_new(REC_MAX_LEVELS);
		ib[i].id = start_id + i * 1000000;
		ib[i].tick = ib[i].in->exch == EX_OKX ? 10000000 : 1000000;   /* 0.1 / 0.01 */
		ib[i].mid = (int64_t)(30000 + 1000 * i) * 100000000;
		ib[i].trade_id = (uint64_t)start_id * 10 + (uint64_t)i * 100000000;
		seed_book(&ib[i], (uint32_t)depth);
		event(&ib[i], EV_SYNCED, ib[i].id, depth * 2, "synced");
		snapshot(&ib[i], SNAP_FULL, SNAP_R_SYNC, 0);
	}
	for (int k = 1; k <= n_deltas; k++) {
		for (int i = 0; i < ni; i++) {
			delta(&ib[i]);
			if (k % trades_every == 0)
				trade(&ib[i]);
			if (k % 10 == 0) {
				ticker(&ib[i]);
				kline(&ib[i]);
			}
			if (topn_every && k % topn_every == 0)
				snapshot(&ib[i], SNAP_TOPN, SNAP_R_NONE, (uint32_t)topn);
			if (full_every && k % full_every == 0)
				snapshot(&ib[i], SNAP_FULL, SNAP_R_PERIODIC, 0);
			if (resync_at && k == resync_at)
				resync(&ib[i], (uint32_t)depth);
		}
		ring_heartbeat(ring);
		for (int h = 0; h < n_hold; h++)
			if (k == hold_after[h])
				hold(k);
	}
	printf("{\"written\": %llu, \"bytes\": %llu, \"dropped\": %llu, \"instruments\": {",
	    (unsigned long long)written, (unsigned long long)written_bytes, (unsigned long long)dropped);
	for (int i = 0; i < ni; i++) {
		struct ibook *b = &ib[i];

		printf("%s\"%s.%s\": {\"delta\": %llu, \"delta_changes\": %llu, \"heartbeat\": %llu, "
		    "\"full\": %llu, \"full_sync\": %llu, \"full_periodic\": %llu, \"topn\": %llu, \"trade\": %llu, "
		    "\"ticker\": %llu, \"kline\": %llu, \"event\": %llu, \"last_id\": %lld}", i ? ", " : "",
		    exch_name(b->in->exch), b->in->lower, (unsigned long long)b->n_delta,
		    (unsigned long long)b->n_delta_changes, (unsigned long long)b->n_heartbeat,
		    (unsigned long long)b->n_full, (unsigned long long)b->n_full_sync,
		    (unsigned long long)b->n_full_periodic, (unsigned long long)b->n_topn,
		    (unsigned long long)b->n_trade, (unsigned long long)b->n_ticker,
		    (unsigned long long)b->n_kline, (unsigned long long)b->n_event, (long long)b->id);
		book_free(b->b);
	}
	printf("}}\n");
	ring_close(ring);
	free(buf);
	free(tmp);
	cfg_free(c);
	return 0;
}
