/* mlfeat.c - the requirement's book features (mlfeat.h).
 *
 * Notation: bid/ask mantissas p_i, q_i (i = 0 the best), n levels per side,
 * pd = 10^-px_exp, qd = 10^-qty_exp, M2 = pb_0 + pa_0 (twice the mid, exact),
 * S = sum q_i, S_k = sum of the best k (fewer if the side is shorter),
 * Q2 = sum q_i^2, N = sum p_i q_i, all exact integers.  (double) is a
 * correctly rounded conversion; each line of compute() is the definition.
 */
#include "mlfeat.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef __int128 i128;

enum {
	/* price distribution */
	F_BEST_BID, F_BEST_ASK, F_MID, F_SPREAD, F_SPREAD_BPS, F_BID_LEVELS, F_ASK_LEVELS,
	F_PRICE_RANGE, F_PRICE_RANGE_BPS, F_BID_PRICE_RANGE, F_ASK_PRICE_RANGE,
	/* volume profile */
	F_BID_VOL, F_ASK_VOL, F_VOL_IMB, F_BID_AVG, F_ASK_AVG, F_BID_HHI, F_ASK_HHI, F_BID_TOP10, F_ASK_TOP10,
	/* microstructure */
	F_MICRO, F_MICRO_BPS, F_IMB1, F_IMB5, F_IMB10, F_BID_VWAP10, F_ASK_VWAP10,
	/* liquidity */
	F_BID_D10, F_ASK_D10, F_BID_D50, F_ASK_D50, F_BID_D100, F_ASK_D100, F_BID_NOTIONAL, F_ASK_NOTIONAL,
	F_N
};

static const struct {
	unsigned group;
	const char *name, *help;
} cols[F_N] = {
	{MLF_G_PRICE, "best_bid", "pb_0 / pd"},
	{MLF_G_PRICE, "best_ask", "pa_0 / pd"},
	{MLF_G_PRICE, "mid", "M2 / pd * 0.5"},
	{MLF_G_PRICE, "spread", "(pa_0 - pb_0) / pd"},
	{MLF_G_PRICE, "spread_bps", "2e4 * (pa_0 - pb_0) / M2 (spread / mid in bps)"},
	{MLF_G_PRICE, "bid_levels", "number of bid levels (depth count)"},
	{MLF_G_PRICE, "ask_levels", "number of ask levels (depth count)"},
	{MLF_G_PRICE, "price_range", "(pa_last - pb_last) / pd: deepest ask - deepest bid"},
	{MLF_G_PRICE, "price_range_bps", "2e4 * (pa_last - pb_last) / M2"},
	{MLF_G_PRICE, "bid_price_range", "(pb_0 - pb_last) / pd"},
	{MLF_G_PRICE, "ask_price_range", "(pa_last - pa_0) / pd"},
	{MLF_G_VOLUME, "bid_volume", "S_bid / qd, base units"},
	{MLF_G_VOLUME, "ask_volume", "S_ask / qd, base units"},
	{MLF_G_VOLUME, "volume_imbalance", "(S_bid - S_ask) / (S_bid + S_ask)"},
	{MLF_G_VOLUME, "bid_avg_size", "S_bid / (n_bid * qd)"},
	{MLF_G_VOLUME, "ask_avg_size", "S_ask / (n_ask * qd)"},
	{MLF_G_VOLUME, "bid_concentration", "Q2_bid / (S_bid * S_bid): Herfindahl index of level sizes (1/n .. 1)"},
	{MLF_G_VOLUME, "ask_concentration", "Q2_ask / (S_ask * S_ask)"},
	{MLF_G_VOLUME, "bid_top10_share", "S10_bid / S_bid: share of the bid volume in the best 10 levels"},
	{MLF_G_VOLUME, "ask_top10_share", "S10_ask / S_ask"},
	{MLF_G_MICRO, "microprice", "(pb_0 qa_0 + pa_0 qb_0) / (qb_0 + qa_0) / pd (size-weighted mid)"},
	{MLF_G_MICRO, "microprice_offset_bps",
	    "1e4 * (2 (pb_0 qa_0 + pa_0 qb_0) - M2 (qb_0 + qa_0)) / ((qb_0 + qa_0) * M2): (microprice - mid) / mid"},
	{MLF_G_MICRO, "imbalance_l1", "(qb_0 - qa_0) / (qb_0 + qa_0)"},
	{MLF_G_MICRO, "imbalance_l5", "(S5_bid - S5_ask) / (S5_bid + S5_ask)"},
	{MLF_G_MICRO, "imbalance_l10", "(S10_bid - S10_ask) / (S10_bid + S10_ask)"},
	{MLF_G_MICRO, "bid_vwap10_bps",
	    "1e4 * (M2 S10_bid - 2 N10_bid) / (M2 * S10_bid): (mid - VWAP of the best 10 bids) / mid"},
	{MLF_G_MICRO, "ask_vwap10_bps", "1e4 * (2 N10_ask - M2 S10_ask) / (M2 * S10_ask)"},
	{MLF_G_LIQ, "bid_depth_10bps", "bid size at prices p with (M2 - 2p) * 1e4 <= 10 * M2, base units"},
	{MLF_G_LIQ, "ask_depth_10bps", "ask size at prices p with (2p - M2) * 1e4 <= 10 * M2, base units"},
	{MLF_G_LIQ, "bid_depth_50bps", "as bid_depth_10bps within 50 bps of mid"},
	{MLF_G_LIQ, "ask_depth_50bps", "as ask_depth_10bps within 50 bps of mid"},
	{MLF_G_LIQ, "bid_depth_100bps", "as bid_depth_10bps within 100 bps of mid"},
	{MLF_G_LIQ, "ask_depth_100bps", "as ask_depth_10bps within 100 bps of mid"},
	{MLF_G_LIQ, "bid_notional", "N_bid / (pd * qd): quote value of every bid level"},
	{MLF_G_LIQ, "ask_notional", "N_ask / (pd * qd)"},
};

_Static_assert(F_N == MLF_NMAX, "MLF_NMAX is the number of features");

static const struct {
	const char *name;
	unsigned bit;
} groups_tab[] = {
	{"price", MLF_G_PRICE}, {"volume", MLF_G_VOLUME}, {"micro", MLF_G_MICRO}, {"liquidity", MLF_G_LIQ},
	{"all", MLF_G_ALL}, {"heatmap", MLF_G_HEATMAP}, {"depth_image", MLF_G_DEPTHIMG},
	{"delta_flow", MLF_G_DFLOW}, {"market", MLF_G_MARKET},
};

int
mlf_parse_groups(const char *list, unsigned *out, char *why, size_t whylen)
{
	unsigned g = 0;
	const char *p = list;

	while (p && *p) {
		size_t n = strcspn(p, ","), k;
		const char *q = p;
		size_t m = n;

		while (m && (*q == ' ' || *q == '\t'))
			q++, m--;
		while (m && (q[m - 1] == ' ' || q[m - 1] == '\t'))
			m--;
		for (k = 0; k < sizeof groups_tab / sizeof groups_tab[0]; k++)
			if (strlen(groups_tab[k].name) == m && !strncmp(groups_tab[k].name, q, m))
				break;
		if (k == sizeof groups_tab / sizeof groups_tab[0]) {
			snprintf(why, whylen, "unknown feature group '%.*s' (price, volume, micro, liquidity, all, heatmap, "
			    "depth_image, delta_flow, market)",
			    (int)m, q);
			return -1;
		}
		g |= groups_tab[k].bit;
		p += n;
		if (*p == ',')
			p++;
	}
	if (!g) {
		snprintf(why, whylen, "no feature group named (price, volume, micro, liquidity, all, heatmap, depth_image, "
		    "delta_flow, market)");
		return -1;
	}
	*out = g;
	return 0;
}

/* Index into cols[] of the i-th feature of a set, or -1. */
static int
col_of(unsigned groups, int i)
{
	int j, k = 0;

	for (j = 0; j < F_N; j++)
		if (cols[j].group & groups) {
			if (k == i)
				return j;
			k++;
		}
	return -1;
}

int
mlf_count(unsigned groups)
{
	int j, k = 0;

	for (j = 0; j < F_N; j++)
		if (cols[j].group & groups)
			k++;
	return k;
}

const char *
mlf_name(unsigned groups, int i)
{
	int j = col_of(groups, i);

	return j < 0 ? "?" : cols[j].name;
}

const char *
mlf_help(unsigned groups, int i)
{
	int j = col_of(groups, i);

	return j < 0 ? "?" : cols[j].help;
}

const char *
mlf_group_name(unsigned groups, int i)
{
	int j = col_of(groups, i);

	for (size_t k = 0; j >= 0 && k < sizeof groups_tab / sizeof groups_tab[0]; k++)
		if (groups_tab[k].bit == cols[j].group)
			return groups_tab[k].name;
	return "?";
}

/* Exact sums over one side. */
struct side_sums {
	i128 s, s5, s10, q2, n, n10;
	i128 d10, d50, d100;      /* size within 10 / 50 / 100 bps of mid */
};

static void
side_scan(const struct rec_level *lv, uint32_t n, int bid, int64_t m2, struct side_sums *o)
{
	i128 M2 = m2;

	memset(o, 0, sizeof *o);
	for (uint32_t i = 0; i < n; i++) {
		i128 p = lv[i].px, q = lv[i].qty;
		/* distance from mid x 2, in mantissas: >= 0 unless crossed */
		i128 d2 = bid ? M2 - 2 * p : 2 * p - M2;

		o->s += q;
		o->q2 += q * q;
		o->n += p * q;
		if (i < 5)
			o->s5 += q;
		if (i < 10) {
			o->s10 += q;
			o->n10 += p * q;
		}
		/* within k bps of mid: d2 / M2 * 1e4 <= k, compared exactly */
		if (d2 * 10000 <= 100 * M2) {
			o->d100 += q;
			if (d2 * 10000 <= 50 * M2) {
				o->d50 += q;
				if (d2 * 10000 <= 10 * M2)
					o->d10 += q;
			}
		}
	}
}

static double
ratio(i128 a, i128 b)
{
	return b ? (double)a / (double)b : 0.0;
}

int
mlf_compute(unsigned groups, const struct mlf_book *b, double *out)
{
	double v[F_N], pd, qd;
	struct side_sums sb, sa;
	int64_t pb0, pa0, pbl, pal, qb0, qa0, m2;
	i128 nm, d;
	int j, k;

	if (!b->n_bids || !b->n_asks)
		return -1;
	pd = pow(10.0, -b->px_exp);     /* exact: 10^k is a double for k <= 22 */
	qd = pow(10.0, -b->qty_exp);
	pb0 = b->bids[0].px;
	pa0 = b->asks[0].px;
	pbl = b->bids[b->n_bids - 1].px;
	pal = b->asks[b->n_asks - 1].px;
	qb0 = b->bids[0].qty;
	qa0 = b->asks[0].qty;
	m2 = pb0 + pa0;
	side_scan(b->bids, b->n_bids, 1, m2, &sb);
	side_scan(b->asks, b->n_asks, 0, m2, &sa);
	if (sb.s <= 0 || sa.s <= 0 || m2 <= 0)
		return -1;   /* a record with no size or no positive price: nothing is defined */

	v[F_BEST_BID] = (double)pb0 / pd;
	v[F_BEST_ASK] = (double)pa0 / pd;
	v[F_MID] = (double)m2 / pd * 0.5;
	v[F_SPREAD] = (double)(pa0 - pb0) / pd;
	v[F_SPREAD_BPS] = 2e4 * (double)(pa0 - pb0) / (double)m2;
	v[F_BID_LEVELS] = (double)b->n_bids;
	v[F_ASK_LEVELS] = (double)b->n_asks;
	v[F_PRICE_RANGE] = (double)(pal - pbl) / pd;
	v[F_PRICE_RANGE_BPS] = 2e4 * (double)(pal - pbl) / (double)m2;
	v[F_BID_PRICE_RANGE] = (double)(pb0 - pbl) / pd;
	v[F_ASK_PRICE_RANGE] = (double)(pal - pa0) / pd;

	v[F_BID_VOL] = (double)sb.s / qd;
	v[F_ASK_VOL] = (double)sa.s / qd;
	v[F_VOL_IMB] = ratio(sb.s - sa.s, sb.s + sa.s);
	v[F_BID_AVG] = (double)sb.s / ((double)b->n_bids * qd);
	v[F_ASK_AVG] = (double)sa.s / ((double)b->n_asks * qd);
	v[F_BID_HHI] = (double)sb.q2 / ((double)sb.s * (double)sb.s);
	v[F_ASK_HHI] = (double)sa.q2 / ((double)sa.s * (double)sa.s);
	v[F_BID_TOP10] = ratio(sb.s10, sb.s);
	v[F_ASK_TOP10] = ratio(sa.s10, sa.s);

	nm = (i128)pb0 * qa0 + (i128)pa0 * qb0;
	d = (i128)qb0 + qa0;
	v[F_MICRO] = d ? (double)nm / (double)d / pd : v[F_MID];
	v[F_MICRO_BPS] = d ? 1e4 * (double)(2 * nm - (i128)m2 * d) / ((double)d * (double)m2) : 0.0;
	v[F_IMB1] = ratio((i128)qb0 - qa0, d);
	v[F_IMB5] = ratio(sb.s5 - sa.s5, sb.s5 + sa.s5);
	v[F_IMB10] = ratio(sb.s10 - sa.s10, sb.s10 + sa.s10);
	v[F_BID_VWAP10] = sb.s10 ? 1e4 * (double)((i128)m2 * sb.s10 - 2 * sb.n10) / ((double)m2 * (double)sb.s10) : 0.0;
	v[F_ASK_VWAP10] = sa.s10 ? 1e4 * (double)(2 * sa.n10 - (i128)m2 * sa.s10) / ((double)m2 * (double)sa.s10) : 0.0;

	v[F_BID_D10] = (double)sb.d10 / qd;
	v[F_ASK_D10] = (double)sa.d10 / qd;
	v[F_BID_D50] = (double)sb.d50 / qd;
	v[F_ASK_D50] = (double)sa.d50 / qd;
	v[F_BID_D100] = (double)sb.d100 / qd;
	v[F_ASK_D100] = (double)sa.d100 / qd;
	v[F_BID_NOTIONAL] = (double)sb.n / (pd * qd);
	v[F_ASK_NOTIONAL] = (double)sa.n / (pd * qd);

	for (j = 0, k = 0; j < F_N; j++)
		if (cols[j].group & groups)
			out[k++] = v[j];
	return 0;
}
