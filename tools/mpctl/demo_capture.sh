#!/usr/bin/env bash
# tools/mpctl/demo_capture.sh - a capture of the demo (conf/demo.ini against
# mpsim) showing deep-book truth (issue 10) for the four books: it starts the
# demo as a private instance (free ports, its own ring prefix and data dir, so
# it runs beside `make demo` or tests), waits until every book is synced and
# each audit has a figure (Binance: a deep refresh spliced; OKX: books5
# agreements and a books-full merge, deep_as_of), then saves
#   OUT/health.json   the /health document
#   OUT/page.png      a screenshot of the live page (headless Chromium, if installed)
#   OUT/figures.txt   the per-book figures it prints
# and stops the instance.
#
#   tools/mpctl/demo_capture.sh [--out DIR] [--wait SECONDS] [--window WxH] [--set SECTION.KEY=VALUE ...]
#
# --out defaults to build/demo-capture; --wait (default 180) bounds the wait
# for the figures (the first Binance refresh comes one deep_refresh_interval,
# 60 s +-10 %, after sync); --window is the browser's size (default 2400x560:
# the header, processes and books tables); --set is passed on to mpctl.
set -u
cd "$(dirname "$0")/../.." || exit 2
BIN=${BIN:-bin}
OUT=build/demo-capture
WAIT=180
WINDOW=2400x560
SETS=()
while [ $# -gt 0 ]; do
	case $1 in
	--out) OUT=$2; shift 2 ;;
	--wait) WAIT=$2; shift 2 ;;
	--window) WINDOW=$2; shift 2 ;;
	--set) SETS+=(--set "$2"); shift 2 ;;
	-h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo_capture: unknown argument $1 (--help)" >&2; exit 2 ;;
	esac
done
for p in mpctl mpsim feedd bookd routerd stored; do
	[ -x "$BIN/$p" ] || { echo "demo_capture: $BIN/$p not built (make)" >&2; exit 2; }
done
command -v nats-server >/dev/null || { echo "demo_capture: nats-server not installed (make deps)" >&2; exit 2; }
mkdir -p "$OUT" || exit 2

free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
HTTP=$(free_port) NATS=$(free_port) SB=$(free_port) SO=$(free_port)
PREFIX="mp-cap-$$"
DATA=$(mktemp -d "${TMPDIR:-/tmp}/mp-demo-capture.XXXXXX") || exit 2
MPCTL=("$BIN/mpctl" -c conf/demo.ini --set "system.ring_prefix=$PREFIX" --set "system.data_dir=$DATA"
	--set "mpctl.http_port=$HTTP" --set "nats.url=nats://127.0.0.1:$NATS"
	--set "mpctl.sim_args=--binance-port $SB --okx-port $SO --seed 1"
	--set "feedd.binance.ws_url=ws://127.0.0.1:$SB" --set "feedd.binance.rest_url=http://127.0.0.1:$SB"
	--set "feedd.okx.ws_url=ws://127.0.0.1:$SO" --set "feedd.okx.rest_url=http://127.0.0.1:$SO" "${SETS[@]}")

PID=
cleanup() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		"${MPCTL[@]}" stop >/dev/null 2>&1
		for _ in $(seq 600); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
		kill -TERM "$PID" 2>/dev/null
	fi
	rm -rf "/dev/shm/${PREFIX:?}" "${DATA:?}"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "demo_capture: conf/demo.ini against mpsim, page on http://127.0.0.1:$HTTP/, output in $OUT" >&2
"${MPCTL[@]}" start >"$OUT/mpctl.log" 2>&1 &
PID=$!

# ready: every book synced and each audit with a figure
ready='
b = d["books"]
assert len(b) == 4 and all(x["synced"] for x in b)
for x in b:
    if x["exchange"] == "binance":
        assert x.get("refreshes", 0) >= 1
    else:
        assert x["top5"]["agree"] > 0 and x.get("deep_as_of")'
t0=$(date +%s)
until curl -sf -m 5 "http://127.0.0.1:$HTTP/health" >"$OUT/health.json" 2>/dev/null &&
	/usr/bin/python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
$ready" "$OUT/health.json" 2>/dev/null; do
	if ! kill -0 "$PID" 2>/dev/null; then echo "demo_capture: mpctl exited (see $OUT/mpctl.log)" >&2; exit 1; fi
	if [ $(($(date +%s) - t0)) -ge "$WAIT" ]; then
		echo "demo_capture: the figures did not all appear within $WAIT s (last /health in $OUT/health.json)" >&2
		exit 1
	fi
	sleep 2   # polling a live system for a human's capture, not a test's synchronisation
done

CHROME=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -n "$CHROME" ]; then
	timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$DATA/chrome" --window-size="${WINDOW/x/,}" --virtual-time-budget=6000 \
		--screenshot="$OUT/page.png" "http://127.0.0.1:$HTTP/" >/dev/null 2>>"$OUT/mpctl.log" ||
		echo "demo_capture: no screenshot (chromium failed, see $OUT/mpctl.log)" >&2
else
	echo "demo_capture: chromium not installed: no page.png" >&2
fi

# the figures of the moment the page shows (it polls /health once a second)
curl -sf -m 5 "http://127.0.0.1:$HTTP/health" >"$OUT/health.json.new" && mv "$OUT/health.json.new" "$OUT/health.json"
/usr/bin/python3 - "$OUT/health.json" <<'EOF' | tee "$OUT/figures.txt"
import json, sys
d = json.load(open(sys.argv[1]))
print("demo capture at %s (status %s)" % (d["time"], d["status"]))
print("| book | levels bid / ask | exact bid / ask | as-of bid / ask | deep_as_of | depth exact / known | audits |")
print("|---|---|---|---|---|---|---|")
for b in d["books"]:
    e, a, lv = b["exact_levels"], b["asof_levels"], b["levels"]
    if b["exchange"] == "binance":
        audit = "refreshes %d, discrepancies %d; bookTicker %d agree, %d disagree" % (
            b["refreshes"], b["refresh_discrepancies"], b["bbo"]["agree"], b["bbo"]["disagree"])
    else:
        t, w = b["top5"], b["window"]
        audit = "books5 %d agree, %d disagree, %d not comparable; REST window %d agree, %d discrepancies, %d n/c" % (
            t["agree"], t["disagree"], t["not_comparable"], w["agree"], w["discrepancies"], w["not_comparable"])
    print("| %s %s | %d / %d | %d / %d | %d / %d | %s | %.1f %% / %.1f %% | %s |" % (
        b["exchange"], b["symbol"], lv["bid"], lv["ask"], e["bid"], e["ask"], a["bid"], a["ask"],
        b["deep_as_of"] or "-", 100 * b["depth_completeness"], 100 * b["depth_known"], audit))
c = {x["name"]: x for x in d["criteria"]}["depth_completeness"]
print("criterion depth_completeness (known depth, worst book): %.1f %% %s 95 %%: pass=%s" % (
    100 * c["value"], c["op"], c["pass"]))
EOF
