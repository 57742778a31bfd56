#!/usr/bin/env bash
# test/mpctl/mpctl_deribit.sh - Deribit end to end: the whole system under
# mpctl against mpsim's Deribit (a perpetual, a future, an option), with
# mpsim's default 6500 levels a side (the snapshot spans two records, which
# bookd joins).
#   - every book synced from the venue's WS snapshot on one connection;
#   - a gap fault on the perpetual: EV_GAP, resubscribe, synced again;
#   - market paused: the store's book equals /_sim/book (the whole book) at
#     the same change_id, for each of the three;
#   - funding (perpetual), open interest and mark price on
#     market.deribit.<symbol>.*, valid against the JSON Schemas;
#   - mpstore verify clean; mpreplay rebuilds the capture with no config.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_system.sh"
PY=/usr/bin/python3
SIM_D=$(free_port)
SYMS="BTC-USD-SWAP,BTC-USD-240927,BTC-240927-60000-C"
NBOOKS=3

sys_require deribit
bg "$BIN/mpsim" --binance-port 0 --okx-port 0 --bybit-port 0 --deribit-port "$SIM_D" --deribit-symbols "$SYMS" \
    >"$T_TMP/sim.out" 2>"$T_TMP/sim.err"
wait_for 10 grep -q 'mpsim ready' "$T_TMP/sim.out" || { not_ok deribit_sim_start "$(tail -3 "$T_TMP/sim.err")"; exit 1; }
if grep -q "deribit=$SIM_D\$" "$T_TMP/sim.out"; then ok deribit_sim_ready_line
else not_ok deribit_sim_ready_line "$(cat "$T_TMP/sim.out")"; fi
SYS_SIM=false
sys_config 1
cat >>"$CONF" <<EOF
[instruments]
binance =
okx =
deribit = $SYMS
[ring.feed.deribit]
capacity = 32MiB
[ring.raw.deribit]
capacity = 32MiB
[feedd.deribit]
ws_url = ws://127.0.0.1:$SIM_D
rest_url = http://127.0.0.1:$SIM_D
capture_file = $T_TMP/deribit.cap
[bookd]
snapshot_timeout = 5s
max_levels = 10000
EOF
SYS_KEEP_LOGS=deribit-system
if sys_start; then ok deribit_start; else not_ok deribit_start "$(mpctl status 2>&1)"; exit 1; fi

books_synced() {
	sys_health "
b = [x for x in d['books'] if x['exchange'] == 'deribit']
assert len(b) == $NBOOKS and all(x['synced'] and min(x['levels']['bid'] or 0, x['levels']['ask'] or 0) >= 5500 for x in b), b"
}
if wait_for 90 books_synced; then ok deribit_books_synced_3
else not_ok deribit_books_synced_3 "$(sys_books_summary)"; exit 1; fi

sim() { curl -sf -m 5 -X POST "http://127.0.0.1:$SIM_D/_sim/$1" >/dev/null; }

# a gap: detected, resubscribed, synced again
sys_gap_resynced deribit_gap_resynced "$SIM_D" deribit BTC-USD-SWAP

sim pause
for s in BTC-USD-SWAP BTC-USD-240927 BTC-240927-60000-C; do
	if wait_for 60 sys_store_exact "$SIM_D" deribit "$s" 7000; then ok "deribit_store_exact_$s"
	else not_ok "deribit_store_exact_$s" "$(cat "$T_TMP/exact-$s.txt" 2>/dev/null)"; fi
done
sim resume

# market data on the subjects: funding on the perpetual only; open interest and mark on all three
mkt_msgs() {
	"$BIN/mpsub" -c "$CONF" --durable deribitmkt --subjects funding_rate,open_interest,mark_price --seconds 2 \
	    --dump "$T_TMP/dump.txt" >"$T_TMP/mkt.json" 2>>"$T_TMP/mpsub.log" &&
	    $PY - "$T_TMP/mkt.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["subjects"]
need = ["market.deribit.btc-usd-swap.funding_rate"] + ["market.deribit.%s.%s" % (i, k)
    for i in ("btc-usd-swap", "btc-usd-240927", "btc-240927-60000-c") for k in ("open_interest", "mark_price")]
sys.exit(0 if all(s.get(n, 0) > 0 for n in need) and "market.deribit.btc-usd-240927.funding_rate" not in s else 1)
PY
}
if wait_for 60 mkt_msgs; then ok deribit_market_subjects; else not_ok deribit_market_subjects "$(head -c 600 "$T_TMP/mkt.json")"; fi
if $PY -c 'import jsonschema' 2>/dev/null; then
	if r=$($PY "$MP_ROOT/test/routerd/check.py" validate "$T_TMP/dump.txt"); then ok deribit_market_schema
	else not_ok deribit_market_schema "$r"; fi
else
	skip deribit_market_schema "python3 jsonschema missing"
fi
# the values mpsim sends: funding_8h near 0.01 % on 8 h, mark and index, open interest (USD / coin)
check deribit_market_bodies $PY - "$T_TMP/dump.txt" <<'PY'
import json, sys
from decimal import Decimal
seen = {"funding": 0, "mark": 0, "oi_usd": 0, "oi_coin": 0}
for line in open(sys.argv[1]):
    subj, body = line.rstrip("\n").split("\t", 1)
    b = json.loads(body)
    if not subj.startswith("market.deribit."):
        continue
    if subj.endswith(".funding_rate"):
        assert Decimal("0.00005") <= Decimal(b["funding_rate"]) < Decimal("0.00016"), b
        assert b["funding_interval_s"] == 28800, b
        seen["funding"] += 1
    elif subj.endswith(".mark_price"):
        assert Decimal(b["mark_price"]) > 0 and Decimal(b["index_price"]) > 0, b
        seen["mark"] += 1
    elif subj.endswith(".open_interest"):
        if ".btc-240927-60000-c." in subj:
            assert b.get("open_interest_base") and not b.get("open_interest_value"), b
            seen["oi_coin"] += 1
        else:
            assert b.get("open_interest_value"), b
            seen["oi_usd"] += 1
sys.exit(0 if all(seen.values()) else 1)
PY

# test_request heartbeats were answered (the connection stayed up, mpsim counted public/test)
# A heartbeat comes once per interval (10 s / timer rate): wait for one to be
# sent and answered, however fast the books synced.
hb_answered() {
	$PY - "$SIM_D" <<'PY'
import json, sys, urllib.request
st = json.load(urllib.request.urlopen("http://127.0.0.1:%s/_sim/stats" % sys.argv[1], timeout=5))
v = st.get("deribit") or st["venues"]["deribit"]
sys.exit(0 if v["heartbeats_sent"] > 0 and v["pongs_received"] > 0 and v["clients_dropped_no_pong"] == 0 else 1)
PY
}
if wait_for 30 hb_answered; then ok deribit_heartbeats_answered
else not_ok deribit_heartbeats_answered "$(curl -s "http://127.0.0.1:$SIM_D/_sim/stats" | head -c 600)"; fi

sys_stop && ok deribit_stop || not_ok deribit_stop

if "$BIN/mpstore" verify -c "$CONF" >"$T_TMP/verify.json" 2>"$T_TMP/verify.err"; then ok deribit_store_verify
else not_ok deribit_store_verify "$(head -c 1500 "$T_TMP/verify.json") $(tail -3 "$T_TMP/verify.err")"; fi

# mpreplay: the capture rebuilds every book with no config, venue names adopted under canonical ones
cap=$T_TMP/deribit.cap
if [ -n "$cap" ] && "$BIN/mpreplay" "$cap" >"$T_TMP/replay.json" 2>"$T_TMP/replay.err" && $PY - "$T_TMP/replay.json" "$NBOOKS" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
books = [b for l in lines for b in (l.get("books") or [l]) if b.get("exchange") == "deribit" and "symbol" in b]
syms = {b["symbol"]: b for b in books}
assert len(syms) == int(sys.argv[2]), sorted(syms)
assert all(b.get("synced") or b.get("syncs", 0) > 0 for b in syms.values()), [(s, b.get("synced"), b.get("syncs")) for s, b in syms.items()]
vs = {s: b.get("venue_symbol") for s, b in syms.items()}
assert vs.get("BTC-USD-SWAP") == "BTC-PERPETUAL" and vs.get("BTC-240927-60000-C") == "BTC-27SEP24-60000-C", vs
EOF
then ok deribit_mpreplay_no_config; else not_ok deribit_mpreplay_no_config "$(tail -c 800 "$T_TMP/replay.json") $(tail -3 "$T_TMP/replay.err")"; fi
