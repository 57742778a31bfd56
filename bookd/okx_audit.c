/*
 * okx_audit.c - top-N (OKX books5 / bbo-tbt, Bybit orderbook.1) and REST
 * window audits; the rules are in okx_audit.h.  Everything is placed by
 * audit id (bk_audit_id: OKX seqId, Bybit seq), k->aid for the book.
 */
#include "okx_audit.h"

#include <stdlib.h>
#include <string.h>

#include "fx.h"
#include "jitter.h"
#include "log.h"

/* The book's top at one seqId: bids lv[0..nb), asks lv[OA_TOP..OA_TOP+na). */
struct oa_top {
	int64_t id;
	uint32_t nb, na;
	struct rec_level lv[2 * OA_TOP];
};

/* The REST window audit's interval and depth, from the venue's row. */
static int64_t
interval(const struct bk *k)
{
	return k->ops->audit_interval ? k->ops->audit_interval(k->cfg) : 0;
}

static uint32_t
depth(const struct bk *k)
{
	return k->ops->audit_depth ? k->ops->audit_depth(k->cfg) : k->cfg->okx_depth;
}

/* A record's audit id cannot place it: the venue's id is missing (Bybit
 * without seq: xseq 0) on the record or on the book's last update. */
static int
unplaced(const struct bk *k, int64_t id)
{
	return k->ops->audit_xseq && (id <= 0 || k->aid <= 0);
}

struct oa_state {
	struct oa_top hist[OA_HIST];
	uint32_t hist_n, hist_next;
	struct oa_top pend[OA_PEND];      /* pushes ahead of the book, oldest first */
	uint32_t pend_head, pend_n;
	uint64_t resets;                  /* k->st.seq_resets when last looked at */
	/* REST window audit */
	uint32_t req_id;                  /* outstanding request, 0 = none */
	uint64_t req_resets;              /* seq_resets when it was sent */
	int64_t sent_ns, next_ns;
	struct rec_snapshot *held;        /* an answer ahead of the stream (malloc'd copy) */
	int64_t held_ns;
	uint64_t rng;
};

int
oa_init(struct bk *k)
{
	/* the venue table says whether its answers carry the book's id */
	if (!k->ops || !k->ops->seq_audits)
		return 0;
	k->oa = calloc(1, sizeof *k->oa);
	if (!k->oa)
		return -1;
	k->oa->rng = 0x2545f4914f6cdd1dULL ^ k->in->id;
	return 0;
}

void
oa_free(struct bk *k)
{
	if (!k->oa)
		return;
	free(k->oa->held);
	free(k->oa);
	k->oa = NULL;
}

static void
drop_pending(struct bk *k)
{
	k->st.top_nc += k->oa->pend_n;
	k->oa->pend_n = 0;
	k->oa->pend_head = 0;
}

static void
drop_held(struct bk *k)
{
	if (k->oa->held) {
		k->st.window_nc++;
		free(k->oa->held);
		k->oa->held = NULL;
	}
}

void
oa_reset(struct bk *k)
{
	struct oa_state *a = k->oa;

	if (!a)
		return;
	drop_pending(k);
	drop_held(k);
	a->hist_n = a->hist_next = 0;
	a->req_id = 0;
	a->resets = k->st.seq_resets;
}

/* ---- top-N ---- */

static void
top_of_book(const struct bk *k, struct oa_top *t)
{
	const struct rec_level *l;

	t->id = k->aid;
	for (t->nb = 0; t->nb < OA_TOP && (l = book_level(k->book, BOOK_BID, t->nb)); t->nb++)
		t->lv[t->nb] = *l;
	for (t->na = 0; t->na < OA_TOP && (l = book_level(k->book, BOOK_ASK, t->na)); t->na++)
		t->lv[OA_TOP + t->na] = *l;
}

/* The first level where push p and book top h differ: 1 (side, rank set), else 0. */
static int
top_differs(const struct oa_top *p, const struct oa_top *h, int *side, uint32_t *rank)
{
	for (int s = 0; s < 2; s++) {
		uint32_t n = s == BOOK_BID ? p->nb : p->na, hn = s == BOOK_BID ? h->nb : h->na;
		for (uint32_t i = 0; i < n; i++) {
			const struct rec_level *a = &p->lv[s * OA_TOP + i], *b = &h->lv[s * OA_TOP + i];
			if (i >= hn || a->px != b->px || a->qty != b->qty) {
				*side = s;
				*rank = i;
				return 1;
			}
		}
	}
	return 0;
}

static void
top_compare(struct bk *k, const struct oa_top *p, int64_t now)
{
	struct oa_state *a = k->oa;
	const struct oa_top *h = NULL;
	char px[FX_STR_MAX], q[FX_STR_MAX], bpx[FX_STR_MAX], bq[FX_STR_MAX];
	uint32_t rank, hn;
	int side;

	for (uint32_t i = 0; i < a->hist_n; i++)
		if (a->hist[i].id == p->id) {
			h = &a->hist[i];
			break;
		}
	if (!h) {
		k->st.top_nc++;   /* the book never stood at that seqId (or it left the history) */
		return;
	}
	if (!top_differs(p, h, &side, &rank)) {
		k->st.top_agree++;
		return;
	}
	k->st.top_disagree++;
	hn = side == BOOK_BID ? h->nb : h->na;
	fx_format(p->lv[side * OA_TOP + rank].px, k->in->px_exp, FX_TRIM, px, sizeof px);
	fx_format(p->lv[side * OA_TOP + rank].qty, k->in->qty_exp, FX_TRIM, q, sizeof q);
	if (rank < hn) {
		fx_format(h->lv[side * OA_TOP + rank].px, k->in->px_exp, FX_TRIM, bpx, sizeof bpx);
		fx_format(h->lv[side * OA_TOP + rank].qty, k->in->qty_exp, FX_TRIM, bq, sizeof bq);
	} else {
		strcpy(bpx, "none");
		strcpy(bq, "-");
	}
	bk_event(k, EV_TOP_MISMATCH, SEV_ERROR, 0, p->id, (int64_t)(p->nb + p->na),
	    "top at %lld: %s %u venue %s/%s book %s/%s", (long long)p->id, book_side_name(side), rank + 1,
	    px, q, bpx, bq);
	bk_resync(k, "the venue's top (books5/bbo-tbt/orderbook.1) disagrees with the book", now);
}

/* A sequence reset since last looked: ids went down, so nothing waiting or
 * held can be placed any more. */
static void
check_reset(struct bk *k)
{
	struct oa_state *a = k->oa;

	if (a->resets == k->st.seq_resets)
		return;
	a->resets = k->st.seq_resets;
	drop_pending(k);
	drop_held(k);
}

void
oa_top(struct bk *k, const struct rec_snapshot *s, int64_t now)
{
	struct oa_state *a = k->oa;
	struct oa_top p;

	if (!a || k->state != BK_SYNCED || s->n_bids > OA_TOP || s->n_asks > OA_TOP || s->nchunks != 1 ||
	    unplaced(k, bk_audit_id(k, &s->h))) {
		k->st.top_nc++;
		return;
	}
	check_reset(k);
	p.id = bk_audit_id(k, &s->h);
	p.nb = s->n_bids;
	p.na = s->n_asks;
	memcpy(p.lv, s->lv, (size_t)s->n_bids * sizeof p.lv[0]);
	memcpy(p.lv + OA_TOP, s->lv + s->n_bids, (size_t)s->n_asks * sizeof p.lv[0]);
	if (p.id <= k->aid) {
		top_compare(k, &p, now);
		return;
	}
	/* the venue sends bbo-tbt before books for a seqId (protocols.md 2.3);
	 * Bybit's orderbook.1 (10 ms) runs ahead of orderbook.1000 (200 ms) */
	if (a->pend_n == OA_PEND) {
		k->st.top_nc++;   /* the oldest waiting push given up */
		a->pend_head = (a->pend_head + 1) % OA_PEND;
		a->pend_n--;
	}
	a->pend[(a->pend_head + a->pend_n) % OA_PEND] = p;
	a->pend_n++;
}

/* ---- REST window ---- */

/* 1 when lv[0..n) is strictly best first with positive prices and quantities. */
static int
usable(int side, const struct rec_level *lv, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (lv[i].px <= 0 || lv[i].qty <= 0)
			return 0;
		if (i && (side == BOOK_BID ? lv[i - 1].px <= lv[i].px : lv[i - 1].px >= lv[i].px))
			return 0;
	}
	return 1;
}

/* px at or better than bound on side. */
static int
at_or_better(int side, int64_t px, int64_t bound)
{
	return side == BOOK_BID ? px >= bound : px <= bound;
}

struct wdisc {
	uint32_t n, compared;     /* levels that differ / levels judged */
	int side;
	int64_t px, book, rest;   /* first difference: quantities, 0 = absent */
};

static void
wdisc_add(struct wdisc *w, int side, int64_t px, int64_t book, int64_t rest)
{
	if (w->n++ == 0) {
		w->side = side;
		w->px = px;
		w->book = book;
		w->rest = rest;
	}
}

/*
 * One side of the window: r[0..n) the answer at seqId S, asked for `asked`
 * levels.  Walks the book and the answer together, best first, inside the
 * exact range and the answer's span.
 */
static void
window_side(const struct bk *k, int side, const struct rec_level *r, uint32_t n, uint32_t asked, int64_t S,
    struct wdisc *w)
{
	int64_t edge = k->edge_px[side], id;
	int full = S == k->aid, whole = n < asked;
	const struct rec_level *l;
	struct book_iter it;
	uint32_t j = 0;

	if (edge == 0)
		return;   /* nothing of this side is exact */
	book_iter_begin(k->book, side, &it);
	while ((l = book_iter_next(&it, &id))) {
		if (!at_or_better(side, l->px, edge) || (!whole && n && !at_or_better(side, l->px, r[n - 1].px)))
			break;
		/* answer levels better than this book level: absent from the book */
		for (; j < n && (side == BOOK_BID ? r[j].px > l->px : r[j].px < l->px); j++)
			if (full) {
				w->compared++;
				wdisc_add(w, side, r[j].px, 0, r[j].qty);
			}
		if (id <= S)
			w->compared++;
		if (j < n && r[j].px == l->px) {
			if (id <= S && r[j].qty != l->qty)
				wdisc_add(w, side, l->px, l->qty, r[j].qty);
			j++;
		} else if (id <= S) {
			wdisc_add(w, side, l->px, l->qty, 0);   /* unchanged since S, yet not in the answer */
		}
	}
	/* answer levels beyond the book's last one, still inside the exact range */
	for (; full && j < n && at_or_better(side, r[j].px, edge); j++) {
		w->compared++;
		wdisc_add(w, side, r[j].px, 0, r[j].qty);
	}
}

static void
window_audit(struct bk *k, const struct rec_snapshot *s, int64_t now)
{
	struct wdisc w = {0};
	char px[FX_STR_MAX], bq[FX_STR_MAX], rq[FX_STR_MAX];
	uint32_t asked = depth(k);
	int64_t S = bk_audit_id(k, &s->h);

	window_side(k, BOOK_BID, s->lv, s->n_bids, asked, S, &w);
	window_side(k, BOOK_ASK, s->lv + s->n_bids, s->n_asks, asked, S, &w);
	if (w.n == 0) {
		/* nothing judged: every level changed after S (or S precedes the sync) */
		if (w.compared)
			k->st.window_agree++;
		else
			k->st.window_nc++;
		return;
	}
	k->st.window_discrepancies += w.n;
	fx_format(w.px, k->in->px_exp, FX_TRIM, px, sizeof px);
	fx_format(w.book, k->in->qty_exp, FX_TRIM, bq, sizeof bq);
	fx_format(w.rest, k->in->qty_exp, FX_TRIM, rq, sizeof rq);
	bk_event(k, EV_WINDOW_DISCREPANCY, SEV_ERROR, w.n, w.px, w.rest,
	    "REST at %lld (book %lld): %s %s book %s rest %s (%u levels differ)", (long long)S,
	    (long long)k->aid, book_side_name(w.side), px, bq, rq, w.n);
	bk_resync(k, "REST window differs from the book", now);
}

int
oa_answer(struct bk *k, const struct rec_snapshot *s, int64_t now)
{
	struct oa_state *a = k->oa;

	if (!a || k->state != BK_SYNCED)
		return 0;
	/* the audit's answer, or (mpreplay) a recorded one with no request */
	if (s->req_id && s->req_id != a->req_id)
		return 0;
	if (s->req_id)
		a->req_id = 0;
	check_reset(k);
	if (s->nchunks != 1 || unplaced(k, bk_audit_id(k, &s->h)) || !usable(BOOK_BID, s->lv, s->n_bids) ||
	    !usable(BOOK_ASK, s->lv + s->n_bids, s->n_asks) || (s->req_id && a->req_resets != k->st.seq_resets)) {
		k->st.window_nc++;
		return 1;
	}
	if (bk_audit_id(k, &s->h) > k->aid) {
		struct rec_snapshot *c = malloc(s->h.len);
		if (!c) {
			k->st.window_nc++;
			return 1;
		}
		memcpy(c, s, s->h.len);
		drop_held(k);
		a->held = c;
		a->held_ns = now;
		return 1;
	}
	window_audit(k, s, now);
	return 1;
}

int
oa_failed(struct bk *k, uint32_t req_id)
{
	if (!k->oa || !req_id || req_id != k->oa->req_id)
		return 0;
	k->oa->req_id = 0;
	k->st.window_refused++;
	return 1;
}

void
oa_after_apply(struct bk *k, int compare, int64_t now)
{
	struct oa_state *a = k->oa;
	struct rec_snapshot *s;

	if (!a)
		return;
	top_of_book(k, &a->hist[a->hist_next]);
	a->hist_next = (a->hist_next + 1) % OA_HIST;
	if (a->hist_n < OA_HIST)
		a->hist_n++;
	if (!compare) {
		/* just synced: the first audit one interval from now */
		if (interval(k) > 0)
			a->next_ns = now + jitter10(&a->rng, interval(k));
		return;
	}
	check_reset(k);
	while (a->pend_n && a->pend[a->pend_head].id <= k->aid && k->state == BK_SYNCED) {
		struct oa_top p = a->pend[a->pend_head];
		a->pend_head = (a->pend_head + 1) % OA_PEND;
		a->pend_n--;
		top_compare(k, &p, now);
	}
	if ((s = a->held) && k->state == BK_SYNCED && k->aid >= bk_audit_id(k, &s->h)) {
		a->held = NULL;
		window_audit(k, s, now);
		free(s);
	}
}

void
oa_tick(struct bk *k, int64_t now)
{
	struct oa_state *a = k->oa;

	if (!a || k->state != BK_SYNCED)
		return;
	if (a->held && now - a->held_ns > k->cfg->refresh_hold_ns) {
		log_info("REST window ahead of the stream not reached in time", "symbol=%s at=%lld book=%lld",
		    k->in->symbol, (long long)bk_audit_id(k, &a->held->h), (long long)k->aid);
		drop_held(k);
	}
	if (a->req_id && now - a->sent_ns > k->cfg->snapshot_timeout_ns) {
		k->st.req_timeouts++;
		a->req_id = 0;
	}
	/* a book without the venue's id (Bybit frames without seq) cannot be audited */
	if (interval(k) <= 0 || a->req_id || a->held || unplaced(k, 1))
		return;
	if (now < a->next_ns)
		return;
	if (++k->cfg->req_seq == 0)
		k->cfg->req_seq = 1;
	a->req_id = k->cfg->req_seq;
	a->req_resets = k->st.seq_resets;
	a->sent_ns = now;
	a->next_ns = now + jitter10(&a->rng, interval(k));
	k->st.window_requests++;
	bk_send_control(k, CTL_SNAPSHOT, CTL_F_REFRESH, a->req_id, depth(k), "REST window audit");
}
