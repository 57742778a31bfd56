/* test_feedd_links.c - how feedd spreads a venue's instruments over
 * WebSocket links (venue_setup): Binance links of at most streams_per_link
 * streams and a URL inside lws's 2 KiB request line, each instrument on
 * exactly one link (carries), and a cap one instrument's streams exceed
 * refused with the key named. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../feedd/feedd.h"
#include "pipe.h"
#include "../t.h"

static char g_list[1 << 20];

/* A feed of n instruments of exch (Bybit: spot and every third one a linear
 * perpetual), set up as feedd's main does; NULL with err.  per_link: Binance's
 * streams_per_link, or for Bybit its channels. */
static const char *g_more;   /* one more --set for the next feed_of_ex, or NULL */

static struct feed *
feed_of_ex(int exch, int n, const char *per_link, char *err, size_t errlen)
{
	static char s_inst[sizeof g_list + 64], s_max[64], s_per[64], s_more[64];
	char *sets[4] = {s_inst, s_max, s_per, s_more};
	struct feed *f = calloc(1, sizeof *f);
	size_t len = 0;

	g_list[0] = 0;
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(g_list + len, sizeof g_list - len, "%sT%d-USDT%s", i ? "," : "", i,
		    exch == EX_BYBIT && i % 3 == 2 ? "-SWAP" : "");
	snprintf(s_inst, sizeof s_inst, "instruments.%s=%s", exch_name(exch), g_list);
	snprintf(s_max, sizeof s_max, "system.max_instruments=%d", n + 10);
	if (exch == EX_BYBIT)
		snprintf(s_per, sizeof s_per, "feedd.bybit.channels=%s", per_link ? per_link : "depth");
	else
		snprintf(s_per, sizeof s_per, "feedd.binance.streams_per_link=%s", per_link);
	if (!f)
		return NULL;
	f->exch = exch;
	snprintf(s_more, sizeof s_more, "%s", g_more ? g_more : "");
	f->cfg = pipe_cfg_load(NULL, sets, g_more ? 4 : per_link || exch == EX_BYBIT ? 3 : 2, err, errlen);
	if (!f->cfg || pipe_instruments(f->cfg, &f->reg, err, errlen) < 0) {
		free(f);
		return NULL;
	}
	f->ops = venue_ops(f->exch, err, errlen);
	f->venue = venue_get(f->exch);
	f->ex = exch_name(f->exch);
	snprintf(f->sect, sizeof f->sect, "feedd.%s", f->ex);
	f->inst_ids = malloc((size_t)f->reg.n * sizeof *f->inst_ids);
	for (int i = 0; i < f->reg.n; i++)   /* the default okx instruments are not this feed's */
		if (f->reg.v[i].exch == f->exch)
			f->inst_ids[f->ninst++] = f->reg.v[i].id;
	return f;
}

static struct feed *
feed_of(int n, const char *per_link, char *err, size_t errlen)
{
	return feed_of_ex(EX_BINANCE, n, per_link, err, errlen);
}

static void
feed_free(struct feed *f)
{
	if (!f)
		return;
	venue_free(f);
	free(f->inst_ids);
	inst_reg_free(&f->reg);
	cfg_free(f->cfg);
	free(f);
}

/* Every instrument on exactly one link, links in order, within the caps. */
static int
check_split(struct feed *f, int per)
{
	int next = 0;

	for (int k = 0; k < f->nlinks; k++) {
		struct link *l = &f->link[k];

		if (l->first != next || l->count < 1 || l->count > per || strlen(l->path) >= 2048) {
			fprintf(stderr, "  link %d: first %d count %d path %zu\n", k, l->first, l->count, strlen(l->path));
			return 0;
		}
		next += l->count;
		for (int i = 0; i < f->ninst; i++) {
			int on = i >= l->first && i < l->first + l->count;

			if (venue_link_carries(l, f->inst_ids[i]) != on) {
				fprintf(stderr, "  link %d carries instrument %d: %d\n", k, i, !on);
				return 0;
			}
		}
		for (int j = 0; j < k; j++)
			if (strcmp(f->link[j].name, l->name) == 0)
				return 0;
	}
	return next == f->ninst;
}

static void
t_per_link(void)
{
	char err[200] = "";

	T_EQ_I(binance_per_link(1024, 4, err, sizeof err), 256);
	T_EQ_I(binance_per_link(40, 4, err, sizeof err), 10);
	T_EQ_I(binance_per_link(41, 4, err, sizeof err), 10);    /* whole instruments only */
	T_EQ_I(binance_per_link(4, 4, err, sizeof err), 1);
	T_EQ_I(binance_per_link(3, 4, err, sizeof err), -1);
	T_CHECK(strstr(err, "streams_per_link = 3") && strstr(err, "4 streams"));
}

static void
t_split_300(void)
{
	char err[300] = "";
	struct feed *f = feed_of(300, "1024", err, sizeof err);

	T_CHECK(f != NULL);
	if (!f) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	T_EQ_I(venue_setup(f, err, sizeof err), 0);
	/* 1024 streams = 256 instruments of 4 streams: 256 + 44 */
	T_EQ_I(f->nlinks, 2);
	T_CHECK(check_split(f, 256));
	T_EQ_I(f->link[0].count, 256);
	T_EQ_S(f->link[0].name, "binance-1");
	T_EQ_S(f->link[1].name, "binance-2");
	T_CHECK(strncmp(f->link[1].path, "/stream?streams=t256usdt@depth@100ms/t256usdt@trade/", 52) == 0);
	feed_free(f);
}

static void
t_split_small_cap(void)
{
	char err[300] = "";
	struct feed *f = feed_of(45, "40", err, sizeof err);

	T_CHECK(f && venue_setup(f, err, sizeof err) == 0);
	if (f) {
		T_EQ_I(f->nlinks, 5);
		T_CHECK(check_split(f, 10));
		T_EQ_I(f->link[4].count, 5);
	}
	feed_free(f);
	/* few instruments: one link, its old name */
	f = feed_of(3, "1024", err, sizeof err);
	T_CHECK(f && venue_setup(f, err, sizeof err) == 0);
	if (f) {
		T_EQ_I(f->nlinks, 1);
		T_EQ_S(f->link[0].name, "binance");
		T_CHECK(check_split(f, 3));
	}
	feed_free(f);
	/* a cap below one instrument's streams is a config error naming the key */
	f = feed_of(3, "2", err, sizeof err);
	T_CHECK(f && venue_setup(f, err, sizeof err) < 0);
	T_CHECK(strstr(err, "[feedd.binance] streams_per_link = 2") != NULL);
	feed_free(f);
}

/* Bybit: more links than the 6 it once had; every instrument on exactly one
 * link of its market, each link within 21,000 characters of args (counted
 * as feedd sends them: quoted, comma separated); the bound refused naming
 * the key. */
static int
bybit_split_ok(struct feed *f, size_t *most, int *fewest)
{
	size_t used[64] = {0}, market[2] = {0};

	*most = 0;
	for (int i = 0; i < f->ninst; i++) {
		const struct inst *in = inst_get(&f->reg, f->inst_ids[i]);
		int on = -1, n = 0;

		for (int k = 0; k < f->nlinks; k++)
			if (venue_link_carries(&f->link[k], in->id)) {
				on = k;
				n++;
			}
		if (n != 1 || on >= 64) {
			fprintf(stderr, "  %s on %d links\n", in->symbol, n);
			return 0;
		}
		/* the market's path, and the args this instrument adds (orderbook.1000.X; + trades) */
		if (!strstr(f->link[on].path, strstr(in->symbol, "-SWAP") ? "/linear" : "/spot")) {
			fprintf(stderr, "  %s on %s\n", in->symbol, f->link[on].path);
			return 0;
		}
		used[on] += strlen("orderbook.1000.") + strlen(in->venue_symbol) + 3;
		if (f->ch_bbo1)   /* the BBO check */
			used[on] += strlen("orderbook.1.") + strlen(in->venue_symbol) + 3;
		if (f->ch_trades)
			used[on] += strlen("publicTrade.") + strlen(in->venue_symbol) + 3;
	}
	for (int k = 0; k < f->nlinks && k < 64; k++) {
		if (used[k] > *most)
			*most = used[k];
		market[strstr(f->link[k].path, "/linear") != NULL] += used[k];
	}
	/* the fewest links that could hold each market's args */
	*fewest = (int)((market[0] + 20999) / 21000 + (market[1] + 20999) / 21000);
	return *most <= 21000;
}

static void
t_bybit_many_links(void)
{
	char err[400] = "";
	size_t most;
	int fewest = 0, nboth = 0, nbooks = 0;
	struct feed *f = feed_of_ex(EX_BYBIT, 3000, "depth,trades", err, sizeof err);

	T_CHECK(f != NULL);
	if (!f) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	T_EQ_I(venue_setup(f, err, sizeof err), 0);
	if (err[0])
		fprintf(stderr, "  %s\n", err);
	/* 2000 spot and 1000 linear, ~70 characters of args each: links filled
	 * greedily, at most one more per market than the args need */
	T_CHECK(f->nlinks > 6);
	T_CHECK(bybit_split_ok(f, &most, &fewest));
	T_CHECK(f->nlinks >= fewest && f->nlinks <= fewest + 2);
	T_CHECK(most > 15000);   /* links are filled, not one per few instruments */
	T_EQ_S(f->link[0].name, "bybit-spot");
	{
		int named = 0;
		for (int k = 0; k < f->nlinks; k++)
			named += strcmp(f->link[k].name, "bybit-spot-2") == 0 || strcmp(f->link[k].name, "bybit-linear-2") == 0;
		T_EQ_I(named, 2);   /* the second part of each market, by name */
	}
	nboth = f->nlinks;
	feed_free(f);
	/* books only: fewer links for the same instruments */
	f = feed_of_ex(EX_BYBIT, 3000, "depth", err, sizeof err);
	T_CHECK(f && venue_setup(f, err, sizeof err) == 0);
	if (f) {
		T_CHECK(bybit_split_ok(f, &most, &fewest));
		T_CHECK(f->ch_bbo1 == 1);   /* the default */
		T_CHECK(f->nlinks >= fewest && f->nlinks <= fewest + 2 && f->nlinks < nboth);
		nbooks = f->nlinks;
	}
	feed_free(f);
	/* books without the BBO check ([feedd.bybit] bybit_bbo = false): orderbook.1 is not subscribed,
	 * so the same instruments need fewer links (each link's args counted without it) */
	g_more = "feedd.bybit.bybit_bbo=false";
	f = feed_of_ex(EX_BYBIT, 3000, "depth", err, sizeof err);
	g_more = NULL;
	T_CHECK(f && venue_setup(f, err, sizeof err) == 0);
	if (f) {
		T_CHECK(f->ch_bbo1 == 0);
		T_CHECK(bybit_split_ok(f, &most, &fewest));
		T_CHECK(f->nlinks >= fewest && f->nlinks <= fewest + 2 && f->nlinks < nbooks);
	}
	feed_free(f);
	/* past the bound (50 links): a config error naming the key */
	f = feed_of_ex(EX_BYBIT, 60000, "depth,trades", err, sizeof err);
	T_CHECK(f && venue_setup(f, err, sizeof err) < 0);
	T_CHECK(strstr(err, "[instruments] bybit") && strstr(err, "more than 50 connections"));
	feed_free(f);
}

int
main(void)
{
	T_RUN(t_per_link);
	T_RUN(t_split_300);
	T_RUN(t_split_small_cap);
	T_RUN(t_bybit_many_links);
	return t_done();
}
