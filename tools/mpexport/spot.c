/* spot.c - the paired spot stream of a derivative's basis (spot.h). */
#include "spot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "../../stored/store.h"
#include "venue.h"

struct mpx_spot {
	struct mlb *b;
	struct store_reader *r;
	uint32_t spot_id;
	int px_exp;
	const struct rec_hdr *next;   /* read, not yet folded (valid until the next store_reader_next) */
	int eof;
	uint64_t records;
	char ref[64];
};

static void
on_fault(const struct store_fault *f, void *arg)
{
	(void)arg;
	if (f->tail)
		return;
	log_warn("corrupted block of the spot stream skipped", "path=%s offset=%llu what=%s", log_q(f->path),
	    (unsigned long long)f->off, log_q(f->what));
}

struct mpx_spot *
mpx_spot_open(const char *root, const struct inst_registry *reg, const struct inst *deriv, const char *spec,
    int64_t max_age_ns, int64_t from, int64_t to, char *err, size_t errlen)
{
	struct mpx_spot *p = calloc(1, sizeof *p);
	struct store_query q = { 0 };
	const struct inst *s;
	char why[256];

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!(p->b = mlb_new(reg, spec, max_age_ns, why, sizeof why))) {
		snprintf(err, errlen, "[ml] basis_spot: %s", why);
		free(p);
		return NULL;
	}
	p->spot_id = mlb_spot_of(p->b, deriv->id);
	if (!p->spot_id || !(s = inst_get(reg, p->spot_id))) {
		p->eof = 1;
		return p;
	}
	snprintf(p->ref, sizeof p->ref, "%s:%s", exch_name(s->exch), s->symbol);
	p->px_exp = s->px_exp;
	q.exchange = exch_name(s->exch);
	q.symbol = s->symbol;
	q.from_ns = from;
	q.to_ns = to;
	q.verify_data = 1;
	if (!(p->r = store_reader_open(root, &q, on_fault, p, err, errlen))) {
		mpx_spot_close(p);
		return NULL;
	}
	return p;
}

struct mlb *
mpx_spot_basis(struct mpx_spot *p)
{
	return p->b;
}

const char *
mpx_spot_ref(const struct mpx_spot *p)
{
	return p->ref[0] ? p->ref : NULL;
}

int
mpx_spot_before(struct mpx_spot *p, int64_t t, char *err, size_t errlen)
{
	struct store_pos pos;
	int n;

	while (!p->eof) {
		if (!p->next) {
			n = store_reader_next(p->r, &p->next, &pos);
			if (n < 0) {
				snprintf(err, errlen, "reading the spot stream %s: %s", p->ref, store_reader_error(p->r));
				return -1;
			}
			if (n == 0) {
				p->eof = 1;
				p->next = NULL;
				break;
			}
			if (pos.inst && pos.inst->id == p->spot_id)
				p->px_exp = pos.inst->px_exp;
		}
		if (mlb_key(p->next) >= t)
			break;
		/* routerd folds it under its id; the stream holds only this instrument */
		mlb_fold(p->b, p->spot_id, p->next, p->px_exp);
		p->records++;
		p->next = NULL;
	}
	return 0;
}

uint64_t
mpx_spot_records(const struct mpx_spot *p)
{
	return p->records;
}

void
mpx_spot_close(struct mpx_spot *p)
{
	if (!p)
		return;
	if (p->r)
		store_reader_close(p->r);
	mlb_free(p->b);
	free(p);
}
