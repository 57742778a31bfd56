/* fuzz_image.c - see fuzz_image.h. */
#include "fuzz_image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int
fuzz_image_file(const uint8_t *in, size_t n, char *path, size_t cap)
{
	uint64_t rcap = 0;
	size_t size, data = n > FUZZ_DATA_AT ? n - FUZZ_DATA_AT : 0;
	unsigned char *img;
	int fd;

	if (n >= 40)
		memcpy(&rcap, in + 32, sizeof rcap);
	if (rcap >= 4096 && rcap <= 65536 && (rcap & (rcap - 1)) == 0)
		size = 8192 + (size_t)rcap;
	else
		size = 8192 + data;
	if (!(img = calloc(1, size)))
		return -1;
	memcpy(img, in, n < FUZZ_HDR_BYTES ? n : FUZZ_HDR_BYTES);
	if (n > FUZZ_HDR_BYTES)
		memcpy(img + 4096, in + FUZZ_HDR_BYTES, n - FUZZ_HDR_BYTES < FUZZ_HOT_BYTES ?
		    n - FUZZ_HDR_BYTES : FUZZ_HOT_BYTES);
	if (data)
		memcpy(img + 8192, in + FUZZ_DATA_AT, data < size - 8192 ? data : size - 8192);
	fd = memfd_create("fuzz_ring", MFD_CLOEXEC);
	if (fd < 0 || write(fd, img, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		free(img);
		return -1;
	}
	free(img);
	snprintf(path, cap, "/proc/self/fd/%d", fd);
	return fd;
}
