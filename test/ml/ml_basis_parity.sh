#!/usr/bin/env bash
# ml_basis_parity.sh - ml_market_parity.sh's comparison (live MARKET_DATA
# ml_features == mpexport marketupdates.npy bit for bit, the bs_* basis
# columns included) on OKX spot + swap and Binance spot + USD-M swap from
# mpsim: the default pairings okx BTC-USDT-SWAP -> okx BTC-USDT and
# binance-usdm BTC-USDT-SWAP -> binance BTC-USDT (another venue's feed, the
# same bookd), with the basis definition checked on each message's values.
ML_MARKET_CASE=cross
. "$(dirname "$0")/ml_market_parity.sh"
