#pragma once
// Dense row-major matrices: the data (float), embeddings during optimization
// (double) and everything that crosses module boundaries.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace nebench {

template <class T> struct DenseMatrix {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<T> data; ///< rows * cols values, row-major

  DenseMatrix() = default;
  DenseMatrix(std::int64_t r, std::int64_t c, T fill = T(0))
      : rows(r), cols(c), data(static_cast<std::size_t>(r * c), fill) {}

  T *row(std::int64_t i) { return data.data() + i * cols; }
  const T *row(std::int64_t i) const { return data.data() + i * cols; }
  T &operator()(std::int64_t i, std::int64_t j) { return data[i * cols + j]; }
  T operator()(std::int64_t i, std::int64_t j) const {
    return data[i * cols + j];
  }
  bool empty() const { return rows == 0; }
};

using Matrix = DenseMatrix<float>;
using MatrixD = DenseMatrix<double>;

/// Converts between precisions (embeddings are optimized in double, stored in
/// float).
template <class To, class From>
DenseMatrix<To> convert(const DenseMatrix<From> &m) {
  DenseMatrix<To> out(m.rows, m.cols);
  for (std::size_t i = 0; i < m.data.size(); ++i)
    out.data[i] = static_cast<To>(m.data[i]);
  return out;
}

/// Rows `idx` of `m`, in that order.
template <class T>
DenseMatrix<T> select_rows(const DenseMatrix<T> &m,
                           const std::vector<std::int64_t> &idx) {
  DenseMatrix<T> out(static_cast<std::int64_t>(idx.size()), m.cols);
  for (std::size_t r = 0; r < idx.size(); ++r)
    for (std::int64_t j = 0; j < m.cols; ++j)
      out(static_cast<std::int64_t>(r), j) = m(idx[r], j);
  return out;
}

} // namespace nebench
