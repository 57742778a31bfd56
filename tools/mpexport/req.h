/*
 * req.h - the requirement's own deep-learning artefacts (shared/seed-digest.md,
 * "Deep-learning preparation"), by the feature library routerd uses live
 * (routerd/mlimg.h, mlflow.h, mlmkt.h, mlfeat.h), named apart from
 * mpexport's bps-binned heatmap.npy / stack.npy:
 *
 *   reqheatmap.npy       <f8 [N, bins, 2]   the 100-level x 200-bin price-range heatmap
 *   reqheatmap_range.npy <f8 [N, 2]         its price range (lo, hi)
 *   depthimage.npy       <f8 [N, levels, 2] the depth x 2 image of normalised sizes
 *   deltaflow.npy        <f8 [N, 7]         delta flows over the last W deltas
 *   market.npy           <f8 [N, 24]        ticker / kline / derivatives / basis features as of the sample
 *   marketupdates.npy    <f8 [M, 24]        the same after each of the M market-data records
 *   marketupdates_keys.npy <i8 [M, 3]       its record's receive time, exchange time, type << 8 | kind
 *   reqstack.npy         <f4 [W, S, bins, 2] S requirement heatmaps, one per stack interval
 *   reqstack_features.npy <f8 [W, S, F]     the ml_features of each frame's book
 *   reqstack_timestamps.npy <i8 [W]         time of each stack's last frame
 *
 * One row of the per-sample files per row of timestamps.npy (NaN where the
 * book has no image: an empty side).  export.c feeds the rebuilt book and
 * the records; this file owns the outputs and the library state.
 */
#ifndef MPX_REQ_H
#define MPX_REQ_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../../bookd/book.h"
#include "inst.h"

#define MPX_W_REQHEAT  0x080
#define MPX_W_DEPTHIMG 0x100
#define MPX_W_DFLOW    0x200
#define MPX_W_MARKET   0x400
#define MPX_W_REQSTACK 0x800
#define MPX_W_REQ      0xf80   /* "req": all of them */

struct mpx_req_cfg {
	unsigned what;            /* MPX_W_REQ* bits */
	int levels, bins;         /* heatmap / depth image (default 100, 200) */
	int flow_window;          /* deltas (default 100) */
	int stack_len, stack_stride;
	int64_t stack_ns;
	unsigned ml_groups;       /* frame features (MLF_G_*) */
};

struct mpx_req;

/* Open the outputs in dir.  NULL with err. */
struct mpx_req *mpx_req_open(const char *dir, const struct mpx_req_cfg *c, char *err, size_t errlen);
/* A new sync epoch: the flow window empties and the stack restarts. */
void mpx_req_anchor(struct mpx_req *r);
/* One level change of the delta being applied (old size from the book). */
void mpx_req_level(struct mpx_req *r, int side, int64_t old_qty, int64_t new_qty);
/* The delta is applied (not a heartbeat): it enters the flow window. */
void mpx_req_delta_end(struct mpx_req *r);
/* A record of the instrument that is not the book (tickers, klines, REC_MARKET). */
void mpx_req_market(struct mpx_req *r, const struct rec_hdr *h, const struct inst *in);
/* The basis against a spot book (spot.h): b is not owned, ref names the
 * reference (NULL = none).  Without it the bs_* columns are NaN. */
struct mlb;
void mpx_req_set_basis(struct mpx_req *r, struct mlb *b, const char *ref, int64_t max_age_ns);
/* One sample row of the book at sample time t (same rows as timestamps.npy). */
void mpx_req_row(struct mpx_req *r, const struct book *bk, const struct inst *in, int64_t t);
/* A stack tick at t: the frame of the book, or a break (bk NULL: no book). */
void mpx_req_stack(struct mpx_req *r, const struct book *bk, const struct inst *in, int64_t t);
/* Close the files (rows written are final).  0, or -1 with err. */
int mpx_req_close(struct mpx_req *r, char *err, size_t errlen);
/* The metadata: entries in files, a "requirement_artefacts" block in root. */
void mpx_req_meta(const struct mpx_req *r, json_t *root, json_t *files, uint64_t rows);
void mpx_req_free(struct mpx_req *r);

#endif
