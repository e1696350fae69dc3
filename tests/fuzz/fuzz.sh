#!/bin/sh
# tests/fuzz/fuzz.sh run SECONDS | smoke — the libFuzzer targets (fuzz_*.c).
#
# Builds the library with clang and -fsanitize=fuzzer-no-link,address,
# undefined into $FUZZ_BUILD, makes the confined copy the targets link
# (confine.syms, see fuzz.h), builds each target, then runs each one in turn:
#   run SECONDS  fuzz each target for SECONDS, growing $FUZZ_BUILD/corpus/T
#   smoke        replay the seeds and tests/fuzz/regressions/T, then a fixed
#                number of mutations (-seed=1 -runs=$FUZZ_SMOKE_RUNS); a
#                missing clang or libFuzzer runtime is a SKIP, not a failure
# One line per target: executions and crashes. A crash, leak, UB, timeout or
# out-of-memory leaves its input under $FUZZ_BUILD/artifacts/T/ and makes the
# exit status 1. Nothing is written outside $FUZZ_BUILD but each target's
# temporary tree (on /dev/shm when writable), removed after its run.
# Environment (the Makefile sets it): FUZZ_BUILD, FUZZ_CC, MAKE,
# JT_FUZZ_CFLAGS (warnings, includes), JT_FUZZ_LIBS.
set -u
mode=${1:-smoke}
secs=${2:-60}
: "${FUZZ_BUILD:=build-fuzz}" "${FUZZ_CC:=}" "${MAKE:=make}" "${FUZZ_SMOKE_RUNS:=5000}"
: "${JT_FUZZ_CFLAGS:=}" "${JT_FUZZ_LIBS:=}"
targets="suite jsonl request"
fb=$FUZZ_BUILD

unavailable() {
  if [ "$mode" = smoke ]; then echo "SKIP  fuzz targets: $1"; exit 0; fi
  echo "fuzz: $1" >&2; exit 2
}

if [ -z "$FUZZ_CC" ]; then
  for c in clang clang-14; do
    if command -v "$c" >/dev/null 2>&1; then FUZZ_CC=$c; break; fi
  done
fi
[ -n "$FUZZ_CC" ] && command -v "$FUZZ_CC" >/dev/null 2>&1 ||
  unavailable "clang not found (Debian: apt-get install clang libclang-rt-14-dev)"
mkdir -p "$fb/logs" "$fb/artifacts" "$fb/tmp" || exit 2
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
  >"$fb/probe.c"
"$FUZZ_CC" -fsanitize=fuzzer,address,undefined -o "$fb/probe" "$fb/probe.c" >"$fb/logs/probe.log" 2>&1 ||
  unavailable "$FUZZ_CC cannot link -fsanitize=fuzzer (Debian: apt-get install libclang-rt-14-dev; see $fb/logs/probe.log)"

san=-fsanitize=fuzzer,address,undefined
# The gcc build is the warning gate; here clang's extra warnings stay warnings.
"$MAKE" --no-print-directory BUILD="$fb" CC="$FUZZ_CC" SANITIZE=fuzzer-no-link,address,undefined \
  CFLAGS="-O1 -g -Wno-error" "$fb/libjouletrace.a" || exit 2
objcopy --redefine-syms=tests/fuzz/confine.syms "$fb/libjouletrace.a" "$fb/libjt-confined.a" || exit 2
for t in $targets; do
  # shellcheck disable=SC2086 # flag lists
  "$FUZZ_CC" -std=c11 -D_GNU_SOURCE $JT_FUZZ_CFLAGS -g -O1 $san -fno-sanitize-recover=all \
    -fno-omit-frame-pointer -Itests/fuzz -o "$fb/fuzz_$t" tests/fuzz/fuzz_$t.c tests/fuzz/fuzz.c \
    tests/fuzz/confine.c "$fb/libjt-confined.a" $JT_FUZZ_LIBS || exit 2
done

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
# The targets' trees (fsync on every journal append) live on tmpfs when there is one.
tbase=$fb/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && tbase=/dev/shm
failed=0
for t in $targets; do
  art="$fb/artifacts/$t"
  log="$fb/logs/$t.log"
  mkdir -p "$art"
  if [ "$mode" = smoke ]; then
    work=$(mktemp -d "$fb/smoke-$t-XXXXXX") || exit 2
    set -- -seed=1 -runs="$FUZZ_SMOKE_RUNS"
  else
    work="$fb/corpus/$t"
    mkdir -p "$work"
    set -- -max_total_time="$secs"
  fi
  [ -f "tests/fuzz/$t.dict" ] && set -- "$@" -dict="tests/fuzz/$t.dict"
  dirs="$work tests/fuzz/corpus/$t"
  [ -d "tests/fuzz/regressions/$t" ] && dirs="$dirs tests/fuzz/regressions/$t"
  tmp=$(mktemp -d "$tbase/jt-fuzz-$t-XXXXXX") || exit 2
  start=$(date +%s)
  # shellcheck disable=SC2086 # the corpus directories
  JT_FUZZ_TMPDIR=$tmp "$fb/fuzz_$t" "$@" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$art/" $dirs >"$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  rm -rf "$tmp"
  [ "$mode" = smoke ] && rm -rf "$work"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if [ "$rc" -eq 0 ]; then
    printf 'PASS  fuzz_%-23s %s executions in %ss, 0 crashes\n' "$t" "${execs:-?}" "$took"
  else
    failed=1
    printf 'FAIL  fuzz_%-23s %s executions in %ss, 1 crash (exit %s; log %s)\n' "$t" "${execs:-?}" \
      "$took" "$rc" "$log"
    grep -E 'ERROR:|runtime error|invariant broken|Test unit written|SUMMARY' "$log" | head -n 8 |
      sed 's/^/      /'
  fi
done
exit $failed
