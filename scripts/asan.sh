#!/usr/bin/env bash
# Builds the asan preset (AddressSanitizer + UndefinedBehaviorSanitizer + LeakSanitizer) and runs the
# whole test suite with it. Any sanitizer report fails the run. Usage: scripts/asan.sh [ctest args...]
#
# How a report becomes a failure:
# - the code is compiled with -fno-sanitize-recover=all (cmake/CommonConfig.cmake), so the first
#   AddressSanitizer or UBSan report ends the process with a non-zero status, and LeakSanitizer
#   makes the exit status non-zero at exit when it finds a leak (CMakePresets.json, test preset
#   "asan", sets ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS; the suppressions of leaks in system
#   libraries that are not ours are in tests/sanitizers/lsan.supp, each with its reason);
# - the tests that run heliodeskctl as a child process check its exit status and print its stderr;
# - and as a last net, a sanitizer report anywhere in the tests' output fails the run even if the
#   process that printed it exited 0.
#
# ccache: setup.sh's preset build goes through ccache (cmake/CommonConfig.cmake sets the compiler
# launcher when ccache is installed). CCACHE_BASEDIR makes ccache hash paths under the checkout as
# relative paths, and CCACHE_NOHASHDIR leaves the working directory out of the hash (it only lands in
# the debug info's DW_AT_comp_dir), so a fresh clone in another directory reuses the objects a
# previous run compiled. Both are only set when the caller has not set them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"

build_start=$SECONDS
"$root/scripts/setup.sh" asan
build_seconds=$((SECONDS - build_start))

cd "$root"
export QT_QPA_PLATFORM=offscreen
test_start=$SECONDS
status=0
ctest --preset asan --parallel 2 "$@" || status=$?
test_seconds=$((SECONDS - test_start))

log="$root/build/asan/Testing/Temporary/LastTest.log"
pattern='ERROR: (AddressSanitizer|LeakSanitizer)|runtime error: |SUMMARY: (AddressSanitizer|UndefinedBehaviorSanitizer)'
if [ -f "$log" ] && grep -Eq "$pattern" "$log"; then
  echo "asan: the tests' output holds sanitizer reports:" >&2
  grep -En "$pattern" "$log" | head -n 40 >&2
  status=1
fi

echo "asan: build ${build_seconds} s, tests ${test_seconds} s"
if ((status != 0)); then
  echo "asan: FAILED (sanitizer report or failing test; see the output above and $log)" >&2
fi
exit "$status"
