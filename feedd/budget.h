/*
 * budget.h - a request-weight budget over a sliding window (Binance
 * REQUEST_WEIGHT, OKX request counts), plus venue-imposed pauses.
 *
 * Every spend is remembered with its time; a request of weight w may start
 * at `now` only if the weights spent in (now - window, now] plus w stay
 * within the limit.  A sliding window that never exceeds the limit means no
 * fixed window the venue may use (Binance counts per minute) can exceed it
 * either.  budget_wait() says how long until the request fits, exactly, so
 * the caller can sleep instead of polling.  Pure logic: time is passed in.
 */
#ifndef MP_FEEDD_BUDGET_H
#define MP_FEEDD_BUDGET_H

#include <stdint.h>

#define BUDGET_SLOTS 1024   /* spends remembered per window (more -> refused until some expire) */

struct budget {
	int64_t window_ns;
	int64_t limit;            /* weight allowed per window */
	int64_t sum;              /* weight spent inside the window */
	int64_t blocked_until;    /* venue said wait (Retry-After) until this */
	int64_t extra, extra_until; /* weight the venue reports beyond ours (other clients) */
	int head, n;
	int64_t t[BUDGET_SLOTS];
	int32_t w[BUDGET_SLOTS];
};

void budget_init(struct budget *b, int64_t limit, int64_t window_ns);
void budget_set_limit(struct budget *b, int64_t limit);
/* ns to wait before `weight` may be spent at `now`: 0 = now, -1 = never
 * (weight larger than the whole limit). */
int64_t budget_wait(struct budget *b, int64_t now, int64_t weight);
/* 1 when `weight` may be spent now and `reserve` more still fits in the same
 * window afterwards: an optional request (a Binance deep refresh) never takes
 * budget the requests that must happen (resyncs) need. */
int budget_spare(struct budget *b, int64_t now, int64_t weight, int64_t reserve);
/* Record a spend (the caller checked budget_wait() == 0). */
void budget_spend(struct budget *b, int64_t now, int64_t weight);
/* The venue asked for a pause (429/418 Retry-After): nothing until `until`. */
void budget_block(struct budget *b, int64_t until);
/* The venue reported `used` weight in its current window (X-MBX-USED-WEIGHT-1M):
 * what it counts beyond our own spends is reserved for one window. */
void budget_server_used(struct budget *b, int64_t now, int64_t used);
/*
 * The shortest interval at which n requests of weight 1 each (one per
 * instrument, polled in turn) fit `limit` requests per window_ns with
 * `keep` of every window left for requests made on demand, never below
 * min_ns (the venue refreshes the data no faster).  OKX books-full (feedd
 * deep_interval = auto): limit okx_full_rate, keep 1, min 1 s.
 */
int64_t budget_poll_interval(int64_t limit, int64_t window_ns, int n, int64_t keep, int64_t min_ns);
/* Weight spent in the window ending at now. */
int64_t budget_used(struct budget *b, int64_t now);

#endif
