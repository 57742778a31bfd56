/* replay.c - see replay.h. */
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zstd.h>

#include "buf.h"
#include "http.h"
#include "log.h"
#include "route.h"
#include "venue.h"

enum { RP_MAX_CONNS = 64 };

struct rp_frame {
	int64_t recv_ns;
	const char *payload;    /* into rp.text */
	size_t len;
	const char *stream;     /* the combined-stream name, or NULL (a raw frame) */
	size_t stream_len;
};

struct rp_snap {
	int64_t recv_ns;
	char symbol[32];
	const char *body;
	size_t len;
};

struct rp_conn {
	struct sim_conn *c;
	char *streams;          /* "/"-separated, as requested */
};

static struct {
	int on;
	int venue;              /* the sim venue serving it (the recording's exchange), -1 until known */
	const char *depth_path; /* its REST depth path, sim_venue.replay_depth */
	double speed;
	char *text;             /* the whole capture, NULs written at line ends */
	struct rp_frame *f;
	size_t nf, next;
	struct rp_snap *s;
	size_t ns;
	uint64_t bad_lines;
	int started, done;
	int64_t t0_ms;          /* monotonic ms the recording's clock started */
	int64_t wall0_ms;       /* wall-clock ms at the same moment */
	struct sb out;          /* the frame being sent, retimed */
	uv_timer_t timer;
	struct rp_conn conn[RP_MAX_CONNS];
	uint64_t sent, dropped_no_client;
} rp;

/* The whole file, zstd-decompressed when it starts with zstd's magic. */
static char *
read_all(const char *path, size_t *outlen, char *err, size_t cap)
{
	FILE *fp = fopen(path, "rb");
	char *raw = NULL, *out = NULL;
	size_t n = 0, rcap = 0;

	if (!fp) {
		snprintf(err, cap, "%s: cannot open", path);
		return NULL;
	}
	for (;;) {
		size_t r;
		if (n + 65536 + 1 > rcap) {
			char *nr = realloc(raw, rcap = (n + 65536 + 1) * 2);
			if (!nr) {
				free(raw);
				fclose(fp);
				snprintf(err, cap, "%s: out of memory", path);
				return NULL;
			}
			raw = nr;
		}
		r = fread(raw + n, 1, 65536, fp);
		n += r;
		if (r < 65536)
			break;
	}
	if (ferror(fp)) {
		fclose(fp);
		free(raw);
		snprintf(err, cap, "%s: read error", path);
		return NULL;
	}
	fclose(fp);
	if (n < 4 || !(raw[0] == '\x28' && raw[1] == '\xb5' && raw[2] == '\x2f' && raw[3] == '\xfd')) {
		raw[n] = 0;
		*outlen = n;
		return raw;
	}
	{
		ZSTD_DStream *z = ZSTD_createDStream();
		ZSTD_inBuffer in = {raw, n, 0};
		size_t ocap = n * 8 + 65536, olen = 0, rc = 0;
		out = malloc(ocap + 1);
		if (!z || !out) {
			snprintf(err, cap, "%s: out of memory", path);
			goto fail;
		}
		ZSTD_initDStream(z);
		while (in.pos < in.size) {
			ZSTD_outBuffer o;
			if (ocap - olen < 65536) {
				char *no = realloc(out, (ocap *= 2) + 1);
				if (!no) {
					snprintf(err, cap, "%s: out of memory", path);
					goto fail;
				}
				out = no;
			}
			o.dst = out + olen;
			o.size = ocap - olen;
			o.pos = 0;
			rc = ZSTD_decompressStream(z, &o, &in);
			if (ZSTD_isError(rc)) {
				snprintf(err, cap, "%s: zstd: %s", path, ZSTD_getErrorName(rc));
				goto fail;
			}
			olen += o.pos;
		}
		if (rc != 0) {
			snprintf(err, cap, "%s: zstd: truncated frame", path);
			goto fail;
		}
		ZSTD_freeDStream(z);
		free(raw);
		out[olen] = 0;
		*outlen = olen;
		return out;
fail:
		ZSTD_freeDStream(z);
		free(raw);
		free(out);
		return NULL;
	}
}

/* The sim venue a recording's exchange field names, if --replay can serve
 * it (sim_venue.replay_depth); else -1. */
static int
replay_venue_of(const char *name, size_t len)
{
	for (int v = 0; v < SIM_NVENUE; v++) {
		const char *ex = exch_name(sim_ops(v)->exch);
		if (sim_ops(v)->replay_depth && strlen(ex) == len && memcmp(ex, name, len) == 0)
			return v;
	}
	return -1;
}

/* "<recv_ns> <exchange> ws <payload>" / "... rest:<path> <payload>" into the
 * tables.  The first line of a venue --replay can serve picks the venue (a
 * capture of feedd or mpstore holds one); lines of other venues are
 * skipped, malformed ones counted. */
static int
add_line(char *l, size_t len)
{
	char *sp1, *sp2, *sp3, *end;
	long long recv;
	size_t dl;
	int v;

	if (len == 0)
		return 0;
	recv = strtoll(l, &end, 10);
	if (end == l || *end != ' ' || recv <= 0)
		return -1;
	sp1 = end;
	if (!(sp2 = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - l))))
		return -1;
	if (!(sp3 = memchr(sp2 + 1, ' ', len - (size_t)(sp2 + 1 - l))))
		return -1;
	v = replay_venue_of(sp1 + 1, (size_t)(sp2 - sp1 - 1));
	if (v < 0 || (rp.venue >= 0 && v != rp.venue))
		return 0;
	if (rp.venue < 0) {
		rp.venue = v;
		rp.depth_path = sim_ops(v)->replay_depth;
	}
	if (sp3 - sp2 - 1 == 2 && memcmp(sp2 + 1, "ws", 2) == 0) {
		struct rp_frame *f;
		const char *p = sp3 + 1;
		if (rp.nf % 4096 == 0) {
			struct rp_frame *nf = realloc(rp.f, (rp.nf + 4096) * sizeof *rp.f);
			if (!nf)
				return -2;
			rp.f = nf;
		}
		f = &rp.f[rp.nf++];
		f->recv_ns = recv;
		f->payload = p;
		f->len = len - (size_t)(p - l);
		f->stream = NULL;
		f->stream_len = 0;
		if (strncmp(p, "{\"stream\":\"", 11) == 0) {
			const char *q = memchr(p + 11, '"', f->len - 11);
			if (q) {
				f->stream = p + 11;
				f->stream_len = (size_t)(q - f->stream);
			}
		}
		return 0;
	}
	dl = strlen(rp.depth_path);
	if (strncmp(sp2 + 1, "rest:", 5) == 0 && strncmp(sp2 + 6, rp.depth_path, dl) == 0 && sp2[6 + dl] == '?') {
		char q[512];
		const char *q0 = sp2 + 7 + dl;
		size_t ql = (size_t)(sp3 - q0);
		struct rp_snap *s, *ns;
		if (sp3 < q0 || ql >= sizeof q)
			return -1;
		memcpy(q, q0, ql);
		q[ql] = 0;
		if (!(ns = realloc(rp.s, (rp.ns + 1) * sizeof *rp.s)))
			return -2;
		rp.s = ns;
		s = &rp.s[rp.ns];
		if (!route_qget(q, "symbol", s->symbol, sizeof s->symbol))
			return -1;
		s->recv_ns = recv;
		s->body = sp3 + 1;
		s->len = len - (size_t)(sp3 + 1 - l);
		rp.ns++;
		return 0;
	}
	return 0;       /* other REST answers of the recording: not served */
}

int
replay_load(const char *path, double speed, char *err, size_t cap)
{
	size_t n, i = 0;

	rp.venue = -1;
	if (!(rp.text = read_all(path, &n, err, cap)))
		return -1;
	while (i < n) {
		char *nl = memchr(rp.text + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (rp.text + i)) : n - i;
		int rc;
		rp.text[i + len] = 0;
		rc = add_line(rp.text + i, len);
		if (rc == -2) {
			snprintf(err, cap, "%s: out of memory", path);
			return -1;
		}
		if (rc < 0)
			rp.bad_lines++;
		i += len + 1;
	}
	if (rp.nf == 0) {
		snprintf(err, cap, "%s: no WebSocket frame of binance, binance-usdm or binance-coinm to replay "
		    "(%llu malformed lines)", path, (unsigned long long)rp.bad_lines);
		return -1;
	}
	rp.speed = speed;
	rp.on = 1;
	uv_timer_init(sim.loop, &rp.timer);
	sb_init(&rp.out);
	log_info("replay loaded", "file=%s venue=%s frames=%zu snapshots=%zu malformed_lines=%llu speed=%g span_s=%.1f",
	    path, sim_venue_name(rp.venue), rp.nf, rp.ns, (unsigned long long)rp.bad_lines, speed,
	    (double)(rp.f[rp.nf - 1].recv_ns - rp.f[0].recv_ns) / 1e9);
	return 0;
}

int
replay_serves(int venue)
{
	return rp.on && venue == rp.venue;
}

/* Monotonic ms at which frame i is due. */
static int64_t
due_ms(size_t i)
{
	return rp.t0_ms + (int64_t)((double)(rp.f[i].recv_ns - rp.f[0].recv_ns) / 1e6 / rp.speed);
}

/*
 * The frame with its venue times ("E": event, "T": trade, ms) moved onto the
 * replay's clock the way its sending is: wall time at the start plus their
 * distance from the recording's first receive time divided by the speed.
 * So exchange times stay as close to receive times, and as ordered, as
 * recorded (bookd's skew and order checks, latency figures), and nothing
 * else in the frame changes.
 */
static void
retime(const struct rp_frame *f)
{
	const char *p = f->payload, *e = p + f->len, *from = p;
	int64_t rec0_ms = rp.f[0].recv_ns / 1000000;

	sb_reset(&rp.out);
	for (; p + 4 < e; p++) {
		const char *d;
		int64_t ms = 0;
		int nd = 0;
		if (p[0] != '"' || (p[1] != 'E' && p[1] != 'T') || p[2] != '"' || p[3] != ':')
			continue;
		for (d = p + 4; d < e && (unsigned)(*d - '0') < 10 && nd < 18; d++, nd++)
			ms = ms * 10 + (*d - '0');
		if (nd == 0 || (d < e && (unsigned)(*d - '0') < 10))
			continue;
		ms = rp.wall0_ms + (int64_t)((double)(ms - rec0_ms) / rp.speed);
		sb_add(&rp.out, from, (size_t)(p + 4 - from));
		sb_addi(&rp.out, ms > 0 ? ms : 0);
		from = p = d;
		p--;
	}
	sb_add(&rp.out, from, (size_t)(e - from));
}

/*
 * Where a diff-depth stream name "<sym>@depth" ends when the name is one
 * ("<sym>@depth", "<sym>@depth@<N>ms"), else n (partial depth "@depth5",
 * every other stream).  The speeds of one symbol's diff-depth stream carry
 * the same update-id chain at other cadences, and a recording holds only the
 * speed it was made with (the USD-M one "@depth@0ms", which feedd does not
 * ask for): a request for any speed gets the recorded one.
 */
static size_t
depth_stem(const char *s, size_t n)
{
	for (size_t i = 0; i + 6 <= n; i++) {
		size_t j = i + 6;
		if (s[i] != '@' || strncmp(s + i, "@depth", 6) != 0)
			continue;
		if (j == n)
			return j;
		if (s[j] != '@')
			return n;
		for (j++; j < n && s[j] >= '0' && s[j] <= '9'; j++)
			;
		return j > i + 7 && n - j == 2 && strncmp(s + j, "ms", 2) == 0 ? i + 6 : n;
	}
	return n;
}

static int
wants(const struct rp_conn *k, const struct rp_frame *f)
{
	const char *p = k->streams;
	size_t fs;

	if (!f->stream)
		return 1;
	fs = depth_stem(f->stream, f->stream_len);
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == f->stream_len && strncasecmp(p, f->stream, n) == 0)
			return 1;
		if (fs < f->stream_len && depth_stem(p, n) == fs && strncasecmp(p, f->stream, fs) == 0)
			return 1;
		p += n + (e != NULL);
	}
	return 0;
}

static void
on_timer(uv_timer_t *t)
{
	int64_t now = sim_mono_ms();

	(void)t;
	while (rp.next < rp.nf && due_ms(rp.next) <= now) {
		const struct rp_frame *f = &rp.f[rp.next++];
		int heard = 0;
		for (int i = 0; i < RP_MAX_CONNS; i++)
			if (rp.conn[i].c && wants(&rp.conn[i], f)) {
				if (!heard)
					retime(f);
				ws_send_text(rp.conn[i].c, rp.out.p, rp.out.len);
				heard = 1;
			}
		if (heard)
			rp.sent++;
		else
			rp.dropped_no_client++;
	}
	if (rp.next < rp.nf) {
		uv_timer_start(&rp.timer, on_timer, (uint64_t)(due_ms(rp.next) - now), 0);
	} else if (!rp.done) {
		rp.done = 1;
		log_info("replay finished", "frames_sent=%llu frames_unheard=%llu",
		    (unsigned long long)rp.sent, (unsigned long long)rp.dropped_no_client);
	}
}

int
replay_ws_open(struct sim_conn *c, const char *path, const char *query, struct sb *why)
{
	char list[8192];
	int slot = -1;

	if (strcmp(path, "/stream") != 0 && strcmp(path, "/stream/") != 0) {
		sb_adds(why, "{\"code\":-1,\"msg\":\"mpsim --replay serves the combined stream only: /stream?streams=\"}");
		return 404;
	}
	for (int i = 0; i < RP_MAX_CONNS && slot < 0; i++)
		if (!rp.conn[i].c)
			slot = i;
	if (slot < 0) {
		sb_adds(why, "{\"code\":-1,\"msg\":\"mpsim --replay: too many connections\"}");
		return 429;
	}
	if (!route_qget(query, "streams", list, sizeof list))
		list[0] = 0;
	if (!(rp.conn[slot].streams = strdup(list))) {
		sb_adds(why, "{\"code\":-1,\"msg\":\"out of memory\"}");
		return 500;
	}
	rp.conn[slot].c = c;
	c->ws_kind = WS_BN_COMBINED;
	return 0;
}

void
replay_ws_ready(struct sim_conn *c)
{
	(void)c;
	if (rp.started)
		return;
	rp.started = 1;
	rp.t0_ms = sim_mono_ms();
	rp.wall0_ms = sim_wall_ms();
	log_info("replay started", "frames=%zu speed=%g", rp.nf, rp.speed);
	on_timer(&rp.timer);
}

void
replay_closed(struct sim_conn *c)
{
	for (int i = 0; i < RP_MAX_CONNS; i++)
		if (rp.conn[i].c == c) {
			free(rp.conn[i].streams);
			rp.conn[i].c = NULL;
			rp.conn[i].streams = NULL;
		}
}

int
replay_rest(struct sim_conn *c, const char *method, const char *path, const char *query, int delay_ms)
{
	static const char hdr[] = "Content-Type: application/json\r\n";
	static const char bad[] = "{\"code\":-1121,\"msg\":\"Invalid symbol.\"}";
	char sym[32];
	int64_t pos;
	const struct rp_snap *best = NULL;

	if (strcmp(method, "GET") != 0 || strcmp(path, rp.depth_path) != 0)
		return 0;
	if (!route_qget(query, "symbol", sym, sizeof sym))
		sym[0] = 0;
	/* the recording's present: where the frames sent so far have got to */
	pos = rp.f[0].recv_ns;
	if (rp.started)
		pos += (int64_t)((double)(sim_mono_ms() - rp.t0_ms) * 1e6 * rp.speed);
	for (size_t i = 0; i < rp.ns; i++) {
		const struct rp_snap *s = &rp.s[i];
		if (strcasecmp(s->symbol, sym) != 0)
			continue;
		if (!best || llabs(s->recv_ns - pos) < llabs(best->recv_ns - pos))
			best = s;
	}
	if (!best) {
		sim.st[rp.venue].http_4xx++;
		http_respond(c, 400, hdr, bad, sizeof bad - 1, delay_ms);
		return 1;
	}
	sim.st[rp.venue].snapshots_sent++;
	http_respond(c, 200, hdr, best->body, best->len, delay_ms);
	return 1;
}

void
replay_stats(struct sb *b)
{
	if (!rp.on)
		return;
	sb_printf(b, ",\"replay\":{\"venue\":\"%s\",\"frames\":%zu,\"next\":%zu,\"sent\":%llu,\"unheard\":%llu,\"snapshots\":%zu,"
	    "\"malformed_lines\":%llu,\"speed\":%g,\"started\":%s,\"done\":%s}", sim_venue_name(rp.venue), rp.nf, rp.next,
	    (unsigned long long)rp.sent, (unsigned long long)rp.dropped_no_client, rp.ns,
	    (unsigned long long)rp.bad_lines, rp.speed, rp.started ? "true" : "false", rp.done ? "true" : "false");
}

void
replay_free(void)
{
	for (int i = 0; i < RP_MAX_CONNS; i++)
		free(rp.conn[i].streams);
	free(rp.f);
	free(rp.s);
	free(rp.text);
	sb_free(&rp.out);
	memset(&rp, 0, sizeof rp);
}
