#!/bin/sh
# make demo: judge, calibrate and measure the bundled example suite with the
# freshly built binary. Uses the model backend when this host has no RAPL
# counters (VMs, CI): its numbers are estimates and every output says so.
# Usage: scripts/demo.sh [BINARY]   (default build/jouletrace)
set -eu
bin=${1:-build/jouletrace}
suite=suites/examples/quickstart.yaml

echo "== $bin validate $suite"
"$bin" validate "$suite"

echo
echo "== $bin status"
"$bin" status || true   # not ready until calibrated: that is the next step

# Real counters when the host has them, else the model (labelled as such).
backend=hardware
"$bin" status --backend hardware --json 2>/dev/null | grep -q '"backend_ready": true' || backend=model
echo
echo "== $bin calibrate --backend $backend --windows 10 --seconds 0.5   (short; the default is 30 x 1 s)"
"$bin" calibrate --backend "$backend" --windows 10 --seconds 0.5

echo
echo "== $bin run $suite --backend $backend"
"$bin" run "$suite" --backend "$backend"
