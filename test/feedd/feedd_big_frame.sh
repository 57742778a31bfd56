#!/usr/bin/env bash
# test/feedd/feedd_big_frame.sh - a 50 MB WebSocket frame (hostile input,
# issue 14) is dropped by feedd's transport limit: counted as a parse error,
# reported as EV_PARSE_ERROR naming the venue, and the stream goes on (the
# next update arrives) without a crash.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/feedd_lib.sh"

if ! command -v node >/dev/null; then
	skip big_frame_dropped "node not installed"
	exit 0
fi
WP=$(free_port)
bg node "$(dirname "$0")/wsbig.js" "$WP" $((50 << 20)) >"$T_TMP/ws.out" 2>&1
wait_for 10 grep -q ready "$T_TMP/ws.out" || { not_ok big_frame_setup "wsbig.js did not start"; exit 1; }
SIM_BN=$WP
feedd_start binance --set instruments.okx= --set instruments.binance=BTC-USDT --set feedd.binance.capture=false \
    --set feedd.binance.channels=depth || { not_ok big_frame_setup "feedd or the peer did not start"; exit 1; }
if wait_st ev_parse_error 1 30 && wait_st delta_1 1 30 && alive && [ "$(st ev_wrong_exchange)" = 0 ] &&
    grep -q 'frame larger than' "$F_LOG"; then
	ok big_frame_dropped
else
	not_ok big_frame_dropped "parse_errors=$(st ev_parse_error) deltas=$(st delta_1) wrong_exchange=$(st ev_wrong_exchange)"
fi
