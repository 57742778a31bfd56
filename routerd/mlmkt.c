/* mlmkt.c - market-data features from tickers, klines and derivatives records (mlmkt.h). */
#include "mlmkt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name, *help;
} cols[MLM_OWN] = {
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
	/* derivatives (REC_MARKET) */
	{"mk_funding_rate", "the funding rate of the next settlement, a fraction (0.0001 = 1 bp)"},
	{"mk_mark_px", "mark price"},
	{"mk_index_px", "index price (the venue's spot index of the base/quote)"},
	{"mk_basis_bps", "1e4 * (mark - index) / index"},
	{"mk_mid_basis_bps", "1e4 * (ticker BBO mid - index) / index: the contract's own mid against the spot index"},
	{"mk_open_interest", "open interest in contracts"},
	{"mk_oi_change", "open interest of the last update minus the one before (contracts)"},
};

static int fold_ticker(struct mlm *m, const struct rec_hdr *h);
static int fold_kline(struct mlm *m, const struct rec_hdr *h);
static int fold_market(struct mlm *m, const struct rec_hdr *h);

/* The sources: record type -> fold function. */
static const struct {
	uint16_t type;
	size_t size;
	int (*fold)(struct mlm *, const struct rec_hdr *);
} sources[] = {
	{REC_TICKER, sizeof(struct rec_ticker), fold_ticker},
	{REC_KLINE, sizeof(struct rec_kline), fold_kline},
	{REC_MARKET, sizeof(struct rec_market), fold_market},
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

/* Funding, mark/index and open interest: the last value of each field the
 * venue gave (a mark-only update keeps the last index, as OKX sends them on
 * separate channels); liquidations are not a feature here. */
static int
fold_market(struct mlm *m, const struct rec_hdr *h)
{
	const struct rec_market *r = (const struct rec_market *)h;

	switch (r->h.aux) {
	case MK_FUNDING:
		m->mk_funding = r->funding_rate;
		m->mk_have |= MLM_MK_FUNDING;
		return 1;
	case MK_MARK:
		if (r->mark_px != MKT_NONE)
			m->mk_mark = r->mark_px, m->mk_have |= MLM_MK_MARK;
		if (r->index_px != MKT_NONE)
			m->mk_index = r->index_px, m->mk_have |= MLM_MK_INDEX;
		return 1;
	case MK_OPEN_INTEREST:
		if (r->oi_contracts == MKT_NONE)
			return 0;
		m->mk_prev_oi = m->mk_oi;
		if (m->mk_have & MLM_MK_OI)
			m->mk_have |= MLM_MK_PREV_OI;
		m->mk_oi = r->oi_contracts;
		m->mk_have |= MLM_MK_OI;
		return 1;
	}
	return 0;
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
	{
		int idx = (m->mk_have & MLM_MK_INDEX) && m->mk_index > 0, mk = (m->mk_have & MLM_MK_MARK) != 0;

		out[12] = (m->mk_have & MLM_MK_FUNDING) ? (double)m->mk_funding / 1e18 : NAN;   /* MKT_RATE_EXP */
		out[13] = mk ? (double)m->mk_mark / pd : NAN;
		out[14] = idx ? (double)m->mk_index / pd : NAN;
		out[15] = mk && idx ? 1e4 * (double)(m->mk_mark - m->mk_index) / (double)m->mk_index : NAN;
		out[16] = bbo && idx ? 1e4 * (double)((__int128)t->bid_px + t->ask_px - 2 * (__int128)m->mk_index) /
		    (double)(2 * (__int128)m->mk_index) : NAN;
		out[17] = (m->mk_have & MLM_MK_OI) ? (double)m->mk_oi / qd : NAN;
		out[18] = (m->mk_have & MLM_MK_PREV_OI) ? (double)(m->mk_oi - m->mk_prev_oi) / qd : NAN;
	}
	for (int i = MLM_OWN; i < MLM_N; i++)
		out[i] = NAN;
}

void
mlm_basis(const struct mlm *m, struct mlb *b, const struct rec_hdr *rec, double *out)
{
	mlb_read(b, rec->inst, rec, (m->mk_have & MLM_MK_MARK) != 0, m->mk_mark, m->px_exp, out + MLM_OWN);
}

const char *
mlm_name(int i)
{
	return i >= 0 && i < MLM_OWN ? cols[i].name : mlb_name(i - MLM_OWN);
}

const char *
mlm_help(int i)
{
	return i >= 0 && i < MLM_OWN ? cols[i].help : mlb_help(i - MLM_OWN);
}

int
mlm_is_source(uint16_t type)
{
	for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++)
		if (sources[i].type == type)
			return 1;
	return 0;
}

int
mlm_record(struct mlm *m, const struct rec_hdr *rec, double *out)
{
	int rc = mlm_update(m, rec);

	mlm_read(m, out);
	return rc;
}

struct mlm_set {
	uint32_t max_inst;
	struct mlm *v;        /* [max_inst + 1], index = instrument id */
	unsigned char *init;  /* v[i] initialised */
	struct mlb *b;        /* basis against spot books (NULL = off) */
};

struct mlm_set *
mlm_set_new(uint32_t max_inst)
{
	struct mlm_set *s = max_inst ? calloc(1, sizeof *s) : NULL;

	if (!s)
		return NULL;
	s->max_inst = max_inst;
	s->v = calloc((size_t)max_inst + 1, sizeof *s->v);
	s->init = calloc((size_t)max_inst + 1, 1);
	if (!s->v || !s->init) {
		mlm_set_free(s);
		return NULL;
	}
	return s;
}

void
mlm_set_free(struct mlm_set *s)
{
	if (!s)
		return;
	free(s->v);
	free(s->init);
	mlb_free(s->b);
	free(s);
}

int
mlm_set_record(struct mlm_set *s, const struct rec_hdr *rec, int px_exp, int qty_exp, double *out)
{
	uint32_t id = rec->inst;

	if (!id || id > s->max_inst)
		return 0;
	if (s->b && mlb_fold(s->b, id, rec, px_exp))
		return 0;   /* a book record: no message of MARKET_DATA */
	if (!mlm_is_source(rec->type))
		return 0;
	if (!s->init[id]) {
		mlm_init(&s->v[id], px_exp, qty_exp);
		s->init[id] = 1;
	}
	mlm_record(&s->v[id], rec, out);
	if (s->b)
		mlm_basis(&s->v[id], s->b, rec, out);
	return 1;
}

void
mlm_set_basis(struct mlm_set *s, struct mlb *b)
{
	mlb_free(s->b);
	s->b = b;
}

uint64_t
mlm_set_basis_late(const struct mlm_set *s)
{
	return s->b ? mlb_late(s->b) : 0;
}

void
mlm_set_gap(struct mlm_set *s)
{
	if (s->b)
		mlb_gap(s->b);
}

uint64_t
mlm_set_ignored(const struct mlm_set *s)
{
	uint64_t n = 0;

	for (uint32_t i = 1; i <= s->max_inst; i++)
		n += s->v[i].ignored;
	return n;
}
