/* feat.c - DeepLOB rows, features and heatmaps from a book (feat.h). */
#include "feat.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Columns before and after the depth bands. */
static const char *const head[] = {
	"mid", "spread", "spread_bps", "microprice_bps", "imbalance_l1", "imbalance_top",
};
static const char *const head_help[] = {
	"(best bid + best ask) / 2, quote currency (exact value in mid.npy)",
	"best ask - best bid, quote currency",
	"spread / mid * 1e4",
	"size-weighted mid (bid px * ask size + ask px * bid size) / (bid size + ask size), bps from mid",
	"(best bid size - best ask size) / (sum)",
	"(bid size - ask size) / (sum) over the top `levels` levels per side",
};
static const char *const tail[] = {
	"bid_qty_total", "ask_qty_total", "bid_levels", "ask_levels", "bid_range_bps", "ask_range_bps",
	"bid_top_share", "ask_top_share",
	"flow_bid_add", "flow_bid_remove", "flow_ask_add", "flow_ask_remove", "flow_net", "flow_ratio",
	"ofi_l1", "n_updates", "n_level_changes", "trade_buy_qty", "trade_sell_qty", "n_trades",
};
static const char *const tail_help[] = {
	"size of every bid level held, base units",
	"size of every ask level held, base units",
	"bid levels held",
	"ask levels held",
	"distance of the deepest bid held, bps from mid",
	"distance of the deepest ask held, bps from mid",
	"share of the bid size held in the top `levels` levels",
	"share of the ask size held in the top `levels` levels",
	"bid size added by deltas since the previous sample (sum of increases)",
	"bid size removed by deltas since the previous sample (sum of decreases)",
	"ask size added since the previous sample",
	"ask size removed since the previous sample",
	"(bid added - bid removed) - (ask added - ask removed)",
	"flow_net / (|bid added - bid removed| + |ask added - ask removed|), 0 when both are 0",
	"order-flow imbalance at the best level (Cont, Kukanov, Stoikov 2014) summed over the updates since the previous sample",
	"book updates (deltas, heartbeats excluded) since the previous sample",
	"level changes in those updates",
	"taker-buy trade size since the previous sample",
	"taker-sell trade size since the previous sample",
	"trade records since the previous sample",
};
#define N_HEAD ((int)(sizeof head / sizeof head[0]))
#define N_TAIL ((int)(sizeof tail / sizeof tail[0]))

enum {
	T_BID_TOT, T_ASK_TOT, T_BID_LV, T_ASK_LV, T_BID_RANGE, T_ASK_RANGE, T_BID_SHARE, T_ASK_SHARE,
	T_FBA, T_FBR, T_FAA, T_FAR, T_FNET, T_FRATIO, T_OFI, T_NUPD, T_NCHG, T_BUY, T_SELL, T_NTR,
};

int
mpx_feat_ncols(const struct mpx_fcfg *c)
{
	return N_HEAD + 2 * c->n_bands + N_TAIL;
}

int
mpx_deeplob_ncols(const struct mpx_fcfg *c)
{
	return 4 * c->levels;
}

const char *
mpx_feat_name(const struct mpx_fcfg *c, int i, char *buf, size_t cap)
{
	if (i < N_HEAD)
		snprintf(buf, cap, "%s", head[i]);
	else if (i < N_HEAD + 2 * c->n_bands) {
		int j = i - N_HEAD;
		snprintf(buf, cap, "%s_depth_%gbps", j < c->n_bands ? "bid" : "ask", c->bands[j % c->n_bands]);
	} else
		snprintf(buf, cap, "%s", tail[i - N_HEAD - 2 * c->n_bands]);
	return buf;
}

const char *
mpx_feat_help(const struct mpx_fcfg *c, int i, char *buf, size_t cap)
{
	if (i < N_HEAD)
		snprintf(buf, cap, "%s", head_help[i]);
	else if (i < N_HEAD + 2 * c->n_bands) {
		int j = i - N_HEAD;
		snprintf(buf, cap, "%s size within %g bps of mid (inclusive), base units; NaN if the known "
		    "book does not reach that far", j < c->n_bands ? "bid" : "ask", c->bands[j % c->n_bands]);
	} else
		snprintf(buf, cap, "%s", tail_help[i - N_HEAD - 2 * c->n_bands]);
	return buf;
}

/*
 * One pass over a side from the best level outwards.  This is the hot loop of
 * an export (every level of both sides, every sample), so it multiplies by
 * inverses computed once per sample instead of dividing per level; the
 * formulas are part of the output contract (test/mpexport/ref.py repeats
 * them) because a level exactly on a band or bin edge must land on the same
 * side in any implementation:
 *   p = px * (1 / px_div), q = qty * (1 / qty_div), d = +-(mid - p) * (1e4 / mid),
 *   bin = (long)(d * (1 / bin_bps)) for d >= 0, else 0.
 */
static void
scan_side(const struct mpx_fcfg *c, const struct book *b, int side, int64_t bound, double mid,
    double *feat, double *heat, double *top_sum)
{
	uint32_t n = book_count(b, side), i;
	double tot = 0, top = 0, d = 0, dbound;
	double band[MPX_MAX_BANDS] = { 0 };
	double pm = 1.0 / c->px_div, qm = 1.0 / c->qty_div, inv = 1e4 / mid, iw = 1.0 / c->bin_bps;
	double sgn = side == BOOK_BID ? 1 : -1;
	int j, nb = c->n_bands, lv = c->levels;
	const double *bands = c->bands;
	struct book_iter it;

	book_iter_begin(b, side, &it);
	for (i = 0; i < n; i++) {
		const struct rec_level *l = book_iter_next(&it, NULL);
		double p = (double)l->px * pm, q = (double)l->qty * qm;

		d = sgn * (mid - p) * inv;
		tot += q;
		if ((int)i < lv)
			top += q;
		for (j = nb - 1; j >= 0 && d <= bands[j]; j--)
			band[j] += q;
		if (heat) {
			double x = d * iw;
			if (d < 0)
				heat[side] += q;
			else if (x < c->bins)
				heat[(long)x * 2 + side] += q;
		}
	}
	if (!bound && n)
		bound = book_level(b, side, n - 1)->px;   /* the worst level */
	dbound = sgn * (mid - (double)bound * pm) * inv;
	if (heat) {
		for (j = 0; j < c->bins; j++)
			if (dbound < (j + 1) * c->bin_bps)
				heat[j * 2 + side] = NAN;
	}
	if (feat) {
		double *fb = feat + N_HEAD + (side == BOOK_BID ? 0 : c->n_bands);
		double *ft = feat + N_HEAD + 2 * c->n_bands;
		for (j = 0; j < c->n_bands; j++)
			fb[j] = dbound >= bands[j] ? band[j] : NAN;
		ft[side == BOOK_BID ? T_BID_TOT : T_ASK_TOT] = tot;
		ft[side == BOOK_BID ? T_BID_LV : T_ASK_LV] = n;
		ft[side == BOOK_BID ? T_BID_RANGE : T_ASK_RANGE] = d;
		ft[side == BOOK_BID ? T_BID_SHARE : T_ASK_SHARE] = tot > 0 ? top / tot : 0;
	}
	*top_sum = top;
}

int
mpx_sample(const struct mpx_fcfg *c, const struct book *b, const struct mpx_known *k,
    const struct mpx_flow *fl, double *midp, double *deeplob, double *feat, double *heat)
{
	const struct rec_level *bb = book_level(b, BOOK_BID, 0), *ba = book_level(b, BOOK_ASK, 0);
	double mid, bp, ap, bq, aq, topb = 0, topa = 0;
	int i;

	if (!bb || !ba)
		return -1;
	mid = (double)(bb->px + ba->px) / c->px_div * 0.5;
	bp = (double)bb->px / c->px_div;
	ap = (double)ba->px / c->px_div;
	bq = (double)bb->qty / c->qty_div;
	aq = (double)ba->qty / c->qty_div;
	*midp = mid;
	if (deeplob) {
		for (i = 0; i < c->levels; i++) {
			const struct rec_level *a = book_level(b, BOOK_ASK, (uint32_t)i);
			const struct rec_level *v = book_level(b, BOOK_BID, (uint32_t)i);
			double *r = deeplob + 4 * i;
			if (a) {
				double p = (double)a->px / c->px_div;
				r[0] = c->prices_abs ? p : (p - mid) / mid * 1e4;
				r[1] = (double)a->qty / c->qty_div;
			} else {
				r[0] = NAN;
				r[1] = 0;
			}
			if (v) {
				double p = (double)v->px / c->px_div;
				r[2] = c->prices_abs ? p : (p - mid) / mid * 1e4;
				r[3] = (double)v->qty / c->qty_div;
			} else {
				r[2] = NAN;
				r[3] = 0;
			}
		}
	}
	if (heat)
		memset(heat, 0, (size_t)c->bins * 2 * sizeof *heat);
	if (feat || heat) {
		scan_side(c, b, BOOK_BID, k->bid_floor, mid, feat, heat, &topb);
		scan_side(c, b, BOOK_ASK, k->ask_ceil, mid, feat, heat, &topa);
	}
	if (feat) {
		double *ft = feat + N_HEAD + 2 * c->n_bands;
		double bn = fl->bid_add - fl->bid_rem, an = fl->ask_add - fl->ask_rem;
		double den = fabs(bn) + fabs(an);
		feat[0] = mid;
		feat[1] = (double)(ba->px - bb->px) / c->px_div;
		feat[2] = feat[1] / mid * 1e4;
		feat[3] = ((bp * aq + ap * bq) / (bq + aq) - mid) / mid * 1e4;
		feat[4] = (bq - aq) / (bq + aq);
		feat[5] = topb + topa > 0 ? (topb - topa) / (topb + topa) : 0;
		ft[T_FBA] = fl->bid_add;
		ft[T_FBR] = fl->bid_rem;
		ft[T_FAA] = fl->ask_add;
		ft[T_FAR] = fl->ask_rem;
		ft[T_FNET] = bn - an;
		ft[T_FRATIO] = den > 0 ? (bn - an) / den : 0;
		ft[T_OFI] = fl->ofi;
		ft[T_NUPD] = (double)fl->n_updates;
		ft[T_NCHG] = (double)fl->n_changes;
		ft[T_BUY] = fl->buy_qty;
		ft[T_SELL] = fl->sell_qty;
		ft[T_NTR] = (double)fl->n_trades;
	}
	return 0;
}

void
mpx_flow_level(struct mpx_flow *fl, const struct mpx_fcfg *c, int side, int64_t old_qty, int64_t new_qty)
{
	double d = (double)(new_qty - old_qty) / c->qty_div;

	if (side == BOOK_BID) {
		if (d > 0)
			fl->bid_add += d;
		else
			fl->bid_rem -= d;
	} else {
		if (d > 0)
			fl->ask_add += d;
		else
			fl->ask_rem -= d;
	}
	fl->n_changes++;
}

/* before/after: bid px, bid qty, ask px, ask qty (mantissas; px 0 = side empty). */
void
mpx_flow_ofi(struct mpx_flow *fl, const struct mpx_fcfg *c, const int64_t before[4], const int64_t after[4])
{
	double e = 0;

	if (!before[0] || !after[0] || !before[2] || !after[2])
		return;
	if (after[0] >= before[0])
		e += (double)after[1] / c->qty_div;
	if (after[0] <= before[0])
		e -= (double)before[1] / c->qty_div;
	if (after[2] <= before[2])
		e -= (double)after[3] / c->qty_div;
	if (after[2] >= before[2])
		e += (double)before[3] / c->qty_div;
	fl->ofi += e;
}
