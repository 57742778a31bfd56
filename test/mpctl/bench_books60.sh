#!/usr/bin/env bash
# test/mpctl/bench_books60.sh - the 60-book run (`make bench`): the whole
# system under mpctl against mpsim at real pace with 30 instruments on each of
# Binance and OKX, and in the same run a 4-book baseline (2 + 2), so that the
# per-book cost shows.  Each run waits until every book is synced, then
# measures B60_SECONDS (default 30) of steady state: CPU % of one core per
# process (utime+stime over wall time) and private RSS (Private_* of
# /proc/PID/smaps_rollup) at the end.  The total is the system's own
# processes (feedd x2, bookd, routerd, stored, mpctl); nats-server and mpsim
# are reported apart.  JSON lines, bench style.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_system.sh"
. "$(dirname "$0")/lib_books60.sh"
PY=/usr/bin/python3
secs=${B60_SECONDS:-30}

sys_require books60 >/dev/null || exit 0
run() {   # run N OUTFILE
	rm -rf "$SYS_DATA" "/dev/shm/${SYS_PREFIX:?}"
	b60_start "$1" --set mpctl.metrics_interval=1s --set mpctl.stream_interval=10s || return 1
	# 30 Binance books need 7500 weight of 5000-level snapshots: over a minute of budget
	wait_for 120 b60_synced "$1" || return 1
	b60_pids "$T_TMP/pids.json" && $PY "$MP_ROOT/test/mpctl/proc_usage.py" "$T_TMP/pids.json" "$secs" >"$2"
	local rc=$?
	sys_stop
	return $rc
}
if ! run 2 "$T_TMP/base.json"; then
	echo "{\"bench\": \"books60\", \"error\": \"4-book baseline: $(sys_books_summary | head -c 300 | tr '"' "'")\"}"; exit 0
fi
if ! run 30 "$T_TMP/b60.json"; then
	echo "{\"bench\": \"books60\", \"error\": \"60 books: $(sys_books_summary | head -c 300 | tr '"' "'")\"}"; exit 0
fi
$PY - "$T_TMP/b60.json" "$T_TMP/base.json" "$secs" <<'EOF2'
import json, sys
v, b, secs = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
own = ["feedd.binance", "feedd.okx", "bookd", "routerd", "stored", "mpctl"]
def tot(d, k):
    return sum(d[n][k] for n in own if n in d and not d[n].get("gone"))
common = {"books": 60, "baseline_books": 4, "seconds": secs, "pace": "real (mpsim --rate 1)"}
gone = [n for n in own if v.get(n, {}).get("gone") or b.get(n, {}).get("gone")]
if gone:
    print(json.dumps({"bench": "books60", "error": "process gone during the run: %s" % gone}))
print(json.dumps(dict({"bench": "books60_cpu_total", "value": round(tot(v, "cpu_pct"), 2), "unit": "% of one core",
    "baseline": round(tot(b, "cpu_pct"), 2), "target": 25, "what": "feedd x2, bookd, routerd, stored, mpctl"}, **common)))
print(json.dumps(dict({"bench": "books60_private_rss_total", "value": round(tot(v, "private_bytes") / 2**20, 1),
    "unit": "MiB", "baseline": round(tot(b, "private_bytes") / 2**20, 1), "target": 200,
    "what": "feedd x2, bookd, routerd, stored, mpctl"}, **common)))
for n in own + ["nats-server", "mpsim"]:
    if n in v and n in b and not v[n].get("gone") and not b[n].get("gone"):
        extra = {} if n in own else {"apart": True}
        print(json.dumps(dict({"bench": "books60_cpu_" + n, "value": v[n]["cpu_pct"], "unit": "% of one core",
            "baseline": b[n]["cpu_pct"]}, **extra, **common)))
        print(json.dumps(dict({"bench": "books60_private_rss_" + n, "value": round(v[n]["private_bytes"] / 2**20, 1),
            "unit": "MiB", "baseline": round(b[n]["private_bytes"] / 2**20, 1)}, **extra, **common)))
EOF2
