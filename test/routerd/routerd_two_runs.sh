#!/usr/bin/env bash
# Defect 9: streams that hold two runs whose update ids repeat (the demo
# against mpsim with its fixed seed goes through the same ids in every run),
# with different books at the same ids.  mpsub must tell the runs' epochs
# apart (by bookd's processed_at, see tools/mpsub/verify.h).
#   1. both runs complete in the streams: 0 mismatches, 0 gaps, exact counts,
#      one resync per book where run 2 starts;
#   2. run 1's deltas aged out of ORDERBOOK_DELTA (kept 1 h by default, full
#      books 24 h): run 1's full books, at ids that run 2's deltas chain from,
#      must not become run 2's base (mpsub before the fix reported mismatches
#      here).
# Run 2 has no trades: the same trade ids would be de-duplicated by
# Nats-Msg-Id within the duplicate window (the expected count would differ).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/nats_lib.sh"
CHECK="python3 $RT_DIR/check.py"

feed() {    # feed RUN: one run of the feeder, ids from 1000 again, its own book
	"$BIN/test/routerd_feeder" -c "$RT_CONF" --deltas 200 --depth 300 --full-every 20 --topn-every 0 \
		--trades-every 100000 --start-id 1000 --seed $((40 + $1)) >"$T_TMP/feed$1.json" 2>>"$T_TMP/feeder.log" ||
		{ not_ok feeder_run$1 "$(tail -2 "$T_TMP/feeder.log")"; exit 1; }
}
routerd_stop() { kill -TERM "$ROUTERD_PID"; wait "$ROUTERD_PID"; }
# summary_ok FILE MIN_VERIFIED RESYNCS: every book synced, no mismatch or gap,
# at least MIN_VERIFIED full books verified (RESYNCS: exact count, or "any")
summary_ok() {
	python3 - "$@" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
bad = ["%s=%d" % (k, s.get(k, 0)) for k in ("mismatches", "gaps", "bad_messages") if s.get(k, 0)]
for b in s["books"]:
    if not b["synced"] or b["verified"] < int(sys.argv[2]) or b["mismatches"] or b["gaps"] or \
            (sys.argv[3] != "any" and b["resyncs"] != int(sys.argv[3])):
        bad.append("%s %s: %s" % (b["exchange"], b["symbol"], {k: b[k] for k in
                   ("synced", "verified", "mismatches", "gaps", "resyncs", "first_mismatch") if k in b}))
if not s["books"]:
    bad.append("no book")
if bad:
    print("; ".join(bad)[:600])
    sys.exit(1)
EOF
}

# --- 1. two complete runs
nats_start
rt_conf
routerd_start
for run in 1 2; do
	feed $run
	# run 2 starts only after run 1 is stored, as a new demo run would
	$CHECK expect "$T_TMP"/feed[1-$run].json >"$T_TMP/expect.json"
	wait_all_streams "$T_TMP/expect.json" 0 120 || { not_ok stored_run$run "$(tail -3 "$T_TMP/routerd.log")"; exit 1; }
done
rt_finish
"$BIN/mpsub" -c "$RT_CONF" --durable two_runs --until-caught-up --seconds 120 \
	>"$T_TMP/summary.json" 2>"$T_TMP/mpsub.log" || not_ok mpsub_exit "mpsub failed: $(tail -2 "$T_TMP/mpsub.log")"
if why=$($CHECK compare "$T_TMP/expect.json" "$T_TMP/summary.json") && why=$(summary_ok "$T_TMP/summary.json" 10 1); then
	ok two_runs_no_mismatch
else
	not_ok two_runs_no_mismatch "$why"
fi

# --- 2. run 1's deltas aged out before run 2
nats_stop
NATS_PORT=
rm -rf "$T_TMP/js"
nats_start
rt_conf "delta_max_age = 2s" "duplicate_window = 1s"
: >"$T_TMP/routerd.log"
routerd_start
feed 1
$CHECK expect "$T_TMP/feed1.json" >"$T_TMP/expect1.json"
read -r f1 _ < <(expected_streams "$T_TMP/expect1.json")
wait_stream_msgs ORDERBOOK_FULL "$f1" 120 && wait_stream_msgs ORDERBOOK_DELTA 0 120 ||
	{ not_ok run1_deltas_aged_out "full=$(stream_msgs ORDERBOOK_FULL) delta=$(stream_msgs ORDERBOOK_DELTA)"; exit 1; }
routerd_stop
routerd_start --set nats.delta_max_age=1h
feed 2
$CHECK expect "$T_TMP/feed2.json" >"$T_TMP/expect2.json"
read -r f2 d2 _ < <(expected_streams "$T_TMP/expect2.json")
wait_stream_msgs ORDERBOOK_FULL $((f1 + f2)) 120 && wait_stream_msgs ORDERBOOK_DELTA "$d2" 120 ||
	{ not_ok stored_run2_aged "full=$(stream_msgs ORDERBOOK_FULL) delta=$(stream_msgs ORDERBOOK_DELTA)"; exit 1; }
rt_finish
"$BIN/mpsub" -c "$RT_CONF" --durable two_runs_aged --until-caught-up --seconds 120 \
	>"$T_TMP/summary2.json" 2>"$T_TMP/mpsub2.log" || not_ok mpsub_exit_aged "mpsub failed: $(tail -2 "$T_TMP/mpsub2.log")"
if why=$(summary_ok "$T_TMP/summary2.json" 5 any); then
	ok old_run_fulls_not_a_base
else
	not_ok old_run_fulls_not_a_base "$why"
fi
