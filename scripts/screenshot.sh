#!/bin/sh
# screenshot.sh — headless Chromium screenshot of a JouleTrace report page,
# checked to exist and not be blank. CI runs it on the example report.
#
#   scripts/screenshot.sh INDEX_HTML [OUT_PNG] [WIDTHxHEIGHT]
#     OUT_PNG defaults to INDEX_HTML's directory/index.png, size to 1280x2000.
#   scripts/screenshot.sh --check
#     only make sure chromium is there (installing it): exit 0, or 77.
#
# Installs Debian's `chromium` when no chromium is on PATH (apt-get; needs
# root or sudo). Chromium runs with no network use of its own (no sync,
# component updates or background networking) and a throwaway profile; the
# page itself is self-contained.
#
# Exit: 0 screenshot written and not blank; 1 no screenshot, or a blank one
# (too few distinct pixel values); 2 usage; 77 chromium missing and could not
# be installed (a skip, for test runners that know 77).
set -eu

usage() { echo "usage: $0 INDEX_HTML [OUT_PNG] [WIDTHxHEIGHT]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 3 ] || usage
case "$1" in -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
check_only=0
[ "$1" = --check ] && check_only=1
if [ $check_only = 0 ]; then
  html=$1
  [ -f "$html" ] || { echo "screenshot: $html: no such file" >&2; exit 2; }
  out=${2:-$(dirname "$html")/index.png}
  size=${3:-1280x2000}
  case "$size" in *x*) ;; *) usage ;; esac
  width=${size%x*}; height=${size#*x}
fi

find_chromium() {
  for c in chromium chromium-browser google-chrome; do
    if command -v "$c" >/dev/null 2>&1; then command -v "$c"; return 0; fi
  done
  return 1
}

if ! browser=$(find_chromium); then
  echo "screenshot: installing chromium (apt-get)" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo -n"
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
         --no-install-recommends chromium; } >&2; then
    echo "screenshot: SKIP: chromium is not installed and could not be installed" >&2
    exit 77
  fi
  browser=$(find_chromium) || { echo "screenshot: SKIP: no chromium after install" >&2; exit 77; }
fi
[ $check_only = 1 ] && exit 0

abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT INT TERM
rm -f "$out"
# timeout: a wedged browser must not hang CI.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$profile" --window-size="$width,$height" \
  --screenshot="$out" "file://$abs" >"$profile/chromium.log" 2>&1 || {
    echo "screenshot: chromium failed:" >&2; tail -n 20 "$profile/chromium.log" >&2; exit 1; }

[ -s "$out" ] || { echo "screenshot: no PNG was written to $out" >&2; exit 1; }

# Not blank: decode the PNG (stdlib only) and count distinct pixel values
# and the share of pixels that differ from the most common (background) one.
python3 - "$out" <<'PY'
import struct, sys, zlib
path = sys.argv[1]
data = open(path, "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(f"screenshot: {path} is not a PNG")
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    chunk = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR": ihdr = struct.unpack(">IIBBBBB", chunk)
    elif kind == b"IDAT": idat += chunk
    pos += 12 + n
w, h, depth, ctype = ihdr[0], ihdr[1], ihdr[2], ihdr[3]
if depth != 8 or ctype not in (2, 6):
    sys.exit(f"screenshot: unexpected PNG format (depth {depth}, colour type {ctype})")
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, counts = bytearray(stride), {}
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        px = bytes(line[x:x + 3])
        counts[px] = counts.get(px, 0) + 1
    prev = line
total, top = w * h, max(counts.values())
share = 1 - top / total
print(f"screenshot: {path}: {w}x{h}, {len(counts)} distinct colours, "
      f"{100 * share:.1f}% non-background pixels")
if len(counts) < 16 or share < 0.01:
    sys.exit("screenshot: the page looks blank")
PY
