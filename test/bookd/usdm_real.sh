#!/usr/bin/env bash
# usdm_real.sh - the real Binance USD-M recording (../shared/data/, read at run
# time) through bin/mpreplay as the binance-usdm venue, with no config: the book
# of ETH-USDT-SWAP (venue ETHUSDT) is made from what the capture names, the
# futures rule (bookd/sync_binance_fut.c) syncs it, and
#  * the pu chain is unbroken after the snapshot (each event's pu is the
#    previous event's u), checked here from the raw lines, and mpreplay saw 0 gaps;
#  * the final book equals an independent rebuild written here (Decimal
#    arithmetic, the documented procedure: drop u < L, the first event has
#    U <= L <= u, then apply every event in order), level by level;
#  * every depth frame took the scanner (no parse errors, no malformed lines).
# A missing recording is a failure, not a skip.
. "$(dirname "$0")/../lib.sh"
cd "$MP_ROOT" || exit 2
PY=/usr/bin/python3
rec=$MP_ROOT/../shared/data/binance-usdm-ethusdt-20240808.cap.zst
if [ ! -r "$rec" ]; then
	not_ok usdm_real "$rec missing (the real recordings live in ../shared/data/)"
	exit 1
fi
zstd -dc "$rec" >"$T_TMP/usdm.cap"
if "$BIN/mpreplay" --levels 5000 "$T_TMP/usdm.cap" >"$T_TMP/usdm.json" 2>"$T_TMP/usdm.err"; then
	ok usdm_real_replay_runs; else not_ok usdm_real_replay_runs "exit $?: $(tail -3 "$T_TMP/usdm.err")"; fi
if grep -q 'malformed\|not parsed\|bad record' "$T_TMP/usdm.err"; then
	not_ok usdm_real_clean "$(grep -m3 'malformed\|not parsed\|bad record' "$T_TMP/usdm.err")"; else ok usdm_real_clean; fi
$PY - "$T_TMP/usdm.cap" "$T_TMP/usdm.json" <<'PY'
import json, sys
from decimal import Decimal

cap, out = sys.argv[1], sys.argv[2]
books = [json.loads(l) for l in open(out) if l.startswith("{")]
b = [x for x in books if x["exchange"] == "binance-usdm"]

def res(name, good, why=""):
    print(("ok %s" % name) if good else "not ok %s - %s" % (name, why))

res("usdm_real_one_book", len(b) == 1 and b[0]["symbol"] == "ETH-USDT-SWAP" and b[0]["venue_symbol"] == "ETHUSDT",
    repr([(x["exchange"], x["symbol"]) for x in books]))
if not b:
    sys.exit(0)
b = b[0]

# the independent rebuild
book = {"b": {}, "a": {}}
L = None
last_u = None
applied = chain_breaks = 0
events = []      # every depth event in capture order (those before the snapshot line are the buffer)
for line in open(cap):
    recv, exch, src, payload = line.rstrip("\n").split(" ", 3)
    if src.startswith("rest:/fapi/v1/depth"):
        if L is None:
            j = json.loads(payload)
            L = j["lastUpdateId"]
            for side, key in (("b", "bids"), ("a", "asks")):
                book[side] = {Decimal(p): Decimal(q) for p, q in j[key] if Decimal(q) != 0}
        continue
    j = json.loads(payload)
    d = j.get("data", j)
    if d.get("e") == "depthUpdate":
        events.append(d)
for d in events if L is not None else []:
    U, u, pu = d["U"], d["u"], d["pu"]
    if last_u is None:
        if u < L:
            continue
        if not (U <= L <= u):
            chain_breaks += 1
            break
    elif pu != last_u:
        chain_breaks += 1
    last_u = u
    applied += 1
    for side in ("b", "a"):
        for p, q in d[side]:
            p, q = Decimal(p), Decimal(q)
            if q == 0:
                book[side].pop(p, None)
            else:
                book[side][p] = q

res("usdm_real_pu_chain_unbroken", L is not None and applied > 6000 and chain_breaks == 0,
    "snapshot %r, %d applied, %d breaks" % (L, applied, chain_breaks))
res("usdm_real_no_gaps", b["gaps"] == 0 and b["resyncs"] == 0 and b["synced"] and b["updates_missing"] == 0,
    "gaps %r resyncs %r synced %r missing %r" % (b["gaps"], b["resyncs"], b["synced"], b["updates_missing"]))
res("usdm_real_applied", b["applied"] == applied, "mpreplay applied %r, rebuild %d" % (b["applied"], applied))
res("usdm_real_last_id", b["last_id"] == last_u, "%r vs %r" % (b["last_id"], last_u))
for side, key, rev in (("b", "bids", True), ("a", "asks", False)):
    want = sorted(book[side].items(), reverse=rev)
    got = [(Decimal(p), Decimal(q)) for p, q in b[key]]
    res("usdm_real_book_%s" % key, got == want and len(got) == b["levels_" + ("bid" if side == "b" else "ask")],
        "%d levels vs %d rebuilt; first difference %r" % (len(got), len(want),
        next(((g, w) for g, w in zip(got, want) if g != w), None)))
PY
