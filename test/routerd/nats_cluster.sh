#!/usr/bin/env bash
# test/routerd/nats_cluster.sh - the system against mpsim (mpctl: mpsim, feedd
# x2, bookd, routerd, stored) publishing to a 3-node NATS cluster on loopback,
# every stream at 3 replicas (README "Scaling out" shows the same settings).
#
# The sequence, each step waiting for a condition, never for a guessed time:
#   1. books synced and messages flowing into ORDERBOOK_DELTA;
#   2. kill -9 the ORDERBOOK_DELTA leader (node A): the two others elect a new
#      leader and the stream grows again;
#   3. kill -9 a second node B (the new leader): the one node left has no
#      quorum, publishes are not acknowledged, routerd pauses;
#   4. restart B (same ports and store): quorum is back, a leader is elected,
#      routerd re-publishes what was not acknowledged (same Nats-Msg-Id) and
#      the stream grows again;
#   5. restart A: all three replicas of every stream current again;
#   6. stop the system; mpsub reads every stream: 0 gaps, 0 duplicates,
#      0 mismatches; mpstore verify passes.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../mpctl/lib_system.sh"
PY=/usr/bin/python3

sys_require cluster
command -v curl >/dev/null || { skip cluster "curl not installed"; exit 0; }

# --- the cluster ---------------------------------------------------------
declare -a CL_CLIENT CL_ROUTE CL_MON CL_PID
for i in 1 2 3; do
	CL_CLIENT[i]=$(free_port); CL_ROUTE[i]=$(free_port); CL_MON[i]=$(free_port)
done

cl_start() {   # cl_start I: node nI on its ports and store (also a restart)
	local i=$1
	cat >"$T_TMP/n$i.conf" <<EOF
server_name: n$i
listen: 127.0.0.1:${CL_CLIENT[i]}
http: 127.0.0.1:${CL_MON[i]}
max_payload: 8MB
max_pending: 64MB
jetstream {
	store_dir: "$T_TMP/js$i"
	max_memory_store: 64MB
	max_file_store: 4GB
}
cluster {
	name: mp-test
	listen: 127.0.0.1:${CL_ROUTE[i]}
	routes: [
		nats-route://127.0.0.1:${CL_ROUTE[1]}
		nats-route://127.0.0.1:${CL_ROUTE[2]}
		nats-route://127.0.0.1:${CL_ROUTE[3]}
	]
}
EOF
	bg nats-server -c "$T_TMP/n$i.conf" >>"$T_TMP/n$i.log" 2>&1
	CL_PID[i]=$T_LASTPID
}

# cl_jsz I PY...: run PY with d = node I's /jsz?streams=1 (true if it does not raise)
cl_jsz() {
	curl -sf --max-time 2 "http://127.0.0.1:${CL_MON[$1]}/jsz?streams=1" | $PY -c "import json, sys
d = json.load(sys.stdin)
def stream(name):
    return [s for a in d.get('account_details') or [] for s in a.get('stream_detail') or [] if s['name'] == name][0]
$2" "${@:3}"
}
# cl_leader I STREAM: the stream's leader as node I sees it (empty if none)
cl_leader() {
	cl_jsz "$1" 'print(stream(sys.argv[1])["cluster"].get("leader", ""))' "$2" 2>/dev/null
}
# cl_has_leader I STREAM [NOT]: node I sees a leader for STREAM, other than NOT
cl_has_leader() {
	local l
	l=$(cl_leader "$1" "$2")
	[ -n "$l" ] && [ "$l" != "${3:-}" ]
}
# cl_meta_ready I: node I sees a JetStream meta leader
cl_meta_ready() {
	cl_jsz "$1" 'assert d["meta_cluster"].get("leader")'
}
# cl_all_current: every stream has a leader that sees both other replicas
# current (only a stream's leader knows its followers' state)
cl_all_current() {
	local args=() i
	for i in 1 2 3; do args+=("n$i:${CL_MON[i]}"); done
	$PY - "${args[@]}" <<'EOF'
import json, sys, urllib.request
led = {}
for arg in sys.argv[1:]:
    name, port = arg.split(":")
    try:
        d = json.load(urllib.request.urlopen("http://127.0.0.1:%s/jsz?streams=1" % port, timeout=2))
    except OSError:
        continue    # a node that is down
    for a in d.get("account_details") or []:
        for s in a.get("stream_detail") or []:
            c = s.get("cluster") or {}
            if c.get("leader") == name:
                r = c.get("replicas") or []
                led[s["name"]] = len(r) == 2 and all(x["current"] for x in r)
assert len(led) == 5 and all(led.values()), led
EOF
}
cl_msgs() {    # cl_msgs I STREAM: messages in STREAM as node I sees it
	cl_jsz "$1" 'print(stream(sys.argv[1])["state"]["messages"])' "$2" 2>/dev/null
}
# cl_grows I STREAM N: node I sees more than N messages in STREAM
cl_grows() {
	local n
	n=$(cl_msgs "$1" "$2")
	[ -n "$n" ] && [ "$n" -gt "$3" ]
}
node_of() { echo "${1#n}"; }

for i in 1 2 3; do cl_start "$i"; done
for i in 1 2 3; do
	wait_port "${CL_CLIENT[i]}" 20 && wait_port "${CL_MON[i]}" 20 ||
		{ not_ok cluster_start "node n$i did not start: $(tail -3 "$T_TMP/n$i.log")"; exit 1; }
done
if wait_for 60 cl_meta_ready 1 && wait_for 60 cl_meta_ready 2 && wait_for 60 cl_meta_ready 3; then
	ok cluster_start
else
	not_ok cluster_start "no JetStream meta leader: $(tail -3 "$T_TMP/n1.log")"; exit 1
fi

# --- the system, publishing to the cluster -----------------------------------
sys_config 1
URLS="nats://127.0.0.1:${CL_CLIENT[1]}, nats://127.0.0.1:${CL_CLIENT[2]}, nats://127.0.0.1:${CL_CLIENT[3]}"
# [nats]: the three servers and 3 replicas per stream (smaller limits than the
# defaults: each node reserves max_bytes of every stream); [mpctl]: no
# embedded server.  The same lines as in README.md, "Scaling out".
sed -i -e "s|^url = nats://127.0.0.1:$NATS_PORT\$|url = $URLS\\
full_replicas = 3\\
delta_replicas = 3\\
trades_replicas = 3\\
data_replicas = 3\\
events_replicas = 3\\
full_max_bytes = 256MiB\\
delta_max_bytes = 256MiB\\
trades_max_bytes = 64MiB\\
data_max_bytes = 64MiB\\
events_max_bytes = 64MiB|" -e 's|^\[mpctl\]$|[mpctl]\nnats_embedded = false|' "$CONF"
grep -q '^delta_replicas = 3$' "$CONF" && grep -q '^nats_embedded = false$' "$CONF" ||
	{ not_ok cluster_config "could not write $CONF"; exit 1; }
SYS_KEEP_LOGS=cluster-system
sys_start || { not_ok cluster_system_start "$(mpctl status 2>&1 | head -12)"; exit 1; }
if wait_for 120 sys_books_synced 1000; then ok cluster_books_synced
else not_ok cluster_books_synced "$(sys_books_summary)"; exit 1; fi
check cluster_streams_replicated wait_for 60 cl_all_current
RLOG="$SYS_DATA/log/routerd.log"
paused() { grep -c 'msg="publishing paused' "$RLOG" 2>/dev/null; }
# publishing: routerd is not recovering (its last pause was followed by a resume)
publishing() {
	[ "$(grep -E 'msg="publishing (paused|resumed)' "$RLOG" | tail -1 | grep -c 'resumed')" = 1 ] ||
		[ "$(paused)" = 0 ]
}

# 2. kill -9 the leader of ORDERBOOK_DELTA
wait_for 30 cl_grows 1 ORDERBOOK_DELTA 100 || not_ok cluster_traffic "ORDERBOOK_DELTA: $(cl_msgs 1 ORDERBOOK_DELTA) messages"
A=$(cl_leader 1 ORDERBOOK_DELTA)
a=$(node_of "$A")
[ -n "$A" ] && [ -n "${CL_PID[a]:-}" ] || { not_ok cluster_kill_leader "no leader found: '$A'"; exit 1; }
b=$(( a % 3 + 1 )); c=$(( b % 3 + 1 ))   # the two survivors, b and c
kill -9 "${CL_PID[a]}"
wait "${CL_PID[a]}" 2>/dev/null
n=$(cl_msgs "$b" ORDERBOOK_DELTA)
# (and routerd done with its recovery, so that step 3 starts a new one)
if wait_for 60 cl_has_leader "$b" ORDERBOOK_DELTA "$A" && wait_for 60 cl_grows "$b" ORDERBOOK_DELTA "${n:-0}" &&
	wait_for 60 publishing; then
	ok cluster_leader_killed_new_leader_elected
else
	not_ok cluster_leader_killed_new_leader_elected "leader '$(cl_leader "$b" ORDERBOOK_DELTA)', messages $n -> $(cl_msgs "$b" ORDERBOOK_DELTA); $(grep -E 'msg="publishing' "$RLOG" | tail -1)"
fi

# 3. kill -9 the new leader too (second node): no quorum until it is back.
B=$(cl_leader "$b" ORDERBOOK_DELTA)
[ "$B" = "n$c" ] && { t=$b; b=$c; c=$t; }   # b: the node to kill, c: the one left
p0=$(paused)
kill -9 "${CL_PID[b]}"
wait "${CL_PID[b]}" 2>/dev/null
if wait_for 60 bash -c "[ \"\$(grep -c 'msg=\"publishing paused' '$RLOG')\" -gt '${p0:-0}' ]" && ! publishing; then
	ok cluster_no_quorum_routerd_paused
else
	not_ok cluster_no_quorum_routerd_paused "$(grep -v INFO "$RLOG" | tail -3)"
fi

# 4. restart the second node: quorum again, publishing resumes.
r0=$(grep -c 'msg="publishing resumed' "$RLOG")
cl_start "$b"
n=$(cl_msgs "$c" ORDERBOOK_DELTA)
if wait_for 60 cl_has_leader "$c" ORDERBOOK_DELTA && wait_for 60 cl_grows "$c" ORDERBOOK_DELTA "${n:-0}" &&
	wait_for 60 bash -c "[ \"\$(grep -c 'msg=\"publishing resumed' '$RLOG')\" -gt '$r0' ]"; then
	ok cluster_quorum_back_publishing_resumed
else
	not_ok cluster_quorum_back_publishing_resumed "leader '$(cl_leader "$c" ORDERBOOK_DELTA)', messages $n -> $(cl_msgs "$c" ORDERBOOK_DELTA); $(grep -v INFO "$RLOG" | tail -2)"
fi

# 5. restart the first node: every replica catches up.
cl_start "$a"
check cluster_all_replicas_current wait_for 90 cl_all_current

# The books stayed synced through it all (nothing upstream of routerd noticed).
if wait_for 60 sys_books_synced 1000; then ok cluster_books_still_synced
else not_ok cluster_books_still_synced "$(sys_books_summary)"; fi
# nothing was dropped for a slow routerd (a gap would be a ring_loss)
check cluster_no_ring_loss sys_health 'r = {x["name"]: x for x in d["rings"]}; assert r["book.router"]["dropped"] == 0, r["book.router"]'

sys_stop && ok cluster_system_stop || not_ok cluster_system_stop
grep -E 'msg="route stats"' "$RLOG" | tail -1
# routerd's own account: re-published, nothing stored out of order or past the window
check cluster_routerd_republished_in_order bash -c "grep 'msg=\"route stats\"' '$RLOG' | tail -1 |
	grep -Eq 'republished=[1-9][0-9]* .*late_republished=0 reordered=0'"

# 6. everything read back from the cluster
"$BIN/mpsub" -c "$CONF" --durable cluster --until-caught-up --seconds 90 --cleanup \
	>"$T_TMP/mpsub.json" 2>"$T_TMP/mpsub.err" || not_ok cluster_mpsub_exit "$(tail -3 "$T_TMP/mpsub.err")"
if $PY - "$T_TMP/mpsub.json" <<'EOF'
import json, sys
s = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
assert s["gaps"] == 0 and s["mismatches"] == 0 and s.get("duplicates", 0) == 0, s
books = [b for b in s["books"] if b.get("synced")]
assert len(books) == 4, s["books"]
n = sum(s["subjects"].values())
assert n > 1000, n
print("mpsub: %d messages, gaps %d, duplicates %d, mismatches %d" % (n, s["gaps"], s["duplicates"], s["mismatches"]))
EOF
then ok cluster_streams_no_gap_no_duplicate
else not_ok cluster_streams_no_gap_no_duplicate "$(tail -c 1500 "$T_TMP/mpsub.json") $(tail -3 "$T_TMP/mpsub.err")"; fi

if "$BIN/mpstore" verify -c "$CONF" >"$T_TMP/verify.json" 2>"$T_TMP/verify.err"; then ok cluster_store_verify
else not_ok cluster_store_verify "$(head -c 1500 "$T_TMP/verify.json") $(tail -3 "$T_TMP/verify.err")"; fi
check cluster_no_sanitizer_report bash -c "! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' '$SYS_DATA'/log/*.log '$T_TMP/mpsub.err'"
