/*
 * fuzz_bookd_sync.c - libFuzzer target for the book keeper (bookd/sync*.c):
 * the input is a program of small operations (Binance / OKX deltas with ids
 * near the book's, REST / WS / deep snapshots, venue events, tickers, ring
 * losses, time steps) run against one Binance and one OKX keeper.  Checked on
 * every output record: rec_check passes, and the consumer continuity rule
 * holds (delta.prev_id == last id of the epoch's SNAP_FULL or previous
 * delta); at the end a book rebuilt from the outputs equals each synced
 * keeper's book, and every book passes book_check.  Any violation traps.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../bookd/sync.h"
#include "log.h"

struct cons {
	struct book *b;
	int epoch;
	int64_t last;
};

static struct cons g_cons[3];
static struct inst_registry g_reg;
static struct bk_cfg g_cfg;

static void
fz_record(void *ud, const struct rec_hdr *h)
{
	struct cons *c = &g_cons[(uintptr_t)ud];
	char err[160];

	if (rec_check(h, h->len, err, sizeof err) != 0)
		__builtin_trap();
	if (h->type == REC_SNAPSHOT) {
		const struct rec_snapshot *s = (const void *)h;
		if (s->kind == SNAP_FULL && (s->reason == SNAP_R_SYNC || s->reason == SNAP_R_RESYNC)) {
			book_clear(c->b);
			for (uint32_t i = 0; i < s->n_bids + s->n_asks; i++)
				book_apply(c->b, i < s->n_bids ? BOOK_BID : BOOK_ASK, s->lv[i].px, s->lv[i].qty);
			c->epoch = 1;
			c->last = h->last_id;
		} else if (!c->epoch || h->last_id != c->last) {
			__builtin_trap();
		}
	} else if (h->type == REC_DELTA) {
		const struct rec_delta *d = (const void *)h;
		if (!c->epoch || h->prev_id != c->last)
			__builtin_trap();
		for (uint32_t i = 0; i < d->n_bids + d->n_asks; i++)
			book_apply(c->b, i < d->n_bids ? BOOK_BID : BOOK_ASK, d->lv[i].px, d->lv[i].qty);
		c->last = h->last_id;
	} else if (h->type == REC_EVENT) {
		uint16_t code = ((const struct rec_event *)h)->code;
		if (code == EV_RESYNC || code == EV_GAP || code == EV_RING_LOSS)
			c->epoch = 0;
	}
}

static void
fz_control(void *ud, const struct rec_control *c)
{
	(void)ud;
	(void)c;
}

struct rd {
	const uint8_t *p;
	size_t n;
};

static unsigned
take(struct rd *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

/* up to 12 levels near a mid of 1000 ticks, quantities 0..3 */
static uint32_t
levels(struct rd *r, struct rec_level *lv, uint32_t *nb)
{
	uint32_t n = take(r) % 13, b = 0;

	for (uint32_t i = 0; i < n; i++) {
		unsigned x = take(r), side = x & 1, d = (x >> 1) % 40;
		lv[i].px = side ? 1000 + 1 + d : 1000 - d;
		lv[i].qty = take(r) % 4;
	}
	/* bids first: stable partition */
	{
		struct rec_level tmp[16];
		uint32_t o = 0;
		for (uint32_t i = 0; i < n; i++)
			if (lv[i].px <= 1000)
				tmp[o++] = lv[i];
		b = o;
		for (uint32_t i = 0; i < n; i++)
			if (lv[i].px > 1000)
				tmp[o++] = lv[i];
		memcpy(lv, tmp, n * sizeof *lv);
	}
	*nb = b;
	return n;
}

static _Alignas(8) unsigned char g_buf[8192];

static void
run_op(struct bk *kb, struct bk *ko, struct rd *r, int64_t *now)
{
	unsigned op = take(r) % 10;
	struct bk *k = (op & 1) ? ko : kb;
	struct rec_level lv[16];
	uint32_t nb, n;
	int64_t base = k->id >= 0 ? k->id : 100;

	switch (op) {
	case 0: case 1: {   /* delta */
		struct rec_delta *d = (struct rec_delta *)g_buf;
		n = levels(r, lv, &nb);
		memset(d, 0, rec_delta_size(nb, n - nb));
		rec_hdr_init(&d->h, REC_DELTA, k->in->id, (uint32_t)rec_delta_size(nb, n - nb));
		if (k->in->exch == EX_BINANCE) {
			d->h.first_id = base + (int64_t)(take(r) % 6) - 2;
			d->h.last_id = d->h.first_id + take(r) % 4;
		} else {
			unsigned x = take(r);
			d->h.prev_id = x & 8 ? base : base + (int64_t)(x % 5) - 2;
			d->h.first_id = d->h.last_id = x & 16 ? d->h.prev_id : d->h.prev_id + (int64_t)(take(r) % 7) - 1;
			if (x & 32)
				d->h.aux = take(r);
		}
		d->h.exch_ns = *now - (int64_t)(take(r) % 3) * 1000000000LL;
		d->h.recv_ns = *now;
		d->n_bids = nb;
		d->n_asks = n - nb;
		memcpy(d->lv, lv, n * sizeof *lv);
		bk_input(k, &d->h, *now);
		break;
	}
	case 2: case 3: case 4: {   /* snapshot: REST, WS (OKX), deep (OKX) */
		struct rec_snapshot *s = (struct rec_snapshot *)g_buf;
		uint8_t kind = op == 2 ? SNAP_REST : op == 3 ? SNAP_WS : SNAP_DEEP;
		n = levels(r, lv, &nb);
		if (op == 2)
			k = take(r) & 1 ? ko : kb;
		memset(s, 0, rec_snapshot_size(nb, n - nb));
		rec_hdr_init(&s->h, REC_SNAPSHOT, k->in->id, (uint32_t)rec_snapshot_size(nb, n - nb));
		s->h.last_id = base + (int64_t)(take(r) % 8) - 4;
		s->kind = kind;
		s->nchunks = 1;
		s->n_bids = nb;
		s->n_asks = n - nb;
		s->req_id = take(r) & 1 ? k->req_id : 0;
		if (take(r) & 1)
			s->checksum = (int32_t)take(r);
		memcpy(s->lv, lv, n * sizeof *lv);
		bk_input(k, &s->h, *now);
		break;
	}
	case 5: {   /* venue events */
		struct rec_event ev;
		static const uint16_t codes[] = {EV_CONNECTED, EV_DISCONNECTED, EV_SNAPSHOT_FAILED, EV_STALE};
		k = take(r) & 1 ? ko : kb;
		memset(&ev, 0, sizeof ev);
		rec_hdr_init(&ev.h, REC_EVENT, k->in->id, sizeof ev);
		ev.code = codes[take(r) % 4];
		ev.h.aux = k->req_id;
		bk_input(k, &ev.h, *now);
		break;
	}
	case 6: {   /* bookTicker */
		struct rec_ticker t;
		memset(&t, 0, sizeof t);
		rec_hdr_init(&t.h, REC_TICKER, kb->in->id, sizeof t);
		t.have = TICK_BBO;
		t.h.last_id = base + (int64_t)(take(r) % 5) - 2;
		t.bid_px = 1000 - take(r) % 3;
		t.bid_qty = take(r) % 4;
		t.ask_px = 1001 + take(r) % 3;
		t.ask_qty = take(r) % 4;
		bk_input(kb, &t.h, *now);
		break;
	}
	case 7:
		*now += (int64_t)(take(r) % 64) * 100000000LL;
		bk_tick(kb, *now);
		bk_tick(ko, *now);
		break;
	case 8:
		bk_ring_loss(take(r) & 1 ? ko : kb, 1, 1, *now);
		break;
	default:
		bk_resync(k, "fuzz", *now);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bk_sink sb = {(void *)1, fz_record, fz_control}, so = {(void *)2, fz_record, fz_control};
	static int init;
	struct bk kb, ko;
	struct rd r = {data, size};
	int64_t now = 1700000000000000000LL;
	char err[160];

	if (!init) {
		init = 1;
		log_set_level(LOG_ERROR + 1);
		inst_add(&g_reg, EX_BINANCE, "BTC-USDT", err, sizeof err);
		inst_add(&g_reg, EX_OKX, "BTC-USDT", err, sizeof err);
		g_cons[1].b = book_new(64);
		g_cons[2].b = book_new(64);
	}
	bk_cfg_defaults(&g_cfg);
	g_cfg.max_levels = 64;
	g_cfg.okx_ws_depth = 5;
	g_cfg.topn = 3;
	g_cfg.min_depth_pct = take(&r) % 2 ? 50 : 0;
	g_cfg.crossed_resync = (int)(take(&r) % 2);
	g_cfg.buffer_max = 65536 + take(&r) * 64;
	for (int i = 1; i < 3; i++) {
		book_clear(g_cons[i].b);
		g_cons[i].epoch = 0;
		g_cons[i].last = -1;
	}
	if (bk_init(&kb, inst_get(&g_reg, 1), &g_cfg, &sb) < 0 || bk_init(&ko, inst_get(&g_reg, 2), &g_cfg, &so) < 0)
		abort();
	bk_start(&kb, now);
	bk_start(&ko, now);
	while (r.n)
		run_op(&kb, &ko, &r, &now);
	if (kb.state == BK_SYNCED && (!g_cons[1].epoch || book_cmp(g_cons[1].b, kb.book, 0, NULL, 0)))
		__builtin_trap();
	if (ko.state == BK_SYNCED && (!g_cons[2].epoch || book_cmp(g_cons[2].b, ko.book, 0, NULL, 0)))
		__builtin_trap();
	/* the engine's own invariants, in the keepers' books and the rebuilt ones */
	if (book_check(kb.book, NULL, 0) || book_check(ko.book, NULL, 0) ||
	    book_check(g_cons[1].b, NULL, 0) || book_check(g_cons[2].b, NULL, 0))
		__builtin_trap();
	bk_free(&kb);
	bk_free(&ko);
	return 0;
}
