#include "metrics/embedding_knn.h"

#include "engine/core/errors.h"
#include "metrics/kd_tree.h"

#include <faiss/IndexFlat.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

namespace nebench {

namespace {

using FaissIdx = faiss::Index::idx_t;

void require_finite(const MatrixD &m, const char *what) {
  for (double v : m.data)
    if (!std::isfinite(v))
      throw NebenchError(std::string(what) + " contains NaN or Inf");
}

KnnGraph empty_graph(std::int64_t n, int k) {
  KnnGraph g;
  g.n = n;
  g.k = k;
  g.indices.assign(static_cast<std::size_t>(n * k), -1);
  g.distances.assign(static_cast<std::size_t>(n * k),
                     std::numeric_limits<float>::quiet_NaN());
  return g;
}

/// Low dimension: kd-tree in double, exact by construction.
KnnGraph kd_search(const MatrixD &base, const MatrixD &qsrc,
                   const std::vector<std::int64_t> &qrows, int k,
                   bool exclude_self) {
  const KdTree tree(base);
  const auto nq = static_cast<std::int64_t>(qrows.size());
  KnnGraph out = empty_graph(nq, k);
#pragma omp parallel
  {
    std::vector<std::pair<double, std::int64_t>> found;
#pragma omp for schedule(dynamic, 256)
    for (std::int64_t r = 0; r < nq; ++r) {
      tree.query(qsrc.row(qrows[r]), k, exclude_self ? qrows[r] : -1, found);
      for (std::size_t c = 0; c < found.size(); ++c) {
        out.indices[r * k + c] = found[c].second;
        out.distances[r * k + c] =
            static_cast<float>(std::sqrt(found[c].first));
      }
    }
  }
  return out;
}

/// Exact kNN of rows `qrows` of `qsrc` among the rows of `base`; with
/// `exclude_self`, qrows are also rows of `base` and each query skips itself.
/// Row r of the result belongs to qrows[r].
KnnGraph exact_search(const MatrixD &base, const MatrixD &qsrc,
                      const std::vector<std::int64_t> &qrows, int k,
                      bool exclude_self) {
  if (base.cols <= kKdTreeMaxDim)
    return kd_search(base, qsrc, qrows, k, exclude_self);
  const std::int64_t nb = base.rows;
  const std::int64_t d = base.cols;
  const auto nq = static_cast<std::int64_t>(qrows.size());

  // Centre on the base mean before rounding to float: distances are
  // translation invariant and the float error of FAISS scales with |x|^2.
  std::vector<double> mean(static_cast<std::size_t>(d), 0.0);
  for (std::int64_t i = 0; i < nb; ++i)
    for (std::int64_t j = 0; j < d; ++j)
      mean[j] += base(i, j);
  for (auto &m : mean)
    m /= static_cast<double>(nb);
  std::vector<float> xb(static_cast<std::size_t>(nb * d));
  for (std::int64_t i = 0; i < nb; ++i)
    for (std::int64_t j = 0; j < d; ++j)
      xb[i * d + j] = static_cast<float>(base(i, j) - mean[j]);
  std::vector<float> xq(static_cast<std::size_t>(nq * d));
  for (std::int64_t r = 0; r < nq; ++r)
    for (std::int64_t j = 0; j < d; ++j)
      xq[r * d + j] = static_cast<float>(qsrc(qrows[r], j) - mean[j]);

  const std::int64_t want = k + (exclude_self ? 1 : 0);
  const std::int64_t kk = std::min<std::int64_t>(nb, want + kKnnRerankSlack);
  faiss::IndexFlatL2 index(static_cast<FaissIdx>(d));
  index.add(nb, xb.data());
  std::vector<float> fdist(static_cast<std::size_t>(nq * kk));
  std::vector<FaissIdx> flabel(static_cast<std::size_t>(nq * kk));
  // Chunked so that FAISS's per-call buffers stay small for large nq.
  constexpr std::int64_t kChunk = 16384;
  for (std::int64_t off = 0; off < nq; off += kChunk) {
    const std::int64_t cnt = std::min(kChunk, nq - off);
    index.search(cnt, xq.data() + off * d, kk, fdist.data() + off * kk,
                 flabel.data() + off * kk);
  }

  KnnGraph out = empty_graph(nq, k);
#pragma omp parallel
  {
    std::vector<std::pair<double, std::int64_t>> cand;
    cand.reserve(static_cast<std::size_t>(kk));
#pragma omp for schedule(static)
    for (std::int64_t r = 0; r < nq; ++r) {
      cand.clear();
      const std::int64_t self = exclude_self ? qrows[r] : -1;
      const double *q = qsrc.row(qrows[r]);
      for (std::int64_t c = 0; c < kk; ++c) {
        const std::int64_t id = flabel[r * kk + c];
        if (id < 0 || id == self)
          continue;
        const double *b = base.row(id);
        double sq = 0.0;
        for (std::int64_t j = 0; j < d; ++j)
          sq += (q[j] - b[j]) * (q[j] - b[j]);
        cand.emplace_back(sq, id);
      }
      std::sort(cand.begin(), cand.end());
      const auto take = std::min<std::size_t>(cand.size(), k);
      for (std::size_t c = 0; c < take; ++c) {
        out.indices[r * k + c] = cand[c].second;
        out.distances[r * k + c] = static_cast<float>(std::sqrt(cand[c].first));
      }
    }
  }
  return out;
}

} // namespace

KnnGraph embedding_knn(const MatrixD &y, int k,
                       const std::vector<std::int64_t> &queries) {
  if (k < 1 || k > y.rows - 1)
    throw NebenchError(
        "embedding_knn: k = " + std::to_string(k) +
        " must be in [1, n - 1] for n = " + std::to_string(y.rows) + " points");
  require_finite(y, "embedding_knn: embedding");
  for (auto q : queries)
    if (q < 0 || q >= y.rows)
      throw NebenchError("embedding_knn: query point " + std::to_string(q) +
                         " out of range [0, " + std::to_string(y.rows) + ")");
  if (queries.empty()) {
    std::vector<std::int64_t> all(static_cast<std::size_t>(y.rows));
    for (std::int64_t i = 0; i < y.rows; ++i)
      all[i] = i;
    auto g = exact_search(y, y, all, k, true);
    g.n = y.rows;
    return g;
  }
  const KnnGraph part = exact_search(y, y, queries, k, true);
  KnnGraph out = empty_graph(y.rows, k);
  for (std::size_t r = 0; r < queries.size(); ++r)
    for (int c = 0; c < k; ++c) {
      out.indices[queries[r] * k + c] = part.indices[r * k + c];
      out.distances[queries[r] * k + c] = part.distances[r * k + c];
    }
  return out;
}

KnnGraph nearest_in(const MatrixD &base, const MatrixD &queries, int k) {
  if (base.cols != queries.cols)
    throw NebenchError("nearest_in: dimension mismatch (" +
                       std::to_string(base.cols) + " vs " +
                       std::to_string(queries.cols) + ")");
  if (k < 1 || k > base.rows)
    throw NebenchError("nearest_in: k = " + std::to_string(k) +
                       " must be in [1, " + std::to_string(base.rows) + "]");
  require_finite(base, "nearest_in: base points");
  require_finite(queries, "nearest_in: query points");
  std::vector<std::int64_t> all(static_cast<std::size_t>(queries.rows));
  for (std::int64_t i = 0; i < queries.rows; ++i)
    all[i] = i;
  return exact_search(base, queries, all, k, false);
}

} // namespace nebench
