/*
 * bench_store - what the local store costs, each figure next to a baseline
 * measured in the same run (one JSON object per line):
 *   bytes per level update: store vs the raw exchange JSON of the same
 *     updates, and vs plain zstd of that JSON (same level, same blocks)
 *   bytes per 5000-level snapshot: store vs the REST JSON and zstd of it
 *   write throughput (records/s incl. compression and fdatasync per commit)
 *     vs writing + fdatasyncing the uncompressed records
 *   read throughput (records/s, decompress + rec_check) vs reading the raw
 *     JSON file back
 * Data: the deterministic generator (gen.h), 5000-level books, Binance-style
 * updates of 8..47 level changes every 100 ms, log-normal sizes.  Synthetic:
 * read the ratios, not the absolute bytes, and re-measure on a real capture.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zstd.h>

#include "gen.h"
#include "inst.h"
#include "log.h"
#include "../../stored/store.h"
#include "../../stored/store_write.h"
#include "../../stored/store_seg.h"

#define T0 1763949600000000000LL
#define N_DELTAS 30000          /* 50 min of one book at 100 ms */
static int PER_BLOCK = 50;      /* one commit per 5 s of data: stored's default commit_interval */
#define N_SNAPS 20

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t
dir_bytes(const char *root)
{
	char cmd[600], line[64];
	FILE *p;
	uint64_t n = 0;

	snprintf(cmd, sizeof cmd, "find '%s' -name '*.seg' -printf '%%s\\n' | awk '{s+=$1} END {print s+0}'", root);
	p = popen(cmd, "r");
	if (p && fgets(line, sizeof line, p))
		n = strtoull(line, NULL, 10);
	if (p)
		pclose(p);
	return n;
}

static void
rmrf(const char *root)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_store: cannot remove %s\n", root);
}

/* zstd of JSON frames grouped like the store's blocks. */
static size_t
zstd_blocks(char **json, int n, int per_block, int level)
{
	size_t total = 0, cap = 1 << 20, len;
	char *buf = malloc(cap);
	void *out = NULL;
	int i, j;

	for (i = 0; i < n; i += per_block) {
		len = 0;
		for (j = i; j < n && j < i + per_block; j++) {
			size_t l = strlen(json[j]);
			if (len + l + 1 > cap) {
				cap = (len + l + 1) * 2;
				buf = realloc(buf, cap);
			}
			memcpy(buf + len, json[j], l);
			buf[len + l] = '\n';
			len += l + 1;
		}
		out = realloc(out, ZSTD_compressBound(len));
		total += ZSTD_compress(out, ZSTD_compressBound(len), buf, len, level);
	}
	free(buf);
	free(out);
	return total;
}

int
main(int argc, char **argv)
{
	static struct inst_registry reg;   /* static: reachable to the end (allocated) */
	struct store_writer_opts o;
	struct store_writer *w;
	struct gen_book b;
	char root[128], err[256], **json;
	struct rec_delta **d;
	struct rec_snapshot **sn;
	uint64_t levels = 0, json_bytes = 0, rec_bytes = 0, store_bytes, snap_json = 0;
	double t0, t_write, t_raw_write, t_read, t_json_read;
	int i, level = 6;
	size_t zj;

	if (argc > 1)
		PER_BLOCK = atoi(argv[1]) > 0 ? atoi(argv[1]) : 10;
	if (argc > 2)
		level = atoi(argv[2]);
	log_init("bench_store");
	log_set_level(LOG_ERROR);
	inst_add(&reg, EX_BINANCE, "BTC-USDT", err, sizeof err);
	snprintf(root, sizeof root, "/tmp/bench_store.XXXXXX");
	if (!mkdtemp(root))
		return 1;
	gen_init(&b, 1, EX_BINANCE, 9000000000000LL, 1000000, 1000, 5000, 42, T0);
	d = calloc(N_DELTAS, sizeof *d);
	json = calloc(N_DELTAS, sizeof *json);
	sn = calloc(N_SNAPS, sizeof *sn);
	for (i = 0; i < N_DELTAS; i++) {
		d[i] = gen_delta(&b, 8 + (int)(gen_rand(&b) % 40));
		json[i] = gen_delta_json(&b, d[i]);
		levels += d[i]->n_bids + d[i]->n_asks;
		json_bytes += strlen(json[i]);
		rec_bytes += d[i]->h.len;
		if (i % (N_DELTAS / N_SNAPS) == 0)
			sn[i / (N_DELTAS / N_SNAPS)] = gen_snapshot(&b, SNAP_FULL, SNAP_R_PERIODIC, 0);
	}

	/* ---- deltas: bytes per level update ---- */
	memset(&o, 0, sizeof o);
	o.reg = &reg;
	o.zstd_level = level;
	{
		char sub[200];
		snprintf(sub, sizeof sub, "%s/deltas", root);
		o.root = sub;
		w = store_writer_open(&o, err, sizeof err);
		if (!w) {
			fprintf(stderr, "bench_store: %s\n", err);
			return 1;
		}
		t0 = now_s();
		for (i = 0; i < N_DELTAS; i++) {
			store_writer_add(w, 1, (uint64_t)i + 1, EX_NONE, d[i], d[i]->h.len, err, sizeof err);
			if (i % PER_BLOCK == PER_BLOCK - 1)
				store_writer_commit(w, err, sizeof err);
		}
		store_writer_close(w, err, sizeof err);
		t_write = now_s() - t0;
		store_bytes = dir_bytes(sub);

		/* Baseline for writing: the uncompressed records, same commits. */
		{
			char path[300];
			int fd;
			snprintf(path, sizeof path, "%s/raw.bin", root);
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			t0 = now_s();
			for (i = 0; i < N_DELTAS; i++) {
				if (write(fd, d[i], d[i]->h.len) < 0)
					break;
				if (i % PER_BLOCK == PER_BLOCK - 1)
					fdatasync(fd);
			}
			fdatasync(fd);
			t_raw_write = now_s() - t0;
			close(fd);
		}
		/* Read back everything (decompress, decode, rec_check) vs reading the JSON. */
		{
			struct store_query q = { 0 };
			struct store_reader *r = store_reader_open(sub, &q, NULL, NULL, err, sizeof err);
			const struct rec_hdr *h;
			uint64_t n = 0, check = 0;
			char path[300];
			FILE *fp;
			t0 = now_s();
			while (store_reader_next(r, &h, NULL) == 1) {
				n++;
				check += (uint64_t)h->last_id;
			}
			t_read = now_s() - t0;
			store_reader_close(r);
			if (n != N_DELTAS)
				fprintf(stderr, "bench_store: read %llu records, wrote %d\n", (unsigned long long)n, N_DELTAS);
			snprintf(path, sizeof path, "%s/raw.json", root);
			fp = fopen(path, "w");
			for (i = 0; i < N_DELTAS; i++)
				fprintf(fp, "%s\n", json[i]);
			fclose(fp);
			fp = fopen(path, "r");
			{
				char *line = NULL;
				size_t cap = 0;
				t0 = now_s();
				while (getline(&line, &cap, fp) > 0)
					check += (uint64_t)line[0];
				t_json_read = now_s() - t0;
				free(line);
			}
			fclose(fp);
			if (check == 42)
				fprintf(stderr, "unlikely\n");
		}
	}
	/* CPU only: the codec + zstd of every block, no I/O, vs plain zstd of
	 * the same updates' JSON at the same level and blocks, and vs the codec
	 * before issue 12 (COLS2) on the same blocks. */
	{
		double t_codec[2], t_json;
		static const int codecs[2] = { STORE_CODEC_AC, STORE_CODEC_COLS2 };
		size_t cap = 1 << 20, total[2] = { 0, 0 };
		char *buf = malloc(cap);
		void *z = malloc(ZSTD_compressBound(cap)), *cols;
		ZSTD_CCtx *cc = ZSTD_createCCtx();
		size_t cl;
		int j;
		for (int k = 0; k < 2; k++) {
			t0 = now_s();
			for (i = 0; i < N_DELTAS; i += PER_BLOCK) {
				size_t len = 0;
				for (j = i; j < N_DELTAS && j < i + PER_BLOCK; j++) {
					memcpy(buf + len, d[j], d[j]->h.len);
					len += d[j]->h.len;
				}
				if (store_codec_encode(codecs[k], buf, len, (uint32_t)(j - i), &cols, &cl) == 0) {
					total[k] += ZSTD_compressCCtx(cc, z, ZSTD_compressBound(cap), cols, cl, level);
					free(cols);
				}
			}
			t_codec[k] = now_s() - t0;
		}
		t0 = now_s();
		zj = zstd_blocks(json, N_DELTAS, PER_BLOCK, level);
		t_json = now_s() - t0;
		printf("{\"bench\": \"store_compress_throughput\", \"value\": %.0f, \"unit\": \"level_updates/s\", "
		    "\"records_per_s\": %.0f, \"baseline_zstd_json_level_updates_per_s\": %.0f, "
		    "\"baseline_cols2_level_updates_per_s\": %.0f, \"zstd_level\": %d, "
		    "\"compressed_bytes\": %zu, \"baseline_cols2_bytes\": %zu}\n", (double)levels / t_codec[0],
		    N_DELTAS / t_codec[0], (double)levels / t_json, (double)levels / t_codec[1], level, total[0], total[1]);
		ZSTD_freeCCtx(cc);
		free(buf);
		free(z);
	}
	printf("{\"bench\": \"store_bytes_per_level_update\", \"value\": %.3f, \"unit\": \"B/level\", "
	    "\"baseline_raw_json\": %.3f, \"baseline_zstd_json\": %.3f, \"compression_vs_json_pct\": %.2f, "
	    "\"compression_vs_zstd_json_pct\": %.2f, \"level_updates\": %llu, \"messages\": %d, "
	    "\"records_bytes\": %llu, \"store_bytes\": %llu, \"block_updates\": %d, \"zstd_level\": %d}\n",
	    (double)store_bytes / (double)levels, (double)json_bytes / (double)levels, (double)zj / (double)levels,
	    100.0 * (1.0 - (double)store_bytes / (double)json_bytes), 100.0 * (1.0 - (double)store_bytes / (double)zj),
	    (unsigned long long)levels, N_DELTAS, (unsigned long long)rec_bytes, (unsigned long long)store_bytes,
	    PER_BLOCK, level);
	printf("{\"bench\": \"store_write_throughput\", \"value\": %.0f, \"unit\": \"records/s\", \"mb_per_s\": %.1f, "
	    "\"baseline_uncompressed_write_records_per_s\": %.0f, \"commit_every\": %d, \"fdatasync\": true}\n",
	    N_DELTAS / t_write, (double)rec_bytes / t_write / 1e6, N_DELTAS / t_raw_write, PER_BLOCK);
	printf("{\"bench\": \"store_read_throughput\", \"value\": %.0f, \"unit\": \"records/s\", \"mb_per_s\": %.1f, "
	    "\"level_updates_per_s\": %.0f, \"baseline_json_lines_per_s\": %.0f}\n",
	    N_DELTAS / t_read, (double)rec_bytes / t_read / 1e6, (double)levels / t_read, N_DELTAS / t_json_read);

	/* ---- full snapshots: bytes per 5000-level book ---- */
	{
		char sub[200], **sj = calloc(N_SNAPS, sizeof *sj);
		uint64_t snap_levels = 0;
		snprintf(sub, sizeof sub, "%s/snaps", root);
		o.root = sub;
		w = store_writer_open(&o, err, sizeof err);
		for (i = 0; i < N_SNAPS; i++) {
			sj[i] = gen_snapshot_json(&b, sn[i]);
			snap_json += strlen(sj[i]);
			snap_levels += sn[i]->n_bids + sn[i]->n_asks;
			store_writer_add(w, 1, (uint64_t)i + 1, EX_NONE, sn[i], sn[i]->h.len, err, sizeof err);
			/* One snapshot per block: the periodic full book lands alone
			 * (full_interval is minutes), so no help from its neighbours. */
			store_writer_commit(w, err, sizeof err);
		}
		store_writer_close(w, err, sizeof err);
		store_bytes = dir_bytes(sub);
		zj = zstd_blocks(sj, N_SNAPS, 1, level);
		printf("{\"bench\": \"store_bytes_per_full_snapshot\", \"value\": %.0f, \"unit\": \"B/snapshot\", "
		    "\"baseline_raw_json\": %.0f, \"baseline_zstd_json\": %.0f, \"compression_vs_json_pct\": %.2f, "
		    "\"bytes_per_level\": %.3f, \"levels_per_snapshot\": %.0f}\n",
		    (double)store_bytes / N_SNAPS, (double)snap_json / N_SNAPS, (double)zj / N_SNAPS,
		    100.0 * (1.0 - (double)store_bytes / (double)snap_json), (double)store_bytes / (double)snap_levels,
		    (double)snap_levels / N_SNAPS);
		for (i = 0; i < N_SNAPS; i++)
			free(sj[i]);
		free(sj);
	}
	for (i = 0; i < N_DELTAS; i++) {
		free(d[i]);
		free(json[i]);
	}
	for (i = 0; i < N_SNAPS; i++)
		free(sn[i]);
	free(d);
	free(json);
	free(sn);
	gen_free(&b);
	rmrf(root);
	return 0;
}
