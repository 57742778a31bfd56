/*
 * meta.h - metadata.json: everything needed to use the arrays without reading
 * mpexport's source: shapes, dtypes, column names, sampling, normalization
 * statistics per day, labels, the feed's batching, every gap in the range
 * with its reason, the gap-free segments and the counters of the rebuild.
 */
#ifndef MPX_META_H
#define MPX_META_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "export.h"
#include "inst.h"
#include "lobster.h"
#include "req.h"
#include "split.h"

struct mpx_gap {
	int64_t from, to;
	char reason[48];
	char detail[200];
};

struct mpx_segment {
	uint64_t first_row, rows;
	int64_t t0, t1;
};

/* Normalization of one exported day. */
struct mpx_norm_day {
	int64_t day;                 /* ns / 86400e9 */
	uint64_t prior_rows;         /* samples of the prior days behind mean/std (0 = none) */
	uint64_t dropped;            /* samples of this day not written (no prior statistics) */
	double *mean, *std;          /* deeplob columns then feature columns */
};

#define MPX_DT_BUCKETS 2001          /* 1 ms buckets, the last one is ">= 2 s" */

struct mpx_counts {
	uint64_t records, deltas, applied, heartbeats, unanchored;
	uint64_t snap_full, snap_topn, periodic_anchors, periodic_checked, periodic_mismatch;
	uint64_t topn_checked, topn_mismatch, book_mismatch, bad_levels, bad_chunks, bad_snapshots;
	uint64_t events, gap_events, trades, other, breaks, epochs, time_regressions;
	uint64_t empty_side, prior_samples, dropped_no_stats, crossed_samples;
	uint64_t store_faults, bad_blocks, bad_records, oom;
	uint64_t spot_records;                   /* records of the basis spot stream folded (spot.h) */
	uint64_t label_counts[MPX_MAX_HOR][4];   /* down, stationary, up, missing */
	uint64_t dt_n;
	double dt_sum_ns;
	uint32_t dt_hist[MPX_DT_BUCKETS];
};

struct mpx_meta {
	const struct mpx_opts *o;
	const struct mpx_fcfg *fc;
	const struct inst *inst;
	int64_t start;
	uint64_t rows, windows, stack_windows;
	const struct mpx_gap *gaps;
	size_t n_gaps;
	const struct mpx_segment *segs;
	size_t n_segs;
	const struct mpx_norm_day *ndays;
	size_t n_ndays;
	int ndl, nft;
	const struct mpx_counts *c;
	const struct mpx_lob *lob;   /* NULL: no LOBSTER files */
	const struct mpx_split *split;   /* NULL: no --split */
	const struct mpx_req *req;   /* NULL: none of the requirement's artefacts (req.h) */
	double seconds;
};

/* One entry of metadata.json's "files" (shape[0] = rows). */
void mpx_meta_add_file(json_t *files, const char *name, const char *dtype, int n, const uint64_t *shape,
    const char *what);

/* Write <out>/metadata.json.  0 or -1 with err. */
int mpx_meta_write(const struct mpx_meta *m, char *err, size_t errlen);

#endif
