/* mlflow.c - delta flows over a sliding window of deltas (mlflow.h). */
#include "mlflow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name, *help;
} cols[MLFL_N] = {
	{"bid_flow", "B / qd: summed bid size changes over the window, base units"},
	{"ask_flow", "A / qd"},
	{"net_flow", "(B - A) / qd"},
	{"flow_ratio", "(B - A) / (|B| + |A|), 0 when both are 0"},
	{"bid_updates", "bid level updates in the window"},
	{"ask_updates", "ask level updates in the window"},
	{"window_deltas", "deltas in the window (the window length once full)"},
};

int
mlfl_init(struct mlfl *f, int window)
{
	memset(f, 0, sizeof *f);
	if (window < 1 || window > MLFL_MAX_WINDOW)
		return -1;
	f->ring = calloc((size_t)window, sizeof *f->ring);
	if (!f->ring)
		return -1;
	f->window = window;
	return 0;
}

void
mlfl_free(struct mlfl *f)
{
	free(f->ring);
	memset(f, 0, sizeof *f);
}

void
mlfl_reset(struct mlfl *f)
{
	f->n = 0;
	memset(&f->cur, 0, sizeof f->cur);
	memset(&f->sum, 0, sizeof f->sum);
}

void
mlfl_level(struct mlfl *f, int side, int64_t old_qty, int64_t new_qty)
{
	__int128 d = (__int128)new_qty - old_qty;

	if (side == 0) {
		f->cur.bid += d;
		f->cur.nb++;
	} else {
		f->cur.ask += d;
		f->cur.na++;
	}
}

void
mlfl_end(struct mlfl *f)
{
	struct mlfl_slot *s = &f->ring[f->n % (uint64_t)f->window];

	if (f->n >= (uint64_t)f->window) {   /* the oldest leaves: exact integer subtraction */
		f->sum.bid -= s->bid;
		f->sum.ask -= s->ask;
		f->sum.nb -= s->nb;
		f->sum.na -= s->na;
	}
	*s = f->cur;
	f->sum.bid += s->bid;
	f->sum.ask += s->ask;
	f->sum.nb += s->nb;
	f->sum.na += s->na;
	f->n++;
	memset(&f->cur, 0, sizeof f->cur);
}

void
mlfl_read(const struct mlfl *f, int qty_exp, double *out)
{
	double qd = pow(10.0, -qty_exp);   /* exact: 10^k is a double for k <= 22 */
	__int128 b = f->sum.bid, a = f->sum.ask;
	__int128 den = (b < 0 ? -b : b) + (a < 0 ? -a : a);

	out[0] = (double)b / qd;
	out[1] = (double)a / qd;
	out[2] = (double)(b - a) / qd;
	out[3] = den ? (double)(b - a) / (double)den : 0.0;
	out[4] = (double)f->sum.nb;
	out[5] = (double)f->sum.na;
	out[6] = (double)(f->n < (uint64_t)f->window ? f->n : (uint64_t)f->window);
}

int
mlfl_msg_is_merge(int64_t update_id, int64_t prev_update_id, uint64_t changes)
{
	return changes > 0 && update_id > 0 && update_id == prev_update_id;
}

const char *
mlfl_name(int i)
{
	return i >= 0 && i < MLFL_N ? cols[i].name : "?";
}

const char *
mlfl_help(int i)
{
	return i >= 0 && i < MLFL_N ? cols[i].help : "?";
}
