# HELIODESK_FUZZ: libFuzzer targets for the parsers of outside input (tests/fuzz/). Every library is
# compiled with the fuzzer's coverage hooks and AddressSanitizer + UndefinedBehaviorSanitizer; the
# fuzz targets themselves link libFuzzer's main (heliodesk_add_fuzz_target in tests/fuzz/).
# Only clang ships libFuzzer. The ordinary (GCC) build compiles the same targets with a replay main
# that runs the corpus and the regressions as tests.

if(NOT HELIODESK_FUZZ)
    return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "HELIODESK_FUZZ needs clang (libFuzzer): configure with CXX=clang++ (see scripts/fuzz.sh).")
endif()
if(HELIODESK_BUILD_TESTS)
    message(FATAL_ERROR "HELIODESK_FUZZ builds the fuzz targets only: configure with -DHELIODESK_BUILD_TESTS=OFF.")
endif()
if(HELIODESK_SANITIZE)
    message(FATAL_ERROR "HELIODESK_FUZZ brings its own sanitizers: leave HELIODESK_SANITIZE off.")
endif()

# UB aborts, so libFuzzer counts it as a crash and keeps the input. -fsanitize=function (calls
# through a pointer of the wrong function type) is left out: clang 14 cannot emit its prologue data
# for coroutines ("Cannot represent a difference across sections"), and QCoro is everywhere in model/.
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer -O1)
add_link_options(-fsanitize=address,undefined)
