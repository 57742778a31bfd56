/*
 * gen.h - a deterministic generator of bookd-contract records for the store's
 * tests, the test feeder and the benchmarks: an evolving book of up to 5000
 * levels per side on a tick grid, with Binance-like update ids, and the
 * exchange JSON each update would have arrived as (the compression baseline).
 */
#ifndef MP_TEST_GEN_H
#define MP_TEST_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "rec.h"

struct gen_book {
	uint32_t inst;
	int exch;
	int64_t tick, lot;           /* mantissas at exponent -8 */
	int depth;
	int nb, na;
	struct rec_level *bids, *asks;   /* bids descending, asks ascending */
	int64_t last_id;
	int64_t t_ns;
	int64_t trade_id;
	uint64_t market_n;            /* REC_MARKET records made (picks the next kind) */
	uint64_t rng;
};

void gen_init(struct gen_book *b, uint32_t inst, int exch, int64_t mid, int64_t tick, int64_t lot,
    int depth, uint64_t seed, int64_t t0);
void gen_free(struct gen_book *b);
/* Each returns a malloc'd record (hdr.len bytes) describing the book's next step. */
struct rec_snapshot *gen_snapshot(struct gen_book *b, int kind, int reason, int topn);
/* Apply a random update of about `changes` level changes and return the
 * bookd delta (prev_id = the book's id before, last_id after). */
struct rec_delta *gen_delta(struct gen_book *b, int changes);
struct rec_trade *gen_trade(struct gen_book *b);
struct rec_ticker *gen_ticker(struct gen_book *b);
struct rec_kline *gen_kline(struct gen_book *b);
struct rec_market *gen_market(struct gen_book *b);
struct rec_event *gen_event(struct gen_book *b, uint16_t code, int64_t a, int64_t bb, const char *text);
struct rec_raw *gen_raw(int exch, uint32_t inst, int64_t t_ns, int source, const char *path, const char *payload);
/* The Binance JSON a delta / a REST snapshot would have been (malloc'd, NUL-terminated). */
char *gen_delta_json(const struct gen_book *b, const struct rec_delta *d);
char *gen_snapshot_json(const struct gen_book *b, const struct rec_snapshot *s);
uint64_t gen_rand(struct gen_book *b);

#endif
