/*
 * ring.h - single-producer/single-consumer shared-memory rings in /dev/shm.
 *
 * A ring is one file, /dev/shm/<prefix>/<name> (mode 0600), mapped by exactly
 * one producer process and one consumer process (plus any number of read-only
 * inspectors).  Layout: a 4 KiB header page, then hot fields each in their own
 * 128-byte slot (producer line, consumer line, two futex doorbells), then the
 * data area of `capacity` bytes (a power of two).
 *
 * Frames.  Every record travels in a frame: a 16-byte frame header
 * { int32 len; uint16 type; uint16 flags; uint64 seq } plus the payload,
 * padded to 16 bytes.  `len` counts the header plus the payload (so it is
 * never 0 for a real frame) and is the commit flag: 0 = nothing yet, negative =
 * claimed but not committed, positive = committed.  The producer zeroes the
 * next frame header before it commits a frame, so the byte after the last
 * committed frame always reads "nothing yet" and stale bytes from the previous
 * lap are never mistaken for data.  A frame never wraps: the rest of the area
 * becomes a padding frame.  Positions are free-running 64-bit byte counters.
 *
 * Sequence numbers.  Every data frame carries seq = previous + 1 (the first
 * is 1).  A consumer that checks seq proves it saw every record in order.
 *
 * Full ring.  Policy RING_BLOCK: ring_write waits (futex, no spinning) up to
 * its timeout and returns RING_EAGAIN if still full.  Policy RING_DROP: the
 * record is dropped and counted, its seq is consumed, and before the next
 * record that fits the producer writes a RING_T_GAP frame whose payload is
 * struct ring_gap {first lost seq, count}; the gap frame's own seq is
 * first + count.  So the consumer's rule is always: a gap frame explains
 * exactly the seqs it covers, anything else missing is a bug.
 *
 * Roles.  A producer or consumer role is held by a process whose pid is
 * alive and whose heartbeat (ring_heartbeat) is younger than 5 s; a second
 * opener then gets RING_EBUSY.  A dead (or zombie) holder, or a stale
 * heartbeat, lets the new process take the role over (counted in attaches),
 * so a daemon must call ring_heartbeat() about once a second.
 *
 * Restart.  The consumer's position (head) lives in the ring: a restarted
 * consumer continues at the first record it had not released.  A restarted
 * producer re-attaches, finds the true end by walking committed frames from
 * the stored tail, and turns a claimed-but-uncommitted frame (it was killed
 * mid-write) into a RING_T_TORN frame that consumers skip; the torn record's
 * seq is reused, because its write never returned success.
 *
 * Waiting.  A consumer with nothing to read spins briefly and then sleeps on
 * a futex doorbell; the producer rings it only when the consumer said it is
 * asleep, so a busy ring makes no system calls and an idle one costs no CPU.
 * ring_wait_many() sleeps on several rings at once (futex_waitv).  An
 * inspector (read-only mapping, it may not announce itself) polls instead.
 *
 * Corruption.  A frame before the producer's committed tail that cannot be
 * valid (length <= 0 there, a length out of bounds, a seq that breaks the
 * rules above) is corruption: someone wrote into the ring.  ring_next reports
 * it (RING_ECORRUPT, ring_errmsg() says what and where) instead of waiting
 * for it, since a length <= 0 there would otherwise read as "nothing yet"
 * for ever.  A bad frame at or after the committed tail is only "nothing
 * yet": the producer writes there next.  The consumer then calls
 * ring_resync(), which skips to the first position from which the frames
 * chain validly up to the committed tail (or to the tail itself), counts the
 * event in the consumer line (ring_stat: corrupt, corrupt_pos,
 * corrupt_bytes, corrupt_lost), and makes the next ring_next return a gap
 * message (type RING_T_GAP, flags RING_F_RESYNC) of exactly the seqs
 * skipped: from the last seq read + 1 to the seq of the next valid frame - 1
 * (known only once that frame is there, so when everything up to the tail
 * was damaged the gap comes with the producer's next record).  That gap
 * message is synthetic: its seq is the last skipped seq (not first + count as
 * in a producer's gap frame), so the next record still has seq + 1.
 *
 * Threads.  A struct ring handle is used by one thread at a time.
 */
#ifndef MP_RING_H
#define MP_RING_H

#include <stddef.h>
#include <stdint.h>

#define RING_MAGIC 0x474e49524d50524dULL   /* "MRPMRING" little-endian; written last at creation */
#define RING_LAYOUT_VERSION 1
#define RING_FRAME_HDR 16
#define RING_ALIGN 16

/* Frame types below 0xff00 are payload types (enum rec_type); these are the ring's own. */
#define RING_T_PAD  0xffff  /* padding to the end of the area; skipped */
#define RING_T_GAP  0xfffe  /* records dropped under RING_DROP; payload struct ring_gap */
#define RING_T_TORN 0xfffd  /* a frame whose producer died mid-write; skipped */

/* ring_msg.flags of the gap message that follows ring_resync (never on a frame). */
#define RING_F_RESYNC 0x8000

enum ring_policy { RING_BLOCK = 0, RING_DROP = 1 };
enum ring_role { RING_PRODUCER = 1, RING_CONSUMER = 2, RING_INSPECT = 3 };

enum ring_err {
	RING_OK = 0,
	RING_EAGAIN = -1,    /* full (RING_BLOCK, timed out) */
	RING_EDROPPED = -2,  /* full (RING_DROP): record dropped and counted */
	RING_ETOOBIG = -3,   /* record larger than max_record */
	RING_ENOENT = -4,    /* ring file does not exist (and no create options given) */
	RING_EBADHDR = -5,   /* not a ring, or a ring of another layout/schema/capacity */
	RING_ESYS = -6,      /* system call failed (errno kept) */
	RING_ECORRUPT = -7,  /* a frame that cannot be valid (bad length, seq) */
	RING_EBUSY = -8,     /* another live process holds this role */
};

struct ring_gap {
	uint64_t first_seq;
	uint64_t count;
};

struct ring_opts {
	uint64_t capacity;     /* bytes, power of two >= 64 KiB */
	uint32_t max_record;   /* largest payload accepted; <= capacity/4 and 1 GiB (0 = that limit) */
	uint32_t policy;       /* enum ring_policy */
	uint32_t block_timeout_ms; /* RING_BLOCK: longest single wait in ring_write (0 = 100 ms) */
	uint64_t schema_hash;  /* record schema (rec_schema_hash()); must match to attach */
};

/* A record as the consumer sees it: points into the ring until released. */
struct ring_msg {
	uint16_t type;
	uint16_t flags;
	uint32_t len;          /* payload bytes */
	uint64_t seq;
	uint64_t pos;          /* position of the frame */
	const void *data;
};

/* A consistent-enough copy of the header for the inspector and metrics. */
struct ring_stat {
	char name[64];
	uint32_t layout_version;
	uint64_t schema_hash;
	uint64_t capacity;
	uint32_t max_record;
	uint32_t policy;
	uint32_t generation;           /* incarnation id: differs on every re-creation, never 0 */
	int32_t creator_pid;
	int64_t created_ns;            /* CLOCK_REALTIME */
	uint64_t head, tail;           /* positions: lag bytes = tail - head */
	uint64_t last_seq;             /* seq of the last committed record (data or gap frame) */
	uint64_t written, written_bytes, read, dropped, full_events, torn, gaps;
	int32_t producer_pid, consumer_pid;
	int64_t producer_hb_ns, consumer_hb_ns;  /* CLOCK_MONOTONIC of the last heartbeat, 0 = never */
	uint32_t producer_attaches, consumer_attaches;
	uint64_t read_seq;             /* seq of the last frame the consumer released */
	uint64_t pending_gap;          /* records dropped since the last gap frame (RING_DROP) */
	uint64_t corrupt;              /* corrupt frames the consumer resynchronised past */
	uint64_t corrupt_pos;          /* position of the last one (what the consumer logged) */
	uint64_t corrupt_bytes;        /* bytes skipped over in all */
	uint64_t corrupt_lost;         /* records lost with them (sum of the resync gaps) */
};

struct ring;

/*
 * Open the ring at path in a role.  If the file does not exist and opts is
 * given (and role is not RING_INSPECT) it is created (atomically: built
 * under a temporary name and linked into place).  If it exists its magic,
 * layout version and sanity are checked, and when opts is given its schema
 * hash, capacity, max_record and policy must match, or RING_EBADHDR with the
 * reason (naming what differs) in err.  A producer or consumer whose role is
 * held by another live process gets RING_EBUSY; RING_ECORRUPT if the stored
 * positions or the frames after the tail cannot be valid.
 * Returns 0 and *out, or an enum ring_err with err filled.
 */
int ring_open(const char *path, enum ring_role role, const struct ring_opts *opts,
    struct ring **out, char *err, size_t errlen);
void ring_close(struct ring *r);
/* Remove the file (the launcher does this to re-create a ring of another size). */
int ring_unlink(const char *path);
/* Build "/dev/shm/<prefix>/<name>" (creating the directory, mode 0700). */
int ring_path(char *buf, size_t cap, const char *prefix, const char *name);

/* ---- producer ---- */
/* Copy one record in.  RING_OK, RING_EAGAIN, RING_EDROPPED or RING_ETOOBIG. */
int ring_write(struct ring *r, uint16_t type, const void *payload, uint32_t len);
/* Zero-copy: reserve room for len bytes (NULL if full: with RING_DROP the
 * drop is counted as for ring_write), fill it, then commit with the real
 * length (<= the reserved one). */
void *ring_reserve(struct ring *r, uint32_t len, int *err);
void ring_commit(struct ring *r, uint16_t type, uint32_t len);

/* ---- consumer ---- */
/* The first position not yet released (where a restarted consumer resumes). */
uint64_t ring_head(const struct ring *r);
/* Read the frame at *cursor: 1 = one record in *m, *cursor moved past it
 * (padding and torn frames are skipped silently, gap frames are returned with
 * type RING_T_GAP), 0 = nothing more yet, RING_ECORRUPT = the frame cannot be
 * valid before the committed tail: a length <= 0 or out of bounds, or a seq
 * that breaks the rules above (the consumer reports ring_errmsg() and calls
 * ring_resync; *cursor is left at the bad frame).
 * Nothing is consumed until ring_release. */
int ring_next(struct ring *r, uint64_t *cursor, struct ring_msg *m);
/* After RING_ECORRUPT from ring_next at *cursor: skip the corrupt bytes (see
 * "Corruption" above), count them, and set *cursor where reading goes on;
 * *skipped (may be NULL) gets the bytes skipped.  RING_OK; RING_ESYS if not
 * the consumer; RING_ECORRUPT if *cursor is outside [head, head + capacity]
 * or misaligned (a caller bug, nothing done).  With *cursor at or after the
 * committed tail there is nothing to skip: RING_OK and *skipped = 0. */
int ring_resync(struct ring *r, uint64_t *cursor, uint64_t *skipped);
/* Everything before pos is consumed: the producer may overwrite it.  pos
 * should be a cursor ring_next returned (normally the last one). */
void ring_release(struct ring *r, uint64_t pos);
/* Sleep until a record may be at *cursor, or timeout_ms passes (-1 = forever).
 * Returns 1 if data is there, 0 on timeout, -1 if interrupted by a signal. */
int ring_wait(struct ring *r, uint64_t cursor, int timeout_ms);
/* The same for several rings (cursors[i] for rs[i]); n <= 16. */
int ring_wait_many(struct ring **rs, const uint64_t *cursors, int n, int timeout_ms);

/* ---- both ---- */
/* Stamp this side's heartbeat and pid (call about once a second).  Returns
 * RING_OK, or RING_EBUSY if another process took the role over meanwhile
 * (our heartbeat was older than 5 s): then nothing is stamped, an error is
 * logged, and the caller must stop writing or releasing and exit/reopen. */
int ring_heartbeat(struct ring *r);
void ring_stat(const struct ring *r, struct ring_stat *st);
/* Convenience: open read-only and fill *st. */
int ring_stat_path(const char *path, struct ring_stat *st, char *err, size_t errlen);
const char *ring_strerror(int err);
const char *ring_name(const struct ring *r);
/* Why the last RING_ECORRUPT (or lapped) happened on this handle, with the position. */
const char *ring_errmsg(const struct ring *r);
/* Is process pid alive (not a zombie)?  What ring_open uses for RING_EBUSY. */
int ring_pid_alive(int32_t pid);

/* ---- inspector (RING_INSPECT role): reads without ever moving the head ---- */
/* Copy the frame at *cursor into buf (cap bytes) and validate it against the
 * producer's position afterwards, so a frame overwritten while being copied is
 * reported (RING_ECORRUPT with *lapped = 1) instead of shown.  Same return
 * values as ring_next (RING_ETOOBIG if the payload exceeds cap); m->data
 * points into buf. */
int ring_peek_copy(struct ring *r, uint64_t *cursor, struct ring_msg *m, void *buf, size_t cap, int *lapped);

#endif
