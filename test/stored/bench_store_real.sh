#!/usr/bin/env bash
# bench_store_real.sh - store bytes on the real spot recording
# (../shared/data/binance-spot-ethusdt-20240808.cap.zst), per record kind:
# the recording's depth frames (with its REST snapshot), its trades and its
# tickers each go through mpreplay --store into a store of their own (the
# records the books emit, as stored writes them), and the store's size on disk
# (mpstore list: disk_bytes) is divided by the level updates / trades /
# tickers.  Baselines in the same line: the same frames as raw JSON (the
# payloads) and as zstd (level 3, the default) of that JSON.  One JSON line
# per kind.  The depth store includes the books' periodic full and top-N
# snapshots (what the pipeline stores with the default [bookd] intervals).
: "${BIN:=bin}"
cd "${MP_ROOT:-$(dirname "$0")/../..}" || exit 2
PY=/usr/bin/python3
rec=../shared/data/binance-spot-ethusdt-20240808.cap.zst
if [ ! -r "$rec" ]; then
	echo "{\"bench\": \"store_real_bytes\", \"error\": \"$rec missing\"}"
	exit 1
fi
tmp=$(mktemp -d /tmp/mpstorebench.XXXXXX)
trap 'rm -rf "${tmp:?}"' EXIT
zstd -dc "$rec" >"$tmp/all.cap" || exit 1
for kind in depth trade ticker; do
	case $kind in
	depth) grep -E ' rest:/api/v3/depth|"depthUpdate"' "$tmp/all.cap" ;;
	trade) grep '@trade"' "$tmp/all.cap" ;;
	ticker) grep '@bookTicker"' "$tmp/all.cap" ;;
	esac >"$tmp/$kind.cap"
	# the payloads alone: what a JSON store of the frames would keep
	cut -d' ' -f4- "$tmp/$kind.cap" >"$tmp/$kind.json"
	zstd -q -3 -c "$tmp/$kind.json" >"$tmp/$kind.json.zst"
	mkdir -p "$tmp/st-$kind"
	if ! "$BIN/mpreplay" --store "$tmp/st-$kind" "$tmp/$kind.cap" >/dev/null 2>"$tmp/$kind.err"; then
		echo "{\"bench\": \"store_real_bytes_$kind\", \"error\": \"mpreplay: $(tail -1 "$tmp/$kind.err")\"}"
		continue
	fi
	"$BIN/mpstore" list --dir "$tmp/st-$kind" --json >"$tmp/$kind.list" || continue
	$PY - "$kind" "$tmp/$kind.json" "$tmp/$kind.json.zst" "$tmp/$kind.list" <<'PYEOF'
import json, os, sys
kind, js, jz, lst = sys.argv[1:5]
units = 0
for line in open(js):
    d = json.loads(line)
    d = d.get("data", d)
    if kind == "depth":
        if d.get("e") == "depthUpdate":
            units += len(d["b"]) + len(d["a"])
    else:
        units += 1
disk = raw = 0
types = {}
for line in open(lst):
    s = json.loads(line)
    if s["symbol"] == "ETH-USDT":
        disk += s["disk_bytes"]
        raw += s["raw_bytes"]
        for k, v in s["types"].items():
            types[k] = types.get(k, 0) + v
unit = {"depth": "level update", "trade": "trade", "ticker": "ticker"}[kind]
jb, zb = os.path.getsize(js), os.path.getsize(jz)
print(json.dumps({"bench": "store_real_bytes_" + kind, "value": round(disk / units, 2),
                  "unit": "store bytes/" + unit, "baseline_json": round(jb / units, 2),
                  "baseline_json_zstd3": round(zb / units, 2),
                  "vs_json_smaller_pct": round(100 * (1 - disk / jb), 1),
                  "store_bytes": disk, "records_bytes_uncompressed": raw, "json_bytes": jb,
                  "json_zstd3_bytes": zb, "units": units, "records": types}))
PYEOF
done
