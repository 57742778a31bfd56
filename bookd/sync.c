/* sync.c - see sync.h: the venue-independent part of a book keeper. */
#include "sync.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "log.h"
#include "okx_audit.h"
#include "splice.h"

#define SEC 1000000000LL

void
bk_cfg_defaults(struct bk_cfg *c)
{
	memset(c, 0, sizeof *c);
	c->max_levels = 5000;
	c->topn = 100;
	c->expected_levels = 0;
	c->min_depth_pct = 95;
	c->binance_depth = 5000;
	c->okx_depth = 400;
	c->okx_ws_depth = 400;
	c->okx_deep = 1;
	c->crossed_resync = 1;
	c->bbo_check = 1;
	c->full_interval_ns = 60 * SEC;
	c->snapshot_interval_ns = 1 * SEC;
	c->backoff_min_ns = 1 * SEC;
	c->backoff_max_ns = 60 * SEC;
	c->backoff_reset_ns = 60 * SEC;
	c->snapshot_timeout_ns = 15 * SEC;
	c->max_skew_ns = 10 * SEC;
	c->event_interval_ns = 1 * SEC;
	c->buffer_max = 32u << 20;
	c->refresh_interval_ns = 60 * SEC;
	c->refresh_hold_ns = 10 * SEC;
	c->okx_audit_ns = 5 * SEC;
	c->bybit_audit_ns = 10 * SEC;
	c->asof_max_age_ns = 10 * SEC;
}

void
bk_cfg_load(struct bk_cfg *c, const struct cfg *cfg)
{
	bk_cfg_defaults(c);
	c->max_levels = (uint32_t)cfg_int(cfg, "bookd", "max_levels");
	c->topn = (uint32_t)cfg_int(cfg, "bookd", "snapshot_levels");
	c->expected_levels = (uint32_t)cfg_int(cfg, "bookd", "expected_levels");
	c->min_depth_pct = (uint32_t)cfg_int(cfg, "bookd", "min_depth_pct");
	c->binance_depth = (uint32_t)cfg_int(cfg, "bookd", "binance_snapshot_depth");
	c->okx_depth = (uint32_t)cfg_int(cfg, "bookd", "okx_snapshot_depth");
	c->okx_ws_depth = (uint32_t)cfg_int(cfg, "bookd", "okx_ws_depth");
	c->okx_deep = cfg_bool(cfg, "bookd", "okx_deep");
	c->crossed_resync = cfg_bool(cfg, "bookd", "crossed_resync");
	c->bbo_check = cfg_bool(cfg, "bookd", "bbo_check");
	c->full_interval_ns = cfg_dur_ns(cfg, "bookd", "full_interval");
	c->snapshot_interval_ns = cfg_dur_ns(cfg, "bookd", "snapshot_interval");
	c->backoff_min_ns = cfg_dur_ns(cfg, "bookd", "resync_backoff_min");
	c->backoff_max_ns = cfg_dur_ns(cfg, "bookd", "resync_backoff_max");
	c->backoff_reset_ns = cfg_dur_ns(cfg, "bookd", "resync_backoff_reset");
	c->snapshot_timeout_ns = cfg_dur_ns(cfg, "bookd", "snapshot_timeout");
	c->max_skew_ns = cfg_dur_ns(cfg, "bookd", "max_clock_skew");
	c->event_interval_ns = cfg_dur_ns(cfg, "bookd", "event_interval");
	c->buffer_max = (size_t)cfg_size(cfg, "bookd", "buffer_max");
	c->refresh_interval_ns = cfg_dur_ns(cfg, "bookd", "deep_refresh_interval");
	c->refresh_hold_ns = cfg_dur_ns(cfg, "bookd", "refresh_hold_timeout");
	c->okx_audit_ns = cfg_dur_ns(cfg, "bookd", "okx_audit_interval");
	c->bybit_audit_ns = cfg_dur_ns(cfg, "bookd", "bybit_audit_interval");
	c->asof_max_age_ns = cfg_dur_ns(cfg, "bookd", "asof_max_age");
}

int64_t
bk_audit_id(const struct bk *k, const struct rec_hdr *r)
{
	if (!k->ops->audit_xseq)
		return r->last_id;
	if (r->type == REC_DELTA)
		return ((const struct rec_delta *)r)->xseq;
	if (r->type == REC_SNAPSHOT)
		return ((const struct rec_snapshot *)r)->xseq;
	return 0;
}

int
bk_init(struct bk *k, const struct inst *in, struct bk_cfg *cfg, const struct bk_sink *sink)
{
	memset(k, 0, sizeof *k);
	k->ops = bk_venue_get(in->exch);
	if (!k->ops) {
		log_error("no sync rule for this venue", "exchange=%s symbol=%s", exch_name(in->exch), in->symbol);
		return -1;
	}
	k->in = in;
	k->cfg = cfg;
	k->sink = sink;
	k->id = -1;
	k->aid = -1;
	k->snap_id = -1;
	k->connected = 1;
	k->book = book_new(cfg->max_levels);
	k->lv_tmp = malloc(4 * (size_t)cfg->max_levels * sizeof *k->lv_tmp);
	if (!k->book || !k->lv_tmp || sp_init(k) < 0 || oa_init(k) < 0) {
		bk_free(k);
		return -1;
	}
	return 0;
}

void
bk_free(struct bk *k)
{
	book_free(k->book);
	free(k->lv_tmp);
	free(k->buf);
	free(k->out);
	sp_free(k);
	oa_free(k);
	bk_join_free(k);
	memset(k, 0, sizeof *k);
}

/* ---- output ---- */

void *
bk_out_space(struct bk *k, size_t len)
{
	if (len > k->out_cap) {
		size_t cap = k->out_cap ? k->out_cap : 4096;
		void *p;
		while (cap < len)
			cap *= 2;
		p = realloc(k->out, cap);
		if (!p)
			return NULL;
		k->out = p;
		k->out_cap = cap;
	}
	return k->out;
}

void
bk_emit(struct bk *k, struct rec_hdr *rec)
{
	rec->flags |= k->cfg->out_flags;
	rec->stage_ns[STAGE_BOOK] = k->now;
	k->st.out_records++;
	switch (rec->type) {
	case REC_DELTA: k->st.out_deltas++; break;
	case REC_SNAPSHOT: k->st.out_snapshots++; break;
	case REC_EVENT: k->st.out_events++; break;
	default: break;
	}
	if (k->sink && k->sink->record)
		k->sink->record(k->sink->ud, rec);
}

void
bk_event(struct bk *k, uint16_t code, uint8_t sev, uint32_t aux, int64_t a, int64_t b, const char *fmt, ...)
{
	struct rec_event ev;
	va_list ap;

	memset(&ev, 0, sizeof ev);
	rec_hdr_init(&ev.h, REC_EVENT, k->in->id, sizeof ev);
	ev.h.aux = aux;
	ev.h.last_id = k->id;
	/* An event before any input (EV_RESTARTED at start) still needs a time,
	 * or readers that order by recv_ns would place it at the epoch. */
	ev.h.recv_ns = k->last_recv_ns ? k->last_recv_ns : k->now;
	ev.h.exch_ns = k->last_exch_ns;
	if (k->state == BK_SYNCED)
		ev.h.flags |= REC_F_SYNCED;
	ev.code = code;
	ev.severity = sev;
	ev.exch = k->in->exch;
	ev.a = a;
	ev.b = b;
	va_start(ap, fmt);
	vsnprintf(ev.text, sizeof ev.text, fmt, ap);
	va_end(ap);
	log_line(sev >= SEV_WARN ? LOG_WARN : LOG_INFO, ev_code_name(code),
	    "exchange=%s symbol=%s a=%lld b=%lld text=%s", exch_name(k->in->exch), k->in->symbol,
	    (long long)a, (long long)b, log_q(ev.text));
	bk_emit(k, &ev.h);
}

void
bk_emit_snapshot(struct bk *k, uint8_t kind, uint8_t reason, int64_t now)
{
	const struct book *b = k->book;
	uint32_t nb = book_count(b, BOOK_BID), na = book_count(b, BOOK_ASK), nchunks;

	(void)now;
	if (kind == SNAP_FULL && k->rules.h.type == REC_INSTRUMENT) {
		struct rec_instrument r = k->rules;
		bk_emit(k, &r.h);
	}
	if (kind == SNAP_TOPN) {
		nb = nb < k->cfg->topn ? nb : k->cfg->topn;
		na = na < k->cfg->topn ? na : k->cfg->topn;
	}
	nchunks = (nb + REC_MAX_LEVELS - 1) / REC_MAX_LEVELS;
	if ((na + REC_MAX_LEVELS - 1) / REC_MAX_LEVELS > nchunks)
		nchunks = (na + REC_MAX_LEVELS - 1) / REC_MAX_LEVELS;
	if (nchunks == 0)
		nchunks = 1;
	for (uint32_t c = 0; c < nchunks; c++) {
		uint32_t off = c * REC_MAX_LEVELS;
		uint32_t cb = nb > off ? nb - off : 0, ca = na > off ? na - off : 0;
		struct rec_snapshot *s;
		size_t len;

		cb = cb < REC_MAX_LEVELS ? cb : REC_MAX_LEVELS;
		ca = ca < REC_MAX_LEVELS ? ca : REC_MAX_LEVELS;
		len = rec_snapshot_size(cb, ca);
		s = bk_out_space(k, len);
		if (!s) {
			log_error("out of memory building a snapshot", "symbol=%s", k->in->symbol);
			return;
		}
		memset(s, 0, len);
		rec_hdr_init(&s->h, REC_SNAPSHOT, k->in->id, (uint32_t)len);
		s->h.flags = REC_F_SYNCED;
		s->h.first_id = s->h.last_id = k->id;
		s->h.exch_ns = k->last_exch_ns;
		s->h.recv_ns = k->last_recv_ns;
		s->kind = kind;
		s->reason = reason;
		s->chunk = (uint16_t)c;
		s->nchunks = (uint16_t)nchunks;
		s->n_bids = cb;
		s->n_asks = ca;
		s->bid_floor_px = k->edge_px[BOOK_BID];
		s->ask_ceil_px = k->edge_px[BOOK_ASK];
		s->deep_refresh_ns = k->deep_refresh_ns;
		s->xseq = k->ops->audit_xseq ? k->aid : 0;
		/* the venue's checksum for this id, so a full book carries what
		 * the update that made it carried (0 = none sent) */
		s->checksum = k->okx_checksum;   /* only OKX's rule sets it */
		book_copy_range(b, BOOK_BID, off, cb, s->lv, NULL);
		book_copy_range(b, BOOK_ASK, off, ca, s->lv + cb, NULL);
		bk_emit(k, &s->h);
	}
}

static void
emit_changes_one(struct bk *k, const struct rec_snapshot *s, const struct rec_level *bids, uint32_t nb,
    const struct rec_level *asks, uint32_t na)
{
	size_t len = rec_delta_size(nb, na);
	struct rec_delta *d;

	d = bk_out_space(k, len);
	if (!d) {
		log_error("out of memory building a delta", "symbol=%s", k->in->symbol);
		return;
	}
	memset(d, 0, len);
	rec_hdr_init(&d->h, REC_DELTA, k->in->id, (uint32_t)len);
	d->h.first_id = d->h.last_id = d->h.prev_id = k->id;
	d->xseq = k->ops->audit_xseq ? k->aid : 0;
	d->h.flags = REC_F_SYNCED;
	d->h.exch_ns = s->h.exch_ns;
	d->h.recv_ns = s->h.recv_ns;
	d->n_bids = nb;
	d->n_asks = na;
	memcpy(d->lv, bids, nb * sizeof *bids);
	memcpy(d->lv + nb, asks, na * sizeof *asks);
	d->book_bids = book_count(k->book, BOOK_BID);
	d->book_asks = book_count(k->book, BOOK_ASK);
	book_best(k->book, BOOK_BID, &d->best_bid_px, &d->best_bid_qty);
	book_best(k->book, BOOK_ASK, &d->best_ask_px, &d->best_ask_qty);
	bk_emit(k, &d->h);
}

void
bk_emit_changes(struct bk *k, const struct rec_snapshot *s, const struct rec_level *bids, uint32_t nb,
    const struct rec_level *asks, uint32_t na)
{
	uint32_t ob = 0, oa = 0;

	/* a delta record holds at most REC_MAX_LEVELS changes per side */
	while (ob < nb || oa < na) {
		uint32_t tb = nb - ob < REC_MAX_LEVELS ? nb - ob : REC_MAX_LEVELS;
		uint32_t ta = na - oa < REC_MAX_LEVELS ? na - oa : REC_MAX_LEVELS;
		emit_changes_one(k, s, bids + ob, tb, asks + oa, ta);
		ob += tb;
		oa += ta;
	}
}

void
bk_edge_narrow(struct bk *k, int side, int64_t px)
{
	int64_t *e = &k->edge_px[side];

	if (*e == 0)
		return;   /* no exact range: nothing to narrow */
	if (side == BOOK_BID ? px > *e : px < *e)
		*e = px;
}

void
bk_edge_whole(struct bk *k)
{
	for (int s = 0; s < 2; s++) {
		uint32_t n = book_count(k->book, s);
		if (k->book->truncated[s] == k->trunc_mark[s])
			k->edge_px[s] = n ? book_level(k->book, s, n - 1)->px : 0;
	}
}

/* ---- the delta buffer ---- */

static const struct rec_delta *
buf_front(struct bk *k)
{
	return k->buf_count ? (const struct rec_delta *)(k->buf + k->buf_head) : NULL;
}

static void
buf_pop(struct bk *k)
{
	const struct rec_delta *d = buf_front(k);

	if (!d)
		return;
	k->buf_head += (d->h.len + 7) & ~7u;
	if (--k->buf_count == 0)
		k->buf_head = k->buf_len = 0;
}

void
bk_buffer_clear(struct bk *k)
{
	k->buf_head = k->buf_len = 0;
	k->buf_count = 0;
}

/* Copy d to the end of the buffer, dropping the oldest entries beyond buffer_max. */
static void
buf_push(struct bk *k, const struct rec_delta *d)
{
	size_t len = (d->h.len + 7) & ~7u;

	if (len > k->cfg->buffer_max) {
		k->st.buffer_dropped++;
		return;
	}
	while (k->buf_count && k->buf_len - k->buf_head + len > k->cfg->buffer_max) {
		buf_pop(k);
		k->st.buffer_dropped++;
	}
	if (k->buf_len + len > k->buf_cap && k->buf_head) {
		memmove(k->buf, k->buf + k->buf_head, k->buf_len - k->buf_head);
		k->buf_len -= k->buf_head;
		k->buf_head = 0;
	}
	if (k->buf_len + len > k->buf_cap) {
		size_t cap = k->buf_cap ? k->buf_cap : 65536;
		unsigned char *p;
		while (cap < k->buf_len + len)
			cap *= 2;
		p = realloc(k->buf, cap);
		if (!p) {
			k->st.buffer_dropped++;
			return;
		}
		k->buf = p;
		k->buf_cap = cap;
	}
	memcpy(k->buf + k->buf_len, d, d->h.len);
	/* marked on the copy, so the delta bk_apply emits from it says it waited
	 * for the sync (routerd keeps its latency out of the steady-state one) */
	((struct rec_hdr *)(k->buf + k->buf_len))->flags |= REC_F_BUFFERED;
	k->buf_len += len;
	k->buf_count++;
	k->st.buffered++;
}

/* ---- requests ---- */

void
bk_send_control(struct bk *k, uint16_t op, uint16_t flags, uint32_t req_id, uint32_t depth, const char *reason)
{
	struct rec_control c;

	memset(&c, 0, sizeof c);
	rec_hdr_init(&c.h, REC_CONTROL, k->in->id, sizeof c);
	c.h.flags = k->cfg->out_flags;
	c.h.stage_ns[STAGE_BOOK] = k->now;
	c.op = op;
	c.flags = flags;
	c.req_id = req_id;
	c.depth = depth;
	snprintf(c.reason, sizeof c.reason, "%s", reason);
	log_info("request", "exchange=%s symbol=%s op=%s req_id=%u depth=%u reason=%s",
	    exch_name(k->in->exch), k->in->symbol, ctl_op_name(op), req_id, depth, log_q(reason));
	if (k->sink && k->sink->control)
		k->sink->control(k->sink->ud, &c);
}

void
bk_request(struct bk *k, uint16_t op, int64_t now)
{
	uint32_t depth = 0;
	int64_t wait;

	if (++k->cfg->req_seq == 0)
		k->cfg->req_seq = 1;
	k->req_id = k->cfg->req_seq;
	k->req_op = op;
	k->req_sent_ns = now;
	k->want_req = 0;
	if (op == CTL_SNAPSHOT) {
		depth = k->ops->snap_depth(k->cfg);
		k->st.snap_requests++;
	} else {
		k->st.resubscribes++;
	}
	/* exponential backoff per book: min, 2*min, 4*min, ... up to max */
	wait = k->cfg->backoff_min_ns;
	for (uint32_t i = 0; i < k->req_attempts && wait < k->cfg->backoff_max_ns; i++)
		wait *= 2;
	if (wait > k->cfg->backoff_max_ns)
		wait = k->cfg->backoff_max_ns;
	k->req_attempts++;
	k->next_req_ns = now + wait;
	bk_send_control(k, op, 0, k->req_id, depth, op == CTL_SNAPSHOT ? "book sync" : "book sync (ws snapshot)");
}

/* Send the request the book needs, if one is due and allowed now. */
void
bk_maybe_request(struct bk *k, int64_t now)
{
	uint16_t op;

	if (!k->want_req || k->req_id || !k->connected || k->state == BK_SYNCED)
		return;
	if (now < k->next_req_ns)
		return;
	if (k->ops->request_op)
		op = k->ops->request_op(k, now);
	else
		/* a snapshot only helps once something is buffered to continue it */
		op = k->buf_count ? CTL_SNAPSHOT : 0;
	if (op)
		bk_request(k, op, now);
}

/* ---- sync ---- */

void
bk_unsync(struct bk *k)
{
	k->state = BK_WAIT;
	k->want_req = 1;
	bbo_reset(k);
	oa_reset(k);
	sp_unsync(k);
}

void
bk_resync(struct bk *k, const char *why, int64_t now)
{
	k->st.resyncs++;
	bk_event(k, EV_RESYNC, SEV_WARN, 0, k->id, 0, "%s", why);
	bk_unsync(k);
	bk_maybe_request(k, now);
}

static void
gap(struct bk *k, const struct rec_delta *d, int64_t now)
{
	int64_t expected = k->ops->chain_prev ? k->id : k->id + 1;
	int64_t got = k->ops->chain_prev ? d->h.prev_id : d->h.first_id;

	k->st.gaps++;
	if (k->ops->gap_event && k->ops->gap_event(k, d))
		;
	else
		bk_event(k, EV_GAP, SEV_WARN, 0, expected, got, "sequence gap: expected %lld, got %lld (last_id %lld)",
		    (long long)expected, (long long)got, (long long)d->h.last_id);
	bk_resync(k, "sequence gap", now);
}

int
bk_install(struct bk *k, const struct rec_snapshot *s, int64_t now)
{
	uint32_t skb = 0, ska = 0;
	int64_t aid = bk_audit_id(k, &s->h);
	int rb, ra;

	if (s->nchunks > 1) {
		k->st.snap_bad++;
		log_error("chunked exchange snapshot not supported", "symbol=%s nchunks=%u",
		    k->in->symbol, s->nchunks);
		return -1;
	}
	k->trunc_mark[BOOK_BID] = k->book->truncated[BOOK_BID];
	k->trunc_mark[BOOK_ASK] = k->book->truncated[BOOK_ASK];
	/* level ids are audit ids: what the REST window audit compares with */
	rb = book_set_side_id(k->book, BOOK_BID, s->lv, s->n_bids, &skb, aid);
	ra = book_set_side_id(k->book, BOOK_ASK, s->lv + s->n_bids, s->n_asks, &ska, aid);
	if (rb < 0 || ra < 0) {
		k->st.snap_bad++;
		k->st.bad_level++;
		book_clear(k->book);
		quality_fail(k, QUAL_LEVEL, s->h.last_id, 0,
		    "snapshot has a price <= 0, a negative quantity or a repeated price", now);
		return -1;
	}
	if (skb + ska) {
		k->st.bad_level += skb + ska;
		quality_fail(k, QUAL_LEVEL, skb, ska, "snapshot lists zero quantities (skipped)", now);
	}
	for (int side = 0; side < 2; side++) {
		uint32_t n = book_count(k->book, side);
		k->edge_px[side] = n ? book_level(k->book, side, n - 1)->px : 0;
	}
	k->id = k->snap_id = s->h.last_id;
	k->aid = aid;
	sp_reset(k, s->h.last_id);
	k->okx_checksum = s->checksum;
	k->deep_refresh_ns = k->deep_merged_ns = k->deep_wait_until = 0;
	k->last_exch_ns = s->h.exch_ns;
	k->depth_low = 0;
	bbo_reset(k);
	oa_reset(k);
	return 0;
}

void
bk_synced(struct bk *k, int64_t now)
{
	uint8_t reason = k->ever_synced ? SNAP_R_RESYNC : SNAP_R_SYNC;

	k->state = BK_SYNCED;
	k->synced_ns = now;
	k->ever_synced = 1;
	k->want_req = 0;
	k->req_id = 0;
	k->st.syncs++;
	sp_synced(k, now);
	bk_emit_snapshot(k, SNAP_FULL, reason, now);
	k->last_full_ns = k->last_topn_ns = now;
	bk_event(k, EV_SYNCED, SEV_INFO, 0, k->id,
	    (int64_t)book_count(k->book, BOOK_BID) + book_count(k->book, BOOK_ASK),
	    "in sync at %lld: %u bids, %u asks", (long long)k->id,
	    book_count(k->book, BOOK_BID), book_count(k->book, BOOK_ASK));
	bbo_after_apply(k, now);
	oa_after_apply(k, 0, now);
	if (k->ops->synced)
		k->ops->synced(k, now);
}

int
bk_apply(struct bk *k, const struct rec_delta *d, int64_t now)
{
	const struct rec_level *lv = d->lv;
	uint32_t n = d->n_bids + d->n_asks, bad = 0, bad_i = 0, trunc = 0;
	int64_t prev = k->id, aid = bk_audit_id(k, &d->h);
	unsigned mask;
	int hb = 0;
	struct rec_delta *o;

	for (uint32_t i = 0; i < n; i++) {
		int side = i < d->n_bids ? BOOK_BID : BOOK_ASK;
		int r = book_apply_id(k->book, side, lv[i].px, lv[i].qty, aid);
		if (r == BOOK_EINVAL) {
			if (!bad++)
				bad_i = i;
			continue;
		}
		/* a removal of a level not held is a change too: a refresh must
		 * not bring back what the stream removed after it */
		sp_note(k, side, lv[i].px, d->h.last_id, now);
		if (r == BOOK_DROPPED || r == BOOK_EVICTED) {
			/* the worst level is no longer known: the exact range shrinks */
			uint32_t c = book_count(k->book, side);
			bk_edge_narrow(k, side, book_level(k->book, side, c - 1)->px);
			trunc++;
		}
	}
	k->st.truncated += trunc;
	k->id = d->h.last_id;
	k->aid = aid;
	k->last_recv_ns = d->h.recv_ns;
	if (bad) {
		k->st.bad_level += bad;
		quality_fail(k, QUAL_LEVEL, lv[bad_i].px, lv[bad_i].qty,
		    "update has a price <= 0 or a negative quantity", now);
		k->fail_why = "invalid level in update";
		return -1;
	}
	k->st.applied++;
	if (k->ops->applied && k->ops->applied(k, d, &hb, now) < 0)
		return -1;
	mask = quality_check(k, d);
	if ((mask & (1u << QUAL_CROSSED)) && k->cfg->crossed_resync) {
		quality_report(k, mask, d, now);
		k->fail_why = "crossed book";
		return -1;
	}
	o = bk_out_space(k, d->h.len);
	if (!o) {
		log_error("out of memory building a delta", "symbol=%s", k->in->symbol);
		return 0;
	}
	memcpy(o, d, d->h.len);
	o->h.prev_id = prev;
	o->h.flags |= REC_F_SYNCED | (hb ? REC_F_HEARTBEAT : 0) | (mask ? REC_F_INVALID : 0) | quality_flags(mask);
	o->book_bids = book_count(k->book, BOOK_BID);
	o->book_asks = book_count(k->book, BOOK_ASK);
	book_best(k->book, BOOK_BID, &o->best_bid_px, &o->best_bid_qty);
	book_best(k->book, BOOK_ASK, &o->best_ask_px, &o->best_ask_qty);
	bk_emit(k, &o->h);
	if (mask)
		quality_report(k, mask, d, now);
	if (d->h.exch_ns)
		k->last_exch_ns = d->h.exch_ns;
	bbo_after_apply(k, now);
	return 0;
}

/* After a delta was applied to a synced book, live or from the buffer: a
 * held refresh it reached is spliced, and the OKX top history gets this id,
 * so that books5 at a buffered update's seqId is comparable too. */
static void
after_applied(struct bk *k, int64_t now)
{
	sp_after_apply(k, now);
	if (k->state == BK_SYNCED)
		oa_after_apply(k, 1, now);
}

/* Feed one delta to a synced book.  Returns 0 if it was applied or ignored,
 * -1 if the book lost sync (gap or an untrustworthy result). */
static int
synced_delta(struct bk *k, const struct rec_delta *d, int64_t now)
{
	switch (k->ops->next(k, &d->h)) {
	case SV_STALE:
		k->st.stale++;
		return 0;
	case SV_APPLY:
		if (bk_apply(k, d, now) == 0) {
			after_applied(k, now);
			return 0;
		}
		bk_resync(k, k->fail_why ? k->fail_why : "book failed validation", now);
		return -1;
	default:
		gap(k, d, now);
		return -1;
	}
}

/* BK_HAVE_SNAP: find the buffered delta that continues the snapshot, then
 * apply everything buffered after it. */
static void
try_match(struct bk *k, int64_t now)
{
	const struct rec_delta *d;

	while ((d = buf_front(k)) != NULL) {
		enum sync_verdict v = k->ops->first(k, &d->h);
		if (v == SV_STALE) {
			k->st.stale++;
			buf_pop(k);
			continue;
		}
		if (v != SV_APPLY) {
			/* the snapshot is older than the stream: fetch a newer one,
			 * keeping the buffer (it is still good) */
			k->st.snap_too_old++;
			log_info("snapshot older than buffered updates", "exchange=%s symbol=%s snapshot=%lld first=%lld prev=%lld",
			    exch_name(k->in->exch), k->in->symbol, (long long)k->snap_id,
			    (long long)d->h.first_id, (long long)d->h.prev_id);
			bk_unsync(k);
			bk_maybe_request(k, now);
			return;
		}
		bk_synced(k, now);
		if (bk_apply(k, d, now) < 0) {
			buf_pop(k);
			bk_resync(k, k->fail_why ? k->fail_why : "book failed validation", now);
			return;
		}
		buf_pop(k);
		after_applied(k, now);
		while (k->state == BK_SYNCED && (d = buf_front(k)) != NULL) {
			enum sync_verdict w = k->ops->next(k, &d->h);
			if (w == SV_GAP) {
				gap(k, d, now);   /* d stays buffered: the next sync starts there */
				return;
			}
			if (w == SV_STALE) {
				k->st.stale++;
				buf_pop(k);
				continue;
			}
			if (bk_apply(k, d, now) < 0) {
				buf_pop(k);
				bk_resync(k, k->fail_why ? k->fail_why : "book failed validation", now);
				return;
			}
			buf_pop(k);
			after_applied(k, now);
		}
		return;
	}
}

static void
on_delta(struct bk *k, const struct rec_delta *d, int64_t now)
{
	if (k->state == BK_SYNCED) {
		if (synced_delta(k, d, now) < 0 && k->state != BK_SYNCED)
			buf_push(k, d);   /* buffering continues from the delta that broke sync */
		bk_maybe_request(k, now);
		return;
	}
	if (k->ops->unsynced_delta && k->ops->unsynced_delta(k, d, now))
		return;
	buf_push(k, d);
	if (k->state == BK_HAVE_SNAP)
		try_match(k, now);
	else
		bk_maybe_request(k, now);
}

static void
on_snapshot(struct bk *k, const struct rec_snapshot *s, int64_t now)
{
	switch (s->kind) {
	case SNAP_WS:
		if (k->ops->ws_snapshot)
			k->ops->ws_snapshot(k, s, now);
		else
			k->st.snap_ignored++;
		return;
	case SNAP_DEEP:
		if (k->ops->deep_snapshot)
			k->ops->deep_snapshot(k, s, now);
		else
			k->st.snap_ignored++;
		return;
	case SNAP_TOP:
		oa_top(k, s, now);
		return;
	case SNAP_REST:
		break;
	default:
		k->st.snap_ignored++;
		return;
	}
	if (k->state == BK_SYNCED && (sp_answer(k, s, now) || oa_answer(k, s, now)))
		return;
	if (k->state == BK_SYNCED || (s->req_id && s->req_id != k->req_id)) {
		/* not asked for (or an answer to a request given up on) */
		k->st.snap_ignored++;
		return;
	}
	k->st.snap_answers++;
	k->req_id = 0;
	if (k->ops->rest_snapshot)
		k->ops->rest_snapshot(k);
	if (bk_install(k, s, now) < 0) {
		bk_unsync(k);
		bk_maybe_request(k, now);
		return;
	}
	k->state = BK_HAVE_SNAP;
	try_match(k, now);
}

static void
on_event(struct bk *k, const struct rec_event *ev, int64_t now)
{
	switch (ev->code) {
	case EV_CONNECTED:
		k->connected = 1;
		bk_buffer_clear(k);
		if (k->ops->connected)
			k->ops->connected(k, now);
		k->req_id = 0;
		if (k->state != BK_WAIT || k->ever_synced)
			bk_resync(k, "venue reconnected", now);
		else {
			bk_unsync(k);
			bk_maybe_request(k, now);
		}
		break;
	case EV_DISCONNECTED:
		k->connected = 0;
		bk_buffer_clear(k);
		k->req_id = 0;
		if (k->state != BK_WAIT)
			bk_resync(k, "venue disconnected", now);
		else
			bk_unsync(k);
		break;
	case EV_SNAPSHOT_FAILED:
		if (sp_failed(k, ev->h.aux) || oa_failed(k, ev->h.aux))
			break;
		if (k->req_id && ev->h.aux == k->req_id) {
			k->req_id = 0;
			k->want_req = 1;   /* again, after the backoff */
		}
		break;
	default:
		break;
	}
}

static void
pass_through(struct bk *k, const struct rec_hdr *rec)
{
	struct rec_hdr *o = bk_out_space(k, rec->len);

	if (!o)
		return;
	memcpy(o, rec, rec->len);
	bk_emit(k, o);
}

void
bk_start(struct bk *k, int64_t now)
{
	k->now = now;
	bk_event(k, EV_RESTARTED, SEV_INFO, 0, 0, 0, "bookd started: book unsynced, requesting a snapshot");
	k->connected = 1;
	k->okx_mode = OKX_MODE_UNKNOWN;
	k->grace_until = now;   /* feedd is probably subscribed already: ask at once */
	bk_unsync(k);
	bk_maybe_request(k, now);
}

void
bk_input(struct bk *k, const struct rec_hdr *rec, int64_t now)
{
	k->now = now;
	k->st.frames++;
	if (rec->recv_ns)
		k->last_recv_ns = rec->recv_ns;
	switch (rec->type) {
	case REC_DELTA:
		bk_loss_delta(k, (const struct rec_delta *)rec);
		on_delta(k, (const struct rec_delta *)rec, now);
		break;
	case REC_SNAPSHOT:
		/* a book larger than one record: joined first, so every rule sees it whole */
		if (((const struct rec_snapshot *)rec)->nchunks > 1) {
			const struct rec_snapshot *whole = bk_join_chunk(k, (const struct rec_snapshot *)rec);
			if (!whole)
				break;
			rec = &whole->h;
		}
		if (((const struct rec_snapshot *)rec)->kind == SNAP_WS &&
		    ((const struct rec_snapshot *)rec)->n_bids + ((const struct rec_snapshot *)rec)->n_asks)
			bk_loss_chain_at(k, rec->last_id);   /* OKX: updates continue from its seqId */
		on_snapshot(k, (const struct rec_snapshot *)rec, now);
		break;
	case REC_TICKER:
		pass_through(k, rec);
		if (k->ops->bbo_check && k->cfg->bbo_check &&
		    (((const struct rec_ticker *)rec)->have & TICK_BBO))
			bbo_ticker(k, (const struct rec_ticker *)rec, now);
		break;
	case REC_TRADE:
	case REC_KLINE:
	case REC_MARKET:
		pass_through(k, rec);
		break;
	case REC_INSTRUMENT:
		if (rec->len == sizeof k->rules)
			memcpy(&k->rules, rec, sizeof k->rules);
		pass_through(k, rec);
		break;
	case REC_EVENT:
		pass_through(k, rec);
		on_event(k, (const struct rec_event *)rec, now);
		break;
	default:
		break;
	}
}

void
bk_venue_event(struct bk *k, const struct rec_event *ev, int64_t now)
{
	k->now = now;
	on_event(k, ev, now);
}

void
bk_ring_loss(struct bk *k, uint64_t first_seq, uint64_t count, int64_t now)
{
	k->now = now;
	bk_event(k, EV_RING_LOSS, SEV_ERROR, 0, (int64_t)first_seq, (int64_t)count,
	    "feed.%s lost %llu records from ring seq %llu", exch_name(k->in->exch),
	    (unsigned long long)count, (unsigned long long)first_seq);
	bk_buffer_clear(k);
	bk_resync(k, "feed ring lost records", now);
}

void
bk_tick(struct bk *k, int64_t now)
{
	k->now = now;
	if (k->req_id && now - k->req_sent_ns > k->cfg->snapshot_timeout_ns) {
		k->st.req_timeouts++;
		log_warn("request not answered in time", "exchange=%s symbol=%s op=%s req_id=%u",
		    exch_name(k->in->exch), k->in->symbol, ctl_op_name(k->req_op), k->req_id);
		if (k->ops->timed_out)
			k->ops->timed_out(k);
		k->req_id = 0;
		if (k->state != BK_SYNCED)
			k->want_req = 1;
	}
	if (k->state == BK_SYNCED) {
		if (k->req_attempts && now - k->synced_ns >= k->cfg->backoff_reset_ns)
			k->req_attempts = 0;
		if (now - k->last_full_ns >= k->cfg->full_interval_ns) {
			k->last_full_ns = now;
			bk_emit_snapshot(k, SNAP_FULL, SNAP_R_PERIODIC, now);
		}
		if (now - k->last_topn_ns >= k->cfg->snapshot_interval_ns) {
			k->last_topn_ns = now;
			bk_emit_snapshot(k, SNAP_TOPN, SNAP_R_PERIODIC, now);
		}
		sp_tick(k, now);
		oa_tick(k, now);
	} else if (k->state == BK_WAIT && k->ops->wait_tick) {
		k->ops->wait_tick(k, now);
	}
	bk_maybe_request(k, now);
}
