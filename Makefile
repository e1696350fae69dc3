# JouleTrace — build, test, install.
#
#   make                      build build/jouletrace
#   make check                build and run every Check test; exit status = tests' status
#   make fuzz FUZZ_SECONDS=60 build the libFuzzer targets (clang) and fuzz each N seconds
#   make demo                 install deps if missing, build, run the example suite
#   make install PREFIX=/usr/local DESTDIR=
#   make clean
# Knobs (words, not edits):
#   V=1                       show full commands
#   SANITIZE=address,undefined  build into build-san/ with those sanitizers (make check works too)
#   VALGRIND=1                run the tests under valgrind (make check VALGRIND=1)
#   TESTS="test_suite test_util"  run only those test binaries

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/jouletrace
MANDIR  ?= $(PREFIX)/share/man
DESTDIR ?=

CC      ?= cc
PKG_CONFIG ?= pkg-config
PKGS    := yaml-0.1 gsl jansson zlib libseccomp sqlite3 libmicrohttpd hiredis

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

ifneq ($(SANITIZE),)
BUILD   ?= build-san
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD   ?= build
SANFLAGS :=
endif

WARN    := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
           -Wformat=2 -Wvla -Wpointer-arith -Wcast-qual -Wwrite-strings -Wundef
CFLAGS  ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) -Iinclude -Iharness \
           -DJT_VERSION='"$(VERSION)"' $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null) -MMD -MP
LIBS    := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lcsv -lm -lpthread
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @printf '  %-7s %s\n' $(1) $(2);
endif

SRC      := $(shell find harness -name '*.c' | LC_ALL=C sort)
ASM      := $(shell find harness -name '*.S' | LC_ALL=C sort)
LIB_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(filter-out harness/main.c,$(SRC))) \
            $(patsubst %.S,$(BUILD)/%.o,$(ASM))
MAIN_OBJ := $(BUILD)/harness/main.o
LIBJT    := $(BUILD)/libjouletrace.a
BIN      := $(BUILD)/jouletrace

TEST_SRC      := $(sort $(wildcard tests/test_*.c))
TEST_BINS     := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
TEST_SUPPORT  := $(patsubst %.c,$(BUILD)/%.o,$(sort $(wildcard tests/support/*.c)))

.SECONDARY:
.PHONY: all check demo install uninstall clean deps deps-test tests bench screenshot fuzz fuzz-smoke
all: $(BIN)

deps:
	$(Q)scripts/install-deps.sh

deps-test:
	$(Q)scripts/install-deps.sh --test

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The Python runner is embedded into the binary (.incbin), so a copied or
# installed binary never looks for it on disk and the sandboxed child, which
# runs as an unprivileged user, never needs read access to our tree.
$(BUILD)/%.o: %.S
	@mkdir -p $(dir $@)
	$(call say,AS,$<)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# -MMD does not see .incbin: name the embedded files here.
$(BUILD)/harness/exec/runners/runner_blob.o: $(wildcard harness/exec/runners/*.py)
$(BUILD)/harness/exec/asserts/asserts_blob.o: harness/exec/asserts/compile_asserts.py

$(LIBJT): $(LIB_OBJ)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(LIBJT)
	$(call say,LD,$@)$(CC) $(ALL_CFLAGS) -o $@ $(MAIN_OBJ) $(LIBJT) $(LIBS)

$(BUILD)/tests/support/%.o: tests/support/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Itests -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Itests -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_SUPPORT) $(LIBJT)
	$(call say,LD,$@)$(CC) $(ALL_CFLAGS) -o $@ $< $(TEST_SUPPORT) $(LIBJT) $(CHECK_LIBS) $(LIBS)

SELECTED_TESTS := $(if $(TESTS),$(addprefix $(BUILD)/tests/,$(TESTS)),$(TEST_BINS))
tests: $(BIN) $(SELECTED_TESTS)

# make check: install what is missing, build, run every (or each selected) test binary.
check: deps-test
	$(Q)$(MAKE) --no-print-directory tests
	$(Q)BUILD=$(BUILD) VALGRIND=$(VALGRIND) tests/run-tests.sh $(SELECTED_TESTS); rc=$$?; \
	  $(if $(TESTS),,$(MAKE) --no-print-directory fuzz-smoke || rc=1;) exit $$rc

# make fuzz FUZZ_SECONDS=N: the libFuzzer targets (tests/fuzz/, clang) built into
# $(FUZZ_BUILD) and run N seconds each; fuzz-smoke (in make check): a fixed
# short run of each, SKIP when clang or its libFuzzer runtime is missing.
FUZZ_SECONDS ?= 60
FUZZ_BUILD   ?= $(BUILD)-fuzz
FUZZ_ENV = FUZZ_BUILD=$(FUZZ_BUILD) MAKE="$(MAKE)" JT_FUZZ_LIBS="$(LIBS)" \
           JT_FUZZ_CFLAGS="$(WARN) -Iinclude -Iharness $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)"
fuzz:
	$(Q)$(FUZZ_ENV) tests/fuzz/fuzz.sh run $(FUZZ_SECONDS)
fuzz-smoke:
	$(Q)$(FUZZ_ENV) tests/fuzz/fuzz.sh smoke

# make demo: install what is missing, build, judge and run the example suite.
demo: deps
	$(Q)$(MAKE) --no-print-directory $(BIN)
	$(Q)scripts/demo.sh $(BIN)

# make screenshot: headless Chromium screenshot of a report generated from the
# fixture journal (installs Debian's chromium when missing; exit 77 = skipped).
screenshot: $(BIN)
	$(Q)d=$$(mktemp -d) && cp tests/fixtures/report/basic/*.json* $$d/ && $(BIN) report -q $$d && \
	  scripts/screenshot.sh $$d/index.html $(BUILD)/report.png && echo "screenshot: $(BUILD)/report.png"

# make bench: throughput and scale beside hyperfine and timeit, one markdown
# table (scripts/bench.py); BENCH_WRITE=bench/results.md also writes it there.
bench: $(BIN) $(BUILD)/tests/bench/energy_read $(BUILD)/tests/bench/json_parse
	$(Q)scripts/install-deps.sh --bench
	$(Q)python3 scripts/bench.py $(BIN) --energy-helper $(BUILD)/tests/bench/energy_read \
	  --parse-helper $(BUILD)/tests/bench/json_parse \
	  $(if $(BENCH_WRITE),--write $(BENCH_WRITE)) $(if $(BENCH_QUICK),--quick)

# Only what is read: the binary (the Python runner is embedded in it) and the
# man page. State and cache directories are created on demand at run time.
install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/jouletrace
	install -m 0644 man/jouletrace.1 $(DESTDIR)$(MANDIR)/man1/jouletrace.1

# Also removes the unused runner copy that older versions put in DATADIR.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/jouletrace $(DESTDIR)$(MANDIR)/man1/jouletrace.1 \
	      $(DESTDIR)$(DATADIR)/python_runner.py
	rmdir $(DESTDIR)$(DATADIR) 2>/dev/null || true

clean:
	rm -rf build build-san build-*/ tests/out

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
