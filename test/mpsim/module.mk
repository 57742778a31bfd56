# test/mpsim/: protocol tests of the exchange simulator, driven by curl and an
# independent WebSocket client (test/mpsim/lib.js, Node.js, no npm packages);
# ccxt.sh: ccxt pro from npm (test-only, pinned) keeps books from mpsim.
TEST_SCRIPTS += test/mpsim/rest.sh test/mpsim/ws_proto.sh test/mpsim/futures.sh test/mpsim/ws_sync.sh test/mpsim/replay.sh test/mpsim/ccxt.sh
$(eval $(call test_prog,test_mpsim_lws,test/mpsim/test_mpsim_lws.c,libwebsockets jansson))
BENCHES += test/mpsim/bench_mpsim.sh
# (tools/mpsim/module.mk is included after this file, so its variables are not set yet)
$(eval $(call fuzz_target,fuzz_mpsim_http,test/mpsim/fuzz_mpsim_http.c $(filter-out tools/mpsim/main.c,$(wildcard tools/mpsim/*.c)),libuv jansson libssl libcrypto libzstd))
