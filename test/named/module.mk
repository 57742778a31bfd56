# test/named/: the requirement's named tests, by their names, against mpsim.
#   test_binance_snapshot_fetch     feedd's REST snapshot: <= 5000 levels per side, a lastUpdateId
#   test_okx_websocket_sync         OKX books synced with levels and a (verified) checksum
#   test_multi_exchange_collection  5 minutes, every book >= 1000 levels at the end
#                                   (`make system-test` only: it lasts 5 minutes by definition)
TEST_SCRIPTS += test/named/test_binance_snapshot_fetch.sh test/named/test_okx_websocket_sync.sh
MPCTL_SYSTEM_TESTS += test/named/test_multi_exchange_collection.sh
