#!/usr/bin/env bash
# Installs what is missing, builds, and starts Heliodesk on the embedded SQLite database in your
# data folder. Arguments are passed to heliodesk (for example: --db /path/to/file.sqlite3).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh" release

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "There is no graphical display (DISPLAY and WAYLAND_DISPLAY are unset)." >&2
  echo "Start Heliodesk from a desktop session, or on a headless machine: xvfb-run -a scripts/run.sh" >&2
  exit 1
fi
exec "$root/build/release/app/heliodesk" "$@"
