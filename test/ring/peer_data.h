/*
 * peer_data.h - deterministic test records for the ring tests and benchmark:
 * the size and every byte of a record follow from its seq, so a consumer in
 * another process can verify content without any side channel.
 */
#ifndef MP_TEST_PEER_DATA_H
#define MP_TEST_PEER_DATA_H

#include <stddef.h>
#include <stdint.h>

#define PEER_TYPE 0x0100        /* payload type used by the ring tests */
#define PEER_MIN 16
#define PEER_MAX 2000

uint64_t peer_mix(uint64_t x);
/* Mixed sizes in [PEER_MIN, max]: mostly <= 128 bytes, one in 16 up to max. */
uint32_t peer_size(uint64_t seq, uint32_t max);
/* Fill buf[0..len) with the content of record seq (len >= 8). */
void peer_fill(uint64_t seq, void *buf, uint32_t len);
/* 0 if buf[0..len) is the content of record seq, else the first bad byte + 1. */
size_t peer_check(uint64_t seq, const void *buf, uint32_t len);

#endif
