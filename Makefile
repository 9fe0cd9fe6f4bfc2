# libkapstats - plain Makefile.  `make help` lists the targets.
VERSION_MAJOR := 0
VERSION := 0.1.0

PREFIX ?= /usr/local
DESTDIR ?=
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
PYDIR ?= $(LIBDIR)/python3/dist-packages

CC ?= cc
# Sanitizer builds go to their own build directory:
#   make test SANITIZE=address,undefined
SANITIZE ?=
FAULT ?=
ifneq ($(SANITIZE),)
BUILD ?= build/san-$(subst $(comma),-,$(SANITIZE))
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
else ifneq ($(FAULT),)
BUILD ?= build/fault
SANFLAGS := -DKAP_FAULT_INJECTION
else
BUILD ?= build
SANFLAGS :=
endif
comma := ,

HDF5_CFLAGS := $(shell pkg-config --cflags hdf5 2>/dev/null || echo -I/usr/include/hdf5/serial)
HDF5_LIBS := $(shell pkg-config --libs hdf5 2>/dev/null || echo -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5)
GSL_LIBS := $(shell pkg-config --libs gsl 2>/dev/null || echo -lgsl -lgslcblas -lm)
JSON_LIBS := -ljansson

OPT ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
CFLAGS ?= $(OPT)
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) -Iinclude $(HDF5_CFLAGS)
LIB_CFLAGS := $(ALL_CFLAGS) -fPIC -fvisibility=hidden -DKAP_BUILDING_LIBRARY
LIBS := $(HDF5_LIBS) -lcsv $(GSL_LIBS) $(JSON_LIBS) -ldeflate -lz -lpthread -lm
LDFLAGS ?=
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS)

LIB_SRC := $(sort $(wildcard libkapstats/*.c))
LIB_OBJ := $(patsubst libkapstats/%.c,$(BUILD)/obj/%.o,$(LIB_SRC))
CLI_SRC := $(sort $(wildcard cli/*.c))
CLI_OBJ := $(patsubst cli/%.c,$(BUILD)/cli/%.o,$(CLI_SRC))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_BIN := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
EXAMPLE_SRC := $(sort $(wildcard examples/c/*.c))
EXAMPLE_BIN := $(patsubst examples/c/%.c,$(BUILD)/examples/%,$(EXAMPLE_SRC))
HEADERS := include/kapstats.h $(wildcard include/kapstats/*.h)

SONAME := libkapstats.so.$(VERSION_MAJOR)
SHLIB := $(BUILD)/libkapstats.so.$(VERSION)
STLIB := $(BUILD)/libkapstats.a
CLI := $(BUILD)/kapstats

.PHONY: all lib cli test test-c test-cli test-python check-exports examples \
        install uninstall clean deps demo help reference sanitize valgrind

all: lib cli

lib: $(SHLIB) $(BUILD)/libkapstats.so $(STLIB)
cli: $(CLI)

$(BUILD)/obj/%.o: libkapstats/%.c $(HEADERS) $(wildcard libkapstats/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -c $< -o $@

$(SHLIB): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,$(SONAME) $(ALL_LDFLAGS) -o $@ $(LIB_OBJ) $(LIBS)

$(BUILD)/libkapstats.so: $(SHLIB)
	ln -sf libkapstats.so.$(VERSION) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $@

$(STLIB): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

$(BUILD)/cli/%.o: cli/%.c $(HEADERS) $(wildcard cli/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Icli -c $< -o $@

# The CLI links the static library: one self-contained binary.
$(CLI): $(CLI_OBJ) $(STLIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(STLIB) $(LIBS)

# Test programs link the static library so that internal helpers can be
# tested too; test_exports checks the shared library's symbol table.
$(BUILD)/tests/kap_test.o: tests/kap_test.c tests/kap_test.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ilibkapstats -DKAP_TEST_DIR='"$(CURDIR)/tests"' -c $< -o $@

$(BUILD)/tests/%: tests/%.c $(BUILD)/tests/kap_test.o $(STLIB) $(HEADERS) $(wildcard libkapstats/*.h) tests/kap_test.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ilibkapstats -DKAP_TEST_DIR='"$(CURDIR)/tests"' \
	    -DKAP_BUILD_DIR='"$(CURDIR)/$(BUILD)"' $(ALL_LDFLAGS) -o $@ $< \
	    $(BUILD)/tests/kap_test.o $(STLIB) $(LIBS) -lcunit

$(BUILD)/examples/%: examples/c/%.c $(STLIB) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(STLIB) $(LIBS)

examples: $(EXAMPLE_BIN)

# Every test: C unit tests (CUnit), then CLI and Python tests (pytest).
# Sanitizer builds: LSan does not print suppression statistics (a test
# checks that a child process writes nothing to stderr); a huge allocation
# returns NULL (-> KAP_ENOMEM, tested by test_hostile)
# instead of aborting.
# (run_tests.sh adds the suppressions file to LSAN_OPTIONS)
LSAN_ENV := LSAN_OPTIONS=print_suppressions=0$${LSAN_OPTIONS:+:$$LSAN_OPTIONS} \
    ASAN_OPTIONS=allocator_may_return_null=1$${ASAN_OPTIONS:+:$$ASAN_OPTIONS}
test: all $(TEST_BIN) $(REPLAY_BIN)
	@$(MAKE) --no-print-directory replay
	@$(LSAN_ENV) BUILD=$(BUILD) sh tests/run_tests.sh $(TEST_BIN)

test-c: all $(TEST_BIN)
	@$(LSAN_ENV) BUILD=$(BUILD) KAP_SKIP_PYTEST=1 sh tests/run_tests.sh $(TEST_BIN)

# Python binding tests only (pytest against this build's library).
test-python: all
	@BUILD=$(BUILD) sh tests/run_tests.sh

# Install Debian packages the build and tests need, only those missing.
deps:
	sh scripts/deps.sh

# The main job on the bundled example trial.
demo: all
	sh scripts/demo.sh $(BUILD)

# Regenerate the golden reports (tests/golden/) of the bundled trial; review
# `git diff tests/golden` before committing.  Never run by `make test`.
.PHONY: golden
golden: all
	sh scripts/golden.sh $(BUILD)

# Regenerate tests/reference/*.out with R (needs R; CI does not).
reference:
	cd tests/reference && for s in *.R; do Rscript --vanilla $$s || exit 1; done

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/kapstats $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 755 $(CLI) $(DESTDIR)$(BINDIR)/kapstats
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf libkapstats.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libkapstats.so
	install -m 644 $(STLIB) $(DESTDIR)$(LIBDIR)/
	install -m 644 include/kapstats.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 include/kapstats/*.h $(DESTDIR)$(INCLUDEDIR)/kapstats/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    kapstats.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/kapstats.pc
	if [ -d bindings/python/kapstats ]; then \
	    install -d $(DESTDIR)$(PYDIR)/kapstats && \
	    install -m 644 bindings/python/kapstats/*.py $(DESTDIR)$(PYDIR)/kapstats/; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kapstats
	rm -f $(DESTDIR)$(LIBDIR)/libkapstats.so $(DESTDIR)$(LIBDIR)/$(SONAME) \
	      $(DESTDIR)$(LIBDIR)/libkapstats.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libkapstats.a
	rm -f $(DESTDIR)$(INCLUDEDIR)/kapstats.h
	rm -rf $(DESTDIR)$(INCLUDEDIR)/kapstats
	rm -f $(DESTDIR)$(LIBDIR)/pkgconfig/kapstats.pc
	rm -rf $(DESTDIR)$(PYDIR)/kapstats

clean:
	rm -rf build

help:
	@echo "make            build libkapstats.so, libkapstats.a and kapstats"
	@echo "make deps       install missing Debian packages (root)"
	@echo "make demo       ingest and summarise the bundled trial"
	@echo "make test       run every test (SANITIZE=address,undefined for ASan/UBSan)"
	@echo "make test-python  Python binding tests only (pytest)"
	@echo "make examples   build examples/c"
	@echo "make fuzz       libFuzzer harnesses, FUZZ_SECONDS each (clang); make replay"
	@echo "make test-fault allocation-failure sweep (ASan/LSan)"
	@echo "make test-tsan  thread test under ThreadSanitizer"
	@echo "make valgrind   every CLI command under valgrind memcheck"
	@echo "make test-crash SIGKILLed ingests, readers during store replacement"
	@echo "make install    PREFIX=... DESTDIR=..."
	@echo "make reference  regenerate R reference values (needs R)"
	@echo "make golden     regenerate tests/golden/ reports (review the diff!)"
	@echo "make uninstall | clean"

# ---- reliability: fuzzing (clang libFuzzer), replay, valgrind ------------
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
REPLAY_BIN := $(patsubst tests/fuzz/fuzz_%.c,$(BUILD)/replay/%,$(FUZZ_SRC))
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

build/fuzz/%: tests/fuzz/%.c $(LIB_SRC) $(HEADERS) libkapstats/internal.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE $(FUZZ_FLAGS) -Iinclude -Ilibkapstats $(HDF5_CFLAGS) \
	    -o $@ $< $(LIB_SRC) $(LIBS)

.PHONY: fuzz fuzz-build replay
fuzz-build: $(FUZZ_BIN)
# Run each harness for FUZZ_SECONDS (CI: 60 s each).
fuzz: $(FUZZ_BIN)
	sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

# The same harnesses without libFuzzer, replaying the committed corpora and
# regression inputs: part of `make test`.
$(BUILD)/replay/%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(STLIB) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ilibkapstats $(ALL_LDFLAGS) -o $@ $< tests/fuzz/replay_main.c $(STLIB) $(LIBS)

replay: $(REPLAY_BIN)
	@for b in $(REPLAY_BIN); do n=$$(basename $$b); \
	    files=$$(find tests/fuzz/corpus/$$n tests/fuzz/regressions/$$n -type f 2>/dev/null | sort); \
	    [ -z "$$files" ] || LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp \
	        $$b $$files || exit 1; done

# ---- allocation-failure sweep ------------------------------------------------
# Builds the library with -DKAP_FAULT_INJECTION (+ ASan/LSan for leaks) in
# build/fault and sweeps every allocation point of each scenario.
.PHONY: test-fault
FAULT_FLAGS := -DKAP_FAULT_INJECTION -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
test-fault:
	$(MAKE) --no-print-directory BUILD=build/fault SANFLAGS="$(FAULT_FLAGS)" lib
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) $(FAULT_FLAGS) -Iinclude -Ilibkapstats -Itests/fault \
	    -DKAP_TEST_DIR='"$(CURDIR)/tests"' \
	    $(HDF5_CFLAGS) -o build/fault/sweep tests/fault/sweep.c tests/fault/scenarios.c \
	    build/fault/libkapstats.a $(LIBS)
	build/fault/sweep

# ---- thread safety under ThreadSanitizer -----------------------------------
# The whole library and tests/test_threads.c built with -fsanitize=thread in
# build/san-thread; 8 threads ingest, write, open and analyse concurrently.
.PHONY: test-tsan
test-tsan:
	$(MAKE) --no-print-directory SANITIZE=thread build/san-thread/tests/test_threads
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 $${TSAN_OPTIONS:-}" \
	    build/san-thread/tests/test_threads

# ---- valgrind memcheck of the CLI on the bundled trial ----------------------
# Every CLI command present (scripts/valgrind_cli.sh lists them from
# `kapstats --help`) on datasets/kap_trial_wide.csv.  HDF5's still-reachable
# blocks are allowed; definite and indirect leaks and invalid accesses fail.
valgrind: cli
	sh scripts/valgrind_cli.sh $(CLI)

# ---- crash safety: SIGKILLed ingests, readers during replacement -----------
.PHONY: test-crash
CRASH_KILLS ?= 20
test-crash: cli
	sh tests/crash/kill_ingest.sh $(BUILD) $(CRASH_KILLS)

# Benchmark suite (bench/README.md): BENCH_SIZES="100000 1000000 5000000"
# BENCH_REPS=5 (BENCH_REPS_SLOW=3 for the slow peers and sizes above 1M)
# by default, the kernels target (bench/kernels.c) included; writes
# bench/RESULTS.md (BENCH_OUT), raw data under BENCH_RUNS.
.PHONY: bench
bench:
	sh bench/run.sh
