#!/usr/bin/env bash
# test/mpctl/mpctl_noroute.sh - `make run` on a machine with no route to the
# exchanges: the real feedd keeps retrying (it stays up, mpctl does not
# restart it), and `mpctl status` and /health say the connection is down,
# with a connection_lost alert.  The "exchange" is a closed loopback port.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_mpctl.sh"

[ -x "$BIN/feedd" ] || { skip noroute "$BIN/feedd not built"; exit 0; }
mp_sandbox
dead=$(free_port)
MP_EXTRA=(--set "mpctl.bin_dir=$(cd "$BIN" && pwd)" --set mpctl.processes=feedd.binance
	--set "nats.url=nats://127.0.0.1:$(free_port)" --set alerts.connection_lost=2s
	--set "feedd.binance.ws_url=ws://127.0.0.1:$dead" --set "feedd.binance.rest_url=http://127.0.0.1:$dead"
	--set "instruments.okx=")
mp_start
if wait_for 20 mp_all_ready; then ok noroute_feedd_stays_up; else not_ok noroute_feedd_stays_up "$(mpctl status 2>&1)"; fi
down() {
	mpctl status | grep -q '^binance ws .* DOWN' &&
		mpctl status | grep -q '^ALERT connection_lost \[critical\]'
}
if wait_for 20 down; then ok noroute_status_says_down; else not_ok noroute_status_says_down "$(mpctl status 2>&1)"; fi
if mp_health_check '
c = [x for x in d["connections"] if x["exchange"] == "binance"]
assert c and not c[0]["connected"], c
assert any(a["rule"] == "connection_lost" and a["labels"].get("exchange") == "binance" for a in d["alerts"]), d["alerts"]
p = [x for x in d["processes"] if x["name"] == "feedd.binance"][0]
assert p["state"] == "ready" and p["restarts"] == 0, p'; then ok noroute_health; else not_ok noroute_health; fi
mpctl stop >/dev/null
