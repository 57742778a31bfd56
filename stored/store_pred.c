/*
 * store_pred.c - the predicted book of a column block (store_pred.h).
 *
 * Deltas are appended as they come (no per-level book update: a 5000-level
 * side would cost a memmove per level); a prediction sorts the pending
 * levels once and merges them with the model, O((n + d) log d).
 */
#include "store_pred.h"

#include <stdlib.h>
#include <string.h>

static int
buf_need(struct pred_buf *b, uint32_t n, size_t esz)
{
	void *np;
	uint32_t nc;

	if (n <= b->cap)
		return 0;
	nc = b->cap ? b->cap : 256;
	while (nc < n) {
		if (nc > UINT32_MAX / 2)
			return -1;
		nc *= 2;
	}
	np = realloc(b->p, (size_t)nc * esz);
	if (!np)
		return -1;
	b->p = np;
	b->cap = nc;
	return 0;
}

void
store_pred_init(struct store_pred *p)
{
	memset(p, 0, sizeof *p);
}

void
store_pred_free(struct store_pred *p)
{
	for (int s = 0; s < 2; s++) {
		free(p->snap[s].p);
		free(p->pend[s].p);
	}
	free(p->out.p);
	free(p->tmp.p);
	memset(p, 0, sizeof *p);
}

int
store_pred_delta(struct store_pred *p, int side, const struct rec_level *lv, uint32_t n)
{
	struct pred_buf *b = &p->pend[side];
	struct pred_lv *d;

	if (!n)
		return 0;
	if (n > UINT32_MAX - b->n || buf_need(b, b->n + n, sizeof *d) < 0)
		return -1;
	d = (struct pred_lv *)b->p + b->n;
	for (uint32_t i = 0; i < n; i++) {
		d[i].px = lv[i].px;
		d[i].qty = lv[i].qty;
		d[i].seq = p->seq++;
	}
	b->n += n;
	return 0;
}

/* a before b in side order (bids: higher first). */
static int
before(int side, int64_t a, int64_t b)
{
	return side ? a < b : a > b;
}

static int
cmp_bid(const void *x, const void *y)
{
	const struct pred_lv *a = x, *b = y;

	if (a->px != b->px)
		return a->px > b->px ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
cmp_ask(const void *x, const void *y)
{
	const struct pred_lv *a = x, *b = y;

	if (a->px != b->px)
		return a->px < b->px ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int
store_pred_side(struct store_pred *p, int side, const struct rec_level **lv, uint32_t *n)
{
	struct pred_buf *sb = &p->snap[side], *pb = &p->pend[side];
	const struct rec_level *s = sb->p;
	struct pred_lv *d = pb->p;
	struct rec_level *o;
	uint32_t i = 0, j = 0, k = 0;

	if (buf_need(&p->out, sb->n + pb->n + 1, sizeof *o) < 0)
		return -1;
	o = p->out.p;
	if (pb->n)
		qsort(d, pb->n, sizeof *d, side ? cmp_ask : cmp_bid);
	while (i < sb->n || j < pb->n) {
		if (j < pb->n && (i >= sb->n || !before(side, s[i].px, d[j].px))) {
			/* the last pending change of this price decides; it replaces the model's */
			int64_t px = d[j].px, q;
			while (j + 1 < pb->n && d[j + 1].px == px)
				j++;
			q = d[j++].qty;
			while (i < sb->n && s[i].px == px)
				i++;
			if (q) {
				o[k].px = px;
				o[k++].qty = q;
			}
		} else {
			o[k++] = s[i++];
		}
	}
	/* sorted once, the pending levels merge the same way again: keep them
	 * in order so a second call gives the same result */
	for (uint32_t m = 0; m < pb->n; m++)
		d[m].seq = m;
	*lv = o;
	*n = k;
	return 0;
}

int
store_pred_snapshot(struct store_pred *p, int side, const struct rec_level *lv, uint32_t n)
{
	const struct rec_level *pr;
	struct rec_level *t;
	uint32_t np, k = 0, i = 0;
	struct pred_buf x;

	if (store_pred_side(p, side, &pr, &np) < 0)
		return -1;
	if (n > UINT32_MAX - np || buf_need(&p->tmp, n + np, sizeof *t) < 0)
		return -1;
	t = p->tmp.p;
	if (n) {
		memcpy(t, lv, (size_t)n * sizeof *t);
		k = n;
		while (i < np && !before(side, lv[n - 1].px, pr[i].px))
			i++;
	}
	for (; i < np; i++)
		t[k++] = pr[i];
	x = p->snap[side];
	p->snap[side] = p->tmp;
	p->snap[side].n = k;
	p->tmp = x;
	p->pend[side].n = 0;
	return 0;
}
