#!/usr/bin/env bash
# bench_refresh_cost.sh - what the Binance deep refresh costs in request
# weight and requests per minute, at the default deep_refresh_interval, for
# the default config's Binance books ([instruments] binance), against the
# venue's REQUEST_WEIGHT limit (6000 a minute) and feedd's budget (80 %),
# measured from feedd's own counters (mp_feed_refresh_requests_total,
# mp_feed_refresh_weight_total) over a run, next to the README's arithmetic.
#
# Time is compressed 10x: mpsim --rate 10 (its weight window 6 s), feedd
# weight_window = 6 s, bookd deep_refresh_interval = 6 s and
# deep_refresh_min_interval = 700 ms (the defaults 60 s and 7 s / 10); the
# run lasts 60 s of real time = 10 scaled minutes, and the figures are per
# scaled minute.  Early refreshes (exact depth below deep_refresh_below_pct)
# come on top of the interval's, up to one per min interval per book: the
# cost lies between the interval's (books x 250 a minute) and that cap.  The same run's baseline: the weight resync
# snapshots took (feedd snapshots answered - refreshes), per scaled minute.
. "$(dirname "$0")/../lib.sh"
cd "$MP_ROOT" || exit 2
B=binance_refresh_cost
for p in mpsim feedd bookd test/metrics_dump; do
	[ -x "$BIN/$p" ] || { echo "{\"bench\": \"$B\", \"error\": \"$BIN/$p not built\"}"; exit 0; }
done
SCALE=10
P1=$(free_port); P2=$(free_port)
while [ "$P2" = "$P1" ]; do P2=$(free_port); done
prefix="mpt-refresh-bench-$$"
conf=$T_TMP/conf.ini
trap 'rm -rf "/dev/shm/${prefix:?}"; t_cleanup' EXIT
default_interval=$(awk -F'"' '/"deep_refresh_interval"/ { print $6 }' common/cfg_keys_bookd.c)
[ "$default_interval" = 60s ] || { echo "{\"bench\": \"$B\", \"error\": \"default deep_refresh_interval is '$default_interval', the bench assumes 60s\"}"; exit 0; }
cat >"$conf" <<CONF
[system]
ring_prefix = $prefix
data_dir = $T_TMP/var
[feedd.binance]
ws_url = ws://127.0.0.1:$P1
rest_url = http://127.0.0.1:$P1
capture = false
channels = depth
weight_window = 6s
stale_after = 30s
[feedd.okx]
ws_url = ws://127.0.0.1:$P2
rest_url = http://127.0.0.1:$P2
capture = false
[bookd]
deep_refresh_interval = 6s
deep_refresh_min_interval = 700ms
refresh_hold_timeout = 1s
[ring.book.store]
policy = drop
capacity = 64MiB
CONF
bg "$BIN/mpsim" --binance-port "$P1" --okx-port "$P2" --seed 5 --rate "$SCALE" >/dev/null 2>"$T_TMP/sim.err"
wait_port "$P1" 10 || { echo "{\"bench\": \"$B\", \"error\": \"mpsim did not listen\"}"; exit 0; }
bg "$BIN/feedd" -c "$conf" --exchange binance 2>"$T_TMP/feedd.err"
bg "$BIN/bookd" -c "$conf" 2>"$T_TMP/bookd.err"
MET=/dev/shm/$prefix/metrics.feedd.binance
m() { "$BIN/test/metrics_dump" "${2:-$MET}" 2>/dev/null | awk -v k="$1" 'index($1, k) == 1 { s += $2 } END { print s + 0 }'; }
BMET=/dev/shm/$prefix/metrics.bookd
# the default [instruments] binance list (common/venue.h, the venue table)
nbooks=$(sed -n 's/.*X("binance", "\([^"]*\)".*/\1/p' common/venue.h | tr ',' '\n' | grep -c .)
# measure from the first refresh on, so the syncs' snapshots stay out
wait_for 20 bash -c "[ \"\$(\"$BIN/test/metrics_dump\" \"$MET\" 2>/dev/null | awk '/^mp_feed_refresh_requests_total/ { s += \$2 } END { print s + 0 }')\" -gt 0 ]" ||
	{ echo "{\"bench\": \"$B\", \"error\": \"no refresh within $((20 * T_WAIT_SCALE)) s: $(tail -1 "$T_TMP/bookd.err")\"}"; exit 0; }
r0=$(m mp_feed_refresh_requests_total); w0=$(m mp_feed_refresh_weight_total); s0=$(m mp_feed_snapshots_ok_total)
k0=$(m mp_feed_refresh_skipped_total); e0=$(m mp_book_refresh_early_total "$BMET"); t0=$(date +%s.%N)
sleep 60
r1=$(m mp_feed_refresh_requests_total); w1=$(m mp_feed_refresh_weight_total); s1=$(m mp_feed_snapshots_ok_total)
k1=$(m mp_feed_refresh_skipped_total); e1=$(m mp_book_refresh_early_total "$BMET"); t1=$(date +%s.%N)
load=$(cut -d' ' -f1-3 /proc/loadavg)
/usr/bin/python3 - "$r0" "$r1" "$w0" "$w1" "$s0" "$s1" "$k0" "$k1" "$t0" "$t1" "$SCALE" "$nbooks" "$B" "$e0" "$e1" "$load" <<'PY'
import json, sys
r0, r1, w0, w1, s0, s1, k0, k1 = map(int, sys.argv[1:9])
t0, t1, scale, nbooks, name = float(sys.argv[9]), float(sys.argv[10]), int(sys.argv[11]), int(sys.argv[12]), sys.argv[13]
e0, e1, load = int(sys.argv[14]), int(sys.argv[15]), sys.argv[16]
minutes = (t1 - t0) * scale / 60.0
w = (w1 - w0) / minutes
readme = nbooks * 250  # bookd/README.md: 2 books x 250 weight a minute at 60 s
cap = nbooks * 250 * 60 / 7.0  # at most one refresh per 7 s min interval per book
resync_snaps = max(0, (s1 - s0) - (r1 - r0))
print(json.dumps({"bench": name, "value": round(w, 1), "unit": "weight/min",
    "requests_per_min": round((r1 - r0) / minutes, 2), "books": nbooks, "interval_s": 60,
    "venue_limit": 6000, "pct_of_venue_limit": round(100 * w / 6000, 1),
    "feedd_budget": 4800, "pct_of_budget": round(100 * w / 4800, 1),
    "readme_arithmetic": readme, "min_interval_cap": round(cap, 1),
    "readme_matches": 0.85 * readme <= w <= cap * 1.05,
    "early_per_min": round((e1 - e0) / minutes, 2), "load": load,
    "baseline_resync_weight_per_min": round(resync_snaps * 250 / minutes, 1),
    "refresh_skipped": k1 - k0, "scaled_minutes": round(minutes, 2), "time_scale": scale}))
PY
