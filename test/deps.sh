#!/bin/sh
# test/deps.sh - install every Debian package the project needs (make deps).
# Idempotent and non-interactive; run as root on Debian 12.
set -e
PKGS="build-essential pkg-config clang libclang-rt-14-dev python3 python3-numpy curl ca-certificates
 libuv1-dev libwebsockets-dev libwebsockets-evlib-uv libssl-dev libcurl4-openssl-dev
 libjansson-dev libnats-dev libzstd-dev libinih-dev nats-server chromium chromium-driver
 zlib1g-dev clickhouse-server python3-jsonschema"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: all Debian packages present"
	exit 0
fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "deps: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
