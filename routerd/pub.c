/* pub.c - bounded async JetStream publishing with ordered release; see pub.h. */
#include "pub.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "pipe.h"

enum slot_state { S_FREE = 0, S_INFLIGHT, S_FAILED, S_DONE };

struct slot {
	natsMsg *msg;           /* held while INFLIGHT (as the map key) or FAILED (owned) */
	uint64_t pos;           /* ring position releasable after this slot (0 = none) */
	int64_t first_ns;       /* mono time of the first publish */
	int64_t sent_ns;        /* mono time of the latest publish */
	int64_t first_rt;       /* realtime of the first publish */
	struct lat_stamps ls;   /* the record's stamps (lat.h) */
	uint32_t subj;          /* hash of the subject (order check of re-publishes) */
	uint8_t state;
	uint8_t tag;
	uint16_t attempts;      /* publishes so far */
};

/* One result from an ack handler, applied by the owning thread. */
struct comp {
	natsMsg *msg;
	natsStatus err;         /* NATS_OK = stored (or duplicate) */
	int64_t at_mono, at_rt; /* when the answer came (in the handler) */
	int errcode;            /* JetStream error code of a negative ack */
	uint8_t dup;
	char text[80];
};

struct pub {
	jsCtx *js;
	struct natsc_state *st;
	struct pub_cfg cfg;
	/* slot FIFO: [head, tail) in publish order; index = n & mask */
	struct slot *slots;
	uint64_t head, tail, mask;
	int outstanding;        /* INFLIGHT + FAILED */
	int inflight;           /* INFLIGHT only */
	/* natsMsg* -> slot index (open addressing, linear probing) */
	natsMsg **hkey;
	uint32_t *hval;
	uint64_t hmask;
	/* completions from the client's threads */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct comp *q, *q2;
	size_t qn, qcap, q2cap;
	/* pending mark with no slot to attach to */
	uint64_t mark_pos, released;
	/* recovery */
	int recovering;
	int resent;             /* this round's copies were sent; awaiting answers */
	int rounds;             /* re-publish rounds of this recovery */
	int64_t recover_since, next_try, backoff;
	struct pub_stats stats;
	pub_ack_fn on_ack;
	void *on_ack_ud;
	uint64_t log_budget;    /* rate limit for per-message warnings */
	int64_t log_window;
};

static uint64_t
ptr_hash(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static void
map_put(struct pub *p, natsMsg *m, uint32_t v)
{
	uint64_t i = ptr_hash(m) & p->hmask;

	while (p->hkey[i] && p->hkey[i] != m)
		i = (i + 1) & p->hmask;
	p->hkey[i] = m;
	p->hval[i] = v;
}

static int
map_find(const struct pub *p, const natsMsg *m, uint64_t *at)
{
	uint64_t i = ptr_hash(m) & p->hmask;

	while (p->hkey[i]) {
		if (p->hkey[i] == m) {
			*at = i;
			return 1;
		}
		i = (i + 1) & p->hmask;
	}
	return 0;
}

/* Delete with backward shift, so probing never needs tombstones. */
static void
map_del(struct pub *p, const natsMsg *m)
{
	uint64_t i, j, k;

	if (!map_find(p, m, &i))
		return;
	j = i;
	for (;;) {
		p->hkey[i] = NULL;
		for (;;) {
			j = (j + 1) & p->hmask;
			if (!p->hkey[j])
				return;
			k = ptr_hash(p->hkey[j]) & p->hmask;
			/* Move j back to i unless its home k lies cyclically in (i, j]. */
			if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
				continue;
			break;
		}
		p->hkey[i] = p->hkey[j];
		p->hval[i] = p->hval[j];
		i = j;
	}
}

static void
ack_handler(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure)
{
	struct pub *p = closure;
	struct comp c;

	(void)js;
	memset(&c, 0, sizeof c);
	c.msg = msg;
	c.at_mono = mono_ns();
	c.at_rt = now_ns();
	if (pa) {
		c.dup = pa->Duplicate;
	} else {
		c.err = pae ? pae->Err : NATS_ERR;
		if (c.err == NATS_OK)
			c.err = NATS_ERR;
		c.errcode = pae ? (int)pae->ErrCode : 0;
		snprintf(c.text, sizeof c.text, "%s", pae && pae->ErrText ? pae->ErrText : natsStatus_GetText(c.err));
	}
	pthread_mutex_lock(&p->mu);
	if (p->qn == p->qcap) {
		size_t ncap = p->qcap ? p->qcap * 2 : 256;
		struct comp *nq = realloc(p->q, ncap * sizeof *nq);

		if (!nq) {
			/* Cannot record it: the message stays unacknowledged here and
			 * the ack timeout re-publishes it (de-duplicated). */
			pthread_mutex_unlock(&p->mu);
			return;
		}
		p->q = nq;
		p->qcap = ncap;
	}
	p->q[p->qn++] = c;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

struct pub *
pub_new(jsCtx *js, struct natsc_state *st, const struct pub_cfg *cfg)
{
	struct pub *p = calloc(1, sizeof *p);
	uint64_t n = 16;

	if (!p)
		return NULL;
	p->js = js;
	p->st = st;
	p->cfg = *cfg;
	while (n < (uint64_t)cfg->max_inflight + 16)
		n *= 2;
	p->mask = n - 1;
	p->hmask = n * 4 - 1;
	p->slots = calloc(n, sizeof *p->slots);
	p->hkey = calloc(n * 4, sizeof *p->hkey);
	p->hval = calloc(n * 4, sizeof *p->hval);
	if (!p->slots || !p->hkey || !p->hval) {
		free(p->slots);
		free(p->hkey);
		free(p->hval);
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	p->backoff = 50000000;
	return p;
}

void
pub_set_js(struct pub *p, jsCtx *js)
{
	p->js = js;
}

void
pub_js_options(struct pub *p, jsOptions *o)
{
	jsOptions_Init(o);
	o->PublishAsync.AckHandler = ack_handler;
	o->PublishAsync.AckHandlerClosure = p;
	/* routerd bounds what is in flight itself (pub_room); the library's own
	 * limit is a margin above it so that a publish call never stalls. */
	o->PublishAsync.MaxPending = p->cfg.max_inflight * 2 + 64;
	o->PublishAsync.StallWait = 10;
}

void
pub_free(struct pub *p)
{
	if (!p)
		return;
	for (uint64_t n = p->head; n < p->tail; n++) {
		struct slot *s = &p->slots[n & p->mask];

		/* INFLIGHT messages belong to the client library until acked. */
		if (s->state == S_FAILED)
			natsMsg_Destroy(s->msg);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->q);
	free(p->q2);
	free(p->slots);
	free(p->hkey);
	free(p->hval);
	free(p);
}

int
pub_room(const struct pub *p, int n)
{
	return !p->recovering && p->tail - p->head + (uint64_t)n <= (uint64_t)p->cfg.max_inflight;
}

int
pub_outstanding(const struct pub *p)
{
	return p->outstanding;
}

int
pub_recovering(const struct pub *p)
{
	return p->recovering;
}

void
pub_stats(const struct pub *p, struct pub_stats *s)
{
	*s = p->stats;
}

void
pub_on_ack(struct pub *p, pub_ack_fn fn, void *ud)
{
	p->on_ack = fn;
	p->on_ack_ud = ud;
}

/* At most ~20 per-message warnings a second; the counters carry the rest. */
static int
may_log(struct pub *p)
{
	int64_t now = mono_ns();

	if (now - p->log_window > 1000000000) {
		p->log_window = now;
		p->log_budget = 0;
	}
	return p->log_budget++ < 20;
}

static void
enter_recovery(struct pub *p, const char *why)
{
	if (p->recovering)
		return;
	p->recovering = 1;
	p->resent = 0;
	p->rounds = 0;
	p->recover_since = mono_ns();
	p->next_try = p->recover_since;
	p->stats.recoveries++;
	log_warn("publishing paused: re-publishing unacknowledged messages", "why=%s outstanding=%d",
	    log_q(why), p->outstanding);
}

/* The message could never be stored (too large for the stream): count it,
 * say so, and let the ring move on, or one bad message would stop all. */
static void
reject(struct pub *p, struct slot *s, const char *why)
{
	const char *id = NULL;

	natsMsgHeader_Get(s->msg, "Nats-Msg-Id", &id);
	log_error("message rejected by the server, dropped", "subject=%s msg_id=%s why=%s",
	    log_q(natsMsg_GetSubject(s->msg)), log_q(id ? id : "?"), log_q(why));
	map_del(p, s->msg);
	natsMsg_Destroy(s->msg);
	s->msg = NULL;
	s->state = S_DONE;
	s->subj = 0;        /* never stored: no order to check against */
	p->outstanding--;
	p->stats.pub_errors++;
}

static int
publish(struct pub *p, struct slot *s)
{
	jsPubOptions po;
	natsMsg *m = s->msg;
	natsStatus st;

	/* No MaxWait: with it, nats.c 3.4 tracks a deadline per async publish
	 * (an allocation and a copy of the reply subject) and, ack_timeout
	 * later, queues a timeout message for every message published, acked or
	 * not, through the reply subscription: about as much work again per
	 * message in its timer and delivery threads.  check_health() below
	 * times the acks itself, from the slots. */
	jsPubOptions_Init(&po);
	s->sent_ns = mono_ns();
	if (s->attempts++ == 0) {
		s->first_ns = s->sent_ns;
		s->first_rt = now_ns();
	}
	st = js_PublishMsgAsync(p->js, &m, &po);
	if (st == NATS_OK) {
		s->state = S_INFLIGHT;
		p->inflight++;
		return 0;
	}
	s->state = S_FAILED;
	p->stats.pub_errors++;
	if (st == NATS_MAX_PAYLOAD) {
		reject(p, s, "larger than the server's max_payload");
		return 0;
	}
	if (may_log(p))
		log_warn("publish failed", "status=%s", log_q(natsStatus_GetText(st)));
	return -1;
}

static uint32_t
subj_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/*
 * A re-published message was stored just now (not a duplicate).  A newer
 * message of the same subject that is already acknowledged was stored before
 * it: the stream holds the two out of order, which a consumer sees as a gap.
 * Say so (pub.h: the window recovery cannot close).
 */
static void
check_order(struct pub *p, uint64_t idx)
{
	const struct slot *s = &p->slots[idx];

	for (uint64_t n = p->head + ((idx - p->head) & p->mask) + 1; n < p->tail; n++) {
		const struct slot *t = &p->slots[n & p->mask];

		if (t->state == S_DONE && t->subj == s->subj) {
			p->stats.reordered++;
			if (may_log(p))
				log_warn("a re-published message was stored after a newer one of its subject",
				    "subject=%s", log_q(natsMsg_GetSubject(s->msg)));
			return;
		}
	}
}

int
pub_send(struct pub *p, const char *subject, const char *msg_id, const char *data, int len,
    int tag, const struct lat_stamps *ls)
{
	struct slot *s;
	natsMsg *m = NULL;

	if (natsMsg_Create(&m, subject, NULL, data, len) != NATS_OK)
		return -1;
	if (natsMsgHeader_Set(m, "Nats-Msg-Id", msg_id) != NATS_OK) {
		natsMsg_Destroy(m);
		return -1;
	}
	s = &p->slots[p->tail & p->mask];
	memset(s, 0, sizeof *s);
	s->msg = m;
	s->subj = subj_hash(subject);
	s->tag = (uint8_t)tag;
	if (ls)
		s->ls = *ls;
	else
		s->ls.cls = LAT_NONE;
	map_put(p, m, (uint32_t)(p->tail & p->mask));
	p->tail++;
	p->outstanding++;
	p->stats.published++;
	p->stats.bytes += (uint64_t)len;
	if (publish(p, s) < 0)
		enter_recovery(p, "publish call failed");
	return 0;
}

void
pub_mark(struct pub *p, uint64_t pos)
{
	if (p->tail > p->head)
		p->slots[(p->tail - 1) & p->mask].pos = pos;
	else
		p->mark_pos = pos;
}

static void
apply(struct pub *p, const struct comp *c)
{
	uint64_t at;
	struct slot *s;

	if (!map_find(p, c->msg, &at)) {
		/* Not ours any more (taken back and re-sent): a stale answer. */
		return;
	}
	s = &p->slots[p->hval[at]];
	if (s->state != S_INFLIGHT)
		return;
	p->inflight--;
	if (c->err == NATS_OK) {
		p->stats.acked++;
		if (c->dup) {
			const char *id = NULL;

			p->stats.duplicates++;
			/* Expected for what a restarted routerd publishes again;
			 * otherwise two records had one Nats-Msg-Id. */
			if (s->attempts == 1 && may_log(p)) {
				natsMsgHeader_Get(s->msg, "Nats-Msg-Id", &id);
				log_info("message was already in the stream (published before a restart?)",
				    "subject=%s msg_id=%s", log_q(natsMsg_GetSubject(s->msg)), log_q(id ? id : "?"));
			}
		} else if (s->attempts > 1) {
			check_order(p, p->hval[at]);
		}
		if (p->on_ack)
			p->on_ack(p->on_ack_ud, s->tag, c->at_mono - s->sent_ns, &s->ls, s->first_rt, c->at_rt);
		map_del(p, s->msg);
		natsMsg_Destroy(s->msg);
		s->msg = NULL;
		s->state = S_DONE;
		p->outstanding--;
		return;
	}
	p->stats.nacks++;
	s->state = S_FAILED;
	if (c->errcode == JSStreamMessageExceedsMaximumErr) {
		reject(p, s, c->text);
		return;
	}
	if (may_log(p))
		log_warn("publish not acknowledged", "subject=%s status=%s code=%d why=%s",
		    log_q(natsMsg_GetSubject(s->msg)), log_q(natsStatus_GetText(c->err)), c->errcode,
		    log_q(c->text));
	enter_recovery(p, c->text);
}

/* Take every message the client still waits an ack for back into our hands. */
static void
take_back(struct pub *p)
{
	natsMsgList l;
	int n = 0;

	if (js_PublishAsyncGetPendingList(&l, p->js) != NATS_OK)
		return;
	for (int i = 0; i < l.Count; i++) {
		uint64_t at;
		struct slot *s;

		if (!l.Msgs[i] || !map_find(p, l.Msgs[i], &at))
			continue;   /* not ours: natsMsgList_Destroy frees it */
		s = &p->slots[p->hval[at]];
		if (s->state == S_INFLIGHT) {
			s->state = S_FAILED;
			p->inflight--;
			n++;
		}
		l.Msgs[i] = NULL;   /* we own it now */
	}
	natsMsgList_Destroy(&l);
	if (n)
		log_info("took back unacknowledged messages", "count=%d", n);
}

void
pub_reclaim(struct pub *p)
{
	if (p->js && p->inflight > 0)
		take_back(p);
}

/* The next recovery round after an exponentially growing wait. */
static void
backoff(struct pub *p, int64_t now)
{
	p->next_try = now + p->backoff;
	p->backoff = p->backoff * 2 > p->cfg.retry_max_wait_ns ? p->cfg.retry_max_wait_ns : p->backoff * 2;
	p->recover_since = now;
}

/*
 * One recovery: wait for every answer to what is in flight (or its ack
 * timeout), take the rest back, publish every failed message again in order,
 * and repeat until a round comes back fully acknowledged; only then accept
 * new messages.  Resuming as soon as the copies were sent would let new
 * messages overtake copies that fail once more: during a JetStream leader
 * election, "no responders" answers come back at once, and a new leader
 * elected between a copy and a new message stores them out of order, which a
 * consumer sees as a gap in the book.  A round that fails again waits
 * (exponential back-off), so an election is not a busy loop of re-publishes.
 */
static void
recover(struct pub *p)
{
	int64_t now = mono_ns();
	int reconnected;

	if (atomic_load(&p->st->disconnected) || atomic_load(&p->st->closed) || now < p->next_try)
		return;
	reconnected = atomic_exchange(&p->st->reconnected, 0);
	if (p->inflight > 0) {
		/* Wait for answers to what is in flight, unless the connection
		 * changed (those answers are lost) or they are overdue. */
		if (!reconnected && now - p->recover_since < p->cfg.ack_timeout_ns)
			return;
		take_back(p);
	}
	/* Nothing in flight now: what is outstanding has failed. */
	if (p->outstanding == 0) {
		p->recovering = 0;
		p->resent = 0;
		p->backoff = 50000000;
		log_info("publishing resumed", "rounds=%d", p->rounds);
		return;
	}
	if (p->resent) {
		/* The previous round failed again: back off before the next. */
		p->resent = 0;
		backoff(p, now);
		return;
	}
	for (uint64_t n = p->head; n < p->tail; n++) {
		struct slot *s = &p->slots[n & p->mask];

		if (s->state != S_FAILED)
			continue;
		if (publish(p, s) < 0) {
			backoff(p, now);
			return;
		}
		p->stats.republished++;
		if (p->cfg.dup_window_ns > 0 && now - s->first_ns > p->cfg.dup_window_ns) {
			/* The server may have stored the first copy and forgotten
			 * its id already: this one may be stored twice. */
			p->stats.late_republished++;
			if (may_log(p))
				log_warn("re-published a message older than the duplicate window",
				    "subject=%s age_s=%lld", log_q(natsMsg_GetSubject(s->msg)),
				    (long long)((now - s->first_ns) / 1000000000));
		}
	}
	p->rounds++;
	p->resent = 1;
	p->recover_since = now;
}

/* Nothing acked for ack_timeout, or the connection dropped: recover. */
static void
check_health(struct pub *p)
{
	if (atomic_load(&p->st->disconnected)) {
		enter_recovery(p, "disconnected");
		return;
	}
	if (atomic_load(&p->st->reconnected)) {
		enter_recovery(p, "reconnected");
		return;
	}
	if (p->inflight > 0) {
		int64_t now = mono_ns();

		for (uint64_t n = p->head; n < p->tail; n++) {
			struct slot *s = &p->slots[n & p->mask];

			if (s->state == S_INFLIGHT) {
				if (now - s->sent_ns > p->cfg.ack_timeout_ns) {
					p->stats.nacks++;
					enter_recovery(p, "ack timeout");
					/* The oldest answer is overdue already: take
					 * what is in flight back at once instead of
					 * waiting another ack_timeout for it (nothing
					 * fails messages one by one: no MaxWait). */
					p->recover_since = now - p->cfg.ack_timeout_ns;
				}
				break;
			}
		}
	}
}

int
pub_poll(struct pub *p, int timeout_ms, uint64_t *pos)
{
	struct comp *batch;
	size_t n;
	uint64_t rel = p->released;

	pthread_mutex_lock(&p->mu);
	if (p->qn == 0 && timeout_ms > 0 && p->inflight > 0) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
		ts.tv_sec += timeout_ms / 1000 + ts.tv_nsec / 1000000000;
		ts.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&p->cv, &p->mu, &ts);
	}
	/* swap queues so the handlers never wait on our processing */
	batch = p->q;
	n = p->qn;
	p->q = p->q2;
	p->qcap ^= p->q2cap;
	p->q2cap ^= p->qcap;
	p->qcap ^= p->q2cap;
	p->qn = 0;
	p->q2 = batch;
	pthread_mutex_unlock(&p->mu);

	for (size_t i = 0; i < n; i++)
		apply(p, &batch[i]);

	if (!p->recovering)
		check_health(p);
	if (p->recovering)
		recover(p);

	while (p->head < p->tail && p->slots[p->head & p->mask].state == S_DONE) {
		struct slot *s = &p->slots[p->head & p->mask];

		if (s->pos > rel)
			rel = s->pos;
		s->state = S_FREE;
		p->head++;
	}
	if (p->head == p->tail && p->mark_pos) {
		if (p->mark_pos > rel)
			rel = p->mark_pos;
		p->mark_pos = 0;
	}
	if (rel != p->released) {
		p->released = rel;
		*pos = rel;
		return 1;
	}
	return 0;
}
