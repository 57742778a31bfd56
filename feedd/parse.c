/* parse.c - parse.h entry points: dispatch to the scanner or the jansson path. */
#include "parse_impl.h"

#include <stdlib.h>
#include <string.h>

/* The parsers of each venue, by exchange id (the venue table, venue.h). */
static const struct parse_venue *const parsers[EX_END] = {
	[EX_BINANCE] = &parse_venue_binance,
	[EX_OKX] = &parse_venue_okx,
	[EX_BINANCE_USDM] = &parse_venue_binance_usdm,
	[EX_BINANCE_COINM] = &parse_venue_binance_coinm,
	[EX_BYBIT] = &parse_venue_bybit,
	[EX_DERIBIT] = &parse_venue_deribit,
};

int
parse_init(struct parse_ctx *p, const struct inst_registry *reg, int exch)
{
	char why[160];

	memset(p, 0, sizeof *p);
	if (!venue_ready(exch, why, sizeof why))
		return parse_fail(p, "%s", why);
	if (!parsers[exch])
		return parse_fail(p, "%s: no parser", exch_name(exch));
	p->reg = reg;
	p->exch = exch;
	p->ops = parsers[exch];
	p->scratch = calloc(1, sizeof(struct parse_state));
	if (!p->scratch)
		return parse_fail(p, "out of memory");
	p->scratch_cap = sizeof(struct parse_state);
	return 0;
}

void
parse_free(struct parse_ctx *p)
{
	struct parse_state *st = p->scratch;

	if (st) {
		free(st->side[0].v);
		free(st->side[1].v);
		free(st->rec);
		dj_free(&st->dj);
		free(st->fund);
		free(st->ctsz);
		free(st);
	}
	p->scratch = NULL;
	p->scratch_cap = 0;
}

int
parse_symval_cmp(const void *a, const void *b)
{
	return strcmp(((const struct parse_symval *)a)->sym, ((const struct parse_symval *)b)->sym);
}

const struct parse_symval *
parse_sym_find(const struct parse_symval *t, size_t n, const char *sym)
{
	struct parse_symval key;

	if (!n || strlen(sym) >= sizeof key.sym)
		return NULL;
	strcpy(key.sym, sym);
	return bsearch(&key, t, n, sizeof *t, parse_symval_cmp);
}

static int
finish(struct parse_ctx *p, int rc)
{
	if (rc == -1)
		p->errors++;
	return rc;
}

int
parse_ws_mode(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns,
    enum parse_mode mode, parse_emit_fn emit, void *ud)
{
	int rc = PARSE_FALLBACK;

	p->frames++;
	p->notice = PN_NONE;
	p->err[0] = 0;
	p->inst = 0;
	((struct parse_state *)p->scratch)->emitted = 0;
	if (mode != PARSE_JSON_ONLY && p->ops->scan_ws) {
		rc = p->ops->scan_ws(p, buf, len, recv_ns, emit, ud);
		if (rc != PARSE_FALLBACK || mode == PARSE_SCAN_ONLY)
			return finish(p, rc == PARSE_FALLBACK ? PARSE_FALLBACK : rc);
	}
	p->slow_path++;
	p->err[0] = 0;
	rc = p->ops->json_ws(p, buf, len, recv_ns, emit, ud);
	return finish(p, rc);
}

int
parse_ws(struct parse_ctx *p, const char *buf, size_t len, int64_t recv_ns,
    parse_emit_fn emit, void *ud)
{
	return parse_ws_mode(p, buf, len, recv_ns, PARSE_AUTO, emit, ud);
}

int
parse_rest_mode(struct parse_ctx *p, const char *path, const char *body, size_t len,
    int64_t recv_ns, uint32_t req_id, enum parse_mode mode, parse_emit_fn emit, void *ud)
{
	int rc = PARSE_FALLBACK;

	p->frames++;
	p->notice = PN_NONE;
	p->err[0] = 0;
	p->inst = 0;
	((struct parse_state *)p->scratch)->emitted = 0;
	if (mode != PARSE_JSON_ONLY && p->ops->scan_rest &&
	    strncmp(path, p->ops->scan_rest_path, strlen(p->ops->scan_rest_path)) == 0) {
		char sym[32];
		const struct inst *in = NULL;
		int n = parse_query_param(path, "symbol", sym, sizeof sym);
		if (n > 0)
			in = parse_inst(p, sym, (size_t)n);
		if (in)
			rc = p->ops->scan_rest(p, in, body, len, recv_ns, req_id, emit, ud);
	}
	if (rc != PARSE_FALLBACK || mode == PARSE_SCAN_ONLY)
		return finish(p, rc);
	p->slow_path++;
	p->err[0] = 0;
	rc = p->ops->json_rest(p, path, body, len, recv_ns, req_id, emit, ud);
	return finish(p, rc);
}

int
parse_rest(struct parse_ctx *p, const char *path, const char *body, size_t len,
    int64_t recv_ns, uint32_t req_id, parse_emit_fn emit, void *ud)
{
	return parse_rest_mode(p, path, body, len, recv_ns, req_id, PARSE_AUTO, emit, ud);
}
