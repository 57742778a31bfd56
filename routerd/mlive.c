/* mlive.c - live delta flows from a replica of each book (mlive.h). */
#include "mlive.h"

#include <stdlib.h>
#include <string.h>

#include "../bookd/book.h"

struct mlv_inst {
	struct book *bk;
	struct mlfl fl;
	int anchored;
	int64_t book_id;
	int64_t chunk_id;         /* a chunked SNAP_FULL being loaded */
};

struct mlv {
	uint32_t n;
	uint32_t max_levels;
	int window;
	uint64_t breaks;
	struct mlv_inst *in;      /* [n], created on first use */
};

struct mlv *
mlv_new(uint32_t max_inst, uint32_t max_levels, int window)
{
	struct mlv *v;

	if (!max_inst || !max_levels || window < 1 || window > MLFL_MAX_WINDOW || !(v = calloc(1, sizeof *v)))
		return NULL;
	v->in = calloc(max_inst, sizeof *v->in);
	if (!v->in) {
		free(v);
		return NULL;
	}
	v->n = max_inst;
	v->max_levels = max_levels;
	v->window = window;
	return v;
}

void
mlv_free(struct mlv *v)
{
	if (!v)
		return;
	for (uint32_t i = 0; i < v->n; i++) {
		book_free(v->in[i].bk);
		mlfl_free(&v->in[i].fl);
	}
	free(v->in);
	free(v);
}

static struct mlv_inst *
inst_of(struct mlv *v, uint32_t id)
{
	struct mlv_inst *s;

	if (id < 1 || id > v->n)
		return NULL;
	s = &v->in[id - 1];
	if (!s->bk) {
		if (!(s->bk = book_new(v->max_levels)))
			return NULL;
		if (mlfl_init(&s->fl, v->window) < 0) {
			book_free(s->bk);
			s->bk = NULL;
			return NULL;
		}
	}
	return s;
}

/* A SNAP_FULL (chunk by chunk: chunk 0 clears). */
static void
on_full(struct mlv_inst *s, const struct rec_snapshot *sn)
{
	int sync = sn->reason == SNAP_R_SYNC || sn->reason == SNAP_R_RESYNC;
	uint32_t i;

	if (s->anchored && !sync)
		return;   /* a periodic full inside the epoch: the replica already is that book */
	if (sn->chunk == 0) {
		book_clear(s->bk);
		s->chunk_id = sn->h.last_id;
		s->anchored = 0;
	} else if (s->chunk_id != sn->h.last_id) {
		return;   /* a later chunk of a book whose first chunk we did not see */
	}
	for (i = 0; i < sn->n_bids + sn->n_asks; i++)
		book_apply(s->bk, i < sn->n_bids ? BOOK_BID : BOOK_ASK, sn->lv[i].px, sn->lv[i].qty);
	if (sn->chunk + 1 >= sn->nchunks) {
		s->anchored = 1;
		s->book_id = sn->h.last_id;
		mlfl_reset(&s->fl);
	}
}

int
mlv_record(struct mlv *v, const struct rec_hdr *rec, int qty_exp, double *out)
{
	struct mlv_inst *s = rec->type == REC_DELTA || rec->type == REC_SNAPSHOT ? inst_of(v, rec->inst) : NULL;
	const struct rec_delta *d = (const struct rec_delta *)rec;
	uint32_t i, n;
	int merge;

	if (!s)
		return 0;
	if (rec->type == REC_SNAPSHOT) {
		if (((const struct rec_snapshot *)rec)->kind == SNAP_FULL)
			on_full(s, (const struct rec_snapshot *)rec);
		return 0;
	}
	if (!s->anchored)
		return 0;
	if (d->h.prev_id != s->book_id) {
		v->breaks++;
		s->anchored = 0;
		return 0;
	}
	n = d->n_bids + d->n_asks;
	/* a refresh merge changes the book (later sizes before are measured
	 * against it) but is no market flow: it stays out of the window */
	merge = rec_delta_is_merge(d);
	for (i = 0; i < n; i++) {
		int side = i < d->n_bids ? BOOK_BID : BOOK_ASK;
		int64_t old = 0;
		int r;

		book_find(s->bk, side, d->lv[i].px, &old);
		r = book_apply(s->bk, side, d->lv[i].px, d->lv[i].qty);
		if (r == BOOK_EINVAL) {
			v->breaks++;
			s->anchored = 0;   /* as offline: an invalid level ends the epoch */
			return 0;
		}
		if (!merge)
			mlfl_level(&s->fl, side, old, r == BOOK_DROPPED ? old : d->lv[i].qty);
	}
	s->book_id = d->h.last_id;
	if ((d->h.flags & REC_F_HEARTBEAT) && n == 0)
		return 0;
	if (!merge)
		mlfl_end(&s->fl);
	mlfl_read(&s->fl, qty_exp, out);   /* after a merge: the window as it was */
	return 1;
}

void
mlv_gap(struct mlv *v)
{
	for (uint32_t i = 0; i < v->n; i++)
		v->in[i].anchored = 0;
}

uint64_t
mlv_breaks(const struct mlv *v)
{
	return v->breaks;
}
