/*
 * fuzz_store - segment files and blocks are input from disk: a damaged or
 * hostile file must give errors, never a crash.  The first byte chooses:
 *   even: the bytes are a segment file (walk, verify every block, read every
 *         record through the reader);
 *   odd:  the rest is a column-coded block (store_codec_decode) of n records
 *         and raw_len bytes taken from the next 5 bytes, in the codec the
 *         6th picks (mod 4: STORE_CODEC_COLS, STORE_CODEC_COLS2, STORE_CODEC_AC,
 *         STORE_CODEC_AC2),
 *         then the records are checked as the reader does.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../stored/store.h"
#include "../../stored/store_seg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

/* Leave nothing behind in /tmp. */
static void
cleanup(void)
{
	char p[160];

	snprintf(p, sizeof p, "%s/binance/BTC-USDT/20261124T03.seg", dir);
	unlink(p);
	snprintf(p, sizeof p, "%s/binance/BTC-USDT", dir);
	rmdir(p);
	snprintf(p, sizeof p, "%s/binance", dir);
	rmdir(p);
	rmdir(dir);
}

static void
fault(const struct store_fault *f, void *arg)
{
	(void)f;
	(*(int *)arg)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		uint32_t n, raw_len;
		void *out;
		const char *why;
		char err[256];
		uint32_t bad;
		if (size < 7)
			return 0;
		n = (uint32_t)data[1] | (uint32_t)data[2] << 8;
		raw_len = ((uint32_t)data[3] | (uint32_t)data[4] << 8 | (uint32_t)data[5] << 16) & 0xfffff;
		out = malloc(raw_len ? raw_len : 1);
		static const int codecs[4] = { STORE_CODEC_COLS, STORE_CODEC_COLS2, STORE_CODEC_AC, STORE_CODEC_AC2 };
		if (store_codec_decode(codecs[data[6] % 4], data + 7, size - 7, out, raw_len, n, &why) == 0)
			store_block_records_ok(out, raw_len, n, &bad, err, sizeof err);
		free(out);
		return 0;
	}
	{
		char path[128], err[512];
		struct store_seg_info info;
		struct store_query q = { 0 };
		struct store_reader *r;
		const struct rec_hdr *h;
		FILE *fp;
		int faults = 0;

		if (!dir[0]) {
			snprintf(dir, sizeof dir, "/tmp/fuzz_store.%d", (int)getpid());
			mkdir(dir, 0700);
			snprintf(path, sizeof path, "%s/binance", dir);
			mkdir(path, 0700);
			snprintf(path, sizeof path, "%s/binance/BTC-USDT", dir);
			mkdir(path, 0700);
			atexit(cleanup);
		}
		snprintf(path, sizeof path, "%s/binance/BTC-USDT/20261124T03.seg", dir);
		fp = fopen(path, "wb");
		if (!fp)
			return 0;
		fwrite(data + 1, 1, size - 1, fp);
		fclose(fp);
		store_seg_scan(path, 1, &info, fault, &faults, err, sizeof err);
		r = store_reader_open(dir, &q, fault, &faults, err, sizeof err);
		if (r) {
			while (store_reader_next(r, &h, NULL) == 1)
				faults += h->len == 0;
			store_reader_close(r);
		}
	}
	return 0;
}
