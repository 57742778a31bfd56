#!/usr/bin/env bash
# tools/mlpy/example.sh - `make ml-example`: from a demo run to a trained model,
# end to end on a private instance (own ring prefix, data directory and free
# loopback ports; nothing of a running demo or live instance is touched):
#   1. the whole pipeline (mpsim -> feedd -> bookd -> stored, under mpctl) for
#      ML_SECONDS (default 60) of a market ML_RATE (default 5) times real pace;
#   2. mpexport of Binance BTC-USDT from the store (DeepLOB rows, TLOB horizons and labels,
#      a 0.7/0.15/0.15 chronological split, LOBSTER files);
#   3. tools/mlpy/train_deeplob.py on the export.
# The last line is the training example's:
#   trained: <n> windows, accuracy <a>, majority baseline <b>
# The run is kept in ML_DIR (default build/ml-example).
set -eu
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
	sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
	echo "Environment: ML_SECONDS ML_RATE ML_DIR ML_THRESHOLD_BPS ML_EPOCHS ML_TRAIN_ARGS BIN"
	exit 0
fi
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
PY=/usr/bin/python3
SECS=${ML_SECONDS:-60}
RATE=${ML_RATE:-5}
DIR=${ML_DIR:-build/ml-example}

"$PY" -c 'import numpy, torch' 2>/dev/null || { echo "ml-example: $PY needs numpy and torch (make deps)" >&2; exit 1; }
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
case "$DIR" in ""|/|.|..) echo "ml-example: bad ML_DIR" >&2; exit 2 ;; esac
# only ever remove a directory an earlier run made (it holds ml.ini)
if [ -e "$DIR" ] && [ ! -e "$DIR/ml.ini" ]; then
	echo "ml-example: $DIR exists and is not an earlier ml-example run; choose another ML_DIR" >&2
	exit 2
fi
rm -rf -- "$DIR"
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
CONF="$DIR/ml.ini"
HTTP=$(free_port); NATS=$(free_port); SB=$(free_port); SO=$(free_port)
cat >"$CONF" <<EOC
[system]
ring_prefix = mpml-$$
data_dir = $DIR/data
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
[bookd]
full_interval = 10s
[nats]
url = nats://127.0.0.1:$NATS
[mpctl]
http_port = $HTTP
sim = true
sim_args = --binance-port $SB --okx-port $SO --rate $RATE
[feedd.binance]
ws_url = ws://127.0.0.1:$SB
rest_url = http://127.0.0.1:$SB
[feedd.okx]
ws_url = ws://127.0.0.1:$SO
rest_url = http://127.0.0.1:$SO
EOC

health_synced() {
	local h
	h=$(curl -sf "http://127.0.0.1:$HTTP/health" 2>/dev/null) || return 1
	printf '%s' "$h" | "$PY" -c '
import json, sys
b = [x for x in json.load(sys.stdin)["books"] if x["exchange"] == "binance" and x["symbol"] == "BTC-USDT"]
sys.exit(0 if b and b[0]["synced"] else 1)'
}

echo "ml-example: 1/3 pipeline against mpsim (rate $RATE) for ${SECS}s, data in $DIR/data" >&2
"$BIN/mpctl" -c "$CONF" start >"$DIR/mpctl.log" 2>&1 &
PID=$!
stop() {
	"$BIN/mpctl" -c "$CONF" stop >/dev/null 2>&1 || true
	for _ in $(seq 600); do kill -0 "$PID" 2>/dev/null || return 0; sleep 0.1; done
	kill -TERM "$PID" 2>/dev/null || true
}
trap stop EXIT
ok=0
for _ in $(seq 1200); do
	if health_synced; then ok=1; break; fi
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.1
done
[ $ok = 1 ] || { echo "ml-example: the Binance BTC-USDT book did not sync (see $DIR/mpctl.log)" >&2; exit 1; }
START=$(date +%s%N)
sleep "$SECS"                     # the length of the recorded run, not a wait for a condition
END=$(date +%s%N)
stop
trap - EXIT

echo "ml-example: 2/3 mpexport -> $DIR/export" >&2
"$BIN/mpexport" -c "$CONF" --quiet --exchange binance --symbol BTC-USDT --from "$START" --to "$END" \
	--out "$DIR/export" --horizons tlob --smooth 5 --threshold-bps "${ML_THRESHOLD_BPS:-0.2}" --split 0.7,0.15,0.15 \
	--what deeplob,features,labels,lobster 2>"$DIR/mpexport.log" || { tail -3 "$DIR/mpexport.log" >&2; exit 1; }

echo "ml-example: 3/3 train_deeplob.py" >&2
exec "$PY" tools/mlpy/train_deeplob.py "$DIR/export" --epochs "${ML_EPOCHS:-4}" ${ML_TRAIN_ARGS:-}
