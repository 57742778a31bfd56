/* emit.c - see emit.h. */
#include "emit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log.h"

void
emit_broadcast(struct sim_inst *in, int kind, int param, const char *p, size_t n, int mode)
{
	sim_ops(in->venue)->broadcast(in, kind, param, p, n, mode);
}

void
emit_fanout(struct sim_inst *in, int kind, const char *p, size_t n, int mode)
{
	int idx = (int)(in - sim.inst);
	struct sim_conn *c, *next;

	for (c = sim.conns; c; c = next) {
		next = c->next;
		if (c->venue != in->venue || c->state != CONN_WS || c->closing)
			continue;
		for (int i = 0; i < c->nsubs; i++) {
			if (c->subs[i].inst != idx || c->subs[i].kind != kind)
				continue;
			if (mode == EMIT_TRUNC_WIRE) {
				unsigned char h[10] = {0x81, 127};
				for (int k = 0; k < 8; k++)
					h[2 + k] = (unsigned char)((uint64_t)n >> (56 - 8 * k));
				ws_send_raw(c, h, 10);
				ws_send_raw(c, p, n / 2);
				conn_end(c);
				break;
			}
			ws_send_text(c, p, n);
		}
	}
}

int
emit_wanted(const struct sim_inst *in, int kind, int param)
{
	int idx = (int)(in - sim.inst);

	for (struct sim_conn *c = sim.conns; c; c = c->next) {
		if (c->venue != in->venue || c->state != CONN_WS)
			continue;
		for (int i = 0; i < c->nsubs; i++)
			if (c->subs[i].inst == idx && c->subs[i].kind == kind && (param == 0 || c->subs[i].param == param))
				return 1;
	}
	return 0;
}

static void
fault_used(struct sim_inst *in, int s, int kind)
{
	in->fq[s][kind]--;
	sim.st[in->venue].faults_injected[kind]++;
	log_info("fault applied", "kind=%s venue=%s symbol=%s stream=%d", flt_name(kind), sim_venue_name(in->venue),
	    in->sym, s);
}

int
emit_corrupt_pick(struct sim_inst *in, int64_t *px, int64_t *qty)
{
	const struct mkt_level *l;

	if (in->fq[0][FLT_CORRUPT_LEVEL] <= 0 || in->corrupt_rank < 1 ||
	    !(l = mkt_at(&in->book, MKT_BID, in->corrupt_rank - 1)))
		return 0;
	*px = l->px;
	*qty = l->qty + 1;
	fault_used(in, 0, FLT_CORRUPT_LEVEL);
	log_info("level corrupted", "symbol=%s rank=%d px=%lld true_qty=%lld sent_qty=%lld", in->sym,
	    in->corrupt_rank, (long long)*px, (long long)l->qty, (long long)*qty);
	return 1;
}

void
emit_incr_unheard(struct sim_inst *in, int s)
{
	static const int kinds[] = {FLT_GAP, FLT_DUP, FLT_REORDER, FLT_MALFORMED, FLT_TRUNCATE, FLT_TRUNCATE_WIRE};

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (in->fq[s][kinds[i]] > 0)
			fault_used(in, s, kinds[i]);
	in->held[s].active = 0;
}

void
emit_incr(struct sim_inst *in, int s, int kind, const char *p, size_t n)
{
	int *fq = in->fq[s];
	struct sim_held *h = &in->held[s];

	if (fq[FLT_GAP] > 0) {
		fault_used(in, s, FLT_GAP);
		return;
	}
	if (fq[FLT_TRUNCATE] > 0) {
		fault_used(in, s, FLT_TRUNCATE);
		emit_broadcast(in, kind, 0, p, n / 2, EMIT_NORMAL);
		return;
	}
	if (fq[FLT_TRUNCATE_WIRE] > 0) {
		fault_used(in, s, FLT_TRUNCATE_WIRE);
		emit_broadcast(in, kind, 0, p, n, EMIT_TRUNC_WIRE);
		return;
	}
	if (fq[FLT_REORDER] > 0 && !h->active) {
		fault_used(in, s, FLT_REORDER);
		h->active = 1;
		h->kind = kind;
		sb_reset(&h->msg);
		sb_add(&h->msg, p, n);
		return;
	}
	emit_broadcast(in, kind, 0, p, n, EMIT_NORMAL);
	if (fq[FLT_DUP] > 0) {
		fault_used(in, s, FLT_DUP);
		emit_broadcast(in, kind, 0, p, n, EMIT_NORMAL);
	}
	if (h->active) {
		h->active = 0;
		emit_broadcast(in, h->kind, 0, h->msg.p, h->msg.len, EMIT_NORMAL);
	}
	if (fq[FLT_MALFORMED] > 0) {
		/* Invalid JSON in an otherwise valid frame; the real increment went out above. */
		static const char bad[] = "{\"e\":\"depthUpdate\",\"E\":,\"data\":{[\"broken";
		fault_used(in, s, FLT_MALFORMED);
		emit_broadcast(in, kind, 0, bad, sizeof bad - 1, EMIT_NORMAL);
	}
}

int
emit_sub_add(struct sim_conn *c, int inst, int kind, const char *name)
{
	for (int i = 0; i < c->nsubs; i++)
		if (c->subs[i].inst == inst && c->subs[i].kind == kind)
			return 0;
	if (c->nsubs == c->capsubs) {
		int cap = c->capsubs ? c->capsubs * 2 : 8;
		struct sim_sub *n = realloc(c->subs, (size_t)cap * sizeof *n);
		if (!n)
			return -1;
		c->subs = n;
		c->capsubs = cap;
	}
	c->subs[c->nsubs].inst = inst;
	c->subs[c->nsubs].kind = kind;
	c->subs[c->nsubs].param = 0;
	snprintf(c->subs[c->nsubs].name, sizeof c->subs[0].name, "%s", name);
	c->nsubs++;
	sim.st[c->venue].subscriptions++;
	return 1;
}

void
emit_sub_del(struct sim_conn *c, int inst, int kind)
{
	for (int i = 0; i < c->nsubs; i++)
		if (c->subs[i].inst == inst && c->subs[i].kind == kind) {
			c->subs[i] = c->subs[--c->nsubs];
			sim.st[c->venue].subscriptions--;
			return;
		}
}
