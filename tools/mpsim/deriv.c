/* deriv.c - see deriv.h. */
#include "deriv.h"

#include <string.h>
#include <time.h>

#include "rng.h"

/* The premium in ticks at this step: a slow wave between -3 and +5. */
static int64_t
premium_ticks(const struct sim_inst *in)
{
	int64_t s = in->book.step / 50;

	return 1 + (s % 9) - 4 + ((s / 9) % 2);
}

void
dv_init(struct sim_inst *in)
{
	in->dv_oi = 100000 + (int64_t)(in->book.p.qty_unit * 200);
}

/* A draw that depends on the instrument and the step only, so that the
 * book's own generator (and with it every book state) is untouched. */
static uint64_t
draw(const struct sim_inst *in)
{
	uint64_t x = ((uint64_t)in->book.step << 20) ^ (uint64_t)(in - sim.inst) ^ (sim.seed << 44);

	return rng_splitmix(&x);
}

void
dv_step(struct sim_inst *in)
{
	const struct mkt_book *bk = &in->book;
	const struct mkt_level *bb = mkt_at(bk, MKT_BID, 0), *ba = mkt_at(bk, MKT_ASK, 0);
	uint64_t r = draw(in);

	for (int i = 0; i < bk->nfill; i++)
		in->dv_oi += bk->fill[i].taker_buy ? bk->fill[i].qty : -bk->fill[i].qty / 2;
	if (in->dv_oi < 1000)
		in->dv_oi = 1000;
	in->dv_liq_side = 0;
	if (bb == NULL || ba == NULL || r % 30 != 0)
		return;
	/* SELL: a long is closed below the bid; BUY: a short above the ask */
	in->dv_liq_side = (r >> 8) & 1 ? 2 : 1;
	in->dv_liq_px = in->dv_liq_side == 2 ? bb->px - 1 - (int64_t)((r >> 16) % 20) : ba->px + 1 + (int64_t)((r >> 16) % 20);
	in->dv_liq_qty = 1 + (int64_t)((r >> 32) % (uint64_t)(bk->p.qty_unit > 0 ? bk->p.qty_unit : 1));
}

int64_t
dv_index_e8(const struct sim_inst *in)
{
	const struct mkt_level *bb = mkt_at(&in->book, MKT_BID, 0), *ba = mkt_at(&in->book, MKT_ASK, 0);

	if (bb == NULL || ba == NULL)
		return in->last_px * in->tick_e8;
	return (bb->px + ba->px) * in->tick_e8 / 2;
}

int64_t
dv_mark_e8(const struct sim_inst *in)
{
	return dv_index_e8(in) + premium_ticks(in) * in->tick_e8;
}

int64_t
dv_funding_e8(const struct sim_inst *in)
{
	/* 0.01 % (the venues' interest-rate floor) moved by the premium:
	 * 0.0000850 .. 0.0001250, positive as mostly on the venues */
	return 10000 + premium_ticks(in) * 500;
}

int64_t
dv_next_funding_ms(int64_t now_ms, int hours)
{
	int64_t t = (int64_t)(hours > 0 ? hours : 8) * 3600 * 1000;

	return now_ms - now_ms % t + t;
}

int64_t
dv_expiry_ms(const char *s, size_t n)
{
	struct tm t;

	if (n != 6 || strspn(s, "0123456789") < 6)
		return -1;
	memset(&t, 0, sizeof t);
	t.tm_year = 100 + (s[0] - '0') * 10 + (s[1] - '0');
	t.tm_mon = (s[2] - '0') * 10 + (s[3] - '0') - 1;
	t.tm_mday = (s[4] - '0') * 10 + (s[5] - '0');
	t.tm_hour = 8;
	if (t.tm_mon < 0 || t.tm_mon > 11 || t.tm_mday < 1 || t.tm_mday > 31)
		return -1;
	return (int64_t)timegm(&t) * 1000;
}
