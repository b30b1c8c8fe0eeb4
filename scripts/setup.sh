#!/usr/bin/env bash
# Shared by run.sh and test.sh: installs what is missing (Debian/Ubuntu), then configures and
# builds one CMake preset. Usage: scripts/setup.sh PRESET
set -euo pipefail

preset="${1:?usage: scripts/setup.sh PRESET}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

packages=(
  g++ cmake ninja-build pkg-config ccache
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite libqt6sql6-psql qt6-qpa-plugins qt6-charts-dev
  qcoro-qt6-dev qtkeychain-qt6-dev libsodium-dev libexpected-dev libsqlite3-dev sqlite3 libgl-dev
  xvfb xauth fonts-dejavu-core
  curl
)

# What only the quality gates need (scripts/test.sh asks for it): clang with its sanitizer and
# libFuzzer runtimes, clang-tidy and clang-format.
# shellcheck disable=SC2206 # a space-separated list on purpose
packages+=(${HELIODESK_EXTRA_PACKAGES:-})

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "Heliodesk needs these packages: ${missing[*]}"
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "This is not a Debian or Ubuntu system (no apt-get). Install the equivalents of:" >&2
    printf '  %s\n' "${packages[@]}" >&2
    exit 1
  fi
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "Installing them needs root, and sudo is not available. As root, run:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    echo "apt-get could not install: ${missing[*]}" >&2
    echo "Heliodesk is built on Debian 12 (bookworm) packages; on another release some names may differ." >&2
    exit 1
  fi
fi

cd "$root"
cmake --preset "$preset"
cmake --build --preset "$preset" --parallel "$(nproc)"
