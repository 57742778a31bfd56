/*
 * quality.c - checks on every applied update (seed document's validators):
 * crossed book, non-positive levels (checked where levels are applied, in
 * sync.c), timestamps going backwards or far from receive time, and depth
 * completeness: per side, the levels inside the exact range (edge_px) over
 * the target (expected_levels, else max_levels), so levels held but unknown
 * (beyond the range a snapshot or refresh made exact) count as missing.  The
 * alert is on known depth: exact plus "as of" levels (OKX books-full, outside
 * the exact range) while their merge is at most asof_max_age old; they are the
 * venue's whole deep book at a stated time, not holes.  Below min_depth_pct
 * (95 %, the requirement's) on either side is a failure.  Every failure is counted; events are paced per book and
 * check (event_interval) so a persistent condition cannot flood the rings,
 * and each event says how many were suppressed since the previous one.
 */
#include "sync.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const g_names[] = {
	[QUAL_CROSSED] = "crossed",
	[QUAL_LEVEL] = "bad_level",
	[QUAL_TS_BACKWARDS] = "ts_backwards",
	[QUAL_TS_SKEW] = "ts_skew",
	[QUAL_DEPTH] = "depth",
};

const char *
quality_name(int check)
{
	if (check > 0 && check < (int)(sizeof g_names / sizeof g_names[0]) && g_names[check])
		return g_names[check];
	return "unknown";
}

uint32_t
bk_expected_levels(const struct bk *k)
{
	const struct bk_cfg *c = k->cfg;

	if (c->expected_levels)
		return c->expected_levels;
	if (k->ops->expected_levels)
		return k->ops->expected_levels(k);
	return c->max_levels;
}

uint32_t
bk_exact_levels(const struct bk *k, int side)
{
	int64_t edge = k->edge_px[side];

	/* runs on every applied delta (quality_check): counted from the engine's
	 * per-leaf counts, not by ranking levels one at a time */
	return edge > 0 ? book_count_from(k->book, side, edge) : 0;
}

uint32_t
bk_asof_levels(const struct bk *k, int side)
{
	int64_t age = k->cfg->asof_max_age_ns;

	if (!k->deep_merged_ns || age <= 0 || k->now - k->deep_merged_ns > age)
		return 0;
	return book_count(k->book, side) - bk_exact_levels(k, side);
}

/* Exact + fresh as-of levels of the worse side: what the depth alert judges. */
static uint32_t
known_worst(const struct bk *k, uint32_t *eb, uint32_t *ea, uint32_t *ab, uint32_t *aa)
{
	uint32_t b, a;

	*eb = bk_exact_levels(k, BOOK_BID);
	*ea = bk_exact_levels(k, BOOK_ASK);
	*ab = bk_asof_levels(k, BOOK_BID);
	*aa = bk_asof_levels(k, BOOK_ASK);
	b = *eb + *ab;
	a = *ea + *aa;
	return b < a ? b : a;
}

uint16_t
quality_flags(unsigned mask)
{
	return (uint16_t)((mask & (1u << QUAL_CROSSED) ? REC_F_Q_CROSSED : 0) |
	    (mask & (1u << QUAL_TS_BACKWARDS) ? REC_F_Q_TS_BACKWARDS : 0) |
	    (mask & (1u << QUAL_TS_SKEW) ? REC_F_Q_TS_SKEW : 0) |
	    (mask & (1u << QUAL_DEPTH) ? REC_F_Q_DEPTH : 0));
}

unsigned
quality_check(struct bk *k, const struct rec_delta *d)
{
	unsigned mask = 0;

	if (book_crossed(k->book))
		mask |= 1u << QUAL_CROSSED;
	if (d->h.exch_ns) {
		if (k->last_exch_ns && d->h.exch_ns < k->last_exch_ns)
			mask |= 1u << QUAL_TS_BACKWARDS;
		if (d->h.recv_ns && llabs(d->h.recv_ns - d->h.exch_ns) > k->cfg->max_skew_ns)
			mask |= 1u << QUAL_TS_SKEW;
	}
	if (k->cfg->min_depth_pct) {
		uint32_t eb, ea, ab, aa;
		uint64_t worst = known_worst(k, &eb, &ea, &ab, &aa);
		/* deep levels asked for at sync and not merged yet: not judged */
		int waiting = !k->deep_merged_ns && k->now < k->deep_wait_until;
		int low = !waiting && worst * 100 < (uint64_t)bk_expected_levels(k) * k->cfg->min_depth_pct;
		/* an event when completeness drops below the threshold, not on every update */
		if (low && !k->depth_low)
			mask |= 1u << QUAL_DEPTH;
		k->depth_low = low;
	}
	return mask;
}

void
quality_fail(struct bk *k, int check, int64_t a, int64_t b, const char *what, int64_t now)
{
	int slot = check >= 0 && check < BK_PACE_SLOTS ? check : 0;

	if (k->pace_ns[slot] && now - k->pace_ns[slot] < k->cfg->event_interval_ns) {
		k->pace_suppressed[slot]++;
		return;
	}
	bk_event(k, EV_VALIDATION, check == QUAL_CROSSED ? SEV_ERROR : SEV_WARN, (uint32_t)check, a, b,
	    "%s: %s (%llu similar suppressed)", quality_name(check), what,
	    (unsigned long long)k->pace_suppressed[slot]);
	k->pace_ns[slot] = now ? now : 1;
	k->pace_suppressed[slot] = 0;
}

void
quality_report(struct bk *k, unsigned mask, const struct rec_delta *d, int64_t now)
{
	int64_t bp, bq, ap, aq;

	book_best(k->book, BOOK_BID, &bp, &bq);
	book_best(k->book, BOOK_ASK, &ap, &aq);
	if (mask & (1u << QUAL_CROSSED)) {
		k->st.crossed++;
		quality_fail(k, QUAL_CROSSED, bp, ap, "best bid >= best ask", now);
	}
	if (mask & (1u << QUAL_TS_BACKWARDS)) {
		k->st.ts_backwards++;
		quality_fail(k, QUAL_TS_BACKWARDS, k->last_exch_ns, d->h.exch_ns, "exchange time went backwards", now);
	}
	if (mask & (1u << QUAL_TS_SKEW)) {
		k->st.ts_skew++;
		quality_fail(k, QUAL_TS_SKEW, d->h.exch_ns, d->h.recv_ns, "exchange time far from receive time", now);
	}
	if (mask & (1u << QUAL_DEPTH)) {
		uint32_t eb, ea, ab, aa, worst, want = bk_expected_levels(k);
		char what[200];

		worst = known_worst(k, &eb, &ea, &ab, &aa);
		k->st.depth_low++;
		snprintf(what, sizeof what, "known depth below %u%%: bid %u exact + %u as-of, ask %u + %u of %u levels "
		    "(held %u, %u)", k->cfg->min_depth_pct, eb, ab, ea, aa, want, book_count(k->book, BOOK_BID),
		    book_count(k->book, BOOK_ASK));
		quality_fail(k, QUAL_DEPTH, worst, want, what, now);
	}
}
