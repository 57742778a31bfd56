# test/bookd/: tests and benchmarks of the book engine, bookd and mpreplay.
$(eval $(call test_prog,test_book,test/bookd/test_book.c $(BOOK_ENGINE_SRCS),))
# test_book_real: update by update against the previous engine on the real recordings
$(eval $(call test_prog,test_book_real,test/bookd/test_book_real.c test/bookd/real_cap.c test/bookd/book_ref_sorted.c $(BOOK_ENGINE_SRCS) $(FEEDD_PARSE_SRCS),inih jansson))
$(eval $(call test_prog,test_sync,test/bookd/test_sync.c $(BOOKD_LIB_SRCS),inih))
TEST_SCRIPTS += test/bookd/mpreplay.sh test/bookd/mpreplay_real.sh test/bookd/usdm_real.sh test/bookd/refresh_real.sh test/bookd/okx_legacy.sh
$(eval $(call prog,bench_book,test/bookd/bench_book.c $(BOOKD_LIB_SRCS) $(FEEDD_PARSE_SRCS),inih jansson))
BENCHES += $(BIN)/bench_book
# book_follow: a test consumer of book.router (rebuilds books from bookd's
# outputs); a helper of the end-to-end scripts, not a test by itself.
$(BIN)/test/helpers/book_follow: $(call objs,test/bookd/book_follow.c $(BOOK_ENGINE_SRCS)) $(OBJ)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(OBJ)/libcommon.a $(call pkglibs,inih) $(LDBASE)
PROGS += $(BIN)/test/helpers/book_follow
TEST_SCRIPTS += test/bookd/e2e_sim.sh test/bookd/decay_sim.sh
BENCHES += test/bookd/bench_bookd_cpu.sh test/bookd/bench_refresh_cost.sh
$(eval $(call fuzz_target,fuzz_bookd_sync,test/bookd/fuzz_bookd_sync.c $(BOOKD_LIB_SRCS),inih))
# bench_book_real: the engine on the real recordings (../shared/data/) and a
# deep-churn mix, each figure next to the previous engine (book_ref_sorted.c)
$(eval $(call prog,bench_book_real,test/bookd/bench_book_real.c test/bookd/real_cap.c test/bookd/book_ref_sorted.c $(BOOKD_LIB_SRCS) $(FEEDD_PARSE_SRCS),inih jansson))
BENCHES += $(BIN)/bench_book_real
$(eval $(call fuzz_target,fuzz_book,test/bookd/fuzz_book.c test/bookd/book_ref_sorted.c $(BOOK_ENGINE_SRCS),))
# bench_splice: one 5000-level deep refresh spliced into a 5000-level book vs a full replace
$(eval $(call prog,bench_splice,test/bookd/bench_splice.c $(BOOKD_LIB_SRCS),inih))
BENCHES += $(BIN)/bench_splice
# bench_okx_top5: ns per OKX update with the books5 top history vs without it (same run)
$(eval $(call prog,bench_okx_top5,test/bookd/bench_okx_top5.c $(BOOKD_LIB_SRCS),inih))
BENCHES += $(BIN)/bench_okx_top5
# bench_okx_deep: CPU per OKX books-full merge (5000 a side) through the keeper
$(eval $(call prog,bench_okx_deep,test/bookd/bench_okx_deep.c $(BOOKD_LIB_SRCS),inih))
BENCHES += $(BIN)/bench_okx_deep
