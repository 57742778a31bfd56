# test/feedd/: feedd's unit tests, its ring peer helper, fuzz targets, benchmark and mpsim tests.
$(eval $(call test_prog,test_feedd_parse,test/feedd/test_feedd_parse.c $(FEEDD_PARSE_SRCS),jansson))
$(eval $(call test_prog,test_okx_market,test/feedd/test_okx_market.c $(FEEDD_PARSE_SRCS),jansson))
$(eval $(call test_prog,test_inst_rules,test/feedd/test_inst_rules.c $(FEEDD_PARSE_SRCS),jansson))
$(eval $(call test_prog,test_binance_market,test/feedd/test_binance_market.c $(FEEDD_PARSE_SRCS),jansson))
$(eval $(call fuzz_target,fuzz_feedd_parse_binance,test/feedd/fuzz_feedd_parse_binance.c $(FEEDD_PARSE_SRCS),jansson))
$(eval $(call fuzz_target,fuzz_feedd_parse_binance_fut,test/feedd/fuzz_feedd_parse_binance_fut.c $(FEEDD_PARSE_SRCS),jansson))
$(eval $(call fuzz_target,fuzz_feedd_parse_okx,test/feedd/fuzz_feedd_parse_okx.c $(FEEDD_PARSE_SRCS),jansson))
$(eval $(call fuzz_target,fuzz_feedd_parse_bybit,test/feedd/fuzz_feedd_parse_bybit.c $(FEEDD_PARSE_SRCS),jansson))
$(eval $(call fuzz_target,fuzz_feedd_parse_deribit,test/feedd/fuzz_feedd_parse_deribit.c $(FEEDD_PARSE_SRCS),jansson))
$(eval $(call prog,bench_feedd_parse,test/feedd/bench_feedd_parse.c $(FEEDD_PARSE_SRCS) $(BOOK_ENGINE_SRCS),jansson))
BENCHES += $(BIN)/bench_feedd_parse

# feedd_peer is a helper the scripts start (a bookd stand-in), not a test.
$(BIN)/test/feedd_peer: $(call objs,test/feedd/feedd_peer.c) $(OBJ)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(OBJ)/libcommon.a $(call pkglibs,inih) $(LDBASE)
PROGS += $(BIN)/test/feedd_peer
$(eval $(call test_prog,test_feedd_budget,test/feedd/test_feedd_budget.c feedd/budget.c feedd/backoff.c,))
TEST_SCRIPTS += test/feedd/feedd_binance.sh test/feedd/feedd_okx.sh test/feedd/feedd_tls.sh
TEST_SCRIPTS += test/feedd/feedd_big_frame.sh test/feedd/feedd_inst_rules.sh
# bench_feedd_parse_real: the scanner on the real recording's depth frames,
# next to the scanner before the fused level reader (parse_scan_ref.c)
$(eval $(call prog,bench_feedd_parse_real,test/feedd/bench_feedd_parse_real.c test/feedd/parse_scan_ref.c test/bookd/real_cap.c $(FEEDD_PARSE_SRCS) $(BOOK_ENGINE_SRCS),jansson))
BENCHES += $(BIN)/bench_feedd_parse_real
$(OBJ)/test/feedd/test_okx_market.o: CFLAGS += -Wno-format-truncation
# bench_venue_real: parse + apply per venue (spot and USD-M real recordings, one run)
$(eval $(call prog,bench_venue_real,test/feedd/bench_venue_real.c $(FEEDD_PARSE_SRCS) $(BOOK_ENGINE_SRCS),jansson))
BENCHES += $(BIN)/bench_venue_real
# test_feedd_links: venue_setup's split of the instruments over links (all of feedd but main.c)
$(eval $(call test_prog,test_feedd_links,test/feedd/test_feedd_links.c $(filter-out feedd/main.c,$(FEEDD_SRCS)),libuv libwebsockets libcurl jansson inih))
