#!/usr/bin/env bash
# test/mpctl/mpctl_soak.sh - the soak benchmark (`make soak`, not part of make test):
# the whole system against mpsim at SOAK_RATE (default 10) x real time for
# SOAK_SECONDS (default 3600), sampling every SOAK_EVERY (10) seconds each
# process's RSS and private memory (RssAnon: RSS also counts the shared ring
# pages a process touches), open files and sockets (connections) from /proc,
# plus ring fill and restarts.  Samples: build/soak/samples.jsonl.  Prints one JSON
# line per figure, bench style: the mean over the last 10 % of the run next
# to the baseline, the mean over the 10 % after the first 10 % (warm-up), and
# the growth between them in percent ("flat" = small growth).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_system.sh"

sys_require soak >/dev/null
sys_config "${SOAK_RATE:-10}"
SYS_KEEP_LOGS=soak-system
out="$MP_ROOT/build/soak"
mkdir -p "$out"
: >"$out/samples.jsonl"
sys_start || { echo '{"bench": "soak", "error": "start failed"}'; exit 1; }
end=$((SECONDS + ${SOAK_SECONDS:-3600}))
while ((SECONDS < end)); do
	st=$(mpctl status --json 2>/dev/null) || { sleep "${SOAK_EVERY:-10}"; continue; }
	echo "$st" | python3 -c '
import json, os, sys, time
d = json.load(sys.stdin)
row = {"t": time.time(), "procs": {}, "rings": {r["name"]: r.get("fill", 0) for r in d["rings"] if r.get("present")}}
def me(pid):
    rss = 0
    try:
        for l in open("/proc/%d/status" % pid):
            if l.startswith("VmRSS:"):
                rss = int(l.split()[1]) * 1024
        return {"pid": pid, "rss_bytes": rss, "open_fds": len(os.listdir("/proc/%d/fd" % pid)), "restarts": 0,
                "cpu_ratio": 0, "name": "mpctl"}
    except OSError:
        return None
sup = me(d["instance"]["pid"])
for p in d["processes"] + ([sup] if sup else []):
    socks = 0
    try:
        for fd in os.listdir("/proc/%d/fd" % p["pid"]):
            try:
                socks += os.readlink("/proc/%d/fd/%s" % (p["pid"], fd)).startswith("socket:")
            except OSError:
                pass
    except OSError:
        pass
    anon = p.get("private_bytes", 0)
    try:
        for l in open("/proc/%d/status" % p["pid"]):
            if l.startswith("RssAnon:"):
                anon = int(l.split()[1]) * 1024
    except OSError:
        pass
    row["procs"][p["name"]] = {"rss": p["rss_bytes"], "private": anon, "fds": p["open_fds"], "socks": socks,
        "restarts": p["restarts"], "cpu": p["cpu_ratio"]}
print(json.dumps(row))' >>"$out/samples.jsonl"
	sleep "${SOAK_EVERY:-10}"
done
sys_stop
python3 - "$out/samples.jsonl" "${SOAK_RATE:-10}" "${SOAK_SECONDS:-3600}" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
n = len(rows)
if n < 10:
    print(json.dumps({"bench": "soak", "error": "only %d samples" % n})); sys.exit(0)
k = max(1, n // 10)
base, last = rows[k:2 * k], rows[-k:]
def mean(rs, p, f):
    v = [r["procs"][p][f] for r in rs if p in r["procs"]]
    return sum(v) / len(v) if v else 0
for p in sorted(rows[-1]["procs"]):
    for f, unit in (("private", "bytes"), ("rss", "bytes"), ("fds", "fds"), ("socks", "sockets")):
        b, v = mean(base, p, f), mean(last, p, f)
        print(json.dumps({"bench": "soak_%s_%s" % (f, p), "value": round(v, 1), "unit": unit,
            "baseline": round(b, 1), "growth_pct": round(100.0 * (v - b) / b, 2) if b else None,
            "samples": n, "rate": float(sys.argv[2]), "seconds": int(sys.argv[3])}))
    print(json.dumps({"bench": "soak_restarts_%s" % p, "value": rows[-1]["procs"][p]["restarts"], "unit": "restarts",
        "baseline": rows[0]["procs"][p]["restarts"]}))
EOF
