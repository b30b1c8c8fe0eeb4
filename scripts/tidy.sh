#!/usr/bin/env bash
# Static analysis gate. Runs clang-tidy with the repository's .clang-tidy over every translation
# unit of ours (app/ ui/ model/ storage/ resources/ tests/), in parallel, and fails on any warning.
#   scripts/tidy.sh               clang-tidy over everything (build/tidy holds compile_commands.json)
#   scripts/tidy.sh FILE...       clang-tidy over these .cpp files only
#   scripts/tidy.sh --changed REF clang-tidy over the .cpp files changed since the merge base with REF,
#                                 and those that include a changed header directly (a quick pre-check;
#                                 the full run is the gate)
#   scripts/tidy.sh --format      clang-format --dry-run --Werror over our .h and .cpp files
# CLANG_TIDY / CLANG_FORMAT name other binaries; TIDY_JOBS overrides the parallelism (nproc).
#
# A translation unit that clang-tidy passed is remembered, like ccache remembers objects: the key
# is a hash of clang-tidy's version, .clang-tidy, the unit's compile command and its preprocessed
# text (every header it includes, ours and Qt's), with the checkout's path taken out so that fresh
# clones share it. An unchanged unit is not analysed again; any change to it or to a header it
# includes is. The cache is $HELIODESK_TIDY_CACHE (default ~/.cache/heliodesk/clang-tidy);
# HELIODESK_TIDY_CACHE=off analyses everything.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$SECONDS

elapsed() { echo "tidy.sh: $1 in $((SECONDS - started)) s"; }

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "tidy.sh needs $1 (Debian/Ubuntu package $2). Install it with: apt-get install -y $2" >&2
    exit 1
  fi
}

pick() { # the versioned binary this configuration was written for, else the unversioned one
  if command -v "$1-14" >/dev/null 2>&1; then echo "$1-14"; else echo "$1"; fi
}

jobs="${TIDY_JOBS:-$(nproc)}"
our_dirs=(app ui model storage resources tests)

if [ "${1:-}" = "--format" ]; then
  format="${CLANG_FORMAT:-$(pick clang-format)}"
  need "$format" clang-format
  mapfile -t files < <(git ls-files -- "${our_dirs[@]/%//*.h}" "${our_dirs[@]/%//*.cpp}")
  status=0
  printf '%s\0' "${files[@]}" | xargs -0 -P "$jobs" -n 16 "$format" --dry-run --Werror || status=$?
  if [ "$status" -ne 0 ]; then
    elapsed "clang-format found badly formatted files (listed above; fix with $format -i FILE)"
    exit 1
  fi
  elapsed "clang-format: ${#files[@]} files formatted as .clang-format says"
  exit 0
fi

tidy="${CLANG_TIDY:-$(pick clang-tidy)}"
need "$tidy" clang-tidy
build="$root/build/tidy"

# compile_commands.json, and the moc output the sources include (foo.moc, moc_foo.cpp). The
# compiler launcher (ccache) is set by cmake/CommonConfig.cmake; nothing is compiled here.
mkdir -p "$build"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHELIODESK_BUILD_TESTS=ON \
  -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >"$build/configure.log" 2>&1 || {
  cat "$build/configure.log" >&2
  echo "tidy.sh: cmake could not configure $build (log above)." >&2
  exit 1
}
# The <target>_autogen build targets would first build every library the target links; running
# moc alone (what those targets run) takes seconds instead of a full build.
find "$build" -path '*/CMakeFiles/*_autogen.dir/AutogenInfo.json' -print0 |
  xargs -0 -P "$jobs" -I{} sh -c 'cd "${1%/CMakeFiles/*}" && cmake -E cmake_autogen "$1" Debug' sh {}
elapsed "configured and generated moc files"

# Our translation units as the build sees them (a file no target compiles cannot be analysed).
mapfile -t units < <(grep -o '"file": "[^"]*"' "$build/compile_commands.json" | sed 's/^"file": "//; s/"$//' |
  grep -E "^$root/($(IFS='|'; echo "${our_dirs[*]}"))/" | sort -u)
if [ "${1:-}" = "--changed" ]; then
  base="$(git merge-base "${2:?usage: scripts/tidy.sh --changed GIT-REF}" HEAD)"
  mapfile -t changed < <({ git diff --name-only "$base" -- "${our_dirs[@]}"; git ls-files --others --exclude-standard -- "${our_dirs[@]}"; } | sort -u)
  wanted=()
  for f in "${changed[@]}"; do
    case "$f" in
      *.cpp) wanted+=("$root/$f") ;;
      *.h) mapfile -t -O "${#wanted[@]}" wanted < <(grep -l -r -E "#include [\"<]([a-z0-9]+/)*$(basename "$f")[\">]" \
             --include='*.cpp' "${our_dirs[@]/#/$root/}" || true) ;;
    esac
  done
  files=()
  for u in "${units[@]}"; do
    for w in "${wanted[@]}"; do
      if [ "$u" = "$w" ]; then files+=("$u"); break; fi
    done
  done
  if ((${#files[@]} == 0)); then
    elapsed "no translation unit of ours changed since $2"
    exit 0
  fi
elif (($#)); then
  files=()
  for f in "$@"; do files+=("$(realpath "$f")"); done
else
  files=("${units[@]}")
fi
echo "tidy.sh: clang-tidy over ${#files[@]} files, $jobs at a time"

# One output file per translation unit, so that parallel runs do not interleave their lines.
out="$build/clang-tidy"
rm -rf "$out" && mkdir -p "$out"

cache="${HELIODESK_TIDY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/heliodesk/clang-tidy}"
if [ "$cache" != off ]; then
  mkdir -p "$cache"
  # Each unit's compile command (JSON-unescaped, for the preprocessor), one file per unit.
  commands="$build/tidy-commands"
  rm -rf "$commands" && mkdir -p "$commands"
  awk -v dir="$commands" '
    /^  "command": / { c = $0; sub(/^  "command": "/, "", c); sub(/",$/, "", c); gsub(/\\"/, "\"", c); gsub(/\\\\/, "\\", c) }
    /^  "file": / { f = $0; sub(/^  "file": "/, "", f); sub(/",?$/, "", f); n = f; gsub(/\//, "_", n)
                    if (!(n in seen)) { seen[n] = 1; print c > (dir "/" n ".cmd"); close(dir "/" n ".cmd") } }
  ' "$build/compile_commands.json"
  config_key="$({ "$tidy" --version; cat "$root/.clang-tidy"; } | sha256sum | cut -d' ' -f1)"
fi
export cache config_key root

# Analyses one unit unless the cache knows it passed: $1 clang-tidy, $2 build dir, $3 output dir, $4 file.
tidy_one() {
  name="$(echo "$4" | tr / _)"
  f="$3/$name"
  key=""
  if [ "$cache" != off ] && [ -f "$2/tidy-commands/$name.cmd" ]; then
    command="$(sed 's/ -o [^ ]*/ -o -/; s/ -c / -E -P /' "$2/tidy-commands/$name.cmd")"
    key="$( { echo "$config_key"; echo "$command"; (cd "$2" && eval "$command" 2>/dev/null); } |
      sed "s|$root|@ROOT@|g" | sha256sum | cut -d' ' -f1)"
    if [ -e "$cache/$key" ]; then
      : >"$f.log"; : >"$f.err"; echo "$4" >"$f.cached"
      return 0
    fi
  fi
  status=0
  "$1" -p "$2" --quiet "$4" >"$f.log" 2>"$f.err" || status=$?
  if [ -n "$key" ] && [ "$status" -eq 0 ] && ! grep -q -E ': (warning|error): ' "$f.log"; then
    touch "$cache/$key"
  fi
  return "$status"
}
export -f tidy_one

status=0
printf '%s\0' "${files[@]}" | xargs -0 -P "$jobs" -I{} bash -c 'tidy_one "$@"' bash "$tidy" "$build" "$out" {} || status=$?
cached="$(find "$out" -name '*.cached' | wc -l)"
echo "tidy.sh: $cached of ${#files[@]} files unchanged since clang-tidy last passed them (cache: $cache)"
log="$build/clang-tidy.log"
cat "$out"/*.log >"$log" 2>/dev/null || true
# clang-tidy's own trouble (a file it cannot parse, a broken configuration) goes to stderr.
cat "$out"/*.err 2>/dev/null | grep -v -E 'warnings? generated|^Suppressed [0-9]+ warnings|^Use -header-filter|^$' >>"$log" || true
cat "$log"
if [ "$status" -ne 0 ] || grep -q -E ': (warning|error): ' "$log"; then
  echo
  echo "Findings by check:"
  grep -o -E '\[[a-z0-9.,-]+\]$' "$log" | sed 's/,-warnings-as-errors//' | sort | uniq -c | sort -rn || true
  elapsed "clang-tidy FAILED over ${#files[@]} files (fix the findings above, or NOLINT(check) the one line, saying why)"
  exit 1
fi
elapsed "clang-tidy found nothing in ${#files[@]} files"
