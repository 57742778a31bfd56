/*
 * store_write.h - the store writer (stored only; readers use store.h).
 *
 * Records are added to a pending block per stream (store.h: one stream per
 * instrument, one raw stream per exchange, one _sys stream).  commit()
 * compresses every pending block, appends it to its segment and fdatasyncs
 * the files; when commit returns 0, everything added so far is durable, and
 * only then may the caller release ring positions.
 *
 * Exactly once across crashes: every block records the ring identity and
 * the ring seq range of its records.  store_writer_open() recovers each
 * stream (truncating a torn tail of its newest segment, never a block that
 * verifies) and learns the last durable seq per ring, so add() of a record
 * that is already durable returns STORE_W_DUP and the caller just releases it.
 */
#ifndef MP_STORE_WRITE_H
#define MP_STORE_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "inst.h"

struct store_writer_opts {
	const char *root;                 /* <data_dir>/store */
	const struct inst_registry *reg;  /* instruments (copied into every segment) */
	int zstd_level;                   /* 1..19 */
	size_t block_max;                 /* write a stream's block once it holds this many bytes */
	int codec;                        /* enum store_codec of the blocks (0 = STORE_CODEC_AC2);
	                                   * the older codecs are kept for benches against them */
};

struct store_writer_stats {
	uint64_t records, dups, bytes_raw, bytes_comp, blocks, commits, syncs, segments;
	uint64_t recovered_streams, torn_tails, torn_bytes, bad_blocks_seen;
	uint64_t lost_segments, lost_records;   /* sealed segments found short/unsealed at recovery (set aside) */
	int64_t last_commit_ns;
};

enum { STORE_W_OK = 0, STORE_W_DUP = 1, STORE_W_ERR = -1 };

struct store_writer;

/* Open the store (creating root) and recover every stream.  NULL with err. */
struct store_writer *store_writer_open(const struct store_writer_opts *o, char *err, size_t errlen);
/* The registry grew (instruments appended, ids of the others unchanged: a
 * tool that adopts the instruments a capture names): take the new copy;
 * segments opened from now on carry it.  0, or -1 with err (out of memory;
 * the writer keeps the old one). */
int store_writer_set_reg(struct store_writer *w, const struct inst_registry *reg, char *err, size_t errlen);
/*
 * Add one record (rec_check already passed) read from the ring ring_id at seq.
 * exch_hint: the exchange whose raw stream gets records without an instrument
 * from this ring (EX_NONE: the _sys stream).  Returns STORE_W_OK (pending),
 * STORE_W_DUP (already durable from before a restart: skipped) or STORE_W_ERR
 * (err filled; nothing was added).
 */
int store_writer_add(struct store_writer *w, uint64_t ring_id, uint64_t seq, int exch_hint,
    const void *rec, uint32_t len, char *err, size_t errlen);
/* Make everything added durable.  0, or -1 with err (retry later: pending
 * blocks are kept and the files are cut back to their last good block). */
int store_writer_commit(struct store_writer *w, char *err, size_t errlen);
/* Bytes added but not yet durable. */
size_t store_writer_pending(const struct store_writer *w);
void store_writer_stats(const struct store_writer *w, struct store_writer_stats *st);
/* The last durable seq of ring_id over all streams (0 if none). */
uint64_t store_writer_last_seq(const struct store_writer *w, uint64_t ring_id);
/* Commit, seal every open segment (write its index) and free.  0 or -1. */
int store_writer_close(struct store_writer *w, char *err, size_t errlen);

#endif
