// Fuzzes the CSV data and label parsers (datasets/csv_loader.h) on bytes in
// memory. The input holds both files: the bytes before the first NUL are the
// data file, the bytes after it the label file, checked against the data's
// row count as the registry does; without a NUL only the data file is
// parsed. DataError is the expected answer to a bad file; anything else is
// a finding.

#include "datasets/csv_loader.h"
#include "engine/core/errors.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data,
                                      std::size_t size) {
  const auto *nul =
      static_cast<const std::uint8_t *>(std::memchr(data, 0, size));
  const std::size_t data_size = nul ? std::size_t(nul - data) : size;
  // Exact copies, so that ASan sees any read past the end of either file.
  const std::vector<char> csv(data, data + data_size);
  std::int64_t rows = -1;
  try {
    const nebench::Matrix X =
        nebench::parse_csv_matrix("fuzz.csv", csv.data(), csv.size());
    if (static_cast<std::int64_t>(X.data.size()) != X.rows * X.cols)
      __builtin_trap(); // a matrix whose shape does not match its values
    rows = X.rows;
  } catch (const nebench::NebenchError &) {
  }
  if (nul) {
    const std::vector<char> labels(nul + 1, data + size);
    try {
      const nebench::CsvLabels l = nebench::parse_csv_labels(
          "fuzz_labels.csv", labels.data(), labels.size(), rows, "fuzz.csv");
      for (const auto id : l.labels)
        if (id < 0 || (!l.class_names.empty() &&
                       id >= static_cast<std::int32_t>(l.class_names.size())))
          __builtin_trap(); // a class id without a class
    } catch (const nebench::NebenchError &) {
    }
  }
  return 0;
}
