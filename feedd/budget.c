/* budget.c - sliding-window request-weight budget; see budget.h. */
#include "budget.h"

#include <string.h>

void
budget_init(struct budget *b, int64_t limit, int64_t window_ns)
{
	memset(b, 0, sizeof *b);
	b->limit = limit;
	b->window_ns = window_ns;
}

void
budget_set_limit(struct budget *b, int64_t limit)
{
	b->limit = limit;
}

static void
expire(struct budget *b, int64_t now)
{
	while (b->n && b->t[b->head] <= now - b->window_ns) {
		b->sum -= b->w[b->head];
		b->head = (b->head + 1) % BUDGET_SLOTS;
		b->n--;
	}
	if (b->extra && now >= b->extra_until)
		b->extra = 0;
}

int64_t
budget_used(struct budget *b, int64_t now)
{
	expire(b, now);
	return b->sum;
}

int64_t
budget_wait(struct budget *b, int64_t now, int64_t weight)
{
	int64_t need, freed = 0, wait = 0;
	int i;

	expire(b, now);
	if (weight > b->limit)
		return -1;
	if (b->blocked_until > now)
		wait = b->blocked_until - now;
	if (b->extra && b->sum + b->extra + weight > b->limit && b->extra_until - now > wait)
		wait = b->extra_until - now;
	need = b->sum + weight - b->limit;
	if (need <= 0 && b->n < BUDGET_SLOTS)
		return wait;
	/* the oldest spends that must leave the window first */
	for (i = 0; i < b->n; i++) {
		int s = (b->head + i) % BUDGET_SLOTS;
		freed += b->w[s];
		if (freed >= need && b->n - i - 1 < BUDGET_SLOTS) {
			int64_t t = b->t[s] + b->window_ns - now;
			return t > wait ? t : wait;
		}
	}
	return wait;
}

int
budget_spare(struct budget *b, int64_t now, int64_t weight, int64_t reserve)
{
	return budget_wait(b, now, weight + reserve) == 0;
}

void
budget_spend(struct budget *b, int64_t now, int64_t weight)
{
	int s;

	expire(b, now);
	if (b->n == BUDGET_SLOTS) {
		/* cannot happen after budget_wait() == 0; keep the sum honest */
		b->sum -= b->w[b->head];
		b->head = (b->head + 1) % BUDGET_SLOTS;
		b->n--;
	}
	s = (b->head + b->n) % BUDGET_SLOTS;
	b->t[s] = now;
	b->w[s] = (int32_t)weight;
	b->n++;
	b->sum += weight;
}

void
budget_block(struct budget *b, int64_t until)
{
	if (until > b->blocked_until)
		b->blocked_until = until;
}

void
budget_server_used(struct budget *b, int64_t now, int64_t used)
{
	expire(b, now);
	if (used > b->sum) {
		b->extra = used - b->sum;
		b->extra_until = now + b->window_ns;
	}
}

int64_t
budget_poll_interval(int64_t limit, int64_t window_ns, int n, int64_t keep, int64_t min_ns)
{
	int64_t usable = limit - keep, iv;

	if (usable < 1)
		usable = 1;   /* nothing to keep: polling still gets one a window */
	if (n < 1)
		n = 1;
	/* n polls per interval at `usable` per window: interval = n * window / usable */
	iv = (window_ns * n + usable - 1) / usable;
	return iv < min_ns ? min_ns : iv;
}
