/*
 * test_feedd_budget.c - feedd's request-weight budget (feedd/budget.h) and
 * reconnect backoff (feedd/backoff.h), on simulated time.
 */
#include <stdlib.h>
#include <string.h>

#include "../t.h"
#include "../../feedd/backoff.h"
#include "../../feedd/budget.h"

#define MS 1000000LL
#define S 1000000000LL

/* A storm of requests of mixed weights, each started as soon as budget_wait
 * allows: no window of any alignment ever holds more than the limit, and
 * the budget is not wasted (every wait ends with the request fitting). */
static void
t_budget_never_exceeded(void)
{
	enum { N = 3000 };
	static int64_t t[N], w[N];
	struct budget b;
	int64_t now = 5 * S, limit = 4800, win = 60 * S;
	uint64_t rng = 12345;
	int n = 0, violations = 0, waits_exact = 1;

	budget_init(&b, limit, win);
	while (n < N) {
		int64_t weight, wait;
		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		weight = (int64_t[]){5, 25, 50, 250, 250, 20}[(rng >> 33) % 6];
		wait = budget_wait(&b, now, weight);
		T_CHECK(wait >= 0);
		if (wait > 0) {
			/* just before the wait ends it must still refuse */
			if (wait > 1 && budget_wait(&b, now + wait - 1, weight) == 0)
				waits_exact = 0;
			now += wait;
			T_EQ_I(budget_wait(&b, now, weight), 0);
		}
		budget_spend(&b, now, weight);
		t[n] = now;
		w[n] = weight;
		n++;
		now += (int64_t)((rng >> 20) % (200 * MS));
	}
	/* every window (start at each spend) within the limit */
	for (int i = 0; i < n; i++) {
		int64_t sum = 0;
		for (int j = i; j < n && t[j] < t[i] + win; j++)
			sum += w[j];
		if (sum > limit)
			violations++;
	}
	T_EQ_I(violations, 0);
	T_CHECK(waits_exact);
	T_CHECK(t[n - 1] - t[0] > 20 * win);   /* the storm really was throttled */
}

static void
t_budget_block_and_server(void)
{
	struct budget b;
	int64_t now = 100 * S;

	budget_init(&b, 1000, 60 * S);
	T_EQ_I(budget_wait(&b, now, 250), 0);
	budget_block(&b, now + 7 * S);            /* 429 Retry-After: 7 */
	T_EQ_I(budget_wait(&b, now, 250), 7 * S);
	T_EQ_I(budget_wait(&b, now + 7 * S, 250), 0);
	T_EQ_I(budget_wait(&b, now, 1001), -1);   /* never fits */
	/* the venue counts 900 used (other clients): a 250 waits a window */
	budget_server_used(&b, now + 8 * S, 900);
	T_EQ_I(budget_wait(&b, now + 8 * S, 250), 60 * S);
	T_EQ_I(budget_wait(&b, now + 8 * S, 50), 0);
	T_EQ_I(budget_wait(&b, now + 68 * S, 250), 0);
	budget_set_limit(&b, 100);
	T_EQ_I(budget_wait(&b, now + 70 * S, 250), -1);
}

static void
t_budget_slots(void)
{
	struct budget b;
	int64_t now = S;

	/* more spends than slots: refused until the oldest leaves the window */
	budget_init(&b, 1 << 30, S);
	for (int i = 0; i < BUDGET_SLOTS; i++) {
		T_EQ_I(budget_wait(&b, now + i, 1), 0);
		budget_spend(&b, now + i, 1);
	}
	T_EQ_I(budget_wait(&b, now + BUDGET_SLOTS, 1), S - BUDGET_SLOTS);
	T_EQ_I(budget_used(&b, now + BUDGET_SLOTS), BUDGET_SLOTS);
	T_EQ_I(budget_used(&b, now + S + BUDGET_SLOTS), 0);
}

static void
t_backoff(void)
{
	struct backoff b;
	int64_t prev = 0;

	backoff_init(&b, 100 * MS, 3 * S, 0, 1);
	T_EQ_I(backoff_next(&b), 100 * MS);
	T_EQ_I(backoff_next(&b), 200 * MS);
	T_EQ_I(backoff_next(&b), 400 * MS);
	T_EQ_I(backoff_next(&b), 800 * MS);
	T_EQ_I(backoff_next(&b), 1600 * MS);
	T_EQ_I(backoff_next(&b), 3 * S);
	T_EQ_I(backoff_next(&b), 3 * S);
	backoff_reset(&b);
	T_EQ_I(backoff_next(&b), 100 * MS);

	/* jitter: within [d, d * 1.25], not all equal, and growing */
	backoff_init(&b, 100 * MS, 100 * S, 25, 42);
	for (int i = 0; i < 8; i++) {
		int64_t base = (100 * MS) << i, d = backoff_next(&b);
		T_CHECK(d >= base && d <= base + base / 4);
		T_CHECK(d > prev);
		prev = d;
	}
	{
		int distinct = 0;
		int64_t first = -1;
		for (int i = 0; i < 20; i++) {
			struct backoff c;
			int64_t d;
			backoff_init(&c, S, 60 * S, 25, (uint64_t)i + 1);
			d = backoff_next(&c);
			if (first < 0)
				first = d;
			else if (d != first)
				distinct = 1;
		}
		T_CHECK(distinct);
	}
}

/* A deep refresh (optional) never spends budget a resync needs: with
 * refreshes asked every second and resyncs arriving at random, every
 * accepted refresh still leaves room for one resync per book, a resync is
 * never made to wait by refreshes, and refreshes stop when resyncs use the
 * budget. */
static void
t_budget_refresh_keeps_room(void)
{
	struct budget b;
	int64_t now = 10 * S, w = 250, books = 2, limit = 4800;
	uint64_t rng = 777;
	int refreshes = 0, refused = 0, resync_waits = 0, room_violations = 0;

	budget_init(&b, limit, 60 * S);
	for (int step = 0; step < 3600; step++, now += S) {
		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		/* a resync storm in minutes 20-29: up to 4 per second, as the budget allows */
		if (step >= 1200 && step < 1800) {
			for (int i = 0; i < 4; i++)
				if (budget_wait(&b, now, w) == 0)
					budget_spend(&b, now, w);
		} else if ((rng >> 33) % 100 == 0) {
			/* an occasional resync: refreshes alone never make it wait */
			if (budget_wait(&b, now, w) != 0)
				resync_waits++;
			else
				budget_spend(&b, now, w);
		}
		if (budget_spare(&b, now, w, w * books)) {
			budget_spend(&b, now, w);
			refreshes++;
			if (budget_wait(&b, now, w * books) != 0)
				room_violations++;
		} else {
			refused++;
		}
	}
	T_EQ_I(room_violations, 0);
	T_EQ_I(resync_waits, 0);
	T_CHECK(refreshes > 0 && refused > 0);
	/* at the limit minus a resync, a refresh is refused, a resync is not */
	budget_init(&b, limit, 60 * S);
	budget_spend(&b, now, limit - 2 * w);
	T_CHECK(!budget_spare(&b, now, w, w * books));
	T_EQ_I(budget_wait(&b, now, w), 0);
	T_CHECK(budget_spare(&b, now + 60 * S, w, w * books));
}

/* deep_interval = auto (feedd/README.md): OKX books-full 5 per 2 s, one kept */
static void
t_budget_poll_interval(void)
{
	T_EQ_I(budget_poll_interval(5, 2 * S, 2, 1, S), 1 * S);        /* 2 x 2 s / 4 */
	T_EQ_I(budget_poll_interval(5, 2 * S, 4, 1, S), 2 * S);
	T_EQ_I(budget_poll_interval(5, 2 * S, 1, 1, S), 1 * S);        /* 0.5 s: the venue refreshes once a second */
	T_EQ_I(budget_poll_interval(10, 2 * S, 9, 1, S), 2 * S);       /* the venue's own limit: 9 x 2 s / 9 */
	T_EQ_I(budget_poll_interval(1, 2 * S, 3, 1, S), 6 * S);        /* nothing left to keep: one a window */
	/* the interval never spends more than limit - keep a window */
	for (int n = 1; n < 50; n++) {
		int64_t iv = budget_poll_interval(5, 2 * S, n, 1, S);
		T_CHECK((double)n * 2 * S / (double)iv <= 4.0 + 1e-9);
	}
}

int
main(void)
{
	T_RUN(t_budget_never_exceeded);
	T_RUN(t_budget_block_and_server);
	T_RUN(t_budget_refresh_keeps_room);
	T_RUN(t_budget_slots);
	T_RUN(t_backoff);
	T_RUN(t_budget_poll_interval);
	return t_done();
}
