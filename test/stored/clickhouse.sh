#!/usr/bin/env bash
# clickhouse.sh - the ClickHouse sink against real engines on free loopback
# ports, with the server stopped and restarted mid-run and stored killed -9
# once: afterwards every row is in ClickHouse exactly once and the tables
# agree with the local store (mpstore verify / print).
#
# Two back ends, because no prebuilt modern server can be installed here:
#  legacy: Debian's clickhouse-server 18.16 (a real server; proves the HTTP
#          path, RowBinary, gzip bodies, the legacy schema; idempotency by
#          ReplacingMergeTree, so counts are taken with FINAL)
#  modern: ClickHouse 26.7 (libchdb from npm @chdb/lib-linux-x64-gnu) behind
#          test/stored/chdb_http.c, a test-only HTTP front end (proves the
#          modern schema: DateTime64, codecs, LowCardinality, zstd bodies, and
#          dedup by insert_deduplication_token: counts WITHOUT FINAL)
# Each prints "skip" lines when its engine cannot be installed here.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

CHDB_VERSION=26.7.3-stable.1
CHDB_DIR=${MP_CHDB_DIR:-/var/cache/marketprism/chdb}
CHDB_LIB=$CHDB_DIR/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so

have_legacy() {
	[ -x /usr/sbin/clickhouse-server ] && return 0
	[ "$(id -u)" = 0 ] || return 1
	echo "installing Debian's clickhouse-server" >&2
	DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq --no-install-recommends \
	    clickhouse-server >&2 || return 1
	[ -x /usr/sbin/clickhouse-server ]
}

have_modern() {
	[ -s "$CHDB_LIB" ] && return 0
	command -v npm >/dev/null || return 1
	echo "installing @chdb/lib-linux-x64-gnu@$CHDB_VERSION into $CHDB_DIR (about 180 MB)" >&2
	mkdir -p "$CHDB_DIR" && timeout 600 npm install --no-save --ignore-scripts --no-audit --no-fund \
	    --prefix "$CHDB_DIR" "@chdb/lib-linux-x64-gnu@$CHDB_VERSION" >&2 || return 1
	[ -s "$CHDB_LIB" ]
}

# ch_q SQL: run a query on the current back end.
ch_q() { curl -sS --max-time 20 "http://127.0.0.1:$CH_PORT/" --data-binary "$1"; }

ch_start() {
	local d=$T_TMP/$BACKEND
	mkdir -p "$d"
	if [ "$BACKEND" = legacy ]; then
		cat >"$d/config.xml" <<EOX
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$d/server.log</log><errorlog>$d/err.log</errorlog><size>10M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$CH_PORT</http_port>
  <tcp_port>$CH_TCP</tcp_port>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/user_files/</user_files_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>536870912</mark_cache_size>
</yandex>
EOX
		bg /usr/sbin/clickhouse-server --config-file="$d/config.xml" >>"$d/stdout.log" 2>&1
	else
		bg "$BIN/test/chdb_http" --lib "$CHDB_LIB" --path "$d/data" --port "$CH_PORT" 2>>"$d/stdout.log"
	fi
	CH_PID=$T_LASTPID
	wait_for 60 ch_q "SELECT 1"
}

# ch_stop: TERM, and KILL after 2 s (18.16 keeps serving open keep-alive
# connections while it shuts down, which would hide the outage).
ch_stop() {
	kill -TERM "$CH_PID" 2>/dev/null
	wait_for 2 bash -c "! kill -0 $CH_PID 2>/dev/null" || kill -KILL "$CH_PID" 2>/dev/null
	wait "$CH_PID" 2>/dev/null
}

run_backend() {
	BACKEND=$1
	local final=""
	[ "$BACKEND" = legacy ] && final=FINAL
	rm -rf "${T_TMP:?}/var" "/dev/shm/${ST_PREFIX:?}"
	: >"$T_TMP/stored.log"
	CH_PORT=$(free_port); CH_TCP=$(free_port)
	if ! ch_start; then not_ok "${BACKEND}_server_starts" "no answer on 127.0.0.1:$CH_PORT"; return; fi
	ok "${BACKEND}_server_starts ($(ch_q 'SELECT version()'))"
	local sets=(--set "clickhouse.url=http://127.0.0.1:$CH_PORT" --set clickhouse.batch_interval=300ms
	    --set clickhouse.retry_max=1s --set clickhouse.timeout=10s)
	st_start "${sets[@]}"
	wait_for 10 test -e "/dev/shm/$ST_PREFIX/book.store"
	# Records from 150 s before a UTC hour to 150 s after it: two segments per
	# stream, so the sink also crosses from one segment to the next.
	local start=$(( ($(date +%s) / 3600 * 3600 - 150) * 1000000000 ))
	bg "$BIN/test/stored_feeder" -c "$ST_CONF" --deltas 3000 --rate 1200 --seed 11 --markets --start "$start" \
	    >"$T_TMP/feed_$BACKEND.json"
	local feed=$T_LASTPID
	sleep 1.5
	ch_stop                                    # the server goes away mid-run ...
	check "${BACKEND}_server_stopped" bash -c "! curl -s --max-time 2 http://127.0.0.1:$CH_PORT/ >/dev/null"
	sleep 3
	ch_start || { not_ok "${BACKEND}_server_restarts"; return; }   # ... and comes back
	ok "${BACKEND}_server_restarts"
	sleep 1
	kill -KILL "$ST_PID"; wait "$ST_PID" 2>/dev/null   # and stored dies once too
	st_start "${sets[@]}"
	wait "$feed"
	wait_for 60 st_counts_match "$T_TMP/feed_$BACKEND.json" || not_ok "${BACKEND}_store_caught_up"
	"$BIN/mpstore" verify -c "$ST_CONF" >"$T_TMP/verify_$BACKEND.json"
	check "${BACKEND}_two_segments_per_book" test "$(ls "$ST_STORE"/binance/BTC-USDT/*.seg | wc -l)" = 2
	# Wait until ClickHouse holds what the store holds (the sink follows the store).
	local want_deltas
	want_deltas=$(python3 -c 'import json,sys; print(sum(b["deltas"] for b in json.load(open(sys.argv[1]))["books"]))' \
	    "$T_TMP/verify_$BACKEND.json")
	if wait_for 60 bash -c "[ \"\$(curl -s http://127.0.0.1:$CH_PORT/ --data-binary 'SELECT count() FROM marketprism.orderbook_deltas $final')\" = $want_deltas ]"; then
		ok "${BACKEND}_caught_up_after_outage"
	else
		not_ok "${BACKEND}_caught_up_after_outage" "deltas in ClickHouse: $(ch_q "SELECT count() FROM marketprism.orderbook_deltas $final"), store: $want_deltas"
	fi
	st_stop
	check "${BACKEND}_stored_clean_exit" test "$ST_RC" = 0
	cp "$T_TMP/stored.log" "$T_TMP/stored_$BACKEND.log"
	grep -q 'clickhouse insert failed; will retry' "$T_TMP/stored.log" && ok "${BACKEND}_outage_seen_and_retried" ||
	    not_ok "${BACKEND}_outage_seen_and_retried" "no failed insert in the log: the outage was not exercised"
	"$BIN/mpstore" print -c "$ST_CONF" --types delta,trade --levels 0 >"$T_TMP/print_$BACKEND.json"
	"$BIN/mpstore" print -c "$ST_CONF" --types market >"$T_TMP/market_$BACKEND.json"
	local rt=recv_time
	[ "$BACKEND" = modern ] && rt="toUnixTimestamp64Nano(recv_time)"
	ch_q "SELECT exchange, symbol, $rt, toString(funding_rate), toString(next_funding_rate) FROM marketprism.funding_rates $final FORMAT TabSeparated" >"$T_TMP/funding_$BACKEND.tsv"
	for t in orderbook_deltas trades tickers klines book_events orderbook_full_depth funding_rates open_interest mark_prices liquidations; do
		echo "== $t"
		ch_q "SELECT count() FROM marketprism.$t $final"
		ch_q "SELECT count() FROM marketprism.$t"
	done >"$T_TMP/counts_$BACKEND.txt"
	ch_q "SELECT exchange, symbol, last_update_id, prev_update_id, length(bid_px) + length(ask_px) FROM marketprism.orderbook_deltas $final FORMAT JSONEachRow" >"$T_TMP/deltas_$BACKEND.json"
	ch_q "SELECT exchange, symbol, toString(trade_id), toString(price), toString(qty) FROM marketprism.trades $final FORMAT TabSeparated" >"$T_TMP/trades_$BACKEND.tsv"
	ch_q "SELECT exchange_name, symbol_name, last_update_id, depth_levels, length(splitByString('],[', bids_full)) FROM marketprism.orderbook_full_depth $final FORMAT TabSeparated" >"$T_TMP/full_$BACKEND.tsv"
	# what is known, as orderbook.full has it (the generator's full books are exact to their last level)
	ch_q "SELECT bids_full, asks_full, depth_levels, first_update_id, prev_update_id, checksum, bid_exact_floor, ask_exact_ceil, exact_levels_bids, exact_levels_asks, deep_as_of FROM marketprism.orderbook_full_depth $final FORMAT JSONEachRow" >"$T_TMP/known_$BACKEND.json"
	python3 - "$BACKEND" "$T_TMP" <<'PY'
import json, sys, decimal
be, d = sys.argv[1], sys.argv[2]
v = json.load(open("%s/verify_%s.json" % (d, be)))
counts = open("%s/counts_%s.txt" % (d, be)).read().split("== ")[1:]
c = {}
for blk in counts:
    lines = blk.split("\n")
    c[lines[0]] = (int(lines[1]), int(lines[2]))
def res(name, cond, why):
    print(("ok %s_%s" % (be, name)) if cond else ("not ok %s_%s - %s" % (be, name, why)))
books = v["books"]
want = {"orderbook_deltas": sum(b["deltas"] for b in books), "trades": sum(b["trades"] for b in books),
        "tickers": sum(b["tickers"] for b in books), "klines": sum(b["klines"] for b in books),
        "book_events": sum(b["events"] for b in books), "orderbook_full_depth": sum(b["snapshots_full"] for b in books)}
for t, n in want.items():
    res("rows_exactly_once_" + t, c[t][0] == n, "ClickHouse %s, store %s" % (c[t][0], n))
# derivatives market data: one table per kind, together every REC_MARKET the store holds
mk_tables = ("funding_rates", "open_interest", "mark_prices", "liquidations")
n_mk = sum(b["markets"] for b in books)
res("market_rows_exactly_once", n_mk > 0 and sum(c[t][0] for t in mk_tables) == n_mk,
    "ClickHouse %s, store %s" % ({t: c[t][0] for t in mk_tables}, n_mk))
kinds = {"funding": 0, "open_interest": 0, "mark": 0, "liquidation": 0}
store_f = {}
for line in open("%s/market_%s.json" % (d, be)):
    r = json.loads(line); rec = r["record"]
    kinds[rec["kind"]] += 1
    if rec["kind"] == "funding":
        store_f[(r["exchange"], r["symbol"], rec["recv_ns"])] = (decimal.Decimal(rec["funding_rate"]),
            decimal.Decimal(rec["next_funding_rate"]) if "next_funding_rate" in rec else None)
res("market_rows_per_kind", [c[t][0] for t in mk_tables] == [kinds[k] for k in ("funding", "open_interest", "mark", "liquidation")],
    "ClickHouse %s, store %s" % ([c[t][0] for t in mk_tables], kinds))
ch_f = {}
for line in open("%s/funding_%s.tsv" % (d, be)):
    ex, sym, rt, fr, nfr = line.rstrip("\n").split("\t")
    ns = int(rt) if rt.isdigit() else None
    ch_f[(ex, sym, ns)] = (decimal.Decimal(fr), None if nfr in ("\\N", "NULL") else decimal.Decimal(nfr))
if True:
    res("funding_rates_exact", ch_f == store_f and any(v[0] < 0 for v in ch_f.values()),
        "%d vs %d, first differing %s" % (len(ch_f), len(store_f), sorted(set(ch_f.items()) ^ set(store_f.items()), key=str)[:2]))
if be == "modern":
    # Dedup by insert_deduplication_token: no duplicate rows even before merges.
    res("no_duplicates_without_final", all(c[t][1] == n for t, n in want.items()),
        "raw counts %s vs %s" % ({t: c[t][1] for t in want}, want))
# Content: every stored delta and trade is in ClickHouse with the same ids, sizes and exact prices.
from collections import Counter
store_d, store_t = Counter(), {}
for line in open("%s/print_%s.json" % (d, be)):
    r = json.loads(line); rec = r["record"]
    if rec["type"] == "delta":
        store_d[(r["exchange"], r["symbol"], rec["last_id"], rec["prev_id"], rec["n_bids"] + rec["n_asks"])] += 1
    else:
        store_t[(r["exchange"], r["symbol"], rec["first_id"])] = (decimal.Decimal(rec["px"]), decimal.Decimal(rec["qty"]))
ch_d = Counter()
for line in open("%s/deltas_%s.json" % (d, be)):
    r = json.loads(line)
    ch_d[(r["exchange"], r["symbol"], int(r["last_update_id"]), int(r["prev_update_id"]),
          int(r["plus(length(bid_px), length(ask_px))"]))] += 1
res("deltas_match_store", ch_d == store_d, "%d in ClickHouse, %d in the store, %d differ" %
    (sum(ch_d.values()), sum(store_d.values()), len((ch_d - store_d) + (store_d - ch_d))))
ch_t = {}
for line in open("%s/trades_%s.tsv" % (d, be)):
    ex, sym, tid, px, q = line.rstrip("\n").split("\t")
    ch_t[(ex, sym, int(tid))] = (decimal.Decimal(px), decimal.Decimal(q))
res("trades_exact_prices", ch_t == store_t, "%d vs %d, %d differ" % (len(ch_t), len(store_t), len(set(ch_t.items()) ^ set(store_t.items()))))
full = [l.split("\t") for l in open("%s/full_%s.tsv" % (d, be)).read().splitlines()]
known = [json.loads(l) for l in open("%s/known_%s.json" % (d, be))]
def known_ok(r):
    bids, asks = json.loads(r["bids_full"]), json.loads(r["asks_full"])
    return (r["depth_levels"] == len(bids) + len(asks) and r["first_update_id"] is None and r["prev_update_id"] is None
            and r["checksum"] is None and bids and asks and r["bid_exact_floor"] == bids[-1][0]
            and r["ask_exact_ceil"] == asks[-1][0] and int(r["exact_levels_bids"]) == len(bids)
            and int(r["exact_levels_asks"]) == len(asks) and r["deep_as_of"] is None)
bad = [r for r in known if not known_ok(r)]
res("full_depth_exact_range_columns", len(known) == want["orderbook_full_depth"] and not bad,
    "%d rows, %d wrong, first: %s" % (len(known), len(bad), {k: v for k, v in (bad[0] if bad else {}).items() if k not in ("bids_full", "asks_full")}))
res("full_depth_books", len(full) == want["orderbook_full_depth"] and all(int(f[3]) >= 1 and int(f[4]) == int(f[3]) or int(f[4]) > 0 for f in full),
    "rows %s" % full[:3])
PY
	ch_stop
}

# CH_ONLY=legacy|modern runs one back end (for development).
if [ "${CH_ONLY:-legacy}" != legacy ]; then
	:
elif have_legacy; then
	run_backend legacy
else
	skip legacy_clickhouse "Debian's clickhouse-server is not installed and cannot be (not root / no apt)"
fi
if [ "${CH_ONLY:-modern}" != modern ]; then
	:
elif [ ! -x "$BIN/test/chdb_http" ]; then
	skip modern_clickhouse "$BIN/test/chdb_http not built"
elif have_modern; then
	run_backend modern
else
	skip modern_clickhouse "libchdb ($CHDB_LIB) missing and npm could not install @chdb/lib-linux-x64-gnu@$CHDB_VERSION"
fi
