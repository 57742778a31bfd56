/*
 * test_inst_rules.c - instrument rules (REC_INSTRUMENT) from the venues'
 * instrument endpoints: OKX SPOT/SWAP/FUTURES, Bybit spot/linear/inverse,
 * Binance spot and COIN-M exchangeInfo; exact decimals, what is refused,
 * and the contract -> base conversion routerd uses for open interest.
 */
#include <stdlib.h>
#include <string.h>

#include "../../feedd/parse_impl.h"
#include "../t.h"

#define MAXR 16
static struct rec_instrument g_r[MAXR];
static int g_n;

static int
emit(void *ud, const struct rec_hdr *h)
{
	char err[128];

	(void)ud;
	if (rec_check(h, h->len, err, sizeof err) < 0) {
		fprintf(stderr, "  emitted a bad record: %s\n", err);
		return -1;
	}
	if (h->type == REC_INSTRUMENT && g_n < MAXR)
		memcpy(&g_r[g_n++], h, sizeof g_r[0]);
	return 0;
}

static struct inst_registry g_reg;
static struct parse_ctx g_ok, g_by, g_bn, g_cm;

static uint32_t
id_of(int exch, const char *sym)
{
	const struct inst *in = inst_find(&g_reg, exch, sym);

	return in ? in->id : 0;
}

static int
rest(struct parse_ctx *p, const char *path, const char *body)
{
	g_n = 0;
	memset(g_r, 0, sizeof g_r);
	return parse_rest(p, path, body, strlen(body), 1700000000000000000LL, 0, emit, NULL);
}

static void
t_okx(void)
{
	const char *swap = "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"instType\":\"SWAP\",\"instId\":\"BTC-USDT-SWAP\","
	    "\"uly\":\"BTC-USDT\",\"settleCcy\":\"USDT\",\"ctVal\":\"0.01\",\"ctMult\":\"1\",\"ctValCcy\":\"BTC\","
	    "\"tickSz\":\"0.1\",\"lotSz\":\"0.01\",\"minSz\":\"0.01\",\"ctType\":\"linear\",\"state\":\"live\"}]}";
	const char *fut = "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"instType\":\"FUTURES\",\"instId\":\"BTC-USD-261225\","
	    "\"ctVal\":\"100\",\"ctMult\":\"1\",\"ctValCcy\":\"USD\",\"tickSz\":\"0.1\",\"lotSz\":\"1\",\"minSz\":\"1\"},"
	    "{\"instType\":\"FUTURES\",\"instId\":\"ETH-USD-261225\",\"ctVal\":\"10\",\"tickSz\":\"0.01\",\"lotSz\":\"1\"}]}";
	const char *spot = "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"instType\":\"SPOT\",\"instId\":\"BTC-USDT\","
	    "\"ctVal\":\"\",\"ctMult\":\"\",\"ctValCcy\":\"\",\"tickSz\":\"0.1\",\"lotSz\":\"0.00000001\",\"minSz\":\"0.00001\"}]}";

	T_EQ_I(rest(&g_ok, "/api/v5/public/instruments?instType=SWAP&instId=BTC-USDT-SWAP", swap), 1);
	T_EQ_I(g_r[0].h.inst, id_of(EX_OKX, "BTC-USDT-SWAP"));
	T_EQ_I(g_r[0].tick, 10000000);          /* 0.1 at -8 */
	T_EQ_I(g_r[0].lot, 1000000);
	T_EQ_I(g_r[0].min_qty, 1000000);
	T_EQ_I(g_r[0].ct_val, 1000000);         /* 0.01 BTC at REC_CT_EXP */
	T_EQ_I(g_r[0].ct_mult, 100000000);
	T_EQ_S(g_r[0].ct_ccy, "BTC");
	T_EQ_I(g_r[0].h.recv_ns, 1700000000000000000LL);
	/* a list: only the carried instId gives a record (ETH-USD-261225 is not carried) */
	T_EQ_I(rest(&g_ok, "/api/v5/public/instruments?instType=FUTURES", fut), 1);
	T_EQ_I(g_r[0].h.inst, id_of(EX_OKX, "BTC-USD-261225"));
	T_EQ_I(g_r[0].ct_val, 10000000000LL);   /* 100 USD */
	T_EQ_S(g_r[0].ct_ccy, "USD");
	T_EQ_I(g_r[0].lot, 100000000);
	/* spot: no contract ("" = unknown = 0) */
	T_EQ_I(rest(&g_ok, "/api/v5/public/instruments?instType=SPOT&instId=BTC-USDT", spot), 1);
	T_EQ_I(g_r[0].lot, 1);
	T_EQ_I(g_r[0].ct_val, 0);
	T_EQ_I(g_r[0].ct_mult, 0);
	T_EQ_S(g_r[0].ct_ccy, "");
	/* refused: not exact at the exponent, venue error, malformed, nothing carried */
	T_EQ_I(rest(&g_ok, "/api/v5/public/instruments?instType=SPOT",
	    "{\"code\":\"0\",\"data\":[{\"instId\":\"BTC-USDT\",\"tickSz\":\"0.000000001\"}]}"), -1);
	T_CHECK(strstr(g_ok.err, "tick size") != NULL);
	T_EQ_I(g_n, 0);
	T_EQ_I(rest(&g_ok, "/api/v5/public/instruments?instType=SPOT", "{\"code\":\"51001\",\"msg\":\"Instrument ID does not exist\",\"data\":[]}"), -1);
	T_CHECK(strstr(g_ok.err, "51001") != NULL);
	T_EQ_I(rest(&g_ok, "/api/v5/public/instruments?instType=SPOT", "{\"code\":\"0\",\"data\":{}}"), -1);
	T_EQ_I(rest(&g_ok, "/api/v5/public/instruments?instType=SPOT", "[1,"), -1);
	T_EQ_I(rest(&g_ok, "/api/v5/public/instruments?instType=SPOT", "{\"code\":\"0\",\"data\":[{\"instId\":\"XRP-USDT\"}]}"), 0);
	T_EQ_I(rest(&g_ok, "/api/v5/public/instruments?instType=SWAP",
	    "{\"code\":\"0\",\"data\":[{\"instId\":\"BTC-USDT-SWAP\",\"ctValCcy\":\"ABCDEFGHIJKLMNOPQ\"}]}"), -1);
	/* other public paths stay ignored */
	T_EQ_I(rest(&g_ok, "/api/v5/public/time", "{\"code\":\"0\",\"data\":[{\"ts\":\"1\"}]}"), 0);
}

static void
t_bybit(void)
{
	const char *lin = "{\"retCode\":0,\"retMsg\":\"OK\",\"result\":{\"category\":\"linear\",\"list\":[{\"symbol\":\"BTCUSDT\","
	    "\"contractType\":\"LinearPerpetual\",\"baseCoin\":\"BTC\",\"quoteCoin\":\"USDT\",\"priceFilter\":{\"minPrice\":\"0.10\","
	    "\"tickSize\":\"0.10\"},\"lotSizeFilter\":{\"maxOrderQty\":\"1190.000\",\"minOrderQty\":\"0.001\",\"qtyStep\":\"0.001\"}}]}}";
	const char *inv = "{\"retCode\":0,\"retMsg\":\"OK\",\"result\":{\"category\":\"inverse\",\"list\":[{\"symbol\":\"BTCUSD\","
	    "\"baseCoin\":\"BTC\",\"quoteCoin\":\"USD\",\"priceFilter\":{\"tickSize\":\"0.50\"},\"lotSizeFilter\":"
	    "{\"minOrderQty\":\"1\",\"qtyStep\":\"1\"}}]}}";
	const char *spot = "{\"retCode\":0,\"retMsg\":\"OK\",\"result\":{\"category\":\"spot\",\"list\":[{\"symbol\":\"BTCUSDT\","
	    "\"baseCoin\":\"BTC\",\"quoteCoin\":\"USDT\",\"priceFilter\":{\"tickSize\":\"0.01\"},\"lotSizeFilter\":"
	    "{\"basePrecision\":\"0.000001\",\"quotePrecision\":\"0.00000001\",\"minOrderQty\":\"0.000048\"}}]}}";

	/* BTCUSDT is two instruments: the category says which */
	T_EQ_I(rest(&g_by, "/v5/market/instruments-info?category=linear&symbol=BTCUSDT", lin), 1);
	T_EQ_I(g_r[0].h.inst, id_of(EX_BYBIT, "BTC-USDT-SWAP"));
	T_EQ_I(g_r[0].tick, 10000000);
	T_EQ_I(g_r[0].lot, 100000);
	T_EQ_I(g_r[0].min_qty, 100000);
	T_EQ_I(g_r[0].ct_val, 100000000);       /* 1 base coin */
	T_EQ_S(g_r[0].ct_ccy, "BTC");
	T_EQ_I(rest(&g_by, "/v5/market/instruments-info?category=spot&symbol=BTCUSDT", spot), 1);
	T_EQ_I(g_r[0].h.inst, id_of(EX_BYBIT, "BTC-USDT"));
	T_EQ_I(g_r[0].tick, 1000000);
	T_EQ_I(g_r[0].lot, 100);                /* basePrecision: spot has no qtyStep */
	T_EQ_I(g_r[0].min_qty, 4800);
	T_EQ_I(g_r[0].ct_val, 0);
	T_EQ_I(rest(&g_by, "/v5/market/instruments-info?category=inverse&symbol=BTCUSD", inv), 1);
	T_EQ_I(g_r[0].h.inst, id_of(EX_BYBIT, "BTC-USD-SWAP"));
	T_EQ_I(g_r[0].ct_val, 100000000);       /* 1 USD */
	T_EQ_S(g_r[0].ct_ccy, "USD");
	T_EQ_I(rest(&g_by, "/v5/market/instruments-info?symbol=BTCUSD", inv), -1);   /* no category */
	T_EQ_I(rest(&g_by, "/v5/market/instruments-info?category=linear",
	    "{\"retCode\":10001,\"retMsg\":\"params error\",\"result\":{}}"), -1);
	T_CHECK(strstr(g_by.err, "10001") != NULL);
	T_EQ_I(rest(&g_by, "/v5/market/instruments-info?category=linear", "{\"retCode\":0,\"result\":{\"list\":[]}}"), 0);
}

static void
t_binance(void)
{
	const char *spot = "{\"timezone\":\"UTC\",\"rateLimits\":[],\"symbols\":[{\"symbol\":\"BTCUSDT\",\"status\":\"TRADING\","
	    "\"baseAsset\":\"BTC\",\"quoteAsset\":\"USDT\",\"filters\":[{\"filterType\":\"PRICE_FILTER\",\"minPrice\":\"0.01000000\","
	    "\"maxPrice\":\"1000000.00000000\",\"tickSize\":\"0.01000000\"},{\"filterType\":\"LOT_SIZE\",\"minQty\":\"0.00001000\","
	    "\"maxQty\":\"9000.00000000\",\"stepSize\":\"0.00001000\"},{\"filterType\":\"MARKET_LOT_SIZE\",\"minQty\":\"0.00000000\","
	    "\"maxQty\":\"100.0\",\"stepSize\":\"0.00000000\"}]}]}";
	const char *coinm = "{\"symbols\":[{\"symbol\":\"BTCUSD_PERP\",\"contractSize\":100,\"quoteAsset\":\"USD\",\"filters\":"
	    "[{\"filterType\":\"PRICE_FILTER\",\"tickSize\":\"0.1\"},{\"filterType\":\"LOT_SIZE\",\"stepSize\":\"1\",\"minQty\":\"1\"}]},"
	    "{\"symbol\":\"ETHUSD_PERP\",\"contractSize\":10,\"filters\":[]}]}";

	T_EQ_I(rest(&g_bn, "/api/v3/exchangeInfo?symbol=BTCUSDT", spot), 1);
	T_EQ_I(g_r[0].h.inst, id_of(EX_BINANCE, "BTC-USDT"));
	T_EQ_I(g_r[0].tick, 1000000);
	T_EQ_I(g_r[0].lot, 1000);
	T_EQ_I(g_r[0].min_qty, 1000);
	T_EQ_I(g_r[0].ct_val, 0);
	/* the rate-limit probe's answer names no carried symbol: nothing, no error */
	T_EQ_I(rest(&g_bn, "/api/v3/exchangeInfo", "{\"rateLimits\":[]}"), 0);
	T_EQ_I(rest(&g_bn, "/api/v3/exchangeInfo?symbol=BTCUSDT", "{\"symbols\":[{\"symbol\":\"BTCUSDT\",\"filters\":"
	    "[{\"filterType\":\"PRICE_FILTER\",\"tickSize\":\"-1\"}]}]}"), -1);
	/* COIN-M (the futures hook): contractSize in USD */
	T_EQ_I(rest(&g_cm, "/dapi/v1/exchangeInfo", coinm), 1);
	T_EQ_I(g_r[0].h.inst, id_of(EX_BINANCE_COINM, "BTC-USD-SWAP"));
	T_EQ_I(g_r[0].ct_val, 10000000000LL);
	T_EQ_S(g_r[0].ct_ccy, "USD");
	T_EQ_I(g_r[0].tick, 10000000);
}

static int g_adopted;

static const struct inst *
adopt(void *ud, int exch, const char *sym, size_t len)
{
	(void)ud;
	(void)exch;
	(void)sym;
	(void)len;
	g_adopted++;
	return NULL;
}

/* A tool that adopts what frames name (mpreplay) must not adopt a whole list. */
static void
t_lists_not_adopted(void)
{
	g_ok.adopt = g_by.adopt = g_bn.adopt = adopt;
	g_adopted = 0;
	T_EQ_I(rest(&g_ok, "/api/v5/public/instruments?instType=SPOT",
	    "{\"code\":\"0\",\"data\":[{\"instId\":\"XRP-USDT\",\"tickSz\":\"0.0001\"},{\"instId\":\"BTC-USDT\",\"tickSz\":\"0.1\"}]}"), 1);
	T_EQ_I(rest(&g_by, "/v5/market/instruments-info?category=spot",
	    "{\"retCode\":0,\"result\":{\"list\":[{\"symbol\":\"XRPUSDT\"},{\"symbol\":\"BTCUSDT\"}]}}"), 1);
	T_EQ_I(rest(&g_bn, "/api/v3/exchangeInfo", "{\"symbols\":[{\"symbol\":\"XRPUSDT\",\"filters\":[]}]}"), 0);
	T_EQ_I(g_adopted, 0);
	g_ok.adopt = g_by.adopt = g_bn.adopt = NULL;
}

/* routerd's open interest in base units from contracts. */
static void
t_contracts_to_base(void)
{
	struct inst in = *inst_get(&g_reg, id_of(EX_OKX, "BTC-USDT-SWAP"));
	struct rec_instrument r;
	int64_t v = -1;

	memset(&r, 0, sizeof r);
	T_EQ_I(inst_contracts_to_base(&in, 100000000, -4, &v), -1);   /* rules unknown */
	r.ct_val = 1000000;                /* 0.01 BTC */
	r.ct_mult = 100000000;             /* 1 */
	snprintf(r.ct_ccy, sizeof r.ct_ccy, "BTC");
	inst_set_rules(&in, &r);
	T_EQ_I(inst_contracts_to_base(&in, 12345 * 100000000LL, -4, &v), 0);   /* 12345 contracts */
	T_EQ_I(v, 1234500);                /* 123.45 BTC at -4 */
	T_EQ_I(inst_contracts_to_base(&in, 5, -4, &v), 0);   /* 5e-8 contracts: rounds to 0 */
	T_EQ_I(v, 0);
	T_EQ_I(inst_contracts_to_base(&in, 5000000, -4, &v), 0);   /* 0.05 contracts = 0.0005 BTC */
	T_EQ_I(v, 5);
	snprintf(in.ct_ccy, sizeof in.ct_ccy, "USD");   /* inverse: needs a price */
	T_EQ_I(inst_contracts_to_base(&in, 100000000, -4, &v), -1);
	snprintf(in.ct_ccy, sizeof in.ct_ccy, "BT");    /* a prefix of the base is not the base */
	T_EQ_I(inst_contracts_to_base(&in, 100000000, -4, &v), -1);
}

/* What rec_check refuses of a REC_INSTRUMENT. */
static void
t_record_check(void)
{
	struct rec_instrument r;

	memset(&r, 0, sizeof r);
	rec_hdr_init(&r.h, REC_INSTRUMENT, 1, sizeof r);
	T_EQ_I(rec_check(&r, sizeof r, NULL, 0), 0);
	r.tick = -1;
	T_EQ_I(rec_check(&r, sizeof r, NULL, 0), -1);
	r.tick = 0;
	memset(r.ct_ccy, 'A', sizeof r.ct_ccy);
	T_EQ_I(rec_check(&r, sizeof r, NULL, 0), -1);
	memset(r.ct_ccy, 0, sizeof r.ct_ccy);
	r.h.len = sizeof r - 8;
	T_EQ_I(rec_check(&r, sizeof r - 8, NULL, 0), -1);
	T_EQ_S(rec_type_name(REC_INSTRUMENT), "instrument");
}

int
main(void)
{
	char err[128];

	inst_add(&g_reg, EX_OKX, "BTC-USDT", err, sizeof err);
	inst_add(&g_reg, EX_OKX, "BTC-USDT-SWAP", err, sizeof err);
	inst_add(&g_reg, EX_OKX, "BTC-USD-261225", err, sizeof err);
	inst_add(&g_reg, EX_BYBIT, "BTC-USDT", err, sizeof err);
	inst_add(&g_reg, EX_BYBIT, "BTC-USDT-SWAP", err, sizeof err);
	inst_add(&g_reg, EX_BYBIT, "BTC-USD-SWAP", err, sizeof err);
	inst_add(&g_reg, EX_BINANCE, "BTC-USDT", err, sizeof err);
	inst_add(&g_reg, EX_BINANCE_COINM, "BTC-USD-SWAP", err, sizeof err);
	parse_init(&g_ok, &g_reg, EX_OKX);
	parse_init(&g_by, &g_reg, EX_BYBIT);
	parse_init(&g_bn, &g_reg, EX_BINANCE);
	parse_init(&g_cm, &g_reg, EX_BINANCE_COINM);
	T_RUN(t_okx);
	T_RUN(t_bybit);
	T_RUN(t_binance);
	T_RUN(t_lists_not_adopted);
	T_RUN(t_contracts_to_base);
	T_RUN(t_record_check);
	parse_free(&g_ok);
	parse_free(&g_by);
	parse_free(&g_bn);
	parse_free(&g_cm);
	return t_done();
}
