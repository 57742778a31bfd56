#!/usr/bin/env bash
# refresh_real.sh - the Binance deep refresh spliced into the real spot
# recording (../shared/data/, read at run time, never copied into the tree):
# refreshes built by an independent rebuild (test/bookd/refresh_real.py) at
# chosen update ids, some ahead of the stream, some overtaken by later
# updates; the final book, exact floor and ceiling equal the rebuild's, 0
# discrepancies; one wrong level gives exactly one.  A missing recording is a
# failure, not a skip.
. "$(dirname "$0")/../lib.sh"
cd "$MP_ROOT" || exit 2
rec=$MP_ROOT/../shared/data/binance-spot-ethusdt-20240808.cap.zst
if [ ! -r "$rec" ]; then
	not_ok refresh_real "$rec missing (the real recordings live in ../shared/data/)"
	exit 0
fi
zstd -dc "$rec" >"$T_TMP/spot.cap" || { not_ok refresh_real "cannot decompress $rec"; exit 0; }
/usr/bin/python3 test/bookd/refresh_real.py "$BIN/mpreplay" "$T_TMP/spot.cap" "$T_TMP"
