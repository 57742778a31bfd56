#!/usr/bin/env bash
# test/mpctl/mpctl_bybit.sh - Bybit v5 end to end: the whole system under
# mpctl against mpsim's Bybit (spot, linear, inverse; 10 linear perpetuals).
#   - every book synced from the venue's WS snapshot, over 3 connections;
#   - the audits at equal seq (bookd/okx_audit.h): the orderbook.1 BBO check
#     and the REST window audit agree on every correct book (none disagrees);
#   - a gap fault on a linear book: EV_GAP, resubscribe, synced again;
#   - market paused: the store's book equals /_sim/book (its top 1000) at
#     the same u, for one book of each market, after the gap;
#   - corrupt_level (one wrong level in an orderbook.1000 delta, no gap): rank
#     1 is caught by the BBO check, rank 50 by the REST window audit; each
#     time the event is in the store, the book resyncs and is exact again;
#   - funding, open interest and mark price on market.bybit.<symbol>.* (linear
#     and inverse; none for spot), valid against the JSON Schemas; liquidations
#     (allLiquidation) on .liquidation with Bybit's side turned into the order's;
#   - each book's tick, lot and contract value on /health as mpsim's
#     /v5/market/instruments-info lists them;
#   - mpstore verify clean; mpreplay rebuilds the capture feedd wrote with no
#     config, with books for every instrument and venue_symbol beside symbol.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_system.sh"
PY=/usr/bin/python3
SIM_Y=$(free_port)
LINEAR="BTC-USDT-SWAP,ETH-USDT-SWAP,SOL-USDT-SWAP,XRP-USDT-SWAP,DOGE-USDT-SWAP,ADA-USDT-SWAP,AVAX-USDT-SWAP,LINK-USDT-SWAP,DOT-USDT-SWAP,LTC-USDT-SWAP"
SYMS="BTC-USDT,ETH-USDT,$LINEAR,BTC-USD-SWAP"
NBOOKS=13

sys_require bybit
# the test's own mpsim: the symbol list is longer than a config line
bg "$BIN/mpsim" --binance-port 0 --okx-port 0 --bybit-port "$SIM_Y" --levels 1500 --bybit-symbols "$SYMS" \
    >"$T_TMP/sim.out" 2>"$T_TMP/sim.err"
wait_for 10 grep -q 'mpsim ready' "$T_TMP/sim.out" || { not_ok bybit_sim_start "$(tail -3 "$T_TMP/sim.err")"; exit 1; }
SYS_SIM=false
sys_config 1
cat >>"$CONF" <<EOF
[instruments]
binance =
okx =
bybit = $SYMS
[feedd.bybit]
ws_url = ws://127.0.0.1:$SIM_Y
rest_url = http://127.0.0.1:$SIM_Y
capture_file = $T_TMP/bybit.cap
[bookd]
snapshot_timeout = 5s
bybit_audit_interval = 1s
EOF
SYS_KEEP_LOGS=bybit-system
if sys_start; then ok bybit_start; else not_ok bybit_start "$(mpctl status 2>&1)"; exit 1; fi

books_synced() {
	sys_health "
b = [x for x in d['books'] if x['exchange'] == 'bybit']
assert len(b) == $NBOOKS and all(x['synced'] and min(x['levels']['bid'] or 0, x['levels']['ask'] or 0) >= 1000 for x in b), b"
}
if wait_for 90 books_synced; then ok bybit_books_synced_13
else not_ok bybit_books_synced_13 "$(sys_books_summary)"; exit 1; fi

if sys_health '
c = [x for x in d["connections"] if x["exchange"] == "bybit"]
assert c and all(x["connected"] for x in c), d["connections"]
'; then ok bybit_connected; else not_ok bybit_connected "$(sys_health 'print(d["connections"])' 2>&1)"; fi

sim() { curl -sf -m 5 -X POST "http://127.0.0.1:$SIM_Y/_sim/$1" >/dev/null; }

# no fault: the orderbook.1 BBO check and the REST window audit run and agree on every book
audits_ran() {
	for s in BTC-USDT BTC-USDT-SWAP BTC-USD-SWAP; do
		sys_book_ok bybit "$s" "b['top5']['agree'] >= 20 and b['window']['agree'] >= 3" || return 1
	done
}
if wait_for 90 audits_ran; then
	if sys_health '
b = [x for x in d["books"] if x["exchange"] == "bybit"]
bad = [(x["symbol"], x["top5"], x["window"]) for x in b if x["top5"]["disagree"] or x["window"]["discrepancies"]]
assert not bad, bad'; then ok bybit_audits_agree
	else not_ok bybit_audits_agree "$(sys_health 'print([(x["symbol"], x["top5"], x["window"]) for x in d["books"] if x["exchange"] == "bybit"])' 2>&1)"; fi
else not_ok bybit_audits_agree "audits did not run: $(for s in BTC-USDT BTC-USDT-SWAP BTC-USD-SWAP; do sys_book_val bybit "$s" "b.get('top5'), b.get('window')"; done)"; fi

# a gap: detected, resubscribed, synced again
sys_gap_resynced bybit_gap_resynced "$SIM_Y" bybit ETH-USDT-SWAP

sim pause
for s in BTC-USDT ETH-USDT-SWAP BTC-USD-SWAP; do
	if wait_for 60 sys_store_exact "$SIM_Y" bybit "$s" 1000; then ok "bybit_store_exact_$s"
	else not_ok "bybit_store_exact_$s" "$(cat "$T_TMP/exact-$s.txt" 2>/dev/null)"; fi
done
sim resume

# corrupt_level: a wrong level without a gap, caught by the audits at equal seq
sys_corrupt bybit_corrupt_bbo "$SIM_Y" bybit SOL-USDT-SWAP 1 "b['top5']['disagree']" top_mismatch 1000
sys_corrupt bybit_corrupt_rest_window "$SIM_Y" bybit XRP-USDT-SWAP 50 "b['window']['discrepancies']" window_discrepancy 1000

# derivatives market data on the subjects: funding, open interest, mark (linear and inverse, not spot)
mkt_msgs() {
	"$BIN/mpsub" -c "$CONF" --durable bybitmkt --subjects funding_rate,open_interest,mark_price,liquidation --seconds 2 \
	    --dump "$T_TMP/dump.txt" >"$T_TMP/mkt.json" 2>>"$T_TMP/mpsub.log" &&
	    $PY - "$T_TMP/mkt.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["subjects"]
need = ["market.bybit.%s.%s" % (i, k) for i in ("btc-usdt-swap", "btc-usd-swap") for k in ("funding_rate", "open_interest", "mark_price", "liquidation")]
sys.exit(0 if all(s.get(n, 0) > 0 for n in need) and not any(k.startswith("market.bybit.btc-usdt.") for k in s) else 1)
PY
}
if wait_for 60 mkt_msgs; then ok bybit_market_subjects; else not_ok bybit_market_subjects "$(head -c 600 "$T_TMP/mkt.json")"; fi
sys_schema_check bybit_market_schema "$T_TMP/dump.txt"
# the values mpsim sends: a rate near 0.01 %, 8 h settlements, mark and index, open interest and its value
check bybit_market_bodies $PY - "$T_TMP/dump.txt" <<'PY'
import json, sys, re
from decimal import Decimal
seen = {"funding": 0, "mark": 0, "oi": 0, "oi_base": 0, "liq": 0}
for line in open(sys.argv[1]):
    subj, body = line.rstrip("\n").split("\t", 1)
    b = json.loads(body)
    if not subj.startswith("market.bybit."):
        continue
    if subj.endswith(".funding_rate"):
        # a decimal string (trimmed: "0.0001" is as good as "0.000137")
        assert re.match(r"^-?[0-9]+(\.[0-9]+)?$", b["funding_rate"]), b
        assert Decimal("0.00005") <= Decimal(b["funding_rate"]) < Decimal("0.00016"), b
        assert b["funding_interval_s"] == 28800 and b["funding_time"], b
        seen["funding"] += 1
    elif subj.endswith(".mark_price"):
        assert b["mark_price"] is not None and b["index_price"] is not None, b
        seen["mark"] += 1
    elif subj.endswith(".open_interest"):
        assert float(b["open_interest"]) > 0 and b["open_interest_value"], b
        # linear: 1 contract = 1 base coin (instruments-info), so routerd gives the base
        # amount once the rules reached it (the first updates may come before: null)
        if b["symbol_name"].endswith("-USDT-SWAP"):
            if b["open_interest_base"] is not None:
                assert Decimal(b["open_interest_base"]) == Decimal(b["open_interest"]), b
                seen["oi_base"] += 1
        else:
            assert b["open_interest_base"] is None, b   # inverse: contracts are USD
        seen["oi"] += 1
    elif subj.endswith(".liquidation"):
        # mpsim: "Buy" (a long closed) below the bid, "Sell" above the ask; the record's side is the order's
        assert b["side"] in ("buy", "sell") and Decimal(b["price"]) > 0 and Decimal(b["quantity"]) > 0, b
        assert b["average_price"] is None, b
        seen["liq"] += 1
sys.exit(0 if all(seen.values()) else "seen %s" % seen)
PY

# the venue's rules per book (feedd/meta.c), as mpsim's instruments-info lists them
rules_known() {
	for c in spot linear inverse; do
		curl -sf "http://127.0.0.1:$SIM_Y/v5/market/instruments-info?category=$c" >"$T_TMP/inst-$c.json" || return 1
	done
	TD="$T_TMP" sys_health '
import os
from decimal import Decimal as D
cat = lambda s: "inverse" if s.endswith("-USD-SWAP") else "linear" if s.endswith("-SWAP") else "spot"
want = {}
for c in ("spot", "linear", "inverse"):
    for e in json.load(open(os.environ["TD"] + "/inst-%s.json" % c))["result"]["list"]:
        want[(c, e["symbol"])] = e
b = [x for x in d["books"] if x["exchange"] == "bybit"]
assert len(b) == '"$NBOOKS"', len(b)
for x in b:
    s = x["symbol"]
    w = want[(cat(s), s.replace("-SWAP", "").replace("-", ""))]
    lot = w["lotSizeFilter"]["basePrecision"] if cat(s) == "spot" else w["lotSizeFilter"]["qtyStep"]
    assert x["tick_size"] and D(x["tick_size"]) == D(w["priceFilter"]["tickSize"]), (s, x["tick_size"], w)
    assert x["lot_size"] and D(x["lot_size"]) == D(lot), (s, x["lot_size"], lot)
    assert (x["contract_value"] is None) if cat(s) == "spot" else D(x["contract_value"]) == 1, (s, x["contract_value"])'
}
if wait_for 30 rules_known; then ok bybit_instrument_rules_health
else not_ok bybit_instrument_rules_health "$(rules_known 2>&1 | tail -2)"; fi

sys_stop && ok bybit_stop || not_ok bybit_stop

if "$BIN/mpstore" verify -c "$CONF" >"$T_TMP/verify.json" 2>"$T_TMP/verify.err"; then ok bybit_store_verify
else not_ok bybit_store_verify "$(head -c 1500 "$T_TMP/verify.json") $(tail -3 "$T_TMP/verify.err")"; fi

# mpreplay: the capture (ws:/v5/public/<market> lines) rebuilds every book, no config
cap=$T_TMP/bybit.cap
if [ -n "$cap" ] && grep -q ' bybit ws:/v5/public/linear ' "$cap" && grep -q ' bybit ws:/v5/public/inverse ' "$cap"; then
	ok bybit_capture_ws_paths
else not_ok bybit_capture_ws_paths "capture $cap: $(head -c 300 "$cap" 2>/dev/null)"; fi
if [ -n "$cap" ] && "$BIN/mpreplay" "$cap" >"$T_TMP/replay.json" 2>"$T_TMP/replay.err" && $PY - "$T_TMP/replay.json" "$NBOOKS" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
books = [b for l in lines for b in (l.get("books") or [l]) if b.get("exchange") == "bybit" and "symbol" in b]
syms = {b["symbol"]: b for b in books}
assert len(syms) == int(sys.argv[2]), sorted(syms)
assert all(b.get("synced") or b.get("syncs", 0) > 0 for b in syms.values()), [(s, b.get("synced"), b.get("syncs")) for s, b in syms.items()]
vs = {s: b.get("venue_symbol") for s, b in syms.items()}
assert vs.get("BTC-USDT-SWAP") == "BTCUSDT" and vs.get("BTC-USD-SWAP") == "BTCUSD", vs
EOF
then ok bybit_mpreplay_no_config; else not_ok bybit_mpreplay_no_config "$(tail -c 800 "$T_TMP/replay.json") $(tail -3 "$T_TMP/replay.err")"; fi
