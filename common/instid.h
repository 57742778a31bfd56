/*
 * instid.h - the shape of an OKX-style instrument id, shared by feedd (which
 * channels an instrument gets) and mpsim (which channels it serves):
 *   BTC-USDT                2 segments: spot
 *   BTC-USDT-SWAP           3, ends in -SWAP: perpetual swap
 *   BTC-USD-240927          3: dated future
 *   BTC-USD-240927-60000-C  5: option
 * The underlying (index) of a derivative is its first two segments.
 */
#ifndef MP_INSTID_H
#define MP_INSTID_H

#include <stddef.h>

/* 1 for a swap, future or option id (3+ segments), else 0. */
int instid_is_derivative(const char *id);
/* 1 for a perpetual swap (a derivative ending in -SWAP). */
int instid_is_swap(const char *id);
/* The underlying ("BTC-USDT" of "BTC-USDT-SWAP") into buf; its length, or 0
 * if id is not a derivative or buf is too small. */
size_t instid_underlying(const char *id, char *buf, size_t cap);

/* OKX's instType of the id: "SPOT", "SWAP", "FUTURES" or "OPTION" (5 segments). */
const char *instid_type(const char *id);

#endif
