# test/mpctl/lib_books60.sh - the whole system with N instruments on each of
# Binance and OKX (2N books) against mpsim at real pace, as a private
# instance; source after test/lib.sh and test/mpctl/lib_system.sh.
#
#   b60_start N [EXTRA --set ...]  mpctl start with the first N of B60_SYMS on
#                                  both venues (mpsim serves the same list)
#   b60_synced N                   /health lists 2N books, every one synced
#                                  with >= 1000 levels a side
#   b60_pids FILE                  {"name": pid} of every process and mpctl
#
# The instrument lists go in --set options (a config line may be of any
# length too: test/mpctl/mpctl_many.sh puts 45 on one).

B60_SYMS="BTC-USDT,ETH-USDT,SOL-USDT,XRP-USDT,DOGE-USDT,ADA-USDT,TRX-USDT,AVAX-USDT,LINK-USDT,DOT-USDT"
B60_SYMS="$B60_SYMS,LTC-USDT,BCH-USDT,UNI-USDT,ATOM-USDT,ETC-USDT,XLM-USDT,FIL-USDT,APT-USDT,ARB-USDT,OP-USDT"
B60_SYMS="$B60_SYMS,NEAR-USDT,AAVE-USDT,SUI-USDT,INJ-USDT,TIA-USDT,SEI-USDT,PEPE-USDT,SHIB-USDT,WLD-USDT,TON-USDT"

b60_list() { echo "$B60_SYMS" | cut -d, -f1-"$1"; }

b60_start() {
	local n=$1 syms
	shift
	syms=$(b60_list "$n")
	sys_config 1
	"$BIN/mpctl" -c "$CONF" --set "instruments.binance=$syms" --set "instruments.okx=$syms" \
	    --set "mpctl.sim_args=--binance-port $SIM_B --okx-port $SIM_O --rate 1 --seed 3 --symbols $syms" \
	    "$@" start 2>>"$SYS_LOG" &
	SYS_PID=$!
	T_PIDS+=("$SYS_PID")
	wait_for 60 sys_all_ready
}

b60_synced() {
	sys_health "
b = d['books']
assert len(b) == 2 * $1, len(b)
assert all(x['synced'] and min(x['levels']['bid'] or 0, x['levels']['ask'] or 0) >= 1000 for x in b)"
}

b60_pids() {
	mpctl status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
p = {x["name"]: x["pid"] for x in d["processes"]}
p["mpctl"] = d["instance"]["pid"]
print(json.dumps(p))' >"$1"
}
