#!/usr/bin/env bash
# Consumers written by others: the official `nats` package from the npm
# registry reads routerd's streams with durable consumers, as the
# requirement's examples do, and finds every message with the field names.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/nats_lib.sh"
CHECK="python3 $RT_DIR/check.py"
NPM_DIR="$MP_ROOT/build/routerd-npm"
NATS_JS_VERSION=2.29.3

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	skip npm_nats_consumer "node/npm not installed"
	exit 0
fi
if ! t_npm_install "$NPM_DIR" "nats@$NATS_JS_VERSION" 180; then
	skip npm_nats_consumer "npm install nats@$NATS_JS_VERSION failed (registry unreachable?): $(tail -1 "$T_TMP/npm.log")"
	exit 0
fi

nats_start
rt_conf
"$BIN/test/routerd_feeder" -c "$RT_CONF" --deltas 100 --depth 1000 --seed 21 >"$T_TMP/feed.json" 2>"$T_TMP/feeder.log"
$CHECK expect "$T_TMP/feed.json" >"$T_TMP/expect.json"
routerd_start
wait_all_streams "$T_TMP/expect.json" 0 60 || { not_ok npm_nats_consumer "routerd did not publish everything"; exit 1; }

timeout 120 node "$RT_DIR/npm_consumer.cjs" "$NPM_DIR/node_modules" "$NATS_URL" >"$T_TMP/node.json" 2>"$T_TMP/node.log"
if python3 - "$T_TMP/node.json" "$T_TMP/expect.json" <<'EOF'
import json, sys
got = json.load(open(sys.argv[1]))
exp = json.load(open(sys.argv[2]))
want = {k: sum(n for s, n in exp.items() if s.startswith(p))
        for k, p in (("full", "orderbook.full."), ("delta", "orderbook.delta."),
                     ("pure_delta", "orderbook.pure_delta."))}
want["trade"] = sum(n for s, n in exp.items() if s.endswith(".trade"))
if got.get("counts") != want or got.get("nerrors", 1) != 0:
    print(got, want)
    sys.exit(1)
EOF
then ok npm_nats_durable_consumers; else not_ok npm_nats_durable_consumers "$(cat "$T_TMP/node.json" "$T_TMP/node.log" | head -c 400)"; fi
rt_finish
