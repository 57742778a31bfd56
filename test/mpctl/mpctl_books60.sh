#!/usr/bin/env bash
# test/mpctl/mpctl_books60.sh - 60 books (30 instruments on each of Binance
# and OKX) through the whole system against mpsim at real pace: /health lists
# 60 books, all synced with >= 1000 levels a side; then, with the market
# paused, a sample of books rebuilt from the store (its last full snapshot and
# the deltas after it, test/mpctl/store_book.py) reaches mpsim's own update id
# (GET /_sim/book) and equals it there, the top 200 levels of each side exactly
# (the exact window on both venues), and no book had a gap.  Conditions only,
# no timing: every wait is bounded by wait_for's scaled limit.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_system.sh"
. "$(dirname "$0")/lib_books60.sh"
PY=/usr/bin/python3

sys_require books60
SYS_KEEP_LOGS=books60-system
if b60_start 30 --set stored.commit_interval=500ms; then ok books60_start
else not_ok books60_start "$(tail -3 "$SYS_LOG")"; exit 1; fi
# 30 Binance books need 7500 weight of 5000-level snapshots: over a minute of the budget
if wait_for 120 b60_synced 30; then ok books60_all_synced
else not_ok books60_all_synced "$(sys_books_summary | head -c 800)"; exit 1; fi
if sys_health '
assert len(d["books"]) == 60
assert sorted(set((b["exchange"], b["symbol"]) for b in d["books"])) == sorted((e, s) for e in ("binance", "okx") for s in sys.argv[1].split(","))
' "$(b60_list 30)"; then ok books60_health_lists_60
else not_ok books60_health_lists_60 "$(sys_health 'print(len(d["books"]))' 2>&1)"; fi

# Compare at an id: pause, then wait until the store's book of each sampled
# instrument reaches the simulator's update id and check it there.  The
# market is stepped every 3 s meanwhile (a Binance book that resyncs needs an
# event after its snapshot, and feedd's watchdog wants traffic); a book seen
# at the simulator's id with other levels fails at once.
cat >"$T_TMP/agree.py" <<'EOF2'
import json, subprocess, sys, time, urllib.request
from decimal import Decimal as D
bin_, conf, store_book, sim_b, sim_o, limit = sys.argv[1:7]
samples = [s.split(":") for s in sys.argv[7:]]
port = {"binance": sim_b, "okx": sim_o}
def sim(v, what, post=False):
    req = urllib.request.Request("http://127.0.0.1:%s/_sim/%s" % (port[v], what), data=b"" if post else None)
    return urllib.request.urlopen(req, timeout=10).read()
for v in port:
    sim(v, "pause", True)
left, why = {tuple(s): "not compared" for s in samples}, {}
deadline, last_step = time.time() + float(limit), time.time()
try:
    while left and time.time() < deadline:
        for v, sym in list(left):
            s = json.loads(sim(v, "book?venue=%s&symbol=%s" % (v, sym)))
            p = subprocess.run("%s/mpstore print -c %s --exchange %s --symbol %s --types snapshot,delta --levels -1 | %s" %
                               (bin_, conf, v, sym, store_book), shell=True, capture_output=True, text=True)
            if p.returncode != 0:
                left[(v, sym)] = "store: " + p.stderr[-200:]
                continue
            b = json.loads(p.stdout)
            if b["last_id"] != int(s["update_id"]):
                left[(v, sym)] = "store at %s, sim at %s" % (b["last_id"], s["update_id"])
                continue
            for side in ("bids", "asks"):
                want = [(D(x), D(y)) for x, y in s[side][:200]]
                have = [(D(x), D(y)) for x, y in b[side][:200]]
                if want != have or len(want) < 200:
                    print("%s %s %s differ at id %s: first sim %s store %s" % (v, sym, side, b["last_id"],
                          [w for w, h in zip(want, have) if w != h][:1], [h for w, h in zip(want, have) if w != h][:1]))
                    sys.exit(1)
            del left[(v, sym)]
        if left and time.time() - last_step >= 3:
            last_step = time.time()
            for v in port:
                sim(v, "step?n=1", True)
        if left:
            time.sleep(0.5)
finally:
    for v in port:
        sim(v, "resume", True)
if left:
    print("; ".join("%s %s: %s" % (k[0], k[1], w) for k, w in left.items()))
    sys.exit(1)
EOF2
samples=(binance:BTC-USDT binance:SOL-USDT binance:PEPE-USDT binance:TON-USDT okx:ETH-USDT okx:XRP-USDT okx:AAVE-USDT okx:TON-USDT)
if why=$($PY "$T_TMP/agree.py" "$BIN" "$CONF" "$PY $MP_ROOT/test/mpctl/store_book.py" "$SIM_B" "$SIM_O" \
    $((60 * T_WAIT_SCALE)) "${samples[@]}" 2>&1); then ok books60_books_equal_sim
else not_ok books60_books_equal_sim "$(echo "$why" | tail -2 | head -c 600)"; fi
if sys_health 'assert all(b["gaps"] == 0 and b["synced"] for b in d["books"]), [(b["exchange"], b["symbol"], b["gaps"]) for b in d["books"] if b["gaps"] or not b["synced"]]'
then ok books60_no_gaps; else not_ok books60_no_gaps "$(sys_books_summary | grep -o '[a-z]* [A-Z-]* synced=False[^;]*\|[a-z]* [A-Z-]* [^;]*gaps=[1-9][^;]*' | head -5)"; fi
sys_stop
