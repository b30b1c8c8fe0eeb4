#!/usr/bin/env bash
# Builds Heliodesk-<version>-<arch>.AppImage: a Release build installed with prefix /usr into an
# AppDir, then linuxdeploy and its Qt plugin copy in Qt, its plugins (xcb, Wayland when
# qt6-wayland is installed, the SQLite and PostgreSQL drivers) and every library the programs and
# the keychain module need, and pack it. Build on the oldest distribution the AppImage must run on
# (glibc is not bundled).
#   packaging/linux/appimage/build-appimage.sh                   the AppImage, in build/appimage/
#   packaging/linux/appimage/build-appimage.sh --appdir-only     stop after the AppDir (no download)
# HELIODESK_APPIMAGE_TREE=build/x reuses a tree configured with -DCMAKE_INSTALL_PREFIX=/usr.
# linuxdeploy is downloaded at a pinned release and checked against the SHA-256 written below.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
build="${HELIODESK_APPIMAGE_BUILD:-$root/build/appimage}"
tools="$build/tools"
appdir="$build/AppDir"
arch="$(uname -m)"
appdir_only=false
[ "${1:-}" = --appdir-only ] && appdir_only=true

# Pinned tools. Moving to another release: change the tag, run once, compare the printed SHA-256
# with the one GitHub shows for the asset, and write it here.
linuxdeploy_tag="1-alpha-20240109-1"
linuxdeploy_sha256="" # of linuxdeploy-x86_64.AppImage at linuxdeploy_tag: not yet recorded
linuxdeploy_qt_tag="1-alpha-20240109-1"
linuxdeploy_qt_sha256="" # of linuxdeploy-plugin-qt-x86_64.AppImage at linuxdeploy_qt_tag: not yet recorded

die() {
  echo "build-appimage: $*" >&2
  exit 1
}

# fetch URL FILE SHA256: downloads once into $tools and refuses a file whose checksum differs.
fetch() {
  local url="$1" file="$tools/$2" expected="$3" actual
  if [ ! -f "$file" ]; then
    curl -fsSL --retry 3 --max-time 300 -o "$file.part" "$url" || die "could not download $url"
    mv "$file.part" "$file"
  fi
  actual="$(sha256sum "$file" | cut -d' ' -f1)"
  if [ -z "$expected" ]; then
    rm -f "$file"
    die "no SHA-256 is pinned for $2; the download's is $actual. Check it against the release page and write it into $0."
  fi
  if [ "$actual" != "$expected" ]; then
    rm -f "$file"
    die "$2 has SHA-256 $actual, expected $expected: not using it"
  fi
  chmod +x "$file"
}

# --- Build and install into the AppDir -------------------------------------------------------------
tree="${HELIODESK_APPIMAGE_TREE:-$build/tree}"
if [ -z "${HELIODESK_APPIMAGE_TREE:-}" ]; then
  cmake -S "$root" -B "$tree" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHELIODESK_BUILD_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr
fi
grep -qx 'CMAKE_INSTALL_PREFIX:PATH=/usr' "$tree/CMakeCache.txt" ||
  die "$tree is not configured with -DCMAKE_INSTALL_PREFIX=/usr"
cmake --build "$tree" --parallel "$(nproc)"
rm -rf "$appdir"
DESTDIR="$appdir" cmake --install "$tree" --strip
version="$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$tree/CMakeCache.txt")"

desktop="$(find "$appdir/usr/share/applications" -name '*.desktop' | head -n 1)"
[ -n "$desktop" ] || die "the install put no desktop file into $appdir/usr/share/applications"
app_id="$(basename "$desktop" .desktop)"
icon="$appdir/usr/share/icons/hicolor/256x256/apps/$app_id.png"
module_dir="$(dirname "$(find "$appdir/usr/lib" -name 'heliodesk_keychain.so' | head -n 1)")"
[ -f "$icon" ] || die "no icon $icon"
[ -f "$module_dir/heliodesk_keychain.so" ] || die "no keychain module under $appdir/usr/lib"
echo "AppDir: $appdir ($app_id $version, keychain module in ${module_dir#"$appdir"})"
$appdir_only && exit 0

# --- linuxdeploy ------------------------------------------------------------------------------------
[ "$arch" = x86_64 ] || die "the pinned checksums are for x86_64; this machine is $arch"
curl -fsS --max-time 15 -o /dev/null https://github.com ||
  die "github.com cannot be reached, so linuxdeploy cannot be downloaded (the AppDir is ready in $appdir)"
mkdir -p "$tools"
fetch "https://github.com/linuxdeploy/linuxdeploy/releases/download/$linuxdeploy_tag/linuxdeploy-x86_64.AppImage" \
  linuxdeploy-x86_64.AppImage "$linuxdeploy_sha256"
fetch "https://github.com/linuxdeploy/linuxdeploy-plugin-qt/releases/download/$linuxdeploy_qt_tag/linuxdeploy-plugin-qt-x86_64.AppImage" \
  linuxdeploy-plugin-qt-x86_64.AppImage "$linuxdeploy_qt_sha256"

export APPIMAGE_EXTRACT_AND_RUN=1 # containers have no FUSE
export QMAKE="${QMAKE:-$(command -v qmake6 || echo /usr/lib/qt6/bin/qmake)}"
qt_plugins="$("$QMAKE" -query QT_INSTALL_PLUGINS)"
if [ -f "$qt_plugins/platforms/libqwayland-generic.so" ]; then
  export EXTRA_PLATFORM_PLUGINS="libqwayland-generic.so;libqwayland-egl.so"
  export EXTRA_QT_MODULES="waylandclient"
fi
export LDAI_OUTPUT="$build/Heliodesk-$version-$arch.AppImage"
export OUTPUT="$LDAI_OUTPUT" # older releases of the appimage output plugin
cd "$build"
# The keychain module is loaded at run time, so linuxdeploy cannot see it from the programs:
# --deploy-deps-only brings its libraries (QtKeychain, libsecret, QtDBus) without moving it from
# where the programs look for it (bin/../lib/…/heliodesk).
PATH="$tools:$PATH" "$tools/linuxdeploy-x86_64.AppImage" --appdir "$appdir" \
  --executable "$appdir/usr/bin/heliodesk" --executable "$appdir/usr/bin/heliodeskctl" \
  --deploy-deps-only "$module_dir" \
  --desktop-file "$desktop" --icon-file "$icon" \
  --plugin qt --output appimage
echo "AppImage: $LDAI_OUTPUT"
