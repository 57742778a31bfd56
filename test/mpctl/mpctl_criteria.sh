#!/usr/bin/env bash
# test/mpctl/mpctl_criteria.sh - what the system says about itself, on the
# real system against mpsim:
#   - loss accounting by the venue's ids: 0 missing with no fault; mpsim's
#     gap fault gives missing sized exactly as bookd's gap event says (Binance:
#     U - (last u + 1) ids; OKX: 1 frame per broken prevSeqId), on that book
#     only; the data_loss alert agrees with the windowed rate it shows;
#   - /health "criteria": every success criterion of the requirements, its
#     target, a numeric value where measurable, pass consistent with them;
#   - counters since this instance: stop and start again on the same data dir
#     and every count starts at 0 (ring lifetime counts are named as such).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_system.sh"

sys_require criteria
sys_config 1
SYS_KEEP_LOGS=mpctl-criteria
if sys_start; then ok criteria_start; else not_ok criteria_start "$(mpctl status 2>&1)"; exit 1; fi
if wait_for 120 sys_books_synced 1000; then ok criteria_books_synced
else not_ok criteria_books_synced "$(sys_books_summary)"; exit 1; fi

sim_fault() { curl -sf -m 5 -X POST "http://127.0.0.1:$1/_sim/fault?kind=$2&venue=$3&symbol=$4" >/dev/null; }

# No fault: every book received updates, none missing.
no_loss='
for b in d["books"]:
    l = b["loss"]
    assert l and l["received"] > 0 and l["missing"] == 0 and l["expected"] == l["received"], (b["exchange"], b["symbol"], l)
    assert l["data_loss_rate"] == 0, l
assert d["requirements"]["data_loss_rate"] == 0, d["requirements"]'
if wait_for 20 sys_health "$no_loss"; then ok loss_zero_without_fault
else not_ok loss_zero_without_fault "$(sys_health "$no_loss" 2>&1 | tail -1)"; fi

# gap_events EXCHANGE SYMBOL: "count sum(b - a)" of bookd's gap events for the book.
gap_events() {
	grep -h 'msg="gap"' "$SYS_DATA/log/bookd.log" 2>/dev/null | grep "exchange=$1 symbol=$2 " |
		sed -n 's/.* a=\(-\?[0-9]*\) b=\(-\?[0-9]*\) .*/\1 \2/p' |
		awk '{n++; s += $2 - $1} END {print n + 0, s + 0}'
}
has_gap() { [ "$(gap_events "$1" "$2" | cut -d' ' -f1)" -ge 1 ]; }

# gap_case NAME PORT EXCHANGE SYMBOL OTHER_SYMBOL UNIT: mpsim leaves one increment
# out; the book's missing count must equal what bookd's gap events say, in
# UNIT "ids" (Binance: the sum of b - a, U - expected U) or "frames" (OKX: one
# per event); the venue's other book misses nothing.
gap_case() {
	local name=$1 port=$2 ex=$3 sym=$4 other=$5 unit=$6 n ids want
	sim_fault "$port" gap "$ex" "$sym"
	if ! wait_for 20 has_gap "$ex" "$sym"; then not_ok "$name" "no gap event in bookd.log"; return; fi
	read -r n ids <<<"$(gap_events "$ex" "$sym")"
	[ "$unit" = frames ] && ids=$n
	want="
b = {(x['exchange'], x['symbol']): x for x in d['books']}
l = b[('$ex', '$sym')]['loss']
assert l['missing'] == $ids and l['expected'] == l['received'] + l['missing'], (l, $n, $ids)
assert b[('$ex', '$other')]['loss']['missing'] == 0, b[('$ex', '$other')]['loss']"
	if [ "$ids" -gt 0 ] && wait_for 10 sys_health "$want"; then ok "$name"
	else not_ok "$name" "events=$n $unit=$ids $(sys_health "$want" 2>&1 | tail -1)"; fi
}
gap_case loss_binance_gap_sized_by_ids "$SIM_B" binance BTC-USDT ETH-USDT ids
gap_case loss_okx_gap_counts_frames "$SIM_O" okx ETH-USDT BTC-USDT frames

# Snapshot success counts book snapshot requests only: every snapshot bookd
# asked of feedd.binance ends ok or failed; OKX's deep-book (books-full)
# calls are REST calls, not snapshots.
snap_counts() {
	curl -sf "http://127.0.0.1:$HTTP_PORT/metrics" | python3 -c '
import re, sys
v = {}
for l in sys.stdin:
    m = re.match(r"(mp_\w+)\{([^}]*)\} (\S+)$", l.strip())
    if m and "exchange=" in m.group(2):
        ex = re.search(r"exchange=\"(\w+)\"", m.group(2)).group(1)
        v[(m.group(1), ex)] = v.get((m.group(1), ex), 0) + float(m.group(3))
g = lambda n, e: v.get((n, e), 0)
req = g("mp_book_snapshot_requests_total", "binance")
done = g("mp_feed_snapshots_ok_total", "binance") + g("mp_feed_snapshots_failed_total", "binance")
assert req >= 2 and done == req, (req, done)
assert g("mp_feed_rest_ok_total", "okx") > g("mp_feed_snapshots_ok_total", "okx") + g("mp_feed_snapshots_failed_total", "okx"), v
print(req, done)'
}
if wait_for 20 snap_counts; then ok snapshot_success_counts_snapshots_only
else not_ok snapshot_success_counts_snapshots_only "$(snap_counts 2>&1 | tail -1)"; fi

# The data_loss alert fires for exactly the books whose windowed rate is over
# the threshold (0.1 %): the same tick's figures, in the same document.
alert_logic='
fired = {(a["labels"].get("exchange"), a["labels"].get("symbol")) for a in d["alerts"] if a["rule"] == "data_loss" and "symbol" in a["labels"]}
over = {(b["exchange"], b["symbol"]) for b in d["books"] if (b["loss"]["window"]["data_loss_rate"] or 0) > 0.001}
assert fired == over, (fired, over)
assert d["requirements"]["data_loss_rate"] > 0
x = [b["loss"]["window"] for b in d["books"] if b["symbol"] == "BTC-USDT" and b["exchange"] == "binance"][0]
assert x["missing"] > 0 and x["length_s"] == 60, x'
if sys_health "$alert_logic"; then ok data_loss_alert_uses_rate
else not_ok data_loss_alert_uses_rate "$(sys_health "$alert_logic" 2>&1 | tail -1)"; fi

# The criteria: names, targets, measured values, pass consistent.
criteria_check() {
	sys_health '
import math
want = {  # name: (op, target)
    "snapshot_success_rate": (">", 0.99), "incremental_loss_rate": ("<", 0.001),
    "acquisition_latency_p95_ms": ("<", 100), "processing_latency_p95_ms": ("<", 50),
    "throughput_updates_per_s": (">", 1000), "memory_bytes": ("<", 2e9), "cpu_ratio": ("<", 0.5),
    "disk_write_bytes_per_s": (">", 1e8), "storage_compression": (">", 0.70),
    "price_consistency": (">=", 1.0), "depth_completeness": (">", 0.95),
    "checksum_pass_rate": (">", 0.99), "timestamp_sanity": (">=", 1.0), "connection_stability": (None, None)}
cr = {x["name"]: x for x in d["criteria"]}
assert set(cr) == set(want), set(cr) ^ set(want)
checks = sum(b["checksum"]["ok"] + b["checksum"]["fail"] for b in d["books"])
for name, (op, target) in want.items():
    x = cr[name]
    assert x["op"] == op and x["target"] == target, x
    if name == "checksum_pass_rate" and checks == 0:
        assert x["value"] is None and x["pass"] is None, x   # no venue sends one
        continue
    assert isinstance(x["value"], (int, float)) and math.isfinite(x["value"]), x
    if target is None:
        assert x["pass"] is None, x
        continue
    p = x["value"] < target if op == "<" else x["value"] >= target if op == ">=" else x["value"] > target
    assert x["pass"] is p, x
assert 0 < cr["incremental_loss_rate"]["value"] == d["requirements"]["data_loss_rate"], cr["incremental_loss_rate"]
assert 0 < cr["connection_stability"]["value"] <= 1, cr["connection_stability"]
feeds = [x for x in d["connections"] if x["conn"] != "nats"]
assert feeds and all(x["stability"] is not None and 0 < x["stability"] <= 1 for x in feeds), feeds
'
}
if wait_for 40 criteria_check; then ok criteria_in_health
else not_ok criteria_in_health "$(criteria_check 2>&1 | tail -1)"; fi
sys_health 'print("criteria: " + "; ".join("%s=%s pass=%s" % (x["name"], x["value"], x["pass"]) for x in d["criteria"]))'

# Counters of this instance: resyncs happened (the gaps), then a new start on
# the same data dir begins at 0.
before=$(sys_health 'print(sum(b["resyncs"] for b in d["books"]), {r["name"]: r["written"] for r in d["rings"] if r["present"]}["book.store"])')
read -r rs_before wr_before <<<"$before"
if [ "${rs_before:-0}" -ge 2 ]; then ok counters_count_resyncs; else not_ok counters_count_resyncs "resyncs=$before"; fi
sys_stop || not_ok criteria_stop
if sys_start && wait_for 60 sys_health 'assert all(b["data"] for b in d["books"])'; then
	fresh='
import datetime
assert all(b["resyncs"] == 0 and b["gaps"] == 0 for b in d["books"]), [(b["symbol"], b["resyncs"]) for b in d["books"]]
assert all(b["loss"] is None or b["loss"]["missing"] == 0 for b in d["books"])
r = {x["name"]: x for x in d["rings"] if x["present"]}["book.store"]
assert r["lifetime"]["written"] >= r["written"] + '"$wr_before"', r
assert d["instance"]["counters_since"] == d["instance"]["started_at"] and d["instance"]["uptime_s"] < 60, d["instance"]'
	if sys_health "$fresh"; then ok counters_start_at_zero_on_new_instance
	else not_ok counters_start_at_zero_on_new_instance "$(sys_health "$fresh" 2>&1 | tail -1)"; fi
	metrics_zero() {
		curl -sf "http://127.0.0.1:$HTTP_PORT/metrics" | python3 -c '
import sys
v = [float(l.split()[-1]) for l in sys.stdin if l.startswith("mp_book_resyncs_total{")]
assert len(v) == 4 and all(x == 0 for x in v), v'
	}
	if metrics_zero; then ok metrics_counters_of_this_instance; else not_ok metrics_counters_of_this_instance; fi
else
	not_ok counters_start_at_zero_on_new_instance "second start failed: $(mpctl status 2>&1 | tail -3)"
fi
sys_stop || not_ok criteria_stop_again
