/*
 * parse_binance_fut.c - Binance USD-M (fstream/fapi) and COIN-M
 * (dstream/dapi) futures frames.  The wire format is Binance's (the spot
 * parsers of parse_binance.c and parse_scan.c read both); what differs is
 * that depthUpdate must carry pu (the previous event's u, kept as the
 * delta's prev_id for bookd's chain rule, bookd/sync_binance_fut.c), "T"
 * (transaction time) beside "E", bookTicker naming its event, and the REST
 * prefix (/fapi/v1/, /dapi/v1/; depth answers carry E and T too).
 *
 * TODO(markets): markPrice (@markPrice: mark, index, funding rate, next
 * funding time), open interest (REST /fapi/v1/openInterest) and forceOrder
 * (liquidations) are counted as unknown frames until REC_MARKET exists.
 */
#include "parse_impl.h"

const struct parse_venue parse_venue_binance_usdm = {
	.scan_ws = parse_scan_binance_ws,
	.json_ws = parse_json_binance_ws,
	.scan_rest_path = "/fapi/v1/depth?",
	.scan_rest = parse_scan_binance_depth_rest,
	.json_rest = parse_json_binance_rest,
	.rest_api = "/fapi/v1/",
	.depth_pu = 1,
};

const struct parse_venue parse_venue_binance_coinm = {
	.scan_ws = parse_scan_binance_ws,
	.json_ws = parse_json_binance_ws,
	.scan_rest_path = "/dapi/v1/depth?",
	.scan_rest = parse_scan_binance_depth_rest,
	.json_rest = parse_json_binance_rest,
	.rest_api = "/dapi/v1/",
	.depth_pu = 1,
};
