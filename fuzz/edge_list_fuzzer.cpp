// Fuzzes the edge-list graph loader (datasets/edge_list_loader.h) with a
// label file. The input holds both files: the bytes before the first NUL
// are the edge file, the bytes after it the label file; without a NUL the
// graph is loaded without labels. Both are written to files (the loader
// takes paths). DataError is the expected answer to a bad file; anything
// else is a finding.

#include "datasets/edge_list_loader.h"
#include "engine/core/errors.h"
#include "fuzz/fuzz_temp_dir.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  auto &dir = nebench::fuzz::FuzzTempDir::instance();
  const auto *nul =
      static_cast<const std::uint8_t *>(std::memchr(data, 0, size));
  const std::size_t edge_size = nul ? std::size_t(nul - data) : size;
  const std::string edges = dir.write("graph.edges", data, edge_size);
  std::string labels;
  if (nul)
    labels = dir.write("graph.labels", nul + 1, size - edge_size - 1);
  try {
    (void)nebench::load_edge_list(edges, labels);
  } catch (const nebench::NebenchError &) {
  }
  return 0;
}
