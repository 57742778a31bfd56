/* meta.c - metadata.json (meta.h). */
#include "meta.h"
#include "venue.h"
#include "../../routerd/mlfeat.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "label.h"
#include "rec.h"
#include "../../stored/store.h"

#define DAY_NS 86400000000000LL

static json_t *
jtime(int64_t t)
{
	char buf[64];

	store_time_fmt(t, buf, sizeof buf);
	return json_string(buf);
}

static json_t *
jshape(int n, const uint64_t *v)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}

void
mpx_meta_add_file(json_t *files, const char *name, const char *dtype, int n, const uint64_t *shape, const char *what)
{
	json_t *f = json_object();

	json_object_set_new(f, "dtype", json_string(dtype));
	json_object_set_new(f, "shape", jshape(n, shape));
	json_object_set_new(f, "fortran_order", json_false());
	json_object_set_new(f, "description", json_string(what));
	json_object_set_new(files, name, f);
}

/* A double that JSON can carry (NaN/inf -> null). */
static json_t *
jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *
deeplob_columns(const struct mpx_fcfg *fc)
{
	json_t *a = json_array();
	char buf[48];
	int i;

	for (i = 0; i < fc->levels; i++) {
		snprintf(buf, sizeof buf, "ask_px_%d", i + 1);
		json_array_append_new(a, json_string(buf));
		snprintf(buf, sizeof buf, "ask_qty_%d", i + 1);
		json_array_append_new(a, json_string(buf));
		snprintf(buf, sizeof buf, "bid_px_%d", i + 1);
		json_array_append_new(a, json_string(buf));
		snprintf(buf, sizeof buf, "bid_qty_%d", i + 1);
		json_array_append_new(a, json_string(buf));
	}
	return a;
}

static json_t *
feed_batching(const char *exchange)
{
	json_t *b = json_object();

	const struct venue *v = venue_get(exch_parse(exchange));

	if (v && v->stream) {
		json_object_set_new(b, "stream", json_string(v->stream));
		json_object_set_new(b, "batching", json_string(v->batching));
	} else {
		json_object_set_new(b, "batching", json_string("unknown venue"));
	}
	return b;
}

static double
dt_quantile(const struct mpx_counts *c, double q)
{
	uint64_t need = (uint64_t)ceil(q * (double)c->dt_n), acc = 0;
	int i;

	if (!c->dt_n)
		return NAN;
	if (!need)
		need = 1;
	for (i = 0; i < MPX_DT_BUCKETS; i++) {
		acc += c->dt_hist[i];
		if (acc >= need)
			return i;
	}
	return MPX_DT_BUCKETS - 1;
}

static json_t *
counts_json(const struct mpx_counts *c)
{
	json_t *o = json_object();

#define C(k) json_object_set_new(o, #k, json_integer((json_int_t)c->k))
	C(records); C(deltas); C(applied); C(heartbeats); C(unanchored);
	C(snap_full); C(snap_topn); C(periodic_anchors); C(periodic_checked); C(periodic_mismatch);
	C(topn_checked); C(topn_mismatch); C(book_mismatch); C(bad_levels); C(bad_chunks); C(bad_snapshots);
	C(events); C(gap_events); C(trades); C(other); C(breaks); C(epochs); C(time_regressions);
	C(empty_side); C(prior_samples); C(dropped_no_stats); C(crossed_samples);
	C(store_faults); C(bad_blocks); C(bad_records); C(oom); C(spot_records);
#undef C
	return o;
}

static json_t *
stats_json(const struct mpx_norm_day *d, int from, int n)
{
	json_t *o = json_object(), *m = json_array(), *s = json_array();
	int i;

	for (i = 0; i < n; i++) {
		json_array_append_new(m, jnum(d->mean ? d->mean[from + i] : NAN));
		json_array_append_new(s, jnum(d->std ? d->std[from + i] : NAN));
	}
	json_object_set_new(o, "mean", m);
	json_object_set_new(o, "std", s);
	return o;
}

static json_t *
colstats(int n, const double *mean, const double *std, const uint64_t *cnt)
{
	json_t *o = json_object(), *a = json_array(), *b = json_array(), *c = json_array();
	int i;

	for (i = 0; i < n; i++) {
		json_array_append_new(a, jnum(mean[i]));
		json_array_append_new(b, jnum(std[i]));
		json_array_append_new(c, json_integer((json_int_t)cnt[i]));
	}
	json_object_set_new(o, "mean", a);
	json_object_set_new(o, "std", b);
	json_object_set_new(o, "count", c);
	return o;
}

static json_t *
splits_json(const struct mpx_split *sp)
{
	static const char *const names[3] = { "train", "val", "test" };
	json_t *o = json_object(), *f = json_array(), *nm = json_object();
	int k;

	for (k = 0; k < 3; k++)
		json_array_append_new(f, json_real(sp->frac[k]));
	json_object_set_new(o, "fractions", f);
	json_object_set_new(o, "rule", json_string("chronological: train = rows [0, floor(f_train * N)), val = "
	    "the next floor(f_val * N) rows, test = the rest; a window and its label horizon belong to a split "
	    "only when every row they read (w-T+1 .. w+k) is inside it"));
	for (k = 0; k < 3; k++) {
		json_t *p = json_object();
		json_object_set_new(p, "first_row", json_integer((json_int_t)sp->part[k].first_row));
		json_object_set_new(p, "rows", json_integer((json_int_t)sp->part[k].rows));
		json_object_set_new(p, "from_ns", json_integer(sp->part[k].t0));
		json_object_set_new(p, "to_ns", json_integer(sp->part[k].t1));
		json_object_set_new(o, names[k], p);
	}
	json_object_set_new(nm, "computed_on", json_string("train"));
	json_object_set_new(nm, "rule", json_string("per column mean and population std over the training rows "
	    "of the file as written (float32 values, NaN left out); apply (x - mean) / std to every split. "
	    "The arrays are not normalized by this option"));
	if (sp->ndl)
		json_object_set_new(nm, "deeplob", colstats(sp->ndl, sp->dl_mean, sp->dl_std, sp->dl_n));
	if (sp->nft)
		json_object_set_new(nm, "features", colstats(sp->nft, sp->ft_mean, sp->ft_std, sp->ft_n));
	json_object_set_new(o, "normalization", nm);
	return o;
}

int
mpx_meta_write(const struct mpx_meta *m, char *err, size_t errlen)
{
	const struct mpx_opts *o = m->o;
	const struct mpx_fcfg *fc = m->fc;
	json_t *root = json_object(), *j, *files = json_object(), *a;
	uint64_t sh[4];
	char path[1200], buf[256];
	size_t i;
	int k;

	json_object_set_new(root, "format", json_string("mpexport/1"));
	json_object_set_new(root, "exchange", json_string(o->exchange));
	json_object_set_new(root, "symbol", json_string(m->inst ? m->inst->symbol : o->symbol));
	if (m->inst) {
		j = json_object();
		json_object_set_new(j, "px_exp", json_integer(m->inst->px_exp));
		json_object_set_new(j, "qty_exp", json_integer(m->inst->qty_exp));
		json_object_set_new(j, "tick_mantissa", json_integer(m->inst->tick));
		json_object_set_new(j, "lot_mantissa", json_integer(m->inst->lot));
		json_object_set_new(root, "instrument", j);
	}
	j = json_object();
	json_object_set_new(j, "from", jtime(o->from));
	json_object_set_new(j, "to", jtime(o->to));
	json_object_set_new(j, "from_ns", json_integer(o->from));
	json_object_set_new(j, "to_ns", json_integer(o->to));
	json_object_set_new(j, "read_from", jtime(m->start));
	json_object_set_new(j, "note", json_string("[from, to); reading starts at read_from for the warm-up "
	    "anchor snapshot and the prior days of the normalization; those samples are not written"));
	json_object_set_new(root, "range", j);
	json_object_set_new(root, "store", json_string(o->root));
	if (o->command)
		json_object_set_new(root, "command", json_string(o->command));
	json_object_set_new(root, "samples", json_integer((json_int_t)m->rows));

	j = json_object();
	json_object_set_new(j, "mode", json_string(o->sample_ns ? "interval" : "update"));
	if (o->sample_ns)
		json_object_set_new(j, "interval_ns", json_integer(o->sample_ns));
	json_object_set_new(j, "clock", json_string("store record time = feedd receive time (recv_ns, "
	    "CLOCK_REALTIME), made monotonic; timestamps.npy holds it in ns since the epoch"));
	json_object_set_new(j, "rule", json_string(o->sample_ns ?
	    "the book as of each grid time k*interval (state after every record with time <= grid time), "
	    "taken only inside a sync epoch and only once a later record confirmed that no update was "
	    "missed before the grid time" :
	    "one sample after every applied delta (empty OKX heartbeats are not samples)"));
	json_object_set_new(j, "steps", json_string("labels and windows count samples (rows), so a horizon "
	    "k is k updates (about k x 100 ms on these feeds) or k intervals"));
	json_object_set_new(root, "sampling", j);
	json_object_set_new(root, "feed_batching", feed_batching(o->exchange));
	j = json_object();
	json_object_set_new(j, "measured_updates", json_integer((json_int_t)m->c->dt_n));
	json_object_set_new(j, "mean_ms", jnum(m->c->dt_n ? m->c->dt_sum_ns / (double)m->c->dt_n / 1e6 : NAN));
	json_object_set_new(j, "p50_ms", jnum(dt_quantile(m->c, 0.5)));
	json_object_set_new(j, "p90_ms", jnum(dt_quantile(m->c, 0.9)));
	json_object_set_new(j, "p99_ms", jnum(dt_quantile(m->c, 0.99)));
	json_object_set_new(root, "update_interval", j);

	/* files */
	sh[0] = m->rows;
	mpx_meta_add_file(files, "timestamps.npy", "<i8", 1, sh, "sample time, ns since the epoch (UTC)");
	mpx_meta_add_file(files, "ids.npy", "<i8", 1, sh, "the book's exchange update id at the sample (Binance u, OKX seqId)");
	mpx_meta_add_file(files, "mid.npy", "<f8", 1, sh, "exact mid price, quote currency");
	mpx_meta_add_file(files, "segment.npy", "<i4", 1, sh, "gap-free segment of each row (1, 2, ...): rows of one "
	    "segment are consecutive samples with no gap between them; never build a window across segments");
	if (o->what & MPX_W_DEEPLOB) {
		sh[1] = (uint64_t)m->ndl;
		mpx_meta_add_file(files, "deeplob.npy", "<f4", 2, sh, "one DeepLOB row per sample: per level 1..L ask price, "
		    "ask size, bid price, bid size (FI-2010 order)");
		sh[0] = m->windows;
		mpx_meta_add_file(files, "deeplob_windows.npy", "<i8", 1, sh, "row index of the LAST row of every window "
		    "of T rows inside one segment: X[i] = deeplob[w-T+1 : w+1] (numpy sliding_window_view)");
		if (o->materialize) {
			sh[1] = (uint64_t)o->window;
			sh[2] = (uint64_t)m->ndl;
			mpx_meta_add_file(files, "deeplob_x.npy", "<f4", 3, sh, "the windows materialized: [window, T, 4L] "
			    "(add a channel axis for DeepLOB's (N, 1, T, 40))");
		}
		j = json_object();
		json_object_set_new(j, "levels", json_integer(fc->levels));
		json_object_set_new(j, "window", json_integer(o->window));
		json_object_set_new(j, "windows", json_integer((json_int_t)m->windows));
		json_object_set_new(j, "columns", deeplob_columns(fc));
		json_object_set_new(j, "prices", json_string(fc->prices_abs ? "absolute (quote currency)" :
		    "basis points from mid: (px - mid) / mid * 1e4 (asks > 0, bids < 0), precise in float32; "
		    "absolute prices = mid.npy * (1 + bps / 1e4)"));
		json_object_set_new(j, "sizes", json_string("base units"));
		json_object_set_new(j, "missing_level", json_string("price NaN, size 0 (book shallower than L)"));
		json_object_set_new(root, "deeplob", j);
	}
	sh[0] = m->rows;
	if (o->what & MPX_W_FEATURES) {
		json_t *names = json_array(), *help = json_object();
		sh[1] = (uint64_t)m->nft;
		mpx_meta_add_file(files, "features.npy", "<f4", 2, sh, "one feature vector per sample (columns in features.columns)");
		for (k = 0; k < m->nft; k++) {
			char h[300];
			mpx_feat_name(fc, k, buf, sizeof buf);
			json_array_append_new(names, json_string(buf));
			json_object_set_new(help, buf, json_string(mpx_feat_help(fc, k, h, sizeof h)));
		}
		j = json_object();
		json_object_set_new(j, "columns", names);
		json_object_set_new(j, "descriptions", help);
		a = json_array();
		for (k = 0; k < fc->n_bands; k++)
			json_array_append_new(a, json_real(fc->bands[k]));
		json_object_set_new(j, "bands_bps", a);
		json_object_set_new(j, "top_levels", json_integer(fc->levels));
		json_object_set_new(j, "flow_window", json_string("order-flow and trade columns cover the records "
		    "after the previous sample up to this one (reset at every sample and at every gap)"));
		json_object_set_new(root, "features", j);
	}
	if (o->what & MPX_W_MLFEAT) {
		json_t *names = json_array(), *help = json_object(), *grp = json_object();
		int nml = mlf_count(o->ml_groups);
		sh[1] = (uint64_t)nml;
		mpx_meta_add_file(files, "mlfeatures.npy", "<f8", 2, sh, "the ml_features routerd publishes, one row per sample "
		    "(columns in mlfeatures.columns)");
		for (k = 0; k < nml; k++) {
			json_array_append_new(names, json_string(mlf_name(o->ml_groups, k)));
			json_object_set_new(help, mlf_name(o->ml_groups, k), json_string(mlf_help(o->ml_groups, k)));
			json_object_set_new(grp, mlf_name(o->ml_groups, k), json_string(mlf_group_name(o->ml_groups, k)));
		}
		j = json_object();
		json_object_set_new(j, "columns", names);
		json_object_set_new(j, "definitions", help);
		json_object_set_new(j, "groups", grp);
		json_object_set_new(j, "code", json_string("routerd/mlfeat.c, the code routerd uses for ml_features "
		    "([ml] enabled): the same book gives bit-identical float64 values"));
		json_object_set_new(j, "book", json_string("the full rebuilt book at the sample (every level held); "
		    "not normalized"));
		json_object_set_new(j, "notation", json_string("p, q: price and size mantissas, best level first (i = 0); "
		    "pd = 10^-px_exp, qd = 10^-qty_exp; M2 = pb_0 + pa_0; S = sum of q, Sk = of the best k levels, "
		    "Q2 = sum of q^2, N = sum of p*q; sums are exact integers"));
		json_object_set_new(root, "mlfeatures", j);
	}
	if (o->what & MPX_W_HEATMAP) {
		sh[1] = (uint64_t)fc->bins;
		sh[2] = 2;
		mpx_meta_add_file(files, "heatmap.npy", "<f4", 3, sh, "price-binned full book per sample: [sample, bin, side]");
	}
	if (o->what & (MPX_W_HEATMAP | MPX_W_STACK)) {
		j = json_object();
		json_object_set_new(j, "bins", json_integer(fc->bins));
		json_object_set_new(j, "bin_bps", json_real(fc->bin_bps));
		json_object_set_new(j, "layout", json_string("[.., bin, side]: side 0 = bids, 1 = asks; bin i holds "
		    "the size of the levels whose distance from mid is in [i*bin_bps, (i+1)*bin_bps) bps on that "
		    "side (a crossed level counts in bin 0); levels further out are not in the heatmap"));
		json_object_set_new(j, "unit", json_string("base units, not normalized"));
		json_object_set_new(j, "unknown", json_string("NaN where the bin reaches beyond the price range "
		    "the last full snapshot covered (bid_floor_px / ask_ceil_px): such depth is unknown, not empty"));
		json_object_set_new(root, "heatmap", j);
	}
	if (o->what & MPX_W_STACK) {
		sh[0] = m->stack_windows;
		sh[1] = (uint64_t)o->stack_len;
		sh[2] = (uint64_t)fc->bins;
		sh[3] = 2;
		mpx_meta_add_file(files, "stack.npy", "<f4", 4, sh, "stacks of heatmap frames [window, time, bin, side]");
		mpx_meta_add_file(files, "stack_timestamps.npy", "<i8", 1, sh, "time of the last frame of each stack");
		j = json_object();
		json_object_set_new(j, "frames", json_integer(o->stack_len));
		json_object_set_new(j, "interval_ns", json_integer(o->stack_ns));
		json_object_set_new(j, "stride", json_integer(o->stack_stride));
		json_object_set_new(j, "windows", json_integer((json_int_t)m->stack_windows));
		json_object_set_new(j, "rule", json_string("frames are the book at grid times k*interval (same "
		    "confirmation rule as interval sampling); a stack is stack_len consecutive frames of one "
		    "gap-free stretch, one every `stride` frames"));
		json_object_set_new(root, "stack", j);
	}
	if (o->what & MPX_W_LABELS) {
		json_t *hz = json_array(), *cnt = json_object(), *cls = json_object();
		sh[0] = m->rows;
		sh[1] = (uint64_t)o->n_hor;
		mpx_meta_add_file(files, "labels.npy", "|i1", 2, sh, "[sample, horizon]: -1 down, 0 stationary, +1 up, "
		    "-128 not available");
		mpx_meta_add_file(files, "label_returns.npy", "<f4", 2, sh, "[sample, horizon]: the smoothed return l the "
		    "label thresholds (NaN when not available), to re-threshold without re-exporting");
		for (k = 0; k < o->n_hor; k++) {
			json_t *c = json_object();
			json_array_append_new(hz, json_integer(o->hor[k]));
			json_object_set_new(c, "down", json_integer((json_int_t)m->c->label_counts[k][0]));
			json_object_set_new(c, "stationary", json_integer((json_int_t)m->c->label_counts[k][1]));
			json_object_set_new(c, "up", json_integer((json_int_t)m->c->label_counts[k][2]));
			json_object_set_new(c, "missing", json_integer((json_int_t)m->c->label_counts[k][3]));
			snprintf(buf, sizeof buf, "%d", o->hor[k]);
			json_object_set_new(cnt, buf, c);
		}
		json_object_set_new(cls, "-1", json_string("down"));
		json_object_set_new(cls, "0", json_string("stationary"));
		json_object_set_new(cls, "1", json_string("up"));
		json_object_set_new(cls, "-128", json_string("not available"));
		j = json_object();
		json_object_set_new(j, "horizons", hz);
		json_object_set_new(j, "horizon_set", json_string(o->hor_set ? o->hor_set : "list"));
		json_object_set_new(j, "horizon_unit", json_string("samples (rows)"));
		a = json_array();
		for (k = 0; k < o->n_hor; k++)
			json_array_append_new(a, json_integer(o->smooth ? o->smooth : o->hor[k]));
		json_object_set_new(j, "smoothing_window", a);
		json_object_set_new(j, "method", json_string(o->smooth ? "tlob" : "deeplob"));
		json_object_set_new(j, "smoothing", json_string(o->smooth ?
		    "TLOB (--smooth k): w_minus = mean of the mids of rows t-k..t, w_plus = mean of rows t+h-k..t+h "
		    "(k+1 rows each, k = smoothing_window, h = horizon), l = (w_plus - w_minus) / w_minus; -128 "
		    "unless rows t-k..t+h are all in t's segment" :
		    "DeepLOB / FI-2010: the smoothing window equals the horizon (k = h): m_minus over the k rows "
		    "up to t, m_plus over the k rows after t (definition)"));
		json_object_set_new(j, "threshold_bps", json_real(o->threshold_bps));
		json_object_set_new(j, "threshold", json_real(o->threshold_bps / 1e4));
		json_object_set_new(j, "definition", json_string(o->smooth ? "TLOB smoothed mid move (see "
		    "smoothing); up if l > threshold, down if l < -threshold" : "DeepLOB smoothed mid move: m_minus = "
		    "mean of the mids of rows t-k+1..t, m_plus = mean of rows t+1..t+k, l = (m_plus - m_minus) / "
		    "m_minus; up if l > threshold, down if l < -threshold"));
		json_object_set_new(j, "missing", json_string(o->smooth ? "-128 when rows t-k..t+h are not all in the "
		    "export and in t's segment (end of range, a gap, start of a segment): never invented" :
		    "-128 when rows t-k+1..t+k are not all in the export and in t's segment (end of range, a gap, "
		    "start of a segment): never invented"));
		json_object_set_new(j, "classes", cls);
		json_object_set_new(j, "counts", cnt);
		json_object_set_new(root, "labels", j);
	}
	if (o->what & MPX_W_LOBSTER) {
		if (m->lob) {
			json_object_set_new(root, "lobster", mpx_lob_meta(m->lob));
		} else {
			j = json_object();
			json_object_set_new(j, "files", json_array());
			json_object_set_new(j, "note", json_string("no sync epoch in the range: no LOBSTER files"));
			json_object_set_new(root, "lobster", j);
		}
	}
	if (m->req)
		mpx_req_meta(m->req, root, files, m->rows);
	if (m->split)
		json_object_set_new(root, "splits", splits_json(m->split));
	json_object_set_new(root, "files", files);

	/* normalization */
	j = json_object();
	json_object_set_new(j, "mode", json_string(o->norm == MPX_NORM_ZPRIOR ? "zscore-prior-days" : "none"));
	if (o->norm == MPX_NORM_ZPRIOR) {
		json_t *days = json_array();
		json_object_set_new(j, "days", json_integer(o->norm_days));
		json_object_set_new(j, "applies_to", json_pack("[ss]", "deeplob.npy", "features.npy"));
		json_object_set_new(j, "rule", json_string("each column x of a sample of UTC day D is written as "
		    "(x - mean) / std, mean and population std over every sample of the calendar days D-days .. "
		    "D-1 (same sampling, read from the store before --from when needed); never data of day D or "
		    "later. std <= 1e-12 or no values: std 1 (and mean 0 without values). Samples of a day with no "
		    "prior samples are not written (counted in per_day.dropped)"));
		for (i = 0; i < m->n_ndays; i++) {
			const struct mpx_norm_day *d = &m->ndays[i];
			json_t *o1 = json_object();
			char day[64];
			store_time_fmt(d->day * DAY_NS, day, sizeof day);
			day[10] = 0;
			json_object_set_new(o1, "day", json_string(day));
			json_object_set_new(o1, "prior_samples", json_integer((json_int_t)d->prior_rows));
			json_object_set_new(o1, "dropped", json_integer((json_int_t)d->dropped));
			json_object_set_new(o1, "deeplob", stats_json(d, 0, m->ndl));
			json_object_set_new(o1, "features", stats_json(d, m->ndl, m->nft));
			json_array_append_new(days, o1);
		}
		json_object_set_new(j, "per_day", days);
	}
	json_object_set_new(root, "normalization", j);

	/* gaps and segments */
	a = json_array();
	for (i = 0; i < m->n_gaps; i++) {
		json_t *g = json_object();
		json_object_set_new(g, "from", jtime(m->gaps[i].from));
		json_object_set_new(g, "to", jtime(m->gaps[i].to));
		json_object_set_new(g, "from_ns", json_integer(m->gaps[i].from));
		json_object_set_new(g, "to_ns", json_integer(m->gaps[i].to));
		json_object_set_new(g, "reason", json_string(m->gaps[i].reason));
		json_object_set_new(g, "detail", json_string(m->gaps[i].detail));
		json_array_append_new(a, g);
	}
	json_object_set_new(root, "gaps", a);
	a = json_array();
	for (i = 0; i < m->n_segs; i++) {
		json_t *g = json_object();
		json_object_set_new(g, "segment", json_integer((json_int_t)i + 1));
		json_object_set_new(g, "first_row", json_integer((json_int_t)m->segs[i].first_row));
		json_object_set_new(g, "rows", json_integer((json_int_t)m->segs[i].rows));
		json_object_set_new(g, "from", jtime(m->segs[i].t0));
		json_object_set_new(g, "to", jtime(m->segs[i].t1));
		json_array_append_new(a, g);
	}
	json_object_set_new(root, "segments", a);
	json_object_set_new(root, "counts", counts_json(m->c));
	j = json_object();
	json_object_set_new(j, "seconds", json_real(m->seconds));
	json_object_set_new(j, "records_per_s", jnum(m->seconds > 0 ? (double)m->c->records / m->seconds : NAN));
	json_object_set_new(root, "run", j);

	snprintf(path, sizeof path, "%s/metadata.json", o->out);
	if (json_dump_file(root, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0) {
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
		json_decref(root);
		return -1;
	}
	json_decref(root);
	return 0;
}
