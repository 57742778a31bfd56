# test/feedd/feedd_lib.sh - helpers for feedd's tests against mpsim; source
# after test/lib.sh.  One simulator, one feedd and one feedd_peer (the bookd
# stand-in: it counts what arrives on feed.<exchange> and sends ctl requests
# written to a FIFO) per script, with a private ring prefix.
F_PREFIX="feeddtest-$$"
F_STATS="$T_TMP/peer.json"
F_FIFO="$T_TMP/cmd.fifo"
F_CONF="$T_TMP/conf.ini"
F_CAP="$T_TMP/capture.txt"
F_LOG="$T_TMP/feedd.log"

f_cleanup() {
	[ -n "${F_FEEDD_PID:-}" ] && kill -TERM "$F_FEEDD_PID" 2>/dev/null
	t_cleanup
	rm -rf "/dev/shm/${F_PREFIX:?}"
}
trap f_cleanup EXIT

# sim_start ARGS...: mpsim ($MPSIM, default $BIN/mpsim) on free ports; sets SIM_BN SIM_OKX SIM_PID.
sim_start() {
	: >"$T_TMP/sim.out"
	bg "${MPSIM:-$BIN/mpsim}" "$@" >"$T_TMP/sim.out" 2>>"$T_TMP/sim.err"
	SIM_PID=$T_LASTPID
	wait_for 10 grep -q 'mpsim ready' "$T_TMP/sim.out" || return 1
	SIM_BN=$(sed -n 's/.*binance=\([0-9]*\).*/\1/p' "$T_TMP/sim.out")
	SIM_OKX=$(sed -n 's/.*okx=\([0-9]*\).*/\1/p' "$T_TMP/sim.out")
}

# sim_port VENUE
sim_port() { if [ "$1" = binance ]; then echo "$SIM_BN"; else echo "$SIM_OKX"; fi; }

# sim_stat VENUE KEY: one counter of GET /_sim/stats
sim_stat() {
	curl -s "http://127.0.0.1:$(sim_port "$1")/_sim/stats" |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]].get(sys.argv[2], 0))' "$1" "$2"
}

# fault VENUE KIND [extra query]
fault() {
	curl -s -X POST "http://127.0.0.1:$(sim_port "$1")/_sim/fault?kind=$2&venue=$1${3:+&$3}" >/dev/null
}

# feedd_start EXCHANGE [--set ...]: feedd (logs in $F_LOG) and the peer.
feedd_start() {
	local ex=$1 port
	shift
	port=$(sim_port "$ex")
	cat >"$F_CONF" <<EOF
[system]
ring_prefix = $F_PREFIX
[feedd.$ex]
ws_url = ws://127.0.0.1:$port
rest_url = http://127.0.0.1:$port
capture_file = $F_CAP
EOF
	rm -f "$F_FIFO"
	mkfifo "$F_FIFO"
	"$BIN/feedd" -c "$F_CONF" --exchange "$ex" "$@" 2>>"$F_LOG" &
	F_FEEDD_PID=$!
	T_PIDS+=("$F_FEEDD_PID")
	bg "$BIN/test/feedd_peer" -c "$F_CONF" --exchange "$ex" --stats "$F_STATS" --cmd "$F_FIFO" --raw \
	    2>>"$T_TMP/peer.err"
	wait_for 10 test -s "$F_STATS"
}

# st KEY: one counter of the peer
st() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], 0))' "$F_STATS" "$1" 2>/dev/null ||
	    echo 0
}
# st_ge KEY N: the peer's counter is at least N
st_ge() { [ "$(st "$1")" -ge "$2" ]; }
# wait_st KEY N [SECONDS]
wait_st() { wait_for "${3:-15}" st_ge "$1" "$2"; }
# cmd LINE: a command for the peer (see feedd_peer.c)
cmd() { echo "$*" >"$F_FIFO"; }
# alive: feedd still runs
alive() { kill -0 "$F_FEEDD_PID" 2>/dev/null; }
