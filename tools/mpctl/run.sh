#!/bin/sh
# tools/mpctl/run.sh - `make run`: the whole system on the real exchanges with
# the embedded defaults (local store in var/, local nats-server with JetStream
# on 127.0.0.1:4222, live page on http://127.0.0.1:9410/).
#
#   tools/mpctl/run.sh [COMMAND [ARGS]]     COMMAND defaults to "start"
#   e.g. tools/mpctl/run.sh status, tools/mpctl/run.sh stop, tools/mpctl/run.sh start -d
#
# MP_CONF=file.ini adds a config file; any --set SECTION.KEY=VALUE is passed on.
set -e
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
[ $# -gt 0 ] || set -- start
if [ -n "${MP_CONF:-}" ]; then set -- -c "$MP_CONF" "$@"; fi
if [ "$1" = start ] || [ "$1" = "-c" ]; then
	echo "run: live page and /health on http://127.0.0.1:9410/ (Ctrl-C stops everything)" >&2
fi
exec "$BIN/mpctl" "$@"
