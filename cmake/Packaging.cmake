# Packages and installers, made by CPack from the install rules: on Linux a .deb, an .rpm (when
# rpmbuild is there) and a relocatable .tar.gz; on Windows and macOS what packaging/windows/ and
# packaging/macos/ set up. Included at the end of the top-level CMakeLists.txt, after every target.
#   cpack -G DEB --config build/<dir>/CPackConfig.cmake        (see packaging/README.md)

# The application's id: the name of its desktop file, metainfo file and icon, and what Wayland
# compositors use to match the window to them (QGuiApplication::setDesktopFileName). Reverse DNS
# of the project's home (PROJECT_HOMEPAGE_URL, set in project()).
set(HELIODESK_APP_ID "io.github.heliodesk.Heliodesk")
target_compile_definitions(heliodesk PRIVATE HELIODESK_APP_ID="${HELIODESK_APP_ID}")

# There is no LICENSE file yet: packages say "proprietary" until there is one.
set(HELIODESK_LICENSE "LicenseRef-proprietary")

set(CPACK_PACKAGE_NAME "heliodesk")
set(CPACK_PACKAGE_VENDOR "Heliodesk")
set(CPACK_PACKAGE_CONTACT "Heliodesk maintainers <heliodesk@users.noreply.github.com>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "Heliodesk is a desktop chat with AI agents for the energy sector: operations and maintenance, \
market intelligence, digitalization and energy news. Agents answer offline from a built-in \
knowledge base or stream answers from an OpenAI-compatible endpoint. Conversations, users, plans \
and quotas live in a local SQLite database or, for a team, in a shared PostgreSQL database; \
heliodeskctl administers them from the command line.")
set(CPACK_PACKAGE_HOMEPAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "Heliodesk")
if(EXISTS "${PROJECT_SOURCE_DIR}/LICENSE")
    set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
endif()
set(CPACK_RESOURCE_FILE_README "${PROJECT_SOURCE_DIR}/README.md")
# Release builds ship without symbols; RelWithDebInfo trees (build/ci) too.
set(CPACK_STRIP_FILES ON)
set(CPACK_SOURCE_GENERATOR "TGZ")
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build/" "/\\\\.cache/")
# Settings that differ per generator (install prefix, top directory) are chosen at cpack time.
set(CPACK_PROJECT_CONFIG_FILE "${PROJECT_SOURCE_DIR}/cmake/CPackProjectConfig.cmake")

# The files of Qt's SQLite and PostgreSQL drivers, as generator expressions, into `out_var`; for the
# Windows and macOS deploy steps, which must copy them beside the program. `package` names what goes
# without a driver this Qt lacks, in the warning.
function(heliodesk_qt_sql_plugin_files out_var package)
    set(files "")
    foreach(plugin IN ITEMS QSQLiteDriverPlugin QPSQLDriverPlugin)
        # Qt's own packages load the plugins' targets with Qt6Sql; some distributions' do not.
        if(NOT TARGET Qt6::${plugin})
            find_package(Qt6${plugin} QUIET CONFIG PATHS "${Qt6Sql_DIR}" NO_DEFAULT_PATH)
        endif()
        if(TARGET Qt6::${plugin})
            list(APPEND files "$<TARGET_FILE:Qt6::${plugin}>")
        else()
            message(WARNING "Heliodesk: this Qt has no Qt6::${plugin}; ${package} goes without it.")
        endif()
    endforeach()
    set(${out_var} "${files}" PARENT_SCOPE)
endfunction()

# Qt's deploy script for the heliodesk target (windeployqt, macdeployqt) into `out_var`; extra
# arguments go to qt_generate_deploy_app_script where it takes them (Qt 6.5 and later).
function(heliodesk_qt_deploy_script out_var)
    if(Qt6_VERSION VERSION_GREATER_EQUAL 6.5)
        qt_generate_deploy_app_script(TARGET heliodesk OUTPUT_SCRIPT script NO_UNSUPPORTED_PLATFORM_ERROR ${ARGN})
    else()
        qt_generate_deploy_app_script(TARGET heliodesk FILENAME_VARIABLE script NO_UNSUPPORTED_PLATFORM_ERROR)
    endif()
    set(${out_var} "${script}" PARENT_SCOPE)
endfunction()

if(WIN32)
    if(EXISTS "${PROJECT_SOURCE_DIR}/packaging/windows/windows.cmake")
        include("${PROJECT_SOURCE_DIR}/packaging/windows/windows.cmake")
    endif()
elseif(APPLE)
    if(EXISTS "${PROJECT_SOURCE_DIR}/packaging/macos/macos.cmake")
        include("${PROJECT_SOURCE_DIR}/packaging/macos/macos.cmake")
    endif()
elseif(UNIX)
    include("${PROJECT_SOURCE_DIR}/packaging/linux/linux.cmake")
endif()

include(CPack)
