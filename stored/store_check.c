/* store_check.c - the continuity rule of the bookd contract and the gap ledger. */
#include "store.h"

#include <string.h>

void
store_check_init(struct store_check *c)
{
	memset(c, 0, sizeof *c);
	c->last_id = -1;
}

void
store_check_corrupt(struct store_check *c)
{
	c->pending_corrupt = 1;
}

static void
on_event(struct store_check *c, const struct rec_event *e)
{
	switch (e->code) {
	case EV_GAP:
		c->gap_events++;
		c->pending_ev = e->code;
		break;
	case EV_RING_LOSS:
	case EV_NATS_LOSS:
		c->loss_events++;
		c->pending_ev = e->code;
		break;
	case EV_RESYNC:
		c->resync_events++;
		c->pending_ev = e->code;
		break;
	default:
		break;
	}
}

int
store_check_rec(struct store_check *c, const struct rec_hdr *h, struct store_gap *gap)
{
	int64_t t = store_rec_time(h);
	int broke = 0;

	c->records++;
	if (!c->first_ns || t < c->first_ns)
		c->first_ns = t;
	if (t > c->last_ns)
		c->last_ns = t;
	switch (h->type) {
	case REC_SNAPSHOT: {
		const struct rec_snapshot *s = (const struct rec_snapshot *)h;
		c->snapshots++;
		if (s->kind == SNAP_TOPN)
			c->snap_topn++;
		if (s->kind != SNAP_FULL)
			break;
		c->snap_full++;
		if (s->reason == SNAP_R_SYNC || s->reason == SNAP_R_RESYNC) {
			/* A new epoch: whatever came before is no longer the reference. */
			if (s->chunk == 0)
				c->epochs++;
			c->in_epoch = 1;
			c->last_id = h->last_id;
			c->pending_ev = 0;
			c->pending_corrupt = 0;
		} else if (c->in_epoch && s->chunk + 1 == s->nchunks && h->last_id != c->last_id) {
			/* A periodic full book must be at the id of the last delta. */
			broke = 1;
		}
		break;
	}
	case REC_DELTA:
		c->deltas++;
		if (!c->in_epoch) {
			c->unanchored++;
			break;
		}
		if (h->prev_id != c->last_id)
			broke = 1;
		break;
	case REC_TRADE:
		c->trades++;
		break;
	case REC_TICKER:
		c->tickers++;
		break;
	case REC_KLINE:
		c->klines++;
		break;
	case REC_MARKET:
		c->markets++;
		break;
	case REC_EVENT:
		c->events++;
		on_event(c, (const struct rec_event *)h);
		break;
	case REC_RAW:
		c->raws++;
		break;
	default:
		break;
	}
	if (broke) {
		memset(gap, 0, sizeof *gap);
		gap->t_ns = t;
		gap->expected_prev = c->last_id;
		gap->got_prev = h->type == REC_DELTA ? h->prev_id : h->last_id;
		gap->got_first = h->first_id;
		gap->got_last = h->last_id;
		gap->recorded = c->pending_ev || c->pending_corrupt;
		gap->ev_code = c->pending_ev;
		if (gap->recorded)
			c->gaps_recorded++;
		else
			c->gaps_unexplained++;
	}
	if (h->type == REC_DELTA && c->in_epoch) {
		c->last_id = h->last_id;
		c->pending_ev = 0;
		c->pending_corrupt = 0;
	}
	return broke;
}
