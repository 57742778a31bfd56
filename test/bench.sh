#!/usr/bin/env bash
# test/bench.sh - run every benchmark registered in BENCHES (module.mk files).
# Each prints JSON objects, one per line:
#   {"bench": NAME, "value": NUMBER, "unit": UNIT, ...}
# Benchmarks are never tests: they do not pass or fail, they measure.
set -u
cd "$(dirname "$0")/.." || exit 2
: "${BIN:=bin}"; export BIN MP_ROOT="$PWD"
for b in "$@"; do
	"$b" || echo "{\"bench\": \"$(basename "$b")\", \"error\": \"exited with status $?\"}"
done
