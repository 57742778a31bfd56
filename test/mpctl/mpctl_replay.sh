#!/usr/bin/env bash
# test/mpctl/mpctl_replay.sh - the real spot recording
# ../shared/data/binance-spot-ethusdt-20240808.cap.zst through the whole
# system (mpsim --replay at 40x, lib_replay.sh): the store's Binance ETH-USDT
# book equals mpreplay's on the same file (1,195 bid and 1,158 ask levels,
# the data README's independent answer), no update lost, the store verifies.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_system.sh"
. "$(dirname "$0")/lib_replay.sh"
RP_NAME=replay
RP_REC=$MP_ROOT/../shared/data/binance-spot-ethusdt-20240808.cap.zst
RP_EX=binance
RP_SYM=ETH-USDT
RP_SIM=
RP_CONF="[instruments]
binance = ETH-USDT
okx = BTC-USDT"
RP_COUNTS="1195 1158"
replay_system
