/*
 * export.h - mpexport's engine: one book from the local store -> .npy arrays
 * and metadata.json (main.c is only the command line).
 *
 * The book is rebuilt from the store with the bookd output contract: a
 * SNAP_FULL (any reason) anchors a sync epoch when none is open, a SYNC or
 * RESYNC one always starts a new epoch, and deltas apply only while
 * delta.prev_id == the book's update id.  A break (continuity, a gap/resync/
 * loss event, a corrupted store block, the rebuilt book disagreeing with
 * bookd's own best levels or snapshots) ends the epoch: the stretch from the
 * last record that confirmed the book to the next anchor is a gap, listed in
 * the metadata with its reason, and no sample, window or label spans it.
 *
 * Sampling clock: the record time of the store (store_rec_time: feedd's
 * receive time), made monotonic.  Per-update sampling takes one sample after
 * every applied delta (OKX empty heartbeats excluded); interval sampling takes
 * the book as of each grid time k * interval, and only once a later record has
 * confirmed that no update was missed up to that time.
 *
 * Reading starts before --from: a warm-up to find an anchor snapshot, and with
 * zscore-prior-days normalization the --norm-days calendar days before the
 * first day, whose samples only feed the statistics.
 */
#ifndef MPX_EXPORT_H
#define MPX_EXPORT_H

#include <stdint.h>

#include "feat.h"

#define MPX_W_DEEPLOB  0x01
#define MPX_W_HEATMAP  0x02
#define MPX_W_STACK    0x04
#define MPX_W_FEATURES 0x08
#define MPX_W_LABELS   0x10
#define MPX_W_ALL      0x1f    /* "all": the arrays (LOBSTER files only when asked for) */
#define MPX_W_LOBSTER  0x20    /* LOBSTER message + orderbook files (lobster.h) */
#define MPX_W_MLFEAT   0x40    /* mlfeatures.npy: routerd/mlfeat.h features, float64 (only when named) */
/* 0x80 .. 0x800: the requirement's artefacts (req.h MPX_W_REQ*, only when named) */

#define MPX_MAX_HOR 16

enum mpx_norm_mode { MPX_NORM_NONE = 0, MPX_NORM_ZPRIOR = 1 };

struct mpx_opts {
	const char *root;            /* store root */
	const char *exchange, *symbol;
	const char *out;             /* output directory (created) */
	int64_t from, to;            /* [from, to) ns */
	unsigned what;               /* MPX_W_* */
	int64_t sample_ns;           /* 0 = every update, else the interval */
	int window;                  /* DeepLOB window T */
	int materialize;             /* also write deeplob_x.npy [W, T, 4L] */
	struct mpx_fcfg f;           /* levels, prices, bands, bins (px/qty_div set by mpx_export) */
	unsigned ml_groups;          /* MLF_G_* of routerd/mlfeat.h in mlfeatures.npy (and reqstack frames) */
	int req_levels, req_bins;    /* the requirement's heatmap / depth image (req.h) */
	int flow_window;             /* deltaflow.npy: deltas in the window */
	int n_hor;
	int hor[MPX_MAX_HOR];
	const char *hor_set;         /* "fi2010", "tlob" or NULL (a list) */
	int smooth;                  /* 0: DeepLOB labels (window = horizon); k: TLOB labels, window k */
	int n_split;                 /* 0 = no split, else 3: train, val, test fractions */
	double split[3];
	double threshold_bps;
	int norm;                    /* enum mpx_norm_mode */
	int norm_days;
	int stack_len, stack_stride;
	int64_t stack_ns;
	int64_t warmup_ns;
	uint32_t max_levels;         /* the book depth bookd kept ([bookd] max_levels) */
	const char *basis_spot;      /* market: [ml] basis_spot, the pairing routerd uses (routerd/mlbasis.h) */
	int64_t basis_max_age_ns;    /* [ml] basis_max_age */
	int progress;                /* -1 = after 2 s, 0 = never, 1 = always */
	const char *command;         /* the command line, for the metadata */
};

struct mpx_summary {
	uint64_t records, deltas, samples, windows, gaps, stack_windows;
	double seconds;
};

/* Run one export.  0, or -1 with err (nothing usable was written). */
int mpx_export(const struct mpx_opts *o, struct mpx_summary *sum, char *err, size_t errlen);

#endif
