/*
 * meta.c - instrument rules (REC_INSTRUMENT, rec.h) from the venue's
 * instrument endpoint: one RQ_META request per instrument at start and every
 * instrument_interval after an answer, again after instrument_retry when it
 * failed (a counter and a log line; the book runs meanwhile with tick and lot
 * unknown).  The venue file says the request (feed_venue.rest_path RQ_META:
 * OKX /api/v5/public/instruments, Bybit /v5/market/instruments-info, Binance
 * spot exchangeInfo?symbol=); the venue's parser turns the answer into the
 * record (parse_rest), so a replay of the capture gives the same record.
 *
 * A request waits while its REST lane has requests queued, so a snapshot a
 * book waits for goes first where they share a lane (Binance, Bybit).
 *
 * feedd keeps the last record of each instrument and writes it again before
 * it acts on a bookd resync request for that instrument (a snapshot that is
 * not a periodic refresh or audit, a resubscribe): a restarted bookd asks
 * that first, and so gets the rules without another request to the venue.
 */
#include <string.h>

#include "clock.h"
#include "feedd.h"
#include "log.h"

/* The REST lane of the instrument's RQ_META, or -1 when the venue has no
 * instrument endpoint for it. */
static int
meta_lane(struct feed *f, const struct inst *in)
{
	char path[256];
	int64_t w;
	int lane;

	return f->ops->rest_path(f, RQ_META, in, 0, path, sizeof path, &w, &lane) >= 0 ? lane : -1;
}

void
meta_start(struct feed *f)
{
	int none = 0;

	for (int i = 0; i < f->ninst; i++) {
		uint32_t id = f->inst_ids[i];
		f->meta_next[id] = f->meta_interval_ns ? 0 : -1;   /* at once, or never */
		if (f->meta_interval_ns && meta_lane(f, inst_get(&f->reg, id)) < 0) {
			f->meta_next[id] = -1;
			none++;
		}
	}
	if (none)
		log_info("no instrument endpoint for these instruments in feedd: tick, lot and contract value "
		    "stay unknown", "exchange=%s instruments=%d", f->ex, none);
}

void
meta_tick(struct feed *f, int64_t mono)
{
	for (int i = 0; i < f->ninst; i++) {
		uint32_t id = f->inst_ids[i];
		int lane;
		if (f->meta_next[id] < 0 || mono < f->meta_next[id] || rest_pending(f, RQ_META, id))
			continue;
		/* rules wait for the lane to be free: a snapshot a book waits for
		 * (Binance, Bybit share the lane) goes first */
		lane = meta_lane(f, inst_get(&f->reg, id));
		if (lane < 0 || lane >= f->rest.nlanes || f->rest.lane[lane].head)
			continue;
		/* until the answer comes: a retry, should it never come */
		f->meta_next[id] = mono + f->meta_retry_ns;
		rest_submit(f, RQ_META, id, 0, 0);
	}
}

void
meta_answer(struct feed *f, uint32_t inst, int ok, long status, const char *why)
{
	const struct inst *in = inst_get(&f->reg, inst);

	if (!in)
		return;
	if (ok) {
		metric_inc(f->mt.meta_ok, 1);
		f->meta_next[inst] = mono_ns() + f->meta_interval_ns;
		return;
	}
	metric_inc(f->mt.meta_failed, 1);
	f->meta_next[inst] = mono_ns() + f->meta_retry_ns;
	log_warn("instrument rules not read: tick, lot and contract value stay as they were (unknown before a first "
	    "answer); asking again later", "exchange=%s symbol=%s status=%ld why=%s retry_s=%lld", f->ex, in->symbol,
	    status, log_q(why), (long long)(f->meta_retry_ns / 1000000000));
}

void
meta_seen(struct feed *f, const struct rec_hdr *rec)
{
	if (!f->meta || rec->inst == 0 || rec->inst > (uint32_t)f->reg.n || rec->len != sizeof f->meta[0])
		return;
	memcpy(&f->meta[rec->inst], rec, sizeof f->meta[0]);
}

void
meta_resend(struct feed *f, uint32_t inst)
{
	struct rec_instrument r;

	if (!f->meta || inst == 0 || inst > (uint32_t)f->reg.n || f->meta[inst].h.type != REC_INSTRUMENT)
		return;
	r = f->meta[inst];
	r.h.stage_ns[STAGE_FEED] = 0;
	out_record(f, &r.h);
}
