# test/mpsim/: protocol tests of the exchange simulator, driven by curl and an
# independent WebSocket client (test/mpsim/lib.js, Node.js, no npm packages).
TEST_SCRIPTS += test/mpsim/rest.sh test/mpsim/ws_proto.sh test/mpsim/ws_sync.sh
