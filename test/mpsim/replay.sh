#!/usr/bin/env bash
# replay.sh - mpsim --replay: refusals at start (no file, a file without a
# Binance frame, a bad --speed), then replay.js on a small written capture
# of spot and one of USD-M.
. "$(dirname "$0")/../lib.sh"

"$BIN/mpsim" --binance-port 0 --okx-port 0 --replay "$T_TMP/none.cap" >/dev/null 2>"$T_TMP/e1"
rc=$?
if [ $rc -eq 2 ] && grep -q "cannot open" "$T_TMP/e1"; then ok replay_missing_file
else not_ok replay_missing_file "exit $rc: $(cat "$T_TMP/e1")"; fi
echo "1 okx ws {}" >"$T_TMP/okx.cap"
"$BIN/mpsim" --binance-port 0 --okx-port 0 --replay "$T_TMP/okx.cap" >/dev/null 2>"$T_TMP/e2"
rc=$?
if [ $rc -eq 2 ] && grep -q 'no WebSocket frame of binance, binance-usdm or binance-coinm' "$T_TMP/e2"; then ok replay_no_frames
else not_ok replay_no_frames "exit $rc: $(cat "$T_TMP/e2")"; fi
"$BIN/mpsim" --binance-port 0 --okx-port 0 --replay "$T_TMP/okx.cap" --speed 0 >/dev/null 2>"$T_TMP/e3"
rc=$?
if [ $rc -eq 2 ] && grep -q -- "--speed" "$T_TMP/e3"; then ok replay_bad_speed
else not_ok replay_bad_speed "exit $rc: $(cat "$T_TMP/e3")"; fi

command -v node >/dev/null || { skip replay_js "node is not installed"; exit 0; }
b=1723161254000000000
{
	echo "$b binance rest:/api/v3/depth?symbol=ETHUSDT&limit=1000 {\"lastUpdateId\":1,\"bids\":[],\"asks\":[]}"
	echo "$b binance ws {\"stream\":\"ethusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"n\":1}}"
	echo "this line is not a capture line"
	echo "$((b + 100000000)) binance ws {\"stream\":\"ethusdt@trade\",\"data\":{\"e\":\"trade\",\"n\":1}}"
	echo "$((b + 200000000)) okx ws {\"arg\":{}}"
	echo "$((b + 500000000)) binance ws {\"stream\":\"ethusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"n\":2}}"
	echo "$((b + 900000000)) binance ws {\"stream\":\"ethusdt@trade\",\"data\":{\"e\":\"trade\",\"n\":2}}"
	# a venue time 1 s after the first receive time: retimed to wall_t0 + 500 ms at speed 2
	echo "$((b + 1000000000)) binance ws {\"stream\":\"ethusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":$((b / 1000000 + 1000)),\"n\":3}}"
	echo "$((b + 900000000)) binance rest:/api/v3/depth?symbol=ETHUSDT&limit=1000 {\"lastUpdateId\":2,\"bids\":[],\"asks\":[]}"
} >"$T_TMP/small.cap"
# USD-M (the real recording's shapes, cut short): @depth@0ms frames, a
# /fapi/v1/depth snapshot, a trade, a line of spot (another venue: skipped)
{
	echo "$b binance-usdm ws {\"stream\":\"ethusdt@depth@0ms\",\"data\":{\"e\":\"depthUpdate\",\"n\":1}}"
	echo "$b binance-usdm rest:/fapi/v1/depth?symbol=ETHUSDT&limit=1000 {\"lastUpdateId\":7,\"bids\":[],\"asks\":[]}"
	echo "$b binance ws {\"stream\":\"ethusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"n\":9}}"
	echo "$b binance rest:/api/v3/depth?symbol=ETHUSDT&limit=1000 {\"lastUpdateId\":9,\"bids\":[],\"asks\":[]}"
	echo "$((b + 100000000)) binance-usdm ws {\"stream\":\"ethusdt@trade\",\"data\":{\"e\":\"trade\",\"n\":1}}"
	echo "$((b + 200000000)) binance-usdm ws {\"stream\":\"ethusdt@depth@0ms\",\"data\":{\"e\":\"depthUpdate\",\"n\":2}}"
	echo "$((b + 300000000)) binance-usdm ws {\"stream\":\"ethusdt@depth5@100ms\",\"data\":{\"n\":1}}"
} >"$T_TMP/usdm.cap"
node "$(dirname "$0")/replay.js" "$T_TMP/small.cap" "$T_TMP/usdm.cap"
