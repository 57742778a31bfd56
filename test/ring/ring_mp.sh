#!/usr/bin/env bash
# ring_mp.sh - the ring between separate processes (bin/test/ring_peer):
# a 10M-record stream verified record by record, kill -9 of the consumer and
# of the producer mid-stream with restarts, drop policy gap accounting, and
# block policy under a slow consumer.  Every check is on counts and content.
. "$(dirname "$0")/../lib.sh"

PEER=$BIN/test/ring_peer
SHM=$(mktemp -d /dev/shm/mptest-ringmp.XXXXXX)
trap 'rm -rf "${SHM:?}"; t_cleanup' EXIT

# kv KEY LINE: the value of KEY=value in a summary line
kv() { local v; v=$(grep -o "\b$1=[^ ]*" <<<"$2" | head -1 | cut -d= -f2); echo "${v:-none}"; }
# need NAME COND WHAT: a [[ COND ]] check; failures accumulate until verdict NAME
bad=""
need() { if ! eval "[[ $2 ]]"; then bad="$bad; $1: $2 ($3)"; fi; }
verdict() { if [ -z "$bad" ]; then ok "$1"; else not_ok "$1" "${bad#; }"; fi; bad=""; }

# ---- 10 million records of mixed sizes (16..2000 bytes) through a 256 KiB ring ----
N=10000000
# The sanitized build (make asan) is ~10x slower: a tenth of the records there.
[ -n "${MP_SANITIZED:-}" ] && N=1000000
$PEER produce "$SHM/big" --count $N --cap 262144 >"$T_TMP/p1" 2>&1 &
ppid=$!
c=$($PEER consume "$SHM/big" --cap 262144 2>&1)
wait $ppid; prc=$?
p=$(cat "$T_TMP/p1")
need stream "$prc == 0" "producer exit $prc: $p"
need stream "\"$(kv records "$c")\" == $N" "$c"
need stream "\"$(kv last "$c")\" == $((N + 1))" "$c"
need stream "\"$(kv lost "$c")\" == 0 && \"$(kv gaps "$c")\" == 0" "$c"
need stream "\"$(kv ring_written "$p")\" == $((N + 1))" "$p"
need stream "$(kv wraps "$p") -gt $((N / 10000))" "$p"
verdict stream_10m_mixed_sizes
echo "# $c"; echo "# $p"

# ---- consumer SIGKILLs itself after a release, with records read but unreleased ----
R=$SHM/cdie; S=$SHM/cdie.state
$PEER produce "$R" --count 200000 --cap 65536 >"$T_TMP/p2" 2>&1 &
ppid=$!
c1=$($PEER consume "$R" --cap 65536 --state "$S" --die-after 50000 --batch 64 2>&1); crc=$?
persisted=$(cat "$S" 2>/dev/null)
c2=$($PEER consume "$R" --cap 65536 --state "$S" 2>&1)
wait $ppid
need consumer_die "$crc == 137" "first consumer exit $crc: $c1"
need consumer_die "\"$persisted\" -ge 50000" "persisted $persisted"
need consumer_die "\"$(kv first "$c2")\" == $((persisted + 1))" "persisted $persisted, restart: $c2"
need consumer_die "\"$(kv resume_read_seq "$c2")\" == $persisted" "$c2"
need consumer_die "\"$(kv last "$c2")\" == 200001 && \"$(kv lost "$c2")\" == 0" "$c2"
need consumer_die "\"$(kv attaches "$c2")\" == 2" "$c2"
verdict consumer_kill_resumes_at_next_record

# ---- consumer killed with kill -9 from outside, at an arbitrary moment ----
R=$SHM/ckill; S=$SHM/ckill.state
$PEER produce "$R" --count 2000000 --cap 65536 >"$T_TMP/p3" 2>&1 &
ppid=$!
$PEER consume "$R" --cap 65536 --state "$S" --batch 64 >"$T_TMP/c3" 2>&1 &
cpid=$!
wait_for 30 bash -c "[ \"\$(cat $S 2>/dev/null || echo 0)\" -ge 300000 ]"
kill -9 $cpid; wait $cpid 2>/dev/null; crc=$?
persisted=$(cat "$S")
c2=$($PEER consume "$R" --cap 65536 --state "$S" 2>&1)
wait $ppid
first=$(kv first "$c2"); rs=$(kv resume_read_seq "$c2")
need consumer_kill "$crc == 137" "consumer exit $crc: $(cat "$T_TMP/c3")"
need consumer_kill "\"$persisted\" -ge 300000" "persisted $persisted"
# The ring's read_seq is exactly the last released record; the file may lag
# it by the one batch released just before the kill landed.
need consumer_kill "\"$first\" == $((rs + 1))" "read_seq $rs, restart: $c2"
need consumer_kill "$rs -ge $persisted && $rs -le $((persisted + 64))" "persisted $persisted read_seq $rs"
need consumer_kill "\"$(kv last "$c2")\" == 2000001 && \"$(kv lost "$c2")\" == 0" "$c2"
verdict consumer_kill9_mid_stream_resumes

# ---- producer SIGKILLs itself between claim and commit; restarted ----
R=$SHM/ptorn
$PEER consume "$R" --cap 65536 >"$T_TMP/c4" 2>&1 &
cpid=$!
# (through an inner shell, whose "Killed" notice goes to the log, not to our output)
bash -c '"$@"; exit $?' _ $PEER produce "$R" --count 100000 --cap 65536 --kill-at 31337 >"$T_TMP/p4a" 2>&1; prc=$?
p2=$($PEER produce "$R" --count 100000 --cap 65536 2>&1)
wait $cpid; crc=$?
c=$(cat "$T_TMP/c4")
need producer_torn "$prc == 137" "first producer exit $prc"
need producer_torn "\"$(kv start_seq "$p2")\" == 31337" "restart: $p2"
need producer_torn "\"$(kv torn "$p2")\" == 1 && \"$(kv attaches "$p2")\" == 2" "$p2"
need producer_torn "$crc == 0" "consumer: $c"
need producer_torn "\"$(kv records "$c")\" == 100000 && \"$(kv last "$c")\" == 100001" "$c"
verdict producer_kill_mid_write_torn_skipped

# ---- drop policy with a slow consumer: gap records add up to the dropped count ----
R=$SHM/drop
$PEER consume "$R" --cap 65536 --policy drop --slow-us 300 >"$T_TMP/c5" 2>&1 &
cpid=$!
p=$($PEER produce "$R" --count 300000 --cap 65536 --policy drop 2>&1)
wait $cpid; crc=$?
c=$(cat "$T_TMP/c5")
lost=$(kv lost "$c"); gaps=$(kv gaps "$c"); recs=$(kv records "$c"); last=$(kv last "$c")
need drop "$crc == 0" "consumer: $c"
need drop "\"$gaps\" -ge 1 && \"$lost\" -gt 0" "$c"
need drop "\"$lost\" == \"$(kv ring_dropped "$p")\" && \"$lost\" == \"$(kv dropped_here "$p")\"" "consumer $c / producer $p"
need drop "\"$gaps\" == \"$(kv gaps "$p")\"" "consumer $c / producer $p"
# every seq is a record, a lost record, a gap frame or the END record
need drop "$((recs + lost + gaps + 1)) == \"$last\"" "$c"
verdict drop_gaps_sum_to_dropped

# ---- block policy with a slow consumer: the producer waits, nothing is lost ----
R=$SHM/block
$PEER consume "$R" --cap 65536 --slow-us 300 >"$T_TMP/c6" 2>&1 &
cpid=$!
p=$($PEER produce "$R" --count 100000 --cap 65536 2>&1)
wait $cpid; crc=$?
c=$(cat "$T_TMP/c6")
need block "$crc == 0 && \"$(kv records "$c")\" == 100000 && \"$(kv lost "$c")\" == 0" "$c"
need block "\"$(kv full_events "$p")\" -gt 0 && \"$(kv ring_dropped "$p")\" == 0" "$p"
verdict block_slow_consumer_no_loss
