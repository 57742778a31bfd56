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
}
trap t_cleanup EXIT

ok()     { echo "ok $1"; }
not_ok() { echo "not ok $1 - ${2:-failed}"; }
skip()   { echo "skip $1 - ${2:-skipped}"; }
# check NAME CMD...: ok if CMD succeeds
check()  { local n=$1; shift; if "$@"; then ok "$n"; else not_ok "$n" "$*"; fi; }

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
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
