#!/usr/bin/env bash
# test/common/cfg_programs.sh - every program that reads the config refuses
# each bad config the same way (issue 14, defect 6): exit code 2 and a
# message naming the file and line.  mpsim takes no config and is not here.
#
# The base of each config points every venue, NATS and HTTP port at loopback
# ports nothing listens on and uses its own ring prefix and data directory,
# so a program that wrongly accepts a config fails (wrong exit code) without
# touching the network or another instance; `timeout` bounds such a run.
. "$(dirname "$0")/../lib.sh"

PFX="mp-cfgprog-$$"
DEAD=$(free_port)       # nothing listens there: connections fail at once
touch "$T_TMP/capture.txt"

base() {   # base [RING_PREFIX] [LOG_LEVEL] [NATS_URL]
	cat <<CONF
[system]
ring_prefix = ${1:-$PFX}
data_dir = $T_TMP/var
log_level = ${2:-info}

[feedd.binance]
ws_url = ws://127.0.0.1:$DEAD
rest_url = http://127.0.0.1:$DEAD

[feedd.okx]
ws_url = ws://127.0.0.1:$DEAD
rest_url = http://127.0.0.1:$DEAD

[nats]
url = ${3:-nats://127.0.0.1:$DEAD}

[mpctl]
nats_embedded = false
http_port = 0
CONF
}

# case NAME WANT-REGEX: the config is on stdin
run_case() {
	local name=$1 want=$2 conf="$T_TMP/$1.ini" p out rc bad=""
	cat >"$conf"
	local -a progs=(
		"feedd --exchange binance" "feedd --exchange okx" bookd routerd stored
		"mpctl status" "mpctl start" "mpreplay $T_TMP/capture.txt" "mpsub --summary --seconds 1"
		"mpstore verify" "mpexport --exchange binance --symbol BTC-USDT --from 0 --to 1 --out $T_TMP/x"
		"mpring list" "mpflow --exchange binance --symbol BTC-USDT --seconds 1")
	for p in "${progs[@]}"; do
		local -a argv=($p)
		out=$(timeout 20 "$BIN/${argv[0]}" -c "$conf" "${argv[@]:1}" 2>&1 >/dev/null)
		rc=$?
		if [ "$rc" != 2 ]; then
			bad+=" ${argv[0]}(rc=$rc)"
		elif ! grep -qE "$conf:[0-9]+: " <<<"$out"; then
			bad+=" ${argv[0]}(no file:line)"
		elif ! grep -qE -- "$want" <<<"$out"; then
			bad+=" ${argv[0]}(message: $(head -c 200 <<<"$out"))"
		fi
	done
	if [ -z "$bad" ]; then ok "cfg_$name"; else not_ok "cfg_$name" "$bad"; fi
}

# the base itself is good: mpctl status says "not running" (3), mpreplay
# takes the config and finds nothing to use in the empty capture (1, not the
# config error 2); so each case below fails for its own line
base >"$T_TMP/good.ini"
"$BIN/mpctl" -c "$T_TMP/good.ini" status >/dev/null 2>&1; rc1=$?
"$BIN/mpreplay" -c "$T_TMP/good.ini" "$T_TMP/capture.txt" >/dev/null 2>"$T_TMP/good.err"; rc2=$?
grep -q 'none of its 0 lines could be used' "$T_TMP/good.err" || rc2="$rc2 ($(head -c 200 "$T_TMP/good.err"))"
if [ "$rc1" = 3 ] && [ "$rc2" = 1 ]; then ok cfg_good_base; else not_ok cfg_good_base "mpctl status rc=$rc1 mpreplay rc=$rc2"; fi

{ base; printf '\n[ring.book.stroe]\ncapacity = 1GiB\n'; } |
	run_case misspelt_ring_section 'unknown section \(did you mean \[ring\.book\.store\]\?\)'
{ base; printf '\n[feedd.binanse]\ncapture = false\n'; } |
	run_case misspelt_feedd_section 'unknown section \(did you mean \[feedd\.binance\]\?\)'
{ base; printf '\n[instruments]\nbinance =\nokx =\n'; } |
	run_case no_instruments 'all empty'
{ base; printf '\n[ring.book.store]\ncapacity = 100MiB\n'; } |
	run_case ring_capacity_not_power_of_two 'capacity = "100MiB": expected 0 \(built-in\) or a power of two'
{ base; printf '\n[ring.feed.okx]\npolicy = lossy\n'; } |
	run_case ring_bad_policy 'policy = "lossy": expected block or drop'
base "" "" "nats://127.0.0.1:99999" |
	run_case nats_port_out_of_range 'port is not a number 1\.\.65535'
base "" chatty |
	run_case log_level_chatty 'log_level = "chatty": expected debug, info, warn or error'
base "../../x" |
	run_case ring_prefix_dotdot 'ring_prefix = "\.\./\.\./x": expected one directory name'
printf '' | run_case empty_file 'sets nothing'
printf '; nothing\n# here\n\n' | run_case comments_only_file 'sets nothing'

# a ring prefix whose lock cannot be opened (here /dev/shm/<prefix> is a
# file) is a failure that says what failed, not "another mpctl (pid 0)"; mpctl
# checks the ring directory itself (setup_private_dirs) before the lock file
LOCKPFX="$PFX-file"
: >"/dev/shm/$LOCKPFX"
base "$LOCKPFX" >"$T_TMP/lock.ini"
out=$(timeout 20 "$BIN/mpctl" -c "$T_TMP/lock.ini" start 2>&1 >/dev/null); rc=$?
rm -f "/dev/shm/$LOCKPFX"
if [ "$rc" = 1 ] && grep -qi "/dev/shm/$LOCKPFX.*not a directory" <<<"$out" &&
    ! grep -q "another mpctl" <<<"$out"; then
	ok mpctl_lock_open_failure_named
else
	not_ok mpctl_lock_open_failure_named "rc=$rc: $(head -c 300 <<<"$out")"
fi

# mpctl's own check of [nats] url (the embedded server listens on loopback
# only) names the file and line too, and is a config error (2)
base "" "" "nats://192.0.2.1:4222" | sed 's/^nats_embedded = false/nats_embedded = true/' >"$T_TMP/remote.ini"
out=$(timeout 20 "$BIN/mpctl" -c "$T_TMP/remote.ini" start 2>&1 >/dev/null); rc=$?
if [ "$rc" = 2 ] && grep -qE "$T_TMP/remote.ini:[0-9]+: \[nats\] url = \"nats://192.0.2.1:4222\": the embedded nats-server listens on loopback only" <<<"$out"; then
	ok mpctl_embedded_remote_url_named
else
	not_ok mpctl_embedded_remote_url_named "rc=$rc: $(head -c 300 <<<"$out")"
fi
