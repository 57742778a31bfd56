/*
 * emit.h - sending a venue message to every subscriber, with the increment
 * faults (gap, dup, reorder, truncate, truncate_wire, malformed) applied on
 * the way.
 */
#ifndef MPSIM_EMIT_H
#define MPSIM_EMIT_H

#include <stddef.h>

#include "sim.h"

enum { EMIT_NORMAL = 0, EMIT_TRUNC_WIRE = 1 };

/* Send payload to every connection subscribed to (instrument, kind, param)
 * (param 0 = any); the venue decides the wrapping. */
void emit_broadcast(struct sim_inst *in, int kind, int param, const char *p, size_t n, int mode);
/* The plain fan-out of a venue whose frames need no per-connection wrapping
 * (OKX, Bybit): payload to every connection of the instrument's venue
 * subscribed to kind; EMIT_TRUNC_WIRE announces the full length, sends half
 * and drops the connection. */
void emit_fanout(struct sim_inst *in, int kind, const char *p, size_t n, int mode);
/* An order-book increment on stream s (0 = main, 1 = Binance 1000 ms):
 * broadcast unless a pending fault changes what goes out. */
void emit_incr(struct sim_inst *in, int s, int kind, const char *p, size_t n);
/* An increment nobody subscribes to: pending faults of stream s are used up
 * all the same (as at the next opportunity), so none waits for a later client. */
void emit_incr_unheard(struct sim_inst *in, int s);
/* corrupt_level: if one is pending and the book has a bid at its rank, use
 * it up and give that bid's price and a false quantity (one lot more) for
 * the increment being built: 1, else 0 (it stays pending). */
int emit_corrupt_pick(struct sim_inst *in, int64_t *px, int64_t *qty);
/* Whether any connection subscribes (instrument, kind, param). */
int emit_wanted(const struct sim_inst *in, int kind, int param);

/* A connection's subscription to (instrument, kind) under the venue's name
 * for it (counted in the venue's stats): 1 added, 0 already there, -1
 * ENOMEM.  Used by the venues that keep one subscription per stream (Bybit,
 * Deribit). */
int emit_sub_add(struct sim_conn *c, int inst, int kind, const char *name);
void emit_sub_del(struct sim_conn *c, int inst, int kind);

#endif
