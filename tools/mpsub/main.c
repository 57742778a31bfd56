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
    "                      pure_delta,update,trade,ticker,kline,event,alert\n"
    "  --new               start at new messages (default: everything the stream holds)\n"
    "  --summary           print one JSON summary at the end (the default output)\n"
    "  --seconds N         run for N seconds (default 10; 0 = until interrupted)\n"
    "  --until-caught-up   stop as soon as every consumer has nothing pending\n"
    "  --top               print the top of every rebuilt book once a second\n"
    "  --levels N          levels per side in the --top view (default 5)\n"
    "  --streams           print the streams' configuration and state as JSON and exit\n"
    "  --cleanup           delete the durable consumers before exiting\n"
    "  --dump FILE         also write every message to FILE: subject TAB body, one per line\n"
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
	natsSubscription *s;
	char durable[64];
	uint64_t got;
};

static struct {
	struct inst_registry reg;
	jsCtx *js;
	struct sub subs[NFAM];
	int nsubs;
	struct subj_count *subj;
	int nsubj, capsubj;
	struct vbook books[INST_MAX * 2];
	int nbooks;
	uint64_t *ids;              /* Nats-Msg-Id hashes (open addressing, 0 = empty) */
	uint64_t idcap, nids;
	uint64_t duplicates, bad_json, messages, ids_unchecked;
	int top_levels;
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
	if (g.nbooks == (int)(sizeof g.books / sizeof g.books[0]))
		return NULL;
	if (vbook_init(&g.books[g.nbooks], ex, sym, 4 * REC_MAX_LEVELS) < 0)
		return NULL;
	return &g.books[g.nbooks++];
}

static void
exps(const char *ex, const char *sym, int *pe, int *qe)
{
	const struct inst *in = inst_find(&g.reg, exch_parse(ex), sym);

	*pe = in ? in->px_exp : FX_DEFAULT_EXP;
	*qe = in ? in->qty_exp : FX_DEFAULT_EXP;
}

static int
get_id(json_t *o, const char *k, int64_t *v)
{
	json_t *x = json_object_get(o, k);

	if (json_is_null(x)) {
		*v = -1;
		return 0;
	}
	if (!json_is_integer(x))
		return -1;
	*v = json_integer_value(x);
	return 0;
}

static int
dec(json_t *s, int exp, int64_t *v)
{
	if (!json_is_string(s))
		return -1;
	return fx_parse(json_string_value(s), json_string_length(s), exp, v) == FX_OK ? 0 : -1;
}

/* [{price, quantity}...] into lv; returns the count or -1. */
static int
levels(json_t *a, int pe, int qe, struct rec_level *lv)
{
	size_t i;
	json_t *e;

	json_array_foreach(a, i, e) {
		if (dec(json_object_get(e, "price"), pe, &lv[i].px) < 0 ||
		    dec(json_object_get(e, "quantity"), qe, &lv[i].qty) < 0)
			return -1;
	}
	return (int)i;
}

static int
book_msg(const char *data, int len, int is_full)
{
	json_error_t je;
	json_t *o = json_loadb(data, (size_t)len, 0, &je), *bids, *asks, *rb = NULL, *ra = NULL;
	const char *ex, *sym, *ut;
	struct vbook *vb;
	struct vmsg *m = NULL;
	int pe, qe, nb, na;
	size_t cb, ca, i;
	json_t *e;

	if (!o)
		return -1;
	ex = json_string_value(json_object_get(o, "exchange_name"));
	sym = json_string_value(json_object_get(o, "symbol_name"));
	ut = json_string_value(json_object_get(o, "update_type"));
	if (!ex || !sym || !ut)
		goto bad;
	exps(ex, sym, &pe, &qe);
	if (is_full) {
		bids = json_object_get(o, "bids");
		asks = json_object_get(o, "asks");
	} else {
		bids = json_object_get(o, "bid_changes");
		asks = json_object_get(o, "ask_changes");
		rb = json_object_get(o, "removed_bids");
		ra = json_object_get(o, "removed_asks");
		if (!json_is_array(rb) || !json_is_array(ra))
			goto bad;
	}
	if (!json_is_array(bids) || !json_is_array(asks))
		goto bad;
	cb = json_array_size(bids) + (rb ? json_array_size(rb) : 0);
	ca = json_array_size(asks) + (ra ? json_array_size(ra) : 0);
	if (!(m = vmsg_new((uint32_t)cb, (uint32_t)ca)))
		goto bad;
	m->is_full = is_full;
	m->new_epoch = is_full && strcmp(ut, "snapshot") == 0;
	if (get_id(o, "last_update_id", &m->last) < 0 || m->last < 0)
		goto bad;
	if (!is_full && (get_id(o, "prev_update_id", &m->prev) < 0 || m->prev < 0))
		goto bad;
	/* bids: set levels, then removed ones (qty 0); asks after all bids */
	if ((nb = levels(bids, pe, qe, m->lv)) < 0)
		goto bad;
	if (rb)
		json_array_foreach(rb, i, e) {
			m->lv[nb + i].qty = 0;
			if (dec(e, pe, &m->lv[nb + i].px) < 0)
				goto bad;
		}
	if ((na = levels(asks, pe, qe, m->lv + cb)) < 0)
		goto bad;
	if (ra)
		json_array_foreach(ra, i, e) {
			m->lv[cb + na + i].qty = 0;
			if (dec(e, pe, &m->lv[cb + na + i].px) < 0)
				goto bad;
		}
	if (!(vb = find_book(ex, sym)))
		goto bad;
	vbook_push(vb, m);
	json_decref(o);
	return 0;
bad:
	free(m);
	json_decref(o);
	return -1;
}

/* ---- NATS ---- */

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
	if (s->fam == &families[F_FULL] || s->fam == &families[F_DELTA]) {
		if (book_msg(natsMsg_GetData(msg), natsMsg_GetDataLength(msg), s->fam == &families[F_FULL]) < 0)
			g.bad_json++;
	}
	natsMsg_Ack(msg, NULL);
}

/* One fetch; returns the number of messages (0 when none arrived in wait_ms). */
static int
fetch(struct sub *s, int batch, int wait_ms)
{
	natsMsgList l = {0};
	natsStatus st;
	int n;

	st = natsSubscription_Fetch(&l, s->s, batch, wait_ms, NULL);
	if (st != NATS_OK && st != NATS_TIMEOUT) {
		log_warn("fetch failed", "consumer=%s status=%s", s->durable, natsStatus_GetText(st));
		natsMsgList_Destroy(&l);
		return 0;
	}
	n = l.Count;
	for (int i = 0; i < l.Count; i++) {
		on_msg(s, l.Msgs[i]);
	}
	natsMsgList_Destroy(&l);
	return n;
}

static int
subscribe(const char *durable, const char *list, int deliver_new)
{
	for (int i = 0; i < NFAM; i++) {
		struct sub *s;
		jsSubOptions so;
		jsErrCode jerr = 0;
		natsStatus st;

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
		s = &g.subs[g.nsubs];
		s->fam = &families[i];
		snprintf(s->durable, sizeof s->durable, "%s_%s", durable, families[i].name);
		jsSubOptions_Init(&so);
		so.Stream = route_streams[families[i].stream].name;
		so.Config.Durable = s->durable;
		so.Config.DeliverPolicy = deliver_new ? js_DeliverNew : js_DeliverAll;
		so.Config.AckPolicy = js_AckExplicit;
		so.Config.MaxAckPending = 20000;
		st = js_PullSubscribe(&s->s, g.js, families[i].filter, s->durable, NULL, &so, &jerr);
		if (st != NATS_OK) {
			fprintf(stderr, "mpsub: consumer %s on %s: %s (jetstream error %d)\n", s->durable, so.Stream,
			    nats_GetLastError(NULL), (int)jerr);
			return -1;
		}
		g.nsubs++;
	}
	return 0;
}

static int
caught_up(void)
{
	for (int i = 0; i < g.nsubs; i++) {
		jsConsumerInfo *ci = NULL;
		int pending;

		if (natsSubscription_GetConsumerInfo(&ci, g.subs[i].s, NULL, NULL) != NATS_OK)
			return 0;
		pending = ci->NumPending > 0;
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
 * publishes a full book before the deltas that follow it, so draining the
 * full books again after fetching deltas makes every full book a delta
 * depends on available before the deltas are applied.
 */
static int
round_once(void)
{
	struct sub *fs = sub_of(F_FULL), *ds = sub_of(F_DELTA);
	int n = 0, k;

	if (fs)
		while ((k = fetch(fs, 64, 5)) > 0)
			n += k;
	if (ds)
		for (int i = 0; i < 8 && (k = fetch(ds, 512, 5)) > 0; i++)
			n += k;
	if (fs)
		while ((k = fetch(fs, 64, 5)) > 0)
			n += k;
	for (int i = 0; i < g.nbooks; i++)
		vbook_process(&g.books[i]);
	for (int i = 0; i < g.nsubs; i++)
		if (&g.subs[i] != fs && &g.subs[i] != ds)
			n += fetch(&g.subs[i], 512, 5);
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

		exps(vb->exchange, vb->symbol, &pe, &qe);
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
		if (vb->st.first_mismatch[0])
			json_object_set_new(b, "first_mismatch", json_string(vb->st.first_mismatch));
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
		{"cleanup", 0, NULL, 'C'}, {"dump", 1, NULL, 'D'}, {0},
	};
	const char *durable = "mpsub", *subjects = NULL;
	int deliver_new = 0, top = 0, streams = 0, until = 0, cleanup = 0, opt, rc = 0;
	double seconds = 10;
	struct cfg *c;
	natsConnection *nc = NULL;
	char err[512];
	int64_t end, next_top;

	g.top_levels = 5;
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
	if (natsc_connect(c, "mpsub", NULL, &nc, err, sizeof err) < 0) {
		fprintf(stderr, "mpsub: %s\n", err);
		return 1;
	}
	if (natsConnection_JetStream(&g.js, nc, NULL) != NATS_OK) {
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
	end = seconds > 0 ? mono_ms() + (int64_t)(seconds * 1000) : INT64_MAX;
	next_top = mono_ms() + 1000;
	while (!daemon_stop && mono_ms() < end) {
		int n = round_once();

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
		vbook_process(&g.books[i]);
	if (top)
		print_top();
	else
		print_summary();
out:
	for (int i = 0; i < g.nsubs; i++) {
		if (cleanup)
			js_DeleteConsumer(g.js, route_streams[g.subs[i].fam->stream].name, g.subs[i].durable, NULL, NULL);
		natsSubscription_Destroy(g.subs[i].s);
	}
	for (int i = 0; i < g.nbooks; i++)
		vbook_free(&g.books[i]);
	jsCtx_Destroy(g.js);
	natsConnection_Destroy(nc);
	nats_CloseAndWait(2000);
	free(g.subj);
	free(g.ids);
	if (g.dump && fclose(g.dump) != 0)
		rc = 1;
	cfg_free(c);
	return rc;
}
