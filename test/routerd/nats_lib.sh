# test/routerd/nats_lib.sh - shared by the routerd tests; source after test/lib.sh.
#
#   nats_start             nats-server with JetStream on a free loopback port,
#                          its own store under $T_TMP/js, max_payload 8MB;
#                          sets NATS_PORT, NATS_PID, NATS_URL
#   nats_stop              SIGTERM and wait (the store is flushed)
#   nats_restart           stop, then start again on the same port and store
#   rt_conf [INI lines]    write $T_TMP/rt.ini: a private ring prefix, [nats] url,
#                          plus the given lines; sets RT_CONF and RT_PREFIX
#   routerd_start          bin/routerd in the background, ready when the streams
#                          exist; sets ROUTERD_PID
#   wait_stream_msgs STREAM N [SECONDS]   until mpsub --streams shows N messages
#   stream_at_least STREAM N              the stream holds at least N messages now
#   rt_stats_after LINE REGEX             the last "route stats" line of routerd.log
#                          after line LINE matches REGEX (routerd's own counters;
#                          start routerd with a short routerd.stats_interval)
#   expected_total FILE    total messages of an expect.py output
RT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

nats_write_conf() {
	cat >"$T_TMP/nats.conf" <<EOF
listen: 127.0.0.1:$NATS_PORT
max_payload: 8MB
max_pending: 64MB
jetstream {
	store_dir: "$T_TMP/js"
	max_memory_store: 256MB
	max_file_store: 16GB
}
EOF
}

nats_start() {
	: "${NATS_PORT:=$(free_port)}"
	nats_write_conf
	bg nats-server -c "$T_TMP/nats.conf" >>"$T_TMP/nats.log" 2>&1
	NATS_PID=$T_LASTPID
	NATS_URL="nats://127.0.0.1:$NATS_PORT"
	wait_port "$NATS_PORT" 10 || { not_ok nats_start "nats-server did not start"; exit 1; }
}

nats_stop() {
	kill -TERM "$NATS_PID" 2>/dev/null
	for _ in $(seq 1 100); do kill -0 "$NATS_PID" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$NATS_PID" 2>/dev/null
}

nats_restart() {
	nats_stop
	nats_start
}

rt_conf() {
	RT_PREFIX="mp-test-rt-$$-$RANDOM"
	RT_CONF="$T_TMP/rt.ini"
	{
		echo "[system]"
		echo "ring_prefix = $RT_PREFIX"
		echo "[nats]"
		echo "url = $NATS_URL"
		printf '%s\n' "$@"
	} >"$RT_CONF"
	# the rings live in /dev/shm: remove them with the temp dir
	trap 'rm -rf "/dev/shm/${RT_PREFIX:?}"; t_cleanup' EXIT
}

routerd_start() {
	bg "$BIN/routerd" -c "$RT_CONF" --set routerd.stats_interval=0 "$@" >>"$T_TMP/routerd.log" 2>&1
	ROUTERD_PID=$T_LASTPID
	wait_for 20 grep -q 'msg="routing"' "$T_TMP/routerd.log" ||
		{ not_ok routerd_start "routerd did not start: $(tail -3 "$T_TMP/routerd.log")"; exit 1; }
}

stream_msgs() {
	"$BIN/mpsub" -c "$RT_CONF" --streams 2>/dev/null |
		python3 -c "import json,sys; print(json.load(sys.stdin)['streams']['$1']['messages'])" 2>/dev/null
}

stream_at_least() {
	local n
	n=$(stream_msgs "$1")
	[ -n "$n" ] && [ "$n" -ge "$2" ]
}

rt_stats_after() {
	tail -n +"$(($1 + 1))" "$T_TMP/routerd.log" | grep 'msg="route stats"' | tail -1 | grep -Eq "$2"
}

wait_stream_msgs() {
	local end=$((SECONDS + ${3:-30})) n
	while ((SECONDS < end)); do
		n=$(stream_msgs "$1")
		[ "$n" = "$2" ] && return 0
		sleep 0.2
	done
	echo "stream $1: $n messages, wanted $2" >&2
	return 1
}

# stream totals from an expect.py file: "FULL DELTA TRADES DATA EVENTS"
expected_streams() {
	python3 - "$1" <<'EOF'
import json, sys
e = json.load(open(sys.argv[1]))
t = {"FULL": 0, "DELTA": 0, "TRADES": 0, "DATA": 0, "EVENTS": 0}
for s, n in e.items():
    k = s.split(".")
    if k[0] == "orderbook":
        t["FULL" if k[1] in ("full", "snapshot") else "EVENTS" if k[1] == "event" else "DELTA"] += n
    else:
        t["TRADES" if k[3] == "trade" else "DATA"] += n
print(t["FULL"], t["DELTA"], t["TRADES"], t["DATA"], t["EVENTS"])
EOF
}

# wait until every stream holds what the expect file predicts (+ extra events)
wait_all_streams() {
	local f d tr da ev
	read -r f d tr da ev < <(expected_streams "$1")
	ev=$((ev + ${2:-0}))
	wait_stream_msgs ORDERBOOK_FULL "$f" "${3:-60}" && wait_stream_msgs ORDERBOOK_DELTA "$d" "${3:-60}" &&
		wait_stream_msgs MARKET_TRADES "$tr" "${3:-60}" && wait_stream_msgs MARKET_DATA "$da" "${3:-60}" &&
		wait_stream_msgs SYSTEM_EVENTS "$ev" "${3:-60}"
}

# rt_finish: stop routerd (if running) and check that it exits 0 and that no
# process of the test reported a sanitizer error (ASan runs).
rt_finish() {
	local rc=0
	if [ -n "${ROUTERD_PID:-}" ] && kill -0 "$ROUTERD_PID" 2>/dev/null; then
		kill -TERM "$ROUTERD_PID"
		wait "$ROUTERD_PID"
		rc=$?
	fi
	if grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T_TMP"/*.log >/dev/null 2>&1; then
		not_ok clean_exit "sanitizer report: $(grep -hE -m1 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T_TMP"/*.log)"
	elif [ "$rc" != 0 ]; then
		not_ok clean_exit "routerd exited with $rc: $(tail -2 "$T_TMP/routerd.log")"
	else
		ok clean_exit
	fi
}
