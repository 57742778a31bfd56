#!/usr/bin/env bash
# test/run.sh - run test programs and scripts, count results, end with one line
# "N passed, N failed".
#
# Every test (C program or script) prints one line per case:
#   ok NAME                      a passed case
#   not ok NAME - reason         a failed case
#   skip NAME - reason           a case that could not run here (counted apart)
# A test that exits non-zero without printing "not ok" counts as one failure,
# so a crash is never silent.  Arguments: paths of programs/scripts, or
# "fuzz:NAME" for a libFuzzer target run for $FUZZ_SECONDS on build/fuzz/corpus/NAME
# (seeded by test/fuzz/seed.sh before the first one; a seeding failure fails them).
# Per-test output is kept in build/test-logs/NAME.log (another BIN, e.g.
# build/asan/bin: build/test-logs-asan/).
set -u
cd "$(dirname "$0")/.." || exit 2
: "${BIN:=bin}"
export BIN
export MP_ROOT="$PWD"
# One log directory per build variant: `make test` and `make asan` may run at
# once in one worktree, and must not write each other's NAME.log.
case $BIN in
bin) logdir=build/test-logs ;;
*) logdir=build/test-logs-$(basename "$(dirname "$BIN")") ;;   # build/asan/bin -> build/test-logs-asan
esac
mkdir -p "$logdir"
passed=0; failed=0; skipped=0
# The tree the suite runs is the working tree itself: a git checkout, stash,
# merge or reset in this worktree while the suite runs swaps files under it (a
# test that "fails to run: No such file or directory", status 127, was such a
# file, removed and re-created under a running suite).  The tree's state is
# taken at the start and compared when a test file is missing and at the end,
# so such a run says so instead of blaming a test.
tree_state() { { git rev-parse HEAD; git status --porcelain; git diff HEAD; } 2>/dev/null | md5sum; }
tree_at_start=$(tree_state)
tree_changed() { [ "$(tree_state)" != "$tree_at_start" ]; }
fuzz_seeded=
failures=()

run_one() {
	local t=$1 name log rc start end
	name=$(basename "${t#fuzz:}"); name=${name%.sh}
	log="$logdir/$name.log"
	start=$(date +%s)
	if [[ $t == fuzz:* ]]; then
		local fb="build/fuzz/bin/$name" corpus="build/fuzz/corpus/$name" cov
		# the corpora are seeded once from the recordings and an mpsim run
		if [ -z "$fuzz_seeded" ]; then
			BIN=bin ./test/fuzz/seed.sh >"$logdir/fuzz_seed.log" 2>&1 && fuzz_seeded=ok || fuzz_seeded=failed
		fi
		mkdir -p "$corpus"
		[ -d "test/fuzz/corpus/$name" ] && cp -n test/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
		if [ "$fuzz_seeded" != ok ]; then
			echo "not ok $name - could not seed the corpus: $(tail -1 "$logdir/fuzz_seed.log")" >"$log"
		elif "$fb" -max_total_time="${FUZZ_SECONDS:-5}" -print_final_stats=1 "$corpus" >"$log" 2>&1; then
			cov=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+')
			echo "ok $name (fuzzed ${FUZZ_SECONDS:-5}s, $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs, $cov)" >>"$log.res"
		else
			echo "not ok $name - fuzzer found a crash, see $log" >>"$log.res"
		fi
		rc=0
		mv "$log.res" "$log.tmp"; cat "$log.tmp" >>"$log"; rm -f "$log.tmp"
	elif [ ! -f "$t" ]; then
		if tree_changed; then
			echo "not ok $name - $t is missing: the working tree changed while the suite ran (git checkout/stash/merge/reset here?); its results are not those of one tree" >"$log"
		else
			echo "not ok $name - $t is missing (cwd $PWD)" >"$log"
		fi
		rc=1
	else
		timeout --kill-after=10 "${TEST_TIMEOUT:-600}" "$t" >"$log" 2>&1 </dev/null
		rc=$?
	fi
	end=$(date +%s)
	local p f s
	p=$(grep -c '^ok ' "$log"); f=$(grep -c '^not ok ' "$log"); s=$(grep -c '^skip ' "$log")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
		echo "not ok $name - exited with status $rc without reporting a failure" >>"$log"
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	printf '%-28s %4d passed %3d failed %3d skipped  %4ds\n' "$name" "$p" "$f" "$s" $((end - start))
	if [ "$f" != 0 ]; then
		grep '^not ok ' "$log" | sed 's/^/    /'
		failures+=("$name")
	fi
	grep '^skip ' "$log" | sed 's/^/    /'
}

for t in "$@"; do
	run_one "$t"
done
if tree_changed; then
	echo "warning: the working tree changed while the suite ran (commit, checkout, stash, merge or an edit): the results are not those of one tree"
fi
if [ ${#failures[@]} != 0 ]; then
	echo "failed tests (logs in $logdir/): ${failures[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
