/*
 * snap_join.c - a venue snapshot larger than one record arrives as nchunks
 * records (rec.h: chunk 0..nchunks-1, the same ids, each with its share of
 * the bids then its share of the asks).  bk_input hands every chunk here;
 * the last one yields one joined record (nchunks = 1, all bids then all
 * asks), so every venue's snapshot handling sees whole books.  A chunk out
 * of order or of another snapshot than the one being joined drops the
 * partial one (counted snap_bad, logged); a chunk 0 starts over.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sync.h"

static int
grow(struct bk_join *j, size_t nb, size_t na)
{
	size_t need = sizeof(struct rec_snapshot) + (nb + na) * sizeof(struct rec_level);

	if (need <= j->cap)
		return 0;
	size_t cap = j->cap ? j->cap : 65536;
	while (cap < need)
		cap *= 2;
	void *p = realloc(j->s, cap);
	if (!p)
		return -1;
	j->s = p;
	j->cap = cap;
	return 0;
}

static int
same_snapshot(const struct rec_snapshot *a, const struct rec_snapshot *b)
{
	return a->h.last_id == b->h.last_id && a->h.first_id == b->h.first_id && a->kind == b->kind &&
	    a->req_id == b->req_id && a->nchunks == b->nchunks;
}

const struct rec_snapshot *
bk_join_chunk(struct bk *k, const struct rec_snapshot *s)
{
	struct bk_join *j = &k->join;
	struct rec_snapshot *o;

	if (s->chunk == 0)
		j->next = 0;
	if (s->chunk != j->next || (s->chunk && !same_snapshot(j->s, s))) {
		k->st.snap_bad++;
		log_warn("snapshot chunk out of order: partial snapshot dropped", "symbol=%s chunk=%u/%u expected=%u",
		    k->in->symbol, s->chunk, s->nchunks, j->next);
		j->next = 0;
		return NULL;
	}
	if (s->chunk == 0) {
		if (grow(j, s->n_bids, s->n_asks) < 0)
			goto oom;
		memcpy(j->s, s, sizeof *s);
		j->s->n_bids = j->s->n_asks = 0;
		j->na = 0;
	}
	/* bids go straight after the header; asks wait in their own array */
	if (grow(j, j->s->n_bids + s->n_bids, 0) < 0)
		goto oom;
	if (j->na + s->n_asks > j->acap) {
		size_t cap = j->acap ? j->acap : 4096;
		while (cap < j->na + s->n_asks)
			cap *= 2;
		struct rec_level *a = realloc(j->asks, cap * sizeof *a);
		if (!a)
			goto oom;
		j->asks = a;
		j->acap = cap;
	}
	memcpy(j->s->lv + j->s->n_bids, s->lv, s->n_bids * sizeof *s->lv);
	j->s->n_bids += s->n_bids;
	memcpy(j->asks + j->na, s->lv + s->n_bids, s->n_asks * sizeof *s->lv);
	j->na += s->n_asks;
	if (++j->next < s->nchunks)
		return NULL;
	j->next = 0;
	if (grow(j, j->s->n_bids, j->na) < 0)
		goto oom;
	o = j->s;
	memcpy(o->lv + o->n_bids, j->asks, j->na * sizeof *j->asks);
	o->n_asks = (uint32_t)j->na;
	o->chunk = 0;
	o->nchunks = 1;
	o->h.len = (uint32_t)(sizeof *o + (o->n_bids + o->n_asks) * sizeof *o->lv);
	return o;
oom:
	k->st.snap_bad++;
	log_error("out of memory joining a chunked snapshot", "symbol=%s", k->in->symbol);
	j->next = 0;
	return NULL;
}

void
bk_join_free(struct bk *k)
{
	free(k->join.s);
	free(k->join.asks);
	memset(&k->join, 0, sizeof k->join);
}
