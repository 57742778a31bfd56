#!/usr/bin/env bash
# mpreplay.sh - bin/mpreplay on hand-made captures (test/bookd/capture_kat.txt:
# Binance straddling sync, bookTicker agree/disagree, a gap and a resync from a
# later REST line; OKX snapshot + update carrying the protocols.md 3.3 CRC32
# known answers, a heartbeat, and a wrong checksum), plus an OKX REST-seeded
# capture and a legacy-format (no seqId) one generated here, checked field by field.
. "$(dirname "$0")/../lib.sh"
cd "$MP_ROOT" || exit 2

out=$T_TMP/kat.json
if "$BIN/mpreplay" test/bookd/capture_kat.txt >"$out" 2>"$T_TMP/kat.err"; then ok mpreplay_runs; else not_ok mpreplay_runs "exit $?"; fi

# jchecks FILE < "NAME EXCHANGE KEY EXPECTED-JSON" lines: one ok/not ok per line
jchecks() {
	python3 -c '
import json, sys
books = {}
for l in open(sys.argv[1]):
    if l.startswith("{\"exchange\""):
        o = json.loads(l); books[o["exchange"]] = o
for line in sys.stdin:
    if not line.strip():
        continue
    name, exch, key, want = line.split(None, 3)
    got = json.dumps(books.get(exch, {}).get(key))
    if got == want.strip():
        print("ok " + name)
    else:
        print("not ok %s - %s %s: got %s want %s" % (name, exch, key, got, want.strip()))' "$1"
}
jchecks "$out" <<'EXPECT'
kat_binance_frames binance frames 9
kat_binance_applied binance applied 3
kat_binance_gaps binance gaps 1
kat_binance_resyncs binance resyncs 1
kat_binance_bbo_agree binance bbo_agree 1
kat_binance_bbo_disagree binance bbo_disagree 1
kat_binance_best_bid binance best_bid "96.00000000"
kat_binance_best_ask binance best_ask "101.50000000"
kat_binance_bids binance bids [["96.00000000", "1.00000000"], ["95.00000000", "1.00000000"]]
kat_okx_checksum_ok okx checksum_ok 3
kat_okx_checksum_failed okx checksum_failed 1
kat_okx_asks okx asks [["3366.8", "9"], ["3368", "8"], ["3372", "8"]]
kat_okx_crossed okx crossed 0
EXPECT

# OKX audits (bookd/okx_audit.h): books5 / bbo-tbt and a REST /books line
# against the book at the same seqId; the last books5 differs (a resync)
cap=$T_TMP/okx_top.txt
cat >"$cap" <<'CAP'
1723161253900000000 okx ws {"arg":{"channel":"books","instId":"BTC-USDT"},"action":"snapshot","data":[{"asks":[["101","1","0","1"],["102","1","0","1"]],"bids":[["100","1","0","1"],["99","1","0","1"]],"ts":"1723161253900","checksum":0,"prevSeqId":-1,"seqId":10}]}
1723161253950000000 okx ws {"arg":{"channel":"books5","instId":"BTC-USDT"},"data":[{"asks":[["101","1","0","1"],["102","1","0","1"]],"bids":[["100","1","0","1"],["99","1","0","1"]],"instId":"BTC-USDT","ts":"1723161253900","seqId":10}]}
1723161254000000000 okx ws {"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[],"bids":[["100","2","0","1"]],"ts":"1723161254000","checksum":0,"prevSeqId":10,"seqId":15}]}
1723161254010000000 okx ws {"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["101","1","0","1"]],"bids":[["100","2","0","1"]],"ts":"1723161254000","seqId":15}]}
1723161254020000000 okx ws {"arg":{"channel":"books5","instId":"BTC-USDT"},"data":[{"asks":[["101","1","0","1"]],"bids":[["100","1","0","1"]],"instId":"BTC-USDT","ts":"1723161253990","seqId":12}]}
1723161254100000000 okx rest:/api/v5/market/books?instId=BTC-USDT&sz=400 {"code":"0","msg":"","data":[{"asks":[["101","1","0","1"],["102","1","0","1"]],"bids":[["100","2","0","1"],["99","1","0","1"]],"ts":"1723161254050","seqId":15}]}
1723161254200000000 okx ws {"arg":{"channel":"books5","instId":"BTC-USDT"},"data":[{"asks":[["101","1","0","1"],["102","1","0","1"]],"bids":[["100","2","0","1"],["99","3","0","1"]],"instId":"BTC-USDT","ts":"1723161254000","seqId":15}]}
CAP
out3=$T_TMP/top.json
"$BIN/mpreplay" --levels 2 "$cap" >"$out3" 2>"$T_TMP/top.err"
jchecks "$out3" <<'EXPECT'
okx_top5_agree okx top5_agree 2
okx_top5_disagree okx top5_disagree 1
okx_top5_not_comparable okx top5_not_comparable 1
okx_window_agree okx window_agree 1
okx_window_discrepancies okx window_discrepancies 0
okx_top5_resync okx resyncs 1
EXPECT

# OKX REST-seeded: updates first (no snapshot), then a REST /books answer whose
# seqId (107) is not in the stream, then the chain continues
cap=$T_TMP/okx_rest.txt
cat >"$cap" <<'CAP'
1723161254000000000 okx ws {"arg":{"channel":"books","instId":"ETH-USDT"},"action":"update","data":[{"asks":[],"bids":[["2500.1","1"]],"ts":"1723161254000","checksum":0,"prevSeqId":100,"seqId":105}]}
1723161254100000000 okx ws {"arg":{"channel":"books","instId":"ETH-USDT"},"action":"update","data":[{"asks":[["2500.5","2"]],"bids":[],"ts":"1723161254100","checksum":0,"prevSeqId":105,"seqId":110}]}
1723161254200000000 okx rest:/api/v5/market/books?instId=ETH-USDT&sz=400 {"code":"0","msg":"","data":[{"asks":[["2500.5","1","0","1"],["2501","3","0","1"]],"bids":[["2500.1","4","0","1"],["2499","5","0","1"]],"ts":"1723161254150","seqId":107}]}
1723161254300000000 okx ws {"arg":{"channel":"books","instId":"ETH-USDT"},"action":"update","data":[{"asks":[],"bids":[["2499","0","0","0"]],"ts":"1723161254300","checksum":0,"prevSeqId":110,"seqId":111}]}
CAP
out2=$T_TMP/rest.json
"$BIN/mpreplay" --levels 2 --records "$cap" >"$out2" 2>"$T_TMP/rest.err"
jchecks "$out2" <<'EXPECT'
rest_seeded_synced okx synced true
rest_seeded_applied okx applied 2
rest_seeded_stale okx stale 1
rest_seeded_last_id okx last_id 111
rest_seeded_bids okx bids [["2500.1", "4"]]
rest_seeded_asks okx asks [["2500.5", "2"], ["2501", "3"]]
EXPECT
# --records: the emitted records are JSON, and include the full snapshot of the sync
if python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if len(recs) >= 5 and any("snap" in json.dumps(r) for r in recs) else 1)' "$out2"; then ok replay_records_json; else not_ok replay_records_json "records not JSON or missing"; fi

# OKX legacy format (2021-2022: checksum, no seqId/prevSeqId) with instIds of
# other instrument types: the protocols.md 3.3 vectors as the venue's
# checksums; a corrupted one resyncs, the next WS snapshot syncs again.
cap=$T_TMP/okx_legacy.txt
L1='"asks":[["3366.8","9","0","3"],["3368","8","0","4"]],"bids":[["3366.1","7","0","3"],["3366","6","3","4"]]'
L3='"asks":[["8477","7","0","1"],["8477.34","85","0","1"]],"bids":[["8476.98","415","0","1"],["8475.55","100","0","1"]]'
cat >"$cap" <<CAP
1651000000000000000 okx ws {"arg":{"channel":"books","instId":"BTC-USD-220527"},"action":"snapshot","data":[{$L1,"ts":"1651000000000","checksum":-1881014294}]}
1651000000100000000 okx ws {"arg":{"channel":"books","instId":"UNI-USD-SWAP"},"action":"snapshot","data":[{$L3,"ts":"1651000000100","checksum":-1269175945}]}
1651000000200000000 okx ws {"arg":{"channel":"books","instId":"BTC-USD-220527"},"action":"update","data":[{"asks":[["3372","8","0","1"]],"bids":[["3366","0","0","0"]],"ts":"1651000000200","checksum":831078360}]}
1651000000300000000 okx ws {"arg":{"channel":"books","instId":"UNI-USD-SWAP"},"action":"update","data":[{"asks":[],"bids":[],"ts":"1651000000300","checksum":-1269175945}]}
1651000000400000000 okx ws {"arg":{"channel":"books","instId":"BTC-USD-220527"},"action":"update","data":[{"asks":[],"bids":[["3366.1","8","0","1"]],"ts":"1651000000400","checksum":831078361}]}
1651000000500000000 okx ws {"arg":{"channel":"books","instId":"BTC-USD-220527"},"action":"update","data":[{"asks":[],"bids":[["3366.1","9","0","1"]],"ts":"1651000000500","checksum":1}]}
1651000000600000000 okx ws {"arg":{"channel":"books","instId":"BTC-USD-220527"},"action":"snapshot","data":[{$L3,"ts":"1651000000600","checksum":-1269175945}]}
CAP
out3=$T_TMP/legacy.json
if "$BIN/mpreplay" --set instruments.okx=BTC-USD-220527,UNI-USD-SWAP --set instruments.binance= --levels 2 "$cap" \
	>"$out3" 2>"$T_TMP/legacy.err" && ! grep -q 'not parsed' "$T_TMP/legacy.err"; then ok legacy_replay_parses
else not_ok legacy_replay_parses "$(head -3 "$T_TMP/legacy.err")"; fi
python3 - "$out3" <<'PY'
import json, sys
books = {o["symbol"]: o for o in map(json.loads, open(sys.argv[1])) if "symbol" in o}
want = [
    ("legacy_future_checksum_ok", "BTC-USD-220527", "checksum_ok", 3),
    ("legacy_future_checksum_failed", "BTC-USD-220527", "checksum_failed", 1),
    ("legacy_future_resynced", "BTC-USD-220527", "resyncs", 1),
    ("legacy_future_synced", "BTC-USD-220527", "synced", True),
    ("legacy_future_bids", "BTC-USD-220527", "bids", [["8476.98", "415"], ["8475.55", "100"]]),
    ("legacy_swap_checksum_ok", "UNI-USD-SWAP", "checksum_ok", 2),
    ("legacy_swap_checksum_failed", "UNI-USD-SWAP", "checksum_failed", 0),
    ("legacy_swap_asks", "UNI-USD-SWAP", "asks", [["8477", "7"], ["8477.34", "85"]]),
]
for name, sym, key, val in want:
    got = books.get(sym, {}).get(key)
    print(("ok %s" % name) if got == val else "not ok %s - %s %s: got %r want %r" % (name, sym, key, got, val))
PY

# errors: a malformed line is reported, not fatal; a file of which no line can
# be used is an error (exit status 1, says so)
printf 'garbage line\n' >"$T_TMP/bad.txt"
if ! "$BIN/mpreplay" "$T_TMP/bad.txt" >/dev/null 2>"$T_TMP/bad.err" && grep -q 'not "<recv_ns>' "$T_TMP/bad.err" &&
    grep -q 'none of its 1 lines could be used' "$T_TMP/bad.err"; then
	ok replay_bad_line_reported; else not_ok replay_bad_line_reported "$(cat "$T_TMP/bad.err")"; fi
# many malformed lines among good ones: exit 0, five examples and the count
{ for i in 1 2 3 4 5 6 7; do echo "garbage $i"; done; echo "1 kraken ws {}"; head -3 test/bookd/capture_kat.txt; } \
    >"$T_TMP/many_bad.txt"
if "$BIN/mpreplay" "$T_TMP/many_bad.txt" >/dev/null 2>"$T_TMP/many_bad.err" &&
    [ "$(grep -c 'not "<recv_ns>\|exchange' "$T_TMP/many_bad.err")" -le 6 ] &&
    grep -q '8 malformed lines (the first 5 shown)' "$T_TMP/many_bad.err"; then
	ok replay_malformed_summarised; else not_ok replay_malformed_summarised "$(cat "$T_TMP/many_bad.err")"; fi
# no config: every instrument of the capture gets a book, with its venue id;
# --set instruments restricts; ws:<path> is a WebSocket line
cat >"$T_TMP/fut.txt" <<'EOF2'
1000000000 binance-coinm rest:/dapi/v1/depth?symbol=BTCUSD_PERP&limit=1000 {"lastUpdateId":100,"E":1,"T":1,"bids":[["60000.1","5"]],"asks":[["60000.2","3"]]}
1100000000 binance-coinm ws:/stream {"stream":"btcusd_perp@depth@100ms","data":{"e":"depthUpdate","E":2,"T":2,"s":"BTCUSD_PERP","U":95,"u":105,"pu":90,"b":[["60000.1","4"]],"a":[]}}
1200000000 binance-coinm ws {"e":"depthUpdate","E":3,"T":3,"s":"BTCUSD_PERP","U":106,"u":110,"pu":105,"b":[],"a":[["60000.3","1"]]}
1300000000 binance-usdm ws {"e":"depthUpdate","E":3,"T":3,"s":"ETHUSDT_240927","U":6,"u":8,"pu":5,"b":[],"a":[]}
EOF2
"$BIN/mpreplay" "$T_TMP/fut.txt" >"$T_TMP/fut.json" 2>"$T_TMP/fut.err"
python3 - "$T_TMP/fut.json" <<'PY'
import json, sys
b = {(j["exchange"], j["symbol"]): j for j in map(json.loads, open(sys.argv[1]))}
c = b.get(("binance-coinm", "BTC-USD-SWAP"), {})
print("ok replay_adopts_coinm" if c.get("venue_symbol") == "BTCUSD_PERP" and c.get("synced") and c.get("last_id") == 110
      and c.get("gaps") == 0 else "not ok replay_adopts_coinm - %r" % c)
d = b.get(("binance-usdm", "ETH-USDT-240927"), {})
print("ok replay_adopts_dated" if d.get("venue_symbol") == "ETHUSDT_240927" else "not ok replay_adopts_dated - %r" % sorted(b))
PY
"$BIN/mpreplay" --set instruments.binance-usdm= --set instruments.binance-coinm=BTC-USD-SWAP "$T_TMP/fut.txt" \
    >"$T_TMP/fut2.json" 2>/dev/null
[ "$(wc -l <"$T_TMP/fut2.json")" = 1 ] && grep -q '"BTC-USD-SWAP"' "$T_TMP/fut2.json" && ok replay_set_restricts ||
	not_ok replay_set_restricts "$(cat "$T_TMP/fut2.json")"
if "$BIN/mpreplay" "$T_TMP/missing.txt" >/dev/null 2>&1; then not_ok replay_missing_file "exit 0"; else ok replay_missing_file; fi
"$BIN/mpreplay" --help | grep -q -- '--levels' && ok replay_help || not_ok replay_help

# Loss accounting on the real Binance spot recording (../shared/data): the ids
# say 0 missing; with 3 depth events cut out of the middle, missing is exactly
# the ids those events covered (u - U + 1 each), counted whatever the book's state.
REC="$MP_ROOT/../shared/data/binance-spot-ethusdt-20240808.cap.zst"
if [ ! -r "$REC" ]; then
	not_ok replay_real_loss_counts "recording missing: $REC"
else
	zstd -dc "$REC" >"$T_TMP/spot.cap"
	python3 - "$T_TMP/spot.cap" "$T_TMP/spot_cut.cap" >"$T_TMP/cut.txt" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines(True)
depth = [i for i, l in enumerate(lines) if '"e":"depthUpdate"' in l]
ids = [(json.loads(lines[i].split(" ", 3)[3])["data"]["U"], json.loads(lines[i].split(" ", 3)[3])["data"]["u"]) for i in depth]
cut = depth[1000:1003]      # three consecutive events, well after the snapshot
gone = sum(u - U + 1 for (U, u) in ids[1000:1003])
open(sys.argv[2], "w").writelines(l for i, l in enumerate(lines) if i not in set(cut))
print(ids[-1][1] - ids[0][0] + 1, gone)
PY
	read -r span gone <"$T_TMP/cut.txt"
	real_loss() {   # FILE EXPECTED RECEIVED MISSING
		"$BIN/mpreplay" --set instruments.binance=ETH-USDT --set instruments.okx= --levels 0 "$1" 2>/dev/null |
			python3 -c '
import json, sys
b = json.loads(sys.stdin.readline())
want = tuple(int(x) for x in sys.argv[1:4])
got = (b["updates_expected"], b["updates_received"], b["updates_missing"])
print(got); sys.exit(0 if got == want and b["updates_late"] == 0 else 1)' "$2" "$3" "$4"
	}
	if got=$(real_loss "$T_TMP/spot.cap" "$span" "$span" 0); then ok replay_real_no_loss_by_ids
	else not_ok replay_real_no_loss_by_ids "got $got, want expected=received=$span missing=0"; fi
	if got=$(real_loss "$T_TMP/spot_cut.cap" "$span" $((span - gone)) "$gone"); then ok replay_real_cut_events_sized_by_ids
	else not_ok replay_real_cut_events_sized_by_ids "got $got, want missing=$gone of $span"; fi
fi
