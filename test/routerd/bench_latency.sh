#!/usr/bin/env bash
# bench_latency.sh - make bench: receive -> JetStream ack per stage
# (routerd/lat.h), in steady state, of the whole system under mpctl
# (mpsim, nats-server, stored, routerd, bookd, feedd x2) on this machine.
#
# Sources: "replay" = ../shared/data/binance-spot-ethusdt-20240808.cap.zst
# served by mpsim --replay (Binance ETH-USDT real traffic; OKX BTC-USDT
# simulated), "sim" = mpsim's four simulated books.  Each at 1x and 10x the
# real pace, each with three write paths (routerd/README.md "Latency"):
# "flusher" ([nats] send_asap = false, flush_on_drain = false: the client
# library's flusher thread gathers writes for about 1 ms, the path before
# issue 12, the default and the baseline), "drain" (flush_on_drain = true:
# a drained batch is written at once, routerd/kick.h) and "send_asap"
# (send_asap = true: every publish written at once), in
# alternating runs of the same bench (the
# machine is shared: rounds alternate the order, and the windows of a setup's
# rounds are pooled).  The figures are the increase of
# mp_router_stage_latency_seconds over windows that start WARM seconds after
# every book synced, class "steady" (frames buffered during a sync are class
# "sync", reported by count).  "sched": per process, its CPU share and how
# long it waited runnable for a CPU per time it ran (/proc schedstat), to
# tell a stage's own work from waiting for the machine.
# One JSON line per (source, rate, path):
#   {"bench": "recv_ack_p99_<source>_<rate>x_<path>", "value": P99_MS, "unit": "ms", "steady": {...}, ...}
# Environment: BENCH_LAT_SOURCES (default "replay sim"), BENCH_LAT_RATES
# ("1 10"), BENCH_LAT_PATHS ("flusher drain send_asap"), BENCH_LAT_ROUNDS (2),
# BENCH_LAT_WINDOW (seconds, default 30; 10x replay: 15, the recording
# lasts 36 s there), BENCH_LAT_WARM (8), BENCH_LAT_BASE_BIN (a directory
# with another build's programs, e.g. a copy of main's bin/: every path then
# also runs as "<path>_base" with those, alternating with this build's in the
# same rounds, so a change is measured against a same-run baseline).
. "$(dirname "$0")/../lib.sh"
. "$MP_ROOT/test/mpctl/lib_system.sh"
cd "$MP_ROOT" || exit 2
PY=/usr/bin/python3
rec=$MP_ROOT/../shared/data/binance-spot-ethusdt-20240808.cap.zst
for p in mpctl mpsim feedd bookd routerd stored; do
	[ -x "$BIN/$p" ] || { echo "{\"bench\": \"recv_ack_latency\", \"error\": \"$BIN/$p not built\"}"; exit 0; }
done
command -v nats-server >/dev/null || { echo '{"bench": "recv_ack_latency", "error": "nats-server not installed"}'; exit 0; }
WARM=${BENCH_LAT_WARM:-8}
ROUNDS=${BENCH_LAT_ROUNDS:-2}

metrics() { curl -sf -m 10 "http://127.0.0.1:$HTTP_PORT/metrics" >"$1"; }
# sched FILE: per supervised process (all its threads) the CPU time, the time
# spent runnable but waiting for a CPU, and the number of times it ran
sched() {
	mpctl status --json 2>/dev/null | $PY -c '
import glob, json, sys
out = {}
for p in json.load(sys.stdin)["processes"]:
    if not p.get("pid"):
        continue
    cpu = delay = runs = 0
    for f in glob.glob("/proc/%d/task/*/schedstat" % p["pid"]):
        try:
            a, b, c = map(int, open(f).read().split())
        except (OSError, ValueError):
            continue
        cpu += a; delay += b; runs += c
    out[p["name"]] = [cpu, delay, runs]
json.dump(out, sys.stdout)' >"$1"
}
# every configured book synced (the replay has two: Binance ETH-USDT, OKX BTC-USDT)
books_synced() {
	sys_health "
b = d['books']
assert len(b) == int(sys.argv[1]) and all(x['synced'] for x in b)" "$1"
}
window_of() { if [ "$1" = replay ] && [ "$2" -ge 10 ]; then echo "${BENCH_LAT_WINDOW:-15}"; else echo "${BENCH_LAT_WINDOW:-30}"; fi; }

# run SOURCE RATE PATH ROUND: one system, one window -> $T_TMP/<key>.r<ROUND>.{a,b}.{prom,sched}, load
run() {
	local src=$1 rate=$2 path=$3 key="$1-$2-$3" out nbooks=4 win BIN=$BIN
	out="$T_TMP/$key.r$4"
	# "<path>_base": the same setup with the baseline build (sys_start runs $BIN)
	case $path in *_base) BIN=$BENCH_LAT_BASE_BIN; path=${path%_base} ;; esac
	win=$(window_of "$src" "$rate")
	SYS_PREFIX="mpb-$$-$RANDOM"; SYS_DATA="$T_TMP/data-$key"; SYS_LOG="$T_TMP/mpctl-$key.log"
	rm -rf "$SYS_DATA"
	HTTP_PORT=$(free_port); NATS_PORT=$(free_port); SIM_B=$(free_port); SIM_O=$(free_port)
	SYS_SIM_EXTRA=""
	if [ "$src" = replay ]; then
		[ -r "$rec" ] || { echo "$rec missing" >"$out.err"; return; }
		SYS_SIM_EXTRA="--replay $rec --speed $rate"
		nbooks=2
		sys_config 1
		printf '[instruments]\nbinance = ETH-USDT\nokx = BTC-USDT\n' >>"$CONF"
	else
		sys_config "$rate"
	fi
	case $path in
	flusher) SYS_SET=(--set nats.send_asap=false --set nats.flush_on_drain=false) ;;
	drain) SYS_SET=(--set nats.send_asap=false --set nats.flush_on_drain=true) ;;
	send_asap) SYS_SET=(--set nats.send_asap=true) ;;
	*) echo "unknown path $path" >"$out.err"; return ;;
	esac
	if ! sys_start; then
		echo "system did not start: $(tail -1 "$SYS_LOG" | tr -d '"\\')" >"$out.err"; sys_teardown; return
	fi
	if ! wait_for 60 books_synced "$nbooks"; then
		echo "books did not sync" >"$out.err"; sys_stop; sys_teardown; return
	fi
	sleep "$WARM"
	metrics "$out.a.prom"; sched "$out.a.sched"
	sleep "$win"
	metrics "$out.b.prom"; sched "$out.b.sched"
	cut -d' ' -f1 /proc/loadavg >"$out.load"
	sys_stop
	sys_teardown
}

# report SOURCE RATE PATH: the rounds' windows pooled, one JSON line
report() {
	local src=$1 rate=$2 path=$3 key="$1-$2-$3" name files=() r
	name="recv_ack_p99_${src}_${rate}x_${path}"
	for ((r = 1; r <= ROUNDS; r++)); do
		[ -s "$T_TMP/$key.r$r.b.prom" ] && files+=("$T_TMP/$key.r$r.a.prom" "$T_TMP/$key.r$r.b.prom")
	done
	if [ ${#files[@]} = 0 ]; then
		echo "{\"bench\": \"$name\", \"error\": \"$(cat "$T_TMP/$key".r*.err 2>/dev/null | head -1)\"}"; return
	fi
	$PY "$MP_ROOT/test/routerd/lat_window.py" "${files[@]}" >"$T_TMP/w.json" || {
		echo "{\"bench\": \"$name\", \"error\": \"no figures\"}"; return; }
	$PY - "$T_TMP/w.json" "$name" "$src" "$rate" "$path" "$(window_of "$src" "$rate")" "$T_TMP/$key" "$ROUNDS" <<'PYEOF'
import json, os, sys
w = json.load(open(sys.argv[1]))
key, rounds, win = sys.argv[7], int(sys.argv[8]), float(sys.argv[6])
sched, loads, n = {}, [], 0
for r in range(1, rounds + 1):
    f = "%s.r%d" % (key, r)
    if not os.path.exists(f + ".b.sched"):
        continue
    n += 1
    loads.append(float(open(f + ".load").read()))
    sa, sb = json.load(open(f + ".a.sched")), json.load(open(f + ".b.sched"))
    for k in sb:
        if k in sa:
            t = sched.setdefault(k, [0, 0, 0])
            for i in range(3):
                t[i] += sb[k][i] - sa[k][i]
sched = {k: {"cpu_pct": round(v[0] / 1e7 / (win * n), 2),
             "runqueue_wait_us_per_run": round(v[1] / 1e3 / v[2], 1) if v[2] > 0 else None}
         for k, v in sched.items()}
st = w.get("steady", {})
print(json.dumps({"bench": sys.argv[2], "value": st.get("whole", {}).get("p99"), "unit": "ms",
                  "source": sys.argv[3], "rate": int(sys.argv[4]), "path": sys.argv[5], "windows": n,
                  "window_s": win, "steady": st, "sync_class_count": w.get("sync", {}).get("whole", {}).get("count", 0),
                  "snapshot": w.get("snapshot", {}), "encode": w.get("encode", {}),
                  "bookd_loop": w.get("bookd_loop", {}), "bookd_loop_cpu": w.get("bookd_loop_cpu", {}), "sched": sched,
                  "loadavg_1m": loads}))
PYEOF
}

PATHS=()
for p in ${BENCH_LAT_PATHS:-flusher drain send_asap}; do
	PATHS+=("$p")
	[ -n "${BENCH_LAT_BASE_BIN:-}" ] && PATHS+=("${p}_base")
done
for src in ${BENCH_LAT_SOURCES:-replay sim}; do
	for rate in ${BENCH_LAT_RATES:-1 10}; do
		for ((round = 1; round <= ROUNDS; round++)); do
			# alternate the order, so neither path always runs first
			if ((round % 2)); then order=("${PATHS[@]}"); else order=(); for ((i = ${#PATHS[@]} - 1; i >= 0; i--)); do order+=("${PATHS[i]}"); done; fi
			for path in "${order[@]}"; do run "$src" "$rate" "$path" "$round"; done
		done
		for path in "${PATHS[@]}"; do report "$src" "$rate" "$path"; done
	done
done
