/* real_cap.c - see real_cap.h. */
#include "real_cap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bookd/book.h"
#include "../../feedd/parse.h"

void
rc_data_path(const char *name, char *buf, size_t cap)
{
	const char *root = getenv("MP_ROOT");

	snprintf(buf, cap, "%s/../shared/data/%s", root && *root ? root : ".", name);
}

int
rc_split(char *line, size_t len, int64_t *recv_ns, char **src, char **payload, size_t *plen)
{
	char *sp1 = memchr(line, ' ', len), *sp2, *sp3;
	int64_t v = 0;

	sp2 = sp1 ? memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - line)) : NULL;
	sp3 = sp2 ? memchr(sp2 + 1, ' ', len - (size_t)(sp2 + 1 - line)) : NULL;
	if (!sp3)
		return -1;
	for (char *p = line; p < sp1; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	*sp2 = *sp3 = '\0';
	*recv_ns = v;
	*src = sp2 + 1;
	*payload = sp3 + 1;
	*plen = len - (size_t)(sp3 + 1 - line);
	return 0;
}

/* Append "s" with the venue and snapshot path rewritten (see the header). */
static char *
rewrite(const char *s, size_t n, size_t *outn)
{
	static const char *from[] = { " binance-usdm ", "rest:/fapi/v1/depth?" };
	static const char *to[] = { " binance ", "rest:/api/v3/depth?" };
	char *o = malloc(n + 1);
	size_t w = 0;

	if (!o)
		return NULL;
	for (size_t i = 0; i < n;) {
		int hit = -1;
		/* only the header (before the payload's '{') is rewritten */
		if (s[i] != '{')
			for (int k = 0; k < 2 && hit < 0; k++)
				if (n - i >= strlen(from[k]) && memcmp(s + i, from[k], strlen(from[k])) == 0)
					hit = k;
		if (hit >= 0) {
			memcpy(o + w, to[hit], strlen(to[hit]));
			w += strlen(to[hit]);
			i += strlen(from[hit]);
			continue;
		}
		if (s[i] == '{') {
			memcpy(o + w, s + i, n - i);
			w += n - i;
			break;
		}
		o[w++] = s[i++];
	}
	o[w] = '\0';
	*outn = w;
	return o;
}

struct rc_ctx {
	struct rc_cap *c;
	size_t cap_u, cap_f;
	int oom;
};

static int
on_rec(void *ud, const struct rec_hdr *h)
{
	struct rc_ctx *x = ud;
	struct rc_cap *c = x->c;

	if (h->type == REC_SNAPSHOT && !c->snap) {
		const struct rec_snapshot *s = (const void *)h;
		size_t n = (size_t)s->n_bids + s->n_asks;
		c->snap = malloc((n ? n : 1) * sizeof *c->snap);
		if (!c->snap) {
			x->oom = 1;
			return 0;
		}
		memcpy(c->snap, s->lv, n * sizeof *c->snap);
		c->snap_nb = s->n_bids;
		c->snap_na = s->n_asks;
		c->snap_id = s->h.last_id;
		c->snap_line = c->nlines - 1;
	} else if (h->type == REC_DELTA && c->snap && h->last_id > c->snap_id) {
		const struct rec_delta *d = (const void *)h;
		uint32_t n = d->n_bids + d->n_asks;
		if (c->nu + n > x->cap_u) {
			x->cap_u = (c->nu + n) * 2;
			void *p = realloc(c->u, x->cap_u * sizeof *c->u);
			if (!p) {
				x->oom = 1;
				return 0;
			}
			c->u = p;
		}
		if (c->nframes == x->cap_f) {
			x->cap_f = x->cap_f ? x->cap_f * 2 : 4096;
			void *p = realloc(c->frame_end, x->cap_f * sizeof *c->frame_end);
			if (!p) {
				x->oom = 1;
				return 0;
			}
			c->frame_end = p;
		}
		for (uint32_t i = 0; i < n; i++) {
			struct rc_upd *u = &c->u[c->nu++];
			u->side = i < d->n_bids ? BOOK_BID : BOOK_ASK;
			u->px = d->lv[i].px;
			u->qty = d->lv[i].qty;
			u->id = h->last_id;
		}
		c->frame_end[c->nframes++] = c->nu;
	}
	return 0;
}

int
rc_load(struct rc_cap *c, const char *path, char *err, size_t cap)
{
	char cmd[4200], *buf = NULL;
	size_t bcap = 0, lcap = 0;
	ssize_t n;
	struct parse_ctx pc;
	struct rc_ctx x = { c, 0, 0, 0 };
	FILE *f;

	memset(c, 0, sizeof *c);
	if (strchr(path, '\'')) {
		snprintf(err, cap, "%s: quote in path", path);
		return -1;
	}
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, cap, "%s: cannot open (the real recordings live in ../shared/data/)", path);
		return -1;
	}
	fclose(f);
	if (inst_add(&c->reg, EX_BINANCE, "ETH-USDT", err, cap) == 0)
		return -1;
	if (parse_init(&pc, &c->reg, EX_BINANCE) < 0) {
		snprintf(err, cap, "parse_init failed");
		return -1;
	}
	snprintf(cmd, sizeof cmd, "zstd -dc -- '%s'", path);
	f = popen(cmd, "r");
	if (!f) {
		snprintf(err, cap, "cannot run zstd");
		parse_free(&pc);
		return -1;
	}
	while ((n = getline(&buf, &bcap, f)) >= 0) {
		size_t len = (size_t)n, plen;
		char *l, *tmp, *src, *payload;
		int64_t recv_ns;

		while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			len--;
		if (len == 0 || buf[0] == '#')
			continue;
		if (c->nlines == lcap) {
			lcap = lcap ? lcap * 2 : 8192;
			void *p1 = realloc(c->line, lcap * sizeof *c->line);
			if (p1)
				c->line = p1;
			void *p2 = p1 ? realloc(c->len, lcap * sizeof *c->len) : NULL;
			if (!p2) {
				x.oom = 1;
				break;
			}
			c->len = p2;
		}
		l = rewrite(buf, len, &c->len[c->nlines]);
		tmp = l ? strdup(l) : NULL;
		if (!tmp) {
			free(l);
			x.oom = 1;
			break;
		}
		c->line[c->nlines++] = l;
		if (rc_split(tmp, c->len[c->nlines - 1], &recv_ns, &src, &payload, &plen) == 0) {
			if (strcmp(src, "ws") == 0)
				parse_ws(&pc, payload, plen, recv_ns, on_rec, &x);
			else if (strncmp(src, "rest:", 5) == 0)
				parse_rest(&pc, src + 5, payload, plen, recv_ns, 0, on_rec, &x);
		}
		free(tmp);
	}
	free(buf);
	if (pclose(f) != 0 && !x.oom) {
		snprintf(err, cap, "%s: zstd -dc failed", path);
		parse_free(&pc);
		return -1;
	}
	parse_free(&pc);
	if (x.oom) {
		snprintf(err, cap, "out of memory");
		return -1;
	}
	if (!c->snap || c->nu == 0) {
		snprintf(err, cap, "%s: no REST snapshot or no depth updates after it", path);
		return -1;
	}
	return 0;
}

void
rc_free(struct rc_cap *c)
{
	for (size_t i = 0; i < c->nlines; i++)
		free(c->line[i]);
	free(c->line);
	free(c->len);
	free(c->snap);
	free(c->u);
	free(c->frame_end);
	inst_reg_free(&c->reg);
	memset(c, 0, sizeof *c);
}
