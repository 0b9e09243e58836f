#pragma once
// Small fixtures for t-SNE tests: random sparse P, layouts, Gaussian blobs.

#include "engine/core/csr.h"
#include "engine/core/matrix.h"
#include "engine/core/rng.h"

#include <algorithm>
#include <map>

namespace nebench::testing {

/// n x dim entries N(0, scale^2).
inline MatrixD random_layout(std::int64_t n, int dim, double scale,
                             std::uint64_t seed) {
  MatrixD Y(n, dim);
  Rng rng(seed);
  for (auto &v : Y.data)
    v = scale * rng.normal();
  return Y;
}

/// Symmetric P with `per_row` random partners per point, summing to 1.
inline Csr random_affinities(std::int64_t n, int per_row, std::uint64_t seed) {
  Rng rng(seed, 7);
  std::map<std::pair<std::int64_t, std::int64_t>, double> m;
  for (std::int64_t i = 0; i < n; ++i)
    for (int r = 0; r < per_row; ++r) {
      std::int64_t j = static_cast<std::int64_t>(rng.below(n - 1));
      if (j >= i)
        ++j;
      const double v = 0.1 + rng.uniform();
      m[{i, j}] += v;
      m[{j, i}] += v;
    }
  double total = 0;
  for (const auto &e : m)
    total += e.second;
  Csr P;
  P.n = n;
  P.indptr.assign(n + 1, 0);
  for (const auto &[ij, v] : m) {
    P.indices.push_back(static_cast<std::int32_t>(ij.second));
    P.values.push_back(v / total);
    ++P.indptr[ij.first + 1];
  }
  for (std::int64_t i = 0; i < n; ++i)
    P.indptr[i + 1] += P.indptr[i];
  return P;
}

/// Relative Frobenius error |a - b| / |b|.
inline double relative_error(const MatrixD &a, const MatrixD &b) {
  double num = 0, den = 0;
  for (std::size_t e = 0; e < a.data.size(); ++e) {
    num += (a.data[e] - b.data[e]) * (a.data[e] - b.data[e]);
    den += b.data[e] * b.data[e];
  }
  return std::sqrt(num / den);
}

} // namespace nebench::testing
