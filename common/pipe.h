/*
 * pipe.h - the pipeline's wiring, shared by every process: ring names, their
 * built-in sizes and full policies, and the instrument registry from config.
 *
 * Rings (design.md section 1), each with exactly one producer and consumer:
 *   feed.<exchange>   feedd -> bookd    records from the venue      drop  64 MiB
 *   raw.<exchange>    feedd -> stored   raw frames (capture)        drop  64 MiB
 *   ctl.<exchange>    bookd -> feedd    REC_CONTROL requests        drop   1 MiB
 *   book.router       bookd -> routerd  deltas, snapshots, events   drop  64 MiB
 *   book.store        bookd -> stored   the same, must not be lost  block 512 MiB
 * [ring.<name>] capacity/policy in the config override these.
 */
#ifndef MP_PIPE_H
#define MP_PIPE_H

#include "cfg.h"
#include "clock.h"
#include "inst.h"
#include "ring.h"

/*
 * cfg_load with every schema of the system, then the checks that span keys:
 * the instruments parse and at least one is configured.  Every program loads
 * its config through this (daemon_start, mpctl, mpreplay), so all refuse the
 * same files with the same message.  NULL with err filled.
 */
struct cfg *pipe_cfg_load(const char *path, char *const *sets, int nsets, char *err, size_t errlen);
/* The ring prefix of this config ([system] ring_prefix, default "mp-<user>"). */
const char *pipe_prefix(const struct cfg *c, char *buf, size_t cap);
/* Ring options for a ring name (built-ins, overridden by [ring.<name>]). */
int pipe_ring_opts(const struct cfg *c, const char *name, struct ring_opts *o, char *err, size_t errlen);
/* Open (creating if needed) the ring `name` of this config in a role. */
int pipe_ring_open(const struct cfg *c, const char *name, enum ring_role role,
    struct ring **out, char *err, size_t errlen);
/* Fill reg (uninitialised; inst_reg_free() it after a 0) from [instruments],
 * taking at most [system] max_instruments; 0 or -1 with err (reg then empty). */
int pipe_instruments(const struct cfg *c, struct inst_registry *reg, char *err, size_t errlen);
/* All ring names of this config (feed.binance, ...); returns the count. */
int pipe_ring_names(const struct cfg *c, char names[][32], int max);


#endif
