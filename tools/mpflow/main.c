/*
 * mpflow - the flow-trend predictor, the requirement's example consumer and
 * the template for a live consumer of MarketPrism's streams: a durable
 * JetStream consumer on orderbook.pure_delta.<ex>.<sym>, the delta flows of
 * flow.h over a sliding window, one JSON line per delta with its prediction.
 * See tools/mpflow/README.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <nats/nats.h>

#include "cfg.h"
#include "daemon.h"
#include "flow.h"
#include "inst.h"
#include "pipe.h"
#include "../../routerd/natsc.h"
#include "../../routerd/route.h"

static const char usage[] =
    "usage: mpflow [-c CONF] [--set S.K=V] --exchange E --symbol S [options]\n"
    "\n"
    "The flow-trend predictor: reads orderbook.pure_delta.<exchange>.<symbol> with a\n"
    "durable JetStream consumer (it resumes where it stopped), computes the delta flows\n"
    "over a sliding window of deltas and prints one JSON line per delta once the window\n"
    "is full: update_id, bid_flow, ask_flow (summed quantity changes), net_flow,\n"
    "flow_ratio, bid_updates, ask_updates, prediction (up / down / flat).  The window\n"
    "is routerd's ml_flow window (routerd/mlflow.h): refresh merges (update_id ==\n"
    "prev_update_id) set sizes but are not deltas of the window.\n"
    "[nats] url and credentials/TLS come from the config.\n"
    "\n"
    "Options:\n"
    "  --exchange E        binance or okx\n"
    "  --symbol S          BTC-USDT, ETH-USDT (canonical or venue form)\n"
    "  --durable NAME      durable consumer name (default mpflow_<exchange>_<symbol>)\n"
    "  --window N          deltas in the window (default 100)\n"
    "  --threshold X       flow_ratio beyond +-X predicts up/down (default 0.2)\n"
    "  --every N           print every N-th delta only (default 1)\n"
    "  --seconds N         stop after N seconds (default 0 = until interrupted)\n"
    "  --until-caught-up   stop once the consumer has nothing pending\n"
    "  --cleanup           delete the durable consumer before exiting\n";

static int
pending_zero(jsCtx *js, const char *durable)
{
	jsConsumerInfo *ci = NULL;
	int z;

	if (js_GetConsumerInfo(&ci, js, "ORDERBOOK_DELTA", durable, NULL, NULL) != NATS_OK)
		return 0;
	z = ci->NumPending == 0 && ci->NumAckPending == 0;
	jsConsumerInfo_Destroy(ci);
	return z;
}

/* One OrderBookDelta: 0, 1 for a refresh merge (its sizes taken, no delta
 * for the window: mlfl_msg_is_merge), or -1 (bad message: counted, skipped). */
static int
on_delta(struct flow *f, const char *data, int len, json_int_t *id)
{
	static const char *const sides[2] = {"bid_updates", "ask_updates"};
	json_t *o = json_loadb(data, (size_t)len, 0, NULL), *a[2], *prev;
	int rc = 0, merge;

	if (!o || !json_is_integer(json_object_get(o, "update_id"))) {
		json_decref(o);
		return -1;
	}
	*id = json_integer_value(json_object_get(o, "update_id"));
	prev = json_object_get(o, "prev_update_id");
	a[0] = json_object_get(o, sides[0]);
	a[1] = json_object_get(o, sides[1]);
	merge = mlfl_msg_is_merge(*id, json_is_integer(prev) ? json_integer_value(prev) : -1,
	    (uint64_t)json_array_size(a[0]) + json_array_size(a[1]));
	for (int s = 0; s < 2; s++) {
		json_t *l;
		size_t i;

		if (!json_is_array(a[s])) {
			rc = -1;
			continue;
		}
		json_array_foreach(a[s], i, l) {
			const char *px = json_string_value(json_object_get(l, "price"));
			const char *q = json_string_value(json_object_get(l, "quantity"));

			if ((merge ? flow_merge(f, s, px, q) : flow_update(f, s, px, q)) < 0)
				rc = -1;
		}
	}
	json_decref(o);
	return rc < 0 ? -1 : merge;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"exchange", required_argument, 0, 'e'}, {"symbol", required_argument, 0, 's'},
		{"durable", required_argument, 0, 'd'}, {"window", required_argument, 0, 'w'},
		{"threshold", required_argument, 0, 't'}, {"every", required_argument, 0, 'n'},
		{"seconds", required_argument, 0, 'S'}, {"until-caught-up", no_argument, 0, 'u'},
		{"cleanup", no_argument, 0, 'C'}, {0, 0, 0, 0},
	};
	struct cfg *c = daemon_start("mpflow", usage, &argc, argv);
	const char *exs = NULL, *sys = NULL, *durable = NULL;
	int window = 100, every = 1, until = 0, cleanup = 0, opt, ex;
	double threshold = 0.2, seconds = 0;
	static struct inst_registry reg;   /* static: reachable to the end (allocated) */
	const struct inst *in;
	char err[512], subj[ROUTE_SUBJ_MAX], dname[128];
	natsConnection *nc = NULL;
	natsSubscription *sub = NULL;
	jsCtx *js = NULL;
	jsSubOptions so;
	jsErrCode jerr = 0;
	struct flow f = {0};
	uint64_t n = 0, bad = 0, merges = 0;
	int64_t end_ns;
	int rc = 0;

	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		char *e = NULL;
		switch (opt) {
		case 'e': exs = optarg; break;
		case 's': sys = optarg; break;
		case 'd': durable = optarg; break;
		case 'w': window = (int)strtol(optarg, &e, 10); break;
		case 't': threshold = strtod(optarg, &e); break;
		case 'n': every = (int)strtol(optarg, &e, 10); break;
		case 'S': seconds = strtod(optarg, &e); break;
		case 'u': until = 1; break;
		case 'C': cleanup = 1; break;
		default: fprintf(stderr, "%s", usage); rc = 2; goto out;
		}
		if (e && *e) {
			fprintf(stderr, "mpflow: --%s %s: not a number\n", lo[opt == 'w' ? 3 : opt == 't' ? 4 :
			    opt == 'n' ? 5 : 6].name, optarg);
			rc = 2;
			goto out;
		}
	}
	ex = exs ? exch_parse(exs) : EX_NONE;
	if (optind < argc || ex == EX_NONE || !sys || every < 1 || seconds < 0 || threshold < 0 ||
	    (durable && (!*durable || strpbrk(durable, ".*> ")))) {
		fprintf(stderr, "mpflow: need --exchange binance|okx and --symbol; --every >= 1, --seconds >= 0, "
		    "--threshold >= 0, a durable name without . * > or spaces\n%s", usage);
		rc = 2;
		goto out;
	}
	if (pipe_instruments(c, &reg, err, sizeof err) < 0 || !(in = inst_find(&reg, ex, sys))) {
		fprintf(stderr, "mpflow: %s %s is not a configured instrument\n", exs, sys);
		rc = 2;
		goto out;
	}
	if (flow_init(&f, window, threshold, in->px_exp, in->qty_exp) < 0) {
		fprintf(stderr, "mpflow: --window %d: 1..%d deltas (or out of memory)\n", window, FLOW_MAX_WINDOW);
		rc = 2;
		goto out;
	}
	snprintf(subj, sizeof subj, "orderbook.pure_delta.%s.%s", exch_name(in->exch), in->lower);
	if (!durable) {
		snprintf(dname, sizeof dname, "mpflow_%s_%s", exch_name(in->exch), in->lower);
		for (char *p = dname; *p; p++)
			if (*p == '-')
				*p = '_';
		durable = dname;
	}
	daemon_signals();
	if (natsc_connect(c, "mpflow", NULL, &nc, err, sizeof err) < 0 ||
	    natsConnection_JetStream(&js, nc, NULL) != NATS_OK) {
		fprintf(stderr, "mpflow: cannot connect: %s\n", err);
		rc = 1;
		goto out;
	}
	/* A durable push consumer: the server remembers what was acknowledged, so a
	 * restarted predictor resumes at the next delta instead of starting over. */
	jsSubOptions_Init(&so);
	so.Stream = "ORDERBOOK_DELTA";
	so.Config.Durable = durable;
	so.Config.AckPolicy = js_AckExplicit;
	so.Config.DeliverPolicy = js_DeliverAll;
	so.Config.MaxAckPending = 20000;
	so.ManualAck = true;
	if (js_SubscribeSync(&sub, js, subj, NULL, &so, &jerr) != NATS_OK) {
		fprintf(stderr, "mpflow: subscribe %s: %s (jetstream error %d)\n", subj, nats_GetLastError(NULL),
		    (int)jerr);
		rc = 1;
		goto out;
	}
	end_ns = seconds > 0 ? (int64_t)time(NULL) * 1000000000 + (int64_t)(seconds * 1e9) : 0;
	while (!daemon_stop) {
		natsMsg *m = NULL;
		json_int_t id = 0;
		struct flow_out o;
		int kind;

		if (end_ns && (int64_t)time(NULL) * 1000000000 >= end_ns)
			break;
		if (natsSubscription_NextMsg(&m, sub, 200) != NATS_OK) {
			if (until && pending_zero(js, durable))
				break;
			continue;
		}
		kind = on_delta(&f, natsMsg_GetData(m), natsMsg_GetDataLength(m), &id);
		natsMsg_Ack(m, NULL);
		natsMsg_Destroy(m);
		if (kind == 1) {
			merges++;   /* a refresh merge: sizes taken, no delta, no line */
			continue;
		}
		if (kind < 0)
			bad++;
		flow_end_delta(&f, &o);
		n++;
		if (o.full && n % (uint64_t)every == 0) {
			printf("{\"exchange\":\"%s\",\"symbol\":\"%s\",\"update_id\":%lld,\"window\":%d,"
			    "\"bid_flow\":%.17g,\"ask_flow\":%.17g,\"net_flow\":%.17g,\"flow_ratio\":%.17g,"
			    "\"bid_updates\":%llu,\"ask_updates\":%llu,\"prediction\":\"%s\"}\n", exch_name(in->exch),
			    in->symbol, (long long)id, window, o.bid_flow, o.ask_flow, o.net_flow, o.flow_ratio,
			    (unsigned long long)o.bid_updates, (unsigned long long)o.ask_updates, o.prediction);
			fflush(stdout);
		}
		/* deltas keep coming while the pipeline runs: ask the server whenever the local queue is empty */
		if (until) {
			int qm = 0, qb = 0;
			if (natsSubscription_GetPending(sub, &qm, &qb) == NATS_OK && qm == 0 && pending_zero(js, durable))
				break;
		}
	}
	fprintf(stderr, "mpflow: %llu deltas, %llu refresh merges (not in the window), %llu bad messages, "
	    "%llu price-table resets\n", (unsigned long long)n, (unsigned long long)merges, (unsigned long long)bad,
	    (unsigned long long)f.resets);
	if (cleanup && js_DeleteConsumer(js, "ORDERBOOK_DELTA", durable, NULL, NULL) != NATS_OK)
		fprintf(stderr, "mpflow: could not delete consumer %s\n", durable);
	if (bad)
		rc = 1;
out:
	natsSubscription_Destroy(sub);
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	flow_free(&f);
	cfg_free(c);
	return rc;
}
