#!/usr/bin/env bash
# make bench: routerd's publishing path vs nats-server's own limits, on a
# private nats-server (free loopback port, JetStream file store in a temp dir).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/nats_lib.sh"
nats_start
"$BIN/test/bench_routerd" "$NATS_URL" "${BENCH_ROUTERD_DELTAS:-20000}" "${BENCH_ROUTERD_FULLS:-100}"
