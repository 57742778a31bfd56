#!/usr/bin/env bash
# mpring.sh - the inspector against a live ring written by another process:
# stat/dump/tail/list --json parsed and checked against what the producer
# wrote, tail and dump never move the head, and rings of another schema or
# layout are reported with what differs.
. "$(dirname "$0")/../lib.sh"

PEER=$BIN/test/ring_peer
MPRING=$BIN/mpring
SHM=$(mktemp -d /dev/shm/mptest-mpring.XXXXXX)
trap 'rm -rf "${SHM:?}"; t_cleanup' EXIT
R=$SHM/trades

# py EXPR-over-stdin-lines: run a python check on JSON lines, exit status = verdict
py() { python3 -c "import json,sys
L=[json.loads(l) for l in sys.stdin if l.strip()]
$1"; }

# A producer of REC_TRADE records (trade id = seq), 500 per second, no consumer yet.
bg $PEER produce "$R" --schema rec --trades --count 100000 --slow-us 2000
ppid=$T_LASTPID
wait_for 10 bash -c "$MPRING stat --json --interval 0 $R 2>/dev/null | grep -q '\"written\":[1-9][0-9]'"

# rates over 1 s: the producer sleeps 2 ms per record, so at most 500/s; on a
# loaded machine it may be much slower, so the lower bound is only "moving"
$MPRING stat --json --interval 1000 "$R" >"$T_TMP/stat1" 2>"$T_TMP/err"
check stat_json_live_ring py "
s=L[0]
assert len(L)==1, L
assert s['name']=='trades' and s['capacity']==1048576 and s['policy']=='block', s
assert s['schema_ok'] is True and s['layout_version']==1, s
assert s['producer']['pid']==$ppid and s['producer']['alive'] is True, s['producer']
assert s['consumer']['pid']==0 and s['head']==0 and s['read']==0, s
assert s['written']>=10 and s['last_seq']==s['written'], s
assert s['lag_records']==s['written'] and s['lag_bytes']==s['tail']-s['head']>0, s
assert 0 < s['rates']['write_rps'] <= 1000 and s['rates']['read_rps']==0, s['rates']
" <"$T_TMP/stat1"

$MPRING dump --json -n 5 "$R" >"$T_TMP/dump" 2>>"$T_TMP/err"
check dump_json_decodes_records py "
assert len(L)==5, L
for i,r in enumerate(L):
    assert r['seq']==i+1 and r['type']=='trade' and r['len']==120, r
    assert r['rec']['type']=='trade' and r['rec']['first_id']==r['seq'], r
    assert r['rec']['side']=='buy' and r['rec']['symbol']=='BTC-USDT', r
" <"$T_TMP/dump"

w0=$($MPRING stat --json --interval 0 "$R" | py "print(L[0]['last_seq'])")
$MPRING tail --json -n 4 --for 20 "$R" >"$T_TMP/tail" 2>>"$T_TMP/err"
check tail_json_follows_new_records py "
assert len(L)==4, L
assert L[0]['seq'] > $w0, (L[0], $w0)
for a,b in zip(L, L[1:]):
    assert b['seq']==a['seq']+1 and b['pos']>a['pos'], (a, b)
for r in L:
    assert r['rec']['first_id']==r['seq'], r
" <"$T_TMP/tail"

$MPRING stat --json --interval 0 "$R" >"$T_TMP/stat2"
check dump_and_tail_leave_head py "
s=L[0]
assert s['head']==0 and s['read']==0 and s['read_seq']==0 and s['consumer']['attaches']==0, s
" <"$T_TMP/stat2"

# Text output names every part of the stat.
$MPRING stat --interval 100 "$R" >"$T_TMP/stat.txt"
check stat_text grep -q "^producer   pid $ppid alive, heartbeat" "$T_TMP/stat.txt"

# A consumer now drains it; stat shows it alive and the head moving.
bg $PEER consume "$R" --schema rec --idle-ms 20000
cpid=$T_LASTPID
wait_for 10 bash -c "$MPRING stat --json --interval 0 $R | grep -q '\"consumer\":{\"pid\":$cpid,\"alive\":true'"
$MPRING stat --json --interval 1000 "$R" >"$T_TMP/stat3"
check stat_sees_consumer py "
s=L[0]
assert s['consumer']['pid']==$cpid and s['consumer']['alive'] and s['consumer']['attaches']==1, s
assert s['head']>0 and s['read']>0 and s['rates']['read_rps']>0, s
" <"$T_TMP/stat3"

$MPRING list --json "$SHM" >"$T_TMP/list"
check list_json py "
assert len(L)==1 and L[0]['name']=='trades' and L[0]['path']=='$R', L
assert L[0]['producer_alive'] and L[0]['consumer_alive'] and L[0]['schema_ok'], L
" <"$T_TMP/list"

# A ring of another record schema: stat says so, dump shows frames undecoded.
$PEER produce "$SHM/other" --schema 0x5eed --count 3 >/dev/null
$MPRING stat --json --interval 0 "$SHM/other" >"$T_TMP/ostat"
check other_schema_stat py "
s=L[0]
assert s['schema_ok'] is False and 'schema hash 0x0000000000005eed differs' in s['schema_error'], s
" <"$T_TMP/ostat"
$MPRING dump --json "$SHM/other" >"$T_TMP/odump" 2>"$T_TMP/oerr"
check other_schema_dump py "
assert len(L)==4 and all(r['error'].startswith('not decoded') for r in L), L
assert L[0]['type']==256 and len(L[0]['hex'])>0, L[0]
" <"$T_TMP/odump"
check other_schema_message grep -q "schema hash 0x0000000000005eed differs from this mpring's" "$T_TMP/oerr"

# Another layout version: refused, saying which.
python3 - "$SHM/other" <<'EOF'
import sys, struct
with open(sys.argv[1], 'r+b') as f:
    f.seek(8); f.write(struct.pack('<I', 9))
EOF
$MPRING stat "$SHM/other" >/dev/null 2>"$T_TMP/lerr"; rc=$?
check other_layout_refused bash -c "[ $rc = 1 ] && grep -q 'layout version 9, this program understands 1' '$T_TMP/lerr'"
$MPRING list --json "$SHM" >"$T_TMP/list2"
check list_reports_bad_ring py "
bad=[r for r in L if 'error' in r]
assert len(bad)==1 and 'layout version 9' in bad[0]['error'], L
" <"$T_TMP/list2"

# A tail that falls a whole lap behind (stopped with SIGSTOP while producer
# and consumer run on) says so and resumes at the tail.
L2=$SHM/lap
bg $PEER consume "$L2" --cap 65536 --idle-ms 20000
bg $PEER produce "$L2" --cap 65536 --count 100000000 --slow-us 100
wait_for 10 bash -c "$MPRING stat --json --interval 0 $L2 2>/dev/null | grep -q '\"written\":[1-9]'"
$MPRING tail --json --for 60 "$L2" >"$T_TMP/lap" 2>"$T_TMP/lap.err" &
tpid=$!; T_PIDS+=("$tpid")
wait_for 10 test -s "$T_TMP/lap"
kill -STOP $tpid
w1=$($MPRING stat --json --interval 0 "$L2" | py "print(L[0]['written_bytes'])")
wait_for 20 bash -c "[ \$($MPRING stat --json --interval 0 $L2 | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"written_bytes\"])') -gt $((w1 + 3 * 65536)) ]"
kill -CONT $tpid
wait_for 10 grep -q '"lapped":true' "$T_TMP/lap"
n1=$(wc -l <"$T_TMP/lap")
wait_for 10 bash -c "[ \$(wc -l <$T_TMP/lap) -gt $((n1 + 5)) ]"
kill $tpid
check tail_reports_lapped py "
lap=[i for i,r in enumerate(L) if r.get('lapped')]
assert len(lap)>=1, 'no lapped line'
x=L[lap[0]]
assert x['resume_pos']>x['pos'] and x['skipped_bytes']==x['resume_pos']-x['pos'], x
end=lap[1] if len(lap)>1 else len(L)
after=[r for r in L[lap[0]+1:end] if 'seq' in r]   # up to a second lapping, if the load caused one
assert after and after[0]['pos']>=x['resume_pos'], after[:1]
assert all(b['seq']==a['seq']+1 for a,b in zip(after, after[1:])), 'seq gap after resume'
" <"$T_TMP/lap"

$MPRING stat "$SHM/nonexistent" >/dev/null 2>&1; rc=$?
check missing_ring_exit_1 test $rc = 1
$MPRING bogus >/dev/null 2>&1; rc=$?
check usage_exit_2 test $rc = 2
