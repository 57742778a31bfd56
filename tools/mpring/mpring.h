/*
 * mpring.h - the ring inspector's parts: main.c (command line, list, stat)
 * and follow.c (dump and tail: reading and decoding records).  Everything is
 * read-only: rings are opened in RING_INSPECT role (PROT_READ mapping).
 */
#ifndef MP_MPRING_H
#define MP_MPRING_H

#include <stdint.h>

#include "inst.h"
#include "ring.h"

struct mpring_opts {
	int json;               /* one JSON object per line */
	int64_t limit;          /* -n: records at most (-1 = no limit) */
	int interval_ms;        /* stat: rate sample */
	double for_s;           /* tail: stop after this many seconds (0 = never) */
	int levels;             /* levels per side when decoding books */
	int hex;                /* bytes of hex for undecodable records */
	const struct inst_registry *reg;  /* instruments for prices (may be NULL) */
};

/* dump: the records between head and tail now.  tail: follow from the tail.
 * Return the exit status (0 ok, 1 error). */
int mpring_dump(struct ring *r, const char *path, const struct mpring_opts *o);
int mpring_tail(struct ring *r, const char *path, const struct mpring_opts *o);

/* Compare the ring's record schema with this build's; 1 if it matches, else
 * 0 with why filled (what differs). */
int mpring_schema_ok(const struct ring_stat *st, char *why, size_t cap);

#endif
