#!/usr/bin/env bash
# kill -9 of routerd mid-run, then a restart: the ring position moves only
# past acknowledged records, so the new routerd publishes again whatever the
# old one had in flight (de-duplicated by Nats-Msg-Id) and nothing is lost.
#
# The premise "messages were in flight at the kill, and the server had them"
# is made certain, not left to timing: the feeder holds after its first part,
# the server is frozen (SIGSTOP) while it holds, and only then is the rest
# written.  Before the kill the test waits until routerd's own stats show
# messages published and not acknowledged, and until the server's socket
# holds unread bytes (they reach it once it runs again, and the restarted
# routerd's copies of them are duplicates).  The restart waits until the
# server has read the killed connection to its end, so the old copies are
# stored first.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/nats_lib.sh"
CHECK="python3 $RT_DIR/check.py"

nats_start
rt_conf
routerd_start --set routerd.stats_interval=200ms
bg "$BIN/test/routerd_feeder" -c "$RT_CONF" --deltas 300 --depth 500 --full-every 60 --topn-every 30 \
	--seed 13 --rate 250 --hold-after 100 --hold-file "$T_TMP/go" >"$T_TMP/feed.json" 2>"$T_TMP/feeder.log"
FEEDER=$T_LASTPID

# bytes the server has not read yet, summed over its client sockets
server_unread() {
	ss -Htn state established "( sport = :$NATS_PORT )" | awk '{ n += $1 } END { print n + 0 }'
}
server_has_unread() { [ "$(server_unread)" -ge "$1" ]; }
# nothing but the listening socket left on the server's port: the server has
# read the killed routerd's connection to its end and closed it
server_closed_clients() { ! ss -Htan "( sport = :$NATS_PORT )" | grep -qv LISTEN; }

wait_for 120 grep -q 'held after' "$T_TMP/feeder.log" || { not_ok feeder_hold "$(tail -2 "$T_TMP/feeder.log")"; exit 1; }
wait_for 60 stream_at_least ORDERBOOK_DELTA 100 || { not_ok kill_mid_run "no traffic reached the stream"; exit 1; }
kill -STOP "$NATS_PID"
mark=$(wc -l <"$T_TMP/routerd.log")
touch "$T_TMP/go"
if wait_for 120 rt_stats_after "$mark" ' outstanding=[1-9]' && wait_for 60 server_has_unread 32768 &&
	kill -0 "$FEEDER" 2>/dev/null; then
	ok premise_in_flight_at_kill
else
	not_ok premise_in_flight_at_kill "feeder running: $(kill -0 "$FEEDER" 2>/dev/null && echo yes || echo no)," \
		"server unread bytes $(server_unread), last stats: $(grep 'route stats' "$T_TMP/routerd.log" | tail -1)"
fi
kill -KILL "$ROUTERD_PID"
wait "$ROUTERD_PID" 2>/dev/null
kill -CONT "$NATS_PID"
wait_for 60 server_closed_clients || not_ok server_read_old_connection "$(ss -Htan "( sport = :$NATS_PORT )")"
: >"$T_TMP/routerd.log"
routerd_start
wait "$FEEDER" || { not_ok feeder "$(tail -2 "$T_TMP/feeder.log")"; exit 1; }
$CHECK expect "$T_TMP/feed.json" >"$T_TMP/expect.json"

if wait_all_streams "$T_TMP/expect.json" 0 120; then
	ok no_loss_after_kill9
else
	not_ok no_loss_after_kill9 "$(grep -v INFO "$T_TMP/routerd.log" | tail -3)"
fi
rt_finish
# the restarted routerd re-published what the killed one had in flight
check restart_republished_in_flight grep -Eq 'msg="route stats".* duplicates=[1-9]' "$T_TMP/routerd.log"

"$BIN/mpsub" -c "$RT_CONF" --durable strategy_delta_orderbook --until-caught-up --seconds 120 \
	>"$T_TMP/summary.json" 2>"$T_TMP/mpsub.log" || not_ok mpsub_exit "mpsub failed: $(tail -2 "$T_TMP/mpsub.log")"
if why=$($CHECK compare "$T_TMP/expect.json" "$T_TMP/summary.json"); then
	ok exactly_once_after_kill9
else
	not_ok exactly_once_after_kill9 "$why"
fi
