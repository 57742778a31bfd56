# test/stored: the local store, stored, mpstore and the ClickHouse sink.
STORED_TEST_GEN := test/stored/gen.c
$(eval $(call test_prog,test_store,test/stored/test_store.c $(STORED_TEST_GEN) $(STORE_WRITE_SRCS),libzstd inih))
$(eval $(call test_prog,test_store_codec,test/stored/test_store_codec.c $(STORED_TEST_GEN) $(STORE_WRITE_SRCS),libzstd inih))

# Helpers the shell tests run (built with the programs, not run as tests).
$(BIN)/test/stored_feeder: $(call objs,test/stored/feeder.c $(STORED_TEST_GEN) stored/store_fmt.c) $(OBJ)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(OBJ)/libcommon.a $(call pkglibs,inih) $(LDBASE)
PROGS += $(BIN)/test/stored_feeder

TEST_SCRIPTS += test/stored/stored_crash.sh test/stored/verify_gaps.sh test/stored/ring_corrupt.sh test/stored/store_loss.sh test/stored/disk_full.sh test/stored/clickhouse.sh

# chdb_http is test scaffolding (a front end for libchdb), not code under
# test: it is always built without sanitizers, because ASan cannot host the
# 566 MB engine it dlopens.
$(BIN)/test/chdb_http: test/stored/chdb_http.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) -o $@ $< $(call pkglibs,libzstd zlib) -ldl $(LDBASE)
PROGS += $(BIN)/test/chdb_http

# Benchmarks (make bench): one JSON object per line, each with its baseline.
$(BIN)/test/bench_store: $(call objs,test/stored/bench_store.c $(STORED_TEST_GEN) $(STORE_WRITE_SRCS)) $(OBJ)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(OBJ)/libcommon.a $(call pkglibs,libzstd inih) $(LDBASE)
PROGS += $(BIN)/test/bench_store
BENCHES += $(BIN)/test/bench_store
# CPU of a block codec on a store's own blocks (bench_store_real.sh runs it)
$(BIN)/test/bench_codec: $(call objs,test/stored/bench_codec.c $(STORE_READ_SRCS)) $(OBJ)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(OBJ)/libcommon.a $(call pkglibs,libzstd) $(LDBASE)
PROGS += $(BIN)/test/bench_codec

$(eval $(call fuzz_target,fuzz_store,test/stored/fuzz_store.c $(STORE_READ_SRCS),libzstd))

$(BIN)/test/bench_ch: $(call objs,test/stored/bench_ch.c $(STORED_TEST_GEN) stored/ch_schema.c stored/ch_rowbin.c stored/ch_http.c stored/store_fmt.c) $(OBJ)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(OBJ)/libcommon.a $(call pkglibs,libzstd libcurl zlib inih) $(LDBASE)
PROGS += $(BIN)/test/bench_ch
BENCHES += test/stored/bench_clickhouse.sh
# store bytes per level update / trade / ticker on the real spot recording
BENCHES += test/stored/bench_store_real.sh
TEST_SCRIPTS += test/stored/system_clickhouse.sh
# ClickHouse bytes per level update on the real spot recording (mpreplay ->
# store -> stored's sink -> ClickHouse 26.7), beside the previous codecs.
BENCHES += test/stored/bench_ch_real.sh
