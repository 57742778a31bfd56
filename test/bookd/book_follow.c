/*
 * book_follow.c - a test consumer of book.router: rebuilds every book from
 * bookd's outputs alone (SNAP_FULL opens an epoch, deltas continue it) while
 * checking each record with rec_check and the continuity rule, and writes
 * the state of each book to DIR/<exchange>-<SYMBOL>.json every 200 ms
 * (atomically) for the end-to-end tests to compare with mpsim's own book.
 *
 *   book_follow -c CONF --dir DIR [--ring book.router]
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../bookd/book.h"
#include "cfg.h"
#include "cfg_schemas.h"
#include "inst.h"
#include "log.h"
#include "pipe.h"
#include "rec.h"
#include "ring.h"

struct fbook {
	const struct inst *in;
	struct book *b;
	int epoch;                 /* a SYNC/RESYNC full snapshot opened the current epoch */
	int64_t last_id;
	int64_t floor_px, ceil_px, deep_refresh_ns;
	uint64_t deltas, fulls, topn, continuity_errors, outside_epoch, gaps_seen;
	uint64_t ev[64];
	int dirty;
};

static volatile sig_atomic_t g_stop;

static void
on_sig(int s)
{
	(void)s;
	g_stop = 1;
}

static void
write_book(const char *dir, struct fbook *f, uint64_t bad, uint64_t ring_gaps)
{
	char path[512], tmp[520], px[64], qty[64];
	FILE *o;

	snprintf(path, sizeof path, "%s/%s-%s.json", dir, exch_name(f->in->exch), f->in->symbol);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	o = fopen(tmp, "w");
	if (!o)
		return;
	inst_fmt_px(f->in, f->floor_px, px, sizeof px);
	inst_fmt_px(f->in, f->ceil_px, qty, sizeof qty);
	fprintf(o, "{\"exchange\": \"%s\", \"symbol\": \"%s\", \"synced\": %s, \"last_id\": %" PRId64
	    ", \"deltas\": %" PRIu64 ", \"fulls\": %" PRIu64 ", \"topn\": %" PRIu64
	    ", \"continuity_errors\": %" PRIu64 ", \"outside_epoch\": %" PRIu64 ", \"bad_records\": %" PRIu64
	    ", \"ring_gaps\": %" PRIu64 ", \"floor\": \"%s\", \"ceil\": \"%s\", \"deep_refresh_ns\": %" PRId64
	    ", \"events\": {",
	    exch_name(f->in->exch), f->in->symbol, f->epoch ? "true" : "false", f->last_id, f->deltas, f->fulls,
	    f->topn, f->continuity_errors, f->outside_epoch, bad, ring_gaps, f->floor_px ? px : "",
	    f->ceil_px ? qty : "", f->deep_refresh_ns);
	for (int c = 0, first = 1; c < 64; c++)
		if (f->ev[c]) {
			fprintf(o, "%s\"%s\": %" PRIu64, first ? "" : ", ", ev_code_name((uint16_t)c), f->ev[c]);
			first = 0;
		}
	fprintf(o, "}");
	for (int s = 0; s < 2; s++) {
		fprintf(o, ", \"%s\": [", s == BOOK_BID ? "bids" : "asks");
		for (uint32_t i = 0; i < book_count(f->b, s); i++) {
			const struct rec_level *l = book_level(f->b, s, i);
			inst_fmt_px(f->in, l->px, px, sizeof px);
			inst_fmt_qty(f->in, l->qty, qty, sizeof qty);
			fprintf(o, "%s[\"%s\", \"%s\"]", i ? ", " : "", px, qty);
		}
		fprintf(o, "]");
	}
	fprintf(o, "}\n");
	fclose(o);
	rename(tmp, path);
	f->dirty = 0;
}

static void
on_record(struct fbook *f, const struct rec_hdr *h)
{
	f->dirty = 1;
	if (h->type == REC_SNAPSHOT) {
		const struct rec_snapshot *s = (const void *)h;
		if (s->kind == SNAP_TOPN) {
			f->topn++;
			/* the exact range moves inwards on evictions between full
			 * snapshots; a top-N snapshot at the book's own id carries
			 * the current one */
			if (f->epoch && h->last_id == f->last_id) {
				f->floor_px = s->bid_floor_px;
				f->ceil_px = s->ask_ceil_px;
			}
			return;
		}
		if (s->kind != SNAP_FULL)
			return;
		f->fulls++;
		if (s->reason == SNAP_R_SYNC || s->reason == SNAP_R_RESYNC) {
			if (s->chunk == 0)
				book_clear(f->b);
			for (uint32_t i = 0; i < s->n_bids; i++)
				book_apply(f->b, BOOK_BID, s->lv[i].px, s->lv[i].qty);
			for (uint32_t i = 0; i < s->n_asks; i++)
				book_apply(f->b, BOOK_ASK, s->lv[s->n_bids + i].px, s->lv[s->n_bids + i].qty);
			f->epoch = 1;
			f->last_id = h->last_id;
		} else if (f->epoch && h->last_id != f->last_id) {
			f->continuity_errors++;
		}
		f->floor_px = s->bid_floor_px;
		f->ceil_px = s->ask_ceil_px;
		f->deep_refresh_ns = s->deep_refresh_ns;
	} else if (h->type == REC_DELTA) {
		const struct rec_delta *d = (const void *)h;
		if (!f->epoch) {
			f->outside_epoch++;
			return;
		}
		if (h->prev_id != f->last_id) {
			f->continuity_errors++;
			f->epoch = 0;
			return;
		}
		for (uint32_t i = 0; i < d->n_bids + d->n_asks; i++)
			book_apply(f->b, i < d->n_bids ? BOOK_BID : BOOK_ASK, d->lv[i].px, d->lv[i].qty);
		f->last_id = h->last_id;
		f->deltas++;
	} else if (h->type == REC_EVENT) {
		const struct rec_event *e = (const void *)h;
		if (e->code < 64)
			f->ev[e->code]++;
		if (e->code == EV_RESYNC || e->code == EV_GAP || e->code == EV_RING_LOSS ||
		    e->code == EV_RESTARTED || e->code == EV_DISCONNECTED)
			f->epoch = 0;
	}
}

int
main(int argc, char **argv)
{
	struct fbook *fb;
	struct inst_registry reg;
	struct cfg_cli cli;
	struct cfg *cfg;
	struct ring *r;
	char err[512];
	const char *dir = NULL, *ring = "book.router";
	uint64_t cur, bad = 0, ring_gaps = 0;
	int64_t last_write = 0;

	log_init("book_follow");
	argc = cfg_cli_parse(argc, argv, &cli, err, sizeof err);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--ring") == 0 && i + 1 < argc)
			ring = argv[++i];
	}
	if (argc < 0 || cli.help || !dir) {
		fprintf(stderr, "usage: book_follow -c CONF --dir DIR [--ring book.router]\n");
		return 2;
	}
	cfg = cfg_load(cli.conf, cfg_all_schemas, cli.sets, cli.nsets, err, sizeof err);
	if (!cfg || pipe_instruments(cfg, &reg, err, sizeof err) < 0) {
		fprintf(stderr, "book_follow: %s\n", err);
		return 2;
	}
	fb = calloc((size_t)reg.n + 1, sizeof *fb);
	if (!fb) {
		fprintf(stderr, "book_follow: out of memory\n");
		return 1;
	}
	for (int i = 0; i < reg.n; i++) {
		fb[reg.v[i].id].in = &reg.v[i];
		fb[reg.v[i].id].b = book_new(50000);
		fb[reg.v[i].id].last_id = -1;
		fb[reg.v[i].id].dirty = 1;
	}
	if (pipe_ring_open(cfg, ring, RING_CONSUMER, &r, err, sizeof err) != RING_OK) {
		fprintf(stderr, "book_follow: %s\n", err);
		return 1;
	}
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	cur = ring_head(r);
	while (!g_stop) {
		struct ring_msg m;
		int rc, n = 0;
		struct timespec ts;
		int64_t now;

		while (n < 4096 && (rc = ring_next(r, &cur, &m)) == 1) {
			const struct rec_hdr *h = m.data;
			n++;
			if (m.type == RING_T_GAP) {
				ring_gaps++;
				for (int i = 1; i <= reg.n; i++)
					fb[i].epoch = 0;
				continue;
			}
			if (rec_check(m.data, m.len, err, sizeof err) < 0) {
				bad++;
				fprintf(stderr, "book_follow: bad record: %s\n", err);
				continue;
			}
			if (h->inst && h->inst <= (uint32_t)reg.n && fb[h->inst].in)
				on_record(&fb[h->inst], h);
		}
		if (n)
			ring_release(r, cur);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
		if (now - last_write > 200000000) {
			last_write = now;
			for (int i = 1; i <= reg.n; i++)
				if (fb[i].in && fb[i].dirty)
					write_book(dir, &fb[i], bad, ring_gaps);
			ring_heartbeat(r);
		}
		if (!n)
			ring_wait(r, cur, 50);
	}
	for (int i = 1; i <= reg.n; i++)
		if (fb[i].in) {
			write_book(dir, &fb[i], bad, ring_gaps);
			book_free(fb[i].b);
		}
	ring_close(r);
	free(fb);
	inst_reg_free(&reg);
	cfg_free(cfg);
	return 0;
}
