#!/usr/bin/env bash
# test/mpctl/mpctl_orphans.sh - background mode (start -d returns once start-up is
# over, stop waits for the end), a supervisor killed with SIGKILL leaves its
# children running and the next `mpctl start` stops those orphans before
# starting fresh ones, and child logs are rotated at log_max_size.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_mpctl.sh"

# pstart PID: the process's start time (clock ticks since boot; field 22 of
# /proc/PID/stat, counted after the command name, which may hold spaces)
pstart() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }
# tagged PID...: each as PID:START, so a pid the kernel hands to another
# process later is not taken for the old one (pid_max is 32768 here, and the
# machine runs other work: pids wrap within minutes)
tagged() { local p; for p in "$@"; do echo "$p:$(pstart "$p")"; done; }
# alive PID[:START]: exists, is not a zombie (this machine's init may be slow to
# reap) and, given START, is still the same process
alive() {
	local p=${1%%:*} t=${1#*:}
	[ -e "/proc/$p" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$p/status" 2>/dev/null &&
		{ [ "$t" = "$1" ] || [ "$(pstart "$p")" = "$t" ]; }
}
mp_sandbox
MP_EXTRA=(--set "nats.url=nats://127.0.0.1:$(free_port)" --set mpctl.log_max_size=20KiB)
echo 400 >"$CD/stored.spam"   # ~50 KiB of log lines at start

out=$(mpctl start -d 2>&1); rc=$?
if [ "$rc" = 0 ] && echo "$out" | grep -q '^feedd.okx .* ready'; then ok start_background_returns_ready
else not_ok start_background_returns_ready "rc=$rc $out"; fi
sup=$(mpctl status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["instance"]["pid"])')
T_PIDS+=("$sup")

rotated() { [ -s "$MP_DATA/log/stored.log.1" ] && [ "$(stat -c %s "$MP_DATA/log/stored.log")" -lt 20480 ]; }
if wait_for 10 rotated && grep -q 'child log rotated" process=stored' "$MP_DATA/log/mpctl.log"; then ok child_log_rotated
else not_ok child_log_rotated "$(ls -l "$MP_DATA/log")"; fi
rm -f "$CD/stored.spam"

old=$(tagged $(mpctl status --json | python3 -c 'import json,sys; print(" ".join(str(p["pid"]) for p in json.load(sys.stdin)["processes"]))'))
kill -9 "$sup"
sleep 0.5
alive=0; for p in $old; do alive "$p" && alive=$((alive + 1)); done
if [ "$alive" = 5 ]; then ok children_outlive_killed_supervisor; else not_ok children_outlive_killed_supervisor "$alive of 5 alive"; fi

out=$(mpctl start -d 2>&1); rc=$?
sup2=$(mpctl status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["instance"]["pid"])')
T_PIDS+=("$sup2")
gone=0; for p in $old; do alive "$p" || gone=$((gone + 1)); done
if [ "$rc" = 0 ] && [ "$gone" = 5 ] && [ "$(grep -c 'stopping a process left behind' "$MP_DATA/log/mpctl.log")" = 5 ]; then
	ok orphans_stopped_on_next_start
else
	left=""; for p in $old; do alive "$p" && left+=" $p=$(tr '\0' ' ' <"/proc/${p%%:*}/cmdline" 2>/dev/null | cut -c1-60)"; done
	not_ok orphans_stopped_on_next_start "rc=$rc gone=$gone; alive:$left; old: $old; mpctl: $(grep -E 'left behind|children' "$MP_DATA/log/mpctl.log" | tr '\n' ' ' | cut -c1-600)"
fi
# the orphans went down last-started first, as a normal stop would
order=$(awk '$1 == "term" {print $2}' "$CD/events" | tr '\n' ',')
if [ "$order" = "feedd.okx,feedd.binance,bookd,routerd,stored," ]; then ok orphans_stopped_in_reverse_order
else not_ok orphans_stopped_in_reverse_order "$order"; fi
if mp_all_ready; then ok fresh_children_ready; else not_ok fresh_children_ready "$(mpctl status 2>&1)"; fi

out=$(mpctl start -d 2>&1); rc=$?
if [ "$rc" = 100 ] && echo "$out" | grep -q "another mpctl (pid $sup2)"; then ok background_single_instance
else not_ok background_single_instance "rc=$rc $out"; fi

out=$(mpctl stop 2>&1); rc=$?
if [ "$rc" = 0 ] && ! alive "$sup2" && [ ! -e "$MP_DATA/run/mpctl.sock" ]; then ok stop_background
else not_ok stop_background "rc=$rc $out"; fi

# The HTTP port taken by someone else: start fails and says so.
python3 -c "import socket, time; s = socket.socket(); s.bind(('127.0.0.1', $MP_PORT)); s.listen(); time.sleep(15)" &
T_PIDS+=($!)
wait_port "$MP_PORT" 5
out=$(mpctl start -d 2>&1); rc=$?
if [ "$rc" = 1 ] && echo "$out" | grep -q "127.0.0.1:$MP_PORT (\[mpctl\] http_bind, http_port): Address already in use"; then ok http_port_taken_reported
else not_ok http_port_taken_reported "rc=$rc $out"; fi
kill "${T_PIDS[-1]}" 2>/dev/null

# A config error is reported with file, section and key, and nothing starts.
printf '[mpctl]\nhttp_prot = 1\n' >"$T_TMP/bad.ini"
out=$("$BIN/mpctl" -c "$T_TMP/bad.ini" start 2>&1); rc=$?
if [ "$rc" = 2 ] && echo "$out" | grep -q 'bad.ini:2: \[mpctl\] http_prot: unknown key'; then ok config_error_named
else not_ok config_error_named "rc=$rc $out"; fi
out=$(mpctl --set alerts.data_loss=lots start 2>&1); rc=$?
if [ "$rc" = 2 ] && echo "$out" | grep -q '\[alerts\] data_loss = "lots"'; then ok alert_config_error_named
else not_ok alert_config_error_named "rc=$rc $out"; fi

# SIGINT (Ctrl-C) / SIGTERM to a foreground mpctl: everything stops in order, exit 0.
: >"$CD/events"
mp_start
wait_for 20 mp_all_ready
kids=$(tagged $(mpctl status --json | python3 -c 'import json,sys; print(" ".join(str(p["pid"]) for p in json.load(sys.stdin)["processes"]))'))
kill -INT "$MP_PID"
wait "$MP_PID"; rc=$?
left=0; for p in $kids; do alive "$p" && left=$((left + 1)); done
order=$(awk '$1 == "term" {print $2}' "$CD/events" | tr '\n' ',')
if [ "$rc" = 0 ] && [ "$left" = 0 ] && [ "$order" = "feedd.okx,feedd.binance,bookd,routerd,stored," ]; then ok sigint_stops_all
else not_ok sigint_stops_all "rc=$rc left=$left order=$order"; fi
