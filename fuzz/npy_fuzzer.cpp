// Fuzzes the .npy parser (datasets/npy_loader.h) on the bytes in memory, as
// it reads both .npy files and .npz members, then converts the array to a
// data matrix and to labels, as read_npy_matrix / read_npy_labels do.
// DataError is the expected answer to a bad file; anything else is a
// finding.

#include "datasets/npy_loader.h"
#include "engine/core/errors.h"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  // A copy of exactly `size` bytes, so that ASan sees any read past the end
  // of the input (libFuzzer's own buffer is also exact, but this keeps the
  // target independent of that).
  const std::vector<unsigned char> bytes(data, data + size);
  try {
    const nebench::NpyArray array =
        nebench::parse_npy("fuzz.npy", bytes.data(), bytes.size());
    try {
      (void)nebench::npy_matrix("fuzz.npy", array);
    } catch (const nebench::NebenchError &) {
    }
    (void)nebench::npy_labels("fuzz.npy", array);
  } catch (const nebench::NebenchError &) {
  }
  return 0;
}
