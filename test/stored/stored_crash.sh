#!/usr/bin/env bash
# stored_crash.sh - kill -9 stored repeatedly while a producer streams
# bookd-contract records and raw frames; after restarts every record is in the
# store exactly once (counts and an order-free digest per book and per raw
# stream equal the producer's), continuity holds, nothing is corrupted.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

st_start
wait_for 10 test -e "/dev/shm/$ST_PREFIX/book.store" || { not_ok stored_starts "no ring after 10 s"; exit 1; }
# About 6 s of traffic: 4 books x 3000 deltas at 2000 deltas/s, plus raw frames.
# Record times (100 ms apart, 300 s in all) are placed across an hour
# boundary, so every run has each stream roll over to a new segment while
# stored is killed and restarted (a restart whose first record was of the
# next hour once sealed the old segment under a wrong name); the boundary is
# the one at least 210 s ago, so every record is in the past.
hour=$(( ($(date +%s) - 210) / 3600 * 3600 ))
bg "$BIN/test/stored_feeder" -c "$ST_CONF" --deltas 3000 --rate 2000 --raw --seed 7 --start "$((hour - 150))000000000" >"$T_TMP/feed.json"
FEED=$T_LASTPID
kills=0
for delay in 0.7 1.3 0.9 1.1; do
	sleep "$delay"
	kill -KILL "$ST_PID" 2>/dev/null && kills=$((kills + 1))
	wait "$ST_PID" 2>/dev/null
	st_start
done
wait "$FEED"
check feeder_finished test -s "$T_TMP/feed.json"
check stored_killed_4_times test "$kills" = 4
if wait_for 60 st_counts_match "$T_TMP/feed.json"; then ok store_caught_up; else not_ok store_caught_up "counts differ after 60 s"; fi
st_stop
check stored_clean_exit test "$ST_RC" = 0
"$BIN/mpstore" verify -c "$ST_CONF" >"$T_TMP/verify.json"
echo "verify exit $?" >>"$T_TMP/stored.log"
python3 - "$T_TMP/feed.json" "$T_TMP/verify.json" <<'PY'
import json, sys
want = json.load(open(sys.argv[1])); got = json.load(open(sys.argv[2]))
g = {(b["exchange"], b["symbol"]): b for b in got["books"]}
r = {b["exchange"]: b for b in got["raw"]}
def res(name, cond, why):
    print(("ok %s" % name) if cond else ("not ok %s - %s" % (name, why)))
for b in want["books"]:
    k = (b["exchange"], b["symbol"]); s = g.get(k, {})
    n = "%s_%s" % k
    res("exactly_once_" + n, s.get("records") == b["records"] and s.get("digest") == b["digest"],
        "want %s records digest %s, store has %s digest %s" % (b["records"], b["digest"], s.get("records"), s.get("digest")))
    res("continuity_" + n, s.get("unexplained_gaps") == 0 and s.get("deltas") == b["deltas"],
        "unexplained %s, deltas %s/%s" % (s.get("unexplained_gaps"), s.get("deltas"), b["deltas"]))
for b in want["raw"]:
    s = r.get(b["exchange"], {})
    res("raw_exactly_once_" + b["exchange"], s.get("raw_frames") == b["records"] and s.get("digest") == b["digest"],
        "want %s digest %s, have %s digest %s" % (b["records"], b["digest"], s.get("raw_frames"), s.get("digest")))
# the whole reason on failure: what verify judged, not just its verdict
res("no_corruption", got["corrupted_blocks"] == 0 and got["ok"],
    "corrupted %s ok %s; corrupted %s; set_aside_segments %s; sealed_segment_errors %s; records_lost %s; "
    "incomplete_tails %s; unexplained_gaps %s" % (got["corrupted_blocks"], got["ok"], json.dumps(got["corrupted"]),
    json.dumps(got["set_aside_segments"]), json.dumps(got["sealed_segment_errors"]), got["records_lost"],
    json.dumps(got["incomplete_tails"]), got["unexplained_gaps"]))
PY
# A crash after fsync but before the ring release: the restart skips what is
# already durable (MP_FAULT is a test-only fault injection point in stored).
bg "$BIN/test/stored_feeder" -c "$ST_CONF" --deltas 500 --rate 1000 --seed 8 >"$T_TMP/feed2.json"
FEED=$T_LASTPID
MP_FAULT=stored_exit_after_sync:2 "$BIN/stored" -c "$ST_CONF" 2>>"$T_TMP/stored.log"
check fault_exit_after_sync test $? = 99
wait "$FEED"
st_start
# the restarted stored has skipped what was durable and stored the rest
# (its ring position moves only past fsynced records): wait for both
drained() {
	"$BIN/mpring" stat --json --interval 0 "/dev/shm/$ST_PREFIX/book.store" 2>/dev/null |
		python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["lag_records"] == 0 else 1)'
}
wait_for 60 grep -q 'msg="skipping records already durable' "$T_TMP/stored.log" && wait_for 60 drained ||
	not_ok restart_caught_up "$(tail -2 "$T_TMP/stored.log")"
st_stop
check restart_skipped_durable_records grep -q 'msg="skipping records already durable' "$T_TMP/stored.log"
"$BIN/mpstore" verify -c "$ST_CONF" >"$T_TMP/verify2.json"
python3 - "$T_TMP/feed.json" "$T_TMP/feed2.json" "$T_TMP/verify2.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2])); got = json.load(open(sys.argv[3]))
g = {(x["exchange"], x["symbol"]): x for x in got["books"]}
bad = []
for x, y in zip(a["books"], b["books"]):
    k = (x["exchange"], x["symbol"]); s = g.get(k, {})
    want = (int(x["digest"], 16) + int(y["digest"], 16)) % (1 << 64)
    if s.get("records") != x["records"] + y["records"] or int(s.get("digest", "0"), 16) != want:
        bad.append("%s/%s: %s records" % (k[0], k[1], s.get("records")))
print("ok no_duplicates_after_crash_before_release" if not bad else
      "not ok no_duplicates_after_crash_before_release - " + "; ".join(bad))
PY
# Each restart found the ring where the killed process left it.
n=$(grep -c 'msg="ring attached" ring=book.store' "$T_TMP/stored.log")
check stored_restarted_and_resumed test "$n" = 7
