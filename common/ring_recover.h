/*
 * ring_recover.h - what a daemon does when ring_next reports RING_ECORRUPT:
 * log where and why, resynchronise past the damage (ring_resync, ring.h
 * "Corruption"), and log what was skipped.  The records lost follow as a
 * gap message with flags RING_F_RESYNC, which the daemon records like any
 * other gap; the ring's consumer line counts the event, so `mpring stat`
 * and mpctl (the ring_corrupt alert) show it without asking the daemon.
 */
#ifndef MP_RING_RECOVER_H
#define MP_RING_RECOVER_H

#include <stdint.h>

#include "ring.h"

/* Returns RING_OK with *cursor moved past the corruption, or the error of
 * ring_resync (the cursor was not the consumer's: a bug, logged). */
int ring_recover(struct ring *r, uint64_t *cursor);

#endif
