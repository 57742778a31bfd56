/* deribit_ref.c - Deribit's reference data (get_instruments, get_currencies);
 * see deribit.h. */
#include "deribit.h"

#include <stdio.h>
#include <string.h>

#include "../../common/deribit.h"
#include "deriv.h"
#include "route.h"

#define DR_PERPETUAL_EXPIRY 32503708800000LL  /* what Deribit gives perpetuals (3000-01-01) */
#define DR_MAX_CURRENCIES 32                  /* distinct settlement currencies listed */

/* The terms of one instrument, from its canonical name (common/deribit.h):
 * BASE-QUOTE-SWAP, BASE-QUOTE-YYMMDD, BASE-YYMMDD-STRIKE-C|P. */
struct dr_terms {
	int kind;
	char counter[16], settle[16], strike[16];
	int linear, call;
	long long expiry_ms;
};

static int
terms_of(const struct sim_inst *in, struct dr_terms *t)
{
	char part[4][16];
	int np = 0;
	const char *p = in->sym;

	memset(t, 0, sizeof *t);
	while (np < 4) {
		size_t n = strcspn(p, "-");
		if (n >= sizeof part[0])
			return -1;
		memcpy(part[np], p, n);
		part[np++][n] = 0;
		if (p[n] == 0)
			break;
		p += n + 1;
	}
	if ((t->kind = deribit_kind_of(in->sym)) < 0)
		return -1;
	if (t->kind == DERIBIT_OPTION) {
		/* options: priced in the base, settled in it (Deribit's BTC options) */
		if (np != 4)
			return -1;
		snprintf(t->counter, sizeof t->counter, "USD");
		snprintf(t->settle, sizeof t->settle, "%s", part[0]);
		snprintf(t->strike, sizeof t->strike, "%s", part[2]);
		t->call = part[3][0] == 'C';
		t->expiry_ms = dv_expiry_ms(part[1], strlen(part[1]));
		return t->expiry_ms < 0 ? -1 : 0;
	}
	if (np != 3)
		return -1;
	snprintf(t->counter, sizeof t->counter, "%s", part[1]);
	/* USD contracts are inverse (settled in the base), USDC/USDT linear */
	t->linear = strcmp(part[1], "USD") != 0;
	snprintf(t->settle, sizeof t->settle, "%s", t->linear ? part[1] : part[0]);
	t->expiry_ms = t->kind == DERIBIT_PERPETUAL ? DR_PERPETUAL_EXPIRY : dv_expiry_ms(part[2], strlen(part[2]));
	return t->expiry_ms < 0 ? -1 : 0;
}

static void
lower(const char *s, char *out, size_t cap)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < cap; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
	out[i] = 0;
}

static void
instrument(struct sb *b, const struct sim_inst *in, const struct dr_terms *t)
{
	static const char *const kinds[] = {"future", "future", "option"};
	char tick[32], lot[32], lb[16], lc[16];

	sb_fmt_e8(in->tick_e8, 1, tick);
	sb_fmt_e8(in->lot_e8, 1, lot);
	lower(in->base, lb, sizeof lb);
	lower(t->counter, lc, sizeof lc);
	sb_printf(b, "{\"instrument_name\":\"%s\",\"kind\":\"%s\",\"settlement_period\":\"%s\",\"tick_size\":%s,"
	    "\"contract_size\":%s,\"min_trade_amount\":%s,\"base_currency\":\"%s\",\"quote_currency\":\"%s\","
	    "\"counter_currency\":\"%s\",\"settlement_currency\":\"%s\",\"instrument_type\":\"%s\","
	    "\"price_index\":\"%s_%s\",\"expiration_timestamp\":%lld,\"creation_timestamp\":1700000000000,"
	    "\"maker_commission\":0.0001,\"taker_commission\":0.0005,\"is_active\":true",
	    in->vsym, kinds[t->kind], t->kind == DERIBIT_PERPETUAL ? "perpetual" : "month", tick, lot, lot, in->base,
	    t->kind == DERIBIT_OPTION ? in->base : t->counter, t->counter, t->settle,
	    t->linear ? "linear" : "reversed", lb, lc, t->expiry_ms);
	if (t->kind == DERIBIT_OPTION)
		sb_printf(b, ",\"option_type\":\"%s\",\"strike\":%s", t->call ? "call" : "put", t->strike);
	sb_addc(b, '}');
}

int
dr_instruments_json(struct sb *b, const char *query, const char **err)
{
	char cur[16], kind[24], exp[8];
	int first = 1, all_cur, expired;

	all_cur = !route_qget(query, "currency", cur, sizeof cur) || strcmp(cur, "any") == 0;
	if (!route_qget(query, "kind", kind, sizeof kind))
		kind[0] = 0;
	else if (strcmp(kind, "future") != 0 && strcmp(kind, "option") != 0 && strcmp(kind, "spot") != 0 &&
	    strcmp(kind, "future_combo") != 0 && strcmp(kind, "option_combo") != 0) {
		*err = "Invalid params: kind";
		return -1;
	}
	/* no instrument has expired in the simulation */
	expired = route_qget(query, "expired", exp, sizeof exp) && strcmp(exp, "true") == 0;
	sb_addc(b, '[');
	for (int i = 0; i < sim.ninst && !expired; i++) {
		struct sim_inst *in = &sim.inst[i];
		struct dr_terms t;
		if (in->venue != SIM_DERIBIT || terms_of(in, &t) < 0)
			continue;
		/* currency= selects by the settlement currency (BTC lists the
		 * inverse BTC contracts, USDC the linear ones) */
		if ((!all_cur && strcmp(cur, t.settle) != 0) ||
		    (kind[0] && strcmp(kind, t.kind == DERIBIT_OPTION ? "option" : "future") != 0))
			continue;
		if (!first)
			sb_addc(b, ',');
		instrument(b, in, &t);
		first = 0;
	}
	sb_addc(b, ']');
	return 0;
}

void
dr_currencies_json(struct sb *b)
{
	char seen[DR_MAX_CURRENCIES][16];
	int nseen = 0;

	sb_addc(b, '[');
	for (int i = 0; i < sim.ninst; i++) {
		struct dr_terms t;
		int dup = 0;
		if (sim.inst[i].venue != SIM_DERIBIT || terms_of(&sim.inst[i], &t) < 0)
			continue;
		for (int k = 0; k < nseen; k++)
			dup |= strcmp(seen[k], t.settle) == 0;
		if (dup || nseen == DR_MAX_CURRENCIES)
			continue;
		snprintf(seen[nseen], sizeof seen[0], "%s", t.settle);
		sb_printf(b, "%s{\"currency\":\"%s\",\"currency_long\":\"%s\",\"coin_type\":\"%s\",\"fee_precision\":4,"
		    "\"min_confirmations\":1,\"min_withdrawal_fee\":0.0001,\"withdrawal_fee\":0.0001,"
		    "\"withdrawal_priorities\":[]}", nseen ? "," : "", t.settle, t.settle,
		    strncmp(t.settle, "USD", 3) == 0 ? "TOKEN" : "CRYPTO");
		nseen++;
	}
	sb_addc(b, ']');
}
