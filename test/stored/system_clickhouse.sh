#!/usr/bin/env bash
# system_clickhouse.sh - the whole system under mpctl against mpsim, with the
# ClickHouse sink on: the local store, the ClickHouse tables and mpsub's view
# of the NATS streams agree, and mpexport makes tensors from the store.
#   - mpstore verify: every book continuous (no unexplained gap), no damage
#   - ClickHouse holds exactly the store's deltas (same ids, prev ids, level
#     counts) and trades, and one orderbook_full_depth row per full book
#   - every delta mpsub saw on orderbook.delta.* is in the store with the same
#     prev id (the store may hold more: it is not subject to RING_DROP)
#   - mpexport writes a DeepLOB tensor from the store
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../mpctl/lib_system.sh"
sys_require store_clickhouse_system

CHDB_LIB=${MP_CHDB_DIR:-/var/cache/marketprism/chdb}/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so
CH_PORT=$(free_port)
if [ -s "$CHDB_LIB" ] && [ -x "$BIN/test/chdb_http" ]; then
	bg "$BIN/test/chdb_http" --lib "$CHDB_LIB" --path "$T_TMP/ch" --port "$CH_PORT" 2>"$T_TMP/ch.log"
	FINAL=""
elif [ -x /usr/sbin/clickhouse-server ]; then
	mkdir -p "$T_TMP/ch"
	cat >"$T_TMP/ch/config.xml" <<EOX
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$T_TMP/ch/server.log</log><errorlog>$T_TMP/ch/err.log</errorlog><size>10M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host><http_port>$CH_PORT</http_port><tcp_port>$(free_port)</tcp_port>
  <path>$T_TMP/ch/data/</path><tmp_path>$T_TMP/ch/tmp/</tmp_path><user_files_path>$T_TMP/ch/uf/</user_files_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile><default_database>default</default_database>
  <mark_cache_size>536870912</mark_cache_size>
</yandex>
EOX
	bg /usr/sbin/clickhouse-server --config-file="$T_TMP/ch/config.xml" >"$T_TMP/ch.log" 2>&1
	FINAL=FINAL
else
	skip store_clickhouse_system "no ClickHouse here (run test/stored/clickhouse.sh once, or make deps)"
	exit 0
fi
ch_q() { curl -sS --max-time 20 "http://127.0.0.1:$CH_PORT/" --data-binary "$1"; }
wait_for 60 ch_q "SELECT 1" || { not_ok store_clickhouse_server "no answer"; exit 1; }

sys_config 1
cat >>"$CONF" <<EOF
[stored]
commit_interval = 1s
[clickhouse]
url = http://127.0.0.1:$CH_PORT
batch_interval = 500ms
retry_max = 1s
EOF
SYS_KEEP_LOGS=system-clickhouse
if sys_start; then ok system_start; else not_ok system_start "$(mpctl status 2>&1)"; exit 1; fi
if wait_for 120 sys_books_synced 4500; then ok system_books_synced; else not_ok system_books_synced "$(sys_books_summary)"; fi
sleep 10
"$BIN/mpsub" -c "$CONF" --seconds 20 --until-caught-up --subjects delta --durable stch --cleanup \
    --dump "$T_TMP/mpsub.dump" >"$T_TMP/mpsub.json" 2>"$T_TMP/mpsub.err"
sys_stop && ok system_stop || not_ok system_stop
# stored alone, until ClickHouse holds everything the store holds.
bg "$BIN/stored" -c "$CONF" 2>"$T_TMP/stored_after.log"
ST=$T_LASTPID
"$BIN/mpstore" verify -c "$CONF" >"$T_TMP/verify.json" 2>"$T_TMP/verify.err"
check store_verify_ok test $? = 0
want=$(python3 -c 'import json,sys; print(sum(b["deltas"] for b in json.load(open(sys.argv[1]))["books"]))' "$T_TMP/verify.json")
if wait_for 60 bash -c "[ \"\$(curl -s http://127.0.0.1:$CH_PORT/ --data-binary 'SELECT count() FROM marketprism.orderbook_deltas $FINAL')\" = '$want' ]"; then
	ok clickhouse_caught_up
else
	not_ok clickhouse_caught_up "ClickHouse $(ch_q "SELECT count() FROM marketprism.orderbook_deltas $FINAL"), store $want"
fi
kill -TERM "$ST"; wait "$ST" 2>/dev/null
"$BIN/mpstore" print -c "$CONF" --types delta,trade,snapshot --levels 0 >"$T_TMP/print.json"
ch_q "SELECT exchange, symbol, last_update_id, prev_update_id, length(bid_px) + length(ask_px) AS n FROM marketprism.orderbook_deltas $FINAL FORMAT JSONEachRow" >"$T_TMP/ch_deltas.json"
ch_q "SELECT exchange, symbol, toString(trade_id) AS id, toString(price) AS px, toString(qty) AS qty FROM marketprism.trades $FINAL FORMAT JSONEachRow" >"$T_TMP/ch_trades.json"
ch_q "SELECT exchange_name, symbol_name, last_update_id FROM marketprism.orderbook_full_depth $FINAL FORMAT JSONEachRow" >"$T_TMP/ch_full.json"
python3 - "$T_TMP" <<'PY'
import json, sys, decimal
d = sys.argv[1]
def res(name, cond, why):
    print(("ok %s" % name) if cond else ("not ok %s - %s" % (name, why)))
# Deltas as a multiset of (book, last id, prev id, levels): one update id can
# carry two deltas (OKX: the update, then the deep-book merge at the same id).
from collections import Counter
sd, st, sf = Counter(), {}, set()
for line in open(d + "/print.json"):
    r = json.loads(line); rec = r["record"]; k = (r["exchange"], r["symbol"])
    if rec["type"] == "delta":
        sd[k + (rec["last_id"], rec["prev_id"], rec["n_bids"] + rec["n_asks"])] += 1
    elif rec["type"] == "trade":
        st[k + (rec["first_id"],)] = (decimal.Decimal(rec["px"]), decimal.Decimal(rec["qty"]))
    elif rec["type"] == "snapshot" and rec["kind"] == "full" and rec.get("chunk", 0) + 1 == rec.get("nchunks", 1):
        sf.add(k + (rec["last_id"],))
cd = Counter()
for line in open(d + "/ch_deltas.json"):
    r = json.loads(line)
    cd[(r["exchange"], r["symbol"], int(r["last_update_id"]), int(r["prev_update_id"]), int(r["n"]))] += 1
res("clickhouse_deltas_equal_store", cd == sd and sum(sd.values()) > 100,
    "store %d, ClickHouse %d, differ %d" % (sum(sd.values()), sum(cd.values()), len((sd - cd) + (cd - sd))))
ct = {}
for line in open(d + "/ch_trades.json"):
    r = json.loads(line)
    ct[(r["exchange"], r["symbol"], int(r["id"]))] = (decimal.Decimal(r["px"]), decimal.Decimal(r["qty"]))
res("clickhouse_trades_equal_store", ct == st, "store %d, ClickHouse %d" % (len(st), len(ct)))
cf = set()
for line in open(d + "/ch_full.json"):
    r = json.loads(line)
    cf.add((r["exchange_name"], r["symbol_name"], int(r["last_update_id"])))
res("clickhouse_full_depth_equal_store", cf == sf and len(sf) >= 4, "store %d, ClickHouse %d" % (len(sf), len(cf)))
# mpsub's view: every delta it rebuilt books from is in the store, same prev id.
sd4 = {k[:4] for k in sd}
sd3 = {k[:3] + (None,) for k in sd}
bad, n = [], 0
for line in open(d + "/mpsub.dump"):
    subj, _, body = line.rstrip("\n").partition("\t")
    if not subj.startswith("orderbook.delta."):
        continue
    m = json.loads(body)
    ex, sym = m["exchange_name"], m["symbol_name"]
    uid = int(m["last_update_id"]); prev = m.get("prev_update_id")
    n += 1
    if (ex, sym, uid, int(prev) if prev is not None else None) not in (sd4 if prev is not None else sd3):
        bad.append((ex, sym, uid, prev))
res("mpsub_view_in_store", n > 100 and not bad, "%d deltas from NATS, %d not in the store: %s" % (n, len(bad), bad[:3]))
PY
python3 - "$T_TMP/verify.json" >"$T_TMP/range" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
b = [x for x in v["books"] if x["exchange"] == "binance" and x["symbol"] == "BTC-USDT"][0]
print(b["first"], b["last"])
PY
read -r FROM TO <"$T_TMP/range"
# numpy: Debian's python3-numpy is for /usr/bin/python3 (a pyenv python3 may come first in PATH)
PY3=/usr/bin/python3; [ -x "$PY3" ] || PY3=python3
if "$BIN/mpexport" -c "$CONF" --exchange binance --symbol BTC-USDT --from "$FROM" --to "$TO" \
    --out "$T_TMP/export" --what deeplob,labels --window 20 >"$T_TMP/export.log" 2>&1 &&
    "$PY3" -c '
import numpy as np, sys
x = np.load(sys.argv[1] + "/deeplob.npy")
assert x.ndim == 2 and x.shape[1] == 40 and x.shape[0] > 50, x.shape' "$T_TMP/export"; then
	ok mpexport_from_store
else
	not_ok mpexport_from_store "$(tail -3 "$T_TMP/export.log")"
fi
# Replay and audit: the raw frames in the store, as a capture file, rebuild the
# books offline through feedd's parser and bookd's book code.
"$BIN/mpstore" capture -c "$CONF" --exchange binance >"$T_TMP/capture.txt" 2>"$T_TMP/capture.err"
"$BIN/mpreplay" -c "$CONF" "$T_TMP/capture.txt" >"$T_TMP/replay.json" 2>"$T_TMP/replay.err"
if python3 - "$T_TMP/replay.json" <<'PY'
import json, sys
books = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
b = {(x["exchange"], x["symbol"]): x for x in books}
for sym in ("BTC-USDT", "ETH-USDT"):
    x = b[("binance", sym)]
    assert x["synced"] and x["applied"] > 50 and x["gaps"] == 0, x
PY
then ok raw_capture_replays; else not_ok raw_capture_replays "$(head -c 600 "$T_TMP/replay.json") $(tail -2 "$T_TMP/replay.err")"; fi
