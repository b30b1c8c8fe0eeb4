# Runs at install time on Windows, after Qt's deployment script (windeployqt), from
# packaging/windows/windows.cmake. Puts in place what windeployqt does not:
#   - the SQL drivers Heliodesk opens (qsqlite, and qsqlpsql for team mode), should a Qt version
#     leave one out;
#   - the DLLs that are not Qt's: libsodium, qtkeychain (loaded by the keychain module), libpq and
#     its OpenSSL/iconv/intl DLLs (loaded by qsqlpsql), found with file(GET_RUNTIME_DEPENDENCIES).
# Every DLL that a program, the keychain module or the SQL drivers need must end up beside the
# programs in bin\ (the Windows loader looks there first); an unresolved one fails the install.
#
# Set by windows.cmake (install(CODE) before this script): HELIODESK_QT_SQL_PLUGINS (plugin files),
# HELIODESK_DLL_DIRS (where to look), HELIODESK_DUMPBIN (dumpbin.exe), HELIODESK_LIBPQ_DIR (may be empty).

cmake_minimum_required(VERSION 3.21)

set(prefix "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}")
file(TO_CMAKE_PATH "${prefix}" prefix)
set(bin "${prefix}/bin")

# Whether a path lies in the installation (Windows paths: any slashes, any case).
function(heliodesk_is_installed path out)
    file(TO_CMAKE_PATH "${path}" path)
    string(TOLOWER "${path}" path)
    string(TOLOWER "${prefix}/" root)
    string(FIND "${path}" "${root}" at)
    if(at EQUAL 0)
        set(${out} TRUE PARENT_SCOPE)
    else()
        set(${out} FALSE PARENT_SCOPE)
    endif()
endfunction()

# Where windeployqt put the plugins: qt.conf beside the programs says (Prefix and Plugins are
# relative to bin\); without one, Qt looks in bin\ itself.
set(qt_prefix "${bin}")
set(plugins_rel "plugins")
set(plugins "${bin}")
if(EXISTS "${bin}/qt.conf")
    file(STRINGS "${bin}/qt.conf" qt_conf_lines)
    foreach(line IN LISTS qt_conf_lines)
        if(line MATCHES "^[ \t]*Prefix[ \t]*=[ \t]*(.*[^ \t])[ \t]*$")
            set(qt_prefix "${bin}/${CMAKE_MATCH_1}")
        elseif(line MATCHES "^[ \t]*Plugins[ \t]*=[ \t]*(.*[^ \t])[ \t]*$")
            set(plugins_rel "${CMAKE_MATCH_1}")
        endif()
    endforeach()
    get_filename_component(plugins "${qt_prefix}/${plugins_rel}" ABSOLUTE)
endif()

set(sql_plugins "")
foreach(plugin IN LISTS HELIODESK_QT_SQL_PLUGINS)
    get_filename_component(name "${plugin}" NAME)
    if(NOT EXISTS "${plugins}/sqldrivers/${name}")
        message(STATUS "Heliodesk: installing the SQL driver ${name}, which the Qt deployment left out")
        file(INSTALL "${plugin}" DESTINATION "${plugins}/sqldrivers")
    endif()
    list(APPEND sql_plugins "${plugins}/sqldrivers/${name}")
endforeach()

# What to scan: the programs, the keychain module, the SQL drivers Heliodesk uses.
file(GLOB programs "${bin}/heliodesk.exe" "${bin}/heliodeskctl.exe")
file(GLOB_RECURSE keychain_modules "${prefix}/heliodesk_keychain*.dll")
if(NOT programs OR NOT keychain_modules)
    message(FATAL_ERROR "Heliodesk: the programs or the keychain module are not installed under ${prefix} "
                        "(found: ${programs} ${keychain_modules}).")
endif()
set(modules ${keychain_modules} ${sql_plugins})
list(FILTER modules EXCLUDE REGEX "qsqlpsql")
set(psql_plugin "${sql_plugins}")
list(FILTER psql_plugin INCLUDE REGEX "qsqlpsql")
if(psql_plugin AND HELIODESK_LIBPQ_DIR)
    list(APPEND modules ${psql_plugin})
elseif(psql_plugin)
    message(WARNING "Heliodesk: HELIODESK_WINDOWS_LIBPQ_DIR is not set: libpq.dll is not installed, and "
                    "team mode (PostgreSQL) will not work from this installation.")
endif()

if(NOT EXISTS "${HELIODESK_DUMPBIN}")
    message(FATAL_ERROR "Heliodesk: dumpbin.exe was not found (\"${HELIODESK_DUMPBIN}\"); configure from a "
                        "Visual Studio developer prompt so that the DLLs the programs need can be listed.")
endif()
set(CMAKE_GET_RUNTIME_DEPENDENCIES_PLATFORM "windows+pe")
set(CMAKE_GET_RUNTIME_DEPENDENCIES_TOOL "dumpbin")
set(CMAKE_GET_RUNTIME_DEPENDENCIES_COMMAND "${HELIODESK_DUMPBIN}")

file(GET_RUNTIME_DEPENDENCIES
    EXECUTABLES ${programs}
    MODULES ${modules}
    DIRECTORIES "${bin}" ${HELIODESK_DLL_DIRS} ${HELIODESK_LIBPQ_DIR}
    # The API sets and everything of Windows itself are never shipped.
    PRE_EXCLUDE_REGEXES "^api-ms-" "^ext-ms-"
    POST_EXCLUDE_REGEXES ".*[/\\\\][Ww][Ii][Nn][Dd][Oo][Ww][Ss][/\\\\].*"
    RESOLVED_DEPENDENCIES_VAR resolved
    UNRESOLVED_DEPENDENCIES_VAR unresolved
    CONFLICTING_DEPENDENCIES_PREFIX conflict)

# A DLL found in two places (bin\ and, say, Qt's own bin\): the one already installed wins.
foreach(name IN LISTS conflict_FILENAMES)
    set(chosen "")
    foreach(candidate IN LISTS conflict_${name})
        heliodesk_is_installed("${candidate}" installed)
        if(installed)
            set(chosen "${candidate}")
        endif()
    endforeach()
    if(NOT chosen)
        list(GET conflict_${name} 0 chosen)
    endif()
    list(APPEND resolved "${chosen}")
endforeach()

if(unresolved)
    message(FATAL_ERROR "Heliodesk: these DLLs are needed but were not found in ${bin} or ${HELIODESK_DLL_DIRS} "
                        "${HELIODESK_LIBPQ_DIR}: ${unresolved}")
endif()

foreach(dll IN LISTS resolved)
    file(TO_CMAKE_PATH "${dll}" dll)
    heliodesk_is_installed("${dll}" installed)
    get_filename_component(name "${dll}" NAME)
    if(NOT installed AND NOT EXISTS "${bin}/${name}")
        file(INSTALL "${dll}" DESTINATION "${bin}")
    endif()
endforeach()
