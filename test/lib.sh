# test/lib.sh - helpers for shell tests; source it.  Tests print "ok NAME" /
# "not ok NAME - reason" lines (see test/run.sh).  Servers are started on free
# loopback ports with their own directories and stopped by pid on exit.
: "${BIN:=bin}"
: "${MP_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
T_PIDS=()
T_TMP=$(mktemp -d /tmp/mptest.XXXXXX) || { echo "not ok setup - mktemp failed"; exit 1; }
t_cleanup() {
	local p
	for p in "${T_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.2
	for p in "${T_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	[ -n "${T_KEEP:-}" ] || [ -z "${T_TMP:-}" ] || rm -rf "$T_TMP"
	t_release_ports
}
trap t_cleanup EXIT

ok()     { echo "ok $1"; }
not_ok() { echo "not ok $1 - ${2:-failed}"; }
skip()   { echo "skip $1 - ${2:-skipped}"; }
# check NAME CMD...: ok if CMD succeeds
check()  { local n=$1; shift; if "$@"; then ok "$n"; else not_ok "$n" "$*"; fi; }

# free_port: a TCP port on 127.0.0.1 for a server this test starts, reserved
# for the test until it exits.  A port is chosen here and bound later by
# another process (nats-server, mpsim, mpctl ...), so "free right now" is not
# enough on a machine where other suites run at once: the kernel's bind(0)
# hands out the ephemeral range, where any test's client connection (and any
# other test's bind(0)) takes ports all the time.  So the port is drawn from
# below the ephemeral range (ip_local_port_range starts at 32768 here and on
# Debian's default), bindable now, and reserved machine-wide in $T_PORT_DIR
# (one entry per port naming the test's shell pid; an entry whose pid is gone
# is free again), so no other test using this library picks it meanwhile.
T_PORT_DIR=${T_PORT_DIR:-/tmp/mptest-ports}
T_PORT_LO=20000 T_PORT_HI=32767
free_port() {
	mkdir -p "$T_PORT_DIR" || return 1
	(
		flock -w 30 9 || { echo "free_port: $T_PORT_DIR.lock busy for 30 s" >&2; exit 1; }
		local p i owner
		for ((i = 0; i < 500; i++)); do
			p=$((T_PORT_LO + (RANDOM * 32768 + RANDOM) % (T_PORT_HI - T_PORT_LO + 1)))
			owner=$(cat "$T_PORT_DIR/$p" 2>/dev/null)
			[ -n "$owner" ] && kill -0 "$owner" 2>/dev/null && continue
			/usr/bin/python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as the servers do
s.bind(("127.0.0.1", int(sys.argv[1])))' "$p" 2>/dev/null || continue
			echo $$ >"$T_PORT_DIR/$p" && echo "$p" && exit 0
		done
		echo "free_port: no free port in $T_PORT_LO..$T_PORT_HI after $i tries" >&2
		exit 1
	) 9>"$T_PORT_DIR.lock"
}
# t_release_ports: drop this test's reservations (t_cleanup does it).
t_release_ports() {
	local f
	for f in "$T_PORT_DIR"/*; do
		[ -f "$f" ] && [ "$(cat "$f" 2>/dev/null)" = $$ ] && rm -f "$f"
	done
	return 0
}
# bg CMD...: start in the background, remember the pid for cleanup; sets T_LASTPID.
bg() { "$@" & T_LASTPID=$!; T_PIDS+=("$T_LASTPID"); }
# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds or time runs out.
# SECONDS is multiplied by T_WAIT_SCALE (default 3): a deadline only bounds a
# wait for a condition, so a generous one costs nothing when the condition
# comes, and a machine busy with other work must not turn a slow start into a
# failure (make test-under-load).  Nothing may rely on a wait_for timing out.
: "${T_WAIT_SCALE:=3}"
wait_for() {
	local end=$((SECONDS + $1 * T_WAIT_SCALE)); shift
	while ((SECONDS < end)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}
# wait_port PORT [SECONDS]: until something accepts on 127.0.0.1:PORT.
wait_port() { wait_for "${2:-10}" bash -c "exec 3<>/dev/tcp/127.0.0.1/$1"; }
# t_npm_install DIR PKG@VERSION SECONDS [NPM_ARGS...]: install a pinned
# test-only npm package into DIR (DIR/node_modules), once; npm's output in
# $T_TMP/npm.log.  Returns 0 when it is there.  Two suites in one worktree
# (make test beside make asan) run the same test at once, and two npm installs
# into one prefix break each other (ENOTEMPTY, measured): the install holds
# DIR.lock, and a stamp written after a whole install says it is done (a
# package.json alone may be left by an install that was killed).
t_npm_install() {
	local dir=$1 spec=$2 secs=$3
	shift 3
	local stamp="$dir/.installed-${spec//\//_}"
	[ -f "$stamp" ] && return 0
	mkdir -p "$dir" || return 1
	(
		flock -w $((secs * T_WAIT_SCALE)) 9 || { echo "t_npm_install: $dir.lock held for $((secs * T_WAIT_SCALE)) s"; exit 1; }
		[ -f "$stamp" ] && exit 0
		timeout "$secs" npm install --no-audit --no-fund "$@" --prefix "$dir" "$spec" && : >"$stamp"
	) 9>"$dir.lock" >"$T_TMP/npm.log" 2>&1
}
