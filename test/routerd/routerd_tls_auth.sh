#!/usr/bin/env bash
# A production-like NATS: TLS with a private CA, client certificates
# required (mutual TLS) and user/password authorization.  routerd connects
# with [nats] tls_ca / tls_cert / tls_key / user / password and publishes;
# with a wrong password it is refused (and says so) instead of publishing.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/nats_lib.sh"

if ! command -v openssl >/dev/null; then
	skip tls_auth "openssl not installed"
	exit 0
fi
P="$T_TMP/pki"
mkdir -p "$P"
{
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mp test CA" \
		-keyout "$P/ca.key" -out "$P/ca.pem"
	openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$P/server.key" -out "$P/server.csr"
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$P/san.ext"
	openssl x509 -req -in "$P/server.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" -CAcreateserial -days 2 \
		-extfile "$P/san.ext" -out "$P/server.pem"
	openssl req -newkey rsa:2048 -nodes -subj "/CN=routerd" -keyout "$P/client.key" -out "$P/client.csr"
	openssl x509 -req -in "$P/client.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" -CAcreateserial -days 2 \
		-out "$P/client.pem"
} >"$T_TMP/openssl.log" 2>&1 || { not_ok tls_pki "$(tail -2 "$T_TMP/openssl.log")"; exit 1; }

NATS_PORT=$(free_port)
nats_write_conf
cat >>"$T_TMP/nats.conf" <<EOF
tls {
	cert_file: "$P/server.pem"
	key_file: "$P/server.key"
	ca_file: "$P/ca.pem"
	verify: true
	timeout: 5
}
authorization {
	user: router
	password: "s3cret-pw"
}
EOF
bg nats-server -c "$T_TMP/nats.conf" >>"$T_TMP/nats.log" 2>&1
NATS_PID=$T_LASTPID
wait_port "$NATS_PORT" 10 || { not_ok tls_server "nats-server did not start: $(tail -2 "$T_TMP/nats.log")"; exit 1; }
NATS_URL="tls://127.0.0.1:$NATS_PORT"
rt_conf "tls_ca = $P/ca.pem" "tls_cert = $P/client.pem" "tls_key = $P/client.key" \
	"tls_hostname = localhost" "user = router"

# wrong password: refused, nothing published, the reason is logged
bg "$BIN/routerd" -c "$RT_CONF" --set nats.password=wrong >"$T_TMP/routerd-bad.log" 2>&1
BAD=$T_LASTPID
if wait_for 15 grep -qi 'authorization' "$T_TMP/routerd-bad.log"; then
	ok wrong_password_refused
else
	not_ok wrong_password_refused "$(tail -2 "$T_TMP/routerd-bad.log")"
fi
kill -TERM "$BAD"; wait "$BAD" 2>/dev/null

"$BIN/test/routerd_feeder" -c "$RT_CONF" --deltas 50 --depth 200 --seed 5 >"$T_TMP/feed.json" 2>"$T_TMP/feeder.log"
python3 "$RT_DIR/check.py" expect "$T_TMP/feed.json" >"$T_TMP/expect.json"
routerd_start --set nats.password=s3cret-pw
# mpsub reads the same [nats] settings, password given the same way
stream_msgs() {
	"$BIN/mpsub" -c "$RT_CONF" --set nats.password=s3cret-pw --streams 2>/dev/null |
		python3 -c "import json,sys; print(json.load(sys.stdin)['streams']['$1']['messages'])" 2>/dev/null
}
if wait_all_streams "$T_TMP/expect.json" 0 60; then
	ok publishes_over_mutual_tls_with_auth
else
	not_ok publishes_over_mutual_tls_with_auth "$(grep -v INFO "$T_TMP/routerd.log" | tail -3)"
fi
rt_finish
