#!/usr/bin/env bash
# disk_full.sh - the store's disk fills up mid-stream: commits fail and are
# retried (ring positions kept, reading paused at max_pending), and nothing is
# lost or stored twice once there is room again; meanwhile the local sink reads
# down and the log is throttled.  Needs root (a 512 KiB tmpfs: the 3000 deltas
# must not fit, and with codec 5 they fit in the 1 MiB this test used before);
# prints a skip line otherwise.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

MNT=$T_TMP/small
mkdir -p "$MNT"
if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=512k tmpfs "$MNT" 2>/dev/null; then
	skip disk_full "needs root to mount a small tmpfs"
	exit 0
fi
trap 'kill -TERM "${ST_PID:-0}" 2>/dev/null; wait "${ST_PID:-0}" 2>/dev/null; umount "$MNT" 2>/dev/null; st_cleanup' EXIT
cat >>"$ST_CONF" <<EOC
max_pending = 4MiB
raw = false
dir = $MNT/store
EOC
# What stored complained about, for the reason of a failed case (a failure in
# CI must say which error it was, not only that the expected one was absent).
st_errors() {
	grep -E ' (ERROR|WARN) ' "$T_TMP/stored.log" | sed 's/^[^ ]* //; s/\[[0-9]*\]//' | sort | uniq -c |
	    sort -rn | head -4 | cut -c1-240 | tr '\n' ';'
}
st_start
wait_for 10 test -e "/dev/shm/$ST_PREFIX/book.store"
"$BIN/test/stored_feeder" -c "$ST_CONF" --deltas 3000 --seed 5 >"$T_TMP/feed.json"
if wait_for 20 grep -q 'No space left on device' "$T_TMP/stored.log"; then ok disk_full_commit_fails
else not_ok disk_full_commit_fails "the disk never filled up; stored logged: $(st_errors)"; fi
# Issue 14.5: the failure is visible (stored's mp_store_local_up, which mpctl
# turns into sinks.local.up and the store_write_failed alert) and the log says
# it once per 10 s with a count instead of on every retry.
MET="/dev/shm/$ST_PREFIX/metrics.stored"
metric() { "$BIN/test/metrics_dump" "$MET" | awk -v k="$1{}" '$1 == k { print $2 }'; }
metric_is() { test "$(metric "$1")" "$2" "$3"; }   # re-read on every try of wait_for
if wait_for 10 metric_is mp_store_local_up = 0; then ok local_sink_down_while_full
else not_ok local_sink_down_while_full "mp_store_local_up=$(metric mp_store_local_up)"; fi
# Let at least 5 retries fail (one a second), then count the lines about them.
wait_for 30 metric_is mp_store_write_errors_total -ge 5
errs=$(metric mp_store_write_errors_total)
lines=$(grep -cE 'msg="(commit failed|cannot add a record)' "$T_TMP/stored.log")
check write_failures_counted test "${errs:-0}" -ge 5
if test "$lines" -ge 1 -a "$lines" -lt "${errs:-0}" -a "$lines" -le 4; then ok failure_log_throttled
else not_ok failure_log_throttled "$lines lines for $errs errors; stored logged: $(st_errors)"; fi
mount -o remount,size=64M "$MNT"
if wait_for 30 metric_is mp_store_local_up = 1; then ok local_sink_up_again
else not_ok local_sink_up_again "mp_store_local_up=$(metric mp_store_local_up)"; fi
cfail=$(metric mp_store_commit_errors_total)
if grep -q "msg=\"commits succeed again; the backlog drains\" failed_commits=$cfail\$" "$T_TMP/stored.log"; then
	ok recovery_logged_with_count
else not_ok recovery_logged_with_count "no recovery line with failed_commits=$cfail; stored logged: $(st_errors)"; fi
if wait_for 30 st_counts_match "$T_TMP/feed.json"; then ok caught_up_after_space_returned
else not_ok caught_up_after_space_returned "$("$BIN/mpstore" verify -c "$ST_CONF" | head -c 400)"; fi
st_stop
check stored_clean_exit test "$ST_RC" = 0
"$BIN/mpstore" verify -c "$ST_CONF" >"$T_TMP/verify.json"
check verify_ok test $? = 0
python3 - "$T_TMP/feed.json" "$T_TMP/verify.json" <<'PY'
import json, sys
w = json.load(open(sys.argv[1])); v = json.load(open(sys.argv[2]))
a = [(b["exchange"], b["symbol"], b["records"], b["digest"]) for b in w["books"]]
b = [(b["exchange"], b["symbol"], b["records"], b["digest"]) for b in v["books"]]
print("ok every_record_once_after_disk_full" if a == b else "not ok every_record_once_after_disk_full - %s vs %s" % (a, b))
PY
