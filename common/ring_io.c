/*
 * ring_io.c - the data path of the SPSC ring (see ring.h for the protocol).
 *
 * Memory ordering, edge by edge:
 *  P1  producer: claim header, payload, zeroed next header, then len > 0
 *      with release.  Pairs with C1.
 *  C1  consumer/inspector: len loaded with acquire; only then type, seq and
 *      payload are read.
 *  C2  consumer: head stored with release after it is done with the frames.
 *      Pairs with P2.
 *  P2  producer: head loaded with acquire, and only when its cached copy
 *      says the ring is full, so a busy consumer's line is not pulled over
 *      on every write.
 *  I1  producer: before writing into bytes it has not announced yet, it
 *      raises `intent` (relaxed store + release fence); the inspector copies
 *      a frame, issues an acquire fence and reads intent: if intent says the
 *      producer may have reached the copied bytes on a later lap, the copy is
 *      discarded as lapped (Aeron's broadcast receiver does the same).
 *  C3  consumer: when a frame looks absent (len <= 0) or bad, it loads the
 *      producer's tail with acquire (pairs with the tail's release store,
 *      which follows P1) and then the length again: a frame before that tail
 *      was committed, so one still absent or bad there is corruption.
 * The consumer reads the producer's tail only then (once per empty poll, and
 * around a futex sleep, never in the spin before it): on the data path the
 * committed length is the signal, so the producer's line stays in the
 * producer's cache.
 */
#include "ring_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ring_has_data looks past at most this many padding/torn frames (then
 * says "something is there" and lets ring_next walk the rest). */
#define RING_SKIP_MAX 64

/* Only the length matters: type, flags and seq are rewritten by the claim. */
static void
zero_hdr(struct ring *r, uint64_t pos)
{
	atomic_store_explicit(&ring_frame_at(r, pos)->len, 0, memory_order_relaxed);
}

/* Start of a frame of fs bytes written at pos: past padding if it would cross the end. */
static uint64_t
place(const struct ring *r, uint64_t pos, uint64_t fs)
{
	uint64_t off = pos & r->mask;

	return off + fs > r->cap ? pos + (r->cap - off) : pos;
}

int
ring_room(struct ring *r, uint64_t end)
{
	uint64_t h;

	if (end <= r->head_cache + r->cap)
		return 1;
	h = atomic_load_explicit(&r->hot->cons.c.head, memory_order_acquire);   /* P2 */
	/* A head beyond our tail is nonsense (a broken consumer); never trust it for room. */
	if (h > r->tail)
		h = r->tail;
	if (h > r->head_cache)
		r->head_cache = h;
	return end <= r->head_cache + r->cap;
}

static void
raise_intent(struct ring *r, uint64_t end)
{
	if (end <= r->intent)
		return;
	/* Announce a sixteenth of the ring ahead, so this store is rare. */
	r->intent = end + (r->cap >> 4);
	atomic_store_explicit(&r->hot->prod.p.intent, r->intent, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);      /* I1: intent before the bytes */
}

static void
commit_frame(struct ring *r, uint64_t pos, uint32_t flen, uint16_t type)
{
	struct ring_frame *f = ring_frame_at(r, pos);

	/* The header after this frame must read "nothing yet" before this frame
	 * is visible: it still holds bytes from the previous lap. */
	zero_hdr(r, pos + ring_fsize(flen));
	f->type = type;
	atomic_store_explicit(&f->len, (int32_t)flen, memory_order_release);   /* P1 */
}

static void
claim_frame(struct ring *r, uint64_t pos, uint32_t flen, uint64_t seq)
{
	struct ring_frame *f = ring_frame_at(r, pos);

	/* Negative length: a restarted producer turns this into RING_T_TORN. */
	atomic_store_explicit(&f->len, -(int32_t)flen, memory_order_relaxed);
	f->type = 0;
	f->flags = 0;
	f->seq = seq;
}

static void
put_pad(struct ring *r, uint64_t pos)
{
	struct ring_frame *f = ring_frame_at(r, pos);

	f->flags = 0;
	f->seq = 0;
	commit_frame(r, pos, (uint32_t)(r->cap - (pos & r->mask)), RING_T_PAD);
}

static void
put_gap(struct ring *r, uint64_t pos)
{
	struct ring_prod_line *p = &r->hot->prod.p;
	struct ring_gap g = {r->gap_first, r->gap_count};
	uint64_t seq = r->gap_first + r->gap_count;

	claim_frame(r, pos, RING_GAP_FRAME, seq);
	memcpy(r->data + ((pos + RING_FRAME_HDR) & r->mask), &g, sizeof g);
	commit_frame(r, pos, RING_GAP_FRAME, RING_T_GAP);
	r->last_seq = seq;
	r->gap_count = 0;
	r->gaps++;
	atomic_store_explicit(&p->last_seq, seq, memory_order_relaxed);
	atomic_store_explicit(&p->gap_count, 0, memory_order_relaxed);
	atomic_store_explicit(&p->gaps, r->gaps, memory_order_relaxed);
}

static void
count_drop(struct ring *r)
{
	struct ring_prod_line *p = &r->hot->prod.p;

	if (r->gap_count == 0) {
		r->gap_first = r->last_seq + 1;
		atomic_store_explicit(&p->gap_first, r->gap_first, memory_order_relaxed);
	}
	r->gap_count++;
	r->dropped++;
	atomic_store_explicit(&p->gap_count, r->gap_count, memory_order_relaxed);
	atomic_store_explicit(&p->dropped, r->dropped, memory_order_relaxed);
}

void *
ring_reserve(struct ring *r, uint32_t len, int *errp)
{
	uint64_t fs, pos, gpos = 0, fpos, end;
	int64_t deadline = 0;
	int full = 0, dummy;

	if (!errp)
		errp = &dummy;
	if (r->role != RING_PRODUCER || r->reserved) {
		errno = r->reserved ? EALREADY : EBADF;
		*errp = RING_ESYS;
		return NULL;
	}
	if (len > r->max_record) {
		*errp = RING_ETOOBIG;
		return NULL;
	}
	fs = ring_fsize(RING_FRAME_HDR + (uint64_t)len);
	for (;;) {
		pos = r->tail;
		if (r->gap_count) {
			gpos = place(r, pos, RING_GAP_FRAME);
			pos = gpos + RING_GAP_FRAME;
		}
		fpos = place(r, pos, fs);
		end = fpos + fs + RING_FRAME_HDR;       /* + the header we zero after it */
		if (ring_room(r, end))
			break;
		if (!full) {
			full = 1;
			r->full_events++;
			atomic_store_explicit(&r->hot->prod.p.full_events, r->full_events, memory_order_relaxed);
		}
		if (r->policy == RING_DROP) {
			count_drop(r);
			*errp = RING_EDROPPED;
			return NULL;
		}
		if (!deadline)
			deadline = mono_ns() + (int64_t)r->block_timeout_ms * 1000000;
		if (!ring_wait_room(r, end, deadline)) {
			*errp = RING_EAGAIN;
			return NULL;
		}
	}
	raise_intent(r, end);
	pos = r->tail;
	if (r->gap_count) {
		if (gpos != pos)
			put_pad(r, pos);
		put_gap(r, gpos);
		pos = gpos + RING_GAP_FRAME;
	}
	if (fpos != pos)
		put_pad(r, pos);
	claim_frame(r, fpos, RING_FRAME_HDR + len, r->last_seq + 1);
	r->reserved = 1;
	r->res_pos = fpos;
	r->res_len = len;
	r->res_seq = r->last_seq + 1;
	*errp = RING_OK;
	return r->data + ((fpos + RING_FRAME_HDR) & r->mask);
}

void
ring_commit(struct ring *r, uint16_t type, uint32_t len)
{
	struct ring_prod_line *p = &r->hot->prod.p;
	uint32_t flen;

	if (r->role != RING_PRODUCER || !r->reserved)
		return;
	/* Committing more than was reserved would overrun the room we checked. */
	if (len > r->res_len)
		len = r->res_len;
	if (type >= 0xff00)
		type = RING_T_TORN;
	flen = RING_FRAME_HDR + len;
	commit_frame(r, r->res_pos, flen, type);
	r->reserved = 0;
	r->tail = r->res_pos + ring_fsize(flen);
	r->last_seq = r->res_seq;
	if (type == RING_T_TORN) {
		/* A reserved type: the record is refused, its seq reused. */
		r->last_seq--;
		atomic_fetch_add_explicit(&p->torn, 1, memory_order_relaxed);
	} else {
		r->written++;
		r->written_bytes += len;
		atomic_store_explicit(&p->last_seq, r->last_seq, memory_order_relaxed);
		atomic_store_explicit(&p->written, r->written, memory_order_relaxed);
		atomic_store_explicit(&p->written_bytes, r->written_bytes, memory_order_relaxed);
	}
	atomic_store_explicit(&p->tail, r->tail, memory_order_release);
	ring_wake_consumer(r);
}

int
ring_write(struct ring *r, uint16_t type, const void *payload, uint32_t len)
{
	uint64_t pos = r->tail, fs = ring_fsize(RING_FRAME_HDR + (uint64_t)len), end = pos + fs + RING_FRAME_HDR;
	void *dst;
	int err;

	if (type >= 0xff00) {
		errno = EINVAL;
		return RING_ESYS;
	}
	/* The common case in one piece: no gap pending, no wrap, room known
	 * from the cached head, inside the announced intent. */
	if (r->role == RING_PRODUCER && !r->reserved && !r->gap_count && len <= r->max_record &&
	    (pos & r->mask) + fs <= r->cap && end <= r->head_cache + r->cap && end <= r->intent) {
		struct ring_prod_line *p = &r->hot->prod.p;
		struct ring_frame *f = ring_frame_at(r, pos);
		uint32_t flen = RING_FRAME_HDR + len;

		atomic_store_explicit(&f->len, -(int32_t)flen, memory_order_relaxed);
		f->seq = ++r->last_seq;
		f->flags = 0;
		f->type = type;
		if (len)
			memcpy(f + 1, payload, len);
		zero_hdr(r, pos + fs);
		atomic_store_explicit(&f->len, (int32_t)flen, memory_order_release);  /* P1 */
		r->tail = pos + fs;
		r->written++;
		r->written_bytes += len;
		atomic_store_explicit(&p->last_seq, r->last_seq, memory_order_relaxed);
		atomic_store_explicit(&p->written, r->written, memory_order_relaxed);
		atomic_store_explicit(&p->written_bytes, r->written_bytes, memory_order_relaxed);
		atomic_store_explicit(&p->tail, r->tail, memory_order_release);
		ring_wake_consumer(r);
		return RING_OK;
	}
	if (!(dst = ring_reserve(r, len, &err)))
		return err;
	if (len)
		memcpy(dst, payload, len);
	ring_commit(r, type, len);
	return RING_OK;
}

static int
bad(struct ring *r, uint64_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
bad(struct ring *r, uint64_t pos, const char *fmt, ...)
{
	char what[120];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(r->errmsg, sizeof r->errmsg, "%s at position %" PRIu64, what, pos);
	return RING_ECORRUPT;
}

/* Check a committed frame header (a copy or the live one after the acquire). */
static int
check_frame(struct ring *r, uint64_t pos, int32_t len, uint16_t type)
{
	uint64_t off = pos & r->mask;

	if (len < (int32_t)RING_FRAME_HDR || off + ring_fsize((uint64_t)len) > r->cap)
		return bad(r, pos, "frame length %d out of bounds", (int)len);
	if (type == RING_T_PAD) {
		if (off + (uint64_t)len != r->cap)
			return bad(r, pos, "padding of %d bytes does not end the area", (int)len);
	} else if (type == RING_T_GAP) {
		if ((uint32_t)len != RING_GAP_FRAME)
			return bad(r, pos, "gap frame of length %d", (int)len);
	} else if ((uint32_t)len - RING_FRAME_HDR > r->max_record) {
		return bad(r, pos, "frame length %d exceeds max_record %u", (int)len, r->max_record);
	}
	return RING_OK;
}

/* Seq rules (ring.h): data = previous + 1; gap {first, count} has first =
 * previous + 1 and seq = first + count.  prev == 0 with !strict: unknown. */
static int
check_seq(struct ring *r, uint64_t pos, uint16_t type, uint64_t seq, const void *payload,
    int chained, uint64_t prev, int soft)
{
	struct ring_gap g;
	uint64_t first = seq;

	if (type == RING_T_GAP) {
		memcpy(&g, payload, sizeof g);
		if (g.count == 0 || g.first_seq + g.count != seq || g.first_seq + g.count < g.first_seq)
			return bad(r, pos, "gap frame {first %" PRIu64 ", count %" PRIu64 "} with seq %" PRIu64,
			    g.first_seq, g.count, seq);
		first = g.first_seq;
	}
	if (seq == 0)
		return bad(r, pos, "seq 0");
	if (!chained)
		return RING_OK;
	/* Right after attach the stored read_seq may be ahead of the head by one
	 * release (the consumer died between the two stores), never behind. */
	if (soft ? first > prev + 1 : first != prev + 1)
		return bad(r, pos, "seq %" PRIu64 " after %" PRIu64 " (records lost or repeated)", first, prev);
	return RING_OK;
}

/*
 * The producer's published tail (acquire): every frame before it was
 * committed (P1 happens before the tail store), and none of them can be
 * rewritten while the consumer has not released it.  Read only when a frame
 * looks absent or bad, so a busy consumer never pulls the producer's line.
 */
static uint64_t
committed_tail(const struct ring *r)
{
	return atomic_load_explicit(&r->hot->prod.p.tail, memory_order_acquire);
}

/* Is the frame at pos (len <= 0 when first loaded) absent although it is
 * before the committed tail?  The length is loaded again after the tail:
 * the first load may simply have come before the commit. */
static int
missing_before_tail(const struct ring *r, uint64_t pos)
{
	if (r->role != RING_CONSUMER || pos >= committed_tail(r))
		return 0;
	return atomic_load_explicit(&ring_frame_at(r, pos)->len, memory_order_acquire) <= 0;
}

/* The gap message ring_resync promised, before the frame at pos whose first
 * seq is first.  0 when the skipped bytes held no record. */
static int
resync_gap(struct ring *r, uint64_t pos, uint64_t first, struct ring_msg *m, int in_run)
{
	r->resync = 0;
	if (first <= r->resync_first)
		return 0;
	r->syn.first_seq = r->resync_first;
	r->syn.count = first - r->resync_first;
	atomic_fetch_add_explicit(&r->hot->cons.c.corrupt_lost, r->syn.count, memory_order_relaxed);
	m->type = RING_T_GAP;
	m->flags = RING_F_RESYNC;
	m->len = sizeof r->syn;
	m->seq = first - 1;
	m->pos = pos;
	m->data = &r->syn;
	r->chk_end = pos;
	r->chk_seq = first - 1;
	r->chk_soft = 0;
	if (in_run) {
		r->run_end = pos;
		r->run_seq = first - 1;
	}
	return 1;
}

int
ring_next(struct ring *r, uint64_t *cursor, struct ring_msg *m)
{
	uint64_t start = *cursor, pos = start, fs;
	int chained = start == r->chk_end, in_run = start == r->run_end, rc;

	/* The common case: the data frame right after the one we returned last. */
	if (chained && !r->chk_soft && !r->resync && r->role != RING_PRODUCER && pos >= r->head) {
		struct ring_frame *f = ring_frame_at(r, pos);
		int32_t len = atomic_load_explicit(&f->len, memory_order_acquire);      /* C1 */
		uint16_t type = f->type;

		if (len <= 0 && !missing_before_tail(r, pos))
			return 0;
		fs = ring_fsize((uint64_t)(len > 0 ? len : 0));
		if (len > 0 && type < 0xff00 && len >= (int32_t)RING_FRAME_HDR &&
		    (uint32_t)len - RING_FRAME_HDR <= r->max_record && (pos & r->mask) + fs <= r->cap &&
		    f->seq == r->chk_seq + 1) {
			m->type = type;
			m->flags = f->flags;
			m->len = (uint32_t)len - RING_FRAME_HDR;
			m->seq = f->seq;
			m->pos = pos;
			m->data = f + 1;
			pos += fs;
			*cursor = r->chk_end = pos;
			r->chk_seq = m->seq;
			if (in_run) {
				r->run_end = pos;
				r->run_seq = m->seq;
				r->run_count++;
			}
			return 1;
		}
	}

	if (r->role == RING_PRODUCER) {
		errno = EBADF;
		return RING_ESYS;
	}
	if (pos & (RING_ALIGN - 1))
		return bad(r, pos, "misaligned cursor");
	if (r->role == RING_CONSUMER && (pos < r->head || pos - r->head > r->cap))
		return bad(r, pos, "cursor outside [head %" PRIu64 ", head + capacity]", r->head);
	for (;;) {
		struct ring_frame *f = ring_frame_at(r, pos);
		int32_t len = atomic_load_explicit(&f->len, memory_order_acquire);     /* C1 */
		uint16_t type;
		uint64_t first;

		if (len <= 0) {
			if (missing_before_tail(r, pos)) {
				*cursor = pos;
				return bad(r, pos, "frame length %d before the committed tail %" PRIu64, (int)len,
				    committed_tail(r));
			}
			if (atomic_load_explicit(&f->len, memory_order_acquire) > 0)
				continue;       /* committed meanwhile */
			*cursor = pos;
			if (in_run)
				r->run_end = pos;
			if (chained)
				r->chk_end = pos;
			return 0;
		}
		type = f->type;
		if ((rc = check_frame(r, pos, len, type)) != RING_OK) {
			*cursor = pos;
			/* Not yet committed there: the producer overwrites it before it publishes. */
			if (r->role == RING_CONSUMER && pos >= committed_tail(r))
				return 0;
			return rc;
		}
		fs = ring_fsize((uint64_t)len);
		if (type == RING_T_PAD || type == RING_T_TORN) {
			/* Each skip moves on by >= 16 bytes; a chain longer than the ring is a loop. */
			if (pos + fs - start > r->cap)
				return bad(r, pos, "padding/torn frames run for more than the capacity");
			pos += fs;
			continue;
		}
		m->type = type;
		m->flags = f->flags;
		m->len = (uint32_t)len - RING_FRAME_HDR;
		m->seq = f->seq;
		m->pos = pos;
		m->data = (const unsigned char *)f + RING_FRAME_HDR;
		first = m->seq;
		if (type == RING_T_GAP) {
			struct ring_gap g;

			memcpy(&g, m->data, sizeof g);
			first = g.first_seq;
		}
		if (r->resync && resync_gap(r, pos, first, m, in_run)) {
			*cursor = pos;
			return 1;
		}
		if ((rc = check_seq(r, pos, type, m->seq, m->data, chained, r->chk_seq, r->chk_soft)) != RING_OK) {
			*cursor = pos;
			if (r->role == RING_CONSUMER && pos >= committed_tail(r))
				return 0;
			return rc;
		}
		pos += fs;
		*cursor = pos;
		r->chk_end = pos;
		r->chk_seq = m->seq;
		if (chained)
			r->chk_soft = 0;
		if (in_run) {
			r->run_end = pos;
			r->run_seq = m->seq;
			if (type != RING_T_GAP)
				r->run_count++;
		}
		return 1;
	}
}

/* How far a resync candidate's chain is followed.  A candidate is believed
 * when its first record's seq lies after the last one read and at most the
 * producer's last_seq (random bytes hit that range with a chance of about
 * range / 2^64), the records after it are consecutive, and the chain ends at
 * the committed tail, at another bad frame (the next resync takes over
 * there), or after this many records. */
#define RING_RESYNC_CHAIN 64

/* Do valid frames start at q (see above)?  The seq bounds matter most near
 * the tail, where one random length may happen to end exactly there. */
static int
chains_from(struct ring *r, uint64_t q, uint64_t tail, uint64_t prev, uint64_t max_seq)
{
	char saved[sizeof r->errmsg];
	uint64_t p = q, last = prev;
	int n = 0, ok = 0;

	memcpy(saved, r->errmsg, sizeof saved);         /* check_* write why; keep the original reason */
	while (p < tail && n < RING_RESYNC_CHAIN) {
		const struct ring_frame *f = ring_frame_at(r, p);
		int32_t len = atomic_load_explicit(&f->len, memory_order_relaxed);   /* committed: before tail */
		uint16_t type = f->type;
		struct ring_gap g;
		uint64_t lo;

		if (len <= 0 || check_frame(r, p, len, type) != RING_OK)
			break;
		if (type != RING_T_PAD && type != RING_T_TORN) {
			if (check_seq(r, p, type, f->seq, f + 1, 0, 0, 0) != RING_OK)
				break;
			lo = f->seq;
			if (type == RING_T_GAP) {
				memcpy(&g, f + 1, sizeof g);
				lo = g.first_seq;
			}
			if ((n == 0 ? lo <= prev : lo != last + 1) || f->seq > max_seq)
				break;
			last = f->seq;
			n++;
		}
		p += ring_fsize((uint64_t)len);
	}
	/* Exactly at the tail (even padding only), or at least one record
	 * followed by the limit or another bad frame. */
	ok = p == tail || n > 0;
	if (p > tail)
		ok = 0;                 /* a last frame running past the tail is not committed */
	memcpy(r->errmsg, saved, sizeof saved);
	return ok;
}

int
ring_resync(struct ring *r, uint64_t *cursor, uint64_t *skipped)
{
	struct ring_cons_line *c = &r->hot->cons.c;
	uint64_t pos = *cursor, tail, to, dummy, max_seq;

	if (!skipped)
		skipped = &dummy;
	*skipped = 0;
	if (r->role != RING_CONSUMER) {
		errno = EBADF;
		return RING_ESYS;
	}
	if ((pos & (RING_ALIGN - 1)) || pos < r->head || pos - r->head > r->cap)
		return bad(r, pos, "resync from a cursor outside [head %" PRIu64 ", head + capacity]", r->head);
	tail = committed_tail(r);
	/* Stored before the tail (release): at least the seq of the frame before it. */
	max_seq = atomic_load_explicit(&r->hot->prod.p.last_seq, memory_order_relaxed);
	/* A tail beyond head + capacity is itself damage: never skip past what the ring holds. */
	if (tail > r->head + r->cap)
		tail = r->head + r->cap;
	if (pos >= tail)
		return RING_OK;
	/* The frame at pos itself qualifies when only its seq was wrong (records
	 * lost before it): then nothing is skipped and the gap says how many. */
	for (to = pos; to < tail; to += RING_ALIGN)
		if (chains_from(r, to, tail, r->chk_seq, max_seq))
			break;
	if (!r->resync) {
		r->resync = 1;
		r->resync_first = r->chk_seq + 1;
	}
	r->skip[r->n_skip % 4].from = pos;
	r->skip[r->n_skip % 4].to = to;
	r->n_skip++;
	r->chk_end = to;
	r->chk_soft = 0;
	if (r->run_end == pos)
		r->run_end = to;
	*cursor = to;
	*skipped = to - pos;
	atomic_fetch_add_explicit(&c->corrupt, 1, memory_order_relaxed);
	atomic_store_explicit(&c->corrupt_pos, pos, memory_order_relaxed);
	atomic_fetch_add_explicit(&c->corrupt_bytes, to - pos, memory_order_relaxed);
	return RING_OK;
}

/* Where a range ring_resync skipped starting at p ends (p if none). */
static uint64_t
skipped_to(const struct ring *r, uint64_t p)
{
	for (unsigned i = 0; i < 4 && i < r->n_skip; i++)
		if (r->skip[i].from == p)
			return r->skip[i].to;
	return p;
}

void
ring_release(struct ring *r, uint64_t pos)
{
	struct ring_cons_line *c = &r->hot->cons.c;
	uint64_t n, seq;

	if (r->role != RING_CONSUMER || pos <= r->head || (pos & (RING_ALIGN - 1)) || pos - r->head > r->cap)
		return;
	if (pos == r->run_end) {
		n = r->run_count;
		seq = r->run_seq;
	} else {
		/* Released somewhere other than where sequential reads got to: count
		 * the frames by walking them (they are still ours, nobody rewrites them). */
		uint64_t p = r->head;

		n = 0;
		seq = r->read_seq;
		while (p < pos) {
			struct ring_frame *f = ring_frame_at(r, p);
			int32_t len = atomic_load_explicit(&f->len, memory_order_acquire);

			uint64_t to = skipped_to(r, p);

			if (to > p && to <= pos) {
				p = to;                 /* corrupt bytes ring_resync skipped */
				continue;
			}
			if (len <= 0 || check_frame(r, p, len, f->type) != RING_OK ||
			    p + ring_fsize((uint64_t)len) > pos)
				break;
			if (f->type != RING_T_PAD && f->type != RING_T_TORN) {
				seq = f->seq;
				n += f->type != RING_T_GAP;
			}
			p += ring_fsize((uint64_t)len);
		}
		pos = p;
		if (pos == r->head)
			return;
	}
	r->head = pos;
	r->read += n;
	r->read_seq = seq;
	r->run_end = pos;
	r->run_count = 0;
	r->run_seq = seq;
	/* read_seq before head: a consumer killed in between restarts with
	 * read_seq ahead of its head, which check_seq tolerates for one frame. */
	atomic_store_explicit(&c->read, r->read, memory_order_relaxed);
	atomic_store_explicit(&c->read_seq, seq, memory_order_relaxed);
	atomic_store_explicit(&c->head, pos, memory_order_release);    /* C2 */
	if (r->policy == RING_BLOCK)
		ring_wake_producer(r);
}

int
ring_has_data(const struct ring *r, uint64_t cursor, int check_tail)
{
	for (int i = 0; i < RING_SKIP_MAX; i++) {
		const struct ring_frame *f = ring_frame_at(r, cursor);
		int32_t len = atomic_load_explicit(&f->len, memory_order_acquire);

		uint64_t fs;

		if (len <= 0)
			return check_tail && r->role == RING_CONSUMER && cursor < committed_tail(r);  /* corrupt: ring_next says so */
		fs = ring_fsize((uint64_t)len);
		if (len < (int32_t)RING_FRAME_HDR || (cursor & r->mask) + fs > r->cap ||
		    (f->type < 0xff00 && ((uint32_t)len - RING_FRAME_HDR > r->max_record ||
		    (cursor == r->chk_end && !r->chk_soft && !r->resync && f->seq != r->chk_seq + 1))))
			/* Garbage: before the committed tail ring_next reports it; at or
			 * after it the producer has not written yet (no busy loop on it). */
			return r->role != RING_CONSUMER || cursor < committed_tail(r);
		if (f->type != RING_T_PAD && f->type != RING_T_TORN)
			return 1;
		cursor += fs;
	}
	return 1;
}

/* Could the producer have written into [pos, pos + n) since it held the
 * frame of this lap?  It writes only below intent, and never at or beyond
 * head + capacity, so either bound proves the copy intact. */
static int
lapped_at(const struct ring *r, uint64_t pos)
{
	uint64_t intent, head;

	atomic_thread_fence(memory_order_acquire);      /* I1: the copy before the checks */
	intent = atomic_load_explicit(&r->hot->prod.p.intent, memory_order_relaxed);
	head = atomic_load_explicit(&r->hot->cons.c.head, memory_order_relaxed);
	return !(pos >= head || intent <= pos + r->cap);
}

int
ring_peek_copy(struct ring *r, uint64_t *cursor, struct ring_msg *m, void *buf, size_t cap, int *lapped)
{
	uint64_t pos = *cursor;
	int rc, dummy;

	if (!lapped)
		lapped = &dummy;
	*lapped = 0;
	if (pos & (RING_ALIGN - 1))
		return bad(r, pos, "misaligned cursor");
	for (;;) {
		const struct ring_frame *f = ring_frame_at(r, pos);
		int32_t len = atomic_load_explicit(&f->len, memory_order_acquire);     /* C1 */
		struct ring_frame h;
		uint64_t payload;

		if (len <= 0) {
			uint64_t tail = committed_tail(r);

			*cursor = pos;
			len = atomic_load_explicit(&f->len, memory_order_acquire);
			if (lapped_at(r, pos)) {
				*lapped = 1;
				return bad(r, pos, "lapped by the producer");
			}
			/* Not lapped (head <= pos after the load): a frame before the
			 * committed tail must be there. */
			if (len <= 0 && pos < tail)
				return bad(r, pos, "frame length %d before the committed tail %" PRIu64, (int)len, tail);
			if (len <= 0)
				return 0;
			continue;
		}
		h.type = f->type;
		h.flags = f->flags;
		h.seq = f->seq;
		payload = (uint64_t)len >= RING_FRAME_HDR ? (uint64_t)len - RING_FRAME_HDR : 0;
		if (h.type != RING_T_PAD && payload <= cap && (pos & r->mask) + RING_FRAME_HDR + payload <= r->cap)
			memcpy(buf, (const unsigned char *)f + RING_FRAME_HDR, payload);
		if (lapped_at(r, pos)) {
			*cursor = pos;
			*lapped = 1;
			return bad(r, pos, "lapped by the producer");
		}
		if ((rc = check_frame(r, pos, len, h.type)) != RING_OK) {
			*cursor = pos;
			return rc;
		}
		if (h.type == RING_T_PAD || h.type == RING_T_TORN) {
			if (pos + ring_fsize((uint64_t)len) - *cursor > r->cap)
				return bad(r, pos, "padding/torn frames run for more than the capacity");
			pos += ring_fsize((uint64_t)len);
			continue;
		}
		if (payload > cap) {
			*cursor = pos;
			snprintf(r->errmsg, sizeof r->errmsg, "record of %" PRIu64 " bytes exceeds the buffer", payload);
			return RING_ETOOBIG;
		}
		m->type = h.type;
		m->flags = h.flags;
		m->len = (uint32_t)payload;
		m->seq = h.seq;
		m->pos = pos;
		m->data = buf;
		if ((rc = check_seq(r, pos, h.type, h.seq, buf, 0, 0, 0)) != RING_OK) {
			*cursor = pos;
			return rc;
		}
		*cursor = pos + ring_fsize((uint64_t)len);
		return 1;
	}
}
