#!/usr/bin/env bash
# okx_legacy.sh - mpsim --okx-legacy-format (OKX books as in 2021-2022: the
# real CRC32, no seqId/prevSeqId) through feedd, whose capture is replayed by
# mpreplay (feedd's parser and bookd's book code): every books frame's
# checksum is verified (checksum_ok == frames, none failed, no gap), and once
# the market is paused the replayed books equal mpsim's own top 400
# (GET /_sim/book).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../feedd/feedd_lib.sh"
cd "$MP_ROOT" || exit 2

for p in mpsim feedd mpreplay test/feedd_peer; do
	if [ ! -x "$BIN/$p" ]; then not_ok okx_legacy "$BIN/$p not built"; exit 0; fi
done

sim_start --seed 21 --rate 5 --timer-rate 1 --okx-legacy-format ||
	{ not_ok okx_legacy_sim_start "mpsim did not start"; exit 1; }
feedd_start okx --set feedd.okx.deep_interval=0 --set feedd.okx.channels=depth ||
	{ not_ok okx_legacy_feedd_start "feedd or its peer did not start"; exit 1; }

updates() { grep -c '"channel":"books".*"action":"update"' "$F_CAP" 2>/dev/null || echo 0; }
updates_ge() { [ "$(updates)" -ge "$1" ]; }
if wait_for 60 updates_ge 300; then ok okx_legacy_updates_captured
else not_ok okx_legacy_updates_captured "$(updates) updates in $F_CAP"; fi

# the frames really are the legacy format: a checksum, and no id keys
if grep '"channel":"books"' "$F_CAP" | grep -q 'SeqId'; then not_ok okx_legacy_no_seqid "a books frame has a seqId"
elif ! grep '"channel":"books"' "$F_CAP" | grep -q '"checksum":-\?[1-9]'; then not_ok okx_legacy_no_seqid "no non-zero checksum"
else ok okx_legacy_no_seqid; fi

curl -s -X POST "http://127.0.0.1:$SIM_OKX/_sim/pause" >/dev/null
for s in BTC-USDT ETH-USDT; do
	curl -s "http://127.0.0.1:$SIM_OKX/_sim/book?venue=okx&symbol=$s&depth=400" >"$T_TMP/sim-$s.json"
done

# replay_agrees: the capture so far, replayed, ends equal to mpsim's books
# (feedd may still be writing the last frames sent before the pause)
replay_agrees() {
	"$BIN/mpreplay" -c "$F_CONF" --set instruments.binance= --set instruments.okx=BTC-USDT,ETH-USDT \
		--levels 400 "$F_CAP" >"$T_TMP/replay.json" 2>"$T_TMP/replay.err" || return 1
	python3 - "$T_TMP/replay.json" "$F_CAP" "$T_TMP" >"$T_TMP/agree.txt" <<'PY'
import json, sys
books = {o["symbol"]: o for o in map(json.loads, open(sys.argv[1])) if "symbol" in o}
frames = {}
for line in open(sys.argv[2]):
    parts = line.split(" ", 3)
    if len(parts) == 4 and parts[2] == "ws" and '"channel":"books"' in parts[3] and '"action"' in parts[3]:
        inst = json.loads(parts[3])["arg"]["instId"]
        frames[inst] = frames.get(inst, 0) + 1
bad = []
for s in ("BTC-USDT", "ETH-USDT"):
    b, sim = books.get(s, {}), json.load(open("%s/sim-%s.json" % (sys.argv[3], s)))
    got = (b.get("checksum_ok"), b.get("checksum_failed"), b.get("gaps"), b.get("synced"))
    if got != (frames.get(s), 0, 0, True):
        bad.append("%s: checksum_ok/failed, gaps, synced %r, books frames %r" % (s, got, frames.get(s)))
    if b.get("bids") != sim["bids"] or b.get("asks") != sim["asks"]:
        bad.append("%s: replayed book differs from /_sim/book" % s)
print("; ".join(bad) or "agree: %r" % frames)
sys.exit(1 if bad else 0)
PY
}
if wait_for 30 replay_agrees; then ok okx_legacy_every_checksum_verified_books_equal_sim
else not_ok okx_legacy_every_checksum_verified_books_equal_sim "$(cat "$T_TMP/agree.txt") $(head -2 "$T_TMP/replay.err")"; fi
