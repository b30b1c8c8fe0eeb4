#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan, ccache) in build/fuzz and
# runs each for SECONDS on a copy of its seed corpus and regressions (the repository's corpus is
# never grown). Fails when a target finds a crash, a failed invariant, a leak, a timeout or an
# out-of-memory, and says where the reproducer is.
#
#   scripts/fuzz.sh [SECONDS=60] [TARGET...]      TARGET: sseparser, ctlcommands, … (default: all)
# Targets run side by side, HELIODESK_FUZZ_PARALLEL (nproc) at a time; HELIODESK_FUZZ_OPTIONS adds
# libFuzzer flags (for example -rss_limit_mb=64, or -only_ascii=1).
#
# A reproducer replays with  build/fuzz/tests/fuzz/fuzz_<target> <file>  (or, without clang, with
# the replay test of the ordinary build); copy it to tests/fuzz/regressions/<target>/ once fixed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}"
[[ $# -gt 0 ]] && shift
build="${HELIODESK_FUZZ_BUILD_DIR:-$root/build/fuzz}"
jobs="${HELIODESK_FUZZ_BUILD_JOBS:-2}"

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    targets=()
    for source in "$root"/tests/fuzz/fuzz_*.cpp; do
        name="$(basename "$source" .cpp)"
        targets+=("${name#fuzz_}")
    done
fi

launcher=()
command -v ccache > /dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

start=$SECONDS
mkdir -p "$build"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DHELIODESK_FUZZ=ON -DHELIODESK_BUILD_TESTS=OFF "${launcher[@]}" > "$build/configure.log" 2>&1 \
    || { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j "$jobs" --target "${targets[@]/#/fuzz_}"
build_time=$((SECONDS - start))
echo "fuzz: built ${#targets[@]} targets in ${build_time} s"

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export QT_QPA_PLATFORM=offscreen

# Runs one target for SECONDS; what it says goes to $work/report, and $work/failed marks a finding.
run_one() {
    local target="$1" binary="$build/tests/fuzz/fuzz_$1" work="$build/fuzz-run/$1"
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts"
    # A copy: what the fuzzer adds stays in the build folder.
    find "$root/tests/fuzz/corpus/$target" "$root/tests/fuzz/regressions/$target" -maxdepth 1 -type f ! -name '.*' \
        -exec cp -t "$work/corpus" {} + 2> /dev/null || true
    local options=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 -max_len=8192 -print_final_stats=1
                   -artifact_prefix="$work/artifacts/")
    [[ -f "$root/tests/fuzz/$target.dict" ]] && options+=(-dict="$root/tests/fuzz/$target.dict")
    # shellcheck disable=SC2206 # extra libFuzzer flags, space-separated on purpose
    options+=(${HELIODESK_FUZZ_OPTIONS:-})
    local status=0
    (cd "$work" && "$binary" "${options[@]}" "$work/corpus" > "$work/log" 2>&1) || status=$?
    local reproducers=("$work"/artifacts/*)
    if [[ $status -ne 0 || -e "${reproducers[0]}" ]]; then
        touch "$work/failed"
        {
            echo "fuzz: $target FAILED (exit $status); what it found (whole log: $work/log):"
            # The report's headline and its first frames, then the one-line summary.
            awk '/ERROR: |invariant failed|runtime error:|ALARM: |out-of-memory/ { shown = 1 }
                 shown && n < 30 { print "    " $0; n++ }' "$work/log"
            grep -E '^SUMMARY:' "$work/log" | sed 's/^/    /' || true
            for reproducer in "${reproducers[@]}"; do
                [[ -e $reproducer ]] && echo "fuzz: reproducer: $reproducer  (replay: $binary $reproducer)"
            done
        } > "$work/report"
    else
        { grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$work/log" | tr '\n' ' ' | sed "s/^/fuzz: $target ok: /"
          echo; } > "$work/report"
    fi
}

# Targets run side by side, one per core (HELIODESK_FUZZ_PARALLEL overrides): each is one process.
parallel="${HELIODESK_FUZZ_PARALLEL:-$(nproc)}"
failed=()
run_start=$SECONDS
echo "fuzz: ${#targets[@]} targets for ${seconds} s each, ${parallel} at a time"
running=0
for target in "${targets[@]}"; do
    if ((running >= parallel)); then
        wait -n || true
        running=$((running - 1))
    fi
    run_one "$target" &
    running=$((running + 1))
done
wait || true
for target in "${targets[@]}"; do
    work="$build/fuzz-run/$target"
    cat "$work/report" 2> /dev/null || echo "fuzz: $target left no report (see $work)"
    if [[ -e "$work/failed" || ! -e "$work/report" ]]; then
        failed+=("$target")
    fi
done
echo "fuzz: ran ${#targets[@]} targets in $((SECONDS - run_start)) s (build ${build_time} s)"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz: FAILED: ${failed[*]}"
    exit 1
fi
echo "fuzz: no crash found"
