#!/usr/bin/env bash
# mpreplay.sh - bin/mpreplay on hand-made captures (test/bookd/capture_kat.txt:
# Binance straddling sync, bookTicker agree/disagree, a gap and a resync from a
# later REST line; OKX snapshot + update carrying the protocols.md 3.3 CRC32
# known answers, a heartbeat, and a wrong checksum), plus an OKX REST-seeded
# capture generated here, checked field by field.
. "$(dirname "$0")/../lib.sh"
cd "$MP_ROOT" || exit 2

out=$T_TMP/kat.json
if "$BIN/mpreplay" test/bookd/capture_kat.txt >"$out" 2>"$T_TMP/kat.err"; then ok mpreplay_runs; else not_ok mpreplay_runs "exit $?"; fi

# field checks: NAME exchange key expected
jcheck() {
	local name=$1 file=$2 exch=$3 key=$4 want=$5 got
	got=$(python3 -c '
import json,sys
for l in open(sys.argv[1]):
    o=json.loads(l)
    if o["exchange"]==sys.argv[2]:
        print(json.dumps(o[sys.argv[3]]))' "$file" "$exch" "$key")
	if [ "$got" = "$want" ]; then ok "$name"; else not_ok "$name" "$exch $key: got $got want $want"; fi
}
jcheck kat_binance_frames "$out" binance frames 9
jcheck kat_binance_applied "$out" binance applied 3
jcheck kat_binance_gaps "$out" binance gaps 1
jcheck kat_binance_resyncs "$out" binance resyncs 1
jcheck kat_binance_bbo_agree "$out" binance bbo_agree 1
jcheck kat_binance_bbo_disagree "$out" binance bbo_disagree 1
jcheck kat_binance_best_bid "$out" binance best_bid '"96.00000000"'
jcheck kat_binance_best_ask "$out" binance best_ask '"101.50000000"'
jcheck kat_binance_bids "$out" binance bids '[["96.00000000", "1.00000000"], ["95.00000000", "1.00000000"]]'
jcheck kat_okx_checksum_ok "$out" okx checksum_ok 3
jcheck kat_okx_checksum_failed "$out" okx checksum_failed 1
jcheck kat_okx_asks "$out" okx asks '[["3366.8", "9"], ["3368", "8"], ["3372", "8"]]'
jcheck kat_okx_crossed "$out" okx crossed 0

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
grep '^{"exchange"' "$out2" >"$out2.sum"
jcheck rest_seeded_synced "$out2.sum" okx synced true
jcheck rest_seeded_applied "$out2.sum" okx applied 2
jcheck rest_seeded_stale "$out2.sum" okx stale 1
jcheck rest_seeded_last_id "$out2.sum" okx last_id 111
jcheck rest_seeded_bids "$out2.sum" okx bids '[["2500.1", "4"]]'
jcheck rest_seeded_asks "$out2.sum" okx asks '[["2500.5", "2"], ["2501", "3"]]'
# --records: the emitted records are JSON, and include the full snapshot of the sync
if python3 -c '
import json,sys
n=0
for l in open(sys.argv[1]):
    o=json.loads(l); n+=1
sys.exit(0 if n>=4 else 1)' "$out2" && grep -q '"snapshot"\|snap' "$out2"; then ok replay_records_json; else not_ok replay_records_json "records not JSON or missing"; fi

# errors: a malformed line is reported, not fatal
printf 'garbage line\n' >"$T_TMP/bad.txt"
if "$BIN/mpreplay" "$T_TMP/bad.txt" >/dev/null 2>"$T_TMP/bad.err" && grep -q 'not "<recv_ns>' "$T_TMP/bad.err"; then
	ok replay_bad_line_reported; else not_ok replay_bad_line_reported "$(cat "$T_TMP/bad.err")"; fi
if "$BIN/mpreplay" "$T_TMP/missing.txt" >/dev/null 2>&1; then not_ok replay_missing_file "exit 0"; else ok replay_missing_file; fi
"$BIN/mpreplay" --help | grep -q -- '--levels' && ok replay_help || not_ok replay_help
