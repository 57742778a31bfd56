#!/usr/bin/env bash
# bench_latency.sh - make bench: receive -> JetStream ack per stage
# (routerd/lat.h), in steady state, of the whole system under mpctl
# (mpsim, nats-server, stored, routerd, bookd, feedd x2) on this machine.
#
# Sources: "replay" = ../shared/data/binance-spot-ethusdt-20240808.cap.zst
# served by mpsim --replay (Binance ETH-USDT real traffic; OKX BTC-USDT
# simulated), "sim" = mpsim's four simulated books.  Each at 1x and 10x the
# real pace, each with routerd's path as it is ("new") and with the previous
# one ("old": [nats] send_asap = false, the client library's flusher; see
# routerd/README.md "Latency") in the same run.
# The figures are the increase of mp_router_stage_latency_seconds over a
# window that starts WARM seconds after every book synced, class "steady"
# (frames buffered during a sync are class "sync", reported by count).
# One JSON line per (source, rate, path):
#   {"bench": "recv_ack_p99_<source>_<rate>x_<path>", "value": P99_MS, "unit": "ms", "stages": {...}}
# Environment: BENCH_LAT_SOURCES (default "replay sim"), BENCH_LAT_RATES
# ("1 10"), BENCH_LAT_PATHS ("new old"), BENCH_LAT_WINDOW (seconds, default 40; 10x replay: 20, the
# recording lasts 36 s there), BENCH_LAT_WARM (10).
. "$(dirname "$0")/../lib.sh"
. "$MP_ROOT/test/mpctl/lib_system.sh"
cd "$MP_ROOT" || exit 2
PY=/usr/bin/python3
rec=$MP_ROOT/../shared/data/binance-spot-ethusdt-20240808.cap.zst
for p in mpctl mpsim feedd bookd routerd stored; do
	[ -x "$BIN/$p" ] || { echo "{\"bench\": \"recv_ack_latency\", \"error\": \"$BIN/$p not built\"}"; exit 0; }
done
command -v nats-server >/dev/null || { echo '{"bench": "recv_ack_latency", "error": "nats-server not installed"}'; exit 0; }
WARM=${BENCH_LAT_WARM:-10}
OLD_SET=(--set nats.send_asap=false)

metrics() { curl -sf -m 10 "http://127.0.0.1:$HTTP_PORT/metrics" >"$1"; }
# every configured book synced (the replay has two: Binance ETH-USDT, OKX BTC-USDT)
books_synced() {
	sys_health "
b = d['books']
assert len(b) == int(sys.argv[1]) and all(x['synced'] for x in b)" "$1"
}

one() {   # one SOURCE RATE PATH
	local src=$1 rate=$2 path=$3 nbooks=4 win=${BENCH_LAT_WINDOW:-40} name
	name="recv_ack_p99_${src}_${rate}x_${path}"
	SYS_PREFIX="mpb-$$-$RANDOM"; SYS_DATA="$T_TMP/data-$src-$rate-$path"; SYS_LOG="$T_TMP/mpctl-$src-$rate-$path.log"
	HTTP_PORT=$(free_port); NATS_PORT=$(free_port); SIM_B=$(free_port); SIM_O=$(free_port)
	SYS_SIM_EXTRA=""
	if [ "$src" = replay ]; then
		if [ ! -r "$rec" ]; then echo "{\"bench\": \"$name\", \"error\": \"$rec missing\"}"; return; fi
		SYS_SIM_EXTRA="--replay $rec --speed $rate"
		nbooks=2
		[ "$rate" -ge 10 ] && win=${BENCH_LAT_WINDOW:-20}
		sys_config 1
		printf '[instruments]\nbinance = ETH-USDT\nokx = BTC-USDT\n' >>"$CONF"
	else
		sys_config "$rate"
	fi
	SYS_SET=()
	[ "$path" = old ] && SYS_SET=("${OLD_SET[@]}")
	if ! sys_start; then
		echo "{\"bench\": \"$name\", \"error\": \"system did not start: $(tail -1 "$SYS_LOG" | tr -d '"\\')\"}"
		sys_teardown; return
	fi
	if ! wait_for 60 books_synced "$nbooks"; then
		echo "{\"bench\": \"$name\", \"error\": \"books did not sync\"}"
		sys_stop; sys_teardown; return
	fi
	sleep "$WARM"
	metrics "$T_TMP/a.prom"; sleep "$win"; metrics "$T_TMP/b.prom"
	sys_stop
	sys_teardown
	$PY "$MP_ROOT/test/routerd/lat_window.py" "$T_TMP/a.prom" "$T_TMP/b.prom" >"$T_TMP/w.json" || {
		echo "{\"bench\": \"$name\", \"error\": \"no figures\"}"; return; }
	$PY - "$T_TMP/w.json" "$name" "$src" "$rate" "$path" "$win" <<'PYEOF'
import json, sys
w = json.load(open(sys.argv[1]))
st = w.get("steady", {})
whole = st.get("whole", {})
out = {"bench": sys.argv[2], "value": whole.get("p99"), "unit": "ms", "source": sys.argv[3],
       "rate": int(sys.argv[4]), "path": sys.argv[5], "window_s": int(sys.argv[6]),
       "steady": st, "sync_class_count": w.get("sync", {}).get("whole", {}).get("count", 0),
       "snapshot": w.get("snapshot", {}), "encode": w.get("encode", {})}
print(json.dumps(out))
PYEOF
}

for src in ${BENCH_LAT_SOURCES:-replay sim}; do
	for rate in ${BENCH_LAT_RATES:-1 10}; do
		for path in ${BENCH_LAT_PATHS:-new old}; do one "$src" "$rate" "$path"; done
	done
done
