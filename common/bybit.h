/*
 * bybit.h - Bybit v5 markets: which of the venue's WebSocket endpoints
 * (/v5/public/spot, /v5/public/linear, /v5/public/inverse) and REST
 * categories carries an instrument, from its canonical name.  Shared by
 * feedd (links), the parser (one venue symbol such as BTCUSDT names a spot
 * pair and a linear perpetual: the path the frame came on tells them apart)
 * and mpsim.
 *
 *   BTC-USDT          spot     BTCUSDT
 *   BTC-USDT-SWAP     linear   BTCUSDT   (USDC: BTC-USDC-SWAP -> BTCPERP)
 *   BTC-USDT-241227   linear   BTCUSDT-27DEC24 (USDC: BTC-27DEC24)
 *   BTC-USD-SWAP      inverse  BTCUSD
 *   BTC-USD-241227    inverse  BTCUSDZ24
 */
#ifndef MP_BYBIT_H
#define MP_BYBIT_H

#include <stddef.h>

enum bybit_market { BYBIT_SPOT = 0, BYBIT_LINEAR = 1, BYBIT_INVERSE = 2, BYBIT_NMARKETS = 3 };

/* The market of a canonical name (checked by venue_canon already). */
enum bybit_market bybit_market_of(const char *canon);
/* "spot" / "linear" / "inverse": the REST category and the path's last part. */
const char *bybit_market_name(enum bybit_market m);
/* The reverse of venue_symbol for a market: BTCUSDT on linear ->
 * BTC-USDT-SWAP (mpreplay adopts what a capture names).  0, or -1 when the
 * name does not map back (inverse month-code futures carry no day). */
int bybit_canon_of(enum bybit_market m, const char *vsym, size_t len, char *out, size_t cap);
/* The market of a WebSocket path ("/v5/public/linear", query ignored), or -1. */
int bybit_market_of_path(const char *path);

#endif
