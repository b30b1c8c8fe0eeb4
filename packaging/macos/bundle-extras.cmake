# Runs at install time on macOS, after Qt's deployment script (macdeployqt), from
# packaging/macos/macos.cmake. macdeployqt makes the main executable and Qt's plugins
# self-contained; this script does the same for what it does not look at:
#   - Contents/MacOS/heliodeskctl and the keychain module Contents/PlugIns/heliodesk_keychain.so
#     (libsodium, qtkeychain: copied into Contents/Frameworks, referenced as @rpath/<name>, with an
#     rpath from each binary to Contents/Frameworks);
#   - the SQL drivers Heliodesk opens (qsqlite; qsqlpsql with libpq and its OpenSSL for team mode),
#     should the Qt version leave one out or leave its libraries behind;
#   - everything those copies need in turn.
# A library that is needed but cannot be found fails the install, except for the PostgreSQL driver's
# (then team mode is missing from this build, with a warning). Every changed binary is signed
# again ad hoc (arm64 does not run code whose signature no longer matches); the real signature is
# the workflow's job (.github/workflows/macos.yml).
#
# Set by macos.cmake (install(CODE) before this script): HELIODESK_BUNDLE (Heliodesk.app),
# HELIODESK_QT_SQL_PLUGINS (plugin files), HELIODESK_LIBRARY_DIRS (where to look for libraries).

cmake_minimum_required(VERSION 3.21)

set(prefix "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}")
set(contents "${prefix}/${HELIODESK_BUNDLE}/Contents")
set(frameworks "${contents}/Frameworks")
set(plugins "${contents}/PlugIns")
file(MAKE_DIRECTORY "${frameworks}" "${plugins}/sqldrivers")

find_program(OTOOL otool REQUIRED)
find_program(INSTALL_NAME_TOOL install_name_tool REQUIRED)
find_program(CODESIGN codesign REQUIRED)

function(heliodesk_run)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "Heliodesk: `${ARGN}` failed (${rc}): ${err}")
    endif()
endfunction()

# The libraries a Mach-O file loads (every architecture), without its own install name.
function(heliodesk_dependencies file out_var)
    execute_process(COMMAND "${OTOOL}" -L "${file}" RESULT_VARIABLE rc OUTPUT_VARIABLE text ERROR_QUIET)
    set(deps "")
    if(rc EQUAL 0)
        execute_process(COMMAND "${OTOOL}" -D "${file}" OUTPUT_VARIABLE id_text ERROR_QUIET)
        string(REGEX REPLACE "^[^\n]*\n" "" own_id "${id_text}")
        string(STRIP "${own_id}" own_id)
        string(REPLACE "\n" ";" lines "${text}")
        foreach(line IN LISTS lines)
            if(line MATCHES "^[ \t]+(.+) \\(compatibility version" AND NOT CMAKE_MATCH_1 STREQUAL own_id)
                list(APPEND deps "${CMAKE_MATCH_1}")
            endif()
        endforeach()
        list(REMOVE_DUPLICATES deps)
    endif()
    set(${out_var} "${deps}" PARENT_SCOPE)
endfunction()

function(heliodesk_rpaths file out_var)
    execute_process(COMMAND "${OTOOL}" -l "${file}" OUTPUT_VARIABLE text ERROR_QUIET)
    string(REGEX MATCHALL "path [^\n]+ \\(offset" matches "${text}")
    set(rpaths "")
    foreach(match IN LISTS matches)
        string(REGEX REPLACE "^path (.+) \\(offset$" "\\1" rpath "${match}")
        list(APPEND rpaths "${rpath}")
    endforeach()
    set(${out_var} "${rpaths}" PARENT_SCOPE)
endfunction()

# A library by name (or by @rpath/ sub-path) in the folders given by macos.cmake.
function(heliodesk_find_library name out_var)
    set(found "")
    foreach(dir IN LISTS HELIODESK_LIBRARY_DIRS)
        if(NOT found AND EXISTS "${dir}/${name}")
            set(found "${dir}/${name}")
        endif()
    endforeach()
    set(${out_var} "${found}" PARENT_SCOPE)
endfunction()

# The SQL drivers: present whatever macdeployqt did.
foreach(plugin IN LISTS HELIODESK_QT_SQL_PLUGINS)
    get_filename_component(name "${plugin}" NAME)
    if(NOT EXISTS "${plugins}/sqldrivers/${name}")
        message(STATUS "Heliodesk: installing the SQL driver ${name}, which the Qt deployment left out")
        file(COPY_FILE "${plugin}" "${plugins}/sqldrivers/${name}")
    endif()
endforeach()

# What to make self-contained: the programs, every plugin, the libraries (not Qt's frameworks, which
# macdeployqt handled) — and every library copied on the way.
file(GLOB queue "${contents}/MacOS/*" "${frameworks}/*.dylib")
file(GLOB_RECURSE plugin_files "${plugins}/*.dylib" "${plugins}/*.so")
list(APPEND queue ${plugin_files})
set(done "")
set(changed "")
set(missing "")
while(queue)
    list(POP_FRONT queue file)
    if(file IN_LIST done OR IS_SYMLINK "${file}" OR IS_DIRECTORY "${file}")
        continue()
    endif()
    list(APPEND done "${file}")
    heliodesk_dependencies("${file}" deps)
    if(NOT deps)
        continue()
    endif()
    get_filename_component(dir "${file}" DIRECTORY)
    file(RELATIVE_PATH to_frameworks "${dir}" "${frameworks}")
    if(to_frameworks STREQUAL "")
        set(rpath "@loader_path")
    else()
        set(rpath "@loader_path/${to_frameworks}")
    endif()
    set(needs_rpath FALSE)
    foreach(dep IN LISTS deps)
        if(dep MATCHES "^/System/" OR dep MATCHES "^/usr/lib/" OR dep MATCHES "^@(executable|loader)_path/")
            continue()
        endif()
        if(dep MATCHES "^@rpath/(.+)$")
            set(sub "${CMAKE_MATCH_1}")
            if(EXISTS "${frameworks}/${sub}")
                set(needs_rpath TRUE)
                continue()
            endif()
            heliodesk_find_library("${sub}" source)
        else()
            set(source "${dep}")
            if(NOT EXISTS "${source}")
                get_filename_component(base "${dep}" NAME)
                heliodesk_find_library("${base}" source)
            endif()
        endif()
        get_filename_component(name "${dep}" NAME)
        if(NOT source OR NOT EXISTS "${source}" OR dep MATCHES "\\.framework/")
            list(APPEND missing "${dep} (needed by ${file})")
            continue()
        endif()
        if(NOT EXISTS "${frameworks}/${name}")
            message(STATUS "Heliodesk: bundling ${source}")
            file(COPY_FILE "${source}" "${frameworks}/${name}")
            file(CHMOD "${frameworks}/${name}" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
            heliodesk_run("${INSTALL_NAME_TOOL}" -id "@rpath/${name}" "${frameworks}/${name}")
            list(APPEND changed "${frameworks}/${name}")
            list(APPEND queue "${frameworks}/${name}")
        endif()
        if(NOT dep STREQUAL "@rpath/${name}")
            heliodesk_run("${INSTALL_NAME_TOOL}" -change "${dep}" "@rpath/${name}" "${file}")
            list(APPEND changed "${file}")
        endif()
        set(needs_rpath TRUE)
    endforeach()
    if(needs_rpath)
        heliodesk_rpaths("${file}" rpaths)
        if(NOT rpath IN_LIST rpaths AND NOT "@executable_path/../Frameworks" IN_LIST rpaths)
            heliodesk_run("${INSTALL_NAME_TOOL}" -add_rpath "${rpath}" "${file}")
            list(APPEND changed "${file}")
        endif()
    endif()
endwhile()

set(fatal "")
foreach(entry IN LISTS missing)
    if(entry MATCHES "qsqlpsql" OR entry MATCHES "libpq")
        message(WARNING "Heliodesk: not found, team mode (PostgreSQL) will not work from this bundle: ${entry}. "
                        "Set HELIODESK_MACOS_LIBPQ_DIR to the folder with libpq.5.dylib.")
    else()
        list(APPEND fatal "${entry}")
    endif()
endforeach()
if(fatal)
    string(REPLACE ";" "\n  " fatal "${fatal}")
    message(FATAL_ERROR "Heliodesk: libraries needed inside the bundle were not found:\n  ${fatal}\n"
                        "Searched: ${HELIODESK_LIBRARY_DIRS}")
endif()

# install_name_tool invalidated the signatures it touched; macdeployqt's own ad-hoc ones stay valid.
list(REMOVE_DUPLICATES changed)
foreach(file IN LISTS changed)
    heliodesk_run("${CODESIGN}" --force --sign - "${file}")
endforeach()
# The bundle last, its nested code included (ad hoc, so nothing in it is left unsigned).
heliodesk_run("${CODESIGN}" --force --deep --sign - "${prefix}/${HELIODESK_BUNDLE}")
