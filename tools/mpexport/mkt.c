/* mkt.c - market-data features (funding, basis, open-interest change); see mkt.h. */
#include "mkt.h"

#include <math.h>

void
mpx_mkt_init(struct mpx_mkt *m, double px_div, double qty_div)
{
	m->px_div = px_div > 0 ? px_div : 1e8;
	m->qty_div = qty_div > 0 ? qty_div : 1e8;
	m->funding = m->mark = m->index = m->oi = m->prev_oi = NAN;
}

void
mpx_mkt_on(struct mpx_mkt *m, const struct rec_market *r)
{
	switch (r->h.aux) {
	case MK_FUNDING:
		m->funding = (double)r->funding_rate * 1e-18;   /* MKT_RATE_EXP */
		break;
	case MK_MARK:
		if (r->mark_px != MKT_NONE)
			m->mark = (double)r->mark_px / m->px_div;
		if (r->index_px != MKT_NONE)
			m->index = (double)r->index_px / m->px_div;
		break;
	case MK_OPEN_INTEREST:
		if (r->oi_contracts != MKT_NONE)
			m->oi = (double)r->oi_contracts / m->qty_div;
		break;
	}
}

void
mpx_mkt_row(struct mpx_mkt *m, double mid, double out[MPX_MKT_COLS])
{
	out[0] = m->funding;
	out[1] = m->mark;
	out[2] = m->index;
	out[3] = m->index > 0 ? (m->mark - m->index) / m->index * 1e4 : NAN;
	out[4] = m->index > 0 ? (mid - m->index) / m->index * 1e4 : NAN;
	out[5] = m->oi;
	out[6] = m->oi - m->prev_oi;    /* NaN while either is unknown */
	m->prev_oi = m->oi;
}

void
mpx_mkt_break(struct mpx_mkt *m)
{
	m->prev_oi = NAN;
}

const char *
mpx_mkt_col(int i)
{
	static const char *const n[MPX_MKT_COLS] = {
		"funding_rate", "mark_px", "index_px", "basis_mark_bps", "basis_mid_bps", "open_interest", "oi_change",
	};

	return i >= 0 && i < MPX_MKT_COLS ? n[i] : "?";
}
