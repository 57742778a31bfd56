/*
 * inst.h - the instrument registry: which (exchange, symbol) pairs the system
 * carries, their ids, and how their prices and sizes are scaled and printed.
 *
 * Ids are assigned in config order ([instruments] binance = BTC-USDT, ETH-USDT
 * gives binance/BTC-USDT id 1, binance/ETH-USDT id 2, then okx ...), so every
 * process that reads the same config agrees on them.  Id 0 means "no
 * instrument".  Records carry the id; anything leaving the pipeline (JSON,
 * store segment names, ClickHouse rows) carries exchange and symbol names.
 *
 * Canonical names, one convention across venues (OKX-like; subject-safe:
 * letters, digits and '-'; the kind is in the name; each maps back to the
 * venue's own id, inst.venue_symbol, by the venue table's rule):
 *   BTC-USDT          spot                        Binance BTCUSDT, OKX BTC-USDT
 *   BTC-USDT-SWAP     linear (USDT) perpetual     binance-usdm BTCUSDT, OKX BTC-USDT-SWAP
 *   BTC-USD-SWAP      inverse (coin) perpetual    binance-coinm BTCUSD_PERP, OKX BTC-USD-SWAP
 *   BTC-USD-240927    dated future (YYMMDD)       binance-coinm BTCUSD_240927 (binance-usdm
 *                                                 BTC-USDT-240927 = BTCUSDT_240927)
 */
#ifndef MP_INST_H
#define MP_INST_H

#include <stddef.h>
#include <stdint.h>

#include "venue.h"

/* How many instruments a registry takes is configuration ([system]
 * max_instruments, default INST_DEFAULT_MAX); every per-instrument table is
 * allocated from the registry's count.  INST_LIMIT is only the largest value
 * that key accepts (a store segment header counts its instruments in 16
 * bits): an id above it in a record is corrupt, whatever the config. */
#define INST_DEFAULT_MAX 1024
#define INST_LIMIT 65535

struct inst {
	uint32_t id;          /* 1..registry n */
	uint8_t exch;         /* enum exch_id */
	int8_t px_exp;        /* mantissa exponent of prices (default -8) */
	int8_t qty_exp;       /* mantissa exponent of sizes (default -8) */
	int8_t px_dec;        /* string style for prices: fixed decimals, or FX_TRIM */
	int8_t qty_dec;       /* string style for sizes */
	char symbol[24];      /* canonical "BTC-USDT" */
	char venue_symbol[24];/* as the venue names it: "BTCUSDT" / "BTC-USDT" */
	char lower[24];       /* subject form "btc-usdt" */
	int64_t tick;         /* price tick as a mantissa at px_exp (0 = unknown) */
	int64_t lot;          /* size step as a mantissa at qty_exp (0 = unknown) */
	/* The venue's trading rules beyond tick and lot (REC_INSTRUMENT, rec.h,
	 * which fills tick and lot too: inst_set_rules); 0 / "" = unknown. */
	int64_t min_qty;      /* qty_exp */
	int64_t ct_val;       /* one unit of the book's sizes in ct_ccy, at REC_CT_EXP */
	int64_t ct_mult;      /* REC_CT_EXP */
	char ct_ccy[16];
};

/* A registry grows as instruments are added (v is allocated; ids index it,
 * v[id - 1]).  A zeroed struct is an empty registry taking INST_DEFAULT_MAX;
 * inst_reg_free() releases it.  Copy one with inst_reg_copy(), never by
 * assignment (the copies would share v).  Adding may move v: a pointer from
 * inst_get()/inst_find() stays valid only while the registry does not grow
 * past cap, so a program that adds while holding pointers reserves first. */
struct inst_index;
struct inst_registry {
	int n;
	int cap;              /* entries allocated in v */
	int max;              /* most instruments taken (0 = INST_DEFAULT_MAX) */
	struct inst *v;
	/* inst_find's hash index by (exchange, name in any case), kept by
	 * inst_add / inst_reg_copy / inst_reg_reserve.  It answers only while it
	 * describes this v and this n; a registry filled another way (v written
	 * directly, n reset) is searched by a scan, with the same answers. */
	struct inst_index *ix;
};

/* An empty registry taking at most max instruments (0 = INST_DEFAULT_MAX). */
void inst_reg_init(struct inst_registry *r, int max);
void inst_reg_free(struct inst_registry *r);
/* Room for n instruments in all (n <= max), so adding up to n never moves
 * v.  0, or -1 out of memory. */
int inst_reg_reserve(struct inst_registry *r, int n);
/* dst (uninitialised or freed) becomes a copy of src; 0, or -1 out of memory. */
int inst_reg_copy(struct inst_registry *dst, const struct inst_registry *src);

/* Add (exchange, canonical symbol) with the venue's default scaling, string
 * style and venue id (the venue table, venue.h).  Returns the id, or 0 with
 * err filled (unknown or planned exchange, bad symbol, registry full,
 * duplicate, out of memory).  Symbols are BASE-QUOTE; OKX also takes instIds of other
 * instrument types, up to 5 segments (BTC-USD-220527, UNI-USD-SWAP,
 * BTC-USD-220527-30000-C). */
uint32_t inst_add(struct inst_registry *r, int exch, const char *symbol, char *err, size_t errlen);
const struct inst *inst_get(const struct inst_registry *r, uint32_t id);      /* NULL if unknown */
const struct inst *inst_find(const struct inst_registry *r, int exch, const char *symbol); /* canonical or venue form, any case */
/* inst_find's answer by a scan of every instrument (the reference its index
 * is tested and benchmarked against: test_inst, bench_common). */
const struct inst *inst_find_linear(const struct inst_registry *r, int exch, const char *symbol);
/* Copy a REC_INSTRUMENT's rules into the instrument (tick, lot, min_qty,
 * ct_val, ct_mult, ct_ccy). */
struct rec_instrument;
void inst_set_rules(struct inst *in, const struct rec_instrument *r);
/* Open interest in contracts (qty_exp mantissa) -> in the base currency at
 * exponent exp, when ct_val says what a contract is in the base currency
 * (ct_ccy is the symbol's base: OKX linear SWAP/FUTURES); 0 with *out, or
 * -1 when the rules do not allow it (unknown, inverse, overflow). */
int inst_contracts_to_base(const struct inst *in, int64_t contracts, int exp, int64_t *out);
/* Format a price / size of this instrument in the venue's own string style. */
size_t inst_fmt_px(const struct inst *in, int64_t v, char *buf, size_t cap);
size_t inst_fmt_qty(const struct inst *in, int64_t v, char *buf, size_t cap);

#endif
