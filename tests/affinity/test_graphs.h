#pragma once
// Brute-force kNN graphs for affinity tests (independent of FAISS).

#include "engine/core/knn_graph.h"
#include "engine/core/matrix.h"
#include "engine/core/rng.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace nebench::testing {

inline Matrix gaussian_data(std::int64_t n, std::int64_t d,
                            std::uint64_t seed) {
  Matrix X(n, d);
  Rng rng(seed);
  for (auto &v : X.data)
    v = static_cast<float>(rng.normal());
  return X;
}

inline KnnGraph brute_force_graph(const Matrix &X, int k) {
  KnnGraph g;
  g.n = X.rows;
  g.k = k;
  for (std::int64_t i = 0; i < X.rows; ++i) {
    std::vector<double> d2(X.rows);
    for (std::int64_t j = 0; j < X.rows; ++j) {
      double s = 0;
      for (std::int64_t c = 0; c < X.cols; ++c) {
        const double t = static_cast<double>(X(i, c)) - X(j, c);
        s += t * t;
      }
      d2[j] = s;
    }
    std::vector<std::int64_t> idx;
    for (std::int64_t j = 0; j < X.rows; ++j)
      if (j != i)
        idx.push_back(j);
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(),
                      [&](auto a, auto b) { return d2[a] < d2[b]; });
    for (int j = 0; j < k; ++j) {
      g.indices.push_back(idx[j]);
      g.distances.push_back(static_cast<float>(std::sqrt(d2[idx[j]])));
    }
  }
  return g;
}

} // namespace nebench::testing
