#!/usr/bin/env bash
# test/mpctl/mpctl_retry.sh - a given-up child is not left dead (issue 14,
# defect 10): after the intensity limit it is tried again every
# failed_retry_interval, the process_failed alert stays raised through the
# failed retries, and resolves once the child is ready again.  The stand-in
# bookd (mpctl_child) exits at start while $CD/bookd.fail exists.
# Assertions are on states, mpctl's log lines and their order, never on
# elapsed time.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_mpctl.sh"

mp_sandbox
MP_EXTRA=(--set mpctl.intensity_max=2 --set mpctl.failed_retry_interval=1s)
mp_start
if ! wait_for 20 mp_all_ready; then not_ok setup "$(mpctl status 2>&1)"; exit 1; fi

# bookd keeps dying: given up after 2 deaths, with a retry scheduled.
echo 1 >"$CD/bookd.fail"
kill -9 "$(mp_status_field bookd pid)"
if mp_wait_state bookd failed 30; then ok given_up; else not_ok given_up "$(mpctl status 2>&1)"; fi
if mpctl status --json | /usr/bin/python3 -c '
import json, sys
p = [p for p in json.load(sys.stdin)["processes"] if p["name"] == "bookd"][0]
assert p["state"] in ("failed", "starting"), p
assert p["fail_reason"] == "2 deaths within 60s", p
assert p["state"] != "failed" or 0 <= p["retry_in_s"] <= 1.0, p
'; then ok retry_scheduled; else not_ok retry_scheduled "$(mpctl status --json 2>&1 | head -c 2000)"; fi
line=$(mpctl status | grep '^bookd ')
case "$line" in *"2 deaths within 60s; retry in "*s|*"2 deaths within 60s; retrying") ok status_table_shows_retry ;;
*) not_ok status_table_shows_retry "$line" ;; esac

# It is retried, again and again, and each retry that dies fails it again.
retries() { grep -c 'retrying given-up process" process=bookd' "$MP_LOG"; }
refails() { grep -c 'retry failed, giving up again" process=bookd' "$MP_LOG"; }
if wait_for 60 bash -c "[ \$(grep -c 'retry failed, giving up again\" process=bookd' '$MP_LOG') -ge 2 ]"; then
	ok retried_repeatedly; else not_ok retried_repeatedly "retries=$(retries) refails=$(refails)"; fi
if mp_health_check '
a = [x for x in d["alerts"] if x["rule"] == "process_failed" and x["labels"].get("process") == "bookd"]
assert a and a[0]["severity"] == "critical", d["alerts"]
assert d["status"] == "failed", d["status"]'; then ok alert_raised_while_retrying
else not_ok alert_raised_while_retrying "$(curl -s "http://127.0.0.1:$MP_PORT/health" | head -c 2000)"; fi

# The cause goes away: the next retry brings it up and the alert resolves.
rm -f "$CD/bookd.fail"
if mp_wait_state bookd ready 60; then ok up_again; else not_ok up_again "$(mpctl status 2>&1)"; fi
if wait_for 20 mp_health_check '
assert not [x for x in d["alerts"] if x["rule"] == "process_failed"], d["alerts"]
p = [p for p in d["processes"] if p["name"] == "bookd"][0]
assert "fail_reason" not in p and p["retrying"] is False, p'; then ok alert_resolves_when_up
else not_ok alert_resolves_when_up "$(curl -s "http://127.0.0.1:$MP_PORT/health" | head -c 2000)"; fi
# The alert fired once and resolved once, after the child was up again:
# it never resolved during a failed retry.
seq=$(grep -E 'alert (firing|resolved)" rule=process_failed|given-up process is up again" process=bookd' "$MP_LOG" |
	grep -o 'alert firing\|alert resolved\|up again' | tr '\n' ',')
if [ "$seq" = "alert firing,up again,alert resolved," ]; then ok alert_kept_until_up; else not_ok alert_kept_until_up "$seq"; fi

# failed_retry_interval = 0: a given-up child stays failed until `mpctl restart`.
mpctl stop >/dev/null 2>&1
: >"$MP_LOG"
MP_EXTRA=(--set mpctl.intensity_max=2 --set mpctl.failed_retry_interval=0)
mp_start
wait_for 20 mp_all_ready
echo 1 >"$CD/bookd.fail"
kill -9 "$(mp_status_field bookd pid)"
mp_wait_state bookd failed 30
if mpctl status --json | /usr/bin/python3 -c '
import json, sys
p = [p for p in json.load(sys.stdin)["processes"] if p["name"] == "bookd"][0]
assert p["state"] == "failed" and "retry_in_s" not in p, p
' && grep -q 'giving up on process" process=bookd .*retry_in_ms=-1' "$MP_LOG"; then ok zero_means_never
else not_ok zero_means_never "$(grep bookd "$MP_LOG" | tail -3)"; fi
mpctl stop >/dev/null 2>&1
rm -f "$CD/bookd.fail"

# The real case: the embedded nats-server cannot start while another program
# holds its port; it is given up, and comes back by itself once the port is free.
# The holder accepts and closes (mpctl probes the port, nats.c connects to it)
# with SO_REUSEADDR, so that its closed connections lingering in FIN_WAIT2 do
# not keep the port from nats-server for another minute after it exits.
if ! command -v nats-server >/dev/null; then not_ok nats_server_comes_back "nats-server not installed (make deps)"; exit 0; fi
: >"$MP_LOG"
NPORT=$(free_port)
bg /usr/bin/python3 -c '
import signal, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
open(sys.argv[2], "w").close()
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
while True:
    s.accept()[0].close()' "$NPORT" "$T_TMP/blocker.up"; BLOCKER=$T_LASTPID
wait_for 20 test -e "$T_TMP/blocker.up"
MP_EXTRA=(--set mpctl.intensity_max=2 --set mpctl.failed_retry_interval=1s --set mpctl.nats_embedded=true
	--set "nats.url=nats://127.0.0.1:$NPORT")
mp_start
if mp_wait_state nats-server failed 60; then ok nats_server_given_up; else not_ok nats_server_given_up "$(mpctl status 2>&1)"; fi
kill -TERM "$BLOCKER"; wait "$BLOCKER" 2>/dev/null
if mp_wait_state nats-server ready 60 && grep -q 'given-up process is up again" process=nats-server' "$MP_LOG" &&
	wait_for 20 mp_health_check 'assert not [x for x in d["alerts"] if x["rule"] == "process_failed"], d["alerts"]'; then
	ok nats_server_comes_back; else not_ok nats_server_comes_back "$(mpctl status 2>&1; grep nats-server "$MP_LOG" | tail -5)"; fi
if mpctl stop >/dev/null; then ok stop; else not_ok stop; fi
