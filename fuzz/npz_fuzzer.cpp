// Fuzzes the .npz reader: the ZIP archive reader (central directory, ZIP64,
// stored and deflated members, CRC-32) and the MedMNIST layout on top of it
// (six .npy members, image/label shapes). The input is written to a file
// (read_medmnist_npz takes a path). DataError is the expected answer to a
// bad file; anything else is a finding.

#include "datasets/medmnist_loader.h"
#include "engine/core/errors.h"
#include "fuzz/fuzz_temp_dir.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  const std::string path =
      nebench::fuzz::FuzzTempDir::instance().write("data.npz", data, size);
  try {
    (void)nebench::read_medmnist_npz(path);
  } catch (const nebench::NebenchError &) {
  }
  return 0;
}
