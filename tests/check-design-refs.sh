#!/bin/sh
# Checks the design citations in the source: every `docs/design.md "Section"`
# in harness/, include/, tests/ and scripts/ must name a heading (## or ###)
# of docs/design.md, and nothing may cite the old DESIGN[.]md, `DESIGN §n`
# or `design.md §n` (a file outside the repository, numbered sections).
# A citation may name several sections ("A" and "B", "A", "B", "A" or "B")
# and may wrap across comment lines (leading `*`, `//`, `#` are skipped).
#
# usage: tests/check-design-refs.sh [ROOT]   (default: the current directory)
# Prints one line FILE:LINE: message per bad citation; exit 1 when there is
# one (or the checker failed its self-test on a scratch tree), else 0.
# Before the tree it checks a scratch tree of known good and bad citations
# and fails when the checker would miss one of them, so a broken pattern
# cannot pass silently.
set -u
root=${1:-.}

# Not checked: this script (its self-test writes bad citations on purpose).
skip='tests/check-design-refs.sh'

# check_tree ROOT SKIP: the bad citations under ROOT, one line each; exit 1 if any.
check_tree() {
    doc="$1/docs/design.md"
    if [ ! -f "$doc" ]; then echo "$doc: missing (the code cites its sections)"; return 1; fi
    files=$(cd "$1" && grep -rIl --exclude-dir=out -e 'design' -e 'DESIGN' -e '§' \
                harness include tests scripts 2>/dev/null | LC_ALL=C sort)
    [ -n "$files" ] || return 0
    files=$(printf '%s\n' $files | grep -vxF "$2")
    [ -n "$files" ] || return 0
    # shellcheck disable=SC2086 # the repository's paths have no blanks
    (cd "$1" && LC_ALL=C awk '
    FILENAME == DOC { # the headings of docs/design.md, the first file read
        if ($0 ~ /^###? /) { h = $0; sub(/^###? +/, "", h); sub(/ +$/, "", h); head[h] = 1 }
        next
    }
    FNR == 1 { if (prev != "") scan(); prev = FILENAME; text = ""; nl = 0 }
    {
        line = $0
        sub(/^[ \t]*(\/\*+|\*+\/?|\/\/+|#+)?[ \t]*/, "", line)
        sub(/[ \t]*\*\/[ \t]*$/, "", line)
        nl++; start[nl] = length(text) + 1
        text = text line " "
    }
    function lineof(pos,   i) { for (i = nl; i > 1 && start[i] > pos; i--) ; return i }
    function bad(pos, msg) { printf "%s:%d: %s\n", prev, lineof(pos), msg; nbad++ }
    function scan(   t, off, p, rest, name, n) {
        t = text; off = 0
        while ((p = match(t, /DESIGN[.]md|DESIGN[ ]*§|design[.]md/)) > 0) {
            hit = substr(t, p, RLENGTH); rest = substr(t, p + RLENGTH)
            if (hit != "design.md") bad(off + p, "cites " hit " (cite docs/design.md \"Section name\")")
            else if (rest ~ /^[ ]*§/) bad(off + p, "cites design.md by number (cite its section name)")
            else {
                sub(/^[ ]*[,:]?[ ]*(sections?[ ]+)?/, "", rest)
                while (rest ~ /^"[^"]*"/) {
                    n = index(substr(rest, 2), "\"")
                    name = substr(rest, 2, n - 1); gsub(/ +/, " ", name)
                    if (!(name in head))
                        bad(off + p, "cites docs/design.md \"" name "\", not a heading of docs/design.md")
                    rest = substr(rest, n + 2)
                    if (rest !~ /^[ ]*(,|and|or|\/)[ ]*(and[ ]+)?"/) break
                    sub(/^[ ]*(,|and|or|\/)[ ]*(and[ ]+)?/, "", rest)
                }
            }
            off += p + RLENGTH - 1; t = substr(t, p + RLENGTH)
        }
    }
    END { if (prev != "") scan(); exit nbad > 0 }
    ' DOC=docs/design.md docs/design.md $files)
}

# The self-test: each bad file must be reported (once), the good one never.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/jt-design-refs.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/docs" "$scratch/harness" "$scratch/include" "$scratch/tests/out"
printf '# T\n\n## Stop rule\n### Energy backends\n#### Deeper\n' >"$scratch/docs/design.md"
cat >"$scratch/harness/good.c" <<'EOF'
/* see docs/design.md "Stop rule" and "Energy backends"; docs/design.md, "Stop rule";
 * wrapped: docs/design.md "Energy
 * backends"; no section: docs/design.md itself */
EOF
printf '/* docs/design.md "Stop rules" */\n' >"$scratch/harness/bad1.c"
printf '# docs/design.md "Stop rule" and\n# "Floor"\n' >"$scratch/tests/bad2.sh"
printf '/* DESIGN.md section 5 */\n' >"$scratch/include/bad3.h"
printf '/* (DESIGN %s5 step 6) */\n' '§' >"$scratch/harness/bad4.c"
printf '/* docs/design.md %s5 */\n' '§' >"$scratch/harness/bad5.c"
printf '/* docs/design.md "Deeper" (only ## and ### are sections) */\n' >"$scratch/harness/bad6.c"
printf '/* DESIGN.md in a log */\n' >"$scratch/tests/out/ignored.log"
got=$(check_tree "$scratch" none | sed 's/:.*//' | LC_ALL=C sort | tr '\n' ' ')
want='harness/bad1.c harness/bad4.c harness/bad5.c harness/bad6.c include/bad3.h tests/bad2.sh '
if [ "$got" != "$want" ]; then
    echo "check-design-refs.sh: self-test: reported [$got], expected [$want]"
    exit 1
fi
check_tree "$scratch" harness/bad1.c | grep -q '^harness/bad1.c' &&
    { echo "check-design-refs.sh: self-test: a skipped file was checked"; exit 1; }

check_tree "$root" "$skip"
