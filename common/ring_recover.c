/* ring_recover.c - see ring_recover.h. */
#include "ring_recover.h"

#include "log.h"

int
ring_recover(struct ring *r, uint64_t *cursor)
{
	struct ring_stat st;
	uint64_t pos = *cursor, skipped = 0;
	int rc;

	/* The reason first: ring_resync rewrites ring_errmsg only on failure. */
	log_error("corrupt ring frame before the committed tail; resynchronising past it", "ring=%s pos=%llu why=%s",
	    ring_name(r), (unsigned long long)pos, log_q(ring_errmsg(r)));
	if ((rc = ring_resync(r, cursor, &skipped)) != RING_OK) {
		log_error("cannot resynchronise the ring", "ring=%s pos=%llu why=%s", ring_name(r),
		    (unsigned long long)pos, log_q(ring_errmsg(r)));
		return rc;
	}
	ring_stat(r, &st);
	log_warn("ring resynchronised; the records lost follow as a gap", "ring=%s from=%llu to=%llu skipped_bytes=%llu "
	    "corrupt_total=%llu", ring_name(r), (unsigned long long)pos, (unsigned long long)*cursor,
	    (unsigned long long)skipped, (unsigned long long)st.corrupt);
	return RING_OK;
}
