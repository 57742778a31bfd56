#!/usr/bin/env bash
# store_loss.sh - issue 14.4: data lost from sealed segments is an error, with
# the records lost.  A sealed segment cut short, or deleted, used to pass
# `mpstore verify` (listed under incomplete_tails at most), and stored then cut
# the "torn tail" and sealed the rest, hiding the loss.  Now each stream's
# MANIFEST says what was sealed: verify exits 1 and names the records lost;
# stored sets a damaged sealed segment aside and logs the loss, and a torn
# tail is only ever the open segment's unacknowledged last block, logged with
# its records.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

SEG=$MP_ROOT/test/stored/segtool.py
opens() { grep -c 'msg="store open"' "$T_TMP/stored.log" 2>/dev/null; }
# st_restart_once: start stored, wait until it has recovered the store (a new "store open" line), stop it.
st_restart_once() {
	local n
	n=$(opens)
	st_start
	wait_for 20 test_opens_gt "$n" || not_ok stored_reopens "no new store open line"
	st_stop
}
test_opens_gt() { [ "$(opens)" -gt "$1" ]; }
cat >>"$ST_CONF" <<EOC
block_bytes = 64KiB
raw = false
EOC
st_start
wait_for 10 test -e "/dev/shm/$ST_PREFIX/book.store" || { not_ok stored_starts "no ring after 10 s"; exit 1; }
"$BIN/test/stored_feeder" -c "$ST_CONF" --deltas 3000 --depth 200 --seed 21 >"$T_TMP/feed.json"
wait_for 30 st_counts_match "$T_TMP/feed.json" || { not_ok stored_caught_up "counts differ"; exit 1; }
st_stop     # seals every segment: index, then a MANIFEST line
check stored_clean_exit test "$ST_RC" = 0
"$BIN/mpstore" verify -c "$ST_CONF" >"$T_TMP/v0.json"
check verify_ok_when_intact test $? = 0

A_DIR="$ST_STORE/binance/BTC-USDT"; A=$(ls "$A_DIR"/*.seg | tail -1); A_NAME=$(basename "$A")
B_DIR="$ST_STORE/okx/BTC-USDT"; B=$(ls "$B_DIR"/*.seg | tail -1); B_NAME=$(basename "$B")
a_sealed=$("$SEG" manifest "$A_DIR" "$A_NAME")
b_sealed=$("$SEG" manifest "$B_DIR" "$B_NAME")
check manifest_has_seal_counts test "$a_sealed" = "$("$SEG" records "$A")" -a "$b_sealed" = "$("$SEG" records "$B")"
# Cut A to 60 % (mid-block, index gone) and delete B.  Both are their stream's newest
# segment: the one stored would continue or seal at the next start.
truncate -s $(( $(stat -c %s "$A") * 60 / 100 )) "$A"
a_left=$("$SEG" records "$A")
rm -f "$B"
"$BIN/mpstore" verify -c "$ST_CONF" >"$T_TMP/v1.json"
check verify_exit_1_on_lost_sealed_data test $? = 1
/usr/bin/python3 - "$T_TMP/v1.json" "$A" "$B" "$a_sealed" "$a_left" "$b_sealed" <<'PY'
import json, sys
v = json.load(open(sys.argv[1])); a, b = sys.argv[2], sys.argv[3]
a_sealed, a_left, b_sealed = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
e = {x["path"]: x for x in v["sealed_segment_errors"]}
def res(name, cond, why):
    print(("ok %s" % name) if cond else ("not ok %s - %s" % (name, why)))
print("# %s: sealed with %d records, %d left after the cut; %s: sealed with %d, deleted" % (a, a_sealed, a_left, b, b_sealed))
x = e.get(a, {})
res("short_segment_reported", x.get("state") == "short" and x.get("records_sealed") == a_sealed and
    x.get("records_found") == a_left and x.get("records_lost") == a_sealed - a_left, x)
x = e.get(b, {})
res("missing_segment_reported", x.get("state") == "missing" and x.get("records_lost") == b_sealed, x)
res("records_lost_total", v["records_lost"] == a_sealed - a_left + b_sealed, v["records_lost"])
res("verify_not_ok", v["ok"] is False, v["ok"])
PY

# stored must not cut and re-seal A (that hid the loss): it sets A aside and says how much was lost.
st_restart_once
check stored_logs_sealed_loss grep -q "msg=\"a sealed segment lost data; setting it aside (mpstore verify reports it)\" path=\"$A\" records_sealed=$a_sealed records_found=$a_left records_lost=$((a_sealed - a_left)) " "$T_TMP/stored.log"
check damaged_segment_set_aside_not_cut test -n "$(ls "$A".bad-* 2>/dev/null)"
check store_open_counts_the_loss grep -q "lost_sealed_segments=1 lost_records=$((a_sealed - a_left))" "$T_TMP/stored.log"
check no_torn_tail_cut_in_sealed_segment bash -c "! grep -q 'truncating the torn tail.*$A_NAME' '$T_TMP/stored.log'"
"$BIN/mpstore" verify -c "$ST_CONF" >"$T_TMP/v2.json"
check verify_still_fails_after_restart test $? = 1
/usr/bin/python3 - "$T_TMP/v2.json" "$A" "$a_sealed" "$a_left" <<'PY'
import json, sys
v = json.load(open(sys.argv[1])); a = sys.argv[2]; a_sealed, a_left = int(sys.argv[3]), int(sys.argv[4])
x = [e for e in v["sealed_segment_errors"] if e["path"] == a and e["state"] == "lost_before"]
ok = len(x) == 1 and x[0]["records_lost"] == a_sealed - a_left and x[0]["records_sealed"] == a_sealed
print("ok loss_stays_reported" if ok else "not ok loss_stays_reported - %s" % v["sealed_segment_errors"])
PY

# A torn tail is the open segment's last block, never acknowledged: stored cuts it
# and logs its bytes and records; nothing is lost (the ring still has them).
rm -rf "${ST_STORE:?}" && mkdir -p "$ST_STORE"
st_start
wait_for 10 test -e "/dev/shm/$ST_PREFIX/book.store"
"$BIN/test/stored_feeder" -c "$ST_CONF" --deltas 1000 --depth 200 --seed 22 >"$T_TMP/feed2.json"
wait_for 30 st_counts_match "$T_TMP/feed2.json" || not_ok stored_caught_up_2 "counts differ"
kill -KILL "$ST_PID"; wait "$ST_PID" 2>/dev/null
C=$(ls "$ST_STORE"/binance/ETH-USDT/*.seg | tail -1)   # the open one (the newest)
size_before=$(stat -c %s "$C")
torn_records=$("$SEG" tear "$C")
torn_bytes=$(( $(stat -c %s "$C") - size_before ))
st_restart_once
check torn_tail_logged_with_records grep -q "msg=\"truncating the torn tail of the open segment (never acknowledged: the records are read again from the ring)\" path=\"$C\" at=$size_before bytes=$torn_bytes records=$torn_records " "$T_TMP/stored.log"
"$BIN/mpstore" verify -c "$ST_CONF" >"$T_TMP/v3.json"
check verify_ok_after_torn_tail test $? = 0
check store_exactly_the_feed st_counts_match "$T_TMP/feed2.json"
