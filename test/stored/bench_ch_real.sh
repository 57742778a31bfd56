#!/usr/bin/env bash
# bench_ch_real.sh - ClickHouse bytes per level update on real data: the real
# spot recording (../shared/data/binance-spot-ethusdt-20240808.cap.zst) goes
# through mpreplay into a local store, and stored's ClickHouse sink ships that
# store (the same code path as live) to a ClickHouse 26.7 engine
# (test/stored/chdb_http on a free loopback port, own data dir).  After
# OPTIMIZE FINAL (one wide part per table), the on-disk compressed bytes of the
# orderbook tables (system.columns) per depth level update, with the
# schema's codecs; then in the same run, as the comparison, the same rows
# re-coded with the codecs of the previous schema (B8_OLD below, ALTER
# ... MODIFY COLUMN + OPTIMIZE FINAL).  JSON lines, bench style.
set -u
cd "$(dirname "$0")/../.." || exit 2
: "${BIN:=bin}"
T=$(mktemp -d /tmp/mpbench.XXXXXX)
PIDS=()
PFX="mpb-chr-$$"
trap 'for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done; sleep 0.5; rm -rf "${T:?}" "/dev/shm/${PFX:?}"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rec=../shared/data/binance-spot-ethusdt-20240808.cap.zst
CHDB_LIB=${MP_CHDB_DIR:-/var/cache/marketprism/chdb}/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so
err() { echo "{\"bench\": \"clickhouse_real_bytes\", \"error\": \"$1\"}"; exit 0; }
[ -r "$rec" ] || err "$rec missing"
[ -s "$CHDB_LIB" ] && [ -x "$BIN/test/chdb_http" ] || err "libchdb not installed (run test/stored/clickhouse.sh once)"

mkdir -p "$T/store"
zstd -dc "$rec" | "$BIN/mpreplay" --store "$T/store" - >"$T/replay.json" 2>"$T/replay.err" || err "mpreplay failed"
P=$(port)
"$BIN/test/chdb_http" --lib "$CHDB_LIB" --path "$T/ch" --port "$P" 2>"$T/ch.log" &
PIDS+=($!)
q() { curl -sS --max-time 120 "http://127.0.0.1:$P/" --data-binary "$1"; }
for _ in $(seq 1 600); do q "SELECT 1" >/dev/null 2>&1 && break; sleep 0.1; done
cat >"$T/c.ini" <<EOC
[system]
ring_prefix = $PFX
data_dir = $T
[stored]
dir = $T/store
[ring.book.store]
capacity = 16MiB
[ring.raw.binance]
capacity = 1MiB
[ring.raw.okx]
capacity = 1MiB
[clickhouse]
url = http://127.0.0.1:$P
batch_interval = 200ms
EOC
want=$("$BIN/mpstore" print --dir "$T/store" --types delta --levels 0 | wc -l)
"$BIN/stored" -c "$T/c.ini" 2>"$T/stored.log" &
PIDS+=($!)
for _ in $(seq 1 1200); do
	[ "$(q "SELECT count() FROM marketprism.orderbook_deltas" 2>/dev/null)" = "$want" ] && break; sleep 0.25
done
[ "$(q "SELECT count() FROM marketprism.orderbook_deltas")" = "$want" ] || err "ClickHouse has $(q "SELECT count() FROM marketprism.orderbook_deltas") of $want deltas"

measure() {   # measure LABEL: one JSON object per table and the total
	q "OPTIMIZE TABLE marketprism.orderbook_deltas FINAL" && q "OPTIMIZE TABLE marketprism.orderbook_full_depth FINAL" || return 1
	q "SELECT table, name, data_compressed_bytes FROM system.columns WHERE database = 'marketprism' AND table IN ('orderbook_deltas', 'orderbook_full_depth') FORMAT JSONEachRow" >"$T/cols.$1"
}
# wide parts: a compact part (the default below 10 MB) keeps no per-column sizes
for t in orderbook_deltas orderbook_full_depth; do
	q "ALTER TABLE marketprism.$t MODIFY SETTING min_bytes_for_wide_part = 0, min_rows_for_wide_part = 0" >/dev/null ||
	    err "ALTER $t SETTING failed"
done
measure new || err "OPTIMIZE failed"
lvl=$(q "SELECT sum(length(bid_px) + length(ask_px)) FROM marketprism.orderbook_deltas")
# the previous schema's codecs (before 2026-12), applied to the same rows
B8_OLD=(
	"orderbook_deltas bid_px Array(Decimal64(8)) CODEC(ZSTD(3))"
	"orderbook_deltas ask_px Array(Decimal64(8)) CODEC(ZSTD(3))"
	"orderbook_deltas bid_qty Array(Decimal64(8)) CODEC(ZSTD(3))"
	"orderbook_deltas ask_qty Array(Decimal64(8)) CODEC(ZSTD(3))"
	"orderbook_deltas feed_time DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1))"
	"orderbook_deltas book_time DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1))"
	"orderbook_deltas store_time DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1))"
	"orderbook_deltas recv_time DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1))"
	"orderbook_deltas best_bid_px Decimal64(8) CODEC(ZSTD(1))"
	"orderbook_deltas best_ask_px Decimal64(8) CODEC(ZSTD(1))"
	"orderbook_deltas best_bid_qty Decimal64(8) CODEC(ZSTD(1))"
	"orderbook_deltas best_ask_qty Decimal64(8) CODEC(ZSTD(1))"
	"orderbook_full_depth bids_full String CODEC(ZSTD(3))"
	"orderbook_full_depth asks_full String CODEC(ZSTD(3))"
)
# B8_ALT=FILE: try other codecs instead (lines "table column type"), to choose them
[ -n "${B8_ALT:-}" ] && mapfile -t B8_OLD <"$B8_ALT"
for a in "${B8_OLD[@]}"; do
	read -r t c ty <<<"$a"
	q "ALTER TABLE marketprism.$t MODIFY COLUMN $c $ty" >/dev/null || err "ALTER $t $c failed"
done
measure old || err "OPTIMIZE failed"
python3 - "$T/cols.new" "$T/cols.old" "$lvl" "$want" <<'EOF2'
import json, sys
new, old = ({}, {})
for path, d in ((sys.argv[1], new), (sys.argv[2], old)):
    for l in open(path):
        r = json.loads(l)
        d[(r["table"], r["name"])] = int(r["data_compressed_bytes"])
lvl, rows = int(sys.argv[3]), int(sys.argv[4])
base = {"recording": "binance-spot-ethusdt-20240808", "level_updates": lvl, "delta_rows": rows,
        "engine": "ClickHouse 26.7 (chdb)", "unit": "B/level update"}
for t in ("orderbook_deltas", "orderbook_full_depth", None):
    n = sum(v for k, v in new.items() if t is None or k[0] == t)
    o = sum(v for k, v in old.items() if t is None or k[0] == t)
    print(json.dumps(dict({"bench": "clickhouse_real_bytes_" + (t or "orderbook_total"), "value": round(n / lvl, 3),
          "baseline": round(o / lvl, 3), "baseline_is": "the codecs before 2026-12 on the same rows", "bytes": n,
          "baseline_bytes": o}, **base)))
cols = sorted(new, key=lambda k: -new[k])[:12]
print(json.dumps({"bench": "clickhouse_real_bytes_columns", "value": None, "unit": "B/level update",
      "columns": {"%s.%s" % k: [round(new[k] / lvl, 3), round(old.get(k, 0) / lvl, 3)] for k in cols}}))
EOF2
