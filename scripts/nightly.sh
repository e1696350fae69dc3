#!/bin/sh
# nightly.sh — for cron: recalibrate socket 0 when the calibration is missing,
# stale (older than 7 days) or no longer matches the host, then run each suite
# on real counters only (--backend hardware: a host that lost its RAPL access
# fails loudly instead of producing model estimates).
#
#   0 1 * * *  cd /srv/jouletrace && scripts/nightly.sh suites/nightly.yaml >>reports/nightly.log 2>&1
#
# Environment: JOULETRACE (binary, default build/jouletrace), MAX_AGE_DAYS (7).
# Exit status: the first failing jouletrace exit code (see README), else 0.
set -u
bin=${JOULETRACE:-build/jouletrace}
age=${MAX_AGE_DAYS:-7}
[ $# -gt 0 ] || { echo "usage: nightly.sh SUITE..." >&2; exit 2; }

stamp() { date -u +%Y-%m-%dT%H:%M:%SZ; }
rc=0
if ! "$bin" status --backend hardware --max-age-days "$age" >/dev/null 2>&1; then
  echo "$(stamp) nightly: not ready (calibration or lock): recalibrating"
  "$bin" calibrate --backend hardware --wait --quiet || { rc=$?; echo "$(stamp) nightly: calibrate failed ($rc)"; exit $rc; }
fi
for suite in "$@"; do
  echo "$(stamp) nightly: run $suite"
  "$bin" run "$suite" --backend hardware --wait --quiet --max-age-days "$age"
  r=$?
  echo "$(stamp) nightly: $suite exit $r"
  [ $r -ne 0 ] && [ $rc -eq 0 ] && rc=$r
done
exit $rc
