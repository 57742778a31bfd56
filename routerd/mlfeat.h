/*
 * mlfeat.h - the requirement's "feature extraction from full books" (shared/
 * seed-digest.md, deep-learning preparation): price distribution, volume
 * profile, microstructure and liquidity features of one book, as doubles.
 *
 * One library, used live and offline, so a model trained on exported
 * features sees the same numbers when served: routerd computes them for the
 * `ml_features` map of orderbook.full / orderbook.snapshot ([ml] enabled),
 * and mpexport (`--what mlfeatures`) for its rebuilt book.  It lives in
 * routerd/ because routerd is the only daemon that needs it (common/ is for
 * code two daemons share); mpexport links routerd/mlfeat.c the way mpsub
 * links routerd's encoder.
 *
 * Input: both sides of a book as arrays of exact mantissas, best level
 * first (bids price descending, asks ascending), and the instrument's
 * exponents.  Pure function, no I/O, no allocation.
 *
 * Determinism: every sum over levels is an exact integer sum of mantissas
 * (__int128, so no order-dependent rounding and no overflow for 5000 levels
 * of any registry instrument); each feature is then at most three IEEE
 * double operations on those integers, written out in mlfeat.c and in
 * routerd/README.md "ml_features".  Same book -> bit-identical doubles, in
 * any process (C11 mode: no FMA contraction, no -ffast-math).
 *
 * Empty sides: with either side empty there is no mid, mlf_compute returns
 * -1 and nothing is defined (routerd writes "ml_features":null).
 */
#ifndef MP_ROUTERD_MLFEAT_H
#define MP_ROUTERD_MLFEAT_H

#include <stddef.h>
#include <stdint.h>

#include "rec.h"

/* Feature groups ([ml] features = price,volume,micro,liquidity). */
#define MLF_G_PRICE  0x1u
#define MLF_G_VOLUME 0x2u
#define MLF_G_MICRO  0x4u
#define MLF_G_LIQ    0x8u
#define MLF_G_ALL    0xfu     /* "all": every scalar group (not the images) */
/* The requirement's images (mlimg.h, 100 levels, 200 bins), only when named:
 * not features of the map but the "ml_images" object of the same bodies. */
#define MLF_G_HEATMAP  0x10u
#define MLF_G_DEPTHIMG 0x20u
#define MLF_G_IMAGES   0x30u
/* The delta flows (mlflow.h, mlive.h) on orderbook.delta / pure_delta, only when named. */
#define MLF_G_DFLOW    0x40u
/* The market-data features (mlmkt.h) on MARKET_DATA messages, only when named. */
#define MLF_G_MARKET   0x80u

/* Every feature, in output order (groups in the order above). */
#define MLF_NMAX 35

struct mlf_book {
	const struct rec_level *bids, *asks;   /* best first */
	uint32_t n_bids, n_asks;
	int px_exp, qty_exp;                   /* value = mantissa * 10^exp */
};

/* "price,volume" -> groups (also "all", "heatmap", "depth_image", "delta_flow", "market"); 0, or -1 with why (unknown name, empty). */
int mlf_parse_groups(const char *list, unsigned *groups, char *why, size_t whylen);
/* Number of features of a set and the name / one-line definition / group of the i-th. */
int mlf_count(unsigned groups);
const char *mlf_name(unsigned groups, int i);
const char *mlf_help(unsigned groups, int i);
const char *mlf_group_name(unsigned groups, int i);

/* The features of a set into out[mlf_count(groups)]; 0, or -1 when a side is empty. */
int mlf_compute(unsigned groups, const struct mlf_book *b, double *out);

#endif
