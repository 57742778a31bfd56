#!/usr/bin/env bash
# test/mpctl/mpctl_overload.sh - mpsim at 100x the real rate for a minute
# (OVERLOAD_SECONDS): nothing crashes (no restart), lags stay bounded (sampled
# every 2 s: bookd's input rings below 90 %, book.store never full and never
# dropping; once the market pauses every ring drains), and every drop is
# counted in its ring header and announced by a data_loss alert.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_system.sh"

sys_require overload
sys_config "${OVERLOAD_RATE:-100}"
SYS_KEEP_LOGS=overload-system
sys_start || { not_ok overload_start "$(mpctl status 2>&1)"; exit 1; }
end=$((SECONDS + ${OVERLOAD_SECONDS:-60}))
: >"$T_TMP/samples"
while ((SECONDS < end)); do
	curl -sf "http://127.0.0.1:$HTTP_PORT/health" |
		python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)))' >>"$T_TMP/samples" 2>/dev/null
	sleep 2
done
cp "$T_TMP/samples" "$MP_ROOT/build/test-logs/overload-samples.jsonl" 2>/dev/null

check_samples() {   # check_samples NAME PYTHON: PYTHON sees rows = every /health sample
	if python3 -c "import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert rows, 'no sample'
$2" "$T_TMP/samples"; then ok "$1"; else not_ok "$1" "see build/test-logs/overload.log"; fi
}

check_samples overload_nothing_crashed '
bad = [(p["name"], p["state"], p["restarts"], p["last_exit"]) for p in rows[-1]["processes"] if p["restarts"] or p["state"] != "ready"]
assert not bad, bad'

check_samples overload_lags_bounded '
worst = {}
for d in rows:
    for r in d["rings"]:
        if r.get("present"):
            worst[r["name"]] = max(worst.get(r["name"], 0), r["fill"])
print("worst fill:", worst)
assert all(f < 0.9 for n, f in worst.items() if n.startswith("feed.")), worst
assert worst.get("book.store", 0) < 1.0, worst'

# Every ring that dropped has the drops in its header (mp_ring_dropped_total)
# and a data_loss alert (per ring, or per exchange for feed.*).
check_samples overload_drops_counted_and_announced '
dropped = {r["name"]: r["dropped"] for r in rows[-1]["rings"] if r.get("present") and r["dropped"]}
announced = set()
for d in rows:
    for a in d["alerts"]:
        if a["rule"] == "data_loss":
            announced.add(a["labels"].get("ring") or "feed." + a["labels"].get("exchange", "?"))
print("dropped:", dropped, "announced:", sorted(announced))
assert "book.store" not in dropped, dropped
missing = [n for n in dropped if n not in announced]
assert not missing, missing'

# After the load: pause the market; every ring drains (bounded, not growing for ever).
curl -sf -X POST "http://127.0.0.1:$SIM_B/_sim/pause" >/dev/null
curl -sf -X POST "http://127.0.0.1:$SIM_O/_sim/pause" >/dev/null
drained() {
	sys_health 'assert all(r["fill"] < 0.01 for r in d["rings"] if r.get("present")), [(r["name"], r["fill"]) for r in d["rings"] if r.get("present")]'
}
if wait_for 90 drained; then ok overload_lags_drain_after_load; else not_ok overload_lags_drain_after_load "$(drained 2>&1 | tail -1)"; fi
sys_stop || not_ok overload_stop
