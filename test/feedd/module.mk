# test/feedd/: feedd's unit tests, its ring peer helper, fuzz targets, benchmark and mpsim tests.
$(eval $(call test_prog,test_feedd_parse,test/feedd/test_feedd_parse.c $(FEEDD_PARSE_SRCS),jansson))
$(eval $(call fuzz_target,fuzz_feedd_parse_binance,test/feedd/fuzz_feedd_parse_binance.c $(FEEDD_PARSE_SRCS),jansson))
$(eval $(call fuzz_target,fuzz_feedd_parse_okx,test/feedd/fuzz_feedd_parse_okx.c $(FEEDD_PARSE_SRCS),jansson))
$(eval $(call prog,bench_feedd_parse,test/feedd/bench_feedd_parse.c $(FEEDD_PARSE_SRCS),jansson))
BENCHES += $(BIN)/bench_feedd_parse
