// Fuzzes the strict spec reader as `nebench validate` uses it: the input is
// a spec's JSON text; it is parsed (parse_spec_text: syntax errors,
// duplicate keys), and under the full profile and every profile it defines
// validated and expanded (parse_spec) and planned (make_plan: dataset,
// graph, methods, metrics, claims parsed by their owners). SpecError and
// the other NebenchErrors are the expected answers to a bad spec; anything
// else (another exception, a sanitizer report, a crash) is a finding.

#include "engine/core/errors.h"
#include "engine/run/plan.h"
#include "engine/spec/spec.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#ifndef NEBENCH_SOURCE_DIR
#error "NEBENCH_SOURCE_DIR must name the checkout (fuzz/CMakeLists.txt)"
#endif

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  // Registered dataset names are checked against datasets/registry.json of
  // the checkout, found through NEBENCH_ROOT whatever the working folder.
  setenv("NEBENCH_ROOT", NEBENCH_SOURCE_DIR, 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  // The CLI refuses larger files before parsing (load_spec).
  if (size > nebench::kMaxSpecBytes)
    return 0;
  const std::string text(reinterpret_cast<const char *>(data), size);
  // A relative file name: dataset paths resolve against its folder (the
  // working folder), as for `nebench validate spec.json`.
  const std::string file = "fuzz_spec.json";
  try {
    const auto j = nebench::parse_spec_text(text, file);
    for (const auto &profile : nebench::list_profiles(j))
      (void)nebench::make_plan(nebench::parse_spec(j, file, profile));
  } catch (const nebench::NebenchError &) {
    // Expected: the spec is refused with a message.
  }
  return 0;
}
