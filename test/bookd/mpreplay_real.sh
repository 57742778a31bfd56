#!/usr/bin/env bash
# mpreplay_real.sh - bin/mpreplay on the two real Binance recordings in
# ../shared/data/ (read at run time, never copied into the tree):
#  * the data README's independent known answers (spot: 3,432 updates, 0 gaps,
#    577 bookTicker agree / 0 disagree, 1,195 bids and 1,158 asks at the end;
#    futures: the chain unbroken, 0 gaps);
#  * every delta and snapshot the books emit is what the previous engine
#    emitted (test/bookd/real_replay_kat.txt, digest by book_digest.py), with
#    the old engine's top-N depth (snapshot_levels 20; the default is 100 now).
# A missing recording is a failure, not a skip.
. "$(dirname "$0")/../lib.sh"
cd "$MP_ROOT" || exit 2
PY=/usr/bin/python3
data=$MP_ROOT/../shared/data

# summary FILE KEY: a key of the book's JSON summary line
summary() {
	$PY -c '
import json, sys
for l in open(sys.argv[1]):
    if l.startswith("{\"exchange\""):
        print(json.dumps(json.loads(l).get(sys.argv[2])))' "$1" "$2"
}
# expect NAME FILE KEY VALUE
expect() {
	local got; got=$(summary "$2" "$3")
	if [ "$got" = "$4" ]; then ok "$1"; else not_ok "$1" "$3: got $got want $4"; fi
}

for rec in binance-spot-ethusdt-20240808.cap.zst binance-usdm-ethusdt-20240808.cap.zst; do
	tag=$(echo "$rec" | cut -d- -f2)           # spot / usdm
	if [ ! -r "$data/$rec" ]; then
		not_ok "real_${tag}_replay" "$data/$rec missing (the real recordings live in ../shared/data/)"
		continue
	fi
	out=$T_TMP/$tag.json
	if [ "$tag" = usdm ]; then
		zstd -dc "$data/$rec" | $PY test/bookd/usdm_as_spot.py |
			"$BIN/mpreplay" --set bookd.snapshot_levels=20 --records - >"$out" 2>"$T_TMP/$tag.err"
	else
		zstd -dc "$data/$rec" | "$BIN/mpreplay" --set bookd.snapshot_levels=20 --records - >"$out" 2>"$T_TMP/$tag.err"
	fi
	rc=$?
	if [ $rc -eq 0 ] && grep -q '^{"exchange"' "$out"; then ok "real_${tag}_replay"; else
		not_ok "real_${tag}_replay" "exit $rc: $(tail -2 "$T_TMP/$tag.err")"; continue; fi
	expect "real_${tag}_gaps" "$out" gaps 0
	expect "real_${tag}_synced" "$out" synced true
	expect "real_${tag}_resyncs" "$out" resyncs 0
	if [ "$tag" = spot ]; then
		expect real_spot_applied "$out" applied 3432
		expect real_spot_bbo_agree "$out" bbo_agree 577
		expect real_spot_bbo_disagree "$out" bbo_disagree 0
		expect real_spot_levels_bid "$out" levels_bid 1195
		expect real_spot_levels_ask "$out" levels_ask 1158
	fi
	want=$(grep "^$rec " test/bookd/real_replay_kat.txt | cut -d' ' -f2-)
	got=$($PY test/bookd/book_digest.py <"$out")
	if [ -n "$want" ] && [ "$got" = "$want" ]; then ok "real_${tag}_same_records_as_old_engine"; else
		not_ok "real_${tag}_same_records_as_old_engine" "got '$got' want '$want'"; fi
done
