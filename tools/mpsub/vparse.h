/*
 * vparse.h - routerd's EnhancedOrderBook JSON (from NATS: outside input) into
 * verify.h messages.  Checks every field it uses; prices and quantities are
 * parsed exactly at the instrument's exponents (fx.h).
 */
#ifndef MP_MPSUB_VPARSE_H
#define MP_MPSUB_VPARSE_H

#include <stddef.h>

#include "inst.h"
#include "verify.h"

/* The instrument's exponents (the default -8 when reg does not know it). */
void vparse_exps(const struct inst_registry *reg, const char *ex, const char *sym, int *pe, int *qe);

/*
 * Parse one message body: a full book (is_full: bids/asks) or an update
 * (bid_changes/ask_changes in exchange order, quantity 0 = removed).
 * Fills ex (16 bytes) and sym (24 bytes) and *out (malloc'd; the caller
 * frees it or hands it to vbook_push).  Returns 0, or -1 for anything
 * malformed (not JSON, a missing or mistyped field, a bad decimal, a name
 * too long).
 */
int vparse_book(const char *data, size_t len, int is_full, const struct inst_registry *reg,
    char ex[16], char sym[24], struct vmsg **out);

#endif
