# test/mpctl: the launcher's tests.
#
# mpctl_child is not a test: it is a stand-in daemon the scripts install under
# the real daemons' names (see mpctl_child.c), so it is built with the
# programs (PROGS) but not run by test/run.sh.
$(BIN)/test/mpctl_child: $(call objs,test/mpctl/mpctl_child.c) $(OBJ)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(OBJ)/libcommon.a $(call pkglibs,libnats inih) $(LDBASE)
PROGS += $(BIN)/test/mpctl_child

# mpctl's HTTP request check (tools/mpctl/http_req.c): cases and a fuzz target.
$(eval $(call test_prog,test_http_req,test/mpctl/test_http_req.c tools/mpctl/http_req.c,))
$(eval $(call fuzz_target,fuzz_mpctl_http_req,test/mpctl/fuzz_mpctl_http_req.c tools/mpctl/http_req.c,))
$(OBJ)/test/mpctl/%.o: CFLAGS += -Itools/mpctl
# mpctl's metric look-up (tools/mpctl/collect_find.c): the index against the scan.
$(eval $(call test_prog,test_collect_find,test/mpctl/test_collect_find.c tools/mpctl/collect_find.c,jansson))
$(eval $(call prog,bench_collect_find,test/mpctl/bench_collect_find.c tools/mpctl/collect_find.c,jansson))
BENCHES += $(BIN)/bench_collect_find

TEST_SCRIPTS += test/mpctl/mpctl_supervise.sh
TEST_SCRIPTS += test/mpctl/mpctl_metrics_alerts.sh test/mpctl/mpctl_page.sh test/mpctl/mpctl_orphans.sh
TEST_SCRIPTS += test/mpctl/mpctl_http_flood.sh test/mpctl/mpctl_retry.sh test/mpctl/mpctl_systemd.sh
TEST_SCRIPTS += test/mpctl/mpctl_okx_swap.sh
# Bybit v5 spot, linear (10 books) and inverse end to end (~20 s).
TEST_SCRIPTS += test/mpctl/mpctl_bybit.sh
TEST_SCRIPTS += test/mpctl/mpctl_deribit.sh
TEST_SCRIPTS += test/mpctl/mpctl_binance_fut.sh
# conf/demo-all.ini as shipped: every venue and market (15 books, six exchanges) synced, market subjects (~35 s).
TEST_SCRIPTS += test/mpctl/mpctl_demo_all.sh
# The real daemons under mpctl: feedd with no route (~5 s), and the whole system
# against mpsim end to end (~25 s) and under chaos (~45 s).
TEST_SCRIPTS += test/mpctl/mpctl_noroute.sh test/mpctl/mpctl_e2e.sh test/mpctl/mpctl_chaos.sh
# Loss by the venue's ids under mpsim's gap fault, the success criteria in
# /health, counters from zero on a new instance (~30 s).
TEST_SCRIPTS += test/mpctl/mpctl_criteria.sh
# Secure defaults of the real system (~10 s): loopback listeners, private rings, no credentials shown.
TEST_SCRIPTS += test/mpctl/mpctl_secure.sh
# The real spot recording through the whole system (mpsim --replay at 40x, ~15 s):
# the store's book equals mpreplay's on the same file, the store verifies.
TEST_SCRIPTS += test/mpctl/mpctl_replay.sh
# The real USD-M recording the same way (~20 s): @depth@0ms and /fapi/v1/depth
# from mpsim's binance-usdm venue, the pu chain unbroken.
TEST_SCRIPTS += test/mpctl/mpctl_replay_usdm.sh
# corrupt_level on each venue (~1-2 min): OKX books5 and REST window audits,
# the Binance refresh audit each find it, the book resyncs and is exact again.
TEST_SCRIPTS += test/mpctl/mpctl_corrupt.sh

# Overload: mpsim at 100x for a minute (about 80 s); in `make test`, not
# repeated under ASan.
SLOW_TEST_SCRIPTS += test/mpctl/mpctl_overload.sh

# The system tests together (`make system-test`).
MPCTL_SYSTEM_TESTS := test/mpctl/mpctl_e2e.sh test/mpctl/mpctl_corrupt.sh test/mpctl/mpctl_chaos.sh test/mpctl/mpctl_overload.sh test/mpctl/mpctl_criteria.sh
.PHONY: system-test
system-test: progs
	@BIN=$(BIN) ./test/run.sh $(MPCTL_SYSTEM_TESTS)

# The soak benchmark: one hour at 10x (SOAK_SECONDS, SOAK_RATE); JSON lines.
.PHONY: soak
soak: progs
	@BIN=$(BIN) ./test/mpctl/mpctl_soak.sh

# The 60-book run (~2.5 min): 30 instruments on each venue at real pace, CPU
# and private RSS per process beside a 4-book baseline in the same run.
BENCHES += test/mpctl/bench_books60.sh
# 60 books synced and exact against mpsim (~2 min; conditions, not timed).
TEST_SCRIPTS += test/mpctl/mpctl_books60.sh
TEST_SCRIPTS += test/mpctl/mpctl_many.sh
