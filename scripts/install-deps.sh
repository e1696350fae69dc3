#!/bin/sh
# Installs the Debian packages JouleTrace needs, and only those that are missing:
# make and the C compiler included, so it works on a bare Debian 12 (minbase).
# Idempotent; silent when everything is already there; apt's own chatter goes to
# a log that is shown only when the installation fails.
#   scripts/install-deps.sh          what building and running need (make demo)
#   scripts/install-deps.sh --test   also what `make check` needs: Check, clang and its
#                                    fuzzing runtime, Chromium for the report screenshot test
#   scripts/install-deps.sh --bench  also what `make bench` compares with: hyperfine
#                                    (Debian 12 packages no pyperf; the bench says so)
set -eu

build_pkgs="make gcc libc6-dev pkg-config libyaml-dev libcsv-dev libgsl-dev libjansson-dev zlib1g-dev libseccomp-dev
            libsqlite3-dev libmicrohttpd-dev libhiredis-dev python3"
test_pkgs="check clang libclang-rt-14-dev chromium redis-server curl jq"
pkgs=$build_pkgs
case "${1:-}" in
  --test) pkgs="$build_pkgs $test_pkgs" ;;
  --bench) pkgs="$build_pkgs hyperfine" ;;
  "") ;;
  -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "install-deps.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac

missing=""
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps.sh: missing packages:$missing (no apt-get here; install them by hand)" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps.sh: need root to install:$missing" >&2; exit 1; }
  sudo="sudo"
fi
log=$(mktemp "${TMPDIR:-/tmp}/jouletrace-install-deps.XXXXXX.log")
n=$(echo $missing | wc -w)
printf 'install-deps.sh: installing %s missing Debian packages:%s ... ' "$n" "$missing" >&2
start=$(date +%s)
# shellcheck disable=SC2086
if ! { $sudo apt-get update -q && $sudo env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends $missing; } >"$log" 2>&1; then
  echo "failed" >&2
  tail -n 20 "$log" | sed 's/^/  apt: /' >&2
  echo "install-deps.sh: the whole apt log is in $log" >&2
  exit 1
fi
echo "done ($(( $(date +%s) - start )) s)" >&2
rm -f "$log"
