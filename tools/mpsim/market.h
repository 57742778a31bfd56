/*
 * market.h - the simulated order book of one instrument on one venue.
 *
 * Prices are integer ticks, quantities integer lots (the venue layer turns
 * them into the venue's strings).  Each side is a sorted array with the BEST
 * level LAST (bids ascending, asks descending), because nearly all churn
 * happens near the touch and an insert there moves almost nothing.
 *
 * mkt_step() advances the book by one simulated 100 ms step:
 *  - a latent fair price takes a Gaussian step (sigma ticks, from the daily
 *    volatility); levels the move crosses are taken out (the first three by
 *    a sweeping taker order, i.e. trades, the rest cancelled) and the other
 *    side refills the ticks it gained (the new touch always, the others with
 *    probability 1/2), so the mid is a random walk with realistic moves;
 *    (plus a constant trend, `drift`, when set);
 *  - a handful of level changes concentrated near the touch (rank drawn from
 *    an exponential with mean 10, 4% of them anywhere in the book);
 *  - deep churn: on average `deep_churn` more level changes at ranks drawn
 *    log-uniformly over the whole side (P(rank >= r) ~ 1 - ln r / ln n), the
 *    shape measured on the real Binance recordings, where half the level
 *    changes are 60-150 levels or more from the touch (tools/mpsim/README.md);
 *  - with 35% probability a taker order that consumes part of the touch (one
 *    fill per level it eats, never more than the level holds);
 *  - quotes improving inside the spread;
 *  - the level count pulled back towards the target (inserts/deletes, and
 *    the far end trimmed or extended in one batch when it drifts > 300 off).
 * Everything is drawn from the book's own generator, so the sequence of
 * states depends only on the seed.
 *
 * After a step, chg[] holds every level whose quantity changed (final
 * quantity, 0 = removed; `was` the quantity before the step, 0 = a new
 * level), bids first then asks, each side best first;
 * fill[] holds the trades in execution order.
 */
#ifndef MPSIM_MARKET_H
#define MPSIM_MARKET_H

#include <stdint.h>

#include "rng.h"

enum { MKT_BID = 0, MKT_ASK = 1 };

struct mkt_level {
	int64_t px;   /* ticks */
	int64_t qty;  /* lots, > 0 */
};

struct mkt_side {
	struct mkt_level *lv;  /* best last */
	int n, cap;
};

struct mkt_change {
	int64_t px, qty;
	int side;
	int seq;        /* touch order within the step */
	int64_t was;    /* chg[]: the quantity before the step (0 = a new level) */
};

struct mkt_fill {
	int64_t px, qty;
	int taker_buy;  /* 1: taker bought (consumed asks) */
	int order;      /* taker order index within the step */
	int makers;     /* maker orders filled at this price (>= 1, <= qty) */
};

struct mkt_params {
	int64_t mid;       /* start mid, ticks */
	int64_t qty_unit;  /* typical size near the touch, lots */
	int levels;        /* target levels per side */
	int min_levels;    /* never fewer per side */
	double gap_div;    /* mean gap between levels at rank r is 1 + r/gap_div ticks */
	double sigma;      /* standard deviation of the fair price per step, ticks (0 = calm) */
	double drift;      /* trend of the fair price per step, ticks (signed; 0 = none) */
	double deep_churn; /* mean level changes per step at log-uniform ranks over the whole side */
};

struct mkt_book {
	struct mkt_params p;
	struct rng rng;
	struct mkt_side s[2];
	int64_t step;
	double momentum;
	double fair;       /* latent fair price, ticks: the touch follows it */
	struct mkt_change *chg;
	int nchg, chgcap;
	struct mkt_fill *fill;
	int nfill, fillcap;
	struct mkt_change *touch;
	int ntouch, touchcap;
};

int mkt_init(struct mkt_book *b, const struct mkt_params *p, uint64_t seed);
void mkt_free(struct mkt_book *b);
void mkt_step(struct mkt_book *b);
/* Level at rank r (0 = best) or NULL. */
const struct mkt_level *mkt_at(const struct mkt_book *b, int side, int rank);
int mkt_count(const struct mkt_book *b, int side);
/* Quantity at a price, 0 if absent. */
int64_t mkt_qty(const struct mkt_book *b, int side, int64_t px);
/* A draw from the book's generator (venue layers use it for id steps so
 * that ids are as deterministic as the book). */
uint64_t mkt_rand(struct mkt_book *b);

#endif
