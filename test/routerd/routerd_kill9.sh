#!/usr/bin/env bash
# kill -9 of routerd mid-run, then a restart: the ring position moves only
# past acknowledged records, so the new routerd publishes again whatever the
# old one had in flight (de-duplicated by Nats-Msg-Id) and nothing is lost.
# To make "in flight at the kill" certain, the server is frozen just before
# the kill: the old routerd's messages reach it, their acks never reach routerd.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/nats_lib.sh"
CHECK="python3 $RT_DIR/check.py"

nats_start
rt_conf
routerd_start
bg "$BIN/test/routerd_feeder" -c "$RT_CONF" --deltas 300 --depth 500 --full-every 60 --topn-every 30 \
	--seed 13 --rate 250 >"$T_TMP/feed.json" 2>"$T_TMP/feeder.log"
FEEDER=$T_LASTPID

delta_at_least() {
	local n
	n=$(stream_msgs ORDERBOOK_DELTA)
	[ -n "$n" ] && [ "$n" -ge "$1" ]
}
wait_for 30 delta_at_least 300 || not_ok kill_mid_run "no traffic reached the stream"
kill -STOP "$NATS_PID"
sleep 0.5
kill -KILL "$ROUTERD_PID"
wait "$ROUTERD_PID" 2>/dev/null
kill -CONT "$NATS_PID"
: >"$T_TMP/routerd.log"
routerd_start
wait "$FEEDER" || { not_ok feeder "$(tail -2 "$T_TMP/feeder.log")"; exit 1; }
$CHECK expect "$T_TMP/feed.json" >"$T_TMP/expect.json"

if wait_all_streams "$T_TMP/expect.json" 0 60; then
	ok no_loss_after_kill9
else
	not_ok no_loss_after_kill9 "$(grep -v INFO "$T_TMP/routerd.log" | tail -3)"
fi
rt_finish
# the restarted routerd re-published what the killed one had in flight
check restart_republished_in_flight grep -Eq 'msg="route stats".* duplicates=[1-9]' "$T_TMP/routerd.log"

"$BIN/mpsub" -c "$RT_CONF" --durable strategy_delta_orderbook --until-caught-up --seconds 60 \
	>"$T_TMP/summary.json" 2>"$T_TMP/mpsub.log" || not_ok mpsub_exit "mpsub failed: $(tail -2 "$T_TMP/mpsub.log")"
if why=$($CHECK compare "$T_TMP/expect.json" "$T_TMP/summary.json"); then
	ok exactly_once_after_kill9
else
	not_ok exactly_once_after_kill9 "$why"
fi
