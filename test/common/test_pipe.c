/* test_pipe.c - ring wiring from config, the instrument registry, and every example config in conf/ loading. */
#include <glob.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include "cfg_schemas.h"
#include "pipe.h"
#include "rec.h"
#include "../t.h"

static struct cfg *
load(char **sets, int nsets)
{
	char err[512] = "";
	struct cfg *c = cfg_load(NULL, cfg_all_schemas, sets, nsets, err, sizeof err);

	if (!c)
		fprintf(stderr, "  config: %s\n", err);
	return c;
}

/* pipe_cfg_load refuses sets (or the file text, "P" standing for its path)
 * with exactly want. */
static char tmpdir[64];

static int
load_fails_file(const char *text, char **sets, int nsets, const char *want)
{
	char err[512] = "", path[128], exp[640];
	const char *p = NULL;
	struct cfg *c;

	if (text) {
		FILE *f;

		snprintf(path, sizeof path, "%s/t.ini", tmpdir);
		if (!(f = fopen(path, "w")))
			return 0;
		fputs(text, f);
		fclose(f);
		p = path;
	}
	c = pipe_cfg_load(p, sets, nsets, err, sizeof err);
	if (c) {
		cfg_free(c);
		fprintf(stderr, "  accepted, expected: %s\n", want);
		return 0;
	}
	/* every "P:" stands for the path */
	{
		size_t o = 0;

		for (const char *w = want; *w && o + 130 < sizeof exp; w++) {
			if (w[0] == 'P' && w[1] == ':' && p)
				o += (size_t)snprintf(exp + o, sizeof exp - o, "%s", path);
			else
				exp[o++] = *w;
		}
		exp[o] = 0;
	}
	if (strcmp(err, exp) != 0) {
		fprintf(stderr, "  got:  %s\n  want: %s\n", err, exp);
		return 0;
	}
	return 1;
}

static int
load_fails(char **sets, int nsets, const char *want)
{
	return load_fails_file(NULL, sets, nsets, want);
}

static void
t_prefix(void)
{
	char buf[128], want[128];
	struct passwd *pw = getpwuid(geteuid());
	char *s1[] = {"system.ring_prefix=mp-test"};
	char *s2[] = {"system.ring_prefix=a/b"};
	char *s3[] = {"system.ring_prefix=.."};
	struct cfg *c = load(NULL, 0);

	snprintf(want, sizeof want, "mp-%s", pw ? pw->pw_name : "?");
	T_CHECK(c && pipe_prefix(c, buf, sizeof buf) == buf);
	T_EQ_S(buf, want);
	cfg_free(c);
	c = load(s1, 1);
	T_CHECK(c && pipe_prefix(c, buf, sizeof buf) != NULL);
	T_EQ_S(buf, "mp-test");
	cfg_free(c);
	/* a prefix that is not one directory name is a config error at load */
	T_CHECK(load_fails(s2, 1, "--set system.ring_prefix=a/b: [system] ring_prefix = \"a/b\": expected one "
	    "directory name under /dev/shm (printable, at most 64 characters, no '/', not . or ..)"));
	T_CHECK(load_fails(s3, 1, "--set system.ring_prefix=..: [system] ring_prefix = \"..\": expected one "
	    "directory name under /dev/shm (printable, at most 64 characters, no '/', not . or ..)"));
}

/* Issue 14 defect 6: every bad value is refused at load, naming file, line,
 * section and key. */
static void
t_system_checks(void)
{
	char *both_empty[] = {"instruments.binance=", "instruments.okx="};
	char *one_empty[] = {"instruments.okx="};
	struct cfg *c;
	char err[512];

	T_CHECK(load_fails_file("[ring.book.stroe]\ncapacity = 1GiB\n", NULL, 0,
	    "P:1: [ring.book.stroe]: unknown section (did you mean [ring.book.store]?)"));
	T_CHECK(load_fails_file("[system]\ndata_dir = x\n\n[feedd.binanse]\nws_url = ws://127.0.0.1:1\n", NULL, 0,
	    "P:4: [feedd.binanse]: unknown section (did you mean [feedd.binance]?)"));
	T_CHECK(load_fails_file("[ring.feed.kraken]\n", NULL, 0,
	    "P:1: [ring.feed.kraken]: unknown section (did you mean [ring.feed.okx]?)"));
	T_CHECK(load_fails_file("[instruments]\nbinance =\nokx = \n", NULL, 0,
	    "P:3: [instruments] binance, okx, binance-usdm, binance-coinm, bybit, deribit are all empty (binance: P:2, "
	    "okx: P:3, binance-usdm: default, binance-coinm: default, bybit: default, deribit: default): nothing to collect"));
	T_CHECK(load_fails(both_empty, 2,
	    "--set: [instruments] binance, okx, binance-usdm, binance-coinm, bybit, deribit are all empty (binance: "
	    "--set, okx: --set, binance-usdm: default, binance-coinm: default, bybit: default, deribit: default): nothing to collect"));
	c = pipe_cfg_load(NULL, one_empty, 1, err, sizeof err);
	T_CHECK(c != NULL);
	cfg_free(c);
	T_CHECK(load_fails_file("[ring.book.store]\ncapacity = 100MiB\n", NULL, 0,
	    "P:2: [ring.book.store] capacity = \"100MiB\": expected 0 (built-in) or a power of two of at least 64KiB"));
	T_CHECK(load_fails_file("[ring.feed.okx]\npolicy = lossy\n", NULL, 0,
	    "P:2: [ring.feed.okx] policy = \"lossy\": expected block or drop"));
	T_CHECK(load_fails_file("[nats]\nurl = nats://127.0.0.1:99999\n", NULL, 0,
	    "P:2: [nats] url = \"nats://127.0.0.1:99999\": nats://127.0.0.1:99999: port is not a number 1..65535"));
	T_CHECK(load_fails_file("[nats]\nurl = nats://a:4222, http://b:4222\n", NULL, 0,
	    "P:2: [nats] url = \"nats://a:4222, http://b:4222\": http://b:4222: expected nats://HOST:PORT "
	    "(or tls://, ws://, wss://)"));
	T_CHECK(load_fails_file("[nats]\nurl = nats://:4222\n", NULL, 0,
	    "P:2: [nats] url = \"nats://:4222\": nats://:4222: no host"));
	T_CHECK(load_fails_file("[system]\nlog_level = chatty\n", NULL, 0,
	    "P:2: [system] log_level = \"chatty\": expected debug, info, warn or error"));
	T_CHECK(load_fails_file("[system]\nring_prefix = ../../x\n", NULL, 0,
	    "P:2: [system] ring_prefix = \"../../x\": expected one directory name under /dev/shm (printable, "
	    "at most 64 characters, no '/', not . or ..)"));
	T_CHECK(load_fails_file("[alerts]\ndata_loss_severity = loud\n", NULL, 0,
	    "P:2: [alerts] data_loss_severity = \"loud\": expected info, warning, error or critical"));
	T_CHECK(load_fails_file("[routerd]\nlegacy_update = some\n", NULL, 0,
	    "P:2: [routerd] legacy_update = \"some\": expected all, deltas or none"));
	T_CHECK(load_fails_file("", NULL, 0, "P:1: the file sets nothing (it is empty or only comments); give a "
	    "config with at least one [section], or no -c for the built-in defaults"));
	T_CHECK(load_fails_file("; only\n# comments\n\n", NULL, 0, "P:1: the file sets nothing (it is empty or "
	    "only comments); give a config with at least one [section], or no -c for the built-in defaults"));
	/* good values of the same keys pass */
	c = pipe_cfg_load(NULL, (char *[]){"nats.url=nats://u:p@127.0.0.1:4222, tls://[::1]:4223,nats://h",
	    "ring.book.store.capacity=64KiB", "ring.feed.okx.policy=block", "system.log_level=WARN"}, 4,
	    err, sizeof err);
	if (!c)
		fprintf(stderr, "  %s\n", err);
	T_CHECK(c != NULL);
	cfg_free(c);
}

/* The closed section lists of the key tables and the names the code knows
 * agree: every ring of a full config and every venue has its section, and
 * nothing else does. */
static void
t_closed_sections_agree(void)
{
	char names[32][32], sect[64], err[512];
	char *sets[1] = {sect};
	/* every venue with an instrument, so every venue has its rings */
	char *all[] = {"instruments.binance-usdm=BTC-USDT-SWAP", "instruments.binance-coinm=BTC-USD-SWAP",
	    "instruments.bybit=BTC-USDT-SWAP", "instruments.deribit=BTC-USD-SWAP"};
	struct cfg *c = load(all, 4);
	const struct venue *v;
	int n, nvenues = 0, it = 0;

	T_CHECK(c != NULL);
	if (!c)
		return;
	while ((v = venue_next(&it)))
		nvenues++;
	n = pipe_ring_names(c, names, 32);
	T_EQ_I(n, 3 * nvenues + 2);
	for (int i = 0; i < n; i++) {
		struct cfg *d;

		snprintf(sect, sizeof sect, "ring.%s.policy=drop", names[i]);
		d = pipe_cfg_load(NULL, sets, 1, err, sizeof err);
		if (!d)
			fprintf(stderr, "  %s: %s\n", names[i], err);
		T_CHECK(d != NULL);
		cfg_free(d);
	}
	for (it = 0; (v = venue_next(&it)); ) {
		struct cfg *d;

		snprintf(sect, sizeof sect, "feedd.%s.capture=false", v->name);
		d = pipe_cfg_load(NULL, sets, 1, err, sizeof err);
		T_CHECK(d != NULL);
		cfg_free(d);
	}
	/* count the CFG_SECTION names: as many as the code knows */
	for (const struct cfg_key *k = cfg_keys_system; k->section; k++)
		if (k->type == CFG_SECTION) {
			int m = 1;

			for (const char *p = k->def; *p; p++)
				m += *p == ',';
			T_EQ_I(m, n);
		}
	for (const struct cfg_key *k = cfg_keys_feedd; k->section; k++)
		if (k->type == CFG_SECTION) {
			int m = 1;

			for (const char *p = k->def; *p; p++)
				m += *p == ',';
			T_EQ_I(m, nvenues);
		}
	cfg_free(c);
}

static void
t_builtin_rings(void)
{
	static const struct { const char *name; uint64_t cap; uint32_t policy; } want[] = {
		{"feed.binance", 64 << 20, RING_DROP}, {"feed.okx", 64 << 20, RING_DROP},
		{"raw.binance", 64 << 20, RING_DROP}, {"ctl.okx", 1 << 20, RING_DROP},
		{"book.router", 64 << 20, RING_DROP}, {"book.store", 512 << 20, RING_BLOCK},
	};
	struct cfg *c = load(NULL, 0);
	struct ring_opts o;
	char err[256];

	T_CHECK(c != NULL);
	if (!c)
		return;
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		T_EQ_I(pipe_ring_opts(c, want[i].name, &o, err, sizeof err), 0);
		T_EQ_U(o.capacity, want[i].cap);
		T_EQ_U(o.policy, want[i].policy);
		T_EQ_U(o.max_record, want[i].cap / 4 > (16u << 20) ? (16u << 20) : want[i].cap / 4);
		T_EQ_U(o.schema_hash, rec_schema_hash());
	}
	T_EQ_I(pipe_ring_opts(c, "feed.kraken", &o, err, sizeof err), -1);
	T_CHECK(strstr(err, "not a ring of this system") != NULL);
	T_EQ_I(pipe_ring_opts(c, "book.other", &o, err, sizeof err), -1);
	cfg_free(c);
}

static void
t_ring_overrides(void)
{
	char *ok[] = {"ring.book.store.capacity=1GiB", "ring.book.router.policy=block",
		"ring.ctl.binance.capacity=64KiB"};
	char *badcap[] = {"ring.feed.okx.capacity=3MiB"};
	char *small[] = {"ring.feed.okx.capacity=32KiB"};
	char *badpol[] = {"ring.feed.okx.policy=sometimes"};
	struct ring_opts o;
	char err[256] = "";
	struct cfg *c = load(ok, 3);

	T_CHECK(c != NULL);
	if (c) {
		T_EQ_I(pipe_ring_opts(c, "book.store", &o, err, sizeof err), 0);
		T_EQ_U(o.capacity, 1ULL << 30);
		T_EQ_U(o.max_record, 16u << 20);        /* capped */
		T_EQ_U(o.policy, RING_BLOCK);
		T_EQ_I(pipe_ring_opts(c, "book.router", &o, err, sizeof err), 0);
		T_EQ_U(o.policy, RING_BLOCK);
		T_EQ_U(o.capacity, 64u << 20);
		T_EQ_I(pipe_ring_opts(c, "ctl.binance", &o, err, sizeof err), 0);
		T_EQ_U(o.capacity, 64u << 10);
		T_EQ_U(o.max_record, 16u << 10);
		cfg_free(c);
	}
	/* refused when the config is loaded, so by every program alike */
	T_CHECK(load_fails(badcap, 1, "--set ring.feed.okx.capacity=3MiB: [ring.feed.okx] capacity = \"3MiB\": "
	    "expected 0 (built-in) or a power of two of at least 64KiB"));
	T_CHECK(load_fails(small, 1, "--set ring.feed.okx.capacity=32KiB: [ring.feed.okx] capacity = \"32KiB\": "
	    "expected 0 (built-in) or a power of two of at least 64KiB"));
	T_CHECK(load_fails(badpol, 1, "--set ring.feed.okx.policy=sometimes: [ring.feed.okx] policy = \"sometimes\": "
	    "expected block or drop"));
}

static void
t_instruments_and_names(void)
{
	char *custom[] = {"instruments.binance=ETH-USDT", "instruments.okx="};
	char *bad[] = {"instruments.okx=BTC-USDT, BTCUSDT"};
	struct inst_registry reg;
	char names[16][32], err[256] = "";
	struct cfg *c = load(NULL, 0);

	T_CHECK(c != NULL);
	if (!c)
		return;
	T_EQ_I(pipe_instruments(c, &reg, err, sizeof err), 0);
	T_EQ_I(reg.n, 4);
	T_CHECK(inst_get(&reg, 1) && inst_get(&reg, 1)->exch == EX_BINANCE && strcmp(inst_get(&reg, 1)->symbol, "BTC-USDT") == 0);
	T_CHECK(inst_get(&reg, 2) && strcmp(inst_get(&reg, 2)->venue_symbol, "ETHUSDT") == 0);
	T_CHECK(inst_get(&reg, 3) && inst_get(&reg, 3)->exch == EX_OKX);
	T_CHECK(inst_get(&reg, 4) && strcmp(inst_get(&reg, 4)->lower, "eth-usdt") == 0);
	T_EQ_I(pipe_ring_names(c, names, 16), 8);
	T_EQ_S(names[0], "feed.binance");
	T_EQ_S(names[3], "feed.okx");
	T_EQ_S(names[5], "ctl.okx");
	T_EQ_S(names[6], "book.router");
	T_EQ_S(names[7], "book.store");
	T_EQ_I(pipe_ring_names(c, names, 3), 3);
	inst_reg_free(&reg);
	cfg_free(c);

	c = load(custom, 2);
	T_CHECK(c && pipe_instruments(c, &reg, err, sizeof err) == 0);
	T_EQ_I(reg.n, 1);
	T_CHECK(c && pipe_ring_names(c, names, 16) == 5);
	inst_reg_free(&reg);
	cfg_free(c);
	c = load(bad, 1);
	T_CHECK(c && pipe_instruments(c, &reg, err, sizeof err) == -1);
	T_CHECK(strcmp(err, "--set: [instruments] okx: symbol \"BTCUSDT\": expected BASE-QUOTE like BTC-USDT "
	    "(or an OKX instId like BTC-USD-220527, UNI-USD-SWAP)") == 0);
	cfg_free(c);
}

static void
t_ring_open(void)
{
	char prefix[64], set1[96], dir[128], path[256];
	char *sets[] = {set1, "ring.ctl.binance.capacity=64KiB"};
	struct ring *prod = NULL, *insp = NULL;
	struct ring_stat st;
	char err[256] = "";
	struct cfg *c;
	int r;

	snprintf(prefix, sizeof prefix, "mptest-pipe-%d", (int)getpid());
	snprintf(set1, sizeof set1, "system.ring_prefix=%s", prefix);
	c = load(sets, 2);
	T_CHECK(c != NULL);
	if (!c)
		return;
	/* the inspector never creates a ring */
	r = pipe_ring_open(c, "ctl.binance", RING_INSPECT, &insp, err, sizeof err);
	T_EQ_I(r, RING_ENOENT);
	r = pipe_ring_open(c, "ctl.binance", RING_PRODUCER, &prod, err, sizeof err);
	if (r != 0)
		fprintf(stderr, "  %s\n", err);
	T_EQ_I(r, 0);
	if (prod) {
		ring_stat(prod, &st);
		T_EQ_U(st.capacity, 64u << 10);
		T_EQ_U(st.schema_hash, rec_schema_hash());
		T_EQ_U(st.policy, RING_DROP);
		r = pipe_ring_open(c, "ctl.binance", RING_INSPECT, &insp, err, sizeof err);
		T_EQ_I(r, 0);
		if (insp)
			ring_close(insp);
		ring_close(prod);
	}
	snprintf(path, sizeof path, "/dev/shm/%s/ctl.binance", prefix);
	ring_unlink(path);
	snprintf(dir, sizeof dir, "/dev/shm/%s", prefix);
	rmdir(dir);
	cfg_free(c);
}

/* Every example config in conf/ loads with the whole system's schema and
 * wires up: instruments and every ring's options. */
static void
t_conf_files_load(void)
{
	const char *root = getenv("MP_ROOT");
	char pat[512], err[512];
	glob_t g;

	snprintf(pat, sizeof pat, "%s/conf/*.ini", root && *root ? root : ".");
	T_EQ_I(glob(pat, 0, NULL, &g), 0);
	T_CHECK(g.gl_pathc >= 2);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct cfg *c = pipe_cfg_load(g.gl_pathv[i], NULL, 0, err, sizeof err);
		struct inst_registry reg;
		struct ring_opts o;
		char names[16][32], prefix[128];
		int n;

		if (!c) {
			fprintf(stderr, "  %s\n", err);
			T_CHECK(!"conf file loads");
			continue;
		}
		if (pipe_instruments(c, &reg, err, sizeof err) != 0) {
			fprintf(stderr, "  %s: %s\n", g.gl_pathv[i], err);
			T_CHECK(!"instruments load");
		}
		T_CHECK(reg.n > 0);
		inst_reg_free(&reg);
		T_CHECK(pipe_prefix(c, prefix, sizeof prefix) != NULL);
		n = pipe_ring_names(c, names, 16);
		for (int k = 0; k < n; k++)
			if (pipe_ring_opts(c, names[k], &o, err, sizeof err) != 0) {
				fprintf(stderr, "  %s: %s\n", g.gl_pathv[i], err);
				T_CHECK(!"ring options valid");
			}
		cfg_free(c);
	}
	globfree(&g);
}

static void
t_clocks(void)
{
	int64_t a = mono_ns(), b = mono_ns();

	T_CHECK(now_ns() > 1700000000LL * 1000000000LL);
	T_CHECK(b >= a && a > 0);
}

/* 12 instruments on each of the four venues: ids in config order, venue
 * ids by each venue's rule, and the rings of every venue. */
static void
t_many_instruments_per_venue(void)
{
	static const char *const base[] = {"BTC", "ETH", "SOL", "XRP", "DOGE", "ADA", "AVAX", "LINK", "DOT",
	    "LTC", "BCH", "TRX"};
	char spot[512] = "instruments.binance=", okx[512] = "instruments.okx=",
	    um[512] = "instruments.binance-usdm=", cm[512] = "instruments.binance-coinm=", err[512];
	char *sets[] = {spot, okx, um, cm};
	static struct inst_registry reg;
	const struct inst *in;
	char names[32][32];
	struct cfg *c;

	for (int i = 0; i < 12; i++) {
		snprintf(spot + strlen(spot), sizeof spot - strlen(spot), "%s%s-USDT", i ? "," : "", base[i]);
		snprintf(okx + strlen(okx), sizeof okx - strlen(okx), "%s%s-USDT-SWAP", i ? "," : "", base[i]);
		snprintf(um + strlen(um), sizeof um - strlen(um), "%s%s-USDT-SWAP", i ? "," : "", base[i]);
		snprintf(cm + strlen(cm), sizeof cm - strlen(cm), "%s%s-USD-%s", i ? "," : "", base[i],
		    i % 2 ? "SWAP" : "240927");
	}
	c = pipe_cfg_load(NULL, sets, 4, err, sizeof err);
	if (!c)
		fprintf(stderr, "  %s\n", err);
	T_CHECK(c != NULL);
	if (!c)
		return;
	T_EQ_I(pipe_instruments(c, &reg, err, sizeof err), 0);
	T_EQ_I(reg.n, 48);
	in = inst_find(&reg, EX_BINANCE_COINM, "BTC-USD-240927");
	T_CHECK(in && in->id == 37 && strcmp(in->venue_symbol, "BTCUSD_240927") == 0);
	in = inst_find(&reg, EX_BINANCE_COINM, "ETHUSD_PERP");
	T_CHECK(in && strcmp(in->symbol, "ETH-USD-SWAP") == 0);
	in = inst_find(&reg, EX_BINANCE_USDM, "trxusdt");
	T_CHECK(in && in->id == 36 && strcmp(in->symbol, "TRX-USDT-SWAP") == 0);
	in = inst_find(&reg, EX_OKX, "DOGE-USDT-SWAP");
	T_CHECK(in && in->id == 17);
	T_EQ_I(pipe_ring_names(c, names, 32), 14);
	inst_reg_free(&reg);
	cfg_free(c);
	/* a name the venue's rule cannot map is refused with the key */
	snprintf(um, sizeof um, "instruments.binance-usdm=BTC-USDT-PERP");
	c = pipe_cfg_load(NULL, sets + 2, 1, err, sizeof err);
	T_CHECK(c == NULL && strstr(err, "[instruments] binance-usdm") && strstr(err, "BASE-QUOTE-SWAP"));
	cfg_free(c);
}

int
main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/mppipetest.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		printf("not ok setup - mkdtemp failed\n");
		return 1;
	}
	T_RUN(t_prefix);
	T_RUN(t_system_checks);
	T_RUN(t_closed_sections_agree);
	T_RUN(t_builtin_rings);
	T_RUN(t_ring_overrides);
	T_RUN(t_instruments_and_names);
	T_RUN(t_ring_open);
	T_RUN(t_conf_files_load);
	T_RUN(t_clocks);
	T_RUN(t_many_instruments_per_venue);
	{
		char p[128];

		snprintf(p, sizeof p, "%s/t.ini", tmpdir);
		unlink(p);
		rmdir(tmpdir);
	}
	return t_done();
}
