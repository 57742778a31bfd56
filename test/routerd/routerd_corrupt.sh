#!/usr/bin/env bash
# routerd_corrupt.sh - issue 14.3: random bytes in the unread part of
# book.router.  routerd used to exit on the corrupt frame, be restarted into
# it 5 times and be marked failed.  Now it logs the frame, resynchronises
# past it, publishes a ring_loss event with exactly the records lost (the
# ring's own count), keeps routing what follows, and `mpring stat` shows the
# position the log names.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/nats_lib.sh"

nats_start
rt_conf
RING="/dev/shm/$RT_PREFIX/book.router"
"$BIN/test/routerd_feeder" -c "$RT_CONF" --deltas 400 --depth 100 --seed 5 \
	>"$T_TMP/feed1.json" 2>"$T_TMP/feeder.log" || { not_ok feeder "$(tail -2 "$T_TMP/feeder.log")"; exit 1; }
"$MP_ROOT/test/ring/damage.py" "$RING" 4096 >"$T_TMP/damage.txt" || { not_ok damage "$(cat "$T_TMP/damage.txt")"; exit 1; }
"$BIN/mpring" stat --interval 0 --json "$RING" >"$T_TMP/stat_before.json"
routerd_start
if wait_for 30 grep -q 'msg="ring resynchronised' "$T_TMP/routerd.log"; then ok routerd_resynchronised
else not_ok routerd_resynchronised "$(tail -3 "$T_TMP/routerd.log")"; fi
# Records written after the damage are routed as usual.
"$BIN/test/routerd_feeder" -c "$RT_CONF" --deltas 5 --depth 100 --start-id 50000000 --seed 6 \
	>"$T_TMP/feed2.json" 2>>"$T_TMP/feeder.log"
drained() { "$BIN/mpring" stat --interval 0 --json "$RING" | /usr/bin/python3 -c '
import json, sys; s = json.load(sys.stdin); sys.exit(0 if s["head"] == s["tail"] and s["corrupt"] >= 1 else 1)'; }
if wait_for 60 drained; then ok ring_drained_after_acks; else not_ok ring_drained_after_acks "head != tail after 60 s"; fi
check routerd_still_running kill -0 "$ROUTERD_PID"
"$BIN/mpring" stat --interval 0 --json "$RING" >"$T_TMP/stat_after.json"
"$BIN/mpsub" -c "$RT_CONF" --durable corruptcheck --subjects event --until-caught-up --seconds 20 --cleanup \
	--dump "$T_TMP/events.txt" >/dev/null 2>&1
/usr/bin/python3 - "$T_TMP/stat_before.json" "$T_TMP/stat_after.json" "$T_TMP/events.txt" "$T_TMP/routerd.log" <<'PY'
import json, re, sys
before = json.load(open(sys.argv[1])); after = json.load(open(sys.argv[2]))
def res(name, cond, why):
    print(("ok %s" % name) if cond else ("not ok %s - %s" % (name, why)))
lost = after["corrupt_lost"]
print("# corrupt %s at %s: %s bytes skipped, %s records lost" % (after["corrupt"], after["corrupt_pos"], after["corrupt_bytes"], lost))
res("stat_named_it_first", before["frames"]["state"] == "corrupt", before["frames"])
res("corruption_counted", after["corrupt"] == 1 and after["corrupt_pos"] == before["frames"]["pos"] and lost > 0,
    "corrupt %s at %s (stat said %s), lost %s" % (after["corrupt"], after["corrupt_pos"], before["frames"]["pos"], lost))
log = open(sys.argv[4]).read()
m = re.search(r'msg="corrupt ring frame[^\n]* pos=(\d+) ', log)
res("log_points_where_stat_did", m is not None and int(m.group(1)) == before["frames"]["pos"], m and m.group(0))
ev = []
for line in open(sys.argv[3]):
    s, _, b = line.partition("\t")
    e = json.loads(b)
    if s == "orderbook.event.all.all" and e["event"] == "ring_loss":
        ev.append(e["lost_records"])
res("ring_loss_event_exact", ev == [lost], "events %s, ring lost %s" % (ev, lost))
PY
check no_restart_needed test "$(grep -c 'msg="routing"' "$T_TMP/routerd.log")" = 1
rt_finish
