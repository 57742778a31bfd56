#!/usr/bin/env bash
# test/mpctl/mpctl_many.sh - more books than the old fixed 64-instrument
# tables held: 45 Binance + 45 OKX instruments (90 books) through the whole
# system under mpctl against mpsim, with [system] max_instruments = 200.
# The two instrument lists are one config line each (~500 characters, past
# inih's 200-byte line), and a small [feedd.binance] streams_per_link (40:
# 10 instruments of 4 streams) makes feedd spread Binance over 5 links.
# Books sync from 1000-level Binance snapshots (the weight budget takes 45
# at once; 5000-level ones would take minutes).
# Checks: every book in /health and synced; feedd.binance has 5 links up;
# no book had a gap.  Conditions only: every wait is bounded by wait_for.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_system.sh"
. "$(dirname "$0")/lib_books60.sh"

N=45
sys_require many
SYS_KEEP_LOGS=many-system
# the 30 names of lib_books60.sh and 15 generic ones (mpsim gives a symbol it
# does not know generic parameters)
syms="$B60_SYMS"
for i in $(seq 1 $((N - 30))); do syms="$syms,GEN$i-USDT"; done
sys_config 1
cat >>"$CONF" <<EOF
[instruments]
binance = $(echo "$syms" | sed 's/,/, /g')
okx = $(echo "$syms" | sed 's/,/, /g')
EOF
if [ "$(grep -c '' <<<"$(grep '^binance = ' "$CONF")")" = 1 ] && [ "$(grep '^binance = ' "$CONF" | wc -c)" -gt 300 ]
then ok many_config_long_line; else not_ok many_config_long_line "the list is not one long line"; fi
# 1000-level snapshots (weight 50): 45 of them fit the request-weight budget at once
SYS_SET=(--set system.max_instruments=200 --set feedd.binance.streams_per_link=40
    --set bookd.binance_snapshot_depth=1000
    --set "mpctl.sim_args=--binance-port $SIM_B --okx-port $SIM_O --rate 1 --seed 3 --symbols $syms")
if sys_start; then ok many_start
else not_ok many_start "$(tail -3 "$SYS_LOG")"; exit 1; fi

many_synced() {
	sys_health "
b = d['books']
assert len(b) == 2 * $N, len(b)
assert all(x['synced'] for x in b)"
}
if wait_for 60 many_synced; then ok many_all_synced
else not_ok many_all_synced "$(sys_books_summary | grep -o '[a-z]* [A-Z0-9-]* synced=False' | head -5)"; exit 1; fi

links_up() {
	curl -sf "http://127.0.0.1:$HTTP_PORT/metrics" | grep '^mp_feed_links_up{exchange="binance"' | awk '{print $2}'
}
# ceil(45 / 10) = 5 links, all up
if wait_for 30 bash -c "[ \"\$(curl -sf http://127.0.0.1:$HTTP_PORT/metrics | grep '^mp_feed_links_up{exchange=\"binance\"' | awk '{print \$2}')\" = 5 ]"
then ok many_binance_links; else not_ok many_binance_links "links up: $(links_up)"; fi
if grep -q 'links=5' "$SYS_DATA"/logs/feedd-binance*.log 2>/dev/null || grep -rqs 'links=5' "$SYS_DATA"; then
	ok many_feedd_started_5_links
else not_ok many_feedd_started_5_links "no 'links=5' in feedd's log"; fi
if sys_health 'assert sorted(set((b["exchange"], b["symbol"]) for b in d["books"])) == sorted((e, s) for e in ("binance", "okx") for s in sys.argv[1].split(","))' "$syms"
then ok many_health_lists_all; else not_ok many_health_lists_all "$(sys_health 'print(len(d["books"]))' 2>&1)"; fi
if sys_health 'assert all(b["gaps"] == 0 for b in d["books"]), [(b["exchange"], b["symbol"]) for b in d["books"] if b["gaps"]]'
then ok many_no_gaps; else not_ok many_no_gaps "$(sys_books_summary | grep -o '[a-z]* [A-Z0-9-]* [^;]*gaps=[1-9][^;]*' | head -5)"; fi
sys_stop
