#!/usr/bin/env bash
# test/mpctl/mpctl_supervise.sh - the launcher with stand-in daemons (mpctl_child):
# start order and readiness, overrides passed down, single instance, status,
# restart with backoff while the others keep running, the intensity limit,
# fatal exit codes, operator restart, stop order and SIGKILL after timeout.
# Assertions are on the event log, pids, states and mpctl's log lines, never
# on elapsed time.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_mpctl.sh"

mp_sandbox
MP_EXTRA=(--set bookd.snapshot_levels=7 --set mpctl.stop_timeout=1s --set mpctl.intensity_max=3 --set mpctl.failed_retry_interval=0
	--set mpctl.backoff_max=4s --set "nats.url=nats://127.0.0.1:$(free_port)")
touch "$CD/routerd.hang"   # routerd ignores SIGTERM: stop must SIGKILL it
mp_start

if wait_for 20 mp_all_ready; then ok start_all_ready; else not_ok start_all_ready "$(mpctl status 2>&1)"; fi

# Start order: each process starts only after the previous one is ready.
order=$(mp_events | awk '{print $1, $2}' | tr '\n' ',')
want="start stored,ready stored,start routerd,ready routerd,start bookd,ready bookd,start feedd.binance,ready feedd.binance,start feedd.okx,ready feedd.okx,"
if [ "$order" = "$want" ]; then ok start_order_after_readiness; else not_ok start_order_after_readiness "got $order"; fi

# Overrides and the venue reach the children exactly.
argv=$(tr '\n' ' ' <"$CD/feedd.binance.argv")
case "$argv" in
*"--exchange binance -c $CONF --set bookd.snapshot_levels=7 --set mpctl.stop_timeout=1s"*) ok overrides_passed_down ;;
*) not_ok overrides_passed_down "argv: $argv" ;;
esac

# Single instance per ring prefix / data dir.
out=$(mpctl start 2>&1); rc=$?
if [ "$rc" = 100 ] && echo "$out" | grep -q "another mpctl (pid $MP_PID)"; then ok single_instance
else not_ok single_instance "rc=$rc out=$out"; fi

# status: human and JSON.
st=$(mpctl status)
if echo "$st" | grep -q '^bookd .* ready' && echo "$st" | grep -q '^book.store '; then ok status_table
else not_ok status_table "$st"; fi
js=$(mpctl status --json)
if echo "$js" | python3 -c '
import json, sys
d = json.load(sys.stdin)
names = [p["name"] for p in d["processes"]]
assert names == ["stored", "routerd", "bookd", "feedd.binance", "feedd.okx"], names
assert all(p["pid"] > 0 and p["state"] == "ready" and p["restarts"] == 0 for p in d["processes"])
rings = {r["name"]: r for r in d["rings"]}
assert set(rings) == {"feed.binance","raw.binance","ctl.binance","feed.okx","raw.okx","ctl.okx","book.router","book.store"}, rings
assert all(r["present"] and r["capacity"] == 1 << 20 for r in rings.values())
assert d["instance"]["state"] == "running"
'; then ok status_json; else not_ok status_json "$js"; fi

pid_of() { mp_status_field "$1" pid; }
others_before="$(pid_of stored) $(pid_of routerd) $(pid_of feedd.binance) $(pid_of feedd.okx)"

# A crash: bookd is restarted after backoff_min (1 s), the others keep running.
old=$(pid_of bookd)
kill -9 "$old"
if wait_for 20 mp_restarted bookd 1 "$old"; then ok crash_restarted; else not_ok crash_restarted "$(mpctl status 2>&1)"; fi
le=$(mp_status_field bookd last_exit)
if [ "$le" = "signal 9 (Killed)" ]; then ok last_exit_reason; else not_ok last_exit_reason "$le"; fi
others_after="$(pid_of stored) $(pid_of routerd) $(pid_of feedd.binance) $(pid_of feedd.okx)"
if [ "$others_before" = "$others_after" ]; then ok others_keep_running; else not_ok others_keep_running "$others_before -> $others_after"; fi

# Backoff doubles when a child dies again before it stayed up for backoff_reset.
old=$(pid_of bookd)
kill -9 "$old"
wait_for 20 mp_restarted bookd 2 "$old"
delays=$(grep -o 'restart scheduled" process=bookd delay_ms=[0-9]*' "$MP_LOG" | grep -o '[0-9]*$' | tr '\n' ' ')
set -- $delays
if [ "$#" = 2 ] && [ "$1" -ge 1000 ] && [ "$1" -le 1100 ] && [ "$2" -ge 2000 ] && [ "$2" -le 2200 ]; then ok backoff_doubles
else not_ok backoff_doubles "delays: $delays"; fi

# Intensity limit: a child that keeps dying is given up after 3 deaths; alert; others untouched.
echo 1 >"$CD/feedd.okx.fail"
kill -9 "$(pid_of feedd.okx)"
if mp_wait_state feedd.okx failed 30; then ok intensity_limit_gives_up; else not_ok intensity_limit_gives_up "$(mpctl status 2>&1)"; fi
fr=$(mp_status_field feedd.okx fail_reason)
case "$fr" in "3 deaths within 60s") ok fail_reason ;; *) not_ok fail_reason "$fr" ;; esac
if wait_for 5 mp_health_check '
a = [x for x in d["alerts"] if x["rule"] == "process_failed" and x["labels"].get("process") == "feedd.okx"]
assert a and a[0]["severity"] == "critical" and d["status"] == "failed"'; then ok process_failed_alert; else not_ok process_failed_alert "$(curl -s http://127.0.0.1:$MP_PORT/health | head -c 2000)"; fi
if [ "$(pid_of stored) $(pid_of routerd) $(pid_of feedd.binance)" = "$(echo "$others_before" | cut -d' ' -f1-3)" ]; then
	ok others_survive_give_up; else not_ok others_survive_give_up; fi
st=$(mpctl health >/dev/null; echo $?)
if [ "$st" = 1 ]; then ok health_exit_status; else not_ok health_exit_status "exit $st"; fi

# An operator restart revives a given-up child and the alert resolves.
rm -f "$CD/feedd.okx.fail"
out=$(mpctl restart feedd.okx)
if [ $? = 0 ] && mp_wait_state feedd.okx ready 20; then ok operator_restart_revives; else not_ok operator_restart_revives "$out"; fi
if wait_for 5 mp_health_check 'assert not d["alerts"] and d["status"] == "ok"'; then ok alert_resolves
else not_ok alert_resolves "$(curl -s http://127.0.0.1:$MP_PORT/health | head -c 3000)"; fi
out=$(mpctl restart nosuch 2>&1); rc=$?
if [ "$rc" = 1 ] && echo "$out" | grep -q 'no process named nosuch'; then ok restart_unknown_name; else not_ok restart_unknown_name "$rc $out"; fi

# Operator restart of a running child: new pid, restart counted.
old=$(pid_of stored); r0=$(mp_status_field stored restarts)
mpctl restart stored >/dev/null
if wait_for 20 mp_restarted stored $((r0 + 1)) "$old"; then ok operator_restart_running
else not_ok operator_restart_running "$(mpctl status 2>&1)"; fi

# A fatal exit code (78 = EX_CONFIG) is not retried.
echo 78 >"$CD/feedd.binance.fail"
kill -9 "$(pid_of feedd.binance)"
if mp_wait_state feedd.binance failed 20 && [ "$(mp_status_field feedd.binance restarts)" = 1 ]; then ok fatal_exit_code_not_retried
else not_ok fatal_exit_code_not_retried "$(mpctl status 2>&1)"; fi
rm -f "$CD/feedd.binance.fail"

# A program that cannot be started (gone from bin_dir) counts as a death too.
mv "$SB/feedd" "$SB/feedd.gone"
kill -9 "$(pid_of feedd.okx)"
if mp_wait_state feedd.okx failed 30 && [ "$(mp_status_field feedd.okx last_exit)" = "spawn failed: No such file or directory" ]; then
	ok spawn_failure_counted; else not_ok spawn_failure_counted "$(mpctl status 2>&1 | grep feedd.okx)"; fi
mv "$SB/feedd.gone" "$SB/feedd"

# Stop: reverse order; routerd ignores SIGTERM and is killed after stop_timeout.
: >"$CD/events"
if mpctl stop >/dev/null; then ok stop_command; else not_ok stop_command; fi
order=$(mp_events | awk '$1 == "term" {print $2}' | tr '\n' ',')
if [ "$order" = "bookd,stored," ]; then ok stop_reverse_order; else not_ok stop_reverse_order "got $order"; fi
if wait_for 5 bash -c "! kill -0 $MP_PID 2>/dev/null"; then ok supervisor_exited; else not_ok supervisor_exited; fi
if grep -q 'did not stop in time: SIGKILL" process=routerd' "$MP_LOG" &&
	grep -q 'process exited" process=routerd .*how="signal 9 (Killed)"' "$MP_LOG"; then ok sigkill_after_timeout
else not_ok sigkill_after_timeout "$(grep routerd "$MP_LOG" | tail -3)"; fi
out=$(mpctl status 2>&1); rc=$?
if [ "$rc" = 3 ] && echo "$out" | grep -q 'not running'; then ok status_when_stopped; else not_ok status_when_stopped "$rc $out"; fi
