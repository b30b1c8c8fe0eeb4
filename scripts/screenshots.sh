#!/usr/bin/env bash
# Grabs the first-run dialog, the sign-in dialog and the main window into docs/screenshots/*.png.
# Builds heliodesk_screenshots if needed and runs it in a real X server (Xvfb), not offscreen.
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

mkdir -p "$out_dir"
# A fixed style and no desktop settings, so the pictures do not depend on who runs the script.
env -u QT_QPA_PLATFORM -u QT_STYLE_OVERRIDE QT_QPA_PLATFORMTHEME=generic QT_LOGGING_RULES="*.info=false" \
    xvfb-run -a -s "-screen 0 1280x800x24" \
    "$build_dir/tests/ui/heliodesk_screenshots" "$out_dir"

echo "screenshots written to ${out_dir#"$root"/}:"
ls -1 "$out_dir"/*.png
