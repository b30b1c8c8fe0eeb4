#!/usr/bin/env bash
# Installs the .deb made from an already built tree, checks that the installed programs work and
# the desktop integration is valid, removes and purges it, and checks that nothing of it stays in
# /usr while the user's data stays in the home folder. Also makes the .rpm (when rpmbuild is
# there) and the .tar.gz from the same tree and checks their contents.
#   tests/packaging/deb_install_test.sh [BUILD_DIR]        (default: build/ci)
# Root on Debian or Ubuntu only (it installs a package): elsewhere it says so and exits 0. In CI
# (CI=true) it also runs through sudo when that needs no password; any failure fails it. Logs go to BUILD_DIR/deb-install-test/.
# It compiles nothing: scripts/test.sh has built the tree (cpack's install step only checks that).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-build/ci}"
[[ "$build" = /* ]] || build="$root/$build"

if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "deb_install_test: skipped (not Debian or Ubuntu: no dpkg and apt-get)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  # A CI runner that is not root but may sudo without a password (GitHub's) runs it all the same.
  if [ "${CI:-}" = true ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    exec sudo -n --preserve-env=CI,PATH "$0" "$build"
  fi
  echo "deb_install_test: skipped (installing a .deb needs root)"
  exit 0
fi

# --- Reporting ------------------------------------------------------------------------------------
results=()
step="start"
installed_by_us=false
work="$(mktemp -d /tmp/heliodesk-deb-test.XXXXXX)"
chmod 755 "$work" # apt reads the .deb as its unprivileged user _apt
logs="$build/deb-install-test"

begin() { step="$1"; echo "== $step"; }
pass() { results+=("ok    $step${1:+: $1}"); }
fail() {
  echo "deb_install_test: FAILED at \"$step\": $*" >&2
  results+=("FAIL  $step: $*")
  exit 1
}
summary() {
  local rc=$?
  if $installed_by_us && dpkg-query -W -f='${Status}' heliodesk 2>/dev/null | grep -q installed; then
    echo "== cleanup: purging the heliodesk package"
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -q heliodesk >"$logs/cleanup-purge.log" 2>&1 ||
      echo "deb_install_test: could not purge heliodesk; see $logs/cleanup-purge.log" >&2
  fi
  rm -rf "$work"
  echo "== deb_install_test: summary"
  printf '  %s\n' "${results[@]}"
  if ((rc == 0)); then
    echo "  PASSED (logs in $logs)"
  else
    [[ "${results[*]}" == *FAIL* ]] || echo "  FAIL  $step: stopped (exit status $rc)"
    echo "  FAILED at \"$step\" (logs in $logs)"
  fi
  exit "$rc"
}
trap summary EXIT

# --- Preconditions --------------------------------------------------------------------------------
begin "preconditions"
[ -f "$build/CMakeCache.txt" ] || fail "$build is not a build tree: build it first (scripts/setup.sh ci)"
for tool in cpack:cmake dpkg-shlibdeps:dpkg-dev file:file desktop-file-validate:desktop-file-utils appstreamcli:appstream; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || fail "${tool%%:*} is missing (Debian package ${tool#*:})"
done
if dpkg-query -W -f='${Status}' heliodesk 2>/dev/null | grep -q "install ok installed"; then
  fail "a heliodesk package is installed already; this test installs and removes its own, so remove that one first"
fi
version="$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")"
[ -n "$version" ] || fail "no CMAKE_PROJECT_VERSION in $build/CMakeCache.txt"
rm -rf "$logs" && mkdir -p "$logs"
# cpack reads CPackConfig.cmake before it brings the tree up to date: configure first, so that
# packaging settings changed since the last configure are the ones used (compiles nothing).
cmake "$build" >"$logs/configure.log" 2>&1 || { tail -n 20 "$logs/configure.log" >&2; fail "cmake could not configure $build"; }
[ -f "$build/CPackConfig.cmake" ] || fail "configuring $build made no CPackConfig.cmake"
pass "version $version from $build"

# A throwaway user: every per-user location (data, settings, keychain bus) is inside $home.
home="$work/home"
mkdir -p "$home/runtime" && chmod 700 "$home/runtime"
as_user() {
  env -u HELIODESK_DB -u HELIODESK_API_KEY -u HELIODESK_API_BASE -u HELIODESK_MODEL -u DBUS_SESSION_BUS_ADDRESS \
    HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config" XDG_CACHE_HOME="$home/.cache" \
    XDG_RUNTIME_DIR="$home/runtime" "$@"
}
data="$home/.local/share/heliodesk"

# --- Packages -------------------------------------------------------------------------------------
generators="DEB;TGZ"
command -v rpmbuild >/dev/null 2>&1 && generators="DEB;RPM;TGZ"
begin "cpack ($generators)"
if ! cpack -G "$generators" -B "$work/packages" --config "$build/CPackConfig.cmake" >"$logs/cpack.log" 2>&1; then
  tail -n 40 "$logs/cpack.log" >&2
  fail "cpack could not make the packages (log: $logs/cpack.log)"
fi
deb="$(find "$work/packages" -maxdepth 1 -name "heliodesk_${version}_*.deb" | head -n 1)"
[ -n "$deb" ] || fail "no heliodesk_${version}_*.deb in the output of cpack"
depends="$(dpkg-deb -f "$deb" Depends)"
echo "Depends: $depends"
echo "Recommends: $(dpkg-deb -f "$deb" Recommends)"
for needed in libqt6core6 libqt6widgets6 qt6-qpa-plugins libqt6sql6-sqlite libqt6sql6-psql libqt6keychain1 libsecret-1-0; do
  [[ ", $depends" == *", $needed"[\ ,]* || ", $depends" == *", $needed" ]] || fail "the .deb does not depend on $needed"
done
pass "$(basename "$deb")"

if [[ "$generators" == *RPM* ]]; then
  begin "the .rpm's contents"
  rpm_file="$(find "$work/packages" -maxdepth 1 -name "heliodesk-${version}-*.rpm" | head -n 1)"
  [ -n "$rpm_file" ] || fail "no heliodesk-${version}-*.rpm in the output of cpack"
  rpm -qpl "$rpm_file" >"$logs/rpm-files.txt" 2>/dev/null
  rpm -qpR "$rpm_file" >"$logs/rpm-requires.txt" 2>/dev/null
  for f in /usr/bin/heliodesk /usr/bin/heliodeskctl /usr/share/applications/ /usr/share/metainfo/ \
    /usr/share/icons/hicolor/256x256/apps/ /heliodesk/heliodesk_keychain.so; do
    grep -q -- "$f" "$logs/rpm-files.txt" || fail "the .rpm has no $f"
  done
  # Directories the system owns must not be claimed by the package.
  system_dirs='/usr/share/(applications|metainfo|icons|icons/hicolor)|/usr/lib/[^/]+-linux-gnu|/usr/lib64'
  if grep -qxE "$system_dirs" "$logs/rpm-files.txt"; then
    fail "the .rpm claims a system directory: $(grep -xE "$system_dirs" "$logs/rpm-files.txt" | head -n 1)"
  fi
  for req in qt6-qtbase-gui qt6-qtbase-postgresql libsecret 'libQt6Core.so.6()(64bit)'; do
    grep -qF -- "$req" "$logs/rpm-requires.txt" || fail "the .rpm does not require $req"
  done
  pass "$(basename "$rpm_file"), $(wc -l <"$logs/rpm-files.txt") paths"
fi

begin "the .tar.gz's contents"
tgz="$(find "$work/packages" -maxdepth 1 -name "heliodesk-${version}-linux-*.tar.gz" | head -n 1)"
[ -n "$tgz" ] || fail "no heliodesk-${version}-linux-*.tar.gz in the output of cpack"
tar tzf "$tgz" >"$logs/tgz-files.txt"
top="$(basename "$tgz" .tar.gz)"
for f in bin/heliodesk bin/heliodeskctl share/applications/ share/metainfo/ share/icons/hicolor/scalable/apps/; do
  grep -q "^$top/$f" "$logs/tgz-files.txt" || fail "the .tar.gz has no $top/$f"
done
grep -q "^$top/lib.*/heliodesk/heliodesk_keychain.so$" "$logs/tgz-files.txt" || fail "the .tar.gz has no keychain module"
mkdir -p "$work/tgz" && tar xzf "$tgz" -C "$work/tgz"
[ "$("$work/tgz/$top/bin/heliodeskctl" --version)" = "heliodeskctl $version" ] ||
  fail "heliodeskctl from the .tar.gz does not print \"heliodeskctl $version\""
# Relocatable: the unpacked heliodeskctl finds the unpacked keychain module (and no other).
tgz_module="$(find "$work/tgz/$top" -name heliodesk_keychain.so)"
mkdir -p "$work/home-tgz/runtime" && chmod 700 "$work/home-tgz/runtime"
home="$work/home-tgz" as_user HELIODESK_API_BASE=http://127.0.0.1:9/v1 HELIODESK_MODEL=none LD_DEBUG=libs \
  LD_DEBUG_OUTPUT="$work/tgz-ld" timeout -s KILL 120 "$work/tgz/$top/bin/heliodeskctl" provider show >"$logs/tgz-provider-show.out" 2>&1 ||
  { cat "$logs/tgz-provider-show.out" >&2; fail "heliodeskctl provider show from the .tar.gz failed"; }
grep -qs "calling init: $tgz_module\$" "$work"/tgz-ld.* || fail "heliodeskctl from the .tar.gz did not load $tgz_module"
pass "$(basename "$tgz"), unpacked heliodeskctl runs and loads its keychain module"

# --- Install --------------------------------------------------------------------------------------
export DEBIAN_FRONTEND=noninteractive
# Without Recommends: what the .deb declares in Depends must be enough for everything below.
begin "apt-get install (simulated)"
apt-get install --simulate -q --no-install-recommends "$deb" >"$logs/apt-simulate.log" 2>&1 || {
  cat "$logs/apt-simulate.log" >&2
  fail "apt cannot resolve the .deb's dependencies"
}
pulled="$(sed -n 's/^Inst \([^ ]*\).*/\1/p' "$logs/apt-simulate.log" | grep -vx heliodesk | tr '\n' ' ' || true)"
pass "would also install: ${pulled:-nothing}"

begin "apt-get install"
installed_by_us=true
apt-get install -y -q --no-install-recommends "$deb" >"$logs/apt-install.log" 2>&1 || {
  tail -n 30 "$logs/apt-install.log" >&2
  fail "apt-get install failed (log: $logs/apt-install.log)"
}
dpkg -L heliodesk | sort >"$logs/dpkg-L.txt"
cat "$logs/dpkg-L.txt"
files=()
while IFS= read -r path; do
  [ -f "$path" ] && files+=("$path")
done <"$logs/dpkg-L.txt"
((${#files[@]} > 0)) || fail "dpkg -L heliodesk lists no files"
pass "${#files[@]} files"

# --- The installed programs -------------------------------------------------------------------------

begin "heliodeskctl --version"
got="$(as_user /usr/bin/heliodeskctl --version)"
[ "$got" = "heliodeskctl $version" ] || fail "printed \"$got\", expected \"heliodeskctl $version\""
pass "$got"

begin "heliodesk smoke test"
set +e
as_user HELIODESK_SMOKE_TEST=1 QT_QPA_PLATFORM=offscreen LD_DEBUG=libs LD_DEBUG_OUTPUT="$work/ld-heliodesk" \
  timeout -s KILL 120 /usr/bin/heliodesk >"$logs/smoke.out" 2>"$logs/smoke.err"
rc=$?
set -e
cat "$logs/smoke.out"
((rc == 0)) || { cat "$logs/smoke.err" >&2; fail "heliodesk exited with $rc"; }
shown="$(grep -E '^heliodesk smoke test: .+ shown$' "$logs/smoke.out" || true)"
[ -n "$shown" ] || fail "heliodesk did not say which window it showed"
[ -s "$data/heliodesk.sqlite3" ] || fail "no database at $data/heliodesk.sqlite3"
pass "${shown#heliodesk smoke test: }; the database is in the throwaway home"

begin "heliodesk smoke test, signed in"
# A user made by the installed heliodeskctl, then the main window with the agents.
printf '%s\n' 'Smoke-test-password-1' | as_user /usr/bin/heliodeskctl user add smoke --role admin --password-stdin >"$logs/user-add.out" 2>&1 ||
  { cat "$logs/user-add.out" >&2; fail "heliodeskctl user add failed"; }
set +e
as_user HELIODESK_SMOKE_TEST=1 HELIODESK_USER=smoke HELIODESK_PASSWORD=Smoke-test-password-1 QT_QPA_PLATFORM=offscreen \
  LD_DEBUG=libs LD_DEBUG_OUTPUT="$work/ld-main" timeout -s KILL 120 /usr/bin/heliodesk >"$logs/smoke-main.out" 2>"$logs/smoke-main.err"
rc=$?
set -e
cat "$logs/smoke-main.out"
((rc == 0)) || { cat "$logs/smoke-main.err" >&2; fail "heliodesk exited with $rc"; }
grep -qx "heliodesk smoke test: main window shown" "$logs/smoke-main.out" || fail "the main window was not shown"
pass "main window shown"

# On X11 too, when Xvfb is here (scripts/setup.sh installs it): the xcb platform plugin is what a
# desktop loads, and what qt6-qpa-plugins is declared for.
if command -v xvfb-run >/dev/null 2>&1; then
  begin "heliodesk smoke test on X11 (Xvfb)"
  set +e
  as_user HELIODESK_SMOKE_TEST=1 QT_QPA_PLATFORM=xcb timeout -s KILL 120 xvfb-run -a -s "-screen 0 1280x800x24" \
    env LD_DEBUG=libs LD_DEBUG_OUTPUT="$work/ld-xcb" /usr/bin/heliodesk >"$logs/smoke-xcb.out" 2>"$logs/smoke-xcb.err"
  rc=$?
  set -e
  cat "$logs/smoke-xcb.out"
  ((rc == 0)) || { cat "$logs/smoke-xcb.err" >&2; fail "heliodesk exited with $rc"; }
  grep -qs "calling init: .*/platforms/libqxcb.so\$" "$work"/ld-xcb.* || fail "the xcb platform plugin was not loaded"
  pass "$(sed -n 's/^heliodesk smoke test: //p' "$logs/smoke-xcb.out")"
fi

begin "keychain module"
module="$(grep -E '/heliodesk/heliodesk_keychain\.so$' "$logs/dpkg-L.txt" || true)"
[ -n "$module" ] || fail "the package has no heliodesk_keychain.so"
# An endpoint without an API key in the environment: heliodeskctl asks the keychain, which loads
# the module. There may be no keychain service here; a missing module is what must not happen.
set +e
as_user HELIODESK_API_BASE=http://127.0.0.1:9/v1 HELIODESK_MODEL=none LD_DEBUG=libs LD_DEBUG_OUTPUT="$work/ld-ctl" \
  timeout -s KILL 120 /usr/bin/heliodeskctl provider show >"$logs/provider-show.out" 2>"$logs/provider-show.err"
rc=$?
set -e
cat "$logs/provider-show.out" "$logs/provider-show.err"
((rc == 0)) || fail "heliodeskctl provider show exited with $rc"
if grep -q "no keychain module" "$logs/provider-show.err"; then fail "the installed heliodeskctl did not find $module"; fi
grep -qs "calling init: $module\$" "$work"/ld-ctl.* || fail "$module was not loaded"
pass "$module loaded by /usr/bin/heliodeskctl"

begin "run-time dependencies are declared"
# Every shared object the programs loaded (libraries, Qt plugins, the module's own libraries)
# must come from heliodesk itself or from a package its Depends pull in: then installing the
# .deb on a bare system brings them. The closure is what apt would install for heliodesk.
apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts --no-breaks \
  --no-replaces --no-enhances heliodesk 2>/dev/null | grep -v '^ ' | sed 's/:.*//' | sort -u >"$logs/dependency-closure.txt"
grep -h "calling init: /" "$work"/ld-* | sed 's/.*calling init: //' | sort -u >"$logs/loaded.txt"
owner_of() {
  local owner
  owner="$(dpkg -S "$1" 2>/dev/null || dpkg -S "$(readlink -f "$1")" 2>/dev/null || dpkg -S "${1#/usr}" 2>/dev/null || true)"
  owner="${owner%%: *}"
  echo "${owner%%:*}"
}
# Qt loads every image format, icon engine, input context, style and platform theme plugin it
# finds, needed or not (reading the PNG window icon loads all image formats): a package that
# brings such a plugin (libqt6svg6 here) is optional, and so are its own libraries. So is what
# Qt's xcb plugin opens when it is there: libXcursor (themed cursors; it falls back to X core
# cursors) and its libXrender.
optional=()
optional_objects='/libXcursor\.so\.1$|/libXrender\.so\.1$'
while IFS= read -r object; do
  if [[ "$object" =~ /qt6/plugins/(imageformats|iconengines|platforminputcontexts|styles|platformthemes)/ ||
    "$object" =~ $optional_objects ]]; then
    owner="$(owner_of "$object")"
    [ -n "$owner" ] && ! grep -qx "$owner" "$logs/dependency-closure.txt" && optional+=("$owner")
  fi
done <"$logs/loaded.txt"
undeclared=()
while IFS= read -r object; do
  owner="$(owner_of "$object")"
  if [ -z "$owner" ]; then
    undeclared+=("$object (no package)")
  elif ! grep -qx "$owner" "$logs/dependency-closure.txt" && [[ " ${optional[*]} " != *" $owner "* ]]; then
    undeclared+=("$object ($owner)")
  fi
done <"$logs/loaded.txt"
((${#undeclared[@]} == 0)) || fail "loaded from packages heliodesk does not depend on: ${undeclared[*]}"
pass "$(wc -l <"$logs/loaded.txt") shared objects from the closure of Depends (optional: $( ((${#optional[@]})) && printf '%s\n' "${optional[@]}" | sort -u | paste -sd ' ' - || echo none))"

begin "desktop integration"
desktop="$(grep -E '^/usr/share/applications/.+\.desktop$' "$logs/dpkg-L.txt" || true)"
[ "$(printf '%s\n' "$desktop" | grep -c .)" -eq 1 ] || fail "expected one desktop file, found: ${desktop:-none}"
app_id="$(basename "$desktop" .desktop)"
desktop-file-validate "$desktop" >"$logs/desktop-file-validate.txt" 2>&1 ||
  { cat "$logs/desktop-file-validate.txt" >&2; fail "desktop-file-validate $desktop"; }
if [ -s "$logs/desktop-file-validate.txt" ]; then
  cat "$logs/desktop-file-validate.txt" >&2
  fail "desktop-file-validate has remarks on $desktop"
fi
grep -qx "Icon=$app_id" "$desktop" || fail "$desktop does not name the icon $app_id"
grep -qx "Exec=heliodesk" "$desktop" || fail "$desktop does not start heliodesk"
metainfo="/usr/share/metainfo/$app_id.metainfo.xml"
[ -f "$metainfo" ] || fail "no $metainfo"
appstreamcli validate --no-net --no-color "$metainfo" >"$logs/appstreamcli.txt" 2>&1 ||
  { cat "$logs/appstreamcli.txt" >&2; fail "appstreamcli validate --no-net $metainfo"; }
cat "$logs/appstreamcli.txt"
grep -q "<release version=\"$version\"" "$metainfo" || fail "$metainfo has no release $version"
for n in 16 22 24 32 48 64 128 256 512; do
  [ -s "/usr/share/icons/hicolor/${n}x${n}/apps/$app_id.png" ] || fail "no ${n}x${n} icon"
done
[ -s "/usr/share/icons/hicolor/scalable/apps/$app_id.svg" ] || fail "no scalable icon"
pass "$app_id: desktop file, metainfo and 10 icons valid"

# --- Remove ---------------------------------------------------------------------------------------
begin "apt-get remove, dpkg --purge"
apt-get remove -y -q heliodesk >"$logs/apt-remove.log" 2>&1 || fail "apt-get remove failed (log: $logs/apt-remove.log)"
# With no configuration files left, dpkg may forget the package at removal already; else purge.
if dpkg-query -W heliodesk >/dev/null 2>&1; then
  dpkg --purge heliodesk >"$logs/dpkg-purge.log" 2>&1 || fail "dpkg --purge failed (log: $logs/dpkg-purge.log)"
fi
installed_by_us=false
if dpkg-query -W -f='${Status}' heliodesk 2>/dev/null | grep -q "installed"; then fail "heliodesk is still installed"; fi
left=()
for f in "${files[@]}"; do
  [ -e "$f" ] && left+=("$f")
done
((${#left[@]} == 0)) || fail "left behind in /usr: ${left[*]}"
[ -s "$data/heliodesk.sqlite3" ] || fail "removing the package removed the user's database $data/heliodesk.sqlite3"
pass "all ${#files[@]} files gone; the user's database is still in its home"
