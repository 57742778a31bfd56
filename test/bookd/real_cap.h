/*
 * real_cap.h - a real Binance recording (the .cap.zst files in ../shared/data/, see the
 * data README) loaded for the engine benchmark and the replay test: every
 * line kept raw (for whole-path runs), and the depth frames parsed once with
 * feedd's parser into the first REST snapshot plus a flat list of level
 * updates, so a run over it times only the book.
 *
 * The USD-M file names its venue "binance-usdm" and its snapshot path
 * /fapi/v1/depth; both are rewritten to the spot forms the parser knows (the
 * payloads have the same shape; "pu" is ignored).
 */
#ifndef MP_TEST_REAL_CAP_H
#define MP_TEST_REAL_CAP_H

#include <stddef.h>
#include <stdint.h>

#include "inst.h"
#include "rec.h"

struct rc_upd {
	int32_t side;           /* BOOK_BID / BOOK_ASK */
	int64_t px, qty;
	int64_t id;             /* the update's last id (Binance u) */
};

struct rc_cap {
	struct inst_registry reg;       /* ETH-USDT on binance, id 1 */
	/* raw lines, "<recv_ns> binance ws|rest:<path> <payload>", NUL-ended */
	char **line;
	size_t *len;
	size_t nlines;
	size_t snap_line;               /* index of the snapshot's line */
	/* the first REST snapshot: n_bids bids then n_asks asks, best first */
	struct rec_level *snap;
	uint32_t snap_nb, snap_na;
	int64_t snap_id;
	/* level updates of the depth frames after the snapshot with u > snap_id */
	struct rc_upd *u;
	size_t nu;
	size_t *frame_end;              /* frame f's updates end at u[frame_end[f]] */
	size_t nframes;
};

/* $MP_ROOT/../shared/data/NAME (MP_ROOT defaults to "."). */
void rc_data_path(const char *name, char *buf, size_t cap);
/* Load and parse PATH (zstd-compressed); 0, or -1 with err set. */
int rc_load(struct rc_cap *c, const char *path, char *err, size_t cap);
void rc_free(struct rc_cap *c);
/* Split a raw line into its fields (in place: writes NULs); 0 or -1. */
int rc_split(char *line, size_t len, int64_t *recv_ns, char **src, char **payload, size_t *plen);

#endif
