/*
 * bbo.c - cross-check of Binance bookTicker against the book.
 *
 * bookTicker's u is in the depth stream's id space, but depth events cover
 * id ranges [U;u], so the book's top is only known at ids that end a depth
 * event.  The keeper remembers the top after each of the last BK_BBO_HIST
 * applied events; a ticker for an id the book has passed is compared with
 * that history, one for an id still ahead waits (up to BK_BBO_HIST) until the
 * book reaches or passes it.  No exact id match: not comparable (counted).
 */
#include "sync.h"

#include <string.h>

void
bbo_reset(struct bk *k)
{
	k->st.bbo_nc += k->bbo_pend_n;
	k->bbo_pend_n = 0;
	k->bbo_pend_head = 0;
	k->bbo_hist_n = 0;
	k->bbo_hist_next = 0;
}

static void
compare(struct bk *k, const struct bk_bbo *t, int64_t now)
{
	const struct bk_bbo *h = NULL;

	for (uint32_t i = 0; i < k->bbo_hist_n; i++)
		if (k->bbo_hist[i].id == t->id) {
			h = &k->bbo_hist[i];
			break;
		}
	if (!h) {
		k->st.bbo_nc++;
		return;
	}
	if (h->bid_px == t->bid_px && h->bid_qty == t->bid_qty && h->ask_px == t->ask_px &&
	    h->ask_qty == t->ask_qty) {
		k->st.bbo_agree++;
		return;
	}
	k->st.bbo_disagree++;
	if (k->pace_ns[BK_PACE_BBO] && now - k->pace_ns[BK_PACE_BBO] < k->cfg->event_interval_ns) {
		k->pace_suppressed[BK_PACE_BBO]++;
		return;
	}
	bk_event(k, EV_BBO_MISMATCH, SEV_WARN, 0, t->id, h->id,
	    "bookTicker at %lld: bid %lld/%lld ask %lld/%lld, book: bid %lld/%lld ask %lld/%lld (%llu suppressed)",
	    (long long)t->id, (long long)t->bid_px, (long long)t->bid_qty, (long long)t->ask_px,
	    (long long)t->ask_qty, (long long)h->bid_px, (long long)h->bid_qty, (long long)h->ask_px,
	    (long long)h->ask_qty, (unsigned long long)k->pace_suppressed[BK_PACE_BBO]);
	k->pace_ns[BK_PACE_BBO] = now ? now : 1;
	k->pace_suppressed[BK_PACE_BBO] = 0;
}

void
bbo_after_apply(struct bk *k, int64_t now)
{
	struct bk_bbo *h = &k->bbo_hist[k->bbo_hist_next];

	h->id = k->id;
	book_best(k->book, BOOK_BID, &h->bid_px, &h->bid_qty);
	book_best(k->book, BOOK_ASK, &h->ask_px, &h->ask_qty);
	k->bbo_hist_next = (k->bbo_hist_next + 1) % BK_BBO_HIST;
	if (k->bbo_hist_n < BK_BBO_HIST)
		k->bbo_hist_n++;
	while (k->bbo_pend_n && k->bbo_pend[k->bbo_pend_head].id <= k->id) {
		compare(k, &k->bbo_pend[k->bbo_pend_head], now);
		k->bbo_pend_head = (k->bbo_pend_head + 1) % BK_BBO_HIST;
		k->bbo_pend_n--;
	}
}

void
bbo_ticker(struct bk *k, const struct rec_ticker *t, int64_t now)
{
	struct bk_bbo b;

	if (k->state != BK_SYNCED) {
		k->st.bbo_nc++;
		return;
	}
	b.id = t->h.last_id;
	b.bid_px = t->bid_px;
	b.bid_qty = t->bid_qty;
	b.ask_px = t->ask_px;
	b.ask_qty = t->ask_qty;
	if (b.id <= k->id) {
		compare(k, &b, now);
		return;
	}
	if (k->bbo_pend_n == BK_BBO_HIST) {
		k->st.bbo_nc++;   /* oldest waiting ticker given up */
		k->bbo_pend_head = (k->bbo_pend_head + 1) % BK_BBO_HIST;
		k->bbo_pend_n--;
	}
	k->bbo_pend[(k->bbo_pend_head + k->bbo_pend_n) % BK_BBO_HIST] = b;
	k->bbo_pend_n++;
}
