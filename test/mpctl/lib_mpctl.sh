# test/mpctl/lib_mpctl.sh - shared set-up of the mpctl tests; source it after
# test/lib.sh.  Gives every test its own instance: ring prefix, data dir,
# free HTTP port, small rings, and a bin_dir in which the stand-in
# mpctl_child plays stored, routerd, bookd, feedd and mpsim.
#
#   mp_sandbox            create $SB (bin dir), $CD (child control dir), $CONF
#   mpctl ARGS...         $BIN/mpctl with the instance's options
#   mp_start [ARGS]       mpctl start in the background (foreground mode, as a
#                         child of the test, log in $MP_LOG), wait until its
#                         socket answers
#   mp_status_field P F   field F of process P from `mpctl status --json`
#   mp_wait_state P S [T] wait until process P is in state S
#   mp_events             the stand-ins' event log (start/ready/term lines)

MP_PREFIX="mpt-$$-$RANDOM"
MP_DATA="$T_TMP/d"
MP_PORT=$(free_port)
SB="$T_TMP/sbin"
CD="$T_TMP/ctl"
CONF="$T_TMP/mp.ini"
MP_EXTRA=()
export MPCHILD_DIR="$CD"

mp_cleanup_shm() { rm -rf "/dev/shm/${MP_PREFIX:?}"; }

mp_sandbox() {
	local n child
	mkdir -p "$SB" "$CD"
	child=$(cd "$(dirname "$BIN/test/mpctl_child")" && pwd)/mpctl_child
	for n in stored routerd bookd feedd mpsim; do ln -sf "$child" "$SB/$n"; done
	# Small rings: the built-in sizes (up to 512 MiB) are for production.
	{
		echo "[system]"
		echo "ring_prefix = $MP_PREFIX"
		echo "data_dir = $MP_DATA"
		for r in feed.binance feed.okx raw.binance raw.okx ctl.binance ctl.okx book.router book.store; do
			printf '[ring.%s]\ncapacity = 1MiB\n' "$r"
		done
		echo "[mpctl]"
		echo "bin_dir = $SB"
		echo "http_port = $MP_PORT"
		echo "nats_embedded = false"
		echo "metrics_interval = 200ms"
		echo "backoff_reset = 60s"
		echo "disk_probe_size = 4MiB"   # the built-in 64 MiB is for real disks, not a shared test machine
	} >"$CONF"
	mp_synced_books >"$CD/bookd.metrics"
}

mpctl() { "$BIN/mpctl" -c "$CONF" "${MP_EXTRA[@]}" "$@"; }

MP_LOG="$T_TMP/mpctl.log"
mp_start() {
	"$BIN/mpctl" -c "$CONF" "${MP_EXTRA[@]}" "$@" start 2>>"$MP_LOG" &
	MP_PID=$!
	T_PIDS+=("$MP_PID")
	wait_for 20 mpctl status
}

# mp_status_field PROCESS FIELD
mp_status_field() {
	mpctl status --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
for p in d["processes"]:
    if p["name"] == sys.argv[1]:
        v = p.get(sys.argv[2])
        print("" if v is None else v)
' "$1" "$2"
}

mp_is_state() { [ "$(mp_status_field "$1" state)" = "$2" ]; }
# mp_restarted P N OLDPID: P has N restarts, a pid other than OLDPID, and is ready
mp_restarted() {
	[ "$(mp_status_field "$1" restarts)" = "$2" ] && [ "$(mp_status_field "$1" pid)" != "$3" ] &&
		[ "$(mp_status_field "$1" state)" = ready ]
}
# mp_health_check PYTHON: run PYTHON with d = the /health JSON; true if it does not raise
mp_health_check() {
	curl -sf "http://127.0.0.1:$MP_PORT/health" | python3 -c "import json, sys
d = json.load(sys.stdin)
$1"
}
# Metrics of a synced book for the stand-in bookd (so /health can be "ok").
mp_synced_books() {
	local ex sym
	for ex in binance okx; do for sym in BTC-USDT ETH-USDT; do
		echo "gauge mp_book_synced exchange=\"$ex\",symbol=\"$sym\" 1"
		echo "gauge mp_book_levels exchange=\"$ex\",symbol=\"$sym\",side=\"bid\" 5000"
		echo "gauge mp_book_levels exchange=\"$ex\",symbol=\"$sym\",side=\"ask\" 4900"
		echo "gauge mp_book_depth_target_levels exchange=\"$ex\",symbol=\"$sym\" 5000"
	done; done
}
mp_wait_state() { wait_for "${3:-20}" mp_is_state "$1" "$2"; }
mp_all_ready() {
	mpctl status --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d["instance"]["state"] == "running" and all(p["state"] == "ready" for p in d["processes"]) else 1)'
}
mp_events() { cat "$CD/events" 2>/dev/null; }

# Stop the instance if a test left it running, then remove its rings.
mp_teardown() {
	if [ -n "${MP_PID:-}" ] && kill -0 "$MP_PID" 2>/dev/null; then
		kill -TERM "$MP_PID" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$MP_PID" 2>/dev/null || break; sleep 0.1; done
	fi
	mp_cleanup_shm
}
trap 'mp_teardown; t_cleanup' EXIT
