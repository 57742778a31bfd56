/* setup.c - shared state, clocks, instruments and the step driver (everything
 * of sim.h that is not I/O), so that tests and fuzz targets can build a
 * simulator without main(). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "instid.h"
#include "sim.h"
#include "venue.h"

struct sim sim;

int64_t
sim_mono_ms(void)
{
	return (int64_t)(uv_hrtime() / 1000000);
}

int64_t
sim_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
sim_scaled_ms(double real_ms)
{
	int64_t v = (int64_t)(real_ms / sim.timer_rate);

	return v < 1 ? 1 : v;
}

const char *
sim_venue_name(int venue)
{
	return venue >= 0 && venue < SIM_NVENUE ? exch_name(sim_ops(venue)->exch) : "?";
}

void
sim_flush_pending(void)
{
	for (int v = 0; v < SIM_NVENUE; v++)
		if (sim_ops(v)->flush_pending)
			sim_ops(v)->flush_pending();
}

int
sim_venue_parse(const char *s)
{
	for (int v = 0; v < SIM_NVENUE; v++)
		if (strcasecmp(s, exch_name(sim_ops(v)->exch)) == 0)
			return v;
	return -1;
}

int
sim_find_inst(int venue, const char *sym)
{
	for (int i = 0; i < sim.ninst; i++) {
		struct sim_inst *in = &sim.inst[i];
		if (in->venue != venue)
			continue;
		if (strcmp(sym, in->sym) == 0 || strcmp(sym, in->vsym) == 0 || strcmp(sym, in->lsym) == 0)
			return i;
	}
	return -1;
}

void
sim_note_trade(struct sim_inst *in, int64_t px, int64_t qty, int taker_buy, int64_t first_id, int64_t last_id)
{
	double quote = (double)(px * in->tick_e8) / 1e8 * (double)(qty * in->lot_e8) / 1e8;

	in->last_px = px;
	in->last_qty = qty;
	if (in->high_px == 0 || px > in->high_px)
		in->high_px = px;
	if (in->low_px == 0 || px < in->low_px)
		in->low_px = px;
	in->vol_lots += qty;
	in->vol_quote += quote;
	if (in->k_n == 0) {
		in->k_first_trade = first_id;
		in->k_o = in->k_h = in->k_l = px;
	}
	in->k_last_trade = last_id;
	in->k_n += last_id - first_id + 1;
	in->k_c = px;
	if (px > in->k_h)
		in->k_h = px;
	if (px < in->k_l)
		in->k_l = px;
	in->k_vol += qty;
	in->k_quote += quote;
	if (taker_buy) {
		in->k_taker_vol += qty;
		in->k_taker_quote += quote;
	}
}

void
sim_kline_roll(struct sim_inst *in)
{
	int64_t now = sim_wall_ms();

	if (in->k_start_ms && now < in->k_start_ms + 60000)
		return;
	in->k_start_ms = now / 60000 * 60000;
	in->k_o = in->k_h = in->k_l = in->k_c = in->last_px ? in->last_px : mkt_at(&in->book, MKT_BID, 0)->px;
	in->k_n = in->k_vol = in->k_taker_vol = 0;
	in->k_quote = in->k_taker_quote = 0;
	in->k_first_trade = in->k_last_trade = 0;
}

void
sim_run_steps(int64_t n)
{
	for (int64_t k = 0; k < n; k++) {
		for (int i = 0; i < sim.ninst; i++) {
			struct sim_inst *in = &sim.inst[i];
			mkt_step(&in->book);
			sim_ops(in->venue)->on_step(in);
		}
		sim.steps++;
	}
}

/* ---- instruments ---- */

struct inst_def {
	const char *sym;
	int venue;
	int64_t tick_e8, lot_e8, min_e8;
	double mid;
	double unit;      /* typical touch size in base units */
	double gap_div;
};

static const struct inst_def defs[] = {
	{"BTC-USDT", SIM_BINANCE, 1000000, 1000, 1000, 60000, 0.3, 300},
	{"ETH-USDT", SIM_BINANCE, 1000000, 10000, 10000, 3000, 3.0, 1500},
	{"BTC-USDT", SIM_OKX, 10000000, 1, 1000, 60000, 0.3, 2000},
	{"ETH-USDT", SIM_OKX, 1000000, 100, 100000, 3000, 3.0, 1500},
	/* OKX derivatives, sizes in contracts as the venue lists them (tickSz,
	 * lotSz, minSz; ctVal in okx.c ox_contract_of): BTC-USDT-SWAP 0.01 BTC a
	 * contract (30 contracts ~ 0.3 BTC at the touch), BTC-USD swaps and
	 * futures 100 USD a contract ("FUTURES" stands for every expiry) */
	{"BTC-USDT-SWAP", SIM_OKX, 10000000, 1000000, 1000000, 60000, 30, 2000},
	{"ETH-USDT-SWAP", SIM_OKX, 1000000, 1000000, 1000000, 3000, 30, 1500},
	{"BTC-USD-SWAP", SIM_OKX, 10000000, 100000000, 100000000, 60000, 180, 2000},
	{"BTC-USD-FUTURES", SIM_OKX, 10000000, 100000000, 100000000, 60000, 180, 2000},
	/* futures (their derivatives' underlyings): USD-M ticks 0.1 / 0.01, lots
	 * 0.001; COIN-M whole contracts (100 USD BTC, 10 USD others) */
	{"BTC-USDT", SIM_BINANCE_USDM, 10000000, 100000, 100000, 60000, 0.3, 300},
	{"ETH-USDT", SIM_BINANCE_USDM, 1000000, 100000, 100000, 3000, 3.0, 1500},
	{"BTC-USD", SIM_BINANCE_COINM, 10000000, 100000000, 100000000, 60000, 180, 300},
	{"ETH-USD", SIM_BINANCE_COINM, 1000000, 100000000, 100000000, 3000, 900, 1500},
	/* Deribit inverse contracts: tick 0.5 USD, amounts in 10 USD */
	{"BTC-USD", SIM_DERIBIT, 50000000, 1000000000, 1000000000, 60000, 20000.0, 2000},
};

static uint64_t
hash_str(const char *s, uint64_t h)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/*
 * Parameters of an instrument not in defs[]: a start price drawn from the
 * name (log-uniform over 0.5 .. 500, so thirty alts do not all look alike),
 * the power-of-ten tick that leaves 20000 .. 200000 ticks below the mid (as
 * real venues' ticks do, and room for the bid side's ~6500 levels with their
 * growing gaps: a fixed 0.01 tick at a price of 100 had too few), a touch
 * worth ~3000 quote units and a lot a thousandth of it.
 */
static struct inst_def
generic_def(const char *sym, int venue)
{
	struct inst_def d = {sym, venue, 1, 1, 1, 0, 0, 1500};
	double f = (double)(hash_str(sym, 0xcbf29ce484222325ULL) >> 11) / 9007199254740992.0;

	d.mid = 0.5 * pow(1000.0, f);
	while ((double)d.tick_e8 * 10 * 20000 <= d.mid * 1e8)
		d.tick_e8 *= 10;
	d.unit = 3000.0 / d.mid;
	while ((double)d.lot_e8 * 10 * 1000 <= d.unit * 1e8)
		d.lot_e8 *= 10;
	d.min_e8 = d.lot_e8;
	return d;
}

int
sim_add_inst(const char *sym, int venue, int levels)
{
	struct inst_def d = generic_def(sym, venue);
	const char *dash = strchr(sym, '-');
	struct sim_inst *in;
	struct mkt_params p;
	uint64_t seed = rng_splitmix(&(uint64_t){hash_str(sym, sim.seed * 0x9e3779b97f4a7c15ULL + (uint64_t)venue + 1)});
	struct rng r;

	/* the quote is the second segment (an option's is its date: BTC-240927-60000-C) */
	if (dash == NULL || dash == sym || !dash[1] || strlen(sym) >= sizeof in->sym || dash - sym >= 12 ||
	    strcspn(dash + 1, "-") >= 12) {
		fprintf(stderr, "mpsim: --symbols: '%s' is not like BTC-USDT\n", sym);
		return -1;
	}
	for (const char *c = sym; *c; c++)
		if (!(isupper((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-')) {
			fprintf(stderr, "mpsim: --symbols: '%s' must be upper case like BTC-USDT\n", sym);
			return -1;
		}
	/* an OKX derivative (BTC-USDT-SWAP, BTC-USD-240927) has its own row
	 * (a dated future under <underlying>-FUTURES), else trades like its
	 * underlying's spot pair: same price scale, tick and lot */
	const char *dash2 = strchr(dash + 1, '-');
	size_t ulen = dash2 ? (size_t)(dash2 - sym) : strlen(sym);
	char own[40];
	int found = 0;
	snprintf(own, sizeof own, "%.*s%s", (int)ulen, sym, !dash2 ? "" : strcmp(dash2, "-SWAP") == 0 ? "-SWAP" : "-FUTURES");
	for (size_t i = 0; i < sizeof defs / sizeof defs[0] && dash2; i++)
		if (defs[i].venue == venue && strcmp(defs[i].sym, own) == 0) {
			d = defs[i];
			found = 1;
		}
	for (size_t i = 0; i < sizeof defs / sizeof defs[0] && !found; i++)
		if (defs[i].venue == venue && strncmp(defs[i].sym, sym, ulen) == 0 && defs[i].sym[ulen] == 0)
			d = defs[i];
	in = &sim.inst[sim.ninst];
	memset(in, 0, sizeof *in);
	in->venue = venue;
	snprintf(in->sym, sizeof in->sym, "%s", sym);
	snprintf(in->base, sizeof in->base, "%.*s", (int)(dash - sym), sym);
	snprintf(in->quote, sizeof in->quote, "%s", dash + 1);
	if (sim_ops(venue)->venue_sym_join)
		snprintf(in->vsym, sizeof in->vsym, "%s%s", in->base, in->quote);
	else
		snprintf(in->vsym, sizeof in->vsym, "%s", sym);
	for (int i = 0; in->vsym[i] && sim_ops(venue)->venue_sym_join; i++)
		in->lsym[i] = (char)tolower((unsigned char)in->vsym[i]);
	in->tick_e8 = d.tick_e8;
	in->lot_e8 = d.lot_e8;
	in->min_qty_e8 = d.min_e8;
	rng_seed(&r, seed ^ 0x5bd1e995);
	/* Each seed starts somewhere within +-2% of the nominal price. */
	p.mid = (int64_t)(d.mid * 1e8 / (double)d.tick_e8 * (0.98 + 0.04 * rng_unit(&r)));
	p.qty_unit = (int64_t)(d.unit * 1e8 / (double)d.lot_e8);
	if (p.qty_unit < 1)
		p.qty_unit = 1;
	p.levels = levels;
	p.min_levels = levels - levels / 13;
	p.gap_div = d.gap_div;
	/* a step is 100 ms: 864000 steps a day */
	p.sigma = (double)p.mid * sim.volatility / sqrt(864000.0);
	/* --drift is relative per hour: 36000 steps an hour */
	p.drift = (double)p.mid * sim.drift / 36000.0;
	p.deep_churn = sim.deep_churn;
	if (mkt_init(&in->book, &p, seed) < 0) {
		fprintf(stderr, "mpsim: %s on %s: price range too small for %d levels\n", sym, sim_venue_name(venue), levels);
		return -1;
	}
	for (int s = 0; s < SIM_INCR_MAX; s++)
		sb_init(&in->held[s].msg);
	sim_ops(venue)->inst_init(in);
	sim_kline_roll(in);
	sim.ninst++;
	return 0;
}

int
sim_setup_instruments(const char *symbols, int levels)
{
	char list[1024], *save = NULL;
	int n = 1;

	if (strlen(symbols) >= sizeof list) {
		fprintf(stderr, "mpsim: --symbols: list too long\n");
		return -1;
	}
	for (int v = 0; v < SIM_NVENUE; v++)
		for (const char *p = sim.venue_symbols[v] ? sim.venue_symbols[v] : symbols; *p; p++)
			n += *p == ',';
	sim.inst = calloc((size_t)(n + 1) * SIM_NVENUE, sizeof *sim.inst);
	if (sim.inst == NULL)
		return -1;
	for (int v = 0; v < SIM_NVENUE; v++) {
		const char *src = sim.venue_symbols[v] ? sim.venue_symbols[v] : sim_ops(v)->own_symbols ? NULL : symbols;
		if (!src)
			continue;
		if (strlen(src) >= sizeof list) {
			fprintf(stderr, "mpsim: --%s-symbols: list too long\n", sim_venue_name(v));
			return -1;
		}
		strcpy(list, src);
		for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			while (*t == ' ')
				t++;
			if (sim_find_inst(v, t) >= 0)
				continue;
			/* swaps and futures (3+ segments) only where the venue has them */
			if (!sim_ops(v)->derivatives && instid_is_derivative(t))
				continue;
			if (sim_ops(v)->derivatives_only && !instid_is_derivative(t)) {
				fprintf(stderr, "mpsim: --%s-symbols: '%s' is not a perpetual or dated future "
				    "(like BTC-USDT-SWAP, BTC-USD-SWAP, BTC-USD-240927)\n", sim_venue_name(v), t);
				return -1;
			}
			if (sim_add_inst(t, v, levels) < 0)
				return -1;
		}
	}
	if (sim.ninst == 0) {
		fprintf(stderr, "mpsim: --symbols: no instruments\n");
		return -1;
	}
	return 0;
}

void
sim_free_instruments(void)
{
	for (int i = 0; i < sim.ninst; i++) {
		mkt_free(&sim.inst[i].book);
		sb_free(&sim.inst[i].held[0].msg);
		for (int s = 1; s < SIM_INCR_MAX; s++) {
			sb_free(&sim.inst[i].held[s].msg);
			free(sim.inst[i].bn_slow[s - 1].agg);
		}
	}
	free(sim.inst);
	sim.inst = NULL;
	sim.ninst = 0;
}
