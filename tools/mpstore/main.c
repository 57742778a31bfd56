/*
 * mpstore - list, verify and print what the local store holds (store.h).
 *
 *   mpstore list   [-c CONF] [--dir D] [filters] [--json]
 *   mpstore verify [-c CONF] [--dir D] [filters]       one JSON object
 *   mpstore print  [-c CONF] [--dir D] [filters] [--types T,..] [--levels N] [--limit N]
 *   mpstore capture [-c CONF] [--dir D] [filters] [--limit N]   raw frames, capture format
 * filters: --exchange E --symbol S --from T --to T (T: ns or ISO-8601 UTC)
 */
#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cfg.h"
#include "daemon.h"
#include "log.h"
#include "inst.h"
#include "rec.h"
#include "../../stored/store.h"

static const char usage[] =
    "usage: mpstore list|verify|print|capture [-c CONF] [options]\n"
    "\n"
    "  list     every stream and segment: hours, blocks, records per type,\n"
    "           time range, bytes before/after compression, sealed or not\n"
    "  verify   read every block (checksums), check each book's continuity\n"
    "           (delta.prev_id == last_id of the previous delta/snapshot within a\n"
    "           sync epoch) and print one JSON object: per book records,\n"
    "           snapshots, deltas, unexplained gaps (must be 0), recorded gap\n"
    "           events with their extent, corrupted blocks, segments set aside\n"
    "           as unreadable, and sealed segments (per each stream's MANIFEST)\n"
    "           that are short, unsealed or missing, with the records lost.\n"
    "           Exit 0 when there are no unexplained gaps, no corrupted blocks or\n"
    "           segments and no sealed-segment errors, else 1\n"
    "  print    one JSON object per record (rec_to_json, exact price strings\n"
    "           from the segment's own instrument table)\n"
    "  capture  the raw frames as a capture file, one per line:\n"
    "           \"<recv_ns> <exchange> ws|rest:<path> <payload>\" (for mpreplay -)\n"
    "\n"
    "Options:\n"
    "  --dir D          store root (default [stored] dir, else <data_dir>/store)\n"
    "  --exchange E     only this exchange (binance, okx)\n"
    "  --symbol S       only this symbol (BTC-USDT, btcusdt, _raw, _sys)\n"
    "  --from T         records at or after T (ns since the epoch or 2026-11-24T02:00:00Z)\n"
    "  --to T           records before T\n"
    "  --raw            include the raw frame streams (list/print without --symbol)\n"
    "  --json           list: one JSON object per segment instead of a table\n"
    "  --types T,...    print: only these record types (delta,snapshot,trade,ticker,\n"
    "                   kline,control,event,raw,market,instrument)\n"
    "  --levels N       print: at most N levels per side (default 10, -1 = all)\n"
    "  --limit N        print: stop after N records (default: no limit)\n";

struct opts {
	const char *dir, *exchange, *symbol;
	int64_t from, to;
	int raw, json, levels;
	long limit;
	uint32_t types;
};

/* ---- verify ---- */

#define MAX_LIST 1000

struct bk {
	const struct store_stream *st;
	struct store_check c;
	uint64_t digest;
	uint64_t n_gap_list, n_unx_list;
	char *gap_json, *unx_json;      /* growing JSON arrays (without brackets) */
	size_t gap_len, unx_len;
};

struct vstate {
	struct bk *bk;
	int n;
	char *corrupt;
	size_t corrupt_len;
	uint64_t n_corrupt, n_tail;
	char *tails;
	size_t tails_len;
};

static void
append(char **buf, size_t *len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
append(char **buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char tmp[1024];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof tmp)
		n = sizeof tmp - 1;
	*buf = realloc(*buf, *len + (size_t)n + 1);
	memcpy(*buf + *len, tmp, (size_t)n + 1);
	*len += (size_t)n;
}

static void
json_str(char *out, size_t cap, const char *s)
{
	size_t o = 0;

	for (; *s && o + 8 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = 0;
}

static struct bk *
bk_for_path(struct vstate *v, const char *path)
{
	int i;

	for (i = 0; i < v->n; i++) {
		size_t l = strlen(v->bk[i].st->dir);
		if (!strncmp(path, v->bk[i].st->dir, l) && path[l] == '/')
			return &v->bk[i];
	}
	return NULL;
}

static void
on_fault(const struct store_fault *f, void *arg)
{
	struct vstate *v = arg;
	struct bk *b = bk_for_path(v, f->path);
	char p[1100], w[300];

	json_str(p, sizeof p, f->path);
	json_str(w, sizeof w, f->what);
	if (f->tail) {
		v->n_tail++;
		append(&v->tails, &v->tails_len, "%s{\"path\": \"%s\", \"offset\": %" PRIu64 ", \"what\": \"%s\"}",
		    v->n_tail > 1 ? ", " : "", p, f->off, w);
		return;
	}
	v->n_corrupt++;
	if (v->n_corrupt <= MAX_LIST)
		append(&v->corrupt, &v->corrupt_len, "%s{\"path\": \"%s\", \"offset\": %" PRIu64
		    ", \"block\": %" PRId64 ", \"what\": \"%s\"}", v->n_corrupt > 1 ? ", " : "", p, f->off,
		    f->block_no == UINT32_MAX ? (int64_t)-1 : (int64_t)f->block_no, w);
	if (b)
		store_check_corrupt(&b->c);
}

static void
print_time(const char *key, int64_t t)
{
	char buf[64];

	if (!t) {
		printf("\"%s\": null", key);
		return;
	}
	store_time_fmt(t, buf, sizeof buf);
	printf("\"%s\": \"%s\"", key, buf);
}

/*
 * Sealed segments against the stream manifests (store.h "Manifest"): a
 * segment the manifest says was sealed must be there, sealed, of the size and
 * record count it had; each "lost" line stored wrote stays an error; and a
 * torn tail is allowed only in a stream's newest segment.  Appends one JSON
 * object per problem to *out; returns the number of problems, *lost the
 * records they lost.
 */
static int
stream_wanted(const struct opts *o, const char *exchange, const char *symbol)
{
	return !(o->exchange && strcmp(o->exchange, exchange)) && !(o->symbol && strcasecmp(o->symbol, symbol));
}

/* One stream directory's manifest against its files. */
static uint64_t
verify_manifest(const char *dir, char **out, size_t *len, uint64_t n, uint64_t *lost)
{
	struct store_manifest m;
	char err[512], p[1100], path[1200];
	int j;

	if (store_manifest_load(dir, &m, err, sizeof err) < 0) {
		json_str(p, sizeof p, err);
		append(out, len, "%s{\"path\": \"%s/MANIFEST\", \"state\": \"unreadable_manifest\", \"what\": \"%s\"}",
		    n++ ? ", " : "", dir, p);
		return n;
	}
	if (m.bad_lines) {
		json_str(p, sizeof p, dir);
		append(out, len, "%s{\"path\": \"%s/MANIFEST\", \"state\": \"bad_manifest_lines\", \"lines\": %d}",
		    n++ ? ", " : "", p, m.bad_lines);
	}
	for (j = 0; j < m.n_loss; j++) {
		snprintf(path, sizeof path, "%s/%s", dir, m.loss[j].name);
		json_str(p, sizeof p, path);
		append(out, len, "%s{\"path\": \"%s\", \"state\": \"lost_before\", \"records_sealed\": %" PRIu64
		    ", \"records_lost\": %" PRIu64 ", \"what\": \"stored found this sealed segment damaged and set it aside\"}",
		    n++ ? ", " : "", p, m.loss[j].of, m.loss[j].lost);
		*lost += m.loss[j].lost;
	}
	for (j = 0; j < m.n_seg; j++) {
		const struct store_manifest_seg *e = &m.seg[j];
		struct store_seg_info info;
		uint64_t l;
		int have;

		if (!e->sealed)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->name);
		have = access(path, F_OK) == 0;
		if (have && store_seg_scan(path, 0, &info, NULL, NULL, err, sizeof err) < 0)
			memset(&info, 0, sizeof info);   /* unreadable header: nothing found in it */
		if (!store_manifest_check(e, have ? &info : NULL, &l))
			continue;
		json_str(p, sizeof p, path);
		append(out, len, "%s{\"path\": \"%s\", \"state\": \"%s\", \"records_sealed\": %" PRIu64
		    ", \"records_found\": %" PRIu64 ", \"records_lost\": %" PRIu64 ", \"bytes_sealed\": %" PRIu64
		    ", \"bytes_found\": %" PRIu64 "}", n++ ? ", " : "", p,
		    !have ? "missing" : info.size < e->bytes ? "short" : !info.sealed ? "unsealed" : "damaged",
		    e->records, have ? info.n_records : 0, l, e->bytes, have ? info.size : 0);
		*lost += l;
	}
	store_manifest_free(&m);
	return n;
}

/*
 * Sealed segments against the stream manifests (store.h "Manifest"): a
 * segment the manifest says was sealed must be there, sealed, of the size and
 * record count it had; each "lost" line stored wrote stays an error; and a
 * torn tail is allowed only in a stream's newest segment.  Appends one JSON
 * object per problem to *out; returns the number of problems, *lost the
 * records they lost.  Manifests are found by their own path, so a stream
 * whose every segment was deleted is still checked.
 */
static uint64_t
verify_sealed(const struct opts *o, const struct store_stream *ss, int ns, char **out, size_t *len,
    uint64_t *lost)
{
	char pat[1100], err[512], p[1100], path[1200];
	uint64_t n = 0;
	glob_t g;
	size_t k;
	int i, j;

	*lost = 0;
	snprintf(pat, sizeof pat, "%s/*/*/MANIFEST", o->dir);
	memset(&g, 0, sizeof g);
	glob(pat, 0, NULL, &g);
	for (k = 0; k < g.gl_pathc; k++) {
		char dir[1100], *sym, *ex;

		snprintf(dir, sizeof dir, "%s", g.gl_pathv[k]);
		*strrchr(dir, '/') = 0;
		sym = strrchr(dir, '/');
		*sym = 0;
		ex = strrchr(dir, '/');
		if (!ex || !stream_wanted(o, ex + 1, sym + 1))
			continue;
		*sym = '/';
		n = verify_manifest(dir, out, len, n, lost);
	}
	globfree(&g);
	/* A torn tail is the open segment's last block: only the newest
	 * segment may have one (the writer seals the others). */
	for (i = 0; i < ns; i++) {
		const struct store_stream *st = &ss[i];
		struct store_manifest m;

		if (!stream_wanted(o, st->exchange, st->symbol) || store_manifest_load(st->dir, &m, err, sizeof err) < 0)
			continue;
		for (j = 0; j + 1 < st->n_seg; j++) {
			struct store_seg_info info;

			snprintf(path, sizeof path, "%s/%s", st->dir, st->seg[j]);
			if (store_manifest_find(&m, st->seg[j]) || store_seg_scan(path, 0, &info, NULL, NULL, err, sizeof err) < 0 ||
			    !info.torn_tail)
				continue;
			json_str(p, sizeof p, path);
			append(out, len, "%s{\"path\": \"%s\", \"state\": \"torn_not_newest\", \"records_found\": %" PRIu64
			    ", \"bytes_found\": %" PRIu64 ", \"what\": \"a torn tail in a segment that is not the stream's newest\"}",
			    n++ ? ", " : "", p, info.n_records, info.size);
		}
		store_manifest_free(&m);
	}
	return n;
}

static int
cmd_verify(const struct opts *o)
{
	struct store_query q = { 0 };
	struct store_reader *r;
	struct store_stream *ss;
	struct vstate v = { 0 };
	const struct rec_hdr *h;
	struct store_pos pos;
	struct store_reader_stats rs;
	char err[512];
	uint64_t unexplained = 0, n_sealed_bad, records_lost;
	char *sealed = NULL;
	size_t sealed_len = 0;
	int ns, i, first;

	ns = store_streams(o->dir, &ss, err, sizeof err);
	if (ns < 0) {
		fprintf(stderr, "mpstore: %s\n", err);
		return 2;
	}
	q.exchange = o->exchange;
	q.symbol = o->symbol;
	q.from_ns = o->from;
	q.to_ns = o->to;
	q.with_raw = 1;
	q.with_sys = 1;
	q.verify_data = 1;
	r = store_reader_open(o->dir, &q, on_fault, &v, err, sizeof err);
	if (!r) {
		fprintf(stderr, "mpstore: %s\n", err);
		store_streams_free(ss, ns);
		return 2;
	}
	/* One checker per stream, in the reader's stream order. */
	v.bk = calloc((size_t)ns + 1, sizeof *v.bk);
	for (i = 0; i < ns; i++) {
		v.bk[i].st = &ss[i];
		store_check_init(&v.bk[i].c);
	}
	v.n = ns;
	while (store_reader_next(r, &h, &pos) == 1) {
		struct bk *b = bk_for_path(&v, pos.path);
		struct store_gap g;

		if (!b)
			continue;
		b->digest += store_rec_digest(h);
		if (store_check_rec(&b->c, h, &g)) {
			char t[64];
			store_time_fmt(g.t_ns, t, sizeof t);
			if (!g.recorded && b->n_unx_list++ < MAX_LIST)
				append(&b->unx_json, &b->unx_len, "%s{\"time\": \"%s\", \"expected_prev\": %" PRId64
				    ", \"got_prev\": %" PRId64 ", \"got_first\": %" PRId64 ", \"got_last\": %" PRId64 "}",
				    b->n_unx_list > 1 ? ", " : "", t, g.expected_prev, g.got_prev, g.got_first, g.got_last);
		}
		if (h->type == REC_EVENT) {
			const struct rec_event *e = (const struct rec_event *)h;
			if ((e->code == EV_GAP || e->code == EV_RING_LOSS || e->code == EV_NATS_LOSS) &&
			    b->n_gap_list++ < MAX_LIST) {
				char t[64], tx[240];
				store_time_fmt(store_rec_time(h), t, sizeof t);
				json_str(tx, sizeof tx, e->text);
				/* EV_GAP: a = expected id, b = got id; EV_*_LOSS: a = first seq, b = count. */
				if (e->code == EV_GAP)
					append(&b->gap_json, &b->gap_len, "%s{\"event\": \"%s\", \"time\": \"%s\", "
					    "\"expected_id\": %" PRId64 ", \"got_id\": %" PRId64 ", \"missing_ids\": %" PRId64
					    ", \"text\": \"%s\"}", b->n_gap_list > 1 ? ", " : "", ev_code_name(e->code), t,
					    e->a, e->b, e->b > e->a ? e->b - e->a : 0, tx);
				else
					append(&b->gap_json, &b->gap_len, "%s{\"event\": \"%s\", \"time\": \"%s\", "
					    "\"first_seq\": %" PRId64 ", \"count\": %" PRId64 ", \"text\": \"%s\"}",
					    b->n_gap_list > 1 ? ", " : "", ev_code_name(e->code), t, e->a, e->b, tx);
			}
		}
	}
	store_reader_stats(r, &rs);
	printf("{\"store\": \"%s\", \"books\": [", o->dir);
	first = 1;
	for (i = 0; i < ns; i++) {
		struct bk *b = &v.bk[i];
		if (b->st->kind != STORE_K_BOOK || !b->c.records)
			continue;
		unexplained += b->c.gaps_unexplained;
		printf("%s{\"exchange\": \"%s\", \"symbol\": \"%s\", \"records\": %" PRIu64 ", \"snapshots\": %" PRIu64
		    ", \"snapshots_full\": %" PRIu64 ", \"snapshots_topn\": %" PRIu64 ", \"deltas\": %" PRIu64
		    ", \"trades\": %" PRIu64 ", \"tickers\": %" PRIu64 ", \"klines\": %" PRIu64 ", \"markets\": %" PRIu64
		    ", \"events\": %" PRIu64 ", \"sync_epochs\": %" PRIu64 ", \"unanchored_deltas\": %" PRIu64
		    ", \"unexplained_gaps\": %" PRIu64 ", \"recorded_gaps\": %" PRIu64
		    ", \"gap_events\": %" PRIu64 ", \"loss_events\": %" PRIu64 ", \"resync_events\": %" PRIu64 ", ",
		    first ? "" : ", ", b->st->exchange, b->st->symbol, b->c.records, b->c.snapshots, b->c.snap_full,
		    b->c.snap_topn, b->c.deltas, b->c.trades, b->c.tickers, b->c.klines, b->c.markets, b->c.events, b->c.epochs,
		    b->c.unanchored, b->c.gaps_unexplained, b->c.gaps_recorded, b->c.gap_events, b->c.loss_events,
		    b->c.resync_events);
		print_time("first", b->c.first_ns);
		printf(", ");
		print_time("last", b->c.last_ns);
		printf(", \"digest\": \"%016" PRIx64 "\", \"recorded_gap_events\": [%s], \"unexplained\": [%s]}",
		    b->digest, b->gap_json ? b->gap_json : "", b->unx_json ? b->unx_json : "");
		first = 0;
	}
	printf("], \"raw\": [");
	first = 1;
	for (i = 0; i < ns; i++) {
		struct bk *b = &v.bk[i];
		if (b->st->kind == STORE_K_BOOK || !b->c.records)
			continue;
		printf("%s{\"exchange\": \"%s\", \"stream\": \"%s\", \"records\": %" PRIu64 ", \"raw_frames\": %" PRIu64
		    ", \"events\": %" PRIu64 ", \"loss_events\": %" PRIu64 ", \"digest\": \"%016" PRIx64
		    "\", \"recorded_gap_events\": [%s]}", first ? "" : ", ", b->st->exchange, b->st->symbol,
		    b->c.records, b->c.raws, b->c.events, b->c.loss_events, b->digest,
		    b->gap_json ? b->gap_json : "");
		first = 0;
	}
	/* Segments stored moved aside because they could not be continued
	 * (a damaged header): never read, so always reported. */
	{
		char pat[1100];
		glob_t g;
		size_t k;
		snprintf(pat, sizeof pat, "%s/*/*/*.seg.bad-*", o->dir);
		memset(&g, 0, sizeof g);
		glob(pat, 0, NULL, &g);
		printf("], \"set_aside_segments\": [");
		for (k = 0; k < g.gl_pathc; k++) {
			char p[1100];
			json_str(p, sizeof p, g.gl_pathv[k]);
			printf("%s\"%s\"", k ? ", " : "", p);
		}
		v.n_corrupt += g.gl_pathc;
		globfree(&g);
	}
	n_sealed_bad = verify_sealed(o, ss, ns, &sealed, &sealed_len, &records_lost);
	printf("], \"sealed_segment_errors\": [%s], \"records_lost\": %" PRIu64, sealed ? sealed : "", records_lost);
	printf(", \"blocks\": %" PRIu64 ", \"records\": %" PRIu64 ", \"corrupted_blocks\": %" PRIu64
	    ", \"corrupted\": [%s], \"incomplete_tails\": [%s], \"unexplained_gaps\": %" PRIu64 ", \"ok\": %s}\n",
	    rs.blocks, rs.records, v.n_corrupt, v.corrupt ? v.corrupt : "", v.tails ? v.tails : "",
	    unexplained, !unexplained && !v.n_corrupt && !n_sealed_bad ? "true" : "false");
	free(sealed);
	for (i = 0; i < ns; i++) {
		free(v.bk[i].gap_json);
		free(v.bk[i].unx_json);
	}
	free(v.bk);
	free(v.corrupt);
	free(v.tails);
	store_reader_close(r);
	store_streams_free(ss, ns);
	return !unexplained && !v.n_corrupt && !n_sealed_bad ? 0 : 1;
}

/* ---- list ---- */

static void
list_fault(const struct store_fault *f, void *arg)
{
	(void)arg;
	fprintf(stderr, "mpstore: %s: offset %" PRIu64 ": %s%s\n", f->path, f->off, f->what,
	    f->tail ? " (incomplete tail)" : "");
}

static int
cmd_list(const struct opts *o)
{
	struct store_stream *ss;
	char err[512];
	int ns, i, j, t, bad = 0;

	ns = store_streams(o->dir, &ss, err, sizeof err);
	if (ns < 0) {
		fprintf(stderr, "mpstore: %s\n", err);
		return 2;
	}
	if (!o->json)
		printf("%-8s %-10s %-12s %7s %9s %12s %12s %6s  %-24s %-24s %s\n", "exchange", "symbol", "hour",
		    "blocks", "records", "raw_bytes", "disk_bytes", "ratio", "first", "last", "sealed");
	for (i = 0; i < ns; i++) {
		const struct store_stream *s = &ss[i];
		if (o->exchange && strcasecmp(o->exchange, s->exchange))
			continue;
		if (o->symbol && strcasecmp(o->symbol, s->symbol))
			continue;
		if (s->kind != STORE_K_BOOK && !o->raw && !o->symbol)
			continue;
		for (j = 0; j < s->n_seg; j++) {
			struct store_seg_info in;
			char path[1200], a[64], b[64];
			int64_t hour = store_hour_parse(s->seg[j]);
			if ((o->to && hour >= o->to) || (o->from && hour + 3600000000000LL <= o->from))
				continue;
			snprintf(path, sizeof path, "%s/%s", s->dir, s->seg[j]);
			if (store_seg_scan(path, 0, &in, list_fault, NULL, err, sizeof err) < 0) {
				fprintf(stderr, "mpstore: %s\n", err);
				bad = 1;
				continue;
			}
			store_time_fmt(in.min_ns, a, sizeof a);
			store_time_fmt(in.max_ns, b, sizeof b);
			if (o->json) {
				printf("{\"exchange\": \"%s\", \"symbol\": \"%s\", \"segment\": \"%s\", \"sealed\": %s, "
				    "\"blocks\": %u, \"records\": %" PRIu64 ", \"raw_bytes\": %" PRIu64 ", \"disk_bytes\": %" PRIu64
				    ", \"first\": \"%s\", \"last\": \"%s\", \"bad_blocks\": %u, \"incomplete_tail\": %s, \"types\": {",
				    s->exchange, s->symbol, s->seg[j], in.sealed ? "true" : "false", in.n_blocks, in.n_records,
				    in.raw_bytes, in.size, a, b, in.bad_blocks, in.torn_tail ? "true" : "false");
				for (t = 1, bad += 0; t <= REC_TYPE_MAX; t++)
					printf("%s\"%s\": %" PRIu64, t > 1 ? ", " : "", rec_type_name((uint16_t)t), in.count[t]);
				printf("}}\n");
			} else {
				printf("%-8s %-10s %-12.11s %7u %9" PRIu64 " %12" PRIu64 " %12" PRIu64 " %6.1f  %-24.23s %-24.23s %s\n",
				    s->exchange, s->symbol, s->seg[j], in.n_blocks, in.n_records, in.raw_bytes, in.size,
				    in.size ? (double)in.raw_bytes / (double)in.size : 0.0, a, b,
				    in.sealed ? "yes" : in.torn_tail ? "no (incomplete tail)" : "no (open)");
			}
		}
	}
	store_streams_free(ss, ns);
	return bad;
}

/* ---- print ---- */

static int
cmd_print(const struct opts *o)
{
	struct store_query q = { 0 };
	struct store_reader *r;
	const struct rec_hdr *h;
	struct store_pos pos;
	char err[512];
	long n = 0;

	q.exchange = o->exchange;
	q.symbol = o->symbol;
	q.from_ns = o->from;
	q.to_ns = o->to;
	q.types = o->types;
	q.with_raw = o->raw;
	r = store_reader_open(o->dir, &q, list_fault, NULL, err, sizeof err);
	if (!r) {
		fprintf(stderr, "mpstore: %s\n", err);
		return 2;
	}
	while ((o->limit < 0 || n < o->limit) && store_reader_next(r, &h, &pos) == 1) {
		char *js = rec_to_json(h, pos.reg, o->levels);
		if (!js) {
			fprintf(stderr, "mpstore: out of memory\n");
			break;
		}
		printf("{\"exchange\": \"%s\", \"symbol\": \"%s\", \"record\": %s}\n", pos.stream->exchange,
		    pos.stream->symbol, js);
		free(js);
		n++;
	}
	store_reader_close(r);
	return 0;
}

/* ---- capture: the raw frames in the capture-file format (design.md section 6) ---- */

static int
cmd_capture(const struct opts *o)
{
	struct store_query q = { 0 };
	struct store_reader *r;
	const struct rec_hdr *h;
	struct store_pos pos;
	char err[512];
	uint64_t n = 0, skipped = 0;

	q.exchange = o->exchange;
	q.symbol = o->symbol ? o->symbol : "_raw";
	q.from_ns = o->from;
	q.to_ns = o->to;
	q.types = 1u << REC_RAW;
	q.with_raw = 1;
	r = store_reader_open(o->dir, &q, list_fault, NULL, err, sizeof err);
	if (!r) {
		fprintf(stderr, "mpstore: %s\n", err);
		return 2;
	}
	while ((o->limit < 0 || (long)n < o->limit) && store_reader_next(r, &h, &pos) == 1) {
		const struct rec_raw *raw = (const struct rec_raw *)h;
		const char *path = raw->data, *payload = raw->data + raw->path_len;
		const char *ex = pos.inst ? exch_name(pos.inst->exch) : exch_name((int)h->aux);

		/* One frame per line: a payload with a line break cannot be written. */
		if (memchr(payload, '\n', raw->payload_len) || memchr(path, '\n', raw->path_len)) {
			skipped++;
			continue;
		}
		if (raw->source == RAW_REST)
			printf("%lld %s rest:%.*s %.*s\n", (long long)h->recv_ns, ex, (int)raw->path_len, path,
			    (int)raw->payload_len, payload);
		else
			printf("%lld %s ws %.*s\n", (long long)h->recv_ns, ex, (int)raw->payload_len, payload);
		n++;
	}
	store_reader_close(r);
	if (skipped)
		fprintf(stderr, "mpstore: %llu frames with a line break in them were not written\n",
		    (unsigned long long)skipped);
	return 0;
}

static int
parse_types(const char *s, uint32_t *out)
{
	char buf[256], *tok, *save = NULL;
	int t;

	snprintf(buf, sizeof buf, "%s", s);
	*out = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (t = 1; t <= REC_TYPE_MAX; t++)
			if (!strcmp(tok, rec_type_name((uint16_t)t)))
				break;
		if (t > REC_TYPE_MAX)
			return -1;
		*out |= 1u << t;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct cfg *c = daemon_start("mpstore", usage, &argc, argv);
	struct opts o = { 0 };
	char root[1024];
	const char *cmd;
	int i, rc;

	o.levels = 10;
	o.limit = -1;
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	cmd = argv[1];
	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--raw")) {
			o.raw = 1;
			continue;
		}
		if (!strcmp(a, "--json")) {
			o.json = 1;
			continue;
		}
		if (!v) {
			fprintf(stderr, "mpstore: %s needs a value (or is unknown)\n%s", a, usage);
			return 2;
		}
		i++;
		if (!strcmp(a, "--dir"))
			o.dir = v;
		else if (!strcmp(a, "--exchange"))
			o.exchange = v;
		else if (!strcmp(a, "--symbol"))
			o.symbol = v;
		else if (!strcmp(a, "--from") || !strcmp(a, "--to")) {
			int64_t t = store_time_parse(v);
			if (t < 0) {
				fprintf(stderr, "mpstore: %s %s: not a time (ns since the epoch or "
				    "2026-11-24T02:00:00Z)\n", a, v);
				return 2;
			}
			if (a[2] == 'f')
				o.from = t;
			else
				o.to = t;
		} else if (!strcmp(a, "--types")) {
			if (parse_types(v, &o.types) < 0) {
				fprintf(stderr, "mpstore: --types %s: known types are delta, snapshot, trade, "
				    "ticker, kline, control, event, raw\n", v);
				return 2;
			}
		} else if (!strcmp(a, "--levels"))
			o.levels = atoi(v);
		else if (!strcmp(a, "--limit"))
			o.limit = atol(v);
		else {
			fprintf(stderr, "mpstore: unknown option %s\n%s", a, usage);
			return 2;
		}
	}
	if (!o.dir) {
		const char *d = cfg_str(c, "stored", "dir");
		if (*d)
			snprintf(root, sizeof root, "%s", d);
		else
			snprintf(root, sizeof root, "%s/store", cfg_str(c, "system", "data_dir"));
		o.dir = root;
	}
	{
		struct stat st;
		if (stat(o.dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "mpstore: %s: no store here (%s)\n", o.dir,
			    stat(o.dir, &st) < 0 ? strerror(errno) : "not a directory");
			cfg_free(c);
			return 2;
		}
	}
	if (!strcmp(cmd, "list"))
		rc = cmd_list(&o);
	else if (!strcmp(cmd, "verify"))
		rc = cmd_verify(&o);
	else if (!strcmp(cmd, "print"))
		rc = cmd_print(&o);
	else if (!strcmp(cmd, "capture"))
		rc = cmd_capture(&o);
	else {
		fprintf(stderr, "mpstore: unknown command '%s'\n%s", cmd, usage);
		rc = 2;
	}
	cfg_free(c);
	return rc;
}
