# test/mpexport: mpexport against an independent rebuild (ref.py, numpy), the
# .npy format, labels/normalization without look-ahead, and the benchmark.
# (This file is included before tools/mpexport/module.mk, so it names the
# engine's sources itself.)
MPX_TEST_SRCS := $(filter-out tools/mpexport/main.c,$(wildcard tools/mpexport/*.c)) $(ROUTERD_ML_SRCS) $(STORE_WRITE_SRCS) \
    $(BOOK_ENGINE_SRCS)

$(BIN)/test/mpexport_gen: $(call objs,test/mpexport/gen_store.c $(STORE_WRITE_SRCS)) $(OBJ)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(OBJ)/libcommon.a $(call pkglibs,libzstd inih) $(LDBASE)
PROGS += $(BIN)/test/mpexport_gen

$(eval $(call test_prog,test_mpexport,test/mpexport/test_mpexport.c $(MPX_TEST_SRCS),libzstd jansson inih))
$(eval $(call test_prog,test_lobster,test/mpexport/test_lobster.c tools/mpexport/lobster.c $(BOOK_ENGINE_SRCS),jansson))
TEST_SCRIPTS += test/mpexport/mpexport.sh test/mpexport/mpexport_system.sh

$(BIN)/test/bench_mpexport: $(call objs,test/mpexport/bench_mpexport.c $(MPX_TEST_SRCS)) $(OBJ)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(OBJ)/libcommon.a $(call pkglibs,libzstd jansson inih) $(LDBASE)
PROGS += $(BIN)/test/bench_mpexport
BENCHES += test/mpexport/bench_mpexport.sh
