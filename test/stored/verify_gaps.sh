#!/usr/bin/env bash
# verify_gaps.sh - mpstore verify's accounting end to end: a gap injected with
# an EV_GAP event is "recorded" (with its extent), one without is
# "unexplained" (exit 1), other books stay clean; a corrupted block is found
# and reported; list and print read the same store.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

st_start
wait_for 10 test -e "/dev/shm/$ST_PREFIX/book.store" || { not_ok stored_starts "no ring after 10 s"; exit 1; }
# The records' times are pinned inside one UTC hour (from hh:30 of the hour
# before this one, 100 s of them): segments are per hour, so with the feeder's
# default start (now - the run's span) a run near hh:00 stored two segments
# per book and list_json_lines saw 8, not 4 (about 1 run in 36).
start=$(( ($(date +%s) / 3600 * 3600 - 1800) * 1000000000 ))
"$BIN/test/stored_feeder" -c "$ST_CONF" --deltas 1000 --gap-recorded 100 --gap-unexplained 200 --seed 3 \
    --start "$start" >"$T_TMP/feed.json"
wait_for 30 st_counts_match "$T_TMP/feed.json" || not_ok stored_caught_up "the store does not hold the feed"
st_stop
check stored_clean_exit test "$ST_RC" = 0
"$BIN/mpstore" verify -c "$ST_CONF" >"$T_TMP/verify.json"
check verify_exit_1_on_unexplained test $? = 1
python3 - "$T_TMP/verify.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
b = {(x["exchange"], x["symbol"]): x for x in v["books"]}
one = b[("binance", "BTC-USDT")]
def res(name, cond, why):
    print(("ok %s" % name) if cond else ("not ok %s - %s" % (name, why)))
res("unexplained_gap_counted", one["unexplained_gaps"] == 1, "unexplained %s" % one["unexplained_gaps"])
res("recorded_gap_counted", one["recorded_gaps"] == 1 and one["gap_events"] == 1,
    "recorded %s events %s" % (one["recorded_gaps"], one["gap_events"]))
ev = one["recorded_gap_events"]
res("gap_event_extent", len(ev) == 1 and ev[0]["event"] == "gap" and ev[0]["got_id"] == ev[0]["expected_id"] + 1
    and ev[0]["missing_ids"] == 1, "events %s" % ev)
u = one["unexplained"]
res("unexplained_extent", len(u) == 1 and u[0]["got_prev"] > u[0]["expected_prev"], "unexplained %s" % u)
res("deltas_counted", one["deltas"] == 998, "deltas %s" % one["deltas"])
others = [x for k, x in b.items() if k != ("binance", "BTC-USDT")]
res("other_books_clean", len(others) == 3 and all(x["unexplained_gaps"] == 0 and x["recorded_gaps"] == 0 and x["deltas"] == 1000 for x in others),
    "others %s" % [(x["symbol"], x["unexplained_gaps"]) for x in others])
res("verify_not_ok", v["ok"] is False and v["unexplained_gaps"] == 1, "ok %s" % v["ok"])
PY
# Corrupt one byte inside the data of the first block of okx/ETH-USDT.
seg=$(ls "$ST_STORE"/okx/ETH-USDT/*.seg | head -1)
python3 - "$seg" <<'PY'
import struct, sys
p = sys.argv[1]
with open(p, "r+b") as f:
    h = f.read(96)
    hdr_len = struct.unpack_from("<I", h, 12)[0]
    f.seek(hdr_len + 144 + 100)
    c = f.read(1)
    f.seek(hdr_len + 144 + 100)
    f.write(bytes([c[0] ^ 0x5a]))
PY
"$BIN/mpstore" verify -c "$ST_CONF" --exchange okx --symbol ETH-USDT >"$T_TMP/verify2.json"
check verify_exit_1_on_corruption test $? = 1
python3 - "$T_TMP/verify2.json" "$seg" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
c = v["corrupted"]
ok = v["corrupted_blocks"] == 1 and c and c[0]["path"] == sys.argv[2] and "crc" in c[0]["what"]
print("ok corrupted_block_reported" if ok else "not ok corrupted_block_reported - %s" % c)
PY
"$BIN/mpstore" list -c "$ST_CONF" --json >"$T_TMP/list.json" 2>"$T_TMP/list.err"
check list_json_lines test "$(grep -c '"segment"' "$T_TMP/list.json")" = 4
n=$("$BIN/mpstore" print -c "$ST_CONF" --exchange binance --symbol BTC-USDT --types trade | wc -l)
check print_trades test "$n" = 98   # k = 100 and 200 were dropped with their trades
"$BIN/mpstore" print -c "$ST_CONF" --exchange binance --symbol BTCUSDT --types snapshot --levels 3 --limit 1 >"$T_TMP/snap.json"
check print_snapshot_exact_strings grep -q '"kind":"full"' "$T_TMP/snap.json"
check print_bad_type_rejected bash -c "! '$BIN/mpstore' print -c '$ST_CONF' --types nosuch 2>/dev/null"
