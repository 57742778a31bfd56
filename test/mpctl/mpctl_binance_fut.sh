#!/usr/bin/env bash
# test/mpctl/mpctl_binance_fut.sh - Binance USD-M and COIN-M end to end: the
# whole system under mpctl against mpsim's futures venues, 11 books a venue
# (10 perpetuals and a dated contract).
#   - every book synced from REST depth (limit 1000) and the @depth@100ms pu chain;
#   - a gap fault on one book of each venue: EV_GAP, resync, synced again;
#   - market paused: the store's book equals /_sim/book (its top 500) at the
#     same u, for a perpetual of each venue and the dated COIN-M contract;
#   - funding, open interest, mark price and liquidations on
#     market.binance-usdm|binance-coinm.<symbol>.* (funding only for
#     perpetuals), valid against the JSON Schemas, with mpsim's values;
#   - COIN-M open interest valued in USD (open_interest_value = contracts x
#     exchangeInfo's contractSize: 100 for BTC, 10 others), none on USD-M;
#   - funding_interval_s from GET fundingInfo (asked at most once a minute):
#     4 h for the perpetuals mpsim lists as adjusted, 8 h for BNB (listed at
#     8 h) and for BTC and ETH (not listed: the default);
#   - mpstore verify clean.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_system.sh"
PY=/usr/bin/python3
SIM_U=$(free_port)
SIM_C=$(free_port)
USDM="BTC-USDT-SWAP,ETH-USDT-SWAP,SOL-USDT-SWAP,XRP-USDT-SWAP,DOGE-USDT-SWAP,ADA-USDT-SWAP,AVAX-USDT-SWAP,LINK-USDT-SWAP,DOT-USDT-SWAP,LTC-USDT-SWAP,BTC-USDT-240927"
COINM="BTC-USD-SWAP,ETH-USD-SWAP,SOL-USD-SWAP,XRP-USD-SWAP,DOGE-USD-SWAP,ADA-USD-SWAP,LINK-USD-SWAP,DOT-USD-SWAP,LTC-USD-SWAP,BNB-USD-SWAP,BTC-USD-240927"
NBOOKS=11

sys_require binance_fut
# the test's own mpsim: the futures venues and their symbol lists
bg "$BIN/mpsim" --binance-port 0 --okx-port 0 --binance-usdm-port "$SIM_U" --binance-coinm-port "$SIM_C" --levels 1500 \
    --binance-usdm-symbols "$USDM" --binance-coinm-symbols "$COINM" >"$T_TMP/sim.out" 2>"$T_TMP/sim.err"
wait_for 10 grep -q "mpsim ready .* binance-usdm=$SIM_U binance-coinm=$SIM_C" "$T_TMP/sim.out" ||
    { not_ok binance_fut_sim_start "$(cat "$T_TMP/sim.out") $(tail -3 "$T_TMP/sim.err")"; exit 1; }
SYS_SIM=false
sys_config 1
cat >>"$CONF" <<EOF
[instruments]
binance =
okx =
binance-usdm = $USDM
binance-coinm = $COINM
[feedd.binance-usdm]
ws_url = ws://127.0.0.1:$SIM_U
rest_url = http://127.0.0.1:$SIM_U
market_poll_interval = 2s
capture_file = $T_TMP/usdm.cap
[feedd.binance-coinm]
ws_url = ws://127.0.0.1:$SIM_C
rest_url = http://127.0.0.1:$SIM_C
market_poll_interval = 2s
[bookd]
snapshot_timeout = 5s
EOF
SYS_KEEP_LOGS=binance-fut-system
T_START=$SECONDS
if sys_start; then ok binance_fut_start; else not_ok binance_fut_start "$(mpctl status 2>&1 | head -12)"; exit 1; fi

books_synced() {
	sys_health "
for ex in ('binance-usdm', 'binance-coinm'):
    b = [x for x in d['books'] if x['exchange'] == ex]
    assert len(b) == $NBOOKS and all(x['synced'] and min(x['levels']['bid'] or 0, x['levels']['ask'] or 0) >= 900 for x in b), b"
}
if wait_for 90 books_synced; then ok binance_fut_books_synced_2x11
else not_ok binance_fut_books_synced_2x11 "$(sys_books_summary)"; exit 1; fi

bval() { sys_health "
b = [x for x in d['books'] if x['exchange'] == '$1' and x['symbol'] == '$2'][0]
print($3)" 2>/dev/null; }

# a gap on one book of each venue: detected (pu != the previous u), resynced
for vs in binance-usdm:ETH-USDT-SWAP binance-coinm:BTC-USD-SWAP; do
	v=${vs%%:*} s=${vs#*:} port=$SIM_U
	[ "$v" = binance-coinm ] && port=$SIM_C
	gaps=$(bval "$v" "$s" "b['gaps']"); rs=$(bval "$v" "$s" "b['resyncs']")
	curl -sf -m 5 -X POST "http://127.0.0.1:$port/_sim/fault?kind=gap&venue=$v&symbol=$s" >/dev/null
	gap_seen() { sys_health "
b = [x for x in d['books'] if x['exchange'] == '$v' and x['symbol'] == '$s'][0]
assert b['gaps'] > $gaps and b['resyncs'] > $rs and b['synced'], b"; }
	if wait_for 60 gap_seen; then ok "binance_fut_gap_resynced_$v"
	else not_ok "binance_fut_gap_resynced_$v" "gaps $(bval "$v" "$s" "b['gaps']") (before $gaps), synced $(bval "$v" "$s" "b['synced']")"; fi
done

# store_exact PORT VENUE SYMBOL: the store's book reaches /_sim/book's u and equals its top 500
store_exact() {
	"$BIN/mpstore" print -c "$CONF" --symbol "$3" --exchange "$2" --types snapshot,delta --levels -1 2>/dev/null |
	    $PY "$MP_ROOT/test/mpctl/store_book.py" >"$T_TMP/store-$3.json" 2>/dev/null &&
	    $PY "$MP_ROOT/test/mpctl/book_exact.py" "$1" "$2" "$3" 500 "$T_TMP/store-$3.json" >"$T_TMP/exact-$3.txt"
}
curl -sf -m 5 -X POST "http://127.0.0.1:$SIM_U/_sim/pause" >/dev/null
for pvs in "$SIM_U binance-usdm BTC-USDT-SWAP" "$SIM_C binance-coinm BTC-USD-SWAP" "$SIM_C binance-coinm BTC-USD-240927"; do
	set -- $pvs
	if wait_for 60 store_exact "$1" "$2" "$3"; then ok "binance_fut_store_exact_$3"
	else not_ok "binance_fut_store_exact_$3" "$(cat "$T_TMP/exact-$3.txt" 2>/dev/null)"; fi
done
curl -sf -m 5 -X POST "http://127.0.0.1:$SIM_U/_sim/resume" >/dev/null

# market data on the subjects: every kind for perpetuals, no funding for the dated contracts
mkt_msgs() {
	"$BIN/mpsub" -c "$CONF" --durable binfutmkt --subjects funding_rate,open_interest,mark_price,liquidation --seconds 3 \
	    --dump "$T_TMP/dump.txt" >"$T_TMP/mkt.json" 2>>"$T_TMP/mpsub.log" &&
	    $PY - "$T_TMP/mkt.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["subjects"]
need = ["market.%s.%s.%s" % (v, i, k) for v, i in (("binance-usdm", "btc-usdt-swap"), ("binance-coinm", "btc-usd-swap"))
        for k in ("funding_rate", "open_interest", "mark_price", "liquidation")]
need += ["market.binance-coinm.btc-usd-240927.mark_price", "market.binance-coinm.btc-usd-240927.open_interest"]
missing = [n for n in need if s.get(n, 0) == 0]
dated_funding = [k for k in s if k.endswith("-240927.funding_rate")]
if missing or dated_funding:
    print("missing", missing, "dated funding", dated_funding, file=sys.stderr)
    sys.exit(1)
PY
}
if wait_for 60 mkt_msgs; then ok binance_fut_market_subjects; else not_ok binance_fut_market_subjects "$(head -c 600 "$T_TMP/mkt.json")"; fi
sys_schema_check binance_fut_market_schema "$T_TMP/dump.txt"
# the values mpsim sends: a rate of 0.0085 .. 0.0125 %, mark next to
# index, open interest > 0, liquidations with a side and a price
check binance_fut_market_bodies $PY - "$T_TMP/dump.txt" <<'PY'
import json, sys
from decimal import Decimal
seen = {"funding": 0, "mark": 0, "oi": 0, "liq": 0}
for line in open(sys.argv[1]):
    subj, body = line.rstrip("\n").split("\t", 1)
    b = json.loads(body)
    if not subj.startswith("market.binance-"):
        continue
    if subj.endswith(".funding_rate"):
        assert Decimal("0.000085") <= Decimal(b["funding_rate"]) <= Decimal("0.000125"), b
        seen["funding"] += 1
    elif subj.endswith(".mark_price"):
        m, i = Decimal(b["mark_price"]), Decimal(b["index_price"])
        assert m > 0 and abs(m - i) / i < Decimal("0.001"), b
        seen["mark"] += 1
    elif subj.endswith(".open_interest"):
        assert Decimal(b["open_interest"]) > 0, b
        seen["oi"] += 1
    elif subj.endswith(".liquidation"):
        assert b["side"] in ("buy", "sell", "BUY", "SELL") and Decimal(b["price"]) > 0, b
        seen["liq"] += 1
print(seen, file=sys.stderr)
sys.exit(0 if all(seen.values()) else 1)
PY
# the funding interval of each perpetual's last funding message (earlier
# ones, before the first fundingInfo answer, may say null - unknown - but
# never another value)
check binance_fut_funding_interval $PY - "$T_TMP/dump.txt" <<'PY'
import json, sys
want = {"binance-usdm.btc-usdt-swap": 28800, "binance-usdm.eth-usdt-swap": 28800, "binance-usdm.sol-usdt-swap": 14400,
        "binance-usdm.doge-usdt-swap": 14400, "binance-coinm.btc-usd-swap": 28800, "binance-coinm.bnb-usd-swap": 28800,
        "binance-coinm.sol-usd-swap": 14400}
last = {}
for line in open(sys.argv[1]):
    subj, body = line.rstrip("\n").split("\t", 1)
    k = subj[len("market."):-len(".funding_rate")] if subj.endswith(".funding_rate") else None
    if k in want:
        v = json.loads(body)["funding_interval_s"]
        assert v in (None, want[k]), (subj, v)
        last[k] = v
bad = {k: last.get(k) for k in want if last.get(k) != want[k]}
print("last intervals", last, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
# open interest values: COIN-M contracts x contract size exactly, USD-M none
# (its quote value would need a price)
check binance_fut_oi_value $PY - "$T_TMP/dump.txt" <<'PY'
import json, sys
from decimal import Decimal
n = {"coinm": 0, "usdm": 0}
valued = set()
for line in open(sys.argv[1]):
    subj, body = line.rstrip("\n").split("\t", 1)
    if not subj.endswith(".open_interest"):
        continue
    b = json.loads(body)
    if subj.startswith("market.binance-coinm."):
        # null (unknown) only before the first exchangeInfo answer: polls
        # may answer before it at start
        size = 100 if subj.startswith("market.binance-coinm.btc-") else 10
        v = b["open_interest_value"]
        assert v is not None or subj not in valued, (subj, b)
        if v is not None:
            assert Decimal(v) == Decimal(b["open_interest"]) * size, (subj, b)
            valued.add(subj)
        n["coinm"] += 1
    elif subj.startswith("market.binance-usdm."):
        assert b["open_interest_value"] is None, (subj, b)
        n["usdm"] += 1
print("open interest messages", n, "valued", sorted(valued), file=sys.stderr)
sys.exit(0 if all(n.values()) and "market.binance-coinm.btc-usd-swap.open_interest" in valued and
         "market.binance-coinm.eth-usd-swap.open_interest" in valued else 1)
PY
# fundingInfo asked (on both venues), at most once a minute
fi_asked() {
	curl -sf -m 5 "http://127.0.0.1:$1/_sim/stats" | $PY -c '
import json, sys
s = json.load(sys.stdin)[sys.argv[1]]["rest_by_path"].get(sys.argv[2], 0)
sys.exit(0 if 1 <= s <= int(sys.argv[3]) // 60 + 1 else 1)' "$2" "$3" "$((SECONDS - T_START))"
}
if fi_asked "$SIM_U" binance-usdm /fapi/v1/fundingInfo && fi_asked "$SIM_C" binance-coinm /dapi/v1/fundingInfo; then
	ok binance_fut_funding_info_asked
else not_ok binance_fut_funding_info_asked "$(curl -sf "http://127.0.0.1:$SIM_U/_sim/stats" | head -c 800)"; fi
# open interest polled within the budget: requests sent, none refused
oi_polled() {
	curl -sf -m 5 "http://127.0.0.1:$SIM_U/_sim/stats" >"$T_TMP/stats.json" && $PY - "$T_TMP/stats.json" "$NBOOKS" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["binance-usdm"]
assert s["rest_by_path"].get("/fapi/v1/openInterest", 0) >= int(sys.argv[2]) and s["http_429"] == 0 and s["http_418"] == 0, s
PY
}
if oi_polled; then ok binance_fut_open_interest_polled
else not_ok binance_fut_open_interest_polled "$(head -c 600 "$T_TMP/stats.json")"; fi

sys_stop && ok binance_fut_stop || not_ok binance_fut_stop

if "$BIN/mpstore" verify -c "$CONF" >"$T_TMP/verify.json" 2>"$T_TMP/verify.err"; then ok binance_fut_store_verify
else not_ok binance_fut_store_verify "$(head -c 1500 "$T_TMP/verify.json") $(tail -3 "$T_TMP/verify.err")"; fi
# the capture feedd wrote carries the market frames as received
if grep -q '"e":"markPriceUpdate"' "$T_TMP/usdm.cap" && grep -q '"e":"forceOrder"' "$T_TMP/usdm.cap" &&
    grep -q ' rest:/fapi/v1/openInterest?symbol=' "$T_TMP/usdm.cap"; then ok binance_fut_capture_market
else not_ok binance_fut_capture_market "$(grep -c . "$T_TMP/usdm.cap" 2>/dev/null) lines"; fi
