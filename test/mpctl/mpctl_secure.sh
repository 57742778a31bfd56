#!/usr/bin/env bash
# test/mpctl/mpctl_secure.sh - secure defaults of the whole system under mpctl
# (mpsim, stored, routerd, bookd, feedd x2, as make demo runs it, with a
# nats-server that requires a user and password):
#   - every listening socket of every process is on loopback (no bind option given);
#   - the ring directory is 0700 and every file in it 0600, and mpctl refuses
#     a ring directory another user could write to;
#   - credentials ([nats] user/password/token, [clickhouse] password, and
#     passwords in [nats] url / [clickhouse] url) appear
#     in no log, not in /health, /api/status, /metrics, status.json, nor in
#     any process's command line, also when the password is wrong; routerd
#     and mpctl authenticate with them (mpctl reads the streams); mpctl warns
#     when the config file holding them is world-readable.
# TLS verification by default (a self-signed certificate refused unless
# [feedd.*] ca_file names its CA) is test/feedd/feedd_tls.sh.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_system.sh"

sys_require secure
sys_config 1
SECRETS=("nu-$RANDOM$RANDOM" "npw-$RANDOM$RANDOM" "ntok-$RANDOM$RANDOM" "chpw-$RANDOM$RANDOM" "chupw-$RANDOM$RANDOM")
CH_PORT=$(free_port)   # nothing listens: stored's ClickHouse sink keeps failing (its error path is logged)
/usr/bin/python3 - "$CONF" "${SECRETS[@]}" "$CH_PORT" <<'EOF'
import sys
conf, user, pw, tok, chpw, chupw, chport = sys.argv[1:]
s = open(conf).read()
# the NATS password also in the URL (both forms are allowed), ClickHouse's in its URL too
s = s.replace("url = nats://127.0.0.1:", "url = nats://%s:%s@127.0.0.1:" % (user, pw), 1)
s = s.replace("[nats]\n", "[nats]\nuser = %s\npassword = %s\ntoken = %s\n" % (user, pw, tok), 1)
s = s.replace("[mpctl]\n", "[mpctl]\nnats_embedded = false\n", 1)
s += "[clickhouse]\nurl = http://chuser:%s@127.0.0.1:%s\npassword = %s\n" % (chupw, chport, chpw)
open(conf, "w").write(s)
EOF
chmod 644 "$CONF"   # world-readable on purpose: mpctl must warn about it
bg nats-server -a 127.0.0.1 -p "$NATS_PORT" -js -sd "$T_TMP/nats" --user "${SECRETS[0]}" --pass "${SECRETS[1]}" \
	>"$T_TMP/nats.log" 2>&1
wait_port "$NATS_PORT" 20 || { not_ok secure_start "nats-server did not start: $(tail -3 "$T_TMP/nats.log")"; exit 1; }
SYS_KEEP_LOGS=secure-system
if sys_start; then ok secure_start; else not_ok secure_start "$(mpctl status 2>&1)"; exit 1; fi
wait_for 60 sys_books_synced 100
if grep -q 'config file holds credentials and others can read it' "$SYS_LOG"; then ok readable_config_warned
else not_ok readable_config_warned "$(head -5 "$SYS_LOG")"; fi
chmod 600 "$CONF"

# pids of mpctl and every child
pids=$(mpctl status --json | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["instance"]["pid"], *[p["pid"] for p in d["processes"] if p["pid"] > 0])')

# Every listening TCP socket of these processes, as "pid addr:port".
/usr/bin/python3 - $pids >"$T_TMP/listen.txt" <<'EOF'
import os, socket, struct, sys
listen = {}
for f, fam in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
    for line in open(f).readlines()[1:]:
        x = line.split()
        if x[3] != "0A":   # TCP_LISTEN
            continue
        a, port = x[1].split(":")
        raw = bytes.fromhex(a)
        raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
        listen[x[9]] = "%s:%d" % (socket.inet_ntop(fam, raw), int(port, 16))
for pid in sys.argv[1:]:
    for fd in os.listdir("/proc/%s/fd" % pid):
        try:
            t = os.readlink("/proc/%s/fd/%s" % (pid, fd))
        except OSError:
            continue
        if t.startswith("socket:[") and t[8:-1] in listen:
            print(pid, listen[t[8:-1]])
EOF
n=$(wc -l <"$T_TMP/listen.txt")
bad=$(awk '$2 !~ /^(127\.[0-9.]+|::1|::ffff:127\.[0-9.]+):[0-9]+$/' "$T_TMP/listen.txt")
# at least mpctl's HTTP port and mpsim's two venue ports
if [ "$n" -ge 3 ] && [ -z "$bad" ]; then ok listeners_loopback_only
else not_ok listeners_loopback_only "$n listeners; not loopback: $bad"; fi

# Rings: the directory 0700, every file 0600, all ours.
perm=$(stat -c '%a %U %n' "/dev/shm/$SYS_PREFIX" "/dev/shm/$SYS_PREFIX"/*)
bad=$(echo "$perm" | awk -v u="$(id -un)" 'NR == 1 && $1 != "700" || NR > 1 && $1 != "600" || $2 != u')
nfiles=$(echo "$perm" | grep -c 'book.store\|feed.binance\|metrics.')
if [ -z "$bad" ] && [ "$nfiles" -ge 3 ]; then ok rings_private; else not_ok rings_private "$bad"; fi

# Credentials: none in any log, HTTP answer, status file or command line.
curl -s -m 20 "http://127.0.0.1:$HTTP_PORT/health" >"$T_TMP/health.json"
curl -s -m 20 "http://127.0.0.1:$HTTP_PORT/api/status" >"$T_TMP/status.json"
curl -s -m 20 "http://127.0.0.1:$HTTP_PORT/metrics" >"$T_TMP/metrics.txt"
for p in $pids; do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done >"$T_TMP/cmdlines.txt"
# stored has tried ClickHouse and routerd has connected by now: their logs hold those paths
if wait_for 30 grep -qi 'clickhouse' "$SYS_DATA/log/stored.log"; then ok clickhouse_path_exercised
else not_ok clickhouse_path_exercised "$(tail -3 "$SYS_DATA/log/stored.log")"; fi
# Authenticated: routerd publishes, and mpctl (which reads the streams) got in.
if wait_for 30 sys_health 'assert sum(s["messages"] for s in d["streams"]) > 0, d["streams"]'; then ok nats_authenticated
else not_ok nats_authenticated "$(curl -s "http://127.0.0.1:$HTTP_PORT/health" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["streams"])' 2>&1)"; fi
found=""
for s in "${SECRETS[@]}"; do
	f=$(grep -rl -- "$s" "$SYS_DATA/log" "$SYS_LOG" "$SYS_DATA/run/status.json" "$T_TMP/health.json" \
		"$T_TMP/status.json" "$T_TMP/metrics.txt" "$T_TMP/cmdlines.txt" 2>/dev/null)
	[ -n "$f" ] && found="$found $s in: $f;"
done
if [ -z "$found" ] && [ -s "$T_TMP/health.json" ] && [ -s "$T_TMP/metrics.txt" ]; then ok credentials_not_shown
else not_ok credentials_not_shown "$found"; fi
sys_stop

# A wrong password: routerd is refused and says so, without the password.
WRONG="wrongpw-$RANDOM$RANDOM"
"$BIN/routerd" -c "$CONF" --set "nats.url=nats://127.0.0.1:$NATS_PORT" --set "nats.password=$WRONG" >"$T_TMP/routerd-wrong.log" 2>&1 &
RPID=$!; T_PIDS+=("$RPID")
if wait_for 30 grep -qi 'authoriz' "$T_TMP/routerd-wrong.log" && ! grep -q -- "$WRONG" "$T_TMP/routerd-wrong.log" &&
	! grep -q -- "${SECRETS[0]}" "$T_TMP/routerd-wrong.log"; then ok wrong_password_not_logged
else not_ok wrong_password_not_logged "$(tail -3 "$T_TMP/routerd-wrong.log")"; fi
kill -TERM "$RPID"; wait "$RPID" 2>/dev/null

# A ring directory that others may write to is refused, not used.
chmod 0777 "/dev/shm/$SYS_PREFIX"
out=$(timeout 120 "$BIN/mpctl" -c "$CONF" start -d 2>&1); rc=$?
[ "$rc" = 0 ] && sys_stop
if [ "$rc" != 0 ] && echo "$out" | grep -q "/dev/shm/$SYS_PREFIX"; then ok open_ring_dir_refused
else not_ok open_ring_dir_refused "rc=$rc $(echo "$out" | tail -3)"; fi

# [mpctl] http_bind must be an address (a config error, before anything starts).
out=$("$BIN/mpctl" -c "$CONF" --set mpctl.http_bind=everywhere start 2>&1); rc=$?
if [ "$rc" = 2 ] && echo "$out" | grep -q 'http_bind = everywhere: not an IPv4 address'; then ok http_bind_validated
else not_ok http_bind_validated "rc=$rc $out"; fi

# A credential given with --set: mpctl warns (without the value).  And the
# HTTP port listens where http_bind says (another loopback address here).
chmod 0700 "/dev/shm/$SYS_PREFIX"
out=$(timeout 120 "$BIN/mpctl" -c "$CONF" --set "nats.token=${SECRETS[2]}" --set mpctl.http_bind=127.0.0.2 start -d 2>&1); rc=$?
if [ "$rc" = 0 ] && grep -q 'credential is on the command line.* key=nats.token' "$SYS_DATA/log/mpctl.log" &&
	! grep -q -- "${SECRETS[2]}" "$SYS_DATA/log/mpctl.log"; then ok set_credential_warned
else not_ok set_credential_warned "rc=$rc $out $(grep -i credential "$SYS_DATA/log/mpctl.log" | tail -2)"; fi
if curl -sf -m 20 -o /dev/null "http://127.0.0.2:$HTTP_PORT/health" &&
	! curl -sf -m 20 -o /dev/null "http://127.0.0.1:$HTTP_PORT/health"; then ok http_bind_applied
else not_ok http_bind_applied "$(ss -ltn 2>/dev/null | grep ":$HTTP_PORT ")"; fi
"$BIN/mpctl" -c "$CONF" stop >/dev/null 2>&1
