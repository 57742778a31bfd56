#!/usr/bin/env bash
# test/mpctl/mpctl_replay.sh - real traffic through the whole system: mpsim
# --replay serves ../shared/data/binance-spot-ethusdt-20240808.cap.zst (its
# WebSocket frames at 40x the recorded pace, its REST snapshot) to feedd, and
# bookd, routerd and stored run on it under mpctl.  At the end the store's
# Binance ETH-USDT book (rebuilt by store_book.py from its last full snapshot
# and the deltas after it) equals the book mpreplay builds from the same file
# (through mpreplay --store and the same rebuild), at the last update id of
# the recording, and `mpstore verify` passes.  A missing recording fails.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_system.sh"
PY=/usr/bin/python3
rec=$MP_ROOT/../shared/data/binance-spot-ethusdt-20240808.cap.zst

sys_require replay
if [ ! -r "$rec" ]; then not_ok replay_recording "$rec missing (the real recordings live in ../shared/data/)"; exit 1; fi
last_u=$(zstd -dc "$rec" | grep -o '"depthUpdate".*' | tail -1 | grep -o '"u":[0-9]*' | cut -d: -f2)

# the reference: the recording through mpreplay into a store of its own
mkdir -p "$T_TMP/ref"
if zstd -dc "$rec" | "$BIN/mpreplay" --store "$T_TMP/ref" - >"$T_TMP/ref.json" 2>"$T_TMP/ref.err" &&
    "$BIN/mpstore" print --dir "$T_TMP/ref" --symbol ETH-USDT --types snapshot,delta --levels -1 |
    $PY "$MP_ROOT/test/mpctl/store_book.py" >"$T_TMP/ref_book.json"; then ok replay_reference
else not_ok replay_reference "$(tail -3 "$T_TMP/ref.err")"; exit 1; fi

SYS_SIM_EXTRA="--replay $rec --speed 40"
sys_config 1
cat >>"$CONF" <<EOF2
[instruments]
binance = ETH-USDT
okx = BTC-USDT
EOF2
SYS_KEEP_LOGS=replay-system
if sys_start; then ok replay_start; else not_ok replay_start "$(mpctl status 2>&1)"; exit 1; fi

sim_stats() { curl -sf "http://127.0.0.1:$SIM_B/_sim/stats"; }
replay_done() { sim_stats | $PY -c 'import json, sys; sys.exit(0 if json.load(sys.stdin)["replay"]["done"] else 1)'; }
# the recording lasts about 6 minutes: 9 s at 40x
if wait_for 120 replay_done; then ok replay_sent_everything; else not_ok replay_sent_everything "$(sim_stats)"; fi

# bookd applied the recording's last update and stored has it: the store's
# rebuilt book reaches the last update id
store_book() {
	"$BIN/mpstore" print -c "$CONF" --symbol ETH-USDT --exchange binance --types snapshot,delta --levels -1 |
	    $PY "$MP_ROOT/test/mpctl/store_book.py" >"$T_TMP/live_book.json" &&
	    $PY -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))["last_id"] == int(sys.argv[2]) else 1)' \
	    "$T_TMP/live_book.json" "$last_u"
}
if wait_for 60 store_book; then ok replay_store_at_last_update
else not_ok replay_store_at_last_update "$(head -c 300 "$T_TMP/live_book.json" 2>&1)"; fi
# not one of the recording's updates lost on the way (by the venue's ids).
# (Once the recording is over the venue is silent: feedd's watchdog then
# reconnects and the book resyncs without ever syncing again - no gap.)
if sys_health '
b = [x for x in d["books"] if x["exchange"] == "binance" and x["symbol"] == "ETH-USDT"][0]
assert b["gaps"] == 0 and b["loss"]["missing"] == 0 and b["loss"]["received"] > 0, b'; then ok replay_no_loss
else not_ok replay_no_loss "$(sys_health 'print([x for x in d["books"] if x["exchange"] == "binance"])' 2>&1 | head -c 600)"; fi
sys_stop

if $PY - "$T_TMP/ref_book.json" "$T_TMP/live_book.json" <<'EOF2'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert (a["n_bids"], a["n_asks"]) == (1195, 1158), (a["n_bids"], a["n_asks"])   # the data README's answer
for k in ("last_id", "n_bids", "n_asks", "bids", "asks"):
    assert a[k] == b[k], (k, str(a[k])[:200], str(b[k])[:200])
EOF2
then ok replay_book_equals_mpreplay; else not_ok replay_book_equals_mpreplay "books differ"; fi

"$BIN/mpstore" verify -c "$CONF" >"$T_TMP/verify.json" 2>&1
if [ $? -eq 0 ]; then ok replay_store_verifies; else not_ok replay_store_verifies "$(head -c 400 "$T_TMP/verify.json")"; fi
