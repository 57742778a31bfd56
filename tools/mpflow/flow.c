/* flow.c - delta flows over a sliding window and the trend call (flow.h). */
#include "flow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TAB_CAP 65536   /* prices per side remembered (power of two) */

int
flow_init(struct flow *f, int window, double threshold)
{
	memset(f, 0, sizeof *f);
	if (window < 1 || window > FLOW_MAX_WINDOW)
		return -1;
	f->window = window;
	f->threshold = threshold;
	f->cap = TAB_CAP;
	f->ring = calloc((size_t)window, sizeof *f->ring);
	f->tab[0] = calloc(f->cap, sizeof *f->tab[0]);
	f->tab[1] = calloc(f->cap, sizeof *f->tab[1]);
	if (!f->ring || !f->tab[0] || !f->tab[1]) {
		flow_free(f);
		return -1;
	}
	return 0;
}

void
flow_free(struct flow *f)
{
	free(f->ring);
	free(f->tab[0]);
	free(f->tab[1]);
	memset(f, 0, sizeof *f);
}

static uint64_t
hash(const char *s)
{
	uint64_t x = 1469598103934665603ULL;

	for (; *s; s++)
		x = (x ^ (unsigned char)*s) * 1099511628211ULL;
	return x;
}

/* The slot of px on a side (found or free). */
static struct flow_level *
slot(struct flow *f, int side, const char *px)
{
	size_t i = (size_t)hash(px) & (f->cap - 1);

	for (;;) {
		struct flow_level *l = &f->tab[side][i];
		if (!l->px[0] || !strcmp(l->px, px))
			return l;
		i = (i + 1) & (f->cap - 1);
	}
}

int
flow_update(struct flow *f, int side, const char *px, double qty)
{
	struct flow_level *l;
	double d;
	size_t n = strlen(px);

	if (side < 0 || side > 1 || !n || n >= FLOW_KEY || !isfinite(qty) || qty < 0)
		return -1;
	/* keep the table at most 3/4 full: clearing it forgets sizes (counted), never loops */
	if (f->used[side] >= f->cap / 4 * 3) {
		memset(f->tab[side], 0, f->cap * sizeof *f->tab[side]);
		f->used[side] = 0;
		f->resets++;
	}
	l = slot(f, side, px);
	if (!l->px[0]) {
		memcpy(l->px, px, n + 1);
		l->qty = 0;
		f->used[side]++;
	}
	d = qty - l->qty;
	l->qty = qty;
	if (side == 0) {
		f->cur.bid += d;
		f->cur.nb++;
	} else {
		f->cur.ask += d;
		f->cur.na++;
	}
	return 0;
}

void
flow_end_delta(struct flow *f, struct flow_out *o)
{
	uint64_t k, m;

	f->ring[f->n % (uint64_t)f->window] = f->cur;
	memset(&f->cur, 0, sizeof f->cur);
	f->n++;
	memset(o, 0, sizeof *o);
	/* summed afresh over the window (oldest first): no drift from add/subtract */
	m = f->n < (uint64_t)f->window ? f->n : (uint64_t)f->window;
	for (k = f->n - m; k < f->n; k++) {
		const struct flow_slot *s = &f->ring[k % (uint64_t)f->window];
		o->bid_flow += s->bid;
		o->ask_flow += s->ask;
		o->bid_updates += s->nb;
		o->ask_updates += s->na;
	}
	o->net_flow = o->bid_flow - o->ask_flow;
	o->flow_ratio = fabs(o->bid_flow) + fabs(o->ask_flow) > 0 ?
	    o->net_flow / (fabs(o->bid_flow) + fabs(o->ask_flow)) : 0;
	o->full = m == (uint64_t)f->window;
	if (o->full)
		o->prediction = o->flow_ratio > f->threshold ? "up" : o->flow_ratio < -f->threshold ? "down" : "flat";
}
