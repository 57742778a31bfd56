# test/ml: LOBSTER export, research splits and labels, and the Python package
# (tools/mlpy: loader, LOBSTER reader, torch Datasets, the training example).
TEST_SCRIPTS += test/ml/ml.sh
# test_mlfeat: routerd/mlfeat.c unit cases and the live replica (mlive.c); mlfeat_ref.sh: the same features
# against an independent exact computation (mlfeat_ref.py, numpy + fractions);
# ml_parity.sh: live ml_features on NATS == mpexport's mlfeatures.npy, bit for bit.
$(eval $(call test_prog,test_mlfeat,test/ml/test_mlfeat.c $(ROUTERD_ENC_SRCS) routerd/mlive.c $(BOOK_ENGINE_SRCS),jansson inih))
$(OBJ)/test/ml/test_mlfeat.o: CFLAGS += -Irouterd -Itest
TEST_SCRIPTS += test/ml/mlfeat_ref.sh test/ml/ml_parity.sh
# ml_market_parity.sh: live ml_features on MARKET_DATA (Bybit spot + perpetuals) == mpexport marketupdates.npy,
# the bs_* basis against the spot book included
TEST_SCRIPTS += test/ml/ml_market_parity.sh test/ml/ml_basis_parity.sh
# test_mlbasis: routerd/mlbasis.c (basis against a spot book) on fixed numbers, its unusable-book branches,
# the pairing and [ml] basis_spot, and the live order against the offline merge by bookd's stamps
$(eval $(call test_prog,test_mlbasis,test/ml/test_mlbasis.c routerd/mlmkt.c routerd/mlbasis.c,))
$(OBJ)/test/ml/test_mlbasis.o: CFLAGS += -Irouterd -Itest

# make bench: ml_features cost per full book / top-N snapshot and on routerd's encode time
$(BIN)/test/bench_mlfeat: $(call objs,test/ml/bench_mlfeat.c $(ROUTERD_ENC_SRCS) routerd/mlive.c $(BOOK_ENGINE_SRCS)) $(OBJ)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(OBJ)/libcommon.a $(call pkglibs,inih) $(LDBASE)
PROGS += $(BIN)/test/bench_mlfeat
BENCHES += test/ml/bench_mlfeat.sh test/ml/bench_ml_latency.sh
$(OBJ)/test/ml/bench_mlfeat.o: CFLAGS += -Irouterd

# test_flow: tools/mpflow/flow.c (delta flows on routerd/mlflow.c's window, merges, trend call, bad input)
$(eval $(call test_prog,test_flow,test/ml/test_flow.c tools/mpflow/flow.c routerd/mlflow.c,))
$(OBJ)/test/ml/test_flow.o: CFLAGS += -Itools/mpflow -Itest
