#!/usr/bin/env bash
# make bench: the cost of [ml] ml_features in routerd (bench_mlfeat.c).
: "${BIN:=bin}"
cd "${MP_ROOT:-$(dirname "$0")/../..}" || exit 2
"$BIN/test/bench_mlfeat" "${BENCH_MLFEAT_ITERS:-200}"
