#!/usr/bin/env bash
# test/mpctl/overload.sh - mpsim at 100x the real rate for a minute
# (OVERLOAD_SECONDS): nothing crashes (no restart), ring lags stay bounded
# (sampled every 2 s: below 90 % of capacity, except book.store which blocks
# by design and must still never drop), and any drop is counted in the ring
# header and announced (a data_loss alert or a ring-loss event).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_system.sh"

sys_require overload
sys_config "${OVERLOAD_RATE:-100}"
SYS_KEEP_LOGS=overload-system
sys_start || { not_ok overload_start "$(mpctl status 2>&1)"; exit 1; }
end=$((SECONDS + ${OVERLOAD_SECONDS:-60}))
: >"$T_TMP/samples"
while ((SECONDS < end)); do
	curl -sf "http://127.0.0.1:$HTTP_PORT/health" >>"$T_TMP/samples" && echo >>"$T_TMP/samples"
	sleep 2
done
cp "$T_TMP/samples" "$MP_ROOT/build/test-logs/overload-samples.jsonl" 2>/dev/null

if python3 - "$T_TMP/samples" <<'EOF'
import json, sys
last = None
for ln in open(sys.argv[1]):
    if ln.strip():
        last = json.loads(ln)
assert last, "no sample"
bad = [(p["name"], p["state"], p["restarts"], p["last_exit"]) for p in last["processes"] if p["restarts"] or p["state"] != "ready"]
assert not bad, bad
EOF
then ok overload_nothing_crashed; else not_ok overload_nothing_crashed "$(mpctl status 2>&1 | head -10)"; fi

if python3 - "$T_TMP/samples" <<'EOF'
import json, sys
worst = {}
for ln in open(sys.argv[1]):
    if not ln.strip():
        continue
    for r in json.loads(ln)["rings"]:
        if r.get("present"):
            worst[r["name"]] = max(worst.get(r["name"], 0), r["fill"])
print("worst fill:", worst)
assert all(f < 0.9 for n, f in worst.items() if n != "book.store"), worst
EOF
then ok overload_lags_bounded; else not_ok overload_lags_bounded "see overload-samples.jsonl"; fi

drops=$(tail -n 2 "$T_TMP/samples" | python3 -c '
import json, sys
d = [json.loads(l) for l in sys.stdin if l.strip()][-1]
print(" ".join("%s=%d" % (r["name"], r["dropped"]) for r in d["rings"] if r.get("present") and r["dropped"]))')
store_drops=$(echo "$drops" | grep -o 'book.store=[0-9]*' || true)
if [ -z "$store_drops" ]; then ok overload_store_never_drops; else not_ok overload_store_never_drops "$store_drops"; fi
if [ -z "$drops" ]; then ok overload_drops_counted_and_announced
elif grep -q 'alert firing" rule=data_loss' "$SYS_LOG" || grep -rq 'ring.*lost\|RING_LOSS\|gap' "$SYS_DATA/log/bookd.log"; then
	ok overload_drops_counted_and_announced
else not_ok overload_drops_counted_and_announced "drops $drops not announced"; fi
sys_stop || not_ok overload_stop
