/*
 * mlmkt.h - the requirement's market-data features (the ml_market_features
 * consumer of shared/seed-digest.md) from the non-book records of one
 * instrument: REC_TICKER, REC_KLINE and, for derivatives, REC_MARKET
 * (funding, mark/index, open interest; columns mk_*).
 *
 * State per instrument: the last ticker groups seen and the last closed
 * candle.  mlm_update folds one record in; mlm_read gives every feature,
 * NaN for one whose source has not been seen yet.  Each feature is at most
 * three IEEE double operations on exact mantissas (definitions in the
 * table in mlmkt.c, listed by mlm_help), so live and offline agree.
 *
 * A new source is one row of the sources[] table in mlmkt.c (record type ->
 * fold function) plus its columns in cols[].
 *
 * The last MLB_N columns are the basis of a derivative against a separate
 * spot book (mlbasis.h): they need other instruments' books, so only the set
 * (with mlm_set_basis) and mpexport (mlm_basis with its spot stream) fill them.
 *
 * Live and offline: routerd ([ml] features = market) keeps one struct mlm per
 * instrument in an mlm_set and, after folding each market-data record,
 * appends mlm_read's values to that record's MARKET_DATA message as
 * "ml_features" (routerd/README.md "ml_features on market data");
 * mpexport --what market writes the same values per record
 * (marketupdates.npy) and as of each book sample (market.npy).  Both go
 * through mlm_record, so a record gives the same bits in either process.
 */
#ifndef MP_ROUTERD_MLMKT_H
#define MP_ROUTERD_MLMKT_H

#include <stddef.h>
#include <stdint.h>

#include "mlbasis.h"
#include "rec.h"

/* MLM_OWN columns from the instrument's own records, then MLB_N basis
 * columns against its spot book (mlbasis.h), which need the set (or
 * mpexport's spot stream): mlm_read leaves them NaN. */
#define MLM_OWN 19
#define MLM_N (MLM_OWN + MLB_N)

/* mlm.mk_have */
#define MLM_MK_FUNDING 0x1
#define MLM_MK_MARK    0x2
#define MLM_MK_INDEX   0x4
#define MLM_MK_OI      0x8
#define MLM_MK_PREV_OI 0x10

struct mlm {
	int px_exp, qty_exp;
	struct rec_ticker tk;      /* the last value of each TICK_* group seen */
	uint32_t tk_have;
	struct rec_kline kl;       /* the last closed candle */
	int kl_have;
	/* REC_MARKET: mantissas as in rec.h (rate at MKT_RATE_EXP, prices px_exp, contracts qty_exp) */
	int64_t mk_funding, mk_mark, mk_index, mk_oi, mk_prev_oi;
	unsigned mk_have;          /* MLM_MK_* */
	uint64_t ignored;          /* records of another type or a malformed one (counted) */
};

void mlm_init(struct mlm *m, int px_exp, int qty_exp);
/* Fold one record in.  1 if it changed a feature, 0 if not a source
 * (another type, an open candle), -1 for a malformed record (counted). */
int mlm_update(struct mlm *m, const struct rec_hdr *rec);
/* Every feature into out[MLM_N] (NaN = source not seen; the basis columns NaN). */
void mlm_read(const struct mlm *m, double *out);
const char *mlm_name(int i);
const char *mlm_help(int i);
/* 1 if records of this type are a source (REC_TICKER, REC_KLINE, REC_MARKET). */
int mlm_is_source(uint16_t type);
/* mlm_update then mlm_read: the features after this record into out[MLM_N];
 * the return value is mlm_update's. */
int mlm_record(struct mlm *m, const struct rec_hdr *rec, double *out);

/* One struct mlm per instrument id 1..max_inst, initialised on the
 * instrument's first record with its exponents. */
struct mlm_set;
struct mlm_set *mlm_set_new(uint32_t max_inst);   /* NULL: out of memory or max_inst 0 */
void mlm_set_free(struct mlm_set *s);
/* Basis against spot books: the set takes b (freed with the set).  Every
 * record must then go through mlm_set_record, book records included. */
void mlm_set_basis(struct mlm_set *s, struct mlb *b);
/* Records were lost: no book state of the basis is current (mlb_gap). */
void mlm_set_gap(struct mlm_set *s);
/* A book record of a tracked instrument is folded into the basis state.
 * For a source record of a known instrument (id in range): mlm_record on
 * its state, the basis columns after it (mlm_basis), out filled, 1
 * returned.  0 for any other record (out untouched). */
int mlm_set_record(struct mlm_set *s, const struct rec_hdr *rec, int px_exp, int qty_exp, double *out);
/* The basis columns of out (out + MLM_OWN) for a source record rec of the
 * instrument whose state is m: the call mlm_set_record makes, and mpexport. */
void mlm_basis(const struct mlm *m, struct mlb *b, const struct rec_hdr *rec, double *out);
/* Records mlm_update refused as malformed, over every instrument. */
uint64_t mlm_set_ignored(const struct mlm_set *s);
/* Derivative records without a spot state before them (mlb_late; 0 without basis). */
uint64_t mlm_set_basis_late(const struct mlm_set *s);

#endif
