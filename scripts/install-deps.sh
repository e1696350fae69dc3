#!/bin/sh
# Installs the Debian packages JouleTrace needs to build and test, and only those
# that are missing. Idempotent; silent when everything is already there.
#   scripts/install-deps.sh            build + test dependencies
#   scripts/install-deps.sh --report   also what the report screenshot check needs
set -eu

pkgs="build-essential pkg-config libyaml-dev libcsv-dev libgsl-dev libjansson-dev zlib1g-dev check python3"
case "${1:-}" in
  --report) pkgs="$pkgs chromium" ;;
  "") ;;
  -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
echo "install-deps.sh: installing$missing" >&2
$sudo apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
