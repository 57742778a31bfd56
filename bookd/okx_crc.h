/*
 * okx_crc.h - OKX order-book checksum (research/protocols.md section 2.7).
 *
 * The string is the top 25 levels per side, bid and ask alternating
 * (bid1:ask1:bid2:ask2:...; a side with fewer levels simply stops), each
 * level as "price:size" in the exchange's own strings, joined with ':'.  The
 * checksum is the zlib/IEEE CRC-32 of that string as a signed int32.  Books
 * hold int64 mantissas; the strings are rebuilt with the instrument's OKX
 * style (trimmed, inst_fmt_px/inst_fmt_qty), which gives back OKX's strings
 * byte for byte because OKX never sends trailing zeros.
 *
 * OKX has sent checksum 0 since 23 June 2026: callers validate only when the
 * frame carries a non-zero value (recordings made before that date).
 */
#ifndef MP_BOOKD_OKX_CRC_H
#define MP_BOOKD_OKX_CRC_H

#include <stddef.h>
#include <stdint.h>

#include "book.h"
#include "inst.h"

#define OKX_CRC_LEVELS 25

/* CRC-32 (poly 0xEDB88320, init and xorout 0xFFFFFFFF), as zlib's crc32(). */
uint32_t okx_crc32(const void *buf, size_t len);
/* The checksum string of the book's top 25 levels per side into buf; returns
 * its length (0 if cap is too small; 4 KiB is always enough). */
size_t okx_crc_string(const struct book *b, const struct inst *in, char *buf, size_t cap);
/* The checksum OKX would send for this book. */
int32_t okx_crc_book(const struct book *b, const struct inst *in);

#endif
