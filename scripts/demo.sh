#!/bin/sh
# make demo: judge, calibrate and measure the bundled example suite with the
# freshly built binary. Uses the model backend when this host has no RAPL
# counters (VMs, CI): its numbers are estimates and every output says so.
# The calibration stays in this checkout (calibration/), not in the host's
# state directory, so a demo never replaces a real calibration.
# Usage: scripts/demo.sh [BINARY]   (default build/jouletrace)
set -eu
bin=${1:-build/jouletrace}
suite=suites/examples/quickstart.yaml
JOULETRACE_STATE_DIR=$(pwd)/calibration
export JOULETRACE_STATE_DIR

step() { printf '\n== %s\n' "$*"; }

step "1/4 correctness: $bin validate $suite"
"$bin" validate "$suite"

# Real counters when the host has them, else the model (labelled as such).
backend=hardware
"$bin" status --backend hardware --json 2>/dev/null | grep -q '"backend_ready": true' || backend=model
step "2/4 idle baseline: $bin calibrate --backend $backend --windows 10 --seconds 0.5   (short; the default is 30 x 1 s)"
"$bin" calibrate --backend "$backend" --windows 10 --seconds 0.5

step "3/4 host readiness: $bin status --backend $backend"
"$bin" status --backend "$backend"

step "4/4 measurement: $bin run $suite --backend $backend"
out=reports/quickstart-$(date -u +%Y%m%dT%H%M%SZ)
"$bin" run "$suite" --backend "$backend" -o "$out"

printf '\nThe report: %s/index.html (open it in a browser); results.csv, leaderboard.csv, summary.json beside it.\n' "$out"
[ "$backend" = model ] &&
  printf 'This host has no usable RAPL counters, so every figure above is a model ESTIMATE (energy_source=model), not a measurement.\n'
exit 0
