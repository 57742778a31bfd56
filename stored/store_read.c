/* store_read.c - the store reader: segment scans, stream listing, record iteration. */
#include "store_seg.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define HOUR_NS (3600LL * 1000000000LL)

int
store_seg_scan(const char *path, int verify_data, struct store_seg_info *info,
    store_fault_fn fn, void *arg, char *err, size_t errlen)
{
	struct store_seg s;
	struct store_block_hdr bh;
	void *buf = NULL, *cbuf = NULL;
	size_t cap = 0, ccap = 0;
	uint64_t off;
	int i;

	memset(info, 0, sizeof *info);
	if (store_seg_open(&s, path, err, errlen) < 0)
		return -1;
	snprintf(info->path, sizeof info->path, "%s", path);
	info->hdr = s.hdr;
	info->sealed = s.sealed;
	info->size = s.size;
	while (store_seg_next_block(&s, &bh, &off, fn, arg) == 1) {
		if (verify_data) {
			const char *why = NULL;
			char rerr[256];
			uint32_t bad;
			if (store_block_read(&s, &bh, off, &buf, &cap, &cbuf, &ccap, &why) < 0 ||
			    store_block_records_ok(buf, bh.raw_len, bh.n_records, &bad, rerr, sizeof rerr) < 0) {
				struct store_fault f = { path, off, bh.block_no, why ? why : rerr, 0 };
				if (fn)
					fn(&f, arg);
				info->bad_blocks++;
				continue;
			}
		}
		info->n_blocks++;
		info->n_records += bh.n_records;
		for (i = 0; i <= REC_TYPE_MAX; i++)
			info->count[i] += bh.count[i];
		if (!info->min_ns || bh.min_ns < info->min_ns)
			info->min_ns = bh.min_ns;
		if (bh.max_ns > info->max_ns)
			info->max_ns = bh.max_ns;
		info->raw_bytes += bh.raw_len;
		info->comp_bytes += bh.comp_len + sizeof bh;
	}
	info->data_end = s.data_end;
	info->torn_tail = s.tail;
	free(buf);
	free(cbuf);
	store_seg_close(&s);
	return 0;
}

int
store_seg_reg(const char *path, struct inst_registry *reg, char *err, size_t errlen)
{
	struct store_seg s;

	inst_reg_init(reg, 0);
	if (store_seg_open(&s, path, err, errlen) < 0)
		return -1;
	*reg = s.reg;   /* handed over: close must not free it */
	inst_reg_init(&s.reg, 0);
	store_seg_close(&s);
	return 0;
}

/* ---- streams ---- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static int
list_dir(const char *path, char (**names)[64], int want_dirs)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char (*v)[64] = NULL;
	int n = 0, cap = 0;

	*names = NULL;
	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d))) {
		char full[1024];
		struct stat st;
		if (e->d_name[0] == '.' || strlen(e->d_name) >= 64)
			continue;
		snprintf(full, sizeof full, "%s/%s", path, e->d_name);
		if (stat(full, &st) < 0)
			continue;
		if (want_dirs ? !S_ISDIR(st.st_mode) : (!S_ISREG(st.st_mode) ||
		    store_hour_parse(e->d_name) < 0))
			continue;
		if (n == cap) {
			void *p = realloc(v, (size_t)(cap = cap ? cap * 2 : 16) * sizeof *v);
			if (!p) {
				free(v);
				closedir(d);
				return -1;
			}
			v = p;
		}
		memcpy(v[n++], e->d_name, strlen(e->d_name) + 1);   /* < 64, checked above */
	}
	closedir(d);
	if (n)
		qsort(v, (size_t)n, sizeof *v, cmp_str);
	*names = v;
	return n;
}

void
store_streams_free(struct store_stream *s, int n)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < n; i++)
		free(s[i].seg);
	free(s);
}

int
store_streams(const char *root, struct store_stream **out, char *err, size_t errlen)
{
	char (*ex)[64] = NULL, (*sym)[64] = NULL;
	struct store_stream *v = NULL;
	int nex, nsym, i, j, n = 0, cap = 0;

	*out = NULL;
	nex = list_dir(root, &ex, 1);
	if (nex < 0) {
		snprintf(err, errlen, "%s: %s", root, strerror(errno));
		return -1;
	}
	for (i = 0; i < nex; i++) {
		char dir[600];
		snprintf(dir, sizeof dir, "%s/%s", root, ex[i]);
		nsym = list_dir(dir, &sym, 1);
		for (j = 0; j < nsym; j++) {
			struct store_stream *s;
			if (n == cap) {
				void *p = realloc(v, (size_t)(cap = cap ? cap * 2 : 8) * sizeof *v);
				if (!p)
					goto oom;
				v = p;
			}
			s = &v[n];
			memset(s, 0, sizeof *s);
			snprintf(s->exchange, sizeof s->exchange, "%s", ex[i]);
			snprintf(s->symbol, sizeof s->symbol, "%s", sym[j]);
			snprintf(s->dir, sizeof s->dir, "%s/%s", dir, sym[j]);
			s->kind = !strcmp(ex[i], "_sys") ? STORE_K_SYS :
			    !strcmp(sym[j], "_raw") ? STORE_K_RAW : STORE_K_BOOK;
			s->n_seg = list_dir(s->dir, &s->seg, 0);
			if (s->n_seg < 0)
				s->n_seg = 0;
			if (s->n_seg == 0) {
				free(s->seg);
				continue;
			}
			s->first_hour_ns = store_hour_parse(s->seg[0]);
			s->last_hour_ns = store_hour_parse(s->seg[s->n_seg - 1]);
			n++;
		}
		free(sym);
		sym = NULL;
	}
	free(ex);
	*out = v;
	return n;
oom:
	free(sym);
	free(ex);
	store_streams_free(v, n);
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* ---- reader ---- */

struct store_reader {
	char root[512];
	struct store_query q;
	char q_exchange[32], q_symbol[32];
	store_fault_fn fn;
	void *arg;
	struct store_stream *streams;
	int n_streams, si, segi;
	int seg_open;
	struct store_seg seg;
	struct store_block_hdr bh;
	uint64_t boff;
	void *buf, *cbuf;
	size_t cap, ccap;
	size_t rpos;
	uint32_t ridx;
	int have_block;
	struct store_reader_stats st;
	char err[512];
};

/* "BTCUSDT", "btc-usdt" and "BTC-USDT" name the same symbol. */
static int
sym_eq(const char *a, const char *b)
{
	for (;;) {
		while (*a == '-' || *a == '_' || *a == '/')
			a++;
		while (*b == '-' || *b == '_' || *b == '/')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
		a++;
		b++;
	}
}

static int
stream_wanted(const struct store_reader *r, const struct store_stream *s)
{
	const struct store_query *q = &r->q;

	if (q->exchange && strcasecmp(q->exchange, s->exchange) != 0)
		return 0;
	if (q->symbol) {
		if (!strcmp(q->symbol, "_raw") || !strcmp(q->symbol, "_sys"))
			return !strcmp(q->symbol, s->symbol);
		return s->kind == STORE_K_BOOK && sym_eq(q->symbol, s->symbol);
	}
	if (s->kind == STORE_K_RAW)
		return q->with_raw;
	if (s->kind == STORE_K_SYS)
		return q->with_sys && !q->exchange;
	return 1;
}

struct store_reader *
store_reader_open(const char *root, const struct store_query *q,
    store_fault_fn fn, void *arg, char *err, size_t errlen)
{
	struct store_reader *r = calloc(1, sizeof *r);

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(r->root, sizeof r->root, "%s", root);
	r->q = *q;
	if (q->exchange) {
		snprintf(r->q_exchange, sizeof r->q_exchange, "%s", q->exchange);
		r->q.exchange = r->q_exchange;
	}
	if (q->symbol) {
		snprintf(r->q_symbol, sizeof r->q_symbol, "%s", q->symbol);
		r->q.symbol = r->q_symbol;
	}
	r->fn = fn;
	r->arg = arg;
	r->n_streams = store_streams(root, &r->streams, err, errlen);
	if (r->n_streams < 0) {
		free(r);
		return NULL;
	}
	r->si = -1;
	return r;
}

static void
report(struct store_reader *r, uint64_t off, uint32_t blk, const char *what)
{
	struct store_fault f = { r->seg.path, off, blk, what, 0 };

	if (r->fn)
		r->fn(&f, r->arg);
}

/* Move to the next segment that may hold wanted records: 1, or 0 at the end. */
static int
next_segment(struct store_reader *r)
{
	char path[1200], err[512];

	if (r->seg_open) {
		store_seg_close(&r->seg);
		r->seg_open = 0;
	}
	for (;;) {
		const struct store_stream *s;
		int64_t hour;

		if (r->si < 0 || r->segi + 1 >= r->streams[r->si].n_seg) {
			do {
				r->si++;
			} while (r->si < r->n_streams && !stream_wanted(r, &r->streams[r->si]));
			if (r->si >= r->n_streams)
				return 0;
			r->segi = -1;
			continue;
		}
		s = &r->streams[r->si];
		r->segi++;
		hour = store_hour_parse(s->seg[r->segi]);
		/* Every record of segment H is older than H + 1 h (store.h). */
		if (r->q.to_ns && hour >= r->q.to_ns)
			continue;
		if (r->q.from_ns && hour + HOUR_NS <= r->q.from_ns)
			continue;
		snprintf(path, sizeof path, "%s/%s", s->dir, s->seg[r->segi]);
		if (store_seg_open(&r->seg, path, err, sizeof err) < 0) {
			struct store_fault f = { path, 0, UINT32_MAX, err, 0 };
			if (r->fn)
				r->fn(&f, r->arg);
			r->st.bad_blocks++;
			continue;
		}
		r->seg_open = 1;
		return 1;
	}
}

/* Load the next wanted block: 1, or 0 at the end of everything. */
static int
next_block(struct store_reader *r)
{
	for (;;) {
		const char *why = NULL;
		char rerr[256];
		uint32_t bad;

		if (!r->seg_open && !next_segment(r))
			return 0;
		if (store_seg_next_block(&r->seg, &r->bh, &r->boff, r->fn, r->arg) != 1) {
			if (!next_segment(r))
				return 0;
			continue;
		}
		if ((r->q.to_ns && r->bh.min_ns >= r->q.to_ns) ||
		    (r->q.from_ns && r->bh.max_ns < r->q.from_ns)) {
			r->st.blocks_skipped++;
			continue;
		}
		if (r->q.types) {
			uint32_t t, any = 0;
			for (t = 1; t <= REC_TYPE_MAX; t++)
				if ((r->q.types & (1u << t)) && r->bh.count[t])
					any = 1;
			if (!any) {
				r->st.blocks_skipped++;
				continue;
			}
		}
		if (store_block_read(&r->seg, &r->bh, r->boff, &r->buf, &r->cap, &r->cbuf, &r->ccap, &why) < 0) {
			report(r, r->boff, r->bh.block_no, why);
			r->st.bad_blocks++;
			continue;
		}
		if (store_block_records_ok(r->buf, r->bh.raw_len, r->bh.n_records, &bad, rerr, sizeof rerr) < 0) {
			report(r, r->boff, r->bh.block_no, rerr);
			r->st.bad_blocks++;
			r->st.bad_records++;
			continue;
		}
		r->st.blocks++;
		r->st.bytes_raw += r->bh.raw_len;
		r->st.bytes_comp += r->bh.comp_len + sizeof r->bh;
		r->rpos = 0;
		r->ridx = 0;
		r->have_block = 1;
		return 1;
	}
}

int
store_reader_next(struct store_reader *r, const struct rec_hdr **rec, struct store_pos *pos)
{
	for (;;) {
		const struct rec_hdr *h;
		int64_t t;

		if (!r->have_block || r->ridx >= r->bh.n_records) {
			r->have_block = 0;
			if (!next_block(r))
				return 0;
		}
		h = (const struct rec_hdr *)((const char *)r->buf + r->rpos);
		r->rpos += h->len;
		r->ridx++;
		if (r->q.types && !(r->q.types & (1u << h->type)))
			continue;
		t = store_rec_time(h);
		if ((r->q.from_ns && t < r->q.from_ns) || (r->q.to_ns && t >= r->q.to_ns))
			continue;
		r->st.records++;
		*rec = h;
		if (pos) {
			pos->stream = &r->streams[r->si];
			pos->path = r->seg.path;
			pos->reg = &r->seg.reg;
			pos->inst = store_reg_find(&r->seg.reg, h->inst);
			pos->block_no = r->bh.block_no;
			pos->block_off = r->boff;
			pos->rec_index = r->ridx - 1;
			pos->ring_id = r->bh.ring_id;
			pos->block_written_ns = r->bh.written_ns;
		}
		return 1;
	}
}

const char *
store_reader_error(const struct store_reader *r)
{
	return r->err;
}

void
store_reader_stats(const struct store_reader *r, struct store_reader_stats *st)
{
	*st = r->st;
}

void
store_reader_close(struct store_reader *r)
{
	if (!r)
		return;
	if (r->seg_open)
		store_seg_close(&r->seg);
	store_streams_free(r->streams, r->n_streams);
	free(r->buf);
	free(r->cbuf);
	free(r);
}
