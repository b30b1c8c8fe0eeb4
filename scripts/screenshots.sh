#!/usr/bin/env bash
# Grabs Heliodesk's windows into docs/screenshots/*.png: the first-run and sign-in dialogs, and the
# main window on a seeded demo database (tests/support/demodata.cpp) with answers streamed by a local
# OpenAI-compatible test server. Builds heliodesk_screenshots if needed and runs it in a real X
# server (Xvfb), not offscreen. The folder is replaced only when every picture was made, so it never
# keeps a picture that is no longer produced.
#
#   scripts/screenshots.sh                  # build dir build/dev (the "dev" preset)
#   BUILD_DIR=build/ui scripts/screenshots.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-build/dev}"
case "$build_dir" in /*) ;; *) build_dir="$root/$build_dir" ;; esac
out_dir="$root/docs/screenshots"

for tool in cmake xvfb-run; do
    command -v "$tool" >/dev/null || { echo "screenshots.sh: $tool is missing (apt-get install cmake xvfb xauth)" >&2; exit 1; }
done

if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
    cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHELIODESK_BUILD_TESTS=ON
fi
cmake --build "$build_dir" --target heliodesk_screenshots

shots="$(mktemp -d "${TMPDIR:-/tmp}/heliodesk-screenshots.XXXXXX")"
trap 'rm -rf "$shots"' EXIT
# A fixed style, font resolution and locale and no desktop settings, so the pictures do not depend
# on who runs the script.
env -u QT_QPA_PLATFORM -u QT_STYLE_OVERRIDE -u QT_SCALE_FACTOR -u QT_SCREEN_SCALE_FACTORS \
    QT_QPA_PLATFORMTHEME=generic QT_FONT_DPI=96 LC_ALL=C.UTF-8 QT_LOGGING_RULES="*.info=false" \
    xvfb-run -a -s "-screen 0 1600x1000x24" \
    "$build_dir/tests/ui/heliodesk_screenshots" "$shots"

mkdir -p "$out_dir"
rm -f "$out_dir"/*.png
cp "$shots"/*.png "$out_dir"/
echo "screenshots written to ${out_dir#"$root"/}:"
ls -1 "$out_dir"/*.png
