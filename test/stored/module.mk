# test/stored: the local store, stored, mpstore and the ClickHouse sink.
STORED_TEST_GEN := test/stored/gen.c
$(eval $(call test_prog,test_store,test/stored/test_store.c $(STORED_TEST_GEN) $(STORE_WRITE_SRCS),libzstd inih))

# Helpers the shell tests run (built with the programs, not run as tests).
$(BIN)/test/stored_feeder: $(call objs,test/stored/feeder.c $(STORED_TEST_GEN) stored/store_fmt.c) $(OBJ)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(OBJ)/libcommon.a $(call pkglibs,inih) $(LDBASE)
PROGS += $(BIN)/test/stored_feeder

TEST_SCRIPTS += test/stored/stored_crash.sh test/stored/verify_gaps.sh

$(BIN)/test/chdb_http: $(call objs,test/stored/chdb_http.c)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(call pkglibs,libzstd zlib) -ldl $(LDBASE)
PROGS += $(BIN)/test/chdb_http
