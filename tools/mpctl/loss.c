/*
 * loss.c - the requirement's incremental loss, per book: expected, received
 * and missing updates as bookd counts them from the venue's ids
 * (bookd/sync_loss.c: Binance update ids, OKX frames), since this instance
 * started and over the [alerts] window; data_loss_rate = missing / expected.
 * Lost records per ring are the ring's own drop counters (collect.c makes
 * them count from the instance's start).  Computed once per tick
 * (loss_tick); /health, the page and the data_loss alert read the figures.
 *
 * A bookd that exports no mp_book_expected_updates_total (older builds,
 * stand-ins) is read as expected = received + lost.
 */
#include <stdio.h>
#include <string.h>

#include "inst.h"
#include "mpctl.h"

static struct loss_fig *figs;   /* one per configured book, grown to the config's count */
static int nfigs, capfigs;
static struct series_set ser;
static int ser_ready;
static struct loss_fig total;

static void
book_fig(struct ctl *c, struct loss_fig *f)
{
	char lab[160], key[200];
	int hr, hm, he;

	snprintf(lab, sizeof lab, "exchange=\"%s\",symbol=\"%s\"", f->exchange, f->symbol);
	hr = report_sum(c, "bookd", "mp_book_received_updates_total|mp_book_updates_total|mp_book_input_total", lab,
	    &f->received);
	hm = report_sum(c, "bookd", "mp_book_lost_updates_total", lab, &f->missing);
	he = report_sum(c, "bookd", "mp_book_expected_updates_total", lab, &f->expected);
	report_sum(c, "bookd", "mp_book_late_updates_total", lab, &f->late);
	if (!he)
		f->expected = f->received + f->missing;
	f->have = hr || hm || he;
	snprintf(key, sizeof key, "exp|%s", lab);
	f->w_expected = series_delta(&ser, key, c->tick_mono, f->expected);
	snprintf(key, sizeof key, "miss|%s", lab);
	f->w_missing = series_delta(&ser, key, c->tick_mono, f->missing);
	series_last(&ser, key, &f->w_span_s);
}

void
loss_tick(struct ctl *c)
{
	const struct venue *ve;
	int vit;
	const char **syms;
	int i, n, all = 0;

	if (!ser_ready) {
		series_init(&ser, cfg_dur_ns(c->cfg, "alerts", "window"), cfg_dur_ns(c->cfg, "mpctl", "metrics_interval"));
		ser_ready = 1;
	}
	nfigs = 0;
	memset(&total, 0, sizeof total);
	for (vit = 0; (ve = venue_next(&vit)); )
		all += cfg_list(c->cfg, "instruments", ve->name, NULL, 0);
	if (all > capfigs) {
		struct loss_fig *nf = realloc(figs, (size_t)all * sizeof *nf);

		if (!nf)
			return;   /* no figures this tick rather than a partial total */
		figs = nf;
		capfigs = all;
	}
	for (vit = 0; (ve = venue_next(&vit)); ) {
		n = cfg_list(c->cfg, "instruments", ve->name, NULL, 0);
		if (!n || !(syms = malloc((size_t)n * sizeof *syms)))
			continue;
		cfg_list(c->cfg, "instruments", ve->name, syms, n);
		for (i = 0; i < n && nfigs < capfigs; i++) {
			struct loss_fig *f = &figs[nfigs++];
			memset(f, 0, sizeof *f);
			snprintf(f->exchange, sizeof f->exchange, "%s", ve->name);
			snprintf(f->symbol, sizeof f->symbol, "%s", syms[i]);
			book_fig(c, f);
			total.have |= f->have;
			total.expected += f->expected;
			total.received += f->received;
			total.missing += f->missing;
			total.late += f->late;
			total.w_expected += f->w_expected;
			total.w_missing += f->w_missing;
			if (f->w_span_s > total.w_span_s)
				total.w_span_s = f->w_span_s;
		}
		free(syms);
	}
}

const struct loss_fig *
loss_book(const char *exchange, const char *symbol)
{
	for (int i = 0; i < nfigs; i++)
		if (strcmp(figs[i].exchange, exchange) == 0 && strcmp(figs[i].symbol, symbol) == 0)
			return &figs[i];
	return NULL;
}

const struct loss_fig *
loss_get(int i)
{
	return i >= 0 && i < nfigs ? &figs[i] : NULL;
}

const struct loss_fig *
loss_total(void)
{
	return &total;
}

double
loss_window_s(const struct ctl *c)
{
	return (double)cfg_dur_ns(c->cfg, "alerts", "window") / 1e9;
}

static json_t *
rate(double num, double den)
{
	return den > 0 ? json_real(num / den) : json_null();
}

json_t *
loss_json(const struct ctl *c, const struct loss_fig *f)
{
	if (!f || !f->have)
		return json_null();
	return json_pack("{s:I,s:I,s:I,s:I,s:o,s:{s:f,s:f,s:I,s:I,s:o}}",
	    "expected", (json_int_t)f->expected, "received", (json_int_t)f->received,
	    "missing", (json_int_t)f->missing, "late", (json_int_t)f->late,
	    "data_loss_rate", rate(f->missing, f->expected),
	    "window", "length_s", loss_window_s(c), "covered_s", f->w_span_s,
	    "expected", (json_int_t)f->w_expected, "missing", (json_int_t)f->w_missing,
	    "data_loss_rate", rate(f->w_missing, f->w_expected));
}
