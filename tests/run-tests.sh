#!/bin/sh
# Runs each test binary given on the command line, prints one line per binary
# and a closing "tests: N passed, N failed, N skipped" line. Exit 77 from a
# binary means "skipped" (needs root or real hardware) and is reported with
# its reason. Exit status: 0 only when nothing failed.
#   VALGRIND=1  run each binary under valgrind (leaks and errors fail the test)
#
# The tests run in a private scratch directory that is removed at the end,
# pass or fail: TMPDIR, HOME and the XDG directories point into it, and so do
# JouleTrace's state directory, cache and socket-0 lock, so a test that falls
# back to a default never touches the host's. Three checks of their own:
#   tidy            a binary that passed left nothing in its TMPDIR
#   host-unchanged  the mode and owner of /tmp, /var/tmp, /dev/shm and /run/lock,
#                   and the JouleTrace-named entries in them, are as before
#   design-refs     tests/check-design-refs.sh: cited docs/design.md sections exist
#   column-docs     scripts/gen-column-docs.sh --check: README and man page list every
#                   CSV column with its description
set -u
: "${BUILD:=build}"
JT_SRCDIR=$(pwd); JT_BUILDDIR=$(cd "$BUILD" && pwd)
export JT_SRCDIR JT_BUILDDIR
mkdir -p tests/out

host_dirs="/tmp /var/tmp /dev/shm /run/lock"
host_state() {
  for d in $host_dirs; do
    [ -e "$d" ] || continue
    stat -c '%n %a %U:%G' "$d"
    # entries named like ours (tests, children, locks, caches)
    # (jt-check.* are the scratch directories of this script, removed at its exit)
    find "$d" -maxdepth 1 -mindepth 1 \( -name 'jt-*' -o -name 'jouletrace*' \) ! -name 'jt-check.*' \
      -printf '%p\n' 2>/dev/null
  done | LC_ALL=C sort
}
before=$(host_state)

# Scratch directories of runs that were killed (SIGKILL leaves no trap to run)
# go first: each live run holds an flock on its own lock file, so one whose
# lock can be taken is dead. flock(1) is util-linux, on every Debian.
# A new directory is locked under a name the sweep skips (jt-check.new-*),
# then renamed, so the sweep never sees one that is not locked yet.
for old in "${TMPDIR:-/tmp}"/jt-check.*; do
  case $old in */jt-check.new-*) continue ;; esac
  [ -d "$old" ] && [ ! -L "$old" ] && [ -O "$old" ] || continue
  flock -n "$old/.lock" true 2>/dev/null && rm -rf "$old"
done
new=$(mktemp -d "${TMPDIR:-/tmp}/jt-check.new-XXXXXX") || exit 1
exec 9>"$new/.lock" && flock -n 9 || { echo "run-tests.sh: cannot lock $new" >&2; exit 1; }
scratch=${new%/*}/jt-check.${new##*new-}
mv "$new" "$scratch" || exit 1
chmod 0711 "$scratch" # the sandbox's unprivileged child traverses to its workdir
cleanup() { rm -rf "$scratch"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$scratch/tmp" "$scratch/home" "$scratch/xdg-state" "$scratch/xdg-cache" \
         "$scratch/xdg-config" "$scratch/state" "$scratch/cache"
chmod 0711 "$scratch/tmp"
TMPDIR=$scratch/tmp HOME=$scratch/home XDG_STATE_HOME=$scratch/xdg-state \
XDG_CACHE_HOME=$scratch/xdg-cache XDG_CONFIG_HOME=$scratch/xdg-config \
JOULETRACE_STATE_DIR=$scratch/state JOULETRACE_CACHE=$scratch/cache \
JOULETRACE_LOCK_FILE=$scratch/socket0.lock
export TMPDIR HOME XDG_STATE_HOME XDG_CACHE_HOME XDG_CONFIG_HOME \
       JOULETRACE_STATE_DIR JOULETRACE_CACHE JOULETRACE_LOCK_FILE

pass=0; fail=0; skip=0; failed=""
for t in "$@"; do
  name=$(basename "$t")
  log="$JT_SRCDIR/tests/out/$name.log"
  if [ "${VALGRIND:-}" = 1 ]; then
    CK_FORK=no valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --child-silent-after-fork=yes \
      --trace-children=no "$t" >"$log" 2>&1
  else
    "$t" >"$log" 2>&1
  fi
  rc=$?
  left=$(find "$TMPDIR" -mindepth 1 -maxdepth 1 -printf '%f ' 2>/dev/null)
  if [ -n "$left" ]; then
    if [ $rc = 0 ]; then
      echo "left behind in TMPDIR: $left" >>"$log"; rc=1
    fi
    rm -rf "$TMPDIR" && mkdir -p "$TMPDIR" && chmod 0711 "$TMPDIR"
  fi
  summary=$(grep -E '^[0-9]+%: Checks:' "$log" | tail -n 1)
  # cases a binary left out because this host cannot run them (with the reason)
  nskip=$(grep -c '^SKIP-CASE:' "$log")
  [ "$nskip" -gt 0 ] && summary="$summary; $nskip cases skipped: $(grep -m1 '^SKIP-CASE:' "$log" | sed 's/^SKIP-CASE: //')"
  case $rc in
    0)  pass=$((pass+1)); printf 'PASS  %-28s %s\n' "$name" "$summary" ;;
    77) skip=$((skip+1)); printf 'SKIP  %-28s %s\n' "$name" "$(grep '^SKIP:' "$log" | head -n 1)" ;;
    *)  fail=$((fail+1)); failed="$failed $name"
        printf 'FAIL  %-28s %s (exit %s)\n' "$name" "$summary" "$rc"
        grep -E ':[EF]:|ERROR|Assertion|runtime error|AddressSanitizer|left behind' "$log" | head -n 20 | sed 's/^/      /' ;;
  esac
done

# design-refs: every docs/design.md section a comment cites is a heading there
if sh "$JT_SRCDIR/tests/check-design-refs.sh" "$JT_SRCDIR" >"$JT_SRCDIR/tests/out/design-refs.log" 2>&1; then
  pass=$((pass+1)); printf 'PASS  %-28s %s\n' design-refs docs/design.md
else
  fail=$((fail+1)); failed="$failed design-refs"
  printf 'FAIL  %-28s %s\n' design-refs "comments cite what docs/design.md does not have:"
  head -n 20 "$JT_SRCDIR/tests/out/design-refs.log" | sed 's/^/      /'
fi

# column-docs: README and man page list every CSV column as the writers have it
if sh "$JT_SRCDIR/scripts/gen-column-docs.sh" --check "$JT_BUILDDIR/jouletrace" \
    >"$JT_SRCDIR/tests/out/column-docs.log" 2>&1; then
  pass=$((pass+1)); printf 'PASS  %-28s %s\n' column-docs "README.md, man/jouletrace.1"
else
  fail=$((fail+1)); failed="$failed column-docs"
  printf 'FAIL  %-28s %s\n' column-docs "the column lists differ from \`jouletrace columns\`:"
  head -n 20 "$JT_SRCDIR/tests/out/column-docs.log" | sed 's/^/      /'
fi

after=$(host_state)
if [ "$before" = "$after" ]; then
  pass=$((pass+1)); printf 'PASS  %-28s %s\n' host-unchanged "$(echo $host_dirs)"
else
  fail=$((fail+1)); failed="$failed host-unchanged"
  printf 'FAIL  %-28s the tests changed the host:\n' host-unchanged
  diff -u0 "$(printf '%s\n' "$before" >"$scratch/before"; echo "$scratch/before")" \
           "$(printf '%s\n' "$after" >"$scratch/after"; echo "$scratch/after")" |
    grep -E '^[-+][^-+]' | sed 's/^/      /'
fi
[ -n "$failed" ] && echo "failed:$failed (logs in tests/out/)"
echo "tests: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
