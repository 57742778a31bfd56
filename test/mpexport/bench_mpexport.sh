#!/usr/bin/env bash
# bench_mpexport.sh - mpexport throughput (updates/s) against the plain store
# read of the same store, on a generated book of 2000 levels per side.
: "${BIN:=bin}"
cd "${MP_ROOT:-$(dirname "$0")/../..}" || exit 2
tmp=$(mktemp -d /tmp/mpxbench.XXXXXX)
trap 'rm -rf "${tmp:?}"' EXIT
F0=1763596800000000000
"$BIN/test/mpexport_gen" --root "$tmp/store" --dump "$tmp/dump.txt" --updates 50000 --step-ms 100 \
	--depth 2000 --full-every 600 --topn-every 10 >/dev/null || exit 1
"$BIN/test/bench_mpexport" "$tmp/store" $F0 $((F0 + 86400 * 1000000000)) "$tmp/out"
