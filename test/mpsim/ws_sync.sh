#!/usr/bin/env bash
# ws_sync.sh - book sync against /_sim/book, OKX CRC32, determinism (see sync.js).
. "$(dirname "$0")/../lib.sh"
command -v node >/dev/null || { skip mpsim_ws_sync "node is not installed"; exit 0; }
node "$(dirname "$0")/sync.js"
