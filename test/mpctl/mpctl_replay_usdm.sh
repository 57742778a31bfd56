#!/usr/bin/env bash
# test/mpctl/mpctl_replay_usdm.sh - the real USD-M recording
# ../shared/data/binance-usdm-ethusdt-20240808.cap.zst through the whole
# system: mpsim --replay serves it on its binance-usdm venue as fstream/fapi
# would (its @depth@0ms frames to feedd's @depth@100ms request, its
# /fapi/v1/depth snapshot), bookd syncs by the futures rule and the pu chain
# (lib_replay.sh).  The store's binance-usdm ETH-USDT-SWAP book equals
# mpreplay's on the same file, no update lost, 0 gaps (the data README's
# answer), the store verifies.  The level counts (3,181 bids, 3,013 asks) are
# mpreplay's on this file, pinned so that a change in either path shows.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_system.sh"
. "$(dirname "$0")/lib_replay.sh"
SIM_U=$(free_port)
RP_NAME=replay_usdm
RP_REC=$MP_ROOT/../shared/data/binance-usdm-ethusdt-20240808.cap.zst
RP_EX=binance-usdm
RP_SYM=ETH-USDT-SWAP
# the simulator's own ETH-USDT-SWAP answers what the recording has not
# (exchangeInfo, openInterest)
RP_SIM="--binance-usdm-port $SIM_U --binance-usdm-symbols ETH-USDT-SWAP"
RP_CONF="[instruments]
binance =
okx =
binance-usdm = ETH-USDT-SWAP
[feedd.binance-usdm]
ws_url = ws://127.0.0.1:$SIM_U
rest_url = http://127.0.0.1:$SIM_U"
RP_COUNTS="3181 3013"
replay_system
