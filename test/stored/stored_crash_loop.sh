#!/usr/bin/env bash
# stored_crash_loop.sh - a longer, randomized stored_crash.sh for hunting
# crash windows by hand (not part of `make test`: random kill times, ~25 s a
# round).  Each round: a producer streams 4 books x DELTAS deltas (100 ms of
# record time apart, across an hour boundary 150 s in) plus raw frames at
# 2000 deltas/s; stored is killed -9 KILLS times at random 0.1-1 s intervals
# and restarted; then every record must be in the store and `mpstore verify`
# must say ok.  Prints one "ok round_N" / "not ok round_N - <verify's reasons>"
# per round.  Usage: ROUNDS=20 KILLS=10 test/stored/stored_crash_loop.sh
# (BIN=build/asan/bin for the sanitized build).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"
ROUNDS=${ROUNDS:-5} KILLS=${KILLS:-10} DELTAS=${DELTAS:-6000}
hour=$(( ($(date +%s) - DELTAS / 10 - 60) / 3600 * 3600 ))
for ((round = 1; round <= ROUNDS; round++)); do
	rm -rf "${T_TMP:?}/var" "/dev/shm/${ST_PREFIX:?}"
	: >"$T_TMP/stored.log"
	st_start
	wait_for 10 test -e "/dev/shm/$ST_PREFIX/book.store" || { not_ok "round_$round" "stored did not start"; continue; }
	bg "$BIN/test/stored_feeder" -c "$ST_CONF" --deltas "$DELTAS" --rate 2000 --raw --seed "$round" \
		--start "$((hour - 150))000000000" >"$T_TMP/feed.json"
	FEED=$T_LASTPID
	for ((k = 0; k < KILLS; k++)); do
		sleep "0.$((RANDOM % 9 + 1))$((RANDOM % 10))"
		kill -KILL "$ST_PID" 2>/dev/null
		wait "$ST_PID" 2>/dev/null
		st_start
	done
	wait "$FEED"
	wait_for 60 st_counts_match "$T_TMP/feed.json" || { not_ok "round_$round" "store did not catch up"; st_stop; continue; }
	st_stop
	"$BIN/mpstore" verify -c "$ST_CONF" >"$T_TMP/verify.json"
	python3 - "$T_TMP/verify.json" "$round" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))
why = {k: got[k] for k in ("corrupted", "set_aside_segments", "sealed_segment_errors", "records_lost",
                           "incomplete_tails", "unexplained_gaps")}
print("ok round_%s" % sys.argv[2] if got["ok"] and got["corrupted_blocks"] == 0 else
      "not ok round_%s - %s" % (sys.argv[2], json.dumps(why)))
PY
done
