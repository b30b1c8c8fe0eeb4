# Read by cpack once per generator (CPACK_PROJECT_CONFIG_FILE, set in cmake/Packaging.cmake):
# what differs between the packages of one build.

if(CPACK_GENERATOR STREQUAL "DEB" OR CPACK_GENERATOR STREQUAL "RPM")
    # A system package: /usr/bin/heliodesk, /usr/share/applications/…
    set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
elseif(CPACK_GENERATOR STREQUAL "TGZ" AND CPACK_SYSTEM_NAME STREQUAL "Linux")
    # Relocatable: unpack anywhere and run heliodesk-<version>-linux-<arch>/bin/heliodesk. The
    # programs find the keychain module relative to themselves (model/agents/keychainclient.cpp).
    set(CPACK_PACKAGING_INSTALL_PREFIX "")
    set(CPACK_INCLUDE_TOPLEVEL_DIRECTORY ON)
    set(CPACK_PACKAGE_FILE_NAME "${CPACK_PACKAGE_NAME}-${CPACK_PACKAGE_VERSION}-linux-${CPACK_HELIODESK_ARCH}")
endif()
