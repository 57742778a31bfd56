#!/bin/sh
# tools/mpctl/demo.sh - `make demo`: the same system against the exchange
# simulator (mpsim), as a separate instance (ring prefix mp-<user>-demo, data
# in var/demo, NATS on 127.0.0.1:4223, page on http://127.0.0.1:9411/), so it
# can run next to `make run`.
#
#   tools/mpctl/demo.sh [COMMAND [ARGS]]    COMMAND defaults to "start"
#   e.g. tools/mpctl/demo.sh status, tools/mpctl/demo.sh health, tools/mpctl/demo.sh stop
#
# MP_SIM_RATE=10 runs the market 10x faster; MP_SIM_ARGS adds mpsim options
# (e.g. "--faults gap@binance:after=30s").
set -e
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
[ $# -gt 0 ] || set -- start
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
# The simulator's ports are fixed for the life of the instance (mpctl may
# restart mpsim, feedd must find it again), and remembered for the other commands.
state=var/demo/run/sim-ports
mkdir -p var/demo/run
if [ "$1" = start ] || [ ! -s "$state" ]; then
	echo "$(free_port) $(free_port)" >"$state"
fi
read -r B O <"$state"
if [ "$1" = start ]; then
	echo "demo: mpsim on 127.0.0.1:$B (binance) and :$O (okx); live page http://127.0.0.1:9411/" >&2
fi
exec "$BIN/mpctl" \
	--set "system.ring_prefix=mp-$(id -un)-demo" --set system.data_dir=var/demo \
	--set mpctl.http_port=9411 --set nats.url=nats://127.0.0.1:4223 \
	--set mpctl.sim=true \
	--set "mpctl.sim_args=--binance-port $B --okx-port $O --rate ${MP_SIM_RATE:-1} ${MP_SIM_ARGS:-}" \
	--set "feedd.binance.ws_url=ws://127.0.0.1:$B" --set "feedd.binance.rest_url=http://127.0.0.1:$B" \
	--set "feedd.okx.ws_url=ws://127.0.0.1:$O" --set "feedd.okx.rest_url=http://127.0.0.1:$O" \
	"$@"
