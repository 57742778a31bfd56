/*
 * test_sync.c - the book keeper (bookd/sync*.c, quality.c, bbo.c, okx_crc.c)
 * on hand-made record sequences, one case per sync branch, without rings.
 *
 * Every output record is checked with rec_check and against the consumer's
 * continuity rule (delta.prev_id == last_id of the previous delta or of the
 * SNAP_FULL that opened the epoch), and a consumer book rebuilt from the
 * outputs alone must equal the keeper's book at the end of each case.
 */
#include <stdlib.h>

#include "../t.h"
#include "../../bookd/okx_crc.h"
#include "../../bookd/okx_audit.h"
#include "../../bookd/sync.h"
#include "../../bookd/splice.h"
#include "fx.h"
#include "log.h"
#include "inst.h"
#include "rec.h"

#define SEC 1000000000LL

/* ---- captured outputs ---- */
#define MAXOUT 512
static struct rec_hdr *g_out[MAXOUT];
static int g_nout;
static struct rec_control g_ctl[64];
static int g_nctl;
static int g_bad_out;          /* records failing rec_check or the continuity rule */
static char g_bad_why[256];

/* consumer state rebuilt from outputs (one instrument at a time) */
static struct book *g_cons;
static int g_cons_epoch;       /* a SNAP_FULL SYNC/RESYNC was seen */
static int64_t g_cons_last;

static void
bad_out(const char *why)
{
	if (!g_bad_out++)
		snprintf(g_bad_why, sizeof g_bad_why, "%s", why);
	fprintf(stderr, "  output problem: %s\n", why);
}

static void
consume(const struct rec_hdr *h)
{
	char err[160];

	if (rec_check(h, h->len, err, sizeof err) < 0) {
		bad_out(err);
		return;
	}
	if (h->type == REC_SNAPSHOT) {
		const struct rec_snapshot *s = (const void *)h;
		if (s->kind == SNAP_FULL && (s->reason == SNAP_R_SYNC || s->reason == SNAP_R_RESYNC)) {
			book_clear(g_cons);
			book_set_side(g_cons, BOOK_BID, s->lv, s->n_bids, NULL);
			book_set_side(g_cons, BOOK_ASK, s->lv + s->n_bids, s->n_asks, NULL);
			g_cons_epoch = 1;
			g_cons_last = h->last_id;
		} else if (!g_cons_epoch || h->last_id != g_cons_last) {
			bad_out("periodic snapshot outside an epoch or at another id");
		}
		if (!(h->flags & REC_F_SYNCED))
			bad_out("snapshot without REC_F_SYNCED");
	} else if (h->type == REC_DELTA) {
		const struct rec_delta *d = (const void *)h;
		if (!g_cons_epoch)
			bad_out("delta before any full snapshot");
		if (h->prev_id != g_cons_last)
			bad_out("delta breaks continuity");
		if (!(h->flags & REC_F_SYNCED))
			bad_out("delta without REC_F_SYNCED");
		for (uint32_t i = 0; i < d->n_bids + d->n_asks; i++)
			book_apply(g_cons, i < d->n_bids ? BOOK_BID : BOOK_ASK, d->lv[i].px, d->lv[i].qty);
		g_cons_last = h->last_id;
		if (d->book_bids != book_count(g_cons, BOOK_BID) || d->book_asks != book_count(g_cons, BOOK_ASK))
			bad_out("delta level counts differ from the rebuilt book");
	} else if (h->type == REC_EVENT) {
		const struct rec_event *e = (const void *)h;
		if (e->code == EV_RESYNC || e->code == EV_GAP || e->code == EV_RING_LOSS)
			g_cons_epoch = 0;
	}
}

static void
sink_record(void *ud, const struct rec_hdr *rec)
{
	(void)ud;
	consume(rec);
	if (g_nout < MAXOUT) {
		g_out[g_nout] = malloc(rec->len);
		memcpy(g_out[g_nout++], rec, rec->len);
	}
}

static void
sink_control(void *ud, const struct rec_control *c)
{
	(void)ud;
	if (g_nctl < 64)
		g_ctl[g_nctl++] = *c;
}

static const struct bk_sink g_sink = {NULL, sink_record, sink_control};

static void
out_reset(void)
{
	for (int i = 0; i < g_nout; i++)
		free(g_out[i]);
	g_nout = 0;
	g_nctl = 0;
}

/* Outputs of a type (and event code / snapshot kind when `sub` != 0). */
static int
n_out(uint16_t type, int sub)
{
	int n = 0;

	for (int i = 0; i < g_nout; i++) {
		const struct rec_hdr *h = g_out[i];
		if (h->type != type)
			continue;
		if (sub && type == REC_EVENT && ((const struct rec_event *)h)->code != sub)
			continue;
		if (sub && type == REC_SNAPSHOT && ((const struct rec_snapshot *)h)->kind != sub)
			continue;
		n++;
	}
	return n;
}

static const struct rec_hdr *
last_out(uint16_t type, int sub)
{
	for (int i = g_nout - 1; i >= 0; i--) {
		const struct rec_hdr *h = g_out[i];
		if (h->type != type)
			continue;
		if (sub && type == REC_EVENT && ((const struct rec_event *)h)->code != sub)
			continue;
		if (sub && type == REC_SNAPSHOT && ((const struct rec_snapshot *)h)->kind != sub)
			continue;
		return h;
	}
	return NULL;
}

/* last_out, or an all-zero record when there is none (so a failing case
 * reports instead of crashing) */
static const struct rec_hdr *
last_z(uint16_t type, int sub)
{
	static _Alignas(8) unsigned char zero[4096];
	const struct rec_hdr *h = last_out(type, sub);

	return h ? h : (const struct rec_hdr *)zero;
}

/* ---- building inputs ---- */
static struct inst_registry g_reg;
static const struct inst *g_bin, *g_okx, *g_fut;
static struct bk_cfg g_cfg;
static struct bk g_k;

static int64_t
P(const char *s)
{
	int64_t v = 0;

	if (fx_parse(s, strlen(s), -8, &v) != FX_OK)
		fprintf(stderr, "bad test number %s\n", s);
	return v;
}

/* Levels as "px:qty" strings, NULL-terminated; bids, then NULL, then asks, then NULL. */
static uint32_t
levels(const char *const *spec, struct rec_level *lv, uint32_t *nb, uint32_t *na)
{
	uint32_t n = 0, *cnt = nb;
	int sep = 0;

	*nb = *na = 0;
	for (int i = 0; sep < 2; i++) {
		char buf[64], *colon;
		if (!spec[i]) {
			sep++;
			cnt = na;
			continue;
		}
		snprintf(buf, sizeof buf, "%s", spec[i]);
		colon = strchr(buf, ':');
		*colon = '\0';
		lv[n].px = P(buf);
		lv[n].qty = colon[1] == '-' ? -1 : P(colon + 1);
		n++;
		(*cnt)++;
	}
	return n;
}

static struct rec_delta *
mk_delta(const struct inst *in, int64_t first, int64_t last, int64_t prev, const char *const *spec)
{
	static _Alignas(8) unsigned char buf[65536];
	struct rec_level lv[256];
	uint32_t nb, na, n = levels(spec, lv, &nb, &na);
	struct rec_delta *d = (struct rec_delta *)buf;
	size_t len = rec_delta_size(nb, na);

	memset(d, 0, len);
	rec_hdr_init(&d->h, REC_DELTA, in->id, (uint32_t)len);
	d->h.first_id = first;
	d->h.last_id = last;
	d->h.prev_id = prev;
	d->n_bids = nb;
	d->n_asks = na;
	memcpy(d->lv, lv, n * sizeof lv[0]);
	return d;
}

static struct rec_snapshot *
mk_snap(const struct inst *in, uint8_t kind, int64_t id, uint32_t req_id, const char *const *spec)
{
	static _Alignas(8) unsigned char buf[65536];
	struct rec_level lv[256];
	uint32_t nb, na, n = levels(spec, lv, &nb, &na);
	struct rec_snapshot *s = (struct rec_snapshot *)buf;
	size_t len = rec_snapshot_size(nb, na);

	memset(s, 0, len);
	rec_hdr_init(&s->h, REC_SNAPSHOT, in->id, (uint32_t)len);
	s->h.last_id = id;
	s->h.prev_id = kind == SNAP_WS ? -1 : -1;
	s->kind = kind;
	s->nchunks = 1;
	s->n_bids = nb;
	s->n_asks = na;
	s->req_id = req_id;
	memcpy(s->lv, lv, n * sizeof lv[0]);
	return s;
}

static struct rec_event *
mk_event(const struct inst *in, uint16_t code, uint32_t aux)
{
	static struct rec_event ev;

	memset(&ev, 0, sizeof ev);
	rec_hdr_init(&ev.h, REC_EVENT, in->id, sizeof ev);
	ev.h.aux = aux;
	ev.code = code;
	snprintf(ev.text, sizeof ev.text, "test");
	return &ev;
}

static int64_t g_now;

static void
in_rec(const void *rec)
{
	bk_input(&g_k, rec, g_now);
}

/* Start a keeper for `in` with the test config. */
static void
start(const struct inst *in)
{
	out_reset();
	g_bad_out = 0;
	g_cons_epoch = 0;
	if (g_k.book)
		bk_free(&g_k);
	book_free(g_cons);
	g_cons = book_new(g_cfg.max_levels);
	bk_init(&g_k, in, &g_cfg, &g_sink);
	g_now = 1000 * SEC;
	bk_start(&g_k, g_now);
}

/* Check the outputs were well-formed and the rebuilt book equals the keeper's. */
static void
check_consistent(void)
{
	char why[200];

	if (g_bad_out)
		fprintf(stderr, "  first output problem: %s\n", g_bad_why);
	T_EQ_I(g_bad_out, 0);
	if (g_k.state == BK_SYNCED) {
		T_CHECK(g_cons_epoch);
		T_EQ_I(book_cmp(g_cons, g_k.book, 0, why, sizeof why), 0);
		T_EQ_I(g_cons_last, g_k.id);
	}
}

#define L(...) ((const char *const[]){__VA_ARGS__})

/* ---------------- Binance ---------------- */

static void
binance_synced_at_110(void)
{
	start(g_bin);
	T_EQ_I(g_nctl, 0);       /* nothing buffered yet: no snapshot asked */
	in_rec(mk_delta(g_bin, 100, 105, -1, L("100:1", NULL, "101:1", NULL)));
	T_EQ_I(g_nctl, 1);
	T_EQ_I(g_ctl[0].op, CTL_SNAPSHOT);
	T_EQ_I(g_ctl[0].depth, 5000);
	T_EQ_I(g_ctl[0].h.inst, g_bin->id);
	in_rec(mk_delta(g_bin, 106, 110, -1, L("99:2", NULL, NULL)));
	T_EQ_I(g_k.state, BK_WAIT);
	T_EQ_I(n_out(REC_DELTA, 0), 0);    /* nothing published before sync */
	in_rec(mk_snap(g_bin, SNAP_REST, 107, g_ctl[0].req_id,
	    L("100:5", "99:1", "98:1", NULL, "101:3", "102:4", NULL)));
}

static void
t_binance_straddle_sync(void)
{
	const struct rec_snapshot *full;
	const struct rec_delta *d;
	int64_t q;

	binance_synced_at_110();
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 110);
	T_EQ_U(g_k.st.stale, 1);           /* (100,105) <= L */
	full = (const void *)last_out(REC_SNAPSHOT, SNAP_FULL);
	T_CHECK(full && full->reason == SNAP_R_SYNC && full->h.last_id == 107);
	T_CHECK(full && full->n_bids == 3 && full->n_asks == 2);
	T_CHECK(full && full->bid_floor_px == P("98") && full->ask_ceil_px == P("102"));
	T_EQ_I(n_out(REC_EVENT, EV_SYNCED), 1);
	d = (const void *)last_out(REC_DELTA, 0);
	T_CHECK(d && d->h.first_id == 106 && d->h.last_id == 110 && d->h.prev_id == 107);
	T_CHECK(d && d->best_bid_px == P("100") && d->best_ask_px == P("101") && d->book_bids == 3);
	T_CHECK(book_find(g_k.book, BOOK_BID, P("99"), &q) && q == P("2"));
	/* applied from the sync buffer: marked so its latency counts apart */
	T_CHECK(d && (d->h.flags & REC_F_BUFFERED) && (d->h.flags & REC_F_SYNCED));
	/* normal continuation */
	in_rec(mk_delta(g_bin, 111, 115, -1, L("100:0", NULL, "101:0", NULL)));
	T_EQ_I(g_k.id, 115);
	d = (const void *)last_out(REC_DELTA, 0);
	T_CHECK(d && d->h.last_id == 115 && !(d->h.flags & REC_F_BUFFERED));
	T_EQ_I(book_count(g_k.book, BOOK_BID), 2);
	check_consistent();
}

static void
t_binance_first_event_U_eq_L_plus_1(void)
{
	/* protocols.md 3.3: NKNUSDT snapshot L=499869752; (499869750,499869752) is
	 * dropped, (499869753,499869754) applies although L is not inside [U;u] */
	start(g_bin);
	in_rec(mk_delta(g_bin, 499869750, 499869752, -1, L("1:1", NULL, NULL)));
	in_rec(mk_delta(g_bin, 499869753, 499869754, -1, L("1.5:2", NULL, NULL)));
	in_rec(mk_snap(g_bin, SNAP_REST, 499869752, g_ctl[0].req_id, L("1:3", NULL, "2:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 499869754);
	T_EQ_U(g_k.st.stale, 1);
	T_EQ_I(book_count(g_k.book, BOOK_BID), 2);
	T_EQ_I(((const struct rec_delta *)last_z(REC_DELTA, 0))->h.prev_id, 499869752);
	check_consistent();
}

static void
t_binance_stale_duplicate_out_of_order(void)
{
	binance_synced_at_110();
	in_rec(mk_delta(g_bin, 106, 110, -1, L("99:7", NULL, NULL)));   /* duplicate */
	in_rec(mk_delta(g_bin, 101, 103, -1, L("99:8", NULL, NULL)));   /* older, late */
	T_EQ_U(g_k.st.stale, 3);
	T_EQ_I(g_k.id, 110);
	T_EQ_I(n_out(REC_DELTA, 0), 1);
	T_EQ_I(n_out(REC_EVENT, EV_GAP), 0);
	in_rec(mk_delta(g_bin, 111, 111, -1, L(NULL, "101:9", NULL)));
	T_EQ_I(g_k.id, 111);
	check_consistent();
}

static void
t_binance_gap_resync_and_backoff(void)
{
	const struct rec_event *e;
	const struct rec_snapshot *full;
	int64_t q;

	binance_synced_at_110();
	g_now += 5 * SEC;
	in_rec(mk_delta(g_bin, 120, 125, -1, L("97:1", NULL, NULL)));   /* 111..119 missing */
	T_EQ_I(g_k.state, BK_WAIT);
	e = (const void *)last_out(REC_EVENT, EV_GAP);
	T_CHECK(e && e->a == 111 && e->b == 120);
	T_EQ_I(n_out(REC_EVENT, EV_RESYNC), 1);
	T_EQ_U(g_k.st.gaps, 1);
	T_EQ_I(g_nctl, 2);                    /* backoff (1 s) had passed */
	/* buffering continues; a stale answer to the old request is ignored */
	in_rec(mk_delta(g_bin, 126, 130, -1, L("96:1", NULL, NULL)));
	in_rec(mk_snap(g_bin, SNAP_REST, 90, g_ctl[0].req_id, L("1:1", NULL, "200:1", NULL)));
	T_EQ_U(g_k.st.snap_ignored, 1);
	T_EQ_I(g_k.state, BK_WAIT);
	/* the new snapshot replaces the old book: 100/99/98 bids are gone */
	in_rec(mk_snap(g_bin, SNAP_REST, 127, g_ctl[1].req_id, L("95:1", NULL, "101:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 130);
	T_CHECK(!book_find(g_k.book, BOOK_BID, P("100"), &q));
	T_CHECK(!book_find(g_k.book, BOOK_BID, P("97"), &q));  /* (120,125) was before L=127 */
	T_CHECK(book_find(g_k.book, BOOK_BID, P("96"), &q));
	full = (const void *)last_out(REC_SNAPSHOT, SNAP_FULL);
	T_CHECK(full && full->reason == SNAP_R_RESYNC && full->h.last_id == 127);
	check_consistent();

	/* a gap storm: requests are spaced 1 s, 2 s, 4 s ... apart */
	g_now += 100 * SEC;
	bk_tick(&g_k, g_now);                   /* long in sync: backoff reset */
	int base = g_nctl;
	in_rec(mk_delta(g_bin, 140, 141, -1, L(NULL, NULL)));        /* gap */
	T_EQ_I(g_nctl, base + 1);
	in_rec(mk_snap(g_bin, SNAP_REST, 140, g_ctl[g_nctl - 1].req_id, L("95:1", NULL, "101:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	in_rec(mk_delta(g_bin, 150, 151, -1, L(NULL, NULL)));        /* gap again at once */
	T_EQ_I(g_nctl, base + 1);               /* held back by the backoff */
	g_now += SEC / 2;
	bk_tick(&g_k, g_now);
	T_EQ_I(g_nctl, base + 1);
	g_now += SEC / 2;
	bk_tick(&g_k, g_now);
	T_EQ_I(g_nctl, base + 2);               /* 1 s after the previous request */
	in_rec(mk_snap(g_bin, SNAP_REST, 150, g_ctl[g_nctl - 1].req_id, L("95:1", NULL, "101:1", NULL)));
	in_rec(mk_delta(g_bin, 160, 161, -1, L(NULL, NULL)));        /* and again */
	g_now += SEC + SEC / 2;
	bk_tick(&g_k, g_now);
	T_EQ_I(g_nctl, base + 2);               /* now 2 s */
	g_now += SEC;
	bk_tick(&g_k, g_now);
	T_EQ_I(g_nctl, base + 3);
	check_consistent();
}

static void
t_binance_overlap_is_gap(void)
{
	binance_synced_at_110();
	in_rec(mk_delta(g_bin, 108, 112, -1, L(NULL, NULL)));   /* U <= id < u, U != id+1 */
	T_EQ_I(g_k.state, BK_WAIT);
	T_EQ_I(n_out(REC_EVENT, EV_GAP), 1);
	check_consistent();
}

static void
t_binance_snapshot_older_than_buffer(void)
{
	start(g_bin);
	in_rec(mk_delta(g_bin, 200, 210, -1, L("10:1", NULL, NULL)));
	in_rec(mk_delta(g_bin, 211, 215, -1, L("10:2", NULL, NULL)));
	in_rec(mk_snap(g_bin, SNAP_REST, 150, g_ctl[0].req_id, L("9:1", NULL, "11:1", NULL)));
	T_EQ_I(g_k.state, BK_WAIT);
	T_EQ_U(g_k.st.snap_too_old, 1);
	T_EQ_I(n_out(REC_SNAPSHOT, 0), 0);
	T_EQ_I(g_nctl, 1);                  /* backoff: not at once */
	g_now += 2 * SEC;
	bk_tick(&g_k, g_now);
	T_EQ_I(g_nctl, 2);
	/* the buffer was kept: a snapshot inside it syncs */
	in_rec(mk_snap(g_bin, SNAP_REST, 212, g_ctl[1].req_id, L("9:1", NULL, "11:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 215);
	check_consistent();
}

static void
t_binance_snapshot_before_any_event(void)
{
	/* an unsolicited snapshot (req_id 0, as a capture's REST line) with an
	 * empty buffer waits for the first event */
	start(g_bin);
	in_rec(mk_snap(g_bin, SNAP_REST, 50, 0, L("9:1", NULL, "11:1", NULL)));
	T_EQ_I(g_k.state, BK_HAVE_SNAP);
	in_rec(mk_delta(g_bin, 40, 50, -1, L("9:5", NULL, NULL)));   /* stale */
	T_EQ_I(g_k.state, BK_HAVE_SNAP);
	in_rec(mk_delta(g_bin, 51, 52, -1, L("9:6", NULL, NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 52);
	check_consistent();
}

static void
t_binance_reconnect_and_disconnect(void)
{
	binance_synced_at_110();
	in_rec(mk_event(g_bin, EV_DISCONNECTED, 0));
	T_EQ_I(g_k.state, BK_WAIT);
	T_EQ_I(n_out(REC_EVENT, EV_DISCONNECTED), 1);   /* passed through */
	T_EQ_I(n_out(REC_EVENT, EV_RESYNC), 1);
	in_rec(mk_delta(g_bin, 111, 112, -1, L(NULL, NULL)));
	T_EQ_I(g_nctl, 1);                     /* no request while disconnected */
	g_now += 5 * SEC;
	in_rec(mk_event(g_bin, EV_CONNECTED, 0));
	T_EQ_I(g_k.buf_count, 0);              /* old connection's updates are useless */
	in_rec(mk_delta(g_bin, 300, 301, -1, L(NULL, NULL)));
	T_EQ_I(g_nctl, 2);
	in_rec(mk_snap(g_bin, SNAP_REST, 300, g_ctl[1].req_id, L("9:1", NULL, "11:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 301);
	check_consistent();
}

static void
t_binance_snapshot_failed_and_timeout(void)
{
	start(g_bin);
	in_rec(mk_delta(g_bin, 1, 2, -1, L(NULL, NULL)));
	T_EQ_I(g_nctl, 1);
	in_rec(mk_event(g_bin, EV_SNAPSHOT_FAILED, g_ctl[0].req_id));
	T_EQ_I(g_k.req_id, 0);
	g_now += 2 * SEC;
	bk_tick(&g_k, g_now);
	T_EQ_I(g_nctl, 2);
	/* no answer at all: asked again after snapshot_timeout */
	g_now += g_cfg.snapshot_timeout_ns + SEC;
	bk_tick(&g_k, g_now);
	T_EQ_U(g_k.st.req_timeouts, 1);
	T_EQ_I(g_nctl, 3);
}

static void
t_quality_crossed_and_bad_level(void)
{
	const struct rec_event *e;

	binance_synced_at_110();
	in_rec(mk_delta(g_bin, 111, 111, -1, L("101.5:1", NULL, NULL)));   /* bid above best ask */
	T_EQ_I(g_k.state, BK_WAIT);
	e = (const void *)last_out(REC_EVENT, EV_VALIDATION);
	T_CHECK(e && e->h.aux == QUAL_CROSSED && e->a == P("101.5") && e->b == P("101"));
	T_EQ_U(g_k.st.crossed, 1);
	T_EQ_I(n_out(REC_DELTA, 0), 1);        /* the crossing update was not published */
	check_consistent();

	binance_synced_at_110();
	in_rec(mk_delta(g_bin, 111, 111, -1, L("99:-1", NULL, NULL)));
	T_EQ_I(g_k.state, BK_WAIT);
	e = (const void *)last_out(REC_EVENT, EV_VALIDATION);
	T_CHECK(e && e->h.aux == QUAL_LEVEL);
	T_EQ_U(g_k.st.bad_level, 1);
	check_consistent();
}

/* Hostile input (issue 14): a snapshot repeating a price is refused, counted,
 * reported, and the book is not synced on it - for both venues. */
static void
t_snapshot_duplicate_prices(void)
{
	const struct rec_event *e;

	start(g_bin);
	in_rec(mk_delta(g_bin, 100, 105, -1, L("100:1", NULL, NULL)));
	T_EQ_I(g_nctl, 1);
	in_rec(mk_snap(g_bin, SNAP_REST, 107, g_ctl[0].req_id,
	    L("100:5", "99:1", "99:2", NULL, "101:3", NULL)));
	T_CHECK(g_k.state != BK_SYNCED);
	T_EQ_U(g_k.st.snap_bad, 1);
	T_EQ_U(g_k.st.bad_level, 1);
	e = (const void *)last_out(REC_EVENT, EV_VALIDATION);
	T_CHECK(e && e->h.aux == QUAL_LEVEL && strstr(e->text, "repeated price"));
	T_EQ_I(n_out(REC_SNAPSHOT, 0), 0);
	T_EQ_I(n_out(REC_DELTA, 0), 0);

	start(g_okx);
	in_rec(mk_snap(g_okx, SNAP_WS, 10, 0, L("100:1", NULL, "101:1", "101:1", NULL)));
	T_CHECK(g_k.state != BK_SYNCED);
	T_EQ_U(g_k.st.snap_bad, 1);
	T_EQ_U(g_k.st.bad_level, 1);
	e = (const void *)last_out(REC_EVENT, EV_VALIDATION);
	T_CHECK(e && e->h.aux == QUAL_LEVEL);
	T_EQ_I(n_out(REC_DELTA, 0), 0);
}

static void
t_quality_timestamps_and_depth(void)
{
	struct rec_delta *d;
	const struct rec_delta *o;
	const struct rec_event *e;

	binance_synced_at_110();
	d = mk_delta(g_bin, 111, 111, -1, L("99:3", NULL, NULL));
	d->h.exch_ns = 500 * SEC;
	d->h.recv_ns = 500 * SEC + 1000;
	in_rec(d);
	d = mk_delta(g_bin, 112, 112, -1, L("99:4", NULL, NULL));
	d->h.exch_ns = 499 * SEC;                  /* backwards */
	d->h.recv_ns = 500 * SEC + 2000;
	in_rec(d);
	T_EQ_I(g_k.state, BK_SYNCED);              /* not a resync reason */
	o = (const void *)last_out(REC_DELTA, 0);
	T_CHECK(o && (o->h.flags & REC_F_INVALID));
	e = (const void *)last_out(REC_EVENT, EV_VALIDATION);
	T_CHECK(e && e->h.aux == QUAL_TS_BACKWARDS);
	T_EQ_U(g_k.st.ts_backwards, 1);
	d = mk_delta(g_bin, 113, 113, -1, L("99:5", NULL, NULL));
	d->h.exch_ns = 400 * SEC;                  /* backwards and 100 s off */
	d->h.recv_ns = 500 * SEC;
	g_now += 10 * SEC;                         /* past event pacing */
	in_rec(d);
	T_EQ_U(g_k.st.ts_skew, 1);
	T_EQ_U(g_k.st.ts_backwards, 2);
	/* depth (first delta), backwards, then backwards + skew */
	T_EQ_I(n_out(REC_EVENT, EV_VALIDATION), 4);
	/* a 5-level book of expected 5000 is incomplete: counted once */
	T_EQ_U(g_k.st.depth_low, 1);
	T_EQ_I(g_k.state, BK_SYNCED);
	check_consistent();
}

/* Depth completeness = exact levels / target, per side: levels held outside
 * the exact range (edge_px) count as missing; 95 % by default. */
static void
t_depth_completeness_exact_levels(void)
{
	const struct rec_event *e;
	const struct rec_delta *o;
	uint32_t save = g_cfg.expected_levels;

	T_EQ_U(g_cfg.min_depth_pct, 95);           /* the requirement's threshold is the default */
	g_cfg.expected_levels = 10;
	g_cfg.okx_deep = 0;                        /* no as-of levels, no wait for them (t_depth_known_asof) */
	start(g_okx);
	in_rec(mk_snap(g_okx, SNAP_WS, 10, 0, L("100:1", "99:1", "98:1", "97:1", "96:1", "95:1", "94:1", "93:1",
	    "92:1", "91:1", NULL, "101:1", "102:1", "103:1", "104:1", "105:1", "106:1", "107:1", "108:1", "109:1",
	    "110:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_U(bk_exact_levels(&g_k, BOOK_BID), 10);
	T_EQ_U(bk_exact_levels(&g_k, BOOK_ASK), 10);
	in_rec(mk_delta(g_okx, 11, 11, 10, L("100:2", NULL, NULL)));
	T_EQ_U(g_k.st.depth_low, 0);               /* 10 of 10 exact */
	/* the exact floor moves up (what decay or a splice does): every bid is
	 * still held, but only 5 are known, and that is what counts */
	for (int i = 0; i < 10; i++) {
		g_k.edge_px[BOOK_BID] = P("91") + i * P("1");
		T_EQ_U(bk_exact_levels(&g_k, BOOK_BID), 10 - (uint32_t)i);
	}
	g_k.edge_px[BOOK_BID] = P("95.5");
	T_EQ_U(bk_exact_levels(&g_k, BOOK_BID), 5);
	g_k.edge_px[BOOK_BID] = P("100.5");
	T_EQ_U(bk_exact_levels(&g_k, BOOK_BID), 0);
	g_k.edge_px[BOOK_BID] = P("96");
	in_rec(mk_delta(g_okx, 12, 12, 11, L("100:3", NULL, NULL)));
	T_EQ_U(book_count(g_k.book, BOOK_BID), 10);
	T_EQ_U(g_k.st.depth_low, 1);
	e = (const void *)last_out(REC_EVENT, EV_VALIDATION);
	T_CHECK(e && e->h.aux == QUAL_DEPTH && e->a == 5 && e->b == 10);
	T_CHECK(e && strstr(e->text, "bid 5 exact + 0 as-of, ask 10 + 0 of 10 levels"));
	o = (const void *)last_out(REC_DELTA, 0);
	T_CHECK(o && (o->h.flags & (REC_F_INVALID | REC_F_Q_DEPTH)) == (REC_F_INVALID | REC_F_Q_DEPTH));
	T_EQ_I(g_k.state, BK_SYNCED);              /* counted and flagged, not a resync */
	/* once per drop below the threshold, not on every update */
	in_rec(mk_delta(g_okx, 13, 13, 12, L("100:4", NULL, NULL)));
	T_EQ_U(g_k.st.depth_low, 1);
	/* the threshold is configurable: 50 % accepts 5 of 10 */
	g_cfg.min_depth_pct = 50;
	T_EQ_I(g_k.depth_low, 1);
	in_rec(mk_delta(g_okx, 14, 14, 13, L("100:5", NULL, NULL)));
	T_EQ_I(g_k.depth_low, 0);
	g_cfg.min_depth_pct = 95;
	g_k.edge_px[BOOK_BID] = P("91");
	in_rec(mk_delta(g_okx, 15, 15, 14, L("100:6", NULL, NULL)));
	T_EQ_U(g_k.st.depth_low, 1);
	/* no exact ask at all (bound 0): the ask side alone makes it incomplete */
	g_k.edge_px[BOOK_ASK] = 0;
	g_now += 10 * SEC;                         /* past event pacing */
	in_rec(mk_delta(g_okx, 16, 16, 15, L("100:7", NULL, NULL)));
	T_EQ_U(g_k.st.depth_low, 2);
	e = (const void *)last_out(REC_EVENT, EV_VALIDATION);
	T_CHECK(e && e->h.aux == QUAL_DEPTH && e->a == 0);
	g_cfg.expected_levels = save;
	g_cfg.okx_deep = 1;
	check_consistent();
}

/* The depth alert judges known depth: exact + "as of" levels (OKX books-full
 * outside the exact range) while the merge is at most asof_max_age old; it
 * waits for the first merge after a sync rather than fire at 400 / 5000. */
static void
t_depth_known_asof(void)
{
	struct rec_snapshot *s;
	const struct rec_event *e;
	uint32_t save = g_cfg.expected_levels;

	T_EQ_I(g_cfg.asof_max_age_ns, 10 * SEC);   /* the default: 5 x the 1-2 s auto deep_interval */
	g_cfg.expected_levels = 10;
	g_cfg.okx_ws_depth = 3;
	start(g_okx);
	in_rec(mk_snap(g_okx, SNAP_WS, 10, 0, L("100:1", "99:1", "98:1", NULL, "101:1", "102:1", "103:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_ctl[g_nctl - 1].op, CTL_DEEP);
	/* 3 of 10 exact, deep levels asked for: not judged yet */
	in_rec(mk_delta(g_okx, 11, 11, 10, L("100:2", NULL, NULL)));
	T_EQ_U(g_k.st.depth_low, 0);
	T_EQ_U(bk_asof_levels(&g_k, BOOK_BID), 0);
	/* books-full: 10 a side; beyond the WS window it is "as of" its time */
	s = mk_snap(g_okx, SNAP_DEEP, 0, 0, L("100:2", "99:1", "98:1", "97:1", "96:1", "95:1", "94:1", "93:1",
	    "92:1", "91:1", NULL, "101:1", "102:1", "103:1", "104:1", "105:1", "106:1", "107:1", "108:1", "109:1",
	    "110:1", NULL));
	s->h.recv_ns = 1500 * SEC;
	in_rec(s);
	T_EQ_U(g_k.st.deep_merges, 1);
	T_EQ_I(g_k.deep_refresh_ns, 1500 * SEC);
	T_EQ_U(bk_exact_levels(&g_k, BOOK_BID), 3);
	T_EQ_U(bk_asof_levels(&g_k, BOOK_BID), 7);
	T_EQ_U(bk_asof_levels(&g_k, BOOK_ASK), 7);
	in_rec(mk_delta(g_okx, 12, 12, 11, L("100:3", NULL, NULL)));
	T_EQ_U(g_k.st.depth_low, 0);               /* 3 exact + 7 as-of of 10 */
	/* the merge grows old (deep polling stopped): the deep levels are unknown */
	g_now += g_cfg.asof_max_age_ns + SEC;
	in_rec(mk_delta(g_okx, 13, 13, 12, L("100:4", NULL, NULL)));
	T_EQ_U(bk_asof_levels(&g_k, BOOK_BID), 0);
	T_EQ_U(g_k.st.depth_low, 1);
	e = (const void *)last_out(REC_EVENT, EV_VALIDATION);
	T_CHECK(e && e->h.aux == QUAL_DEPTH && e->a == 3 && e->b == 10);
	T_CHECK(e && strstr(e->text, "known depth below 95%: bid 3 exact + 0 as-of, ask 3 + 0 of 10 levels"));
	/* a new merge makes them known again */
	s->h.recv_ns = 1511 * SEC;
	in_rec(s);
	in_rec(mk_delta(g_okx, 14, 14, 13, L("100:5", NULL, NULL)));
	T_EQ_U(bk_asof_levels(&g_k, BOOK_ASK), 7);
	T_EQ_I(g_k.depth_low, 0);
	/* asof_max_age 0: as-of levels never count */
	g_cfg.asof_max_age_ns = 0;
	in_rec(mk_delta(g_okx, 15, 15, 14, L("100:6", NULL, NULL)));
	T_EQ_U(bk_asof_levels(&g_k, BOOK_BID), 0);
	T_EQ_I(g_k.depth_low, 1);
	g_cfg.asof_max_age_ns = 10 * SEC;
	/* a resync forgets the merge; no answer within asof_max_age: judged, low */
	bk_resync(&g_k, "test", g_now);
	in_rec(mk_snap(g_okx, SNAP_WS, 20, 0, L("100:1", "99:1", "98:1", NULL, "101:1", "102:1", "103:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.deep_refresh_ns, 0);
	in_rec(mk_delta(g_okx, 21, 21, 20, L("100:2", NULL, NULL)));
	T_EQ_I(g_k.depth_low, 0);
	g_now += g_cfg.asof_max_age_ns + SEC;
	in_rec(mk_delta(g_okx, 22, 22, 21, L("100:3", NULL, NULL)));
	T_EQ_I(g_k.depth_low, 1);
	T_EQ_U(g_k.st.depth_low, 3);
	g_cfg.expected_levels = save;
	g_cfg.okx_ws_depth = 400;
	check_consistent();
}

/* snapshot_levels (orderbook.snapshot depth): 100 by default */
static void
t_snapshot_levels_default(void)
{
	struct bk_cfg c;

	bk_cfg_defaults(&c);
	T_EQ_U(c.topn, 100);
	T_EQ_U(c.min_depth_pct, 95);
}

static void
t_bbo_cross_check(void)
{
	struct rec_ticker t;
	const struct rec_event *e;

	binance_synced_at_110();     /* book at 110: bid 100/5, ask 101/3 */
	memset(&t, 0, sizeof t);
	rec_hdr_init(&t.h, REC_TICKER, g_bin->id, sizeof t);
	t.have = TICK_BBO;
	t.h.first_id = t.h.last_id = 110;
	t.bid_px = P("100"), t.bid_qty = P("5"), t.ask_px = P("101"), t.ask_qty = P("3");
	in_rec(&t);
	T_EQ_U(g_k.st.bbo_agree, 1);
	T_EQ_I(n_out(REC_TICKER, 0), 1);            /* passed through */
	t.h.last_id = 108;                          /* inside a depth event: unknown */
	in_rec(&t);
	T_EQ_U(g_k.st.bbo_nc, 1);
	t.h.last_id = 115;                          /* ahead of the book: waits */
	t.bid_qty = P("6");
	in_rec(&t);
	T_EQ_U(g_k.st.bbo_agree + g_k.st.bbo_disagree, 1);
	in_rec(mk_delta(g_bin, 111, 115, -1, L("100:7", NULL, NULL)));  /* book says 7 */
	T_EQ_U(g_k.st.bbo_disagree, 1);
	e = (const void *)last_out(REC_EVENT, EV_BBO_MISMATCH);
	T_CHECK(e && e->a == 115);
	check_consistent();
}

static void
t_ring_loss(void)
{
	binance_synced_at_110();
	bk_ring_loss(&g_k, 77, 5, g_now);
	T_EQ_I(g_k.state, BK_WAIT);
	T_CHECK(last_out(REC_EVENT, EV_RING_LOSS) != NULL);
	T_EQ_I(((const struct rec_event *)last_z(REC_EVENT, EV_RING_LOSS))->b, 5);
	T_EQ_I(n_out(REC_EVENT, EV_RESYNC), 1);
	check_consistent();
}

static void
t_periodic_snapshots(void)
{
	const struct rec_snapshot *s;
	int nfull;

	binance_synced_at_110();
	nfull = n_out(REC_SNAPSHOT, SNAP_FULL);
	g_now += g_cfg.snapshot_interval_ns;
	bk_tick(&g_k, g_now);
	s = (const void *)last_out(REC_SNAPSHOT, SNAP_TOPN);
	T_CHECK(s && s->n_bids == 2 && s->n_asks == 2 && s->h.last_id == 110);  /* topn = 2 here */
	g_now += g_cfg.full_interval_ns;
	bk_tick(&g_k, g_now);
	T_EQ_I(n_out(REC_SNAPSHOT, SNAP_FULL), nfull + 1);
	s = (const void *)last_out(REC_SNAPSHOT, SNAP_FULL);
	T_CHECK(s && s->reason == SNAP_R_PERIODIC && s->n_bids == 3);
	/* nothing periodic while unsynced */
	bk_resync(&g_k, "test", g_now);
	int before = g_nout;
	g_now += g_cfg.full_interval_ns;
	bk_tick(&g_k, g_now);
	for (int i = before; i < g_nout; i++)
		T_CHECK(g_out[i]->type != REC_SNAPSHOT && g_out[i]->type != REC_DELTA);
	check_consistent();
}

static void
t_restart_event(void)
{
	start(g_bin);
	T_EQ_I(n_out(REC_EVENT, EV_RESTARTED), 1);
	T_EQ_I(g_k.state, BK_WAIT);
}

/* ---------------- OKX ---------------- */

static void
t_okx_seq_chain_ws_mode(void)
{
	const struct rec_delta *d;

	/* protocols.md 3.3: (-1,10) (10,15) (15,15) (15,3) (3,5) all accepted */
	start(g_okx);
	T_EQ_I(g_nctl, 1);
	T_EQ_I(g_ctl[0].op, CTL_RESUBSCRIBE);        /* at start: ask for a WS snapshot */
	in_rec(mk_snap(g_okx, SNAP_WS, 10, 0, L("100:1", NULL, "101:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.okx_mode, OKX_MODE_WS);
	T_EQ_I(g_ctl[g_nctl - 1].op, CTL_DEEP);      /* deep levels asked after sync */
	in_rec(mk_delta(g_okx, 15, 15, 10, L("100:2", NULL, NULL)));
	in_rec(mk_delta(g_okx, 15, 15, 15, L(NULL, NULL)));     /* heartbeat */
	d = (const void *)last_out(REC_DELTA, 0);
	T_CHECK(d && (d->h.flags & REC_F_HEARTBEAT) && d->h.prev_id == 15);
	in_rec(mk_delta(g_okx, 3, 3, 15, L(NULL, "101:2", NULL)));  /* reset */
	in_rec(mk_delta(g_okx, 5, 5, 3, L(NULL, "102:2", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 5);
	T_EQ_U(g_k.st.applied, 4);
	T_EQ_U(g_k.st.heartbeats, 1);
	T_EQ_U(g_k.st.seq_resets, 1);
	T_EQ_U(g_k.st.gaps, 0);
	check_consistent();
}

static void
t_okx_gap_ws_mode(void)
{
	const struct rec_event *e;

	start(g_okx);
	in_rec(mk_snap(g_okx, SNAP_WS, 10, 0, L("100:1", NULL, "101:1", NULL)));
	in_rec(mk_delta(g_okx, 15, 15, 10, L("100:2", NULL, NULL)));
	g_now += 5 * SEC;
	in_rec(mk_delta(g_okx, 30, 30, 20, L("100:3", NULL, NULL)));   /* 15 -> 20 missing */
	e = (const void *)last_out(REC_EVENT, EV_GAP);
	T_CHECK(e && e->a == 15 && e->b == 20);
	T_EQ_I(g_k.state, BK_WAIT);
	T_EQ_I(g_ctl[g_nctl - 1].op, CTL_RESUBSCRIBE);
	in_rec(mk_delta(g_okx, 31, 31, 30, L("100:4", NULL, NULL)));   /* ignored until the snapshot */
	T_EQ_I(n_out(REC_DELTA, 0), 1);
	in_rec(mk_snap(g_okx, SNAP_WS, 40, 0, L("99:1", NULL, "101:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(((const struct rec_snapshot *)last_z(REC_SNAPSHOT, SNAP_FULL))->reason, SNAP_R_RESYNC);
	in_rec(mk_delta(g_okx, 41, 41, 40, L("99:2", NULL, NULL)));
	T_EQ_I(g_k.id, 41);
	check_consistent();
}

/* Issue 14 defect 7: an update the venue sends again (same prevSeqId and
 * seqId as one already applied) is a duplicate, dropped and counted as
 * Binance's are, not a gap and a resync. */
static void
t_okx_duplicate_is_not_a_gap(void)
{
	const struct rec_event *e;

	start(g_okx);
	in_rec(mk_snap(g_okx, SNAP_WS, 2154876600, 0, L("100:1", NULL, "101:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	in_rec(mk_delta(g_okx, 2154876647, 2154876647, 2154876600, L("100:2", NULL, NULL)));
	in_rec(mk_delta(g_okx, 2154876658, 2154876658, 2154876647, L("100:3", NULL, NULL)));
	/* the last update again, as in the probe: expected 2154876658, got 2154876647 */
	in_rec(mk_delta(g_okx, 2154876658, 2154876658, 2154876647, L("100:3", NULL, NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_U(g_k.st.gaps, 0);
	T_EQ_U(g_k.st.resyncs, 0);
	T_EQ_U(g_k.st.stale, 1);
	T_CHECK(last_out(REC_EVENT, EV_GAP) == NULL);
	T_EQ_I(n_out(REC_DELTA, 0), 2);
	/* an older one again is a duplicate too */
	in_rec(mk_delta(g_okx, 2154876647, 2154876647, 2154876600, L("100:2", NULL, NULL)));
	T_EQ_U(g_k.st.stale, 2);
	T_EQ_U(g_k.st.gaps, 0);
	in_rec(mk_delta(g_okx, 2154876670, 2154876670, 2154876658, L("100:4", NULL, NULL)));
	T_EQ_I(g_k.id, 2154876670);
	T_EQ_U(g_k.st.applied, 3);
	check_consistent();
	/* the same seqId with another prevSeqId was never applied: a gap */
	in_rec(mk_delta(g_okx, 2154876670, 2154876670, 2154876660, L("100:5", NULL, NULL)));
	e = (const void *)last_out(REC_EVENT, EV_GAP);
	T_CHECK(e != NULL);
	T_EQ_U(g_k.st.gaps, 1);
	T_EQ_I(g_k.state, BK_WAIT);
}

static void
t_okx_rest_seeded(void)
{
	const struct rec_delta *d;

	start(g_okx);
	in_rec(mk_event(g_okx, EV_CONNECTED, 0));
	T_EQ_I(g_k.okx_mode, OKX_MODE_UNKNOWN);
	g_now += 2 * SEC;       /* past the backoff of the resubscribe sent at start */
	/* the venue sends updates without a snapshot: REST-seeded mode */
	in_rec(mk_delta(g_okx, 105, 105, 100, L("100:1", NULL, NULL)));
	T_EQ_I(g_k.okx_mode, OKX_MODE_REST);
	T_EQ_I(g_ctl[g_nctl - 1].op, CTL_SNAPSHOT);
	T_EQ_I(g_ctl[g_nctl - 1].depth, 400);
	in_rec(mk_delta(g_okx, 110, 110, 105, L("100:2", NULL, NULL)));
	in_rec(mk_delta(g_okx, 112, 112, 110, L("99:2", NULL, NULL)));
	/* seqId 107 never appears in the stream: matched by prev <= S < seq */
	in_rec(mk_snap(g_okx, SNAP_REST, 107, g_ctl[g_nctl - 1].req_id, L("100:9", "98:1", NULL, "101:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 112);
	T_EQ_U(g_k.st.stale, 1);
	d = (const void *)last_out(REC_DELTA, 0);
	T_CHECK(d && d->h.last_id == 112 && d->h.prev_id == 110);
	T_EQ_I(((const struct rec_snapshot *)last_z(REC_SNAPSHOT, SNAP_FULL))->h.last_id, 107);
	check_consistent();
	/* the first update kept after the snapshot, sent again: a duplicate */
	in_rec(mk_delta(g_okx, 110, 110, 105, L("100:2", NULL, NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_U(g_k.st.stale, 2);
	T_EQ_U(g_k.st.gaps, 0);
	/* a gap in REST mode asks for a REST snapshot again, keeps buffering */
	g_now += 5 * SEC;
	in_rec(mk_delta(g_okx, 130, 130, 120, L(NULL, NULL)));
	T_EQ_I(g_ctl[g_nctl - 1].op, CTL_SNAPSHOT);
	T_EQ_I(g_k.buf_count, 1);
}

static void
t_okx_rest_snapshot_too_old(void)
{
	start(g_okx);
	in_rec(mk_event(g_okx, EV_CONNECTED, 0));
	g_now += 2 * SEC;
	in_rec(mk_delta(g_okx, 105, 105, 100, L("100:1", NULL, NULL)));
	T_EQ_I(g_ctl[g_nctl - 1].op, CTL_SNAPSHOT);
	in_rec(mk_snap(g_okx, SNAP_REST, 90, g_ctl[g_nctl - 1].req_id, L("100:9", NULL, "101:1", NULL)));
	T_EQ_I(g_k.state, BK_WAIT);
	T_EQ_U(g_k.st.snap_too_old, 1);
}

static void
t_okx_empty_ws_snapshot_means_rest_mode(void)
{
	start(g_okx);
	in_rec(mk_snap(g_okx, SNAP_WS, 10, 0, L(NULL, NULL)));
	T_EQ_I(g_k.okx_mode, OKX_MODE_REST);
	T_EQ_I(g_k.state, BK_WAIT);
	/* the resubscribe sent at start was given up: a REST snapshot is due */
	T_EQ_I(g_ctl[g_nctl - 1].op, CTL_RESUBSCRIBE);
	in_rec(mk_delta(g_okx, 12, 12, 10, L(NULL, NULL)));
	g_now += 2 * SEC;
	bk_tick(&g_k, g_now);
	T_EQ_I(g_ctl[g_nctl - 1].op, CTL_SNAPSHOT);
}

static void
t_okx_resubscribe_timeout_switches_to_rest(void)
{
	start(g_okx);
	T_EQ_I(g_ctl[0].op, CTL_RESUBSCRIBE);
	g_now += g_cfg.snapshot_timeout_ns + SEC;
	bk_tick(&g_k, g_now);
	T_EQ_I(g_k.okx_mode, OKX_MODE_REST);
	T_EQ_I(g_ctl[g_nctl - 1].op, CTL_SNAPSHOT);
}

static void
t_okx_crc_vectors(void)
{
	const char *v1 = "3366.1:7:3366.8:9:3366:6:3368:8";
	const char *v2 = "3366.1:7:3366.8:9:3368:8:3372:8";
	const char *v3 = "8476.98:415:8477:7:8475.55:100:8477.34:85";
	struct book *b = book_new(100);
	struct rec_level bids[] = {{P("3366.1"), P("7")}, {P("3366"), P("6")}};
	struct rec_level asks[] = {{P("3366.8"), P("9")}, {P("3368"), P("8")}};
	char s[4096];

	T_EQ_I((int32_t)okx_crc32(v1, strlen(v1)), -1881014294);
	T_EQ_I((int32_t)okx_crc32(v2, strlen(v2)), 831078360);
	T_EQ_I((int32_t)okx_crc32(v3, strlen(v3)), -1269175945);
	T_EQ_U(okx_crc32(v3, strlen(v3)), 3025791351u);
	/* the string rebuilt from a book in OKX's own style */
	book_set_side(b, BOOK_BID, bids, 2, NULL);
	book_set_side(b, BOOK_ASK, asks, 2, NULL);
	okx_crc_string(b, g_okx, s, sizeof s);
	T_EQ_S(s, v1);
	T_EQ_I(okx_crc_book(b, g_okx), -1881014294);
	/* more than 25 levels: only the top 25 per side count */
	for (int i = 0; i < 40; i++) {
		book_apply(b, BOOK_BID, P("3000") - i * 100000000LL, P("1"));
		book_apply(b, BOOK_ASK, P("4000") + i * 100000000LL, P("1"));
	}
	okx_crc_string(b, g_okx, s, sizeof s);
	{
		int colons = 0;
		for (char *p = s; *p; p++)
			colons += *p == ':';
		T_EQ_I(colons, 2 * 50 - 1);
	}
	book_free(b);
}

static void
t_okx_checksum_validation(void)
{
	struct rec_snapshot *s;
	struct rec_delta *d;
	const struct rec_event *e;

	start(g_okx);
	s = mk_snap(g_okx, SNAP_WS, 10, 0, L("3366.1:7", "3366:6", NULL, "3366.8:9", "3368:8", NULL));
	s->checksum = -1881014294;
	in_rec(s);
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_U(g_k.st.checksum_ok, 1);
	d = mk_delta(g_okx, 11, 11, 10, L("3366:0", NULL, "3372:8", NULL));
	d->h.aux = (uint32_t)831078360;
	in_rec(d);
	T_EQ_U(g_k.st.checksum_ok, 2);
	T_EQ_I(((const struct rec_delta *)last_z(REC_DELTA, 0))->h.aux, 831078360);
	d = mk_delta(g_okx, 12, 12, 11, L("3366.1:8", NULL, NULL));   /* checksum 0: not checked */
	in_rec(d);
	T_EQ_U(g_k.st.checksum_ok + g_k.st.checksum_failed, 2);
	d = mk_delta(g_okx, 13, 13, 12, L("3366.1:9", NULL, NULL));
	d->h.aux = (uint32_t)(int32_t)-5;
	in_rec(d);
	T_EQ_U(g_k.st.checksum_failed, 1);
	e = (const void *)last_out(REC_EVENT, EV_CHECKSUM_FAIL);
	T_CHECK(e && e->a == -5);
	T_EQ_I(g_k.state, BK_WAIT);
	T_EQ_I(n_out(REC_DELTA, 0), 2);          /* the failing one was not published */
	check_consistent();
}

/* Legacy OKX frames (2021-2022: checksum, no seqId/prevSeqId; feedd marks
 * them REC_F_NOSEQ with ids 0): the checksum of every update is the chain.
 * The protocols.md section 3 vectors are the books' checksums. */
static struct rec_snapshot *
legacy_snap(const char *const *spec, int32_t checksum)
{
	struct rec_snapshot *s = mk_snap(g_okx, SNAP_WS, 0, 0, spec);

	s->h.flags |= REC_F_NOSEQ;
	s->checksum = checksum;
	return s;
}

static struct rec_delta *
legacy_delta(const char *const *spec, int32_t checksum)
{
	struct rec_delta *d = mk_delta(g_okx, 0, 0, 0, spec);

	d->h.flags |= REC_F_NOSEQ;
	d->h.aux = (uint32_t)checksum;
	return d;
}

static void
t_okx_legacy_checksum_chain(void)
{
	const struct rec_event *e;

	start(g_okx);
	/* an update before the snapshot cannot be placed: ignored, WS mode */
	in_rec(legacy_delta(L("3366.1:8", NULL, NULL), 12345));
	T_EQ_U(g_k.st.unsynced_ignored, 1);
	T_EQ_U(g_k.buf_count, 0);
	T_EQ_I(g_k.okx_mode, OKX_MODE_WS);
	in_rec(legacy_snap(L("3366.1:7", "3366:6", NULL, "3366.8:9", "3368:8", NULL), -1881014294));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.okx_legacy, 1);
	T_EQ_U(g_k.st.checksum_ok, 1);
	in_rec(legacy_delta(L("3366:0", NULL, "3372:8", NULL), 831078360));
	T_EQ_U(g_k.st.checksum_ok, 2);
	T_EQ_U(g_k.st.applied, 1);
	T_EQ_U(g_k.st.heartbeats, 0);
	T_EQ_I(n_out(REC_DELTA, 0), 1);
	T_CHECK(last_z(REC_DELTA, 0)->flags & REC_F_NOSEQ);
	/* a corrupted checksum: event, resync by resubscribing */
	g_now += 5 * SEC;
	in_rec(legacy_delta(L("3366.1:9", NULL, NULL), 831078360 ^ 1));
	T_EQ_U(g_k.st.checksum_failed, 1);
	e = (const void *)last_out(REC_EVENT, EV_CHECKSUM_FAIL);
	T_CHECK(e && e->a == (831078360 ^ 1));
	T_EQ_I(g_k.state, BK_WAIT);
	T_CHECK(g_nctl > 0 && g_ctl[g_nctl - 1].op == CTL_RESUBSCRIBE);
	T_EQ_I(n_out(REC_DELTA, 0), 1);
	in_rec(legacy_snap(L("8476.98:415", "8475.55:100", NULL, "8477:7", "8477.34:85", NULL), -1269175945));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_U(g_k.st.checksum_ok, 3);
	T_EQ_U(g_k.st.checksum_failed, 1);
	/* an update without a checksum has no continuity at all: a gap */
	g_now += 5 * SEC;
	in_rec(legacy_delta(L("8476.98:1", NULL, NULL), 0));
	e = (const void *)last_out(REC_EVENT, EV_GAP);
	T_CHECK(e && strstr(e->text, "without a checksum"));
	T_EQ_I(g_k.state, BK_WAIT);
	/* a sequenced update on a legacy book cannot be placed either */
	in_rec(legacy_snap(L("8476.98:415", "8475.55:100", NULL, "8477:7", "8477.34:85", NULL), -1269175945));
	T_EQ_I(g_k.state, BK_SYNCED);
	in_rec(mk_delta(g_okx, 7, 7, 0, L("8476.98:1", NULL, NULL)));
	e = (const void *)last_out(REC_EVENT, EV_GAP);
	T_CHECK(e && strstr(e->text, "sequenced update on a legacy"));
	T_EQ_I(g_k.state, BK_WAIT);
	/* and a sequenced WS snapshot ends legacy mode */
	in_rec(mk_snap(g_okx, SNAP_WS, 10, 0, L("100:1", NULL, "101:1", NULL)));
	T_EQ_I(g_k.okx_legacy, 0);
	in_rec(legacy_delta(L("100:2", NULL, NULL), 5));
	e = (const void *)last_out(REC_EVENT, EV_GAP);
	T_CHECK(e && strstr(e->text, "legacy (no seqId) update on a sequenced"));
	T_EQ_U(g_k.st.upd_missing, 0);
	check_consistent();
}

/* Random deep books on a 40-level WS window and max_levels 300: after every
 * merge the book is the WS window as it stood plus the deep book's levels
 * worse than the window's worst, up to max_levels (a model built here, not
 * the keeper's walk), and the outputs rebuild it (check_consistent). */
static void
t_okx_deep_merge_random(void)
{
	enum { WSD = 40, MAXL = 300, GRID = 500 };
	static _Alignas(8) unsigned char buf[1 << 16];
	struct rec_snapshot *s = (struct rec_snapshot *)buf;
	struct rec_level ws[2][WSD], want[MAXL];
	uint32_t seed = 12345;
	int bad = 0;

	g_cfg.okx_ws_depth = WSD;
	g_cfg.max_levels = MAXL;
	start(g_okx);
	memset(s, 0, rec_snapshot_size(WSD, WSD));
	rec_hdr_init(&s->h, REC_SNAPSHOT, g_okx->id, (uint32_t)rec_snapshot_size(WSD, WSD));
	s->h.last_id = 10;
	s->h.prev_id = -1;
	s->kind = SNAP_WS;
	s->nchunks = 1;
	s->n_bids = s->n_asks = WSD;
	for (int i = 0; i < WSD; i++) {
		s->lv[i].px = (100000 - i) * 10LL;          /* bids best first */
		s->lv[WSD + i].px = (100001 + i) * 10LL;    /* asks */
		s->lv[i].qty = s->lv[WSD + i].qty = 1 + i;
	}
	in_rec(s);
	T_EQ_I(g_k.state, BK_SYNCED);
	for (int round = 0; round < 60 && !bad; round++) {
		uint32_t n[2] = {0, 0};
		struct rec_level lv[2][GRID];
		for (int side = 0; side < 2; side++) {
			for (int i = 0; i < WSD; i++)
				ws[side][i] = *book_level(g_k.book, side, (uint32_t)i);
			/* the deep book's grid starts inside the WS window (the
			 * keeper keeps the WS levels there); a level is there with
			 * 2/3 chance, and its size is one of 4 */
			for (int i = WSD / 2; i < WSD / 2 + GRID; i++) {
				seed = seed * 1103515245u + 12345u;
				if ((seed >> 16) % 3 == 0)
					continue;
				lv[side][n[side]].px = side == BOOK_BID ? (100000 - i) * 10LL : (100001 + i) * 10LL;
				lv[side][n[side]++].qty = 1 + (seed >> 20) % 4;
			}
		}
		memset(s, 0, rec_snapshot_size(n[0], n[1]));
		rec_hdr_init(&s->h, REC_SNAPSHOT, g_okx->id, (uint32_t)rec_snapshot_size(n[0], n[1]));
		s->h.recv_ns = g_now;
		s->h.prev_id = -1;
		s->kind = SNAP_DEEP;
		s->nchunks = 1;
		s->n_bids = n[0];
		s->n_asks = n[1];
		memcpy(s->lv, lv[0], n[0] * sizeof lv[0][0]);
		memcpy(s->lv + n[0], lv[1], n[1] * sizeof lv[1][0]);
		out_reset();
		in_rec(s);
		for (int side = 0; side < 2 && !bad; side++) {
			uint32_t w = 0;
			for (int i = 0; i < WSD; i++)
				want[w++] = ws[side][i];
			for (uint32_t j = 0; j < n[side] && w < MAXL; j++)
				if (side == BOOK_BID ? lv[side][j].px < ws[side][WSD - 1].px : lv[side][j].px > ws[side][WSD - 1].px)
					want[w++] = lv[side][j];
			if (book_count(g_k.book, side) != w)
				bad = 1;
			for (uint32_t i = 0; i < w && !bad; i++) {
				const struct rec_level *l = book_level(g_k.book, side, i);
				if (l->px != want[i].px || l->qty != want[i].qty)
					bad = 1;
			}
			if (bad)
				fprintf(stderr, "  round %d side %d: the book is not the WS window + the deep levels\n", round, side);
		}
		T_EQ_U(g_k.st.deep_merges, (uint64_t)round + 1);
		check_consistent();
	}
	T_EQ_I(bad, 0);
	out_reset();
	g_cfg.okx_ws_depth = 400;
	g_cfg.max_levels = 5000;
}

static void
t_okx_deep_merge(void)
{
	struct rec_snapshot *s;
	const struct rec_delta *d;
	const struct rec_snapshot *f;
	int64_t q;

	g_cfg.okx_ws_depth = 2;
	start(g_okx);
	in_rec(mk_snap(g_okx, SNAP_WS, 10, 0, L("100:1", "99:1", "98:1", NULL, "101:1", "102:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	/* deep book: agrees on the WS window, differs beyond it */
	s = mk_snap(g_okx, SNAP_DEEP, 0, 0, L("100:5", "99:5", "98:2", "97:1", "96:1", NULL,
	    "101:5", "102:5", "103:1", NULL));
	s->h.recv_ns = 1234 * SEC;
	in_rec(s);
	T_EQ_U(g_k.st.deep_merges, 1);
	T_CHECK(book_find(g_k.book, BOOK_BID, P("100"), &q) && q == P("1"));   /* WS window kept */
	T_CHECK(book_find(g_k.book, BOOK_BID, P("98"), &q) && q == P("2"));
	T_CHECK(book_find(g_k.book, BOOK_BID, P("96"), &q));
	T_CHECK(book_find(g_k.book, BOOK_ASK, P("103"), &q));
	T_EQ_I(book_count(g_k.book, BOOK_BID), 5);
	d = (const void *)last_out(REC_DELTA, 0);
	T_CHECK(d && d->h.first_id == 10 && d->h.last_id == 10 && d->h.prev_id == 10);
	T_CHECK(d && d->n_bids == 3 && d->n_asks == 1);
	/* a second deep book drops 96 */
	s = mk_snap(g_okx, SNAP_DEEP, 0, 0, L("100:5", "99:5", "98:2", "97:1", NULL, "101:5", "102:5", "103:1", NULL));
	s->h.recv_ns = 1235 * SEC;
	in_rec(s);
	T_CHECK(!book_find(g_k.book, BOOK_BID, P("96"), &q));
	in_rec(mk_delta(g_okx, 11, 11, 10, L("100:3", NULL, NULL)));
	g_now += g_cfg.full_interval_ns;
	bk_tick(&g_k, g_now);
	f = (const void *)last_out(REC_SNAPSHOT, SNAP_FULL);
	/* deep levels are not exact: the floor stays in the WS window (98 was changed by the merge) */
	T_CHECK(f && f->deep_refresh_ns == 1235 * SEC && f->bid_floor_px == P("99") && f->ask_ceil_px == P("102"));
	check_consistent();
	/* not synced: ignored */
	bk_resync(&g_k, "test", g_now);
	in_rec(s);
	T_EQ_U(g_k.st.deep_ignored, 1);
	g_cfg.okx_ws_depth = 400;
}

/* ---------------- OKX audits (okx_audit.h) ---------------- */

/* A WS-mode OKX book in sync at seqId 10: bids 100:1 99:1 98:1, asks 101:1 102:1 103:1. */
static void
okx_synced_at_10(void)
{
	start(g_okx);
	in_rec(mk_snap(g_okx, SNAP_WS, 10, 0, L("100:1", "99:1", "98:1", NULL, "101:1", "102:1", "103:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
}

static void
t_okx_top5_agree(void)
{
	okx_synced_at_10();
	in_rec(mk_snap(g_okx, SNAP_TOP, 10, 0, L("100:1", "99:1", "98:1", NULL, "101:1", "102:1", "103:1", NULL)));
	T_EQ_U(g_k.st.top_agree, 1);
	in_rec(mk_delta(g_okx, 11, 11, 10, L("100:2", NULL, NULL)));
	in_rec(mk_snap(g_okx, SNAP_TOP, 11, 0, L("100:2", "99:1", "98:1", NULL, "101:1", "102:1", "103:1", NULL)));
	T_EQ_U(g_k.st.top_agree, 2);
	/* an older seqId still in the history: compared with the book as it was then */
	in_rec(mk_snap(g_okx, SNAP_TOP, 10, 0, L("100:1", "99:1", NULL, "101:1", NULL)));
	T_EQ_U(g_k.st.top_agree, 3);
	T_EQ_U(g_k.st.top_disagree, 0);
	T_EQ_U(g_k.st.top_nc, 0);
	T_EQ_I(g_k.state, BK_SYNCED);
	check_consistent();
}

static void
t_okx_top5_disagree(void)
{
	const struct rec_event *e;

	okx_synced_at_10();
	in_rec(mk_delta(g_okx, 11, 11, 10, L("99:2", NULL, NULL)));
	/* the venue's books5 at 11 says 99 is 3: the book is wrong there */
	in_rec(mk_snap(g_okx, SNAP_TOP, 11, 0, L("100:1", "99:3", "98:1", NULL, "101:1", "102:1", "103:1", NULL)));
	T_EQ_U(g_k.st.top_disagree, 1);
	T_EQ_U(g_k.st.top_agree, 0);
	T_EQ_I(n_out(REC_EVENT, EV_TOP_MISMATCH), 1);
	e = (const void *)last_z(REC_EVENT, EV_TOP_MISMATCH);
	T_CHECK(e->a == 11 && strstr(e->text, "bid 2 venue 99/3 book 99/2") != NULL);
	T_EQ_I(n_out(REC_EVENT, EV_RESYNC), 1);
	T_CHECK(g_k.state != BK_SYNCED);
	/* a level missing from the book is a disagreement too */
	okx_synced_at_10();
	in_rec(mk_snap(g_okx, SNAP_TOP, 10, 0, L("100:1", "99:1", "98:1", "97:1", NULL, NULL)));
	T_EQ_U(g_k.st.top_disagree, 1);
	e = (const void *)last_z(REC_EVENT, EV_TOP_MISMATCH);
	T_CHECK(strstr(e->text, "bid 4 venue 97/1 book none") != NULL);
	check_consistent();
}

static void
t_okx_top5_not_comparable(void)
{
	okx_synced_at_10();
	/* a seqId the book never stood at (it synced at 10) */
	in_rec(mk_snap(g_okx, SNAP_TOP, 9, 0, L("100:1", NULL, "101:1", NULL)));
	T_EQ_U(g_k.st.top_nc, 1);
	/* history miss: 70 updates later, seqId 11 has left the OA_HIST history */
	for (int i = 0; i < 70; i++)
		in_rec(mk_delta(g_okx, 11 + i, 11 + i, 10 + i, L(i % 2 ? "100:1" : "100:2", NULL, NULL)));
	in_rec(mk_snap(g_okx, SNAP_TOP, 11, 0, L("100:2", NULL, NULL)));
	T_EQ_U(g_k.st.top_nc, 2);
	/* ahead of the book, and the stream passes it without standing there */
	in_rec(mk_snap(g_okx, SNAP_TOP, 85, 0, L("100:9", NULL, NULL)));
	T_EQ_U(g_k.st.top_nc, 2);          /* waiting */
	in_rec(mk_delta(g_okx, 90, 90, 80, L("100:4", NULL, NULL)));
	T_EQ_U(g_k.st.top_nc, 3);
	/* not synced */
	bk_resync(&g_k, "test", g_now);
	in_rec(mk_snap(g_okx, SNAP_TOP, 90, 0, L("100:4", NULL, NULL)));
	T_EQ_U(g_k.st.top_nc, 4);
	T_EQ_U(g_k.st.top_disagree, 0);
	T_EQ_U(g_k.st.top_agree, 0);
	check_consistent();
}

static void
t_okx_top5_ahead_waits(void)
{
	okx_synced_at_10();
	/* bbo-tbt / books5 can come before the books update of the same seqId */
	in_rec(mk_snap(g_okx, SNAP_TOP, 12, 0, L("100:5", NULL, "101:1", NULL)));
	T_EQ_U(g_k.st.top_agree + g_k.st.top_nc + g_k.st.top_disagree, 0);
	in_rec(mk_delta(g_okx, 12, 12, 10, L("100:5", NULL, NULL)));
	T_EQ_U(g_k.st.top_agree, 1);
	/* a sequence reset drops what waits */
	in_rec(mk_snap(g_okx, SNAP_TOP, 20, 0, L("100:5", NULL, NULL)));
	in_rec(mk_delta(g_okx, 3, 3, 12, L(NULL, "101:2", NULL)));
	T_EQ_U(g_k.st.top_nc, 1);
	T_EQ_I(g_k.state, BK_SYNCED);
	check_consistent();
}

static void
t_okx_bbo_tbt(void)
{
	okx_synced_at_10();
	/* bbo-tbt: one level a side */
	in_rec(mk_snap(g_okx, SNAP_TOP, 10, 0, L("100:1", NULL, "101:1", NULL)));
	T_EQ_U(g_k.st.top_agree, 1);
	in_rec(mk_delta(g_okx, 11, 11, 10, L(NULL, "101:4", NULL)));
	in_rec(mk_snap(g_okx, SNAP_TOP, 11, 0, L("100:1", NULL, "101:3", NULL)));
	T_EQ_U(g_k.st.top_disagree, 1);
	T_CHECK(strstr(((const struct rec_event *)last_z(REC_EVENT, EV_TOP_MISMATCH))->text,
	    "ask 1 venue 101/3 book 101/4") != NULL);
	T_CHECK(g_k.state != BK_SYNCED);
	check_consistent();
}

/* Updates buffered while a REST snapshot seeds the book enter the top
 * history too: books5 at a buffered update's seqId is compared, not counted
 * not comparable (and a wrong book there is still caught). */
static void
okx_rest_seeded_at_112(void)
{
	start(g_okx);
	in_rec(mk_event(g_okx, EV_CONNECTED, 0));
	g_now += 2 * SEC;
	in_rec(mk_delta(g_okx, 105, 105, 100, L("100:1", NULL, NULL)));
	T_EQ_I(g_k.okx_mode, OKX_MODE_REST);
	in_rec(mk_delta(g_okx, 110, 110, 105, L("100:2", NULL, NULL)));
	in_rec(mk_delta(g_okx, 112, 112, 110, L("99:2", NULL, NULL)));
	in_rec(mk_snap(g_okx, SNAP_REST, 107, g_ctl[g_nctl - 1].req_id, L("100:9", "98:1", NULL, "101:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 112);
}

static void
t_okx_top5_buffered_updates(void)
{
	okx_rest_seeded_at_112();
	/* the book at the snapshot, after the first buffered update, after the last */
	in_rec(mk_snap(g_okx, SNAP_TOP, 107, 0, L("100:9", "98:1", NULL, "101:1", NULL)));
	in_rec(mk_snap(g_okx, SNAP_TOP, 110, 0, L("100:2", "98:1", NULL, "101:1", NULL)));
	in_rec(mk_snap(g_okx, SNAP_TOP, 112, 0, L("100:2", "99:2", "98:1", NULL, "101:1", NULL)));
	T_EQ_U(g_k.st.top_agree, 3);
	T_EQ_U(g_k.st.top_nc, 0);
	T_EQ_U(g_k.st.top_disagree, 0);
	T_EQ_I(g_k.state, BK_SYNCED);
	check_consistent();
	/* the venue's top at buffered seqId 110 differs from what the book had then */
	okx_rest_seeded_at_112();
	in_rec(mk_snap(g_okx, SNAP_TOP, 110, 0, L("100:3", "98:1", NULL, "101:1", NULL)));
	T_EQ_U(g_k.st.top_disagree, 1);
	T_EQ_U(g_k.st.top_nc, 0);
	T_CHECK(strstr(((const struct rec_event *)last_z(REC_EVENT, EV_TOP_MISMATCH))->text,
	    "top at 110: bid 1 venue 100/3 book 100/2") != NULL);
	T_CHECK(g_k.state != BK_SYNCED);
}

/* The REST window audit request of a book synced at 10; its req_id. */
static uint32_t
okx_window_request(void)
{
	int before = g_nctl;
	uint64_t asked = g_k.st.window_requests;

	g_now += g_cfg.okx_audit_ns + g_cfg.okx_audit_ns / 5;
	bk_tick(&g_k, g_now);
	T_EQ_I(g_nctl, before + 1);
	T_EQ_I(g_ctl[g_nctl - 1].op, CTL_SNAPSHOT);
	T_EQ_I(g_ctl[g_nctl - 1].flags, CTL_F_REFRESH);
	T_EQ_I(g_ctl[g_nctl - 1].depth, 400);
	T_EQ_U(g_k.st.window_requests, asked + 1);
	return g_ctl[g_nctl - 1].req_id;
}

static void
t_okx_window_equal(void)
{
	uint32_t r;

	okx_synced_at_10();
	r = okx_window_request();
	in_rec(mk_snap(g_okx, SNAP_REST, 10, r, L("100:1", "99:1", "98:1", NULL, "101:1", "102:1", "103:1", NULL)));
	T_EQ_U(g_k.st.window_agree, 1);
	T_EQ_U(g_k.st.window_discrepancies, 0);
	T_EQ_I(g_k.state, BK_SYNCED);
	/* an answer ahead of the stream is held until the stream gets there */
	in_rec(mk_delta(g_okx, 11, 11, 10, L("100:2", NULL, NULL)));
	r = okx_window_request();
	in_rec(mk_snap(g_okx, SNAP_REST, 12, r, L("100:2", "99:1", "98:1", NULL, "101:7", "102:1", "103:1", NULL)));
	T_EQ_U(g_k.st.window_agree, 1);
	in_rec(mk_delta(g_okx, 12, 12, 11, L(NULL, "101:7", NULL)));
	T_EQ_U(g_k.st.window_agree, 2);
	/* an answer older than the book: the levels unchanged since then are judged (99, 98, asks 102, 103) */
	in_rec(mk_delta(g_okx, 13, 13, 12, L("99:4", NULL, NULL)));
	r = okx_window_request();
	in_rec(mk_snap(g_okx, SNAP_REST, 12, r, L("100:2", "99:1", "98:1", NULL, "101:7", "102:1", "103:1", NULL)));
	T_EQ_U(g_k.st.window_agree, 3);
	T_EQ_U(g_k.st.window_nc, 0);
	T_EQ_U(g_k.st.window_discrepancies, 0);
	T_EQ_I(g_k.state, BK_SYNCED);
	check_consistent();
}

static void
t_okx_window_differs(void)
{
	const struct rec_event *e;
	uint32_t r;

	okx_synced_at_10();
	r = okx_window_request();
	/* 99 differs, 97 is missing from the book */
	in_rec(mk_snap(g_okx, SNAP_REST, 10, r, L("100:1", "99:6", "98:1", "97:1", NULL, "101:1", "102:1", "103:1", NULL)));
	T_EQ_U(g_k.st.window_discrepancies, 1);   /* 97 lies beyond the exact floor (98): not judged */
	T_EQ_I(n_out(REC_EVENT, EV_WINDOW_DISCREPANCY), 1);
	e = (const void *)last_z(REC_EVENT, EV_WINDOW_DISCREPANCY);
	T_CHECK(e->a == P("99") && e->b == P("6") && strstr(e->text, "bid 99 book 1 rest 6") != NULL);
	T_EQ_I(n_out(REC_EVENT, EV_RESYNC), 1);
	T_CHECK(g_k.state != BK_SYNCED);
	/* an older answer: a level unchanged since it, absent from it, is a discrepancy */
	okx_synced_at_10();
	in_rec(mk_delta(g_okx, 11, 11, 10, L("100:2", NULL, NULL)));
	r = okx_window_request();
	in_rec(mk_snap(g_okx, SNAP_REST, 10, r, L("100:1", "98:1", NULL, "101:1", "102:1", "103:1", NULL)));
	T_EQ_U(g_k.st.window_discrepancies, 1);
	T_CHECK(strstr(((const struct rec_event *)last_z(REC_EVENT, EV_WINDOW_DISCREPANCY))->text,
	    "bid 99 book 1 rest 0") != NULL);
	check_consistent();
}

static void
t_okx_window_not_held(void)
{
	uint32_t r;

	okx_synced_at_10();
	/* seqId 9: before the sync, every level has changed since (set at 10) */
	r = okx_window_request();
	in_rec(mk_snap(g_okx, SNAP_REST, 9, r, L("100:3", NULL, "101:3", NULL)));
	T_EQ_U(g_k.st.window_nc, 1);
	/* ahead, never reached in time */
	g_cfg.okx_audit_ns = 5 * SEC;
	g_now += 6 * SEC;
	bk_tick(&g_k, g_now);
	r = g_ctl[g_nctl - 1].req_id;
	in_rec(mk_snap(g_okx, SNAP_REST, 50, r, L("100:3", NULL, "101:3", NULL)));
	g_now += g_cfg.refresh_hold_ns + 1;
	bk_tick(&g_k, g_now);
	T_EQ_U(g_k.st.window_nc, 2);
	/* feedd had no budget to spare */
	g_now += 6 * SEC;
	bk_tick(&g_k, g_now);
	r = g_ctl[g_nctl - 1].req_id;
	in_rec(mk_event(g_okx, EV_SNAPSHOT_FAILED, r));
	T_EQ_U(g_k.st.window_refused, 1);
	T_EQ_U(g_k.st.window_discrepancies, 0);
	T_EQ_U(g_k.st.window_agree, 0);
	T_EQ_I(g_k.state, BK_SYNCED);
	check_consistent();
}

static void
t_okx_deep_merge_level_ids(void)
{
	int64_t q, id;

	g_cfg.okx_ws_depth = 2;
	okx_synced_at_10();
	in_rec(mk_delta(g_okx, 17, 17, 10, L("100:2", NULL, NULL)));
	in_rec(mk_snap(g_okx, SNAP_DEEP, 0, 0, L("100:5", "99:5", "97:1", NULL, "101:5", "102:5", NULL)));
	/* a merged deep level carries the book's id at the merge, not 0 */
	T_CHECK(book_find_id(g_k.book, BOOK_BID, P("97"), &q, &id) && id == 17);
	g_cfg.okx_ws_depth = 400;
	check_consistent();
}

static void
t_max_levels_edge(void)
{
	const struct rec_snapshot *f;

	g_cfg.max_levels = 3;
	binance_synced_at_110();                  /* snapshot 3 bids (full side) */
	in_rec(mk_delta(g_bin, 111, 111, -1, L("99.5:1", NULL, NULL)));   /* evicts 98 */
	g_now += g_cfg.full_interval_ns;
	bk_tick(&g_k, g_now);
	f = (const void *)last_out(REC_SNAPSHOT, SNAP_FULL);
	T_CHECK(f && f->n_bids == 3 && f->bid_floor_px == P("99"));
	T_EQ_U(g_k.st.truncated, 1);
	check_consistent();
	g_cfg.max_levels = 5000;
}

/* An eviction moves the exact bound inwards, never outwards: levels
 * inserted below the floor by updates do not widen it when the worst goes. */
static void
t_eviction_never_widens(void)
{
	const struct rec_snapshot *f;

	g_cfg.max_levels = 5;
	binance_synced_at_110();                  /* bids 100 99 98, floor 98 */
	in_rec(mk_delta(g_bin, 111, 111, -1, L("97:1", "96:1", NULL, NULL)));
	in_rec(mk_delta(g_bin, 112, 112, -1, L("99.5:1", NULL, NULL)));   /* evicts 96 */
	T_EQ_U(g_k.st.truncated, 1);
	T_EQ_I(g_k.edge_px[BOOK_BID], P("98"));
	in_rec(mk_delta(g_bin, 113, 113, -1, L("99.7:1", "99.8:1", NULL, NULL)));   /* evicts 97, 98 */
	T_EQ_I(g_k.edge_px[BOOK_BID], P("99"));
	g_now += g_cfg.full_interval_ns;
	bk_tick(&g_k, g_now);
	f = (const void *)last_out(REC_SNAPSHOT, SNAP_FULL);
	T_CHECK(f && f->bid_floor_px == P("99") && f->ask_ceil_px == P("102"));
	check_consistent();
	g_cfg.max_levels = 5000;
}

/* ---------------- Binance deep refresh (splice.c) ---------------- */

static int64_t
qty_at(int side, const char *px)
{
	int64_t q = 0;
	return book_find(g_k.book, side, P(px), &q) ? q : 0;
}

/* Synced at 110 (bids 100:5 99:2 98:1, asks 101:3 102:4, exact 98..102),
 * then 111 sets 95 and 103 (outside the exact range), 112 sets 100:7 and
 * removes 94 (not held). */
static void
binance_synced_at_112(void)
{
	binance_synced_at_110();
	in_rec(mk_delta(g_bin, 111, 111, -1, L("95:1", NULL, "103:1", NULL)));
	in_rec(mk_delta(g_bin, 112, 112, -1, L("100:7", "94:0", NULL, NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 112);
}

static void
t_refresh_request_interval(void)
{
	int n;

	binance_synced_at_110();
	n = g_nctl;
	g_now += g_cfg.refresh_interval_ns * 9 / 10 - SEC;
	bk_tick(&g_k, g_now);
	T_EQ_I(g_nctl, n);                        /* not before 0.9 interval */
	g_now += g_cfg.refresh_interval_ns * 2 / 10 + 2 * SEC;
	bk_tick(&g_k, g_now);
	T_EQ_I(g_nctl, n + 1);                    /* by 1.1 interval */
	T_EQ_I(g_ctl[n].op, CTL_SNAPSHOT);
	T_EQ_I(g_ctl[n].flags, CTL_F_REFRESH);
	T_EQ_I(g_ctl[n].depth, 5000);
	T_EQ_U(g_k.st.refresh_requests, 1);
	T_EQ_U(g_k.st.snap_requests, 1);          /* a refresh is not a resync request */
	/* feedd had no budget to spare: counted, asked again next interval */
	in_rec(mk_event(g_bin, EV_SNAPSHOT_FAILED, g_ctl[n].req_id));
	T_EQ_U(g_k.st.refresh_refused, 1);
	T_EQ_I(g_k.state, BK_SYNCED);
	g_now += g_cfg.refresh_interval_ns * 11 / 10 + SEC;
	bk_tick(&g_k, g_now);
	T_EQ_I(g_nctl, n + 2);
	T_EQ_I(g_ctl[n + 1].flags, CTL_F_REFRESH);
	check_consistent();
}

/* Every splice case in one refresh at L = 111: 100 touched after L (keeps
 * 7), 99 and 98 untouched and equal, 96 and 104 added, 95 removed by the
 * refresh (set at 111 = L, outside the old exact range), 94 removed after L
 * (stays removed though the refresh lists it). */
static void
t_refresh_splice_cases(void)
{
	const struct rec_snapshot *f;
	struct rec_snapshot *s;
	int n;

	binance_synced_at_112();
	g_now += g_cfg.refresh_interval_ns * 11 / 10 + SEC;
	bk_tick(&g_k, g_now);
	n = g_nctl - 1;
	T_EQ_I(g_ctl[n].flags, CTL_F_REFRESH);
	s = mk_snap(g_bin, SNAP_REST, 111, g_ctl[n].req_id,
	    L("100:5", "99:2", "98:1", "96:2", "94:4", NULL, "101:3", "102:4", "103:1", "104:2", NULL));
	in_rec(s);
	T_EQ_U(g_k.st.refreshes, 1);
	T_EQ_U(g_k.st.refresh_discrepancies, 0);
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(qty_at(BOOK_BID, "100"), P("7"));
	T_EQ_I(qty_at(BOOK_BID, "99"), P("2"));
	T_EQ_I(qty_at(BOOK_BID, "96"), P("2"));
	T_EQ_I(qty_at(BOOK_BID, "95"), 0);
	T_EQ_I(qty_at(BOOK_BID, "94"), 0);
	T_EQ_I(qty_at(BOOK_ASK, "104"), P("2"));
	T_EQ_I(book_count(g_k.book, BOOK_BID), 4);
	T_EQ_I(book_count(g_k.book, BOOK_ASK), 4);
	T_EQ_I(g_k.id, 112);
	f = (const void *)last_out(REC_SNAPSHOT, SNAP_FULL);
	T_CHECK(f && f->reason == SNAP_R_PERIODIC && f->bid_floor_px == P("94") && f->ask_ceil_px == P("104"));
	/* the next answer (no request outstanding, req_id stale) is not a refresh */
	in_rec(s);
	T_EQ_U(g_k.st.refreshes, 1);
	check_consistent();
}

/* A refresh whose range is narrower than the exact range keeps the wider
 * bound (min for the floor, max for the ceiling). */
static void
t_refresh_keeps_wider_range(void)
{
	binance_synced_at_110();
	in_rec(mk_snap(g_bin, SNAP_REST, 110, 0, L("100:5", "99:2", NULL, "101:3", NULL)));
	T_EQ_U(g_k.st.refreshes, 1);
	T_EQ_I(g_k.edge_px[BOOK_BID], P("98"));
	T_EQ_I(g_k.edge_px[BOOK_ASK], P("102"));
	T_EQ_I(qty_at(BOOK_BID, "98"), P("1"));   /* outside the refresh's range: untouched */
	check_consistent();
}

/* Inside the previous exact range, an untouched level that differs is a
 * discrepancy: counted once, an event naming it, and a resync. */
static void
t_refresh_discrepancy(void)
{
	const struct rec_event *e;

	binance_synced_at_112();
	in_rec(mk_snap(g_bin, SNAP_REST, 111, 0,
	    L("100:5", "99:3", "98:1", "95:1", NULL, "101:3", "102:4", "103:1", NULL)));
	T_EQ_U(g_k.st.refresh_discrepancies, 1);
	T_EQ_U(g_k.st.refreshes, 0);
	T_EQ_I(n_out(REC_EVENT, EV_REFRESH_DISCREPANCY), 1);
	e = (const void *)last_z(REC_EVENT, EV_REFRESH_DISCREPANCY);
	T_EQ_I(e->a, P("99"));
	T_EQ_I(e->b, P("3"));
	T_CHECK(strstr(e->text, "bid 99 book 2 refresh 3") != NULL);
	T_EQ_I(n_out(REC_EVENT, EV_RESYNC), 1);
	T_CHECK(g_k.state != BK_SYNCED);
	check_consistent();
}

/* A refresh ahead of the stream is held until the stream reaches it (here
 * by an update that straddles L: its levels are after L and stay local). */
static void
t_refresh_ahead_is_held(void)
{
	binance_synced_at_110();
	in_rec(mk_snap(g_bin, SNAP_REST, 112, 0, L("100:6", "99:2", "98:1", "97:1", NULL, "101:3", "102:4", NULL)));
	T_EQ_U(g_k.st.refresh_held, 1);
	T_EQ_U(g_k.st.refreshes, 0);
	T_CHECK(g_k.held != NULL);
	T_EQ_I(qty_at(BOOK_BID, "97"), 0);
	in_rec(mk_delta(g_bin, 111, 111, -1, L("100:6", NULL, NULL)));
	T_EQ_U(g_k.st.refreshes, 0);              /* 111 < 112: still held */
	in_rec(mk_delta(g_bin, 112, 113, -1, L("99:9", NULL, NULL)));
	T_EQ_U(g_k.st.refreshes, 1);
	T_CHECK(g_k.held == NULL);
	T_EQ_U(g_k.st.refresh_discrepancies, 0);
	T_EQ_I(qty_at(BOOK_BID, "99"), P("9"));   /* changed at 113 > L: local wins */
	T_EQ_I(qty_at(BOOK_BID, "97"), P("1"));
	T_EQ_I(g_k.edge_px[BOOK_BID], P("97"));
	check_consistent();
}

static void
t_refresh_never_caught_up(void)
{
	binance_synced_at_110();
	in_rec(mk_snap(g_bin, SNAP_REST, 200, 0, L("100:5", NULL, "101:3", NULL)));
	T_EQ_U(g_k.st.refresh_held, 1);
	g_now += g_cfg.refresh_hold_ns / 2;
	bk_tick(&g_k, g_now);
	T_CHECK(g_k.held != NULL);
	g_now += g_cfg.refresh_hold_ns;
	bk_tick(&g_k, g_now);
	T_CHECK(g_k.held == NULL);
	T_EQ_U(g_k.st.refresh_hold_timeouts, 1);
	T_EQ_U(g_k.st.refreshes, 0);
	T_EQ_I(g_k.state, BK_SYNCED);
	check_consistent();
}

/* Older than the change log (here: before the sync's snapshot at 107). */
static void
t_refresh_too_old(void)
{
	binance_synced_at_110();
	in_rec(mk_snap(g_bin, SNAP_REST, 106, 0, L("100:5", NULL, "101:3", NULL)));
	T_EQ_U(g_k.st.refresh_too_old, 1);
	T_EQ_U(g_k.st.refreshes, 0);
	T_EQ_I(g_k.state, BK_SYNCED);
	/* unusable levels (not best first): dropped and counted */
	in_rec(mk_snap(g_bin, SNAP_REST, 110, 0, L("99:5", "100:1", NULL, "101:3", NULL)));
	T_EQ_U(g_k.st.refresh_dropped, 1);
	T_EQ_U(g_k.st.refreshes, 0);
	check_consistent();
}

/* The change log costs what the stream needs (splice.h): nothing before the
 * first change, doubling from SP_LOG_MIN as changes come, changes beyond the
 * last SP_LOG_MIN older than keep_s let go (the floor moves, so a refresh from before them is too old,
 * never spliced on partial knowledge), memory given back once it empties; a
 * refresh after the floor still splices exactly. */
static void
t_refresh_log_grows_and_lets_go(void)
{
	char px[32];
	int64_t t0, id;
	uint32_t n0;

	binance_synced_at_110();
	T_CHECK(g_k.log.max == SP_LOG_CAP);
	T_EQ_U(g_k.log.keep_s, (g_cfg.snapshot_timeout_ns + g_cfg.refresh_hold_ns) / SEC + SP_KEEP_SLACK_S);
	n0 = g_k.log.n;                     /* changes of the buffered updates applied at the sync */
	T_CHECK(n0 <= SP_LOG_MIN);
	/* 600 changes at 111..710, one per update: the log grows past SP_LOG_MIN */
	t0 = g_now;
	for (id = 111; id <= 710; id++) {
		snprintf(px, sizeof px, "%lld:1", (long long)(200 + (id % 50)));
		in_rec(mk_delta(g_bin, id, id, -1, L(NULL, px, NULL)));
	}
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_U(g_k.log.n, n0 + 600);
	T_CHECK(g_k.log.cap >= n0 + 600 && g_k.log.cap <= 1024);
	/* keep_s + 2 s later the old changes go, one per new change */
	g_now = t0 + ((int64_t)g_k.log.keep_s + 2) * SEC;
	for (id = 711; id <= 710 + (int64_t)n0 + 1; id++)
		in_rec(mk_delta(g_bin, id, id, -1, L(NULL, "260:1", NULL)));
	T_EQ_U(g_k.log.n, n0 + 600);
	T_EQ_I(g_k.log.floor, 111);         /* the sync's changes and the one at 111 are gone */
	/* a refresh at L = 110 needs the change at 111: too old */
	in_rec(mk_snap(g_bin, SNAP_REST, 110, 0, L("100:5", NULL, "101:3", NULL)));
	T_EQ_U(g_k.st.refresh_too_old, 1);
	T_EQ_U(g_k.st.refreshes, 0);
	/* 599 more let the rest of the old ones go; later the log empties and
	 * the tick gives the memory back */
	for (id = 712 + n0; id <= 1310 + n0; id++)
		in_rec(mk_delta(g_bin, id, id, -1, L(NULL, "260:2", NULL)));
	T_EQ_I(g_k.log.floor, 710);
	T_EQ_U(g_k.log.n, n0 + 600);
	g_now += ((int64_t)g_k.log.keep_s + 2) * SEC;
	for (id = 1311 + n0; id <= 1320 + n0; id++)
		in_rec(mk_delta(g_bin, id, id, -1, L(NULL, "260:3", NULL)));
	T_EQ_U(g_k.log.n, n0 + 600);        /* one old one goes per new one */
	T_EQ_I(g_k.log.floor, 710 + 10);
	/* quiet for longer than keep_s: the tick lets all but the last
	 * SP_LOG_MIN go and gives the memory back */
	g_now += ((int64_t)g_k.log.keep_s + 2) * SEC;
	bk_tick(&g_k, g_now);
	T_EQ_U(g_k.log.n, SP_LOG_MIN);
	T_EQ_U(g_k.log.cap, 2 * SP_LOG_MIN);
	T_EQ_I(g_k.log.floor, 1320 + n0 - SP_LOG_MIN);
	/* a refresh after the floor splices, the book stays exact */
	in_rec(mk_delta(g_bin, 1321 + n0, 1321 + n0, -1, L(NULL, "261:1", NULL)));
	in_rec(mk_snap(g_bin, SNAP_REST, 1320 + n0, 0, L("100:5", "99:2", "98:1", NULL, "101:3", "102:4", "260:3", NULL)));
	T_EQ_I(qty_at(BOOK_ASK, "261"), P("1"));  /* changed after L: kept */
	T_EQ_U(g_k.st.refreshes, 1);
	T_EQ_U(g_k.st.refresh_discrepancies, 0);
	check_consistent();
}

/* ---------------- loss accounting (sync_loss.c) ---------------- */

static void
t_loss_binance_ids(void)
{
	/* binance_synced_at_110: (100,105) (106,110) = 11 ids, none missing */
	binance_synced_at_110();
	T_EQ_U(g_k.st.upd_received, 11);
	T_EQ_U(g_k.st.upd_missing, 0);
	T_EQ_U(g_k.st.upd_expected, 11);
	in_rec(mk_delta(g_bin, 111, 115, -1, L("100:2", NULL, NULL)));    /* +5 */
	in_rec(mk_delta(g_bin, 111, 115, -1, L("100:2", NULL, NULL)));    /* duplicate */
	T_EQ_U(g_k.st.upd_received, 16);
	T_EQ_U(g_k.st.upd_late, 1);
	/* 116..122 never arrive: missing = U - (prev u + 1) = 123 - 116 = 7 */
	in_rec(mk_delta(g_bin, 123, 130, -1, L("100:3", NULL, NULL)));    /* +8 */
	T_EQ_U(g_k.st.gaps, 1);
	T_EQ_U(g_k.st.upd_missing, 7);
	T_EQ_U(g_k.st.upd_received, 24);
	T_EQ_U(g_k.st.upd_expected, 31);
	/* unsynced now: counting goes on from the stream; an overlap counts its new ids only */
	in_rec(mk_delta(g_bin, 128, 133, -1, L("100:4", NULL, NULL)));    /* 131..133: +3 */
	T_EQ_U(g_k.st.upd_received, 27);
	/* a second gap while unsynced (no EV_GAP, still sized): 134..199 = 66 */
	in_rec(mk_delta(g_bin, 200, 200, -1, L("100:5", NULL, NULL)));
	T_EQ_U(g_k.st.upd_missing, 73);
	T_EQ_U(g_k.st.upd_received, 28);
	T_EQ_U(g_k.st.upd_expected, 101);
	/* a reconnect does not reset the ids: what was sent meanwhile is missing */
	in_rec(mk_event(g_bin, EV_CONNECTED, 0));
	in_rec(mk_delta(g_bin, 211, 220, -1, L("100:6", NULL, NULL)));    /* 201..210 missing */
	T_EQ_U(g_k.st.upd_missing, 83);
	T_EQ_U(g_k.st.upd_received, 38);
	T_EQ_U(g_k.st.upd_expected, 121);
	check_consistent();
	/* ids at the ends of int64 (input from a ring): counted without overflow */
	start(g_bin);
	in_rec(mk_delta(g_bin, INT64_MIN, INT64_MIN + 9, -1, L(NULL, NULL)));           /* 10 */
	in_rec(mk_delta(g_bin, INT64_MAX - 4, INT64_MAX, -1, L(NULL, NULL)));           /* 5, the rest missing */
	T_EQ_U(g_k.st.upd_received, 15);
	T_EQ_U(g_k.st.upd_missing, UINT64_MAX - 14);
	in_rec(mk_delta(g_bin, INT64_MAX, INT64_MAX, -1, L(NULL, NULL)));               /* late */
	T_EQ_U(g_k.st.upd_late, 1);
}

static void
t_loss_okx_frames(void)
{
	start(g_okx);
	in_rec(mk_snap(g_okx, SNAP_WS, 10, 0, L("100:1", NULL, "101:1", NULL)));
	in_rec(mk_delta(g_okx, 15, 15, 10, L("100:2", NULL, NULL)));     /* received 1 */
	in_rec(mk_delta(g_okx, 15, 15, 15, L(NULL, NULL)));              /* heartbeat: not an update */
	in_rec(mk_delta(g_okx, 3, 3, 15, L(NULL, "101:2", NULL)));       /* seq reset: received 2 */
	in_rec(mk_delta(g_okx, 3, 3, 15, L(NULL, "101:2", NULL)));       /* duplicate */
	T_EQ_U(g_k.st.upd_received, 2);
	T_EQ_U(g_k.st.upd_missing, 0);
	T_EQ_U(g_k.st.upd_late, 1);
	/* prevSeqId 7 != 3: one frame (at least) missing */
	in_rec(mk_delta(g_okx, 9, 9, 7, L("100:3", NULL, NULL)));
	T_EQ_U(g_k.st.gaps, 1);
	T_EQ_U(g_k.st.upd_missing, 1);
	T_EQ_U(g_k.st.upd_received, 3);
	T_EQ_U(g_k.st.upd_expected, 4);
	/* ignored by the book until the WS snapshot, counted all the same */
	in_rec(mk_delta(g_okx, 12, 12, 9, L("100:4", NULL, NULL)));
	T_EQ_U(g_k.st.upd_received, 4);
	/* the snapshot restarts the chain at its seqId: no loss is counted across it */
	in_rec(mk_snap(g_okx, SNAP_WS, 40, 0, L("99:1", NULL, "101:1", NULL)));
	in_rec(mk_delta(g_okx, 41, 41, 40, L("99:2", NULL, NULL)));
	T_EQ_U(g_k.st.upd_missing, 1);
	T_EQ_U(g_k.st.upd_received, 5);
	T_EQ_U(g_k.st.upd_expected, 6);
	check_consistent();
}

/* ---------------- Binance futures (pu chain, sync_binance_fut.c) ---------------- */

/* Buffer (U, u, pu) = (90,100,85) and (101,110,100), snapshot L = 105: the
 * first is stale (u < L), the second straddles (U <= L <= u). */
static void
fut_synced_at_110(void)
{
	start(g_fut);
	in_rec(mk_delta(g_fut, 90, 100, 85, L("100:1", NULL, "101:1", NULL)));
	T_EQ_I(g_nctl, 1);
	T_EQ_I(g_ctl[0].op, CTL_SNAPSHOT);
	T_EQ_I(g_ctl[0].depth, 1000);          /* the futures REST limit */
	in_rec(mk_delta(g_fut, 101, 110, 100, L("99:2", NULL, NULL)));
	in_rec(mk_snap(g_fut, SNAP_REST, 105, g_ctl[0].req_id, L("100:5", "98:1", NULL, "101:3", NULL)));
}

static void
t_fut_straddle_and_chain(void)
{
	const struct rec_delta *d;
	int64_t q;

	fut_synced_at_110();
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 110);
	T_EQ_U(g_k.st.stale, 1);
	T_CHECK(book_find(g_k.book, BOOK_BID, P("99"), &q) && q == P("2"));
	/* pu == previous u continues although U != u + 1 (futures ids skip) */
	in_rec(mk_delta(g_fut, 117, 120, 110, L("100:0", NULL, NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 120);
	d = (const void *)last_out(REC_DELTA, 0);
	T_CHECK(d && d->h.prev_id == 110);
	T_EQ_I(n_out(REC_EVENT, EV_GAP), 0);
	check_consistent();
}

static void
t_fut_first_event_u_equals_L(void)
{
	/* u == L is not stale: U <= L <= u holds */
	start(g_fut);
	in_rec(mk_delta(g_fut, 95, 105, 90, L("100:1", NULL, NULL)));
	in_rec(mk_snap(g_fut, SNAP_REST, 105, g_ctl[0].req_id, L("100:5", NULL, "101:3", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 105);
	T_EQ_U(g_k.st.stale, 0);
	check_consistent();
}

static void
t_fut_stale_and_duplicate(void)
{
	fut_synced_at_110();
	in_rec(mk_delta(g_fut, 101, 110, 100, L("99:7", NULL, NULL)));   /* duplicate */
	in_rec(mk_delta(g_fut, 90, 100, 85, L("99:8", NULL, NULL)));     /* late */
	T_EQ_U(g_k.st.stale, 3);
	T_EQ_I(g_k.id, 110);
	T_EQ_I(n_out(REC_EVENT, EV_GAP), 0);
	T_EQ_U(g_k.st.upd_late, 2);
	check_consistent();
}

static void
t_fut_gap_resync(void)
{
	const struct rec_event *e;

	fut_synced_at_110();
	g_now += 5 * SEC;
	in_rec(mk_delta(g_fut, 121, 130, 115, L("97:1", NULL, NULL)));   /* pu 115 != 110 */
	T_EQ_I(g_k.state, BK_WAIT);
	e = (const void *)last_out(REC_EVENT, EV_GAP);
	T_CHECK(e && e->a == 110 && e->b == 115);
	T_EQ_U(g_k.st.gaps, 1);
	T_EQ_U(g_k.st.upd_missing, 1);
	T_EQ_I(g_nctl, 2);
	/* the delta that broke the chain stays buffered and starts the next sync */
	in_rec(mk_snap(g_fut, SNAP_REST, 125, g_ctl[1].req_id, L("95:1", NULL, "101:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 130);
	check_consistent();
}

static void
t_fut_snapshot_older_than_buffer(void)
{
	/* every buffered U > L: the snapshot is too old, a new one is asked */
	start(g_fut);
	in_rec(mk_delta(g_fut, 200, 210, 190, L("100:1", NULL, NULL)));
	in_rec(mk_snap(g_fut, SNAP_REST, 150, g_ctl[0].req_id, L("100:5", NULL, "101:3", NULL)));
	T_EQ_I(g_k.state, BK_WAIT);
	T_EQ_U(g_k.st.snap_too_old, 1);
	T_EQ_I(g_k.buf_count, 1);
	check_consistent();
}

static void
t_fut_reconnect(void)
{
	fut_synced_at_110();
	in_rec(mk_event(g_fut, EV_CONNECTED, 0));
	T_EQ_I(g_k.state, BK_WAIT);
	T_EQ_I(g_k.buf_count, 0);          /* nothing before the reconnect is kept */
	in_rec(mk_delta(g_fut, 300, 310, 290, L("100:1", NULL, NULL)));
	g_now += 5 * SEC;   /* past the resync backoff */
	bk_tick(&g_k, g_now);
	T_EQ_I(g_ctl[g_nctl - 1].op, CTL_SNAPSHOT);
	in_rec(mk_snap(g_fut, SNAP_REST, 305, g_ctl[g_nctl - 1].req_id, L("100:5", NULL, "101:3", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 310);
	check_consistent();
}

/* ---------------- Bybit (sync_bybit.c) ---------------- */
static const struct inst *g_byb;

/* A Bybit delta: first = last = u, prev = u - 1, as parse_bybit.c builds it. */
static struct rec_delta *
by_delta(int64_t u, const char *const *spec)
{
	return mk_delta(g_byb, u, u, u - 1, spec);
}

static void
bybit_synced_at_100(void)
{
	start(g_byb);
	T_EQ_I(g_nctl, 1);
	T_EQ_I(g_ctl[0].op, CTL_RESUBSCRIBE);        /* at start: the WS snapshot comes by subscribing */
	in_rec(mk_snap(g_byb, SNAP_WS, 100, 0, L("100:1", "99:2", NULL, "101:1", "102:3", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 100);
}

static void
t_bybit_chain_stale_duplicate(void)
{
	bybit_synced_at_100();
	in_rec(by_delta(101, L("100:2", NULL, NULL)));
	in_rec(by_delta(102, L(NULL, "101:0", NULL)));
	in_rec(by_delta(102, L(NULL, "101:0", NULL)));      /* the same frame again */
	in_rec(by_delta(90, L("95:1", NULL, NULL)));         /* late */
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 102);
	T_EQ_U(g_k.st.applied, 2);
	T_EQ_U(g_k.st.stale, 2);
	T_EQ_U(g_k.st.gaps, 0);
	T_EQ_I(n_out(REC_DELTA, 0), 2);
	T_EQ_U(g_k.st.upd_missing, 0);
	check_consistent();
}

static void
t_bybit_gap_resubscribes(void)
{
	const struct rec_event *e;
	int nctl;

	bybit_synced_at_100();
	in_rec(by_delta(101, L("100:2", NULL, NULL)));
	g_now += 5 * SEC;
	nctl = g_nctl;
	in_rec(by_delta(104, L("100:3", NULL, NULL)));       /* 102, 103 lost */
	e = (const void *)last_out(REC_EVENT, EV_GAP);
	T_CHECK(e && e->a == 102 && e->b == 104);
	T_EQ_I(g_k.state, BK_WAIT);
	T_CHECK(g_nctl == nctl + 1 && g_ctl[g_nctl - 1].op == CTL_RESUBSCRIBE);
	T_EQ_U(g_k.st.upd_missing, 2);
	in_rec(by_delta(105, L("100:4", NULL, NULL)));       /* nothing to place it on */
	T_EQ_I(n_out(REC_DELTA, 0), 1);
	T_CHECK(g_k.st.unsynced_ignored >= 1);
	in_rec(mk_snap(g_byb, SNAP_WS, 200, 0, L("98:1", NULL, "101:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(((const struct rec_snapshot *)last_z(REC_SNAPSHOT, SNAP_FULL))->reason, SNAP_R_RESYNC);
	in_rec(by_delta(201, L("98:2", NULL, NULL)));
	T_EQ_I(g_k.id, 201);
	T_EQ_U(g_k.st.gaps, 1);
	check_consistent();
}

/* The venue's rules (REC_INSTRUMENT) pass through, are kept, and go out
 * again right before every full book; not before one there was none. */
static void
t_instrument_rules_kept(void)
{
	struct rec_instrument r;
	int i, full = -1;

	start(g_byb);
	in_rec(mk_snap(g_byb, SNAP_WS, 100, 0, L("100:1", NULL, "101:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(n_out(REC_INSTRUMENT, 0), 0);        /* no rules yet: none made up */
	memset(&r, 0, sizeof r);
	rec_hdr_init(&r.h, REC_INSTRUMENT, g_byb->id, sizeof r);
	r.tick = 10000000;
	r.lot = 100000;
	r.ct_val = 100000000;
	snprintf(r.ct_ccy, sizeof r.ct_ccy, "BTC");
	out_reset();
	in_rec(&r);
	T_EQ_I(n_out(REC_INSTRUMENT, 0), 1);        /* passed on at once */
	T_EQ_I(g_k.rules.tick, 10000000);
	out_reset();
	g_now += 120 * SEC;                          /* past full_interval: a periodic full book */
	bk_tick(&g_k, g_now);
	for (i = 0; i < g_nout; i++)
		if (g_out[i]->type == REC_SNAPSHOT && ((const struct rec_snapshot *)g_out[i])->kind == SNAP_FULL) {
			full = i;
			break;
		}
	T_CHECK(full > 0 && g_out[full - 1]->type == REC_INSTRUMENT);
	if (full > 0) {
		const struct rec_instrument *o = (const void *)g_out[full - 1];
		T_CHECK(o->tick == 10000000 && o->lot == 100000 && o->ct_val == 100000000 && strcmp(o->ct_ccy, "BTC") == 0);
		T_EQ_I(o->h.inst, g_byb->id);
	}
}

/* u == 1: the venue restarted.  As a snapshot it replaces the book; as a
 * delta on a book past 1 it cannot be placed: a gap. */
static void
t_bybit_reset_u1(void)
{
	int64_t q;

	bybit_synced_at_100();
	in_rec(by_delta(101, L("100:2", NULL, NULL)));
	in_rec(mk_snap(g_byb, SNAP_WS, 1, 0, L("97:5", NULL, "103:5", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 1);
	T_EQ_U(g_k.st.seq_resets, 1);
	T_EQ_U(g_k.st.gaps, 0);
	T_CHECK(!book_find(g_k.book, BOOK_BID, P("100"), &q));   /* the old book is gone */
	T_CHECK(book_find(g_k.book, BOOK_BID, P("97"), &q) && q == P("5"));
	in_rec(by_delta(2, L("97:6", NULL, NULL)));
	T_EQ_I(g_k.id, 2);
	check_consistent();
	in_rec(by_delta(3, L("97:7", NULL, NULL)));
	in_rec(by_delta(1, L("97:1", NULL, NULL)));           /* a delta with u = 1 on a book at 3 */
	T_EQ_U(g_k.st.gaps, 1);
	T_EQ_I(g_k.state, BK_WAIT);
}

static void
t_bybit_snapshot_mid_stream(void)
{
	int64_t q;

	bybit_synced_at_100();
	in_rec(by_delta(101, L("100:2", NULL, NULL)));
	in_rec(mk_snap(g_byb, SNAP_WS, 5000, 0, L("99:9", NULL, "102:9", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 5000);
	T_EQ_I(book_count(g_k.book, BOOK_BID), 1);
	T_CHECK(book_find(g_k.book, BOOK_ASK, P("102"), &q) && q == P("9"));
	in_rec(by_delta(5001, L(NULL, "102:0", NULL)));
	T_EQ_I(book_count(g_k.book, BOOK_ASK), 0);
	T_EQ_U(g_k.st.gaps, 0);
	check_consistent();
}

static void
t_bybit_delta_before_snapshot(void)
{
	start(g_byb);
	in_rec(by_delta(7, L("100:1", NULL, NULL)));
	in_rec(by_delta(8, L("100:2", NULL, NULL)));
	T_EQ_I(g_k.state, BK_WAIT);
	T_EQ_U(g_k.st.unsynced_ignored, 2);
	T_EQ_U(g_k.st.buffered, 0);
	T_EQ_I(n_out(REC_DELTA, 0), 0);
	in_rec(mk_snap(g_byb, SNAP_WS, 8, 0, L("100:2", NULL, "101:1", NULL)));
	in_rec(by_delta(9, L("100:3", NULL, NULL)));
	T_EQ_I(g_k.id, 9);
	check_consistent();
}

/* A REST answer (mpreplay, or asked by hand) seeds at its u. */
static void
t_bybit_rest_seeded(void)
{
	start(g_byb);
	in_rec(mk_snap(g_byb, SNAP_REST, 50, 0, L("100:1", NULL, "101:1", NULL)));
	T_EQ_I(g_k.state, BK_HAVE_SNAP);
	in_rec(by_delta(49, L("100:9", NULL, NULL)));   /* before the snapshot */
	in_rec(by_delta(51, L("100:2", NULL, NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 51);
	check_consistent();
	start(g_byb);
	in_rec(mk_snap(g_byb, SNAP_REST, 50, 0, L("100:1", NULL, "101:1", NULL)));
	in_rec(by_delta(55, L("100:2", NULL, NULL)));   /* the stream is past it */
	T_EQ_U(g_k.st.snap_too_old, 1);
	T_EQ_I(g_k.state, BK_WAIT);
}

/* ---- Bybit audits at equal seq (xseq; okx_audit.h through the venue table) ---- */

/* A Bybit delta at u with the venue's seq. */
static struct rec_delta *
by_xdelta(int64_t u, int64_t seq, const char *const *spec)
{
	struct rec_delta *d = by_delta(u, spec);
	d->xseq = seq;
	return d;
}

/* A Bybit snapshot: last_id = the stream's own u (orderbook.1000, orderbook.1
 * or REST: three unrelated counters), xseq = seq. */
static struct rec_snapshot *
by_xsnap(uint8_t kind, int64_t u, int64_t seq, uint32_t req_id, const char *const *spec)
{
	struct rec_snapshot *s = mk_snap(g_byb, kind, u, req_id, spec);
	s->xseq = seq;
	return s;
}

/* In sync at u 100, seq 5000: bids 100:1 99:2 98:1, asks 101:1 102:3 103:1. */
static void
bybit_seq_synced(void)
{
	const struct rec_snapshot *f;

	start(g_byb);
	in_rec(by_xsnap(SNAP_WS, 100, 5000, 0, L("100:1", "99:2", "98:1", NULL, "101:1", "102:3", "103:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.aid, 5000);
	/* the full book says the seq it stands at */
	f = (const void *)last_out(REC_SNAPSHOT, SNAP_FULL);
	T_CHECK(f && f->h.last_id == 100 && f->xseq == 5000);
}

static void
t_bybit_bbo_agree(void)
{
	const struct rec_delta *d;

	bybit_seq_synced();
	/* orderbook.1's u (7) is its own counter: only seq places it */
	in_rec(by_xsnap(SNAP_TOP, 7, 5000, 0, L("100:1", NULL, "101:1", NULL)));
	T_EQ_U(g_k.st.top_agree, 1);
	in_rec(by_xdelta(101, 5003, L("100:2", NULL, NULL)));
	d = (const void *)last_out(REC_DELTA, 0);
	T_CHECK(d && d->h.last_id == 101 && d->xseq == 5003);    /* passed on to the consumers */
	in_rec(by_xsnap(SNAP_TOP, 8, 5003, 0, L("100:2", NULL, "101:1", NULL)));
	T_EQ_U(g_k.st.top_agree, 2);
	/* orderbook.1 (10 ms) runs ahead of orderbook.1000 (200 ms): it waits for the book */
	in_rec(by_xsnap(SNAP_TOP, 9, 5010, 0, L("100:2", NULL, "101:4", NULL)));
	T_EQ_U(g_k.st.top_agree + g_k.st.top_nc, 2);
	in_rec(by_xdelta(102, 5010, L(NULL, "101:4", NULL)));
	T_EQ_U(g_k.st.top_agree, 3);
	T_EQ_U(g_k.st.top_disagree, 0);
	T_EQ_U(g_k.st.top_nc, 0);
	T_EQ_I(g_k.state, BK_SYNCED);
	check_consistent();
}

static void
t_bybit_bbo_disagree(void)
{
	const struct rec_event *e;

	bybit_seq_synced();
	in_rec(by_xdelta(101, 5003, L("100:2", NULL, NULL)));
	/* the venue's best bid at seq 5003 is 100/3: the book is wrong */
	in_rec(by_xsnap(SNAP_TOP, 8, 5003, 0, L("100:3", NULL, "101:1", NULL)));
	T_EQ_U(g_k.st.top_disagree, 1);
	T_EQ_I(n_out(REC_EVENT, EV_TOP_MISMATCH), 1);
	e = (const void *)last_z(REC_EVENT, EV_TOP_MISMATCH);
	T_CHECK(e->a == 5003 && strstr(e->text, "top at 5003: bid 1 venue 100/3 book 100/2") != NULL);
	T_EQ_I(n_out(REC_EVENT, EV_RESYNC), 1);
	T_CHECK(g_k.state != BK_SYNCED);
	/* the resync is a resubscribe (the venue's snapshot), not a REST request */
	T_EQ_I(g_ctl[g_nctl - 1].op, CTL_RESUBSCRIBE);
	check_consistent();
}

static void
t_bybit_bbo_not_comparable(void)
{
	bybit_seq_synced();
	in_rec(by_xdelta(101, 5003, L("100:2", NULL, NULL)));
	/* a seq between two orderbook.1000 updates: the book never stood there */
	in_rec(by_xsnap(SNAP_TOP, 8, 5001, 0, L("100:1", NULL, "101:1", NULL)));
	T_EQ_U(g_k.st.top_nc, 1);
	/* older than the sync */
	in_rec(by_xsnap(SNAP_TOP, 6, 4990, 0, L("100:1", NULL, "101:1", NULL)));
	T_EQ_U(g_k.st.top_nc, 2);
	/* without seq (xseq 0): cannot be placed, whatever its u says */
	in_rec(by_xsnap(SNAP_TOP, 101, 0, 0, L("100:2", NULL, "101:1", NULL)));
	T_EQ_U(g_k.st.top_nc, 3);
	/* ahead, and the stream passes it without standing there */
	in_rec(by_xsnap(SNAP_TOP, 9, 5005, 0, L("100:9", NULL, "101:1", NULL)));
	in_rec(by_xdelta(102, 5007, L(NULL, "101:2", NULL)));
	T_EQ_U(g_k.st.top_nc, 4);
	T_EQ_U(g_k.st.top_agree, 0);
	T_EQ_U(g_k.st.top_disagree, 0);
	T_EQ_I(g_k.state, BK_SYNCED);
	/* a new snapshot (resubscribe, venue restart) drops what waits */
	in_rec(by_xsnap(SNAP_TOP, 10, 6000, 0, L("100:9", NULL, "101:1", NULL)));
	in_rec(by_xsnap(SNAP_WS, 1, 5500, 0, L("100:1", NULL, "101:1", NULL)));
	T_EQ_U(g_k.st.top_nc, 5);
	check_consistent();
}

/* The REST window audit request of a synced Bybit book; its req_id. */
static uint32_t
bybit_window_request(void)
{
	int before = g_nctl;
	uint64_t asked = g_k.st.window_requests;

	g_now += g_cfg.bybit_audit_ns + g_cfg.bybit_audit_ns / 5;
	bk_tick(&g_k, g_now);
	T_EQ_I(g_nctl, before + 1);
	T_EQ_I(g_ctl[g_nctl - 1].op, CTL_SNAPSHOT);
	T_EQ_I(g_ctl[g_nctl - 1].flags, CTL_F_REFRESH);
	T_EQ_I(g_ctl[g_nctl - 1].depth, 200);
	T_EQ_U(g_k.st.window_requests, asked + 1);
	return g_ctl[g_nctl - 1].req_id;
}

static void
t_bybit_window_agree(void)
{
	uint32_t r;
	int64_t q;

	bybit_seq_synced();
	T_EQ_I(g_cfg.bybit_audit_ns, 10 * SEC);   /* the [bookd] bybit_audit_interval default */
	r = bybit_window_request();
	/* REST's u (777) counts its own stream: the answer is placed by seq */
	in_rec(by_xsnap(SNAP_REST, 777, 5000, r, L("100:1", "99:2", "98:1", NULL, "101:1", "102:3", "103:1", NULL)));
	T_EQ_U(g_k.st.window_agree, 1);
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 100);                       /* an audit, never a reinstall */
	/* ahead of the stream: held until the book reaches its seq */
	in_rec(by_xdelta(101, 5003, L("100:2", NULL, NULL)));
	r = bybit_window_request();
	in_rec(by_xsnap(SNAP_REST, 778, 5009, r, L("100:2", "99:2", "98:1", NULL, "101:7", "102:3", "103:1", NULL)));
	T_EQ_U(g_k.st.window_agree, 1);
	in_rec(by_xdelta(102, 5009, L(NULL, "101:7", NULL)));
	T_EQ_U(g_k.st.window_agree, 2);
	/* stale: older than the book, the levels unchanged since its seq are judged
	 * (99 changed after it and is not) */
	in_rec(by_xdelta(103, 5012, L("99:4", NULL, NULL)));
	r = bybit_window_request();
	in_rec(by_xsnap(SNAP_REST, 779, 5009, r, L("100:2", "99:2", "98:1", NULL, "101:7", "102:3", "103:1", NULL)));
	T_EQ_U(g_k.st.window_agree, 3);
	T_EQ_U(g_k.st.window_nc, 0);
	T_EQ_U(g_k.st.window_discrepancies, 0);
	T_EQ_I(g_k.state, BK_SYNCED);
	T_CHECK(book_find(g_k.book, BOOK_BID, P("99"), &q) && q == P("4"));
	check_consistent();
}

static void
t_bybit_window_disagree(void)
{
	const struct rec_event *e;
	uint32_t r;

	bybit_seq_synced();
	r = bybit_window_request();
	in_rec(by_xsnap(SNAP_REST, 777, 5000, r, L("100:1", "99:5", "98:1", NULL, "101:1", "102:3", "103:1", NULL)));
	T_EQ_U(g_k.st.window_discrepancies, 1);
	T_EQ_I(n_out(REC_EVENT, EV_WINDOW_DISCREPANCY), 1);
	e = (const void *)last_z(REC_EVENT, EV_WINDOW_DISCREPANCY);
	T_CHECK(e->a == P("99") && e->b == P("5") && strstr(e->text, "REST at 5000 (book 5000): bid 99 book 2 rest 5"));
	T_EQ_I(n_out(REC_EVENT, EV_RESYNC), 1);
	T_CHECK(g_k.state != BK_SYNCED);
	T_EQ_I(g_ctl[g_nctl - 1].op, CTL_RESUBSCRIBE);
	/* stale answer, a level unchanged since its seq but different in it */
	bybit_seq_synced();
	in_rec(by_xdelta(101, 5003, L("100:2", NULL, NULL)));
	r = bybit_window_request();
	in_rec(by_xsnap(SNAP_REST, 777, 5000, r, L("100:1", "99:2", "98:1", NULL, "101:1", "102:9", "103:1", NULL)));
	T_EQ_U(g_k.st.window_discrepancies, 1);
	T_CHECK(strstr(((const struct rec_event *)last_z(REC_EVENT, EV_WINDOW_DISCREPANCY))->text,
	    "ask 102 book 3 rest 9") != NULL);
	T_CHECK(g_k.state != BK_SYNCED);
	check_consistent();
}

static void
t_bybit_window_not_comparable(void)
{
	uint32_t r;
	int n;

	bybit_seq_synced();
	/* before the sync: every level was set at 5000, after it */
	r = bybit_window_request();
	in_rec(by_xsnap(SNAP_REST, 700, 4000, r, L("100:3", NULL, "101:3", NULL)));
	T_EQ_U(g_k.st.window_nc, 1);
	/* an answer without seq */
	r = bybit_window_request();
	in_rec(by_xsnap(SNAP_REST, 100, 0, r, L("100:1", NULL, "101:1", NULL)));
	T_EQ_U(g_k.st.window_nc, 2);
	/* ahead, never reached within refresh_hold_timeout */
	r = bybit_window_request();
	in_rec(by_xsnap(SNAP_REST, 701, 9000, r, L("100:1", NULL, "101:1", NULL)));
	g_now += g_cfg.refresh_hold_ns + 1;
	bk_tick(&g_k, g_now);
	T_EQ_U(g_k.st.window_nc, 3);
	/* feedd kept its budget for resyncs (the timeout's tick may have asked already) */
	r = g_ctl[g_nctl - 1].flags == CTL_F_REFRESH && g_k.st.window_requests == 4 ? g_ctl[g_nctl - 1].req_id
	    : bybit_window_request();
	in_rec(mk_event(g_byb, EV_SNAPSHOT_FAILED, r));
	T_EQ_U(g_k.st.window_refused, 1);
	T_EQ_U(g_k.st.window_agree + g_k.st.window_discrepancies, 0);
	T_EQ_I(g_k.state, BK_SYNCED);
	check_consistent();
	/* a book from frames without seq is not audited at all: no requests */
	start(g_byb);
	in_rec(mk_snap(g_byb, SNAP_WS, 100, 0, L("100:1", NULL, "101:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	n = g_nctl;
	g_now += 3 * g_cfg.bybit_audit_ns;
	bk_tick(&g_k, g_now);
	T_EQ_I(g_nctl, n);
	T_EQ_U(g_k.st.window_requests, 0);
	/* and audits off (interval 0): none either */
	g_cfg.bybit_audit_ns = 0;
	bybit_seq_synced();
	n = g_nctl;
	g_now += 60 * SEC;
	bk_tick(&g_k, g_now);
	T_EQ_I(g_nctl, n);
	g_cfg.bybit_audit_ns = 10 * SEC;
}

static void
t_bybit_reconnect_waits_for_snapshot(void)
{
	int nctl;

	bybit_synced_at_100();
	in_rec(mk_event(g_byb, EV_DISCONNECTED, 0));
	in_rec(mk_event(g_byb, EV_CONNECTED, 0));
	T_EQ_I(g_k.state, BK_WAIT);
	nctl = g_nctl;
	g_now += SEC / 10;
	bk_tick(&g_k, g_now);
	T_EQ_I(g_nctl, nctl);                 /* the venue's own snapshot is due: no request */
	in_rec(mk_snap(g_byb, SNAP_WS, 300, 0, L("100:1", NULL, "101:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_nctl, nctl);
	/* and when none comes, the book asks for one after the grace period */
	in_rec(mk_event(g_byb, EV_CONNECTED, 0));
	g_now += g_cfg.snapshot_timeout_ns;
	bk_tick(&g_k, g_now);
	T_CHECK(g_nctl > nctl && g_ctl[g_nctl - 1].op == CTL_RESUBSCRIBE);
}

/* ---------------- Deribit (sync_deribit.c) ---------------- */
static const struct inst *g_drb;

/* A Deribit change: first = last = change_id, prev = prev_change_id, as
 * parse_deribit.c builds it (change ids step by more than one). */
static struct rec_delta *
dr_change(int64_t id, int64_t prev, const char *const *spec)
{
	return mk_delta(g_drb, id, id, prev, spec);
}

static void
deribit_synced_at_100(void)
{
	start(g_drb);
	T_EQ_I(g_nctl, 1);
	T_EQ_I(g_ctl[0].op, CTL_RESUBSCRIBE);        /* the snapshot comes by subscribing */
	in_rec(mk_snap(g_drb, SNAP_WS, 100, 0, L("100:1", "99:2", NULL, "101:1", "102:3", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 100);
}

static void
t_deribit_chain_stale_duplicate(void)
{
	deribit_synced_at_100();
	in_rec(dr_change(105, 100, L("100:2", NULL, NULL)));
	in_rec(dr_change(107, 105, L(NULL, "101:0", NULL)));
	in_rec(dr_change(107, 105, L(NULL, "101:0", NULL)));   /* the same notification again */
	in_rec(dr_change(103, 100, L("95:1", NULL, NULL)));    /* late */
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 107);
	T_EQ_U(g_k.st.applied, 2);
	T_EQ_U(g_k.st.stale, 2);
	T_EQ_U(g_k.st.gaps, 0);
	T_EQ_I(n_out(REC_DELTA, 0), 2);
	T_EQ_U(g_k.st.upd_missing, 0);
	check_consistent();
}

static void
t_deribit_gap_resubscribes(void)
{
	const struct rec_event *e;
	int nctl;

	deribit_synced_at_100();
	in_rec(dr_change(105, 100, L("100:2", NULL, NULL)));
	g_now += 5 * SEC;
	nctl = g_nctl;
	in_rec(dr_change(120, 110, L("100:3", NULL, NULL)));   /* 110 was lost */
	e = (const void *)last_out(REC_EVENT, EV_GAP);
	T_CHECK(e && e->a == 105 && e->b == 110);
	T_EQ_I(g_k.state, BK_WAIT);
	T_CHECK(g_nctl == nctl + 1 && g_ctl[g_nctl - 1].op == CTL_RESUBSCRIBE);
	T_EQ_U(g_k.st.upd_missing, 1);
	in_rec(dr_change(130, 120, L("100:4", NULL, NULL)));   /* nothing to place it on */
	T_EQ_I(n_out(REC_DELTA, 0), 1);
	T_CHECK(g_k.st.unsynced_ignored >= 1);
	in_rec(mk_snap(g_drb, SNAP_WS, 200, 0, L("98:1", NULL, "101:1", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(((const struct rec_snapshot *)last_z(REC_SNAPSHOT, SNAP_FULL))->reason, SNAP_R_RESYNC);
	in_rec(dr_change(201, 200, L("98:2", NULL, NULL)));
	T_EQ_I(g_k.id, 201);
	T_EQ_U(g_k.st.gaps, 1);
	check_consistent();
}

/* A change without levels that continues the chain: applied, marked. */
static void
t_deribit_heartbeat(void)
{
	const struct rec_delta *o;

	deribit_synced_at_100();
	in_rec(dr_change(104, 100, L(NULL, NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 104);
	T_EQ_U(g_k.st.heartbeats, 1);
	o = (const void *)last_out(REC_DELTA, 0);
	T_CHECK(o && (o->h.flags & REC_F_HEARTBEAT) && o->h.prev_id == 100);
	in_rec(dr_change(106, 104, L("100:5", NULL, NULL)));
	T_EQ_I(g_k.id, 106);
	T_EQ_U(g_k.st.heartbeats, 1);
	T_EQ_U(g_k.st.gaps, 0);
	check_consistent();
}

/* A new snapshot on a synced book (the venue reset the stream, even to a
 * lower change_id) replaces the book. */
static void
t_deribit_reset_snapshot(void)
{
	int64_t q;

	deribit_synced_at_100();
	in_rec(dr_change(105, 100, L("100:2", NULL, NULL)));
	in_rec(mk_snap(g_drb, SNAP_WS, 7, 0, L("97:5", NULL, "103:5", NULL)));
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(g_k.id, 7);
	T_EQ_U(g_k.st.seq_resets, 1);
	T_CHECK(!book_find(g_k.book, BOOK_BID, P("100"), &q));
	T_CHECK(book_find(g_k.book, BOOK_BID, P("97"), &q) && q == P("5"));
	in_rec(dr_change(9, 7, L("97:6", NULL, NULL)));
	T_EQ_I(g_k.id, 9);
	T_EQ_U(g_k.st.gaps, 0);
	check_consistent();
}

static void
t_deribit_change_before_snapshot(void)
{
	start(g_drb);
	in_rec(dr_change(7, 3, L("100:1", NULL, NULL)));
	T_EQ_I(g_k.state, BK_WAIT);
	T_EQ_U(g_k.st.unsynced_ignored, 1);
	T_EQ_I(n_out(REC_DELTA, 0), 0);
	in_rec(mk_snap(g_drb, SNAP_WS, 8, 0, L("100:2", NULL, "101:1", NULL)));
	in_rec(dr_change(12, 8, L("100:3", NULL, NULL)));
	T_EQ_I(g_k.id, 12);
	check_consistent();
}

/* The stream is the whole book: a level added further out is exact too, so
 * the exact range follows the held book outwards; once max_levels drops a
 * level it only narrows. */
static void
t_deribit_exact_range_whole_book(void)
{
	deribit_synced_at_100();                       /* bids 100 99, asks 101 102 */
	T_EQ_I(g_k.edge_px[BOOK_BID], P("99"));
	in_rec(dr_change(101, 100, L("97:1", NULL, "104:2", NULL)));
	T_EQ_I(g_k.edge_px[BOOK_BID], P("97"));
	T_EQ_I(g_k.edge_px[BOOK_ASK], P("104"));
	in_rec(dr_change(102, 101, L("97:0", NULL, NULL)));
	T_EQ_I(g_k.edge_px[BOOK_BID], P("99"));
	check_consistent();
	g_cfg.max_levels = 3;
	deribit_synced_at_100();
	in_rec(dr_change(101, 100, L("98:1", "97:1", NULL, NULL)));   /* 97 dropped at 3 levels */
	T_EQ_U(g_k.st.truncated, 1);
	T_EQ_I(g_k.edge_px[BOOK_BID], P("99"));                        /* kept, never widened from here */
	in_rec(dr_change(102, 101, L("100:0", NULL, NULL)));           /* room again: 96 is not known exact */
	in_rec(dr_change(103, 102, L("96:1", NULL, NULL)));
	T_EQ_I(g_k.edge_px[BOOK_BID], P("99"));
	T_EQ_I(g_k.edge_px[BOOK_ASK], P("102"));                       /* the asks lost nothing: whole */
	g_cfg.max_levels = 5000;
}

/* A snapshot in two records (a book larger than REC_MAX_LEVELS a side) is
 * joined for any venue; a chunk out of order drops the partial one. */
static void
t_chunked_snapshot_joined(void)
{
	struct rec_snapshot *s;
	int64_t q;

	start(g_drb);
	s = mk_snap(g_drb, SNAP_WS, 50, 0, L("100:1", "99:2", NULL, "101:1", NULL));
	s->nchunks = 2;
	in_rec(&s->h);
	T_EQ_I(g_k.state, BK_WAIT);            /* half a book: nothing yet */
	s = mk_snap(g_drb, SNAP_WS, 50, 0, L("98:3", NULL, "102:2", "103:4", NULL));
	s->chunk = 1;
	s->nchunks = 2;
	in_rec(&s->h);
	T_EQ_I(g_k.state, BK_SYNCED);
	T_EQ_I(book_count(g_k.book, BOOK_BID), 3);
	T_EQ_I(book_count(g_k.book, BOOK_ASK), 3);
	T_CHECK(book_find(g_k.book, BOOK_BID, P("98"), &q) && q == P("3"));
	T_CHECK(book_find(g_k.book, BOOK_ASK, P("103"), &q) && q == P("4"));
	T_EQ_U(g_k.st.snap_bad, 0);
	check_consistent();
	/* chunk 1 of another snapshot, then chunk 1 without a chunk 0 */
	s = mk_snap(g_drb, SNAP_WS, 60, 0, L("100:1", NULL, "101:1", NULL));
	s->nchunks = 2;
	in_rec(&s->h);
	s = mk_snap(g_drb, SNAP_WS, 61, 0, L("97:1", NULL, NULL));
	s->chunk = 1;
	s->nchunks = 2;
	in_rec(&s->h);
	T_EQ_U(g_k.st.snap_bad, 1);
	in_rec(&s->h);
	T_EQ_U(g_k.st.snap_bad, 2);
	T_EQ_I(g_k.id, 50);                    /* the book stayed as it was */
	T_EQ_I(g_k.state, BK_SYNCED);
}

int
main(void)
{
	char err[160];

	log_set_level(LOG_ERROR);
	g_bin = inst_get(&g_reg, inst_add(&g_reg, EX_BINANCE, "BTC-USDT", err, sizeof err));
	g_okx = inst_get(&g_reg, inst_add(&g_reg, EX_OKX, "BTC-USDT", err, sizeof err));
	g_fut = inst_get(&g_reg, inst_add(&g_reg, EX_BINANCE_USDM, "ETH-USDT-SWAP", err, sizeof err));
	g_byb = inst_get(&g_reg, inst_add(&g_reg, EX_BYBIT, "BTC-USDT-SWAP", err, sizeof err));
	g_drb = inst_get(&g_reg, inst_add(&g_reg, EX_DERIBIT, "BTC-USD-SWAP", err, sizeof err));
	if (!g_byb || !g_bin || !g_okx || !g_fut || !g_drb) {
		printf("not ok setup - %s\n", err);
		return 1;
	}
	bk_cfg_defaults(&g_cfg);
	g_cfg.topn = 2;
	T_RUN(t_binance_straddle_sync);
	T_RUN(t_binance_first_event_U_eq_L_plus_1);
	T_RUN(t_binance_stale_duplicate_out_of_order);
	T_RUN(t_binance_gap_resync_and_backoff);
	T_RUN(t_binance_overlap_is_gap);
	T_RUN(t_binance_snapshot_older_than_buffer);
	T_RUN(t_binance_snapshot_before_any_event);
	T_RUN(t_binance_reconnect_and_disconnect);
	T_RUN(t_binance_snapshot_failed_and_timeout);
	T_RUN(t_quality_crossed_and_bad_level);
	T_RUN(t_snapshot_duplicate_prices);
	T_RUN(t_quality_timestamps_and_depth);
	T_RUN(t_depth_completeness_exact_levels);
	T_RUN(t_depth_known_asof);
	T_RUN(t_snapshot_levels_default);
	T_RUN(t_bbo_cross_check);
	T_RUN(t_ring_loss);
	T_RUN(t_periodic_snapshots);
	T_RUN(t_restart_event);
	T_RUN(t_okx_seq_chain_ws_mode);
	T_RUN(t_okx_gap_ws_mode);
	T_RUN(t_okx_duplicate_is_not_a_gap);
	T_RUN(t_okx_rest_seeded);
	T_RUN(t_okx_rest_snapshot_too_old);
	T_RUN(t_okx_empty_ws_snapshot_means_rest_mode);
	T_RUN(t_okx_resubscribe_timeout_switches_to_rest);
	T_RUN(t_okx_crc_vectors);
	T_RUN(t_okx_checksum_validation);
	T_RUN(t_okx_legacy_checksum_chain);
	T_RUN(t_okx_deep_merge);
	T_RUN(t_okx_deep_merge_random);
	T_RUN(t_okx_top5_agree);
	T_RUN(t_okx_top5_disagree);
	T_RUN(t_okx_top5_not_comparable);
	T_RUN(t_okx_top5_ahead_waits);
	T_RUN(t_okx_bbo_tbt);
	T_RUN(t_okx_top5_buffered_updates);
	T_RUN(t_okx_window_equal);
	T_RUN(t_okx_window_differs);
	T_RUN(t_okx_window_not_held);
	T_RUN(t_okx_deep_merge_level_ids);
	T_RUN(t_max_levels_edge);
	T_RUN(t_eviction_never_widens);
	T_RUN(t_refresh_request_interval);
	T_RUN(t_refresh_splice_cases);
	T_RUN(t_refresh_keeps_wider_range);
	T_RUN(t_refresh_discrepancy);
	T_RUN(t_refresh_ahead_is_held);
	T_RUN(t_refresh_never_caught_up);
	T_RUN(t_refresh_too_old);
	T_RUN(t_refresh_log_grows_and_lets_go);
	T_RUN(t_loss_binance_ids);
	T_RUN(t_loss_okx_frames);
	T_RUN(t_fut_straddle_and_chain);
	T_RUN(t_fut_first_event_u_equals_L);
	T_RUN(t_fut_stale_and_duplicate);
	T_RUN(t_fut_gap_resync);
	T_RUN(t_fut_snapshot_older_than_buffer);
	T_RUN(t_fut_reconnect);
	T_RUN(t_bybit_chain_stale_duplicate);
	T_RUN(t_bybit_gap_resubscribes);
	T_RUN(t_bybit_reset_u1);
	T_RUN(t_instrument_rules_kept);
	T_RUN(t_bybit_snapshot_mid_stream);
	T_RUN(t_bybit_delta_before_snapshot);
	T_RUN(t_bybit_rest_seeded);
	T_RUN(t_bybit_reconnect_waits_for_snapshot);
	T_RUN(t_bybit_bbo_agree);
	T_RUN(t_bybit_bbo_disagree);
	T_RUN(t_bybit_bbo_not_comparable);
	T_RUN(t_bybit_window_agree);
	T_RUN(t_bybit_window_disagree);
	T_RUN(t_bybit_window_not_comparable);
	T_RUN(t_deribit_chain_stale_duplicate);
	T_RUN(t_deribit_gap_resubscribes);
	T_RUN(t_deribit_heartbeat);
	T_RUN(t_deribit_reset_snapshot);
	T_RUN(t_deribit_change_before_snapshot);
	T_RUN(t_deribit_exact_range_whole_book);
	T_RUN(t_chunked_snapshot_joined);
	out_reset();
	bk_free(&g_k);
	book_free(g_cons);
	return t_done();
}
