/*
 * out.c - everything feedd writes: records to feed.<exchange>, raw frames to
 * raw.<exchange> and the capture file, events, metrics, and the first sample
 * of every kind of bad frame in the log.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "feedd.h"
#include "log.h"
#include "pipe.h"

int
out_open(struct feed *f, char *err, size_t errlen)
{
	char name[32], perr[256], prefix[80];
	const char *cf = cfg_str(f->cfg, f->sect, "capture_file");
	int rc;

	snprintf(name, sizeof name, "feed.%s", f->ex);
	if ((rc = pipe_ring_open(f->cfg, name, RING_PRODUCER, &f->feed_ring, perr, sizeof perr)) != 0) {
		snprintf(err, errlen, "ring %s: %s", name, perr);
		return -1;
	}
	if (f->capture) {
		snprintf(name, sizeof name, "raw.%s", f->ex);
		if (pipe_ring_open(f->cfg, name, RING_PRODUCER, &f->raw_ring, perr, sizeof perr) != 0) {
			snprintf(err, errlen, "ring %s: %s", name, perr);
			return -1;
		}
	}
	if (*cf) {
		f->capf = fopen(cf, "a");
		if (!f->capf) {
			snprintf(err, errlen, "[%s] capture_file %s: %s", f->sect, cf, strerror(errno));
			return -1;
		}
	}
	if (!pipe_prefix(f->cfg, prefix, sizeof prefix)) {
		snprintf(err, errlen, "[system] ring_prefix is not a usable directory name");
		return -1;
	}
	snprintf(name, sizeof name, "feedd.%s", f->ex);
	f->m = metrics_open_books(prefix, name, f->ninst, perr, sizeof perr);
	if (!f->m)
		log_warn("metrics unavailable", "err=%s", log_q(perr));
	out_metrics_init(f);
	return 0;
}

void
out_close(struct feed *f)
{
	if (f->capf)
		fclose(f->capf);
	f->capf = NULL;
	if (f->feed_ring)
		ring_close(f->feed_ring);
	if (f->raw_ring)
		ring_close(f->raw_ring);
	f->feed_ring = f->raw_ring = NULL;
	if (f->m)
		metrics_close(f->m);
	f->m = NULL;
}

static _Atomic uint64_t g_dummy_c;
static _Atomic int64_t g_dummy_g;

static _Atomic uint64_t *
ctr(struct feed *f, const char *name, const char *help)
{
	char labels[64];

	if (!f->m)
		return &g_dummy_c;
	snprintf(labels, sizeof labels, "exchange=\"%s\"", f->ex);
	return metrics_counter(f->m, name, labels, help);
}

static _Atomic int64_t *
gauge(struct feed *f, const char *name, const char *help)
{
	char labels[64];

	if (!f->m)
		return &g_dummy_g;
	snprintf(labels, sizeof labels, "exchange=\"%s\"", f->ex);
	return metrics_gauge(f->m, name, labels, help);
}

void
out_metrics_init(struct feed *f)
{
	struct feed_metrics *m = &f->mt;

	m->frames = ctr(f, "mp_feed_frames_total", "WebSocket frames received");
	m->bytes = ctr(f, "mp_feed_bytes_total", "bytes of WebSocket frames and REST answers received");
	m->records = ctr(f, "mp_feed_records_total", "records written to feed.<exchange>");
	m->parse_errors = ctr(f, "mp_feed_parse_errors_total", "malformed frames and answers");
	m->unknown = ctr(f, "mp_feed_unknown_frames_total", "well-formed frames feedd does not carry");
	m->slow_path = ctr(f, "mp_feed_slow_path_total", "frames the strict scanner handed to jansson");
	m->feed_drops = ctr(f, "mp_feed_ring_drops_total", "records lost because feed.<exchange> was full");
	m->raw_drops = ctr(f, "mp_feed_raw_drops_total", "raw frames lost because raw.<exchange> was full");
	m->events = ctr(f, "mp_feed_events_total", "REC_EVENT records written");
	m->connects = ctr(f, "mp_feed_connects_total", "WebSocket connections opened");
	m->disconnects = ctr(f, "mp_feed_disconnects_total", "WebSocket connections lost or closed");
	m->rollovers = ctr(f, "mp_feed_rollovers_total", "planned connection roll-overs");
	m->stale = ctr(f, "mp_feed_stale_total", "silence watchdog firings");
	m->pings = ctr(f, "mp_feed_pings_total", "keep-alive pings sent (OKX text ping)");
	m->pongs = ctr(f, "mp_feed_pongs_total", "keep-alive answers received");
	m->rest_ok = ctr(f, "mp_feed_rest_ok_total", "REST answers turned into records");
	m->rest_failed = ctr(f, "mp_feed_rest_failed_total", "REST requests that failed");
	m->snap_ok = ctr(f, "mp_feed_snapshots_ok_total", "book snapshot requests answered with a usable book");
	m->snap_failed = ctr(f, "mp_feed_snapshots_failed_total",
	    "book snapshot requests that failed (HTTP error, timeout, rate limit, bad body, no budget in time)");
	m->meta_ok = ctr(f, "mp_feed_instrument_info_ok_total",
	    "instrument-endpoint answers that gave an instrument's tick, lot and contract value");
	m->meta_failed = ctr(f, "mp_feed_instrument_info_failed_total",
	    "instrument-endpoint requests that failed (HTTP error, timeout, bad body, instrument not listed)");
	m->rate_limited = ctr(f, "mp_feed_rate_limited_total", "REST answers 429/418 or venue rate-limit codes");
	m->ctl_requests = ctr(f, "mp_feed_ctl_requests_total", "requests read from ctl.<exchange>");
	m->ctl_ignored = ctr(f, "mp_feed_ctl_ignored_total", "requests that do not apply to this venue");
	m->refresh_skipped = ctr(f, "mp_feed_refresh_skipped_total",
	    "Binance deep refreshes not sent because the budget is kept for resyncs");
	m->refresh_sent = ctr(f, "mp_feed_refresh_requests_total", "Binance deep refreshes sent");
	m->market_sent = ctr(f, "mp_feed_market_requests_total",
	    "market requests sent (Binance futures openInterest, every market_poll_interval)");
	m->market_skipped = ctr(f, "mp_feed_market_skipped_total",
	    "market requests not sent: the weight budget is kept for book snapshots");
	m->refresh_weight = ctr(f, "mp_feed_refresh_weight_total", "request weight of the deep refreshes sent");
	m->retired_frames = ctr(f, "mp_feed_retired_frames_total", "frames of a replaced connection, not forwarded");
	m->capture_errors = ctr(f, "mp_feed_capture_errors_total", "capture file write failures");
	m->weight_used = gauge(f, "mp_feed_weight_used", "REST weight spent in the current window");
	m->weight_limit = gauge(f, "mp_feed_weight_limit", "REST weight feedd allows itself per window");
	m->rest_queued = gauge(f, "mp_feed_rest_queued", "REST requests waiting for budget");
	m->links_up = gauge(f, "mp_feed_links_up", "WebSocket links open");
}

int
out_record(void *ud, const struct rec_hdr *rec)
{
	struct feed *f = ud;
	struct rec_hdr *o;
	int err = 0;

	o = ring_reserve(f->feed_ring, rec->len, &err);
	if (!o) {
		metric_inc(f->mt.feed_drops, 1);
		return 0;   /* counted; the ring's gap record tells bookd */
	}
	memcpy(o, rec, rec->len);
	o->stage_ns[STAGE_FEED] = now_ns();
	ring_commit(f->feed_ring, rec->type, rec->len);
	metric_inc(f->mt.records, 1);
	if (rec->type == REC_INSTRUMENT)
		meta_seen(f, rec);
	if ((rec->type == REC_DELTA || (rec->type == REC_SNAPSHOT &&
	    ((const struct rec_snapshot *)rec)->kind == SNAP_WS)) && rec->inst <= (uint32_t)f->reg.n) {
		int64_t m = mono_ns();
		for (int i = 0; i < f->nlinks; i++)
			if (f->link[i].books && venue_link_carries(&f->link[i], rec->inst))
				f->link[i].depth_rx[rec->inst] = m;
	}
	return 0;
}

/* The capture format is one frame per line: a raw CR or LF (only ever JSON
 * whitespace in a valid frame) becomes a space. */
static void
capture_line(struct feed *f, int64_t recv_ns, int rest, const char *path, const char *payload, size_t len)
{
	size_t i, s = 0;

	if (fprintf(f->capf, "%lld %s %s%s ", (long long)recv_ns, f->ex, rest ? "rest:" : path ? "ws:" : "ws",
	    path ? path : "") < 0)
		goto fail;
	for (i = 0; i < len; i++) {
		if (payload[i] == '\n' || payload[i] == '\r') {
			if (i > s && fwrite(payload + s, 1, i - s, f->capf) != i - s)
				goto fail;
			fputc(' ', f->capf);
			s = i + 1;
		}
	}
	if (len > s && fwrite(payload + s, 1, len - s, f->capf) != len - s)
		goto fail;
	if (fputc('\n', f->capf) == EOF || fflush(f->capf) != 0)
		goto fail;
	return;
fail:
	metric_inc(f->mt.capture_errors, 1);
	if (*f->mt.capture_errors == 1)
		log_error("capture file write failed", "err=%s", log_q(strerror(errno)));
}

void
out_raw(struct feed *f, int64_t recv_ns, int source, const char *path, const char *payload, size_t len)
{
	/* REC_RAW keeps an empty path for WS frames (rec.h) */
	size_t plen = path && source == RAW_REST ? strlen(path) : 0;

	metric_inc(f->mt.bytes, len);
	if (f->capf)
		/* WS lines carry the path where it picks the market (VF_WS_PATH) */
		capture_line(f, recv_ns, source == RAW_REST, source == RAW_REST || (f->venue->flags & VF_WS_PATH) ? path : NULL,
		    payload, len);
	if (f->raw_ring) {
		size_t size;
		struct rec_raw *r;
		int err = 0;

		if (plen > 0xffff || len > UINT32_MAX)
			return;
		size = rec_raw_size((uint32_t)plen, (uint32_t)len);
		r = ring_reserve(f->raw_ring, (uint32_t)size, &err);
		if (!r) {
			metric_inc(f->mt.raw_drops, 1);
			return;
		}
		memset(r, 0, sizeof *r);
		rec_hdr_init(&r->h, REC_RAW, 0, (uint32_t)size);
		r->h.aux = (uint32_t)f->exch;
		r->h.recv_ns = recv_ns;
		r->h.stage_ns[STAGE_FEED] = now_ns();
		r->source = (uint8_t)source;
		r->path_len = (uint16_t)plen;
		r->payload_len = (uint32_t)len;
		memcpy(r->data, path ? path : "", plen);
		memcpy(r->data + plen, payload, len);
		/* zero the rounding tail so ring contents are deterministic */
		memset(r->data + plen + len, 0, size - sizeof *r - plen - len);
		ring_commit(f->raw_ring, REC_RAW, (uint32_t)size);
	}
}

static void
vevent(struct feed *f, uint32_t inst, uint16_t code, uint8_t sev, uint32_t aux, int64_t a, int64_t b,
    const char *fmt, va_list ap)
{
	struct rec_event ev;

	memset(&ev, 0, sizeof ev);
	rec_hdr_init(&ev.h, REC_EVENT, inst, sizeof ev);
	ev.h.aux = aux;
	ev.h.recv_ns = now_ns();
	ev.code = code;
	ev.severity = sev;
	ev.exch = (uint8_t)f->exch;
	ev.a = a;
	ev.b = b;
	vsnprintf(ev.text, sizeof ev.text, fmt, ap);
	metric_inc(f->mt.events, 1);
	out_record(f, &ev.h);
}

void
out_event(struct feed *f, uint32_t inst, uint16_t code, uint8_t sev, uint32_t aux, int64_t a, int64_t b,
    const char *fmt, ...)
{
	const struct inst *in = inst ? inst_get(&f->reg, inst) : NULL;
	char text[104];
	va_list ap;

	va_start(ap, fmt);
	vevent(f, inst, code, sev, aux, a, b, fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	log_line(sev >= SEV_ERROR ? LOG_ERROR : sev == SEV_WARN ? LOG_WARN : LOG_INFO, ev_code_name(code),
	    "exchange=%s symbol=%s a=%lld b=%lld aux=%u text=%s", f->ex, in ? in->symbol : "-",
	    (long long)a, (long long)b, aux, log_q(text));
}

void
out_event_all(struct feed *f, uint16_t code, uint8_t sev, int64_t a, int64_t b, const char *fmt, ...)
{
	char text[104];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	for (int i = 0; i < f->ninst; i++)
		out_event(f, f->inst_ids[i], code, sev, 0, a, b, "%s", text);
}

void
out_event_link(struct link *l, uint16_t code, uint8_t sev, int64_t a, int64_t b, const char *fmt, ...)
{
	struct feed *f = l->f;
	char text[104];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	for (int i = 0; i < f->ninst; i++)
		if (venue_link_carries(l, f->inst_ids[i]))
			out_event(f, f->inst_ids[i], code, sev, 0, a, b, "%s", text);
}

static uint32_t
hash_kind(const char *s)
{
	uint32_t h = 2166136261u;

	/* the kind is the message up to the first quote or digit, so
	 * "bid price \"x\": ..." and "bid price \"y\": ..." are one kind */
	for (; *s && *s != '"' && (*s < '0' || *s > '9'); s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h ? h : 1;
}

void
out_bad_frame(struct feed *f, const char *what, const char *why, const char *buf, size_t len)
{
	uint32_t h = hash_kind(why) ^ hash_kind(what);
	char sample[201];
	size_t n = len < 200 ? len : 200;

	for (int i = 0; i < f->nkinds; i++)
		if (f->kind_hash[i] == h) {
			log_debug(what, "exchange=%s why=%s", f->ex, log_q(why));
			return;
		}
	if (f->nkinds < FEED_KINDS)
		f->kind_hash[f->nkinds++] = h;
	memcpy(sample, buf, n);
	sample[n] = 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)sample[i] < 0x20)
			sample[i] = ' ';
	log_warn(what, "exchange=%s why=%s len=%zu sample=%s note=%s", f->ex, log_q(why), len, log_q(sample),
	    log_q("first of its kind; later ones are only counted"));
}
