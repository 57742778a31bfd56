/* kick.c - flush the NATS client's buffer from a helper thread; see kick.h. */
#include "kick.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct kick {
	natsConnection *nc;
	int64_t timeout_ms;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_int pending;     /* a flush was asked for and not yet started */
	int stop;
	atomic_uint_fast64_t flushes, errors;
};

static void *
run(void *arg)
{
	struct kick *k = arg;

	pthread_mutex_lock(&k->mu);
	for (;;) {
		while (!atomic_load(&k->pending) && !k->stop)
			pthread_cond_wait(&k->cv, &k->mu);
		if (k->stop)
			break;
		/* Cleared before the write: a kick from now on asks for the next. */
		atomic_store(&k->pending, 0);
		pthread_mutex_unlock(&k->mu);
		/* Written already (the library's flusher, or a message larger
		 * than its buffer, written in place): no PING round trip. */
		if (natsConnection_Buffered(k->nc) > 0) {
			if (natsConnection_FlushTimeout(k->nc, k->timeout_ms) != NATS_OK)
				atomic_fetch_add(&k->errors, 1);
			atomic_fetch_add(&k->flushes, 1);
		}
		pthread_mutex_lock(&k->mu);
	}
	pthread_mutex_unlock(&k->mu);
	return NULL;
}

struct kick *
kick_new(natsConnection *nc, int64_t timeout_ms)
{
	struct kick *k = calloc(1, sizeof *k);
	int rc;

	if (!k)
		return NULL;
	k->nc = nc;
	k->timeout_ms = timeout_ms > 0 ? timeout_ms : 1;
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->cv, NULL);
	rc = pthread_create(&k->th, NULL, run, k);
	if (rc != 0) {
		pthread_mutex_destroy(&k->mu);
		pthread_cond_destroy(&k->cv);
		free(k);
		errno = rc;
		return NULL;
	}
	return k;
}

void
kick_now(struct kick *k)
{
	/* Already asked and not yet started: that flush will take this batch. */
	if (atomic_load_explicit(&k->pending, memory_order_relaxed))
		return;
	pthread_mutex_lock(&k->mu);
	atomic_store(&k->pending, 1);
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
}

void
kick_stats(struct kick *k, uint64_t *flushes, uint64_t *errors)
{
	*flushes = atomic_load(&k->flushes);
	*errors = atomic_load(&k->errors);
}

void
kick_free(struct kick *k)
{
	if (!k)
		return;
	pthread_mutex_lock(&k->mu);
	k->stop = 1;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
	pthread_join(k->th, NULL);
	pthread_mutex_destroy(&k->mu);
	pthread_cond_destroy(&k->cv);
	free(k);
}
