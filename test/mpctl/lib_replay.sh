# test/mpctl/lib_replay.sh - a real recording through the whole system: mpsim
# --replay serves it (its WebSocket frames at 40x the recorded pace, its REST
# snapshot) to feedd, and bookd, routerd and stored run on it under mpctl.  At
# the end the store's book of the recorded instrument (rebuilt by
# store_book.py from its last full snapshot and the deltas after it) equals
# the book mpreplay builds from the same file (through mpreplay --store and
# the same rebuild), at the last update id of the recording, no update is
# lost by the venue's ids, and `mpstore verify` passes.  A missing recording
# fails.  Source after lib.sh and lib_system.sh, set, then call replay_system:
#   RP_NAME    case-name prefix (replay, replay_usdm)
#   RP_REC     the recording (../shared/data/...)
#   RP_EX      the exchange as the project names it (binance, binance-usdm)
#   RP_SYM     the canonical symbol (ETH-USDT, ETH-USDT-SWAP)
#   RP_SIM     more mpsim arguments (the venue's port)
#   RP_CONF    more config text ([instruments], the feedd section)
#   RP_COUNTS  "BIDS ASKS": the reference book's level counts, a known answer
PY=/usr/bin/python3

replay_system() {
	local last_u
	sys_require "$RP_NAME"
	if [ ! -r "$RP_REC" ]; then not_ok "${RP_NAME}_recording" "$RP_REC missing (the real recordings live in ../shared/data/)"; exit 1; fi
	last_u=$(zstd -dc "$RP_REC" | grep -o '"depthUpdate".*' | tail -1 | grep -o '"u":[0-9]*' | cut -d: -f2)

	# the reference: the recording through mpreplay into a store of its own
	mkdir -p "$T_TMP/ref"
	if zstd -dc "$RP_REC" | "$BIN/mpreplay" --store "$T_TMP/ref" - >"$T_TMP/ref.json" 2>"$T_TMP/ref.err" &&
	    "$BIN/mpstore" print --dir "$T_TMP/ref" --symbol "$RP_SYM" --types snapshot,delta --levels -1 |
	    $PY "$MP_ROOT/test/mpctl/store_book.py" >"$T_TMP/ref_book.json"; then ok "${RP_NAME}_reference"
	else not_ok "${RP_NAME}_reference" "$(tail -3 "$T_TMP/ref.err")"; exit 1; fi

	SYS_SIM_EXTRA="--replay $RP_REC --speed 40 $RP_SIM"
	sys_config 1
	printf '%s\n' "$RP_CONF" >>"$CONF"
	SYS_KEEP_LOGS=$RP_NAME-system
	if sys_start; then ok "${RP_NAME}_start"; else not_ok "${RP_NAME}_start" "$(mpctl status 2>&1)"; exit 1; fi

	# the recordings last about 6 minutes: 9 s at 40x
	if wait_for 120 rp_done; then ok "${RP_NAME}_sent_everything"; else not_ok "${RP_NAME}_sent_everything" "$(rp_stats)"; fi

	# bookd applied the recording's last update and stored has it: the store's
	# rebuilt book reaches the last update id
	if wait_for 60 rp_store_book "$last_u"; then ok "${RP_NAME}_store_at_last_update"
	else not_ok "${RP_NAME}_store_at_last_update" "$(head -c 300 "$T_TMP/live_book.json" 2>&1)"; fi
	# not one of the recording's updates lost on the way (by the venue's ids).
	# (Once the recording is over the venue is silent: feedd's watchdog then
	# reconnects and the book resyncs without ever syncing again - no gap.)
	if sys_health "
b = [x for x in d['books'] if x['exchange'] == '$RP_EX' and x['symbol'] == '$RP_SYM'][0]
assert b['gaps'] == 0 and b['loss']['missing'] == 0 and b['loss']['received'] > 0, b"; then ok "${RP_NAME}_no_loss"
	else not_ok "${RP_NAME}_no_loss" "$(sys_health "print([x for x in d['books'] if x['exchange'] == '$RP_EX'])" 2>&1 | head -c 600)"; fi
	sys_stop

	if $PY - "$T_TMP/ref_book.json" "$T_TMP/live_book.json" "$T_TMP/ref.json" "$RP_COUNTS" <<'EOF2'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
ref = [json.loads(l) for l in open(sys.argv[3]) if l.startswith("{")]
assert len(ref) == 1 and ref[0]["gaps"] == 0 and ref[0]["updates_missing"] == 0, ref   # the data README: 0 gaps
want = tuple(int(x) for x in sys.argv[4].split())
assert (a["n_bids"], a["n_asks"]) == want, ((a["n_bids"], a["n_asks"]), want)
for k in ("last_id", "n_bids", "n_asks", "bids", "asks"):
    assert a[k] == b[k], (k, str(a[k])[:200], str(b[k])[:200])
EOF2
	then ok "${RP_NAME}_book_equals_mpreplay"; else not_ok "${RP_NAME}_book_equals_mpreplay" "books differ"; fi

	"$BIN/mpstore" verify -c "$CONF" >"$T_TMP/verify.json" 2>&1
	if [ $? -eq 0 ]; then ok "${RP_NAME}_store_verifies"; else not_ok "${RP_NAME}_store_verifies" "$(head -c 400 "$T_TMP/verify.json")"; fi
}

# mpsim's replay stats; done = every frame due has been sent
rp_stats() { curl -sf "http://127.0.0.1:$SIM_B/_sim/stats"; }
rp_done() { rp_stats | $PY -c 'import json, sys; sys.exit(0 if json.load(sys.stdin)["replay"]["done"] else 1)'; }
# rp_store_book LAST_U: the store's rebuilt book (in live_book.json) is at LAST_U
rp_store_book() {
	"$BIN/mpstore" print -c "$CONF" --symbol "$RP_SYM" --exchange "$RP_EX" --types snapshot,delta --levels -1 |
	    $PY "$MP_ROOT/test/mpctl/store_book.py" >"$T_TMP/live_book.json" &&
	    $PY -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))["last_id"] == int(sys.argv[2]) else 1)' \
	    "$T_TMP/live_book.json" "$1"
}
