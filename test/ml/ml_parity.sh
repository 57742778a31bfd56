#!/usr/bin/env bash
# ml_parity.sh - live features identical to offline ones.  The real pipeline
# (mpsim -> feedd -> bookd -> routerd -> nats-server, and -> stored) under
# mpctl with [ml] enabled; mpsub reads orderbook.full / orderbook.snapshot
# from JetStream; then mpexport --what mlfeatures reads the store.  For every
# orderbook.full message whose update id mpexport sampled, each ml_features
# value equals mlfeatures.npy at that id bit for bit; every periodic
# full_refresh must have such a sample (a sync "snapshot" anchors an epoch
# before any delta, so mpexport has a sample at its id only if an earlier
# epoch reached the same id: counted, not required).  "At its id" is the
# last sample with that id received no later than the message's record: on
# OKX a books-full REST merge changes the book and keeps the seqId.
# Also the flow-trend predictor tools/mpflow against an independent
# computation from the same pure deltas, and its durable consumer resuming.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../mpctl/lib_system.sh"

/usr/bin/python3 -c 'import numpy' 2>/dev/null || { skip ml_parity "/usr/bin/python3 without numpy"; exit 0; }
[ -x "$BIN/mpexport" ] || { skip ml_parity "$BIN/mpexport not built"; exit 0; }
sys_require ml_parity
sys_config 1
printf '[bookd]\nfull_interval = 3s\n[ml]\nenabled = true\nfeatures = all,heatmap,depth_image,delta_flow\n' >>"$CONF"
SYS_KEEP_LOGS=ml-parity
START=$(date +%s%N)
if sys_start; then ok ml_parity_start; else not_ok ml_parity_start "$(mpctl status 2>&1)"; exit 1; fi
if ! wait_for 90 sys_books_synced 1000; then
	not_ok ml_parity_synced "$(sys_books_summary)"
	exit 1
fi
# the sync full books and at least four periodic ones per book
full_books() {
	"$BIN/mpsub" -c "$CONF" --streams 2>/dev/null | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)["streams"]["ORDERBOOK_FULL"]
sys.exit(0 if s["messages"] >= int(sys.argv[1]) else 1)' "$1"
}
wait_for 60 full_books 100 || not_ok ml_parity_full_books "ORDERBOOK_FULL holds fewer than 100 messages"
# msgs_at_least FAMILY PREFIX MIN: JetStream holds MIN messages of subjects
# PREFIX* (read through a consumer of their own, deleted after each look):
# what the checks below need is waited for, not assumed from the run length
msgs_at_least() {
	"$BIN/mpsub" -c "$CONF" --durable mlparchk --subjects "$1" --until-caught-up --seconds 20 --cleanup \
		2>/dev/null | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)["subjects"]
sys.exit(0 if sum(n for k, n in s.items() if k.startswith(sys.argv[1])) >= int(sys.argv[2]) else 1)' "$2" "$3"
}
wait_for 60 msgs_at_least snapshot orderbook.snapshot. 4 ||
	not_ok ml_parity_snapshots "fewer than 4 orderbook.snapshot messages in ORDERBOOK_FULL"
# enough Binance BTC-USDT deltas for the training case below (its export needs test windows past
# window + horizon in a 20 % split): the run lasts until they exist, not a guessed time
bn_deltas() {
	"$BIN/mpsub" -c "$CONF" --durable "mlcount$RANDOM" --subjects pure_delta --until-caught-up --seconds 30 \
	    --cleanup 2>/dev/null | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)["subjects"]
sys.exit(0 if s.get("orderbook.pure_delta.binance.btc-usdt", 0) >= int(sys.argv[1]) else 1)' "$1"
}
wait_for 180 bn_deltas 250 || not_ok ml_parity_deltas "fewer than 250 binance BTC-USDT deltas on orderbook.pure_delta"
"$BIN/mpsub" -c "$CONF" --durable mlpar --subjects full,snapshot,delta --until-caught-up --seconds 60 \
	--dump "$T_TMP/dump.txt" >"$T_TMP/summary.json" 2>"$T_TMP/mpsub.log" ||
	not_ok ml_parity_mpsub "$(tail -2 "$T_TMP/mpsub.log")"
# the flow-trend predictor (tools/mpflow) on the same stream: its windows against an independent
# computation from the pure deltas mpsub read; a second run of the same durable consumer resumes
"$BIN/mpsub" -c "$CONF" --durable mlflowref --subjects pure_delta --until-caught-up --seconds 60 \
	--dump "$T_TMP/pd.txt" >/dev/null 2>"$T_TMP/mpsub_pd.log" || not_ok mpflow_ref_dump "$(tail -2 "$T_TMP/mpsub_pd.log")"
"$BIN/mpflow" -c "$CONF" --exchange binance --symbol BTC-USDT --until-caught-up --seconds 60 \
	>"$T_TMP/flow1.jsonl" 2>"$T_TMP/flow1.err"
rc=$?
if [ "$rc" = 0 ]; then ok mpflow_exit; else not_ok mpflow_exit "rc=$rc: $(grep -m3 -E 'ERROR|SUMMARY|mpflow' "$T_TMP/flow1.err")"; fi
"$BIN/mpflow" -c "$CONF" --exchange binance --symbol BTC-USDT --until-caught-up --seconds 60 --cleanup \
	>"$T_TMP/flow2.jsonl" 2>"$T_TMP/flow2.err"
# OKX: a books-full deep merge about every second, which mpflow must leave out of its window as ml_flow does
"$BIN/mpflow" -c "$CONF" --exchange okx --symbol BTC-USDT --until-caught-up --seconds 60 --cleanup \
	>"$T_TMP/flow_okx.jsonl" 2>"$T_TMP/flow_okx.err" || not_ok mpflow_okx_exit "$(tail -2 "$T_TMP/flow_okx.err")"
/usr/bin/python3 - "$T_TMP/pd.txt" "$T_TMP/flow1.jsonl" "$T_TMP/flow1.err" "$T_TMP/flow2.err" <<'EOF'
import json, re, sys
from decimal import Decimal
def res(name, cond, why):
    print(('ok %s' % name) if cond else ('not ok %s - %s' % (name, why)))
QD = 10**8   # the instruments' size exponent (-8, inst.h default for binance and okx)
mant = lambda s: int(Decimal(s) * QD)
deltas = [json.loads(l.split('\t', 1)[1]) for l in open(sys.argv[1]) if l.startswith('orderbook.pure_delta.binance.btc-usdt\t')]
last = [{}, {}]
per = []
merges = 0
for d in deltas:
    # a refresh merge (update_id == prev_update_id, with changes): its sizes are taken, it is no delta
    merge = d['update_id'] == d['prev_update_id'] and d['update_id'] > 0 and d['bid_updates'] + d['ask_updates']
    fl = [0, 0]
    for s, k in ((0, 'bid_updates'), (1, 'ask_updates')):
        for u in d[k]:
            q = mant(u['quantity'])
            fl[s] += q - last[s].get(u['price'], 0)
            last[s][u['price']] = q
    if merge:
        merges += 1
        continue
    per.append((fl[0], fl[1], len(d['bid_updates']), len(d['ask_updates']), d['update_id']))
want = []
for i in range(99, len(per)):
    w = per[i - 99:i + 1]
    b = sum(x[0] for x in w)
    a = sum(x[1] for x in w)
    # exact integer sums, then one rounding each (routerd/mlflow.c mlfl_read)
    ratio = float(b - a) / float(abs(b) + abs(a)) if abs(b) + abs(a) > 0 else 0.0
    want.append({'update_id': per[i][4], 'bid_flow': float(b) / QD, 'ask_flow': float(a) / QD,
                 'net_flow': float(b - a) / QD, 'flow_ratio': ratio,
                 'bid_updates': sum(x[2] for x in w), 'ask_updates': sum(x[3] for x in w),
                 'prediction': 'up' if ratio > 0.2 else 'down' if ratio < -0.2 else 'flat'})
got = [json.loads(l) for l in open(sys.argv[2])]
k = min(len(want), len(got))
bad = [i for i in range(k) if any(got[i][f] != want[i][f] for f in want[i])]
res('mpflow_matches_reference', k >= 20 and not bad,
    '%d deltas read by mpsub (%d merges), %d windows printed, %d compared, first difference %s' %
    (len(deltas), merges, len(got), k, (got[bad[0]], want[bad[0]]) if bad else None))
n1 = int(re.search(r'(\d+) deltas', open(sys.argv[3]).read()).group(1))
n2 = int(re.search(r'(\d+) deltas', open(sys.argv[4]).read()).group(1))
res('mpflow_durable_resumes', n1 >= len(per) and n2 < n1 / 2, 'first run %d deltas, second %d' % (n1, n2))
print('# mpflow: %d deltas, %d windows compared exactly (%d refresh merges left out); second run of the durable '
      'consumer read %d new deltas' % (n1, k, merges, n2))
EOF
sys_stop
END=$(date +%s%N)

"$BIN/mpexport" -c "$CONF" --quiet --exchange binance,okx --symbol BTC-USDT,ETH-USDT --from "$START" --to "$END" \
	--out "$T_TMP/out" --what mlfeatures,req 2>"$T_TMP/export.err"
check ml_parity_export test $? = 0
# the training example on an export of this short mpsim run (DeepLOB windows + labels of one book):
# the loss decreases and no step reads a row later than its label allows (test_ml.py TestTrainingSim)
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
	if "$BIN/mpexport" -c "$CONF" --quiet --exchange binance --symbol BTC-USDT --from "$START" --to "$END" \
		--out "$T_TMP/train" --window 20 --horizons 10,20 --threshold-bps 0.05 --split 0.6,0.2,0.2 \
		--what deeplob,labels 2>"$T_TMP/train.err"; then
		(cd "$MP_ROOT" && ML_SIM="$T_TMP/train" /usr/bin/python3 -W ignore -m unittest discover \
			-v -s test/ml -t test/ml -p test_ml.py -k TestTrainingSim) >"$T_TMP/train.log" 2>&1
		# one case ran and passed (a skip is no pass)
		if [ $? = 0 ] && grep -q '^Ran 1 test' "$T_TMP/train.log" && grep -q 'test_train_mpsim_run .* ok$' "$T_TMP/train.log"
		then ok ml_train_mpsim_run
		else
			not_ok ml_train_mpsim_run "$(grep -m1 -E '^[A-Za-z]*(Error|Exception)' "$T_TMP/train.log")"
			# the unittest failure section, or (none: killed, skipped, nothing ran) the log's end
			if grep -q '^=====' "$T_TMP/train.log"; then sed -n '/^=====/,$p' "$T_TMP/train.log" | head -30
			else tail -15 "$T_TMP/train.log"; fi | sed 's/^/# /'
		fi
	else
		not_ok ml_train_mpsim_run "mpexport: $(tail -2 "$T_TMP/train.err")"
	fi
else
	skip ml_train_mpsim_run "/usr/bin/python3 without torch"
fi
/usr/bin/python3 - "$T_TMP/dump.txt" "$T_TMP/out" "$MP_ROOT/tools/mlpy" "$T_TMP" <<'EOF'
import calendar, json, re, struct, sys
import numpy as np
sys.path.insert(0, sys.argv[3])
from marketprism import load_export
dump, out = sys.argv[1], sys.argv[2]
def res(name, cond, why):
    print(('ok %s' % name) if cond else ('not ok %s - %s' % (name, why)))
bits = lambda x: struct.pack('<d', x)
def ns(iso):
    day, frac = iso.rstrip('Z').split('.')
    return (calendar.timegm(tuple(int(x) for x in day.replace('T', '-').replace(':', '-').split('-')) + (0, 0, 0))
            * 10**9 + int(frac.ljust(9, '0')))
full = {}
deltas = {}
snap = {'n': 0, 'with': 0}
for line in open(dump):
    subj, body = line.rstrip('\n').split('\t', 1)
    m = json.loads(body)
    if subj.startswith('orderbook.snapshot.'):
        snap['n'] += 1
        snap['with'] += isinstance(m.get('ml_features'), dict) and len(m['ml_features']) == 35
    elif subj.startswith('orderbook.full.'):
        full.setdefault((m['exchange_name'], m['symbol_name']), []).append(m)
    elif subj.startswith('orderbook.delta.'):
        deltas.setdefault((m['exchange_name'], m['symbol_name']), []).append(m)
res('ml_snapshot_has_features', snap['n'] > 0 and snap['with'] == snap['n'], snap)
for (ex, sym), msgs in sorted(full.items()):
    d = '%s/%s/%s' % (out, ex, sym)
    e = load_export(d)   # the Python package's loader, as a researcher reads it
    cols = e.ml_columns
    ids, ml, ts = np.asarray(e.ids), np.asarray(e.mlfeatures), np.asarray(e.timestamps)
    rh, rr, di = (np.load('%s/%s' % (d, f), mmap_mode='r') for f in
                  ('reqheatmap.npy', 'reqheatmap_range.npy', 'depthimage.npy'))
    compared = refresh = anchors = anchors_cmp = 0
    img_cmp = 0
    img_bad = []
    bad = []
    for m in msgs:
        f = m['ml_features']
        periodic = m['update_type'] == 'full_refresh'
        refresh += periodic
        anchors += not periodic
        # the book at that id as of the message: on OKX a books-full REST merge changes the book and keeps
        # the seqId, so an id can name several states; take the last sample at that id received no later
        # than the message's record (collected_at has microseconds: 1 us of slack)
        rows = np.nonzero((ids == m['last_update_id']) & (ts <= ns(m['collected_at']) + 1000))[0]
        if not len(rows):
            if periodic:
                bad.append('full_refresh at id %d: no mlfeatures row' % m['last_update_id'])
            continue
        r = rows[-1]
        if not isinstance(f, dict) or sorted(f) != sorted(cols):
            bad.append('id %d: ml_features keys differ from metadata columns' % m['last_update_id'])
            continue
        # the requirement's images (ml_images) against reqheatmap.npy / depthimage.npy, bit for bit
        im = m.get('ml_images') or {}
        h, di_live = im.get('heatmap'), im.get('depth_image')
        if not h or not di_live:
            img_bad.append('id %d: ml_images without heatmap or depth_image' % m['last_update_id'])
        else:
            live = np.array([h['price_lo'], h['price_hi']] + h['bid'] + h['ask'] + di_live['bid'] + di_live['ask'])
            off = np.concatenate([rr[r], rh[r, :, 0], rh[r, :, 1], di[r, :, 0], di[r, :, 1]])
            if live.shape != off.shape or live.tobytes() != off.astype('<f8').tobytes():
                k = int(np.argmax(live != off)) if live.shape == off.shape else -1
                img_bad.append('id %d: value %d live %r offline %r' % (m['last_update_id'], k,
                               live[k] if k >= 0 else live.shape, off[k] if k >= 0 else off.shape))
            img_cmp += 1
        diff = [c for k, c in enumerate(cols) if bits(float(f[c])) != bits(float(ml[r, k]))]
        compared += 1
        anchors_cmp += not periodic
        if diff:
            bad.append('id %d (%s): %d differ, e.g. %s live %r offline %r' % (m['last_update_id'], m['update_type'],
                       len(diff), diff[0], f[diff[0]], float(ml[r, cols.index(diff[0])])))
    name = '%s_%s' % (ex, sym)
    res('ml_parity_' + name, not bad and refresh >= 2 and compared >= refresh,
        '%d full_refresh, %d compared, %s' % (refresh, compared, '; '.join(bad[:3])))
    res('ml_images_parity_' + name, not img_bad and img_cmp >= refresh and img_cmp > 0,
        '%d compared, %s' % (img_cmp, '; '.join(img_bad[:3])))
    print('# %s: %d ml_images compared bit for bit (heatmap 200 x 2 + range, depth image 100 x 2)' % (name, img_cmp))
    # the offline-only artefacts: shapes and what a run must show (mpsim sends best bid/offer tickers:
    # the ticker mid and spread are known by the end)
    fl = np.load(d + '/deltaflow.npy')
    st, sf = np.load(d + '/reqstack.npy', mmap_mode='r'), np.load(d + '/reqstack_features.npy', mmap_mode='r')
    mk = np.load(d + '/market.npy')
    res('ml_req_artefacts_' + name, fl.shape == (len(ids), 7) and fl[:, 6].max() == 100 and
        (fl[:, 4] + fl[:, 5] >= fl[:, 6]).all() and st.shape[1:] == (10, 200, 2) and st.shape[0] > 0 and
        sf.shape == (st.shape[0], 10, 35) and mk.shape == (len(ids), len(json.load(open(d + '/metadata.json'))['requirement_artefacts']['market']['columns'])) and np.isfinite(mk[-1, 1:3]).all(),
        'deltaflow %s (max window %s), reqstack %s / %s, market %s (last row %s)' % (
            fl.shape, fl[:, 6].max() if len(fl) else None, st.shape, sf.shape, mk.shape, mk[-1] if len(mk) else None))
    print('# %s: %d stacks of 10 requirement heatmaps, %d deltaflow rows' % (name, st.shape[0], len(fl)))
    # live delta flows (ml_flow on orderbook.delta) = deltaflow.npy at the same update id, bit for bit,
    # wherever both windows hold 100 deltas (the same 100 deltas against the same book)
    fcmp, fbad, with_flow = 0, [], 0
    for m in deltas.get((ex, sym), []):
        lf = m.get('ml_flow')
        if not lf:
            continue
        with_flow += 1
        if lf['window_deltas'] != 100:
            continue
        rows = np.nonzero((ids == m['last_update_id']) & (ts <= ns(m['collected_at']) + 1000))[0]
        if not len(rows) or fl[rows[-1], 6] != 100:
            continue
        live = np.array([lf[k] for k in ('bid_flow', 'ask_flow', 'net_flow', 'flow_ratio', 'bid_updates',
                                         'ask_updates', 'window_deltas')])
        fcmp += 1
        if live.tobytes() != fl[rows[-1]].astype('<f8').tobytes():
            fbad.append('id %d: live %s offline %s' % (m['last_update_id'], live.tolist(), fl[rows[-1]].tolist()))
    res('ml_flow_parity_' + name, fcmp >= 50 and not fbad, '%d delta messages with ml_flow, %d compared; %s' %
        (with_flow, fcmp, '; '.join(fbad[:2])))
    print('# %s: %d orderbook.delta messages carry ml_flow, %d with full windows compared bit for bit x 7'
          % (name, with_flow, fcmp))
    print('# %s: %d orderbook.full messages, %d full_refresh, %d compared bit for bit x %d features '
          '(%d of %d sync anchors had a sample at their id)' % (name, len(msgs), refresh, compared, len(cols),
                                                               anchors_cmp, anchors))
res('ml_parity_four_books', len(full) == 4, sorted(full))
# mpflow's window is ml_flow's window: the same deltas (merges left out by the same rule), so its update
# counts equal ml_flow's at the same update id wherever both hold 100 deltas (its flows differ only where
# it measures a level it had not seen: it knows no book before the first delta)
for ex, path, errf in (('binance', sys.argv[4] + '/flow1.jsonl', None),
                       ('okx', sys.argv[4] + '/flow_okx.jsonl', sys.argv[4] + '/flow_okx.err')):
    live = {}
    for m in deltas.get((ex, 'BTC-USDT'), []):
        lf = m.get('ml_flow')
        if lf and lf['window_deltas'] == 100:
            live.setdefault(m['last_update_id'], set()).add((lf['bid_updates'], lf['ask_updates']))
    got = [json.loads(l) for l in open(path)]
    cmp_, bad = 0, []
    for g in got:
        w = live.get(g['update_id'])
        if not w:
            continue
        cmp_ += 1
        if w != {(g['bid_updates'], g['ask_updates'])}:
            bad.append('id %d: mpflow %d/%d, ml_flow %s' % (g['update_id'], g['bid_updates'], g['ask_updates'], w))
    merges = int(re.search(r'(\d+) refresh merges', open(errf).read()).group(1)) if errf else None
    res('mpflow_counts_match_ml_flow_' + ex, cmp_ >= 50 and not bad and (merges is None or merges > 0),
        '%d lines, %d compared, merges %s; %s' % (len(got), cmp_, merges, '; '.join(bad[:3])))
    print('# mpflow %s BTC-USDT: %d windows with the update counts of ml_flow at the same id%s' %
          (ex, cmp_, '' if merges is None else ' (%d refresh merges left out)' % merges))
EOF
# a comparison that crashed prints no result: a failure, not a pass
check ml_parity_compare_ran test $? = 0
if python3 -c 'import jsonschema' 2>/dev/null; then
	if r=$(python3 "$MP_ROOT/test/routerd/check.py" validate "$T_TMP/dump.txt"); then ok ml_messages_match_schema
	else not_ok ml_messages_match_schema "$r"; fi
fi
check ml_routerd_no_errors bash -c "! grep -E ' (WARN|ERROR) ' '$SYS_DATA/log/routerd.log' | grep -v 'nats disconnected\|connection closed'"
