# test/ring/: tests, fuzz target and benchmark of the shared-memory ring
# (common/ring*.c) and its inspector (tools/mpring).

$(eval $(call test_prog,test_ring,test/ring/test_ring.c test/ring/peer_data.c test/ring/fuzz_image.c,))

# ring_peer is a helper the scripts start in separate processes, not a test.
$(BIN)/test/ring_peer: $(call objs,test/ring/ring_peer.c test/ring/peer_data.c) $(OBJ)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(OBJ)/libcommon.a $(LDBASE)
PROGS += $(BIN)/test/ring_peer

TEST_SCRIPTS += test/ring/ring_mp.sh test/ring/mpring.sh

$(eval $(call fuzz_target,fuzz_ring_attach,test/ring/fuzz_ring_attach.c test/ring/fuzz_image.c,))

$(eval $(call prog,bench_ring,test/ring/bench_ring.c,))
BENCHES += $(BIN)/bench_ring
