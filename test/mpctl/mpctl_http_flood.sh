#!/usr/bin/env bash
# test/mpctl/mpctl_http_flood.sh - nobody on the host can lock the owner out of
# mpctl (issue 14, defect 1): 90 unfinished requests on the HTTP port and 20
# on the control socket are held open, and while they are held `mpctl status`,
# /health and `mpctl stop` still work; garbage is answered 400 at once; an
# unfinished or idle request is closed with 408 after http_header_timeout;
# a readiness probe of a port whose listen backlog is full does not stall the
# supervisor.
# The floods are held for certain (http_header_timeout = 600 s in the first
# part); every wait is for a condition (EOF, a file, a state) with a generous
# bound, never a guessed sleep.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_mpctl.sh"

PY=/usr/bin/python3
CONNS="$MP_ROOT/test/mpctl/mp_conns.py"
SOCK="$MP_DATA/run/mpctl.sock"
metric() { curl -s -m 20 "http://127.0.0.1:$MP_PORT/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
held() { # held FILE PID: ask the holder how many of its connections are still open
	local n0
	n0=$(grep -c '^held' "$1")
	kill -USR1 "$2"
	wait_for 20 bash -c "[ \$(grep -c '^held' '$1') -gt $n0 ]"
	grep '^held' "$1" | tail -1 | awk '{print $2}'
}

# probe NAME ADDR DATA SECONDS WANT: send DATA, wait up to SECONDS for the server
# to close; ok if the answer's first line is WANT
probe() {
	local r
	r=$("$PY" "$CONNS" probe "$2" "$3" "$4")
	if [ "$r" = "eof $5" ]; then ok "$1"; else not_ok "$1" "$r"; fi
}

mp_sandbox
mp_start --set mpctl.http_header_timeout=600s
if ! wait_for 20 mp_all_ready; then not_ok setup "$(mpctl status 2>&1)"; exit 1; fi

# 90 connections to the HTTP port, each with an unfinished request line.
bg "$PY" "$CONNS" hold "$MP_PORT" 90 "$T_TMP/tcp.out"; TCP_HOLDER=$T_LASTPID
wait_for 40 test -s "$T_TMP/tcp.out"
if grep -q '^open 90$' "$T_TMP/tcp.out"; then ok flood_tcp_opened; else not_ok flood_tcp_opened "$(cat "$T_TMP/tcp.out" 2>&1)"; fi
# Control and HTTP work while the floods are held.
out=$(mpctl status 2>&1); rc=$?
if [ "$rc" = 0 ] && echo "$out" | grep -q '^bookd .* ready'; then ok status_under_flood; else not_ok status_under_flood "rc=$rc $out"; fi
code=$(curl -s -m 20 -o "$T_TMP/health.json" -w '%{http_code}' "http://127.0.0.1:$MP_PORT/health")
if [ "$code" = 200 ] && "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$T_TMP/health.json"; then
	ok health_under_flood; else not_ok health_under_flood "http $code"; fi
out=$(mpctl health 2>&1); rc=$?
if [ "$rc" = 0 ]; then ok health_command_under_flood; else not_ok health_command_under_flood "rc=$rc $(echo "$out" | head -c 300)"; fi

# And 20 on the control socket (more than its slots and its listen backlog).
bg "$PY" "$CONNS" hold "$SOCK" 20 "$T_TMP/unix.out"; UNIX_HOLDER=$T_LASTPID
wait_for 40 test -s "$T_TMP/unix.out"
if grep -q '^open 20$' "$T_TMP/unix.out"; then ok flood_unix_opened; else not_ok flood_unix_opened "$(cat "$T_TMP/unix.out" 2>&1)"; fi

out=$(mpctl status 2>&1); rc=$?
if [ "$rc" = 0 ] && echo "$out" | grep -q '^bookd .* ready'; then ok status_under_socket_flood; else not_ok status_under_socket_flood "rc=$rc $out"; fi

# Garbage is answered 400 and closed at once (not held until a deadline: the
# deadline is 600 s here, the bound 20 s).
probe garbage_answered_400 "$MP_PORT" '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\x00\xff\xfe' 20 "HTTP/1.0 400 Bad Request"
probe garbage_on_socket_answered_400 "$SOCK" '\x00\x01\x02\x03' 20 "HTTP/1.0 400 Bad Request"
probe bad_request_line_400 "$MP_PORT" 'GET /health\r\n\r\n' 20 "HTTP/1.0 400 Bad Request"

# The floods were really held while all of the above ran.
h=$(held "$T_TMP/tcp.out" "$TCP_HOLDER")
if [ -n "$h" ] && [ "$h" -gt 0 ]; then ok flood_tcp_held; else not_ok flood_tcp_held "held=$h"; fi
h=$(held "$T_TMP/unix.out" "$UNIX_HOLDER")
if [ -n "$h" ] && [ "$h" -gt 0 ]; then ok flood_unix_held; else not_ok flood_unix_held "held=$h"; fi
ev=$(metric 'mp_ctl_http_evicted_total{listener="tcp"}'); bad=$(metric 'mp_ctl_http_bad_requests_total{listener="tcp"}')
if [ "${ev:-0}" -ge 58 ] && [ "${bad:-0}" -ge 2 ]; then ok http_counters; else not_ok http_counters "evicted=$ev bad=$bad"; fi

# stop works while the floods are held.
out=$(mpctl stop 2>&1); rc=$?
if [ "$rc" = 0 ]; then ok stop_under_flood; else not_ok stop_under_flood "rc=$rc $out"; fi
if wait_for 30 bash -c "! kill -0 $MP_PID 2>/dev/null"; then ok supervisor_exited; else not_ok supervisor_exited; fi
kill -TERM "$TCP_HOLDER" "$UNIX_HOLDER" 2>/dev/null
wait "$TCP_HOLDER" "$UNIX_HOLDER" 2>/dev/null

# A short header deadline: unfinished and idle requests get 408 and are closed.
mp_start --set mpctl.http_header_timeout=2s
if ! wait_for 20 mp_all_ready; then not_ok setup2 "$(mpctl status 2>&1)"; exit 1; fi
probe partial_request_408 "$MP_PORT" 'GET / HTTP/1.1\r\nHost: x\r\n' 30 "HTTP/1.0 408 Request Timeout"
probe idle_connection_408 "$MP_PORT" '' 30 "HTTP/1.0 408 Request Timeout"
probe partial_on_socket_408 "$SOCK" 'POST /ctl/st' 30 "HTTP/1.0 408 Request Timeout"
to=$(metric 'mp_ctl_http_timeouts_total{listener="tcp"}')
if [ "${to:-0}" -ge 2 ]; then ok timeout_counter; else not_ok timeout_counter "timeouts=$to"; fi
# A whole request split over several writes is still served.
r=$("$PY" - "$MP_PORT" <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for part in (b"GET /hea", b"lth HTTP/1.0\r\n", b"Host: x\r\n", b"\r\n"):
    s.sendall(part)
    time.sleep(0.05)
print(s.recv(64).split(b"\r\n")[0].decode())
EOF
)
case "$r" in "HTTP/1.0 200 OK") ok split_request_served ;; *) not_ok split_request_served "$r" ;; esac
if mpctl stop >/dev/null 2>&1; then ok stop; else not_ok stop; fi
wait_for 30 bash -c "! kill -0 $MP_PID 2>/dev/null"

# nats-server's readiness is its port accepting.  Here the port is a listener
# whose backlog is full (the kernel drops new SYNs) and the "nats-server"
# never listens: start-up waits for it (ready_timeout 600 s), probing every
# 100 ms, and the supervisor must keep answering meanwhile.
PPORT=$(free_port)
bg "$PY" -c '
import signal, socket, sys
port = int(sys.argv[1])
s = socket.socket(); s.bind(("127.0.0.1", port)); s.listen(0)
fill = []
for _ in range(3):   # the first fills the accept queue, the others wait in SYN_SENT
    c = socket.socket(); c.setblocking(False); c.connect_ex(("127.0.0.1", port)); fill.append(c)
open(sys.argv[2], "w").close()
while True:
    signal.pause()' "$PPORT" "$T_TMP/full.up"
wait_for 20 test -e "$T_TMP/full.up"
printf '#!/bin/sh\nexec sleep 600\n' >"$SB/fake-nats"; chmod +x "$SB/fake-nats"
mp_start --set mpctl.nats_embedded=true --set "mpctl.nats_server=$SB/fake-nats" --set "nats.url=nats://127.0.0.1:$PPORT" \
	--set mpctl.ready_timeout=600s
if [ "$(mp_status_field nats-server state)" = starting ] && mpctl status >/dev/null &&
	curl -sf -m 20 -o /dev/null "http://127.0.0.1:$MP_PORT/health"; then ok probe_does_not_stall
else not_ok probe_does_not_stall "$(mpctl status 2>&1 | head -3)"; fi
if mpctl stop >/dev/null 2>&1; then ok stop_while_probing; else not_ok stop_while_probing; fi
