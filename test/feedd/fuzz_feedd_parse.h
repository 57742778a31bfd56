/*
 * fuzz_feedd_parse.h - the body shared by the two venue fuzz targets
 * (fuzz_feedd_parse_binance.c, fuzz_feedd_parse_okx.c): every input goes
 * through parse_ws and parse_rest, and through the scanner and the jansson
 * path separately; whenever the scanner accepts a frame, jansson must accept
 * it too and produce byte-identical records (differential check), and every
 * record must pass rec_check.
 */
#include <stdlib.h>
#include <string.h>

#include "../../feedd/parse_impl.h"

struct fz_sink {
	uint8_t *buf;
	size_t len, cap;
	int n;
};

static int
fz_emit(void *ud, const struct rec_hdr *h)
{
	struct fz_sink *s = ud;
	char err[160];

	if (rec_check(h, h->len, err, sizeof err) != 0)
		__builtin_trap();
	if (s->len + h->len > s->cap) {
		size_t ncap = s->cap ? s->cap : 65536;
		while (ncap < s->len + h->len)
			ncap *= 2;
		s->buf = realloc(s->buf, ncap);
		if (!s->buf)
			abort();
		s->cap = ncap;
	}
	memcpy(s->buf + s->len, h, h->len);
	s->len += h->len;
	s->n++;
	return 0;
}

static struct inst_registry fz_reg;
static struct parse_ctx fz_p;
static struct fz_sink fz_a, fz_b;

static void
fz_init(int exch)
{
	char err[128];

	if (fz_reg.n)
		return;
	inst_add(&fz_reg, EX_BINANCE, "BTC-USDT", err, sizeof err);
	inst_add(&fz_reg, EX_BINANCE, "ETH-USDT", err, sizeof err);
	inst_add(&fz_reg, EX_OKX, "BTC-USDT", err, sizeof err);
	inst_add(&fz_reg, EX_OKX, "ETH-USDT", err, sizeof err);
	inst_add(&fz_reg, EX_BINANCE_USDM, "ETH-USDT-SWAP", err, sizeof err);
	inst_add(&fz_reg, EX_BINANCE_USDM, "BTC-USDT-SWAP", err, sizeof err);
	inst_add(&fz_reg, EX_BYBIT, "BTC-USDT", err, sizeof err);
	inst_add(&fz_reg, EX_BYBIT, "BTC-USDT-SWAP", err, sizeof err);
	inst_add(&fz_reg, EX_BYBIT, "BTC-USD-SWAP", err, sizeof err);
	inst_add(&fz_reg, EX_DERIBIT, "BTC-USD-SWAP", err, sizeof err);
	inst_add(&fz_reg, EX_DERIBIT, "BTC-240927-60000-C", err, sizeof err);
	if (parse_init(&fz_p, &fz_reg, exch) != 0)
		abort();
}

static void
fz_same(int ra, int rb)
{
	if (ra == PARSE_FALLBACK)
		return;
	/* no record yet leaves a buffer NULL: memcmp must not see it (UB) */
	if (ra != rb || fz_a.n != fz_b.n || fz_a.len != fz_b.len ||
	    (fz_a.len && memcmp(fz_a.buf, fz_b.buf, fz_a.len) != 0))
		__builtin_trap();
}

static void
fz_run(const uint8_t *data, size_t size, const char *const *rest_paths, int npaths)
{
	const char *buf = (const char *)data;
	int ra, rb;

	fz_a.len = fz_b.len = 0;
	fz_a.n = fz_b.n = 0;
	(void)parse_ws(&fz_p, buf, size, 1, fz_emit, &fz_a);
	fz_a.len = 0;
	fz_a.n = 0;
	ra = parse_ws_mode(&fz_p, buf, size, 1, PARSE_SCAN_ONLY, fz_emit, &fz_a);
	rb = parse_ws_mode(&fz_p, buf, size, 1, PARSE_JSON_ONLY, fz_emit, &fz_b);
	fz_same(ra, rb);
	for (int i = 0; i < npaths; i++) {
		fz_a.len = fz_b.len = 0;
		fz_a.n = fz_b.n = 0;
		ra = parse_rest_mode(&fz_p, rest_paths[i], buf, size, 1, 7, PARSE_SCAN_ONLY, fz_emit, &fz_a);
		rb = parse_rest_mode(&fz_p, rest_paths[i], buf, size, 1, 7, PARSE_JSON_ONLY, fz_emit, &fz_b);
		fz_same(ra, rb);
	}
}
