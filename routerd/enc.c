/* enc.c - records -> JSON messages; see enc.h and routerd/README.md. */
#include "enc.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fx.h"
#include "enc_int.h"
#include "mlfeat.h"
#include "mlflow.h"
#include "mlimg.h"
#include "mlmkt.h"

#define LIT(b, s) sbuf_put((b), (s), sizeof(s) - 1)

static void
put_i64(struct sbuf *b, int64_t v)
{
	char tmp[24], *p = tmp + sizeof tmp;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	sbuf_put(b, p, (size_t)(tmp + sizeof tmp - p));
}

/* An id field: -1 (or any negative) means "none" -> null. */
static void
put_id(struct sbuf *b, int64_t v)
{
	if (v < 0)
		LIT(b, "null");
	else
		put_i64(b, v);
}

static void
put_px(struct sbuf *b, const struct inst *in, int64_t v)
{
	char s[FX_STR_MAX];
	size_t n = inst_fmt_px(in, v, s, sizeof s);

	sbuf_putc(b, '"');
	sbuf_put(b, s, n);
	sbuf_putc(b, '"');
}

static void
put_qty(struct sbuf *b, const struct inst *in, int64_t v)
{
	char s[FX_STR_MAX];
	size_t n = inst_fmt_qty(in, v, s, sizeof s);

	sbuf_putc(b, '"');
	sbuf_put(b, s, n);
	sbuf_putc(b, '"');
}

static void
put_level(struct sbuf *b, const struct inst *in, int64_t px, int64_t qty)
{
	LIT(b, "{\"price\":");
	put_px(b, in, px);
	LIT(b, ",\"quantity\":");
	put_qty(b, in, qty);
	sbuf_putc(b, '}');
}

/*
 * removed_bids/removed_asks list the prices an update leaves removed: if a
 * price repeats within one side only its last occurrence counts.  Exchanges
 * never repeat one, so this is a cheap guard (skipped for huge updates).
 */
static int
superseded(const struct rec_level *lv, uint32_t n, uint32_t i)
{
	if (n > 512)
		return 0;
	for (uint32_t j = i + 1; j < n; j++)
		if (lv[j].px == lv[i].px)
			return 1;
	return 0;
}

/* [{price, quantity}...] of lv[0..n) in order. */
static void
put_levels(struct sbuf *b, const struct inst *in, const struct rec_level *lv, uint32_t n)
{
	int first = 1;

	sbuf_putc(b, '[');
	for (uint32_t i = 0; i < n; i++) {
		if (!first)
			sbuf_putc(b, ',');
		first = 0;
		put_level(b, in, lv[i].px, lv[i].qty);
	}
	sbuf_putc(b, ']');
}

/* ["price"...] of the levels with qty 0 (removed). */
static void
put_removed(struct sbuf *b, const struct inst *in, const struct rec_level *lv, uint32_t n)
{
	int first = 1;

	sbuf_putc(b, '[');
	for (uint32_t i = 0; i < n; i++) {
		if (lv[i].qty != 0 || superseded(lv, n, i))
			continue;
		if (!first)
			sbuf_putc(b, ',');
		first = 0;
		put_px(b, in, lv[i].px);
	}
	sbuf_putc(b, ']');
}

char *
enc_time_str(int64_t ns, char *buf, size_t cap)
{
	struct tm tm;
	time_t sec;
	int64_t us;

	if (ns < 0)
		ns = 0;
	sec = (time_t)(ns / 1000000000);
	us = (ns % 1000000000) / 1000;
	gmtime_r(&sec, &tm);
	snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)us);
	return buf;
}

void
enc_time(struct sbuf *b, int64_t ns)
{
	char s[40];

	sbuf_putc(b, '"');
	sbuf_puts(b, enc_time_str(ns, s, sizeof s));
	sbuf_putc(b, '"');
}

/* The three times every message carries.  A missing exchange time falls back
 * to the receive time so "timestamp" is always a time. */
static void
put_times(struct sbuf *b, const struct rec_hdr *h, int with_processed)
{
	int64_t coll = h->recv_ns ? h->recv_ns : h->stage_ns[STAGE_BOOK];
	int64_t ts = h->exch_ns ? h->exch_ns : coll;

	LIT(b, ",\"timestamp\":");
	enc_time(b, ts);
	LIT(b, ",\"collected_at\":");
	enc_time(b, coll);
	if (with_processed) {
		LIT(b, ",\"processed_at\":");
		enc_time(b, h->stage_ns[STAGE_BOOK] ? h->stage_ns[STAGE_BOOK] : coll);
	}
}

static void
put_names(struct sbuf *b, const struct inst *in)
{
	LIT(b, "{\"exchange_name\":\"");
	sbuf_puts(b, exch_name(in->exch));
	LIT(b, "\",\"symbol_name\":\"");
	sbuf_puts(b, in->symbol);
	sbuf_putc(b, '"');
}

/* For enc_market.c (enc_int.h): the same conventions in one place. */
void
enc_put_names(struct sbuf *b, const struct inst *in)
{
	put_names(b, in);
}

void
enc_put_times(struct sbuf *b, const struct rec_hdr *h)
{
	put_times(b, h, 1);
}

void
enc_put_px(struct sbuf *b, const struct inst *in, int64_t v)
{
	put_px(b, in, v);
}

void
enc_put_qty(struct sbuf *b, const struct inst *in, int64_t v)
{
	put_qty(b, in, v);
}

const char *
enc_snapshot_update_type(const struct rec_snapshot *s)
{
	if (s->kind == SNAP_FULL && s->reason == SNAP_R_PERIODIC)
		return ENC_UT_FULL_REFRESH;
	return ENC_UT_SNAPSHOT;
}

/* A quoted price in the venue's style, or null for 0 (none). */
static void
put_opt_price(struct sbuf *b, const struct inst *in, int64_t px)
{
	if (px > 0)
		put_px(b, in, px);
	else
		LIT(b, "null");
}

/* One validation_errors entry: the check's name, then what it saw. */
static void
put_verr(struct sbuf *b, int *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void
put_verr(struct sbuf *b, int *n, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if ((*n)++)
		sbuf_putc(b, ',');
	sbuf_json_str(b, msg, strlen(msg));
}

/* Quality checks the requirement asks for before routing: best bid < best
 * ask, and bookd's own verdict (REC_F_INVALID, with REC_F_Q_* naming the
 * checks).  Each string is "<check>: <values>", the check named as bookd's
 * EV_VALIDATION names it.  nb/na: the book's levels per side after the
 * message. */
static int
put_validation(struct sbuf *b, const struct rec_hdr *h, const struct inst *in, int64_t bb, int64_t ba,
    uint32_t nb, uint32_t na)
{
	int crossed = bb > 0 && ba > 0 && bb >= ba;
	int flagged = (h->flags & REC_F_INVALID) != 0;
	int valid = !crossed && !flagged, n = 0;
	char t1[40], t2[40];

	LIT(b, ",\"is_valid\":");
	if (valid)
		LIT(b, "true");
	else
		LIT(b, "false");
	LIT(b, ",\"validation_errors\":[");
	if (crossed || (flagged && (h->flags & REC_F_Q_CROSSED))) {
		char pb[FX_STR_MAX], pa[FX_STR_MAX];

		inst_fmt_px(in, bb, pb, sizeof pb);
		inst_fmt_px(in, ba, pa, sizeof pa);
		put_verr(b, &n, "crossed: bid %s >= ask %s", pb, pa);
	}
	if (flagged && (h->flags & REC_F_Q_TS_BACKWARDS))
		put_verr(b, &n, "ts_backwards: exchange time %s is before the previous update's",
		    enc_time_str(h->exch_ns, t1, sizeof t1));
	if (flagged && (h->flags & REC_F_Q_TS_SKEW))
		put_verr(b, &n, "ts_skew: exchange time %s, received %s (%lld ms apart)",
		    enc_time_str(h->exch_ns, t1, sizeof t1), enc_time_str(h->recv_ns, t2, sizeof t2),
		    (long long)((h->recv_ns - h->exch_ns) / 1000000));
	if (flagged && (h->flags & REC_F_Q_DEPTH))
		put_verr(b, &n, "depth: exact levels below bookd's completeness threshold (book holds %u bid, %u ask)",
		    nb, na);
	if (flagged && !n)
		put_verr(b, &n, "quality: failed a check in bookd (see orderbook.event)");
	sbuf_putc(b, ']');
	return valid;
}

void
enc_ml_features(struct sbuf *b, const struct rec_snapshot *s, const struct inst *in, unsigned ml_groups)
{
	struct mlf_book mb = {
		.bids = s->lv, .asks = s->lv + s->n_bids, .n_bids = s->n_bids, .n_asks = s->n_asks,
		.px_exp = in->px_exp, .qty_exp = in->qty_exp,
	};
	double v[MLF_NMAX];
	char num[40];
	int i, n = mlf_count(ml_groups);

	if (mlf_compute(ml_groups, &mb, v) < 0) {
		LIT(b, "null");
		return;
	}
	sbuf_putc(b, '{');
	for (i = 0; i < n; i++) {
		if (i)
			sbuf_putc(b, ',');
		sbuf_putc(b, '"');
		sbuf_puts(b, mlf_name(ml_groups, i));
		LIT(b, "\":");
		/* %.17g: the shortest form that always reads back as the same double */
		snprintf(num, sizeof num, "%.17g", v[i]);
		sbuf_puts(b, num);
	}
	sbuf_putc(b, '}');
}

static void
put_doubles(struct sbuf *b, const double *v, int n, int stride)
{
	char num[40];

	sbuf_putc(b, '[');
	for (int i = 0; i < n; i++) {
		if (i)
			sbuf_putc(b, ',');
		snprintf(num, sizeof num, "%.17g", v[i * stride]);
		sbuf_puts(b, num);
	}
	sbuf_putc(b, ']');
}

/* ,"bid":[v[0], v[2], ..],"ask":[v[1], v[3], ..]: the two sides of an interleaved [n][2] image */
static void
put_sides(struct sbuf *b, const double *v, int n)
{
	LIT(b, ",\"bid\":");
	put_doubles(b, v, n, 2);
	LIT(b, ",\"ask\":");
	put_doubles(b, v + 1, n, 2);
	sbuf_putc(b, '}');
}

void
enc_ml_images(struct sbuf *b, const struct rec_snapshot *s, const struct inst *in, unsigned ml_groups)
{
	struct mlf_book mb = {
		.bids = s->lv, .asks = s->lv + s->n_bids, .n_bids = s->n_bids, .n_asks = s->n_asks,
		.px_exp = in->px_exp, .qty_exp = in->qty_exp,
	};
	double heat[MLI_BINS * 2], img[MLI_LEVELS * 2], lo, hi;
	char num[40];
	int first = 1;

	sbuf_putc(b, '{');
	if (ml_groups & MLF_G_HEATMAP) {
		first = 0;
		LIT(b, "\"heatmap\":");
		if (mli_heatmap(&mb, MLI_LEVELS, MLI_BINS, heat, &lo, &hi) < 0) {
			LIT(b, "null");
		} else {
			snprintf(num, sizeof num, "%d,\"bins\":%d", MLI_LEVELS, MLI_BINS);
			LIT(b, "{\"levels\":");
			sbuf_puts(b, num);
			snprintf(num, sizeof num, "%.17g", lo);
			LIT(b, ",\"price_lo\":");
			sbuf_puts(b, num);
			snprintf(num, sizeof num, "%.17g", hi);
			LIT(b, ",\"price_hi\":");
			sbuf_puts(b, num);
			put_sides(b, heat, MLI_BINS);
		}
	}
	if (ml_groups & MLF_G_DEPTHIMG) {
		if (!first)
			sbuf_putc(b, ',');
		LIT(b, "\"depth_image\":");
		if (mli_depth_image(&mb, MLI_LEVELS, img) < 0) {
			LIT(b, "null");
		} else {
			snprintf(num, sizeof num, "%d", MLI_LEVELS);
			LIT(b, "{\"levels\":");
			sbuf_puts(b, num);
			put_sides(b, img, MLI_LEVELS);
		}
	}
	sbuf_putc(b, '}');
}

/* What is known of a book message's levels (issue 10): every bid at or
 * above bid_exact_floor and every ask at or below ask_exact_ceil is exact
 * (sequence-verified); exact_levels counts this message's levels inside
 * that range; deep_as_of is when OKX levels beyond the WS window were last
 * refreshed from books-full.  A bound of 0 in the record means none: null,
 * and no level of that side counts as exact. */
static void
put_exact(struct sbuf *b, const struct rec_snapshot *s, const struct inst *in)
{
	uint32_t eb, ea;

	rec_snapshot_exact(s, &eb, &ea);
	LIT(b, ",\"bid_exact_floor\":");
	put_opt_price(b, in, s->bid_floor_px);
	LIT(b, ",\"ask_exact_ceil\":");
	put_opt_price(b, in, s->ask_ceil_px);
	LIT(b, ",\"exact_levels\":{\"bids\":");
	put_i64(b, eb);
	LIT(b, ",\"asks\":");
	put_i64(b, ea);
	LIT(b, "},\"deep_as_of\":");
	if (s->deep_refresh_ns > 0)
		enc_time(b, s->deep_refresh_ns);
	else
		LIT(b, "null");
}

static void
enc_book_snapshot(struct sbuf *b, const struct rec_snapshot *s, const struct inst *in, int *valid,
    unsigned ml_groups)
{
	const struct rec_level *bids = s->lv, *asks = s->lv + s->n_bids;
	unsigned vf = venue_get(in->exch) ? venue_get(in->exch)->flags : 0;
	int v;

	put_names(b, in);
	LIT(b, ",\"update_type\":\"");
	sbuf_puts(b, enc_snapshot_update_type(s));
	LIT(b, "\",\"last_update_id\":");
	put_id(b, s->h.last_id);
	LIT(b, ",\"first_update_id\":null,\"prev_update_id\":null,\"sequence_id\":");
	put_id(b, (vf & VF_SEQUENCE) ? s->h.last_id : -1);
	LIT(b, ",\"bids\":");
	put_levels(b, in, bids, s->n_bids);
	LIT(b, ",\"asks\":");
	put_levels(b, in, asks, s->n_asks);
	LIT(b, ",\"depth_levels\":");
	put_i64(b, (int64_t)s->n_bids + s->n_asks);
	LIT(b, ",\"bid_changes\":null,\"ask_changes\":null,\"removed_bids\":null,\"removed_asks\":null");
	/* null when the venue sent none or 0 (OKX since June 2026) */
	LIT(b, ",\"checksum\":");
	if ((vf & VF_CHECKSUM) && s->checksum != 0)
		put_i64(b, s->checksum);
	else
		LIT(b, "null");
	put_exact(b, s, in);
	v = put_validation(b, &s->h, in, s->n_bids ? bids[0].px : 0, s->n_asks ? asks[0].px : 0,
	    s->n_bids, s->n_asks);
	put_times(b, &s->h, 1);
	if (ml_groups & MLF_G_ALL) {
		LIT(b, ",\"ml_features\":");
		enc_ml_features(b, s, in, ml_groups);
	}
	if (ml_groups & MLF_G_IMAGES) {
		LIT(b, ",\"ml_images\":");
		enc_ml_images(b, s, in, ml_groups);
	}
	sbuf_putc(b, '}');
	if (valid)
		*valid = v;
}

static void
enc_book_delta(struct sbuf *b, const struct rec_delta *d, const struct inst *in, int *valid)
{
	const struct rec_level *bids = d->lv, *asks = d->lv + d->n_bids;
	unsigned vf = venue_get(in->exch) ? venue_get(in->exch)->flags : 0;
	int v;

	put_names(b, in);
	LIT(b, ",\"update_type\":\"" ENC_UT_UPDATE "\",\"last_update_id\":");
	put_id(b, d->h.last_id);
	LIT(b, ",\"first_update_id\":");
	put_id(b, d->h.first_id);
	LIT(b, ",\"prev_update_id\":");
	put_id(b, d->h.prev_id);
	LIT(b, ",\"sequence_id\":");
	put_id(b, (vf & VF_SEQUENCE) ? d->h.last_id : -1);
	/* The book itself is on orderbook.full; an update carries the resulting
	 * top of book, which is what the validation below looks at. */
	LIT(b, ",\"bids\":[");
	if (d->best_bid_px > 0)
		put_level(b, in, d->best_bid_px, d->best_bid_qty);
	LIT(b, "],\"asks\":[");
	if (d->best_ask_px > 0)
		put_level(b, in, d->best_ask_px, d->best_ask_qty);
	LIT(b, "],\"depth_levels\":");
	put_i64(b, (int64_t)d->book_bids + d->book_asks);
	/* Every change in exchange order (quantity 0 = removed): with a depth
	 * limit the order decides which level falls off the end, so a consumer
	 * replaying them in order holds exactly bookd's book. */
	LIT(b, ",\"bid_changes\":");
	put_levels(b, in, bids, d->n_bids);
	LIT(b, ",\"ask_changes\":");
	put_levels(b, in, asks, d->n_asks);
	LIT(b, ",\"removed_bids\":");
	put_removed(b, in, bids, d->n_bids);
	LIT(b, ",\"removed_asks\":");
	put_removed(b, in, asks, d->n_asks);
	LIT(b, ",\"checksum\":");
	if ((vf & VF_CHECKSUM) && d->h.aux != 0)
		put_i64(b, (int32_t)d->h.aux);
	else
		LIT(b, "null");
	v = put_validation(b, &d->h, in, d->best_bid_px, d->best_ask_px, d->book_bids, d->book_asks);
	put_times(b, &d->h, 1);
	sbuf_putc(b, '}');
	if (valid)
		*valid = v;
}

void
enc_book_ml(struct sbuf *b, const struct rec_hdr *rec, const struct inst *in, int *valid, unsigned ml_groups)
{
	if (rec->type == REC_SNAPSHOT)
		enc_book_snapshot(b, (const struct rec_snapshot *)rec, in, valid, ml_groups);
	else
		enc_book_delta(b, (const struct rec_delta *)rec, in, valid);
}

void
enc_book(struct sbuf *b, const struct rec_hdr *rec, const struct inst *in, int *valid)
{
	enc_book_ml(b, rec, in, valid, 0);
}

/* Reopen the encoded object b (it ends with '}') and close it again with
 * ,"key":{name(0): v[0], ...}: one member after the body, %.17g, NaN as null. */
static int
append_map(struct sbuf *b, const char *key, const char *(*name)(int), const double *v, int n)
{
	char num[40];

	if (!b->len || b->p[b->len - 1] != '}')
		return -1;
	b->len--;
	LIT(b, ",\"");
	sbuf_puts(b, key);
	LIT(b, "\":{");
	for (int i = 0; i < n; i++) {
		if (i)
			sbuf_putc(b, ',');
		sbuf_putc(b, '"');
		sbuf_puts(b, name(i));
		LIT(b, "\":");
		if (isnan(v[i])) {
			LIT(b, "null");   /* JSON has no NaN: the source has not been seen */
			continue;
		}
		snprintf(num, sizeof num, "%.17g", v[i]);
		sbuf_puts(b, num);
	}
	LIT(b, "}}");
	return 0;
}

int
enc_append_ml_flow(struct sbuf *b, const double *flow)
{
	return append_map(b, "ml_flow", mlfl_name, flow, MLFL_N);
}

int
enc_append_ml_market(struct sbuf *b, const double *v)
{
	return append_map(b, "ml_features", mlm_name, v, MLM_N);
}

void
enc_pure_delta(struct sbuf *b, const struct rec_delta *d, const struct inst *in)
{
	put_names(b, in);
	LIT(b, ",\"update_id\":");
	put_id(b, d->h.last_id);
	LIT(b, ",\"prev_update_id\":");
	put_id(b, d->h.prev_id);
	LIT(b, ",\"bid_updates\":");
	put_levels(b, in, d->lv, d->n_bids);
	LIT(b, ",\"ask_updates\":");
	put_levels(b, in, d->lv + d->n_bids, d->n_asks);
	LIT(b, ",\"total_bid_changes\":");
	put_i64(b, d->n_bids);
	LIT(b, ",\"total_ask_changes\":");
	put_i64(b, d->n_asks);
	put_times(b, &d->h, 0);
	sbuf_putc(b, '}');
}

void
enc_trade(struct sbuf *b, const struct rec_trade *t, const struct inst *in)
{
	char id[24];

	put_names(b, in);
	snprintf(id, sizeof id, "%lld", (long long)t->h.last_id);
	LIT(b, ",\"trade_id\":\"");
	sbuf_puts(b, id);
	LIT(b, "\",\"price\":");
	put_px(b, in, t->px);
	LIT(b, ",\"quantity\":");
	put_qty(b, in, t->qty);
	LIT(b, ",\"side\":");
	if (t->side == SIDE_BUY)
		LIT(b, "\"buy\"");
	else if (t->side == SIDE_SELL)
		LIT(b, "\"sell\"");
	else
		LIT(b, "null");
	LIT(b, ",\"trade_count\":");
	put_i64(b, t->count);
	LIT(b, ",\"trade_time\":");
	enc_time(b, t->trade_ns ? t->trade_ns : t->h.exch_ns ? t->h.exch_ns : t->h.recv_ns);
	put_times(b, &t->h, 1);
	sbuf_putc(b, '}');
}

static void
put_opt_px(struct sbuf *b, const char *key, int have, const struct inst *in, int64_t v)
{
	sbuf_puts(b, key);
	if (have)
		put_px(b, in, v);
	else
		LIT(b, "null");
}

static void
put_opt_qty(struct sbuf *b, const char *key, int have, const struct inst *in, int64_t v)
{
	sbuf_puts(b, key);
	if (have)
		put_qty(b, in, v);
	else
		LIT(b, "null");
}

void
enc_ticker(struct sbuf *b, const struct rec_ticker *t, const struct inst *in)
{
	int bbo = (t->have & TICK_BBO) != 0, last = (t->have & TICK_LAST) != 0;
	int day = (t->have & TICK_24H) != 0;

	put_names(b, in);
	LIT(b, ",\"update_id\":");
	put_id(b, t->h.last_id);
	put_opt_px(b, ",\"best_bid_price\":", bbo, in, t->bid_px);
	put_opt_qty(b, ",\"best_bid_quantity\":", bbo, in, t->bid_qty);
	put_opt_px(b, ",\"best_ask_price\":", bbo, in, t->ask_px);
	put_opt_qty(b, ",\"best_ask_quantity\":", bbo, in, t->ask_qty);
	put_opt_px(b, ",\"last_price\":", last, in, t->last_px);
	put_opt_qty(b, ",\"last_quantity\":", last, in, t->last_qty);
	put_opt_px(b, ",\"open_price_24h\":", day, in, t->open_24h);
	put_opt_px(b, ",\"high_price_24h\":", day, in, t->high_24h);
	put_opt_px(b, ",\"low_price_24h\":", day, in, t->low_24h);
	put_opt_qty(b, ",\"volume_24h\":", day, in, t->vol_24h);
	put_opt_px(b, ",\"quote_volume_24h\":", day, in, t->volq_24h);
	put_times(b, &t->h, 1);
	sbuf_putc(b, '}');
}

const char *
enc_interval(uint32_t s, char *buf, size_t cap)
{
	if (s && s % 86400 == 0)
		snprintf(buf, cap, "%ud", s / 86400);
	else if (s && s % 3600 == 0)
		snprintf(buf, cap, "%uh", s / 3600);
	else if (s && s % 60 == 0)
		snprintf(buf, cap, "%um", s / 60);
	else
		snprintf(buf, cap, "%us", s);
	return buf;
}

void
enc_kline(struct sbuf *b, const struct rec_kline *k, const struct inst *in)
{
	char iv[16];

	put_names(b, in);
	LIT(b, ",\"interval\":\"");
	sbuf_puts(b, enc_interval(k->interval_s, iv, sizeof iv));
	LIT(b, "\",\"open_time\":");
	enc_time(b, k->open_ns);
	LIT(b, ",\"close_time\":");
	enc_time(b, k->close_ns);
	LIT(b, ",\"open_price\":");
	put_px(b, in, k->o);
	LIT(b, ",\"high_price\":");
	put_px(b, in, k->hi);
	LIT(b, ",\"low_price\":");
	put_px(b, in, k->lo);
	LIT(b, ",\"close_price\":");
	put_px(b, in, k->c);
	LIT(b, ",\"volume\":");
	put_qty(b, in, k->vol);
	LIT(b, ",\"quote_volume\":");
	put_px(b, in, k->volq);
	LIT(b, ",\"trade_count\":");
	put_id(b, k->n_trades);
	LIT(b, ",\"is_closed\":");
	if (k->closed)
		LIT(b, "true");
	else
		LIT(b, "false");
	put_times(b, &k->h, 1);
	sbuf_putc(b, '}');
}

static const char *
sev_name(int s)
{
	switch (s) {
	case SEV_INFO: return "info";
	case SEV_WARN: return "warning";
	case SEV_ERROR: return "error";
	case SEV_CRITICAL: return "critical";
	}
	return "unknown";
}

void
enc_event(struct sbuf *b, const struct rec_event *e, const struct inst *in)
{
	if (in) {
		put_names(b, in);
	} else if (e->exch != EX_NONE) {
		LIT(b, "{\"exchange_name\":\"");
		sbuf_puts(b, exch_name(e->exch));
		LIT(b, "\",\"symbol_name\":null");
	} else {
		LIT(b, "{\"exchange_name\":null,\"symbol_name\":null");
	}
	LIT(b, ",\"event\":\"");
	sbuf_puts(b, ev_code_name(e->code));
	LIT(b, "\",\"code\":");
	put_i64(b, e->code);
	LIT(b, ",\"severity\":\"");
	sbuf_puts(b, sev_name(e->severity));
	LIT(b, "\",\"a\":");
	put_i64(b, e->a);
	LIT(b, ",\"b\":");
	put_i64(b, e->b);
	LIT(b, ",\"aux\":");
	put_i64(b, e->h.aux);
	LIT(b, ",\"message\":");
	sbuf_json_str(b, e->text, strnlen(e->text, sizeof e->text));
	put_times(b, &e->h, 1);
	sbuf_putc(b, '}');
}

void
enc_ring_loss(struct sbuf *b, uint64_t first_seq, uint64_t count, int64_t now)
{
	char msg[128];

	snprintf(msg, sizeof msg, "book.router ring: %llu records dropped by bookd while routerd was behind",
	    (unsigned long long)count);
	LIT(b, "{\"exchange_name\":null,\"symbol_name\":null,\"event\":\"ring_loss\",\"code\":");
	put_i64(b, EV_RING_LOSS);
	LIT(b, ",\"severity\":\"critical\",\"a\":");
	put_i64(b, (int64_t)first_seq);
	LIT(b, ",\"b\":");
	put_i64(b, (int64_t)count);
	LIT(b, ",\"aux\":0,\"message\":");
	sbuf_json_str(b, msg, strlen(msg));
	LIT(b, ",\"lost_records\":");
	put_i64(b, (int64_t)count);
	LIT(b, ",\"timestamp\":");
	enc_time(b, now);
	LIT(b, ",\"collected_at\":");
	enc_time(b, now);
	LIT(b, ",\"processed_at\":");
	enc_time(b, now);
	sbuf_putc(b, '}');
}
