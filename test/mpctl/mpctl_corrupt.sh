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
# sys_corrupt (lib_system.sh) injects each fault again (at most 8 times)
# until its audit sees one: a corrupted level heals when the simulator next
# changes it, which can happen before an audit looks.
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

sys_corrupt corrupt_okx_books5 "$SIM_O" okx BTC-USDT 3 "b['top5']['disagree']" top_mismatch 200
sys_corrupt corrupt_okx_rest_window "$SIM_O" okx BTC-USDT 50 "b['window']['discrepancies']" window_discrepancy 200
sys_corrupt corrupt_binance_refresh "$SIM_B" binance BTC-USDT 50 "b['refresh_discrepancies']" refresh_discrepancy 200

sys_stop && ok corrupt_stop || not_ok corrupt_stop
