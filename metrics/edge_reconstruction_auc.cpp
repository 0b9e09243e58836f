#include "metrics/edge_reconstruction_auc.h"

#include "engine/core/errors.h"
#include "engine/core/rng.h"
#include "engine/core/undirected_graph.h"
#include "metrics/roc_auc.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace nebench {

namespace {

using NodePair = std::pair<std::int64_t, std::int64_t>;

/// Up to this many node pairs, non-edges are listed and sampled exactly.
constexpr std::int64_t kListAllPairs = std::int64_t{1} << 22;

/// `count` of the graph's edges {i, j}, i < j, uniformly without
/// replacement: edge k is the k-th stored entry above the diagonal in row
/// order.
std::vector<NodePair> sample_edges(const Csr &graph, std::int64_t count,
                                   Rng &rng) {
  const std::int64_t n_edges = graph.nnz() / 2;
  const std::vector<std::int64_t> picks = rng.sample(n_edges, count);
  std::vector<NodePair> out;
  out.reserve(picks.size());
  std::size_t next = 0;
  std::int64_t k = 0; // index of the next upper entry
  for (std::int64_t i = 0; i < graph.n && next < picks.size(); ++i) {
    const auto begin = graph.indices.begin() + graph.row_begin(i);
    const auto end = graph.indices.begin() + graph.row_end(i);
    const auto upper = std::upper_bound(begin, end, static_cast<int>(i));
    const std::int64_t row_upper = end - upper;
    while (next < picks.size() && picks[next] < k + row_upper) {
      out.emplace_back(i, *(upper + (picks[next] - k)));
      ++next;
    }
    k += row_upper;
  }
  return out;
}

/// `count` non-edges {i, j}, i < j, uniformly without replacement: by
/// listing them when that is cheap (few pairs, or a dense graph whose
/// edges already take as much memory), else by rejection, which then accepts
/// a draw with probability > 1/2.
std::vector<NodePair> sample_non_edges(const Csr &graph,
                                       std::int64_t n_non_edges,
                                       std::int64_t count, Rng &rng) {
  const std::int64_t n = graph.n, n_pairs = n * (n - 1) / 2;
  std::vector<NodePair> out;
  if (n_pairs <= kListAllPairs || 2 * n_non_edges < n_pairs) {
    std::vector<NodePair> all;
    all.reserve(static_cast<std::size_t>(n_non_edges));
    for (std::int64_t i = 0; i < n; ++i) {
      auto p = graph.row_begin(i);
      for (std::int64_t j = i + 1; j < n; ++j) {
        while (p < graph.row_end(i) && graph.indices[p] < j)
          ++p;
        if (p == graph.row_end(i) || graph.indices[p] != j)
          all.emplace_back(i, j);
      }
    }
    for (const std::int64_t k : rng.sample(n_non_edges, count))
      out.push_back(all[k]);
    return out;
  }
  std::unordered_set<std::int64_t> seen;
  while (static_cast<std::int64_t>(out.size()) < count) {
    auto i = static_cast<std::int64_t>(rng.below(n));
    auto j = static_cast<std::int64_t>(rng.below(n));
    if (i == j || has_edge(graph, i, j))
      continue;
    if (i > j)
      std::swap(i, j);
    if (seen.insert(i * n + j).second)
      out.emplace_back(i, j);
  }
  return out;
}

} // namespace

double edge_reconstruction_auc(const MatrixD &embedding, const Csr &graph,
                               EmbeddingMetric metric, std::int64_t n_pairs,
                               std::uint64_t seed) {
  check_undirected_graph(graph, "edge reconstruction AUC");
  if (embedding.rows != graph.n)
    throw NebenchError("edge reconstruction AUC: embedding has " +
                       std::to_string(embedding.rows) + " rows, graph " +
                       std::to_string(graph.n) + " nodes");
  if (n_pairs < 1)
    throw NebenchError("edge reconstruction AUC: n_pairs must be >= 1, got " +
                       std::to_string(n_pairs));
  const std::int64_t n = graph.n, n_edges = graph.nnz() / 2;
  const std::int64_t n_non_edges = n * (n - 1) / 2 - n_edges;
  if (n_edges == 0)
    throw NebenchError("edge reconstruction AUC: the graph has no edges");
  if (n_non_edges == 0)
    throw NebenchError("edge reconstruction AUC: the graph is complete (no "
                       "non-edges)");
  const MatrixD y = metric_rows(embedding, metric);

  Rng rng(seed);
  const std::vector<NodePair> edges =
      sample_edges(graph, std::min(n_pairs, n_edges), rng);
  const std::vector<NodePair> non_edges =
      sample_non_edges(graph, n_non_edges, std::min(n_pairs, n_non_edges), rng);

  // sec. 3.5: cosine similarity (128-D) or -Euclidean distance (2-D).
  const auto score = [&](const NodePair &e) {
    const double *a = y.row(e.first), *b = y.row(e.second);
    double s = 0.0;
    for (std::int64_t c = 0; c < y.cols; ++c)
      s += metric == EmbeddingMetric::cosine ? a[c] * b[c]
                                             : (a[c] - b[c]) * (a[c] - b[c]);
    return metric == EmbeddingMetric::cosine ? s : -std::sqrt(s);
  };
  std::vector<double> scores;
  std::vector<bool> positive;
  for (const auto &e : edges) {
    scores.push_back(score(e));
    positive.push_back(true);
  }
  for (const auto &e : non_edges) {
    scores.push_back(score(e));
    positive.push_back(false);
  }
  return roc_auc(scores, positive);
}

} // namespace nebench
