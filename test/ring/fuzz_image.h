/*
 * fuzz_image.h - turn a compact byte string into a ring file image, for the
 * fuzz target fuzz_ring_attach and the test that checks its seed corpus.
 *
 * Input layout:  [0, 256)    copied to the header page (offset 0)
 *                [256, 768)  copied to the hot page (offset 4096: 4 slots)
 *                [768, ...)  copied to the data area (offset 8192)
 * The file is 8192 + capacity bytes when the header's capacity is a power of
 * two in [4 KiB, 64 KiB] (so small valid rings are reachable), otherwise
 * 8192 + the data bytes given (which the header check must then refuse).
 */
#ifndef MP_TEST_FUZZ_IMAGE_H
#define MP_TEST_FUZZ_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_HDR_BYTES 256
#define FUZZ_HOT_BYTES 512
#define FUZZ_DATA_AT (FUZZ_HDR_BYTES + FUZZ_HOT_BYTES)

/* An anonymous in-memory file (memfd) holding the image; its path is
 * "/proc/self/fd/N" in path.  Returns the fd, or -1. */
int fuzz_image_file(const uint8_t *in, size_t n, char *path, size_t cap);

#endif
