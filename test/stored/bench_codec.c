/*
 * bench_codec - the CPU a block codec costs on a store's own records, next
 * to another codec on the same blocks in the same run (one JSON line).
 *
 *   bench_codec STORE_DIR UNITS [CODEC [BASELINE_CODEC [ZSTD_LEVEL]]]
 *
 * Reads every book-stream record of STORE_DIR (as mpreplay --store or stored
 * wrote them), keeps the store's block boundaries, and times what stored
 * does per block (store_codec_encode + zstd at ZSTD_LEVEL, default 6, as
 * [stored] zstd_level) and what every reader does (zstd + decode), for
 * CODEC (default 4) and BASELINE_CODEC (default 3), each the best of 5
 * rounds.  UNITS (the level updates of the input, say) is the divisor of the
 * ns figures, so they read as ns per level update.  Every block is checked
 * to decode to its records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zstd.h>

#include "log.h"
#include "../../stored/store.h"
#include "../../stored/store_seg.h"

#define ROUNDS 5

struct blk {
	unsigned char *p;
	size_t len;
	uint32_t n;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Encode+zstd and unzstd+decode of every block: CPU seconds, bytes. */
static int
run(int codec, int level, const struct blk *b, int nb, double *t_enc, double *t_dec, size_t *bytes)
{
	*t_enc = *t_dec = 1e30;
	for (int round = 0; round < ROUNDS; round++) {
		double te = 0, td = 0, t0;
		*bytes = 0;
		for (int i = 0; i < nb; i++) {
			void *cols, *z, *plain;
			unsigned char *back;
			size_t cl, zl, bound;
			const char *why;
			int ok;
			t0 = now_s();
			if (store_codec_encode(codec, b[i].p, b[i].len, b[i].n, &cols, &cl) < 0)
				return -1;
			bound = ZSTD_compressBound(cl);
			z = malloc(bound);
			zl = ZSTD_compress(z, bound, cols, cl, level);
			te += now_s() - t0;
			if (ZSTD_isError(zl))
				return -1;
			*bytes += zl;
			plain = malloc(cl);
			back = malloc(b[i].len);
			t0 = now_s();
			why = "zstd";
			ok = ZSTD_decompress(plain, cl, z, zl) == cl &&
			    store_codec_decode(codec, plain, cl, back, b[i].len, b[i].n, &why) == 0;
			td += now_s() - t0;
			if (!ok) {
				fprintf(stderr, "bench_codec: codec %d, block %d does not decode: %s\n", codec, i, why);
			} else if (memcmp(back, b[i].p, b[i].len) != 0) {
				size_t at = 0;
				while (back[at] == b[i].p[at])
					at++;
				fprintf(stderr, "bench_codec: codec %d, block %d decodes to other bytes from offset %zu\n",
				    codec, i, at);
				ok = 0;
			}
			free(back);
			free(plain);
			free(z);
			free(cols);
			if (!ok)
				return -1;
		}
		if (te < *t_enc)
			*t_enc = te;
		if (td < *t_dec)
			*t_dec = td;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct store_query q = { 0 };
	struct store_reader *r;
	const struct rec_hdr *h;
	struct store_pos pos;
	struct blk *b = NULL;
	char err[512];
	const char *last_path = NULL;
	uint32_t last_block = UINT32_MAX;
	int nb = 0, codec, base, level;
	double units, te, td, tbe, tbd;
	size_t bytes, bbytes, raw = 0;

	if (argc < 3 || strcmp(argv[1], "--help") == 0) {
		fprintf(argc < 3 ? stderr : stdout,
		    "usage: bench_codec STORE_DIR UNITS [CODEC [BASELINE_CODEC [ZSTD_LEVEL]]]\n"
		    "  times store_codec_encode+zstd and zstd+decode of the store's own blocks\n"
		    "  (book streams), CODEC (default 4) beside BASELINE_CODEC (default 3),\n"
		    "  zstd level default 6; prints one JSON line, ns per UNITS\n");
		return argc < 3 ? 2 : 0;
	}
	units = atof(argv[2]);
	codec = argc > 3 ? atoi(argv[3]) : STORE_CODEC_AC;
	base = argc > 4 ? atoi(argv[4]) : STORE_CODEC_COLS2;
	level = argc > 5 ? atoi(argv[5]) : 6;
	log_init("bench_codec");
	log_set_level(LOG_ERROR);
	r = store_reader_open(argv[1], &q, NULL, NULL, err, sizeof err);
	if (!r || units <= 0) {
		fprintf(stderr, "bench_codec: %s\n", r ? "UNITS must be > 0" : err);
		return 2;
	}
	while (store_reader_next(r, &h, &pos) == 1) {
		struct blk *c;
		if (strcmp(pos.stream->symbol, "_raw") == 0 || strcmp(pos.stream->symbol, "_sys") == 0)
			continue;
		if (pos.path != last_path || pos.block_no != last_block) {
			struct blk *nbp = realloc(b, (size_t)(nb + 1) * sizeof *b);
			if (!nbp)
				return 1;
			b = nbp;
			memset(&b[nb++], 0, sizeof *b);
			last_path = pos.path;
			last_block = pos.block_no;
		}
		c = &b[nb - 1];
		c->p = realloc(c->p, c->len + h->len);
		if (!c->p)
			return 1;
		memcpy(c->p + c->len, h, h->len);
		c->len += h->len;
		c->n++;
		raw += h->len;
	}
	store_reader_close(r);
	if (run(codec, level, b, nb, &te, &td, &bytes) < 0 || run(base, level, b, nb, &tbe, &tbd, &bbytes) < 0) {
		fprintf(stderr, "bench_codec: a block does not round-trip\n");
		return 1;
	}
	printf("{\"bench\": \"store_codec_cpu\", \"value\": %.1f, \"unit\": \"ns/unit encode+zstd\", "
	    "\"codec\": %d, \"decode_ns\": %.1f, \"bytes\": %zu, \"baseline_codec\": %d, "
	    "\"baseline_encode_ns\": %.1f, \"baseline_decode_ns\": %.1f, \"baseline_bytes\": %zu, "
	    "\"blocks\": %d, \"records_bytes\": %zu, \"units\": %.0f, \"zstd_level\": %d}\n",
	    te * 1e9 / units, codec, td * 1e9 / units, bytes, base, tbe * 1e9 / units, tbd * 1e9 / units, bbytes,
	    nb, raw, units, level);
	for (int i = 0; i < nb; i++)
		free(b[i].p);
	free(b);
	return 0;
}
