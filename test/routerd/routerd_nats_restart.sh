#!/usr/bin/env bash
# nats-server restarts in the middle of a run: routerd pauses, reconnects,
# re-publishes what was not acknowledged, and afterwards every stream holds
# every message exactly once (counts, Nats-Msg-Id uniqueness and update-id
# continuity checked with mpsub).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/nats_lib.sh"
CHECK="python3 $RT_DIR/check.py"

nats_start
rt_conf
routerd_start --set routerd.ack_timeout=1s --set routerd.stats_interval=200ms
# ~2000 records at 250/s: about 8 s of traffic.  The feeder holds twice, so
# each outage certainly happens mid-run, with records still to come.
bg "$BIN/test/routerd_feeder" -c "$RT_CONF" --deltas 300 --depth 500 --full-every 60 --topn-every 30 \
	--seed 11 --rate 250 --hold-after 100 --hold-after 200 --hold-file "$T_TMP/go" \
	>"$T_TMP/feed.json" 2>"$T_TMP/feeder.log"
FEEDER=$T_LASTPID

held() { grep -q "held after $1 " "$T_TMP/feeder.log"; }
# 1. the server freezes for longer than the ack timeout while traffic goes on:
#    routerd takes the unacknowledged messages back and publishes them again;
#    the server then sees both copies and keeps one (Nats-Msg-Id).  The
#    freeze lasts until routerd's own stats show a re-publication.
wait_for 120 held 100 || { not_ok feeder_hold "$(tail -2 "$T_TMP/feeder.log")"; exit 1; }
wait_for 60 stream_at_least ORDERBOOK_DELTA 200 || { not_ok freeze_mid_run "no traffic reached the stream"; exit 1; }
kill -STOP "$NATS_PID"
mark=$(wc -l <"$T_TMP/routerd.log")
touch "$T_TMP/go"
if wait_for 120 rt_stats_after "$mark" ' republished=[1-9]'; then ok republished_during_freeze
else not_ok republished_during_freeze "$(grep 'route stats' "$T_TMP/routerd.log" | tail -1)"; fi
kill -CONT "$NATS_PID"
# 2. mid-run again: restart the server (store kept) while the feeder holds,
#    then let the rest of the records come
wait_for 120 held 200 || { not_ok feeder_hold2 "$(tail -2 "$T_TMP/feeder.log")"; exit 1; }
nats_restart
touch "$T_TMP/go"
wait "$FEEDER" || { not_ok feeder "$(tail -2 "$T_TMP/feeder.log")"; exit 1; }
check feeder_ran_through_restart python3 -c "import json; json.load(open('$T_TMP/feed.json'))"
$CHECK expect "$T_TMP/feed.json" >"$T_TMP/expect.json"

if wait_all_streams "$T_TMP/expect.json" 0 120; then
	ok streams_complete_after_restart
else
	not_ok streams_complete_after_restart "$(grep -v INFO "$T_TMP/routerd.log" | tail -3)"
fi
check routerd_saw_the_outage grep -q 'msg="nats reconnected"' "$T_TMP/routerd.log"

rt_finish
check republished_and_deduplicated grep -Eq 'msg="route stats".* duplicates=[1-9][0-9]* republished=[1-9]' "$T_TMP/routerd.log"

"$BIN/mpsub" -c "$RT_CONF" --durable ml_delta_features --until-caught-up --seconds 120 \
	>"$T_TMP/summary.json" 2>"$T_TMP/mpsub.log" || not_ok mpsub_exit "mpsub failed: $(tail -2 "$T_TMP/mpsub.log")"
if why=$($CHECK compare "$T_TMP/expect.json" "$T_TMP/summary.json"); then
	ok exactly_once_after_nats_restart
else
	not_ok exactly_once_after_nats_restart "$why"
fi
