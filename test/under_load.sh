#!/usr/bin/env bash
# test/under_load.sh - `make test` RUNS times in a row (default 3) while two
# CPU-bound processes run beside it, as on a machine shared with other work.
# Stops at the first failing run.  Prints each run's summary line
# ("N passed, N failed, N skipped") and a final line; exit 0 only if every
# run passed.  The busy loops are started here and stopped by pid.
#   usage: test/under_load.sh [RUNS]        (make test-under-load)
set -u
cd "$(dirname "$0")/.." || exit 2
runs=${1:-${UNDER_LOAD_RUNS:-3}}
case $runs in ''|*[!0-9]*) echo "usage: $0 [RUNS]" >&2; exit 2 ;; esac
mkdir -p build
busy=()
stop_busy() {
	local p
	for p in "${busy[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${busy[@]}"; do wait "$p" 2>/dev/null; done
	busy=()
}
trap stop_busy EXIT
trap 'exit 130' INT TERM
sh -c 'while :; do :; done' & busy+=($!)
sh -c 'while :; do :; done' & busy+=($!)
echo "under load: ${#busy[@]} busy loops (pids ${busy[*]}), $runs runs of make test"
passed=0
for i in $(seq 1 "$runs"); do
	log=build/under-load-run$i.log
	start=$SECONDS
	make --no-print-directory test >"$log" 2>&1
	rc=$?
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -1)
	echo "run $i: ${summary:-no summary line (make exited $rc)} ($((SECONDS - start)) s, log $log)"
	if [ "$rc" != 0 ]; then
		grep -E '^    not ok |^failed tests' "$log" | head -20
		echo "under load: FAILED on run $i of $runs ($passed passed before it)"
		exit 1
	fi
	passed=$((passed + 1))
done
echo "under load: $passed of $runs runs passed"
