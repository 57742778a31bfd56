#!/usr/bin/env bash
# test/mpctl/mpctl_metrics_alerts.sh - what mpctl derives from the processes'
# shared-memory metrics and ring headers: /health content, /metrics in
# Prometheus text format, and the alert rules firing on thresholds and being
# published to NATS system.alert.<rule> (embedded nats-server started by mpctl;
# the stand-in routerd subscribes and records what arrives).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_mpctl.sh"

command -v nats-server >/dev/null || { skip metrics_alerts "nats-server not installed"; exit 0; }
mp_sandbox
NATS_PORT=$(free_port)
MP_EXTRA=(--set mpctl.nats_embedded=true --set "nats.url=nats://127.0.0.1:$NATS_PORT"
	--set alerts.connection_lost=1s --set alerts.stream_backlog=400)
ALERTS=$T_TMP/alerts.txt
echo "nats://127.0.0.1:$NATS_PORT system.alert.> $ALERTS" >"$CD/routerd.subscribe"
echo "book.router 500" >"$CD/bookd.produce"   # nobody reads: lag 500 > 400
# records for mpctl's own latency probes: 3 ms exchange->receive, 600 us processing
echo "feed.okx 1000000 3000000 0" >"$CD/feedd.okx.deltas"
echo "book.store 1000000 0 600000" >"$CD/bookd.deltas"
cat >"$CD/feedd.binance.metrics" <<'EOF'
gauge mp_feed_connected exchange="binance",conn="stream" 1
counter mp_feed_reconnects_total exchange="binance",conn="stream" 2
counter mp_feed_snapshots_ok_total exchange="binance",symbol="BTC-USDT" 99
counter mp_feed_snapshots_failed_total exchange="binance",symbol="BTC-USDT" 1
hist mp_feed_exchange_latency_seconds exchange="binance" 5000000 100
EOF
cat >"$CD/feedd.okx.metrics" <<'EOF'
gauge mp_feed_connected exchange="okx",conn="public" 1
hist mp_feed_exchange_latency_seconds exchange="okx" 20000000 100
EOF
BOOKS=$(mp_synced_books)
bookd_metrics() {
	{
		echo "$BOOKS"
		echo "counter mp_book_updates_total exchange=\"binance\",symbol=\"BTC-USDT\" $1"
		echo "counter mp_book_lost_updates_total exchange=\"binance\",symbol=\"BTC-USDT\" $2"
		echo "counter mp_book_checksum_ok_total exchange=\"okx\",symbol=\"BTC-USDT\" 1000"
		echo "counter mp_book_checksum_fail_total exchange=\"okx\",symbol=\"BTC-USDT\" $3"
		echo "counter mp_book_bbo_agree_total exchange=\"binance\",symbol=\"BTC-USDT\" 300"
		echo "counter mp_book_bbo_disagree_total exchange=\"binance\",symbol=\"BTC-USDT\" 0"
		echo "hist mp_book_process_latency_seconds exchange=\"binance\",symbol=\"BTC-USDT\" 1000000 50"
	} >"$CD/bookd.metrics.new"
	mv "$CD/bookd.metrics.new" "$CD/bookd.metrics"
}
bookd_metrics 1000 0 0
cat >"$CD/routerd.metrics" <<'EOF'
gauge mp_router_nats_connected - 1
gauge mp_router_pending - 3
hist mp_router_publish_latency_seconds - 2000000 10
EOF
cat >"$CD/stored.metrics" <<'EOF'
counter mp_store_bytes_written_total - 123456
hist mp_store_latency_seconds - 3000000 10
gauge mp_store_sink_lag_records sink="clickhouse" 42
gauge mp_store_sink_up sink="clickhouse" 1
gauge mp_store_local_up - 1
counter mp_store_write_errors_total - 0
EOF
mp_start
if wait_for 30 mp_all_ready; then ok embedded_nats_started_first
else not_ok embedded_nats_started_first "$(mpctl status 2>&1)"; fi
first=$(mpctl status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["processes"][0]["name"])')
[ "$first" = nats-server ] || not_ok nats_server_order "first is $first"

# /health: books, connections, rings, sinks, requirement metrics; one alert (backlog).
if wait_for 10 mp_health_check '
b = {(x["exchange"], x["symbol"]): x for x in d["books"]}
assert len(b) == 4 and all(x["synced"] for x in b.values()), b
x = b[("binance", "BTC-USDT")]
assert x["levels"] == {"bid": 5000, "ask": 4900} and abs(x["depth_completeness"] - 0.98) < 1e-9, x
assert x["bbo"]["agreement"] == 1.0 and x["updates"] == 1000, x
assert b[("okx", "BTC-USDT")]["checksum"]["pass_rate"] == 1.0
c = {(x["exchange"], x["conn"]): x for x in d["connections"]}
assert c[("binance", "stream")]["connected"] and c[("binance", "stream")]["reconnects"] == 2, c
assert c[("", "nats")]["connected"], c
r = {x["name"]: x for x in d["rings"]}
assert r["book.router"]["lag_records"] == 500 and r["book.router"]["written"] == 500, r["book.router"]
s = {x["name"]: x for x in d["sinks"]}
assert s["nats"]["lag_records"] == 500 and s["nats"]["pending"] == 3 and s["clickhouse"]["lag_records"] == 42, s
q = d["requirements"]
assert abs(q["snapshot_success_rate"]["binance"]["rate"] - 0.99) < 1e-9, q
assert 4.0 <= q["latency_exchange_to_receive_ms"]["binance"]["p50"] <= 8.2, q
assert 16.0 <= q["latency_exchange_to_receive_ms"]["okx"]["p95"] <= 32.8, q
assert q["latency_receive_to_publish_ms"]["count"] == 10 and q["latency_receive_to_stored_ms"]["count"] == 10
assert q["processing_latency_ms"]["count"] == 50 and q["checksum_pass_rate"] == 1.0
assert q["data_loss_rate"] == 0 and q["price_consistency"] == 1.0 and q["memory_bytes"] > 0
assert q["store_bytes_written"] == 123456
# criteria from the same inputs: 99 of 100 snapshots is not > 99 %
cr = {x["name"]: x for x in d["criteria"]}
assert abs(cr["snapshot_success_rate"]["value"] - 0.99) < 1e-9 and cr["snapshot_success_rate"]["pass"] is False, cr["snapshot_success_rate"]
assert cr["checksum_pass_rate"]["value"] == 1.0 and cr["checksum_pass_rate"]["pass"] is True, cr["checksum_pass_rate"]
assert cr["incremental_loss_rate"]["value"] == 0 and cr["incremental_loss_rate"]["pass"] is True, cr["incremental_loss_rate"]
assert cr["acquisition_latency_p95_ms"]["pass"] is True and cr["processing_latency_p95_ms"]["pass"] is True, cr
assert cr["depth_completeness"]["value"] == 0.98 and cr["depth_completeness"]["pass"] is True, cr["depth_completeness"]
assert cr["throughput_updates_per_s"]["value"] is None and cr["throughput_updates_per_s"]["pass"] is None, cr["throughput_updates_per_s"]
assert cr["connection_stability"]["target"] is None and cr["connection_stability"]["pass"] is None
x = {b["symbol"] + "@" + b["exchange"]: b["loss"] for b in d["books"]}["BTC-USDT@binance"]
assert x["expected"] == 1000 and x["missing"] == 0 and x["data_loss_rate"] == 0, x
a = [(x["rule"], x["labels"]) for x in d["alerts"]]
assert a == [("stream_backlog", {"ring": "book.router"})], a
assert d["status"] == "ok", d["status"]
'; then ok health_content
else not_ok health_content "$(mp_health_check 'print(json.dumps({k: d[k] for k in ("books","connections","alerts","requirements","status")}))' 2>&1 | head -c 3000)"; fi

# /metrics: a valid Prometheus text exposition with everyone's metrics.
curl -sf "http://127.0.0.1:$MP_PORT/metrics" >"$T_TMP/metrics.txt"
if python3 - "$T_TMP/metrics.txt" <<'EOF'
import re, sys
typ, helped, seen_names, samples = {}, set(), [], {}
line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*)\})? (-?[0-9.eE+-]+|\+Inf|NaN)$')
for ln in open(sys.argv[1]).read().splitlines():
    if ln.startswith("# HELP "):
        n = ln.split()[2]; assert n not in helped, "HELP twice: " + n; helped.add(n); continue
    if ln.startswith("# TYPE "):
        _, _, n, t = ln.split(); assert n not in typ, "TYPE twice: " + n
        assert t in ("counter", "gauge", "histogram"), t; typ[n] = t; seen_names.append(n); continue
    m = line_re.match(ln); assert m, "bad line: " + ln
    name = m.group(1); base = re.sub(r'_(bucket|sum|count)$', '', name) if name not in typ else name
    assert base in typ, "sample before TYPE: " + ln
    assert seen_names[-1] == base, "samples of %s not grouped" % base
    samples[name + (m.group(2) or "")] = float(m.group(4))
def get(k): assert k in samples, "missing " + k; return samples[k]
assert get('mp_ring_lag_records{ring="book.router"}') == 500
assert get('mp_book_synced{exchange="okx",symbol="BTC-USDT",process="bookd"}') == 1
assert get('mp_ctl_process_up{process="bookd"}') == 1
assert get('mp_alert_firing{rule="stream_backlog",severity="warning",ring="book.router"}') == 1
assert typ["mp_feed_exchange_latency_seconds"] == "histogram"
b = [(k, v) for k, v in samples.items() if k.startswith('mp_feed_exchange_latency_seconds_bucket{exchange="binance"')]
assert len(b) == 114, len(b)   # METRICS_HBUCKETS: <= 1 us, 4 a doubling to 268 s, +Inf
vals = [v for k, v in b]; assert vals == sorted(vals), "buckets not cumulative"
assert samples['mp_feed_exchange_latency_seconds_bucket{exchange="binance",process="feedd.binance",le="0.004096"}'] == 0
assert samples['mp_feed_exchange_latency_seconds_bucket{exchange="binance",process="feedd.binance",le="0.008192"}'] == 100
assert get('mp_feed_exchange_latency_seconds_count{exchange="binance",process="feedd.binance"}') == 100
assert abs(get('mp_feed_exchange_latency_seconds_sum{exchange="binance",process="feedd.binance"}') - 0.5) < 1e-9
assert get('mp_proc_resident_memory_bytes{process="stored"}') > 0
EOF
then ok prometheus_format; else not_ok prometheus_format "see log"; fi

# Thresholds crossed: each rule fires with its labels and severity.
bookd_metrics 2000 10 50   # 10 lost of 1000 = 1% > 0.1%; 50 of 50 checks failed
cat >>"$CD/feedd.okx.metrics" <<'EOF'
hist mp_feed_exchange_latency_seconds exchange="okx" 300000000 100
EOF
echo 'hist mp_router_publish_latency_seconds - 250000000 20' >>"$CD/routerd.metrics"
sed -i 's/^gauge mp_feed_connected exchange="binance",conn="stream" 1/gauge mp_feed_connected exchange="binance",conn="stream" 0/' "$CD/feedd.binance.metrics"
want='
a = {(x["rule"], tuple(sorted(x["labels"].items()))): x for x in d["alerts"]}
def has(rule, sev, **labels):
    k = (rule, tuple(sorted(labels.items())))
    assert k in a, "missing %s %s in %s" % (rule, labels, list(a))
    assert a[k]["severity"] == sev, a[k]
    return a[k]
# 10 missing of 1010 expected (received + missing: the stand-in exports no expected count),
# or of 2010 if the first sample was taken before bookd wrote its counters
x = has("data_loss", "critical", exchange="binance", symbol="BTC-USDT"); assert 0.0049 <= x["value"] <= 0.01, x
has("checksum_fail", "error", exchange="okx", symbol="BTC-USDT")
x = has("latency_high", "warning", exchange="okx", stage="exchange_receive"); assert x["value"] > 100, x
x = has("latency_high", "warning", stage="receive_publish"); assert x["value"] > 100, x
has("connection_lost", "critical", exchange="binance", conn="stream")
has("stream_backlog", "warning", ring="book.router")
assert d["status"] == "degraded", d["status"]'
if wait_for 15 mp_health_check "$want"; then ok alerts_fire_on_thresholds
else not_ok alerts_fire_on_thresholds "$(mp_health_check "$want" 2>&1 | tail -1)"; fi

# Published to NATS system.alert.<rule> as JSON.
pub_check() {
	python3 - "$ALERTS" <<'EOF'
import json, sys
seen = {}
for ln in open(sys.argv[1]):
    subj, body = ln.split(" ", 1)
    m = json.loads(body)
    assert subj == "system.alert." + m["rule"], ln
    seen.setdefault(m["rule"], []).append(m)
for r in ("data_loss", "checksum_fail", "latency_high", "connection_lost", "stream_backlog"):
    assert r in seen and seen[r][0]["state"] == "firing", r
m = seen["connection_lost"][0]
assert m["labels"] == {"exchange": "binance", "conn": "stream"} and m["severity"] == "critical" and m["message"]
assert m["threshold"] == 1 and m["instance"] and m["timestamp"] > 0
EOF
}
if wait_for 10 pub_check; then ok alerts_published_to_nats; else not_ok alerts_published_to_nats "$(pub_check 2>&1 | tail -1)"; fi
if grep -q 'alert firing" rule=checksum_fail severity=error' "$MP_LOG"; then ok alerts_logged; else not_ok alerts_logged; fi

# Back up: connection_lost resolves, and "resolved" is published.
sed -i 's/^gauge mp_feed_connected exchange="binance",conn="stream" 0/gauge mp_feed_connected exchange="binance",conn="stream" 1/' "$CD/feedd.binance.metrics"
resolved() { grep -q '^system.alert.connection_lost .*"state":"resolved"' "$ALERTS"; }
if wait_for 10 resolved && mp_health_check 'assert "connection_lost" not in [x["rule"] for x in d["alerts"]]'; then
	ok alert_resolved_published; else not_ok alert_resolved_published; fi

# Issue 14.5: stored reports that the local store cannot be written: the
# local sink goes down in /health and store_write_failed fires; back up, it resolves.
sed -i -e 's/^gauge mp_store_local_up - 1/gauge mp_store_local_up - 0/' \
	-e 's/^counter mp_store_write_errors_total - 0/counter mp_store_write_errors_total - 7/' "$CD/stored.metrics"
want='
s = {x["name"]: x for x in d["sinks"]}
assert s["local"]["up"] is False and s["local"]["writable"] is False and s["local"]["write_errors"] == 7, s["local"]
a = [x for x in d["alerts"] if x["rule"] == "store_write_failed"]
assert len(a) == 1 and a[0]["severity"] == "critical" and a[0]["labels"] == {"sink": "local"}, a
assert "7 failed" in a[0]["message"], a'
if wait_for 15 mp_health_check "$want"; then ok store_write_failed_alert_and_sink_down
else not_ok store_write_failed_alert_and_sink_down "$(mp_health_check "$want" 2>&1 | tail -1)"; fi
sed -i 's/^gauge mp_store_local_up - 0/gauge mp_store_local_up - 1/' "$CD/stored.metrics"
want='
s = {x["name"]: x for x in d["sinks"]}
assert s["local"]["up"] is True and s["local"]["writable"] is True, s["local"]
assert not [x for x in d["alerts"] if x["rule"] == "store_write_failed"], d["alerts"]'
if wait_for 15 mp_health_check "$want"; then ok store_write_failed_resolves
else not_ok store_write_failed_resolves "$(mp_health_check "$want" 2>&1 | tail -1)"; fi

# Issue 14.2: a consumer resynchronised past corrupt frames (the ring header
# counts it; here written straight into book.store's consumer line, offsets of
# common/ring_impl.h): ring_corrupt fires for that ring, /health shows the counts.
/usr/bin/python3 - "/dev/shm/$MP_PREFIX/book.store" <<'EOF'
import mmap, struct, sys
with open(sys.argv[1], "r+b") as f:
    m = mmap.mmap(f.fileno(), 0)
    off = 4096 + 128 + 40       # consumer line: head read read_seq hb_ns pid attaches, then corrupt...
    struct.pack_into("<QQQQ", m, off, 1, 4096, 160, 3)
EOF
want='
r = {x["name"]: x for x in d["rings"]}
assert r["book.store"]["corrupt"] == 1 and r["book.store"]["corrupt_lost"] == 3, r["book.store"]
a = [x for x in d["alerts"] if x["rule"] == "ring_corrupt"]
assert len(a) == 1 and a[0]["severity"] == "error" and a[0]["labels"] == {"ring": "book.store"}, a
assert "position 4096" in a[0]["message"], a'
if wait_for 15 mp_health_check "$want"; then ok ring_corrupt_alert
else not_ok ring_corrupt_alert "$(mp_health_check "$want" 2>&1 | tail -1)"; fi

# A dead feedd counts as a lost connection even though its metrics still say 1.
echo 1 >"$CD/feedd.okx.fail"
kill -9 "$(mp_status_field feedd.okx pid)"
if wait_for 15 mp_health_check '
assert any(x["rule"] == "connection_lost" and x["labels"].get("exchange") == "okx" for x in d["alerts"])
assert not [c for c in d["connections"] if c["exchange"] == "okx" and c["connected"]]'; then ok dead_feed_is_connection_lost
else not_ok dead_feed_is_connection_lost; fi
rm -f "$CD/feedd.okx.fail"

# mpctl's probes read the records themselves (read-only) when no daemon exports the histogram.
probe_check() {
	curl -sf "http://127.0.0.1:$MP_PORT/metrics" | python3 -c '
import re, sys
t = sys.stdin.read()
def val(k):
    m = re.search("^" + re.escape(k) + " ([0-9.e+]+)$", t, re.M); assert m, k; return float(m.group(1))
assert val("mp_ctl_exchange_latency_seconds_count{exchange=\"okx\",process=\"mpctl\"}") > 0
assert val("mp_ctl_exchange_latency_seconds_bucket{exchange=\"okx\",process=\"mpctl\",le=\"0.002048\"}") == 0
assert val("mp_ctl_exchange_latency_seconds_bucket{exchange=\"okx\",process=\"mpctl\",le=\"0.004096\"}") > 0
assert val("mp_ctl_process_latency_seconds_count{process=\"mpctl\"}") > 0
assert val("mp_ctl_process_latency_seconds_bucket{process=\"mpctl\",le=\"0.000512\"}") == 0
assert val("mp_ctl_process_latency_seconds_bucket{process=\"mpctl\",le=\"0.001024\"}") > 0'
}
if wait_for 10 probe_check; then ok latency_probes_from_records; else not_ok latency_probes_from_records "$(probe_check 2>&1 | tail -1)"; fi

if mpctl stop >/dev/null && ! pgrep -f "nats-server -a 127.0.0.1 -p $NATS_PORT" >/dev/null; then ok embedded_nats_stopped
else not_ok embedded_nats_stopped; fi
