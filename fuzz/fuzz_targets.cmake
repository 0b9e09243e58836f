# libFuzzer targets, one per fuzz/<name>_fuzzer.cpp (scripts/fuzz.sh builds
# and runs them with the seed corpora in fuzz/corpus/<name>_fuzzer/), linked
# to the libraries that fuzz/fuzz_flags.cmake has instrumented. Included by
# fuzz/CMakeLists.txt.
file(GLOB NEBENCH_FUZZ_SOURCES CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_LIST_DIR}/*_fuzzer.cpp)
add_custom_target(nebench_fuzzers)
foreach(source ${NEBENCH_FUZZ_SOURCES})
  get_filename_component(target ${source} NAME_WE)
  add_executable(${target} ${source})
  # The loaders need only nebench_datasets (quicker to build); the spec
  # parser's make_plan() needs the engine (methods, metrics, claims).
  if(target STREQUAL "spec_fuzzer")
    target_link_libraries(${target} PRIVATE nebench_engine)
  else()
    target_link_libraries(${target} PRIVATE nebench_datasets)
  endif()
  # -fsanitize=fuzzer links libFuzzer's runtime and main().
  target_link_options(${target} PRIVATE -fsanitize=fuzzer)
  target_compile_definitions(${target} PRIVATE
                             NEBENCH_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  # build-fuzz/<target> however the file is included (scripts/fuzz.sh).
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                                             ${CMAKE_BINARY_DIR})
  add_dependencies(nebench_fuzzers ${target})
endforeach()
