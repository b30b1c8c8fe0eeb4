#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs every test with ctest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh" ci

cd "$root"
export QT_QPA_PLATFORM=offscreen
ctest --preset ci --parallel 2 "$@"
