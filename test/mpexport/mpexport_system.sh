#!/usr/bin/env bash
# mpexport_system.sh - mpexport on a store written by the real pipeline
# (mpsim -> feedd -> bookd -> stored, under mpctl, with one injected Binance
# gap): the book mpexport rebuilds agrees with every best level bookd wrote,
# every top-N and periodic full snapshot; the gap is listed with bookd's
# reason; the clock never runs backwards; the arrays load with numpy.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../mpctl/lib_system.sh"

PY=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import numpy' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || { skip mpexport_system "python3 with numpy not found"; exit 0; }
[ -x "$BIN/mpexport" ] || { skip mpexport_system "$BIN/mpexport not built"; exit 0; }
sys_require mpexport_system
sys_config 1
# periodic full snapshots within the short run
printf '[bookd]\nfull_interval = 5s\n' >>"$CONF"
SYS_KEEP_LOGS=mpexport-system
START=$(date +%s%N)
if sys_start; then ok mpexport_system_start; else not_ok mpexport_system_start "$(mpctl status 2>&1)"; exit 1; fi
if ! wait_for 90 sys_books_synced 1000; then
	not_ok mpexport_system_synced "$(sys_books_summary)"
	exit 1
fi
# ~20 s of synced data with one Binance increment lost (injected once synced) in the middle
sleep 8
curl -sf -X POST "http://127.0.0.1:$SIM_B/_sim/fault?kind=gap&venue=binance&symbol=BTC-USDT" >/dev/null ||
	not_ok mpexport_system_fault "mpsim did not take the fault"
sleep 12
sys_stop
END=$(date +%s%N)

"$BIN/mpexport" -c "$CONF" --quiet --exchange binance,okx --symbol BTC-USDT,ETH-USDT --from "$START" --to "$END" \
	--out "$T_TMP/out" --window 20 --horizons 5,10 --bins 100 --stack-len 3 2>"$T_TMP/export.err"
check mpexport_system_export test $? = 0
"$PY" - "$T_TMP/out" <<'EOF'
import json, sys
import numpy as np
out = sys.argv[1]
def res(name, cond, why):
    print(("ok %s" % name) if cond else ("not ok %s - %s" % (name, why)))
for b in ('binance/BTC-USDT', 'binance/ETH-USDT', 'okx/BTC-USDT', 'okx/ETH-USDT'):
    n = b.replace('/', '_')
    m = json.load(open('%s/%s/metadata.json' % (out, b)))
    c = m['counts']
    res('system_agrees_with_bookd_' + n,
        c['book_mismatch'] == 0 and c['topn_mismatch'] == 0 and c['periodic_mismatch'] == 0
        and c['topn_checked'] > 5 and c['periodic_checked'] > 0 and c['applied'] > 50,
        {k: c[k] for k in ('applied', 'book_mismatch', 'topn_checked', 'topn_mismatch', 'periodic_checked',
                           'periodic_mismatch')})
    ts = np.load('%s/%s/timestamps.npy' % (out, b))
    res('system_clock_monotonic_' + n, c['time_regressions'] == 0 and (np.diff(ts) >= 0).all() and len(ts) > 50,
        'regressions %d, rows %d' % (c['time_regressions'], len(ts)))
    reasons = [g['reason'] for g in m['gaps']]
    if b == 'binance/BTC-USDT':
        res('system_gap_listed', 'event:gap' in reasons, reasons)
        g = [x for x in m['gaps'] if x['reason'] == 'event:gap']
        inside = ((ts > g[0]['from_ns']) & (ts < g[0]['to_ns'])).sum() if g else -1
        res('system_no_sample_in_gap', inside == 0, '%d rows inside the gap' % inside)
    f = m['files']
    ok = all(list(np.load('%s/%s/%s' % (out, b, k), mmap_mode='r').shape) == v['shape'] for k, v in f.items())
    res('system_files_load_' + n, ok, 'shapes differ from metadata.json')
EOF

# LOBSTER files from the same store (5000-level books, one injected gap): the exact top 10 of every
# sample inside a file's span, no file across the gap, no inexact price, the mirror never diverged within
# the written levels (deep differences from depth-limit evictions are resynced and counted)
"$BIN/mpexport" -c "$CONF" --quiet --exchange binance,okx --symbol BTC-USDT --from "$START" --to "$END" \
	--out "$T_TMP/lob" --what deeplob,lobster --prices abs 2>"$T_TMP/lob.err"
check mpexport_system_lobster_export test $? = 0
/usr/bin/python3 - "$T_TMP/lob" "$MP_ROOT/tools/mlpy" <<'EOF'
import sys
import numpy as np
sys.path.insert(0, sys.argv[2])
from marketprism import load_export, read_lobster
for b in ('binance/BTC-USDT', 'okx/BTC-USDT'):
    d = '%s/%s' % (sys.argv[1], b)
    e = load_export(d)
    ts, dl = np.asarray(e.timestamps), np.asarray(e.deeplob, dtype=np.float64)
    c = e.meta['lobster']['counts']
    n, bad = 0, 0
    files = read_lobster(d)
    for f in files:
        t = f.epoch_ns()
        rows = np.nonzero((ts >= t[0]) & (ts <= t[-1]))[0]
        i = np.searchsorted(t, ts[rows], side='right') - 1
        # deeplob --prices abs is float32: compare prices to 1e-6 relative, sizes to float32 precision
        for k in range(10):
            for col, px, sz in ((4 * k, f.ask_px, f.ask_sz), (4 * k + 2, f.bid_px, f.bid_sz)):
                p, q = px[i, k] / 1e4, sz[i, k] * e.meta['lobster']['size_unit']
                have = np.isfinite(dl[rows, col])
                bad += int((np.abs(p[have] - dl[rows, col][have]) > 1e-6 * p[have]).sum())
                bad += int((np.abs(q[have] - dl[rows, col + 1][have]) > 1e-6 * np.maximum(q[have], 1e-3)).sum())
                bad += int((have != (q > 0)).sum())
        n += len(rows)
    g = [x for x in e.meta['gaps'] if x['reason'] == 'event:gap']
    across = sum(1 for f in files for x in g if f.epoch_ns()[0] < x['from_ns'] and f.epoch_ns()[-1] > x['to_ns'])
    name = b.replace('/', '_')
    ok = n > 50 and bad == 0 and across == 0 and c['mirror_visible_resyncs'] == 0 and c['inexact_prices'] == 0
    print(('ok system_lobster_%s' % name) if ok else 'not ok system_lobster_%s - %d samples, %d differences, '
          '%d files across the gap, counts %s' % (name, n, bad, across, c))
EOF
