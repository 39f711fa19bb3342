#!/usr/bin/env bash
# Fetches real, full-size photos from Debian packages into a folder (default
# /tmp/alexnet-photos) for checks that need them; nothing here is committed.
#   testdata/gen/photos.sh [DIR]
# Sources: ukui-wallpapers and lomiri-wallpapers (3640x2400..4096x2304 JPEG and
# PNG), python-matplotlib-data (grace_hopper.jpg), python3-skimage (astronaut,
# coffee, chelsea, rocket...). Needs apt-get (run as root).
set -euo pipefail
dir=${1:-/tmp/alexnet-photos}
mkdir -p "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download ukui-wallpapers lomiri-wallpapers python-matplotlib-data python3-skimage >/dev/null 2>&1 || {
  apt-get update -qq >/dev/null && apt-get download ukui-wallpapers lomiri-wallpapers python-matplotlib-data python3-skimage >/dev/null
}
for deb in *.deb; do dpkg-deb -x "$deb" x; done
find x -type f \( -path '*/backgrounds/*' -o -name grace_hopper.jpg -o -path '*/skimage/data/*' \) \
  \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) -exec cp {} "$dir"/ \;
ls "$dir"
