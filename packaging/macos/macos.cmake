# macOS: Heliodesk.app (heliodesk as a bundle with heliodeskctl and the keychain module inside),
# deployed with macdeployqt, packed into a .dmg (CPack DragNDrop). Included by cmake/Packaging.cmake
# on APPLE, after the common CPACK_* settings and before include(CPack). Build and package:
#   cmake -S . -B build/mac -G Ninja -DCMAKE_BUILD_TYPE=Release -DHELIODESK_BUILD_TESTS=OFF \
#         -DCMAKE_OSX_DEPLOYMENT_TARGET=12.0
#   cmake --build build/mac && cd build/mac && cpack -G DragNDrop
# Signing and notarization are not done here but in .github/workflows/macos.yml (they need secrets).
#
# The bundle:
#   Heliodesk.app/Contents/MacOS/Heliodesk        the program
#   Heliodesk.app/Contents/MacOS/heliodeskctl     the command-line tool
#   Heliodesk.app/Contents/PlugIns/heliodesk_keychain.so   (keychainclient.cpp looks in ../PlugIns)
#   Heliodesk.app/Contents/PlugIns/<Qt plugins>, Contents/Frameworks/<Qt, libsodium, qtkeychain, libpq>
#   Heliodesk.app/Contents/Resources/heliodesk.icns, qt.conf
# The bundle's install rules belong to one component, heliodesk_macos_bundle, which is all the .dmg
# holds: the plain install rules of app/ and model/ (bin/, lib/heliodesk/) stay out of it.

if(NOT APPLE)
    return()
endif()

if(NOT HELIODESK_APP_ID)
    set(HELIODESK_APP_ID "io.github.heliodesk.Heliodesk") # cmake/Packaging.cmake sets it: one id everywhere
endif()
if(NOT CPACK_PACKAGE_VENDOR)
    set(CPACK_PACKAGE_VENDOR "Heliodesk")
endif()
set(HELIODESK_MACOS_BUNDLE "Heliodesk.app")
set(HELIODESK_MACOS_EXECUTABLE "Heliodesk")
set(heliodesk_component heliodesk_macos_bundle)

# The oldest macOS the bundle claims to run on: the deployment target it is built for (the workflow
# gives 12.0, Qt 6.8's minimum), else this Mac's own version, which is what the compiler then targets.
if(CMAKE_OSX_DEPLOYMENT_TARGET)
    set(HELIODESK_MACOS_MINIMUM "${CMAKE_OSX_DEPLOYMENT_TARGET}")
else()
    execute_process(COMMAND sw_vers -productVersion OUTPUT_VARIABLE HELIODESK_MACOS_MINIMUM
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()
if(NOT HELIODESK_MACOS_MINIMUM)
    set(HELIODESK_MACOS_MINIMUM "12.0") # Qt 6.8's own minimum
endif()
string(TIMESTAMP heliodesk_year "%Y" UTC)
set(HELIODESK_COPYRIGHT "Copyright © ${heliodesk_year} ${CPACK_PACKAGE_VENDOR}")

# --- The bundle -------------------------------------------------------------------------------------
# Configured here with @-variables only; CMake's own pass over MACOSX_BUNDLE_INFO_PLIST then has
# nothing left to replace.
configure_file("${CMAKE_CURRENT_LIST_DIR}/Info.plist.in" "${CMAKE_BINARY_DIR}/packaging/macos/Info.plist" @ONLY)
set(heliodesk_icns "${CMAKE_CURRENT_LIST_DIR}/heliodesk.icns")
target_sources(heliodesk PRIVATE "${heliodesk_icns}")
set_source_files_properties("${heliodesk_icns}" TARGET_DIRECTORY heliodesk
    PROPERTIES MACOSX_PACKAGE_LOCATION Resources)
set_target_properties(heliodesk PROPERTIES
    MACOSX_BUNDLE ON
    OUTPUT_NAME "${HELIODESK_MACOS_EXECUTABLE}"
    MACOSX_BUNDLE_INFO_PLIST "${CMAKE_BINARY_DIR}/packaging/macos/Info.plist")
# heliodeskctl and the module find Qt, libsodium and qtkeychain in Contents/Frameworks.
set_target_properties(heliodeskctl PROPERTIES INSTALL_RPATH "@executable_path/../Frameworks")
set_target_properties(heliodesk_keychain PROPERTIES INSTALL_RPATH "@loader_path/../Frameworks")

install(TARGETS heliodesk BUNDLE DESTINATION . COMPONENT ${heliodesk_component})
install(TARGETS heliodeskctl RUNTIME DESTINATION "${HELIODESK_MACOS_BUNDLE}/Contents/MacOS"
        COMPONENT ${heliodesk_component})
install(TARGETS heliodesk_keychain LIBRARY DESTINATION "${HELIODESK_MACOS_BUNDLE}/Contents/PlugIns"
        COMPONENT ${heliodesk_component})

# --- Deployment: Qt (macdeployqt), then what macdeployqt does not look at ---------------------------
heliodesk_qt_deploy_script(heliodesk_deploy_script)
install(SCRIPT "${heliodesk_deploy_script}" COMPONENT ${heliodesk_component})

# Where libraries that are not Qt's are looked for: libsodium's (pkg-config), qtkeychain's, every
# prefix of CMAKE_PREFIX_PATH, and libpq's for the PostgreSQL driver (Homebrew: brew --prefix libpq).
set(HELIODESK_MACOS_LIBPQ_DIR "" CACHE PATH
    "Folder with libpq.5.dylib, bundled for team mode (empty: looked for in CMAKE_PREFIX_PATH only)")
set(heliodesk_library_dirs ${libsodium_LIBRARY_DIRS} "$<TARGET_FILE_DIR:Qt6Keychain::Qt6Keychain>")
foreach(dir IN LISTS CMAKE_PREFIX_PATH)
    list(APPEND heliodesk_library_dirs "${dir}/lib")
endforeach()
if(HELIODESK_MACOS_LIBPQ_DIR)
    list(APPEND heliodesk_library_dirs "${HELIODESK_MACOS_LIBPQ_DIR}")
endif()
heliodesk_qt_sql_plugin_files(heliodesk_sql_plugins "the bundle")
install(CODE "
    set(HELIODESK_BUNDLE \"${HELIODESK_MACOS_BUNDLE}\")
    set(HELIODESK_QT_SQL_PLUGINS \"${heliodesk_sql_plugins}\")
    set(HELIODESK_LIBRARY_DIRS \"${heliodesk_library_dirs}\")
" COMPONENT ${heliodesk_component})
install(SCRIPT "${CMAKE_CURRENT_LIST_DIR}/bundle-extras.cmake" COMPONENT ${heliodesk_component})

# --- The disk image (DragNDrop) ---------------------------------------------------------------------
# Only the bundle's component goes in, at the image's root, beside the /Applications link that
# DragNDrop adds (CPACK_DMG_DISABLE_APPLICATIONS_SYMLINK stays off).
set(CPACK_GENERATOR "DragNDrop")
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR};${PROJECT_NAME};${heliodesk_component};/")
set(CPACK_PACKAGING_INSTALL_PREFIX "/")
set(CPACK_PACKAGE_FILE_NAME "Heliodesk-${PROJECT_VERSION}-macos-${CMAKE_SYSTEM_PROCESSOR}")
set(CPACK_DMG_VOLUME_NAME "Heliodesk ${PROJECT_VERSION}")
set(CPACK_DMG_FORMAT "UDZO")
set(CPACK_PACKAGE_ICON "${heliodesk_icns}")
