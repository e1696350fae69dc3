#!/bin/sh
# check-layers.sh [ROOT] — fails (exit 1, one line per offending include)
# when an include reaches up or sideways across harness/'s folders
# (docs/design.md "Data flow"):
#   up       a file of energy/, exec/, stats/ or suite/ (or a public header
#            they own) includes a header of measure/ or commands/;
#   private  a file outside harness/D/ includes one of D's own headers
#            ("D/x.h"); only harness/main.c may include commands/commands.h.
# A public header include/jouletrace/NAME.h belongs to the folder of harness/
# that holds NAME.c; a header without such a file belongs to no folder.
# ROOT defaults to the current directory. tests/test_layers.c runs it on the
# tree (so `make check` keeps the layering) and on small trees that break it.
set -u
root=${1:-.}
cd "$root" || exit 2
[ -d harness ] || { echo "check-layers.sh: no harness/ in $root" >&2; exit 2; }
lower="energy exec stats suite"
upper="measure commands"

in_list() { # WORD LIST...
  w=$1; shift
  for x in "$@"; do [ "$x" = "$w" ] && return 0; done
  return 1
}

# The folder of harness/ that owns include/jouletrace/NAME.h, or nothing.
owner_of_public() {
  for f in harness/*/"$1".c; do
    [ -f "$f" ] || continue
    d=${f#harness/}
    echo "${d%%/*}"
    return
  done
}

# The folder a source file belongs to: harness/D/... -> D; a public header ->
# its owner.
folder_of() {
  case $1 in
    harness/*/*) d=${1#harness/}; echo "${d%%/*}" ;;
    include/jouletrace/*.h) n=${1##*/}; owner_of_public "${n%.h}" ;;
  esac
}

# Prints one line per offending include of file $1.
check_file() {
  f=$1
  me=$(folder_of "$f")
  # "#include <x>" or "#include "x"" as "LINE x"
  grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]' "$f" |
    sed 's/^\([0-9]*\):[^"<]*["<]\([^">]*\)[">].*/\1 \2/' |
  while read -r line inc; do
    target=
    private=
    case $inc in
      jouletrace/*.h) n=${inc#jouletrace/}; target=$(owner_of_public "${n%.h}") ;;
      */*)
        # resolved as the compiler does: beside the file, then -Iharness
        p=$(realpath -m --relative-to=. "$(dirname "$f")/$inc")
        [ -f "$p" ] || p=harness/$inc
        [ -f "$p" ] || continue # a system header
        case $p in
          harness/*/*) d=${p#harness/}; target=${d%%/*}; private=$target ;;
          include/jouletrace/*.h) n=${p##*/}; target=$(owner_of_public "${n%.h}") ;;
        esac ;;
    esac
    [ -n "$target" ] || continue
    if [ -n "$me" ] && in_list "$me" $lower && in_list "$target" $upper; then
      echo "$f:$line: includes $inc, a header of $target/ ($me/ is below measure/ and commands/)"
    elif [ -n "$private" ] && [ "$private" != "$me" ] &&
         ! { [ "$f" = harness/main.c ] && [ "$inc" = commands/commands.h ]; }; then
      echo "$f:$line: includes $inc, a header private to $private/ (give it a public one in include/jouletrace/)"
    fi
  done
}

files=$( { find harness -name '*.[ch]'; find include/jouletrace -name '*.h' 2>/dev/null; } | LC_ALL=C sort)
out=$(for f in $files; do check_file "$f"; done)
[ -z "$out" ] && exit 0
printf '%s\n' "$out"
exit 1
