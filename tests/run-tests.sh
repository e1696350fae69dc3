#!/bin/sh
# Runs each test binary given on the command line, prints one line per binary
# and a closing "tests: N passed, N failed, N skipped" line. Exit 77 from a
# binary means "skipped" (needs root or real hardware) and is reported with
# its reason. Exit status: 0 only when nothing failed.
#   VALGRIND=1  run each binary under valgrind (leaks and errors fail the test)
set -u
: "${BUILD:=build}"
JT_SRCDIR=$(pwd); JT_BUILDDIR=$(cd "$BUILD" && pwd)
export JT_SRCDIR JT_BUILDDIR
mkdir -p tests/out
pass=0; fail=0; skip=0; failed=""
for t in "$@"; do
  name=$(basename "$t")
  log="tests/out/$name.log"
  if [ "${VALGRIND:-}" = 1 ]; then
    CK_FORK=no valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --child-silent-after-fork=yes \
      --trace-children=no "$t" >"$log" 2>&1
  else
    "$t" >"$log" 2>&1
  fi
  rc=$?
  summary=$(grep -E '^[0-9]+%: Checks:' "$log" | tail -n 1)
  case $rc in
    0)  pass=$((pass+1)); printf 'PASS  %-28s %s\n' "$name" "$summary" ;;
    77) skip=$((skip+1)); printf 'SKIP  %-28s %s\n' "$name" "$(grep '^SKIP:' "$log" | head -n 1)" ;;
    *)  fail=$((fail+1)); failed="$failed $name"
        printf 'FAIL  %-28s %s (exit %s)\n' "$name" "$summary" "$rc"
        grep -E ':[EF]:|ERROR|Assertion|runtime error|AddressSanitizer' "$log" | head -n 20 | sed 's/^/      /' ;;
  esac
done
[ -n "$failed" ] && echo "failed:$failed (logs in tests/out/)"
echo "tests: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
