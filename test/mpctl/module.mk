# test/mpctl: the launcher's tests.
#
# mpctl_child is not a test: it is a stand-in daemon the scripts install under
# the real daemons' names (see mpctl_child.c), so it is built with the
# programs (PROGS) but not run by test/run.sh.
$(BIN)/test/mpctl_child: $(call objs,test/mpctl/mpctl_child.c) $(OBJ)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(OBJ)/libcommon.a $(call pkglibs,libnats inih) $(LDBASE)
PROGS += $(BIN)/test/mpctl_child

TEST_SCRIPTS += test/mpctl/supervise.sh
TEST_SCRIPTS += test/mpctl/metrics_alerts.sh test/mpctl/page.sh
