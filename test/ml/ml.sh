#!/usr/bin/env bash
# ml.sh - the research formats and the Python package: two exports (a store
# from bin/test/mpexport_gen, and the real Binance recording replayed into a
# store by mpreplay --store), then test_ml.py under Debian's python3
# (unittest), one ok / not ok line per test case.
. "$(dirname "$0")/../lib.sh"
cd "$MP_ROOT" || exit 2
PY=/usr/bin/python3
CAP=../shared/data/binance-spot-ethusdt-20240808.cap.zst
F0=1763596800000000000          # the generator's default start
S=1000000000

if ! "$PY" -c 'import numpy, torch' 2>/dev/null; then
	skip ml_all "$PY without numpy or torch (make deps installs python3-numpy and python3-torch)"
	exit 0
fi
for p in mpexport mpreplay test/mpexport_gen; do
	[ -x "$BIN/$p" ] || { not_ok ml_all "$BIN/$p not built"; exit 1; }
done

# 1: generated store (announced gap + unannounced break), FI-2010 horizons
"$BIN/test/mpexport_gen" --root "$T_TMP/gen" --dump "$T_TMP/gen.txt" --updates 3000 --gaps 1 >"$T_TMP/gen.log" 2>&1 ||
	{ not_ok ml_gen_store "$(tail -2 "$T_TMP/gen.log")"; exit 1; }
if "$BIN/mpexport" --quiet --warmup 120s --store "$T_TMP/gen" --exchange binance --symbol BTC-USDT --from $F0 \
	--to $((F0 + 3600 * S)) --out "$T_TMP/og" --window 20 --horizons fi2010 --threshold-bps 0.03 --bins 40 \
	--stack-len 5 --stack-interval 10s --split 0.6,0.2,0.2 \
	--what deeplob,features,heatmap,stack,labels,lobster,req 2>"$T_TMP/og.err"; then
	ok ml_export_gen
else
	not_ok ml_export_gen "$(tail -2 "$T_TMP/og.err")"; exit 1
fi

# bad input: a price LOBSTER's x 10000 integers cannot carry, an output that cannot be written
"$BIN/test/mpexport_gen" --root "$T_TMP/fine" --dump "$T_TMP/fine.txt" --updates 200 --tick 50000001 >/dev/null 2>&1 ||
	{ not_ok ml_gen_fine_tick; exit 1; }
"$BIN/mpexport" --quiet --warmup 120s --store "$T_TMP/fine" --exchange binance --symbol BTC-USDT --from $F0 \
	--to $((F0 + 3600 * S)) --out "$T_TMP/ofine" --what deeplob,lobster >/dev/null 2>"$T_TMP/fine.err"
check ml_lobster_inexact_price_fails test $? = 1 -a -n "$(grep 'not a multiple of 0.0001' "$T_TMP/fine.err")"
"$BIN/mpexport" --quiet --warmup 120s --store "$T_TMP/fine" --exchange binance --symbol BTC-USDT --from $F0 \
	--to $((F0 + 3600 * S)) --out "$T_TMP/ofine2" --what deeplob >/dev/null 2>&1
check ml_inexact_price_fine_without_lobster test $? = 0
mkdir -p "$T_TMP/obad" && : >"$T_TMP/obad/lobster"
"$BIN/mpexport" --quiet --warmup 120s --store "$T_TMP/gen" --exchange binance --symbol BTC-USDT --from $F0 \
	--to $((F0 + 3600 * S)) --out "$T_TMP/obad" --what deeplob,lobster >/dev/null 2>"$T_TMP/bad.err"
check ml_lobster_unwritable_fails test $? = 1 -a -n "$(grep 'lobster' "$T_TMP/bad.err")"

# 2: the real recording -> mpreplay --store -> mpexport, TLOB horizons and labels
if [ ! -r "$CAP" ]; then
	not_ok ml_real_recording "$CAP is missing (the tests read it from ../shared/data/)"; exit 1
fi
zstd -dc "$CAP" | "$BIN/mpreplay" --store "$T_TMP/real" - >"$T_TMP/replay.json" 2>"$T_TMP/replay.err"
check ml_replay_into_store test $? = 0 -a -n "$(grep '"applied": 3432' "$T_TMP/replay.json")"
# a second replay into the same store would be deduplicated away: refused loudly, not silently
zstd -dc "$CAP" | head -100 | "$BIN/mpreplay" --store "$T_TMP/real" - >/dev/null 2>"$T_TMP/replay2.err"
check ml_replay_store_not_empty test $? = 1 -a -n "$(grep 'already holds an earlier replay' "$T_TMP/replay2.err")"
if "$BIN/mpexport" --quiet --store "$T_TMP/real" --exchange binance --symbol ETH-USDT \
	--from 2024-08-08T23:50:00Z --to 2024-08-09T00:01:00Z --out "$T_TMP/or" --horizons tlob --smooth 5 \
	--threshold-bps 0.5 --split 0.7,0.15,0.15 --what deeplob,features,labels,lobster 2>"$T_TMP/or.err"; then
	ok ml_export_real
else
	not_ok ml_export_real "$(tail -2 "$T_TMP/or.err")"; exit 1
fi
"$PY" -c 'import json, sys; m = json.load(open(sys.argv[1])); sys.exit(0 if m["samples"] == 3432 and
    m["counts"]["book_mismatch"] == 0 else 1)' "$T_TMP/or/metadata.json"
check ml_real_all_updates_sampled test $? = 0

# 3: the Python tests; unittest -v prints "name (module.Class...) ... ok|FAIL|ERROR|skipped"
ML_GEN="$T_TMP/og" ML_REAL="$T_TMP/or" ML_GEN_DUMP="$T_TMP/gen.txt" PYTHONDONTWRITEBYTECODE=1 \
	"$PY" -W ignore -m unittest discover -v -s test/ml -t test/ml -p test_ml.py >"$T_TMP/unittest.log" 2>&1
rc=$?
awk '
	/^test_[a-z0-9_]+ \(.*\)/ && !/\.\.\. / { print "not ok py_" $1 " - unparsed unittest line"; n++; next }
	/^test_[a-z0-9_]+ \(.*\) \.\.\. / {
		name = $1; r = $NF
		if (r == "ok") print "ok py_" name
		else if ($0 ~ /\.\.\. skipped/) { sub(/.*skipped /, ""); print "skip py_" name " - " $0 }
		else print "not ok py_" name " - " r " (see the unittest output below)"
		n++
	}
	END { if (n == 0) print "not ok py_unittest - no test ran" }' "$T_TMP/unittest.log"
if [ $rc != 0 ]; then
	not_ok py_unittest_exit "exit $rc"
	sed -n '/^=====/,$p' "$T_TMP/unittest.log" | head -60
fi
grep -q "^Ran [1-9]" "$T_TMP/unittest.log" || not_ok py_unittest_ran "$(tail -3 "$T_TMP/unittest.log")"
exit 0
