/*
 * parse_inst.c - the builder of REC_INSTRUMENT (rec.h): an instrument's
 * trading rules from the strings of its venue's instrument endpoint, each
 * parsed exactly at the instrument's exponents.  The venue parsers
 * (parse_okx.c, parse_bybit.c, parse_binance.c) pick the fields; this file
 * checks and lays out the record, so every venue means the same by them.
 */
#include <jansson.h>
#include <string.h>

#include "fx.h"
#include "parse_impl.h"

/* s at exp into *out; NULL or "" leaves 0 (unknown).  A value that is not
 * exact at the exponent is refused: rules that cannot be represented would
 * be wrong rules. */
static int
field(struct parse_ctx *p, const char *what, const char *s, int exp, int64_t *out)
{
	int rc;

	*out = 0;
	if (!s || !*s)
		return 0;
	if ((rc = fx_parse(s, strlen(s), exp, out)) < 0)
		return parse_fail(p, "%s \"%.40s\": %s at exponent %d", what, s, fx_strerror(rc), exp);
	return 0;
}

int
parse_emit_instrument(struct parse_ctx *p, const struct inst *in, const struct parse_rules *r, int64_t recv_ns,
    parse_emit_fn emit, void *ud)
{
	struct rec_instrument ri;
	size_t cl = r->ct_ccy ? strlen(r->ct_ccy) : 0;

	rec_hdr_init(&ri.h, REC_INSTRUMENT, in->id, sizeof ri);
	memset(ri.ct_ccy, 0, sizeof ri.ct_ccy);
	if (field(p, "tick size", r->tick, in->px_exp, &ri.tick) < 0 ||
	    field(p, "lot size", r->lot, in->qty_exp, &ri.lot) < 0 ||
	    field(p, "minimum size", r->min_qty, in->qty_exp, &ri.min_qty) < 0 ||
	    field(p, "contract value", r->ct_val, REC_CT_EXP, &ri.ct_val) < 0 ||
	    field(p, "contract multiplier", r->ct_mult, REC_CT_EXP, &ri.ct_mult) < 0)
		return -1;
	if (cl >= sizeof ri.ct_ccy)
		return parse_fail(p, "contract currency \"%.20s\" is longer than %zu characters", r->ct_ccy,
		    sizeof ri.ct_ccy - 1);
	if (cl)
		memcpy(ri.ct_ccy, r->ct_ccy, cl);
	p->inst = in->id;
	return parse_emit_fixed(p, &ri.h, REC_INSTRUMENT, sizeof ri, recv_ns, emit, ud);
}

const char *
pj_opt(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) && json_string_length(v) ? json_string_value(v) : NULL;
}
