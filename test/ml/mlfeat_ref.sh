#!/usr/bin/env bash
# mlfeat_ref.sh - routerd/mlfeat.c (via test_mlfeat --dump) against an
# independent exact computation of the same definitions (mlfeat_ref.py) on
# fixed hand-made books: a small one with levels exactly on the depth-band
# edges, a 5000 x 4999 one whose sums exceed 2^53, one level a side; with the
# requirement's heatmap and depth image (routerd/mlimg.h) of each, and the
# delta flows (routerd/mlflow.h) of a fixed delta sequence.
. "$(dirname "$0")/../lib.sh"
/usr/bin/python3 -c 'import numpy' 2>/dev/null || { skip mlfeat_ref "/usr/bin/python3 without numpy"; exit 0; }
[ -x "$BIN/test/test_mlfeat" ] || { skip mlfeat_ref "$BIN/test/test_mlfeat not built"; exit 0; }
/usr/bin/python3 "$MP_ROOT/test/ml/mlfeat_ref.py" gen "$T_TMP" || { not_ok mlfeat_ref_gen "books not written"; exit 0; }
for b in small deep one; do
	if ! "$BIN/test/test_mlfeat" --dump "$T_TMP/$b.book" >"$T_TMP/$b.out" 2>"$T_TMP/$b.err"; then
		not_ok "mlfeat_ref_$b" "test_mlfeat --dump failed: $(head -2 "$T_TMP/$b.err")"
		continue
	fi
	/usr/bin/python3 "$MP_ROOT/test/ml/mlfeat_ref.py" check "$T_TMP/$b.book" "$T_TMP/$b.out"
done
/usr/bin/python3 "$MP_ROOT/test/ml/mlfeat_ref.py" flowgen "$T_TMP/flow.deltas"
if "$BIN/test/test_mlfeat" --flow "$T_TMP/flow.deltas" >"$T_TMP/flow.out" 2>"$T_TMP/flow.err"; then
	/usr/bin/python3 "$MP_ROOT/test/ml/mlfeat_ref.py" flowcheck "$T_TMP/flow.deltas" "$T_TMP/flow.out"
else
	not_ok mlflow_ref "test_mlfeat --flow failed: $(head -2 "$T_TMP/flow.err")"
fi
