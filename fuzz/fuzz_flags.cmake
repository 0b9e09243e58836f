# Compiler flags of a fuzzing build (NEBENCH_FUZZ=ON): every nebench library
# is instrumented for libFuzzer's coverage feedback (fuzzer-no-link: the
# libFuzzer runtime and its main() are linked into the fuzz targets only) and
# checked by AddressSanitizer and UBSan. UBSan reports abort
# (-fno-sanitize-recover) so that libFuzzer records them as crashes instead
# of printing and going on. Included from the top-level CMakeLists.txt
# before the libraries are defined.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "NEBENCH_FUZZ needs clang (libFuzzer): configure with "
                      "CC=clang CXX=clang++")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined
                    -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g)
add_link_options(-fsanitize=address,undefined)
