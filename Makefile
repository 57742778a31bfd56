# MarketPrism-C top-level Makefile.
#
# Every directory owns a module.mk that declares its programs, tests and fuzz
# targets with the helpers below; this file only holds the shared rules.
#
#   make            build every program into bin/
#   make deps       install the Debian packages the project needs (root)
#   make test       build and run every test; last line: "N passed, N failed"
#   make asan       the same tests on an ASan+UBSan build (build/asan/bin)
#   make fuzz       run every fuzz target longer (FUZZ_SECONDS, default 600)
#   make bench      run the benchmarks; one JSON object per line
#   make run        start the whole system against the real exchanges
#   make demo       start the whole system against the simulator (mpsim)
#   make demo-capture  the demo as a private instance: /health, page screenshot and
#                   per-book deep-book figures in build/demo-capture (tools/mpctl/demo_capture.sh)
#   make docs       regenerate conf/REFERENCE.md from the config key tables
#   make ml-example a short mpsim run -> store -> mpexport -> DeepLOB training

VARIANT ?= rel
PKGS    := libuv libwebsockets libcurl jansson libnats libzstd inih

ifeq ($(VARIANT),asan)
CC      ?= gcc
OPTFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN   := -fsanitize=address,undefined
OBJ     := build/asan/obj
BIN     := build/asan/bin
else ifeq ($(VARIANT),fuzz)
CC      := clang
OPTFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
LDSAN   := -fsanitize=address,undefined
OBJ     := build/fuzz/obj
BIN     := build/fuzz/bin
else
OPTFLAGS := -O2 -g
LDSAN   :=
OBJ     := build/rel/obj
BIN     := bin
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers
CFLAGS  := -std=c11 -D_GNU_SOURCE $(OPTFLAGS) $(WARN) -Icommon $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(LDSAN) $(EXTRA_LDFLAGS)
LDBASE  := -lpthread -lm

# $(call pkglibs,PKG...) -> linker flags of those pkg-config packages
pkglibs = $(if $(strip $(1)),$(shell pkg-config --libs $(1)))
# $(call objs,SRC...) -> object paths for the current variant
objs = $(patsubst %.c,$(OBJ)/%.o,$(1))

PROGS      :=
TEST_BINS  :=
TEST_SCRIPTS :=
# Tests too slow to repeat under the sanitizers: run by `make test` only.
SLOW_TEST_SCRIPTS :=
FUZZ_BINS  :=
FUZZ_NAMES :=
BENCHES    :=

# $(call prog,NAME,SOURCES,PKGS): a program in $(BIN)/NAME linked with libcommon
define prog
$(BIN)/$(1): $(call objs,$(2)) $(OBJ)/libcommon.a
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $(OBJ)/libcommon.a $$(call pkglibs,$(3)) $$(LDBASE)
PROGS += $(BIN)/$(1)
endef

# $(call test_prog,NAME,SOURCES,PKGS): a C test program in $(BIN)/test/NAME
define test_prog
$(BIN)/test/$(1): $(call objs,$(2)) $(OBJ)/libcommon.a
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $(OBJ)/libcommon.a $$(call pkglibs,$(3)) $$(LDBASE)
TEST_BINS += $(BIN)/test/$(1)
endef

# $(call fuzz_target,NAME,SOURCES,PKGS): a libFuzzer target, built in VARIANT=fuzz
# into build/fuzz/bin/NAME; seeds may live in test/fuzz/corpus/NAME/.
define fuzz_target
FUZZ_NAMES += $(1)
ifeq ($(VARIANT),fuzz)
$(BIN)/$(1): $(call objs,$(2)) $(OBJ)/libcommon.a
	@mkdir -p $$(@D)
	$$(CC) -fsanitize=fuzzer,address,undefined -o $$@ $$(filter %.o,$$^) $(OBJ)/libcommon.a $$(call pkglibs,$(3)) $$(LDBASE)
FUZZ_BINS += $(BIN)/$(1)
endif
endef

.PHONY: all deps test test-under-load asan fuzz fuzz-build bench run demo demo-capture docs clean ml-example
all: progs

include common/module.mk
include $(sort $(filter-out common/module.mk,$(wildcard */module.mk tools/*/module.mk test/*/module.mk)))

progs: $(PROGS) $(TEST_BINS)

$(OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find build -name '*.d' 2>/dev/null)

deps:
	./test/deps.sh

# Tests read BIN from the environment, so the same scripts run every variant.
test: progs
	@mkdir -p build; $(MAKE) --no-print-directory VARIANT=fuzz fuzz-build >build/fuzz-build.log 2>&1 || { tail -20 build/fuzz-build.log; exit 1; }
	@BIN=$(BIN) FUZZ_SECONDS=$${FUZZ_SECONDS:-5} ./test/run.sh $(TEST_BINS) $(TEST_SCRIPTS) $(SLOW_TEST_SCRIPTS) $(addprefix fuzz:,$(FUZZ_NAMES))

# make test 3 times in a row beside two CPU-bound processes; stops at the first
# failure (test/under_load.sh).
test-under-load: progs
	@./test/under_load.sh

asan:
	@$(MAKE) --no-print-directory VARIANT=asan progs
	@BIN=build/asan/bin ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  MP_SANITIZED=1 ./test/run.sh $(patsubst $(BIN)/%,build/asan/bin/%,$(TEST_BINS)) $(TEST_SCRIPTS)

fuzz-build: $(FUZZ_BINS)

fuzz:
	@$(MAKE) --no-print-directory VARIANT=fuzz fuzz-build
	@$(MAKE) --no-print-directory progs
	@BIN=$(BIN) FUZZ_SECONDS=$${FUZZ_SECONDS:-600} ./test/run.sh $(addprefix fuzz:,$(FUZZ_NAMES))

bench: progs
	@BIN=$(BIN) ./test/bench.sh $(BENCHES)

# Regenerate conf/REFERENCE.md from the key tables (a test checks it is current).
docs: progs
	@BIN=$(BIN) ./test/common/reference.sh --write

clean:
	rm -rf build bin

# The whole system in the foreground (Ctrl-C stops it); see tools/mpctl/README.md.
run: progs
	@BIN=$(BIN) ./tools/mpctl/run.sh

demo: progs
	@BIN=$(BIN) ./tools/mpctl/demo.sh

demo-capture: progs
	@BIN=$(BIN) ./tools/mpctl/demo_capture.sh

# A short mpsim run through the pipeline, mpexport, the DeepLOB training example (tools/mlpy/README.md).
ml-example: progs
	@BIN=$(BIN) ./tools/mlpy/example.sh
