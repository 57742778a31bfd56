/* mlmkt.c - market-data features from tickers and klines (mlmkt.h). */
#include "mlmkt.h"

#include <math.h>
#include <string.h>

static const struct {
	const char *name, *help;
} cols[MLM_N] = {
	{"tk_last", "last trade price (ticker)"},
	{"tk_bbo_mid", "(bid + ask) / 2 of the ticker's best bid/offer"},
	{"tk_bbo_spread_bps", "2e4 * (ask - bid) / (ask + bid)"},
	{"tk_change_24h_bps", "1e4 * (last - open_24h) / open_24h"},
	{"tk_range_24h_bps", "1e4 * (high_24h - low_24h) / last"},
	{"tk_volume_24h", "24 h base volume"},
	{"tk_quote_volume_24h", "24 h quote volume"},
	{"kl_return_bps", "1e4 * (close - open) / open of the last closed candle"},
	{"kl_range_bps", "1e4 * (high - low) / open"},
	{"kl_volume", "base volume of the candle"},
	{"kl_vwap", "quote volume / base volume of the candle (price units)"},
	{"kl_trades", "trades in the candle (NaN if the venue does not say)"},
};

static int fold_ticker(struct mlm *m, const struct rec_hdr *h);
static int fold_kline(struct mlm *m, const struct rec_hdr *h);

/* The sources.  The derivatives records (funding, open interest, basis)
 * become rows here, with their columns appended to cols[]. */
static const struct {
	uint16_t type;
	size_t size;
	int (*fold)(struct mlm *, const struct rec_hdr *);
} sources[] = {
	{REC_TICKER, sizeof(struct rec_ticker), fold_ticker},
	{REC_KLINE, sizeof(struct rec_kline), fold_kline},
};

void
mlm_init(struct mlm *m, int px_exp, int qty_exp)
{
	memset(m, 0, sizeof *m);
	m->px_exp = px_exp;
	m->qty_exp = qty_exp;
}

static int
fold_ticker(struct mlm *m, const struct rec_hdr *h)
{
	const struct rec_ticker *t = (const struct rec_ticker *)h;

	if (t->have & TICK_BBO) {
		m->tk.bid_px = t->bid_px, m->tk.bid_qty = t->bid_qty;
		m->tk.ask_px = t->ask_px, m->tk.ask_qty = t->ask_qty;
	}
	if (t->have & TICK_LAST)
		m->tk.last_px = t->last_px, m->tk.last_qty = t->last_qty;
	if (t->have & TICK_24H) {
		m->tk.open_24h = t->open_24h, m->tk.high_24h = t->high_24h, m->tk.low_24h = t->low_24h;
		m->tk.vol_24h = t->vol_24h, m->tk.volq_24h = t->volq_24h;
	}
	m->tk_have |= t->have & (TICK_BBO | TICK_LAST | TICK_24H);
	return (t->have & (TICK_BBO | TICK_LAST | TICK_24H)) ? 1 : 0;
}

static int
fold_kline(struct mlm *m, const struct rec_hdr *h)
{
	const struct rec_kline *k = (const struct rec_kline *)h;

	if (!k->closed)
		return 0;   /* an open candle changes until it closes: only final ones are features */
	m->kl = *k;
	m->kl_have = 1;
	return 1;
}

int
mlm_update(struct mlm *m, const struct rec_hdr *rec)
{
	for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++) {
		if (sources[i].type != rec->type)
			continue;
		if (rec->len < sources[i].size) {
			m->ignored++;
			return -1;
		}
		return sources[i].fold(m, rec);
	}
	return 0;
}

void
mlm_read(const struct mlm *m, double *out)
{
	double pd = pow(10.0, -m->px_exp), qd = pow(10.0, -m->qty_exp);
	const struct rec_ticker *t = &m->tk;
	const struct rec_kline *k = &m->kl;
	int bbo = (m->tk_have & TICK_BBO) && t->bid_px + t->ask_px > 0;
	int last = (m->tk_have & TICK_LAST) && t->last_px > 0;
	int h24 = (m->tk_have & TICK_24H) != 0;
	int kl = m->kl_have && k->o > 0;

	out[0] = last ? (double)t->last_px / pd : NAN;
	out[1] = bbo ? (double)((__int128)t->bid_px + t->ask_px) / pd * 0.5 : NAN;
	out[2] = bbo ? 2e4 * (double)(t->ask_px - t->bid_px) / (double)((__int128)t->ask_px + t->bid_px) : NAN;
	out[3] = last && h24 && t->open_24h > 0 ? 1e4 * (double)(t->last_px - t->open_24h) / (double)t->open_24h : NAN;
	out[4] = last && h24 ? 1e4 * (double)(t->high_24h - t->low_24h) / (double)t->last_px : NAN;
	out[5] = h24 ? (double)t->vol_24h / qd : NAN;
	out[6] = h24 ? (double)t->volq_24h / pd : NAN;
	out[7] = kl ? 1e4 * (double)(k->c - k->o) / (double)k->o : NAN;
	out[8] = kl ? 1e4 * (double)(k->hi - k->lo) / (double)k->o : NAN;
	out[9] = m->kl_have ? (double)k->vol / qd : NAN;
	out[10] = m->kl_have && k->vol > 0 ? (double)k->volq / (double)k->vol * (qd / pd) : NAN;
	out[11] = m->kl_have && k->n_trades >= 0 ? (double)k->n_trades : NAN;
}

const char *
mlm_name(int i)
{
	return i >= 0 && i < MLM_N ? cols[i].name : "?";
}

const char *
mlm_help(int i)
{
	return i >= 0 && i < MLM_N ? cols[i].help : "?";
}
