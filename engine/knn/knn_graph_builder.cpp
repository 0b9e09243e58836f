#include "engine/knn/knn_graph_builder.h"

#include "engine/core/errors.h"
#include "engine/knn/exact_knn.h"

#include <faiss/Index.h>
#include <faiss/IndexFlat.h>
#include <faiss/index_factory.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace nebench {

namespace {

std::unique_ptr<faiss::Index> make_index(int d, const std::string &factory) {
  if (factory == "Flat")
    return std::make_unique<faiss::IndexFlatL2>(d);
  try {
    return std::unique_ptr<faiss::Index>(
        faiss::index_factory(d, factory.c_str(), faiss::METRIC_L2));
  } catch (const std::exception &e) {
    throw NebenchError("kNN graph: bad FAISS index factory string \"" +
                       factory + "\": " + e.what());
  }
}

} // namespace

KnnGraph build_knn_graph(const Matrix &X, int k,
                         const std::string &index_factory) {
  const std::int64_t n = X.rows;
  if (X.cols < 1)
    throw NebenchError("kNN graph: data has no columns");
  if (k < 1)
    throw NebenchError("kNN graph: k = " + std::to_string(k) +
                       " must be at least 1");
  if (k >= n)
    throw NebenchError(
        "kNN graph: k = " + std::to_string(k) +
        " must be smaller than the number of points n = " + std::to_string(n));

  if (index_factory == "Flat")
    return exact_knn_graph(X, k);

  auto index = make_index(static_cast<int>(X.cols), index_factory);
  try {
    if (!index->is_trained)
      index->train(n, X.data.data());
    index->add(n, X.data.data());
  } catch (const std::exception &e) {
    throw NebenchError("kNN graph: FAISS index \"" + index_factory +
                       "\" could not be built: " + e.what());
  }

  // Search k + 1 because every point finds itself (at distance ~0). Queries
  // go in blocks to bound the temporary result arrays.
  const int kk = k + 1;
  KnnGraph g;
  g.n = n;
  g.k = k;
  g.indices.resize(static_cast<std::size_t>(n * k));
  g.distances.resize(static_cast<std::size_t>(n * k));
  const std::int64_t block = 16384;
  std::vector<faiss::Index::idx_t> labels;
  std::vector<float> sq;
  for (std::int64_t start = 0; start < n; start += block) {
    const std::int64_t count = std::min(block, n - start);
    labels.assign(static_cast<std::size_t>(count * kk), -1);
    sq.assign(static_cast<std::size_t>(count * kk), 0.0f);
    index->search(count, X.row(start), kk, sq.data(), labels.data());
    for (std::int64_t r = 0; r < count; ++r) {
      const std::int64_t i = start + r;
      const faiss::Index::idx_t *lab = labels.data() + r * kk;
      const float *dist = sq.data() + r * kk;
      // Drop the query itself; if it is missing (exact duplicates can push it
      // past position k), drop the farthest result instead.
      int skip = kk - 1;
      for (int c = 0; c < kk; ++c)
        if (lab[c] == i) {
          skip = c;
          break;
        }
      std::int64_t *out_idx = g.indices.data() + i * k;
      float *out_dist = g.distances.data() + i * k;
      int o = 0;
      for (int c = 0; c < kk; ++c) {
        if (c == skip)
          continue;
        if (lab[c] < 0)
          throw NebenchError(
              "kNN graph: FAISS index \"" + index_factory +
              "\" returned only " + std::to_string(o) + " of " +
              std::to_string(k) + " neighbours for point " + std::to_string(i) +
              " (an approximate index searching too few cells?)");
        out_idx[o] = lab[c];
        // FAISS returns squared L2 computed as |x|^2 + |y|^2 - 2<x,y>, which
        // can be slightly negative for near-duplicates.
        out_dist[o] = std::sqrt(std::max(0.0f, dist[c]));
        ++o;
      }
    }
  }
  return g;
}

} // namespace nebench
