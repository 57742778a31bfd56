# test/mpctl/lib_system.sh - the real system (mpsim, nats-server, stored,
# routerd, bookd, feedd x2) under mpctl, as a private instance of a test:
# own ring prefix, data dir, free ports.  Source after test/lib.sh.
#
#   sys_require            skip the whole test if a program is missing
#   sys_config [RATE]      write $CONF (mpsim at RATE x real time, default 1;
#                          SYS_SIM=false: the test runs its own mpsim)
#   sys_start              mpctl start (foreground, in the background), wait for start-up;
#                          SYS_SET=(--set S.K=V ...) is passed to every mpctl call
#   sys_health PY [ARGS]   run PY with d = /health (ARGS in sys.argv[1:]); true if it does not raise
#   sys_books_synced [MIN] all four books synced with >= MIN levels per side
#   sys_pid NAME / sys_restarts NAME
#   sys_book_val EX SYM PY print PY with b = the /health book of EX SYM
#   sys_gap_resynced NAME SIMPORT EX SYM  inject a gap on mpsim's SIMPORT, wait until
#                          the book saw it and is synced again: ok/not ok NAME
#   sys_store_exact SIMPORT EX SYM N  the store's book equals mpsim's /_sim/book
#                          (best N a side) at the same id (book_exact.py)
#   sys_corrupt NAME SIMPORT EX SYM RANK CTR EVENT N  mpsim's corrupt_level (the
#                          RANK-th bid of one depth increment wrong, no gap) until
#                          CTR (a /health expression of the book b) moves (at most
#                          8 faults), then: EVENT in the store, the book resynced,
#                          and, market paused, exact again (best N a side):
#                          ok/not ok NAME_detected, _event, _resynced, _exact_again
#   sys_stop               mpctl stop (reverse order), wait
#   sys_schema_check NAME DUMP  the messages of an mpsub --dump file valid against
#                          routerd's JSON Schemas (skip NAME without python3 jsonschema)

SYS_PREFIX="mpe-$$-$RANDOM"
SYS_DATA="$T_TMP/data"
CONF="$T_TMP/system.ini"
SYS_LOG="$T_TMP/mpctl.log"
HTTP_PORT=$(free_port)
NATS_PORT=$(free_port)
SIM_B=$(free_port)
SIM_O=$(free_port)

sys_require() {
	local p
	for p in mpctl mpsim feedd bookd routerd stored mpsub mpstore; do
		[ -x "$BIN/$p" ] || { skip "$1" "$BIN/$p not built"; exit 0; }
	done
	command -v nats-server >/dev/null || { skip "$1" "nats-server not installed"; exit 0; }
}

sys_config() {
	cat >"$CONF" <<EOF
[system]
ring_prefix = $SYS_PREFIX
data_dir = $SYS_DATA
[ring.feed.binance]
capacity = 16MiB
[ring.feed.okx]
capacity = 16MiB
[ring.raw.binance]
capacity = 16MiB
[ring.raw.okx]
capacity = 16MiB
[ring.book.router]
capacity = 32MiB
[ring.book.store]
capacity = 128MiB
[nats]
url = nats://127.0.0.1:$NATS_PORT
[mpctl]
http_port = $HTTP_PORT
metrics_interval = 500ms
stream_interval = 2s
disk_probe_size = ${SYS_DISK_PROBE:-8MiB}
sim = ${SYS_SIM:-true}
sim_args = --binance-port $SIM_B --okx-port $SIM_O --rate ${1:-1} ${SYS_SIM_EXTRA:-}
[feedd.binance]
ws_url = ws://127.0.0.1:$SIM_B
rest_url = http://127.0.0.1:$SIM_B
[feedd.okx]
ws_url = ws://127.0.0.1:$SIM_O
rest_url = http://127.0.0.1:$SIM_O
EOF
}

SYS_SET=()
mpctl() { "$BIN/mpctl" -c "$CONF" "${SYS_SET[@]}" "$@"; }

sys_start() {
	"$BIN/mpctl" -c "$CONF" "${SYS_SET[@]}" start 2>>"$SYS_LOG" &
	SYS_PID=$!
	T_PIDS+=("$SYS_PID")
	wait_for 60 sys_all_ready
}

sys_all_ready() {
	mpctl status --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d["instance"]["state"] == "running" and all(p["state"] == "ready" for p in d["processes"]) else 1)'
}

sys_health() {
	curl -sf "http://127.0.0.1:$HTTP_PORT/health" | python3 -c "import json, sys
d = json.load(sys.stdin)
$1" "${@:2}"
}

# sys_books_synced [MIN_LEVELS]
sys_books_synced() {
	sys_health "
b = d['books']
assert len(b) == 4 and all(x['synced'] and min(x['levels']['bid'] or 0, x['levels']['ask'] or 0) >= ${1:-1000} for x in b)"
}

sys_field() {
	mpctl status --json 2>/dev/null | python3 -c '
import json, sys
for p in json.load(sys.stdin)["processes"]:
    if p["name"] == sys.argv[1]: print(p[sys.argv[2]])' "$1" "$2"
}
sys_pid() { sys_field "$1" pid; }
sys_restarts() { sys_field "$1" restarts; }
# sys_back NAME RESTARTS OLDPID: restarted, new pid, ready
sys_back() {
	[ "$(sys_field "$1" restarts)" = "$2" ] && [ "$(sys_field "$1" pid)" != "$3" ] && [ "$(sys_field "$1" state)" = ready ]
}

sys_books_summary() {
	sys_health 'print("; ".join("%s %s synced=%s levels=%s/%s gaps=%s resyncs=%s" % (b["exchange"], b["symbol"], b["synced"],
    b["levels"]["bid"], b["levels"]["ask"], b["gaps"], b["resyncs"]) for b in d["books"]))' 2>&1
}

sys_book_val() {
	sys_health "
b = [x for x in d['books'] if x['exchange'] == '$1' and x['symbol'] == '$2'][0]
print($3)" 2>/dev/null
}

sys_gap_resynced() {
	local name=$1 port=$2 ex=$3 sym=$4 gaps rs
	gaps=$(sys_book_val "$ex" "$sym" "b['gaps']"); rs=$(sys_book_val "$ex" "$sym" "b['resyncs']")
	curl -sf -m 5 -X POST "http://127.0.0.1:$port/_sim/fault?kind=gap&venue=$ex&symbol=$sym" >/dev/null
	if wait_for 60 sys_health "
b = [x for x in d['books'] if x['exchange'] == '$ex' and x['symbol'] == '$sym'][0]
assert b['gaps'] > $gaps and b['resyncs'] > $rs and b['synced'], b"; then ok "$name"
	else not_ok "$name" "gaps $(sys_book_val "$ex" "$sym" "b['gaps']") (before $gaps), synced $(sys_book_val "$ex" "$sym" "b['synced']")"; fi
}

sys_store_exact() {
	"$BIN/mpstore" print -c "$CONF" --symbol "$3" --exchange "$2" --types snapshot,delta --levels -1 2>/dev/null |
	    /usr/bin/python3 "$MP_ROOT/test/mpctl/store_book.py" >"$T_TMP/store-$3.json" 2>/dev/null &&
	    /usr/bin/python3 "$MP_ROOT/test/mpctl/book_exact.py" "$1" "$2" "$3" "$4" "$T_TMP/store-$3.json" >"$T_TMP/exact-$3.txt"
}

# sys_book_ok EX SYM EXPR: EXPR true of /health's book b of EX SYM
sys_book_ok() {
	sys_health "
b = [x for x in d['books'] if x['exchange'] == '$1' and x['symbol'] == '$2'][0]
assert $3, b"
}

sys_has_event() {
	[ "$("$BIN/mpstore" print -c "$CONF" --symbol "$2" --exchange "$1" --types event --levels 0 2>/dev/null |
	    grep -c "\"$3\"")" -gt 0 ]
}

# A corrupted level heals when the simulator next changes it, which can
# happen before an audit looks: the fault is injected again until one is seen.
sys_corrupt() {
	local name=$1 port=$2 ex=$3 sym=$4 rank=$5 ctr=$6 ev=$7 n=$8 before rs i found=
	before=$(sys_book_val "$ex" "$sym" "$ctr"); rs=$(sys_book_val "$ex" "$sym" "b['resyncs']")
	for i in 1 2 3 4 5 6 7 8; do
		curl -sf -m 5 -X POST "http://127.0.0.1:$port/_sim/fault?kind=corrupt_level&venue=$ex&symbol=$sym&n=$rank" >/dev/null
		if wait_for 20 sys_book_ok "$ex" "$sym" "$ctr > $before"; then found=$i; break; fi
	done
	if [ -n "$found" ]; then ok "${name}_detected (attempt $found)"
	else not_ok "${name}_detected" "$ctr stayed $before after 8 faults: $(sys_book_val "$ex" "$sym" b)"; return; fi
	if wait_for 30 sys_has_event "$ex" "$sym" "$ev"; then ok "${name}_event"
	else not_ok "${name}_event" "no $ev event in the store"; fi
	if wait_for 60 sys_book_ok "$ex" "$sym" "b['resyncs'] > $rs and b['synced']"; then ok "${name}_resynced"
	else not_ok "${name}_resynced" "resyncs $(sys_book_val "$ex" "$sym" "b['resyncs']") (before $rs), synced $(sys_book_val "$ex" "$sym" "b['synced']")"; fi
	# the new sync is exact: pause the market, the store catches up and equals the simulator
	wait_for 60 sys_book_ok "$ex" "$sym" "b['synced'] and b['exact_levels']['bid'] >= $n and b['exact_levels']['ask'] >= $n"
	curl -sf -m 5 -X POST "http://127.0.0.1:$port/_sim/pause" >/dev/null
	if wait_for 60 sys_store_exact "$port" "$ex" "$sym" "$n"; then ok "${name}_exact_again"
	else not_ok "${name}_exact_again" "$(cat "$T_TMP/exact-$sym.txt" 2>/dev/null)"; fi
	curl -sf -m 5 -X POST "http://127.0.0.1:$port/_sim/resume" >/dev/null
}

sys_stop() {
	mpctl stop >/dev/null 2>&1
	wait_for 60 bash -c "! kill -0 $SYS_PID 2>/dev/null"
}

sys_teardown() {
	if [ -n "${SYS_PID:-}" ] && kill -0 "$SYS_PID" 2>/dev/null; then
		kill -TERM "$SYS_PID"
		for _ in $(seq 300); do kill -0 "$SYS_PID" 2>/dev/null || break; sleep 0.1; done
	fi
	# An mpctl that died (a sanitizer abort, a crash) leaves its children
	# running: stop those still alive from its children file, each checked to
	# be ours (its command line names this test's directory, or for mpsim
	# this test's simulator port) so that a reused pid is never hit.
	if [ -n "${SYS_PID:-}" ] && ! kill -0 "$SYS_PID" 2>/dev/null && [ -f "$SYS_DATA/run/children" ]; then
		local name pid rest
		while read -r name pid rest; do
			case $pid in '' | *[!0-9]*) continue ;; esac
			if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null |
				grep -qF -e "$T_TMP" -e "--binance-port ${SIM_B:-none} "; then
				echo "sys_teardown: mpctl is gone; stopping its $name (pid $pid)" >&2
				kill -KILL "$pid" 2>/dev/null
			fi
		done <"$SYS_DATA/run/children"
	fi
	rm -rf "/dev/shm/${SYS_PREFIX:?}"
	# keep the logs of a failed run next to the test's own log
	if [ -n "${SYS_KEEP_LOGS:-}" ] && [ -d "$SYS_DATA/log" ]; then
		mkdir -p "$MP_ROOT/build/test-logs/$SYS_KEEP_LOGS"
		cp "$SYS_DATA"/log/*.log "$SYS_LOG" "$MP_ROOT/build/test-logs/$SYS_KEEP_LOGS/" 2>/dev/null
	fi
}
trap 'sys_teardown; t_cleanup' EXIT

sys_schema_check() {
	local r
	if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
		if r=$(/usr/bin/python3 "$MP_ROOT/test/routerd/check.py" validate "$2"); then ok "$1"
		else not_ok "$1" "$r"; fi
	else
		skip "$1" "python3 jsonschema missing"
	fi
}
