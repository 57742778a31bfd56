/*
 * store.h - the local store: on-disk format and the reader library every tool
 * uses (mpstore, mpexport, the ClickHouse sink).  This header is the contract;
 * the writer (stored only) is in store_write.h.
 *
 * Layout under the store root (<data_dir>/store):
 *   <exchange>/<SYMBOL>/<YYYYMMDDTHH>.seg   book stream: every record of one
 *                                           instrument (deltas, snapshots,
 *                                           trades, tickers, klines, events)
 *   <exchange>/_raw/<YYYYMMDDTHH>.seg       raw stream: every raw frame of the
 *                                           exchange in receive order, plus the
 *                                           EV_RING_LOSS events of raw.<exchange>
 *   _sys/_sys/<YYYYMMDDTHH>.seg             records without an exchange
 * The hour is the UTC hour of the first record's time (store_rec_time); a
 * stream never goes back to an older segment, so a record slightly older than
 * its segment's hour stays in the newer one (blocks carry exact min/max times).
 *
 * A segment file:
 *   segment header (struct store_seg_hdr + n_inst struct store_inst_disk,
 *                   crc32c over hdr_len bytes)
 *   block*         (struct store_block_hdr + comp_len bytes of zstd)
 *   [index]        (struct store_idx_hdr + n struct store_idx_ent +
 *                   struct store_idx_tail), written when the segment is sealed
 *                   (hour over, clean shutdown); the tail is the file's last
 *                   32 bytes.  A segment without an index is read by walking
 *                   block headers.
 * A block's payload, decompressed (and, for STORE_CODEC_COLS, joined back
 * from its columns), is the block's records back to back, each
 * exactly as rec.h lays it out (hdr.len bytes, 8-byte multiples), in the order
 * stored received them, with stage_ns[STAGE_STORE] stamped.
 * Every record read back passes rec_check() before a caller sees it.
 *
 * Durability: stored writes a block, fdatasyncs the file, and only then
 * releases the ring position, so an acknowledged record is on disk.  A block
 * records the ring seq range it holds, so a restarted stored skips records it
 * had already made durable (no duplicates after kill -9).
 *
 * Linking: readers link stored/store_fmt.o stored/store_read.o
 * stored/store_check.o (sources: STORE_READ_SRCS in stored/module.mk) and
 * libzstd.
 */
#ifndef MP_STORE_H
#define MP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "inst.h"
#include "rec.h"

#define STORE_SEG_MAGIC   0x314745535453504dULL /* "MPSTSEG1" */
#define STORE_BLOCK_MAGIC 0x314b4c42U         /* "BLK1" */
#define STORE_IDX_MAGIC   0x31584449U         /* "IDX1" */
#define STORE_END_MAGIC   0x31444e455453504dULL /* "MPSTEND1" */
/* 2: block headers count STORE_TYPES record types (REC_MARKET); 3: blocks may
 * be STORE_CODEC_AC; 4: STORE_CODEC_AC2.  Readers read
 * STORE_VERSION_MIN..STORE_VERSION; a segment of an older version continued
 * by a newer writer gets no codec its version lacked. */
#define STORE_VERSION 4
#define STORE_VERSION_MIN 2
/* Per-type record counts on disk have room for this many types, so that a
 * new record type changes the schema hash but not the block header layout. */
#define STORE_TYPES 16
_Static_assert(REC_TYPE_MAX < STORE_TYPES, "STORE_TYPES must exceed REC_TYPE_MAX");
/* a header with INST_LIMIT instruments (n_inst is 16 bits) */
#define STORE_SEG_HDR_MAX (96u + 65535u * 104u)

enum store_kind { STORE_K_BOOK = 1, STORE_K_RAW = 2, STORE_K_SYS = 3 };
/* STORE_CODEC_ZSTD: zstd of the records as they are.  STORE_CODEC_COLS: zstd
 * of the records split into columns (store_codec.c).  STORE_CODEC_COLS2 (the
 * writer's default 2026-12 until issue 12): the columns, with snapshots coded
 * against the book the block's earlier records predict (store_pred.h).
 * STORE_CODEC_AC (issue 12): the same values range-coded with context models
 * (store_acm.h) instead of columns, then zstd.  STORE_CODEC_AC2 (the default
 * since issue 12's second step): the same with counted probabilities and a
 * per-level size history (store_acm.h, gen 1).  All decompress to the same
 * records; readers read every codec. */
enum store_codec {
	STORE_CODEC_ZSTD = 1, STORE_CODEC_COLS = 2, STORE_CODEC_COLS2 = 3, STORE_CODEC_AC = 4, STORE_CODEC_AC2 = 5
};
#define STORE_CODEC_MAX STORE_CODEC_AC2
/* The newest codec a segment of that version may hold. */
static inline int
store_version_codec(uint32_t version)
{
	return version >= 4 ? STORE_CODEC_AC2 : version == 3 ? STORE_CODEC_AC : STORE_CODEC_COLS2;
}
/* The version a writer of that codec gives new segments: the oldest that
 * admits it (a writer set to an older codec writes what older builds wrote). */
static inline uint32_t
store_codec_version(int codec)
{
	return codec >= STORE_CODEC_AC2 ? 4 : codec == STORE_CODEC_AC ? 3 : 2;
}

/* ---- on-disk structures (little-endian, fixed layout) ---- */

/* The instrument table carried by every segment, so a reader prints exact
 * strings without any config.  Mirrors struct inst. */
struct store_inst_disk {
	uint32_t id;
	uint8_t exch;
	int8_t px_exp, qty_exp, px_dec, qty_dec;
	uint8_t pad0[7];
	char symbol[24];
	char venue_symbol[24];
	char lower[24];
	int64_t tick;
	int64_t lot;
};

struct store_seg_hdr {
	uint64_t magic;          /* STORE_SEG_MAGIC */
	uint32_t version;        /* STORE_VERSION */
	uint32_t hdr_len;        /* this struct + the instrument table */
	uint64_t schema_hash;    /* rec_schema_hash() of the writer */
	int64_t hour_ns;         /* start of the UTC hour this segment is named after */
	int64_t created_ns;
	uint8_t kind;            /* enum store_kind */
	uint8_t exch;            /* enum exch_id (0 for _sys) */
	uint16_t n_inst;
	uint32_t stream_inst;    /* instrument id of this book stream in the writer's registry (0 raw/sys) */
	char exchange[16];
	char symbol[24];         /* canonical symbol, "_raw" or "_sys" */
	uint32_t pad0;
	uint32_t hdr_crc;        /* crc32c of hdr_len bytes with this field zero */
	/* struct store_inst_disk inst[n_inst]; */
};

struct store_block_hdr {
	uint32_t magic;          /* STORE_BLOCK_MAGIC */
	uint16_t hdr_len;        /* sizeof(struct store_block_hdr) */
	uint8_t codec;           /* enum store_codec */
	uint8_t flags;
	uint64_t schema_hash;
	uint32_t n_records;
	uint32_t raw_len;        /* decompressed bytes */
	uint32_t comp_len;       /* compressed bytes following this header */
	uint32_t data_crc;       /* crc32c of the compressed bytes */
	int64_t min_ns, max_ns;  /* record times (store_rec_time) */
	int64_t first_id;        /* hdr.last_id of the first delta/snapshot, -1 none */
	int64_t last_id;         /* hdr.last_id of the last delta/snapshot, -1 none */
	uint64_t ring_id;        /* identity of the source ring (its creation time) */
	uint64_t ring_first_seq; /* ring seqs of the first and last record */
	uint64_t ring_last_seq;
	int64_t written_ns;      /* when the block was sealed (= stage_ns[STAGE_STORE]) */
	uint32_t count[STORE_TYPES]; /* records per enum rec_type (index 0 and beyond REC_TYPE_MAX: 0) */
	uint32_t block_no;       /* 0, 1, ... within the segment */
	uint32_t hdr_crc;        /* crc32c of the header with this field zero */
};

struct store_idx_hdr {
	uint32_t magic;          /* STORE_IDX_MAGIC */
	uint32_t n;              /* entries */
	uint32_t crc;            /* crc32c of the entries */
	uint32_t pad0;
};
struct store_idx_ent {
	uint64_t off;            /* offset of the block header */
	int64_t min_ns, max_ns;
	int64_t first_id, last_id;
	uint32_t n_records;
	uint32_t comp_len;
};
struct store_idx_tail {
	uint64_t idx_off;        /* offset of struct store_idx_hdr */
	uint32_t n;
	uint32_t crc;            /* crc32c of the first 12 bytes */
	uint64_t pad0;
	uint64_t magic;          /* STORE_END_MAGIC: the file's last 8 bytes */
};

/* ---- helpers ---- */

uint32_t store_crc32c(uint32_t crc, const void *buf, size_t len);
/* The time a record is filed under: recv_ns, else exch_ns, else stage_ns[STAGE_STORE]. */
int64_t store_rec_time(const struct rec_hdr *h);
/* "20261124T02" for the hour containing t; start of that hour. */
void store_hour_name(int64_t t_ns, char *buf, size_t cap);
int64_t store_hour_start(int64_t t_ns);
/* Parse "20261124T02" (optionally with ".seg") into the hour start; -1 if not one. */
int64_t store_hour_parse(const char *name);
/* Parse a time for --from/--to: ns since the epoch (all digits), or
 * ISO-8601 UTC "2026-11-24T02:00:00[.fff][Z]" / "2026-11-24".  -1 on error. */
int64_t store_time_parse(const char *s);
/* Format t as "2026-11-24T02:00:00.123456789Z". */
void store_time_fmt(int64_t t_ns, char *buf, size_t cap);
/* A 64-bit hash of a record's content without stage_ns[STAGE_STORE] (which
 * the store stamps); summing it over a set of records gives an order-free
 * digest that tells "every record exactly once" apart from loss or repeats. */
uint64_t store_rec_digest(const struct rec_hdr *h);
void store_inst_to_disk(const struct inst *in, struct store_inst_disk *d);
void store_inst_from_disk(const struct store_inst_disk *d, struct inst *in);

/* ---- segments ---- */

/* What a segment holds, from its header and block headers. */
struct store_seg_info {
	char path[512];
	struct store_seg_hdr hdr;
	int sealed;                 /* has a valid index */
	uint64_t size;              /* file size */
	uint64_t data_end;          /* end of the last valid block */
	uint32_t n_blocks;
	uint64_t n_records;
	uint64_t count[REC_TYPE_MAX + 1];
	int64_t min_ns, max_ns;     /* over all valid blocks (0 when none) */
	uint64_t raw_bytes, comp_bytes;
	uint32_t bad_blocks;        /* blocks that failed verification (skipped) */
	int torn_tail;              /* bytes after the last valid block that are not a block/index */
};

/* A problem found while reading; passed to the report callback. */
struct store_fault {
	const char *path;
	uint64_t off;               /* where */
	uint32_t block_no;          /* when known, else UINT32_MAX */
	const char *what;           /* "bad block header crc", "data crc mismatch", ... */
	int tail;                   /* 1 = incomplete bytes at the end (a write in progress or torn) */
};
typedef void (*store_fault_fn)(const struct store_fault *f, void *arg);

/* Read a segment's header and walk its blocks (index if sealed, else block
 * headers; verify_data = 1 also checks every block's data crc).  Faults are
 * reported through fn (may be NULL).  0, or -1 with err (not a segment, bad
 * header). */
int store_seg_scan(const char *path, int verify_data, struct store_seg_info *info,
    store_fault_fn fn, void *arg, char *err, size_t errlen);
/* The segment's instrument table (its header's) into reg (uninitialised;
 * inst_reg_free() it after a 0).  0, or -1 with err. */
int store_seg_reg(const char *path, struct inst_registry *reg, char *err, size_t errlen);

/* ---- the manifest: what was sealed (store_manifest.c) ----
 *
 * <stream dir>/MANIFEST records every seal: segment name, file size, blocks
 * and records, appended and fdatasync'd right after the index.  That is how
 * a reader knows a segment was sealed and how many records it held even when
 * the index (the file's end) is gone: a sealed segment that is short,
 * unsealed, or missing is data lost, with exactly manifest records - records
 * found; only the newest segment of a stream, never sealed (or "reopened" by
 * stored to continue it within its hour), may end in a torn tail.  stored
 * never modifies a segment that disagrees with its manifest entry: it logs
 * the loss, appends a "lost" line (which verify keeps reporting) and moves
 * the file aside.  A stream written before manifests existed has none; its
 * segments are judged by their own index only.
 */
struct store_manifest_seg {
	char name[64];              /* "20261204T18.seg" */
	int sealed;                 /* the last line about it says sealed (not reopened) */
	uint64_t bytes;             /* file size at seal */
	uint32_t blocks;
	uint64_t records;
};
struct store_manifest_loss {
	char name[64];
	uint64_t lost, of;          /* records stored found missing, of the sealed count */
};
struct store_manifest {
	int present;                /* the file exists */
	struct store_manifest_seg *seg;
	int n_seg;
	struct store_manifest_loss *loss;
	int n_loss;
	int bad_lines;              /* lines that do not verify (crc, syntax) */
	int torn_last;              /* the last line is unterminated (a crash mid-append): ignored */
};
/* Load dir/MANIFEST (none = empty, present 0).  0, or -1 with err. */
int store_manifest_load(const char *dir, struct store_manifest *m, char *err, size_t errlen);
void store_manifest_free(struct store_manifest *m);
const struct store_manifest_seg *store_manifest_find(const struct store_manifest *m, const char *name);
/* Does a segment (info, NULL = missing) match what its entry (e, may be NULL)
 * says?  0 = yes, or nothing to compare (not sealed per the manifest);
 * 1 = a sealed segment short, unsealed, damaged or missing: *lost = records gone. */
int store_manifest_check(const struct store_manifest_seg *e, const struct store_seg_info *info, uint64_t *lost);
/* Writer side (stored): append a line and fdatasync it.  0, or -1 with err. */
int store_manifest_sealed(const char *dir, const char *name, uint64_t bytes, uint32_t blocks, uint64_t records,
    char *err, size_t errlen);
int store_manifest_reopened(const char *dir, const char *name, char *err, size_t errlen);
int store_manifest_lost(const char *dir, const char *name, uint64_t lost, uint64_t of, char *err, size_t errlen);

/* ---- streams ---- */

struct store_stream {
	char exchange[16];
	char symbol[24];            /* canonical symbol, "_raw" or "_sys" */
	int kind;                   /* enum store_kind */
	char dir[1024];
	int n_seg;
	char (*seg)[64];            /* segment file names, in hour order */
	int64_t first_hour_ns, last_hour_ns;
};

/* Every stream under root, sorted by exchange then symbol.  *out is malloc'd
 * (free with store_streams_free).  Returns the count, or -1 with err. */
int store_streams(const char *root, struct store_stream **out, char *err, size_t errlen);
void store_streams_free(struct store_stream *s, int n);

/* ---- record reader ---- */

struct store_query {
	const char *exchange;       /* NULL = every exchange */
	const char *symbol;         /* NULL = every symbol (canonical, venue or "_raw"/"_sys") */
	int64_t from_ns, to_ns;     /* record time in [from, to); 0 = unbounded */
	uint32_t types;             /* bit (1u << REC_x) per wanted type; 0 = all */
	int with_raw;               /* include _raw streams when symbol is NULL */
	int with_sys;               /* include _sys when exchange and symbol are NULL */
	int verify_data;            /* check every block's data crc (always on for reads of data) */
};

/* Where the current record came from. */
struct store_pos {
	const struct store_stream *stream;
	const char *path;           /* segment file */
	const struct inst_registry *reg;  /* that segment's instrument table */
	const struct inst *inst;    /* the record's instrument in reg (NULL if none) */
	uint32_t block_no;
	uint64_t block_off;
	uint32_t rec_index;         /* index of the record within its block */
	uint64_t ring_id;
	int64_t block_written_ns;
};

struct store_reader;

/*
 * Open a reader over the streams matching q (one stream after another, in
 * store_streams order; within a stream in segment and block order, i.e.
 * the order stored received the records).  Blocks whose [min_ns, max_ns] does
 * not meet [from, to) are skipped without decompressing.  A corrupted block is
 * reported through fn (may be NULL), counted, and skipped; reading goes on.
 */
struct store_reader *store_reader_open(const char *root, const struct store_query *q,
    store_fault_fn fn, void *arg, char *err, size_t errlen);
/* 1: *rec points to the next record (valid until the next call; rec_check
 * passed), *pos (may be NULL) says where it came from.  0: end.  -1: an I/O
 * error that stops the reader (err in store_reader_error). */
int store_reader_next(struct store_reader *r, const struct rec_hdr **rec, struct store_pos *pos);
const char *store_reader_error(const struct store_reader *r);
/* Counters so far: blocks read, blocks skipped by time, bad blocks, bad records. */
struct store_reader_stats {
	uint64_t blocks, blocks_skipped, bad_blocks, bad_records, records, bytes_raw, bytes_comp;
};
void store_reader_stats(const struct store_reader *r, struct store_reader_stats *st);
void store_reader_close(struct store_reader *r);

/* ---- continuity and the gap ledger (one book) ---- */

/*
 * The bookd contract's rule: within a sync epoch (started by a SNAP_FULL with
 * reason SYNC or RESYNC), every REC_DELTA has prev_id == last_id of the
 * previous delta or of the epoch's snapshot.  A break is "recorded" when an
 * EV_GAP, EV_RESYNC, EV_RING_LOSS or EV_NATS_LOSS event of the book (or a
 * corrupted store block) came between the two deltas, else "unexplained".
 * Deltas before the first sync snapshot the reader saw are "unanchored" (the
 * read started mid-epoch), not gaps.
 */
struct store_gap {
	int64_t t_ns;               /* record time of the delta after the break */
	int64_t expected_prev;      /* last_id of the previous delta/snapshot */
	int64_t got_prev;           /* the delta's prev_id */
	int64_t got_first, got_last;
	int recorded;               /* 1 = explained by an event/corruption */
	uint16_t ev_code;           /* the explaining event (0 if none / corruption) */
};

struct store_check {
	/* counters */
	uint64_t records, deltas, snapshots, snap_full, snap_topn, trades, tickers, klines, events, raws;
	uint64_t markets;           /* REC_MARKET (derivatives market data) */
	uint64_t epochs;            /* sync snapshots seen */
	uint64_t unanchored;        /* deltas before any sync snapshot */
	uint64_t gaps_unexplained, gaps_recorded;
	uint64_t gap_events;        /* EV_GAP events */
	uint64_t loss_events;       /* EV_RING_LOSS / EV_NATS_LOSS events */
	uint64_t resync_events;
	int64_t first_ns, last_ns;
	/* state */
	int in_epoch;
	int64_t last_id;            /* last_id of the last delta/snapshot in the epoch */
	uint16_t pending_ev;        /* explaining event seen since the last delta */
	int pending_corrupt;
};

void store_check_init(struct store_check *c);
/* Feed one record of this book in store order; returns 1 and fills *gap when
 * this record is a delta after a break, else 0. */
int store_check_rec(struct store_check *c, const struct rec_hdr *h, struct store_gap *gap);
/* Tell the checker that records of this book may be missing here (a corrupted
 * block was skipped), so the next break is recorded, not unexplained. */
void store_check_corrupt(struct store_check *c);

#endif
