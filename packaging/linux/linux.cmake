# Linux: desktop integration (desktop file, AppStream metainfo, hicolor icons) and the .deb, .rpm
# and .tar.gz. Included by cmake/Packaging.cmake, which defines HELIODESK_APP_ID and
# HELIODESK_LICENSE.

set(_heliodesk_linux "${PROJECT_SOURCE_DIR}/packaging/linux")
set(_heliodesk_icons "${PROJECT_SOURCE_DIR}/packaging/icons")

# --- Desktop integration ------------------------------------------------------------------------
install(FILES "${_heliodesk_linux}/${HELIODESK_APP_ID}.desktop"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/applications")

# The metainfo names the version, the home page and the screenshots, which live elsewhere; the
# release notes are written by hand, so a new version without a <release> entry stops here.
file(READ "${_heliodesk_linux}/${HELIODESK_APP_ID}.metainfo.xml.in" _heliodesk_metainfo)
if(NOT _heliodesk_metainfo MATCHES "<release version=\"${PROJECT_VERSION}\"")
    message(FATAL_ERROR "packaging/linux/${HELIODESK_APP_ID}.metainfo.xml.in has no <release> for "
                        "version ${PROJECT_VERSION}: add one (with its date and what changed) to <releases>.")
endif()
string(REGEX REPLACE "^https://github.com/" "https://raw.githubusercontent.com/"
       HELIODESK_SCREENSHOT_URL "${PROJECT_HOMEPAGE_URL}/main/docs/screenshots")
configure_file("${_heliodesk_linux}/${HELIODESK_APP_ID}.metainfo.xml.in"
               "${PROJECT_BINARY_DIR}/packaging/${HELIODESK_APP_ID}.metainfo.xml" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/packaging/${HELIODESK_APP_ID}.metainfo.xml"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/metainfo")

# Rendered from packaging/icons/heliodesk.svg by scripts/icons.sh.
set(HELIODESK_ICON_SIZES 16 22 24 32 48 64 128 256 512)
foreach(size IN LISTS HELIODESK_ICON_SIZES)
    install(FILES "${_heliodesk_icons}/hicolor/${size}x${size}/heliodesk.png"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps"
            RENAME "${HELIODESK_APP_ID}.png")
endforeach()
install(FILES "${_heliodesk_icons}/heliodesk.svg"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps"
        RENAME "${HELIODESK_APP_ID}.svg")

# --- Packages -------------------------------------------------------------------------------------
find_program(HELIODESK_RPMBUILD rpmbuild)
if(HELIODESK_RPMBUILD)
    set(CPACK_GENERATOR "DEB;RPM;TGZ")
else()
    set(CPACK_GENERATOR "DEB;TGZ")
endif()
set(CPACK_HELIODESK_ARCH "${CMAKE_SYSTEM_PROCESSOR}") # the .tar.gz's name (cmake/CPackProjectConfig.cmake)

# .deb: dpkg-shlibdeps (package dpkg-dev) finds the libraries the programs and the keychain
# module link (Qt, QCoro, QtKeychain, libsodium, …); what Qt loads at run time it cannot see:
#   qt6-qpa-plugins     the xcb platform plugin: without it no window opens on X11
#   libqt6sql6-sqlite   the SQLite driver: the database of a single desktop
#   libqt6sql6-psql     the PostgreSQL driver: a team's shared database (team mode)
#   libsecret-1-0       QtKeychain opens it at run time to reach the Secret Service (GNOME
#                       Keyring, KeePassXC): without it the API key is kept for the session only
#   qt6-wayland         (Recommends) the native Wayland platform; X11 via XWayland works without it
# The agent icons (SVG) are only read, never drawn, so the SVG plugins (libqt6svg6) are not needed.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins, libqt6sql6-sqlite, libqt6sql6-psql, libsecret-1-0")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-wayland")
# The keychain services themselves (as libqt6keychain1 recommends); without one the API key and
# the team database's password are kept for the session only.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "gnome-keyring | kwalletmanager | keepassxc")
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# .rpm (Fedora names): rpm's automatic requirements cover the linked libraries; Qt's run-time
# plugins are in qt6-qtbase-gui (xcb; qt6-qtbase, which it needs, has the SQLite driver) and
# qt6-qtbase-postgresql (team mode); libsecret, which QtKeychain opens at run time;
# qt6-qtwayland is a weak dependency.
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "${HELIODESK_LICENSE}")
set(CPACK_RPM_PACKAGE_GROUP "Applications/Internet")
set(CPACK_RPM_PACKAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
set(CPACK_RPM_PACKAGE_REQUIRES "qt6-qtbase-gui, qt6-qtbase-postgresql, libsecret")
set(CPACK_RPM_PACKAGE_SUGGESTS "qt6-qtwayland")
# Directories the system owns (filesystem, hicolor-icon-theme, desktop-file-utils): not ours to list.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /usr/share/applications /usr/share/metainfo /usr/share/icons /usr/share/icons/hicolor
    /usr/share/icons/hicolor/scalable /usr/share/icons/hicolor/scalable/apps
    /usr/${CMAKE_INSTALL_LIBDIR}) # lib/x86_64-linux-gnu when configured with prefix /usr
foreach(size IN LISTS HELIODESK_ICON_SIZES)
    list(APPEND CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
         /usr/share/icons/hicolor/${size}x${size} /usr/share/icons/hicolor/${size}x${size}/apps)
endforeach()
