#!/usr/bin/env bash
# test/feedd/feedd_tls.sh - the real venues are wss:// and https://: feedd
# against mpsim behind a local TLS terminator (test/feedd/tlsproxy.js) with
# a throw-away certificate.  Without ca_file the certificate must be refused
# (verification is on); with ca_file the stream and a REST snapshot work.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/feedd_lib.sh"

if ! command -v node >/dev/null || ! command -v openssl >/dev/null; then
	skip tls_verifies_certificate "node or openssl not installed"
	skip tls_wss_and_https "node or openssl not installed"
	exit 0
fi
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T_TMP/key.pem" -out "$T_TMP/cert.pem" -days 2 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >/dev/null 2>&1 ||
    { not_ok tls_setup "openssl could not make a certificate"; exit 1; }
sim_start --seed 5 || { not_ok tls_setup "mpsim did not start"; exit 1; }
TP=$(free_port)
bg node "$(dirname "$0")/tlsproxy.js" "$TP" "$SIM_BN" "$T_TMP/key.pem" "$T_TMP/cert.pem" >"$T_TMP/proxy.out" 2>&1
wait_for 10 grep -q ready "$T_TMP/proxy.out" || { not_ok tls_setup "TLS proxy did not start"; exit 1; }
URLS=(--set "feedd.binance.ws_url=wss://localhost:$TP" --set "feedd.binance.rest_url=https://localhost:$TP")

# --- an untrusted certificate is refused (no connection, a TLS error logged)
# (feedd runs until both refusals are logged, however slow the machine; then stopped)
bg "$BIN/feedd" --exchange binance --set "system.ring_prefix=$F_PREFIX-nv" "${URLS[@]}" \
    --set feedd.binance.capture=false --set feedd.binance.reconnect_min=200ms 2>"$T_TMP/noverify.log"
NV_PID=$T_LASTPID
refused() {
	grep -q 'msg="connection failed"' "$T_TMP/noverify.log" &&
	    grep -q 'exchangeInfo failed.*SSL certificate problem' "$T_TMP/noverify.log"
}
wait_for 30 refused
kill -TERM "$NV_PID" 2>/dev/null; wait "$NV_PID" 2>/dev/null
rm -rf "/dev/shm/${F_PREFIX:?}-nv"
if refused && ! grep -q 'msg="connected"' "$T_TMP/noverify.log"; then
	ok tls_verifies_certificate
else
	not_ok tls_verifies_certificate "$(grep -c connected "$T_TMP/noverify.log") connected lines"
fi

# --- trusted through ca_file: stream records and a REST snapshot over TLS
feedd_start binance "${URLS[@]}" --set "feedd.binance.ca_file=$T_TMP/cert.pem" ||
    { not_ok tls_wss_and_https "feedd or its peer did not start"; exit 1; }
cmd chain 1 1000 1
if wait_st ev_connected 2 && wait_st delta_1 5 && wait_st ok 1 && [ "$(st failed)" = 0 ] &&
    grep -q 'msg="weight limit from exchangeInfo"' "$F_LOG"; then
	ok tls_wss_and_https
else
	not_ok tls_wss_and_https "connected=$(st ev_connected) delta=$(st delta_1) ok=$(st ok)"
fi
