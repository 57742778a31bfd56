#!/usr/bin/env bash
# test/mpctl/mpctl_okx_swap.sh - an OKX perpetual (BTC-USDT-SWAP) and a dated
# future (BTC-USD-261225, inverse) through the
# whole system under mpctl against mpsim: feedd subscribes its books and the
# derivatives market channels (funding-rate, open-interest, mark-price,
# index-tickers); the book syncs and, with the market paused, the store's
# rebuilt book equals mpsim's own (/_sim/book: same update id, same levels
# in its 400-level window); funding, open interest and mark/index prices
# arrive on market.okx.btc-usdt-swap.{funding_rate,open_interest,mark_price}
# matching their JSON Schemas, and in the store (mpstore verify counts them,
# no unexplained gaps).  Each book's instrument rules come from mpsim's
# /api/v5/public/instruments (tickSz, lotSz, ctVal: /health tick_size,
# lot_size, contract_value; REC_INSTRUMENT in the store), and the linear
# swap's open interest in base units agrees with contracts * ctVal.
# ClickHouse rows of these records: test/stored/clickhouse.sh.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_system.sh"
PY=/usr/bin/python3

sys_require okx_swap
SYS_SIM_EXTRA="--symbols BTC-USDT,BTC-USDT-SWAP,BTC-USD-261225 --seed 3"
sys_config 1
cat >>"$CONF" <<EOF2
[instruments]
binance = BTC-USDT
okx = BTC-USDT-SWAP, BTC-USD-261225
EOF2
SYS_KEEP_LOGS=okx-swap-system
if sys_start; then ok okx_swap_start; else not_ok okx_swap_start "$(mpctl status 2>&1 | head -12)"; exit 1; fi

swap_synced() {
	sys_health '
b = [x for x in d["books"] if x["exchange"] == "okx" and x["symbol"] == "BTC-USDT-SWAP"][0]
assert b["synced"] and (b["levels"]["bid"] or 0) >= 200, b'
}
if wait_for 60 swap_synced; then ok okx_swap_book_synced; else not_ok okx_swap_book_synced "$(sys_books_summary)"; fi
fut_synced() {
	sys_health '
b = [x for x in d["books"] if x["exchange"] == "okx" and x["symbol"] == "BTC-USD-261225"][0]
assert b["synced"] and (b["levels"]["bid"] or 0) >= 200, b'
}
if wait_for 60 fut_synced; then ok okx_futures_book_synced; else not_ok okx_futures_book_synced "$(sys_books_summary)"; fi
# the venue's rules per book, as mpsim lists them (its tick and lot; ctVal
# 0.01 BTC for the linear swap, 100 USD for the inverse future)
rules_known() {
	curl -sf "http://127.0.0.1:$SIM_O/api/v5/public/instruments?instType=SWAP" >"$T_TMP/inst_swap.json" &&
	curl -sf "http://127.0.0.1:$SIM_O/api/v5/public/instruments?instType=FUTURES" >"$T_TMP/inst_fut.json" &&
	SW="$T_TMP/inst_swap.json" FU="$T_TMP/inst_fut.json" sys_health '
import os
from decimal import Decimal as D
want = {}
for f in (os.environ["SW"], os.environ["FU"]):
    for e in json.load(open(f))["data"]:
        want[e["instId"]] = e
assert want["BTC-USDT-SWAP"]["ctVal"] == "0.01" and want["BTC-USD-261225"]["ctVal"] == "100", want
for sym in ("BTC-USDT-SWAP", "BTC-USD-261225"):
    b = [x for x in d["books"] if x["exchange"] == "okx" and x["symbol"] == sym][0]
    w = want[sym]
    assert b["tick_size"] and D(b["tick_size"]) == D(w["tickSz"]), (sym, b.get("tick_size"), w["tickSz"])
    assert b["lot_size"] and D(b["lot_size"]) == D(w["lotSz"]), (sym, b.get("lot_size"), w["lotSz"])
    assert b["contract_value"] and D(b["contract_value"]) == D(w["ctVal"]), (sym, b.get("contract_value"))'
}
if wait_for 30 rules_known; then ok okx_instrument_rules_health; else not_ok okx_instrument_rules_health "$(sys_books_summary)"; fi

# market data on its subjects: funding every 5 s, open interest every 3 s
mkt_msgs() {
	"$BIN/mpsub" -c "$CONF" --durable okxswap --subjects funding_rate,open_interest,mark_price --seconds 2 \
	    --dump "$T_TMP/dump.txt" >"$T_TMP/mkt.json" 2>>"$T_TMP/mpsub.log" &&
	    $PY - "$T_TMP/mkt.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["subjects"]
sys.exit(0 if all(s.get("market.okx.btc-usdt-swap." + k, 0) > 0 for k in ("funding_rate", "open_interest", "mark_price")) else 1)
PY
}
if wait_for 60 mkt_msgs; then ok okx_swap_market_subjects; else not_ok okx_swap_market_subjects "$(head -c 500 "$T_TMP/mkt.json")"; fi
check okx_futures_market_subjects $PY - "$T_TMP/mkt.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["subjects"]
sys.exit(0 if all(s.get("market.okx.btc-usd-261225." + k, 0) > 0 for k in ("open_interest", "mark_price"))
         and not s.get("market.okx.btc-usd-261225.funding_rate") else "subjects %s" % s)
PY
sys_schema_check okx_swap_market_schema "$T_TMP/dump.txt"
# the values as mpsim sent them: signed 16-decimal rates, mark and index apart
check okx_swap_market_bodies $PY - "$T_TMP/dump.txt" <<'PY'
import json, sys, re
seen = {"funding": 0, "mark": 0, "index": 0, "oi": 0}
for line in open(sys.argv[1]):
    subj, body = line.rstrip("\n").split("\t", 1)
    b = json.loads(body)
    if b["symbol_name"] != "BTC-USDT-SWAP":
        assert b["symbol_name"] == "BTC-USD-261225", b
        continue
    if subj.endswith(".funding_rate"):
        # a decimal string within OKX's cap; mpsim's premium is 0 now and then, the rate then "0"
        assert re.match(r"^-?[0-9]+(\.[0-9]+)?$", b["funding_rate"]) and abs(float(b["funding_rate"])) <= 0.00375, b
        assert b["next_funding_rate"] is None, b
        assert b["funding_interval_s"] == 28800 and b["funding_time"] < b["next_funding_time"], b
        seen["funding"] += 1
    elif subj.endswith(".mark_price"):
        seen["mark" if b["mark_price"] is not None else "index"] += 1
    elif subj.endswith(".open_interest"):
        assert float(b["open_interest"]) > 0 and b["open_interest_base"] and b["open_interest_value"], b
        # oiCcy from the venue: contracts * ctVal (0.01 BTC) within mpsim's rounding
        assert abs(float(b["open_interest_base"]) - float(b["open_interest"]) * 0.01) < 0.01, b
        seen["oi"] += 1
sys.exit(0 if all(seen.values()) else 1)
PY

# exact book: pause the market, the store's book reaches mpsim's update id and levels
sim_post() { curl -sf -m 5 -X POST "http://127.0.0.1:$SIM_O/_sim/$1" >/dev/null; }
sim_post pause
store_agrees() {
	local sym=${1:-BTC-USDT-SWAP}
	curl -sf "http://127.0.0.1:$SIM_O/_sim/book?venue=okx&symbol=$sym&depth=400" >"$T_TMP/sim_book.json" &&
	"$BIN/mpstore" print -c "$CONF" --exchange okx --symbol "$sym" --types snapshot,delta --levels -1 |
	    $PY "$MP_ROOT/test/mpctl/store_book.py" >"$T_TMP/store_book.json" &&
	$PY - "$T_TMP/sim_book.json" "$T_TMP/store_book.json" <<'PY'
import json, sys
from decimal import Decimal as D
sim, st = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
if int(st["last_id"]) != int(sim["update_id"]):
    sys.exit("ids: store %s sim %s" % (st["last_id"], sim["update_id"]))
for side in ("bids", "asks"):
    s = [(D(p), D(q)) for p, q in sim[side]][:200]
    t = [(D(p), D(q)) for p, q in st[side]][:200]
    if s != t or len(s) < 200:
        sys.exit("%s differ (%d levels)" % (side, len(s)))
PY
}
steps=0
until store_agrees 2>"$T_TMP/agree.err"; do
	steps=$((steps + 1))
	[ "$steps" -gt $((60 * ${T_WAIT_SCALE:-1})) ] && break
	# the store follows with a batch delay; step once in a while so feedd's watchdog sees traffic
	[ $((steps % 5)) = 0 ] && sim_post "step?n=1"
	sleep 1
done
if store_agrees 2>"$T_TMP/agree.err"; then ok okx_swap_book_exact_vs_sim
else not_ok okx_swap_book_exact_vs_sim "$(tail -1 "$T_TMP/agree.err")"; fi
steps=0
until store_agrees BTC-USD-261225 2>"$T_TMP/agree.err"; do
	steps=$((steps + 1))
	[ "$steps" -gt $((30 * ${T_WAIT_SCALE:-1})) ] && break
	[ $((steps % 5)) = 0 ] && sim_post "step?n=1"
	sleep 1
done
if store_agrees BTC-USD-261225 2>"$T_TMP/agree.err"; then ok okx_futures_book_exact_vs_sim
else not_ok okx_futures_book_exact_vs_sim "$(tail -1 "$T_TMP/agree.err")"; fi
sim_post resume

sys_stop
"$BIN/mpstore" verify -c "$CONF" >"$T_TMP/verify.json" 2>"$T_TMP/verify.err"
check okx_swap_store_market_records $PY - "$T_TMP/verify.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
for sym in ("BTC-USDT-SWAP", "BTC-USD-261225"):
    b = [x for x in v["books"] if x["exchange"] == "okx" and x["symbol"] == sym][0]
    if not (b["markets"] > 0 and b["unexplained_gaps"] == 0):
        sys.exit("%s: %s" % (sym, b))
PY
# the rules are in the store too (REC_INSTRUMENT before every full book)
"$BIN/mpstore" print -c "$CONF" --exchange okx --symbol BTC-USD-261225 --types instrument >"$T_TMP/rules.jsonl" 2>"$T_TMP/rules.err"
check okx_futures_store_rules $PY - "$T_TMP/rules.jsonl" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
r = [x["record"] for x in r if x.get("record", {}).get("type") == "instrument"]
sys.exit(0 if r and all(x.get("ct_val") == "100" and x.get("ct_ccy") == "USD" for x in r) else "records: %s" % r[:3])
PY

# mpexport's market features of the swap book (routerd/mlmkt.c, market.npy): funding,
# mark and index, basis against the index, open-interest change
if "$BIN/mpexport" -c "$CONF" --exchange okx --symbol BTC-USDT-SWAP --from 2020-01-01 --to "$(date +%s)000000000" \
    --what market --out "$T_TMP/exp" >"$T_TMP/exp.json" 2>"$T_TMP/exp.err"; then
	check okx_swap_export_market_features $PY - "$T_TMP/exp" <<'PY'
import json, sys
import numpy as np
d = sys.argv[1]
m = np.load(d + "/market.npy"); mid = np.load(d + "/mid.npy")
cols = list(json.load(open(d + "/metadata.json"))["requirement_artefacts"]["market"]["columns"])
c = {n: m[:, i] for i, n in enumerate(cols)}
need = ("mk_funding_rate", "mk_mark_px", "mk_index_px", "mk_open_interest")
late = np.all([~np.isnan(c[n]) for n in need], axis=0)
ok = m.shape == (len(mid), len(cols)) and late.sum() > 10
# the basis is what it says, from the same row's values; mpsim's index is the book mid
ok &= np.allclose(c["mk_basis_bps"][late], (c["mk_mark_px"][late] - c["mk_index_px"][late]) / c["mk_index_px"][late] * 1e4)
ok &= np.all(np.abs(c["mk_funding_rate"][late]) < 0.00375 + 1e-12)
ok &= np.all(np.abs(c["mk_mid_basis_bps"][late & ~np.isnan(c["mk_mid_basis_bps"])]) < 50)
ch = c["mk_oi_change"][~np.isnan(c["mk_oi_change"])]
ok &= len(ch) > 0 and np.any(ch != 0)
sys.exit(0 if ok else "shape %s, %d rows with everything known, columns %s" % (m.shape, late.sum(), cols))
PY
else
	not_ok okx_swap_export_market_features "mpexport: $(tail -2 "$T_TMP/exp.err")"
fi
