/*
 * ring_wait.c - sleeping on an empty (or, for RING_BLOCK, full) ring and
 * waking the other side.
 *
 * The doorbell is a futex word in the shared file, used without
 * FUTEX_PRIVATE_FLAG because the two sides are different processes.  The
 * sleeper announces itself in `waiting`; the other side rings only then, so a
 * busy ring makes no system calls.  No lost wake-up (Dekker):
 *
 *   sleeper:  v = bell; waiting = 1; fence(seq_cst); if (work) return; futex_wait(bell, v)
 *   waker:    publish work;          fence(seq_cst); if (waiting) { waiting = 0; bell++; futex_wake }
 *
 * Either the waker sees waiting == 1 or the sleeper sees the work; and if the
 * bell moves between the sleeper's read and its futex_wait, the kernel
 * refuses to sleep (the value no longer matches).
 */
#include "ring_impl.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif

/* A short spin (500 pauses: about 5 us on the Xeons measured) before sleeping
 * catches a producer that is mid-burst and saves both sides a system call;
 * an idle ring then sleeps for good.  With 200 the 10M-record test made three
 * times as many futex calls; with 20000 an idle consumer would burn 200 us of
 * CPU per record at low rates. */
#define RING_SPIN 500

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/* 0 when woken (or the value differed), else errno (ETIMEDOUT, EINTR). */
static int
futex_wait_until(_Atomic uint32_t *addr, uint32_t val, int64_t deadline)
{
	struct timespec ts, *tp = NULL;

	if (deadline >= 0) {
		int64_t rel = deadline - mono_ns();

		if (rel <= 0)
			return ETIMEDOUT;
		ts.tv_sec = rel / 1000000000;
		ts.tv_nsec = rel % 1000000000;
		tp = &ts;
	}
	if (syscall(SYS_futex, (void *)addr, FUTEX_WAIT, val, tp, NULL, 0) == 0)
		return 0;
	return errno == EAGAIN ? 0 : errno;
}

static void
ring_bell(struct ring_bell *b)
{
	atomic_thread_fence(memory_order_seq_cst);
	/* Take the flag down ourselves: until the sleeper is back on a CPU,
	 * every further write would otherwise make another system call.  If it
	 * still finds nothing it raises the flag again before sleeping. */
	if (atomic_load_explicit(&b->waiting, memory_order_relaxed) &&
	    atomic_exchange_explicit(&b->waiting, 0, memory_order_relaxed)) {
		atomic_fetch_add_explicit(&b->bell, 1, memory_order_relaxed);
		syscall(SYS_futex, (void *)&b->bell, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
	}
}

void
ring_wake_consumer(struct ring *r)
{
	ring_bell(&r->hot->cbell.b);
}

void
ring_wake_producer(struct ring *r)
{
	ring_bell(&r->hot->pbell.b);
}

int
ring_wait_room(struct ring *r, uint64_t need_end, int64_t deadline)
{
	struct ring_bell *b = &r->hot->pbell.b;
	int rc;

	for (;;) {
		uint32_t v = atomic_load_explicit(&b->bell, memory_order_acquire);

		atomic_store_explicit(&b->waiting, 1, memory_order_relaxed);
		atomic_thread_fence(memory_order_seq_cst);
		if (ring_room(r, need_end)) {
			atomic_store_explicit(&b->waiting, 0, memory_order_relaxed);
			return 1;
		}
		rc = futex_wait_until(&b->bell, v, deadline);
		atomic_store_explicit(&b->waiting, 0, memory_order_relaxed);
		if (ring_room(r, need_end))
			return 1;
		if (rc == ETIMEDOUT || mono_ns() >= deadline)
			return 0;
	}
}

static int64_t
deadline_of(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : mono_ns() + (int64_t)timeout_ms * 1000000;
}

static int
poll_sleep(int64_t deadline)
{
	struct timespec ts = {0, 1000000};

	if (deadline >= 0 && mono_ns() >= deadline)
		return 0;
	return nanosleep(&ts, NULL) == 0 ? 1 : -1;
}

int
ring_wait(struct ring *r, uint64_t cursor, int timeout_ms)
{
	struct ring_bell *b = &r->hot->cbell.b;
	int64_t deadline;
	int rc;

	if (ring_has_data(r, cursor, 1))
		return 1;
	if (timeout_ms == 0)
		return 0;
	deadline = deadline_of(timeout_ms);
	if (r->role != RING_CONSUMER) {
		/* The inspector maps read-only and must not write a flag: poll. */
		for (;;) {
			if ((rc = poll_sleep(deadline)) <= 0)
				return rc;
			if (ring_has_data(r, cursor, 1))
				return 1;
		}
	}
	for (int i = 0; i < RING_SPIN; i++) {
		cpu_relax();
		if (ring_has_data(r, cursor, 0))
			return 1;
	}
	for (;;) {
		uint32_t v = atomic_load_explicit(&b->bell, memory_order_acquire);

		atomic_store_explicit(&b->waiting, 1, memory_order_relaxed);
		atomic_thread_fence(memory_order_seq_cst);
		if (ring_has_data(r, cursor, 1)) {
			atomic_store_explicit(&b->waiting, 0, memory_order_relaxed);
			return 1;
		}
		rc = futex_wait_until(&b->bell, v, deadline);
		atomic_store_explicit(&b->waiting, 0, memory_order_relaxed);
		if (ring_has_data(r, cursor, 1))
			return 1;
		if (rc == EINTR)
			return -1;
		if (rc == ETIMEDOUT || (deadline >= 0 && mono_ns() >= deadline))
			return 0;
	}
}

struct ring_waitv {                     /* struct futex_waitv of linux/futex.h (5.16+) */
	uint64_t val;
	uint64_t uaddr;
	uint32_t flags;
	uint32_t reserved;
};

static int
any_data(struct ring **rs, const uint64_t *cursors, int n, int check_tail)
{
	for (int i = 0; i < n; i++)
		if (ring_has_data(rs[i], cursors[i], check_tail))
			return 1;
	return 0;
}

static void
set_waiting(struct ring **rs, int n, uint32_t v)
{
	for (int i = 0; i < n; i++)
		atomic_store_explicit(&rs[i]->hot->cbell.b.waiting, v, memory_order_relaxed);
}

int
ring_wait_many(struct ring **rs, const uint64_t *cursors, int n, int timeout_ms)
{
	static _Atomic int no_waitv;    /* the kernel lacks futex_waitv (before 5.16) */
	struct ring_waitv w[16];
	struct timespec ts;
	int64_t deadline;
	int rc, poll = 0;

	if (n <= 0 || n > 16) {
		errno = EINVAL;
		return -1;
	}
	if (any_data(rs, cursors, n, 1))
		return 1;
	if (timeout_ms == 0)
		return 0;
	deadline = deadline_of(timeout_ms);
	for (int i = 0; i < n; i++)
		poll |= rs[i]->role != RING_CONSUMER;
	for (int i = 0; i < RING_SPIN && !poll; i++) {
		cpu_relax();
		if (any_data(rs, cursors, n, 0))
			return 1;
	}
	for (;;) {
		if (poll) {
			if ((rc = poll_sleep(deadline)) <= 0)
				return rc;
			if (any_data(rs, cursors, n, 1))
				return 1;
			continue;
		}
		for (int i = 0; i < n; i++) {
			w[i].val = atomic_load_explicit(&rs[i]->hot->cbell.b.bell, memory_order_acquire);
			w[i].uaddr = (uint64_t)(uintptr_t)&rs[i]->hot->cbell.b.bell;
			w[i].flags = FUTEX_32;  /* shared, not FUTEX_PRIVATE_FLAG */
			w[i].reserved = 0;
		}
		set_waiting(rs, n, 1);
		atomic_thread_fence(memory_order_seq_cst);
		if (any_data(rs, cursors, n, 1)) {
			set_waiting(rs, n, 0);
			return 1;
		}
		if (atomic_load_explicit(&no_waitv, memory_order_relaxed)) {
			/* Old kernel: sleep on the first ring, at most 1 ms, then look at all. */
			int64_t d1 = mono_ns() + 1000000;

			rc = futex_wait_until(&rs[0]->hot->cbell.b.bell, (uint32_t)w[0].val,
			    deadline >= 0 && deadline < d1 ? deadline : d1);
			if (rc == ETIMEDOUT)
				rc = 0;
		} else {
			struct timespec *tp = NULL;

			if (deadline >= 0) {
				ts.tv_sec = deadline / 1000000000;
				ts.tv_nsec = deadline % 1000000000;
				tp = &ts;
			}
			rc = syscall(SYS_futex_waitv, w, (unsigned)n, 0, tp, CLOCK_MONOTONIC) >= 0 ? 0 : errno;
			if (rc == ENOSYS) {
				atomic_store_explicit(&no_waitv, 1, memory_order_relaxed);
				rc = 0;
			} else if (rc == EAGAIN) {
				rc = 0;
			}
		}
		set_waiting(rs, n, 0);
		if (any_data(rs, cursors, n, 1))
			return 1;
		if (rc == EINTR)
			return -1;
		if (rc == ETIMEDOUT || (deadline >= 0 && mono_ns() >= deadline))
			return 0;
	}
}
