#include "engine/ne/edge_sampling_sgd.h"

#include <algorithm>
#include <numeric>
#include <utility>

namespace nebench {

bool is_symmetric(const Csr &W) {
  const std::int64_t n = W.n;
  // Transpose by counting sort: rows of T have ascending columns because the
  // rows of W are visited in order.
  std::vector<std::int64_t> tptr(n + 1, 0);
  for (std::int32_t c : W.indices) {
    if (c < 0 || c >= n)
      return false;
    ++tptr[c + 1];
  }
  std::partial_sum(tptr.begin(), tptr.end(), tptr.begin());
  std::vector<std::pair<std::int32_t, double>> T(W.indices.size());
  {
    std::vector<std::int64_t> fill(tptr.begin(), tptr.end() - 1);
    for (std::int64_t i = 0; i < n; ++i)
      for (auto p = W.row_begin(i); p < W.row_end(i); ++p)
        T[fill[W.indices[p]]++] = {static_cast<std::int32_t>(i), W.values[p]};
  }
  std::vector<std::pair<std::int32_t, double>> row;
  for (std::int64_t i = 0; i < n; ++i) {
    if (W.row_end(i) - W.row_begin(i) != tptr[i + 1] - tptr[i])
      return false;
    row.clear();
    for (auto p = W.row_begin(i); p < W.row_end(i); ++p)
      row.emplace_back(W.indices[p], W.values[p]);
    std::sort(row.begin(), row.end());
    if (!std::equal(row.begin(), row.end(), T.begin() + tptr[i]))
      return false;
  }
  return true;
}

EdgeSgdGraph make_edge_sgd_graph(const Csr &W, int epochs,
                                 bool require_symmetric) {
  for (double v : W.values)
    if (!(v >= 0) || !std::isfinite(v))
      throw NebenchError(
          "edge-sampling SGD: graph weights must be finite and >= 0");
  if (static_cast<std::int64_t>(W.indptr.size()) != W.n + 1)
    throw NebenchError("edge-sampling SGD: malformed CSR graph");
  for (std::int32_t c : W.indices)
    if (c < 0 || c >= W.n)
      throw NebenchError("edge-sampling SGD: graph column " +
                         std::to_string(c) + " out of range");
  if (require_symmetric && !is_symmetric(W))
    throw NebenchError(
        "edge-sampling SGD: batch mode needs a symmetric graph (W(i, j) == "
        "W(j, i)): the update of an edge's tail is taken from the reverse "
        "edge");
  const Csr P = prune_weak_edges(W, epochs);
  EdgeSgdGraph g;
  g.n = P.n;
  g.indptr = P.indptr;
  g.tails = P.indices;
  g.weights = P.values;
  g.heads.resize(P.indices.size());
  for (std::int64_t i = 0; i < P.n; ++i)
    for (auto p = P.row_begin(i); p < P.row_end(i); ++p)
      g.heads[p] = static_cast<std::int32_t>(i);
  for (double w : g.weights)
    g.weight_sum += w;
  return g;
}

double sgd_learning_rate(double lr, int epoch, int epochs) {
  const int done = std::max(epoch - 1, 0);
  return lr * (1.0 - static_cast<double>(done) / static_cast<double>(epochs));
}

} // namespace nebench
