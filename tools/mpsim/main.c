/* main.c - mpsim: command line, instruments, the step clock and housekeeping. */
#include <ctype.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "binance.h"
#include "http.h"
#include "log.h"
#include "okx.h"
#include "replay.h"
#include "sim.h"
#include "tls.h"


static const char usage[] =
"usage: mpsim [options]\n"
"\n"
"A loopback exchange simulator serving Binance spot and OKX v5 public market\n"
"data (REST and WebSocket, plain HTTP/ws) from a deterministic simulated\n"
"market, with fault injection; Bybit v5 spot, linear and inverse with\n"
"--bybit-symbols; Binance USD-M and COIN-M futures with --binance-usdm-symbols\n"
"and --binance-coinm-symbols; Deribit perpetuals, futures and options with\n"
"--deribit-symbols.  Prints \"mpsim ready binance=<port> okx=<port>\n"
"bybit=<port> binance-usdm=<port> binance-coinm=<port> deribit=<port>\" on\n"
"stdout once the ports listen.  Logs go to stderr.\n"
"\n"
"Options:\n"
"  --binance-port P      Binance REST + WS port (0 = pick a free one; default 0)\n"
"  --okx-port Q          OKX REST + WS port (0 = pick a free one; default 0)\n"
"  --bybit-port R        Bybit REST + WS port (0 = pick a free one; default 0)\n"
"  --bybit-symbols LIST  Bybit instruments, canonical: BTC-USDT (spot),\n"
"                        BTC-USDT-SWAP (linear), BTC-USD-SWAP (inverse)\n"
"                        (default none: --symbols is for Binance and OKX)\n"
"  --binance-usdm-port P Binance USD-M futures (fapi/fstream) port (0 = free)\n"
"  --binance-coinm-port P Binance COIN-M futures (dapi/dstream) port (0 = free)\n"
"  --binance-usdm-symbols LIST  USD-M instruments, canonical: BTC-USDT-SWAP\n"
"                        (perpetual BTCUSDT), BTC-USDT-240927 (dated); default none\n"
"  --binance-coinm-symbols LIST COIN-M instruments: BTC-USD-SWAP (BTCUSD_PERP),\n"
"                        BTC-USD-240927 (BTCUSD_240927); default none\n"
"  --deribit-port S      Deribit REST + WS port (0 = pick a free one; default 0)\n"
"  --deribit-symbols LIST  Deribit instruments, canonical: BTC-USD-SWAP\n"
"                        (BTC-PERPETUAL), BTC-USD-240927 (BTC-27SEP24),\n"
"                        BTC-240927-60000-C (option BTC-27SEP24-60000-C)\n"
"                        (default: none, or with --deribit-port one of each kind,\n"
"                        BTC-USD-SWAP,BTC-USD-240927,BTC-240927-60000-C)\n"
"  --bind ADDR           loopback address to listen on (default 127.0.0.1;\n"
"                        only 127.x.x.x and ::1 are accepted)\n"
"  --seed N              market seed (default 1): same seed, same book states\n"
"                        and update ids, whatever the clients do\n"
"  --rate X              simulated time per real time (default 1; 0.01..1000).\n"
"                        One step = 100 ms of market time: Binance @depth@100ms\n"
"                        and OKX books push once per step, @depth once per 10\n"
"  --timer-rate Y        divide protocol timers by Y (default: the --rate value):\n"
"                        Binance ping 20 s (never faster than 1 s real), pong\n"
"                        deadline 60 s (at least 3 pings), 24 h connection\n"
"                        limit, weight window 60 s and bans; OKX idle close\n"
"                        30 s, books heartbeat after 60 s quiet, REST windows 2 s\n"
"  --conn-lifetime S     close Binance WebSocket connections after S real\n"
"                        seconds (default 24 h / timer-rate): the 24 h limit\n"
"                        compressed to seconds\n"
"  --symbols LIST        comma-separated instruments on both venues (default\n"
"                        BTC-USDT,ETH-USDT; others get generic parameters)\n"
"  --levels N            target levels per side (default 6500, 1000..100000;\n"
"                        never fewer than 92% of it)\n"
"  --volatility V        daily volatility of the price (default 0.02 = 2%/day,\n"
"                        about 1.3 USD or 130 Binance ticks per step for BTC;\n"
"                        0 = a calm book whose mid only drifts by the touch)\n"
"  --drift D             constant trend of the price per hour, relative (default\n"
"                        0; -0.05 = falling 5%%/hour, -0.1..0.1): one side's\n"
"                        levels beyond a snapshot's range decay predictably\n"
"  --deep-churn N        mean level changes per step and book at ranks spread\n"
"                        log-uniformly over the whole depth (default 8, 0..200;\n"
"                        0 = only the near-touch churn): levels appear and\n"
"                        vanish far from the touch, as in real books\n"
"  --tls                 also serve TLS (https/wss) on both ports: a connection\n"
"                        starting with a TLS handshake gets TLS, others stay\n"
"                        plain http/ws\n"
"  --tls-cert FILE       certificate chain (PEM) for --tls (default: a\n"
"  --tls-key FILE        self-signed one for 127.0.0.1/::1/localhost) and its key\n"
"  --tls-cert-out FILE   write the self-signed certificate (PEM) for clients\n"
"  --okx-legacy-checksum send the real CRC32 in OKX books (default: 0, as OKX\n"
"                        does since June 2026)\n"
"  --okx-legacy-format   OKX books in the 2021-2022 format: the real CRC32 and\n"
"                        no seqId/prevSeqId (implies --okx-legacy-checksum)\n"
"  --okx-no-snapshot     OKX books subscriptions get no initial snapshot\n"
"                        (REST-seeded mode)\n"
"  --paused              start with the market frozen (POST /_sim/resume or\n"
"                        /_sim/step to advance)\n"
"  --faults SPEC         faults to inject, comma-separated\n"
"                        KIND@VENUE[:SYMBOL][:after=DUR][:n=N][:ms=MS][:code=C]\n"
"                        DUR is real time after start (\"2s\", \"500ms\"),\n"
"                        e.g. gap@binance:BTC-USDT:after=2s,disconnect@okx:after=5s\n"
"  --log-level L         debug, info, warn, error (default info)\n"
"  --replay CAPTURE      the recording's Binance venue (binance, binance-usdm or\n"
"                        binance-coinm: its exchange field) serves the recording\n"
"                        instead of the simulated market (capture lines\n"
"                        \"<recv_ns> <exchange> ws|rest:<path> <payload>\", plain\n"
"                        or zstd): its ws frames on /stream?streams=... (the\n"
"                        requested streams only - a diff-depth stream of any\n"
"                        speed gets the recorded speed -, at the recorded pace\n"
"                        from the first connection on; their E/T times moved\n"
"                        onto the replay's clock), GET <api>/depth (/api/v3,\n"
"                        /fapi/v1, /dapi/v1) from its snapshot answers (the one\n"
"                        nearest the recording's present, any limit); the rest\n"
"                        of that venue's REST and the other venues stay simulated;\n"
"                        GET /_sim/stats \"replay\" shows progress (\"done\")\n"
"  --speed X             replay X times faster than recorded (default 1;\n"
"                        0.01..100000)\n"
"  -h, --help            this text\n"
"\n"
"Fault kinds (also POST /_sim/fault?kind=K&venue=V[&symbol=S][&n=N][&ms=MS][&code=C]):\n"
"  gap             drop the next increment (Binance: next @depth@100ms AND next\n"
"                  event of each slow depth stream - spot @depth, futures\n"
"                  @depth@500ms and @depth; OKX: next books update)\n"
"  dup             send the next increment twice\n"
"  reorder         hold the next increment and send it after the following one\n"
"  malformed       send one extra frame of invalid JSON after the next increment\n"
"  truncate        the next increment's JSON cut in half (valid WS frame)\n"
"  truncate_wire   the next increment's WS frame cut short, then TCP close\n"
"  disconnect      close matching WebSocket connections now (no close frame)\n"
"  stall           stop sending anything on matching connections, keep them open\n"
"  unstall         end a stall (alias resume_stall)\n"
"  rest_5xx        the next n REST answers fail (code=, default 503)\n"
"  rest_429        the next n REST answers are 429 (Retry-After from ms=, 1000)\n"
"  rest_418        the next n REST answers are 418 (Retry-After from ms=, 5000)\n"
"  rest_slow       the next n REST answers are delayed by ms= (default 2000)\n"
"  okx_seq_reset   next OKX books update has seqId < prevSeqId, then goes on\n"
"  okx_no_snapshot the next n (default: all) books subscriptions get no snapshot\n"
"  okx_snapshot    back to sending the snapshot\n"
"  shutdown_notice Binance serverShutdown event / OKX 64008 notice, then close\n"
"                  after ms= (default 5 s / 60 s, divided by --timer-rate)\n"
"  rollover        close the connection as the 24 h limit does (close 1000)\n"
"  corrupt_level   the next depth increment (Binance @depth@100ms, OKX books,\n"
"                  Bybit orderbook.1000)\n"
"                  silently carries the n-th best bid (n = RANK, default 3;\n"
"                  OKX at most 400) with one lot more; /_sim/book, REST and\n"
"                  books5 / orderbook.1 keep the true value, the ids run on\n"
"                  (no gap)\n"
"  clear           forget every pending fault and end stalls\n"
"Connection faults apply to every matching WebSocket (n= limits how many);\n"
"without a symbol a fault applies to every instrument of the venue.\n"
"\n"
"Control API on both ports (JSON):\n"
"  GET  /_sim/book?venue=V&symbol=S[&depth=N]  (V: binance, okx, bybit,\n"
"       binance-usdm, binance-coinm; S canonical, BTC-USDT-SWAP) the simulator's\n"
"       book: {\"venue\",\"symbol\",\"update_id\",\"step\",\"paused\",\"bids\":[[p,q]..],\"asks\"}\n"
"       update_id is Binance's last u / OKX's last seqId; venue strings\n"
"  GET  /_sim/stats     counters per venue (connections, frames, REST by path,\n"
"       weight_used_1m(_max), http_429/418/5xx, pings, pongs, drops, faults)\n"
"  GET  /_sim/info      seed, rates, instruments with tick and lot\n"
"  POST /_sim/pause | /_sim/resume | /_sim/step?n=N\n"
"  POST /_sim/fault?kind=K&venue=V[&symbol=S][&n=N][&ms=MS][&code=C]\n"
"\n"
"Binance (http://ADDR:P): GET /api/v3/exchangeInfo, /api/v3/depth (limit\n"
"<= 5000, weight 5/25/50/250, X-MBX-USED-WEIGHT-1M, 429 then 418 with\n"
"Retry-After past 6000/min), /api/v3/ping, /api/v3/time; WS /ws/<stream>[/..]\n"
"and /stream?streams=a/b: <sym>@depth, @depth@100ms, @depth5|10|20[@100ms],\n"
"@trade, @aggTrade, @bookTicker, @kline_1m; SUBSCRIBE, UNSUBSCRIBE,\n"
"LIST_SUBSCRIPTIONS, SET_PROPERTY/GET_PROPERTY combined; 5 messages/s limit;\n"
"a URL name without '@' (a listen key, ccxt's /ws/0) is kept and carries nothing.\n"
"Binance USD-M / COIN-M (the same under /fapi/v1 / /dapi/v1): depth (limit 5, 10,\n"
"20, 50, 100, 500, 1000; weight 2/2/2/2/5/10/20; 2400/min), exchangeInfo,\n"
"openInterest, premiumIndex, fundingInfo (adjusted perpetuals: all but BTC, ETH),\n"
"ping, time; WS @depth@100ms, @depth@500ms and @depth (250 ms) (U, u,\n"
"pu = the previous event's u), @aggTrade, @trade, @bookTicker, @kline_1m,\n"
"@markPrice[@1s], !markPrice@arr[@1s] (every symbol), @forceOrder; 10\n"
"messages/s limit.\n"
"OKX (http://ADDR:Q): GET /api/v5/public/instruments?instType=SPOT (MARGIN,\n"
"SWAP, FUTURES, OPTION&uly=: empty lists),\n"
"/api/v5/market/books (sz <= 400, seqId), /api/v5/market/books-full\n"
"(sz <= 5000, 10 req/2 s); WS /ws/v5/public (books, books5, bbo-tbt, trades,\n"
"tickers) and /ws/v5/business (candle1m); text ping/pong.\n"
"Message layouts: tools/mpsim/README.md.\n";

/* ---- timers ---- */

static uv_timer_t step_timer, hk_timer;
static uv_signal_t sig_int, sig_term;

static void
on_step(uv_timer_t *t)
{
	int64_t now, due, todo;

	(void)t;
	if (sim.paused)
		return;
	now = sim_mono_ms();
	due = sim.clock_steps0 + (int64_t)((double)(now - sim.clock_t0) * sim.rate / 100.0);
	todo = due - sim.steps;
	if (todo > 2000) {
		/* Far behind (machine too slow for this rate): skip ahead in time,
		 * never in the sequence of states. */
		sim.lag_rebases++;
		log_warn("falling behind the requested rate", "behind_steps=%lld", (long long)todo);
		sim.clock_t0 = now;
		sim.clock_steps0 = sim.steps;
		todo = 1;
	}
	if (todo > 200)
		todo = 200;
	if (todo > 0)
		sim_run_steps(todo);
}

static void
on_housekeeping(uv_timer_t *t)
{
	int64_t now = sim_mono_ms();
	char err[256];

	(void)t;
	http_housekeeping();
	for (int v = 0; v < SIM_NVENUE; v++)
		if (sim_ops(v)->housekeeping)
			sim_ops(v)->housekeeping();
	for (int i = 0; i < sim.npf; i++) {
		struct sim_pending_fault *pf = &sim.pf[i];
		if (pf->done || now < pf->due_ms)
			continue;
		pf->done = 1;
		if (sim_inject(&pf->spec, err, sizeof err) < 0)
			log_warn("fault from --faults not applied", "err=%s", log_q(err));
	}
}

static void
on_close_walk(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void
on_signal(uv_signal_t *s, int signum)
{
	(void)s;
	log_info("stopping", "signal=%d steps=%lld", signum, (long long)sim.steps);
	while (sim.conns)
		conn_drop(sim.conns);
	uv_walk(sim.loop, on_close_walk, NULL);
}

static int
loopback(const char *a)
{
	return strncmp(a, "127.", 4) == 0 || strcmp(a, "::1") == 0;
}

static int
parse_port(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 0 || v > 65535)
		return -1;
	*out = (int)v;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"binance-port", required_argument, NULL, 'b'},
		{"okx-port", required_argument, NULL, 'o'},
		{"bybit-port", required_argument, NULL, 1009},
		{"bybit-symbols", required_argument, NULL, 1010},
		{"binance-usdm-port", required_argument, NULL, 1011},
		{"binance-coinm-port", required_argument, NULL, 1012},
		{"binance-usdm-symbols", required_argument, NULL, 1013},
		{"binance-coinm-symbols", required_argument, NULL, 1014},
		{"deribit-port", required_argument, NULL, 1015},
		{"deribit-symbols", required_argument, NULL, 1016},
		{"bind", required_argument, NULL, 'B'},
		{"seed", required_argument, NULL, 's'},
		{"rate", required_argument, NULL, 'r'},
		{"timer-rate", required_argument, NULL, 'T'},
		{"symbols", required_argument, NULL, 'S'},
		{"conn-lifetime", required_argument, NULL, 'A'},
		{"volatility", required_argument, NULL, 'V'},
		{"drift", required_argument, NULL, 1007},
		{"deep-churn", required_argument, NULL, 1008},
		{"tls", no_argument, NULL, 't'},
		{"tls-cert", required_argument, NULL, 1001},
		{"tls-key", required_argument, NULL, 1002},
		{"tls-cert-out", required_argument, NULL, 1003},
		{"levels", required_argument, NULL, 'L'},
		{"okx-legacy-checksum", no_argument, NULL, 'C'},
		{"okx-legacy-format", no_argument, NULL, 1006},
		{"okx-no-snapshot", no_argument, NULL, 'N'},
		{"paused", no_argument, NULL, 'P'},
		{"faults", required_argument, NULL, 'F'},
		{"log-level", required_argument, NULL, 'l'},
		{"replay", required_argument, NULL, 1004},
		{"speed", required_argument, NULL, 1005},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
int bport = 0, oport = 0, yport = 0, uport = 0, cport = 0, dport = 0, levels = 6500, nosnap = 0, c, lv;
	const char *bind = "127.0.0.1", *symbols = "BTC-USDT,ETH-USDT", *faults = NULL;
	const char *tls_cert = NULL, *tls_key = NULL, *tls_out = NULL, *replay = NULL;
	double speed = 1;
	int tls = 0;
	double timer_rate = 0;
	char *end, err[256];

	log_init("mpsim");
	sim.seed = 1;
	sim.rate = 1;
	sim.volatility = 0.02;
	sim.deep_churn = 8;
	sim.max_write_queue = 64 << 20;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
		case 'o':
			if (parse_port(optarg, c == 'b' ? &bport : &oport) < 0) {
				fprintf(stderr, "mpsim: --%s-port: '%s' is not a port (0..65535)\n", c == 'b' ? "binance" : "okx", optarg);
				return 2;
			}
			break;
		case 1009:
			if (parse_port(optarg, &yport) < 0) {
				fprintf(stderr, "mpsim: --bybit-port: '%s' is not a port (0..65535)\n", optarg);
				return 2;
			}
			break;
		case 1015:
			if (parse_port(optarg, &dport) < 0) {
				fprintf(stderr, "mpsim: --deribit-port: '%s' is not a port (0..65535)\n", optarg);
				return 2;
			}
			/* asked for by port: one instrument of each kind unless listed (a
			 * config line is too short for long lists) */
			if (!sim.venue_symbols[SIM_DERIBIT])
				sim.venue_symbols[SIM_DERIBIT] = "BTC-USD-SWAP,BTC-USD-240927,BTC-240927-60000-C";
			break;
		case 1016:
			sim.venue_symbols[SIM_DERIBIT] = optarg;
			break;
		case 1010:
			sim.venue_symbols[SIM_BYBIT] = optarg;
			break;
		case 1011:
		case 1012:
			if (parse_port(optarg, c == 1011 ? &uport : &cport) < 0) {
				fprintf(stderr, "mpsim: --%s-port: '%s' is not a port (0..65535)\n",
				    sim_venue_name(c == 1011 ? SIM_BINANCE_USDM : SIM_BINANCE_COINM), optarg);
				return 2;
			}
			break;
		case 1013:
		case 1014:
			sim.venue_symbols[c == 1013 ? SIM_BINANCE_USDM : SIM_BINANCE_COINM] = optarg;
			break;
		case 'B':
			bind = optarg;
			if (!loopback(bind)) {
				fprintf(stderr, "mpsim: --bind: '%s' is not a loopback address\n", bind);
				return 2;
			}
			break;
		case 's':
			sim.seed = strtoull(optarg, &end, 0);
			if (end == optarg || *end) {
				fprintf(stderr, "mpsim: --seed: '%s' is not a number\n", optarg);
				return 2;
			}
			break;
		case 'r':
		case 'T': {
			double v = strtod(optarg, &end);
			if (end == optarg || *end || v < 0.01 || v > 1000) {
				fprintf(stderr, "mpsim: --%s: '%s' must be a number in 0.01..1000\n", c == 'r' ? "rate" : "timer-rate", optarg);
				return 2;
			}
			if (c == 'r')
				sim.rate = v;
			else
				timer_rate = v;
			break;
		}
		case 'S':
			symbols = optarg;
			break;
		case 't':
			tls = 1;
			break;
		case 1001:
			tls_cert = optarg;
			break;
		case 1002:
			tls_key = optarg;
			break;
		case 1003:
			tls_out = optarg;
			break;
		case 'V': {
			double v = strtod(optarg, &end);
			if (end == optarg || *end || v < 0 || v > 1) {
				fprintf(stderr, "mpsim: --volatility: '%s' must be 0..1\n", optarg);
				return 2;
			}
			sim.volatility = v;
			break;
		}
		case 1007:
		case 1008: {
			double v = strtod(optarg, &end), lo = c == 1007 ? -0.1 : 0, hi = c == 1007 ? 0.1 : 200;
			if (end == optarg || *end || !(v >= lo && v <= hi)) {
				fprintf(stderr, "mpsim: --%s: '%s' must be %g..%g\n", c == 1007 ? "drift" : "deep-churn", optarg, lo, hi);
				return 2;
			}
			if (c == 1007)
				sim.drift = v;
			else
				sim.deep_churn = v;
			break;
		}
		case 'A': {
			double v = strtod(optarg, &end);
			if (end == optarg || *end || v < 0.1 || v > 86400) {
				fprintf(stderr, "mpsim: --conn-lifetime: '%s' must be 0.1..86400 seconds\n", optarg);
				return 2;
			}
			sim.conn_life_ms = (int64_t)(v * 1000);
			break;
		}
		case 'L':
			levels = (int)strtol(optarg, &end, 10);
			if (end == optarg || *end || levels < 1000 || levels > 100000) {
				fprintf(stderr, "mpsim: --levels: '%s' must be 1000..100000\n", optarg);
				return 2;
			}
			break;
		case 'C':
			sim.okx_legacy_checksum = 1;
			break;
		case 1006:
			sim.okx_legacy_format = sim.okx_legacy_checksum = 1;
			break;
		case 'N':
			nosnap = 1;
			break;
		case 'P':
			sim.paused = 1;
			break;
		case 'F':
			faults = optarg;
			break;
		case 1004:
			replay = optarg;
			break;
		case 1005:
			speed = strtod(optarg, &end);
			if (end == optarg || *end || !(speed >= 0.01 && speed <= 100000)) {
				fprintf(stderr, "mpsim: --speed: '%s' must be a number in 0.01..100000\n", optarg);
				return 2;
			}
			break;
		case 'l':
			lv = log_level_parse(optarg);
			if (lv < 0) {
				fprintf(stderr, "mpsim: --log-level: '%s' is not debug, info, warn or error\n", optarg);
				return 2;
			}
			log_set_level((enum log_level)lv);
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fprintf(stderr, "mpsim: see mpsim --help\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mpsim: unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	sim.timer_rate = timer_rate > 0 ? timer_rate : sim.rate;
	signal(SIGPIPE, SIG_IGN);
	sim.loop = uv_default_loop();
	sim.start_ms = sim_mono_ms();

	/* Instruments: every symbol on both venues, Binance first. */
	if (sim_setup_instruments(symbols, levels) < 0)
		return 2;
	if (nosnap)
		for (int i = 0; i < sim.ninst; i++)
			sim.inst[i].okx_nosnap = -1;
	if (faults) {
		char list[2048], *save = NULL;
		if (strlen(faults) >= sizeof list) {
			fprintf(stderr, "mpsim: --faults: too long\n");
			return 2;
		}
		strcpy(list, faults);
		for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			struct flt_spec f;
			if (flt_parse_item(t, &f, err, sizeof err) < 0) {
				fprintf(stderr, "mpsim: --faults: %s\n", err);
				return 2;
			}
			sim.pf = realloc(sim.pf, (size_t)(sim.npf + 1) * sizeof *sim.pf);
			if (sim.pf == NULL)
				return 1;
			sim.pf[sim.npf].spec = f;
			sim.pf[sim.npf].due_ms = sim.start_ms + f.after_ms;
			sim.pf[sim.npf].done = 0;
			sim.npf++;
		}
	}
	if ((tls_cert != NULL) != (tls_key != NULL)) {
		fprintf(stderr, "mpsim: --tls-cert and --tls-key go together\n");
		return 2;
	}
	if ((tls_cert || tls_out) && !tls) {
		fprintf(stderr, "mpsim: --tls-cert/--tls-key/--tls-cert-out need --tls\n");
		return 2;
	}
	if (tls && tls_init(tls_cert, tls_key, tls_out) < 0)
		return 1;
	if (replay && replay_load(replay, speed, err, sizeof err) < 0) {
		fprintf(stderr, "mpsim: --replay: %s\n", err);
		return 2;
	}
	if (http_listen(SIM_BINANCE, bind, bport, &bport) < 0 || http_listen(SIM_OKX, bind, oport, &oport) < 0 ||
	    http_listen(SIM_BYBIT, bind, yport, &yport) < 0 || http_listen(SIM_BINANCE_USDM, bind, uport, &uport) < 0 ||
	    http_listen(SIM_BINANCE_COINM, bind, cport, &cport) < 0 ||
	    http_listen(SIM_DERIBIT, bind, dport, &dport) < 0)
		return 1;
	sim.clock_t0 = sim_mono_ms();
	sim.clock_steps0 = 0;
	uv_timer_init(sim.loop, &step_timer);
	uv_timer_init(sim.loop, &hk_timer);
	{
		int64_t period = (int64_t)(100.0 / sim.rate);
		if (period < 1)
			period = 1;
		if (period > 100)
			period = 100;
		uv_timer_start(&step_timer, on_step, (uint64_t)period, (uint64_t)period);
	}
	uv_timer_start(&hk_timer, on_housekeeping, 20, 20);
	uv_signal_init(sim.loop, &sig_int);
	uv_signal_init(sim.loop, &sig_term);
	uv_signal_start(&sig_int, on_signal, SIGINT);
	uv_signal_start(&sig_term, on_signal, SIGTERM);
	log_info("ready", "binance=%d okx=%d bybit=%d binance-usdm=%d binance-coinm=%d deribit=%d bind=%s seed=%llu "
	    "rate=%g timer_rate=%g instruments=%d levels=%d", bport, oport, yport, uport, cport, dport, bind,
	    (unsigned long long)sim.seed, sim.rate, sim.timer_rate, sim.ninst, levels);
	printf("mpsim ready binance=%d okx=%d bybit=%d binance-usdm=%d binance-coinm=%d deribit=%d\n", bport, oport,
	    yport, uport, cport, dport);
	fflush(stdout);
	uv_run(sim.loop, UV_RUN_DEFAULT);
	uv_loop_close(sim.loop);
	sim_free_instruments();
	replay_free();
	tls_shutdown();
	free(sim.pf);
	return 0;
}
