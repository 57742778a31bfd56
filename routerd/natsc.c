/* natsc.c - NATS connection and JetStream streams from [nats]; see natsc.h. */
#include "natsc.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "route.h"
#include "url_safe.h"

static void
on_disconnected(natsConnection *nc, void *closure)
{
	struct natsc_state *st = closure;

	(void)nc;
	atomic_store(&st->disconnected, 1);
	atomic_fetch_add(&st->disconnects, 1);
	log_warn("nats disconnected", NULL);
}

static void
on_reconnected(natsConnection *nc, void *closure)
{
	struct natsc_state *st = closure;
	char url[256] = "", ub[256];

	natsConnection_GetConnectedUrl(nc, url, sizeof url);
	atomic_store(&st->disconnected, 0);
	atomic_store(&st->reconnected, 1);
	atomic_fetch_add(&st->reconnects, 1);
	log_info("nats reconnected", "url=%s", log_q(url_safe(url, ub, sizeof ub)));
}

static void
on_closed(natsConnection *nc, void *closure)
{
	struct natsc_state *st = closure;

	(void)nc;
	atomic_store(&st->closed, 1);
	log_warn("nats connection closed", NULL);
}

static void
on_error(natsConnection *nc, natsSubscription *sub, natsStatus s, void *closure)
{
	(void)nc;
	(void)sub;
	(void)closure;
	log_warn("nats async error", "status=%s", log_q(natsStatus_GetText(s)));
}

/* The library's last error text (it keeps one per thread). */
static const char *
last_err(natsStatus s)
{
	const char *t = nats_GetLastError(NULL);

	return t && *t ? t : natsStatus_GetText(s);
}

static int
set_err(char *err, size_t errlen, const char *what, natsStatus s)
{
	snprintf(err, errlen, "%s: %s", what, last_err(s));
	return -1;
}

#define TRY(what, call) do { natsStatus s_ = (call); \
	if (s_ != NATS_OK) { set_err(err, errlen, what, s_); goto fail; } } while (0)

int
natsc_options(const struct cfg *c, const char *name, struct natsc_state *st, natsOptions **out,
    char *err, size_t errlen)
{
	natsOptions *o = NULL;
	const char *urls[16];
	char ubuf[1024], *tok, *save = NULL;
	const char *v;
	int n = 0;

	*out = NULL;
	/* [nats] url is one string (mpctl reads it too): split the list here. */
	snprintf(ubuf, sizeof ubuf, "%s", cfg_str(c, "nats", "url"));
	for (tok = strtok_r(ubuf, ", \t", &save); tok && n < 16; tok = strtok_r(NULL, ", \t", &save))
		urls[n++] = tok;
	if (n == 0) {
		snprintf(err, errlen, "[nats] url: no server URL configured");
		return -1;
	}
	TRY("options", natsOptions_Create(&o));
	TRY("[nats] url", natsOptions_SetServers(o, urls, n));
	TRY("[nats] name", natsOptions_SetName(o, name ? name : cfg_str(c, "nats", "name")));
	TRY("connect_timeout", natsOptions_SetTimeout(o, cfg_dur_ns(c, "nats", "connect_timeout") / 1000000));
	/* A publisher must never give up on the server: reconnect forever, and
	 * buffer what is published meanwhile (routerd pauses anyway, see pub.c). */
	TRY("reconnect", natsOptions_SetMaxReconnect(o, -1));
	TRY("reconnect_wait", natsOptions_SetReconnectWait(o, cfg_dur_ns(c, "nats", "reconnect_wait") / 1000000));
	TRY("reconnect jitter", natsOptions_SetReconnectJitter(o, 50, 500));
	TRY("[nats] reconnect_buf", natsOptions_SetReconnectBufSize(o, (int)cfg_size(c, "nats", "reconnect_buf")));
	TRY("ping interval", natsOptions_SetPingInterval(o, 10000));
	/* The library buffers a publish and leaves the write to its flusher
	 * thread, which gathers writes for about a millisecond: most of the
	 * median publish -> ack.  Writing at once takes that off the median but
	 * costs a write and a server wake-up per message, which on a busy
	 * machine made the tail longer (README "Latency"): off by default. */
	TRY("[nats] send_asap", natsOptions_SetSendAsap(o, cfg_bool(c, "nats", "send_asap")));
	/* Large books: a bigger socket buffer saves system calls. */
	TRY("io buffer", natsOptions_SetIOBufSize(o, 256 * 1024));
	/* Acks of a flood of publishes must never make the client drop them. */
	TRY("max pending", natsOptions_SetMaxPendingMsgs(o, 1 << 20));

	v = cfg_str(c, "nats", "credentials");
	if (*v)
		TRY("[nats] credentials", natsOptions_SetUserCredentialsFromFiles(o, v, NULL));
	v = cfg_str(c, "nats", "nkey_seed");
	if (*v) {
		const char *pub = cfg_str(c, "nats", "nkey");

		if (!*pub) {
			snprintf(err, errlen, "[nats] nkey_seed needs [nats] nkey (the public key)");
			goto fail;
		}
		TRY("[nats] nkey_seed", natsOptions_SetNKeyFromSeed(o, pub, v));
	}
	v = cfg_str(c, "nats", "user");
	if (*v)
		TRY("[nats] user", natsOptions_SetUserInfo(o, v, cfg_str(c, "nats", "password")));
	v = cfg_str(c, "nats", "token");
	if (*v)
		TRY("[nats] token", natsOptions_SetToken(o, v));

	if (cfg_bool(c, "nats", "tls"))
		TRY("[nats] tls", natsOptions_SetSecure(o, true));
	v = cfg_str(c, "nats", "tls_ca");
	if (*v)
		TRY("[nats] tls_ca", natsOptions_LoadCATrustedCertificates(o, v));
	v = cfg_str(c, "nats", "tls_cert");
	if (*v)
		TRY("[nats] tls_cert/tls_key", natsOptions_LoadCertificatesChain(o, v, cfg_str(c, "nats", "tls_key")));
	v = cfg_str(c, "nats", "tls_hostname");
	if (*v)
		TRY("[nats] tls_hostname", natsOptions_SetExpectedHostname(o, v));
	v = cfg_str(c, "nats", "tls_ciphers");
	if (*v)
		TRY("[nats] tls_ciphers", natsOptions_SetCiphers(o, v));

	if (st) {
		TRY("callbacks", natsOptions_SetDisconnectedCB(o, on_disconnected, st));
		TRY("callbacks", natsOptions_SetReconnectedCB(o, on_reconnected, st));
		TRY("callbacks", natsOptions_SetClosedCB(o, on_closed, st));
	}
	TRY("callbacks", natsOptions_SetErrorHandler(o, on_error, NULL));
	*out = o;
	return 0;
fail:
	natsOptions_Destroy(o);
	return -1;
}

int
natsc_connect(const struct cfg *c, const char *name, struct natsc_state *st,
    natsConnection **out, char *err, size_t errlen)
{
	natsOptions *o;
	natsStatus s;

	*out = NULL;
	if (natsc_options(c, name, st, &o, err, errlen) != 0)
		return -1;
	s = natsConnection_Connect(out, o);
	if (s != NATS_OK) {
		set_err(err, errlen, "connect", s);   /* before Destroy: the error text is the library's */
		*out = NULL;
	}
	natsOptions_Destroy(o);
	return s == NATS_OK ? 0 : -1;
}

int
natsc_library_close(int ms)
{
	natsStatus s = nats_CloseAndWait(ms);

	if (s == NATS_OK)
		return 0;
	fprintf(stderr, "nats library teardown: %s after %d ms (threads still running)\n", natsStatus_GetText(s), ms);
	return -1;
}

int
natsc_stream_config(const struct cfg *c, int i, jsStreamConfig *sc, char *err, size_t errlen)
{
	const struct route_stream_def *d = &route_streams[i];
	const char *storage = cfg_str(c, "nats", "storage");
	char k[64];
	int n = 0;
	int64_t bytes, age, dup, msz;

	jsStreamConfig_Init(sc);
	sc->Name = d->name;
	while (d->subjects[n])
		n++;
	sc->Subjects = (const char **)d->subjects;
	sc->SubjectsLen = n;
	sc->Retention = js_LimitsPolicy;
	sc->Discard = js_DiscardOld;
	if (strcmp(storage, "file") == 0)
		sc->Storage = js_FileStorage;
	else if (strcmp(storage, "memory") == 0)
		sc->Storage = js_MemoryStorage;
	else {
		snprintf(err, errlen, "[nats] storage = \"%s\": expected file or memory", storage);
		return -1;
	}
	snprintf(k, sizeof k, "%s_max_msgs", d->cfg_prefix);
	sc->MaxMsgs = cfg_int(c, "nats", k);
	snprintf(k, sizeof k, "%s_max_bytes", d->cfg_prefix);
	bytes = cfg_size(c, "nats", k);
	sc->MaxBytes = bytes > 0 ? bytes : -1;
	snprintf(k, sizeof k, "%s_max_age", d->cfg_prefix);
	age = cfg_dur_ns(c, "nats", k);
	sc->MaxAge = age;
	snprintf(k, sizeof k, "%s_max_consumers", d->cfg_prefix);
	sc->MaxConsumers = cfg_int(c, "nats", k);
	snprintf(k, sizeof k, "%s_replicas", d->cfg_prefix);
	sc->Replicas = cfg_int(c, "nats", k);
	dup = cfg_dur_ns(c, "nats", "duplicate_window");
	/* The server refuses a window longer than max_age. */
	if (age > 0 && dup > age) {
		snprintf(err, errlen, "[nats] duplicate_window (%llds) is longer than %s_max_age (%llds)",
		    (long long)(dup / 1000000000), d->cfg_prefix, (long long)(age / 1000000000));
		return -1;
	}
	sc->Duplicates = dup;
	msz = cfg_size(c, "nats", "max_msg_size");
	sc->MaxMsgSize = msz > 0 ? (int32_t)msz : -1;
	return 0;
}

int
natsc_streams_ensure(jsCtx *js, const struct cfg *c, char *err, size_t errlen)
{
	for (int i = 0; i < RS_N; i++) {
		jsStreamConfig sc;
		jsStreamInfo *si = NULL;
		jsErrCode jerr = 0;
		natsStatus s;
		const char *how = "created";

		if (natsc_stream_config(c, i, &sc, err, errlen) < 0)
			return -1;
		s = js_GetStreamInfo(&si, js, sc.Name, NULL, &jerr);
		jsStreamInfo_Destroy(si);
		si = NULL;
		if (s == NATS_NOT_FOUND) {
			jerr = 0;
			s = js_AddStream(&si, js, &sc, NULL, &jerr);
		} else if (s == NATS_OK) {
			/* Existing stream: bring its limits to the configured ones. */
			how = "updated";
			s = js_UpdateStream(&si, js, &sc, NULL, &jerr);
		}
		if (s != NATS_OK) {
			snprintf(err, errlen, "stream %s: %s (jetstream error %d)", sc.Name, last_err(s), (int)jerr);
			return -1;
		}
		log_info("stream ready", "stream=%s how=%s messages=%llu bytes=%llu max_msgs=%lld max_bytes=%lld "
		    "max_age_s=%lld max_consumers=%lld duplicate_window_s=%lld", sc.Name, how,
		    (unsigned long long)si->State.Msgs, (unsigned long long)si->State.Bytes,
		    (long long)sc.MaxMsgs, (long long)sc.MaxBytes, (long long)(sc.MaxAge / 1000000000),
		    (long long)sc.MaxConsumers, (long long)(sc.Duplicates / 1000000000));
		jsStreamInfo_Destroy(si);
	}
	return 0;
}
