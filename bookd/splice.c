/* splice.c - see splice.h: the Binance deep refresh, its splice and its audit. */
#include "splice.h"

#include <stdlib.h>
#include <string.h>

#include "fx.h"
#include "jitter.h"
#include "log.h"

int
sp_init(struct bk *k)
{
	struct bk_log *g = &k->log;
	int64_t keep = (k->cfg->snapshot_timeout_ns + k->cfg->refresh_hold_ns) / 1000000000 + SP_KEEP_SLACK_S;

	memset(g, 0, sizeof *g);
	if (!k->ops->splice)
		return 0;
	g->max = SP_LOG_CAP;
	g->keep_s = keep > INT32_MAX ? INT32_MAX : (uint32_t)keep;
	g->floor = -1;
	k->rng = 0x9e3779b97f4a7c15ULL ^ k->in->id;
	return 0;
}

/* Move the ring into a new array of cap entries (>= n), oldest first. */
static int
relocate(struct bk_log *g, uint32_t cap)
{
	struct bk_change *e = malloc((size_t)cap * sizeof *e);
	int64_t *sc = malloc((size_t)cap * sizeof *sc);

	if (!e || !sc) {
		free(e);
		free(sc);
		return -1;
	}
	for (uint32_t i = 0; i < g->n; i++)
		e[i] = g->e[(g->head + i) % g->cap];
	free(g->e);
	free(g->scratch);
	g->e = e;
	g->scratch = sc;
	g->cap = cap;
	g->head = 0;
	return 0;
}

int
sp_grow(struct bk *k)
{
	struct bk_log *g = &k->log;
	uint32_t cap = g->cap ? g->cap * 2 : SP_LOG_MIN;

	if (g->cap >= g->max)
		return -1;
	if (cap > g->max)
		cap = g->max;
	if (relocate(g, cap) < 0) {
		log_error("out of memory growing the change log", "symbol=%s entries=%u", k->in->symbol, cap);
		if (g->n == 0 && g->cap == 0)
			g->floor = k->id;  /* what is not noted cannot be spliced around */
		return -1;
	}
	return 0;
}

void
sp_free(struct bk *k)
{
	free(k->log.e);
	free(k->log.scratch);
	free(k->held);
	k->held = NULL;
	memset(&k->log, 0, sizeof k->log);
}

void
sp_reset(struct bk *k, int64_t floor)
{
	k->log.head = k->log.n = 0;
	k->log.floor = floor;
	for (int side = 0; side < 2; side++)
		k->refresh_base[side] = bk_exact_levels(k, side);
}

void
sp_synced(struct bk *k, int64_t now)
{
	if (k->log.max && k->cfg->refresh_interval_ns > 0) {
		k->next_refresh_ns = now + jitter10(&k->rng, k->cfg->refresh_interval_ns);
		/* a fresh sync is exact to the snapshot's depth: no early refresh
		 * before the min interval either */
		k->next_early_ns = now + k->cfg->refresh_min_ns;
	}
}

static void
drop_held(struct bk *k)
{
	if (k->held) {
		k->st.refresh_dropped++;
		free(k->held);
		k->held = NULL;
	}
}

void
sp_unsync(struct bk *k)
{
	k->refresh_req_id = 0;
	drop_held(k);
}

int
sp_failed(struct bk *k, uint32_t req_id)
{
	if (!k->refresh_req_id || req_id != k->refresh_req_id)
		return 0;
	k->refresh_req_id = 0;
	k->st.refresh_refused++;
	return 1;
}

static int
better(int side, int64_t a, int64_t b)
{
	return side == BOOK_BID ? a > b : a < b;
}

/* px lies inside the range bounded by edge (bids: px >= edge; asks: px <= edge) */
static int
inside(int side, int64_t px, int64_t edge)
{
	return side == BOOK_BID ? px >= edge : px <= edge;
}

static int
cmp_px(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Prices of side changed by updates with id > L, sorted, into the scratch. */
static uint32_t
touched(struct bk *k, int side, int64_t L)
{
	const struct bk_log *g = &k->log;
	uint32_t n = 0;

	for (uint32_t i = 0; i < g->n; i++) {
		const struct bk_change *c = &g->e[(g->head + i) % g->cap];
		if (c->side == side && c->id > L)
			g->scratch[n++] = c->px;
	}
	qsort(g->scratch, n, sizeof *g->scratch, cmp_px);
	return n;
}

static int
is_touched(const int64_t *t, uint32_t n, int64_t px)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (t[mid] < px)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && t[lo] == px;
}

struct disc {
	uint32_t n;
	int side;
	int64_t px, local, refresh;
};

/* One side: the changes the refresh makes (into out, returns how many) and
 * the discrepancies inside the previous exact range (old_edge, 0 = none). */
static uint32_t
side_changes(struct bk *k, int side, const struct rec_level *rv, uint32_t rn, int64_t L, int64_t old_edge,
    struct rec_level *out, struct disc *dc)
{
	struct book_iter it;
	const struct rec_level *l;
	uint32_t nt, j = 0, o = 0;
	int64_t bound;

	if (rn == 0)
		return 0;
	bound = rv[rn - 1].px;
	nt = touched(k, side, L);
	book_iter_begin(k->book, side, &it);
	l = book_iter_next(&it, NULL);
	for (;;) {
		int64_t px, lq, rq;
		if (l && !inside(side, l->px, bound))
			l = NULL;            /* best first: the rest of the side is outside too */
		if (!l && j >= rn)
			break;
		if (l && (j >= rn || better(side, l->px, rv[j].px))) {
			px = l->px, lq = l->qty, rq = 0;
			l = book_iter_next(&it, NULL);
		} else if (l && l->px == rv[j].px) {
			px = l->px, lq = l->qty, rq = rv[j++].qty;
			l = book_iter_next(&it, NULL);
		} else {
			px = rv[j].px, lq = 0, rq = rv[j++].qty;
		}
		if (lq == rq || is_touched(k->log.scratch, nt, px))
			continue;
		if (old_edge && inside(side, px, old_edge) && dc->n++ == 0) {
			dc->side = side;
			dc->px = px;
			dc->local = lq;
			dc->refresh = rq;
		}
		out[o].px = px;
		out[o++].qty = rq;
	}
	return o;
}

/* 1 when the refresh's levels are usable: positive, strictly best first. */
static int
valid(const struct rec_snapshot *s)
{
	const struct rec_level *lv = s->lv;

	if (s->nchunks > 1)
		return 0;
	for (uint32_t i = 0; i < s->n_bids + s->n_asks; i++) {
		int side = i < s->n_bids ? BOOK_BID : BOOK_ASK;
		if (lv[i].px <= 0 || lv[i].qty <= 0)
			return 0;
		if (i != 0 && i != s->n_bids && !better(side, lv[i - 1].px, lv[i].px))
			return 0;
	}
	return 1;
}

static void
report_discrepancy(struct bk *k, const struct disc *dc, int64_t L, int64_t now)
{
	char px[FX_STR_MAX], lq[FX_STR_MAX], rq[FX_STR_MAX];

	fx_format(dc->px, k->in->px_exp, FX_TRIM, px, sizeof px);
	fx_format(dc->local, k->in->qty_exp, FX_TRIM, lq, sizeof lq);
	fx_format(dc->refresh, k->in->qty_exp, FX_TRIM, rq, sizeof rq);
	k->st.refresh_discrepancies += dc->n;
	bk_event(k, EV_REFRESH_DISCREPANCY, SEV_ERROR, dc->n, dc->px, dc->refresh,
	    "refresh %lld: %s %s book %s refresh %s (%u levels differ)", (long long)L,
	    book_side_name(dc->side), px, lq, rq, dc->n);
	bk_resync(k, "refresh discrepancy", now);
}

/* Splice refresh s (L <= book id, L >= log floor) into the synced book. */
static void
splice(struct bk *k, const struct rec_snapshot *s, int64_t now)
{
	const struct rec_level *rb = s->lv, *ra = s->lv + s->n_bids;
	int64_t L = s->h.last_id, old[2] = {k->edge_px[BOOK_BID], k->edge_px[BOOK_ASK]};
	size_t need = (size_t)book_count(k->book, BOOK_BID) + book_count(k->book, BOOK_ASK) + s->n_bids + s->n_asks;
	struct rec_level *cb, *ca;
	struct disc dc = {0};
	uint32_t ncb, nca;

	cb = malloc((need ? need : 1) * sizeof *cb);
	if (!cb) {
		log_error("out of memory splicing a refresh", "symbol=%s", k->in->symbol);
		k->st.refresh_dropped++;
		return;
	}
	ncb = side_changes(k, BOOK_BID, rb, s->n_bids, L, old[BOOK_BID], cb, &dc);
	ca = cb + ncb;
	nca = side_changes(k, BOOK_ASK, ra, s->n_asks, L, old[BOOK_ASK], ca, &dc);
	if (dc.n) {
		free(cb);
		report_discrepancy(k, &dc, L, now);
		return;
	}
	/* the union of the two exact ranges, then evictions move it inwards */
	if (s->n_bids) {
		int64_t lo = rb[s->n_bids - 1].px;
		k->edge_px[BOOK_BID] = old[BOOK_BID] && old[BOOK_BID] < lo ? old[BOOK_BID] : lo;
	}
	if (s->n_asks) {
		int64_t hi = ra[s->n_asks - 1].px;
		k->edge_px[BOOK_ASK] = old[BOOK_ASK] > hi ? old[BOOK_ASK] : hi;
	}
	for (uint32_t i = 0; i < ncb + nca; i++) {
		int side = i < ncb ? BOOK_BID : BOOK_ASK;
		int r = book_apply_id(k->book, side, cb[i].px, cb[i].qty, L);
		if (r == BOOK_DROPPED || r == BOOK_EVICTED) {
			uint32_t c = book_count(k->book, side);
			bk_edge_narrow(k, side, book_level(k->book, side, c - 1)->px);
			k->st.truncated++;
		}
	}
	k->st.refreshes++;
	for (int side = 0; side < 2; side++)
		k->refresh_base[side] = bk_exact_levels(k, side);
	bk_emit_changes(k, s, cb, ncb, ca, nca);
	free(cb);
	bk_emit_snapshot(k, SNAP_FULL, SNAP_R_PERIODIC, now);
	k->last_full_ns = now;
	log_debug("refresh spliced", "symbol=%s last_id=%lld book_id=%lld changes_bid=%u changes_ask=%u",
	    k->in->symbol, (long long)L, (long long)k->id, ncb, nca);
}

int
sp_answer(struct bk *k, const struct rec_snapshot *s, int64_t now)
{
	if (!k->log.max || k->state != BK_SYNCED)
		return 0;
	if (s->req_id && s->req_id != k->refresh_req_id)
		return 0;
	if (s->req_id)
		k->refresh_req_id = 0;
	if (!valid(s)) {
		k->st.snap_bad++;
		k->st.refresh_dropped++;
		log_warn("refresh snapshot unusable (order, price or quantity)", "symbol=%s", k->in->symbol);
		return 1;
	}
	if (s->h.last_id < k->log.floor) {
		k->st.refresh_too_old++;
		log_info("refresh older than the change log: dropped", "symbol=%s last_id=%lld floor=%lld",
		    k->in->symbol, (long long)s->h.last_id, (long long)k->log.floor);
		return 1;
	}
	if (s->h.last_id > k->id) {
		struct rec_snapshot *c = malloc(s->h.len);
		if (!c) {
			k->st.refresh_dropped++;
			return 1;
		}
		memcpy(c, s, s->h.len);
		drop_held(k);
		k->held = c;
		k->held_ns = now;
		k->st.refresh_held++;
		return 1;
	}
	splice(k, s, now);
	return 1;
}

void
sp_after_apply(struct bk *k, int64_t now)
{
	struct rec_snapshot *s = k->held;

	if (!s || k->id < s->h.last_id || k->state != BK_SYNCED)
		return;
	k->held = NULL;
	splice(k, s, now);
	free(s);
}

/*
 * 1 when a side's exact range has decayed below deep_refresh_below_pct of
 * what a refresh can make exact: the least of the target (expected_levels),
 * the refresh's own depth (a limit=1000 refresh never reaches 5000) and the
 * exact levels right after the last sync or splice (a thin venue book is all
 * exact at fewer; the levels held are no measure: when the price falls, bids
 * leave at the touch and nothing need arrive beyond the floor).  Between two
 * interval refreshes the price drifts away from the snapshot's range: on the
 * side it moves towards, exact levels leave at the touch and what appears
 * beyond the far edge is unknown (bookd/README.md "Binance deep refresh");
 * waiting for the interval lets a fast market take the side below
 * min_depth_pct.
 */
static int
decayed(const struct bk *k)
{
	uint32_t pct = k->cfg->refresh_below_pct, want = bk_expected_levels(k);

	if (!pct)
		return 0;
	if (k->cfg->binance_depth < want)
		want = k->cfg->binance_depth;
	for (int side = 0; side < 2; side++) {
		uint32_t t = k->refresh_base[side] < want ? k->refresh_base[side] : want;
		if ((uint64_t)bk_exact_levels(k, side) * 100 < (uint64_t)t * pct)
			return 1;
	}
	return 0;
}

void
sp_tick(struct bk *k, int64_t now)
{
	int early;

	if (!k->log.max || k->state != BK_SYNCED)
		return;
	/* let go of every change past keeping (sp_note lets go of one per new
	 * change, so a quiet book would hold a burst forever), then a log that
	 * shrank gives its memory back, keeping room for twice what it holds */
	{
		struct bk_log *g = &k->log;
		uint32_t t = (uint32_t)(now / 1000000000);
		while (g->n > SP_LOG_MIN && (int32_t)(t - g->e[g->head].t) > (int32_t)g->keep_s) {
			g->floor = g->e[g->head].id;
			g->head = (g->head + 1) % g->cap;
			g->n--;
		}
	}
	if (k->log.cap > SP_LOG_MIN && k->log.n <= k->log.cap / 4)
		(void)relocate(&k->log, k->log.n * 2 > SP_LOG_MIN ? k->log.n * 2 : SP_LOG_MIN);
	if (k->held && now - k->held_ns > k->cfg->refresh_hold_ns) {
		k->st.refresh_hold_timeouts++;
		log_info("refresh ahead of the stream not reached in time: dropped", "symbol=%s last_id=%lld id=%lld",
		    k->in->symbol, (long long)k->held->h.last_id, (long long)k->id);
		free(k->held);
		k->held = NULL;
	}
	if (k->refresh_req_id && now - k->refresh_sent_ns > k->cfg->snapshot_timeout_ns) {
		k->st.req_timeouts++;
		k->refresh_req_id = 0;
	}
	if (k->cfg->refresh_interval_ns <= 0 || k->refresh_req_id || k->held)
		return;
	/* early: the exact range decayed, and the last request (sent, refused or
	 * answered) is at least deep_refresh_min_interval old, so one book costs
	 * at most a refresh per min interval whatever the market does (feedd
	 * still refuses one that would take a resync's room) */
	early = now < k->next_refresh_ns;
	if (early && (now < k->next_early_ns || !decayed(k)))
		return;
	if (++k->cfg->req_seq == 0)
		k->cfg->req_seq = 1;
	k->refresh_req_id = k->cfg->req_seq;
	k->refresh_sent_ns = now;
	k->next_refresh_ns = now + jitter10(&k->rng, k->cfg->refresh_interval_ns);
	/* jitter only upwards (min .. min + 22 %): never more often than the
	 * budget arithmetic allows, and books that decay together drift apart */
	k->next_early_ns = now + jitter10(&k->rng, k->cfg->refresh_min_ns + k->cfg->refresh_min_ns / 9);
	k->st.refresh_requests++;
	k->st.refresh_early += (uint64_t)early;
	bk_send_control(k, CTL_SNAPSHOT, CTL_F_REFRESH, k->refresh_req_id, k->cfg->binance_depth, "deep refresh");
}
