#!/usr/bin/env bash
# More lost than the ring holds: with routerd stopped, the producer overruns
# book.router (policy drop); the next record it writes is preceded by a gap
# frame, and routerd publishes a ring_loss event on orderbook.event.all.all
# carrying the exact number of records lost.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/nats_lib.sh"

nats_start
rt_conf "[ring.book.router]" "capacity = 256KiB"
"$BIN/test/routerd_feeder" -c "$RT_CONF" --deltas 400 --depth 100 --allow-drop --seed 3 \
	>"$T_TMP/feed1.json" 2>"$T_TMP/feeder.log" || { not_ok feeder "$(tail -2 "$T_TMP/feeder.log")"; exit 1; }
dropped=$(python3 -c "import json; print(json.load(open('$T_TMP/feed1.json'))['dropped'])")
check producer_overran_ring [ "$dropped" -gt 0 ]
routerd_start
# the next write after room was made carries the gap frame
"$BIN/test/routerd_feeder" -c "$RT_CONF" --deltas 5 --depth 100 --start-id 50000000 --seed 4 \
	>"$T_TMP/feed2.json" 2>>"$T_TMP/feeder.log"
lost_event() {
	"$BIN/mpsub" -c "$RT_CONF" --durable gapcheck --subjects event --until-caught-up --seconds 10 --cleanup \
		--dump "$T_TMP/events.txt" >/dev/null 2>&1
	python3 - "$T_TMP/events.txt" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    s, _, b = line.partition("\t")
    m = json.loads(b)
    if s == "orderbook.event.all.all" and m["event"] == "ring_loss":
        print(m["lost_records"], m["b"])
EOF
}
got=""
for _ in $(seq 1 100); do
	got=$(lost_event)
	[ -n "$got" ] && break
	sleep 0.2
done
check ring_loss_event_exact_count [ "$got" = "$dropped $dropped" ]
check ring_loss_counted_and_logged grep -q "msg=\"book.router lost records.*count=$dropped\$" "$T_TMP/routerd.log"
rt_finish
