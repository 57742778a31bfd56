/*
 * bench_mpexport ROOT FROM TO OUTDIR - export throughput in book updates per
 * second, next to the plain store read of the same records (the baseline:
 * decompress + rec_check + iterate, no book), measured in the same run.
 * bench_mpexport.sh makes the store (bin/test/mpexport_gen).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "pipe.h"
#include "rec.h"
#include "../../stored/store.h"
#include "../../tools/mpexport/export.h"
#include "../../tools/mpexport/req.h"
#include "../../routerd/mlfeat.h"
#include "../../routerd/mlflow.h"
#include "../../routerd/mlimg.h"

/* Process CPU time: the benchmark machine is shared, so wall time measures the neighbours too. */
static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
read_pass(const char *root, int64_t from, int64_t to, uint64_t *deltas)
{
	struct store_query q = { 0 };
	struct store_reader *r;
	const struct rec_hdr *h;
	char err[512];
	double t0 = cpu_s();

	q.exchange = "binance";
	q.symbol = "BTC-USDT";
	q.from_ns = from;
	q.to_ns = to;
	q.verify_data = 1;
	*deltas = 0;
	r = store_reader_open(root, &q, NULL, NULL, err, sizeof err);
	if (!r) {
		fprintf(stderr, "bench_mpexport: %s\n", err);
		exit(1);
	}
	while (store_reader_next(r, &h, NULL) == 1)
		*deltas += h->type == REC_DELTA;
	store_reader_close(r);
	return cpu_s() - t0;
}

static void
defaults(struct mpx_opts *o)
{
	memset(o, 0, sizeof *o);
	o->exchange = "binance";
	o->symbol = "BTC-USDT";
	o->what = MPX_W_ALL;
	o->window = 100;
	o->f.levels = 10;
	o->f.bins = 200;
	o->f.bin_bps = 1;
	o->f.n_bands = 5;
	o->f.bands[0] = 5;
	o->f.bands[1] = 10;
	o->f.bands[2] = 25;
	o->f.bands[3] = 50;
	o->f.bands[4] = 100;
	o->n_hor = 3;
	o->hor[0] = 10;
	o->hor[1] = 50;
	o->hor[2] = 100;
	o->threshold_bps = 2;
	o->norm_days = 5;
	o->stack_len = 10;
	o->stack_stride = 1;
	o->stack_ns = 1000000000LL;
	o->warmup_ns = 120000000000LL;
	o->max_levels = 5000;
	o->progress = 0;
	o->ml_groups = MLF_G_ALL;
	o->req_levels = MLI_LEVELS;
	o->req_bins = MLI_BINS;
	o->flow_window = MLFL_WINDOW;
}

int
main(int argc, char **argv)
{
	struct mpx_opts o;
	struct mpx_summary s;
	char err[1024];
	uint64_t deltas;
	double base, best = 1e30, t;
	int i, v;
	static const struct {
		const char *name;
		unsigned what;
		int64_t sample_ns;
	} variants[] = {
		{ "mpexport_all_per_update", MPX_W_ALL, 0 },
		{ "mpexport_deeplob_features_labels", MPX_W_DEEPLOB | MPX_W_FEATURES | MPX_W_LABELS, 0 },
		{ "mpexport_all_interval_100ms", MPX_W_ALL, 100000000LL },
		/* the requirement's artefacts one at a time (timestamps/ids/mid/segment are always written) */
		{ "mpexport_mlfeatures_per_update", MPX_W_MLFEAT, 0 },
		{ "mpexport_reqheatmap_per_update", MPX_W_REQHEAT, 0 },
		{ "mpexport_depthimage_per_update", MPX_W_DEPTHIMG, 0 },
		{ "mpexport_deltaflow_per_update", MPX_W_DFLOW, 0 },
		{ "mpexport_market_per_update", MPX_W_MARKET, 0 },
		{ "mpexport_reqstack_1s", MPX_W_REQSTACK, 0 },
		{ "mpexport_lobster_per_update", MPX_W_LOBSTER, 0 },
	};

	if (argc != 5) {
		fprintf(stderr, "usage: bench_mpexport ROOT FROM_NS TO_NS OUTDIR\n");
		return 2;
	}
	log_init("bench_mpexport");
	log_set_level(LOG_WARN);
	for (i = 0; i < 3; i++) {
		t = read_pass(argv[1], strtoll(argv[2], NULL, 10), strtoll(argv[3], NULL, 10), &deltas);
		if (t < best)
			best = t;
	}
	base = (double)deltas / best;
	printf("{\"bench\": \"mpexport_store_read\", \"value\": %.0f, \"unit\": \"updates/s\", \"updates\": %" PRIu64
	    ", \"clock\": \"process cpu\", \"note\": \"baseline: store reader only (decompress, check, iterate)\"}\n",
	    base, deltas);
	for (v = 0; v < (int)(sizeof variants / sizeof variants[0]); v++) {
		defaults(&o);
		o.root = argv[1];
		o.from = strtoll(argv[2], NULL, 10);
		o.to = strtoll(argv[3], NULL, 10);
		o.out = argv[4];
		o.what = variants[v].what;
		o.sample_ns = variants[v].sample_ns;
		t = cpu_s();
		if (mpx_export(&o, &s, err, sizeof err) < 0) {
			printf("{\"bench\": \"%s\", \"error\": \"%s\"}\n", variants[v].name, err);
			continue;
		}
		t = cpu_s() - t;
		printf("{\"bench\": \"%s\", \"value\": %.0f, \"unit\": \"updates/s\", \"clock\": \"process cpu\", "
		    "\"cpu_s\": %.3f, \"wall_s\": %.3f, \"wall_updates_per_s\": %.0f, \"samples\": %" PRIu64
		    ", \"baseline_store_read\": %.0f, \"ratio_to_baseline\": %.4f}\n",
		    variants[v].name, (double)s.deltas / t, t, s.seconds, (double)s.deltas / s.seconds, s.samples,
		    base, (double)s.deltas / t / base);
		fflush(stdout);
	}
	return 0;
}
