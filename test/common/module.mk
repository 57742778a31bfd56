# test/common: unit tests and fuzz targets of the foundation modules in common/.
$(eval $(call test_prog,test_fx,test/common/test_fx.c,))
$(eval $(call test_prog,test_inst,test/common/test_inst.c,))
$(eval $(call test_prog,test_rec,test/common/test_rec.c,jansson))
$(eval $(call test_prog,test_sbuf,test/common/test_sbuf.c,))
$(eval $(call test_prog,test_url_safe,test/common/test_url_safe.c,))
$(eval $(call test_prog,test_cfg,test/common/test_cfg.c,inih))
$(eval $(call test_prog,test_pipe,test/common/test_pipe.c,inih))
$(eval $(call test_prog,test_metrics,test/common/test_metrics.c,))
$(eval $(call test_prog,test_log_throttle,test/common/test_log_throttle.c,))
$(eval $(call fuzz_target,fuzz_rec,test/common/fuzz_rec.c,jansson))
$(eval $(call fuzz_target,fuzz_fx,test/common/fuzz_fx.c,))
$(eval $(call prog,bench_common,test/common/bench_common.c,))
BENCHES += $(BIN)/bench_common
$(eval $(call prog,bench_inst,test/common/bench_inst.c,))
BENCHES += $(BIN)/bench_inst
$(eval $(call fuzz_target,fuzz_cfg,test/common/fuzz_cfg.c,inih))
TEST_SCRIPTS += test/common/reference.sh
TEST_SCRIPTS += test/common/cfg_programs.sh

# metrics_dump is a helper the shell tests run (not a test).
$(BIN)/test/metrics_dump: $(call objs,test/common/metrics_dump.c) $(OBJ)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(OBJ)/libcommon.a $(LDBASE)
PROGS += $(BIN)/test/metrics_dump
