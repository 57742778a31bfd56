/* route.c - the routing table; see route.h and routerd/README.md. */
#include "route.h"

#include <stdio.h>
#include <string.h>

#include "enc.h"

const struct route_stream_def route_streams[RS_N] = {
	[RS_FULL] = {"ORDERBOOK_FULL", "full",
	    {"orderbook.full.*.*", "orderbook.snapshot.*.*", NULL}},
	[RS_DELTA] = {"ORDERBOOK_DELTA", "delta",
	    {"orderbook.delta.*.*", "orderbook.update.*.*", "orderbook.pure_delta.*.*", NULL}},
	[RS_TRADES] = {"MARKET_TRADES", "trades", {"market.*.*.trade", NULL}},
	[RS_DATA] = {"MARKET_DATA", "data",
	    {"market.*.*.ticker", "market.*.*.kline.*", "market.*.*.funding_rate",
	    "market.*.*.open_interest", "market.*.*.mark_price", "market.*.*.liquidation", NULL}},
	[RS_EVENTS] = {"SYSTEM_EVENTS", "events", {"orderbook.event.*.*", "system.alert.*", NULL}},
};

/* kind -> (Msg-Id name, subject pattern with <ex>, <sym> as %s %s, stream) */
static const struct {
	const char *name;
	const char *subj;
	int stream;
} kinds[RK_N] = {
	[RK_FULL] = {"full", "orderbook.full.%s.%s", RS_FULL},
	[RK_SNAPSHOT] = {"snapshot", "orderbook.snapshot.%s.%s", RS_FULL},
	[RK_DELTA] = {"delta", "orderbook.delta.%s.%s", RS_DELTA},
	[RK_PURE_DELTA] = {"pure_delta", "orderbook.pure_delta.%s.%s", RS_DELTA},
	[RK_UPDATE] = {"update", "orderbook.update.%s.%s", RS_DELTA},
	[RK_TRADE] = {"trade", "market.%s.%s.trade", RS_TRADES},
	[RK_TICKER] = {"ticker", "market.%s.%s.ticker", RS_DATA},
	[RK_KLINE] = {"kline", "market.%s.%s.kline.%s", RS_DATA},
	[RK_EVENT] = {"event", "orderbook.event.%s.%s", RS_EVENTS},
	[RK_FUNDING] = {"funding_rate", "market.%s.%s.funding_rate", RS_DATA},
	[RK_OPEN_INTEREST] = {"open_interest", "market.%s.%s.open_interest", RS_DATA},
	[RK_MARK_PRICE] = {"mark_price", "market.%s.%s.mark_price", RS_DATA},
	[RK_LIQUIDATION] = {"liquidation", "market.%s.%s.liquidation", RS_DATA},
};

/* enum mkt_kind -> its route kind (0 = unused). */
static const int market_kinds[MK_KIND_MAX + 1] = {
	[MK_FUNDING] = RK_FUNDING,
	[MK_OPEN_INTEREST] = RK_OPEN_INTEREST,
	[MK_MARK] = RK_MARK_PRICE,
	[MK_LIQUIDATION] = RK_LIQUIDATION,
};

const char *
route_kind_name(int kind)
{
	return kind >= 0 && kind < RK_N ? kinds[kind].name : "?";
}

int
route_kind_stream(int kind)
{
	return kind >= 0 && kind < RK_N ? kinds[kind].stream : -1;
}

/*
 * A stable per-record disambiguator for records whose exchange id is not
 * unique (tickers, klines, events, heartbeats, snapshots of an unchanged
 * book): a hash of the record's bytes.  The same ring record always gives
 * the same value (so a re-publish is recognised); two records differ in it
 * unless they are byte-for-byte equal, times included (then the copy adds
 * nothing).  Times alone are not enough: bookd may stamp several records of
 * one batch with the same time.
 */
static unsigned long long
rec_stamp(const struct rec_hdr *h)
{
	const unsigned char *p = (const unsigned char *)h;
	uint64_t x = 1469598103934665603ULL;

	for (uint32_t i = 0; i < h->len; i++)
		x = (x ^ p[i]) * 1099511628211ULL;
	return (unsigned long long)x;
}

/* Subject and Msg-Id of one message; 0, or -1 if either would not fit
 * (impossible with registry symbols, checked anyway). */
static int
fill(struct route_msg *m, int kind, int body, const char *ex, const char *sym, const char *iv,
    const char *seq)
{
	int a, b;

	m->kind = kind;
	m->body = body;
	if (kind == RK_KLINE)
		a = snprintf(m->subject, sizeof m->subject, kinds[kind].subj, ex, sym, iv);
	else
		a = snprintf(m->subject, sizeof m->subject, kinds[kind].subj, ex, sym);
	b = snprintf(m->msg_id, sizeof m->msg_id, "%s.%s.%s.%s", ex, sym, kinds[kind].name, seq);
	return a < 0 || b < 0 || (size_t)a >= sizeof m->subject || (size_t)b >= sizeof m->msg_id ? -1 : 0;
}

#define FILL(...) do { if (fill(__VA_ARGS__) < 0) goto toolong; } while (0)

int
route_plan(const struct rec_hdr *rec, const struct inst *in, const struct route_opts *o,
    struct route_msg out[ROUTE_MAX_MSGS], char *why, size_t whylen)
{
	const char *ex = in ? exch_name(in->exch) : "all";
	const char *sym = in ? in->lower : "all";

	/* a venue-wide event (no instrument) still names its venue */
	if (!in && rec->type == REC_EVENT && ((const struct rec_event *)rec)->exch != EX_NONE)
		ex = exch_name(((const struct rec_event *)rec)->exch);
	char seq[96], iv[16], legacy[112];
	int n = 0;

	if (!in && rec->type != REC_EVENT) {
		snprintf(why, whylen, "%s record without a known instrument (id %u)",
		    rec_type_name(rec->type), (unsigned)rec->inst);
		return -1;
	}
	switch (rec->type) {
	case REC_SNAPSHOT: {
		const struct rec_snapshot *s = (const struct rec_snapshot *)rec;
		int kind;

		if (s->kind != SNAP_FULL && s->kind != SNAP_TOPN)
			return 0;   /* feedd's exchange snapshots are bookd's input only */
		if (s->nchunks > 1) {
			snprintf(why, whylen, "chunked snapshot (%u chunks) is not supported",
			    (unsigned)s->nchunks);
			return -1;
		}
		kind = s->kind == SNAP_FULL ? RK_FULL : RK_SNAPSHOT;
		if (kind == RK_SNAPSHOT && !o->topn)
			return 0;
		snprintf(seq, sizeof seq, "%lld.%016llx", (long long)s->h.last_id, rec_stamp(rec));
		FILL(&out[n++], kind, RB_BOOK, ex, sym, NULL, seq);
		if (o->legacy == ROUTE_LEGACY_ALL) {
			snprintf(legacy, sizeof legacy, "%s.%s", kinds[kind].name, seq);
			FILL(&out[n++], RK_UPDATE, RB_BOOK, ex, sym, NULL, legacy);
		}
		return n;
	}
	case REC_DELTA: {
		const struct rec_delta *d = (const struct rec_delta *)rec;

		/* The update id alone is not enough: OKX heartbeats repeat the
		 * previous seqId, and after a resync bookd may apply an update
		 * with an id it already published in the previous epoch (a REST
		 * snapshot older than the book was), which must not be dropped. */
		snprintf(seq, sizeof seq, "%lld.%016llx", (long long)rec->last_id, rec_stamp(rec));
		FILL(&out[n++], RK_DELTA, RB_BOOK, ex, sym, NULL, seq);
		if (o->pure_delta && d->n_bids + d->n_asks > 0)
			FILL(&out[n++], RK_PURE_DELTA, RB_PURE_DELTA, ex, sym, NULL, seq);
		if (o->legacy != ROUTE_LEGACY_NONE) {
			snprintf(legacy, sizeof legacy, "delta.%s", seq);
			FILL(&out[n++], RK_UPDATE, RB_BOOK, ex, sym, NULL, legacy);
		}
		return n;
	}
	case REC_TRADE:
		if (rec->last_id >= 0)
			snprintf(seq, sizeof seq, "%lld", (long long)rec->last_id);
		else
			snprintf(seq, sizeof seq, "t%016llx", rec_stamp(rec));
		FILL(&out[n++], RK_TRADE, RB_TRADE, ex, sym, NULL, seq);
		return n;
	case REC_TICKER:
		snprintf(seq, sizeof seq, "%lld.%016llx", (long long)rec->last_id, rec_stamp(rec));
		FILL(&out[n++], RK_TICKER, RB_TICKER, ex, sym, NULL, seq);
		return n;
	case REC_KLINE: {
		const struct rec_kline *k = (const struct rec_kline *)rec;

		enc_interval(k->interval_s, iv, sizeof iv);
		snprintf(seq, sizeof seq, "%s.%lld.%016llx", iv, (long long)(k->open_ns / 1000000), rec_stamp(rec));
		FILL(&out[n++], RK_KLINE, RB_KLINE, ex, sym, iv, seq);
		return n;
	}
	case REC_MARKET:
		/* no venue sequence: the exchange time and a hash of the bytes,
		 * so a re-publish is the same id and two updates differ */
		if (rec->aux < 1 || rec->aux > MK_KIND_MAX) {
			snprintf(why, whylen, "market record of unknown kind %u", (unsigned)rec->aux);
			return -1;
		}
		snprintf(seq, sizeof seq, "%lld.%016llx", (long long)rec->exch_ns, rec_stamp(rec));
		FILL(&out[n++], market_kinds[rec->aux], RB_MARKET, ex, sym, NULL, seq);
		return n;
	case REC_EVENT: {
		const struct rec_event *e = (const struct rec_event *)rec;

		snprintf(seq, sizeof seq, "%s.%lld.%016llx", ev_code_name(e->code), (long long)e->a, rec_stamp(rec));
		FILL(&out[n++], RK_EVENT, RB_EVENT, ex, sym, NULL, seq);
		return n;
	}
	}
	return 0;   /* control and raw records are not published */
toolong:
	snprintf(why, whylen, "subject or Nats-Msg-Id too long");
	return -1;
}

void
route_ring_loss(uint64_t first_seq, uint64_t count, struct route_msg *m)
{
	char seq[64];

	snprintf(seq, sizeof seq, "ring_loss.%llu.%llu", (unsigned long long)first_seq,
	    (unsigned long long)count);
	(void)fill(m, RK_EVENT, RB_EVENT, "all", "all", NULL, seq);
}

int
route_encode(const struct rec_hdr *rec, const struct inst *in, const struct route_msg *m,
    struct sbuf *b, int *valid)
{
	return route_encode_ml(rec, in, m, b, valid, 0, 0);
}

int
route_encode_ml(const struct rec_hdr *rec, const struct inst *in, const struct route_msg *m,
    struct sbuf *b, int *valid, unsigned ml_full, unsigned ml_snapshot)
{
	if (valid)
		*valid = 1;
	switch (m->body) {
	case RB_BOOK:
		/* ml_features on the full and snapshot bodies (routerd encodes a body once:
		 * the legacy orderbook.update copy of a snapshot carries the same bytes) */
		enc_book_ml(b, rec, in, valid, m->kind == RK_FULL ? ml_full : m->kind == RK_SNAPSHOT ? ml_snapshot : 0);
		break;
	case RB_PURE_DELTA:
		enc_pure_delta(b, (const struct rec_delta *)rec, in);
		break;
	case RB_TRADE:
		enc_trade(b, (const struct rec_trade *)rec, in);
		break;
	case RB_TICKER:
		enc_ticker(b, (const struct rec_ticker *)rec, in);
		break;
	case RB_KLINE:
		enc_kline(b, (const struct rec_kline *)rec, in);
		break;
	case RB_EVENT:
		enc_event(b, (const struct rec_event *)rec, in);
		break;
	case RB_MARKET:
		enc_market(b, (const struct rec_market *)rec, in);
		break;
	}
	return b->oom ? -1 : 0;
}
