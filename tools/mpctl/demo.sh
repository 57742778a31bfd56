#!/bin/sh
# tools/mpctl/demo.sh - `make demo`: the same system against the exchange
# simulator, conf/demo.ini: mpsim on 127.0.0.1:18001 (Binance) and :18002
# (OKX) started first by mpctl, NATS on 127.0.0.1:14222, data in var/demo,
# live page on http://127.0.0.1:9411/.  Foreground: Ctrl-C stops everything.
#
#   tools/mpctl/demo.sh [COMMAND [ARGS]]    COMMAND defaults to "start"
#   e.g. tools/mpctl/demo.sh status, tools/mpctl/demo.sh health, tools/mpctl/demo.sh stop
#
# --set SECTION.KEY=VALUE is passed on, e.g. a faster market:
#   tools/mpctl/demo.sh start --set "mpctl.sim_args=--binance-port 18001 --okx-port 18002 --rate 10"
set -e
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
[ $# -gt 0 ] || set -- start
if [ "$1" = start ]; then
	echo "demo: conf/demo.ini against mpsim; live page on http://127.0.0.1:9411/ (Ctrl-C stops everything)" >&2
fi
exec "$BIN/mpctl" -c conf/demo.ini "$@"
