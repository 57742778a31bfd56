/*
 * enc_market.c - REC_MARKET -> the market-data messages (enc.h):
 *   market.<ex>.<sym>.funding_rate    MK_FUNDING
 *   market.<ex>.<sym>.open_interest   MK_OPEN_INTEREST
 *   market.<ex>.<sym>.mark_price      MK_MARK (mark and/or index)
 *   market.<ex>.<sym>.liquidation     MK_LIQUIDATION
 * Every field of the record's kind is present; a value the venue did not give
 * (MKT_NONE) is null, so consumers see one fixed shape per subject.  Rates
 * and open-interest values are exact decimal strings at their fixed exponents
 * (rec.h), rates signed.
 */
#include "enc.h"
#include "enc_int.h"

#include <string.h>

#include "fx.h"

#define LIT(b, s) sbuf_put((b), (s), sizeof(s) - 1)

static void
put_fixed(struct sbuf *b, const char *key, int64_t v, int exp)
{
	char s[FX_STR_MAX];
	size_t n;

	sbuf_puts(b, key);
	if (v == MKT_NONE || (n = fx_format(v, exp, FX_TRIM, s, sizeof s)) == 0) {
		LIT(b, "null");
		return;
	}
	sbuf_putc(b, '"');
	sbuf_put(b, s, n);
	sbuf_putc(b, '"');
}

/* A price (px = 1) or size of the instrument, null when not given. */
static void
put_num(struct sbuf *b, const char *key, const struct inst *in, int64_t v, int px)
{
	sbuf_puts(b, key);
	if (v == MKT_NONE)
		LIT(b, "null");
	else if (px)
		enc_put_px(b, in, v);
	else
		enc_put_qty(b, in, v);
}
#define put_px(b, key, in, v) put_num(b, key, in, v, 1)
#define put_qty(b, key, in, v) put_num(b, key, in, v, 0)

static void
put_time(struct sbuf *b, const char *key, int64_t ns)
{
	sbuf_puts(b, key);
	if (ns == MKT_NONE || ns <= 0)
		LIT(b, "null");
	else
		enc_time(b, ns);
}

void
enc_market(struct sbuf *b, const struct rec_market *m, const struct inst *in)
{
	char tmp[16];

	enc_put_names(b, in);
	switch (m->h.aux) {
	case MK_FUNDING:
		put_fixed(b, ",\"funding_rate\":", m->funding_rate, MKT_RATE_EXP);
		put_fixed(b, ",\"next_funding_rate\":", m->next_funding_rate, MKT_RATE_EXP);
		put_time(b, ",\"funding_time\":", m->settle_ns);
		put_time(b, ",\"next_funding_time\":", m->next_settle_ns);
		LIT(b, ",\"funding_interval_s\":");
		if (m->funding_interval_s) {
			size_t n = 0;
			uint32_t v = m->funding_interval_s;
			char rev[12];

			while (v) {
				rev[n++] = (char)('0' + v % 10);
				v /= 10;
			}
			for (size_t i = 0; i < n; i++)
				tmp[i] = rev[n - 1 - i];
			sbuf_put(b, tmp, n);
		} else {
			LIT(b, "null");
		}
		break;
	case MK_OPEN_INTEREST: {
		int64_t base = m->oi_base;

		/* the venue gave contracts only: the instrument's contract value
		 * (REC_INSTRUMENT) converts them when it is in the base currency
		 * (Bybit linear: 1 base coin; OKX linear SWAP/FUTURES ctVal) */
		if (base == MKT_NONE && m->oi_contracts != MKT_NONE &&
		    inst_contracts_to_base(in, m->oi_contracts, MKT_VALUE_EXP, &base) < 0)
			base = MKT_NONE;
		put_qty(b, ",\"open_interest\":", in, m->oi_contracts);
		put_fixed(b, ",\"open_interest_base\":", base, MKT_VALUE_EXP);
		put_fixed(b, ",\"open_interest_value\":", m->oi_quote, MKT_VALUE_EXP);
		break;
	}
	case MK_MARK:
		put_px(b, ",\"mark_price\":", in, m->mark_px);
		put_px(b, ",\"index_price\":", in, m->index_px);
		break;
	case MK_LIQUIDATION:
		LIT(b, ",\"side\":");
		if (m->liq_side == SIDE_BUY)
			LIT(b, "\"buy\"");
		else
			LIT(b, "\"sell\"");     /* rec_check allows only buy or sell */
		put_px(b, ",\"price\":", in, m->liq_px);
		put_qty(b, ",\"quantity\":", in, m->liq_qty);
		put_px(b, ",\"average_price\":", in, m->liq_avg_px);
		break;
	}
	enc_put_times(b, &m->h);
	sbuf_putc(b, '}');
}
