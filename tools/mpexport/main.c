/*
 * mpexport - deep-learning arrays (.npy + metadata.json) from the local store.
 * The command line only; the engine is export.c (export.h).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "daemon.h"
#include "export.h"
#include "req.h"
#include "log.h"
#include "../../stored/store.h"
#include "../../routerd/mlfeat.h"
#include "../../routerd/mlflow.h"
#include "../../routerd/mlimg.h"

static const char usage[] =
    "usage: mpexport [-c CONF | --store DIR] --exchange E --symbol S --from T --to T --out DIR\n"
    "                [options]\n"
    "\n"
    "Rebuilds one book (or several) from the local store and writes deep-learning\n"
    "arrays as numpy .npy files plus metadata.json (shapes, dtypes, columns,\n"
    "sampling, normalization statistics, labels, every gap with its reason).\n"
    "No sample, window or label ever spans a gap (a continuity break, resync,\n"
    "loss event or unsynced stretch).\n"
    "\n"
    "Where and what:\n"
    "  --store DIR          store root (default [stored] dir, else <data_dir>/store)\n"
    "  --exchange E[,E..]   binance, okx\n"
    "  --symbol S[,S..]     BTC-USDT, ETH-USDT (canonical or venue form); with several\n"
    "                       books each goes to OUT/<exchange>/<SYMBOL>/\n"
    "  --from T, --to T     range [T1, T2): ns since the epoch or ISO-8601 UTC\n"
    "                       (2026-11-24T02:00:00Z, 2026-11-24)\n"
    "  --out DIR            output directory (created)\n"
    "  --what LIST          any of deeplob,heatmap,stack,features,labels,lobster,mlfeatures\n"
    "                       (default all = every array, not lobster or mlfeatures);\n"
    "                       timestamps.npy, ids.npy, mid.npy and segment.npy are always\n"
    "                       written. lobster: LOBSTER message + orderbook CSV files\n"
    "                       (--levels levels) in OUT/lobster/. mlfeatures: mlfeatures.npy\n"
    "                       float64 [N, M], the ml_features routerd publishes ([ml]), by\n"
    "                       the same code (routerd/mlfeat.c), bit for bit\n"
    "                       The requirement's own artefacts (the feature library routerd\n"
    "                       uses live, routerd/mlimg.h mlflow.h mlmkt.h), only when named:\n"
    "                       reqheatmap (reqheatmap.npy f8 [N, bins, 2]: the best\n"
    "                       --req-levels levels per side on --req-bins bins over their\n"
    "                       price range, + reqheatmap_range.npy [N, 2]), depthimage\n"
    "                       (depthimage.npy f8 [N, levels, 2], sizes / the largest),\n"
    "                       deltaflow (deltaflow.npy f8 [N, 7] over the last\n"
    "                       --flow-window deltas), market (market.npy f8 [N, 24] from\n"
    "                       tickers, klines, funding/mark/index/open interest and the\n"
    "                       basis against the paired spot book: [ml] basis_spot,\n"
    "                       basis_max_age, routerd/mlbasis.h; the spot stream is read\n"
    "                       too), reqstack (reqstack.npy f4 [W, frames,\n"
    "                       bins, 2] every --stack-interval, reqstack_features.npy f8\n"
    "                       [W, frames, F] the ml_features of each frame); req = all five\n"
    "  --req-levels N       levels per side in reqheatmap / depthimage (default 100)\n"
    "  --req-bins N         price bins of reqheatmap / reqstack (default 200)\n"
    "  --flow-window N      deltas in the deltaflow window (default 100)\n"
    "  --ml-features LIST   groups in mlfeatures.npy: price,volume,micro,liquidity or all\n"
    "                       (default all)\n"
    "\n"
    "Sampling:\n"
    "  --sample update      one sample after every applied update (default)\n"
    "  --sample interval:D  the book at every multiple of D (e.g. interval:100ms, interval:1s)\n"
    "  --warmup D           read this long before --from to find a full snapshot to start\n"
    "                       from (default 2 x [bookd] full_interval, at least 60s)\n"
    "  --max-levels N       book depth per side bookd kept (default [bookd] max_levels)\n"
    "\n"
    "DeepLOB tensor (deeplob.npy [N, 4L] + deeplob_windows.npy):\n"
    "  --levels L           levels per side (default 10): per level ask px, ask size,\n"
    "                       bid px, bid size\n"
    "  --window T           window length in samples (default 100)\n"
    "  --prices rel|abs     rel (default): prices in bps from mid (precise in float32);\n"
    "                       abs: prices in quote currency (float32: about 7 significant\n"
    "                       digits, meant for use with --norm)\n"
    "  --materialize        also write deeplob_x.npy [W, T, 4L] (T times the size)\n"
    "\n"
    "Heatmap and stacks (heatmap.npy [N, bins, 2], stack.npy [W, frames, bins, 2]):\n"
    "  --bins N             bins per side (default 200)\n"
    "  --bin-bps X          bin width in bps of mid (default 1)\n"
    "  --stack-len N        heatmap frames per stack (default 10)\n"
    "  --stack-interval D   time between frames (default 1s)\n"
    "  --stack-stride N     a stack every N frames (default 1 = sliding)\n"
    "\n"
    "Features (features.npy [N, F]; names in metadata.json):\n"
    "  --bands LIST         depth bands in bps (default 5,10,25,50,100)\n"
    "\n"
    "Labels (labels.npy int8 [N, H], label_returns.npy float32 [N, H]):\n"
    "  --horizons H         horizons in samples: a list (default 10,50,100), fi2010\n"
    "                       (FI-2010 / DeepLOB order 10,20,30,50,100) or tlob (10,20,50,100)\n"
    "  --threshold-bps X    up/down threshold of the smoothed mid move (default 2)\n"
    "  --smooth K           TLOB labels: smoothing window of K+1 rows separate from the\n"
    "                       horizon (default: DeepLOB labels, window = horizon)\n"
    "\n"
    "Research splits:\n"
    "  --split A,B,C        chronological train,val,test fractions of the rows (sum 1,\n"
    "                       e.g. 0.7,0.15,0.15): row ranges in metadata.json and per column\n"
    "                       mean/std of deeplob.npy and features.npy over the train rows only\n"
    "\n"
    "Normalization of deeplob.npy and features.npy:\n"
    "  --norm none          raw values (default)\n"
    "  --norm zscore-prior-days  per column (x - mean) / std with the statistics of the\n"
    "                       --norm-days UTC days before each day (never the day itself)\n"
    "  --norm-days N        prior days (default 5)\n"
    "\n"
    "Progress:\n"
    "  --progress           progress lines on stderr from the start (default: after 2 s)\n"
    "  --quiet              no progress lines\n"
    "\n"
    "Exit status: 0 written, 1 export failed, 2 usage or config error.\n";

/* "100ms", "1s", "2m", "1h", "500us", "10ns", plain digits = ns; -1 on error. */
static int64_t
parse_dur(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	double mul;

	if (end == s || v < 0)
		return -1;
	if (!*end || !strcmp(end, "ns"))
		mul = 1;
	else if (!strcmp(end, "us"))
		mul = 1e3;
	else if (!strcmp(end, "ms"))
		mul = 1e6;
	else if (!strcmp(end, "s"))
		mul = 1e9;
	else if (!strcmp(end, "m"))
		mul = 60e9;
	else if (!strcmp(end, "h"))
		mul = 3600e9;
	else if (!strcmp(end, "d"))
		mul = 86400e9;
	else
		return -1;
	return (int64_t)(v * mul + 0.5);
}

static int
parse_what(const char *s, unsigned *out)
{
	char buf[256], *tok, *save;

	snprintf(buf, sizeof buf, "%s", s);
	*out = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "deeplob"))
			*out |= MPX_W_DEEPLOB;
		else if (!strcmp(tok, "heatmap"))
			*out |= MPX_W_HEATMAP;
		else if (!strcmp(tok, "stack"))
			*out |= MPX_W_STACK;
		else if (!strcmp(tok, "features"))
			*out |= MPX_W_FEATURES;
		else if (!strcmp(tok, "labels"))
			*out |= MPX_W_LABELS;
		else if (!strcmp(tok, "lobster"))
			*out |= MPX_W_LOBSTER;
		else if (!strcmp(tok, "mlfeatures"))
			*out |= MPX_W_MLFEAT;
		else if (!strcmp(tok, "all"))
			*out |= MPX_W_ALL;
		else if (!strcmp(tok, "reqheatmap"))
			*out |= MPX_W_REQHEAT;
		else if (!strcmp(tok, "depthimage"))
			*out |= MPX_W_DEPTHIMG;
		else if (!strcmp(tok, "deltaflow"))
			*out |= MPX_W_DFLOW;
		else if (!strcmp(tok, "market"))
			*out |= MPX_W_MARKET;
		else if (!strcmp(tok, "reqstack"))
			*out |= MPX_W_REQSTACK;
		else if (!strcmp(tok, "req"))
			*out |= MPX_W_REQ;
		else if (strcmp(tok, "none"))
			return -1;
	}
	return 0;
}

/* Comma list of numbers in (0, max]; returns the count or -1. */
static int
parse_nums(const char *s, double *v, int max, double lim)
{
	char buf[256], *tok, *save, *end;
	int n = 0;

	snprintf(buf, sizeof buf, "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == max)
			return -1;
		v[n] = strtod(tok, &end);
		if (end == tok || *end || !(v[n] > 0) || v[n] > lim)
			return -1;
		n++;
	}
	return n;
}

static int
parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static int
split(char *s, char **v, int max)
{
	char *tok, *save;
	int n = 0;

	for (tok = strtok_r(s, ",", &save); tok && n < max; tok = strtok_r(NULL, ",", &save))
		v[n++] = tok;
	return n;
}

static int
bad(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "mpexport: %s %s: %s (see --help)\n", opt, val ? val : "", why);
	return 2;
}

int
main(int argc, char **argv)
{
	struct cfg *c = daemon_start("mpexport", usage, &argc, argv);
	struct mpx_opts o;
	char root[1024], outdir[1200], err[1024], cmd[2048];
	char *exl = NULL, *syl = NULL, *exv[8], *syv[8];
	double nums[MPX_MAX_BANDS];
	int i, n, nex, nsy, e, y, rc = 0, have_from = 0, have_to = 0;
	int64_t full_iv;

	memset(&o, 0, sizeof o);
	o.what = MPX_W_ALL;
	o.ml_groups = MLF_G_ALL;
	o.req_levels = MLI_LEVELS;
	o.req_bins = MLI_BINS;
	o.flow_window = MLFL_WINDOW;
	o.window = 100;
	o.f.levels = 10;
	o.f.bins = 200;
	o.f.bin_bps = 1;
	o.f.n_bands = 5;
	o.f.bands[0] = 5;
	o.f.bands[1] = 10;
	o.f.bands[2] = 25;
	o.f.bands[3] = 50;
	o.f.bands[4] = 100;
	o.n_hor = 3;
	o.hor[0] = 10;
	o.hor[1] = 50;
	o.hor[2] = 100;
	o.threshold_bps = 2;
	o.norm_days = 5;
	o.stack_len = 10;
	o.stack_stride = 1;
	o.stack_ns = 1000000000LL;
	o.progress = -1;
	full_iv = cfg_dur_ns(c, "bookd", "full_interval");
	o.warmup_ns = 2 * full_iv > 60000000000LL ? 2 * full_iv : 60000000000LL;
	o.max_levels = (uint32_t)cfg_int(c, "bookd", "max_levels");
	o.basis_spot = cfg_str(c, "ml", "basis_spot");
	o.basis_max_age_ns = cfg_dur_ns(c, "ml", "basis_max_age");

	cmd[0] = 0;
	for (i = 0; i < argc; i++) {
		size_t l = strlen(cmd);
		snprintf(cmd + l, sizeof cmd - l, "%s%s", i ? " " : "", argv[i]);
	}
	o.command = cmd;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--materialize")) {
			o.materialize = 1;
			continue;
		}
		if (!strcmp(a, "--progress")) {
			o.progress = 1;
			continue;
		}
		if (!strcmp(a, "--quiet")) {
			o.progress = 0;
			continue;
		}
		if (!v) {
			rc = bad(a, NULL, "unknown option or missing value");
			goto out;
		}
		i++;
		if (!strcmp(a, "--store"))
			o.root = v;
		else if (!strcmp(a, "--exchange")) {
			free(exl);
			exl = strdup(v);
		} else if (!strcmp(a, "--symbol")) {
			free(syl);
			syl = strdup(v);
		} else if (!strcmp(a, "--out")) {
			o.out = v;
		} else if (!strcmp(a, "--from") || !strcmp(a, "--to")) {
			int64_t t = store_time_parse(v);
			if (t < 0) {
				rc = bad(a, v, "not a time (ns since the epoch or 2026-11-24T02:00:00Z)");
				goto out;
			}
			if (a[2] == 'f') {
				o.from = t;
				have_from = 1;
			} else {
				o.to = t;
				have_to = 1;
			}
		} else if (!strcmp(a, "--what")) {
			if (parse_what(v, &o.what) < 0) {
				rc = bad(a, v, "use deeplob, heatmap, stack, features, labels, lobster, mlfeatures, reqheatmap, "
				    "depthimage, deltaflow, market, reqstack, req (comma-separated)");
				goto out;
			}
		} else if (!strcmp(a, "--sample")) {
			o.sample_ns = !strcmp(v, "update") ? 0 : !strncmp(v, "interval:", 9) ? parse_dur(v + 9) : -1;
			if (o.sample_ns < 0 || (o.sample_ns == 0 && strcmp(v, "update"))) {
				rc = bad(a, v, "use update or interval:DURATION (e.g. interval:100ms)");
				goto out;
			}
		} else if (!strcmp(a, "--window")) {
			if (parse_int(v, 1, 100000, &o.window) < 0) {
				rc = bad(a, v, "a window of 1..100000 samples");
				goto out;
			}
		} else if (!strcmp(a, "--ml-features")) {
			char why[160];
			if (mlf_parse_groups(v, &o.ml_groups, why, sizeof why) < 0) {
				rc = bad(a, v, why);
				goto out;
			}
		} else if (!strcmp(a, "--levels")) {
			if (parse_int(v, 1, MPX_MAX_LEVELS, &o.f.levels) < 0) {
				rc = bad(a, v, "1..1000 levels");
				goto out;
			}
		} else if (!strcmp(a, "--bins")) {
			if (parse_int(v, 1, 100000, &o.f.bins) < 0) {
				rc = bad(a, v, "1..100000 bins");
				goto out;
			}
		} else if (!strcmp(a, "--bin-bps")) {
			if (parse_nums(v, nums, 1, 10000) != 1) {
				rc = bad(a, v, "a width in bps, > 0");
				goto out;
			}
			o.f.bin_bps = nums[0];
		} else if (!strcmp(a, "--bands")) {
			n = parse_nums(v, o.f.bands, MPX_MAX_BANDS, 10000);
			if (n < 1) {
				rc = bad(a, v, "up to 16 ascending bps values, > 0");
				goto out;
			}
			for (e = 1; e < n; e++)
				if (o.f.bands[e] <= o.f.bands[e - 1]) {
					rc = bad(a, v, "bands must be ascending");
					goto out;
				}
			o.f.n_bands = n;
		} else if (!strcmp(a, "--horizons")) {
			static const int fi2010[] = { 10, 20, 30, 50, 100 }, tlob[] = { 10, 20, 50, 100 };
			if (!strcmp(v, "fi2010") || !strcmp(v, "tlob")) {
				const int *hs = v[0] == 'f' ? fi2010 : tlob;
				o.n_hor = v[0] == 'f' ? 5 : 4;
				for (e = 0; e < o.n_hor; e++)
					o.hor[e] = hs[e];
				o.hor_set = v[0] == 'f' ? "fi2010" : "tlob";
				continue;
			}
			o.hor_set = NULL;
			n = parse_nums(v, nums, MPX_MAX_HOR, 1000000);
			if (n < 1) {
				rc = bad(a, v, "up to 16 horizons in samples, >= 1");
				goto out;
			}
			for (e = 0; e < n; e++) {
				o.hor[e] = (int)nums[e];
				if (o.hor[e] != nums[e]) {
					rc = bad(a, v, "horizons are whole numbers of samples");
					goto out;
				}
			}
			o.n_hor = n;
		} else if (!strcmp(a, "--smooth")) {
			if (parse_int(v, 1, 1000000, &o.smooth) < 0) {
				rc = bad(a, v, "a smoothing window of 1.. samples");
				goto out;
			}
		} else if (!strcmp(a, "--split")) {
			n = parse_nums(v, o.split, 3, 1);
			if (n != 3 || fabs(o.split[0] + o.split[1] + o.split[2] - 1) > 1e-6) {
				rc = bad(a, v, "three fractions train,val,test, each > 0, summing to 1 (e.g. 0.7,0.15,0.15)");
				goto out;
			}
			o.n_split = 3;
		} else if (!strcmp(a, "--threshold-bps")) {
			char *end;
			o.threshold_bps = strtod(v, &end);
			if (end == v || *end || o.threshold_bps < 0) {
				rc = bad(a, v, "a threshold in bps, >= 0");
				goto out;
			}
		} else if (!strcmp(a, "--norm")) {
			if (!strcmp(v, "none"))
				o.norm = MPX_NORM_NONE;
			else if (!strcmp(v, "zscore-prior-days"))
				o.norm = MPX_NORM_ZPRIOR;
			else {
				rc = bad(a, v, "use none or zscore-prior-days");
				goto out;
			}
		} else if (!strcmp(a, "--norm-days")) {
			if (parse_int(v, 1, 365, &o.norm_days) < 0) {
				rc = bad(a, v, "1..365 days");
				goto out;
			}
		} else if (!strcmp(a, "--prices")) {
			if (!strcmp(v, "rel"))
				o.f.prices_abs = 0;
			else if (!strcmp(v, "abs"))
				o.f.prices_abs = 1;
			else {
				rc = bad(a, v, "use rel or abs");
				goto out;
			}
		} else if (!strcmp(a, "--stack-len")) {
			if (parse_int(v, 1, 10000, &o.stack_len) < 0) {
				rc = bad(a, v, "1..10000 frames");
				goto out;
			}
		} else if (!strcmp(a, "--req-levels")) {
			if (parse_int(v, 1, MLI_MAX_LEVELS, &o.req_levels) < 0) {
				rc = bad(a, v, "1..5000 levels per side");
				goto out;
			}
		} else if (!strcmp(a, "--req-bins")) {
			if (parse_int(v, 1, MLI_MAX_BINS, &o.req_bins) < 0) {
				rc = bad(a, v, "1..1000 price bins");
				goto out;
			}
		} else if (!strcmp(a, "--flow-window")) {
			if (parse_int(v, 1, MLFL_MAX_WINDOW, &o.flow_window) < 0) {
				rc = bad(a, v, "1..100000 deltas");
				goto out;
			}
		} else if (!strcmp(a, "--stack-stride")) {
			if (parse_int(v, 1, 1000000, &o.stack_stride) < 0) {
				rc = bad(a, v, "a stride >= 1");
				goto out;
			}
		} else if (!strcmp(a, "--stack-interval")) {
			if ((o.stack_ns = parse_dur(v)) <= 0) {
				rc = bad(a, v, "a duration like 1s or 500ms");
				goto out;
			}
		} else if (!strcmp(a, "--warmup")) {
			if ((o.warmup_ns = parse_dur(v)) < 0) {
				rc = bad(a, v, "a duration like 10m");
				goto out;
			}
		} else if (!strcmp(a, "--max-levels")) {
			int ml;
			if (parse_int(v, 1, 50000, &ml) < 0) {
				rc = bad(a, v, "1..50000 levels");
				goto out;
			}
			o.max_levels = (uint32_t)ml;
		} else { {
			rc = bad(a, NULL, "unknown option");
			goto out;
		}
		}
	}
	if (!exl || !syl || !have_from || !have_to || !o.out) {
		rc = bad("--exchange, --symbol, --from, --to and --out", NULL, "are required");
		goto out;
	}
	if (o.to <= o.from) {
		rc = bad("--to", NULL, "must be after --from");
		goto out;
	}
	if (!o.root) {
		const char *d = cfg_str(c, "stored", "dir");
		if (*d)
			snprintf(root, sizeof root, "%s", d);
		else
			snprintf(root, sizeof root, "%s/store", cfg_str(c, "system", "data_dir"));
		o.root = root;
	}
	nex = split(exl, exv, 8);
	nsy = split(syl, syv, 8);
	for (e = 0; e < nex; e++) {
		if (exch_parse(exv[e]) == EX_NONE) {
			rc = bad("--exchange", exv[e], "unknown exchange (binance, okx)");
			goto out;
		}
	}
	{
		const char *base = o.out;
		for (e = 0; e < nex; e++) {
			for (y = 0; y < nsy; y++) {
				struct mpx_summary s;
				o.exchange = exv[e];
				o.symbol = syv[y];
				if (nex * nsy > 1) {
					snprintf(outdir, sizeof outdir, "%s/%s/%s", base, exv[e], syv[y]);
					o.out = outdir;
				}
				log_info("export started", "exchange=%s symbol=%s out=%s store=%s", o.exchange,
				    log_q(o.symbol), log_q(o.out), log_q(o.root));
				if (mpx_export(&o, &s, err, sizeof err) < 0) {
					log_error("export failed", "exchange=%s symbol=%s error=%s", o.exchange,
					    log_q(o.symbol), log_q(err));
					fprintf(stderr, "mpexport: %s %s: %s\n", o.exchange, o.symbol, err);
					rc = 1;
					continue;
				}
				log_info("export done", "exchange=%s symbol=%s records=%" PRIu64 " deltas=%" PRIu64
				    " samples=%" PRIu64 " windows=%" PRIu64 " stacks=%" PRIu64 " gaps=%" PRIu64
				    " seconds=%.2f", o.exchange, log_q(o.symbol), s.records, s.deltas, s.samples,
				    s.windows, s.stack_windows, s.gaps, s.seconds);
			}
		}
	}
out:
	free(exl);
	free(syl);
	cfg_free(c);
	return rc;
}
