#!/usr/bin/env bash
# ccxt.sh - ccxt pro (npm, a client nobody here wrote) keeps books from mpsim:
# see ccxt.js.  ccxt is a test-only tool: installed here, pinned, into
# build/mpsim-ccxt (never a dependency of the product).
. "$(dirname "$0")/../lib.sh"
CCXT_VERSION=4.5.84
NPM_DIR="$MP_ROOT/build/mpsim-ccxt"
export CCXT_VERSION

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	skip mpsim_ccxt "node/npm not installed"
	exit 0
fi
# --ignore-scripts: ccxt's postinstall only prints a banner, and the optional
# native ws helpers fall back to JavaScript
if ! t_npm_install "$NPM_DIR" "ccxt@$CCXT_VERSION" 300 --ignore-scripts; then
	skip mpsim_ccxt "npm install ccxt@$CCXT_VERSION failed (registry unreachable?): $(tail -1 "$T_TMP/npm.log")"
	exit 0
fi
node "$(dirname "$0")/ccxt.js" "$NPM_DIR"
