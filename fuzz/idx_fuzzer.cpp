// Fuzzes the IDX reader (MNIST-family images and labels, raw or gzipped).
// The input is written to a file (the reader takes a path) and read both as
// an image file and as a label file; each checks the magic number, so a
// mutated header reaches both parsers. DataError is the expected answer to
// a bad file; anything else is a finding.

#include "datasets/idx_loader.h"
#include "engine/core/errors.h"
#include "fuzz/fuzz_temp_dir.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  const std::string path =
      nebench::fuzz::FuzzTempDir::instance().write("data.idx", data, size);
  try {
    nebench::ImageShape shape;
    (void)nebench::read_idx_images(path, &shape);
  } catch (const nebench::NebenchError &) {
  }
  try {
    (void)nebench::read_idx_labels(path);
  } catch (const nebench::NebenchError &) {
  }
  return 0;
}
