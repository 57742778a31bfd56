#!/usr/bin/env bash
# routerd_latency.sh - the per-stage receive -> ack figures (routerd/lat.h) of
# the whole system (mpctl, mpsim at real pace): once the books synced and
# steady-state messages were acknowledged, the market is paused, and when
# routerd's steady class stops changing, /health's latency_stages_ms and
# /metrics' mp_router_stage_latency_seconds must agree and be consistent:
# every stage and the whole present with p50 <= p95 <= p99 <= max, the whole
# at least every stage at each quantile and at the max (whole = the sum of
# the stages message by message), the stage sums adding up to the whole's,
# the same counts in both, and a _max gauge per histogram.
. "$(dirname "$0")/../lib.sh"
. "$MP_ROOT/test/mpctl/lib_system.sh"
PY=/usr/bin/python3
sys_require latency_stages
sys_config 1
# the drained-batch write path (routerd/kick.h), checked below
SYS_SET=(--set nats.flush_on_drain=true)
SYS_KEEP_LOGS=routerd-latency
if sys_start; then ok latency_start; else not_ok latency_start "$(tail -3 "$SYS_LOG")"; exit 1; fi
if wait_for 60 sys_books_synced 1000; then ok latency_books_synced; else not_ok latency_books_synced "$(sys_books_summary)"; fi
steady_count() {
	sys_health 'print(d["requirements"]["latency_stages_ms"]["steady"]["whole"]["count"])' 2>/dev/null
}
enough() { local n; n=$(steady_count); [ -n "$n" ] && [ "$n" -ge "$1" ]; }
if wait_for 60 enough 500; then ok latency_steady_counted; else not_ok latency_steady_counted "count=$(steady_count)"; fi
for p in "$SIM_B" "$SIM_O"; do curl -sf -m 5 -X POST "http://127.0.0.1:$p/_sim/pause" >/dev/null; done
# paused: no frame comes in, so the steady class settles once the last
# acks are in (periodic snapshots go on, in their own class).  /health and
# /metrics are two requests, so they are compared only when they describe the
# same steady class: read /health, /metrics, /health again, and accept the
# pair when both /health reads have the same steady count (a count that did
# not move means nothing was added in between).  A fixed "1 s without change"
# was a guess that a busy machine could break.
health_count() { $PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["requirements"]["latency_stages_ms"]["steady"]["whole"]["count"])' "$1" 2>/dev/null; }
last=
settled() {
	local a b
	curl -sf -m 10 "http://127.0.0.1:$HTTP_PORT/health" >"$T_TMP/health.json" || return 1
	curl -sf -m 10 "http://127.0.0.1:$HTTP_PORT/metrics" >"$T_TMP/metrics.prom" || return 1
	curl -sf -m 10 "http://127.0.0.1:$HTTP_PORT/health" >"$T_TMP/health2.json" || return 1
	a=$(health_count "$T_TMP/health.json"); b=$(health_count "$T_TMP/health2.json"); last="$a then $b"
	[ -n "$a" ] && [ "$a" = "$b" ]
}
if wait_for 30 settled; then ok latency_settled; else not_ok latency_settled "still changing: $last"; fi
if $PY - "$T_TMP/health.json" "$T_TMP/metrics.prom" <<'PYEOF' 2>"$T_TMP/check.err"; then ok latency_consistent
import json, re, sys
h = json.load(open(sys.argv[1]))["requirements"]["latency_stages_ms"]
prom = {}
for ln in open(sys.argv[2]):
    m = re.match(r'^(mp_router_stage_latency_seconds\w*)\{([^}]*)\} (\S+)$', ln.strip())
    if m:
        lab = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
        prom[(m.group(1), lab.get("class"), lab.get("stage"), lab.get("le"))] = float(m.group(3))
stages = ["recv_feed", "feed_book", "book_publish", "publish_ack"]
st = h["steady"]
assert set(st) == set(stages + ["whole"]), st.keys()
w = st["whole"]
for name, v in st.items():
    assert v and v["count"] > 0, (name, v)
    assert 0 <= v["p50"] <= v["p95"] <= v["p99"] <= v["max"], (name, v)
    assert v["count"] == w["count"], (name, v["count"], w["count"])
    for q in ("p50", "p95", "p99", "max"):
        assert w[q] >= v[q] - 1e-9, ("whole below a stage", q, name, w[q], v[q])
    n = prom[("mp_router_stage_latency_seconds_count", "steady", name, None)]
    assert n == v["count"], ("/metrics count", name, n, v["count"])
    mx = prom[("mp_router_stage_latency_seconds_max", "steady", name, None)]
    # /health prints reals to 6 digits, /metrics to 9
    assert abs(mx * 1e3 - v["max"]) <= 1e-5 * max(1.0, v["max"]), ("/metrics max", name, mx, v["max"])
    inf = prom[("mp_router_stage_latency_seconds_bucket", "steady", name, "+Inf")]
    assert inf == v["count"], ("+Inf bucket", name, inf)
# whole = recv_feed + feed_book + book_publish + publish_ack, message by message
ssum = sum(prom[("mp_router_stage_latency_seconds_sum", "steady", s, None)] for s in stages)
wsum = prom[("mp_router_stage_latency_seconds_sum", "steady", "whole", None)]
assert abs(ssum - wsum) <= 1e-6 * wsum + 1e-8, ("stage sums", ssum, wsum)
# the snapshot class has no receive stages; sync may be empty at real pace
assert "recv_feed" not in h["snapshot"] and "feed_book" not in h["snapshot"], h["snapshot"].keys()
assert set(h["sync"]) == set(stages + ["whole"]), h["sync"].keys()
PYEOF
else not_ok latency_consistent "$(tail -3 "$T_TMP/check.err")"; fi
# [nats] flush_on_drain (set above): the drained batches were written by
# routerd/kick.c, at most one flush per batch, so never more than messages
flushes_ok() {
	$PY - "$T_TMP/metrics.prom" <<'PYEOF'
import re, sys
v = {}
for ln in open(sys.argv[1]):
    m = re.match(r'^(mp_router_(?:flushes|published)_total)(?:\{[^}]*\})? (\S+)$', ln.strip())
    if m:
        v[m.group(1)] = v.get(m.group(1), 0) + float(m.group(2))
f, p = v.get("mp_router_flushes_total", 0), v.get("mp_router_published_total", 0)
assert 0 < f <= p, (f, p)
PYEOF
}
check latency_flush_on_drain flushes_ok
# bookd's loop phases (bookd/README.md "Loop"): every phase seen; a delta
# record handled for every delta applied (applied is exported once a second,
# so it can only lag); the CPU time of the rare phases no more than their wall
# time on average (both are taken around the same work)
loop_ok() {
	$PY - "$T_TMP/metrics.prom" <<'PYEOF'
import re, sys
v = {}
for ln in open(sys.argv[1]):
    m = re.match(r'^(mp_bookd_loop(?:_cpu)?_seconds_(?:count|sum)|mp_book_applied_total)(?:\{([^}]*)\})? (\S+)$', ln.strip())
    if m:
        ph = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or "")).get("phase")
        k = (m.group(1), ph)
        v[k] = v.get(k, 0) + float(m.group(3))
for ph in ("delta", "snapshot", "other", "timers", "heartbeat", "wake"):
    assert v.get(("mp_bookd_loop_seconds_count", ph), 0) > 0, ("no loop phase", ph)
applied = v.get(("mp_book_applied_total", None), 0)
assert 0 < applied <= v[("mp_bookd_loop_seconds_count", "delta")], ("deltas", applied, v[("mp_bookd_loop_seconds_count", "delta")])
for ph in ("snapshot", "timers", "heartbeat"):
    n = v.get(("mp_bookd_loop_cpu_seconds_count", ph), 0)
    assert n > 0, ("no CPU time", ph)
    cpu = v[("mp_bookd_loop_cpu_seconds_sum", ph)] / n
    wall = v[("mp_bookd_loop_seconds_sum", ph)] / v[("mp_bookd_loop_seconds_count", ph)]
    assert cpu <= wall * 1.5 + 5e-6, ("CPU above wall time", ph, cpu, wall)
PYEOF
}
check latency_bookd_loop loop_ok
# the page shows a table per class
if curl -sf -m 10 "http://127.0.0.1:$HTTP_PORT/" | grep -q 'latency_stages_ms'; then ok latency_page
else not_ok latency_page "the page does not read latency_stages_ms"; fi
sys_stop
