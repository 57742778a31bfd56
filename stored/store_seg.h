/*
 * store_seg.h - walking one segment file's blocks (internal to the store
 * library: the reader, mpstore and the writer's recovery share it).
 */
#ifndef MP_STORE_SEG_H
#define MP_STORE_SEG_H

#include "store.h"

#define STORE_MAX_RAW (256u << 20)   /* refuse blocks claiming more than this */

struct store_seg {
	int fd;
	char path[512];
	struct store_seg_hdr hdr;
	struct inst_registry reg;
	uint64_t size;
	int sealed;                 /* a valid index was found */
	uint64_t idx_off;           /* where the index starts (= end of blocks) when sealed */
	struct store_idx_ent *idx;
	uint32_t n_idx, idx_pos;
	uint64_t off;               /* next block offset while walking */
	uint64_t data_end;          /* end of the last valid block seen */
	int tail;                   /* the walk ended on incomplete bytes */
};

/* Open and check the header (and the index if the file ends with one). */
int store_seg_open(struct store_seg *s, const char *path, char *err, size_t errlen);
void store_seg_close(struct store_seg *s);
/* Notice bytes appended (or an index written) since open: 1 if the file grew,
 * 0 if not, -1 on error.  The walk continues where it stopped. */
int store_seg_refresh(struct store_seg *s);
/*
 * The next block whose header verifies: 1 with *bh and *off, 0 at the end.
 * A header that does not verify is reported through fn and skipped (via the
 * index, or by searching for the next valid header); bytes at the end that
 * are no complete block set s->tail and are reported with tail = 1.
 */
int store_seg_next_block(struct store_seg *s, struct store_block_hdr *bh, uint64_t *off,
    store_fault_fn fn, void *arg);
/* Check a block header read from disk (magic, length, crc, limits). */
int store_block_hdr_ok(const struct store_block_hdr *bh, const char **why);
/*
 * Read and decompress the block at off (header bh) into *buf (grown as
 * needed; *cap its size) and verify its crc and length.  0, or -1 with *why.
 * cbuf and ccap are scratch for the compressed bytes.
 */
int store_block_read(struct store_seg *s, const struct store_block_hdr *bh, uint64_t off,
    void **buf, size_t *cap, void **cbuf, size_t *ccap, const char **why);
/* Check the records of a decompressed block: 0, or -1 with the index of the
 * first bad record in *bad and the reason in err. */
int store_block_records_ok(const void *buf, size_t len, uint32_t n_records, uint32_t *bad,
    char *err, size_t errlen);
/* The column transform (store_codec.c) of codec STORE_CODEC_COLS or
 * STORE_CODEC_COLS2: encode n records (len bytes) into a malloc'd *out;
 * decode back into out (raw_len bytes, n records).  0 or -1. */
int store_codec_encode(int codec, const void *recs, size_t len, uint32_t n, void **out, size_t *out_len);
int store_codec_decode(int codec, const void *in, size_t in_len, void *out, size_t raw_len, uint32_t n,
    const char **why);
const struct inst *store_reg_find(const struct inst_registry *reg, uint32_t id);

#endif
