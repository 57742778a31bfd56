/* vparse.c - EnhancedOrderBook JSON -> struct vmsg; see vparse.h. */
#include "vparse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "fx.h"

void
vparse_exps(const struct inst_registry *reg, const char *ex, const char *sym, int *pe, int *qe)
{
	const struct inst *in = reg ? inst_find(reg, exch_parse(ex), sym) : NULL;

	*pe = in ? in->px_exp : FX_DEFAULT_EXP;
	*qe = in ? in->qty_exp : FX_DEFAULT_EXP;
}

/* An id: an integer >= 0, or null (-1). */
static int
get_id(json_t *o, const char *k, int64_t *v)
{
	json_t *x = json_object_get(o, k);

	if (json_is_null(x)) {
		*v = -1;
		return 0;
	}
	if (!json_is_integer(x) || json_integer_value(x) < 0)
		return -1;
	*v = json_integer_value(x);
	return 0;
}

/* processed_at, "YYYY-MM-DDTHH:MM:SS.ffffffZ" (routerd's form), into us since
 * 1970; 0 when absent or in another form (the rebuilder then orders epochs by
 * ids alone, see verify.h). */
static int64_t
get_time_us(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	struct tm tm;
	int y, mo, d, h, mi, sec, n = 0;
	char frac[8] = "", z = 0;
	int64_t us = 0;

	if (!v || strlen(v) != 27 ||
	    sscanf(v, "%4d-%2d-%2dT%2d:%2d:%2d.%6[0-9]%c%n", &y, &mo, &d, &h, &mi, &sec, frac, &z, &n) != 8 ||
	    n != 27 || z != 'Z' || strlen(frac) != 6 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return 0;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	for (int i = 0; i < 6; i++)
		us = us * 10 + (frac[i] - '0');
	time_t t = timegm(&tm);
	if (t <= 0)
		return 0;
	return (int64_t)t * 1000000 + us;
}

static int
dec(json_t *s, int exp, int64_t *v)
{
	if (!json_is_string(s))
		return -1;
	return fx_parse(json_string_value(s), json_string_length(s), exp, v) == FX_OK ? 0 : -1;
}

/* [{price, quantity}...] into lv; returns the count or -1. */
static int
levels(json_t *a, int pe, int qe, struct rec_level *lv)
{
	size_t i;
	json_t *e;

	json_array_foreach(a, i, e) {
		if (!json_is_object(e) || dec(json_object_get(e, "price"), pe, &lv[i].px) < 0 ||
		    dec(json_object_get(e, "quantity"), qe, &lv[i].qty) < 0)
			return -1;
	}
	return (int)i;
}

int
vparse_book(const char *data, size_t len, int is_full, const struct inst_registry *reg,
    char ex[16], char sym[24], struct vmsg **out)
{
	json_error_t je;
	json_t *o = json_loadb(data, len, 0, &je), *bids, *asks;
	const char *e, *s, *ut;
	struct vmsg *m = NULL;
	int pe, qe, nb;

	*out = NULL;
	if (!o)
		return -1;
	e = json_string_value(json_object_get(o, "exchange_name"));
	s = json_string_value(json_object_get(o, "symbol_name"));
	ut = json_string_value(json_object_get(o, "update_type"));
	if (!e || !s || !ut || strlen(e) >= 16 || strlen(s) >= 24)
		goto bad;
	snprintf(ex, 16, "%s", e);
	snprintf(sym, 24, "%s", s);
	vparse_exps(reg, ex, sym, &pe, &qe);
	bids = json_object_get(o, is_full ? "bids" : "bid_changes");
	asks = json_object_get(o, is_full ? "asks" : "ask_changes");
	if (!json_is_array(bids) || !json_is_array(asks) ||
	    json_array_size(bids) > 4 * REC_MAX_LEVELS || json_array_size(asks) > 4 * REC_MAX_LEVELS)
		goto bad;
	if (!(m = vmsg_new((uint32_t)json_array_size(bids), (uint32_t)json_array_size(asks))))
		goto bad;
	m->is_full = is_full;
	m->new_epoch = is_full && strcmp(ut, "snapshot") == 0;
	if (get_id(o, "last_update_id", &m->last) < 0 || m->last < 0)
		goto bad;
	if (!is_full && (get_id(o, "prev_update_id", &m->prev) < 0 || m->prev < 0))
		goto bad;
	m->pt = get_time_us(o, "processed_at");
	if ((nb = levels(bids, pe, qe, m->lv)) < 0 || levels(asks, pe, qe, m->lv + nb) < 0)
		goto bad;
	json_decref(o);
	*out = m;
	return 0;
bad:
	free(m);
	json_decref(o);
	return -1;
}
