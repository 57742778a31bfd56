#!/usr/bin/env bash
# test/mpctl/mpctl_chaos.sh - during a run against mpsim, kill -9 each daemon in
# turn (feedd, bookd, routerd, stored) and nats-server: each comes back
# (mpctl restarts it, the others keep their pids), the books resync, and at
# the end the store holds every update exactly once apart from gaps recorded
# as events with their extent (mpstore verify), and the streams carry no
# duplicate (mpsub).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_system.sh"

sys_require chaos
sys_config "${CHAOS_RATE:-1}"
SYS_KEEP_LOGS=chaos-system
sys_start || { not_ok chaos_start "$(mpctl status 2>&1)"; exit 1; }
if wait_for 120 sys_books_synced 1000; then ok chaos_books_synced
else not_ok chaos_books_synced "$(sys_books_summary)"; exit 1; fi

pids_except() {
	mpctl status --json | python3 -c '
import json, sys
print(" ".join("%s=%s" % (p["name"], p["pid"]) for p in json.load(sys.stdin)["processes"] if p["name"] != sys.argv[1]))' "$1"
}

# syncs EXCHANGE: the books' sync counts ("binance:BTC-USDT=3 ...")
syncs() {
	sys_health '
import sys
print(" ".join("%s:%s=%s" % (b["exchange"], b["symbol"], b.get("syncs")) for b in d["books"] if b["exchange"] in sys.argv[1:]))' "$@"
}
# resynced BEFORE: every book listed in BEFORE synced again since (its sync count grew)
resynced() {
	sys_health '
import sys
before = dict(x.split("=") for x in sys.argv[1].split())
now = {"%s:%s" % (b["exchange"], b["symbol"]): b for b in d["books"]}
for k, v in before.items():
    assert now[k]["synced"] and now[k]["syncs"] is not None and now[k]["syncs"] > int(v), (k, v, now[k]["syncs"])' "$1"
}

for victim in feedd.binance bookd routerd stored nats-server; do
	case $victim in
	feedd.*) affected=$(syncs "${victim#feedd.}") ;;   # that venue's books must resync
	bookd) affected=$(syncs binance okx) ;;            # a new bookd syncs every book again
	*) affected= ;;                                    # the books do not depend on it
	esac
	old=$(sys_pid "$victim"); r=$(sys_restarts "$victim")
	others=$(pids_except "$victim")
	kill -9 "$old"
	if wait_for 60 sys_back "$victim" $((r + 1)) "$old"; then ok "chaos_${victim}_restarted"
	else not_ok "chaos_${victim}_restarted" "$(mpctl status 2>&1 | head -12)"; fi
	if [ "$(pids_except "$victim")" = "$others" ]; then ok "chaos_${victim}_others_untouched"
	else not_ok "chaos_${victim}_others_untouched" "$others -> $(pids_except "$victim")"; fi
	if [ -n "$victim" ] && [ -z "${victim##feedd.*}" -o "$victim" = bookd ]; then
		if wait_for 120 resynced "$affected"; then ok "chaos_${victim}_books_resynced"
		else not_ok "chaos_${victim}_books_resynced" "before: $affected; now: $(sys_books_summary)"; fi
	fi
	if wait_for 120 sys_books_synced 1000; then ok "chaos_${victim}_books_synced"
	else not_ok "chaos_${victim}_books_synced" "$(sys_books_summary)"; fi
done

# The streams after all that: no duplicate message, rebuilt books match.
"$BIN/mpsub" -c "$CONF" --seconds 10 --durable chaos --cleanup >"$T_TMP/mpsub.json" 2>"$T_TMP/mpsub.err"
if python3 - "$T_TMP/mpsub.json" <<'EOF'
import json, sys
s = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
assert s.get("duplicates", 0) == 0 and s["mismatches"] == 0, s
EOF
then ok chaos_streams_no_duplicates; else not_ok chaos_streams_no_duplicates "$(tail -c 1500 "$T_TMP/mpsub.json")"; fi

sys_stop && ok chaos_stop || not_ok chaos_stop
"$BIN/mpstore" verify -c "$CONF" >"$T_TMP/verify.json" 2>"$T_TMP/verify.err"; rc=$?
cp "$T_TMP/verify.json" "$MP_ROOT/build/test-logs/chaos-verify.json" 2>/dev/null
if [ "$rc" = 0 ]; then ok chaos_store_exactly_once_gaps_recorded
else not_ok chaos_store_exactly_once_gaps_recorded "$(head -c 1500 "$T_TMP/verify.json") $(tail -3 "$T_TMP/verify.err")"; fi
