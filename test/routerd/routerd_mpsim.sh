#!/usr/bin/env bash
# The whole pipeline against the simulator: mpctl starts mpsim, nats-server,
# stored, routerd, bookd and feedd (conf/demo.ini on private ports and rings);
# all four of the requirement's streams fill, and mpsub rebuilds the four
# 5000-level books from orderbook.full + orderbook.delta gap-free, each
# rebuilt book equal to the following full books.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/nats_lib.sh"

for p in mpctl mpsim feedd bookd stored routerd mpsub; do
	[ -x "$BIN/$p" ] || { skip mpsim_end_to_end "$BIN/$p not built"; exit 0; }
done
P1=$(free_port); P2=$(free_port); NATS_PORT=$(free_port)
NATS_URL="nats://127.0.0.1:$NATS_PORT"
rt_conf
CONF="$T_TMP/demo.ini"
sed -e "s/^ring_prefix =.*/ring_prefix = $RT_PREFIX/" -e "s#^data_dir = .*#data_dir = $T_TMP/var#" \
	-e "s/18001/$P1/g" -e "s/18002/$P2/g" -e "s#^url = nats://.*#url = $NATS_URL#" \
	-e "s/^http_port = .*/http_port = 0/" -e "s/^full_interval = .*/full_interval = 4s/" \
	"$MP_ROOT/conf/demo.ini" >"$CONF"
RT_CONF=$CONF
trap '"$BIN/mpctl" -c "$CONF" stop >/dev/null 2>&1; rm -rf "/dev/shm/${RT_PREFIX:?}"; t_cleanup' EXIT
if ! "$BIN/mpctl" -c "$CONF" --set mpctl.bin_dir="$MP_ROOT/$BIN" start -d >"$T_TMP/mpctl.log" 2>&1; then
	not_ok mpsim_end_to_end "mpctl start failed: $(tail -3 "$T_TMP/mpctl.log")"
	exit 0
fi
full_at_least() {
	local n
	n=$(stream_msgs ORDERBOOK_FULL)
	[ -n "$n" ] && [ "$n" -ge "$1" ]
}
# three full books per book: the sync one and two periodic ones
if ! wait_for 90 full_at_least 12; then
	not_ok mpsim_end_to_end "no full books: $("$BIN/mpctl" -c "$CONF" status 2>&1 | head -12)"
	exit 0
fi
"$BIN/mpsub" -c "$CONF" --streams >"$T_TMP/streams.json"
check four_streams_filled python3 - "$T_TMP/streams.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))["streams"]
sys.exit(0 if all(s[n]["messages"] > 0 for n in
                  ("ORDERBOOK_FULL", "ORDERBOOK_DELTA", "MARKET_TRADES", "MARKET_DATA")) else 1)
EOF
"$BIN/mpsub" -c "$CONF" --durable e2e --seconds 6 --dump "$T_TMP/dump.txt" >"$T_TMP/summary.json" 2>"$T_TMP/mpsub.log" ||
	not_ok mpsub_exit "$(tail -2 "$T_TMP/mpsub.log")"
if python3 - "$T_TMP/summary.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
books = {(b["exchange"], b["symbol"]): b for b in s["books"]}
ok = s["gaps"] == 0 and s["mismatches"] == 0 and s["duplicates"] == 0 and s["bad_messages"] == 0
ok &= len(books) == 4 and all(b["synced"] and b["verified"] >= 1 and b["applied"] > 0 and
                             b["levels_bid"] >= 1000 for b in books.values())
sys.exit(0 if ok else 1)
EOF
then ok mpsim_books_rebuilt_gap_free; else not_ok mpsim_books_rebuilt_gap_free "$(head -c 700 "$T_TMP/summary.json")"; fi
if python3 -c 'import jsonschema' 2>/dev/null; then
	if r=$(python3 "$RT_DIR/check.py" validate "$T_TMP/dump.txt"); then ok mpsim_messages_match_schema
	else not_ok mpsim_messages_match_schema "$r"; fi
fi
check routerd_no_errors bash -c "! grep -E ' (WARN|ERROR) ' '$T_TMP/var/log/routerd.log' | grep -v 'nats disconnected\|connection closed'"
"$BIN/mpctl" -c "$CONF" stop >/dev/null 2>&1
check routerd_clean_exit bash -c "! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' '$T_TMP/var/log/routerd.log' '$T_TMP/mpsub.log'"
