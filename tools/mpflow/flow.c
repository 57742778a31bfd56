/* flow.c - delta flows over a sliding window and the trend call (flow.h). */
#include "flow.h"

#include <stdlib.h>
#include <string.h>

#include "fx.h"

#define TAB_CAP 65536   /* prices per side remembered (power of two) */

int
flow_init(struct flow *f, int window, double threshold, int px_exp, int qty_exp)
{
	memset(f, 0, sizeof *f);
	if (px_exp < -18 || px_exp > 0 || qty_exp < -18 || qty_exp > 0 || mlfl_init(&f->win, window) < 0)
		return -1;
	f->threshold = threshold;
	f->px_exp = px_exp, f->qty_exp = qty_exp;
	f->cap = TAB_CAP;
	f->tab[0] = calloc(f->cap, sizeof *f->tab[0]);
	f->tab[1] = calloc(f->cap, sizeof *f->tab[1]);
	if (!f->tab[0] || !f->tab[1]) {
		flow_free(f);
		return -1;
	}
	return 0;
}

void
flow_free(struct flow *f)
{
	mlfl_free(&f->win);
	free(f->tab[0]);
	free(f->tab[1]);
	memset(f, 0, sizeof *f);
}

/* The slot of px on a side (found or free). */
static struct flow_level *
slot(struct flow *f, int side, int64_t px)
{
	size_t i = (size_t)(((uint64_t)px * 0x9e3779b97f4a7c15ULL) >> 40) & (f->cap - 1);

	for (;;) {
		struct flow_level *l = &f->tab[side][i];
		if (!l->px || l->px == px)
			return l;
		i = (i + 1) & (f->cap - 1);
	}
}

/* Parse one level and set its size; *old gets the size seen before (0 if none). 0, or -1. */
static int
level(struct flow *f, int side, const char *pxs, const char *qtys, int64_t *old, int64_t *qty)
{
	struct flow_level *l;
	int64_t px;

	if (side < 0 || side > 1 || !pxs || !qtys || fx_parse(pxs, strlen(pxs), f->px_exp, &px) != FX_OK ||
	    px <= 0 || fx_parse(qtys, strlen(qtys), f->qty_exp, qty) != FX_OK)
		return -1;
	/* keep the table at most 3/4 full: clearing it forgets sizes (counted), never loops */
	if (f->used[side] >= f->cap / 4 * 3) {
		memset(f->tab[side], 0, f->cap * sizeof *f->tab[side]);
		f->used[side] = 0;
		f->resets++;
	}
	l = slot(f, side, px);
	if (!l->px) {
		l->px = px;
		l->qty = 0;
		f->used[side]++;
	}
	*old = l->qty;
	l->qty = *qty;
	return 0;
}

int
flow_update(struct flow *f, int side, const char *px, const char *qty)
{
	int64_t old, q;

	if (level(f, side, px, qty, &old, &q) < 0)
		return -1;
	mlfl_level(&f->win, side, old, q);
	return 0;
}

int
flow_merge(struct flow *f, int side, const char *px, const char *qty)
{
	int64_t old, q;

	return level(f, side, px, qty, &old, &q);
}

void
flow_end_delta(struct flow *f, struct flow_out *o)
{
	double v[MLFL_N];

	mlfl_end(&f->win);
	mlfl_read(&f->win, f->qty_exp, v);
	memset(o, 0, sizeof *o);
	o->bid_flow = v[0], o->ask_flow = v[1], o->net_flow = v[2], o->flow_ratio = v[3];
	o->bid_updates = (uint64_t)v[4], o->ask_updates = (uint64_t)v[5], o->window_deltas = (uint64_t)v[6];
	o->full = o->window_deltas == (uint64_t)f->win.window;
	if (o->full)
		o->prediction = o->flow_ratio > f->threshold ? "up" : o->flow_ratio < -f->threshold ? "down" : "flat";
}
