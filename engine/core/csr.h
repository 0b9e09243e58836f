#pragma once
// Compressed sparse rows: affinity matrices P and graph adjacency.

#include <cstdint>
#include <vector>

namespace nebench {

struct Csr {
  std::int64_t n = 0;                ///< square n x n
  std::vector<std::int64_t> indptr;  ///< n + 1 offsets into indices/values
  std::vector<std::int32_t> indices; ///< column of each stored entry
  std::vector<double> values;        ///< value of each stored entry

  std::int64_t nnz() const { return static_cast<std::int64_t>(indices.size()); }
  std::int64_t row_begin(std::int64_t i) const { return indptr[i]; }
  std::int64_t row_end(std::int64_t i) const { return indptr[i + 1]; }
  /// Value at (i, j), 0 when not stored (linear scan of row i; for tests).
  double at(std::int64_t i, std::int64_t j) const {
    for (auto p = indptr[i]; p < indptr[i + 1]; ++p)
      if (indices[p] == j)
        return values[p];
    return 0.0;
  }
};

} // namespace nebench
