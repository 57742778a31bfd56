#!/usr/bin/env bash
# ring_corrupt.sh - issue 14.2: random bytes written into the unread part of
# book.store while stored is stopped.  stored must not stall: it logs the
# corrupt frame, resynchronises past it, records the exact loss as ring_loss
# events, drains the ring, and `mpring stat` names the same position before
# and counts it after.  Everything outside the damage is stored exactly once.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

RING="/dev/shm/$ST_PREFIX/book.store"
st_start
wait_for 10 test -e "$RING" || { not_ok stored_starts "no ring after 10 s"; exit 1; }
wait_for 10 grep -q 'msg="ring attached" ring=book.store' "$T_TMP/stored.log" || { not_ok stored_attaches "no attach"; exit 1; }
kill -STOP "$ST_PID"
"$BIN/test/stored_feeder" -c "$ST_CONF" --deltas 1500 --depth 200 --seed 11 >"$T_TMP/feed.json"
check feeder_finished test -s "$T_TMP/feed.json"
# 4 KiB of random bytes a third of the way into the unread bytes (whole frames
# and their headers, lengths <= 0 among them: what used to stall stored).
"$MP_ROOT/test/ring/damage.py" "$RING" 4096 >"$T_TMP/damage.txt" || { not_ok damage "$(cat "$T_TMP/damage.txt")"; exit 1; }
read -r HEAD TAIL AT <"$T_TMP/damage.txt"
"$BIN/mpring" stat --interval 0 --json "$RING" >"$T_TMP/stat_before.json"
check mpring_stat_names_corruption /usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1])); at = int(sys.argv[2])
f = s["frames"]
sys.exit(0 if f["state"] == "corrupt" and at <= f["pos"] < at + 4096 + 16 else 1)' "$T_TMP/stat_before.json" "$AT"
kill -CONT "$ST_PID"
if wait_for 30 grep -q 'msg="ring resynchronised' "$T_TMP/stored.log"; then ok stored_resynchronised; else not_ok stored_resynchronised "no resync in the log"; fi
drained() { "$BIN/mpring" stat --interval 0 --json "$RING" | /usr/bin/python3 -c '
import json, sys; s = json.load(sys.stdin); sys.exit(0 if s["head"] == s["tail"] and s["corrupt"] >= 1 else 1)'; }
if wait_for 30 drained; then ok ring_drained; else not_ok ring_drained "head != tail after 30 s"; fi
"$BIN/mpring" stat --interval 0 --json "$RING" >"$T_TMP/stat_after.json"
check stored_still_running kill -0 "$ST_PID"
grep 'corrupt ring frame' "$T_TMP/stored.log" | head -1 >"$T_TMP/logline.txt"
st_stop
check stored_clean_exit test "$ST_RC" = 0
"$BIN/mpstore" verify -c "$ST_CONF" >"$T_TMP/verify.json"
/usr/bin/python3 - "$T_TMP/feed.json" "$T_TMP/verify.json" "$T_TMP/stat_before.json" "$T_TMP/stat_after.json" "$T_TMP/logline.txt" <<'PY'
import json, re, sys
want = json.load(open(sys.argv[1])); got = json.load(open(sys.argv[2]))
before = json.load(open(sys.argv[3])); after = json.load(open(sys.argv[4])); log = open(sys.argv[5]).read()
def res(name, cond, why):
    print(("ok %s" % name) if cond else ("not ok %s - %s" % (name, why)))
lost = after["corrupt_lost"]
print("# corrupt %s at %s: %s bytes skipped, %s records lost" % (after["corrupt"], after["corrupt_pos"], after["corrupt_bytes"], lost))
res("corruption_counted", after["corrupt"] >= 1 and after["corrupt_pos"] == before["frames"]["pos"] and lost > 0,
    "corrupt %s at %s (stat said %s), lost %s" % (after["corrupt"], after["corrupt_pos"], before["frames"]["pos"], lost))
m = re.search(r" pos=(\d+) ", log)
res("log_points_where_stat_did", m is not None and int(m.group(1)) == before["frames"]["pos"], "log %r" % log)
w = sum(b["records"] for b in want["books"])
g = sum(b["records"] - b["loss_events"] for b in got["books"])
res("loss_exact", g == w - lost, "stored %s of %s records, ring says %s lost" % (g, w, lost))
res("loss_recorded_per_book", all(b["loss_events"] >= 1 for b in got["books"]), [b["loss_events"] for b in got["books"]])
res("no_unexplained_gap", all(b["unexplained_gaps"] == 0 for b in got["books"]), [b["unexplained_gaps"] for b in got["books"]])
PY
