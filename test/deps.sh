#!/bin/sh
# test/deps.sh - install every Debian package the project needs (make deps).
# Idempotent and non-interactive; run as root on Debian 12.
#
# Each package is paired with a probe of what the project actually uses from it
# (a pkg-config module, a command, a file, a Python module).  Only packages
# whose probe fails are installed, so a machine that already has everything
# needs neither the network nor a working package database.
set -e

missing=""
# need PACKAGE PROBE: PROBE is a shell command that succeeds when PACKAGE's
# part is present.
need() {
	if ! sh -c "$2" >/dev/null 2>&1; then
		missing="$missing $1"
	fi
}
# Debian's interpreter only: the tests run Python parts with /usr/bin/python3
# (another python3 on PATH, e.g. a pyenv one, may have the module when
# Debian's has not, and then the probe passed while the tests skipped).
pyhas() { echo "/usr/bin/python3 -c 'import $1'"; }

# Build tools and the runtime libraries (with their headers).
need build-essential        "command -v gcc && command -v make"
need pkg-config             "command -v pkg-config"
need clang                  "command -v clang"
need libclang-rt-14-dev     "ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a"
need libuv1-dev             "pkg-config --exists libuv"
need libwebsockets-dev      "pkg-config --exists libwebsockets"
need libwebsockets-evlib-uv "ls /usr/lib/*/libwebsockets-evlib_uv.so"
need libssl-dev             "pkg-config --exists openssl"
need libcurl4-openssl-dev   "pkg-config --exists libcurl"
need libjansson-dev         "pkg-config --exists jansson"
need libnats-dev            "pkg-config --exists libnats"
need libzstd-dev            "pkg-config --exists libzstd"
need libinih-dev            "pkg-config --exists inih"
need zlib1g-dev             "pkg-config --exists zlib"
need ca-certificates        "test -s /etc/ssl/certs/ca-certificates.crt"
need curl                   "command -v curl"
# Servers and tools the tests start (never system services).
need nats-server            "command -v nats-server"
need clickhouse-server      "command -v clickhouse-server || test -x /usr/sbin/clickhouse-server"
need chromium               "command -v chromium"
need systemd                "command -v systemd-analyze"   # mpctl_systemd.sh verifies the unit
need chromium-driver        "command -v chromedriver"
need python3                "command -v python3"
need python3-numpy          "$(pyhas numpy)"
need python3-torch          "/usr/bin/python3 -c 'import torch'"
need python3-jsonschema     "$(pyhas jsonschema)"

if [ -z "$missing" ]; then
	echo "deps: everything the project needs is present"
	exit 0
fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
# Packages such as nats-server and clickhouse-server would start system-wide
# services on the default ports; the project starts its own servers on free
# loopback ports, so keep invoke-rc.d from starting anything while we install.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod +x /usr/sbin/policy-rc.d
	trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
echo "deps: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
