/*
 * procs.c - which children mpctl runs, in which order, with which argv.
 *
 * Order (design.md section 1): [mpsim] -> [nats-server] -> the [mpctl]
 * processes list (default stored, routerd, bookd, feedd), where "feedd"
 * becomes one feedd per exchange that has instruments.  Every child of ours
 * gets the same -c CONF, every --set and --log-level mpctl was given, so one
 * command line configures the whole instance.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg_schemas.h"
#include "inst.h"
#include "log.h"
#include "mpctl.h"

const char *
procs_opt_str(const struct cfg *cfg, const char *section, const char *key)
{
	const struct cfg_key *const *s;
	const struct cfg_key *k;

	for (s = cfg_all_schemas; *s; s++)
		for (k = *s; k->section; k++)
			if (k->type == CFG_STR && strcmp(k->key, key) == 0 &&
			    fnmatch(k->section, section, 0) == 0)
				return cfg_str(cfg, section, key);
	return NULL;
}

static int
add_arg(struct child *ch, const char *s)
{
	if (ch->argc + 1 >= CTL_MAX_ARGS)
		return -1;
	if (!(ch->argv[ch->argc] = strdup(s)))
		return -1;
	ch->argc++;
	ch->argv[ch->argc] = NULL;
	return 0;
}

/* The options every child of ours shares with mpctl. */
static int
add_common(struct ctl *c, struct child *ch)
{
	int i, rc = 0;

	if (c->conf_path) {
		rc |= add_arg(ch, "-c");
		rc |= add_arg(ch, c->conf_path);
	}
	for (i = 0; i < c->nsets; i++) {
		rc |= add_arg(ch, "--set");
		rc |= add_arg(ch, c->sets[i]);
	}
	if (c->log_level) {
		rc |= add_arg(ch, "--log-level");
		rc |= add_arg(ch, c->log_level);
	}
	return rc;
}

/* A program name without a slash is looked up in PATH, as a shell would. */
static int
resolve_prog(const char *name, char *out, size_t cap)
{
	const char *path, *p, *e;
	char buf[PATH_MAX];

	if (strchr(name, '/')) {
		snprintf(out, cap, "%s", name);
		return access(out, X_OK);
	}
	path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p; p = *e ? e + 1 : e) {
		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		snprintf(buf, sizeof buf, "%.*s/%s", (int)(e - p), p, name);
		if (access(buf, X_OK) == 0) {
			snprintf(out, cap, "%s", buf);
			return 0;
		}
	}
	return -1;
}

static struct child *
new_child(struct ctl *c, const char *name, const char *prog, char *err, size_t errlen)
{
	struct child *ch;
	int i;

	for (i = 0; i < c->nch; i++)
		if (strcmp(c->ch[i].name, name) == 0) {
			snprintf(err, errlen, "[mpctl] processes: %s is listed twice", name);
			return NULL;
		}
	if (c->nch >= CTL_MAX_CHILDREN) {
		snprintf(err, errlen, "[mpctl] processes: more than %d processes", CTL_MAX_CHILDREN);
		return NULL;
	}
	ch = &c->ch[c->nch];
	memset(ch, 0, sizeof *ch);
	snprintf(ch->name, sizeof ch->name, "%s", name);
	ch->ready = READY_FD;
	ch->ready_fd = -1;
	if (resolve_prog(prog, ch->prog, sizeof ch->prog) != 0) {
		snprintf(err, errlen, "%s: program %s not found or not executable%s", name, prog,
		    strchr(prog, '/') ? " (build it with make, or set [mpctl] bin_dir)" : " in PATH");
		return NULL;
	}
	c->nch++;
	if (add_arg(ch, ch->prog) != 0) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return ch;
}

/* nats://host:port -> host, port; only loopback may host the embedded server. */
static int
parse_nats_url(const char *url, const char *at, char *host, size_t hcap, int *port, char *err, size_t errlen)
{
	const char *p = url, *colon;
	char *end;
	long v;

	if (strncmp(p, "nats://", 7) == 0)
		p += 7;
	if (strchr(p, '@'))
		p = strchr(p, '@') + 1;
	colon = strrchr(p, ':');
	if (!colon) {
		snprintf(err, errlen, "%s: [nats] url = \"%s\": the embedded nats-server needs a port", at, url);
		return -1;
	}
	snprintf(host, hcap, "%.*s", (int)(colon - p), p);
	v = strtol(colon + 1, &end, 10);
	if ((*end && *end != '/') || v < 1 || v > 65535) {
		snprintf(err, errlen, "%s: [nats] url = \"%s\": the embedded nats-server needs one "
		    "nats://127.0.0.1:PORT", at, url);
		return -1;
	}
	*port = (int)v;
	if (strcmp(host, "127.0.0.1") != 0 && strcmp(host, "localhost") != 0) {
		snprintf(err, errlen, "%s: [nats] url = \"%s\": the embedded nats-server listens on loopback only "
		    "(use 127.0.0.1, or set [mpctl] nats_embedded = false for a remote server)", at, url);
		return -1;
	}
	if (strcmp(host, "localhost") == 0)
		snprintf(host, hcap, "127.0.0.1");
	return 0;
}

static int
add_nats(struct ctl *c, char *err, size_t errlen)
{
	struct child *ch;
	char host[128], sd[PATH_MAX + 8], name[160];
	char port_s[16];
	int port, rc = 0;

	if (parse_nats_url(c->nats_url, cfg_origin(c->cfg, "nats", "url"), host, sizeof host, &port, err, errlen) != 0)
		return -1;
	if (!(ch = new_child(c, "nats-server", cfg_str(c->cfg, "mpctl", "nats_server"), err, errlen)))
		return -1;
	ch->ready = READY_TCP;
	ch->ready_port = port;
	snprintf(port_s, sizeof port_s, "%d", port);
	snprintf(sd, sizeof sd, "%s/nats", c->data_dir);
	snprintf(name, sizeof name, "mp-%s", c->prefix);
	rc |= add_arg(ch, "-a");
	rc |= add_arg(ch, host);
	rc |= add_arg(ch, "-p");
	rc |= add_arg(ch, port_s);
	rc |= add_arg(ch, "-js");
	rc |= add_arg(ch, "-sd");
	rc |= add_arg(ch, sd);
	rc |= add_arg(ch, "-n");
	rc |= add_arg(ch, name);
	if (rc) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int
add_daemon(struct ctl *c, const char *name, const char *exchange, char *err, size_t errlen)
{
	struct child *ch;
	char prog[PATH_MAX + 40], cname[32];
	int rc = 0;

	snprintf(prog, sizeof prog, "%s/%s", c->bin_dir, name);
	if (exchange)
		snprintf(cname, sizeof cname, "%s.%s", name, exchange);
	else
		snprintf(cname, sizeof cname, "%s", name);
	if (!(ch = new_child(c, cname, prog, err, errlen)))
		return -1;
	if (exchange) {
		rc |= add_arg(ch, "--exchange");
		rc |= add_arg(ch, exchange);
	}
	rc |= add_common(c, ch);
	if (rc) {
		snprintf(err, errlen, "%s: too many arguments", cname);
		return -1;
	}
	return 0;
}

/* mpsim is a tool, not a daemon: it takes only its own options (sim_args,
 * then sim_args_more: one config line is too short for every venue's
 * ports and symbols) and is ready when its Binance port accepts
 * (--binance-port, required). */
static int
add_sim(struct ctl *c, char *err, size_t errlen)
{
	struct child *ch;
	char prog[PATH_MAX + 8], *args, *tok, *save = NULL;
	int rc = 0, want_port = 0;

	snprintf(prog, sizeof prog, "%s/mpsim", c->bin_dir);
	if (!(ch = new_child(c, "mpsim", prog, err, errlen)))
		return -1;
	ch->ready = READY_TCP;
	for (int k = 0; k < 2; k++) {
		if (!(args = strdup(cfg_str(c->cfg, "mpctl", k ? "sim_args_more" : "sim_args"))))
			return -1;
		save = NULL;
		for (tok = strtok_r(args, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
			if (want_port)
				ch->ready_port = atoi(tok);
			want_port = strcmp(tok, "--binance-port") == 0;
			rc |= add_arg(ch, tok);
		}
		free(args);
	}
	if (rc) {
		snprintf(err, errlen, "mpsim: too many arguments");
		return -1;
	}
	if (ch->ready_port <= 0 || ch->ready_port > 65535) {
		snprintf(err, errlen, "[mpctl] sim_args must give --binance-port PORT (mpctl waits for it to accept)");
		return -1;
	}
	return 0;
}

static int
valid_name(const char *s)
{
	if (!*s || strlen(s) > 24)
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

int
procs_build(struct ctl *c, char *err, size_t errlen)
{
	const char *items[CTL_MAX_CHILDREN];
	const struct venue *ve;
	int vit;
	const char *url, *dot;
	char base[32];
	int n, i;

	/* [nats] url is routerd's key; mpctl publishes alerts there and, when
	 * embedded, runs the server at that address. */
	url = procs_opt_str(c->cfg, "nats", "url");
	snprintf(c->nats_url, sizeof c->nats_url, "%s", url ? url : "");
	if (!c->nats_url[0] && cfg_bool(c->cfg, "mpctl", "nats_embedded")) {
		snprintf(err, errlen, "%s: [mpctl] nats_embedded = true needs a [nats] url (nats://127.0.0.1:PORT)",
		    cfg_origin(c->cfg, "mpctl", "nats_embedded"));
		return -1;
	}

	if (cfg_bool(c->cfg, "mpctl", "sim") && add_sim(c, err, errlen) != 0)
		return -1;
	if (cfg_bool(c->cfg, "mpctl", "nats_embedded") && add_nats(c, err, errlen) != 0)
		return -1;
	n = cfg_list(c->cfg, "mpctl", "processes", items, CTL_MAX_CHILDREN);
	if (n > CTL_MAX_CHILDREN) {
		snprintf(err, errlen, "[mpctl] processes: more than %d entries", CTL_MAX_CHILDREN);
		return -1;
	}
	for (i = 0; i < n; i++) {
		/* "feedd.okx" names one venue; "feedd" means every venue with instruments. */
		dot = strchr(items[i], '.');
		snprintf(base, sizeof base, "%.*s", dot ? (int)(dot - items[i]) : (int)strlen(items[i]), items[i]);
		if (!valid_name(base)) {
			snprintf(err, errlen, "[mpctl] processes: bad process name %s", log_q(items[i]));
			return -1;
		}
		if (dot) {
			if (exch_parse(dot + 1) == EX_NONE) {
				snprintf(err, errlen, "[mpctl] processes: %s: unknown exchange %s", items[i], dot + 1);
				return -1;
			}
			if (add_daemon(c, base, dot + 1, err, errlen) != 0)
				return -1;
		} else if (strcmp(base, "feedd") == 0) {
			for (vit = 0; (ve = venue_next(&vit)); )
				if (cfg_list(c->cfg, "instruments", ve->name, NULL, 0) > 0 &&
				    add_daemon(c, base, ve->name, err, errlen) != 0)
					return -1;
		} else if (add_daemon(c, base, NULL, err, errlen) != 0)
			return -1;
	}
	if (c->nch == 0) {
		snprintf(err, errlen, "[mpctl] processes: nothing to run");
		return -1;
	}
	return 0;
}

void
procs_free(struct ctl *c)
{
	int i, j;

	for (i = 0; i < c->nch; i++)
		for (j = 0; j < c->ch[i].argc; j++) {
			free(c->ch[i].argv[j]);
			c->ch[i].argv[j] = NULL;
		}
}
