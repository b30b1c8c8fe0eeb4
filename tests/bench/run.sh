#!/usr/bin/env bash
# Builds the benchmarks and the soak test in Release and runs them all, printing the machine first.
# Usage: tests/bench/run.sh [BUILD_DIR]   (default build/bench; benchmark options via BENCH_ARGS)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$root/build/bench}"

for tool in cmake ninja curl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "run.sh: $tool is missing; scripts/setup.sh lists the packages Heliodesk needs." >&2
    exit 1
  fi
done

# bench_quota_pg starts its own PostgreSQL cluster (scripts/pg.sh) and runs pgbench beside it.
if ! pgbin="$("$root/scripts/pg.sh" bin)" || [ ! -x "$pgbin/pgbench" ]; then
  echo "run.sh: PostgreSQL's server programs and pgbench are missing (bench_quota_pg needs them); scripts/setup.sh installs them." >&2
  exit 1
fi

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHELIODESK_BUILD_TESTS=ON \
  -DHELIODESK_TEST_AREAS=chat >/dev/null
cmake --build "$build" --target benchmarks tst_chatsoak --parallel "$(nproc)"

echo "== machine"
echo "date:   $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu:    $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "load:   $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
echo "commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"

status=0
for bench in "$build"/tests/bench/bench_*; do
  [ -f "$bench" ] && [ -x "$bench" ] || continue # not the *_autogen folders
  echo "== $(basename "$bench")"
  # shellcheck disable=SC2086 # BENCH_ARGS is split on purpose
  "$bench" ${BENCH_ARGS:-} || status=1
done

echo "== tst_chatsoak (label soak)"
QT_QPA_PLATFORM=offscreen QT_LOGGING_RULES='heliodesk.*.debug=false' "$build/tests/chat/tst_chatsoak" || status=1

exit "$status"
