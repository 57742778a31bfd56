# test/routerd/: routerd and mpsub tests against a real nats-server.
#   test_routerd_enc      JSON encoding and routing table (no NATS)
#   test_mpsub_verify     mpsub's book rebuilder (no NATS)
#   test_routerd_lat      per-stage latency classes and histograms (routerd/lat.c)
#   fuzz_mpsub_parse      mpsub's JSON parser (outside input) + rebuilder
#   routerd_feeder        helper (not a test): synthetic bookd records into book.router
#   routerd_*.sh          integration tests (nats-server on a free loopback port);
#                         routerd_two_runs.sh: defect 9, two runs with repeating ids
#   nats_cluster.sh       the system against a 3-node cluster, leader and a second node killed
$(eval $(call test_prog,test_routerd_enc,test/routerd/test_routerd_enc.c $(ROUTERD_ENC_SRCS),jansson inih))
$(eval $(call test_prog,test_routerd_lat,test/routerd/test_routerd_lat.c routerd/lat.c,inih))
$(eval $(call test_prog,test_mpsub_verify,test/routerd/test_mpsub_verify.c tools/mpsub/verify.c tools/mpsub/vparse.c $(BOOK_ENGINE_SRCS),jansson inih))
$(eval $(call fuzz_target,fuzz_mpsub_parse,test/routerd/fuzz_mpsub_parse.c tools/mpsub/vparse.c tools/mpsub/verify.c $(BOOK_ENGINE_SRCS),jansson))
TEST_SCRIPTS += test/routerd/routerd_streams.sh test/routerd/routerd_nats_restart.sh \
	test/routerd/routerd_kill9.sh test/routerd/routerd_gap.sh test/routerd/routerd_npm_consumer.sh \
	test/routerd/routerd_tls_auth.sh test/routerd/routerd_mpsim.sh test/routerd/routerd_corrupt.sh \
	test/routerd/routerd_two_runs.sh test/routerd/routerd_latency.sh
# The system publishing to a 3-node NATS cluster, two nodes killed (~45 s).
TEST_SCRIPTS += test/routerd/nats_cluster.sh

# A helper program, built with the others but not run as a test.
$(BIN)/test/routerd_feeder: $(call objs,test/routerd/feeder.c $(BOOK_ENGINE_SRCS)) $(OBJ)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(OBJ)/libcommon.a $(call pkglibs,inih) $(LDBASE)
PROGS += $(BIN)/test/routerd_feeder

# make bench: test/routerd/bench_routerd.sh runs this against its own nats-server
$(BIN)/test/bench_routerd: $(call objs,test/routerd/bench_routerd.c $(ROUTERD_LIB_SRCS)) $(OBJ)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(OBJ)/libcommon.a $(call pkglibs,libnats inih) $(LDBASE)
PROGS += $(BIN)/test/bench_routerd
BENCHES += test/routerd/bench_routerd.sh
# receive -> ack per stage of the whole system, real recording and mpsim, 1x and 10x, new and old path (~12 min)
BENCHES += test/routerd/bench_latency.sh
$(OBJ)/test/routerd/bench_routerd.o: CFLAGS += -Irouterd
$(OBJ)/test/routerd/feeder.o: CFLAGS += -Ibookd
$(OBJ)/test/routerd/test_routerd_enc.o: CFLAGS += -Irouterd -Itest -Wno-format-truncation
$(OBJ)/test/routerd/test_routerd_lat.o: CFLAGS += -Irouterd -Itest
$(OBJ)/test/routerd/test_mpsub_verify.o: CFLAGS += -Itools/mpsub -Ibookd -Itest
$(OBJ)/test/routerd/fuzz_mpsub_parse.o: CFLAGS += -Itools/mpsub -Ibookd
