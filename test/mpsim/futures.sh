#!/usr/bin/env bash
# futures.sh - mpsim's Binance USD-M and COIN-M futures (see futures.js).
. "$(dirname "$0")/../lib.sh"
command -v node >/dev/null || { skip mpsim_futures "node is not installed"; exit 0; }
node "$(dirname "$0")/futures.js"
