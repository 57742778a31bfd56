#!/usr/bin/env bash
# bench_bookd_cpu.sh - CPU of the whole bookd process keeping 4 books (Binance
# and OKX, BTC-USDT and ETH-USDT) fed by feedd from mpsim at real pace
# (--rate 1: 10 book updates per second per instrument, bookTicker, trades,
# klines, OKX deep books every 30 s), measured from /proc over 20 s; the
# baseline is the same bookd over 10 s with the market paused (idle cost).
. "$(dirname "$0")/../lib.sh"
cd "$MP_ROOT" || exit 2
for p in mpsim feedd bookd; do
	[ -x "$BIN/$p" ] || { echo "{\"bench\": \"bookd_cpu_4_books\", \"error\": \"$BIN/$p not built\"}"; exit 0; }
done
P1=$(free_port); P2=$(free_port)
prefix="mpt-bookd-bench-$$"
conf=$T_TMP/conf.ini
trap 'rm -rf "/dev/shm/${prefix:?}"; t_cleanup' EXIT
cat >"$conf" <<CONF
[system]
ring_prefix = $prefix
data_dir = $T_TMP/var
[feedd.binance]
ws_url = ws://127.0.0.1:$P1
rest_url = http://127.0.0.1:$P1
capture = false
[feedd.okx]
ws_url = ws://127.0.0.1:$P2
rest_url = http://127.0.0.1:$P2
capture = false
stale_after = 120s
[ring.book.store]
policy = drop
capacity = 64MiB
CONF
bg "$BIN/mpsim" --binance-port "$P1" --okx-port "$P2" --seed 3 --rate 1 >/dev/null 2>"$T_TMP/sim.err"
wait_port "$P1" 10 && wait_port "$P2" 10
bg "$BIN/feedd" -c "$conf" --exchange binance 2>/dev/null
bg "$BIN/feedd" -c "$conf" --exchange okx 2>/dev/null
bg "$BIN/bookd" -c "$conf" 2>"$T_TMP/bookd.err"
BOOKD=$T_LASTPID
sleep 8
ticks() { awk '{print $14 + $15}' "/proc/$BOOKD/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks); s0=$(date +%s.%N); sleep 20; t1=$(ticks); s1=$(date +%s.%N)
curl -s -m 5 -X POST "http://127.0.0.1:$P1/_sim/pause" >/dev/null
curl -s -m 5 -X POST "http://127.0.0.1:$P2/_sim/pause" >/dev/null
sleep 1
t2=$(ticks); s2=$(date +%s.%N); sleep 10; t3=$(ticks); s3=$(date +%s.%N)
synced=$(grep -c 'msg="synced"' "$T_TMP/bookd.err")
python3 -c '
import sys
t0,t1,t2,t3,hz=map(float,sys.argv[1:6]); s0,s1,s2,s3=map(float,sys.argv[6:10])
live=(t1-t0)/hz/(s1-s0)*100; idle=(t3-t2)/hz/(s3-s2)*100
print("{\"bench\": \"bookd_cpu_4_books\", \"value\": %.2f, \"unit\": \"%% of one core\", \"baseline_idle_paused\": %.2f, \"seconds\": %.0f, \"syncs\": %s, \"clock_tick_s\": %.3f}" % (live, idle, s1-s0, sys.argv[10], 1/hz))
' "$t0" "$t1" "$t2" "$t3" "$hz" "$s0" "$s1" "$s2" "$s3" "$synced"
