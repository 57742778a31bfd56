#!/usr/bin/env bash
# test/fuzz/seed.sh - build the fuzz corpora in build/fuzz/corpus/<target>/ at
# run time (test/run.sh calls it before the first fuzz target; `make test` and
# `make fuzz` both go through run.sh):
#   1. the hand-made seeds and regression inputs in test/fuzz/corpus/<target>/;
#   2. a sample of every frame kind of the real recordings ../shared/data/*.cap.zst
#      (never committed, nor copies of them: they are read here, each run);
#   3. a short run of the system against mpsim (mpctl, embedded nats-server):
#      its raw frames (mpstore capture), ring records, routerd's JSON (mpsub
#      --dump), store segments and config.
# What each target gets is listed in test/fuzz/README.md.  The result is kept
# (build/fuzz/corpus/.seeded); SEED_FORCE=1 builds it again.  Exit status 1,
# with the reason on stderr, when the recordings are missing or the run fails.
set -u
cd "$(dirname "$0")/../.." || exit 2
: "${BIN:=bin}"
export BIN MP_ROOT="$PWD"
OUT=${SEED_OUT:-build/fuzz/corpus}
DATA=${MP_SHARED_DATA:-../shared/data}
PY=/usr/bin/python3
SEED=test/fuzz/seed.py

[ -f "$OUT/.seeded" ] && [ -z "${SEED_FORCE:-}" ] && exit 0
rm -f "$OUT/.seeded"
mkdir -p "$OUT"

# 1. the committed seeds
for d in test/fuzz/corpus/*/; do
	t=$(basename "$d")
	mkdir -p "$OUT/$t"
	cp -n "$d"* "$OUT/$t/" 2>/dev/null
done
mkdir -p "$OUT/fuzz_cfg"
cp conf/*.ini "$OUT/fuzz_cfg/"

# 2. the recordings
shopt -s nullglob
caps=("$DATA"/*.cap.zst)
shopt -u nullglob
if [ ${#caps[@]} = 0 ]; then
	echo "seed.sh: no recordings in $DATA (*.cap.zst): cannot seed the fuzz corpora" >&2
	exit 1
fi
$PY $SEED frames "$OUT" rec "${caps[@]}" && $PY $SEED bookops "$OUT" "$DATA"/binance-spot-*.cap.zst ||
	{ echo "seed.sh: seeding from $DATA failed" >&2; exit 1; }

# 3. a short mpsim run (about 10 s once the books are synced)
. test/lib.sh
. test/mpctl/lib_system.sh
for p in mpctl mpsim feedd bookd routerd stored mpsub mpstore; do
	[ -x "$BIN/$p" ] || { echo "seed.sh: $BIN/$p not built" >&2; exit 1; }
done
sys_config 1
sys_start || { echo "seed.sh: the mpsim run did not start: $(tail -3 "$SYS_LOG")" >&2; exit 1; }
wait_for 120 sys_books_synced 100 || { echo "seed.sh: books did not sync: $(sys_books_summary)" >&2; exit 1; }
"$BIN/mpsub" -c "$CONF" --durable seed --seconds 6 --dump "$T_TMP/dump.txt" >/dev/null 2>"$T_TMP/mpsub.err" ||
	{ echo "seed.sh: mpsub failed: $(tail -2 "$T_TMP/mpsub.err")" >&2; exit 1; }
# the rings' data areas hold the records that went through them
mkdir -p "$T_TMP/rings"
for r in feed.binance feed.okx book.store ctl.binance ctl.okx; do
	cp "/dev/shm/$SYS_PREFIX/$r" "$T_TMP/rings/" 2>/dev/null
done
sys_stop || { echo "seed.sh: mpctl stop failed" >&2; exit 1; }
"$BIN/mpstore" capture -c "$CONF" >"$T_TMP/sim.cap" 2>"$T_TMP/capture.err" ||
	{ echo "seed.sh: mpstore capture failed: $(tail -2 "$T_TMP/capture.err")" >&2; exit 1; }
$PY $SEED frames "$OUT" mpsim "$T_TMP/sim.cap" &&
	$PY $SEED records "$OUT" "$T_TMP"/rings/* &&
	$PY $SEED ringimg "$OUT" "$T_TMP"/rings/* &&
	$PY $SEED messages "$OUT" "$T_TMP/dump.txt" || { echo "seed.sh: seeding from the mpsim run failed" >&2; exit 1; }
n=0
while IFS= read -r f; do
	$PY $SEED segment "$OUT" "$f" "$(basename "$(dirname "$f")")-$(basename "$f")" || exit 1
	n=$((n + 1))
done < <(find "$SYS_DATA/store" -type f -size +1k | sort | head -6)
[ "$n" -gt 0 ] || { echo "seed.sh: the mpsim run left no store segment" >&2; exit 1; }
cp "$CONF" "$OUT/fuzz_cfg/mpsim-system.ini"

touch "$OUT/.seeded"
for d in "$OUT"/*/; do printf '%s %d\n' "$(basename "$d")" "$(find "$d" -type f | wc -l)"; done
