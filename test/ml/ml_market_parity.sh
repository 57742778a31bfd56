#!/usr/bin/env bash
# ml_market_parity.sh - the market-data features live identical to offline
# ones.  The real pipeline under mpctl against mpsim's Bybit (a spot book, a
# linear and an inverse perpetual: tickers, klines and, for the perpetuals,
# funding, open interest and mark/index price) with [ml] features = market;
# mpsub reads the MARKET_DATA messages from JetStream; then mpexport --what
# market reads the store.  Per instrument and subject family, the n-th
# message's ml_features equals the n-th marketupdates.npy row of that family
# bit for bit (NaN = null), and the rows' receive times match the messages'
# collected_at, so the two sides are the same records in the same order.
# Also: the perpetuals' funding rate, open interest, its change and the
# mark/index basis are numbers once seen, the spot book has none, and the
# messages match the JSON Schemas.  The bs_* columns (routerd/mlbasis.h: the
# perpetuals against the spot book BTC-USDT, by the default pairing; the
# inverse one has no BTC-USD spot) are part of the bit-for-bit comparison;
# on most mark_price rows they are numbers that satisfy their definition,
# and the spot book has none.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../mpctl/lib_system.sh"
PY=/usr/bin/python3

$PY -c 'import numpy' 2>/dev/null || { skip ml_market_parity "/usr/bin/python3 without numpy"; exit 0; }
[ -x "$BIN/mpexport" ] || { skip ml_market_parity "$BIN/mpexport not built"; exit 0; }
sys_require ml_market_parity
# Two cases (ML_MARKET_CASE): bybit (default: spot, linear and inverse perpetuals on one venue) and
# cross (test/ml/ml_basis_parity.sh: OKX spot + swap, Binance spot + USD-M swap, the latter paired
# across venues).  BOOKS: venue:SYMBOL=reference per book ("-" for a spot book); NEED: the families
# each derivative must have shown at least 20 of.
SIM_Y=$(free_port)
SIM_U=$(free_port)
SYS_SIM=false
sys_config 1
case "${ML_MARKET_CASE:-bybit}" in
bybit)
	SYMS="BTC-USDT,BTC-USDT-SWAP,BTC-USD-SWAP"
	SIM_ARGS=(--bybit-port "$SIM_Y" --bybit-symbols "$SYMS")
	BOOKS="bybit:BTC-USDT=- bybit:BTC-USDT-SWAP=bybit:BTC-USDT bybit:BTC-USD-SWAP=bybit:BTC-USDT"
	NEED="ticker,funding_rate,open_interest,mark_price"
	MK_NEED="mk_funding_rate,mk_mark_px,mk_index_px,mk_basis_bps,mk_open_interest,mk_oi_change"
	MIN_MSGS=600
	cat >>"$CONF" <<EOF
[instruments]
binance =
okx =
bybit = $SYMS
[feedd.bybit]
ws_url = ws://127.0.0.1:$SIM_Y
rest_url = http://127.0.0.1:$SIM_Y
EOF
	;;
cross)
	SIM_ARGS=(--symbols BTC-USDT,BTC-USDT-SWAP --binance-usdm-port "$SIM_U" --binance-usdm-symbols BTC-USDT-SWAP)
	BOOKS="okx:BTC-USDT=- okx:BTC-USDT-SWAP=okx:BTC-USDT binance:BTC-USDT=- binance-usdm:BTC-USDT-SWAP=binance:BTC-USDT"
	NEED="ticker,mark_price"
	MK_NEED="mk_funding_rate,mk_mark_px,mk_index_px,mk_basis_bps"
	# Binance USD-M marks come once a second (about 2 % of the messages): 1500 gives 30 and more
	MIN_MSGS=1500
	cat >>"$CONF" <<EOF
[instruments]
binance = BTC-USDT
okx = BTC-USDT, BTC-USDT-SWAP
binance-usdm = BTC-USDT-SWAP
[feedd.binance]
channels = depth, trades, tickers, klines
[feedd.okx]
channels = depth, trades, tickers, klines, market
[feedd.binance-usdm]
ws_url = ws://127.0.0.1:$SIM_U
rest_url = http://127.0.0.1:$SIM_U
channels = depth, trades, tickers, klines, market
EOF
	;;
*) not_ok ml_market_case "unknown ML_MARKET_CASE $ML_MARKET_CASE"; exit 1 ;;
esac
NBOOKS=$(echo $BOOKS | wc -w)
bg "$BIN/mpsim" --binance-port "$SIM_B" --okx-port "$SIM_O" --levels 1000 --rate 4 "${SIM_ARGS[@]}" \
	>"$T_TMP/sim.out" 2>"$T_TMP/sim.err"
wait_for 10 grep -q 'mpsim ready' "$T_TMP/sim.out" || { not_ok ml_market_sim_start "$(tail -3 "$T_TMP/sim.err")"; exit 1; }
cat >>"$CONF" <<EOF
[bookd]
snapshot_timeout = 5s
[ml]
enabled = true
features = market
EOF
SYS_KEEP_LOGS=ml-market-parity-${ML_MARKET_CASE:-bybit}
START=$(date +%s%N)
if sys_start; then ok ml_market_start; else not_ok ml_market_start "$(mpctl status 2>&1)"; exit 1; fi
synced() { sys_health "
b = d['books']
assert len(b) == $NBOOKS and all(x['synced'] for x in b), b"; }
wait_for 60 synced || { not_ok ml_market_synced "$(sys_books_summary)"; exit 1; }
# enough of every family: (bybit) at least 40 open-interest updates per perpetual (so its change is known)
market_msgs() {
	"$BIN/mpsub" -c "$CONF" --streams 2>/dev/null | $PY -c '
import json, sys
s = json.load(sys.stdin)["streams"]["MARKET_DATA"]
sys.exit(0 if s["messages"] >= int(sys.argv[1]) else 1)' "$1"
}
wait_for 90 market_msgs "$MIN_MSGS" || not_ok ml_market_messages "MARKET_DATA holds fewer than $MIN_MSGS messages"
"$BIN/mpsub" -c "$CONF" --durable mlmkt --subjects ticker,kline,funding_rate,open_interest,mark_price,liquidation \
	--until-caught-up --seconds 60 --dump "$T_TMP/dump.txt" >"$T_TMP/summary.json" 2>"$T_TMP/mpsub.log" ||
	not_ok ml_market_mpsub "$(tail -2 "$T_TMP/mpsub.log")"
sys_stop
END=$(date +%s%N)

exp_rc=0
for b in $BOOKS; do
	vs=${b%%=*}
	"$BIN/mpexport" -c "$CONF" --quiet --exchange "${vs%%:*}" --symbol "${vs#*:}" --from "$START" --to "$END" \
		--out "$T_TMP/out/${vs%%:*}/${vs#*:}" --what market 2>>"$T_TMP/export.err" || exp_rc=1
done
check ml_market_export test $exp_rc = 0
$PY - "$T_TMP/dump.txt" "$T_TMP/out" "$MP_ROOT/common/rec.h" "$BOOKS" "$NEED" "$MK_NEED" <<'EOF'
import calendar, json, math, re, struct, sys
import numpy as np
dump, out, rech, books, need_d, mk_need = sys.argv[1:7]
mk_need = mk_need.split(',')
books = [(b.split('=')[0].split(':')[0], b.split('=')[0].split(':')[1], b.split('=')[1]) for b in books.split()]
need_d = tuple(need_d.split(','))
def res(name, cond, why):
    print(('ok %s' % name) if cond else ('not ok %s - %s' % (name, why)))
def ns(iso):
    day, frac = iso.rstrip('Z').split('.')
    return (calendar.timegm(tuple(int(x) for x in day.replace('T', '-').replace(':', '-').split('-')) + (0, 0, 0))
            * 10**9 + int(frac.ljust(9, '0')))
# the record kinds from common/rec.h, not from routerd's code
h = open(rech).read()
enum = lambda n: int(re.search(r'\b%s = (\d+)' % n, h).group(1))
kind = {'ticker': enum('REC_TICKER') << 8, 'kline': enum('REC_KLINE') << 8,
        'funding_rate': enum('REC_MARKET') << 8 | enum('MK_FUNDING'),
        'open_interest': enum('REC_MARKET') << 8 | enum('MK_OPEN_INTEREST'),
        'mark_price': enum('REC_MARKET') << 8 | enum('MK_MARK'),
        'liquidation': enum('REC_MARKET') << 8 | enum('MK_LIQUIDATION')}
live = {}
for line in open(dump):
    subj, body = line.rstrip('\n').split('\t', 1)
    fam = subj.split('.')[3]
    m = json.loads(body)
    live.setdefault((subj.split('.')[1], m['symbol_name'], fam), []).append(m)
bits = lambda x: struct.pack('<d', float('nan') if x is None else x)
total = 0
for ex, sym, ref in books:
    spot = ref == '-'
    d = '%s/%s/%s' % (out, ex, sym)
    meta = json.load(open(d + '/metadata.json'))
    cols = list(meta['requirement_artefacts']['market']['columns'])
    v, k = np.load(d + '/marketupdates.npy'), np.load(d + '/marketupdates_keys.npy')
    bad, n, fams = [], 0, {}
    for fam, code in kind.items():
        msgs = live.get((ex, sym, fam), [])
        rows = np.nonzero(k[:, 2] == code)[0]
        fams[fam] = len(msgs)
        if len(msgs) > len(rows):
            bad.append('%s: %d messages, %d rows' % (fam, len(msgs), len(rows)))
            continue
        for i, m in enumerate(msgs):
            r = rows[i]
            f = m.get('ml_features')
            if not isinstance(f, dict) or list(f) != cols:
                bad.append('%s #%d: ml_features keys %s' % (fam, i, None if not f else list(f)[:3]))
                break
            # the same record: collected_at is the receive time in microseconds
            if ns(m['collected_at']) // 1000 != k[r, 0] // 1000:
                bad.append('%s #%d: collected_at %s, row %d received %d' % (fam, i, m['collected_at'], r, k[r, 0]))
                break
            diff = [c for j, c in enumerate(cols) if bits(f[c]) != struct.pack('<d', v[r, j])]
            n += 1
            if diff:
                bad.append('%s #%d: %d differ, e.g. %s live %r offline %r' % (fam, i, len(diff), diff[0], f[diff[0]],
                           v[r, cols.index(diff[0])]))
                break
    total += n
    need = ('ticker',) if spot else need_d
    name = '%s_%s' % (ex, sym)
    res('ml_market_parity_' + name, not bad and all(fams[f] >= 20 for f in need),
        '%d compared, per family %s; %s' % (n, fams, '; '.join(bad[:3])))
    print('# %s %s: %d market messages compared bit for bit x %d features (%s)' % (ex, sym, n, len(cols),
          ', '.join('%s %d' % x for x in fams.items() if x[1])))
    # the basis against the spot book (routerd/mlbasis.h): the default pairing (the inverse BTC-USD-SWAP
    # has no BTC-USD spot: BTC-USDT), numbers on most derivative rows, none on the spot book, and the
    # definition checked on the message's own values: 1e4 (mark - spot mid) / spot mid
    mk_meta = meta['requirement_artefacts']['market']
    bs = [c for c in cols if c.startswith('bs_')]
    J = {c: j for j, c in enumerate(cols)}
    if spot:
        res('ml_basis_spot_none_' + name, mk_meta.get('basis_spot') is None and len(bs) == 5 and
            all(np.isnan(v[:, J[c]]).all() for c in bs), '%s, %s' % (mk_meta.get('basis_spot'), bs))
    else:
        mrk = np.nonzero(k[:, 2] == kind['mark_price'])[0]
        have = [r for r in mrk if not np.isnan(v[r, J['bs_mark_basis_bps']])]
        want = [1e4 * (v[r, J['mk_mark_px']] - v[r, J['bs_spot_mid']]) / v[r, J['bs_spot_mid']] for r in have]
        diff = [abs(a - v[r, J['bs_mark_basis_bps']]) for a, r in zip(want, have)]
        mid = [r for r in range(len(v)) if not np.isnan(v[r, J['bs_mid_basis_bps']])]
        res('ml_basis_' + name, mk_meta.get('basis_spot') == ref and len(have) >= 0.5 * len(mrk) and
            len(have) >= 10 and max(diff) < 1e-9 and len(mid) >= 10 and
            all(0 <= v[r, J['bs_spot_age_ms']] <= mk_meta['basis_max_age_ns'] / 1e6 for r in have) and
            all(np.isnan(v[:, J['bs_mark_basis_ann']])),
            'pairing %s, %d of %d mark rows with a basis, max |diff| %s, %d with the mid basis' % (
                mk_meta.get('basis_spot'), len(have), len(mrk), max(diff) if diff else None, len(mid)))
        print('# %s %s: basis against %s on %d of %d mark_price rows (last %.3f bps, mid basis %.3f bps)'
              % (ex, sym, ref, len(have), len(mrk), v[have[-1], J['bs_mark_basis_bps']] if have else float('nan'),
                 v[mid[-1], J['bs_mid_basis_bps']] if mid else float('nan')))
    # what a perpetual must show by the end, and a spot book must not
    last = {c: v[-1, j] for j, c in enumerate(cols)} if len(v) else {}
    mk = ('mk_funding_rate', 'mk_mark_px', 'mk_index_px', 'mk_basis_bps', 'mk_open_interest', 'mk_oi_change')
    if spot:
        # a ticker value known (Binance spot sends best bid/offer tickers only: no last price)
        res('ml_market_spot_no_derivatives_' + name, last and all(math.isnan(last[c]) for c in mk) and
            not (math.isnan(last['tk_last']) and math.isnan(last['tk_bbo_mid'])), last)
    else:
        # mpsim's Bybit funding lies in [0.5, 1.6) bp; the other venues' simulated rates differ
        res('ml_market_derivatives_' + name, last and all(not math.isnan(last[c]) for c in mk_need) and
            (ex != 'bybit' or 5e-5 <= last['mk_funding_rate'] < 1.6e-4) and ('mk_open_interest' not in mk_need or
            last['mk_open_interest'] > 0), last)
res('ml_market_compared', total >= 200, '%d messages compared' % total)
EOF
check ml_market_compare_ran test $? = 0
if $PY -c 'import jsonschema' 2>/dev/null; then
	if r=$($PY "$MP_ROOT/test/routerd/check.py" validate "$T_TMP/dump.txt"); then ok ml_market_messages_match_schema
	else not_ok ml_market_messages_match_schema "$r"; fi
fi
check ml_market_routerd_no_errors bash -c "! grep -E ' (WARN|ERROR) ' '$SYS_DATA/log/routerd.log' | grep -v 'nats disconnected\|connection closed'"
