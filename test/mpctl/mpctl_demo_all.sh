#!/usr/bin/env bash
# test/mpctl/mpctl_demo_all.sh - conf/demo-all.ini as shipped (every venue and
# market mpsim serves: Binance spot, OKX spot, Bybit spot/linear/inverse,
# Binance USD-M and COIN-M, Deribit perpetual/future/option), run as a private
# instance: only the ports, ring prefix and data dir are overridden (free
# loopback ports instead of the file's 18001.., 9411, 14222).
#   - every book of the file reaches synced with a deep book;
#   - funding, open interest and mark price flow on the derivative venues'
#     market subjects (Bybit, binance-usdm, binance-coinm, Deribit);
#   - the swaps' mark prices carry the basis against their spot book;
#   - mpstore verify is clean after the stop.
# The issue's "done when": all six exchanges' markets in one run (issue 11).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_system.sh"
PY=/usr/bin/python3
sys_require demo_all
CONF=$MP_ROOT/conf/demo-all.ini
P_BN=$SIM_B P_OX=$SIM_O P_BY=$(free_port) P_UM=$(free_port) P_CM=$(free_port) P_DR=$(free_port)
# The book count comes from the file itself, so adding an instrument there
# needs no change here.
NBOOKS=$(awk '/^\[instruments\]/{f=1; next} /^\[/{f=0} f && !/^[;#]/ && /=/{sub(/^[^=]*=/, ""); n += split($0, a, ",")} END {print n}' "$CONF")
SYS_SET=(--set "system.ring_prefix=$SYS_PREFIX" --set "system.data_dir=$SYS_DATA"
	--set "mpctl.http_port=$HTTP_PORT" --set "nats.url=nats://127.0.0.1:$NATS_PORT"
	--set "mpctl.sim_args=--binance-port $P_BN --okx-port $P_OX --seed 1 --bybit-port $P_BY --bybit-symbols BTC-USDT,BTC-USDT-SWAP,ETH-USDT-SWAP,BTC-USD-SWAP"
	--set "mpctl.sim_args_more=--binance-usdm-port $P_UM --binance-usdm-symbols BTC-USDT-SWAP,ETH-USDT-SWAP --binance-coinm-port $P_CM --binance-coinm-symbols BTC-USD-SWAP,BTC-USD-240927 --deribit-port $P_DR")
for v in binance:$P_BN okx:$P_OX bybit:$P_BY binance-usdm:$P_UM binance-coinm:$P_CM deribit:$P_DR; do
	SYS_SET+=(--set "feedd.${v%%:*}.ws_url=ws://127.0.0.1:${v##*:}" --set "feedd.${v%%:*}.rest_url=http://127.0.0.1:${v##*:}")
done
# The file's symbol lists must be what mpsim is told to serve above.
for k in bybit binance-usdm binance-coinm; do
	want=$(awk -v k="$k" '/^\[instruments\]/{f=1; next} /^\[/{f=0} f && $1 == k {sub(/^[^=]*= */, ""); gsub(/ /, ""); print}' "$CONF")
	case " ${SYS_SET[*]} " in
	*"--$k-symbols $want"*) ;;
	*) not_ok demo_all_sim_symbols "[instruments] $k = $want is not what this test gives mpsim"; exit 1 ;;
	esac
done
SYS_KEEP_LOGS=demo-all
if sys_start; then ok demo_all_start; else not_ok demo_all_start "$(mpctl status 2>&1 | tail -5)"; exit 1; fi

all_synced() {
	sys_health "
b = d['books']
assert len(b) == $NBOOKS, len(b)
assert all(x['synced'] and min(x['levels']['bid'] or 0, x['levels']['ask'] or 0) >= 1000 for x in b)"
}
if wait_for 120 all_synced; then ok "demo_all_books_synced_$NBOOKS"
else not_ok "demo_all_books_synced_$NBOOKS" "$(sys_books_summary)"; fi
check demo_all_six_exchanges sys_health "
ex = {x['exchange'] for x in d['books']}
assert ex == {'binance', 'okx', 'bybit', 'binance-usdm', 'binance-coinm', 'deribit'}, ex"

# market data of every derivative venue on its subjects
mkt_msgs() {
	"$BIN/mpsub" -c "$CONF" "${SYS_SET[@]}" --durable demoallmkt --subjects funding_rate,open_interest,mark_price \
	    --seconds 2 >"$T_TMP/mkt.json" 2>>"$T_TMP/mpsub.log" && $PY - "$T_TMP/mkt.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["subjects"]
need = ["market.%s.%s.%s" % (e, i, k) for e, i in (("bybit", "btc-usdt-swap"), ("binance-usdm", "btc-usdt-swap"),
        ("binance-coinm", "btc-usd-swap"), ("deribit", "btc-usd-swap")) for k in ("funding_rate", "mark_price")]
need += ["market.%s.btc-usd-swap.open_interest" % e for e in ("bybit", "binance-coinm", "deribit")]
missing = [n for n in need if not s.get(n)]
print(missing, file=sys.stderr)
sys.exit(0 if not missing else 1)
PY
}
if wait_for 60 mkt_msgs; then ok demo_all_market_subjects
else not_ok demo_all_market_subjects "$(tail -1 "$T_TMP/mpsub.log") $(head -c 400 "$T_TMP/mkt.json")"; fi
# [ml] features = market, as shipped: the swaps' mark prices carry the basis
# against their venue's spot book (binance-usdm against binance, bybit
# against bybit), a number once both books are synced, and the mark basis in
# bps is its definition on the message's own values
basis_msgs() {
	"$BIN/mpsub" -c "$CONF" "${SYS_SET[@]}" --durable demoallbasis --subjects mark_price \
	    --seconds 2 --dump "$T_TMP/basis.txt" >/dev/null 2>>"$T_TMP/mpsub.log" && $PY - "$T_TMP/basis.txt" <<'PY'
import json, sys
seen = {}
for line in open(sys.argv[1]):
    subj, _, body = line.rstrip("\n").partition("\t")
    m = json.loads(body)
    f = m.get("ml_features") or {}
    if isinstance(f.get("bs_mark_basis_bps"), (int, float)) and isinstance(f.get("bs_spot_mid"), (int, float)):
        mark = float(m.get("mark_price"))
        want = 1e4 * (mark - f["bs_spot_mid"]) / f["bs_spot_mid"]
        if abs(want - f["bs_mark_basis_bps"]) <= 1e-6 * max(1.0, abs(want)):
            seen[subj] = seen.get(subj, 0) + 1
need = ["market.binance-usdm.btc-usdt-swap.mark_price", "market.bybit.btc-usdt-swap.mark_price"]
missing = [n for n in need if not seen.get(n)]
print("basis:", seen, "missing:", missing, file=sys.stderr)
sys.exit(0 if not missing else 1)
PY
}
if wait_for 60 basis_msgs; then ok demo_all_basis_features
else not_ok demo_all_basis_features "$(tail -1 "$T_TMP/mpsub.log") $(head -c 300 "$T_TMP/basis.txt")"; fi

sys_stop && ok demo_all_stop || not_ok demo_all_stop
if "$BIN/mpstore" verify -c "$CONF" "${SYS_SET[@]}" >"$T_TMP/verify.json" 2>"$T_TMP/verify.err"; then ok demo_all_store_verify
else not_ok demo_all_store_verify "$(head -c 800 "$T_TMP/verify.json") $(tail -3 "$T_TMP/verify.err")"; fi
