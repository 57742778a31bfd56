/*
 * mpsub - the reference consumer of routerd's JetStream streams.
 *
 * Subscribes with durable pull consumers (one per subject family, all named
 * from --durable), counts messages per subject, checks that no Nats-Msg-Id
 * appears twice, rebuilds every book from orderbook.full + orderbook.delta
 * with the universal continuity rule (verify.h) and compares the rebuilt
 * book with each following full book.  Prints a JSON summary, a live
 * top-of-book view, or the streams' configuration and state.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <nats/nats.h>

#include "daemon.h"
#include "fx.h"
#include "inst.h"
#include "log.h"
#include "natsc.h"
#include "pipe.h"
#include "route.h"
#include "verify.h"
#include "vparse.h"

static const char usage[] =
    "usage: mpsub [-c CONF] [--set S.K=V] [options]\n"
    "\n"
    "Reads routerd's streams with durable JetStream pull consumers, rebuilds every\n"
    "book from orderbook.full + orderbook.delta, verifies update-id continuity and\n"
    "that the rebuilt book equals each following full book.  [nats] url and\n"
    "credentials/TLS come from the config.\n"
    "\n"
    "Options:\n"
    "  --durable NAME      durable consumer name (default mpsub); one consumer per\n"
    "                      subject family is created as NAME_<family>\n"
    "  --subjects LIST     families to read (default all): full,snapshot,delta,\n"
    "                      pure_delta,update,trade,ticker,kline,funding_rate,\n"
    "                      open_interest,mark_price,liquidation,event,alert\n"
    "  --new               start at new messages (default: everything the stream holds)\n"
    "  --summary           print one JSON summary at the end (the default output)\n"
    "  --seconds N         run for N seconds (default 10; 0 = until interrupted)\n"
    "  --until-caught-up   stop as soon as every consumer has nothing pending\n"
    "  --top               print the top of every rebuilt book once a second\n"
    "  --levels N          levels per side in the --top view (default 5)\n"
    "  --streams           print the streams' configuration and state as JSON and exit\n"
    "  --cleanup           delete the durable consumers before exiting\n"
    "  --dump FILE         also write every message to FILE: subject TAB body, one per line\n"
    "  --verify-levels N   compare the best N levels per side with each full book\n"
    "                      (default: all; OKX 400, its WebSocket window: deeper levels\n"
    "                      come from REST merges no delta describes); the rebuilt book\n"
    "                      keeps [bookd] max_levels per side, like bookd\n"
    "\n"
    "Summary: {\"subjects\": {subject: count}, \"books\": [{exchange, symbol, synced,\n"
    "gaps, mismatches, levels_bid, levels_ask, ...}], \"gaps\": N, \"mismatches\": N,\n"
    "\"duplicates\": N, ...}\n";

static const struct family {
	const char *name;
	int stream;
	const char *filter;
} families[] = {
	{"full", RS_FULL, "orderbook.full.*.*"},
	{"snapshot", RS_FULL, "orderbook.snapshot.*.*"},
	{"delta", RS_DELTA, "orderbook.delta.*.*"},
	{"pure_delta", RS_DELTA, "orderbook.pure_delta.*.*"},
	{"update", RS_DELTA, "orderbook.update.*.*"},
	{"trade", RS_TRADES, "market.*.*.trade"},
	{"ticker", RS_DATA, "market.*.*.ticker"},
	{"kline", RS_DATA, "market.*.*.kline.*"},
	{"funding_rate", RS_DATA, "market.*.*.funding_rate"},
	{"open_interest", RS_DATA, "market.*.*.open_interest"},
	{"mark_price", RS_DATA, "market.*.*.mark_price"},
	{"liquidation", RS_DATA, "market.*.*.liquidation"},
	{"event", RS_EVENTS, "orderbook.event.*.*"},
	{"alert", RS_EVENTS, "system.alert.*"},
};
#define NFAM ((int)(sizeof families / sizeof families[0]))
#define F_FULL 0
#define F_DELTA 2

struct subj_count {
	char subject[96];
	uint64_t n;
};

struct sub {
	const struct family *fam;
	natsSubscription *s;        /* sync subscription on the consumer's inbox */
	char durable[64];
	char inbox_subj[128];
	char next_subj[256];
	uint64_t got;
};

static struct {
	struct inst_registry reg;
	natsConnection *nc;
	jsCtx *js;
	struct sub subs[NFAM];
	int nsubs;
	struct subj_count *subj;
	int nsubj, capsubj;
	struct vbook *books;      /* cbooks: twice the instruments the config may take (a stream
	                           * may carry books another config named) */
	int nbooks, cbooks;
	uint64_t *ids;              /* Nats-Msg-Id hashes (open addressing, 0 = empty) */
	uint64_t idcap, nids;
	uint64_t duplicates, bad_json, messages, ids_unchecked;
	int top_levels;
	int verify_levels;          /* -1 = per venue (OKX 400, else all) */
	int64_t oldest_full_ns;     /* stream time of the oldest full book read */
	uint32_t max_levels;        /* bookd's depth limit */
	FILE *dump;
} g;

/* ---- counting and duplicate detection ---- */

static void
count_subject(const char *s)
{
	for (int i = 0; i < g.nsubj; i++)
		if (strcmp(g.subj[i].subject, s) == 0) {
			g.subj[i].n++;
			return;
		}
	if (g.nsubj == g.capsubj) {
		int nc = g.capsubj ? g.capsubj * 2 : 32;
		struct subj_count *n = realloc(g.subj, (size_t)nc * sizeof *n);

		if (!n)
			return;
		g.subj = n;
		g.capsubj = nc;
	}
	snprintf(g.subj[g.nsubj].subject, sizeof g.subj[0].subject, "%s", s);
	g.subj[g.nsubj++].n = 1;
}

static uint64_t
fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ? h : 1;
}

/* 1 if the id was seen before.  Past 16M ids the check stops (counted). */
static int
seen_id(const char *id)
{
	uint64_t h = fnv(id), i;

	if (g.nids * 2 >= g.idcap) {
		uint64_t nc = g.idcap ? g.idcap * 2 : 1 << 16, *n;

		if (nc > (1u << 25) || !(n = calloc(nc, sizeof *n))) {
			g.ids_unchecked++;
			return 0;
		}
		for (uint64_t j = 0; j < g.idcap; j++)
			if (g.ids[j]) {
				for (i = g.ids[j] & (nc - 1); n[i]; i = (i + 1) & (nc - 1))
					;
				n[i] = g.ids[j];
			}
		free(g.ids);
		g.ids = n;
		g.idcap = nc;
	}
	for (i = h & (g.idcap - 1); g.ids[i]; i = (i + 1) & (g.idcap - 1))
		if (g.ids[i] == h)
			return 1;
	g.ids[i] = h;
	g.nids++;
	return 0;
}

/* ---- parsing book messages ---- */

static struct vbook *
find_book(const char *ex, const char *sym)
{
	for (int i = 0; i < g.nbooks; i++)
		if (strcmp(g.books[i].exchange, ex) == 0 && strcmp(g.books[i].symbol, sym) == 0)
			return &g.books[i];
	if (g.nbooks >= g.cbooks)
		return NULL;
	if (vbook_init(&g.books[g.nbooks], ex, sym, g.max_levels) < 0)
		return NULL;
	g.books[g.nbooks].verify_levels = g.verify_levels >= 0 ? (uint32_t)g.verify_levels :
	    venue_get(exch_parse(ex)) ? venue_get(exch_parse(ex))->ws_levels : 0;
	return &g.books[g.nbooks++];
}

static int
book_msg(const char *data, int len, int is_full)
{
	char ex[16], sym[24];
	struct vbook *vb;
	struct vmsg *m = NULL;

	if (vparse_book(data, (size_t)len, is_full, &g.reg, ex, sym, &m) < 0)
		return -1;
	if (!(vb = find_book(ex, sym))) {
		free(m);
		return -1;
	}
	m->t = mono_ns() / 1000000;
	vbook_push(vb, m);
	return 0;
}

/* ---- NATS ---- */

/* The stream time of a JetStream message, from its ack subject
 * $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ns>.<pending>. */
static int64_t
msg_time(const char *reply)
{
	const char *p = reply;

	for (int i = 0; p && i < 7; i++)
		if ((p = strchr(p, '.')))
			p++;
	return p ? strtoll(p, NULL, 10) : 0;
}

static void
on_msg(struct sub *s, natsMsg *msg)
{
	const char *id = NULL;

	g.messages++;
	s->got++;

	if (g.dump) {
		/* one line per message: the subject, a tab, the body as published */
		fputs(natsMsg_GetSubject(msg), g.dump);
		fputc('\t', g.dump);
		fwrite(natsMsg_GetData(msg), 1, (size_t)natsMsg_GetDataLength(msg), g.dump);
		fputc('\n', g.dump);
	}
	count_subject(natsMsg_GetSubject(msg));
	if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK && id && seen_id(id))
		g.duplicates++;
	if (s->fam == &families[F_FULL] && natsMsg_GetReply(msg)) {
		int64_t t = msg_time(natsMsg_GetReply(msg));

		if (t > 0 && (g.oldest_full_ns == 0 || t < g.oldest_full_ns))
			g.oldest_full_ns = t;
	}
	if (s->fam == &families[F_FULL] || s->fam == &families[F_DELTA]) {
		if (book_msg(natsMsg_GetData(msg), natsMsg_GetDataLength(msg), s->fam == &families[F_FULL]) < 0)
			g.bad_json++;
	}
	/* Ack by hand: this message came through a plain subscription. */
	if (natsMsg_GetReply(msg))
		natsConnection_PublishString(g.nc, natsMsg_GetReply(msg), "+ACK");
}

/*
 * One pull request: ask the consumer for up to `batch` messages (no_wait:
 * the server sends what it has, then a 404 (nothing) or 408 (that was all)
 * status, at once) and read them from
 * this consumer's own inbox.  Done by hand rather than with
 * natsSubscription_Fetch: in nats.c 3.4.1 a fetch that finds more leftover
 * messages than half its batch writes past its array.  Messages left in the
 * inbox by a request that timed out are simply read by the next one.
 * Returns the number of messages.
 */
static int
fetch(struct sub *s, int batch, int wait_ms)
{
	char req[96];
	int n = 0;

	if (!s->s)
		return 0;   /* not opened yet (--new: deltas wait for the full books) */
	snprintf(req, sizeof req, "{\"batch\":%d,\"no_wait\":true}", batch);
	if (natsConnection_PublishRequestString(g.nc, s->next_subj, s->inbox_subj, req) != NATS_OK)
		return 0;
	while (n < batch) {
		natsMsg *m = NULL;
		const char *st = NULL;

		if (natsSubscription_NextMsg(&m, s->s, wait_ms) != NATS_OK)
			break;      /* timeout: whatever is late comes with the next request */
		if (natsMsg_GetDataLength(m) == 0 && natsMsgHeader_Get(m, "Status", &st) == NATS_OK) {
			natsMsg_Destroy(m);
			break;      /* 404 no messages / 408 request expired */
		}
		on_msg(s, m);
		natsMsg_Destroy(m);
		n++;
	}
	return n;
}

/* Create (or find) the durable consumer of s and its inbox subscription. */
static int
open_consumer(struct sub *s, int policy, int64_t start_ns)
{
	const char *stream = route_streams[s->fam->stream].name;
	jsConsumerConfig cc;
	jsConsumerInfo *ci = NULL;
	jsErrCode jerr = 0;
	natsInbox *inbox = NULL;

	jsConsumerConfig_Init(&cc);
	cc.Durable = s->durable;
	cc.FilterSubject = s->fam->filter;
	cc.DeliverPolicy = policy;
	cc.OptStartTime = policy == js_DeliverByStartTime ? start_ns : 0;
	cc.AckPolicy = js_AckExplicit;
	cc.MaxAckPending = 20000;
	/* an existing durable consumer is reused as it is (that is the point) */
	if (js_GetConsumerInfo(&ci, g.js, stream, s->durable, NULL, &jerr) != NATS_OK &&
	    js_AddConsumer(&ci, g.js, stream, &cc, NULL, &jerr) != NATS_OK) {
		fprintf(stderr, "mpsub: consumer %s on %s: %s (jetstream error %d)\n", s->durable, stream,
		    nats_GetLastError(NULL), (int)jerr);
		return -1;
	}
	jsConsumerInfo_Destroy(ci);
	snprintf(s->next_subj, sizeof s->next_subj, "$JS.API.CONSUMER.MSG.NEXT.%s.%s", stream, cc.Durable);
	if (natsInbox_Create(&inbox) != NATS_OK)
		return -1;
	snprintf(s->inbox_subj, sizeof s->inbox_subj, "%s", (const char *)inbox);
	natsInbox_Destroy(inbox);
	if (natsConnection_SubscribeSync(&s->s, g.nc, s->inbox_subj) != NATS_OK) {
		fprintf(stderr, "mpsub: subscribe: %s\n", nats_GetLastError(NULL));
		return -1;
	}
	natsSubscription_SetPendingLimits(s->s, -1, -1);
	return 0;
}

/*
 * One consumer per family asked for.  With --new, the full-book consumer
 * starts at the last full book of every book (DeliverLastPerSubject) and the
 * delta consumer is opened by start_deltas() once those are read, at their
 * time: the rebuilt books are usable at once instead of after the next
 * periodic full book.
 */
static int
subscribe(const char *durable, const char *list, int deliver_new)
{
	for (int i = 0; i < NFAM; i++) {
		struct sub *s;
		int policy = deliver_new ? js_DeliverNew : js_DeliverAll;

		if (list && *list) {
			char tmp[256], *t, *save = NULL;
			int want = 0;

			snprintf(tmp, sizeof tmp, "%s", list);
			for (t = strtok_r(tmp, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
				if (strcmp(t, families[i].name) == 0)
					want = 1;
			if (!want)
				continue;
		}
		s = &g.subs[g.nsubs++];
		s->fam = &families[i];
		snprintf(s->durable, sizeof s->durable, "%s_%s", durable, families[i].name);
		if (deliver_new && i == F_FULL)
			policy = js_DeliverLastPerSubject;
		if (deliver_new && i == F_DELTA)
			continue;   /* start_deltas() */
		if (open_consumer(s, policy, 0) < 0)
			return -1;
	}
	return 0;
}


static int
caught_up(void)
{
	for (int i = 0; i < g.nsubs; i++) {
		jsConsumerInfo *ci = NULL;
		int pending;

		if (!g.subs[i].s)
			return 0;
		if (js_GetConsumerInfo(&ci, g.js, route_streams[g.subs[i].fam->stream].name, g.subs[i].durable,
		    NULL, NULL) != NATS_OK)
			return 0;
		/* nothing left to deliver, and everything delivered was read and acked */
		pending = ci->NumPending > 0 || ci->NumAckPending > 0;
		jsConsumerInfo_Destroy(ci);
		if (pending)
			return 0;
	}
	return 1;
}

static struct sub *
sub_of(int fam)
{
	for (int i = 0; i < g.nsubs; i++)
		if (g.subs[i].fam == &families[fam])
			return &g.subs[i];
	return NULL;
}

/*
 * One round.  Full books and deltas come from two consumers; routerd
 * publishes a full book before the deltas that follow it, but the two
 * streams store independently, so a full book can land a moment after the
 * next deltas.  A delta is therefore applied only once the full books have
 * been drained at least HOLD_MS after the delta arrived.
 */
#define HOLD_MS 100
static int
round_once(void)
{
	struct sub *fs = sub_of(F_FULL), *ds = sub_of(F_DELTA);
	int64_t horizon;
	int n = 0, k;

	if (fs)
		while ((k = fetch(fs, 64, 200)) > 0)
			n += k;
	if (ds)
		for (int i = 0; i < 8 && (k = fetch(ds, 512, 200)) > 0; i++)
			n += k;
	horizon = mono_ns() / 1000000 - HOLD_MS;
	if (fs)
		while ((k = fetch(fs, 64, 200)) > 0)
			n += k;
	for (int i = 0; i < g.nbooks; i++)
		vbook_process(&g.books[i], fs ? horizon : INT64_MAX);
	for (int i = 0; i < g.nsubs; i++)
		if (&g.subs[i] != fs && &g.subs[i] != ds)
			n += fetch(&g.subs[i], 512, 100);
	return n;
}

/* ---- output ---- */

static void
print_top(void)
{
	char t[40], px[FX_STR_MAX], qty[FX_STR_MAX];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("---- %s  messages %llu\n", t, (unsigned long long)g.messages);
	for (int i = 0; i < g.nbooks; i++) {
		struct vbook *vb = &g.books[i];
		int pe, qe;

		vparse_exps(&g.reg, vb->exchange, vb->symbol, &pe, &qe);
		printf("%-8s %-10s id %-14lld %s levels %u/%u gaps %llu mismatches %llu\n", vb->exchange, vb->symbol,
		    (long long)vb->id, vb->synced ? "synced  " : "UNSYNCED", book_count(vb->b, BOOK_BID),
		    book_count(vb->b, BOOK_ASK), (unsigned long long)vb->st.gaps,
		    (unsigned long long)vb->st.mismatches);
		for (int l = 0; l < g.top_levels; l++) {
			const struct rec_level *b = book_level(vb->b, BOOK_BID, (uint32_t)l);
			const struct rec_level *a = book_level(vb->b, BOOK_ASK, (uint32_t)l);
			char bs[128] = "", as[128] = "";

			if (b) {
				fx_format(b->px, pe, FX_TRIM, px, sizeof px);
				fx_format(b->qty, qe, FX_TRIM, qty, sizeof qty);
				snprintf(bs, sizeof bs, "%s x %s", qty, px);
			}
			if (a) {
				fx_format(a->px, pe, FX_TRIM, px, sizeof px);
				fx_format(a->qty, qe, FX_TRIM, qty, sizeof qty);
				snprintf(as, sizeof as, "%s x %s", px, qty);
			}
			printf("    %40s | %-40s\n", bs, as);
		}
	}
	fflush(stdout);
}

static void
print_summary(void)
{
	json_t *o = json_object(), *subj = json_object(), *books = json_array();
	uint64_t gaps = 0, mism = 0;

	for (int i = 0; i < g.nsubj; i++)
		json_object_set_new(subj, g.subj[i].subject, json_integer((json_int_t)g.subj[i].n));
	for (int i = 0; i < g.nbooks; i++) {
		struct vbook *vb = &g.books[i];
		uint64_t pending = 0;
		json_t *b;

		for (struct vmsg *m = vb->fh; m; m = m->next)
			pending++;
		gaps += vb->st.gaps;
		mism += vb->st.mismatches;
		b = json_pack("{s:s,s:s,s:b,s:I,s:I,s:i,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
		    "exchange", vb->exchange, "symbol", vb->symbol, "synced", vb->synced != 0,
		    "gaps", (json_int_t)vb->st.gaps, "mismatches", (json_int_t)vb->st.mismatches,
		    "levels_bid", (int)book_count(vb->b, BOOK_BID), "levels_ask", (int)book_count(vb->b, BOOK_ASK),
		    "last_update_id", (json_int_t)vb->id, "fulls", (json_int_t)vb->st.fulls,
		    "deltas", (json_int_t)vb->st.deltas, "applied", (json_int_t)vb->st.applied,
		    "verified", (json_int_t)vb->st.verified, "unverified", (json_int_t)vb->st.unverified,
		    "resyncs", (json_int_t)vb->st.resyncs, "stale", (json_int_t)vb->st.stale,
		    "skipped", (json_int_t)vb->st.skipped, "pending_fulls", (json_int_t)pending,
		    "duplicates", (json_int_t)vb->st.stale);
		json_object_set_new(b, "late_merges", json_integer((json_int_t)vb->st.late_merges));
		if (vb->st.first_mismatch[0])
			json_object_set_new(b, "first_mismatch", json_string(vb->st.first_mismatch));
		if (vb->st.first_unverified[0])
			json_object_set_new(b, "first_unverified", json_string(vb->st.first_unverified));
		json_array_append_new(books, b);
	}
	json_object_set_new(o, "subjects", subj);
	json_object_set_new(o, "books", books);
	json_object_set_new(o, "gaps", json_integer((json_int_t)gaps));
	json_object_set_new(o, "mismatches", json_integer((json_int_t)mism));
	json_object_set_new(o, "duplicates", json_integer((json_int_t)g.duplicates));
	json_object_set_new(o, "messages", json_integer((json_int_t)g.messages));
	json_object_set_new(o, "bad_messages", json_integer((json_int_t)g.bad_json));
	if (g.ids_unchecked)
		json_object_set_new(o, "ids_unchecked", json_integer((json_int_t)g.ids_unchecked));
	json_dumpf(o, stdout, JSON_SORT_KEYS | JSON_COMPACT);
	putchar('\n');
	json_decref(o);
}

static int
print_streams(void)
{
	json_t *o = json_object(), *ss = json_object();
	int rc = 0;

	for (int i = 0; i < RS_N; i++) {
		jsStreamInfo *si = NULL;
		jsStreamConfig *c;
		json_t *subs, *s;
		natsStatus st = js_GetStreamInfo(&si, g.js, route_streams[i].name, NULL, NULL);

		if (st != NATS_OK) {
			json_object_set_new(ss, route_streams[i].name, json_null());
			rc = 1;
			continue;
		}
		c = si->Config;
		subs = json_array();
		for (int k = 0; k < c->SubjectsLen; k++)
			json_array_append_new(subs, json_string(c->Subjects[k]));
		s = json_pack("{s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s,s:I,s:I,s:I,s:I,s:I}",
		    "subjects", subs, "max_msgs", (json_int_t)c->MaxMsgs, "max_bytes", (json_int_t)c->MaxBytes,
		    "max_age_s", (json_int_t)(c->MaxAge / 1000000000), "max_consumers", (json_int_t)c->MaxConsumers,
		    "replicas", (json_int_t)c->Replicas, "duplicate_window_s", (json_int_t)(c->Duplicates / 1000000000),
		    "max_msg_size", (json_int_t)c->MaxMsgSize, "storage", c->Storage == js_FileStorage ? "file" : "memory",
		    "messages", (json_int_t)si->State.Msgs, "bytes", (json_int_t)si->State.Bytes,
		    "first_seq", (json_int_t)si->State.FirstSeq, "last_seq", (json_int_t)si->State.LastSeq,
		    "consumers", (json_int_t)si->State.Consumers);
		json_object_set_new(ss, route_streams[i].name, s);
		jsStreamInfo_Destroy(si);
	}
	json_object_set_new(o, "streams", ss);
	json_dumpf(o, stdout, JSON_SORT_KEYS | JSON_COMPACT);
	putchar('\n');
	json_decref(o);
	return rc;
}

static int64_t
mono_ms(void)
{
	return mono_ns() / 1000000;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"durable", 1, NULL, 'd'}, {"subjects", 1, NULL, 'S'}, {"new", 0, NULL, 'n'},
		{"summary", 0, NULL, 's'}, {"seconds", 1, NULL, 't'}, {"until-caught-up", 0, NULL, 'u'},
		{"top", 0, NULL, 'T'}, {"levels", 1, NULL, 'l'}, {"streams", 0, NULL, 'x'},
		{"cleanup", 0, NULL, 'C'}, {"dump", 1, NULL, 'D'}, {"verify-levels", 1, NULL, 'V'}, {0},
	};
	const char *durable = "mpsub", *subjects = NULL;
	int deliver_new = 0, top = 0, streams = 0, until = 0, cleanup = 0, opt, rc = 0;
	double seconds = 10;
	struct cfg *c;
	char err[512];
	int64_t end, next_top;

	g.top_levels = 5;
	g.verify_levels = -1;
	c = daemon_start("mpsub", usage, &argc, argv);
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'd': durable = optarg; break;
		case 'S': subjects = optarg; break;
		case 'n': deliver_new = 1; break;
		case 's': break;
		case 't': seconds = atof(optarg); break;
		case 'u': until = 1; break;
		case 'T': top = 1; break;
		case 'l': g.top_levels = atoi(optarg); break;
		case 'x': streams = 1; break;
		case 'C': cleanup = 1; break;
		case 'V': g.verify_levels = atoi(optarg); break;
		case 'D':
			if (!(g.dump = fopen(optarg, "w"))) {
				fprintf(stderr, "mpsub: %s: cannot create\n", optarg);
				return 2;
			}
			break;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc || strchr(durable, '.') || !*durable || seconds < 0) {
		fputs(usage, stderr);
		return 2;
	}
	if (pipe_instruments(c, &g.reg, err, sizeof err) < 0) {
		fprintf(stderr, "mpsub: config error: %s\n", err);
		return 2;
	}
	g.max_levels = (uint32_t)cfg_int(c, "bookd", "max_levels");
	g.cbooks = 2 * g.reg.max;
	if (!(g.books = calloc((size_t)g.cbooks, sizeof *g.books))) {
		fprintf(stderr, "mpsub: out of memory for %d books\n", g.cbooks);
		return 1;
	}
	if (natsc_connect(c, "mpsub", NULL, &g.nc, err, sizeof err) < 0) {
		fprintf(stderr, "mpsub: %s\n", err);
		return 1;
	}
	if (natsConnection_JetStream(&g.js, g.nc, NULL) != NATS_OK) {
		fprintf(stderr, "mpsub: jetstream: %s\n", nats_GetLastError(NULL));
		return 1;
	}
	if (streams) {
		rc = print_streams();
		goto out;
	}
	daemon_signals();
	if (subscribe(durable, subjects, deliver_new) < 0) {
		rc = 1;
		goto out;
	}
	if (deliver_new) {
		for (int i = 0; i < g.nsubs; i++)
			if (g.subs[i].fam == &families[F_DELTA] && !g.subs[i].s) {
				struct sub *fs = sub_of(F_FULL);

				/* read the latest full books, then the deltas from their time on */
				if (fs)
					while (fetch(fs, 64, 200) > 0)
						;
				if (open_consumer(&g.subs[i], g.oldest_full_ns ? js_DeliverByStartTime : js_DeliverNew,
				    g.oldest_full_ns - 1000000000) < 0) {
					rc = 1;
					goto out;
				}
			}
	}
	end = seconds > 0 ? mono_ms() + (int64_t)(seconds * 1000) : INT64_MAX;
	next_top = mono_ms() + 1000;
	while (!daemon_stop && mono_ms() < end) {
		int n = round_once();

		if (n == 0) {
			/* idle: no_wait requests return at once, do not spin */
			struct timespec ts = {0, 20000000};

			nanosleep(&ts, NULL);
		}
		if (top && mono_ms() >= next_top) {
			print_top();
			next_top = mono_ms() + 1000;
		}
		if (until && n == 0 && caught_up()) {
			/* one more round: anything published meanwhile is in now */
			if (round_once() == 0)
				break;
		}
	}
	for (int i = 0; i < g.nbooks; i++)
		vbook_process(&g.books[i], INT64_MAX);
	if (top)
		print_top();
	else
		print_summary();
out:
	/* Everything this run reports is written out before the NATS teardown:
	 * a teardown that goes wrong must not cost a line of the summary or
	 * the dump. */
	if (fflush(stdout) != 0)
		rc = 1;
	if (g.dump && fclose(g.dump) != 0)
		rc = 1;
	g.dump = NULL;
	for (int i = 0; i < g.nsubs; i++) {
		if (cleanup)
			js_DeleteConsumer(g.js, route_streams[g.subs[i].fam->stream].name, g.subs[i].durable, NULL, NULL);
		natsSubscription_Destroy(g.subs[i].s);
	}
	for (int i = 0; i < g.nbooks; i++)
		vbook_free(&g.books[i]);
	jsCtx_Destroy(g.js);
	natsConnection_Destroy(g.nc);
	/* a loaded machine can take its time to stop the library's threads;
	 * if they outlive the wait, exit() would run nats.c's destructor under
	 * them (natsc.h) */
	if (natsc_library_close(10000) < 0) {
		fflush(stderr);
		_exit(rc ? rc : 1);
	}
	free(g.subj);
	free(g.ids);
	cfg_free(c);
	return rc;
}
