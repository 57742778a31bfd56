#!/usr/bin/env bash
# bench_mpsim.sh - mpsim throughput benchmark (see bench_mpsim.js).
command -v node >/dev/null || { echo '{"bench": "mpsim", "error": "node is not installed"}'; exit 0; }
exec node "$(dirname "$0")/bench_mpsim.js"
