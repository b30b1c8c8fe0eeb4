# Windows: the programs' icon and version resource, the deployment of Qt and of the other DLLs,
# and the NSIS installer (CPack). Included by cmake/Packaging.cmake on WIN32, after the common
# CPACK_* settings and before include(CPack). Build and package:
#   cmake -S . -B build/win -G Ninja -DCMAKE_BUILD_TYPE=Release -DHELIODESK_BUILD_TESTS=OFF
#   cmake --build build/win && cd build/win && cpack -G NSIS
# Installed layout (C:\Program Files\Heliodesk): bin\heliodesk.exe, bin\heliodeskctl.exe, the Qt
# and other DLLs and qt.conf in bin\, Qt's plugins in plugins\, the keychain module in
# lib\heliodesk\ (where model/agents/keychainclient.cpp looks: ..\lib\heliodesk from bin\).

if(NOT WIN32)
    return()
endif()

enable_language(RC)

# --- The programs: a GUI program without a console, icon and version information -----------------
set_target_properties(heliodesk PROPERTIES WIN32_EXECUTABLE ON)

set(HELIODESK_WINDOWS_ICON "${CMAKE_CURRENT_LIST_DIR}/heliodesk.ico")
if(NOT CPACK_PACKAGE_VENDOR)
    set(CPACK_PACKAGE_VENDOR "Heliodesk")
endif()
string(TIMESTAMP heliodesk_year "%Y" UTC)
set(HELIODESK_RC_COMPANY "${CPACK_PACKAGE_VENDOR}")
set(HELIODESK_RC_COPYRIGHT "Copyright (C) ${heliodesk_year} ${CPACK_PACKAGE_VENDOR}")
set(HELIODESK_RC_ICON "${HELIODESK_WINDOWS_ICON}")
foreach(program IN ITEMS heliodesk heliodeskctl)
    set(HELIODESK_RC_INTERNAL_NAME "${program}")
    set(HELIODESK_RC_FILE_NAME "${program}.exe")
    if(program STREQUAL "heliodesk")
        set(HELIODESK_RC_DESCRIPTION "Heliodesk")
    else()
        set(HELIODESK_RC_DESCRIPTION "Heliodesk command-line administration")
    endif()
    configure_file("${CMAKE_CURRENT_LIST_DIR}/heliodesk.rc.in"
                   "${CMAKE_BINARY_DIR}/packaging/windows/${program}.rc" @ONLY)
    target_sources(${program} PRIVATE "${CMAKE_BINARY_DIR}/packaging/windows/${program}.rc")
endforeach()

# --- Deployment: Qt (windeployqt), the compiler's runtime, then everything else -------------------
# Qt's script copies the Qt DLLs and plugins the program uses and writes bin\qt.conf; heliodeskctl
# and the keychain module use a subset of the same Qt DLLs. The compiler's runtime comes from
# InstallRequiredSystemLibraries rather than windeployqt (which would ship vc_redist.exe).
heliodesk_qt_deploy_script(heliodesk_deploy_script NO_COMPILER_RUNTIME)
install(SCRIPT "${heliodesk_deploy_script}")

# msvcp140.dll, vcruntime140*.dll, …; not the Universal CRT, which Windows 10 (Qt 6's minimum) has.
set(CMAKE_INSTALL_SYSTEM_RUNTIME_DESTINATION bin)
include(InstallRequiredSystemLibraries)

# Where the DLLs that are not Qt's live: libsodium (pkg-config), qtkeychain, every prefix in
# CMAKE_PREFIX_PATH, and libpq for the PostgreSQL driver (the PostgreSQL installation's bin
# folder; GitHub's Windows runners set PGBIN).
set(HELIODESK_WINDOWS_LIBPQ_DIR "$ENV{PGBIN}" CACHE PATH
    "Folder with libpq.dll and the DLLs it needs, shipped for team mode (empty: not shipped)")
get_filename_component(heliodesk_linker_dir "${CMAKE_LINKER}" DIRECTORY)
find_program(HELIODESK_DUMPBIN dumpbin HINTS "${heliodesk_linker_dir}")

set(heliodesk_dll_dirs "${QT6_INSTALL_PREFIX}/${QT6_INSTALL_BINS}")
foreach(dir IN LISTS libsodium_LIBRARY_DIRS CMAKE_PREFIX_PATH)
    list(APPEND heliodesk_dll_dirs "${dir}/bin" "${dir}/../bin")
endforeach()
if(libsodium_PREFIX)
    list(APPEND heliodesk_dll_dirs "${libsodium_PREFIX}/bin")
endif()

heliodesk_qt_sql_plugin_files(heliodesk_sql_plugins "the installer")

install(CODE "
    set(HELIODESK_QT_SQL_PLUGINS \"${heliodesk_sql_plugins}\")
    set(HELIODESK_DLL_DIRS \"${heliodesk_dll_dirs};$<TARGET_FILE_DIR:Qt6Keychain::Qt6Keychain>\")
    set(HELIODESK_LIBPQ_DIR \"${HELIODESK_WINDOWS_LIBPQ_DIR}\")
    set(HELIODESK_DUMPBIN \"${HELIODESK_DUMPBIN}\")
")
install(SCRIPT "${CMAKE_CURRENT_LIST_DIR}/deploy-extras.cmake")

# --- The installer (NSIS) -------------------------------------------------------------------------
# Per machine (the template asks for administrator rights and then writes HKLM), into
# C:\Program Files\Heliodesk, a Start-menu entry, a desktop icon and heliodeskctl on PATH on request.
# Strings that NSIS reads (paths, commands) are written here as NSIS must see them; CPack's
# configuration file is CMake code, so unless CPACK_VERBATIM_VARIABLES is on, their \, $ and "
# are escaped once more (what CPack.cmake does itself with that option).
macro(heliodesk_nsis_string var)
    if(NOT CPACK_VERBATIM_VARIABLES)
        string(REGEX REPLACE "([\\\$\"])" "\\\\\\1" ${var} "${${var}}")
    endif()
endmacro()

set(CPACK_GENERATOR "NSIS")
set(CPACK_PACKAGE_FILE_NAME "Heliodesk-${PROJECT_VERSION}-win64")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "Heliodesk")
# Without a version in the key, a newer installer finds the older one and removes it first.
set(CPACK_PACKAGE_INSTALL_REGISTRY_KEY "Heliodesk")
set(CPACK_PACKAGE_EXECUTABLES "heliodesk;Heliodesk")
set(CPACK_CREATE_DESKTOP_LINKS "heliodesk")
set(CPACK_NSIS_PACKAGE_NAME "Heliodesk ${PROJECT_VERSION}")
set(CPACK_NSIS_DISPLAY_NAME "Heliodesk")
set(CPACK_NSIS_INSTALL_ROOT "$PROGRAMFILES64")
set(CPACK_NSIS_EXECUTABLES_DIRECTORY "bin")
set(CPACK_NSIS_MUI_ICON "${HELIODESK_WINDOWS_ICON}")
set(CPACK_NSIS_MUI_UNIICON "${HELIODESK_WINDOWS_ICON}")
set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\heliodesk.exe")
heliodesk_nsis_string(CPACK_NSIS_INSTALLED_ICON_NAME)
# The options page: heliodeskctl on PATH (default: not), and the desktop icon.
set(CPACK_NSIS_MODIFY_PATH ON)
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
set(CPACK_NSIS_MANIFEST_DPI_AWARE ON)
set(CPACK_NSIS_BRANDING_TEXT "Heliodesk ${PROJECT_VERSION}")
set(CPACK_NSIS_UNINSTALL_NAME "Uninstall")
if(CPACK_PACKAGE_HOMEPAGE_URL)
    set(CPACK_NSIS_URL_INFO_ABOUT "${CPACK_PACKAGE_HOMEPAGE_URL}")
    set(CPACK_NSIS_HELP_LINK "${CPACK_PACKAGE_HOMEPAGE_URL}")
endif()
if(CPACK_PACKAGE_CONTACT)
    set(CPACK_NSIS_CONTACT "${CPACK_PACKAGE_CONTACT}")
endif()
if(NOT CPACK_RESOURCE_FILE_LICENSE)
    set(CPACK_NSIS_IGNORE_LICENSE_PAGE ON)
endif()
# The finish page does not offer to start Heliodesk: the installer runs as administrator, and the
# program would too, with the administrator's data folder.

# Uninstalling asks whether to delete the data of the user who runs the uninstaller: the database
# folder %LOCALAPPDATA%\Heliodesk (storage/databaselocation.cpp) and the settings in
# HKCU\Software\Heliodesk (QSettings of heliodesk and heliodeskctl). No is the default; a silent
# uninstall (/S) keeps them, and so does the silent uninstall that an upgrade runs before installing
# the new version. The installer's own context is "all users": $LOCALAPPDATA needs "current".
set(heliodesk_question "Also delete your Heliodesk data: the conversations in the local database and your settings?$\\r$\\n$\\r$\\nNo keeps them for a later installation. Other Windows users keep theirs either way.")
set(CPACK_NSIS_EXTRA_UNINSTALL_COMMANDS "
  MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 '${heliodesk_question}' /SD IDNO IDNO heliodesk_keep_data
  SetShellVarContext current
  RMDir /r \"$LOCALAPPDATA\\Heliodesk\"
  DeleteRegKey HKCU \"Software\\Heliodesk\"
  SetShellVarContext all
  heliodesk_keep_data:
")
heliodesk_nsis_string(CPACK_NSIS_EXTRA_UNINSTALL_COMMANDS)
