#!/bin/sh
# make demo: judge the bundled example suite with the freshly built binary.
# Usage: scripts/demo.sh [BINARY]   (default build/jouletrace)
set -eu
bin=${1:-build/jouletrace}
suite=suites/examples/quickstart.yaml
echo "== $bin validate $suite"
"$bin" validate "$suite"
