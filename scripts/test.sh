#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors and runs every test with ctest; then the
# quality gates of issue 6, each failing the run on any finding:
#   asan  the whole suite again under AddressSanitizer + UBSan + LeakSanitizer   (scripts/asan.sh)
#   fuzz  every libFuzzer target for HELIODESK_FUZZ_SECONDS (60) on its corpus  (scripts/fuzz.sh)
#   tidy  clang-tidy over every translation unit of ours                        (scripts/tidy.sh)
# HELIODESK_GATES picks them: "all" (the default), "none", or a list such as "asan tidy".
# Arguments go to the first ctest run (for example: scripts/test.sh -R chat).
# Objects go through ccache, with paths relative to the checkout, so a fresh clone reuses what an
# earlier run compiled; clang-tidy skips units it passed before (scripts/tidy.sh). Every stage's
# time is printed at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
gates="${HELIODESK_GATES:-all}"
[[ "$gates" == all ]] && gates="asan fuzz tidy"
[[ "$gates" == none ]] && gates=""

export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"
# The PostgreSQL server: the suites marked POSTGRES run again on a throwaway cluster (scripts/pg.sh,
# started and stopped by ctest's postgres fixture). Without it those tests fail; they never skip.
export HELIODESK_EXTRA_PACKAGES="postgresql ${HELIODESK_EXTRA_PACKAGES:-}"
# The package stage: dpkg-shlibdeps (dpkg-dev; CPack finds the programs with file), rpmbuild (rpm),
# and the validators of the desktop file and the AppStream metadata.
export HELIODESK_EXTRA_PACKAGES="dpkg-dev file rpm desktop-file-utils appstream ${HELIODESK_EXTRA_PACKAGES:-}"
if [[ -n "$gates" ]]; then
  export HELIODESK_EXTRA_PACKAGES="clang clang-tidy clang-format libclang-rt-14-dev ${HELIODESK_EXTRA_PACKAGES:-}"
fi

started=$SECONDS
summary=()
stage() { summary+=("$(printf '%-28s %5d s' "$1" "$2")"); }
report() {
  echo "== scripts/test.sh: what ran"
  printf '  %s\n' "${summary[@]}"
  echo "  total                        $((SECONDS - started)) s"
}
trap report EXIT

t=$SECONDS
"$root/scripts/setup.sh" ci
stage "build (ci preset)" $((SECONDS - t))

cd "$root"
export QT_QPA_PLATFORM=offscreen
t=$SECONDS
ctest --preset ci --parallel 2 "$@"
stage "tests" $((SECONDS - t))

# The .deb made from build/ci installs, runs and uninstalls cleanly (root on Debian only).
t=$SECONDS; "$root/tests/packaging/deb_install_test.sh" build/ci; stage "package (.deb install)" $((SECONDS - t))

for gate in $gates; do
  t=$SECONDS
  case "$gate" in
    asan) "$root/scripts/asan.sh" ;;
    fuzz) "$root/scripts/fuzz.sh" "${HELIODESK_FUZZ_SECONDS:-60}" ;;
    tidy) "$root/scripts/tidy.sh" ;;
    *) echo "scripts/test.sh: unknown gate \"$gate\" in HELIODESK_GATES (asan, fuzz, tidy or none)" >&2; exit 2 ;;
  esac
  stage "gate: $gate" $((SECONDS - t))
done
