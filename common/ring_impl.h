/*
 * ring_impl.h - private to common/ring*.c: the layout of a ring file and the
 * process-local handle.  Nothing outside the ring code includes this; the
 * inspector reads rings through ring.h only.
 *
 * File layout (all offsets fixed by RING_LAYOUT_VERSION and also recorded in
 * the header, so a reader can say which field differs):
 *
 *   0        header page (struct ring_shm_hdr, cold, written once at creation)
 *   4096     hot page: four 128-byte slots
 *              slot 0  producer line   (written by the producer on every write)
 *              slot 1  consumer line   (written by the consumer on every release)
 *              slot 2  producer doorbell: the producer's "I sleep" flag + futex
 *              slot 3  consumer doorbell: the consumer's "I sleep" flag + futex
 *   8192     data area, `capacity` bytes, a power of two
 *
 * 128-byte slots rather than 64: the adjacent-line prefetcher pulls pairs of
 * lines, so 64-byte padding still lets the two sides fight over a pair.  The
 * doorbells sit apart from the counters because each side reads the other
 * side's "sleeping" flag on every write/release: the flag's line must only be
 * written when someone actually goes to sleep.
 */
#ifndef MP_RING_IMPL_H
#define MP_RING_IMPL_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "clock.h"
#include "ring.h"

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free (address-free) for shared memory");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "32-bit atomics must be lock-free (address-free) for shared memory");

#define RING_HDR_SIZE   4096u
#define RING_HOT_OFF    4096u
#define RING_HOT_SIZE   4096u
#define RING_DATA_OFF   8192u
#define RING_SLOT       128u
#define RING_MIN_CAP    ((uint64_t)64 * 1024)   /* smallest ring ring_open creates */
#define RING_MIN_ATTACH ((uint64_t)4096)        /* smallest ring ring_open attaches (tests, fuzzing) */
#define RING_MAX_CAP    ((uint64_t)1 << 40)
#define RING_MAX_RECORD ((uint32_t)1 << 30)     /* frame lengths are int32 */
#define RING_LIVE_NS    (5LL * 1000000000LL)    /* a heartbeat older than this does not hold a role */
#define RING_GAP_FRAME  (RING_FRAME_HDR + (uint32_t)sizeof(struct ring_gap))

struct ring_shm_hdr {
	_Atomic uint64_t magic;         /* RING_MAGIC, stored last (release) at creation */
	uint32_t layout_version;
	uint32_t hdr_size;              /* RING_HDR_SIZE */
	uint32_t hot_off;               /* RING_HOT_OFF */
	uint32_t slot_size;             /* RING_SLOT */
	uint64_t data_off;              /* RING_DATA_OFF */
	uint64_t capacity;
	uint64_t schema_hash;
	uint32_t max_record;
	uint32_t policy;
	int32_t creator_pid;
	uint32_t generation;            /* incarnation id: differs on every re-creation */
	int64_t created_ns;             /* CLOCK_REALTIME */
	uint32_t frame_hdr;             /* RING_FRAME_HDR */
	uint32_t align;                 /* RING_ALIGN */
	char name[64];
};

struct ring_prod_line {
	_Atomic uint64_t tail;          /* end of the last committed frame */
	_Atomic uint64_t intent;        /* the producer writes nothing at or beyond this position */
	_Atomic uint64_t last_seq;      /* seq of the last committed data or gap frame */
	_Atomic uint64_t written;       /* data records committed */
	_Atomic uint64_t written_bytes; /* their payload bytes */
	_Atomic uint64_t dropped;       /* records dropped (RING_DROP) */
	_Atomic uint64_t full_events;   /* writes that found the ring full */
	_Atomic uint64_t gaps;          /* gap frames committed */
	_Atomic uint64_t torn;          /* claimed frames turned into RING_T_TORN */
	_Atomic uint64_t gap_first;     /* pending gap: first lost seq ... */
	_Atomic uint64_t gap_count;     /* ... and how many (0 = none pending) */
	_Atomic int64_t hb_ns;          /* CLOCK_MONOTONIC */
	_Atomic int32_t pid;
	_Atomic uint32_t attaches;
};

struct ring_cons_line {
	_Atomic uint64_t head;          /* everything before it is released */
	_Atomic uint64_t read;          /* data records released */
	_Atomic uint64_t read_seq;      /* seq of the last data or gap frame released */
	_Atomic int64_t hb_ns;
	_Atomic int32_t pid;
	_Atomic uint32_t attaches;
	/* Corruption the consumer resynchronised past (ring_resync); zero in
	 * rings created before these fields existed, which is the truth there. */
	_Atomic uint64_t corrupt;       /* corrupt frames found before the committed tail */
	_Atomic uint64_t corrupt_pos;   /* position of the last one */
	_Atomic uint64_t corrupt_bytes; /* bytes skipped over */
	_Atomic uint64_t corrupt_lost;  /* records lost with them (the resync gaps' counts) */
};

struct ring_bell {
	_Atomic uint32_t waiting;       /* written by the sleeper: 1 = asleep or about to be */
	_Atomic uint32_t bell;          /* futex word, bumped by the waker */
};

struct ring_hot {
	union { struct ring_prod_line p; char pad_[RING_SLOT]; } prod;
	union { struct ring_cons_line c; char pad_[RING_SLOT]; } cons;
	union { struct ring_bell b; char pad_[RING_SLOT]; } pbell;  /* producer sleeps here (RING_BLOCK, full) */
	union { struct ring_bell b; char pad_[RING_SLOT]; } cbell;  /* consumer sleeps here (empty) */
};

/* len includes this 16-byte header: frame bytes = (len + 15) & ~15, payload = len - 16. */
struct ring_frame {
	_Atomic int32_t len;
	uint16_t type;
	uint16_t flags;
	uint64_t seq;
};

_Static_assert(sizeof(struct ring_shm_hdr) <= RING_HDR_SIZE, "header fits its page");
_Static_assert(sizeof(struct ring_prod_line) <= RING_SLOT, "producer line fits its slot");
_Static_assert(sizeof(struct ring_cons_line) <= RING_SLOT, "consumer line fits its slot");
_Static_assert(sizeof(struct ring_hot) == 4 * RING_SLOT, "four hot slots");
_Static_assert(sizeof(struct ring_hot) <= RING_HOT_SIZE, "hot slots fit their page");
_Static_assert(sizeof(struct ring_frame) == RING_FRAME_HDR, "frame header is 16 bytes");

struct ring {
	char path[256];
	char name[64];
	char errmsg[160];               /* why the last RING_ECORRUPT */
	int fd;
	enum ring_role role;
	int lost_role;                  /* another process took our role over (stale heartbeat) */
	unsigned char *base;
	size_t map_len;
	struct ring_shm_hdr *hdr;
	struct ring_hot *hot;
	unsigned char *data;
	/* Copies of the validated header: the shared header is never trusted again. */
	uint64_t cap, mask, schema_hash;
	uint32_t max_record, policy, block_timeout_ms;

	/* producer */
	uint64_t tail;                  /* our tail (the shared one is only published) */
	uint64_t head_cache;            /* last head we read; refreshed only when it looks full */
	uint64_t intent;
	uint64_t last_seq;
	uint64_t gap_first, gap_count;
	uint64_t written, written_bytes, dropped, full_events, gaps;
	int reserved;                   /* ring_reserve claimed a frame at res_pos */
	uint64_t res_pos, res_seq;
	uint32_t res_len;

	/* consumer */
	uint64_t head;                  /* our released head */
	uint64_t read, read_seq;
	uint64_t chk_end, chk_seq;      /* end and seq of the last frame ring_next returned */
	int chk_soft;                   /* chk_seq came from the stored read_seq (just attached) */
	uint64_t run_end, run_count, run_seq;  /* sequential reads since the last release */
	/* ring_resync: the next frame read first yields a gap from resync_first
	 * to its own seq - 1; ring_release steps over the last RING_SKIPS
	 * skipped ranges [from, to) (more than that between two releases that
	 * do not end where reading got to only delays the release). */
	int resync;
	uint64_t resync_first;
	struct { uint64_t from, to; } skip[4];
	unsigned n_skip;
	struct ring_gap syn;            /* the payload of that gap message */
};


static inline uint64_t
ring_fsize(uint64_t len)
{
	return (len + (RING_ALIGN - 1)) & ~(uint64_t)(RING_ALIGN - 1);
}

static inline struct ring_frame *
ring_frame_at(const struct ring *r, uint64_t pos)
{
	return (struct ring_frame *)(void *)(r->data + (pos & r->mask));
}

/* ring_wait.c: wake the other side if it announced it sleeps. */
void ring_wake_consumer(struct ring *r);
void ring_wake_producer(struct ring *r);
/* ring_wait.c: producer (RING_BLOCK) sleeps until head moves past need_end - cap or deadline. */
int ring_wait_room(struct ring *r, uint64_t need_end, int64_t deadline_ns);
/* ring_io.c: is there room up to position end (refreshing the cached head)? */
int ring_room(struct ring *r, uint64_t end);
/* ring_io.c: is there a committed frame (not padding/torn) at cursor, or
 * corruption for ring_next to report?  check_tail = 0 (the spin before
 * sleeping) never reads the producer's line for a frame that is absent: the
 * checks before and after the futex sleep do. */
int ring_has_data(const struct ring *r, uint64_t cursor, int check_tail);

#endif
