/*
 * ctl.c - requests from bookd on ctl.<exchange>.
 *
 * A struct ring is used by one thread at a time, and the loop thread must
 * never block, so one small thread owns the ctl ring: it sleeps in
 * ring_wait, copies each REC_CONTROL into a locked queue, releases it, and
 * wakes the loop with uv_async_send.  The loop acts on the queue
 * (ctl_drain): snapshots and deep books go to rest.c, resubscribes and
 * reconnects to ws.c.
 */
#include <string.h>

#include "feedd.h"
#include "log.h"
#include "pipe.h"
#include "ring_recover.h"

static void *
ctl_main(void *arg)
{
	struct feed *f = arg;
	struct ring *r = f->ctl_ring;
	uint64_t cur = ring_head(r);
	struct ring_msg m;
	char err[160];
	uint64_t bad = 0;
	int rc;

	while (!f->ctl_stop) {
		int got = 0;
		while ((rc = ring_next(r, &cur, &m)) == 1) {
			got = 1;
			if (m.type == RING_T_GAP) {
				const struct ring_gap *g = m.data;
				log_warn("ctl ring lost requests", "exchange=%s count=%llu", f->ex,
				    (unsigned long long)g->count);
				continue;
			}
			if (m.type != REC_CONTROL || rec_check(m.data, m.len, err, sizeof err) != 0) {
				/* the first, then one in a thousand: a broken peer must not flood the log */
				if (bad++ % 1000 == 0)
					log_warn("bad record on the ctl ring", "exchange=%s type=%u why=%s count=%llu",
					    f->ex, m.type, log_q(m.type != REC_CONTROL ? "not a control record" : err),
					    (unsigned long long)bad);
				continue;
			}
			pthread_mutex_lock(&f->cq.mu);
			if (f->cq.n < (int)(sizeof f->cq.v / sizeof f->cq.v[0]))
				memcpy(&f->cq.v[f->cq.n++], m.data, sizeof f->cq.v[0]);
			else
				f->cq.lost++;
			pthread_mutex_unlock(&f->cq.mu);
		}
		if (got) {
			ring_release(r, cur);
			uv_async_send(&f->ctl_async);
		}
		/* Corruption: skip it (logged, counted in the ring); the requests
		 * lost come back as a gap, and bookd asks again on its timeout. */
		if (rc == RING_ECORRUPT && ring_recover(r, &cur) == RING_OK) {
			ring_release(r, cur);
			continue;
		}
		if (rc == RING_ECORRUPT) {
			log_error("ctl ring corrupt: requests stop", "exchange=%s", f->ex);
			break;
		}
		ring_heartbeat(r);
		ring_wait(r, cur, 500);
	}
	return NULL;
}

static void
on_ctl_async(uv_async_t *a)
{
	ctl_drain(a->data);
}

int
ctl_start(struct feed *f, char *err, size_t errlen)
{
	char name[32], perr[256];

	snprintf(name, sizeof name, "ctl.%s", f->ex);
	if (pipe_ring_open(f->cfg, name, RING_CONSUMER, &f->ctl_ring, perr, sizeof perr) != 0) {
		snprintf(err, errlen, "ring %s: %s", name, perr);
		return -1;
	}
	pthread_mutex_init(&f->cq.mu, NULL);
	uv_async_init(f->loop, &f->ctl_async, on_ctl_async);
	f->ctl_async.data = f;
	if (pthread_create(&f->ctl_thread, NULL, ctl_main, f) != 0) {
		snprintf(err, errlen, "cannot start the ctl thread");
		return -1;
	}
	f->ctl_thread_up = 1;
	return 0;
}

void
ctl_stop(struct feed *f)
{
	if (f->ctl_thread_up) {
		f->ctl_stop = 1;
		pthread_join(f->ctl_thread, NULL);
		f->ctl_thread_up = 0;
		uv_close((uv_handle_t *)&f->ctl_async, NULL);
	}
	if (f->ctl_ring)
		ring_close(f->ctl_ring);
	f->ctl_ring = NULL;
}

static void
act(struct feed *f, const struct rec_control *c)
{
	const struct inst *in = c->h.inst ? inst_get(&f->reg, c->h.inst) : NULL;
	char msg[256];

	metric_inc(f->mt.ctl_requests, 1);
	log_info("request", "exchange=%s op=%s symbol=%s req_id=%u depth=%u reason=%s", f->ex,
	    ctl_op_name(c->op), in ? in->symbol : "-", c->req_id, c->depth, log_q(c->reason));
	if (c->op == CTL_RECONNECT) {
		ws_reconnect_all(f, "requested on ctl");
		return;
	}
	if (!in || in->exch != f->exch) {
		metric_inc(f->mt.ctl_ignored, 1);
		log_warn("request for an instrument this feedd does not carry", "exchange=%s inst=%u op=%s",
		    f->ex, c->h.inst, ctl_op_name(c->op));
		if (c->op == CTL_SNAPSHOT)
			out_event(f, c->h.inst, EV_SNAPSHOT_FAILED, SEV_WARN, c->req_id, 0, 0,
			    "instrument %u is not carried by feedd %s", c->h.inst, f->ex);
		return;
	}
	/* a restarted bookd asks for a resync first: it gets the rules again
	 * this way (not with periodic refreshes and audits, nor deep fetches) */
	if ((c->op == CTL_SNAPSHOT && !(c->flags & CTL_F_REFRESH)) || c->op == CTL_RESUBSCRIBE)
		meta_resend(f, in->id);
	switch (c->op) {
	case CTL_SNAPSHOT:
		if (c->flags & CTL_F_REFRESH)
			rest_submit_refresh(f, in->id, c->req_id, c->depth);
		else
			rest_submit(f, RQ_SNAPSHOT, in->id, c->req_id, c->depth);
		break;
	case CTL_DEEP:
		if (!f->ops->deep) {
			metric_inc(f->mt.ctl_ignored, 1);
			break;
		}
		if (!rest_pending(f, RQ_DEEP, in->id))
			rest_submit(f, RQ_DEEP, in->id, c->req_id, c->depth);
		break;
	case CTL_RESUBSCRIBE:
		if (!f->ops->book_sub || !f->ch_depth) {
			/* no WS snapshot (Binance): only a REST snapshot resyncs */
			metric_inc(f->mt.ctl_ignored, 1);
			log_warn("resubscribe does not apply to this venue", "exchange=%s", f->ex);
			break;
		}
		for (int i = 0; i < f->nlinks; i++) {
			struct link *l = &f->link[i];
			if (!l->books || !venue_link_carries(l, in->id))
				continue;
			f->ops->book_sub(f, in, 0, msg, sizeof msg);
			if (ws_send(l, msg, strlen(msg)) == 0) {
				f->ops->book_sub(f, in, 1, msg, sizeof msg);
				ws_send(l, msg, strlen(msg));
			}
		}
		break;
	default:
		metric_inc(f->mt.ctl_ignored, 1);
		break;
	}
}

void
ctl_drain(struct feed *f)
{
	struct rec_control v[32];
	int n;

	do {
		pthread_mutex_lock(&f->cq.mu);
		n = f->cq.n < 32 ? f->cq.n : 32;
		memcpy(v, f->cq.v, (size_t)n * sizeof v[0]);
		memmove(f->cq.v, f->cq.v + n, (size_t)(f->cq.n - n) * sizeof v[0]);
		f->cq.n -= n;
		pthread_mutex_unlock(&f->cq.mu);
		for (int i = 0; i < n; i++)
			act(f, &v[i]);
	} while (n == 32);
}
