/*
 * mlbasis.h - basis of a derivative against a separate spot book (issues 11
 * and 13): the last columns of the market-data features (mlmkt.h), computed
 * by the same calls in routerd (live, from book.router) and in mpexport
 * (offline, from the store), so both give the same bits for the same records.
 *
 * Pairing.  Each derivative instrument (a swap or a dated future: a
 * canonical name with three segments, inst.h) gets at most one spot
 * reference.  The default is the spot book of its underlying (the first two
 * segments: BTC-USDT-SWAP -> BTC-USDT) on the venue's spot venue
 * (venue.h spot_venue: okx -> okx, bybit -> bybit, binance-usdm and
 * binance-coinm -> binance, deribit none), if that instrument is configured;
 * for a USD-quoted one (inverse, BTC-USD-SWAP) with no BTC-USD spot, BTC-USDT,
 * then BTC-USDC.  [ml] basis_spot overrides per instrument:
 *   "okx:BTC-USD-SWAP=okx:BTC-USDT, bybit:BTC-USDT-SWAP=none"
 * (venue:SYMBOL=venue:SYMBOL, or =none for no basis).
 *
 * Time.  Every book.router record carries bookd's stamp stage_ns[STAGE_BOOK];
 * one bookd thread stamps and writes them in ring order, and the store keeps
 * them.  A record's key is that stamp (recv_ns when it has none).  The spot
 * book "as of" a derivative record with key t is the spot state after the
 * last spot record with key < t (strictly: records bookd stamped in the same
 * instant as t are in an order the store, one stream per instrument, cannot
 * tell).  Live, routerd holds the final state of each of the last MLB_HIST
 * key instants of every book and picks the newest one before t; offline,
 * mpexport feeds the spot stream's records with key < t, then asks the same.
 *
 * A book state (spot, and the derivative's own) is usable when bookd had it
 * in sync (REC_F_SYNCED on its last delta or snapshot, no gap / resync /
 * checksum / loss event since), both sides have a level, it is not crossed,
 * and it is at most [ml] basis_max_age older than t.  Otherwise every value
 * that needs it is NaN (null in JSON): a stale or unsynced book is never
 * shown as current.  bs_spot_age_ms is given whenever a spot state exists.
 *
 * Columns (prices as mantissas, aligned to the finer of the two exponents,
 * sums in 128 bits; S2 = spot bid + spot ask, D2 = the derivative's bid + ask):
 *   bs_spot_mid        S2 / pd * 0.5
 *   bs_spot_age_ms     (t - key of the spot book's last delta or snapshot) / 1e6
 *   bs_mark_basis_bps  1e4 * (2 mark - S2) / S2     (mark - spot mid) / spot mid
 *   bs_mid_basis_bps   1e4 * (D2 - S2) / S2         (derivative mid - spot mid) / spot mid
 *   bs_mark_basis_ann  (2 mark - S2) / S2 * (365 d / (expiry - t)): dated futures only,
 *                      expiry = the name's YYMMDD at 08:00 UTC (every venue here settles then)
 */
#ifndef MP_ROUTERD_MLBASIS_H
#define MP_ROUTERD_MLBASIS_H

#include <stddef.h>
#include <stdint.h>

#include "inst.h"
#include "rec.h"

#define MLB_N 5
#define MLB_HIST 16

struct mlb;

/* For instrument ids 1..reg->n, paired by spec ([ml] basis_spot; NULL or ""
 * = defaults only).  NULL with why filled (a spec error names the item) or
 * out of memory. */
struct mlb *mlb_new(const struct inst_registry *reg, const char *spec, int64_t max_age_ns, char *why, size_t whylen);
void mlb_free(struct mlb *b);
/* The spot reference of an instrument (0 = none). */
uint32_t mlb_spot_of(const struct mlb *b, uint32_t inst);
/* 1 if the instrument is some derivative's spot reference or has one itself
 * (only such books are folded). */
int mlb_tracks(const struct mlb *b, uint32_t inst);
/* Fold a book record of instrument `inst` (REC_DELTA, REC_SNAPSHOT full or
 * top-N, a book-breaking REC_EVENT) into that book's state; px_exp is the
 * instrument's.  1 if it changed the state, 0 if not a book record. */
int mlb_fold(struct mlb *b, uint32_t inst, const struct rec_hdr *rec, int px_exp);
/* Records were lost (a ring gap): no book state is known to be current. */
void mlb_gap(struct mlb *b);
/* The columns for a record of derivative `inst` (its key is t), with its
 * mark price (mantissa at px_exp) if has_mark.  NaN for what is unknown. */
void mlb_read(struct mlb *b, uint32_t inst, const struct rec_hdr *rec, int has_mark, int64_t mark, int px_exp,
    double *out);
/* The key of a record (bookd's stamp, else the receive time). */
int64_t mlb_key(const struct rec_hdr *rec);
/* Derivative records whose spot state was older than every kept instant
 * (only when keys are out of ring order: two bookd processes, a clock step). */
uint64_t mlb_late(const struct mlb *b);
const char *mlb_name(int i);
const char *mlb_help(int i);
/* The expiry of a dated future's canonical name (BTC-USD-240927: 2024-09-27
 * 08:00 UTC) in ns, 0 for any other name. */
int64_t mlb_expiry_ns(const char *symbol);

#endif
