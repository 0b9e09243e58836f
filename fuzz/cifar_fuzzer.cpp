// Fuzzes the CIFAR binary readers (datasets/cifar_loader.h): the input is
// written to one .bin file and read as CIFAR-10 (3073-byte records) and as
// CIFAR-100 (3074-byte records). DataError is the expected answer to a bad
// file; anything else is a finding.

#include "datasets/cifar_loader.h"
#include "engine/core/errors.h"
#include "fuzz/fuzz_temp_dir.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  const std::string path = nebench::fuzz::FuzzTempDir::instance().write(
      "test_batch.bin", data, size);
  try {
    (void)nebench::read_cifar10_bin(path);
  } catch (const nebench::NebenchError &) {
  }
  try {
    (void)nebench::read_cifar100_bin(path);
  } catch (const nebench::NebenchError &) {
  }
  return 0;
}
