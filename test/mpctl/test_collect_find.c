/*
 * test_collect_find.c - mpctl's metric look-up (tools/mpctl/collect_find.c):
 * the hash index and its cursor must answer exactly what the scan of the
 * whole table (collect_find_linear) answers, for every query shape the
 * callers use: any / one process, label filters, every nth in order (the
 * report loops), out of order, interleaved loops, aliases, missing names,
 * names sharing buckets (thousands of distinct names), slots appended after
 * a look-up (collect_probes) and a table refilled from 0 (every tick).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpctl.h"
#include "../t.h"

static const char *const procs[] = {"bookd", "routerd", "stored", "feedd.okx", "feedd.binance"};
#define NPROCS 5

static void
add(struct ctl *c, const char *process, const char *name, const char *labels)
{
	if (c->nmv == c->mvcap) {
		c->mvcap = c->mvcap ? c->mvcap * 2 : 64;
		c->mv = realloc(c->mv, (size_t)c->mvcap * sizeof *c->mv);
	}
	memset(&c->mv[c->nmv], 0, sizeof c->mv[0]);
	snprintf(c->mv[c->nmv].process, sizeof c->mv[0].process, "%s", process);
	snprintf(c->mv[c->nmv].v.name, sizeof c->mv[0].v.name, "%s", name);
	snprintf(c->mv[c->nmv].v.labels, sizeof c->mv[0].v.labels, "%s", labels);
	c->mv[c->nmv].v.counter = (uint64_t)c->nmv;
	c->nmv++;
}

/* books books of nnames metrics each, spread over the processes; per book a
 * symbol label; a few slots named alike in every process. */
static void
fill(struct ctl *c, int books, int nnames, unsigned seed)
{
	char name[64], lab[128];

	c->nmv = 0;
	collect_index_reset(c);
	srand(seed);
	for (int b = 0; b < books; b++)
		for (int k = 0; k < nnames; k++) {
			snprintf(name, sizeof name, "mp_metric_%d_total", k);
			snprintf(lab, sizeof lab, "exchange=\"%s\",symbol=\"S%d-USDT\"", b % 2 ? "okx" : "binance", b);
			add(c, procs[rand() % NPROCS], name, lab);
		}
	for (int p = 0; p < NPROCS; p++)
		add(c, procs[p], "mp_up", "");
}

static int g_checked, g_bad;

/* Every nth (0 .. past the last) of one query, in order, agrees. */
static void
agree_all(struct ctl *c, const char *process, const char *name, const char *labels)
{
	for (int i = 0;; i++) {
		const struct mview *want = collect_find_linear(c, process, name, labels, i);
		const struct mview *got = collect_find(c, process, name, labels, i);

		g_checked++;
		if (want != got) {
			if (g_bad++ < 5)
				fprintf(stderr, "  differs: %s %s {%s} nth %d: %ld != %ld\n", process ? process : "*", name,
				    labels ? labels : "*", i, got ? (long)(got - c->mv) : -1L, want ? (long)(want - c->mv) : -1L);
			T_CHECK(want == got);
			return;
		}
		if (!want)
			return;
	}
}

static struct ctl *
new_ctl(void)
{
	return calloc(1, sizeof(struct ctl));
}

static void
free_ctl(struct ctl *c)
{
	collect_index_free(c);
	free(c->mv);
	free(c);
}

static void
t_every_query_agrees(void)
{
	struct ctl *c = new_ctl();
	char name[64], lab[128];

	fill(c, 60, 40, 1);
	g_checked = g_bad = 0;
	for (int k = 0; k < 42; k++) {
		snprintf(name, sizeof name, "mp_metric_%d_total", k);
		agree_all(c, NULL, name, NULL);
		for (int p = 0; p < NPROCS; p++) {
			agree_all(c, procs[p], name, NULL);
			snprintf(lab, sizeof lab, "symbol=\"S%d-USDT\"", k);
			agree_all(c, procs[p], name, lab);
			agree_all(c, NULL, name, "exchange=\"okx\"");
		}
	}
	agree_all(c, NULL, "mp_up", NULL);
	T_CHECK(g_checked > 10000);
	T_EQ_I(g_bad, 0);
	free_ctl(c);
}

static void
t_missing_and_aliases(void)
{
	struct ctl *c = new_ctl();

	/* nothing collected yet (mpctl's first ticks, before any metrics file) */
	T_CHECK(collect_find(c, NULL, "mp_up", NULL, 0) == NULL);
	T_CHECK(collect_find(c, "bookd", "mp_a|mp_b", "x=\"1\"", 0) == NULL);
	T_EQ_S(collect_name(c, NULL, "mp_a|mp_b"), "mp_a");
	fill(c, 4, 5, 2);
	T_CHECK(collect_find(c, NULL, "mp_nothing", NULL, 0) == NULL);
	T_CHECK(collect_find(c, "nobody", "mp_up", NULL, 0) == NULL);
	T_CHECK(collect_find(c, NULL, "mp_up", "symbol=\"X\"", 0) == NULL);
	T_CHECK(collect_find(c, NULL, "", NULL, 0) == NULL);
	T_CHECK(collect_find(c, NULL, "mp_up", NULL, -1) == NULL);
	T_CHECK(collect_find(c, NULL, "mp_up", NULL, 0) != NULL);
	/* a name longer than a slot holds never matches */
	T_CHECK(collect_find(c, NULL, "mp_metric_1_total_and_then_much_more_than_sixty_three_characters_x", NULL, 0) == NULL);
	/* aliases: the first one present, in both */
	g_checked = g_bad = 0;
	agree_all(c, NULL, "mp_nothing|mp_metric_3_total", NULL);
	agree_all(c, "bookd", "mp_metric_2_total|mp_up", NULL);
	agree_all(c, NULL, "mp_nothing|mp_none", NULL);
	T_EQ_I(g_bad, 0);
	T_EQ_S(collect_name(c, NULL, "mp_nothing|mp_metric_3_total"), "mp_metric_3_total");
	T_EQ_S(collect_name(c, NULL, "mp_nothing|mp_none"), "mp_nothing");
	free_ctl(c);
}

/* Thousands of distinct names: the table grows several times and names share buckets. */
static void
t_many_names_collide(void)
{
	struct ctl *c = new_ctl();
	char name[64];

	c->nmv = 0;
	for (int k = 0; k < 5000; k++) {
		snprintf(name, sizeof name, "n%d", k);
		add(c, procs[k % NPROCS], name, "");
		if (k % 7 == 0)
			add(c, procs[(k + 1) % NPROCS], name, "a=\"1\"");
	}
	g_checked = g_bad = 0;
	for (int k = 0; k < 5005; k += 1) {
		snprintf(name, sizeof name, "n%d", k);
		agree_all(c, NULL, name, NULL);
		agree_all(c, procs[k % NPROCS], name, NULL);
	}
	T_EQ_I(g_bad, 0);
	free_ctl(c);
}

/* The cursor: out-of-order nth, two loops interleaved, one labels buffer
 * reused with other contents, slots appended after a look-up, a refill. */
static void
t_cursor_and_refill(void)
{
	struct ctl *c = new_ctl();
	char lab[64];
	const char *n1 = "mp_metric_1_total", *n2 = "mp_metric_2_total";

	fill(c, 30, 5, 3);
	for (int i = 0; i < 40; i++) {
		T_CHECK(collect_find(c, NULL, n1, NULL, i) == collect_find_linear(c, NULL, n1, NULL, i));
		T_CHECK(collect_find(c, "bookd", n2, NULL, i) == collect_find_linear(c, "bookd", n2, NULL, i));
		T_CHECK(collect_find(c, NULL, n1, NULL, 39 - i) == collect_find_linear(c, NULL, n1, NULL, 39 - i));
	}
	for (int i = 0; i < 3; i++) {
		snprintf(lab, sizeof lab, "symbol=\"S%d-USDT\"", i);
		T_CHECK(collect_find(c, NULL, n1, lab, 0) == collect_find_linear(c, NULL, n1, lab, 0));
		T_CHECK(collect_find(c, NULL, n1, lab, 1) == collect_find_linear(c, NULL, n1, lab, 1));
	}
	/* appended after the index was built (as collect_probes does) */
	add(c, "mpctl", n1, "exchange=\"okx\"");
	add(c, "mpctl", "mp_ctl_new", "");
	g_checked = g_bad = 0;
	agree_all(c, NULL, n1, NULL);
	agree_all(c, "mpctl", "mp_ctl_new", NULL);
	T_CHECK(collect_find(c, "mpctl", "mp_ctl_new", NULL, 0) == &c->mv[c->nmv - 1]);
	/* refilled with other contents, as every tick does */
	fill(c, 7, 9, 4);
	agree_all(c, NULL, n1, NULL);
	agree_all(c, "bookd", n2, NULL);
	T_CHECK(collect_find(c, "mpctl", "mp_ctl_new", NULL, 0) == NULL);
	/* refilled to fewer slots without a reset: noticed, start over */
	c->nmv = 3;
	agree_all(c, NULL, n1, NULL);
	T_EQ_I(g_bad, 0);
	free_ctl(c);
}

int
main(void)
{
	T_RUN(t_every_query_agrees);
	T_RUN(t_missing_and_aliases);
	T_RUN(t_many_names_collide);
	T_RUN(t_cursor_and_refill);
	return t_done();
}
