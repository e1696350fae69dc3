#!/bin/sh
# Rewrites the CSV column lists of README.md and man/jouletrace.1 from the
# writers' column tables (`jouletrace columns`), between these markers:
#   README.md:          <!-- columns:FILE begin -->  ...  <!-- columns:FILE end -->
#   man/jouletrace.1:   .\" columns begin            ...  .\" columns end
# usage: scripts/gen-column-docs.sh [--check] [JOULETRACE]
#   --check     change nothing; exit 1 (with a diff) when a file is out of date
#   JOULETRACE  the binary (default build/jouletrace)
# `make check` runs it with --check; after adding a column (and its
# description in harness/report/coldoc.c) run it without, then commit.
set -eu
check=0
[ "${1:-}" = "--check" ] && { check=1; shift; }
bin=${1:-build/jouletrace}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/jt-coldoc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$bin" columns --check

# replace FILE BEGIN END GENERATED OUT: FILE with the lines strictly between
# the BEGIN and END marker lines replaced by GENERATED's content.
replace() {
  B=$2 E=$3 GEN=$4 awk '
    BEGIN { b = ENVIRON["B"]; e = ENVIRON["E"]; gen = ENVIRON["GEN"] }
    $0 == b { print; while ((getline line < gen) > 0) print line; skip = 1; found++; next }
    $0 == e { skip = 0 }
    !skip { print }
    END { if (found != 1) exit 3 }' "$1" >"$5" || {
    echo "gen-column-docs.sh: $1: expected exactly one '$2' ... '$3' block" >&2; exit 1; }
}

cp "$root/README.md" "$tmp/README.md"
for f in results.csv trials.csv leaderboard.csv leaderboard_groups.csv; do
  "$bin" columns --format markdown "$f" >"$tmp/gen"
  replace "$tmp/README.md" "<!-- columns:$f begin -->" "<!-- columns:$f end -->" "$tmp/gen" "$tmp/next"
  mv "$tmp/next" "$tmp/README.md"
done
"$bin" columns --format man >"$tmp/gen"
replace "$root/man/jouletrace.1" '.\" columns begin' '.\" columns end' "$tmp/gen" "$tmp/jouletrace.1"

status=0
for pair in "README.md:$tmp/README.md" "man/jouletrace.1:$tmp/jouletrace.1"; do
  dst=${pair%%:*}; new=${pair#*:}
  if ! cmp -s "$root/$dst" "$new"; then
    if [ "$check" = 1 ]; then
      echo "$dst: the column list is out of date; run: sh scripts/gen-column-docs.sh" >&2
      diff -u "$root/$dst" "$new" | head -n 20 >&2 || true
      status=1
    else
      cp "$new" "$root/$dst"; echo "gen-column-docs.sh: updated $dst"
    fi
  fi
done
exit $status
