#!/usr/bin/env bash
# Renders the app icon packaging/icons/heliodesk.svg into the PNGs that are committed beside it:
# packaging/icons/hicolor/<n>x<n>/heliodesk.png (installed into the hicolor theme on Linux, and
# the source of the Windows .ico and macOS .icns) and resources/icons/heliodesk.png (256 px, the
# window icon compiled into the program). Run it after editing the SVG and commit the results.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
svg="$root/packaging/icons/heliodesk.svg"
sizes=(16 22 24 32 48 64 128 256 512)

if ! command -v rsvg-convert >/dev/null 2>&1; then
  echo "scripts/icons.sh needs rsvg-convert (Debian package librsvg2-bin); installing it."
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends librsvg2-bin
fi

for n in "${sizes[@]}"; do
  out="$root/packaging/icons/hicolor/${n}x${n}/heliodesk.png"
  mkdir -p "$(dirname "$out")"
  rsvg-convert --width "$n" --height "$n" --keep-aspect-ratio "$svg" --output "$out"
  echo "$out"
done
mkdir -p "$root/resources/icons"
cp "$root/packaging/icons/hicolor/256x256/heliodesk.png" "$root/resources/icons/heliodesk.png"
echo "$root/resources/icons/heliodesk.png"
