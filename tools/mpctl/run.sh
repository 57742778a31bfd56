#!/bin/sh
# tools/mpctl/run.sh - `make run`: the whole system on the real exchanges with
# the embedded defaults of conf/marketprism.ini (local store in var/, local
# nats-server with JetStream on 127.0.0.1:4222, live page and /health on
# http://127.0.0.1:9410/).  Foreground: Ctrl-C stops everything.
#
#   tools/mpctl/run.sh [COMMAND [ARGS]]     COMMAND defaults to "start"
#   e.g. tools/mpctl/run.sh status, tools/mpctl/run.sh stop, tools/mpctl/run.sh start -d
#
# MP_CONF=file.ini uses another config; --set SECTION.KEY=VALUE is passed on.
set -e
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
[ $# -gt 0 ] || set -- start
conf=${MP_CONF:-conf/marketprism.ini}
if [ "$1" = start ]; then
	echo "run: $conf; live page and /health on http://127.0.0.1:9410/ (Ctrl-C stops everything)" >&2
fi
exec "$BIN/mpctl" -c "$conf" "$@"
