/*
 * mpreplay - run raw capture files through the live parser (feedd/parse.h)
 * and the live book code (bookd/sync.h) offline, and print one JSON summary
 * per book.
 *
 * Capture lines (design.md section 6): "<recv_ns> <exchange> ws <payload>" or
 * "<recv_ns> <exchange> rest:<path-and-query> <payload>".  Time is the
 * capture's: recv_ns drives every timer (backoff, periodic snapshots), so a
 * replay is deterministic.  Snapshot requests the books make go nowhere; a
 * REST snapshot line in the capture is taken like a live answer (req_id 0):
 * while the book is unsynced it syncs it, while it is synced (Binance) it is
 * a deep refresh, spliced and audited as bookd does (bookd/splice.h), so a
 * recording of a live run replays exactly.
 *
 * Instruments: with no [instruments] key set (file or --set), every
 * instrument a capture names gets a book (the venue's id mapped back to the
 * canonical name by the venue table); any key set restricts to the config.
 * The source field may be "ws:<path>" (the WebSocket path, which picks the
 * market where a venue has several endpoints; plain "ws" is the default
 * market): the Binance family and OKX read every market's frames alike.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bookd/sync.h"
#include "../../feedd/parse.h"
#include "../../stored/store_write.h"
#include "cfg.h"
#include "cfg_schemas.h"
#include "inst.h"
#include "log.h"
#include "pipe.h"
#include "rec.h"

static const char usage[] =
    "usage: mpreplay [-c CONF] [--set SECTION.KEY=VALUE]... [--levels N] [--records] FILE...\n"
    "\n"
    "Replays raw capture files (\"<recv_ns> <exchange> ws|rest:<path> <payload>\" per\n"
    "line; \"-\" reads stdin) through feedd's parser and bookd's book code, and prints\n"
    "one JSON object per book that saw any record:\n"
    "  exchange, symbol, venue_symbol (the venue's own id), frames, applied, gaps, resyncs, expected/received/missing/late\n"
    "  updates (by the venue's ids, bookd/sync_loss.c), checksum_ok, checksum_failed,\n"
    "  bbo_agree, bbo_disagree, crossed, levels_bid, levels_ask, best_bid, best_ask\n"
    "  (exchange strings), bid_exact_floor, ask_exact_ceil (the exact range: price\n"
    "  strings or null), exact_levels_bid, exact_levels_ask (levels inside it),\n"
    "  refreshes, refresh_discrepancies (Binance REST lines reaching a synced book\n"
    "  are deep refreshes, spliced), for OKX and Bybit top5_agree, top5_disagree,\n"
    "  top5_not_comparable (OKX books5 / bbo-tbt at the same seqId, Bybit orderbook.1\n"
    "  at the same seq, against the book) and window_agree, window_discrepancies,\n"
    "  window_not_comparable (REST book lines reaching a synced book, audited),\n"
    "  synced, last_id, and the top N levels per side.\n"
    "\n"
    "Options:\n"
    "  --levels N   levels per side listed in bids/asks (default 5)\n"
    "  --records    also print every record the books emit, as JSON, one per line\n"
    "  --store DIR  also write every record the books emit into a local store at DIR\n"
    "               (the layout stored writes, readable by mpstore and mpexport): the\n"
    "               way to export a capture with mpexport; DIR should be empty (records\n"
    "               an earlier replay left there count as duplicates: exit status 1);\n"
    "               zstd level [stored] zstd_level, as stored writes\n"
    "  --store-commit S  commit the store every S seconds of recorded time (the\n"
    "               records' recv_ns), as stored does every commit_interval (one block\n"
    "               per stream per commit); default: only every 8 MiB of records\n"
    "  --store-codec N   block codec: 5 (default, columns range-coded with context\n"
    "               models, counted probabilities and per-level size history), 4 (the\n"
    "               first range-coded codec), 3 (columns with predicted snapshots, then\n"
    "               zstd: the codec before issue 12), 2 (columns, before 2026-12) or 1\n"
    "               (plain zstd);\n"
    "               for comparing them on the same data\n"
    "  -c, --set    the instruments ([instruments]: with none set, every instrument\n"
    "               of the capture gets a book; any set restricts) and book settings ([bookd])\n"
    "               come from the config, as for bookd\n";

#define REPLAY_RING_ID 0x6d707270ULL

struct replay {
	struct inst_registry reg;
	struct bk_cfg bc;
	struct bk *books;               /* reg.max (adopting: every book the registry can take) */
	int *by_id;                     /* id (0 .. reg.max) -> index in books, -1 */
	int nbooks;
	struct parse_ctx pc[EX_END];     /* by enum exch_id */
	int pc_ready[EX_END];
	int started[EX_END];            /* books of the venue started (by enum exch_id) */
	int print_records;
	struct store_writer *sw;     /* --store */
	uint64_t sw_seq, sw_errors, sw_dups;
	int64_t sw_commit_ns, sw_last_commit;   /* --store-commit; recv_ns of the last commit */
	int64_t now;
	int cur_exch;            /* exchange of the line being replayed */
	int adopt;               /* every instrument seen gets a book (no [instruments] set) */
	uint64_t lines, bad_lines, parse_errors, bad_records, requests;
	uint64_t file_used;      /* lines of the current file that were used */
	uint64_t adopt_refused;  /* symbols that could not be mapped or added */
};

#define BAD_EXAMPLES 5       /* malformed lines shown; the rest are counted */

static void
sink_record(void *ud, const struct rec_hdr *rec)
{
	struct replay *r = ud;
	char *js, err[256];

	if (r->sw) {
		/* one pseudo ring (id "mprp") numbered in emission order */
		int w = store_writer_add(r->sw, REPLAY_RING_ID, ++r->sw_seq, r->cur_exch, rec, rec->len, err,
		    sizeof err);
		if (w == STORE_W_ERR) {
			if (!r->sw_errors++)
				fprintf(stderr, "mpreplay: store: %s\n", err);
		} else if (w == STORE_W_DUP) {
			/* the directory holds an earlier replay: its seqs are durable already */
			r->sw_dups++;
		} else {
			int due = store_writer_pending(r->sw) > (8u << 20);
			if (r->sw_commit_ns && rec->recv_ns) {
				if (!r->sw_last_commit)
					r->sw_last_commit = rec->recv_ns;
				if (rec->recv_ns - r->sw_last_commit >= r->sw_commit_ns) {
					due = 1;
					r->sw_last_commit = rec->recv_ns;
				}
			}
			if (due && store_writer_commit(r->sw, err, sizeof err) < 0 && !r->sw_errors++)
				fprintf(stderr, "mpreplay: store: %s\n", err);
		}
	}
	if (!r->print_records)
		return;
	js = rec_to_json(rec, &r->reg, -1);
	if (js) {
		puts(js);
		free(js);
	}
}

static void
sink_control(void *ud, const struct rec_control *c)
{
	struct replay *r = ud;

	(void)c;
	r->requests++;
}

static struct bk_sink g_sink = {NULL, sink_record, sink_control};

static void
start_books(struct replay *r, int exch, int64_t now)
{
	if (r->started[exch])
		return;
	r->started[exch] = 1;
	for (int i = 0; i < r->nbooks; i++)
		if (r->books[i].in->exch == exch)
			bk_start(&r->books[i], now);
}

/* parse_ctx.adopt: a book for an instrument the capture names. */
static const struct inst *
adopt_inst(void *ud, int exch, const char *sym, size_t len)
{
	struct replay *r = ud;
	char canon[32], err[200];
	uint32_t id;
	const struct venue *v = venue_get(exch);

	if (!r->adopt || !v || r->nbooks >= r->reg.max)
		return NULL;
	if (venue_canon_of(v, sym, len, canon, sizeof canon) < 0 ||
	    (id = inst_add(&r->reg, exch, canon, err, sizeof err)) == 0) {
		if (!r->adopt_refused++)
			fprintf(stderr, "mpreplay: %s symbol %.*s: no canonical name for it, not followed\n", v->name,
			    (int)(len > 32 ? 32 : len), sym);
		return NULL;
	}
	if (bk_init(&r->books[r->nbooks], inst_get(&r->reg, id), &r->bc, &g_sink) < 0) {
		fprintf(stderr, "mpreplay: out of memory\n");
		exit(1);
	}
	r->by_id[id] = r->nbooks++;
	if (r->sw && store_writer_set_reg(r->sw, &r->reg, err, sizeof err) < 0) {
		fprintf(stderr, "mpreplay: store: %s\n", err);
		exit(1);
	}
	if (r->started[exch])
		bk_start(&r->books[r->nbooks - 1], r->now);
	return inst_get(&r->reg, id);
}

/* A record from the parser. */
static int
on_record(void *ud, const struct rec_hdr *rec)
{
	struct replay *r = ud;
	char err[160];
	int idx;

	if (rec_check(rec, rec->len, err, sizeof err) < 0) {
		r->bad_records++;
		fprintf(stderr, "mpreplay: parser produced a bad record: %s\n", err);
		return 0;
	}
	if (rec->inst == 0) {
		if (rec->type == REC_EVENT) {
			const struct rec_event *ev = (const void *)rec;
			for (int i = 0; i < r->nbooks; i++)
				if (r->books[i].in->exch == r->cur_exch)
					bk_venue_event(&r->books[i], ev, r->now);
		}
		return 0;
	}
	idx = rec->inst <= (uint32_t)r->reg.max ? r->by_id[rec->inst] : -1;
	if (idx >= 0)
		bk_input(&r->books[idx], rec, r->now);
	return 0;
}

static int
parse_u64(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;

	if (n == 0 || n > 19)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* One capture line (without its newline). */
static void
replay_line(struct replay *r, char *line, size_t len, const char *file, uint64_t lineno)
{
	char *sp1, *sp2, *sp3, *payload, *src;
	int64_t recv_ns;
	int exch, rc;
	struct parse_ctx *pc;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	if (len == 0 || line[0] == '#')
		return;
	r->lines++;
	sp1 = memchr(line, ' ', len);
	sp2 = sp1 ? memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - line)) : NULL;
	sp3 = sp2 ? memchr(sp2 + 1, ' ', len - (size_t)(sp2 + 1 - line)) : NULL;
	if (!sp3 || parse_u64(line, (size_t)(sp1 - line), &recv_ns) < 0) {
		if (++r->bad_lines <= BAD_EXAMPLES)
			fprintf(stderr, "mpreplay: %s:%" PRIu64 ": not \"<recv_ns> <exchange> <source> <payload>\"\n",
		    file, lineno);
		return;
	}
	*sp1 = *sp2 = *sp3 = '\0';
	exch = exch_parse(sp1 + 1);
	src = sp2 + 1;
	payload = sp3 + 1;
	if (!venue_get(exch) || !venue_get(exch)->implemented) {
		if (++r->bad_lines <= BAD_EXAMPLES)
			fprintf(stderr, "mpreplay: %s:%" PRIu64 ": %s exchange %s\n", file, lineno,
		    venue_get(exch) ? "not implemented yet:" : "unknown", sp1 + 1);
		return;
	}
	if (!r->pc_ready[exch]) {
		if (parse_init(&r->pc[exch], &r->reg, exch) < 0) {
			fprintf(stderr, "mpreplay: cannot set up the %s parser\n", exch_name(exch));
			exit(1);
		}
		r->pc_ready[exch] = 1;
		r->pc[exch].adopt = adopt_inst;
		r->pc[exch].adopt_ud = r;
	}
	pc = &r->pc[exch];
	r->now = recv_ns;
	r->cur_exch = exch;
	start_books(r, exch, recv_ns);
	if (strcmp(src, "ws") == 0 || strncmp(src, "ws:/", 4) == 0) {
		/* "ws:<path>": the path picks the market where it matters (Bybit) */
		pc->ws_path = src[2] == ':' ? src + 3 : NULL;
		rc = parse_ws(pc, payload, len - (size_t)(payload - line), recv_ns, on_record, r);
		pc->ws_path = NULL;
	} else if (strncmp(src, "rest:", 5) == 0)
		rc = parse_rest(pc, src + 5, payload, len - (size_t)(payload - line), recv_ns, 0, on_record, r);
	else {
		if (++r->bad_lines <= BAD_EXAMPLES)
			fprintf(stderr, "mpreplay: %s:%" PRIu64 ": source must be ws, ws:<path> or rest:<path>, not %s\n",
			    file, lineno, src);
		return;
	}
	if (rc >= 0)
		r->file_used++;
	if (rc < 0) {
		r->parse_errors++;
		if (r->parse_errors <= 10)
			fprintf(stderr, "mpreplay: %s:%" PRIu64 ": %s frame not parsed: %s\n", file, lineno,
			    exch_name(exch), pc->err);
	}
	/* each venue's books run on that venue's capture clock (files of
	 * different venues may be replayed one after the other) */
	for (int i = 0; i < r->nbooks; i++)
		if (r->books[i].in->exch == exch)
			bk_tick(&r->books[i], recv_ns);
}

static int
replay_file(struct replay *r, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	uint64_t lineno = 0;

	if (!f) {
		fprintf(stderr, "mpreplay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	r->file_used = 0;
	while ((n = getline(&line, &cap, f)) >= 0)
		replay_line(r, line, (size_t)n, path, ++lineno);
	free(line);
	if (f != stdin)
		fclose(f);
	if (r->file_used == 0) {
		fprintf(stderr, "mpreplay: %s: none of its %" PRIu64 " lines could be used\n", path, lineno);
		return -1;
	}
	return 0;
}

static void
print_levels(const struct bk *k, int side, int max)
{
	char px[64], qty[64];

	printf("[");
	for (int i = 0; i < max; i++) {
		const struct rec_level *l = book_level(k->book, side, (uint32_t)i);
		if (!l)
			break;
		inst_fmt_px(k->in, l->px, px, sizeof px);
		inst_fmt_qty(k->in, l->qty, qty, sizeof qty);
		printf("%s[\"%s\", \"%s\"]", i ? ", " : "", px, qty);
	}
	printf("]");
}

static void
print_best(const struct bk *k, int side)
{
	const struct rec_level *l = book_level(k->book, side, 0);
	char px[64];

	if (!l) {
		printf("null");
		return;
	}
	inst_fmt_px(k->in, l->px, px, sizeof px);
	printf("\"%s\"", px);
}

/* A price as a JSON string, or null for 0 (none). */
static void
print_px(const struct bk *k, int64_t v)
{
	char px[64];

	if (!v) {
		printf("null");
		return;
	}
	inst_fmt_px(k->in, v, px, sizeof px);
	printf("\"%s\"", px);
}

static void
print_summary(const struct bk *k, int levels)
{
	const struct bk_stats *s = &k->st;

	printf("{\"exchange\": \"%s\", \"symbol\": \"%s\", \"venue_symbol\": \"%s\", \"frames\": %" PRIu64 ", \"applied\": %" PRIu64
	    ", \"gaps\": %" PRIu64 ", \"resyncs\": %" PRIu64 ", \"checksum_ok\": %" PRIu64
	    ", \"checksum_failed\": %" PRIu64 ", \"bbo_agree\": %" PRIu64 ", \"bbo_disagree\": %" PRIu64
	    ", \"bbo_not_comparable\": %" PRIu64 ", \"crossed\": %" PRIu64 ", \"stale\": %" PRIu64
	    ", \"syncs\": %" PRIu64 ", \"levels_bid\": %u, \"levels_ask\": %u, ",
	    exch_name(k->in->exch), k->in->symbol, k->in->venue_symbol, s->frames, s->applied, s->gaps, s->resyncs,
	    s->checksum_ok, s->checksum_failed, s->bbo_agree, s->bbo_disagree, s->bbo_nc, s->crossed,
	    s->stale, s->syncs, book_count(k->book, BOOK_BID), book_count(k->book, BOOK_ASK));
	printf("\"updates_expected\": %" PRIu64 ", \"updates_received\": %" PRIu64 ", \"updates_missing\": %" PRIu64
	    ", \"updates_late\": %" PRIu64 ", \"best_bid\": ", s->upd_expected, s->upd_received, s->upd_missing,
	    s->upd_late);
	print_best(k, BOOK_BID);
	printf(", \"best_ask\": ");
	print_best(k, BOOK_ASK);
	printf(", \"bid_exact_floor\": ");
	print_px(k, k->edge_px[BOOK_BID]);
	printf(", \"ask_exact_ceil\": ");
	print_px(k, k->edge_px[BOOK_ASK]);
	printf(", \"exact_levels_bid\": %u, \"exact_levels_ask\": %u, \"refreshes\": %" PRIu64
	    ", \"refresh_discrepancies\": %" PRIu64, bk_exact_levels(k, BOOK_BID), bk_exact_levels(k, BOOK_ASK),
	    s->refreshes, s->refresh_discrepancies);
	printf(", \"refresh_held\": %" PRIu64 ", \"refresh_too_old\": %" PRIu64, s->refresh_held, s->refresh_too_old);
	if (k->ops->seq_audits)   /* the venue table: OKX, Bybit */
		printf(", \"top5_agree\": %" PRIu64 ", \"top5_disagree\": %" PRIu64 ", \"top5_not_comparable\": %" PRIu64
		    ", \"window_agree\": %" PRIu64 ", \"window_discrepancies\": %" PRIu64
		    ", \"window_not_comparable\": %" PRIu64, s->top_agree, s->top_disagree, s->top_nc,
		    s->window_agree, s->window_discrepancies, s->window_nc);
	printf(", \"synced\": %s, \"last_id\": %" PRId64 ", \"bids\": ", k->state == BK_SYNCED ? "true" : "false",
	    k->id);
	print_levels(k, BOOK_BID, levels);
	printf(", \"asks\": ");
	print_levels(k, BOOK_ASK, levels);
	printf("}\n");
}

/* 1 when no [instruments] key was set by the file or --set. */
static int
instruments_unset(const struct cfg *c)
{
	const struct venue *v;
	int it = 0;

	while ((v = venue_next(&it)))
		if (strcmp(cfg_origin(c, "instruments", v->name), "default") != 0)
			return 0;
	return 1;
}

int
main(int argc, char **argv)
{
	static struct replay r;
	struct cfg_cli cli;
	struct cfg *cfg;
	char err[512];
	int levels = 5, nfiles = 0, rc = 0, lvl;
	const char *files[256];
	const char *store_dir = NULL;
	int store_codec = 0;

	log_init("mpreplay");
	log_set_level(LOG_WARN);
	argc = cfg_cli_parse(argc, argv, &cli, err, sizeof err);
	if (argc < 0) {
		fprintf(stderr, "mpreplay: %s\n%s", err, usage);
		return 2;
	}
	if (cli.help) {
		fputs(usage, stdout);
		fputs("\nConfiguration keys:\n", stdout);
		cfg_print_reference(cfg_all_schemas, stdout);
		return 0;
	}
	if (cli.log_level) {
		if ((lvl = log_level_parse(cli.log_level)) < 0) {
			fprintf(stderr, "mpreplay: bad --log-level %s\n", cli.log_level);
			return 2;
		}
		log_set_level((enum log_level)lvl);
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--levels") == 0 && i + 1 < argc) {
			levels = atoi(argv[++i]);
			if (levels < 0 || levels > 5000) {
				fprintf(stderr, "mpreplay: --levels must be 0..5000\n");
				return 2;
			}
		} else if (strcmp(argv[i], "--records") == 0) {
			r.print_records = 1;
		} else if (strcmp(argv[i], "--store") == 0 && i + 1 < argc) {
			store_dir = argv[++i];
		} else if (strcmp(argv[i], "--store-codec") == 0 && i + 1 < argc) {
			store_codec = atoi(argv[++i]);
			if (store_codec < 1 || store_codec > 5) {
				fprintf(stderr, "mpreplay: --store-codec must be 1 to 5\n");
				return 2;
			}
		} else if (strcmp(argv[i], "--store-commit") == 0 && i + 1 < argc) {
			double s = atof(argv[++i]);
			if (!(s > 0 && s <= 3600)) {
				fprintf(stderr, "mpreplay: --store-commit must be 0..3600 seconds\n");
				return 2;
			}
			r.sw_commit_ns = (int64_t)(s * 1e9);
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "mpreplay: unknown option %s\n%s", argv[i], usage);
			return 2;
		} else if (nfiles < 256) {
			files[nfiles++] = argv[i];
		}
	}
	if (nfiles == 0) {
		fprintf(stderr, "mpreplay: no capture file given\n%s", usage);
		return 2;
	}
	cfg = pipe_cfg_load(cli.conf, cli.sets, cli.nsets, err, sizeof err);
	if (!cfg) {
		fprintf(stderr, "mpreplay: config error: %s\n", err);
		return 2;
	}
	if (pipe_instruments(cfg, &r.reg, err, sizeof err) < 0) {
		fprintf(stderr, "mpreplay: %s\n", err);
		return 2;
	}
	r.adopt = instruments_unset(cfg);
	if (r.adopt)
		r.reg.n = 0;   /* the defaults name no capture's instruments: take what comes */
	bk_cfg_load(&r.bc, cfg);
	r.bc.out_flags = REC_F_REPLAY;
	g_sink.ud = &r;
	/* Books point into the registry: it never moves once reserved, so an
	 * adopted instrument leaves the others' pointers alone. */
	r.books = calloc((size_t)r.reg.max, sizeof *r.books);
	r.by_id = malloc(((size_t)r.reg.max + 1) * sizeof *r.by_id);
	if (!r.books || !r.by_id || inst_reg_reserve(&r.reg, r.reg.max) < 0) {
		fprintf(stderr, "mpreplay: out of memory for %d instruments\n", r.reg.max);
		return 1;
	}
	for (int i = 0; i <= r.reg.max; i++)
		r.by_id[i] = -1;
	for (int i = 0; i < r.reg.n; i++) {
		if (bk_init(&r.books[r.nbooks], &r.reg.v[i], &r.bc, &g_sink) < 0) {
			fprintf(stderr, "mpreplay: out of memory\n");
			return 1;
		}
		r.by_id[r.reg.v[i].id] = r.nbooks++;
	}
	if (store_dir) {
		struct store_writer_opts wo;
		memset(&wo, 0, sizeof wo);
		wo.root = store_dir;
		wo.reg = &r.reg;
		wo.zstd_level = (int)cfg_int(cfg, "stored", "zstd_level");
		wo.codec = store_codec;
		if (!(r.sw = store_writer_open(&wo, err, sizeof err))) {
			fprintf(stderr, "mpreplay: store %s: %s\n", store_dir, err);
			return 1;
		}
	}
	for (int i = 0; i < nfiles; i++)
		if (replay_file(&r, files[i]) < 0)
			rc = 1;
	if (r.sw) {
		if (store_writer_close(r.sw, err, sizeof err) < 0) {
			fprintf(stderr, "mpreplay: store %s: %s\n", store_dir, err);
			r.sw_errors++;
		}
		if (r.sw_dups) {
			fprintf(stderr, "mpreplay: store %s already holds an earlier replay: %" PRIu64 " records were "
			    "not written (duplicates of its numbering); replay into an empty directory\n", store_dir,
			    r.sw_dups);
			rc = 1;
		}
		if (r.sw_errors) {
			fprintf(stderr, "mpreplay: %" PRIu64 " store errors: the store is incomplete\n", r.sw_errors);
			rc = 1;
		}
	}
	/* venue by venue, each in the order its books were made */
	for (int x = EX_NONE + 1; x < EX_END; x++)
		for (int i = 0; i < r.nbooks; i++)
			if (r.books[i].in->exch == x && r.books[i].st.frames)
				print_summary(&r.books[i], levels);
	if (r.bad_lines > BAD_EXAMPLES)
		fprintf(stderr, "mpreplay: %" PRIu64 " malformed lines (the first %d shown)\n", r.bad_lines,
		    BAD_EXAMPLES);
	if (r.bad_lines || r.parse_errors || r.bad_records)
		fprintf(stderr, "mpreplay: %" PRIu64 " lines, %" PRIu64 " malformed, %" PRIu64
		    " frames not parsed, %" PRIu64 " bad records\n", r.lines, r.bad_lines, r.parse_errors,
		    r.bad_records);
	for (int i = 0; i < r.nbooks; i++)
		bk_free(&r.books[i]);
	for (int x = 0; x < EX_END; x++)
		if (r.pc_ready[x])
			parse_free(&r.pc[x]);
	free(r.books);
	free(r.by_id);
	inst_reg_free(&r.reg);
	cfg_free(cfg);
	return rc;
}
