/* verify.c - rebuild books from full + delta messages and check them; see verify.h. */
#include "verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* synced states */
enum { V_UNSYNCED = 0, V_SYNCED = 1, V_TENTATIVE = 2 };

int
vbook_init(struct vbook *vb, const char *exchange, const char *symbol, uint32_t max_levels)
{
	memset(vb, 0, sizeof *vb);
	snprintf(vb->exchange, sizeof vb->exchange, "%s", exchange);
	snprintf(vb->symbol, sizeof vb->symbol, "%s", symbol);
	vb->b = book_new(max_levels);
	vb->id = -1;
	return vb->b ? 0 : -1;
}

static void
free_list(struct vmsg *m)
{
	while (m) {
		struct vmsg *n = m->next;

		free(m);
		m = n;
	}
}

void
vbook_free(struct vbook *vb)
{
	free_list(vb->fh);
	free_list(vb->dh);
	book_free(vb->b);
	vb->fh = vb->ft = vb->dh = vb->dt = NULL;
	vb->b = NULL;
}

struct vmsg *
vmsg_new(uint32_t nb, uint32_t na)
{
	struct vmsg *m = calloc(1, sizeof *m + ((size_t)nb + na) * sizeof(struct rec_level));

	if (m) {
		m->nb = nb;
		m->na = na;
		m->prev = -1;
	}
	return m;
}

void
vbook_push(struct vbook *vb, struct vmsg *m)
{
	m->next = NULL;
	if (m->is_full) {
		vb->st.fulls++;
		if (vb->ft)
			vb->ft->next = m;
		else
			vb->fh = m;
		vb->ft = m;
	} else {
		vb->st.deltas++;
		if (vb->dt)
			vb->dt->next = m;
		else
			vb->dh = m;
		vb->dt = m;
	}
}

static void
pop_full(struct vbook *vb)
{
	struct vmsg *m = vb->fh;

	vb->fh = m->next;
	if (!vb->fh)
		vb->ft = NULL;
	free(m);
}

static void
pop_delta(struct vbook *vb)
{
	struct vmsg *m = vb->dh;

	vb->dh = m->next;
	if (!vb->dh)
		vb->dt = NULL;
	free(m);
}

static void
adopt(struct vbook *vb, const struct vmsg *f, int state)
{
	book_set_side(vb->b, BOOK_BID, f->lv, f->nb, NULL);
	book_set_side(vb->b, BOOK_ASK, f->lv + f->nb, f->na, NULL);
	vb->id = f->last;
	vb->epoch_pt = f->pt;
	vb->synced = state;
	vb->adopt_id = f->last;
	vb->since_adopt = 0;
}

/* 1 when both times are known and a was produced before b. */
static int
older(int64_t a, int64_t b)
{
	return a > 0 && b > 0 && a < b;
}

/* 1 when delta d cannot chain from full book f: f was produced after it. */
static int
after_delta(const struct vmsg *f, const struct vmsg *d)
{
	return older(d->pt, f->pt);
}

/* The next delta the loop may use (NULL if none within the horizon). */
static const struct vmsg *
next_delta(const struct vbook *vb, int64_t horizon)
{
	return vb->dh && vb->dh->t <= horizon ? vb->dh : NULL;
}

/* 1 when d is a delta at the book's id (bookd's refresh merge, or an OKX
 * heartbeat: prev == last == the id) that bookd produced no later than full
 * book f. */
static int
merge_before(const struct vbook *vb, const struct vmsg *d, const struct vmsg *f)
{
	return d->prev == vb->id && d->last == vb->id && !older(f->pt, d->pt);
}

/* The book's next delta in stream order, whatever the horizon.  Deltas of an
 * earlier epoch are dropped on the way, as the delta loop drops them. */
static const struct vmsg *
next_in_epoch(struct vbook *vb)
{
	while (vb->dh && older(vb->dh->pt, vb->epoch_pt)) {
		vb->st.stale++;
		pop_delta(vb);
	}
	return vb->dh;
}

static void
note_unverified(struct vbook *vb, const struct vmsg *f, const char *why)
{
	vb->st.unverified++;
	if (!vb->st.first_unverified[0])
		snprintf(vb->st.first_unverified, sizeof vb->st.first_unverified,
		    "full book at %lld %s (book at %lld)", (long long)f->last, why, (long long)vb->id);
}

/* The full book's levels against the rebuilt book's best ones; 1 with the
 * first difference in why (kept only once it is judged a mismatch). */
static int
compare(struct vbook *vb, const struct vmsg *f, char *why, size_t whylen)
{
	for (int side = 0; side < 2; side++) {
		uint32_t n = side == BOOK_BID ? f->nb : f->na;
		const struct rec_level *lv = side == BOOK_BID ? f->lv : f->lv + f->nb;

		if (vb->verify_levels && n > vb->verify_levels)
			n = vb->verify_levels;

		for (uint32_t i = 0; i < n; i++) {
			const struct rec_level *l = book_level(vb->b, side, i);

			if (!l || l->px != lv[i].px || l->qty != lv[i].qty) {
				int64_t q = 0;

				/* both sizes at the full book's price, then what the
				 * rebuilt book holds at that rank */
				book_find(vb->b, side, lv[i].px, &q);
				snprintf(why, whylen, "update %lld %s level %u price %lld: full size %lld, rebuilt size %lld "
				    "(rebuilt level %u: %lld x %lld; %llu deltas applied since the full book adopted at %lld)",
				    (long long)f->last, book_side_name(side), i, (long long)lv[i].px, (long long)lv[i].qty,
				    (long long)q, i, l ? (long long)l->px : -1LL, l ? (long long)l->qty : -1LL,
				    (unsigned long long)vb->since_adopt, (long long)vb->adopt_id);
				return 1;
			}
		}
	}
	return 0;
}

static void
apply(struct vbook *vb, const struct vmsg *d)
{
	for (uint32_t i = 0; i < d->nb + d->na; i++)
		book_apply(vb->b, i < d->nb ? BOOK_BID : BOOK_ASK, d->lv[i].px, d->lv[i].qty);
	vb->id = d->last;
	vb->st.applied++;
	vb->since_adopt++;
}

/* Decide the queued full books that can be decided now. */
static void
fulls_step(struct vbook *vb, int64_t horizon)
{
	struct vmsg *f;
	const struct vmsg *d;
	char why[sizeof vb->st.first_mismatch];

	while ((f = vb->fh)) {
		if (vb->synced == V_UNSYNCED) {
			if (vb->dh)
				return;     /* the delta loop picks the starting point */
			/* (a held-back delta counts too: it may chain from an older full) */
			/* Nothing to chain yet: start from it, until a delta confirms. */
			adopt(vb, f, V_TENTATIVE);
			pop_full(vb);
			continue;
		}
		if (f->new_epoch && f->pt > 0 && (!(d = next_delta(vb, horizon)) || d->pt > 0)) {
			/* A new epoch: bookd's book is not the old one plus deltas,
			 * even at an equal id, so it is never compared.  It takes
			 * over once every delta produced before it has been used. */
			if (!d || d->pt < f->pt || (d->pt == f->pt && d->prev == vb->id))
				return;
			if (vb->synced == V_SYNCED)
				vb->st.resyncs++;
			adopt(vb, f, V_SYNCED);
			pop_full(vb);
			continue;
		}
		if (older(f->pt, vb->epoch_pt)) {
			note_unverified(vb, f, "belongs to an earlier epoch");
			pop_full(vb);
			continue;
		}
		if (f->last == vb->id) {
			/* bookd publishes levels it changed without a venue update
			 * (an OKX deep merge, a Binance deep refresh splice) as a
			 * delta at the book's id (prev == last == id), then a full
			 * book at that id: such a delta produced before f is applied
			 * first, and f waits out the hold so one still on its way
			 * from the other consumer is not missed. */
			if (f->t > horizon)
				return;
			d = next_delta(vb, horizon);
			if (d && merge_before(vb, d, f))
				return;
			if (compare(vb, f, why, sizeof why)) {
				/* Receive times cannot prove that merge was not still
				 * on its way: the delta stream's order can.  The next
				 * delta of the book's epoch decides: a merge bookd
				 * produced before f is applied and f compared again;
				 * anything else (or a merge after f) makes it a real
				 * mismatch.  No next delta yet: f waits. */
				if (!(d = next_in_epoch(vb)))
					return;
				if (merge_before(vb, d, f)) {
					vb->st.late_merges++;
					apply(vb, d);
					pop_delta(vb);
					continue;
				}
				vb->st.mismatches++;
				if (!vb->st.first_mismatch[0])
					snprintf(vb->st.first_mismatch, sizeof vb->st.first_mismatch, "%s", why);
			} else {
				vb->st.verified++;
			}
			adopt(vb, f, vb->synced);
			pop_full(vb);
		} else if (f->last < vb->id && !f->new_epoch) {
			note_unverified(vb, f, "came after the book moved past it");
			pop_full(vb);
		} else {
			return;     /* ahead: deltas must reach it (or a gap explains it) */
		}
	}
}

void
vbook_process(struct vbook *vb, int64_t horizon)
{
	struct vmsg *d, *f;

	for (;;) {
		fulls_step(vb, horizon);
		if (!(d = vb->dh) || d->t > horizon)
			return;
		if (vb->synced == V_UNSYNCED) {
			/* d's epoch began at the last "snapshot" full book produced
			 * before it: every full book queued before that one is of an
			 * earlier epoch (say an earlier run whose deltas have aged
			 * out of their stream) and must not be d's base. */
			struct vmsg *g = NULL;

			for (f = vb->fh; f; f = f->next)
				if (f->new_epoch && f->pt > 0 && d->pt > 0 && f->pt <= d->pt)
					g = f;
			while (g && vb->fh != g) {
				note_unverified(vb, vb->fh, "belongs to an earlier epoch");
				pop_full(vb);
			}
			/* drop full books older than every delta we have (by id, or
			 * by time: one produced before d that d does not chain from) */
			while ((f = vb->fh) && f->last != d->prev &&
			    ((f->last < d->prev && !after_delta(f, d)) || older(f->pt, d->pt)))
				pop_full(vb);
			if (f && f->last == d->prev && !after_delta(f, d)) {
				adopt(vb, f, V_SYNCED);
				pop_full(vb);
				continue;
			}
			vb->st.skipped++;   /* before the first usable full book */
			pop_delta(vb);
			continue;
		}
		if (older(d->pt, vb->epoch_pt)) {
			vb->st.stale++;     /* produced before the book's epoch began */
			pop_delta(vb);
			continue;
		}
		if (d->prev == vb->id) {
			apply(vb, d);
			vb->synced = V_SYNCED;
			pop_delta(vb);
			continue;
		}
		/* The delta does not continue the book: a new epoch (ids may even
		 * go down, e.g. an OKX sequence reset), a duplicate, or a gap. */
		for (f = vb->fh; f && !(f->new_epoch && f->last == d->prev && !after_delta(f, d)); f = f->next)
			;
		if (!f && d->last <= vb->id && d->prev < vb->id) {
			vb->st.stale++;
			pop_delta(vb);
			continue;
		}
		if (!f)
			for (f = vb->fh; f && (f->last != d->prev || after_delta(f, d)); f = f->next)
				;
		if (f) {
			while (vb->fh != f) {
				note_unverified(vb, vb->fh, "skipped: no delta led to it");
				pop_full(vb);
			}
			if (f->new_epoch)
				vb->st.resyncs++;
			else if (vb->synced == V_SYNCED)
				vb->st.gaps++;
			adopt(vb, f, V_SYNCED);
			pop_full(vb);
			continue;
		}
		if (vb->synced == V_SYNCED)
			vb->st.gaps++;
		vb->synced = V_UNSYNCED;
	}
}
