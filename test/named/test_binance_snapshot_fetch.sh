#!/usr/bin/env bash
# test/named/test_binance_snapshot_fetch.sh - the requirement's named test
# "REST snapshot fetch returns <= 5000 levels per side with lastUpdateId",
# against mpsim (which holds 6500 levels per side, more than Binance serves).
# feedd fetches the snapshot through its REST code, asked over ctl.binance by
# the bookd stand-in (test/feedd/feedd_peer.c), and the answer is checked as
# it arrives on feed.binance:
#   - at most 5000 levels per side, and exactly 5000 (the venue has more);
#   - a lastUpdateId: positive, and between mpsim's own lastUpdateId just
#     before the request and just after the answer;
#   - a request for more than 5000 levels is capped at 5000.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../feedd/feedd_lib.sh"
for p in mpsim feedd test/feedd_peer; do
	[ -x "$BIN/$p" ] || { skip test_binance_snapshot_fetch "$BIN/$p not built"; exit 0; }
done

sim_start --seed 5 || { not_ok test_binance_snapshot_fetch "mpsim did not start"; exit 1; }
feedd_start binance --set feedd.binance.channels=depth ||
	{ not_ok test_binance_snapshot_fetch "feedd or its peer did not start"; exit 1; }
# mpsim's own lastUpdateId for BTCUSDT, straight from its REST endpoint
sim_last_id() {
	curl -sf -m 10 "http://127.0.0.1:$SIM_BN/api/v3/depth?symbol=BTCUSDT&limit=5" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["lastUpdateId"])'
}
# answered N: N requests answered and every chunk of the last answer arrived
answered() { st_ge ok "$1" && [ "$(st rest_nchunks)" -ge 1 ] && [ "$(st rest_chunks)" = "$(st rest_nchunks)" ]; }

# instrument 1 is binance BTC-USDT (the first of the default list)
fetch() {   # fetch DEPTH N: one request for DEPTH levels, the N-th answer
	local before after why=""
	before=$(sim_last_id)
	cmd chain 1 "$1" 1
	if ! wait_for 60 answered "$2"; then
		echo "no answer: ok=$(st ok) failed=$(st failed) last_fail_status=$(st last_fail_status)"
		return 1
	fi
	after=$(sim_last_id)
	local id bids asks inst
	id=$(st rest_last_id); bids=$(st rest_bids); asks=$(st rest_asks); inst=$(st rest_inst)
	[ "$inst" = 1 ] || why+=" instrument $inst, not 1;"
	[ "$bids" -le 5000 ] && [ "$asks" -le 5000 ] || why+=" more than 5000 levels: $bids/$asks;"
	[ "$bids" = 5000 ] && [ "$asks" = 5000 ] || why+=" not the 5000 the venue serves: $bids/$asks;"
	[ -n "$before" ] && [ -n "$after" ] && [ "$id" -gt 0 ] && [ "$id" -ge "$before" ] && [ "$id" -le "$after" ] ||
		why+=" lastUpdateId $id not within mpsim's $before..$after;"
	[ -z "$why" ] || { echo "depth $1:$why"; return 1; }
	echo "depth $1: $bids/$asks levels, lastUpdateId $id (mpsim $before..$after)"
}
if r1=$(fetch 5000 1) && r2=$(fetch 20000 2) && [ "$(st failed)" = 0 ] && [ "$(st bad)" = 0 ]; then
	echo "# $r1; $r2"
	ok test_binance_snapshot_fetch
else
	not_ok test_binance_snapshot_fetch "${r1:-} ${r2:-} failed=$(st failed) bad=$(st bad)"
fi
