#!/usr/bin/env bash
# mpexport.sh - mpexport end to end on stores written by the store writer
# (bin/test/mpexport_gen), checked against an independent rebuild (ref.py,
# Python dicts + numpy), plus look-ahead, .npy format and error cases.
. "$(dirname "$0")/../lib.sh"
cd "$MP_ROOT" || exit 2
D=86400000000000
S=1000000000
F0=1763596800000000000          # 2025-11-20T00:00:00Z, the generator's default start

# numpy: the Debian python3-numpy (the python3 first on PATH may be another one).
PY=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import numpy' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
	skip mpexport_all "python3 with numpy not found (make deps installs python3-numpy)"
	exit 0
fi
REF="$PY test/mpexport/ref.py"

gen() { "$BIN/test/mpexport_gen" "$@" >"$T_TMP/gen.log" 2>&1 || { cat "$T_TMP/gen.log"; return 1; }; }
# --warmup as ref.py assumes (the default follows [bookd] full_interval)
export_() { "$BIN/mpexport" --quiet --warmup 120s "$@" 2>>"$T_TMP/export.log"; }

# ---- 1: per-update sampling, one hour with an announced gap and an unannounced break
gen --root "$T_TMP/s1" --dump "$T_TMP/d1.txt" --updates 3000 --gaps 1 || { not_ok gen1; exit 1; }
TO=$((F0 + 3600 * S))
if export_ --store "$T_TMP/s1" --exchange binance --symbol BTC-USDT --from $F0 --to $TO --out "$T_TMP/o1" \
	--window 20 --horizons 5,10 --bins 40 --stack-len 5 --stack-interval 10s --stack-stride 2 --materialize; then
	ok export_update
	$REF "$T_TMP/d1.txt" "$T_TMP/o1" --from $F0 --to $TO --window 20 --horizons 5,10 --bins 40 \
		--stack-len 5 --stack-ns $((10 * S)) --stack-stride 2 --name update
	"$PY" - "$T_TMP/o1" <<'EOF'
import json, sys
import numpy as np
o = sys.argv[1]
m = json.load(open(o + '/metadata.json'))
x, d, w = np.load(o + '/deeplob_x.npy'), np.load(o + '/deeplob.npy'), np.load(o + '/deeplob_windows.npy')
T = m['deeplob']['window']
ok = x.shape == (len(w), T, d.shape[1]) and all(np.array_equal(x[i], d[w[i] - T + 1:w[i] + 1]) for i in range(len(w)))
print('ok materialized_windows' if ok else 'not ok materialized_windows - deeplob_x does not match deeplob[windows]')
reasons = sorted(g['reason'] for g in m['gaps'])
ok = reasons == ['continuity_break', 'end_of_data', 'event:gap']
print('ok gap_reasons' if ok else 'not ok gap_reasons - %s' % reasons)
f = m['files']
ok = all(list(np.load(o + '/' + k, mmap_mode='r').shape) == v['shape'] and
         np.load(o + '/' + k, mmap_mode='r').dtype.str == v['dtype'] for k, v in f.items())
print('ok metadata_shapes' if ok else 'not ok metadata_shapes - metadata.json disagrees with the files')
EOF
else
	not_ok export_update "$(tail -3 "$T_TMP/export.log")"
fi

# ---- 2: interval sampling, range starting mid-epoch (the warm-up finds a periodic snapshot)
F=$((F0 + 600 * S)); TO=$((F0 + 2400 * S))
if export_ --store "$T_TMP/s1" --exchange binance --symbol BTC-USDT --from $F --to $TO --out "$T_TMP/o2" \
	--sample interval:5s --window 10 --horizons 3,7 --bins 40 --what deeplob,features,heatmap,labels; then
	ok export_interval
	$REF "$T_TMP/d1.txt" "$T_TMP/o2" --from $F --to $TO --sample-ns $((5 * S)) --window 10 --horizons 3,7 \
		--bins 40 --name interval
else
	not_ok export_interval "$(tail -3 "$T_TMP/export.log")"
fi

# ---- 3: z-score normalization from prior days, 4 days of data, export days 3-4
gen --root "$T_TMP/s3" --dump "$T_TMP/d3.txt" --updates 5760 --step-ms 60000 --gaps 1 || { not_ok gen3; exit 1; }
F=$((F0 + 2 * D)); TO=$((F0 + 4 * D))
if export_ --store "$T_TMP/s3" --exchange binance --symbol BTC-USDT --from $F --to $TO --out "$T_TMP/o3" \
	--norm zscore-prior-days --norm-days 2 --window 30 --horizons 5,20 --bins 40 --what deeplob,features,labels; then
	ok export_norm
	$REF "$T_TMP/d3.txt" "$T_TMP/o3" --from $F --to $TO --norm-days 2 --window 30 --horizons 5,20 --bins 40 \
		--name norm
else
	not_ok export_norm "$(tail -3 "$T_TMP/export.log")"
fi

# ---- 4: no look-ahead: two stores equal before TDIV (day 3, 12:00) and different after it
TDIV=$((F0 + 2 * D + D / 2))
gen --root "$T_TMP/sa" --dump "$T_TMP/da.txt" --updates 5760 --step-ms 60000 --diverge-at $TDIV --diverge-seed 5 &&
	gen --root "$T_TMP/sb" --dump "$T_TMP/db.txt" --updates 5760 --step-ms 60000 --diverge-at $TDIV --diverge-seed 9 ||
	{ not_ok gen4; exit 1; }
F=$((F0 + 2 * D)); TO=$((F0 + 4 * D))
for x in a b; do
	export_ --store "$T_TMP/s$x" --exchange binance --symbol BTC-USDT --from $F --to $TO --out "$T_TMP/o$x" \
		--norm zscore-prior-days --norm-days 2 --window 30 --horizons 5,20 --bins 40 \
		--what deeplob,features,labels || not_ok export_lookahead_$x "$(tail -3 "$T_TMP/export.log")"
done
"$PY" - "$T_TMP/oa" "$T_TMP/ob" $TDIV <<'EOF'
import json, sys
import numpy as np
a, b, tdiv = sys.argv[1], sys.argv[2], int(sys.argv[3])
L = lambda o, n: np.load('%s/%s.npy' % (o, n))
ta, tb = L(a, 'timestamps'), L(b, 'timestamps')
na, nb = (ta < tdiv).sum(), (tb < tdiv).sum()
def check(name, cond, why=''):
    print(('ok ' + name) if cond else ('not ok %s - %s' % (name, why)))
check('lookahead_rows_before', na == nb and na > 100 and np.array_equal(ta[:na], tb[:nb]), '%d vs %d' % (na, nb))
for n in ('ids', 'mid', 'deeplob', 'features', 'segment'):
    check('lookahead_same_%s' % n, np.array_equal(L(a, n)[:na], L(b, n)[:na], equal_nan=n in ('deeplob', 'features')),
          'values before the change differ')
check('lookahead_data_differs_after', not np.array_equal(L(a, 'mid')[na:na + 50], L(b, 'mid')[nb:nb + 50]),
      'the two stores should differ after TDIV (the test would prove nothing)')
ma, mb = json.load(open(a + '/metadata.json')), json.load(open(b + '/metadata.json'))
ha = json.load(open(a + '/metadata.json'))['labels']['horizons']
la, lb, ra, rb = L(a, 'labels'), L(b, 'labels'), L(a, 'label_returns'), L(b, 'label_returns')
ok = True
for h, k in enumerate(ha):
    # a label may only depend on rows up to t+k: those before TDIV are equal
    m = na - k
    ok = ok and np.array_equal(la[:m, h], lb[:m, h]) and np.array_equal(ra[:m, h], rb[:m, h], equal_nan=True)
check('lookahead_labels_before', ok, 'labels whose horizon ends before the change differ')
for h, k in enumerate(ha):
    check('labels_end_marked_k%d' % k, (la[-k:, h] == -128).all() and np.isnan(ra[-k:, h]).all(),
          'the last k rows must be marked not available, not invented')
pa = {d['day']: d for d in ma['normalization']['per_day']}
pb = {d['day']: d for d in mb['normalization']['per_day']}
day = '2025-11-22'
check('lookahead_norm_same_day', pa[day]['deeplob'] == pb[day]['deeplob'] and pa[day]['features'] == pb[day]['features'],
      'the statistics of the day containing the change must not see it')
nxt = '2025-11-23'
check('norm_next_day_uses_it', pa[nxt]['features'] != pb[nxt]['features'],
      'the next day is normalized with the changed day (the check would prove nothing otherwise)')
EOF

# ---- 5: the .npy header as numpy's format specification defines it
"$PY" - "$T_TMP/o1" <<'EOF'
import ast, glob, sys
import numpy as np
from numpy.lib import format as fmt
bad = []
for p in sorted(glob.glob(sys.argv[1] + '/*.npy')):
    with open(p, 'rb') as f:
        major, minor = fmt.read_magic(f)
        hdr = fmt.read_array_header_1_0(f)
        off = f.tell()
        f.seek(8)
        hlen = int.from_bytes(f.read(2), 'little')
        raw = f.read(hlen)
    d = ast.literal_eval(raw.decode('latin1'))
    if (major, minor) != (1, 0) or off % 64 or not raw.endswith(b'\n') or hdr[1] is not False \
            or set(d) != {'descr', 'fortran_order', 'shape'} or d['descr'][0] not in '<|' \
            or fmt.read_array(open(p, 'rb')).shape != hdr[0]:
        bad.append(p)
print('ok npy_header_spec' if not bad else 'not ok npy_header_spec - %s' % bad)
EOF

# ---- 6: command line and errors
out=$("$BIN/mpexport" --help 2>&1)
miss=""
for o in --store --exchange --symbol --from --to --out --what --sample --warmup --max-levels --levels --window \
	--prices --materialize --bins --bin-bps --stack-len --stack-interval --stack-stride --bands --horizons \
	--threshold-bps --smooth --split --norm --norm-days --progress --quiet; do
	grep -q -- "$o" <<<"$out" || miss="$miss $o"
done
check help_documents_every_option test -z "$miss"
"$BIN/mpexport" --store "$T_TMP/s1" --exchange binance --symbol BTC-USDT --from 1 --to 2 --out "$T_TMP/x" \
	--sample sometimes >"$T_TMP/e1" 2>&1
rc=$?
check bad_option_exit_2 test "$rc" = 2 -a -n "$(grep -- '--sample' "$T_TMP/e1")"
"$BIN/mpexport" --quiet --store "$T_TMP/nothing" --exchange binance --symbol BTC-USDT --from $F0 --to $((F0 + S)) \
	--out "$T_TMP/x" >"$T_TMP/e2" 2>&1
rc=$?
check missing_store_exit_1 test "$rc" = 1 -a -n "$(grep -i 'nothing' "$T_TMP/e2")"
"$BIN/mpexport" --store "$T_TMP/s1" --exchange binance --symbol BTC-USDT --from $F0 --to $((F0 + 3600 * S)) \
	--out "$T_TMP/o6" --what deeplob --progress 2>"$T_TMP/e3" >/dev/null
check progress_lines test -n "$(grep -E 'mpexport: binance/BTC-USDT .*% records .* rec/s' "$T_TMP/e3")"
exit 0
