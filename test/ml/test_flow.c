/* test_flow - tools/mpflow/flow.c: the delta flows, the window, refresh merges and the trend call (flow.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "flow.h"
#include "t.h"

/* A level seen for the first time counts its size; later updates count the change. */
static void
t_changes(void)
{
	struct flow f;
	struct flow_out o;

	T_EQ_I(flow_init(&f, 3, 0.2, -1, -1), 0);
	T_EQ_I(flow_update(&f, 0, "100.0", "2.0"), 0);
	T_EQ_I(flow_update(&f, 1, "101.0", "1.0"), 0);
	flow_end_delta(&f, &o);
	T_CHECK(o.bid_flow == 2.0 && o.ask_flow == 1.0 && !o.full && !o.prediction);
	/* bid 100.0: 2 -> 0.5 (-1.5); a removal of the ask (1 -> 0, -1) */
	T_EQ_I(flow_update(&f, 0, "100.0", "0.5"), 0);
	T_EQ_I(flow_update(&f, 1, "101.0", "0"), 0);
	flow_end_delta(&f, &o);
	T_CHECK(o.bid_flow == 0.5 && o.ask_flow == 0.0);
	T_EQ_U(o.bid_updates, 2);
	T_EQ_U(o.ask_updates, 2);
	/* the same price string on the other side is another level */
	T_EQ_I(flow_update(&f, 1, "100.0", "4.0"), 0);
	flow_end_delta(&f, &o);
	T_CHECK(o.full && o.ask_flow == 4.0 && o.net_flow == 0.5 - 4.0);
	T_CHECK(o.flow_ratio == (0.5 - 4.0) / 4.5);
	T_EQ_S(o.prediction, "down");
	flow_free(&f);
}

/* The window slides: the oldest delta leaves it. */
static void
t_window(void)
{
	struct flow f;
	struct flow_out o;
	char px[32];

	T_EQ_I(flow_init(&f, 100, 0.2, -1, -1), 0);
	for (int i = 0; i < 250; i++) {
		snprintf(px, sizeof px, "%d.5", 1000 - i);
		T_EQ_I(flow_update(&f, 0, px, "1.0"), 0);      /* +1 bid per delta */
		if (i >= 200) {
			snprintf(px, sizeof px, "%d.5", 2000 + i);
			T_EQ_I(flow_update(&f, 1, px, "3.0"), 0);  /* +3 ask in the last 50 */
		}
		flow_end_delta(&f, &o);
		T_EQ_I(o.full, i >= 99);
	}
	T_CHECK(o.bid_flow == 100.0 && o.ask_flow == 150.0);
	T_EQ_U(o.bid_updates, 100);
	T_EQ_U(o.ask_updates, 50);
	T_CHECK(o.flow_ratio == -50.0 / 250.0);
	T_EQ_S(o.prediction, "flat");   /* -0.2 is not below -0.2 */
	flow_free(&f);
}

/* Outside input: a price that does not fit, a negative or NaN size, a bad
 * window, are refused and not counted. */
static void
t_bad_input(void)
{
	struct flow f;
	struct flow_out o;
	char longpx[64];

	memset(longpx, '9', sizeof longpx - 1);
	longpx[sizeof longpx - 1] = 0;
	T_EQ_I(flow_init(&f, 0, 0.2, -1, -1), -1);
	T_EQ_I(flow_init(&f, FLOW_MAX_WINDOW + 1, 0.2, -1, -1), -1);
	T_EQ_I(flow_init(&f, 10, 0.2, -19, -1), -1);
	T_EQ_I(flow_init(&f, 10, 0.2, -1, -1), 0);
	T_EQ_I(flow_update(&f, 0, longpx, "1"), -1);
	T_EQ_I(flow_update(&f, 0, "", "1"), -1);
	T_EQ_I(flow_update(&f, 0, "1.0", "-1"), -1);
	T_EQ_I(flow_update(&f, 0, "1.0", "nan"), -1);
	T_EQ_I(flow_update(&f, 0, "1.0", "0.25"), -1);   /* more decimals than qty_exp -1 holds */
	T_EQ_I(flow_update(&f, 0, "0", "1"), -1);        /* no price 0 */
	T_EQ_I(flow_update(&f, 0, NULL, "1"), -1);
	T_EQ_I(flow_merge(&f, 0, "1.0", "x"), -1);
	T_EQ_I(flow_update(&f, 2, "1.0", "1"), -1);
	flow_end_delta(&f, &o);
	T_CHECK(o.bid_flow == 0 && o.ask_flow == 0 && o.flow_ratio == 0);
	T_EQ_U(o.bid_updates + o.ask_updates, 0);
	flow_free(&f);
}

/* More prices than the table holds: it is cleared (counted), never loops. */
static void
t_table_full(void)
{
	struct flow f;
	struct flow_out o;
	char px[32];

	T_EQ_I(flow_init(&f, 10, 0.2, -1, -1), 0);
	for (int i = 0; i < 120000; i++) {
		snprintf(px, sizeof px, "%d", i + 1);   /* no price 0 */
		T_EQ_I(flow_update(&f, 0, px, "1.0"), 0);
	}
	flow_end_delta(&f, &o);
	T_CHECK(f.resets >= 1);
	T_EQ_U(o.bid_updates, 120000);
	flow_free(&f);
}

/* A refresh merge sets sizes but adds no flow, no update and no delta: a
 * later change at its price is measured against the merged size.  The
 * message rule is the record rule (rec_delta_is_merge) on the published ids. */
static void
t_merge(void)
{
	struct flow f;
	struct flow_out o;

	T_EQ_I(flow_init(&f, 5, 0.2, -2, -3), 0);
	T_EQ_I(flow_update(&f, 0, "99.50", "1.000"), 0);
	flow_end_delta(&f, &o);
	T_CHECK(o.bid_flow == 1.0 && o.window_deltas == 1);
	T_EQ_I(flow_merge(&f, 0, "99.50", "4.000"), 0);      /* 1 -> 4 by REST: not flow */
	T_EQ_I(flow_merge(&f, 1, "120.00", "2.500"), 0);     /* a deep ask the consumer had not seen */
	T_EQ_I(flow_update(&f, 0, "99.50", "3.500"), 0);     /* 4 -> 3.5: -0.5, not +2.5 */
	T_EQ_I(flow_update(&f, 1, "120.00", "0"), 0);        /* removal of the merged 2.5 */
	flow_end_delta(&f, &o);
	T_CHECK(o.bid_flow == 0.5 && o.ask_flow == -2.5 && o.window_deltas == 2);
	T_EQ_U(o.bid_updates, 2);
	T_EQ_U(o.ask_updates, 1);
	T_CHECK(o.net_flow == 3.0 && o.flow_ratio == 3.0 / 3.0);
	/* the rule on the message's ids */
	T_CHECK(mlfl_msg_is_merge(11, 11, 2));
	T_CHECK(!mlfl_msg_is_merge(12, 11, 2));   /* a venue update */
	T_CHECK(!mlfl_msg_is_merge(11, 11, 0));   /* a heartbeat: no levels */
	T_CHECK(!mlfl_msg_is_merge(0, 0, 3));     /* a legacy OKX frame: ids 0 */
	T_CHECK(!mlfl_msg_is_merge(5, -1, 3));    /* prev_update_id null */
	flow_free(&f);
}

int
main(void)
{
	T_RUN(t_changes);
	T_RUN(t_window);
	T_RUN(t_bad_input);
	T_RUN(t_table_full);
	T_RUN(t_merge);
	return t_done();
}
