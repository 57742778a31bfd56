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
# Each kind is stored again in the same run: with codec 4 (--store-codec 4,
# issue 12's first step: baseline_codec4), with the codec before issue 12
# (--store-codec 3: baseline_old_codec), and all with a commit every 5 s of
# recorded time as stored's default commit_interval makes blocks
# (live_5s_blocks; the first form is one block per 8 MiB, the best case).
# The CPU of the codecs on the same blocks (bench_codec: encode + zstd as
# stored writes, zstd + decode as readers read, best of 5) is in ns per unit
# (codec 4 is timed twice, beside 5 and beside 3: read the spread as noise).
: "${BIN:=bin}"
cd "${MP_ROOT:-$(dirname "$0")/../..}" || exit 2
PY=/usr/bin/python3
# REC=../shared/data/binance-usdm-ethusdt-20240808.cap.zst measures the USD-M recording
rec=${REC:-../shared/data/binance-spot-ethusdt-20240808.cap.zst}
if [ ! -r "$rec" ]; then
	echo "{\"bench\": \"store_real_bytes\", \"error\": \"$rec missing\"}"
	exit 1
fi
tmp=$(mktemp -d /tmp/mpstorebench.XXXXXX)
trap 'rm -rf "${tmp:?}"' EXIT
zstd -dc "$rec" >"$tmp/all.cap" || exit 1
for kind in depth trade ticker; do
	case $kind in
	depth) grep -E ' rest:/(api/v3|fapi/v1)/depth|"depthUpdate"' "$tmp/all.cap" ;;
	trade) grep '@trade"' "$tmp/all.cap" ;;
	ticker) grep '@bookTicker"' "$tmp/all.cap" ;;
	esac >"$tmp/$kind.cap"
	# the payloads alone: what a JSON store of the frames would keep
	cut -d' ' -f4- "$tmp/$kind.cap" >"$tmp/$kind.json"
	zstd -q -3 -c "$tmp/$kind.json" >"$tmp/$kind.json.zst"
	ok=1
	for v in new c4 old new5 c45 old5; do
		case $v in
		new) opt=() ;; c4) opt=(--store-codec 4) ;; old) opt=(--store-codec 3) ;;
		new5) opt=(--store-commit 5) ;; c45) opt=(--store-codec 4 --store-commit 5) ;;
		old5) opt=(--store-codec 3 --store-commit 5) ;;
		esac
		mkdir -p "$tmp/st-$kind-$v"
		if ! "$BIN/mpreplay" --store "$tmp/st-$kind-$v" "${opt[@]}" "$tmp/$kind.cap" >/dev/null 2>"$tmp/$kind.err" ||
		    ! "$BIN/mpstore" verify --dir "$tmp/st-$kind-$v" >"$tmp/$kind.verify" 2>&1 ||
		    ! "$BIN/mpstore" list --dir "$tmp/st-$kind-$v" --json >"$tmp/$kind-$v.list"; then
			echo "{\"bench\": \"store_real_bytes_$kind\", \"error\": \"$v: $(tail -1 "$tmp/$kind.err" "$tmp/$kind.verify" | tr -d '"' | tr '\n' ' ')\"}"
			ok=
			break
		fi
	done
	[ -n "$ok" ] || continue
	# CPU of codec 5 beside 4 and 4 beside 3 on the same blocks (the 5 s ones: stored's)
	units=$($PY - "$kind" "$tmp/$kind.json" <<'PYEOF'
import json, sys
n = 0
for line in open(sys.argv[2]):
    d = json.loads(line)
    d = d.get("data", d)
    if sys.argv[1] != "depth":
        n += 1
    elif d.get("e") == "depthUpdate":
        n += len(d["b"]) + len(d["a"])
print(n)
PYEOF
)
	if ! "$BIN/test/bench_codec" "$tmp/st-$kind-old5" "$units" 5 4 6 >"$tmp/$kind.cpu" 2>"$tmp/$kind.err" ||
	    ! "$BIN/test/bench_codec" "$tmp/st-$kind-old5" "$units" 4 3 6 >"$tmp/$kind.cpu4" 2>"$tmp/$kind.err"; then
		echo "{\"bench\": \"store_real_bytes_$kind\", \"error\": \"bench_codec: $(tail -1 "$tmp/$kind.err" | tr -d '"')\"}"
		continue
	fi
	$PY - "$kind" "$tmp/$kind.json" "$tmp/$kind.json.zst" "$tmp/$kind" "$tmp/$kind.cpu" "$tmp/$kind.cpu4" <<'PYEOF'
import json, os, sys
kind, js, jz, lpre, cpu, cpu4 = sys.argv[1:7]
cpu = json.loads(open(cpu).read())
cpu4 = json.loads(open(cpu4).read())
units = 0
for line in open(js):
    d = json.loads(line)
    d = d.get("data", d)
    if kind == "depth":
        if d.get("e") == "depthUpdate":
            units += len(d["b"]) + len(d["a"])
    else:
        units += 1
def store(v):
    disk = raw = 0
    types = {}
    for line in open(lpre + "-" + v + ".list"):
        s = json.loads(line)
        if s["symbol"] not in ("_raw", "_sys"):
            disk += s["disk_bytes"]
            raw += s["raw_bytes"]
            for k, t in s["types"].items():
                types[k] = types.get(k, 0) + t
    return disk, raw, types
disk, raw, types = store("new")
old, c4 = store("old")[0], store("c4")[0]
new5, c45, old5 = store("new5")[0], store("c45")[0], store("old5")[0]
unit = {"depth": "level update", "trade": "trade", "ticker": "ticker"}[kind]
jb, zb = os.path.getsize(js), os.path.getsize(jz)
print(json.dumps({"bench": "store_real_bytes_" + kind, "value": round(disk / units, 2),
                  "unit": "store bytes/" + unit, "baseline_json": round(jb / units, 2),
                  "baseline_old_codec": round(old / units, 2), "baseline_codec4": round(c4 / units, 2),
                  "codec4_vs_json_smaller_pct": round(100 * (1 - c4 / jb), 1),
                  "old_codec_vs_json_smaller_pct": round(100 * (1 - old / jb), 1),
                  "live_5s_blocks": round(new5 / units, 2), "live_5s_blocks_codec4": round(c45 / units, 2),
                  "live_5s_blocks_old_codec": round(old5 / units, 2),
                  "live_5s_vs_json_smaller_pct": round(100 * (1 - new5 / jb), 1),
                  "baseline_json_zstd3": round(zb / units, 2),
                  "vs_json_smaller_pct": round(100 * (1 - disk / jb), 1),
                  "encode_ns_per_unit": cpu["value"], "decode_ns_per_unit": cpu["decode_ns"],
                  "codec4_encode_ns": [cpu["baseline_encode_ns"], cpu4["value"]],
                  "codec4_decode_ns": [cpu["baseline_decode_ns"], cpu4["decode_ns"]],
                  "baseline_old_codec_encode_ns": cpu4["baseline_encode_ns"],
                  "baseline_old_codec_decode_ns": cpu4["baseline_decode_ns"],
                  "store_bytes": disk, "records_bytes_uncompressed": raw, "json_bytes": jb,
                  "json_zstd3_bytes": zb, "units": units, "records": types}))
PYEOF
done
