/*
 * deribit.h - Deribit instrument names from canonical ones and back
 * (venue.h VS_DERIBIT), shared by the venue table, feedd's parser (mpreplay
 * adopts what a capture names) and mpsim.
 *
 *   BTC-USD-SWAP          BTC-PERPETUAL         (inverse perpetual)
 *   BTC-USDC-SWAP         BTC_USDC-PERPETUAL    (linear perpetual)
 *   BTC-USD-240927        BTC-27SEP24           (inverse future)
 *   BTC-240927-60000-C    BTC-27SEP24-60000-C   (option; P for puts)
 *
 * Deribit writes the day without a leading zero (BTC-5JAN24).
 */
#ifndef MP_DERIBIT_H
#define MP_DERIBIT_H

#include <stddef.h>

/* The JSON-RPC id of feedd's public/test requests (keep-alive and the
 * answer to a test_request), so the parser knows their answers for pongs. */
#define DERIBIT_TEST_ID 9000

enum deribit_kind { DERIBIT_PERPETUAL = 0, DERIBIT_FUTURE = 1, DERIBIT_OPTION = 2 };

/* Canonical (upper case, checked by venue_canon) -> Deribit name; 0 or -1. */
int deribit_symbol(const char *canon, char *out, size_t cap);
/* Deribit name -> canonical; 0, or -1 when it is not one of the shapes above
 * (or does not map back to itself). */
int deribit_canon_of(const char *vsym, size_t len, char *out, size_t cap);
/* The kind of a canonical name, or -1. */
int deribit_kind_of(const char *canon);

#endif
