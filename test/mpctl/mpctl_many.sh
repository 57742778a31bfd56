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
# no book had a gap; one link dropped by mpsim resyncs its books and no others.  Conditions only: every wait is bounded by wait_for.
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

# One link lost: only its books resync.  GEN1-USDT is Binance instrument 31,
# on the 4th link with instruments 31-40 (mpsim closes the WebSockets
# subscribed to it: that link only).
counts() {
	sys_health 'print(json.dumps({"%s %s" % (b["exchange"], b["symbol"]): [b["resyncs"], b.get("syncs", 0)] for b in d["books"]}))'
}
before=$(counts)
link4=$(echo "$syms" | cut -d, -f31-40)
curl -sf -X POST "http://127.0.0.1:$SIM_B/_sim/fault?kind=disconnect&venue=binance&symbol=GEN1-USDT" >/dev/null
resynced() {
	sys_health '
b = json.loads(sys.argv[1])
now = {"%s %s" % (x["exchange"], x["symbol"]): ([x["resyncs"], x.get("syncs", 0)], x["synced"]) for x in d["books"]}
assert all(s for _, s in now.values())
assert now["binance GEN1-USDT"][0] != b["binance GEN1-USDT"]' "$before"
}
if wait_for 60 resynced; then ok many_link_lost_book_resynced
else not_ok many_link_lost_book_resynced "$(sys_books_summary | grep -o 'binance GEN1-USDT[^;]*')"; fi
if sys_health '
b = json.loads(sys.argv[1])
link = set("binance " + s for s in sys.argv[2].split(","))
changed = set(k for k, v in ((x["exchange"] + " " + x["symbol"], [x["resyncs"], x.get("syncs", 0)]) for x in d["books"]) if v != b[k])
assert changed and changed <= link, sorted(changed - link)' "$before" "$link4"
then ok many_only_that_links_books_resynced
else not_ok many_only_that_links_books_resynced "$(sys_health '
b = json.loads(sys.argv[1])
print(sorted(k for k, v in ((x["exchange"] + " " + x["symbol"], [x["resyncs"], x.get("syncs", 0)]) for x in d["books"]) if v != b[k]))' "$before" 2>&1 | head -c 400)"; fi
sys_stop
