#!/usr/bin/env bash
# test/mpctl/mpctl_corrupt.sh - the audits see a book that went wrong without
# a sequence gap.  The whole system under mpctl against mpsim; mpsim's
# corrupt_level fault changes one level of the next depth increment while its
# own book, REST and books5 keep the true value.
#   - no fault: OKX books5 and REST window audits and the Binance deep
#     refreshes all agree (0 disagreements / discrepancies);
#   - OKX, rank 3: books5 disagrees (top5.disagree > 0);
#   - OKX, rank 50 (out of books5's reach): the REST window audit finds it;
#   - Binance, rank 50: the deep refresh's audit finds it (refresh_discrepancies).
# Each time: the event is in the store, the book resyncs, and afterwards the
# store's book equals /_sim/book (best 200 levels a side, market paused).
# A corrupted level heals when the simulator next changes it, which can happen
# before an audit looks: each fault is injected again (at most 8 times) until
# its audit sees one.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_system.sh"
PY=/usr/bin/python3

sys_require corrupt
sys_config 1
# one book a venue; audits often (Binance: 250 weight every ~5 s = 3,000 of
# the 4,800 a minute feedd allows itself)
cat >>"$CONF" <<EOF2
[instruments]
binance = BTC-USDT
okx = BTC-USDT
[bookd]
deep_refresh_interval = 5s
okx_audit_interval = 1s
EOF2
SYS_KEEP_LOGS=corrupt-system
if sys_start; then ok corrupt_start; else not_ok corrupt_start "$(mpctl status 2>&1)"; exit 1; fi

# book VENUE EXPR: EXPR true of /health's book b of VENUE BTC-USDT
book() {
	sys_health "
b = [x for x in d['books'] if x['exchange'] == '$1' and x['symbol'] == 'BTC-USDT'][0]
assert $2, b"
}
bval() { sys_health "
b = [x for x in d['books'] if x['exchange'] == '$1' and x['symbol'] == 'BTC-USDT'][0]
print($2)" 2>/dev/null; }
port_of() { [ "$1" = binance ] && echo "$SIM_B" || echo "$SIM_O"; }
sim() { curl -sf -m 5 -X POST "http://127.0.0.1:$(port_of "$1")/_sim/$2" >/dev/null; }
synced_exact() { book "$1" "b['synced'] and b['exact_levels']['bid'] >= 200 and b['exact_levels']['ask'] >= 200"; }

if wait_for 120 synced_exact binance && wait_for 60 synced_exact okx; then ok corrupt_books_synced
else not_ok corrupt_books_synced "$(sys_books_summary)"; exit 1; fi

# no fault: every audit agrees
if wait_for 60 book okx "b['top5']['agree'] >= 20 and b['window']['agree'] >= 3" &&
    wait_for 60 book binance "b.get('refreshes', 0) >= 2"; then
	if book okx "b['top5']['disagree'] == 0 and b['window']['discrepancies'] == 0" &&
	    book binance "b['refresh_discrepancies'] == 0"; then ok corrupt_none_all_agree
	else not_ok corrupt_none_all_agree "okx $(bval okx 'b["top5"], b["window"]') binance $(bval binance 'b.get("refresh_discrepancies")')"; fi
else not_ok corrupt_none_all_agree "audits did not run: okx $(bval okx 'b.get("top5"), b.get("window")') binance refreshes $(bval binance 'b.get("refreshes")')"; fi

# store_exact VENUE: market paused, the store's book reaches /_sim/book's id and equals it
store_exact() {
	"$BIN/mpstore" print -c "$CONF" --symbol BTC-USDT --exchange "$1" --types snapshot,delta --levels -1 2>/dev/null |
	    $PY "$MP_ROOT/test/mpctl/store_book.py" >"$T_TMP/store-$1.json" 2>/dev/null &&
	    $PY "$MP_ROOT/test/mpctl/book_exact.py" "$(port_of "$1")" "$1" BTC-USDT 200 "$T_TMP/store-$1.json" >"$T_TMP/exact-$1.txt"
}
events() {
	"$BIN/mpstore" print -c "$CONF" --symbol BTC-USDT --exchange "$1" --types event --levels 0 2>/dev/null | grep -c "\"$2\""
}

has_event() { [ "$(events "$1" "$2")" -gt 0 ]; }

# corrupt NAME VENUE RANK COUNTER EVENT: inject until COUNTER (a /health
# expression) moves, then check event, resync and exactness
corrupt() {
	local name=$1 v=$2 rank=$3 ctr=$4 ev=$5 before rs i found=
	before=$(bval "$v" "$ctr"); rs=$(bval "$v" "b['resyncs']")
	for i in 1 2 3 4 5 6 7 8; do
		curl -sf -m 5 -X POST "http://127.0.0.1:$(port_of "$v")/_sim/fault?kind=corrupt_level&venue=$v&symbol=BTC-USDT&n=$rank" >/dev/null
		if wait_for 20 book "$v" "$ctr > $before"; then found=$i; break; fi
	done
	if [ -n "$found" ]; then ok "${name}_detected (attempt $found)"
	else not_ok "${name}_detected" "$ctr stayed $before after 8 faults: $(bval "$v" b)"; return; fi
	if wait_for 30 has_event "$v" "$ev"; then ok "${name}_event"
	else not_ok "${name}_event" "no $ev event in the store"; fi
	if wait_for 60 book "$v" "b['resyncs'] > $rs and b['synced']"; then ok "${name}_resynced"
	else not_ok "${name}_resynced" "resyncs $(bval "$v" "b['resyncs']") (before $rs), synced $(bval "$v" "b['synced']")"; fi
	# the new sync is exact: pause the market, the store catches up and equals the simulator
	wait_for 60 synced_exact "$v"
	sim "$v" pause
	if wait_for 60 store_exact "$v"; then ok "${name}_exact_again"
	else not_ok "${name}_exact_again" "$(cat "$T_TMP/exact-$v.txt" 2>/dev/null)"; fi
	sim "$v" resume
}

corrupt corrupt_okx_books5 okx 3 "b['top5']['disagree']" top_mismatch
corrupt corrupt_okx_rest_window okx 50 "b['window']['discrepancies']" window_discrepancy
corrupt corrupt_binance_refresh binance 50 "b['refresh_discrepancies']" refresh_discrepancy

sys_stop && ok corrupt_stop || not_ok corrupt_stop
