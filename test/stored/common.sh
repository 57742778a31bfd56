# test/stored/common.sh - shared set-up of the stored shell tests: a config with
# private rings (/dev/shm/<prefix>, removed on exit) and data dir under $T_TMP.
# Source after test/lib.sh.
ST_PREFIX="mptest-stored-$$-$RANDOM"
ST_CONF="$T_TMP/mp.ini"
ST_STORE="$T_TMP/var/store"
cat >"$ST_CONF" <<EOC
[system]
ring_prefix = $ST_PREFIX
data_dir = $T_TMP/var
[ring.book.store]
capacity = 64MiB
[stored]
commit_interval = 500ms
EOC
st_cleanup() { t_cleanup; rm -rf "/dev/shm/${ST_PREFIX:?}"; }
trap st_cleanup EXIT

# st_start: start stored in the background (pid in ST_PID, log appended to $T_TMP/stored.log).
st_start() {
	bg "$BIN/stored" -c "$ST_CONF" "$@" 2>>"$T_TMP/stored.log"
	ST_PID=$T_LASTPID
}
# st_stop: SIGTERM stored and wait for it; its exit status in ST_RC (0 = clean,
# which under ASan also means no leak).
st_stop() { kill -TERM "$ST_PID" 2>/dev/null; wait "$ST_PID" 2>/dev/null; ST_RC=$?; }
# st_counts_match FEED_JSON: the store holds exactly the feeder's records (live check).
st_counts_match() {
	"$BIN/mpstore" verify -c "$ST_CONF" 2>/dev/null | python3 -c '
import json, sys
want = json.load(open(sys.argv[1]))
got = json.load(sys.stdin)
g = {(b["exchange"], b["symbol"]): b["records"] for b in got["books"]}
r = {b["exchange"]: b["raw_frames"] for b in got["raw"]}
ok = all(g.get((b["exchange"], b["symbol"])) == b["records"] for b in want["books"])
ok = ok and all(r.get(b["exchange"]) == b["records"] for b in want["raw"])
sys.exit(0 if ok else 1)' "$1"
}
