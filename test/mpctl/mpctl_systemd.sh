#!/usr/bin/env bash
# test/mpctl/mpctl_systemd.sh - the systemd unit tools/mpctl/marketprism.service:
# `systemd-analyze verify` accepts it (with its paths pointed at this tree) and
# prints nothing, and it runs mpctl in the foreground with Restart=on-failure,
# KillMode=mixed and a stop timeout longer than mpctl's own worst-case stop.
# systemd-analyze missing is a failure, not a skip (make deps installs it).
. "$(dirname "$0")/../lib.sh"

UNIT="$MP_ROOT/tools/mpctl/marketprism.service"
if ! command -v systemd-analyze >/dev/null; then
	not_ok systemd_analyze_present "systemd-analyze not installed: make deps (package systemd)"
	exit 1
fi
ok systemd_analyze_present

# The unit as installed, with /opt/marketprism and /etc/marketprism pointed at
# this tree (verify checks that ExecStart's program exists).
mpctl_abs=$(cd "$(dirname "$BIN/mpctl")" && pwd)/mpctl
mkdir -p "$T_TMP/units"
sed -e "s|/opt/marketprism/bin/mpctl|$mpctl_abs|" -e "s|/etc/marketprism/marketprism.ini|$MP_ROOT/conf/marketprism.ini|" \
	"$UNIT" >"$T_TMP/units/marketprism.service"
out=$(cd "$T_TMP/units" && systemd-analyze verify --man=no marketprism.service 2>&1); rc=$?
if [ "$rc" = 0 ] && [ -z "$out" ]; then ok unit_verifies; else not_ok unit_verifies "rc=$rc $out"; fi
# verify only warns (rc 0) about a bad value: the check above needs its silence.
sed 's/^Restart=on-failure/Restart=sometimes/' "$T_TMP/units/marketprism.service" >"$T_TMP/units/broken.service"
out=$(cd "$T_TMP/units" && systemd-analyze verify --man=no broken.service 2>&1)
if echo "$out" | grep -q 'restart specifier'; then ok verify_reports_bad_values; else not_ok verify_reports_bad_values "$out"; fi

# What the unit promises.
stop_default=$(awk '/\[mpctl\] stop_timeout =/ {print $4}' "$MP_ROOT/conf/REFERENCE.md")
if /usr/bin/python3 - "$UNIT" "$stop_default" <<'EOF'
import re, sys
keys = {}
for line in open(sys.argv[1]):
    m = re.match(r"^(\w+)=(.*)$", line.strip())
    if m:
        keys[m.group(1)] = m.group(2)
def secs(v):
    m = re.fullmatch(r"(\d+)(ms|s|min)?", v)
    n = int(m.group(1))
    return n / 1000 if m.group(2) == "ms" else n * 60 if m.group(2) == "min" else n
assert keys["Restart"] == "on-failure", keys
assert keys["KillMode"] == "mixed", keys
assert keys["Type"] in ("simple", "exec"), keys
argv = keys["ExecStart"].split()
assert argv[0].endswith("/mpctl") and argv[-1] == "start" and "-d" not in argv, argv
# mpctl stops its children one after the other, each up to stop_timeout:
# 6 children with the shipped config (nats-server, stored, routerd, bookd, 2 feedd).
worst = 6 * secs(sys.argv[2])
assert secs(keys["TimeoutStopSec"]) > worst, (keys["TimeoutStopSec"], worst)
EOF
then ok unit_contract; else not_ok unit_contract "see the assertion above"; fi
