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

static char g_list[16384];

/* A feed of n Binance instruments, set up as feedd's main does; NULL with err. */
static struct feed *
feed_of(int n, const char *per_link, char *err, size_t errlen)
{
	static char s_inst[16500], s_max[64], s_per[64];
	char *sets[3] = {s_inst, s_max, s_per};
	struct feed *f = calloc(1, sizeof *f);
	size_t len = 0;

	g_list[0] = 0;
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(g_list + len, sizeof g_list - len, "%sT%d-USDT", i ? "," : "", i);
	snprintf(s_inst, sizeof s_inst, "instruments.binance=%s", g_list);
	snprintf(s_max, sizeof s_max, "system.max_instruments=%d", n + 10);
	snprintf(s_per, sizeof s_per, "feedd.binance.streams_per_link=%s", per_link);
	if (!f)
		return NULL;
	f->exch = EX_BINANCE;
	f->cfg = pipe_cfg_load(NULL, sets, per_link ? 3 : 2, err, errlen);
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

int
main(void)
{
	T_RUN(t_per_link);
	T_RUN(t_split_300);
	T_RUN(t_split_small_cap);
	return t_done();
}
